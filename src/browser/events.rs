//! Reading the DevTools events of one retest (`Network.*`, `Log.entryAdded`, and the
//! interceptor's own) into a [`BrowserObservation`].

use std::collections::HashMap;

use serde_json::Value;

use super::cdp::Event;
use super::intercept::UNRECORDED;
use super::str_at;
use crate::cors::Outcome;
use crate::evidence::{BrowserObservation, RetestSource, SentRequest};
use crate::http::Headers;

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
pub(super) struct Requests {
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

    pub(super) fn from_events(events: &[Event]) -> Requests {
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
    pub(super) fn settled(&self, url: &str) -> bool {
        match self.main() {
            Some(m) if m.done => m.cors.is_none() || self.cors_console_line(url).is_some(),
            _ => false,
        }
    }
}

pub(super) fn observe(
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
    // fetch() threw before sending anything (see cors::refusal): no request, a TypeError; or
    // the request was blocked as mixed content before it went on the wire (its console line
    // names the URL; DevTools still reports the request, never sent).
    let quoted_url = format!("'{url}'");
    let mixed_content = state
        .console
        .iter()
        .map(|(_, t)| t.as_str())
        .find(|t| t.starts_with("Mixed Content:") && t.contains(&quoted_url));
    let threw = main.is_none()
        && preflight.is_none()
        && js_error
            .as_deref()
            .is_some_and(|e| e.starts_with("TypeError: Failed to execute 'fetch'"));
    let blocked_unsent = mixed_content.is_some()
        && preflight.is_none()
        && main.is_none_or(|m| m.wire_headers.is_none() && m.status.is_none());
    let refused = threw || blocked_unsent;
    let outcome = match (&cors, page_ok) {
        (Some(_), _) => Outcome::Blocked,
        (None, Some(true)) => Outcome::Allowed,
        _ if refused => Outcome::Refused,
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
        .or_else(|| refused.then(|| mixed_content.map(str::to_string)).flatten())
        .or_else(|| refused.then(|| js_error.clone()).flatten())
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
            status_of(page_result.get("status"))
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
    use serde_json::json;

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
}
