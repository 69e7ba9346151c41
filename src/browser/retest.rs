//! One retest: a fresh browser context and page on the app's origin, the app's `fetch()`, and
//! the DevTools events that say what Chromium made of it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::cdp::{Cdp, Event};
use super::observation::{BrowserObservation, RetestSource, SentRequest};
use super::{str_at, BrowserError, LocalNetwork, CALL_TIMEOUT};
use crate::cors::Outcome;
use crate::evidence::{FailureKind, RecordedResponse, TransportError};
use crate::http::Headers;
use crate::target::Target;

/// The answer replayed for one of the browser's requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayAnswer {
    Response(RecordedResponse),
    Failed(TransportError),
}

/// The answers for a replayed retest: the preflight's (when one was recorded) and the actual
/// request's. A request without an answer fails as a refused connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    pub preflight: Option<ReplayAnswer>,
    pub actual: Option<ReplayAnswer>,
}

/// The path of the app page on the app's origin.
const PAGE_PATH: &str = "/__cors-doctor__/app";
const PAGE_HTML: &str =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>cors-doctor</title></head><body></body></html>";
/// How long to wait, once fetch() has settled, for the last events (the console line).
const SETTLE: Duration = Duration::from_millis(1500);
/// How long the events of a previous retest on the same page may trail behind.
const QUIET: Duration = Duration::from_millis(20);
/// Synthetic event the interceptor emits for a replayed request that had no recorded answer.
const UNRECORDED: &str = "cors-doctor.unrecorded";

/// What the interceptor answers; replaced before each retest on a page.
#[derive(Default)]
struct Plan {
    target_url: String,
    replay: Option<Replay>,
}

type SharedPlan = Arc<std::sync::Mutex<Plan>>;

fn lock(plan: &SharedPlan) -> std::sync::MutexGuard<'_, Plan> {
    plan.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A page served from one origin, in a browser context of its own, that can run retests one
/// after another (they share the context's cookies, caches and granted permissions).
pub struct Page {
    cdp: Cdp,
    origin: String,
    context_id: String,
    session: String,
    plan: SharedPlan,
    collected: tokio::sync::Mutex<mpsc::UnboundedReceiver<Event>>,
    pump: tokio::task::JoinHandle<()>,
    /// The Local Network Access permissions granted so far, with their warnings.
    granted: tokio::sync::Mutex<Vec<(&'static str, String)>>,
    local_network: LocalNetwork,
    version: String,
    timeout: Duration,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

pub(super) struct PageOptions<'a> {
    pub cdp: &'a Cdp,
    pub origin: &'a str,
    pub local_network: LocalNetwork,
    pub version: &'a str,
    pub timeout: Duration,
}

impl Page {
    pub(super) async fn open(o: PageOptions<'_>) -> Result<Page, BrowserError> {
        let cdp = o.cdp;
        let context = cdp
            .call(
                "Target.createBrowserContext",
                json!({ "disposeOnDetach": true }),
                None,
                CALL_TIMEOUT,
            )
            .await?;
        let context_id = str_at(&context, "browserContextId").to_string();
        match Self::open_in(&o, &context_id).await {
            Ok(page) => Ok(page),
            Err(e) => {
                dispose(cdp, &context_id).await;
                Err(e)
            }
        }
    }

    async fn open_in(o: &PageOptions<'_>, context_id: &str) -> Result<Page, BrowserError> {
        let cdp = o.cdp;
        let page_url = format!("{}{PAGE_PATH}", o.origin);
        let created = cdp
            .call(
                "Target.createTarget",
                json!({ "url": "about:blank", "browserContextId": context_id }),
                None,
                CALL_TIMEOUT,
            )
            .await?;
        let target_id = str_at(&created, "targetId").to_string();
        let attached = cdp
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target_id, "flatten": true }),
                None,
                CALL_TIMEOUT,
            )
            .await?;
        let session = str_at(&attached, "sessionId").to_string();
        let events = cdp.subscribe(&session);
        let (collected_tx, mut collected) = mpsc::unbounded_channel();
        let plan: SharedPlan = Arc::default();
        let pump = tokio::spawn(pump(
            cdp.clone(),
            session.clone(),
            events,
            collected_tx,
            Interceptor {
                page_url: page_url.clone(),
                origin_prefix: format!("{}/", o.origin),
                plan: plan.clone(),
            },
        ));
        let page = Page {
            cdp: cdp.clone(),
            origin: o.origin.to_string(),
            context_id: context_id.to_string(),
            session: session.clone(),
            plan,
            collected: tokio::sync::Mutex::new(mpsc::unbounded_channel().1),
            pump,
            granted: tokio::sync::Mutex::new(Vec::new()),
            local_network: o.local_network,
            version: o.version.to_string(),
            timeout: o.timeout,
        };
        let s = Some(session.as_str());
        for method in ["Network.enable", "Log.enable", "Page.enable"] {
            cdp.call(method, json!({}), s, CALL_TIMEOUT).await?;
        }
        // Every request is paused: the page and its made-up origin are answered here, and
        // (replay) so is the target; the rest continues to the network (live) or is refused.
        cdp.call(
            "Fetch.enable",
            json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] }),
            s,
            CALL_TIMEOUT,
        )
        .await?;
        let navigated = cdp
            .call("Page.navigate", json!({ "url": page_url }), s, CALL_TIMEOUT)
            .await?;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str) {
            return Err(BrowserError::Protocol(format!(
                "the app page on {} did not load: {error}",
                o.origin
            )));
        }
        let deadline = Instant::now() + o.timeout;
        loop {
            match tokio::time::timeout_at(deadline, collected.recv()).await {
                Ok(Some(e)) if e.method == "Page.loadEventFired" => break,
                Ok(Some(_)) => {}
                Ok(None) => return Err(BrowserError::Closed),
                Err(_) => return Err(BrowserError::Timeout("the app page did not load".into())),
            }
        }
        *page.collected.lock().await = collected;
        Ok(page)
    }

    /// The page's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Chromium fetches the real target (see [`super::Chromium::retest`]). The target's origin
    /// must be the page's.
    pub async fn retest(&self, target: &Target) -> Result<BrowserObservation, BrowserError> {
        self.run(target, None).await
    }

    /// Chromium's requests are answered with `replay` (see [`super::Chromium::replay`]).
    pub async fn replay(
        &self,
        target: &Target,
        replay: &Replay,
    ) -> Result<BrowserObservation, BrowserError> {
        self.run(target, Some(replay)).await
    }

    async fn run(
        &self,
        target: &Target,
        replay: Option<&Replay>,
    ) -> Result<BrowserObservation, BrowserError> {
        if target.origin != self.origin {
            return Err(BrowserError::Protocol(format!(
                "this page is on {}, not on the target's origin {}",
                self.origin, target.origin
            )));
        }
        match tokio::time::timeout(self.timeout, self.run_inner(target, replay)).await {
            Ok(r) => r,
            Err(_) => Err(BrowserError::Timeout(format!(
                "no outcome within {:?}",
                self.timeout
            ))),
        }
    }

    async fn run_inner(
        &self,
        target: &Target,
        replay: Option<&Replay>,
    ) -> Result<BrowserObservation, BrowserError> {
        // One retest at a time on a page.
        let mut collected = self.collected.lock().await;
        let mut warnings = Vec::new();
        if self.local_network == LocalNetwork::DisableChecks {
            warnings.push("Chromium ran with --disable-features=LocalNetworkAccessChecks: its Local Network Access checks (public page → private or loopback address) were off".to_string());
        } else if let Some(space) = more_private_space(target) {
            let mut granted = self.granted.lock().await;
            let known = granted
                .iter()
                .find(|(s, _)| *s == space)
                .map(|(_, w)| w.clone());
            let warning = match known {
                Some(w) => w,
                None => {
                    let w =
                        grant_local_network(&self.cdp, &self.context_id, &self.origin, space).await;
                    granted.push((space, w.clone()));
                    w
                }
            };
            warnings.push(warning);
        }
        {
            let mut plan = lock(&self.plan);
            plan.target_url = without_fragment(target);
            plan.replay = replay.cloned();
        }
        // Let the events of an earlier retest on this page drain away.
        while let Ok(Some(_)) = tokio::time::timeout(QUIET, collected.recv()).await {}

        let mut seen = Vec::new();
        let evaluated = self
            .cdp
            .call(
                "Runtime.evaluate",
                json!({
                    "expression": fetch_expression(target),
                    "awaitPromise": true,
                    "returnByValue": true,
                }),
                Some(&self.session),
                self.timeout,
            )
            .await?;
        let page_result = evaluated
            .get("result")
            .and_then(|r| r.get("value"))
            .cloned()
            .unwrap_or(Value::Null);

        // Wait for the fetch's last events: its loadingFinished/loadingFailed and, for a CORS
        // error, the console line.
        let url = target.url.as_str();
        let settle = Instant::now() + SETTLE;
        loop {
            while let Ok(e) = collected.try_recv() {
                seen.push(e);
            }
            if Requests::from_events(&seen).settled(url) {
                break;
            }
            match tokio::time::timeout_at(settle, collected.recv()).await {
                Ok(Some(e)) => seen.push(e),
                Ok(None) | Err(_) => break,
            }
        }
        let source = if replay.is_some() {
            RetestSource::Replay
        } else {
            RetestSource::Live
        };
        Ok(observe(
            &seen,
            url,
            &page_result,
            warnings,
            source,
            self.version.clone(),
        ))
    }

    /// Closes the page and its browser context.
    pub async fn close(self) {
        self.cdp.forget(&self.session);
        self.pump.abort();
        dispose(&self.cdp, &self.context_id).await;
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.cdp.forget(&self.session);
        self.pump.abort();
    }
}

async fn dispose(cdp: &Cdp, context_id: &str) {
    if let Err(e) = cdp
        .call(
            "Target.disposeBrowserContext",
            json!({ "browserContextId": context_id }),
            None,
            CALL_TIMEOUT,
        )
        .await
    {
        tracing::debug!(error = %e, "could not dispose of the browser context");
    }
}

/// The JavaScript the page runs: the app's fetch(), reporting how it settled.
fn fetch_expression(target: &Target) -> String {
    let headers: Vec<[&str; 2]> = target.headers.iter().map(|(n, v)| [n, v]).collect();
    let mut init = json!({
        "method": target.method,
        "headers": headers,
        "credentials": target.credentials.as_str(),
        "mode": "cors",
    });
    if let (Some(body), Some(obj)) = (&target.body, init.as_object_mut()) {
        obj.insert("body".into(), Value::String(body.clone()));
    }
    let url = Value::String(target.url.to_string());
    format!(
        r#"(async () => {{
  try {{
    const r = await fetch({url}, {init});
    try {{ await r.arrayBuffer(); }} catch (e) {{}}
    return {{ ok: true, status: r.status, type: r.type }};
  }} catch (e) {{
    return {{ ok: false, error: String(e) }};
  }}
}})()"#
    )
}

fn without_fragment(target: &Target) -> String {
    let mut url = target.url.clone();
    url.set_fragment(None);
    url.to_string()
}

/// The address space of the target when it is more private than the page's origin:
/// `loopback-network` or `local-network`.
fn more_private_space(target: &Target) -> Option<&'static str> {
    fn space(host: Option<url::Host<&str>>) -> u8 {
        match host {
            Some(url::Host::Domain(d)) => {
                let d = d.to_ascii_lowercase();
                if d == "localhost" || d.ends_with(".localhost") {
                    0
                } else {
                    2
                }
            }
            Some(url::Host::Ipv4(ip)) => ip_space(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => ip_space(IpAddr::V6(ip)),
            None => 2,
        }
    }
    fn ip_space(ip: IpAddr) -> u8 {
        match ip {
            IpAddr::V4(v4) if v4.is_loopback() => 0,
            IpAddr::V4(v4) if v4.is_private() || v4.is_link_local() => 1,
            IpAddr::V6(v6) if v6.is_loopback() => 0,
            IpAddr::V6(v6) if (v6.segments()[0] & 0xfe00) == 0xfc00 => 1,
            IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => 1,
            _ => 2,
        }
    }
    let target_space = space(target.url.host());
    let origin_space = url::Url::parse(&target.origin)
        .ok()
        .map_or(2, |u| space(u.host()));
    match (target_space < origin_space, target_space) {
        (false, _) => None,
        (true, 0) => Some("loopback-network"),
        (true, _) => Some("local-network"),
    }
}

/// Grants the page's origin the Local Network Access permission; returns the warning that
/// says so (or that it failed).
async fn grant_local_network(cdp: &Cdp, context_id: &str, origin: &str, space: &str) -> String {
    let mut errors = Vec::new();
    for name in [space, "local-network-access"] {
        let granted = cdp
            .call(
                "Browser.setPermission",
                json!({
                    "permission": { "name": name },
                    "setting": "granted",
                    "origin": origin,
                    "browserContextId": context_id,
                }),
                None,
                CALL_TIMEOUT,
            )
            .await;
        match granted {
            Ok(_) => {
                return format!("Local Network Access: the target is on a more private network than the page, so the retest granted {origin} Chromium's '{name}' permission (a user's browser asks for it first and blocks the request if refused)");
            }
            Err(e) => errors.push(format!("{name}: {e}")),
        }
    }
    format!(
        "Local Network Access: could not grant {origin} the permission to reach the target ({}); Chromium may block the request for that reason alone",
        errors.join("; ")
    )
}

// ---------------------------------------------------------------- interception

struct Interceptor {
    page_url: String,
    origin_prefix: String,
    plan: SharedPlan,
}

/// Handles `Fetch.requestPaused` (the app page, the replayed answers, and a wall around the
/// made-up origin); forwards every other event.
async fn pump(
    cdp: Cdp,
    session: String,
    mut events: mpsc::UnboundedReceiver<Event>,
    collected: mpsc::UnboundedSender<Event>,
    interceptor: Interceptor,
) {
    while let Some(event) = events.recv().await {
        if event.method != "Fetch.requestPaused" {
            if collected.send(event).is_err() {
                break;
            }
            continue;
        }
        let p = &event.params;
        let id = str_at(p, "requestId").to_string();
        let request = p.get("request").cloned().unwrap_or(Value::Null);
        let url = str_at(&request, "url");
        let method = str_at(&request, "method");
        let (command, params) = interceptor.decide(&id, url, method, &request);
        let replaying = lock(&interceptor.plan).replay.is_some();
        if command == "Fetch.failRequest" && replaying {
            let _ = collected.send(Event {
                method: UNRECORDED.to_string(),
                params: json!({ "url": url, "method": method }),
            });
        }
        if let Err(e) = cdp
            .call(command, params, Some(&session), CALL_TIMEOUT)
            .await
        {
            tracing::debug!(error = %e, url, "could not answer a paused request");
        }
    }
}

impl Interceptor {
    fn decide(&self, id: &str, url: &str, method: &str, request: &Value) -> (&'static str, Value) {
        if url == self.page_url {
            return fulfill(
                id,
                200,
                &[("Content-Type", "text/html; charset=utf-8")],
                PAGE_HTML,
            );
        }
        let plan = lock(&self.plan);
        if url == plan.target_url {
            match &plan.replay {
                None => return ("Fetch.continueRequest", json!({ "requestId": id })),
                Some(replay) => {
                    let is_preflight = method == "OPTIONS"
                        && request
                            .get("headers")
                            .and_then(Value::as_object)
                            .is_some_and(|h| {
                                h.keys().any(|k| {
                                    k.eq_ignore_ascii_case("access-control-request-method")
                                })
                            });
                    let answer = if is_preflight {
                        replay.preflight.as_ref()
                    } else {
                        replay.actual.as_ref()
                    };
                    return match answer {
                        Some(ReplayAnswer::Response(r)) => fulfill_recorded(id, r),
                        Some(ReplayAnswer::Failed(e)) => fail(id, error_reason(e)),
                        None => fail(id, "ConnectionRefused"),
                    };
                }
            }
        }
        if url.starts_with(&self.origin_prefix) {
            // The app's origin is made up: nothing on it is ever fetched.
            return fulfill(id, 204, &[], "");
        }
        if plan.replay.is_some() {
            return fail(id, "ConnectionRefused");
        }
        ("Fetch.continueRequest", json!({ "requestId": id }))
    }
}

fn fulfill(id: &str, status: u16, headers: &[(&str, &str)], body: &str) -> (&'static str, Value) {
    let headers: Vec<Value> = headers
        .iter()
        .map(|(n, v)| json!({ "name": n, "value": v }))
        .collect();
    (
        "Fetch.fulfillRequest",
        json!({
            "requestId": id,
            "responseCode": status,
            "responseHeaders": headers,
            "body": base64(body.as_bytes()),
        }),
    )
}

fn fulfill_recorded(id: &str, response: &RecordedResponse) -> (&'static str, Value) {
    // The excerpt is not the whole body, nor still encoded: drop the framing and coding.
    let headers: Vec<Value> = response
        .headers
        .iter()
        .filter(|(n, _)| {
            !["content-length", "transfer-encoding", "content-encoding"]
                .iter()
                .any(|x| n.eq_ignore_ascii_case(x))
        })
        .map(|(n, v)| json!({ "name": n, "value": v }))
        .collect();
    (
        "Fetch.fulfillRequest",
        json!({
            "requestId": id,
            "responseCode": response.status,
            "responseHeaders": headers,
            "body": base64(response.body_excerpt.as_bytes()),
        }),
    )
}

fn fail(id: &str, reason: &str) -> (&'static str, Value) {
    (
        "Fetch.failRequest",
        json!({ "requestId": id, "errorReason": reason }),
    )
}

/// The DevTools `Network.ErrorReason` for a recorded transport failure.
fn error_reason(e: &TransportError) -> &'static str {
    let msg = e.message.to_ascii_lowercase();
    match e.kind {
        FailureKind::Dns => "NameNotResolved",
        FailureKind::Connect if msg.contains("reset") => "ConnectionReset",
        FailureKind::Connect if msg.contains("timed out") => "TimedOut",
        FailureKind::Connect if msg.contains("unreachable") => "AddressUnreachable",
        FailureKind::Connect => "ConnectionRefused",
        FailureKind::Tls => "Failed",
        FailureKind::Timeout => "TimedOut",
        FailureKind::Protocol | FailureKind::Other if msg.contains("reset") => "ConnectionReset",
        FailureKind::Protocol if msg.contains("closed") => "ConnectionClosed",
        FailureKind::Protocol | FailureKind::Other => "Failed",
    }
}

/// Standard base64 with padding (what DevTools expects for bodies).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------- reading the events

#[derive(Debug, Default, Clone)]
struct Req {
    method: String,
    url: String,
    kind: String,
    preflight: bool,
    headers: Headers,
    wire_headers: Option<Headers>,
    status: Option<u16>,
    response_headers: Headers,
    error_text: Option<String>,
    cors: Option<(String, String)>,
    redirects: Vec<String>,
    done: bool,
    /// `requestWillBeSent` was seen in this retest's events (not a straggler of another).
    sent: bool,
}

impl Req {
    fn sent(&self) -> SentRequest {
        SentRequest {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self
                .wire_headers
                .clone()
                .unwrap_or_else(|| self.headers.clone()),
            status: self.status,
            response_headers: self.response_headers.clone(),
            error_text: self.error_text.clone(),
            redirects: self.redirects.clone(),
            on_wire: self.wire_headers.is_some() || self.status.is_some(),
        }
    }
}

#[derive(Debug, Default)]
struct Requests {
    by_id: HashMap<String, Req>,
    order: Vec<String>,
    console: Vec<(String, String)>,
    unrecorded: Vec<String>,
}

/// DevTools header objects; a field sent more than once arrives joined by newlines.
fn headers_of(v: Option<&Value>) -> Headers {
    let mut h = Headers::new();
    if let Some(obj) = v.and_then(Value::as_object) {
        for (name, value) in obj {
            for part in value.as_str().unwrap_or("").split('\n') {
                h.push(name.clone(), part.to_string());
            }
        }
    }
    h
}

fn status_of(v: Option<&Value>) -> Option<u16> {
    v.and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
}

impl Requests {
    fn entry(&mut self, id: &str) -> &mut Req {
        if !self.by_id.contains_key(id) {
            self.order.push(id.to_string());
        }
        self.by_id.entry(id.to_string()).or_default()
    }

    fn from_events(events: &[Event]) -> Requests {
        let mut r = Requests::default();
        for e in events {
            let p = &e.params;
            let id = str_at(p, "requestId");
            match e.method.as_str() {
                "Network.requestWillBeSent" => {
                    let request = p.get("request");
                    let initiator = str_at(p.get("initiator").unwrap_or(&Value::Null), "type");
                    let kind = str_at(p, "type").to_string();
                    let redirect = p.get("redirectResponse");
                    let req = r.entry(id);
                    if let Some(redirect) = redirect {
                        req.status = status_of(redirect.get("status"));
                        let location = request.map_or("", |q| str_at(q, "url"));
                        req.redirects.push(location.to_string());
                    }
                    req.method = request.map_or("", |q| str_at(q, "method")).to_string();
                    req.url = request.map_or("", |q| str_at(q, "url")).to_string();
                    req.headers = headers_of(request.and_then(|q| q.get("headers")));
                    req.kind = kind;
                    req.sent = true;
                    req.preflight = initiator == "preflight" || req.kind == "Preflight";
                }
                "Network.requestWillBeSentExtraInfo" => {
                    r.entry(id).wire_headers = Some(headers_of(p.get("headers")));
                }
                "Network.responseReceivedExtraInfo" => {
                    let req = r.entry(id);
                    req.status = status_of(p.get("statusCode"));
                    req.response_headers = headers_of(p.get("headers"));
                }
                "Network.responseReceived" => {
                    let response = p.get("response");
                    let req = r.entry(id);
                    if req.status.is_none() {
                        req.status = status_of(response.and_then(|x| x.get("status")));
                    }
                    if req.response_headers.is_empty() {
                        req.response_headers = headers_of(response.and_then(|x| x.get("headers")));
                    }
                    if str_at(p, "type") == "Preflight" {
                        req.preflight = true;
                    }
                }
                "Network.loadingFinished" => r.entry(id).done = true,
                "Network.loadingFailed" => {
                    let cors = p.get("corsErrorStatus").map(|c| {
                        (
                            str_at(c, "corsError").to_string(),
                            str_at(c, "failedParameter").to_string(),
                        )
                    });
                    let req = r.entry(id);
                    req.done = true;
                    req.error_text = Some(str_at(p, "errorText").to_string());
                    req.cors = cors;
                }
                "Log.entryAdded" => {
                    let entry = p.get("entry").unwrap_or(&Value::Null);
                    r.console.push((
                        str_at(entry, "source").to_string(),
                        str_at(entry, "text").to_string(),
                    ));
                }
                UNRECORDED => {
                    r.unrecorded
                        .push(format!("{} {}", str_at(p, "method"), str_at(p, "url")))
                }
                _ => {}
            }
        }
        r
    }

    fn sent(&self) -> impl Iterator<Item = &Req> {
        self.order
            .iter()
            .filter_map(|id| self.by_id.get(id))
            .filter(|r| r.sent)
    }

    /// The app's fetch: the request of type Fetch that is not a preflight.
    fn main(&self) -> Option<&Req> {
        self.sent().find(|r| !r.preflight && r.kind == "Fetch")
    }

    fn preflight(&self) -> Option<&Req> {
        self.sent().find(|r| r.preflight)
    }

    /// Chromium's CORS console line, preferring the one that names `url`.
    fn cors_console_line(&self, url: &str) -> Option<&str> {
        let lines = || {
            self.console
                .iter()
                .map(|(_, t)| t.as_str())
                .filter(|t| t.starts_with("Access to fetch at"))
        };
        let quoted = format!("'{url}'");
        lines()
            .find(|t| t.contains(&quoted))
            .or_else(|| lines().next())
    }

    /// Everything the observation needs has arrived.
    fn settled(&self, url: &str) -> bool {
        match self.main() {
            Some(m) if m.done => m.cors.is_none() || self.cors_console_line(url).is_some(),
            _ => false,
        }
    }
}

fn observe(
    events: &[Event],
    url: &str,
    page_result: &Value,
    mut warnings: Vec<String>,
    source: RetestSource,
    browser_version: String,
) -> BrowserObservation {
    let state = Requests::from_events(events);
    let main = state.main();
    let preflight = state.preflight();
    let page_ok = page_result.get("ok").and_then(Value::as_bool);
    let js_error = page_result
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_string);
    for u in &state.unrecorded {
        warnings.push(format!(
            "replay: Chromium requested {u}, which has no recorded answer; it was refused"
        ));
    }
    let cors = main.and_then(|m| m.cors.clone());
    let outcome = match (&cors, page_ok) {
        (Some(_), _) => Outcome::Blocked,
        (None, Some(true)) => Outcome::Allowed,
        _ => Outcome::NetworkError,
    };
    if page_ok.is_none() {
        warnings.push(
            "the page's fetch() did not settle; the outcome is a guess from DevTools events"
                .to_string(),
        );
    }
    let console_message = state
        .cors_console_line(url)
        .map(str::to_string)
        .or_else(|| {
            (outcome != Outcome::Allowed)
                .then(|| state.console.first().map(|(_, t)| t.clone()))
                .flatten()
        });
    BrowserObservation {
        outcome,
        failed_parameter: cors.as_ref().map(|c| c.1.clone()).filter(|p| !p.is_empty()),
        cors_error: cors.map(|c| c.0),
        console_message,
        net_error: main
            .and_then(|m| m.error_text.clone())
            .or_else(|| preflight.and_then(|p| p.error_text.clone())),
        js_error,
        status: if outcome == Outcome::Allowed {
            page_result
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
        } else {
            None
        },
        preflight: preflight.map(Req::sent),
        actual: main.map(Req::sent),
        console: state.console.iter().map(|(_, t)| t.clone()).collect(),
        warnings,
        source,
        browser_version,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    fn ev(method: &str, params: Value) -> Event {
        Event {
            method: method.into(),
            params,
        }
    }

    #[test]
    fn a_blocked_preflight_is_read_from_the_events() {
        let events = vec![
            ev(
                "Network.requestWillBeSent",
                json!({"requestId": "7", "type": "Fetch", "initiator": {"type": "script"},
                       "request": {"url": "http://127.0.0.1:1/x", "method": "GET", "headers": {"Authorization": "Bearer a"}}}),
            ),
            ev(
                "Network.requestWillBeSent",
                json!({"requestId": "7.p", "type": "Preflight", "initiator": {"type": "preflight", "requestId": "7"},
                       "request": {"url": "http://127.0.0.1:1/x", "method": "OPTIONS", "headers": {}}}),
            ),
            ev(
                "Network.requestWillBeSentExtraInfo",
                json!({"requestId": "7.p", "headers": {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}}),
            ),
            ev(
                "Network.responseReceivedExtraInfo",
                json!({"requestId": "7.p", "statusCode": 403, "headers": {"X-A": "1\n2"}}),
            ),
            ev(
                "Network.loadingFailed",
                json!({"requestId": "7", "errorText": "net::ERR_FAILED",
                       "corsErrorStatus": {"corsError": "PreflightMissingAllowOriginHeader", "failedParameter": ""}}),
            ),
            ev(
                "Log.entryAdded",
                json!({"entry": {"source": "javascript", "level": "error", "text": "Access to fetch at 'x' from origin 'y' has been blocked by CORS policy: z"}}),
            ),
        ];
        let state = Requests::from_events(&events);
        assert!(state.settled("http://127.0.0.1:1/x"));
        let o = observe(
            &events,
            "http://127.0.0.1:1/x",
            &json!({"ok": false, "error": "TypeError: Failed to fetch"}),
            vec![],
            RetestSource::Live,
            "Chrome/156".into(),
        );
        assert_eq!(o.outcome, Outcome::Blocked);
        assert_eq!(
            o.cors_error.as_deref(),
            Some("PreflightMissingAllowOriginHeader")
        );
        assert_eq!(o.failed_parameter, None);
        assert_eq!(o.hidden_status(), Some(403));
        let pre = o.preflight.as_ref().unwrap();
        assert_eq!(pre.method, "OPTIONS");
        assert_eq!(pre.headers.get("origin"), Some("https://app.example.com"));
        assert_eq!(pre.response_headers.get_all("x-a").count(), 2);
        assert!(o.console_message.unwrap().starts_with("Access to fetch at"));
        assert_eq!(o.net_error.as_deref(), Some("net::ERR_FAILED"));
    }

    #[test]
    fn local_network_space_is_judged_against_the_origin() {
        let t = |url: &str, origin: &str| Target {
            url: url::Url::parse(url).unwrap(),
            origin: origin.into(),
            method: "GET".into(),
            headers: Headers::new(),
            body: None,
            credentials: crate::target::CredentialsMode::Omit,
        };
        assert_eq!(
            more_private_space(&t("http://127.0.0.1:9/x", "https://app.example.com")),
            Some("loopback-network")
        );
        assert_eq!(
            more_private_space(&t("http://10.1.2.3/x", "https://app.example.com")),
            Some("local-network")
        );
        assert_eq!(
            more_private_space(&t("http://127.0.0.1:9/x", "http://localhost:3000")),
            None
        );
        assert_eq!(
            more_private_space(&t("https://api.example.com/x", "http://localhost:3000")),
            None
        );
    }
}
