//! Orchestration: gathers the evidence for a plan concurrently (probes and configuration),
//! emits progress events, and produces the report. Both front ends drive this one runner.
//! Cancel a run by dropping (or aborting the task of) its future.

use std::sync::Arc;

use futures_util::future::join_all;
use tokio::sync::mpsc::UnboundedSender;

use crate::aws::{ConfigRequest, ConfigSource};
use crate::cors::{self, PreflightPlan};
use crate::diagnose;
use crate::evidence::{ConfigEvidence, Evidence, Exchange, ExchangeKind};
use crate::gateway::behavior::{self, Located, PredictRequest};
use crate::gateway::Api;
use crate::plan::Plan;
use crate::probe::requests::{plan_requests, PlannedRequest};
use crate::probe::{self, ProbeOptions, Prober};
use crate::redact::Secrets;
use crate::report::Report;
use crate::target::{ApiRef, Target};

/// Progress of one run, in order: `Planned`, then `ExchangeDone`/`ConfigLoaded`/`ConfigDone`
/// as they come (`ConfigLoaded` just before its `ConfigDone`), `BrowserStarted` when the
/// Chromium retest begins, then `Finished`.
#[derive(Clone, Debug)]
pub enum RunEvent {
    Planned {
        plan: PreflightPlan,
        requests: Vec<PlannedRequest>,
    },
    ExchangeDone(Box<Exchange>),
    /// The configuration that was loaded (for the TUI's API explorer): the API, the stage
    /// and the resource path below it that the request lands on.
    ConfigLoaded {
        api: Arc<Api>,
        stage: Option<String>,
        path: String,
    },
    ConfigDone {
        loaded: bool,
        detail: String,
    },
    /// Every exchange and the configuration are in; the real Chromium retest starts.
    BrowserStarted,
    Finished(Box<Report>),
}

/// Why a run could not produce a report at all (as opposed to a step that is `unknown`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RunError(pub String);

/// Runs the diagnosis of `plan`, reporting progress on `events` (if given).
pub async fn run(
    plan: &Plan,
    config_source: Option<Arc<dyn ConfigSource>>,
    events: Option<UnboundedSender<RunEvent>>,
) -> Result<Report, RunError> {
    run_keeping_evidence(plan, config_source, events)
        .await
        .map(|(report, _)| report)
}

/// [`run`], also returning the evidence the report was made from, for a later [`rerun`].
/// The evidence is *unmasked* (it holds the request headers as sent, secrets included):
/// keep it away from anything that is displayed or written out; the report is the safe view.
pub async fn run_keeping_evidence(
    plan: &Plan,
    config_source: Option<Arc<dyn ConfigSource>>,
    events: Option<UnboundedSender<RunEvent>>,
) -> Result<(Report, Evidence), RunError> {
    let deadline = tokio::time::Instant::now() + plan.timeout;
    run_until(plan, config_source, events, deadline).await
}

/// [`run_keeping_evidence`] with the run's deadline given (`check` starts it before its AWS
/// credential check, so that one `--timeout` covers the whole command). The configuration
/// lookups and the Chromium retest stop at it; each probe has `plan.timeout` of its own.
pub async fn run_until(
    plan: &Plan,
    config_source: Option<Arc<dyn ConfigSource>>,
    events: Option<UnboundedSender<RunEvent>>,
    deadline: tokio::time::Instant,
) -> Result<(Report, Evidence), RunError> {
    let emit = |e: RunEvent| {
        if let Some(tx) = &events {
            let _ = tx.send(e);
        }
    };
    let target = &plan.target;
    let secrets = run_secrets(target);
    let secrets = &secrets;
    let preflight_plan = cors::plan(target);
    // A request fetch() refuses never leaves the browser: nothing is sent.
    let refused = cors::refusal(target).is_some();
    let requests = if refused {
        Vec::new()
    } else {
        plan_requests(target, &preflight_plan)
    };
    emit(RunEvent::Planned {
        plan: preflight_plan.clone(),
        requests: masked_planned(&requests, secrets),
    });

    let config_request = config_request(plan);
    let config_fut = async {
        let (evidence, backend) = match &config_source {
            None => (
                ConfigEvidence::NotRequested {
                    reason: not_requested_reason(plan),
                },
                None,
            ),
            Some(source) => {
                match load_within(source.as_ref(), &config_request, deadline, plan).await {
                    Ok(loaded) => {
                        if events.is_some() {
                            emit(RunEvent::ConfigLoaded {
                                api: Arc::clone(&loaded.api),
                                stage: loaded.stage.clone(),
                                path: loaded.path.clone(),
                            });
                        }
                        let located = Located {
                            api: Arc::clone(&loaded.api),
                            stage: loaded.stage.clone(),
                            path: loaded.path.clone(),
                        };
                        (
                            ConfigEvidence::Loaded {
                                source: source.kind(),
                                api: loaded.api,
                                stage: loaded.stage,
                                path: loaded.path,
                                backend_known: loaded.backend.is_some(),
                                gaps: loaded.gaps,
                                unresolved: loaded.unresolved,
                            },
                            Some((located, loaded.backend)),
                        )
                    }
                    Err(reason) => (ConfigEvidence::Unavailable { reason }, None),
                }
            }
        };
        let (loaded, detail) = match &evidence {
            ConfigEvidence::Loaded { .. } => (true, "configuration loaded".to_string()),
            ConfigEvidence::NotRequested { reason } | ConfigEvidence::Unavailable { reason } => {
                (false, reason.clone())
            }
        };
        emit(RunEvent::ConfigDone {
            loaded,
            detail: secrets.mask(&detail),
        });
        (evidence, backend)
    };

    let exchanges_fut = async {
        if !plan.live {
            return Ok(Vec::new());
        }
        let prober = Prober::new(ProbeOptions {
            connect_timeout: plan.connect_timeout,
            timeout: plan.timeout,
            ..ProbeOptions::default()
        })
        .map_err(|e| RunError(e.to_string()))?;
        let prober = &prober;
        let emit = &emit;
        Ok(join_all(requests.iter().map(|r| async move {
            let x = probe::send(prober, r).await;
            emit(RunEvent::ExchangeDone(Box::new(crate::redact::exchange(
                &x, secrets,
            ))));
            x
        }))
        .await)
    };

    // Who the lookups run as, for the report header (one short STS call, concurrent with the
    // rest; none for file sources).
    let identity_fut = async {
        match &config_source {
            Some(source) => source.identity().await,
            None => None,
        }
    };
    let ((config, loaded), exchanges, identity) =
        tokio::join!(config_fut, exchanges_fut, identity_fut);
    let mut exchanges = exchanges?;
    if !plan.live {
        let Some((located, backend)) = loaded else {
            let reason = match &config {
                ConfigEvidence::NotRequested { reason }
                | ConfigEvidence::Unavailable { reason } => reason.clone(),
                ConfigEvidence::Loaded { .. } => String::new(),
            };
            return Err(RunError(format!(
                "no URL to probe and no configuration to predict from: {reason}"
            )));
        };
        let to_predict: Vec<PredictRequest<'_>> = requests
            .iter()
            .map(|r| PredictRequest {
                id: &r.id,
                kind: r.kind,
                request: &r.request,
            })
            .collect();
        exchanges = behavior::predict(&located, backend.as_ref(), target, &to_predict);
        for x in &exchanges {
            emit(RunEvent::ExchangeDone(Box::new(crate::redact::exchange(
                x, secrets,
            ))));
        }
    }
    let mut evidence = Evidence {
        target: target.clone(),
        exchanges,
        config,
        browser: None,
    };
    diagnose::classify::refine_attribution(&mut evidence);
    if plan.browser && !refused {
        emit(RunEvent::BrowserStarted);
        // Live: Chromium makes the real request; offline: it judges the predicted answers.
        let budget = deadline.saturating_duration_since(tokio::time::Instant::now());
        evidence.browser =
            Some(crate::browser::retest_evidence(&evidence, plan.live, budget).await);
    }
    let diagnosis = diagnose::diagnose(&evidence, plan.mode);
    let mut report = Report::new(&evidence, &diagnosis);
    report.aws_calls = config_source.as_ref().map_or(0, |s| s.aws_calls());
    report.aws_identity = identity;
    emit(RunEvent::Finished(Box::new(report.clone())));
    Ok((report, evidence))
}

/// Loads the configuration, or says that the lookups did not finish by the run's deadline.
async fn load_within(
    source: &dyn ConfigSource,
    request: &ConfigRequest,
    deadline: tokio::time::Instant,
    plan: &Plan,
) -> Result<crate::aws::LoadedConfig, String> {
    match tokio::time::timeout_at(deadline, source.load(request)).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "the {} did not finish within the --timeout of {:.1} s; raise --timeout, check the network path to the endpoint, or skip the lookups with --no-aws",
            match source.kind() {
                crate::evidence::ConfigSourceKind::Sdk => "AWS lookups",
                _ => "configuration lookups",
            },
            plan.timeout.as_secs_f64()
        )),
    }
}

/// Re-sends only the planned requests of `kinds` (with the same ids as before), keeps the
/// rest of `previous` (the other exchanges, the configuration, which is not reloaded, and
/// the Chromium retest unless `plan.browser` asks for a new one), then diagnoses again.
///
/// `previous` is the evidence of an earlier live run of the same target (from
/// [`run_keeping_evidence`] or [`rerun`]). Events are those of [`run`]: `Planned` with every
/// request, `ConfigDone` at once, `ExchangeDone` for the re-sent exchanges only, `Finished`.
/// Offline plans predict every exchange from the configuration: run them again with [`run`].
pub async fn rerun(
    plan: &Plan,
    previous: &Evidence,
    kinds: &[ExchangeKind],
    events: Option<UnboundedSender<RunEvent>>,
) -> Result<(Report, Evidence), RunError> {
    if !plan.live {
        return Err(RunError(
            "an offline diagnosis predicts every exchange: run it again whole".into(),
        ));
    }
    let deadline = tokio::time::Instant::now() + plan.timeout;
    let emit = |e: RunEvent| {
        if let Some(tx) = &events {
            let _ = tx.send(e);
        }
    };
    let target = &plan.target;
    let secrets = run_secrets(target);
    let secrets = &secrets;
    let preflight_plan = cors::plan(target);
    // A request fetch() refuses never leaves the browser: nothing is sent.
    let refused = cors::refusal(target).is_some();
    let requests = if refused {
        Vec::new()
    } else {
        plan_requests(target, &preflight_plan)
    };
    emit(RunEvent::Planned {
        plan: preflight_plan,
        requests: masked_planned(&requests, secrets),
    });
    let (loaded, detail) = match &previous.config {
        ConfigEvidence::Loaded { .. } => (true, "configuration loaded".to_string()),
        ConfigEvidence::NotRequested { reason } | ConfigEvidence::Unavailable { reason } => {
            (false, reason.clone())
        }
    };
    emit(RunEvent::ConfigDone {
        loaded,
        detail: secrets.mask(&detail),
    });

    let prober = Prober::new(ProbeOptions {
        connect_timeout: plan.connect_timeout,
        timeout: plan.timeout,
        ..ProbeOptions::default()
    })
    .map_err(|e| RunError(e.to_string()))?;
    let prober = &prober;
    let emit = &emit;
    let resent = join_all(requests.iter().filter(|r| kinds.contains(&r.kind)).map(
        |r| async move {
            let x = probe::send(prober, r).await;
            emit(RunEvent::ExchangeDone(Box::new(crate::redact::exchange(
                &x, secrets,
            ))));
            x
        },
    ))
    .await;
    let mut exchanges = previous.exchanges.clone();
    for x in resent {
        match exchanges.iter_mut().find(|old| old.id == x.id) {
            Some(old) => *old = x,
            None => exchanges.push(x),
        }
    }
    let mut evidence = Evidence {
        target: target.clone(),
        exchanges,
        config: previous.config.clone(),
        // A Chromium verdict on answers that were just replaced would be stale.
        browser: kinds.is_empty().then(|| previous.browser.clone()).flatten(),
    };
    diagnose::classify::refine_attribution(&mut evidence);
    if plan.browser && !refused {
        emit(RunEvent::BrowserStarted);
        let budget = deadline.saturating_duration_since(tokio::time::Instant::now());
        evidence.browser =
            Some(crate::browser::retest_evidence(&evidence, plan.live, budget).await);
    }
    let diagnosis = diagnose::diagnose(&evidence, plan.mode);
    // The configuration was not looked up again: no AWS calls this time.
    let report = Report::new(&evidence, &diagnosis);
    emit(RunEvent::Finished(Box::new(report.clone())));
    Ok((report, evidence))
}

/// The planned requests as listeners may see them: secrets masked, like every event's payload.
fn masked_planned(requests: &[PlannedRequest], secrets: &Secrets) -> Vec<PlannedRequest> {
    requests
        .iter()
        .map(|p| PlannedRequest {
            request: crate::redact::request(&p.request, secrets),
            ..p.clone()
        })
        .collect()
}

/// The secrets a run's events are masked with: the target's, and the process's.
fn run_secrets(target: &Target) -> Secrets {
    let mut secrets = target.secrets();
    secrets.extend(&crate::redact::known_secrets());
    secrets
}

fn config_request(plan: &Plan) -> ConfigRequest {
    let mut api_ref = ApiRef::from_url(&plan.target.url);
    match (api_ref.as_mut(), &plan.api_id) {
        (Some(r), Some(id)) => r.api_id = id.clone(),
        // `--api-id` with a URL that does not name the API (a custom domain, a proxy, a
        // loopback copy): the path below the stage is the URL's, less a leading `/{stage}`.
        (None, Some(id)) => {
            let url_path = plan.target.url.path();
            let below = plan
                .stage
                .as_deref()
                .and_then(|s| url_path.strip_prefix(&format!("/{s}")))
                .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                .unwrap_or(url_path);
            api_ref = Some(ApiRef {
                api_id: id.clone(),
                region: plan.aws.region.clone().unwrap_or_default(),
                stage: plan.stage.clone(),
                path: if below.is_empty() {
                    "/".to_string()
                } else {
                    below.to_string()
                },
            });
        }
        _ => {}
    }
    let stage = plan
        .stage
        .clone()
        .or_else(|| api_ref.as_ref().and_then(|r| r.stage.clone()));
    // A URL that does not name the API (custom domain, proxy) may carry a base path or any
    // prefix in front of the resource path: the API resolves it.
    let prefix_unknown = plan.live
        && plan.path.is_none()
        && plan.api_id.is_some()
        && ApiRef::from_url(&plan.target.url).is_none();
    ConfigRequest {
        api_ref,
        url_path: plan.live.then(|| plan.target.url.path().to_string()),
        path: plan.path.clone(),
        stage,
        prefix_unknown,
    }
}

fn not_requested_reason(plan: &Plan) -> String {
    if !plan.aws.enabled {
        "AWS lookups are off (--no-aws)".to_string()
    } else if ApiRef::from_url(&plan.target.url).is_none() && plan.api_id.is_none() {
        "the URL is not an execute-api URL and no API was named (--api-id, --openapi)".to_string()
    } else {
        "no configuration source was given (--openapi EXPORT.json)".to_string()
    }
}
