//! Markdown, ready to paste into a ticket.

use std::fmt::Write;

use super::Report;
use crate::diagnose::StepStatus;
use crate::evidence::AnsweredBy;

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let t = &r.target;
    let _ = writeln!(out, "## CORS diagnosis: `{} {}`\n", t.method, t.url);
    let _ = writeln!(
        out,
        "- **Origin:** `{}` (credentials: `{}`)",
        t.origin, t.credentials
    );
    if !t.headers.is_empty() {
        let _ = writeln!(
            out,
            "- **Request headers:** {}",
            t.headers
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let a = &r.api;
    let _ = writeln!(
        out,
        "- **API:** {} (id `{}`, stage `{}`, resource `{}`, config: {})",
        a.kind,
        a.id.as_deref().unwrap_or("?"),
        a.stage.as_deref().unwrap_or("?"),
        a.resource.as_deref().unwrap_or("?"),
        a.config_source
    );
    if let Some(who) = &r.aws_identity {
        let _ = writeln!(out, "- **AWS:** {who}");
    }
    let b = &r.browser;
    let v = super::VerdictLine::of(b);
    let _ = writeln!(out, "- **Browser:** **{}**{}", v.headline, v.rest);
    if let Some(m) = &b.console_message {
        let _ = writeln!(out, "\n> {m}");
    }
    if let Some(why) = b
        .warnings
        .last()
        .filter(|_| b.outcome == crate::cors::Outcome::Unknown)
    {
        let _ = writeln!(out, "\n> Unknown verdict: {why}.");
    }
    out.push('\n');
    let _ = writeln!(out, "| # | Step | Status | Summary |\n|---|---|---|---|");
    for s in &r.steps {
        let status = if r.first_failing_step == Some(s.number) {
            "**FAIL (first)**".to_string()
        } else {
            s.status.as_str().to_string()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            s.number,
            s.title,
            status,
            s.summary.replace('|', "\\|")
        );
    }
    for s in r
        .steps
        .iter()
        .filter(|s| matches!(s.status, StepStatus::Fail | StepStatus::Warn))
    {
        let _ = writeln!(out, "\n### Step {}: {}\n", s.number, s.title);
        for f in &s.findings {
            let _ = writeln!(
                out,
                "- **`{}`** ({}): {}",
                f.code,
                f.severity.as_str(),
                f.message
            );
            if let Some(src) = &f.source {
                let _ = writeln!(out, "  - At: `{}`", super::source_text(src));
            }
            if let Some(rem) = &f.remediation {
                let _ = writeln!(out, "  - Fix: {}", rem.text);
                if let Some(snippet) = super::snippet(rem, r.fix_format) {
                    let _ = writeln!(out, "\n  {}:\n", r.fix_format.label());
                    let _ = writeln!(out, "  ```{}", super::fence_language(r.fix_format));
                    for line in snippet.lines() {
                        if line.is_empty() {
                            out.push('\n');
                        } else {
                            let _ = writeln!(out, "  {line}");
                        }
                    }
                    let _ = writeln!(out, "  ```");
                } else if !rem.commands.is_empty() {
                    let _ = writeln!(out, "\n  ```sh");
                    for c in &rem.commands {
                        for line in c.lines() {
                            let _ = writeln!(out, "  {line}");
                        }
                    }
                    let _ = writeln!(out, "  ```");
                }
            }
        }
    }
    out.push_str(&super::preview::markdown(r));
    paths(&mut out, r);
    let _ = writeln!(out, "\n<details><summary>Exchanges</summary>\n");
    for x in &r.exchanges {
        let _ = writeln!(
            out,
            "**{} {}** `{} {}`{}\n",
            x.id,
            x.kind.label(),
            x.request.method,
            x.request.url,
            if x.predicted { " (predicted)" } else { "" }
        );
        if x.response.is_some() && x.answered_by != AnsweredBy::Unknown {
            let _ = writeln!(out, "Answered by {}.\n", x.answered_by.words());
        }
        let _ = writeln!(out, "```http");
        for (n, v) in x.request.headers.iter() {
            let _ = writeln!(out, "{n}: {v}");
        }
        let _ = writeln!(out);
        match (&x.response, &x.error) {
            (Some(resp), _) => {
                let _ = writeln!(out, "HTTP {}", resp.status);
                for (n, v) in resp.headers.iter() {
                    let _ = writeln!(out, "{n}: {v}");
                }
            }
            (None, Some(e)) => {
                let _ = writeln!(out, "(no response: {})", e.message);
            }
            _ => {}
        }
        let _ = writeln!(out, "```\n");
    }
    let _ = writeln!(out, "</details>");
    out
}

/// The path of each exchange: its one-line form and a mermaid sequence diagram (GitHub
/// renders ```` ```mermaid ```` blocks in issues and pull requests).
fn paths(out: &mut String, r: &Report) {
    if r.flows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### Paths\n");
    for f in &r.flows {
        let line = crate::flow::line(f, &crate::flow::Glyphs::UNICODE);
        let _ = writeln!(out, "- {}\n", line.replace('|', "\\|"));
        let _ = writeln!(out, "```mermaid");
        out.push_str(&crate::flow::mermaid(f));
        let _ = writeln!(out, "```\n");
    }
}
