//! `audit` against moto: an account of 63 APIs (REST and HTTP) in a Region of its own (other
//! tests share moto's us-east-1), each trap planted in some, clean ones in others. Every
//! planted trap is found on its API, the clean ones have no finding, only Get* operations are
//! issued, and the calls grow linearly (≤ 6 per REST API of one stage, 4 per HTTP API, plus
//! the listings).

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_apigateway::types::{AuthorizerType, GatewayResponseType};
use aws_sdk_apigatewayv2::types as v2t;
use cors_doctor::audit::{audit, ApiStatus, AuditOptions, AuditReport};
use cors_doctor::aws::sdk::throttle::Quota;

use super::{ALL, ALLOW, ORIGIN};
use crate::support as aws;

/// A Region no other test uses.
const REGION: &str = "eu-west-3";
/// How many APIs of each kind.
const EACH: usize = 7;

fn v1(ep: &str, region: &'static str) -> aws_sdk_apigateway::Client {
    let conf = aws_sdk_apigateway::Config::builder()
        .behavior_version(aws_sdk_apigateway::config::BehaviorVersion::latest())
        .region(aws_sdk_apigateway::config::Region::new(region))
        .endpoint_url(ep)
        .credentials_provider(aws::creds())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_apigateway::Client::from_conf(conf)
}

fn v2(ep: &str, region: &'static str) -> aws_sdk_apigatewayv2::Client {
    let conf = aws_sdk_apigatewayv2::Config::builder()
        .behavior_version(aws_sdk_apigatewayv2::config::BehaviorVersion::latest())
        .region(aws_sdk_apigatewayv2::config::Region::new(region))
        .endpoint_url(ep)
        .credentials_provider(aws::creds())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_apigatewayv2::Client::from_conf(conf)
}

/// The kinds of API planted, and the code each must (and only it may) show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    RestClean,
    OptionsMissing,
    OptionsAuthorized,
    HeaderNotMapped,
    NoGatewayResponses,
    /// A resource policy that allows PUT but not OPTIONS: every preflight is denied.
    PolicyOmitsOptions,
    HttpClean,
    HttpOriginMissing,
    HttpNoCors,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::RestClean,
        Kind::OptionsMissing,
        Kind::OptionsAuthorized,
        Kind::HeaderNotMapped,
        Kind::NoGatewayResponses,
        Kind::PolicyOmitsOptions,
        Kind::HttpClean,
        Kind::HttpOriginMissing,
        Kind::HttpNoCors,
    ];

    /// The finding that proves the trap was found (`None`: a clean API).
    fn trap(self) -> Option<&'static str> {
        match self {
            Kind::RestClean | Kind::HttpClean => None,
            Kind::OptionsMissing => Some("OPTIONS_MISSING"),
            Kind::OptionsAuthorized => Some("OPTIONS_AUTHORIZED"),
            Kind::HeaderNotMapped => Some("HEADER_NOT_MAPPED"),
            Kind::NoGatewayResponses => Some("GATEWAY_RESPONSES_UNCONFIGURED"),
            Kind::PolicyOmitsOptions => Some("RESOURCE_POLICY_DENIED"),
            Kind::HttpOriginMissing => Some("PREFLIGHT_CORS_HEADERS"),
            Kind::HttpNoCors => Some("OPTIONS_MISSING"),
        }
    }

    fn is_http(self) -> bool {
        matches!(
            self,
            Kind::HttpClean | Kind::HttpOriginMissing | Kind::HttpNoCors
        )
    }
}

async fn rest_api(ep: &str, region: &'static str, name: &str, kind: Kind) -> String {
    let c = v1(ep, region);
    let mut create = c.create_rest_api().name(name);
    if kind == Kind::PolicyOmitsOptions {
        create = create.policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/PUT/*"}]}"#,
        );
    }
    let id = create.send().await.unwrap().id.unwrap();
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
    let api = aws::Rest {
        c,
        ep: ep.to_string(),
        id: id.clone(),
        root,
    };
    let items = api.resource(&api.root, "items").await;
    // A fixed allowed origin, with Vary: Origin (else an info note says caches may mix).
    let put_headers: Vec<(&str, &str)> = if kind == Kind::HeaderNotMapped {
        Vec::new()
    } else {
        vec![ALLOW[0], ("Vary", "'Origin'")]
    };
    api.method(&items, "PUT", "NONE", None, &[ALL[0], "Vary"], &put_headers)
        .await;
    match kind {
        Kind::OptionsMissing => {}
        Kind::OptionsAuthorized => {
            let auth = api
                .c
                .create_authorizer()
                .rest_api_id(&api.id)
                .name("tok")
                .r#type(AuthorizerType::Token)
                .authorizer_uri("arn:aws:apigateway:eu-west-3:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-3:123456789012:function:auth/invocations")
                .identity_source("method.request.header.Authorization")
                .send()
                .await
                .unwrap()
                .id
                .unwrap();
            api.method(&items, "OPTIONS", "CUSTOM", Some(&auth), &ALL, &ALLOW)
                .await;
        }
        _ => {
            api.method(&items, "OPTIONS", "NONE", None, &ALL, &ALLOW)
                .await
        }
    }
    if kind != Kind::NoGatewayResponses {
        for t in [
            GatewayResponseType::Default4Xx,
            GatewayResponseType::Default5Xx,
        ] {
            api.c
                .put_gateway_response()
                .rest_api_id(&api.id)
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
    api.deploy().await;
    id
}

async fn http_api(ep: &str, region: &'static str, name: &str, kind: Kind) -> String {
    let c = v2(ep, region);
    let mut create = c
        .create_api()
        .name(name)
        .protocol_type(v2t::ProtocolType::Http);
    let allowed = match kind {
        Kind::HttpClean => Some(ORIGIN),
        Kind::HttpOriginMissing => Some("https://other.example.com"),
        _ => None,
    };
    if let Some(origin) = allowed {
        create = create.cors_configuration(
            v2t::Cors::builder()
                .allow_origins(origin)
                .allow_methods("PUT")
                .allow_headers("content-type")
                .build(),
        );
    }
    let id = create.send().await.unwrap().api_id.unwrap();
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
    id
}

/// The account, created once: api id → kind.
async fn account(ep: &str) -> BTreeMap<String, Kind> {
    static ACCOUNT: tokio::sync::OnceCell<BTreeMap<String, Kind>> =
        tokio::sync::OnceCell::const_new();
    ACCOUNT
        .get_or_init(|| async {
            let mut out = BTreeMap::new();
            for kind in Kind::ALL {
                for i in 0..EACH {
                    let name = format!("{kind:?}-{i}");
                    let id = if kind.is_http() {
                        http_api(ep, REGION, &name, kind).await
                    } else {
                        rest_api(ep, REGION, &name, kind).await
                    };
                    out.insert(id, kind);
                }
            }
            out
        })
        .await
        .clone()
}

fn options(ep: &str) -> AuditOptions {
    AuditOptions {
        regions: vec![REGION.to_string()],
        endpoint_url: Some(ep.to_string()),
        rules: cors_doctor::rules::Options {
            origins: vec![ORIGIN.to_string()],
            ..Default::default()
        },
        // Quick against moto; the rate limit itself is measured by scripts/bench-audit.sh.
        quota: Quota {
            rate: 2000.0,
            burst: 2000.0,
            resources_rate: 2000.0,
            resources_burst: 2000.0,
        },
        max_attempts: Some(1),
        ..AuditOptions::default()
    }
}

/// The codes found on each API.
fn codes_by_api(report: &AuditReport) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &report.findings {
        out.entry(f.api_id.clone())
            .or_default()
            .insert(f.code.as_str().to_string());
    }
    out
}

#[tokio::test]
async fn every_planted_trap_is_found_and_clean_apis_have_none() {
    aws::seal_env();
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let planted = account(&ep).await;
    assert!(planted.len() >= 50, "{}", planted.len());
    let report = audit(&options(&ep)).await.expect("the audit runs");
    // moto outlives a test run: APIs of earlier runs may be listed too.
    let ours: Vec<_> = report
        .apis
        .iter()
        .filter(|a| planted.contains_key(&a.api_id))
        .collect();
    assert_eq!(ours.len(), planted.len(), "{:#?}", report.apis);
    assert!(ours.iter().all(|a| a.status == ApiStatus::Ok), "{ours:#?}");
    let found = codes_by_api(&report);
    let mut wrong = Vec::new();
    for (id, kind) in &planted {
        let codes = found.get(id).cloned().unwrap_or_default();
        match kind.trap() {
            None if !codes.is_empty() => wrong.push(format!("clean {kind:?} {id}: {codes:?}")),
            Some(code) if !codes.contains(code) => {
                wrong.push(format!("{kind:?} {id}: {code} not in {codes:?}"))
            }
            _ => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Each finding names its route and stage, and a fix.
    let missing = report
        .findings
        .iter()
        .find(|f| {
            f.code.as_str() == "OPTIONS_MISSING"
                && planted.get(&f.api_id) == Some(&Kind::OptionsMissing)
        })
        .expect("an OPTIONS_MISSING finding");
    assert_eq!(missing.stage.as_deref(), Some("prod"));
    assert_eq!(missing.path.as_deref(), Some("/items"));
    assert_eq!(missing.method.as_deref(), Some("PUT"));
    assert!(missing.remediation.is_some());
    assert_eq!(report.exit_code(), 1);
}

#[tokio::test]
async fn only_reads_are_issued_and_calls_grow_linearly() {
    aws::seal_env();
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let planted = account(&ep).await;
    let report = audit(&options(&ep)).await.expect("the audit runs");
    assert!(!report.operations.is_empty());
    for op in report.operations.keys() {
        assert!(
            op.starts_with("Get") || op.starts_with("List"),
            "a non-read operation was issued: {op} ({:?})",
            report.operations
        );
    }
    assert!(planted.len() >= 50);
    // Listed (moto outlives a run: earlier runs' APIs too).
    let rest = report.regions[0].rest_apis as u64;
    let http = report.regions[0].http_apis as u64;
    assert!(rest + http >= planted.len() as u64);
    // One stage each: 5 calls per REST API, 4 per HTTP API, 2 listings.
    assert_eq!(
        report.aws_calls,
        5 * rest + 4 * http + 2,
        "{:?}",
        report.operations
    );
    assert_eq!(report.operations["GetResources"], rest);
    assert_eq!(report.operations["GetDeployment"], rest);
    assert_eq!(
        report.http_requests, report.aws_calls,
        "no retries against moto"
    );
    assert_eq!(report.throttles, 0);
}

#[tokio::test]
async fn api_ids_narrow_the_audit_and_an_unknown_one_is_a_row() {
    aws::seal_env();
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let planted = account(&ep).await;
    let (rest_id, _) = planted
        .iter()
        .find(|(_, k)| **k == Kind::OptionsMissing)
        .unwrap();
    let (http_id, _) = planted
        .iter()
        .find(|(_, k)| **k == Kind::HttpClean)
        .unwrap();
    let mut o = options(&ep);
    o.api_ids = vec![rest_id.clone(), http_id.clone(), "nosuchapi".to_string()];
    let report = audit(&o).await.expect("the audit runs");
    let ids: Vec<&str> = report.apis.iter().map(|a| a.api_id.as_str()).collect();
    assert_eq!(report.apis.len(), 3, "{ids:?}");
    let unknown = report
        .apis
        .iter()
        .find(|a| a.api_id == "nosuchapi")
        .unwrap();
    assert_eq!(unknown.status, ApiStatus::Failed);
    assert!(unknown.error.as_deref().unwrap().contains("not found"));
    assert!(report.operations.contains_key("GetRestApi"));
    assert!(!report.operations.contains_key("GetRestApis"));
    let by_api = codes_by_api(&report);
    assert!(by_api[rest_id].contains("OPTIONS_MISSING"));
    assert!(!by_api.contains_key(http_id));
}

#[tokio::test]
async fn the_binary_prints_json_of_schema_v1_and_exits_1() {
    aws::seal_env();
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    account(&ep).await;
    let out = aws::run_bin(
        &[
            "audit",
            "--region",
            REGION,
            "--endpoint-url",
            &ep,
            "--origin",
            ORIGIN,
            "--format",
            "json",
            "--rate",
            "1000",
            "--burst",
            "1000",
        ],
        &[],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["schema"], "cors-doctor/audit/v1");
    assert!(v["apis"].as_array().unwrap().len() >= 50);
    assert!(v["wall_time_ms"].as_u64().is_some());
    let f = &v["findings"][0];
    for k in [
        "api_id", "stage", "path", "method", "code", "severity", "message",
    ] {
        assert!(f.get(k).is_some(), "{k}: {f}");
    }
    // A bad rate is a usage error.
    let out = aws::run_bin(
        &[
            "audit",
            "--region",
            REGION,
            "--endpoint-url",
            &ep,
            "--rate",
            "0",
        ],
        &[],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--rate"));
}

/// API Gateway throttles the audit for a while (moto answers every other call of this Region
/// `429 TooManyRequestsException` until it has given `THROTTLES`): the client-side rate drops,
/// recovers once the answers succeed again, every throttled call is retried, the report
/// counts the throttles, and the findings are those of an unthrottled audit. No clock is
/// read: the counts and rates come from the report.
#[tokio::test]
async fn throttling_slows_the_audit_which_recovers_and_finds_the_same_traps() {
    aws::seal_env();
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    const REGION: &str = "ap-northeast-3";
    const THROTTLES: u64 = 6;
    let mut planted = BTreeMap::new();
    for (i, kind) in [
        Kind::RestClean,
        Kind::OptionsMissing,
        Kind::NoGatewayResponses,
        Kind::RestClean,
        Kind::OptionsMissing,
        Kind::RestClean,
        Kind::OptionsMissing,
        Kind::RestClean,
    ]
    .into_iter()
    .enumerate()
    {
        let id = rest_api(&ep, REGION, &format!("throttled-{i}"), kind).await;
        planted.insert(id, kind);
    }
    for (i, kind) in [Kind::HttpClean, Kind::HttpNoCors].into_iter().enumerate() {
        let id = http_api(&ep, REGION, &format!("throttled-http-{i}"), kind).await;
        planted.insert(id, kind);
    }
    let mut o = options(&ep);
    o.regions = vec![REGION.to_string()];
    o.quota = Quota {
        rate: 50.0,
        burst: 50.0,
        resources_rate: 50.0,
        resources_burst: 50.0,
    };
    // Every throttled call is retried by the SDK (standard mode, with backoff).
    o.max_attempts = Some(5);
    let control = |path: String| {
        let ep = ep.clone();
        async move { moto_control(&ep, &format!("/cors-doctor/throttle/{path}")).await }
    };
    let clean = audit(&o).await.expect("the audit runs");
    assert_eq!(clean.throttles, 0);
    control(format!("{REGION}/{THROTTLES}")).await;
    let report = audit(&o).await.expect("the throttled audit completes");
    assert_eq!(control(REGION.to_string()).await.trim(), "0", "all given");

    // Counted: each throttle is one more HTTP request than operations.
    assert_eq!(report.throttles, THROTTLES, "{:?}", report.regions);
    assert_eq!(report.regions[0].throttles, THROTTLES);
    assert_eq!(report.aws_calls, clean.aws_calls);
    assert_eq!(report.http_requests, report.aws_calls + THROTTLES);
    // Slowed down (each throttle halves the rate), then recovered (successes restore it).
    let rate = report.regions[0].rate;
    assert_eq!(rate.configured, 50.0);
    assert!(rate.lowest <= 50.0 / 2.0, "{rate:?}");
    assert_eq!(rate.last, 50.0, "{rate:?}");
    assert_eq!(clean.regions[0].rate.lowest, 50.0);
    // Completed, with the same findings.
    assert!(
        report.apis.iter().all(|a| a.status == ApiStatus::Ok),
        "{:#?}",
        report.apis
    );
    assert_eq!(codes_by_api(&report), codes_by_api(&clean));
    let found = codes_by_api(&report);
    for (id, kind) in &planted {
        let codes = found.get(id).cloned().unwrap_or_default();
        match kind.trap() {
            None => assert!(codes.is_empty(), "{kind:?} {id}: {codes:?}"),
            Some(c) => assert!(codes.contains(c), "{kind:?} {id}: {codes:?}"),
        }
    }
    let text = report.render(cors_doctor::audit::AuditFormat::Text);
    assert!(
        text.contains("6 calls throttled by API Gateway: the audit slowed from 50.0 to"),
        "{text}"
    );
}

/// `audit --probe` through the binary: the stage (the simulator on 127.0.0.1, serving an API
/// that lacks /items) answers the preflight of PUT /items with 403 where the configuration in
/// moto predicts 200; the route is an error with the exchange as evidence, and the simulator
/// saw nothing but OPTIONS. Without a template, a local --endpoint-url is a usage error.
#[tokio::test]
async fn probe_reports_a_stage_that_does_not_serve_what_the_configuration_says() {
    use std::sync::{Arc, Mutex};

    aws::seal_env();
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    const REGION: &str = "ca-central-1";
    let id = rest_api(&ep, REGION, "probed", Kind::RestClean).await;
    let scenario = cors_doctor::gateway::scenario::Scenario::by_name("rest-healthy").unwrap();
    let inner = cors_doctor::sim::gateway::handler(scenario.api, scenario.spec.backend);
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let handler: cors_doctor::sim::Handler = Arc::new(move |req| {
        log.lock().unwrap().push(req.method.clone());
        inner(req)
    });
    let sim = cors_doctor::sim::SimServer::start(
        "127.0.0.1:0".parse().unwrap(),
        handler,
        std::time::Duration::ZERO,
    )
    .await
    .unwrap();
    let template = format!("{}/{{stage}}", sim.base_url());
    let mut args = vec![
        "audit",
        "--region",
        REGION,
        "--endpoint-url",
        &ep,
        "--api-id",
        &id,
        "--origin",
        ORIGIN,
        "--rate",
        "1000",
        "--burst",
        "1000",
        "--probe",
    ];
    let out = aws::run_bin(&args, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--invoke-url-template"), "{stderr}");
    assert!(seen.lock().unwrap().is_empty());

    args.extend(["--invoke-url-template", &template]);
    // A timeout out of range is a usage error too.
    let mut bad = args.clone();
    bad.extend(["--timeout", "0"]);
    let out = aws::run_bin(&bad, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--timeout"));
    args.extend(["--format", "json"]);
    let out = aws::run_bin(&args, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["schema"], "cors-doctor/audit/v1");
    assert_eq!(v["probes"]["sent"], 1, "{}", v["probes"]);
    assert_eq!(v["probes"]["mismatched"], 1);
    assert_eq!(v["apis"][0]["probed"], 1);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "LIVE_PREFLIGHT_MISMATCH")
        .unwrap_or_else(|| panic!("{}", v["findings"]));
    assert_eq!(f["severity"], "error");
    assert_eq!(f["stage"], "prod");
    assert_eq!(f["path"], "/items");
    assert_eq!(f["method"], "PUT");
    assert_eq!(f["probe"]["method"], "OPTIONS");
    assert_eq!(f["probe"]["live"]["status"], 403);
    assert_eq!(f["probe"]["predicted"]["status"], 200);
    assert_eq!(f["probe"]["predicted"]["verdict"], "pass");
    // The configuration is clean: the probe is the only finding.
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        1,
        "{}",
        v["findings"]
    );
    let methods = seen.lock().unwrap().clone();
    assert_eq!(methods, vec!["OPTIONS".to_string()]);
    sim.shutdown().await;
}

/// `GET path` on moto's own control routes (HTTP/1.0, plain TCP): the body.
async fn moto_control(ep: &str, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let u = url::Url::parse(ep).unwrap();
    let addr = format!("{}:{}", u.host_str().unwrap(), u.port().unwrap());
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default()
}
