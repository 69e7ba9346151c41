//! `audit` against recorded control-plane answers on loopback (moto grants every permission
//! and never throttles): an API whose resources are denied is a row that says which
//! permission is missing while the others are audited; a denied HTTP listing marks the Region;
//! throttling (429) is met, counted and retried (the bucket halving its rate is unit-tested in
//! src/aws/sdk/throttle.rs).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cors_doctor::audit::{audit, ApiStatus, AuditOptions};
use cors_doctor::aws::sdk::throttle::Quota;
use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;

use crate::support as aws;

const RESOURCES: &str = r#"{"item":[{"id":"root1","path":"/"},
 {"id":"r1","parentId":"root1","pathPart":"items","path":"/items","resourceMethods":{
  "PUT":{"httpMethod":"PUT","authorizationType":"NONE","apiKeyRequired":false,
   "methodResponses":{"200":{"statusCode":"200"}},
   "methodIntegration":{"type":"MOCK","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
    "integrationResponses":{"200":{"statusCode":"200"}}}}}}]}"#;

/// Answers for two REST APIs, `okapi` and `denied`; the HTTP API listing is denied; the
/// first `throttle` requests are answered 429.
fn handler(
    log: Arc<Mutex<Vec<String>>>,
    throttle: Arc<AtomicUsize>,
) -> cors_doctor::sim::server::Handler {
    Arc::new(move |req: HttpRequest| {
        let route = req
            .path_and_query
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        if let Ok(mut l) = log.lock() {
            l.push(format!("{} {route}", req.method));
        }
        let denied = |what: &str| {
            (
                403,
                format!(
                    r#"{{"Message":"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::{what}"}}"#
                ),
                Some("AccessDeniedException"),
            )
        };
        let (status, body, error): (u16, String, Option<&str>) = if throttle
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            (
                429,
                r#"{"message":"Too Many Requests"}"#.to_string(),
                Some("TooManyRequestsException"),
            )
        } else {
            match route.as_str() {
                "/restapis" => (
                    200,
                    r#"{"item":[{"id":"okapi","name":"ok"},{"id":"denied","name":"secret"}]}"#
                        .to_string(),
                    None,
                ),
                "/v2/apis" => denied("/apis"),
                "/restapis/okapi/resources" => (200, RESOURCES.to_string(), None),
                "/restapis/okapi/stages" => (
                    200,
                    r#"{"item":[{"stageName":"prod","deploymentId":"d1"},{"stageName":"beta","deploymentId":"d2"}]}"#
                        .to_string(),
                    None,
                ),
                "/restapis/okapi/deployments/d1" => (
                    200,
                    r#"{"id":"d1","apiSummary":{"/items":{"PUT":{"authorizationType":"NONE","apiKeyRequired":false}}}}"#
                        .to_string(),
                    None,
                ),
                "/restapis/okapi/deployments/d2" => (
                    200,
                    r#"{"id":"d2","apiSummary":{"/items":{"PUT":{"authorizationType":"NONE","apiKeyRequired":false}}}}"#
                        .to_string(),
                    None,
                ),
                "/restapis/okapi/authorizers" => (200, r#"{"item":[]}"#.to_string(), None),
                "/restapis/okapi/gatewayresponses" => denied("/restapis/okapi/gatewayresponses"),
                r if r.starts_with("/restapis/denied") => denied(r),
                _ => (
                    404,
                    r#"{"message":"Invalid identifier"}"#.to_string(),
                    Some("NotFoundException"),
                ),
            }
        };
        let mut headers = Headers::new()
            .with("Content-Type", "application/json")
            .with("x-amzn-RequestId", "rec-1");
        if let Some(t) = error {
            headers.push("x-amzn-ErrorType", t);
        }
        HttpResponse {
            status,
            headers,
            body: body.into_bytes(),
        }
    })
}

async fn server(throttled: usize) -> (SimServer, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler(log.clone(), Arc::new(AtomicUsize::new(throttled))),
        Duration::ZERO,
    )
    .await
    .expect("listen on loopback");
    (server, log)
}

fn options(ep: &str) -> AuditOptions {
    AuditOptions {
        regions: vec!["us-east-1".to_string()],
        endpoint_url: Some(ep.to_string()),
        quota: Quota::with_rate(Some(1000.0), Some(1000.0)),
        ..AuditOptions::default()
    }
}

#[tokio::test]
async fn a_denied_api_is_a_row_and_the_others_are_audited() {
    aws::seal_env();
    let (server, log) = server(0).await;
    let report = audit(&options(&server.base_url()))
        .await
        .expect("the audit runs");
    let denied = report.apis.iter().find(|a| a.api_id == "denied").unwrap();
    assert_eq!(denied.status, ApiStatus::Failed);
    let why = denied.error.as_deref().unwrap();
    assert!(
        why.contains("missing permission apigateway:GET on arn:aws:apigateway:us-east-1::/restapis/denied/resources"),
        "{why}"
    );
    let ok = report.apis.iter().find(|a| a.api_id == "okapi").unwrap();
    // Gateway responses denied: partial, and the routes are still checked.
    assert_eq!(ok.status, ApiStatus::Partial, "{ok:?}");
    assert!(
        ok.gaps.iter().any(|g| g.contains("gateway responses")),
        "{ok:?}"
    );
    let codes: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.api_id == "okapi")
        .map(|f| f.code.as_str())
        .collect();
    assert!(codes.contains(&"OPTIONS_MISSING"), "{codes:?}");
    // The HTTP listing was denied: the Region row says so.
    let region = &report.regions[0];
    assert!(
        region
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("HTTP APIs not listed"),
        "{region:?}"
    );
    assert_eq!(report.exit_code(), 1);
    let text = report.render(cors_doctor::audit::AuditFormat::Text);
    assert!(text.contains("not audited: missing permission"), "{text}");
    // Both stages checked; calls: 2 listings, okapi 4 + one deployment per stage, the
    // denied API its 4 parallel reads.
    assert_eq!(ok.stages, ["beta", "prod"]);
    assert_eq!(
        report.operations["GetDeployment"], 2,
        "{:?}",
        report.operations
    );
    assert_eq!(report.aws_calls, 2 + 6 + 4, "{:?}", report.operations);
    // Reads only.
    let sent = log.lock().unwrap().clone();
    assert!(sent.iter().all(|l| l.starts_with("GET ")), "{sent:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn throttling_is_retried_and_counted() {
    aws::seal_env();
    let (server, _log) = server(3).await;
    let report = audit(&options(&server.base_url()))
        .await
        .expect("the audit runs");
    assert_eq!(report.throttles, 3, "{report:?}");
    assert!(report.http_requests >= report.aws_calls + 3);
    // Retried past the 429s: both REST APIs are there, okapi read.
    assert!(report
        .apis
        .iter()
        .any(|a| a.api_id == "okapi" && a.status != ApiStatus::Failed));
    server.shutdown().await;
}

/// The TUI's audit screen runs the same audit (`Effect::StartAudit` through the UI's jobs):
/// its progress arrives while it runs, then the table has the denied API as a row that says
/// why, first, and the throttles met in its title.
#[tokio::test]
async fn the_tui_audit_screen_runs_the_audit_with_progress() {
    use cors_doctor::tui::state::{AuditPhase, Screen};
    use cors_doctor::tui::{self, Effect, Msg, NoScenarios, StartMode};
    aws::seal_env();
    let (server, log) = server(2).await;
    let opts = tui::Options {
        config: cors_doctor::config::Config::default(),
        args: cors_doctor::plan::TargetArgs::default(),
        start: StartMode::Audit(Box::new(options(&server.base_url()))),
        source: Arc::new(|_| Ok(None)),
        catalog: Arc::new(NoScenarios),
        last_path: None,
        color: false,
    };
    let (mut state, effects) = tui::initial_state(&opts);
    state.size = ratatui::layout::Rect::new(0, 0, 100, 30);
    assert_eq!(state.screen, Screen::Audit);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
    jobs.tick_every = Duration::from_millis(5);
    assert!(matches!(effects.as_slice(), [Effect::StartAudit { .. }]));
    for e in effects {
        jobs.apply(e);
    }
    let mut progress = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while state.audit.running() {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the audit finishes")
            .expect("the jobs are alive");
        if let Msg::Audit {
            event: tui::state::AuditEvent::Progress(_),
            ..
        } = &msg
        {
            progress += 1;
        }
        state.update(msg);
    }
    assert!(progress >= 1, "progress was reported");
    assert_eq!(state.audit.phase, AuditPhase::Done);
    let report = state.audit.report.as_ref().unwrap();
    assert!(report.throttles >= 1, "{report:?}");
    assert_eq!(state.audit.selected().unwrap().api_id, "denied");
    assert!(log.lock().unwrap().iter().all(|l| l.starts_with("GET ")));

    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| tui::view::render(f, &state)).unwrap();
    let buf = terminal.backend().buffer();
    let screen: String = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect();
    assert!(screen.contains("✘ not read: missing per"), "{screen}");
    // Under the table, the selected API's whole reason.
    assert!(
        screen.contains("missing permission apigateway:GET"),
        "{screen}"
    );
    assert!(screen.contains("~ ok "), "{screen}");
    assert!(screen.contains("2 throttled"), "{screen}");
}
