//! The seven steps as pure functions of the evidence, in one pass:
//!
//! 1. `steps/` (steps 1–6) and `retest` (step 7) draft each step from the probes' exchanges
//!    (or the predicted ones) — a `draft::Draft`: its findings and what it says when none is
//!    a warning or an error;
//! 2. `config/` reads the API's configuration once and gives each step its part (findings,
//!    probe findings it explains otherwise, a step it reopens), joined into the draft;
//! 3. what the configuration could not tell (a partial load, a value left unresolved) makes a
//!    step `unknown`, and a step whose answers ([`STEP_INPUTS`]) are missing is "not checked"
//!    (`unknown`), never `pass`;
//! 4. each draft is concluded once: findings most specific first (causes before symptoms),
//!    status and summary from them.
//!
//! `remedy` renders the commands a finding carries; `words` says an exchange in words for
//! the messages, the reports and the TUI.

pub mod classify;
mod config;
mod draft;
pub mod findings;
mod inputs;
pub mod remedy;
mod retest;
pub(crate) mod source;
mod steps;
pub mod words;

use serde::{Deserialize, Serialize};

pub use findings::{Finding, FindingCode, Remediation, Severity, Step, StepStatus, STEPS};
pub use inputs::{step_inputs, StepInputs, STEP_INPUTS};

use crate::cors::{self, Mode, Observed, PreflightPlan, Verdict};
use crate::evidence::{
    AnsweredBy, ConfigEvidence, ConfigGap, ConfigSourceKind, Evidence, Exchange, ExchangeKind,
};
use crate::gateway::inspect::{self, ConfigFacts};
use crate::target::ApiRef;
use draft::{Draft, Quiet};

/// The kind of API the target belongs to, as far as it is known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKindSeen {
    Rest,
    Http,
    #[default]
    Unknown,
}

impl ApiKindSeen {
    /// The name in reports (`rest`, `http`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKindSeen::Rest => "rest",
            ApiKindSeen::Http => "http",
            ApiKindSeen::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for ApiKindSeen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the API's configuration was read from, if it was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigSourceName {
    Sdk,
    Openapi,
    /// A CloudFormation / SAM / CDK / Serverless template (additive to schema v1).
    Template,
    #[default]
    None,
}

impl ConfigSourceName {
    /// The name in reports (`sdk`, `openapi`, `none`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigSourceName::Sdk => "sdk",
            ConfigSourceName::Openapi => "openapi",
            ConfigSourceName::Template => "template",
            ConfigSourceName::None => "none",
        }
    }
}

impl std::fmt::Display for ConfigSourceName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which API the target belongs to, as far as it is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiSummary {
    pub kind: ApiKindSeen,
    pub id: Option<String>,
    pub region: Option<String>,
    pub stage: Option<String>,
    pub resource: Option<String>,
    pub config_source: ConfigSourceName,
    /// Why the configuration could not be read, when a source was asked and failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_unavailable: Option<String>,
    /// What decided `kind` when a configuration was read (`x-amazon-apigateway-cors (HTTP APIs
    /// only)`, `--kind rest`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind_decided_by: Option<String>,
    /// Things in the configuration cors-doctor could not read (undefined security schemes,
    /// CloudFormation values the diagnosis needs), one sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_warnings: Vec<String>,
    /// Why the resource under diagnosis could not be determined from the URL (then
    /// `resource` is unset and the configuration's per-resource findings are withheld).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_unresolved: Option<String>,
}

/// The outcome of a diagnosis: the browser's verdict and the seven steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    pub plan: PreflightPlan,
    pub verdict: Verdict,
    pub api: ApiSummary,
    pub steps: Vec<Step>,
    pub first_failing_step: Option<u8>,
}

impl Diagnosis {
    /// The step that fails first, if any.
    pub fn first_failing(&self) -> Option<&Step> {
        let n = self.first_failing_step?;
        self.steps.iter().find(|s| s.number == n)
    }

    /// Every finding code, in step order.
    pub fn codes(&self) -> Vec<FindingCode> {
        self.steps
            .iter()
            .flat_map(|s| s.findings.iter().map(|f| f.code))
            .collect()
    }
}

/// The header an offline prediction puts on an answer it had to assume (defined with the
/// predictor, in `gateway::behavior`).
pub use crate::gateway::behavior::ASSUMPTION_HEADER;

/// Runs the seven steps over the evidence.
pub fn diagnose(evidence: &Evidence, mode: Mode) -> Diagnosis {
    diagnose_with(evidence, mode, true)
}

/// [`diagnose`]; with `snippets` false the fixes' snippets (`remediation.snippets`) are left
/// out, for a caller that keeps few of the findings of many diagnoses (the whole-API rules)
/// and renders those with [`remedy::snippets::Snippets::render`] (as `diagnose` does: from the
/// change set, the evidence's API and the commands).
pub fn diagnose_with(evidence: &Evidence, mode: Mode, snippets: bool) -> Diagnosis {
    let plan = cors::plan(&evidence.target);
    let preflight = evidence.exchange(ExchangeKind::Preflight);
    let actual = evidence.exchange(ExchangeKind::Actual);
    let verdict = cors::verdict(
        &evidence.target,
        &plan,
        observed(preflight),
        observed(actual),
        mode,
    );
    let api = api_summary(evidence);
    if let Some(refusal) = cors::refusal(&evidence.target) {
        return refused(plan, verdict, api, &refusal);
    }
    let facts = config_facts(evidence);
    let ctx = steps::Ctx::new(evidence, facts.as_ref(), &plan, &verdict, &api, mode);
    // What the probes (or the predictions) show, step by step…
    let drafts = vec![
        steps::browser_only(&ctx),
        steps::preflight(&ctx),
        steps::options_exists(&ctx),
        steps::options_unauthorized(&ctx),
        steps::cors_headers(&ctx),
        steps::gateway_responses(&ctx),
        retest::browser_retest(&ctx),
    ];
    // …what the configuration adds to each step, and what it could not tell…
    let parts = match &facts {
        Some(f) => config::parts(&ctx, f, &drafts),
        None => vec![config::ConfigPart::default(); drafts.len()],
    };
    let gaps = config_gaps(evidence);
    let probes_only = facts.is_none() && api.kind != ApiKindSeen::Unknown;
    // …joined, then each step concluded once.
    let mut steps: Vec<Step> = drafts
        .into_iter()
        .zip(parts)
        .map(|(mut d, part)| {
            part.apply(&mut d);
            if probes_only {
                note_what_config_would_add(&mut d);
            }
            let number = d.number;
            for g in gaps.iter().filter(|g| g.step == number) {
                config::apply_gap(&mut d, g, &evidence.exchanges);
            }
            not_checked(&mut d, evidence, &plan);
            d.conclude()
        })
        .collect();
    if snippets {
        attach_snippets(&mut steps, evidence);
    }
    let first_failing_step = steps
        .iter()
        .find(|s| s.status == StepStatus::Fail)
        .map(|s| s.number);
    source::attach(&mut steps, evidence, &plan);
    Diagnosis {
        plan,
        verdict,
        api,
        steps,
        first_failing_step,
    }
}

/// A request `fetch()` refuses: nothing leaves the browser, so step 2 fails (it works out what
/// the browser sends, and it sends nothing) and every step that reads an answer is skipped.
fn refused(
    plan: PreflightPlan,
    verdict: Verdict,
    api: ApiSummary,
    refusal: &cors::Refusal,
) -> Diagnosis {
    let (why, fix) = match refusal.reason {
        cors::RefusalReason::UrlCredentials => (
            "the URL has a user name or password",
            "Remove the user name and password from the URL; send the credentials in an Authorization header instead (and list authorization in Access-Control-Allow-Headers).",
        ),
        cors::RefusalReason::ForbiddenMethod => (
            "CONNECT, TRACE and TRACK are forbidden methods",
            "Use another method (GET, POST, PUT, PATCH or DELETE): browsers never send CONNECT, TRACE or TRACK, so no CORS setting can allow them.",
        ),
        cors::RefusalReason::BodyWithGetOrHead => (
            "a GET or HEAD request cannot have a body",
            "Send the data as query parameters, or use POST (or PUT) for a request with a body.",
        ),
        cors::RefusalReason::MixedContent => (
            "the page is served over HTTPS and the URL is http:, so the browser blocks it as mixed content",
            "Call the API over https: (API Gateway's endpoints and custom domains are HTTPS only; a load balancer in front needs an HTTPS listener). No CORS setting can allow an http: request from an https: page.",
        ),
    };
    let message = format!(
        "fetch() refuses this request before sending anything ({why}): {}. No preflight and no request leave the browser, whatever the API's CORS configuration.",
        refusal.console_message.trim_end_matches('.')
    );
    // Nothing is sent, so there is no preflight either.
    let mut plan = plan;
    plan.required = false;
    plan.reasons.clear();
    plan.request_headers.clear();
    let skipped = "nothing is sent: fetch() refuses the request (step 2)";
    let mut steps = Vec::with_capacity(7);
    for number in 1..=7u8 {
        steps.push(if number == 2 {
            let f = Finding::error(FindingCode::FetchRefused, message.clone()).fix(fix, Vec::new());
            Draft::judged(2, vec![f], "").conclude()
        } else {
            Step::new(number, StepStatus::Skip, skipped)
        });
    }
    Diagnosis {
        plan,
        verdict,
        api,
        steps,
        first_failing_step: Some(2),
    }
}

/// What the configuration could not tell, step by step: the parts a partial load could not
/// read, then the values the diagnosis needs that the configuration leaves unresolved (in that
/// order: a step reports them in it).
fn config_gaps(evidence: &Evidence) -> Vec<ConfigGap> {
    let ConfigEvidence::Loaded {
        gaps,
        api: loaded,
        stage,
        path,
        ..
    } = &evidence.config
    else {
        return Vec::new();
    };
    let mut all = gaps.clone();
    let mut missing: Vec<ConfigGap> = Vec::new();
    for m in inspect::missing_values(loaded, stage.as_deref(), path, &evidence.target.method) {
        let gap = ConfigGap {
            what: m.what.strip_prefix("the ").unwrap_or(&m.what).to_string(),
            step: m.step,
            reason: m.reason,
        };
        // The browser retest judges the same predicted answers: it rests on the value too.
        if (3..=5).contains(&gap.step) && !missing.iter().any(|g| g.step == 7) {
            missing.push(ConfigGap {
                step: 7,
                ..gap.clone()
            });
        }
        missing.push(gap);
    }
    all.extend(missing);
    all
}

/// A step passes only when the answers it rests on ([`STEP_INPUTS`]) are there: a `pass`
/// without them becomes `unknown`, saying which answer is missing (Chromium's own
/// observation stands in for the exchanges of step 7).
fn not_checked(d: &mut Draft, evidence: &Evidence, plan: &PreflightPlan) {
    if d.status() != StepStatus::Pass {
        return;
    }
    let inputs = step_inputs(d.number);
    if inputs.browser && retest::chromium_observed(evidence) {
        return;
    }
    let missing = inputs
        .pass_needs
        .iter()
        .filter(|k| **k != ExchangeKind::Preflight || plan.required)
        .find_map(|k| {
            let what = exchange_words(*k);
            match evidence.exchange(*k) {
                None => Some(format!("{what} was not sent")),
                Some(Exchange {
                    response: None,
                    error: Some(e),
                    ..
                }) => Some(format!(
                    "{what} got no answer: {}",
                    e.message.trim_end_matches('.')
                )),
                Some(Exchange { response: None, .. }) => Some(format!("{what} got no answer")),
                Some(_) => None,
            }
        });
    if let Some(why) = missing {
        d.quiet = Quiet::Unknown(sentence(&format!("Not checked: {why}")));
        d.note = None;
    }
}

/// `s` as a sentence: a full stop unless it already ends with one (or `?`, `!`).
pub(crate) fn sentence(s: &str) -> String {
    if s.ends_with(['.', '?', '!']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// An exchange in words ("the preflight").
fn exchange_words(kind: ExchangeKind) -> &'static str {
    match kind {
        ExchangeKind::Preflight => "the preflight",
        ExchangeKind::Actual => "the actual request",
        ExchangeKind::NoOrigin => "the request without Origin",
        ExchangeKind::ForeignOrigin => "the foreign-origin preflight",
    }
}

/// Without a configuration, steps 3–6 conclude only what the probes prove: say what reading
/// the configuration would add (why it was not read is in the report's
/// `api.config_unavailable` when a source failed).
fn note_what_config_would_add(d: &mut Draft) {
    let adds = match d.number {
        3 => "whether OPTIONS is deployed to the stage",
        4 => "the authorization and API-key settings of OPTIONS",
        5 => "that each Access-Control-Allow-* header is both declared (method response) and mapped (integration response)",
        6 => "whether DEFAULT_4XX/5XX and the other gateway responses carry CORS headers for errors that did not happen in this run",
        _ => return,
    };
    if d.status() == StepStatus::Pass {
        d.note = Some(format!(
            "(Probes only: the API's configuration would also show {adds}.)"
        ));
    }
}

/// The configuration facts about the request, when a configuration was loaded.
/// Every fix that changes the configuration, rendered in every flavour from its change set
/// (`remediation.snippets`), naming the resources from the model when it was read.
fn attach_snippets(steps: &mut [Step], evidence: &Evidence) {
    let api = match &evidence.config {
        ConfigEvidence::Loaded { api, .. } => Some(&**api),
        _ => None,
    };
    for f in steps.iter_mut().flat_map(|s| s.findings.iter_mut()) {
        if let Some(r) = &mut f.remediation {
            if let Some(set) = &r.change_set {
                r.snippets = Some(remedy::snippets::Snippets::render(set, api, &r.commands));
            }
        }
    }
}

fn config_facts(evidence: &Evidence) -> Option<ConfigFacts> {
    let ConfigEvidence::Loaded {
        api, stage, path, ..
    } = &evidence.config
    else {
        return None;
    };
    let t = &evidence.target;
    Some(inspect::facts_for_origin(
        api,
        stage.as_deref(),
        path,
        &t.method,
        Some(&t.origin),
    ))
}

fn observed(x: Option<&Exchange>) -> Observed<'_> {
    match x {
        Some(Exchange {
            response: Some(r), ..
        }) => Observed::Response(r),
        Some(Exchange { error: Some(e), .. }) => Observed::Failed(e),
        _ => Observed::NotSent,
    }
}

fn api_summary(evidence: &Evidence) -> ApiSummary {
    let api_ref = ApiRef::from_url(&evidence.target.url);
    let mut summary = ApiSummary {
        kind: infer_kind(&evidence.exchanges),
        id: api_ref.as_ref().map(|r| r.api_id.clone()),
        region: api_ref.as_ref().map(|r| r.region.clone()),
        stage: api_ref.as_ref().and_then(|r| r.stage.clone()),
        resource: api_ref.as_ref().map(|r| r.path.clone()),
        config_source: ConfigSourceName::None,
        config_unavailable: match &evidence.config {
            ConfigEvidence::Unavailable { reason } => Some(reason.clone()),
            _ => None,
        },
        kind_decided_by: None,
        config_warnings: Vec::new(),
        resource_unresolved: None,
    };
    if let ConfigEvidence::Loaded {
        source,
        api,
        stage,
        path,
        unresolved,
        ..
    } = &evidence.config
    {
        summary.config_source = match source {
            ConfigSourceKind::Sdk => ConfigSourceName::Sdk,
            ConfigSourceKind::Openapi => ConfigSourceName::Openapi,
            ConfigSourceKind::Template => ConfigSourceName::Template,
        };
        summary.kind = match api.kind {
            crate::gateway::model::ApiKind::Rest => ApiKindSeen::Rest,
            crate::gateway::model::ApiKind::Http => ApiKindSeen::Http,
        };
        summary.kind_decided_by = api.kind_decided_by.clone();
        summary.config_warnings = api
            .unresolved
            .iter()
            .filter(|u| {
                u.needed.is_some()
                    || matches!(u.kind, crate::gateway::model::UnresolvedKind::Undefined(_))
            })
            .map(|u| format!("{}.", u.reason()))
            .collect();
        if let Some(id) = &api.id {
            summary.id = Some(id.to_string());
        }
        if *source == ConfigSourceKind::Sdk && api.region.is_some() {
            summary.region = api.region.clone();
        }
        if stage.is_some() {
            summary.stage = stage.clone();
        }
        summary.resource = Some(path.clone());
        if let Some(why) = unresolved {
            summary.resource = None;
            summary.resource_unresolved = Some(why.clone());
        }
    }
    summary
}

/// REST or HTTP API, judged from the response headers when no configuration is known.
fn infer_kind(exchanges: &[Exchange]) -> ApiKindSeen {
    let responses = exchanges.iter().filter_map(|x| x.response.as_ref());
    let mut kind = ApiKindSeen::Unknown;
    for r in responses {
        if r.headers.contains("apigw-requestid") {
            return ApiKindSeen::Http;
        }
        if r.headers.contains("x-amz-apigw-id") || r.headers.contains("x-amzn-errortype") {
            kind = ApiKindSeen::Rest;
        }
    }
    if kind == ApiKindSeen::Unknown
        && exchanges
            .iter()
            .any(|x| x.answered_by == AnsweredBy::Gateway)
    {
        kind = ApiKindSeen::Rest;
    }
    kind
}
