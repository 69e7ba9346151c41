//! The browser's CORS engine, exactly per the WHATWG Fetch standard (see
//! shared/reference/fetch-cors.md), with Chromium's error classification and console text.
//! Pure: no I/O.

use serde::{Deserialize, Serialize};

use crate::exchange::{RecordedResponse, TransportError};
use crate::http::Headers;
use crate::target::Target;

mod check;
mod messages;
mod refusal;
mod request;
pub mod safelist;
#[cfg(test)]
mod tests;
mod verdict;

pub use check::{is_followable_redirect, is_redirect_status, AUTHORIZATION_COVERED_BY_WILDCARD};
pub use messages::{net_error_name, PREFLIGHT_PREFIX};
pub use refusal::{refusal, Refusal, RefusalReason};
pub use request::{is_cross_origin, DEFAULT_TEXT_CONTENT_TYPE};

/// The origin of the security lint's preflight (the probes send it, the diagnosis reads what
/// the API answers to it): no API should allow it.
pub const FOREIGN_ORIGIN: &str = "https://cors-doctor-foreign-origin.example";

/// Which rule book the engine follows where browsers and the standard differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The Fetch standard: `*` in Access-Control-Allow-Headers never covers `authorization`.
    Spec,
    /// What Chromium does today: `*` still covers `authorization` (with a deprecation warning).
    #[default]
    ChromeToday,
}

/// Why the browser sends a preflight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PreflightReason {
    /// The method is not GET, HEAD or POST.
    Method { method: String },
    /// The header name is not CORS-safelisted.
    UnsafeHeaderName { name: String },
    /// A safelisted name whose value breaks a rule (`rule` says which, for people).
    UnsafeHeaderValue { name: String, rule: String },
    /// Safelisted values together exceed 1024 bytes, so all of them count as unsafe.
    SafelistedTotalTooLarge { total: usize },
}

/// Whether a preflight is needed, why, and what it asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightPlan {
    pub required: bool,
    pub reasons: Vec<PreflightReason>,
    /// The normalized method (`Access-Control-Request-Method`).
    pub method: String,
    /// Lowercased, sorted, deduplicated unsafe header names (`Access-Control-Request-Headers`).
    pub request_headers: Vec<String>,
    /// Things the browser does differently from what was asked, for people (e.g. a `Cookie`
    /// header that fetch() is not allowed to set).
    pub notes: Vec<String>,
}

/// Chromium's `network::mojom::CorsError` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CorsErrorKind {
    DisallowedByMode,
    InvalidResponse,
    WildcardOriginNotAllowed,
    PreflightWildcardOriginNotAllowed,
    MissingAllowOriginHeader,
    PreflightMissingAllowOriginHeader,
    MultipleAllowOriginValues,
    PreflightMultipleAllowOriginValues,
    InvalidAllowOriginValue,
    PreflightInvalidAllowOriginValue,
    AllowOriginMismatch,
    PreflightAllowOriginMismatch,
    InvalidAllowCredentials,
    PreflightInvalidAllowCredentials,
    CorsDisabledScheme,
    PreflightInvalidStatus,
    PreflightDisallowedRedirect,
    InvalidAllowMethodsPreflightResponse,
    InvalidAllowHeadersPreflightResponse,
    MethodDisallowedByPreflightResponse,
    HeaderDisallowedByPreflightResponse,
    RedirectContainsCredentials,
}

/// A CORS failure with the parameter Chromium reports (`corsErrorStatus.failedParameter`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsError {
    pub kind: CorsErrorKind,
    pub failed_parameter: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Allowed,
    Blocked,
    NetworkError,
    /// `fetch()` throws a TypeError before sending anything (see [`refusal`]).
    Refused,
    /// The verdict cannot be known from what was recorded (a redirect the browser would
    /// follow and the probes did not, a request that was not sent); a warning says why.
    Unknown,
}

impl Outcome {
    /// The name used in reports (`allowed`, `blocked`, `network-error`, `refused`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Blocked => "blocked",
            Outcome::NetworkError => "network-error",
            Outcome::Refused => "refused",
            Outcome::Unknown => "unknown",
        }
    }

    /// How reports headline it (`ALLOWED`, `NETWORK ERROR`, `REFUSED BY fetch()`…).
    pub fn headline(self) -> &'static str {
        match self {
            Outcome::Allowed => "ALLOWED",
            Outcome::Blocked => "BLOCKED",
            Outcome::NetworkError => "NETWORK ERROR",
            Outcome::Refused => "REFUSED BY fetch() (nothing is sent)",
            Outcome::Unknown => "UNKNOWN",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailedAt {
    Preflight,
    Actual,
}

/// What the browser saw of one request.
#[derive(Clone, Copy, Debug)]
pub enum Observed<'a> {
    Response(&'a RecordedResponse),
    Failed(&'a TransportError),
    NotSent,
}

/// What the browser does with the answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub outcome: Outcome,
    pub cors_error: Option<CorsError>,
    pub failed_at: Option<FailedAt>,
    /// The real status the browser hides behind the CORS message.
    pub hidden_status: Option<u16>,
    /// Chromium's console line.
    pub console_message: Option<String>,
    /// Firefox's `(Reason: …)` code.
    pub firefox_reason: Option<String>,
    /// Warnings the browser prints although it allows the request (deprecations).
    pub warnings: Vec<String>,
}

// ---- ENGINE FUNCTIONS: signatures are the contract. ----

/// Does this request need a preflight, and why.
pub fn plan(target: &Target) -> PreflightPlan {
    request::plan(target)
}

/// The exact headers the browser puts on the preflight (`Accept: */*`,
/// `Access-Control-Request-Method`, `Access-Control-Request-Headers` if any, `Origin`).
pub fn preflight_request_headers(target: &Target, plan: &PreflightPlan) -> Headers {
    request::preflight_request_headers(target, plan)
}

/// The headers of the actual request as the browser sends it: the app's headers that fetch()
/// may set, plus `Origin`.
pub fn actual_request_headers(target: &Target) -> Headers {
    request::actual_request_headers(target)
}

/// The CORS-preflight check: ok status, CORS check, methods, headers.
pub fn check_preflight(
    target: &Target,
    plan: &PreflightPlan,
    response: &RecordedResponse,
    mode: Mode,
) -> Result<Vec<String>, CorsError> {
    check::check_preflight(target, plan, response, mode)
}

/// The CORS check of the actual response.
pub fn check_actual(target: &Target, response: &RecordedResponse) -> Result<(), CorsError> {
    check::check_actual(target, response)
}

/// The browser's verdict given what it saw of the preflight (if one was needed) and of the
/// actual request.
///
/// Where the engine has to choose: a request `fetch()` refuses is `Refused` (see [`refusal`]);
/// a transport failure is `NetworkError` (no `cors_error`, Chromium's
/// `"<METHOD> <url> net::ERR_…"` line); a required request that was not sent, and an actual
/// response that redirects (301/302/303/307/308 with a `Location`) after passing the CORS
/// check, are `Unknown`, with no `cors_error` and a warning saying why.
pub fn verdict(
    target: &Target,
    plan: &PreflightPlan,
    preflight: Observed<'_>,
    actual: Observed<'_>,
    mode: Mode,
) -> Verdict {
    verdict::verdict(target, plan, preflight, actual, mode)
}
