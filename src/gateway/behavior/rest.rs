//! REST APIs: gateway responses, API keys, MOCK and non-proxy mappings, proxy integrations.

use super::access::{check_authorizer, has_sigv4, throttled, AuthOutcome};
use super::backend::{BackendCall, BackendFailure};
use super::routing::{match_rest_resource, method_for, query_param, split_query};
use super::selection::regex_full_match;
use super::{extended_request_id, request_id, Answer, Context, MatchedRoute, Producer};
use crate::gateway::model::{
    default_response_type, gateway_response_info, Api, AuthorizationType, Integration,
    IntegrationType, Served, Stage,
};
use crate::http::{Headers, HttpRequest, HttpResponse};

fn rest_headers(seq: u64) -> Headers {
    Headers::new()
        .with("Content-Type", "application/json")
        .with("x-amzn-RequestId", request_id(seq))
        .with("x-amz-apigw-id", extended_request_id(seq))
}

pub(super) fn rest_error(status: u16, error_type: &str, body: String, seq: u64) -> HttpResponse {
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
    // A layer in front (a resource policy) names the message of the answer it asks for.
    let message = request
        .headers
        .get(crate::gateway::front::GATEWAY_MESSAGE_HEADER)
        .unwrap_or(message);
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

fn api_key_valid(api: &Api, stage: Option<&Stage>, request: &HttpRequest) -> bool {
    let Some(key) = request.headers.get("x-api-key") else {
        return false;
    };
    // An export never carries API keys: with none known, a key the client sends cannot be
    // judged, and the model takes it as valid rather than invent a 403.
    if api.api_keys.is_empty() {
        return !key.trim().is_empty();
    }
    api.api_keys.iter().any(|k| {
        k.enabled
            && k.value == key
            && (k.stages.is_empty() || stage.is_some_and(|s| k.stages.iter().any(|n| n == &s.name)))
    })
}

pub(super) fn respond_rest(
    api: &Api,
    served: &Served<'_>,
    request: &HttpRequest,
    ctx: &Context<'_>,
) -> Answer {
    // A layer in front decided API Gateway answers itself, before routing: a resource-policy
    // deny (`gateway::front::private`), AWS WAF's block (`WAF_FILTERED`, `gateway::front::waf`).
    if let Some(ty) = request
        .headers
        .get(crate::gateway::front::GATEWAY_RESPONSE_HEADER)
    {
        return gateway_error(served, ty, request, &[], None, ctx.seq);
    }
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
    // The key may be unquoted: CDK's `{ statusCode: 200 }` (aws-apigateway cors.ts) and the
    // Serverless Framework's `{statusCode:200}` are deployed by thousands of working APIs.
    let after = &text[text.find("statusCode")? + "statusCode".len()..];
    let after = after.strip_prefix('"').unwrap_or(after);
    let after = after.trim_start().strip_prefix(':')?.trim_start();
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}
