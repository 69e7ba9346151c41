//! HTTP APIs: routes, JWT/Lambda/IAM authorization and the cors_configuration.
//!
//! Documented (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>):
//! with a cors_configuration API Gateway answers preflight OPTIONS requests itself, even
//! without an OPTIONS route, adds the configured headers to integration responses and ignores
//! CORS headers from the backend; CORS headers come back only when the request has `Origin`
//! (and, for OPTIONS, `Access-Control-Request-Method`). The `$default` route "catches
//! requests for all methods and routes that you haven't explicitly defined, including OPTIONS
//! requests": with an authorizer on it, the preflight meets the authorizer even when CORS is
//! configured; the fix is an `OPTIONS /{proxy+}` route without authorization, with an
//! integration attached (it has priority over `$default`).
//!
//! Choices the documentation leaves open, with the evidence each rests on:
//! - **An authorized `ANY` route (`ANY /{proxy+}`, `ANY /items`) catches the preflight like
//!   `$default`** (401 from a JWT/Lambda authorizer, 403 for IAM), with or without a
//!   cors_configuration. Evidence: anomalyco/sst#5493 (SST's HTTP API sets CORS by default;
//!   `ANY` routes with a JWT authorizer fail the preflight with "It does not have HTTP ok
//!   status" while `GET` routes work), and the same documented rule for `$default` ("all
//!   methods … not explicitly defined"). [`preflight_route`] is that one rule, shared by the
//!   behaviour, the diagnosis and the explorer.
//! - **A route the preflight reaches without authorization lets the automatic answer win**
//!   when a cors_configuration exists (its integration is not invoked). Evidence: the
//!   documented fix (an unauthorized `OPTIONS /{proxy+}` route) is described as making the
//!   preflight work with the configured CORS; API Gateway ignores backend CORS headers anyway.
//! - **An origin the configuration does not allow gets 204 without CORS headers** (not 403).
//!   Evidence: none either way in the docs; browsers treat both the same (blocked).
//! - **`Access-Control-Allow-Origin` is `*` only when allowOrigins is `*` alone and credentials
//!   are off; otherwise the request's origin is echoed.** Evidence: the Fetch standard forbids
//!   `*` with credentials; the docs list `*` as an allowed value.
//! - **Gateway errors (401 from an authorizer, 404, 429, 5xx) carry no CORS headers**, even
//!   with a cors_configuration. Evidence: the docs say the headers are added "to the response
//!   from an integration"; HTTP APIs have no gateway responses to customize.
//! - **Error bodies and headers**: `{"message":"…"}` with `apigw-requestid` and no
//!   `x-amzn-ErrorType`; 503 on an integration timeout, 500 on a failed integration. Evidence:
//!   observed responses quoted in user reports (verify); the docs do not list them.

use super::access::{check_authorizer, has_sigv4, throttled, AuthOutcome};
use super::backend::{BackendCall, BackendFailure};
use super::routing::{match_http_route, split_query, PathParams};
use super::{extended_request_id, Answer, Context, MatchedRoute, Producer};
use crate::gateway::model::{Api, AuthorizationType, CorsConfiguration, Method, Resource, Served};
use crate::http::{Headers, HttpRequest, HttpResponse};

pub(super) fn http_error(
    status: u16,
    message: &str,
    kind: &str,
    matched: Option<MatchedRoute>,
    seq: u64,
) -> Answer {
    // Docs silent on headers: HTTP APIs send `apigw-requestid`; no `x-amzn-ErrorType` has
    // been seen on their errors (verify).
    Answer {
        response: HttpResponse {
            status,
            headers: Headers::new()
                .with("content-type", "application/json")
                .with("apigw-requestid", extended_request_id(seq)),
            body: format!("{{\"message\":\"{message}\"}}").into_bytes(),
        },
        matched,
        produced_by: Producer::Gateway {
            response_type: kind.to_string(),
        },
    }
}

/// The route an HTTP API's preflight (`OPTIONS` on `path`) is routed to: an `OPTIONS` route,
/// else an `ANY` route, on the most specific matching path, else `$default`. `None` when no
/// route catches it (then a cors_configuration answers it, or 404 without one).
///
/// Whether that route stands in the preflight's way is [`preflight_blocked_by`]: one rule for
/// the behaviour, the diagnosis and the explorer.
pub fn preflight_route<'a>(
    resources: &'a [Resource],
    path: &str,
) -> Option<(&'a Resource, &'a Method, PathParams)> {
    match_http_route(resources, path, "OPTIONS")
}

/// True when the route that catches the preflight runs an authorizer or IAM first: a
/// preflight never carries credentials, so it is rejected (401/403) before any CORS answer.
pub fn preflight_blocked_by(method: &Method) -> bool {
    method.authorization != AuthorizationType::None
}

/// Runs the route's authorization; `Some` is the gateway's rejection.
fn authorize(
    api: &Api,
    method: &Method,
    request: &HttpRequest,
    matched: MatchedRoute,
    ctx: &Context<'_>,
) -> Option<Answer> {
    match method.authorization {
        AuthorizationType::None => None,
        AuthorizationType::AwsIam => (!has_sigv4(request)).then(|| {
            http_error(
                403,
                "Forbidden",
                "MISSING_AUTHENTICATION_TOKEN",
                Some(matched),
                ctx.seq,
            )
        }),
        _ => {
            let authorizer = method.authorizer.as_deref().and_then(|n| api.authorizer(n));
            match check_authorizer(authorizer, request) {
                AuthOutcome::Allowed => None,
                AuthOutcome::Rejected("UNAUTHORIZED") => Some(http_error(
                    401,
                    "Unauthorized",
                    "UNAUTHORIZED",
                    Some(matched),
                    ctx.seq,
                )),
                AuthOutcome::Rejected("ACCESS_DENIED") => Some(http_error(
                    403,
                    "Forbidden",
                    "ACCESS_DENIED",
                    Some(matched),
                    ctx.seq,
                )),
                AuthOutcome::Rejected(other) => Some(http_error(
                    500,
                    "Internal Server Error",
                    other,
                    Some(matched),
                    ctx.seq,
                )),
            }
        }
    }
}

fn is_cors_header(name: &str) -> bool {
    name.len() > 15 && name.as_bytes()[..15].eq_ignore_ascii_case(b"access-control-")
}

/// The Access-Control-Allow-Origin value for `origin`, if the configuration allows it.
fn http_allow_origin(cors: &CorsConfiguration, origin: &str) -> Option<String> {
    if !cors.allows_origin(origin) {
        return None;
    }
    let exact = cors
        .allow_origins
        .iter()
        .any(|o| o != "*" && !o.ends_with("://*"));
    // Docs silent on the exact value: `*` is returned when allowOrigins is `*` alone and
    // credentials are not allowed; otherwise the request's origin is echoed.
    if cors.allow_origins.iter().any(|o| o == "*") && !exact && cors.allow_credentials != Some(true)
    {
        Some("*".to_string())
    } else {
        Some(origin.to_string())
    }
}

pub(super) fn respond_http(
    api: &Api,
    served: &Served<'_>,
    request: &HttpRequest,
    ctx: &Context<'_>,
) -> Answer {
    let (path, _) = split_query(&request.path_and_query);
    let verb = request.method.to_ascii_uppercase();
    let origin = request.headers.get("origin");

    // Automatic preflight: with a cors_configuration API Gateway answers OPTIONS carrying
    // Origin and Access-Control-Request-Method itself, unless the route that catches OPTIONS
    // is authorized (`$default`, documented; an `ANY` route, docs silent: see the module
    // docs), in which case the preflight meets the authorizer first.
    let is_preflight = verb == "OPTIONS"
        && origin.is_some()
        && request.headers.contains("access-control-request-method");
    if let (Some(cors), Some(origin), true) = (served.cors, origin, is_preflight) {
        if let Some((resource, method, params)) = preflight_route(served.resources, path) {
            let matched = MatchedRoute {
                path: resource.path.clone(),
                method: Some(method.http_method.clone()),
                params,
            };
            if let Some(rejected) = authorize(api, method, request, matched, ctx) {
                return rejected;
            }
        }
        let mut headers = Headers::new().with("apigw-requestid", extended_request_id(ctx.seq));
        // Docs silent: an origin that is not allowed gets 204 without CORS headers.
        if let Some(allow) = http_allow_origin(cors, origin) {
            headers.push("access-control-allow-origin", allow);
            if cors.allow_credentials == Some(true) {
                headers.push("access-control-allow-credentials", "true");
            }
            if !cors.allow_methods.is_empty() {
                headers.push("access-control-allow-methods", cors.allow_methods.join(","));
            }
            if !cors.allow_headers.is_empty() {
                headers.push("access-control-allow-headers", cors.allow_headers.join(","));
            }
            if let Some(age) = cors.max_age {
                headers.push("access-control-max-age", age.to_string());
            }
        }
        return Answer {
            response: HttpResponse {
                status: 204,
                headers,
                body: Vec::new(),
            },
            matched: None,
            produced_by: Producer::CorsPreflight,
        };
    }

    let Some((resource, method, params)) = match_http_route(served.resources, path, &verb) else {
        return http_error(404, "Not Found", "NOT_FOUND", None, ctx.seq);
    };
    let matched = MatchedRoute {
        path: resource.path.clone(),
        method: Some(method.http_method.clone()),
        params,
    };
    if throttled(served.stage, &resource.path, &verb, ctx.recent_requests) {
        return http_error(
            429,
            "Too Many Requests",
            "THROTTLED",
            Some(matched),
            ctx.seq,
        );
    }
    if let Some(rejected) = authorize(api, method, request, matched.clone(), ctx) {
        return rejected;
    }
    let Some(integration) = &method.integration else {
        return http_error(
            500,
            "Internal Server Error",
            "API_CONFIGURATION_ERROR",
            Some(matched),
            ctx.seq,
        );
    };
    let reply = ctx.backend.invoke(&BackendCall {
        route_path: &resource.path,
        route_method: &method.http_method,
        integration,
        request,
    });
    match reply.failure {
        // Docs silent on the exact bodies (verify): 503 on timeout, 500 on a failed Lambda.
        Some(BackendFailure::Timeout) => {
            return http_error(
                503,
                "Service Unavailable",
                "INTEGRATION_TIMEOUT",
                Some(matched),
                ctx.seq,
            )
        }
        Some(BackendFailure::Error) => {
            return http_error(
                500,
                "Internal Server Error",
                "INTEGRATION_FAILURE",
                Some(matched),
                ctx.seq,
            )
        }
        None => {}
    }
    let mut headers = Headers::new();
    for (k, v) in &reply.headers {
        // Docs: with a cors_configuration, CORS headers from the backend are ignored.
        if served.cors.is_some() && is_cors_header(k) {
            continue;
        }
        headers.push(k.clone(), v.clone());
    }
    if !headers.contains("content-type") {
        headers.push("content-type", "application/json");
    }
    headers.push("apigw-requestid", extended_request_id(ctx.seq));
    if let (Some(cors), Some(origin)) = (served.cors, origin) {
        // Docs: the configured CORS headers are added to the integration's response when
        // the request has an Origin. Docs silent on gateway errors (401 from an authorizer):
        // the model adds none there.
        if let Some(allow) = http_allow_origin(cors, origin) {
            headers.push("access-control-allow-origin", allow);
            if cors.allow_credentials == Some(true) {
                headers.push("access-control-allow-credentials", "true");
            }
            if !cors.expose_headers.is_empty() {
                headers.push(
                    "access-control-expose-headers",
                    cors.expose_headers.join(","),
                );
            }
        }
    }
    Answer {
        response: HttpResponse {
            status: reply.status,
            headers,
            body: reply.body.into_bytes(),
        },
        matched: Some(matched),
        produced_by: Producer::Integration {
            kind: integration.kind,
        },
    }
}
