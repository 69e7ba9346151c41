//! `b` in the terminal UI: the diagnosis again with the real Chromium retest. Step 7 then
//! says `source chromium`; without Chromium, the footer gives the install command and step 7
//! the finding. (Its own test binary: it sets the Chromium path variable.)

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Canned, FakeGateway};
use cors_doctor::browser::{BrowserError, CHROMIUM_ENV, INSTALL_COMMAND};
use cors_doctor::config::Config;
use cors_doctor::plan::TargetArgs;
use cors_doctor::runner::{self, RunEvent};
use cors_doctor::tui::{self, AppState, Effect, Msg, NoScenarios, Options, StartMode};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

const ORIGIN: &str = "https://app.example.com";

fn press(state: &mut AppState, c: char) -> Vec<Effect> {
    state.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

/// Runs the effects' runs to completion; returns the events seen.
async fn run_effects(state: &mut AppState, effects: Vec<Effect>) -> Vec<String> {
    let mut seen = Vec::new();
    for e in effects {
        if let Effect::StartRun { seq, plan } = e {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let _ = runner::run_sealed(&plan, |_| Ok(None), None, Some(tx)).await;
            while let Ok(event) = rx.try_recv() {
                seen.push(format!("{event:?}").chars().take(20).collect());
                if matches!(event, RunEvent::BrowserStarted) {
                    // The retest is under way: step 7 spins, the footer says so.
                    let mut t = Terminal::new(TestBackend::new(160, 60)).unwrap();
                    state.update(Msg::Run { seq, event });
                    let screen = draw(&mut t, state);
                    assert!(screen.contains("retesting in Chromium"), "{screen}");
                    continue;
                }
                state.update(Msg::Run { seq, event });
            }
        }
    }
    seen
}

fn draw(t: &mut Terminal<TestBackend>, state: &AppState) -> String {
    t.draw(|f| tui::view::render(f, state)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn b_retests_in_chromium() {
    let server = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let args = TargetArgs {
        url: Some(format!("{}/prod/items", server.base_url())),
        origin: Some(ORIGIN.into()),
        headers: vec!["Authorization: Bearer abc".into()],
        ..TargetArgs::default()
    };
    let plan = args.resolve(&Config::default()).unwrap();
    let opts = Options {
        config: Config::default(),
        args,
        start: StartMode::Diagnose(Box::new(plan)),
        source: Arc::new(|_| Ok(None)),
        catalog: Arc::new(NoScenarios),
        last_path: None,
        color: false,
    };
    let (mut state, effects) = tui::initial_state(&opts);
    state.size = ratatui::layout::Rect::new(0, 0, 160, 60);
    run_effects(&mut state, effects).await;
    let report = state.diag.as_ref().unwrap().report.clone().unwrap();
    assert_eq!(
        report.browser.source,
        cors_doctor::report::VerdictSource::Engine
    );
    let mut terminal = Terminal::new(TestBackend::new(160, 60)).unwrap();

    // No Chromium where the variable points: the install command, and step 7 says why.
    std::env::set_var(CHROMIUM_ENV, "/nonexistent/chromium");
    let effects = press(&mut state, 'b');
    match &effects[..] {
        [Effect::StartRun { plan, .. }] => assert!(plan.shown().browser),
        other => panic!("{other:?}"),
    }
    assert!(draw(&mut terminal, &state).contains("retesting in Chromium…"));
    run_effects(&mut state, effects).await;
    let screen = draw(&mut terminal, &state);
    assert!(screen.contains(INSTALL_COMMAND), "{screen}");
    assert_eq!(state.steps.sel, 6, "step 7 is selected");
    assert!(screen.contains("could not run"), "{screen}");
    assert!(screen.contains("source engine"), "{screen}");
    std::env::remove_var(CHROMIUM_ENV);

    // The real Chromium, when installed.
    if let Err(e @ BrowserError::NotInstalled { .. }) = cors_doctor::browser::find_executable() {
        assert!(
            std::env::var_os("CORS_DOCTOR_REQUIRE_CHROMIUM").is_none(),
            "{e}"
        );
        eprintln!("SKIPPED the Chromium part: {e}");
        return;
    }
    let effects = press(&mut state, 'b');
    let seen = run_effects(&mut state, effects).await;
    assert!(
        seen.iter().any(|e| e.starts_with("BrowserStarted")),
        "{seen:?}"
    );
    let d = state.diag.as_ref().unwrap();
    let report = d.report.as_ref().unwrap();
    assert_eq!(
        report.browser.source,
        cors_doctor::report::VerdictSource::Chromium
    );
    assert!(!d.plan.shown().browser, "R reruns without Chromium again");
    let screen = draw(&mut terminal, &state);
    assert!(screen.contains("source chromium"), "{screen}");
    assert!(screen.contains("(Chromium retest)"), "{screen}");
    assert_eq!(state.steps.sel, 6);
}
