//! A diagnosis run: what it planned, which exchanges are in, what each step shows while it
//! runs, and how the app starts a run and follows its progress.

use super::{AppState, Effect, EvidenceView, Screen, Status, StepsView};
use crate::diagnose::StepStatus;
use crate::evidence::ExchangeKind;
use crate::plan::TargetArgs;
use crate::probe::requests::PlannedRequest;
use crate::redact::MaskedExchange;
use crate::report::Report;
use crate::runner::{HeldRun, RunEvent, SealedPlan};
use crate::tui::explorer::ApiTree;
use crate::tui::session::LastTarget;

/// What a step shows right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    Pending,
    /// Its evidence is still being gathered.
    Running,
    /// Its evidence is in; the verdict comes with the whole diagnosis.
    Gathered,
    Done(StepStatus),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Running,
    Finished,
    Failed(String),
}

/// One diagnosis of one target: its plan, its progress, its report.
#[derive(Clone, Debug)]
pub struct Diagnosis {
    pub seq: u64,
    /// The plan with its secrets masked (the raw one is sealed: only the runner reads it).
    pub plan: SealedPlan,
    pub args: TargetArgs,
    /// The evidence of the last finished run of this plan, for `r` (opaque).
    pub held: Option<HeldRun>,
    pub phase: Phase,
    pub planned: Vec<PlannedRequest>,
    /// Exchanges as they complete (masked: the runner sends no other kind).
    pub exchanges: Vec<MaskedExchange>,
    pub config_detail: Option<String>,
    /// The configuration lookup has answered (loaded, unavailable or not requested).
    pub config_done: bool,
    /// This run retests in the real Chromium (`b`, or `--browser`).
    pub chromium: bool,
    /// The Chromium retest has started (every other piece of evidence is in).
    pub browser_started: bool,
    /// What the footer says while this run is in progress ("rerunning…").
    pub note: Option<String>,
    pub report: Option<Report>,
    /// While a rerun runs: the report it replaces (its verdicts are shown dimmed meanwhile).
    pub previous: Option<Report>,
    /// What the last rerun changed, step by step (shown until the next run).
    pub changes: Vec<StepChange>,
    /// The AWS profile the lookups use (`--profile`, the config, `AWS_PROFILE`, else
    /// `default`), read once when the run starts.
    pub aws_profile: String,
    /// The HAR entry's recorded exchanges, when this diagnosis started from a HAR file: a
    /// rerun then sends only the safe requests (see `AppState::rerun`).
    pub recording: Option<crate::runner::har::Recording>,
}

impl Diagnosis {
    pub fn running(&self) -> bool {
        self.phase == Phase::Running
    }

    pub fn step_state(&self, number: u8) -> StepState {
        let done = self
            .report
            .as_ref()
            .and_then(|r| r.step(number))
            .map(|s| StepState::Done(s.status));
        match &self.phase {
            Phase::Running if self.inputs_in(number) => StepState::Gathered,
            Phase::Running => StepState::Running,
            Phase::Finished => done.unwrap_or(StepState::Pending),
            Phase::Failed(_) => done.unwrap_or(StepState::Done(StepStatus::Unknown)),
        }
    }

    /// True when every exchange of `kind` the run planned has arrived (or none is planned).
    fn has(&self, kind: ExchangeKind) -> bool {
        self.planned
            .iter()
            .filter(|p| p.kind == kind)
            .all(|p| self.exchanges.iter().any(|x| x.id == p.id))
    }

    /// Are the inputs of step `number` all in? The exchanges and the configuration it reads
    /// ([`crate::diagnose::STEP_INPUTS`]), and for step 7 the Chromium retest when there is one.
    pub fn inputs_in(&self, number: u8) -> bool {
        if self.planned.is_empty() {
            return false;
        }
        let inputs = crate::diagnose::step_inputs(number);
        inputs.exchanges.iter().all(|k| self.has(*k))
            && (!inputs.config || self.config_done)
            && !(inputs.browser && self.chromium)
    }

    /// The exchanges to show: the report's once finished, else those that arrived.
    pub fn exchange_list(&self) -> &[MaskedExchange] {
        match (&self.report, self.running()) {
            (Some(r), false) => &r.exchanges,
            _ => &self.exchanges,
        }
    }
}

/// A step whose verdict a rerun changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepChange {
    pub step: u8,
    pub before: StepStatus,
    pub after: StepStatus,
}

/// The steps whose verdict differs between two reports, in step order.
pub fn step_changes(before: &Report, after: &Report) -> Vec<StepChange> {
    after
        .steps
        .iter()
        .filter_map(|s| {
            let old = before.step(s.number)?;
            (old.status != s.status).then_some(StepChange {
                step: s.number,
                before: old.status,
                after: s.status,
            })
        })
        .collect()
}

/// What a rerun changed, in a sentence: "Rerun: step 4 now passes; the browser is now
/// allowed" or "Rerun: nothing changed (step 3 still fails)".
pub fn rerun_summary(before: &Report, after: &Report, changes: &[StepChange]) -> String {
    let mut parts: Vec<String> = changes
        .iter()
        .map(|c| {
            let now = match c.after {
                StepStatus::Pass => "now passes",
                StepStatus::Fail => "now fails",
                StepStatus::Warn => "now warns",
                StepStatus::Skip => "is now skipped",
                StepStatus::Unknown => "is now unknown",
            };
            format!("step {} {now} (was {})", c.step, c.before.as_str())
        })
        .collect();
    if before.browser.outcome != after.browser.outcome {
        parts.push(format!(
            "the browser is now {}",
            crate::cors::Outcome::as_str(after.browser.outcome)
        ));
    }
    if parts.is_empty() {
        let still = match after.first_failing_step {
            Some(n) => format!(" (step {n} still fails)"),
            None => " (every step still passes)".to_string(),
        };
        return format!("✔ rerun done: nothing changed{still}");
    }
    format!("✔ rerun done: {}", parts.join("; "))
}

/// The exchanges step `number` reads ([`crate::diagnose::STEP_INPUTS`]), which `r` sends
/// again. `None` for a step that reads the browser retest (step 7): everything.
pub fn step_exchanges(number: u8) -> Option<Vec<ExchangeKind>> {
    let inputs = crate::diagnose::step_inputs(number);
    (!inputs.browser).then(|| inputs.exchanges.to_vec())
}

impl AppState {
    /// Starts diagnosing `plan` (from the form, the command line, a demo or the explorer).
    pub fn start(&mut self, plan: impl Into<SealedPlan>, args: TargetArgs) -> Vec<Effect> {
        let plan: SealedPlan = plan.into();
        let seq = self.alloc_seq();
        self.diag = Some(Diagnosis {
            seq,
            chromium: plan.shown().browser,
            plan: plan.clone(),
            args,
            held: None,
            phase: Phase::Running,
            planned: Vec::new(),
            exchanges: Vec::new(),
            config_detail: None,
            config_done: false,
            browser_started: false,
            note: None,
            report: None,
            previous: None,
            changes: Vec::new(),
            aws_profile: plan
                .shown()
                .aws
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
                .unwrap_or_else(|| "default".to_string()),
            recording: None,
        });
        // "starting scenario …" and the like are over once the run starts.
        self.status = None;
        if self.learning.hint {
            self.status = Some(Status::info(crate::tui::learn::first_run_hint(
                &self.keymap,
            )));
        }
        self.go(Screen::Main);
        self.steps = StepsView::default();
        self.evidence = EvidenceView::default();
        vec![Effect::StartRun {
            seq,
            plan: Box::new(plan),
        }]
    }

    /// Remembers the target for the next session, then starts diagnosing it.
    pub(crate) fn start_remembered(
        &mut self,
        plan: impl Into<SealedPlan>,
        args: TargetArgs,
    ) -> Vec<Effect> {
        let mut last = LastTarget::from_args(&args);
        last.learn_seen = !self.learning.hint;
        let mut effects = vec![Effect::SaveLast(Box::new(last))];
        effects.extend(self.start(plan, args));
        effects
    }

    /// Diagnoses a HAR entry from its recorded exchanges: nothing is sent.
    pub(crate) fn start_recorded(
        &mut self,
        plan: SealedPlan,
        args: TargetArgs,
        recording: crate::runner::har::Recording,
    ) -> Vec<Effect> {
        let mut effects = self.start(plan, args);
        if let Some(d) = self.diag.as_mut() {
            d.recording = Some(recording.clone());
            d.note = Some(format!(
                "HAR entry {} (recorded: nothing sent; R sends the safe requests)",
                recording.entry()
            ));
        }
        // The same run, from the recording.
        for e in &mut effects {
            if let Effect::StartRun { seq, plan } = e {
                *e = Effect::StartRecorded {
                    seq: *seq,
                    plan: plan.clone(),
                    recording: recording.clone(),
                    send: Vec::new(),
                };
            }
        }
        effects
    }

    /// A HAR entry's diagnosis again, sending what is safe: the OPTIONS preflights, and the
    /// request itself (with and without Origin) only when its method cannot change data
    /// (sending a POST is the form's job, which asks first). `b` is refused: the Chromium
    /// retest would send the request.
    fn rerun_recorded(&mut self, chromium: bool) -> Vec<Effect> {
        if chromium {
            self.status = Some(Status::info(
                "from a HAR: b is off (it would send the request); R sends safe requests"
                    .to_string(),
            ));
            return Vec::new();
        }
        let seq = self.alloc_seq();
        let Some(d) = self.diag.as_mut() else {
            return Vec::new();
        };
        let Some(recording) = d.recording.clone() else {
            return Vec::new();
        };
        let send = crate::runner::har::safe_kinds(d.plan.shown(), false);
        let method = d.plan.shown().target.method.clone();
        d.seq = seq;
        d.phase = Phase::Running;
        d.planned.clear();
        d.exchanges.clear();
        d.config_detail = None;
        d.config_done = false;
        d.browser_started = false;
        d.note = Some(if send.contains(&ExchangeKind::Actual) {
            "sending the safe requests (OPTIONS, and the request with and without Origin)…"
                .to_string()
        } else {
            format!("sending the OPTIONS preflights only: {method} can change data (the form sends it, asking first)…")
        });
        d.previous = d.report.take().or(d.previous.take());
        d.changes.clear();
        d.held = None;
        self.status = None;
        vec![Effect::StartRecorded {
            seq,
            plan: Box::new(d.plan.clone()),
            recording,
            send,
        }]
    }

    /// Runs the whole diagnosis again (a step's verdict needs the evidence of the others);
    /// `chromium` retests in the real Chromium this time.
    pub(super) fn rerun(&mut self, note: String, chromium: bool) -> Vec<Effect> {
        if self.diag.as_ref().is_some_and(|d| d.recording.is_some()) {
            return self.rerun_recorded(chromium);
        }
        let seq = self.alloc_seq();
        let Some(d) = self.diag.as_mut() else {
            return Vec::new();
        };
        d.seq = seq;
        d.phase = Phase::Running;
        d.planned.clear();
        d.exchanges.clear();
        d.config_detail = None;
        d.config_done = false;
        d.browser_started = false;
        d.chromium = chromium || d.plan.shown().browser;
        d.note = Some(note);
        d.previous = d.report.take().or(d.previous.take());
        d.changes.clear();
        // Everything is gathered again: the held evidence is of no more use.
        d.held = None;
        self.status = None;
        let plan = d.plan.with_browser(d.chromium);
        vec![Effect::StartRun {
            seq,
            plan: Box::new(plan),
        }]
    }

    /// Reruns only the evidence step `number` depends on (see [`step_exchanges`]), keeping
    /// the rest of the finished run's evidence and its configuration. Step 7, an offline
    /// (predicted) diagnosis, or a run that did not finish: the whole diagnosis, as `R`.
    pub(super) fn rerun_step(&mut self, number: u8) -> Vec<Effect> {
        if self.diag.as_ref().is_some_and(|d| d.recording.is_some()) {
            return self.rerun_recorded(false);
        }
        let partial = self
            .diag
            .as_ref()
            .filter(|d| d.plan.shown().live && d.phase == Phase::Finished)
            .and_then(|d| d.held.clone())
            .zip(step_exchanges(number));
        let Some((previous, kinds)) = partial else {
            return self.rerun("rerunning…".into(), false);
        };
        let seq = self.alloc_seq();
        let Some(d) = self.diag.as_mut() else {
            return Vec::new();
        };
        d.seq = seq;
        d.phase = Phase::Running;
        d.exchanges.retain(|x| !kinds.contains(&x.kind));
        d.browser_started = false;
        // The previous Chromium retest (if any) is kept, not run again.
        d.chromium = false;
        d.note = Some(format!("rerunning step {number} (its evidence only)…"));
        d.previous = d.report.take().or(d.previous.take());
        d.changes.clear();
        self.status = None;
        let plan = d.plan.with_browser(false);
        vec![Effect::RerunExchanges {
            seq,
            plan: Box::new(plan),
            kinds,
            previous,
        }]
    }

    pub(super) fn on_run(&mut self, seq: u64, event: RunEvent) {
        let Some(d) = self.diag.as_mut().filter(|d| d.seq == seq) else {
            return; // a cancelled run's late message
        };
        match event {
            RunEvent::Planned { requests, .. } => d.planned = requests,
            // The runner's events carry masked exchanges and requests only.
            RunEvent::ExchangeDone(x) => {
                let x = *x;
                match d.exchanges.iter_mut().find(|old| old.id == x.id) {
                    Some(old) => *old = x,
                    None => d.exchanges.push(x),
                }
            }
            RunEvent::ConfigLoaded { api, stage, path } => {
                let tree =
                    ApiTree::new(&api, stage.as_deref(), &path, &d.plan.shown().target.method);
                self.explorer.api = Some(api);
                self.explorer.set_tree(tree);
            }
            RunEvent::ConfigDone { detail, .. } => {
                d.config_detail = Some(detail);
                d.config_done = true;
            }
            RunEvent::BrowserStarted => d.browser_started = true,
            RunEvent::Finished(report) => {
                let first = report.first_failing_step;
                let chromium_missing =
                    d.chromium && report.browser.source != crate::report::VerdictSource::Chromium;
                let rerun = d.previous.take().map(|before| {
                    d.changes = step_changes(&before, &report);
                    rerun_summary(&before, &report, &d.changes)
                });
                d.report = Some(*report);
                d.phase = Phase::Finished;
                d.note = None;
                if let Some(summary) = rerun {
                    self.status = Some(Status::info(summary));
                }
                if let Some(n) = first {
                    self.steps.select_step(n);
                }
                if d.chromium {
                    self.steps.select_step(7);
                }
                if chromium_missing {
                    self.status = Some(Status::error(format!(
                        "the Chromium retest could not run (step 7 says why); install Chromium: {}",
                        crate::browser::INSTALL_COMMAND
                    )));
                }
            }
        }
    }
}
