//! The plain-text report: the seven steps with marks, the first failing step highlighted, the
//! hidden status, the console message the user saw and the remediation.

use std::fmt::Write;

use super::{exchange_summary, Flavour, Report, VerdictLine};
use crate::cors::Outcome;
use crate::diagnose::{Severity, Step, StepStatus};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    fn status(&self, status: StepStatus) -> String {
        let (mark, code) = status_mark(status);
        self.paint(code, mark)
    }
}

/// The mark and ANSI color of a step status.
fn status_mark(status: StepStatus) -> (&'static str, &'static str) {
    match status {
        StepStatus::Pass => ("✔ pass", "32"),
        StepStatus::Fail => ("✘ FAIL", "1;31"),
        StepStatus::Warn => ("! warn", "33"),
        StepStatus::Skip => ("- skip", "2"),
        StepStatus::Unknown => ("? unknown", "35"),
    }
}

pub fn render(r: &Report, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    let t = &r.target;
    let _ = writeln!(
        out,
        "{} {} {}",
        st.bold("cors-doctor:"),
        st.bold(&t.method),
        t.url
    );
    let _ = writeln!(
        out,
        "  from origin {} · credentials {}{}",
        t.origin,
        t.credentials,
        if t.headers.is_empty() {
            String::new()
        } else {
            format!(" · headers {}", t.headers.join(", "))
        }
    );
    let a = &r.api;
    let mut api_bits = vec![format!("{} API", a.kind)];
    for (label, v) in [
        ("id", &a.id),
        ("region", &a.region),
        ("stage", &a.stage),
        ("resource", &a.resource),
    ] {
        if let Some(v) = v {
            api_bits.push(format!("{label} {v}"));
        }
    }
    if let Some(why) = &a.resource_unresolved {
        api_bits.push(format!("resource unknown ({why})"));
    }
    api_bits.push(match &a.config_unavailable {
        Some(why) => format!("config: unavailable ({why})"),
        None => format!("config: {}", a.config_source),
    });
    let _ = writeln!(out, "  {}", st.dim(&api_bits.join(" · ")));
    if let Some(by) = &a.kind_decided_by {
        let _ = writeln!(out, "  {}", st.dim(&format!("{} API: {by}", a.kind)));
    }
    for w in &a.config_warnings {
        let _ = writeln!(out, "  {}", st.paint("33", &format!("config: {w}")));
    }
    if let Some(who) = &r.aws_identity {
        let _ = writeln!(out, "  {}", st.dim(&format!("AWS: {who}")));
    }
    out.push('\n');

    let b = &r.browser;
    let v = VerdictLine::of(b);
    let color = match v.outcome {
        Outcome::Allowed => "1;32",
        Outcome::Blocked | Outcome::NetworkError | Outcome::Refused => "1;31",
        Outcome::Unknown => "1;33",
    };
    let _ = writeln!(out, "Browser: {}{}", st.paint(color, v.headline), v.rest);
    if let Some(m) = &b.console_message {
        let _ = writeln!(out, "  Console: {m}");
    }
    if let Some(f) = &b.firefox_reason {
        let _ = writeln!(out, "  Firefox: (Reason: {f})");
    }
    if let Some(why) = b.warnings.last().filter(|_| b.outcome == Outcome::Unknown) {
        let _ = writeln!(out, "  Why: {why}.");
    }
    out.push('\n');

    for step in &r.steps {
        render_step(
            &mut out,
            &st,
            step,
            r.first_failing_step == Some(step.number),
            r.fix_format,
        );
    }

    out.push('\n');
    if !r.flows.is_empty() {
        let _ = writeln!(out, "{}", st.bold("Paths"));
        for f in &r.flows {
            let line = crate::flow::styled_line(f, &crate::flow::Glyphs::UNICODE, &|code, s| {
                st.paint(code, s)
            });
            let _ = writeln!(out, "  {line}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{}", st.bold("Exchanges"));
    for x in &r.exchanges {
        let mut line = exchange_summary(x);
        if let Some(resp) = &x.response {
            let aco = resp.headers.get("access-control-allow-origin");
            let _ = write!(
                line,
                " · Allow-Origin: {}",
                aco.map(|v| format!("'{v}'"))
                    .unwrap_or_else(|| "none".to_string())
            );
        }
        if !x.predicted {
            let _ = write!(line, " · {} ms", x.elapsed_ms);
        }
        let _ = writeln!(out, "  {line}");
    }
    out.push('\n');
    let verdict_line = match r.first_failing_step.and_then(|n| r.step(n)) {
        Some(s) => format!(
            "First failing step: {}. {} — {}",
            s.number, s.title, s.summary
        ),
        None if b.outcome == Outcome::Allowed => {
            "No step fails: the browser would allow this request.".to_string()
        }
        None if b.outcome == Outcome::Unknown => {
            "No step fails, but the browser's final verdict is unknown; see why above.".to_string()
        }
        None => "No step explains the failure; see the browser verdict above.".to_string(),
    };
    let _ = writeln!(out, "{}", st.bold(&verdict_line));
    out.push_str(&super::preview::text(r, &|code, s| st.paint(code, s)));
    out
}

fn render_step(out: &mut String, st: &Style, step: &Step, first: bool, fix_format: Flavour) {
    let title = format!("{}. {}", step.number, step.title);
    let marker = if first {
        st.paint("1;31", "  ◀ first failing step")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "{} {}{}",
        st.status(step.status),
        if first { st.bold(&title) } else { title },
        marker
    );
    let _ = writeln!(out, "    {}", step.summary);
    let detailed = matches!(
        step.status,
        StepStatus::Fail | StepStatus::Warn | StepStatus::Unknown
    );
    for f in &step.findings {
        if f.severity == Severity::Info && !detailed {
            continue;
        }
        if f.message == step.summary && f.remediation.is_none() && f.source.is_none() {
            continue;
        }
        let sev = match f.severity {
            Severity::Error => st.paint("31", f.severity.as_str()),
            Severity::Warning => st.paint("33", f.severity.as_str()),
            Severity::Info => st.dim(f.severity.as_str()),
        };
        let cites = if f.evidence.is_empty() {
            String::new()
        } else {
            st.dim(&format!(" [{}]", f.evidence.join(", ")))
        };
        let _ = writeln!(out, "    {sev} {}{cites}", f.code);
        if f.message != step.summary {
            let _ = writeln!(out, "      {}", f.message);
        }
        if let Some(src) = &f.source {
            let _ = writeln!(out, "      {} {}", st.bold("At:"), super::source_text(src));
        }
        if let Some(rem) = &f.remediation {
            let _ = writeln!(out, "      {} {}", st.bold("Fix:"), rem.text);
            if let Some(snippet) = super::snippet(rem, fix_format) {
                // Fenced: the wrapper leaves the lines between the fences as they are.
                let _ = writeln!(
                    out,
                    "        {}",
                    st.dim(&format!("{}:", fix_format.label()))
                );
                let _ = writeln!(out, "        ```{}", super::fence_language(fix_format));
                for line in snippet.lines() {
                    if line.is_empty() {
                        out.push('\n');
                    } else {
                        let _ = writeln!(out, "        {}", st.paint("36", line));
                    }
                }
                let _ = writeln!(out, "        ```");
                continue;
            }
            for c in &rem.commands {
                for (i, line) in c.lines().enumerate() {
                    let prefix = if i == 0 && !line.starts_with('#') {
                        "$ "
                    } else {
                        "  "
                    };
                    let _ = writeln!(
                        out,
                        "        {}",
                        st.paint("36", &format!("{prefix}{line}"))
                    );
                }
            }
        }
    }
}
