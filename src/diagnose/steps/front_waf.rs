//! AWS WAF in the diagnosis: who blocked (attribution with the configuration), and the
//! `WAF_BLOCKED` findings of step 3 (the preflight never reaches OPTIONS) and step 6 (the
//! block answer and its CORS headers).
//!
//! Live, API Gateway's default `WAF_FILTERED` answer (403 `ForbiddenException`,
//! `{"message":"Forbidden"}`) is the same as a missing API key's (`gateway::front::waf`): the
//! attribution moves to `waf` only when the configuration shows a web ACL on the stage
//! (`webAclArn`, which the SDK reads with `GetStage`, or a scenario's `front.waf`) and the
//! method requires no API key. Without that, the steps keep saying "API key (or an AWS WAF
//! block)".

use super::Ctx;
use crate::cors;
use crate::diagnose::draft::Draft;
use crate::diagnose::findings::{Finding, FindingCode as C};
use crate::evidence::{AnsweredBy, ConfigEvidence, Evidence, Exchange};
use crate::gateway::front::waf::{Decision, Scope};
use crate::http::HttpRequest;

/// The web ACL the configuration shows on the stage: its name (or ARN), `None` without one.
fn web_acl(ev: &Evidence) -> Option<String> {
    let ConfigEvidence::Loaded {
        api, stage, front, ..
    } = &ev.config
    else {
        return None;
    };
    if let Some(w) = front.waf.as_deref().filter(|w| w.scope == Scope::Regional) {
        return Some(w.name.clone());
    }
    let stage = stage.as_deref()?;
    api.stages
        .iter()
        .find(|s| s.name == stage)
        .and_then(|s| s.web_acl_arn.clone())
}

/// True when the configuration settles a 403 `ForbiddenException` as AWS WAF's: a web ACL on
/// the stage and no API key required by the method that answered.
pub(in crate::diagnose) fn settles_as_waf(ev: &Evidence, x: &Exchange) -> bool {
    let forbidden = x.answered_by == AnsweredBy::Gateway
        && x.status() == Some(403)
        && x.gateway_error_type.as_deref() == Some("ForbiddenException");
    if !forbidden || web_acl(ev).is_none() {
        return false;
    }
    let Some((facts, preflight)) = crate::diagnose::classify::exchange_facts(ev, x) else {
        return false;
    };
    let key_required = facts.rest.as_ref().is_some_and(|r| {
        let m = if preflight { &r.options } else { &r.actual };
        m.as_ref().is_some_and(|m| m.api_key_required)
    });
    !key_required
}

/// The rule of the configured web ACL that blocks `x`'s request, in words (`rule
/// 'no-script'`, `its default action`), when the configuration holds the rules.
fn blocking_rule(c: &Ctx, x: &Exchange) -> Option<String> {
    let ConfigEvidence::Loaded { front, .. } = &c.ev.config else {
        return None;
    };
    let acl = front.waf.as_deref()?;
    let url = url::Url::parse(&x.request.url).ok();
    let request = HttpRequest {
        method: x.request.method.clone(),
        path_and_query: url
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
            .unwrap_or_default(),
        headers: x.request.headers.clone(),
        body: x.request.body.clone().unwrap_or_default().into_bytes(),
    };
    match acl.decide(&request) {
        Decision::Block {
            rule: Some(rule), ..
        } => Some(format!("web ACL '{}', rule '{rule}'", acl.name)),
        Decision::Block { rule: None, .. } => {
            Some(format!("web ACL '{}', its default action", acl.name))
        }
        Decision::Allow => Some(format!("web ACL '{}'", acl.name)),
    }
}

fn acl_words(c: &Ctx, x: &Exchange) -> String {
    match blocking_rule(c, x).or_else(|| web_acl(c.ev).map(|a| format!("web ACL {a}"))) {
        Some(w) => format!("AWS WAF ({w})"),
        None => "AWS WAF".to_string(),
    }
}

/// True when the block answer is API Gateway's `WAF_FILTERED` gateway response (not a WAF
/// custom response, which carries no `x-amzn-ErrorType`).
fn gateway_response(x: &Exchange) -> bool {
    x.response
        .as_ref()
        .is_some_and(|r| r.headers.contains("x-amzn-errortype"))
}

/// Step 3 when AWS WAF blocked the preflight: it never reached the OPTIONS method.
pub(in crate::diagnose) fn preflight_blocked(c: &Ctx, pf: &Exchange) -> Option<Draft> {
    if pf.answered_by != AnsweredBy::Waf {
        return None;
    }
    let status = pf.status()?;
    let finding = Finding::error(
        C::WafBlocked,
        format!(
            "{} blocks the preflight (OPTIONS {}) with {status} before API Gateway handles it: the OPTIONS method is never reached, and a preflight needs a 2xx whatever headers the block carries.",
            acl_words(c, pf),
            c.path()
        ),
    )
    .cites(&pf.id)
    .fix(
        "Keep the rule, and exempt the browser's preflight from it: add a scope-down statement so that the rule does not match OPTIONS requests with Access-Control-Request-Method (or an allow rule for them with a lower priority number). A preflight carries no body and no credentials.",
        vec![],
    );
    Some(Draft::judged(3, vec![finding], String::new()))
}

/// Step 6 when AWS WAF blocked the actual request.
pub(in crate::diagnose) fn actual_blocked(c: &Ctx) -> Option<Draft> {
    let act = c.actual?;
    if act.answered_by != AnsweredBy::Waf {
        return None;
    }
    let resp = act.response.as_ref()?;
    let who = acl_words(c, act);
    let by_gateway = gateway_response(act);
    let answer = if by_gateway {
        format!(
            "API Gateway answers with its WAF_FILTERED gateway response ({} {})",
            resp.status,
            act.gateway_error_type
                .as_deref()
                .unwrap_or("ForbiddenException")
        )
    } else {
        format!(
            "AWS WAF answers with the web ACL's custom response ({})",
            resp.status
        )
    };
    let finding = match cors::check_actual(&c.ev.target, resp) {
        Err(e) => {
            let f = Finding::error(
                C::WafBlocked,
                format!(
                    "{who} blocks the actual request: {answer}, which fails the CORS check ({}), so the browser hides the real status {} behind a CORS error.",
                    e.kind.name(),
                    resp.status
                ),
            )
            .cites(&act.id);
            if by_gateway {
                f.fix(
                    format!(
                        "Keep the WAF rule. Add Access-Control-Allow-Origin to the WAF_FILTERED gateway response (and DEFAULT_4XX/DEFAULT_5XX) so that the browser shows the {} to the app; then find out why the rule matches this request (the web ACL's sampled requests or logs name the terminating rule).",
                        resp.status
                    ),
                    c.fix.gateway_response_cors("WAF_FILTERED"),
                )
            } else {
                f.fix(
                    format!(
                        "Keep the WAF rule. Add Access-Control-Allow-Origin: {} to the rule's custom response headers (aws wafv2 get-web-acl, add the header under Action.Block.CustomResponse.ResponseHeaders of the rule, aws wafv2 update-web-acl with the lock token), so that the browser shows the {} to the app.",
                        c.fix.allow_origin(),
                        resp.status
                    ),
                    vec![],
                )
            }
        }
        Ok(()) => Finding::warning(
            C::WafBlocked,
            format!(
                "{who} blocks the actual request: {answer}. The block answer carries CORS headers, so the browser shows the real {} to the app: not a CORS problem, the rule matches this request.",
                resp.status
            ),
        )
        .cites(&act.id)
        .fix(
            "Keep the rule; find out why it matches this request (the web ACL's sampled requests or logs name the terminating rule) and change the request, or narrow the rule's statement if the request is legitimate.",
            vec![],
        ),
    };
    Some(Draft::judged(
        6,
        vec![finding],
        format!(
            "AWS WAF blocked the actual request with {} and the answer carries CORS headers, so the browser shows the real error.",
            resp.status
        ),
    ))
}
