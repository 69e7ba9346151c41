//! Item 4: a fault in the diagnosis does not take the UI down; an abort restores the terminal.

use super::*;

// ---------------------------------------------------------------------------------------------
// Item 4: a fault in the diagnosis does not take the UI down

/// A configuration source with a bug: it panics while loading.
pub(super) struct PanickingSource;

impl cors_doctor::aws::ConfigSource for PanickingSource {
    fn kind(&self) -> cors_doctor::evidence::ConfigSourceKind {
        cors_doctor::evidence::ConfigSourceKind::Openapi
    }
    fn load<'a>(
        &'a self,
        _request: &'a cors_doctor::aws::ConfigRequest,
    ) -> cors_doctor::aws::BoxFuture<
        'a,
        Result<cors_doctor::aws::LoadedConfig, cors_doctor::aws::Unavailable>,
    > {
        Box::pin(async { panic!("injected fault in the configuration source") })
    }
}

#[tokio::test]
pub(super) async fn a_panicking_diagnosis_is_reported_to_the_ui_which_keeps_running() {
    use cors_doctor::tui::{Effect, Jobs, Msg, NoScenarios};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let source: cors_doctor::tui::SourceFn = Arc::new(|_plan: &cors_doctor::plan::Plan| {
        let s: Arc<dyn cors_doctor::aws::ConfigSource> = Arc::new(PanickingSource);
        Ok(Some(s))
    });
    let mut jobs = Jobs::new(tx, source, Arc::new(NoScenarios), None);
    // No URL: only the (panicking) configuration is consulted, nothing is sent.
    let plan = cors_doctor::plan::TargetArgs {
        path: Some("/items".into()),
        origin: Some("https://app.example.com".into()),
        openapi: Some(PathBuf::from("unused.json")),
        ..cors_doctor::plan::TargetArgs::default()
    }
    .resolve(&cors_doctor::config::Config::default())
    .expect("a plan");
    jobs.apply(Effect::StartRun {
        seq: 7,
        plan: Box::new(plan.into()),
    });
    let failed = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(msg) = rx.recv().await {
            if let Msg::RunFailed { seq, error } = msg {
                return Some((seq, error));
            }
        }
        None
    })
    .await
    .expect("the run ends within 20 s")
    .expect("a RunFailed message");
    assert_eq!(failed.0, 7);
    assert!(
        failed.1.contains("internal error")
            && failed
                .1
                .contains("injected fault in the configuration source"),
        "{}",
        failed.1
    );
}

/// The process (below `parent`) whose command line starts with the binary.
pub(super) fn child_running_binary(parent: u32) -> Option<u32> {
    let mut queue = vec![parent];
    while let Some(p) = queue.pop() {
        for task in std::fs::read_dir(format!("/proc/{p}/task"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            for c in children
                .split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok())
            {
                let cmd = std::fs::read(format!("/proc/{c}/cmdline")).unwrap_or_default();
                if cmd.starts_with(BIN.as_bytes()) {
                    return Some(c);
                }
                queue.push(c);
            }
        }
    }
    None
}

#[test]
pub(super) fn an_abort_in_the_ui_restores_the_terminal() {
    // An abort (what a stack overflow ends in) cannot be caught: the SIGABRT handler must
    // still leave the shell usable: main screen, mouse capture off, cooked mode.
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let stty = dir.path().join("stty.txt");
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin}; echo EXITED=$?; stty -a > {stty}; sleep 60",
        dir = dir.path().display(),
        bin = BIN,
        stty = stty.display(),
    );
    let socket = format!("cdt-abort-{}", std::process::id());
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
            .expect("tmux")
    };
    struct Kill(String);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = Command::new("tmux")
                .args(["-L", &self.0, "kill-server"])
                .output();
        }
    }
    let _kill = Kill(socket.clone());
    let out = tmux(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "{out:?}");
    let flags = || {
        text(
            &tmux(&[
                "display",
                "-p",
                "-t",
                "t",
                "#{alternate_on} #{mouse_any_flag}",
            ])
            .stdout,
        )
        .trim()
        .to_string()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while flags() != "1 1" {
        assert!(
            Instant::now() < deadline,
            "the UI did not start: {}",
            flags()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let shell: u32 = text(&tmux(&["display", "-p", "-t", "t", "#{pane_pid}"]).stdout)
        .trim()
        .parse()
        .expect("pane pid");
    let ui = child_running_binary(shell).expect("the UI process");
    // SAFETY: signals the process this test started (through tmux).
    unsafe {
        libc::kill(ui as i32, libc::SIGABRT);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let screen = text(&tmux(&["capture-pane", "-p", "-t", "t"]).stdout);
        if screen.contains("EXITED=") && stty.exists() {
            assert!(screen.contains("EXITED=134"), "{screen}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no exit after SIGABRT:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(flags(), "0 0", "alternate screen / mouse capture left on");
    std::thread::sleep(Duration::from_millis(200));
    let modes = std::fs::read_to_string(&stty).unwrap_or_default();
    assert!(
        modes.split_whitespace().any(|w| w == "icanon")
            && modes.split_whitespace().any(|w| w == "echo"),
        "the terminal was left in raw mode: {modes}"
    );
}
