//! Unit tests of the snippet renderers, on change sets built by hand: every `Change` variant,
//! REST and HTTP, ids known and unknown, names from a template's sources and derived.
//! (tests/it/snippets.rs validates the output with cfn-lint, python-hcl2 and tsc.)

use super::*;
use crate::gateway::change::{ApiRef, Change, HeaderValue, ResourceRef};
use crate::gateway::model::{
    ApiKind, CorsConfiguration, Element, Integration, IntegrationType, Located, Method, Resource,
    SourceRef,
};

const ORIGIN: &str = "https://app.example.com";

fn res(path: &str, known: bool) -> ResourceRef {
    ResourceRef {
        path: path.into(),
        id: known.then(|| "r1".to_string()),
        path_known: true,
    }
}

fn hv(name: &str, value: &str, exists: bool) -> HeaderValue {
    HeaderValue {
        name: name.into(),
        value: value.into(),
        exists,
    }
}

fn rest_api(known: bool) -> ApiRef {
    ApiRef {
        kind: ApiKind::Rest,
        id: known.then(|| "abc123".to_string()),
        name: Some("Pets".into()),
        region: known.then(|| "us-east-1".to_string()),
    }
}

fn preflight_headers(credentials: bool) -> Vec<HeaderValue> {
    let mut h = vec![
        hv("Access-Control-Allow-Origin", ORIGIN, false),
        hv("Access-Control-Allow-Methods", "PUT,OPTIONS", false),
        hv(
            "Access-Control-Allow-Headers",
            "authorization,content-type",
            false,
        ),
    ];
    if credentials {
        h.push(hv("Access-Control-Allow-Credentials", "true", false));
    }
    h
}

/// OPTIONS_MISSING: the OPTIONS MOCK method with its responses, then a deployment.
pub(super) fn options_missing(known: bool) -> ChangeSet {
    let r = res("/items", known);
    let headers = preflight_headers(true);
    ChangeSet {
        api: rest_api(known),
        changes: vec![
            Change::CreateOptionsMethod {
                resource: r.clone(),
            },
            Change::DeclareResponseHeaders {
                resource: r.clone(),
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers: headers.iter().map(|h| h.name.clone()).collect(),
                create: true,
            },
            Change::CreateMockIntegration {
                resource: r.clone(),
                status: "200".into(),
            },
            Change::MapResponseHeaders {
                resource: r,
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers,
                create: true,
            },
            Change::Deploy {
                stage: known.then(|| "prod".to_string()),
            },
        ],
    }
}

/// OPTIONS_AUTHORIZED + API key, a header on GET, gateway responses (new and customized).
pub(super) fn rest_patches(known: bool) -> ChangeSet {
    let r = res("/items/{id}", known);
    ChangeSet {
        api: rest_api(known),
        changes: vec![
            Change::OptionsAuthorizationOff {
                resource: r.clone(),
                authorization: true,
                api_key: true,
            },
            Change::DeclareResponseHeaders {
                resource: r.clone(),
                http_method: "GET".into(),
                status: "200".into(),
                headers: vec!["Access-Control-Allow-Origin".into()],
                create: false,
            },
            Change::MapResponseHeaders {
                resource: r,
                http_method: "GET".into(),
                status: "200".into(),
                headers: vec![hv("Access-Control-Allow-Origin", ORIGIN, false)],
                create: false,
            },
            Change::GatewayResponseHeaders {
                response_type: "DEFAULT_4XX".into(),
                headers: vec![hv("Access-Control-Allow-Origin", ORIGIN, false)],
                create: true,
            },
            Change::GatewayResponseHeaders {
                response_type: "UNAUTHORIZED".into(),
                headers: vec![
                    hv("Access-Control-Allow-Origin", ORIGIN, true),
                    hv("Access-Control-Allow-Credentials", "true", false),
                ],
                create: false,
            },
            Change::Deploy { stage: None },
        ],
    }
}

/// HTTP: the CORS configuration, an OPTIONS route created and one switched off, a deployment.
pub(super) fn http(known: bool) -> ChangeSet {
    ChangeSet {
        api: ApiRef {
            kind: ApiKind::Http,
            id: known.then(|| "h77".to_string()),
            name: Some("Orders".into()),
            region: None,
        },
        changes: vec![
            Change::SetCorsConfiguration {
                cors: CorsConfiguration {
                    allow_origins: vec![ORIGIN.into()],
                    allow_methods: vec!["GET".into(), "OPTIONS".into()],
                    allow_headers: vec!["authorization".into(), "content-type".into()],
                    expose_headers: vec!["x-request-id".into()],
                    max_age: Some(300),
                    allow_credentials: Some(true),
                },
            },
            Change::CreatePreflightRoute {
                route_key: "OPTIONS /{proxy+}".into(),
                integration_id: known.then(|| "int9".to_string()),
                like_route: "ANY /{proxy+}".into(),
            },
            Change::RouteAuthorizationOff {
                route_id: known.then(|| "rt1".to_string()),
                route_key: "OPTIONS /orders".into(),
            },
            Change::Deploy {
                stage: Some("$default".into()),
            },
        ],
    }
}

fn all_sets() -> Vec<(&'static str, ChangeSet)> {
    let mut v = Vec::new();
    for known in [true, false] {
        v.push(("options-missing", options_missing(known)));
        v.push(("rest-patches", rest_patches(known)));
        v.push(("http", http(known)));
    }
    v
}

/// The top-level entries under `Resources:` (2-space indent): (id, body lines).
fn resources(yaml: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut inside = false;
    for line in yaml.lines() {
        if line == "Resources:" {
            inside = true;
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(rest) = line.strip_prefix("  ").filter(|r| !r.starts_with(' ')) {
            let id = rest.split(':').next().unwrap_or("").to_string();
            out.push((id, String::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

/// The text with wrapped comments joined (`\n# ` → ` `).
fn flat(text: &str) -> String {
    text.replace("\n# ", " ")
}

/// Checks YAML well-formedness with the crate's YAML event parser.
fn parses_as_yaml(text: &str) -> Result<(), String> {
    let mut parser = yaml_rust2::parser::Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((yaml_rust2::Event::StreamEnd, _)) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

#[test]
fn every_flavour_renders_every_change_set() {
    for (name, set) in all_sets() {
        for f in Flavour::ALL.into_iter().filter(|f| *f != Flavour::Cli) {
            let text = render(f, &set, None);
            assert!(
                text.lines().count() > 3,
                "{name} {f}: nearly empty:\n{text}"
            );
            assert!(
                !text.contains("Some(") && !text.contains("\"\""),
                "{name} {f}:\n{text}"
            );
            if matches!(f, Flavour::Cloudformation | Flavour::Sam) {
                parses_as_yaml(&text).unwrap_or_else(|e| panic!("{name} {f}: {e}\n{text}"));
            }
        }
    }
    assert_eq!(render(Flavour::Sam, &ChangeSet::default(), None), "");
}

#[test]
fn cloudformation_creates_the_options_mock_method_and_a_deployment() {
    let text = render(Flavour::Cloudformation, &options_missing(true), None);
    assert!(text.contains("#   RestApi: AWS::ApiGateway::RestApi — REST API \"Pets\" (abc123, us-east-1) (name assumed: use yours)"), "{text}");
    assert!(
        text.contains("#   ItemsResource: AWS::ApiGateway::Resource — the resource /items"),
        "{text}"
    );
    assert!(text.contains("  ItemsOptionsMethod:  # new: the OPTIONS /items method\n    Type: AWS::ApiGateway::Method\n"), "{text}");
    for needle in [
        "RestApiId: !Ref RestApi",
        "ResourceId: !Ref ItemsResource",
        "HttpMethod: \"OPTIONS\"",
        "AuthorizationType: \"NONE\"",
        "ApiKeyRequired: false",
        "Type: \"MOCK\"",
        "application/json: \"{\\\"statusCode\\\": 200}\"",
        "method.response.header.Access-Control-Allow-Origin: false",
        "method.response.header.Access-Control-Allow-Origin: \"'https://app.example.com'\"",
        "method.response.header.Access-Control-Allow-Credentials: \"'true'\"",
        "RestApiCorsDeployment:",
        "DependsOn:\n      - ItemsOptionsMethod",
        "ProdStage:",
        "DeploymentId: !Ref RestApiCorsDeployment",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
}

#[test]
fn no_flavour_touches_authorization_outside_options() {
    for (name, set) in all_sets() {
        let cfn = render(Flavour::Cloudformation, &set, None);
        for (id, body) in resources(&cfn) {
            if body.contains("AuthorizationType") {
                assert!(
                    body.contains("HttpMethod: \"OPTIONS\"")
                        || body.contains("RouteKey: \"OPTIONS "),
                    "{name}: {id} sets authorization but is no OPTIONS method or route:\n{cfn}"
                );
            }
            assert!(!body.contains("ApiKeyRequired: false") || body.contains("\"OPTIONS\""));
        }
        let tf = render(Flavour::Terraform, &set, None);
        for block in tf.split("\nresource ").skip(1) {
            if block.contains("authorization =") || block.contains("authorization_type =") {
                assert!(
                    block.contains("http_method = \"OPTIONS\"")
                        || block.contains("route_key = \"OPTIONS "),
                    "{name}: {block}"
                );
            }
        }
        let cdk = render(Flavour::Cdk, &set, None);
        let code: String = cdk
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            !code.contains("defaultMethodOptions") && !code.contains("defaultAuthorizer"),
            "{name}: {cdk}"
        );
        for (i, line) in cdk.lines().enumerate() {
            if line.contains("authorizationType =") || line.contains("apiKeyRequired =") {
                let before: Vec<&str> = cdk.lines().take(i).collect();
                let context = before
                    .iter()
                    .rev()
                    .take(8)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(context.contains("OPTIONS"), "{name}: {cdk}");
            }
        }
        let sam = render(Flavour::Sam, &set, None);
        assert!(!sam.contains("DefaultAuthorizer:"), "{name}: {sam}");
        assert!(!sam.contains("ApiKeyRequired: false"), "{name}: {sam}");
    }
}

#[test]
fn existing_parts_are_patched_not_recreated() {
    let set = rest_patches(true);
    let cfn = render(Flavour::Cloudformation, &set, None);
    assert!(
        cfn.contains("#   ItemsIdGetMethod: AWS::ApiGateway::Method — GET /items/{id}"),
        "{cfn}"
    );
    assert!(
        cfn.contains("#   ItemsIdOptionsMethod: AWS::ApiGateway::Method — OPTIONS /items/{id}"),
        "{cfn}"
    );
    assert!(
        flat(&cfn)
            .contains("also remove AuthorizerId and AuthorizationScopes from this OPTIONS method"),
        "{cfn}"
    );
    assert!(
        cfn.contains("#   UnauthorizedGatewayResponse: AWS::ApiGateway::GatewayResponse"),
        "{cfn}"
    );
    assert!(
        !cfn.contains("#   Default4xxGatewayResponse"),
        "a new one is not expected:\n{cfn}"
    );
    assert!(
        flat(&cfn).contains("Point your stage's DeploymentId at RestApiCorsDeployment"),
        "{cfn}"
    );
    let sam = render(Flavour::Sam, &set, None);
    for needle in [
        "AddDefaultAuthorizerToCorsPreflight: false",
        "AddApiKeyRequiredToCorsPreflight: false",
        "GatewayResponses:\n        DEFAULT_4XX:\n          ResponseParameters:\n            Headers:\n              Access-Control-Allow-Origin: \"'https://app.example.com'\"",
        "DefinitionBody:",
        "\"/items/{id}\":",
        "x-amazon-apigateway-integration:",
        "GatewayResponses.UNAUTHORIZED: the API already customizes it",
    ] {
        assert!(sam.contains(needle), "{needle} missing:\n{sam}");
    }
    let tf = render(Flavour::Terraform, &set, None);
    for needle in [
        "resource \"aws_api_gateway_method\" \"items_id_options\" {",
        "  authorization = \"NONE\"",
        "  api_key_required = false",
        "resource \"aws_api_gateway_method_response\" \"items_id_get_200\" {",
        "  http_method = \"GET\"",
        "resource \"aws_api_gateway_gateway_response\" \"default_4xx\" {",
        "\"gatewayresponse.header.Access-Control-Allow-Origin\" = \"'https://app.example.com'\"",
        "resource \"aws_api_gateway_deployment\" \"api\" {",
        "aws_api_gateway_gateway_response.unauthorized.id",
        "create_before_destroy = true",
    ] {
        assert!(tf.contains(needle), "{needle} missing:\n{tf}");
    }
    let cdk = render(Flavour::Cdk, &set, None);
    for needle in [
        "import * as apigateway from 'aws-cdk-lib/aws-apigateway';",
        "export function corsFix(api: apigateway.RestApiBase): void {",
        "const itemsId = api.root.resourceForPath('/items/{id}');",
        "itemsIdOptionsL1.authorizationType = apigateway.AuthorizationType.NONE;",
        "itemsIdOptionsL1.apiKeyRequired = false;",
        "export const getItemsIdMethodResponses: apigateway.MethodResponse[]",
        "export const getItemsIdIntegrationResponses: apigateway.IntegrationResponse[]",
        "api.addGatewayResponse('CorsDefault4xx', {",
        "type: apigateway.ResponseType.DEFAULT_4XX,",
        "export const unauthorizedResponseHeaders: { [header: string]: string }",
    ] {
        assert!(cdk.contains(needle), "{needle} missing:\n{cdk}");
    }
}

#[test]
fn cors_preflight_helpers_carry_the_values() {
    let set = options_missing(true);
    let sam = render(Flavour::Sam, &set, None);
    for needle in [
        "Cors:  # SAM adds an OPTIONS method (MOCK, these headers) to every path",
        "AllowMethods: \"'PUT,OPTIONS'\"",
        "AllowHeaders: \"'authorization,content-type'\"",
        "AllowOrigin: \"'https://app.example.com'\"",
        "AllowCredentials: true",
    ] {
        assert!(sam.contains(needle), "{needle} missing:\n{sam}");
    }
    let cdk = render(Flavour::Cdk, &set, None);
    for needle in [
        "items.addCorsPreflight({",
        "allowOrigins: ['https://app.example.com'],",
        "allowMethods: ['PUT', 'OPTIONS'],",
        "allowCredentials: true,",
        "statusCode: 200,",
    ] {
        assert!(cdk.contains(needle), "{needle} missing:\n{cdk}");
    }
    let tf = render(Flavour::Terraform, &set, None);
    for needle in [
        "resource \"aws_api_gateway_method\" \"items_options\" {",
        "  resource_id = aws_api_gateway_resource.items.id",
        "  http_method = aws_api_gateway_method.items_options.http_method",
        "resource \"aws_api_gateway_integration\" \"items_options\" {",
        "  type = \"MOCK\"",
        "\"application/json\" = \"{\\\"statusCode\\\": 200}\"",
        "resource \"aws_api_gateway_integration_response\" \"items_options_200\" {",
        "  depends_on = [aws_api_gateway_integration.items_options]",
    ] {
        assert!(tf.contains(needle), "{needle} missing:\n{tf}");
    }
}

#[test]
fn http_flavours_set_the_cors_configuration_and_an_open_options_route() {
    let set = http(true);
    let cfn = render(Flavour::Cloudformation, &set, None);
    for needle in [
        "#   HttpApi: AWS::ApiGatewayV2::Api — HTTP API \"Orders\" (h77)",
        "CorsConfiguration:\n        AllowOrigins:\n          - \"https://app.example.com\"",
        "MaxAge: 300",
        "AllowCredentials: true",
        "OptionsProxyRoute:  # new",
        "RouteKey: \"OPTIONS /{proxy+}\"",
        "Target: !Sub \"integrations/${AnyProxyIntegration}\"",
        "#   AnyProxyIntegration: AWS::ApiGatewayV2::Integration — the integration of the route ANY /{proxy+}, id int9 in AWS",
        "#   OptionsOrdersRoute: AWS::ApiGatewayV2::Route — the route OPTIONS /orders",
        "Type: AWS::ApiGatewayV2::Deployment",
        "DefaultStage:",
    ] {
        assert!(cfn.contains(needle), "{needle} missing:\n{cfn}");
    }
    let sam = render(Flavour::Sam, &set, None);
    for needle in [
        "Type: AWS::Serverless::HttpApi",
        "#   AnyProxyFunction: AWS::Serverless::Function — the function behind the route ANY /{proxy+}",
        "ProxyPreflight:",
        "Path: \"/{proxy+}\"",
        "Method: \"OPTIONS\"",
        "Authorizer: \"NONE\"",
    ] {
        assert!(sam.contains(needle), "{needle} missing:\n{sam}");
    }
    let cdk = render(Flavour::Cdk, &set, None);
    for needle in [
        "import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';",
        "import * as cdk from 'aws-cdk-lib';",
        "export const corsPreflight: apigwv2.CorsPreflightOptions = {",
        "allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.OPTIONS],",
        "maxAge: cdk.Duration.seconds(300),",
        "export function corsFix(httpApi: apigwv2.HttpApi, integration: apigwv2.HttpRouteIntegration): void {",
        "methods: [apigwv2.HttpMethod.OPTIONS],",
        "authorizer: new apigwv2.HttpNoneAuthorizer(),",
        "child.routeKey === 'OPTIONS /orders'",
    ] {
        assert!(cdk.contains(needle), "{needle} missing:\n{cdk}");
    }
    let tf = render(Flavour::Terraform, &set, None);
    for needle in [
        "resource \"aws_apigatewayv2_api\" \"api\" {\n  cors_configuration {",
        "    allow_origins = [\"https://app.example.com\"]",
        "    allow_credentials = true",
        "resource \"aws_apigatewayv2_route\" \"options_proxy\" {",
        "  target = \"integrations/${aws_apigatewayv2_integration.any_proxy.id}\"",
        "resource \"aws_apigatewayv2_deployment\" \"api\" {",
        "jsonencode(aws_apigatewayv2_api.api.cors_configuration)",
    ] {
        assert!(tf.contains(needle), "{needle} missing:\n{tf}");
    }
}

#[test]
fn names_come_from_the_template_when_the_model_has_them() {
    let src = |line: u32, resource: &str| SourceRef {
        file: "template.yaml".into(),
        line,
        resource: Some(resource.into()),
    };
    let mut get = Method {
        http_method: "GET".into(),
        ..Method::default()
    };
    let mut integration = Integration::new(IntegrationType::Http);
    integration.http_method = Some("GET".into());
    integration.uri = Some("https://backend.example.com/items".into());
    get.integration = Some(integration);
    let api = Api {
        kind: ApiKind::Rest,
        resources: vec![Resource {
            path: "/items/{id}".into(),
            methods: vec![get],
            ..Resource::default()
        }],
        sources: vec![
            Located {
                element: Element::Api,
                source: src(3, "PetsApi"),
            },
            Located {
                element: Element::Resource {
                    path: "/items/{id}".into(),
                },
                source: src(10, "ItemResource"),
            },
            Located {
                element: Element::Method {
                    path: "/items/{id}".into(),
                    verb: "GET".into(),
                },
                source: src(20, "GetItem"),
            },
        ],
        ..Api::default()
    };
    let cfn = render(Flavour::Cloudformation, &rest_patches(true), Some(&api));
    for needle in [
        "#   PetsApi: AWS::ApiGateway::RestApi — REST API \"Pets\" (abc123, us-east-1) (from template.yaml:3)",
        "#   ItemResource: AWS::ApiGateway::Resource — the resource /items/{id} (from template.yaml:10)",
        "#   GetItem: AWS::ApiGateway::Method — GET /items/{id} (from template.yaml:20)",
        "RestApiId: !Ref PetsApi",
        "Type: \"HTTP\"  # as today",
        "Uri: \"https://backend.example.com/items\"",
    ] {
        assert!(cfn.contains(needle), "{needle} missing:\n{cfn}");
    }
    // A Terraform address is not a logical id, and the other way round.
    let mut tf_api = api.clone();
    tf_api.sources[0].source.resource = Some("aws_api_gateway_rest_api.pets".into());
    let tf = render(Flavour::Terraform, &rest_patches(true), Some(&tf_api));
    assert!(
        tf.contains("  rest_api_id = aws_api_gateway_rest_api.pets.id"),
        "{tf}"
    );
    let cfn = render(Flavour::Cloudformation, &rest_patches(true), Some(&tf_api));
    assert!(cfn.contains("RestApiId: !Ref RestApi"), "{cfn}");
}

#[test]
fn hostile_values_stay_literals() {
    let mut set = options_missing(false);
    let evil = "https://a.example\"\n${x}%{y}'\\";
    if let Some(Change::MapResponseHeaders { headers, .. }) = set.changes.get_mut(3) {
        headers[0].value = evil.into();
    }
    set.api.name = Some("x\ny # z".into());
    let cfn = render(Flavour::Cloudformation, &set, None);
    parses_as_yaml(&cfn).unwrap();
    assert!(!cfn.contains("\ny # z"), "{cfn}");
    let tf = render(Flavour::Terraform, &set, None);
    assert!(
        tf.contains(r#""'https://a.example\"\n$${x}%%{y}'\\'""#),
        "{tf}"
    );
    let cdk = render(Flavour::Cdk, &set, None);
    assert!(
        cdk.contains(r#"'https://a.example"\n${x}%{y}\'\\'"#),
        "{cdk}"
    );
}

#[test]
fn flavours_parse_and_cycle() {
    for f in Flavour::ALL {
        assert_eq!(Flavour::parse(f.as_str()), Some(f));
    }
    assert_eq!(Flavour::parse("TF"), Some(Flavour::Terraform));
    assert_eq!(Flavour::parse("yaml"), None);
    let mut f = Flavour::Cli;
    for _ in 0..5 {
        f = f.next();
    }
    assert_eq!(f, Flavour::Cli);
    let s = Snippets::render(
        &options_missing(true),
        None,
        &["aws a".into(), "aws b".into()],
    );
    assert_eq!(s.get(Flavour::Cli), "aws a\naws b");
    assert_eq!(
        serde_json::to_value(&s)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        ["aws_cli", "cloudformation", "sam", "cdk", "terraform"]
    );
}
