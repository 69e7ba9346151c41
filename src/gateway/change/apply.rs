//! Applying a [`ChangeSet`] to the model: what the same control-plane calls would make of the
//! API. The preview applies a remedy's changes to a copy of the model and replays the request
//! through `gateway::behavior`.

use super::{Change, ChangeSet, HeaderValue, ResourceRef};
use crate::gateway::model::{
    ApiKind, AuthorizationType, Deployment, GatewayResponse, Integration, IntegrationResponse,
    IntegrationType, Method, MethodResponse, Resource, SortedMap, DEFAULT_ROUTE,
};
use crate::gateway::Api;

/// A change that cannot be applied to the model: what API Gateway would refuse (a `put-*` of
/// something that exists, an `update-*` of something that does not), or a change for the
/// other kind of API. In a preview it is a bug in the remedy, or a model that does not hold
/// what the remedy assumed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyError {
    /// The change's position in the change set (0-based).
    pub index: usize,
    /// The change's kind (`create_options_method`).
    pub kind: &'static str,
    pub message: String,
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "change {} ({}): {}",
            self.index + 1,
            self.kind,
            self.message
        )
    }
}

impl std::error::Error for ApplyError {}

impl Change {
    /// The change's kind as serialized (`create_options_method`).
    pub fn kind(&self) -> &'static str {
        match self {
            Change::CreateOptionsMethod { .. } => "create_options_method",
            Change::OptionsAuthorizationOff { .. } => "options_authorization_off",
            Change::DeclareResponseHeaders { .. } => "declare_response_headers",
            Change::CreateMockIntegration { .. } => "create_mock_integration",
            Change::MapResponseHeaders { .. } => "map_response_headers",
            Change::GatewayResponseHeaders { .. } => "gateway_response_headers",
            Change::SetCorsConfiguration { .. } => "set_cors_configuration",
            Change::RouteAuthorizationOff { .. } => "route_authorization_off",
            Change::CreatePreflightRoute { .. } => "create_preflight_route",
            Change::BasePathMapping { .. } => "base_path_mapping",
            Change::FunctionUrlCors { .. } => "function_url_cors",
            Change::FunctionCodeCorsHeadersRemoved { .. } => "function_code_cors_headers_removed",
            Change::Deploy { .. } => "deploy",
            Change::CloudFront { .. } => "cloudfront",
        }
    }
}

/// True for a change outside API Gateway, to the layers in front of it or behind it (a
/// Lambda function URL): [`apply_front`] applies it, [`apply`] refuses it.
pub fn is_front_change(change: &Change) -> bool {
    matches!(
        change,
        Change::BasePathMapping { .. }
            | Change::FunctionUrlCors { .. }
            | Change::FunctionCodeCorsHeadersRemoved { .. }
            | Change::CloudFront { .. }
    )
}

/// Applies the changes of `cs` that are outside API Gateway ([`is_front_change`]) to
/// `front`, all or nothing; the others are left to [`apply`].
pub fn apply_front(
    front: &mut crate::gateway::front::Front,
    cs: &ChangeSet,
) -> Result<(), ApplyError> {
    let mut work = front.clone();
    for (index, change) in cs.changes.iter().enumerate() {
        let fail = |message: String| ApplyError {
            index,
            kind: change.kind(),
            message,
        };
        match change {
            Change::FunctionUrlCors {
                function_name,
                cors,
            } => {
                function_url(&mut work, function_name).map_err(fail)?.cors = Some(cors.clone());
            }
            Change::FunctionCodeCorsHeadersRemoved {
                function_name,
                headers,
            } => {
                function_url(&mut work, function_name)
                    .map_err(fail)?
                    .code
                    .headers
                    .retain(|k, _| !headers.iter().any(|h| h.eq_ignore_ascii_case(k)));
            }
            Change::BasePathMapping {
                domain_name,
                base_path,
                stage,
                ..
            } => {
                let domain = work
                    .custom_domain
                    .as_deref_mut()
                    .filter(|d| d.domain_name.eq_ignore_ascii_case(domain_name))
                    .ok_or_else(|| {
                        fail(format!(
                            "no custom domain {domain_name} in front of the API"
                        ))
                    })?;
                let key = match base_path.trim_matches('/') {
                    crate::gateway::front::domain::NONE => "",
                    k => k,
                };
                let api_id = cs.api.id.clone().unwrap_or_default();
                match domain.mappings.iter_mut().find(|m| m.normalized() == key) {
                    Some(m) => {
                        m.stage = stage.clone();
                        if !api_id.is_empty() {
                            m.api_id = api_id;
                        }
                    }
                    None => domain
                        .mappings
                        .push(crate::gateway::front::domain::BasePathMapping {
                            base_path: key.to_string(),
                            api_id,
                            stage: stage.clone(),
                        }),
                }
            }
            Change::CloudFront {
                distribution_id,
                setting,
            } => {
                let d = work.cloudfront.as_deref_mut().ok_or_else(|| {
                    fail(format!(
                        "a change to the CloudFront distribution {distribution_id}, but no distribution is known in front of the API"
                    ))
                })?;
                crate::gateway::front::cloudfront::apply_change(d, setting);
            }
            _ => {}
        }
    }
    *front = work;
    Ok(())
}

/// The function URL of `function_name` in `front`.
fn function_url<'a>(
    front: &'a mut crate::gateway::front::Front,
    function_name: &str,
) -> Result<&'a mut crate::gateway::front::function_url::FunctionUrl, String> {
    front
        .function_url
        .as_deref_mut()
        .filter(|u| u.function_name == function_name)
        .ok_or_else(|| format!("no function URL of function {function_name} in front of the API"))
}

/// Applies the change set to `api` as API Gateway would apply the same control-plane calls,
/// all or nothing: on an error `api` is left as it was.
///
/// - `put-*` creates (a method or method response that exists is a conflict, as in API
///   Gateway); `put-integration`, `put-integration-response` and `put-gateway-response`
///   replace what exists (they overwrite in API Gateway too); `update-*` patches what must
///   exist.
/// - A mapped header must be declared by the method response of the same status (API Gateway
///   refuses the mapping otherwise:
///   <https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html>).
/// - [`Change::Deploy`] freezes the working copy as a new deployment that the stage then
///   serves (`create-deployment`); a stage the model does not hold already serves the working
///   copy. `stage: None` (the user names the stage) deploys every stage of the model.
/// - Authorization is only switched off on `OPTIONS`: a change that names another method is
///   refused (the types' guard rail, checked again here).
pub fn apply(api: &mut Api, cs: &ChangeSet) -> Result<(), ApplyError> {
    let mut work = api.clone();
    for (index, change) in cs.changes.iter().enumerate() {
        apply_one(&mut work, cs.api.kind, change).map_err(|message| ApplyError {
            index,
            kind: change.kind(),
            message,
        })?;
    }
    *api = work;
    Ok(())
}

const OPTIONS: &str = "OPTIONS";

fn apply_one(api: &mut Api, kind: ApiKind, change: &Change) -> Result<(), String> {
    if is_front_change(change) {
        return Err("a change outside API Gateway (apply_front applies it)".to_string());
    }
    let rest_only = matches!(
        change,
        Change::CreateOptionsMethod { .. }
            | Change::OptionsAuthorizationOff { .. }
            | Change::DeclareResponseHeaders { .. }
            | Change::CreateMockIntegration { .. }
            | Change::MapResponseHeaders { .. }
            | Change::GatewayResponseHeaders { .. }
    );
    let http_only = matches!(
        change,
        Change::SetCorsConfiguration { .. }
            | Change::RouteAuthorizationOff { .. }
            | Change::CreatePreflightRoute { .. }
    );
    if (rest_only && api.kind != ApiKind::Rest) || (http_only && api.kind != ApiKind::Http) {
        return Err(format!(
            "a change for a {} API, but the API is a {} API",
            if rest_only { "REST" } else { "HTTP" },
            api.kind.as_str().to_ascii_uppercase()
        ));
    }
    if kind != api.kind {
        return Err(format!(
            "the change set is for a {} API, but the API is a {} API",
            kind.as_str().to_ascii_uppercase(),
            api.kind.as_str().to_ascii_uppercase()
        ));
    }
    match change {
        Change::CreateOptionsMethod { resource } => {
            let r = resource_mut(api, resource)?;
            if r.method(OPTIONS).is_some() {
                return Err(format!("{} already has an OPTIONS method", r.path));
            }
            r.methods.push(Method {
                http_method: OPTIONS.to_string(),
                authorization: AuthorizationType::None,
                api_key_required: false,
                ..Method::default()
            });
        }
        Change::OptionsAuthorizationOff {
            resource,
            authorization,
            api_key,
        } => {
            let m = method_mut(api, resource, OPTIONS)?;
            if *authorization {
                m.authorization = AuthorizationType::None;
                m.authorizer = None;
                m.authorization_scopes.clear();
            }
            if *api_key {
                m.api_key_required = false;
            }
        }
        Change::DeclareResponseHeaders {
            resource,
            http_method,
            status,
            headers,
            create,
        } => {
            let m = method_mut(api, resource, http_method)?;
            let existing = m.responses.iter_mut().find(|r| &r.status_code == status);
            match (existing, create) {
                (Some(_), true) => {
                    return Err(format!(
                        "{http_method} already has a {status} method response"
                    ))
                }
                (None, true) => m.responses.push(MethodResponse {
                    status_code: status.clone(),
                    headers: headers.clone(),
                    ..MethodResponse::default()
                }),
                (None, false) => {
                    return Err(format!("{http_method} has no {status} method response"))
                }
                (Some(r), false) => {
                    for h in headers {
                        if !r.declares(h) {
                            r.headers.push(h.clone());
                        }
                    }
                }
            }
        }
        Change::CreateMockIntegration { resource, status } => {
            let m = method_mut(api, resource, OPTIONS)?;
            let mut i = Integration::new(IntegrationType::Mock);
            i.request_templates.insert(
                "application/json".to_string(),
                Some(format!("{{\"statusCode\": {status}}}")),
            );
            m.integration = Some(i);
        }
        Change::MapResponseHeaders {
            resource,
            http_method,
            status,
            headers,
            create,
        } => {
            let m = method_mut(api, resource, http_method)?;
            let declared = m.response(status).cloned();
            for h in headers {
                if !declared.as_ref().is_some_and(|r| r.declares(&h.name)) {
                    return Err(format!(
                        "{http_method}: the {status} method response does not declare {}, so API Gateway refuses to map it",
                        h.name
                    ));
                }
            }
            let Some(integration) = m.integration.as_mut() else {
                return Err(format!("{http_method} has no integration"));
            };
            let params = static_params("method.response.header", headers);
            put_or_patch(
                &mut integration.responses,
                |r| &r.status_code == status,
                *create,
                |response_parameters| IntegrationResponse {
                    selection_pattern: "default".to_string(),
                    status_code: status.clone(),
                    response_parameters,
                    ..IntegrationResponse::default()
                },
                |r| &mut r.response_parameters,
                params,
            )
            .map_err(|()| format!("{http_method} has no {status} integration response"))?;
        }
        Change::GatewayResponseHeaders {
            response_type,
            headers,
            create,
        } => {
            let params = static_params("gatewayresponse.header", headers);
            put_or_patch(
                &mut api.gateway_responses,
                |g| &g.response_type == response_type,
                *create,
                |response_parameters| GatewayResponse {
                    response_type: response_type.clone(),
                    response_parameters,
                    ..GatewayResponse::default()
                },
                |g| &mut g.response_parameters,
                params,
            )
            .map_err(|()| format!("the {response_type} gateway response is not customized"))?;
        }
        Change::SetCorsConfiguration { cors } => api.cors = Some(cors.clone()),
        Change::RouteAuthorizationOff {
            route_id,
            route_key,
        } => {
            let (verb, path) = split_route_key(route_key);
            if !verb.eq_ignore_ascii_case(OPTIONS) {
                return Err(format!(
                    "{route_key} does not answer OPTIONS: its authorization stays"
                ));
            }
            let by_id = route_id.as_deref().and_then(|id| {
                api.resources
                    .iter()
                    .flat_map(|r| r.methods.iter())
                    .any(|m| m.id.as_deref() == Some(id))
                    .then_some(id)
            });
            let m = api
                .resources
                .iter_mut()
                .flat_map(|r| {
                    let here = r.path == path;
                    r.methods.iter_mut().map(move |m| (here, m))
                })
                .find(|(here, m)| match by_id {
                    Some(id) => m.id.as_deref() == Some(id),
                    None => *here && m.http_method.eq_ignore_ascii_case(verb),
                })
                .map(|(_, m)| m)
                .ok_or_else(|| format!("no route {route_key}"))?;
            if !m.http_method.eq_ignore_ascii_case(OPTIONS) {
                return Err(format!(
                    "the route with that id is {} {path}, not OPTIONS: its authorization stays",
                    m.http_method
                ));
            }
            m.authorization = AuthorizationType::None;
            m.authorizer = None;
            m.authorization_scopes.clear();
        }
        Change::CreatePreflightRoute {
            route_key,
            integration_id,
            like_route,
        } => {
            let (verb, path) = split_route_key(route_key);
            if !verb.eq_ignore_ascii_case(OPTIONS) {
                return Err(format!("{route_key} is not an OPTIONS route"));
            }
            let integration = integration_id
                .as_deref()
                .and_then(|id| {
                    api.resources
                        .iter()
                        .flat_map(|r| r.methods.iter())
                        .filter_map(|m| m.integration.as_ref())
                        .find(|i| i.id.as_deref() == Some(id))
                })
                .or_else(|| {
                    let (lverb, lpath) = split_route_key(like_route);
                    api.resource(lpath)
                        .and_then(|r| r.method(lverb))
                        .and_then(|m| m.integration.as_ref())
                })
                .cloned();
            let Some(integration) = integration else {
                return Err(format!(
                    "no integration to target: neither {} nor the route {like_route} has one",
                    integration_id.as_deref().unwrap_or("an integration id")
                ));
            };
            if api
                .resource(path)
                .is_some_and(|r| r.method(OPTIONS).is_some())
            {
                return Err(format!("the route {route_key} already exists"));
            }
            let method = Method {
                http_method: OPTIONS.to_string(),
                integration: Some(integration),
                ..Method::default()
            };
            match api.resources.iter_mut().find(|r| r.path == path) {
                Some(r) => r.methods.push(method),
                None => api.resources.push(Resource {
                    path: path.to_string(),
                    methods: vec![method],
                    ..Resource::default()
                }),
            }
        }
        // Outside the API: refused above (`apply_front` applies them to the front).
        Change::BasePathMapping { .. }
        | Change::FunctionUrlCors { .. }
        | Change::FunctionCodeCorsHeadersRemoved { .. }
        | Change::CloudFront { .. } => {}
        Change::Deploy { stage } => {
            let snapshot = api.snapshot();
            let targets: Vec<usize> = api
                .stages
                .iter()
                .enumerate()
                .filter(|(_, s)| stage.as_deref().is_none_or(|n| s.name == n))
                .map(|(i, _)| i)
                .collect();
            for i in targets {
                let id = format!("preview-{}", api.deployments.len() + 1);
                api.deployments.push(Deployment {
                    id: id.clone(),
                    description: Some("cors-doctor change set".to_string()),
                    snapshot: Some(snapshot.clone()),
                    redeployed_on_change: None,
                });
                api.stages[i].deployment_id = Some(id);
            }
        }
    }
    Ok(())
}

/// `OPTIONS /{proxy+}` → (`OPTIONS`, `/{proxy+}`); `$default` → (`ANY`, `$default`).
fn split_route_key(key: &str) -> (&str, &str) {
    if key == DEFAULT_ROUTE {
        return ("ANY", DEFAULT_ROUTE);
    }
    key.split_once(' ').unwrap_or(("ANY", key))
}

/// Sets `key` (replacing a key that differs only in case: header names are case-insensitive).
/// Static header values as mapping parameters (`{prefix}.{name}` → `'value'`).
fn static_params(prefix: &str, headers: &[HeaderValue]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|h| (format!("{prefix}.{}", h.name), format!("'{}'", h.value)))
        .collect()
}

/// A `put-*` (`create`: made anew with `params`, replacing one that matches) or an `update-*`
/// (one must match; each parameter is set on it), as API Gateway's calls behave. `Err(())`:
/// an update of something that does not exist.
fn put_or_patch<T>(
    items: &mut Vec<T>,
    matches: impl Fn(&T) -> bool,
    create: bool,
    fresh: impl FnOnce(SortedMap<String, String>) -> T,
    parameters: impl Fn(&mut T) -> &mut SortedMap<String, String>,
    params: Vec<(String, String)>,
) -> Result<(), ()> {
    let existing = items.iter_mut().find(|i| matches(i));
    match (existing, create) {
        (existing, true) => {
            let made = fresh(params.into_iter().collect());
            match existing {
                Some(i) => *i = made,
                None => items.push(made),
            }
        }
        (None, false) => return Err(()),
        (Some(i), false) => {
            for (k, v) in params {
                set_param(parameters(i), k, v);
            }
        }
    }
    Ok(())
}

fn set_param(map: &mut SortedMap<String, String>, key: String, value: String) {
    let same: Vec<String> = map
        .keys()
        .filter(|k| k.eq_ignore_ascii_case(&key) && **k != key)
        .cloned()
        .collect();
    for k in same {
        map.remove(&k);
    }
    map.insert(key, value);
}

fn resource_mut<'a>(api: &'a mut Api, r: &ResourceRef) -> Result<&'a mut Resource, String> {
    let by_id = r.id.as_deref().and_then(|id| {
        api.resources
            .iter()
            .position(|x| x.id.as_deref() == Some(id))
    });
    let at = by_id
        .or_else(|| api.resources.iter().position(|x| x.path == r.path))
        .ok_or_else(|| format!("no resource {}", r.path))?;
    Ok(&mut api.resources[at])
}

fn method_mut<'a>(api: &'a mut Api, r: &ResourceRef, verb: &str) -> Result<&'a mut Method, String> {
    let res = resource_mut(api, r)?;
    let path = res.path.clone();
    res.methods
        .iter_mut()
        .find(|m| m.http_method.eq_ignore_ascii_case(verb))
        .ok_or_else(|| format!("{path} has no {verb} method"))
}

impl Change {
    /// The change in one line of words (`create OPTIONS /orders: no authorization, no API
    /// key`), for previews and confirmations.
    pub fn describe(&self) -> String {
        let pairs = |h: &[HeaderValue]| {
            h.iter()
                .map(|h| format!("{}: '{}'", h.name, h.value))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Change::CreateOptionsMethod { resource } => format!(
                "create OPTIONS {}: no authorization, no API key",
                resource.path
            ),
            Change::OptionsAuthorizationOff {
                resource,
                authorization,
                api_key,
            } => {
                let mut what = Vec::new();
                if *authorization {
                    what.push("authorization NONE");
                }
                if *api_key {
                    what.push("API key not required");
                }
                format!("OPTIONS {}: {}", resource.path, what.join(", "))
            }
            Change::DeclareResponseHeaders {
                resource,
                http_method,
                status,
                headers,
                create,
            } => format!(
                "{} {} {status} method response: {}declare {}",
                http_method,
                resource.path,
                if *create { "create, " } else { "" },
                headers.join(", ")
            ),
            Change::CreateMockIntegration { resource, status } => format!(
                "OPTIONS {}: MOCK integration answering {status}",
                resource.path
            ),
            Change::MapResponseHeaders {
                resource,
                http_method,
                status,
                headers,
                create,
            } => format!(
                "{} {} {status} integration response: {}map {}",
                http_method,
                resource.path,
                if *create { "create, " } else { "" },
                pairs(headers)
            ),
            Change::GatewayResponseHeaders {
                response_type,
                headers,
                create,
            } => format!(
                "gateway response {response_type}: {}{}",
                if *create { "customize, " } else { "add " },
                pairs(headers)
            ),
            Change::SetCorsConfiguration { cors } => {
                let mut s = format!(
                    "cors_configuration: origins {}; methods {}; headers {}",
                    cors.allow_origins.join(","),
                    cors.allow_methods.join(","),
                    cors.allow_headers.join(",")
                );
                if cors.allow_credentials == Some(true) {
                    s.push_str("; credentials");
                }
                s
            }
            Change::RouteAuthorizationOff { route_key, .. } => {
                format!("route {route_key}: authorization NONE")
            }
            Change::CreatePreflightRoute {
                route_key,
                like_route,
                ..
            } => format!(
                "create route {route_key} without authorization (the integration of {like_route})"
            ),
            Change::BasePathMapping {
                domain_name,
                base_path,
                stage,
                exists,
            } => format!(
                "{} the base path mapping {}/{} to stage {stage}",
                if *exists { "point" } else { "create" },
                domain_name,
                match base_path.trim_matches('/') {
                    "" => crate::gateway::front::domain::NONE,
                    p => p,
                }
            ),
            Change::FunctionUrlCors {
                function_name,
                cors,
            } => format!(
                "function URL of {function_name}: CORS origins {}; methods {}; headers {}",
                cors.allow_origins.join(","),
                cors.allow_methods.join(","),
                cors.allow_headers.join(",")
            ),
            Change::FunctionCodeCorsHeadersRemoved {
                function_name,
                headers,
            } => format!(
                "function {function_name}'s code: stop setting {}",
                headers.join(", ")
            ),
            Change::Deploy { stage } => match stage {
                Some(s) => format!("deploy to stage {s}"),
                None => "deploy to the stage".to_string(),
            },
            Change::CloudFront {
                distribution_id,
                setting,
            } => format!(
                "CloudFront distribution {distribution_id}: {}",
                setting.words()
            ),
        }
    }
}
