//! What an SDK error means for the diagnosis: a credentials problem (stop, exit 2, say the
//! next command), a missing permission (that step is `unknown`, naming the IAM action and the
//! resource ARN), throttling (after the SDK's retries), not found, or anything else.

use std::fmt;

use aws_sdk_apigateway::error::{ProvideErrorMetadata, SdkError};

/// One control-plane lookup: what it reads, as an IAM action on a resource ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// `get_gateway_responses`, as the SDK names the operation.
    pub operation: &'static str,
    /// `gateway responses`: what it reads, in words.
    pub what: &'static str,
    /// The resource path in API Gateway's ARN (`/restapis/abc123/gatewayresponses`).
    pub resource: String,
}

impl Lookup {
    pub fn new(operation: &'static str, what: &'static str, resource: impl Into<String>) -> Self {
        Lookup {
            operation,
            what,
            resource: resource.into(),
        }
    }

    /// `arn:aws:apigateway:us-east-1::/restapis/abc123/gatewayresponses`.
    pub fn arn(&self, region: &str) -> String {
        format!("arn:aws:apigateway:{region}::{}", self.resource)
    }
}

/// Why a lookup failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// No credentials, expired or invalid ones: nothing else will work either.
    Credentials(String),
    /// The caller lacks `apigateway:GET` on the lookup's resource.
    Denied(String),
    NotFound(String),
    /// Still throttled after the SDK's retries.
    Throttled(String),
    Other(String),
}

impl LookupError {
    pub fn message(&self) -> &str {
        match self {
            LookupError::Credentials(m)
            | LookupError::Denied(m)
            | LookupError::NotFound(m)
            | LookupError::Throttled(m)
            | LookupError::Other(m) => m,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, LookupError::NotFound(_))
    }
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

const CREDENTIAL_CODES: &[&str] = &[
    "ExpiredTokenException",
    "ExpiredToken",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "InvalidClientTokenId",
    "MissingAuthenticationTokenException",
];

/// Classifies an SDK error of one lookup. The messages name the lookup, the IAM action and
/// the ARN, so a report can say exactly what is missing.
pub fn classify<E>(
    err: &SdkError<E, aws_smithy_runtime_api::http::Response>,
    lookup: &Lookup,
    region: &str,
) -> LookupError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = err.code().unwrap_or_default();
    let message = err.message().unwrap_or_default();
    let status = err.raw_response().map(|r| r.status().as_u16());
    let arn = lookup.arn(region);
    if CREDENTIAL_CODES.contains(&code)
        || message.contains("security token included in the request is expired")
    {
        return LookupError::Credentials(format!("{code}: {message}"));
    }
    if matches!(
        err,
        SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) | SdkError::TimeoutError(_)
    ) {
        let detail = error_chain(err);
        if looks_like_credentials(&detail) {
            return LookupError::Credentials(detail);
        }
        if matches!(
            err,
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
        ) {
            return LookupError::Other(format!("{UNREACHABLE}: {}", plain_cause(&detail)));
        }
        return LookupError::Other(format!("{} failed: {detail}", lookup.operation));
    }
    match (code, status) {
        ("AccessDeniedException", _) | (_, Some(403)) => LookupError::Denied(format!(
            "missing permission apigateway:GET on {arn} (needed by {} to read the {}){}",
            lookup.operation,
            lookup.what,
            if message.is_empty() {
                String::new()
            } else {
                format!(": {message}")
            }
        )),
        ("NotFoundException", _) | (_, Some(404)) => LookupError::NotFound(format!(
            "{} not found ({arn}){}",
            lookup.what,
            if message.is_empty() {
                String::new()
            } else {
                format!(": {message}")
            }
        )),
        ("TooManyRequestsException" | "ThrottlingException" | "LimitExceededException", _)
        | (_, Some(429)) => LookupError::Throttled(format!(
            "still throttled after retries reading the {} ({})",
            lookup.what, lookup.operation
        )),
        _ => LookupError::Other(format!(
            "{} failed: {}",
            lookup.operation,
            if code.is_empty() {
                error_chain(err)
            } else {
                format!("{code}: {message}")
            }
        )),
    }
}

/// How an unreachable control plane is reported (the source adds the endpoint it used).
pub const UNREACHABLE: &str = "could not reach the API Gateway endpoint";

/// A transport failure in plain words, without the SDK's internals.
fn plain_cause(detail: &str) -> String {
    let d = detail.to_ascii_lowercase();
    let cause = if d.contains("connection refused") {
        "the connection was refused (nothing listens there)"
    } else if d.contains("dns") || d.contains("lookup address") || d.contains("name or service") {
        "its host name does not resolve"
    } else if d.contains("timed out") || d.contains("timeout") {
        "the connection timed out"
    } else if d.contains("certificate") || d.contains("tls") {
        "the TLS handshake failed"
    } else {
        return detail
            .rsplit(": ")
            .next()
            .unwrap_or(detail)
            .chars()
            .take(200)
            .collect();
    };
    cause.to_string()
}

fn looks_like_credentials(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("credential") || d.contains("sso") || d.contains("token has expired")
}

/// The error and its sources, on one line.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}
