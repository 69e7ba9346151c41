//! The form sends a POST only when confirmed; two scenarios from the picker with Esc, Enter, j and
//! k.

use super::*;

/// The form in a real terminal: typing on Method chooses (never `GETPOST`), and a POST is
/// only sent once the question is answered with Enter; Esc sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn the_form_sends_a_post_only_when_confirmed() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed; the end-to-end terminal test needs it");
        return;
    }
    let gateway = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    };
    let same = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    };
    let server = crate::common::Flipping::start(gateway, same).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin}; sleep 60",
        dir = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_cors-doctor"),
    );
    let tmux = Tmux::start("cdt-e2e-form", 100, 30, &script);
    tmux.wait_for("the form", |s| s.contains("Resource path"))
        .await;
    let url = format!("{}/prod/items", server.server.base_url());
    tmux.cmd(&["send-keys", "-t", "e2e", "-l", &url]);
    tmux.keys("Down");
    tmux.cmd(&["send-keys", "-t", "e2e", "-l", ORIGIN]);
    tmux.keys("Down");
    tmux.cmd(&["send-keys", "-t", "e2e", "-l", "POST"]);
    // P, O: OPTIONS; then p: POST.
    tmux.cmd(&["send-keys", "-t", "e2e", "-l", "p"]);
    tmux.wait_for("POST chosen", |s| s.contains("POST is really sent, twice"))
        .await;
    tmux.keys("Enter");
    tmux.wait_for("the question", |s| s.contains("enter sends it"))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.methods().is_empty(), "{:?}", server.methods());
    tmux.keys("Escape");
    tmux.wait_for("back on the form", |s| !s.contains("enter sends it"))
        .await;
    tmux.keys("Enter");
    tmux.wait_for("the question again", |s| s.contains("enter sends it"))
        .await;
    tmux.keys("Enter");
    tmux.wait_for("the diagnosis", |s| {
        s.contains("Browser: ") && s.contains("7 ✔")
    })
    .await;
    let methods = server.methods();
    assert_eq!(
        methods.iter().filter(|m| *m == "POST").count(),
        2,
        "POST is sent twice (as the browser and as curl): {methods:?}"
    );
    assert!(
        !methods.iter().any(|m| m.contains("GETPOST")),
        "{methods:?}"
    );
}

/// `cors-doctor demo` at 80×24: two scenarios run from the picker with only Esc, Enter, j
/// and k; the cause and the fix of `header-declared-not-mapped` are on its first screen (no
/// scrolling); Esc at the picker asks to quit, and Enter quits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn two_scenarios_from_the_picker_with_esc_enter_j_k() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed; the end-to-end terminal test needs it");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_cors-doctor");
    // The cause the UI should show: the first finding of the first failing step, and its fix.
    let out = Command::new(bin)
        .args(["demo", "header-declared-not-mapped", "--format", "json"])
        .output()
        .expect("run the demo headless");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let first = report["first_failing_step"]
        .as_u64()
        .expect("a failing step");
    let step = report["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["number"].as_u64() == Some(first)))
        .expect("the step");
    let code = step["findings"][0]["code"]
        .as_str()
        .expect("a code")
        .to_string();
    // The root cause comes first (the symptom, PREFLIGHT_CORS_HEADERS, after it).
    assert_eq!(code, "HEADER_NOT_MAPPED", "{report}");
    let fix: Vec<String> = step["findings"][0]["remediation"]["text"]
        .as_str()
        .expect("a fix")
        .split_whitespace()
        .take(3)
        .map(str::to_string)
        .collect();

    let dir = tempfile::tempdir().expect("tempdir");
    let stty = dir.path().join("stty.txt");
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin} demo; stty -a > {stty}; sleep 60",
        dir = dir.path().display(),
        stty = stty.display(),
    );
    let tmux = Tmux::start("cdt-e2e-demo", 80, 24, &script);
    tmux.wait_for("the picker", |s| s.contains("Demo scenarios"))
        .await;

    // The first scenario.
    tmux.keys("Enter");
    let screen = tmux
        .wait_for("the first diagnosis", |s| {
            s.contains(" ◀") && s.contains("Cause ") && s.contains("› options-missing ›")
        })
        .await;
    assert!(screen.contains("Cause "), "{screen}");
    tmux.keys("Escape");
    tmux.wait_for("back on the picker", |s| s.contains("Demo scenarios"))
        .await;

    // Down to header-declared-not-mapped with j (and one k to show it goes both ways).
    tmux.keys("j");
    tmux.wait_for("the second row", |s| {
        selected(s).contains("options-not-deployed")
    })
    .await;
    tmux.keys("k");
    tmux.wait_for("the first row", |s| selected(s).contains("options-missing"))
        .await;
    for _ in 0..20 {
        if selected(&tmux.screen()).contains("header-declared-not-mapped") {
            break;
        }
        let before = tmux.screen();
        tmux.keys("j");
        tmux.wait_for("the selection to move", |s| s != before)
            .await;
    }
    assert!(
        selected(&tmux.screen()).contains("header-declared-not-mapped"),
        "{}",
        tmux.screen()
    );
    tmux.keys("Enter");
    let screen = tmux
        .wait_for("the second diagnosis", |s| {
            s.contains(" ◀") && s.contains("Cause ") && s.contains("› header-declared-not-mapped ›")
        })
        .await;
    // The cause and the start of its fix, without a key pressed.
    assert!(
        screen.contains(&format!("Cause {code}")),
        "{code}:\n{screen}"
    );
    let fix_start = format!("Fix {}", fix.join(" "));
    assert!(screen.contains(&fix_start), "{fix_start}:\n{screen}");
    // The scenario's description stays in view.
    assert!(
        screen.contains("Allow-Origin declared but not mapped"),
        "{screen}"
    );

    // Esc: the picker; Esc: the quit prompt; Enter quits.
    tmux.keys("Escape");
    tmux.wait_for("back on the picker", |s| s.contains("Demo scenarios"))
        .await;
    tmux.keys("Escape");
    tmux.wait_for("the quit prompt", |s| s.contains("Quit cors-doctor?"))
        .await;
    tmux.keys("Enter");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::metadata(&stty).map_or(0, |m| m.len()) == 0 {
        assert!(
            Instant::now() < deadline,
            "the app did not quit:\n{}",
            tmux.screen()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let modes = std::fs::read_to_string(&stty).expect("stty output");
    let words: Vec<&str> = modes.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "{modes}"
    );
}
