//! The SDK source against moto's server (an independent emulator of the API Gateway control
//! plane) on loopback. Each test creates its API through the Rust SDK, then checks that the
//! lookups rebuild it (ids, methods, mappings, authorizers) and that the diagnosis finds the
//! scenario's cause with commands that carry the real ids, within the call budget.
//!
//! Needs MOTO_ENDPOINT=http://127.0.0.1:PORT (scripts/moto.sh starts one; scripts/test.sh sets
//! it). Without it the tests print why and pass, unless CORS_DOCTOR_REQUIRE_MOTO is set.
//! moto gaps covered elsewhere: apigatewayv2 GetAuthorizers and the deployment's apiSummary
//! are added by scripts/moto_server.py; the null template and AccessDenied are also tested
//! against recorded responses (tests/aws/aws_recorded.rs).

use crate::support as aws;

use std::time::Instant;

use aws_sdk_apigateway::types::{AuthorizerType, GatewayResponseType, IntegrationType};
use aws_sdk_apigatewayv2::types as v2t;

const ORIGIN: &str = "https://app.example.com";

struct Rest {
    c: aws_sdk_apigateway::Client,
    ep: String,
    id: String,
    root: String,
}

impl Rest {
    async fn new(ep: &str, name: &str) -> Rest {
        let c = aws::v1(ep);
        let id = c
            .create_rest_api()
            .name(name)
            .send()
            .await
            .unwrap()
            .id
            .unwrap();
        let root = c
            .get_resources()
            .rest_api_id(&id)
            .send()
            .await
            .unwrap()
            .items
            .unwrap()[0]
            .id
            .clone()
            .unwrap();
        Rest {
            c,
            ep: ep.to_string(),
            id,
            root,
        }
    }

    async fn resource(&self, parent: &str, part: &str) -> String {
        self.c
            .create_resource()
            .rest_api_id(&self.id)
            .parent_id(parent)
            .path_part(part)
            .send()
            .await
            .unwrap()
            .id
            .unwrap()
    }

    /// A MOCK method whose 200 declares `declared` and maps `mapped`.
    async fn method(
        &self,
        rid: &str,
        verb: &str,
        auth: &str,
        authorizer: Option<&str>,
        declared: &[&str],
        mapped: &[(&str, &str)],
    ) {
        let c = &self.c;
        let mut m = c
            .put_method()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .authorization_type(auth);
        if let Some(a) = authorizer {
            m = m.authorizer_id(a);
        }
        m.send().await.unwrap();
        c.put_integration()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .r#type(IntegrationType::Mock)
            .request_templates("application/json", "{\"statusCode\": 200}")
            .send()
            .await
            .unwrap();
        let mut mr = c
            .put_method_response()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .status_code("200");
        for h in declared {
            mr = mr.response_parameters(format!("method.response.header.{h}"), false);
        }
        mr.send().await.unwrap();
        let mut ir = c
            .put_integration_response()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .status_code("200");
        for (h, v) in mapped {
            ir = ir.response_parameters(format!("method.response.header.{h}"), *v);
        }
        ir.send().await.unwrap();
    }

    /// The console's "Enable CORS" leaves `"responseTemplates": {"application/json": null}`;
    /// the SDK cannot send a null, so this PUT is raw JSON (moto keeps the null).
    async fn null_template(&self, rid: &str, verb: &str, mapped: &[(&str, &str)]) {
        let params: serde_json::Map<String, serde_json::Value> = mapped
            .iter()
            .map(|(h, v)| {
                (
                    format!("method.response.header.{h}"),
                    serde_json::Value::String(v.to_string()),
                )
            })
            .collect();
        let body = serde_json::json!({"responseParameters": params, "responseTemplates": {"application/json": null}});
        let url = format!(
            "{}/restapis/{}/resources/{rid}/methods/{verb}/integration/responses/200",
            self.ep, self.id
        );
        let resp = reqwest::Client::new()
            .put(url)
            .header("Content-Type", "application/json")
            .header("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=0")
            .body(serde_json::to_vec(&body).unwrap())
            .send()
            .await
            .unwrap();
        let text = resp.text().await.unwrap();
        assert!(
            text.contains("\"application/json\": null"),
            "moto kept the null template: {text}"
        );
    }

    async fn deploy(&self) {
        self.c
            .create_deployment()
            .rest_api_id(&self.id)
            .stage_name("prod")
            .send()
            .await
            .unwrap();
    }

    async fn cors_gateway_responses(&self) {
        for t in [
            GatewayResponseType::Default4Xx,
            GatewayResponseType::Default5Xx,
        ] {
            self.c
                .put_gateway_response()
                .rest_api_id(&self.id)
                .response_type(t)
                .response_parameters(
                    "gatewayresponse.header.Access-Control-Allow-Origin",
                    format!("'{ORIGIN}'"),
                )
                .send()
                .await
                .unwrap();
        }
    }

    async fn token_authorizer(&self) -> String {
        self.c.create_authorizer().rest_api_id(&self.id).name("tok").r#type(AuthorizerType::Token)
            .authorizer_uri("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
            .identity_source("method.request.header.Authorization")
            .send().await.unwrap().id.unwrap()
    }
}

const ALL: [&str; 3] = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
];
const ALLOW: [(&str, &str); 3] = [
    ("Access-Control-Allow-Origin", "'https://app.example.com'"),
    ("Access-Control-Allow-Methods", "'PUT,OPTIONS'"),
    (
        "Access-Control-Allow-Headers",
        "'content-type,authorization'",
    ),
];

async fn put_items(ep: &str, api: &str, stage: &str) -> cors_doctor::report::Report {
    let plan = aws::offline_plan(
        ep,
        api,
        stage,
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
    aws::diagnose(&plan).await
}

fn has(report: &cors_doctor::report::Report, code: &str) -> bool {
    aws::codes(report).iter().any(|c| c == code)
}

#[tokio::test]
async fn rest_options_missing() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "options-missing").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.cors_gateway_responses().await;
    api.deploy().await;
    let report = put_items(&ep, &api.id, "prod").await;
    assert!(has(&report, "OPTIONS_MISSING"), "{:?}", aws::codes(&report));
    assert_eq!(report.first_failing_step, Some(3));
    let commands = aws::commands(&report);
    assert!(
        commands.contains(&format!("--rest-api-id {} --resource-id {items}", api.id)),
        "{commands}"
    );
    assert!(!has(&report, "GATEWAY_RESPONSES_UNCONFIGURED"));
    assert!(report.aws_calls <= 6, "{}", report.aws_calls);
}

#[tokio::test]
async fn rest_authorizer_on_options() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "options-authorizer").await;
    let auth = api.token_authorizer().await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "CUSTOM",
        Some(&auth),
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.method(&items, "OPTIONS", "CUSTOM", Some(&auth), &ALL, &ALLOW)
        .await;
    api.cors_gateway_responses().await;
    api.deploy().await;
    let report = put_items(&ep, &api.id, "prod").await;
    assert!(
        has(&report, "OPTIONS_AUTHORIZED"),
        "{:?}",
        aws::codes(&report)
    );
    let step4 = report.step(4).unwrap();
    assert!(
        step4.findings.iter().any(|f| f.message.contains("'tok'")),
        "{step4:?}"
    );
    let commands = aws::commands(&report);
    assert!(commands.contains(&format!("aws apigateway update-method --rest-api-id {} --resource-id {items} --http-method OPTIONS", api.id)), "{commands}");
    assert!(
        commands.contains("authorizationType") && commands.contains("NONE"),
        "{commands}"
    );
}

#[tokio::test]
async fn rest_unmapped_header_with_a_null_template() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "unmapped-header").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.method(&items, "OPTIONS", "NONE", None, &ALL, &ALLOW[..2])
        .await;
    api.null_template(&items, "OPTIONS", &ALLOW[..2]).await;
    api.deploy().await;

    // The model, rebuilt by the lookups.
    let plan = aws::offline_plan(
        &ep,
        &api.id,
        "prod",
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
    aws::seal_env();
    let source =
        cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions::from_plan(&plan));
    let request = cors_doctor::aws::ConfigRequest {
        api_ref: cors_doctor::target::ApiRef::from_url(&plan.target.url),
        url_path: None,
        path: Some("/items".into()),
        stage: Some("prod".into()),
        prefix_unknown: false,
    };
    use cors_doctor::aws::ConfigSource;
    let loaded = source
        .load(&request)
        .await
        .expect("loads despite the null template");
    let r = loaded.api.resource("/items").expect("/items");
    assert_eq!(r.id.as_deref(), Some(items.as_str()));
    let options = r.method("OPTIONS").unwrap();
    let ir = &options.integration.as_ref().unwrap().responses[0];
    assert_eq!(ir.response_templates.get("application/json"), Some(&None));
    assert_eq!(ir.mapped_header("Access-Control-Allow-Headers"), None);
    assert!(options
        .response("200")
        .unwrap()
        .declares("Access-Control-Allow-Headers"));
    assert_eq!(
        loaded.api.stages[0]
            .deployment_id
            .as_deref()
            .map(str::is_empty),
        Some(false)
    );
    assert!(loaded.api.gateway_responses.is_empty());

    let report = put_items(&ep, &api.id, "prod").await;
    assert!(
        has(&report, "HEADER_NOT_MAPPED"),
        "{:?}",
        aws::codes(&report)
    );
    // No customized gateway responses: a warning, with the put-gateway-response command.
    assert!(
        has(&report, "GATEWAY_RESPONSES_UNCONFIGURED"),
        "{:?}",
        aws::codes(&report)
    );
    let commands = aws::commands(&report);
    assert!(
        commands.contains(&format!(
            "aws apigateway put-gateway-response --rest-api-id {} --response-type DEFAULT_4XX",
            api.id
        )),
        "{commands}"
    );
}

#[tokio::test]
async fn rest_all_good_then_options_added_but_not_deployed() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "undeployed").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.cors_gateway_responses().await;
    api.deploy().await;
    api.method(&items, "OPTIONS", "NONE", None, &ALL, &ALLOW)
        .await;
    let report = put_items(&ep, &api.id, "prod").await;
    assert!(
        has(&report, "OPTIONS_NOT_DEPLOYED"),
        "{:?}",
        aws::codes(&report)
    );
    assert!(aws::commands(&report).contains(&format!(
        "aws apigateway create-deployment --rest-api-id {} --stage-name prod",
        api.id
    )));

    // Deployed: nothing fails.
    api.deploy().await;
    let report = put_items(&ep, &api.id, "prod").await;
    assert_eq!(report.first_failing_step, None, "{:?}", aws::codes(&report));
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.aws_calls, 6);
}

#[tokio::test]
async fn rest_call_budget_for_500_resources() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "five-hundred").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.method(&items, "OPTIONS", "NONE", None, &ALL, &ALLOW)
        .await;
    let mut tasks = Vec::new();
    for i in 0..498 {
        let c = api.c.clone();
        let (id, root) = (api.id.clone(), api.root.clone());
        tasks.push(tokio::spawn(async move {
            c.create_resource()
                .rest_api_id(id)
                .parent_id(root)
                .path_part(format!("r{i}"))
                .send()
                .await
                .unwrap();
        }));
        if tasks.len() == 16 {
            for t in tasks.drain(..) {
                t.await.unwrap();
            }
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    api.cors_gateway_responses().await;
    api.deploy().await;
    let started = Instant::now();
    let report = put_items(&ep, &api.id, "prod").await;
    let elapsed = started.elapsed();
    eprintln!(
        "500 resources: {} calls, lookup + diagnosis {elapsed:?}",
        report.aws_calls
    );
    assert_eq!(
        report.aws_calls, 6,
        "at most 6 control-plane calls for 500 resources"
    );
    assert_eq!(report.first_failing_step, None, "{:?}", aws::codes(&report));
}

#[tokio::test]
async fn http_api_cors_configuration_that_does_not_allow_the_origin() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let c = aws::v2(&ep);
    let id = c
        .create_api()
        .name("http-cors")
        .protocol_type(v2t::ProtocolType::Http)
        .cors_configuration(
            v2t::Cors::builder()
                .allow_origins("https://other.example")
                .allow_methods("PUT")
                .allow_headers("content-type")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .api_id
        .unwrap();
    let integ = c
        .create_integration()
        .api_id(&id)
        .integration_type(v2t::IntegrationType::HttpProxy)
        .integration_uri("https://backend.invalid/items")
        .integration_method("ANY")
        .payload_format_version("1.0")
        .send()
        .await
        .unwrap()
        .integration_id
        .unwrap();
    c.create_route()
        .api_id(&id)
        .route_key("PUT /items")
        .target(format!("integrations/{integ}"))
        .send()
        .await
        .unwrap();
    c.create_stage()
        .api_id(&id)
        .stage_name("$default")
        .auto_deploy(true)
        .send()
        .await
        .unwrap();
    let report = put_items(&ep, &id, "$default").await;
    assert_eq!(report.api.kind, cors_doctor::diagnose::ApiKindSeen::Http);
    assert!(
        has(&report, "BACKEND_HEADERS_IGNORED"),
        "{:?}",
        aws::codes(&report)
    );
    assert!(aws::commands(&report).contains(&format!(
        "aws apigatewayv2 update-api --api-id {id} --cors-configuration"
    )));
    assert!(report.aws_calls <= 6, "{}", report.aws_calls);
}

#[tokio::test]
async fn http_api_jwt_authorizer_on_the_options_route() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let c = aws::v2(&ep);
    let id = c
        .create_api()
        .name("http-jwt")
        .protocol_type(v2t::ProtocolType::Http)
        .send()
        .await
        .unwrap()
        .api_id
        .unwrap();
    let integ = c
        .create_integration()
        .api_id(&id)
        .integration_type(v2t::IntegrationType::HttpProxy)
        .integration_uri("https://backend.invalid/{proxy}")
        .integration_method("ANY")
        .payload_format_version("1.0")
        .send()
        .await
        .unwrap()
        .integration_id
        .unwrap();
    let auth = c
        .create_authorizer()
        .api_id(&id)
        .authorizer_type(v2t::AuthorizerType::Jwt)
        .name("jwt")
        .identity_source("$request.header.Authorization")
        .jwt_configuration(
            v2t::JwtConfiguration::builder()
                .issuer("https://issuer.example")
                .audience("app")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .authorizer_id
        .unwrap();
    c.create_route()
        .api_id(&id)
        .route_key("ANY /{proxy+}")
        .target(format!("integrations/{integ}"))
        .authorization_type(v2t::AuthorizationType::Jwt)
        .authorizer_id(&auth)
        .send()
        .await
        .unwrap();
    c.create_stage()
        .api_id(&id)
        .stage_name("$default")
        .auto_deploy(true)
        .send()
        .await
        .unwrap();
    let report = put_items(&ep, &id, "$default").await;
    assert!(
        has(&report, "OPTIONS_AUTHORIZED"),
        "{:?}",
        aws::codes(&report)
    );
    assert!(report.aws_calls <= 6, "{}", report.aws_calls);
}

#[tokio::test]
async fn custom_domain_resolves_through_base_path_mappings() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "custom-domain").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.deploy().await;
    let domain = format!("api-{}.example.com", api.id.to_ascii_lowercase());
    api.c
        .create_domain_name()
        .domain_name(&domain)
        .certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/x")
        .send()
        .await
        .unwrap();
    api.c
        .create_base_path_mapping()
        .domain_name(&domain)
        .base_path("v1")
        .rest_api_id(&api.id)
        .stage("prod")
        .send()
        .await
        .unwrap();
    aws::seal_env();
    // The lookup only (probing the domain would leave loopback).
    let source = cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(ep.clone()),
        custom_domain: Some(domain.clone()),
        url_path: Some("/v1/items".into()),
        ..Default::default()
    });
    let request = cors_doctor::aws::ConfigRequest {
        url_path: Some("/v1/items".into()),
        ..Default::default()
    };
    use cors_doctor::aws::ConfigSource;
    let loaded = source
        .load(&request)
        .await
        .expect("the custom domain resolves");
    assert_eq!(loaded.api.id.as_deref(), Some(api.id.as_str()));
    assert_eq!(loaded.stage.as_deref(), Some("prod"));
    assert_eq!(loaded.path, "/items");
}
