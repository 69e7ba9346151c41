//! Offline prediction: the exchanges API Gateway would produce for the planned requests,
//! from the configuration alone (no URL to probe). Pure: the backend's answers come from the
//! configuration source (a scenario) or are assumed ([`AssumedCorsBackend`]).

use std::sync::Arc;

use super::{respond, Backend, BackendCall, BackendReply, Context, Producer, RouteBackend};
use crate::exchange::{
    attribute, AnsweredBy, Exchange, ExchangeKind, RecordedRequest, RecordedResponse,
};
use crate::gateway::front::{self, Front, FrontState};
use crate::gateway::model::Api;
use crate::http::HttpRequest;
use crate::target::{CredentialsMode, Target};

/// The header an offline prediction puts on an answer it had to assume (a proxy backend's):
/// the steps report such an answer as an assumption, never as checked headers.
pub const ASSUMPTION_HEADER: &str = "x-cors-doctor-assumption";

/// The API, and where in it the request lands.
pub struct Located {
    pub api: Arc<Api>,
    pub stage: Option<String>,
    /// The resource path below the stage.
    pub path: String,
    /// What stands in front of the API; the prediction answers through it.
    pub front: Front,
}

/// One request to predict the answer to: its exchange id, what it replays, the request.
pub struct PredictRequest<'a> {
    pub id: &'a str,
    pub kind: ExchangeKind,
    pub request: &'a RecordedRequest,
}

/// Offline: the exchanges API Gateway would produce, from the configuration alone. A
/// `backend` the configuration source describes (a scenario's) answers for the
/// integrations; without one, [`AssumedCorsBackend`] does.
pub fn predict(
    located: &Located,
    backend: Option<&RouteBackend>,
    target: &Target,
    requests: &[PredictRequest<'_>],
) -> Vec<Exchange> {
    let assumed = AssumedCorsBackend {
        origin: target.origin.clone(),
        credentials: target.credentials == CredentialsMode::Include,
    };
    let backend: &dyn Backend = match backend {
        Some(b) => b,
        None => &assumed,
    };
    let query = target
        .url
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    // A custom domain or a resource policy reads the URL path with the stage (or the
    // domain's base path) in it: the layers get the path as sent, the API the path below the
    // stage. Without them the path below the stage goes straight through.
    let (staged, front_path) = front_path(located, target);
    // A request to the API's own endpoint never meets its custom domain.
    let front = if on_domain(located, target) {
        located.front.clone()
    } else {
        Front {
            custom_domain: None,
            ..located.front.clone()
        }
    };
    // One state for the run: CloudFront's cache sees the requests in order.
    let mut front_state = FrontState::default();
    requests
        .iter()
        .enumerate()
        .map(|(i, planned)| {
            let request = HttpRequest {
                method: planned.request.method.clone(),
                path_and_query: format!("{}{query}", front_path),
                headers: planned.request.headers.clone(),
                body: planned
                    .request
                    .body
                    .clone()
                    .unwrap_or_default()
                    .into_bytes(),
            };
            let ctx = Context::new(i as u64 + 1, backend);
            let mut produced_by = None;
            let through = front::respond(&front, &mut front_state, &request, &mut |r| {
                let answer = if staged {
                    // The layers saw the URL path as the API's own endpoint takes it.
                    below_stage(&located.api, located.stage.as_deref(), r, &ctx)
                } else {
                    respond(&located.api, located.stage.as_deref(), r, &ctx)
                };
                produced_by = Some(answer.produced_by);
                answer.response
            });
            let response = through.response;
            let (by_headers, gateway_error_type) = attribute(&response.headers);
            // The model knows who produced its answer: an HTTP API's own errors and its
            // automatic preflight answer carry no x-amzn-ErrorType, yet are API Gateway's; a
            // layer in front that answered itself says so.
            let answered_by = match (through.answered_by, produced_by) {
                (Some(layer), _) => layer,
                (None, Some(Producer::Gateway { .. } | Producer::CorsPreflight)) => {
                    AnsweredBy::Gateway
                }
                (None, _) => by_headers,
            };
            let body_truncated = response.body.len() > EXCERPT_BYTES;
            let excerpt = &response.body[..response.body.len().min(EXCERPT_BYTES)];
            Exchange {
                id: planned.id.to_string(),
                kind: planned.kind,
                request: planned.request.clone(),
                response: Some(RecordedResponse {
                    status: response.status,
                    headers: response.headers,
                    body_excerpt: String::from_utf8_lossy(excerpt).into_owned(),
                    body_truncated,
                }),
                error: None,
                answered_by,
                gateway_error_type,
                elapsed_ms: 0,
                predicted: true,
            }
        })
        .collect()
}

const EXCERPT_BYTES: usize = 2048;

/// Whether the layers in front read the path with its stage (see [`predict`]), and the
/// path they get: the target URL's path on a custom domain (not on `execute-api`: a request
/// to the API's own endpoint never meets the domain), else `/{stage}{path}`.
fn front_path(located: &Located, target: &Target) -> (bool, String) {
    if on_domain(located, target) {
        return (true, target.url.path().to_string());
    }
    match located.stage.as_deref() {
        Some(stage)
            if located.front.private.is_some() && stage != crate::gateway::model::DEFAULT_STAGE =>
        {
            (true, format!("/{stage}{}", located.path))
        }
        _ => (false, located.path.clone()),
    }
}

/// True when the target URL is on the custom domain in front (a host other than the API's
/// `execute-api` endpoint).
fn on_domain(located: &Located, target: &Target) -> bool {
    located.front.custom_domain.is_some()
        && target
            .url
            .host_str()
            .is_some_and(|h| !front::domain::is_execute_api_host(h))
}

/// The API's answer to a path as sent to its own endpoint (`/{stage}/items`): the located
/// stage's prefix stripped, else the stage the path names.
fn below_stage(
    api: &Api,
    stage: Option<&str>,
    request: &HttpRequest,
    ctx: &Context<'_>,
) -> super::Answer {
    if let Some(s) = stage {
        let prefix = format!("/{s}");
        if let Some(rest) = request.path_and_query.strip_prefix(&prefix) {
            if rest.is_empty() || rest.starts_with(['/', '?']) {
                let mut below = request.clone();
                below.path_and_query = if rest.starts_with('/') {
                    rest.to_string()
                } else {
                    format!("/{rest}")
                };
                return respond(api, Some(s), &below, ctx);
            }
        }
    }
    super::respond_to_path(api, request, ctx)
}

/// Offline, a proxy backend's own answer is unknowable. The prediction assumes the backend
/// does what a correct one does for the app's origin (and nothing for any other origin: no
/// reflection is invented), and labels its answers with [`ASSUMPTION_HEADER`]: the diagnosis
/// reports an assumption as one (a warning), never as a verified header or a security risk.
pub struct AssumedCorsBackend {
    pub origin: String,
    pub credentials: bool,
}

impl Backend for AssumedCorsBackend {
    fn invoke(&self, call: &BackendCall<'_>) -> BackendReply {
        let mut headers = std::collections::BTreeMap::new();
        headers.insert("Content-Type".to_string(), "application/json".to_string());
        headers.insert(
            ASSUMPTION_HEADER.to_string(),
            "offline prediction: the backend's answer is assumed, not known".to_string(),
        );
        let h = &call.request.headers;
        let preflight = call.request.method.eq_ignore_ascii_case("OPTIONS")
            && h.contains("access-control-request-method");
        if h.get("origin") == Some(self.origin.as_str()) {
            headers.insert(
                "Access-Control-Allow-Origin".to_string(),
                self.origin.clone(),
            );
            if self.credentials {
                headers.insert(
                    "Access-Control-Allow-Credentials".to_string(),
                    "true".to_string(),
                );
            }
            if preflight {
                if let Some(m) = h.get("access-control-request-method") {
                    headers.insert("Access-Control-Allow-Methods".to_string(), m.to_string());
                }
                if let Some(rh) = h.get("access-control-request-headers") {
                    headers.insert("Access-Control-Allow-Headers".to_string(), rh.to_string());
                }
            }
        }
        headers.insert("Vary".to_string(), "Origin".to_string());
        BackendReply {
            status: if preflight { 204 } else { 200 },
            headers,
            body: if preflight {
                String::new()
            } else {
                "{}".to_string()
            },
            failure: None,
        }
    }
}
