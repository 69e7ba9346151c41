//! What the API's configuration adds to the probes' evidence: the precise cause (declared but
//! not mapped, added but not deployed, IAM on OPTIONS…), and gateway responses that would
//! hide errors which did not happen during this run. Applied after the probe-based steps.

use super::findings::{Finding, FindingCode as C, Severity, Step, StepStatus};
use super::steps::Ctx;
use crate::evidence::{ConfigGap, Exchange};
use crate::gateway::inspect::{ConfigFacts, MethodFacts};
use crate::gateway::model::{ApiKind, AuthorizationType, AuthorizerKind};
use crate::target::CredentialsMode;

const CONFIG: &str = "config";

/// Adds the configuration's findings to the steps (3–6), reconciling them with the probes'.
pub(super) fn refine(steps: &mut [Step], c: &Ctx, facts: &ConfigFacts) {
    match facts.kind {
        ApiKind::Rest => refine_rest(steps, c, facts),
        ApiKind::Http => refine_http(steps, c, facts),
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

fn refine_rest_options(steps: &mut [Step], c: &Ctx, options: &MethodFacts, path: &str) {
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
        let (code, msg) = match (h.declared, &h.mapped) {
            (true, None) => (
                C::HeaderNotMapped,
                format!("{verb} {path}: the {status} method response declares {name}, but the integration response does not map a value, so API Gateway drops it."),
            ),
            (false, Some(expr)) => (
                C::HeaderNotDeclared,
                format!("{verb} {path}: the integration response maps {name} to {expr}, but the {status} method response does not declare it, so API Gateway drops it."),
            ),
            _ => continue,
        };
        let fix = if is_options {
            c.fix.fix_options_headers()
        } else {
            vec![]
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
                "The HTTP API has a cors_configuration: API Gateway answers preflights itself and replaces any CORS headers the backend returns.",
            )
            .cites(CONFIG),
        ),
        (None, _) if c.plan.required => {
            if let Some(route) = &http.options_route {
                if route.authorization != AuthorizationType::None {
                    reopen(steps, 4);
                    add(
                        steps,
                        4,
                        Finding::error(
                            C::OptionsAuthorized,
                            format!(
                                "Without a cors_configuration, the route {} catches the browser's OPTIONS and has authorization {}.",
                                route.route_key,
                                route.authorization.as_str()
                            ),
                        )
                        .cites(CONFIG)
                        .fix(
                            "Configure CORS on the API (API Gateway then answers preflights before any authorizer), or add an OPTIONS /{proxy+} route without authorization.",
                            c.fix.unauthorize_options(),
                        ),
                    );
                }
            } else {
                add(
                    steps,
                    3,
                    Finding::error(
                        C::OptionsMissing,
                        format!("The HTTP API has no cors_configuration and no route answers OPTIONS {}.", facts.path),
                    )
                    .cites(CONFIG)
                    .fix("Configure CORS on the HTTP API.", vec![c.fix.http_cors_configuration()]),
                );
            }
        }
        (None, _) => {}
    }
}
