//! `audit --tui` in a real terminal: the audit runs against recorded control-plane answers on
//! loopback (the binary's own SDK clients, reads only), the table shows the API with its
//! error and the denied one saying why; `/` filters, Enter opens the API in the explorer,
//! Enter on its route diagnoses it, `q` quits and the terminal is back in cooked mode.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;

use super::*;

const RESOURCES: &str = r#"{"item":[{"id":"root1","path":"/"},
 {"id":"r1","parentId":"root1","pathPart":"items","path":"/items","resourceMethods":{
  "PUT":{"httpMethod":"PUT","authorizationType":"NONE","apiKeyRequired":false,
   "requestParameters":{"method.request.header.X-Tenant":true},
   "methodResponses":{"200":{"statusCode":"200"}},
   "methodIntegration":{"type":"MOCK","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
    "integrationResponses":{"200":{"statusCode":"200"}}}}}}]}"#;

/// A REST API `okapi` (PUT /items, no OPTIONS) and one whose reads are denied; no HTTP API.
fn handler(log: Arc<Mutex<Vec<String>>>) -> cors_doctor::sim::server::Handler {
    Arc::new(move |req: HttpRequest| {
        let route = req
            .path_and_query
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        if let Ok(mut l) = log.lock() {
            let body = String::from_utf8_lossy(&req.body);
            l.push(format!("{} {route} {body}", req.method));
        }
        let ok = |body: &str| (200, body.to_string(), None);
        let (status, body, error): (u16, String, Option<&str>) = match route.as_str() {
            "/restapis" => ok(
                r#"{"item":[{"id":"okapi","name":"orders-api"},{"id":"denied","name":"payments"}]}"#,
            ),
            "/restapis/okapi" => ok(r#"{"id":"okapi","name":"orders-api"}"#),
            "/v2/apis" => ok(r#"{"items":[]}"#),
            "/restapis/okapi/resources" => ok(RESOURCES),
            "/restapis/okapi/stages" => {
                ok(r#"{"item":[{"stageName":"prod","deploymentId":"d1"}]}"#)
            }
            "/restapis/okapi/stages/prod" => ok(r#"{"stageName":"prod","deploymentId":"d1"}"#),
            "/restapis/okapi/deployments/d1" => ok(
                r#"{"id":"d1","apiSummary":{"/items":{"PUT":{"authorizationType":"NONE","apiKeyRequired":false}}}}"#,
            ),
            "/restapis/okapi/authorizers" | "/restapis/okapi/gatewayresponses" => {
                ok(r#"{"item":[]}"#)
            }
            r if r.starts_with("/restapis/denied") => (
                403,
                format!(
                    r#"{{"Message":"User: arn:aws:iam::123456789012:user/dev is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::{r}"}}"#
                ),
                Some("AccessDeniedException"),
            ),
            _ => (
                404,
                r#"{"message":"Invalid identifier"}"#.to_string(),
                Some("NotFoundException"),
            ),
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_tui_in_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed; the end-to-end terminal test needs it");
        return;
    }
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler(log.clone()),
        Duration::ZERO,
    )
    .await
    .expect("listen on loopback");
    let dir = tempfile::tempdir().expect("tempdir");
    let stty = dir.path().join("stty.txt");
    let script = format!(
        "cd {dir} && env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL NO_COLOR=1 \
         XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config \
         AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
         AWS_CONFIG_FILE=/nonexistent/cdt/config AWS_SHARED_CREDENTIALS_FILE=/nonexistent/cdt/credentials \
         {bin} audit --tui --region us-east-1 --endpoint-url {url} --origin {ORIGIN}; \
         stty -a > {stty}; sleep 60",
        dir = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_cors-doctor"),
        url = server.base_url(),
        stty = stty.display(),
    );
    let tmux = Tmux::start("cdt-e2e-audit", 100, 30, &script);

    let screen = tmux
        .wait_for("the audit table", |s| s.contains("Audit · 2 APIs"))
        .await;
    assert!(screen.contains("✘ not read"), "{screen}");
    assert!(screen.contains("orders-api"), "{screen}");
    // The denied API first (the riskiest), its reason under the table.
    assert!(selected(&screen).contains("payments"), "{screen}");

    tmux.keys("/");
    tmux.keys("orders");
    tmux.keys("Enter");
    let screen = tmux
        .wait_for("the filter", |s| s.contains("1/2 APIs"))
        .await;
    assert!(selected(&screen).contains("orders-api"), "{screen}");

    // Enter: the explorer on the API (read again with check --api-id's lookups).
    tmux.keys("Enter");
    let screen = tmux
        .wait_for("the explorer", |s| s.contains("API orders-api (rest)"))
        .await;
    assert!(screen.contains("/items"), "{screen}");
    // Tab: the method detail (the request parameter read through the SDK, the preflight).
    tmux.keys("Tab");
    let screen = tmux
        .wait_for("the method detail", |s| s.contains("Method detail"))
        .await;
    assert!(screen.contains("header X-Tenant*"), "{screen}");
    assert!(screen.contains("Preflight for PUT"), "{screen}");
    tmux.keys("Tab");
    tmux.wait_for("the rows again", |s| !s.contains("Method detail"))
        .await;
    // Enter on the route: its seven steps.
    tmux.keys("Enter");
    tmux.wait_for("the diagnosis", |s| {
        s.contains("Verify OPTIONS exists and is deployed") && s.contains("FAIL")
    })
    .await;
    // Reads only: API Gateway GETs, and the diagnosis's credential check (STS
    // GetCallerIdentity, a POST to the same endpoint that reads the account id).
    let reads = log.lock().unwrap().clone();
    assert!(
        reads
            .iter()
            .all(|l| l.starts_with("GET /") || l.contains("Action=GetCallerIdentity")),
        "reads only: {reads:?}"
    );
    assert!(reads.iter().any(|l| l.starts_with("GET /restapis/okapi ")));

    tmux.keys("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&stty).exists() || std::fs::metadata(&stty).map_or(0, |m| m.len()) == 0 {
        assert!(
            Instant::now() < deadline,
            "the app did not quit:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let modes = std::fs::read_to_string(&stty).expect("stty output");
    assert!(
        modes.split_whitespace().any(|w| w == "icanon"),
        "not in cooked mode: {modes}"
    );
}
