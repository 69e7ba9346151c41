//! OpenAPI / Swagger document → [`Api`].
//!
//! Three things real definitions carry are read rather than refused:
//! - local `$ref`s (`{"$ref": "#/components/x-amazon-apigateway-integrations/get"}`, the
//!   form AWS documents for HTTP API integrations) wherever the model reads an object: path
//!   items, operations, responses, integrations and their responses, security schemes,
//!   gateway responses. Chains are followed up to [`MAX_REF_HOPS`](cx::MAX_REF_HOPS); a
//!   cycle, a reference into another file or to nothing is an error naming the reference.
//! - CloudFormation values (`Fn::Sub`, `Ref`, `Fn::GetAtt` … and YAML short tags) and
//!   template placeholders (`${var}`) become `Unresolved` values (see
//!   [`crate::gateway::model::Unresolved`]); the raw value stays in the `extra` map so the
//!   export writes it back.
//! - A security requirement naming a scheme the document does not define is recorded as an
//!   undefined reference (the method's authorization is then unknown), not an error.
//!
//! REST or HTTP is decided from markers only one kind of API accepts
//! ([`decide_kind`](kind::decide_kind)); the marker that decided is kept in
//! [`Api::kind_decided_by`].
//!
//! The parts: [`split`] (one path item at a time, the text let go), [`cx`] (the context and
//! the typed readers), [`kind`] (REST or HTTP), [`operation`] (security schemes, path items,
//! operations), [`integration`] (integrations, gateway responses, CORS).

use serde_json::{Map, Value};

use super::source::DefinitionText;
use super::{ImportError, X_API_KEY_SOURCE, X_CORS, X_GATEWAY_RESPONSES, X_IMPORTEXPORT};
use crate::gateway::model::{intrinsic_name, Api, ApiKind, SpecFormat};
use cx::{as_code, as_obj, as_string, err, join, Cx};
use integration::{import_cors, import_gateway_response};
use kind::decide_kind;
use operation::{import_path_item, import_schemes};
use split::{import_split_text, source_error, PathItems};

mod cx;
mod integration;
mod kind;
mod operation;
mod split;

/// Parses JSON or YAML text (told apart by content) and imports it. Errors carry the line.
pub fn import_str(text: &str) -> Result<Api, ImportError> {
    import_str_as(text, None)
}

/// [`import_str`], with the API kind given by the user (`--kind`) instead of decided from the
/// document.
pub fn import_str_as(mut text: &str, kind: Option<ApiKind>) -> Result<Api, ImportError> {
    import_text(&mut text, kind)
}

/// [`import_str_as`] from a [`DefinitionText`], which the import lets go of while it builds
/// the model.
///
/// The document is imported one path item at a time: only the document without its `paths`,
/// and one path item, are ever held as a `serde_json::Value` tree. A JSON document's path
/// items are noted as byte ranges (`split_json`), the text is dropped, and each item is
/// asked for again by its range, so a huge export costs the model plus one item, not its
/// text as well. A YAML document's items are kept as compact JSON text (`parse_yaml_split`),
/// freed one by one as they are imported.
pub fn import_text(
    src: &mut dyn DefinitionText,
    kind: Option<ApiKind>,
) -> Result<Api, ImportError> {
    let result = match import_split_text(src, kind) {
        Some(result) => result,
        None => src.whole().map_err(source_error).and_then(|text| {
            let doc = super::text::parse(&text)?;
            import_as(&doc, kind)
        }),
    };
    result.map_err(|mut e| {
        if e.line.is_none() && e.path != "$" {
            // The text again, only to point at the line.
            if let Ok(text) = src.whole() {
                e.line = super::text::line_of(&text, &e.path);
            }
        }
        e
    })
}

/// Imports an exported OpenAPI 3 or Swagger 2 document.
pub fn import(doc: &Value) -> Result<Api, ImportError> {
    import_as(doc, None)
}

/// [`import`], with the API kind given by the user instead of decided from the document.
pub fn import_as(doc: &Value, kind: Option<ApiKind>) -> Result<Api, ImportError> {
    import_split(doc, None, kind)
}

/// [`import_as`]; with `raw_paths`, `doc` holds no `paths` (only a placeholder) and the path
/// items are read, one at a time, from their text.
fn import_split(
    doc: &Value,
    mut raw_paths: Option<&mut PathItems<'_>>,
    kind: Option<ApiKind>,
) -> Result<Api, ImportError> {
    let mut cx = Cx::new(doc);
    cx.paths_detached = raw_paths.is_some();
    let cx = cx;
    let root = as_obj(doc, "")?;
    let format = if let Some(v) = root.get("openapi") {
        let version = as_string(v, "openapi")?;
        if !version.starts_with('3') {
            return err(
                "openapi",
                format!("unsupported OpenAPI version '{version}' (expected 3.x)"),
            );
        }
        SpecFormat::OpenApi3(version)
    } else if let Some(v) = root.get("swagger") {
        let version = as_code(v, "swagger")?;
        if version != "2.0" {
            return err(
                "swagger",
                format!("unsupported Swagger version '{version}' (expected 2.0)"),
            );
        }
        SpecFormat::Swagger2
    } else {
        return err("", "neither `openapi` nor `swagger` is present: this is not an OpenAPI or Swagger document");
    };
    let mut api = Api {
        format,
        ..Default::default()
    };

    // Security schemes first: operations refer to them by name.
    if let Some(components) = root.get("components") {
        let components = as_obj(components, "components")?;
        for (k, v) in components {
            if k == "securitySchemes" {
                import_schemes(&cx, &mut api, v, "components.securitySchemes")?;
            } else {
                api.components_extra.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(defs) = root.get("securityDefinitions") {
        import_schemes(&cx, &mut api, defs, "securityDefinitions")?;
    }

    for (key, value) in root {
        match key.as_str() {
            "openapi" | "swagger" | "components" | "securityDefinitions" => {}
            "info" => {
                let info = as_obj(value, "info")?;
                let mut rest = Map::new();
                for (k, v) in info {
                    let p = join("info", k);
                    match k.as_str() {
                        "title" => {
                            api.name = cx.text(v, &p, k, &mut rest, None)?.unwrap_or_default()
                        }
                        "version" if intrinsic_name(v).is_none() => {
                            api.version = Some(as_code(v, &p)?)
                        }
                        "description" => api.description = cx.text(v, &p, k, &mut rest, None)?,
                        _ => {
                            rest.insert(k.clone(), v.clone());
                        }
                    }
                }
                if !rest.is_empty() {
                    api.extra.insert("info".into(), Value::Object(rest));
                }
            }
            "paths" if raw_paths.is_some() => {
                let Some(raw_paths) = raw_paths.take() else {
                    continue;
                };
                api.resources.reserve_exact(raw_paths.len());
                // By value: each item's text is freed once imported.
                for next in raw_paths {
                    let (path, raw) = next?;
                    let p = join("paths", &path);
                    // Valid JSON already (read as a raw value, or written from YAML).
                    let item: Value = serde_json::from_str(&raw)
                        .map_or_else(|e| err(&p, format!("not valid JSON: {e}")), Ok)?;
                    drop(raw);
                    let resource = import_path_item(&cx, &api, &path, &item, &p)?;
                    api.resources.push(resource);
                }
            }
            "paths" => {
                let paths = as_obj(value, "paths")?;
                for (path, item) in paths {
                    let resource = import_path_item(&cx, &api, path, item, &join("paths", path))?;
                    api.resources.push(resource);
                }
            }
            X_GATEWAY_RESPONSES => {
                let p = X_GATEWAY_RESPONSES;
                for (ty, v) in as_obj(value, p)? {
                    api.gateway_responses
                        .push(import_gateway_response(&cx, ty, v, &join(p, ty))?);
                }
            }
            X_API_KEY_SOURCE if intrinsic_name(value).is_none() => {
                api.api_key_source = Some(as_string(value, key)?)
            }
            X_IMPORTEXPORT => api.import_export_version = Some(as_code(value, key)?),
            X_CORS => {
                let (v, p) = cx.follow(value, key)?;
                api.cors = Some(import_cors(&cx, v, &p, &mut api.extra)?);
            }
            _ => {
                api.extra.insert(key.clone(), value.clone());
            }
        }
    }

    let (id, region) = endpoint_of(&api.extra);
    api.id = id;
    api.region = region;
    api.unresolved = cx.unresolved.into_inner();
    let (decided, by) = match kind {
        Some(k) => (k, format!("--kind {}", k.as_str())),
        None => decide_kind(&api, root),
    };
    api.kind = decided;
    api.kind_decided_by = Some(by);
    Ok(api)
}

/// The API id and region from `servers[0].url` (OpenAPI 3) or `host` (Swagger 2).
fn endpoint_of(extra: &Map<String, Value>) -> (Option<String>, Option<String>) {
    let host = extra
        .get("servers")
        .and_then(|s| s.get(0))
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .map(|u| {
            let u = u.split_once("://").map_or(u, |(_, rest)| rest);
            u.split('/').next().unwrap_or(u)
        })
        .or_else(|| extra.get("host").and_then(Value::as_str));
    let Some(host) = host else {
        return (None, None);
    };
    let Some((id, rest)) = host.split_once(".execute-api.") else {
        return (None, None);
    };
    let region = rest.split('.').next().filter(|r| !r.is_empty());
    // An id must look like one (`abc123`): a template's `*`, `${api_id}` or `{id}` is not.
    let id = Some(id.to_string())
        .filter(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric()));
    let region = region.filter(|r| r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    (id, region.map(str::to_string))
}
