//! Planning one change: what is there now (read once per run, kept in [`World`] as calls are
//! planned) against what the change wants; only what differs becomes a call, each with the
//! calls that restore what it changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::calls::{Call, MethodAt, Patch};
use super::guard::Policy;
use super::read::{self, MethodState, RouteState};
use crate::aws::sdk::Clients;
use crate::gateway::change::{Change, HeaderValue, ResourceRef};
use crate::gateway::model::CorsConfiguration;

/// The current state of what the sets touch, updated as calls are planned.
#[derive(Default)]
pub(super) struct World {
    resources: Option<Vec<(String, String)>>,
    methods: HashMap<(String, String), Option<MethodState>>,
    created_methods: BTreeSet<(String, String)>,
    gateway_responses: HashMap<String, Option<BTreeMap<String, String>>>,
    created_gateway_responses: BTreeSet<String>,
    cors: Option<Option<CorsConfiguration>>,
    routes: Option<Vec<RouteState>>,
}

/// What one change needs: calls (each with its restores), or nothing (why).
pub(super) enum Planned {
    /// Calls, each with its restores.
    Calls(Vec<(Call, Vec<Call>)>),
    Unchanged(String),
}

fn param_key(prefix: &str, header: &str) -> String {
    format!("{prefix}{header}")
}

fn quoted(value: &str) -> String {
    format!("'{value}'")
}

async fn resource_id(
    c: &Clients,
    api: &str,
    r: &ResourceRef,
    world: &mut World,
) -> Result<(String, String), String> {
    if let Some(id) = &r.id {
        return Ok((id.clone(), r.path.clone()));
    }
    if !r.path_known {
        return Err(format!(
            "the resource behind the URL path {} is not known (a base path or a proxy may stand in front of it): pass the resource path with --path",
            r.path
        ));
    }
    if world.resources.is_none() {
        world.resources = Some(read::rest_resources(c, api).await?);
    }
    world
        .resources
        .iter()
        .flatten()
        .find(|(_, p)| *p == r.path)
        .map(|(id, p)| (id.clone(), p.clone()))
        .ok_or_else(|| format!("the API has no resource {}", r.path))
}

async fn method<'w>(
    c: &Clients,
    api: &str,
    at: &MethodAt,
    world: &'w mut World,
) -> Result<&'w mut Option<MethodState>, String> {
    let key = (at.resource_id.clone(), at.http_method.clone());
    if !world.methods.contains_key(&key) {
        let state = read::rest_method(c, api, &at.resource_id, &at.http_method).await?;
        world.methods.insert(key.clone(), state);
    }
    world
        .methods
        .get_mut(&key)
        .ok_or_else(|| "internal: method state lost".to_string())
}

pub(super) async fn plan_change(
    c: &Clients,
    api: &str,
    change: &Change,
    policy: &Policy,
    world: &mut World,
    refusals: &mut Vec<String>,
) -> Result<Planned, String> {
    let at_of = |(resource_id, path): (String, String), verb: &str| MethodAt {
        resource_id,
        path,
        http_method: verb.to_ascii_uppercase(),
    };
    match change {
        Change::CreateOptionsMethod { resource } => {
            let at = at_of(resource_id(c, api, resource, world).await?, "OPTIONS");
            let state = method(c, api, &at, world).await?;
            if state.is_some() {
                return Ok(Planned::Unchanged(format!("OPTIONS {} exists", at.path)));
            }
            *state = Some(MethodState {
                authorization_type: "NONE".into(),
                ..MethodState::default()
            });
            world
                .created_methods
                .insert((at.resource_id.clone(), at.http_method.clone()));
            Ok(Planned::Calls(vec![(
                Call::PutMethod { at: at.clone() },
                vec![Call::DeleteMethod { at }],
            )]))
        }
        Change::OptionsAuthorizationOff {
            resource,
            authorization,
            api_key,
        } => {
            let at = at_of(resource_id(c, api, resource, world).await?, "OPTIONS");
            let Some(m) = method(c, api, &at, world).await?.as_mut() else {
                return Err(format!("OPTIONS {} does not exist", at.path));
            };
            let mut forward = Vec::new();
            let mut back = Vec::new();
            if *authorization && m.authorization_type != "NONE" {
                forward.push(Patch::replace("/authorizationType", "NONE"));
                back.push(Patch::replace("/authorizationType", &m.authorization_type));
                if let Some(a) = &m.authorizer_id {
                    back.push(Patch::replace("/authorizerId", a));
                }
                for s in &m.scopes {
                    back.push(Patch::add("/authorizationScopes", s));
                }
                m.authorization_type = "NONE".into();
            }
            if *api_key && m.api_key_required {
                forward.push(Patch::replace("/apiKeyRequired", "false"));
                back.push(Patch::replace("/apiKeyRequired", "true"));
                m.api_key_required = false;
            }
            if forward.is_empty() {
                return Ok(Planned::Unchanged(format!(
                    "OPTIONS {} requires no authorization and no API key",
                    at.path
                )));
            }
            Ok(Planned::Calls(vec![(
                Call::UpdateMethod {
                    at: at.clone(),
                    patches: forward,
                },
                vec![Call::UpdateMethod { at, patches: back }],
            )]))
        }
        Change::DeclareResponseHeaders {
            resource,
            http_method,
            status,
            headers,
            ..
        } => {
            let at = at_of(resource_id(c, api, resource, world).await?, http_method);
            let created = world
                .created_methods
                .contains(&(at.resource_id.clone(), at.http_method.clone()));
            let Some(m) = method(c, api, &at, world).await?.as_mut() else {
                return Err(format!("{} {} does not exist", at.http_method, at.path));
            };
            let keys: Vec<String> = headers
                .iter()
                .map(|h| param_key("method.response.header.", h))
                .collect();
            match m.responses.get_mut(status) {
                None => {
                    let parameters: BTreeMap<String, bool> =
                        keys.iter().map(|k| (k.clone(), false)).collect();
                    m.responses.insert(status.clone(), parameters.clone());
                    let restore = if created {
                        Vec::new()
                    } else {
                        vec![Call::DeleteMethodResponse {
                            at: at.clone(),
                            status: status.clone(),
                        }]
                    };
                    Ok(Planned::Calls(vec![(
                        Call::PutMethodResponse {
                            at,
                            status: status.clone(),
                            parameters,
                        },
                        restore,
                    )]))
                }
                Some(declared) => {
                    let missing: Vec<&String> =
                        keys.iter().filter(|k| !declared.contains_key(*k)).collect();
                    if missing.is_empty() {
                        return Ok(Planned::Unchanged(format!(
                            "{} {} {status} declares {}",
                            at.http_method,
                            at.path,
                            headers.join(", ")
                        )));
                    }
                    let path =
                        |k: &str| format!("/responseParameters/{}", super::calls::pointer(k));
                    let forward = missing
                        .iter()
                        .map(|k| Patch::add(path(k), "false"))
                        .collect();
                    let back = missing.iter().map(|k| Patch::remove(path(k))).collect();
                    for k in missing {
                        declared.insert(k.clone(), false);
                    }
                    Ok(Planned::Calls(vec![(
                        Call::UpdateMethodResponse {
                            at: at.clone(),
                            status: status.clone(),
                            patches: forward,
                        },
                        vec![Call::UpdateMethodResponse {
                            at,
                            status: status.clone(),
                            patches: back,
                        }],
                    )]))
                }
            }
        }
        Change::CreateMockIntegration { resource, status } => {
            let at = at_of(resource_id(c, api, resource, world).await?, "OPTIONS");
            let created = world
                .created_methods
                .contains(&(at.resource_id.clone(), at.http_method.clone()));
            let Some(m) = method(c, api, &at, world).await?.as_mut() else {
                return Err(format!("OPTIONS {} does not exist", at.path));
            };
            match &m.integration {
                Some(i) if i.kind == "MOCK" => Ok(Planned::Unchanged(format!(
                    "OPTIONS {} has a MOCK integration",
                    at.path
                ))),
                Some(i) => {
                    refusals.push(format!(
                        "OPTIONS {} has a {} integration; cors-doctor does not replace an existing integration (change it by hand, or delete it first)",
                        at.path, i.kind
                    ));
                    Ok(Planned::Calls(Vec::new()))
                }
                None => {
                    m.integration = Some(read::IntegrationState {
                        kind: "MOCK".into(),
                        responses: BTreeMap::new(),
                    });
                    let restore = if created {
                        Vec::new()
                    } else {
                        vec![Call::DeleteIntegration { at: at.clone() }]
                    };
                    Ok(Planned::Calls(vec![(
                        Call::PutMockIntegration {
                            at,
                            status: status.clone(),
                        },
                        restore,
                    )]))
                }
            }
        }
        Change::MapResponseHeaders {
            resource,
            http_method,
            status,
            headers,
            ..
        } => {
            let at = at_of(resource_id(c, api, resource, world).await?, http_method);
            let created = world
                .created_methods
                .contains(&(at.resource_id.clone(), at.http_method.clone()));
            let Some(m) = method(c, api, &at, world).await?.as_mut() else {
                return Err(format!("{} {} does not exist", at.http_method, at.path));
            };
            let Some(integration) = m.integration.as_mut() else {
                return Err(format!(
                    "{} {} has no integration to map headers on",
                    at.http_method, at.path
                ));
            };
            map_headers(
                &mut integration.responses,
                headers,
                "method.response.header.",
                |parameters| Call::PutIntegrationResponse {
                    at: at.clone(),
                    status: status.clone(),
                    parameters,
                },
                |patches| Call::UpdateIntegrationResponse {
                    at: at.clone(),
                    status: status.clone(),
                    patches,
                },
                (!created).then(|| Call::DeleteIntegrationResponse {
                    at: at.clone(),
                    status: status.clone(),
                }),
                status,
                &format!("{} {} {status}", at.http_method, at.path),
            )
        }
        Change::GatewayResponseHeaders {
            response_type,
            headers,
            ..
        } => {
            if !world.gateway_responses.contains_key(response_type) {
                let current = read::gateway_response(c, api, response_type).await?;
                world
                    .gateway_responses
                    .insert(response_type.clone(), current);
            }
            let was_created = world.created_gateway_responses.contains(response_type);
            let entry = world
                .gateway_responses
                .get_mut(response_type)
                .ok_or("internal: gateway response state lost")?;
            let mut one: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
            if let Some(current) = entry.as_ref() {
                one.insert(String::new(), current.clone());
            }
            let customized = entry.is_some();
            let planned = map_headers(
                &mut one,
                headers,
                "gatewayresponse.header.",
                |parameters| Call::PutGatewayResponse {
                    response_type: response_type.clone(),
                    parameters,
                },
                |patches| Call::UpdateGatewayResponse {
                    response_type: response_type.clone(),
                    patches,
                },
                (!was_created).then(|| Call::DeleteGatewayResponse {
                    response_type: response_type.clone(),
                }),
                "",
                &format!("gateway response {response_type}"),
            )?;
            *entry = one.remove("");
            if !customized {
                world
                    .created_gateway_responses
                    .insert(response_type.clone());
            }
            Ok(planned)
        }
        Change::SetCorsConfiguration { cors } => {
            if world.cors.is_none() {
                world.cors = Some(read::http_api(c, api).await?.1);
            }
            let current = world.cors.clone().flatten();
            refusals.extend(super::guard::check_cors(cors, current.as_ref(), policy));
            if current.as_ref() == Some(cors) {
                return Ok(Planned::Unchanged(
                    "the cors_configuration is as proposed".into(),
                ));
            }
            world.cors = Some(Some(cors.clone()));
            let restore = match current {
                Some(prior) => Call::UpdateApiCors { cors: prior },
                None => Call::DeleteCorsConfiguration,
            };
            Ok(Planned::Calls(vec![(
                Call::UpdateApiCors { cors: cors.clone() },
                vec![restore],
            )]))
        }
        Change::RouteAuthorizationOff {
            route_id,
            route_key,
        } => {
            if world.routes.is_none() {
                world.routes = Some(read::http_routes(c, api).await?);
            }
            let routes = world.routes.as_mut().ok_or("internal: routes lost")?;
            let Some(route) = routes.iter_mut().find(|r| match route_id {
                Some(id) => r.id == *id,
                None => r.key == *route_key,
            }) else {
                return Err(format!("the API has no route {route_key}"));
            };
            if !route.key.starts_with("OPTIONS ") {
                refusals.push(format!(
                    "the route {} is not an OPTIONS route; cors-doctor never removes authorization from it",
                    route.key
                ));
                return Ok(Planned::Calls(Vec::new()));
            }
            if route.authorization_type == "NONE" {
                return Ok(Planned::Unchanged(format!(
                    "{} requires no authorization",
                    route.key
                )));
            }
            let back = Call::UpdateRouteAuthorization {
                route_id: route.id.clone(),
                route_key: route.key.clone(),
                authorization_type: route.authorization_type.clone(),
                authorizer_id: route.authorizer_id.clone(),
                scopes: route.scopes.clone(),
            };
            route.authorization_type = "NONE".into();
            Ok(Planned::Calls(vec![(
                Call::UpdateRouteAuthorization {
                    route_id: route.id.clone(),
                    route_key: route.key.clone(),
                    authorization_type: "NONE".into(),
                    authorizer_id: None,
                    scopes: Vec::new(),
                },
                vec![back],
            )]))
        }
        Change::CreatePreflightRoute {
            route_key,
            integration_id,
            like_route,
        } => {
            if world.routes.is_none() {
                world.routes = Some(read::http_routes(c, api).await?);
            }
            let routes = world.routes.as_mut().ok_or("internal: routes lost")?;
            if routes.iter().any(|r| r.key == *route_key) {
                return Ok(Planned::Unchanged(format!("the route {route_key} exists")));
            }
            let target = match integration_id {
                Some(id) => Some(format!("integrations/{id}")),
                None => routes
                    .iter()
                    .find(|r| r.key == *like_route)
                    .and_then(|r| r.target.clone()),
            };
            routes.push(RouteState {
                key: route_key.clone(),
                authorization_type: "NONE".into(),
                target: target.clone(),
                ..RouteState::default()
            });
            Ok(Planned::Calls(vec![(
                Call::CreateRoute {
                    route_key: route_key.clone(),
                    target,
                },
                vec![Call::DeleteRouteByKey {
                    route_key: route_key.clone(),
                }],
            )]))
        }
        Change::Deploy { .. } => Ok(Planned::Calls(Vec::new())),
        // Refused before any write (`super::guard::check_changes`); never planned.
        Change::BasePathMapping { .. }
        | Change::FunctionUrlCors { .. }
        | Change::FunctionCodeCorsHeadersRemoved { .. }
        | Change::CloudFront { .. } => Err(super::guard::front_refusal(change).unwrap_or_default()),
    }
}

/// Static header values on an integration response or a gateway response (`responses` holds
/// the one at `status`, when it exists): a put when it does not exist, else a patch of the
/// values that differ. `delete` undoes a put (`None`: its parent was created by this fix).
#[allow(clippy::too_many_arguments)]
fn map_headers(
    responses: &mut BTreeMap<String, BTreeMap<String, String>>,
    headers: &[HeaderValue],
    prefix: &str,
    put: impl FnOnce(BTreeMap<String, String>) -> Call,
    update: impl Fn(Vec<Patch>) -> Call,
    delete: Option<Call>,
    status: &str,
    what: &str,
) -> Result<Planned, String> {
    let wanted: Vec<(String, String)> = headers
        .iter()
        .map(|h| (param_key(prefix, &h.name), quoted(&h.value)))
        .collect();
    match responses.get_mut(status) {
        None => {
            let parameters: BTreeMap<String, String> = wanted.into_iter().collect();
            responses.insert(status.to_string(), parameters.clone());
            Ok(Planned::Calls(vec![(
                put(parameters),
                delete.into_iter().collect(),
            )]))
        }
        Some(current) => {
            let path = |k: &str| format!("/responseParameters/{}", super::calls::pointer(k));
            let mut forward = Vec::new();
            let mut back = Vec::new();
            for (k, v) in wanted {
                match current.get(&k) {
                    Some(old) if *old == v => {}
                    Some(old) => {
                        forward.push(Patch::replace(path(&k), &v));
                        back.push(Patch::replace(path(&k), old));
                        current.insert(k, v);
                    }
                    None => {
                        forward.push(Patch::add(path(&k), &v));
                        back.push(Patch::remove(path(&k)));
                        current.insert(k, v);
                    }
                }
            }
            if forward.is_empty() {
                return Ok(Planned::Unchanged(format!(
                    "{what} maps the headers as proposed"
                )));
            }
            Ok(Planned::Calls(vec![(update(forward), vec![update(back)])]))
        }
    }
}
