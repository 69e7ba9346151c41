//! The preview (issue 14): the changes every finding proposes, applied to a copy of the
//! configuration, and the same request replayed through the behaviour model — the diagnosis
//! after the fix, beside the one before. Computed by the runner (`runner::preview`); rendered
//! here for text and Markdown (the TUI draws its own).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::{Report, VerdictLine};
use crate::cors::Outcome;
use crate::diagnose::{FindingCode, StepStatus};
use crate::gateway::change::Change;

/// JSON: the report's top-level `preview` (additive to schema v1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    /// What the preview found.
    pub result: PreviewResult,
    /// Every change applied, with the finding that proposed it, in the order applied.
    pub changes: Vec<PreviewChange>,
    /// The diagnosis of the fixed configuration, predicted (absent without a configuration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Box<Report>>,
    /// Without a configuration: the CORS headers each response needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers_needed: Vec<NeededHeader>,
    /// Without a configuration: the browser's verdict on the recorded answers carrying those
    /// headers (the CORS engine's; a check of the headers, not of an API change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers_verdict: Option<Outcome>,
    /// What the user must know, one sentence each: why there is no predicted report, the
    /// changes that could not be applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewResult {
    /// The fixed configuration lets the browser through.
    Allowed,
    /// The fixed configuration still blocks: a bug in a remedy or in the model.
    StillBlocked,
    /// The browser is allowed already; nothing to change.
    AlreadyAllowed,
    /// No configuration to apply the changes to (probes only), or no change proposed: the
    /// notes say which.
    NotPreviewed,
}

/// One change and the finding that proposed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewChange {
    pub finding: FindingCode,
    pub change: Change,
}

/// A CORS header a response needs (probes only): `response` is `preflight` or `actual`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeededHeader {
    pub response: String,
    pub name: String,
    pub value: String,
}

impl PreviewResult {
    /// The one-line verdict of the preview.
    pub fn headline(self) -> &'static str {
        match self {
            PreviewResult::Allowed => "the fix works: the browser would allow the request",
            PreviewResult::StillBlocked => "THE FIXED CONFIGURATION STILL BLOCKS THE REQUEST: this is a bug in cors-doctor (a remedy or its model of API Gateway); please report it with this output",
            PreviewResult::AlreadyAllowed => "nothing to fix: the browser already allows the request",
            PreviewResult::NotPreviewed => "API change not previewed (see the note)",
        }
    }
}

/// A step's status, in a fixed-width word.
pub fn status_word(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pass => "✔ pass",
        StepStatus::Fail => "✘ FAIL",
        StepStatus::Warn => "! warn",
        StepStatus::Skip => "- skip",
        StepStatus::Unknown => "? unknown",
    }
}

/// The seven steps before and after: (number, title, before, after).
pub fn step_rows(before: &Report, after: &Report) -> Vec<(u8, String, StepStatus, StepStatus)> {
    before
        .steps
        .iter()
        .map(|s| {
            let a = after
                .step(s.number)
                .map_or(StepStatus::Unknown, |a| a.status);
            (s.number, s.title.clone(), s.status, a)
        })
        .collect()
}

/// The preview as text lines (no styling): the changes, the steps before → after, the
/// verdicts, and what the preview could not do.
pub fn lines(before: &Report, p: &Preview) -> Vec<String> {
    let mut out = Vec::new();
    if p.changes.is_empty() {
        out.push("Changes: none proposed.".to_string());
    } else {
        out.push(format!("Changes ({}):", p.changes.len()));
        for c in &p.changes {
            out.push(format!("  {} · {}", c.finding, c.change.describe()));
        }
    }
    if let Some(after) = &p.report {
        out.push(String::new());
        let width = before
            .steps
            .iter()
            .map(|s| s.title.chars().count() + 4)
            .max()
            .unwrap_or(40);
        out.push(format!("{:width$}  {:10}  After", "Step", "Before"));
        for (n, title, b, a) in step_rows(before, after) {
            let changed = if b != a { "  ◀" } else { "" };
            out.push(format!(
                "{:width$}  {:10}  {}{changed}",
                format!("{n}. {title}"),
                status_word(b),
                status_word(a)
            ));
        }
        out.push(String::new());
        out.push(format!(
            "Before: {}",
            VerdictLine::of(&before.browser).plain()
        ));
        out.push(format!(
            "After:  {}",
            VerdictLine::of(&after.browser).plain()
        ));
        if let Some(s) = after.first_failing_step.and_then(|n| after.step(n)) {
            out.push(format!(
                "After the fix, step {} still fails: {}",
                s.number, s.summary
            ));
        }
    }
    if !p.headers_needed.is_empty() {
        out.push(String::new());
        out.push("The responses need these headers:".to_string());
        for h in &p.headers_needed {
            out.push(format!("  {}: {}: {}", h.response, h.name, h.value));
        }
        if let Some(v) = p.headers_verdict {
            out.push(format!(
                "With them, the browser would say: {}",
                v.headline()
            ));
        }
    }
    for n in &p.notes {
        out.push(format!("Note: {n}"));
    }
    out
}

/// The text report's preview section; `paint` styles (ANSI code, text).
pub(super) fn text(r: &Report, paint: &dyn Fn(&str, &str) -> String) -> String {
    let Some(p) = &r.preview else {
        return String::new();
    };
    let mut out = String::new();
    let code = match p.result {
        PreviewResult::Allowed | PreviewResult::AlreadyAllowed => "1;32",
        PreviewResult::StillBlocked => "1;31",
        PreviewResult::NotPreviewed => "1;33",
    };
    let _ = writeln!(
        out,
        "\n{} {}",
        paint("1", "Preview (before → after):"),
        paint(code, p.result.headline())
    );
    for l in lines(r, p) {
        if l.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {l}");
        }
    }
    out
}

/// The Markdown report's preview section.
pub(super) fn markdown(r: &Report) -> String {
    let Some(p) = &r.preview else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(out, "\n### Preview: before → after\n");
    let loud = if p.result == PreviewResult::StillBlocked {
        "**⚠ "
    } else {
        "**"
    };
    let _ = writeln!(out, "{loud}{}**\n", p.result.headline());
    for c in &p.changes {
        let _ = writeln!(out, "- `{}`: {}", c.finding, c.change.describe());
    }
    if let Some(after) = &p.report {
        let _ = writeln!(out, "\n| Step | Before | After |\n|---|---|---|");
        for (n, title, b, a) in step_rows(r, after) {
            let _ = writeln!(
                out,
                "| {n}. {title} | {} | {} |",
                status_word(b),
                status_word(a)
            );
        }
        let _ = writeln!(
            out,
            "\n- **Before:** {}\n- **After:** {}",
            VerdictLine::of(&r.browser).plain(),
            VerdictLine::of(&after.browser).plain()
        );
        if let Some(s) = after.first_failing_step.and_then(|n| after.step(n)) {
            let _ = writeln!(
                out,
                "- After the fix, step {} still fails: {}",
                s.number, s.summary
            );
        }
    }
    if !p.headers_needed.is_empty() {
        let _ = writeln!(out, "\nThe responses need these headers:\n");
        for h in &p.headers_needed {
            let _ = writeln!(out, "- {}: `{}: {}`", h.response, h.name, h.value);
        }
        if let Some(v) = p.headers_verdict {
            let _ = writeln!(
                out,
                "\nWith them, the browser would say: **{}**",
                v.headline()
            );
        }
    }
    for n in &p.notes {
        let _ = writeln!(out, "\n> {n}");
    }
    out
}
