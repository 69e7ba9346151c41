//! HTTP API (v2) lookups, mapped into [`gateway::Api`](crate::gateway::Api).
//!
//! `get_api` (with its cors_configuration; made while resolving the target), then concurrently
//! `get_routes`, `get_integrations`, `get_authorizers` and `get_stages` (each paginated by 500).
//! A route `GET /items` is the method `GET` on the resource `/items`; `$default` is `ANY` on
//! [`DEFAULT_ROUTE`]. HTTP API deployments carry no summary: a stage without auto-deploy is
//! taken to serve the working copy (the stage's deployment id is kept for remediation).

use std::collections::{BTreeMap, HashMap};

use aws_sdk_apigatewayv2::operation::get_api::GetApiOutput;
use aws_sdk_apigatewayv2::types as sdk;
use serde_json::Map;

use super::errors::{classify, Lookup, LookupError};
use super::{or_gap, Clients};
use crate::evidence::ConfigGap;
use crate::gateway::model::{
    Api, ApiKind, AuthorizationType, Authorizer, AuthorizerKind, CorsConfiguration, Integration,
    IntegrationType, JwtConfiguration, Method, Resource, SpecFormat, Stage, ThrottleSetting,
    DEFAULT_ROUTE,
};

const PAGE: &str = "500";

pub async fn get_api(clients: &Clients, id: &str) -> Result<GetApiOutput, LookupError> {
    let lookup = Lookup::new("get_api", "HTTP API", format!("/apis/{id}"));
    clients
        .v2
        .get_api()
        .api_id(id)
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &clients.region))
}

/// Reads the API (`api` is `get_api`'s answer, when resolution already made the call).
pub async fn load(
    clients: &Clients,
    id: &str,
    api: Option<GetApiOutput>,
) -> Result<(Api, Vec<ConfigGap>), LookupError> {
    let api = match api {
        Some(a) => a,
        None => get_api(clients, id).await?,
    };
    let (routes, integrations, authorizers, stages) = tokio::join!(
        get_routes(clients, id),
        get_integrations(clients, id),
        get_authorizers(clients, id),
        get_stages(clients, id),
    );
    let routes = routes?;
    let mut gaps = Vec::new();
    let integrations = or_gap(integrations, 5, "integrations", &mut gaps);
    let authorizers = or_gap(authorizers, 4, "authorizers", &mut gaps);
    let stages = or_gap(stages, 3, "stages", &mut gaps);
    let by_id: HashMap<&str, &sdk::Authorizer> = authorizers
        .iter()
        .filter_map(|a| Some((a.authorizer_id()?, a)))
        .collect();
    let integrations: HashMap<&str, &sdk::Integration> = integrations
        .iter()
        .filter_map(|i| Some((i.integration_id()?, i)))
        .collect();
    let mut resources: BTreeMap<String, Resource> = BTreeMap::new();
    for route in &routes {
        let Some(key) = route.route_key() else {
            continue;
        };
        let (verb, path) = match key.split_once(' ') {
            Some((verb, path)) => (verb.to_ascii_uppercase(), path.to_string()),
            None => ("ANY".to_string(), DEFAULT_ROUTE.to_string()),
        };
        let integration = route
            .target()
            .and_then(|t| t.strip_prefix("integrations/"))
            .and_then(|iid| integrations.get(iid))
            .and_then(|i| map_integration(i));
        let method = Method {
            http_method: verb,
            id: route.route_id().map(str::to_string),
            authorization: authorization(route.authorization_type().map(|a| a.as_str())),
            authorizer: route.authorizer_id().map(|aid| {
                by_id
                    .get(aid)
                    .and_then(|a| a.name())
                    .unwrap_or(aid)
                    .to_string()
            }),
            authorization_scopes: route.authorization_scopes().to_vec(),
            api_key_required: route.api_key_required().unwrap_or(false),
            responses: Vec::new(),
            integration,
            extra: Default::default(),
        };
        resources
            .entry(path.clone())
            .or_insert_with(|| Resource {
                path,
                ..Resource::default()
            })
            .methods
            .push(method);
    }
    for r in resources.values_mut() {
        r.methods.sort_by(|a, b| a.http_method.cmp(&b.http_method));
    }
    let mut stages: Vec<Stage> = stages.iter().map(map_stage).collect();
    stages.sort_by(|a, b| a.name.cmp(&b.name));
    let out = Api {
        kind: ApiKind::Http,
        format: SpecFormat::OpenApi3("3.0.1".to_string()),
        id: Some(api.api_id().unwrap_or(id).to_string()),
        name: api.name().unwrap_or_default().to_string(),
        version: api.version().map(str::to_string),
        description: api.description().map(str::to_string),
        resources: resources.into_values().collect(),
        authorizers: authorizers.iter().map(map_authorizer).collect(),
        cors: api.cors_configuration().map(map_cors),
        stages,
        ..Api::default()
    };
    Ok((out, gaps))
}

/// Follows `next_token` pages of one list call.
macro_rules! paginate {
    ($clients:expr, $lookup:expr, $call:expr) => {{
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = $call
                .max_results(PAGE)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| classify(&e, &$lookup, &$clients.region))?;
            items.extend(out.items().iter().cloned());
            match out.next_token() {
                Some(t) if !t.is_empty() && token.as_deref() != Some(t) => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
        Ok(items)
    }};
}

async fn get_routes(clients: &Clients, id: &str) -> Result<Vec<sdk::Route>, LookupError> {
    let lookup = Lookup::new("get_routes", "routes", format!("/apis/{id}/routes"));
    paginate!(clients, lookup, clients.v2.get_routes().api_id(id))
}

async fn get_integrations(
    clients: &Clients,
    id: &str,
) -> Result<Vec<sdk::Integration>, LookupError> {
    let lookup = Lookup::new(
        "get_integrations",
        "integrations",
        format!("/apis/{id}/integrations"),
    );
    paginate!(clients, lookup, clients.v2.get_integrations().api_id(id))
}

async fn get_authorizers(clients: &Clients, id: &str) -> Result<Vec<sdk::Authorizer>, LookupError> {
    let lookup = Lookup::new(
        "get_authorizers",
        "authorizers",
        format!("/apis/{id}/authorizers"),
    );
    paginate!(clients, lookup, clients.v2.get_authorizers().api_id(id))
}

async fn get_stages(clients: &Clients, id: &str) -> Result<Vec<sdk::Stage>, LookupError> {
    let lookup = Lookup::new("get_stages", "stages", format!("/apis/{id}/stages"));
    paginate!(clients, lookup, clients.v2.get_stages().api_id(id))
}

fn authorization(s: Option<&str>) -> AuthorizationType {
    match s.unwrap_or("NONE") {
        "AWS_IAM" => AuthorizationType::AwsIam,
        "CUSTOM" => AuthorizationType::Custom,
        "JWT" => AuthorizationType::Jwt,
        _ => AuthorizationType::None,
    }
}

fn map_integration(i: &sdk::Integration) -> Option<Integration> {
    let kind = IntegrationType::parse(i.integration_type()?.as_str())?;
    let mut out = Integration::new(kind);
    out.id = i.integration_id().map(str::to_string);
    out.http_method = i.integration_method().map(str::to_string);
    out.uri = i.integration_uri().map(str::to_string);
    out.payload_format_version = i.payload_format_version().map(str::to_string);
    if let Some(p) = i.request_parameters() {
        out.request_parameters = p.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    }
    Some(out)
}

fn map_authorizer(a: &sdk::Authorizer) -> Authorizer {
    let kind = match a.authorizer_type().map(|t| t.as_str()) {
        Some("REQUEST") => AuthorizerKind::Request,
        _ => AuthorizerKind::Jwt,
    };
    let identity = a.identity_source();
    Authorizer {
        name: a
            .name()
            .or(a.authorizer_id())
            .unwrap_or_default()
            .to_string(),
        id: a.authorizer_id().map(str::to_string),
        kind,
        identity_source: (!identity.is_empty()).then(|| identity.join(",")),
        authorizer_uri: a.authorizer_uri().map(str::to_string),
        provider_arns: Vec::new(),
        jwt: a.jwt_configuration().map(|j| JwtConfiguration {
            issuer: j.issuer().map(str::to_string),
            audience: j.audience().to_vec(),
        }),
        result_ttl_seconds: a.authorizer_result_ttl_in_seconds().map(i64::from),
        identity_validation_expression: a.identity_validation_expression().map(str::to_string),
        extra: Map::new(),
        scheme: Map::new(),
    }
}

fn map_cors(c: &sdk::Cors) -> CorsConfiguration {
    CorsConfiguration {
        allow_origins: c.allow_origins().to_vec(),
        allow_methods: c.allow_methods().to_vec(),
        allow_headers: c.allow_headers().to_vec(),
        expose_headers: c.expose_headers().to_vec(),
        max_age: c.max_age().map(i64::from),
        allow_credentials: c.allow_credentials(),
    }
}

fn map_stage(s: &sdk::Stage) -> Stage {
    let mut throttling = Vec::new();
    if let Some(d) = s.default_route_settings() {
        if let (Some(rate), Some(burst)) = (d.throttling_rate_limit(), d.throttling_burst_limit()) {
            throttling.push(ThrottleSetting {
                path: "*".to_string(),
                method: "*".to_string(),
                rate_limit: rate,
                burst_limit: i64::from(burst),
            });
        }
    }
    if let Some(routes) = s.route_settings() {
        let mut keys: Vec<&String> = routes.keys().collect();
        keys.sort();
        for key in keys {
            let Some(r) = routes.get(key) else { continue };
            let (Some(rate), Some(burst)) = (r.throttling_rate_limit(), r.throttling_burst_limit())
            else {
                continue;
            };
            let (method, path) = key
                .split_once(' ')
                .map(|(m, p)| (m.to_string(), p.to_string()))
                .unwrap_or_else(|| ("*".to_string(), DEFAULT_ROUTE.to_string()));
            throttling.push(ThrottleSetting {
                path,
                method,
                rate_limit: rate,
                burst_limit: i64::from(burst),
            });
        }
    }
    Stage {
        name: s.stage_name().unwrap_or_default().to_string(),
        deployment_id: s.deployment_id().map(str::to_string),
        auto_deploy: s.auto_deploy().unwrap_or(false),
        variables: s
            .stage_variables()
            .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        throttling,
        web_acl_arn: None,
    }
}

/// The HTTP APIs of the Region (`get_apis`, 500 a page); WebSocket APIs are left out.
pub async fn list(clients: &Clients) -> Result<Vec<sdk::Api>, LookupError> {
    let lookup = Lookup::new("get_apis", "HTTP APIs", "/apis");
    let all: Result<Vec<sdk::Api>, LookupError> = paginate!(clients, lookup, clients.v2.get_apis());
    Ok(all?
        .into_iter()
        .filter(|a| {
            a.protocol_type()
                .is_none_or(|p| *p == sdk::ProtocolType::Http)
        })
        .collect())
}

/// A listing item as `get_api`'s answer (the listing carries the whole API object, its
/// cors_configuration included, so no `get_api` call is needed).
pub fn as_output(a: &sdk::Api) -> GetApiOutput {
    GetApiOutput::builder()
        .set_api_id(a.api_id().map(str::to_string))
        .set_name(a.name().map(str::to_string))
        .set_version(a.version().map(str::to_string))
        .set_description(a.description().map(str::to_string))
        .set_cors_configuration(a.cors_configuration().cloned())
        .set_protocol_type(a.protocol_type().cloned())
        .set_api_endpoint(a.api_endpoint().map(str::to_string))
        .build()
}
