//! Step 5: the CORS headers of the preflight and of the actual response (and, when the API
//! reflects any origin, the security risk).

use super::{status_text, who, Ctx};
use crate::cors::{self, CorsErrorKind, FailedAt, FOREIGN_ORIGIN};
use crate::diagnose::classify::PreflightClass;
use crate::diagnose::draft::{Draft, Quiet};
use crate::diagnose::findings::{Finding, FindingCode as C};
use crate::evidence::{AnsweredBy, Exchange, ExchangeKind};

// ---------------------------------------------------------------------------------------------
// 5. cors-headers

pub(in crate::diagnose) fn cors_headers(c: &Ctx) -> Draft {
    let mut findings = Vec::new();
    // What could not be checked, in words ("the preflight got no answer: …").
    let mut unchecked: Vec<String> = Vec::new();
    if c.plan.required {
        match (c.preflight, c.preflight_class()) {
            // CloudFront refused OPTIONS itself (step 3): the API's headers were never seen.
            (Some(pf), _) if super::front_cloudfront::answered_by_cloudfront(pf) => {
                unchecked.push(format!(
                    "CloudFront answered the preflight itself with {} (step 3)",
                    status_text(pf)
                ))
            }
            // A load balancer's own error page: its targets, not CORS headers.
            (Some(pf), _) if super::front_function_url::load_balancer_page(pf) => findings.extend(
                super::front_function_url::load_balancer_error(pf, "The preflight"),
            ),
            (Some(pf), Some(PreflightClass::Ok { .. })) if c.assumed(pf) => {
                findings.push(assumption_finding(c, pf, C::PreflightCorsHeaders, &format!("The preflight (OPTIONS {})", c.path()), "answers it with 2xx and the right Access-Control-Allow-Origin, -Methods and -Headers"));
            }
            (Some(pf), Some(PreflightClass::Ok { .. }))
            | (Some(pf), Some(PreflightClass::BadStatus { .. }))
                if !super::front_domain::answered_in_front(c, pf) =>
            {
                findings.extend(preflight_header_findings(c, pf));
            }
            (_, Some(PreflightClass::NoResponse(msg))) => {
                unchecked.push(format!("the preflight got no answer: {msg}"))
            }
            (None, _) => unchecked.push("the preflight was not sent".to_string()),
            (Some(pf), _) => unchecked.push(format!(
                "{} answered the preflight itself with {} (steps 3 and 4)",
                who(c, pf),
                status_text(pf)
            )),
        }
    }
    match c.actual {
        // CloudFront's own error (step 6 or 1): the API's headers were never seen.
        Some(act) if super::front_cloudfront::answered_by_cloudfront(act) => {}
        // A load balancer's own error page (named once, at the preflight when it met one).
        Some(act) if super::front_function_url::load_balancer_page(act) => {
            let named = c.plan.required
                && c.preflight
                    .is_some_and(super::front_function_url::load_balancer_page);
            findings.extend(
                super::front_function_url::load_balancer_error(act, "The request")
                    .filter(|_| !named),
            );
        }
        Some(act) if c.assumed(act) => findings.push(assumption_finding(
            c,
            act,
            C::ActualCorsHeaders,
            &format!("{} {}", c.ev.target.method, c.path()),
            "returns Access-Control-Allow-Origin for this origin on every response, errors included",
        )),
        // The custom domain or the resource policy answered: step 3 or 6 names it.
        Some(act) if super::front_domain::answered_in_front(c, act) => unchecked.push(format!(
            "{} answered the actual request itself with {} (step 6), so the integration's headers were never seen",
            who(c, act),
            status_text(act)
        )),
        Some(act) => {
            findings.extend(super::front_function_url::duplicate_cors(c));
            findings.extend(actual_header_findings(c, act));
        }
        None => {}
    }
    match c.actual {
        None => unchecked.push("the actual request was not sent".to_string()),
        Some(act) => match (&act.response, &act.error) {
            (None, Some(e)) => unchecked.push(format!(
                "the actual request got no answer: {}",
                e.message.trim_end_matches('.')
            )),
            (None, None) => unchecked.push("the actual request got no answer".to_string()),
            (Some(_), _) if super::front_cloudfront::answered_by_cloudfront(act) => unchecked.push(format!(
                "CloudFront answered the actual request itself with {} (step 6), so the API's headers were never seen",
                status_text(act)
            )),
            // Gateway-generated errors (and AWS WAF's blocks) are step 6's business.
            (Some(_), _) if super::front_domain::answered_in_front(c, act) => {}
            (Some(_), _)
                if matches!(act.answered_by, AnsweredBy::Gateway | AnsweredBy::Waf) =>
            {
                unchecked.push(format!(
                    "{} answered the actual request itself with {} (step 6), so the integration's headers were never seen",
                    act.answered_by.words(),
                    status_text(act)
                ))
            }
            _ => {}
        },
    }
    // Headers the prediction assumed are not the API's: no security finding about them.
    for x in [c.preflight, c.actual].into_iter().flatten() {
        if !c.assumed(x) {
            findings.extend(security_findings(x));
        }
    }
    findings.extend(reflection_finding(c));
    // CloudFront's cache and edge code cause what the browser sees: their findings first.
    let mut causes = super::front_cloudfront::duplicate_cors_headers(c);
    causes.extend(super::front_cloudfront::cache_ignores_origin(c));
    findings.splice(0..0, causes);
    let judged: Vec<&str> = [
        (c.plan.required, c.preflight, "the preflight"),
        (true, c.actual, "the actual response"),
    ]
    .into_iter()
    .filter(|(needed, x, _)| {
        *needed
            && x.is_some_and(|x| {
                // Not a gateway-generated error (an HTTP API's own preflight answer is judged).
                x.response.as_ref().is_some_and(|r| {
                    !matches!(x.answered_by, AnsweredBy::Gateway | AnsweredBy::Waf)
                        || (200..300).contains(&r.status)
                }) && !c.assumed(x)
                    && !super::front_domain::answered_in_front(c, x)
                    && !super::front_cloudfront::answered_by_cloudfront(x)
                    && !super::front_function_url::load_balancer_page(x)
            })
    })
    .map(|(_, _, what)| what)
    .collect();
    if unchecked.is_empty() {
        let summary = format!("The CORS headers on {} are right.", judged.join(" and "));
        return Draft::judged(5, findings, summary);
    }
    // A pass needs both answers (the preflight when one is sent): say what was not checked.
    let summary = if judged.is_empty() {
        format!("Not checked: {}", unchecked.join("; "))
    } else {
        format!(
            "The CORS headers on {} are right; not checked: {}",
            judged.join(" and "),
            unchecked.join("; ")
        )
    };
    Draft::new(
        5,
        findings,
        Quiet::Unknown(crate::diagnose::sentence(&summary)),
    )
}

fn preflight_header_findings(c: &Ctx, pf: &Exchange) -> Vec<Finding> {
    let Some(resp) = &pf.response else {
        return vec![];
    };
    let result = cors::check_preflight(&c.ev.target, c.plan, resp, c.mode);
    let err = match result {
        Ok(warnings) => {
            return warnings
                .into_iter()
                .map(|w| Finding::warning(C::PreflightCorsHeaders, w).cites(&pf.id))
                .collect()
        }
        Err(e) => e,
    };
    if err.kind == CorsErrorKind::PreflightInvalidStatus {
        return vec![Finding::error(
            C::PreflightBadStatus,
            format!(
                "The preflight gets {} from {}, not a 2xx: the browser rejects it even though the CORS headers are there.",
                status_text(pf),
                who(c, pf)
            ),
        )
        .cites(&pf.id)
        .fix(
            if pf.answered_by == AnsweredBy::Gateway {
                "Make the OPTIONS method answer 200: a MOCK integration needs the request template {\"statusCode\": 200} and a 200 integration response."
            } else {
                "Make the server answer OPTIONS with 200 or 204."
            },
            if c.is_gateway_api() { c.fix.add_options_method() } else { Default::default() },
        )];
    }
    let mapped_by_mock = pf.answered_by != AnsweredBy::Gateway && c.fix.rest && c.is_gateway_api();
    vec![Finding::error(
        C::PreflightCorsHeaders,
        format!("The preflight answer fails the browser's check ({}): {}", err.kind.name(), err.console_tail()),
    )
    .cites(&pf.id)
    .fix(
        if c.fix.http {
            "Set the HTTP API's CORS configuration to allow this origin, method and headers.".to_string()
        } else if mapped_by_mock {
            format!(
                "Return these headers from OPTIONS, each declared in the method response and mapped in the integration response: {} (a list may hold more entries; the commands keep those already there).",
                c.fix
                    .preflight_headers()
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        } else {
            format!(
                "Make OPTIONS answer with {} (a list may hold more entries).",
                c.fix
                    .preflight_headers()
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        },
        if c.is_gateway_api() { c.fix.fix_options_headers() } else { Default::default() },
    )]
}

fn actual_header_findings(c: &Ctx, act: &Exchange) -> Vec<Finding> {
    let Some(resp) = &act.response else {
        return vec![];
    };
    // Gateway-generated errors (and AWS WAF's blocks) are step 6's business.
    if matches!(act.answered_by, AnsweredBy::Gateway | AnsweredBy::Waf) {
        return vec![];
    }
    let mut out = Vec::new();
    match cors::check_actual(&c.ev.target, resp) {
        Err(e) => {
            let blocked_at_preflight = c.verdict.failed_at == Some(FailedAt::Preflight);
            let prefix = if blocked_at_preflight {
                "Once the preflight passes, the actual response will still be blocked"
            } else {
                "The actual response is blocked"
            };
            out.push(
                Finding::error(
                    C::ActualCorsHeaders,
                    format!(
                        "{prefix} ({}, status {}): {}",
                        e.kind.name(),
                        resp.status,
                        e.console_tail()
                    ),
                )
                .cites(&act.id)
                .fix(
                    match act.answered_by {
                        // Not API Gateway: nothing of its configuration adds the header.
                        AnsweredBy::FunctionUrl | AnsweredBy::LoadBalancer => format!(
                            "{} answered, not API Gateway: make it return Access-Control-Allow-Origin: {} exactly once on every response, errors included (this one was {}).",
                            act.answered_by.words(),
                            c.fix.allow_origin(),
                            resp.status
                        ),
                        _ => actual_fix_text(c, resp.status),
                    },
                    match act.answered_by {
                        AnsweredBy::FunctionUrl | AnsweredBy::LoadBalancer => Default::default(),
                        // An HTTP API's CORS configuration sets these headers itself.
                        _ if c.fix.http && c.is_gateway_api() => {
                            c.fix.http_actual_cors_configuration()
                        }
                        _ => Default::default(),
                    },
                ),
            );
        }
        Ok(()) => {
            let aco = resp
                .headers
                .get("access-control-allow-origin")
                .unwrap_or_default();
            let varies = resp.headers.get_all("vary").any(|v| {
                v.split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case("origin") || t.trim() == "*")
            });
            if aco != "*" && !varies {
                out.push(
                    Finding::info(
                        C::ActualCorsHeaders,
                        "Access-Control-Allow-Origin names the origin but the response has no Vary: Origin: if the value is computed from the request's Origin, a cache (CloudFront, the browser) can serve one origin's answer to another.",
                    )
                    .cites(&act.id)
                    .fix("Add Vary: Origin to responses whose Access-Control-Allow-Origin depends on the request.", vec![]),
                );
            }
        }
    }
    out
}

fn actual_fix_text(c: &Ctx, status: u16) -> String {
    let creds = if c.fix.credentials == crate::target::CredentialsMode::Include {
        " and Access-Control-Allow-Credentials: true (never with *)"
    } else {
        ""
    };
    if c.fix.http {
        let creds = if c.fix.credentials == crate::target::CredentialsMode::Include {
            " with AllowCredentials true (never with the origin *)"
        } else {
            ""
        };
        return format!("The HTTP API's CORS configuration adds the headers (backend CORS headers are replaced by it): allow this origin there{creds}.");
    }
    format!(
        "With a proxy integration (Lambda proxy, HTTP proxy) API Gateway passes the backend's answer through: the backend must return Access-Control-Allow-Origin: {}{creds} on every response, errors included (this one was {status}). For a non-proxy integration, declare the header in the method response and map it in the integration response.",
        c.fix.allow_origin()
    )
}

/// A warning that an offline prediction assumed what a proxy backend answers to `what`.
fn assumption_finding(c: &Ctx, x: &Exchange, code: C, what: &str, assumed: &str) -> Finding {
    let api = if c.fix.http { "HTTP API" } else { "REST API" };
    Finding::warning(
        code,
        format!(
            "{what} goes to a proxy integration of this {api}, so its backend decides the answer and the CORS headers. Offline that answer is unknown: cors-doctor assumed the backend {assumed}. Check it against the live URL (cors-doctor check URL …)."
        ),
    )
    .cites(&x.id)
    .cites("config")
}

/// Does the API allow an origin nobody configured on purpose? (The foreign-origin preflight.)
fn reflection_finding(c: &Ctx) -> Option<Finding> {
    let x = c.ev.exchange(ExchangeKind::ForeignOrigin)?;
    if c.assumed(x) {
        return None;
    }
    let resp = x.response.as_ref()?;
    let allowed = resp
        .headers
        .get("access-control-allow-origin")
        .map(str::trim)?;
    if !(200..300).contains(&resp.status) || allowed != FOREIGN_ORIGIN {
        return None;
    }
    let credentials = resp
        .headers
        .get("access-control-allow-credentials")
        .is_some_and(|v| v.trim() == "true");
    let impact = if credentials {
        "with Access-Control-Allow-Credentials: true, so any web site can read your users' responses with their cookies"
    } else {
        "so any web site can call the API from a visitor's browser"
    };
    Some(
        Finding::warning(
            C::CorsSecurityRisk,
            format!("The API reflects any origin: a preflight from {FOREIGN_ORIGIN} was allowed, {impact}."),
        )
        .cites(&x.id)
        .fix(
            "Allow an explicit list of origins and compare them exactly (no prefix, suffix or unescaped-dot regex matching; never trust 'null').",
            vec![],
        ),
    )
}

fn security_findings(x: &Exchange) -> Vec<Finding> {
    let Some(resp) = &x.response else {
        return vec![];
    };
    let aco = resp
        .headers
        .get("access-control-allow-origin")
        .map(str::trim);
    let acc = resp
        .headers
        .get("access-control-allow-credentials")
        .map(str::trim);
    let mut out = Vec::new();
    if aco == Some("null") {
        out.push(
            Finding::warning(
                C::CorsSecurityRisk,
                "Access-Control-Allow-Origin: null trusts sandboxed iframes and file:// pages, which any attacker can create.",
            )
            .cites(&x.id),
        );
    }
    if aco == Some("*") && acc == Some("true") {
        out.push(
            Finding::warning(
                C::CorsSecurityRisk,
                "Access-Control-Allow-Origin: * is combined with Access-Control-Allow-Credentials: true: browsers refuse it, and the usual \"fix\" (reflecting any origin) would expose credentialed data to every site. Allow an explicit list of origins.",
            )
            .cites(&x.id),
        );
    }
    out
}
