//! The resource policy's decision for one request (see the parent module's docs for what is
//! evaluated and what is not).

use std::net::IpAddr;

use serde_json::Value;

use super::{Caller, PrivateApi};

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
    /// configuration read): the public endpoint answers [`outside_vpc`](super::outside_vpc).
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

pub(super) fn strings(v: &Value) -> Vec<String> {
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

pub(super) fn in_cidr(ip: IpAddr, cidr: &str) -> bool {
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
