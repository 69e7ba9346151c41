//! A Lambda function URL answering instead of API Gateway.
//!
//! Behaviour, from the Lambda developer guide
//! (<https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html>, "Cross-origin
//! resource sharing (CORS)", and <https://docs.aws.amazon.com/lambda/latest/dg/API_Cors.html>):
//! - the URL is `https://{url-id}.lambda-url.{region}.on.aws`; API Gateway is not involved;
//! - with a CORS configuration (`AllowOrigins`, `AllowMethods`, `AllowHeaders`,
//!   `AllowCredentials`, `ExposeHeaders`, `MaxAge`), "Lambda automatically adds the CORS
//!   headers to all responses through the function URL";
//! - "For preflight requests such as OPTIONS requests, the configured CORS headers on the
//!   function URL take precedence. Lambda returns only these CORS headers in the response."
//! - "For non-preflight requests such as GET or POST requests, Lambda returns both the
//!   configured CORS headers on the function URL, as well as the CORS headers returned by the
//!   function. This can result in duplicate CORS headers in the response" — the double-CORS
//!   trap: `Access-Control-Allow-Origin` twice, which browsers refuse.
//!
//! Choices the documentation leaves open:
//! - whether the function runs for a preflight when CORS is configured: the model lets Lambda
//!   answer it (200, empty body) without invoking the code, since only the configured headers
//!   come back; without a CORS configuration the `OPTIONS` request reaches the code;
//! - an origin that `AllowOrigins` does not list: Lambda adds no CORS headers (the answer
//!   itself is unchanged); `*` in `AllowOrigins` answers `*`, a listed origin is echoed;
//! - the order of the two copies of a duplicated header: the configured one first;
//! - `Access-Control-Max-Age` is sent only when `MaxAge` is above 0 (0 is the default: "the
//!   browser doesn't cache results"); `Vary: Origin` is not added.
//! - the function's own answer is what the scenario says the code returns ([`FunctionCode`]):
//!   the same for every request, as a handler that sets fixed headers does.
//!
//! Load balancers answering instead of API Gateway: [`super::load_balancer`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Layer, Layered, Next, Sighting};
use crate::exchange::{AnsweredBy, RecordedRequest, RecordedResponse};
use crate::http::{Headers, HttpRequest, HttpResponse};

/// A Lambda function URL answering instead of API Gateway.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionUrl {
    /// The function's name (for commands: `aws lambda update-function-url-config`).
    #[serde(default = "default_function")]
    pub function_name: String,
    /// The URL's id (the host's first label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The function URL's CORS configuration (`None`: not configured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<UrlCors>,
    /// What the function's code returns.
    #[serde(default)]
    pub code: FunctionCode,
}

fn default_function() -> String {
    "my-function".to_string()
}

/// A function URL's CORS configuration (Lambda's `Cors` type).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlCors {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_origins: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_methods: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_headers: Vec<String>,
    #[serde(default)]
    pub allow_credentials: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    #[serde(default)]
    pub max_age: u32,
}

/// What the function's code answers (status, headers it sets, body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionCode {
    #[serde(default = "ok")]
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: String,
}

fn ok() -> u16 {
    200
}

impl Default for FunctionCode {
    fn default() -> Self {
        FunctionCode {
            status: 200,
            headers: BTreeMap::new(),
            body: String::new(),
        }
    }
}

/// CORS response headers a function's code sets (names, as written).
pub fn code_cors_headers(code: &FunctionCode) -> Vec<String> {
    code.headers
        .keys()
        .filter(|n| n.to_ascii_lowercase().starts_with("access-control-"))
        .cloned()
        .collect()
}

fn preflight(request: &HttpRequest) -> bool {
    request.method.eq_ignore_ascii_case("OPTIONS")
        && request.headers.contains("access-control-request-method")
}

fn base_headers(seq_hint: usize) -> Headers {
    Headers::new()
        .with(
            "x-amzn-RequestId",
            format!("{:08x}-0000-4000-8000-000000000000", seq_hint),
        )
        .with(
            "X-Amzn-Trace-Id",
            "Root=1-00000000-000000000000000000000000",
        )
}

/// The configured CORS headers for `request` (none when its origin is not allowed).
fn configured(cors: &UrlCors, request: &HttpRequest, preflight: bool) -> Headers {
    let mut h = Headers::new();
    let Some(origin) = request.headers.get("origin") else {
        return h;
    };
    let allowed = if cors.allow_origins.iter().any(|o| o == "*") {
        "*".to_string()
    } else if cors.allow_origins.iter().any(|o| o == origin) {
        origin.to_string()
    } else {
        return h;
    };
    h.push("Access-Control-Allow-Origin", allowed);
    if cors.allow_credentials {
        h.push("Access-Control-Allow-Credentials", "true");
    }
    if preflight {
        if !cors.allow_methods.is_empty() {
            h.push("Access-Control-Allow-Methods", cors.allow_methods.join(","));
        }
        if !cors.allow_headers.is_empty() {
            h.push("Access-Control-Allow-Headers", cors.allow_headers.join(","));
        }
        if cors.max_age > 0 {
            h.push("Access-Control-Max-Age", cors.max_age.to_string());
        }
    } else if !cors.expose_headers.is_empty() {
        h.push(
            "Access-Control-Expose-Headers",
            cors.expose_headers.join(","),
        );
    }
    h
}

/// What the function URL answers to `request` (see the module docs).
pub fn answer(spec: &FunctionUrl, request: &HttpRequest) -> HttpResponse {
    let mut headers = base_headers(request.path_and_query.len());
    if let (Some(cors), true) = (&spec.cors, preflight(request)) {
        // Lambda answers the preflight from the configuration alone.
        for (n, v) in configured(cors, request, true).iter() {
            headers.push(n, v);
        }
        return HttpResponse {
            status: 200,
            headers,
            body: Vec::new(),
        };
    }
    if let Some(cors) = &spec.cors {
        for (n, v) in configured(cors, request, false).iter() {
            headers.push(n, v);
        }
    }
    for (n, v) in &spec.code.headers {
        headers.push(n.clone(), v.clone());
    }
    if !spec.code.body.is_empty()
        && !spec
            .code
            .headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push("Content-Type", "application/json");
    }
    HttpResponse {
        status: spec.code.status,
        headers,
        body: spec.code.body.clone().into_bytes(),
    }
}

/// The request through this layer (`None`: not configured, straight through to API
/// Gateway). A function URL answers every request itself: API Gateway is not involved.
pub fn respond(spec: Option<&FunctionUrl>, request: &HttpRequest, next: &mut Next<'_>) -> Layered {
    match spec {
        Some(spec) => Layered::Answered(answer(spec, request), AnsweredBy::FunctionUrl),
        None => Layered::Passed(next(request)),
    }
}

/// The host of `url`, lowercased.
fn host(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.to_ascii_lowercase())
}

pub use crate::exchange::function_url_host;

/// This layer recognised in an answer: a function URL host.
pub fn seen(request: &RecordedRequest, response: Option<&RecordedResponse>) -> Option<Sighting> {
    if let Some(h) = host(&request.url) {
        if let Some((id, region)) = function_url_host(&h) {
            return Some(Sighting {
                layer: Layer::FunctionUrl,
                detail: format!(
                    "function URL {} in {region} (not API Gateway)",
                    crate::text::shorten(id, 40)
                ),
                answered: response.is_some(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, preflight: bool) -> HttpRequest {
        let mut headers = Headers::new().with("Origin", "https://app.example.com");
        if preflight {
            headers.push("Access-Control-Request-Method", "POST");
        }
        HttpRequest {
            method: method.into(),
            path_and_query: "/".into(),
            headers,
            body: vec![],
        }
    }

    fn spec(code_acao: bool) -> FunctionUrl {
        let mut code = FunctionCode {
            body: "{}".into(),
            ..FunctionCode::default()
        };
        if code_acao {
            code.headers
                .insert("Access-Control-Allow-Origin".into(), "*".into());
        }
        FunctionUrl {
            cors: Some(UrlCors {
                allow_origins: vec!["https://app.example.com".into()],
                allow_methods: vec!["POST".into()],
                allow_headers: vec!["content-type".into()],
                max_age: 300,
                ..UrlCors::default()
            }),
            code,
            ..FunctionUrl::default()
        }
    }

    #[test]
    fn the_preflight_gets_only_the_configured_headers() {
        let r = answer(&spec(true), &req("OPTIONS", true));
        assert_eq!(r.status, 200);
        let acao: Vec<&str> = r.headers.get_all("access-control-allow-origin").collect();
        assert_eq!(acao, vec!["https://app.example.com"]);
        assert_eq!(r.headers.get("access-control-allow-methods"), Some("POST"));
        assert_eq!(r.headers.get("access-control-max-age"), Some("300"));
    }

    #[test]
    fn the_actual_answer_carries_both_copies_when_the_code_sets_cors_too() {
        let r = answer(&spec(true), &req("POST", false));
        let acao: Vec<&str> = r.headers.get_all("access-control-allow-origin").collect();
        assert_eq!(acao, vec!["https://app.example.com", "*"]);
        let r = answer(&spec(false), &req("POST", false));
        assert_eq!(r.headers.get_all("access-control-allow-origin").count(), 1);
        // An origin the configuration does not list gets nothing from Lambda.
        let mut other = req("POST", false);
        other.headers.set("Origin", "https://evil.example");
        let r = answer(&spec(false), &other);
        assert!(!r.headers.contains("access-control-allow-origin"));
    }

    #[test]
    fn without_cors_configuration_the_code_answers_the_preflight() {
        let mut s = spec(true);
        s.cors = None;
        s.code.status = 204;
        let r = answer(&s, &req("OPTIONS", true));
        assert_eq!(r.status, 204);
        assert_eq!(r.headers.get("access-control-allow-origin"), Some("*"));
    }

    #[test]
    fn function_url_hosts_are_recognised() {
        assert_eq!(
            function_url_host("abcdefghij1234567890.lambda-url.us-east-1.on.aws"),
            Some(("abcdefghij1234567890", "us-east-1"))
        );
        assert_eq!(function_url_host("x.lambda-url..on.aws"), None);
        assert_eq!(
            function_url_host("abc.execute-api.us-east-1.amazonaws.com"),
            None
        );
        let rq = RecordedRequest {
            method: "GET".into(),
            url: "https://abc123.lambda-url.eu-west-1.on.aws/items".into(),
            headers: Headers::new(),
            body: None,
        };
        let s = seen(&rq, None).expect("host");
        assert_eq!(s.layer, Layer::FunctionUrl);
        assert!(!s.answered);
    }
}
