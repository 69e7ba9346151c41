//! SAM's `Cors` on a REST API: an OPTIONS MOCK method on every path that has none.

use serde_json::{json, Map, Value};

use super::is_fn;
use crate::gateway::model::Element;
use crate::gateway::template::{Built, Ctx, TemplateError};

/// SAM's `Cors` (a quoted origin string, or the object form).
pub(super) fn add_cors(
    cx: &Ctx,
    b: &mut Built,
    cors: &Value,
    (src_at, src_res): &(String, String),
) -> Result<(), TemplateError> {
    let (origin, headers, methods, max_age, credentials) = match cors {
        Value::Object(m)
            if crate::gateway::template::intrinsics::ref_name(cors).is_none() && !is_fn(cors) =>
        {
            for k in m.keys() {
                if ![
                    "AllowMethods",
                    "AllowHeaders",
                    "AllowOrigin",
                    "MaxAge",
                    "AllowCredentials",
                ]
                .contains(&k.as_str())
                {
                    let at = format!("{src_at}.{k}");
                    return Err(cx.error(
                        &at,
                        &format!("{at}: SAM's Cors has no property {k} (AllowMethods, AllowHeaders, AllowOrigin, MaxAge, AllowCredentials)"),
                    ));
                }
            }
            (
                m.get("AllowOrigin").cloned().unwrap_or(json!("'*'")),
                m.get("AllowHeaders").cloned(),
                m.get("AllowMethods").cloned(),
                m.get("MaxAge").cloned(),
                m.get("AllowCredentials").and_then(Value::as_bool) == Some(true),
            )
        }
        other => (other.clone(), None, None, None, false),
    };
    // The translator refuses this combination (`_add_cors`), so the stack never deploys.
    if credentials && origin == json!("'*'") {
        return Err(cx.error(
            src_at,
            &format!("{src_at}: SAM refuses Cors with AllowCredentials: true and AllowOrigin \"'*'\" (or no AllowOrigin): name the origin, e.g. AllowOrigin: \"'https://app.example.com'\""),
        ));
    }
    let paths: Vec<String> = b
        .doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        let item = &b.doc["paths"][&path];
        if item.get("options").is_some() || !item.is_object() {
            continue;
        }
        let allow_methods = match &methods {
            Some(m) => m.clone(),
            None => {
                let keys: Vec<String> = item
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                let mut verbs: Vec<String> =
                    if keys.iter().any(|k| k == "x-amazon-apigateway-any-method") {
                        ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
                            .iter()
                            .map(|s| s.to_string())
                            .collect()
                    } else {
                        keys.iter()
                            .filter(|k| {
                                ["get", "put", "post", "delete", "patch", "head"]
                                    .contains(&k.as_str())
                            })
                            .map(|k| k.to_ascii_uppercase())
                            .chain(std::iter::once("OPTIONS".to_string()))
                            .collect()
                    };
                verbs.sort();
                verbs.dedup();
                json!(format!("'{}'", verbs.join(",")))
            }
        };
        let mut params = Map::new();
        let mut declared = Map::new();
        let string = json!({"type": "string"});
        params.insert(
            "method.response.header.Access-Control-Allow-Origin".into(),
            origin.clone(),
        );
        declared.insert("Access-Control-Allow-Origin".into(), string.clone());
        if let Some(h) = &headers {
            params.insert(
                "method.response.header.Access-Control-Allow-Headers".into(),
                h.clone(),
            );
            declared.insert("Access-Control-Allow-Headers".into(), string.clone());
        }
        params.insert(
            "method.response.header.Access-Control-Allow-Methods".into(),
            allow_methods,
        );
        declared.insert("Access-Control-Allow-Methods".into(), string.clone());
        if let Some(m) = &max_age {
            params.insert(
                "method.response.header.Access-Control-Max-Age".into(),
                m.clone(),
            );
            declared.insert("Access-Control-Max-Age".into(), json!({"type": "integer"}));
        }
        if credentials {
            params.insert(
                "method.response.header.Access-Control-Allow-Credentials".into(),
                json!("'true'"),
            );
            declared.insert("Access-Control-Allow-Credentials".into(), string.clone());
        }
        let op = json!({
            "summary": "CORS support",
            "responses": {"200": {"description": "Default response for CORS method", "headers": declared}},
            "x-amazon-apigateway-integration": {
                "type": "mock",
                "requestTemplates": {"application/json": "{\n  \"statusCode\" : 200\n}\n"},
                "responses": {"default": {
                    "statusCode": "200",
                    "responseParameters": params,
                    "responseTemplates": {"application/json": "{}\n"},
                }},
            },
        });
        b.doc["paths"][&path]["options"] = op;
        b.source(
            cx,
            Element::Method {
                path: path.clone(),
                verb: "OPTIONS".into(),
            },
            src_at,
            src_res,
        );
    }
    Ok(())
}
