//! Unit tests of `redact`.

use super::*;

#[test]
fn secret_headers_are_masked_keeping_what_helps() {
    assert_eq!(
        header_value("Authorization", "Bearer abc.def"),
        "Bearer ****"
    );
    assert_eq!(header_value("x-api-key", "k3y"), "****");
    assert_eq!(
        header_value("Cookie", "sid=1; theme=dark"),
        "sid=****; theme=****"
    );
    assert_eq!(
        header_value("set-cookie", "sid=1; Secure; SameSite=None"),
        "sid=****; Secure; SameSite=None"
    );
    assert_eq!(
        header_value("content-type", "application/json"),
        "application/json"
    );
    assert_eq!(header_value("X-Amz-Security-Token", "FQo..."), "****");
}

#[test]
fn urls_and_text_are_masked() {
    assert_eq!(
        url("https://u:p@h.example/a?api_key=1&x=2"),
        "https://****:****@h.example/a?api_key=****&x=2"
    );
    assert_eq!(text("key AKIAIOSFODNN7EXAMPLE leaked"), "key **** leaked");
    assert_eq!(text("token eyJhbGciOi.eyJzdWIiOiIx.sig"), "token ****");
    // User names and fragment tokens too.
    assert_eq!(
        url("https://tok3nUser@h.example/a#access_token=FRAG&state=1"),
        "https://****@h.example/a#access_token=****&state=1"
    );
    // Input that does not parse is masked by the same rules.
    let bad = url("https://u:SECRETPW@h ex/a?api_key=QSECRET#id_token=FSECRET");
    for s in ["SECRETPW", "QSECRET", "FSECRET"] {
        assert!(!bad.contains(s), "{bad}");
    }
    assert_eq!(
        url_without_secrets("https://u:p@h.example/a?api_key=1&x=2#access_token=3"),
        "https://h.example/a?api_key=&x=2"
    );
}

#[test]
fn secrets_are_masked_by_value_in_any_text() {
    let mut s = Secrets::new();
    s.add_header("Authorization", "Bearer CANARYTOKEN123");
    s.add_header("Authorization", "Basic dXNlcjpodW50ZXIy"); // user:hunter2
    s.add_url("https://alice:PASSWORD9@h.example/?api_key=KEY%2FVALUE#access_token=FRAGTOK");
    s.add_header("Cookie", "sid=COOKIEVAL; theme=dark");
    s.add_body(r#"{"user":{"password":"bodypass1"}}"#);
    let echoed = "echo CANARYTOKEN123 x-echo: Basic dXNlcjpodW50ZXIy (hunter2) PASSWORD9 KEY/VALUE KEY%2FVALUE FRAGTOK COOKIEVAL bodypass1";
    let masked = s.mask(echoed);
    for secret in [
        "CANARYTOKEN123",
        "dXNlcjpodW50ZXIy",
        "hunter2",
        "PASSWORD9",
        "KEY/VALUE",
        "KEY%2FVALUE",
        "FRAGTOK",
        "COOKIEVAL",
        "bodypass1",
    ] {
        assert!(!masked.contains(secret), "{secret}: {masked}");
    }
    // Short values only as whole words; tiny ones never.
    let mut s = Secrets::new();
    s.add("abc");
    s.add("hunt");
    assert_eq!(s.mask("abc hunt hunting"), "abc **** hunting");
    // In every string of a structure; a secret equal to a field name leaves it readable.
    let mut s = Secrets::new();
    s.add("CANARYTOKEN123");
    s.add("status");
    let v = serde_json::json!({"a": ["x CANARYTOKEN123"], "b": {"c": "CANARYTOKEN123"}, "status": "status"});
    let masked: serde_json::Value = s.masked(&v).unwrap();
    assert!(!masked.to_string().contains("CANARY"), "{masked}");
    assert_eq!(masked["status"], "****");
    // A secret equal to an enum value leaves the value readable as its type.
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Outcome {
        Blocked,
    }
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct R {
        outcome: Outcome,
        text: String,
    }
    let mut s = Secrets::new();
    s.add("blocked");
    let r = R {
        outcome: Outcome::Blocked,
        text: "x blocked y".into(),
    };
    let m = s.masked(&r).unwrap();
    assert_eq!(m.outcome, Outcome::Blocked);
    assert_eq!(m.text, "x **** y");
}

#[test]
fn malformed_header_arguments_still_give_their_secrets() {
    let mut s = Secrets::new();
    s.add_header_arg("Authorization Bearer MALFORMEDTOKEN");
    assert_eq!(s.mask("x MALFORMEDTOKEN"), "x ****");
    let s = Secrets::from_argv(["check".into(), "Bearer ARGVTOKEN99".into()]);
    assert_eq!(
        s.mask("unexpected 'Bearer ARGVTOKEN99'"),
        "unexpected 'Bearer ****'"
    );
}

#[test]
fn control_characters_are_escaped() {
    assert_eq!(
        escape_controls("a\x1b[2Jb\u{9b}c\nd\te"),
        "a\\u{1b}[2Jb\\u{9b}c\nd\te"
    );
    assert_eq!(escape_controls("plain"), "plain");
}
