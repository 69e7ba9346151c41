//! Making a [`Call`] through the SDK, and describing what went wrong (the IAM action a
//! denial names).

use aws_sdk_apigateway::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_apigateway::types::IntegrationType;

use super::{mock_template, Call, CallError, Patch, DEPLOY_DESCRIPTION};
use crate::aws::sdk::errors::error_chain;
use crate::aws::sdk::Clients;
use crate::gateway::model::CorsConfiguration;

impl Call {
    /// Makes the call.
    pub async fn send(&self, c: &Clients, api_id: &str) -> Result<(), CallError> {
        let v1 = &c.v1;
        let v2 = &c.v2;
        let region = c.region.as_str();
        let fail = |e: &dyn Failure| e.describe(self, api_id, region);
        match self {
            Call::PutMethod { at } => v1
                .put_method()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .authorization_type("NONE")
                .api_key_required(false)
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::UpdateMethod { at, patches } => v1
                .update_method()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .set_patch_operations(Some(patches.iter().map(Patch::sdk).collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::DeleteMethod { at } => v1
                .delete_method()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::PutMethodResponse {
                at,
                status,
                parameters,
            } => v1
                .put_method_response()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .status_code(status)
                .set_response_parameters(Some(parameters.clone().into_iter().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::UpdateMethodResponse {
                at,
                status,
                patches,
            } => v1
                .update_method_response()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .status_code(status)
                .set_patch_operations(Some(patches.iter().map(Patch::sdk).collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::DeleteMethodResponse { at, status } => v1
                .delete_method_response()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .status_code(status)
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::PutMockIntegration { at, status } => v1
                .put_integration()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .r#type(IntegrationType::Mock)
                .request_templates("application/json", mock_template(status))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::DeleteIntegration { at } => v1
                .delete_integration()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::PutIntegrationResponse {
                at,
                status,
                parameters,
            } => v1
                .put_integration_response()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .status_code(status)
                .set_response_parameters(Some(parameters.clone().into_iter().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::UpdateIntegrationResponse {
                at,
                status,
                patches,
            } => v1
                .update_integration_response()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .status_code(status)
                .set_patch_operations(Some(patches.iter().map(Patch::sdk).collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::DeleteIntegrationResponse { at, status } => v1
                .delete_integration_response()
                .rest_api_id(api_id)
                .resource_id(&at.resource_id)
                .http_method(&at.http_method)
                .status_code(status)
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::PutGatewayResponse {
                response_type,
                parameters,
            } => v1
                .put_gateway_response()
                .rest_api_id(api_id)
                .response_type(response_type.as_str().into())
                .set_response_parameters(Some(parameters.clone().into_iter().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::UpdateGatewayResponse {
                response_type,
                patches,
            } => v1
                .update_gateway_response()
                .rest_api_id(api_id)
                .response_type(response_type.as_str().into())
                .set_patch_operations(Some(patches.iter().map(Patch::sdk).collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::DeleteGatewayResponse { response_type } => v1
                .delete_gateway_response()
                .rest_api_id(api_id)
                .response_type(response_type.as_str().into())
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::CreateDeployment { stage } => v1
                .create_deployment()
                .rest_api_id(api_id)
                .stage_name(stage)
                .description(DEPLOY_DESCRIPTION)
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::RestoreStageDeployment {
                stage,
                deployment_id,
            } => v1
                .update_stage()
                .rest_api_id(api_id)
                .stage_name(stage)
                .patch_operations(Patch::replace("/deploymentId", deployment_id).sdk())
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::UpdateApiCors { cors } => v2
                .update_api()
                .api_id(api_id)
                .cors_configuration(sdk_cors(cors))
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::DeleteCorsConfiguration => v2
                .delete_cors_configuration()
                .api_id(api_id)
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::UpdateRouteAuthorization {
                route_id,
                authorization_type,
                authorizer_id,
                scopes,
                ..
            } => {
                let mut b = v2
                    .update_route()
                    .api_id(api_id)
                    .route_id(route_id)
                    .authorization_type(authorization_type.as_str().into())
                    .set_authorizer_id(authorizer_id.clone());
                if !scopes.is_empty() {
                    b = b.set_authorization_scopes(Some(scopes.clone()));
                }
                b.send().await.map(drop).map_err(|e| fail(&e))
            }
            Call::CreateRoute { route_key, target } => v2
                .create_route()
                .api_id(api_id)
                .route_key(route_key)
                .authorization_type("NONE".into())
                .set_target(target.clone())
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
            Call::DeleteRouteByKey { route_key } => {
                let routes = crate::aws::write::read::http_routes(c, api_id)
                    .await
                    .map_err(|e| CallError {
                        message: e,
                        denied: false,
                        not_found: false,
                    })?;
                let Some(route) = routes.into_iter().find(|r| &r.key == route_key) else {
                    return Err(CallError {
                        message: format!("the route {route_key} does not exist"),
                        denied: false,
                        not_found: true,
                    });
                };
                v2.delete_route()
                    .api_id(api_id)
                    .route_id(&route.id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| fail(&e))
            }
            Call::CreateHttpDeployment { stage } => v2
                .create_deployment()
                .api_id(api_id)
                .stage_name(stage)
                .description(DEPLOY_DESCRIPTION)
                .send()
                .await
                .map(drop)
                .map_err(|e| fail(&e)),
        }
    }
}

fn sdk_cors(c: &CorsConfiguration) -> aws_sdk_apigatewayv2::types::Cors {
    aws_sdk_apigatewayv2::types::Cors::builder()
        .set_allow_origins(Some(c.allow_origins.clone()))
        .set_allow_methods(Some(c.allow_methods.clone()))
        .set_allow_headers(Some(c.allow_headers.clone()))
        .set_expose_headers(Some(c.expose_headers.clone()))
        .set_max_age(c.max_age.and_then(|a| i32::try_from(a).ok()))
        .set_allow_credentials(c.allow_credentials)
        .build()
}

/// An SDK error of either client, described for the report of an apply.
trait Failure {
    fn describe(&self, call: &Call, api_id: &str, region: &str) -> CallError;
}

impl<E> Failure for SdkError<E, aws_smithy_runtime_api::http::Response>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    fn describe(&self, call: &Call, api_id: &str, region: &str) -> CallError {
        let code = self.code().unwrap_or_default();
        let message = self.message().unwrap_or_default();
        let status = self.raw_response().map(|r| r.status().as_u16());
        let (action, arn) = call.permission(api_id, region);
        let denied = code == "AccessDeniedException" || status == Some(403);
        let not_found = code == "NotFoundException" || status == Some(404);
        let text = if denied {
            format!(
                "AccessDenied: missing permission {action} on {arn}{}",
                suffix(message)
            )
        } else if code.is_empty() {
            error_chain(self)
        } else {
            format!("{code}{}", suffix(message))
        };
        CallError {
            message: crate::redact::known(&text),
            denied,
            not_found,
        }
    }
}

fn suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}
