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

mod chromium;
mod io_and_limits;
mod ui_faults;

use ui_faults::*;

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
