//! Crashes, hangs and unbounded resources (issue 9, items 1–7 and 9), each through the real
//! binary where the symptom was the binary's: hostile selection patterns, a non-ASCII Origin
//! against a wildcard, output that cannot be written, FIFOs and devices named as files, slow
//! clients of the simulator, lookups that never answer, and Chromium outliving a SIGTERM.
//! Loopback only; every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_cors-doctor");

fn command() -> Command {
    let mut c = Command::new(BIN);
    c.env("NO_COLOR", "1")
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("cors-doctor-tests-no-config"),
        )
        .env(
            "XDG_STATE_HOME",
            std::env::temp_dir().join("cors-doctor-tests-state"),
        )
        .env_remove("CORS_DOCTOR_CONFIG")
        .stdin(Stdio::null());
    c
}

/// Runs the command to completion, failing the test if it takes longer than `limit`.
fn run_within(mut c: Command, limit: Duration) -> Output {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("start cors-doctor");
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_within(&mut child, limit).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("cors-doctor did not finish within {limit:?}");
    });
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

fn drain<R: Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut buf);
        }
        buf
    })
}

fn wait_within(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scenario_json(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/scenarios")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("scenario")).expect("JSON")
}

fn write_json(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(v).expect("JSON")).expect("write");
    p
}

/// A `serve` process and the base URL it announced; killed when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Served {
    fn start(scenario: &Path, shell_prefix: Option<&str>) -> Served {
        let mut c = match shell_prefix {
            Some(prefix) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("{prefix}; exec \"$0\" serve \"$1\""))
                    .arg(BIN)
                    .arg(scenario);
                c
            }
            None => {
                let mut c = command();
                c.arg("serve").arg(scenario);
                c
            }
        };
        c.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = c.spawn().expect("start serve");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            // Keep reading so that the banner never blocks.
            for _ in lines {}
        });
        let first = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("serve prints its address");
        let base = first
            .rsplit(' ')
            .next()
            .expect("an address")
            .trim()
            .to_string();
        assert!(base.starts_with("http://127.0.0.1:"), "{first}");
        Served { child, base }
    }

    fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends raw request bytes and returns the status line of the answer (within 10 s).
fn raw_request(addr: &str, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request).expect("send");
    let mut reader = BufReader::new(s);
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    line
}

// ---------------------------------------------------------------------------------------------
// Item 1: selection patterns

/// rest-healthy with an integration response keyed by a pattern of `len` bytes on the OPTIONS
/// method of /bookings.
fn with_long_pattern(len: usize, keep_scenario: bool) -> Value {
    let mut doc = scenario_json("rest-healthy");
    let responses = doc["paths"]["/bookings"]["options"]["x-amazon-apigateway-integration"]
        ["responses"]
        .as_object_mut()
        .expect("integration responses");
    responses.insert("a".repeat(len), json!({ "statusCode": "200" }));
    if !keep_scenario {
        doc.as_object_mut()
            .expect("object")
            .remove("x-cors-doctor-scenario");
    }
    doc
}

#[test]
fn a_100kb_selection_pattern_does_not_crash_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_json(
        dir.path(),
        "long.json",
        &with_long_pattern(100 * 1024, true),
    );
    let mut served = Served::start(&file, None);
    let status = raw_request(
        &served.addr(),
        b"OPTIONS /prod/bookings HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
    );
    assert!(status.starts_with("HTTP/1.1 200"), "{status:?}");
    assert!(served.alive(), "the simulator died");
    let again = raw_request(
        &served.addr(),
        b"OPTIONS /prod/bookings HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
    );
    assert!(again.starts_with("HTTP/1.1 200"), "{again:?}");
}

#[test]
fn a_400kb_selection_pattern_in_an_export_is_a_finding_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_json(
        dir.path(),
        "export.json",
        &with_long_pattern(400 * 1024, false),
    );
    let mut c = command();
    c.args(["check", "--openapi"]).arg(&file).args([
        "--path",
        "/bookings",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--origin",
        "https://app.example.com",
        "--format",
        "json",
    ]);
    let out = run_within(c, Duration::from_secs(60));
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {}",
        text(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let finding = report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .find(|f| f["code"] == "SELECTION_PATTERN_UNSUPPORTED")
        .unwrap_or_else(|| panic!("no SELECTION_PATTERN_UNSUPPORTED in {report}"));
    let message = finding["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("409600 bytes long, more than the 8192 cors-doctor evaluates"),
        "{message}"
    );
    assert_eq!(finding["severity"], "warning");
}

// ---------------------------------------------------------------------------------------------
// Item 2: a non-ASCII Origin against `https://*`

#[test]
fn a_non_ascii_origin_against_a_scheme_wildcard_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = scenario_json("http-api-healthy");
    doc["x-amazon-apigateway-cors"]["allowOrigins"] = json!(["https://*"]);
    let file = write_json(dir.path(), "wild.json", &doc);
    let mut served = Served::start(&file, None);
    // "http://" is 7 bytes: the "é" straddles byte 8, where "https://" ends.
    for origin in [
        "http://é.example",
        "https:/é.example",
        "https://é.example",
        "é",
    ] {
        let request = format!(
            "OPTIONS /tasks/7 HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: DELETE\r\nConnection: close\r\n\r\n"
        );
        let status = raw_request(&served.addr(), request.as_bytes());
        assert!(status.starts_with("HTTP/1.1 "), "{origin}: {status:?}");
        assert!(served.alive(), "the simulator died on Origin {origin}");
    }
}

// ---------------------------------------------------------------------------------------------
// Item 3: output that cannot be written

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

#[test]
fn check_into_a_full_disk_exits_2_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = scenario_json("rest-healthy");
    doc.as_object_mut()
        .unwrap()
        .remove("x-cors-doctor-scenario");
    let file = write_json(dir.path(), "export.json", &doc);
    let mut c = command();
    c.args(["check", "--openapi"])
        .arg(&file)
        .args(["--path", "/bookings", "--origin", "https://app.example.com"])
        .stdout(dev_full())
        .stderr(Stdio::piped());
    let child = c.spawn().expect("start");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot write to standard output") && err.contains("No space left"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn demo_list_into_a_full_disk_exits_2() {
    let mut c = command();
    c.args(["demo", "--list"])
        .stdout(dev_full())
        .stderr(Stdio::piped());
    let out = c.spawn().unwrap().wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("cannot write to standard output"));
}

#[test]
fn completions_and_man_into_a_full_disk_exit_2() {
    for args in [&["completions", "bash"][..], &["man"]] {
        let mut c = command();
        c.args(args).stdout(dev_full()).stderr(Stdio::piped());
        let out = c.spawn().unwrap().wait_with_output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("cannot write to standard output"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn serve_with_unwritable_stdout_exits_2_instead_of_panicking() {
    // A full disk.
    let mut c = command();
    c.args(["serve", "rest-healthy"])
        .stdout(dev_full())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let stderr = drain(child.stderr.take());
    let status = wait_within(&mut child, Duration::from_secs(20)).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("serve kept running with stdout on a full disk");
    });
    let err = text(&stderr.join().unwrap());
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    // A closed pipe (the reader went away).
    let mut c = command();
    c.args(["serve", "rest-healthy"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_within(&mut child, Duration::from_secs(20)).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("serve kept running with a closed stdout");
    });
    let err = text(&stderr.join().unwrap());
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write to standard output"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Item 5: FIFOs and devices named as files

#[test]
fn fifos_and_devices_as_openapi_or_config_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("export.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    for (flag, path, expect) in [
        (
            "--openapi",
            fifo.as_path(),
            "named pipe (FIFO), not a regular file",
        ),
        (
            "--config",
            fifo.as_path(),
            "named pipe (FIFO), not a regular file",
        ),
        (
            "--openapi",
            Path::new("/dev/zero"),
            "a device, not a regular file",
        ),
        (
            "--config",
            Path::new("/dev/zero"),
            "a device, not a regular file",
        ),
        ("--openapi", dir.path(), "a directory, not a regular file"),
    ] {
        let mut c = command();
        c.arg("check").arg(flag).arg(path).args([
            "--path",
            "/x",
            "--origin",
            "https://app.example.com",
        ]);
        let started = Instant::now();
        let out = run_within(c, Duration::from_secs(20));
        let err = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {}: {err}",
            path.display()
        );
        assert!(err.contains(expect), "{flag} {}: {err}", path.display());
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    // A scenario file for `serve` too.
    let mut c = command();
    c.args(["serve"]).arg(dir.path().join("x.json"));
    let fifo_json = dir.path().join("x.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo_json)
        .status()
        .unwrap()
        .success());
    let out = run_within(c, Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("named pipe"),
        "{}",
        text(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// Item 6: one deadline for the AWS lookups

/// Accepts connections and never answers (an unresponsive endpoint).
fn black_hole() -> (String, Arc<std::sync::atomic::AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s = stop.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            if s.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            if let Ok(c) = conn {
                held.push(c);
            }
        }
    });
    (addr, stop)
}

#[test]
fn aws_lookups_stop_at_the_timeout_and_say_so() {
    let (addr, _stop) = black_hole();
    let mut c = command();
    c.args([
        "check",
        "--api-id",
        "abc123defg",
        "--stage",
        "prod",
        "--path",
        "/items",
        "--region",
        "us-east-1",
        "--origin",
        "https://app.example.com",
        "--timeout",
        "2",
        "--endpoint-url",
    ])
    .arg(format!("http://{addr}"))
    .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    .env("AWS_SECRET_ACCESS_KEY", "secret-example")
    .env_remove("AWS_PROFILE")
    .env("AWS_CONFIG_FILE", "/nonexistent")
    .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    .env("AWS_EC2_METADATA_DISABLED", "true");
    let started = Instant::now();
    let out = run_within(c, Duration::from_secs(30));
    let elapsed = started.elapsed();
    let err = text(&out.stderr);
    assert!(
        elapsed < Duration::from_secs(8),
        "took {elapsed:?} with --timeout 2: {err}"
    );
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("did not finish within the --timeout of 2.0 s"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Item 7: slow clients of the simulator

#[test]
fn trickling_clients_cannot_exhaust_the_simulator() {
    // 256 descriptors: the simulator serves at most 192 connections at once; 300 trickling
    // clients would otherwise exhaust them (as 1100 did with the usual 1024).
    let mut served = Served::start(Path::new("rest-healthy"), Some("ulimit -n 256"));
    let addr = served.addr();
    let mut slow = Vec::new();
    for i in 0..300 {
        match TcpStream::connect(&addr) {
            Ok(mut s) => {
                let _ = s.write_all(if i % 2 == 0 {
                    b"GET /prod/bookings HTTP/1.1\r\nHost: x\r\n".as_slice()
                } else {
                    b"POST /prod/bookings HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab"
                        .as_slice()
                });
                slow.push(s);
            }
            Err(_) => break,
        }
    }
    assert!(slow.len() >= 250, "only {} connections", slow.len());
    // Trickle a byte now and then, as a slow-loris client does.
    let started = Instant::now();
    let fds = || {
        std::fs::read_dir(format!("/proc/{}/fd", served.child.id()))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let mut most = 0;
    while started.elapsed() < Duration::from_secs(3) {
        for s in &mut slow {
            let _ = s.write_all(b"x");
        }
        most = most.max(fds());
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(most <= 250, "{most} descriptors open in the simulator");
    // A well-behaved client is answered once the trickling ones time out (10 s).
    let status = {
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(25))).unwrap();
        s.write_all(
            b"OPTIONS /prod/bookings HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut line = String::new();
        let _ = BufReader::new(s).read_line(&mut line);
        line
    };
    assert!(status.starts_with("HTTP/1.1 200"), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(25));
    assert!(served.alive());
}

#[test]
fn a_trickled_body_gets_408() {
    let served = Served::start(Path::new("rest-healthy"), None);
    let mut s = TcpStream::connect(served.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"POST /prod/bookings HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\nContent-Length: 100\r\n\r\nab")
        .unwrap();
    let started = Instant::now();
    let mut line = String::new();
    let _ = BufReader::new(s).read_line(&mut line);
    assert!(line.starts_with("HTTP/1.1 408"), "{line:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
}

// ---------------------------------------------------------------------------------------------
// Items 6 and 9: the Chromium retest obeys the deadline, and dies with cors-doctor

/// Answers the probes at once (CORS allowed) and holds Chromium's own requests open.
fn stalls_chromium() -> String {
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

fn chromium_installed() -> bool {
    cors_doctor::browser::find_executable().is_ok()
}

/// Processes whose command line names the profile directory of cors-doctor process `pid`.
fn chromium_processes_of(pid: u32) -> Vec<u32> {
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
fn sigterm_to_check_browser_leaves_no_chromium() {
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
fn the_chromium_retest_stops_at_the_run_deadline() {
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

// ---------------------------------------------------------------------------------------------
// Item 4: a fault in the diagnosis does not take the UI down

/// A configuration source with a bug: it panics while loading.
struct PanickingSource;

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
async fn a_panicking_diagnosis_is_reported_to_the_ui_which_keeps_running() {
    use cors_doctor::tui::{Effect, Jobs, Msg, NoScenarios};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let source: cors_doctor::tui::SourceFn = Arc::new(|_plan: &cors_doctor::cli::Plan| {
        let s: Arc<dyn cors_doctor::aws::ConfigSource> = Arc::new(PanickingSource);
        Ok(Some(s))
    });
    let mut jobs = Jobs::new(tx, source, Arc::new(NoScenarios), None);
    // No URL: only the (panicking) configuration is consulted, nothing is sent.
    let plan = cors_doctor::cli::TargetArgs {
        path: Some("/items".into()),
        origin: Some("https://app.example.com".into()),
        openapi: Some(PathBuf::from("unused.json")),
        ..cors_doctor::cli::TargetArgs::default()
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
fn child_running_binary(parent: u32) -> Option<u32> {
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
fn an_abort_in_the_ui_restores_the_terminal() {
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

#[test]
fn sigterm_to_the_ui_during_a_chromium_retest_leaves_no_chromium() {
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
