//! The fix modal's background work (`a`): prepare (guard rails and reads), apply, verify,
//! through `runner::fix`. What the modal shows is masked with the plan's secrets.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::state::{FixEvent, FixPreview, Msg};
use crate::aws::write::Progress;
use crate::cors::Outcome;
use crate::gateway::model::ApiKind;
use crate::runner::fix::{self as engine, FixOptions, Ready};
use crate::runner::SealedPlan;

/// How long the verification waits for the verdict to flip.
const VERIFY_WAIT: Duration = Duration::from_secs(60);

/// The fix prepared for the `seq` that asked, shared with the job that prepared it.
type Slot = Arc<Mutex<Option<(u64, Arc<Ready>)>>>;

/// The fix job and the fix it prepared.
#[derive(Default)]
pub struct FixJobs {
    job: Option<JoinHandle<()>>,
    ready: Slot,
}

fn preview(ready: &Ready) -> FixPreview {
    let p = ready.prepared();
    let kind = match p.kind {
        ApiKind::Rest => "REST API",
        ApiKind::Http => "HTTP API",
    };
    let stage = p
        .stage
        .as_deref()
        .map(|s| format!(", stage {s}"))
        .unwrap_or_default();
    let m = |t: &str| crate::redact::escape_controls(&ready.mask(t));
    FixPreview {
        api: m(&format!("{kind} {} ({}){stage}", p.api_id, p.region)),
        calls: p
            .steps
            .iter()
            .map(|s| {
                m(&format!(
                    "[{}] {}",
                    s.finding.as_deref().unwrap_or("deploy"),
                    s.call.command(&p.api_id, &p.region)
                ))
            })
            .collect(),
        summaries: p
            .steps
            .iter()
            .map(|s| {
                m(&format!(
                    "[{}] {}",
                    s.finding.as_deref().unwrap_or("deploy"),
                    s.call.summary()
                ))
            })
            .collect(),
        unchanged: p.unchanged.iter().map(|u| m(u)).collect(),
        permissions: p.permissions().iter().map(|u| m(u)).collect(),
        warning: p.managed_by.as_ref().map(|w| m(w)),
    }
}

fn verdict(o: Outcome) -> String {
    match o {
        Outcome::Allowed => "allowed",
        Outcome::Blocked => "blocked",
        Outcome::NetworkError => "network error",
        Outcome::Refused => "refused by fetch()",
        _ => "unknown",
    }
    .to_string()
}

impl FixJobs {
    fn spawn(&mut self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Some(old) = self.job.take() {
            old.abort();
        }
        self.job = Some(tokio::spawn(task));
    }

    pub fn prepare(
        &mut self,
        tx: UnboundedSender<Msg>,
        seq: u64,
        plan: SealedPlan,
        allowed_origins: Vec<String>,
    ) {
        let ready = self.ready.clone();
        self.spawn(async move {
            let options = FixOptions {
                force: false,
                allow_any_origin: false,
                allowed_origins,
            };
            let event = match engine::prepare_sealed(&plan, &options).await {
                Ok(r) => {
                    let p = preview(&r);
                    if let Ok(mut slot) = ready.lock() {
                        *slot = Some((seq, Arc::new(r)));
                    }
                    FixEvent::Prepared(Ok(p))
                }
                Err(e) => FixEvent::Prepared(Err(crate::redact::escape_controls(
                    &plan.mask(&e.to_string()),
                ))),
            };
            let _ = tx.send(Msg::Fix { seq, event });
        });
    }

    pub fn apply(&mut self, tx: UnboundedSender<Msg>, seq: u64) {
        let ready = self.ready.lock().ok().and_then(|slot| {
            slot.as_ref()
                .filter(|(s, _)| *s == seq)
                .map(|(_, r)| r.clone())
        });
        let Some(ready) = ready else {
            let _ = tx.send(Msg::Fix {
                seq,
                event: FixEvent::Finished {
                    ok: false,
                    lines: vec![
                        "Nothing was changed: the prepared fix is gone (press a again).".into(),
                    ],
                },
            });
            return;
        };
        self.spawn(async move {
            let send = |event| {
                let _ = tx.send(Msg::Fix { seq, event });
            };
            let m = |t: &str| crate::redact::escape_controls(&ready.mask(t));
            let applied = engine::apply_ready(&ready, |p| match p {
                Progress::Started { index, .. } => send(FixEvent::CallStarted(index)),
                Progress::Done { index } => send(FixEvent::CallDone(index)),
                Progress::Failed { index, error } => send(FixEvent::CallFailed(index, m(&error))),
                Progress::Skipped { .. } => {}
            })
            .await;
            let applied = match applied {
                Ok(a) => a,
                Err(e) => {
                    send(FixEvent::Stopped {
                        lines: vec![m(&e.to_string())],
                    });
                    return;
                }
            };
            let undo = format!(
                "cors-doctor fix --undo '{}' --yes",
                applied.undo_file.display()
            );
            if let Some((_, e)) = &applied.failed {
                let mut lines = vec![format!(
                    "Stopped after {} of {} calls: {}",
                    applied.done.len(),
                    ready.prepared().steps.len(),
                    m(&e.message)
                )];
                lines.push(if applied.done.is_empty() {
                    "Nothing was changed.".to_string()
                } else {
                    format!("The calls made are not deployed; to put them back: {}", m(&undo))
                });
                send(FixEvent::Stopped { lines });
                return;
            }
            send(FixEvent::Applied { undo: m(&undo) });
            let deadline = tokio::time::Instant::now() + VERIFY_WAIT;
            let report = engine::verify_ready(&ready, deadline, |attempt, r| {
                send(FixEvent::Verifying {
                    attempt,
                    verdict: verdict(r.browser.outcome),
                })
            })
            .await;
            let how = if ready.live() {
                "probed live"
            } else {
                "predicted from the configuration as read back"
            };
            let event = match report {
                Ok(r) if r.browser.outcome == Outcome::Allowed => FixEvent::Finished {
                    ok: true,
                    lines: vec![format!("The browser's verdict is now allowed ({how}).")],
                },
                Ok(r) => FixEvent::Finished {
                    ok: false,
                    lines: vec![format!(
                        "Applied, but the browser's verdict is still {} after {}s ({how}); R diagnoses again.",
                        verdict(r.browser.outcome),
                        VERIFY_WAIT.as_secs()
                    )],
                },
                Err(e) => FixEvent::Finished {
                    ok: false,
                    lines: vec![format!("Applied; the verification failed: {}", m(&e.to_string()))],
                },
            };
            send(event);
        });
    }

    /// The modal closed: a preparation still running is stopped, the prepared fix dropped.
    /// (An apply is never cancelled: the modal stays open while it runs.)
    pub fn cancel(&mut self, seq: u64) {
        if let Ok(mut slot) = self.ready.lock() {
            if slot.as_ref().is_some_and(|(s, _)| *s <= seq) {
                *slot = None;
            }
        }
    }
}
