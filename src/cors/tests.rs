//! Table-driven tests of the engine: the safelist rules, the checks, every reachable
//! `CorsErrorKind`, both modes, and every row of the reference's "Seen in a real headless
//! Chromium 156" table.

use super::safelist::{self, Safelist};
use super::*;
use crate::evidence::{FailureKind, RecordedResponse, TransportError};
use crate::http::Headers;
use crate::target::{CredentialsMode, Target};

type HeaderPairs = Vec<(&'static str, &'static str)>;
type Checked = Result<(), CorsError>;

const URL: &str = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items";
const ORIGIN: &str = "https://app.example.com";

fn target(method: &str, headers: &[(&str, &str)]) -> Target {
    Target {
        url: url::Url::parse(URL).unwrap(),
        origin: ORIGIN.to_string(),
        method: method.to_string(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: None,
        credentials: CredentialsMode::SameOrigin,
    }
}

fn with_creds(mut t: Target, c: CredentialsMode) -> Target {
    t.credentials = c;
    t
}

fn with_body(mut t: Target, body: &str) -> Target {
    t.body = Some(body.to_string());
    t
}

fn resp(status: u16, headers: &[(&str, &str)]) -> RecordedResponse {
    RecordedResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body_excerpt: String::new(),
        body_truncated: false,
    }
}

fn err(kind: CorsErrorKind, param: Option<&str>) -> CorsError {
    CorsError {
        kind,
        failed_parameter: param.map(str::to_string),
    }
}

/// The app's usual request: a GET with a bearer token (so a preflight).
fn auth_get() -> Target {
    target("GET", &[("Authorization", "Bearer abc")])
}

/// A preflight answer that lets `auth_get()` through.
fn good_preflight() -> RecordedResponse {
    resp(
        200,
        &[
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Methods", "GET,POST,PUT,OPTIONS"),
            ("Access-Control-Allow-Headers", "Content-Type,Authorization"),
        ],
    )
}

fn run(t: &Target, pre: Option<&RecordedResponse>, act: Option<&RecordedResponse>) -> Verdict {
    let p = plan(t);
    let pre = pre.map_or(Observed::NotSent, Observed::Response);
    let act = act.map_or(Observed::NotSent, Observed::Response);
    verdict(t, &p, pre, act, Mode::ChromeToday)
}

// ---------------------------------------------------------------- request side

#[test]
fn methods_are_normalized_like_fetch() {
    let table = [
        ("get", "GET", false),
        ("Get", "GET", false),
        ("head", "HEAD", false),
        ("post", "POST", false),
        ("put", "PUT", true),
        ("Delete", "DELETE", true),
        ("options", "OPTIONS", true),
        ("patch", "patch", true),
        ("PATCH", "PATCH", true),
        ("Purge", "Purge", true),
    ];
    for (given, normalized, preflight) in table {
        let p = plan(&target(given, &[]));
        assert_eq!(p.method, normalized, "{given}");
        assert_eq!(p.required, preflight, "{given}");
        if preflight {
            assert_eq!(
                p.reasons,
                vec![PreflightReason::Method {
                    method: normalized.to_string()
                }]
            );
        } else {
            assert!(p.reasons.is_empty(), "{given}");
        }
    }
}

#[test]
fn safelist_value_rules() {
    use Safelist::*;
    let long = "a".repeat(128);
    let too_long = "a".repeat(129);
    let table: Vec<(&str, &str, Safelist)> = vec![
        ("Accept", "application/json, text/*;q=0.9", Safe),
        ("accept", "text/html\tx", Safe),
        ("Accept", "(x)", UnsafeValue("accept value contains the CORS-unsafe byte '('".into())),
        ("Accept", "a\u{1}", UnsafeValue("accept value contains the CORS-unsafe byte 0x01".into())),
        ("Accept", "a@b", UnsafeValue("accept value contains the CORS-unsafe byte '@'".into())),
        ("Accept", "a\u{7f}", UnsafeValue("accept value contains the CORS-unsafe byte 0x7F".into())),
        ("Accept", &long, Safe),
        (
            "Accept",
            &too_long,
            UnsafeValue("accept value is 129 bytes long, over the 128-byte limit".into()),
        ),
        ("Accept-Language", "en-US,en;q=0.9, *", Safe),
        (
            "Accept-Language",
            "en_US",
            UnsafeValue("accept-language value contains '_', but only 0-9 A-Z a-z space * , - . ; = are allowed".into()),
        ),
        ("Content-Language", "de-DE", Safe),
        (
            "content-language",
            "de\u{9}",
            UnsafeValue("content-language value contains 0x09, but only 0-9 A-Z a-z space * , - . ; = are allowed".into()),
        ),
        ("Content-Type", "text/plain", Safe),
        ("Content-Type", "Text/Plain; charset=utf-8", Safe),
        ("content-type", "multipart/form-data; boundary=xyz", Safe),
        ("Content-Type", "application/x-www-form-urlencoded", Safe),
        ("Content-Type", "text/plain ;charset=utf-8", Safe),
        (
            "Content-Type",
            "application/json",
            UnsafeValue("content-type application/json is not application/x-www-form-urlencoded, multipart/form-data or text/plain".into()),
        ),
        (
            "Content-Type",
            "text/plain, application/json",
            UnsafeValue("content-type 'text/plain, application/json' is not a valid MIME type".into()),
        ),
        ("Content-Type", "text", UnsafeValue("content-type 'text' is not a valid MIME type".into())),
        (
            "Content-Type",
            "text/plain; charset=\"utf-8\"",
            UnsafeValue("content-type value contains the CORS-unsafe byte '\"'".into()),
        ),
        ("Range", "bytes=0-", Safe),
        ("Range", "bytes=0-499", Safe),
        ("Range", "bytes=499-499", Safe),
        ("Range", "bytes=007-10", Safe),
        ("Range", "bytes=500-100", UnsafeValue("range 'bytes=500-100' is not a single 'bytes=N-' or 'bytes=N-M' range with N <= M".into())),
        ("Range", "bytes=-500", UnsafeValue("range 'bytes=-500' is not a single 'bytes=N-' or 'bytes=N-M' range with N <= M".into())),
        ("Range", "bytes=0-1,2-3", UnsafeValue("range 'bytes=0-1,2-3' is not a single 'bytes=N-' or 'bytes=N-M' range with N <= M".into())),
        ("Range", "bytes = 0-", UnsafeValue("range 'bytes = 0-' is not a single 'bytes=N-' or 'bytes=N-M' range with N <= M".into())),
        ("Range", "Bytes=0-", UnsafeValue("range 'Bytes=0-' is not a single 'bytes=N-' or 'bytes=N-M' range with N <= M".into())),
        ("Authorization", "Bearer x", UnsafeName),
        ("X-Api-Key", "k", UnsafeName),
        ("Cache-Control", "no-cache", UnsafeName),
    ];
    for (name, value, expected) in table {
        assert_eq!(
            safelist::classify(name, value),
            expected,
            "{name}: {value:?}"
        );
    }
}

#[test]
fn unsafe_values_force_a_preflight_with_the_rule() {
    let p = plan(&target("POST", &[("Content-Type", "application/json")]));
    assert!(p.required);
    assert_eq!(p.request_headers, vec!["content-type"]);
    assert_eq!(
        p.reasons[0].to_string(),
        "header content-type has a value that is not CORS-safelisted: content-type application/json is not application/x-www-form-urlencoded, multipart/form-data or text/plain"
    );
}

#[test]
fn safelisted_values_over_1024_bytes_in_total_all_become_unsafe() {
    let v = "a".repeat(128);
    // 8 × 128 = 1024: still within the limit.
    let eight: Vec<(&str, &str)> = (0..8).map(|_| ("Accept", v.as_str())).collect();
    let p = plan(&target("GET", &eight));
    assert!(!p.required);
    // One more byte (plus a second safelisted name) tips it over: every safelisted name is unsafe.
    let mut nine = eight.clone();
    nine.push(("Content-Language", "d"));
    let p = plan(&target("GET", &nine));
    assert!(p.required);
    assert_eq!(p.request_headers, vec!["accept", "content-language"]);
    assert_eq!(
        p.reasons,
        vec![PreflightReason::SafelistedTotalTooLarge { total: 1025 }]
    );
    assert_eq!(
        p.reasons[0].to_string(),
        "CORS-safelisted header values total 1025 bytes, over 1024, so all of them count as not CORS-safelisted"
    );
}

#[test]
fn forbidden_headers_are_dropped_with_notes() {
    let t = target(
        "GET",
        &[
            ("Cookie", "session=1"),
            ("Host", "evil.example"),
            ("Origin", "https://other.example"),
            ("Sec-Fetch-Mode", "no-cors"),
            ("Proxy-Authorization", "Basic x"),
            ("Content-Length", "3"),
            ("Access-Control-Request-Method", "PUT"),
            ("X-HTTP-Method-Override", "GET, trace"),
            ("Accept", "application/json"),
        ],
    );
    let p = plan(&t);
    assert!(!p.required, "{p:?}");
    assert!(p.request_headers.is_empty());
    assert!(p.notes.contains(
        &"fetch() cannot set Cookie; the browser attaches cookies itself when credentials are 'include' (or same-origin)".to_string()
    ));
    assert_eq!(p.notes.len(), 8, "{:#?}", p.notes);
    let h = actual_request_headers(&t);
    assert_eq!(
        h.0,
        vec![
            ("Accept".to_string(), "application/json".to_string()),
            ("Origin".to_string(), ORIGIN.to_string()),
        ]
    );
    // A method override naming an ordinary method is not forbidden, just not safelisted.
    let p = plan(&target("POST", &[("X-HTTP-Method-Override", "PATCH")]));
    assert_eq!(p.request_headers, vec!["x-http-method-override"]);
    assert!(safelist::is_forbidden_request_header(
        "x-method-override",
        "CONNECT"
    ));
    assert!(safelist::is_forbidden_request_header(
        "X-HTTP-Method",
        " track "
    ));
    assert!(!safelist::is_forbidden_request_header(
        "X-HTTP-Method",
        "DELETE"
    ));
    for name in [
        "accept-charset",
        "Accept-Encoding",
        "connection",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "keep-alive",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        "proxy-connection",
        "sec-ch-ua",
        "access-control-request-headers",
    ] {
        assert!(safelist::is_forbidden_request_header(name, "x"), "{name}");
    }
}

#[test]
fn request_headers_are_lowercased_sorted_and_deduplicated() {
    let t = target(
        "PUT",
        &[
            ("X-B", "1"),
            ("authorization", "Bearer a"),
            ("X-a", "2"),
            ("Authorization", "Bearer b"),
            ("Content-Type", "application/json"),
            ("Accept", "*/*"),
        ],
    );
    let p = plan(&t);
    assert_eq!(
        p.request_headers,
        vec!["authorization", "content-type", "x-a", "x-b"]
    );
    assert_eq!(p.reasons.len(), 5, "{:?}", p.reasons); // method + 4 distinct names
    assert_eq!(
        p.reasons[0].to_string(),
        "method PUT is not CORS-safelisted"
    );
    assert_eq!(
        p.reasons[2].to_string(),
        "header authorization is not CORS-safelisted"
    );
    let h = preflight_request_headers(&t, &p);
    assert_eq!(
        h.0,
        vec![
            ("Accept".to_string(), "*/*".to_string()),
            (
                "Access-Control-Request-Method".to_string(),
                "PUT".to_string()
            ),
            (
                "Access-Control-Request-Headers".to_string(),
                "authorization,content-type,x-a,x-b".to_string()
            ),
            ("Origin".to_string(), ORIGIN.to_string()),
        ]
    );
    // No unsafe header: no Access-Control-Request-Headers at all.
    let t = target("delete", &[]);
    let h = preflight_request_headers(&t, &plan(&t));
    assert_eq!(
        h.0,
        vec![
            ("Accept".to_string(), "*/*".to_string()),
            (
                "Access-Control-Request-Method".to_string(),
                "DELETE".to_string()
            ),
            ("Origin".to_string(), ORIGIN.to_string()),
        ]
    );
}

#[test]
fn a_string_body_gets_the_safelisted_text_plain_content_type() {
    let t = with_body(target("POST", &[]), "{\"a\":1}");
    let p = plan(&t);
    assert!(!p.required);
    assert_eq!(
        actual_request_headers(&t).0,
        vec![
            (
                "Content-Type".to_string(),
                "text/plain;charset=UTF-8".to_string()
            ),
            ("Origin".to_string(), ORIGIN.to_string()),
        ]
    );
    let t = with_body(
        target("POST", &[("content-type", "application/json")]),
        "{}",
    );
    let p = plan(&t);
    assert!(p.required);
    assert_eq!(
        actual_request_headers(&t).0,
        vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("Origin".to_string(), ORIGIN.to_string()),
        ]
    );
}

#[test]
fn same_origin_requests_need_no_cors() {
    let mut t = auth_get();
    t.origin = "https://abc123.execute-api.us-east-1.amazonaws.com".into();
    let p = plan(&t);
    assert!(!p.required);
    assert!(!actual_request_headers(&t).contains("origin"));
    let v = verdict(
        &t,
        &p,
        Observed::NotSent,
        Observed::Response(&resp(200, &[])),
        Mode::Spec,
    );
    assert_eq!(v.outcome, Outcome::Allowed);
}

// ---------------------------------------------------------------- response side

#[test]
fn cors_check_classification() {
    use CorsErrorKind::*;
    let get = target("GET", &[]);
    let inc = with_creds(target("GET", &[]), CredentialsMode::Include);
    let table: Vec<(&Target, HeaderPairs, Checked)> = vec![
        (&get, vec![], Err(err(MissingAllowOriginHeader, None))),
        (&get, vec![("Access-Control-Allow-Origin", "*")], Ok(())),
        (&get, vec![("Access-Control-Allow-Origin", ORIGIN)], Ok(())),
        (
            &get,
            vec![("access-control-allow-origin", " https://app.example.com\t")],
            Ok(()),
        ),
        (
            &get,
            vec![("Access-Control-Allow-Origin", "https://app.example.com/")],
            Err(err(AllowOriginMismatch, Some("https://app.example.com/"))),
        ),
        (
            &get,
            vec![("Access-Control-Allow-Origin", "https://APP.example.com")],
            Err(err(AllowOriginMismatch, Some("https://APP.example.com"))),
        ),
        (
            &get,
            vec![("Access-Control-Allow-Origin", "null")],
            Err(err(AllowOriginMismatch, Some("null"))),
        ),
        (
            &get,
            vec![("Access-Control-Allow-Origin", "app.example.com")],
            Err(err(InvalidAllowOriginValue, Some("app.example.com"))),
        ),
        (
            &get,
            vec![("Access-Control-Allow-Origin", "")],
            Err(err(InvalidAllowOriginValue, Some(""))),
        ),
        (
            &get,
            vec![(
                "Access-Control-Allow-Origin",
                "https://a.example https://app.example.com",
            )],
            Err(err(
                MultipleAllowOriginValues,
                Some("https://a.example https://app.example.com"),
            )),
        ),
        (
            &get,
            vec![
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Origin", ORIGIN),
            ],
            Err(err(
                MultipleAllowOriginValues,
                Some("https://app.example.com, https://app.example.com"),
            )),
        ),
        (
            &get,
            vec![
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Origin", "*"),
            ],
            Err(err(MultipleAllowOriginValues, Some("*, *"))),
        ),
        (
            &inc,
            vec![("Access-Control-Allow-Origin", "*")],
            Err(err(WildcardOriginNotAllowed, None)),
        ),
        (
            &inc,
            vec![
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Credentials", "true"),
            ],
            Err(err(WildcardOriginNotAllowed, None)),
        ),
        (
            &inc,
            vec![("Access-Control-Allow-Origin", ORIGIN)],
            Err(err(InvalidAllowCredentials, Some(""))),
        ),
        (
            &inc,
            vec![
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Credentials", "True"),
            ],
            Err(err(InvalidAllowCredentials, Some("True"))),
        ),
        (
            &inc,
            vec![
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Credentials", " true "),
            ],
            Ok(()),
        ),
        // Credentials are only checked in include mode.
        (
            &get,
            vec![
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Credentials", "false"),
            ],
            Ok(()),
        ),
    ];
    for (t, headers, expected) in table {
        assert_eq!(
            check_actual(t, &resp(200, &headers)),
            expected,
            "{headers:?}"
        );
    }
}

#[test]
fn preflight_check_classification() {
    use CorsErrorKind::*;
    let put = target("PUT", &[("X-Custom", "1")]);
    let patch = target("patch", &[]);
    let inc = with_creds(
        target("PUT", &[("X-Custom", "1")]),
        CredentialsMode::Include,
    );
    let ok = ("Access-Control-Allow-Origin", ORIGIN);
    let table: Vec<(&Target, u16, HeaderPairs, Checked)> = vec![
        (
            &put,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-custom"),
            ],
            Ok(()),
        ),
        (
            &put,
            204,
            vec![
                ok,
                ("Access-Control-Allow-Methods", "GET, , PUT"),
                ("Access-Control-Allow-Headers", "X-CUSTOM"),
            ],
            Ok(()),
        ),
        (
            &put,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Methods", "put"),
                ("Access-Control-Allow-Headers", "x-custom"),
            ],
            Err(err(MethodDisallowedByPreflightResponse, Some("PUT"))),
        ),
        (
            &patch,
            200,
            vec![ok, ("Access-Control-Allow-Methods", "PATCH")],
            Err(err(MethodDisallowedByPreflightResponse, Some("patch"))),
        ),
        (
            &patch,
            200,
            vec![ok, ("Access-Control-Allow-Methods", "patch")],
            Ok(()),
        ),
        (
            &put,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Methods", "*"),
                ("Access-Control-Allow-Headers", "*"),
            ],
            Ok(()),
        ),
        (
            &put,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-other"),
            ],
            Err(err(HeaderDisallowedByPreflightResponse, Some("x-custom"))),
        ),
        (
            &put,
            200,
            vec![ok, ("Access-Control-Allow-Methods", "PUT GET")],
            Err(err(InvalidAllowMethodsPreflightResponse, None)),
        ),
        (
            &put,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Methods", "XXX"),
                ("Access-Control-Allow-Headers", "x-custom;"),
            ],
            Err(err(InvalidAllowHeadersPreflightResponse, None)),
        ),
        (
            &put,
            500,
            vec![
                ok,
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-custom"),
            ],
            Err(err(PreflightInvalidStatus, None)),
        ),
        (
            &put,
            302,
            vec![ok, ("Location", "https://elsewhere.example/")],
            Err(err(PreflightDisallowedRedirect, None)),
        ),
        (
            &put,
            301,
            vec![("Location", "/x")],
            Err(err(PreflightDisallowedRedirect, None)),
        ),
        // A redirect status without Location is an ordinary (non-ok) response.
        (&put, 302, vec![ok], Err(err(PreflightInvalidStatus, None))),
        (
            &put,
            302,
            vec![],
            Err(err(PreflightMissingAllowOriginHeader, None)),
        ),
        (
            &put,
            200,
            vec![("Access-Control-Allow-Origin", "https://x.example/")],
            Err(err(
                PreflightAllowOriginMismatch,
                Some("https://x.example/"),
            )),
        ),
        (
            &put,
            200,
            vec![("Access-Control-Allow-Origin", "*.example.com")],
            Err(err(PreflightInvalidAllowOriginValue, Some("*.example.com"))),
        ),
        (
            &put,
            200,
            vec![ok, ok],
            Err(err(
                PreflightMultipleAllowOriginValues,
                Some("https://app.example.com, https://app.example.com"),
            )),
        ),
        // Credentialed: `*` is a literal method / header name, and Allow-Credentials is needed.
        (
            &inc,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "*"),
                ("Access-Control-Allow-Headers", "*"),
            ],
            Err(err(MethodDisallowedByPreflightResponse, Some("PUT"))),
        ),
        (
            &inc,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "*"),
            ],
            Err(err(HeaderDisallowedByPreflightResponse, Some("x-custom"))),
        ),
        (
            &inc,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-custom"),
            ],
            Ok(()),
        ),
        (
            &inc,
            200,
            vec![
                ok,
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-custom"),
            ],
            Err(err(PreflightInvalidAllowCredentials, Some(""))),
        ),
        (
            &inc,
            200,
            vec![
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Credentials", "true"),
            ],
            Err(err(PreflightWildcardOriginNotAllowed, None)),
        ),
    ];
    for (t, status, headers, expected) in table {
        let p = plan(t);
        let got = check_preflight(t, &p, &resp(status, &headers), Mode::Spec).map(|_| ());
        assert_eq!(got, expected, "{} {status} {headers:?}", t.method);
    }
}

#[test]
fn authorization_under_a_wildcard_depends_on_the_mode() {
    let t = target("GET", &[("Authorization", "Bearer x"), ("X-Custom", "1")]);
    let p = plan(&t);
    let r = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Headers", "*"),
        ],
    );
    assert_eq!(
        check_preflight(&t, &p, &r, Mode::Spec),
        Err(err(
            CorsErrorKind::HeaderDisallowedByPreflightResponse,
            Some("authorization")
        ))
    );
    assert_eq!(
        check_preflight(&t, &p, &r, Mode::ChromeToday),
        Ok(vec![
            "Authorization will not be covered by the wildcard symbol (*) in CORS `Access-Control-Allow-Headers` handling.".to_string()
        ])
    );
    let v = verdict(
        &t,
        &p,
        Observed::Response(&r),
        Observed::Response(&resp(200, &[("Access-Control-Allow-Origin", "*")])),
        Mode::ChromeToday,
    );
    assert_eq!(v.outcome, Outcome::Allowed);
    assert_eq!(
        v.warnings,
        vec![AUTHORIZATION_COVERED_BY_WILDCARD.to_string()]
    );
    // Listing it explicitly satisfies both modes, without a warning.
    let r = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", ORIGIN),
            ("Access-Control-Allow-Headers", "*, Authorization"),
        ],
    );
    assert_eq!(check_preflight(&t, &p, &r, Mode::Spec), Ok(vec![]));
    assert_eq!(check_preflight(&t, &p, &r, Mode::ChromeToday), Ok(vec![]));
    // Without authorization, `*` covers everything in both modes.
    let t = target("GET", &[("X-Custom", "1")]);
    let p = plan(&t);
    let r = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Headers", "*"),
        ],
    );
    assert_eq!(check_preflight(&t, &p, &r, Mode::Spec), Ok(vec![]));
}

// ------------------------------------------------ every row of the Chromium 156 table

struct Row {
    what: &'static str,
    target: Target,
    preflight: Option<RecordedResponse>,
    actual: Option<RecordedResponse>,
    kind: Option<CorsErrorKind>,
    param: Option<&'static str>,
    outcome: Outcome,
    hidden: Option<u16>,
}

#[test]
fn chromium_156_table() {
    use CorsErrorKind::*;
    let ok_actual = || resp(200, &[("Access-Control-Allow-Origin", ORIGIN)]);
    let inc = || with_creds(auth_get(), CredentialsMode::Include);
    let gateway_403 = resp(
        403,
        &[
            ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
            ("Content-Type", "application/json"),
        ],
    );
    let mut rows = vec![
        Row {
            what: "preflight 403 without CORS headers",
            target: auth_get(),
            preflight: Some(gateway_403.clone()),
            actual: None,
            kind: Some(PreflightMissingAllowOriginHeader),
            param: None,
            outcome: Outcome::Blocked,
            hidden: Some(403),
        },
        Row {
            what: "preflight 403 with CORS headers",
            target: auth_get(),
            preflight: Some(RecordedResponse {
                status: 403,
                ..good_preflight()
            }),
            actual: None,
            kind: Some(PreflightInvalidStatus),
            param: None,
            outcome: Outcome::Blocked,
            hidden: Some(403),
        },
        Row {
            what: "preflight 200 without Allow-Origin",
            target: auth_get(),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Methods", "GET"),
                    ("Access-Control-Allow-Headers", "authorization"),
                ],
            )),
            actual: None,
            kind: Some(PreflightMissingAllowOriginHeader),
            param: None,
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "actual 502 with Allow-Origin",
            target: auth_get(),
            preflight: Some(good_preflight()),
            actual: Some(resp(502, &[("Access-Control-Allow-Origin", ORIGIN)])),
            kind: None,
            param: None,
            outcome: Outcome::Allowed,
            hidden: None,
        },
        Row {
            what: "Allow-Headers lacks authorization",
            target: auth_get(),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", ORIGIN),
                    ("Access-Control-Allow-Headers", "Content-Type,X-Amz-Date"),
                ],
            )),
            actual: None,
            kind: Some(HeaderDisallowedByPreflightResponse),
            param: Some("authorization"),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "unparsable Allow-Headers",
            target: auth_get(),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", ORIGIN),
                    ("Access-Control-Allow-Headers", "Content-Type Authorization"),
                ],
            )),
            actual: None,
            kind: Some(InvalidAllowHeadersPreflightResponse),
            param: None,
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "PUT not in Allow-Methods",
            target: target("PUT", &[("Authorization", "Bearer abc")]),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", ORIGIN),
                    ("Access-Control-Allow-Methods", "GET,OPTIONS"),
                    ("Access-Control-Allow-Headers", "Authorization"),
                ],
            )),
            actual: None,
            kind: Some(MethodDisallowedByPreflightResponse),
            param: Some("PUT"),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "preflight Allow-Origin another origin",
            target: auth_get(),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", "https://other.example.com"),
                    ("Access-Control-Allow-Headers", "Authorization"),
                ],
            )),
            actual: None,
            kind: Some(PreflightAllowOriginMismatch),
            param: Some("https://other.example.com"),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "preflight Allow-Origin with a trailing slash",
            target: auth_get(),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", "https://app.example.com/"),
                    ("Access-Control-Allow-Headers", "Authorization"),
                ],
            )),
            actual: None,
            kind: Some(PreflightAllowOriginMismatch),
            param: Some("https://app.example.com/"),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "actual Allow-Origin another origin",
            target: auth_get(),
            preflight: Some(good_preflight()),
            actual: Some(resp(
                200,
                &[("Access-Control-Allow-Origin", "https://other.example.com")],
            )),
            kind: Some(AllowOriginMismatch),
            param: Some("https://other.example.com"),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "two Allow-Origin values on the preflight",
            target: auth_get(),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", ORIGIN),
                    ("Access-Control-Allow-Origin", "https://other.example.com"),
                    ("Access-Control-Allow-Headers", "Authorization"),
                ],
            )),
            actual: None,
            kind: Some(PreflightMultipleAllowOriginValues),
            param: Some("https://app.example.com, https://other.example.com"),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "two Allow-Origin values on the actual",
            target: auth_get(),
            preflight: Some(good_preflight()),
            actual: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", ORIGIN),
                    ("Access-Control-Allow-Origin", ORIGIN),
                ],
            )),
            kind: Some(MultipleAllowOriginValues),
            param: Some("https://app.example.com, https://app.example.com"),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "credentials include, preflight Allow-Origin *",
            target: inc(),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Credentials", "true"),
                    ("Access-Control-Allow-Headers", "Authorization"),
                ],
            )),
            actual: None,
            kind: Some(PreflightWildcardOriginNotAllowed),
            param: None,
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "credentials include, no Allow-Credentials on the preflight",
            target: inc(),
            preflight: Some(good_preflight()),
            actual: None,
            kind: Some(PreflightInvalidAllowCredentials),
            param: Some(""),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "credentials include, no Allow-Credentials on the actual",
            target: inc(),
            preflight: Some(resp(
                200,
                &[
                    ("Access-Control-Allow-Origin", ORIGIN),
                    ("Access-Control-Allow-Credentials", "true"),
                    ("Access-Control-Allow-Headers", "Authorization"),
                ],
            )),
            actual: Some(ok_actual()),
            kind: Some(InvalidAllowCredentials),
            param: Some(""),
            outcome: Outcome::Blocked,
            hidden: Some(200),
        },
        Row {
            what: "preflight answered with a redirect",
            target: auth_get(),
            preflight: Some(resp(
                301,
                &[(
                    "Location",
                    "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items/",
                )],
            )),
            actual: None,
            kind: Some(PreflightDisallowedRedirect),
            param: None,
            outcome: Outcome::Blocked,
            hidden: Some(301),
        },
        Row {
            what: "simple GET, server 200",
            target: target("GET", &[]),
            preflight: None,
            actual: Some(ok_actual()),
            kind: None,
            param: None,
            outcome: Outcome::Allowed,
            hidden: None,
        },
    ];
    for status in [401, 429, 502, 504] {
        rows.push(Row {
            what: "actual error status without Allow-Origin",
            target: auth_get(),
            preflight: Some(good_preflight()),
            actual: Some(resp(status, &[("x-amzn-ErrorType", "X")])),
            kind: Some(MissingAllowOriginHeader),
            param: None,
            outcome: Outcome::Blocked,
            hidden: Some(status),
        });
    }
    for row in rows {
        let v = run(&row.target, row.preflight.as_ref(), row.actual.as_ref());
        assert_eq!(v.outcome, row.outcome, "{}: {v:?}", row.what);
        assert_eq!(
            v.cors_error.as_ref().map(|e| e.kind),
            row.kind,
            "{}",
            row.what
        );
        assert_eq!(
            v.cors_error
                .as_ref()
                .and_then(|e| e.failed_parameter.as_deref()),
            row.param,
            "{}",
            row.what
        );
        assert_eq!(v.hidden_status, row.hidden, "{}", row.what);
        if let Some(kind) = row.kind {
            let at = if kind.is_preflight() {
                FailedAt::Preflight
            } else {
                FailedAt::Actual
            };
            assert_eq!(v.failed_at, Some(at), "{}", row.what);
            assert!(
                v.console_message.is_some() && v.firefox_reason.is_some(),
                "{}",
                row.what
            );
        } else {
            assert_eq!(v.failed_at, None, "{}", row.what);
            assert_eq!(v.console_message, None, "{}", row.what);
        }
    }
    // Simple GET: no OPTIONS at all.
    assert!(!plan(&target("GET", &[])).required);
}

#[test]
fn transport_failures_are_network_errors_without_a_cors_error() {
    let t = auth_get();
    let p = plan(&t);
    let table = [
        (
            FailureKind::Connect,
            "connection refused (os error 111)",
            "ERR_CONNECTION_REFUSED",
        ),
        (
            FailureKind::Connect,
            "connection reset by peer",
            "ERR_CONNECTION_RESET",
        ),
        (
            FailureKind::Dns,
            "failed to lookup address information",
            "ERR_NAME_NOT_RESOLVED",
        ),
        (FailureKind::Timeout, "timed out", "ERR_TIMED_OUT"),
    ];
    for (kind, message, net) in table {
        let e = TransportError {
            kind,
            message: message.into(),
        };
        let v = verdict(
            &t,
            &p,
            Observed::Failed(&e),
            Observed::NotSent,
            Mode::ChromeToday,
        );
        assert_eq!(v.outcome, Outcome::NetworkError);
        assert_eq!(v.cors_error, None);
        assert_eq!(v.failed_at, Some(FailedAt::Preflight));
        assert_eq!(v.console_message, Some(format!("GET {URL} net::{net}")));
        assert_eq!(v.firefox_reason.as_deref(), Some("CORSDidNotSucceed"));
        // And on the actual request of a simple GET.
        let simple = target("GET", &[]);
        let v = verdict(
            &simple,
            &plan(&simple),
            Observed::NotSent,
            Observed::Failed(&e),
            Mode::Spec,
        );
        assert_eq!(
            (v.outcome, v.failed_at),
            (Outcome::NetworkError, Some(FailedAt::Actual))
        );
        assert_eq!(v.cors_error, None);
    }
}

#[test]
fn requests_not_sent_give_an_unknown_verdict() {
    let v = run(&auth_get(), None, None);
    assert_eq!(v.outcome, Outcome::NetworkError);
    assert_eq!(v.cors_error, None);
    assert_eq!(v.failed_at, Some(FailedAt::Preflight));
    assert_eq!(v.console_message, None);
    assert_eq!(v.warnings.len(), 1);
    let v = run(&auth_get(), Some(&good_preflight()), None);
    assert_eq!(
        (v.outcome, v.failed_at),
        (Outcome::NetworkError, Some(FailedAt::Actual))
    );
}

#[test]
fn redirects_of_the_actual_request() {
    let t = target("GET", &[]);
    // The redirect response itself fails the CORS check.
    let v = run(
        &t,
        None,
        Some(&resp(302, &[("Location", "https://login.example/")])),
    );
    assert_eq!(v.outcome, Outcome::Blocked);
    assert_eq!(
        v.cors_error,
        Some(err(CorsErrorKind::MissingAllowOriginHeader, None))
    );
    assert_eq!(v.hidden_status, Some(302));
    // Credentials in the Location.
    let v = run(
        &t,
        None,
        Some(&resp(
            307,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Location", "https://u:p@other.example/x"),
            ],
        )),
    );
    assert_eq!(
        v.cors_error,
        Some(err(CorsErrorKind::RedirectContainsCredentials, None))
    );
    // Chromium names no location (seen in tests/browser_differential.rs).
    assert_eq!(
        v.console_message.as_deref(),
        Some("Access to fetch at 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/items' from origin 'https://app.example.com' has been blocked by CORS policy: Redirect location '' contains a username and password, which is disallowed for cross-origin requests.")
    );
    // A passing redirect is not followed: unknown, with a warning naming the Location.
    let v = run(
        &t,
        None,
        Some(&resp(
            308,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Location", "/v2/items"),
            ],
        )),
    );
    assert_eq!(
        (v.outcome, v.failed_at, v.cors_error),
        (Outcome::NetworkError, Some(FailedAt::Actual), None)
    );
    assert!(
        v.warnings[0].contains("308 to '/v2/items'"),
        "{:?}",
        v.warnings
    );
    // A redirect status without Location is an ordinary response.
    let v = run(
        &t,
        None,
        Some(&resp(302, &[("Access-Control-Allow-Origin", "*")])),
    );
    assert_eq!(v.outcome, Outcome::Allowed);
}

// ---------------------------------------------------------------- messages

#[test]
fn exact_console_messages() {
    use CorsErrorKind::*;
    let prefix = format!(
        "Access to fetch at '{URL}' from origin '{ORIGIN}' has been blocked by CORS policy: "
    );
    let table = [
        (err(PreflightMissingAllowOriginHeader, None), "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."),
        (err(MissingAllowOriginHeader, None), "No 'Access-Control-Allow-Origin' header is present on the requested resource."),
        (err(PreflightInvalidStatus, None), "Response to preflight request doesn't pass access control check: It does not have HTTP ok status."),
        (err(AllowOriginMismatch, Some("https://x/")), "The 'Access-Control-Allow-Origin' header has a value 'https://x/' that is not equal to the supplied origin. Have the server send the header with a valid value."),
        (err(PreflightMultipleAllowOriginValues, Some("a, b")), "Response to preflight request doesn't pass access control check: The 'Access-Control-Allow-Origin' header contains multiple values 'a, b', but only one is allowed. Have the server send the header with a valid value."),
        (err(InvalidAllowOriginValue, Some("x.com")), "The 'Access-Control-Allow-Origin' header contains the invalid value 'x.com'. Have the server send the header with a valid value."),
        (err(PreflightWildcardOriginNotAllowed, None), "Response to preflight request doesn't pass access control check: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
        (err(InvalidAllowCredentials, Some("")), "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."),
        (err(PreflightDisallowedRedirect, None), "Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request."),
        (err(InvalidAllowHeadersPreflightResponse, None), "Cannot parse Access-Control-Allow-Headers response header field in preflight response."),
        (err(InvalidAllowMethodsPreflightResponse, None), "Cannot parse Access-Control-Allow-Methods response header field in preflight response."),
        (err(MethodDisallowedByPreflightResponse, Some("patch")), "Method patch is not allowed by Access-Control-Allow-Methods in preflight response."),
        (err(HeaderDisallowedByPreflightResponse, Some("authorization")), "Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response."),
        // Non-printable and non-ASCII bytes are escaped like Blink's EncodeHint.
        (err(AllowOriginMismatch, Some("https://é\u{1}")), "The 'Access-Control-Allow-Origin' header has a value 'https://\\u00C3\\u00A9\\u0001' that is not equal to the supplied origin. Have the server send the header with a valid value."),
    ];
    for (e, tail) in table {
        assert_eq!(e.console_tail(), tail, "{e}");
        assert_eq!(e.console_message(URL, ORIGIN), format!("{prefix}{tail}"));
    }
    // Through the verdict, with the values substituted.
    let v = run(&auth_get(), Some(&resp(403, &[])), None);
    assert_eq!(
        v.console_message.as_deref(),
        Some("Access to fetch at 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/items' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.")
    );
}

#[test]
fn firefox_reasons() {
    // A preflight with a bad status is "preflight did not succeed" in Firefox, whatever its
    // headers; with an ok status the Allow-Origin problem itself is reported.
    let v = run(&auth_get(), Some(&resp(403, &[])), None);
    assert_eq!(
        v.firefox_reason.as_deref(),
        Some("CORSPreflightDidNotSucceed")
    );
    let v = run(&auth_get(), Some(&resp(200, &[])), None);
    assert_eq!(v.firefox_reason.as_deref(), Some("CORSMissingAllowOrigin"));
    let v = run(&auth_get(), Some(&resp(302, &[("Location", "/x")])), None);
    assert_eq!(
        v.firefox_reason.as_deref(),
        Some("CORSExternalRedirectNotAllowed")
    );
    use CorsErrorKind::*;
    let table = [
        (MissingAllowOriginHeader, "CORSMissingAllowOrigin"),
        (AllowOriginMismatch, "CORSAllowOriginNotMatchingOrigin"),
        (
            MultipleAllowOriginValues,
            "CORSMultipleAllowOriginNotAllowed",
        ),
        (WildcardOriginNotAllowed, "CORSNotSupportingCredentials"),
        (InvalidAllowCredentials, "CORSMissingAllowCredentials"),
        (MethodDisallowedByPreflightResponse, "CORSMethodNotFound"),
        (
            HeaderDisallowedByPreflightResponse,
            "CORSMissingAllowHeaderFromPreflight",
        ),
        (
            InvalidAllowMethodsPreflightResponse,
            "CORSInvalidAllowMethod",
        ),
        (
            InvalidAllowHeadersPreflightResponse,
            "CORSInvalidAllowHeader",
        ),
        (PreflightInvalidStatus, "CORSPreflightDidNotSucceed"),
    ];
    for (kind, reason) in table {
        assert_eq!(kind.firefox_reason(), reason, "{kind}");
    }
}

#[test]
fn kind_names_match_serde_and_chromium() {
    for kind in CorsErrorKind::ALL {
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.name())
        );
        assert_eq!(CorsErrorKind::from_name(kind.name()), Some(kind));
        assert_eq!(
            kind.name().starts_with("Preflight"),
            kind.has_preflight_prefix()
        );
    }
    assert!(CorsErrorKind::HeaderDisallowedByPreflightResponse.is_preflight());
    assert!(!CorsErrorKind::HeaderDisallowedByPreflightResponse.has_preflight_prefix());
    assert!(!CorsErrorKind::RedirectContainsCredentials.is_preflight());
    let e = err(CorsErrorKind::AllowOriginMismatch, Some("x"));
    assert_eq!(e.name(), "AllowOriginMismatch");
    assert!(!e.is_preflight());
}

#[test]
fn headers_helper_is_reexported_shape() {
    // The plan's headers are usable by the probe layer as a `Headers`.
    let t = auth_get();
    let h: Headers = preflight_request_headers(&t, &plan(&t));
    assert_eq!(
        h.get("access-control-request-headers"),
        Some("authorization")
    );
    assert_eq!(h.get("origin"), Some(ORIGIN));
    assert!(!h.contains("authorization"));
}

#[test]
fn quoted_allow_headers_are_tokens_that_do_not_match() {
    // API Gateway mapping values keep their single quotes when mis-escaped: `'` is a token
    // character, so the list parses but `Authorization'` is not `authorization`.
    let t = auth_get();
    let r = resp(
        200,
        &[
            ("Access-Control-Allow-Origin", ORIGIN),
            (
                "Access-Control-Allow-Headers",
                "'Content-Type,Authorization'",
            ),
        ],
    );
    assert_eq!(
        check_preflight(&t, &plan(&t), &r, Mode::ChromeToday),
        Err(err(
            CorsErrorKind::HeaderDisallowedByPreflightResponse,
            Some("authorization")
        ))
    );
}
