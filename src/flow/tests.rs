use std::sync::Arc;

use super::*;
use crate::cors::Mode;
use crate::evidence::ConfigSourceKind;
use crate::exchange::{attribute_answer, RecordedRequest, RecordedResponse, TransportError};
use crate::gateway::behavior::{predict, Located, PredictRequest};
use crate::gateway::scenario::Scenario;
use crate::target::{CredentialsMode, Target};

const URL: &str = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items";
const ORIGIN: &str = "https://app.example.com";

fn target() -> Target {
    Target {
        url: url::Url::parse(URL).unwrap(),
        origin: ORIGIN.into(),
        method: "GET".into(),
        headers: Headers::new().with("authorization", "Bearer t0ken-secret"),
        body: None,
        credentials: CredentialsMode::SameOrigin,
    }
}

fn request(kind: ExchangeKind) -> RecordedRequest {
    let method = match kind {
        ExchangeKind::Preflight | ExchangeKind::ForeignOrigin => "OPTIONS",
        _ => "GET",
    };
    let mut headers = Headers::new();
    if kind != ExchangeKind::NoOrigin {
        headers.push("origin", ORIGIN);
    }
    if method == "OPTIONS" {
        headers.push("access-control-request-method", "GET");
        headers.push("access-control-request-headers", "authorization");
    }
    RecordedRequest {
        method: method.into(),
        url: URL.into(),
        headers,
        body: None,
    }
}

fn exchange(id: &str, kind: ExchangeKind, status: u16, headers: Headers, body: &str) -> Exchange {
    let request = request(kind);
    let response = RecordedResponse {
        status,
        headers,
        body_excerpt: body.into(),
        body_truncated: false,
    };
    let (answered_by, gateway_error_type) = attribute_answer(&request, &response);
    Exchange {
        id: id.into(),
        kind,
        request,
        response: Some(response),
        error: None,
        answered_by,
        gateway_error_type,
        elapsed_ms: 3,
        predicted: false,
    }
}

fn rest(error: Option<&str>) -> Headers {
    let mut h = Headers::new().with("x-amzn-RequestId", "r-1");
    if let Some(e) = error {
        h.push("x-amzn-ErrorType", e);
    }
    h
}

fn cors_ok(h: Headers) -> Headers {
    h.with("access-control-allow-origin", ORIGIN)
        .with("access-control-allow-methods", "GET,OPTIONS")
        .with("access-control-allow-headers", "authorization")
}

fn evidence(exchanges: Vec<Exchange>, config: ConfigEvidence) -> Evidence {
    Evidence {
        target: target(),
        exchanges,
        config,
        browser: None,
    }
}

fn no_config() -> ConfigEvidence {
    ConfigEvidence::NotRequested {
        reason: "--no-aws".into(),
    }
}

/// The flows with the engine's verdict on the same evidence (as the report does).
fn flows_of(ev: &Evidence) -> Vec<Flow> {
    let d = crate::diagnose::diagnose(ev, Mode::default());
    flows(ev, &BrowserSide::from(&d.verdict))
}

fn layers(f: &Flow) -> Vec<(HopLayer, HopState)> {
    f.hops.iter().map(|h| (h.layer, h.state)).collect()
}

#[test]
fn an_authorizer_401_on_the_preflight_is_drawn_at_the_authorizer_and_hidden() {
    let ev = evidence(
        vec![
            exchange(
                "x1",
                ExchangeKind::Preflight,
                401,
                rest(Some("UnauthorizedException")),
                r#"{"message":"Unauthorized"}"#,
            ),
            exchange("x2", ExchangeKind::Actual, 200, cors_ok(rest(None)), "{}"),
        ],
        no_config(),
    );
    let f = flows_of(&ev);
    assert_eq!(
        layers(&f[0]),
        vec![
            (HopLayer::ApiGateway, HopState::Passed),
            (HopLayer::Authorizer, HopState::Answered)
        ]
    );
    assert_eq!(f[0].hops[0].label, "API Gateway prod");
    assert_eq!(f[0].answering().and_then(|h| h.status), Some(401));
    assert_eq!(f[0].hidden_status, Some(401));
    let b = f[0].blocked_at.as_ref().unwrap();
    assert_eq!(b.request, FailedAt::Preflight);
    assert_eq!(
        b.cors_error.as_deref(),
        Some("PreflightMissingAllowOriginHeader")
    );
    assert_eq!(
        line(&f[0], &Glyphs::UNICODE),
        "x1 preflight: browser → API Gateway prod → ✘ 401 authorizer — the browser blocks \
         the preflight (PreflightMissingAllowOriginHeader) and hides the 401"
    );
    // The actual request: the browser never sends it; nothing is blocked there.
    assert_eq!(f[1].browser, BrowserPart::NeverSends);
    assert!(f[1].blocked_at.is_none() && f[1].hidden_status.is_none());
    assert_eq!(
        line(&f[1], &Glyphs::ASCII),
        "x2 actual: browser -> API Gateway prod -> OK 200 backend -- the browser never sends \
         it (the preflight failed)"
    );
}

#[test]
fn cloudfront_answering_the_preflight_stops_the_path_at_cloudfront() {
    let cf = Headers::new()
        .with("Via", "1.1 abc.cloudfront.net (CloudFront)")
        .with("X-Cache", "Error from cloudfront")
        .with("X-Amz-Cf-Pop", "FRA56-P1");
    let ev = evidence(
        vec![exchange("x1", ExchangeKind::Preflight, 403, cf, "<html>")],
        no_config(),
    );
    let f = flows_of(&ev);
    assert_eq!(f[0].answered_by, AnsweredBy::Cloudfront);
    assert_eq!(
        layers(&f[0]),
        vec![(HopLayer::CloudFront, HopState::Answered)]
    );
    assert_eq!(f[0].hops[0].label, "CloudFront (Error)");
    assert!(f[0].hops[0].note.contains("FRA56-P1"), "{:?}", f[0].hops[0]);
    assert_eq!(f[0].hidden_status, Some(403));
    assert!(line(&f[0], &Glyphs::UNICODE)
        .starts_with("x1 preflight: browser → ✘ 403 CloudFront (Error) — the browser blocks"));
}

#[test]
fn a_healthy_run_through_cloudfront_passes_every_hop() {
    let via = |h: Headers| {
        h.with("Via", "1.1 abc.cloudfront.net (CloudFront)")
            .with("X-Cache", "Miss from cloudfront")
            .with("X-Amz-Cf-Pop", "FRA56-P1")
    };
    let ev = evidence(
        vec![
            exchange(
                "x1",
                ExchangeKind::Preflight,
                204,
                via(cors_ok(rest(None))),
                "",
            ),
            exchange(
                "x2",
                ExchangeKind::Actual,
                200,
                via(cors_ok(rest(None))),
                "{}",
            ),
            exchange("x3", ExchangeKind::NoOrigin, 200, via(rest(None)), "{}"),
        ],
        no_config(),
    );
    let f = flows_of(&ev);
    for flow in &f {
        assert!(!flow.failed(), "{flow:?}");
        assert!(flow.blocked_at.is_none());
        assert_eq!(
            layers(flow),
            vec![
                (HopLayer::CloudFront, HopState::Passed),
                (HopLayer::ApiGateway, HopState::Passed),
                (HopLayer::Backend, HopState::Answered)
            ]
        );
    }
    assert_eq!(
        line(&f[1], &Glyphs::UNICODE),
        "x2 actual: browser → CloudFront (Miss) → API Gateway prod → ✔ 200 backend"
    );
    assert_eq!(f[2].browser, BrowserPart::Probe);
    assert!(line(&f[2], &Glyphs::UNICODE).ends_with("— not a browser request"));
}

#[test]
fn a_dns_failure_stops_before_the_first_hop_and_a_timeout_at_it() {
    let mut x = exchange("x1", ExchangeKind::Preflight, 0, Headers::new(), "");
    x.response = None;
    x.answered_by = AnsweredBy::Unknown;
    x.error = Some(TransportError {
        kind: FailureKind::Dns,
        message: "no such host".into(),
    });
    let mut t = x.clone();
    t.id = "x2".into();
    t.kind = ExchangeKind::Actual;
    t.error = Some(TransportError {
        kind: FailureKind::Timeout,
        message: "timed out".into(),
    });
    let ev = evidence(vec![x, t], no_config());
    let f = flows_of(&ev);
    assert_eq!(f[0].failure, Some(FailureKind::Dns));
    assert!(f[0].hops.iter().all(|h| h.state == HopState::NotReached));
    assert_eq!(
        line(&f[0], &Glyphs::UNICODE),
        "x1 preflight: browser → ✘ the name did not resolve"
    );
    assert!(f[1].hops.iter().all(|h| h.state == HopState::Unknown));
    assert!(line(&f[1], &Glyphs::UNICODE).contains("→ the server → ✘ no answer in time"));
    assert!(f[0].answering().is_none());
}

#[test]
fn gateway_error_types_name_the_hop_inside_api_gateway() {
    let cases = [
        (
            "MissingAuthenticationTokenException",
            403,
            "",
            HopLayer::Route,
        ),
        ("TooManyRequestsException", 429, "", HopLayer::Throttling),
        (
            "AccessDeniedException",
            403,
            r#"{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:1:abc/prod/GET/items with an explicit deny"}"#,
            HopLayer::ResourcePolicy,
        ),
        (
            "AccessDeniedException",
            403,
            r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#,
            HopLayer::Authorizer,
        ),
        ("ForbiddenException", 403, "", HopLayer::ApiGateway),
    ];
    for (error, status, body, hop) in cases {
        let ev = evidence(
            vec![exchange(
                "x1",
                ExchangeKind::Actual,
                status,
                rest(Some(error)),
                body,
            )],
            no_config(),
        );
        let f = flows_of(&ev);
        let answered = f[0].answering().unwrap();
        assert_eq!(answered.layer, hop, "{error} {body}");
        assert_eq!(answered.status, Some(status));
        assert!(answered.note.starts_with(error), "{answered:?}");
        // Every hop before it passed; API Gateway is on the path.
        assert!(f[0].hops.iter().any(|h| h.layer == HopLayer::ApiGateway));
    }
}

fn scenario_flows(name: &str) -> (Vec<Flow>, Evidence) {
    scenario_flows_with(name, None)
}

/// A scenario's predicted flows, with `front` in front of its API instead of its own.
fn scenario_flows_with(name: &str, front: Option<Front>) -> (Vec<Flow>, Evidence) {
    let mut scenario = Scenario::by_name(name).unwrap();
    if let Some(front) = front {
        scenario.spec.front = front;
    }
    let stage = scenario.stage().to_string();
    let path = scenario.spec.request.path.clone();
    let located = Located {
        api: Arc::new(scenario.api.clone()),
        stage: Some(stage.clone()),
        path: path.clone(),
        front: scenario.spec.front.clone(),
    };
    let mut target = target();
    let req = &scenario.spec.request;
    target.url = url::Url::parse(&format!(
        "https://abc123.execute-api.us-east-1.amazonaws.com{}",
        scenario.url_path()
    ))
    .unwrap();
    target.origin = req.origin.clone();
    target.method = req.method.clone();
    target.headers = req
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let plan = crate::cors::plan(&target);
    let to_record = |kind: ExchangeKind, method: &str, headers: Headers| RecordedRequest {
        method: method.into(),
        url: target.url.to_string(),
        headers: match kind {
            ExchangeKind::Preflight => headers,
            _ => headers,
        },
        body: None,
    };
    let preflight = to_record(
        ExchangeKind::Preflight,
        "OPTIONS",
        crate::cors::preflight_request_headers(&target, &plan),
    );
    let actual = to_record(
        ExchangeKind::Actual,
        &target.method.to_ascii_uppercase(),
        crate::cors::actual_request_headers(&target),
    );
    let mut requests = Vec::new();
    if plan.required {
        requests.push(PredictRequest {
            id: "x1",
            kind: ExchangeKind::Preflight,
            request: &preflight,
        });
    }
    requests.push(PredictRequest {
        id: "x2",
        kind: ExchangeKind::Actual,
        request: &actual,
    });
    let exchanges = predict(&located, Some(scenario.backend()), &target, &requests);
    let ev = Evidence {
        target: target.clone(),
        exchanges,
        config: ConfigEvidence::Loaded {
            source: ConfigSourceKind::Openapi,
            api: located.api.clone(),
            stage: Some(stage),
            path,
            backend_known: true,
            gaps: vec![],
            unresolved: None,
            front: scenario.spec.front.clone(),
        },
        browser: None,
    };
    (flows_of(&ev), ev)
}

#[test]
fn a_cognito_authorizer_on_options_is_drawn_from_the_configuration() {
    let (f, _) = scenario_flows("options-cognito-authorizer");
    let pf = &f[0];
    assert!(pf.predicted);
    assert_eq!(pf.kind, ExchangeKind::Preflight);
    let answered = pf.answering().unwrap();
    assert_eq!(answered.layer, HopLayer::Authorizer, "{pf:#?}");
    assert!(answered.label.starts_with("authorizer "), "{answered:?}");
    assert_eq!(pf.hops[0].layer, HopLayer::ApiGateway);
    assert_eq!(pf.hops[0].state, HopState::Passed);
    assert!(pf.hops.iter().any(|h| h.layer == HopLayer::Route
        && h.state == HopState::Passed
        && h.label.starts_with("route OPTIONS")));
    // The integration behind the authorizer is not reached.
    assert!(pf
        .hops
        .iter()
        .filter(|h| h.layer == HopLayer::Integration)
        .all(|h| h.state == HopState::NotReached));
    assert!(pf.blocked_at.is_some());
    assert!(line(pf, &Glyphs::UNICODE).contains("(predicted)"));
}

#[test]
fn a_healthy_rest_api_answers_the_preflight_from_its_mock_integration() {
    let (f, _) = scenario_flows("rest-healthy");
    let pf = f
        .iter()
        .find(|f| f.kind == ExchangeKind::Preflight)
        .unwrap();
    let answered = pf.answering().unwrap();
    assert_eq!(answered.layer, HopLayer::Integration, "{pf:#?}");
    assert_eq!(answered.label, "integration MOCK");
    assert!(!pf.hops.iter().any(|h| h.layer == HopLayer::Backend));
    assert!(f.iter().all(|f| !f.failed()), "{f:#?}");
}

#[test]
fn a_missing_options_method_stops_at_the_route() {
    let (f, _) = scenario_flows("options-missing");
    let pf = &f[0];
    let answered = pf.answering().unwrap();
    assert_eq!(answered.layer, HopLayer::Route, "{pf:#?}");
    assert!(
        answered.label.starts_with("no route OPTIONS"),
        "{answered:?}"
    );
    assert_eq!(answered.status, Some(403));
}

#[test]
fn an_api_key_on_options_is_the_api_key_hop() {
    let (f, _) = scenario_flows("options-api-key-required");
    let answered = f[0].answering().unwrap();
    assert_eq!(answered.layer, HopLayer::ApiKey, "{:#?}", f[0]);
}

#[test]
fn every_scenario_has_one_answering_hop_per_answered_exchange() {
    for name in Scenario::names() {
        let (f, ev) = scenario_flows(name);
        assert_eq!(f.len(), ev.exchanges.len());
        for (flow, x) in f.iter().zip(&ev.exchanges) {
            let answering = flow
                .hops
                .iter()
                .filter(|h| h.state == HopState::Answered)
                .count();
            assert_eq!(
                answering,
                usize::from(x.response.is_some()),
                "{name}: {flow:#?}"
            );
            // Passed hops come first, then the answering one, then those not reached.
            let states: Vec<u8> = flow
                .hops
                .iter()
                .map(|h| match h.state {
                    HopState::Passed => 0,
                    HopState::Answered => 1,
                    _ => 2,
                })
                .collect();
            assert!(states.windows(2).all(|w| w[0] <= w[1]), "{name}: {flow:#?}");
            assert_mermaid_is_well_formed(&mermaid(flow));
        }
    }
}

/// A structural check of the mermaid grammar we emit: the header, participants declared
/// before use with alphanumeric ids, messages `A->>B: text` / `A-->>B: text` / `A-xB: text`,
/// notes `Note over A: text`, and no raw `;`, `#` (except entity codes) or quote in any text.
fn assert_mermaid_is_well_formed(diagram: &str) {
    let mut lines = diagram.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    let mut participants: Vec<String> = Vec::new();
    let text_ok = |t: &str| {
        let stripped = strip_entities(t);
        !t.trim().is_empty()
            && !stripped.contains([';', '#', '"', ':', '<', '>', '%', '{', '}', '\n'])
    };
    for l in lines {
        let l = l
            .strip_prefix("    ")
            .unwrap_or_else(|| panic!("indent: {l:?}"));
        if let Some(rest) = l.strip_prefix("participant ") {
            let (id, alias) = rest.split_once(" as ").unwrap();
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{l}");
            assert!(text_ok(alias), "{l}");
            participants.push(id.to_string());
        } else if let Some(rest) = l.strip_prefix("Note over ") {
            let (id, text) = rest.split_once(": ").unwrap();
            assert!(participants.contains(&id.to_string()), "{l}");
            assert!(text_ok(text), "{l}");
        } else {
            let (arrow, text) = l.split_once(": ").unwrap_or_else(|| panic!("{l:?}"));
            let (from, to) = ["-->>", "->>", "-x"]
                .iter()
                .find_map(|a| arrow.split_once(a))
                .unwrap_or_else(|| panic!("no arrow: {l:?}"));
            assert!(participants.contains(&from.to_string()), "{l}");
            assert!(participants.contains(&to.to_string()), "{l}");
            assert!(text_ok(text), "{l}");
        }
    }
    assert!(participants.len() >= 2 || diagram.contains("Note over B"));
}

/// `text` with mermaid entity codes (`#59;`, `#quot;`) removed.
fn strip_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(';') {
            Some(j) if j > 0 && after[..j].chars().all(|c| c.is_ascii_alphanumeric()) => {
                rest = &after[j + 1..];
            }
            _ => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn mermaid_escapes_what_its_grammar_takes_as_syntax() {
    let cf = Headers::new()
        .with("X-Cache", "Error from cloudfront")
        .with("X-Amz-Cf-Pop", "A;B#\"C:<x>%{}");
    let ev = evidence(
        vec![exchange("x1", ExchangeKind::Preflight, 403, cf, "")],
        no_config(),
    );
    let f = flows_of(&ev);
    let d = mermaid(&f[0]);
    assert_mermaid_is_well_formed(&d);
    assert!(
        d.contains("#59;") && d.contains("#35;") && d.contains("#quot;"),
        "{d}"
    );
    assert!(d.contains("Note over B: CORS error"), "{d}");
    assert!(d.contains("H1-->>B: 403"), "{d}");
    // The checker itself fails on what mermaid cannot take.
    let bad = std::panic::catch_unwind(|| {
        assert_mermaid_is_well_formed("sequenceDiagram\n    participant B as a;b\n")
    });
    assert!(bad.is_err());
}

#[test]
fn execute_api_stage_comes_from_the_url() {
    assert_eq!(execute_api_stage(URL).as_deref(), Some("prod"));
    assert_eq!(
        execute_api_stage("https://api.example.com/prod/items"),
        None
    );
    assert_eq!(
        execute_api_stage("https://a.execute-api.us-east-1.amazonaws.com/"),
        None
    );
}

#[test]
fn an_http_apis_cors_configuration_answers_the_preflight() {
    let (f, _) = scenario_flows("http-api-healthy");
    let pf = f
        .iter()
        .find(|f| f.kind == ExchangeKind::Preflight)
        .unwrap();
    let answered = pf.answering().unwrap();
    assert_eq!(answered.layer, HopLayer::Route, "{pf:#?}");
    assert_eq!(answered.label, "CORS configuration");
    assert_eq!(
        line(pf, &Glyphs::UNICODE),
        "x1 preflight (predicted): browser → API Gateway $default → ✔ 204 CORS configuration"
    );
}

#[test]
fn an_http_api_jwt_401_without_error_type_is_the_authorizer() {
    let (f, _) = scenario_flows("http-api-default-route-jwt");
    let answered = f[0].answering().unwrap();
    assert_eq!(answered.layer, HopLayer::Authorizer, "{:#?}", f[0]);
    assert_eq!(answered.status, Some(401));
}

#[test]
fn a_configured_distribution_stands_in_front_of_the_api() {
    let front = Front {
        cloudfront: Some(Default::default()),
        ..Front::default()
    };
    let (f, _) = scenario_flows_with("options-cognito-authorizer", Some(front));
    let pf = &f[0];
    assert_eq!(pf.hops[0].layer, HopLayer::CloudFront, "{pf:#?}");
    assert_eq!(pf.hops[0].state, HopState::Passed);
    assert_eq!(pf.hops[1].layer, HopLayer::ApiGateway);
    assert_eq!(pf.answering().unwrap().layer, HopLayer::Authorizer);
    let drawn = line(pf, &Glyphs::UNICODE);
    assert!(
        drawn.starts_with(
            "x1 preflight (predicted): browser → CloudFront (Miss) → API Gateway prod"
        ),
        "{drawn}"
    );
    // CloudFront answering itself (a predicted answer through the front, or the
    // attribution of a recorded one): the API's hops are not reached.
    let mut ev = scenario_flows_with(
        "rest-healthy",
        Some(Front {
            cloudfront: Some(Default::default()),
            ..Front::default()
        }),
    )
    .1;
    let x = &mut ev.exchanges[0];
    x.answered_by = AnsweredBy::Cloudfront;
    x.gateway_error_type = None;
    if let Some(r) = &mut x.response {
        r.status = 403;
        r.headers = Headers::new().with("X-Cache", "Error from cloudfront");
    }
    let f = flows_of(&ev);
    let answered = f[0].answering().unwrap();
    assert_eq!(answered.layer, HopLayer::CloudFront);
    assert_eq!(answered.status, Some(403));
    assert!(f[0].hops[1..]
        .iter()
        .all(|h| h.state == HopState::NotReached));
}

#[test]
fn a_resource_policy_alone_is_no_vpc_endpoint() {
    // A public API with a resource policy: the policy's hop, no VPC endpoint.
    let (f, _) = scenario_flows("resource-policy-deny");
    let layers: Vec<HopLayer> = f[0].hops.iter().map(|h| h.layer).collect();
    assert!(layers.contains(&HopLayer::ResourcePolicy), "{layers:?}");
    assert!(!layers.contains(&HopLayer::VpcEndpoint), "{layers:?}");
    // The same policy on a private API called through its VPC endpoint: both.
    let mut front = Scenario::by_name("resource-policy-deny")
        .unwrap()
        .spec
        .front;
    let private = front.private.as_deref_mut().unwrap();
    private.private_endpoint = true;
    private.caller.source_vpce = Some("vpce-0a1b2c3d".into());
    let (f, _) = scenario_flows_with("resource-policy-deny", Some(front));
    let layers: Vec<HopLayer> = f[0].hops.iter().map(|h| h.layer).collect();
    let vpce = layers.iter().position(|l| *l == HopLayer::VpcEndpoint);
    let policy = layers.iter().position(|l| *l == HopLayer::ResourcePolicy);
    assert!(vpce.is_some() && vpce < policy, "{layers:?}");
}
