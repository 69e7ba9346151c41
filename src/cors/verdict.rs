//! The browser's verdict from what it saw of the preflight and of the actual request.
//!
//! Rules where the engine has to choose (the browser would know more than we recorded):
//! - **Transport failure** (preflight or actual): `NetworkError`, no `cors_error`, the console
//!   line is Chromium's failed-request line `"<METHOD> <url> net::ERR_…"`, Firefox's reason is
//!   `CORSDidNotSucceed`.
//! - **Refused by fetch()** (credentials in the URL, CONNECT/TRACE/TRACK, a GET/HEAD body):
//!   `Refused`, the TypeError as the console line, nothing else (see `refusal.rs`).
//! - **Not sent** (a required preflight, or the actual request, has no observation): the verdict
//!   is `Unknown`, with no `cors_error`, no console line, and a warning that says which request
//!   is missing, so nothing downstream reads it as allowed.
//! - **Redirect of the actual request** (301/302/303/307/308 with a `Location`): the redirect
//!   response itself must pass the CORS check (Fetch: the check runs on every response of a
//!   CORS request), and a `Location` with a username or password is
//!   `RedirectContainsCredentials` (with no failed parameter, as Chromium reports it). If both pass, the browser would follow the redirect, which
//!   the engine does not: the verdict is `Unknown`, reported like "not sent" (no
//!   `cors_error`, `failed_at: actual`) with a warning naming the `Location` (and noting that
//!   a cross-origin hop makes the browser send `Origin: null`).

use super::check::{self, is_followable_redirect};
use super::messages::net_error_name;
use super::request::is_cross_origin;
use super::{CorsError, CorsErrorKind, FailedAt, Mode, Observed, Outcome, PreflightPlan, Verdict};
use crate::exchange::{RecordedResponse, TransportError};
use crate::target::Target;

/// The request `fetch()` would send, as Chromium names it in a failed-request console line.
fn network_error(
    target: &Target,
    plan: &PreflightPlan,
    error: &TransportError,
    at: FailedAt,
    warnings: Vec<String>,
) -> Verdict {
    if error.kind == crate::exchange::FailureKind::NotRecorded {
        // A HAR's hidden answer: not a network error, and not judged.
        let why = format!(
            "{}, so the engine's verdict is unknown",
            error.message.trim_end_matches('.')
        );
        return unknown(at, warnings, why);
    }
    Verdict {
        outcome: Outcome::NetworkError,
        cors_error: None,
        failed_at: Some(at),
        hidden_status: None,
        console_message: Some(format!(
            "{} {} net::{}",
            plan.method,
            target.url.as_str(),
            net_error_name(error)
        )),
        firefox_reason: Some("CORSDidNotSucceed".to_string()),
        warnings,
    }
}

fn unknown(at: FailedAt, mut warnings: Vec<String>, why: String) -> Verdict {
    warnings.push(why);
    Verdict {
        outcome: Outcome::Unknown,
        cors_error: None,
        failed_at: Some(at),
        hidden_status: None,
        console_message: None,
        firefox_reason: None,
        warnings,
    }
}

fn blocked(
    target: &Target,
    error: CorsError,
    at: FailedAt,
    response: &RecordedResponse,
    warnings: Vec<String>,
) -> Verdict {
    let mut firefox = error.firefox_reason();
    // Firefox looks at the preflight's status before its Allow-Origin, so a preflight that
    // fails the CORS check with a non-2xx status is "CORS preflight response did not succeed".
    if at == FailedAt::Preflight
        && error.kind.has_preflight_prefix()
        && error.kind != CorsErrorKind::PreflightDisallowedRedirect
        && !(200..=299).contains(&response.status)
    {
        firefox = "CORSPreflightDidNotSucceed";
    }
    Verdict {
        outcome: Outcome::Blocked,
        console_message: Some(error.console_message(target.url.as_str(), &target.origin)),
        cors_error: Some(error),
        failed_at: Some(at),
        hidden_status: Some(response.status),
        firefox_reason: Some(firefox.to_string()),
        warnings,
    }
}

fn allowed(warnings: Vec<String>) -> Verdict {
    Verdict {
        outcome: Outcome::Allowed,
        cors_error: None,
        failed_at: None,
        hidden_status: None,
        console_message: None,
        firefox_reason: None,
        warnings,
    }
}

/// `Location` resolved against the request URL, when it carries a username or password.
fn location_with_credentials(target: &Target, response: &RecordedResponse) -> Option<String> {
    let location = response.headers.get("location")?.trim();
    let url = target.url.join(location).ok()?;
    let has_credentials = !url.username().is_empty() || url.password().is_some();
    // Fetch: only a location whose origin differs from the request's origin is refused.
    let same_origin = url.origin().ascii_serialization() == target.origin;
    (has_credentials && !same_origin).then(|| url.to_string())
}

pub(super) fn verdict(
    target: &Target,
    plan: &PreflightPlan,
    preflight: Observed<'_>,
    actual: Observed<'_>,
    mode: Mode,
) -> Verdict {
    let mut warnings = Vec::new();
    if let Some(r) = super::refusal(target) {
        return Verdict {
            outcome: Outcome::Refused,
            cors_error: None,
            failed_at: None,
            hidden_status: None,
            console_message: Some(r.console_message),
            firefox_reason: None,
            warnings,
        };
    }
    let cross_origin = is_cross_origin(target);

    if plan.required {
        match preflight {
            // A recording without the preflight (Safari keeps none) whose actual request was
            // answered: the browser sends the actual request only after a preflight passed.
            Observed::Failed(e)
                if e.kind == crate::exchange::FailureKind::NotRecorded
                    && matches!(actual, Observed::Response(_)) =>
            {
                warnings.push(format!(
                    "{}; the actual request was answered, so the browser's preflight passed",
                    e.message.trim_end_matches('.')
                ));
            }
            Observed::Failed(e) => {
                return network_error(target, plan, e, FailedAt::Preflight, warnings)
            }
            Observed::NotSent => {
                return unknown(
                    FailedAt::Preflight,
                    warnings,
                    "the preflight was not sent, so the browser's verdict is unknown".to_string(),
                )
            }
            Observed::Response(r) => match check::check_preflight(target, plan, r, mode) {
                Ok(w) => warnings.extend(w),
                Err(e) => return blocked(target, e, FailedAt::Preflight, r, warnings),
            },
        }
    }

    let response = match actual {
        Observed::Failed(e) => return network_error(target, plan, e, FailedAt::Actual, warnings),
        Observed::NotSent => {
            return unknown(
                FailedAt::Actual,
                warnings,
                "the actual request was not sent, so the browser's verdict is unknown".to_string(),
            )
        }
        Observed::Response(r) => r,
    };
    if !cross_origin {
        // Same origin: no CORS check; a redirect is followed like any other.
        return allowed(warnings);
    }
    if let Err(e) = check::check_actual(target, response) {
        return blocked(target, e, FailedAt::Actual, response, warnings);
    }
    if is_followable_redirect(response) {
        if location_with_credentials(target, response).is_some() {
            // Chromium 156 reports no failed parameter here (its console line reads
            // "Redirect location ''"), as seen in the browser differential suite.
            let e = CorsError::new(CorsErrorKind::RedirectContainsCredentials, None);
            return blocked(target, e, FailedAt::Actual, response, warnings);
        }
        let location = response.headers.get("location").unwrap_or("").trim();
        return unknown(
            FailedAt::Actual,
            warnings,
            format!(
                "the actual request was redirected ({} to '{location}') and the redirect passed the CORS check; a browser follows it (with Origin: null if it leaves the origin) and cors-doctor does not, so run cors-doctor on the URL it points to",
                response.status
            ),
        );
    }
    allowed(warnings)
}
