//! Every row of the table of what a real Chromium 156 did, plus transport failures and redirects.

use super::*;

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
    assert_eq!(v.outcome, Outcome::Unknown);
    assert_eq!(v.cors_error, None);
    assert_eq!(v.failed_at, Some(FailedAt::Preflight));
    assert_eq!(v.console_message, None);
    assert_eq!(v.warnings.len(), 1);
    let v = run(&auth_get(), Some(&good_preflight()), None);
    assert_eq!(
        (v.outcome, v.failed_at),
        (Outcome::Unknown, Some(FailedAt::Actual))
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
    // Chromium names no location (seen in tests/it/browser_differential/).
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
        (Outcome::Unknown, Some(FailedAt::Actual), None)
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
