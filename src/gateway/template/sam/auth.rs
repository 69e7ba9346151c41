//! SAM's `Auth` on a REST API: authorizers, the default authorizer and the API key on every
//! method, the generated OPTIONS methods included unless the `…ToCorsPreflight` switches say
//! no (see the parent module's docs for the order).

use serde_json::{json, Value};

use super::EventAuth;
use crate::gateway::model::Element;
use crate::gateway::template::{add_scheme, Built, Ctx};

/// SAM's `Auth`: authorizers as security schemes, the default authorizer and the API key on
/// every method (see the module docs for the order and the exceptions).
pub(super) fn apply_auth(
    cx: &Ctx,
    b: &mut Built,
    auth: &Value,
    event_auth: &[((String, String), EventAuth)],
    src: &dyn Fn(&str) -> (String, String),
) {
    let mut names: Vec<String> = Vec::new();
    for (name, a) in auth
        .get("Authorizers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let identity = a.get("Identity");
        let header = identity
            .and_then(|i| i.get("Header"))
            .and_then(Value::as_str)
            .unwrap_or("Authorization")
            .to_string();
        let scheme = if let Some(pool) = a.get("UserPoolArn") {
            let arns = match pool {
                Value::Array(_) => pool.clone(),
                other => json!([other]),
            };
            json!({"type": "apiKey", "name": header, "in": "header",
                   "x-amazon-apigateway-authtype": "cognito_user_pools",
                   "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": arns}})
        } else if a.get("FunctionArn").is_some() {
            let request = a
                .get("FunctionPayloadType")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("REQUEST"));
            let uri = json!({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${FunctionArn}/invocations"});
            if request {
                let sources: Vec<String> = identity
                    .and_then(|i| i.get("Headers"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|h| format!("method.request.header.{h}"))
                    .collect();
                json!({"type": "apiKey", "name": "Unused", "in": "header",
                       "x-amazon-apigateway-authtype": "custom",
                       "x-amazon-apigateway-authorizer": {"type": "request", "authorizerUri": uri,
                          "identitySource": sources.join(", ")}})
            } else {
                json!({"type": "apiKey", "name": header, "in": "header",
                       "x-amazon-apigateway-authtype": "custom",
                       "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": uri,
                          "identitySource": format!("method.request.header.{header}")}})
            }
        } else {
            continue;
        };
        add_scheme(&mut b.doc, name, scheme);
        let (at, res) = src(&format!("Authorizers.{name}"));
        b.source(cx, Element::Authorizer { name: name.clone() }, &at, &res);
        names.push(name.clone());
    }
    let default = auth.get("DefaultAuthorizer").and_then(Value::as_str);
    let to_preflight = auth
        .get("AddDefaultAuthorizerToCorsPreflight")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let key_required = auth.get("ApiKeyRequired").and_then(Value::as_bool) == Some(true);
    let key_to_preflight = auth
        .get("AddApiKeyRequiredToCorsPreflight")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if key_required {
        add_scheme(
            &mut b.doc,
            "api_key",
            json!({"type": "apiKey", "name": "x-api-key", "in": "header"}),
        );
    }
    let methods: Vec<(String, String)> = b
        .doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(p, item)| {
            item.as_object()
                .into_iter()
                .flat_map(|o| o.keys())
                .filter(|k| {
                    k.as_str() == "x-amazon-apigateway-any-method"
                        || crate::gateway::template::HTTP_VERBS.contains(&k.as_str())
                })
                .map(move |k| (p.clone(), k.clone()))
        })
        .collect();
    for (path, key) in methods {
        let verb = if key == "x-amazon-apigateway-any-method" {
            "ANY".to_string()
        } else {
            key.to_ascii_uppercase()
        };
        let ev = event_auth
            .iter()
            .find(|((p, v), _)| p == &path && v == &verb)
            .map(|(_, a)| a.clone())
            .unwrap_or_default();
        let Some(op) = b
            .doc
            .get_mut("paths")
            .and_then(|p| p.get_mut(&path))
            .and_then(|i| i.get_mut(&key))
            .filter(|o| o.is_object())
        else {
            continue;
        };
        let existing_authorizer = op
            .get("security")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter().any(|r| {
                    r.as_object()
                        .is_some_and(|o| o.keys().any(|k| names.contains(k)))
                })
            });
        let mut security: Vec<Value> = op
            .get("security")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let is_options = verb == "OPTIONS";
        let chosen = match ev.authorizer.as_deref() {
            Some("NONE") => None,
            Some("AWS_IAM") => None,
            Some(n) => Some((n.to_string(), false)),
            None if existing_authorizer => None,
            None if is_options && !to_preflight => None,
            None => default.map(|d| (d.to_string(), true)),
        };
        if let Some((name, from_default)) = chosen {
            if name == "AWS_IAM" {
                op["x-amazon-apigateway-auth"] = json!({"type": "AWS_IAM"});
            } else {
                let scopes = ev.scopes.clone().unwrap_or_else(|| json!([]));
                security.push(json!({ name: scopes }));
            }
            if is_options && from_default {
                // The generated OPTIONS method is authorized because of DefaultAuthorizer:
                // point at it (the fix is AddDefaultAuthorizerToCorsPreflight: false).
                let (at, res) = src("DefaultAuthorizer");
                b.repoint(
                    cx,
                    Element::Method {
                        path: path.clone(),
                        verb: verb.clone(),
                    },
                    &at,
                    &res,
                );
            }
        }
        let wants_key = match ev.api_key_required {
            Some(k) => k,
            None => key_required && (!is_options || key_to_preflight),
        };
        if wants_key {
            add_scheme(
                &mut b.doc,
                "api_key",
                json!({"type": "apiKey", "name": "x-api-key", "in": "header"}),
            );
            security.push(json!({"api_key": []}));
            if is_options && ev.api_key_required.is_none() {
                let (at, res) = src("ApiKeyRequired");
                b.repoint(
                    cx,
                    Element::Method {
                        path: path.clone(),
                        verb: verb.clone(),
                    },
                    &at,
                    &res,
                );
            }
        }
        if let Some(op) = b
            .doc
            .get_mut("paths")
            .and_then(|p| p.get_mut(&path))
            .and_then(|i| i.get_mut(&key))
            .and_then(Value::as_object_mut)
        {
            if !security.is_empty() {
                op.insert("security".into(), Value::Array(security));
            }
        }
    }
}
