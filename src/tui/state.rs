//! The application state and `update(Msg) -> effects`: pure, no I/O, no terminal. The event
//! loop feeds messages in and carries the effects out.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};

use super::demo::ScenarioEntry;
use super::explorer::{ApiTree, Row};
use super::form::{Field, FormState};
use super::inspect;
use super::keymap::{Action, Context, Keymap};
use super::layout;
use super::learn::Learn;
use super::session::LastTarget;
use crate::cli::{Plan, TargetArgs};
use crate::config::Config;
use crate::diagnose::StepStatus;
use crate::evidence::{Exchange, ExchangeKind};
use crate::probe::requests::PlannedRequest;
use crate::report::Report;
use crate::runner::RunEvent;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Form,
    Demo,
    Main,
    Evidence,
    Learn,
    Explorer,
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
    pub plan: Plan,
    pub args: TargetArgs,
    pub phase: Phase,
    pub planned: Vec<PlannedRequest>,
    /// Exchanges as they complete (masked on arrival).
    pub exchanges: Vec<Exchange>,
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

    /// Are the inputs of step `number` all in? 1: the actual request and curl's; 2: the plan;
    /// 3–4: the preflight and the configuration; 5: those, the actual request and the
    /// foreign-origin lint; 6: the actual request and the configuration; 7: everything,
    /// including the Chromium retest when there is one.
    pub fn inputs_in(&self, number: u8) -> bool {
        use ExchangeKind::{Actual, ForeignOrigin, NoOrigin, Preflight};
        if self.planned.is_empty() {
            return false;
        }
        match number {
            1 => self.has(Actual) && self.has(NoOrigin),
            2 => true,
            3 | 4 => self.has(Preflight) && self.config_done,
            5 => {
                self.has(Preflight)
                    && self.has(Actual)
                    && self.has(ForeignOrigin)
                    && self.config_done
            }
            6 => self.has(Actual) && self.config_done,
            _ => {
                !self.chromium
                    && self.config_done
                    && [Preflight, Actual, NoOrigin, ForeignOrigin]
                        .into_iter()
                        .all(|k| self.has(k))
            }
        }
    }

    /// The exchanges to show: the report's once finished, else those that arrived.
    pub fn exchange_list(&self) -> &[Exchange] {
        match (&self.report, self.running()) {
            (Some(r), false) => &r.exchanges,
            _ => &self.exchanges,
        }
    }
}

/// A transient line in the footer: a confirmation or a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// The API explorer: the loaded API's rows, the filter, and which slice of the (filtered)
/// rows is on screen. Rebuilt only when a run loads a configuration.
#[derive(Clone, Debug, Default)]
pub struct ExplorerState {
    /// `None` until a run loads a configuration.
    pub tree: Option<ApiTree>,
    pub filter: String,
    /// Typing goes into the filter.
    pub editing: bool,
    /// Indices into `tree.rows` that pass the filter, in order.
    pub visible: Vec<u32>,
    /// Index into `visible`.
    pub sel: usize,
    /// The first visible row on screen (index into `visible`).
    pub offset: usize,
}

impl ExplorerState {
    /// A new API (a new run): keeps the filter, and the selection when the same row exists.
    pub fn set_tree(&mut self, tree: ApiTree) {
        let keep = self
            .selected()
            .map(|(t, r)| (t.path_of(r).to_string(), r.method.clone()));
        self.tree = Some(tree);
        self.refilter();
        let Some(tree) = &self.tree else { return };
        let found = keep.and_then(|(path, method)| {
            self.visible.iter().position(|&i| {
                tree.rows
                    .get(i as usize)
                    .is_some_and(|r| r.method == method && tree.path_of(r) == path)
            })
        });
        let current = tree
            .current
            .and_then(|c| self.visible.iter().position(|&i| i == c));
        self.sel = found.or(current).unwrap_or(0);
    }

    /// Recomputes the visible rows (on every filter change, never per frame).
    pub fn refilter(&mut self) {
        self.visible = self
            .tree
            .as_ref()
            .map(|t| t.filter(&self.filter))
            .unwrap_or_default();
        self.sel = self.sel.min(self.visible.len().saturating_sub(1));
        self.offset = self.offset.min(self.sel);
    }

    pub fn selected(&self) -> Option<(&ApiTree, &Row)> {
        let tree = self.tree.as_ref()?;
        let i = *self.visible.get(self.sel)?;
        Some((tree, tree.rows.get(i as usize)?))
    }

    fn select(&mut self, sel: usize, height: usize) {
        self.sel = sel.min(self.visible.len().saturating_sub(1));
        self.offset = visible_offset(self.offset, self.sel, height);
    }
}

/// The first row on screen so that `sel` is visible, moving as little as possible.
pub fn visible_offset(offset: usize, sel: usize, height: usize) -> usize {
    let height = height.max(1);
    if sel < offset {
        sel
    } else if sel >= offset + height {
        sel + 1 - height
    } else {
        offset
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
    RunFailed {
        seq: u64,
        error: String,
    },
    DemoStarted(Result<Box<Plan>, String>),
    Copied(Result<String, String>),
    /// SIGTERM, SIGINT, SIGHUP.
    Quit,
}

/// What the loop must do after an update.
#[derive(Debug)]
pub enum Effect {
    /// Start a run; any pending run is cancelled first (a rerun replaces the pending job).
    StartRun {
        seq: u64,
        plan: Box<Plan>,
    },
    StartDemo {
        name: String,
    },
    /// Put text on the clipboard (OSC 52); `what` names it in the confirmation.
    Copy {
        text: String,
        what: String,
    },
    SaveLast(LastTarget),
}

pub struct AppState {
    pub screen: Screen,
    pub help: bool,
    pub form: FormState,
    /// The flags that the form does not show (timeouts, --openapi…), kept for submits.
    pub base_args: TargetArgs,
    pub config: Config,
    pub diag: Option<Diagnosis>,
    next_seq: u64,
    pub step_sel: usize,
    pub pane: Pane,
    pub detail_scroll: u16,
    pub ev_sel: usize,
    pub ev_scroll: u16,
    pub learn_sel: usize,
    pub learn_scroll: u16,
    pub demo: Vec<ScenarioEntry>,
    pub demo_sel: usize,
    pub explorer: ExplorerState,
    pub status: Option<Status>,
    /// Spinner frame: advances only on ticks, which only come while work runs.
    pub tick: usize,
    pub size: Rect,
    pub keymap: Keymap,
    pub learn: Learn,
    pub color: bool,
    pub quit: bool,
}

impl AppState {
    pub fn new(config: Config, form: FormState, base_args: TargetArgs, keymap: Keymap) -> Self {
        AppState {
            screen: Screen::Form,
            help: false,
            form,
            base_args,
            config,
            diag: None,
            next_seq: 1,
            step_sel: 0,
            pane: Pane::List,
            detail_scroll: 0,
            ev_sel: 0,
            ev_scroll: 0,
            learn_sel: 0,
            learn_scroll: 0,
            demo: Vec::new(),
            demo_sel: 0,
            explorer: ExplorerState::default(),
            status: None,
            tick: 0,
            size: Rect::new(0, 0, 80, 24),
            keymap,
            learn: Learn::load(),
            color: true,
            quit: false,
        }
    }

    /// True while something runs: the loop only ticks (and so only redraws) while busy.
    pub fn busy(&self) -> bool {
        self.diag.as_ref().is_some_and(Diagnosis::running)
    }

    pub fn context(&self) -> Context {
        self.screen.context()
    }

    fn alloc_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    /// Starts diagnosing `plan` (from the form, the command line, a demo or the explorer).
    pub fn start(&mut self, plan: Plan, args: TargetArgs) -> Vec<Effect> {
        let seq = self.alloc_seq();
        self.diag = Some(Diagnosis {
            seq,
            chromium: plan.browser,
            plan: plan.clone(),
            args,
            phase: Phase::Running,
            planned: Vec::new(),
            exchanges: Vec::new(),
            config_detail: None,
            config_done: false,
            browser_started: false,
            note: None,
            report: None,
        });
        // "starting scenario …" and the like are over once the run starts.
        self.status = None;
        self.screen = Screen::Main;
        self.step_sel = 0;
        self.pane = Pane::List;
        self.detail_scroll = 0;
        self.ev_sel = 0;
        self.ev_scroll = 0;
        vec![Effect::StartRun {
            seq,
            plan: Box::new(plan),
        }]
    }

    /// Runs the whole diagnosis again (a step's verdict needs the evidence of the others);
    /// `chromium` retests in the real Chromium this time.
    fn rerun(&mut self, note: String, chromium: bool) -> Vec<Effect> {
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
        d.chromium = chromium || d.plan.browser;
        d.note = Some(note);
        d.report = None;
        self.status = None;
        let mut plan = d.plan.clone();
        plan.browser = d.chromium;
        vec![Effect::StartRun {
            seq,
            plan: Box::new(plan),
        }]
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Msg::Key(_) => Vec::new(),
            Msg::Mouse(m) => {
                self.on_mouse(m);
                Vec::new()
            }
            Msg::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
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
            Msg::RunFailed { seq, error } => {
                if let Some(d) = self.diag.as_mut().filter(|d| d.seq == seq) {
                    d.phase = Phase::Failed(error.clone());
                    self.status = Some(Status {
                        text: error,
                        error: true,
                    });
                }
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
                self.status = Some(Status {
                    text: e,
                    error: true,
                });
                Vec::new()
            }
            Msg::Copied(Ok(text)) => {
                self.status = Some(Status { text, error: false });
                Vec::new()
            }
            Msg::Copied(Err(text)) => {
                self.status = Some(Status { text, error: true });
                Vec::new()
            }
            Msg::Quit => {
                self.quit = true;
                Vec::new()
            }
        }
    }

    fn on_run(&mut self, seq: u64, event: RunEvent) {
        let Some(d) = self.diag.as_mut().filter(|d| d.seq == seq) else {
            return; // a cancelled run's late message
        };
        match event {
            RunEvent::Planned { requests, .. } => d.planned = requests,
            RunEvent::ExchangeDone(x) => d.exchanges.push(crate::report::masked_exchange(&x)),
            RunEvent::ConfigLoaded { api, stage, path } => {
                let tree = ApiTree::new(&api, stage.as_deref(), &path, &d.plan.target.method);
                self.explorer.set_tree(tree);
            }
            RunEvent::ConfigDone { detail, .. } => {
                d.config_detail = Some(detail);
                d.config_done = true;
            }
            RunEvent::BrowserStarted => d.browser_started = true,
            RunEvent::Finished(report) => {
                let first = report.first_failing_step;
                let chromium_missing = d.chromium && report.browser.source != "chromium";
                d.report = Some(*report);
                d.phase = Phase::Finished;
                d.note = None;
                if let Some(n) = first {
                    self.step_sel = usize::from(n.saturating_sub(1)).min(6);
                    self.detail_scroll = 0;
                }
                if d.chromium {
                    self.step_sel = 6;
                    self.detail_scroll = 0;
                }
                if chromium_missing {
                    self.status = Some(Status {
                        text: format!(
                            "the Chromium retest could not run (step 7 says why); install Chromium: {}",
                            crate::browser::INSTALL_COMMAND
                        ),
                        error: true,
                    });
                }
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
        match self.keymap.action(self.context(), &key) {
            Some(action) => self.on_action(action),
            None => Vec::new(),
        }
    }

    /// Text editing in the form; `None` when the key is not an edit (then it is an action).
    fn form_edit(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let f = &mut self.form;
        let field = f.field();
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if field == Field::Credentials {
            match key.code {
                KeyCode::Char(' ') | KeyCode::Right => f.cycle_credentials(true),
                KeyCode::Left => f.cycle_credentials(false),
                KeyCode::Up => f.prev(),
                KeyCode::Down => f.next(),
                _ => return None,
            }
            return Some(Vec::new());
        }
        if key.code == KeyCode::Char('u') && key.modifiers.contains(KeyModifiers::CONTROL) {
            if let Some(i) = f.input_mut(field) {
                i.clear();
            }
            return Some(Vec::new());
        }
        match key.code {
            KeyCode::Up => f.prev(),
            KeyCode::Down => f.next(),
            _ => {
                let input = f.input_mut(field)?;
                match key.code {
                    KeyCode::Char(c) if plain => input.insert(c),
                    KeyCode::Backspace => input.backspace(),
                    KeyCode::Delete => input.delete(),
                    KeyCode::Left => input.left(),
                    KeyCode::Right => input.right(),
                    KeyCode::Home => input.home(),
                    KeyCode::End => input.end(),
                    _ => return None,
                }
            }
        }
        Some(Vec::new())
    }

    fn submit_form(&mut self) -> Vec<Effect> {
        let args = self.form.to_args(&self.base_args);
        match args.resolve(&self.config) {
            Ok(plan) => {
                self.form.error = None;
                let mut effects = vec![Effect::SaveLast(LastTarget::from_args(&args))];
                effects.extend(self.start(plan, args));
                effects
            }
            Err(e) => {
                self.form.error = Some(e.0);
                Vec::new()
            }
        }
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
            _ => {}
        }
        match self.screen {
            Screen::Form => self.form_action(action),
            Screen::Demo => self.demo_action(action),
            Screen::Main => self.main_action(action),
            Screen::Evidence => self.evidence_action(action),
            Screen::Learn => self.learn_action(action),
            Screen::Explorer => self.explorer_action(action),
        }
    }

    /// Rows of the explorer's list on screen.
    fn explorer_height(&self) -> usize {
        usize::from(layout::explorer(self.size).list.height)
    }

    /// Typing into the explorer's filter; `None` when the key is not an edit.
    fn filter_edit(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char(c) if !ctrl => self.explorer.filter.push(c),
            KeyCode::Backspace => {
                self.explorer.filter.pop();
            }
            KeyCode::Char('u') if ctrl => self.explorer.filter.clear(),
            _ => return None,
        }
        self.explorer.sel = 0;
        self.explorer.offset = 0;
        self.explorer.refilter();
        // The first matching method, so that Enter diagnoses it.
        let first_method = self.explorer.tree.as_ref().and_then(|t| {
            self.explorer.visible.iter().position(|&i| {
                t.rows
                    .get(i as usize)
                    .is_some_and(|r| r.method.as_deref().is_some_and(|m| m != "OPTIONS"))
            })
        });
        let height = self.explorer_height();
        self.explorer.select(first_method.unwrap_or(0), height);
        Some(Vec::new())
    }

    fn explorer_action(&mut self, action: Action) -> Vec<Effect> {
        let height = self.explorer_height();
        let ex = &mut self.explorer;
        let n = ex.visible.len();
        match action {
            Action::Up => ex.select(ex.sel.saturating_sub(1), height),
            Action::Down => ex.select(ex.sel + 1, height),
            Action::PageUp => ex.select(ex.sel.saturating_sub(height), height),
            Action::PageDown => ex.select(ex.sel + height, height),
            Action::Top => ex.select(0, height),
            Action::Bottom => ex.select(n.saturating_sub(1), height),
            Action::Filter => ex.editing = true,
            Action::Back if ex.editing || !ex.filter.is_empty() => {
                ex.editing = false;
                ex.filter.clear();
                ex.refilter();
                ex.select(ex.sel, height);
            }
            Action::Back | Action::Tree => {
                ex.editing = false;
                self.screen = Screen::Main;
            }
            Action::Select => return self.diagnose_selected(),
            _ => {}
        }
        Vec::new()
    }

    /// Enter in the explorer: diagnoses the selected method with the same origin, headers
    /// and credentials.
    fn diagnose_selected(&mut self) -> Vec<Effect> {
        let Some(d) = &self.diag else {
            return Vec::new();
        };
        let Some((tree, row)) = self.explorer.selected() else {
            self.status = Some(Status {
                text: "nothing selected to diagnose".into(),
                error: true,
            });
            return Vec::new();
        };
        match tree.plan_for(row, &d.plan, &d.args) {
            Ok((plan, args)) => {
                self.explorer.editing = false;
                let mut effects = vec![Effect::SaveLast(LastTarget::from_args(&args))];
                effects.extend(self.start(plan, args));
                effects
            }
            Err(e) => {
                self.status = Some(Status {
                    text: e,
                    error: true,
                });
                Vec::new()
            }
        }
    }

    fn form_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::NextPane => self.form.next(),
            Action::PrevPane => self.form.prev(),
            Action::Select => return self.submit_form(),
            Action::Back => {
                if self.diag.is_some() {
                    self.screen = Screen::Main;
                } else {
                    self.quit = true;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn demo_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self.demo.len();
        match action {
            Action::Up => self.demo_sel = self.demo_sel.saturating_sub(1),
            Action::Down => self.demo_sel = (self.demo_sel + 1).min(n.saturating_sub(1)),
            Action::Top => self.demo_sel = 0,
            Action::Bottom => self.demo_sel = n.saturating_sub(1),
            Action::Select => {
                if let Some(e) = self.demo.get(self.demo_sel) {
                    self.status = Some(Status {
                        text: format!("starting scenario {}…", e.name),
                        error: false,
                    });
                    return vec![Effect::StartDemo {
                        name: e.name.clone(),
                    }];
                }
            }
            Action::Back => self.quit = true,
            _ => {}
        }
        Vec::new()
    }

    fn selected_step_number(&self) -> u8 {
        u8::try_from(self.step_sel + 1).unwrap_or(1)
    }

    fn main_action(&mut self, action: Action) -> Vec<Effect> {
        let page = layout::main(self.size)
            .detail
            .height
            .saturating_sub(2)
            .max(1);
        match (action, self.pane) {
            (Action::Up, Pane::List) => {
                self.step_sel = self.step_sel.saturating_sub(1);
                self.detail_scroll = 0;
            }
            (Action::Down, Pane::List) => {
                self.step_sel = (self.step_sel + 1).min(6);
                self.detail_scroll = 0;
            }
            (Action::Top, Pane::List) => self.step_sel = 0,
            (Action::Bottom, Pane::List) => self.step_sel = 6,
            (Action::Up, Pane::Detail) => self.detail_scroll = self.detail_scroll.saturating_sub(1),
            (Action::Down, Pane::Detail) => {
                self.detail_scroll = self.detail_scroll.saturating_add(1)
            }
            (Action::PageUp, _) => self.detail_scroll = self.detail_scroll.saturating_sub(page),
            (Action::PageDown, _) => self.detail_scroll = self.detail_scroll.saturating_add(page),
            (Action::Top, Pane::Detail) => self.detail_scroll = 0,
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Select, _) => self.pane = Pane::Detail,
            (Action::Back, Pane::Detail) => self.pane = Pane::List,
            (Action::Back, Pane::List) | (Action::EditTarget, _) => self.edit_target(),
            (Action::Rerun, _) => {
                let n = self.selected_step_number();
                return self.rerun(
                    format!("rerunning the whole diagnosis (step {n} needs its evidence)…"),
                    false,
                );
            }
            (Action::RerunAll, _) => return self.rerun("rerunning…".into(), false),
            (Action::Chromium, _) => return self.rerun("retesting in Chromium…".into(), true),
            (Action::Evidence, _) => self.open_evidence(),
            (Action::Learn, _) => {
                self.learn_sel = self.learn.topic_for_step(self.selected_step_number());
                self.learn_scroll = 0;
                self.screen = Screen::Learn;
            }
            (Action::Tree, _) => self.screen = Screen::Explorer,
            (Action::Copy, _) => return self.copy_remediation(),
            (Action::CopyCurl, _) => return self.copy_curl(self.cited_exchange()),
            _ => {}
        }
        Vec::new()
    }

    fn edit_target(&mut self) {
        if let Some(d) = &self.diag {
            let mut form = FormState::from_args(&d.args);
            form.focus = 0;
            self.form = form;
        }
        self.screen = Screen::Form;
    }

    /// The index of the first exchange the selected step's findings cite.
    fn cited_exchange(&self) -> Option<usize> {
        let d = self.diag.as_ref()?;
        let list = d.exchange_list();
        let cited = d
            .report
            .as_ref()
            .and_then(|r| r.step(self.selected_step_number()))
            .and_then(|s| {
                s.findings
                    .iter()
                    .flat_map(|f| f.evidence.iter())
                    .find_map(|id| list.iter().position(|x| &x.id == id))
            });
        cited.or(if list.is_empty() { None } else { Some(0) })
    }

    fn open_evidence(&mut self) {
        self.ev_sel = self.cited_exchange().unwrap_or(0);
        self.ev_scroll = 0;
        self.pane = Pane::List;
        self.screen = Screen::Evidence;
    }

    fn copy_remediation(&mut self) -> Vec<Effect> {
        let n = self.selected_step_number();
        let step = self
            .diag
            .as_ref()
            .and_then(|d| d.report.as_ref())
            .and_then(|r| r.step(n));
        let mut text = String::new();
        for f in step.iter().flat_map(|s| s.findings.iter()) {
            if let Some(r) = &f.remediation {
                text.push_str(&format!("# {}: {}\n", f.code, r.text));
                for c in &r.commands {
                    text.push_str(c);
                    text.push('\n');
                }
            }
        }
        if text.is_empty() {
            self.status = Some(Status {
                text: format!("step {n} has no remediation to copy"),
                error: true,
            });
            return Vec::new();
        }
        vec![Effect::Copy {
            text,
            what: format!("the remediation of step {n}"),
        }]
    }

    fn copy_curl(&mut self, index: Option<usize>) -> Vec<Effect> {
        let x = self
            .diag
            .as_ref()
            .and_then(|d| index.and_then(|i| d.exchange_list().get(i)));
        match x {
            Some(x) => vec![Effect::Copy {
                text: inspect::curl(x),
                what: format!("curl for {} ({})", x.id, x.kind.label()),
            }],
            None => {
                self.status = Some(Status {
                    text: "no exchange to copy yet".into(),
                    error: true,
                });
                Vec::new()
            }
        }
    }

    fn evidence_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self
            .diag
            .as_ref()
            .map_or(0, |d| d.exchange_list().len().max(d.planned.len()));
        let page = layout::two_pane(self.size)
            .detail
            .height
            .saturating_sub(2)
            .max(1);
        match (action, self.pane) {
            (Action::Up, Pane::List) => {
                self.ev_sel = self.ev_sel.saturating_sub(1);
                self.ev_scroll = 0;
            }
            (Action::Down, Pane::List) => {
                self.ev_sel = (self.ev_sel + 1).min(n.saturating_sub(1));
                self.ev_scroll = 0;
            }
            (Action::Top, Pane::List) => self.ev_sel = 0,
            (Action::Bottom, Pane::List) => self.ev_sel = n.saturating_sub(1),
            (Action::Up, Pane::Detail) => self.ev_scroll = self.ev_scroll.saturating_sub(1),
            (Action::Down, Pane::Detail) => self.ev_scroll = self.ev_scroll.saturating_add(1),
            (Action::Top, Pane::Detail) => self.ev_scroll = 0,
            (Action::PageUp, _) => self.ev_scroll = self.ev_scroll.saturating_sub(page),
            (Action::PageDown, _) => self.ev_scroll = self.ev_scroll.saturating_add(page),
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Back, _) => {
                self.pane = Pane::List;
                self.screen = Screen::Main;
            }
            (Action::RerunAll, _) => return self.rerun("rerunning…".into(), false),
            (Action::Chromium, _) => return self.rerun("retesting in Chromium…".into(), true),
            (Action::Learn, _) => {
                self.learn_sel = self.learn.topic_for_step(self.selected_step_number());
                self.screen = Screen::Learn;
            }
            (Action::Tree, _) => self.screen = Screen::Explorer,
            (Action::Copy, _) => return self.copy_remediation(),
            (Action::CopyCurl, _) => return self.copy_curl(Some(self.ev_sel)),
            (Action::EditTarget, _) => self.edit_target(),
            _ => {}
        }
        Vec::new()
    }

    fn learn_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self.learn.topics.len();
        match (action, self.pane) {
            (Action::Up, Pane::List) => {
                self.learn_sel = self.learn_sel.saturating_sub(1);
                self.learn_scroll = 0;
            }
            (Action::Down, Pane::List) => {
                self.learn_sel = (self.learn_sel + 1).min(n.saturating_sub(1));
                self.learn_scroll = 0;
            }
            (Action::Up, Pane::Detail) | (Action::PageUp, _) => {
                self.learn_scroll = self.learn_scroll.saturating_sub(1)
            }
            (Action::Down, Pane::Detail) | (Action::PageDown, _) => {
                self.learn_scroll = self.learn_scroll.saturating_add(1)
            }
            (Action::Top, _) => self.learn_sel = 0,
            (Action::Bottom, _) => self.learn_sel = n.saturating_sub(1),
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Back, _) => {
                self.pane = Pane::List;
                self.screen = if self.diag.is_some() {
                    Screen::Main
                } else {
                    Screen::Form
                };
            }
            (Action::Evidence, _) if self.diag.is_some() => self.open_evidence(),
            _ => {}
        }
        Vec::new()
    }

    fn on_mouse(&mut self, m: MouseEvent) {
        let at = Position::new(m.column, m.row);
        let scroll = match m.kind {
            MouseEventKind::ScrollDown => 3i32,
            MouseEventKind::ScrollUp => -3,
            MouseEventKind::Down(MouseButton::Left) => 0,
            _ => return,
        };
        let bump = |v: u16| -> u16 {
            if scroll >= 0 {
                v.saturating_add(scroll.unsigned_abs() as u16)
            } else {
                v.saturating_sub(scroll.unsigned_abs() as u16)
            }
        };
        match self.screen {
            Screen::Main => {
                let areas = layout::main(self.size);
                if areas.list.contains(at) {
                    if scroll == 0 {
                        let row = usize::from(at.y.saturating_sub(areas.list.y + 1));
                        if row < 7 {
                            self.step_sel = row;
                            self.detail_scroll = 0;
                        }
                        self.pane = Pane::List;
                    } else if scroll > 0 {
                        self.step_sel = (self.step_sel + 1).min(6);
                    } else {
                        self.step_sel = self.step_sel.saturating_sub(1);
                    }
                } else if areas.detail.contains(at) {
                    self.pane = Pane::Detail;
                    self.detail_scroll = bump(self.detail_scroll);
                }
            }
            Screen::Evidence | Screen::Learn => {
                let areas = layout::two_pane(self.size);
                let evidence = self.screen == Screen::Evidence;
                if areas.list.contains(at) && scroll == 0 {
                    let row = usize::from(at.y.saturating_sub(areas.list.y + 1));
                    if evidence {
                        let n = self.diag.as_ref().map_or(0, |d| d.exchange_list().len());
                        if row < n {
                            self.ev_sel = row;
                            self.ev_scroll = 0;
                        }
                    } else if row < self.learn.topics.len() {
                        self.learn_sel = row;
                        self.learn_scroll = 0;
                    }
                    self.pane = Pane::List;
                } else if areas.detail.contains(at) {
                    self.pane = Pane::Detail;
                    if evidence {
                        self.ev_scroll = bump(self.ev_scroll);
                    } else {
                        self.learn_scroll = bump(self.learn_scroll);
                    }
                }
            }
            Screen::Form => {
                if scroll == 0 {
                    let body = layout::form(self.size);
                    if body.contains(at) {
                        let row = usize::from(at.y.saturating_sub(body.y + 1)) / 2;
                        if row < super::form::FIELDS.len() {
                            self.form.focus = row;
                        }
                    }
                }
            }
            Screen::Demo => {
                let body = layout::body(self.size);
                if scroll == 0 && body.contains(at) {
                    let row = usize::from(at.y.saturating_sub(body.y + 1));
                    if row < self.demo.len() {
                        self.demo_sel = row;
                    }
                }
            }
            Screen::Explorer => {
                let list = layout::explorer(self.size).list;
                let height = usize::from(list.height);
                if list.contains(at) && scroll == 0 {
                    let row = usize::from(at.y.saturating_sub(list.y));
                    let sel = self.explorer.offset + row;
                    if sel < self.explorer.visible.len() {
                        self.explorer.select(sel, height);
                    }
                } else if scroll > 0 {
                    self.explorer.select(self.explorer.sel + 3, height);
                } else if scroll < 0 {
                    self.explorer
                        .select(self.explorer.sel.saturating_sub(3), height);
                }
            }
        }
    }
}
