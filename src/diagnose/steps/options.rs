//! Steps 1–4: does the request fail without a browser, what does the browser send first,
//! does OPTIONS answer, and does it answer without credentials.

use super::{preflight_answer, status_text, who, Ctx};
use crate::diagnose::classify::{explain_gateway_error, PreflightClass};
use crate::diagnose::draft::Draft;
use crate::diagnose::findings::{Finding, FindingCode as C};
use crate::evidence::AnsweredBy;

// ---------------------------------------------------------------------------------------------
// 1. browser-only

pub(in crate::diagnose) fn browser_only(c: &Ctx) -> Draft {
    let Some(bare) = c.bare else {
        return Draft::unknown(1, "The request without Origin was not sent.");
    };
    if let Some(err) = bare
        .error
        .as_ref()
        .filter(|e| e.kind == crate::evidence::FailureKind::NotRecorded)
    {
        // A HAR: the browser never sends this request, so it cannot be in the recording.
        return Draft::unknown(1, crate::diagnose::sentence(&err.message));
    }
    if let Some(err) = &bare.error {
        let f = Finding::error(
            C::NetworkError,
            format!("The request fails without a browser too: {} This is not a CORS problem.", crate::diagnose::sentence(err.message.trim_end_matches('.'))),
        )
        .cites(&bare.id)
        .fix(
            "Check the URL, DNS, the network path and TLS; curl -v the same URL to see the failure.",
            vec![crate::diagnose::remedy::curl("-v", &c.plan.method, &crate::redact::url(&bare.request.url), [], None)],
        );
        return Draft::judged(1, vec![f], "");
    }
    let Some(resp) = &bare.response else {
        return Draft::unknown(1, "The request without Origin got no answer.");
    };
    let mut findings = Vec::new();
    // CloudFront refusing the method itself (its allowed methods).
    findings.extend(super::front_cloudfront::method_not_allowed(c, bare));
    if resp.status >= 400 {
        let who = match (&bare.answered_by, &bare.gateway_error_type) {
            (AnsweredBy::Waf, _) => format!("AWS WAF blocks it ({})", status_text(bare)),
            (AnsweredBy::FunctionUrl | AnsweredBy::LoadBalancer, _) => {
                format!("{} answers {}", bare.answered_by.words(), resp.status)
            }
            (AnsweredBy::Gateway, Some(t)) => format!(
                "API Gateway itself answers {} {t}: {}",
                resp.status,
                explain_gateway_error(t, resp.status)
            ),
            // An HTTP API's own error (no x-amzn-ErrorType), or one that may be.
            (AnsweredBy::Gateway | AnsweredBy::GatewayOrBackend, None) => {
                format!("{} answers {}", who(c, bare), resp.status)
            }
            (AnsweredBy::Backend, _) => format!("the backend answers {}", resp.status),
            (AnsweredBy::Cloudfront, _) => format!("CloudFront answers {}", resp.status),
            _ => format!("the server answers {}", resp.status),
        };
        let hint: String = match bare.gateway_error_type.as_deref() {
            _ if bare.answered_by == AnsweredBy::Waf => "Keep the rule; find out which rule blocks the request (the web ACL's sampled requests or logs name the terminating rule) and why it matches.",
            Some("MissingAuthenticationTokenException") => "Check the method and path exist on this stage (and the stage or base path is in the URL); an IAM-authorized method needs SigV4 signing.",
            Some("UnauthorizedException") | Some("AccessDeniedException") => "Send a valid token for the authorizer (the browser app must send it too).",
            Some("ForbiddenException") => "Send a valid x-api-key (or check the AWS WAF rules on the stage).",
            Some("TooManyRequestsException") | Some("LimitExceededException") => "Raise the stage/method/usage-plan throttling limits or slow the client down.",
            // An HTTP API's 401/403 (no x-amzn-ErrorType): its authorizer's, or maybe the backend's.
            None if matches!(resp.status, 401 | 403) && bare.answered_by == AnsweredBy::Gateway => "Send a valid token for the route's authorizer, or a SigV4 signature for IAM (the browser app must send it too).",
            None if matches!(resp.status, 401 | 403) && bare.answered_by == AnsweredBy::GatewayOrBackend => "Send a valid token for the route's authorizer, or a SigV4 signature for IAM (the browser app must send it too); if the route has no authorization, the backend refuses the request: check what it expects.",
            _ if resp.status >= 500 => "Look at the backend's logs (CloudWatch for Lambda) for this request.",
            _ => "Fix the request or the API so that it succeeds without a browser first.",
        }
        .to_string();
        // A custom domain, a resource policy or a private API's public name answered.
        // … or a load balancer's own error page.
        let (who, hint) = super::front_domain::bare_cause(c, bare)
            .or_else(|| super::front_function_url::bare_cause(bare))
            .unwrap_or((who, hint));
        findings.push(
            Finding::error(
                C::FailsWithoutBrowser,
                format!("The request fails without a browser too: {who}. The real problem is not (only) CORS."),
            )
            .cites(&bare.id)
            .fix(hint, vec![]),
        );
    }
    let summary = match c.actual.and_then(|a| a.status()) {
        Some(s) => format!(
            "Without Origin the request gets {}; with Origin {s}.",
            status_text(bare)
        ),
        None => format!("Without Origin the request gets {}.", status_text(bare)),
    };
    Draft::judged(1, findings, summary)
}

// ---------------------------------------------------------------------------------------------
// 2. preflight

pub(in crate::diagnose) fn preflight(c: &Ctx) -> Draft {
    let mut findings = Vec::new();
    let summary;
    if c.plan.required {
        let reasons: Vec<String> = c.plan.reasons.iter().map(|r| r.to_string()).collect();
        summary = format!("A preflight is sent: {}.", reasons.join("; "));
        let mut f = Finding::info(
            C::PreflightRequired,
            format!(
                "The browser first sends OPTIONS with Access-Control-Request-Method: {}{}, because {}.",
                c.plan.method,
                if c.plan.request_headers.is_empty() {
                    String::new()
                } else {
                    format!(" and Access-Control-Request-Headers: {}", c.plan.request_headers.join(","))
                },
                reasons.join("; ")
            ),
        );
        if let Some(p) = c.preflight {
            f = f.cites(&p.id);
        }
        findings.push(f);
    } else {
        summary = "No preflight: a simple request (safelisted method and headers).".to_string();
        findings.push(Finding::info(
            C::NoPreflight,
            format!(
                "{} with only CORS-safelisted headers is a simple request: the browser sends it directly and checks only its response.",
                c.plan.method
            ),
        ));
    }
    for note in &c.plan.notes {
        findings.push(Finding::info(
            if c.plan.required {
                C::PreflightRequired
            } else {
                C::NoPreflight
            },
            note.clone(),
        ));
    }
    Draft::judged(2, findings, summary.clone()).summarized(summary)
}

// ---------------------------------------------------------------------------------------------
// 3. options-exists

pub(in crate::diagnose) fn options_exists(c: &Ctx) -> Draft {
    let (pf, class) = match preflight_answer(c, 3) {
        Ok(answer) => answer,
        Err(step) => return *step,
    };
    // Layers in front: a function URL / load balancer instead of API Gateway, AWS WAF.
    if let Some(d) = super::front_function_url::not_api_gateway(c, 3) {
        return d;
    }
    if let Some(d) = super::front_waf::preflight_blocked(c, pf) {
        return d;
    }
    let mut findings = Vec::new();
    // CloudFront in front refuses OPTIONS itself: the API's OPTIONS is never reached.
    // Or answers it with its own error (a 403 from a geographic restriction, a 5xx).
    if let Some(f) = super::front_cloudfront::method_not_allowed(c, pf)
        .or_else(|| super::front_cloudfront::error_no_cors(c, pf))
    {
        findings.push(f);
        return Draft::judged(3, findings, "");
    }
    match class {
        PreflightClass::Redirect { status, location } => findings.push(
            Finding::error(
                C::PreflightRedirected,
                format!(
                    "The preflight is answered with a {status} redirect{}; browsers never follow a redirected preflight.",
                    location.map(|l| format!(" to {l}")).unwrap_or_default()
                ),
            )
            .cites(&pf.id)
            .fix(
                "Call the final URL directly from the app (fix the scheme, host, stage or trailing slash), or make the server answer OPTIONS without redirecting.",
                vec![],
            ),
        ),
        PreflightClass::MethodMissing { .. } => {
            // `status_text`: no double space when there is no error type.
            let mut msg = format!(
                "No OPTIONS method answers for {}: the preflight gets {} from {}.",
                c.path(),
                status_text(pf),
                who(c, pf)
            );
            if pf.answered_by == AnsweredBy::Gateway && c.facts.is_none() {
                msg.push_str(" (The same answer comes from an IAM-authorized OPTIONS, an OPTIONS method added but not deployed, or a wrong base path; the API configuration would tell which.)");
            }
            findings.push(
                Finding::error(C::OptionsMissing, msg)
                    .cites(&pf.id)
                    .fix(
                        if c.fix.http {
                            "Configure CORS on the HTTP API: API Gateway then answers preflights itself."
                        } else if c.is_gateway_api() {
                            "Add an OPTIONS method (MOCK integration, no authorization) that returns the CORS headers, then deploy the stage."
                        } else {
                            "Make the server answer OPTIONS for this path with 2xx and the Access-Control-Allow-* headers."
                        },
                        if c.is_gateway_api() { c.fix.add_options_method() } else { Default::default() },
                    ),
            );
        }
        _ => {}
    }
    findings.extend(super::front_domain::preflight_findings(c, pf));
    findings.extend(super::front_domain::config_findings(c));
    let ok = if c.assumed(pf) {
        format!(
            "OPTIONS {} is passed to the integration's backend: offline, its answer is assumed, not known (step 5).",
            c.path()
        )
    } else {
        format!(
            "OPTIONS answers for {} ({} from {}).",
            c.path(),
            status_text(pf),
            who(c, pf)
        )
    };
    Draft::judged(3, findings, ok)
}

// ---------------------------------------------------------------------------------------------
// 4. options-unauthorized

pub(in crate::diagnose) fn options_unauthorized(c: &Ctx) -> Draft {
    let (pf, class) = match preflight_answer(c, 4) {
        Ok(answer) => answer,
        Err(step) => return *step,
    };
    if let Some(d) = super::front_function_url::not_api_gateway(c, 4) {
        return d;
    }
    if pf.answered_by == AnsweredBy::Waf {
        return Draft::skip(
            4,
            "AWS WAF blocked the preflight before the OPTIONS method (step 3).",
        );
    }
    if super::front_domain::outside_vpc(c.ev, pf) {
        return Draft::skip(
            4,
            "API Gateway's public endpoint answered the preflight (step 3): the private API's OPTIONS was not reached.",
        );
    }
    let mut findings = Vec::new();
    if super::front_cloudfront::answered_by_cloudfront(pf) {
        return Draft::skip(
            4,
            "CloudFront answered the preflight itself (step 3): the API's OPTIONS was not reached.",
        );
    }
    match class {
        PreflightClass::MethodMissing { .. } | PreflightClass::Redirect { .. } => {
            return Draft::skip(4, "There is no OPTIONS method to check yet (step 3).");
        }
        PreflightClass::Authorized { status, error_type } => findings.push(
            Finding::error(
                C::OptionsAuthorized,
                format!(
                    "OPTIONS is guarded by an authorizer: the preflight gets {status} {error_type}. Browsers never send credentials on a preflight, so it can never pass."
                ),
            )
            .cites(&pf.id)
            .fix(
                if c.fix.http {
                    "Add an OPTIONS /{proxy+} route without authorization, with an integration attached: it has priority over $default and ANY routes, so preflights no longer meet the authorizer (a cors_configuration alone does not help while an authorized route catches OPTIONS). Keep the authorizer on the real routes."
                } else {
                    "Set authorization to NONE on the OPTIONS method only (keep it on the real methods). In SAM/CDK, exclude OPTIONS from the default authorizer (AddDefaultAuthorizerToCorsPreflight: false / defaultCorsPreflightOptions)."
                },
                c.fix.unauthorize_options(),
            ),
        ),
        PreflightClass::ApiKey { status } => findings.push(
            Finding::error(
                C::OptionsApiKeyRequired,
                format!(
                    "OPTIONS requires an API key: the preflight gets {status} ForbiddenException. Browsers send no x-api-key on a preflight. (An AWS WAF block looks the same: check the stage's web ACL if OPTIONS has no API key requirement.)"
                ),
            )
            .cites(&pf.id)
            .fix(
                "Turn off apiKeyRequired on the OPTIONS method only.",
                c.fix.unauthorize_options(),
            ),
        ),
        _ => {}
    }
    Draft::judged(4, findings, "OPTIONS runs without credentials.")
}
