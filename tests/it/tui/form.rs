//! The target form: snapshots, confirmation before a POST, secrets, help, clicks, refused flags,
//! copying.

use super::*;

/// The form at both sizes: filled in with mistakes (problems under their fields, in plain
/// words), with the headers list, and asking before a POST is sent.
#[tokio::test]
pub(super) async fn the_form_at_80x24_and_160x48() {
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
pub(super) async fn the_form_asks_before_sending_a_post() {
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
pub(super) async fn a_stripped_secret_is_asked_for() {
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
pub(super) async fn help_in_the_form_shows_its_keys() {
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
pub(super) async fn the_first_run_hint_goes_once_learn_was_opened() {
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
pub(super) async fn learn_mode_indexes_console_messages() {
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
pub(super) async fn clicks_focus_form_fields() {
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
pub(super) async fn the_help_overlay_fits_the_smallest_terminal() {
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
pub(super) async fn refused_flags_show_their_problem_under_the_field() {
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
pub(super) async fn an_unconfirmed_copy_is_never_called_copied() {
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
