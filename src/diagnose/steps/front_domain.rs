//! The custom domain (base path mappings) and the private API / resource policy in the steps
//! (issue 18 items 3 and 5). One rule per fact:
//!
//! - **Step 1** (the request without Origin): a 403 the domain or the resource policy
//!   answers fails for curl too; `FAILS_WITHOUT_BROWSER` then names that layer and its fix
//!   instead of an API key or an authorizer.
//! - **`CUSTOM_DOMAIN_NO_MAPPING`**: the exchange the browser makes first meets the domain's
//!   403 — the preflight (step 3: it never reaches the API's OPTIONS) or, for a simple
//!   request, the actual request (step 6: the 403 carries no CORS header, so the browser
//!   hides it). From the configuration (a scenario's or a file's `front`), the URL's path
//!   matched against the mappings says the same without a probe (step 3).
//! - **`CUSTOM_DOMAIN_WRONG_STAGE`** (step 3, configuration): the mapping that takes the
//!   URL's path sends it to another stage or API than the one diagnosed (`--stage`,
//!   `--api-id`): the configuration read is not the one serving the URL.
//! - **`RESOURCE_POLICY_DENIED`**: the preflight denied (step 3: a 403 is never a passing
//!   preflight, whatever headers it carries: the policy must allow the browser's caller), or
//!   the actual request denied with an `ACCESS_DENIED` gateway response that fails the CORS
//!   check (step 6: adding CORS headers to ACCESS_DENIED and DEFAULT_4XX lets the browser
//!   show the real 403; the policy stays as it is). Replaces `GATEWAY_RESPONSE_NO_CORS` for
//!   that exchange (same fix, the cause named).
//! - **`PRIVATE_API_OUTSIDE_VPC`**: a private API called from outside its VPC endpoint
//!   (configuration: `front.private` with `private_endpoint` and a caller without
//!   `source_vpce`). Private APIs "are accessible only from within your VPCs by using
//!   interface VPC endpoints"
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html>):
//!   the public endpoint's 403 `ForbiddenException` never reaches the API, so neither its
//!   OPTIONS method nor its gateway responses decide it. Step 1 explains it; the preflight
//!   (step 3) or the simple request (step 6) that meets it is this finding, not
//!   `GATEWAY_RESPONSE_NO_CORS`: the fix is where the app calls the API from, not CORS
//!   headers. The 403 has the custom domain's no-mapping shape; the configuration tells them
//!   apart.

use super::Ctx;
use crate::cors;
use crate::diagnose::findings::{Finding, FindingCode as C};
use crate::evidence::{AnsweredBy, ConfigEvidence, Evidence, Exchange};
use crate::gateway::front::{self, domain::CustomDomain, private::PrivateApi};

/// The layers in front the configuration names (a scenario's or a file's `front`).
fn configured<'a>(c: &Ctx<'a>) -> (Option<&'a CustomDomain>, Option<&'a PrivateApi>) {
    match &c.ev.config {
        ConfigEvidence::Loaded { front, .. } => {
            (front.custom_domain.as_deref(), front.private.as_deref())
        }
        _ => (None, None),
    }
}

/// True when the URL is on a host that is not the API's own `execute-api` endpoint.
fn on_custom_host(c: &Ctx) -> bool {
    c.ev.target
        .url
        .host_str()
        .is_some_and(|h| !front::domain::is_execute_api_host(h))
}

/// True when the custom domain answered `x` itself (no mapping takes the path).
pub(super) fn no_mapping(c: &Ctx, x: &Exchange) -> bool {
    !outside_vpc(c.ev, x)
        && (x.answered_by == AnsweredBy::CustomDomain
            || x.response
                .as_ref()
                .is_some_and(|r| front::domain::is_no_mapping_answer(&x.request, r)))
}

/// True when `x` is the public endpoint's 403 `ForbiddenException` to a private API that
/// the configuration says is called from outside its VPC endpoint.
pub(in crate::diagnose) fn outside_vpc(ev: &Evidence, x: &Exchange) -> bool {
    matches!(&ev.config, ConfigEvidence::Loaded { front, .. } if front.private_called_from_outside())
        && x.status() == Some(403)
        && x.gateway_error_type.as_deref() == Some("ForbiddenException")
}

/// True when a layer of this module answered `x` (the domain's 403, a policy deny, a
/// private API's public endpoint): the API's methods never ran, so their headers are not
/// judged (step 5).
pub(super) fn answered_in_front(c: &Ctx, x: &Exchange) -> bool {
    no_mapping(c, x) || policy_denied(x) || outside_vpc(c.ev, x)
}

/// `PRIVATE_API_OUTSIDE_VPC` for `x` (`what`: "the preflight", "the request").
fn outside_vpc_finding(c: &Ctx, x: &Exchange, what: &str) -> Finding {
    let api = configured(c).1.map(|p| p.api_id.as_str()).unwrap_or("?");
    Finding::error(
        C::PrivateApiOutsideVpc,
        format!(
            "The API {api} is private: it is reachable only through an interface VPC endpoint in its VPC, and the browser app calls it from outside. {what} gets the public endpoint's 403 ForbiddenException {{\"message\":\"Forbidden\"}}, which never reaches the API (neither its OPTIONS method nor its gateway responses) and carries no CORS headers, so the browser reports a CORS error instead of the 403."
        ),
    )
    .cites(&x.id)
    .fix(
        "CORS headers cannot fix this: a browser outside the VPC cannot call a private API. Call it from inside the VPC through the interface VPC endpoint (https://{api-id}-{vpce-id}.execute-api.{region}.amazonaws.com, or the execute-api name with private DNS), or make the API reachable from the browser: a REGIONAL (or EDGE) endpoint type, or a public API or a load balancer in the VPC in front of it. https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html",
        Vec::<String>::new(),
    )
}

/// True when the resource policy denied `x`.
pub(super) fn policy_denied(x: &Exchange) -> bool {
    x.response
        .as_ref()
        .is_some_and(front::private::is_policy_deny)
}

/// The domain name and the base path a mapping fix names: the configured domain, else the
/// URL's host; the URL's first path segment (none: the root).
fn mapping_target(c: &Ctx) -> (String, String) {
    let domain = configured(c)
        .0
        .map(|d| d.domain_name.clone())
        .or_else(|| c.ev.target.url.host_str().map(str::to_string))
        .unwrap_or_default();
    let base =
        c.ev.target
            .url
            .path()
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
    (domain, base)
}

fn no_mapping_finding(c: &Ctx, x: Option<&Exchange>, what: &str) -> Finding {
    let (domain, base) = mapping_target(c);
    let shown = if base.is_empty() { "(none)" } else { &base };
    let mut f = Finding::error(
        C::CustomDomainNoMapping,
        format!(
            "No base path mapping of the custom domain {domain} takes the path {}: {what} gets the domain's own 403 ForbiddenException {{\"message\":\"Forbidden\"}}, which never reaches the API and carries no CORS headers, so the browser reports a CORS error instead of the 403.{}",
            c.ev.target.url.path(),
            configured(c)
                .0
                .map(|d| format!(" The domain's mappings: {}.", d.mappings_in_words()))
                .unwrap_or_default()
        ),
    );
    if let Some(x) = x {
        f = f.cites(&x.id);
    }
    f.fix(
        format!(
            "Map the base path {shown} of {domain} to the API's stage (or call the path an existing mapping takes). The request then reaches the API with the rest of the path as its resource path. In IaC: AWS::ApiGateway::BasePathMapping (HTTP APIs: AWS::ApiGatewayV2::ApiMapping), Terraform aws_api_gateway_base_path_mapping."
        ),
        c.fix.base_path_mapping(&domain, &base, false),
    )
}

/// Step 1: who answered the request without Origin and what to do, when it is the custom
/// domain, the resource policy or a private API's public name.
pub(super) fn bare_cause(c: &Ctx, bare: &Exchange) -> Option<(String, String)> {
    let status = bare.status()?;
    if no_mapping(c, bare) {
        let (domain, _) = mapping_target(c);
        return Some((
            format!("the custom domain {domain} answers {status} ForbiddenException: no base path mapping takes this path"),
            "Add the base path mapping (step 3 or 6 has the command), or call the path an existing mapping takes.".to_string(),
        ));
    }
    if policy_denied(bare) {
        let explicit = bare
            .response
            .as_ref()
            .is_some_and(|r| r.body_excerpt.contains("explicit deny"));
        return Some((
            format!(
                "the API's resource policy {} the call ({status} AccessDeniedException)",
                if explicit { "explicitly denies" } else { "does not allow" }
            ),
            "Call from where the resource policy allows (its source IP, VPC or VPC endpoint condition), or allow this caller in the policy: add its address range or VPC endpoint to the condition of the statement that denies, never Principal * without a condition, and redeploy the stage. The policy guards the API; the CORS fix only lets the browser show the 403.".to_string(),
        ));
    }
    let (_, private) = configured(c);
    if let Some(p) = private.filter(|p| p.called_from_outside()) {
        if status == 403 && bare.gateway_error_type.as_deref() == Some("ForbiddenException") {
            return Some((
                format!(
                    "API Gateway's public endpoint answers {status} ForbiddenException: the API {} is private, reachable only through an interface VPC endpoint",
                    p.api_id
                ),
                "Call the private API from inside its VPC through the interface VPC endpoint (https://{api-id}-{vpce-id}.execute-api.{region}.amazonaws.com, or the execute-api name with private DNS, or the endpoint's name with an x-apigw-api-id header); a browser outside the VPC cannot reach it: put a public API, or CloudFront with a VPC origin, in front.".to_string(),
            ));
        }
    }
    None
}

/// Step 3: the preflight met the domain's 403 or the resource policy; and what the
/// configuration says of the URL's mapping.
pub(super) fn preflight_findings(c: &Ctx, pf: &Exchange) -> Vec<Finding> {
    let mut out = Vec::new();
    if outside_vpc(c.ev, pf) {
        out.push(outside_vpc_finding(c, pf, "The preflight"));
    } else if no_mapping(c, pf) {
        out.push(no_mapping_finding(c, Some(pf), "the preflight"));
    } else if policy_denied(pf) {
        out.push(
            Finding::error(
                C::ResourcePolicyDenied,
                format!(
                    "The API's resource policy denies the preflight (OPTIONS {}): it gets 403 AccessDeniedException before any method runs, and a preflight only passes with a 2xx status, whatever CORS headers the 403 carries.",
                    c.ev.target.url.path()
                ),
            )
            .cites(&pf.id)
            .fix(
                "Let the resource policy allow execute-api:Invoke on OPTIONS for the callers the browser app runs at (the same source IP / VPC endpoint condition as the real methods, or an Allow statement on arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/OPTIONS/*); keep every other statement, never open the policy to Principal * without a condition, and redeploy the stage.",
                Vec::<String>::new(),
            ),
        );
    }
    out
}

/// Step 3 from the configuration: the URL's path against the domain's mappings.
pub(super) fn config_findings(c: &Ctx) -> Vec<Finding> {
    let (Some(domain), true) = (configured(c).0, on_custom_host(c)) else {
        return Vec::new();
    };
    let probed = c.ev.exchanges.iter().any(|x| no_mapping(c, x));
    let mut out = Vec::new();
    match domain.route(c.ev.target.url.path()) {
        None if !probed => out.push(no_mapping_finding(c, None, "every request")),
        None => {}
        Some((m, _)) => {
            let loaded_stage = match &c.ev.config {
                ConfigEvidence::Loaded { stage, .. } => stage.clone(),
                _ => None,
            };
            let caller_names_stage = m.stage.is_empty() || m.stage == front::domain::NONE;
            let other_stage = loaded_stage
                .as_deref()
                .filter(|s| !caller_names_stage && *s != m.stage);
            let api_id = c.fix.api_id.as_deref();
            let other_api = api_id.filter(|id| !m.api_id.is_empty() && *id != m.api_id);
            if other_stage.is_some() || other_api.is_some() {
                let named = format!(
                    "{}{}",
                    api_id
                        .map(|i| format!("API {i}"))
                        .unwrap_or_else(|| "the API".into()),
                    loaded_stage
                        .as_deref()
                        .map(|s| format!(", stage {s}"))
                        .unwrap_or_default()
                );
                let base = m.normalized().to_string();
                out.push(
                    Finding::error(
                        C::CustomDomainWrongStage,
                        format!(
                            "The base path mapping {}/{} sends this URL to API {}, stage {}, not to {named} diagnosed here: the configuration read is not the one that answers the browser.",
                            domain.domain_name,
                            m.cli_base_path(),
                            m.api_id,
                            m.stage
                        ),
                    )
                    .cites("config")
                    .fix(
                        format!(
                            "Either diagnose what the URL reaches (--api-id {} --stage {}), or point the mapping at {named} if that is where the app should go. In IaC: the Stage (and RestApiId) of the AWS::ApiGateway::BasePathMapping, Terraform aws_api_gateway_base_path_mapping.stage_name.",
                            m.api_id, m.stage
                        ),
                        c.fix.base_path_mapping(&domain.domain_name, &base, true),
                    ),
                );
            }
        }
    }
    out.extend(domain.problems().into_iter().map(|p| {
        Finding::warning(C::CustomDomainWrongStage, p)
            .cites("config")
            .fix(
                "Use a single-level base path on an edge-optimized domain, or a regional custom domain for multi-level base paths.",
                Vec::<String>::new(),
            )
    }));
    out
}

/// Step 6: the actual request met the domain's 403 or a resource-policy deny without CORS
/// headers (`None`: not this module's exchange; the generic step 6 judges it).
pub(super) fn actual_findings(c: &Ctx, act: &Exchange) -> Option<Vec<Finding>> {
    let resp = act.response.as_ref()?;
    if outside_vpc(c.ev, act) {
        // Step 3 reported it when a preflight met the public endpoint first.
        let preflighted = c.preflight.is_some_and(|pf| outside_vpc(c.ev, pf));
        return Some(if preflighted {
            Vec::new()
        } else {
            vec![outside_vpc_finding(c, act, "The request")]
        });
    }
    if no_mapping(c, act) {
        // Step 3 reported it when a preflight met the domain first.
        let preflighted = c.preflight.is_some_and(|pf| no_mapping(c, pf));
        return Some(if preflighted {
            Vec::new()
        } else {
            vec![no_mapping_finding(c, Some(act), "the request")]
        });
    }
    if !policy_denied(act) {
        return None;
    }
    let Err(e) = cors::check_actual(&c.ev.target, resp) else {
        return Some(Vec::new());
    };
    Some(vec![Finding::error(
        C::ResourcePolicyDenied,
        format!(
            "The API's resource policy denies the request: API Gateway answers 403 AccessDeniedException (\"{}\") with its ACCESS_DENIED gateway response, which fails the CORS check ({}), so the browser hides the 403 behind a CORS error.",
            crate::text::shorten(&message(resp), 200),
            e.kind.name()
        ),
    )
    .cites(&act.id)
    .fix(
        "Keep the resource policy (it decides who may call the API) and add Access-Control-Allow-Origin to the gateway response that answers the deny (ACCESS_DENIED, which DEFAULT_4XX covers while ACCESS_DENIED is not customized), so the browser shows the real 403. Then either call from where the policy allows, or allow this caller in the policy: its address range or VPC endpoint in the condition of the statement that denies, never Principal * without a condition.",
        c.fix.gateway_response_cors("ACCESS_DENIED"),
    )])
}

/// The `message` of an API Gateway JSON error body (the body itself when it has none).
fn message(resp: &crate::evidence::RecordedResponse) -> String {
    serde_json::from_str::<serde_json::Value>(&resp.body_excerpt)
        .ok()
        .and_then(|v| {
            v.get("message")
                .or_else(|| v.get("Message"))
                .and_then(|m| m.as_str().map(str::to_string))
        })
        .unwrap_or_else(|| resp.body_excerpt.clone())
}
