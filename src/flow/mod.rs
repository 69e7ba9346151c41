//! The path of each exchange, drawn: Browser → CloudFront → custom domain → API Gateway
//! (stage, route or resource, authorizer, API key, throttling) → integration → backend, with
//! the hop that answered, its status, the status the browser hides and where the browser
//! blocked the request. One source for the text report's one-line paths, the Markdown
//! report's mermaid diagrams, the JSON report's `flows` and the TUI's flow view.
//!
//! Pure: built from what the run holds ([`Evidence`]: the exchanges and the configuration)
//! and the browser's verdict ([`BrowserSide`], the one the report shows: the engine's or
//! Chromium's), never re-judged here. The layers in front of the API come from
//! [`front::sightings`] (each layer's own recognition), the configuration's
//! [`front::Front`] and the exchange's [`AnsweredBy`]; the API Gateway sub-hops from the
//! configuration when one was read (the route or resource the request matches, its
//! authorizer, API key, throttling and integration) and from API Gateway's answer
//! (`x-amzn-ErrorType`, the gateway response types of
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html>).
//!
//! Choices the AWS documentation leaves open (or spreads over several pages), and what we
//! do:
//! - The order of the checks inside API Gateway. The docs describe them one by one: route
//!   selection first (an unmatched path or method is `MISSING_AUTHENTICATION_TOKEN` /
//!   404 before anything else), then authorization (Lambda / Cognito / IAM authorizers and
//!   the resource policy,
//!   <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html>),
//!   then the API key and usage plan throttling
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html>),
//!   then the integration. The hops are drawn in that order (the enum order of [`HopLayer`]);
//!   the layers in front follow [`front::Layer`]'s order.
//! - `ForbiddenException` (403) is both `INVALID_API_KEY` and `WAF_FILTERED`: the API key
//!   when the method requires one (configuration), AWS WAF when the stage has a web ACL,
//!   else "an API key or AWS WAF" on the API Gateway hop.
//! - `AccessDeniedException` (403, `ACCESS_DENIED`) is a resource policy deny or a Lambda
//!   authorizer's Deny policy: the body tells them apart (`… not authorized to perform:
//!   execute-api:Invoke …` names the policy evaluation; `User is not authorized to access
//!   this resource` is the authorizer's), else the resource policy when the configuration
//!   has no authorizer on the method.
//! - An answer nothing recognises (no API Gateway, CloudFront, WAF … marks) is drawn as
//!   answered by "the server".

mod answering;
mod render;

pub use render::{line, mermaid, styled_line, Glyphs};

use serde::{Deserialize, Serialize};

use crate::cors::{FailedAt, Outcome, Verdict};
use crate::evidence::{ConfigEvidence, Evidence};
use crate::exchange::{AnsweredBy, Exchange, ExchangeKind, FailureKind};
use crate::gateway::front::{self, Front, Layer, Sighting};
use crate::gateway::model::{ApiKind, AuthorizationType, IntegrationType, Method};
use crate::gateway::{behavior, Api};
use crate::http::Headers;

/// One hop on the path (outermost first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HopLayer {
    #[serde(rename = "cloudfront")]
    CloudFront,
    Waf,
    CustomDomain,
    VpcEndpoint,
    ResourcePolicy,
    /// API Gateway's stage (the API, reached).
    ApiGateway,
    /// The route (HTTP API) or resource and method (REST API) the request matches.
    Route,
    Authorizer,
    ApiKey,
    Throttling,
    Integration,
    Backend,
    /// A Lambda function URL answering in API Gateway's place.
    FunctionUrl,
    /// A load balancer answering in API Gateway's place.
    LoadBalancer,
    /// Whatever answered when nothing recognises it.
    Server,
}

impl HopLayer {
    /// The name in reports (the serialized form).
    pub fn as_str(self) -> &'static str {
        match self {
            HopLayer::CloudFront => "cloudfront",
            HopLayer::Waf => "waf",
            HopLayer::CustomDomain => "custom-domain",
            HopLayer::VpcEndpoint => "vpc-endpoint",
            HopLayer::ResourcePolicy => "resource-policy",
            HopLayer::ApiGateway => "api-gateway",
            HopLayer::Route => "route",
            HopLayer::Authorizer => "authorizer",
            HopLayer::ApiKey => "api-key",
            HopLayer::Throttling => "throttling",
            HopLayer::Integration => "integration",
            HopLayer::Backend => "backend",
            HopLayer::FunctionUrl => "function-url",
            HopLayer::LoadBalancer => "load-balancer",
            HopLayer::Server => "server",
        }
    }

    fn of(layer: Layer) -> HopLayer {
        match layer {
            Layer::CloudFront => HopLayer::CloudFront,
            Layer::Waf => HopLayer::Waf,
            Layer::CustomDomain => HopLayer::CustomDomain,
            Layer::VpcEndpoint => HopLayer::VpcEndpoint,
            Layer::ResourcePolicy => HopLayer::ResourcePolicy,
            Layer::ApiGateway => HopLayer::ApiGateway,
            Layer::FunctionUrl => HopLayer::FunctionUrl,
            Layer::LoadBalancer => HopLayer::LoadBalancer,
        }
    }

    /// The hop that answers for `by` (`None`: API Gateway or the backend, decided with the
    /// error type and the configuration).
    fn answering(by: AnsweredBy) -> Option<HopLayer> {
        match by {
            AnsweredBy::Cloudfront => Some(HopLayer::CloudFront),
            AnsweredBy::Waf => Some(HopLayer::Waf),
            AnsweredBy::CustomDomain => Some(HopLayer::CustomDomain),
            AnsweredBy::FunctionUrl => Some(HopLayer::FunctionUrl),
            AnsweredBy::LoadBalancer => Some(HopLayer::LoadBalancer),
            AnsweredBy::Gateway
            | AnsweredBy::Backend
            | AnsweredBy::GatewayOrBackend
            | AnsweredBy::Unknown => None,
        }
    }

    /// Hops that answer in API Gateway's place: with one of them, API Gateway is not on
    /// the path.
    fn replaces_gateway(self) -> bool {
        matches!(
            self,
            HopLayer::FunctionUrl | HopLayer::LoadBalancer | HopLayer::Server
        )
    }

    /// A hop inside API Gateway (drawn after its stage).
    fn inside_gateway(self) -> bool {
        matches!(
            self,
            HopLayer::Route
                | HopLayer::Authorizer
                | HopLayer::ApiKey
                | HopLayer::Throttling
                | HopLayer::Integration
        )
    }
}

/// What happened to the request at a hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HopState {
    /// The request went through, further in.
    Passed,
    /// This hop produced the answer; the request went no further.
    Answered,
    /// The request never got here.
    NotReached,
    /// Cannot be told from what was recorded.
    Unknown,
}

impl HopState {
    pub fn as_str(self) -> &'static str {
        match self {
            HopState::Passed => "passed",
            HopState::Answered => "answered",
            HopState::NotReached => "not-reached",
            HopState::Unknown => "unknown",
        }
    }
}

/// One hop of a flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    pub layer: HopLayer,
    /// Its name on the path (`CloudFront (Miss)`, `API Gateway prod`, `route GET /items`).
    pub label: String,
    pub state: HopState,
    /// What shows it or what it did, in a few words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The status this hop answered with (the answering hop only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// Where the browser stopped: the request it blocked and Chromium's `CorsError` name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockPoint {
    pub request: FailedAt,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors_error: Option<String>,
}

/// What the browser does with this exchange's request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BrowserPart {
    /// The browser sends it (the preflight, or the actual request once a preflight passed).
    Sends,
    /// The browser would never send it: the preflight before it failed (the probes sent it
    /// to show what the API would have answered).
    NeverSends,
    /// Not a browser request: the request without `Origin` (curl's view) or the foreign-origin
    /// probe.
    Probe,
}

/// The path of one exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// The exchange's id (`x1`).
    pub exchange: String,
    pub kind: ExchangeKind,
    pub method: String,
    /// Computed by the behaviour model, not sent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub predicted: bool,
    /// The hops in path order (only the layers that exist or were seen).
    pub hops: Vec<Hop>,
    pub answered_by: AnsweredBy,
    /// The status of the answer, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The status the browser hides behind the CORS error (this exchange's request blocked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden_status: Option<u16>,
    /// Where the browser blocked (this exchange's request), from the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_at: Option<BlockPoint>,
    pub browser: BrowserPart,
    /// The transport failure, when no answer came (`dns`, `connect`, `timeout`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureKind>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Flow {
    /// The hop that answered, if any.
    pub fn answering(&self) -> Option<&Hop> {
        self.hops.iter().find(|h| h.state == HopState::Answered)
    }

    /// True when the exchange went wrong for the user: blocked by the browser, an error
    /// status, or no answer.
    pub fn failed(&self) -> bool {
        self.blocked_at.is_some() || self.failure.is_some() || self.status.is_some_and(|s| s >= 400)
    }
}

/// The browser's verdict as the report shows it (the engine's, or Chromium's when it
/// retested): the flow reads it, never judges again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserSide {
    pub outcome: Outcome,
    pub failed_at: Option<FailedAt>,
    /// Chromium's `CorsError` name (`PreflightInvalidStatus`).
    pub cors_error: Option<String>,
    pub hidden_status: Option<u16>,
}

impl From<&Verdict> for BrowserSide {
    fn from(v: &Verdict) -> Self {
        BrowserSide {
            outcome: v.outcome,
            failed_at: v.failed_at,
            cors_error: v.cors_error.as_ref().map(|e| e.kind.name().to_string()),
            hidden_status: v.hidden_status,
        }
    }
}

/// The flow of every exchange of `evidence`, in order.
pub fn flows(evidence: &Evidence, browser: &BrowserSide) -> Vec<Flow> {
    let config = Config::of(evidence);
    evidence
        .exchanges
        .iter()
        .map(|x| flow(x, &config, browser))
        .collect()
}

/// What the configuration says about the path (when one was read).
struct Config<'a> {
    api: Option<&'a Api>,
    stage: Option<String>,
    path: String,
    front: Option<&'a Front>,
}

impl<'a> Config<'a> {
    fn of(evidence: &'a Evidence) -> Config<'a> {
        match &evidence.config {
            ConfigEvidence::Loaded {
                api,
                stage,
                path,
                front,
                unresolved,
                ..
            } => Config {
                // The resource could not be told from the URL: no route is guessed.
                api: unresolved.is_none().then_some(&**api),
                stage: stage.clone(),
                path: path.clone(),
                front: Some(front),
            },
            _ => Config {
                api: None,
                stage: execute_api_stage(evidence.target.url.as_str()),
                path: String::new(),
                front: None,
            },
        }
    }
}

/// The stage of an `execute-api` URL (its first path segment), else `None`.
fn execute_api_stage(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.rsplit('@').next().unwrap_or(host);
    if !host.contains(".execute-api.") {
        return None;
    }
    let first = path.split(['/', '?', '#']).next().unwrap_or("");
    (!first.is_empty()).then(|| first.to_string())
}

/// Builds the flow of one exchange.
fn flow(x: &Exchange, config: &Config<'_>, browser: &BrowserSide) -> Flow {
    let mut hops: Vec<Hop> = Vec::new();
    let mut sightings = front::sightings(&x.request, x.response.as_ref());
    // A private API's public endpoint answers with the custom domain's no-mapping shape: the
    // configuration tells it is the former.
    if config.front.is_some_and(Front::private_called_from_outside) {
        sightings.retain(|s| s.layer != Layer::CustomDomain);
    }
    // The layers in front: configured, seen, or named by the attribution.
    let configured = config.front.map(configured_layers).unwrap_or_default();
    for layer in configured.iter().chain(sightings.iter().map(|s| &s.layer)) {
        add(&mut hops, HopLayer::of(*layer));
    }
    let answering_front = HopLayer::answering(x.answered_by)
        .or_else(|| {
            sightings
                .iter()
                .find(|s| s.answered)
                .map(|s| HopLayer::of(s.layer))
        })
        .filter(|_| x.response.is_some());
    if let Some(h) = answering_front {
        add(&mut hops, h);
    }
    let replaced = hops.iter().any(|h| h.layer.replaces_gateway());
    // API Gateway: reached (its headers or attribution), or the configured target.
    let gateway_seen = x
        .response
        .as_ref()
        .is_some_and(|r| gateway_headers(&r.headers))
        || matches!(
            x.answered_by,
            AnsweredBy::Gateway | AnsweredBy::Backend | AnsweredBy::GatewayOrBackend
        );
    let gateway = !replaced && (gateway_seen || config.api.is_some() || hops.is_empty());
    let mut route = RouteInfo::default();
    if gateway {
        if !gateway_seen && config.api.is_none() && answering_front.is_none() {
            // Nothing says what answered: no API Gateway is claimed.
            add(&mut hops, HopLayer::Server);
        } else {
            add(&mut hops, HopLayer::ApiGateway);
            if let Some(api) = config.api {
                route = route_info(api, config, &x.request.method, x.kind);
                for h in route.hops() {
                    add(&mut hops, h);
                }
            }
        }
    } else if config.api.is_some() && !replaced {
        add(&mut hops, HopLayer::ApiGateway);
    }
    for s in &sightings {
        if let Some(h) = hops.iter_mut().find(|h| h.layer == HopLayer::of(s.layer)) {
            if h.note.is_empty() {
                h.note = s.detail.clone();
            }
        }
    }
    answering::label_hops(&mut hops, x, config, &route, &sightings);

    // Where it stopped.
    let answered_at = match (&x.response, &x.error) {
        (Some(resp), _) => Some(answering::answering_hop(
            x,
            resp,
            answering_front,
            &route,
            &mut hops,
        )),
        _ => None,
    };
    match (answered_at, &x.error) {
        (Some(i), _) => {
            for (n, h) in hops.iter_mut().enumerate() {
                h.state = match n.cmp(&i) {
                    std::cmp::Ordering::Less => HopState::Passed,
                    std::cmp::Ordering::Equal => HopState::Answered,
                    std::cmp::Ordering::Greater => HopState::NotReached,
                };
            }
            if let Some(h) = hops.get_mut(i) {
                h.status = x.status();
            }
        }
        (None, Some(e)) => {
            let before_first = matches!(
                e.kind,
                FailureKind::Dns | FailureKind::Connect | FailureKind::Tls
            );
            for (n, h) in hops.iter_mut().enumerate() {
                h.state = if before_first {
                    HopState::NotReached
                } else {
                    HopState::Unknown
                };
                if n == 0 && !before_first {
                    h.note = failure_words(e.kind).to_string();
                }
            }
        }
        (None, None) => {
            for h in &mut hops {
                h.state = HopState::Unknown;
            }
        }
    }

    let browser_part = match x.kind {
        ExchangeKind::Preflight => BrowserPart::Sends,
        ExchangeKind::Actual if browser.failed_at == Some(FailedAt::Preflight) => {
            BrowserPart::NeverSends
        }
        ExchangeKind::Actual => BrowserPart::Sends,
        ExchangeKind::NoOrigin | ExchangeKind::ForeignOrigin => BrowserPart::Probe,
    };
    let blocked_here = browser.outcome == Outcome::Blocked
        && matches!(
            (browser.failed_at, x.kind),
            (Some(FailedAt::Preflight), ExchangeKind::Preflight)
                | (Some(FailedAt::Actual), ExchangeKind::Actual)
        );
    let blocked_at = blocked_here.then(|| BlockPoint {
        request: browser.failed_at.unwrap_or(FailedAt::Actual),
        cors_error: browser.cors_error.clone(),
    });
    Flow {
        exchange: x.id.clone(),
        kind: x.kind,
        method: x.request.method.clone(),
        predicted: x.predicted,
        hops,
        answered_by: x.answered_by,
        status: x.status(),
        hidden_status: if blocked_here {
            browser.hidden_status
        } else {
            None
        },
        blocked_at,
        browser: browser_part,
        failure: x.error.as_ref().map(|e| e.kind),
    }
}

/// Adds a hop of `layer` once, keeping the path order.
fn add(hops: &mut Vec<Hop>, layer: HopLayer) {
    if hops.iter().any(|h| h.layer == layer) {
        return;
    }
    let at = hops
        .iter()
        .position(|h| order(h.layer) > order(layer))
        .unwrap_or(hops.len());
    hops.insert(
        at,
        Hop {
            layer,
            label: String::new(),
            state: HopState::Unknown,
            note: String::new(),
            status: None,
        },
    );
}

/// The path position of a hop: the layers in front in [`front::Layer`]'s order, then API
/// Gateway's stage and its checks, then the integration and backend. A service that answers
/// in API Gateway's place stands where API Gateway would.
fn order(layer: HopLayer) -> u8 {
    match layer {
        HopLayer::CloudFront => 0,
        HopLayer::Waf => 1,
        HopLayer::CustomDomain => 2,
        HopLayer::VpcEndpoint => 3,
        HopLayer::ResourcePolicy => 4,
        HopLayer::ApiGateway | HopLayer::FunctionUrl | HopLayer::LoadBalancer => 5,
        HopLayer::Server => 5,
        HopLayer::Route => 6,
        HopLayer::Authorizer => 7,
        HopLayer::ApiKey => 8,
        HopLayer::Throttling => 9,
        HopLayer::Integration => 10,
        HopLayer::Backend => 11,
    }
}

/// The layers a configuration puts in front of the API.
fn configured_layers(front: &Front) -> Vec<Layer> {
    let mut out = Vec::new();
    if front.cloudfront.is_some() {
        out.push(Layer::CloudFront);
    }
    if front.waf.is_some() {
        out.push(Layer::Waf);
    }
    if front.custom_domain.is_some() {
        out.push(Layer::CustomDomain);
    }
    // Called from outside its VPC endpoint, a private API's request meets neither the
    // endpoint nor the policy: the public endpoint answers. A public API with a resource
    // policy has the policy and no VPC endpoint.
    if let Some(p) = front
        .private
        .as_deref()
        .filter(|p| !p.called_from_outside())
    {
        if p.private_endpoint {
            out.push(Layer::VpcEndpoint);
        }
        if p.policy.is_some() {
            out.push(Layer::ResourcePolicy);
        }
    }
    if front.function_url.is_some() {
        out.push(Layer::FunctionUrl);
    }
    if front.load_balancer.is_some() {
        out.push(Layer::LoadBalancer);
    }
    out
}

/// API Gateway's marks on an answer (REST: `x-amzn-RequestId`, `x-amz-apigw-id`; HTTP:
/// `apigw-requestid`), as [`crate::exchange::attribute`] reads them.
fn gateway_headers(h: &Headers) -> bool {
    h.contains("x-amzn-requestid") || h.contains("x-amz-apigw-id") || h.contains("apigw-requestid")
}

/// At most `max` characters of `s`.
fn bounded(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// CloudFront's cache state from `X-Cache` (`Hit`, `Miss`, `RefreshHit`, `Error`, …).
fn cache_state(x: &Exchange) -> Option<String> {
    let v = x.response.as_ref()?.headers.get("x-cache")?;
    let first = v.split_whitespace().next()?;
    let lower = v.to_ascii_lowercase();
    if !lower.contains("cloudfront") {
        return None;
    }
    Some(bounded(first, 16))
}

/// The configuration's view of the route a request takes.
#[derive(Default)]
struct RouteInfo {
    /// The route's label (`GET /items`, `OPTIONS /items/{id}`); `None`: no configuration.
    label: Option<String>,
    /// False when no route or method matches (API Gateway answers 403/404 there).
    matched: bool,
    /// An HTTP API's CORS configuration answers this preflight.
    cors_answers: bool,
    /// The authorizer's name and authorization type.
    authorizer: Option<(String, &'static str)>,
    api_key: bool,
    throttled: bool,
    integration: Option<IntegrationType>,
    web_acl: bool,
}

impl RouteInfo {
    fn hops(&self) -> Vec<HopLayer> {
        let mut out = Vec::new();
        if self.web_acl {
            out.push(HopLayer::Waf);
        }
        if self.label.is_none() {
            return out;
        }
        out.push(HopLayer::Route);
        if !self.matched || self.cors_answers {
            return out;
        }
        if self.authorizer.is_some() {
            out.push(HopLayer::Authorizer);
        }
        if self.api_key {
            out.push(HopLayer::ApiKey);
        }
        if self.throttled {
            out.push(HopLayer::Throttling);
        }
        if let Some(kind) = self.integration {
            out.push(HopLayer::Integration);
            if kind != IntegrationType::Mock {
                out.push(HopLayer::Backend);
            }
        }
        out
    }
}

/// The route `verb` on the configuration's path takes through the stage's API.
fn route_info(api: &Api, config: &Config<'_>, verb: &str, kind: ExchangeKind) -> RouteInfo {
    let served = api.served(config.stage.as_deref());
    let path = config.path.as_str();
    let stage = served.stage;
    let mut info = RouteInfo {
        web_acl: stage.is_some_and(|s| s.web_acl_arn.is_some()),
        ..RouteInfo::default()
    };
    let preflight = matches!(kind, ExchangeKind::Preflight | ExchangeKind::ForeignOrigin);
    let method: Option<(&str, &Method)> = match api.kind {
        ApiKind::Http => {
            let found = behavior::match_http_route(served.resources, path, verb);
            if preflight && found.is_none() && served.cors.is_some() {
                // "API Gateway automatically sends a response to preflight OPTIONS requests"
                // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html)
                info.label = Some("CORS configuration".to_string());
                info.matched = true;
                info.cors_answers = true;
                return info;
            }
            found.map(|(r, m, _)| (r.path.as_str(), m))
        }
        ApiKind::Rest => behavior::match_rest_resource(served.resources, path)
            .and_then(|(r, _)| behavior::method_for(r, verb).map(|m| (r.path.as_str(), m))),
    };
    match method {
        Some((template, m)) => {
            info.label = Some(format!("{} {}", m.http_method, template));
            info.matched = true;
            info.authorizer = match m.authorization {
                AuthorizationType::None => None,
                AuthorizationType::AwsIam => Some(("IAM".to_string(), "AWS_IAM")),
                other => Some((
                    m.authorizer
                        .clone()
                        .unwrap_or_else(|| other.as_str().to_string()),
                    other.as_str(),
                )),
            };
            info.api_key = m.api_key_required;
            info.throttled = stage.is_some_and(|s| {
                s.throttling
                    .iter()
                    .any(|t| t.path != "*" && t.applies_to(template, &m.http_method))
                    || s.throttling
                        .iter()
                        .any(|t| t.rate_limit == 0.0 || t.burst_limit == 0)
            });
            info.integration = m.integration.as_ref().map(|i| i.kind);
        }
        None => {
            info.label = Some(format!("{} {}", verb.to_ascii_uppercase(), path));
            info.matched = false;
        }
    }
    info
}

/// What a transport failure means for the path, in a few words.
pub fn failure_words(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Dns => "the name did not resolve",
        FailureKind::Connect => "the connection failed",
        FailureKind::Tls => "the TLS handshake failed",
        FailureKind::Timeout => "no answer in time",
        FailureKind::Protocol => "the answer was not HTTP",
        FailureKind::Other => "the request failed",
        FailureKind::NotRecorded => "not recorded",
    }
}

#[cfg(test)]
mod tests;
