//! The seven steps. Each reads the evidence (and the configuration, when there is one) and
//! returns a step with its findings. The first step that fails is where the user should look.

use super::classify::{
    classify_preflight, explain_gateway_error, gateway_response_type, http_error_source,
    http_gateway_shaped, PreflightClass,
};
use super::findings::{Finding, FindingCode as C, Severity, Step, StepStatus};
use super::remedy::FixContext;
use super::ApiSummary;
use crate::cors::{self, CorsErrorKind, FailedAt, Mode, PreflightPlan, Verdict};
use crate::evidence::{AnsweredBy, Evidence, Exchange, ExchangeKind};
use crate::gateway::inspect::ConfigFacts;
use crate::probe::requests::FOREIGN_ORIGIN;

pub(super) struct Ctx<'a> {
    pub ev: &'a Evidence,
    pub facts: Option<&'a ConfigFacts>,
    pub plan: &'a PreflightPlan,
    pub verdict: &'a Verdict,
    pub mode: Mode,
    pub preflight: Option<&'a Exchange>,
    pub actual: Option<&'a Exchange>,
    pub bare: Option<&'a Exchange>,
    pub fix: FixContext,
}

impl<'a> Ctx<'a> {
    pub fn new(
        ev: &'a Evidence,
        facts: Option<&'a ConfigFacts>,
        plan: &'a PreflightPlan,
        verdict: &'a Verdict,
        api: &ApiSummary,
        mode: Mode,
    ) -> Self {
        // An unresolved location: the facts' resource is a guess, never used for commands.
        let resource = facts
            .filter(|_| api.resource_unresolved.is_none())
            .and_then(|f| f.resource.as_ref());
        // The URL's path is the resource path only when the URL names the stage (an
        // execute-api URL) or the configuration resolved it; behind a custom domain or a
        // proxy a prefix may stand in front of it.
        let resource_path_known = resource.is_some() || api.resource.is_some();
        let loaded = match &ev.config {
            crate::evidence::ConfigEvidence::Loaded { api, .. } => Some(api.as_ref()),
            _ => None,
        };
        let rest = facts.and_then(|f| f.rest.as_ref());
        let http = facts.and_then(|f| f.http.as_ref());
        // Without a live URL (a diagnosis from an export), the URL is synthesized from
        // placeholders (`api-id`, stage `prod`): only ids the configuration holds are real.
        let live = ev.exchanges.iter().any(|x| !x.predicted);
        let loaded_stage = match &ev.config {
            crate::evidence::ConfigEvidence::Loaded { stage, .. } => stage.clone(),
            _ => None,
        };
        let fix = FixContext {
            rest: api.kind != "http",
            http: api.kind == "http",
            api_id: loaded
                .and_then(|a| a.id.clone())
                .or_else(|| live.then(|| api.id.clone()).flatten()),
            stage: loaded_stage.or_else(|| live.then(|| api.stage.clone()).flatten()),
            resource_id: resource.and_then(|r| r.id.clone()),
            resource_path: resource
                .filter(|r| r.path != crate::gateway::model::DEFAULT_ROUTE)
                .map(|r| r.path.clone())
                .or_else(|| {
                    facts
                        .filter(|_| api.resource_unresolved.is_none())
                        .map(|f| f.path.clone())
                })
                .or_else(|| api.resource.clone())
                .unwrap_or_else(|| ev.target.url.path().to_string()),
            origin: ev.target.origin.clone(),
            method: plan.method.clone(),
            request_headers: plan.request_headers.clone(),
            credentials: ev.target.credentials,
            region: loaded
                .and_then(|a| a.region.clone())
                .or_else(|| live.then(|| api.region.clone()).flatten()),
            api_name: loaded.map(|a| a.name.clone()),
            config_loaded: facts.is_some(),
            resource_methods: loaded
                .zip(resource)
                .and_then(|(a, r)| a.resources.iter().find(|x| x.path == r.path))
                .map(|r| r.methods.iter().map(|m| m.http_method.clone()).collect())
                .unwrap_or_default(),
            // Per-resource facts only for the resolved resource (a guessed one lends nothing).
            options: resource.and(rest).and_then(|r| r.options.clone()),
            gateway_responses: rest.map(|r| r.gateway_responses.clone()),
            http_cors: http.and_then(|h| h.cors.clone()),
            http_auto_deploy: http.and_then(|h| h.auto_deploy),
            http_options_route: http.and_then(|h| h.options_route.clone()),
            observed_preflight: observed_preflight(ev),
            observed_preflight_status: ev
                .exchange(ExchangeKind::Preflight)
                .and_then(|x| x.response.as_ref())
                .map(|r| r.status),
            resource_path_known,
        };
        Ctx {
            ev,
            facts,
            plan,
            verdict,
            mode,
            preflight: ev.exchange(ExchangeKind::Preflight),
            actual: ev.exchange(ExchangeKind::Actual),
            bare: ev.exchange(ExchangeKind::NoOrigin),
            fix,
        }
    }

    /// True when the actual exchange was predicted, not observed.
    pub fn actual_predicted(&self) -> bool {
        self.actual.is_some_and(|x| x.predicted)
    }

    /// True when `x` is a prediction whose answer a proxy backend would decide, so it was
    /// assumed (see [`super::ASSUMPTION_HEADER`]).
    pub fn assumed(&self, x: &Exchange) -> bool {
        // An HTTP API's cors_configuration sets the CORS headers itself: nothing is assumed.
        let api_sets_cors = self
            .facts
            .and_then(|f| f.http.as_ref())
            .is_some_and(|h| h.cors.is_some());
        !api_sets_cors
            && x.predicted
            && x.response
                .as_ref()
                .is_some_and(|r| r.headers.contains(super::ASSUMPTION_HEADER))
    }

    fn preflight_class(&self) -> Option<PreflightClass> {
        self.preflight.map(classify_preflight)
    }

    fn is_gateway_api(&self) -> bool {
        self.fix.api_id.is_some()
            || self.facts.is_some()
            || self
                .ev
                .exchanges
                .iter()
                .any(|x| x.answered_by != AnsweredBy::Unknown)
    }

    fn path(&self) -> &str {
        &self.fix.resource_path
    }
}

/// The Access-Control-Allow-* headers of a live preflight the method answered with a 2xx
/// (what remedies widen when no configuration was read).
fn observed_preflight(ev: &Evidence) -> Vec<(String, String)> {
    let Some(x) = ev.exchange(ExchangeKind::Preflight) else {
        return Vec::new();
    };
    match &x.response {
        Some(r)
            if !x.predicted
                && x.answered_by != AnsweredBy::Gateway
                && (200..300).contains(&r.status) =>
        {
            [
                "access-control-allow-origin",
                "access-control-allow-methods",
                "access-control-allow-headers",
                "access-control-allow-credentials",
            ]
            .iter()
            .filter_map(|n| r.headers.get(n).map(|v| (n.to_string(), v.to_string())))
            .collect()
        }
        _ => Vec::new(),
    }
}

/// A step's status from its findings: any error fails it, any warning warns.
pub(super) fn conclude(
    number: u8,
    findings: Vec<Finding>,
    pass_summary: impl Into<String>,
) -> Step {
    let mut findings = findings;
    super::findings::most_specific_first(&mut findings);
    let status = if findings.iter().any(|f| f.severity == Severity::Error) {
        StepStatus::Fail
    } else if findings.iter().any(|f| f.severity == Severity::Warning) {
        StepStatus::Warn
    } else {
        StepStatus::Pass
    };
    let summary = match findings.iter().find(|f| f.severity != Severity::Info) {
        Some(f) => f.message.clone(),
        None => pass_summary.into(),
    };
    let mut step = Step::new(number, status, summary);
    step.findings = findings;
    step
}

fn status_text(x: &Exchange) -> String {
    match (&x.response, &x.error) {
        (Some(r), _) => match &x.gateway_error_type {
            Some(t) => format!("{} {t}", r.status),
            None => r.status.to_string(),
        },
        (None, Some(e)) => e.message.clone(),
        (None, None) => "no answer".to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// 1. browser-only

pub(super) fn browser_only(c: &Ctx) -> Step {
    let Some(bare) = c.bare else {
        return Step::new(
            1,
            StepStatus::Unknown,
            "the request without Origin was not made",
        );
    };
    if let Some(err) = &bare.error {
        let f = Finding::error(
            C::NetworkError,
            format!("The request fails without a browser too: {} This is not a CORS problem.", super::sentence(err.message.trim_end_matches('.'))),
        )
        .cites(&bare.id)
        .fix(
            "Check the URL, DNS, the network path and TLS; curl -v the same URL to see the failure.",
            vec![format!("curl -v -X {} '{}'", c.plan.method, crate::redact::url(&bare.request.url))],
        );
        return conclude(1, vec![f], "");
    }
    let Some(resp) = &bare.response else {
        return Step::new(
            1,
            StepStatus::Unknown,
            "the request without Origin got no answer",
        );
    };
    let mut findings = Vec::new();
    if resp.status >= 400 {
        let who = match (&bare.answered_by, &bare.gateway_error_type) {
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
        let hint = match bare.gateway_error_type.as_deref() {
            Some("MissingAuthenticationTokenException") => "Check the method and path exist on this stage (and the stage or base path is in the URL); an IAM-authorized method needs SigV4 signing.",
            Some("UnauthorizedException") | Some("AccessDeniedException") => "Send a valid token for the authorizer (the browser app must send it too).",
            Some("ForbiddenException") => "Send a valid x-api-key (or check the AWS WAF rules on the stage).",
            Some("TooManyRequestsException") | Some("LimitExceededException") => "Raise the stage/method/usage-plan throttling limits or slow the client down.",
            // An HTTP API's 401/403 (no x-amzn-ErrorType): its authorizer's, or maybe the backend's.
            None if matches!(resp.status, 401 | 403) && bare.answered_by == AnsweredBy::Gateway => "Send a valid token for the route's authorizer, or a SigV4 signature for IAM (the browser app must send it too).",
            None if matches!(resp.status, 401 | 403) && bare.answered_by == AnsweredBy::GatewayOrBackend => "Send a valid token for the route's authorizer, or a SigV4 signature for IAM (the browser app must send it too); if the route has no authorization, the backend refuses the request: check what it expects.",
            _ if resp.status >= 500 => "Look at the backend's logs (CloudWatch for Lambda) for this request.",
            _ => "Fix the request or the API so that it succeeds without a browser first.",
        };
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
    conclude(1, findings, summary)
}

// ---------------------------------------------------------------------------------------------
// 2. preflight

pub(super) fn preflight(c: &Ctx) -> Step {
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
    let mut step = conclude(2, findings, summary.clone());
    step.summary = summary;
    step
}

/// The preflight and what its answer means, or the step that ends here (no preflight needed,
/// none sent, or no answer).
fn preflight_answer<'a>(c: &Ctx<'a>, number: u8) -> Result<(&'a Exchange, PreflightClass), Step> {
    if let Some(s) = skipped(number, c) {
        return Err(s);
    }
    let Some(pf) = c.preflight else {
        return Err(Step::new(
            number,
            StepStatus::Unknown,
            "The preflight was not sent.",
        ));
    };
    match classify_preflight(pf) {
        PreflightClass::NoResponse(msg) => Err(Step::new(
            number,
            StepStatus::Unknown,
            format!("The preflight got no answer: {msg}."),
        )),
        class => Ok((pf, class)),
    }
}

fn skipped(number: u8, c: &Ctx) -> Option<Step> {
    if !c.plan.required {
        return Some(Step::new(
            number,
            StepStatus::Skip,
            "No preflight is sent, so OPTIONS does not matter here.",
        ));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// 3. options-exists

pub(super) fn options_exists(c: &Ctx) -> Step {
    let (pf, class) = match preflight_answer(c, 3) {
        Ok(answer) => answer,
        Err(step) => return step,
    };
    let mut findings = Vec::new();
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
                        if c.is_gateway_api() { c.fix.add_options_method() } else { vec![] },
                    ),
            );
        }
        _ => {}
    }
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
    conclude(3, findings, ok)
}

/// Who answered, in words. HTTP APIs mark their own errors with no `x-amzn-ErrorType`: an
/// error with API Gateway's `{"message": …}` body is attributed by the configuration (an
/// authorized route that catches the request → its authorizer; no route → API Gateway), and
/// where neither tells, "API Gateway or the backend".
fn who(c: &Ctx, x: &Exchange) -> &'static str {
    if let Some(by) = http_error_source(c.ev, x) {
        return by;
    }
    match x.answered_by {
        // Exchanges recorded before `GatewayOrBackend` existed (a saved report).
        AnsweredBy::Backend if http_gateway_shaped(x) => AnsweredBy::GatewayOrBackend.words(),
        by => by.words(),
    }
}

// ---------------------------------------------------------------------------------------------
// 4. options-unauthorized

pub(super) fn options_unauthorized(c: &Ctx) -> Step {
    let (pf, class) = match preflight_answer(c, 4) {
        Ok(answer) => answer,
        Err(step) => return step,
    };
    let mut findings = Vec::new();
    match class {
        PreflightClass::MethodMissing { .. } | PreflightClass::Redirect { .. } => {
            return Step::new(4, StepStatus::Skip, "There is no OPTIONS method to check yet (step 3).");
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
    conclude(4, findings, "OPTIONS runs without credentials.")
}

// ---------------------------------------------------------------------------------------------
// 5. cors-headers

pub(super) fn cors_headers(c: &Ctx) -> Step {
    let mut findings = Vec::new();
    // What could not be checked, in words ("the preflight got no answer: …").
    let mut unchecked: Vec<String> = Vec::new();
    if c.plan.required {
        match (c.preflight, c.preflight_class()) {
            (Some(pf), Some(PreflightClass::Ok { .. })) if c.assumed(pf) => {
                findings.push(assumption_finding(c, pf, C::PreflightCorsHeaders, &format!("The preflight (OPTIONS {})", c.path()), "answers it with 2xx and the right Access-Control-Allow-Origin, -Methods and -Headers"));
            }
            (Some(pf), Some(PreflightClass::Ok { .. }))
            | (Some(pf), Some(PreflightClass::BadStatus { .. })) => {
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
        Some(act) if c.assumed(act) => findings.push(assumption_finding(
            c,
            act,
            C::ActualCorsHeaders,
            &format!("{} {}", c.ev.target.method, c.path()),
            "returns Access-Control-Allow-Origin for this origin on every response, errors included",
        )),
        Some(act) => findings.extend(actual_header_findings(c, act)),
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
            // Gateway-generated errors are step 6's business.
            (Some(_), _) if act.answered_by == AnsweredBy::Gateway => unchecked.push(format!(
                "API Gateway answered the actual request itself with {} (step 6), so the integration's headers were never seen",
                status_text(act)
            )),
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
                    x.answered_by != AnsweredBy::Gateway || (200..300).contains(&r.status)
                }) && !c.assumed(x)
            })
    })
    .map(|(_, _, what)| what)
    .collect();
    let summary = format!("The CORS headers on {} are right.", judged.join(" and "));
    let step = conclude(5, findings, summary);
    if step.status != StepStatus::Pass || unchecked.is_empty() {
        return step;
    }
    // A pass needs both answers (the preflight when one is sent): say what was not checked.
    let checked = if judged.is_empty() {
        String::new()
    } else {
        format!("The CORS headers on {} are right; ", judged.join(" and "))
    };
    let mut summary = super::sentence(&format!("{checked}not checked: {}", unchecked.join("; ")));
    if let Some(first) = summary.get(..1) {
        summary = first.to_uppercase() + &summary[1..];
    }
    Step {
        status: StepStatus::Unknown,
        summary,
        ..step
    }
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
            if c.is_gateway_api() { c.fix.add_options_method() } else { vec![] },
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
        if c.is_gateway_api() { c.fix.fix_options_headers() } else { vec![] },
    )]
}

fn actual_header_findings(c: &Ctx, act: &Exchange) -> Vec<Finding> {
    let Some(resp) = &act.response else {
        return vec![];
    };
    // Gateway-generated errors are step 6's business.
    if act.answered_by == AnsweredBy::Gateway {
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
                .fix(actual_fix_text(c, resp.status), vec![]),
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
        return "The HTTP API's CORS configuration adds the headers (backend CORS headers are replaced by it): allow this origin there.".to_string();
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

// ---------------------------------------------------------------------------------------------
// 6. gateway-responses

pub(super) fn gateway_responses(c: &Ctx) -> Step {
    let mut findings = Vec::new();
    if let Some(act) = c.actual {
        if let (Some(resp), AnsweredBy::Gateway) = (&act.response, act.answered_by) {
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
                    return Step::new(
                        6,
                        StepStatus::Pass,
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
    let step = conclude(
        6,
        findings,
        "No gateway-generated error reached the browser.",
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
    match unchecked {
        Some(why) if step.status == StepStatus::Pass => Step {
            status: StepStatus::Unknown,
            summary: super::sentence(&format!("Not checked: {why}")),
            ..step
        },
        _ => step,
    }
}
