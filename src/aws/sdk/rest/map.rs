//! API Gateway's REST answers (the SDK's types) mapped into the model.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_apigateway::types as sdk;
use serde_json::{Map, Value};

use super::ApiSummary;

use crate::gateway::model::{
    Api, ApiSnapshot, AuthorizationType, Authorizer, AuthorizerKind, GatewayResponse, Integration,
    IntegrationResponse, IntegrationType, Method, MethodResponse, Resource, SortedMap, Stage,
    ThrottleSetting,
};

pub(super) fn sorted<K: Ord + Clone, V: Clone>(m: Option<&HashMap<K, V>>) -> BTreeMap<K, V> {
    m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// `""` is how [`super::intercept::NullMapRepair`] keeps a null template: back to `None`.
pub(super) fn templates(m: Option<&HashMap<String, String>>) -> SortedMap<String, Option<String>> {
    sorted(m)
        .into_iter()
        .map(|(k, v)| (k, (!v.is_empty()).then_some(v)))
        .collect()
}

pub(super) fn authorization(s: Option<&str>) -> AuthorizationType {
    match s.unwrap_or("NONE") {
        "AWS_IAM" => AuthorizationType::AwsIam,
        "CUSTOM" => AuthorizationType::Custom,
        "COGNITO_USER_POOLS" => AuthorizationType::CognitoUserPools,
        "JWT" => AuthorizationType::Jwt,
        _ => AuthorizationType::None,
    }
}

pub(super) fn map_resources(
    items: &[sdk::Resource],
    authorizers: &HashMap<&str, &sdk::Authorizer>,
) -> Vec<Resource> {
    let mut out: Vec<Resource> = items
        .iter()
        .map(|r| {
            let methods: BTreeMap<String, Method> = r
                .resource_methods()
                .map(|m| {
                    m.iter()
                        .map(|(verb, m)| {
                            (verb.to_ascii_uppercase(), map_method(verb, m, authorizers))
                        })
                        .collect()
                })
                .unwrap_or_default();
            Resource {
                path: r.path().unwrap_or("/").to_string(),
                id: r.id().map(str::to_string),
                methods: methods.into_values().collect(),
                extra: Default::default(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

pub(super) fn map_method(
    verb: &str,
    m: &sdk::Method,
    authorizers: &HashMap<&str, &sdk::Authorizer>,
) -> Method {
    let authorizer = m.authorizer_id().map(|id| {
        authorizers
            .get(id)
            .and_then(|a| a.name())
            .unwrap_or(id)
            .to_string()
    });
    let mut responses: Vec<MethodResponse> = m
        .method_responses()
        .map(|rs| {
            rs.iter()
                .map(|(status, r)| MethodResponse {
                    status_code: r.status_code().unwrap_or(status).to_string(),
                    headers: sorted(r.response_parameters())
                        .into_keys()
                        .filter_map(|k| {
                            k.strip_prefix("method.response.header.")
                                .map(str::to_string)
                        })
                        .collect(),
                    extra: Default::default(),
                })
                .collect()
        })
        .unwrap_or_default();
    responses.sort_by(|a, b| a.status_code.cmp(&b.status_code));
    Method {
        http_method: m.http_method().unwrap_or(verb).to_ascii_uppercase(),
        id: None,
        authorization: authorization(m.authorization_type()),
        authorizer,
        authorization_scopes: m.authorization_scopes().to_vec(),
        api_key_required: m.api_key_required().unwrap_or(false),
        responses,
        integration: m.method_integration().and_then(map_integration),
        extra: request_parameters(m.request_parameters()),
    }
}

/// The method's request parameters (`method.request.header.X: required`) as the OpenAPI
/// `parameters` an export carries (the explorer's detail lists them), sorted by name.
pub(super) fn request_parameters(
    params: Option<&HashMap<String, bool>>,
) -> crate::gateway::model::Extra {
    let mut list: Vec<(&str, &str, bool)> = params
        .into_iter()
        .flatten()
        .filter_map(|(k, required)| {
            let rest = k.strip_prefix("method.request.")?;
            let (place, name) = rest.split_once('.')?;
            let place = match place {
                "header" => "header",
                "querystring" | "multivaluequerystring" => "query",
                "path" => "path",
                _ => return None,
            };
            Some((place, name, *required))
        })
        .collect();
    if list.is_empty() {
        return Default::default();
    }
    list.sort();
    let values = list
        .into_iter()
        .map(|(place, name, required)| {
            serde_json::json!({ "name": name, "in": place, "required": required, "type": "string" })
        })
        .collect();
    let mut map = serde_json::Map::new();
    map.insert("parameters".to_string(), serde_json::Value::Array(values));
    map.into()
}

pub(super) fn map_integration(i: &sdk::Integration) -> Option<Integration> {
    let kind = IntegrationType::parse(i.r#type()?.as_str())?;
    let mut responses: Vec<IntegrationResponse> = i
        .integration_responses()
        .map(|rs| {
            rs.iter()
                .map(|(status, r)| IntegrationResponse {
                    selection_pattern: r
                        .selection_pattern()
                        .filter(|p| !p.is_empty())
                        .unwrap_or("default")
                        .to_string(),
                    status_code: r.status_code().unwrap_or(status).to_string(),
                    response_parameters: sorted(r.response_parameters()).into_iter().collect(),
                    response_templates: templates(r.response_templates()),
                    extra: Default::default(),
                })
                .collect()
        })
        .unwrap_or_default();
    // The default response last, the others by status code: matching tries patterns first.
    responses
        .sort_by(|a, b| (a.is_default(), &a.status_code).cmp(&(b.is_default(), &b.status_code)));
    let mut extra = Map::new();
    if let Some(c) = i.connection_type() {
        extra.insert(
            "connectionType".to_string(),
            Value::String(c.as_str().to_string()),
        );
    }
    Some(Integration {
        kind,
        id: None,
        http_method: i.http_method().map(str::to_string),
        uri: i.uri().map(str::to_string),
        request_templates: templates(i.request_templates()),
        request_parameters: sorted(i.request_parameters()).into_iter().collect(),
        passthrough_behavior: i.passthrough_behavior().map(str::to_ascii_lowercase),
        payload_format_version: None,
        responses,
        extra: extra.into(),
    })
}

pub(super) fn map_authorizer(a: &sdk::Authorizer) -> Authorizer {
    let kind = match a.r#type().map(|t| t.as_str()) {
        Some("REQUEST") => AuthorizerKind::Request,
        Some("COGNITO_USER_POOLS") => AuthorizerKind::CognitoUserPools,
        _ => AuthorizerKind::Token,
    };
    Authorizer {
        name: a.name().or(a.id()).unwrap_or_default().to_string(),
        id: a.id().map(str::to_string),
        kind,
        identity_source: a.identity_source().map(str::to_string),
        authorizer_uri: a.authorizer_uri().map(str::to_string),
        provider_arns: a.provider_arns().to_vec(),
        jwt: None,
        result_ttl_seconds: a.authorizer_result_ttl_in_seconds().map(i64::from),
        identity_validation_expression: a.identity_validation_expression().map(str::to_string),
        extra: Map::new(),
        scheme: Map::new(),
    }
}

pub(super) fn map_gateway_response(g: &sdk::GatewayResponse) -> GatewayResponse {
    GatewayResponse {
        response_type: g
            .response_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        status_code: g.status_code().map(str::to_string),
        response_parameters: sorted(g.response_parameters()).into_iter().collect(),
        response_templates: templates(g.response_templates()),
        extra: Map::new(),
    }
}

pub(super) fn map_stage(s: &sdk::Stage) -> Stage {
    let mut throttling: Vec<ThrottleSetting> = s
        .method_settings()
        .map(|ms| {
            ms.iter()
                .filter_map(|(key, m)| {
                    let rate = m.throttling_rate_limit();
                    let burst = m.throttling_burst_limit();
                    if rate <= 0.0 && burst <= 0 {
                        return None;
                    }
                    let (path, method) = key.rsplit_once('/')?;
                    let path = if path == "*" {
                        "*".to_string()
                    } else {
                        let p = path.replace("~1", "/");
                        if p.starts_with('/') {
                            p
                        } else {
                            format!("/{p}")
                        }
                    };
                    Some(ThrottleSetting {
                        path,
                        method: method.to_string(),
                        rate_limit: rate,
                        burst_limit: i64::from(burst),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    throttling.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Stage {
        name: s.stage_name().unwrap_or_default().to_string(),
        deployment_id: s.deployment_id().map(str::to_string),
        auto_deploy: false,
        variables: sorted(s.variables()),
        throttling,
        web_acl_arn: s.web_acl_arn().map(str::to_string),
    }
}

/// What the deployment serves, from its API summary (path → verb → authorization): the
/// working copy's methods that the summary lists (with the deployed authorization), plus bare
/// methods the working copy no longer has. Integrations and gateway responses are not in a
/// summary: the working copy's stand in for them.
pub(super) fn snapshot_from_summary(api: &Api, summary: &ApiSummary) -> ApiSnapshot {
    let mut resources: Vec<Resource> = Vec::new();
    for r in &api.resources {
        let mut methods: Vec<Method> = Vec::new();
        for (verb, snap) in sorted(summary.get(&r.path)) {
            let verb = verb.to_ascii_uppercase();
            let mut m = r.method(&verb).cloned().unwrap_or_else(|| Method {
                http_method: verb.clone(),
                ..Method::default()
            });
            let auth = authorization(snap.authorization_type());
            if auth != m.authorization {
                m.authorization = auth;
                if auth == AuthorizationType::None {
                    m.authorizer = None;
                }
            }
            m.api_key_required = snap.api_key_required();
            methods.push(m);
        }
        // Keep the working copy's order for methods it has.
        methods.sort_by_key(|m| {
            r.methods
                .iter()
                .position(|w| w.http_method == m.http_method)
                .unwrap_or(usize::MAX)
        });
        resources.push(Resource {
            methods,
            ..r.clone()
        });
    }
    for (path, verbs) in sorted(Some(summary)) {
        if api.resource(&path).is_none() {
            resources.push(Resource {
                path,
                id: None,
                methods: sorted(Some(&verbs))
                    .into_iter()
                    .map(|(verb, snap)| Method {
                        http_method: verb.to_ascii_uppercase(),
                        authorization: authorization(snap.authorization_type()),
                        api_key_required: snap.api_key_required(),
                        ..Method::default()
                    })
                    .collect(),
                extra: Default::default(),
            });
        }
    }
    ApiSnapshot {
        resources,
        gateway_responses: api.gateway_responses.clone(),
        cors: None,
    }
}
