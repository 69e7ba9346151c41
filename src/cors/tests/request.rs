//! Request side: whether a preflight is needed, and the headers the browser sends.

use super::*;

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
