//! What a REST API's configuration says: OPTIONS missing, not deployed or guarded; CORS
//! headers declared but not mapped (or mapped but not declared); gateway responses without
//! CORS headers; a TOKEN authorizer's validation expression the request does not match.

use super::{Parts, CONFIG};
use crate::diagnose::classify::{classify_preflight, gateway_response_type, PreflightClass};
use crate::diagnose::findings::{Finding, FindingCode as C, Severity, StepStatus};
use crate::diagnose::steps::Ctx;
use crate::evidence::AnsweredBy;
use crate::gateway::inspect::{ConfigFacts, MethodFacts};
use crate::gateway::model::{AuthorizationType, AuthorizerKind};
use crate::target::CredentialsMode;

pub(super) fn refine_rest(parts: &mut Parts, c: &Ctx, facts: &ConfigFacts) {
    let Some(rest) = &facts.rest else { return };
    let path = facts
        .resource
        .as_ref()
        .map(|r| r.path.clone())
        .unwrap_or_else(|| facts.path.clone());
    if c.plan.required {
        match &rest.options {
            None if rest.options_any.as_ref().is_some_and(MethodFacts::is_guarded) => {
                if let Some(any) = &rest.options_any {
                    guarded_any_catches_options(parts, c, any, &path);
                }
            }
            None if rest.options_via_any => parts.add(3, Finding::warning(
                    C::OptionsMissing,
                    format!("{path} has no OPTIONS method; an ANY method answers OPTIONS, so its backend must answer the preflight with the CORS headers itself."),
                )
                .cites(CONFIG),
            ),
            None => parts.add(3, Finding::error(
                    C::OptionsMissing,
                    if facts.resource.is_some() {
                        format!("the resource {path} has no OPTIONS method.")
                    } else {
                        format!("no resource of the API matches {path}.")
                    },
                )
                .cites(CONFIG)
                .fix(
                    "Add an OPTIONS method (MOCK integration, no authorization) that returns the CORS headers, then deploy the stage.",
                    c.fix.add_options_method(),
                ),
            ),
            Some(options) => refine_rest_options(parts, c, options, &path),
        }
    }
    for m in [&rest.options, &rest.actual].into_iter().flatten() {
        unevaluable_patterns(parts, c, m, &path);
    }
    if let Some(actual) = &rest.actual {
        // A proxy integration's answer offline is an assumption step 5 reports as one.
        if !actual.is_proxy && actual.http_method != "OPTIONS" {
            header_mapping(parts, c, actual, &path);
        }
    }
    gateway_response_disagreement(parts, c, facts);
    gateway_responses(parts, c, facts);
    token_validation_note(parts, c, rest);
}

/// Step 6 says why API Gateway answered 401 when the configuration shows it: the TOKEN
/// authorizer's validation expression does not match what the request sends (the value is
/// never repeated: it is a credential).
fn token_validation_note(parts: &mut Parts, c: &Ctx, rest: &crate::gateway::inspect::RestFacts) {
    let crate::evidence::ConfigEvidence::Loaded { api, .. } = &c.ev.config else {
        return;
    };
    let Some(name) = rest
        .actual
        .as_ref()
        .and_then(|m| m.authorizer.as_ref())
        .map(|a| a.name.clone())
    else {
        return;
    };
    let Some(a) = api.authorizer(&name) else {
        return;
    };
    let (Some(expr), AuthorizerKind::Token) = (&a.identity_validation_expression, a.kind) else {
        return;
    };
    let Some(header) = a.identity_headers().into_iter().next() else {
        return;
    };
    let Some(value) = c.ev.target.headers.get(&header) else {
        return;
    };
    if crate::gateway::behavior::token_validation(expr, value) != Some(false) {
        return;
    }
    parts.note(
        6,
        C::GatewayResponseNoCors,
        format!("the {header} header the app sends does not match the token validation expression {expr} of the TOKEN authorizer '{name}', so API Gateway answers 401 without calling the authorizer."),
    );
}

/// Integration responses whose selection pattern cannot be evaluated (see
/// `gateway::behavior::selection`): a prediction treats them as selecting nothing, which may
/// differ from API Gateway. A warning when an exchange was predicted, else information (the
/// real gateway answered).
fn unevaluable_patterns(parts: &mut Parts, c: &Ctx, m: &MethodFacts, path: &str) {
    for p in &m.unevaluable_patterns {
        let message = format!(
            "the selection pattern of {} {path}'s integration response {} {}; cors-doctor treats it as matching nothing, so a predicted answer may differ from API Gateway's. Shorten it or use a plain regular expression (no lookaround, backreferences or possessive quantifiers).",
            m.http_method, p.status_code, p.problem
        );
        let finding = if c.actual_predicted() || c.preflight.is_some_and(|x| x.predicted) {
            Finding::warning(C::SelectionPatternUnsupported, message)
        } else {
            Finding::info(C::SelectionPatternUnsupported, message)
        };
        parts.add(5, finding.cites(CONFIG));
    }
}

/// The live (not predicted) preflight got 403 MissingAuthenticationTokenException: API
/// Gateway has no such method on what the stage serves.
fn live_method_missing(c: &Ctx) -> Option<String> {
    let pf = c.preflight.filter(|x| !x.predicted)?;
    let missing = matches!(classify_preflight(pf), PreflightClass::MethodMissing { .. })
        && pf.gateway_error_type.as_deref() == Some("MissingAuthenticationTokenException");
    missing.then(|| pf.id.clone())
}

fn refine_rest_options(parts: &mut Parts, c: &Ctx, options: &MethodFacts, path: &str) {
    let open = options.authorization == AuthorizationType::None && !options.api_key_required;
    if options.deployed != Some(false) && open {
        if let Some(id) = live_method_missing(c) {
            // The configuration has an open OPTIONS, the stage answers as for a method it does
            // not serve: the method was added after the stage's deployment (inferred when the
            // deployment's methods could not be read, or were read from another snapshot).
            parts.explain(3, C::OptionsMissing, String::new());
            parts.add(3, Finding::error(
                    C::OptionsNotDeployed,
                    format!("OPTIONS {path} exists in the configuration, yet the stage answers the preflight with 403 Missing Authentication Token, as API Gateway does for a method it does not serve: OPTIONS was most likely added after the stage's last deployment (if a deployment does not fix it, the URL does not reach this resource: check the stage and path)."),
                )
                .cites(CONFIG)
                .cites(id)
                .fix("Deploy the API to the stage (the method exists: do not add it again).", c.fix.deploy()),
            );
            if !options.is_proxy {
                header_mapping(parts, c, options, path);
            }
            return;
        }
    }
    if options.deployed == Some(false) {
        parts.explain(3, C::OptionsMissing, String::new());
        parts.add(3, Finding::error(
                C::OptionsNotDeployed,
                format!("OPTIONS {path} exists in the API but not in the deployment the stage serves: it was added after the last deployment."),
            )
            .cites(CONFIG)
            .fix("Deploy the API to the stage.", c.fix.deploy()),
        );
        return;
    }
    let auth = options.authorization;
    if auth != AuthorizationType::None {
        // IAM on OPTIONS answers like a missing method: the probes could not tell them apart.
        parts.explain(
            3,
            C::OptionsMissing,
            format!(
                "OPTIONS {path} exists, but needs {} (step 4).",
                auth.as_str()
            ),
        );
        let by = options
            .authorizer
            .as_ref()
            .map(|a| format!(" (authorizer '{}')", a.name))
            .unwrap_or_default();
        parts.reopen(4);
        parts.add(4, Finding::error(
                C::OptionsAuthorized,
                format!("OPTIONS {path} has authorization type {}{by}.", auth.as_str()),
            )
            .cites(CONFIG)
            .fix(
                "Set authorization to NONE on the OPTIONS method only (keep it on the real methods).",
                c.fix.unauthorize_options(),
            ),
        );
    }
    if options.api_key_required {
        parts.reopen(4);
        parts.add(
            4,
            Finding::error(
                C::OptionsApiKeyRequired,
                format!("OPTIONS {path} has apiKeyRequired = true."),
            )
            .cites(CONFIG)
            .fix(
                "Turn off apiKeyRequired on the OPTIONS method only.",
                c.fix.unauthorize_options(),
            ),
        );
    }
    if !options.is_proxy {
        header_mapping(parts, c, options, path);
    }
}

/// No OPTIONS method, and the `ANY` method that catches the preflight is guarded (IAM, an
/// authorizer or an API key). IAM answers an unsigned preflight 403 "Missing Authentication
/// Token", the very answer of a missing method, so the probes call it step 3; the
/// configuration shows it is step 4.
fn guarded_any_catches_options(parts: &mut Parts, c: &Ctx, any: &MethodFacts, path: &str) {
    let auth = any.authorization;
    let answer = match auth {
        AuthorizationType::AwsIam => {
            "403 Missing Authentication Token (the same answer as a missing method)"
        }
        AuthorizationType::None => "403 Forbidden (no x-api-key)",
        _ => "401 Unauthorized",
    };
    parts.explain(
        3,
        C::OptionsMissing,
        format!("OPTIONS {path} is caught by the ANY method, which is guarded (step 4)."),
    );
    parts.reopen(4);
    let by = any
        .authorizer
        .as_ref()
        .map(|a| format!(" (authorizer '{}')", a.name))
        .unwrap_or_default();
    let (code, what) = if auth == AuthorizationType::None {
        (
            C::OptionsApiKeyRequired,
            "apiKeyRequired = true".to_string(),
        )
    } else {
        (
            C::OptionsAuthorized,
            format!("authorization type {}{by}", auth.as_str()),
        )
    };
    parts.add(4, Finding::error(
            code,
            format!("{path} has no OPTIONS method, so the browser's preflight goes to ANY {path}, which has {what}: browsers send no credentials on a preflight, so API Gateway answers it {answer}."),
        )
        .cites(CONFIG)
        .fix(
            format!("Add an OPTIONS method to {path} without authorization (a MOCK integration returning the CORS headers; it takes precedence over ANY), then deploy the stage."),
            c.fix.add_options_method(),
        ),
    );
}

/// Declared-and-mapped checks of the CORS headers a non-proxy method must send.
fn header_mapping(parts: &mut Parts, c: &Ctx, m: &MethodFacts, path: &str) {
    let is_options = m.http_method == "OPTIONS";
    let mut wanted = vec!["Access-Control-Allow-Origin"];
    if is_options {
        wanted.extend([
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
        ]);
    }
    if c.ev.target.credentials == CredentialsMode::Include {
        wanted.push("Access-Control-Allow-Credentials");
    }
    let status = m.success_status.as_deref().unwrap_or("200");
    let verb = &m.http_method;
    for name in wanted {
        let Some(h) = m.cors_header(name) else {
            continue;
        };
        let (code, msg, declare, map) = match (h.declared, &h.mapped) {
            (false, None) => (
                C::HeaderNotMapped,
                format!("{verb} {path}: the {status} method response neither declares {name} nor does the integration response map it, so API Gateway never sends it."),
                true,
                true,
            ),
            (true, None) => (
                C::HeaderNotMapped,
                format!("{verb} {path}: the {status} method response declares {name}, but the integration response does not map a value, so API Gateway drops it."),
                false,
                true,
            ),
            (false, Some(expr)) => (
                C::HeaderNotDeclared,
                format!("{verb} {path}: the integration response maps {name} to {expr}, but the {status} method response does not declare it, so API Gateway drops it."),
                true,
                false,
            ),
            _ => continue,
        };
        let fix = if is_options {
            c.fix.fix_options_headers()
        } else {
            let value = if name == "Access-Control-Allow-Credentials" {
                "true".to_string()
            } else {
                c.fix.allow_origin().to_string()
            };
            c.fix
                .map_method_headers(verb, status, &[(name.to_string(), value)], declare, map)
        };
        parts.add(5, Finding::error(code, msg)
                .cites(CONFIG)
                .fix(
                    format!("Both halves are needed: declare {name} in the method response and map it in the integration response, then deploy."),
                    fix,
                ),
        );
    }
}

/// The live actual request got a gateway response without CORS headers (step 6). When the
/// configuration disagrees (it has the header), say why and give that fix: a more specific
/// customized type overriding DEFAULT_4XX/5XX, or a change not deployed to the stage.
fn gateway_response_disagreement(parts: &mut Parts, c: &Ctx, facts: &ConfigFacts) {
    let Some(rest) = &facts.rest else { return };
    let Some(act) = c
        .actual
        .filter(|x| !x.predicted && x.answered_by == AnsweredBy::Gateway)
    else {
        return;
    };
    let Some(resp) = &act.response else { return };
    let failed = parts.probe(6).is_some_and(|s| {
        s.findings
            .iter()
            .any(|f| f.code == C::GatewayResponseNoCors && f.severity == Severity::Error)
    });
    if !failed {
        return;
    }
    let rtype = gateway_response_type(act.gateway_error_type.as_deref().unwrap_or(""), resp.status);
    let default_type = if resp.status >= 500 {
        "DEFAULT_5XX"
    } else {
        "DEFAULT_4XX"
    };
    let served = &rest.gateway_responses;
    let default_expr = if resp.status >= 500 {
        served.default_5xx_allow_origin.as_deref()
    } else {
        served.default_4xx_allow_origin.as_deref()
    };
    let own = served.configured.iter().find(|g| g.response_type == rtype);
    let (message, text, commands) = match (own, default_expr) {
        (Some(g), Some(expr)) if g.allow_origin.is_none() && rtype != default_type => (
            format!("{default_type} carries Access-Control-Allow-Origin ({expr}), but {rtype} is customized without it, and a customized type overrides {default_type}: adding the header to {default_type} again changes nothing."),
            format!("Add Access-Control-Allow-Origin to the {rtype} gateway response itself, then deploy."),
            c.fix.gateway_response_cors(rtype),
        ),
        _ => {
            let Some(expr) = served
                .allow_origin_for(rtype)
                .or_else(|| rest.gateway_responses_working.allow_origin_for(rtype))
            else {
                return;
            };
            (
                format!("the API gives {rtype} Access-Control-Allow-Origin ({expr}), yet the live {} answer carried none: the change is most likely not deployed (a stage serves the API as of its last deployment){}.",
                    resp.status,
                    if rest.gateway_responses_undeployed { ", and the stage's deployment indeed lacks it" } else { "" }),
                "Deploy the API to the stage (the gateway response already has the header: do not add it again).".to_string(),
                c.fix.deploy(),
            )
        }
    };
    parts.add(
        6,
        Finding::error(C::GatewayResponseNoCors, message)
            .cites(CONFIG)
            .fix(text, commands),
    );
}

pub(super) fn gateway_responses(parts: &mut Parts, c: &Ctx, facts: &ConfigFacts) {
    let Some(rest) = &facts.rest else { return };
    let missing = rest.gateway_responses.types_without_allow_origin();
    let live_failure = parts
        .probe(6)
        .is_some_and(|s| s.status() == StepStatus::Fail);
    if missing.is_empty() || live_failure {
        return;
    }
    let g = &rest.gateway_responses;
    let defaults = match (&g.default_4xx_allow_origin, &g.default_5xx_allow_origin) {
        (None, None) => {
            "Neither DEFAULT_4XX nor DEFAULT_5XX carries Access-Control-Allow-Origin".to_string()
        }
        (Some(_), None) => "DEFAULT_5XX carries no Access-Control-Allow-Origin".to_string(),
        (None, Some(_)) => "DEFAULT_4XX carries no Access-Control-Allow-Origin".to_string(),
        (Some(_), Some(_)) => {
            "Some customized gateway responses carry no Access-Control-Allow-Origin".to_string()
        }
    };
    let undeployed = if rest.gateway_responses_undeployed {
        " (the working copy differs from what the stage serves: deploy it)"
    } else {
        ""
    };
    parts.add(6, Finding::warning(
            C::GatewayResponsesUnconfigured,
            format!(
                "{defaults}{undeployed}: when API Gateway itself answers with {}, the browser will show a CORS error instead of the real status.",
                missing.join(", ")
            ),
        )
        .cites(CONFIG)
        .fix(
            "Add Access-Control-Allow-Origin to DEFAULT_4XX and DEFAULT_5XX, so gateway errors stay readable in the browser.",
            c.fix.gateway_response_cors("DEFAULT_4XX"),
        ),
    );
}
