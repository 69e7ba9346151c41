//! The real-browser retest against loopback servers: a few rows of the reference table, live
//! and replayed, and the not-installed message.

use crate::common;

use std::time::Duration;

use common::{Canned, FakeGateway};
use cors_doctor::browser::{
    BrowserError, Chromium, LaunchOptions, Replay, ReplayAnswer, RetestSource,
};
use cors_doctor::cors::Outcome;
use cors_doctor::evidence::RecordedResponse;
use cors_doctor::http::Headers;
use cors_doctor::target::{CredentialsMode, Target};

const ORIGIN: &str = "https://app.example.com";

/// Chromium, or `None` (with a message) when it is missing and not required.
async fn chromium() -> Option<Chromium> {
    match Chromium::launch(LaunchOptions::default()).await {
        Ok(c) => Some(c),
        Err(e @ BrowserError::NotInstalled { .. })
            if std::env::var_os("CORS_DOCTOR_REQUIRE_CHROMIUM").is_none() =>
        {
            eprintln!("SKIPPED: {e} (set CORS_DOCTOR_REQUIRE_CHROMIUM=1 to make this a failure)");
            None
        }
        Err(e) => panic!("Chromium could not be started: {e}"),
    }
}

fn target(url: &str, headers: &[(&str, &str)]) -> Target {
    Target {
        url: url::Url::parse(url).unwrap(),
        origin: ORIGIN.into(),
        method: "GET".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: None,
        credentials: CredentialsMode::SameOrigin,
    }
}

#[tokio::test]
async fn live_preflight_without_cors_headers_is_reported_as_chromium_saw_it() {
    let Some(browser) = chromium().await else {
        return;
    };
    let server = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        actual: Canned::integration(200),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let t = target(
        &format!("{}/prod/items", server.base_url()),
        &[("Authorization", "Bearer abc")],
    );
    let o = browser.retest(&t).await.unwrap();
    assert_eq!(o.outcome, Outcome::Blocked);
    assert_eq!(
        o.cors_error.as_deref(),
        Some("PreflightMissingAllowOriginHeader")
    );
    assert_eq!(o.hidden_status(), Some(403));
    assert_eq!(o.source, RetestSource::Live);
    let pre = o.preflight.as_ref().expect("the preflight as sent");
    assert_eq!(pre.method, "OPTIONS");
    assert_eq!(pre.headers.get("origin"), Some(ORIGIN));
    assert_eq!(
        pre.headers.get("access-control-request-headers"),
        Some("authorization")
    );
    assert!(o
        .console_message
        .as_deref()
        .unwrap_or("")
        .contains("Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header"));
    assert!(
        o.warnings.iter().any(|w| w.contains("loopback-network")),
        "{:?}",
        o.warnings
    );
    browser.close().await;
}

fn recorded(status: u16, headers: &[(&str, &str)]) -> RecordedResponse {
    RecordedResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect::<Headers>(),
        body_excerpt: "{\"message\":\"x\"}".into(),
        body_truncated: false,
    }
}

#[tokio::test]
async fn replay_judges_recorded_answers_without_touching_the_network() {
    let Some(browser) = chromium().await else {
        return;
    };
    // Nothing listens here: any request that left the browser would be refused.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let t = target(
        &format!("http://{closed}/prod/items"),
        &[("Authorization", "Bearer abc")],
    );
    let page = browser.open_page(ORIGIN).await.unwrap();
    // The API Gateway default: OPTIONS unmapped → 403 without CORS headers.
    let replay = Replay {
        preflight: Some(ReplayAnswer::Response(recorded(
            403,
            &[("x-amzn-ErrorType", "MissingAuthenticationTokenException")],
        ))),
        actual: Some(ReplayAnswer::Response(recorded(200, &[]))),
    };
    let o = page.replay(&t, &replay).await.unwrap();
    assert_eq!(o.source, RetestSource::Replay);
    assert_eq!(
        o.cors_error.as_deref(),
        Some("PreflightMissingAllowOriginHeader")
    );
    assert_eq!(o.hidden_status(), Some(403));
    // Preflight 403 with CORS headers: the status is the problem.
    let replay = Replay {
        preflight: Some(ReplayAnswer::Response(recorded(
            403,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Headers", "authorization"),
            ],
        ))),
        actual: None,
    };
    let o = page.replay(&t, &replay).await.unwrap();
    assert_eq!(o.cors_error.as_deref(), Some("PreflightInvalidStatus"));
    // All good, then the actual answer is a 502 with Allow-Origin: the page reads it.
    let replay = Replay {
        preflight: Some(ReplayAnswer::Response(recorded(
            204,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Headers", "authorization"),
            ],
        ))),
        actual: Some(ReplayAnswer::Response(recorded(
            502,
            &[("Access-Control-Allow-Origin", ORIGIN)],
        ))),
    };
    let o = page.replay(&t, &replay).await.unwrap();
    assert_eq!(o.outcome, Outcome::Allowed, "{o:#?}");
    assert_eq!(o.status, Some(502));
    page.close().await;
    browser.close().await;
}

#[tokio::test]
async fn a_missing_chromium_says_how_to_install_it() {
    let e = Chromium::launch(LaunchOptions {
        executable: Some("/nonexistent/chromium".into()),
        ..LaunchOptions::default()
    })
    .await
    .unwrap_err();
    assert!(matches!(e, BrowserError::NotInstalled { .. }));
    assert!(e.to_string().contains("apt-get install -y chromium"), "{e}");
}

/// Runs `check … --format json` with `env` set, returning the exit code and the report.
async fn check_with_env(
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
) -> (i32, serde_json::Value, String) {
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"));
        cmd.arg("check")
            .args(["--format", "json"])
            .args(&args)
            .env("NO_COLOR", "1")
            .env(
                "XDG_CONFIG_HOME",
                std::env::temp_dir().join("cors-doctor-tests-no-config"),
            )
            .env(
                "XDG_STATE_HOME",
                std::env::temp_dir().join("cors-doctor-tests-state"),
            );
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        format!(
            "{stdout}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn step7(report: &serde_json::Value) -> &serde_json::Value {
    &report["steps"][6]
}

#[tokio::test]
async fn check_browser_without_chromium_keeps_the_engine_and_says_how_to_install() {
    let server = FakeGateway {
        preflight: Canned::good_preflight(ORIGIN, "GET,OPTIONS", "authorization"),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let (code, report, raw) = check_with_env(
        common::args(&[
            &url,
            "--origin",
            ORIGIN,
            "-H",
            "Authorization: Bearer abc",
            "--browser",
        ]),
        vec![("CHROMIUM", "/nonexistent/chromium".into())],
    )
    .await;
    assert_eq!(code, 0, "{raw}");
    assert_eq!(report["browser"]["source"], "engine", "{raw}");
    assert_eq!(report["browser"]["outcome"], "allowed");
    let messages: Vec<&str> = step7(&report)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("apt-get install -y chromium")),
        "{raw}"
    );
    assert_eq!(step7(&report)["status"], "warn", "{raw}");
}

#[tokio::test]
async fn check_browser_reports_what_chromium_saw() {
    if chromium().await.is_none() {
        return;
    }
    // API Gateway without an OPTIONS method: 403 MissingAuthenticationToken, no CORS headers.
    let server = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let (code, report, raw) = check_with_env(
        common::args(&[
            &url,
            "--origin",
            ORIGIN,
            "-H",
            "Authorization: Bearer abc",
            "--browser",
        ]),
        vec![],
    )
    .await;
    assert_eq!(code, 1, "{raw}");
    let b = &report["browser"];
    assert_eq!(b["source"], "chromium", "{raw}");
    assert_eq!(b["outcome"], "blocked");
    assert_eq!(b["cors_error"], "PreflightMissingAllowOriginHeader");
    assert_eq!(b["failed_at"], "preflight");
    assert_eq!(b["hidden_status"], 403);
    assert_eq!(b["firefox_reason"], "CORSPreflightDidNotSucceed");
    assert!(b["console_message"]
        .as_str()
        .unwrap()
        .starts_with(&format!("Access to fetch at '{url}' from origin '{ORIGIN}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check:")));
    assert!(
        b["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("loopback-network")),
        "{raw}"
    );
    let s7 = step7(&report);
    assert_eq!(s7["status"], "fail");
    assert!(
        s7["summary"].as_str().unwrap().contains("Chromium"),
        "{raw}"
    );
    assert!(!raw.contains("DISAGREE"), "{raw}");
    assert!(!raw.contains("Bearer abc"), "a secret leaked: {raw}");
}

#[test]
fn a_disagreement_between_engine_and_chromium_is_loud() {
    use cors_doctor::browser::{BrowserEvidence, BrowserObservation};
    use cors_doctor::cors::Mode;
    use cors_doctor::diagnose::diagnose;
    use cors_doctor::evidence::{
        AnsweredBy, ConfigEvidence, Evidence, Exchange, ExchangeKind, RecordedRequest,
    };
    use cors_doctor::report::Report;

    let t = target("https://api.example.com/prod/items", &[]);
    let x = |id: &str, kind, response: RecordedResponse| Exchange {
        id: id.into(),
        kind,
        request: RecordedRequest {
            method: "GET".into(),
            url: t.url.to_string(),
            headers: Headers::new(),
            body: None,
        },
        response: Some(response),
        error: None,
        answered_by: AnsweredBy::Unknown,
        gateway_error_type: None,
        elapsed_ms: 1,
        predicted: false,
    };
    let ok = recorded(200, &[("Access-Control-Allow-Origin", ORIGIN)]);
    let mut evidence = Evidence {
        target: t.clone(),
        exchanges: vec![
            x("x1", ExchangeKind::Actual, ok.clone()),
            x("x2", ExchangeKind::NoOrigin, ok),
        ],
        config: ConfigEvidence::NotRequested {
            reason: "test".into(),
        },
        browser: None,
    };
    // Engine: allowed. Chromium (made up): blocked.
    evidence.browser = Some(BrowserEvidence::Observed(Box::new(BrowserObservation {
        outcome: Outcome::Blocked,
        cors_error: Some("AllowOriginMismatch".into()),
        failed_parameter: Some("https://other.example".into()),
        console_message: Some("Access to fetch at … has been blocked by CORS policy: …".into()),
        net_error: Some("net::ERR_FAILED".into()),
        js_error: Some("TypeError: Failed to fetch".into()),
        status: None,
        preflight: None,
        actual: None,
        console: vec![],
        warnings: vec![],
        source: RetestSource::Live,
        browser_version: "Chrome/156.0.8078.108".into(),
    })));
    let d = diagnose(&evidence, Mode::ChromeToday);
    let step = &d.steps[6];
    assert_eq!(step.status, cors_doctor::diagnose::StepStatus::Fail);
    assert!(step
        .findings
        .iter()
        .any(|f| f.severity == cors_doctor::diagnose::Severity::Warning
            && f.message.contains("CHROMIUM AND THE ENGINE DISAGREE")
            && f.message.contains("engine: allowed")));
    let r = Report::new(&evidence, &d);
    assert_eq!(
        r.browser.source,
        cors_doctor::report::VerdictSource::Chromium
    );
    assert_eq!(r.browser.cors_error.as_deref(), Some("AllowOriginMismatch"));
    assert_eq!(
        r.browser.firefox_reason.as_deref(),
        Some("CORSAllowOriginNotMatchingOrigin")
    );
    assert_eq!(r.exit_code(), 1);
}
