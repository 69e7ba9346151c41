//! What was observed (or predicted) about the target: the exchanges and the API configuration.
//! Pure data: produced by `probe/`, `gateway::behavior` and `aws/`, read by `diagnose/`.

use serde::{Deserialize, Serialize};

use crate::http::Headers;
use crate::target::Target;

/// Which of the three requests an exchange replays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExchangeKind {
    /// The browser's CORS preflight: `OPTIONS` with `Access-Control-Request-*`, no credentials.
    Preflight,
    /// The app's request as the browser sends it, with `Origin`.
    Actual,
    /// The same request without `Origin`: what curl and Postman see.
    NoOrigin,
    /// A preflight from an origin nobody allowed on purpose: a security lint (does the API
    /// reflect any origin?). OPTIONS only, so it never changes anything on the server.
    ForeignOrigin,
}

impl ExchangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ExchangeKind::Preflight => "preflight",
            ExchangeKind::Actual => "actual",
            ExchangeKind::NoOrigin => "no-origin",
            ExchangeKind::ForeignOrigin => "foreign-origin",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Headers,
    /// The start of the body, lossily decoded, bounded in size.
    pub body_excerpt: String,
    /// True when the body was longer than the excerpt (or than the probe would read).
    #[serde(default)]
    pub body_truncated: bool,
}

/// Who produced a response, judged from its headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnsweredBy {
    Gateway,
    Backend,
    Cloudfront,
    #[default]
    Unknown,
}

impl AnsweredBy {
    /// The name used in reports (`gateway`, `backend`, `cloudfront`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            AnsweredBy::Gateway => "gateway",
            AnsweredBy::Backend => "backend",
            AnsweredBy::Cloudfront => "cloudfront",
            AnsweredBy::Unknown => "unknown",
        }
    }
}

/// Why a request got no HTTP response at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    Dns,
    Connect,
    Tls,
    Timeout,
    /// The peer sent something that is not HTTP.
    Protocol,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransportError {
    pub kind: FailureKind,
    pub message: String,
}

/// One request and what came back (a response or a transport error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// Stable id within a report (`x1`, `x2`, …), cited by findings.
    pub id: String,
    pub kind: ExchangeKind,
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TransportError>,
    pub answered_by: AnsweredBy,
    pub gateway_error_type: Option<String>,
    pub elapsed_ms: u64,
    /// True when the exchange was computed by the API Gateway behaviour model, not sent.
    #[serde(default)]
    pub predicted: bool,
}

impl Exchange {
    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }
}

/// Decides who answered from response headers (see shared/reference/api-gateway.md).
/// Returns the attribution and API Gateway's `x-amzn-ErrorType`, if any.
pub fn attribute(headers: &Headers) -> (AnsweredBy, Option<String>) {
    let error_type = headers
        .get("x-amzn-errortype")
        .map(|v| v.split(':').next().unwrap_or(v).trim().to_string())
        .filter(|v| !v.is_empty());
    let reached_gateway = headers.contains("x-amzn-requestid")
        || headers.contains("x-amz-apigw-id")
        || headers.contains("apigw-requestid");
    let remapped = headers
        .iter()
        .any(|(n, _)| n.len() > 16 && n.as_bytes()[..16].eq_ignore_ascii_case(b"x-amzn-remapped-"));
    let cloudfront_error = headers
        .get("x-cache")
        .is_some_and(|v| v.to_ascii_lowercase().contains("error from cloudfront"));
    let by = if error_type.is_some() {
        AnsweredBy::Gateway
    } else if remapped || (reached_gateway && !cloudfront_error) {
        // The request went through API Gateway and no gateway error was generated, so the
        // integration (Lambda, HTTP backend or MOCK) produced the answer.
        AnsweredBy::Backend
    } else if cloudfront_error || (headers.contains("x-amz-cf-pop") && !reached_gateway) {
        AnsweredBy::Cloudfront
    } else {
        AnsweredBy::Unknown
    };
    (by, error_type)
}

/// The API configuration behind the target, when one was read.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ConfigEvidence {
    /// No configuration source was asked (offline, `--no-aws`, or not an API Gateway URL).
    NotRequested { reason: String },
    /// A source was asked and could not answer (permissions, credentials, not found…).
    Unavailable { reason: String },
    Loaded {
        source: ConfigSourceKind,
        /// Shared with the run that read it (a large API is held once).
        api: std::sync::Arc<crate::gateway::Api>,
        stage: Option<String>,
        /// The resource path under diagnosis, below the stage (`/items/42`; the API may
        /// define it as `/items/{id}`).
        path: String,
        /// True when the source also knows what the backends answer (a scenario); offline
        /// predictions otherwise assume a backend that returns the right CORS headers.
        #[serde(default)]
        backend_known: bool,
        /// Parts the source could not read (e.g. no permission for the gateway responses):
        /// the steps they feed are `unknown`, with the reason.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        gaps: Vec<ConfigGap>,
        /// Set when the resource under diagnosis could not be determined from the URL (a
        /// prefix in front of the resource path that fits several resources, or none): why,
        /// with the `--path` to pass. The configuration's per-resource findings are then
        /// withheld rather than guessed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unresolved: Option<String>,
    },
}

/// A part of the configuration a source could not read, and the step it leaves unchecked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigGap {
    /// What is missing, in words (`gateway responses`).
    pub what: String,
    /// The step (1–7) that needed it.
    pub step: u8,
    /// Why, with the IAM action and resource ARN when it is a permission.
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigSourceKind {
    Sdk,
    Openapi,
}

/// Everything the diagnosis reasons from.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub target: Target,
    pub exchanges: Vec<Exchange>,
    pub config: ConfigEvidence,
    /// The real-browser retest (`--browser`), when one was asked for.
    pub browser: Option<crate::browser::BrowserEvidence>,
}

impl Evidence {
    pub fn exchange(&self, kind: ExchangeKind) -> Option<&Exchange> {
        self.exchanges.iter().find(|x| x.kind == kind)
    }

    /// True when the configuration source also described what the backends answer.
    pub fn config_backend_known(&self) -> bool {
        matches!(
            self.config,
            ConfigEvidence::Loaded {
                backend_known: true,
                ..
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_match_the_serialized_form() {
        for a in [
            AnsweredBy::Gateway,
            AnsweredBy::Backend,
            AnsweredBy::Cloudfront,
            AnsweredBy::Unknown,
        ] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for o in [
            crate::cors::Outcome::Allowed,
            crate::cors::Outcome::Blocked,
            crate::cors::Outcome::NetworkError,
            crate::cors::Outcome::Refused,
            crate::cors::Outcome::Unknown,
        ] {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
    }

    #[test]
    fn gateway_errors_are_attributed_to_the_gateway() {
        let h = Headers::new()
            .with("x-amzn-RequestId", "r")
            .with("x-amzn-ErrorType", "MissingAuthenticationTokenException");
        assert_eq!(
            attribute(&h),
            (
                AnsweredBy::Gateway,
                Some("MissingAuthenticationTokenException".into())
            )
        );
        let h = Headers::new().with(
            "x-amzn-ErrorType",
            "ForbiddenException:http://internal.amazon.com/coral/",
        );
        assert_eq!(attribute(&h).1.as_deref(), Some("ForbiddenException"));
    }

    #[test]
    fn integration_answers_and_cloudfront_are_told_apart() {
        let h = Headers::new()
            .with("x-amzn-RequestId", "r")
            .with("x-amz-apigw-id", "i");
        assert_eq!(attribute(&h).0, AnsweredBy::Backend);
        let h = Headers::new().with("x-amzn-Remapped-Date", "d");
        assert_eq!(attribute(&h).0, AnsweredBy::Backend);
        let h = Headers::new()
            .with("x-cache", "Error from cloudfront")
            .with("x-amz-cf-pop", "FRA56");
        assert_eq!(attribute(&h).0, AnsweredBy::Cloudfront);
        assert_eq!(attribute(&Headers::new()).0, AnsweredBy::Unknown);
    }
}
