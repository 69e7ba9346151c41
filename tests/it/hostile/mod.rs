//! A corpus of hostile inputs, run through the real binary: bad flags and files, secrets in
//! every place a user pastes them, and misbehaving servers (on 127.0.0.1 only, a bounded
//! number, each answering within the test's deadline). For every case: no panic (exit status
//! never 101, no "panicked" on stderr), no hang past the deadline, and none of the canary
//! secrets in stdout, stderr, the log file (at trace level) or the saved last session; text
//! and Markdown carry no raw control characters. The terminal UI's screens are checked for the
//! canaries too.

use crate::common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

mod corpus_config;
mod corpus_secrets;
mod corpus_templates;
mod corpus_usage;
mod servers;
mod tui_session;

use corpus_config::*;
use corpus_secrets::*;
use corpus_templates::*;
use corpus_usage::*;
use servers::*;

const ORIGIN: &str = "https://app.example.com";

// Distinctive canaries: none of them may appear in any output.
const TOKEN: &str = "CanaryBearerTok9f8e7d6c";
const API_KEY: &str = "CanaryApiKey5c4b3a21";
const PASSWORD: &str = "CanaryPassw0rd1a2b3c";
const USER_TOKEN: &str = "CanaryUserTok7e6d5c";
const FRAGMENT: &str = "CanaryFragTok77aa66";
const QUERY: &str = "CanaryQuerySecret66bb";
const COOKIE: &str = "CanaryCookieVal55cc";
const BODY_PASS: &str = "CanaryBodyPass44dd";
const AWS_SECRET: &str = "CanaryAwsSecretKey0000000000000000000000x";
const CANARIES: &[&str] = &[
    TOKEN, API_KEY, PASSWORD, USER_TOKEN, FRAGMENT, QUERY, COOKIE, BODY_PASS, AWS_SECRET,
];

/// No case may take longer than this (network cases run with `--timeout 2`).
const DEADLINE: Duration = Duration::from_secs(25);

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[derive(Clone, Debug, Default)]
struct Case {
    name: String,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
    /// The exit status it must have, if one is required.
    code: Option<i32>,
    /// Text that stdout + stderr must contain.
    contains: Vec<String>,
    /// Text they must not contain.
    absent: Vec<String>,
    /// An extra file that must not hold a canary (a configured log file).
    extra_file: Option<PathBuf>,
}

impl Case {
    fn new(name: &str, args: Vec<String>) -> Case {
        Case {
            name: name.to_string(),
            args,
            ..Case::default()
        }
    }
    fn code(mut self, c: i32) -> Case {
        self.code = Some(c);
        self
    }
    fn contains(mut self, t: &str) -> Case {
        self.contains.push(t.to_string());
        self
    }
    fn absent(mut self, t: &str) -> Case {
        self.absent.push(t.to_string());
        self
    }
    fn stdin(mut self, b: &[u8]) -> Case {
        self.stdin = Some(b.to_vec());
        self
    }
    fn env(mut self, k: &str, v: &str) -> Case {
        self.env.push((k.to_string(), v.to_string()));
        self
    }
}

struct Outcome {
    code: Option<i32>,
    out: String,
    err: String,
    took: Duration,
    hung: bool,
}

/// Runs the binary with a deadline; a child still running at the deadline is killed.
fn run(case: &Case, state: &Path) -> Outcome {
    let start = Instant::now();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cors-doctor"));
    cmd.args(&case.args)
        .env("NO_COLOR", "1")
        .env("CORS_DOCTOR_LOG", "trace")
        .env("XDG_CONFIG_HOME", state.join("no-config"))
        .env("XDG_STATE_HOME", state)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("CORS_DOCTOR_CONFIG")
        .stdin(if case.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start cors-doctor");
    if let (Some(data), Some(mut pipe)) = (case.stdin.clone(), child.stdin.take()) {
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        b
    });
    let mut hung = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > DEADLINE => {
                hung = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    let out = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let err = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Outcome {
        code: status.and_then(|s| s.code()),
        out,
        err,
        took: start.elapsed(),
        hung,
    }
}

/// What is wrong with one run (empty: nothing).
fn judge(case: &Case, o: &Outcome, state: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let all = format!("{}{}", o.out, o.err);
    if o.hung {
        problems.push(format!("hung past {DEADLINE:?}"));
    }
    if o.code == Some(101) || all.contains("panicked") {
        problems.push("panicked".into());
    }
    if let Some(c) = case.code {
        if o.code != Some(c) {
            problems.push(format!("exit status {:?}, expected {c}", o.code));
        }
    }
    for t in &case.contains {
        if !all.contains(t.as_str()) {
            problems.push(format!("output lacks {t:?}"));
        }
    }
    for t in &case.absent {
        if all.contains(t.as_str()) {
            problems.push(format!("output has {t:?}"));
        }
    }
    let json = case
        .args
        .windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json");
    if !json
        && o.out
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        problems.push("a raw control character on stdout".into());
    }
    if let Some(f) = &case.extra_file {
        if std::fs::metadata(f).map_or(true, |m| m.len() == 0) {
            problems.push(format!("{} was not written", f.display()));
        }
    }
    let mut files = vec![
        state.join("cors-doctor").join("cors-doctor.log"),
        state.join("cors-doctor").join("last.toml"),
    ];
    files.extend(case.extra_file.clone());
    let mut places = vec![("stdout", o.out.clone()), ("stderr", o.err.clone())];
    for f in files {
        if let Ok(text) = std::fs::read(&f) {
            places.push(("a file", String::from_utf8_lossy(&text).into_owned()));
        }
    }
    for (place, text) in &places {
        for canary in CANARIES {
            if text.contains(canary) {
                problems.push(format!("{canary} in {place}"));
            }
        }
    }
    problems
}

// ------------------------------------------------------------------------------ the corpus

struct Servers {
    echo: String,
    control: String,
    garbage: String,
    silent: String,
    stream: String,
    redirect_creds: String,
    redirect_plain: String,
    many_headers: String,
    bad_bytes: String,
    token_in_aco: String,
    closed: String,
}

fn corpus(sv: &Servers, dir: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    echoed_secrets(sv, dir, &mut cases);
    refused_requests(sv, &mut cases);
    usage_errors(sv, dir, &mut cases);
    configuration(sv, dir, &mut cases);
    templates(dir, &mut cases);
    misbehaving_servers(sv, &mut cases);
    cases
}

fn b64(input: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = input.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &c)| acc | (u32::from(c) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An export (the options-missing scenario without its scenario block) whose description
/// mentions `x-cors-doctor-scenario`.
fn write_export(path: &Path) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/options-missing.json"),
    )
    .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let o = doc.as_object_mut().unwrap();
    o.remove("x-cors-doctor-scenario");
    o.entry("info")
        .or_insert_with(|| serde_json::json!({}))
        .as_object_mut()
        .unwrap()
        .insert(
            "description".into(),
            "Not a scenario, although it says x-cors-doctor-scenario here.".into(),
        );
    std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn the_hostile_corpus_never_panics_hangs_or_leaks() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_export(&dir.path().join("export.json"));
    let servers = rt.block_on(async {
        let echo = echo_server().await;
        let url = |a: SocketAddr| format!("http://{a}");
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let control = raw(reply(
            "200 OK",
            &[
                (
                    "Access-Control-Allow-Origin",
                    "https://app.example.com\u{1b}[2J\u{1b}]0;pwned\u{7}",
                ),
                ("x-amzn-RequestId", "r"),
                ("x-evil", "\u{9b}31mred\u{1b}[0m"),
            ],
            "body \u{1b}[31mred\u{1b}[0m \u{7} \u{9b}2J",
        ))
        .await;
        let many: Vec<(String, String)> = (0..3000)
            .map(|i| (format!("x-h{i}"), "v".to_string()))
            .collect();
        let many_refs: Vec<(&str, &str)> =
            many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut bad_bytes =
            b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example.com\r\nx-bad: "
                .to_vec();
        bad_bytes.extend_from_slice(&[0xff, 0xfe, 0x80, b'a']);
        bad_bytes.extend_from_slice(b"\r\ncontent-length: 0\r\n\r\n");
        let token_in_aco = raw(reply(
            "200 OK",
            &[
                ("Access-Control-Allow-Origin", &format!("Bearer {TOKEN}")),
                ("Access-Control-Allow-Headers", "authorization"),
                ("Access-Control-Allow-Methods", "GET"),
            ],
            "",
        ))
        .await;
        let servers = Servers {
            echo: echo.base_url(),
            control: url(control),
            garbage: url(raw(Raw::Reply(
                b"SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02garbage".to_vec(),
            ))
            .await),
            silent: url(raw(Raw::Silent).await),
            stream: url(raw(Raw::Stream).await),
            redirect_creds: url(raw(reply(
                "302 Found",
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    (
                        "Location",
                        "http://evil:CanaryServerPass@127.0.0.1:1/x?token=CanaryServerTok",
                    ),
                ],
                "",
            ))
            .await),
            redirect_plain: url(raw(reply(
                "308 Permanent Redirect",
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Location", "/v2/items"),
                ],
                "",
            ))
            .await),
            many_headers: url(raw(reply("200 OK", &many_refs, "")).await),
            bad_bytes: url(raw(Raw::Reply(bad_bytes)).await),
            token_in_aco: url(token_in_aco),
            closed: url(closed),
        };
        (servers, echo)
    });
    let (servers, _echo) = servers;
    let cases = corpus(&servers, dir.path());
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let total = cases.len();
    let started = Instant::now();

    // Four at a time, each in a state directory of its own.
    let queue = Arc::new(Mutex::new(
        cases.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let root = dir.path().to_path_buf();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (queue, failures, root) = (queue.clone(), failures.clone(), root.clone());
            std::thread::spawn(move || loop {
                let Some((i, case)) = queue.lock().unwrap().pop() else {
                    break;
                };
                let state = root.join(format!("state-{i}"));
                let o = run(&case, &state);
                let problems = judge(&case, &o, &state);
                if !problems.is_empty() {
                    failures.lock().unwrap().push(format!(
                        "{}: {} (exit {:?}, {:?})\n--- stdout (start) ---\n{}\n--- stderr ---\n{}",
                        case.name,
                        problems.join("; "),
                        o.code,
                        o.took,
                        o.out.chars().take(1500).collect::<String>(),
                        o.err.chars().take(1500).collect::<String>()
                    ));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let failures = failures.lock().unwrap();
    eprintln!(
        "hostile corpus: {total} cases through the real binary in {:?}, {} failed",
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
