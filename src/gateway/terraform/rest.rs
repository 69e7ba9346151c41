//! REST APIs: `aws_api_gateway_*` resources → [`Api`].

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::plan::{refs_in, Plan, Res, View};
use super::{after_apply, first_block, located, string_list, string_map, TerraformError};
use crate::gateway::front::private;
use crate::gateway::model::{
    Api, ApiKey, ApiKind, ApiSnapshot, AuthorizationType, Authorizer, AuthorizerKind, Deployment,
    Element, GatewayResponse, Integration, IntegrationResponse, IntegrationType, Method,
    MethodResponse, Need, Resource, Stage, ThrottleSetting, Unresolved,
};

const REST_API: &str = "aws_api_gateway_rest_api";
const RESOURCE: &str = "aws_api_gateway_resource";
const METHOD: &str = "aws_api_gateway_method";
const AUTHORIZER: &str = "aws_api_gateway_authorizer";
const DEPLOYMENT: &str = "aws_api_gateway_deployment";
const STAGE: &str = "aws_api_gateway_stage";
const REST_API_POLICY: &str = "aws_api_gateway_rest_api_policy";

/// Longest `parent_id` chain followed (API Gateway allows far fewer levels).
const MAX_DEPTH: usize = 64;

/// What one view of the plan defines for the API.
struct Parts {
    resources: Vec<Resource>,
    gateway_responses: Vec<GatewayResponse>,
}

/// What the working copy records besides the model: unresolved values and sources.
#[derive(Default)]
struct Notes {
    unresolved: Vec<Unresolved>,
    sources: Vec<crate::gateway::model::Located>,
}

pub(super) fn build(plan: &Plan<'_>, api_i: usize) -> Result<Api, TerraformError> {
    let r = plan.get(api_i);
    let v = View::After;
    let mut api = match body(plan, api_i, v) {
        Some(Ok(api)) => api,
        Some(Err(message)) => {
            return Err(TerraformError::Body {
                file: plan.file.to_string(),
                line: r.line,
                address: r.address.clone(),
                message,
            })
        }
        None => Api::default(),
    };
    let mut notes = Notes::default();
    if r.unknown(v, "body", None) {
        notes
            .unresolved
            .push(after_apply(format!("{}.body", r.address)).needed_by(Need {
                step: 3,
                what: "the API's OpenAPI body".into(),
                route: None,
                authorizer: None,
            }));
    }
    api.kind = ApiKind::Rest;
    api.kind_decided_by = Some(format!("{REST_API} (Terraform)"));
    if let Some(name) = r.str(v, "name") {
        api.name = name.to_string();
    }
    api.id = r.str(v, "id").map(str::to_string).or(api.id);
    api.description = r
        .str(v, "description")
        .map(str::to_string)
        .or(api.description);
    api.api_key_source = r
        .str(v, "api_key_source")
        .map(str::to_string)
        .or(api.api_key_source);
    // The resource policy (the attribute, or an aws_api_gateway_rest_api_policy of the API)
    // and a private endpoint's VPC endpoints, where an export writes them.
    let policy = plan
        .of_type(REST_API_POLICY)
        .map(|i| plan.get(i))
        .filter(|p| belongs(plan, p, v, api_i))
        .find_map(|p| p.str(v, "policy"))
        .or_else(|| r.str(v, "policy"))
        .filter(|p| !p.trim().is_empty());
    if let Some(policy) = policy {
        api.extra
            .insert(private::X_POLICY.into(), Value::String(policy.to_string()));
    }
    let endpoints = string_list(
        first_block(r.values(v).and_then(|x| x.get("endpoint_configuration")))
            .and_then(|c| c.get("vpc_endpoint_ids")),
    );
    if !endpoints.is_empty() {
        api.extra.insert(
            private::X_ENDPOINT_CONFIGURATION.into(),
            serde_json::json!({ "vpcEndpointIds": endpoints }),
        );
    }
    let body_defined = api
        .resources
        .iter()
        .map(|x| x.path.clone())
        .collect::<Vec<_>>();
    notes.sources.push(located(plan, api_i, Element::Api));
    for path in body_defined {
        for m in api
            .resource(&path)
            .map(|x| x.methods.clone())
            .unwrap_or_default()
        {
            notes.sources.push(located(
                plan,
                api_i,
                Element::Method {
                    path: path.clone(),
                    verb: m.http_method.clone(),
                },
            ));
        }
    }
    let working = parts(plan, api_i, v, api, Some(&mut notes));
    let (mut api, parts_after) = working;
    api.resources = parts_after.resources;
    api.gateway_responses = parts_after.gateway_responses;

    // Authorizers.
    for i in plan.of_type(AUTHORIZER) {
        let a = plan.get(i);
        if !belongs(plan, a, v, api_i) {
            continue;
        }
        let kind = a
            .str(v, "type")
            .and_then(AuthorizerKind::parse)
            .unwrap_or(AuthorizerKind::Token);
        let name = a.str(v, "name").unwrap_or(&a.address).to_string();
        let identity_source = a.str(v, "identity_source").map(str::to_string).or(
            // The provider's default for TOKEN authorizers; Cognito reads the same header.
            (kind != AuthorizerKind::Request)
                .then(|| "method.request.header.Authorization".to_string()),
        );
        if a.unknown(v, "identity_source", None) {
            notes.unresolved.push(
                after_apply(format!("{}.identity_source", a.address)).needed_by(Need {
                    step: 4,
                    what: "the authorizer's identity source".into(),
                    route: None,
                    authorizer: Some(name.clone()),
                }),
            );
        }
        notes
            .sources
            .push(located(plan, i, Element::Authorizer { name: name.clone() }));
        api.authorizers.retain(|x| x.name != name);
        api.authorizers.push(Authorizer {
            name,
            id: a.str(v, "id").map(str::to_string),
            kind,
            identity_source,
            authorizer_uri: a.str(v, "authorizer_uri").map(str::to_string),
            provider_arns: string_list(a.values(v).and_then(|x| x.get("provider_arns"))),
            jwt: None,
            result_ttl_seconds: a
                .values(v)
                .and_then(|x| x.get("authorizer_result_ttl_in_seconds"))
                .and_then(Value::as_i64),
            identity_validation_expression: a
                .str(v, "identity_validation_expression")
                .map(str::to_string),
            extra: Map::new(),
            scheme: Map::new(),
        });
    }

    // Deployments: what each one froze.
    let mut deployment_ids: HashMap<usize, String> = HashMap::new();
    let mut first_deployment = true;
    for i in plan.of_type(DEPLOYMENT) {
        let d = plan.get(i);
        if !belongs(plan, d, v, api_i) {
            continue;
        }
        let id = d
            .str(v, "id")
            .map(str::to_string)
            .unwrap_or_else(|| d.address.clone());
        deployment_ids.insert(i, id.clone());
        let triggers = d.writes("triggers")
            || d.unknown(v, "triggers", None)
            || d.values(v)
                .and_then(|x| x.get("triggers"))
                .and_then(Value::as_object)
                .is_some_and(|o| !o.is_empty());
        let snapshot = if d.creates() {
            None
        } else {
            let (_, before) = parts(plan, api_i, View::Before, before_body(plan, api_i), None);
            let same = before.resources == api.resources
                && before.gateway_responses == api.gateway_responses;
            (!same).then_some(ApiSnapshot {
                resources: before.resources,
                gateway_responses: before.gateway_responses,
                cors: None,
            })
        };
        if first_deployment {
            notes.sources.push(located(plan, i, Element::Deployment));
            first_deployment = false;
        }
        api.deployments.push(Deployment {
            id,
            description: d.str(v, "description").map(str::to_string),
            snapshot,
            redeployed_on_change: Some(triggers),
        });
    }

    // Stages, with throttling from method settings.
    for i in plan.of_type(STAGE) {
        let s = plan.get(i);
        if !belongs(plan, s, v, api_i) {
            continue;
        }
        let Some(name) = s.str(v, "stage_name") else {
            continue;
        };
        let deployment_id = plan
            .target(s, v, "deployment_id", &[DEPLOYMENT], "id")
            .and_then(|d| deployment_ids.get(&d).cloned())
            .or_else(|| s.str(v, "deployment_id").map(str::to_string));
        let variables: BTreeMap<String, String> =
            string_map(s.values(v).and_then(|x| x.get("variables")))
                .into_iter()
                .collect();
        notes.sources.push(located(
            plan,
            i,
            Element::Stage {
                name: name.to_string(),
            },
        ));
        api.stages.push(Stage {
            name: name.to_string(),
            deployment_id,
            auto_deploy: false,
            variables,
            throttling: throttling(plan, api_i, i, name),
            web_acl_arn: None,
        });
    }
    api.api_keys = api_keys(plan, api_i, &api);
    api.unresolved.extend(notes.unresolved);
    api.sources.extend(notes.sources);
    Ok(api)
}

/// The REST API's OpenAPI body in `view`, imported; `None` when it has none.
fn body(plan: &Plan<'_>, api_i: usize, view: View) -> Option<Result<Api, String>> {
    let text = plan.get(api_i).str(view, "body")?;
    if text.trim().is_empty() {
        return None;
    }
    Some(
        crate::gateway::openapi::import_str_as(text, Some(ApiKind::Rest))
            .map_err(|e| e.to_string()),
    )
}

fn before_body(plan: &Plan<'_>, api_i: usize) -> Api {
    match body(plan, api_i, View::Before) {
        Some(Ok(api)) => api,
        _ => Api::default(),
    }
}

/// True when `r`'s `rest_api_id` names the API `api_i`.
fn belongs(plan: &Plan<'_>, r: &Res<'_>, view: View, api_i: usize) -> bool {
    plan.target(r, view, "rest_api_id", &[REST_API], "id") == Some(api_i)
}

/// The resources, methods and gateway responses of one view, on top of `base` (the body's).
fn parts(
    plan: &Plan<'_>,
    api_i: usize,
    view: View,
    base: Api,
    mut notes: Option<&mut Notes>,
) -> (Api, Parts) {
    let mut paths: HashMap<usize, Option<String>> = HashMap::new();
    for i in plan.of_type(RESOURCE) {
        if plan.get(i).values(view).is_some() && belongs(plan, plan.get(i), view, api_i) {
            path_of(plan, i, view, api_i, &mut paths, 0);
        }
    }
    let mut resources: Vec<Resource> = base.resources.clone();
    let mut gateway_responses = base.gateway_responses.clone();
    // Resources the plan defines, even without methods.
    let mut defined: Vec<(usize, String)> = paths
        .iter()
        .filter_map(|(i, p)| p.clone().map(|p| (*i, p)))
        .collect();
    defined.sort();
    for (i, p) in &defined {
        if let Some(n) = notes.as_deref_mut() {
            n.sources
                .push(located(plan, *i, Element::Resource { path: p.clone() }));
        }
        if !resources.iter().any(|r| &r.path == p) {
            resources.push(Resource {
                path: p.clone(),
                id: plan.get(*i).str(view, "id").map(str::to_string),
                ..Default::default()
            });
        }
    }
    let resource_of =
        |r: &Res<'_>| -> Option<String> { resource_path(plan, r, view, api_i, &paths) };
    // Methods.
    for i in plan.of_type(METHOD) {
        let m = plan.get(i);
        if m.values(view).is_none() || !belongs(plan, m, view, api_i) {
            continue;
        }
        let (Some(path), Some(verb)) = (resource_of(m), m.str(view, "http_method")) else {
            if let Some(n) = notes.as_deref_mut() {
                n.unresolved.push(Unresolved::undefined(
                    &format!("{}.resource_id", m.address),
                    "API Gateway resource",
                    &m.references("resource_id").join(", "),
                ));
            }
            continue;
        };
        let verb = verb.to_ascii_uppercase();
        let authorization = match m.str(view, "authorization").map(str::to_ascii_uppercase) {
            Some(a) if a == "AWS_IAM" => AuthorizationType::AwsIam,
            Some(a) if a == "COGNITO_USER_POOLS" => AuthorizationType::CognitoUserPools,
            Some(a) if a == "CUSTOM" => AuthorizationType::Custom,
            _ => AuthorizationType::None,
        };
        let authorizer = plan
            .target(m, view, "authorizer_id", &[AUTHORIZER], "id")
            .map(|a| {
                let a = plan.get(a);
                a.str(view, "name").unwrap_or(&a.address).to_string()
            });
        if authorizer.is_none()
            && matches!(
                authorization,
                AuthorizationType::Custom | AuthorizationType::CognitoUserPools
            )
        {
            if let Some(n) = notes.as_deref_mut() {
                n.unresolved.push(
                    Unresolved::undefined(
                        &format!("{}.authorizer_id", m.address),
                        "authorizer",
                        &m.references("authorizer_id").join(", "),
                    )
                    .needed_by(Need {
                        step: 4,
                        what: "the method's authorizer".into(),
                        route: Some((path.clone(), verb.clone())),
                        authorizer: None,
                    }),
                );
            }
        }
        if let Some(n) = notes.as_deref_mut() {
            n.sources.push(located(
                plan,
                i,
                Element::Method {
                    path: path.clone(),
                    verb: verb.clone(),
                },
            ));
        }
        let method = Method {
            http_method: verb.clone(),
            authorization,
            authorizer,
            authorization_scopes: string_list(
                m.values(view).and_then(|x| x.get("authorization_scopes")),
            ),
            api_key_required: m.bool(view, "api_key_required").unwrap_or(false),
            ..Default::default()
        };
        let res = resource_entry(&mut resources, &path);
        res.methods.retain(|x| x.http_method != verb);
        res.methods.push(method);
    }
    // Method responses, integrations, integration responses: by (path, verb).
    for i in plan.of_type("aws_api_gateway_method_response") {
        let r = plan.get(i);
        let Some((path, verb, method)) = method_of(plan, r, view, api_i, &paths, &mut resources)
        else {
            continue;
        };
        let Some(status) = r.str(view, "status_code") else {
            continue;
        };
        let headers = string_map(r.values(view).and_then(|x| x.get("response_parameters")))
            .into_iter()
            .filter_map(|(k, _)| {
                k.strip_prefix("method.response.header.")
                    .map(str::to_string)
            })
            .collect();
        let _ = (path, verb);
        method.responses.retain(|x| x.status_code != status);
        method.responses.push(MethodResponse {
            status_code: status.to_string(),
            headers,
            ..Default::default()
        });
    }
    for i in plan.of_type("aws_api_gateway_integration") {
        let r = plan.get(i);
        let Some((_, _, method)) = method_of(plan, r, view, api_i, &paths, &mut resources) else {
            continue;
        };
        let Some(kind) = r.str(view, "type").and_then(IntegrationType::parse) else {
            continue;
        };
        let values = r.values(view);
        let mut integration = Integration::new(kind);
        integration.id = None;
        integration.http_method = r.str(view, "integration_http_method").map(str::to_string);
        integration.uri = r.str(view, "uri").map(str::to_string);
        integration.request_templates = string_map(values.and_then(|x| x.get("request_templates")))
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect();
        integration.request_parameters =
            string_map(values.and_then(|x| x.get("request_parameters")))
                .into_iter()
                .collect();
        integration.passthrough_behavior = r
            .str(view, "passthrough_behavior")
            .map(str::to_ascii_lowercase);
        // Integration responses read below keep theirs when the integration is re-read.
        if let Some(old) = method.integration.take() {
            integration.responses = old.responses;
        }
        method.integration = Some(integration);
    }
    for i in plan.of_type("aws_api_gateway_integration_response") {
        let r = plan.get(i);
        let Some((path, verb, method)) = method_of(plan, r, view, api_i, &paths, &mut resources)
        else {
            continue;
        };
        let Some(status) = r.str(view, "status_code") else {
            continue;
        };
        if r.unknown(view, "response_parameters", None) {
            if let Some(n) = notes.as_deref_mut() {
                n.unresolved.push(
                    after_apply(format!("{}.response_parameters", r.address)).needed_by(Need {
                        step: 5,
                        what: "the integration response's header mappings".into(),
                        route: Some((path.clone(), verb.clone())),
                        authorizer: None,
                    }),
                );
            }
        }
        let values = r.values(view);
        let response = IntegrationResponse {
            selection_pattern: r
                .str(view, "selection_pattern")
                .filter(|p| !p.is_empty())
                .unwrap_or("default")
                .to_string(),
            status_code: status.to_string(),
            response_parameters: string_map(values.and_then(|x| x.get("response_parameters")))
                .into_iter()
                .collect(),
            response_templates: string_map(values.and_then(|x| x.get("response_templates")))
                .into_iter()
                .map(|(k, v)| (k, Some(v)))
                .collect(),
            ..Default::default()
        };
        let integration = method
            .integration
            .get_or_insert_with(|| Integration::new(IntegrationType::Mock));
        integration
            .responses
            .retain(|x| x.selection_pattern != response.selection_pattern);
        integration.responses.push(response);
    }
    // Gateway responses.
    for i in plan.of_type("aws_api_gateway_gateway_response") {
        let r = plan.get(i);
        if r.values(view).is_none() || !belongs(plan, r, view, api_i) {
            continue;
        }
        let Some(rtype) = r.str(view, "response_type") else {
            continue;
        };
        if let Some(n) = notes.as_deref_mut() {
            n.sources.push(located(
                plan,
                i,
                Element::GatewayResponse {
                    response_type: rtype.to_string(),
                },
            ));
            if r.unknown(view, "response_parameters", None) {
                n.unresolved.push(
                    after_apply(format!("{}.response_parameters", r.address)).needed_by(Need {
                        step: 6,
                        what: format!("the {rtype} gateway response's headers"),
                        route: None,
                        authorizer: None,
                    }),
                );
            }
        }
        let values = r.values(view);
        gateway_responses.retain(|g| g.response_type != rtype);
        gateway_responses.push(GatewayResponse {
            response_type: rtype.to_string(),
            status_code: r.str(view, "status_code").map(str::to_string),
            response_parameters: string_map(values.and_then(|x| x.get("response_parameters")))
                .into_iter()
                .collect(),
            response_templates: string_map(values.and_then(|x| x.get("response_templates")))
                .into_iter()
                .map(|(k, v)| (k, Some(v)))
                .collect(),
            extra: Map::new(),
        });
    }
    resources.retain(|r| !r.methods.is_empty() || defined.iter().any(|(_, p)| p == &r.path));
    resources.sort_by(|a, b| a.path.cmp(&b.path));
    (
        base,
        Parts {
            resources,
            gateway_responses,
        },
    )
}

fn resource_entry<'r>(resources: &'r mut Vec<Resource>, path: &str) -> &'r mut Resource {
    let i = match resources.iter().position(|r| r.path == path) {
        Some(i) => i,
        None => {
            resources.push(Resource {
                path: path.to_string(),
                ..Default::default()
            });
            resources.len() - 1
        }
    };
    &mut resources[i]
}

/// The method a method response / integration / integration response belongs to.
fn method_of<'r>(
    plan: &Plan<'_>,
    r: &Res<'_>,
    view: View,
    api_i: usize,
    paths: &HashMap<usize, Option<String>>,
    resources: &'r mut [Resource],
) -> Option<(String, String, &'r mut Method)> {
    if r.values(view).is_none() || !belongs(plan, r, view, api_i) {
        return None;
    }
    let path = resource_path(plan, r, view, api_i, paths)?;
    let verb = r.str(view, "http_method")?.to_ascii_uppercase();
    let res = resources.iter_mut().find(|x| x.path == path)?;
    let m = res.methods.iter_mut().find(|m| m.http_method == verb)?;
    Some((path, verb, m))
}

/// The path of the resource `r`'s `resource_id` names (`/` for the API's root resource).
fn resource_path(
    plan: &Plan<'_>,
    r: &Res<'_>,
    view: View,
    api_i: usize,
    paths: &HashMap<usize, Option<String>>,
) -> Option<String> {
    parent_or_resource(plan, r, "resource_id", view, api_i, paths)
}

fn parent_or_resource(
    plan: &Plan<'_>,
    r: &Res<'_>,
    attr: &str,
    view: View,
    api_i: usize,
    paths: &HashMap<usize, Option<String>>,
) -> Option<String> {
    let target = plan
        .target_by_refs(r, &r.references(attr), &[RESOURCE, REST_API])
        .or_else(|| {
            let id = r.str(view, attr)?;
            plan.by_id(id, view, &[RESOURCE], "id")
                .or_else(|| plan.by_id(id, view, &[REST_API], "root_resource_id"))
        })?;
    if target == api_i {
        return Some("/".to_string());
    }
    if plan.get(target).rtype == REST_API {
        return None;
    }
    paths.get(&target).cloned().flatten()
}

/// The path of resource `i`, from its `parent_id` chain (memoized; a cycle or a chain longer
/// than [`MAX_DEPTH`] gives `None`).
fn path_of(
    plan: &Plan<'_>,
    i: usize,
    view: View,
    api_i: usize,
    paths: &mut HashMap<usize, Option<String>>,
    depth: usize,
) -> Option<String> {
    if let Some(p) = paths.get(&i) {
        return p.clone();
    }
    if depth > MAX_DEPTH {
        return None;
    }
    // Mark as in progress: a cycle ends here.
    paths.insert(i, None);
    let r = plan.get(i);
    let part = r.str(view, "path_part")?;
    let parent = plan
        .target_by_refs(r, &r.references("parent_id"), &[RESOURCE, REST_API])
        .or_else(|| {
            let id = r.str(view, "parent_id")?;
            plan.by_id(id, view, &[RESOURCE], "id")
                .or_else(|| plan.by_id(id, view, &[REST_API], "root_resource_id"))
        });
    let parent_path = match parent {
        Some(p) if p == api_i => "/".to_string(),
        Some(p) if plan.get(p).rtype == RESOURCE => {
            path_of(plan, p, view, api_i, paths, depth + 1)?
        }
        _ => return None,
    };
    let path = if parent_path == "/" {
        format!("/{part}")
    } else {
        format!("{parent_path}/{part}")
    };
    paths.insert(i, Some(path.clone()));
    Some(path)
}

/// Throttling of stage `stage_i` (`name`) from `aws_api_gateway_method_settings`.
fn throttling(plan: &Plan<'_>, api_i: usize, stage_i: usize, name: &str) -> Vec<ThrottleSetting> {
    let v = View::After;
    let mut out = Vec::new();
    for i in plan.of_type("aws_api_gateway_method_settings") {
        let r = plan.get(i);
        if !belongs(plan, r, v, api_i) {
            continue;
        }
        let stage_matches = plan.target_by_refs(r, &r.references("stage_name"), &[STAGE])
            == Some(stage_i)
            || r.str(v, "stage_name") == Some(name);
        if !stage_matches {
            continue;
        }
        let Some(method_path) = r.str(v, "method_path") else {
            continue;
        };
        let Some(settings) = first_block(r.values(v).and_then(|x| x.get("settings"))) else {
            continue;
        };
        let rate = settings
            .get("throttling_rate_limit")
            .and_then(Value::as_f64)
            .unwrap_or(-1.0);
        let burst = settings
            .get("throttling_burst_limit")
            .and_then(Value::as_i64)
            .unwrap_or(-1);
        if rate < 0.0 && burst < 0 {
            continue;
        }
        let (path, method) = match method_path.rsplit_once('/') {
            Some(("*", "*")) | None => ("*".to_string(), "*".to_string()),
            Some((p, m)) => (format!("/{}", p.trim_start_matches('/')), m.to_string()),
        };
        out.push(ThrottleSetting {
            path,
            method,
            // An unset limit (-1) is the account's default (10,000 rps, burst 5,000).
            rate_limit: if rate < 0.0 { 10_000.0 } else { rate },
            burst_limit: if burst < 0 { 5_000 } else { burst },
        });
    }
    out
}

/// API keys with a known value that a usage plan attaches to a stage of the API.
fn api_keys(plan: &Plan<'_>, api_i: usize, api: &Api) -> Vec<ApiKey> {
    let v = View::After;
    let mut out = Vec::new();
    for k in plan.of_type("aws_api_gateway_api_key") {
        let key = plan.get(k);
        let Some(value) = key.str(v, "value") else {
            continue;
        };
        let mut stages = Vec::new();
        for pk in plan.of_type("aws_api_gateway_usage_plan_key") {
            let link = plan.get(pk);
            if plan.target(link, v, "key_id", &["aws_api_gateway_api_key"], "id") != Some(k) {
                continue;
            }
            let Some(up) = plan.target(
                link,
                v,
                "usage_plan_id",
                &["aws_api_gateway_usage_plan"],
                "id",
            ) else {
                continue;
            };
            let up = plan.get(up);
            let blocks = up
                .values(v)
                .and_then(|x| x.get("api_stages"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let exprs = up
                .exprs
                .and_then(|e| e.get("api_stages"))
                .and_then(Value::as_array);
            for (n, b) in blocks.iter().enumerate() {
                let refs = refs_in(exprs.and_then(|e| e.get(n)).and_then(|e| e.get("api_id")));
                let for_api = plan.target_by_refs(up, &refs, &[REST_API]) == Some(api_i)
                    || (api.id.is_some()
                        && b.get("api_id").and_then(Value::as_str) == api.id.as_deref());
                if let (true, Some(stage)) = (for_api, b.get("stage").and_then(Value::as_str)) {
                    stages.push(stage.to_string());
                }
            }
        }
        if stages.is_empty() {
            continue;
        }
        out.push(ApiKey {
            id: key.str(v, "id").map(str::to_string),
            name: key.str(v, "name").map(str::to_string),
            value: value.to_string(),
            enabled: key.bool(v, "enabled").unwrap_or(true),
            stages,
        });
    }
    out
}
