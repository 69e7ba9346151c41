use super::*;

fn har(entries: &str, creator: &str) -> Har {
    crate::har::parse(&format!(
        r#"{{"log":{{"creator":{{"name":"{creator}"}},"entries":[{entries}]}}}}"#
    ))
    .unwrap()
}

const URL: &str = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items";

fn post(status: u16, extra_headers: &str, response: &str) -> String {
    format!(
        r#"{{"request":{{"method":"POST","url":"{URL}","headers":[
            {{"name":"Origin","value":"https://app.example.com"}},
            {{"name":"User-Agent","value":"Mozilla/5.0"}},
            {{"name":"sec-fetch-mode","value":"cors"}},
            {{"name":"Content-Type","value":"application/json"}}{extra_headers}],
            "postData":{{"mimeType":"application/json","text":"{{\"a\":1}}"}}}},
          "response":{{"status":{status},"headers":[{response}]}}}}"#
    )
}

fn preflight(status: u16, response: &str) -> String {
    format!(
        r#"{{"_resourceType":"preflight","request":{{"method":"OPTIONS","url":"{URL}","headers":[
            {{"name":"Origin","value":"https://app.example.com"}},
            {{"name":"Access-Control-Request-Method","value":"POST"}},
            {{"name":"Access-Control-Request-Headers","value":"content-type"}}]}},
          "response":{{"status":{status},"headers":[{response}]}}}}"#
    )
}

const GOOD_PREFLIGHT: &str = r#"{"name":"Access-Control-Allow-Origin","value":"https://app.example.com"},{"name":"Access-Control-Allow-Methods","value":"POST"},{"name":"Access-Control-Allow-Headers","value":"content-type"},{"name":"x-amzn-RequestId","value":"r"}"#;
const ALLOWED: &str = r#"{"name":"Access-Control-Allow-Origin","value":"https://app.example.com"},{"name":"x-amzn-RequestId","value":"r"}"#;

#[test]
fn the_request_is_what_the_page_set_and_its_origin() {
    let h = har(&post(201, "", ALLOWED), "WebInspector");
    let r = recorded(&h, h.entry(1).unwrap(), &ReadOptions::default()).unwrap();
    assert_eq!(r.target.origin, "https://app.example.com");
    assert_eq!(r.target.method, "POST");
    assert_eq!(r.target.body.as_deref(), Some("{\"a\":1}"));
    let names: Vec<String> = r
        .target
        .headers
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(names, vec!["Content-Type"]);
    assert!(r.dropped.contains(&"user-agent".to_string()));
    assert_eq!(r.target.credentials, CredentialsMode::SameOrigin);
    // No preflight recorded although one is needed: a NotRecorded preflight, and the
    // answered actual request proves it passed.
    let pf = r
        .exchanges
        .iter()
        .find(|x| x.kind == ExchangeKind::Preflight)
        .unwrap();
    assert_eq!(pf.error.as_ref().unwrap().kind, FailureKind::NotRecorded);
    assert_eq!(
        engine_verdict(&r, Mode::ChromeToday).outcome,
        Outcome::Allowed
    );
    let bare = r
        .exchanges
        .iter()
        .find(|x| x.kind == ExchangeKind::NoOrigin)
        .unwrap();
    assert!(!bare.request.headers.contains("origin"));
    assert_eq!(bare.error.as_ref().unwrap().kind, FailureKind::NotRecorded);
}

#[test]
fn cookies_mean_credentials_include_unless_told() {
    let h = har(
        &post(
            201,
            r#",{"name":"Cookie","value":"sid=abcdefgh12345"}"#,
            ALLOWED,
        ),
        "WebInspector",
    );
    let e = h.entry(1).unwrap();
    let r = recorded(&h, e, &ReadOptions::default()).unwrap();
    assert_eq!(r.target.credentials, CredentialsMode::Include);
    let opts = ReadOptions {
        credentials: Some(CredentialsMode::Omit),
        ..ReadOptions::default()
    };
    assert_eq!(
        recorded(&h, e, &opts).unwrap().target.credentials,
        CredentialsMode::Omit
    );
}

#[test]
fn a_recorded_preflight_is_judged_and_listed_first_when_it_fails() {
    let entries = [
        post(201, "", ALLOWED),
        preflight(200, GOOD_PREFLIGHT),
        post(0, "", "").replace(r#""headers":[]}"#, r#""headers":[],"_error":"net::ERR_FAILED"}"#),
        preflight(
            403,
            r#"{"name":"x-amzn-ErrorType","value":"MissingAuthenticationTokenException"},{"name":"x-amzn-RequestId","value":"r"}"#,
        ),
    ]
    .join(",");
    let h = har(&entries, "WebInspector");
    let list = list(&h, &ReadOptions::default(), Mode::ChromeToday);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].number, 3, "the failure first");
    assert!(list[0].failed);
    assert_eq!(list[0].verdict.outcome, Outcome::Blocked);
    assert_eq!(list[0].preflight_entry, Some(4));
    assert_eq!(list[0].browser_error.as_deref(), Some("net::ERR_FAILED"));
    assert_eq!(list[1].number, 1);
    assert_eq!(list[1].verdict.outcome, Outcome::Allowed);
    assert_eq!(list[1].preflight_entry, Some(2));
}

#[test]
fn recorded_failures_are_network_errors_or_hidden_answers() {
    assert_eq!(
        network_failure("net::ERR_NAME_NOT_RESOLVED"),
        FailureKind::Dns
    );
    assert_eq!(
        network_failure("net::ERR_CONNECTION_REFUSED"),
        FailureKind::Connect
    );
    assert_eq!(
        network_failure("A server with the specified hostname could not be found."),
        FailureKind::Dns
    );
    assert_eq!(
        network_failure("net::ERR_CERT_AUTHORITY_INVALID"),
        FailureKind::Tls
    );
    assert_eq!(network_failure("net::ERR_FAILED"), FailureKind::NotRecorded);
    assert_eq!(
        network_failure(
            "Origin https://a is not allowed by Access-Control-Allow-Origin. Status code: 403"
        ),
        FailureKind::NotRecorded
    );
}

#[test]
fn entries_that_cannot_be_diagnosed_say_why() {
    let entries = [
        preflight(200, GOOD_PREFLIGHT),
        post(201, "", ALLOWED).replace("https://app.example.com", "null"),
        post(201, "", ALLOWED).replace(
            r#"{"name":"Origin","value":"https://app.example.com"},"#,
            "",
        ),
    ]
    .join(",");
    let h = har(&entries, "Firefox");
    let o = ReadOptions::default();
    assert_eq!(
        recorded(&h, h.entry(1).unwrap(), &o).unwrap_err(),
        RecordedError::Preflight(1)
    );
    assert_eq!(
        recorded(&h, h.entry(2).unwrap(), &o).unwrap_err(),
        RecordedError::NullOrigin(2)
    );
    assert_eq!(
        recorded(&h, h.entry(3).unwrap(), &o).unwrap_err(),
        RecordedError::NoOrigin(3)
    );
    let with_origin = ReadOptions {
        origin: Some("https://app.example.com".into()),
        ..ReadOptions::default()
    };
    assert!(recorded(&h, h.entry(3).unwrap(), &with_origin).is_ok());
}

#[test]
fn an_origin_given_lists_requests_whose_page_is_unknown() {
    // Chrome's record of a fetch() that lacks its Origin header (and names no page).
    let entries = post(201, "", ALLOWED)
        .replace(
            r#"{"name":"Origin","value":"https://app.example.com"},"#,
            "",
        )
        .replacen("{", r#"{"_resourceType":"fetch","#, 1);
    let h = har(&entries, "WebInspector");
    assert!(list(&h, &ReadOptions::default(), Mode::ChromeToday).is_empty());
    let given = ReadOptions {
        origin: Some("https://app.example.com".into()),
        ..ReadOptions::default()
    };
    let l = list(&h, &given, Mode::ChromeToday);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].origin, "https://app.example.com");
}
