//! The real-browser retest against loopback servers: a few rows of the reference table, live
//! and replayed, and the not-installed message.

mod common;

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
    eprintln!("{o:#?}");
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
