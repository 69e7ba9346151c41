//! Table-driven tests of the engine: the safelist rules, the checks, every reachable
//! `CorsErrorKind`, both modes, and every row of the reference's "Seen in a real headless
//! Chromium 156" table.

use super::safelist::{self, Safelist};
use super::*;
use crate::exchange::{FailureKind, RecordedResponse, TransportError};
use crate::http::Headers;
use crate::target::{CredentialsMode, Target};

type HeaderPairs = Vec<(&'static str, &'static str)>;
type Checked = Result<(), CorsError>;

const URL: &str = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items";
const ORIGIN: &str = "https://app.example.com";

fn target(method: &str, headers: &[(&str, &str)]) -> Target {
    Target {
        url: url::Url::parse(URL).unwrap(),
        origin: ORIGIN.to_string(),
        method: method.to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: None,
        credentials: CredentialsMode::SameOrigin,
    }
}

fn with_creds(mut t: Target, c: CredentialsMode) -> Target {
    t.credentials = c;
    t
}

fn with_body(mut t: Target, body: &str) -> Target {
    t.body = Some(body.to_string());
    t
}

fn resp(status: u16, headers: &[(&str, &str)]) -> RecordedResponse {
    RecordedResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body_excerpt: String::new(),
        body_truncated: false,
    }
}

fn err(kind: CorsErrorKind, param: Option<&str>) -> CorsError {
    CorsError {
        kind,
        failed_parameter: param.map(str::to_string),
    }
}

/// The app's usual request: a GET with a bearer token (so a preflight).
fn auth_get() -> Target {
    target("GET", &[("Authorization", "Bearer abc")])
}

/// A preflight answer that lets `auth_get()` through.
fn good_preflight() -> RecordedResponse {
    resp(
        200,
        &[
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Methods", "GET,POST,PUT,OPTIONS"),
            ("Access-Control-Allow-Headers", "Content-Type,Authorization"),
        ],
    )
}

fn run(t: &Target, pre: Option<&RecordedResponse>, act: Option<&RecordedResponse>) -> Verdict {
    let p = plan(t);
    let pre = pre.map_or(Observed::NotSent, Observed::Response);
    let act = act.map_or(Observed::NotSent, Observed::Response);
    verdict(t, &p, pre, act, Mode::ChromeToday)
}

mod chromium_table;
mod messages;
mod request;
mod response;
