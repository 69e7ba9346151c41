//! Lambda function URLs and load balancers answering instead of API Gateway: the API
//! Gateway steps (3, 4, 6) say that API Gateway is not involved instead of blaming OPTIONS
//! methods or gateway responses, and step 5 names the double-CORS trap
//! (`FUNCTION_URL_DUPLICATE_CORS`: the function URL's CORS configuration plus CORS headers
//! from the code; Lambda sends both on non-preflight answers,
//! <https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html>).
//! A load balancer's own 502/503/504 page (its targets cannot answer) is
//! `LOAD_BALANCER_ERROR_NO_CORS` (step 3's preflight or step 5's answer, judged in step 5)
//! and step 1's cause: the fix is the targets, not CORS headers
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html>).

use super::Ctx;
use crate::diagnose::draft::Draft;
use crate::diagnose::findings::{Finding, FindingCode as C};
use crate::evidence::{AnsweredBy, ConfigEvidence, Evidence, Exchange};
use crate::gateway::front::function_url::{code_cors_headers, FunctionUrl};
use crate::gateway::front::load_balancer;

/// The function URL the configuration describes (a scenario's `front.function_url`).
fn configured(ev: &Evidence) -> Option<&FunctionUrl> {
    match &ev.config {
        ConfigEvidence::Loaded { front, .. } => front.function_url.as_deref(),
        _ => None,
    }
}

/// True when the configuration says a function URL answers in API Gateway's place.
pub(in crate::diagnose) fn settles_as_function_url(ev: &Evidence, x: &Exchange) -> bool {
    configured(ev).is_some()
        && x.response.is_some()
        && matches!(
            x.answered_by,
            AnsweredBy::Backend | AnsweredBy::GatewayOrBackend | AnsweredBy::Unknown
        )
}

fn instead(x: &Exchange) -> bool {
    matches!(
        x.answered_by,
        AnsweredBy::FunctionUrl | AnsweredBy::LoadBalancer
    )
}

/// Who answered instead of API Gateway, among the exchanges of the run.
fn answering(c: &Ctx) -> Option<&'static str> {
    [c.preflight, c.actual, c.bare]
        .into_iter()
        .flatten()
        .find(|x| instead(x))
        .map(|x| x.answered_by.words())
}

/// True when `x` is a load balancer's own error page (its targets could not answer).
pub(super) fn load_balancer_page(x: &Exchange) -> bool {
    x.answered_by == AnsweredBy::LoadBalancer
        && x.response
            .as_ref()
            .is_some_and(load_balancer::is_error_page)
}

/// What a load balancer's own error page means, and what to do (the fix of step 1 and of
/// `LOAD_BALANCER_ERROR_NO_CORS`).
fn load_balancer_cause(status: u16) -> (&'static str, &'static str) {
    match status {
        503 => (
            "its target group has no registered targets",
            "Register targets in the listener's target group (or point the listener at the target group that has them).",
        ),
        504 => (
            "it could not connect to a target in time (or the target did not answer before the idle timeout)",
            "Check that the targets are running and that their security groups and network ACLs let the load balancer in on the target port; make slow requests finish within the load balancer's idle timeout.",
        ),
        _ => (
            "its target refused the connection or sent an answer it could not read",
            "Check the target group's health in the EC2 console (Target groups → Targets) and the targets themselves: the process must listen on the target port and answer HTTP; the load balancer's access logs (elb_status_code, target_status_code) say which.",
        ),
    }
}

/// Step 1: the load balancer answered the request without Origin with its own error page.
pub(super) fn bare_cause(bare: &Exchange) -> Option<(String, String)> {
    let status = bare.status().filter(|_| load_balancer_page(bare))?;
    let (why, fix) = load_balancer_cause(status);
    Some((
        format!("the load balancer answers {status} itself: {why}"),
        fix.to_string(),
    ))
}

/// `LOAD_BALANCER_ERROR_NO_CORS` for `x` (`what`: "The preflight", "The request").
pub(super) fn load_balancer_error(x: &Exchange, what: &str) -> Option<Finding> {
    let status = x.status().filter(|_| load_balancer_page(x))?;
    let (why, fix) = load_balancer_cause(status);
    Some(
        Finding::error(
            C::LoadBalancerErrorNoCors,
            format!(
                "{what} gets the load balancer's own {status} page (Server: awselb), not an answer from API Gateway or a target: {why}. A load balancer adds no CORS headers to its own pages, so the browser reports a CORS error instead of the {status}."
            ),
        )
        .cites(&x.id)
        .fix(
            format!("{fix} CORS headers cannot fix this: once a target answers, its answers must carry them."),
            Vec::<String>::new(),
        ),
    )
}

/// Steps 3, 4 and 6 when a function URL or a load balancer answered: API Gateway is not
/// involved, nothing of its configuration is to blame.
pub(in crate::diagnose) fn not_api_gateway(c: &Ctx, number: u8) -> Option<Draft> {
    let who = answering(c)?;
    let what = match number {
        3 | 4 => "there is no API Gateway OPTIONS method to check; the preflight's answer is judged in step 5",
        _ => "there are no gateway responses; the answers are judged in step 5",
    };
    Some(Draft::skip(
        number,
        format!("API Gateway is not involved: {who} answered, so {what}."),
    ))
}

/// Step 5: the actual answer of a function URL carries `Access-Control-Allow-Origin` more
/// than once.
pub(in crate::diagnose) fn duplicate_cors(c: &Ctx) -> Option<Finding> {
    let act = c.actual?;
    if act.answered_by != AnsweredBy::FunctionUrl {
        return None;
    }
    let resp = act.response.as_ref()?;
    let values: Vec<&str> = resp
        .headers
        .get_all("access-control-allow-origin")
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if values.len() < 2 {
        return None;
    }
    let spec = configured(c.ev);
    let from_code = spec.map(|s| code_cors_headers(&s.code)).unwrap_or_default();
    let function = spec
        .map(|s| s.function_name.clone())
        .unwrap_or_else(|| "my-function".to_string());
    let cause = if from_code.is_empty() {
        "the function URL's CORS configuration adds Access-Control-Allow-Origin and the function's code (or something behind it) sets it too".to_string()
    } else {
        format!(
            "the function URL's CORS configuration adds Access-Control-Allow-Origin and the function's code sets {} too",
            from_code.join(", ")
        )
    };
    let shown: Vec<String> = values
        .iter()
        .map(|v| crate::text::shorten(&crate::text::escape_controls(v), 60))
        .collect();
    Some(
        Finding::error(
            C::FunctionUrlDuplicateCors,
            format!(
                "The Lambda function URL's answer carries Access-Control-Allow-Origin {} times ('{}'): {cause}. Lambda sends both copies on non-preflight answers (only the configured ones on preflights), and the browser accepts only one value.",
                values.len(),
                shown.join(", ")
            ),
        )
        .cites(&act.id)
        .fix(
            format!(
                "Keep CORS in one place, the function URL's (as AWS recommends): remove {} from the function's response in its code, and let the function URL's CORS configuration allow {} (the command sets it; in infrastructure code: CloudFormation AWS::Lambda::Url Cors, SAM FunctionUrlConfig Cors, CDK addFunctionUrl cors, Terraform aws_lambda_function_url cors). cors-doctor fix does not make these changes: it writes only API Gateway.",
                if from_code.is_empty() { "the Access-Control-* headers".to_string() } else { from_code.join(", ") },
                c.fix.allow_origin()
            ),
            c.fix.function_url_cors(
                &function,
                spec.and_then(|s| s.cors.as_ref()),
                if from_code.is_empty() {
                    vec!["Access-Control-Allow-Origin".to_string()]
                } else {
                    from_code.clone()
                },
            ),
        ),
    )
}
