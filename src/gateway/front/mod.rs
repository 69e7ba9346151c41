//! The layers in front of API Gateway, and the services that answer instead of it: a
//! CloudFront distribution, a custom domain with its base path mappings, AWS WAF, a private
//! API's VPC endpoint and resource policy, a Lambda function URL or a load balancer.
//!
//! Three uses, one description of each layer:
//! - [`Front`]: what a scenario (or a configuration) says stands in front of the API; the
//!   simulator serves through it (`sim::gateway::scenario_handler`) and the offline prediction
//!   answers through it (`behavior::predict`), with the same [`respond`].
//! - [`sightings`]: what one recorded answer (its URL, headers, status, body) shows of the
//!   layers it passed, for the diagnosis and the flow picture of each exchange.
//! - [`Layer`]: the hop names, in the order a request meets them.
//!
//! Pure: no I/O. Each layer lives in its own file with its spec, its `respond` (the layer
//! answering or passing the request inwards) and its `seen` (the layer recognised in an
//! answer).

pub mod cloudfront;
pub mod domain;
pub mod function_url;
pub mod load_balancer;
pub mod private;
pub mod waf;

use std::cell::Cell;

use serde::{Deserialize, Serialize};

use crate::exchange::{AnsweredBy, RecordedRequest, RecordedResponse};
use crate::http::{HttpRequest, HttpResponse};

/// What stands in front of the API (all optional; none is the API reached directly on its
/// `execute-api` endpoint). The `front` key of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Front {
    /// A CloudFront distribution whose origin is the API (boxed: it is the largest layer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudfront: Option<Box<cloudfront::Distribution>>,
    /// A custom domain name with base path mappings (boxed: the front travels inside the
    /// configuration evidence, whose variants stay small).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<Box<domain::CustomDomain>>,
    /// An AWS WAF web ACL associated with the API's stage (regional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waf: Option<Box<waf::WebAcl>>,
    /// A private API's VPC endpoint and the API's resource policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<Box<private::PrivateApi>>,
    /// A Lambda function URL answering instead of API Gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_url: Option<Box<function_url::FunctionUrl>>,
    /// An Application Load Balancer answering instead of API Gateway (its own error pages
    /// when its targets cannot answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<Box<load_balancer::LoadBalancer>>,
}

impl Front {
    /// True when nothing stands in front of the API.
    pub fn is_empty(&self) -> bool {
        self == &Front::default()
    }

    /// What an API's definition (an export, a template, a Terraform plan) itself puts in
    /// front of it: its resource policy and private endpoint
    /// ([`private::PrivateApi::from_definition`]). `Err`: a policy that is not a document.
    pub fn of_definition(api: &crate::gateway::Api) -> Result<Front, String> {
        Ok(Front {
            private: private::PrivateApi::from_definition(api)?.map(Box::new),
            ..Front::default()
        })
    }

    /// True when a private API is called from outside its VPC endpoint with no custom domain
    /// in front: its public endpoint's 403 `ForbiddenException` then has the shape of a
    /// custom domain's no-mapping 403, and this tells the two apart.
    pub fn private_called_from_outside(&self) -> bool {
        self.custom_domain.is_none()
            && self
                .private
                .as_deref()
                .is_some_and(private::PrivateApi::called_from_outside)
    }
}

/// A hop on the path from the browser to the backend, in the order a request meets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    CloudFront,
    /// AWS WAF (in front of CloudFront or of the API's stage).
    Waf,
    /// A custom domain name and its base path mappings.
    CustomDomain,
    /// A private API's interface VPC endpoint.
    VpcEndpoint,
    /// The API's resource policy.
    ResourcePolicy,
    ApiGateway,
    /// A Lambda function URL (answers instead of API Gateway).
    FunctionUrl,
    /// An Application Load Balancer (answers instead of API Gateway).
    LoadBalancer,
}

impl Layer {
    /// The hop's name for people.
    pub fn words(self) -> &'static str {
        match self {
            Layer::CloudFront => "CloudFront",
            Layer::Waf => "AWS WAF",
            Layer::CustomDomain => "custom domain",
            Layer::VpcEndpoint => "VPC endpoint",
            Layer::ResourcePolicy => "resource policy",
            Layer::ApiGateway => "API Gateway",
            Layer::FunctionUrl => "Lambda function URL",
            Layer::LoadBalancer => "load balancer",
        }
    }
}

/// One layer recognised in one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sighting {
    pub layer: Layer,
    /// What shows it, in a few words (`X-Cache: Hit from cloudfront, POP FRA56-P1`).
    pub detail: String,
    /// True when this layer produced the answer itself (the request went no further).
    pub answered: bool,
}

/// The layers one answer shows, outermost first (empty when nothing is recognised; API
/// Gateway itself is judged by [`crate::exchange::attribute`]).
pub fn sightings(request: &RecordedRequest, response: Option<&RecordedResponse>) -> Vec<Sighting> {
    let mut seen: Vec<Sighting> = [
        cloudfront::seen(request, response),
        waf::seen(request, response),
        domain::seen(request, response),
        private::seen(request, response),
        function_url::seen(request, response),
        load_balancer::seen(request, response),
    ]
    .into_iter()
    .flatten()
    .collect();
    seen.sort_by_key(|s| s.layer);
    seen
}

/// A request header a layer in front adds when API Gateway itself must answer with one of the
/// API's gateway responses (its type: `ACCESS_DENIED` for a resource-policy deny,
/// `WAF_FILTERED` for a regional web ACL's block): the
/// behaviour model answers that type, shaped by the API's customization, before routing.
/// Internal to the simulation: never sent over the network, never shown.
pub const GATEWAY_RESPONSE_HEADER: &str = "x-cors-doctor-gateway-response";

/// The `$context.error.message` of the answer [`GATEWAY_RESPONSE_HEADER`] asks for.
pub const GATEWAY_MESSAGE_HEADER: &str = "x-cors-doctor-gateway-message";

/// The next layer inwards: API Gateway (the behaviour model) at the end of the chain.
pub type Next<'a> = dyn FnMut(&HttpRequest) -> HttpResponse + 'a;

/// What the layers in front keep between requests (CloudFront's cache).
#[derive(Debug, Default)]
pub struct FrontState {
    pub cloudfront: cloudfront::Cache,
}

/// An answer from behind the front: the response, and the layer that produced it when a
/// layer in front answered itself (`None`: the request reached `api`).
#[derive(Clone, Debug, PartialEq)]
pub struct FrontAnswer {
    pub response: HttpResponse,
    pub answered_by: Option<AnsweredBy>,
}

/// Serves `request` through the layers of `front`, outermost first: CloudFront → custom
/// domain → WAF → private endpoint and resource policy → `api` (API Gateway). A load balancer
/// or a function URL answers in API Gateway's place (a load balancer whose targets answer
/// passes the request on).
pub fn respond(
    front: &Front,
    state: &mut FrontState,
    request: &HttpRequest,
    api: &mut Next<'_>,
) -> FrontAnswer {
    // The simulation's own headers are never taken from the outside.
    let mut cleaned = request.clone();
    cleaned.headers.remove(GATEWAY_RESPONSE_HEADER);
    cleaned.headers.remove(GATEWAY_MESSAGE_HEADER);
    let request = &cleaned;
    // A web ACL on the CloudFront distribution judges the request before CloudFront does.
    if let Some(response) = waf::at_edge(front.waf.as_deref(), request) {
        return FrontAnswer {
            response,
            answered_by: Some(AnsweredBy::Waf),
        };
    }
    let answered_by = Cell::new(None);
    let mut behind_private = |r: &HttpRequest| {
        let mut target = |r: &HttpRequest| {
            take(
                function_url::respond(front.function_url.as_deref(), r, api),
                &answered_by,
            )
        };
        take(
            load_balancer::respond(front.load_balancer.as_deref(), r, &mut target),
            &answered_by,
        )
    };
    let mut behind_waf = |r: &HttpRequest| {
        take(
            private::respond(front.private.as_deref(), r, &mut behind_private),
            &answered_by,
        )
    };
    let mut behind_domain = |r: &HttpRequest| {
        take(
            waf::respond(front.waf.as_deref(), r, &mut behind_waf),
            &answered_by,
        )
    };
    let mut behind_cloudfront = |r: &HttpRequest| {
        take(
            domain::respond(front.custom_domain.as_deref(), r, &mut behind_domain),
            &answered_by,
        )
    };
    let response = take(
        cloudfront::respond(
            front.cloudfront.as_deref(),
            &mut state.cloudfront,
            request,
            &mut behind_cloudfront,
        ),
        &answered_by,
    );
    FrontAnswer {
        response,
        answered_by: answered_by.get(),
    }
}

/// A layer's answer: its own, or the one from further in (possibly changed on the way out,
/// e.g. headers CloudFront adds).
#[derive(Clone, Debug, PartialEq)]
pub enum Layered {
    /// The layer answered itself (who, for `answered_by`).
    Answered(HttpResponse, AnsweredBy),
    /// The request went further in; this is what came back out.
    Passed(HttpResponse),
}

/// The response of a layer; the outermost layer that answered itself is the last one set.
fn take(layered: Layered, answered_by: &Cell<Option<AnsweredBy>>) -> HttpResponse {
    match layered {
        Layered::Answered(resp, by) => {
            answered_by.set(Some(by));
            resp
        }
        Layered::Passed(resp) => resp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Headers;

    #[test]
    fn the_simulations_own_headers_are_never_taken_from_the_outside() {
        let mut headers = Headers::new();
        headers.push(GATEWAY_RESPONSE_HEADER, "WAF_FILTERED");
        headers.push(GATEWAY_MESSAGE_HEADER, "forged");
        headers.push("Origin", "https://app.example.com");
        let request = HttpRequest {
            method: "GET".into(),
            path_and_query: "/prod/items".into(),
            headers,
            body: Vec::new(),
        };
        let mut seen = None;
        let mut api = |r: &HttpRequest| {
            seen = Some(r.headers.clone());
            HttpResponse {
                status: 200,
                headers: Headers::new(),
                body: Vec::new(),
            }
        };
        let out = respond(
            &Front::default(),
            &mut FrontState::default(),
            &request,
            &mut api,
        );
        assert_eq!(out.answered_by, None);
        let seen = seen.unwrap_or_default();
        assert!(!seen.contains(GATEWAY_RESPONSE_HEADER));
        assert!(!seen.contains(GATEWAY_MESSAGE_HEADER));
        assert_eq!(seen.get("origin"), Some("https://app.example.com"));
    }

    #[test]
    fn a_load_balancer_answers_in_api_gateways_place_or_passes_to_its_targets() {
        let request = HttpRequest {
            method: "GET".into(),
            path_and_query: "/prod/items".into(),
            headers: Headers::new().with("Origin", "https://app.example.com"),
            body: Vec::new(),
        };
        for (targets, status, by) in [
            (
                load_balancer::Targets::RefuseConnections,
                502,
                Some(AnsweredBy::LoadBalancer),
            ),
            (load_balancer::Targets::Answering, 200, None),
        ] {
            let front = Front {
                load_balancer: Some(Box::new(load_balancer::LoadBalancer {
                    targets,
                    ..Default::default()
                })),
                ..Front::default()
            };
            let mut reached = false;
            let mut api = |_: &HttpRequest| {
                reached = true;
                HttpResponse {
                    status: 200,
                    headers: Headers::new(),
                    body: Vec::new(),
                }
            };
            let out = respond(&front, &mut FrontState::default(), &request, &mut api);
            assert_eq!((out.response.status, out.answered_by), (status, by));
            assert_eq!(reached, by.is_none(), "{targets:?}");
        }
    }
}
