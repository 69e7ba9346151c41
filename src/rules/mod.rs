//! Whole-API rules: every route and method of an [`Api`] checked for latent CORS traps
//! without sending anything. `lint` (files) calls [`check`]; an account audit calls the same
//! function on configuration read through the SDK.
//!
//! The rules are the diagnosis itself, not a second copy of it: for each method the request a
//! browser app would make is synthesized ([`synthesize`]: the method; `Content-Type:
//! application/json` and a body for POST/PUT/PATCH; the identity headers of its authorizer,
//! an IAM signature or an API key when the method needs them; `credentials: 'include'` when
//! the API allows credentials), API Gateway's answers are predicted from the configuration
//! ([`crate::gateway::behavior::predict`], as `check --openapi` does offline) and the seven steps
//! are run ([`diagnose::diagnose`]). The configuration findings of each run are collected per
//! route; API-wide ones (a gateway response without CORS headers) are reported once per API.
//! A few facts only a whole API shows are checked directly (`whole`): changes the stage
//! does not serve, a Terraform deployment without `triggers`, origins `null` or wildcards
//! with credentials.
//!
//! Offline a proxy integration's backend is unknowable: the prediction assumes a correct
//! one, and each such route is reported once as `PROXY_BACKEND_CORS` (info: the backend must
//! send the CORS headers itself).

mod collect;
mod reduce;
mod request;
mod whole;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::cors::Mode;
use crate::diagnose::{self, Diagnosis, FindingCode, Remediation, Severity};
use crate::evidence::{ConfigEvidence, ConfigSourceKind, Evidence, Exchange};
use crate::gateway::behavior::{self, Located, PredictRequest, RouteBackend};
use crate::gateway::front::Front;
use crate::gateway::model::{Api, Method, Resource, SourceRef};
use crate::probe::requests::plan_requests;
use crate::target::Target;
use collect::{candidates, At, Candidate, Merged, SourceIndex};
use reduce::{reduced, skeleton, Templates};
pub use request::{concrete_path, default_origin, synthesize};

/// The origin requests are made from when no `--origin` is given and the API names none.
pub const PLACEHOLDER_ORIGIN: &str = "https://app.example.com";

/// What to check with.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The app's origins (`--origin`); empty: the API's own allowed origin, else
    /// [`PLACEHOLDER_ORIGIN`].
    pub origins: Vec<String>,
    pub mode: Mode,
}

/// A method or route: template path and verb.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Route {
    pub path: String,
    pub method: String,
}

/// One latent trap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LintFinding {
    pub code: FindingCode,
    pub severity: Severity,
    /// The diagnosis step (1–7) the code belongs to.
    pub step: u8,
    pub message: String,
    /// The route it was found on; `None` for an API-wide finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    /// The stage whose deployment was checked, if the API has stages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The app origin the request was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// For an API-wide finding: how many routes meet it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes_affected: Option<usize>,
    /// Where the element is defined, for file inputs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
}

/// Codes reported once per API (they concern a setting of the API, not of a route).
fn api_wide(code: FindingCode) -> bool {
    matches!(
        code,
        FindingCode::GatewayResponseNoCors
            | FindingCode::GatewayResponsesUnconfigured
            | FindingCode::UndeployedChanges
            | FindingCode::DeploymentNoTriggers
    )
}

/// Codes a lint does not report: the per-request explanations (a preflight is sent) and the
/// browser's verdict, a symptom of the causes reported with it.
fn reported(code: FindingCode) -> bool {
    !matches!(
        code,
        FindingCode::PreflightRequired
            | FindingCode::NoPreflight
            | FindingCode::BrowserAllowed
            | FindingCode::BrowserBlocked
            | FindingCode::BrowserVerdictUnknown
            | FindingCode::FetchRefused
    )
}

/// Every latent trap of `api`, most severe first, then by route.
/// `front`: what stands in front of the API as its source knows it (a definition's own
/// resource policy, [`Front::of_definition`]; the one the SDK read).
pub fn check(api: &Api, front: &Front, options: &Options) -> Vec<LintFinding> {
    // The API without its resources (and without what only findings read): each route is
    // diagnosed on this plus the resources its path can match, so that a route's diagnosis
    // does not walk every resource of a large API (API-wide settings are all kept).
    let skeleton = skeleton(api);
    let sources = SourceIndex::new(api);
    let origins: Vec<String> = if options.origins.is_empty() {
        vec![default_origin(api)]
    } else {
        options.origins.clone()
    };
    let stages: Vec<Option<String>> = if api.stages.is_empty() {
        vec![None]
    } else {
        api.stages.iter().map(|s| Some(s.name.clone())).collect()
    };
    // Every (stage, route, origin) to diagnose, in report order.
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for stage in &stages {
        let served = api.served(stage.as_deref());
        for resource in served.resources {
            for method in &resource.methods {
                if method.http_method == "OPTIONS" {
                    continue;
                }
                for origin in &origins {
                    jobs.push(Job {
                        stage: stage.as_deref(),
                        resource,
                        method,
                        origin,
                    });
                }
            }
        }
    }
    let templates = Templates::new(api);
    // The diagnoses are independent: spread over the cores, each turned into its findings on
    // the thread that ran it (a diagnosis is large, its findings few: freeing it there keeps
    // the merge small), merged in order afterwards.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8)
        .min(jobs.len().max(1));
    let chunk = jobs.len().div_ceil(threads).max(1);
    let (sources, skeleton, templates) = (&sources, &skeleton, &templates);
    let run = |part: &[Job<'_>]| -> Vec<Candidate> {
        let mut found = Merged::default();
        // What a route's diagnosis reads that does not depend on its method or stage, built
        // once per resource path (a path's jobs are next to each other): the request path and
        // the API reduced to what routing it can select.
        let mut per_path: HashMap<&str, (String, Arc<Api>)> = HashMap::new();
        for job in part {
            let template = job.resource.path.as_str();
            let (path, reduced) = per_path.entry(template).or_insert_with(|| {
                let path = concrete_path(template);
                let reduced = Arc::new(reduced(skeleton, api, templates, &path));
                (path, reduced)
            });
            let Some(target) = synthesize(api, job.stage, job.resource, job.method, job.origin)
            else {
                continue;
            };
            // The fixes' snippets are rendered for the findings kept (below), not for every
            // repeat of an API-wide one.
            let (exchanges, diagnosis) = diagnose_offline(
                reduced,
                front,
                job.stage,
                path,
                &target,
                None,
                options.mode,
                false,
            );
            let route = Route {
                path: job.resource.path.clone(),
                method: job.method.http_method.clone(),
            };
            let at = At {
                api,
                sources,
                route: &route,
                stage: job.stage,
                origin: job.origin,
            };
            candidates(&at, &exchanges, diagnosis, reduced, &mut found);
        }
        found.into_kept()
    };
    let parts: Vec<Vec<Candidate>> = if threads <= 1 {
        vec![run(&jobs)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = jobs
                .chunks(chunk)
                .map(|part| scope.spawn(move || run(part)))
                .collect();
            handles
                .into_iter()
                // A diagnosis that panicked (a bug) loses its routes, not the lint.
                .map(|h| h.join().unwrap_or_default())
                .collect()
        })
    };
    let mut merged = Merged::default();
    for c in parts.into_iter().flatten() {
        merged.add(c);
    }
    let mut out = merged.findings();
    out.extend(whole::check(api));
    out.sort_by(|a, b| {
        (a.severity, &a.route, a.code.as_str()).cmp(&(b.severity, &b.route, b.code.as_str()))
    });
    out
}

/// One diagnosis to run.
struct Job<'a> {
    stage: Option<&'a str>,
    resource: &'a Resource,
    method: &'a Method,
    origin: &'a str,
}

/// The offline diagnosis of one request: API Gateway's answers predicted from the
/// configuration (`backend` answers for the integrations; `None`: a correct backend is
/// assumed), then the seven steps.
pub fn diagnose_request(
    api: &Arc<Api>,
    stage: Option<&str>,
    path: &str,
    target: &Target,
    backend: Option<&RouteBackend>,
    mode: Mode,
) -> (Vec<Exchange>, Diagnosis) {
    // What the definition itself puts in front (its resource policy); a policy that is not
    // a document is left out here (`lint` and `check` say so).
    let front = Front::of_definition(api).unwrap_or_default();
    diagnose_offline(api, &front, stage, path, target, backend, mode, true)
}

/// [`diagnose_request`], with or without the fixes' snippets ([`diagnose::diagnose_with`]).
#[allow(clippy::too_many_arguments)]
fn diagnose_offline(
    api: &Arc<Api>,
    front: &Front,
    stage: Option<&str>,
    path: &str,
    target: &Target,
    backend: Option<&RouteBackend>,
    mode: Mode,
    snippets: bool,
) -> (Vec<Exchange>, Diagnosis) {
    let plan = crate::cors::plan(target);
    let requests = if crate::cors::refusal(target).is_some() {
        Vec::new()
    } else {
        plan_requests(target, &plan)
    };
    let located = Located {
        api: Arc::clone(api),
        stage: stage.map(str::to_string),
        path: path.to_string(),
        front: front.clone(),
    };
    let to_predict: Vec<PredictRequest<'_>> = requests
        .iter()
        .map(|r| PredictRequest {
            id: &r.id,
            kind: r.kind,
            request: &r.request,
        })
        .collect();
    let exchanges = behavior::predict(&located, backend, target, &to_predict);
    let mut evidence = Evidence {
        target: target.clone(),
        exchanges,
        config: ConfigEvidence::Loaded {
            source: ConfigSourceKind::Openapi,
            api: Arc::clone(api),
            stage: stage.map(str::to_string),
            path: path.to_string(),
            backend_known: backend.is_some(),
            gaps: Vec::new(),
            unresolved: None,
            front: front.clone(),
        },
        browser: None,
    };
    diagnose::classify::refine_attribution(&mut evidence);
    let diagnosis = diagnose::diagnose_with(&evidence, mode, snippets);
    (evidence.exchanges, diagnosis)
}

#[cfg(test)]
mod tests;
