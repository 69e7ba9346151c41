//! A private API's VPC endpoint and the API's resource policy (REST APIs only: HTTP APIs have
//! neither).
//!
//! What the layer does (`respond`):
//! - **A private API called from outside its VPC endpoint** (`endpoint_type: PRIVATE`, no
//!   `vpce_id` on the caller): the public `execute-api` endpoint answers 403
//!   `{"message":"Forbidden"}` (`ForbiddenException`) without reaching the API (from
//!   inside a VPC without private DNS, the name does not resolve at all: a network error).
//!   Docs: private APIs "are accessible only from within your VPCs by using interface VPC
//!   endpoints"
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html>).
//! - **The resource policy** is evaluated for the simple cases: statements on
//!   `execute-api:Invoke` (or `execute-api:*`, `*`) for principal `*`, resources matched as
//!   ARN globs against `arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`,
//!   conditions `IpAddress` / `NotIpAddress` on `aws:SourceIp` and `StringEquals` /
//!   `StringNotEquals` on `aws:SourceVpc` / `aws:SourceVpce`. An explicit Deny wins; without
//!   an Allow the request is implicitly denied. A denied request gets API Gateway's
//!   `ACCESS_DENIED` gateway response (403 `AccessDeniedException`) with the message "User:
//!   anonymous is not authorized to perform: execute-api:Invoke on resource: {arn}" (plus
//!   " with an explicit deny"): the API's gateway responses shape it, so CORS headers added
//!   to `ACCESS_DENIED` (or DEFAULT_4XX) reach the browser. Docs:
//!   <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies.html>,
//!   <https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html>,
//!   the messages: <https://repost.aws/knowledge-center/api-gateway-403-error-lambda-authorizer>,
//!   <https://repost.aws/knowledge-center/api-gateway-access-denied>.
//!
//! **Not evaluated** (the outcome is then [`PolicyOutcome::NotEvaluated`] and the request
//! passes, with the reason): conditions on what an unknown caller ([`Caller::unknown`]: a
//! configuration read from AWS) leaves unset, principals other than `*` (IAM users and roles: the caller
//! signs with SigV4), any other condition operator or key (`aws:PrincipalOrgID`,
//! `aws:Referer`, `DateGreaterThan` …), `NotAction`, `NotResource`, `NotPrincipal`, and the
//! combination with IAM or Lambda authorizers (the authorization flow's table).
//!
//! # Choices the documentation leaves open
//! - **The resource policy is checked before the resource and method are matched**, so a
//!   denied request gets ACCESS_DENIED even on a path the API does not have. Evidence: the
//!   authorization flow page evaluates the policy first for policies without authorizers;
//!   the order against routing is not documented.
//! - **The gateway response of a denied request is ACCESS_DENIED** (403
//!   `AccessDeniedException`). Evidence: the knowledge-center page above shows the 403 and
//!   the message; the gateway response type table lists ACCESS_DENIED as "authorization
//!   failure"; the type of a resource-policy deny is not named.
//! - **The public endpoint's answer to a private API from outside** is the same 403
//!   `{"message":"Forbidden"}` as an unknown stage. Evidence: commonly reported; not in the
//!   docs.
//! - **A definition's policy and endpoint** ([`PrivateApi::from_definition`]: an export, a
//!   template, a Terraform plan, read offline and by `lint`) are read where an export writes
//!   them: [`X_POLICY`] (CloudFormation's `Policy` and Terraform's `policy` /
//!   `aws_api_gateway_rest_api_policy` go there), and a private endpoint from
//!   [`X_ENDPOINT_CONFIGURATION`]'s `vpcEndpointIds` alone (an export does not carry the
//!   endpoint type; with the caller unknown, a private endpoint changes only the drawn path).
//!   An empty policy text is no policy (the Serverless Framework writes `Policy: ""`). A
//!   `Resource` a template leaves unresolved (`!Sub …${AWS::AccountId}…`) makes its statement
//!   not evaluated: it could name any API, so no implicit deny is concluded from it. The
//!   account, and the API id and region when the definition lacks them, come from the
//!   policy's own `arn:aws:execute-api:…` resources. Evidence: the extension's page
//!   (linked at [`X_POLICY`]) shows the document as the policy object; CloudFormation's
//!   `AWS::ApiGateway::RestApi` takes `Policy` as JSON; the rest is not documented.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Layer, Layered, Next, Sighting, GATEWAY_MESSAGE_HEADER, GATEWAY_RESPONSE_HEADER};
use crate::exchange::{AnsweredBy, RecordedRequest, RecordedResponse};
use crate::http::{Headers, HttpRequest, HttpResponse};

mod definition;
mod policy;

pub use definition::{policy_document, X_ENDPOINT_CONFIGURATION, X_POLICY};
pub use policy::{glob, PolicyOutcome};

/// Who calls the API, as the resource policy sees it (a scenario's browser app).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caller {
    /// `aws:SourceIp` (`203.0.113.7`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_ip: Option<String>,
    /// `aws:SourceVpc` (`vpc-…`), when the call comes through a VPC endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpc: Option<String>,
    /// `aws:SourceVpce` (`vpce-…`): the interface VPC endpoint the call comes through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_vpce: Option<String>,
    /// Where the browser app runs is not known (a configuration read from AWS: nothing there
    /// says it): conditions on a key left unset are not evaluated, and a private API is not
    /// taken as called from outside its VPC endpoint. False in scenarios, which describe
    /// the caller.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

/// A private API's VPC endpoint and resource policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateApi {
    /// The API's id (for the resource ARN).
    pub api_id: String,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default = "default_account")]
    pub account: String,
    /// True for an API whose endpoint type is PRIVATE.
    #[serde(default)]
    pub private_endpoint: bool,
    /// The resource policy as `GetRestApi.policy` gives it (a JSON document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// The browser app's call as the policy sees it.
    #[serde(default)]
    pub caller: Caller,
}

fn default_region() -> String {
    "us-east-1".into()
}

fn default_account() -> String {
    "123456789012".into()
}

/// The message of a resource-policy deny.
pub fn denied_message(arn: &str, explicit: bool) -> String {
    format!(
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: {arn}{}",
        if explicit {
            " with an explicit deny"
        } else {
            ""
        }
    )
}

/// The public endpoint's answer to a private API called from outside its VPC endpoint.
pub fn outside_vpc() -> HttpResponse {
    HttpResponse {
        status: 403,
        headers: Headers::new()
            .with("Content-Type", "application/json")
            .with("x-amzn-RequestId", "00000000-0000-4000-8000-0000000e0403")
            .with("x-amzn-ErrorType", "ForbiddenException"),
        body: b"{\"message\":\"Forbidden\"}".to_vec(),
    }
}

/// The request through this layer (`None`: not configured, straight through).
pub fn respond(spec: Option<&PrivateApi>, request: &HttpRequest, next: &mut Next<'_>) -> Layered {
    let Some(private) = spec else {
        return Layered::Passed(next(request));
    };
    if private.called_from_outside() {
        return Layered::Answered(outside_vpc(), AnsweredBy::Gateway);
    }
    let explicit = match private.evaluate(&request.method, &request.path_and_query) {
        PolicyOutcome::ExplicitDeny { .. } => true,
        PolicyOutcome::ImplicitDeny => false,
        PolicyOutcome::Allowed | PolicyOutcome::NotEvaluated(_) => {
            return Layered::Passed(next(request))
        }
    };
    // API Gateway answers with its ACCESS_DENIED gateway response (the API's customization).
    let arn = private.resource_arn(&request.method, &request.path_and_query);
    let mut inner = request.clone();
    inner.headers.push(GATEWAY_RESPONSE_HEADER, "ACCESS_DENIED");
    inner
        .headers
        .push(GATEWAY_MESSAGE_HEADER, denied_message(&arn, explicit));
    Layered::Passed(next(&inner))
}

/// What a host says of a private API: `{api-id}-{vpce-id}.execute-api.{region}…` (the
/// endpoint-specific name) or `vpce-….execute-api…` / `vpce-….vpce.amazonaws.com` (the
/// endpoint's own name, with `x-apigw-api-id` or `Host` naming the API).
pub fn private_host(host: &str, headers: &Headers) -> Option<String> {
    let host = host.to_ascii_lowercase();
    let first = host.split('.').next().unwrap_or_default();
    if host.starts_with("vpce-") && (host.contains(".execute-api.") || host.contains(".vpce.")) {
        let api = headers.get("x-apigw-api-id").unwrap_or("?");
        let vpce = first.split('-').take(2).collect::<Vec<_>>().join("-");
        return Some(format!("VPC endpoint {vpce}, API {api} (x-apigw-api-id)"));
    }
    if host.contains(".execute-api.") {
        if let Some((api, vpce)) = first.split_once("-vpce-") {
            return Some(format!("API {api} through VPC endpoint vpce-{vpce}"));
        }
    }
    None
}

/// True when the answer is a resource-policy deny (403 `AccessDeniedException` naming
/// `execute-api:Invoke`).
pub fn is_policy_deny(response: &RecordedResponse) -> bool {
    response.status == 403
        && response
            .headers
            .get("x-amzn-errortype")
            .is_some_and(|t| t.split(':').next().unwrap_or(t).trim() == "AccessDeniedException")
        && response.body_excerpt.contains("execute-api:Invoke")
}

/// This layer recognised in an answer: a private API's host shapes, and the resource
/// policy's deny.
pub fn seen(request: &RecordedRequest, response: Option<&RecordedResponse>) -> Option<Sighting> {
    if let Some(resp) = response.filter(|r| is_policy_deny(r)) {
        let explicit = resp.body_excerpt.contains("explicit deny");
        return Some(Sighting {
            layer: Layer::ResourcePolicy,
            detail: format!(
                "AccessDeniedException: the resource policy {} execute-api:Invoke",
                if explicit {
                    "explicitly denies"
                } else {
                    "does not allow"
                }
            ),
            answered: true,
        });
    }
    let host = url::Url::parse(&request.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))?;
    private_host(&host, &request.headers).map(|detail| Sighting {
        layer: Layer::VpcEndpoint,
        detail,
        answered: false,
    })
}

#[cfg(test)]
mod tests;
