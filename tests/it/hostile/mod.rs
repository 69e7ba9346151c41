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

// ------------------------------------------------------------------------- hostile servers

/// A server that echoes every request back: each request header as `x-echo-<name>`, and the
/// request line, headers and body in the response body. It reflects the Origin, so the
/// browser would read all of it; it also sets a cookie of its own.
async fn echo_server() -> SimServer {
    let handler = Arc::new(|req: HttpRequest| -> HttpResponse {
        let mut headers = Headers::new();
        let origin = req.headers.get("origin").unwrap_or(ORIGIN).to_string();
        headers.push("Access-Control-Allow-Origin", origin);
        headers.push("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
        headers.push(
            "Access-Control-Allow-Headers",
            "authorization, x-api-key, content-type, x-amz-security-token, proxy-authorization",
        );
        headers.push("Access-Control-Allow-Credentials", "true");
        headers.push("x-amzn-RequestId", "8d5ff0a2-0000-4000-8000-000000000009");
        headers.push("Set-Cookie", format!("srv={COOKIE}; Secure; SameSite=None"));
        let mut body = format!("{} {}\n", req.method, req.path_and_query);
        for (n, v) in req.headers.iter() {
            headers.push(format!("x-echo-{n}"), v.to_string());
            body.push_str(&format!("{n}: {v}\n"));
        }
        body.push_str(&String::from_utf8_lossy(&req.body));
        HttpResponse {
            status: 200,
            headers,
            body: body.into_bytes(),
        }
    });
    SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .expect("bind a loopback port")
}

#[derive(Clone)]
enum Raw {
    Reply(Vec<u8>),
    Silent,
    Stream,
}

/// A raw TCP server on 127.0.0.1: reads a request head (at most 64 KB), then behaves. It
/// lives as long as the test's runtime; each connection at most 20 s.
async fn raw(behaviour: Raw) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let behaviour = behaviour.clone();
            tokio::spawn(tokio::time::timeout(Duration::from_secs(20), async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                match behaviour {
                    Raw::Reply(bytes) => {
                        let _ = stream.write_all(&bytes).await;
                    }
                    Raw::Silent => tokio::time::sleep(Duration::from_secs(20)).await,
                    Raw::Stream => {
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 52428800\r\n\r\n")
                            .await;
                        let chunk = vec![b'a'; 64 * 1024];
                        for _ in 0..800 {
                            if stream.write_all(&chunk).await.is_err() {
                                break;
                            }
                        }
                    }
                }
                let _ = stream.shutdown().await;
            }));
        }
    });
    addr
}

fn reply(status_line: &str, headers: &[(&str, &str)], body: &str) -> Raw {
    let mut r = format!("HTTP/1.1 {status_line}\r\n");
    for (n, v) in headers {
        r.push_str(&format!("{n}: {v}\r\n"));
    }
    r.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    Raw::Reply(r.into_bytes())
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
    let auth = format!("Authorization: Bearer {TOKEN}");
    let key = format!("x-api-key: {API_KEY}");
    let cookie = format!("Cookie: sid={COOKIE}; theme=dark");
    let echo_url = format!(
        "{}/prod/items?api_key={QUERY}&page=1#access_token={FRAGMENT}",
        sv.echo
    );
    let t = "--timeout";
    let mut cases = Vec::new();

    // --- secrets through a server that echoes everything, in every format
    for format in ["text", "json", "markdown"] {
        cases.push(Case::new(
            &format!("echoing server, {format}"),
            s(&[
                "check", &echo_url, "--origin", ORIGIN, "-H", &auth, "-H", &key, "-H", &cookie,
                "--format", format, t, "2",
            ]),
        ));
        cases.push(Case::new(
            &format!("echoing server, a POST body with a password, {format}"),
            s(&[
                "check",
                &format!("{}/prod/login", sv.echo),
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-d",
                &format!("{{\"user\":\"u\",\"password\":\"{BODY_PASS}\"}}"),
                "--format",
                format,
                t,
                "2",
            ]),
        ));
        cases.push(Case::new(
            &format!("echoing server, Basic credentials, {format}"),
            s(&[
                "check",
                &format!("{}/prod/items", sv.echo),
                "--origin",
                ORIGIN,
                "-H",
                &format!("Authorization: Basic {}", b64(&format!("alice:{PASSWORD}"))),
                "--format",
                format,
                t,
                "2",
            ]),
        ));
        cases.push(Case::new(
            &format!("server puts the token in Allow-Origin, {format}"),
            s(&[
                "check",
                &format!("{}/prod/items", sv.token_in_aco),
                "--origin",
                ORIGIN,
                "-H",
                &auth,
                "--format",
                format,
                t,
                "2",
            ]),
        ));
    }
    cases.push(Case::new(
        "echoing server, AWS session token and proxy credentials",
        s(&[
            "check",
            &format!("{}/prod/items", sv.echo),
            "--origin",
            ORIGIN,
            "-H",
            &format!("X-Amz-Security-Token: {TOKEN}"),
            "-H",
            &format!("Proxy-Authorization: Bearer {API_KEY}"),
            "-H",
            &format!("X-Session-Id: {COOKIE}"),
            t,
            "2",
        ]),
    ));
    cases.push(Case::new(
        "echoing server, credentials include with a cookie",
        s(&[
            "check",
            &echo_url,
            "--origin",
            ORIGIN,
            "-H",
            &cookie,
            "--credentials",
            "include",
            t,
            "2",
        ]),
    ));
    let body_file = dir.join("body.json");
    std::fs::write(
        &body_file,
        format!("{{\n  \"password\": \"{BODY_PASS}\"\r\n}}\n"),
    )
    .unwrap();
    cases.push(
        Case::new(
            "-d @file with a password, echoed",
            s(&[
                "check",
                &format!("{}/prod/login", sv.echo),
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                &format!("@{}", body_file.display()),
                "--format",
                "json",
                t,
                "2",
            ]),
        )
        .contains("{  \\\"password\\\""),
    );
    cases.push(
        Case::new(
            "-d @- from standard input, echoed",
            s(&[
                "check",
                &format!("{}/prod/login", sv.echo),
                "--origin",
                ORIGIN,
                "-X",
                "PUT",
                "-d",
                "@-",
                "--format",
                "json",
                t,
                "2",
            ]),
        )
        .stdin(format!("token={BODY_PASS}&x=1\n").as_bytes()),
    );

    // --- user info, fragments, user names: fetch() refuses credentials in the URL
    for format in ["text", "json", "markdown"] {
        cases.push(
            Case::new(
                &format!("password in the URL, {format}"),
                s(&[
                    "check",
                    &format!(
                        "{}/prod/items",
                        sv.echo
                            .replace("http://", &format!("http://alice:{PASSWORD}@"))
                    ),
                    "--origin",
                    ORIGIN,
                    "--format",
                    format,
                ]),
            )
            .code(1)
            .contains(if format == "json" {
                "\"refused\""
            } else {
                "credentials"
            }),
        );
    }
    cases.push(
        Case::new(
            "a token as the URL's user name",
            s(&[
                "check",
                &sv.echo.replace("http://", &format!("http://{USER_TOKEN}@")),
                "--origin",
                ORIGIN,
            ]),
        )
        .code(1)
        .contains("REFUSED"),
    );
    cases.push(Case::new(
        "a token in the fragment, markdown",
        s(&[
            "check",
            &format!("{}/prod/items#id_token={FRAGMENT}", sv.echo),
            "--origin",
            ORIGIN,
            "--format",
            "markdown",
            t,
            "2",
        ]),
    ));
    cases.push(Case::new(
        "a bare token as the fragment",
        s(&[
            "check",
            &format!("{}/prod/items#eyJhbGciOiJIUzI1NiJ9.{FRAGMENT}.sig", sv.echo),
            "--origin",
            ORIGIN,
            t,
            "2",
        ]),
    ));

    // --- methods and bodies fetch() refuses: nothing is sent
    for (method, format) in [
        ("TRACE", "text"),
        ("CONNECT", "json"),
        ("track", "markdown"),
    ] {
        cases.push(
            Case::new(
                &format!("-X {method}, {format}"),
                s(&[
                    "check",
                    &format!("{}/prod/items", sv.echo),
                    "--origin",
                    ORIGIN,
                    "-X",
                    method,
                    "-H",
                    &auth,
                    "--format",
                    format,
                ]),
            )
            .code(1)
            .contains("HTTP method is unsupported")
            .absent("Allow-Methods"),
        );
    }
    cases.push(
        Case::new(
            "GET with a body",
            s(&[
                "check",
                &format!("{}/prod/items", sv.echo),
                "--origin",
                ORIGIN,
                "-d",
                &format!("{{\"password\":\"{BODY_PASS}\"}}"),
            ]),
        )
        .code(1)
        .contains("cannot have body")
        .absent("ALLOWED"),
    );
    cases.push(
        Case::new(
            "HEAD with an empty body, json",
            s(&[
                "check",
                &format!("{}/prod/items", sv.echo),
                "--origin",
                ORIGIN,
                "-X",
                "HEAD",
                "-d",
                "",
                "--format",
                "json",
            ]),
        )
        .code(1)
        .contains("FETCH_REFUSED"),
    );

    // --- usage errors never repeat a secret
    let long_url = format!(
        "{}/prod/items?api_key={QUERY}&pad={}",
        sv.echo,
        "a".repeat(70 * 1024)
    );
    for format in ["text", "json"] {
        cases.push(
            Case::new(
                &format!("a URL over 64 KB, {format}"),
                s(&["check", &long_url, "--origin", ORIGIN, "--format", format]),
            )
            .code(2)
            .contains("bytes long"),
        );
    }
    let near_limit = format!(
        "{}/prod/items?api_key={QUERY}&pad={}",
        sv.echo,
        "b".repeat(60 * 1024)
    );
    cases.push(Case::new(
        "a 60 KB URL",
        s(&["check", &near_limit, "--origin", ORIGIN, t, "2"]),
    ));
    cases.push(
        Case::new(
            "a header without a colon",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-H",
                &format!("Authorization Bearer {TOKEN}"),
            ]),
        )
        .code(2)
        .contains("malformed header"),
    );
    cases.push(
        Case::new(
            "a header with a space in its name",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-H",
                &format!("Authorization Bearer: {TOKEN}"),
            ]),
        )
        .code(2)
        .contains("not a valid header name"),
    );
    cases.push(
        Case::new(
            "a header value with a line break",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-H",
                &format!("Authorization: Bearer {TOKEN}\r\nX-Evil: 1"),
            ]),
        )
        .code(2)
        .contains("line break"),
    );
    cases.push(
        Case::new(
            "an invalid URL with a password",
            s(&[
                "check",
                &format!("http://alice:{PASSWORD}@exa mple.com/?api_key={QUERY}"),
                "--origin",
                ORIGIN,
            ]),
        )
        .code(2)
        .contains("invalid URL"),
    );
    cases.push(
        Case::new(
            "an unsupported scheme with a password",
            s(&[
                "check",
                &format!("ftp://alice:{PASSWORD}@h.example/x"),
                "--origin",
                ORIGIN,
            ]),
        )
        .code(2)
        .contains("unsupported URL scheme"),
    );
    cases.push(
        Case::new(
            "an origin with a password",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                &format!("https://alice:{PASSWORD}@app.example.com"),
            ]),
        )
        .code(2)
        .contains("invalid origin"),
    );
    cases.push(
        Case::new(
            "an origin with a token in the query",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                &format!("https://app.example.com/?token={QUERY}"),
            ]),
        )
        .code(2)
        .contains("invalid origin"),
    );
    cases.push(
        Case::new(
            "a stray Bearer token clap refuses",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                &format!("Bearer {TOKEN}"),
            ]),
        )
        .code(2)
        .contains("unexpected argument"),
    );
    cases.push(
        Case::new(
            "a token as the credentials mode",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "--credentials",
                &format!("Bearer {TOKEN}"),
            ]),
        )
        .code(2)
        .contains("unknown credentials mode"),
    );
    cases.push(
        Case::new(
            "no origin, with secrets",
            s(&[
                "check",
                &format!("{}/x?api_key={QUERY}", sv.closed),
                "-H",
                &auth,
            ]),
        )
        .code(2)
        .contains("--origin is required"),
    );
    for v in ["0", "-1", "NaN", "inf", "99999", "0.0000001"] {
        cases.push(
            Case::new(
                &format!("--timeout {v}"),
                s(&[
                    "check",
                    &sv.closed,
                    "--origin",
                    ORIGIN,
                    &format!("--timeout={v}"),
                    "-H",
                    &auth,
                ]),
            )
            .code(2)
            .contains("at least 0.001 and at most 3600 seconds")
            .absent("between 0 and"),
        );
    }
    cases.push(
        Case::new(
            "-d @ a missing file",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                "@/nonexistent/body.json",
            ]),
        )
        .code(2)
        .contains("cannot read the file"),
    );
    cases.push(
        Case::new(
            "-d @/dev/zero",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                "@/dev/zero",
            ]),
        )
        .code(2)
        .contains("not a regular file"),
    );
    let fifo = dir.join("body.fifo");
    let _ = Command::new("mkfifo").arg(&fifo).status();
    cases.push(
        Case::new(
            "-d @fifo",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                &format!("@{}", fifo.display()),
            ]),
        )
        .code(2)
        .contains("not a regular file"),
    );
    let big = dir.join("big.bin");
    if let Ok(f) = std::fs::File::create(&big) {
        let _ = f.set_len(11 * 1024 * 1024);
    }
    cases.push(
        Case::new(
            "-d @ an 11 MB file",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                &format!("@{}", big.display()),
            ]),
        )
        .code(2)
        .contains("payload limit"),
    );

    // --- configuration
    let bad_config = dir.join("bad.toml");
    std::fs::write(
        &bad_config,
        format!("[request]\nheaders = \"Authorization: Bearer {TOKEN}\"\n"),
    )
    .unwrap();
    cases.push(
        Case::new(
            "a config error quoting a secret",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "--config",
                &bad_config.to_string_lossy(),
            ]),
        )
        .code(2)
        .contains("bad.toml:2:"),
    );
    cases.push(
        Case::new(
            "$CORS_DOCTOR_CONFIG names a missing file",
            s(&["check", &sv.closed, "--origin", ORIGIN]),
        )
        .env("CORS_DOCTOR_CONFIG", "/nonexistent/cors-doctor.toml")
        .code(2)
        .contains("cannot read config file /nonexistent/cors-doctor.toml"),
    );
    let log_config = dir.join("log.toml");
    let custom_log = dir.join("custom.log");
    std::fs::write(
        &log_config,
        format!("[request]\nheaders = [\"Authorization: Bearer {TOKEN}\"]\n[log]\nfile = \"custom.log\"\nlevel = \"trace\"\n"),
    )
    .unwrap();
    let mut logged = Case::new(
        "[log] file in the config, secrets from the config",
        s(&[
            "check",
            &echo_url,
            "--origin",
            ORIGIN,
            "--config",
            &log_config.to_string_lossy(),
            t,
            "2",
        ]),
    );
    logged.extra_file = Some(custom_log.clone());
    cases.push(logged);
    let export = dir.join("export.json");
    cases.push(
        Case::new(
            "an export that mentions x-cors-doctor-scenario in a description",
            s(&[
                "check",
                "--openapi",
                &export.to_string_lossy(),
                "--path",
                "/items",
                "--stage",
                "prod",
                "--origin",
                ORIGIN,
                "--format",
                "json",
            ]),
        )
        .code(1)
        .contains("\"config_source\": \"openapi\""),
    );
    cases.push(
        Case::new(
            "--openapi on a missing file",
            s(&[
                "check",
                "--openapi",
                "/nonexistent/export.json",
                "--path",
                "/items",
                "--origin",
                ORIGIN,
            ]),
        )
        .code(2)
        .contains("--openapi"),
    );
    cases.push(
        Case::new(
            "an AWS secret key in the environment, an endpoint with a password",
            s(&[
                "check",
                "--api-id",
                "abc123",
                "--stage",
                "prod",
                "--path",
                "/items",
                "--origin",
                ORIGIN,
                "--region",
                "us-east-1",
                "--endpoint-url",
                &sv.closed
                    .replace("http://", &format!("http://alice:{PASSWORD}@")),
                t,
                "2",
            ]),
        )
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
    );

    // --- misbehaving servers (secrets in the request, `--timeout 2`)
    let bad = |name: &str, url: String, format: &str| {
        Case::new(
            name,
            s(&[
                "check",
                &format!("{url}/prod/items?api_key={QUERY}"),
                "--origin",
                ORIGIN,
                "-H",
                &auth,
                "--format",
                format,
                t,
                "2",
            ]),
        )
    };
    for format in ["text", "markdown", "json"] {
        cases.push(bad(
            &format!("control characters from the server, {format}"),
            sv.control.clone(),
            format,
        ));
    }
    cases.push(bad("garbage instead of HTTP", sv.garbage.clone(), "text").code(1));
    cases.push(
        bad("a silent server", sv.silent.clone(), "json")
            .code(1)
            .contains("no response within"),
    );
    cases.push(bad("a 50 MB body", sv.stream.clone(), "json"));
    cases.push(
        bad("a connection refused", sv.closed.clone(), "text")
            .code(1)
            .contains("connection refused"),
    );
    cases.push(
        bad(
            "TLS to a plain HTTP server",
            sv.garbage.replace("http://", "https://"),
            "text",
        )
        .code(1),
    );
    cases.push(bad(
        "3000 response headers",
        sv.many_headers.clone(),
        "json",
    ));
    cases.push(bad(
        "invalid UTF-8 in header values",
        sv.bad_bytes.clone(),
        "markdown",
    ));
    for format in ["text", "json", "markdown"] {
        cases.push(
            Case::new(
                &format!("a redirect to a URL with credentials, {format}"),
                s(&[
                    "check",
                    &format!("{}/prod/items", sv.redirect_creds),
                    "--origin",
                    ORIGIN,
                    "--format",
                    format,
                    t,
                    "2",
                ]),
            )
            .code(1)
            .absent("CanaryServer"),
        );
    }
    cases.push(
        Case::new(
            "a redirect the browser would follow, text",
            s(&[
                "check",
                &format!("{}/prod/items", sv.redirect_plain),
                "--origin",
                ORIGIN,
                t,
                "2",
            ]),
        )
        .code(1)
        .contains("Browser: UNKNOWN")
        .absent("NETWORK ERROR")
        .absent("network error: \n"),
    );
    cases.push(
        Case::new(
            "a redirect the browser would follow, json",
            s(&[
                "check",
                &format!("{}/prod/items", sv.redirect_plain),
                "--origin",
                ORIGIN,
                "--format",
                "json",
                t,
                "2",
            ]),
        )
        .code(1)
        .contains("\"outcome\": \"unknown\""),
    );
    cases.push(
        Case::new(
            "a secret equal to words of the report (enum values)",
            s(&[
                "check",
                &format!("{}/prod/items", sv.echo),
                "--origin",
                ORIGIN,
                "-H",
                "Authorization: Bearer actual",
                "-H",
                "x-api-key: allowed",
                "--format",
                "json",
                t,
                "2",
            ]),
        )
        .contains("\"kind\": \"actual\"")
        .contains("\"outcome\": \"allowed\"")
        .contains("x-echo-authorization"),
    );
    let many: Vec<String> = (0..500)
        .flat_map(|i| ["-H".to_string(), format!("X-N{i}: v")])
        .collect();
    let mut a = s(&[
        "check",
        &format!("{}/prod/items", sv.echo),
        "--origin",
        ORIGIN,
        "-H",
        &auth,
        t,
        "2",
        "--format",
        "json",
    ]);
    a.extend(many);
    cases.push(Case::new("500 request headers", a));
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

// ------------------------------------------------------------ the terminal UI and the session

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terminal_ui_and_the_saved_session_show_no_secret() {
    use cors_doctor::cli::TargetArgs;
    use cors_doctor::config::Config;
    use cors_doctor::tui::{self, Effect, Msg, NoScenarios, Options, StartMode};
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::Terminal;

    let echo = echo_server().await;
    let args = TargetArgs {
        url: Some(format!(
            "{}/prod/items?api_key={QUERY}#access_token={FRAGMENT}",
            echo.base_url()
        )),
        origin: Some(ORIGIN.into()),
        method: Some("POST".into()),
        headers: vec![
            format!("Authorization: Bearer {TOKEN}"),
            format!("x-api-key: {API_KEY}"),
            format!("Cookie: sid={COOKIE}"),
            "Content-Type: application/json".into(),
        ],
        body: Some(format!("{{\"password\":\"{BODY_PASS}\"}}")),
        ..TargetArgs::default()
    };
    let plan = args.resolve(&Config::default()).unwrap();
    let opts = Options {
        config: Config::default(),
        args: args.clone(),
        start: StartMode::Diagnose(Box::new(plan)),
        source: Arc::new(|_| Ok(None)),
        catalog: Arc::new(NoScenarios),
        last_path: None,
        color: false,
    };
    let (mut state, effects) = tui::initial_state(&opts);
    state.size = ratatui::layout::Rect::new(0, 0, 200, 60);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
    let mut saved = Vec::new();
    let mut pending: std::collections::VecDeque<Effect> = effects.into();
    let mut screens = Vec::new();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut draw = |state: &tui::AppState| {
        terminal.draw(|f| tui::view::render(f, state)).unwrap();
        let buf = terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                out.push_str(buf[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    };
    let deadline = Instant::now() + DEADLINE;
    while let Some(e) = pending.pop_front() {
        match e {
            Effect::StartRun { .. } | Effect::RerunExchanges { .. } => {
                jobs.apply(e);
                while let Ok(Some(msg)) = tokio::time::timeout_at(deadline.into(), rx.recv()).await
                {
                    let end = matches!(
                        &msg,
                        Msg::RunFailed { .. }
                            | Msg::Run {
                                event: cors_doctor::runner::RunEvent::Finished(_),
                                ..
                            }
                    );
                    pending.extend(state.update(msg));
                    screens.push(draw(&state));
                    if end {
                        break;
                    }
                }
            }
            Effect::SaveLast(last) => saved.push(*last),
            _ => {}
        }
    }
    assert!(
        state.diag.as_ref().is_some_and(|d| d.report.is_some()),
        "the run did not finish"
    );
    let key = |c: KeyCode| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    // Every step, the evidence of every exchange, the form.
    for _ in 0..7 {
        state.update(key(KeyCode::Char('j')));
        screens.push(draw(&state));
    }
    state.update(key(KeyCode::Char('e')));
    for _ in 0..5 {
        screens.push(draw(&state));
        state.update(key(KeyCode::Char('j')));
    }
    state.update(key(KeyCode::Esc));
    state.update(key(KeyCode::Char('o')));
    screens.push(draw(&state));
    for screen in &screens {
        for canary in CANARIES {
            assert!(!screen.contains(canary), "{canary} on screen:\n{screen}");
        }
    }
    // The form's error line.
    let bad = TargetArgs {
        origin: Some(format!("https://alice:{PASSWORD}@app.example.com")),
        ..args.clone()
    };
    let opts = Options {
        start: StartMode::FormError(
            bad.resolve(&Config::default())
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
        ),
        ..opts
    };
    let (state, _) = tui::initial_state(&opts);
    let form = draw(&state);
    for canary in CANARIES {
        assert!(!form.contains(canary), "{canary} on the form:\n{form}");
    }

    // The saved last session.
    assert!(!saved.is_empty(), "the target was not remembered");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("last.toml");
    for last in saved
        .iter()
        .chain([&cors_doctor::tui::session::LastTarget::from_args(
            &TargetArgs {
                url: Some(format!(
                    "http://{USER_TOKEN}:{PASSWORD}@127.0.0.1/x#access_token={FRAGMENT}"
                )),
                headers: vec![format!("Authorization Bearer {TOKEN}")],
                ..args.clone()
            },
        )])
    {
        last.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for canary in CANARIES {
            assert!(
                !text.contains(canary),
                "{canary} in the saved session:\n{text}"
            );
        }
    }
    jobs.shutdown();
    echo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_and_fragments_are_never_sent() {
    use common::{args, cors_doctor, Canned, FakeGateway, Flipping};
    let gateway = || FakeGateway {
        preflight: Canned::good_preflight(ORIGIN, "GET, POST", "authorization"),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    };
    let server = Flipping::start(gateway(), gateway()).await;
    let base = server.server.base_url();
    let with_user = base.replace("http://", &format!("http://alice:{PASSWORD}@"));
    for extra in [
        vec![format!("{with_user}/prod/items")],
        vec![format!("{base}/prod/items"), "-X".into(), "TRACE".into()],
        vec![format!("{base}/prod/items"), "-X".into(), "connect".into()],
        vec![format!("{base}/prod/items"), "-d".into(), "x".into()],
        vec![
            format!("{base}/prod/items"),
            "-X".into(),
            "HEAD".into(),
            "-d".into(),
            "".into(),
        ],
    ] {
        let mut a = args(&["check", "--origin", ORIGIN, "--format", "json"]);
        a.extend(extra.clone());
        let out = cors_doctor(a).await;
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert_eq!(report["browser"]["outcome"], "refused", "{extra:?}");
        assert_eq!(report["first_failing_step"], 2, "{extra:?}");
        assert_eq!(report["exchanges"], serde_json::json!([]), "{extra:?}");
        assert_eq!(out.status.code(), Some(1), "{extra:?}");
    }
    assert!(server.methods().is_empty(), "sent: {:?}", server.methods());
    // A fragment stays in the browser.
    let out = cors_doctor(args(&[
        "check",
        &format!("{base}/prod/items?x=1#access_token={FRAGMENT}"),
        "--origin",
        ORIGIN,
    ]))
    .await;
    assert_ne!(out.status.code(), Some(2));
    let seen = server.seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    for r in seen {
        assert_eq!(r.path_and_query, "/prod/items?x=1");
    }
    server.server.shutdown().await;
}
