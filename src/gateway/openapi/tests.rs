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
}

#[test]
fn an_undefined_security_scheme_is_recorded_not_refused() {
    let doc = json!({ "openapi": "3.0.1", "paths": { "/a": { "get": {
        "security": [{ "nope": [] }] } } } });
    let api = import(&doc).unwrap();
    let u = &api.unresolved[0];
    assert!(u.at.ends_with("security[0].nope"), "{u:?}");
    let need = u.needed.as_ref().unwrap();
    assert_eq!(
        (need.step, need.route.clone()),
        (4, Some(("/a".into(), "GET".into())))
    );
    assert!(
        u.reason().contains("security scheme 'nope'"),
        "{}",
        u.reason()
    );
    // The requirement survives an export.
    assert_eq!(import(&export(&api)).unwrap(), api);
}

#[test]
fn local_refs_are_followed_with_cycle_detection() {
    let doc = json!({ "openapi": "3.0.1", "info": { "title": "t" },
        "paths": { "/items": { "get": {
            "responses": { "200": { "$ref": "#/components/responses/ok" } },
            "x-amazon-apigateway-integration": {
                "$ref": "#/components/x-amazon-apigateway-integrations/lambda" } } } },
        "components": {
            "responses": { "ok": { "description": "ok",
                "headers": { "Access-Control-Allow-Origin": { "schema": { "type": "string" } } } } },
            "x-amazon-apigateway-integrations": { "lambda": {
                "type": "aws_proxy", "httpMethod": "POST", "uri": "arn:x",
                "payloadFormatVersion": "2.0" } } } });
    let api = import(&doc).unwrap();
    let get = api.resources[0].method("GET").unwrap();
    assert_eq!(
        get.integration.as_ref().unwrap().kind,
        IntegrationType::AwsProxy
    );
    assert!(get.responses[0].declares("Access-Control-Allow-Origin"));
    assert_eq!(api.kind, ApiKind::Http);
    assert!(api
        .kind_decided_by
        .as_deref()
        .unwrap()
        .contains("payloadFormatVersion 2.0"));
    // The export inlines the integration (and marks itself as an HTTP API export).
    let again = import(&export(&api)).unwrap();
    assert_eq!((again.kind, &again.resources), (api.kind, &api.resources));

    let cyclic = json!({ "openapi": "3.0.1", "paths": { "/a": { "get": {
        "x-amazon-apigateway-integration": { "$ref": "#/components/x/a" } } } },
        "components": { "x": { "a": { "$ref": "#/components/x/b" }, "b": { "$ref": "#/components/x/a" } } } });
    let e = import(&cyclic).unwrap_err();
    assert!(e.message.contains("cycle"), "{e}");
    let dangling = json!({ "openapi": "3.0.1", "paths": { "/a": { "get": {
        "x-amazon-apigateway-integration": { "$ref": "#/components/none" } } } } });
    assert!(import(&dangling)
        .unwrap_err()
        .message
        .contains("points to nothing"));
    let remote = json!({ "openapi": "3.0.1", "paths": { "/a": { "$ref": "other.yaml#/a" } } });
    assert!(import(&remote)
        .unwrap_err()
        .message
        .contains("another file"));
}

#[test]
fn cloudformation_values_are_kept_unresolved() {
    let doc = json!({ "swagger": "2.0", "info": { "title": { "Fn::Sub": "${AWS::StackName}" } },
        "paths": { "/items": {
            "get": { "x-amazon-apigateway-integration": {
                "type": "aws_proxy", "httpMethod": "POST",
                "uri": { "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/fn" },
                "credentials": { "Fn::GetAtt": ["Role", "Arn"] } } },
            "options": { "x-amazon-apigateway-integration": {
                "type": "mock", "requestTemplates": { "application/json": "{\"statusCode\": 200}" },
                "responses": { "default": { "statusCode": "200", "responseParameters": {
                    "method.response.header.Access-Control-Allow-Origin": { "Fn::Sub": "'${Origin}'" },
                    "method.response.header.Access-Control-Allow-Methods": "'GET'" } } } } } } } });
    let api = import(&doc).unwrap();
    let get = api.resources[0]
        .method("GET")
        .unwrap()
        .integration
        .as_ref()
        .unwrap();
    assert_eq!(get.uri, None);
    assert!(get.extra.contains_key("uri"));
    let ir = &api.resources[0]
        .method("OPTIONS")
        .unwrap()
        .integration
        .as_ref()
        .unwrap()
        .responses[0];
    assert_eq!(
        ir.mapped_header("Access-Control-Allow-Methods"),
        Some("'GET'")
    );
    assert_eq!(ir.mapped_header("Access-Control-Allow-Origin"), None);
    let needed: Vec<_> = api
        .unresolved
        .iter()
        .filter(|u| u.needed.is_some())
        .collect();
    assert_eq!(needed.len(), 1, "{:?}", api.unresolved);
    assert!(needed[0].at.ends_with("Access-Control-Allow-Origin"));
    assert_eq!(api.unresolved.len(), 3, "{:?}", api.unresolved);
    assert_eq!(api.kind, ApiKind::Rest);
    assert!(api.kind_decided_by.as_deref().unwrap().contains("MOCK"));
    // The export writes the functions back as they were.
    let out = export(&api);
    assert_eq!(
        out["info"]["title"],
        json!({ "Fn::Sub": "${AWS::StackName}" })
    );
    assert_eq!(import(&out).unwrap(), api);
}

#[test]
fn yaml_definitions_import_with_lines_in_errors() {
    let yaml = "swagger: '2.0'\ninfo:\n  title: t\npaths:\n  /items:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/x\n        httpMethod: POST\n";
    let api = import_str(yaml).unwrap();
    assert_eq!(api.format, SpecFormat::Swagger2);
    assert_eq!(api.unresolved.len(), 1);
    let bad = yaml.replace("aws_proxy", "lambda");
    let e = import_str(&bad).unwrap_err();
    assert_eq!(e.line, Some(8), "{e}");
    assert_eq!(
        e.in_file("api.yaml"),
        "api.yaml:8: paths./items.get.x-amazon-apigateway-integration.type: unknown integration type 'lambda' (expected mock, aws_proxy, http_proxy, http or aws)"
    );
}

#[test]
fn the_api_kind_comes_from_decisive_markers() {
    // payloadFormatVersion 1.0 on a REST body written for Terraform: not decisive.
    let mut doc = json!({ "openapi": "3.0.1", "paths": { "/a": {
        "get": { "x-amazon-apigateway-integration": { "type": "aws_proxy", "httpMethod": "POST",
            "uri": "arn:x", "payloadFormatVersion": "1.0" } },
        "options": { "x-amazon-apigateway-integration": { "type": "mock",
            "requestTemplates": { "application/json": "{\"statusCode\": 200}" } } } } } });
    let api = import(&doc).unwrap();
    assert_eq!(api.kind, ApiKind::Rest);
    assert!(api
        .kind_decided_by
        .as_deref()
        .unwrap()
        .contains("MOCK integration of OPTIONS /a"));
    doc["paths"]["/a"]
        .as_object_mut()
        .unwrap()
        .remove("options");
    let api = import(&doc).unwrap();
    assert_eq!(api.kind, ApiKind::Rest);
    assert!(api
        .kind_decided_by
        .as_deref()
        .unwrap()
        .contains("REST assumed"));
    doc["x-amazon-apigateway-cors"] = json!({ "allowOrigins": ["*"] });
    let api = import(&doc).unwrap();
    assert_eq!(api.kind, ApiKind::Http);
    assert_eq!(
        api.kind_decided_by.as_deref(),
        Some("x-amazon-apigateway-cors (HTTP APIs only)")
    );
    let api = import_as(&doc, Some(ApiKind::Rest)).unwrap();
    assert_eq!(
        (api.kind, api.kind_decided_by.as_deref()),
        (ApiKind::Rest, Some("--kind rest"))
    );
}

/// JSON text is imported one path item at a time: the result (and every error) is the one
/// the whole tree gives, `$ref`s into `paths` included (those read the whole tree).
#[test]
fn json_text_imports_like_the_tree() {
    let same = |doc: &Value| {
        let text = serde_json::to_string_pretty(doc).unwrap();
        let tree = import(doc).map_err(|e| (e.path.clone(), e.message.clone()));
        let split = import_str(&text).map_err(|e| (e.path, e.message));
        assert_eq!(split, tree, "{text}");
    };
    let mut item = options_item();
    same(
        &json!({ "openapi": "3.0.1", "info": { "title": "t" }, "x-a": 1,
        "paths": { "/a": { "options": item.clone() }, "/b": { "get": {} } }, "x-b": 2 }),
    );
    item["x-amazon-apigateway-integration"]["responses"] = json!([1]);
    same(&json!({ "openapi": "3.0.1", "paths": { "/a": { "options": item } } }));
    same(&json!({ "openapi": "3.0.1", "paths": [] }));
    same(&json!({ "openapi": "3.0.1", "paths": { "/a": 1 } }));
    let into_paths = json!({ "openapi": "3.0.1", "paths": {
        "/a": { "options": options_item() },
        "/b": { "options": { "$ref": "#/paths/~1a/options" } } } });
    same(&into_paths);
    let api = import_str(&into_paths.to_string()).unwrap();
    assert_eq!(api.resources[1].methods, api.resources[0].methods);
    same(&json!({ "openapi": "3.0.1", "paths": { "/a": { "$ref": "#" } } }));
    // A repeated path keeps its first place and its last value, as the tree does.
    let text = r#"{"openapi":"3.0.1","paths":{"/a":{"get":{}},"/b":{},"/a":{"put":{}}}}"#;
    assert_eq!(
        import_str(text).unwrap(),
        import(&parse_text(text).unwrap()).unwrap()
    );
    // Errors found in a path item still carry their line.
    let text = "{\"openapi\": \"3.0.1\",\n\"paths\": {\n\"/a\": {\n\"get\": {\"x-amazon-apigateway-integration\": {\"type\": \"lambda\"}}}}}";
    assert_eq!(import_str(text).unwrap_err().line, Some(4));

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/definitions");
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        if let Ok(doc) = parse_text(&text) {
            same(&doc);
        }
    }
}

/// YAML is imported one path item at a time too (each kept as compact JSON text until it is
/// imported): the result is the whole tree's, with anchors, aliases, merge keys and short
/// tags in and around `paths`, and errors keep their lines.
#[test]
fn yaml_text_imports_like_the_tree() {
    let same = |text: &str| {
        let tree = parse_text(text)
            .and_then(|doc| import(&doc))
            .map_err(|e| (e.path.clone(), e.message.clone()));
        let split = import_str(text).map_err(|e| (e.path, e.message));
        assert_eq!(split, tree, "{text}");
        split.ok()
    };
    let base = "openapi: 3.0.1\ninfo: {title: t}\nx-a: &opt\n  options:\n    x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}}\n";
    let text = format!(
        "{base}paths:\n  /a: *opt\n  /b: &b\n    get:\n      x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: !Sub 'arn:${{AWS::Region}}'}}\n  /c:\n    <<: *b\n    <<: *opt\n  <<: {{/d: *b, /a: {{get: {{}}}}}}\n  /e: {{}}\nx-b: *b\n"
    );
    let (doc, raw) = super::text::parse_yaml_split(&text).unwrap();
    assert_eq!(doc["paths"], Value::Null);
    assert_eq!(raw.map(|r| r.len()), Some(5));
    let api = same(&text).unwrap();
    let order: Vec<&str> = api.resources.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(order, ["/a", "/b", "/c", "/d", "/e"]);
    assert_eq!(api.resources[3].methods, api.resources[1].methods);
    // An anchored or tagged `paths`, paths that are not a mapping, `$ref`s into paths.
    same(&format!("{base}paths: &p\n  /a: *opt\nx-b: *p\n"));
    same(&format!("{base}paths: []\n"));
    same(&format!("{base}paths:\n  /a: 1\n"));
    same(&format!(
        "{base}paths:\n  /a: *opt\n  /b:\n    options: {{$ref: '#/paths/~1a/options'}}\n"
    ));
    let e = import_str(&format!("{base}paths:\n  /a: *opt\n  /a: {{}}\n")).unwrap_err();
    assert!(e.message.contains("duplicate key '/a'"), "{e}");
    assert_eq!(e.line, Some(8), "{e}");
    let e = import_str(&format!(
        "{base}paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: lambda\n"
    ))
    .unwrap_err();
    assert_eq!(e.line, Some(10), "{e}");

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/definitions");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            same(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// A [`DefinitionText`] that records what the import asks for, and can fail a range.
struct Recording<'a> {
    text: &'a str,
    wholes: usize,
    ranges: Vec<std::ops::Range<usize>>,
    fail_range: Option<usize>,
}

impl DefinitionText for Recording<'_> {
    fn whole(&mut self) -> std::io::Result<std::borrow::Cow<'_, str>> {
        self.wholes += 1;
        Ok(self.text.into())
    }
    fn range(
        &mut self,
        range: std::ops::Range<usize>,
    ) -> std::io::Result<std::borrow::Cow<'_, str>> {
        if self.fail_range == Some(self.ranges.len()) {
            return Err(std::io::Error::other("it changed while it was being read"));
        }
        self.ranges.push(range.clone());
        Ok(self.text[range].into())
    }
}

/// A JSON export is read whole once, then each path item by its byte range (the caller may
/// drop the text in between); the API is the one the text gives. YAML is read whole once.
#[test]
fn json_path_items_are_asked_for_by_range() {
    let text = "\u{feff}{\"openapi\": \"3.0.1\", \"paths\": {\"/a\": {\"get\": {}}, \"/b\": {\"options\": {}}}, \"x-a\": 1}";
    let mut src = Recording {
        text,
        wholes: 0,
        ranges: vec![],
        fail_range: None,
    };
    let api = import_text(&mut src, None).unwrap();
    assert_eq!(api, import_str(text).unwrap());
    assert_eq!(src.wholes, 1);
    let items: Vec<&str> = src.ranges.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(items, ["{\"get\": {}}", "{\"options\": {}}"]);

    // A range the caller cannot give again (a file changed since) is the import's error.
    src.fail_range = Some(1);
    src.ranges.clear();
    let e = import_text(&mut src, None).unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.message.as_str()),
        ("$", "it changed while it was being read")
    );

    let yaml = "openapi: 3.0.1\npaths:\n  /a: {get: {}}\n";
    let mut src = Recording {
        text: yaml,
        wholes: 0,
        ranges: vec![],
        fail_range: None,
    };
    assert_eq!(import_text(&mut src, None).unwrap().resources.len(), 1);
    assert_eq!((src.wholes, src.ranges.len()), (1, 0));
}
