//! The terminal UI: terminal setup and restore, one event loop, `AppState` + `update(Msg) ->
//! effects`, views as functions of the state, and a keymap from which the footer and the
//! help overlay are built.
//!
//! One loop: input (crossterm's async `EventStream`), runner progress, ticks and signals all
//! arrive as [`Msg`] on one channel. The loop applies every queued message, then draws once.
//! Ticks only flow while a run is in progress, so an idle UI does not redraw. Nothing that can
//! block runs on the loop: opening the configuration source (an `--openapi` file), saving the
//! last target and the runs themselves are tasks (blocking ones on tokio's blocking pool).
//!
//! The state is the shell (the screen stack, the status line, the help overlay, the size)
//! and one component a screen, each with its own selection, focus and scroll: `StepsView`,
//! `EvidenceView`, `LearnView`, `DemoPicker`, `ExplorerState` and the form. Lists share one
//! component (`state::ListNav`, drawn with ratatui's `List`), and every detail pane's scroll
//! is clamped to its wrapped text (`view::*_max_scroll`), so `j`, `G`/End, PageDown and the
//! wheel stop at the real end.
//!
//! Navigation is a stack: a screen opens on top of the one it was opened from (a screen
//! already below is gone back to instead), Esc goes back exactly one level, and Esc at the
//! root (the picker, or the form) asks whether to quit. A diagnosis sits on the demo picker
//! when it is a scenario's, on the form otherwise. The header's breadcrumb is the stack.

pub mod clipboard;
pub mod demo;
pub mod explorer;
mod fix_job;
pub mod form;
pub mod inspect;
pub mod keymap;
mod keyspec;
pub mod layout;
pub mod learn;
pub mod session;
pub mod state;
mod terminal;
pub mod theme;
pub mod view;

use std::future::Future;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{FutureExt, StreamExt};
use ratatui::backend::Backend;
use ratatui::crossterm::event::{Event, EventStream, MouseEventKind};
use ratatui::crossterm::execute;
use ratatui::Terminal;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinHandle;

use crate::aws::ConfigSource;
use crate::config::Config;
use crate::plan::{Plan, TargetArgs};
use crate::report::Report;
use crate::runner::{self, HeldRun, RunError, RunEvent, SealedPlan};

pub use demo::{NoScenarios, ScenarioCatalog, ScenarioEntry, StartError, StartedScenario};
pub use state::{
    AppState, CallState, Effect, FixEvent, FixModal, FixPhase, FixPreview, Msg, Screen,
};
pub use terminal::restore_terminal;
use terminal::{install_panic_hook, panic_message, TerminalGuard};

/// Finds the configuration source a plan names (the same function `check` uses).
pub type SourceFn =
    Arc<dyn Fn(&Plan) -> Result<Option<Arc<dyn ConfigSource>>, String> + Send + Sync>;

/// Writes an OSC 52 "set clipboard" sequence to the terminal.
pub type Clipboard = Box<dyn FnMut(&str) -> io::Result<()> + Send>;

/// What the UI opens on.
pub enum StartMode {
    /// The target form, prefilled from the config and the last session.
    Form,
    /// Straight into the diagnosis of a resolved plan (`cors-doctor URL --origin …`).
    Diagnose(Box<Plan>),
    /// The form with the command line's values and why they were refused.
    FormError(String),
    /// The demo scenario picker.
    Demo,
}

pub struct Options {
    pub config: Config,
    /// The command line's target flags (also the base of every form submit).
    pub args: TargetArgs,
    pub start: StartMode,
    pub source: SourceFn,
    pub catalog: Arc<dyn ScenarioCatalog>,
    /// Where the last target is remembered (`None`: not remembered).
    pub last_path: Option<PathBuf>,
    /// False with NO_COLOR.
    pub color: bool,
}

/// Builds the initial state (pure: no terminal involved) and the effects to run first.
pub fn initial_state(opts: &Options) -> (AppState, Vec<Effect>) {
    let (keymap, problems) = keymap::Keymap::from_config(&opts.config.tui);
    let last = opts
        .last_path
        .as_deref()
        .map(session::LastTarget::load)
        .unwrap_or_default();
    let has_cli_target = opts.args.url.is_some() || opts.args.origin.is_some();
    let prefill = if has_cli_target {
        let base = session::prefill(&opts.config, &session::LastTarget::default());
        let a = form::prefill_from_args(&opts.args);
        form::Prefill {
            url: a.url,
            origin: a.origin.or(base.origin),
            method: a.method.or(base.method),
            headers: if a.headers.is_empty() {
                base.headers
            } else {
                a.headers
            },
            credentials: a.credentials.or(base.credentials),
            profile: a.profile.or(base.profile),
            region: a.region.or(base.region),
            ..a
        }
    } else {
        form::Prefill {
            parameters: opts.args.parameters.clone(),
            ..session::prefill(&opts.config, &last)
        }
    };
    let form = form::FormState::new(&prefill);
    let mut state = AppState::new(opts.config.clone(), form, opts.args.clone(), keymap);
    state.color = opts.color;
    // Only where it can be remembered (else it could never go away).
    state.learning.hint = opts.last_path.is_some() && !last.learn_seen;
    state.demo.entries = opts.catalog.entries();
    let effects = match &opts.start {
        StartMode::Form => Vec::new(),
        StartMode::Diagnose(plan) => {
            // One level up from the diagnosis: the demo picker for a scenario, else the form.
            if let Some(scenario) = &plan.scenario {
                state.screen = Screen::Demo;
                state.select_scenario(&scenario.name);
            }
            let args = state.form.to_args(&opts.args);
            state.start_remembered((**plan).clone(), args)
        }
        StartMode::FormError(e) => {
            // Under the fields to blame when the form's own checks find them; the command
            // line's message otherwise.
            state.form.errors = state.form.validate(&form::check_openapi_file);
            match state.form.errors.first() {
                Some((slot, _)) => state.form.focus_on(*slot),
                None => state.form.error = Some(e.clone()),
            }
            Vec::new()
        }
        StartMode::Demo => {
            state.screen = Screen::Demo;
            Vec::new()
        }
    };
    // After the start (which clears the footer): the keymap's problems stay visible.
    if !problems.is_empty() {
        state.status = Some(state::Status::error(problems.join("; ")));
    }
    (state, effects)
}

/// Why the terminal UI could not run.
#[derive(Debug, thiserror::Error)]
pub enum TerminalError {
    /// Raw mode, the alternate screen or the backend could not be set up.
    #[error("cannot set up the terminal: {0}")]
    Setup(io::Error),
    /// The terminal's size could not be read.
    #[error("{0}")]
    Size(io::Error),
    /// A frame could not be drawn (the backend's message).
    #[error("{0}")]
    Draw(String),
}

/// Runs the UI on the real terminal until the user quits. The terminal is restored on quit,
/// error, panic, Ctrl-C and SIGTERM.
pub async fn run(opts: Options) -> Result<i32, TerminalError> {
    let (mut state, first_effects) = initial_state(&opts);
    install_panic_hook();
    let guard = TerminalGuard::enter().map_err(TerminalError::Setup)?;
    let mut terminal = Terminal::new(ratatui::backend::CrosstermBackend::new(io::stdout()))
        .map_err(TerminalError::Setup)?;
    let size = terminal.size().map_err(TerminalError::Size)?;
    state.size = ratatui::layout::Rect::new(0, 0, size.width, size.height);

    let (tx, mut rx) = unbounded_channel();
    let input = tokio::spawn(read_input(tx.clone()));
    let signals = tokio::spawn(watch_signals(tx.clone()));
    let mut jobs = Jobs::new(
        tx,
        opts.source.clone(),
        opts.catalog.clone(),
        opts.last_path.clone(),
    );
    jobs.clipboard = Box::new(osc52);
    jobs.copy_route = clipboard::detect_env();
    jobs.copy_file = clipboard::default_file();
    jobs.write_key = state.keymap.key_for(keymap::Action::WriteCopy);
    for e in first_effects {
        jobs.apply(e);
    }
    let result = event_loop(&mut terminal, &mut state, &mut rx, &mut jobs).await;
    jobs.shutdown();
    input.abort();
    signals.abort();
    drop(terminal);
    drop(guard);
    tracing::info!("terminal UI closed");
    result.map(|()| 0)
}

/// The one loop: waits for a message, applies everything queued, draws once.
pub async fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut AppState,
    rx: &mut UnboundedReceiver<Msg>,
    jobs: &mut Jobs,
) -> Result<(), TerminalError> {
    terminal
        .draw(|f| view::render(f, state))
        .map_err(|e| TerminalError::Draw(e.to_string()))?;
    jobs.sync_ticker(state.busy());
    while let Some(msg) = rx.recv().await {
        let mut dirty = apply(state, jobs, msg);
        while let Ok(msg) = rx.try_recv() {
            dirty |= apply(state, jobs, msg);
        }
        if state.quit {
            break;
        }
        jobs.sync_ticker(state.busy());
        if dirty {
            terminal
                .draw(|f| view::render(f, state))
                .map_err(|e| TerminalError::Draw(e.to_string()))?;
        }
    }
    Ok(())
}

/// Applies one message; true when the screen may have changed.
fn apply(state: &mut AppState, jobs: &mut Jobs, msg: Msg) -> bool {
    let dirty = !matches!(
        &msg,
        Msg::Mouse(m) if matches!(m.kind, MouseEventKind::Moved | MouseEventKind::Drag(_))
    );
    for effect in state.update(msg) {
        jobs.apply(effect);
    }
    dirty
}

/// The running background work, each cancellable: the diagnosis, the spinner ticker, a demo
/// scenario (its task keeps the scenario alive).
pub struct Jobs {
    tx: UnboundedSender<Msg>,
    source: SourceFn,
    catalog: Arc<dyn ScenarioCatalog>,
    last_path: Option<PathBuf>,
    run: Option<JoinHandle<()>>,
    ticker: Option<JoinHandle<()>>,
    demo: Option<JoinHandle<()>>,
    /// Saves of the last target asked for, and the newest one written (see `SaveLast`).
    saves: u64,
    saved: Arc<Mutex<u64>>,
    /// The copy in progress (tmux or screen taking the text).
    copy: Option<JoinHandle<()>>,
    /// The last text copied and what it is, for `w` (write it to a file).
    last_copy: Option<(String, String)>,
    /// Writes OSC 52 (the terminal route).
    pub clipboard: Clipboard,
    /// Where copies go: tmux, screen or the terminal.
    pub copy_route: clipboard::Route,
    /// Where `w` writes the last copy.
    pub copy_file: PathBuf,
    /// The key that writes the last copy to a file, for the statuses that offer it.
    pub write_key: String,
    pub tick_every: Duration,
    /// The fix modal's work (`a`).
    fix: fix_job::FixJobs,
}

impl Jobs {
    pub fn new(
        tx: UnboundedSender<Msg>,
        source: SourceFn,
        catalog: Arc<dyn ScenarioCatalog>,
        last_path: Option<PathBuf>,
    ) -> Self {
        Jobs {
            tx,
            source,
            catalog,
            last_path,
            run: None,
            ticker: None,
            fix: fix_job::FixJobs::default(),
            demo: None,
            saves: 0,
            saved: Arc::default(),
            copy: None,
            last_copy: None,
            clipboard: Box::new(|_| Ok(())),
            copy_route: clipboard::Route::Terminal { behind: None },
            copy_file: clipboard::default_file(),
            write_key: "w".into(),
            tick_every: Duration::from_millis(100),
        }
    }

    pub fn apply(&mut self, effect: Effect) {
        match effect {
            Effect::StartRun { seq, plan } => self.start_run(seq, *plan),
            Effect::PrepareFix {
                seq,
                plan,
                allowed_origins,
            } => self
                .fix
                .prepare(self.tx.clone(), seq, *plan, allowed_origins),
            Effect::ApplyFix { seq } => self.fix.apply(self.tx.clone(), seq),
            Effect::CancelFix { seq } => self.fix.cancel(seq),
            Effect::RerunExchanges {
                seq,
                plan,
                kinds,
                previous,
            } => {
                tracing::info!(seq, ?kinds, "rerunning some exchanges");
                let none = |_: &Plan| Ok(None);
                self.spawn_run(seq, move |events| async move {
                    runner::run_sealed(&plan, none, Some((&previous, &kinds)), Some(events)).await
                });
            }
            Effect::StartDemo { name } => {
                if let Some(old) = self.demo.take() {
                    old.abort();
                }
                let catalog = self.catalog.clone();
                let tx = self.tx.clone();
                self.demo = Some(tokio::spawn(async move {
                    match catalog.start(&name).await {
                        Ok(started) => {
                            let _ = tx.send(Msg::DemoStarted(Ok(Box::new(started.plan))));
                            // Keep the scenario (its server) alive until this task is aborted.
                            let _guard = started.guard;
                            std::future::pending::<()>().await;
                        }
                        Err(e) => {
                            let _ = tx.send(Msg::DemoStarted(Err(e)));
                        }
                    }
                }));
            }
            Effect::LoadHar { path, shown } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result = runner::har::HeldHar::load(&path, crate::cors::Mode::ChromeToday);
                    let _ = tx.send(Msg::HarLoaded {
                        path: shown,
                        result,
                    });
                });
            }
            Effect::StartRecorded {
                seq,
                plan,
                recording,
                send,
            } => {
                plan.remember_secrets();
                tracing::info!(
                    seq,
                    entry = recording.entry(),
                    ?send,
                    "HAR diagnosis started"
                );
                let find = self.source.clone();
                self.spawn_run(seq, move |events| async move {
                    let source = |raw: &Plan| find(raw).map_err(RunError::Source);
                    runner::har::run_sealed_recorded(&plan, source, &recording, &send, Some(events))
                        .await
                });
            }
            Effect::Copy { text, what } => self.copy(text, what),
            Effect::WriteCopy => {
                let Some((text, what)) = self.last_copy.clone() else {
                    let _ = self.tx.send(Msg::Copied(Err(
                        "nothing copied yet: copy the fix or a curl first".into(),
                    )));
                    return;
                };
                let path = self.copy_file.clone();
                self.spawn_copy(async move {
                    let bytes = text.len();
                    clipboard::write_file(path.clone(), text)
                        .await
                        .map(|()| format!("✔ wrote {what} to {} ({bytes} bytes)", path.display()))
                });
            }
            Effect::LearnSeen => {
                if let Some(path) = self.last_path.clone() {
                    // A small bounded read and a write: on a blocking thread, one at a time
                    // with the saves of the last target (the same file).
                    let written = self.saved.clone();
                    tokio::task::spawn_blocking(move || {
                        let _one_at_a_time = written
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        if let Err(e) = session::LastTarget::remember_learn_seen(&path) {
                            tracing::warn!(error = %e, "could not remember that learn mode was opened");
                        }
                    });
                }
            }
            Effect::SaveLast(last) => {
                if let Some(path) = self.last_path.clone() {
                    // A file write: never on the event loop. One at a time, and a save that
                    // comes after a newer one is skipped.
                    self.saves += 1;
                    let seq = self.saves;
                    let written = self.saved.clone();
                    tokio::task::spawn_blocking(move || {
                        let mut written = written
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        if seq <= *written {
                            return;
                        }
                        *written = seq;
                        if let Err(e) = last.save(&path) {
                            tracing::warn!(error = %e, "could not remember the last target");
                        }
                    });
                }
            }
        }
    }

    /// Copies `text` by the route the environment gave: OSC 52 here, on the loop's thread
    /// (so it never lands inside a frame); tmux and screen in a background task.
    fn copy(&mut self, text: String, what: String) {
        self.last_copy = Some((text.clone(), what.clone()));
        let key = self.write_key.clone();
        match self.copy_route.clone() {
            clipboard::Route::Terminal { behind } => {
                let result = (self.clipboard)(&text)
                    .map(|()| clipboard::osc52_status(&what, behind, &key))
                    .map_err(|e| {
                        format!("could not send {what} via OSC 52 ({e}); {key} saves it to a file")
                    });
                let _ = self.tx.send(Msg::Copied(result));
            }
            clipboard::Route::Tmux => {
                self.spawn_copy(async move { clipboard::to_tmux(&text, &what, &key).await })
            }
            clipboard::Route::Screen { session } => {
                let file = self.copy_file.clone();
                self.spawn_copy(
                    async move { clipboard::to_screen(&text, &what, &session, &file).await },
                )
            }
        }
    }

    /// Runs a copy in the background (replacing one still in progress); its result comes
    /// back as `Msg::Copied`.
    fn spawn_copy<F>(&mut self, work: F)
    where
        F: Future<Output = Result<String, clipboard::CopyError>> + Send + 'static,
    {
        if let Some(old) = self.copy.take() {
            old.abort();
        }
        let tx = self.tx.clone();
        self.copy = Some(tokio::spawn(async move {
            // The status line shows the message.
            let _ = tx.send(Msg::Copied(work.await.map_err(|e| e.to_string())));
        }));
    }

    /// Cancels the pending run (if any) and starts this one.
    fn start_run(&mut self, seq: u64, plan: SealedPlan) {
        // From now on the log and every message mask this target's secrets by value too.
        plan.remember_secrets();
        tracing::info!(seq, url = %plan.shown().target.url, "diagnosis started");
        let find = self.source.clone();
        self.spawn_run(seq, move |events| async move {
            let source = |raw: &Plan| find(raw).map_err(RunError::Source);
            runner::run_sealed(&plan, source, None, Some(events)).await
        });
    }

    /// Cancels the pending run (if any) and runs `run` (given its event sender) in the
    /// background, passing its events on. The evidence of a run that finishes goes to the
    /// state as an opaque [`HeldRun`] (`Msg::Held`), before its `Finished` event.
    fn spawn_run<F, Fut>(&mut self, seq: u64, run: F)
    where
        F: FnOnce(UnboundedSender<RunEvent>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(Report, HeldRun), RunError>> + Send,
    {
        if let Some(old) = self.run.take() {
            old.abort();
        }
        let tx = self.tx.clone();
        self.run = Some(tokio::spawn(async move {
            let (ev_tx, mut ev_rx) = unbounded_channel();
            // A panic in the diagnosis (a bug) ends this run with an error the UI shows; the
            // panic hook leaves the terminal to the UI (see `install_panic_hook`).
            let run = std::panic::AssertUnwindSafe(run(ev_tx))
                .catch_unwind()
                .map(|r| r.unwrap_or_else(|panic| Err(RunError::Internal(panic_message(&*panic)))));
            tokio::pin!(run);
            // `Finished` waits for the run's end, so that the held evidence is in first.
            let mut finished = None;
            let mut pass_on = |event: RunEvent| match event {
                RunEvent::Finished(_) => finished = Some(event),
                event => {
                    let _ = tx.send(Msg::Run { seq, event });
                }
            };
            let result = loop {
                tokio::select! {
                    biased;
                    Some(event) = ev_rx.recv() => pass_on(event),
                    result = &mut run => break result,
                }
            };
            // Events sent just before the end.
            while let Ok(event) = ev_rx.try_recv() {
                pass_on(event);
            }
            let error = match result {
                Ok((_, held)) => {
                    let _ = tx.send(Msg::Held { seq, run: held });
                    None
                }
                Err(e) => Some(e.to_string()),
            };
            if let Some(event) = finished {
                let _ = tx.send(Msg::Run { seq, event });
            }
            if let Some(error) = error {
                let _ = tx.send(Msg::RunFailed { seq, error });
            }
        }));
    }

    /// Ticks (for spinners) only while something runs.
    pub fn sync_ticker(&mut self, busy: bool) {
        match (&self.ticker, busy) {
            (None, true) => {
                let tx = self.tx.clone();
                let every = self.tick_every;
                self.ticker = Some(tokio::spawn(async move {
                    let mut interval = tokio::time::interval(every);
                    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                    interval.tick().await;
                    loop {
                        interval.tick().await;
                        if tx.send(Msg::Tick).is_err() {
                            break;
                        }
                    }
                }));
            }
            (Some(_), false) => {
                if let Some(t) = self.ticker.take() {
                    t.abort();
                }
            }
            _ => {}
        }
    }

    /// True when a ticker task is running (for tests: no ticks while idle).
    pub fn ticking(&self) -> bool {
        self.ticker.is_some()
    }

    pub fn shutdown(&mut self) {
        for job in [
            self.run.take(),
            self.ticker.take(),
            self.demo.take(),
            self.copy.take(),
        ]
        .into_iter()
        .flatten()
        {
            job.abort();
        }
    }
}

impl Drop for Jobs {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Raw input from crossterm's async event stream (never a blocking poll).
async fn read_input(tx: UnboundedSender<Msg>) {
    let mut events = EventStream::new();
    while let Some(event) = events.next().await {
        let msg = match event {
            Ok(Event::Key(k)) => Msg::Key(k),
            Ok(Event::Mouse(m)) => Msg::Mouse(m),
            Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
            Ok(_) => continue,
            Err(e) => {
                tracing::error!(error = %e, "terminal input failed");
                Msg::Quit
            }
        };
        if tx.send(msg).is_err() {
            break;
        }
    }
}

/// SIGTERM, SIGINT and SIGHUP quit cleanly (the loop ends and the terminal is restored).
async fn watch_signals(tx: UnboundedSender<Msg>) {
    if crate::signals::termination().await.is_some() {
        let _ = tx.send(Msg::Quit);
    }
}

/// Writes an OSC 52 "set clipboard" sequence (works over SSH; tmux and screen drop it by
/// default, see `clipboard`).
fn osc52(text: &str) -> io::Result<()> {
    let mut out = io::stdout();
    execute!(
        out,
        ratatui::crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
    )?;
    out.flush()
}
