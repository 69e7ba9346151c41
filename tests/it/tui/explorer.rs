//! The API explorer, steps and their evidence, the footer, re-running a step.

use super::*;

/// A demo scenario on the simulator, with its API as the configuration (as `demo` runs it).
pub(super) async fn scenario_ui(name: &str, w: u16, h: u16) -> (Ui, StartedScenario) {
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
pub(super) async fn explorer_views_at_80x24_and_160x48() {
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
pub(super) async fn the_explorer_diagnoses_the_selected_method() {
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
pub(super) async fn the_explorer_without_a_configuration_says_why() {
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
pub(super) async fn steps_follow_their_evidence() {
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
pub(super) async fn the_footer_says_what_runs() {
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
pub(super) async fn the_explorer_diagnoses_offline_too() {
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
pub(super) async fn rerun_a_step_sends_only_its_evidence() {
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
