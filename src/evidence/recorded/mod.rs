//! A HAR entry as evidence ([`crate::har`] reads the file): the request the page made, and
//! the exchanges the browser recorded for it, as the records the engine judges. Pure.
//!
//! Choices, with why:
//! - **The request under diagnosis** is the entry's method, URL and body, with the headers
//!   the page can have set: those the browser adds itself are left out by the same rule as a
//!   DevTools paste (`paste::browser_set`). `Cookie` is kept (the page sent credentials).
//! - **Credentials mode**: a HAR does not record fetch()'s `credentials`. A `Cookie` header or
//!   recorded cookies mean `include`; otherwise `same-origin` (fetch's default), unless the
//!   command line says (`--credentials`). A request that was never sent (after a failed
//!   preflight) records no cookies: say `--credentials include` if the app sends them.
//! - **The preflight** is the entry [`crate::har::Har::preflight_for`] pairs with the request.
//!   None recorded (Safari never records one; Chrome's export may not) leaves steps 3–5 and
//!   the verdict `unknown` when a preflight is needed, saying so.
//! - **No answer recorded** (status 0): a `net::` error other than `ERR_FAILED` (Chrome) or a
//!   WebKit connection error is the network failure it names; otherwise (Chrome's
//!   `net::ERR_FAILED`, Firefox's empty answer, WebKit's CORS text) the browser hid the answer,
//!   and the exchange holds [`FailureKind::NotRecorded`]: the engine says `unknown`, the
//!   browser's own error is quoted.
//! - **The request without Origin** (step 1) is never in a HAR (a browser always sends Origin
//!   cross-origin): its exchange says so, as `NotRecorded`.

use crate::cors::{self, Mode, Observed, Outcome, Verdict};
use crate::exchange::{
    attribute_answer, Exchange, ExchangeKind, FailureKind, RecordedRequest, RecordedResponse,
    TransportError,
};
use crate::har::{self, Entry, Har, OriginFrom};
use crate::http::Headers;
use crate::target::{CredentialsMode, Target};

/// One entry as the engine's input.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub target: Target,
    /// The recorded preflight (when paired), the actual request, and the request without
    /// Origin (always `NotRecorded`).
    pub exchanges: Vec<Exchange>,
    /// The entry number of the paired preflight.
    pub preflight_entry: Option<usize>,
    pub origin_from: OriginFrom,
    /// Names of the request headers left out as set by the browser itself.
    pub dropped: Vec<String>,
    /// What the browser itself recorded as the failure (`_error`), if any.
    pub browser_error: Option<String>,
}

/// Why an entry cannot be diagnosed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordedError {
    #[error("entry {0} is a preflight; diagnose the request it was sent for")]
    Preflight(usize),
    #[error("entry {0} has no page origin (no Origin or Referer header, no page URL); give it with --origin")]
    NoOrigin(usize),
    #[error("entry {0}'s origin is 'null' (a sandboxed or file:// page); give the page's origin with --origin")]
    NullOrigin(usize),
    #[error("entry {0}'s URL is not an http(s) URL")]
    BadUrl(usize),
    #[error("entry {0}'s origin is not scheme://host[:port]")]
    BadOrigin(usize),
}

/// How to read an entry (what the command line adds).
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// `--origin`: the page's origin, instead of the recorded one.
    pub origin: Option<String>,
    /// `--credentials`.
    pub credentials: Option<CredentialsMode>,
}

/// The entry `entry` of `har` as the engine's input.
pub fn recorded(har: &Har, entry: &Entry, opts: &ReadOptions) -> Result<Recorded, RecordedError> {
    let n = entry.number;
    if entry.is_preflight() {
        return Err(RecordedError::Preflight(n));
    }
    let url = url::Url::parse(entry.request.url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or(RecordedError::BadUrl(n))?;
    let (origin, origin_from) = match (&opts.origin, entry.page_origin(har)) {
        (Some(o), _) => (o.clone(), OriginFrom::OriginHeader),
        (None, Some(found)) => found,
        (None, None) => return Err(RecordedError::NoOrigin(n)),
    };
    if origin.trim() == "null" {
        return Err(RecordedError::NullOrigin(n));
    }
    let origin = har::origin_of(&origin).ok_or(RecordedError::BadOrigin(n))?;
    let get = |name: &str| entry.request_header(name).map(str::trim);
    let no_cache = get("cache-control").is_some_and(|v| v.eq_ignore_ascii_case("no-cache"))
        && get("pragma").is_some_and(|v| v.eq_ignore_ascii_case("no-cache"));
    let mut headers = Headers::new();
    let mut dropped: Vec<String> = Vec::new();
    for h in &entry.request.headers {
        if crate::paste::browser_set(&h.name, &h.value, no_cache) {
            let lower = h.name.to_ascii_lowercase();
            if !matches!(lower.as_str(), "origin" | "referer") && !dropped.contains(&lower) {
                dropped.push(lower);
            }
        } else {
            headers.push(&h.name, &h.value);
        }
    }
    let cookies = headers.contains("cookie") || !entry.request.cookies.is_empty();
    let credentials = opts.credentials.unwrap_or(if cookies {
        CredentialsMode::Include
    } else {
        CredentialsMode::SameOrigin
    });
    let body = entry
        .request
        .body
        .as_ref()
        .filter(|b| !b.binary)
        .map(|b| b.text.clone());
    let target = Target {
        url,
        origin,
        method: entry.request.method.clone(),
        headers,
        body,
        credentials,
    };
    let plan = cors::plan(&target);
    let ids = ids(&plan);
    let mut exchanges = Vec::new();
    let preflight = har.preflight_for(entry);
    match preflight {
        Some(pf) => exchanges.push(exchange(pf, ExchangeKind::Preflight, ids.preflight.clone())),
        None if plan.required => exchanges.push(not_recorded(
            ExchangeKind::Preflight,
            ids.preflight.clone(),
            RecordedRequest {
                method: "OPTIONS".to_string(),
                url: entry.request.url.clone(),
                headers: Headers::new(),
                body: None,
            },
            if har.shape == har::Shape::Safari {
                "the HAR holds no preflight: Safari's Web Inspector never records one"
            } else {
                "the HAR holds no preflight for this request (DevTools did not save it)"
            },
        )),
        None => {}
    }
    exchanges.push(exchange(entry, ExchangeKind::Actual, ids.actual.clone()));
    let mut bare_headers = Headers::new();
    for (n, v) in exchanges
        .last()
        .map(|x| x.request.headers.clone())
        .unwrap_or_default()
        .iter()
    {
        if !n.eq_ignore_ascii_case("origin") {
            bare_headers.push(n, v);
        }
    }
    exchanges.push(not_recorded(
        ExchangeKind::NoOrigin,
        ids.no_origin,
        RecordedRequest {
            method: entry.request.method.clone(),
            url: entry.request.url.clone(),
            headers: bare_headers,
            body: target.body.clone(),
        },
        "Unknown, because a HAR holds only what the browser sent, and a browser always sends Origin on a cross-origin request: the same request without Origin was never made (`cors-doctor har --live` sends it)",
    ));
    let browser_error = entry
        .response
        .error
        .clone()
        .or_else(|| preflight.and_then(|p| p.response.error.clone()));
    Ok(Recorded {
        target,
        exchanges,
        preflight_entry: preflight.map(|p| p.number),
        origin_from,
        dropped,
        browser_error,
    })
}

/// The ids the probes would give each kind (so that a live resend of one kind replaces the
/// recorded one).
struct Ids {
    preflight: String,
    actual: String,
    no_origin: String,
}

fn ids(plan: &cors::PreflightPlan) -> Ids {
    // As `probe::requests::plan_requests` numbers them: the preflight first when one is sent.
    let first = if plan.required { 2 } else { 1 };
    Ids {
        preflight: if plan.required { "x1" } else { "x0" }.to_string(),
        actual: format!("x{first}"),
        no_origin: format!("x{}", first + 1),
    }
}

/// Text from the file for a message: controls escaped, at most 200 characters.
fn shown(text: &str) -> String {
    crate::text::escape_controls(&crate::text::shorten(text, 200))
}

/// An exchange the recording does not hold, saying why.
fn not_recorded(kind: ExchangeKind, id: String, request: RecordedRequest, why: &str) -> Exchange {
    Exchange {
        id,
        kind,
        request,
        response: None,
        error: Some(TransportError {
            kind: FailureKind::NotRecorded,
            message: why.to_string(),
        }),
        answered_by: Default::default(),
        gateway_error_type: None,
        elapsed_ms: 0,
        predicted: false,
    }
}

/// One recorded entry as an exchange of `kind`.
fn exchange(entry: &Entry, kind: ExchangeKind, id: String) -> Exchange {
    let mut headers = Headers::new();
    for h in &entry.request.headers {
        headers.push(&h.name, &h.value);
    }
    let request = RecordedRequest {
        method: entry.request.method.clone(),
        url: entry.request.url.clone(),
        headers,
        body: entry
            .request
            .body
            .as_ref()
            .filter(|b| !b.binary)
            .map(|b| b.text.clone()),
    };
    let (response, error) = if entry.unanswered() {
        (None, Some(no_answer(entry)))
    } else {
        let mut headers = Headers::new();
        for h in &entry.response.headers {
            headers.push(&h.name, &h.value);
        }
        let body = entry.response.body.as_ref();
        (
            Some(RecordedResponse {
                status: entry.response.status,
                headers,
                body_excerpt: body.map(|b| b.text.clone()).unwrap_or_default(),
                body_truncated: body.is_some_and(|b| b.truncated || b.binary),
            }),
            None,
        )
    };
    let (answered_by, gateway_error_type) = match &response {
        Some(r) => attribute_answer(&request, r),
        None => (Default::default(), None),
    };
    Exchange {
        id,
        kind,
        request,
        response,
        error,
        answered_by,
        gateway_error_type,
        elapsed_ms: entry.time_ms.map_or(0, |t| t.min(u64::MAX as f64) as u64),
        predicted: false,
    }
}

/// Why an entry with status 0 has no answer: a network failure the browser names, or an
/// answer the browser hid.
fn no_answer(entry: &Entry) -> TransportError {
    let recorded = entry.response.error.as_deref().map(str::trim);
    let kind = match recorded {
        Some(e) => network_failure(e),
        None => FailureKind::NotRecorded,
    };
    let message = match (kind, recorded) {
        (FailureKind::NotRecorded, Some(e)) => {
            let status = entry
                .response
                .hidden_status
                .map(|s| format!(" (its message names status {s})"))
                .unwrap_or_default();
            format!(
                "the HAR holds no answer: the browser recorded '{}'{status}; a browser keeps no answer to a request that fails CORS",
                shown(e)
            )
        }
        (FailureKind::NotRecorded, None) => "the HAR holds no answer (status 0): the browser hid it (a request that fails CORS) or never sent the request".to_string(),
        (_, Some(e)) => format!("the browser recorded '{}'", shown(e)),
        (_, None) => "no answer".to_string(),
    };
    TransportError { kind, message }
}

/// A recorded failure text as the network failure it names, or `NotRecorded` when it is a
/// CORS failure (or says nothing more).
fn network_failure(text: &str) -> FailureKind {
    let t = text.to_ascii_lowercase();
    if t.contains("name_not_resolved") || t.contains("hostname could not be found") {
        FailureKind::Dns
    } else if t.contains("connection_refused")
        || t.contains("could not connect")
        || t.contains("connection_reset")
        || t.contains("address_unreachable")
        || t.contains("internet_disconnected")
    {
        FailureKind::Connect
    } else if t.contains("cert") || t.contains("ssl") || t.contains("secure connection") {
        FailureKind::Tls
    } else if t.contains("timed_out") || t.contains("timed out") {
        FailureKind::Timeout
    } else if t.contains("empty_response") || t.contains("invalid_http_response") {
        FailureKind::Protocol
    } else {
        FailureKind::NotRecorded
    }
}

/// One cross-origin request of a HAR, as the list shows it.
#[derive(Clone, Debug)]
pub struct Listed {
    pub number: usize,
    pub method: String,
    /// The URL as recorded (mask it before showing it).
    pub url: String,
    pub origin: String,
    /// 0 when none was recorded.
    pub status: u16,
    pub preflight_entry: Option<usize>,
    /// The preflight's recorded status.
    pub preflight_status: Option<u16>,
    /// The engine's verdict from the recorded exchanges (its gist: a list may be long).
    pub verdict: Gist,
    /// The status WebKit's failure text names (Safari hides the answer, not its status).
    pub hidden_status: Option<u16>,
    /// What the browser recorded as the failure (`_error`).
    pub browser_error: Option<String>,
    /// Failed in the browser: the engine says blocked or network error, or the browser
    /// recorded a failure.
    pub failed: bool,
}

/// The gist of a [`Verdict`]: what the list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gist {
    pub outcome: Outcome,
    pub cors_error: Option<crate::cors::CorsErrorKind>,
    pub failed_at: Option<crate::cors::FailedAt>,
}

impl From<&Verdict> for Gist {
    fn from(v: &Verdict) -> Gist {
        Gist {
            outcome: v.outcome,
            cors_error: v.cors_error.as_ref().map(|e| e.kind),
            failed_at: v.failed_at,
        }
    }
}

/// Every cross-origin request of `har` (preflights are folded into the request they were
/// sent for), failures first, then in the file's order.
pub fn list(har: &Har, opts: &ReadOptions, mode: Mode) -> Vec<Listed> {
    let mut out: Vec<Listed> = har
        .entries
        .iter()
        .filter(|e| {
            // Cross-origin: the page's origin (`--origin`, else the recorded one) is not the
            // URL's.
            let page = match &opts.origin {
                Some(o) => har::origin_of(o),
                None => e.page_origin(har).map(|(o, _)| o),
            };
            !e.is_preflight()
                && e.cors_mode()
                && matches!((e.url_origin(), page), (Some(url), Some(page)) if url != page)
        })
        .filter_map(|e| {
            let r = recorded(har, e, opts).ok()?;
            let verdict = engine_verdict(&r, mode);
            let failed = matches!(verdict.outcome, Outcome::Blocked | Outcome::NetworkError)
                || r.browser_error.is_some()
                || e.unanswered();
            let preflight_status = r
                .preflight_entry
                .and_then(|n| har.entry(n))
                .map(|p| p.response.status);
            Some(Listed {
                number: e.number,
                method: e.request.method.clone(),
                url: e.request.url.clone(),
                origin: r.target.origin.clone(),
                status: e.response.status,
                preflight_entry: r.preflight_entry,
                preflight_status,
                verdict: Gist::from(&verdict),
                hidden_status: e.response.hidden_status,
                browser_error: r.browser_error,
                failed,
            })
        })
        .collect();
    out.sort_by_key(|l| (!l.failed, l.number));
    out
}

/// The engine's verdict on a recorded entry: the same function `check` reaches through the
/// diagnosis.
pub fn engine_verdict(r: &Recorded, mode: Mode) -> Verdict {
    let plan = cors::plan(&r.target);
    let observed = |k: ExchangeKind| match r.exchanges.iter().find(|x| x.kind == k) {
        Some(Exchange {
            response: Some(resp),
            ..
        }) => Observed::Response(resp),
        Some(Exchange { error: Some(e), .. }) => Observed::Failed(e),
        _ => Observed::NotSent,
    };
    cors::verdict(
        &r.target,
        &plan,
        observed(ExchangeKind::Preflight),
        observed(ExchangeKind::Actual),
        mode,
    )
}

#[cfg(test)]
mod tests;
