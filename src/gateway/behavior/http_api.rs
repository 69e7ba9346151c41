//! HTTP APIs: routes, JWT/Lambda/IAM authorization and the cors_configuration.

use super::access::{check_authorizer, has_sigv4, throttled, AuthOutcome};
use super::backend::{BackendCall, BackendFailure};
use super::routing::{match_http_route, split_query};
use super::{extended_request_id, Answer, Context, MatchedRoute, Producer};
use crate::gateway::model::{Api, AuthorizationType, CorsConfiguration, Served};
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
    // Origin and Access-Control-Request-Method itself, whatever the routes.
    // Docs silent: whether an explicit OPTIONS route takes precedence. The model lets the
    // automatic answer win.
    if let (Some(cors), Some(origin), true) = (
        served.cors,
        origin,
        verb == "OPTIONS" && request.headers.contains("access-control-request-method"),
    ) {
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
    match method.authorization {
        AuthorizationType::None => {}
        AuthorizationType::AwsIam => {
            if !has_sigv4(request) {
                return http_error(
                    403,
                    "Forbidden",
                    "MISSING_AUTHENTICATION_TOKEN",
                    Some(matched),
                    ctx.seq,
                );
            }
        }
        _ => {
            let authorizer = method.authorizer.as_deref().and_then(|n| api.authorizer(n));
            match check_authorizer(authorizer, request) {
                AuthOutcome::Allowed => {}
                AuthOutcome::Rejected("UNAUTHORIZED") => {
                    return http_error(401, "Unauthorized", "UNAUTHORIZED", Some(matched), ctx.seq)
                }
                AuthOutcome::Rejected("ACCESS_DENIED") => {
                    return http_error(403, "Forbidden", "ACCESS_DENIED", Some(matched), ctx.seq)
                }
                AuthOutcome::Rejected(other) => {
                    return http_error(500, "Internal Server Error", other, Some(matched), ctx.seq)
                }
            }
        }
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
