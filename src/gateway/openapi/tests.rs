use serde_json::json;

use super::*;
use crate::gateway::model::{
    ApiKind, AuthorizationType, IntegrationType, SpecFormat, DEFAULT_ROUTE,
};

fn options_item() -> Value {
    json!({
      "responses": { "200": { "description": "200 response",
          "headers": { "Access-Control-Allow-Origin": { "schema": { "type": "string" } } },
          "content": {} } },
      "x-amazon-apigateway-integration": {
        "responses": { "default": { "statusCode": "200",
            "responseParameters": { "method.response.header.Access-Control-Allow-Origin": "'*'" },
            "responseTemplates": { "application/json": null } } },
        "requestTemplates": { "application/json": "{\"statusCode\": 200}" },
        "passthroughBehavior": "when_no_match",
        "type": "mock" }
    })
}

#[test]
fn imports_a_rest_export() {
    let doc = json!({
      "openapi": "3.0.1",
      "info": { "title": "items", "version": "2024-01-01T00:00:00Z" },
      "servers": [{ "url": "https://abc123.execute-api.us-east-1.amazonaws.com/{basePath}",
                    "variables": { "basePath": { "default": "prod" } } }],
      "paths": { "/items": { "options": options_item(), "get": {
          "security": [{ "CognitoAuth": ["email"] }, { "api_key": [] }],
          "x-amazon-apigateway-integration": { "type": "aws_proxy", "httpMethod": "POST",
              "uri": "arn:aws:apigateway:us-east-1:lambda:path/fn/invocations" } } } },
      "components": { "securitySchemes": {
          "api_key": { "type": "apiKey", "name": "x-api-key", "in": "header" },
          "CognitoAuth": { "type": "apiKey", "name": "Authorization", "in": "header",
              "x-amazon-apigateway-authtype": "cognito_user_pools",
              "x-amazon-apigateway-authorizer": { "type": "cognito_user_pools",
                  "providerARNs": ["arn:aws:cognito-idp:us-east-1:1:userpool/x"] } } } },
      "x-amazon-apigateway-gateway-responses": { "DEFAULT_4XX": { "responseParameters": {
          "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" } } },
      "x-something-else": { "kept": true }
    });
    let api = import(&doc).unwrap();
    assert_eq!(api.kind, ApiKind::Rest);
    assert_eq!(api.id.as_deref(), Some("abc123"));
    assert_eq!(api.region.as_deref(), Some("us-east-1"));
    let r = api.resource("/items").unwrap();
    let options = r.method("OPTIONS").unwrap();
    let integration = options.integration.as_ref().unwrap();
    assert_eq!(integration.kind, IntegrationType::Mock);
    assert_eq!(
        integration.responses[0].mapped_header("access-control-allow-origin"),
        Some("'*'")
    );
    assert_eq!(
        integration.responses[0].response_templates["application/json"],
        None
    );
    assert!(options.responses[0].declares("Access-Control-Allow-Origin"));
    let get = r.method("GET").unwrap();
    assert_eq!(get.authorization, AuthorizationType::CognitoUserPools);
    assert_eq!(get.authorizer.as_deref(), Some("CognitoAuth"));
    assert_eq!(get.authorization_scopes, vec!["email".to_string()]);
    assert!(get.api_key_required);
    assert!(get.is_proxy());
    assert_eq!(api.extra["x-something-else"], json!({ "kept": true }));
    let again = import(&export(&api)).unwrap();
    assert_eq!(again, api);
}

#[test]
fn imports_an_http_export() {
    let doc = json!({
      "openapi": "3.0.1",
      "info": { "title": "http", "version": "1" },
      "paths": { "/$default": { "x-amazon-apigateway-any-method": {
          "security": [{ "jwt": [] }],
          "x-amazon-apigateway-integration": { "payloadFormatVersion": "2.0",
              "type": "aws_proxy", "httpMethod": "POST", "uri": "arn:fn",
              "connectionType": "INTERNET" } } } },
      "components": { "securitySchemes": { "jwt": { "type": "oauth2", "flows": {},
          "x-amazon-apigateway-authorizer": { "identitySource": "$request.header.Authorization",
              "jwtConfiguration": { "audience": ["a"], "issuer": "https://issuer" },
              "type": "jwt" } } } },
      "x-amazon-apigateway-cors": { "allowOrigins": ["https://app.example.com"], "maxAge": 300 },
      "x-amazon-apigateway-importexport-version": "1.0"
    });
    let api = import(&doc).unwrap();
    assert_eq!(api.kind, ApiKind::Http);
    let route = api.resource(DEFAULT_ROUTE).unwrap();
    assert_eq!(route.methods[0].http_method, "ANY");
    assert_eq!(route.methods[0].authorization, AuthorizationType::Jwt);
    assert_eq!(
        api.authorizers[0].identity_headers(),
        vec!["Authorization".to_string()]
    );
    assert_eq!(api.cors.as_ref().unwrap().max_age, Some(300));
    let out = export(&api);
    assert!(out["paths"]["/$default"]["x-amazon-apigateway-any-method"].is_object());
    assert_eq!(import(&out).unwrap(), api);
}

#[test]
fn swagger_round_trips() {
    let doc = json!({
      "swagger": "2.0",
      "info": { "title": "s", "version": "1" },
      "host": "xyz789.execute-api.eu-west-1.amazonaws.com",
      "basePath": "/prod",
      "paths": { "/items": { "options": {
        "responses": { "200": { "description": "ok",
            "headers": { "Access-Control-Allow-Origin": { "type": "string" } } } },
        "security": [{ "sigv4": [] }],
        "x-amazon-apigateway-integration": { "type": "mock",
            "requestTemplates": { "application/json": "{\"statusCode\": 200}" },
            "responses": { "default": { "statusCode": 200 } } } } } },
      "securityDefinitions": { "sigv4": { "type": "apiKey", "name": "Authorization",
          "in": "header", "x-amazon-apigateway-authtype": "awsSigv4" } }
    });
    let api = import(&doc).unwrap();
    assert_eq!(api.format, SpecFormat::Swagger2);
    assert_eq!(api.id.as_deref(), Some("xyz789"));
    let m = api.resource("/items").unwrap().method("OPTIONS").unwrap();
    assert_eq!(m.authorization, AuthorizationType::AwsIam);
    let out = export(&api);
    assert_eq!(
        out["paths"]["/items"]["options"]["responses"]["200"]["headers"]
            ["Access-Control-Allow-Origin"],
        json!({ "type": "string" })
    );
    assert_eq!(import(&out).unwrap(), api);
}

#[test]
fn malformed_documents_name_the_path() {
    let mut item = options_item();
    item["x-amazon-apigateway-integration"]["responses"] = json!([1]);
    let doc = json!({ "openapi": "3.0.1", "info": { "title": "t" },
                      "paths": { "/items": { "options": item } } });
    let e = import(&doc).unwrap_err();
    assert_eq!(
        e.to_string(),
        "paths./items.options.x-amazon-apigateway-integration.responses: expected an object, found an array"
    );
    let e = import(&json!({ "info": {} })).unwrap_err();
    assert!(e.to_string().starts_with("$: neither"));
    let e = import_str("{").unwrap_err();
    assert!(e.message.starts_with("not valid JSON"));
    let doc = json!({ "openapi": "3.0.1", "paths": { "/a": { "get": {
        "x-amazon-apigateway-integration": { "type": "lambda" } } } } });
    assert!(import(&doc).unwrap_err().to_string().contains(
        "paths./a.get.x-amazon-apigateway-integration.type: unknown integration type 'lambda'"
    ));
    let doc = json!({ "openapi": "3.0.1", "paths": { "/a": { "get": {
        "security": [{ "nope": [] }] } } } });
    assert!(import(&doc).unwrap_err().path.ends_with("security[0].nope"));
}
