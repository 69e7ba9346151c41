//! The three requests of a diagnosis, built exactly as a browser (and curl) would send them.
//! Pure: used by the live probes and by the behaviour model's predictions alike.

use crate::cors::{self, PreflightPlan};
use crate::evidence::{ExchangeKind, RecordedRequest};
use crate::target::Target;

pub use crate::cors::FOREIGN_ORIGIN;

/// A request to send, with the stable id findings cite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRequest {
    pub id: String,
    pub kind: ExchangeKind,
    pub request: RecordedRequest,
}

/// The preflight (only when the browser would send one), the actual request with `Origin`,
/// the same request without `Origin`, and a preflight from a foreign origin (does the API
/// reflect any origin?). Ids are `x1`, `x2`, … in that order, numbered over the requests
/// actually planned.
pub fn plan_requests(target: &Target, plan: &PreflightPlan) -> Vec<PlannedRequest> {
    let url = target.url.to_string();
    let mut out = Vec::with_capacity(3);
    if plan.required {
        out.push((
            ExchangeKind::Preflight,
            RecordedRequest {
                method: "OPTIONS".into(),
                url: url.clone(),
                headers: cors::preflight_request_headers(target, plan),
                body: None,
            },
        ));
    }
    let actual_headers = cors::actual_request_headers(target);
    let mut no_origin_headers = actual_headers.clone();
    no_origin_headers.remove("origin");
    for (kind, headers) in [
        (ExchangeKind::Actual, actual_headers),
        (ExchangeKind::NoOrigin, no_origin_headers),
    ] {
        out.push((
            kind,
            RecordedRequest {
                method: plan.method.clone(),
                url: url.clone(),
                headers,
                body: target.body.clone(),
            },
        ));
    }
    let mut foreign = target.clone();
    foreign.origin = FOREIGN_ORIGIN.to_string();
    out.push((
        ExchangeKind::ForeignOrigin,
        RecordedRequest {
            method: "OPTIONS".into(),
            url,
            headers: cors::preflight_request_headers(&foreign, plan),
            body: None,
        },
    ));
    out.into_iter()
        .enumerate()
        .map(|(i, (kind, request))| PlannedRequest {
            id: format!("x{}", i + 1),
            kind,
            request,
        })
        .collect()
}
