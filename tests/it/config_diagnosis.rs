//! What the configuration adds to the probes, checked on variations of the shipped scenarios
//! served by the simulator and diagnosed live with the (modified) configuration.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use cors_doctor::app::scenario_plan;
use cors_doctor::aws::file::ScenarioSource;
use cors_doctor::aws::ConfigSource;
use cors_doctor::diagnose::StepStatus;
use cors_doctor::gateway::model::AuthorizationType;
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::report::Report;
use cors_doctor::runner;
use cors_doctor::sim::{self, SimServer};

async fn diagnose(s: &Scenario) -> Report {
    let handler = sim::gateway::scenario_handler(s);
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .expect("bind");
    let mut plan = scenario_plan(s, &server.base_url()).expect("plan");
    plan.scenario = None;
    let source: Arc<dyn ConfigSource> = Arc::new(ScenarioSource::new(s.clone()));
    let report = runner::run(&plan, Some(source), None).await.expect("run");
    server.shutdown().await;
    report
}

fn codes(r: &Report, step: u8) -> Vec<String> {
    r.step(step)
        .map(|s| s.findings.iter().map(|f| f.code.to_string()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn iam_on_options_is_an_authorization_problem_not_a_missing_method() {
    let mut s = Scenario::by_name("rest-healthy").unwrap();
    for r in &mut s.api.resources {
        for m in &mut r.methods {
            if m.http_method == "OPTIONS" {
                m.authorization = AuthorizationType::AwsIam;
            }
        }
    }
    let r = diagnose(&s).await;
    // The wire shows 403 MissingAuthenticationToken, as for a missing OPTIONS method...
    assert_eq!(
        r.exchanges[0].gateway_error_type.as_deref(),
        Some("MissingAuthenticationTokenException")
    );
    // ...but the configuration says OPTIONS exists and needs IAM.
    assert_eq!(r.first_failing_step, Some(4), "{}", r.json());
    assert!(
        codes(&r, 4).contains(&"OPTIONS_AUTHORIZED".to_string()),
        "{}",
        r.json()
    );
    assert!(
        !codes(&r, 3).contains(&"OPTIONS_MISSING".to_string()),
        "{}",
        r.json()
    );
    assert_eq!(r.step(3).unwrap().status, StepStatus::Pass);
    assert!(
        r.step(3).unwrap().summary.contains("needs AWS_IAM"),
        "{}",
        r.json()
    );
    let fix = r.step(4).unwrap().findings[0].remediation.as_ref().unwrap();
    assert!(fix.commands.iter().any(|c| c.contains("update-method")
        && c.contains("--http-method OPTIONS")
        && c.contains(r#"{"op":"replace","path":"/authorizationType","value":"NONE"}"#)));
}

#[tokio::test]
async fn gateway_responses_without_cors_are_a_warning_on_a_healthy_api() {
    let mut s = Scenario::by_name("rest-healthy").unwrap();
    s.api.gateway_responses.clear();
    for d in &mut s.api.deployments {
        if let Some(snap) = &mut d.snapshot {
            snap.gateway_responses.clear();
        }
    }
    let r = diagnose(&s).await;
    assert_eq!(r.first_failing_step, None, "{}", r.json());
    assert_eq!(r.exit_code(), 0);
    let step6 = r.step(6).unwrap();
    assert_eq!(step6.status, StepStatus::Warn);
    assert_eq!(
        codes(&r, 6),
        vec!["GATEWAY_RESPONSES_UNCONFIGURED".to_string()]
    );
    assert!(step6.findings[0].message.contains("THROTTLED"));
}

#[tokio::test]
async fn an_http_api_cors_configuration_that_omits_the_origin_ignores_backend_headers() {
    let mut s = Scenario::by_name("http-api-healthy").unwrap();
    s.spec.request.origin = "https://staging.example.com".to_string();
    let r = diagnose(&s).await;
    assert_eq!(
        r.browser.outcome,
        cors_doctor::cors::Outcome::Blocked,
        "{}",
        r.json()
    );
    assert!(
        codes(&r, 5).contains(&"BACKEND_HEADERS_IGNORED".to_string()),
        "{}",
        r.json()
    );
    let fix = r
        .step(5)
        .unwrap()
        .findings
        .iter()
        .find(|f| f.code.as_str() == "BACKEND_HEADERS_IGNORED")
        .unwrap();
    let cmd = &fix.remediation.as_ref().unwrap().commands[0];
    assert!(
        cmd.starts_with("aws apigatewayv2 update-api")
            && cmd.contains("https://staging.example.com"),
        "{cmd}"
    );
}
