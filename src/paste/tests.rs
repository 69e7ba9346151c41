//! Table-driven tests on DevTools' copies (fixtures in tests/fixtures/paste/, modelled on what
//! Chrome 120+ and Firefox 120+ write).

use super::*;

const TOKEN: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.PASTE-TOKEN-SECRET.c2ln";
const COOKIE: &str = "session=PASTE-COOKIE-SECRET; theme=dark";
const URL: &str = "https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/items?page=2";
const BODY: &str = r#"{"name":"widget","qty":2}"#;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/paste/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn header<'a>(p: &'a Pasted, name: &str) -> Option<&'a str> {
    p.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

struct Want {
    file: &'static str,
    kind: PasteKind,
    url: &'static str,
    body: &'static str,
    cookie: bool,
    credentials: Option<&'static str>,
    origin: (&'static str, OriginSource),
}

#[test]
fn devtools_copies_read_as_the_browser_sent_them() {
    let app = "https://app.example.com";
    let cases = [
        Want {
            file: "chrome120_bash_post.txt",
            kind: PasteKind::Curl,
            url: URL,
            body: BODY,
            cookie: true,
            credentials: Some("include"),
            origin: (app, OriginSource::OriginHeader),
        },
        Want {
            file: "firefox120_bash_post.txt",
            kind: PasteKind::Curl,
            url: URL,
            body: BODY,
            cookie: true,
            credentials: Some("include"),
            origin: (app, OriginSource::OriginHeader),
        },
        Want {
            file: "chrome120_cmd_post.txt",
            kind: PasteKind::Curl,
            url:
                "https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/items?page=2&sort=asc",
            body: r#"{"name":"widget","qty":2,"pct":"100%","path":"C:\\tmp\\%USERPROFILE%"}"#,
            cookie: true,
            credentials: Some("include"),
            origin: (app, OriginSource::OriginHeader),
        },
        Want {
            file: "chrome120_fetch.txt",
            kind: PasteKind::Fetch,
            url: URL,
            body: BODY,
            cookie: false,
            credentials: Some("include"),
            origin: (app, OriginSource::FetchReferrer),
        },
        Want {
            file: "chrome120_fetch_nodejs.txt",
            kind: PasteKind::Fetch,
            url: URL,
            body: BODY,
            cookie: true,
            credentials: None,
            origin: (app, OriginSource::Referer),
        },
        Want {
            file: "firefox120_fetch.txt",
            kind: PasteKind::Fetch,
            url: URL,
            body: BODY,
            cookie: false,
            credentials: Some("include"),
            origin: (app, OriginSource::FetchReferrer),
        },
    ];
    for w in cases {
        let p = parse(w.kind, &fixture(w.file)).unwrap_or_else(|e| panic!("{}: {e}", w.file));
        assert_eq!(p.url, w.url, "{}", w.file);
        assert_eq!(p.method.as_deref(), Some("POST"), "{}", w.file);
        assert_eq!(p.body, Some(PastedBody::Text(w.body.into())), "{}", w.file);
        assert_eq!(header(&p, "authorization"), Some(TOKEN), "{}", w.file);
        assert_eq!(
            header(&p, "content-type"),
            Some("application/json"),
            "{}",
            w.file
        );
        assert_eq!(header(&p, "x-request-id"), Some("7f3c"), "{}", w.file);
        assert_eq!(
            header(&p, "cookie"),
            w.cookie.then_some(COOKIE),
            "{}",
            w.file
        );
        assert_eq!(p.credentials.as_deref(), w.credentials, "{}", w.file);
        assert_eq!(
            p.origin,
            Some((w.origin.0.to_string(), w.origin.1)),
            "{}",
            w.file
        );
        // What the browser adds itself is not the page's request.
        for browser in [
            "user-agent",
            "priority",
            "sec-fetch-mode",
            "sec-ch-ua",
            "origin",
            "referer",
            "referrer-policy",
            "pragma",
            "cache-control",
            "accept-encoding",
            "connection",
        ] {
            assert_eq!(header(&p, browser), None, "{}: {browser} kept", w.file);
        }
        assert!(
            p.dropped
                .iter()
                .any(|d| d.eq_ignore_ascii_case("sec-fetch-mode")),
            "{}",
            w.file
        );
    }
}

#[test]
fn ansi_c_strings_and_explicit_method() {
    let p = parse(PasteKind::Curl, &fixture("chrome120_bash_ansi_c.txt")).unwrap();
    assert_eq!(p.method.as_deref(), Some("PUT"));
    assert_eq!(
        p.body,
        Some(PastedBody::Text(
            "{\"msg\":\"Hi! it's\n\tok é\",\"path\":\"C:\\\\tmp\"}".into()
        ))
    );
    assert_eq!(
        p.origin,
        Some(("http://localhost:3000".into(), OriginSource::OriginHeader))
    );
    assert_eq!(p.credentials, None);
}

#[test]
fn curl_options_as_curl_reads_them() {
    type Case<'a> = (
        &'a str,
        Option<&'a str>,
        &'a [(&'a str, &'a str)],
        Option<PastedBody>,
    );
    let cases: &[Case] = &[
        ("curl http://h/x", None, &[], None),
        ("curl -XDELETE http://h/x", Some("DELETE"), &[], None),
        (
            "curl -sSL --request PATCH 'http://h/x'",
            Some("PATCH"),
            &[],
            None,
        ),
        ("curl --url=http://h/x -I", Some("HEAD"), &[], None),
        (
            "curl http://h/x -d a=1 -d b=2",
            Some("POST"),
            &[],
            Some(PastedBody::Text("a=1&b=2".into())),
        ),
        (
            "curl http://h/x --data-binary @body.json",
            Some("POST"),
            &[],
            Some(PastedBody::File("body.json".into())),
        ),
        (
            "curl http://h/x --data-raw @literal",
            Some("POST"),
            &[],
            Some(PastedBody::Text("@literal".into())),
        ),
        (
            "curl http://h/x --header='X-A: 1' -HX-B:2",
            None,
            &[("X-A", "1"), ("X-B", "2")],
            None,
        ),
        (
            "curl http://h/x --cookie 'a=b'",
            None,
            &[("Cookie", "a=b")],
            None,
        ),
        (
            "curl \"http://h/x\" -H \"X-Q: \\\"q\\\" \\$HOME\"",
            None,
            &[("X-Q", "\"q\" $HOME")],
            None,
        ),
        (
            "curl.exe \"http://h/x\" -H \"X-A: 1\"",
            None,
            &[("X-A", "1")],
            None,
        ),
        (
            "/usr/bin/curl http://h/x \\\n  -H 'X-A: 1'",
            None,
            &[("X-A", "1")],
            None,
        ),
        ("curl 'http://h/x' -H 'X-Empty:'", None, &[], None),
        (
            "curl http://h/x --json '{\"a\":1}' -H 'accept: text/plain'",
            Some("POST"),
            &[
                ("accept", "text/plain"),
                ("Content-Type", "application/json"),
            ],
            Some(PastedBody::Text("{\"a\":1}".into())),
        ),
        (
            "curl 'http://h/x' -H 'X-Empty;'",
            None,
            &[("X-Empty", "")],
            None,
        ),
        (
            "curl 'http://h/x' -H $'X-L: caf\\xe9 \\u00e9 \\101\\'s'",
            None,
            &[("X-L", "café é A's")],
            None,
        ),
    ];
    let p = parse(
        PasteKind::Curl,
        "curl --url 'http://h/x?a=\\[1\\]&b=\\{2\\}'",
    )
    .unwrap();
    assert_eq!(p.url, "http://h/x?a=[1]&b={2}");
    let p = parse(PasteKind::Curl, "curl -g 'http://h/x?a=\\[1\\]'").unwrap();
    assert_eq!(p.url, "http://h/x?a=\\[1\\]");
    let p = parse(PasteKind::Curl, "curl ^\"http://h/x?a=^\\^[1^\\^]^\"").unwrap();
    assert_eq!(p.url, "http://h/x?a=[1]");
    for (text, method, headers, body) in cases {
        let p = parse(PasteKind::Curl, text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(p.url, "http://h/x", "{text}");
        assert_eq!(p.method.as_deref(), *method, "{text}");
        let got: Vec<(&str, &str)> = p
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, *headers, "{text}");
        assert_eq!(&p.body, body, "{text}");
    }
}

#[test]
fn bad_pastes_name_what_was_not_understood_without_values() {
    let cases: &[(PasteKind, &str, &str)] = &[
        (PasteKind::Curl, "", "empty"),
        (
            PasteKind::Curl,
            "wget http://h/x",
            "does not start with `curl`",
        ),
        (
            PasteKind::Curl,
            "curl 'http://h/x",
            "inside a single-quoted string",
        ),
        (
            PasteKind::Curl,
            "curl http://h/x -H \"Authorization: SECRETVALUE",
            "double-quoted",
        ),
        (
            PasteKind::Curl,
            "curl http://h/x --frobnicate",
            "'--frobnicate' is not understood",
        ),
        (PasteKind::Curl, "curl http://h/x -H", "'-H' needs a value"),
        (PasteKind::Curl, "curl -H 'X-A: 1'", "names no URL"),
        (
            PasteKind::Curl,
            "curl http://h/x http://h/y",
            "more than one URL",
        ),
        (
            PasteKind::Curl,
            "curl http://h/x -b cookies.txt",
            "cookie file",
        ),
        (
            PasteKind::Curl,
            "curl http://h/x -H \"Authorization: $TOKEN\"",
            "$ expansion",
        ),
        (PasteKind::Curl, "curl http://h/x | jq .", "'|'"),
        (PasteKind::Curl, "$session = New-Object Microsoft.PowerShell.Commands.WebRequestSession\nInvoke-WebRequest -UseBasicParsing -Uri \"http://h/x\"", "Copy as PowerShell"),
        (
            PasteKind::Curl,
            "curl 'http://h/x' -H 'a: SECRETVALUE' ;\ncurl 'http://h/y'",
            "more than one curl command",
        ),
        (
            PasteKind::Curl,
            "curl http://h/x -u SECRETVALUE:pw",
            "-u is not supported",
        ),
        (
            PasteKind::Curl,
            "curl http://h/x -H 'SECRETVALUE'",
            "not 'Name: value'",
        ),
        (
            PasteKind::Fetch,
            "fetch(\"http://h/x\", {\"headers\": {\"a\": \"SECRETVALUE\"}",
            "does not end",
        ),
        (PasteKind::Fetch, "axios('http://h/x')", "not a fetch(URL"),
        (PasteKind::Fetch, "fetch(url, {})", "URL is not a string"),
        (
            PasteKind::Fetch,
            "fetch('http://h/x', {body: JSON.stringify({a: 1})})",
            "'JSON'",
        ),
        (PasteKind::Fetch, "fetch(`http://h/${SECRETVALUE}`)", "${…}"),
        (
            PasteKind::Fetch,
            "fetch('http://h/x', {method: 5})",
            "\"method\" is not a string",
        ),
        (
            PasteKind::Fetch,
            "fetch('http://h/x'); fetch('http://h/y')",
            "text follows",
        ),
    ];
    for (kind, text, want) in cases {
        let e = parse(*kind, text).expect_err(text).to_string();
        assert!(e.contains(want), "{text}: {e}");
        assert!(!e.contains("SECRETVALUE"), "{text}: {e}");
        assert!(e.starts_with(kind.flag()), "{text}: {e}");
    }
    let big = format!("curl http://h/x -d '{}'", "a".repeat(MAX_PASTE_BYTES));
    assert!(matches!(
        parse(PasteKind::Curl, &big),
        Err(PasteError::TooLong { .. })
    ));
}

#[test]
fn fetch_variants() {
    let p = parse(
        PasteKind::Fetch,
        "fetch('http://h/x', { method: 'DELETE', headers: [['X-A', '1']], credentials: 'omit', mode: 'no-cors', body: null, }) // copied",
    )
    .unwrap();
    assert_eq!(p.method.as_deref(), Some("DELETE"));
    assert_eq!(p.headers, vec![("X-A".to_string(), "1".to_string())]);
    assert_eq!(p.credentials.as_deref(), Some("omit"));
    assert_eq!(p.fetch_mode.as_deref(), Some("no-cors"));
    assert_eq!(p.body, None);
    let p = parse(PasteKind::Fetch, "fetch(\"http://h/x\");").unwrap();
    assert_eq!(p.method, None);
    let p = parse(
        PasteKind::Fetch,
        r#"fetch("http://h/x", {"body": "\u00e9\ud83d\ude00\x41\n", "referrer": "about:client"})"#,
    )
    .unwrap();
    assert_eq!(p.body, Some(PastedBody::Text("é😀A\n".into())));
    assert_eq!(p.origin, None);
}
