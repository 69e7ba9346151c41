//! End to end: the real binary in a real terminal (tmux) against a loopback server. Open,
//! see the seven steps with the first failing one highlighted, move, open the evidence, the
//! API explorer, quit,
//! and find the terminal back in cooked mode. Skips (saying so) when tmux is missing.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Canned, FakeGateway};

mod audit;
mod flow;
mod form_and_picker;
mod output;

const ORIGIN: &str = "https://app.example.com";

struct Tmux {
    socket: String,
}

impl Tmux {
    /// Runs `script` under `sh -c` in a detached `cols`×`rows` session named `e2e`, on a tmux
    /// server of its own (socket `name-PID`), which is killed when the value is dropped.
    fn start(name: &str, cols: u16, rows: u16, script: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("{name}-{}", std::process::id()),
        };
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let out = tmux.cmd(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &cols,
            "-y",
            &rows,
            "sh",
            "-c",
            script,
        ]);
        assert!(out.status.success(), "{out:?}");
        tmux
    }
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
    let tmux = Tmux::start("cdt-e2e", 100, 30, &script);

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
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin}; stty -a > {stty}; sleep 60",
        dir = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_cors-doctor"),
        stty = stty.display(),
    );
    let tmux = Tmux::start("cdt-e2e-term", 80, 24, &script);
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
