//! AWS WAF: a web ACL associated with the API's stage (regional) or with the CloudFront
//! distribution in front of it.
//!
//! What the model covers, a small honest subset of a web ACL
//! (<https://docs.aws.amazon.com/waf/latest/developerguide/web-acl.html>):
//! - rules evaluated in `priority` order, each a byte-match statement (a part of the request
//!   — a header, the URI path, the query string, the method or the body — `contains`,
//!   `exactly`, `starts_with` or `ends_with` a search string, optionally lowercased first) or
//!   an IP set (never matches here: the simulator and the prediction know no client address,
//!   so such a rule documents intent only);
//! - actions `block` and `allow` terminate the evaluation, `count` goes on; the web ACL's
//!   `default_action` applies when no rule terminates it
//!   (<https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-default-action.html>);
//! - a `block` may carry a custom response (status, headers, body): "Custom responses that you
//!   specify for the AWS WAF Block action take precedence over any response specifications
//!   that you define in your protected resource"
//!   (<https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html>);
//!   any header name except `content-type` may be set.
//!
//! What a block looks like to the browser:
//! - regional, no custom response: API Gateway answers with its `WAF_FILTERED` gateway
//!   response (403, `x-amzn-ErrorType: ForbiddenException`, `{"message":"Forbidden"}`), shaped
//!   by the API's customized `WAF_FILTERED` or `DEFAULT_4XX` gateway response — CORS headers
//!   only if one of them adds them
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html>).
//!   The layer hands the request to the behaviour model with
//!   [`super::GATEWAY_RESPONSE_HEADER`] `WAF_FILTERED`, so the one model of gateway responses
//!   renders it.
//! - CloudFront scope, no custom response: CloudFront's 403 page "Request blocked. We can't
//!   connect to the server for this app or website at this time." with `Server: CloudFront`
//!   (<https://repost.aws/knowledge-center/cloudfront-troubleshoot-403-errors>,
//!   <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-403-permission-denied.html>).
//! - a custom response: exactly what it says, in either scope.
//!
//! Choices the documentation leaves open:
//! - body inspection: WAF inspects the first 8 KB of a body for API Gateway
//!   (<https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html>);
//!   the model inspects the first 8 KB in both scopes (CloudFront's default is 16 KB).
//! - a custom response carries only its own headers and `Content-Type` (the docs do not say
//!   whether API Gateway adds `x-amzn-RequestId` to it; the model adds nothing).
//! - live, the default `WAF_FILTERED` answer is byte for byte API Gateway's answer to a
//!   missing API key (`INVALID_API_KEY`: 403 `ForbiddenException`, `{"message":"Forbidden"}`):
//!   [`seen`] does not claim either; the diagnosis settles it with the configuration (a web
//!   ACL on the stage, the method's API key requirement), see `diagnose::steps::front_waf`.

use serde::{Deserialize, Serialize};

use super::{Layer, Layered, Next, Sighting, GATEWAY_RESPONSE_HEADER};
use crate::exchange::{AnsweredBy, RecordedRequest, RecordedResponse};
use crate::http::{Headers, HttpRequest, HttpResponse};

/// How many bytes of a body the rules inspect (see the module docs).
pub const BODY_INSPECTION_BYTES: usize = 8 * 1024;

/// An AWS WAF web ACL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebAcl {
    /// The web ACL's name (`app-acl`).
    #[serde(default = "default_name")]
    pub name: String,
    /// Where it is associated: the API's stage (`regional`) or the CloudFront distribution.
    #[serde(default)]
    pub scope: Scope,
    /// Rules, evaluated by ascending `priority`.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// What happens to a request no rule terminated.
    #[serde(default)]
    pub default_action: Action,
    /// The custom response of a `block` default action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_custom_response: Option<CustomResponse>,
}

fn default_name() -> String {
    "web-acl".to_string()
}

/// Where a web ACL is associated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// With the API's stage: a block is API Gateway's `WAF_FILTERED` gateway response.
    #[default]
    Regional,
    /// With the CloudFront distribution: a block is CloudFront's 403 page.
    Cloudfront,
}

/// A rule action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    #[default]
    Allow,
    Block,
    /// Counts the match and goes on with the next rule.
    Count,
}

/// One rule: a statement and what to do when it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    #[serde(default)]
    pub priority: u32,
    pub statement: Statement,
    pub action: Action,
    /// The custom response of a `block` action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_response: Option<CustomResponse>,
}

/// What a rule inspects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Statement {
    /// A part of the request compared with a search string.
    ByteMatch {
        field: Field,
        positional: Positional,
        search: String,
        /// The LOWERCASE text transformation before the comparison.
        #[serde(default)]
        lowercase: bool,
    },
    /// Client addresses in CIDR notation. The model knows no client address: never matches.
    IpSet { addresses: Vec<String> },
}

/// The part of a request a byte match inspects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// One header by name (absent: no match).
    Header(String),
    UriPath,
    QueryString,
    Method,
    /// The first [`BODY_INSPECTION_BYTES`] of the body.
    Body,
}

/// How the search string must sit in the inspected part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Positional {
    Contains,
    Exactly,
    StartsWith,
    EndsWith,
}

/// A custom response for a block (WAF `CustomResponse`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomResponse {
    /// 200–599 (WAF's supported codes are a subset; see the module docs).
    pub status: u16,
    /// Response headers (any name but `content-type`), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body's content type (`application/json`, `text/html`, `text/plain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

/// What the web ACL decides for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision<'a> {
    Allow,
    /// Blocked by the rule named (`None`: the default action), with its custom response.
    Block {
        rule: Option<&'a str>,
        custom: Option<&'a CustomResponse>,
    },
}

impl WebAcl {
    /// Problems that make the spec one AWS WAF would refuse (empty: fine).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let customs = self
            .rules
            .iter()
            .filter_map(|r| r.custom_response.as_ref().map(|c| (r.name.as_str(), c)))
            .chain(
                self.default_custom_response
                    .as_ref()
                    .map(|c| ("default action", c)),
            );
        for (name, c) in customs {
            if !(200..=599).contains(&c.status) {
                out.push(format!(
                    "waf '{}': the custom response of {name} has status {}; AWS WAF allows 200–599.",
                    self.name, c.status
                ));
            }
            if c.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                out.push(format!(
                    "waf '{}': the custom response of {name} sets content-type as a header; AWS WAF refuses that name (use content_type).",
                    self.name
                ));
            }
        }
        for r in &self.rules {
            if r.custom_response.is_some() && r.action != Action::Block {
                out.push(format!(
                    "waf '{}': rule '{}' has a custom response but does not block; only a block sends one.",
                    self.name, r.name
                ));
            }
        }
        out
    }

    /// The decision for `request` (rules by priority, then the default action).
    pub fn decide<'a>(&'a self, request: &HttpRequest) -> Decision<'a> {
        let mut rules: Vec<&Rule> = self.rules.iter().collect();
        rules.sort_by_key(|r| r.priority);
        for rule in rules {
            if !matches(&rule.statement, request) {
                continue;
            }
            match rule.action {
                Action::Count => continue,
                Action::Allow => return Decision::Allow,
                Action::Block => {
                    return Decision::Block {
                        rule: Some(&rule.name),
                        custom: rule.custom_response.as_ref(),
                    }
                }
            }
        }
        match self.default_action {
            Action::Block => Decision::Block {
                rule: None,
                custom: self.default_custom_response.as_ref(),
            },
            Action::Allow | Action::Count => Decision::Allow,
        }
    }
}

fn matches(statement: &Statement, request: &HttpRequest) -> bool {
    let Statement::ByteMatch {
        field,
        positional,
        search,
        lowercase,
    } = statement
    else {
        return false;
    };
    let (path, query) = match request.path_and_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (request.path_and_query.as_str(), ""),
    };
    let part: Option<String> = match field {
        Field::Header(name) => request.headers.combined(name),
        Field::UriPath => Some(path.to_string()),
        Field::QueryString => Some(query.to_string()),
        Field::Method => Some(request.method.clone()),
        Field::Body => {
            let end = request.body.len().min(BODY_INSPECTION_BYTES);
            Some(String::from_utf8_lossy(&request.body[..end]).into_owned())
        }
    };
    let Some(mut part) = part else {
        return false;
    };
    if *lowercase {
        part = part.to_lowercase();
    }
    match positional {
        Positional::Contains => part.contains(search.as_str()),
        Positional::Exactly => part == *search,
        Positional::StartsWith => part.starts_with(search.as_str()),
        Positional::EndsWith => part.ends_with(search.as_str()),
    }
}

/// A custom response as the client receives it.
fn custom_answer(c: &CustomResponse) -> HttpResponse {
    let mut headers = Headers::new();
    if c.body.is_some() {
        headers.push(
            "Content-Type",
            c.content_type.as_deref().unwrap_or("text/plain"),
        );
    }
    for (n, v) in &c.headers {
        headers.push(n.clone(), v.clone());
    }
    HttpResponse {
        status: c.status,
        headers,
        body: c.body.clone().unwrap_or_default().into_bytes(),
    }
}

/// The words of CloudFront's page for a request AWS WAF blocked (see the module docs).
pub const CLOUDFRONT_BLOCK_WORDS: &str =
    "Request blocked. We can't connect to the server for this app or website at this time.";

/// CloudFront's 403 page for a request its web ACL blocked.
pub fn cloudfront_block_page() -> HttpResponse {
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \"http://www.w3.org/TR/html4/loose.dtd\">\n<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">\n<TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>\n<H1>403 ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n<HR noshade size=\"1px\">\n{CLOUDFRONT_BLOCK_WORDS} There might be too much traffic or a configuration error. Try again later, or contact the app or website owner.\n<BR clear=\"all\">\n<HR noshade size=\"1px\">\n<PRE>\nGenerated by cloudfront (CloudFront)\n</PRE>\n</BODY></HTML>"
    );
    HttpResponse {
        status: 403,
        headers: Headers::new()
            .with("Server", "CloudFront")
            .with("Content-Type", "text/html")
            .with("X-Cache", "Error from cloudfront")
            .with(
                "Via",
                "1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)",
            )
            .with("X-Amz-Cf-Pop", "FRA56-P1")
            .with(
                "X-Amz-Cf-Id",
                "Wbl0cKeD-by-waf-0123456789abcdefghijklmnopqrstuvwxyzAB==",
            ),
        body: body.into_bytes(),
    }
}

/// A web ACL on the CloudFront distribution, before CloudFront: its block answer (`None`:
/// allowed, or no such web ACL).
pub fn at_edge(spec: Option<&WebAcl>, request: &HttpRequest) -> Option<HttpResponse> {
    let acl = spec.filter(|a| a.scope == Scope::Cloudfront)?;
    match acl.decide(request) {
        Decision::Allow => None,
        Decision::Block {
            custom: Some(c), ..
        } => Some(custom_answer(c)),
        Decision::Block { custom: None, .. } => Some(cloudfront_block_page()),
    }
}

/// The request through this layer (`None`: not configured, straight through). A CloudFront
/// web ACL is judged before CloudFront ([`at_edge`]), so here only a regional one acts.
pub fn respond(spec: Option<&WebAcl>, request: &HttpRequest, next: &mut Next<'_>) -> Layered {
    let Some(acl) = spec.filter(|a| a.scope == Scope::Regional) else {
        return Layered::Passed(next(request));
    };
    match acl.decide(request) {
        Decision::Allow => Layered::Passed(next(request)),
        Decision::Block {
            custom: Some(c), ..
        } => Layered::Answered(custom_answer(c), AnsweredBy::Waf),
        Decision::Block { custom: None, .. } => {
            let mut marked = request.clone();
            marked.headers.set(GATEWAY_RESPONSE_HEADER, "WAF_FILTERED");
            Layered::Answered(next(&marked), AnsweredBy::Waf)
        }
    }
}

/// True when `response` is CloudFront's page for a request AWS WAF blocked.
pub fn is_cloudfront_block_page(response: &RecordedResponse) -> bool {
    response.status == 403
        && response
            .headers
            .get("server")
            .is_some_and(|s| s.eq_ignore_ascii_case("cloudfront"))
        && response.body_excerpt.contains("Request blocked.")
}

/// This layer recognised in an answer: CloudFront's WAF block page, or a CAPTCHA/challenge
/// answer (`x-amzn-waf-action`,
/// <https://docs.aws.amazon.com/waf/latest/developerguide/waf-captcha-and-challenge-how-it-works.html>).
/// API Gateway's default `WAF_FILTERED` answer is not claimed: it is the same as a missing
/// API key's (see the module docs).
pub fn seen(_request: &RecordedRequest, response: Option<&RecordedResponse>) -> Option<Sighting> {
    let response = response?;
    if is_cloudfront_block_page(response) {
        return Some(Sighting {
            layer: Layer::Waf,
            detail: "403 \"Request blocked\" page from CloudFront (a web ACL on the distribution)"
                .to_string(),
            answered: true,
        });
    }
    let action = response.headers.get("x-amzn-waf-action")?;
    Some(Sighting {
        layer: Layer::Waf,
        detail: format!(
            "x-amzn-waf-action: {}",
            crate::text::shorten(&crate::text::escape_controls(action), 40)
        ),
        answered: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str, body: &str) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            path_and_query: path.into(),
            headers: Headers::new().with("Origin", "https://app.example.com"),
            body: body.as_bytes().to_vec(),
        }
    }

    fn acl(rule: Rule) -> WebAcl {
        WebAcl {
            name: "acl".into(),
            rules: vec![rule],
            ..WebAcl::default()
        }
    }

    fn body_rule(custom: Option<CustomResponse>) -> Rule {
        Rule {
            name: "no-script".into(),
            priority: 1,
            statement: Statement::ByteMatch {
                field: Field::Body,
                positional: Positional::Contains,
                search: "<script".into(),
                lowercase: true,
            },
            action: Action::Block,
            custom_response: custom,
        }
    }

    #[test]
    fn rules_decide_in_priority_order_and_count_goes_on() {
        let mut a = acl(body_rule(None));
        assert_eq!(a.decide(&req("POST", "/c", "hi")), Decision::Allow);
        assert!(matches!(
            a.decide(&req("POST", "/c", "x<SCRIPT>")),
            Decision::Block {
                rule: Some("no-script"),
                ..
            }
        ));
        // An allow rule with a lower priority number wins.
        a.rules.push(Rule {
            name: "trusted".into(),
            priority: 0,
            statement: Statement::ByteMatch {
                field: Field::Header("x-trusted".into()),
                positional: Positional::Exactly,
                search: "yes".into(),
                lowercase: false,
            },
            action: Action::Allow,
            custom_response: None,
        });
        let mut r = req("POST", "/c", "<script>");
        r.headers.push("x-trusted", "yes");
        assert_eq!(a.decide(&r), Decision::Allow);
        // Count does not terminate; the default action then applies.
        a.rules = vec![Rule {
            action: Action::Count,
            ..body_rule(None)
        }];
        a.default_action = Action::Block;
        assert!(matches!(
            a.decide(&req("GET", "/c", "")),
            Decision::Block { rule: None, .. }
        ));
    }

    #[test]
    fn body_inspection_stops_at_8_kb() {
        let a = acl(body_rule(None));
        let late = format!("{}<script>", "a".repeat(BODY_INSPECTION_BYTES));
        assert_eq!(a.decide(&req("POST", "/c", &late)), Decision::Allow);
    }

    #[test]
    fn a_regional_block_is_the_gateway_response_and_a_custom_one_is_waf_own() {
        let a = acl(body_rule(None));
        let mut marker = None;
        let mut next = |r: &HttpRequest| {
            marker = r.headers.get(GATEWAY_RESPONSE_HEADER).map(str::to_string);
            HttpResponse {
                status: 403,
                headers: Headers::new(),
                body: vec![],
            }
        };
        let out = respond(Some(&a), &req("POST", "/c", "<script>"), &mut next);
        assert!(matches!(out, Layered::Answered(_, AnsweredBy::Waf)));
        assert_eq!(marker.as_deref(), Some("WAF_FILTERED"));
        let custom = CustomResponse {
            status: 403,
            headers: vec![(
                "Access-Control-Allow-Origin".into(),
                "https://app.example.com".into(),
            )],
            body: Some("{\"error\":\"blocked\"}".into()),
            content_type: Some("application/json".into()),
        };
        let a = acl(body_rule(Some(custom)));
        let mut next =
            |_: &HttpRequest| -> HttpResponse { panic!("a custom block never reaches the API") };
        match respond(Some(&a), &req("POST", "/c", "<script>"), &mut next) {
            Layered::Answered(r, AnsweredBy::Waf) => {
                assert_eq!(r.status, 403);
                assert_eq!(
                    r.headers.get("access-control-allow-origin"),
                    Some("https://app.example.com")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cloudfront_web_acl_answers_with_cloudfronts_page_and_is_seen() {
        let mut a = acl(body_rule(None));
        a.scope = Scope::Cloudfront;
        let page = at_edge(Some(&a), &req("POST", "/c", "<script>")).expect("blocked");
        assert_eq!(page.status, 403);
        let recorded = RecordedResponse {
            status: page.status,
            headers: page.headers.clone(),
            body_excerpt: String::from_utf8_lossy(&page.body).into_owned(),
            body_truncated: false,
        };
        let rq = RecordedRequest {
            method: "POST".into(),
            url: "https://d111.cloudfront.net/c".into(),
            headers: Headers::new(),
            body: None,
        };
        let s = seen(&rq, Some(&recorded)).expect("seen");
        assert_eq!(s.layer, Layer::Waf);
        assert!(s.answered);
        // A regional respond leaves a CloudFront web ACL alone.
        let mut next = |_: &HttpRequest| HttpResponse {
            status: 200,
            headers: Headers::new(),
            body: vec![],
        };
        assert!(matches!(
            respond(Some(&a), &req("POST", "/c", "<script>"), &mut next),
            Layered::Passed(_)
        ));
        assert!(at_edge(Some(&a), &req("POST", "/c", "fine")).is_none());
    }

    #[test]
    fn refused_specs_are_named() {
        let mut a = acl(body_rule(Some(CustomResponse {
            status: 700,
            headers: vec![("Content-Type".into(), "x".into())],
            body: None,
            content_type: None,
        })));
        assert_eq!(a.problems().len(), 2);
        a.rules[0].action = Action::Allow;
        assert_eq!(a.problems().len(), 3);
    }
}
