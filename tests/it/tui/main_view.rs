//! The main views: snapshots at both sizes, scripted keys, mouse clicks, agreement with `check`,
//! the event loop.

use super::*;

#[tokio::test]
pub(super) async fn views_at_80x24_and_160x48() {
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
pub(super) async fn scripted_keys_walk_the_diagnosis() {
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
pub(super) async fn mouse_clicks_select_steps() {
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
pub(super) async fn the_tui_and_check_agree() {
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
pub(super) async fn the_form_refuses_a_bad_origin_with_the_reason() {
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
pub(super) async fn the_event_loop_runs_and_goes_idle() {
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

/// `p`: the preview overlay, the diagnosis after the proposed fix beside the one before —
/// side by side at 160×48, stacked at 80×24 — and Esc closes it, changing nothing.
#[tokio::test]
pub(super) async fn the_preview_shows_before_and_after() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let (mut ui, _sim) = super::explorer::scenario_ui("options-missing", w, h).await;
        let size = format!("{w}x{h}");
        let before = ui.state.diag.as_ref().and_then(|d| d.report.clone());
        ui.press("p").await;
        assert!(ui.state.preview.is_some());
        let screen = ui.screen();
        snapshot(&format!("preview_{size}"), &screen);
        assert!(screen.contains("the fix works"), "{screen}");
        if w == 80 {
            // Stacked: the verdict and every step before → after, above the fold.
            assert!(screen.contains("BLOCKED → ALLOWED"), "{screen}");
            assert!(screen.contains("✘ FAIL    → ✔ pass    3."), "{screen}");
        } else {
            assert!(screen.contains("After the fix (predicted)"), "{screen}");
            // Side by side: Before and After on the same rows.
            let row = screen
                .lines()
                .find(|l| l.contains("Before"))
                .unwrap_or_default();
            assert!(row.contains("After the fix"), "{screen}");
        }
        ui.press("j j").await;
        ui.press("esc").await;
        assert!(ui.state.preview.is_none());
        assert_eq!(ui.state.screen, Screen::Main);
        assert_eq!(
            ui.state.diag.as_ref().and_then(|d| d.report.clone()),
            before
        );
    }
    // Probes only: the headers the responses need, and why the API change is not previewed.
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(80, 24, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    ui.press("p").await;
    let screen = ui.screen();
    snapshot("preview_probes_80x24", &screen);
    assert!(screen.contains("Access-Control-Allow-Origin"), "{screen}");
}
