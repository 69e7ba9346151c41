//! What API Gateway answers: given an [`Api`], a stage and a request, the response it sends.
//!
//! Pure and deterministic: the backend of proxy and HTTP integrations is a [`Backend`] the
//! caller supplies (a scenario describes one), request ids come from a sequence number, and
//! throttling is decided from settings plus a count of recent requests the caller passes.
//!
//! The rules follow shared/reference/api-gateway.md. Where AWS documentation is silent the
//! code says so in a comment starting with "Docs silent".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{
    default_response_type, gateway_response_info, Api, ApiKind, AuthorizationType, Authorizer,
    AuthorizerKind, CorsConfiguration, Integration, IntegrationType, Method, Resource, Served,
    Stage, DEFAULT_ROUTE, DEFAULT_STAGE,
};
use crate::http::{Headers, HttpRequest, HttpResponse};

// ---------------------------------------------------------------------------------------------
// Backends

/// What a backend (Lambda, HTTP endpoint) answers. In a scenario file:
/// `{"status": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}` or
/// `{"failure": "timeout"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendReply {
    #[serde(default = "ok_status")]
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: String,
    /// The backend does not answer properly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<BackendFailure>,
}

fn ok_status() -> u16 {
    200
}

impl Default for BackendReply {
    fn default() -> Self {
        BackendReply {
            status: 200,
            headers: BTreeMap::new(),
            body: String::new(),
            failure: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendFailure {
    /// The integration timed out (REST: 504 INTEGRATION_TIMEOUT).
    Timeout,
    /// The Lambda function failed or returned a malformed proxy response (REST: 502).
    Error,
}

/// One call from API Gateway to an integration.
#[derive(Clone, Copy, Debug)]
pub struct BackendCall<'a> {
    /// The resource or route template path (`/items/{id}`, `$default`).
    pub route_path: &'a str,
    /// The configured method (`GET`, or `ANY`).
    pub route_method: &'a str,
    pub integration: &'a Integration,
    /// The request as the client sent it (path below the stage).
    pub request: &'a HttpRequest,
}

/// The integrations behind an API.
pub trait Backend {
    fn invoke(&self, call: &BackendCall<'_>) -> BackendReply;
}

/// A backend that answers every call the same way.
#[derive(Clone, Debug, Default)]
pub struct FixedBackend(pub BackendReply);

impl Backend for FixedBackend {
    fn invoke(&self, _call: &BackendCall<'_>) -> BackendReply {
        self.0.clone()
    }
}

/// Replies by route: keys `"GET /items"`, `"ANY /items/{id}"`, `"$default"` or `"*"`; a call
/// is answered by `"<request method> <template>"`, then `"<configured method> <template>"`,
/// then `"<template>"`, then `"*"`, then [`BackendReply::default`] (200, no headers, empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RouteBackend(pub BTreeMap<String, BackendReply>);

impl Backend for RouteBackend {
    fn invoke(&self, call: &BackendCall<'_>) -> BackendReply {
        let method = call.request.method.to_ascii_uppercase();
        let keys = [
            format!("{method} {}", call.route_path),
            format!("{} {}", call.route_method, call.route_path),
            call.route_path.to_string(),
            "*".to_string(),
        ];
        keys.iter()
            .find_map(|k| self.0.get(k))
            .cloned()
            .unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Calls and answers

/// Everything about one call that is not configuration or the request itself.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// A sequence number the request ids are derived from (deterministic).
    pub seq: u64,
    /// How many requests the same stage+method received in the current second before this
    /// one (a simulator counts them; 0 for a one-off prediction).
    pub recent_requests: u32,
    pub backend: &'a dyn Backend,
}

impl<'a> Context<'a> {
    pub fn new(seq: u64, backend: &'a dyn Backend) -> Self {
        Context {
            seq,
            recent_requests: 0,
            backend,
        }
    }
}

/// Who produced the response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum Producer {
    /// A gateway-generated error (REST: the gateway response type; HTTP APIs: a description
    /// such as `NOT_FOUND` using the REST type names where one fits).
    Gateway { response_type: String },
    /// The integration (MOCK, proxy, HTTP or AWS) answered.
    Integration { kind: IntegrationType },
    /// An HTTP API answered the preflight itself from its cors_configuration.
    CorsPreflight,
}

/// The route a request matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedRoute {
    /// Template path (`/items/{id}`, `$default`).
    pub path: String,
    /// Configured method (`GET` or `ANY`); `None` when the resource matched but no method.
    pub method: Option<String>,
    /// Path parameters (`id` → `42`, `proxy` → `a/b`).
    pub params: Vec<(String, String)>,
}

/// API Gateway's answer and how it came about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub response: HttpResponse,
    pub matched: Option<MatchedRoute>,
    pub produced_by: Producer,
}

/// A uuid-shaped request id derived from `seq` (`x-amzn-RequestId`, `apigw-requestid`).
pub fn request_id(seq: u64) -> String {
    let a = mix(seq);
    let b = mix(a ^ 0x9e37_79b9_7f4a_7c15);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// The 16-character extended request id (`x-amz-apigw-id`) derived from `seq`.
pub fn extended_request_id(seq: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut v = mix(seq ^ 0x5bd1_e995);
    let mut out = String::with_capacity(16);
    for _ in 0..15 {
        out.push(char::from(ALPHABET[(v & 63) as usize]));
        v = if v < 64 { mix(v ^ seq) } else { v >> 6 };
    }
    out.push('=');
    out
}

fn mix(x: u64) -> u64 {
    // splitmix64
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Splits a path as sent to the default endpoint into the stage and the path below it.
/// REST: the first segment names the stage. HTTP APIs: the first segment if it names a stage,
/// else the `$default` stage with the whole path. `None` when no stage applies (a REST path
/// with no segment, or a stage name the API does not have while it has stages).
pub fn split_stage(api: &Api, path_and_query: &str) -> Option<(String, String)> {
    let trimmed = path_and_query.trim_start_matches('/');
    let (first, rest) = match trimmed.find(['/', '?']) {
        Some(i) => (&trimmed[..i], &trimmed[i..]),
        None => (trimmed, ""),
    };
    let rest = if rest.is_empty() || rest.starts_with('?') {
        format!("/{rest}")
    } else {
        rest.to_string()
    };
    let named = !first.is_empty() && (api.stage(first).is_some() || api.stages.is_empty());
    match api.kind {
        ApiKind::Rest if named => Some((first.to_string(), rest)),
        ApiKind::Rest => None,
        ApiKind::Http if api.stage(first).is_some() && first != DEFAULT_STAGE => {
            Some((first.to_string(), rest))
        }
        ApiKind::Http => Some((DEFAULT_STAGE.to_string(), path_and_query.to_string())),
    }
}

/// [`split_stage`] then [`respond`]: for a simulator serving the default endpoint's paths.
/// An unknown stage gets REST's 403 `{"message":"Forbidden"}` or an HTTP API's 404.
pub fn respond_to_path(api: &Api, request: &HttpRequest, ctx: &Context<'_>) -> Answer {
    match split_stage(api, &request.path_and_query) {
        Some((stage, rest)) => {
            let mut below = request.clone();
            below.path_and_query = rest;
            respond(api, Some(&stage), &below, ctx)
        }
        None => match api.kind {
            // Docs silent: an unknown stage on the default endpoint answers 403 Forbidden
            // (ForbiddenException), as observed in practice (verify).
            ApiKind::Rest => Answer {
                response: rest_error(
                    403,
                    "ForbiddenException",
                    "{\"message\":\"Forbidden\"}".into(),
                    ctx.seq,
                ),
                matched: None,
                produced_by: Producer::Gateway {
                    response_type: "UNKNOWN_STAGE".into(),
                },
            },
            ApiKind::Http => http_error(404, "Not Found", "NOT_FOUND", None, ctx.seq),
        },
    }
}

/// The response API Gateway sends for `request` on `stage`.
///
/// `request.path_and_query` is the path **below the stage** (`/items/42?x=1`); see
/// [`split_stage`] / [`respond_to_path`] for URLs as sent to the default endpoint. `stage`
/// selects what is served (the stage's deployment, see [`Api::served`]), its throttling and
/// stage variables; `None` (or an unknown name) uses the working copy without stage settings.
pub fn respond(api: &Api, stage: Option<&str>, request: &HttpRequest, ctx: &Context<'_>) -> Answer {
    let served = api.served(stage);
    match api.kind {
        ApiKind::Rest => respond_rest(api, &served, request, ctx),
        ApiKind::Http => respond_http(api, &served, request, ctx),
    }
}

// ---------------------------------------------------------------------------------------------
// Routing

/// Path parameters in template order (`id` → `42`, `proxy` → `a/b`).
pub type PathParams = Vec<(String, String)>;

/// Splits `path_and_query` into the path and the query string.
fn split_query(path_and_query: &str) -> (&str, &str) {
    path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""))
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Matches a concrete path against a template. Returns the path parameters and a specificity
/// key (higher is more specific: literal segments beat `{param}`, which beats `{proxy+}`).
pub fn match_template(template: &str, path: &str) -> Option<(PathParams, Vec<u8>)> {
    if template == DEFAULT_ROUTE {
        return None;
    }
    let t = segments(template);
    let p = segments(path);
    let mut params = Vec::new();
    let mut score = Vec::new();
    for (i, seg) in t.iter().enumerate() {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
            if i != t.len() - 1 || p.len() <= i {
                return None;
            }
            params.push((name.to_string(), p[i..].join("/")));
            score.push(0);
            return Some((params, score));
        }
        let actual = p.get(i)?;
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            params.push((name.to_string(), (*actual).to_string()));
            score.push(1);
        } else if seg == actual {
            score.push(2);
        } else {
            return None;
        }
    }
    (t.len() == p.len()).then_some((params, score))
}

/// Resources whose template matches `path`, most specific first.
pub fn matching_resources<'a>(
    resources: &'a [Resource],
    path: &str,
) -> Vec<(&'a Resource, Vec<(String, String)>)> {
    let mut found: Vec<(&Resource, PathParams, Vec<u8>)> = resources
        .iter()
        .filter_map(|r| match_template(&r.path, path).map(|(p, s)| (r, p, s)))
        .collect();
    found.sort_by(|a, b| b.2.cmp(&a.2));
    found.into_iter().map(|(r, p, _)| (r, p)).collect()
}

/// REST: the most specific resource for `path` (API Gateway picks the resource first, then
/// the method on it).
pub fn match_rest_resource<'a>(
    resources: &'a [Resource],
    path: &str,
) -> Option<(&'a Resource, Vec<(String, String)>)> {
    // Docs silent: whether a request whose method is missing on the most specific resource
    // falls back to a `{proxy+}` sibling. We follow the common observation that it does not
    // (403 Missing Authentication Token).
    matching_resources(resources, path).into_iter().next()
}

/// The method on `resource` answering `verb`: the exact one, else `ANY`.
pub fn method_for<'a>(resource: &'a Resource, verb: &str) -> Option<&'a Method> {
    resource.method(verb).or_else(|| resource.method("ANY"))
}

/// HTTP API route selection: the most specific route path with the exact method, else `ANY`
/// on it, trying less specific paths (greedy last), and finally `$default`.
pub fn match_http_route<'a>(
    resources: &'a [Resource],
    path: &str,
    verb: &str,
) -> Option<(&'a Resource, &'a Method, PathParams)> {
    for (r, params) in matching_resources(resources, path) {
        if let Some(m) = method_for(r, verb) {
            return Some((r, m, params));
        }
    }
    let r = resources.iter().find(|r| r.path == DEFAULT_ROUTE)?;
    let m = method_for(r, verb)?;
    Some((r, m, Vec::new()))
}

// ---------------------------------------------------------------------------------------------
// REST APIs

fn rest_headers(seq: u64) -> Headers {
    Headers::new()
        .with("Content-Type", "application/json")
        .with("x-amzn-RequestId", request_id(seq))
        .with("x-amz-apigw-id", extended_request_id(seq))
}

fn rest_error(status: u16, error_type: &str, body: String, seq: u64) -> HttpResponse {
    let mut headers = rest_headers(seq);
    headers.push("x-amzn-ErrorType", error_type);
    HttpResponse {
        status,
        headers,
        body: body.into_bytes(),
    }
}

/// Values a mapping expression can read.
struct ExprEnv<'a> {
    request: &'a HttpRequest,
    path_params: &'a [(String, String)],
    stage: Option<&'a Stage>,
    request_id: &'a str,
    integration_headers: Option<&'a Headers>,
}

impl ExprEnv<'_> {
    /// Evaluates a mapping expression: `'literal'`, `method.request.header.X`,
    /// `method.request.querystring.x`, `method.request.path.x`, `stageVariables.x`,
    /// `context.requestId`, `integration.response.header.X`. `None` when it has no value
    /// (the header is then not sent).
    fn eval(&self, expr: &str) -> Option<String> {
        let expr = expr.trim();
        if let Some(lit) = expr.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            return Some(lit.to_string());
        }
        if let Some(name) = expr.strip_prefix("method.request.header.") {
            return self.request.headers.get(name).map(str::to_string);
        }
        if let Some(name) = expr.strip_prefix("method.request.querystring.") {
            return query_param(&self.request.path_and_query, name);
        }
        if let Some(name) = expr.strip_prefix("method.request.path.") {
            return self
                .path_params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone());
        }
        if let Some(name) = expr.strip_prefix("stageVariables.") {
            return self.stage.and_then(|s| s.variables.get(name)).cloned();
        }
        if expr == "context.requestId" {
            return Some(self.request_id.to_string());
        }
        if let Some(name) = expr.strip_prefix("integration.response.header.") {
            return self
                .integration_headers
                .and_then(|h| h.get(name))
                .map(str::to_string);
        }
        // Docs: other sources (body JSONPath, multivalue headers, context variables) exist;
        // the model does not evaluate them.
        None
    }
}

fn query_param(path_and_query: &str, name: &str) -> Option<String> {
    let (_, query) = split_query(path_and_query);
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| v.to_string())
    })
}

/// A gateway-generated REST error of `response_type`, shaped by the customized gateway
/// response of that type or, failing that, by DEFAULT_4XX / DEFAULT_5XX.
fn gateway_error(
    served: &Served<'_>,
    response_type: &str,
    request: &HttpRequest,
    path_params: &[(String, String)],
    matched: Option<MatchedRoute>,
    seq: u64,
) -> Answer {
    let (default_status, error_type, message) = match gateway_response_info(response_type) {
        Some(i) => (i.default_status, i.error_type, i.message),
        None => (500, "InternalServerErrorException", "Internal server error"),
    };
    // A Lambda that fails gives 502 under DEFAULT_5XX (there is no own type for it).
    let default_status = if response_type == "LAMBDA_ERROR" {
        502
    } else {
        default_status
    };
    let custom = served.gateway_response(response_type).or_else(|| {
        // Docs: DEFAULT_4XX/5XX customize every type of their class that is not customized.
        served.gateway_response(default_response_type(default_status))
    });
    // Docs silent: the status code of a customized DEFAULT_4XX/5XX is not applied to the
    // specific types it covers; a specific type's own statusCode is.
    let status = custom
        .filter(|c| c.response_type == response_type)
        .and_then(|c| c.status_code.as_deref())
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_status);
    let rid = request_id(seq);
    let env = ExprEnv {
        request,
        path_params,
        stage: served.stage,
        request_id: &rid,
        integration_headers: None,
    };
    let template = custom
        .and_then(|c| {
            c.response_templates
                .get("application/json")
                .cloned()
                .flatten()
        })
        .unwrap_or_else(|| "{\"message\":$context.error.messageString}".to_string());
    let body = render_error_template(&template, message, response_type, &rid);
    let mut response = rest_error(status, error_type, body, seq);
    if let Some(c) = custom {
        for (key, expr) in &c.response_parameters {
            if let Some(name) = key.strip_prefix("gatewayresponse.header.") {
                // Docs silent: a header whose source has no value (no Origin sent) is omitted.
                if let Some(value) = env.eval(expr) {
                    response.headers.push(name, value);
                }
            }
        }
    }
    Answer {
        response,
        matched,
        produced_by: Producer::Gateway {
            response_type: response_type.to_string(),
        },
    }
}

fn render_error_template(template: &str, message: &str, response_type: &str, rid: &str) -> String {
    let quoted = serde_json::to_string(message).unwrap_or_else(|_| format!("\"{message}\""));
    template
        .replace("$context.error.messageString", &quoted)
        .replace("$context.error.message", message)
        .replace("$context.error.responseType", response_type)
        .replace("$context.requestId", rid)
}

/// How an authorizer or IAM check ends.
enum AuthOutcome {
    Allowed,
    /// Gateway response type to answer with.
    Rejected(&'static str),
}

/// Does the request carry what the authorizer reads? The model cannot validate tokens: a
/// present identity is accepted, except the simulator conventions `invalid` (Cognito/JWT →
/// 401) and `deny` (Lambda → 403 ACCESS_DENIED).
fn check_authorizer(authorizer: Option<&Authorizer>, request: &HttpRequest) -> AuthOutcome {
    let Some(a) = authorizer else {
        return AuthOutcome::Rejected("AUTHORIZER_CONFIGURATION_ERROR");
    };
    let mut values = Vec::new();
    for source in a
        .identity_source
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let value = if let Some(q) = source
            .strip_prefix("method.request.querystring.")
            .or_else(|| source.strip_prefix("$request.querystring."))
        {
            query_param(&request.path_and_query, q)
        } else if let Some(h) = source
            .strip_prefix("method.request.header.")
            .or_else(|| source.strip_prefix("$request.header."))
        {
            request.headers.get(h).map(str::to_string)
        } else {
            // Context and stage variables are always present.
            Some(String::new())
        };
        values.push(value);
    }
    if values.is_empty() {
        values = a
            .identity_headers()
            .iter()
            .map(|h| request.headers.get(h).map(str::to_string))
            .collect();
    }
    // Docs: a missing identity source gives 401 Unauthorized without calling the authorizer.
    if values
        .iter()
        .any(|v| v.as_deref().is_none_or(|s| s.trim().is_empty()))
    {
        return AuthOutcome::Rejected("UNAUTHORIZED");
    }
    let token = values
        .first()
        .cloned()
        .flatten()
        .unwrap_or_default()
        .trim()
        .trim_start_matches("Bearer ")
        .to_string();
    match a.kind {
        AuthorizerKind::Token | AuthorizerKind::Request if token == "deny" => {
            AuthOutcome::Rejected("ACCESS_DENIED")
        }
        AuthorizerKind::CognitoUserPools | AuthorizerKind::Jwt if token == "invalid" => {
            AuthOutcome::Rejected("UNAUTHORIZED")
        }
        _ => AuthOutcome::Allowed,
    }
}

/// IAM: a SigV4 signature (header or presigned query) is accepted unchecked; without one,
/// REST answers 403 Missing Authentication Token.
fn has_sigv4(request: &HttpRequest) -> bool {
    request
        .headers
        .get("authorization")
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256"))
        || query_param(&request.path_and_query, "X-Amz-Signature").is_some()
}

fn throttled(stage: Option<&Stage>, path: &str, method: &str, recent: u32) -> bool {
    let Some(stage) = stage else {
        return false;
    };
    // The most specific setting wins: a method's own over `*`.
    let setting = stage
        .throttling
        .iter()
        .filter(|t| t.applies_to(path, method))
        .max_by_key(|t| (t.path != "*", t.method != "*"));
    setting.is_some_and(|t| {
        // Limits of 0 block every request (AWS documents this for stage/method throttling);
        // otherwise the burst is what the simulator can count deterministically.
        t.burst_limit <= 0 || t.rate_limit <= 0.0 || i64::from(recent) >= t.burst_limit
    })
}

fn api_key_valid(api: &Api, stage: Option<&Stage>, request: &HttpRequest) -> bool {
    let Some(key) = request.headers.get("x-api-key") else {
        return false;
    };
    api.api_keys.iter().any(|k| {
        k.enabled
            && k.value == key
            && (k.stages.is_empty() || stage.is_some_and(|s| k.stages.iter().any(|n| n == &s.name)))
    })
}

fn respond_rest(
    api: &Api,
    served: &Served<'_>,
    request: &HttpRequest,
    ctx: &Context<'_>,
) -> Answer {
    let (path, _) = split_query(&request.path_and_query);
    let verb = request.method.to_ascii_uppercase();
    let Some((resource, params)) = match_rest_resource(served.resources, path) else {
        return gateway_error(
            served,
            "MISSING_AUTHENTICATION_TOKEN",
            request,
            &[],
            None,
            ctx.seq,
        );
    };
    let Some(method) = method_for(resource, &verb) else {
        let matched = MatchedRoute {
            path: resource.path.clone(),
            method: None,
            params: params.clone(),
        };
        return gateway_error(
            served,
            "MISSING_AUTHENTICATION_TOKEN",
            request,
            &params,
            Some(matched),
            ctx.seq,
        );
    };
    let matched = MatchedRoute {
        path: resource.path.clone(),
        method: Some(method.http_method.clone()),
        params: params.clone(),
    };
    let fail =
        |ty: &str| gateway_error(served, ty, request, &params, Some(matched.clone()), ctx.seq);

    // Docs silent on the order; method throttling is applied once the method is known and
    // before authorization (a throttled client never reaches the authorizer).
    if throttled(served.stage, &resource.path, &verb, ctx.recent_requests) {
        return fail("THROTTLED");
    }
    match method.authorization {
        AuthorizationType::None => {}
        AuthorizationType::AwsIam => {
            if !has_sigv4(request) {
                return fail("MISSING_AUTHENTICATION_TOKEN");
            }
        }
        AuthorizationType::CognitoUserPools
        | AuthorizationType::Custom
        | AuthorizationType::Jwt => {
            let authorizer = method.authorizer.as_deref().and_then(|n| api.authorizer(n));
            if let AuthOutcome::Rejected(ty) = check_authorizer(authorizer, request) {
                return fail(ty);
            }
        }
    }
    // API keys are checked after the authorizer (which may supply the key when the API key
    // source is AUTHORIZER).
    let key_from_authorizer = api
        .api_key_source
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("AUTHORIZER"));
    if method.api_key_required && !key_from_authorizer && !api_key_valid(api, served.stage, request)
    {
        return fail("INVALID_API_KEY");
    }
    let Some(integration) = &method.integration else {
        // A method without an integration cannot be deployed; treat as a configuration error.
        return fail("API_CONFIGURATION_ERROR");
    };
    let rid = request_id(ctx.seq);
    let env = ExprEnv {
        request,
        path_params: &params,
        stage: served.stage,
        request_id: &rid,
        integration_headers: None,
    };
    let call = BackendCall {
        route_path: &resource.path,
        route_method: &method.http_method,
        integration,
        request,
    };
    let reply = match integration.kind {
        IntegrationType::Mock => None,
        _ => {
            let reply = ctx.backend.invoke(&call);
            match reply.failure {
                Some(BackendFailure::Timeout) => return fail("INTEGRATION_TIMEOUT"),
                Some(BackendFailure::Error) if integration.kind == IntegrationType::AwsProxy => {
                    return fail("LAMBDA_ERROR")
                }
                Some(BackendFailure::Error) => return fail("INTEGRATION_FAILURE"),
                None => Some(reply),
            }
        }
    };
    if integration.kind.is_proxy() {
        let reply = reply.unwrap_or_default();
        let mut headers = Headers::new();
        for (k, v) in &reply.headers {
            headers.push(k.clone(), v.clone());
        }
        if !headers.contains("content-type") {
            headers.push("Content-Type", "application/json");
        }
        headers.push("x-amzn-RequestId", rid.clone());
        headers.push("x-amz-apigw-id", extended_request_id(ctx.seq));
        let hex = rid.replace('-', "");
        let (time, rest) = hex.split_at(hex.len().min(8));
        headers.push("X-Amzn-Trace-Id", format!("Root=1-{time}-{rest}"));
        return Answer {
            response: HttpResponse {
                status: reply.status,
                headers,
                body: reply.body.into_bytes(),
            },
            matched: Some(matched),
            produced_by: Producer::Integration {
                kind: integration.kind,
            },
        };
    }

    // Non-proxy: find the integration status / selection input.
    let selection_input = match &reply {
        Some(r) => r.status.to_string(),
        None => match mock_status(integration, request) {
            Some(s) => s,
            // Reference: a MOCK without a usable request template answers 500.
            None => return fail("API_CONFIGURATION_ERROR"),
        },
    };
    // Docs: for HTTP integrations the selection pattern is matched against the status code;
    // for AWS (Lambda, non-proxy) against the error message. The model uses the status code
    // for both (a successful Lambda call selects the default response).
    let selected = integration
        .responses
        .iter()
        .filter(|r| !r.is_default())
        .find(|r| regex_full_match(&r.selection_pattern, &selection_input))
        .or_else(|| integration.responses.iter().find(|r| r.is_default()));
    let Some(ir) = selected else {
        return fail("API_CONFIGURATION_ERROR");
    };
    let Some(mr) = method.response(&ir.status_code) else {
        // Docs silent on the runtime effect; deployment normally refuses this. 500.
        return fail("API_CONFIGURATION_ERROR");
    };
    let backend_headers: Option<Headers> = reply.as_ref().map(|r| {
        r.headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    });
    let env = ExprEnv {
        integration_headers: backend_headers.as_ref(),
        ..env
    };
    let mut headers = rest_headers(ctx.seq);
    for (key, expr) in &ir.response_parameters {
        let Some(name) = key.strip_prefix("method.response.header.") else {
            continue;
        };
        // Only headers declared in the method response AND mapped here come out.
        if mr.declares(name) {
            if let Some(value) = env.eval(expr) {
                headers.push(name, value);
            }
        }
    }
    let body = match ir.response_templates.get("application/json") {
        // Docs: templates are VTL; the model sends the template text unevaluated.
        Some(Some(t)) => t.clone(),
        Some(None) => String::new(),
        None => reply.map(|r| r.body).unwrap_or_default(),
    };
    Answer {
        response: HttpResponse {
            status: ir.status_code.parse().unwrap_or(200),
            headers,
            body: body.into_bytes(),
        },
        matched: Some(matched),
        produced_by: Producer::Integration {
            kind: integration.kind,
        },
    }
}

/// The status a MOCK integration's request template asks for (`{"statusCode": 200}`).
fn mock_status(integration: &Integration, request: &HttpRequest) -> Option<String> {
    // Docs: without a Content-Type API Gateway assumes application/json.
    let content_type = request
        .headers
        .get("content-type")
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase())
        .unwrap_or_else(|| "application/json".to_string());
    let template = integration
        .request_templates
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&content_type))
        .map(|(_, v)| v.clone().unwrap_or_default());
    let text = match template {
        Some(t) => t,
        None => {
            let passthrough = match integration.passthrough_behavior.as_deref() {
                Some(p) if p.eq_ignore_ascii_case("never") => false,
                Some(p) if p.eq_ignore_ascii_case("when_no_templates") => {
                    integration.request_templates.is_empty()
                }
                _ => true,
            };
            if !passthrough {
                return None;
            }
            String::from_utf8_lossy(&request.body).into_owned()
        }
    };
    let after = &text[text.find("\"statusCode\"")? + "\"statusCode\"".len()..];
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

// ---------------------------------------------------------------------------------------------
// HTTP APIs

fn http_error(
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
    name.len() > 15 && name[..15].eq_ignore_ascii_case("access-control-")
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

fn respond_http(
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

// ---------------------------------------------------------------------------------------------
// Selection patterns

/// Full-match of a selection pattern (a Java regex in AWS) against `input`. Supports the
/// subset patterns use in practice: literals, `.`, `\d \w \s`, escapes, classes `[a-z0-9]`,
/// quantifiers `* + ? {n} {n,m}` and top-level `|`. Groups fall back to literal equality.
pub fn regex_full_match(pattern: &str, input: &str) -> bool {
    if pattern.contains('(') {
        return pattern == input;
    }
    let input: Vec<char> = input.chars().collect();
    pattern.split('|').any(|alt| match parse_regex(alt) {
        Some(atoms) => match_atoms(&atoms, &input),
        None => alt == input.iter().collect::<String>(),
    })
}

#[derive(Clone, Debug)]
enum Class {
    Any,
    Set(Vec<(char, char)>, bool),
}

#[derive(Clone, Debug)]
struct Atom {
    class: Class,
    min: usize,
    max: usize,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        match self {
            Class::Any => c != '\n',
            Class::Set(ranges, negated) => {
                ranges.iter().any(|(a, b)| (*a..=*b).contains(&c)) != *negated
            }
        }
    }
}

fn escape_class(c: char) -> Class {
    match c {
        'd' => Class::Set(vec![('0', '9')], false),
        'w' => Class::Set(vec![('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')], false),
        's' => Class::Set(
            vec![(' ', ' '), ('\t', '\t'), ('\n', '\n'), ('\r', '\r')],
            false,
        ),
        other => Class::Set(vec![(other, other)], false),
    }
}

fn parse_regex(p: &str) -> Option<Vec<Atom>> {
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    let mut atoms = Vec::new();
    while i < chars.len() {
        let class = match chars[i] {
            '.' => Class::Any,
            '\\' => {
                i += 1;
                escape_class(*chars.get(i)?)
            }
            '[' => {
                i += 1;
                let negated = chars.get(i) == Some(&'^');
                if negated {
                    i += 1;
                }
                let mut ranges = Vec::new();
                while *chars.get(i)? != ']' {
                    let mut c = chars[i];
                    if c == '\\' {
                        i += 1;
                        c = *chars.get(i)?;
                        if let Class::Set(r, _) = escape_class(c) {
                            if c.is_ascii_alphabetic() {
                                ranges.extend(r);
                                i += 1;
                                continue;
                            }
                        }
                    }
                    if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']')
                    {
                        ranges.push((c, chars[i + 2]));
                        i += 3;
                    } else {
                        ranges.push((c, c));
                        i += 1;
                    }
                }
                Class::Set(ranges, negated)
            }
            '^' | '$' if i == 0 || i == chars.len() - 1 => {
                i += 1;
                continue;
            }
            c => Class::Set(vec![(c, c)], false),
        };
        i += 1;
        let (min, max, width) = match chars.get(i) {
            Some('*') => (0, usize::MAX, 1),
            Some('+') => (1, usize::MAX, 1),
            Some('?') => (0, 1, 1),
            Some('{') => {
                let end = chars[i..].iter().position(|&c| c == '}')? + i;
                let inner: String = chars[i + 1..end].iter().collect();
                let (lo, hi) = match inner.split_once(',') {
                    Some((lo, "")) => (lo.trim().parse().ok()?, usize::MAX),
                    Some((lo, hi)) => (lo.trim().parse().ok()?, hi.trim().parse().ok()?),
                    None => {
                        let n = inner.trim().parse().ok()?;
                        (n, n)
                    }
                };
                (lo, hi, end + 1 - i)
            }
            _ => (1, 1, 0),
        };
        i += width;
        atoms.push(Atom { class, min, max });
    }
    Some(atoms)
}

fn match_atoms(atoms: &[Atom], input: &[char]) -> bool {
    let Some((first, rest)) = atoms.split_first() else {
        return input.is_empty();
    };
    let mut count = 0;
    while count < first.min {
        match input.get(count) {
            Some(&c) if first.class.matches(c) => count += 1,
            _ => return false,
        }
    }
    loop {
        if match_atoms(rest, &input[count..]) {
            return true;
        }
        if count >= first.max {
            return false;
        }
        match input.get(count) {
            Some(&c) if first.class.matches(c) => count += 1,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests;
