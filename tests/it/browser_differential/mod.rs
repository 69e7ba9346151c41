//! The differential suite: hundreds of generated cases (the app's method, headers, body and
//! credentials mode × the server's statuses and CORS headers, with duplicates, wildcards, case,
//! whitespace and redirects), each played by one loopback server, judged by the engine and by a
//! real headless Chromium. They must agree on the outcome and the CorsError (name and failed
//! parameter), and on whether a preflight is sent and what it asks for.
//!
//! Without Chromium the suite is skipped with a message, unless CORS_DOCTOR_REQUIRE_CHROMIUM is
//! set (CI sets it; scripts/install-chromium.sh installs Chromium).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cors_doctor::browser::{BrowserError, BrowserObservation, Chromium, LaunchOptions};
use cors_doctor::cors::{
    self, is_redirect_status, Mode, Observed, Outcome, Verdict, AUTHORIZATION_COVERED_BY_WILDCARD,
};
use cors_doctor::evidence::RecordedResponse;
use cors_doctor::evidence::{FailureKind, TransportError};
use cors_doctor::http::{HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;
use cors_doctor::target::{CredentialsMode, Target};

mod comparing;
mod generator;

use generator::*;

const ORIGIN: &str = "https://app.example.com";
const CASES: usize = 560;
const CONCURRENCY: usize = 8;
const SEED: u64 = 0x0c0d_5d0c;

// ---------------------------------------------------------------- a deterministic generator

struct Rng(u64);

impl Rng {
    /// splitmix64
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[derive(Clone, Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Resp {
    fn new(status: u16) -> Self {
        Resp {
            status,
            headers: Vec::new(),
        }
    }
    fn set(&mut self, name: &str, value: &str) {
        self.remove(name);
        self.headers.push((name.to_string(), value.to_string()));
    }
    fn add(&mut self, name: &str, value: &str) {
        self.headers.push((name.to_string(), value.to_string()));
    }
    fn remove(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
    fn recorded(&self) -> RecordedResponse {
        RecordedResponse {
            status: self.status,
            headers: self.headers.iter().cloned().collect(),
            body_excerpt: String::new(),
            body_truncated: false,
        }
    }
    fn http(&self) -> HttpResponse {
        HttpResponse {
            status: self.status,
            headers: self.headers.iter().cloned().collect(),
            body: b"{\"case\":true}".to_vec(),
        }
    }
    fn describe(&self) -> String {
        let h: Vec<String> = self
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v:?}"))
            .collect();
        format!("{} [{}]", self.status, h.join("; "))
    }
}

#[derive(Clone, Debug)]
struct Case {
    id: usize,
    method: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    credentials: CredentialsMode,
    preflight: Resp,
    actual: Resp,
    /// The answer at `/c/{id}/final`, where the actual response may redirect.
    final_: Resp,
    mutations: Vec<String>,
    /// Nothing listens at the target: the connection is refused.
    refused: bool,
}

impl Case {
    fn path(&self) -> String {
        format!("/c/{}", self.id)
    }
    fn target(&self, base: &str, closed: &str) -> Target {
        let base = if self.refused { closed } else { base };
        Target {
            url: url::Url::parse(&format!("{base}{}", self.path())).unwrap(),
            origin: ORIGIN.to_string(),
            method: self.method.clone(),
            headers: self.headers.iter().cloned().collect(),
            body: self.body.clone(),
            credentials: self.credentials,
        }
    }
    fn describe(&self) -> String {
        let h: Vec<String> = self
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v:?}"))
            .collect();
        format!(
            "case {}: fetch {} [{}] body={:?} credentials={} refused={} | mutations: {} | preflight {} | actual {} | final {}",
            self.id,
            self.method,
            h.join("; "),
            self.body,
            self.credentials.as_str(),
            self.refused,
            self.mutations.join(", "),
            self.preflight.describe(),
            self.actual.describe(),
            self.final_.describe(),
        )
    }
}

// ---------------------------------------------------------------- the engine's side

/// The engine's verdict, following a redirect of the actual request the way Fetch does (the
/// engine itself stops at a redirect and calls the outcome unknown).
fn engine(case: &Case, target: &Target, mode: Mode) -> Verdict {
    let plan = cors::plan(target);
    let pre = case.preflight.recorded();
    let act = case.actual.recorded();
    let refused = TransportError {
        kind: FailureKind::Connect,
        message: "connection refused".into(),
    };
    // fetch() throws before sending anything.
    if target.body.is_some() && matches!(plan.method.as_str(), "GET" | "HEAD") {
        return cors::verdict(target, &plan, Observed::NotSent, Observed::NotSent, mode);
    }
    let (preflight, actual) = match (case.refused, plan.required) {
        (true, true) => (Observed::Failed(&refused), Observed::NotSent),
        (true, false) => (Observed::NotSent, Observed::Failed(&refused)),
        (false, true) => (Observed::Response(&pre), Observed::Response(&act)),
        (false, false) => (Observed::NotSent, Observed::Response(&act)),
    };
    let v = cors::verdict(target, &plan, preflight, actual, mode);
    let redirected = !case.refused
        && v.outcome == Outcome::Unknown
        && v.cors_error.is_none()
        && is_redirect_status(case.actual.status);
    if !redirected {
        return v;
    }
    let Some(location) = act.headers.get("location") else {
        return v;
    };
    let Ok(next) = target.url.join(location) else {
        return v;
    };
    let mut hop = target.clone();
    if next.origin() != target.url.origin() {
        // A cross-origin hop taints the request's origin: it is serialized as "null".
        hop.origin = "null".to_string();
    }
    hop.url = next;
    let plan = cors::plan(&hop);
    let fin = case.final_.recorded();
    let preflight = if plan.required {
        Observed::Response(&pre)
    } else {
        Observed::NotSent
    };
    let mut v2 = cors::verdict(&hop, &plan, preflight, Observed::Response(&fin), mode);
    v2.warnings.splice(0..0, v.warnings);
    // Chromium names both URLs after a redirect, and the page's origin (not the tainted
    // "null" it checked against).
    if let Some(m) = &mut v2.console_message {
        *m = m.replacen(
            &format!(
                "Access to fetch at '{}' from origin '{}'",
                hop.url, hop.origin
            ),
            &format!(
                "Access to fetch at '{}' (redirected from '{}') from origin '{}'",
                hop.url, target.url, target.origin
            ),
            1,
        );
    }
    v2
}
