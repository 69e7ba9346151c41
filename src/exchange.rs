//! The low-level exchange records: one request, what came back, and who answered it.
//! Pure data shared by `cors/` (the engine judges responses), `probe/` (records them),
//! `gateway::behavior` (predicts them) and the evidence aggregate (`evidence/`).

use serde::{Deserialize, Serialize};

use crate::http::Headers;

/// Which of the three requests an exchange replays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExchangeKind {
    /// The browser's CORS preflight: `OPTIONS` with `Access-Control-Request-*`, no credentials.
    Preflight,
    /// The app's request as the browser sends it, with `Origin`.
    Actual,
    /// The same request without `Origin`: what curl and Postman see.
    NoOrigin,
    /// A preflight from an origin nobody allowed on purpose: a security lint (does the API
    /// reflect any origin?). OPTIONS only, so it never changes anything on the server.
    ForeignOrigin,
}

impl ExchangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ExchangeKind::Preflight => "preflight",
            ExchangeKind::Actual => "actual",
            ExchangeKind::NoOrigin => "no-origin",
            ExchangeKind::ForeignOrigin => "foreign-origin",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    pub headers: Headers,
    /// The start of the body, lossily decoded, bounded in size.
    pub body_excerpt: String,
    /// True when the body was longer than the excerpt (or than the probe would read).
    #[serde(default)]
    pub body_truncated: bool,
}

/// Who produced a response, judged from its headers (and, for HTTP APIs, its status and
/// body; see [`attribute_answer`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnsweredBy {
    Gateway,
    Backend,
    Cloudfront,
    #[default]
    Unknown,
    /// The request reached an HTTP API, and the answer is one API Gateway itself sends
    /// (`{"message":"Unauthorized"}`, an empty 2xx to a preflight) but a backend could send
    /// too: HTTP APIs mark their own answers with no `x-amzn-ErrorType`. The configuration,
    /// when read, settles it (`diagnose::classify::refine_attribution`).
    GatewayOrBackend,
    /// AWS WAF blocked the request (its block page through CloudFront, or API Gateway's
    /// `WAF_FILTERED` gateway response).
    Waf,
    /// A custom domain name that mapped the path to no API (`gateway::front::domain`).
    CustomDomain,
    /// A Lambda function URL, not API Gateway.
    FunctionUrl,
    /// A load balancer (ALB), not API Gateway.
    LoadBalancer,
}

impl AnsweredBy {
    /// The name used in reports (`gateway`, `backend`, `cloudfront`, `unknown`,
    /// `gateway-or-backend`, `waf`, `custom-domain`, `function-url`, `load-balancer`).
    pub fn as_str(self) -> &'static str {
        match self {
            AnsweredBy::Gateway => "gateway",
            AnsweredBy::Backend => "backend",
            AnsweredBy::Cloudfront => "cloudfront",
            AnsweredBy::Unknown => "unknown",
            AnsweredBy::GatewayOrBackend => "gateway-or-backend",
            AnsweredBy::Waf => "waf",
            AnsweredBy::CustomDomain => "custom-domain",
            AnsweredBy::FunctionUrl => "function-url",
            AnsweredBy::LoadBalancer => "load-balancer",
        }
    }

    /// Who answered, in words for people ("the preflight gets 401 from …").
    pub fn words(self) -> &'static str {
        match self {
            AnsweredBy::Gateway => "API Gateway",
            AnsweredBy::Backend => "the integration",
            AnsweredBy::Cloudfront => "CloudFront",
            AnsweredBy::Unknown => "the server",
            AnsweredBy::GatewayOrBackend => "API Gateway or the backend",
            AnsweredBy::Waf => "AWS WAF",
            AnsweredBy::CustomDomain => "the custom domain",
            AnsweredBy::FunctionUrl => "the Lambda function URL",
            AnsweredBy::LoadBalancer => "the load balancer",
        }
    }
}

/// Why a request got no HTTP response at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    Dns,
    Connect,
    Tls,
    Timeout,
    /// The peer sent something that is not HTTP.
    Protocol,
    Other,
    /// A recorded exchange (a HAR) that holds no answer although one may have come: a
    /// browser hides the answer to a request that fails CORS, and a HAR never holds the
    /// request without `Origin`. The engine's verdict on it is `unknown`, not a network error.
    NotRecorded,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransportError {
    pub kind: FailureKind,
    pub message: String,
}

/// One request and what came back (a response or a transport error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// Stable id within a report (`x1`, `x2`, …), cited by findings.
    pub id: String,
    pub kind: ExchangeKind,
    pub request: RecordedRequest,
    pub response: Option<RecordedResponse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TransportError>,
    pub answered_by: AnsweredBy,
    pub gateway_error_type: Option<String>,
    pub elapsed_ms: u64,
    /// True when the exchange was computed by the API Gateway behaviour model, not sent.
    #[serde(default)]
    pub predicted: bool,
}

impl Exchange {
    pub fn status(&self) -> Option<u16> {
        self.response.as_ref().map(|r| r.status)
    }
}

/// Decides who answered from response headers (see shared/reference/api-gateway.md).
/// Returns the attribution and API Gateway's `x-amzn-ErrorType`, if any.
pub fn attribute(headers: &Headers) -> (AnsweredBy, Option<String>) {
    let error_type = headers
        .get("x-amzn-errortype")
        .map(|v| v.split(':').next().unwrap_or(v).trim().to_string())
        .filter(|v| !v.is_empty());
    let reached_gateway = headers.contains("x-amzn-requestid")
        || headers.contains("x-amz-apigw-id")
        || headers.contains("apigw-requestid");
    let remapped = headers
        .iter()
        .any(|(n, _)| n.len() > 16 && n.as_bytes()[..16].eq_ignore_ascii_case(b"x-amzn-remapped-"));
    let cloudfront_error = headers
        .get("x-cache")
        .is_some_and(|v| v.to_ascii_lowercase().contains("error from cloudfront"));
    let by = if error_type.is_some() {
        AnsweredBy::Gateway
    } else if remapped || (reached_gateway && !cloudfront_error) {
        // The request went through API Gateway and no gateway error was generated, so the
        // integration (Lambda, HTTP backend or MOCK) produced the answer.
        AnsweredBy::Backend
    } else if cloudfront_error || (headers.contains("x-amz-cf-pop") && !reached_gateway) {
        AnsweredBy::Cloudfront
    } else {
        AnsweredBy::Unknown
    };
    (by, error_type)
}

/// The bodies HTTP APIs send with their own errors (docs silent on the exact text: observed
/// answers, see `gateway/behavior/http_api.rs`), compared without whitespace.
const HTTP_API_ERROR_MESSAGES: [&str; 6] = [
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "TooManyRequests",
    "InternalServerError",
    "ServiceUnavailable",
];

/// An HTTP API error whose status and body are those API Gateway itself sends
/// (`{"message":"Unauthorized"}` …). HTTP APIs send no `x-amzn-ErrorType`, so the headers
/// alone cannot tell it from a backend that answers the same way.
pub fn http_api_error_shaped(response: &RecordedResponse) -> bool {
    let body: String = response
        .body_excerpt
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(64)
        .collect();
    response.status >= 400
        && response.headers.contains("apigw-requestid")
        && !response.headers.contains("x-amzn-errortype")
        && HTTP_API_ERROR_MESSAGES
            .iter()
            .any(|m| body == format!("{{\"message\":\"{m}\"}}"))
}

/// An HTTP API's 2xx answer to a CORS preflight (`OPTIONS` with
/// `Access-Control-Request-Method`) with an empty body: API Gateway's own answer from the
/// cors_configuration ("API Gateway automatically sends a response to preflight OPTIONS
/// requests", <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>)
/// or an `OPTIONS` route's integration, which the headers do not tell apart. Docs silent on
/// the automatic answer's status and body: 204 without a body is what the behaviour model
/// sends; a body is taken as the integration's.
pub fn http_api_preflight_shaped(request: &RecordedRequest, response: &RecordedResponse) -> bool {
    request.method.eq_ignore_ascii_case("OPTIONS")
        && request.headers.contains("access-control-request-method")
        && (200..300).contains(&response.status)
        && response.body_excerpt.trim().is_empty()
        && !response.body_truncated
        && response.headers.contains("apigw-requestid")
        && !response.headers.contains("x-amzn-errortype")
}

/// `{url-id}.lambda-url.{region}.on.aws` (a Lambda function URL's host,
/// <https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html>): the URL id and
/// the region.
pub fn function_url_host(host: &str) -> Option<(&str, &str)> {
    let rest = host.strip_suffix(".on.aws")?;
    let (id, region) = rest.split_once(".lambda-url.")?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    (ok(id) && ok(region)).then_some((id, region))
}

/// `Server: awselb/…`: an Application Load Balancer answered (itself, or for its target).
pub fn load_balancer_answer(response: &RecordedResponse) -> bool {
    response
        .headers
        .get("server")
        .is_some_and(|s| s.trim().to_ascii_lowercase().starts_with("awselb/"))
}

/// A service that answers instead of API Gateway, known from the request's host (a Lambda
/// function URL) or the answer's `Server` header (a load balancer); `None` otherwise.
fn answered_instead(request: &RecordedRequest, response: &RecordedResponse) -> Option<AnsweredBy> {
    let host = url::Url::parse(&request.url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()));
    if host.as_deref().and_then(function_url_host).is_some() {
        return Some(AnsweredBy::FunctionUrl);
    }
    load_balancer_answer(response).then_some(AnsweredBy::LoadBalancer)
}

/// Who answered `request` with `response`: [`attribute`] by the headers, except that an
/// HTTP API answer API Gateway could have sent itself ([`http_api_error_shaped`],
/// [`http_api_preflight_shaped`]) is [`AnsweredBy::GatewayOrBackend`] rather than the
/// backend (unless a header says the integration answered: `x-amzn-Remapped-*`), and that a
/// Lambda function URL's host or a load balancer's `Server: awselb` names that service.
pub fn attribute_answer(
    request: &RecordedRequest,
    response: &RecordedResponse,
) -> (AnsweredBy, Option<String>) {
    let (by, error_type) = attribute(&response.headers);
    // A function URL or a load balancer, unless API Gateway marked the answer as its own.
    if let (Some(instead), None) = (answered_instead(request, response), &error_type) {
        return (instead, None);
    }
    let remapped = response
        .headers
        .iter()
        .any(|(n, _)| n.len() > 16 && n.as_bytes()[..16].eq_ignore_ascii_case(b"x-amzn-remapped-"));
    let unsure = by == AnsweredBy::Backend
        && !remapped
        && (http_api_error_shaped(response) || http_api_preflight_shaped(request, response));
    if unsure {
        (AnsweredBy::GatewayOrBackend, error_type)
    } else {
        (by, error_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_names_match_the_serialized_form() {
        for a in [
            AnsweredBy::Gateway,
            AnsweredBy::Backend,
            AnsweredBy::Cloudfront,
            AnsweredBy::Unknown,
            AnsweredBy::GatewayOrBackend,
            AnsweredBy::Waf,
            AnsweredBy::CustomDomain,
            AnsweredBy::FunctionUrl,
            AnsweredBy::LoadBalancer,
        ] {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
            let back: AnsweredBy = serde_json::from_value(serde_json::json!(a.as_str())).unwrap();
            assert_eq!(back, a);
        }
    }

    #[test]
    fn gateway_errors_are_attributed_to_the_gateway() {
        let h = Headers::new()
            .with("x-amzn-RequestId", "r")
            .with("x-amzn-ErrorType", "MissingAuthenticationTokenException");
        assert_eq!(
            attribute(&h),
            (
                AnsweredBy::Gateway,
                Some("MissingAuthenticationTokenException".into())
            )
        );
        let h = Headers::new().with(
            "x-amzn-ErrorType",
            "ForbiddenException:http://internal.amazon.com/coral/",
        );
        assert_eq!(attribute(&h).1.as_deref(), Some("ForbiddenException"));
    }

    #[test]
    fn integration_answers_and_cloudfront_are_told_apart() {
        let h = Headers::new()
            .with("x-amzn-RequestId", "r")
            .with("x-amz-apigw-id", "i");
        assert_eq!(attribute(&h).0, AnsweredBy::Backend);
        let h = Headers::new().with("x-amzn-Remapped-Date", "d");
        assert_eq!(attribute(&h).0, AnsweredBy::Backend);
        let h = Headers::new()
            .with("x-cache", "Error from cloudfront")
            .with("x-amz-cf-pop", "FRA56");
        assert_eq!(attribute(&h).0, AnsweredBy::Cloudfront);
        assert_eq!(attribute(&Headers::new()).0, AnsweredBy::Unknown);
    }

    fn request(method: &str, acrm: bool) -> RecordedRequest {
        let mut headers = Headers::new().with("origin", "https://app.example.com");
        if acrm {
            headers.push("access-control-request-method", "GET");
        }
        RecordedRequest {
            method: method.into(),
            url: "https://abc.execute-api.us-east-1.amazonaws.com/items".into(),
            headers,
            body: None,
        }
    }

    fn response(status: u16, headers: Headers, body: &str) -> RecordedResponse {
        RecordedResponse {
            status,
            headers,
            body_excerpt: body.into(),
            body_truncated: false,
        }
    }

    #[test]
    fn http_api_answers_api_gateway_could_have_sent_are_unsure() {
        let http = || Headers::new().with("apigw-requestid", "Ab1=");
        let get = request("GET", false);
        // API Gateway's own error bodies: the authorizer, no route, throttling, failures.
        for (status, body) in [
            (401, r#"{"message":"Unauthorized"}"#),
            (403, r#"{"message":"Forbidden"}"#),
            (404, r#"{"message":"Not Found"}"#),
            (429, r#"{"message":"Too Many Requests"}"#),
            (500, r#"{"message":"Internal Server Error"}"#),
            (503, r#"{"message":"Service Unavailable"}"#),
        ] {
            let r = response(status, http(), body);
            assert_eq!(
                attribute_answer(&get, &r),
                (AnsweredBy::GatewayOrBackend, None),
                "{status} {body}"
            );
        }
        // An empty 2xx to a preflight: the cors_configuration's answer or an OPTIONS route.
        let pf = request("OPTIONS", true);
        let r = response(204, http(), "");
        assert_eq!(attribute_answer(&pf, &r).0, AnsweredBy::GatewayOrBackend);
    }

    #[test]
    fn function_urls_and_load_balancers_answer_instead_of_api_gateway() {
        let mut get = request("GET", false);
        get.url = "https://abc123xyz.lambda-url.eu-west-1.on.aws/items".into();
        let r = response(
            200,
            Headers::new()
                .with("x-amzn-RequestId", "r")
                .with("X-Amzn-Trace-Id", "Root=1-0"),
            "{}",
        );
        assert_eq!(attribute_answer(&get, &r), (AnsweredBy::FunctionUrl, None));
        let alb = response(502, Headers::new().with("Server", "awselb/2.0"), "<html>");
        assert_eq!(
            attribute_answer(&request("GET", false), &alb).0,
            AnsweredBy::LoadBalancer
        );
        // API Gateway's own error wins over a Server header in front of it.
        let gw = response(
            403,
            Headers::new()
                .with("Server", "awselb/2.0")
                .with("x-amzn-ErrorType", "ForbiddenException"),
            "",
        );
        assert_eq!(
            attribute_answer(&request("GET", false), &gw).0,
            AnsweredBy::Gateway
        );
        // Only the exact host shape counts.
        let mut other = request("GET", false);
        other.url = "https://lambda-url.example.com/items".into();
        assert_ne!(attribute_answer(&other, &r).0, AnsweredBy::FunctionUrl);
    }

    #[test]
    fn answers_only_a_backend_sends_stay_the_backends() {
        let http = || Headers::new().with("apigw-requestid", "Ab1=");
        let get = request("GET", false);
        // A body API Gateway never sends, a success, a remapped header: the integration.
        let r = response(401, http(), r#"{"error":"token expired"}"#);
        assert_eq!(attribute_answer(&get, &r).0, AnsweredBy::Backend);
        let r = response(200, http(), "");
        assert_eq!(attribute_answer(&get, &r).0, AnsweredBy::Backend);
        let r = response(
            401,
            http().with("x-amzn-Remapped-Date", "d"),
            r#"{"message":"Unauthorized"}"#,
        );
        assert_eq!(attribute_answer(&get, &r).0, AnsweredBy::Backend);
        // A preflight answered with a body, or an OPTIONS without Access-Control-Request-Method.
        let r = response(200, http(), "ok");
        assert_eq!(
            attribute_answer(&request("OPTIONS", true), &r).0,
            AnsweredBy::Backend
        );
        let r = response(204, http(), "");
        assert_eq!(
            attribute_answer(&request("OPTIONS", false), &r).0,
            AnsweredBy::Backend
        );
        // REST APIs mark their own errors: x-amzn-ErrorType decides, not the body.
        let rest = Headers::new()
            .with("x-amzn-RequestId", "r")
            .with("x-amzn-ErrorType", "UnauthorizedException");
        let r = response(401, rest, r#"{"message":"Unauthorized"}"#);
        assert_eq!(attribute_answer(&get, &r).0, AnsweredBy::Gateway);
        let rest = Headers::new().with("x-amzn-RequestId", "r");
        let r = response(401, rest, r#"{"message":"Unauthorized"}"#);
        assert_eq!(attribute_answer(&get, &r).0, AnsweredBy::Backend);
        // Not an API Gateway answer at all.
        let r = response(401, Headers::new(), r#"{"message":"Unauthorized"}"#);
        assert_eq!(attribute_answer(&get, &r).0, AnsweredBy::Unknown);
    }
}
