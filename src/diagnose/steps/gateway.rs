//! Step 6: an error API Gateway answers itself reaches the browser without CORS headers.

use super::{who, Ctx};
use crate::cors;
use crate::diagnose::classify::{explain_gateway_error, gateway_response_type};
use crate::diagnose::draft::{Draft, Quiet};
use crate::diagnose::findings::{Finding, FindingCode as C};
use crate::evidence::{AnsweredBy, Exchange};

// ---------------------------------------------------------------------------------------------
// 6. gateway-responses

pub(in crate::diagnose) fn gateway_responses(c: &Ctx) -> Draft {
    // Layers in front: a function URL / load balancer instead of API Gateway, AWS WAF.
    if let Some(d) = super::front_function_url::not_api_gateway(c, 6) {
        return d;
    }
    if let Some(d) = super::front_waf::actual_blocked(c) {
        return d;
    }
    let mut findings = Vec::new();
    // A simple request (no preflight, so step 3 is skipped): the custom domain's mapping,
    // from the configuration, is judged here.
    if !c.plan.required {
        findings.extend(super::front_domain::config_findings(c));
    }
    if let Some(act) = c.actual {
        // The custom domain's 403 or a resource-policy deny: judged with its cause named.
        let front = super::front_domain::actual_findings(c, act);
        let judged = front.is_some();
        findings.extend(front.unwrap_or_default());
        if let (Some(resp), AnsweredBy::Gateway, false) = (&act.response, act.answered_by, judged) {
            let error_type = act.gateway_error_type.clone().unwrap_or_default();
            let response_type = gateway_response_type(&error_type, resp.status);
            match cors::check_actual(&c.ev.target, resp) {
                // HTTP APIs have no gateway responses to customize.
                Err(e) if c.fix.http => findings.push(
                    Finding::error(
                        C::GatewayResponseNoCors,
                        format!(
                            "{} answers the actual request itself with {} and fails the CORS check ({}): HTTP APIs add no CORS headers to their own errors, so the browser hides the real status {} behind a CORS error.",
                            who(c, act),
                            resp.status,
                            e.kind.name(),
                            resp.status
                        ),
                    )
                    .cites(&act.id)
                    .fix(
                        format!(
                            "HTTP APIs cannot customize their error responses: fix the cause of the {} itself (for 401/403: a valid token for the route's authorizer, sent by the browser app too), or let the function authorize the request so that it can answer errors with CORS headers.",
                            resp.status
                        ),
                        vec![],
                    ),
                ),
                Err(e) => findings.push(
                    Finding::error(
                        C::GatewayResponseNoCors,
                        format!(
                            "API Gateway answers the actual request itself with {} {error_type} ({}: {}) and the gateway response fails the CORS check ({}), so the browser hides the real status {} behind a CORS error.",
                            resp.status,
                            response_type,
                            explain_gateway_error(&error_type, resp.status),
                            e.kind.name(),
                            resp.status
                        ),
                    )
                    .cites(&act.id)
                    .fix(
                        format!(
                            "Add Access-Control-Allow-Origin to the {response_type} gateway response and to DEFAULT_4XX/DEFAULT_5XX, so the browser shows the real {} error; then fix that error itself.",
                            resp.status
                        ),
                        c.fix.gateway_response_cors(response_type),
                    ),
                ),
                Ok(()) => {
                    return Draft::judged(
                        6,
                        Vec::new(),
                        format!(
                            "API Gateway answered {} {error_type} with CORS headers, so the browser shows the real error.",
                            resp.status
                        ),
                    )
                }
            }
        }
        // An HTTP API error that may be API Gateway's own (no configuration to tell): step 5
        // judges it as the backend's; say the other possibility here.
        if let (Some(resp), AnsweredBy::GatewayOrBackend) = (&act.response, act.answered_by) {
            if let (true, Err(e)) = (resp.status >= 400, cors::check_actual(&c.ev.target, resp)) {
                findings.push(
                    Finding::warning(
                        C::GatewayResponseNoCors,
                        format!(
                            "API Gateway or the backend answers the actual request with {} and it fails the CORS check ({}). The answer has the shape of an HTTP API's own error, which never carries CORS headers, but a backend can answer the same way; the API configuration (--api-id and --stage, or --openapi) would tell which.",
                            resp.status,
                            e.kind.name()
                        ),
                    )
                    .cites(&act.id)
                    .fix(
                        format!(
                            "If API Gateway sends it, fix the cause of the {} itself (for 401/403: a valid token for the route's authorizer, sent by the browser app too); HTTP APIs cannot add CORS headers to their own errors. If the backend sends it, make it return Access-Control-Allow-Origin on errors too.",
                            resp.status
                        ),
                        vec![],
                    ),
                );
            }
        }
    }
    // An error CloudFront in front produced itself, without CORS headers.
    findings.extend(
        c.actual
            .and_then(|x| super::front_cloudfront::error_no_cors(c, x)),
    );
    let unchecked = match c.actual {
        None => Some("the actual request was not sent".to_string()),
        Some(Exchange {
            response: None,
            error,
            ..
        }) => Some(match error {
            Some(e) => format!(
                "the actual request got no answer: {}",
                e.message.trim_end_matches('.')
            ),
            None => "the actual request got no answer".to_string(),
        }),
        Some(_) => None,
    };
    let quiet = match unchecked {
        Some(why) => Quiet::Unknown(crate::diagnose::sentence(&format!("Not checked: {why}"))),
        None => Quiet::Pass("No gateway-generated error reached the browser.".to_string()),
    };
    Draft::new(6, findings, quiet)
}
