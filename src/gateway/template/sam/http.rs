//! SAM's HTTP APIs (`AWS::Serverless::HttpApi`, explicit or the implicit `ServerlessHttpApi`).

use serde_json::{json, Value};

use super::{
    api_location, apis_of, is_fn, lambda_integration, EventMethod, SamKind, IMPLICIT_HTTP,
};
use crate::gateway::model::{ApiKind, Element, Stage, DEFAULT_ROUTE, DEFAULT_STAGE};
use crate::gateway::template::cfn::{ensure_path, http_cors, put_operation};
use crate::gateway::template::intrinsics::scalar_text;
use crate::gateway::template::{add_scheme, new_doc, Built, Ctx, TemplateError};

/// Every SAM HTTP API, explicit or implicit.
pub(in crate::gateway::template) fn http_apis(cx: &Ctx) -> Result<Vec<Built>, TemplateError> {
    let kind = SamKind {
        event_type: "HttpApi",
        resource_type: "AWS::Serverless::HttpApi",
        implicit: IMPLICIT_HTTP,
        api_id_property: "ApiId",
    };
    apis_of(cx, &kind, http_api)
}

fn http_api(
    cx: &Ctx,
    id: &str,
    explicit: bool,
    props: &Value,
    events: Vec<EventMethod>,
) -> Result<Built, TemplateError> {
    let mut b = Built::new(id, "AWS::Serverless::HttpApi", ApiKind::Http);
    let (api_at, api_resource) = api_location(cx, id, explicit, &events);
    b.source(cx, Element::Api, &api_at, &api_resource);
    let pat = |k: &str| format!("{}.Properties.{k}", cx.at(id));
    b.doc = match props.get("DefinitionBody") {
        Some(body @ Value::Object(_)) => {
            b.body_at = Some(pat("DefinitionBody"));
            cx.body_sources(&mut b, body, id);
            body.clone()
        }
        _ => new_doc(ApiKind::Http, ""),
    };
    crate::gateway::template::cfn::set_title(&mut b.doc, props.get("Name"));
    let auth = props.get("Auth").cloned().unwrap_or(json!({}));
    let mut names: Vec<String> = Vec::new();
    for (name, a) in auth
        .get("Authorizers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let scheme = if let Some(jwt) = a.get("JwtConfiguration") {
            let get = |k: &str| jwt.get(k).or_else(|| jwt.get(capitalized(k))).cloned();
            json!({"type": "oauth2", "flows": {},
                "x-amazon-apigateway-authorizer": {"type": "jwt",
                    "identitySource": a.get("IdentitySource").cloned().unwrap_or(json!("$request.header.Authorization")),
                    "jwtConfiguration": {"issuer": get("issuer").unwrap_or(Value::Null),
                                         "audience": get("audience").unwrap_or(json!([]))}}})
        } else {
            json!({"type": "apiKey", "name": "Authorization", "in": "header",
                "x-amazon-apigateway-authorizer": {"type": "request",
                    "identitySource": "$request.header.Authorization",
                    "authorizerPayloadFormatVersion": a.get("AuthorizerPayloadFormatVersion").cloned().unwrap_or(json!("2.0"))}})
        };
        add_scheme(&mut b.doc, name, scheme);
        let own = format!("{}.Properties.Auth.Authorizers.{name}", cx.at(id));
        b.source(cx, Element::Authorizer { name: name.clone() }, &own, id);
        names.push(name.clone());
    }
    let default = auth.get("DefaultAuthorizer").and_then(Value::as_str);
    for e in &events {
        let mut op = json!({
            "responses": {},
            "x-amazon-apigateway-integration":
                lambda_integration(&e.function, Some(e.payload_format.as_ref().unwrap_or(&json!("2.0")))),
        });
        let chosen = match e.auth.authorizer.as_deref() {
            Some("NONE") => None,
            Some(n) => Some(n),
            None => default,
        };
        match chosen {
            Some("AWS_IAM") => op["x-amazon-apigateway-auth"] = json!({"type": "AWS_IAM"}),
            Some(n) => {
                op["security"] = json!([{ n: e.auth.scopes.clone().unwrap_or(json!([])) }]);
            }
            None => {}
        }
        let doc_path = if e.path == DEFAULT_ROUTE {
            "/$default".to_string()
        } else {
            e.path.clone()
        };
        put_operation(&mut b.doc, &doc_path, &e.verb, op);
        b.source(
            cx,
            Element::Method {
                path: e.path.clone(),
                verb: e.verb.clone(),
            },
            &e.at,
            &e.function,
        );
        b.source(
            cx,
            Element::Resource {
                path: e.path.clone(),
            },
            &e.at,
            &e.function,
        );
    }
    // Methods of the DefinitionBody get the default authorizer too.
    if let Some(d) = default {
        let paths: Vec<String> = b
            .doc
            .get("paths")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for p in paths {
            let keys: Vec<String> = b.doc["paths"][&p]
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            for k in keys {
                if (k == "x-amazon-apigateway-any-method"
                    || crate::gateway::template::HTTP_VERBS.contains(&k.as_str()))
                    && b.doc["paths"][&p][&k].is_object()
                    && b.doc["paths"][&p][&k].get("security").is_none()
                    && !events.iter().any(|e| {
                        let dp = if e.path == DEFAULT_ROUTE {
                            "/$default"
                        } else {
                            e.path.as_str()
                        };
                        dp == p
                    })
                {
                    b.doc["paths"][&p][&k]["security"] = json!([{ d: [] }]);
                }
            }
        }
    }
    // `true` allows every origin and nothing else; an intrinsic is the origins; an object
    // is merged over the DefinitionBody's `x-amazon-apigateway-cors`, its keys winning
    // (translator: http_api_generator `_add_cors`).
    let cors = props.get("CorsConfiguration");
    let given = match cors {
        Some(Value::Bool(true)) => Some(json!({"allowOrigins": ["*"]})),
        Some(c @ Value::Object(_)) if !is_fn(c) => Some(http_cors(c)),
        Some(c @ Value::Object(_)) => Some(json!({ "allowOrigins": c })),
        _ => None,
    };
    if let Some(Value::Object(given)) = given {
        let mut merged = b
            .doc
            .get("x-amazon-apigateway-cors")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (k, v) in given {
            merged.insert(k, v);
        }
        // The translator refuses credentials with every origin (`_add_cors`).
        if merged.get("allowCredentials") == Some(&Value::Bool(true))
            && merged.get("allowOrigins") == Some(&json!(["*"]))
        {
            let at = pat("CorsConfiguration");
            return Err(cx.error(
                &at,
                &format!("{at}: SAM refuses CorsConfiguration with AllowCredentials: true and AllowOrigins [\"*\"]: name the origins"),
            ));
        }
        b.doc["x-amazon-apigateway-cors"] = Value::Object(merged);
    }
    if cors.is_some_and(|c| c != &Value::Bool(false)) {
        let own = pat("CorsConfiguration");
        let (at, res) = if explicit && cx.has(&own) {
            (own, id.to_string())
        } else {
            (
                "Globals.HttpApi.CorsConfiguration".to_string(),
                api_resource.clone(),
            )
        };
        b.source(cx, Element::Cors, &at, &res);
    }
    let stage = props
        .get("StageName")
        .and_then(scalar_text)
        .unwrap_or_else(|| DEFAULT_STAGE.to_string());
    b.source(
        cx,
        Element::Stage {
            name: stage.clone(),
        },
        &api_at,
        &api_resource,
    );
    b.stages.push(Stage {
        name: stage,
        auto_deploy: true,
        ..Stage::default()
    });
    if b.doc.get("paths").is_none() {
        ensure_path(&mut b.doc, "/");
    }
    Ok(b)
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}
