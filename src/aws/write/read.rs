//! What a fix reads before it writes: the current value of everything it touches (for the
//! guard rails, the no-op check and the undo file). Read errors are messages naming the IAM
//! action (through [`classify`]).

use std::collections::{BTreeMap, HashMap};

use super::super::sdk::errors::{classify, Lookup, LookupError};
use super::super::sdk::Clients;
use crate::gateway::model::CorsConfiguration;

/// A REST method as it is now.
#[derive(Clone, Debug, Default)]
pub struct MethodState {
    pub authorization_type: String,
    pub authorizer_id: Option<String>,
    pub api_key_required: bool,
    pub scopes: Vec<String>,
    /// Method responses: status → declared response parameters.
    pub responses: BTreeMap<String, BTreeMap<String, bool>>,
    pub integration: Option<IntegrationState>,
}

#[derive(Clone, Debug, Default)]
pub struct IntegrationState {
    /// `MOCK`, `AWS_PROXY`, …
    pub kind: String,
    /// Integration responses: status → response parameters (mapping expressions).
    pub responses: BTreeMap<String, BTreeMap<String, String>>,
}

/// An HTTP API route as it is now.
#[derive(Clone, Debug, Default)]
pub struct RouteState {
    pub id: String,
    pub key: String,
    pub authorization_type: String,
    pub authorizer_id: Option<String>,
    pub scopes: Vec<String>,
    pub target: Option<String>,
}

fn err(e: LookupError) -> String {
    e.to_string()
}

pub async fn rest_resources(c: &Clients, api: &str) -> Result<Vec<(String, String)>, String> {
    let lookup = Lookup::new(
        "get_resources",
        "resources",
        format!("/restapis/{api}/resources"),
    );
    let mut out = Vec::new();
    let mut position: Option<String> = None;
    // Bounded: API Gateway's quota is far below 100 pages of 500 resources.
    for _ in 0..100 {
        let page =
            c.v1.get_resources()
                .rest_api_id(api)
                .limit(super::super::sdk::rest::PAGE)
                .set_position(position.clone())
                .send()
                .await
                .map_err(|e| err(classify(&e, &lookup, &c.region)))?;
        for r in page.items() {
            if let (Some(id), Some(path)) = (r.id(), r.path()) {
                out.push((id.to_string(), path.to_string()));
            }
        }
        match page.position() {
            Some(p)
                if !p.is_empty() && !page.items().is_empty() && position.as_deref() != Some(p) =>
            {
                position = Some(p.to_string())
            }
            _ => break,
        }
    }
    Ok(out)
}

pub async fn rest_method(
    c: &Clients,
    api: &str,
    resource_id: &str,
    verb: &str,
) -> Result<Option<MethodState>, String> {
    let lookup = Lookup::new(
        "get_method",
        "method",
        format!("/restapis/{api}/resources/{resource_id}/methods/{verb}"),
    );
    let out = match c
        .v1
        .get_method()
        .rest_api_id(api)
        .resource_id(resource_id)
        .http_method(verb)
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &c.region))
    {
        Ok(o) => o,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(err(e)),
    };
    let responses = out
        .method_responses()
        .map(|m| {
            m.iter()
                .map(|(status, r)| {
                    let params = r
                        .response_parameters()
                        .map(|p| p.iter().map(|(k, v)| (k.clone(), *v)).collect())
                        .unwrap_or_default();
                    (status.clone(), params)
                })
                .collect()
        })
        .unwrap_or_default();
    let integration = out.method_integration().map(|i| IntegrationState {
        kind: i
            .r#type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        responses: i
            .integration_responses()
            .map(|m| {
                m.iter()
                    .map(|(status, r)| {
                        let params = r
                            .response_parameters()
                            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                            .unwrap_or_default();
                        (status.clone(), params)
                    })
                    .collect()
            })
            .unwrap_or_default(),
    });
    Ok(Some(MethodState {
        authorization_type: out.authorization_type().unwrap_or("NONE").to_string(),
        authorizer_id: out
            .authorizer_id()
            .map(str::to_string)
            .filter(|s| !s.is_empty()),
        api_key_required: out.api_key_required().unwrap_or(false),
        scopes: out.authorization_scopes().to_vec(),
        responses,
        integration,
    }))
}

/// A gateway response's parameters when the type is customized, `None` when it is
/// API Gateway's default.
pub async fn gateway_response(
    c: &Clients,
    api: &str,
    response_type: &str,
) -> Result<Option<BTreeMap<String, String>>, String> {
    let lookup = Lookup::new(
        "get_gateway_response",
        "gateway response",
        format!("/restapis/{api}/gatewayresponses/{response_type}"),
    );
    match c
        .v1
        .get_gateway_response()
        .rest_api_id(api)
        .response_type(response_type.into())
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &c.region))
    {
        Ok(o) if o.default_response() => Ok(None),
        Ok(o) => Ok(Some(
            o.response_parameters()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        )),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(err(e)),
    }
}

/// The deployment a REST stage serves (`Err` when the stage does not exist).
pub async fn rest_stage_deployment(
    c: &Clients,
    api: &str,
    stage: &str,
) -> Result<Option<String>, String> {
    let lookup = Lookup::new(
        "get_stage",
        "stage",
        format!("/restapis/{api}/stages/{stage}"),
    );
    let out =
        c.v1.get_stage()
            .rest_api_id(api)
            .stage_name(stage)
            .send()
            .await
            .map_err(|e| err(classify(&e, &lookup, &c.region)))?;
    Ok(out.deployment_id().map(str::to_string))
}

pub async fn rest_tags(c: &Clients, api: &str) -> Result<HashMap<String, String>, String> {
    let lookup = Lookup::new("get_rest_api", "REST API", format!("/restapis/{api}"));
    let out =
        c.v1.get_rest_api()
            .rest_api_id(api)
            .send()
            .await
            .map_err(|e| err(classify(&e, &lookup, &c.region)))?;
    Ok(out.tags().cloned().unwrap_or_default())
}

/// An HTTP API's tags and cors_configuration.
pub async fn http_api(
    c: &Clients,
    api: &str,
) -> Result<(HashMap<String, String>, Option<CorsConfiguration>), String> {
    let lookup = Lookup::new("get_api", "HTTP API", format!("/apis/{api}"));
    let out =
        c.v2.get_api()
            .api_id(api)
            .send()
            .await
            .map_err(|e| err(classify(&e, &lookup, &c.region)))?;
    let cors = out.cors_configuration().map(|x| CorsConfiguration {
        allow_origins: x.allow_origins().to_vec(),
        allow_methods: x.allow_methods().to_vec(),
        allow_headers: x.allow_headers().to_vec(),
        expose_headers: x.expose_headers().to_vec(),
        max_age: x.max_age().map(i64::from),
        allow_credentials: x.allow_credentials(),
    });
    Ok((out.tags().cloned().unwrap_or_default(), cors))
}

pub async fn http_routes(c: &Clients, api: &str) -> Result<Vec<RouteState>, String> {
    let lookup = Lookup::new("get_routes", "routes", format!("/apis/{api}/routes"));
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..100 {
        let page =
            c.v2.get_routes()
                .api_id(api)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| err(classify(&e, &lookup, &c.region)))?;
        for r in page.items() {
            out.push(RouteState {
                id: r.route_id().unwrap_or_default().to_string(),
                key: r.route_key().unwrap_or_default().to_string(),
                authorization_type: r
                    .authorization_type()
                    .map_or("NONE", |a| a.as_str())
                    .to_string(),
                authorizer_id: r
                    .authorizer_id()
                    .map(str::to_string)
                    .filter(|s| !s.is_empty()),
                scopes: r.authorization_scopes().to_vec(),
                target: r.target().map(str::to_string),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() && token.as_deref() != Some(t) => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

/// Whether an HTTP API stage deploys by itself (`Err` when it does not exist).
pub async fn http_stage_auto_deploy(c: &Clients, api: &str, stage: &str) -> Result<bool, String> {
    let lookup = Lookup::new("get_stage", "stage", format!("/apis/{api}/stages/{stage}"));
    let out =
        c.v2.get_stage()
            .api_id(api)
            .stage_name(stage)
            .send()
            .await
            .map_err(|e| err(classify(&e, &lookup, &c.region)))?;
    Ok(out.auto_deploy().unwrap_or(false))
}

/// What deploying the REST API's working copy to `stage` would loosen besides the fix: each
/// non-OPTIONS method whose authorization or API key requirement the stage's deployment has
/// and the working copy does not, or that the working copy adds without authorization (a
/// change someone made and did not deploy). Compared through the deployment's `apiSummary`
/// (<https://docs.aws.amazon.com/apigateway/latest/api/API_GetDeployment.html>); nothing when
/// the stage serves no deployment or the summary is not returned.
pub async fn rest_deploy_loosening(
    c: &Clients,
    api: &str,
    stage: &str,
) -> Result<Vec<String>, String> {
    let Some(deployment) = rest_stage_deployment(c, api, stage).await? else {
        return Ok(Vec::new());
    };
    let lookup = Lookup::new(
        "get_deployment",
        "deployment the stage serves",
        format!("/restapis/{api}/deployments/{deployment}"),
    );
    let d =
        c.v1.get_deployment()
            .rest_api_id(api)
            .deployment_id(&deployment)
            .embed("apisummary")
            .send()
            .await
            .map_err(|e| err(classify(&e, &lookup, &c.region)))?;
    let Some(summary) = d.api_summary() else {
        return Ok(Vec::new());
    };
    let lookup = Lookup::new(
        "get_resources",
        "resources",
        format!("/restapis/{api}/resources"),
    );
    let mut out = Vec::new();
    let mut position: Option<String> = None;
    for _ in 0..100 {
        let page =
            c.v1.get_resources()
                .rest_api_id(api)
                .embed("methods")
                .limit(super::super::sdk::rest::PAGE)
                .set_position(position.clone())
                .send()
                .await
                .map_err(|e| err(classify(&e, &lookup, &c.region)))?;
        for r in page.items() {
            let path = r.path().unwrap_or_default();
            for (verb, m) in r.resource_methods().into_iter().flatten() {
                if verb.eq_ignore_ascii_case("OPTIONS") {
                    continue;
                }
                let auth = m.authorization_type().unwrap_or("NONE");
                let key = m.api_key_required().unwrap_or(false);
                let deployed = summary.get(path).and_then(|verbs| verbs.get(verb.as_str()));
                match deployed {
                    Some(s) => {
                        let was = s.authorization_type().unwrap_or("NONE");
                        if was != "NONE" && auth == "NONE" {
                            out.push(format!(
                                "{verb} {path} would lose its authorization ({was})"
                            ));
                        }
                        if s.api_key_required() && !key {
                            out.push(format!("{verb} {path} would stop requiring an API key"));
                        }
                    }
                    None if auth == "NONE" => out.push(format!(
                        "{verb} {path}, not deployed yet, would be deployed without authorization"
                    )),
                    None => {}
                }
            }
        }
        match page.position() {
            Some(p)
                if !p.is_empty() && !page.items().is_empty() && position.as_deref() != Some(p) =>
            {
                position = Some(p.to_string())
            }
            _ => break,
        }
    }
    out.sort();
    Ok(out)
}
