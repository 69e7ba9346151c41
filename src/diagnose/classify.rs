//! Reads one exchange the way an API Gateway engineer would: who answered and what it means.

use crate::evidence::{AnsweredBy, ConfigEvidence, Evidence, Exchange, ExchangeKind};
use crate::gateway::inspect;
use crate::gateway::model::AuthorizationType;

/// What the preflight's answer says about the OPTIONS method.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreflightClass {
    /// No HTTP answer at all.
    NoResponse(String),
    /// A 3xx: browsers never follow a redirected preflight.
    Redirect {
        status: u16,
        location: Option<String>,
    },
    /// API Gateway has no OPTIONS method (or route) for the resource.
    MethodMissing { status: u16 },
    /// An authorizer or IAM guards OPTIONS.
    Authorized { status: u16, error_type: String },
    /// OPTIONS requires an API key (or WAF blocked it: same signature).
    ApiKey { status: u16 },
    /// 2xx: the method exists and ran.
    Ok { status: u16 },
    /// Any other status (MOCK without a template → 500, backend error…).
    BadStatus { status: u16 },
}

pub fn classify_preflight(x: &Exchange) -> PreflightClass {
    let Some(resp) = &x.response else {
        let msg = x
            .error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "no response".to_string());
        return PreflightClass::NoResponse(msg);
    };
    let status = resp.status;
    let gateway = x.answered_by == AnsweredBy::Gateway;
    let error_type = x.gateway_error_type.as_deref().unwrap_or_default();
    let http_api_not_found = status == 404
        && resp.body_excerpt.contains("Not Found")
        && resp.headers.contains("apigw-requestid");
    match status {
        300..=399 => PreflightClass::Redirect {
            status,
            location: resp.headers.get("location").map(str::to_string),
        },
        200..=299 => PreflightClass::Ok { status },
        403 if gateway && error_type == "MissingAuthenticationTokenException" => {
            PreflightClass::MethodMissing { status }
        }
        _ if http_api_not_found => PreflightClass::MethodMissing { status },
        401 | 403 | 500
            if gateway
                // A resource-policy deny is no authorizer (step 3 names it).
                && !crate::gateway::front::private::is_policy_deny(resp)
                && matches!(
                    error_type,
                    "UnauthorizedException"
                        | "AccessDeniedException"
                        | "AuthorizerConfigurationException"
                        | "AuthorizerFailureException"
                        | "IncompleteSignatureException"
                        | "InvalidSignatureException"
                        | "ExpiredTokenException"
                ) =>
        {
            PreflightClass::Authorized {
                status,
                error_type: error_type.to_string(),
            }
        }
        // HTTP APIs answer a JWT/Lambda-authorized route with 401 {"message":"Unauthorized"}
        // and no x-amzn-ErrorType.
        401 if resp.headers.contains("apigw-requestid") => PreflightClass::Authorized {
            status,
            error_type: "Unauthorized".to_string(),
        },
        403 if gateway && error_type == "ForbiddenException" => PreflightClass::ApiKey { status },
        404 | 405 | 501 if !gateway => PreflightClass::MethodMissing { status },
        _ => PreflightClass::BadStatus { status },
    }
}

/// The gateway response type a gateway error most likely came from, by `x-amzn-ErrorType`
/// and status (several types share a signature: see shared/reference/api-gateway.md).
pub fn gateway_response_type(error_type: &str, status: u16) -> &'static str {
    match error_type {
        "MissingAuthenticationTokenException" => "MISSING_AUTHENTICATION_TOKEN",
        "UnauthorizedException" => "UNAUTHORIZED",
        "AccessDeniedException" => "ACCESS_DENIED",
        "ForbiddenException" => "INVALID_API_KEY",
        "TooManyRequestsException" => "THROTTLED",
        "LimitExceededException" => "QUOTA_EXCEEDED",
        "ExpiredTokenException" => "EXPIRED_TOKEN",
        "InvalidSignatureException" | "IncompleteSignatureException" => "INVALID_SIGNATURE",
        "AuthorizerConfigurationException" => "AUTHORIZER_CONFIGURATION_ERROR",
        "AuthorizerFailureException" => "AUTHORIZER_FAILURE",
        "BadRequestException" => "BAD_REQUEST_BODY",
        "RequestTooLargeException" => "REQUEST_TOO_LARGE",
        "UnsupportedMediaTypeException" => "UNSUPPORTED_MEDIA_TYPE",
        "ResourceNotFoundException" => "RESOURCE_NOT_FOUND",
        _ => match status {
            502 => "INTEGRATION_FAILURE",
            504 => "INTEGRATION_TIMEOUT",
            500..=599 => "DEFAULT_5XX",
            _ => "DEFAULT_4XX",
        },
    }
}

/// Plain words for a gateway error, for people.
pub fn explain_gateway_error(error_type: &str, status: u16) -> &'static str {
    match error_type {
        "MissingAuthenticationTokenException" => {
            "no such resource or method on this stage (or IAM signing required)"
        }
        "UnauthorizedException" => "an authorizer rejected the request (no or invalid token)",
        "AccessDeniedException" => "an authorizer or resource policy denied the request",
        "ForbiddenException" => "a missing or invalid API key (or an AWS WAF block)",
        "TooManyRequestsException" => "the request was throttled",
        "LimitExceededException" => "a usage-plan quota is exhausted",
        "InternalServerErrorException" => "an API Gateway configuration error",
        _ => match status {
            502 => "the integration failed (bad Lambda response or unreachable backend)",
            504 => "the integration timed out",
            500..=599 => "a gateway-side server error",
            _ => "a gateway-generated error",
        },
    }
}

/// An HTTP API error whose status and body are those API Gateway itself sends
/// (`{"message":"Unauthorized"}` …). HTTP APIs send no `x-amzn-ErrorType`, so the headers
/// alone cannot tell it from a backend that answers the same way.
pub fn http_gateway_shaped(x: &Exchange) -> bool {
    x.response
        .as_ref()
        .is_some_and(crate::evidence::http_api_error_shaped)
}

/// The configuration facts of the method `x` reaches: `OPTIONS` for a preflight (the
/// foreign-origin one too), else the app's method; with whether `x` is a preflight. `None`
/// without a loaded configuration.
pub(in crate::diagnose) fn exchange_facts(
    evidence: &Evidence,
    x: &Exchange,
) -> Option<(inspect::ConfigFacts, bool)> {
    let ConfigEvidence::Loaded {
        api, stage, path, ..
    } = &evidence.config
    else {
        return None;
    };
    let preflight = matches!(
        x.kind,
        ExchangeKind::Preflight | ExchangeKind::ForeignOrigin
    );
    let method = if preflight {
        "OPTIONS"
    } else {
        evidence.target.method.as_str()
    };
    Some((
        inspect::facts(api, stage.as_deref(), path, method),
        preflight,
    ))
}

/// Who answered an HTTP API error, by the configuration: the route that catches the request
/// is authorized and the status is 401/403 → its authorizer; no route and 404 → API Gateway.
/// An empty 2xx to a preflight: with a cors_configuration and no authorized route catching
/// OPTIONS → API Gateway's own CORS answer; without one, the OPTIONS route's integration.
/// `None` when the configuration does not tell (or is not an HTTP API's): the answer stays
/// [`AnsweredBy::GatewayOrBackend`].
pub fn http_error_source(evidence: &Evidence, x: &Exchange) -> Option<&'static str> {
    http_answer_source(evidence, x).map(|(_, words)| words)
}

/// [`http_error_source`] with the attribution it implies.
pub fn http_answer_source(evidence: &Evidence, x: &Exchange) -> Option<(AnsweredBy, &'static str)> {
    let response = x.response.as_ref()?;
    let preflight_2xx = crate::evidence::http_api_preflight_shaped(&x.request, response);
    if !http_gateway_shaped(x) && !preflight_2xx {
        return None;
    }
    if !matches!(
        evidence.config,
        ConfigEvidence::Loaded {
            unresolved: None,
            ..
        }
    ) {
        return None;
    }
    let (facts, preflight) = exchange_facts(evidence, x)?;
    let http = facts.http?;
    if preflight_2xx {
        // The automatic answer wins unless an authorized route catches OPTIONS (then the
        // 2xx came from that route's integration after all, or not from this stage's
        // configuration: unsure).
        let route_authorized = http
            .options_route
            .as_ref()
            .is_some_and(|r| r.authorization != AuthorizationType::None);
        return match (&http.cors, &http.options_route) {
            (Some(_), _) if !route_authorized => {
                Some((AnsweredBy::Gateway, "API Gateway (its CORS configuration)"))
            }
            (None, Some(r)) if r.integration.is_some() && !route_authorized => {
                Some((AnsweredBy::Backend, "the integration"))
            }
            _ => None,
        };
    }
    let route = if preflight {
        http.options_route
    } else {
        http.actual_route
    };
    match (x.status()?, route) {
        (401 | 403, Some(r)) if r.authorization != AuthorizationType::None => {
            Some((AnsweredBy::Gateway, "API Gateway (the route's authorizer)"))
        }
        (404, None) => Some((AnsweredBy::Gateway, "API Gateway (no route matches)")),
        _ => None,
    }
}

/// Settles HTTP API answers the headers leave open ([`AnsweredBy::GatewayOrBackend`], or
/// the backend for exchanges recorded before that value existed) when the configuration
/// says who produced them ([`http_answer_source`]). Predicted exchanges are attributed by
/// the behaviour model and are left alone.
pub fn refine_attribution(evidence: &mut Evidence) {
    let settled: Vec<Option<AnsweredBy>> = evidence
        .exchanges
        .iter()
        .map(|x| {
            let open = matches!(
                x.answered_by,
                AnsweredBy::Backend | AnsweredBy::GatewayOrBackend
            );
            if x.predicted {
                None
            } else if super::steps::settles_as_waf(evidence, x) {
                // A web ACL on the stage and no API key: WAF_FILTERED, not INVALID_API_KEY.
                Some(AnsweredBy::Waf)
            } else if super::steps::settles_as_function_url(evidence, x) {
                Some(AnsweredBy::FunctionUrl)
            } else if open {
                http_answer_source(evidence, x).map(|(by, _)| by)
            } else {
                None
            }
        })
        .collect();
    // A private API's public endpoint answers with the no-mapping 403's shape: the
    // configuration tells them apart.
    let outside_vpc: Vec<bool> = evidence
        .exchanges
        .iter()
        .map(|x| super::steps::outside_vpc(evidence, x))
        .collect();
    for ((x, by), outside_vpc) in evidence.exchanges.iter_mut().zip(settled).zip(outside_vpc) {
        if let Some(by) = by {
            x.answered_by = by;
        }
        // The custom domain's own 403 (no base path mapping): API Gateway's shape, but no
        // API answered it.
        if !outside_vpc
            && x.response
                .as_ref()
                .is_some_and(|r| crate::gateway::front::domain::is_no_mapping_answer(&x.request, r))
        {
            x.answered_by = AnsweredBy::CustomDomain;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ConfigSourceKind, RecordedRequest, RecordedResponse};
    use crate::http::Headers;
    use crate::target::{CredentialsMode, Target};

    fn export(name: &str) -> crate::gateway::Api {
        let path = format!(
            "{}/assets/scenarios/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        crate::gateway::openapi::import_str(&text).unwrap()
    }

    fn exchange(kind: ExchangeKind, status: u16, body: &str) -> Exchange {
        let method = match kind {
            ExchangeKind::Preflight | ExchangeKind::ForeignOrigin => "OPTIONS",
            _ => "GET",
        };
        let mut headers = Headers::new().with("origin", "https://app.example.com");
        if method == "OPTIONS" {
            headers.push("access-control-request-method", "GET");
        }
        let request = RecordedRequest {
            method: method.into(),
            url: "https://abc.execute-api.us-east-1.amazonaws.com/notes".into(),
            headers,
            body: None,
        };
        let response = RecordedResponse {
            status,
            headers: Headers::new().with("apigw-requestid", "Ab1="),
            body_excerpt: body.into(),
            body_truncated: false,
        };
        let (answered_by, gateway_error_type) =
            crate::evidence::attribute_answer(&request, &response);
        Exchange {
            id: "x1".into(),
            kind,
            request,
            response: Some(response),
            error: None,
            answered_by,
            gateway_error_type,
            elapsed_ms: 1,
            predicted: false,
        }
    }

    fn evidence(api: Option<crate::gateway::Api>, path: &str, x: Exchange) -> Evidence {
        let config = match api {
            Some(api) => ConfigEvidence::Loaded {
                source: ConfigSourceKind::Openapi,
                api: std::sync::Arc::new(api),
                stage: None,
                path: path.into(),
                backend_known: false,
                gaps: vec![],
                unresolved: None,
                front: Default::default(),
            },
            None => ConfigEvidence::NotRequested {
                reason: "--no-aws".into(),
            },
        };
        Evidence {
            target: Target {
                url: url::Url::parse("https://abc.execute-api.us-east-1.amazonaws.com/notes")
                    .unwrap(),
                origin: "https://app.example.com".into(),
                method: "GET".into(),
                headers: Headers::new().with("authorization", "Bearer x"),
                body: None,
                credentials: CredentialsMode::SameOrigin,
            },
            exchanges: vec![x],
            config,
            browser: None,
        }
    }

    fn refined(ev: Evidence) -> AnsweredBy {
        let mut ev = ev;
        refine_attribution(&mut ev);
        ev.exchanges[0].answered_by
    }

    #[test]
    fn without_configuration_an_http_apis_own_shapes_stay_unsure() {
        let unauthorized = r#"{"message":"Unauthorized"}"#;
        for x in [
            exchange(ExchangeKind::Preflight, 401, unauthorized),
            exchange(ExchangeKind::Preflight, 204, ""),
            exchange(ExchangeKind::Actual, 404, r#"{"message":"Not Found"}"#),
        ] {
            assert_eq!(
                refined(evidence(None, "/notes", x)),
                AnsweredBy::GatewayOrBackend
            );
        }
    }

    #[test]
    fn the_configuration_settles_who_answered() {
        let unauthorized = r#"{"message":"Unauthorized"}"#;
        // $default with a JWT authorizer catches the preflight: its 401 is the authorizer's.
        let jwt = export("http-api-default-route-jwt");
        let x = exchange(ExchangeKind::Preflight, 401, unauthorized);
        let ev = evidence(Some(jwt.clone()), "/notes", x.clone());
        assert_eq!(
            http_error_source(&ev, &x),
            Some("API Gateway (the route's authorizer)")
        );
        assert_eq!(refined(ev), AnsweredBy::Gateway);
        // A 204 to the preflight while an authorized route catches OPTIONS and no
        // cors_configuration exists: the configuration does not explain it; still unsure.
        let x = exchange(ExchangeKind::Preflight, 204, "");
        assert_eq!(
            refined(evidence(Some(jwt), "/notes", x)),
            AnsweredBy::GatewayOrBackend
        );

        // A cors_configuration and no route catching OPTIONS: API Gateway's own answer.
        let healthy = export("http-api-healthy");
        let x = exchange(ExchangeKind::Preflight, 204, "");
        let ev = evidence(Some(healthy.clone()), "/tasks", x.clone());
        assert_eq!(
            http_error_source(&ev, &x),
            Some("API Gateway (its CORS configuration)")
        );
        assert_eq!(refined(ev), AnsweredBy::Gateway);
        // No route for the path: the 404 is API Gateway's.
        let x = exchange(ExchangeKind::Actual, 404, r#"{"message":"Not Found"}"#);
        assert_eq!(
            refined(evidence(Some(healthy.clone()), "/nothing", x)),
            AnsweredBy::Gateway
        );
        // A route exists: a 404 from it could still be the function's (or an undeployed
        // route): unsure. A body API Gateway never sends is the backend's.
        let x = exchange(ExchangeKind::Actual, 404, r#"{"message":"Not Found"}"#);
        assert_eq!(
            refined(evidence(Some(healthy.clone()), "/tasks", x)),
            AnsweredBy::GatewayOrBackend
        );
        let x = exchange(ExchangeKind::Actual, 404, r#"{"error":"no such task"}"#);
        assert_eq!(
            refined(evidence(Some(healthy), "/tasks", x)),
            AnsweredBy::Backend
        );
    }
}
