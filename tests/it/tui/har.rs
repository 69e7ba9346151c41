//! The form's "HAR file": Enter on the field lists the file's cross-origin requests over the
//! form (failures first); Enter on one diagnoses it from the recording, sending nothing; `R`
//! then sends only the safe requests.

use super::*;

use crate::common::Flipping;

fn fixture(name: &str) -> String {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/har")
        .join(name)
        .display()
        .to_string()
}

/// Focuses the HAR file field (the last one) and types `path`.
async fn type_har_path(ui: &mut Ui, path: &str) {
    ui.press("S-tab").await;
    assert_eq!(ui.state.form.field(), cors_doctor::tui::form::Field::Har);
    ui.type_text(path).await;
}

/// The list over the form, at both sizes.
#[tokio::test]
pub(super) async fn the_har_list_at_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut ui = Ui::new(w, h, options(StartMode::Form, TargetArgs::default())).await;
        type_har_path(&mut ui, &fixture("chrome-real.har")).await;
        ui.press("enter").await;
        let pick = ui.state.form.har_pick.as_ref().expect("the list is open");
        assert_eq!(pick.held.list().len(), 4);
        ui.press("down").await;
        let screen = ui.screen();
        assert!(
            screen.contains("Chrome HAR · 4 cross-origin requests, 3 failed"),
            "{screen}"
        );
        snapshot(&format!("har_list_{w}x{h}"), &screen);
    }
}

#[tokio::test]
pub(super) async fn picking_an_entry_diagnoses_it_sending_nothing_and_r_sends_only_safe_requests() {
    let gw = Flipping::start(
        FakeGateway {
            preflight: Canned::gateway(
                403,
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            ),
            actual: Canned::integration(200),
            bare: None,
        },
        FakeGateway {
            preflight: Canned::new(200),
            actual: Canned::new(200),
            bare: None,
        },
    )
    .await;
    // The Chrome fixture pointed at the fake gateway.
    let text = std::fs::read_to_string(fixture("chrome-real.har")).unwrap();
    let re = regex_lite_ports(&text, &gw.server.base_url());
    let path = std::env::temp_dir().join(format!("cors-doctor-tui-har-{}.har", std::process::id()));
    std::fs::write(&path, re).unwrap();

    let mut ui = Ui::new(80, 24, options(StartMode::Form, TargetArgs::default())).await;
    type_har_path(&mut ui, &path.display().to_string()).await;
    ui.press("enter").await;
    // Failures first: entry 3 (POST, blocked at the preflight) is selected.
    assert_eq!(
        ui.state.form.har_pick.as_ref().unwrap().held.list()[0].number,
        3
    );
    ui.press("enter").await;
    assert_eq!(ui.state.screen, Screen::Main);
    let d = ui.state.diag.as_ref().expect("a diagnosis");
    assert!(d.recording.is_some());
    let report = d.report.as_ref().expect("finished");
    assert_eq!(report.first_failing_step, Some(3));
    assert!(gw.methods().is_empty(), "nothing sent: {:?}", gw.methods());
    let screen = ui.screen();
    assert!(screen.contains("Verify OPTIONS exists"), "{screen}");
    // R: only the OPTIONS preflights (POST can change data); b: refused.
    ui.press("R").await;
    let mut sent = gw.methods();
    sent.sort();
    assert_eq!(sent, vec!["OPTIONS", "OPTIONS"]);
    ui.press("b").await;
    assert_eq!(gw.methods().len(), 2, "b sends nothing for a HAR diagnosis");
    let screen = ui.screen();
    assert!(screen.contains("R sends safe requests"), "{screen}");
    // `o`: the form holds the recorded request (POST, its headers), so sending it goes
    // through the form's question.
    ui.press("o").await;
    assert_eq!(ui.state.screen, Screen::Form);
    assert_eq!(ui.state.form.method_name(), "POST");
    assert!(ui
        .state
        .form
        .header_entries()
        .iter()
        .any(|h| h.eq_ignore_ascii_case("content-type: application/json")));
    // The form again (the diagnosis started there): the GET entry; R sends it with and
    // without Origin.
    type_har_path(&mut ui, &path.display().to_string()).await;
    ui.press("enter").await;
    let list = ui
        .state
        .form
        .har_pick
        .as_ref()
        .unwrap()
        .held
        .list()
        .to_vec();
    let get = list.iter().position(|l| l.method == "GET").unwrap();
    for _ in 0..get {
        ui.press("down").await;
    }
    ui.press("enter").await;
    ui.press("R").await;
    let gets = gw.methods().iter().filter(|m| *m == "GET").count();
    assert_eq!(gets, 2);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
pub(super) async fn a_bad_har_file_is_said_under_the_form() {
    let mut ui = Ui::new(80, 24, options(StartMode::Form, TargetArgs::default())).await;
    type_har_path(&mut ui, "/nonexistent/session.har").await;
    ui.press("enter").await;
    assert!(ui.state.form.har_pick.is_none());
    assert!(ui.screen().contains("No such file"), "{}", ui.screen());
    let path = std::env::temp_dir().join(format!("cors-doctor-tui-bad-{}.har", std::process::id()));
    std::fs::write(&path, "{\"log\":{\"entries\":[").unwrap();
    let mut ui = Ui::new(80, 24, options(StartMode::Form, TargetArgs::default())).await;
    type_har_path(&mut ui, &path.display().to_string()).await;
    ui.press("enter").await;
    assert!(ui.state.form.har_pick.is_none());
    let screen = ui.screen();
    assert!(screen.contains("not JSON"), "{screen}");
    let _ = std::fs::remove_file(&path);
}

/// `text` with every `http://127.0.0.1:PORT` replaced by `base`.
fn regex_lite_ports(text: &str, base: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let needle = "http://127.0.0.1:";
    while let Some(i) = rest.find(needle) {
        out.push_str(&rest[..i]);
        out.push_str(base);
        let after = &rest[i + needle.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}
