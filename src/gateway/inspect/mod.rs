//! The configuration facts a diagnosis needs about one request, read from an [`Api`]. Pure.
//!
//! [`facts`] answers, for a path and method on a stage:
//! - which resource (REST) or route (HTTP) the path matches, with ids for remediation commands;
//! - REST: the OPTIONS method of that resource (exists in the working copy? deployed on the
//!   stage? authorization, authorizer, apiKeyRequired, integration type, and for each
//!   `Access-Control-Allow-*` header whether the 200 method response declares it and the
//!   integration response maps it); the same for the method under diagnosis; which gateway
//!   responses are customized and which carry `Access-Control-Allow-Origin`;
//! - HTTP: the cors_configuration (which makes API Gateway answer preflights itself), and the
//!   routes that catch OPTIONS and the actual method, with their authorization.
//!
//! Facts are about what the stage serves where that matters (deployment, gateway responses)
//! and about the working copy otherwise; each field says which.

use super::behavior::{match_http_route, match_rest_resource, method_for, PathParams};
use super::model::{
    Api, ApiKind, AuthorizationType, AuthorizerKind, Method, Resource, Served, DEFAULT_ROUTE,
};

pub use facts::{
    AuthorizerFacts, ConfigFacts, CorsHeaderFacts, GatewayResponseFact, GatewayResponseFacts,
    HttpFacts, MethodFacts, ResourceFacts, RestFacts, RouteFacts, StageFacts, UnevaluablePattern,
    COMMON_ERROR_TYPES, CORS_RESPONSE_HEADERS,
};

mod facts;

/// The configuration facts about `method` on `path` (a concrete path like `/items/42` or a
/// template like `/items/{id}`) on `stage` (`None`: working copy, no deployment facts).
/// `origin` is optional context for HTTP API origin matching; see [`facts_for_origin`].
pub fn facts(api: &Api, stage: Option<&str>, path: &str, method: &str) -> ConfigFacts {
    facts_for_origin(api, stage, path, method, None)
}

/// [`facts`] plus whether an HTTP API's cors_configuration allows `origin`.
pub fn facts_for_origin(
    api: &Api,
    stage: Option<&str>,
    path: &str,
    method: &str,
    origin: Option<&str>,
) -> ConfigFacts {
    let path = path.split('?').next().unwrap_or(path);
    let verb = method.to_ascii_uppercase();
    let served = api.served(stage);
    let stage_facts = stage.map(|name| stage_facts(api, &served, name, path, &verb));
    let mut out = ConfigFacts {
        kind: api.kind,
        api_id: api.id.clone(),
        region: api.region.clone(),
        path: path.to_string(),
        method: verb.clone(),
        stage: stage_facts,
        resource: None,
        rest: None,
        http: None,
    };
    let stage_given = stage.is_some();
    match api.kind {
        ApiKind::Rest => {
            let matched = find_resource(&api.resources, path);
            out.resource = matched.as_ref().map(|(r, params)| ResourceFacts {
                path: r.path.clone(),
                id: r.id.clone(),
                params: params.clone(),
            });
            let found: Option<&Resource> = matched.map(|(r, _)| r);
            let deployed_resource = found.and_then(|r| served.resource(&r.path));
            let method_facts = |m: &Method| {
                let deployed = deployed_resource.and_then(|r| r.method(&m.http_method));
                rest_method_facts(api, m, stage_given, deployed)
            };
            let options = found.and_then(|r| r.method("OPTIONS"));
            let actual = found.and_then(|r| method_for(r, &verb));
            let working = GatewayResponseFacts::from_served(&api.gateway_responses);
            let gateway_responses = GatewayResponseFacts::from_served(served.gateway_responses);
            out.rest = Some(RestFacts {
                options: options.map(method_facts),
                options_via_any: options.is_none()
                    && found.is_some_and(|r| r.method("ANY").is_some()),
                options_any: match options {
                    None => found.and_then(|r| r.method("ANY")).map(method_facts),
                    Some(_) => None,
                },
                actual: actual.map(method_facts),
                gateway_responses_undeployed: stage_given && working != gateway_responses,
                gateway_responses,
                gateway_responses_working: working,
                api_key_source: api.api_key_source.clone(),
            });
        }
        ApiKind::Http => {
            let route = |verb: &str| {
                match_http_route(served.resources, path, verb)
                    .map(|(r, m, params)| (route_facts(api, r, m), r, params))
            };
            let actual = route(&verb);
            if let Some((_, r, params)) = &actual {
                out.resource = Some(ResourceFacts {
                    path: r.path.clone(),
                    id: r.id.clone(),
                    params: params.clone(),
                });
            }
            out.http = Some(HttpFacts {
                cors: served.cors.cloned(),
                origin_allowed: served.cors.zip(origin).map(|(c, o)| c.allows_origin(o)),
                options_route: route("OPTIONS").map(|(f, _, _)| f),
                actual_route: actual.map(|(f, _, _)| f),
                auto_deploy: served.stage.map(|s| s.auto_deploy),
            });
        }
    }
    out
}

/// Where a URL path lands in the API when something unknown may stand in front of the
/// resource path (a custom domain's base path, a proxy's prefix): see [`resolve_prefixed`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrefixedPath {
    /// The resource path below the prefix (`prefix` is empty when the whole path matched).
    Resolved { prefix: String, path: String },
    /// Several resources fit equally well: `(prefix, path below it, resource template)`.
    Ambiguous(Vec<(String, String, String)>),
    /// Neither the path nor any suffix of it matches a resource or route.
    NoMatch,
}

/// Resolves `url_path` (the URL's path, maybe behind an unknown prefix) to a resource of what
/// `stage` serves. Of the path and each of its suffixes, the match with the most literal
/// segments wins (a greedy `{proxy+}` match counts only when nothing else matches); among
/// matches of the same resource, the longest suffix (no prefix, if the whole path matches).
/// Two different resources fitting equally well are [`PrefixedPath::Ambiguous`]: the caller
/// says so and asks for `--path` instead of guessing.
pub fn resolve_prefixed(api: &Api, stage: Option<&str>, url_path: &str) -> PrefixedPath {
    let served = api.served(stage);
    let path = url_path.split('?').next().unwrap_or(url_path);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return PrefixedPath::Resolved {
            prefix: String::new(),
            path: "/".to_string(),
        };
    }
    // (prefix length, resource template, literal segments matched, greedy)
    let mut candidates: Vec<(usize, &str, usize, bool)> = Vec::new();
    for start in 0..segments.len() {
        let below = format!("/{}", segments[start..].join("/"));
        let best = super::behavior::matching_resources(served.resources, &below)
            .into_iter()
            .find(|(r, _)| r.path != DEFAULT_ROUTE && !r.methods.is_empty());
        if let Some((r, _)) = best {
            let literal = super::behavior::match_template(&r.path, &below)
                .map_or(0, |(_, score)| score.iter().filter(|s| **s == 2).count());
            candidates.push((start, r.path.as_str(), literal, r.path.ends_with("+}")));
        }
    }
    let below = |start: usize| format!("/{}", segments[start..].join("/"));
    let prefix = |start: usize| {
        if start == 0 {
            String::new()
        } else {
            format!("/{}", segments[..start].join("/"))
        }
    };
    let resolved = |start: usize| PrefixedPath::Resolved {
        prefix: prefix(start),
        path: below(start),
    };
    if candidates.is_empty() {
        // An HTTP API's `$default` route catches any path: nothing to resolve.
        if served.resources.iter().any(|r| r.path == DEFAULT_ROUTE) {
            return resolved(0);
        }
        return PrefixedPath::NoMatch;
    }
    if candidates.iter().any(|c| !c.3) {
        candidates.retain(|c| !c.3);
    }
    let top = candidates.iter().map(|c| c.2).max().unwrap_or(0);
    candidates.retain(|c| c.2 == top);
    let mut templates: Vec<&str> = candidates.iter().map(|c| c.1).collect();
    templates.sort_unstable();
    templates.dedup();
    if templates.len() == 1 {
        // Candidates are in suffix order, longest first.
        return resolved(candidates[0].0);
    }
    let mut seen = Vec::new();
    let list = candidates
        .iter()
        .filter(|c| {
            let new = !seen.contains(&c.1);
            seen.push(c.1);
            new
        })
        .take(4)
        .map(|c| (prefix(c.0), below(c.0), c.1.to_string()))
        .collect();
    PrefixedPath::Ambiguous(list)
}

/// An exact template match wins (the caller passed a template); else route matching.
fn find_resource<'a>(resources: &'a [Resource], path: &str) -> Option<(&'a Resource, PathParams)> {
    resources
        .iter()
        .find(|r| r.path == path)
        .map(|r| (r, Vec::new()))
        .or_else(|| match_rest_resource(resources, path))
}

fn stage_facts(api: &Api, served: &Served<'_>, name: &str, path: &str, verb: &str) -> StageFacts {
    let stage = api.stage(name);
    let deployment = stage
        .and_then(|s| s.deployment_id.as_deref())
        .and_then(|id| api.deployment(id));
    let template = find_resource(&api.resources, path).map_or(path, |(r, _)| r.path.as_str());
    StageFacts {
        name: name.to_string(),
        exists: stage.is_some(),
        deployment_id: stage.and_then(|s| s.deployment_id.clone()),
        deployment_description: deployment.and_then(|d| d.description.clone()),
        auto_deploy: stage.is_some_and(|s| s.auto_deploy),
        serves_older_snapshot: served.from_snapshot && {
            let snap = api.snapshot();
            snap.resources != served.resources
                || snap.gateway_responses != served.gateway_responses
                || snap.cors.as_ref() != served.cors
        },
        web_acl_arn: stage.and_then(|s| s.web_acl_arn.clone()),
        throttling: stage
            .map(|s| {
                s.throttling
                    .iter()
                    .filter(|t| t.applies_to(template, verb) || t.applies_to(template, "OPTIONS"))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn authorizer_facts(api: &Api, m: &Method) -> Option<AuthorizerFacts> {
    let name = m.authorizer.as_ref()?;
    let a = api.authorizer(name);
    Some(AuthorizerFacts {
        name: name.clone(),
        id: a.and_then(|a| a.id.clone()),
        kind: a.map_or(
            match m.authorization {
                AuthorizationType::CognitoUserPools => AuthorizerKind::CognitoUserPools,
                AuthorizationType::Jwt => AuthorizerKind::Jwt,
                _ => AuthorizerKind::Token,
            },
            |a| a.kind,
        ),
        identity_source: a.and_then(|a| a.identity_source.clone()),
        defined: a.is_some(),
    })
}

fn rest_method_facts(
    api: &Api,
    m: &Method,
    stage_given: bool,
    deployed: Option<&Method>,
) -> MethodFacts {
    let is_proxy = m.is_proxy();
    let success_status = success_status(m);
    let has_integration_response = m.integration.as_ref().is_some_and(|i| {
        let status = success_status.as_deref().unwrap_or("200");
        i.responses.iter().any(|r| r.status_code == status)
    });
    let cors_headers = if is_proxy {
        Vec::new()
    } else {
        cors_header_facts(m)
    };
    MethodFacts {
        http_method: m.http_method.clone(),
        id: m.id.clone(),
        deployed: stage_given.then_some(deployed.is_some()),
        deployed_differs: stage_given.then_some(deployed.is_some_and(|d| d != m)),
        authorization: m.authorization,
        authorizer: authorizer_facts(api, m),
        authorization_scopes: m.authorization_scopes.clone(),
        api_key_required: m.api_key_required,
        integration: m.integration.as_ref().map(|i| i.kind),
        is_proxy,
        success_status,
        has_integration_response,
        cors_headers,
        unevaluable_patterns: unevaluable_patterns(m),
    }
}

fn unevaluable_patterns(m: &Method) -> Vec<UnevaluablePattern> {
    let Some(integration) = m.integration.as_ref().filter(|_| !m.is_proxy()) else {
        return Vec::new();
    };
    integration
        .responses
        .iter()
        .filter_map(|r| {
            crate::gateway::behavior::pattern_problem(&r.selection_pattern).map(|problem| {
                UnevaluablePattern {
                    status_code: r.status_code.clone(),
                    problem: problem.to_string(),
                }
            })
        })
        .collect()
}

/// Whether each of [`CORS_RESPONSE_HEADERS`] leaves a non-proxy REST method: declared in the
/// success method response ([`success_status`]) and mapped in the integration response API
/// Gateway selects for it (the default response with that status, else the first with it).
/// The one answer to "is this CORS header sent", for the diagnosis and the TUI explorer.
pub fn cors_header_facts(m: &Method) -> Vec<CorsHeaderFacts> {
    let success_status = success_status(m);
    let mr = success_status.as_deref().and_then(|s| m.response(s));
    let ir = m.integration.as_ref().and_then(|i| {
        let status = success_status.as_deref()?;
        let matching = || i.responses.iter().filter(|r| r.status_code == status);
        matching()
            .find(|r| r.is_default())
            .or_else(|| matching().next())
    });
    CORS_RESPONSE_HEADERS
        .iter()
        .map(|h| {
            let mapped = ir.and_then(|r| r.mapped_header(h)).map(str::to_string);
            CorsHeaderFacts {
                header: (*h).to_string(),
                declared: mr.is_some_and(|r| r.declares(h)),
                literal_value: mapped.as_deref().and_then(|v| {
                    v.trim()
                        .strip_prefix('\'')
                        .and_then(|v| v.strip_suffix('\''))
                        .map(str::to_string)
                }),
                mapped,
            }
        })
        .collect()
}

/// The method response status the CORS header facts are about: `200`, else the lowest 2xx,
/// else the first declared.
pub fn success_status(m: &Method) -> Option<String> {
    if m.response("200").is_some() {
        return Some("200".into());
    }
    let mut twos: Vec<&str> = m
        .responses
        .iter()
        .map(|r| r.status_code.as_str())
        .filter(|s| s.starts_with('2'))
        .collect();
    twos.sort_unstable();
    twos.first()
        .map(|s| (*s).to_string())
        .or_else(|| m.responses.first().map(|r| r.status_code.clone()))
}

fn route_facts(api: &Api, r: &Resource, m: &Method) -> RouteFacts {
    RouteFacts {
        route_key: if r.path == DEFAULT_ROUTE {
            DEFAULT_ROUTE.to_string()
        } else {
            format!("{} {}", m.http_method, r.path)
        },
        id: m.id.clone(),
        authorization: m.authorization,
        authorizer: authorizer_facts(api, m),
        integration: m.integration.as_ref().map(|i| i.kind),
        integration_id: m.integration.as_ref().and_then(|i| i.id.clone()),
    }
}

/// A value the diagnosis of one request needs but the definition does not hold (see
/// [`crate::gateway::model::Unresolved`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingValue {
    /// The step (1–7) left `unknown`.
    pub step: u8,
    /// What it is (`the Access-Control-Allow-Origin mapping of OPTIONS /items`).
    pub what: String,
    /// Why it cannot be read (`… is the CloudFormation Fn::Sub value …`).
    pub reason: String,
}

/// The unresolved values that the request `method path` on `stage` depends on: those of the
/// route answering its preflight and of the route answering it, of the authorizers those
/// routes use, and API-wide ones of the API's kind (REST gateway responses, an HTTP API's
/// cors_configuration).
pub fn missing_values(
    api: &Api,
    stage: Option<&str>,
    path: &str,
    method: &str,
) -> Vec<MissingValue> {
    if api.unresolved.iter().all(|u| u.needed.is_none()) {
        return Vec::new();
    }
    let served = api.served(stage);
    let path = path.split('?').next().unwrap_or(path);
    let verb = method.to_ascii_uppercase();
    // (resource path, configured method, answers the preflight, the method)
    let mut routes: Vec<(String, &Method, bool)> = Vec::new();
    match api.kind {
        ApiKind::Rest => {
            if let Some((r, _)) = match_rest_resource(served.resources, path) {
                for (v, is_options) in [("OPTIONS", true), (verb.as_str(), false)] {
                    if let Some(m) = method_for(r, v) {
                        routes.push((r.path.clone(), m, is_options));
                    }
                }
            }
        }
        ApiKind::Http => {
            for (v, is_options) in [("OPTIONS", true), (verb.as_str(), false)] {
                if is_options && served.cors.is_some() {
                    continue;
                }
                if let Some((r, m, _)) = match_http_route(served.resources, path, v) {
                    routes.push((r.path.clone(), m, is_options));
                }
            }
        }
    }
    let mut out: Vec<MissingValue> = Vec::new();
    for u in &api.unresolved {
        let Some(need) = &u.needed else { continue };
        let step = match (&need.route, &need.authorizer) {
            (Some((rp, rm)), _) => {
                let hit = routes
                    .iter()
                    .filter(|(p, m, _)| p == rp && m.http_method.eq_ignore_ascii_case(rm))
                    .map(|(_, _, is_options)| *is_options)
                    .max();
                match hit {
                    // Authorization of the route answering the request (not its preflight)
                    // decides the gateway errors it can meet: step 6.
                    Some(false) if need.step == 4 => 6,
                    Some(_) => need.step,
                    None => continue,
                }
            }
            (None, Some(a)) => {
                let users: Vec<bool> = routes
                    .iter()
                    .filter(|(_, m, _)| m.authorizer.as_deref() == Some(a.as_str()))
                    .map(|(_, _, is_options)| *is_options)
                    .collect();
                if users.is_empty() {
                    continue;
                }
                if users.contains(&true) {
                    4
                } else {
                    6
                }
            }
            (None, None) => {
                let rest_only = need.step == 6;
                if rest_only != (api.kind == ApiKind::Rest) {
                    continue;
                }
                need.step
            }
        };
        let what = match &need.route {
            Some((rp, rm)) if !need.what.contains(rp.as_str()) => {
                format!("{} ({rm} {rp})", need.what)
            }
            _ => need.what.clone(),
        };
        if !out.iter().any(|m| m.step == step && m.what == what) {
            out.push(MissingValue {
                step,
                what,
                reason: u.reason(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
