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

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Layer, Layered, Next, Sighting, GATEWAY_MESSAGE_HEADER, GATEWAY_RESPONSE_HEADER};
use crate::exchange::{AnsweredBy, RecordedRequest, RecordedResponse};
use crate::http::{Headers, HttpRequest, HttpResponse};

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

fn default_region() -> String {
    "us-east-1".into()
}

fn default_account() -> String {
    "123456789012".into()
}

/// What the resource policy decides for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyOutcome {
    /// No policy, or an Allow matched and no Deny.
    Allowed,
    /// A Deny statement matched (its `Sid`, when it has one).
    ExplicitDeny { sid: Option<String> },
    /// No statement allows the request.
    ImplicitDeny,
    /// A statement the evaluation does not cover decides it (why).
    NotEvaluated(String),
}

impl PrivateApi {
    /// True when the API is private and the browser app calls it from outside its VPC
    /// endpoint (no `source_vpce`; not when where the caller runs is unknown, as in a live
    /// configuration read): the public endpoint answers [`outside_vpc`].
    pub fn called_from_outside(&self) -> bool {
        self.private_endpoint && self.caller.source_vpce.is_none() && !self.caller.unknown
    }

    /// The resource ARN API Gateway checks for `method` on `path` (the URL path as sent to
    /// the `execute-api` endpoint: `/{stage}/items/7`).
    pub fn resource_arn(&self, method: &str, path: &str) -> String {
        let path = path.split('?').next().unwrap_or_default();
        let trimmed = path.trim_start_matches('/');
        let (stage, rest) = match trimmed.split_once('/') {
            Some((s, r)) => (s, r),
            None => (trimmed, ""),
        };
        format!(
            "arn:aws:execute-api:{}:{}:{}/{stage}/{}/{rest}",
            self.region,
            self.account,
            self.api_id,
            method.to_ascii_uppercase()
        )
    }

    /// The policy's decision for a call of `method` on `path` by [`PrivateApi::caller`].
    pub fn evaluate(&self, method: &str, path: &str) -> PolicyOutcome {
        let Some(policy) = &self.policy else {
            return PolicyOutcome::Allowed;
        };
        let arn = self.resource_arn(method, path);
        let statements = match policy.get("Statement") {
            Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
            Some(s @ Value::Object(_)) => vec![s],
            _ => return PolicyOutcome::NotEvaluated("the policy has no Statement".into()),
        };
        let mut allowed = false;
        // Why an Allow, a Deny, or a statement of another Effect may apply (it could not be
        // evaluated).
        let (mut allow_unknown, mut deny_unknown, mut odd) = (None, None, None);
        for s in statements {
            let applies = statement_applies(s, &arn, &self.caller);
            match (s.get("Effect").and_then(Value::as_str), applies) {
                (_, Ok(false)) => {}
                (Some("Deny"), Ok(true)) => {
                    return PolicyOutcome::ExplicitDeny {
                        sid: s.get("Sid").and_then(Value::as_str).map(str::to_string),
                    }
                }
                (Some("Allow"), Ok(true)) => allowed = true,
                (Some("Allow"), Err(why)) => allow_unknown = allow_unknown.or(Some(why)),
                (Some("Deny"), Err(why)) => deny_unknown = deny_unknown.or(Some(why)),
                (_, _) => odd = Some("a statement has no Effect of Allow or Deny".to_string()),
            }
        }
        match (odd.or(allow_unknown), allowed, deny_unknown) {
            (Some(why), _, _) | (None, true, Some(why)) => PolicyOutcome::NotEvaluated(why),
            (None, true, None) => PolicyOutcome::Allowed,
            // No Allow can apply: denied, whether or not a Deny whose conditions are unknown
            // applies too (an OPTIONS request that no statement allows is denied wherever the
            // app runs).
            (None, false, _) => PolicyOutcome::ImplicitDeny,
        }
    }
}

/// Whether a statement applies to the call (`Err`: it has a part the evaluation does not
/// cover).
fn statement_applies(s: &Value, arn: &str, caller: &Caller) -> Result<bool, String> {
    for unsupported in ["NotAction", "NotResource", "NotPrincipal"] {
        if s.get(unsupported).is_some() {
            return Err(format!("{unsupported} is not evaluated"));
        }
    }
    let principal_any = match s.get("Principal") {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(o)) => o
            .get("AWS")
            .is_some_and(|v| strings(v).iter().any(|p| p == "*")),
        _ => false,
    };
    if !principal_any {
        return Err("principals other than * (IAM callers) are not evaluated".into());
    }
    let action = s.get("Action").map(strings).unwrap_or_default();
    if !action.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a == "*" || a == "execute-api:*" || a == "execute-api:invoke"
    }) {
        return Ok(false);
    }
    // A resource left as a template's intrinsic (`!Sub arn:…:${AWS::AccountId}:…`) could be
    // any: the statement is not evaluated rather than taken as not applying.
    let resource = s.get("Resource");
    let unresolved = match resource {
        Some(Value::Array(a)) => a.iter().any(|r| !r.is_string()),
        Some(r) => !r.is_string(),
        None => false,
    };
    if unresolved {
        return Err("a Resource of the policy is not resolved (a template's intrinsic)".into());
    }
    let resources = resource.map(strings).unwrap_or_default();
    if !resources.iter().any(|r| glob(&expand(r, arn), arn)) {
        return Ok(false);
    }
    match s.get("Condition") {
        None => Ok(true),
        Some(Value::Object(ops)) => {
            for (op, block) in ops {
                let Value::Object(keys) = block else {
                    return Err(format!("the condition {op} is not an object"));
                };
                for (key, values) in keys {
                    if !condition(op, key, &strings(values), caller)? {
                        return Ok(false);
                    }
                }
            }
            Ok(true)
        }
        Some(_) => Err("the Condition is not an object".into()),
    }
}

/// The abbreviated `execute-api:/…` resource, expanded to the API's ARN as API Gateway does
/// when the policy is saved (docs: "You can also use abbreviated syntax, which API Gateway
/// automatically expands to the full ARN").
fn expand(resource: &str, arn: &str) -> String {
    match (resource.strip_prefix("execute-api:/"), arn.find('/')) {
        (Some(rest), Some(i)) => format!("{}/{rest}", &arn[..i]),
        _ => resource.to_string(),
    }
}

fn condition(op: &str, key: &str, values: &[String], caller: &Caller) -> Result<bool, String> {
    let key_l = key.to_ascii_lowercase();
    match (op, key_l.as_str()) {
        ("IpAddress" | "NotIpAddress", "aws:sourceip") => {
            let Some(ip) = caller.source_ip.as_deref() else {
                return Err("the caller's source IP is not known".into());
            };
            let Ok(ip) = ip.parse::<IpAddr>() else {
                return Err(format!("the source IP {ip} is not an IP address"));
            };
            let any = values.iter().any(|c| in_cidr(ip, c));
            Ok(if op == "IpAddress" { any } else { !any })
        }
        (
            "StringEquals"
            | "StringNotEquals"
            | "StringEqualsIgnoreCase"
            | "StringNotEqualsIgnoreCase",
            "aws:sourcevpc" | "aws:sourcevpce",
        ) => {
            let actual = if key_l == "aws:sourcevpc" {
                caller.source_vpc.as_deref()
            } else {
                caller.source_vpce.as_deref()
            };
            if actual.is_none() && caller.unknown {
                return Err(format!("the caller's {key} is not known"));
            }
            // A missing key never equals: StringNotEquals then matches.
            let any = actual.is_some_and(|a| values.iter().any(|v| v.eq_ignore_ascii_case(a)));
            Ok(if op.starts_with("StringNot") {
                !any
            } else {
                any
            })
        }
        _ => Err(format!("the condition {op} on {key} is not evaluated")),
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// An ARN pattern with `*` (any run) and `?` (one character), matched whole. Iterative
/// (bounded by the lengths), no recursion on input.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

fn in_cidr(ip: IpAddr, cidr: &str) -> bool {
    let (addr, bits) = match cidr.split_once('/') {
        Some((a, b)) => (a, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    match (ip, addr.trim().parse::<IpAddr>()) {
        (IpAddr::V4(ip), Ok(IpAddr::V4(net))) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), Ok(IpAddr::V6(net))) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
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
mod tests {
    use super::*;
    use serde_json::json;

    fn api(policy: Value, caller: Caller) -> PrivateApi {
        PrivateApi {
            api_id: "a1b2c3d4e5".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            private_endpoint: false,
            policy: Some(policy),
            caller,
        }
    }

    fn ip(ip: &str) -> Caller {
        Caller {
            source_ip: Some(ip.into()),
            ..Caller::default()
        }
    }

    fn ip_deny() -> Value {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "execute-api:/*"},
            {"Sid": "OfficeOnly", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.7"]}}}
        ]})
    }

    #[test]
    fn an_ip_deny_denies_outside_the_range_only() {
        let outside = api(ip_deny(), ip("203.0.113.9"));
        assert_eq!(
            outside.evaluate("GET", "/prod/items"),
            PolicyOutcome::ExplicitDeny {
                sid: Some("OfficeOnly".into())
            }
        );
        // The abbreviated `execute-api:/*` resource is the API's.
        let inside = api(ip_deny(), ip("192.0.2.44"));
        assert_eq!(
            inside.evaluate("GET", "/prod/items"),
            PolicyOutcome::Allowed
        );
        let mut p = ip_deny();
        p["Statement"][0]["Resource"] =
            json!("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/*");
        assert_eq!(
            api(p.clone(), ip("192.0.2.44")).evaluate("POST", "/prod/items"),
            PolicyOutcome::ImplicitDeny
        );
        assert_eq!(
            api(p.clone(), ip("192.0.2.44")).evaluate("GET", "/prod/items"),
            PolicyOutcome::Allowed
        );
        assert_eq!(
            api(p, ip("198.51.100.7")).evaluate("GET", "/prod/a/b"),
            PolicyOutcome::Allowed
        );
    }

    #[test]
    fn vpce_conditions_and_unknown_parts() {
        let p = json!({"Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0abc"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*"}
        ]});
        let through = Caller {
            source_vpce: Some("vpce-0abc".into()),
            ..Caller::default()
        };
        assert_eq!(
            api(p.clone(), through).evaluate("GET", "/prod/x"),
            PolicyOutcome::Allowed
        );
        assert!(matches!(
            api(p.clone(), Caller::default()).evaluate("GET", "/prod/x"),
            PolicyOutcome::ExplicitDeny { .. }
        ));
        // A caller nobody described (live configuration): the condition is not evaluated.
        let unknown = Caller {
            unknown: true,
            ..Caller::default()
        };
        assert!(matches!(
            api(p.clone(), unknown.clone()).evaluate("GET", "/prod/x"),
            PolicyOutcome::NotEvaluated(_)
        ));
        let mut private = api(p.clone(), unknown);
        private.private_endpoint = true;
        let reached = std::cell::Cell::new(false);
        let req = HttpRequest {
            method: "GET".into(),
            path_and_query: "/prod/x".into(),
            headers: Headers::new(),
            body: Vec::new(),
        };
        let out = respond(Some(&private), &req, &mut |_r: &HttpRequest| {
            reached.set(true);
            HttpResponse {
                status: 200,
                headers: Headers::new(),
                body: Vec::new(),
            }
        });
        assert!(matches!(out, Layered::Passed(_)) && reached.get());
        let org = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]});
        assert!(matches!(
            api(org, Caller::default()).evaluate("GET", "/prod/x"),
            PolicyOutcome::NotEvaluated(_)
        ));
    }

    #[test]
    fn resource_arns_and_globs() {
        let a = api(json!({}), Caller::default());
        assert_eq!(
            a.resource_arn("get", "/prod/items/7?x=1"),
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/items/7"
        );
        assert!(glob(
            "arn:aws:execute-api:*:*:a1b2c3d4e5/prod/GET/*",
            &a.resource_arn("GET", "/prod/items")
        ));
        assert!(!glob(
            "arn:aws:execute-api:*:*:a1b2c3d4e5/dev/*",
            &a.resource_arn("GET", "/prod/items")
        ));
        assert!(glob("a*b*c", "aXXbYYc"));
        assert!(!glob("a*b*c", "aXXbYY"));
        assert!(in_cidr("10.1.2.3".parse().unwrap(), "10.0.0.0/8"));
        assert!(!in_cidr("11.1.2.3".parse().unwrap(), "10.0.0.0/8"));
        assert!(in_cidr("::1".parse().unwrap(), "::1/128"));
    }

    fn pass(r: &HttpRequest) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: r.headers.clone(),
            body: Vec::new(),
        }
    }

    #[test]
    fn a_deny_asks_the_api_for_its_access_denied_response() {
        let a = api(ip_deny(), ip("203.0.113.9"));
        let req = HttpRequest {
            method: "GET".into(),
            path_and_query: "/prod/items".into(),
            headers: Headers::new(),
            body: Vec::new(),
        };
        let Layered::Passed(resp) = respond(Some(&a), &req, &mut pass) else {
            panic!("the API answers its gateway response");
        };
        assert_eq!(
            resp.headers.get(GATEWAY_RESPONSE_HEADER),
            Some("ACCESS_DENIED")
        );
        assert!(resp
            .headers
            .get(GATEWAY_MESSAGE_HEADER)
            .is_some_and(|m| m.ends_with("a1b2c3d4e5/prod/GET/items with an explicit deny")));
        let mut outside = a.clone();
        outside.private_endpoint = true;
        let Layered::Answered(resp, AnsweredBy::Gateway) = respond(Some(&outside), &req, &mut pass)
        else {
            panic!("the public endpoint answers");
        };
        assert_eq!(resp.status, 403);
    }

    #[test]
    fn private_host_shapes() {
        let h = Headers::new().with("x-apigw-api-id", "a1b2c3d4e5");
        assert!(private_host(
            "a1b2c3d4e5-vpce-0abc123.execute-api.us-east-1.amazonaws.com",
            &Headers::new()
        )
        .is_some_and(|d| d.contains("vpce-0abc123")));
        assert!(private_host(
            "vpce-0abc123-xyz.execute-api.us-east-1.vpce.amazonaws.com",
            &h
        )
        .is_some_and(|d| d.contains("a1b2c3d4e5")));
        assert_eq!(
            private_host("a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", &h),
            None
        );
        let resp = RecordedResponse {
            status: 403,
            headers: Headers::new().with("x-amzn-ErrorType", "AccessDeniedException"),
            body_excerpt: format!("{{\"message\":\"{}\"}}", denied_message("arn:x", true)),
            body_truncated: false,
        };
        assert!(is_policy_deny(&resp));
        let req = RecordedRequest {
            method: "GET".into(),
            url: "https://example.com/".into(),
            headers: Headers::new(),
            body: None,
        };
        assert!(
            seen(&req, Some(&resp)).is_some_and(|s| s.answered && s.layer == Layer::ResourcePolicy)
        );
    }

    #[test]
    fn a_definition_states_the_policy_and_the_private_endpoint() {
        let mut def = crate::gateway::Api::default();
        assert_eq!(PrivateApi::from_definition(&def), Ok(None));
        // As an export writes it: an object; the ids and account from its own ARNs.
        def.extra.insert(
            X_POLICY.into(),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                "Resource": "arn:aws:execute-api:eu-west-1:111122223333:k9l8m7/*/GET/*"}]}),
        );
        let p = PrivateApi::from_definition(&def).unwrap().unwrap();
        assert_eq!(
            (p.api_id.as_str(), p.region.as_str(), p.account.as_str()),
            ("k9l8m7", "eu-west-1", "111122223333")
        );
        assert!(p.caller.unknown && !p.private_endpoint);
        assert_eq!(p.evaluate("GET", "/prod/items"), PolicyOutcome::Allowed);
        assert_eq!(
            p.evaluate("OPTIONS", "/prod/items"),
            PolicyOutcome::ImplicitDeny
        );
        // As CloudFormation and Terraform take it: text; VPC endpoint ids make it private.
        def.extra.insert(
            X_POLICY.into(),
            json!(r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}}"#),
        );
        def.extra.insert(
            X_ENDPOINT_CONFIGURATION.into(),
            json!({"vpcEndpointIds": ["vpce-0abc"]}),
        );
        let p = PrivateApi::from_definition(&def).unwrap().unwrap();
        assert!(p.private_endpoint && !p.called_from_outside());
        assert!(matches!(
            p.evaluate("GET", "/prod/items"),
            PolicyOutcome::ExplicitDeny { .. }
        ));
        // An empty policy is none (the Serverless Framework writes `Policy: ""`).
        def.extra.insert(X_POLICY.into(), json!(""));
        assert!(PrivateApi::from_definition(&def)
            .unwrap()
            .unwrap()
            .policy
            .is_none());
        // Not a policy: said, not guessed.
        def.extra.insert(X_POLICY.into(), json!("not json"));
        assert!(PrivateApi::from_definition(&def)
            .unwrap_err()
            .contains("not a JSON policy document"));
    }

    #[test]
    fn a_request_no_allow_can_match_is_denied_whatever_the_unknown_conditions() {
        // Allowed from an office network on GET and POST only; a Deny outside it. OPTIONS is
        // allowed by nothing: denied wherever the app runs, even with the caller unknown.
        let policy = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": ["execute-api:/*/GET/*", "execute-api:/*/POST/*"],
             "Condition": {"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": "execute-api:/*",
             "Condition": {"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}}}]});
        let unknown = Caller {
            unknown: true,
            ..Caller::default()
        };
        let p = api(policy, unknown);
        assert_eq!(
            p.evaluate("OPTIONS", "/prod/items"),
            PolicyOutcome::ImplicitDeny
        );
        // GET may be allowed: it depends on where the app runs.
        assert!(matches!(
            p.evaluate("GET", "/prod/items"),
            PolicyOutcome::NotEvaluated(_)
        ));
        // From the office, GET passes and OPTIONS is still denied; from elsewhere, the Deny.
        let mut p = p;
        p.caller = ip("198.51.100.7");
        assert_eq!(p.evaluate("GET", "/prod/items"), PolicyOutcome::Allowed);
        assert_eq!(
            p.evaluate("OPTIONS", "/prod/items"),
            PolicyOutcome::ImplicitDeny
        );
        p.caller = ip("203.0.113.9");
        assert!(matches!(
            p.evaluate("OPTIONS", "/prod/items"),
            PolicyOutcome::ExplicitDeny { .. }
        ));
    }

    #[test]
    fn a_resource_left_unresolved_by_a_template_is_not_evaluated() {
        // `!Sub arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:*/*/GET/*` without values:
        // it could be any API, so the statement decides nothing (no implicit deny).
        let p = api(
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                "Resource": [{"Fn::Sub": "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:*/*/GET/*"}]}]}),
            Caller::default(),
        );
        assert!(matches!(
            p.evaluate("OPTIONS", "/prod/items"),
            PolicyOutcome::NotEvaluated(_)
        ));
    }
}
