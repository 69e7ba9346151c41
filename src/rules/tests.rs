use super::*;
use crate::gateway::scenario::Scenario;

fn lint(name: &str) -> Vec<LintFinding> {
    let s = Scenario::by_name(name).unwrap();
    check(
        &s.api,
        &Front::default(),
        &Options {
            origins: vec![s.spec.request.origin.clone()],
            ..Options::default()
        },
    )
}

/// (severity, code, route).
type Row = (String, String, String);

/// (severity, code, route) of every warning and error.
fn summary(found: &[LintFinding]) -> Vec<Row> {
    found
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .map(|f| {
            (
                f.severity.as_str().to_string(),
                f.code.to_string(),
                f.route
                    .as_ref()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// The traps of assets/scenarios, each with the findings lint must give (warnings and errors;
/// the proxy-backend notes are info).
#[test]
fn each_trap_gives_its_findings() {
    let e = |code: &str, route: &str| ("error".to_string(), code.to_string(), route.to_string());
    let w = |code: &str| ("warning".to_string(), code.to_string(), String::new());
    let unconfigured = w("GATEWAY_RESPONSES_UNCONFIGURED");
    let table: Vec<(&str, Vec<Row>)> = vec![
        (
            "options-missing",
            vec![e("OPTIONS_MISSING", "POST /orders"), unconfigured.clone()],
        ),
        (
            "options-not-deployed",
            vec![
                e("OPTIONS_NOT_DEPLOYED", "DELETE /products/{id}"),
                e("OPTIONS_NOT_DEPLOYED", "PUT /products/{id}"),
                unconfigured.clone(),
                w("UNDEPLOYED_CHANGES"),
            ],
        ),
        (
            "options-cognito-authorizer",
            vec![
                e("OPTIONS_AUTHORIZED", "GET /profile"),
                unconfigured.clone(),
            ],
        ),
        (
            "options-api-key-required",
            vec![
                e("OPTIONS_API_KEY_REQUIRED", "GET /reports"),
                unconfigured.clone(),
            ],
        ),
        (
            "header-declared-not-mapped",
            vec![
                e("HEADER_NOT_MAPPED", "PUT /settings"),
                e("PREFLIGHT_CORS_HEADERS", "PUT /settings"),
                unconfigured.clone(),
            ],
        ),
        (
            "header-mapped-not-declared",
            vec![
                e("HEADER_NOT_DECLARED", "DELETE /files/{id}"),
                e("PREFLIGHT_CORS_HEADERS", "DELETE /files/{id}"),
                unconfigured.clone(),
            ],
        ),
        (
            "allow-headers-missing-authorization",
            vec![
                e("PREFLIGHT_CORS_HEADERS", "GET /invoices"),
                unconfigured.clone(),
            ],
        ),
        ("lambda-proxy-no-allow-origin", vec![unconfigured.clone()]),
        (
            "throttled-default-gateway-responses",
            vec![
                (
                    "error".into(),
                    "GATEWAY_RESPONSE_NO_CORS".into(),
                    String::new(),
                ),
                e("FAILS_WITHOUT_BROWSER", "GET /search"),
            ],
        ),
        (
            "http-api-default-route-jwt",
            vec![e("OPTIONS_AUTHORIZED", "ANY $default")],
        ),
        (
            "http-api-default-route-jwt-cors",
            vec![e("OPTIONS_AUTHORIZED", "ANY $default")],
        ),
        (
            "http-api-any-proxy-jwt",
            vec![e("OPTIONS_AUTHORIZED", "ANY /{proxy+}")],
        ),
        ("gateway-responses-cors-healthy", vec![]),
        ("http-api-healthy", vec![]),
        ("rest-healthy", vec![]),
        // Lint reads the API only: the custom domain and the resource policy are not in it.
        ("custom-domain-no-mapping", vec![]),
        ("resource-policy-deny", vec![unconfigured.clone()]),
        // The endpoint type is in the scenario's front, not in the export lint reads.
        ("private-api-outside-vpc", vec![unconfigured.clone()]),
        // The web ACL is in the scenario's front, not in the export lint reads.
        ("waf-blocked-no-cors", vec![unconfigured.clone()]),
        ("waf-blocked-cors-healthy", vec![]),
        // The function URL is in the scenario's front; its export is a healthy API.
        ("function-url-duplicate-cors", vec![]),
        // The load balancer is in the scenario's front; its export is a healthy API.
        ("load-balancer-target-unhealthy", vec![]),
        // The distribution is in the scenario's front; lint reads the API behind it.
        ("cloudfront-options-not-allowed", vec![]),
        ("cloudfront-cache-ignores-origin", vec![]),
        ("cloudfront-error-no-cors", vec![]),
        ("cloudfront-duplicate-cors-headers", vec![]),
        ("cloudfront-healthy", vec![]),
    ];
    assert_eq!(
        table.len(),
        Scenario::names().len(),
        "every scenario has a row"
    );
    let mut failures = Vec::new();
    for (name, want) in table {
        let got = summary(&lint(name));
        if got != want {
            failures.push(format!("{name}:\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn api_wide_findings_are_reported_once_with_a_count() {
    let found = lint("options-not-deployed");
    let wide: Vec<_> = found
        .iter()
        .filter(|f| f.code == FindingCode::GatewayResponsesUnconfigured)
        .collect();
    assert_eq!(wide.len(), 1);
    assert_eq!(wide[0].routes_affected, Some(3));
    assert!(wide[0].route.is_none());
}

#[test]
fn proxy_routes_are_noted_as_info() {
    let found = lint("lambda-proxy-no-allow-origin");
    let notes: Vec<_> = found
        .iter()
        .filter(|f| f.code == FindingCode::ProxyBackendCors)
        .collect();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].severity, Severity::Info);
}

#[test]
fn an_origin_the_api_does_not_allow_is_an_error() {
    let s = Scenario::by_name("header-mapped-not-declared").unwrap();
    let mut api = s.api.clone();
    // Declare the header so that only the origin is wrong.
    for m in &mut api.resources[0].methods {
        for r in &mut m.responses {
            r.headers.push("Access-Control-Allow-Origin".into());
        }
    }
    let ok = check(
        &api,
        &Front::default(),
        &Options {
            origins: vec!["https://app.example.com".into()],
            ..Options::default()
        },
    );
    assert!(
        ok.iter()
            .all(|f| f.code != FindingCode::PreflightCorsHeaders),
        "{ok:?}"
    );
    let other = check(
        &api,
        &Front::default(),
        &Options {
            origins: vec!["https://admin.example.com".into()],
            ..Options::default()
        },
    );
    let f = other
        .iter()
        .find(|f| f.code == FindingCode::PreflightCorsHeaders)
        .expect("the other origin is refused");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.origin.as_deref(), Some("https://admin.example.com"));
}

#[test]
fn without_origins_the_apis_own_origin_is_used() {
    let s = Scenario::by_name("header-mapped-not-declared").unwrap();
    assert_eq!(default_origin(&s.api), "https://app.example.com");
    let s = Scenario::by_name("rest-healthy").unwrap();
    assert_eq!(default_origin(&s.api), PLACEHOLDER_ORIGIN);
}

#[test]
fn null_origins_and_wildcards_with_credentials_are_security_risks() {
    let mut api = Scenario::by_name("http-api-healthy").unwrap().api;
    let cors = api.cors.as_mut().unwrap();
    cors.allow_origins = vec!["https://*".into(), "null".into()];
    cors.allow_credentials = Some(true);
    let found = check(&api, &Front::default(), &Options::default());
    let risks = found
        .iter()
        .filter(|f| f.code == FindingCode::CorsSecurityRisk)
        .count();
    // null, the wildcard with credentials, and the reflection the diagnosis sees (once for
    // the API: the cors_configuration is one setting).
    assert_eq!(risks, 3, "{found:?}");
}

#[test]
fn concrete_paths() {
    assert_eq!(concrete_path("/items/{id}"), "/items/sample-id");
    assert_eq!(concrete_path("/{proxy+}"), "/sample/proxy");
    assert_eq!(concrete_path("$default"), "/");
    assert_eq!(concrete_path("/"), "/");
}

/// An HTTP API's cors_configuration replaces the backend's CORS headers: with no backend known
/// that is an explanation, not a trap; an origin the configuration does not allow still is.
#[test]
fn an_http_api_cors_configuration_alone_is_no_finding() {
    let found = lint("http-api-healthy");
    assert!(
        !found
            .iter()
            .any(|f| f.code == FindingCode::BackendHeadersIgnored),
        "{found:#?}"
    );
    let s = Scenario::by_name("http-api-healthy").unwrap();
    let other = check(
        &s.api,
        &Front::default(),
        &Options {
            origins: vec!["https://not-allowed.example.com".to_string()],
            ..Options::default()
        },
    );
    assert!(
        other
            .iter()
            .any(|f| f.code == FindingCode::BackendHeadersIgnored && f.severity == Severity::Error),
        "{other:#?}"
    );
}
