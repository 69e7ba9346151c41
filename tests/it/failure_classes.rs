//! Every failure class of the foundation issue, diagnosed through the real binary against an
//! in-process server that answers like API Gateway.

use crate::common;

use std::time::Duration;

use common::{check_json, codes, Canned, FakeGateway};

const ORIGIN: &str = "https://app.example.com";

struct Case {
    name: &'static str,
    gateway: FakeGateway,
    flags: Vec<&'static str>,
    exit: i32,
    first_failing: Option<u64>,
    codes: Vec<&'static str>,
    cors_error: Option<&'static str>,
    hidden_status: Option<u64>,
}

fn authz() -> Vec<&'static str> {
    vec![
        "-H",
        "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    ]
}

fn cases() -> Vec<Case> {
    let good_pf =
        || Canned::good_preflight(ORIGIN, "GET,PUT,OPTIONS", "authorization,content-type");
    let ok_actual = || {
        Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .h("Vary", "Origin")
            .body("{\"items\":[]}")
    };
    vec![
        Case {
            name: "OPTIONS missing",
            gateway: FakeGateway {
                preflight: Canned::gateway(
                    403,
                    "MissingAuthenticationTokenException",
                    "Missing Authentication Token",
                ),
                actual: ok_actual(),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(3),
            codes: vec!["OPTIONS_MISSING", "BROWSER_BLOCKED"],
            cors_error: Some("PreflightMissingAllowOriginHeader"),
            hidden_status: Some(403),
        },
        Case {
            name: "authorizer on OPTIONS",
            gateway: FakeGateway {
                preflight: Canned::gateway(401, "UnauthorizedException", "Unauthorized"),
                actual: ok_actual(),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(4),
            codes: vec!["OPTIONS_AUTHORIZED"],
            cors_error: Some("PreflightMissingAllowOriginHeader"),
            hidden_status: Some(401),
        },
        Case {
            name: "API key on OPTIONS",
            gateway: FakeGateway {
                preflight: Canned::gateway(403, "ForbiddenException", "Forbidden"),
                actual: ok_actual(),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(4),
            codes: vec!["OPTIONS_API_KEY_REQUIRED"],
            cors_error: Some("PreflightMissingAllowOriginHeader"),
            hidden_status: Some(403),
        },
        Case {
            name: "OPTIONS without mapped CORS headers",
            gateway: FakeGateway {
                preflight: Canned::integration(200),
                actual: ok_actual(),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(5),
            codes: vec!["PREFLIGHT_CORS_HEADERS"],
            cors_error: Some("PreflightMissingAllowOriginHeader"),
            hidden_status: Some(200),
        },
        Case {
            name: "Allow-Headers lacks Authorization",
            gateway: FakeGateway {
                preflight: Canned::good_preflight(ORIGIN, "GET,OPTIONS", "content-type,x-api-key"),
                actual: ok_actual(),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(5),
            codes: vec!["PREFLIGHT_CORS_HEADERS"],
            cors_error: Some("HeaderDisallowedByPreflightResponse"),
            hidden_status: Some(200),
        },
        Case {
            name: "method not allowed",
            gateway: FakeGateway {
                preflight: Canned::good_preflight(ORIGIN, "GET,POST,OPTIONS", "content-type"),
                actual: ok_actual(),
                bare: None,
            },
            flags: vec!["-X", "PUT"],
            exit: 1,
            first_failing: Some(5),
            codes: vec!["PREFLIGHT_CORS_HEADERS"],
            cors_error: Some("MethodDisallowedByPreflightResponse"),
            hidden_status: Some(200),
        },
        Case {
            name: "Allow-Origin with a trailing slash",
            gateway: FakeGateway {
                preflight: Canned::good_preflight(
                    "https://app.example.com/",
                    "GET,OPTIONS",
                    "authorization",
                ),
                actual: ok_actual(),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(5),
            codes: vec!["PREFLIGHT_CORS_HEADERS"],
            cors_error: Some("PreflightAllowOriginMismatch"),
            hidden_status: Some(200),
        },
        Case {
            name: "wildcard with credentials",
            gateway: FakeGateway {
                preflight: Canned::good_preflight("*", "GET,OPTIONS", "authorization")
                    .h("Access-Control-Allow-Credentials", "true"),
                actual: ok_actual().h("Access-Control-Allow-Credentials", "true"),
                bare: None,
            },
            flags: vec![
                "-H",
                "Authorization: Bearer abc",
                "--credentials",
                "include",
            ],
            exit: 1,
            first_failing: Some(5),
            codes: vec!["PREFLIGHT_CORS_HEADERS", "CORS_SECURITY_RISK"],
            cors_error: Some("PreflightWildcardOriginNotAllowed"),
            hidden_status: Some(200),
        },
        Case {
            name: "duplicated Allow-Origin",
            gateway: FakeGateway {
                preflight: good_pf(),
                actual: ok_actual().h("Access-Control-Allow-Origin", ORIGIN),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(5),
            codes: vec!["ACTUAL_CORS_HEADERS"],
            cors_error: Some("MultipleAllowOriginValues"),
            hidden_status: Some(200),
        },
        Case {
            name: "Lambda proxy without Allow-Origin",
            gateway: FakeGateway {
                preflight: good_pf(),
                actual: Canned::integration(200).body("{}"),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(5),
            codes: vec!["ACTUAL_CORS_HEADERS"],
            cors_error: Some("MissingAllowOriginHeader"),
            hidden_status: Some(200),
        },
        Case {
            name: "simple request without Allow-Origin",
            gateway: FakeGateway {
                preflight: Canned::gateway(
                    403,
                    "MissingAuthenticationTokenException",
                    "Missing Authentication Token",
                ),
                actual: Canned::integration(200),
                bare: None,
            },
            flags: vec![],
            exit: 1,
            first_failing: Some(5),
            codes: vec!["NO_PREFLIGHT", "ACTUAL_CORS_HEADERS"],
            cors_error: Some("MissingAllowOriginHeader"),
            hidden_status: Some(200),
        },
        Case {
            name: "429 throttling without CORS headers",
            gateway: FakeGateway {
                preflight: good_pf(),
                actual: Canned::gateway(429, "TooManyRequestsException", "Too Many Requests"),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(1),
            codes: vec!["FAILS_WITHOUT_BROWSER", "GATEWAY_RESPONSE_NO_CORS"],
            cors_error: Some("MissingAllowOriginHeader"),
            hidden_status: Some(429),
        },
        Case {
            name: "403 gateway error (API key on the real method) without CORS headers",
            gateway: FakeGateway {
                preflight: good_pf(),
                actual: Canned::gateway(403, "ForbiddenException", "Forbidden"),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(1),
            codes: vec!["FAILS_WITHOUT_BROWSER", "GATEWAY_RESPONSE_NO_CORS"],
            cors_error: Some("MissingAllowOriginHeader"),
            hidden_status: Some(403),
        },
        Case {
            name: "429 throttling of a simple request",
            gateway: FakeGateway {
                preflight: good_pf(),
                actual: Canned::gateway(429, "TooManyRequestsException", "Too Many Requests"),
                bare: None,
            },
            flags: vec![],
            exit: 1,
            first_failing: Some(1),
            codes: vec!["FAILS_WITHOUT_BROWSER", "GATEWAY_RESPONSE_NO_CORS"],
            cors_error: Some("MissingAllowOriginHeader"),
            hidden_status: Some(429),
        },
        Case {
            name: "backend 500 that is not a CORS problem",
            gateway: FakeGateway {
                preflight: good_pf(),
                actual: Canned::integration(500)
                    .h("Access-Control-Allow-Origin", ORIGIN)
                    .h("Vary", "Origin"),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(1),
            codes: vec!["FAILS_WITHOUT_BROWSER", "BROWSER_ALLOWED"],
            cors_error: None,
            hidden_status: None,
        },
        Case {
            name: "redirected preflight",
            gateway: FakeGateway {
                preflight: Canned::new(301).h("Location", "https://api.example.com/prod/items/"),
                actual: ok_actual(),
                bare: None,
            },
            flags: authz(),
            exit: 1,
            first_failing: Some(3),
            codes: vec!["PREFLIGHT_REDIRECTED"],
            cors_error: Some("PreflightDisallowedRedirect"),
            hidden_status: Some(301),
        },
        Case {
            name: "healthy API",
            gateway: FakeGateway {
                preflight: good_pf(),
                actual: ok_actual(),
                bare: None,
            },
            flags: authz(),
            exit: 0,
            first_failing: None,
            codes: vec!["PREFLIGHT_REQUIRED", "BROWSER_ALLOWED"],
            cors_error: None,
            hidden_status: None,
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_class_is_diagnosed_through_the_binary() {
    let mut failures = Vec::new();
    for case in cases() {
        let server = case.gateway.start(Duration::ZERO).await;
        let url = format!("{}/prod/items", server.base_url());
        let mut flags = vec![url.as_str(), "--origin", ORIGIN];
        flags.extend(case.flags.iter().copied());
        let (code, report, raw) = check_json(&flags).await;
        let got_codes = codes(&report);
        let mut problems = Vec::new();
        if code != case.exit {
            problems.push(format!("exit {code}, want {}", case.exit));
        }
        if report["first_failing_step"].as_u64() != case.first_failing {
            problems.push(format!(
                "first_failing_step {}, want {:?}",
                report["first_failing_step"], case.first_failing
            ));
        }
        for want in &case.codes {
            if !got_codes.iter().any(|c| c == want) {
                problems.push(format!("missing code {want} (got {got_codes:?})"));
            }
        }
        if report["browser"]["cors_error"].as_str() != case.cors_error {
            problems.push(format!(
                "cors_error {}, want {:?}",
                report["browser"]["cors_error"], case.cors_error
            ));
        }
        if report["browser"]["hidden_status"].as_u64() != case.hidden_status {
            problems.push(format!(
                "hidden_status {}, want {:?}",
                report["browser"]["hidden_status"], case.hidden_status
            ));
        }
        if report["steps"].as_array().map(Vec::len) != Some(7) {
            problems.push("the report does not have seven steps".to_string());
        }
        problems.extend(unbacked_passes(&report));
        if raw.contains("c2lnbmF0dXJl") {
            problems.push("the Authorization token leaked into the output".to_string());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}:\n  {}\n{}",
                case.name,
                problems.join("\n  "),
                raw
            ));
        }
        server.shutdown().await;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// An API that reflects whatever Origin it is sent is flagged (it works, but any site can call it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_that_reflects_any_origin_is_a_security_warning() {
    use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
    use std::sync::Arc;
    let reflect = Arc::new(|req: HttpRequest| {
        let mut headers = Headers::new()
            .with("x-amzn-RequestId", "r")
            .with("x-amz-apigw-id", "i");
        if let Some(origin) = req.headers.get("origin") {
            headers.push("Access-Control-Allow-Origin", origin.to_string());
            headers.push("Access-Control-Allow-Credentials", "true");
            headers.push("Vary", "Origin");
        }
        if req.method == "OPTIONS" {
            headers.push("Access-Control-Allow-Methods", "GET,OPTIONS");
            headers.push("Access-Control-Allow-Headers", "authorization");
        }
        HttpResponse {
            status: 200,
            headers,
            body: Vec::new(),
        }
    });
    let server = cors_doctor::sim::SimServer::start(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        reflect,
        Duration::ZERO,
    )
    .await
    .unwrap();
    let url = format!("{}/prod/me", server.base_url());
    let (code, report, raw) = check_json(&[
        &url,
        "--origin",
        ORIGIN,
        "-H",
        "Authorization: Bearer t",
        "--credentials",
        "include",
    ])
    .await;
    assert_eq!(code, 0, "allowed, only a warning: {raw}");
    assert_eq!(report["browser"]["outcome"], "allowed", "{raw}");
    let step5 = &report["steps"][4];
    assert_eq!(step5["status"], "warn", "{raw}");
    let risk = step5["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CORS_SECURITY_RISK")
        .expect("a security finding");
    assert!(
        risk["message"]
            .as_str()
            .unwrap()
            .contains("reflects any origin"),
        "{raw}"
    );
    let foreign = report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "foreign-origin")
        .expect("the lint's exchange");
    assert_eq!(foreign["request"]["method"], "OPTIONS");
    server.shutdown().await;
}

/// The steps that say `pass` although the evidence they rest on (the diagnosis's own table,
/// `diagnose::STEP_INPUTS`) is missing: an exchange never sent or never answered, or, for
/// step 5 (the integration's CORS headers), an answer API Gateway produced itself.
fn unbacked_passes(report: &serde_json::Value) -> Vec<String> {
    let preflight_required = report["browser"]["preflight_required"].as_bool() == Some(true);
    let chromium = report["browser"]["source"] == "chromium";
    let mut out = Vec::new();
    for step in report["steps"].as_array().into_iter().flatten() {
        if step["status"] != "pass" {
            continue;
        }
        let number = step["number"].as_u64().unwrap_or(0) as u8;
        let inputs = cors_doctor::diagnose::step_inputs(number);
        if inputs.browser && chromium {
            continue;
        }
        for kind in inputs.pass_needs {
            if *kind == cors_doctor::evidence::ExchangeKind::Preflight && !preflight_required {
                continue;
            }
            let label = kind.label();
            let x = report["exchanges"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|x| x["kind"] == label);
            let status = x.and_then(|x| x["response"]["status"].as_u64());
            match (x, status) {
                (None, _) => out.push(format!("step {number} passes, but no {label} exchange")),
                (Some(_), None) => out.push(format!(
                    "step {number} passes, but the {label} got no answer"
                )),
                (Some(x), Some(s))
                    if number == 5 && x["answered_by"] == "gateway" && !(200..300).contains(&s) =>
                {
                    out.push(format!(
                        "step 5 passes, but API Gateway answered the {label} itself ({s})"
                    ))
                }
                _ => {}
            }
        }
    }
    out
}

/// Nothing answers (connection refused): every step that reads an answer says "not checked"
/// (`unknown`), in JSON, text and Markdown, with and without a preflight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_is_not_checked_never_pass() {
    // A port that was just free: nothing listens on it.
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a loopback port");
    let url = format!("http://127.0.0.1:{port}/prod/items");
    for extra in [vec![], authz()] {
        let mut flags = vec![url.as_str(), "--origin", ORIGIN];
        flags.extend(extra.iter().copied());
        let (code, report, raw) = check_json(&flags).await;
        assert_eq!(code, 1, "{raw}");
        assert_eq!(unbacked_passes(&report), Vec::<String>::new(), "{raw}");
        for n in [5usize, 6] {
            assert_eq!(
                report["steps"][n - 1]["status"],
                "unknown",
                "step {n}: {raw}"
            );
            let summary = report["steps"][n - 1]["summary"]
                .as_str()
                .unwrap_or_default();
            assert!(summary.starts_with("Not checked: "), "{summary}");
            assert!(!summary.contains("?."), "{summary}");
        }
        for (format, pass5) in [
            ("text", "pass 5."),
            (
                "markdown",
                "| 5 | Validate the CORS headers (method + integration responses) | pass |",
            ),
        ] {
            let mut a = common::args(&["check", "--format", format]);
            a.extend(flags.iter().map(|s| s.to_string()));
            let out = common::cors_doctor(a).await;
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(!text.contains(pass5), "{format}: {text}");
            assert!(text.contains("unknown"), "{format}: {text}");
            assert!(text.contains("Not checked: "), "{format}: {text}");
        }
    }
}

/// Issue 14's must-hold, probes only: for every failure class with a remedy, the preview
/// names the headers the responses need, and with them the browser's verdict flips to
/// allowed; it says that the configuration is needed to preview the API change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_class_with_a_remedy_previews_allowed_headers() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases() {
        let server = case.gateway.start(Duration::ZERO).await;
        let url = format!("{}/prod/items", server.base_url());
        let mut flags = vec![url.as_str(), "--origin", ORIGIN, "--preview"];
        flags.extend(case.flags.iter().copied());
        let (code, report, raw) = check_json(&flags).await;
        server.shutdown().await;
        let has_remedy = report["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["findings"].as_array().into_iter().flatten())
            .any(|f| f["severity"] == "error" && f["remediation"].is_object());
        let preview = &report["preview"];
        if code == 0 || !has_remedy {
            continue;
        }
        // A failure no header can fix (the request fails without a browser too) is not a
        // CORS failure: its preview has no verdict to flip.
        if report["steps"][0]["status"] == "fail" {
            continue;
        }
        checked += 1;
        let mut problems = Vec::new();
        if preview["headers_verdict"] != "allowed" {
            problems.push(format!("headers_verdict {}", preview["headers_verdict"]));
        }
        if !preview["notes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|n| n.as_str().is_some_and(|n| n.contains("configuration")))
        {
            problems.push("no note that the configuration is needed".to_string());
        }
        if preview["headers_needed"]
            .as_array()
            .is_none_or(Vec::is_empty)
        {
            problems.push("no headers named".to_string());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n{raw}", case.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 5, "only {checked} failure classes checked");
}
