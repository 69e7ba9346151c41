//! The API explorer asks before it sends a method that can change data, in the target form's
//! words: nothing runs before Enter confirms; Esc goes back to the explorer.

use std::sync::Arc;

use cors_doctor::app::{self, SimCatalog};
use cors_doctor::config::Config;
use cors_doctor::plan::TargetArgs;
use cors_doctor::runner;
use cors_doctor::tui::keymap::KeySpec;
use cors_doctor::tui::{
    self, AppState, Effect, Msg, NoScenarios, Options, ScenarioCatalog, Screen, StartMode,
};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyEvent, KeyModifiers};
use ratatui::Terminal;

/// The app on a TestBackend, its runs followed to completion; counts the runs started.
struct Ui {
    state: AppState,
    jobs: tui::Jobs,
    rx: tokio::sync::mpsc::UnboundedReceiver<Msg>,
    terminal: Terminal<TestBackend>,
    runs: usize,
}

impl Ui {
    async fn effects(&mut self, effects: Vec<Effect>) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(e) = queue.pop_front() {
            if let Effect::StartRun { seq, .. } = &e {
                let seq = *seq;
                self.runs += 1;
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
        }
    }

    async fn press(&mut self, keys: &str) {
        for token in keys.split_whitespace() {
            let k = KeySpec::parse(token).unwrap();
            let effects = self
                .state
                .update(Msg::Key(KeyEvent::new(k.code, KeyModifiers::NONE)));
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
}

/// The demo's `rest-healthy` API on the simulator, diagnosed first with POST /prod/bookings.
async fn ui(w: u16, h: u16) -> (Ui, tui::StartedScenario) {
    let started = SimCatalog.start("rest-healthy").await.unwrap();
    let plan = started.plan.clone();
    let args = TargetArgs {
        url: Some(plan.target.url.to_string()),
        origin: Some(plan.target.origin.clone()),
        method: Some(plan.target.method.clone()),
        ..TargetArgs::default()
    };
    let opts = Options {
        config: Config::default(),
        args,
        start: StartMode::Diagnose(Box::new(plan)),
        source: Arc::new(|plan| app::config_source(plan).map_err(|e| e.0)),
        catalog: Arc::new(NoScenarios),
        last_path: None,
        color: false,
    };
    let (mut state, effects) = tui::initial_state(&opts);
    state.size = ratatui::layout::Rect::new(0, 0, w, h);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let mut ui = Ui {
        state,
        jobs: tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None),
        rx,
        terminal: Terminal::new(TestBackend::new(w, h)).unwrap(),
        runs: 0,
    };
    ui.effects(effects).await;
    (ui, started)
}

#[tokio::test]
async fn the_explorer_asks_before_sending_a_post() {
    let (mut ui, _sim) = ui(80, 24).await;
    assert_eq!(ui.runs, 1, "the first diagnosis");
    ui.press("t").await;
    assert_eq!(ui.state.screen, Screen::Explorer);
    // The method diagnosed now (POST /bookings) is selected.
    let (tree, row) = ui.state.explorer.selected().unwrap();
    assert_eq!(
        (tree.path_of(row), row.method.as_deref()),
        ("/bookings", Some("POST"))
    );

    ui.press("enter").await;
    assert_eq!(ui.runs, 1, "nothing is sent before the user confirms");
    assert_eq!(ui.state.screen, Screen::Explorer);
    let screen = ui.screen();
    // The question's wrapped lines, joined.
    let flat = screen
        .lines()
        .map(|l| l.trim_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(flat.contains("Send POST?"), "{screen}");
    assert!(
        flat.contains("POST is really sent to http://127.0.0.1:"),
        "{screen}"
    );
    assert!(flat.contains("/prod/bookings, twice"), "{screen}");
    assert!(
        flat.contains("enter sends it · esc goes back to the explorer"),
        "{screen}"
    );
    // The selected method stays in sight above the question.
    assert!(screen.contains("▶●POST"), "{screen}");
    insta::with_settings!({
        filters => vec![(r"127\.0\.0\.1:\d+ *", "127.0.0.1:PORT")],
        omit_expression => true,
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("tui__explorer_confirm_80x24", screen);
    });

    // Keys other than Enter and Esc do nothing while it asks.
    ui.press("j / x").await;
    assert!(ui.state.explorer.confirm.is_some());
    assert!(!ui.state.explorer.editing && ui.state.explorer.filter.is_empty());
    assert_eq!(ui.runs, 1);

    // Esc goes back to the explorer, nothing sent.
    ui.press("esc").await;
    assert!(ui.state.explorer.confirm.is_none());
    assert_eq!(ui.state.screen, Screen::Explorer);
    assert_eq!(ui.runs, 1);
    assert!(!ui.screen().contains("really sent"));

    // Enter, Enter: sent.
    ui.press("enter enter").await;
    assert_eq!(ui.runs, 2);
    assert_eq!(ui.state.screen, Screen::Main);
    let d = ui.state.diag.as_ref().unwrap();
    assert_eq!(d.plan.shown().target.method, "POST");
    assert!(d.report.is_some());
}

/// GET is safe: Enter diagnoses it at once.
#[tokio::test]
async fn the_explorer_sends_a_get_without_asking() {
    let (mut ui, _sim) = ui(80, 24).await;
    ui.press("t /").await;
    for c in "{id} get".chars() {
        let effects = ui.state.update(Msg::Key(KeyEvent::new(
            ratatui::crossterm::event::KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
        ui.effects(effects).await;
    }
    ui.press("enter").await;
    assert_eq!(ui.runs, 2);
    assert_eq!(ui.state.screen, Screen::Main);
    assert_eq!(
        ui.state.diag.as_ref().unwrap().plan.shown().target.method,
        "GET"
    );
}
