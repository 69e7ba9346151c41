//! The terminal UI as a user sees it: scripted keys drive the real state machine and the real
//! runner against a loopback server; each view is snapshotted at 80×24 and 160×48 on ratatui's
//! TestBackend (timings, ports and dates redacted).

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{check_json, Canned, FakeGateway};
use cors_doctor::app::{self, SimCatalog};
use cors_doctor::cli::TargetArgs;
use cors_doctor::config::Config;
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
        };
        ui.effects(effects).await;
        ui
    }

    async fn effects(&mut self, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(e) = queue.pop_front() {
            match e {
                Effect::StartRun { seq, .. } | Effect::RerunExchanges { seq, .. } => {
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
        // that this file is a module of tests/it/.
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(format!("tui__{name}"), screen);
    });
}

#[tokio::test]
async fn views_at_80x24_and_160x48() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let args = target(&url);
        let plan = args.resolve(&Config::default()).unwrap();
        let mut ui = Ui::new(w, h, options(StartMode::Diagnose(Box::new(plan)), args)).await;
        let size = format!("{w}x{h}");
        snapshot(&format!("main_{size}"), &ui.screen());
        ui.press("e").await;
        snapshot(&format!("evidence_{size}"), &ui.screen());
        ui.press("esc l").await;
        snapshot(&format!("learn_{size}"), &ui.screen());
        ui.press("esc ?").await;
        snapshot(&format!("help_{size}"), &ui.screen());
        ui.press("esc t").await;
        snapshot(&format!("explorer_{size}"), &ui.screen());

        let mut form = Ui::new(w, h, options(StartMode::Form, TargetArgs::default())).await;
        snapshot(&format!("form_{size}"), &form.screen());
        let mut demo = Ui::new(w, h, options(StartMode::Demo, TargetArgs::default())).await;
        snapshot(&format!("demo_{size}"), &demo.screen());
    }
}

#[tokio::test]
async fn scripted_keys_walk_the_diagnosis() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(100, 40, options(StartMode::Diagnose(Box::new(plan)), args)).await;

    // The seven steps, the first failing one selected.
    let screen = ui.screen();
    for n in 1..=7 {
        assert!(screen.contains(&format!("{n} ")), "{screen}");
    }
    assert_eq!(ui.state.steps.sel, 2);
    assert!(ui.selected_step_line().contains("3 ✘ FAIL"), "{screen}");
    assert!(screen.contains("OPTIONS_MISSING"), "{screen}");

    // Move down, up; vim and arrow keys.
    ui.press("j").await;
    assert!(ui.selected_step_line().contains("▶4"));
    ui.press("up k down").await;
    assert!(ui.selected_step_line().contains("▶3"));

    // Copy the remediation; a visible confirmation.
    ui.press("y").await;
    assert_eq!(ui.copies.len(), 1);
    assert!(ui.copies[0].contains("OPTIONS_MISSING"), "{}", ui.copies[0]);
    assert!(ui.screen().contains("✔ copied the remediation of step 3"));

    // The evidence of step 3 is the preflight; copy it as curl (secrets stay masked).
    ui.press("e").await;
    assert_eq!(ui.state.screen, Screen::Evidence);
    let screen = ui.screen();
    assert!(screen.contains("x1 preflight"), "{screen}");
    assert!(
        screen.contains("access-control-allow-origin: (missing)"),
        "{screen}"
    );
    ui.press("c").await;
    let curl = ui.copies.last().unwrap();
    assert!(curl.starts_with("curl -i \\\n  -X OPTIONS"), "{curl}");
    assert!(
        curl.contains("Access-Control-Request-Headers: authorization"),
        "{curl}"
    );
    assert!(!curl.contains("c2lnbmF0dXJl"), "{curl}");

    // Next exchange, into the detail pane and back, then back to the steps.
    ui.press("j tab j S-tab esc").await;
    assert_eq!(ui.state.screen, Screen::Main);

    // Rerun one step: only it spins, the others keep their state; then all.
    ui.press("r").await;
    assert!(ui.state.diag.as_ref().unwrap().report.is_some());
    ui.press("R").await;
    assert_eq!(ui.state.steps.sel, 2);
    let status = ui.state.status.clone().map(|s| s.text).unwrap_or_default();
    assert_eq!(
        status, "✔ rerun done: nothing changed (step 3 still fails)",
        "a rerun says what changed"
    );

    // Help overlay from the keymap table; any key closes it.
    ui.press("?").await;
    assert!(ui.screen().contains("rerun-all"));
    ui.press("q").await;
    assert!(!ui.state.help && !ui.state.quit);
    ui.press("q").await;
    assert!(ui.state.quit);
}

#[tokio::test]
async fn mouse_clicks_select_steps() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(80, 24, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    let screen = ui.screen();
    // At 80×24 the steps list is compact: two columns, step 5 heads the second.
    let (row, col) = screen
        .lines()
        .enumerate()
        .find_map(|(y, l)| {
            // The second column's first row: " 5 <mark> <word>".
            l.find(" 5 ")
                .filter(|&x| l[..x].chars().count() >= 30 && y < 12)
                .map(|x| (y, l[..x].chars().count() + 2))
        })
        .unwrap();
    ui.state.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: u16::try_from(col).unwrap(),
        row: u16::try_from(row).unwrap(),
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(ui.state.steps.sel, 4, "{screen}");
    assert!(ui.screen().contains("▶5 "), "{}", ui.screen());
}

/// The TUI and `check` drive one runner: same target, same diagnosis.
#[tokio::test]
async fn the_tui_and_check_agree() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());

    // Through the form, as a user types it.
    let mut ui = Ui::new(80, 24, options(StartMode::Form, TargetArgs::default())).await;
    ui.type_text(&url).await;
    ui.press("down").await;
    ui.type_text(ORIGIN).await;
    ui.press("tab tab").await;
    ui.type_text(AUTH).await;
    ui.press("enter").await;
    let screen = ui.screen();
    assert_eq!(ui.state.screen, Screen::Main, "{screen}");
    assert_eq!(ui.saved, 1);
    let report = ui.state.diag.as_ref().unwrap().report.clone().unwrap();

    let (code, json, out) = check_json(&[&url, "--origin", ORIGIN, "-H", AUTH]).await;
    assert_eq!(code, 1, "{out}");
    let tui_json: serde_json::Value = serde_json::from_str(&report.json()).unwrap();
    assert_eq!(tui_json["steps"], json["steps"], "{out}");
    assert_eq!(tui_json["first_failing_step"], json["first_failing_step"]);
    assert_eq!(tui_json["browser"], json["browser"]);
    assert_eq!(tui_json["target"], json["target"]);
}

#[tokio::test]
async fn the_form_refuses_a_bad_origin_with_the_reason() {
    let mut ui = Ui::new(80, 24, options(StartMode::Form, TargetArgs::default())).await;
    ui.type_text("https://x.example/a").await;
    ui.press("down").await;
    ui.type_text("app.example.com/page").await;
    ui.press("enter").await;
    assert_eq!(ui.state.screen, Screen::Form);
    let screen = ui.screen();
    // In plain words, under the field, and nothing was sent.
    assert!(
        screen.contains("✘ Start with https:// (or http://), e.g."),
        "{screen}"
    );
    assert!(screen.contains("https://app.example.com"), "{screen}");
    assert!(screen.contains("Nothing was sent"), "{screen}");
    assert!(ui.state.diag.is_none());
}

/// The real event loop: runner events, keys and ticks on one channel; no ticks once idle.
#[tokio::test]
async fn the_event_loop_runs_and_goes_idle() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let opts = options(StartMode::Diagnose(Box::new(plan)), args);
    let (mut state, effects) = tui::initial_state(&opts);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();

    // The jobs post to `inner`; a relay passes everything on and, once the report is in,
    // plays the user's keys.
    let (inner_tx, mut inner_rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let ticks = Arc::new(Mutex::new(0usize));
    let ticks2 = ticks.clone();
    let relay = tokio::spawn(async move {
        while let Some(msg) = inner_rx.recv().await {
            let finished = matches!(
                &msg,
                Msg::Run {
                    event: runner::RunEvent::Finished(_),
                    ..
                }
            );
            if matches!(msg, Msg::Tick) {
                *ticks2.lock().unwrap() += 1;
            }
            let _ = tx.send(msg);
            if finished {
                // Idle for a while: no ticks should come.
                tokio::time::sleep(Duration::from_millis(300)).await;
                for c in ['j', 'e', 'q'] {
                    let _ = tx.send(Msg::Key(KeyEvent::new(
                        ratatui::crossterm::event::KeyCode::Char(c),
                        KeyModifiers::NONE,
                    )));
                }
            }
        }
    });
    let mut jobs = tui::Jobs::new(inner_tx, opts.source.clone(), opts.catalog.clone(), None);
    jobs.tick_every = Duration::from_millis(5);
    for e in effects {
        jobs.apply(e);
    }
    let ticks_at_finish;
    {
        let result = tokio::time::timeout(
            Duration::from_secs(20),
            tui::event_loop(&mut terminal, &mut state, &mut rx, &mut jobs),
        )
        .await;
        assert!(matches!(result, Ok(Ok(()))), "{result:?}");
        ticks_at_finish = *ticks.lock().unwrap();
    }
    assert!(state.quit);
    assert!(!jobs.ticking(), "the ticker stops when idle");
    assert_eq!(state.screen, Screen::Evidence);
    assert!(state.diag.as_ref().unwrap().report.is_some());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        *ticks.lock().unwrap(),
        ticks_at_finish,
        "no ticks while idle"
    );
    relay.abort();
}

/// A demo scenario on the simulator, with its API as the configuration (as `demo` runs it).
async fn scenario_ui(name: &str, w: u16, h: u16) -> (Ui, StartedScenario) {
    let started = SimCatalog.start(name).await.unwrap();
    let plan = started.plan.clone();
    let args = TargetArgs {
        url: Some(plan.target.url.to_string()),
        origin: Some(plan.target.origin.clone()),
        method: Some(plan.target.method.clone()),
        ..TargetArgs::default()
    };
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    opts.source = Arc::new(|plan| app::config_source(plan).map_err(|e| e.0));
    (Ui::new(w, h, opts).await, started)
}

#[tokio::test]
async fn explorer_views_at_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let (mut ui, _sim) = scenario_ui("options-not-deployed", w, h).await;
        let size = format!("{w}x{h}");
        ui.press("t").await;
        assert_eq!(ui.state.screen, Screen::Explorer);
        snapshot(&format!("explorer_api_{size}"), &ui.screen());
        ui.press("/").await;
        ui.type_text("{id} put").await;
        snapshot(&format!("explorer_filtered_{size}"), &ui.screen());
    }
}

/// t, filter, Enter: the selected method is diagnosed with the same origin and headers, on
/// the same simulator, the path parameter filled in.
#[tokio::test]
async fn the_explorer_diagnoses_the_selected_method() {
    let (mut ui, _sim) = scenario_ui("rest-healthy", 100, 30).await;
    let first = ui.state.diag.as_ref().unwrap().plan.clone();
    assert_eq!(first.shown().target.url.path(), "/prod/bookings");
    ui.press("t").await;
    let screen = ui.screen();
    assert!(screen.contains("/bookings/{id}"), "{screen}");
    assert!(screen.contains("●POST"), "{screen}");

    // Incremental: each key narrows the rows; Esc clears the filter.
    ui.press("/").await;
    ui.type_text("{id}").await;
    let narrowed = ui.state.explorer.visible.len();
    ui.type_text(" get").await;
    assert!(ui.state.explorer.visible.len() < narrowed);
    ui.press("esc").await;
    assert!(ui.state.explorer.filter.is_empty());
    assert_eq!(
        ui.state.explorer.visible.len(),
        ui.state.explorer.tree.as_ref().unwrap().rows.len()
    );
    assert_eq!(ui.state.screen, Screen::Explorer);

    ui.press("/").await;
    ui.type_text("{id} get").await;
    let screen = ui.screen();
    assert!(screen.contains("filter {id} get"), "{screen}");
    // The first matching method is selected: Enter diagnoses it.
    ui.press("enter").await;
    assert_eq!(ui.state.screen, Screen::Main);
    let d = ui.state.diag.as_ref().unwrap();
    assert_eq!(d.plan.shown().target.url.path(), "/prod/bookings/1");
    assert_eq!(d.plan.shown().target.method, "GET");
    assert_eq!(d.plan.shown().target.origin, first.shown().target.origin);
    assert_eq!(d.plan.shown().target.headers, first.shown().target.headers);
    assert_eq!(
        d.plan.shown().target.credentials,
        first.shown().target.credentials
    );
    let report = d.report.as_ref().unwrap();
    assert!(
        report.target.url.ends_with("/prod/bookings/1"),
        "{}",
        report.target.url
    );
    assert_eq!(report.target.method, "GET");
    assert!(
        ui.screen().contains("GET http://127.0.0.1"),
        "{}",
        ui.screen()
    );
    // The explorer now marks the new method as the one diagnosed.
    ui.press("t").await;
    let (tree, row) = ui.state.explorer.selected().unwrap();
    assert_eq!(tree.path_of(row), "/bookings/{id}");
    assert_eq!(row.method.as_deref(), Some("GET"));
}

/// Without a configuration the explorer says why and how to get one.
#[tokio::test]
async fn the_explorer_without_a_configuration_says_why() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(80, 24, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    ui.press("t").await;
    let screen = ui.screen();
    assert!(
        screen.contains("No API configuration was loaded"),
        "{screen}"
    );
    assert!(screen.contains("--openapi"), "{screen}");
}

/// Each step turns from running to "ready" as soon as its own evidence is in, and gets its
/// verdict with the report; spinners stop once the run ends.
#[tokio::test]
async fn steps_follow_their_evidence() {
    use cors_doctor::evidence::ExchangeKind;
    use cors_doctor::runner::RunEvent;
    use tui::state::StepState;

    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    // The run's events, recorded, then played into a fresh state one by one.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    runner::run(&plan, None, Some(tx)).await.unwrap();
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    let (mut state, effects) =
        tui::initial_state(&options(StartMode::Diagnose(Box::new(plan)), args));
    let seq = match &effects[..] {
        [Effect::SaveLast(_), Effect::StartRun { seq, .. }] => *seq,
        other => panic!("{other:?}"),
    };
    let states = |s: &AppState| -> Vec<StepState> {
        let d = s.diag.as_ref().unwrap();
        (1..=7).map(|n| d.step_state(n)).collect()
    };
    assert!(states(&state).iter().all(|s| *s == StepState::Running));
    let mut arrived: Vec<ExchangeKind> = Vec::new();
    let mut config = false;
    for event in events {
        match &event {
            RunEvent::ExchangeDone(x) => arrived.push(x.kind),
            RunEvent::ConfigDone { .. } => config = true,
            _ => {}
        }
        let finished = matches!(event, RunEvent::Finished(_));
        state.update(Msg::Run { seq, event });
        let now = states(&state);
        if finished {
            assert!(
                now.iter().all(|s| matches!(s, StepState::Done(_))),
                "{now:?}"
            );
            assert!(!state.busy());
            break;
        }
        let has = |k| arrived.contains(&k);
        let ready = |ok: bool| {
            if ok {
                StepState::Gathered
            } else {
                StepState::Running
            }
        };
        use ExchangeKind::*;
        // What each step reads: diagnose::STEP_INPUTS.
        assert_eq!(
            now[0],
            ready(has(Actual) && has(NoOrigin) && config),
            "{now:?}"
        );
        assert_eq!(now[1], StepState::Gathered, "step 2 needs only the plan");
        for i in 2..4 {
            assert_eq!(now[i], ready(has(Preflight) && config), "{now:?}");
        }
        assert_eq!(
            now[4],
            ready(has(Preflight) && has(Actual) && has(ForeignOrigin) && config),
            "{now:?}"
        );
        assert_eq!(now[5], ready(has(Actual) && config), "{now:?}");
        assert_eq!(
            now[6],
            ready(has(Preflight) && has(Actual) && config),
            "{now:?}"
        );
    }
    assert_eq!(arrived.len(), 4);
}

/// The footer: "starting scenario …" goes once the run starts; a rerun says so until done.
#[tokio::test]
async fn the_footer_says_what_runs() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let (mut state, _) = tui::initial_state(&options(StartMode::Demo, TargetArgs::default()));
    state.status = Some(tui::state::Status {
        text: "starting scenario x…".into(),
        error: false,
    });
    let effects = state.update(Msg::DemoStarted(Ok(Box::new(plan))));
    assert!(state.status.is_none());
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let footer = |terminal: &mut Terminal<TestBackend>, state: &AppState| {
        terminal.draw(|f| tui::view::render(f, state)).unwrap();
        let buf = terminal.backend().buffer();
        (0..buf.area.width)
            .map(|x| buf[(x, buf.area.height - 1)].symbol().to_string())
            .collect::<String>()
    };
    assert!(!footer(&mut terminal, &state).contains("starting scenario"));
    let Some(Effect::StartRun { seq, plan }) = effects.into_iter().next() else {
        panic!("no run");
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    runner::run_sealed(&plan, |_| Ok(None), None, Some(tx))
        .await
        .unwrap();
    while let Ok(event) = rx.try_recv() {
        state.update(Msg::Run { seq, event });
    }
    let effects = state.update(Msg::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('R'),
        KeyModifiers::SHIFT,
    )));
    assert!(matches!(effects[..], [Effect::StartRun { .. }]));
    assert!(state.busy());
    let text = footer(&mut terminal, &state);
    assert!(text.contains("rerunning…"), "{text}");
    let steps: Vec<_> = (1..=7)
        .map(|n| state.diag.as_ref().unwrap().step_state(n))
        .collect();
    assert!(
        steps.iter().all(|s| *s == tui::state::StepState::Running),
        "a rerun starts over: {steps:?}"
    );
}

/// Offline (`--openapi FILE --path P`, no URL): Enter diagnoses the method from the
/// configuration alone, with `--path` set to the filled path.
#[tokio::test]
async fn the_explorer_diagnoses_offline_too() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/rest-healthy.json"
    );
    let args = TargetArgs {
        path: Some("/bookings".into()),
        openapi: Some(file.into()),
        origin: Some(ORIGIN.into()),
        ..TargetArgs::default()
    };
    let plan = args.resolve(&Config::default()).unwrap();
    assert!(!plan.live);
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    opts.source = Arc::new(|plan| app::config_source(plan).map_err(|e| e.0));
    let mut ui = Ui::new(100, 30, opts).await;
    ui.press("t /").await;
    ui.type_text("{id} get").await;
    ui.press("enter").await;
    let d = ui.state.diag.as_ref().unwrap();
    assert_eq!(d.plan.shown().path.as_deref(), Some("/bookings/1"));
    assert_eq!(d.args.path.as_deref(), Some("/bookings/1"));
    assert_eq!(d.plan.shown().target.method, "GET");
    let report = d.report.as_ref().expect("a report");
    assert!(report.exchanges.iter().all(|x| x.predicted));
    // Predicted exchanges are all recomputed: `r` runs the whole diagnosis, as `R`.
    ui.state.steps.sel = 2;
    let effects = ui.state.update(Msg::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('r'),
        KeyModifiers::NONE,
    )));
    assert!(
        matches!(&effects[..], [Effect::StartRun { .. }]),
        "{effects:?}"
    );
    ui.effects(effects).await;
    let d = ui.state.diag.as_ref().unwrap();
    let report = d.report.as_ref().expect("a report");
    assert!(
        report
            .exchanges
            .iter()
            .all(|x| x.request.url.ends_with("/prod/bookings/1")),
        "{:?}",
        report
            .exchanges
            .iter()
            .map(|x| &x.request.url)
            .collect::<Vec<_>>()
    );
}

/// `r` on step 3 sends only the preflight again (the fix deployed in between shows up), keeps
/// the other exchanges as they were and the configuration, and diagnoses again; only the
/// steps that read the preflight spin meanwhile.
#[tokio::test]
async fn rerun_a_step_sends_only_its_evidence() {
    use common::Flipping;
    use cors_doctor::diagnose::StepStatus;
    use cors_doctor::evidence::ExchangeKind;
    use tui::state::StepState;

    let actual = Canned::integration(200)
        .h("Access-Control-Allow-Origin", ORIGIN)
        .body("{\"items\":[]}");
    let gateway = Flipping::start(
        FakeGateway {
            preflight: Canned::gateway(
                403,
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            ),
            actual: actual.clone(),
            bare: None,
        },
        FakeGateway {
            preflight: Canned::good_preflight(ORIGIN, "GET,OPTIONS", "authorization"),
            actual,
            bare: None,
        },
    )
    .await;
    let url = format!("{}/prod/items", gateway.server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(100, 30, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    let before = ui.state.diag.as_ref().unwrap().report.clone().unwrap();
    assert_eq!(before.step(3).unwrap().status, StepStatus::Fail);
    assert_eq!(gateway.methods().len(), 4, "{:?}", gateway.methods());

    gateway.flip();
    ui.state.steps.sel = 2;
    let effects = ui.state.update(Msg::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('r'),
        KeyModifiers::NONE,
    )));
    assert!(
        matches!(&effects[..], [Effect::RerunExchanges { kinds, .. }] if kinds == &[ExchangeKind::Preflight]),
        "{effects:?}"
    );
    let footer = ui.screen().lines().last().unwrap_or_default().to_string();
    assert!(
        footer.contains("rerunning step 3 (its evidence only)"),
        "{footer}"
    );
    let d = ui.state.diag.as_ref().unwrap();
    let spinning: Vec<u8> = (1..=7)
        .filter(|&n| d.step_state(n) == StepState::Running)
        .collect();
    assert_eq!(
        spinning,
        [3, 4, 5, 7],
        "only the steps reading the preflight"
    );
    // Meanwhile the previous verdicts stay, dimmed, beside the spinners.
    let during = ui.screen();
    let row3 = during
        .lines()
        .find(|l| l.contains("Verify OPTIONS exists"))
        .unwrap_or_default();
    assert!(
        row3.contains("FAIL") && row3.contains("◀ first failure"),
        "{during}"
    );
    assert!(during.contains("before: BLOCKED"), "{during}");
    assert!(during.contains("Before this rerun: ✘ FAIL"), "{during}");
    ui.effects(effects).await;
    // Afterwards: what changed.
    let after_screen = ui.screen();
    let footer = after_screen.lines().last().unwrap_or_default();
    assert!(
        footer.contains("rerun done: step 3 now passes (was fail)"),
        "{after_screen}"
    );
    assert!(
        after_screen
            .lines()
            .any(|l| l.contains("(was fail) Verify OPTIONS exists")),
        "{after_screen}"
    );

    // Exactly one more request: the preflight.
    let methods = gateway.methods();
    assert_eq!(methods.len(), 5, "{methods:?}");
    assert_eq!(methods[4], "OPTIONS", "{methods:?}");
    let d = ui.state.diag.as_ref().unwrap();
    assert!(!ui.state.busy());
    let after = d.report.clone().unwrap();
    assert_ne!(
        after.step(3).unwrap().status,
        StepStatus::Fail,
        "{after:#?}"
    );
    let preflight = |r: &cors_doctor::report::Report| {
        r.exchanges
            .iter()
            .find(|x| x.kind == ExchangeKind::Preflight)
            .cloned()
            .unwrap()
    };
    assert_eq!(preflight(&before).status(), Some(403));
    assert_eq!(preflight(&after).status(), Some(200));
    assert_eq!(preflight(&after).id, preflight(&before).id);
    // Not sent again: the very same exchanges (ids, timings, answers).
    for kind in [
        ExchangeKind::Actual,
        ExchangeKind::NoOrigin,
        ExchangeKind::ForeignOrigin,
    ] {
        let find =
            |r: &cors_doctor::report::Report| r.exchanges.iter().find(|x| x.kind == kind).cloned();
        assert_eq!(find(&after), find(&before), "{kind:?}");
    }
    assert_eq!(after.exchanges.len(), before.exchanges.len());
    let screen = ui.screen();
    assert!(!screen.contains("eyJhbGci"), "{screen}");

    // `R` still sends everything again, and so does `r` on step 7.
    ui.press("R").await;
    assert_eq!(gateway.methods().len(), 9);
    ui.state.steps.sel = 6;
    let effects = ui.state.update(Msg::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('r'),
        KeyModifiers::NONE,
    )));
    assert!(
        matches!(&effects[..], [Effect::StartRun { .. }]),
        "{effects:?}"
    );
    ui.effects(effects).await;
    assert_eq!(gateway.methods().len(), 13);
}

/// The picker, on the simulator's scenarios.
async fn picker_ui(w: u16, h: u16) -> Ui {
    let mut opts = options(StartMode::Demo, TargetArgs::default());
    opts.catalog = Arc::new(SimCatalog);
    opts.source = Arc::new(|plan| app::config_source(plan).map_err(|e| e.0));
    Ui::new(w, h, opts).await
}

/// The main screen of every scenario at 80×24, 100×30 and 160×48, as a user first sees it.
#[tokio::test]
async fn every_scenario_main_screen_at_three_sizes() {
    let names = cors_doctor::gateway::scenario::Scenario::names();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        for (w, h) in [(80u16, 24u16), (100, 30), (160, 48)] {
            let (mut ui, _sim) = scenario_ui(name, w, h).await;
            assert_eq!(ui.state.screen, Screen::Main);
            let screen = ui.screen();
            snapshot(&format!("scenario_{name}_{w}x{h}"), &screen);
        }
    }
}

/// The lines the selected step's detail pane shows (inside its border).
fn detail_pane(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.starts_with("┌ Step "))
        .expect("a detail pane");
    lines[top + 1..]
        .iter()
        .take_while(|l| l.starts_with('│'))
        .map(|l| l.to_string())
        .collect()
}

/// At 80×24 the failing step's cause (its first finding: most specific first) and its fix are
/// on the first screen, without a key pressed; the detail says how much more there is.
#[tokio::test]
async fn the_cause_and_the_fix_are_above_the_fold() {
    for name in [
        "header-declared-not-mapped",
        "options-missing",
        "options-cognito-authorizer",
    ] {
        let (mut ui, _sim) = scenario_ui(name, 80, 24).await;
        let d = ui.state.diag.as_ref().unwrap();
        let report = d.report.as_ref().unwrap();
        let first = report.first_failing_step.expect("a failing step");
        assert_eq!(ui.state.selected_step_number(), first);
        let cause = report.step(first).unwrap().findings[0].clone();
        if name == "header-declared-not-mapped" {
            // The root cause, not the symptom (PREFLIGHT_CORS_HEADERS).
            assert_eq!(cause.code.as_str(), "HEADER_NOT_MAPPED");
        }
        let fix = cause.remediation.clone().expect("a fix");
        let screen = ui.screen();
        let detail = detail_pane(&screen).join("\n");
        assert!(
            detail.contains(&format!("Cause {}", cause.code.as_str())),
            "{name}:\n{screen}"
        );
        // The fix's first words (the rest may wrap).
        let start: String = fix
            .text
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            detail.contains(&format!("Fix {start}")),
            "{name}:\n{screen}"
        );
        assert!(screen.contains("y copies"), "{name}:\n{screen}");
        // More below: a position in the border.
        assert!(screen.contains(" of "), "{name}:\n{screen}");
    }
}

/// `j` and the wheel never scroll into blank space; `G`/End reach the real end, where the
/// last line of the detail is on the pane's last row.
#[tokio::test]
async fn the_detail_scrolls_to_its_real_end_and_no_further() {
    use ratatui::crossterm::event::{MouseEvent, MouseEventKind};
    let (mut ui, _sim) = scenario_ui("header-declared-not-mapped", 80, 24).await;
    let max = tui::view::main_detail_max_scroll(&ui.state);
    assert!(max > 0, "the detail does not fit at 80×24");
    ui.press("tab G").await;
    assert_eq!(ui.state.steps.scroll, max);
    let at_end = detail_pane(&ui.screen());
    assert!(
        at_end
            .last()
            .is_some_and(|l| !l.trim_matches(['│', ' ', '█']).is_empty()),
        "the last row shows text: {at_end:#?}"
    );
    assert!(
        ui.screen().contains(&format!(
            "of {} ↑",
            usize::from(max) + {
                // The rows of the scrolled region: the pane's rows less what is pinned.
                let pane = detail_pane(&ui.screen()).len();
                let pinned = at_end
                    .iter()
                    .position(|l| l.starts_with("│───"))
                    .map_or(0, |p| p + 1);
                pane - pinned
            }
        )),
        "{}",
        ui.screen()
    );
    ui.press("j j j j j end pgdn").await;
    assert_eq!(
        ui.state.steps.scroll, max,
        "j, End and PageDown stop at the end"
    );
    assert_eq!(detail_pane(&ui.screen()), at_end);
    let detail = tui::layout::main(ui.state.size).detail;
    for _ in 0..20 {
        ui.state.update(Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: detail.x + 3,
            row: detail.y + 3,
            modifiers: KeyModifiers::NONE,
        }));
    }
    assert_eq!(ui.state.steps.scroll, max, "the wheel stops at the end too");
    ui.press("g").await;
    assert_eq!(ui.state.steps.scroll, 0);
    ui.press("k").await;
    assert_eq!(ui.state.steps.scroll, 0);
    // A taller terminal: the end comes closer, and the scroll follows it.
    ui.press("G").await;
    let before = ui.state.steps.scroll;
    ui.state.update(Msg::Resize(80, 60));
    let max = tui::view::main_detail_max_scroll(&ui.state);
    assert!(max < before, "{max} {before}");
    assert_eq!(ui.state.steps.scroll, max);
}

/// Below 60×20 a screen says the terminal is too small (never a pane of zero rows); keys
/// still work, and the UI comes back at a usable size.
#[tokio::test]
async fn a_small_terminal_says_so() {
    let (mut ui, _sim) = scenario_ui("options-missing", 60, 16).await;
    ui.terminal = Terminal::new(TestBackend::new(60, 16)).unwrap();
    let screen = ui.screen();
    assert!(screen.contains("Terminal too small"), "{screen}");
    assert!(screen.contains("60×16"), "{screen}");
    assert!(screen.contains("60×20"), "{screen}");
    ui.state.update(Msg::Resize(80, 24));
    ui.terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let screen = ui.screen();
    assert!(
        screen.contains("▶3 ✘ FAIL") && screen.contains("Cause "),
        "{screen}"
    );
    ui.press("q").await;
    assert!(ui.state.quit);
}

/// One navigation model: Esc goes back exactly one level (diagnosis → picker → quit prompt),
/// `q` quits wherever nothing is typed, the breadcrumb says where you are.
#[tokio::test]
async fn esc_goes_back_one_level_and_q_quits() {
    let mut ui = picker_ui(80, 24).await;
    assert_eq!(ui.state.screen, Screen::Demo);
    let screen = ui.screen();
    assert!(screen.starts_with("cors-doctor › Demo\n"), "{screen}");
    ui.press("j enter").await;
    assert_eq!(ui.state.screen, Screen::Main);
    let screen = ui.screen();
    assert!(
        screen.starts_with("cors-doctor › Demo › options-not-deployed › Step "),
        "{screen}"
    );
    // The scenario's title stays in view.
    assert!(
        screen.contains("OPTIONS added but not deployed"),
        "{screen}"
    );
    ui.press("e").await;
    assert_eq!(ui.state.screen, Screen::Evidence);
    assert!(ui.screen().lines().next().unwrap().contains("› Evidence x"));
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Main);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Demo);
    assert_eq!(ui.state.demo.list.sel, 1, "the picker keeps its place");
    ui.press("esc").await;
    assert!(ui.state.quit_prompt && !ui.state.quit);
    assert!(ui.screen().contains("Quit cors-doctor?"));
    ui.press("esc").await;
    assert!(!ui.state.quit_prompt && !ui.state.quit);
    assert_eq!(ui.state.screen, Screen::Demo);
    // Learn from the picker, and back.
    ui.press("l").await;
    assert_eq!(ui.state.screen, Screen::Learn);
    assert!(ui.screen().starts_with("cors-doctor › Demo › Learn"));
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Demo);
    // q quits from the picker.
    ui.press("q").await;
    assert!(ui.state.quit);

    // From the form: diagnosis → form → quit prompt, never back and forth.
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(80, 24, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    assert!(
        ui.screen()
            .starts_with("cors-doctor › Target › GET /prod/items › Step 3"),
        "{}",
        ui.screen()
    );
    ui.press("t").await;
    assert_eq!(ui.state.screen, Screen::Explorer);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Main);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Form);
    ui.press("esc").await;
    assert!(ui.state.quit_prompt);
    ui.press("enter").await;
    assert!(ui.state.quit);
}

/// At 80 columns the footer of every screen ends in `? more` and shows `l learn` (where
/// learn opens); the keys that do not fit are in the `?` overlay.
#[tokio::test]
async fn the_footer_keeps_learn_and_more_at_80_columns() {
    let footer = |ui: &mut Ui| ui.screen().lines().last().unwrap_or_default().to_string();
    let mut ui = picker_ui(80, 24).await;
    let mut seen = Vec::new();
    let f = footer(&mut ui);
    assert!(f.ends_with("? more") && f.contains("l learn"), "{f}");
    seen.push(f);
    ui.press("enter").await;
    for keys in ["", "e", "esc t"] {
        ui.press(keys).await;
        let f = footer(&mut ui);
        assert!(f.ends_with("? more"), "{keys}: {f}");
        assert!(f.contains("l learn"), "{keys}: {f}");
        assert!(f.chars().count() <= 80, "{f}");
        seen.push(f);
    }
    // The diagnosis's footer keeps the copy and the evidence keys too.
    assert!(
        seen[1].contains("y copy fix") && seen[1].contains("e evidence"),
        "{seen:#?}"
    );
    ui.press("esc ?").await;
    let help = ui.screen();
    for key in ["copy-curl", "tree", "rerun-all", "learn", "quit"] {
        assert!(help.contains(key), "{key}:\n{help}");
    }
}

/// An AWS configuration source without valid credentials (what the SDK source says then).
struct NoCredentials;

impl cors_doctor::aws::ConfigSource for NoCredentials {
    fn kind(&self) -> cors_doctor::evidence::ConfigSourceKind {
        cors_doctor::evidence::ConfigSourceKind::Sdk
    }
    fn load<'a>(
        &'a self,
        _: &'a cors_doctor::aws::ConfigRequest,
    ) -> cors_doctor::aws::BoxFuture<
        'a,
        Result<cors_doctor::aws::LoadedConfig, cors_doctor::aws::Unavailable>,
    > {
        Box::pin(async {
            Err(cors_doctor::aws::Unavailable(
                "not reached: the credentials are checked first".to_string(),
            ))
        })
    }
    fn preflight(
        &self,
    ) -> cors_doctor::aws::BoxFuture<'_, Result<(), cors_doctor::aws::CredentialsError>> {
        let options = cors_doctor::aws::sdk::SdkOptions {
            profile: Some("dev".into()),
            ..Default::default()
        };
        Box::pin(async move {
            Err(cors_doctor::aws::sdk::credentials_help(
                &options,
                "the AWS credentials have expired",
            ))
        })
    }
}

/// Without valid AWS credentials the TUI stops before probing, as `check` does (exit 2), and
/// says so where it is seen: the header's AWS line with the command to run, and the detail.
#[tokio::test]
async fn a_credentials_error_is_in_the_header_with_the_command() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    opts.source = Arc::new(|_| Ok(Some(Arc::new(NoCredentials))));
    let mut ui = Ui::new(80, 24, opts).await;
    let d = ui.state.diag.as_ref().unwrap();
    assert!(
        matches!(&d.phase, tui::state::Phase::Failed(e) if e.contains("no valid AWS credentials")),
        "{:?}",
        d.phase
    );
    assert!(
        d.exchanges.is_empty(),
        "nothing is probed without credentials"
    );
    let screen = ui.screen();
    let header: Vec<&str> = screen.lines().take(3).collect();
    assert_eq!(
        header[2], "AWS: no valid credentials — run aws configure --profile dev",
        "{screen}"
    );
    assert!(
        screen.contains("Fix run aws configure --profile dev, then R to rerun"),
        "{screen}"
    );
    assert!(screen.contains("credentials have expired"), "{screen}");
}

/// With AWS on, the header names the profile and the region, and whether the configuration
/// was read.
#[tokio::test]
async fn the_header_shows_the_aws_profile_and_the_configuration_state() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let mut args = target(&url);
    args.profile = Some("dev".into());
    args.region = Some("eu-west-1".into());
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(160, 48, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    let screen = ui.screen();
    let line = screen.lines().nth(2).unwrap_or_default();
    assert!(line.contains("config not read (probes only)"), "{screen}");
    assert!(line.contains("AWS profile dev, eu-west-1"), "{screen}");
    // Once the run knows who the lookups ran as (STS), the account is there too.
    if let Some(r) = ui.state.diag.as_mut().and_then(|d| d.report.as_mut()) {
        r.aws_identity = Some("account 123456789012".into());
    }
    let screen = ui.screen();
    let line = screen.lines().nth(2).unwrap_or_default();
    assert!(
        line.contains("AWS profile dev, eu-west-1, account 123456789012"),
        "{screen}"
    );

    let mut args = target(&url);
    args.no_aws = true;
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(160, 48, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    let screen = ui.screen();
    assert!(
        screen
            .lines()
            .nth(2)
            .unwrap_or_default()
            .contains("AWS off (--no-aws)"),
        "{screen}"
    );
}

/// Opening the configuration source (an --openapi export can be 64 MB) happens off the event
/// loop: starting a run returns at once, and the loop keeps taking keys meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_configuration_source_does_not_block_the_loop() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    opts.source = Arc::new(|_| {
        std::thread::sleep(Duration::from_millis(800));
        Ok(None)
    });
    let (mut state, effects) = tui::initial_state(&opts);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
    let started = std::time::Instant::now();
    for e in effects {
        jobs.apply(e);
    }
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "starting a run waited for the source: {:?}",
        started.elapsed()
    );
    // The run still completes, once the source is open.
    let finished = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(msg) = rx.recv().await {
            let end = matches!(
                &msg,
                Msg::Run {
                    event: runner::RunEvent::Finished(_),
                    ..
                }
            );
            state.update(msg);
            if end {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(finished, Ok(true));
    assert!(started.elapsed() >= Duration::from_millis(800));
}

/// A part of a run whose teardown blocks (as Chromium's does: it waits for the process to
/// go, then removes the profile directory).
struct SlowTeardown(Arc<std::sync::atomic::AtomicBool>);

impl Drop for SlowTeardown {
    fn drop(&mut self) {
        std::thread::sleep(Duration::from_millis(800));
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A configuration source whose load never ends and holds a [`SlowTeardown`].
struct StuckSource {
    entered: Arc<std::sync::atomic::AtomicBool>,
    torn_down: Arc<std::sync::atomic::AtomicBool>,
}

impl cors_doctor::aws::ConfigSource for StuckSource {
    fn kind(&self) -> cors_doctor::evidence::ConfigSourceKind {
        cors_doctor::evidence::ConfigSourceKind::Openapi
    }
    fn load<'a>(
        &'a self,
        _: &'a cors_doctor::aws::ConfigRequest,
    ) -> cors_doctor::aws::BoxFuture<
        'a,
        Result<cors_doctor::aws::LoadedConfig, cors_doctor::aws::Unavailable>,
    > {
        let guard = SlowTeardown(self.torn_down.clone());
        self.entered
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            let _guard = guard;
            std::future::pending().await
        })
    }
}

/// Cancelling a run (R while it runs) never waits for its teardown on the UI's loop: the run
/// is a task, dropped where the runtime runs it, so a slow teardown (Chromium's) does not
/// freeze the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_run_never_waits_for_its_teardown() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let entered = Arc::new(AtomicBool::new(false));
    let torn_down = Arc::new(AtomicBool::new(false));
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    let (e, t) = (entered.clone(), torn_down.clone());
    opts.source = Arc::new(move |_| {
        Ok(Some(Arc::new(StuckSource {
            entered: e.clone(),
            torn_down: t.clone(),
        })))
    });
    let (mut state, effects) = tui::initial_state(&opts);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
    for e in effects {
        jobs.apply(e);
    }
    let waited = std::time::Instant::now();
    while !entered.load(Ordering::SeqCst) {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "the run never loaded"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // R: the pending run is cancelled and a new one starts.
    let effects = state.update(Msg::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('R'),
        KeyModifiers::SHIFT,
    )));
    assert!(!effects.is_empty());
    let started = std::time::Instant::now();
    for e in effects {
        jobs.apply(e);
    }
    let _ = state.update(Msg::Tick);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "the loop waited {:?} for the cancelled run's teardown",
        started.elapsed()
    );
    // The teardown did run, elsewhere.
    let waited = std::time::Instant::now();
    while !torn_down.load(Ordering::SeqCst) {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "never torn down"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    jobs.shutdown();
}

/// The form at both sizes: filled in with mistakes (problems under their fields, in plain
/// words), with the headers list, and asking before a POST is sent.
#[tokio::test]
async fn the_form_at_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let size = format!("{w}x{h}");
        let mut ui = Ui::new(w, h, options(StartMode::Form, TargetArgs::default())).await;
        ui.type_text("abc123.execute-api.us-east-1.amazonaws.com/prod/items")
            .await;
        ui.press("down").await;
        ui.type_text("https://app.example.com/index.html").await;
        ui.press("down down").await;
        ui.type_text("Authorization: Bearer eyJ.secret").await;
        ui.press("ctrl-n").await;
        ui.type_text("X Trace: 1").await;
        ui.press("enter").await;
        assert!(ui.state.diag.is_none());
        snapshot(&format!("form_errors_{size}"), &ui.screen());

        let mut ui = Ui::new(w, h, options(StartMode::Form, TargetArgs::default())).await;
        ui.type_text("https://abc123.execute-api.us-east-1.amazonaws.com/prod/items")
            .await;
        ui.press("down").await;
        ui.type_text(ORIGIN).await;
        ui.press("down p enter").await;
        assert!(ui.state.diag.is_none(), "nothing is sent before the answer");
        snapshot(&format!("form_confirm_{size}"), &ui.screen());
    }
}

/// POST is really sent (twice): the form asks first; Esc goes back, Enter sends.
#[tokio::test]
async fn the_form_asks_before_sending_a_post() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let mut ui = Ui::new(80, 24, options(StartMode::Form, TargetArgs::default())).await;
    ui.type_text(&url).await;
    ui.press("down").await;
    ui.type_text(ORIGIN).await;
    // Typing on the method selector chooses; it never appends (no `GETPOST`).
    ui.press("down").await;
    ui.type_text("POST").await;
    assert_eq!(
        ui.state.form.method_name(),
        "OPTIONS",
        "P, O: first letters"
    );
    ui.type_text("p").await;
    assert_eq!(ui.state.form.method_name(), "POST");
    let screen = ui.screen();
    assert!(
        screen.contains("POST is really sent, twice"),
        "the risk is said before Enter:\n{screen}"
    );
    ui.press("enter").await;
    assert!(ui.state.diag.is_none());
    let screen = ui.screen();
    assert!(screen.contains("POST is really sent to"), "{screen}");
    assert!(screen.contains("enter sends it"), "{screen}");
    // Keys other than Enter and Esc do nothing while it asks.
    ui.type_text("x").await;
    assert_eq!(ui.state.form.url.text, url);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Form);
    assert!(ui.state.form.confirm.is_none() && ui.state.diag.is_none());
    ui.press("enter enter").await;
    assert_eq!(ui.state.screen, Screen::Main);
    let d = ui.state.diag.as_ref().unwrap();
    assert_eq!(d.plan.shown().target.method, "POST");
    assert_eq!(ui.saved, 1);

    // GET goes straight away.
    let mut ui = Ui::new(80, 24, options(StartMode::Form, TargetArgs::default())).await;
    ui.type_text(&url).await;
    ui.press("down").await;
    ui.type_text(ORIGIN).await;
    ui.press("enter").await;
    assert_eq!(ui.state.screen, Screen::Main);
}

/// A saved target whose secret header value was stripped asks for it, and is not sent
/// with an empty value.
#[tokio::test]
async fn a_stripped_secret_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let last = dir.path().join("last.toml");
    std::fs::write(
        &last,
        "url = \"https://x.example/a\"\norigin = \"https://app.example.com\"\nheaders = [\"Authorization: \", \"X-Trace: 1\"]\n",
    )
    .unwrap();
    let mut opts = options(StartMode::Form, TargetArgs::default());
    opts.last_path = Some(last);
    let mut ui = Ui::new(80, 24, opts).await;
    let screen = ui.screen();
    assert!(screen.contains("← type the secret value"), "{screen}");
    ui.press("enter").await;
    assert!(ui.state.diag.is_none());
    let screen = ui.screen();
    assert!(screen.contains("is secret and was not saved"), "{screen}");
    // The focus is on it: typing fills it in.
    ui.type_text("Bearer t0ken").await;
    assert_eq!(
        ui.state.form.header_entries(),
        vec!["Authorization: Bearer t0ken", "X-Trace: 1"]
    );
    assert!(!ui.screen().contains("t0ken"), "the secret is obscured");
}

/// Help in the form lists the form's own keys.
#[tokio::test]
async fn help_in_the_form_shows_its_keys() {
    let mut ui = Ui::new(80, 24, options(StartMode::Form, TargetArgs::default())).await;
    ui.press("F1").await;
    let screen = ui.screen();
    snapshot("form_help_80x24", &screen);
    for key in [
        "add header",
        "remove header",
        "next field",
        "clear field",
        "run",
    ] {
        assert!(screen.contains(key), "{key}:\n{screen}");
    }
}

/// The first-run hint: shown when a diagnosis starts until learn mode is opened once, then
/// remembered in the session file (last.toml) and not shown again.
#[tokio::test]
async fn the_first_run_hint_goes_once_learn_was_opened() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let dir = tempfile::tempdir().unwrap();
    let last = dir.path().join("state").join("last.toml");
    let opts = |start| {
        let mut o = options(start, target(&url));
        o.last_path = Some(last.clone());
        o
    };
    let plan = || Box::new(target(&url).resolve(&Config::default()).unwrap());
    let mut ui = Ui::new(80, 24, opts(StartMode::Diagnose(plan()))).await;
    let screen = ui.screen();
    assert!(screen.contains("New to CORS? Press l"), "{screen}");
    // Learn mode opens: the effect that remembers it, once.
    let effects = ui.state.update(Msg::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('l'),
        KeyModifiers::NONE,
    )));
    assert_eq!(ui.state.screen, Screen::Learn);
    assert!(matches!(effects[..], [Effect::LearnSeen]), "{effects:?}");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(
        tx,
        Arc::new(|_| Ok(None)),
        Arc::new(NoScenarios),
        Some(last.clone()),
    );
    jobs.apply(Effect::LearnSeen);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !cors_doctor::tui::session::LastTarget::load(&last).learn_seen {
        assert!(std::time::Instant::now() < deadline, "not remembered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    ui.press("esc l esc").await;
    // The next session: no hint.
    let mut ui = Ui::new(80, 24, opts(StartMode::Diagnose(plan()))).await;
    let screen = ui.screen();
    assert!(!screen.contains("New to CORS?"), "{screen}");
    assert!(!ui.state.learning.hint);
}

/// Learn mode has the console-message index and says what `r` really sends.
#[tokio::test]
async fn learn_mode_indexes_console_messages() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(160, 48, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    ui.press("l g j").await;
    let screen = ui.screen();
    assert!(screen.contains("Console message → step"), "{screen}");
    assert!(
        screen.contains("No 'Access-Control-Allow-Origin' header is present"),
        "{screen}"
    );
}

/// A click on a form line focuses its field (the header row clicked, for the headers); the
/// wheel moves between fields.
#[tokio::test]
async fn clicks_focus_form_fields() {
    use cors_doctor::tui::form::Field;
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut opts = options(StartMode::Form, TargetArgs::default());
    opts.args.headers = vec!["X-A: 1".into(), "X-B: 2".into()];
    opts.args.origin = Some(ORIGIN.into());
    let mut ui = Ui::new(80, 24, opts).await;
    let click = |ui: &mut Ui, row: usize| {
        ui.state.update(Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: 20,
            row: u16::try_from(row).unwrap(),
            modifiers: KeyModifiers::NONE,
        }));
    };
    let row_of = |ui: &mut Ui, text: &str| {
        ui.screen()
            .lines()
            .position(|l| l.contains(text))
            .unwrap_or_else(|| panic!("{text}"))
    };
    let origin = row_of(&mut ui, "│Origin");
    click(&mut ui, origin);
    assert_eq!(ui.state.form.field(), Field::Origin);
    let second = row_of(&mut ui, "X-B: 2");
    click(&mut ui, second);
    assert_eq!(
        (ui.state.form.field(), ui.state.form.header_sel),
        (Field::Headers, 1)
    );
    let region = row_of(&mut ui, "│AWS region");
    click(&mut ui, region);
    assert_eq!(ui.state.form.field(), Field::Region);
    ui.state.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollUp,
        column: 20,
        row: 5,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(ui.state.form.field(), Field::Profile);
}

/// On the smallest terminal the help overlay still lists every key of the screen (in two
/// columns when one would not fit).
#[tokio::test]
async fn the_help_overlay_fits_the_smallest_terminal() {
    let (mut ui, _sim) = scenario_ui("options-missing", 60, 20).await;
    ui.terminal = Terminal::new(TestBackend::new(60, 20)).unwrap();
    ui.press("?").await;
    let screen = ui.screen();
    let keymap = cors_doctor::tui::keymap::Keymap::default();
    for (_, hint, _) in keymap.help(cors_doctor::tui::keymap::Context::Main) {
        assert!(screen.contains(hint), "{hint}:\n{screen}");
    }
    assert!(screen.contains("Rebind in the config"), "{screen}");
}

/// Refused command-line values open the form with the problem under the field to blame.
#[tokio::test]
async fn refused_flags_show_their_problem_under_the_field() {
    let args = TargetArgs {
        url: Some("https://x.example/a".into()),
        origin: Some("app.example.com".into()),
        ..TargetArgs::default()
    };
    let why = args
        .resolve(&Config::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(!why.is_empty());
    let mut ui = Ui::new(80, 24, options(StartMode::FormError(why), args)).await;
    assert_eq!(ui.state.form.field(), cors_doctor::tui::form::Field::Origin);
    let screen = ui.screen();
    assert!(
        screen.contains("✘ Start with https:// (or http://), e.g."),
        "{screen}"
    );
}

/// Outside a multiplexer a copy is an OSC 52 sequence nobody confirms: the status says
/// "sent", never "copied", and offers `w`, which writes the text to a file and names it.
#[tokio::test]
async fn an_unconfirmed_copy_is_never_called_copied() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, Arc::new(|_| Ok(None)), Arc::new(NoScenarios), None);
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = sent.clone();
    jobs.clipboard = Box::new(move |t| {
        seen.lock().unwrap().push(t.to_string());
        Ok(())
    });
    jobs.copy_route = tui::clipboard::Route::Terminal { behind: None };
    let dir = tempfile::tempdir().unwrap();
    jobs.copy_file = dir.path().join("copied.txt");

    jobs.apply(Effect::WriteCopy);
    let Some(Msg::Copied(Err(e))) = rx.recv().await else {
        panic!("no answer")
    };
    assert!(e.contains("nothing copied yet"), "{e}");

    jobs.apply(Effect::Copy {
        text: "curl -i 'https://x.example/a'".into(),
        what: "curl for x1 (preflight)".into(),
    });
    let Some(Msg::Copied(Ok(status))) = rx.recv().await else {
        panic!("no answer")
    };
    assert!(status.starts_with("sent curl for x1"), "{status}");
    assert!(
        !status.contains("copied") && !status.contains('✔'),
        "{status}"
    );
    assert!(status.contains("w saves it to a file"), "{status}");
    assert!(status.chars().count() <= 80, "{status}");
    assert_eq!(*sent.lock().unwrap(), vec!["curl -i 'https://x.example/a'"]);

    jobs.apply(Effect::WriteCopy);
    let Some(Msg::Copied(Ok(status))) = rx.recv().await else {
        panic!("no answer")
    };
    assert!(status.starts_with("✔ wrote curl for x1"), "{status}");
    assert!(status.contains("copied.txt"), "{status}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("copied.txt")).unwrap(),
        "curl -i 'https://x.example/a'"
    );
}
