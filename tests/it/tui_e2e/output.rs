//! Copies land in the tmux buffer; text output wraps at the terminal width.

use super::*;

/// `c` and `y` inside tmux (default settings, which drop OSC 52): the text lands in tmux's
/// paste buffer, exactly the curl and the remediation the report holds (secrets masked),
/// the status says where it went, and `w` writes it to a file it names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn copies_land_in_the_tmux_buffer() {
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
    let tmux = Tmux::start("cdt-e2e-copy", 160, 40, &script);
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
pub(super) async fn text_output_wraps_at_the_terminal_width() {
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
    let tmux = Tmux::start("cdt-e2e-wrap", 70, 20, &script);
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
