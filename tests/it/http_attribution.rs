//! Issue 10 item 10 and issue 11 item 12: who answered an HTTP API's request. HTTP APIs mark
//! their own answers with no `x-amzn-ErrorType`, so a `{"message":"Unauthorized"}` 401 or an
//! empty 204 to a preflight may be API Gateway's or the backend's. Through the real binary
//! against an in-process loopback server that answers like an HTTP API: without a
//! configuration the report says "API Gateway or the backend" (`gateway-or-backend`); with
//! one (or offline, from the behaviour model) it says which.

use crate::common;

use std::time::Duration;

use common::{check_json, Canned, FakeGateway};

const ORIGIN: &str = "https://app.example.com";
const TOKEN: &str = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

/// An answer as an HTTP API sends it: `apigw-requestid`, no `x-amzn-RequestId`.
fn http_api(status: u16) -> Canned {
    Canned::new(status)
        .h("content-type", "application/json")
        .h("apigw-requestid", "Ab1Cd2Ef3Gh=")
}

/// HTTP API's own error shape (`{"message":"Unauthorized"}`, no x-amzn-ErrorType).
fn http_api_error(status: u16, message: &str) -> Canned {
    http_api(status).body(&format!("{{\"message\":\"{message}\"}}"))
}

fn good_actual() -> Canned {
    http_api(200)
        .h("Access-Control-Allow-Origin", ORIGIN)
        .h("Vary", "Origin")
        .body("{\"tasks\":[]}")
}

/// An empty 204 with the CORS headers: what the cors_configuration answers a preflight with.
fn automatic_preflight() -> Canned {
    http_api(204)
        .h("Access-Control-Allow-Origin", ORIGIN)
        .h("Access-Control-Allow-Methods", "GET,OPTIONS")
        .h("Access-Control-Allow-Headers", "authorization,content-type")
}

fn exchange<'a>(report: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    report["exchanges"]
        .as_array()
        .and_then(|xs| xs.iter().find(|x| x["kind"] == kind))
        .unwrap_or(&serde_json::Value::Null)
}

fn step_summary(report: &serde_json::Value, n: usize) -> String {
    report["steps"][n - 1]["summary"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn finding_message(report: &serde_json::Value, code: &str) -> Option<String> {
    report["steps"]
        .as_array()?
        .iter()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .find(|f| f["code"] == code)
        .and_then(|f| f["message"].as_str())
        .map(str::to_string)
}

async fn run(url: &str, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec![url, "--no-aws", "--origin", ORIGIN, "-H", TOKEN];
    args.extend_from_slice(extra);
    check_json(&args).await
}

/// Probes only: a 401 `{"message":"Unauthorized"}` to the preflight may be the route's
/// authorizer or the function: the report says so in every format, never "the integration".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_api_401_without_configuration_is_gateway_or_backend() {
    let server = FakeGateway {
        preflight: http_api_error(401, "Unauthorized"),
        actual: good_actual(),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/tasks", server.base_url());
    let (code, report, out) = run(&url, &[]).await;
    assert_eq!(code, 1, "{out}");
    let pf = exchange(&report, "preflight");
    assert_eq!(pf["answered_by"], "gateway-or-backend", "{out}");
    assert_eq!(
        exchange(&report, "actual")["answered_by"],
        "backend",
        "{out}"
    );
    let step3 = step_summary(&report, 3);
    assert!(
        step3.contains("401 from API Gateway or the backend"),
        "{step3}"
    );
    assert!(
        finding_message(&report, "OPTIONS_AUTHORIZED").is_some(),
        "{out}"
    );
    assert!(!out.contains("from the integration"), "{out}");

    // Text: the exchange list says it in words; Markdown: each exchange says who answered.
    let text = common::cors_doctor(common::args(&[
        "check", &url, "--no-aws", "--origin", ORIGIN, "-H", TOKEN,
    ]))
    .await;
    let text = String::from_utf8_lossy(&text.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("preflight OPTIONS"))
        .unwrap_or_default();
    assert!(
        line.contains("→ 401 from API Gateway or the backend ·"),
        "{text}"
    );
    // Only the exchange lines of the GET requests (the backend answered them) name the
    // integration.
    assert!(
        text.lines()
            .filter(|l| l.contains("from the integration"))
            .all(|l| l.contains(" GET → 200 from the integration")),
        "{text}"
    );
    let md = common::cors_doctor(common::args(&[
        "check", &url, "--no-aws", "--origin", ORIGIN, "-H", TOKEN, "--format", "markdown",
    ]))
    .await;
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("Answered by API Gateway or the backend."),
        "{md}"
    );
    assert!(md.contains("Answered by the integration."), "{md}");
}

/// A body API Gateway never sends is the backend's, with or without a configuration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_only_a_backend_sends_stays_the_backends() {
    let server = FakeGateway {
        preflight: automatic_preflight(),
        actual: http_api(401)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .body("{\"error\":\"token expired\"}"),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/tasks", server.base_url());
    let (_, report, out) = run(&url, &[]).await;
    assert_eq!(
        exchange(&report, "actual")["answered_by"],
        "backend",
        "{out}"
    );
    assert_eq!(
        exchange(&report, "no-origin")["answered_by"],
        "backend",
        "{out}"
    );
    let step1 = finding_message(&report, "FAILS_WITHOUT_BROWSER").unwrap_or_default();
    assert!(step1.contains("the backend answers 401"), "{out}");
}

/// Issue 11 item 12: an HTTP API's own 204 to the preflight and its 404 for a path with no
/// route. Probes only, neither can be credited to the backend; the 404's message has no
/// double space where REST puts the x-amzn-ErrorType.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_apis_own_204_and_404_are_not_credited_to_the_backend() {
    let server = FakeGateway {
        preflight: automatic_preflight(),
        actual: good_actual(),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/tasks", server.base_url());
    let (code, report, out) = run(&url, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        exchange(&report, "preflight")["answered_by"],
        "gateway-or-backend",
        "{out}"
    );
    let step3 = step_summary(&report, 3);
    assert!(
        step3.contains("204 from API Gateway or the backend"),
        "{step3}"
    );
    // The preflight's headers are still judged (it is not a gateway error).
    assert!(
        step_summary(&report, 5).contains("on the preflight"),
        "{out}"
    );

    let server = FakeGateway {
        preflight: http_api_error(404, "Not Found"),
        actual: http_api_error(404, "Not Found"),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/tasks", server.base_url());
    let (code, report, out) = run(&url, &[]).await;
    assert_eq!(code, 1, "{out}");
    let msg = finding_message(&report, "OPTIONS_MISSING").expect("step 3");
    assert!(
        msg.contains("the preflight gets 404 from API Gateway or the backend."),
        "{msg}"
    );
    assert!(!out.contains("404  "), "{out}");
    assert!(!out.contains("from the integration"), "{out}");
}

/// With the configuration (an export next to the live probes), the same answers are
/// settled: the authorized `$default` route's authorizer; the cors_configuration's answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_settles_who_answered() {
    let scenario = |name: &str| {
        format!(
            "{}/assets/scenarios/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        )
    };

    let server = FakeGateway {
        preflight: http_api_error(401, "Unauthorized"),
        actual: good_actual(),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/notes", server.base_url());
    let export = scenario("http-api-default-route-jwt");
    let (_, report, out) = run(&url, &["--openapi", &export, "--path", "/notes"]).await;
    assert_eq!(
        exchange(&report, "preflight")["answered_by"],
        "gateway",
        "{out}"
    );
    assert!(
        step_summary(&report, 3).contains("401 from API Gateway (the route's authorizer)"),
        "{out}"
    );
    assert!(!out.contains("API Gateway or the backend"), "{out}");

    let server = FakeGateway {
        preflight: automatic_preflight(),
        actual: good_actual(),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/tasks", server.base_url());
    let export = scenario("http-api-healthy");
    let (_, report, out) = run(&url, &["--openapi", &export, "--path", "/tasks"]).await;
    assert_eq!(
        exchange(&report, "preflight")["answered_by"],
        "gateway",
        "{out}"
    );
    assert!(
        step_summary(&report, 3).contains("204 from API Gateway (its CORS configuration)"),
        "{out}"
    );
    assert!(
        step_summary(&report, 5).contains("on the preflight"),
        "{out}"
    );

    // Offline, the behaviour model knows: its automatic preflight answer and its 404 for a
    // path without a route are API Gateway's.
    let (_, report, out) = check_json(&[
        "--openapi",
        &export,
        "--path",
        "/nothing-here",
        "--origin",
        ORIGIN,
        "-H",
        TOKEN,
    ])
    .await;
    for kind in ["preflight", "actual", "no-origin"] {
        let x = exchange(&report, kind);
        assert_eq!(x["predicted"], true, "{out}");
        assert_eq!(x["answered_by"], "gateway", "{kind}: {out}");
    }
    assert!(
        step_summary(&report, 3).contains("from API Gateway (its CORS configuration)"),
        "{out}"
    );
    assert!(!out.contains("from the integration"), "{out}");
    assert!(!out.contains("  from"), "{out}");
}

/// The actual request meets a `{"message":"Unauthorized"}` 401 without CORS headers and no
/// configuration says who sent it: step 5 judges it as the backend's, step 6 warns that it
/// may be API Gateway's own error (which HTTP APIs cannot add CORS headers to).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsure_error_on_the_actual_request_names_both_fixes() {
    let server = FakeGateway {
        preflight: automatic_preflight(),
        actual: http_api_error(401, "Unauthorized"),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/tasks", server.base_url());
    let (code, report, out) = run(&url, &[]).await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        exchange(&report, "actual")["answered_by"],
        "gateway-or-backend",
        "{out}"
    );
    assert_eq!(report["steps"][5]["status"], "warn", "{out}");
    let msg = finding_message(&report, "GATEWAY_RESPONSE_NO_CORS").expect("step 6");
    assert!(
        msg.starts_with("API Gateway or the backend answers the actual request with 401"),
        "{msg}"
    );
    let step1 = finding_message(&report, "FAILS_WITHOUT_BROWSER").unwrap_or_default();
    assert!(
        step1.contains("API Gateway or the backend answers 401"),
        "{out}"
    );
    let fix = report["steps"][0]["findings"][0]["remediation"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        fix.contains("a valid token for the route's authorizer"),
        "{fix}"
    );
}
