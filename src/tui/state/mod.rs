//! The application state and `update(Msg) -> effects`: pure, no I/O, no terminal. The event
//! loop feeds messages in and carries the effects out.

//!
//! This file holds the state, the messages, the effects and the dispatch; each screen's keys
//! are in a file of their own, and `progress.rs` follows a diagnosis run.

mod audit;
mod demo;
mod evidence;
mod explorer;
mod fix;
mod flow;
mod form;
mod learn;
mod main;
mod mouse;
mod nav;
mod progress;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent};
use ratatui::layout::Rect;

use super::form::FormState;
use super::keymap::{Action, Context, Keymap};
use super::session::LastTarget;
use crate::config::Config;
use crate::evidence::ExchangeKind;
use crate::plan::{Plan, TargetArgs};
use crate::report::Flavour;
use crate::runner::{HeldRun, RunEvent, SealedPlan};

pub use audit::{AuditEvent, AuditPhase, AuditView, SortKey, FALLBACK_ORIGIN};
pub use demo::DemoPicker;
pub use evidence::EvidenceView;
pub use explorer::{visible_offset, ExplorerState, PendingRun};
pub use fix::{CallState, FixEvent, FixModal, FixPhase, FixPreview};
pub use learn::LearnView;
pub use main::StepsView;
pub use nav::ListNav;
pub use progress::{step_exchanges, Diagnosis, Phase, StepState};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Form,
    Demo,
    Main,
    Evidence,
    Learn,
    Explorer,
    /// The account audit (issue 17).
    Audit,
}

impl Screen {
    pub fn context(self) -> Context {
        match self {
            Screen::Form => Context::Form,
            Screen::Demo => Context::Demo,
            Screen::Main => Context::Main,
            Screen::Evidence => Context::Evidence,
            Screen::Learn => Context::Learn,
            Screen::Explorer => Context::Explorer,
            Screen::Audit => Context::Audit,
        }
    }
}

/// Which pane of a two-pane view has the keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    List,
    Detail,
}

impl Pane {
    fn toggle(self) -> Pane {
        match self {
            Pane::List => Pane::Detail,
            Pane::Detail => Pane::List,
        }
    }
}

/// The diagnosis's steps: the rows of the main view's list.
const STEP_COUNT: usize = crate::diagnose::STEPS.len();

/// A transient line in the footer: a confirmation or a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

impl Status {
    /// A problem, shown in the error style.
    pub fn error(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            error: true,
        }
    }

    /// A confirmation or a note.
    pub fn info(text: impl Into<String>) -> Status {
        Status {
            text: text.into(),
            error: false,
        }
    }
}

/// Messages into `update`: raw input, runner progress, ticks, results of effects.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick,
    Run {
        seq: u64,
        event: RunEvent,
    },
    /// The evidence of run `seq`, which just finished (before its `Finished` event), held
    /// for `r` (opaque: only the runner reads it).
    Held {
        seq: u64,
        run: HeldRun,
    },
    RunFailed {
        seq: u64,
        error: String,
    },
    DemoStarted(Result<Box<Plan>, crate::tui::demo::StartError>),
    Copied(Result<String, String>),
    /// Progress of the fix `seq` (`a`).
    Fix {
        seq: u64,
        event: FixEvent,
    },
    /// The HAR file the form named was read (its list), or why not.
    HarLoaded {
        path: String,
        result: Result<crate::runner::har::HeldHar, String>,
    },
    /// Progress or the end of the account audit `seq`.
    Audit {
        seq: u64,
        event: AuditEvent,
    },
    /// SIGTERM, SIGINT, SIGHUP.
    Quit,
}

/// What the loop must do after an update.
#[derive(Debug)]
pub enum Effect {
    /// Start a run; any pending run is cancelled first (a rerun replaces the pending job).
    StartRun {
        seq: u64,
        plan: Box<SealedPlan>,
    },
    /// Send again only the exchanges of `kinds` (same ids), keeping the rest of the last
    /// finished run's evidence and its configuration, then diagnose again; the whole run when
    /// that evidence is not at hand. Cancels any pending run first, as `StartRun`.
    RerunExchanges {
        seq: u64,
        plan: Box<SealedPlan>,
        kinds: Vec<ExchangeKind>,
        /// The finished run whose other evidence is kept (opaque: only the runner reads it).
        previous: HeldRun,
    },
    StartDemo {
        name: String,
    },
    /// Read a HAR file and list its requests (`Msg::HarLoaded`).
    LoadHar {
        path: std::path::PathBuf,
        shown: String,
    },
    /// Diagnose a HAR entry from its recorded exchanges, sending only `send`; cancels any
    /// pending run first, as `StartRun`.
    StartRecorded {
        seq: u64,
        plan: Box<SealedPlan>,
        recording: crate::runner::har::Recording,
        send: Vec<ExchangeKind>,
    },
    /// Put text on the clipboard (tmux's or screen's buffer, or OSC 52: see
    /// `tui::clipboard`); `what` names it in the confirmation.
    Copy {
        text: String,
        what: String,
    },
    /// Write the last copied text to a file and say where.
    WriteCopy,
    /// Learn mode was opened: remember it in the session file (no more first-run hint).
    LearnSeen,
    SaveLast(Box<LastTarget>),
    /// `a`: check the guard rails and read what the fixes of the diagnosis of `plan` touch;
    /// nothing is written (answers `Msg::Fix` `Prepared`).
    PrepareFix {
        seq: u64,
        plan: Box<SealedPlan>,
        allowed_origins: Vec<String>,
    },
    /// The user confirmed: make the calls prepared for `seq`, then verify.
    ApplyFix {
        seq: u64,
    },
    /// The modal closed: drop what was prepared for `seq` (nothing is written).
    CancelFix {
        seq: u64,
    },
    /// Run the account audit (`crate::audit::audit`, reads only), reporting `Msg::Audit`;
    /// cancels an audit still running.
    StartAudit {
        seq: u64,
        options: Box<crate::audit::AuditOptions>,
    },
}

pub struct AppState {
    /// The screen on top.
    pub screen: Screen,
    /// The screens below it, the root first: Esc goes back to the last one, and at the root
    /// asks whether to quit (see [`AppState::go`] and [`AppState::go_back`]).
    pub back: Vec<Screen>,
    /// "Quit cors-doctor?" is asked (Esc at the root).
    pub quit_prompt: bool,
    pub help: bool,
    /// The preview overlay (`p`) is open, scrolled this many lines.
    pub preview: Option<u16>,
    /// The flow overlay (`v`) is open, on this exchange (an index into the report's flows).
    pub flow: Option<usize>,
    pub form: FormState,
    /// The flags that the form does not show (timeouts, --openapi…), kept for submits.
    pub base_args: TargetArgs,
    pub config: Config,
    pub diag: Option<Diagnosis>,
    next_seq: u64,
    /// Each screen's own state (its selection, focus and scroll), on the model of
    /// [`ExplorerState`]: a key reaches only the screen on top.
    pub steps: StepsView,
    pub evidence: EvidenceView,
    pub learning: LearnView,
    pub demo: DemoPicker,
    pub explorer: ExplorerState,
    /// The account audit screen.
    pub audit: AuditView,
    pub status: Option<Status>,
    /// The fix modal (`a`), when open.
    pub fix: Option<FixModal>,
    /// Spinner frame: advances only on ticks, which only come while work runs.
    pub tick: usize,
    pub size: Rect,
    pub keymap: Keymap,
    pub color: bool,
    pub quit: bool,
    /// The flavour fixes are shown and copied in (`f` cycles; the config's
    /// `report.fix_format` first).
    pub fix_format: Flavour,
}

impl AppState {
    pub fn new(config: Config, form: FormState, base_args: TargetArgs, keymap: Keymap) -> Self {
        let (fix_format, status) = match crate::plan::fix_format(None, &config) {
            Ok(f) => (f, None),
            Err(e) => (Flavour::Cli, Some(Status::error(e.to_string()))),
        };
        AppState {
            screen: Screen::Form,
            back: Vec::new(),
            quit_prompt: false,
            help: false,
            preview: None,
            flow: None,
            form,
            base_args,
            config,
            diag: None,
            next_seq: 1,
            steps: StepsView::default(),
            evidence: EvidenceView::default(),
            learning: LearnView::default(),
            demo: DemoPicker::default(),
            explorer: ExplorerState::default(),
            audit: AuditView::default(),
            status,
            fix: None,
            tick: 0,
            size: Rect::new(0, 0, 80, 24),
            keymap,
            color: true,
            quit: false,
            fix_format,
        }
    }

    /// True while something runs: the loop only ticks (and so only redraws) while busy.
    pub fn busy(&self) -> bool {
        self.diag.as_ref().is_some_and(Diagnosis::running)
            || self.fix.as_ref().is_some_and(FixModal::working)
            || self.audit.running()
    }

    pub fn context(&self) -> Context {
        self.screen.context()
    }

    /// Opens `to` on top of the current screen; when `to` is already below, goes back down
    /// to it instead (so that e → l → e does not pile up screens).
    pub fn go(&mut self, to: Screen) {
        if to == self.screen {
            return;
        }
        if let Some(i) = self.back.iter().position(|&s| s == to) {
            self.back.truncate(i);
        } else {
            self.back.push(self.screen);
        }
        self.screen = to;
        self.help = false;
        self.preview = None;
        self.flow = None;
    }

    /// Esc: back exactly one level; at the root, asks whether to quit.
    pub fn go_back(&mut self) {
        match self.back.pop() {
            Some(to) => self.screen = to,
            None => self.quit_prompt = true,
        }
    }

    /// Is `screen` on the way back from here?
    pub fn below(&self, screen: Screen) -> bool {
        self.back.contains(&screen)
    }

    fn alloc_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(m) if self.flow.is_some() => {
                self.flow_mouse(m);
                Vec::new()
            }
            Msg::Mouse(m) => {
                match self.preview {
                    // The preview overlay is on top: the wheel scrolls it, nothing beneath
                    // is clicked.
                    Some(scroll) => {
                        use ratatui::crossterm::event::MouseEventKind;
                        let max = crate::tui::view::preview_max_scroll(self);
                        self.preview = Some(match m.kind {
                            MouseEventKind::ScrollDown => scroll.saturating_add(1).min(max),
                            MouseEventKind::ScrollUp => scroll.saturating_sub(1),
                            _ => scroll,
                        });
                    }
                    None => self.on_mouse(m),
                }
                Vec::new()
            }
            Msg::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                // The details wrap anew: their scroll stays within their new end.
                self.steps.scroll = self
                    .steps
                    .scroll
                    .min(crate::tui::view::main_detail_max_scroll(self));
                self.evidence.scroll = self
                    .evidence
                    .scroll
                    .min(crate::tui::view::evidence_detail_max_scroll(self));
                self.learning.scroll = self
                    .learning
                    .scroll
                    .min(crate::tui::view::learn_detail_max_scroll(self));
                Vec::new()
            }
            Msg::Tick => {
                if self.busy() {
                    self.tick = self.tick.wrapping_add(1);
                }
                Vec::new()
            }
            Msg::Run { seq, event } => {
                self.on_run(seq, event);
                Vec::new()
            }
            Msg::Held { seq, run } => {
                if let Some(d) = self.diag.as_mut().filter(|d| d.seq == seq) {
                    d.held = Some(run);
                }
                Vec::new()
            }
            Msg::RunFailed { seq, error } => {
                if let Some(d) = self.diag.as_mut().filter(|d| d.seq == seq) {
                    let error = crate::redact::escape_controls(&d.plan.mask(&error));
                    // The footer has one line: the detail pane has the whole message.
                    let first = error.lines().next().unwrap_or_default().to_string();
                    d.phase = Phase::Failed(error);
                    self.status = Some(Status::error(first));
                }
                Vec::new()
            }
            // The user left the picker meanwhile: the scenario is not diagnosed.
            Msg::DemoStarted(Ok(_)) if self.screen != Screen::Demo || self.quit_prompt => {
                Vec::new()
            }
            Msg::DemoStarted(Ok(plan)) => {
                let args = TargetArgs {
                    url: Some(plan.target.url.to_string()),
                    origin: Some(plan.target.origin.clone()),
                    method: Some(plan.target.method.clone()),
                    ..TargetArgs::default()
                };
                self.start(*plan, args)
            }
            Msg::DemoStarted(Err(e)) => {
                self.status = Some(Status::error(crate::redact::known(&e.to_string())));
                Vec::new()
            }
            Msg::Copied(Ok(text)) => {
                self.status = Some(Status::info(text));
                Vec::new()
            }
            Msg::Copied(Err(text)) => {
                self.status = Some(Status::error(text));
                Vec::new()
            }
            Msg::Fix { seq, event } => self.on_fix(seq, event),
            Msg::HarLoaded { path, result } => {
                self.har_loaded(path, result);
                Vec::new()
            }
            Msg::Audit { seq, event } => {
                self.on_audit(seq, event);
                Vec::new()
            }
            Msg::Quit => {
                self.quit = true;
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // Ctrl-C quits from anywhere, whatever the bindings say.
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit = true;
            return Vec::new();
        }
        self.status = None;
        if self.help {
            self.help = false;
            return Vec::new();
        }
        if let Some(scroll) = self.preview {
            // The preview scrolls; Esc (or any other key) closes it, changing nothing.
            let max = crate::tui::view::preview_max_scroll(self);
            self.preview = match self.keymap.action(self.context(), &key) {
                Some(Action::Down) => Some(scroll.saturating_add(1).min(max)),
                Some(Action::Up) => Some(scroll.saturating_sub(1)),
                Some(Action::PageDown) => Some(scroll.saturating_add(10).min(max)),
                Some(Action::PageUp) => Some(scroll.saturating_sub(10)),
                Some(Action::Top) => Some(0),
                Some(Action::Bottom) => Some(max),
                _ => None,
            };
            return Vec::new();
        }
        if self.flow.is_some() {
            self.flow_key(&key);
            return Vec::new();
        }
        if self.fix.is_some() {
            return self.fix_key(key);
        }
        if self.quit_prompt {
            // Enter, y or the quit key quit; Esc, n or the back key stay.
            let action = self.keymap.action(Context::Main, &key);
            match (key.code, action) {
                (KeyCode::Char('y' | 'Y') | KeyCode::Enter, _) | (_, Some(Action::Quit)) => {
                    self.quit = true
                }
                (KeyCode::Char('n' | 'N') | KeyCode::Esc, _) | (_, Some(Action::Back)) => {
                    self.quit_prompt = false
                }
                _ => {}
            }
            return Vec::new();
        }
        if self.screen == Screen::Form {
            if let Some(effects) = self.form_edit(key) {
                return effects;
            }
        }
        if self.screen == Screen::Explorer && self.explorer.editing {
            if let Some(effects) = self.filter_edit(key) {
                return effects;
            }
        }
        if self.screen == Screen::Audit && self.audit.editing {
            if let Some(effects) = self.audit_filter_edit(key) {
                return effects;
            }
        }
        let mut effects = match self.keymap.action(self.context(), &key) {
            Some(action) => self.on_action(action),
            None => Vec::new(),
        };
        if self.screen == Screen::Learn && self.learning.hint {
            self.learning.hint = false;
            effects.push(Effect::LearnSeen);
        }
        effects
    }

    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.quit = true;
                return Vec::new();
            }
            Action::Help => {
                self.help = true;
                return Vec::new();
            }
            Action::Audit if self.screen != Screen::Audit => return self.open_audit(),
            _ => {}
        }
        match self.screen {
            Screen::Form => self.form_action(action),
            Screen::Demo => self.demo_action(action),
            Screen::Main => self.main_action(action),
            Screen::Evidence => self.evidence_action(action),
            Screen::Learn => self.learn_action(action),
            Screen::Explorer => self.explorer_action(action),
            Screen::Audit => self.audit_action(action),
        }
    }
}
