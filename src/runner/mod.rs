//! Orchestration: gathers the evidence for a plan concurrently (probes and configuration),
//! emits progress events, and produces the report. Both front ends drive this one runner.
//! Cancel a run by dropping (or aborting the task of) its future.
//!
//! One path: [`run`], [`run_keeping_evidence`], [`run_until`] and [`rerun`] are thin entries
//! into the same private `execute`, which differs only in what it gathers: everything,
//! or some exchanges on top of an earlier run (the rest of its evidence kept).
//!
//! Secrets: the plan and the evidence hold the request as sent (secrets included). Events
//! and reports carry masked copies only ([`crate::redact`]); the raw evidence leaves the
//! runner only as an opaque [`HeldRun`], and a front end holds its plan as a [`SealedPlan`]
//! (a masked copy to show, the raw plan readable by the runner alone).

pub mod fix;
pub mod har;
pub mod preview;
mod sealed;

pub use sealed::{HeldRun, SealedPlan};

use std::sync::Arc;

use futures_util::future::join_all;
use tokio::sync::mpsc::UnboundedSender;

use crate::aws::{ConfigRequest, ConfigSource, Unavailable};
use crate::cors::{self, PreflightPlan};
use crate::diagnose;
use crate::evidence::{ConfigEvidence, Evidence, ExchangeKind};
use crate::gateway::behavior::{self, Located, PredictRequest};
use crate::gateway::Api;
use crate::plan::Plan;
use crate::probe::requests::{plan_requests, PlannedRequest};
use crate::probe::{self, ProbeOptions, Prober};
use crate::redact::{MaskedExchange, Secrets};
use crate::report::Report;
use crate::target::Target;

/// Progress of one run, in order: `Planned`, then `ExchangeDone`/`ConfigLoaded`/`ConfigDone`
/// as they come (`ConfigLoaded` just before its `ConfigDone`), `BrowserStarted` when the
/// Chromium retest begins, then `Finished`.
#[derive(Clone, Debug)]
pub enum RunEvent {
    Planned {
        plan: PreflightPlan,
        requests: Vec<PlannedRequest>,
    },
    ExchangeDone(Box<MaskedExchange>),
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
#[derive(Debug, Clone, thiserror::Error)]
pub enum RunError {
    /// Missing or expired AWS credentials, or a credential check that did not finish: the
    /// message says what to do. Nothing was probed. (`check` exits 2.)
    #[error("{0}")]
    Credentials(String),
    /// No URL to probe, and the configuration to predict from could not be read.
    #[error("no URL to probe and no configuration to predict from: {0}")]
    NothingToPredict(String),
    /// A partial rerun of an offline diagnosis, which predicts every exchange.
    #[error("an offline diagnosis predicts every exchange: run it again whole")]
    OfflinePartial,
    /// The configuration source the plan names could not be opened (`--openapi`).
    #[error("{0}")]
    Source(String),
    /// The HTTP client for the probes could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    /// The diagnosis stopped on an internal error (a bug).
    #[error("{0}")]
    Internal(String),
}

/// What a run gathers.
enum Gather<'a> {
    /// Everything: the configuration (after the credential check), every exchange, the
    /// Chromium retest when the plan asks for one.
    Everything {
        source: Option<Arc<dyn ConfigSource>>,
    },
    /// The planned requests of `kinds` only (with the same ids as before); the rest of
    /// `previous` is kept: the other exchanges, the configuration (not reloaded), and the
    /// Chromium retest unless `plan.browser` asks for a new one (or exchanges changed).
    Exchanges {
        previous: &'a HeldRun,
        kinds: &'a [ExchangeKind],
    },
    /// Recorded exchanges (a HAR entry) instead of probes; the planned requests of `send`
    /// only are sent, each replacing the recorded exchange of its kind. The configuration is
    /// loaded from `source` as for [`Gather::Everything`].
    Recorded {
        source: Option<Arc<dyn ConfigSource>>,
        exchanges: Vec<crate::evidence::Exchange>,
        send: &'a [ExchangeKind],
    },
}

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

/// [`run`], also returning the evidence the report was made from, for a later [`rerun`],
/// as an opaque [`HeldRun`] (it holds the request as sent, secrets included: only the runner
/// reads it; the report is the safe view).
pub async fn run_keeping_evidence(
    plan: &Plan,
    config_source: Option<Arc<dyn ConfigSource>>,
    events: Option<UnboundedSender<RunEvent>>,
) -> Result<(Report, HeldRun), RunError> {
    let deadline = tokio::time::Instant::now() + plan.timeout;
    run_until(plan, config_source, events, deadline).await
}

/// [`run_keeping_evidence`] with the run's deadline given (`check` starts it with the
/// command, so that one `--timeout` covers everything). The credential check, the
/// configuration lookups and the Chromium retest stop at it; each probe has `plan.timeout`
/// of its own.
pub async fn run_until(
    plan: &Plan,
    config_source: Option<Arc<dyn ConfigSource>>,
    events: Option<UnboundedSender<RunEvent>>,
    deadline: tokio::time::Instant,
) -> Result<(Report, HeldRun), RunError> {
    let gather = Gather::Everything {
        source: config_source,
    };
    execute(plan, gather, events, deadline).await
}

/// Re-sends only the planned requests of `kinds` (with the same ids as before), keeps the
/// rest of `previous` (the other exchanges, the configuration, which is not reloaded, and
/// the Chromium retest unless `plan.browser` asks for a new one), then diagnoses again.
///
/// `previous` is an earlier live run of the same target (from [`run_keeping_evidence`] or
/// [`rerun`]). Events are those of [`run`]: `Planned` with every request, `ConfigDone` at
/// once, `ExchangeDone` for the re-sent exchanges only, `Finished`. Offline plans predict
/// every exchange from the configuration: run them again with [`run`].
pub async fn rerun(
    plan: &Plan,
    previous: &HeldRun,
    kinds: &[ExchangeKind],
    events: Option<UnboundedSender<RunEvent>>,
) -> Result<(Report, HeldRun), RunError> {
    if !plan.live {
        return Err(RunError::OfflinePartial);
    }
    let deadline = tokio::time::Instant::now() + plan.timeout;
    execute(
        plan,
        Gather::Exchanges { previous, kinds },
        events,
        deadline,
    )
    .await
}

/// Runs a sealed plan (a front end's): everything, with the source `source` finds for the
/// raw plan, or, with `partial`, only some exchanges on top of an earlier run.
pub async fn run_sealed(
    plan: &SealedPlan,
    source: impl FnOnce(&Plan) -> Result<Option<Arc<dyn ConfigSource>>, RunError>,
    partial: Option<(&HeldRun, &[ExchangeKind])>,
    events: Option<UnboundedSender<RunEvent>>,
) -> Result<(Report, HeldRun), RunError> {
    let raw = plan.raw();
    match partial {
        Some((previous, kinds)) => rerun(raw, previous, kinds, events).await,
        None => run_keeping_evidence(raw, source(raw)?, events).await,
    }
}

/// Diagnoses recorded exchanges (a HAR entry, `evidence::recorded`): nothing is sent but the
/// planned requests of `send` (the caller decides which are safe), each replacing the
/// recorded exchange of its kind; the configuration comes from `source` as in [`run_until`].
pub async fn run_recorded(
    plan: &Plan,
    source: Option<Arc<dyn ConfigSource>>,
    exchanges: Vec<crate::evidence::Exchange>,
    send: &[ExchangeKind],
    deadline: tokio::time::Instant,
) -> Result<(Report, HeldRun), RunError> {
    let gather = Gather::Recorded {
        source,
        exchanges,
        send,
    };
    execute(plan, gather, None, deadline).await
}

/// The one path every run takes.
async fn execute(
    plan: &Plan,
    gather: Gather<'_>,
    events: Option<UnboundedSender<RunEvent>>,
    deadline: tokio::time::Instant,
) -> Result<(Report, HeldRun), RunError> {
    let emit = |e: RunEvent| {
        if let Some(tx) = &events {
            let _ = tx.send(e);
        }
    };
    let target = &plan.target;
    let secrets = run_secrets(target);
    let secrets = &secrets;
    let (source, previous, kinds, recorded, gather_backend) = match gather {
        Gather::Everything { source } => (source, None, None, None, None),
        Gather::Exchanges { previous, kinds } => (
            None,
            Some(previous.evidence()),
            Some(kinds),
            None,
            previous.backend(),
        ),
        Gather::Recorded {
            source,
            exchanges,
            send,
        } => (source, None, Some(send), Some(exchanges), None),
    };
    // Missing or expired AWS credentials stop the run before anything is probed (the same
    // for `check` and the TUI).
    if let Some(s) = &source {
        credentials_checked(s.as_ref(), deadline, plan).await?;
    }
    let preflight_plan = cors::plan(target);
    // A request fetch() refuses never leaves the browser: nothing is sent.
    let refused = cors::refusal(target).is_some();
    let mut requests = if refused {
        Vec::new()
    } else {
        plan_requests(target, &preflight_plan)
    };
    emit(RunEvent::Planned {
        plan: preflight_plan,
        requests: masked_planned(&requests, secrets),
    });
    let resolution = crate::aws::resolve(plan);

    let config_fut = async {
        let (evidence, backend) = match (&source, previous) {
            (_, Some(previous)) => (previous.config.clone(), None),
            (None, None) => (
                ConfigEvidence::NotRequested {
                    reason: resolution.not_requested.clone(),
                },
                None,
            ),
            (Some(source), None) => {
                match load_within(source.as_ref(), &resolution.request, deadline, plan).await {
                    Ok(mut loaded) => {
                        // A saved distribution config (--cloudfront-config) says what stands
                        // in front of the API.
                        if let Some(d) = &plan.cloudfront {
                            loaded.front.cloudfront = Some(d.clone());
                        }
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
                            front: loaded.front.clone(),
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
                                front: loaded.front,
                            },
                            Some((located, loaded.backend)),
                        )
                    }
                    Err(Unavailable(reason)) => (ConfigEvidence::Unavailable { reason }, None),
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
        if !plan.live || kinds.is_some_and(<[ExchangeKind]>::is_empty) {
            return Ok(Vec::new());
        }
        let prober = Prober::new(ProbeOptions {
            connect_timeout: plan.connect_timeout,
            timeout: plan.timeout,
            resolve: plan.resolve.clone(),
            ..ProbeOptions::default()
        })
        .map_err(|e| RunError::Client(e.to_string()))?;
        let prober = &prober;
        let emit = &emit;
        let wanted = |r: &&PlannedRequest| kinds.is_none_or(|k| k.contains(&r.kind));
        Ok(join_all(requests.iter().filter(wanted).map(|r| async move {
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
        match &source {
            Some(source) => source.identity().await,
            None => None,
        }
    };
    let ((config, loaded), exchanges, identity) =
        tokio::join!(config_fut, exchanges_fut, identity_fut);
    let mut exchanges = exchanges?;
    let (located, backend) = match loaded {
        Some((located, backend)) => (Some(located), backend.map(Arc::new)),
        None => (None, gather_backend),
    };
    // Offline: the target with the URL the configuration settles (see below).
    let mut offline_target: Option<Target> = None;
    if let Some(previous) = previous {
        // The re-sent exchanges replace the previous ones with the same ids.
        let mut merged = previous.exchanges.clone();
        for x in exchanges {
            match merged.iter_mut().find(|old| old.id == x.id) {
                Some(old) => *old = x,
                None => merged.push(x),
            }
        }
        exchanges = merged;
    } else if let Some(mut merged) = recorded {
        // The sent exchanges replace the recorded ones of their kind.
        for x in exchanges {
            match merged.iter_mut().find(|old| old.kind == x.kind) {
                Some(old) => *old = x,
                None => merged.push(x),
            }
        }
        exchanges = merged;
    } else if !plan.live {
        let Some(located) = located else {
            let reason = match &config {
                ConfigEvidence::NotRequested { reason }
                | ConfigEvidence::Unavailable { reason } => reason.clone(),
                ConfigEvidence::Loaded { .. } => String::new(),
            };
            return Err(RunError::NothingToPredict(reason));
        };
        // The placeholder URL, with the stage and id the configuration settled on (a
        // template's `Prod` rather than the placeholder `prod`): nothing is sent to it, but the
        // report and the console message quote it.
        if let Some(url) = plan.offline_url(
            located.api.id.as_deref(),
            located.api.region.as_deref(),
            located.stage.as_deref(),
        ) {
            let mut t = target.clone();
            t.url = url;
            if !refused {
                requests = plan_requests(&t, &cors::plan(&t));
            }
            offline_target = Some(t);
        }
        let target = offline_target.as_ref().unwrap_or(target);
        let to_predict: Vec<PredictRequest<'_>> = requests
            .iter()
            .map(|r| PredictRequest {
                id: &r.id,
                kind: r.kind,
                request: &r.request,
            })
            .collect();
        exchanges = behavior::predict(&located, backend.as_deref(), target, &to_predict);
        for x in &exchanges {
            emit(RunEvent::ExchangeDone(Box::new(crate::redact::exchange(
                x, secrets,
            ))));
        }
    }
    let mut evidence = Evidence {
        target: offline_target.unwrap_or_else(|| target.clone()),
        exchanges,
        config,
        // A Chromium verdict on answers that were just replaced would be stale.
        browser: previous
            .filter(|_| kinds.is_some_and(<[ExchangeKind]>::is_empty))
            .and_then(|p| p.browser.clone()),
    };
    diagnose::classify::refine_attribution(&mut evidence);
    if plan.browser && !refused {
        emit(RunEvent::BrowserStarted);
        // Live: Chromium makes the real request; offline: it judges the predicted answers.
        let budget = deadline.saturating_duration_since(tokio::time::Instant::now());
        evidence.browser = Some(
            crate::browser::retest_evidence(&evidence, plan.live, budget, &plan.resolve).await,
        );
    }
    let diagnosis = diagnose::diagnose(&evidence, plan.mode);
    let mut report = Report::new(&evidence, &diagnosis);
    // A partial rerun does not look the configuration up again: no AWS calls this time.
    report.aws_calls = source.as_ref().map_or(0, |s| s.aws_calls());
    report.aws_identity = identity;
    if plan.preview && !refused {
        report.preview = Some(Box::new(preview::preview(
            &evidence,
            &report,
            backend.as_deref(),
            plan.mode,
        )));
    }
    emit(RunEvent::Finished(Box::new(report.clone())));
    Ok((report, HeldRun::new(evidence, backend)))
}

/// The source's credential check (the AWS SDK's: missing or expired credentials), within
/// the run's deadline.
async fn credentials_checked(
    source: &dyn ConfigSource,
    deadline: tokio::time::Instant,
    plan: &Plan,
) -> Result<(), RunError> {
    match tokio::time::timeout_at(deadline, source.preflight()).await {
        Ok(checked) => checked.map_err(|e| RunError::Credentials(e.0)),
        Err(_) => Err(RunError::Credentials(format!(
            "the AWS credential check did not finish within the --timeout of {:.1} s; check the network path to AWS (or --endpoint-url), raise --timeout, or skip the AWS lookups with --no-aws",
            plan.timeout.as_secs_f64()
        ))),
    }
}

/// Loads the configuration, or says that the lookups did not finish by the run's deadline.
async fn load_within(
    source: &dyn ConfigSource,
    request: &ConfigRequest,
    deadline: tokio::time::Instant,
    plan: &Plan,
) -> Result<crate::aws::LoadedConfig, Unavailable> {
    match tokio::time::timeout_at(deadline, source.load(request)).await {
        Ok(result) => result,
        Err(_) => Err(Unavailable(format!(
            "the {} did not finish within the --timeout of {:.1} s; raise --timeout, check the network path to the endpoint, or skip the lookups with --no-aws",
            match source.kind() {
                crate::evidence::ConfigSourceKind::Sdk => "AWS lookups",
                _ => "configuration lookups",
            },
            plan.timeout.as_secs_f64()
        ))),
    }
}

/// The planned requests as listeners may see them: secrets masked, like every event's payload.
fn masked_planned(requests: &[PlannedRequest], secrets: &Secrets) -> Vec<PlannedRequest> {
    requests
        .iter()
        .map(|p| PlannedRequest {
            request: crate::redact::request(&p.request, secrets).into_inner(),
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

#[cfg(test)]
mod tests;
