use super::*;
use crate::paste::PasteKind;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/paste/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_paste_fills_what_the_flags_leave_out() {
    let (args, line) = TargetArgs::default()
        .with_paste(PasteKind::Curl, &fixture("chrome120_bash_post.txt"))
        .unwrap();
    let plan = args.resolve(&Config::default()).unwrap();
    let t = &plan.target;
    assert_eq!(t.method, "POST");
    assert_eq!(t.origin.to_string(), "https://app.example.com");
    assert_eq!(t.credentials, CredentialsMode::Include);
    assert_eq!(t.body.as_deref(), Some(r#"{"name":"widget","qty":2}"#));
    assert!(t.url.as_str().ends_with("/prod/items?page=2"));
    assert!(line.starts_with("from the pasted curl command: the URL, method POST, headers accept-language, authorization, content-type, cookie, x-request-id (values masked)"), "{line}");
    assert!(!line.contains("PASTE-TOKEN-SECRET") && !line.contains("PASTE-COOKIE-SECRET"));
    // Pasted secrets are the target's secrets, masked like -H values.
    let secrets = args.secrets(&Config::default());
    let shown = secrets
        .mask("Bearer eyJhbGciOiJIUzI1NiJ9.PASTE-TOKEN-SECRET.c2ln session=PASTE-COOKIE-SECRET");
    assert!(
        !shown.contains("PASTE-TOKEN-SECRET") && !shown.contains("PASTE-COOKIE-SECRET"),
        "{shown}"
    );
}

#[test]
fn flags_given_beside_the_paste_win() {
    let given = TargetArgs {
        origin: Some("https://other.example.com".into()),
        method: Some("PUT".into()),
        headers: vec!["Content-Type: text/plain".into()],
        credentials: Some("omit".into()),
        body: Some("x=1".into()),
        ..TargetArgs::default()
    };
    let (args, line) = given
        .with_paste(PasteKind::Fetch, &fixture("chrome120_fetch.txt"))
        .unwrap();
    let plan = args.resolve(&Config::default()).unwrap();
    let t = &plan.target;
    assert_eq!(t.method, "PUT");
    assert_eq!(t.origin.to_string(), "https://other.example.com");
    assert_eq!(t.credentials, CredentialsMode::Omit);
    assert_eq!(t.body.as_deref(), Some("x=1"));
    let content_types: Vec<&str> = t
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v)
        .collect();
    assert_eq!(content_types, ["text/plain"]);
    assert!(t.headers.iter().any(|(n, _)| n == "authorization"));
    assert!(
        line.contains("the flags given win: -X, -H, -d, --credentials, --origin"),
        "{line}"
    );
}

#[test]
fn a_pasted_body_starting_with_at_is_not_read_as_a_file() {
    let e = TargetArgs::default()
        .with_paste(PasteKind::Curl, "curl http://h/x --data-raw '@/etc/passwd'")
        .unwrap_err();
    assert!(matches!(e, PlanError::PasteBodyAt(_)), "{e}");
    let (_, line) = TargetArgs::default()
        .with_paste(
            PasteKind::Fetch,
            "fetch('http://h/x', {mode: 'no-cors', method: 'POST'})",
        )
        .unwrap();
    assert!(line.contains("mode \"no-cors\""), "{line}");
    let e = TargetArgs {
        body: Some("@-".into()),
        ..TargetArgs::default()
    }
    .with_paste(PasteKind::Curl, "-")
    .unwrap_err();
    assert!(matches!(e, PlanError::PasteStdinTwice(_)), "{e}");
    let e = TargetArgs::default()
        .with_paste(PasteKind::Curl, "curl http://h/x -H 'Origin: null'")
        .unwrap_err();
    assert!(matches!(e, PlanError::PasteNullOrigin(_)), "{e}");
    let given = TargetArgs {
        origin: Some("https://app.example.com".into()),
        ..TargetArgs::default()
    };
    assert!(given
        .with_paste(PasteKind::Curl, "curl http://h/x -H 'Origin: null'")
        .is_ok());
    let (_, line) = TargetArgs::default()
        .with_paste(PasteKind::Fetch, "fetch('http://h/x')")
        .unwrap();
    assert!(
        line.contains("no origin (it has no Origin or Referer header)"),
        "{line}"
    );
}
