//! End to end: the real binary in a real terminal (tmux) against a loopback server. Open,
//! see the seven steps with the first failing one highlighted, move, open the evidence, the
//! API explorer, quit,
//! and find the terminal back in cooked mode. Skips (saying so) when tmux is missing.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Canned, FakeGateway};

const ORIGIN: &str = "https://app.example.com";

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }
    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into()
    }
    fn keys(&self, keys: &str) {
        self.cmd(&["send-keys", "-t", "e2e", keys]);
    }
    /// Waits until the screen satisfies `ok`, or fails with the last screen.
    async fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{s}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

fn selected(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains('▶'))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_in_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed; the end-to-end terminal test needs it");
        return;
    }
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
    let dir = tempfile::tempdir().expect("tempdir");
    let stty = dir.path().join("stty.txt");
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin} {url}/prod/items --origin {ORIGIN} -H 'Authorization: Bearer abc.def'; stty -a > {stty}; sleep 60",
        dir = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_cors-doctor"),
        url = server.base_url(),
        stty = stty.display(),
    );
    let tmux = Tmux {
        socket: format!("cdt-e2e-{}", std::process::id()),
    };
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "{out:?}");

    let screen = tmux
        .wait_for("the diagnosis", |s| s.contains("first failure"))
        .await;
    for n in 1..=7 {
        assert!(
            screen
                .lines()
                .any(|l| l.starts_with(&format!("│ {n} ")) || l.starts_with(&format!("│▶{n} "))),
            "step {n}:\n{screen}"
        );
    }
    assert!(selected(&screen).contains("▶3 ✘ FAIL"), "{screen}");

    tmux.keys("j");
    tmux.wait_for("step 4 selected", |s| selected(s).contains("▶4"))
        .await;
    tmux.keys("e");
    let screen = tmux
        .wait_for("the evidence", |s| s.contains("Request and response"))
        .await;
    assert!(screen.contains("x1 preflight"), "{screen}");
    assert!(
        !screen.contains("abc.def"),
        "secrets stay masked:\n{screen}"
    );

    // The API explorer: this run has no configuration, and the explorer says so.
    tmux.keys("t");
    let screen = tmux
        .wait_for("the API explorer", |s| {
            s.contains("No API configuration was loaded")
        })
        .await;
    assert!(screen.contains("┌ API explorer"), "{screen}");

    tmux.keys("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&stty).exists() || std::fs::metadata(&stty).map_or(0, |m| m.len()) == 0 {
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
    assert!(words.contains(&"icanon"), "not in cooked mode: {modes}");
    assert!(words.contains(&"echo"), "echo is off: {modes}");
    // Back on the main screen: the UI's frame is gone.
    let screen = tmux.screen();
    assert!(!screen.contains("Request and response"), "{screen}");
}

/// SIGTERM while the form is open: the app quits and the terminal is restored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_restores_the_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed; the end-to-end terminal test needs it");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let stty = dir.path().join("stty.txt");
    let tmux = Tmux {
        socket: format!("cdt-e2e-term-{}", std::process::id()),
    };
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin}; stty -a > {stty}; sleep 60",
        dir = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_cors-doctor"),
        stty = stty.display(),
    );
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "{out:?}");
    tmux.wait_for("the target form", |s| {
        s.contains("Target") && s.contains("Origin")
    })
    .await;
    let shell = String::from_utf8_lossy(
        &tmux
            .cmd(&["display", "-p", "-t", "e2e", "#{pane_pid}"])
            .stdout,
    )
    .trim()
    .to_string();
    let children = Command::new("pgrep")
        .args(["-P", &shell])
        .output()
        .expect("pgrep");
    let child = String::from_utf8_lossy(&children.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(!child.is_empty(), "no child of the shell {shell}");
    let killed = Command::new("kill")
        .args(["-TERM", &child])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::metadata(&stty).map_or(0, |m| m.len()) == 0 {
        assert!(
            Instant::now() < deadline,
            "SIGTERM did not end the app:\n{}",
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

/// `c` and `y` inside tmux (default settings, which drop OSC 52): the text lands in tmux's
/// paste buffer, exactly the curl and the remediation the report holds (secrets masked),
/// the status says where it went, and `w` writes it to a file it names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_land_in_the_tmux_buffer() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed; the end-to-end terminal test needs it");
        return;
    }
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
    let url = format!("{}/prod/items", server.base_url());
    let auth = "Authorization: Bearer abc.def.ghi";
    let dir = tempfile::tempdir().expect("tempdir");
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin} {url} --origin {ORIGIN} -H '{auth}'; sleep 60",
        dir = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_cors-doctor"),
    );
    let tmux = Tmux {
        socket: format!("cdt-e2e-copy-{}", std::process::id()),
    };
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "160",
        "-y",
        "40",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "{out:?}");
    tmux.wait_for("the diagnosis", |s| s.contains("◀ first fail"))
        .await;

    // What the report holds for the selected (first failing) step.
    let (_, json, out) = common::check_json(&[&url, "--origin", ORIGIN, "-H", auth]).await;
    let first = json["first_failing_step"].as_u64().expect(&out);
    let step = &json["steps"][usize::try_from(first - 1).unwrap()];
    let cited = step["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["evidence"].as_array().into_iter().flatten())
        .find_map(|id| {
            json["exchanges"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|x| &x["id"] == id)
        })
        .expect("a cited exchange");
    let exchange: cors_doctor::evidence::Exchange =
        serde_json::from_value(cited.clone()).expect("an exchange");
    let curl = cors_doctor::tui::inspect::curl(&exchange);
    let mut fix = String::new();
    for f in step["findings"].as_array().into_iter().flatten() {
        if let Some(r) = f["remediation"].as_object() {
            fix.push_str(&format!(
                "# {}: {}\n",
                f["code"].as_str().unwrap_or_default(),
                r["text"].as_str().unwrap_or_default()
            ));
            for c in r["commands"].as_array().into_iter().flatten() {
                fix.push_str(c.as_str().unwrap_or_default());
                fix.push('\n');
            }
        }
    }
    assert!(!fix.is_empty(), "{out}");

    let buffer = || String::from_utf8_lossy(&tmux.cmd(&["show-buffer"]).stdout).to_string();
    tmux.keys("c");
    let screen = tmux
        .wait_for("the curl copied", |s| s.contains("to the tmux buffer"))
        .await;
    assert!(screen.contains("paste with prefix ]"), "{screen}");
    assert_eq!(buffer(), curl);
    assert!(curl.starts_with("curl -i"), "{curl}");
    assert!(!curl.contains("abc.def"), "secrets stay masked:\n{curl}");

    tmux.keys("y");
    tmux.wait_for("the fix copied", |s| {
        s.contains("copied the remediation of step")
    })
    .await;
    assert_eq!(buffer(), fix);
    assert!(!fix.contains("abc.def"), "{fix}");

    tmux.keys("w");
    let path = dir.path().join("state/cors-doctor/copied.txt");
    let screen = tmux
        .wait_for("the fix written", |s| s.contains("✔ wrote the remediation"))
        .await;
    assert!(screen.contains("copied.txt"), "{screen}");
    assert_eq!(std::fs::read_to_string(&path).expect("copied.txt"), fix);
}

/// `check`'s text output on a terminal wraps at the terminal's width (here 70 columns), long
/// commands broken with ` \` continuations, in colour (the colour sequences are not counted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_output_wraps_at_the_terminal_width() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed; the end-to-end terminal test needs it");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let done = dir.path().join("done");
    let script = format!(
        "cd {dir} && env -u NO_COLOR XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin} demo header-declared-not-mapped --format text; touch {done}; sleep 60",
        dir = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_cors-doctor"),
        done = done.display(),
    );
    let tmux = Tmux {
        socket: format!("cdt-e2e-wrap-{}", std::process::id()),
    };
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "70",
        "-y",
        "20",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "{out:?}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done.exists() {
        assert!(Instant::now() < deadline, "the report did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The whole history, lines the terminal itself wrapped joined back (-J): a line longer
    // than 70 columns here is one cors-doctor did not wrap.
    let all = String::from_utf8_lossy(
        &tmux
            .cmd(&["capture-pane", "-p", "-J", "-S", "-", "-t", "e2e"])
            .stdout,
    )
    .to_string();
    assert!(all.contains("First failing step"), "{all}");
    for line in all.lines() {
        let long_word = line.split(' ').any(|w| w.chars().count() > 35);
        assert!(
            line.trim_end().chars().count() <= 70 || long_word,
            "not wrapped at 70 columns:\n{line}"
        );
    }
    assert!(
        all.lines()
            .any(|l| l.trim_start().starts_with("$ ") && l.ends_with(" \\")),
        "{all}"
    );
}

/// The form in a real terminal: typing on Method chooses (never `GETPOST`), and a POST is
/// only sent once the question is answered with Enter; Esc sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_sends_a_post_only_when_confirmed() {
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
    let tmux = Tmux {
        socket: format!("cdt-e2e-form-{}", std::process::id()),
    };
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "{out:?}");
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
async fn two_scenarios_from_the_picker_with_esc_enter_j_k() {
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
    let tmux = Tmux {
        socket: format!("cdt-e2e-demo-{}", std::process::id()),
    };
    let out = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "{out:?}");
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
