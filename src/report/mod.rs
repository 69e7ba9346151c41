//! The report: schema v1 (see shared/design/report-schema.md) and its renderers.

mod markdown;
mod present;
pub mod preview;
mod text;
pub mod wrap;

use serde::{Deserialize, Serialize};

use crate::cors::{FailedAt, Outcome, PreflightReason};
use crate::diagnose::{ApiSummary, Diagnosis, Step, StepStatus};
use crate::evidence::{BrowserEvidence, BrowserObservation, Evidence, Exchange};
use crate::flow::{self, Flow};
use crate::redact::{self, MaskedExchange, Scrubber};

pub use crate::diagnose::words::{answer, exchange_summary};
pub use markdown::render as markdown;
pub use present::{failed_at_words, VerdictLine};
pub use preview::{NeededHeader, Preview, PreviewChange, PreviewResult};
pub use text::render as text;

pub use crate::diagnose::remedy::snippets::Flavour;

pub const SCHEMA: &str = "cors-doctor/report/v1";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTarget {
    pub url: String,
    pub origin: String,
    pub method: String,
    /// Names of the headers the app sets, lowercased (values are never reported).
    pub headers: Vec<String>,
    pub credentials: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportBrowser {
    pub preflight_required: bool,
    pub preflight_reasons: Vec<String>,
    pub outcome: Outcome,
    pub cors_error: Option<String>,
    /// The failed parameter Chromium reports with the error (additive to schema v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors_error_parameter: Option<String>,
    pub failed_at: Option<FailedAt>,
    pub hidden_status: Option<u16>,
    pub console_message: Option<String>,
    pub firefox_reason: Option<String>,
    pub source: VerdictSource,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Who judged the browser's verdict: the CORS engine's prediction, or a real Chromium.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerdictSource {
    #[default]
    Engine,
    Chromium,
}

impl VerdictSource {
    /// The name in reports (`engine`, `chromium`).
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictSource::Engine => "engine",
            VerdictSource::Chromium => "chromium",
        }
    }
}

/// The whole diagnosis as data: what `--format json` prints and what the TUI shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub target: ReportTarget,
    pub api: ApiSummary,
    pub browser: ReportBrowser,
    pub steps: Vec<Step>,
    pub first_failing_step: Option<u8>,
    pub exchanges: Vec<MaskedExchange>,
    /// AWS control-plane calls the configuration lookups made (additive; absent when none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub aws_calls: u32,
    /// The AWS account and principal the lookups ran as (STS GetCallerIdentity), when known
    /// (additive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_identity: Option<String>,
    /// The path of each exchange (`flow::flows`): its hops from the browser to the backend,
    /// the one that answered, the hidden status and where the browser blocked (additive;
    /// absent when there are no exchanges).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    /// `check --preview` and the TUI's `p`: the diagnosis after every proposed change
    /// (additive; absent unless asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<Box<Preview>>,
    /// The flavour the text and Markdown reports show each fix in (`--fix-format`, the
    /// config's `report.fix_format`); JSON carries every flavour under `snippets`.
    #[serde(skip)]
    pub fix_format: Flavour,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Report {
    /// Builds the report; every secret is masked here, so every output is safe: by structure
    /// (secret headers, URL user info and parameters), then by value in every string of the
    /// report (see [`redact::Secrets`]), with the target's secrets and the process's.
    pub fn new(evidence: &Evidence, diagnosis: &Diagnosis) -> Report {
        let t = &evidence.target;
        let v = &diagnosis.verdict;
        let mut secrets = t.secrets();
        secrets.extend(&redact::known_secrets());
        let scrub = Scrubber::new(t.url.as_str());
        let mut header_names: Vec<String> = t
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        header_names.dedup();
        let mut report = Report {
            schema: SCHEMA.to_string(),
            target: ReportTarget {
                url: redact::url(t.url.as_str()),
                origin: t.origin.clone(),
                method: t.method.clone(),
                headers: header_names,
                credentials: t.credentials.as_str().to_string(),
            },
            api: diagnosis.api.clone(),
            browser: ReportBrowser {
                preflight_required: diagnosis.plan.required,
                preflight_reasons: diagnosis
                    .plan
                    .reasons
                    .iter()
                    .map(PreflightReason::to_string)
                    .collect(),
                outcome: v.outcome,
                cors_error: v.cors_error.as_ref().map(|e| e.kind.name().to_string()),
                cors_error_parameter: v
                    .cors_error
                    .as_ref()
                    .and_then(|e| e.failed_parameter.clone()),
                failed_at: v.failed_at,
                hidden_status: v.hidden_status,
                console_message: v.console_message.as_deref().map(|m| scrub.text(m)),
                firefox_reason: v.firefox_reason.clone(),
                source: VerdictSource::Engine,
                warnings: v.warnings.clone(),
            },
            steps: diagnosis
                .steps
                .iter()
                .map(|s| scrubbed_step(&scrub, s))
                .collect(),
            first_failing_step: diagnosis.first_failing_step,
            exchanges: evidence
                .exchanges
                .iter()
                .map(|x| redact::exchange(x, &secrets))
                .collect(),
            aws_calls: 0,
            aws_identity: None,
            flows: Vec::new(),
            preview: None,
            fix_format: Flavour::Cli,
        };
        match &evidence.browser {
            Some(BrowserEvidence::Observed(o)) => {
                let agrees = o.disagreement(v, &diagnosis.plan).is_none();
                report.browser = chromium_browser(report.browser, o, agrees, &scrub)
            }
            Some(BrowserEvidence::Unavailable { reason }) => report
                .browser
                .warnings
                .push(format!("Chromium retest not run: {reason}")),
            None => {}
        }
        // Drawn from the verdict the report shows (Chromium's when it retested).
        report.flows = flow::flows(
            evidence,
            &flow::BrowserSide {
                outcome: report.browser.outcome,
                failed_at: report.browser.failed_at,
                cors_error: report.browser.cors_error.clone(),
                hidden_status: report.browser.hidden_status,
            },
        );
        report.masked_by_value(&secrets)
    }

    /// Every string field masked by value. Should the round trip through serde ever fail,
    /// the free text and the exchanges are withheld rather than shown unmasked.
    fn masked_by_value(self, secrets: &redact::Secrets) -> Report {
        if let Some(masked) = secrets.masked(&self) {
            return masked;
        }
        tracing::error!("could not mask the report by value; withholding its exchanges");
        let mut report = self;
        report.exchanges.clear();
        report.flows.clear();
        report.browser.console_message = None;
        for step in &mut report.steps {
            step.summary = secrets.mask(&step.summary);
            step.findings.clear();
        }
        report.target.url = secrets.mask(&report.target.url);
        report
    }

    /// 0: the browser would be allowed and no step fails; 1: a step fails.
    pub fn exit_code(&self) -> i32 {
        if self.first_failing_step.is_some() || self.browser.outcome != Outcome::Allowed {
            1
        } else {
            0
        }
    }

    pub fn step(&self, number: u8) -> Option<&Step> {
        self.steps.iter().find(|s| s.number == number)
    }

    pub fn exchange(&self, id: &str) -> Option<&Exchange> {
        self.exchanges.iter().find(|x| x.id == id).map(|x| &**x)
    }

    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The statuses of the steps, in order (handy for tests and the TUI).
    pub fn statuses(&self) -> Vec<StepStatus> {
        self.steps.iter().map(|s| s.status).collect()
    }
}

/// The text of `rem` in `flavour`, when it is not the AWS CLI commands and the fix has one
/// (a fix that changes no configuration, such as a curl to retry with, has only commands).
pub fn snippet(rem: &crate::diagnose::Remediation, flavour: Flavour) -> Option<&str> {
    if flavour == Flavour::Cli {
        return None;
    }
    rem.snippets
        .as_ref()
        .map(|s| s.get(flavour))
        .filter(|t| !t.trim().is_empty())
}

/// The Markdown fence language of a flavour.
fn fence_language(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Cli => "sh",
        Flavour::Cloudformation | Flavour::Sam => "yaml",
        Flavour::Cdk => "typescript",
        Flavour::Terraform => "hcl",
    }
}

/// A step with its free text scrubbed ([`Scrubber::text`]): summary, findings, remediation.
fn scrubbed_step(scrub: &Scrubber, step: &Step) -> Step {
    let mut step = step.clone();
    step.summary = scrub.text(&step.summary);
    for f in &mut step.findings {
        f.message = scrub.text(&f.message);
        if let Some(r) = &mut f.remediation {
            r.text = scrub.text(&r.text);
            r.commands = r.commands.iter().map(|c| scrub.text(c)).collect();
            if let Some(s) = &mut r.snippets {
                s.map(|t| scrub.text(t));
            }
        }
    }
    step
}

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Text,
    Json,
    Markdown,
}

impl Report {
    /// Text and Markdown reach terminals: every control character a server sent (C0, DEL,
    /// C1) is escaped first. JSON keeps the values exact (its encoding escapes them).
    pub fn render(&self, format: Format, color: bool) -> String {
        // (The flavour is no JSON field: it does not survive the round trip through serde.)
        let escaped = || {
            redact::map_strings(self, &redact::escape_controls).map(|mut r: Report| {
                r.fix_format = self.fix_format;
                r
            })
        };
        match format {
            Format::Text => match escaped() {
                Some(r) => text(&r, color),
                None => redact::escape_controls(&text(self, false)),
            },
            Format::Json => self.json(),
            Format::Markdown => match escaped() {
                Some(r) => markdown(&r),
                None => redact::escape_controls(&markdown(self)),
            },
        }
    }
}

/// The browser section from what a real Chromium did (`source: "chromium"`); the engine's
/// preflight plan stays.
fn chromium_browser(
    engine: ReportBrowser,
    o: &BrowserObservation,
    agrees: bool,
    scrub: &Scrubber,
) -> ReportBrowser {
    let mut warnings = engine.warnings;
    warnings.extend(o.warnings.iter().cloned());
    ReportBrowser {
        preflight_required: engine.preflight_required,
        preflight_reasons: engine.preflight_reasons,
        outcome: o.outcome,
        cors_error: o.cors_error.clone(),
        cors_error_parameter: o.failed_parameter.clone(),
        failed_at: o.failed_at(),
        hidden_status: o.hidden_status(),
        console_message: o
            .console_message
            .as_deref()
            .or(o.net_error.as_deref())
            .map(|m| scrub.text(m)),
        // The engine's Firefox reason when it agrees with Chromium (it knows Firefox's nuances).
        firefox_reason: if agrees {
            engine.firefox_reason
        } else {
            o.cors_error_kind()
                .map(|k| k.firefox_reason().to_string())
                .or_else(|| {
                    (o.outcome == Outcome::NetworkError).then(|| "CORSDidNotSucceed".to_string())
                })
        },
        source: VerdictSource::Chromium,
        warnings,
    }
}

/// A finding's source as the text, Markdown and TUI show it: `template.yaml:42 (ItemsApi)`,
/// the `FILE:LINE` form editors and terminals jump to.
pub fn source_text(src: &crate::gateway::model::SourceRef) -> String {
    let at = format!("{}:{}", crate::text::escape_controls(&src.file), src.line);
    match &src.resource {
        Some(r) => format!("{at} ({})", crate::text::escape_controls(r)),
        None => at,
    }
}
