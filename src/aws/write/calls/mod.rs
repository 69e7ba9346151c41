//! The control-plane calls a fix makes (and its undo file replays), one value each: what is
//! shown in the dry run (as the equivalent `aws` command), the IAM action it needs on which
//! ARN, and the SDK call that makes it.
//!
//! IAM: API Gateway's control plane is authorized per HTTP verb on the resource's ARN
//! (`apigateway:GET|POST|PUT|PATCH|DELETE` on `arn:aws:apigateway:REGION::/restapis/…`):
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html>.

use std::collections::BTreeMap;

use aws_sdk_apigateway::types::{Op, PatchOperation};
use serde::{Deserialize, Serialize};

// Every printed command quotes its words with the one bash quoting of the remedies.
use crate::diagnose::remedy::quote as q;
use crate::gateway::model::CorsConfiguration;

mod send;

/// One JSON Patch operation of an `update-*` call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patch {
    /// `add`, `replace` or `remove`.
    pub op: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Patch {
    pub fn add(path: impl Into<String>, value: impl Into<String>) -> Patch {
        Patch {
            op: "add".into(),
            path: path.into(),
            value: Some(value.into()),
        }
    }
    pub fn replace(path: impl Into<String>, value: impl Into<String>) -> Patch {
        Patch {
            op: "replace".into(),
            path: path.into(),
            value: Some(value.into()),
        }
    }
    pub fn remove(path: impl Into<String>) -> Patch {
        Patch {
            op: "remove".into(),
            path: path.into(),
            value: None,
        }
    }

    fn sdk(&self) -> PatchOperation {
        let op = match self.op.as_str() {
            "add" => Op::Add,
            "remove" => Op::Remove,
            _ => Op::Replace,
        };
        PatchOperation::builder()
            .op(op)
            .path(&self.path)
            .set_value(self.value.clone())
            .build()
    }
}

/// The JSON Pointer escape of one path segment (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A REST method: the resource (its id and path, for messages) and the verb.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodAt {
    pub resource_id: String,
    pub path: String,
    pub http_method: String,
}

/// One control-plane call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Call {
    /// REST `put-method` with no authorization and no API key (a new OPTIONS method).
    PutMethod {
        at: MethodAt,
    },
    UpdateMethod {
        at: MethodAt,
        patches: Vec<Patch>,
    },
    DeleteMethod {
        at: MethodAt,
    },
    PutMethodResponse {
        at: MethodAt,
        status: String,
        parameters: BTreeMap<String, bool>,
    },
    UpdateMethodResponse {
        at: MethodAt,
        status: String,
        patches: Vec<Patch>,
    },
    DeleteMethodResponse {
        at: MethodAt,
        status: String,
    },
    /// A MOCK integration answering `{"statusCode": status}`.
    PutMockIntegration {
        at: MethodAt,
        status: String,
    },
    DeleteIntegration {
        at: MethodAt,
    },
    PutIntegrationResponse {
        at: MethodAt,
        status: String,
        parameters: BTreeMap<String, String>,
    },
    UpdateIntegrationResponse {
        at: MethodAt,
        status: String,
        patches: Vec<Patch>,
    },
    DeleteIntegrationResponse {
        at: MethodAt,
        status: String,
    },
    PutGatewayResponse {
        response_type: String,
        parameters: BTreeMap<String, String>,
    },
    UpdateGatewayResponse {
        response_type: String,
        patches: Vec<Patch>,
    },
    /// Resets a gateway response type to API Gateway's default.
    DeleteGatewayResponse {
        response_type: String,
    },
    /// REST `create-deployment` to a stage.
    CreateDeployment {
        stage: String,
    },
    /// REST: points a stage back at a deployment (the undo of a deployment).
    RestoreStageDeployment {
        stage: String,
        deployment_id: String,
    },
    /// HTTP `update-api --cors-configuration` (the whole configuration).
    UpdateApiCors {
        cors: CorsConfiguration,
    },
    /// HTTP `delete-cors-configuration`.
    DeleteCorsConfiguration,
    /// HTTP `update-route`: its authorization.
    UpdateRouteAuthorization {
        route_id: String,
        route_key: String,
        authorization_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        authorizer_id: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        scopes: Vec<String>,
    },
    /// HTTP `create-route` without authorization.
    CreateRoute {
        route_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
    /// HTTP `delete-route` of the route with this key (looked up when the call runs: its id
    /// is only known once it was created).
    DeleteRouteByKey {
        route_key: String,
    },
    /// HTTP `create-deployment` to a stage that does not deploy by itself.
    CreateHttpDeployment {
        stage: String,
    },
}

/// Why a call failed, in words, and whether it was for lack of permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    pub message: String,
    pub denied: bool,
    pub not_found: bool,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn patches_json(patches: &[Patch]) -> String {
    serde_json::to_string(patches).unwrap_or_default()
}

impl Call {
    /// The equivalent `aws` command (one line), for the dry run and the progress list.
    pub fn command(&self, api_id: &str, region: &str) -> String {
        let v1 = |op: &str| {
            format!(
                "aws apigateway {op} --region {} --rest-api-id {}",
                q(region),
                q(api_id)
            )
        };
        let v2 = |op: &str| {
            format!(
                "aws apigatewayv2 {op} --region {} --api-id {}",
                q(region),
                q(api_id)
            )
        };
        let m = |at: &MethodAt| {
            format!(
                " --resource-id {} --http-method {}",
                q(&at.resource_id),
                q(&at.http_method)
            )
        };
        match self {
            Call::PutMethod { at } => format!(
                "{}{} --authorization-type NONE --no-api-key-required",
                v1("put-method"),
                m(at)
            ),
            Call::UpdateMethod { at, patches } => format!(
                "{}{} --patch-operations {}",
                v1("update-method"),
                m(at),
                q(&patches_json(patches))
            ),
            Call::DeleteMethod { at } => format!("{}{}", v1("delete-method"), m(at)),
            Call::PutMethodResponse {
                at,
                status,
                parameters,
            } => format!(
                "{}{} --status-code {} --response-parameters {}",
                v1("put-method-response"),
                m(at),
                q(status),
                q(&serde_json::to_string(parameters).unwrap_or_default())
            ),
            Call::UpdateMethodResponse { at, status, patches } => format!(
                "{}{} --status-code {} --patch-operations {}",
                v1("update-method-response"),
                m(at),
                q(status),
                q(&patches_json(patches))
            ),
            Call::DeleteMethodResponse { at, status } => format!(
                "{}{} --status-code {}",
                v1("delete-method-response"),
                m(at),
                q(status)
            ),
            Call::PutMockIntegration { at, status } => format!(
                "{}{} --type MOCK --request-templates {}",
                v1("put-integration"),
                m(at),
                q(&serde_json::json!({"application/json": mock_template(status)}).to_string())
            ),
            Call::DeleteIntegration { at } => format!("{}{}", v1("delete-integration"), m(at)),
            Call::PutIntegrationResponse {
                at,
                status,
                parameters,
            } => format!(
                "{}{} --status-code {} --response-parameters {}",
                v1("put-integration-response"),
                m(at),
                q(status),
                q(&serde_json::to_string(parameters).unwrap_or_default())
            ),
            Call::UpdateIntegrationResponse { at, status, patches } => format!(
                "{}{} --status-code {} --patch-operations {}",
                v1("update-integration-response"),
                m(at),
                q(status),
                q(&patches_json(patches))
            ),
            Call::DeleteIntegrationResponse { at, status } => format!(
                "{}{} --status-code {}",
                v1("delete-integration-response"),
                m(at),
                q(status)
            ),
            Call::PutGatewayResponse {
                response_type,
                parameters,
            } => format!(
                "{} --response-type {} --response-parameters {}",
                v1("put-gateway-response"),
                q(response_type),
                q(&serde_json::to_string(parameters).unwrap_or_default())
            ),
            Call::UpdateGatewayResponse {
                response_type,
                patches,
            } => format!(
                "{} --response-type {} --patch-operations {}",
                v1("update-gateway-response"),
                q(response_type),
                q(&patches_json(patches))
            ),
            Call::DeleteGatewayResponse { response_type } => format!(
                "{} --response-type {}",
                v1("delete-gateway-response"),
                q(response_type)
            ),
            Call::CreateDeployment { stage } => format!(
                "{} --stage-name {} --description {}",
                v1("create-deployment"),
                q(stage),
                q(DEPLOY_DESCRIPTION)
            ),
            Call::RestoreStageDeployment {
                stage,
                deployment_id,
            } => format!(
                "{} --stage-name {} --patch-operations {}",
                v1("update-stage"),
                q(stage),
                q(&patches_json(&[Patch::replace("/deploymentId", deployment_id)]))
            ),
            Call::UpdateApiCors { cors } => format!(
                "{} --cors-configuration {}",
                v2("update-api"),
                q(&cors_json(cors))
            ),
            Call::DeleteCorsConfiguration => v2("delete-cors-configuration"),
            Call::UpdateRouteAuthorization {
                route_id,
                authorization_type,
                authorizer_id,
                scopes,
                ..
            } => {
                let mut s = format!(
                    "{} --route-id {} --authorization-type {}",
                    v2("update-route"),
                    q(route_id),
                    q(authorization_type)
                );
                if let Some(a) = authorizer_id {
                    s.push_str(&format!(" --authorizer-id {}", q(a)));
                }
                if !scopes.is_empty() {
                    let words: Vec<String> = scopes.iter().map(|s| q(s)).collect();
                    s.push_str(&format!(" --authorization-scopes {}", words.join(" ")));
                }
                s
            }
            Call::CreateRoute { route_key, target } => {
                let mut s = format!(
                    "{} --route-key {} --authorization-type NONE",
                    v2("create-route"),
                    q(route_key)
                );
                if let Some(t) = target {
                    s.push_str(&format!(" --target {}", q(t)));
                }
                s
            }
            Call::DeleteRouteByKey { route_key } => format!(
                "{} --route-id \"$(aws apigatewayv2 get-routes --region {} --api-id {} --query {} --output text)\"",
                v2("delete-route"),
                q(region),
                q(api_id),
                q(&format!("Items[?RouteKey=='{route_key}'].RouteId | [0]"))
            ),
            Call::CreateHttpDeployment { stage } => format!(
                "{} --stage-name {} --description {}",
                v2("create-deployment"),
                q(stage),
                q(DEPLOY_DESCRIPTION)
            ),
        }
    }

    /// The call in a few words, for narrow screens (`put-method OPTIONS /orders: no
    /// authorization, no API key`).
    pub fn summary(&self) -> String {
        let m = |at: &MethodAt| format!("{} {}", at.http_method, at.path);
        let patches = |ps: &[Patch]| {
            ps.iter()
                .map(|p| {
                    let path = p
                        .path
                        .trim_start_matches("/responseParameters/")
                        .trim_start_matches("method.response.header.")
                        .trim_start_matches("gatewayresponse.header.")
                        .trim_start_matches('/');
                    match &p.value {
                        Some(v) => format!("{} {path} = {v}", p.op),
                        None => format!("{} {path}", p.op),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let params = |ps: &BTreeMap<String, String>| {
            ps.iter()
                .map(|(k, v)| {
                    let k = k
                        .trim_start_matches("method.response.header.")
                        .trim_start_matches("gatewayresponse.header.");
                    format!("{k} = {v}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Call::PutMethod { at } => format!("put-method {}: no authorization, no API key", m(at)),
            Call::UpdateMethod { at, patches: ps } => {
                format!("update-method {}: {}", m(at), patches(ps))
            }
            Call::DeleteMethod { at } => format!("delete-method {}", m(at)),
            Call::PutMethodResponse {
                at,
                status,
                parameters,
            } => format!(
                "put-method-response {} {status}: declare {}",
                m(at),
                parameters
                    .keys()
                    .map(|k| k.trim_start_matches("method.response.header."))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Call::UpdateMethodResponse {
                at,
                status,
                patches: ps,
            } => {
                format!("update-method-response {} {status}: {}", m(at), patches(ps))
            }
            Call::DeleteMethodResponse { at, status } => {
                format!("delete-method-response {} {status}", m(at))
            }
            Call::PutMockIntegration { at, status } => {
                format!("put-integration {}: MOCK answering {status}", m(at))
            }
            Call::DeleteIntegration { at } => format!("delete-integration {}", m(at)),
            Call::PutIntegrationResponse {
                at,
                status,
                parameters,
            } => format!(
                "put-integration-response {} {status}: {}",
                m(at),
                params(parameters)
            ),
            Call::UpdateIntegrationResponse {
                at,
                status,
                patches: ps,
            } => format!(
                "update-integration-response {} {status}: {}",
                m(at),
                patches(ps)
            ),
            Call::DeleteIntegrationResponse { at, status } => {
                format!("delete-integration-response {} {status}", m(at))
            }
            Call::PutGatewayResponse {
                response_type,
                parameters,
            } => {
                format!(
                    "put-gateway-response {response_type}: {}",
                    params(parameters)
                )
            }
            Call::UpdateGatewayResponse {
                response_type,
                patches: ps,
            } => {
                format!("update-gateway-response {response_type}: {}", patches(ps))
            }
            Call::DeleteGatewayResponse { response_type } => {
                format!("delete-gateway-response {response_type} (back to the default)")
            }
            Call::CreateDeployment { stage } => format!("create-deployment to stage {stage}"),
            Call::RestoreStageDeployment {
                stage,
                deployment_id,
            } => {
                format!("update-stage {stage}: back to deployment {deployment_id}")
            }
            Call::UpdateApiCors { cors } => format!(
                "update-api cors_configuration: origins {}, methods {}, headers {}",
                cors.allow_origins.join(","),
                cors.allow_methods.join(","),
                cors.allow_headers.join(",")
            ),
            Call::DeleteCorsConfiguration => "delete-cors-configuration".to_string(),
            Call::UpdateRouteAuthorization {
                route_key,
                authorization_type,
                ..
            } => {
                format!("update-route {route_key}: authorization {authorization_type}")
            }
            Call::CreateRoute { route_key, target } => format!(
                "create-route {route_key}: no authorization{}",
                target
                    .as_deref()
                    .map(|t| format!(", to {t}"))
                    .unwrap_or_default()
            ),
            Call::DeleteRouteByKey { route_key } => format!("delete-route {route_key}"),
            Call::CreateHttpDeployment { stage } => format!("create-deployment to stage {stage}"),
        }
    }

    /// The IAM action and the resource ARN this call needs.
    pub fn permission(&self, api_id: &str, region: &str) -> (String, String) {
        let rest = format!("/restapis/{api_id}");
        let method = |at: &MethodAt| {
            format!(
                "{rest}/resources/{}/methods/{}",
                at.resource_id, at.http_method
            )
        };
        let (verb, path) = match self {
            Call::PutMethod { at } => ("PUT", method(at)),
            Call::UpdateMethod { at, .. } => ("PATCH", method(at)),
            Call::DeleteMethod { at } => ("DELETE", method(at)),
            Call::PutMethodResponse { at, status, .. } => {
                ("PUT", format!("{}/responses/{status}", method(at)))
            }
            Call::UpdateMethodResponse { at, status, .. } => {
                ("PATCH", format!("{}/responses/{status}", method(at)))
            }
            Call::DeleteMethodResponse { at, status } => {
                ("DELETE", format!("{}/responses/{status}", method(at)))
            }
            Call::PutMockIntegration { at, .. } => ("PUT", format!("{}/integration", method(at))),
            Call::DeleteIntegration { at } => ("DELETE", format!("{}/integration", method(at))),
            Call::PutIntegrationResponse { at, status, .. } => (
                "PUT",
                format!("{}/integration/responses/{status}", method(at)),
            ),
            Call::UpdateIntegrationResponse { at, status, .. } => (
                "PATCH",
                format!("{}/integration/responses/{status}", method(at)),
            ),
            Call::DeleteIntegrationResponse { at, status } => (
                "DELETE",
                format!("{}/integration/responses/{status}", method(at)),
            ),
            Call::PutGatewayResponse { response_type, .. } => {
                ("PUT", format!("{rest}/gatewayresponses/{response_type}"))
            }
            Call::UpdateGatewayResponse { response_type, .. } => {
                ("PATCH", format!("{rest}/gatewayresponses/{response_type}"))
            }
            Call::DeleteGatewayResponse { response_type } => {
                ("DELETE", format!("{rest}/gatewayresponses/{response_type}"))
            }
            Call::CreateDeployment { .. } => ("POST", format!("{rest}/deployments")),
            Call::RestoreStageDeployment { stage, .. } => {
                ("PATCH", format!("{rest}/stages/{stage}"))
            }
            Call::UpdateApiCors { .. } => ("PATCH", format!("/apis/{api_id}")),
            Call::DeleteCorsConfiguration => ("DELETE", format!("/apis/{api_id}/cors")),
            Call::UpdateRouteAuthorization { route_id, .. } => {
                ("PATCH", format!("/apis/{api_id}/routes/{route_id}"))
            }
            Call::CreateRoute { .. } => ("POST", format!("/apis/{api_id}/routes")),
            Call::DeleteRouteByKey { .. } => ("DELETE", format!("/apis/{api_id}/routes/*")),
            Call::CreateHttpDeployment { .. } => ("POST", format!("/apis/{api_id}/deployments")),
        };
        (
            format!("apigateway:{verb}"),
            format!("arn:aws:apigateway:{region}::{path}"),
        )
    }

    /// True for the calls that deploy (they run after every other change, and their undo
    /// after every other restore).
    pub fn deploys(&self) -> bool {
        matches!(
            self,
            Call::CreateDeployment { .. }
                | Call::RestoreStageDeployment { .. }
                | Call::CreateHttpDeployment { .. }
        )
    }

    /// True for a delete: its undo replay tolerates "not found" (already gone, or never
    /// made because the apply stopped before it).
    pub fn deletes(&self) -> bool {
        matches!(
            self,
            Call::DeleteMethod { .. }
                | Call::DeleteMethodResponse { .. }
                | Call::DeleteIntegration { .. }
                | Call::DeleteIntegrationResponse { .. }
                | Call::DeleteGatewayResponse { .. }
                | Call::DeleteCorsConfiguration
                | Call::DeleteRouteByKey { .. }
        )
    }
}

/// The description of the deployments `fix` creates (so the stage's history says who).
pub const DEPLOY_DESCRIPTION: &str = "cors-doctor fix";

fn mock_template(status: &str) -> String {
    let code: u16 = status.parse().unwrap_or(200);
    format!("{{\"statusCode\": {code}}}")
}

pub fn cors_json(c: &CorsConfiguration) -> String {
    let mut m = serde_json::Map::new();
    m.insert("AllowOrigins".into(), serde_json::json!(c.allow_origins));
    m.insert("AllowMethods".into(), serde_json::json!(c.allow_methods));
    m.insert("AllowHeaders".into(), serde_json::json!(c.allow_headers));
    m.insert("ExposeHeaders".into(), serde_json::json!(c.expose_headers));
    if let Some(a) = c.max_age {
        m.insert("MaxAge".into(), serde_json::json!(a));
    }
    if let Some(b) = c.allow_credentials {
        m.insert("AllowCredentials".into(), serde_json::json!(b));
    }
    serde_json::Value::Object(m).to_string()
}
