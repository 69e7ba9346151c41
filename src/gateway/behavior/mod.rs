//! What API Gateway answers: given an [`Api`], a stage and a request, the response it sends.
//!
//! Pure and deterministic: the backend of proxy and HTTP integrations is a [`Backend`] the
//! caller supplies (a scenario describes one), request ids come from a sequence number, and
//! throttling is decided from settings plus a count of recent requests the caller passes.
//!
//! The rules follow shared/reference/api-gateway.md. Where AWS documentation is silent the
//! code says so in a comment starting with "Docs silent".
//!
//! # Choices the documentation leaves open
//! Each with the evidence it rests on ("verify": no primary source found). HTTP API choices
//! are listed in full in `http_api.rs`'s module docs.
//! - **REST: an unknown stage on the default endpoint answers 403 `{"message":"Forbidden"}`**
//!   (`ForbiddenException`). Evidence: commonly reported answer for a wrong stage (verify).
//! - **REST: a method missing on the most specific resource does not fall back to a
//!   `{proxy+}` sibling** (403 Missing Authentication Token). Evidence: the documented
//!   "resource first, then method" selection and user reports of 403 on such paths.
//! - **REST: throttling is applied once the method is known and before authorization.**
//!   Evidence: the docs order none; a throttled client is reported not to reach the
//!   authorizer (its logs show no call) (verify).
//! - **REST: a customized DEFAULT_4XX/5XX lends its headers but not its status code to the
//!   types it covers; a specific type's own statusCode applies.** Evidence: the gateway
//!   responses page describes DEFAULT_* as the fallback for *response parameters and
//!   templates*; each type keeps its default status in the type table.
//! - **REST: a gateway response header whose source has no value (no Origin sent for
//!   `method.request.header.Origin`) is omitted.** Evidence: none either way; an empty header
//!   is indistinguishable from a missing one for the browser.
//! - **REST: an integration response whose status has no method response answers 500
//!   (API_CONFIGURATION_ERROR).** Evidence: deployment normally refuses it; the docs name
//!   API_CONFIGURATION_ERROR for configuration the runtime cannot apply.
//! - **HTTP APIs: an authorized `ANY` route catches the preflight like `$default` does**, with
//!   or without a cors_configuration. Evidence: anomalyco/sst#5493 and the documented
//!   `$default` rule (see `http_api.rs`).

mod access;
mod backend;
mod http_api;
mod predict;
mod rest;
mod routing;
mod selection;

use serde::{Deserialize, Serialize};

use super::model::{Api, ApiKind, IntegrationType, DEFAULT_STAGE};
use crate::http::{HttpRequest, HttpResponse};

pub use access::token_validation;
pub use backend::{Backend, BackendCall, BackendFailure, BackendReply, FixedBackend, RouteBackend};
pub use routing::{
    match_http_route, match_rest_resource, match_template, matching_resources, method_for,
    PathParams,
};
pub use selection::{pattern_problem, regex_full_match, PatternProblem, SelectionPattern};

use http_api::{http_error, respond_http};
pub use http_api::{preflight_blocked_by, preflight_route};
pub use predict::{predict, AssumedCorsBackend, Located, PredictRequest, ASSUMPTION_HEADER};
use rest::{respond_rest, rest_error};

/// Everything about one call that is not configuration or the request itself.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// A sequence number the request ids are derived from (deterministic).
    pub seq: u64,
    /// How many requests the same stage+method received in the current second before this
    /// one (a simulator counts them; 0 for a one-off prediction).
    pub recent_requests: u32,
    pub backend: &'a dyn Backend,
}

impl<'a> Context<'a> {
    pub fn new(seq: u64, backend: &'a dyn Backend) -> Self {
        Context {
            seq,
            recent_requests: 0,
            backend,
        }
    }
}

/// Who produced the response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Producer {
    /// A gateway-generated error (REST: the gateway response type; HTTP APIs: a description
    /// such as `NOT_FOUND` using the REST type names where one fits).
    Gateway { response_type: String },
    /// The integration (MOCK, proxy, HTTP or AWS) answered.
    Integration { kind: IntegrationType },
    /// An HTTP API answered the preflight itself from its cors_configuration.
    CorsPreflight,
}

/// The route a request matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedRoute {
    /// Template path (`/items/{id}`, `$default`).
    pub path: String,
    /// Configured method (`GET` or `ANY`); `None` when the resource matched but no method.
    pub method: Option<String>,
    /// Path parameters (`id` → `42`, `proxy` → `a/b`).
    pub params: Vec<(String, String)>,
}

/// API Gateway's answer and how it came about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub response: HttpResponse,
    pub matched: Option<MatchedRoute>,
    pub produced_by: Producer,
}

/// A uuid-shaped request id derived from `seq` (`x-amzn-RequestId`, `apigw-requestid`).
pub fn request_id(seq: u64) -> String {
    let a = mix(seq);
    let b = mix(a ^ 0x9e37_79b9_7f4a_7c15);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// The 16-character extended request id (`x-amz-apigw-id`) derived from `seq`.
pub fn extended_request_id(seq: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut v = mix(seq ^ 0x5bd1_e995);
    let mut out = String::with_capacity(16);
    for _ in 0..15 {
        out.push(char::from(ALPHABET[(v & 63) as usize]));
        v = if v < 64 { mix(v ^ seq) } else { v >> 6 };
    }
    out.push('=');
    out
}

fn mix(x: u64) -> u64 {
    // splitmix64
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Splits a path as sent to the default endpoint into the stage and the path below it.
/// REST: the first segment names the stage. HTTP APIs: the first segment if it names a stage,
/// else the `$default` stage with the whole path. `None` when no stage applies (a REST path
/// with no segment, or a stage name the API does not have while it has stages).
pub fn split_stage(api: &Api, path_and_query: &str) -> Option<(String, String)> {
    let trimmed = path_and_query.trim_start_matches('/');
    let (first, rest) = match trimmed.find(['/', '?']) {
        Some(i) => (&trimmed[..i], &trimmed[i..]),
        None => (trimmed, ""),
    };
    let rest = if rest.is_empty() || rest.starts_with('?') {
        format!("/{rest}")
    } else {
        rest.to_string()
    };
    let named = !first.is_empty() && (api.stage(first).is_some() || api.stages.is_empty());
    match api.kind {
        ApiKind::Rest if named => Some((first.to_string(), rest)),
        ApiKind::Rest => None,
        ApiKind::Http if api.stage(first).is_some() && first != DEFAULT_STAGE => {
            Some((first.to_string(), rest))
        }
        ApiKind::Http => Some((DEFAULT_STAGE.to_string(), path_and_query.to_string())),
    }
}

/// [`split_stage`] then [`respond`]: for a simulator serving the default endpoint's paths.
/// An unknown stage gets REST's 403 `{"message":"Forbidden"}` or an HTTP API's 404.
pub fn respond_to_path(api: &Api, request: &HttpRequest, ctx: &Context<'_>) -> Answer {
    match split_stage(api, &request.path_and_query) {
        Some((stage, rest)) => {
            let mut below = request.clone();
            below.path_and_query = rest;
            respond(api, Some(&stage), &below, ctx)
        }
        None => match api.kind {
            // Docs silent: an unknown stage on the default endpoint answers 403 Forbidden
            // (ForbiddenException), as observed in practice (verify).
            ApiKind::Rest => Answer {
                response: rest_error(
                    403,
                    "ForbiddenException",
                    "{\"message\":\"Forbidden\"}".into(),
                    ctx.seq,
                ),
                matched: None,
                produced_by: Producer::Gateway {
                    response_type: "UNKNOWN_STAGE".into(),
                },
            },
            ApiKind::Http => http_error(404, "Not Found", "NOT_FOUND", None, ctx.seq),
        },
    }
}

/// The response API Gateway sends for `request` on `stage`.
///
/// `request.path_and_query` is the path **below the stage** (`/items/42?x=1`); see
/// [`split_stage`] / [`respond_to_path`] for URLs as sent to the default endpoint. `stage`
/// selects what is served (the stage's deployment, see [`Api::served`]), its throttling and
/// stage variables; `None` (or an unknown name) uses the working copy without stage settings.
pub fn respond(api: &Api, stage: Option<&str>, request: &HttpRequest, ctx: &Context<'_>) -> Answer {
    let served = api.served(stage);
    match api.kind {
        ApiKind::Rest => respond_rest(api, &served, request, ctx),
        ApiKind::Http => respond_http(api, &served, request, ctx),
    }
}

#[cfg(test)]
mod tests;
