//! The parts of the SAM transform (`Transform: AWS::Serverless-2016-10-31`) that decide what
//! a browser's requests meet: `AWS::Serverless::Api` and `AWS::Serverless::HttpApi` (explicit,
//! or the implicit `ServerlessRestApi` / `ServerlessHttpApi` that function events create),
//! `Globals.Api` / `Globals.HttpApi`, function `Events` of type `Api` and `HttpApi`, `Cors` /
//! `CorsConfiguration`, `Auth` (`Authorizers`, `DefaultAuthorizer`,
//! `AddDefaultAuthorizerToCorsPreflight`, `ApiKeyRequired`, `AddApiKeyRequiredToCorsPreflight`),
//! `GatewayResponses` and `DefinitionBody`.
//!
//! Each API becomes the OpenAPI document SAM would deploy, in SAM's order: the function
//! events' methods are added to the definition, then `Cors` adds an OPTIONS MOCK method to
//! every path that has none, then `Auth` puts the default authorizer (and the API key) on
//! every method — the generated OPTIONS methods included, unless
//! `AddDefaultAuthorizerToCorsPreflight: false` (resp. `AddApiKeyRequiredToCorsPreflight:
//! false`) — except where an event says `Authorizer: NONE` (resp. `ApiKeyRequired: false`).
//!
//! Sources:
//! - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html>
//! - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-corsconfiguration.html>
//! - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-apiauth.html>
//!   (`AddDefaultAuthorizerToCorsPreflight` and `AddApiKeyRequiredToCorsPreflight` default to true)
//! - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-gatewayresponse.html>
//! - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-httpapi.html>
//! - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-api.html>
//! - <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html>
//! - the translator itself (aws/serverless-application-model, `samtranslator/swagger/swagger.py`
//!   `add_cors`, `set_path_default_authorizer`; `model/api/api_generator.py` `_add_cors`,
//!   `_add_auth`, `_add_gateway_responses`), read for the order and the defaults.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::cfn::{put_gateway_response, put_operation};
use super::intrinsics::{ref_name, scalar_text};
use super::{new_doc, Built, Ctx, TemplateError};

mod auth;
mod cors;
mod http;

use crate::gateway::model::{ApiKind, Element, Stage, Unresolved, DEFAULT_ROUTE};
use auth::apply_auth;
use cors::add_cors;
pub(super) use http::http_apis;

/// The implicit REST API's logical id (SAM's name for it).
pub const IMPLICIT_REST: &str = "ServerlessRestApi";
/// The implicit HTTP API's logical id.
pub const IMPLICIT_HTTP: &str = "ServerlessHttpApi";

/// How an event's `Auth` overrides the API's defaults for its method.
#[derive(Clone, Debug, Default)]
struct EventAuth {
    /// `Some("NONE")`, `Some("AWS_IAM")`, or an authorizer name.
    authorizer: Option<String>,
    scopes: Option<Value>,
    api_key_required: Option<bool>,
}

/// A method a function event adds.
struct EventMethod {
    path: String,
    verb: String,
    function: String,
    /// `Resources.Fn.Properties.Events.E`.
    at: String,
    auth: EventAuth,
    payload_format: Option<Value>,
}

/// The function events of `event_type` (`Api`, `HttpApi`), grouped by the API they attach to
/// (the logical id named by `RestApiId`/`ApiId`, or the implicit API), and the events left out
/// because their path is not known (by API).
type Events = (
    BTreeMap<String, Vec<EventMethod>>,
    Vec<(String, Unresolved)>,
);

fn events(cx: &Ctx, event_type: &str) -> Events {
    let mut skipped: Vec<(String, Unresolved)> = Vec::new();
    let (id_key, implicit) = if event_type == "Api" {
        ("RestApiId", IMPLICIT_REST)
    } else {
        ("ApiId", IMPLICIT_HTTP)
    };
    let mut out: BTreeMap<String, Vec<EventMethod>> = BTreeMap::new();
    for (fid, _) in cx.of_type("AWS::Serverless::Function") {
        let props = cx.props(fid);
        let Some(evs) = props.get("Events").and_then(Value::as_object) else {
            continue;
        };
        for (ename, ev) in evs {
            if ev.get("Type").and_then(Value::as_str) != Some(event_type) {
                continue;
            }
            let p = ev.get("Properties").cloned().unwrap_or(json!({}));
            let api = p
                .get(id_key)
                .and_then(ref_name)
                .unwrap_or(implicit)
                .to_string();
            let at = format!("{}.Properties.Events.{ename}", cx.at(fid));
            let (path, verb) = match (p.get("Path"), p.get("Method").and_then(Value::as_str)) {
                (Some(Value::String(path)), Some(m)) => (path.to_string(), normalize_verb(m)),
                (Some(Value::String(path)), None) => (path.to_string(), "ANY".to_string()),
                // An HttpApi event without a path is the `$default` route.
                (None, _) if event_type == "HttpApi" => {
                    (DEFAULT_ROUTE.to_string(), "ANY".to_string())
                }
                // A path the template does not decide (a parameter without a value): the
                // method is left out, and named.
                (path, _) => {
                    skipped.push((
                        api.clone(),
                        Unresolved::undefined(
                            &format!("{at}.Properties.Path"),
                            "event path (a plain string is needed; pass the parameters it names with --parameter)",
                            &path.map(Value::to_string).unwrap_or_default(),
                        ),
                    ));
                    continue;
                }
            };
            let auth = p
                .get("Auth")
                .map_or_else(EventAuth::default, |a| EventAuth {
                    authorizer: a
                        .get("Authorizer")
                        .and_then(Value::as_str)
                        .map(String::from),
                    scopes: a.get("AuthorizationScopes").cloned(),
                    api_key_required: a.get("ApiKeyRequired").and_then(Value::as_bool),
                });
            out.entry(api).or_default().push(EventMethod {
                path,
                verb,
                function: fid.to_string(),
                at,
                auth,
                payload_format: p.get("PayloadFormatVersion").cloned(),
            });
        }
    }
    (out, skipped)
}

fn normalize_verb(m: &str) -> String {
    let up = m.to_ascii_uppercase();
    if up == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
        "ANY".into()
    } else {
        up
    }
}

/// The Lambda proxy integration SAM writes for a function event.
fn lambda_integration(function: &str, payload_format: Option<&Value>) -> Value {
    let mut i = json!({
        "type": "aws_proxy",
        "httpMethod": "POST",
        "uri": {"Fn::Sub": format!("arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{function}.Arn}}/invocations")},
    });
    if let Some(p) = payload_format {
        i["payloadFormatVersion"] = p.clone();
    }
    i
}

/// `resource` merged over `globals` (objects deeply, the resource's value wins).
fn merged(globals: Option<&Value>, resource: &Value) -> Value {
    match (globals, resource) {
        (Some(Value::Object(g)), Value::Object(r)) => {
            let mut out = g.clone();
            for (k, v) in r {
                let m = merged(out.get(k), v);
                out.insert(k.clone(), m);
            }
            Value::Object(out)
        }
        (_, r) => r.clone(),
    }
}

/// A kind of SAM API: its function event type, resource type and implicit API, and the
/// event property that names an explicit one.
struct SamKind {
    /// `Api` or `HttpApi` (the event type, and the `Globals` section).
    event_type: &'static str,
    resource_type: &'static str,
    implicit: &'static str,
    api_id_property: &'static str,
}

/// How one SAM API is built: its logical id, whether the template declares it (else it is
/// the implicit one its events create), its properties merged with `Globals`, its events.
type BuildApi = fn(&Ctx, &str, bool, &Value, Vec<EventMethod>) -> Result<Built, TemplateError>;

/// Every SAM API of `kind`, explicit or implicit, each built by `build`; an event naming an
/// API the template does not declare is an error at its line.
fn apis_of(cx: &Ctx, kind: &SamKind, build: BuildApi) -> Result<Vec<Built>, TemplateError> {
    let (mut by_api, skipped) = events(cx, kind.event_type);
    let globals = cx.globals(kind.event_type);
    let mut out = Vec::new();
    let mut ids: Vec<(String, bool)> = cx
        .of_type(kind.resource_type)
        .into_iter()
        .map(|(id, _)| (id.to_string(), true))
        .collect();
    if by_api.contains_key(kind.implicit) && !ids.iter().any(|(i, _)| i == kind.implicit) {
        ids.push((kind.implicit.to_string(), false));
    }
    for (id, explicit) in ids {
        let own = if explicit { cx.props(&id) } else { json!({}) };
        let props = merged(globals.as_ref(), &own);
        let events = by_api.remove(&id).unwrap_or_default();
        let mut b = build(cx, &id, explicit, &props, events)?;
        b.unresolved.extend(
            skipped
                .iter()
                .filter(|(a, _)| a == &id)
                .map(|(_, u)| u.clone()),
        );
        out.push(b);
    }
    for (api, evs) in by_api {
        if let Some(e) = evs.first() {
            let at = format!("{}.Properties.{}", e.at, kind.api_id_property);
            return Err(cx.error(
                &at,
                &format!(
                    "{at}: the event names the API {api}, which is not an {} of the template",
                    kind.resource_type
                ),
            ));
        }
    }
    Ok(out)
}

/// Where a SAM API is written and the resource that writes it: its own logical id, or for
/// the implicit API the first function event that creates it.
fn api_location(cx: &Ctx, id: &str, explicit: bool, events: &[EventMethod]) -> (String, String) {
    if explicit {
        (cx.at(id), id.to_string())
    } else {
        events
            .first()
            .map(|e| (e.at.clone(), e.function.clone()))
            .unwrap_or_default()
    }
}

/// Every SAM REST API, explicit or implicit.
pub(super) fn rest_apis(cx: &Ctx) -> Result<Vec<Built>, TemplateError> {
    let kind = SamKind {
        event_type: "Api",
        resource_type: "AWS::Serverless::Api",
        implicit: IMPLICIT_REST,
        api_id_property: "RestApiId",
    };
    apis_of(cx, &kind, rest_api)
}

fn rest_api(
    cx: &Ctx,
    id: &str,
    explicit: bool,
    props: &Value,
    events: Vec<EventMethod>,
) -> Result<Built, TemplateError> {
    let mut b = Built::new(id, "AWS::Serverless::Api", ApiKind::Rest);
    let (api_at, api_resource) = api_location(cx, id, explicit, &events);
    b.source(cx, Element::Api, &api_at, &api_resource);
    let pat = |k: &str| format!("{}.Properties.{k}", cx.at(id));
    let name = props
        .get("Name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    b.doc = match props.get("DefinitionBody") {
        Some(body @ Value::Object(_)) => {
            b.body_at = Some(pat("DefinitionBody"));
            cx.body_sources(&mut b, body, id);
            body.clone()
        }
        _ => {
            let mut d = new_doc(ApiKind::Rest, &name);
            // SAM generates Swagger 2.0 unless OpenApiVersion says 3.
            if !props
                .get("OpenApiVersion")
                .and_then(scalar_text)
                .is_some_and(|v| v.starts_with('3'))
            {
                d = json!({"swagger": "2.0", "info": {"title": name, "version": "1.0"}, "paths": {}});
            }
            d
        }
    };
    super::cfn::set_title(&mut b.doc, props.get("Name"));
    if let Some(uri) = props.get("DefinitionUri") {
        b.unresolved.push(Unresolved::undefined(
            &pat("DefinitionUri"),
            "OpenAPI definition file (DefinitionUri is not read: inline it as DefinitionBody, or pass the file with --openapi)",
            &uri.to_string(),
        ));
    }
    // 1. Function events.
    let mut event_auth: Vec<((String, String), EventAuth)> = Vec::new();
    for e in &events {
        let mut op = json!({
            "responses": {},
            "x-amazon-apigateway-integration": lambda_integration(&e.function, None),
        });
        if e.auth.authorizer.as_deref() == Some("AWS_IAM") {
            op["x-amazon-apigateway-auth"] = json!({"type": "AWS_IAM"});
        }
        put_operation(&mut b.doc, &e.path, &e.verb, op);
        b.source(
            cx,
            Element::Method {
                path: e.path.clone(),
                verb: e.verb.clone(),
            },
            &e.at,
            &e.function,
        );
        if !b.has_source(&Element::Resource {
            path: e.path.clone(),
        }) {
            b.source(
                cx,
                Element::Resource {
                    path: e.path.clone(),
                },
                &e.at,
                &e.function,
            );
        }
        event_auth.push(((e.path.clone(), e.verb.clone()), e.auth.clone()));
    }
    let cors_src = if explicit && cx.has(&pat("Cors")) {
        (pat("Cors"), id.to_string())
    } else {
        ("Globals.Api.Cors".to_string(), api_resource.clone())
    };
    // 2. Cors: an OPTIONS MOCK method on every path without one.
    if let Some(cors) = props.get("Cors") {
        add_cors(cx, &mut b, cors, &cors_src)?;
    }
    // 3. Auth.
    if let Some(auth) = props.get("Auth") {
        let auth_src = |k: &str| {
            let own = format!("{}.Properties.Auth.{k}", cx.at(id));
            if explicit && cx.has(&own) {
                (own, id.to_string())
            } else {
                (format!("Globals.Api.Auth.{k}"), api_resource.clone())
            }
        };
        apply_auth(cx, &mut b, auth, &event_auth, &auth_src);
        // SAM writes the resource policy from `Auth.ResourcePolicy` per event path and method
        // (the methods each path has when its event is read): not modelled, so named.
        if auth.get("ResourcePolicy").is_some() {
            let (at, _) = auth_src("ResourcePolicy");
            b.unresolved.push(Unresolved::not_modelled(
                &at,
                "SAM generates the resource policy from it per event path; check the deployed API (--api-id) or its export (--openapi), which hold the policy itself",
            ));
        }
    } else {
        // Event-level authorizers without an API `Auth` block are refused by SAM; the
        // methods then carry what the events say (AWS_IAM was set above).
    }
    // 4. Gateway responses.
    if let Some(grs) = props.get("GatewayResponses").and_then(Value::as_object) {
        for (ty, gr) in grs {
            let mut out = Map::new();
            if let Some(s) = gr.get("StatusCode") {
                out.insert(
                    "statusCode".into(),
                    scalar_text(s).map_or_else(|| s.clone(), Value::String),
                );
            }
            let mut params = Map::new();
            if let Some(rp) = gr.get("ResponseParameters").and_then(Value::as_object) {
                for (group, prefix) in [
                    ("Headers", "header"),
                    ("Paths", "path"),
                    ("QueryStrings", "querystring"),
                ] {
                    for (k, v) in rp
                        .get(group)
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        params.insert(format!("gatewayresponse.{prefix}.{k}"), v.clone());
                    }
                }
            }
            if !params.is_empty() {
                out.insert("responseParameters".into(), Value::Object(params));
            }
            if let Some(t) = gr.get("ResponseTemplates") {
                out.insert("responseTemplates".into(), t.clone());
            }
            put_gateway_response(&mut b.doc, ty, Value::Object(out));
            let own = format!("{}.Properties.GatewayResponses.{ty}", cx.at(id));
            let (at, res) = if explicit && cx.has(&own) {
                (own, id.to_string())
            } else {
                (
                    format!("Globals.Api.GatewayResponses.{ty}"),
                    api_resource.clone(),
                )
            };
            b.source(
                cx,
                Element::GatewayResponse {
                    response_type: ty.clone(),
                },
                &at,
                &res,
            );
        }
    }
    // 5. The stage (`Prod` for the implicit API).
    let stage = match props.get("StageName") {
        Some(s) => scalar_text(s),
        None if !explicit => Some("Prod".to_string()),
        None => None,
    };
    match stage {
        Some(name) => {
            let at = if explicit {
                pat("StageName")
            } else {
                api_at.clone()
            };
            b.source(
                cx,
                Element::Stage { name: name.clone() },
                &at,
                &api_resource,
            );
            b.stages.push(Stage {
                name,
                throttling: super::cfn::method_settings(props),
                ..Stage::default()
            });
        }
        None => {
            if let Some(s) = props.get("StageName") {
                b.unresolved.push(Unresolved::undefined(
                    &pat("StageName"),
                    "stage name (pass the parameter it names with --parameter)",
                    &s.to_string(),
                ));
            }
        }
    }
    Ok(b)
}

fn is_fn(v: &Value) -> bool {
    crate::gateway::model::intrinsic_name(v).is_some()
}
