//! Where each finding's configuration is written, for APIs read from a file that records it
//! (templates: [`crate::gateway::Api::sources`]): the finding's code names the part of the
//! API it is about (the OPTIONS method, the method asked about, the resource, a gateway
//! response, the HTTP API's CORS configuration, the stage), and the API says where that part
//! is defined, else where the nearest enclosing part is.

use crate::cors::PreflightPlan;
use crate::evidence::{ConfigEvidence, Evidence};
use crate::gateway::behavior;
use crate::gateway::model::{ApiKind, Element, DEFAULT_ROUTE};
use crate::gateway::Api;

use super::{FindingCode, Step};

/// Sets `source` on every finding whose configuration the API locates.
pub(super) fn attach(steps: &mut [Step], evidence: &Evidence, plan: &PreflightPlan) {
    let ConfigEvidence::Loaded {
        api, stage, path, ..
    } = &evidence.config
    else {
        return;
    };
    if api.sources.is_empty() {
        return;
    }
    let verb = evidence.target.method.to_ascii_uppercase();
    for step in steps.iter_mut() {
        for f in &mut step.findings {
            if let Some(e) = element(api, f.code, path, &verb, stage.as_deref(), plan.required) {
                let e = match e {
                    // The gateway response the finding names, when the file defines it.
                    Element::GatewayResponse { .. } => named_response(api, &f.message).unwrap_or(e),
                    e => e,
                };
                f.source = api.source_of(&e).cloned();
            }
        }
    }
}

/// The part of an API a finding is about, before it is looked up in one: the one table
/// `check` (a concrete request, [`attach`]) and `lint` (a route, `crate::rules`) resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Concern {
    /// The resource (REST) or route path (HTTP) the request's path takes.
    Resource,
    /// The OPTIONS method of that resource.
    Options,
    /// The method (or route) the request asks for.
    Method,
    /// The HTTP API's cors_configuration.
    Cors,
    /// A gateway response (which one: the finding's message, else DEFAULT_4XX).
    GatewayResponse,
    /// The stage the diagnosis ran against (else the deployment).
    Stage,
    Deployment,
    /// The API's own settings (its resource policy, its endpoint type).
    Api,
}

/// What a finding with `code` is about (`None`: nothing of the API's definition, e.g. the
/// browser's verdict or a layer in front). `preflight`: the finding is about the preflight.
pub(crate) fn concern(code: FindingCode, api: &Api, preflight: bool) -> Option<Concern> {
    use Concern as K;
    use FindingCode::*;
    let http_cors = api.kind == ApiKind::Http && api.cors.is_some();
    Some(match code {
        OptionsMissing | PreflightRedirected => K::Resource,
        UndeployedChanges | DeploymentNoTriggers => K::Deployment,
        OptionsNotDeployed => K::Stage,
        OptionsAuthorized | OptionsApiKeyRequired | PreflightBadStatus | LivePreflightMismatch => {
            K::Options
        }
        // An HTTP API's cors_configuration answers the preflight and sets the headers of
        // every answer.
        PreflightCorsHeaders | CorsSecurityRisk | ActualCorsHeaders if http_cors => K::Cors,
        PreflightCorsHeaders | CorsSecurityRisk => K::Options,
        HeaderNotDeclared | HeaderNotMapped if preflight => K::Options,
        // The request fails without a browser too: the method that answers it (a backend's
        // error, a throttle of its stage: the method is where to start).
        HeaderNotDeclared
        | HeaderNotMapped
        | ActualCorsHeaders
        | BackendHeadersIgnored
        | SelectionPatternUnsupported
        | ProxyBackendCors
        | FailsWithoutBrowser => K::Method,
        GatewayResponseNoCors | GatewayResponsesUnconfigured => K::GatewayResponse,
        // The resource policy and the endpoint type are the API's own settings (a template's
        // `Policy`, an export's x-amazon-apigateway-policy).
        ResourcePolicyDenied | PrivateApiOutsideVpc => K::Api,
        NetworkError
        | PreflightRequired
        | NoPreflight
        | BrowserBlocked
        | BrowserAllowed
        | FetchRefused
        | BrowserVerdictUnknown => return None,
        // The layers in front are not part of the API's definition.
        CloudfrontMethodNotAllowed
        | CloudfrontCacheIgnoresOrigin
        | CloudfrontErrorNoCors
        | CloudfrontDuplicateCorsHeaders
        | CustomDomainNoMapping
        | CustomDomainWrongStage
        | WafBlocked
        | LoadBalancerErrorNoCors
        | FunctionUrlDuplicateCors => return None,
    })
}

/// The part of the API a finding with `code` is about, for the request to `path` with `verb`.
fn element(
    api: &Api,
    code: FindingCode,
    path: &str,
    verb: &str,
    stage: Option<&str>,
    preflight: bool,
) -> Option<Element> {
    match concern(code, api, preflight)? {
        Concern::Resource => Some(match template(api, path) {
            Some(p) => Element::Resource { path: p },
            None => Element::Api,
        }),
        Concern::Options => method_element(api, path, "OPTIONS"),
        Concern::Method => method_element(api, path, verb),
        Concern::Cors => Some(Element::Cors),
        Concern::GatewayResponse => Some(Element::GatewayResponse {
            response_type: "DEFAULT_4XX".into(),
        }),
        Concern::Stage => Some(match stage {
            Some(s) => Element::Stage {
                name: s.to_string(),
            },
            None => Element::Deployment,
        }),
        Concern::Deployment => Some(Element::Deployment),
        Concern::Api => Some(Element::Api),
    }
}

/// The customized gateway response type a finding's message names (`THROTTLED`), when the
/// API records where it is defined.
fn named_response(api: &Api, message: &str) -> Option<Element> {
    api.sources.iter().find_map(|l| match &l.element {
        Element::GatewayResponse { response_type } if message.contains(response_type.as_str()) => {
            Some(l.element.clone())
        }
        _ => None,
    })
}

/// The resource template `path` matches (`/items/42` → `/items/{id}`).
fn template(api: &Api, path: &str) -> Option<String> {
    behavior::matching_resources(&api.resources, path)
        .first()
        .map(|(r, _)| r.path.clone())
}

/// The method or route answering `verb` on `path` (the exact method, else `ANY`; HTTP APIs
/// fall back to `$default`), else the resource.
fn method_element(api: &Api, path: &str, verb: &str) -> Option<Element> {
    if api.kind == ApiKind::Http {
        if let Some((r, m, _)) = behavior::match_http_route(&api.resources, path, verb) {
            return Some(Element::Method {
                path: r.path.clone(),
                verb: m.http_method.clone(),
            });
        }
        return api.resource(DEFAULT_ROUTE).map(|_| Element::Resource {
            path: DEFAULT_ROUTE.into(),
        });
    }
    let (r, _) = behavior::match_rest_resource(&api.resources, path)?;
    Some(match behavior::method_for(r, verb) {
        Some(m) => Element::Method {
            path: r.path.clone(),
            verb: m.http_method.clone(),
        },
        None => Element::Resource {
            path: r.path.clone(),
        },
    })
}
