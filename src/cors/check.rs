//! The response side: Fetch's CORS check and CORS-preflight check, classified the way
//! Chromium's network service does (services/network/public/cpp/cors/cors.cc,
//! services/network/cors/preflight_controller.cc and preflight_result.cc).

use super::safelist::{self, trim_http_whitespace};
use super::{CorsError, CorsErrorKind, Mode, PreflightPlan};
use crate::exchange::RecordedResponse;
use crate::http::{is_token_byte, Headers};
use crate::target::{CredentialsMode, Target};

/// Chromium's deprecation warning when `*` in Access-Control-Allow-Headers covers
/// `authorization`.
pub const AUTHORIZATION_COVERED_BY_WILDCARD: &str =
    "Authorization will not be covered by the wildcard symbol (*) in CORS `Access-Control-Allow-Headers` handling.";

/// Fetch's redirect statuses.
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// A redirect the browser acts on: a redirect status with a `Location` (without one, Fetch
/// returns the response as it is [#http-redirect-fetch step 3], and so does Chromium's net
/// stack).
pub fn is_followable_redirect(response: &RecordedResponse) -> bool {
    is_redirect_status(response.status)
        && response
            .headers
            .get("location")
            .is_some_and(|l| !trim_http_whitespace(l).is_empty())
}

/// All values of `name`, each trimmed of HTTP whitespace, joined with ", " (what a browser's
/// HTTP stack hands to the CORS code).
fn combined(headers: &Headers, name: &str) -> Option<String> {
    let values: Vec<&str> = headers.get_all(name).map(trim_http_whitespace).collect();
    if values.is_empty() {
        None
    } else {
        Some(values.join(", "))
    }
}

fn err(kind: CorsErrorKind, param: impl Into<String>) -> CorsError {
    CorsError {
        kind,
        failed_parameter: Some(param.into()),
    }
}

fn bare(kind: CorsErrorKind) -> CorsError {
    CorsError {
        kind,
        failed_parameter: None,
    }
}

/// Fetch's CORS check, with Chromium's error classification (non-preflight kinds).
pub fn cors_check(target: &Target, headers: &Headers) -> Result<(), CorsError> {
    let include = target.credentials == CredentialsMode::Include;
    let Some(allow_origin) = combined(headers, "access-control-allow-origin") else {
        return Err(bare(CorsErrorKind::MissingAllowOriginHeader));
    };
    if allow_origin == "*" {
        if include {
            return Err(bare(CorsErrorKind::WildcardOriginNotAllowed));
        }
        return Ok(());
    }
    if allow_origin != target.origin {
        // Chromium's order: a list (space or comma) first, then the literal `null`, then a
        // value that does not even parse as a URL, else a plain mismatch.
        let kind = if allow_origin.contains([' ', ',']) {
            CorsErrorKind::MultipleAllowOriginValues
        } else if allow_origin == "null" {
            CorsErrorKind::AllowOriginMismatch
        } else if url::Url::parse(&allow_origin).is_err() {
            CorsErrorKind::InvalidAllowOriginValue
        } else {
            CorsErrorKind::AllowOriginMismatch
        };
        return Err(err(kind, allow_origin));
    }
    if include {
        let allow_credentials = combined(headers, "access-control-allow-credentials");
        if allow_credentials.as_deref() != Some("true") {
            return Err(err(
                CorsErrorKind::InvalidAllowCredentials,
                allow_credentials.unwrap_or_default(),
            ));
        }
    }
    Ok(())
}

/// The preflight-specific kind for a CORS-check failure.
fn preflight_kind(kind: CorsErrorKind) -> CorsErrorKind {
    use CorsErrorKind::*;
    match kind {
        WildcardOriginNotAllowed => PreflightWildcardOriginNotAllowed,
        MissingAllowOriginHeader => PreflightMissingAllowOriginHeader,
        MultipleAllowOriginValues => PreflightMultipleAllowOriginValues,
        InvalidAllowOriginValue => PreflightInvalidAllowOriginValue,
        AllowOriginMismatch => PreflightAllowOriginMismatch,
        InvalidAllowCredentials => PreflightInvalidAllowCredentials,
        other => other,
    }
}

/// Parses an Access-Control-Allow-Methods / -Headers value as `#token` (empty elements are
/// allowed, as for every `#rule`). `Ok(None)` when the header is absent.
fn parse_token_list(headers: &Headers, name: &str) -> Result<Vec<String>, ()> {
    let Some(value) = combined(headers, name) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in safelist::split_list(&value) {
        if item.is_empty() {
            continue;
        }
        if !item.bytes().all(is_token_byte) {
            return Err(());
        }
        out.push(item.to_string());
    }
    Ok(out)
}

pub(super) fn check_actual(target: &Target, response: &RecordedResponse) -> Result<(), CorsError> {
    cors_check(target, &response.headers)
}

pub(super) fn check_preflight(
    target: &Target,
    plan: &PreflightPlan,
    response: &RecordedResponse,
    mode: Mode,
) -> Result<Vec<String>, CorsError> {
    let include = target.credentials == CredentialsMode::Include;
    if is_followable_redirect(response) {
        return Err(bare(CorsErrorKind::PreflightDisallowedRedirect));
    }
    // Chromium runs the CORS check first, then looks at the status.
    if let Err(e) = cors_check(target, &response.headers) {
        return Err(CorsError {
            kind: preflight_kind(e.kind),
            failed_parameter: e.failed_parameter,
        });
    }
    if !(200..=299).contains(&response.status) {
        return Err(bare(CorsErrorKind::PreflightInvalidStatus));
    }
    // Both lists are parsed before either is used.
    let methods = parse_token_list(&response.headers, "access-control-allow-methods")
        .map_err(|()| bare(CorsErrorKind::InvalidAllowMethodsPreflightResponse))?;
    let allowed_headers: Vec<String> =
        parse_token_list(&response.headers, "access-control-allow-headers")
            .map_err(|()| bare(CorsErrorKind::InvalidAllowHeadersPreflightResponse))?
            .into_iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();

    // Methods: exact (case-sensitive) match against the normalized method, as the standard
    // and Chromium (AccessControlAllowMethodsInCORSPreflightSpecConformant) do.
    let method_ok = safelist::is_safelisted_method(&plan.method)
        || methods.contains(&plan.method)
        || (!include && methods.iter().any(|m| m == "*"));
    if !method_ok {
        return Err(err(
            CorsErrorKind::MethodDisallowedByPreflightResponse,
            plan.method.clone(),
        ));
    }

    let mut warnings = Vec::new();
    let listed = |name: &str| allowed_headers.iter().any(|h| h == name);
    let wildcard = !include && listed("*");
    let sends_authorization = plan.request_headers.iter().any(|h| h == "authorization");
    if wildcard {
        if sends_authorization && !listed("authorization") {
            match mode {
                Mode::Spec => {
                    return Err(err(
                        CorsErrorKind::HeaderDisallowedByPreflightResponse,
                        "authorization",
                    ))
                }
                Mode::ChromeToday => warnings.push(AUTHORIZATION_COVERED_BY_WILDCARD.to_string()),
            }
        }
        return Ok(warnings);
    }
    if let Some(missing) = plan.request_headers.iter().find(|h| !listed(h)) {
        return Err(err(
            CorsErrorKind::HeaderDisallowedByPreflightResponse,
            missing.clone(),
        ));
    }
    Ok(warnings)
}
