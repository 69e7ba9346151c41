use super::policy::in_cidr;
use super::*;
use serde_json::json;

fn api(policy: Value, caller: Caller) -> PrivateApi {
    PrivateApi {
        api_id: "a1b2c3d4e5".into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        private_endpoint: false,
        policy: Some(policy),
        caller,
    }
}

fn ip(ip: &str) -> Caller {
    Caller {
        source_ip: Some(ip.into()),
        ..Caller::default()
    }
}

fn ip_deny() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*"},
        {"Sid": "OfficeOnly", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.7"]}}}
    ]})
}

#[test]
fn an_ip_deny_denies_outside_the_range_only() {
    let outside = api(ip_deny(), ip("203.0.113.9"));
    assert_eq!(
        outside.evaluate("GET", "/prod/items"),
        PolicyOutcome::ExplicitDeny {
            sid: Some("OfficeOnly".into())
        }
    );
    // The abbreviated `execute-api:/*` resource is the API's.
    let inside = api(ip_deny(), ip("192.0.2.44"));
    assert_eq!(
        inside.evaluate("GET", "/prod/items"),
        PolicyOutcome::Allowed
    );
    let mut p = ip_deny();
    p["Statement"][0]["Resource"] =
        json!("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/*");
    assert_eq!(
        api(p.clone(), ip("192.0.2.44")).evaluate("POST", "/prod/items"),
        PolicyOutcome::ImplicitDeny
    );
    assert_eq!(
        api(p.clone(), ip("192.0.2.44")).evaluate("GET", "/prod/items"),
        PolicyOutcome::Allowed
    );
    assert_eq!(
        api(p, ip("198.51.100.7")).evaluate("GET", "/prod/a/b"),
        PolicyOutcome::Allowed
    );
}

#[test]
fn vpce_conditions_and_unknown_parts() {
    let p = json!({"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0abc"}}},
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*"}
    ]});
    let through = Caller {
        source_vpce: Some("vpce-0abc".into()),
        ..Caller::default()
    };
    assert_eq!(
        api(p.clone(), through).evaluate("GET", "/prod/x"),
        PolicyOutcome::Allowed
    );
    assert!(matches!(
        api(p.clone(), Caller::default()).evaluate("GET", "/prod/x"),
        PolicyOutcome::ExplicitDeny { .. }
    ));
    // A caller nobody described (live configuration): the condition is not evaluated.
    let unknown = Caller {
        unknown: true,
        ..Caller::default()
    };
    assert!(matches!(
        api(p.clone(), unknown.clone()).evaluate("GET", "/prod/x"),
        PolicyOutcome::NotEvaluated(_)
    ));
    let mut private = api(p.clone(), unknown);
    private.private_endpoint = true;
    let reached = std::cell::Cell::new(false);
    let req = HttpRequest {
        method: "GET".into(),
        path_and_query: "/prod/x".into(),
        headers: Headers::new(),
        body: Vec::new(),
    };
    let out = respond(Some(&private), &req, &mut |_r: &HttpRequest| {
        reached.set(true);
        HttpResponse {
            status: 200,
            headers: Headers::new(),
            body: Vec::new(),
        }
    });
    assert!(matches!(out, Layered::Passed(_)) && reached.get());
    let org = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]});
    assert!(matches!(
        api(org, Caller::default()).evaluate("GET", "/prod/x"),
        PolicyOutcome::NotEvaluated(_)
    ));
}

#[test]
fn resource_arns_and_globs() {
    let a = api(json!({}), Caller::default());
    assert_eq!(
        a.resource_arn("get", "/prod/items/7?x=1"),
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/items/7"
    );
    assert!(glob(
        "arn:aws:execute-api:*:*:a1b2c3d4e5/prod/GET/*",
        &a.resource_arn("GET", "/prod/items")
    ));
    assert!(!glob(
        "arn:aws:execute-api:*:*:a1b2c3d4e5/dev/*",
        &a.resource_arn("GET", "/prod/items")
    ));
    assert!(glob("a*b*c", "aXXbYYc"));
    assert!(!glob("a*b*c", "aXXbYY"));
    assert!(in_cidr("10.1.2.3".parse().unwrap(), "10.0.0.0/8"));
    assert!(!in_cidr("11.1.2.3".parse().unwrap(), "10.0.0.0/8"));
    assert!(in_cidr("::1".parse().unwrap(), "::1/128"));
}

fn pass(r: &HttpRequest) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: r.headers.clone(),
        body: Vec::new(),
    }
}

#[test]
fn a_deny_asks_the_api_for_its_access_denied_response() {
    let a = api(ip_deny(), ip("203.0.113.9"));
    let req = HttpRequest {
        method: "GET".into(),
        path_and_query: "/prod/items".into(),
        headers: Headers::new(),
        body: Vec::new(),
    };
    let Layered::Passed(resp) = respond(Some(&a), &req, &mut pass) else {
        panic!("the API answers its gateway response");
    };
    assert_eq!(
        resp.headers.get(GATEWAY_RESPONSE_HEADER),
        Some("ACCESS_DENIED")
    );
    assert!(resp
        .headers
        .get(GATEWAY_MESSAGE_HEADER)
        .is_some_and(|m| m.ends_with("a1b2c3d4e5/prod/GET/items with an explicit deny")));
    let mut outside = a.clone();
    outside.private_endpoint = true;
    let Layered::Answered(resp, AnsweredBy::Gateway) = respond(Some(&outside), &req, &mut pass)
    else {
        panic!("the public endpoint answers");
    };
    assert_eq!(resp.status, 403);
}

#[test]
fn private_host_shapes() {
    let h = Headers::new().with("x-apigw-api-id", "a1b2c3d4e5");
    assert!(private_host(
        "a1b2c3d4e5-vpce-0abc123.execute-api.us-east-1.amazonaws.com",
        &Headers::new()
    )
    .is_some_and(|d| d.contains("vpce-0abc123")));
    assert!(private_host(
        "vpce-0abc123-xyz.execute-api.us-east-1.vpce.amazonaws.com",
        &h
    )
    .is_some_and(|d| d.contains("a1b2c3d4e5")));
    assert_eq!(
        private_host("a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", &h),
        None
    );
    let resp = RecordedResponse {
        status: 403,
        headers: Headers::new().with("x-amzn-ErrorType", "AccessDeniedException"),
        body_excerpt: format!("{{\"message\":\"{}\"}}", denied_message("arn:x", true)),
        body_truncated: false,
    };
    assert!(is_policy_deny(&resp));
    let req = RecordedRequest {
        method: "GET".into(),
        url: "https://example.com/".into(),
        headers: Headers::new(),
        body: None,
    };
    assert!(seen(&req, Some(&resp)).is_some_and(|s| s.answered && s.layer == Layer::ResourcePolicy));
}

#[test]
fn a_definition_states_the_policy_and_the_private_endpoint() {
    let mut def = crate::gateway::Api::default();
    assert_eq!(PrivateApi::from_definition(&def), Ok(None));
    // As an export writes it: an object; the ids and account from its own ARNs.
    def.extra.insert(
        X_POLICY.into(),
        json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:eu-west-1:111122223333:k9l8m7/*/GET/*"}]}),
    );
    let p = PrivateApi::from_definition(&def).unwrap().unwrap();
    assert_eq!(
        (p.api_id.as_str(), p.region.as_str(), p.account.as_str()),
        ("k9l8m7", "eu-west-1", "111122223333")
    );
    assert!(p.caller.unknown && !p.private_endpoint);
    assert_eq!(p.evaluate("GET", "/prod/items"), PolicyOutcome::Allowed);
    assert_eq!(
        p.evaluate("OPTIONS", "/prod/items"),
        PolicyOutcome::ImplicitDeny
    );
    // As CloudFormation and Terraform take it: text; VPC endpoint ids make it private.
    def.extra.insert(
        X_POLICY.into(),
        json!(r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}}"#),
    );
    def.extra.insert(
        X_ENDPOINT_CONFIGURATION.into(),
        json!({"vpcEndpointIds": ["vpce-0abc"]}),
    );
    let p = PrivateApi::from_definition(&def).unwrap().unwrap();
    assert!(p.private_endpoint && !p.called_from_outside());
    assert!(matches!(
        p.evaluate("GET", "/prod/items"),
        PolicyOutcome::ExplicitDeny { .. }
    ));
    // An empty policy is none (the Serverless Framework writes `Policy: ""`).
    def.extra.insert(X_POLICY.into(), json!(""));
    assert!(PrivateApi::from_definition(&def)
        .unwrap()
        .unwrap()
        .policy
        .is_none());
    // Not a policy: said, not guessed.
    def.extra.insert(X_POLICY.into(), json!("not json"));
    assert!(PrivateApi::from_definition(&def)
        .unwrap_err()
        .contains("not a JSON policy document"));
}

#[test]
fn a_request_no_allow_can_match_is_denied_whatever_the_unknown_conditions() {
    // Allowed from an office network on GET and POST only; a Deny outside it. OPTIONS is
    // allowed by nothing: denied wherever the app runs, even with the caller unknown.
    let policy = json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": ["execute-api:/*/GET/*", "execute-api:/*/POST/*"],
         "Condition": {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}}}]});
    let unknown = Caller {
        unknown: true,
        ..Caller::default()
    };
    let p = api(policy, unknown);
    assert_eq!(
        p.evaluate("OPTIONS", "/prod/items"),
        PolicyOutcome::ImplicitDeny
    );
    // GET may be allowed: it depends on where the app runs.
    assert!(matches!(
        p.evaluate("GET", "/prod/items"),
        PolicyOutcome::NotEvaluated(_)
    ));
    // From the office, GET passes and OPTIONS is still denied; from elsewhere, the Deny.
    let mut p = p;
    p.caller = ip("198.51.100.7");
    assert_eq!(p.evaluate("GET", "/prod/items"), PolicyOutcome::Allowed);
    assert_eq!(
        p.evaluate("OPTIONS", "/prod/items"),
        PolicyOutcome::ImplicitDeny
    );
    p.caller = ip("203.0.113.9");
    assert!(matches!(
        p.evaluate("OPTIONS", "/prod/items"),
        PolicyOutcome::ExplicitDeny { .. }
    ));
}

#[test]
fn a_resource_left_unresolved_by_a_template_is_not_evaluated() {
    // `!Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:*/*/GET/*` without values:
    // it could be any API, so the statement decides nothing (no implicit deny).
    let p = api(
        json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": [{"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:*/*/GET/*"}]}]}),
        Caller::default(),
    );
    assert!(matches!(
        p.evaluate("OPTIONS", "/prod/items"),
        PolicyOutcome::NotEvaluated(_)
    ));
}
