//! The terminal UI and the saved session show no secret; refused requests and fragments are never
//! sent.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terminal_ui_and_the_saved_session_show_no_secret() {
    use cors_doctor::config::Config;
    use cors_doctor::plan::TargetArgs;
    use cors_doctor::tui::{self, Effect, Msg, NoScenarios, Options, StartMode};
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;

    let echo = echo_server().await;
    let args = TargetArgs {
        url: Some(format!(
            "{}/prod/items?api_key={QUERY}#access_token={FRAGMENT}",
            echo.base_url()
        )),
        origin: Some(ORIGIN.into()),
        method: Some("POST".into()),
        headers: vec![
            format!("Authorization: Bearer {TOKEN}"),
            format!("x-api-key: {API_KEY}"),
            format!("Cookie: sid={COOKIE}"),
            "Content-Type: application/json".into(),
        ],
        body: Some(format!("{{\"password\":\"{BODY_PASS}\"}}")),
        ..TargetArgs::default()
    };
    let plan = args.resolve(&Config::default()).unwrap();
    let opts = Options {
        config: Config::default(),
        args: args.clone(),
        start: StartMode::Diagnose(Box::new(plan)),
        source: Arc::new(|_| Ok(None)),
        catalog: Arc::new(NoScenarios),
        last_path: None,
        color: false,
    };
    let (mut state, effects) = tui::initial_state(&opts);
    state.size = ratatui::layout::Rect::new(0, 0, 200, 60);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
    let mut saved = Vec::new();
    let mut pending: std::collections::VecDeque<Effect> = effects.into();
    let mut screens = Vec::new();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut draw = |state: &tui::AppState| {
        terminal.draw(|f| tui::view::render(f, state)).unwrap();
        let buf = terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    };
    let deadline = Instant::now() + DEADLINE;
    while let Some(e) = pending.pop_front() {
        match e {
            Effect::StartRun { .. } | Effect::RerunExchanges { .. } => {
                jobs.apply(e);
                while let Ok(Some(msg)) = tokio::time::timeout_at(deadline.into(), rx.recv()).await
                {
                    let end = matches!(
                        &msg,
                        Msg::RunFailed { .. }
                            | Msg::Run {
                                event: cors_doctor::runner::RunEvent::Finished(_),
                                ..
                            }
                    );
                    pending.extend(state.update(msg));
                    screens.push(draw(&state));
                    if end {
                        break;
                    }
                }
            }
            Effect::SaveLast(last) => saved.push(*last),
            _ => {}
        }
    }
    assert!(
        state.diag.as_ref().is_some_and(|d| d.report.is_some()),
        "the run did not finish"
    );
    let key = |c: KeyCode| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    // Every step, the evidence of every exchange, the form.
    for _ in 0..7 {
        state.update(key(KeyCode::Char('j')));
        screens.push(draw(&state));
    }
    state.update(key(KeyCode::Char('e')));
    for _ in 0..5 {
        screens.push(draw(&state));
        state.update(key(KeyCode::Char('j')));
    }
    state.update(key(KeyCode::Esc));
    state.update(key(KeyCode::Char('o')));
    screens.push(draw(&state));
    for screen in &screens {
        for canary in CANARIES {
            assert!(!screen.contains(canary), "{canary} on screen:\n{screen}");
        }
    }
    // The form's error line.
    let bad = TargetArgs {
        origin: Some(format!("https://alice:{PASSWORD}@app.example.com")),
        ..args.clone()
    };
    let opts = Options {
        start: StartMode::FormError(
            bad.resolve(&Config::default())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
        ),
        ..opts
    };
    let (state, _) = tui::initial_state(&opts);
    let form = draw(&state);
    for canary in CANARIES {
        assert!(!form.contains(canary), "{canary} on the form:\n{form}");
    }

    // The saved last session.
    assert!(!saved.is_empty(), "the target was not remembered");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("last.toml");
    for last in saved
        .iter()
        .chain([&cors_doctor::tui::session::LastTarget::from_args(
            &TargetArgs {
                url: Some(format!(
                    "http://{USER_TOKEN}:{PASSWORD}@127.0.0.1/x#access_token={FRAGMENT}"
                )),
                headers: vec![format!("Authorization Bearer {TOKEN}")],
                ..args.clone()
            },
        )])
    {
        last.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for canary in CANARIES {
            assert!(
                !text.contains(canary),
                "{canary} in the saved session:\n{text}"
            );
        }
    }
    jobs.shutdown();
    echo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_and_fragments_are_never_sent() {
    use common::{args, cors_doctor, Canned, FakeGateway, Flipping};
    let gateway = || FakeGateway {
        preflight: Canned::good_preflight(ORIGIN, "GET, POST", "authorization"),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    };
    let server = Flipping::start(gateway(), gateway()).await;
    let base = server.server.base_url();
    let with_user = base.replace("http://", &format!("http://alice:{PASSWORD}@"));
    for extra in [
        vec![format!("{with_user}/prod/items")],
        vec![format!("{base}/prod/items"), "-X".into(), "TRACE".into()],
        vec![format!("{base}/prod/items"), "-X".into(), "connect".into()],
        vec![format!("{base}/prod/items"), "-d".into(), "x".into()],
        vec![
            format!("{base}/prod/items"),
            "-X".into(),
            "HEAD".into(),
            "-d".into(),
            "".into(),
        ],
    ] {
        let mut a = args(&["check", "--origin", ORIGIN, "--format", "json"]);
        a.extend(extra.clone());
        let out = cors_doctor(a).await;
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(report["browser"]["outcome"], "refused", "{extra:?}");
        assert_eq!(report["first_failing_step"], 2, "{extra:?}");
        assert_eq!(report["exchanges"], serde_json::json!([]), "{extra:?}");
        assert_eq!(out.status.code(), Some(1), "{extra:?}");
    }
    assert!(server.methods().is_empty(), "sent: {:?}", server.methods());
    // A fragment stays in the browser.
    let out = cors_doctor(args(&[
        "check",
        &format!("{base}/prod/items?x=1#access_token={FRAGMENT}"),
        "--origin",
        ORIGIN,
    ]))
    .await;
    assert_ne!(out.status.code(), Some(2));
    let seen = server.seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    for r in seen {
        assert_eq!(r.path_and_query, "/prod/items?x=1");
    }
    server.server.shutdown().await;
}
