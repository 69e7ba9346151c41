//! The request side: what `fetch()` makes of the app's request, whether it needs a preflight,
//! and the exact headers of the preflight and of the actual request.

use super::safelist::{self, Safelist};
use super::{PreflightPlan, PreflightReason};
use crate::http::Headers;
use crate::target::Target;

/// The `Content-Type` fetch() sets for a string body when the app sets none.
pub const DEFAULT_TEXT_CONTENT_TYPE: &str = "text/plain;charset=UTF-8";

/// True when the page's origin differs from the URL's origin, i.e. CORS applies.
pub fn is_cross_origin(target: &Target) -> bool {
    target.url.origin().ascii_serialization() != target.origin
}

/// The request's header list as fetch() holds it: the app's headers minus the forbidden ones
/// (values normalized), plus the default `Content-Type` for a body. Also the notes on what
/// was dropped.
pub(super) fn header_list(target: &Target) -> (Vec<(String, String)>, Vec<String>) {
    let mut list = Vec::new();
    let mut notes = Vec::new();
    for (name, value) in target.headers.iter() {
        let value = safelist::trim_http_whitespace(value);
        if safelist::is_forbidden_request_header(name, value) {
            let note = safelist::forbidden_header_note(name, value);
            if !notes.contains(&note) {
                notes.push(note);
            }
            continue;
        }
        list.push((name.to_string(), value.to_string()));
    }
    if target.body.is_some()
        && !list
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        list.push((
            "Content-Type".to_string(),
            DEFAULT_TEXT_CONTENT_TYPE.to_string(),
        ));
    }
    (list, notes)
}

/// Fetch's "CORS-unsafe request-header names" with the reasons, in header-list order
/// (names lowercased, not yet sorted or deduplicated).
fn unsafe_names(list: &[(String, String)]) -> (Vec<String>, Vec<PreflightReason>) {
    let mut unsafe_names = Vec::new();
    let mut reasons = Vec::new();
    let mut potentially_unsafe = Vec::new();
    let mut total = 0usize;
    for (name, value) in list {
        let lower = name.to_ascii_lowercase();
        match safelist::classify(name, value) {
            Safelist::Safe => {
                total += value.len();
                potentially_unsafe.push(lower);
            }
            Safelist::UnsafeName => {
                reasons.push(PreflightReason::UnsafeHeaderName {
                    name: lower.clone(),
                });
                unsafe_names.push(lower);
            }
            Safelist::UnsafeValue(rule) => {
                reasons.push(PreflightReason::UnsafeHeaderValue {
                    name: lower.clone(),
                    rule,
                });
                unsafe_names.push(lower);
            }
        }
    }
    if total > safelist::MAX_SAFELISTED_TOTAL_LEN {
        reasons.push(PreflightReason::SafelistedTotalTooLarge { total });
        unsafe_names.extend(potentially_unsafe);
    }
    let mut deduped: Vec<PreflightReason> = Vec::with_capacity(reasons.len());
    for r in reasons {
        if !deduped.contains(&r) {
            deduped.push(r);
        }
    }
    (unsafe_names, deduped)
}

pub(super) fn plan(target: &Target) -> PreflightPlan {
    let method = safelist::normalize_method(&target.method);
    let (list, mut notes) = header_list(target);
    if safelist::is_forbidden_method(&method) {
        notes.push(format!(
            "fetch() refuses the forbidden method {method} with a TypeError: nothing is sent"
        ));
    }
    if target.body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
        notes.push(format!(
            "fetch() refuses a body with {method} with a TypeError: nothing is sent"
        ));
    }
    if target.body.is_some()
        && !target
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        notes.push(format!(
            "fetch() sends a string body with Content-Type: {DEFAULT_TEXT_CONTENT_TYPE} (CORS-safelisted) when the app sets none"
        ));
    }

    if !is_cross_origin(target) {
        notes.push(
            "the page and the URL have the same origin: CORS does not apply, no preflight"
                .to_string(),
        );
        return PreflightPlan {
            required: false,
            reasons: Vec::new(),
            method,
            request_headers: Vec::new(),
            notes,
        };
    }

    let mut reasons = Vec::new();
    if !safelist::is_safelisted_method(&method) {
        reasons.push(PreflightReason::Method {
            method: method.clone(),
        });
    }
    let (mut names, header_reasons) = unsafe_names(&list);
    reasons.extend(header_reasons);
    names.sort();
    names.dedup();
    PreflightPlan {
        required: !reasons.is_empty(),
        reasons,
        method,
        request_headers: names,
        notes,
    }
}

pub(super) fn preflight_request_headers(target: &Target, plan: &PreflightPlan) -> Headers {
    let mut h = Headers::new()
        .with("Accept", "*/*")
        .with("Access-Control-Request-Method", plan.method.clone());
    if !plan.request_headers.is_empty() {
        h.push(
            "Access-Control-Request-Headers",
            plan.request_headers.join(","),
        );
    }
    h.with("Origin", target.origin.clone())
}

pub(super) fn actual_request_headers(target: &Target) -> Headers {
    let (list, _) = header_list(target);
    let mut h: Headers = list.into_iter().collect();
    let method = safelist::normalize_method(&target.method);
    // Cross-origin CORS requests always carry Origin; same-origin ones only when the method
    // is neither GET nor HEAD [#append-a-request-origin-header].
    if is_cross_origin(target) || !matches!(method.as_str(), "GET" | "HEAD") {
        h.push("Origin", target.origin.clone());
    }
    h
}
