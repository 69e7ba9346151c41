//! The TOML config, the request a user describes and the response headers a server sends, and
//! requests pasted from DevTools.

use super::*;

// ---------------------------------------------------------------------------------------------
// The TOML config

pub(super) fn toml_key() -> impl Strategy<Value = String> {
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

pub(super) fn toml_value() -> impl Strategy<Value = String> {
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

pub(super) fn toml_document() -> impl Strategy<Value = String> {
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
pub(super) fn fuzz_toml_config() {
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

pub(super) fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/items".to_string()),
        "(https?|ftp|file|javascript|data)://[a-z0-9é.\\-\\[\\]:@%]{0,24}(/[a-z{}%?#=&é.]{0,12}){0,3}",
        "https://[a-z0-9]{10}\\.execute-api\\.[a-z0-9-]{0,12}\\.amazonaws\\.com(\\.cn)?/[a-z$]{0,6}/.{0,12}",
        "http://user:pa[s:]{0,3}@127\\.0\\.0\\.1:[0-9]{0,6}/",
        any::<String>(),
        (1usize..80_000).prop_map(|n| format!("http://127.0.0.1/?api_key={}", "k".repeat(n))),
    ]
}

pub(super) fn header_line() -> impl Strategy<Value = String> {
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

pub(super) fn response_headers() -> impl Strategy<Value = Vec<(String, String)>> {
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
pub(super) fn fuzz_request_and_headers() {
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
pub(super) fn fuzz_simulator_requests() {
    let scenarios = Scenario::all().expect("scenarios");
    let handlers: Vec<_> = scenarios
        .iter()
        .map(cors_doctor::sim::gateway::scenario_handler)
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

pub(super) fn paste_fixtures() -> Vec<(cors_doctor::paste::PasteKind, String)> {
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
pub(super) fn fuzz_pasted_requests() {
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
