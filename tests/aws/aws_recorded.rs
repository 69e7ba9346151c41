//! The SDK source against recorded API Gateway responses served on loopback: the real SDK
//! deserializers, the null-template repair, the deployment's apiSummary (OPTIONS_NOT_DEPLOYED),
//! a partial load (AccessDenied on gateway responses → step 6 unknown, naming the IAM action
//! and ARN), the call budget, and credentials errors (exit 2 with the next command).
//! Recorded bodies follow real API Gateway's wire format (`item` lists, null templates).

use crate::support as aws;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cors_doctor::diagnose::StepStatus;
use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;

const API: &str = "abc123";

/// The OPTIONS method as the console's "Enable CORS" leaves it: an empty template comes back
/// as `null`, and Allow-Headers is declared but not mapped.
const RESOURCES: &str = r#"{"item":[
 {"id":"root1","path":"/"},
 {"id":"res42","parentId":"root1","pathPart":"items","path":"/items","resourceMethods":{
  "PUT":{"httpMethod":"PUT","authorizationType":"NONE","apiKeyRequired":false,
   "methodResponses":{"200":{"statusCode":"200","responseParameters":{"method.response.header.Access-Control-Allow-Origin":false}}},
   "methodIntegration":{"type":"MOCK","requestTemplates":{"application/json":"{\"statusCode\": 200}"},"passthroughBehavior":"WHEN_NO_MATCH","timeoutInMillis":29000,"cacheNamespace":"res42","cacheKeyParameters":[],
    "integrationResponses":{"200":{"statusCode":"200","responseParameters":{"method.response.header.Access-Control-Allow-Origin":"'https://app.example.com'"},"responseTemplates":{"application/json":null}}}}},
  "OPTIONS":{"httpMethod":"OPTIONS","authorizationType":"NONE","apiKeyRequired":false,
   "methodResponses":{"200":{"statusCode":"200","responseParameters":{"method.response.header.Access-Control-Allow-Headers":false,"method.response.header.Access-Control-Allow-Methods":false,"method.response.header.Access-Control-Allow-Origin":false},"responseModels":{"application/json":"Empty"}}},
   "methodIntegration":{"type":"MOCK","requestTemplates":{"application/json":"{\"statusCode\": 200}"},"passthroughBehavior":"WHEN_NO_MATCH","timeoutInMillis":29000,"cacheNamespace":"res42","cacheKeyParameters":[],
    "integrationResponses":{"200":{"statusCode":"200","responseParameters":{"method.response.header.Access-Control-Allow-Methods":"'PUT,OPTIONS'","method.response.header.Access-Control-Allow-Origin":"'https://app.example.com'"},"responseTemplates":{"application/json":null}}}}}}}
]}"#;

/// Answers like API Gateway's control plane; `deny_gateway_responses` makes that one call 403.
fn handler(
    log: Arc<Mutex<Vec<String>>>,
    deny_gateway_responses: bool,
    deployed_options: bool,
) -> cors_doctor::sim::server::Handler {
    Arc::new(move |req: HttpRequest| {
        let path = req.path_and_query.clone();
        if let Ok(mut l) = log.lock() {
            l.push(format!("{} {path}", req.method));
        }
        let base = format!("/restapis/{API}");
        let route = path.split('?').next().unwrap_or_default().to_string();
        let (status, body, error_type) = if route == base {
            (
                200,
                format!(r#"{{"id":"{API}","name":"shop","apiKeySource":"HEADER"}}"#),
                None,
            )
        } else if route == format!("{base}/resources") {
            (200, RESOURCES.to_string(), None)
        } else if route == format!("{base}/stages/prod") {
            (
                200,
                r#"{"stageName":"prod","deploymentId":"dep1","methodSettings":{},"variables":{}}"#
                    .to_string(),
                None,
            )
        } else if route == format!("{base}/deployments/dep1") {
            let verbs = if deployed_options {
                r#"{"PUT":{"authorizationType":"NONE","apiKeyRequired":false},"OPTIONS":{"authorizationType":"NONE","apiKeyRequired":false}}"#
            } else {
                r#"{"PUT":{"authorizationType":"NONE","apiKeyRequired":false}}"#
            };
            (
                200,
                format!(
                    r#"{{"id":"dep1","description":"first","apiSummary":{{"/items":{verbs}}}}}"#
                ),
                None,
            )
        } else if route == format!("{base}/authorizers") {
            (200, r#"{"item":[]}"#.to_string(), None)
        } else if route == format!("{base}/gatewayresponses") && deny_gateway_responses {
            (403, r#"{"Message":"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::/restapis/abc123/gatewayresponses"}"#.to_string(), Some("AccessDeniedException"))
        } else if route == format!("{base}/gatewayresponses") {
            (200, r#"{"item":[
              {"responseType":"DEFAULT_4XX","statusCode":null,"defaultResponse":true,"responseParameters":{},"responseTemplates":{"application/json":"{\"message\":$context.error.messageString}"}},
              {"responseType":"UNAUTHORIZED","statusCode":"401","defaultResponse":false,"responseParameters":{"gatewayresponse.header.Access-Control-Allow-Origin":"'https://app.example.com'"},"responseTemplates":{"application/json":null}}
            ]}"#.to_string(), None)
        } else {
            (
                404,
                r#"{"message":"Invalid REST API identifier specified"}"#.to_string(),
                Some("NotFoundException"),
            )
        };
        let mut headers = Headers::new()
            .with("Content-Type", "application/json")
            .with("x-amzn-RequestId", "rec-1");
        if let Some(t) = error_type {
            headers.push("x-amzn-ErrorType", t);
        }
        HttpResponse {
            status,
            headers,
            body: body.into_bytes(),
        }
    })
}

async fn recorded(deny: bool, deployed_options: bool) -> (SimServer, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler(log.clone(), deny, deployed_options),
        Duration::ZERO,
    )
    .await
    .expect("listen on loopback");
    (server, log)
}

#[tokio::test]
async fn null_templates_are_read_through_the_sdk_deserializer() {
    let (server, log) = recorded(false, true).await;
    aws::seal_env();
    let plan = aws::offline_plan(
        &server.base_url(),
        API,
        "prod",
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
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
        .expect("the recorded API loads despite null templates");
    let items = loaded.api.resource("/items").expect("/items");
    assert_eq!(items.id.as_deref(), Some("res42"));
    let options = items.method("OPTIONS").expect("OPTIONS");
    let ir = &options.integration.as_ref().expect("integration").responses[0];
    assert_eq!(
        ir.response_templates.get("application/json"),
        Some(&None),
        "a null template reads as None"
    );
    assert_eq!(
        ir.mapped_header("Access-Control-Allow-Methods"),
        Some("'PUT,OPTIONS'")
    );
    assert!(options
        .response("200")
        .expect("200")
        .declares("Access-Control-Allow-Headers"));
    // Only the customized gateway response is kept.
    let types: Vec<&str> = loaded
        .api
        .gateway_responses
        .iter()
        .map(|g| g.response_type.as_str())
        .collect();
    assert_eq!(types, ["UNAUTHORIZED"]);
    assert_eq!(loaded.api.region.as_deref(), Some("us-east-1"));
    assert!(loaded.gaps.is_empty(), "{:?}", loaded.gaps);
    assert_eq!(source.calls(), 6, "{:?}", log.lock().map(|l| l.clone()));
    let log = log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(
        log.iter()
            .any(|l| l.contains("embed=methods") && l.contains("limit=500")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.contains("embed=apisummary")),
        "{log:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn options_added_after_the_deployment_is_not_deployed() {
    let (server, _log) = recorded(false, false).await;
    let plan = aws::offline_plan(
        &server.base_url(),
        API,
        "prod",
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
    let report = aws::diagnose(&plan).await;
    let codes = aws::codes(&report);
    assert!(
        codes.contains(&"OPTIONS_NOT_DEPLOYED".to_string()),
        "{codes:?}"
    );
    assert_eq!(report.first_failing_step, Some(3));
    assert!(
        aws::commands(&report)
            .contains("aws apigateway create-deployment --rest-api-id abc123 --stage-name prod"),
        "{}",
        aws::commands(&report)
    );
    assert_eq!(
        report.api.config_source,
        cors_doctor::diagnose::ConfigSourceName::Sdk
    );
    assert_eq!(report.api.id.as_deref(), Some(API));
    assert_eq!(report.aws_calls, 6);
    assert!(report.json().contains("\"aws_calls\": 6"));
    server.shutdown().await;
}

#[tokio::test]
async fn declared_but_unmapped_headers_get_commands_with_the_real_ids() {
    let (server, _log) = recorded(false, true).await;
    let plan = aws::offline_plan(
        &server.base_url(),
        API,
        "prod",
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
    let report = aws::diagnose(&plan).await;
    let codes = aws::codes(&report);
    assert!(
        codes.contains(&"HEADER_NOT_MAPPED".to_string()),
        "{codes:?}"
    );
    let commands = aws::commands(&report);
    assert!(
        commands.contains("--rest-api-id abc123") && commands.contains("--resource-id res42"),
        "{commands}"
    );
    assert!(
        !commands.contains("<rest-api-id>") && !commands.contains("<resource-id>"),
        "{commands}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn access_denied_on_gateway_responses_makes_step_6_unknown() {
    let (server, _log) = recorded(true, true).await;
    let plan = aws::offline_plan(
        &server.base_url(),
        API,
        "prod",
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
    let report = aws::diagnose(&plan).await;
    let step6 = report.step(6).expect("step 6");
    assert_eq!(step6.status, StepStatus::Unknown, "{step6:?}");
    assert!(
        step6.summary.contains(
            "apigateway:GET on arn:aws:apigateway:us-east-1::/restapis/abc123/gatewayresponses"
        ),
        "{}",
        step6.summary
    );
    // The rest of the configuration still counts.
    assert!(aws::codes(&report).contains(&"HEADER_NOT_MAPPED".to_string()));
    server.shutdown().await;
}

#[tokio::test]
async fn wrong_region_names_the_region() {
    let (server, _log) = recorded(false, true).await;
    let plan = aws::offline_plan(&server.base_url(), "zzz999", "prod", "/items", "PUT", &[]);
    aws::seal_env();
    let source = cors_doctor::app::config_source(&plan)
        .expect("source")
        .expect("sdk");
    let err = cors_doctor::runner::run(&plan, Some(source), None)
        .await
        .expect_err("nothing to predict from");
    assert!(
        err.to_string()
            .contains("API zzz999 not found in us-east-1 (REST or HTTP"),
        "{err}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_binary_reports_aws_calls_and_missing_credentials_exit_2() {
    let (server, _log) = recorded(false, false).await;
    let endpoint = server.base_url();
    let args = [
        "check",
        "--api-id",
        API,
        "--stage",
        "prod",
        "--path",
        "/items",
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "--origin",
        "https://app.example.com",
        "--endpoint-url",
        &endpoint,
        "--region",
        "us-east-1",
        "--format",
        "json",
    ];
    let out = aws::run_bin(&args, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["aws_calls"], 6);
    assert_eq!(json["first_failing_step"], 3);

    // No credentials anywhere: exit 2 before anything else, with the next command.
    let out = aws::run_bin(
        &args,
        &[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("next: aws configure"), "{stderr}");

    // An SSO profile without a login: aws sso login --profile dev.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n").expect("write config");
    let config = config.to_string_lossy().to_string();
    let home = dir.path().to_string_lossy().to_string();
    let mut with_profile = args.to_vec();
    with_profile.extend(["--profile", "dev"]);
    let out = aws::run_bin(
        &with_profile,
        &[
            ("AWS_ACCESS_KEY_ID", ""),
            ("AWS_SECRET_ACCESS_KEY", ""),
            ("AWS_CONFIG_FILE", &config),
            ("HOME", &home),
        ],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("aws sso login --profile dev"), "{stderr}");
    server.shutdown().await;
}

/// Throttling: the SDK's adaptive retry absorbs a few TooManyRequestsException answers.
#[tokio::test]
async fn throttled_calls_are_retried() {
    let throttled = Arc::new(std::sync::atomic::AtomicU32::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let inner = handler(log, false, true);
    let t = throttled.clone();
    let flaky: cors_doctor::sim::server::Handler = Arc::new(move |req: HttpRequest| {
        if req.path_and_query.contains("/resources")
            && t.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2
        {
            return HttpResponse {
                status: 429,
                headers: Headers::new()
                    .with("Content-Type", "application/json")
                    .with("x-amzn-ErrorType", "TooManyRequestsException"),
                body: br#"{"message":"Too Many Requests"}"#.to_vec(),
            };
        }
        inner(req)
    });
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        flaky,
        Duration::ZERO,
    )
    .await
    .expect("listen");
    let mut plan = aws::offline_plan(
        &server.base_url(),
        API,
        "prod",
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
    // After throttling, the SDK's adaptive retry slows every later call: the lookups take
    // about 10 s here, the default --timeout that now bounds them.
    plan.timeout = Duration::from_secs(40);
    let report = aws::diagnose(&plan).await;
    assert_eq!(
        report.api.config_source,
        cors_doctor::diagnose::ConfigSourceName::Sdk
    );
    assert!(aws::codes(&report).contains(&"HEADER_NOT_MAPPED".to_string()));
    assert_eq!(
        throttled.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "two throttled attempts, then success"
    );
    assert_eq!(report.aws_calls, 6, "retries are not extra calls");
    server.shutdown().await;
}

/// The trap is real: the bare SDK (without cors-doctor's repair) refuses the same body.
#[tokio::test]
async fn the_bare_sdk_refuses_null_templates() {
    let (server, _log) = recorded(false, true).await;
    let conf = aws_sdk_apigateway::Config::builder()
        .behavior_version(aws_sdk_apigateway::config::BehaviorVersion::latest())
        .region(aws_sdk_apigateway::config::Region::new("us-east-1"))
        .endpoint_url(server.base_url())
        .credentials_provider(aws_sdk_apigateway::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let client = aws_sdk_apigateway::Client::from_conf(conf);
    let err = client
        .get_resources()
        .rest_api_id(API)
        .embed("methods")
        .send()
        .await
        .expect_err("null map values are refused");
    let text = format!("{err:?}");
    assert!(text.contains("null"), "{text}");
    server.shutdown().await;
}

/// A custom domain's mappings without permission (403 AccessDeniedException on
/// `/domainnames/…`): with `--api-id` the API still loads and the mappings are a gap naming
/// the IAM action and ARN; without it (the domain is the only way to the API) the
/// configuration is unavailable with that reason, and the run goes on with the probes.
#[tokio::test]
async fn denied_domain_mappings_degrade_to_a_gap() {
    aws::seal_env();
    let log = Arc::new(Mutex::new(Vec::new()));
    let inner = handler(log.clone(), false, true);
    let denied: cors_doctor::sim::server::Handler = Arc::new(move |req: HttpRequest| {
        if req.path_and_query.starts_with("/domainnames/") {
            return HttpResponse {
                status: 403,
                headers: Headers::new()
                    .with("Content-Type", "application/json")
                    .with("x-amzn-ErrorType", "AccessDeniedException"),
                body: br#"{"Message":"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET"}"#.to_vec(),
            };
        }
        inner(req)
    });
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        denied,
        Duration::ZERO,
    )
    .await
    .expect("listen on loopback");
    use cors_doctor::aws::ConfigSource;
    let options = cors_doctor::aws::sdk::SdkOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(server.base_url()),
        url_path: Some("/v1/items".into()),
        max_attempts: Some(1),
        ..Default::default()
    };
    // --api-id with a URL on the domain.
    let source = cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions {
        domain_hint: Some("api.example.com".into()),
        stage: Some("prod".into()),
        ..options.clone()
    });
    let request = cors_doctor::aws::ConfigRequest {
        api_ref: Some(cors_doctor::target::ApiRef {
            api_id: API.into(),
            region: "us-east-1".into(),
            stage: Some("prod".into()),
            path: "/v1/items".into(),
        }),
        url_path: Some("/v1/items".into()),
        path: None,
        stage: Some("prod".into()),
        prefix_unknown: true,
    };
    let loaded = source.load(&request).await.expect("the API still loads");
    assert_eq!(loaded.api.id.as_deref(), Some(API));
    assert!(loaded.front.custom_domain.is_none());
    let gap = loaded
        .gaps
        .iter()
        .find(|g| g.what == "custom domain's base path mappings")
        .unwrap_or_else(|| panic!("{:?}", loaded.gaps));
    assert!(
        gap.reason.contains(
            "missing permission apigateway:GET on arn:aws:apigateway:us-east-1::/domainnames/api.example.com/basepathmappings"
        ),
        "{}",
        gap.reason
    );
    // Only the domain names the API: unavailable, saying why.
    let source = cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions {
        custom_domain: Some("api.example.com".into()),
        ..options
    });
    let request = cors_doctor::aws::ConfigRequest {
        url_path: Some("/v1/items".into()),
        ..Default::default()
    };
    let err = source
        .load(&request)
        .await
        .expect_err("no API without the mappings");
    assert!(
        err.0.contains("missing permission apigateway:GET") && err.0.contains("basepathmappings"),
        "{}",
        err.0
    );
    server.shutdown().await;
}
