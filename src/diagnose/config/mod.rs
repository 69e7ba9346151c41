//! What the API's configuration adds to the probes' evidence: the precise cause (declared but
//! not mapped, added but not deployed, IAM on OPTIONS…), and gateway responses that would
//! hide errors which did not happen during this run.
//!
//! [`parts`] reads the configuration once and says, per step, what it adds; the diagnosis
//! joins each step's part with the probes' findings before it concludes the step
//! ([`ConfigPart::apply`]), so every step is concluded once, from all of its evidence.

mod http;
mod rest;

use super::draft::{Draft, Quiet};
use super::findings::{Finding, FindingCode, Remediation, Severity, StepStatus};
use super::steps::Ctx;
use crate::cors;
use crate::evidence::{ConfigEvidence, ConfigGap, Exchange};
use crate::gateway::inspect::ConfigFacts;
use crate::gateway::model::ApiKind;

/// The evidence id of the configuration.
const CONFIG: &str = "config";

/// What the configuration says about one step.
#[derive(Clone, Debug, Default)]
pub(super) struct ConfigPart {
    /// Probe findings the configuration explains otherwise, and what the step says instead.
    explained: Vec<(FindingCode, String)>,
    /// The step applies although the probes skipped it (an OPTIONS guarded by IAM answers
    /// like a missing one).
    reopened: bool,
    /// Its findings; one with the code of a probe finding is merged into that finding.
    findings: Vec<Finding>,
    /// Sentences added to the step's finding of that code, when it has one.
    notes: Vec<(FindingCode, String)>,
    /// The live exchanges that passed the browser's checks (preflight, actual), which a
    /// failure drawn from the configuration alone contradicts.
    live_passed: Option<(Option<String>, Option<String>)>,
    /// Why the configuration could not be matched to the URL.
    unresolved: Option<String>,
}

/// The configuration's part of each step, while it is worked out: the probes' drafts are read
/// (step 6's live failure), never changed.
pub(super) struct Parts<'d> {
    parts: [ConfigPart; 7],
    drafts: &'d [Draft],
}

impl Parts<'_> {
    fn at(&mut self, number: u8) -> &mut ConfigPart {
        &mut self.parts[usize::from(number.clamp(1, 7)) - 1]
    }

    /// What the probes alone concluded for step `number`.
    fn probe(&self, number: u8) -> Option<&Draft> {
        self.drafts.iter().find(|d| d.number == number)
    }

    fn add(&mut self, number: u8, finding: Finding) {
        self.at(number).findings.push(finding);
    }

    /// The probes' finding `code` is explained otherwise by the configuration; `summary`
    /// says what the step concludes instead.
    fn explain(&mut self, number: u8, code: FindingCode, summary: String) {
        self.at(number).explained.push((code, summary));
    }

    fn reopen(&mut self, number: u8) {
        self.at(number).reopened = true;
    }

    fn note(&mut self, number: u8, code: FindingCode, note: String) {
        self.at(number).notes.push((code, note));
    }
}

/// The configuration's part of each of the seven steps (steps 3–6 receive one).
pub(super) fn parts(c: &Ctx, facts: &ConfigFacts, drafts: &[Draft]) -> Vec<ConfigPart> {
    let mut parts = Parts {
        parts: Default::default(),
        drafts,
    };
    if let Some(why) = unresolved(c) {
        // The resource is not known: its findings would be guesses. Gateway responses do
        // not depend on it.
        if facts.kind == ApiKind::Rest {
            rest::gateway_responses(&mut parts, c, facts);
        }
        for n in 3..=5 {
            parts.at(n).unresolved = Some(why.to_string());
        }
        return parts.parts.into();
    }
    match facts.kind {
        ApiKind::Rest => rest::refine_rest(&mut parts, c, facts),
        ApiKind::Http => http::refine_http(&mut parts, c, facts),
    }
    let live = (live_preflight_passed(c), live_actual_passed(c));
    if live.0.is_some() || live.1.is_some() {
        for n in 3..=5 {
            parts.at(n).live_passed = Some(live.clone());
        }
    }
    parts.parts.into()
}

impl ConfigPart {
    /// Joins the configuration's part with the probes' draft of the same step.
    pub(super) fn apply(self, d: &mut Draft) {
        for (code, summary) in self.explained {
            let before = d.findings.len();
            d.findings.retain(|f| f.code != code);
            if d.findings.len() != before && !matches!(d.quiet, Quiet::Skip(_)) {
                d.quiet = Quiet::Pass(summary);
            }
        }
        if self.reopened {
            if let Quiet::Skip(why) = &d.quiet {
                d.quiet = Quiet::Pass(why.clone());
            }
        }
        for finding in self.findings {
            merge(d, finding);
        }
        for (code, note) in self.notes {
            if let Some(f) = d.findings.iter_mut().find(|f| f.code == code) {
                f.message = format!("{} Configuration: {note}", f.message);
                cite_config(f);
            }
        }
        if let Some((preflight, actual)) = &self.live_passed {
            reconcile_with_live(d, preflight, actual);
        }
        if let Some(why) = &self.unresolved {
            match d.status() {
                StepStatus::Fail | StepStatus::Skip => {}
                StepStatus::Unknown => d.quiet = Quiet::Unknown(format!("Unknown: {why}.")),
                StepStatus::Pass | StepStatus::Warn => {
                    d.note = Some(format!("(The configuration cannot add to this: {why}.)"))
                }
            }
        }
    }
}

fn cite_config(f: &mut Finding) {
    if !f.evidence.iter().any(|e| e == CONFIG) {
        f.evidence.push(CONFIG.to_string());
    }
}

/// Adds a finding; a probe finding with the same code absorbs it (cites the config too).
fn merge(d: &mut Draft, finding: Finding) {
    match d.findings.iter_mut().find(|f| f.code == finding.code) {
        Some(existing) => {
            cite_config(existing);
            existing.message = format!("{} Configuration: {}", existing.message, finding.message);
            if finding.remediation.is_some() {
                existing.remediation = finding.remediation;
            }
        }
        None => d.findings.push(finding),
    }
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
fn reconcile_with_live(d: &mut Draft, preflight: &Option<String>, actual: &Option<String>) {
    for f in d.findings.iter_mut() {
        if f.severity != Severity::Error || !f.evidence.iter().all(|e| e == CONFIG) {
            continue;
        }
        let about_options = d.number != 5 || f.message.starts_with("OPTIONS ");
        let (passed, what) = if about_options {
            (preflight, "preflight")
        } else {
            (actual, "response to the actual request")
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
            change_set: None,
            snippets: None,
        });
    }
}

/// A step whose configuration could not be read (a partial load) is `unknown` and says why;
/// a failure the probes observed stands, and a skipped step stays skipped. A failure that only
/// predictions (offline, from the same incomplete configuration) or the configuration show
/// does not stand: it rested on what is missing. Findings drawn from the configuration alone
/// are dropped from the step.
pub(super) fn apply_gap(d: &mut Draft, g: &ConfigGap, exchanges: &[Exchange]) {
    let observed = |f: &Finding| {
        f.evidence
            .iter()
            .any(|e| exchanges.iter().any(|x| &x.id == e && !x.predicted))
    };
    let status = d.status();
    let observed_failure = d
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error && observed(f));
    if status == StepStatus::Skip || (status == StepStatus::Fail && observed_failure) {
        return;
    }
    if status == StepStatus::Unknown {
        // Already unknown (another gap): add this reason.
        d.unknown = Some(format!(
            "{} Also, the {} could not be read: {}",
            d.summary(),
            g.what,
            g.reason
        ));
        return;
    }
    d.findings.retain(|f| observed(f));
    d.note = None;
    d.unknown = Some(format!(
        "Unknown: the {} could not be read: {}",
        g.what, g.reason
    ));
}
