//! A step while the diagnosis gathers what its evidence says (the probes' findings, then the
//! configuration's, then what could not be read), concluded once into a [`Step`].

use super::findings::{most_specific_first, Finding, Severity, Step, StepStatus};

/// What a step says when none of its findings is a warning or an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Quiet {
    /// Its evidence says it passes (the text says what was checked).
    Pass(String),
    /// It does not apply here (the text says why).
    Skip(String),
    /// It could not be checked (the text says why).
    Unknown(String),
}

/// A step before it is concluded.
#[derive(Clone, Debug)]
pub(super) struct Draft {
    pub number: u8,
    pub findings: Vec<Finding>,
    pub quiet: Quiet,
    /// A summary that stands whatever the findings (steps 2 and 7 describe what the browser
    /// does; their findings detail it).
    pub fixed_summary: Option<String>,
    /// Part of what the step rests on could not be read: the step is `unknown`, with this
    /// summary, unless a finding is an error.
    pub unknown: Option<String>,
    /// Appended to the summary (what the configuration would add, or could not).
    pub note: Option<String>,
}

impl Draft {
    pub fn new(number: u8, findings: Vec<Finding>, quiet: Quiet) -> Self {
        Draft {
            number,
            findings,
            quiet,
            fixed_summary: None,
            unknown: None,
            note: None,
        }
    }

    /// A step judged from `findings`; `summary` when none is a warning or an error.
    pub fn judged(number: u8, findings: Vec<Finding>, summary: impl Into<String>) -> Self {
        Self::new(number, findings, Quiet::Pass(summary.into()))
    }

    pub fn skip(number: u8, why: impl Into<String>) -> Self {
        Self::new(number, Vec::new(), Quiet::Skip(why.into()))
    }

    pub fn unknown(number: u8, why: impl Into<String>) -> Self {
        Self::new(number, Vec::new(), Quiet::Unknown(why.into()))
    }

    /// With a summary that stands whatever the findings.
    pub fn summarized(mut self, summary: impl Into<String>) -> Self {
        self.fixed_summary = Some(summary.into());
        self
    }

    fn has(&self, severity: Severity) -> bool {
        self.findings.iter().any(|f| f.severity == severity)
    }

    /// The status the step concludes with as things stand: any error fails it; then what
    /// could not be read makes it `unknown`; then any warning warns; else its quiet status.
    pub fn status(&self) -> StepStatus {
        if self.has(Severity::Error) {
            StepStatus::Fail
        } else if self.unknown.is_some() {
            StepStatus::Unknown
        } else if self.has(Severity::Warning) {
            StepStatus::Warn
        } else {
            match self.quiet {
                Quiet::Pass(_) => StepStatus::Pass,
                Quiet::Skip(_) => StepStatus::Skip,
                Quiet::Unknown(_) => StepStatus::Unknown,
            }
        }
    }

    /// The summary as things stand (without the note): why it is unknown when no finding is
    /// an error, else the fixed one, else the first warning or error, else the quiet text
    /// ("first" in the order the step lists its findings).
    pub fn summary(&self) -> String {
        // The finding listed first once the step is concluded (see `most_specific_first`).
        let top = self
            .findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .min_by_key(|f| (f.severity, !f.code.is_cause()));
        let error = top.filter(|f| f.severity == Severity::Error);
        if let (Some(u), None) = (&self.unknown, error) {
            return u.clone();
        }
        if let Some(s) = &self.fixed_summary {
            return s.clone();
        }
        if let Some(f) = top {
            return f.message.clone();
        }
        match &self.quiet {
            Quiet::Pass(s) | Quiet::Skip(s) | Quiet::Unknown(s) => s.clone(),
        }
    }

    /// The step: its findings most specific first, its status and its summary.
    pub fn conclude(mut self) -> Step {
        most_specific_first(&mut self.findings);
        let status = self.status();
        let mut summary = self.summary();
        if let Some(note) = &self.note {
            summary = format!("{summary} {note}");
        }
        let mut step = Step::new(self.number, status, summary);
        step.findings = self.findings;
        step
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::findings::FindingCode as C;

    #[test]
    fn a_step_is_concluded_from_its_findings_its_gaps_and_its_quiet_status() {
        // Nothing wrong: the quiet status and text.
        let d = Draft::judged(5, vec![Finding::info(C::ActualCorsHeaders, "vary")], "ok");
        assert_eq!(
            (d.status(), d.summary()),
            (StepStatus::Pass, "ok".to_string())
        );
        // A symptom found first, a cause after it: the cause leads and is the summary.
        let mut d = Draft::judged(
            5,
            vec![Finding::error(C::PreflightCorsHeaders, "symptom")],
            "ok",
        );
        d.findings.push(Finding::error(C::HeaderNotMapped, "cause"));
        let s = d.clone().conclude();
        assert_eq!(s.status, StepStatus::Fail);
        assert_eq!(s.summary, "cause");
        assert_eq!(s.findings[0].code, C::HeaderNotMapped);
        // What could not be read makes a warned step unknown, never a failed one.
        let mut w = Draft::judged(6, vec![Finding::warning(C::CorsSecurityRisk, "w")], "ok");
        w.unknown = Some("Unknown: x".into());
        assert_eq!(
            (w.status(), w.summary()),
            (StepStatus::Unknown, "Unknown: x".to_string())
        );
        d.unknown = Some("Unknown: y".into());
        assert_eq!(d.status(), StepStatus::Fail);
        // A fixed summary stands over the findings, not over what could not be read.
        let mut f =
            Draft::judged(7, vec![Finding::error(C::BrowserBlocked, "b")], "x").summarized("fixed");
        assert_eq!(f.summary(), "fixed");
        f.findings.clear();
        f.unknown = Some("Unknown: z".into());
        assert_eq!(f.summary(), "Unknown: z");
        // A skipped or unchecked step without findings keeps its reason; a note is appended.
        let mut k = Draft::skip(3, "no preflight");
        k.note = Some("(note)".into());
        let k = k.conclude();
        assert_eq!(
            (k.status, k.summary.as_str()),
            (StepStatus::Skip, "no preflight (note)")
        );
        assert_eq!(Draft::unknown(4, "why").status(), StepStatus::Unknown);
    }
}
