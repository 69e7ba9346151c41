//! What a real Chromium did with the app's request, as plain data (no I/O), and how it
//! compares with the engine's verdict. `diagnose/` reads these; `corsError` stays a string so a
//! name this build does not know is still reported as Chromium spelled it.

use serde::{Deserialize, Serialize};

use crate::cors::{CorsErrorKind, FailedAt, Outcome, PreflightPlan, Verdict};
use crate::http::Headers;

/// One request as Chromium sent it (from `Network.requestWillBeSent[ExtraInfo]`) and what
/// became of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    /// The headers on the wire when DevTools reported them (`requestWillBeSentExtraInfo`),
    /// otherwise those the page set.
    pub headers: Headers,
    /// The status the server answered with, also when CORS hides it from the page
    /// (`responseReceivedExtraInfo.statusCode`).
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Headers::is_empty")]
    pub response_headers: Headers,
    /// `Network.loadingFailed.errorText` (`net::ERR_FAILED`, `net::ERR_CONNECTION_REFUSED`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    /// Redirects followed before the final answer (`Location` values, in order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    /// False when Chromium never put the request on the wire (e.g. the actual request after
    /// a failed preflight): `headers` are then those the page asked for.
    #[serde(default)]
    pub on_wire: bool,
}

/// How the retest got its answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RetestSource {
    /// Chromium fetched the real target over the network.
    #[default]
    Live,
    /// Chromium's requests to the target were answered with the recorded (or predicted)
    /// responses through the DevTools Fetch domain.
    Replay,
}

/// The outcome of one retest in Chromium.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserObservation {
    /// `allowed`, `blocked` (a CORS error) or `network-error` (anything else).
    pub outcome: Outcome,
    /// `Network.loadingFailed.corsErrorStatus.corsError`, as Chromium spells it.
    pub cors_error: Option<String>,
    /// `corsErrorStatus.failedParameter`; `None` when Chromium sent an empty one.
    pub failed_parameter: Option<String>,
    /// Chromium's console line for the failure (`Log.entryAdded`).
    pub console_message: Option<String>,
    /// `errorText` of the failed request (`net::ERR_FAILED` for CORS errors).
    pub net_error: Option<String>,
    /// What `fetch()` rejected with in the page (`TypeError: Failed to fetch`…), if it did.
    pub js_error: Option<String>,
    /// The status the page read, when the request was allowed.
    pub status: Option<u16>,
    pub preflight: Option<SentRequest>,
    pub actual: Option<SentRequest>,
    /// Every console line the page produced, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub console: Vec<String>,
    /// What the retest did that a user's browser would not (e.g. a granted local-network
    /// permission), and anything it could not establish.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub source: RetestSource,
    /// `Browser.getVersion().product`, e.g. `Chrome/156.0.8078.108`.
    pub browser_version: String,
}

impl BrowserObservation {
    /// The Chromium error as the engine's kind, when this build knows the name.
    pub fn cors_error_kind(&self) -> Option<CorsErrorKind> {
        self.cors_error
            .as_deref()
            .and_then(CorsErrorKind::from_name)
    }

    /// Where the request failed: the preflight or the actual request.
    pub fn failed_at(&self) -> Option<FailedAt> {
        match self.outcome {
            Outcome::Allowed => None,
            Outcome::Blocked => match self.cors_error_kind() {
                Some(k) if k.is_preflight() => Some(FailedAt::Preflight),
                Some(_) => Some(FailedAt::Actual),
                None if self
                    .cors_error
                    .as_deref()
                    .is_some_and(|n| n.starts_with("Preflight")) =>
                {
                    Some(FailedAt::Preflight)
                }
                None => Some(FailedAt::Actual),
            },
            Outcome::NetworkError | Outcome::Unknown => {
                if self
                    .preflight
                    .as_ref()
                    .is_some_and(|p| p.error_text.is_some())
                {
                    Some(FailedAt::Preflight)
                } else {
                    Some(FailedAt::Actual)
                }
            }
            Outcome::Refused => None,
        }
    }

    /// The real status hidden behind a CORS error: that of the request that failed.
    pub fn hidden_status(&self) -> Option<u16> {
        if self.outcome != Outcome::Blocked {
            return None;
        }
        let request = match self.failed_at() {
            Some(FailedAt::Preflight) => self.preflight.as_ref(),
            _ => self.actual.as_ref(),
        };
        request.and_then(|r| r.status)
    }

    /// `None` when the engine's verdict says what Chromium did (outcome, CorsError name and
    /// failed parameter); otherwise what differs, for people.
    ///
    /// One latitude: when several request headers are missing from
    /// Access-Control-Allow-Headers, Chromium names the first in its internal header order (a
    /// hash map's, not the request's nor the sorted one), which the engine cannot know; it
    /// names the first in sorted order. Any header of the preflight plan named by Chromium
    /// agrees.
    pub fn disagreement(&self, verdict: &Verdict, plan: &PreflightPlan) -> Option<String> {
        let engine_error = verdict.cors_error.as_ref().map(|e| e.kind.name());
        let engine_param = verdict
            .cors_error
            .as_ref()
            .and_then(|e| e.failed_parameter.as_deref())
            .filter(|p| !p.is_empty());
        let chromium_param = self.failed_parameter.as_deref().filter(|p| !p.is_empty());
        let same_param = engine_param == chromium_param
            || (engine_error == Some(CorsErrorKind::HeaderDisallowedByPreflightResponse.name())
                && chromium_param.is_some_and(|p| plan.request_headers.iter().any(|h| h == p)));
        if verdict.outcome == self.outcome
            && engine_error == self.cors_error.as_deref()
            && same_param
        {
            return None;
        }
        Some(format!(
            "engine: {}, Chromium: {}",
            describe(verdict.outcome, engine_error, engine_param),
            describe(self.outcome, self.cors_error.as_deref(), chromium_param),
        ))
    }
}

fn describe(outcome: Outcome, error: Option<&str>, param: Option<&str>) -> String {
    let outcome = match outcome {
        Outcome::Allowed => "allowed",
        Outcome::Blocked => "blocked",
        Outcome::NetworkError => "network error",
        Outcome::Refused => "refused by fetch()",
        Outcome::Unknown => "unknown",
    };
    match (error, param) {
        (Some(e), Some(p)) => format!("{outcome} ({e}, '{p}')"),
        (Some(e), None) => format!("{outcome} ({e})"),
        _ => outcome.to_string(),
    }
}

/// What the diagnosis got from the browser retest (`--browser`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum BrowserEvidence {
    Observed(Box<BrowserObservation>),
    /// The retest could not run; `reason` says why and what to do (e.g. the install command).
    Unavailable {
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cors::CorsError;

    fn obs(outcome: Outcome, error: Option<&str>, param: Option<&str>) -> BrowserObservation {
        BrowserObservation {
            outcome,
            cors_error: error.map(str::to_string),
            failed_parameter: param.map(str::to_string),
            console_message: None,
            net_error: None,
            js_error: None,
            status: None,
            preflight: Some(SentRequest {
                status: Some(403),
                ..SentRequest::default()
            }),
            actual: Some(SentRequest {
                status: Some(502),
                ..SentRequest::default()
            }),
            console: vec![],
            warnings: vec![],
            source: RetestSource::Live,
            browser_version: "Chrome/156".into(),
        }
    }

    fn verdict(outcome: Outcome, error: Option<CorsError>) -> Verdict {
        Verdict {
            outcome,
            cors_error: error,
            failed_at: None,
            hidden_status: None,
            console_message: None,
            firefox_reason: None,
            warnings: vec![],
        }
    }

    fn plan(headers: &[&str]) -> PreflightPlan {
        PreflightPlan {
            required: true,
            reasons: vec![],
            method: "GET".into(),
            request_headers: headers.iter().map(|h| h.to_string()).collect(),
            notes: vec![],
        }
    }

    #[test]
    fn any_planned_header_may_be_the_one_chromium_names() {
        let v = verdict(
            Outcome::Blocked,
            Some(CorsError::new(
                CorsErrorKind::HeaderDisallowedByPreflightResponse,
                Some("x-a".into()),
            )),
        );
        let p = plan(&["x-a", "x-b"]);
        let o = obs(
            Outcome::Blocked,
            Some("HeaderDisallowedByPreflightResponse"),
            Some("x-b"),
        );
        assert_eq!(o.disagreement(&v, &p), None);
        let o = obs(
            Outcome::Blocked,
            Some("HeaderDisallowedByPreflightResponse"),
            Some("x-c"),
        );
        assert!(o.disagreement(&v, &p).is_some());
    }

    #[test]
    fn agreement_ignores_empty_parameters() {
        let p = plan(&[]);
        let v = verdict(
            Outcome::Blocked,
            Some(CorsError::new(
                CorsErrorKind::InvalidAllowCredentials,
                Some(String::new()),
            )),
        );
        let o = obs(Outcome::Blocked, Some("InvalidAllowCredentials"), None);
        assert_eq!(o.disagreement(&v, &p), None);
        let o = obs(Outcome::Blocked, Some("AllowOriginMismatch"), Some("x"));
        assert_eq!(
            o.disagreement(&v, &p).as_deref(),
            Some("engine: blocked (InvalidAllowCredentials), Chromium: blocked (AllowOriginMismatch, 'x')")
        );
        assert!(obs(Outcome::Allowed, None, None)
            .disagreement(&verdict(Outcome::Allowed, None), &p)
            .is_none());
    }

    #[test]
    fn failed_at_and_hidden_status_follow_the_failing_request() {
        let o = obs(Outcome::Blocked, Some("PreflightInvalidStatus"), None);
        assert_eq!(o.failed_at(), Some(FailedAt::Preflight));
        assert_eq!(o.hidden_status(), Some(403));
        let o = obs(Outcome::Blocked, Some("MissingAllowOriginHeader"), None);
        assert_eq!(o.failed_at(), Some(FailedAt::Actual));
        assert_eq!(o.hidden_status(), Some(502));
        let o = obs(Outcome::Blocked, Some("PreflightSomethingNew"), None);
        assert_eq!(o.failed_at(), Some(FailedAt::Preflight));
        assert_eq!(obs(Outcome::Allowed, None, None).hidden_status(), None);
    }
}
