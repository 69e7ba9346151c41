use serde_json::{json, Value};

use super::*;

pub(super) fn http_api(cors: Option<Value>, default_jwt: bool) -> Api {
    let mut route = json!({ "x-amazon-apigateway-integration": { "type": "aws_proxy",
        "httpMethod": "POST", "uri": "arn:fn", "payloadFormatVersion": "2.0" } });
    if default_jwt {
        route["security"] = json!([{ "jwt": [] }]);
    }
    let mut doc = json!({
      "openapi": "3.0.1", "info": { "title": "h", "version": "1" },
      "paths": { "/$default": { "x-amazon-apigateway-any-method": route },
                 "/items": { "get": { "x-amazon-apigateway-integration": { "type": "http_proxy",
                     "httpMethod": "ANY", "uri": "https://backend.example/items",
                     "payloadFormatVersion": "1.0" } } } },
      "components": { "securitySchemes": { "jwt": { "type": "oauth2", "flows": {},
          "x-amazon-apigateway-authorizer": { "type": "jwt",
              "identitySource": "$request.header.Authorization",
              "jwtConfiguration": { "issuer": "https://i", "audience": ["a"] } } } } },
      "x-amazon-apigateway-importexport-version": "1.0"
    });
    if let Some(c) = cors {
        doc["x-amazon-apigateway-cors"] = c;
    }
    import(&doc).unwrap()
}

#[test]
fn http_api_answers_preflight_itself_and_replaces_backend_cors_headers() {
    let api = http_api(
        Some(
            json!({ "allowOrigins": ["https://app.example.com"], "allowMethods": ["GET", "POST"],
                      "allowHeaders": ["authorization"], "maxAge": 600 }),
        ),
        false,
    );
    let pre = req(
        "OPTIONS",
        "/items",
        &[ORIGIN, ("Access-Control-Request-Method", "GET")],
    );
    let a = call(&api, None, &pre);
    assert_eq!(a.response.status, 204);
    assert_eq!(a.produced_by, Producer::CorsPreflight);
    assert_eq!(
        a.response.headers.get(ACAO),
        Some("https://app.example.com")
    );
    assert_eq!(
        a.response.headers.get("access-control-allow-methods"),
        Some("GET,POST")
    );
    assert!(a.response.headers.contains("apigw-requestid"));
    // Another origin: no CORS headers.
    let pre = req(
        "OPTIONS",
        "/items",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
    );
    assert!(!call(&api, None, &pre).response.headers.contains(ACAO));
    // The actual: backend CORS headers are replaced by the configured ones.
    let backend = FixedBackend(BackendReply {
        headers: [(
            "Access-Control-Allow-Origin".to_string(),
            "https://wrong.example".to_string(),
        )]
        .into(),
        ..Default::default()
    });
    let a = respond(
        &api,
        None,
        &req("GET", "/items", &[ORIGIN]),
        &Context::new(1, &backend),
    );
    assert_eq!(
        a.response.headers.get_all(ACAO).collect::<Vec<_>>(),
        vec!["https://app.example.com"]
    );
    // No Origin: no CORS headers at all.
    let a = respond(
        &api,
        None,
        &req("GET", "/items", &[]),
        &Context::new(1, &backend),
    );
    assert!(!a.response.headers.contains(ACAO));
}

#[test]
fn http_api_default_route_with_jwt_catches_options() {
    let api = http_api(None, true);
    let pre = req(
        "OPTIONS",
        "/items",
        &[ORIGIN, ("Access-Control-Request-Method", "GET")],
    );
    let a = call(&api, None, &pre);
    assert_eq!(a.response.status, 401);
    assert_eq!(body(&a), json!({ "message": "Unauthorized" }));
    assert_eq!(a.matched.unwrap().path, "$default");
    // GET /items has its own route without authorizer.
    assert_eq!(
        call(&api, None, &req("GET", "/items", &[])).response.status,
        200
    );
    // Exact method beats ANY; unknown path falls to $default.
    let (r, m, _) = match_http_route(&api.resources, "/other", "GET").unwrap();
    assert_eq!(
        (r.path.as_str(), m.http_method.as_str()),
        ("$default", "ANY")
    );
}

/// Documented: `$default` catches OPTIONS too, so an authorizer on it rejects the preflight even
/// with a cors_configuration; an unauthorized `OPTIONS /{proxy+}` route (the documented fix)
/// gives the automatic answer back. Docs silent, modelled alike: an authorized `ANY` route.
#[test]
fn an_authorized_catch_all_route_meets_the_preflight_even_with_cors_configured() {
    let cors = json!({ "allowOrigins": ["https://app.example.com"], "allowMethods": ["GET"],
                       "allowHeaders": ["authorization"] });
    let pre = |path: &str| {
        req(
            "OPTIONS",
            path,
            &[ORIGIN, ("Access-Control-Request-Method", "GET")],
        )
    };
    let mut api = http_api(Some(cors.clone()), true);
    let a = call(&api, None, &pre("/items"));
    assert_eq!(a.response.status, 401);
    assert!(!a.response.headers.contains(ACAO));
    assert_eq!(a.matched.unwrap().path, "$default");
    // The fix: OPTIONS /{proxy+} without authorization, with an integration.
    let mut fix = api.resource("$default").unwrap().clone();
    fix.path = "/{proxy+}".into();
    fix.methods[0].http_method = "OPTIONS".into();
    fix.methods[0].authorization = AuthorizationType::None;
    fix.methods[0].authorizer = None;
    api.resources.push(fix);
    let a = call(&api, None, &pre("/items"));
    assert_eq!(a.response.status, 204);
    assert_eq!(a.produced_by, Producer::CorsPreflight);
    assert_eq!(
        a.response.headers.get(ACAO),
        Some("https://app.example.com")
    );

    // ANY /{proxy+} with the authorizer and no $default: the same.
    let mut api = http_api(Some(cors), true);
    let default = api
        .resources
        .iter()
        .position(|r| r.path == "$default")
        .unwrap();
    api.resources[default].path = "/{proxy+}".into();
    let a = call(&api, None, &pre("/orders/1"));
    assert_eq!(a.response.status, 401);
    assert_eq!(a.matched.unwrap().path, "/{proxy+}");
    // A GET-only route is not a catch-all: with no $default, the automatic answer.
    api.resources.remove(default);
    assert_eq!(call(&api, None, &pre("/items")).response.status, 204);
}
