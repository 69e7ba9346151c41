//! Whole-API rules: every route and method of an [`Api`] checked for latent CORS traps
//! without sending anything. `lint` (files) calls [`check`]; an account audit calls the same
//! function on configuration read through the SDK.
//!
//! The rules are the diagnosis itself, not a second copy of it: for each method the request a
//! browser app would make is synthesized ([`synthesize`]: the method; `Content-Type:
//! application/json` and a body for POST/PUT/PATCH; the identity headers of its authorizer,
//! an IAM signature or an API key when the method needs them; `credentials: 'include'` when
//! the API allows credentials), API Gateway's answers are predicted from the configuration
//! ([`gateway::behavior::predict`], as `check --openapi` does offline) and the seven steps
//! are run ([`diagnose::diagnose`]). The configuration findings of each run are collected per
//! route; API-wide ones (a gateway response without CORS headers) are reported once per API.
//! A few facts only a whole API shows are checked directly ([`whole`]): changes the stage
//! does not serve, a Terraform deployment without `triggers`, origins `null` or wildcards
//! with credentials.
//!
//! Offline a proxy integration's backend is unknowable: the prediction assumes a correct
//! one, and each such route is reported once as `PROXY_BACKEND_CORS` (info: the backend must
//! send the CORS headers itself).

mod whole;

use std::sync::Arc;

use serde::Serialize;
use url::Url;

use crate::cors::Mode;
use crate::diagnose::{self, Diagnosis, FindingCode, Remediation, Severity};
use crate::evidence::{ConfigEvidence, ConfigSourceKind, Evidence, Exchange, ExchangeKind};
use crate::gateway::behavior::{self, Located, PredictRequest, RouteBackend, ASSUMPTION_HEADER};
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
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
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
pub fn check(api: &Api, options: &Options) -> Vec<LintFinding> {
    let shared = Arc::new(api.clone());
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
    let mut out: Vec<LintFinding> = Vec::new();
    for stage in &stages {
        let served = api.served(stage.as_deref());
        for resource in served.resources {
            for method in &resource.methods {
                if method.http_method == "OPTIONS" {
                    continue;
                }
                let route = Route {
                    path: resource.path.clone(),
                    method: method.http_method.clone(),
                };
                for origin in &origins {
                    let Some(target) = synthesize(api, stage.as_deref(), resource, method, origin)
                    else {
                        continue;
                    };
                    let (exchanges, diagnosis) = diagnose_request(
                        &shared,
                        stage.as_deref(),
                        &concrete_path(&resource.path),
                        &target,
                        None,
                        options.mode,
                    );
                    collect(
                        api,
                        &route,
                        stage.as_deref(),
                        origin,
                        &exchanges,
                        &diagnosis,
                        &mut out,
                    );
                }
            }
        }
    }
    out.extend(whole::check(api));
    out.sort_by(|a, b| {
        (a.severity, &a.route, a.code.as_str()).cmp(&(b.severity, &b.route, b.code.as_str()))
    });
    out
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
        },
        browser: None,
    };
    diagnose::classify::refine_attribution(&mut evidence);
    let diagnosis = diagnose::diagnose(&evidence, mode);
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

/// The findings of one diagnosis, merged into `out` (per route, API-wide ones once).
fn collect(
    api: &Api,
    route: &Route,
    stage: Option<&str>,
    origin: &str,
    exchanges: &[Exchange],
    diagnosis: &Diagnosis,
    out: &mut Vec<LintFinding>,
) {
    let assumed = |id: &String| {
        exchanges.iter().any(|x| {
            &x.id == id
                && x.response
                    .as_ref()
                    .is_some_and(|r| r.headers.contains(ASSUMPTION_HEADER))
        })
    };
    for step in &diagnosis.steps {
        for f in &step.findings {
            if !reported(f.code) {
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
                (f.code, f.severity, f.message.clone())
            };
            // An HTTP API's cors_configuration is one setting for every route.
            let wide = api_wide(code)
                || (code == FindingCode::CorsSecurityRisk
                    && api.kind == ApiKind::Http
                    && api.cors.is_some());
            let existing = out.iter_mut().find(|x| {
                x.code == code
                    && if wide {
                        x.route.is_none() && x.stage.as_deref() == stage
                    } else {
                        x.route.as_ref() == Some(route)
                            && (code == FindingCode::ProxyBackendCors || x.message == message)
                    }
            });
            if let Some(x) = existing {
                if wide {
                    x.routes_affected = Some(x.routes_affected.unwrap_or(1) + 1);
                }
                continue;
            }
            let source = source_for(api, code, route, wide);
            out.push(LintFinding {
                code,
                severity,
                step: step.number,
                message,
                route: (!wide).then(|| route.clone()),
                stage: stage.map(str::to_string),
                origin: Some(origin.to_string()),
                routes_affected: wide.then_some(1),
                source,
                remediation: if proxy { None } else { f.remediation.clone() },
            });
        }
    }
}

/// Where to point a finding: the element it concerns.
fn source_for(api: &Api, code: FindingCode, route: &Route, wide: bool) -> Option<SourceRef> {
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
                api.sources.iter().any(|l| l.element == e).then_some(e)
            });
            typed.unwrap_or(Element::Api)
        }
        _ if wide => Element::Api,
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
    api.source_of(&element).cloned()
}

#[cfg(test)]
mod tests;
