use serde_json::{json, Value};

use super::*;
use crate::gateway::model::{
    ApiKey, AuthorizationType, Deployment, GatewayResponse, Stage, ThrottleSetting,
};
use crate::gateway::openapi::import;

/// HTTP APIs: the automatic preflight answer, `$default` and catch-all routes.
mod http;

use http::http_api;

fn mock_options(params: Value, declared: &[&str]) -> Value {
    let headers: serde_json::Map<String, Value> = declared
        .iter()
        .map(|h| ((*h).to_string(), json!({ "schema": { "type": "string" } })))
        .collect();
    json!({
      "responses": { "200": { "description": "200 response", "headers": headers } },
      "x-amazon-apigateway-integration": {
        "type": "mock",
        "requestTemplates": { "application/json": "{\"statusCode\": 200}" },
        "passthroughBehavior": "when_no_match",
        "responses": { "default": { "statusCode": "200", "responseParameters": params,
                                    "responseTemplates": { "application/json": null } } } }
    })
}

fn proxy() -> Value {
    json!({ "x-amazon-apigateway-integration": { "type": "aws_proxy", "httpMethod": "POST",
        "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations" } })
}

fn rest(paths: Value, extra: Value) -> Api {
    let mut doc = json!({
      "openapi": "3.0.1",
      "info": { "title": "t", "version": "1" },
      "paths": paths,
      "components": { "securitySchemes": {
        "api_key": { "type": "apiKey", "name": "x-api-key", "in": "header" },
        "sigv4": { "type": "apiKey", "name": "Authorization", "in": "header",
                   "x-amazon-apigateway-authtype": "awsSigv4" },
        "Cognito": { "type": "apiKey", "name": "Authorization", "in": "header",
                     "x-amazon-apigateway-authtype": "cognito_user_pools",
                     "x-amazon-apigateway-authorizer": { "type": "cognito_user_pools",
                        "providerARNs": ["arn:aws:cognito-idp:us-east-1:1:userpool/p"] } },
        "Lambda": { "type": "apiKey", "name": "Authorization", "in": "header",
                    "x-amazon-apigateway-authtype": "custom",
                    "x-amazon-apigateway-authorizer": { "type": "token",
                        "authorizerUri": "arn:auth", "authorizerResultTtlInSeconds": 300 } } } }
    });
    if let (Some(d), Some(e)) = (doc.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    import(&doc).unwrap()
}

fn req(method: &str, path: &str, headers: &[(&str, &str)]) -> HttpRequest {
    HttpRequest {
        method: method.into(),
        path_and_query: path.into(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: Vec::new(),
    }
}

fn call(api: &Api, stage: Option<&str>, r: &HttpRequest) -> Answer {
    let backend = FixedBackend(BackendReply {
        status: 200,
        headers: [("Content-Type".to_string(), "application/json".to_string())].into(),
        body: "{\"ok\":true}".into(),
        failure: None,
    });
    respond(api, stage, r, &Context::new(7, &backend))
}

fn body(a: &Answer) -> Value {
    serde_json::from_slice(&a.response.body).unwrap()
}

const ORIGIN: (&str, &str) = ("Origin", "https://app.example.com");
const ACAO: &str = "access-control-allow-origin";

#[test]
fn templates_match_with_specificity() {
    assert_eq!(
        match_template("/items/{id}", "/items/42").unwrap().0,
        vec![("id".to_string(), "42".to_string())]
    );
    assert!(match_template("/items/{id}", "/items").is_none());
    assert!(match_template("/items", "/items/").is_some());
    assert_eq!(
        match_template("/{proxy+}", "/a/b/c").unwrap().0,
        vec![("proxy".to_string(), "a/b/c".to_string())]
    );
    assert!(match_template("/{proxy+}", "/").is_none());
    let api = rest(
        json!({ "/items/{id}": { "get": proxy() }, "/items/special": { "get": proxy() },
                "/{proxy+}": { "x-amazon-apigateway-any-method": proxy() } }),
        json!({}),
    );
    let (r, _) = match_rest_resource(&api.resources, "/items/special").unwrap();
    assert_eq!(r.path, "/items/special");
    let (r, _) = match_rest_resource(&api.resources, "/items/9").unwrap();
    assert_eq!(r.path, "/items/{id}");
    let (r, p) = match_rest_resource(&api.resources, "/other/x").unwrap();
    assert_eq!((r.path.as_str(), p[0].1.as_str()), ("/{proxy+}", "other/x"));
}

#[test]
fn unknown_resource_or_method_is_missing_authentication_token() {
    let api = rest(json!({ "/items": { "get": proxy() } }), json!({}));
    for r in [
        req("GET", "/nope", &[]),
        req("OPTIONS", "/items", &[ORIGIN]),
    ] {
        let a = call(&api, None, &r);
        assert_eq!(a.response.status, 403);
        assert_eq!(
            a.response.headers.get("x-amzn-ErrorType"),
            Some("MissingAuthenticationTokenException")
        );
        assert_eq!(
            body(&a),
            json!({ "message": "Missing Authentication Token" })
        );
        assert!(a.response.headers.contains("x-amzn-RequestId"));
        assert!(a.response.headers.contains("x-amz-apigw-id"));
        assert!(!a.response.headers.contains(ACAO));
    }
    // ANY answers every verb.
    let api = rest(
        json!({ "/items": { "x-amazon-apigateway-any-method": proxy() } }),
        json!({}),
    );
    assert_eq!(
        call(&api, None, &req("DELETE", "/items", &[]))
            .response
            .status,
        200
    );
}

#[test]
fn authorizers_iam_and_api_keys() {
    let mut get_cognito = proxy();
    get_cognito["security"] = json!([{ "Cognito": [] }]);
    let mut get_lambda = proxy();
    get_lambda["security"] = json!([{ "Lambda": [] }]);
    let mut get_iam = proxy();
    get_iam["security"] = json!([{ "sigv4": [] }]);
    let mut get_key = proxy();
    get_key["security"] = json!([{ "api_key": [] }]);
    let mut api = rest(
        json!({ "/c": { "get": get_cognito }, "/l": { "get": get_lambda },
                "/i": { "get": get_iam }, "/k": { "get": get_key } }),
        json!({}),
    );
    api.api_keys.push(ApiKey {
        value: "secret".into(),
        enabled: true,
        ..Default::default()
    });
    let status = |a: &Answer| {
        (
            a.response.status,
            a.response
                .headers
                .get("x-amzn-ErrorType")
                .map(str::to_string),
        )
    };

    let a = call(&api, None, &req("GET", "/c", &[]));
    assert_eq!(status(&a), (401, Some("UnauthorizedException".into())));
    assert_eq!(body(&a), json!({ "message": "Unauthorized" }));
    assert_eq!(
        call(&api, None, &req("GET", "/c", &[("Authorization", "eyJ")]))
            .response
            .status,
        200
    );
    assert_eq!(
        call(
            &api,
            None,
            &req("GET", "/c", &[("Authorization", "invalid")])
        )
        .response
        .status,
        401
    );

    assert_eq!(status(&call(&api, None, &req("GET", "/l", &[]))).0, 401);
    let a = call(&api, None, &req("GET", "/l", &[("Authorization", "deny")]));
    assert_eq!(status(&a), (403, Some("AccessDeniedException".into())));

    let a = call(&api, None, &req("GET", "/i", &[]));
    assert_eq!(
        status(&a),
        (403, Some("MissingAuthenticationTokenException".into()))
    );
    let signed = [("Authorization", "AWS4-HMAC-SHA256 Credential=x")];
    assert_eq!(
        call(&api, None, &req("GET", "/i", &signed)).response.status,
        200
    );

    let a = call(&api, None, &req("GET", "/k", &[]));
    assert_eq!(status(&a), (403, Some("ForbiddenException".into())));
    assert_eq!(body(&a), json!({ "message": "Forbidden" }));
    assert_eq!(
        call(&api, None, &req("GET", "/k", &[("x-api-key", "wrong")]))
            .response
            .status,
        403
    );
    assert_eq!(
        call(&api, None, &req("GET", "/k", &[("x-api-key", "secret")]))
            .response
            .status,
        200
    );
}

#[test]
fn mock_sends_only_declared_and_mapped_headers() {
    let params = json!({
        "method.response.header.Access-Control-Allow-Origin": "'*'",
        "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'"
    });
    // Allow-Methods mapped but not declared; Allow-Headers declared but not mapped.
    let api = rest(
        json!({ "/items": { "options": mock_options(params,
            &["Access-Control-Allow-Origin", "Access-Control-Allow-Headers"]) } }),
        json!({}),
    );
    let a = call(&api, None, &req("OPTIONS", "/items", &[ORIGIN]));
    assert_eq!(a.response.status, 200);
    assert_eq!(a.response.headers.get(ACAO), Some("*"));
    assert!(!a.response.headers.contains("access-control-allow-methods"));
    assert!(!a.response.headers.contains("access-control-allow-headers"));
    assert!(!a.response.headers.contains("x-amzn-ErrorType"));
    assert_eq!(
        a.produced_by,
        Producer::Integration {
            kind: IntegrationType::Mock
        }
    );
}

#[test]
fn mock_status_and_selection_patterns() {
    let mut op = mock_options(json!({}), &[]);
    op["x-amazon-apigateway-integration"]["requestTemplates"] =
        json!({ "application/json": "{\"statusCode\": 404}" });
    op["x-amazon-apigateway-integration"]["responses"]["4\\d{2}"] = json!({ "statusCode": "404" });
    op["responses"]["404"] = json!({ "description": "nf" });
    let api = rest(json!({ "/m": { "get": op } }), json!({}));
    assert_eq!(
        call(&api, None, &req("GET", "/m", &[])).response.status,
        404
    );
    // No request template at all: 500 Internal server error.
    let mut op = mock_options(json!({}), &[]);
    op["x-amazon-apigateway-integration"]["requestTemplates"] = json!({});
    op["x-amazon-apigateway-integration"]["passthroughBehavior"] = json!("never");
    let api = rest(json!({ "/m": { "get": op } }), json!({}));
    let a = call(&api, None, &req("GET", "/m", &[]));
    assert_eq!(a.response.status, 500);
    assert_eq!(body(&a), json!({ "message": "Internal server error" }));
}

#[test]
fn regex_subset() {
    assert!(regex_full_match("2\\d{2}", "204"));
    assert!(!regex_full_match("2\\d{2}", "2040"));
    assert!(regex_full_match("4\\d{2}|5\\d{2}", "503"));
    assert!(regex_full_match(".*", ""));
    assert!(regex_full_match("[45]0[0-9]", "401"));
    assert!(!regex_full_match("200", "201"));
    assert!(regex_full_match(".*Not Found.*", "Item Not Found here"));
}

#[test]
fn gateway_responses_fall_back_to_default_4xx_and_reflect_origin() {
    let mut get = proxy();
    get["security"] = json!([{ "Cognito": [] }]);
    let api = rest(
        json!({ "/items": { "get": get } }),
        json!({ "x-amazon-apigateway-gateway-responses": {
            "DEFAULT_4XX": { "responseParameters": {
                "gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin",
                "gatewayresponse.header.Access-Control-Allow-Credentials": "'true'" } },
            "MISSING_AUTHENTICATION_TOKEN": { "statusCode": "404",
                "responseTemplates": { "application/json": "{\"error\":$context.error.messageString}" } } } }),
    );
    let a = call(&api, None, &req("GET", "/items", &[ORIGIN]));
    assert_eq!(a.response.status, 401);
    assert_eq!(
        a.response.headers.get(ACAO),
        Some("https://app.example.com")
    );
    assert_eq!(
        a.response.headers.get("access-control-allow-credentials"),
        Some("true")
    );
    // Without Origin there is nothing to reflect.
    let a = call(&api, None, &req("GET", "/items", &[]));
    assert!(!a.response.headers.contains(ACAO));
    // A customized specific type replaces DEFAULT_4XX entirely (no CORS headers here).
    let a = call(&api, None, &req("GET", "/nope", &[ORIGIN]));
    assert_eq!(a.response.status, 404);
    assert!(!a.response.headers.contains(ACAO));
    assert_eq!(body(&a), json!({ "error": "Missing Authentication Token" }));
    assert_eq!(
        a.produced_by,
        Producer::Gateway {
            response_type: "MISSING_AUTHENTICATION_TOKEN".into()
        }
    );
}

#[test]
fn throttling_answers_429() {
    let mut api = rest(
        json!({ "/items": { "get": proxy(), "options": mock_options(json!({}), &[]) } }),
        json!({}),
    );
    api.stages.push(Stage {
        name: "prod".into(),
        throttling: vec![ThrottleSetting {
            path: "/items".into(),
            method: "GET".into(),
            rate_limit: 10.0,
            burst_limit: 2,
        }],
        ..Default::default()
    });
    let backend = FixedBackend::default();
    let r = req("GET", "/items", &[ORIGIN]);
    let mut ctx = Context::new(1, &backend);
    ctx.recent_requests = 1;
    assert_eq!(respond(&api, Some("prod"), &r, &ctx).response.status, 200);
    ctx.recent_requests = 2;
    let a = respond(&api, Some("prod"), &r, &ctx);
    assert_eq!(a.response.status, 429);
    assert_eq!(
        a.response.headers.get("x-amzn-ErrorType"),
        Some("TooManyRequestsException")
    );
    assert_eq!(body(&a), json!({ "message": "Too Many Requests" }));
    assert!(!a.response.headers.contains(ACAO));
    // Other methods are not throttled; without the stage nothing is.
    assert_eq!(
        respond(&api, Some("prod"), &req("OPTIONS", "/items", &[]), &ctx)
            .response
            .status,
        200
    );
    assert_eq!(respond(&api, None, &r, &ctx).response.status, 200);
}

#[test]
fn undeployed_options_is_missing_on_the_stage() {
    let mut api = rest(
        json!({ "/items": { "get": proxy(), "options": mock_options(json!({}), &[]) } }),
        json!({}),
    );
    let mut snap = api.snapshot();
    snap.resources[0]
        .methods
        .retain(|m| m.http_method != "OPTIONS");
    api.deployments.push(Deployment {
        id: "d1".into(),
        description: None,
        snapshot: Some(snap),
        redeployed_on_change: None,
    });
    api.stages.push(Stage {
        name: "prod".into(),
        deployment_id: Some("d1".into()),
        ..Default::default()
    });
    assert_eq!(
        call(&api, Some("prod"), &req("OPTIONS", "/items", &[]))
            .response
            .status,
        403
    );
    assert_eq!(
        call(&api, None, &req("OPTIONS", "/items", &[]))
            .response
            .status,
        200
    );
}

#[test]
fn proxy_passes_backend_headers_through() {
    let api = rest(json!({ "/items": { "get": proxy() } }), json!({}));
    let backend = FixedBackend(BackendReply {
        headers: [("Access-Control-Allow-Origin".to_string(), "*".to_string())].into(),
        ..Default::default()
    });
    let a = respond(
        &api,
        None,
        &req("GET", "/items", &[ORIGIN]),
        &Context::new(1, &backend),
    );
    assert_eq!(a.response.headers.get(ACAO), Some("*"));
    let backend = FixedBackend(BackendReply {
        failure: Some(BackendFailure::Error),
        ..Default::default()
    });
    let a = respond(
        &api,
        None,
        &req("GET", "/items", &[]),
        &Context::new(1, &backend),
    );
    assert_eq!(a.response.status, 502);
}

#[test]
fn stages_split_from_paths() {
    let mut api = rest(json!({ "/items": { "get": proxy() } }), json!({}));
    api.stages.push(Stage {
        name: "prod".into(),
        ..Default::default()
    });
    assert_eq!(
        split_stage(&api, "/prod/items?x=1"),
        Some(("prod".into(), "/items?x=1".into()))
    );
    assert_eq!(
        split_stage(&api, "/prod"),
        Some(("prod".into(), "/".into()))
    );
    assert_eq!(split_stage(&api, "/dev/items"), None);
    let backend = FixedBackend::default();
    let a = respond_to_path(
        &api,
        &req("GET", "/dev/items", &[]),
        &Context::new(1, &backend),
    );
    assert_eq!(a.response.status, 403);
    let a = respond_to_path(
        &api,
        &req("GET", "/prod/items", &[]),
        &Context::new(1, &backend),
    );
    assert_eq!(a.response.status, 200);
    let h = http_api(None, false);
    assert_eq!(
        split_stage(&h, "/items"),
        Some(("$default".into(), "/items".into()))
    );
}

#[test]
fn request_ids_are_deterministic_and_shaped_like_aws() {
    let id = request_id(1);
    assert_eq!(id, request_id(1));
    assert_ne!(id, request_id(2));
    assert_eq!(id.len(), 36);
    assert_eq!(id.matches('-').count(), 4);
    let ext = extended_request_id(1);
    assert_eq!(ext.len(), 16);
    assert!(ext.ends_with('='));
    let _ = GatewayResponse::default();
}
