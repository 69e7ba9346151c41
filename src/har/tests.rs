use super::read::webkit_status;
use super::*;

fn entry_json(method: &str, url: &str, status: u16, extra_req: &str, extra: &str) -> String {
    format!(
        r#"{{"request":{{"method":"{method}","url":"{url}","headers":[{{"name":"Origin","value":"https://app.example.com"}}{extra_req}]}},
           "response":{{"status":{status},"statusText":"","headers":[],"content":{{"size":0,"mimeType":""}}}}{extra}}}"#
    )
}

fn har_of(entries: &[String]) -> String {
    format!(
        r#"{{"log":{{"version":"1.2","creator":{{"name":"WebInspector","version":"537.36"}},"entries":[{}]}}}}"#,
        entries.join(",")
    )
}

#[test]
fn a_chrome_har_is_read_with_its_custom_fields() {
    let text = har_of(&[
        entry_json(
            "POST",
            "https://api.example.com/items",
            0,
            "",
            r#","_resourceType":"fetch""#,
        )
        .replace(r#""content""#, r#""_error":"net::ERR_FAILED","content""#),
        entry_json(
            "OPTIONS",
            "https://api.example.com/items",
            403,
            r#",{"name":"Access-Control-Request-Method","value":"POST"}"#,
            r#","_resourceType":"preflight""#,
        ),
    ]);
    let har = parse(&text).unwrap();
    assert_eq!(har.shape, Shape::Chrome);
    assert_eq!(har.entries.len(), 2);
    let actual = har.entry(1).unwrap();
    assert!(actual.unanswered());
    assert_eq!(actual.response.error.as_deref(), Some("net::ERR_FAILED"));
    assert!(!actual.is_preflight());
    // Chrome lists the preflight after the request it was sent for.
    assert_eq!(har.preflight_for(actual).map(|p| p.number), Some(2));
    assert_eq!(har.cross_origin().count(), 1);
}

#[test]
fn the_shape_is_told_by_the_creator_or_by_the_entries_fields() {
    for (creator, shape) in [
        ("WebInspector", Shape::Chrome),
        ("Firefox", Shape::Firefox),
        ("WebKit Web Inspector", Shape::Safari),
        ("Charles Proxy", Shape::Other),
    ] {
        let text = format!(r#"{{"log":{{"creator":{{"name":"{creator}"}},"entries":[]}}}}"#);
        assert_eq!(parse(&text).unwrap().shape, shape, "{creator}");
    }
    let safari = r#"{"log":{"entries":[{"request":{"method":"GET","url":"https://a.example/"},"_fetchType":"Network Load"}]}}"#;
    assert_eq!(parse(safari).unwrap().shape, Shape::Safari);
    let firefox = r#"{"log":{"entries":[{"request":{"method":"GET","url":"https://a.example/"},"_securityState":"secure"}]}}"#;
    assert_eq!(parse(firefox).unwrap().shape, Shape::Firefox);
}

#[test]
fn the_page_origin_comes_from_origin_then_referer_then_the_page() {
    let text = r#"{"log":{"pages":[{"id":"p1","title":"https://page.example.com/app?x=1"}],"entries":[
        {"pageref":"p1","request":{"method":"GET","url":"https://api.example.com/a","headers":[{"name":"Origin","value":"https://o.example.com"},{"name":"Referer","value":"https://r.example.com/x"}]}},
        {"pageref":"p1","_resourceType":"fetch","request":{"method":"GET","url":"https://api.example.com/b","headers":[{"name":"Referer","value":"https://r.example.com/x"}]}},
        {"pageref":"p1","_resourceType":"xhr","request":{"method":"GET","url":"https://api.example.com/c","headers":[]}},
        {"request":{"method":"GET","url":"https://api.example.com/d","headers":[]}},
        {"pageref":"p1","request":{"method":"GET","url":"https://page.example.com/same","headers":[]}}
    ]}}"#;
    let har = parse(text).unwrap();
    let o = |n: usize| har.entry(n).unwrap().page_origin(&har);
    assert_eq!(
        o(1),
        Some(("https://o.example.com".into(), OriginFrom::OriginHeader))
    );
    assert_eq!(
        o(2),
        Some(("https://r.example.com".into(), OriginFrom::Referer))
    );
    assert_eq!(
        o(3),
        Some(("https://page.example.com".into(), OriginFrom::Page))
    );
    assert_eq!(o(4), None);
    // Same-origin requests and requests of unknown origin are not listed.
    let listed: Vec<usize> = har.cross_origin().map(|e| e.number).collect();
    assert_eq!(listed, vec![1, 2, 3]);
}

#[test]
fn a_truncated_file_keeps_the_entries_before_the_cut() {
    let full = har_of(&[
        entry_json("GET", "https://api.example.com/1", 200, "", ""),
        entry_json("GET", "https://api.example.com/2", 200, "", ""),
        entry_json("GET", "https://api.example.com/3", 200, "", ""),
    ]);
    let cut_at = full.find("api.example.com/3").unwrap();
    let har = parse(&full[..cut_at]).unwrap();
    assert_eq!(har.entries.len(), 2);
    let cut = har.cut.as_deref().unwrap();
    assert!(
        cut.contains("ends early") && cut.contains("after 2 entries"),
        "{cut}"
    );
    assert!(har.skipped_summary().unwrap().contains("after 2 entries"));
    // Cut before any entry: nothing usable, a clear error.
    let err = parse(&full[..20]).unwrap_err();
    assert!(matches!(err, HarError::NotJson(_)), "{err}");
}

#[test]
fn files_that_are_not_hars_are_refused_with_what_they_are() {
    assert_eq!(parse("").unwrap_err(), HarError::Empty);
    assert_eq!(parse("  \n").unwrap_err(), HarError::Empty);
    assert!(matches!(
        parse("curl https://x").unwrap_err(),
        HarError::NotJson(_)
    ));
    assert_eq!(
        parse(r#"{"openapi":"3.0.1"}"#).unwrap_err(),
        HarError::NotHar("it has no \"log\" object")
    );
    assert_eq!(
        parse(r#"{"log":{"version":"1.2"}}"#).unwrap_err(),
        HarError::NotHar("its \"log\" has no \"entries\" list")
    );
    assert!(parse("[1,2]").is_err());
    assert!(parse(r#"{"log":{"entries":{}}}"#).is_err());
    // A BOM is fine.
    assert!(parse("\u{feff}{\"log\":{\"entries\":[]}}").is_ok());
}

#[test]
fn bad_entries_are_skipped_by_number_without_quoting_their_values() {
    let text = har_of(&[
        entry_json("GET", "https://api.example.com/ok", 200, "", ""),
        r#"{"request":{"method":"GET","url":"https://api.example.com/x"},"response":{"status":"sekret-value-123"}}"#.to_string(),
        r#"{"response":{"status":200}}"#.to_string(),
        r#"{"request":{"method":"","url":"https://api.example.com/x"}}"#.to_string(),
        r#""not an object""#.to_string(),
        entry_json("GET", "https://api.example.com/ok2", 200, "", ""),
    ]);
    let har = parse(&text).unwrap();
    assert_eq!(
        har.entries.iter().map(|e| e.number).collect::<Vec<_>>(),
        vec![1, 6]
    );
    let skipped: Vec<usize> = har.skipped.iter().map(|s| s.number).collect();
    assert_eq!(skipped, vec![2, 3, 4, 5]);
    let summary = har.skipped_summary().unwrap();
    assert!(!summary.contains("sekret"), "{summary}");
    assert!(summary.contains("entry 3 (it has no request)"), "{summary}");
}

#[test]
fn binary_bodies_and_oversized_values_are_not_kept_and_say_so() {
    let big = "v".repeat(MAX_VALUE + 10);
    let text = har_of(&[format!(
        r#"{{"request":{{"method":"POST","url":"https://api.example.com/up","headers":[{{"name":"X-Big","value":"{big}"}},{{"name":":authority","value":"api.example.com"}}],
            "postData":{{"mimeType":"application/octet-stream","text":"a\u0000b"}}}},
           "response":{{"status":200,"headers":[],"content":{{"mimeType":"image/png","encoding":"base64","text":"iVBORw0KGgo="}}}}}}"#
    )]);
    let har = parse(&text).unwrap();
    let e = har.entry(1).unwrap();
    assert!(e.request.body.as_ref().unwrap().binary);
    assert!(e.request.body.as_ref().unwrap().text.is_empty());
    assert!(e.response.body.as_ref().unwrap().binary);
    assert_eq!(e.request.headers.len(), 1, "pseudo-headers are dropped");
    assert_eq!(e.request.headers[0].value.len(), MAX_VALUE);
    let notes = e.notes.join("; ");
    assert!(notes.contains("binary"), "{notes}");
    assert!(notes.contains("cut to"), "{notes}");
}

#[test]
fn safari_failure_text_gives_the_hidden_status() {
    assert_eq!(
        webkit_status(
            "Origin https://a is not allowed by Access-Control-Allow-Origin. Status code: 403"
        ),
        Some(403)
    );
    assert_eq!(webkit_status("Could not connect to the server."), None);
    assert_eq!(webkit_status("Status code: 99999"), None);
}

#[test]
fn fifty_thousand_entries_are_read_and_bounded() {
    let one = entry_json("GET", "https://api.example.com/item", 200, "", "");
    let entries: Vec<String> = (0..50_000).map(|_| one.clone()).collect();
    let text = har_of(&entries);
    let har = parse(&text).unwrap();
    assert_eq!(har.entries.len(), 50_000);
    assert_eq!(har.over_limit, 0);
    assert_eq!(har.entries.last().unwrap().number, 50_000);
}

#[test]
fn headers_past_the_limit_are_counted() {
    let headers: Vec<String> = (0..MAX_HEADERS + 5)
        .map(|i| format!(r#"{{"name":"x-h{i}","value":"v"}}"#))
        .collect();
    let text = format!(
        r#"{{"log":{{"entries":[{{"request":{{"method":"GET","url":"https://a.example/","headers":[{}]}}}}]}}}}"#,
        headers.join(",")
    );
    let har = parse(&text).unwrap();
    let e = har.entry(1).unwrap();
    assert_eq!(e.request.headers.len(), MAX_HEADERS);
    assert!(e.notes.iter().any(|n| n.contains("5 request headers")));
}

#[test]
fn no_cors_loads_are_not_cors_requests() {
    let text = r#"{"log":{"pages":[{"id":"p","title":"https://app.example.com/"}],"entries":[
        {"pageref":"p","_resourceType":"image","request":{"method":"GET","url":"https://cdn.example.net/a.png","headers":[]}},
        {"pageref":"p","_resourceType":"script","request":{"method":"GET","url":"https://cdn.example.net/a.js","headers":[]}},
        {"pageref":"p","_resourceType":"font","request":{"method":"GET","url":"https://cdn.example.net/a.woff2","headers":[{"name":"Origin","value":"https://app.example.com"}]}},
        {"pageref":"p","_resourceType":"fetch","request":{"method":"POST","url":"https://api.example.com/x","headers":[]}},
        {"pageref":"p","request":{"method":"GET","url":"https://api.example.com/y","headers":[]}}
    ]}}"#;
    let har = parse(text).unwrap();
    let listed: Vec<usize> = har.cross_origin().map(|e| e.number).collect();
    // The CORS-mode font and the fetch (whose failed record lacks Origin); not the image, the
    // script, nor a GET with no sign of CORS mode.
    assert_eq!(listed, vec![3, 4]);
}
