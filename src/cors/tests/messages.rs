//! Console messages, Firefox reasons and error names.

use super::*;

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
