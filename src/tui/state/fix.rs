//! `a`: apply the diagnosis's fixes, in a modal. The calls are prepared (guard rails and
//! reads, nothing written) and shown; Enter (or `y`) confirms, Esc before that closes the
//! modal and changes nothing. Each call is shown as it runs, then the verification (the
//! diagnosis again until the browser's verdict is allowed), then the result and the undo
//! command. Esc is refused while calls run (a half-applied fix stays restorable with its
//! undo file either way).

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::{AppState, Effect, Status};
use crate::tui::keymap::{Action, Context};

/// What the modal shows of a prepared fix (masked text only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixPreview {
    /// `REST API abc123 (us-east-1), stage prod`.
    pub api: String,
    /// Each call as its `aws` command, with the finding it fixes (`[OPTIONS_MISSING] aws …`).
    pub calls: Vec<String>,
    /// Each call in a few words (shown when the terminal is narrower than 120 columns).
    pub summaries: Vec<String>,
    /// Changes that need no call.
    pub unchanged: Vec<String>,
    /// The IAM permissions needed.
    pub permissions: Vec<String>,
    /// CloudFormation/Terraform manages the API (only shown; the TUI never forces).
    pub warning: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallState {
    Pending,
    Running,
    Done,
    Failed(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixPhase {
    /// The guard rails and the reads run.
    Preparing,
    /// Waiting for Enter/y (apply) or Esc (nothing changes).
    Confirm,
    Applying,
    Verifying {
        attempt: u32,
        verdict: String,
    },
    /// Over: `ok` when the verdict is now allowed; the lines say what happened.
    Finished {
        ok: bool,
        lines: Vec<String>,
    },
    /// Nothing was written: refused (guard rails, drift), nothing to apply, or an error.
    Refused(String),
}

/// Progress of a fix, from the loop's job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixEvent {
    Prepared(Result<FixPreview, String>),
    CallStarted(usize),
    CallDone(usize),
    CallFailed(usize, String),
    /// Every call made: the undo command.
    Applied {
        undo: String,
    },
    /// The apply stopped: what to do (the undo file restores what was done).
    Stopped {
        lines: Vec<String>,
    },
    Verifying {
        attempt: u32,
        verdict: String,
    },
    Finished {
        ok: bool,
        lines: Vec<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixModal {
    pub seq: u64,
    pub phase: FixPhase,
    pub preview: FixPreview,
    pub calls: Vec<CallState>,
    /// The undo command, once the calls were made.
    pub undo: Option<String>,
}

impl FixModal {
    /// True while calls run or the verification runs: Esc does not close it then.
    pub fn working(&self) -> bool {
        matches!(
            self.phase,
            FixPhase::Preparing | FixPhase::Applying | FixPhase::Verifying { .. }
        )
    }
}

impl AppState {
    /// `a` on a finished diagnosis: prepare the fixes its findings carry.
    pub(super) fn open_fix(&mut self) -> Vec<Effect> {
        let Some(d) = &self.diag else {
            self.status = Some(Status::error("no diagnosis to fix yet"));
            return Vec::new();
        };
        let Some(report) = &d.report else {
            self.status = Some(Status::error("wait for the diagnosis to finish"));
            return Vec::new();
        };
        if d.running() {
            self.status = Some(Status::error("wait for the diagnosis to finish"));
            return Vec::new();
        }
        if crate::runner::fix::proposals(report).is_empty() {
            self.status = Some(Status::info(
                "no finding proposes a change to apply (y copies what to do by hand)",
            ));
            return Vec::new();
        }
        let plan = d.plan.clone();
        let seq = self.alloc_seq();
        self.fix = Some(FixModal {
            seq,
            phase: FixPhase::Preparing,
            preview: FixPreview::default(),
            calls: Vec::new(),
            undo: None,
        });
        vec![Effect::PrepareFix {
            seq,
            plan: Box::new(plan),
            allowed_origins: self.config.fix.allowed_origins.clone(),
        }]
    }

    /// Keys while the modal is open: it takes them all.
    pub(super) fn fix_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(m) = self.fix.as_mut() else {
            return Vec::new();
        };
        let action = self.keymap.action(Context::Main, &key);
        let back = key.code == KeyCode::Esc || action == Some(Action::Back);
        let yes = matches!(key.code, KeyCode::Enter | KeyCode::Char('y' | 'Y'));
        match &m.phase {
            FixPhase::Confirm if yes && !m.preview.calls.is_empty() => {
                m.phase = FixPhase::Applying;
                m.calls = vec![CallState::Pending; m.preview.calls.len()];
                vec![Effect::ApplyFix { seq: m.seq }]
            }
            _ if m.working() => {
                if back {
                    self.status = Some(Status::error(
                        "the fix is being applied; wait for it to finish",
                    ));
                }
                Vec::new()
            }
            _ if back || yes || action == Some(Action::Quit) => {
                let seq = m.seq;
                let confirmed = !matches!(m.phase, FixPhase::Confirm | FixPhase::Refused(_));
                self.fix = None;
                self.status = Some(Status::info(if confirmed {
                    "the diagnosis shown is from before the fix: R runs it again"
                } else {
                    "nothing was changed"
                }));
                vec![Effect::CancelFix { seq }]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn on_fix(&mut self, seq: u64, event: FixEvent) -> Vec<Effect> {
        let Some(m) = self.fix.as_mut().filter(|m| m.seq == seq) else {
            return Vec::new();
        };
        let mark = |calls: &mut Vec<CallState>, i: usize, s: CallState| {
            if let Some(c) = calls.get_mut(i) {
                *c = s;
            }
        };
        match event {
            FixEvent::Prepared(Ok(preview)) => {
                m.phase = if preview.calls.is_empty() {
                    FixPhase::Refused(
                        "Nothing to change: the configuration already has what the fixes propose."
                            .into(),
                    )
                } else {
                    FixPhase::Confirm
                };
                m.preview = preview;
            }
            FixEvent::Prepared(Err(e)) => m.phase = FixPhase::Refused(e),
            FixEvent::CallStarted(i) => mark(&mut m.calls, i, CallState::Running),
            FixEvent::CallDone(i) => mark(&mut m.calls, i, CallState::Done),
            FixEvent::CallFailed(i, e) => mark(&mut m.calls, i, CallState::Failed(e)),
            FixEvent::Applied { undo } => {
                m.undo = Some(undo);
                m.phase = FixPhase::Verifying {
                    attempt: 0,
                    verdict: String::new(),
                };
            }
            FixEvent::Stopped { lines } => {
                m.phase = FixPhase::Finished { ok: false, lines };
                self.status = None;
            }
            FixEvent::Verifying { attempt, verdict } => {
                m.phase = FixPhase::Verifying { attempt, verdict }
            }
            FixEvent::Finished { ok, lines } => {
                m.phase = FixPhase::Finished { ok, lines };
                self.status = None;
            }
        }
        Vec::new()
    }
}
