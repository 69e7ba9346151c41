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

mod whole;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;
use url::Url;

use crate::cors::Mode;
use crate::diagnose::{self, Diagnosis, FindingCode, Remediation, Severity};
use crate::evidence::{ConfigEvidence, ConfigSourceKind, Evidence, Exchange, ExchangeKind};
use crate::gateway::behavior::{self, Located, PredictRequest, RouteBackend, ASSUMPTION_HEADER};
use crate::gateway::front::Front;
use crate::gateway::model::{
    Api, ApiKind, AuthorizationType, Element, Method, Resource, SourceRef, DEFAULT_ROUTE,
};
use crate::http::Headers;
use crate::probe::requests::plan_requests;
use crate::target::{CredentialsMode, Target};

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
        found.kept
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

/// The request a browser app makes to `method` of `resource` (`None` only when no URL can be
/// made for it).
pub fn synthesize(
    api: &Api,
    stage: Option<&str>,
    resource: &Resource,
    method: &Method,
    origin: &str,
) -> Option<Target> {
    let verb = match method.http_method.as_str() {
        // An ANY route answers every method: the one that needs the most (a preflight).
        "ANY" => "PUT".to_string(),
        v => v.to_string(),
    };
    let mut headers = Headers::new();
    let mut body = None;
    if matches!(verb.as_str(), "POST" | "PUT" | "PATCH") {
        headers.push("Content-Type", "application/json");
        body = Some("{}".to_string());
    }
    match method.authorization {
        AuthorizationType::None => {}
        AuthorizationType::AwsIam => {
            headers.push(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
            );
            headers.push("X-Amz-Date", "20260101T000000Z");
        }
        AuthorizationType::CognitoUserPools
        | AuthorizationType::Custom
        | AuthorizationType::Jwt => {
            let names = method
                .authorizer
                .as_deref()
                .and_then(|a| api.authorizer(a))
                .map(|a| a.identity_headers())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| vec!["Authorization".to_string()]);
            for name in names {
                let value = if name.eq_ignore_ascii_case("authorization") {
                    "Bearer sample-token".to_string()
                } else {
                    "sample".to_string()
                };
                headers.push(name, value);
            }
        }
    }
    if method.api_key_required {
        // A key of a usage plan of the stage when the configuration knows one (the model
        // accepts any key when it knows none). It stays in the prediction: lint reports no
        // exchanges.
        let key = api
            .api_keys
            .iter()
            .find(|k| {
                k.enabled
                    && (k.stages.is_empty()
                        || stage.is_some_and(|s| k.stages.iter().any(|n| n == s)))
            })
            .map_or("sample-api-key", |k| k.value.as_str());
        headers.push("x-api-key", key);
    }
    let credentials = if allows_credentials(api, resource) {
        CredentialsMode::Include
    } else {
        CredentialsMode::SameOrigin
    };
    let host = format!(
        "{}.execute-api.{}.amazonaws.com",
        api.id
            .as_deref()
            .filter(|id| is_host_label(id))
            .unwrap_or("api-id"),
        api.region
            .as_deref()
            .filter(|r| is_host_label(r))
            .unwrap_or("us-east-1")
    );
    let stage_prefix = match stage {
        Some(s) if s != crate::gateway::model::DEFAULT_STAGE && is_host_label(s) => format!("/{s}"),
        _ => String::new(),
    };
    let path = concrete_path(&resource.path);
    // The host is made of checked labels: only a path the URL parser refuses falls back.
    let url = Url::parse(&format!("https://{host}{stage_prefix}{path}"))
        .or_else(|_| Url::parse(&format!("https://{host}/")))
        .ok()?;
    Some(Target {
        url,
        origin: origin.to_string(),
        method: verb,
        headers,
        body,
        credentials,
    })
}

fn is_host_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A request path for a template path: `{id}` → `sample-id`, `{proxy+}` → `sample/proxy`,
/// `$default` → `/`.
pub fn concrete_path(template: &str) -> String {
    if template == DEFAULT_ROUTE {
        return "/".to_string();
    }
    let parts: Vec<String> = template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if name.ends_with('+') => "sample/proxy".to_string(),
                Some(name) => format!("sample-{name}"),
                None => seg.to_string(),
            },
        )
        .collect();
    let p = parts.join("/");
    if p.is_empty() {
        "/".to_string()
    } else {
        p
    }
}

/// Does the API declare credentialed CORS for this resource (an HTTP API's
/// `allow_credentials`, or a REST mapping of `Access-Control-Allow-Credentials: 'true'`)?
fn allows_credentials(api: &Api, resource: &Resource) -> bool {
    match api.kind {
        ApiKind::Http => api.cors.as_ref().and_then(|c| c.allow_credentials) == Some(true),
        ApiKind::Rest => resource.methods.iter().any(|m| {
            m.integration.as_ref().is_some_and(|i| {
                i.responses.iter().any(|r| {
                    r.mapped_header("Access-Control-Allow-Credentials")
                        .is_some_and(|v| v.trim_matches('\'').eq_ignore_ascii_case("true"))
                })
            })
        }),
    }
}

/// The origin to check with when none is given: the first concrete origin the API allows
/// (its cors_configuration, an Allow-Origin mapping), else [`PLACEHOLDER_ORIGIN`].
pub fn default_origin(api: &Api) -> String {
    let concrete = |o: &str| -> Option<String> {
        let o = o.trim().trim_matches('\'');
        (o.starts_with("http://") || o.starts_with("https://"))
            .then(|| o.trim_end_matches('/'))
            .filter(|o| !o.contains('*') && !o.contains(','))
            .map(str::to_string)
    };
    if let Some(o) = api
        .cors
        .as_ref()
        .and_then(|c| c.allow_origins.iter().find_map(|o| concrete(o)))
    {
        return o;
    }
    for r in &api.resources {
        for m in &r.methods {
            for ir in m.integration.iter().flat_map(|i| i.responses.iter()) {
                if let Some(o) = ir
                    .mapped_header("Access-Control-Allow-Origin")
                    .and_then(concrete)
                {
                    return o;
                }
            }
        }
    }
    PLACEHOLDER_ORIGIN.to_string()
}

/// `api` without resources (working copy and deployment snapshots), sources and unresolved
/// values ([`reduced`] puts back those a route can need).
fn skeleton(api: &Api) -> Api {
    let mut s = api.clone();
    s.resources = Vec::new();
    s.sources = Vec::new();
    s.unresolved = Vec::new();
    for d in &mut s.deployments {
        if let Some(snap) = &mut d.snapshot {
            snap.resources = Vec::new();
        }
    }
    s
}

/// The skeleton plus the resources (of the working copy and of each snapshot) whose template
/// matches `path`, and any `$default` route: all that routing a request to `path` can select.
fn reduced(skeleton: &Api, api: &Api, templates: &Templates, path: &str) -> Api {
    let path_segments = segments(path);
    let keep = |rs: &[Resource], split: &[Vec<&str>]| -> Vec<Resource> {
        rs.iter()
            .zip(split)
            .filter(|(r, t)| r.path == DEFAULT_ROUTE || template_matches(t, &path_segments))
            .map(|(r, _)| r.clone())
            .collect()
    };
    let mut out = skeleton.clone();
    out.resources = keep(&api.resources, &templates.working);
    for ((d, full), split) in out
        .deployments
        .iter_mut()
        .zip(&api.deployments)
        .zip(&templates.snapshots)
    {
        if let (Some(snap), Some(full)) = (d.snapshot.as_mut(), full.snapshot.as_ref()) {
            snap.resources = keep(&full.resources, split);
        }
    }
    // The unresolved values a diagnosis of `path` can name (`inspect::missing_values`): those
    // of a route among the kept resources, of an authorizer, or API-wide. The others (a route
    // elsewhere, or nothing a step needs) would be passed over for every route.
    let kept = |p: &str| {
        out.resources.iter().any(|r| r.path == p)
            || out
                .deployments
                .iter()
                .filter_map(|d| d.snapshot.as_ref())
                .any(|s| s.resources.iter().any(|r| r.path == p))
    };
    let unresolved: Vec<_> = api
        .unresolved
        .iter()
        .filter(|u| {
            u.needed
                .as_ref()
                .is_some_and(|n| n.route.as_ref().is_none_or(|(p, _)| kept(p)))
        })
        .cloned()
        .collect();
    out.unresolved = unresolved;
    out
}

/// The path templates of an API's resources split into segments once (the working copy's,
/// and each deployment snapshot's), for [`reduced`].
struct Templates<'a> {
    working: Vec<Vec<&'a str>>,
    snapshots: Vec<Vec<Vec<&'a str>>>,
}

impl<'a> Templates<'a> {
    fn new(api: &'a Api) -> Self {
        let split = |rs: &'a [Resource]| -> Vec<Vec<&'a str>> {
            rs.iter().map(|r| segments(&r.path)).collect()
        };
        Templates {
            working: split(&api.resources),
            snapshots: api
                .deployments
                .iter()
                .map(|d| {
                    d.snapshot
                        .as_ref()
                        .map(|s| split(&s.resources))
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

/// A path's non-empty segments (as routing splits them).
fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// [`behavior::match_template`]`(template, path).is_some()` on split paths, without building
/// the parameters: the last segment `{name+}` takes one or more segments, `{name}` any one,
/// a literal itself. (A `$default` template is never matched here; callers keep it apart.)
fn template_matches(template: &[&str], path: &[&str]) -> bool {
    for (i, seg) in template.iter().enumerate() {
        if seg.starts_with('{') && seg.ends_with("+}") && seg.len() >= 3 {
            return i == template.len() - 1 && path.len() > i;
        }
        let Some(actual) = path.get(i) else {
            return false;
        };
        let param = seg.starts_with('{') && seg.ends_with('}') && seg.len() >= 2;
        if !param && seg != actual {
            return false;
        }
    }
    template.len() == path.len()
}

/// Where each element is defined, looked up in O(log n) (a large plan records thousands).
struct SourceIndex<'a> {
    by_element: BTreeMap<&'a Element, &'a SourceRef>,
}

impl<'a> SourceIndex<'a> {
    fn new(api: &'a Api) -> Self {
        let mut by_element = BTreeMap::new();
        for l in &api.sources {
            by_element.entry(&l.element).or_insert(&l.source);
        }
        SourceIndex { by_element }
    }

    /// As [`Api::source_of`]: the element, else a method's resource, else the API.
    fn of(&self, element: &Element) -> Option<&'a SourceRef> {
        let find = |e: &Element| self.by_element.get(e).copied();
        find(element)
            .or_else(|| match element {
                Element::Method { path, .. } => find(&Element::Resource { path: path.clone() }),
                _ => None,
            })
            .or_else(|| find(&Element::Api))
    }

    fn has(&self, element: &Element) -> bool {
        self.by_element.contains_key(element)
    }
}

/// What one diagnosis was of.
struct At<'a> {
    api: &'a Api,
    sources: &'a SourceIndex<'a>,
    route: &'a Route,
    stage: Option<&'a str>,
    origin: &'a str,
}

/// Findings that are one: the code and, for a route's finding, the route and message (any
/// message for the proxy note); for an API-wide one, the stage.
#[derive(Clone, PartialEq, Eq, Hash)]
struct DedupeKey {
    code: FindingCode,
    route: Option<Route>,
    stage: Option<String>,
    message: String,
}

/// A finding of one route's diagnosis, before the routes' findings are merged.
struct Candidate {
    key: DedupeKey,
    /// Reported once per API (see [`api_wide`]).
    wide: bool,
    finding: LintFinding,
    /// The API the diagnosis ran on (what the fix's snippets name).
    diagnosed: Arc<Api>,
}

/// The reported findings of one diagnosis (run on `diagnosed`), appended to `out`.
fn candidates(
    at: &At<'_>,
    exchanges: &[Exchange],
    diagnosis: Diagnosis,
    diagnosed: &Arc<Api>,
    out: &mut Merged,
) {
    let (api, route, stage, origin) = (at.api, at.route, at.stage, at.origin);
    let assumed = |id: &String| {
        exchanges.iter().any(|x| {
            &x.id == id
                && x.response
                    .as_ref()
                    .is_some_and(|r| r.headers.contains(ASSUMPTION_HEADER))
        })
    };
    for step in diagnosis.steps {
        for f in step.findings {
            if !reported(f.code) {
                continue;
            }
            // The note every route of an HTTP API with a cors_configuration gets in `check`
            // (API Gateway answers preflights itself and ignores the backend's CORS headers:
            // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html)
            // explains an answer `check` has seen. Here no backend is known, so nothing says
            // the backend sends CORS headers at all: not a trap. The error form (the
            // configuration does not allow the origin) stays.
            if f.code == FindingCode::BackendHeadersIgnored && f.severity == Severity::Info {
                continue;
            }
            let proxy = matches!(
                f.code,
                FindingCode::ActualCorsHeaders | FindingCode::PreflightCorsHeaders
            ) && f.severity == Severity::Warning
                && f.evidence.iter().any(assumed);
            let (code, severity, message) = if proxy {
                let preflight = f.code == FindingCode::PreflightCorsHeaders
                    && exchanges
                        .iter()
                        .any(|x| x.kind == ExchangeKind::Preflight && f.evidence.contains(&x.id));
                (
                    FindingCode::ProxyBackendCors,
                    Severity::Info,
                    format!(
                        "{} {} goes to a proxy integration: its backend must answer {} with Access-Control-Allow-Origin for the app's origin on every response, errors included; cors-doctor cannot check the backend offline.",
                        route.method,
                        route.path,
                        if preflight { "the preflight (OPTIONS)" } else { "the request" }
                    ),
                )
            } else {
                (f.code, f.severity, f.message)
            };
            // An HTTP API's cors_configuration is one setting for every route.
            let wide = api_wide(code)
                || (code == FindingCode::CorsSecurityRisk
                    && api.kind == ApiKind::Http
                    && api.cors.is_some());
            let key = DedupeKey {
                code,
                route: (!wide).then(|| route.clone()),
                stage: wide.then(|| stage.map(str::to_string)).flatten(),
                message: if wide || code == FindingCode::ProxyBackendCors {
                    String::new()
                } else {
                    message.clone()
                },
            };
            out.add(Candidate {
                key,
                wide,
                finding: LintFinding {
                    code,
                    severity,
                    step: step.number,
                    message,
                    route: (!wide).then(|| route.clone()),
                    stage: stage.map(str::to_string),
                    origin: Some(origin.to_string()),
                    routes_affected: wide.then_some(1),
                    source: source_for(api, at.sources, code, route, wide),
                    remediation: if proxy { None } else { f.remediation },
                },
                diagnosed: Arc::clone(diagnosed),
            });
        }
    }
}

/// Findings merged in order, each once (the first); an API-wide one counts the routes that
/// meet it. Merged on each thread (the repeats freed where they were made), then across them.
#[derive(Default)]
struct Merged {
    seen: HashMap<DedupeKey, usize>,
    kept: Vec<Candidate>,
}

impl Merged {
    fn add(&mut self, c: Candidate) {
        if let Some(&i) = self.seen.get(&c.key) {
            if c.wide {
                if let Some(x) = self.kept.get_mut(i) {
                    let met = c.finding.routes_affected.unwrap_or(1);
                    x.finding.routes_affected = Some(x.finding.routes_affected.unwrap_or(1) + met);
                }
            }
            return;
        }
        self.seen.insert(c.key.clone(), self.kept.len());
        self.kept.push(c);
    }

    /// The findings kept, their fixes with snippets, rendered as [`diagnose::diagnose`]
    /// renders them (the diagnoses of [`check`] leave them out: most of their findings are
    /// repeats).
    fn findings(self) -> Vec<LintFinding> {
        self.kept
            .into_iter()
            .map(|c| {
                let mut finding = c.finding;
                if let Some(r) = &mut finding.remediation {
                    if let Some(set) = &r.change_set {
                        r.snippets = Some(diagnose::remedy::snippets::Snippets::render(
                            set,
                            Some(&c.diagnosed),
                            &r.commands,
                        ));
                    }
                }
                finding
            })
            .collect()
    }
}

/// Where to point a finding: the element it concerns.
fn source_for(
    api: &Api,
    sources: &SourceIndex<'_>,
    code: FindingCode,
    route: &Route,
    wide: bool,
) -> Option<SourceRef> {
    use FindingCode as C;
    let options = Element::Method {
        path: route.path.clone(),
        verb: "OPTIONS".to_string(),
    };
    let method = Element::Method {
        path: route.path.clone(),
        verb: route.method.clone(),
    };
    let element = match code {
        C::GatewayResponseNoCors | C::GatewayResponsesUnconfigured => {
            let typed = api.gateway_responses.iter().find_map(|g| {
                let e = Element::GatewayResponse {
                    response_type: g.response_type.clone(),
                };
                sources.has(&e).then_some(e)
            });
            typed.unwrap_or(Element::Api)
        }
        _ if wide => Element::Api,
        // The resource policy and the endpoint type are the API's own settings.
        C::ResourcePolicyDenied | C::PrivateApiOutsideVpc => Element::Api,
        C::OptionsAuthorized
        | C::OptionsApiKeyRequired
        | C::PreflightCorsHeaders
        | C::PreflightBadStatus
        | C::OptionsNotDeployed
            if api.kind == ApiKind::Rest
                && api
                    .resource(&route.path)
                    .is_some_and(|r| r.method("OPTIONS").is_some()) =>
        {
            options
        }
        C::OptionsMissing => Element::Resource {
            path: route.path.clone(),
        },
        C::CorsSecurityRisk | C::PreflightCorsHeaders | C::ActualCorsHeaders
            if api.kind == ApiKind::Http && api.cors.is_some() =>
        {
            Element::Cors
        }
        _ => method,
    };
    sources.of(&element).cloned()
}

#[cfg(test)]
mod tests;
