//! The DevTools Fetch-domain interceptor: every request the page makes is paused and answered
//! here. The app page is served, the made-up origin is walled off, and the target is either
//! let through to the network (live) or answered with recorded responses (replay).

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::cdp::{Cdp, Event};
use super::script::PAGE_HTML;
use super::{str_at, CALL_TIMEOUT};
use crate::evidence::{Evidence, ExchangeKind, FailureKind, RecordedResponse, TransportError};

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

impl Replay {
    /// The answers recorded (or predicted) in the evidence.
    pub fn from_evidence(evidence: &Evidence) -> Replay {
        let answer = |kind| {
            evidence.exchange(kind).and_then(|x| {
                x.response
                    .clone()
                    .map(ReplayAnswer::Response)
                    .or_else(|| x.error.clone().map(ReplayAnswer::Failed))
            })
        };
        Replay {
            preflight: answer(ExchangeKind::Preflight),
            actual: answer(ExchangeKind::Actual),
        }
    }
}

/// Synthetic event the interceptor emits for a replayed request that had no recorded answer.
pub(super) const UNRECORDED: &str = "cors-doctor.unrecorded";

/// What the interceptor answers; replaced before each retest on a page.
#[derive(Default)]
pub(super) struct Plan {
    pub target_url: String,
    pub replay: Option<Replay>,
}

pub(super) type SharedPlan = Arc<std::sync::Mutex<Plan>>;

pub(super) fn lock(plan: &SharedPlan) -> std::sync::MutexGuard<'_, Plan> {
    plan.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(super) struct Interceptor {
    pub page_url: String,
    pub origin_prefix: String,
    pub plan: SharedPlan,
}

/// Handles `Fetch.requestPaused` (the app page, the replayed answers, and a wall around the
/// made-up origin); forwards every other event.
pub(super) async fn pump(
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
    let headers: Vec<(&str, &str)> = response
        .headers
        .iter()
        .filter(|(n, _)| {
            !["content-length", "transfer-encoding", "content-encoding"]
                .iter()
                .any(|x| n.eq_ignore_ascii_case(x))
        })
        .collect();
    fulfill(id, response.status, &headers, &response.body_excerpt)
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
        FailureKind::Protocol | FailureKind::Other | FailureKind::NotRecorded => "Failed",
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
}
