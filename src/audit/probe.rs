//! `audit --probe`: each route's preflight, sent to each stage's invoke URL, compared with
//! what the configuration predicts.
//!
//! For every stage and every route the stage serves, the request a browser app makes is
//! synthesized as the rules do ([`rules::synthesize`]), [`cors::plan`] says whether the browser
//! sends a preflight and with which `Access-Control-Request-Method`/`-Headers`, and
//! [`probe::requests::plan_requests`] builds that preflight (the same pure planning the
//! rules' predictions use). It is answered twice: by the configuration
//! ([`behavior::predict`], a correct backend assumed behind proxy integrations, as the rules
//! assume) and by the stage itself, through the probe client ([`crate::probe::send`]). Both
//! answers go through the browser's preflight check ([`cors::check_preflight`]); a route
//! whose live verdict differs from the predicted one (passes where a failure is predicted,
//! or fails, or fails differently) is a `LIVE_PREFLIGHT_MISMATCH` finding with both answers as
//! evidence. Stages whose preflights get no HTTP answer at all (a private API, DNS, a
//! firewall) are one finding per stage.
//!
//! Nothing but `OPTIONS` is ever sent: a route whose browser request needs no preflight (a
//! simple `GET`) is not probed (its actual request is not safe to send), and [`send_checked`]
//! refuses any other method before it reaches the network.
//!
//! Invoke URLs: `https://{api_id}.execute-api.{region}.amazonaws.com/{stage}`
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html>: an
//! HTTP API's `$default` stage is served at the base URL, without a stage segment).
//! `--invoke-url-template` replaces it (an emulator, a custom domain, the simulator in
//! tests); with a loopback `--endpoint-url` (an emulator) a template is required, since the
//! emulator's API ids have no execute-api host and probing them would reach the internet.
//! moto (5.2.5, server mode) does serve stages at `/restapis/{id}/{stage}/_user_request_/…`,
//! but answers an `OPTIONS` there with 403 and its own server's CORS headers (all methods,
//! the request's origin), not with the MOCK integration's mappings: it is no stage to
//! compare with, so the tests point the probes at the simulator (`cors-doctor serve`).
//!
//! Choices the documentation leaves open:
//! - One origin per route: the first `--origin` (else the API's own allowed origin, as the
//!   rules choose); the other origins are checked by the rules.
//! - Two answers agree when the browser's preflight check has the same outcome (pass, or the
//!   same failure kind at the same status); a different status or header that does not
//!   change the browser's verdict is not a finding.
//! - Severity: error when the configuration predicts a passing preflight and the stage's
//!   fails (the browser will block what the configuration promises); warning when the stage
//!   passes a preflight the configuration predicts fails (something in front answers
//!   preflights, or the configuration read is incomplete: the route's configuration findings
//!   may not be what browsers get), when both fail differently, and when no answer came.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use super::AuditFinding;
use crate::cors::{self, Mode, PreflightPlan};
use crate::diagnose::{FindingCode, Severity};
use crate::evidence::{Exchange, ExchangeKind, RecordedResponse};
use crate::gateway::behavior::{self, Located, PredictRequest, ASSUMPTION_HEADER};
use crate::gateway::model::{Api, DEFAULT_STAGE};
use crate::probe::requests::{plan_requests, PlannedRequest};
use crate::probe::{ProbeOptions, Prober};
use crate::rules;
use crate::target::Target;

/// Real API Gateway's invoke URL of a stage.
pub const DEFAULT_INVOKE_URL: &str = "https://{api_id}.execute-api.{region}.amazonaws.com/{stage}";

/// Preflights in flight at once over the whole audit when not configured.
pub const DEFAULT_PROBE_CONCURRENCY: usize = 8;

/// The headers of an answer kept as evidence: what decides CORS and what says who answered
/// (API Gateway, CloudFront, a WAF). Nothing else is kept (no cookies, no bodies).
const KEPT_HEADERS: &[&str] = &[
    "access-control-allow-origin",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-allow-credentials",
    "access-control-max-age",
    "vary",
    "location",
    "x-amzn-errortype",
    "x-amz-apigw-id",
    "x-amzn-requestid",
    "apigw-requestid",
    "x-cache",
    "via",
    "x-amz-cf-id",
    "server",
];

/// How `--probe` sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeSettings {
    /// The invoke URL with `{api_id}`, `{region}` and `{stage}` placeholders.
    pub invoke_url_template: String,
    /// Each preflight's deadline, from connecting to the last byte (`--timeout`).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Preflights in flight at once over the whole audit.
    pub concurrency: usize,
}

impl ProbeSettings {
    /// Settings for `--probe`, the template checked (`template`: `--invoke-url-template`;
    /// `endpoint_url`: the control plane's `--endpoint-url`). The error is a usage message.
    pub fn new(
        template: Option<&str>,
        endpoint_url: Option<&str>,
        timeout: Duration,
    ) -> Result<ProbeSettings, String> {
        let template = match template {
            Some(t) => t.trim().trim_end_matches('/').to_string(),
            None if endpoint_url.is_some_and(is_loopback_url) => {
                return Err(format!(
                    "--probe with a local --endpoint-url ({}) needs --invoke-url-template URL: the emulator's API ids have no execute-api host, so the probes would go to the internet. Point it at what serves the stages, e.g. --invoke-url-template 'http://127.0.0.1:8080/{{stage}}'.",
                    endpoint_url.unwrap_or_default()
                ))
            }
            None => DEFAULT_INVOKE_URL.to_string(),
        };
        check_template(&template)?;
        Ok(ProbeSettings {
            invoke_url_template: template,
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(5)),
            concurrency: DEFAULT_PROBE_CONCURRENCY,
        })
    }
}

fn is_loopback_url(u: &str) -> bool {
    url::Url::parse(u).is_ok_and(|u| crate::target::is_loopback_host(u.host()))
}

/// The template must make an http(s) URL without query or fragment for any id and stage.
fn check_template(template: &str) -> Result<(), String> {
    let unknown = template
        .replace("{api_id}", "")
        .replace("{region}", "")
        .replace("{stage}", "");
    if unknown.contains('{') || unknown.contains('}') {
        return Err(format!(
            "--invoke-url-template '{template}' has a placeholder cors-doctor does not know: only {{api_id}}, {{region}} and {{stage}} are replaced"
        ));
    }
    let sample = fill(template, "a1b2c3d4e5", "us-east-1", Some("prod"));
    match url::Url::parse(&sample) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host().is_some()
                && u.query().is_none()
                && u.fragment().is_none() =>
        {
            Ok(())
        }
        _ => Err(format!(
            "--invoke-url-template '{template}' is not an http(s) URL without query: write e.g. 'https://{{api_id}}.execute-api.{{region}}.amazonaws.com/{{stage}}'"
        )),
    }
}

/// The template filled in; an HTTP API's `$default` stage has no stage segment.
pub(super) fn fill(template: &str, api_id: &str, region: &str, stage: Option<&str>) -> String {
    let enc = |s: &str| -> String {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    let mut t = template.to_string();
    match stage {
        Some(s) if s != DEFAULT_STAGE => t = t.replace("{stage}", &enc(s)),
        _ => {
            t = t.replace("/{stage}", "").replace("{stage}", "");
        }
    }
    t.replace("{api_id}", &enc(api_id))
        .replace("{region}", &enc(region))
        .trim_end_matches('/')
        .to_string()
}

/// The prober and the counters shared by every API of an audit.
#[derive(Clone, Debug)]
pub(super) struct Probing {
    prober: Prober,
    settings: ProbeSettings,
    slots: Arc<tokio::sync::Semaphore>,
    sent: Arc<AtomicU64>,
}

impl Probing {
    pub(super) fn new(settings: &ProbeSettings) -> Result<Probing, String> {
        // Stages on loopback (an emulator, the simulator) are never reached through a proxy.
        let local = is_loopback_url(&fill(
            &settings.invoke_url_template,
            "a1b2c3d4e5",
            "us-east-1",
            Some("prod"),
        ));
        let prober = Prober::new(ProbeOptions {
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            use_env_proxy: !local,
            ..ProbeOptions::default()
        })
        .map_err(|e| e.to_string())?;
        Ok(Probing {
            prober,
            settings: settings.clone(),
            slots: Arc::new(tokio::sync::Semaphore::new(settings.concurrency.max(1))),
            sent: Arc::default(),
        })
    }

    #[cfg(test)]
    pub(super) fn prober(&self) -> &Prober {
        &self.prober
    }

    /// True when the probes go to real API Gateway's invoke URLs (no template given).
    pub(super) fn default_invoke_url(&self) -> bool {
        self.settings.invoke_url_template == DEFAULT_INVOKE_URL
    }

    /// Preflights sent so far.
    pub(super) fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

/// What one API's probes gave.
#[derive(Debug, Default)]
pub(super) struct ApiProbes {
    pub findings: Vec<AuditFinding>,
    /// Preflights sent.
    pub sent: usize,
    /// Routes not probed: the browser sends them without a preflight.
    pub no_preflight: usize,
}

/// The probe summary of a report (`probes` in the JSON; absent without `--probe`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProbeSummary {
    /// The invoke URL template used.
    pub invoke_url: String,
    /// Preflights sent (`OPTIONS` only).
    pub sent: u64,
    /// Routes whose live preflight differs from the configuration's prediction.
    pub mismatched: u64,
    /// Preflights that got no HTTP answer.
    pub unanswered: u64,
    /// Routes not probed because the browser sends no preflight for them.
    pub no_preflight: u64,
}

/// One side of the comparison: an HTTP answer (the kept headers) or why there was none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProbeAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The browser's preflight check of this answer: `pass` or the failure.
    pub verdict: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The exchange behind a `LIVE_PREFLIGHT_MISMATCH` (`probe` of a finding in the JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProbeEvidence {
    /// Always `OPTIONS`.
    pub method: String,
    pub url: String,
    /// The preflight's headers as sent (Origin, Access-Control-Request-*).
    pub request_headers: Vec<(String, String)>,
    /// What the stage answered.
    pub live: ProbeAnswer,
    /// What the configuration predicts.
    pub predicted: ProbeAnswer,
    /// The prediction assumes a backend that answers CORS correctly (a proxy integration).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assumed_backend: bool,
    pub elapsed_ms: u64,
}

/// One preflight to send, and what the configuration says it gets.
#[derive(Clone, Debug)]
pub(super) struct Planned {
    pub stage: String,
    pub route: rules::Route,
    pub origin: String,
    target: Target,
    plan: PreflightPlan,
    /// The preflight, addressed to the invoke URL.
    pub request: PlannedRequest,
    predicted: Option<RecordedResponse>,
    assumed: bool,
}

/// The preflights of every route of every stage of `api` (`None` when the API has no
/// stage), and how many routes need none.
pub(super) fn plan(
    api: &Arc<Api>,
    origin: &str,
    template: &str,
    region: &str,
) -> (Vec<Planned>, usize) {
    let mut out = Vec::new();
    let mut no_preflight = 0;
    let id = api.id.clone().unwrap_or_default();
    for stage in &api.stages {
        let base = fill(template, &id, region, Some(&stage.name));
        let served = api.served(Some(&stage.name));
        for resource in served.resources {
            for method in &resource.methods {
                if method.http_method == "OPTIONS" {
                    continue;
                }
                let Some(target) =
                    rules::synthesize(api, Some(&stage.name), resource, method, origin)
                else {
                    continue;
                };
                if cors::refusal(&target).is_some() {
                    continue;
                }
                let plan = cors::plan(&target);
                if !plan.required {
                    no_preflight += 1;
                    continue;
                }
                let Some(preflight) = plan_requests(&target, &plan)
                    .into_iter()
                    .find(|r| r.kind == ExchangeKind::Preflight)
                else {
                    continue;
                };
                let path = rules::concrete_path(&resource.path);
                let located = Located {
                    api: Arc::clone(api),
                    stage: Some(stage.name.clone()),
                    path: path.clone(),
                    // The configuration alone: what stands in front is what a probe finds.
                    front: Default::default(),
                };
                let predicted = behavior::predict(
                    &located,
                    None,
                    &target,
                    &[PredictRequest {
                        id: &preflight.id,
                        kind: preflight.kind,
                        request: &preflight.request,
                    }],
                )
                .into_iter()
                .next()
                .and_then(|x| x.response);
                let assumed = predicted
                    .as_ref()
                    .is_some_and(|r| r.headers.contains(ASSUMPTION_HEADER));
                let mut request = preflight;
                request.request.url = format!("{base}{path}");
                out.push(Planned {
                    stage: stage.name.clone(),
                    route: rules::Route {
                        path: resource.path.clone(),
                        method: method.http_method.clone(),
                    },
                    origin: origin.to_string(),
                    target,
                    plan,
                    request,
                    predicted,
                    assumed,
                });
            }
        }
    }
    (out, no_preflight)
}

/// Sends a planned request only if it is a preflight (`OPTIONS`); anything else is refused
/// here, before the network.
pub(super) async fn send_checked(prober: &Prober, planned: &PlannedRequest) -> Exchange {
    if !planned.request.method.eq_ignore_ascii_case("OPTIONS") {
        return Exchange {
            id: planned.id.clone(),
            kind: planned.kind,
            request: planned.request.clone(),
            response: None,
            error: Some(crate::evidence::TransportError {
                kind: crate::evidence::FailureKind::Other,
                message: format!(
                    "refused to send {}: audit --probe only sends preflights (OPTIONS)",
                    planned.request.method
                ),
            }),
            answered_by: Default::default(),
            gateway_error_type: None,
            elapsed_ms: 0,
            predicted: false,
        };
    }
    crate::probe::send(prober, planned).await
}

/// The browser's preflight check of an answer: `Ok(())` passes; `Err(text)` says why not.
fn check(p: &Planned, response: &RecordedResponse, mode: Mode) -> Result<(), String> {
    cors::check_preflight(&p.target, &p.plan, response, mode)
        .map(|_| ())
        .map_err(|e| format!("{} ({})", e.name(), e.console_tail()))
}

/// Request ids a prediction makes up: not evidence.
const MADE_UP: &[&str] = &["x-amzn-requestid", "x-amz-apigw-id", "apigw-requestid"];

fn kept(response: &RecordedResponse, predicted: bool) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .filter(|(n, _)| KEPT_HEADERS.iter().any(|k| n.eq_ignore_ascii_case(k)))
        .filter(|(n, _)| !predicted || !MADE_UP.iter().any(|k| n.eq_ignore_ascii_case(k)))
        .map(|(n, v)| (n.to_string(), crate::text::shorten(v, 300)))
        .collect()
}

fn answer(
    p: &Planned,
    response: Option<&RecordedResponse>,
    error: Option<&str>,
    predicted: bool,
    mode: Mode,
) -> (ProbeAnswer, Option<Result<(), String>>) {
    match response {
        Some(r) => {
            let verdict = check(p, r, mode);
            (
                ProbeAnswer {
                    status: Some(r.status),
                    headers: kept(r, predicted),
                    verdict: match &verdict {
                        Ok(()) => "pass".to_string(),
                        Err(e) => e.clone(),
                    },
                    error: None,
                },
                Some(verdict),
            )
        }
        None => (
            ProbeAnswer {
                verdict: "no answer".to_string(),
                error: Some(error.unwrap_or("no answer").to_string()),
                ..ProbeAnswer::default()
            },
            None,
        ),
    }
}

/// What a live exchange says next to the prediction.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Comparison {
    Agree,
    /// No HTTP answer (transport error).
    Unanswered(ProbeEvidence),
    Differs {
        severity: Severity,
        message: String,
        evidence: ProbeEvidence,
    },
}

/// Compares the stage's answer with the configuration's (pure).
pub(super) fn compare(p: &Planned, live: &Exchange, mode: Mode) -> Comparison {
    let (live_answer, live_verdict) = answer(
        p,
        live.response.as_ref(),
        live.error.as_ref().map(|e| e.message.as_str()),
        false,
        mode,
    );
    let (predicted_answer, predicted_verdict) = answer(
        p,
        p.predicted.as_ref(),
        Some("the configuration predicts no answer"),
        true,
        mode,
    );
    let evidence = ProbeEvidence {
        method: live.request.method.clone(),
        url: crate::redact::url(&live.request.url),
        request_headers: live
            .request
            .headers
            .iter()
            .filter(|(n, _)| {
                n.eq_ignore_ascii_case("origin")
                    || n.to_ascii_lowercase()
                        .starts_with("access-control-request-")
            })
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        live: live_answer,
        predicted: predicted_answer,
        assumed_backend: p.assumed,
        elapsed_ms: live.elapsed_ms,
    };
    let Some(live_verdict) = live_verdict else {
        return Comparison::Unanswered(evidence);
    };
    let live_status = live.status().unwrap_or_default();
    let predicted_status = p.predicted.as_ref().map(|r| r.status);
    let route = format!("{} {}", p.route.method, p.route.path);
    let at = format!("OPTIONS {} answered {live_status}", evidence.url,);
    let who = who_answered(live.response.as_ref());
    let (severity, message) = match (&predicted_verdict, &live_verdict) {
        (Some(Ok(())), Ok(())) => return Comparison::Agree,
        (Some(Err(a)), Err(b)) if a == b && predicted_status == Some(live_status) => {
            return Comparison::Agree
        }
        (Some(Ok(())), Err(e)) => (
            Severity::Error,
            format!(
                "The configuration of stage '{}' predicts that the preflight of {route} passes, but the stage itself fails it: {at}{who}, {e}. Browsers are blocked although the configuration looks right: {}{}",
                p.stage,
                likely_cause(live.response.as_ref()),
                assumption(p)
            ),
        ),
        (Some(Err(e)), Ok(())) => (
            Severity::Warning,
            format!(
                "The configuration of stage '{}' predicts that the preflight of {route} fails ({e}), but the stage passes it: {at}{who}. Something in front (CloudFront, a WAF, a proxy) may answer preflights, or the configuration read is incomplete: this route's configuration findings may not be what browsers get.",
                p.stage
            ),
        ),
        (_, live_v) => (
            Severity::Warning,
            format!(
                "The preflight of {route} on stage '{}' is not answered as the configuration predicts: predicted {}, {}; live {at}{who}, {}.",
                p.stage,
                predicted_status.map_or("no answer".to_string(), |s| s.to_string()),
                match &predicted_verdict {
                    Some(Ok(())) => "passes".to_string(),
                    Some(Err(e)) => format!("fails: {e}"),
                    None => "nothing to check".to_string(),
                },
                match live_v {
                    Ok(()) => "passes".to_string(),
                    Err(e) => format!("fails: {e}"),
                }
            ),
        ),
    };
    Comparison::Differs {
        severity,
        message,
        evidence,
    }
}

/// What a failing live preflight most likely means, from who answered.
fn likely_cause(r: Option<&RecordedResponse>) -> &'static str {
    let error_type = r
        .and_then(|r| r.headers.get("x-amzn-errortype"))
        .unwrap_or_default();
    let cloudfront = r.is_some_and(|r| {
        r.headers.contains("x-amz-cf-id")
            || r.headers
                .get("via")
                .is_some_and(|v| v.to_ascii_lowercase().contains("cloudfront"))
    });
    if error_type.starts_with("MissingAuthenticationToken") {
        // API Gateway's answer to a method the deployment does not have
        // (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
        "the deployment the stage serves has no OPTIONS method for this path, so API Gateway answers 403 Missing Authentication Token: the configuration has it, so the stage serves an older deployment (create a deployment of the stage)."
    } else if cloudfront {
        "CloudFront answers in front of the stage (its allowed methods, cache key or an error page): check the distribution's behaviour for this path."
    } else {
        "OPTIONS not deployed to the stage (redeploy it), a stale deployment, or something in front (CloudFront, a WAF, a proxy) answering instead."
    }
}

fn assumption(p: &Planned) -> &'static str {
    if p.assumed {
        " (The route's OPTIONS goes to a proxy integration: its backend answers the preflight and does not send what the browser needs.)"
    } else {
        ""
    }
}

/// ` (x-amzn-ErrorType: …)`, ` (via CloudFront)`: who answered, as far as the headers say.
fn who_answered(r: Option<&RecordedResponse>) -> String {
    let Some(r) = r else { return String::new() };
    let mut parts = Vec::new();
    if let Some(t) = r.headers.get("x-amzn-errortype") {
        parts.push(format!("x-amzn-ErrorType: {}", crate::text::shorten(t, 80)));
    }
    if r.headers.contains("x-amz-cf-id")
        || r.headers
            .get("via")
            .is_some_and(|v| v.to_ascii_lowercase().contains("cloudfront"))
    {
        parts.push("via CloudFront".to_string());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// Probes every route of `api` (already read and checked) and returns the findings.
pub(super) async fn probe_api(
    probing: &Probing,
    api: Arc<Api>,
    origin: &str,
    region: &str,
    mode: Mode,
    finding: impl Fn(FindingCode, Severity, String) -> AuditFinding,
) -> ApiProbes {
    let (planned, no_preflight) = plan(&api, origin, &probing.settings.invoke_url_template, region);
    // The futures are made first, then run at most `concurrency` at a time (in order): a
    // stream mapping a closure to borrowing futures would not be `Send` for every lifetime,
    // which the TUI's spawned audit needs.
    let sends: Vec<_> = planned
        .iter()
        .map(|p| async move {
            // A closed semaphore cannot happen (it is never closed); send anyway.
            let _slot = probing.slots.acquire().await.ok();
            probing.sent.fetch_add(1, Ordering::Relaxed);
            send_checked(&probing.prober, &p.request).await
        })
        .collect();
    let exchanges: Vec<Exchange> = stream::iter(sends)
        .buffered(probing.settings.concurrency.max(1))
        .collect()
        .await;
    let mut out = ApiProbes {
        sent: planned.len(),
        no_preflight,
        ..ApiProbes::default()
    };
    // Unanswered preflights: one finding per stage.
    let mut unanswered: BTreeMap<String, (usize, ProbeEvidence, String)> = BTreeMap::new();
    for (p, x) in planned.iter().zip(&exchanges) {
        match compare(p, x, mode) {
            Comparison::Agree => {}
            Comparison::Unanswered(evidence) => {
                let e =
                    unanswered
                        .entry(p.stage.clone())
                        .or_insert((0, evidence, p.origin.clone()));
                e.0 += 1;
            }
            Comparison::Differs {
                severity,
                message,
                evidence,
            } => {
                let mut f = finding(FindingCode::LivePreflightMismatch, severity, message);
                f.stage = Some(p.stage.clone());
                f.path = Some(p.route.path.clone());
                f.method = Some(p.route.method.clone());
                f.origin = Some(p.origin.clone());
                f.probe = Some(evidence);
                out.findings.push(f);
            }
        }
    }
    for (stage, (n, evidence, origin)) in unanswered {
        let mut f = finding(
            FindingCode::LivePreflightMismatch,
            Severity::Warning,
            format!(
                "{} of stage '{stage}' got no answer ({}): the stage could not be confirmed. A private API, a disabled execute-api endpoint or a firewall can cause this; --invoke-url-template points the probes elsewhere.",
                if n == 1 { "The preflight".to_string() } else { format!("{n} preflights") },
                evidence.live.error.as_deref().unwrap_or("no answer")
            ),
        );
        f.stage = Some(stage);
        f.origin = Some(origin);
        f.routes_affected = Some(n);
        f.probe = Some(evidence);
        out.findings.push(f);
    }
    out
}
