//! The fix modal (`a`): the calls shown before anything is written, Esc before confirming
//! changes nothing (no apply effect), each call shown as it runs, then the result; snapshots
//! at 80×24 and 160×48. (tests/aws/ applies through the modal against moto.)

use super::*;
use cors_doctor::tui::{CallState, FixEvent, FixModal, FixPhase, FixPreview};

/// Feeds the fix job's messages for `seq` into the state until it settles (prepared, stopped
/// or finished); returns the effects they produced.
pub(super) async fn until_settled(ui: &mut Ui, seq: u64) -> Vec<Effect> {
    let mut effects = Vec::new();
    while let Some(msg) = ui.rx.recv().await {
        let end = matches!(
            &msg,
            Msg::Fix { seq: s, event: FixEvent::Prepared(_) | FixEvent::Stopped { .. } | FixEvent::Finished { .. } }
                if *s == seq
        );
        effects.extend(ui.state.update(msg));
        if end {
            break;
        }
    }
    effects
}

fn preview() -> FixPreview {
    let api = "aws apigateway";
    let m =
        "--region us-east-1 --rest-api-id a1b2c3d4e5 --resource-id r00t01 --http-method OPTIONS";
    FixPreview {
        api: "REST API a1b2c3d4e5 (us-east-1), stage prod".into(),
        calls: vec![
            format!("[OPTIONS_MISSING] {api} put-method {m} --authorization-type NONE --no-api-key-required"),
            format!("[OPTIONS_MISSING] {api} put-method-response {m} --status-code 200 --response-parameters '{{\"method.response.header.Access-Control-Allow-Origin\":false}}'"),
            format!("[OPTIONS_MISSING] {api} put-integration {m} --type MOCK --request-templates '{{\"application/json\":\"{{\\\"statusCode\\\": 200}}\"}}'"),
            format!("[OPTIONS_MISSING] {api} put-integration-response {m} --status-code 200 --response-parameters '{{\"method.response.header.Access-Control-Allow-Origin\":\"'\\''https://app.example.com'\\''\"}}'"),
            format!("[deploy] {api} create-deployment --region us-east-1 --rest-api-id a1b2c3d4e5 --stage-name prod --description 'cors-doctor fix'"),
        ],
        summaries: vec![
            "[OPTIONS_MISSING] put-method OPTIONS /items: no authorization, no API key".into(),
            "[OPTIONS_MISSING] put-method-response OPTIONS /items 200: declare Access-Control-Allow-Origin".into(),
            "[OPTIONS_MISSING] put-integration OPTIONS /items: MOCK answering 200".into(),
            "[OPTIONS_MISSING] put-integration-response OPTIONS /items 200: Access-Control-Allow-Origin = 'https://app.example.com'".into(),
            "[deploy] create-deployment to stage prod".into(),
        ],
        unchanged: vec![],
        permissions: vec![
            "apigateway:GET on arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5 and arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/* (the reads before the writes)".into(),
            "apigateway:POST on arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/deployments".into(),
            "apigateway:PUT on arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/resources/r00t01/methods/OPTIONS".into(),
        ],
        warning: None,
    }
}

/// A diagnosis on screen, then the modal as `a` leaves it once the calls are prepared.
async fn with_modal(w: u16, h: u16) -> (Ui, SimServer) {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(w, h, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    ui.state.fix = Some(FixModal {
        seq: 900,
        phase: FixPhase::Preparing,
        preview: FixPreview::default(),
        calls: Vec::new(),
        undo: None,
    });
    let effects = ui.state.update(Msg::Fix {
        seq: 900,
        event: FixEvent::Prepared(Ok(preview())),
    });
    assert!(effects.is_empty());
    (ui, server)
}

#[tokio::test]
async fn the_modal_shows_each_call_asks_and_esc_changes_nothing() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let size = format!("{w}x{h}");
        let (mut ui, _server) = with_modal(w, h).await;
        snapshot(&format!("fix_confirm_{size}"), &ui.screen());
        // Keys other than Enter/y/Esc do nothing; Esc closes, and asks for no apply.
        let key = |c| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
        use ratatui::crossterm::event::KeyCode;
        assert!(ui.state.update(key(KeyCode::Char('r'))).is_empty());
        let effects = ui.state.update(key(KeyCode::Esc));
        assert!(
            effects
                .iter()
                .all(|e| matches!(e, Effect::CancelFix { seq: 900 })),
            "{effects:?}"
        );
        assert!(ui.state.fix.is_none());
        assert!(ui.screen().contains("nothing was changed"));

        // Confirmed: the apply effect, then each call as it runs, then the result.
        let (mut ui, _server) = with_modal(w, h).await;
        let effects = ui.state.update(key(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::ApplyFix { seq: 900 }]),
            "{effects:?}"
        );
        // Esc while the calls run does not close the modal.
        let _ = ui.state.update(key(KeyCode::Esc));
        assert!(ui.state.fix.is_some());
        for event in [
            FixEvent::CallStarted(0),
            FixEvent::CallDone(0),
            FixEvent::CallStarted(1),
            FixEvent::CallDone(1),
            FixEvent::CallStarted(2),
        ] {
            ui.state.update(Msg::Fix { seq: 900, event });
        }
        assert_eq!(
            ui.state.fix.as_ref().unwrap().calls[..3],
            [CallState::Done, CallState::Done, CallState::Running]
        );
        snapshot(&format!("fix_applying_{size}"), &ui.screen());
        for event in [
            FixEvent::CallDone(2),
            FixEvent::CallStarted(3),
            FixEvent::CallDone(3),
            FixEvent::CallStarted(4),
            FixEvent::CallDone(4),
            FixEvent::Applied {
                undo: "cors-doctor fix --undo '/home/u/.local/state/cors-doctor/undo/20261130T200000Z-a1b2c3d4e5.json' --yes".into(),
            },
            FixEvent::Verifying {
                attempt: 1,
                verdict: "blocked".into(),
            },
            FixEvent::Finished {
                ok: true,
                lines: vec!["The browser's verdict is now allowed (probed live).".into()],
            },
        ] {
            ui.state.update(Msg::Fix { seq: 900, event });
        }
        snapshot(&format!("fix_done_{size}"), &ui.screen());
        let _ = ui.state.update(key(KeyCode::Esc));
        assert!(ui.state.fix.is_none());
    }
}

#[tokio::test]
async fn a_failed_call_is_shown_with_what_to_do() {
    let (mut ui, _server) = with_modal(160, 48).await;
    use ratatui::crossterm::event::KeyCode;
    ui.state.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('y'),
        KeyModifiers::NONE,
    )));
    for event in [
        FixEvent::CallStarted(0),
        FixEvent::CallDone(0),
        FixEvent::CallStarted(1),
        FixEvent::CallFailed(1, "AccessDenied: missing permission apigateway:PUT on arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/resources/r00t01/methods/OPTIONS/responses/200".into()),
        FixEvent::Stopped {
            lines: vec![
                "Stopped after 1 of 5 calls: AccessDenied".into(),
                "The calls made are not deployed; to put them back: cors-doctor fix --undo 'F' --yes".into(),
            ],
        },
    ] {
        ui.state.update(Msg::Fix { seq: 900, event });
    }
    let screen = ui.screen();
    assert!(screen.contains("✗"), "{screen}");
    assert!(
        screen.contains("AccessDenied: missing permission apigateway:PUT"),
        "{screen}"
    );
    assert!(screen.contains("fix --undo"), "{screen}");
}

#[tokio::test]
async fn a_without_a_change_to_apply_says_so() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(80, 24, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    ui.press("a").await;
    // Probes only, on a URL that names no API: either no finding carries a change, or the
    // modal says that fix needs the API named (nothing is written either way).
    match &ui.state.fix {
        None => {
            let status = ui
                .state
                .status
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default();
            assert!(status.contains("no finding proposes a change"), "{status}");
        }
        Some(m) => {
            assert!(
                matches!(&m.phase, FixPhase::Refused(why) if why.contains("AWS SDK")),
                "{:?}",
                m.phase
            );
            assert!(ui.screen().contains("Nothing applied"));
        }
    }
}
