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

/// The part of the API a finding with `code` is about.
fn element(
    api: &Api,
    code: FindingCode,
    path: &str,
    verb: &str,
    stage: Option<&str>,
    preflight: bool,
) -> Option<Element> {
    use FindingCode::*;
    let options = || method_element(api, path, "OPTIONS");
    let actual = || method_element(api, path, verb);
    match code {
        OptionsMissing | PreflightRedirected => Some(match template(api, path) {
            Some(p) => Element::Resource { path: p },
            None => Element::Api,
        }),
        UndeployedChanges | DeploymentNoTriggers => Some(Element::Deployment),
        OptionsNotDeployed => Some(match stage {
            Some(s) => Element::Stage {
                name: s.to_string(),
            },
            None => Element::Deployment,
        }),
        OptionsAuthorized | OptionsApiKeyRequired | PreflightBadStatus | LivePreflightMismatch => {
            options()
        }
        PreflightCorsHeaders | CorsSecurityRisk => match api.kind {
            ApiKind::Http if api.cors.is_some() => Some(Element::Cors),
            _ => options(),
        },
        HeaderNotDeclared | HeaderNotMapped if preflight => options(),
        HeaderNotDeclared
        | HeaderNotMapped
        | ActualCorsHeaders
        | BackendHeadersIgnored
        | SelectionPatternUnsupported
        | ProxyBackendCors => actual(),
        // The resource policy and the endpoint type are the API's own settings (a template's
        // `Policy`, an export's x-amazon-apigateway-policy).
        ResourcePolicyDenied | PrivateApiOutsideVpc => Some(Element::Api),
        GatewayResponseNoCors | GatewayResponsesUnconfigured => Some(Element::GatewayResponse {
            response_type: "DEFAULT_4XX".into(),
        }),
        FailsWithoutBrowser
        | NetworkError
        | PreflightRequired
        | NoPreflight
        | BrowserBlocked
        | BrowserAllowed
        | FetchRefused
        | BrowserVerdictUnknown => None,
        // The layers in front are not part of the API's definition.
        CloudfrontMethodNotAllowed
        | CloudfrontCacheIgnoresOrigin
        | CloudfrontErrorNoCors
        | CloudfrontDuplicateCorsHeaders
        | CustomDomainNoMapping
        | CustomDomainWrongStage
        | WafBlocked
        | LoadBalancerErrorNoCors
        | FunctionUrlDuplicateCors => None,
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
