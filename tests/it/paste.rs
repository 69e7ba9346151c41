//! `check --from-curl` / `--from-fetch`: a request pasted from DevTools gives the same report as
//! the same request given with flags, against the simulator; pasted secrets never show.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::sim::{self, SimServer};

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.PASTE.TOKENSECRETSIG";
const COOKIE_SECRET: &str = "COOKIEPASTESECRET";

/// Runs the binary with `args`, feeding `stdin` when given.
async fn run(args: Vec<String>, stdin: Option<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args(&args)
            .env("NO_COLOR", "1")
            .env(
                "XDG_CONFIG_HOME",
                std::env::temp_dir().join("cors-doctor-tests-no-config"),
            )
            .env(
                "XDG_STATE_HOME",
                std::env::temp_dir().join("cors-doctor-tests-state"),
            )
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run cors-doctor");
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("wait")
    })
    .await
    .expect("join")
}

fn strs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The report without what varies from run to run (timings).
fn stable(mut v: Value) -> Value {
    let mut stack = vec![&mut v];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(m) => {
                m.retain(|k, _| {
                    !(k.contains("ms") || k.contains("elapsed") || k.contains("duration"))
                });
                stack.extend(m.values_mut());
            }
            Value::Array(a) => {
                a.retain(|x| {
                    let name = x.get(0).and_then(Value::as_str).unwrap_or("");
                    !matches!(
                        name.to_ascii_lowercase().as_str(),
                        "date" | "x-amzn-requestid" | "x-amz-apigw-id" | "x-amzn-trace-id"
                    )
                });
                stack.extend(a.iter_mut())
            }
            _ => {}
        }
    }
    v
}

/// The first place where two reports differ (path and both values), if any.
fn first_diff(a: &Value, b: &Value) -> Option<String> {
    let mut stack = vec![(String::new(), a, b)];
    while let Some((path, a, b)) = stack.pop() {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
                for (k, v) in x {
                    match y.get(k) {
                        Some(w) => stack.push((format!("{path}.{k}"), v, w)),
                        None => return Some(format!("{path}.{k}: only on the left")),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    stack.push((format!("{path}[{i}]"), v, w));
                }
            }
            (x, y) if x != y => return Some(format!("{path}: {x} vs {y}")),
            _ => {}
        }
    }
    None
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A Chrome 120 "Copy as cURL (bash)" of the scenario's request, with the headers the browser
/// adds itself, the Authorization header and a cookie.
fn chrome_curl(url: &str, s: &Scenario) -> String {
    let req = &s.spec.request;
    let mut t = format!(
        "curl '{url}' \\\n  -X '{}' \\\n  -H 'accept: */*' \\\n",
        req.method
    );
    for (k, v) in &req.headers {
        t.push_str(&format!("  -H '{}: {}' \\\n", k.to_ascii_lowercase(), v));
    }
    t.push_str(&format!("  -b 'sid={COOKIE_SECRET}' \\\n"));
    t.push_str(&format!("  -H 'origin: {}' \\\n", req.origin));
    t.push_str("  -H 'priority: u=1, i' \\\n");
    t.push_str(&format!("  -H 'referer: {}/page' \\\n", req.origin));
    t.push_str("  -H 'sec-fetch-mode: cors' \\\n  -H 'sec-fetch-site: cross-site' \\\n");
    t.push_str("  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'");
    if let Some(b) = &req.body {
        t.push_str(&format!(
            " \\\n  --data-raw $'{}'",
            b.replace('\\', "\\\\").replace('\'', "\\'")
        ));
    }
    t
}

/// A Firefox 120 "Copy as fetch" of the same request.
fn firefox_fetch(url: &str, s: &Scenario) -> String {
    let req = &s.spec.request;
    let mut headers = serde_json::Map::new();
    headers.insert(
        "User-Agent".into(),
        "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0".into(),
    );
    for (k, v) in &req.headers {
        // Lower case, as the flags' run gives them (the report shows names as sent).
        headers.insert(k.to_ascii_lowercase(), v.clone().into());
    }
    headers.insert("Cookie".into(), format!("sid={COOKIE_SECRET}").into());
    headers.insert("Sec-Fetch-Mode".into(), "cors".into());
    let mut init = serde_json::Map::new();
    init.insert("credentials".into(), req.credentials.as_str().into());
    init.insert("headers".into(), Value::Object(headers));
    init.insert("referrer".into(), format!("{}/", req.origin).into());
    if let Some(b) = &req.body {
        init.insert("body".into(), b.clone().into());
    }
    init.insert("method".into(), req.method.clone().into());
    init.insert("mode".into(), "cors".into());
    let init = serde_json::to_string_pretty(&Value::Object(init)).expect("json");
    format!("await fetch(\"{url}\", {init});\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_request_gives_the_same_report_as_its_flags() {
    let scenarios = Scenario::all().expect("scenarios load");
    let mut checked = 0;
    for name in [
        "options-cognito-authorizer",
        "allow-headers-missing-authorization",
        "rest-healthy",
    ] {
        let s = scenarios.iter().find(|s| s.name == name).expect("scenario");
        let handler = sim::gateway::scenario_handler(s);
        let server = SimServer::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            handler,
            Duration::ZERO,
        )
        .await
        .expect("bind");
        let url = format!("{}{}", server.base_url(), s.url_path());
        let asset = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("assets/scenarios/{name}.json"))
            .display()
            .to_string();
        let common = ["--openapi", asset.as_str(), "--no-aws", "--format", "json"];
        let req = &s.spec.request;
        let mut flags = strs(&["check", &url, "--origin", &req.origin, "-X", &req.method]);
        for (k, v) in &req.headers {
            flags.extend(strs(&["-H", &format!("{}: {v}", k.to_ascii_lowercase())]));
        }
        flags.extend(strs(&["-H", &format!("Cookie: sid={COOKIE_SECRET}")]));
        if let Some(b) = &req.body {
            flags.extend(strs(&["-d", b]));
        }
        flags.extend(strs(&["--credentials", req.credentials.as_str()]));
        flags.extend(strs(&common));
        let by_flags = run(flags, None).await;
        let want = stable(json(&by_flags));

        // The curl paste carries cookies (credentials include): the scenario's mode is given
        // beside it, and wins.
        let mut curl = strs(&[
            "check",
            "--from-curl",
            &chrome_curl(&url, s),
            "--credentials",
            req.credentials.as_str(),
        ]);
        curl.extend(strs(&common));
        let by_curl = run(curl, None).await;
        assert_eq!(by_curl.status.code(), by_flags.status.code(), "{name}");
        let diff = first_diff(&stable(json(&by_curl)), &want);
        assert!(diff.is_none(), "{name}: curl paste: {diff:?}");
        let note = String::from_utf8_lossy(&by_curl.stderr);
        assert!(
            note.contains("from the pasted curl command: the URL, method"),
            "{note}"
        );
        assert!(note.contains("from its Origin header"), "{note}");
        assert!(
            note.contains(
                "left out as set by the browser itself: accept, priority, sec-fetch-mode"
            ),
            "{note}"
        );
        assert!(
            note.contains("the flags given win: --credentials"),
            "{note}"
        );

        let mut fetch = strs(&["check", "--from-fetch", "-"]);
        fetch.extend(strs(&common));
        let by_fetch = run(fetch, Some(firefox_fetch(&url, s))).await;
        assert_eq!(by_fetch.status.code(), by_flags.status.code(), "{name}");
        let diff = first_diff(&stable(json(&by_fetch)), &want);
        assert!(diff.is_none(), "{name}: fetch paste on stdin: {diff:?}");
        server.shutdown().await;
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasted_authorization_and_cookie_never_show() {
    let s = Scenario::all()
        .expect("scenarios")
        .into_iter()
        .find(|s| s.name == "options-cognito-authorizer")
        .expect("scenario");
    let handler = sim::gateway::scenario_handler(&s);
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .expect("bind");
    let url = format!("{}{}", server.base_url(), s.url_path());
    let curl = format!(
        "curl '{url}?access_token=URLTOKENSECRET' -H 'authorization: Bearer {TOKEN}' -b 'sid={COOKIE_SECRET}; theme=dark' -H 'origin: https://app.example.com' -H 'x-api-key: APIKEYPASTESECRET' -X GET --data-raw '{{\"password\":\"BODYPASSWORDSECRET\"}}'"
    );
    let fetch = format!(
        "fetch(\"{url}\", {{\"headers\": {{\"authorization\": \"Bearer {TOKEN}\", \"cookie\": \"sid={COOKIE_SECRET}\"}}, \"referrer\": \"https://app.example.com/\", \"method\": \"GET\", \"credentials\": \"include\"}});"
    );
    let mut runs = Vec::new();
    for format in ["text", "json", "markdown"] {
        runs.push(strs(&[
            "check",
            "--from-curl",
            &curl,
            "--no-aws",
            "--format",
            format,
        ]));
        runs.push(strs(&[
            "check",
            "--from-fetch",
            &fetch,
            "--no-aws",
            "--format",
            format,
        ]));
    }
    // Errors: an unusable origin after a good paste, and a paste that does not parse.
    runs.push(strs(&[
        "check",
        "--from-curl",
        &curl,
        "--origin",
        "not an origin",
        "--no-aws",
    ]));
    runs.push(strs(&[
        "check",
        "--from-curl",
        &format!("{curl} --frobnicate"),
        "--no-aws",
    ]));
    runs.push(strs(&[
        "check",
        "--from-fetch",
        &format!("{fetch} extra"),
        "--no-aws",
    ]));
    for args in runs {
        let out = run(args.clone(), None).await;
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for secret in [
            "TOKENSECRETSIG",
            COOKIE_SECRET,
            "APIKEYPASTESECRET",
            "URLTOKENSECRET",
            "BODYPASSWORDSECRET",
        ] {
            assert!(
                !all.contains(secret),
                "{:?} leaks {secret}:\n{all}",
                &args[1..]
            );
        }
        assert!(!all.trim().is_empty());
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unparseable_paste_exits_2_with_a_clear_error() {
    for (flag, text, want) in [
        (
            "--from-curl",
            "wget https://example.com",
            "does not start with `curl`",
        ),
        (
            "--from-curl",
            "curl 'https://example.com",
            "ends inside a single-quoted string",
        ),
        ("--from-fetch", "fetch(url)", "the URL is not a string"),
    ] {
        let out = run(strs(&["check", flag, text, "--no-aws"]), None).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "{err}");
        assert!(err.lines().count() <= 2, "{err}");
    }
    let out = run(
        strs(&["check", "--from-curl", "x", "--from-fetch", "y"]),
        None,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
}
