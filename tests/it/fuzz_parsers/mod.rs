//! Property-based fuzzing of every parser of untrusted input: OpenAPI exports (and scenario
//! files), the TOML config, the request a user describes (URL, origin, method, `-H` headers,
//! body) and the response headers a server sends back, and selection patterns. Each target
//! feeds arbitrary and mutated-real inputs to the parser and to what consumes its result (an
//! imported API answers requests in the simulator; a resolved request is planned and checked
//! against hostile response headers). A case fails on a panic or when it takes longer than
//! [`CASE_LIMIT`].
//!
//! A normal test run tries `FUZZ_CASES` cases per target (default 32). A long run, one target
//! at a time, keeps going for `FUZZ_SECONDS` and prints how many cases ran:
//! `FUZZ_SECONDS=600 nice -n 15 cargo test --release --test it fuzz_parsers::selection -- --nocapture`

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestCaseError, TestRunner};
use serde_json::{json, Value};

use cors_doctor::cli::TargetArgs;
use cors_doctor::config::Config;
use cors_doctor::evidence::RecordedResponse;
use cors_doctor::gateway::behavior::{regex_full_match, RouteBackend};
use cors_doctor::gateway::openapi;
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::http::{Headers, HttpRequest};

/// The longest one case may take (a debug build on a busy machine included).
const CASE_LIMIT: Duration = Duration::from_secs(5);

/// Runs `check` on values of `strategy`: `FUZZ_CASES` of them, or for `FUZZ_SECONDS`.
fn fuzz<S>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32u32);
    let seconds: Option<u64> = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok());
    let started = Instant::now();
    let ran = AtomicU64::new(0);
    loop {
        let mut runner = TestRunner::new(PtConfig {
            cases: if seconds.is_some() { 2_000 } else { cases },
            failure_persistence: None,
            max_shrink_iters: 4_096,
            ..PtConfig::default()
        });
        let result = runner.run(&strategy, |value| {
            ran.fetch_add(1, Ordering::Relaxed);
            let t = Instant::now();
            check(value)?;
            prop_assert!(t.elapsed() < CASE_LIMIT, "one case took {:?}", t.elapsed());
            Ok(())
        });
        if let Err(e) = result {
            panic!(
                "fuzz {name}: failure after {} cases: {e}",
                ran.load(Ordering::Relaxed)
            );
        }
        match seconds {
            Some(s) if started.elapsed() < Duration::from_secs(s) => continue,
            _ => break,
        }
    }
    eprintln!(
        "fuzz {name}: {} cases in {:.0?}, 0 failures",
        ran.load(Ordering::Relaxed),
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Selection patterns

fn pattern_token() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "a", "b", "0", "\\d", "\\w", "\\s", "\\D", ".", "*", "+", "?", "{2}", "{1,3}", "{2,}",
            "(", ")", "|", "[", "]", "[^", "^", "$", "-", "\\", "(?:", "(?=", "(?!", "(?<=",
            "(?i)", "(?s)", "\\Q", "\\E", "\\1", "*+", "++", "*?", "{", "}", "{99999999999}",
            "\\n", "\n", "\r", "é", "\u{2028}", "\\p{Lu}", "\\x{41}", "\\u0041", "&&", ":",
            "\\b", "\\Z", "(?<n>", "\\k<n>",
        ])
        .prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(pattern_token(), 0..40).prop_map(|t| t.concat()),
        1 => (1usize..20_000, pattern_token()).prop_map(|(n, t)| t.repeat(n)),
        1 => (1usize..3_000).prop_map(|n| format!("{}a{}", "(".repeat(n), ")".repeat(n))),
        1 => any::<String>(),
    ]
}

fn selection_input() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ab0-9\n.é]{0,40}",
        any::<String>(),
        (0usize..5_000).prop_map(|n| "a".repeat(n)),
        Just("Malformed input\nat line 2".to_string()),
    ]
}

#[test]
fn fuzz_selection_patterns() {
    fuzz(
        "selection",
        (
            pattern(),
            selection_input(),
            "[a-z0-9 .*+?()\\[\\]{}|\\\\]{0,20}",
        ),
        |(pattern, input, literal)| {
            let _ = regex_full_match(&pattern, &input);
            let _ = cors_doctor::gateway::behavior::pattern_problem(&pattern);
            // Oracle: a quoted literal selects exactly itself.
            let quoted = format!("\\Q{}\\E", literal.replace("\\E", ""));
            let lit = literal.replace("\\E", "");
            prop_assert!(regex_full_match(&quoted, &lit), "{quoted} vs {lit:?}");
            prop_assert_eq!(
                regex_full_match(&quoted, &input),
                input == lit,
                "{} vs {:?}",
                quoted,
                input
            );
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// OpenAPI exports and scenario files

fn scenario_texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .expect("assets/scenarios")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| std::fs::read_to_string(e.path()).expect("scenario"))
        .collect();
    texts.sort();
    texts
}

/// Values that have broken parsers before, or could.
fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "",
            "default",
            "*",
            "https://*",
            "http://*",
            "'*'",
            "'https://é.example'",
            "/",
            "/{proxy+}",
            "/{a}/{a}",
            "//",
            "{",
            "$default",
            "ANY",
            "OPTIONS",
            "x-amazon-apigateway-integration",
            "method.response.header.Access-Control-Allow-Origin",
            "integration.response.header.x",
            "mock",
            "MOCK",
            "aws_proxy",
            "http",
            "when_no_match",
            "(\\n|.)+",
            "2\\d{2}",
            "5\\d{2}",
            "{\"statusCode\": 200}",
            "#set($x = 1)",
            "\u{0}",
            "é",
            "\u{202e}",
            "%zz",
            "../..",
            "x-cors-doctor-scenario",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        any::<String>().prop_map(Value::String),
        (1usize..200_000).prop_map(|n| Value::String("a(".repeat(n / 2))),
    ];
    leaf.prop_recursive(4, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((object_key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn object_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "paths", "openapi", "swagger", "info", "servers", "get", "options", "post",
            "x-amazon-apigateway-any-method", "x-amazon-apigateway-integration", "responses",
            "requestTemplates", "responseParameters", "responseTemplates", "statusCode",
            "selectionPattern", "type", "uri", "httpMethod", "passthroughBehavior", "default",
            "200", "4\\d{2}", "security", "securitySchemes", "components",
            "x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-cors", "allowOrigins",
            "allowMethods", "allowHeaders", "maxAge", "allowCredentials", "x-amazon-apigateway-authorizer",
            "x-amazon-apigateway-api-key-source", "headers", "schema", "parameters", "$ref",
            "x-cors-doctor-scenario", "request", "backend", "origin", "method", "credentials",
            "x-amazon-apigateway-endpoint-configuration", "basePath", "stage", "stages",
            "throttle", "rateLimit", "burstLimit", "x-amazon-apigateway-policy",
        ])
        .prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the node reached by the walk with a hostile value.
    Replace(Vec<u16>, Value),
    /// Insert a key into the object reached (or push onto the array).
    Insert(Vec<u16>, String, Value),
    /// Remove the node reached.
    Remove(Vec<u16>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let walk = prop::collection::vec(any::<u16>(), 0..8);
    prop_oneof![
        (walk.clone(), hostile_value()).prop_map(|(w, v)| Mutation::Replace(w, v)),
        (walk.clone(), object_key(), hostile_value())
            .prop_map(|(w, k, v)| Mutation::Insert(w, k, v)),
        walk.prop_map(Mutation::Remove),
    ]
}

/// The child of `v` chosen by `step`, if `v` has children.
fn child(v: &mut Value, step: u16) -> Option<&mut Value> {
    match v {
        Value::Object(m) if !m.is_empty() => {
            let i = usize::from(step) % m.len();
            m.values_mut().nth(i)
        }
        Value::Array(a) if !a.is_empty() => {
            let i = usize::from(step) % a.len();
            a.get_mut(i)
        }
        _ => None,
    }
}

fn walk<'a>(mut v: &'a mut Value, path: &[u16]) -> &'a mut Value {
    for step in path {
        if child(v, *step).is_none() {
            break;
        }
        v = child(v, *step).expect("checked");
    }
    v
}

fn mutate(doc: &mut Value, m: &Mutation) {
    match m {
        Mutation::Replace(path, value) => *walk(doc, path) = value.clone(),
        Mutation::Insert(path, key, value) => match walk(doc, path) {
            Value::Object(o) => {
                o.insert(key.clone(), value.clone());
            }
            Value::Array(a) => a.push(value.clone()),
            other => *other = json!({ key.clone(): value.clone() }),
        },
        Mutation::Remove(path) => {
            let Some((last, parent_path)) = path.split_last() else {
                return;
            };
            match walk(doc, parent_path) {
                Value::Object(o) if !o.is_empty() => {
                    let i = usize::from(*last) % o.len();
                    if let Some(k) = o.keys().nth(i).cloned() {
                        o.remove(&k);
                    }
                }
                Value::Array(a) if !a.is_empty() => {
                    let i = usize::from(*last) % a.len();
                    a.remove(i);
                }
                _ => {}
            }
        }
    }
}

/// Byte-level damage to a text: truncation, insertion, deletion, replacement.
#[derive(Clone, Debug)]
enum TextEdit {
    Truncate(u32),
    Insert(u32, String),
    Delete(u32, u16),
    Flip(u32, u8),
}

fn text_edit() -> impl Strategy<Value = TextEdit> {
    prop_oneof![
        any::<u32>().prop_map(TextEdit::Truncate),
        (
            any::<u32>(),
            "[\\[\\]{}\"',=:\\\\\n#.a-z0-9é\u{0}-\u{1f}]{0,8}"
        )
            .prop_map(|(a, s)| TextEdit::Insert(a, s)),
        (any::<u32>(), any::<u16>()).prop_map(|(a, n)| TextEdit::Delete(a, n)),
        (any::<u32>(), any::<u8>()).prop_map(|(a, b)| TextEdit::Flip(a, b)),
    ]
}

fn edit_text(text: &str, edits: &[TextEdit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let at = |a: u32, len: usize| if len == 0 { 0 } else { a as usize % (len + 1) };
        match e {
            TextEdit::Truncate(a) => {
                let n = at(*a, bytes.len());
                bytes.truncate(n);
            }
            TextEdit::Insert(a, s) => {
                let n = at(*a, bytes.len());
                bytes.splice(n..n, s.bytes());
            }
            TextEdit::Delete(a, len) => {
                let n = at(*a, bytes.len());
                let end = (n + usize::from(*len % 64)).min(bytes.len());
                bytes.drain(n..end);
            }
            TextEdit::Flip(a, b) => {
                if !bytes.is_empty() {
                    let n = *a as usize % bytes.len();
                    bytes[n] = *b;
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn request_for(method: &str, path: &str, origin: &str) -> HttpRequest {
    let mut headers = Headers::new()
        .with("origin", origin)
        .with("host", "127.0.0.1");
    if method == "OPTIONS" {
        headers.push("access-control-request-method", "GET");
        headers.push("access-control-request-headers", "authorization,x-api-key");
    }
    HttpRequest {
        method: method.to_string(),
        path_and_query: path.to_string(),
        headers,
        body: Vec::new(),
    }
}

/// An imported API answers a few requests in the simulator (selection patterns, origin
/// matching, mapping expressions all run).
fn exercise(api: cors_doctor::gateway::Api, backend: RouteBackend, origin: &str, path: &str) {
    let stages: Vec<String> = api.stages.iter().map(|s| s.name.clone()).collect();
    let resources: Vec<String> = api
        .resources
        .iter()
        .map(|r| r.path.clone())
        .take(4)
        .collect();
    let handler = cors_doctor::sim::gateway::handler(api, backend);
    let stage = stages.first().cloned().unwrap_or_else(|| "prod".into());
    let mut paths = vec![format!("/{stage}{path}"), path.to_string()];
    paths.extend(resources.iter().map(|r| format!("/{stage}{r}")));
    for p in paths {
        for m in ["OPTIONS", "GET", "POST"] {
            let _ = handler(request_for(m, &p, origin));
        }
    }
}

fn origin() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://app.example.com".to_string()),
        "https://[a-zé\u{80}-\u{10ffff}]{0,3}[a-z.:0-9]{0,12}",
        "(https?|ftp)://.{0,20}",
        any::<String>(),
    ]
}

#[test]
fn fuzz_openapi_import() {
    let texts = scenario_texts();
    assert!(!texts.is_empty());
    let docs: Vec<Value> = texts
        .iter()
        .map(|t| serde_json::from_str(t).expect("scenario JSON"))
        .collect();
    let n = docs.len();
    fuzz(
        "openapi",
        (
            0..n,
            prop::collection::vec(mutation(), 0..6),
            prop::collection::vec(text_edit(), 0..3),
            origin(),
            "/[a-z{}+%./é]{0,20}",
            any::<bool>(),
        ),
        |(which, mutations, edits, origin, path, as_text)| {
            let mut doc = docs[which].clone();
            for m in &mutations {
                mutate(&mut doc, m);
            }
            let text = serde_json::to_string(&doc).expect("serializes");
            let text = if as_text {
                edit_text(&text, &edits)
            } else {
                text
            };
            // As an export: the scenario's own keys are ignored.
            if let Ok(api) = openapi::import_str(&text) {
                exercise(api, RouteBackend::default(), &origin, &path);
            }
            // As a scenario file.
            if let Ok(scenario) = Scenario::parse("fuzz", &text) {
                let backend = scenario.spec.backend.clone();
                exercise(scenario.api, backend, &origin, &path);
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_openapi_arbitrary_text() {
    fuzz(
        "openapi-text",
        prop_oneof![
            any::<String>(),
            hostile_value().prop_map(|v| v.to_string()),
            (1usize..100_000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        ],
        |text| {
            if let Ok(api) = openapi::import_str(&text) {
                exercise(api, RouteBackend::default(), "https://a.example", "/x");
            }
            let _ = Scenario::parse("fuzz", &text);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The TOML config

fn toml_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "probe", "timeout_secs", "connect_timeout_secs", "aws", "profile", "region",
            "endpoint_url", "enabled", "log", "level", "file", "tui", "keys", "defaults", "origin",
            "method", "headers", "credentials", "mode", "browser", "quit", "help", "rerun",
            "copy", "theme", "color", "q", "ctrl-c", "f1", "?",
        ])
        .prop_map(str::to_string),
        1 => "[a-z_.\"' -]{0,12}",
    ]
}

fn toml_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e400".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<String>().prop_map(|s| format!("{s:?}")),
        prop::sample::select(vec![
            "\"\"",
            "\"us-east-1\"",
            "\"http://127.0.0.1:1\"",
            "\"not a url\"",
            "\"debug\"",
            "\"trace,hyper=off\"",
            "\"q\"",
            "\"ctrl-c\"",
            "\"<F13>\"",
            "\"https://*\"",
            "\"x-api-key: secret\"",
            "1979-05-27T07:32:00Z",
        ])
        .prop_map(str::to_string),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((toml_key(), inner), 0..4).prop_map(|kv| {
                let body: Vec<String> = kv
                    .into_iter()
                    .map(|(k, v)| format!("{k:?} = {v}"))
                    .collect();
                format!("{{ {} }}", body.join(", "))
            }),
        ]
    })
}

fn toml_document() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::option::of(toml_key()),
            prop::collection::vec((toml_key(), toml_value()), 0..5),
        ),
        0..5,
    )
    .prop_map(|tables| {
        let mut out = String::new();
        for (name, entries) in tables {
            if let Some(n) = name {
                out.push_str(&format!("[{n}]\n"));
            }
            for (k, v) in entries {
                out.push_str(&format!("{k} = {v}\n"));
            }
        }
        out
    })
}

#[test]
fn fuzz_toml_config() {
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml"),
    )
    .expect("config.example.toml");
    let uncommented: String = example
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    fuzz(
        "toml",
        prop_oneof![
            toml_document(),
            prop::collection::vec(text_edit(), 0..5).prop_map({
                let e = example.clone();
                move |edits| edit_text(&e, &edits)
            }),
            prop::collection::vec(text_edit(), 0..5)
                .prop_map(move |edits| edit_text(&uncommented, &edits)),
            any::<String>(),
            // Deep nesting: arrays, inline tables, dotted keys.
            (1usize..60_000, 0..3u8).prop_map(|(n, kind)| match kind {
                0 => format!("a = {}{}\n", "[".repeat(n), "]".repeat(n)),
                1 => format!("a = {}1{}\n", "{b=".repeat(n), "}".repeat(n)),
                _ => format!("{}b = 1\n", "a.".repeat(n)),
            }),
        ],
        |text| {
            let path = std::path::Path::new("fuzz.toml");
            if let Ok(config) = Config::parse(&text, path) {
                let _ = cors_doctor::tui::keymap::Keymap::from_config(&config.tui);
                let args = TargetArgs {
                    url: Some("http://127.0.0.1:9/items".into()),
                    origin: Some("https://app.example.com".into()),
                    ..TargetArgs::default()
                };
                let _ = args.resolve(&config);
                let bare = TargetArgs::default();
                let _ = bare.resolve(&config);
            } else if let Err(e) = Config::parse(&text, path) {
                let message = e.to_string();
                prop_assert!(
                    message.starts_with("invalid config file fuzz.toml:"),
                    "{message}"
                );
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The request a user describes (URL, origin, method, headers, body), and the response headers a
// server sends back

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/items".to_string()),
        "(https?|ftp|file|javascript|data)://[a-z0-9é.\\-\\[\\]:@%]{0,24}(/[a-z{}%?#=&é.]{0,12}){0,3}",
        "https://[a-z0-9]{10}\\.execute-api\\.[a-z0-9-]{0,12}\\.amazonaws\\.com(\\.cn)?/[a-z$]{0,6}/.{0,12}",
        "http://user:pa[s:]{0,3}@127\\.0\\.0\\.1:[0-9]{0,6}/",
        any::<String>(),
        (1usize..80_000).prop_map(|n| format!("http://127.0.0.1/?api_key={}", "k".repeat(n))),
    ]
}

fn header_line() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "Authorization: Bearer abc",
            "x-api-key: k",
            "Content-Type: application/json",
            "Content-Type: text/plain; charset=\"é\"",
            "Range: bytes=0-",
            "Range: bytes=1-2,3-4",
            "Origin: https://evil.example",
            "Host: x",
            "Cookie: a=b",
            ": empty",
            "NoColon",
            "X-Ok:",
            "X-Ws :  v ",
            "Accept: */*",
            "Content-Length: 5",
        ])
        .prop_map(str::to_string),
        "[A-Za-z0-9\\-_ :;,\"é\u{0}-\u{1f}\u{7f}]{0,30}",
        any::<String>(),
    ]
}

fn response_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        prop::sample::select(vec![
            "access-control-allow-origin",
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-allow-credentials",
            "access-control-expose-headers",
            "access-control-max-age",
            "location",
            "x-amzn-errortype",
            "x-amzn-requestid",
            "x-amz-apigw-id",
            "x-amzn-remapped-x",
            "content-type",
            "via",
            "x-cache",
            "x-amz-cf-id",
            "set-cookie",
            "vary",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ];
    let value = prop_oneof![
        prop::sample::select(vec![
            "*",
            "null",
            "https://app.example.com",
            "https://app.example.com, https://b",
            "true",
            "TRUE",
            "GET, POST,,",
            "authorization , x-api-key",
            "-1",
            "99999999999999",
            "AccessDeniedException:http://x",
            "1.1 abc.cloudfront.net (CloudFront)",
            "",
            "https://app.example.com/",
            "https://APP.example.com",
        ])
        .prop_map(str::to_string),
        any::<String>(),
    ];
    prop::collection::vec((name, value), 0..8)
}

#[test]
fn fuzz_request_and_headers() {
    fuzz(
        "request",
        (
            url(),
            origin(),
            prop_oneof![
                Just("GET".to_string()),
                Just("PUT".to_string()),
                Just("CONNECT".to_string()),
                "[A-Za-z!#$%&'*+.^_`|~ é]{0,10}",
            ],
            prop::collection::vec(header_line(), 0..5),
            prop::option::of(any::<String>()),
            prop::option::of(prop::sample::select(vec![
                "omit",
                "same-origin",
                "include",
                "INCLUDE",
                "",
                "bogus",
            ])),
            any::<u16>(),
            response_headers(),
        ),
        |(url, origin, method, headers, body, credentials, status, response)| {
            let args = TargetArgs {
                url: Some(url),
                origin: Some(origin),
                method: Some(method),
                headers,
                body,
                credentials: credentials.map(str::to_string),
                no_aws: true,
                ..TargetArgs::default()
            };
            let plan = match args.resolve(&Config::default()) {
                Ok(plan) => plan,
                Err(e) => {
                    prop_assert!(!e.to_string().trim().is_empty(), "an empty usage error");
                    return Ok(());
                }
            };
            let target = &plan.target;
            let _ = cors_doctor::target::ApiRef::from_url(&target.url);
            let preflight = cors_doctor::cors::plan(target);
            let _ = cors_doctor::cors::preflight_request_headers(target, &preflight);
            let _ = cors_doctor::cors::actual_request_headers(target);
            let mut headers = Headers::new();
            for (n, v) in response {
                headers.push(n, v);
            }
            let recorded = RecordedResponse {
                status,
                headers,
                body_excerpt: String::new(),
                body_truncated: false,
            };
            let _ = cors_doctor::cors::check_actual(target, &recorded);
            for mode in [
                cors_doctor::cors::Mode::Spec,
                cors_doctor::cors::Mode::ChromeToday,
            ] {
                let _ = cors_doctor::cors::check_preflight(target, &preflight, &recorded, mode);
            }
            Ok(())
        },
    );
}

/// The simulator's own parsing of what a client sends: any method, path and headers, against
/// every shipped scenario (wildcard origins included).
#[test]
fn fuzz_simulator_requests() {
    let scenarios = Scenario::all().expect("scenarios");
    let handlers: Vec<_> = scenarios
        .iter()
        .map(|s| cors_doctor::sim::gateway::handler(s.api.clone(), s.spec.backend.clone()))
        .collect();
    let n = handlers.len();
    fuzz(
        "simulator",
        (
            0..n,
            "[A-Z]{0,8}|[^ ]{0,8}",
            "/[a-z0-9{}+%./é?=&]{0,30}",
            origin(),
            response_headers(),
            prop::collection::vec(any::<u8>(), 0..64),
        ),
        |(which, method, path, origin, headers, body)| {
            let mut h = Headers::new().with("origin", origin);
            for (k, v) in headers {
                h.push(k, v);
            }
            let _ = handlers[which](HttpRequest {
                method,
                path_and_query: path,
                headers: h,
                body,
            });
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Requests pasted from DevTools (`--from-curl`, `--from-fetch`)

fn paste_fixtures() -> Vec<(cors_doctor::paste::PasteKind, String)> {
    use cors_doctor::paste::PasteKind;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/paste");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/fixtures/paste") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let kind = if name.contains("fetch") {
            PasteKind::Fetch
        } else {
            PasteKind::Curl
        };
        out.push((kind, std::fs::read_to_string(&path).expect("fixture")));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

#[test]
fn fuzz_pasted_requests() {
    use cors_doctor::paste::{self, PasteKind};
    let fixtures = paste_fixtures();
    assert!(fixtures.len() >= 7);
    fuzz(
        "paste",
        (
            any::<usize>(),
            prop::collection::vec(text_edit(), 0..6),
            prop_oneof![
                Just(None),
                any::<String>().prop_map(Some),
                "curl [-'\"$\\\\^ \na-zA-Z:=@{}();&|`%]{0,60}".prop_map(Some),
                "(await )?fetch\\([\"'`{}\\[\\]:,.a-z0-9\\\\$ \n]{0,60}\\)?;?".prop_map(Some),
            ],
            any::<bool>(),
        ),
        |(which, edits, arbitrary, swap_kind)| {
            let (kind, text) = match arbitrary {
                Some(t) => (
                    if t.contains("fetch") {
                        PasteKind::Fetch
                    } else {
                        PasteKind::Curl
                    },
                    t,
                ),
                None => {
                    let (k, t) = &fixtures[which % fixtures.len()];
                    (*k, edit_text(t, &edits))
                }
            };
            let kind = match (swap_kind, kind) {
                (false, k) => k,
                (true, PasteKind::Curl) => PasteKind::Fetch,
                (true, PasteKind::Fetch) => PasteKind::Curl,
            };
            match paste::parse(kind, &text) {
                Ok(_) => {}
                Err(e) => {
                    let e = e.to_string();
                    prop_assert!(!e.trim().is_empty() && !e.contains('\n'), "{e:?}");
                }
            }
            // "-" would read the test's standard input.
            if text == "-" {
                return Ok(());
            }
            let args = TargetArgs {
                no_aws: true,
                ..TargetArgs::default()
            };
            if let Ok((args, line)) = args.with_paste(kind, &text) {
                prop_assert!(!line.contains('\n'));
                if let Ok(plan) = args.resolve(&Config::default()) {
                    let _ = cors_doctor::cors::plan(&plan.target);
                }
            }
            Ok(())
        },
    );
}
