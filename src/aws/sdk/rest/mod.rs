//! REST API (v1) lookups, mapped into [`gateway::Api`](crate::gateway::Api).
//!
//! Six calls at most for an API of up to 500 resources:
//! 1. `get_rest_api` (also tells a REST API from an HTTP API),
//! 2. `get_resources` with `embed=methods`, `limit=500` (methods, integrations, integration
//!    responses; one more call per further 500 resources),
//! 3. `get_stage`, then 4. `get_deployment` with `embed=apisummary` (which methods, with which
//!    authorization, the stage serves),
//! 5. `get_authorizers`, 6. `get_gateway_responses`;
//!
//! 2, 3→4, 5 and 6 run concurrently.

use std::collections::HashMap;

use aws_sdk_apigateway::operation::get_rest_api::GetRestApiOutput;
use aws_sdk_apigateway::types as sdk;
use serde_json::Value;

use super::errors::{classify, Lookup, LookupError};
use super::{gap, or_gap, Clients};
use crate::evidence::ConfigGap;
use crate::gateway::front::private::{self, PrivateApi};
use crate::gateway::model::{Api, ApiKind, Deployment, SpecFormat, Stage};

mod map;

use map::*;

/// Page size of the paginated lookups (API Gateway's maximum).
pub const PAGE: i32 = 500;

pub async fn get_rest_api(clients: &Clients, id: &str) -> Result<GetRestApiOutput, LookupError> {
    let lookup = Lookup::new("get_rest_api", "REST API", format!("/restapis/{id}"));
    clients
        .v1
        .get_rest_api()
        .rest_api_id(id)
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &clients.region))
}

/// Reads the API (`rest` is `get_rest_api`'s answer, when resolution already made the call).
pub async fn load(
    clients: &Clients,
    id: &str,
    stage: Option<&str>,
    rest: Option<GetRestApiOutput>,
) -> Result<(Api, Vec<ConfigGap>), LookupError> {
    let rest = match rest {
        Some(r) => r,
        None => get_rest_api(clients, id).await?,
    };
    let (resources, stage_and_deployment, authorizers, gateway_responses) = tokio::join!(
        get_resources(clients, id),
        get_stage_and_deployment(clients, id, stage),
        get_authorizers(clients, id),
        get_gateway_responses(clients, id),
    );
    let resources = resources?;
    let mut gaps = Vec::new();
    let authorizers = or_gap(authorizers, 4, "authorizers", &mut gaps);
    let gateway_responses = or_gap(gateway_responses, 6, "gateway responses", &mut gaps);
    let by_id: HashMap<&str, &sdk::Authorizer> = authorizers
        .iter()
        .filter_map(|a| Some((a.id()?, a)))
        .collect();
    let mut api = Api {
        kind: ApiKind::Rest,
        format: SpecFormat::OpenApi3("3.0.1".to_string()),
        id: Some(rest.id().unwrap_or(id).to_string()),
        name: rest.name().unwrap_or_default().to_string(),
        version: rest.version().map(str::to_string),
        description: rest.description().map(str::to_string),
        api_key_source: rest.api_key_source().map(|s| s.as_str().to_string()),
        resources: map_resources(&resources, &by_id),
        authorizers: authorizers.iter().map(map_authorizer).collect(),
        gateway_responses: gateway_responses
            .iter()
            .filter(|g| !g.default_response())
            .map(map_gateway_response)
            .collect(),
        ..Api::default()
    };
    match stage_and_deployment {
        Ok(Some((stage, deployment))) => {
            let s = map_stage(&stage);
            if let Some(d) = deployment {
                let snapshot = d
                    .api_summary()
                    .map(|summary| snapshot_from_summary(&api, summary))
                    .filter(|snap| *snap != api.snapshot());
                if d.api_summary().is_none() {
                    tracing::warn!("get_deployment returned no apiSummary: assuming the stage serves the working copy");
                }
                api.deployments.push(Deployment {
                    id: d.id().unwrap_or_default().to_string(),
                    description: d.description().map(str::to_string),
                    snapshot,
                    redeployed_on_change: None,
                });
            }
            api.stages.push(s);
        }
        Ok(None) => {}
        Err(e) => gaps.push(gap(3, "stage and its deployment", &e)),
    }
    Ok((api, gaps))
}

/// The API's resource policy and private endpoint as the diagnosis models them (`None`: a
/// public API without a policy), from `GetRestApi`'s answer: no call of its own. `policy` is
/// "A stringified JSON policy document that applies to this RestApi regardless of the caller
/// and Method configuration"; `endpointConfiguration.types` says PRIVATE for a private API
/// (<https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApi.html>). API Gateway
/// returns the document with its quotes escaped once more (`{\"Version\":…}`); both forms
/// are read. `Err`: the policy is there but is not JSON (why, for a configuration gap).
pub fn private_api(
    rest: &GetRestApiOutput,
    id: &str,
    region: &str,
) -> Result<Option<PrivateApi>, String> {
    private_api_of(rest.policy(), rest.endpoint_configuration(), id, region)
}

/// [`private_api`] from the policy and endpoint configuration that `GetRestApi` and each
/// item of `GetRestApis` carry.
pub fn private_api_of(
    policy: Option<&str>,
    endpoint: Option<&sdk::EndpointConfiguration>,
    id: &str,
    region: &str,
) -> Result<Option<PrivateApi>, String> {
    let private_endpoint =
        endpoint.is_some_and(|c| c.types().contains(&sdk::EndpointType::Private));
    let policy = match policy.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(text) => Some(
            private::policy_document(&Value::String(text.to_string())).ok_or_else(|| {
                format!(
                    "the resource policy of API {id} (GetRestApi policy) is not a JSON document: {}",
                    crate::text::shorten(text, 80)
                )
            })?,
        ),
    };
    Ok(PrivateApi::configured(
        Some(id),
        Some(region),
        private_endpoint,
        policy,
    ))
}

async fn get_resources(clients: &Clients, id: &str) -> Result<Vec<sdk::Resource>, LookupError> {
    let lookup = Lookup::new(
        "get_resources",
        "resources and methods",
        format!("/restapis/{id}/resources"),
    );
    let mut items = Vec::new();
    let mut position: Option<String> = None;
    loop {
        let out = clients
            .v1
            .get_resources()
            .rest_api_id(id)
            .embed("methods")
            .limit(PAGE)
            .set_position(position.clone())
            .send()
            .await
            .map_err(|e| classify(&e, &lookup, &clients.region))?;
        let page = out.items().len();
        items.extend(out.items().iter().cloned());
        match out.position() {
            Some(p) if !p.is_empty() && page > 0 && position.as_deref() != Some(p) => {
                position = Some(p.to_string());
            }
            _ => break,
        }
    }
    Ok(items)
}

/// The names of the API's stages (asked only when a named stage does not exist).
pub async fn stage_names(clients: &Clients, id: &str) -> Result<Vec<String>, LookupError> {
    let lookup = Lookup::new("get_stages", "stages", format!("/restapis/{id}/stages"));
    let out = clients
        .v1
        .get_stages()
        .rest_api_id(id)
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &clients.region))?;
    Ok(out
        .item()
        .iter()
        .filter_map(|s| s.stage_name().map(str::to_string))
        .collect())
}

/// The stage (if one is named and exists) and the deployment it serves.
async fn get_stage_and_deployment(
    clients: &Clients,
    id: &str,
    stage: Option<&str>,
) -> Result<Option<(sdk::Stage, Option<DeploymentOut>)>, LookupError> {
    let Some(name) = stage else { return Ok(None) };
    let lookup = Lookup::new(
        "get_stage",
        "stage",
        format!("/restapis/{id}/stages/{name}"),
    );
    let stage = match clients
        .v1
        .get_stage()
        .rest_api_id(id)
        .stage_name(name)
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &clients.region))
    {
        Ok(out) => sdk::Stage::builder()
            .set_deployment_id(out.deployment_id().map(str::to_string))
            .set_stage_name(out.stage_name().map(str::to_string))
            .set_description(out.description().map(str::to_string))
            .set_method_settings(out.method_settings().cloned())
            .set_variables(out.variables().cloned())
            .set_web_acl_arn(out.web_acl_arn().map(str::to_string))
            .build(),
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(deployment_id) = stage.deployment_id().map(str::to_string) else {
        return Ok(Some((stage, None)));
    };
    let lookup = Lookup::new(
        "get_deployment",
        "deployment the stage serves",
        format!("/restapis/{id}/deployments/{deployment_id}"),
    );
    let d = clients
        .v1
        .get_deployment()
        .rest_api_id(id)
        .deployment_id(&deployment_id)
        .embed("apisummary")
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &clients.region))?;
    Ok(Some((
        stage,
        Some(DeploymentOut {
            id: d.id().map(str::to_string),
            description: d.description().map(str::to_string),
            api_summary: d.api_summary().cloned(),
        }),
    )))
}

pub(super) type ApiSummary = HashMap<String, HashMap<String, sdk::MethodSnapshot>>;

struct DeploymentOut {
    id: Option<String>,
    description: Option<String>,
    api_summary: Option<ApiSummary>,
}

impl DeploymentOut {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    fn api_summary(&self) -> Option<&ApiSummary> {
        self.api_summary.as_ref()
    }
}

async fn get_authorizers(clients: &Clients, id: &str) -> Result<Vec<sdk::Authorizer>, LookupError> {
    let lookup = Lookup::new(
        "get_authorizers",
        "authorizers",
        format!("/restapis/{id}/authorizers"),
    );
    let mut items = Vec::new();
    let mut position: Option<String> = None;
    loop {
        let out = clients
            .v1
            .get_authorizers()
            .rest_api_id(id)
            .limit(PAGE)
            .set_position(position.clone())
            .send()
            .await
            .map_err(|e| classify(&e, &lookup, &clients.region))?;
        items.extend(out.items().iter().cloned());
        match out.position() {
            Some(p)
                if !p.is_empty() && !out.items().is_empty() && position.as_deref() != Some(p) =>
            {
                position = Some(p.to_string())
            }
            _ => break,
        }
    }
    Ok(items)
}

async fn get_gateway_responses(
    clients: &Clients,
    id: &str,
) -> Result<Vec<sdk::GatewayResponse>, LookupError> {
    let lookup = Lookup::new(
        "get_gateway_responses",
        "gateway responses",
        format!("/restapis/{id}/gatewayresponses"),
    );
    // There are fewer than 30 response types: one page always holds them all.
    let out = clients
        .v1
        .get_gateway_responses()
        .rest_api_id(id)
        .limit(PAGE)
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &clients.region))?;
    Ok(out.items().to_vec())
}

/// The API's stages (`get_stages` answers all of them in one call: it is not paginated).
async fn get_stages(clients: &Clients, id: &str) -> Result<Vec<sdk::Stage>, LookupError> {
    let lookup = Lookup::new("get_stages", "stages", format!("/restapis/{id}/stages"));
    let out = clients
        .v1
        .get_stages()
        .rest_api_id(id)
        .send()
        .await
        .map_err(|e| classify(&e, &lookup, &clients.region))?;
    Ok(out.item().to_vec())
}

/// The REST APIs of the Region (`get_rest_apis`, 500 a page).
pub async fn list(clients: &Clients) -> Result<Vec<sdk::RestApi>, LookupError> {
    let lookup = Lookup::new("get_rest_apis", "REST APIs", "/restapis");
    let mut items = Vec::new();
    let mut position: Option<String> = None;
    loop {
        let out = clients
            .v1
            .get_rest_apis()
            .limit(PAGE)
            .set_position(position.clone())
            .send()
            .await
            .map_err(|e| classify(&e, &lookup, &clients.region))?;
        items.extend(out.items().iter().cloned());
        match out.position() {
            Some(p)
                if !p.is_empty() && !out.items().is_empty() && position.as_deref() != Some(p) =>
            {
                position = Some(p.to_string())
            }
            _ => break,
        }
    }
    Ok(items)
}

/// `get_rest_api`'s answer as a listing item.
pub fn listed(out: &GetRestApiOutput) -> sdk::RestApi {
    sdk::RestApi::builder()
        .set_id(out.id().map(str::to_string))
        .set_name(out.name().map(str::to_string))
        .set_version(out.version().map(str::to_string))
        .set_description(out.description().map(str::to_string))
        .set_api_key_source(out.api_key_source().cloned())
        .build()
}

/// Reads a listed API with every stage (or only `only_stage`) for an account audit: in
/// parallel `get_resources`, `get_stages`, `get_authorizers`, `get_gateway_responses`, then one
/// `get_deployment` (with its API summary) per deployment the stages serve. That is 4 calls
/// plus one per stage (deployments shared by stages are read once), plus one per further 500
/// resources. Only the resources are required; anything else that cannot be read is a gap.
pub async fn load_all(
    clients: &Clients,
    listed: &sdk::RestApi,
    only_stage: Option<&str>,
) -> Result<(Api, Vec<ConfigGap>), LookupError> {
    let id = listed.id().unwrap_or_default();
    let (resources, stages, authorizers, gateway_responses) = tokio::join!(
        get_resources(clients, id),
        get_stages(clients, id),
        get_authorizers(clients, id),
        get_gateway_responses(clients, id),
    );
    let resources = resources?;
    let mut gaps = Vec::new();
    let authorizers = or_gap(authorizers, 4, "authorizers", &mut gaps);
    let gateway_responses = or_gap(gateway_responses, 6, "gateway responses", &mut gaps);
    let mut stages = or_gap(stages, 3, "stages", &mut gaps);
    if let Some(name) = only_stage {
        stages.retain(|s| s.stage_name() == Some(name));
    }
    let by_id: HashMap<&str, &sdk::Authorizer> = authorizers
        .iter()
        .filter_map(|a| Some((a.id()?, a)))
        .collect();
    let mut api = Api {
        kind: ApiKind::Rest,
        format: SpecFormat::OpenApi3("3.0.1".to_string()),
        id: Some(id.to_string()),
        name: listed.name().unwrap_or_default().to_string(),
        version: listed.version().map(str::to_string),
        description: listed.description().map(str::to_string),
        api_key_source: listed.api_key_source().map(|s| s.as_str().to_string()),
        resources: map_resources(&resources, &by_id),
        authorizers: authorizers.iter().map(map_authorizer).collect(),
        gateway_responses: gateway_responses
            .iter()
            .filter(|g| !g.default_response())
            .map(map_gateway_response)
            .collect(),
        ..Api::default()
    };
    let mut deployment_ids: Vec<String> = stages
        .iter()
        .filter_map(|s| s.deployment_id().map(str::to_string))
        .collect();
    deployment_ids.sort();
    deployment_ids.dedup();
    let reads = deployment_ids.iter().map(|d| async move {
        let lookup = Lookup::new(
            "get_deployment",
            "deployment a stage serves",
            format!("/restapis/{id}/deployments/{d}"),
        );
        clients
            .v1
            .get_deployment()
            .rest_api_id(id)
            .deployment_id(d)
            .embed("apisummary")
            .send()
            .await
            .map_err(|e| classify(&e, &lookup, &clients.region))
    });
    let deployments = futures_util::future::join_all(reads).await;
    for (d_id, d) in deployment_ids.iter().zip(deployments) {
        match d {
            Ok(d) => {
                let snapshot = d
                    .api_summary()
                    .map(|summary| snapshot_from_summary(&api, summary))
                    .filter(|snap| *snap != api.snapshot());
                api.deployments.push(Deployment {
                    id: d.id().unwrap_or(d_id).to_string(),
                    description: d.description().map(str::to_string),
                    snapshot,
                    redeployed_on_change: None,
                });
            }
            Err(e) => gaps.push(gap(3, "deployment a stage serves", &e)),
        }
    }
    let mut mapped: Vec<Stage> = stages.iter().map(map_stage).collect();
    mapped.sort_by(|a, b| a.name.cmp(&b.name));
    api.stages = mapped;
    Ok((api, gaps))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A method's request parameters become the OpenAPI `parameters` an export carries.
    #[test]
    fn request_parameters_become_openapi_parameters() {
        let params: HashMap<String, bool> = [
            ("method.request.header.X-Tenant".to_string(), true),
            ("method.request.querystring.q".to_string(), false),
            ("method.request.path.id".to_string(), true),
            ("not.a.parameter".to_string(), true),
        ]
        .into_iter()
        .collect();
        let extra = request_parameters(Some(&params));
        let list = extra["parameters"].as_array().unwrap();
        let seen: Vec<(String, String, bool)> = list
            .iter()
            .map(|p| {
                (
                    p["in"].as_str().unwrap().to_string(),
                    p["name"].as_str().unwrap().to_string(),
                    p["required"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("header".into(), "X-Tenant".into(), true),
                ("path".into(), "id".into(), true),
                ("query".into(), "q".into(), false),
            ]
        );
        assert!(request_parameters(None).is_empty());
    }

    #[test]
    fn the_resource_policy_and_a_private_endpoint_are_read_from_get_rest_api() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:eu-west-1:111122223333:a1b2c3/*"}]}"#;
        // API Gateway escapes the document's quotes (and slashes) once more.
        let escaped = doc.replace('"', "\\\"").replace('/', "\\/");
        for policy in [doc.to_string(), escaped] {
            let rest = GetRestApiOutput::builder().policy(policy).build();
            let p = private_api(&rest, "a1b2c3", "eu-west-1")
                .expect("JSON")
                .expect("a policy");
            assert_eq!(p.account, "111122223333");
            assert_eq!(p.region, "eu-west-1");
            assert!(!p.private_endpoint && p.caller.unknown);
            assert_eq!(
                p.policy
                    .as_ref()
                    .and_then(|v| v["Statement"][0]["Effect"].as_str()),
                Some("Allow")
            );
        }
        let private = GetRestApiOutput::builder()
            .endpoint_configuration(
                sdk::EndpointConfiguration::builder()
                    .types(sdk::EndpointType::Private)
                    .build(),
            )
            .build();
        let p = private_api(&private, "a1b2c3", "eu-west-1")
            .expect("no policy")
            .expect("private");
        assert!(p.private_endpoint && p.policy.is_none());
        let public = GetRestApiOutput::builder().build();
        assert_eq!(private_api(&public, "a1b2c3", "eu-west-1"), Ok(None));
        let broken = GetRestApiOutput::builder().policy("{not json").build();
        assert!(private_api(&broken, "a1b2c3", "eu-west-1")
            .is_err_and(|e| e.contains("not a JSON document")));
    }
}
