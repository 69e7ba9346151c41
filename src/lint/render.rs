//! The lint report as text (terminal, CI logs) and Markdown (a pull request comment).

use std::fmt::Write as _;

use super::{LintReport, ReportFinding};
use crate::diagnose::Severity;
use crate::redact::escape_controls;

/// A severity's mark in text reports (`✘ error  `), the same width for each.
pub(crate) fn mark(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✘ error  ",
        Severity::Warning => "! warning",
        Severity::Info => "· info   ",
    }
}

/// Where a finding is: `file:line (resource)`, or the file alone.
fn place(f: &ReportFinding) -> String {
    match &f.source {
        Some(s) => match &s.resource {
            Some(r) => format!("{}:{} ({r})", s.file, s.line),
            None => format!("{}:{}", s.file, s.line),
        },
        None => f.file.clone(),
    }
}

fn what(f: &ReportFinding) -> String {
    match (&f.route, f.routes_affected) {
        (Some(r), _) => format!("{} {}", r.method, r.path),
        (None, Some(n)) if n > 1 => format!("the whole API ({n} routes)"),
        (None, _) => "the whole API".to_string(),
    }
}

/// `1 error`, `2 errors`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `2 errors, 1 warning, 0 notes`.
pub(crate) fn counts(errors: usize, warnings: usize, info: usize) -> String {
    format!(
        "{}, {}, {}",
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings"),
        plural(info, "note", "notes")
    )
}

pub(super) fn text(r: &LintReport) -> String {
    let mut out = String::new();
    let s = &r.summary;
    let _ = writeln!(
        out,
        "cors-doctor lint: {}, {}, {} · origin{} {}",
        plural(s.files, "file", "files"),
        plural(s.apis, "API", "APIs"),
        plural(s.routes, "route", "routes"),
        if r.origins.len() == 1 { "" } else { "s" },
        r.origins.join(", ")
    );
    for file in &r.files {
        for api in &file.apis {
            let _ = writeln!(out);
            let at = api
                .source
                .as_ref()
                .map(|s| format!(" ({}:{})", s.file, s.line))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{} · {} API {}{at}",
                file.file,
                api.kind.to_uppercase(),
                escape_controls(&api.name)
            );
            let mine: Vec<&ReportFinding> = r
                .findings
                .iter()
                .filter(|f| f.file == file.file && f.api == api.name)
                .collect();
            if mine.is_empty() {
                let _ = writeln!(
                    out,
                    "  ✔ no trap found in {}",
                    plural(api.routes, "route", "routes")
                );
            }
            for f in mine {
                let _ = writeln!(out, "  {} {}  {}", mark(f.severity), f.code, what(f));
                let _ = writeln!(out, "      at {}", escape_controls(&place(f)));
                let _ = writeln!(out, "      {}", escape_controls(&f.message));
                if let Some(fix) = &f.remediation {
                    for (i, line) in fix.text.lines().enumerate() {
                        let lead = if i == 0 { "Fix: " } else { "  " };
                        let _ = writeln!(out, "      {lead}{}", escape_controls(line));
                    }
                }
            }
            for u in &api.unresolved {
                let _ = writeln!(out, "  ? unresolved: {}", escape_controls(u));
            }
        }
    }
    let _ = writeln!(out);
    let _ = write!(out, "{}", counts(s.errors, s.warnings, s.info));
    out
}

/// Text for a Markdown table cell: no line breaks, pipes escaped.
pub(crate) fn cell(s: &str) -> String {
    escape_controls(s).replace('\n', " ").replace('|', "\\|")
}

pub(super) fn markdown(r: &LintReport) -> String {
    let mut out = String::new();
    let s = &r.summary;
    let _ = writeln!(out, "## cors-doctor lint\n");
    let _ = writeln!(
        out,
        "**{}** in {}, {}, {} (origin{}: {}).\n",
        counts(s.errors, s.warnings, s.info),
        plural(s.files, "file", "files"),
        plural(s.apis, "API", "APIs"),
        plural(s.routes, "route", "routes"),
        if r.origins.len() == 1 { "" } else { "s" },
        r.origins
            .iter()
            .map(|o| format!("`{}`", cell(o)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if r.findings.is_empty() {
        let _ = writeln!(out, "No trap found.");
        return out;
    }
    let _ = writeln!(
        out,
        "| severity | code | API | route | where | finding | fix |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for f in &r.findings {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | `{}` | {} | {} |",
            f.severity.as_str(),
            f.code,
            cell(&f.api),
            cell(&what(f)),
            cell(&place(f)),
            cell(&f.message),
            cell(f.remediation.as_ref().map_or("", |x| x.text.as_str()))
        );
    }
    out
}
