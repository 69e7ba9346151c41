//! What the API's configuration adds to the probes' evidence: the precise cause (declared but
//! not mapped, added but not deployed, IAM on OPTIONS…), and gateway responses that would
//! hide errors which did not happen during this run. Applied after the probe-based steps.

use super::classify::{classify_preflight, gateway_response_type, PreflightClass};
use super::findings::{Finding, FindingCode as C, Remediation, Severity, Step, StepStatus};
use super::steps::Ctx;
use crate::cors;
use crate::evidence::{AnsweredBy, ConfigEvidence, ConfigGap, Exchange};
use crate::gateway::inspect::{ConfigFacts, MethodFacts};
use crate::gateway::model::{ApiKind, AuthorizationType, AuthorizerKind};
use crate::target::CredentialsMode;

const CONFIG: &str = "config";

/// Adds the configuration's findings to the steps (3–6), reconciling them with the probes'.
pub(super) fn refine(steps: &mut [Step], c: &Ctx, facts: &ConfigFacts) {
    if let Some(why) = unresolved(c) {
        // The resource is not known: its findings would be guesses. Gateway responses do
        // not depend on it.
        if facts.kind == ApiKind::Rest {
            gateway_responses(steps, c, facts);
        }
        note_unresolved(steps, why);
        return;
    }
    match facts.kind {
        ApiKind::Rest => refine_rest(steps, c, facts),
        ApiKind::Http => refine_http(steps, c, facts),
    }
    reconcile_with_live(steps, c);
}

/// Why the resource under diagnosis could not be determined, if it could not.
fn unresolved<'a>(c: &Ctx<'a>) -> Option<&'a str> {
    match &c.ev.config {
        ConfigEvidence::Loaded {
            unresolved: Some(why),
            ..
        } => Some(why),
        _ => None,
    }
}

/// Steps 3–5 say the configuration could not be matched to the URL; the probes' own
/// conclusions stand (a step they leave unconcluded is `unknown`).
fn note_unresolved(steps: &mut [Step], why: &str) {
    for s in steps.iter_mut().filter(|s| (3..=5).contains(&s.number)) {
        match s.status {
            StepStatus::Fail | StepStatus::Skip => {}
            StepStatus::Unknown => s.summary = format!("Unknown: {why}."),
            StepStatus::Pass | StepStatus::Warn => {
                s.summary = format!(
                    "{} (The configuration cannot add to this: {why}.)",
                    s.summary
                )
            }
        }
    }
}

/// The live preflight's id, when it was sent (not predicted) and passed the browser's checks.
fn live_preflight_passed(c: &Ctx) -> Option<String> {
    let pf = c.preflight.filter(|x| !x.predicted)?;
    let resp = pf.response.as_ref()?;
    if !(200..300).contains(&resp.status) {
        return None;
    }
    cors::check_preflight(&c.ev.target, c.plan, resp, c.mode)
        .is_ok()
        .then(|| pf.id.clone())
}

/// The live actual response's id, when it was sent and passed the browser's CORS check.
fn live_actual_passed(c: &Ctx) -> Option<String> {
    let act = c.actual.filter(|x| !x.predicted)?;
    let resp = act.response.as_ref()?;
    cors::check_actual(&c.ev.target, resp)
        .is_ok()
        .then(|| act.id.clone())
}

/// A failure drawn from the configuration alone that the live exchanges contradict (the
/// preflight or the actual response passed the browser's checks) is a contradiction to
/// report, not a failure: what was read is likely not what this URL serves.
fn reconcile_with_live(steps: &mut [Step], c: &Ctx) {
    let preflight = live_preflight_passed(c);
    let actual = live_actual_passed(c);
    if preflight.is_none() && actual.is_none() {
        return;
    }
    for s in steps.iter_mut().filter(|s| (3..=5).contains(&s.number)) {
        let mut changed = false;
        for f in s.findings.iter_mut() {
            if f.severity != Severity::Error || !f.evidence.iter().all(|e| e == CONFIG) {
                continue;
            }
            let about_options = s.number != 5 || f.message.starts_with("OPTIONS ");
            let (passed, what) = if about_options {
                (&preflight, "preflight")
            } else {
                (&actual, "response to the actual request")
            };
            let Some(id) = passed else { continue };
            f.severity = Severity::Warning;
            f.message = format!(
                "Contradiction: the configuration says: {} Yet the live {what} ({id}) passed the browser's checks. The configuration read is probably not what this URL serves (another API, stage or resource path), or it changed after it was deployed.",
                f.message
            );
            f.evidence.push(id.clone());
            f.remediation = Some(Remediation {
                text: "Check which API, stage and resource path the URL reaches (a custom domain's base path mapping, a proxy) and pass them with --api-id, --stage and --path.".to_string(),
                commands: Vec::new(),
            });
            changed = true;
        }
        if changed {
            settle(s);
        }
    }
}

/// A step whose configuration could not be read (a partial load) is `unknown` and says why;
/// a failure the probes observed stands, and a skipped step stays skipped. A failure that only
/// predictions (offline, from the same incomplete configuration) or the configuration show
/// does not stand: it rested on what is missing. Findings drawn from the configuration alone
/// are dropped from the step.
pub(super) fn apply_gaps(steps: &mut [Step], gaps: &[ConfigGap], exchanges: &[Exchange]) {
    let observed = |f: &Finding| {
        f.evidence
            .iter()
            .any(|e| exchanges.iter().any(|x| &x.id == e && !x.predicted))
    };
    for g in gaps {
        let Some(s) = step(steps, g.step) else {
            continue;
        };
        let observed_failure = s
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error && observed(f));
        if s.status == StepStatus::Skip || (s.status == StepStatus::Fail && observed_failure) {
            continue;
        }
        if s.status == StepStatus::Unknown {
            // Already unknown (another gap): add this reason.
            s.summary = format!(
                "{} Also, the {} could not be read: {}",
                s.summary, g.what, g.reason
            );
            continue;
        }
        s.findings.retain(|f| observed(f));
        s.status = StepStatus::Unknown;
        s.summary = format!("Unknown: the {} could not be read: {}", g.what, g.reason);
    }
}

fn step(steps: &mut [Step], number: u8) -> Option<&mut Step> {
    steps.iter_mut().find(|s| s.number == number)
}

/// Adds a finding; a probe finding with the same code absorbs it (cites the config too).
fn add(steps: &mut [Step], number: u8, finding: Finding) {
    let Some(s) = step(steps, number) else { return };
    if let Some(existing) = s.findings.iter_mut().find(|f| f.code == finding.code) {
        if !existing.evidence.iter().any(|e| e == CONFIG) {
            existing.evidence.push(CONFIG.to_string());
        }
        existing.message = format!("{} Configuration: {}", existing.message, finding.message);
        if finding.remediation.is_some() {
            existing.remediation = finding.remediation;
        }
    } else {
        s.findings.push(finding);
    }
    settle(s);
}

/// Drops the probes' finding `code` that the configuration explains otherwise; `summary`
/// says what the step concludes instead.
fn remove(steps: &mut [Step], number: u8, code: C, summary: String) {
    if let Some(s) = step(steps, number) {
        let before = s.findings.len();
        s.findings.retain(|f| f.code != code);
        if s.findings.len() != before {
            s.summary = summary;
            settle(s);
        }
    }
}

/// Recomputes a step's status and summary from its findings.
fn settle(s: &mut Step) {
    super::findings::most_specific_first(&mut s.findings);
    let worst = s.findings.iter().map(|f| f.severity).min();
    s.status = match worst {
        Some(Severity::Error) => StepStatus::Fail,
        Some(Severity::Warning) => StepStatus::Warn,
        _ if matches!(s.status, StepStatus::Fail | StepStatus::Warn) => StepStatus::Pass,
        _ => s.status,
    };
    if let Some(f) = s.findings.iter().find(|f| f.severity != Severity::Info) {
        s.summary = f.message.clone();
    }
}

fn refine_rest(steps: &mut [Step], c: &Ctx, facts: &ConfigFacts) {
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
                    guarded_any_catches_options(steps, c, any, &path);
                }
            }
            None if rest.options_via_any => add(
                steps,
                3,
                Finding::warning(
                    C::OptionsMissing,
                    format!("{path} has no OPTIONS method; an ANY method answers OPTIONS, so its backend must answer the preflight with the CORS headers itself."),
                )
                .cites(CONFIG),
            ),
            None => add(
                steps,
                3,
                Finding::error(
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
            Some(options) => refine_rest_options(steps, c, options, &path),
        }
    }
    for m in [&rest.options, &rest.actual].into_iter().flatten() {
        unevaluable_patterns(steps, c, m, &path);
    }
    if let Some(actual) = &rest.actual {
        // A proxy integration's answer offline is an assumption step 5 reports as one.
        if !actual.is_proxy && actual.http_method != "OPTIONS" {
            header_mapping(steps, c, actual, &path);
        }
    }
    gateway_response_disagreement(steps, c, facts);
    gateway_responses(steps, c, facts);
    token_validation_note(steps, c, rest);
}

/// Step 6 says why API Gateway answered 401 when the configuration shows it: the TOKEN
/// authorizer's validation expression does not match what the request sends (the value is
/// never repeated: it is a credential).
fn token_validation_note(steps: &mut [Step], c: &Ctx, rest: &crate::gateway::inspect::RestFacts) {
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
    let Some(s) = step(steps, 6) else { return };
    if let Some(f) = s
        .findings
        .iter_mut()
        .find(|f| f.code == C::GatewayResponseNoCors)
    {
        f.message = format!(
            "{} Configuration: the {header} header the app sends does not match the token validation expression {expr} of the TOKEN authorizer '{name}', so API Gateway answers 401 without calling the authorizer.",
            f.message
        );
        if !f.evidence.iter().any(|e| e == CONFIG) {
            f.evidence.push(CONFIG.to_string());
        }
    }
}

/// Integration responses whose selection pattern cannot be evaluated (see
/// `gateway::behavior::selection`): a prediction treats them as selecting nothing, which may
/// differ from API Gateway. A warning when an exchange was predicted, else information (the
/// real gateway answered).
fn unevaluable_patterns(steps: &mut [Step], c: &Ctx, m: &MethodFacts, path: &str) {
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
        add(steps, 5, finding.cites(CONFIG));
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

fn refine_rest_options(steps: &mut [Step], c: &Ctx, options: &MethodFacts, path: &str) {
    let open = options.authorization == AuthorizationType::None && !options.api_key_required;
    if options.deployed != Some(false) && open {
        if let Some(id) = live_method_missing(c) {
            // The configuration has an open OPTIONS, the stage answers as for a method it does
            // not serve: the method was added after the stage's deployment (inferred when the
            // deployment's methods could not be read, or were read from another snapshot).
            remove(steps, 3, C::OptionsMissing, String::new());
            add(
                steps,
                3,
                Finding::error(
                    C::OptionsNotDeployed,
                    format!("OPTIONS {path} exists in the configuration, yet the stage answers the preflight with 403 Missing Authentication Token, as API Gateway does for a method it does not serve: OPTIONS was most likely added after the stage's last deployment (if a deployment does not fix it, the URL does not reach this resource: check the stage and path)."),
                )
                .cites(CONFIG)
                .cites(id)
                .fix("Deploy the API to the stage (the method exists: do not add it again).", vec![c.fix.deploy()]),
            );
            if !options.is_proxy {
                header_mapping(steps, c, options, path);
            }
            return;
        }
    }
    if options.deployed == Some(false) {
        remove(steps, 3, C::OptionsMissing, String::new());
        add(
            steps,
            3,
            Finding::error(
                C::OptionsNotDeployed,
                format!("OPTIONS {path} exists in the API but not in the deployment the stage serves: it was added after the last deployment."),
            )
            .cites(CONFIG)
            .fix("Deploy the API to the stage.", vec![c.fix.deploy()]),
        );
        return;
    }
    let auth = options.authorization;
    if auth != AuthorizationType::None {
        // IAM on OPTIONS answers like a missing method: the probes could not tell them apart.
        remove(
            steps,
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
        reopen(steps, 4);
        add(
            steps,
            4,
            Finding::error(
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
        reopen(steps, 4);
        add(
            steps,
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
        header_mapping(steps, c, options, path);
    }
}

/// No OPTIONS method, and the `ANY` method that catches the preflight is guarded (IAM, an
/// authorizer or an API key). IAM answers an unsigned preflight 403 "Missing Authentication
/// Token", the very answer of a missing method, so the probes call it step 3; the
/// configuration shows it is step 4.
fn guarded_any_catches_options(steps: &mut [Step], c: &Ctx, any: &MethodFacts, path: &str) {
    let auth = any.authorization;
    let answer = match auth {
        AuthorizationType::AwsIam => {
            "403 Missing Authentication Token (the same answer as a missing method)"
        }
        AuthorizationType::None => "403 Forbidden (no x-api-key)",
        _ => "401 Unauthorized",
    };
    remove(
        steps,
        3,
        C::OptionsMissing,
        format!("OPTIONS {path} is caught by the ANY method, which is guarded (step 4)."),
    );
    reopen(steps, 4);
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
    add(
        steps,
        4,
        Finding::error(
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

/// A step that was skipped for lack of an OPTIONS method becomes checkable again.
fn reopen(steps: &mut [Step], number: u8) {
    if let Some(s) = step(steps, number) {
        if s.status == StepStatus::Skip {
            s.status = StepStatus::Pass;
        }
    }
}

/// Declared-and-mapped checks of the CORS headers a non-proxy method must send.
fn header_mapping(steps: &mut [Step], c: &Ctx, m: &MethodFacts, path: &str) {
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
        add(
            steps,
            5,
            Finding::error(code, msg)
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
fn gateway_response_disagreement(steps: &mut [Step], c: &Ctx, facts: &ConfigFacts) {
    let Some(rest) = &facts.rest else { return };
    let Some(act) = c
        .actual
        .filter(|x| !x.predicted && x.answered_by == AnsweredBy::Gateway)
    else {
        return;
    };
    let Some(resp) = &act.response else { return };
    let failed = step(steps, 6).is_some_and(|s| {
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
                vec![c.fix.deploy()],
            )
        }
    };
    add(
        steps,
        6,
        Finding::error(C::GatewayResponseNoCors, message)
            .cites(CONFIG)
            .fix(text, commands),
    );
}

fn gateway_responses(steps: &mut [Step], c: &Ctx, facts: &ConfigFacts) {
    let Some(rest) = &facts.rest else { return };
    let missing = rest.gateway_responses.types_without_allow_origin();
    let live_failure = step(steps, 6).is_some_and(|s| s.status == StepStatus::Fail);
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
    add(
        steps,
        6,
        Finding::warning(
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

fn refine_http(steps: &mut [Step], c: &Ctx, facts: &ConfigFacts) {
    let Some(http) = &facts.http else { return };
    // The route that catches OPTIONS, when it runs an authorizer, rejects the preflight
    // whether or not the API has a cors_configuration (gateway::behavior::preflight_route).
    let guarded = http
        .options_route
        .as_ref()
        .filter(|r| r.authorization != AuthorizationType::None);
    if let (true, Some(route)) = (c.plan.required, guarded) {
        let by = route
            .authorizer
            .as_ref()
            .map(|a| format!(" (authorizer '{}')", a.name))
            .unwrap_or_default();
        let cors_note = if http.cors.is_some() {
            " The API's cors_configuration does not help: a $default or ANY route catches every method not defined explicitly, OPTIONS included, and its authorizer answers first."
        } else {
            ""
        };
        // The OPTIONS route, the cors_configuration when it lacks the origin, and a deployment
        // when the stage does not deploy by itself (remedy::FixContext::unauthorize_options).
        let commands = c.fix.unauthorize_options();
        let mut text = "Add an OPTIONS /{proxy+} route without authorization, with an integration attached: it has priority over the catch-all route, so preflights no longer meet the authorizer. Keep the authorizer on the real routes.".to_string();
        if http.cors.is_none() {
            text.push_str(" Configure CORS on the API too, so API Gateway answers the preflight with the CORS headers.");
        }
        remove(
            steps,
            3,
            C::OptionsMissing,
            format!("OPTIONS reaches the route {} (step 4).", route.route_key),
        );
        reopen(steps, 4);
        add(
            steps,
            4,
            Finding::error(
                C::OptionsAuthorized,
                format!(
                    "The route {} catches the browser's OPTIONS and has authorization {}{by}: the preflight, which never carries credentials, is rejected (401) before any CORS answer.{cors_note}",
                    route.route_key,
                    route.authorization.as_str()
                ),
            )
            .cites(CONFIG)
            .fix(text, commands),
        );
    }
    match (&http.cors, http.origin_allowed) {
        (Some(_), Some(false)) => add(
            steps,
            5,
            Finding::error(
                C::BackendHeadersIgnored,
                format!("The HTTP API's cors_configuration does not allow {}; API Gateway replaces the backend's CORS headers with its own, so fixing the function's headers cannot help.", c.ev.target.origin),
            )
            .cites(CONFIG)
            .fix("Add the origin to the API's cors_configuration.", vec![c.fix.http_cors_configuration()]),
        ),
        (Some(_), _) => add(
            steps,
            5,
            Finding::info(
                C::BackendHeadersIgnored,
                "The HTTP API has a cors_configuration: API Gateway answers preflights itself (unless an authorized route catches OPTIONS) and replaces any CORS headers the backend returns.",
            )
            .cites(CONFIG),
        ),
        (None, _) if c.plan.required && http.options_route.is_none() => add(
            steps,
            3,
            Finding::error(
                C::OptionsMissing,
                format!("The HTTP API has no cors_configuration and no route answers OPTIONS {}.", facts.path),
            )
            .cites(CONFIG)
            .fix("Configure CORS on the HTTP API.", vec![c.fix.http_cors_configuration()]),
        ),
        (None, _) => {}
    }
}
