//! The layers in front, read live: a custom domain's base path mappings and a REST API's
//! resource policy come from moto into the configuration's `front`, and the custom-domain
//! rules fire on a live run. The URL's host (a made-up `*.example.test` name) is pointed at
//! the simulator on 127.0.0.1 (`TargetArgs::resolve`, curl's `--resolve`): the simulator
//! serves the `custom-domain-no-mapping` scenario behind its domain (v1 → prod), the
//! configuration is the API built in moto with the same mapping.

use super::*;

use std::sync::{Arc, Mutex};

use cors_doctor::config::Config;
use cors_doctor::plan::TargetArgs;

/// A REST API in moto with `/bookings` (OPTIONS with the CORS headers, POST), stages prod and
/// dev, and a custom domain mapping `v1` to prod. Returns the API and the domain name.
/// The page these tests call from: `http:`, as the simulator serves `http:` only (an `https:`
/// page calling an `http:` URL on a name that is not loopback is mixed content, refused).
const HTTP_PAGE: &str = "http://app.example.com";

async fn mapped_api(ep: &str, name: &str) -> (aws::Rest, String) {
    let api = aws::Rest::new(ep, name).await;
    let bookings = api.resource(&api.root, "bookings").await;
    let page = format!("'{HTTP_PAGE}'");
    let allow = [
        ("Access-Control-Allow-Origin", page.as_str()),
        ALLOW[1],
        ALLOW[2],
    ];
    api.method(&bookings, "OPTIONS", "NONE", None, &ALL, &allow)
        .await;
    api.method(
        &bookings,
        "POST",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &allow[..1],
    )
    .await;
    api.deploy().await;
    api.c
        .create_deployment()
        .rest_api_id(&api.id)
        .stage_name("dev")
        .send()
        .await
        .unwrap();
    let domain = format!("api-{}.example.test", api.id.to_ascii_lowercase());
    api.map_domain(&domain, true).await;
    (api, domain)
}

/// The simulator on 127.0.0.1 serving the `custom-domain-no-mapping` scenario (its domain
/// maps v1 to prod), logging each request's method and path.
async fn domain_sim() -> (cors_doctor::sim::SimServer, Arc<Mutex<Vec<String>>>) {
    let scenario =
        cors_doctor::gateway::scenario::Scenario::by_name("custom-domain-no-mapping").unwrap();
    let inner = cors_doctor::sim::gateway::scenario_handler(&scenario);
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let handler: cors_doctor::sim::Handler = Arc::new(move |req| {
        log.lock()
            .unwrap()
            .push(format!("{} {}", req.method, req.path_and_query));
        inner(req)
    });
    let sim = cors_doctor::sim::SimServer::start(
        "127.0.0.1:0".parse().unwrap(),
        handler,
        std::time::Duration::ZERO,
    )
    .await
    .unwrap();
    (sim, seen)
}

/// `check http://DOMAIN:PORT{path} -X POST -H 'Content-Type: application/json' [--stage S]
/// --preview` with the configuration from moto and DOMAIN resolved to 127.0.0.1.
async fn check_on_domain(
    ep: &str,
    domain: &str,
    sim: &cors_doctor::sim::SimServer,
    path: &str,
    stage: Option<&str>,
) -> cors_doctor::report::Report {
    let args = TargetArgs {
        url: Some(format!("http://{domain}:{}{path}", sim.addr().port())),
        origin: Some(HTTP_PAGE.to_string()),
        method: Some("POST".to_string()),
        headers: vec!["Content-Type: application/json".to_string()],
        body: Some("{\"room\":\"12B\"}".to_string()),
        stage: stage.map(str::to_string),
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(ep.to_string()),
        resolve: vec![format!("{domain}:{}:127.0.0.1", sim.addr().port())],
        ..TargetArgs::default()
    };
    let mut plan = args.resolve(&Config::default()).expect("a plan");
    plan.preview = true;
    aws::diagnose(&plan).await
}

/// `--preview`: the fixes (the mapping's among them) applied to the configuration read, the
/// requests predicted through the domain again: the browser is let through.
fn assert_preview_allowed(report: &cors_doctor::report::Report, code: &str) {
    let p = report.preview.as_deref().expect("a preview");
    assert_eq!(
        p.result,
        cors_doctor::report::PreviewResult::Allowed,
        "{:?}",
        p.notes
    );
    assert!(p.changes.iter().any(|c| c.finding.as_str() == code));
}

fn finding<'a>(
    report: &'a cors_doctor::report::Report,
    code: &str,
) -> &'a cors_doctor::diagnose::Finding {
    report
        .steps
        .iter()
        .flat_map(|s| s.findings.iter())
        .find(|f| f.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code}: {:?}", aws::codes(report)))
}

#[tokio::test]
pub(super) async fn live_mapping_to_another_stage_is_custom_domain_wrong_stage() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let (api, domain) = mapped_api(&ep, "domain-wrong-stage").await;
    let (sim, seen) = domain_sim().await;
    let report = check_on_domain(&ep, &domain, &sim, "/v1/bookings", Some("dev")).await;
    sim.shutdown().await;
    // The probes reached the simulator through the domain name, and passed its mapping.
    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().any(|r| r == "OPTIONS /v1/bookings"), "{seen:?}");
    assert_eq!(report.api.id.as_deref(), Some(api.id.as_str()));
    let f = finding(&report, "CUSTOM_DOMAIN_WRONG_STAGE");
    assert!(
        f.message.contains(&format!(
            "{domain}/v1 sends this URL to API {}, stage prod",
            api.id
        )),
        "{}",
        f.message
    );
    assert!(f.message.contains("stage dev"), "{}", f.message);
    assert_preview_allowed(&report, "CUSTOM_DOMAIN_WRONG_STAGE");
    // GetBasePathMappings + the REST API's six.
    assert!(report.aws_calls <= 7, "{}", report.aws_calls);
}

#[tokio::test]
pub(super) async fn live_path_without_a_mapping_is_custom_domain_no_mapping_naming_the_mappings() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let (api, domain) = mapped_api(&ep, "domain-no-mapping").await;
    let (sim, seen) = domain_sim().await;
    let report = check_on_domain(&ep, &domain, &sim, "/v2/bookings", None).await;
    sim.shutdown().await;
    assert!(!seen.lock().unwrap().is_empty());
    // The domain's only API is read, the resource left unresolved.
    assert_eq!(report.api.id.as_deref(), Some(api.id.as_str()));
    let f = finding(&report, "CUSTOM_DOMAIN_NO_MAPPING");
    assert!(
        f.message.contains(&format!(
            "The domain's mappings: v1 → API {} stage prod.",
            api.id
        )),
        "{}",
        f.message
    );
    assert!(f.message.contains(&domain), "{}", f.message);
    // v2 mapped to the stage the domain's mappings share.
    let commands = aws::commands(&report);
    assert!(
        commands.contains(&format!(
            "create-base-path-mapping --domain-name {domain} --base-path v2"
        )) && commands.contains("--stage prod"),
        "{commands}"
    );
    assert_preview_allowed(&report, "CUSTOM_DOMAIN_NO_MAPPING");
    assert!(report.aws_calls <= 7, "{}", report.aws_calls);
}

#[tokio::test]
pub(super) async fn resource_policy_and_domain_mappings_reach_the_configurations_front() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let (api, domain) = mapped_api(&ep, "domain-policy").await;
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:210987654321:{}/*","Condition":{{"NotIpAddress":{{"aws:SourceIp":"203.0.113.0/24"}}}}}}]}}"#,
        api.id
    );
    api.c
        .update_rest_api()
        .rest_api_id(&api.id)
        .patch_operations(
            aws_sdk_apigateway::types::PatchOperation::builder()
                .op(aws_sdk_apigateway::types::Op::Replace)
                .path("/policy")
                .value(&policy)
                .build(),
        )
        .send()
        .await
        .unwrap();
    aws::seal_env();
    let source = cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(ep.clone()),
        custom_domain: Some(domain.clone()),
        url_path: Some("/v1/bookings".into()),
        ..Default::default()
    });
    let request = cors_doctor::aws::ConfigRequest {
        url_path: Some("/v1/bookings".into()),
        ..Default::default()
    };
    use cors_doctor::aws::ConfigSource;
    let loaded = source.load(&request).await.expect("the domain resolves");
    assert_eq!(loaded.stage.as_deref(), Some("prod"));
    assert_eq!(loaded.path, "/bookings");
    let d = loaded
        .front
        .custom_domain
        .as_deref()
        .expect("the domain's mappings");
    assert_eq!(d.domain_name, domain);
    assert_eq!(
        d.mappings_in_words(),
        format!("v1 → API {} stage prod", api.id)
    );
    let p = loaded
        .front
        .private
        .as_deref()
        .expect("the resource policy");
    assert_eq!(p.api_id, api.id);
    assert_eq!(p.account, "210987654321");
    assert!(!p.private_endpoint);
    assert_eq!(
        p.policy
            .as_ref()
            .and_then(|v| v["Statement"][0]["Effect"].as_str()),
        Some("Deny")
    );
    assert!(loaded.gaps.is_empty(), "{:?}", loaded.gaps);
}
