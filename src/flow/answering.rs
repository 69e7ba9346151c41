//! The hops' labels and notes, and which hop answered (API Gateway's own answers placed at
//! the check that produced them: route, authorizer, API key, throttling, WAF …).

use super::*;

/// Labels and notes of the hops.
pub(super) fn label_hops(
    hops: &mut [Hop],
    x: &Exchange,
    config: &Config<'_>,
    route: &RouteInfo,
    sightings: &[Sighting],
) {
    for h in hops.iter_mut() {
        h.label = match h.layer {
            HopLayer::CloudFront => match cache_state(x) {
                Some(state) => format!("CloudFront ({state})"),
                None => "CloudFront".to_string(),
            },
            HopLayer::ApiGateway => match &config.stage {
                Some(stage) => format!("API Gateway {}", bounded(stage, 32)),
                None => "API Gateway".to_string(),
            },
            HopLayer::Route => match &route.label {
                Some(l) if route.cors_answers => l.clone(),
                Some(l) if route.matched => format!("route {}", bounded(l, 48)),
                Some(l) => format!("no route {}", bounded(l, 48)),
                None => "route".to_string(),
            },
            HopLayer::Authorizer => match &route.authorizer {
                Some((name, _)) => format!("authorizer {}", bounded(name, 32)),
                None => "authorizer".to_string(),
            },
            HopLayer::ApiKey => "API key".to_string(),
            HopLayer::Throttling => "throttling".to_string(),
            HopLayer::Integration => match route.integration {
                Some(kind) => format!("integration {}", kind.as_str()),
                None => "integration".to_string(),
            },
            HopLayer::Backend => "backend".to_string(),
            HopLayer::Server => "the server".to_string(),
            HopLayer::Waf => "AWS WAF".to_string(),
            HopLayer::CustomDomain => "custom domain".to_string(),
            HopLayer::VpcEndpoint => "VPC endpoint".to_string(),
            HopLayer::ResourcePolicy => "resource policy".to_string(),
            HopLayer::FunctionUrl => "Lambda function URL".to_string(),
            HopLayer::LoadBalancer => "load balancer".to_string(),
        };
        if h.note.is_empty() {
            h.note = match h.layer {
                HopLayer::Route if route.cors_answers => {
                    "API Gateway answers the preflight from the CORS configuration".to_string()
                }
                HopLayer::Route if !route.matched => {
                    "no route or method matches in the configuration".to_string()
                }
                HopLayer::Integration if route.integration == Some(IntegrationType::Mock) => {
                    "MOCK: API Gateway answers itself".to_string()
                }
                HopLayer::Integration if route.integration.is_some_and(|k| k.is_proxy()) => {
                    "proxy: the backend's answer passes through".to_string()
                }
                HopLayer::Waf if route.web_acl => "a web ACL on the stage".to_string(),
                HopLayer::Authorizer => match &route.authorizer {
                    Some((_, kind)) => format!("authorization {kind}"),
                    None => String::new(),
                },
                HopLayer::ApiKey => "the method requires an API key".to_string(),
                HopLayer::Throttling => "a throttling limit applies".to_string(),
                _ if sightings.is_empty() && x.predicted && h.layer == HopLayer::ApiGateway => {
                    "predicted from the configuration".to_string()
                }
                _ => String::new(),
            };
        }
    }
}

/// The index of the hop that answered `resp`, adding it to the path when the configuration
/// did not list it (the answer shows it).
pub(super) fn answering_hop(
    x: &Exchange,
    resp: &crate::exchange::RecordedResponse,
    answering_front: Option<HopLayer>,
    route: &RouteInfo,
    hops: &mut Vec<Hop>,
) -> usize {
    let (layer, note) = match answering_front {
        Some(h) => (h, String::new()),
        None => match x.answered_by {
            AnsweredBy::Gateway => gateway_answer(x, resp, route),
            AnsweredBy::Backend => {
                if route.integration == Some(IntegrationType::Mock)
                    || route.cors_answers
                    || !route.matched && route.label.is_some()
                {
                    let at = if route.cors_answers {
                        HopLayer::Route
                    } else {
                        HopLayer::Integration
                    };
                    (at, String::new())
                } else if hops.iter().any(|h| h.layer == HopLayer::ApiGateway) {
                    (HopLayer::Backend, "the integration's answer".to_string())
                } else {
                    (HopLayer::Server, String::new())
                }
            }
            AnsweredBy::GatewayOrBackend => (
                HopLayer::ApiGateway,
                "API Gateway or the backend (the headers cannot tell)".to_string(),
            ),
            _ => {
                if hops.iter().any(|h| h.layer == HopLayer::ApiGateway) && hops.len() > 1 {
                    (HopLayer::ApiGateway, "who answered is unknown".to_string())
                } else if let Some(h) = hops.iter().find(|h| h.layer == HopLayer::ApiGateway) {
                    (h.layer, "who answered is unknown".to_string())
                } else {
                    (HopLayer::Server, String::new())
                }
            }
        },
    };
    if !hops.iter().any(|h| h.layer == layer) {
        add(hops, layer);
        if let Some(h) = hops.iter_mut().find(|h| h.layer == layer) {
            h.label = default_label(layer).to_string();
        }
    }
    let i = hops.iter().position(|h| h.layer == layer).unwrap_or(0);
    if let Some(h) = hops.get_mut(i) {
        if !note.is_empty() {
            h.note = note;
        }
    }
    // A hop inside API Gateway answered: API Gateway is on the path even if not listed.
    if layer.inside_gateway() && !hops.iter().any(|h| h.layer == HopLayer::ApiGateway) {
        add(hops, HopLayer::ApiGateway);
        if let Some(h) = hops.iter_mut().find(|h| h.layer == HopLayer::ApiGateway) {
            h.label = "API Gateway".to_string();
        }
        return hops.iter().position(|h| h.layer == layer).unwrap_or(0);
    }
    i
}

fn default_label(layer: HopLayer) -> &'static str {
    match layer {
        HopLayer::CloudFront => "CloudFront",
        HopLayer::Waf => "AWS WAF",
        HopLayer::CustomDomain => "custom domain",
        HopLayer::VpcEndpoint => "VPC endpoint",
        HopLayer::ResourcePolicy => "resource policy",
        HopLayer::ApiGateway => "API Gateway",
        HopLayer::Route => "route",
        HopLayer::Authorizer => "authorizer",
        HopLayer::ApiKey => "API key",
        HopLayer::Throttling => "throttling",
        HopLayer::Integration => "integration",
        HopLayer::Backend => "backend",
        HopLayer::FunctionUrl => "Lambda function URL",
        HopLayer::LoadBalancer => "load balancer",
        HopLayer::Server => "the server",
    }
}

/// The hop inside API Gateway that produced its own answer, from `x-amzn-ErrorType`
/// (REST APIs) and the configuration.
fn gateway_answer(
    x: &Exchange,
    resp: &crate::exchange::RecordedResponse,
    route: &RouteInfo,
) -> (HopLayer, String) {
    let error = x.gateway_error_type.as_deref().unwrap_or("");
    let body = resp.body_excerpt.to_ascii_lowercase();
    let note = |s: &str| s.to_string();
    match error {
        "UnauthorizedException" => (
            HopLayer::Authorizer,
            note("UnauthorizedException: no or bad credentials"),
        ),
        "MissingAuthenticationTokenException" => (
            HopLayer::Route,
            note("MissingAuthenticationTokenException: no resource or method matches"),
        ),
        "NotFoundException" => (HopLayer::Route, note("NotFoundException: no route matches")),
        "TooManyRequestsException" | "ThrottledException" | "LimitExceededException" => {
            (HopLayer::Throttling, format!("{error}: throttled"))
        }
        "AccessDeniedException" => {
            let policy = body.contains("execute-api:invoke")
                || body.contains("explicit deny") && !body.contains("access this resource")
                || (route.authorizer.is_none() && !body.contains("access this resource"));
            if policy {
                (
                    HopLayer::ResourcePolicy,
                    note("AccessDeniedException: the resource policy denies"),
                )
            } else {
                (
                    HopLayer::Authorizer,
                    note("AccessDeniedException: the authorizer's policy denies"),
                )
            }
        }
        "ForbiddenException" => {
            if route.api_key {
                (
                    HopLayer::ApiKey,
                    note("ForbiddenException: API key missing or invalid"),
                )
            } else if route.web_acl {
                (HopLayer::Waf, note("ForbiddenException: WAF_FILTERED"))
            } else {
                (
                    HopLayer::ApiGateway,
                    note("ForbiddenException: an API key or AWS WAF"),
                )
            }
        }
        "WAFFilteredException" => (HopLayer::Waf, format!("{error}: WAF_FILTERED")),
        "InvalidSignatureException" | "IncompleteSignatureException" => {
            (HopLayer::Authorizer, format!("{error}: IAM signature"))
        }
        "AuthorizerFailureException" | "AuthorizerConfigurationException" => (
            HopLayer::Authorizer,
            format!("{error}: the authorizer failed"),
        ),
        "InternalServerErrorException" | "IntegrationFailure" | "IntegrationTimeout" => (
            HopLayer::Integration,
            format!("{error}: API Gateway answers for the integration"),
        ),
        // HTTP APIs name no error type: the status and the route tell
        // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting.html).
        "" => match resp.status {
            200..=299 if route.cors_answers => (
                HopLayer::Route,
                note("API Gateway answers the preflight from the CORS configuration"),
            ),
            401 => (HopLayer::Authorizer, note("401: the authorizer refuses")),
            403 if route.authorizer.is_some() => {
                (HopLayer::Authorizer, note("403: the authorizer denies"))
            }
            404 => (HopLayer::Route, note("404: no route matches")),
            429 => (HopLayer::Throttling, note("429: throttled")),
            500 | 502 | 503 | 504 if route.integration.is_some() => (
                HopLayer::Integration,
                format!("{}: API Gateway answers for the integration", resp.status),
            ),
            _ => (HopLayer::ApiGateway, String::new()),
        },
        other => (HopLayer::ApiGateway, bounded(other, 48)),
    }
}
