//! Items 6 and 9: the Chromium retest obeys the deadline, and dies with cors-doctor (also when the
//! UI is sent SIGTERM).

use super::*;

// ---------------------------------------------------------------------------------------------
// Items 6 and 9: the Chromium retest obeys the deadline, and dies with cors-doctor

/// Answers the probes at once (CORS allowed) and holds Chromium's own requests open.
pub(super) fn stalls_chromium() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut conn = conn;
                let _ = conn.set_read_timeout(Some(Duration::from_secs(60)));
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                // Chromium's fetch carries Sec-Fetch-Mode; the probes do not.
                if String::from_utf8_lossy(&head)
                    .to_ascii_lowercase()
                    .contains("sec-fetch-mode")
                {
                    std::thread::sleep(Duration::from_secs(60));
                    return;
                }
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
            });
        }
    });
    addr
}

pub(super) fn chromium_installed() -> bool {
    cors_doctor::browser::find_executable().is_ok()
}

/// Processes whose command line names the profile directory of cors-doctor process `pid`.
pub(super) fn chromium_processes_of(pid: u32) -> Vec<u32> {
    let marker = format!("cors-doctor-chromium-{pid}-");
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read(format!("/proc/{p}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(&marker))
                .unwrap_or(false)
        })
        .collect()
}

#[test]
pub(super) fn sigterm_to_check_browser_leaves_no_chromium() {
    if !chromium_installed() {
        eprintln!("SKIPPED: Chromium is not installed (scripts/install-chromium.sh)");
        return;
    }
    let addr = stalls_chromium();
    let mut c = command();
    c.args(["check", &format!("http://{addr}/items")])
        .args([
            "--origin",
            "https://app.example.com",
            "--browser",
            "--timeout",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(40);
    while chromium_processes_of(pid).len() < 2 {
        assert!(
            Instant::now() < deadline,
            "Chromium did not start within 40 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Let Chromium reach the stalled fetch (renderer, network service…).
    std::thread::sleep(Duration::from_millis(1500));
    let before = chromium_processes_of(pid).len();
    // SAFETY: signals a child process this test started.
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
    let status = wait_within(&mut child, Duration::from_secs(10)).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("check --browser did not stop on SIGTERM");
    });
    assert_eq!(status.code(), Some(143));
    let printed = drain(child.stdout.take()).join().unwrap_or_default();
    assert!(
        printed.is_empty(),
        "a report after SIGTERM: {}",
        text(&printed)
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = chromium_processes_of(pid);
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {before} Chromium processes left after SIGTERM: {left:?}",
            left.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
pub(super) fn the_chromium_retest_stops_at_the_run_deadline() {
    if !chromium_installed() {
        eprintln!("SKIPPED: Chromium is not installed (scripts/install-chromium.sh)");
        return;
    }
    let addr = stalls_chromium();
    let mut c = command();
    c.args(["check", &format!("http://{addr}/items")]).args([
        "--origin",
        "https://app.example.com",
        "--browser",
        "--timeout",
        "6",
        "--format",
        "json",
    ]);
    let started = Instant::now();
    let out = run_within(c, Duration::from_secs(60));
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(14), "took {elapsed:?}");
    let report = text(&out.stdout);
    assert!(
        report.contains("the Chromium retest did not finish within the"),
        "{report}\n{}",
        text(&out.stderr)
    );
}

#[test]
pub(super) fn sigterm_to_the_ui_during_a_chromium_retest_leaves_no_chromium() {
    if Command::new("tmux").arg("-V").output().is_err() || !chromium_installed() {
        eprintln!("SKIPPED: needs tmux and Chromium");
        return;
    }
    let addr = stalls_chromium();
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin} http://{addr}/items --origin https://app.example.com --browser --timeout 60; echo EXITED=$?; sleep 60",
        dir = dir.path().display(),
        bin = BIN,
    );
    let socket = format!("cdt-term-{}", std::process::id());
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
    let shell: u32 = text(&tmux(&["display", "-p", "-t", "t", "#{pane_pid}"]).stdout)
        .trim()
        .parse()
        .expect("pane pid");
    let deadline = Instant::now() + Duration::from_secs(40);
    let ui = loop {
        if let Some(ui) = child_running_binary(shell) {
            if chromium_processes_of(ui).len() >= 2 {
                break ui;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the UI's Chromium retest did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: signals the process this test started (through tmux).
    unsafe {
        libc::kill(ui as i32, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let screen = text(&tmux(&["capture-pane", "-p", "-t", "t"]).stdout);
        if screen.contains("EXITED=") {
            break;
        }
        assert!(Instant::now() < deadline, "the UI did not quit:\n{screen}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = chromium_processes_of(ui);
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Chromium processes left after the UI quit: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
