//! Orchestration: gathers the evidence for a plan concurrently (probes and configuration),
//! emits progress events, and produces the report. Both front ends drive this one runner.
//! Cancel a run by dropping (or aborting the task of) its future.

use std::sync::Arc;

use futures_util::future::join_all;
use tokio::sync::mpsc::UnboundedSender;

use crate::aws::{ConfigRequest, ConfigSource};
use crate::cli::Plan;
use crate::cors::{self, PreflightPlan};
use crate::diagnose;
use crate::evidence::{ConfigEvidence, Evidence, Exchange};
use crate::probe::requests::{plan_requests, PlannedRequest};
use crate::probe::{self, ProbeOptions, Prober};
use crate::report::{masked_exchange, Report};
use crate::target::ApiRef;

/// Progress of one run, in order: `Planned`, then `ExchangeDone`/`ConfigDone` as they come,
/// then `Finished`.
#[derive(Clone, Debug)]
pub enum RunEvent {
    Planned {
        plan: PreflightPlan,
        requests: Vec<PlannedRequest>,
    },
    ExchangeDone(Box<Exchange>),
    ConfigDone {
        loaded: bool,
        detail: String,
    },
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
    let emit = |e: RunEvent| {
        if let Some(tx) = &events {
            let _ = tx.send(e);
        }
    };
    let target = &plan.target;
    let preflight_plan = cors::plan(target);
    let requests = plan_requests(target, &preflight_plan);
    emit(RunEvent::Planned {
        plan: preflight_plan.clone(),
        requests: requests.clone(),
    });

    let config_request = config_request(plan);
    let config_fut = async {
        let evidence = match &config_source {
            None => ConfigEvidence::NotRequested {
                reason: not_requested_reason(plan),
            },
            Some(source) => match source.load(&config_request).await {
                Ok(loaded) => ConfigEvidence::Loaded {
                    source: source.kind(),
                    api: Box::new(loaded.api),
                    stage: loaded.stage,
                    path: config_request.path.clone(),
                },
                Err(reason) => ConfigEvidence::Unavailable { reason },
            },
        };
        let (loaded, detail) = match &evidence {
            ConfigEvidence::Loaded { .. } => (true, "configuration loaded".to_string()),
            ConfigEvidence::NotRequested { reason } | ConfigEvidence::Unavailable { reason } => {
                (false, reason.clone())
            }
        };
        emit(RunEvent::ConfigDone { loaded, detail });
        evidence
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
            emit(RunEvent::ExchangeDone(Box::new(masked_exchange(&x))));
            x
        }))
        .await)
    };

    let (config, exchanges) = tokio::join!(config_fut, exchanges_fut);
    let mut exchanges = exchanges?;
    if !plan.live {
        exchanges = predict(&config, &requests)?;
        for x in &exchanges {
            emit(RunEvent::ExchangeDone(Box::new(masked_exchange(x))));
        }
    }
    let mut evidence = Evidence {
        target: target.clone(),
        exchanges,
        config,
        browser: None,
    };
    if plan.browser {
        // Live: Chromium makes the real request; offline: it judges the predicted answers.
        evidence.browser = Some(crate::browser::retest_evidence(&evidence, plan.live).await);
    }
    let diagnosis = diagnose::diagnose(&evidence, plan.mode);
    let report = Report::new(&evidence, &diagnosis);
    emit(RunEvent::Finished(Box::new(report.clone())));
    Ok(report)
}

fn config_request(plan: &Plan) -> ConfigRequest {
    let mut api_ref = ApiRef::from_url(&plan.target.url);
    if let Some(id) = &plan.api_id {
        let r = api_ref.get_or_insert_with(|| ApiRef {
            api_id: id.clone(),
            region: plan.aws.region.clone().unwrap_or_default(),
            stage: None,
            path: String::new(),
        });
        r.api_id = id.clone();
    }
    let stage = plan
        .stage
        .clone()
        .or_else(|| api_ref.as_ref().and_then(|r| r.stage.clone()));
    let path = plan
        .path
        .clone()
        .or_else(|| api_ref.as_ref().map(|r| r.path.clone()))
        .unwrap_or_else(|| plan.target.url.path().to_string());
    ConfigRequest {
        api_ref,
        path,
        stage,
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

/// Offline: the exchanges API Gateway would produce, from the configuration alone.
fn predict(
    config: &ConfigEvidence,
    requests: &[PlannedRequest],
) -> Result<Vec<Exchange>, RunError> {
    let _ = requests;
    match config {
        ConfigEvidence::Loaded { .. } => Err(RunError(
            "predicting exchanges from a configuration is not available yet".into(),
        )),
        ConfigEvidence::NotRequested { reason } | ConfigEvidence::Unavailable { reason } => {
            Err(RunError(format!(
                "no URL to probe and no configuration to predict from: {reason}"
            )))
        }
    }
}
