//! A custom domain name with base path mappings: the request's first path segment(s) select
//! an API and a stage; the rest of the path is the resource path inside that API.
//!
//! What the layer does (`respond`):
//! - the longest base path that is a whole-segment prefix of the URL path wins (`v1/orders`
//!   before `v1`); the `(none)` mapping (empty base path) takes every path no other mapping
//!   takes. The matched base path is stripped and the request goes to the mapped stage
//!   (`/{stage}{rest}`; `$default` and a `(none)` stage forward the rest as it is: the
//!   caller names the stage). Docs: "The base path name that callers of the API must provide
//!   as part of the URL after the domain name … Specify '(none)' if you do not want callers
//!   to specify any base path name", "Specify '(none)' if you want callers to explicitly
//!   specify the stage name after any base path name"
//!   (<https://docs.aws.amazon.com/cli/latest/reference/apigateway/create-base-path-mapping.html>,
//!   <https://docs.aws.amazon.com/apigateway/latest/api/API_GetBasePathMapping.html>).
//!   Multi-level base paths (`v1/orders`) exist for REST APIs on regional domains
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html>).
//! - a path no mapping takes: 403 `{"message":"Forbidden"}`, `x-amzn-ErrorType:
//!   ForbiddenException`, no CORS headers (the domain knows no API whose gateway responses
//!   could add them). Evidence: "`{"message":"Forbidden"}` comes from API Gateway when it has
//!   no place to point an event (when there is no base path mapping)"
//!   (<https://github.com/Miserlou/Zappa/issues/1248>), and the same answer in
//!   amplify-education/serverless-domain-manager#57 and zappa/Zappa#1338.
//! - an edge-optimized domain is served by a CloudFront distribution that API Gateway
//!   manages: answers carry CloudFront's `Via`, `X-Amz-Cf-Id`, `X-Amz-Cf-Pop` and `X-Cache`,
//!   and nothing of that distribution (cache, allowed methods, response headers policies) is
//!   configurable by the user; a regional domain has no CloudFront unless the user puts one
//!   in front (then it is the `cloudfront` layer, which the user does configure)
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-edge-optimized-custom-domain-name.html>).
//!
//! # Choices the documentation leaves open
//! - **The no-mapping 403 carries `x-amzn-RequestId` and `x-amzn-ErrorType:
//!   ForbiddenException` but no `x-amz-apigw-id`** (no API was selected, so no API's
//!   extended request id). Evidence: the body is reported in the issues above; the headers
//!   are not documented. `seen` does not require the absence of `x-amz-apigw-id` on a host
//!   that is not `execute-api` and names the domain only as the likely source.
//! - **Base paths compare case-sensitively, by whole segments.** Evidence: URL paths are
//!   case-sensitive for API Gateway resources; the docs say nothing about base paths.
//! - **The mapped API id is not checked by the simulator**: a scenario serves one API, so a
//!   mapping to another API id forwards to that one API's stage; the diagnosis compares the
//!   mapping with the API the user named (`CUSTOM_DOMAIN_WRONG_STAGE`).

use serde::{Deserialize, Serialize};

use super::{Layer, Layered, Next, Sighting};
use crate::exchange::{AnsweredBy, RecordedRequest, RecordedResponse};
use crate::http::{Headers, HttpRequest, HttpResponse};

/// The base path API Gateway shows for the root mapping.
pub const NONE: &str = "(none)";

/// How the custom domain's endpoint is deployed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointType {
    /// Behind a CloudFront distribution API Gateway manages (not the user's).
    Edge,
    #[default]
    Regional,
}

impl EndpointType {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Edge => "EDGE",
            EndpointType::Regional => "REGIONAL",
        }
    }
}

/// One base path mapping (`GetBasePathMappings`, apigatewayv2 `GetApiMappings`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasePathMapping {
    /// `v1`, `v1/orders`, or `(none)` / empty for the root.
    #[serde(default)]
    pub base_path: String,
    pub api_id: String,
    /// The stage, or `(none)`: callers name the stage after the base path.
    pub stage: String,
}

impl BasePathMapping {
    /// The base path without slashes; empty for the root mapping.
    pub fn normalized(&self) -> &str {
        normalize(&self.base_path)
    }

    /// The base path as API Gateway's CLI takes it (`(none)` for the root).
    pub fn cli_base_path(&self) -> &str {
        match self.normalized() {
            "" => NONE,
            p => p,
        }
    }

    /// The path in the API (`/{stage}{rest}`, or `rest` when the caller names the stage).
    fn forward(&self, rest: &str) -> String {
        if self.stage.is_empty() || self.stage == NONE || self.stage == "$default" {
            rest.to_string()
        } else {
            format!("/{}{rest}", self.stage)
        }
    }
}

fn normalize(base_path: &str) -> &str {
    let p = base_path.trim_matches('/');
    if p == NONE {
        ""
    } else {
        p
    }
}

/// A custom domain name with base path mappings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomDomain {
    /// `api.example.com`.
    pub domain_name: String,
    #[serde(default)]
    pub endpoint: EndpointType,
    #[serde(default)]
    pub mappings: Vec<BasePathMapping>,
    /// Scenarios: the base path the browser app's URLs start with (`v1`; empty: none). The
    /// scenario's request path follows it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub app_base_path: String,
}

impl CustomDomain {
    /// The mapping that takes `path` (the URL path, query allowed) and the rest of the path
    /// after its base path (`/` when nothing is left).
    pub fn route<'a>(&'a self, path_and_query: &str) -> Option<(&'a BasePathMapping, String)> {
        let (path, query) = match path_and_query.find('?') {
            Some(i) => path_and_query.split_at(i),
            None => (path_and_query, ""),
        };
        let trimmed = path.trim_start_matches('/');
        self.mappings
            .iter()
            .filter_map(|m| {
                let base = m.normalized();
                let rest = if base.is_empty() {
                    Some(trimmed)
                } else {
                    trimmed
                        .strip_prefix(base)
                        .filter(|r| r.is_empty() || r.starts_with('/'))
                        .map(|r| r.trim_start_matches('/'))
                }?;
                Some((base.len(), m, format!("/{rest}{query}")))
            })
            // Longest base path first; the root mapping last.
            .max_by_key(|(len, _, _)| *len)
            .map(|(_, m, rest)| (m, rest))
    }

    /// The URL path the browser app calls for `request_path` (below the stage).
    pub fn app_path(&self, request_path: &str) -> String {
        match normalize(&self.app_base_path) {
            "" => request_path.to_string(),
            base => format!("/{base}{request_path}"),
        }
    }

    /// The mappings in words: `v1 → API a1 stage prod, (none) → API a3 stage $default`
    /// (`none` when the domain has none).
    pub fn mappings_in_words(&self) -> String {
        if self.mappings.is_empty() {
            return "none".to_string();
        }
        self.mappings
            .iter()
            .map(|m| format!("{} → API {} stage {}", m.cli_base_path(), m.api_id, m.stage))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// What is wrong with the domain's configuration as API Gateway would refuse it (one
    /// sentence each): multi-level base paths on an edge-optimized domain.
    pub fn problems(&self) -> Vec<String> {
        self.mappings
            .iter()
            .filter(|m| self.endpoint == EndpointType::Edge && m.normalized().contains('/'))
            .map(|m| {
                format!(
                    "The base path {} of {} has several levels, which only regional custom domains (REST APIs) support.",
                    m.normalized(),
                    self.domain_name
                )
            })
            .collect()
    }
}

/// The no-mapping answer: 403 `{"message":"Forbidden"}` (see the module docs).
pub fn forbidden() -> HttpResponse {
    HttpResponse {
        status: 403,
        headers: Headers::new()
            .with("Content-Type", "application/json")
            .with("x-amzn-RequestId", "00000000-0000-4000-8000-0000000d0403")
            .with("x-amzn-ErrorType", "ForbiddenException"),
        body: b"{\"message\":\"Forbidden\"}".to_vec(),
    }
}

/// The headers the API Gateway-managed distribution of an edge-optimized domain adds.
fn edge_headers(headers: &mut Headers) {
    if !headers.contains("via") {
        headers.push("Via", "1.1 0e1f2a3b4c5d6e7f.cloudfront.net (CloudFront)");
    }
    if !headers.contains("x-amz-cf-id") {
        headers.push(
            "X-Amz-Cf-Id",
            "cdtEdgeDomainDistributionManagedByApiGateway000000==",
        );
    }
    if !headers.contains("x-amz-cf-pop") {
        headers.push("X-Amz-Cf-Pop", "IAD89-C1");
    }
    if !headers.contains("x-cache") {
        headers.push("X-Cache", "Miss from cloudfront");
    }
}

/// The request through this layer (`None`: not configured, straight through).
pub fn respond(spec: Option<&CustomDomain>, request: &HttpRequest, next: &mut Next<'_>) -> Layered {
    let Some(domain) = spec else {
        return Layered::Passed(next(request));
    };
    let edge = domain.endpoint == EndpointType::Edge;
    match domain.route(&request.path_and_query) {
        None => {
            let mut resp = forbidden();
            if edge {
                edge_headers(&mut resp.headers);
            }
            Layered::Answered(resp, AnsweredBy::CustomDomain)
        }
        Some((mapping, rest)) => {
            let mut inner = request.clone();
            inner.path_and_query = mapping.forward(&rest);
            let mut resp = next(&inner);
            if edge {
                edge_headers(&mut resp.headers);
            }
            Layered::Passed(resp)
        }
    }
}

/// True for a host of the API's own endpoint (`{id}.execute-api.{region}.amazonaws.com`,
/// with or without a VPC endpoint id).
pub fn is_execute_api_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host.contains(".execute-api.") && host.ends_with(".amazonaws.com")
        || host.ends_with(".amazonaws.com.cn") && host.contains(".execute-api.")
}

fn host_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
}

/// True when `response` has the shape of a custom domain's no-mapping answer: 403
/// `ForbiddenException` `{"message":"Forbidden"}` without API Gateway's extended request id,
/// on a host that is not the API's `execute-api` endpoint.
pub fn is_no_mapping_answer(request: &RecordedRequest, response: &RecordedResponse) -> bool {
    let on_custom_host = host_of(&request.url).is_some_and(|h| !is_execute_api_host(&h));
    let forbidden = response.status == 403
        && response
            .headers
            .get("x-amzn-errortype")
            .is_some_and(|t| t.split(':').next().unwrap_or(t).trim() == "ForbiddenException")
        && compact(&response.body_excerpt) == "{\"message\":\"Forbidden\"}";
    on_custom_host && forbidden && !response.headers.contains("x-amz-apigw-id")
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// This layer recognised in an answer: a request to a host that is not `execute-api` that
/// API Gateway answered (a custom domain, or a proxy in front), and the no-mapping 403.
pub fn seen(request: &RecordedRequest, response: Option<&RecordedResponse>) -> Option<Sighting> {
    let response = response?;
    let host = host_of(&request.url)?;
    if is_execute_api_host(&host) {
        return None;
    }
    if is_no_mapping_answer(request, response) {
        return Some(Sighting {
            layer: Layer::CustomDomain,
            detail: format!(
                "403 ForbiddenException {{\"message\":\"Forbidden\"}} on {host}: no base path mapping takes this path"
            ),
            answered: true,
        });
    }
    let gateway = response.headers.contains("x-amz-apigw-id")
        || response.headers.contains("apigw-requestid")
        || response.headers.contains("x-amzn-requestid");
    // The simulator and local hosts prove nothing about a domain name.
    let local = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok();
    (gateway && !local).then(|| Sighting {
        layer: Layer::CustomDomain,
        detail: format!("API Gateway answers on {host}: a custom domain (or a proxy) in front"),
        answered: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> CustomDomain {
        CustomDomain {
            domain_name: "api.example.com".into(),
            endpoint: EndpointType::Regional,
            mappings: vec![
                BasePathMapping {
                    base_path: "v1".into(),
                    api_id: "a1".into(),
                    stage: "prod".into(),
                },
                BasePathMapping {
                    base_path: "v1/orders".into(),
                    api_id: "a2".into(),
                    stage: "live".into(),
                },
                BasePathMapping {
                    base_path: "(none)".into(),
                    api_id: "a3".into(),
                    stage: "$default".into(),
                },
            ],
            app_base_path: String::new(),
        }
    }

    fn get(path: &str) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path_and_query: path.into(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    fn through(d: &CustomDomain, path: &str) -> (Layered, Option<String>) {
        let mut seen = None;
        let out = respond(Some(d), &get(path), &mut |r: &HttpRequest| {
            seen = Some(r.path_and_query.clone());
            HttpResponse {
                status: 200,
                headers: Headers::new(),
                body: Vec::new(),
            }
        });
        (out, seen)
    }

    #[test]
    fn the_longest_base_path_wins_and_is_stripped() {
        let d = domain();
        assert_eq!(
            through(&d, "/v1/orders/7?x=1").1.as_deref(),
            Some("/live/7?x=1")
        );
        assert_eq!(through(&d, "/v1/items").1.as_deref(), Some("/prod/items"));
        assert_eq!(through(&d, "/v1").1.as_deref(), Some("/prod/"));
        // Whole segments only: v10 is not v1.
        assert_eq!(through(&d, "/v10/items").1.as_deref(), Some("/v10/items"));
        assert_eq!(through(&d, "/").1.as_deref(), Some("/"));
    }

    #[test]
    fn no_mapping_answers_403_forbidden_without_cors() {
        let mut d = domain();
        d.mappings.retain(|m| m.normalized() == "v1");
        let (out, inner) = through(&d, "/v2/items");
        assert_eq!(inner, None, "the API is never reached");
        let Layered::Answered(resp, by) = out else {
            panic!("the domain answers itself");
        };
        assert_eq!(by, AnsweredBy::CustomDomain);
        assert_eq!(resp.status, 403);
        assert_eq!(
            resp.headers.get("x-amzn-errortype"),
            Some("ForbiddenException")
        );
        assert_eq!(resp.body, b"{\"message\":\"Forbidden\"}");
        assert!(!resp.headers.contains("access-control-allow-origin"));
    }

    #[test]
    fn a_stage_none_mapping_lets_the_caller_name_the_stage() {
        let d = CustomDomain {
            domain_name: "api.example.com".into(),
            mappings: vec![BasePathMapping {
                base_path: "shop".into(),
                api_id: "a1".into(),
                stage: "(none)".into(),
            }],
            ..CustomDomain::default()
        };
        assert_eq!(
            through(&d, "/shop/prod/items").1.as_deref(),
            Some("/prod/items")
        );
    }

    #[test]
    fn edge_domains_carry_the_managed_cloudfront_headers() {
        let mut d = domain();
        d.endpoint = EndpointType::Edge;
        let (Layered::Passed(resp), _) = through(&d, "/v1/items") else {
            panic!("passed");
        };
        assert!(resp
            .headers
            .get("via")
            .is_some_and(|v| v.contains("CloudFront")));
        assert!(resp.headers.contains("x-amz-cf-id"));
        assert_eq!(
            d.problems().len(),
            1,
            "multi-level base path on an edge domain"
        );
        d.endpoint = EndpointType::Regional;
        assert!(d.problems().is_empty());
    }

    fn recorded(url: &str, resp: &HttpResponse) -> (RecordedRequest, RecordedResponse) {
        (
            RecordedRequest {
                method: "GET".into(),
                url: url.into(),
                headers: Headers::new(),
                body: None,
            },
            RecordedResponse {
                status: resp.status,
                headers: resp.headers.clone(),
                body_excerpt: String::from_utf8_lossy(&resp.body).into_owned(),
                body_truncated: false,
            },
        )
    }

    #[test]
    fn the_no_mapping_answer_is_recognised_on_a_custom_host_only() {
        let (req, resp) = recorded("https://api.example.com/v2/items", &forbidden());
        let s = seen(&req, Some(&resp)).expect("seen");
        assert!(s.answered);
        assert_eq!(s.layer, Layer::CustomDomain);
        let (req, resp) = recorded(
            "https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/items",
            &forbidden(),
        );
        assert_eq!(seen(&req, Some(&resp)), None);
        assert!(!is_no_mapping_answer(&req, &resp));
        // The API's own answer on the domain: passed through, not answered.
        let ok = HttpResponse {
            status: 200,
            headers: Headers::new().with("x-amz-apigw-id", "abc="),
            body: Vec::new(),
        };
        let (req, resp) = recorded("https://api.example.com/v1/items", &ok);
        assert!(!seen(&req, Some(&resp)).expect("seen").answered);
    }

    #[test]
    fn the_scenario_url_starts_with_the_app_base_path() {
        let mut d = domain();
        d.app_base_path = "/v2/".into();
        assert_eq!(d.app_path("/items"), "/v2/items");
        d.app_base_path = String::new();
        assert_eq!(d.app_path("/items"), "/items");
    }
}
