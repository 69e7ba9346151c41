//! Unit tests of `inspect`.

use super::*;
use crate::gateway::model::IntegrationType;
use crate::gateway::scenario::Scenario;

fn scenario_facts(name: &str) -> (Scenario, ConfigFacts) {
    let s = Scenario::by_name(name).unwrap();
    let f = facts_for_origin(
        &s.api,
        Some(s.stage()),
        &s.spec.request.path,
        &s.spec.request.method,
        Some(&s.spec.request.origin),
    );
    (s, f)
}

#[test]
fn options_missing() {
    let (_, f) = scenario_facts("options-missing");
    assert_eq!(f.kind, ApiKind::Rest);
    assert_eq!(f.api_id.as_deref(), Some("a1b2c3d4e5"));
    assert_eq!(f.resource.as_ref().unwrap().path, "/orders");
    let rest = f.rest.unwrap();
    assert!(rest.options.is_none());
    assert!(!rest.options_via_any);
    let actual = rest.actual.unwrap();
    assert!(actual.is_proxy);
    assert_eq!(actual.integration, Some(IntegrationType::AwsProxy));
    assert!(rest.gateway_responses.configured.is_empty());
    assert!(rest
        .gateway_responses
        .types_without_allow_origin()
        .contains(&"UNAUTHORIZED"));
}

#[test]
fn options_not_deployed_with_a_concrete_path() {
    let (_, f) = scenario_facts("options-not-deployed");
    let r = f.resource.as_ref().unwrap();
    assert_eq!(r.path, "/products/{id}");
    assert_eq!(r.params, vec![("id".to_string(), "42".to_string())]);
    let stage = f.stage.as_ref().unwrap();
    assert_eq!(stage.deployment_id.as_deref(), Some("k3x9pq"));
    assert!(stage.serves_older_snapshot);
    let rest = f.rest.unwrap();
    let options = rest.options.unwrap();
    assert_eq!(options.deployed, Some(false));
    assert_eq!(rest.actual.unwrap().deployed, Some(true));
    // Without a stage there is nothing to say about deployment.
    let s = Scenario::by_name("options-not-deployed").unwrap();
    let f = facts(&s.api, None, "/products/{id}", "PUT");
    assert_eq!(f.rest.unwrap().options.unwrap().deployed, None);
}

#[test]
fn authorization_on_options() {
    let (_, f) = scenario_facts("options-cognito-authorizer");
    let options = f.rest.unwrap().options.unwrap();
    assert_eq!(options.authorization, AuthorizationType::CognitoUserPools);
    let a = options.authorizer.unwrap();
    assert_eq!(a.name, "CognitoUserPoolAuthorizer");
    assert!(a.defined);
    let (_, f) = scenario_facts("options-api-key-required");
    let rest = f.rest.unwrap();
    assert!(rest.options.unwrap().api_key_required);
    assert_eq!(rest.api_key_source.as_deref(), Some("HEADER"));
}

#[test]
fn declared_and_mapped_headers() {
    let (_, f) = scenario_facts("header-declared-not-mapped");
    let o = f.rest.unwrap().options.unwrap();
    let acao = o.cors_header("access-control-allow-origin").unwrap();
    assert!(acao.declared && acao.mapped.is_none() && !acao.is_sent());
    assert_eq!(o.cors_headers.len(), 4);
    let (_, f) = scenario_facts("header-mapped-not-declared");
    let o = f.rest.unwrap().options.unwrap();
    let acao = o.cors_header("Access-Control-Allow-Origin").unwrap();
    assert!(!acao.declared);
    assert_eq!(
        acao.literal_value.as_deref(),
        Some("https://app.example.com")
    );
    let (_, f) = scenario_facts("allow-headers-missing-authorization");
    let o = f.rest.unwrap().options.unwrap();
    let h = o.cors_header("Access-Control-Allow-Headers").unwrap();
    assert!(h.is_sent());
    assert_eq!(
        h.literal_value.as_deref(),
        Some("Content-Type,X-Amz-Date,X-Api-Key")
    );
    assert!(
        !o.cors_header("Access-Control-Allow-Credentials")
            .unwrap()
            .declared
    );
}

#[test]
fn gateway_response_coverage() {
    let (_, f) = scenario_facts("gateway-responses-cors-healthy");
    let g = f.rest.unwrap().gateway_responses;
    assert_eq!(
        g.default_4xx_allow_origin.as_deref(),
        Some("method.request.header.Origin")
    );
    assert!(g.default_5xx_allow_origin.is_some());
    assert!(g.types_without_allow_origin().is_empty());
    let (_, f) = scenario_facts("throttled-default-gateway-responses");
    assert_eq!(f.stage.as_ref().unwrap().throttling.len(), 1);
    assert_eq!(
        f.rest
            .unwrap()
            .gateway_responses
            .allow_origin_for("THROTTLED"),
        None
    );
}

#[test]
fn http_api_routes_and_cors() {
    let (_, f) = scenario_facts("http-api-default-route-jwt");
    let h = f.http.unwrap();
    assert!(h.cors.is_none());
    let o = h.options_route.unwrap();
    assert_eq!(o.route_key, "$default");
    assert_eq!(o.authorization, AuthorizationType::Jwt);
    assert_eq!(o.authorizer.unwrap().kind, AuthorizerKind::Jwt);
    assert_eq!(h.auto_deploy, Some(true));
    let (_, f) = scenario_facts("http-api-healthy");
    let h = f.http.unwrap();
    assert_eq!(h.origin_allowed, Some(true));
    assert_eq!(h.actual_route.unwrap().route_key, "DELETE /tasks/{id}");
    assert!(h.options_route.is_none());
    assert_eq!(f.resource.unwrap().path, "/tasks/{id}");
}

#[test]
fn a_prefix_in_front_of_the_resource_path_is_resolved_or_called_ambiguous() {
    let s = Scenario::by_name("rest-healthy").unwrap();
    let stage = Some(s.stage());
    let resolved = |prefix: &str, path: &str| PrefixedPath::Resolved {
        prefix: prefix.into(),
        path: path.into(),
    };
    // The whole path matches: no prefix.
    assert_eq!(
        resolve_prefixed(&s.api, stage, "/bookings/7"),
        resolved("", "/bookings/7")
    );
    // A base path (custom domain) or a proxy's prefix in front.
    assert_eq!(
        resolve_prefixed(&s.api, stage, "/v1/bookings"),
        resolved("/v1", "/bookings")
    );
    assert_eq!(
        resolve_prefixed(&s.api, stage, "/api/v2/bookings/7?x=1"),
        resolved("/api/v2", "/bookings/7")
    );
    assert_eq!(
        resolve_prefixed(&s.api, stage, "/v1/nothing"),
        PrefixedPath::NoMatch
    );
    // Two resources fit as well as each other: ambiguous, never a guess.
    let mut api = s.api.clone();
    let mut twin = api.resource("/bookings").unwrap().clone();
    twin.path = "/{tenant}/bookings".into();
    api.resources.push(twin);
    match resolve_prefixed(&api, None, "/v1/bookings") {
        PrefixedPath::Ambiguous(c) => {
            let paths: Vec<&str> = c.iter().map(|c| c.1.as_str()).collect();
            assert!(paths.contains(&"/bookings"), "{c:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_path() {
    let s = Scenario::by_name("rest-healthy").unwrap();
    let f = facts(&s.api, Some("prod"), "/nope", "GET");
    assert!(f.resource.is_none());
    let rest = f.rest.unwrap();
    assert!(rest.options.is_none() && rest.actual.is_none());
    assert!(!rest.gateway_responses_undeployed);
    assert!(!f.stage.unwrap().serves_older_snapshot);
}
