//! OpenAPI / Swagger document → [`Api`].
//!
//! Three things real definitions carry are read rather than refused:
//! - local `$ref`s (`{"$ref": "#/components/x-amazon-apigateway-integrations/get"}`, the
//!   form AWS documents for HTTP API integrations) wherever the model reads an object: path
//!   items, operations, responses, integrations and their responses, security schemes,
//!   gateway responses. Chains are followed up to [`MAX_REF_HOPS`]; a cycle, a reference into
//!   another file or to nothing is an error naming the reference.
//! - CloudFormation values (`Fn::Sub`, `Ref`, `Fn::GetAtt` … and YAML short tags) and
//!   template placeholders (`${var}`) become [`Unresolved`] values (see
//!   [`crate::gateway::model::Unresolved`]); the raw value stays in the `extra` map so the
//!   export writes it back.
//! - A security requirement naming a scheme the document does not define is recorded as an
//!   undefined reference (the method's authorization is then unknown), not an error.
//!
//! REST or HTTP is decided from markers only one kind of API accepts ([`decide_kind`]); the
//! marker that decided is kept in [`Api::kind_decided_by`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::source::DefinitionText;
use super::text::PathTexts;
use super::{
    is_sigv4, ImportError, HTTP_METHODS, X_ANY_METHOD, X_API_KEY_SOURCE, X_AUTH, X_AUTHORIZER,
    X_AUTHTYPE, X_CORS, X_GATEWAY_RESPONSES, X_IMPORTEXPORT, X_INTEGRATION,
};
use crate::gateway::model::{
    intrinsic_name, Api, ApiKind, AuthorizationType, Authorizer, AuthorizerKind, CorsConfiguration,
    GatewayResponse, Integration, IntegrationResponse, IntegrationType, JwtConfiguration, Method,
    MethodResponse, Need, Resource, SortedMap, SpecFormat, Unresolved, DEFAULT_ROUTE,
};

/// Longest chain of `$ref`s followed for one value.
pub const MAX_REF_HOPS: usize = 32;

fn err<T>(path: &str, message: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError {
        path: if path.is_empty() {
            "$".into()
        } else {
            path.into()
        },
        message: message.into(),
        line: None,
    })
}

/// What the import carries from value to value: the document (for `$ref`s), the values it
/// could not resolve, and where it is (the route or authorizer being read).
struct Cx<'a> {
    root: &'a Value,
    unresolved: RefCell<Vec<Unresolved>>,
    route: RefCell<Option<(String, String)>>,
    authorizer: RefCell<Option<String>>,
    /// `root` holds no `paths` (they are read one at a time): a `$ref` into them gives
    /// [`NEEDS_PATHS`].
    paths_detached: bool,
}

impl<'a> Cx<'a> {
    fn new(root: &'a Value) -> Self {
        Cx {
            root,
            unresolved: RefCell::new(Vec::new()),
            route: RefCell::new(None),
            authorizer: RefCell::new(None),
            paths_detached: false,
        }
    }

    /// Records an unresolved value; `need` (step, what) when the diagnosis reads it.
    fn note(&self, u: Unresolved, need: Option<(u8, String)>) {
        let u = match need {
            Some((step, what)) => u.needed_by(Need {
                step,
                what,
                route: self.route.borrow().clone(),
                authorizer: self.authorizer.borrow().clone(),
            }),
            None => u,
        };
        self.unresolved.borrow_mut().push(u);
    }

    /// Follows `$ref`s from `v` (written at `path`) to the value they name, with the dotted
    /// path of that value.
    fn follow(&self, v: &'a Value, path: &str) -> Result<(&'a Value, String), ImportError> {
        let mut cur = v;
        let mut cur_path = path.to_string();
        let mut seen: Vec<String> = Vec::new();
        loop {
            let Some(r) = cur.as_object().and_then(|o| o.get("$ref")) else {
                return Ok((cur, cur_path));
            };
            let rp = join(&cur_path, "$ref");
            let Some(r) = r.as_str() else {
                return err(&rp, format!("expected a string, found {}", kind_of(r)));
            };
            let Some(pointer) = r.strip_prefix('#') else {
                return err(&rp, format!("'{r}' points into another file; only references inside this file (#/…) can be read"));
            };
            if seen.iter().any(|s| s == r) {
                seen.push(r.to_string());
                return err(
                    &rp,
                    format!("the references form a cycle: {}", seen.join(" → ")),
                );
            }
            seen.push(r.to_string());
            if seen.len() > MAX_REF_HOPS {
                return err(
                    &rp,
                    format!("more than {MAX_REF_HOPS} references in a chain"),
                );
            }
            if self.paths_detached
                && (pointer.is_empty() || pointer == "/paths" || pointer.starts_with("/paths/"))
            {
                return err("$", NEEDS_PATHS);
            }
            cur = match self.root.pointer(pointer) {
                Some(target) => target,
                None => return err(&rp, format!("'{r}' points to nothing in this file")),
            };
            cur_path = pointer
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| s.replace("~1", "/").replace("~0", "~"))
                .collect::<Vec<_>>()
                .join(".");
        }
    }

    /// `follow`, then the object there.
    fn object(
        &self,
        v: &'a Value,
        path: &str,
    ) -> Result<(&'a Map<String, Value>, String), ImportError> {
        let (v, p) = self.follow(v, path)?;
        Ok((as_obj(v, &p)?, p))
    }

    /// A string field: a string, or (kept raw in `extra` under `key`) a CloudFormation value.
    /// `need` says what the diagnosis reads it for; a needed string holding a template
    /// placeholder is recorded too (its text is kept).
    fn text(
        &self,
        v: &Value,
        path: &str,
        key: &str,
        extra: &mut Map<String, Value>,
        need: Option<(u8, String)>,
    ) -> Result<Option<String>, ImportError> {
        match v {
            Value::String(s) => {
                if let (Some(need), Some(u)) = (&need, Unresolved::placeholder(path, s)) {
                    self.note(u, Some(need.clone()));
                }
                Ok(Some(s.clone()))
            }
            _ => match Unresolved::intrinsic(path, v) {
                Some(u) => {
                    self.note(u, need);
                    extra.insert(key.to_string(), v.clone());
                    Ok(None)
                }
                None => err(path, format!("expected a string, found {}", kind_of(v))),
            },
        }
    }

    /// A string list whose items (or the whole list) may be CloudFormation values; those are
    /// left out of the list, and the raw list is kept in `extra` under `key`.
    fn text_list(
        &self,
        v: &Value,
        path: &str,
        key: &str,
        extra: &mut Map<String, Value>,
        need: Option<(u8, String)>,
    ) -> Result<Vec<String>, ImportError> {
        if let Some(u) = Unresolved::intrinsic(path, v) {
            self.note(u, need);
            extra.insert(key.to_string(), v.clone());
            return Ok(Vec::new());
        }
        let Value::Array(items) = v else {
            return err(path, format!("expected an array, found {}", kind_of(v)));
        };
        let mut out = Vec::new();
        let mut raw_kept = false;
        for (i, item) in items.iter().enumerate() {
            let ip = format!("{path}[{i}]");
            match item {
                Value::String(s) => {
                    if let (Some(need), Some(u)) = (&need, Unresolved::placeholder(&ip, s)) {
                        self.note(u, Some(need.clone()));
                    }
                    out.push(s.clone());
                }
                _ => match Unresolved::intrinsic(&ip, item) {
                    Some(u) => {
                        self.note(u, need.clone());
                        if !raw_kept {
                            extra.insert(key.to_string(), v.clone());
                            raw_kept = true;
                        }
                    }
                    None => return err(&ip, format!("expected a string, found {}", kind_of(item))),
                },
            }
        }
        Ok(out)
    }

    /// A map of strings (`responseParameters` …); CloudFormation values are left out of the
    /// map, and the raw map is kept in `extra` under `key`. `need_of(k)` says whether the
    /// diagnosis reads the value of key `k`.
    fn text_map(
        &self,
        v: &Value,
        path: &str,
        key: &str,
        extra: &mut Map<String, Value>,
        need_of: &dyn Fn(&str) -> Option<(u8, String)>,
    ) -> Result<SortedMap<String, String>, ImportError> {
        let mut out = BTreeMap::new();
        let mut raw_kept = false;
        for (k, item) in as_obj(v, path)? {
            let kp = join(path, k);
            match item {
                // A null template (the console writes them); the caller keeps it.
                Value::Null => {}
                Value::String(s) => {
                    if let (Some(need), Some(u)) = (need_of(k), Unresolved::placeholder(&kp, s)) {
                        self.note(u, Some(need));
                    }
                    out.insert(k.clone(), s.clone());
                }
                _ => match Unresolved::intrinsic(&kp, item) {
                    Some(u) => {
                        self.note(u, need_of(k));
                        if !raw_kept {
                            extra.insert(key.to_string(), v.clone());
                            raw_kept = true;
                        }
                    }
                    None => return err(&kp, format!("expected a string, found {}", kind_of(item))),
                },
            }
        }
        Ok(out.into_iter().collect())
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ImportError> {
    v.as_object().map_or_else(
        || err(path, format!("expected an object, found {}", kind_of(v))),
        Ok,
    )
}

fn as_string(v: &Value, path: &str) -> Result<String, ImportError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => err(path, format!("expected a string, found {}", kind_of(other))),
    }
}

/// A string, or a number written where AWS writes a string (`statusCode`).
fn as_code(v: &Value, path: &str) -> Result<String, ImportError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => err(path, format!("expected a string, found {}", kind_of(other))),
    }
}

fn string_list(v: &Value, path: &str) -> Result<Vec<String>, ImportError> {
    let Value::Array(items) = v else {
        return err(path, format!("expected an array, found {}", kind_of(v)));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| as_string(item, &format!("{path}[{i}]")))
        .collect()
}

/// Content type → template, where a template may be null (the console writes that).
fn template_map(v: &Value, path: &str) -> Result<SortedMap<String, Option<String>>, ImportError> {
    as_obj(v, path)?
        .iter()
        .map(|(k, v)| {
            let t = match v {
                Value::Null => None,
                other => Some(as_string(other, &join(path, k))?),
            };
            Ok((k.clone(), t))
        })
        .collect()
}

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

/// A [`DefinitionText`] that could not give the text: the document as a whole is at fault.
fn source_error(message: String) -> ImportError {
    ImportError {
        path: "$".into(),
        message,
        line: None,
    }
}

/// JSON path items: each path and the byte range of its item in the text, in document order.
type ItemRanges = Vec<(String, Range<usize>)>;

/// The path items of a split document, in document order.
enum Items {
    /// JSON: each path and the byte range of its item in the text.
    Json(ItemRanges),
    /// YAML: each path and its item as compact JSON text.
    Yaml(PathTexts),
}

/// The import of the text one path item at a time, or `None` when the document must be read
/// as one tree (its JSON is not valid, or a `$ref` points into `paths`).
fn import_split_text(
    src: &mut dyn DefinitionText,
    kind: Option<ApiKind>,
) -> Option<Result<Api, ImportError>> {
    let (doc, items) = {
        let text = match src.whole() {
            Ok(text) => text,
            Err(e) => return Some(Err(source_error(e))),
        };
        if is_json(&text) {
            let (doc, ranges) = split_json(&text)?;
            (doc, Items::Json(ranges))
        } else {
            match super::text::parse_yaml_split(&text) {
                Err(e) => return Some(Err(e)),
                Ok((doc, None)) => return Some(import_as(&doc, kind)),
                Ok((doc, Some(paths))) => (doc, Items::Yaml(paths)),
            }
        }
        // The text is dropped here: the items are read again one at a time.
    };
    let result = match items {
        Items::Json(ranges) => {
            let mut items = ranges.into_iter().map(|(path, range)| {
                let text = src.range(range).map_err(source_error)?;
                Ok((path, text.into_owned()))
            });
            import_split(&doc, Some(&mut items), kind)
        }
        Items::Yaml(texts) => {
            let mut items = texts.into_iter().map(Ok);
            import_split(&doc, Some(&mut items), kind)
        }
    };
    match result {
        Err(e) if e.message == NEEDS_PATHS => None,
        other => Some(other),
    }
}

/// JSON is recognized by its first character, as [`super::text::parse`] does.
fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// The error the split import gives when a `$ref` points into `paths` (which it does not
/// hold as a tree): the whole document is then read as one tree.
const NEEDS_PATHS: &str = "\u{0}a reference into paths";

/// Path items handed to the split import one at a time: each path and its item as JSON
/// text, in document order.
type PathItems<'a> = dyn ExactSizeIterator<Item = Result<(String, String), ImportError>> + 'a;

/// A JSON document read as its top level without `paths` (left as `null`, in its place) and
/// the byte range in `text` of each path item. `None` when the text is not JSON (YAML), is
/// not valid, or its `paths` is not an object: the tree import then reads it and says what
/// is wrong.
fn split_json(text: &str) -> Option<(Value, ItemRanges)> {
    let body = text.trim_start_matches('\u{feff}');
    let top: Top<'_> = serde_json::from_str(body).ok()?;
    let paths = match top.paths {
        Some(raw) => serde_json::from_str::<Paths<'_>>(raw.get()).ok()?.0,
        None => Vec::new(),
    };
    // Each item is a slice of `text`: its range is where the slice starts, relative to `text`.
    let base = text.as_ptr() as usize;
    let ranges = paths
        .into_iter()
        .map(|(path, item)| {
            let start = item.as_ptr() as usize - base;
            (path, start..start + item.len())
        })
        .collect();
    Some((Value::Object(top.rest), ranges))
}

/// The top level of a document with `paths` kept as text.
struct Top<'a> {
    rest: Map<String, Value>,
    paths: Option<&'a RawValue>,
}

impl<'de> serde::Deserialize<'de> for Top<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Top<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Top<'de>, A::Error> {
                let mut top = Top {
                    rest: Map::new(),
                    paths: None,
                };
                while let Some(k) = map.next_key::<String>()? {
                    if k == "paths" {
                        top.paths = Some(map.next_value()?);
                        // Its place among the keys, as a tree would have it.
                        top.rest.insert(k, Value::Null);
                    } else {
                        let v: Value = map.next_value()?;
                        top.rest.insert(k, v);
                    }
                }
                Ok(top)
            }
        }
        d.deserialize_map(V)
    }
}

/// `paths` as (path, text of its item); a repeated path keeps its first place and last
/// value, as a `serde_json::Map` does.
struct Paths<'a>(Vec<(String, &'a str)>);

impl<'de> serde::Deserialize<'de> for Paths<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Paths<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Paths<'de>, A::Error> {
                let mut out: Vec<(String, &'de str)> = Vec::new();
                let mut seen: std::collections::HashMap<String, usize> =
                    std::collections::HashMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v: &'de RawValue = map.next_value()?;
                    match seen.get(&k) {
                        Some(&i) => out[i].1 = v.get(),
                        None => {
                            seen.insert(k.clone(), out.len());
                            out.push((k, v.get()));
                        }
                    }
                }
                Ok(Paths(out))
            }
        }
        d.deserialize_map(V)
    }
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

/// A marker only one kind of API accepts.
struct Marker {
    kind: ApiKind,
    /// Only the first marker of a category is kept, so a large API costs no more.
    category: &'static str,
    what: String,
}

/// REST or HTTP, and what decided it.
///
/// Decisive markers, from the import rules of each kind
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html,
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html,
/// whose pages list each extension's API kind):
/// - HTTP only: `x-amazon-apigateway-cors`, `x-amazon-apigateway-importexport-version`, the
///   `$default` route / `isDefaultRoute`, JWT authorizers, `authorizerPayloadFormatVersion` /
///   `enableSimpleResponses`, `payloadFormatVersion: 2.0` (the 2.0 event format exists only for
///   HTTP APIs).
/// - REST only: `x-amazon-apigateway-gateway-responses`, `…-api-key-source`,
///   `…-binary-media-types`, `…-request-validators`, `…-policy`, `…-documentation`,
///   `…-minimum-compression-size`; MOCK, HTTP and AWS (non-proxy) integrations; integration
///   `responses` and `requestTemplates`; TOKEN and Cognito authorizers; API keys.
///
/// Not decisive: `payloadFormatVersion: 1.0` (REST bodies written for Terraform carry it) and
/// server URLs (both kinds export `https://{id}.execute-api.{region}.amazonaws.com/{basePath}`).
/// Markers of both kinds: the document-level one found first wins and the conflict is named.
/// No marker: REST (what `get-export` and most SAM/Serverless bodies are), said as such.
fn decide_kind(api: &Api, root: &Map<String, Value>) -> (ApiKind, String) {
    let mut markers: Vec<Marker> = Vec::new();
    let mut mark = |kind: ApiKind, category: &'static str, what: String| {
        if !markers.iter().any(|m| m.category == category) {
            markers.push(Marker {
                kind,
                category,
                what,
            });
        }
    };
    let only = |k: ApiKind| match k {
        ApiKind::Http => "HTTP APIs only",
        ApiKind::Rest => "REST APIs only",
    };
    // Document level first: they are the most deliberate.
    for (key, kind) in [
        (X_IMPORTEXPORT, ApiKind::Http),
        (X_CORS, ApiKind::Http),
        (X_GATEWAY_RESPONSES, ApiKind::Rest),
        (X_API_KEY_SOURCE, ApiKind::Rest),
        ("x-amazon-apigateway-binary-media-types", ApiKind::Rest),
        ("x-amazon-apigateway-request-validators", ApiKind::Rest),
        ("x-amazon-apigateway-policy", ApiKind::Rest),
        ("x-amazon-apigateway-documentation", ApiKind::Rest),
        (
            "x-amazon-apigateway-minimum-compression-size",
            ApiKind::Rest,
        ),
    ] {
        if root.contains_key(key) {
            mark(kind, key, format!("{key} ({})", only(kind)));
        }
    }
    for a in &api.authorizers {
        match a.kind {
            AuthorizerKind::Jwt => mark(
                ApiKind::Http,
                "jwt",
                format!("the JWT authorizer '{}' (HTTP APIs only)", a.name),
            ),
            AuthorizerKind::Token => mark(
                ApiKind::Rest,
                "token",
                format!("the TOKEN authorizer '{}' (REST APIs only)", a.name),
            ),
            AuthorizerKind::CognitoUserPools => mark(
                ApiKind::Rest,
                "cognito",
                format!("the Cognito authorizer '{}' (REST APIs only)", a.name),
            ),
            AuthorizerKind::Request => {}
        }
        for key in ["authorizerPayloadFormatVersion", "enableSimpleResponses"] {
            if a.extra.contains_key(key) {
                mark(
                    ApiKind::Http,
                    key,
                    format!("{key} on the authorizer '{}' (HTTP APIs only)", a.name),
                );
            }
        }
    }
    for (name, scheme) in &api.other_security_schemes {
        if scheme.get("type").and_then(Value::as_str) == Some("apiKey") && !is_sigv4(scheme) {
            mark(
                ApiKind::Rest,
                "api-key",
                format!("the API key scheme '{name}' (REST APIs only)"),
            );
        }
    }
    for r in &api.resources {
        if r.path == DEFAULT_ROUTE {
            mark(
                ApiKind::Http,
                "$default",
                "the $default route (HTTP APIs only)".into(),
            );
        }
        for m in &r.methods {
            if m.extra.get("isDefaultRoute").and_then(Value::as_bool) == Some(true) {
                mark(
                    ApiKind::Http,
                    "isDefaultRoute",
                    "isDefaultRoute (HTTP APIs only)".into(),
                );
            }
            let Some(i) = &m.integration else { continue };
            let route = format!("{} {}", m.http_method, r.path);
            match i.kind {
                IntegrationType::Mock | IntegrationType::Http | IntegrationType::Aws => mark(
                    ApiKind::Rest,
                    "non-proxy",
                    format!(
                        "the {} integration of {route} (REST APIs only)",
                        i.kind.as_str()
                    ),
                ),
                IntegrationType::AwsProxy | IntegrationType::HttpProxy => {}
            }
            if !i.responses.is_empty() {
                mark(
                    ApiKind::Rest,
                    "responses",
                    format!("integration responses on {route} (REST APIs only)"),
                );
            }
            if !i.request_templates.is_empty() {
                mark(
                    ApiKind::Rest,
                    "templates",
                    format!("request templates on {route} (REST APIs only)"),
                );
            }
            if i.payload_format_version.as_deref() == Some("2.0") {
                mark(
                    ApiKind::Http,
                    "payload-2.0",
                    format!("payloadFormatVersion 2.0 on {route} (HTTP APIs only)"),
                );
            }
        }
    }
    let Some(first) = markers.first() else {
        let weak = api.resources.iter().any(|r| {
            r.methods.iter().any(|m| {
                m.integration
                    .as_ref()
                    .is_some_and(|i| i.payload_format_version.is_some())
            })
        });
        let note = if weak {
            "no marker only one kind of API accepts (payloadFormatVersion 1.0 is legal in both): REST assumed; use --kind http if it is an HTTP API"
        } else {
            "no marker only one kind of API accepts: REST assumed; use --kind http if it is an HTTP API"
        };
        return (ApiKind::Rest, note.to_string());
    };
    let other: Vec<&str> = markers
        .iter()
        .filter(|m| m.kind != first.kind)
        .map(|m| m.what.as_str())
        .collect();
    let by = if other.is_empty() {
        first.what.clone()
    } else {
        format!(
            "{}, although {} says otherwise (use --kind to choose)",
            first.what,
            other.join(", ")
        )
    };
    (first.kind, by)
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

fn import_schemes(cx: &Cx, api: &mut Api, v: &Value, path: &str) -> Result<(), ImportError> {
    let (schemes, path) = cx.object(v, path)?;
    for (name, scheme) in schemes {
        let (scheme, p) = cx.object(scheme, &join(&path, name))?;
        let Some(auth) = scheme.get(X_AUTHORIZER) else {
            api.other_security_schemes
                .push((name.clone(), scheme.clone()));
            continue;
        };
        let (auth, ap) = cx.object(auth, &join(&p, X_AUTHORIZER))?;
        let authtype = scheme
            .get(X_AUTHTYPE)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let kind = match auth.get("type") {
            Some(t) => {
                let t = as_string(t, &join(&ap, "type"))?;
                AuthorizerKind::parse(&t).map_or_else(
                    || err(&join(&ap, "type"), format!("unknown authorizer type '{t}' (expected token, request, cognito_user_pools or jwt)")),
                    Ok,
                )?
            }
            None if authtype == "cognito_user_pools" => AuthorizerKind::CognitoUserPools,
            None => AuthorizerKind::Token,
        };
        let mut a = Authorizer {
            name: name.clone(),
            id: None,
            kind,
            identity_source: None,
            authorizer_uri: None,
            provider_arns: Vec::new(),
            jwt: None,
            result_ttl_seconds: None,
            identity_validation_expression: None,
            extra: Map::new(),
            scheme: scheme
                .iter()
                .filter(|(k, _)| k.as_str() != X_AUTHORIZER)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        *cx.authorizer.borrow_mut() = Some(name.clone());
        let needed = |what: &str| Some((4, format!("the {what} of the authorizer '{name}'")));
        for (k, v) in auth {
            let kp = join(&ap, k);
            match k.as_str() {
                "type" => {}
                "identitySource" => {
                    a.identity_source =
                        cx.text(v, &kp, k, &mut a.extra, needed("identity source"))?
                }
                "authorizerUri" => a.authorizer_uri = cx.text(v, &kp, k, &mut a.extra, None)?,
                "providerARNs" => a.provider_arns = cx.text_list(v, &kp, k, &mut a.extra, None)?,
                "identityValidationExpression" => {
                    a.identity_validation_expression = cx.text(
                        v,
                        &kp,
                        k,
                        &mut a.extra,
                        needed("token validation expression"),
                    )?
                }
                "authorizerResultTtlInSeconds" if intrinsic_name(v).is_some() => {
                    cx.text(v, &kp, k, &mut a.extra, None)?;
                }
                "authorizerResultTtlInSeconds" => {
                    a.result_ttl_seconds = Some(v.as_i64().map_or_else(
                        || err(&kp, format!("expected an integer, found {}", kind_of(v))),
                        Ok,
                    )?)
                }
                "jwtConfiguration" => {
                    let j = as_obj(v, &kp)?;
                    let mut jwt = JwtConfiguration::default();
                    let mut raw = Map::new();
                    for (jk, jv) in j {
                        let jp = join(&kp, jk);
                        match jk.as_str() {
                            "issuer" => jwt.issuer = cx.text(jv, &jp, jk, &mut raw, None)?,
                            "audience" => {
                                jwt.audience = cx.text_list(jv, &jp, jk, &mut raw, None)?
                            }
                            _ => {
                                return err(
                                    &jp,
                                    "unknown field of jwtConfiguration (expected issuer, audience)",
                                )
                            }
                        }
                    }
                    if !raw.is_empty() {
                        // Written back as the document had it.
                        a.extra.insert(k.clone(), v.clone());
                    }
                    a.jwt = Some(jwt);
                }
                _ => {
                    a.extra.insert(k.clone(), v.clone());
                }
            }
        }
        *cx.authorizer.borrow_mut() = None;
        api.authorizers.push(a);
    }
    Ok(())
}

fn import_path_item(
    cx: &Cx,
    api: &Api,
    path: &str,
    item: &Value,
    p: &str,
) -> Result<Resource, ImportError> {
    let (item, p) = cx.object(item, p)?;
    let mut resource = Resource {
        path: if path == "/$default" {
            DEFAULT_ROUTE.to_string()
        } else {
            path.to_string()
        },
        ..Default::default()
    };
    for (k, v) in item {
        let verb = if k == X_ANY_METHOD {
            Some("ANY".to_string())
        } else if HTTP_METHODS.contains(&k.as_str()) {
            Some(k.to_ascii_uppercase())
        } else {
            None
        };
        match verb {
            Some(verb) => {
                *cx.route.borrow_mut() = Some((resource.path.clone(), verb.clone()));
                let m = import_operation(cx, api, verb, v, &join(&p, k));
                *cx.route.borrow_mut() = None;
                resource.methods.push(m?);
            }
            None => {
                resource.extra.insert(k.clone(), v.clone());
            }
        }
    }
    // Vectors sized to what they hold: a large API has hundreds of thousands of them.
    resource.methods.shrink_to_fit();
    Ok(resource)
}

fn import_operation(
    cx: &Cx,
    api: &Api,
    verb: String,
    op: &Value,
    p: &str,
) -> Result<Method, ImportError> {
    let (op, p) = cx.object(op, p)?;
    let mut m = Method {
        http_method: verb,
        ..Default::default()
    };
    for (k, v) in op {
        let kp = join(&p, k);
        match k.as_str() {
            "responses" => {
                let (responses, kp) = cx.object(v, &kp)?;
                for (status, resp) in responses {
                    let (resp, rp) = cx.object(resp, &join(&kp, status))?;
                    let mut mr = MethodResponse {
                        status_code: status.clone(),
                        ..Default::default()
                    };
                    // Sized to what it keeps: there is one per method response.
                    let mut raw =
                        Map::with_capacity(resp.keys().filter(|k| *k != "headers").count());
                    for (rk, rv) in resp {
                        if rk == "headers" {
                            mr.headers = cx.object(rv, &join(&rp, rk))?.0.keys().cloned().collect();
                        } else {
                            raw.insert(rk.clone(), rv.clone());
                        }
                    }
                    mr.extra = raw.into();
                    m.responses.push(mr);
                }
                m.responses.shrink_to_fit();
            }
            "security" => {
                let Value::Array(reqs) = v else {
                    return err(&kp, format!("expected an array, found {}", kind_of(v)));
                };
                let mut undefined = false;
                for (i, req) in reqs.iter().enumerate() {
                    let ip = format!("{kp}[{i}]");
                    for (name, scopes) in as_obj(req, &ip)? {
                        undefined |=
                            !apply_security(cx, api, &mut m, name, scopes, &join(&ip, name))?;
                    }
                }
                // A requirement naming an undefined scheme is kept as written (the export
                // would otherwise lose it).
                if undefined {
                    m.extra.insert(k.clone(), v.clone());
                }
            }
            X_AUTH => {
                let (auth, ap) = cx.object(v, &kp)?;
                let tp = join(&ap, "type");
                match auth.get("type") {
                    Some(t) if intrinsic_name(t).is_some() => {
                        let mut ignored = Map::new();
                        cx.text(
                            t,
                            &tp,
                            "type",
                            &mut ignored,
                            Some((
                                4,
                                format!(
                                    "the authorization type of {} {}",
                                    m.http_method,
                                    route_path(cx)
                                ),
                            )),
                        )?;
                        m.extra.insert(k.clone(), v.clone());
                    }
                    t => match t
                        .and_then(Value::as_str)
                        .map(str::to_ascii_uppercase)
                        .as_deref()
                    {
                        Some("AWS_IAM") => m.authorization = AuthorizationType::AwsIam,
                        Some("NONE") => {}
                        _ => return err(&tp, "expected AWS_IAM or NONE"),
                    },
                }
            }
            X_INTEGRATION => m.integration = Some(import_integration(cx, v, &kp)?),
            _ => {
                m.extra.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(m)
}

/// The path of the route being read, for messages.
fn route_path(cx: &Cx) -> String {
    cx.route
        .borrow()
        .as_ref()
        .map(|(p, _)| p.clone())
        .unwrap_or_default()
}

fn apply_security(
    cx: &Cx,
    api: &Api,
    m: &mut Method,
    name: &str,
    scopes: &Value,
    p: &str,
) -> Result<bool, ImportError> {
    let scopes = string_list(scopes, p)?;
    if let Some(a) = api.authorizer(name) {
        m.authorization = a.kind.authorization_type();
        m.authorizer = Some(name.to_string());
        m.authorization_scopes = scopes;
        return Ok(true);
    }
    let Some((_, scheme)) = api.other_security_schemes.iter().find(|(n, _)| n == name) else {
        // Docs silent on what API Gateway does with an undefined scheme at import (it refuses
        // the import). Offline the method's authorization is unknown: say so, read the rest.
        let what = format!("the authorization of {} {}", m.http_method, route_path(cx));
        cx.note(
            Unresolved::undefined(p, "security scheme", name),
            Some((4, what)),
        );
        return Ok(false);
    };
    if is_sigv4(scheme) {
        m.authorization = AuthorizationType::AwsIam;
    } else if scheme.get("type").and_then(Value::as_str) == Some("apiKey") {
        m.api_key_required = true;
    } else {
        return err(
            p,
            format!("security scheme '{name}' is neither an authorizer, sigv4 nor an API key"),
        );
    }
    Ok(true)
}

/// Whether the diagnosis reads an integration/gateway response parameter: the CORS headers.
fn cors_parameter(key: &str) -> bool {
    key.rsplit('.')
        .next()
        .is_some_and(|h| h.len() > 15 && h[..15].eq_ignore_ascii_case("access-control-"))
}

fn import_integration(cx: &Cx, v: &Value, p: &str) -> Result<Integration, ImportError> {
    let (obj, p) = cx.object(v, p)?;
    let tp = join(&p, "type");
    let Some(t) = obj.get("type") else {
        return err(
            &p,
            "missing `type` (mock, aws_proxy, http_proxy, http or aws)",
        );
    };
    if let Some(f) = intrinsic_name(t) {
        return err(&tp, format!("the integration type is a CloudFormation {f} value; cors-doctor needs it written out (mock, aws_proxy, http_proxy, http or aws)"));
    }
    let t = as_string(t, &tp)?;
    let kind = IntegrationType::parse(&t).map_or_else(
        || err(&tp, format!("unknown integration type '{t}' (expected mock, aws_proxy, http_proxy, http or aws)")),
        Ok,
    )?;
    let mut i = Integration::new(kind);
    let verb = cx.route.borrow().as_ref().map(|(_, v)| v.clone());
    let route = format!("{} {}", verb.as_deref().unwrap_or("?"), route_path(cx));
    let mut extra = Map::new();
    for (k, v) in obj {
        let kp = join(&p, k);
        match k.as_str() {
            "type" => {}
            "httpMethod" => i.http_method = cx.text(v, &kp, k, &mut extra, None)?,
            "uri" => i.uri = cx.text(v, &kp, k, &mut extra, None)?,
            "requestTemplates" => {
                let needed = kind == IntegrationType::Mock;
                let what = format!("the MOCK request template of {route}");
                let step = if verb.as_deref() == Some("OPTIONS") {
                    3
                } else {
                    5
                };
                let map = cx.text_map(v, &kp, k, &mut extra, &|_| {
                    needed.then(|| (step, what.clone()))
                })?;
                // Null templates (the console writes them) are kept as null.
                let nulls = as_obj(v, &kp)?
                    .iter()
                    .filter(|(_, tv)| tv.is_null())
                    .map(|(tk, _)| (tk.clone(), None));
                i.request_templates = map
                    .into_iter()
                    .map(|(k, v)| (k, Some(v)))
                    .chain(nulls)
                    .collect();
            }
            "requestParameters" => {
                i.request_parameters = cx.text_map(v, &kp, k, &mut extra, &|_| None)?
            }
            "passthroughBehavior" => {
                i.passthrough_behavior = cx.text(v, &kp, k, &mut extra, None)?
            }
            "payloadFormatVersion" if intrinsic_name(v).is_some() => {
                cx.text(v, &kp, k, &mut extra, None)?;
            }
            "payloadFormatVersion" => i.payload_format_version = Some(as_code(v, &kp)?),
            "responses" => {
                let (responses, kp) = cx.object(v, &kp)?;
                for (pattern, r) in responses {
                    let (r, rp) = cx.object(r, &join(&kp, pattern))?;
                    let mut ir = IntegrationResponse {
                        selection_pattern: pattern.clone(),
                        ..Default::default()
                    };
                    let mut raw = Map::new();
                    for (rk, rv) in r {
                        let rkp = join(&rp, rk);
                        match rk.as_str() {
                            "statusCode" if intrinsic_name(rv).is_some() => {
                                let what = format!(
                                    "the status code of {route}'s integration response '{pattern}'"
                                );
                                cx.text(rv, &rkp, rk, &mut raw, Some((5, what)))?;
                                ir.status_code = "?".into();
                            }
                            "statusCode" => ir.status_code = as_code(rv, &rkp)?,
                            "responseParameters" => {
                                ir.response_parameters =
                                    cx.text_map(rv, &rkp, rk, &mut raw, &|key| {
                                        cors_parameter(key).then(|| {
                                            (
                                                5,
                                                format!(
                                                    "the {} mapping of {route}",
                                                    key.rsplit('.').next().unwrap_or(key)
                                                ),
                                            )
                                        })
                                    })?
                            }
                            "responseTemplates" => ir.response_templates = template_map(rv, &rkp)?,
                            _ => {
                                raw.insert(rk.clone(), rv.clone());
                            }
                        }
                    }
                    ir.extra = raw.into();
                    if ir.status_code.is_empty() {
                        return err(&rp, "missing `statusCode`");
                    }
                    i.responses.push(ir);
                }
                i.responses.shrink_to_fit();
            }
            _ => {
                extra.insert(k.clone(), v.clone());
            }
        }
    }
    i.extra = extra.into();
    Ok(i)
}

fn import_gateway_response(
    cx: &Cx,
    ty: &str,
    v: &Value,
    p: &str,
) -> Result<GatewayResponse, ImportError> {
    let mut g = GatewayResponse {
        response_type: ty.to_string(),
        ..Default::default()
    };
    let (obj, p) = cx.object(v, p)?;
    let mut raw = Map::new();
    for (k, v) in obj {
        let kp = join(&p, k);
        match k.as_str() {
            "statusCode" if intrinsic_name(v).is_some() => {
                cx.text(
                    v,
                    &kp,
                    k,
                    &mut raw,
                    Some((6, format!("the status code of the {ty} gateway response"))),
                )?;
            }
            "statusCode" => g.status_code = Some(as_code(v, &kp)?),
            "responseParameters" => {
                g.response_parameters = cx.text_map(v, &kp, k, &mut raw, &|key| {
                    cors_parameter(key).then(|| {
                        (
                            6,
                            format!(
                                "the {} of the {ty} gateway response",
                                key.rsplit('.').next().unwrap_or(key)
                            ),
                        )
                    })
                })?
            }
            "responseTemplates" => g.response_templates = template_map(v, &kp)?,
            _ => {
                raw.insert(k.clone(), v.clone());
            }
        }
    }
    g.extra.extend(raw);
    Ok(g)
}

fn import_cors(
    cx: &Cx,
    v: &Value,
    p: &str,
    api_extra: &mut Map<String, Value>,
) -> Result<CorsConfiguration, ImportError> {
    let mut c = CorsConfiguration::default();
    // A CloudFormation value anywhere in the configuration: the whole object is written back.
    let mut raw = Map::new();
    let need = |what: &str| Some((5, format!("the cors_configuration's {what}")));
    for (k, v) in as_obj(v, p)? {
        let kp = join(p, k);
        match k.as_str() {
            "allowOrigins" => c.allow_origins = cx.text_list(v, &kp, k, &mut raw, need(k))?,
            "allowMethods" => c.allow_methods = cx.text_list(v, &kp, k, &mut raw, need(k))?,
            "allowHeaders" => c.allow_headers = cx.text_list(v, &kp, k, &mut raw, need(k))?,
            "exposeHeaders" => c.expose_headers = cx.text_list(v, &kp, k, &mut raw, need(k))?,
            "maxAge" | "allowCredentials" if intrinsic_name(v).is_some() => {
                cx.text(v, &kp, k, &mut raw, need(k))?;
            }
            "maxAge" => {
                c.max_age = Some(v.as_i64().map_or_else(
                    || err(&kp, format!("expected an integer, found {}", kind_of(v))),
                    Ok,
                )?)
            }
            "allowCredentials" => {
                c.allow_credentials = Some(v.as_bool().map_or_else(
                    || err(&kp, format!("expected a boolean, found {}", kind_of(v))),
                    Ok,
                )?)
            }
            _ => return err(&kp, "unknown field of x-amazon-apigateway-cors (expected allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials)"),
        }
    }
    if !raw.is_empty() {
        // Docs: x-amazon-apigateway-cors; written back raw so the export keeps the values.
        if let Ok(original) = serde_json::to_value(as_obj(v, p)?) {
            api_extra.insert(X_CORS.to_string(), original);
        }
    }
    Ok(c)
}
