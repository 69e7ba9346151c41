//! The terminal UI as a user sees it: scripted keys drive the real state machine and the real
//! runner against a loopback server; each view is snapshotted at 80×24 and 160×48 on ratatui's
//! TestBackend (timings, ports and dates redacted).

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{check_json, Canned, FakeGateway};
use cors_doctor::app::{self, SimCatalog};
use cors_doctor::config::Config;
use cors_doctor::plan::TargetArgs;
use cors_doctor::runner;
use cors_doctor::sim::SimServer;
use cors_doctor::tui::keymap::KeySpec;
use cors_doctor::tui::{
    self, AppState, Effect, Msg, NoScenarios, Options, ScenarioCatalog, Screen, StartMode,
    StartedScenario,
};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
use ratatui::Terminal;

mod audit;
mod explorer;
mod fix;
mod fix_formats;
mod flow;
mod form;
mod har;
mod header;
mod layout;
mod main_view;
mod template;

use explorer::*;

const ORIGIN: &str = "https://app.example.com";
const AUTH: &str = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

/// OPTIONS is missing: API Gateway answers the preflight 403 MissingAuthenticationToken.
async fn options_missing() -> SimServer {
    FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        actual: Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .body("{\"items\":[]}"),
        bare: None,
    }
    .start(Duration::ZERO)
    .await
}

fn options(start: StartMode, args: TargetArgs) -> Options {
    Options {
        config: Config::default(),
        args,
        start,
        source: Arc::new(|_| Ok(None)),
        catalog: Arc::new(NoScenarios),
        last_path: None,
        color: false,
    }
}

fn target(url: &str) -> TargetArgs {
    TargetArgs {
        url: Some(url.to_string()),
        origin: Some(ORIGIN.into()),
        headers: vec![AUTH.into()],
        ..TargetArgs::default()
    }
}

/// The app on a TestBackend; effects are carried out inline: runs go through the real jobs
/// and are followed to completion.
struct Ui {
    state: AppState,
    jobs: tui::Jobs,
    rx: tokio::sync::mpsc::UnboundedReceiver<Msg>,
    terminal: Terminal<TestBackend>,
    copies: Vec<String>,
    saved: usize,
    catalog: Arc<dyn ScenarioCatalog>,
    /// The demo scenarios started from the picker (their simulators live as long as this).
    scenarios: Vec<Box<dyn std::any::Any + Send>>,
    /// The audits asked for (`Effect::StartAudit`: not run here; tests answer them).
    audits: Vec<u64>,
}

impl Ui {
    async fn new(w: u16, h: u16, opts: Options) -> Ui {
        let (mut state, effects) = tui::initial_state(&opts);
        state.size = ratatui::layout::Rect::new(0, 0, w, h);
        let terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
        let mut ui = Ui {
            state,
            jobs,
            rx,
            terminal,
            copies: Vec::new(),
            saved: 0,
            catalog: opts.catalog.clone(),
            scenarios: Vec::new(),
            audits: Vec::new(),
        };
        ui.effects(effects).await;
        ui
    }

    async fn effects(&mut self, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(e) = queue.pop_front() {
            match e {
                Effect::LoadHar { .. } => {
                    self.jobs.apply(e);
                    while let Some(msg) = self.rx.recv().await {
                        let end = matches!(&msg, Msg::HarLoaded { .. });
                        queue.extend(self.state.update(msg));
                        if end {
                            break;
                        }
                    }
                }
                Effect::StartRun { seq, .. }
                | Effect::RerunExchanges { seq, .. }
                | Effect::StartRecorded { seq, .. } => {
                    self.jobs.apply(e);
                    while let Some(msg) = self.rx.recv().await {
                        let end = matches!(
                            &msg,
                            Msg::RunFailed { seq: s, .. }
                                | Msg::Run { seq: s, event: runner::RunEvent::Finished(_) }
                                if *s == seq
                        );
                        queue.extend(self.state.update(msg));
                        if end {
                            break;
                        }
                    }
                }
                Effect::Copy { text, what } => {
                    self.copies.push(text);
                    queue.extend(
                        self.state
                            .update(Msg::Copied(Ok(format!("✔ copied {what}")))),
                    );
                }
                Effect::SaveLast(_) => self.saved += 1,
                Effect::StartDemo { name } => {
                    let started = self.catalog.start(&name).await;
                    let msg = match started {
                        Ok(started) => {
                            self.scenarios.push(started.guard);
                            Msg::DemoStarted(Ok(Box::new(started.plan)))
                        }
                        Err(e) => Msg::DemoStarted(Err(e)),
                    };
                    queue.extend(self.state.update(msg));
                }
                Effect::PrepareFix { seq, .. } | Effect::ApplyFix { seq } => {
                    self.jobs.apply(e);
                    queue.extend(fix::until_settled(self, seq).await);
                }
                Effect::CancelFix { .. } => self.jobs.apply(e),
                Effect::StartAudit { seq, .. } => self.audits.push(seq),
                Effect::WriteCopy | Effect::LearnSeen => {}
            }
        }
    }

    /// Presses keys written as in the config: `j`, `enter`, `S-tab`, `ctrl-c`; a token in
    /// quotes types its text.
    async fn press(&mut self, script: &str) {
        for token in script.split_whitespace() {
            let keys: Vec<KeyEvent> = if let Some(text) = token.strip_prefix('"') {
                text.trim_end_matches('"')
                    .chars()
                    .map(|c| {
                        KeyEvent::new(
                            ratatui::crossterm::event::KeyCode::Char(c),
                            KeyModifiers::NONE,
                        )
                    })
                    .collect()
            } else {
                let k = KeySpec::parse(token).unwrap();
                let mut m = KeyModifiers::NONE;
                if k.ctrl {
                    m |= KeyModifiers::CONTROL;
                }
                vec![KeyEvent::new(k.code, m)]
            };
            for k in keys {
                let effects = self.state.update(Msg::Key(k));
                self.effects(effects).await;
            }
        }
    }

    async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let k = KeyEvent::new(
                ratatui::crossterm::event::KeyCode::Char(c),
                KeyModifiers::NONE,
            );
            let effects = self.state.update(Msg::Key(k));
            self.effects(effects).await;
        }
    }

    fn screen(&mut self) -> String {
        self.terminal
            .draw(|f| tui::view::render(f, &self.state))
            .unwrap();
        let buf = self.terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let line: String = (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// The step list's selected line.
    fn selected_step_line(&mut self) -> String {
        self.screen()
            .lines()
            .find(|l| l.contains('▶'))
            .unwrap_or_default()
            .to_string()
    }
}

fn snapshot(name: &str, screen: &str) {
    insta::with_settings!({
        filters => vec![
            // A value whose width varies takes the padding after it along, so a 3-digit
            // duration or a 4-digit port does not shift the rest of the line.
            (r"127\.0\.0\.1:\d+ *", "127.0.0.1:PORT"),
            (r"\b\d+ ms\b *", "[ms]"),
            (r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT", "[date]"),
            (r"cors-doctor/\d+\.\d+\.\d+", "cors-doctor/[version]"),
        ],
        omit_expression => true,
        // The snapshots stay in tests/snapshots/ under their first names (tui__*.snap) now
        // that this file is tests/it/tui/mod.rs.
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(format!("tui__{name}"), screen);
    });
}
