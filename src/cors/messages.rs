//! What browsers print: Chromium's `CorsError` names and console text
//! (third_party/blink/renderer/platform/loader/cors/cors_error_string.cc, for a `fetch()`
//! initiator), Firefox's `(Reason: …)` codes, and the texts of preflight reasons.

use std::fmt;

use super::{CorsError, CorsErrorKind, PreflightReason};
use crate::exchange::{FailureKind, TransportError};

/// Appended by Chromium to the Allow-Origin value errors of a `fetch()`.
const NO_CORS_INFORMATION: &str = " Have the server send the header with a valid value.";

/// The opening of Chromium's console line for a preflight failure.
pub const PREFLIGHT_PREFIX: &str =
    "Response to preflight request doesn't pass access control check: ";

impl CorsErrorKind {
    /// The variant name, as Chromium's `network::mojom::CorsError` and DevTools spell it.
    pub fn name(self) -> &'static str {
        use CorsErrorKind::*;
        match self {
            DisallowedByMode => "DisallowedByMode",
            InvalidResponse => "InvalidResponse",
            WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            PreflightWildcardOriginNotAllowed => "PreflightWildcardOriginNotAllowed",
            MissingAllowOriginHeader => "MissingAllowOriginHeader",
            PreflightMissingAllowOriginHeader => "PreflightMissingAllowOriginHeader",
            MultipleAllowOriginValues => "MultipleAllowOriginValues",
            PreflightMultipleAllowOriginValues => "PreflightMultipleAllowOriginValues",
            InvalidAllowOriginValue => "InvalidAllowOriginValue",
            PreflightInvalidAllowOriginValue => "PreflightInvalidAllowOriginValue",
            AllowOriginMismatch => "AllowOriginMismatch",
            PreflightAllowOriginMismatch => "PreflightAllowOriginMismatch",
            InvalidAllowCredentials => "InvalidAllowCredentials",
            PreflightInvalidAllowCredentials => "PreflightInvalidAllowCredentials",
            CorsDisabledScheme => "CorsDisabledScheme",
            PreflightInvalidStatus => "PreflightInvalidStatus",
            PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
            InvalidAllowMethodsPreflightResponse => "InvalidAllowMethodsPreflightResponse",
            InvalidAllowHeadersPreflightResponse => "InvalidAllowHeadersPreflightResponse",
            MethodDisallowedByPreflightResponse => "MethodDisallowedByPreflightResponse",
            HeaderDisallowedByPreflightResponse => "HeaderDisallowedByPreflightResponse",
            RedirectContainsCredentials => "RedirectContainsCredentials",
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: [CorsErrorKind; 22] = {
        use CorsErrorKind::*;
        [
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
        ]
    };

    /// The kind whose [`CorsErrorKind::name`] is `name` (e.g. from DevTools).
    pub fn from_name(name: &str) -> Option<CorsErrorKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// True when the error is about the preflight response (every `Preflight*` kind and the
    /// four Allow-Methods / Allow-Headers kinds).
    pub fn is_preflight(self) -> bool {
        use CorsErrorKind::*;
        self.has_preflight_prefix()
            || matches!(
                self,
                InvalidAllowMethodsPreflightResponse
                    | InvalidAllowHeadersPreflightResponse
                    | MethodDisallowedByPreflightResponse
                    | HeaderDisallowedByPreflightResponse
            )
    }

    /// True when Chromium's console line carries "Response to preflight request doesn't pass
    /// access control check: " (Blink's `IsPreflightError`: the `Preflight*` kinds only; the
    /// Allow-Methods / Allow-Headers kinds say "in preflight response" in their own text).
    pub fn has_preflight_prefix(self) -> bool {
        use CorsErrorKind::*;
        matches!(
            self,
            PreflightWildcardOriginNotAllowed
                | PreflightMissingAllowOriginHeader
                | PreflightMultipleAllowOriginValues
                | PreflightInvalidAllowOriginValue
                | PreflightAllowOriginMismatch
                | PreflightInvalidAllowCredentials
                | PreflightInvalidStatus
                | PreflightDisallowedRedirect
        )
    }

    /// Firefox's `(Reason: …)` code for the same failure.
    pub fn firefox_reason(self) -> &'static str {
        use CorsErrorKind::*;
        match self {
            DisallowedByMode => "CORSDisabled",
            InvalidResponse => "CORSDidNotSucceed",
            WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
                "CORSNotSupportingCredentials"
            }
            MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
                "CORSMissingAllowOrigin"
            }
            MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => {
                "CORSMultipleAllowOriginNotAllowed"
            }
            InvalidAllowOriginValue
            | PreflightInvalidAllowOriginValue
            | AllowOriginMismatch
            | PreflightAllowOriginMismatch => "CORSAllowOriginNotMatchingOrigin",
            InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
                "CORSMissingAllowCredentials"
            }
            CorsDisabledScheme => "CORSRequestNotHttp",
            PreflightInvalidStatus => "CORSPreflightDidNotSucceed",
            PreflightDisallowedRedirect | RedirectContainsCredentials => {
                "CORSExternalRedirectNotAllowed"
            }
            InvalidAllowMethodsPreflightResponse => "CORSInvalidAllowMethod",
            InvalidAllowHeadersPreflightResponse => "CORSInvalidAllowHeader",
            MethodDisallowedByPreflightResponse => "CORSMethodNotFound",
            HeaderDisallowedByPreflightResponse => "CORSMissingAllowHeaderFromPreflight",
        }
    }
}

impl fmt::Display for CorsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Blink's `EncodeHint`: printable ASCII as is, any other byte as `\u00XX`.
fn encode_hint(hint: &str) -> String {
    let mut out = String::with_capacity(hint.len());
    for b in hint.bytes() {
        if (0x20..=0x7e).contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\u{:04X}", b));
        }
    }
    out
}

impl CorsError {
    pub fn new(kind: CorsErrorKind, failed_parameter: Option<String>) -> Self {
        CorsError {
            kind,
            failed_parameter,
        }
    }

    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// See [`CorsErrorKind::is_preflight`].
    pub fn is_preflight(&self) -> bool {
        self.kind.is_preflight()
    }

    /// Chromium's text after "has been blocked by CORS policy: " for a `fetch()`, including the
    /// preflight prefix when Chromium prints one.
    pub fn console_tail(&self) -> String {
        use CorsErrorKind::*;
        let hint = encode_hint(self.failed_parameter.as_deref().unwrap_or(""));
        let body = match self.kind {
            DisallowedByMode => "Cross origin requests are not allowed by request mode.".to_string(),
            InvalidResponse => "The response is invalid.".to_string(),
            WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
                "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".to_string()
            }
            MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
                "No 'Access-Control-Allow-Origin' header is present on the requested resource.".to_string()
            }
            MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => format!(
                "The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', but only one is allowed.{NO_CORS_INFORMATION}"
            ),
            InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => format!(
                "The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'.{NO_CORS_INFORMATION}"
            ),
            AllowOriginMismatch | PreflightAllowOriginMismatch => format!(
                "The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal to the supplied origin.{NO_CORS_INFORMATION}"
            ),
            InvalidAllowCredentials | PreflightInvalidAllowCredentials => format!(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '{hint}' which must be 'true' when the request's credentials mode is 'include'."
            ),
            CorsDisabledScheme => {
                "Cross origin requests are only supported for protocol schemes: http, https."
                    .to_string()
            }
            PreflightInvalidStatus => "It does not have HTTP ok status.".to_string(),
            PreflightDisallowedRedirect => {
                "Redirect is not allowed for a preflight request.".to_string()
            }
            InvalidAllowMethodsPreflightResponse => {
                "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".to_string()
            }
            InvalidAllowHeadersPreflightResponse => {
                "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".to_string()
            }
            MethodDisallowedByPreflightResponse => format!(
                "Method {hint} is not allowed by Access-Control-Allow-Methods in preflight response."
            ),
            HeaderDisallowedByPreflightResponse => format!(
                "Request header field {hint} is not allowed by Access-Control-Allow-Headers in preflight response."
            ),
            RedirectContainsCredentials => format!(
                "Redirect location '{hint}' contains a username and password, which is disallowed for cross-origin requests."
            ),
        };
        if self.kind.has_preflight_prefix() {
            format!("{PREFLIGHT_PREFIX}{body}")
        } else {
            body
        }
    }

    /// Chromium's whole console line for a blocked `fetch()` of `url` from `origin`.
    pub fn console_message(&self, url: &str, origin: &str) -> String {
        format!(
            "Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: {}",
            self.console_tail()
        )
    }

    pub fn firefox_reason(&self) -> &'static str {
        self.kind.firefox_reason()
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failed_parameter {
            Some(p) => write!(f, "{} ({p})", self.kind.name()),
            None => f.write_str(self.kind.name()),
        }
    }
}

impl fmt::Display for PreflightReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreflightReason::Method { method } => {
                write!(f, "method {method} is not CORS-safelisted")
            }
            PreflightReason::UnsafeHeaderName { name } => {
                write!(f, "header {name} is not CORS-safelisted")
            }
            PreflightReason::UnsafeHeaderValue { name, rule } => {
                write!(f, "header {name} has a value that is not CORS-safelisted: {rule}")
            }
            PreflightReason::SafelistedTotalTooLarge { total } => write!(
                f,
                "CORS-safelisted header values total {total} bytes, over 1024, so all of them count as not CORS-safelisted"
            ),
        }
    }
}

/// Chromium's `net::ERR_*` name for a transport failure (the kind decides; the message
/// refines a connect failure into refused / reset / timed out).
pub fn net_error_name(error: &TransportError) -> &'static str {
    let msg = error.message.to_ascii_lowercase();
    match error.kind {
        FailureKind::Dns => "ERR_NAME_NOT_RESOLVED",
        FailureKind::Connect if msg.contains("reset") => "ERR_CONNECTION_RESET",
        FailureKind::Connect if msg.contains("timed out") => "ERR_CONNECTION_TIMED_OUT",
        FailureKind::Connect if msg.contains("unreachable") => "ERR_ADDRESS_UNREACHABLE",
        FailureKind::Connect => "ERR_CONNECTION_REFUSED",
        FailureKind::Tls if msg.contains("certificate") => "ERR_CERT_INVALID",
        FailureKind::Tls => "ERR_SSL_PROTOCOL_ERROR",
        FailureKind::Timeout => "ERR_TIMED_OUT",
        FailureKind::Protocol if msg.contains("reset") => "ERR_CONNECTION_RESET",
        FailureKind::Protocol if msg.contains("closed") => "ERR_EMPTY_RESPONSE",
        FailureKind::Protocol => "ERR_INVALID_HTTP_RESPONSE",
        FailureKind::Other if msg.contains("reset") => "ERR_CONNECTION_RESET",
        FailureKind::Other | FailureKind::NotRecorded => "ERR_FAILED",
    }
}
