//! Response side: the CORS check, the preflight check, the two modes.

use super::*;

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
