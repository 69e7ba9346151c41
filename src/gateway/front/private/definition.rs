//! A private endpoint and resource policy as a configuration states them: a definition's
//! (an export, a template, a Terraform plan) or GetRestApi's.

use serde_json::Value;

use super::policy::strings;
use super::{default_account, default_region, Caller, PrivateApi};

/// The extension an API Gateway export (and a template's `Body`) writes the resource policy in
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/openapi-extensions-policy.html>).
pub const X_POLICY: &str = "x-amazon-apigateway-policy";
/// The extension with a private API's `vpcEndpointIds`
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/openapi-extensions-endpoint-configuration.html>:
/// "only supported for PRIVATE endpoint type").
pub const X_ENDPOINT_CONFIGURATION: &str = "x-amazon-apigateway-endpoint-configuration";

impl PrivateApi {
    /// A private endpoint and resource policy as a configuration states them (`None`: a
    /// public API without a policy). Where the browser app runs is not in a configuration:
    /// the caller is unknown. The account (and, when `api_id` or `region` is unknown, those
    /// too) comes from the policy's own `arn:aws:execute-api:…` resources.
    pub fn configured(
        api_id: Option<&str>,
        region: Option<&str>,
        private_endpoint: bool,
        policy: Option<Value>,
    ) -> Option<PrivateApi> {
        if policy.is_none() && !private_endpoint {
            return None;
        }
        let named = policy.as_ref().and_then(policy_arn);
        let mut private = PrivateApi {
            api_id: api_id.unwrap_or("api-id").to_string(),
            region: region.map_or_else(default_region, str::to_string),
            account: default_account(),
            private_endpoint,
            policy,
            caller: Caller {
                unknown: true,
                ..Caller::default()
            },
        };
        if let Some(arn) = named {
            private.account = arn.account;
            if api_id.is_none() && arn.api_id != "*" {
                private.api_id = arn.api_id;
            }
            if region.is_none() && arn.region != "*" {
                private.region = arn.region;
            }
        }
        Some(private)
    }

    /// What an API's definition (an export, a template's `Body` or `Policy`, a Terraform
    /// plan) says: [`X_POLICY`], and [`X_ENDPOINT_CONFIGURATION`]'s `vpcEndpointIds` for a
    /// private endpoint. `Err`: a policy that is not a JSON document (why).
    pub fn from_definition(api: &crate::gateway::Api) -> Result<Option<PrivateApi>, String> {
        let policy = match api.extra.get(X_POLICY) {
            // The Serverless Framework writes `Policy: ""` for none.
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v) => Some(policy_document(v).ok_or_else(|| {
                format!(
                    "the resource policy ({X_POLICY}) is not a JSON policy document: {}",
                    crate::text::shorten(&v.to_string(), 80)
                )
            })?),
        };
        let private_endpoint = api
            .extra
            .get(X_ENDPOINT_CONFIGURATION)
            .and_then(|c| c.get("vpcEndpointIds"))
            .and_then(Value::as_array)
            .is_some_and(|ids| !ids.is_empty());
        Ok(PrivateApi::configured(
            api.id.as_deref(),
            api.region.as_deref(),
            private_endpoint,
            policy,
        ))
    }
}

/// A resource policy document: a JSON object, or the JSON text of one (CloudFormation and
/// Terraform take the policy as text; GetRestApi returns it with its quotes escaped once
/// more, `{\"Version\":…}`: both forms are read).
pub fn policy_document(v: &Value) -> Option<Value> {
    match v {
        Value::Object(_) => Some(v.clone()),
        Value::String(text) => serde_json::from_str::<Value>(text)
            .ok()
            .filter(Value::is_object)
            .or_else(|| {
                let unescaped = text.replace("\\\"", "\"").replace("\\/", "/");
                serde_json::from_str::<Value>(&unescaped)
                    .ok()
                    .filter(Value::is_object)
            }),
        _ => None,
    }
}

/// The parts of an `arn:aws:execute-api:{region}:{account}:{api-id}/…` ARN.
struct ExecuteApiArn {
    region: String,
    account: String,
    api_id: String,
}

/// The first `arn:aws:execute-api:…` resource of the policy's statements with a 12-digit
/// account.
fn policy_arn(policy: &Value) -> Option<ExecuteApiArn> {
    let statements = match policy.get("Statement")? {
        Value::Array(a) => a.iter().collect::<Vec<_>>(),
        s => vec![s],
    };
    statements
        .into_iter()
        .filter_map(|s| s.get("Resource"))
        .flat_map(strings)
        .find_map(|arn| {
            let mut parts = arn.strip_prefix("arn:")?.splitn(5, ':');
            let (_partition, service) = (parts.next()?, parts.next()?);
            let (region, account, rest) = (parts.next()?, parts.next()?, parts.next()?);
            (service == "execute-api"
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit()))
            .then(|| ExecuteApiArn {
                region: region.to_string(),
                account: account.to_string(),
                api_id: rest.split('/').next().unwrap_or("*").to_string(),
            })
        })
}
