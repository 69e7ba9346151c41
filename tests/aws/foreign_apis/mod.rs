//! Issue 10: right answers on APIs cors-doctor did not build. Each test drives the real binary
//! against moto (the API's configuration, on loopback) and, for live probes, an in-process
//! server that answers like API Gateway on a URL shaped like a custom domain's (a prefix in
//! front of the resource path).
//!
//! Needs MOTO_ENDPOINT (scripts/moto.sh); without it the moto tests print why and pass, unless
//! CORS_DOCTOR_REQUIRE_MOTO is set. The tests that need no moto always run.

use crate::common;
use crate::support as aws;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_apigateway::types::{GatewayResponseType, IntegrationType};
use aws_sdk_apigatewayv2::types as v2t;
use common::{Canned, FakeGateway};
use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;

const ORIGIN: &str = "https://app.example.com";
const TOKEN: &str = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

/// A REST API in moto, built the way its owner did.
struct Rest {
    c: aws_sdk_apigateway::Client,
    id: String,
    root: String,
}

const PREFLIGHT_HEADERS: [(&str, &str); 3] = [
    ("Access-Control-Allow-Origin", "'https://app.example.com'"),
    ("Access-Control-Allow-Methods", "'GET,OPTIONS'"),
    (
        "Access-Control-Allow-Headers",
        "'authorization,content-type'",
    ),
];

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
        Rest { c, id, root }
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

    /// An open MOCK method whose 200 declares and maps `headers`.
    async fn method(&self, rid: &str, verb: &str, headers: &[(&str, &str)]) {
        let c = &self.c;
        c.put_method()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .authorization_type("NONE")
            .send()
            .await
            .unwrap();
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
        for (h, _) in headers {
            mr = mr.response_parameters(format!("method.response.header.{h}"), false);
        }
        mr.send().await.unwrap();
        let mut ir = c
            .put_integration_response()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .status_code("200");
        for (h, v) in headers {
            ir = ir.response_parameters(format!("method.response.header.{h}"), *v);
        }
        ir.send().await.unwrap();
    }

    /// A resource `part` under `parent` with a CORS-ready OPTIONS and GET.
    async fn healthy(&self, parent: &str, part: &str) -> String {
        let rid = self.resource(parent, part).await;
        self.method(&rid, "OPTIONS", &PREFLIGHT_HEADERS).await;
        self.method(&rid, "GET", &PREFLIGHT_HEADERS[..1]).await;
        rid
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

    async fn gateway_response(&self, t: GatewayResponseType, allow_origin: bool) {
        let mut g = self
            .c
            .put_gateway_response()
            .rest_api_id(&self.id)
            .response_type(t);
        if allow_origin {
            g = g.response_parameters(
                "gatewayresponse.header.Access-Control-Allow-Origin",
                format!("'{ORIGIN}'"),
            );
        } else {
            g = g.response_parameters("gatewayresponse.header.X-Request-Kind", "'gateway'");
        }
        g.send().await.unwrap();
    }
}

fn healthy_gateway() -> FakeGateway {
    FakeGateway {
        preflight: Canned::good_preflight(ORIGIN, "GET,OPTIONS", "authorization,content-type"),
        actual: Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .h("Vary", "Origin")
            .body("{}"),
        bare: None,
    }
}

/// `check URL --api-id ID --stage prod …` through the binary, sealed environment; the JSON
/// report (or `Null`), the exit status and everything printed.
async fn check(extra: &[&str], env: &[(&str, &str)]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["check", "--format", "json", "--origin", ORIGIN, "-H", TOKEN];
    args.extend_from_slice(extra);
    let out = aws::run_bin(&args, env).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        format!("{stdout}\n--- stderr ---\n{stderr}"),
    )
}

fn findings(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .collect()
}

fn finding<'a>(report: &'a serde_json::Value, code: &str) -> Option<&'a serde_json::Value> {
    findings(report).into_iter().find(|f| f["code"] == code)
}

fn commands(f: &serde_json::Value) -> String {
    f["remediation"]["commands"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn step_status(report: &serde_json::Value, n: u64) -> String {
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["number"] == n)
        .and_then(|s| s["status"].as_str())
        .unwrap_or("?")
        .to_string()
}

/// Item 1: a base path (`/v1`) in front of the resource path resolves to the resource; two
/// resources that fit equally are `unknown` with the `--path` hint; a config-only failure that
/// the passing live preflight contradicts is a contradiction, not a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefix_in_front_of_the_resource_path() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "prefixed").await;
    api.healthy(&api.root, "res").await;
    let other = api.resource(&api.root, "other").await;
    api.method(&other, "GET", &PREFLIGHT_HEADERS[..1]).await;
    api.deploy().await;
    let server = healthy_gateway().start(Duration::ZERO).await;
    let url = format!("{}/v1/res", server.base_url());
    let flags = |extra: &[&'static str]| {
        let mut v: Vec<String> = vec![
            url.clone(),
            "--api-id".into(),
            api.id.clone(),
            "--stage".into(),
            "prod".into(),
            "--endpoint-url".into(),
            ep.clone(),
            "--region".into(),
            "us-east-1".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };

    let a = flags(&[]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, report, out) = check(&a, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(report["api"]["resource"], "/res", "{out}");
    assert!(finding(&report, "OPTIONS_MISSING").is_none(), "{out}");
    assert_eq!(report["api"]["config_source"], "sdk");
    // Item 7: the account and principal the lookups used (moto's default account).
    let who = report["aws_identity"].as_str().unwrap_or("");
    assert!(who.starts_with("account 123456789012 · arn:aws:"), "{out}");

    // --path naming a resource without OPTIONS, while the live preflight passes: reported as
    // a contradiction (warning), never as a failure.
    let a = flags(&["--path", "/other"]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, report, out) = check(&a, &[]).await;
    assert_eq!(code, 0, "{out}");
    let f = finding(&report, "OPTIONS_MISSING").expect("the contradiction is reported");
    assert_eq!(f["severity"], "warning", "{out}");
    assert!(
        f["message"].as_str().unwrap().contains("Contradiction"),
        "{out}"
    );
    assert_eq!(step_status(&report, 3), "warn", "{out}");

    // A second resource that fits /v1/res as well as /res does: ambiguous, no guess.
    let tenant = api.resource(&api.root, "{tenant}").await;
    api.healthy(&tenant, "res").await;
    api.deploy().await;
    let a = flags(&[]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, report, out) = check(&a, &[]).await;
    assert_eq!(code, 0, "{out}");
    let why = report["api"]["resource_unresolved"].as_str().unwrap_or("");
    assert!(why.contains("--path"), "{out}");
    assert!(report["api"]["resource"].is_null(), "{out}");
    assert!(finding(&report, "OPTIONS_MISSING").is_none(), "{out}");
    assert_eq!(step_status(&report, 3), "pass", "{out}");
    server.shutdown().await;

    // The same ambiguity with a preflight that fails: the probes' finding stands, and its
    // commands guess no resource (placeholders, never one of the candidates' ids).
    let failing = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        ..healthy_gateway()
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/v1/res", failing.base_url());
    let (code, report, out) = check(
        &[
            &url,
            "--api-id",
            &api.id,
            "--stage",
            "prod",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(finding(&report, "OPTIONS_NOT_DEPLOYED").is_none(), "{out}");
    let f = finding(&report, "OPTIONS_MISSING").expect("the probes' finding");
    let cmds = commands(f);
    // Neither a guessed id nor the URL's path: the resource is looked up by a path the user sets.
    assert!(cmds.contains("--resource-id \"$RESOURCE_ID\""), "{cmds}");
    assert!(cmds.contains("items[?path=='$RESOURCE_PATH']"), "{cmds}");
    assert!(!cmds.contains("/v1/res") && !cmds.contains('<'), "{cmds}");
    failing.shutdown().await;
}

/// Item 1, with a custom domain: `--api-id` and a URL on the domain: the base path mapping
/// places the resource path exactly, even where the API's resources alone are ambiguous.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_path_mapping_places_the_resource_path() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "mapped").await;
    api.healthy(&api.root, "res").await;
    let tenant = api.resource(&api.root, "{tenant}").await;
    api.healthy(&tenant, "res").await;
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
    // As `check https://DOMAIN/v1/res --api-id ID` plans it (the lookup only: probing the
    // domain would leave loopback).
    let args = cors_doctor::cli::TargetArgs {
        url: Some(format!("https://{domain}/v1/res")),
        origin: Some(ORIGIN.into()),
        api_id: Some(api.id.clone()),
        region: Some("us-east-1".into()),
        endpoint_url: Some(ep.clone()),
        ..Default::default()
    };
    let plan = args
        .resolve(&cors_doctor::config::Config::default())
        .unwrap();
    let source =
        cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions::from_plan(&plan));
    let request = cors_doctor::aws::ConfigRequest {
        api_ref: Some(cors_doctor::target::ApiRef {
            api_id: api.id.clone(),
            region: "us-east-1".into(),
            stage: None,
            path: "/v1/res".into(),
        }),
        url_path: Some("/v1/res".into()),
        path: None,
        stage: None,
        prefix_unknown: true,
    };
    use cors_doctor::aws::ConfigSource;
    let loaded = source.load(&request).await.expect("loads");
    assert_eq!(loaded.stage.as_deref(), Some("prod"));
    assert_eq!(loaded.path, "/res");
    assert_eq!(loaded.unresolved, None);
}

/// Item 3: OPTIONS exists (and is open) in the configuration, the live preflight gets 403
/// Missing Authentication Token: OPTIONS_NOT_DEPLOYED and create-deployment, never put-method.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_in_the_configuration_but_missing_live_is_not_deployed() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "undeployed").await;
    api.healthy(&api.root, "items").await;
    api.deploy().await;
    let server = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        ..healthy_gateway()
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let (code, report, out) = check(
        &[
            &url,
            "--api-id",
            &api.id,
            "--stage",
            "prod",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(report["first_failing_step"], 3, "{out}");
    let f = finding(&report, "OPTIONS_NOT_DEPLOYED").expect("not deployed");
    let cmds = commands(f);
    assert!(
        cmds.contains(&format!(
            "aws apigateway create-deployment --rest-api-id {} --stage-name prod",
            api.id
        )),
        "{cmds}"
    );
    assert!(finding(&report, "OPTIONS_MISSING").is_none(), "{out}");
    assert!(!out.contains("put-method "), "{out}");
    assert!(
        !out.contains("the API configuration would tell which"),
        "{out}"
    );
    server.shutdown().await;
}

/// Item 4: a non-proxy method that neither declares nor maps Access-Control-Allow-Origin is a
/// finding with commands for that method, like OPTIONS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_that_never_sends_allow_origin() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "no-allow-origin").await;
    let rid = api.resource(&api.root, "items").await;
    api.method(&rid, "OPTIONS", &PREFLIGHT_HEADERS).await;
    api.method(&rid, "GET", &[]).await;
    api.deploy().await;
    let (code, report, out) = check(
        &[
            "--api-id",
            &api.id,
            "--stage",
            "prod",
            "--path",
            "/items",
            "-X",
            "GET",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    let f = finding(&report, "HEADER_NOT_MAPPED").expect("the GET method is checked");
    assert!(
        f["message"].as_str().unwrap().starts_with("GET /items"),
        "{out}"
    );
    let cmds = commands(f);
    assert!(
        cmds.contains(&format!(
            "update-method-response --rest-api-id {} --resource-id {rid} --http-method GET --status-code 200",
            api.id
        )),
        "{cmds}"
    );
    assert!(
        cmds.contains("update-integration-response") && cmds.contains("--http-method GET"),
        "{cmds}"
    );
    // The printed fix, run by the real AWS CLI against moto, makes the finding go away.
    let cli = aws::aws_cli_path();
    if !cli.exists() {
        assert!(
            std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_none(),
            "no AWS CLI at {}",
            cli.display()
        );
        return;
    }
    let list: Vec<String> = cmds.lines().map(str::to_string).collect();
    if let Err(e) = aws::run_commands(&ep, &cli, &list, &[]).await {
        panic!("the fix fails:\n{cmds}\n---\n{e}");
    }
    let (_, after, out) = check(
        &[
            "--api-id",
            &api.id,
            "--stage",
            "prod",
            "--path",
            "/items",
            "-X",
            "GET",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert!(finding(&after, "HEADER_NOT_MAPPED").is_none(), "{out}");
}

/// Item 8: the observed gateway error lacks Allow-Origin while the configuration has it on
/// DEFAULT_4XX: say why (not deployed / a customized type overrides it) and give that fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_responses_that_disagree_with_the_configuration() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = Rest::new(&ep, "gateway-responses").await;
    api.healthy(&api.root, "items").await;
    api.gateway_response(GatewayResponseType::Default4Xx, true)
        .await;
    api.deploy().await;
    let server = FakeGateway {
        actual: Canned::gateway(401, "UnauthorizedException", "Unauthorized"),
        ..healthy_gateway()
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let args = [
        url.as_str(),
        "--api-id",
        &api.id,
        "--stage",
        "prod",
        "--endpoint-url",
        &ep,
        "--region",
        "us-east-1",
    ];
    let (code, report, out) = check(&args, &[]).await;
    assert_eq!(code, 1, "{out}");
    let f = finding(&report, "GATEWAY_RESPONSE_NO_CORS").expect("step 6");
    assert!(
        f["message"].as_str().unwrap().contains("not deployed"),
        "{out}"
    );
    let cmds = commands(f);
    assert!(cmds.contains("create-deployment"), "{cmds}");
    assert!(!cmds.contains("put-gateway-response"), "{cmds}");

    // A customized UNAUTHORIZED without the header overrides DEFAULT_4XX.
    api.gateway_response(GatewayResponseType::Unauthorized, false)
        .await;
    api.deploy().await;
    let (_, report, out) = check(&args, &[]).await;
    let f = finding(&report, "GATEWAY_RESPONSE_NO_CORS").expect("step 6");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("overrides DEFAULT_4XX"),
        "{out}"
    );
    let cmds = commands(f);
    assert!(
        cmds.contains("update-gateway-response") && cmds.contains("--response-type UNAUTHORIZED"),
        "{cmds}"
    );
    assert!(!cmds.contains("--response-type DEFAULT_4XX"), "{cmds}");
    // Both fixes run through the real AWS CLI against moto; the UNAUTHORIZED response then
    // carries the header (read back from moto).
    let cli = aws::aws_cli_path();
    if cli.exists() {
        let list: Vec<String> = cmds.lines().map(str::to_string).collect();
        if let Err(e) = aws::run_commands(&ep, &cli, &list, &[]).await {
            panic!("the fix fails:\n{cmds}\n---\n{e}");
        }
        let got = aws::v1(&ep)
            .get_gateway_response()
            .rest_api_id(&api.id)
            .response_type(GatewayResponseType::Unauthorized)
            .send()
            .await
            .expect("the gateway response reads back");
        let params = got.response_parameters().cloned().unwrap_or_default();
        assert_eq!(
            params
                .get("gatewayresponse.header.Access-Control-Allow-Origin")
                .map(String::as_str),
            Some("'https://app.example.com'"),
            "{params:?}"
        );
    } else {
        assert!(
            std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_none(),
            "no AWS CLI at {}",
            cli.display()
        );
    }
    server.shutdown().await;
}

/// Item 2, the SDK path: an HTTP API with a cors_configuration and a JWT-authorized `$default`
/// route: OPTIONS_AUTHORIZED with the documented fix (an OPTIONS /{proxy+} route without
/// authorization, attached to the integration), not "configure CORS".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_default_route_with_an_authorizer_and_cors_configured() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let c = aws::v2(&ep);
    let api = c
        .create_api()
        .name("notes")
        .protocol_type(v2t::ProtocolType::Http)
        .cors_configuration(
            v2t::Cors::builder()
                .allow_origins(ORIGIN)
                .allow_methods("GET")
                .allow_headers("authorization")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let id = api.api_id.unwrap();
    let integration = c
        .create_integration()
        .api_id(&id)
        .integration_type(v2t::IntegrationType::AwsProxy)
        .integration_uri("arn:aws:lambda:us-east-1:123456789012:function:notes")
        .payload_format_version("2.0")
        .send()
        .await
        .unwrap()
        .integration_id
        .unwrap();
    let authorizer = c
        .create_authorizer()
        .api_id(&id)
        .name("jwt")
        .authorizer_type(v2t::AuthorizerType::Jwt)
        .identity_source("$request.header.Authorization")
        .jwt_configuration(
            v2t::JwtConfiguration::builder()
                .issuer("https://issuer.example")
                .audience("a")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .authorizer_id
        .unwrap();
    c.create_route()
        .api_id(&id)
        .route_key("$default")
        .authorization_type(v2t::AuthorizationType::Jwt)
        .authorizer_id(&authorizer)
        .target(format!("integrations/{integration}"))
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
    let (code, report, out) = check(
        &[
            "--api-id",
            &id,
            "--stage",
            "$default",
            "--path",
            "/notes",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(report["first_failing_step"], 4, "{out}");
    let f = finding(&report, "OPTIONS_AUTHORIZED").expect("step 4");
    let cmds = commands(f);
    assert!(
        cmds.contains(&format!(
            "aws apigatewayv2 create-route --api-id {id} --route-key 'OPTIONS /{{proxy+}}' --authorization-type NONE --target integrations/{integration}"
        )),
        "{cmds}"
    );
    assert!(!cmds.contains("--cors-configuration"), "{cmds}");
}

/// Items 5 and 6: a stage the API does not have, an API id that does not exist, an endpoint
/// that does not answer and one that is not a URL: each says what failed, and exits 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_asked_for_and_not_found_is_an_error() {
    let server = healthy_gateway().start(Duration::ZERO).await;
    let url = format!("{}/v1/items", server.base_url());
    // Nothing listens on port 1 of loopback.
    let (code, _, out) = check(
        &[
            &url,
            "--api-id",
            "abc123",
            "--endpoint-url",
            "http://127.0.0.1:1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("could not reach the API Gateway endpoint http://127.0.0.1:1/"),
        "{out}"
    );
    for garbage in ["not a url", "ftp://127.0.0.1", "http://"] {
        let (code, _, out) = check(
            &[&url, "--api-id", "abc123", "--endpoint-url", garbage],
            &[],
        )
        .await;
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("invalid --endpoint-url"), "{out}");
        assert!(!out.contains("Error {") && !out.contains("kind:"), "{out}");
    }
    // The same from the environment, as the AWS CLI reads it.
    let (code, _, out) = check(
        &[&url, "--api-id", "abc123", "--region", "us-east-1"],
        &[("AWS_ENDPOINT_URL", "not a url")],
    )
    .await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("Check AWS_ENDPOINT_URL"), "{out}");
    assert!(!out.contains("Error {") && !out.contains("kind:"), "{out}");
    let Some(ep) = aws::moto_endpoint() else {
        server.shutdown().await;
        return;
    };
    let (code, _, out) = check(
        &[
            &url,
            "--api-id",
            "zzz999",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("API zzz999 not found in us-east-1 (REST or HTTP"),
        "{out}"
    );

    let api = Rest::new(&ep, "stages").await;
    api.healthy(&api.root, "items").await;
    api.deploy().await;
    let (code, _, out) = check(
        &[
            &url,
            "--api-id",
            &api.id,
            "--stage",
            "prd",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("has no stage 'prd'; its stages are: prod"),
        "{out}"
    );
    server.shutdown().await;
}

/// Item 7: an explicit `--profile` wins over AWS_ACCESS_KEY_ID in the environment (as in the
/// AWS CLI): the control plane sees the profile's key. A mistyped profile names those that
/// exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_profile_wins_over_environment_credentials() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let handler = Arc::new(move |req: HttpRequest| -> HttpResponse {
        if let Some(a) = req.headers.get("authorization") {
            record.lock().unwrap().push(a.to_string());
        }
        HttpResponse {
            status: 404,
            headers: Headers::new()
                .with("content-type", "application/json")
                .with("x-amzn-ErrorType", "NotFoundException"),
            body: b"{\"message\":\"Invalid API identifier specified\"}".to_vec(),
        }
    });
    let control = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("cors-doctor-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let creds = dir.join("credentials");
    std::fs::write(
        &creds,
        "[ops]\naws_access_key_id = AKIDPROFILEOPS000001\naws_secret_access_key = profilesecret\n\n[dev]\naws_access_key_id = AKIDPROFILEDEV000001\naws_secret_access_key = devsecret\n",
    )
    .unwrap();
    let env = [
        ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT00001"),
        ("AWS_SECRET_ACCESS_KEY", "envsecret"),
    ];
    let ep = control.base_url();
    let base = [
        "--api-id",
        "abc123",
        "--stage",
        "prod",
        "--path",
        "/items",
        "--endpoint-url",
        ep.as_str(),
        "--region",
        "us-east-1",
    ];
    let mut args = base.to_vec();
    args.extend(["--profile", "ops"]);
    let (code, _, out) = check(&args, &env).await;
    assert_eq!(code, 2, "the API does not exist: {out}");
    let seen_keys = seen.lock().unwrap().clone();
    assert!(!seen_keys.is_empty(), "{out}");
    assert!(
        seen_keys
            .iter()
            .all(|a| a.contains("Credential=AKIDPROFILEOPS000001/")),
        "{seen_keys:?}"
    );
    // Without --profile, the environment's key is used.
    seen.lock().unwrap().clear();
    let _ = check(&base, &env).await;
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|a| a.contains("Credential=AKIDENVIRONMENT00001/")),
        "{out}"
    );
    // A mistyped profile: exit 2, naming the profiles that exist.
    let mut args = base.to_vec();
    args.extend(["--profile", "opss"]);
    let (code, _, out) = check(&args, &env).await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("AWS profile 'opss' not found; the profiles that exist are: dev, ops"),
        "{out}"
    );
    assert!(
        !out.contains("profilesecret") && !out.contains("envsecret"),
        "{out}"
    );
    control.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Items 10 and 11: an HTTP API's 401 comes from the route's authorizer, not "the integration";
/// probes only behind a long prefix, the commands leave the resource path as a placeholder
/// instead of repeating the URL's path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attribution_and_the_resource_path_in_probes_only_mode() {
    let out = common::cors_doctor(common::args(&[
        "demo",
        "http-api-default-route-jwt-cors",
        "--format",
        "json",
    ]))
    .await;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let step3 = &report["steps"][2]["summary"];
    assert!(
        step3.as_str().unwrap().contains("the route's authorizer"),
        "{step3}"
    );
    assert!(!report.to_string().contains("from the integration"));
    assert_eq!(report["exchanges"][0]["answered_by"], "gateway");

    // Offline, without a token: the actual request meets the authorizer too. HTTP APIs have
    // no gateway responses: the fix is the cause, not a gateway response.
    let export = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/http-api-default-route-jwt-cors.json"
    );
    let out = common::cors_doctor(common::args(&[
        "check",
        "--format",
        "json",
        "--openapi",
        export,
        "--stage",
        "$default",
        "--path",
        "/notes",
        "--origin",
        ORIGIN,
        "-H",
        "X-Trace: 1",
    ]))
    .await;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actual = report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "actual")
        .unwrap();
    assert_eq!(actual["response"]["status"], 401);
    assert_eq!(actual["answered_by"], "gateway");
    let f = finding(&report, "GATEWAY_RESPONSE_NO_CORS").expect("step 6");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("the route's authorizer"), "{message}");
    assert!(
        message.contains("HTTP APIs add no CORS headers"),
        "{message}"
    );
    assert_eq!(commands(f), "", "no gateway response to customize");

    let server = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        ..healthy_gateway()
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/edge/v2/shop/items", server.base_url());
    let (code, report, out) = check(&[&url, "--no-aws"], &[]).await;
    assert_eq!(code, 1, "{out}");
    let f = finding(&report, "OPTIONS_MISSING").expect("step 3");
    let cmds = commands(f);
    assert!(cmds.contains("items[?path=='$RESOURCE_PATH']"), "{cmds}");
    assert!(
        !cmds.contains("/edge/v2/shop/items") && !cmds.contains('<'),
        "{cmds}"
    );
    server.shutdown().await;
}
