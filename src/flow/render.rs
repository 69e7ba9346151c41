//! A flow as text: the compact one-line path (text report, TUI list) and a mermaid
//! `sequenceDiagram` (Markdown report).

use std::fmt::Write;

use super::{BrowserPart, Flow, HopLayer, HopState};
use crate::cors::FailedAt;
use crate::exchange::FailureKind;

/// The symbols a path is drawn with: Unicode, or plain ASCII for terminals that cannot show
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Glyphs {
    pub arrow: &'static str,
    pub bad: &'static str,
    pub good: &'static str,
    pub skipped: &'static str,
    pub dash: &'static str,
}

impl Glyphs {
    pub const UNICODE: Glyphs = Glyphs {
        arrow: "→",
        bad: "✘",
        good: "✔",
        skipped: "·",
        dash: "—",
    };
    pub const ASCII: Glyphs = Glyphs {
        arrow: "->",
        bad: "X",
        good: "OK",
        skipped: ".",
        dash: "--",
    };

    /// The mark of a hop's state.
    pub fn mark(&self, flow: &Flow, state: HopState) -> &'static str {
        match state {
            HopState::Passed => self.good,
            HopState::Answered if flow.failed() => self.bad,
            HopState::Answered => self.good,
            HopState::NotReached => self.skipped,
            HopState::Unknown => "?",
        }
    }
}

/// The one-line path of a flow:
/// `x1 preflight: browser → CloudFront (Miss) → API Gateway prod → ✘ 403 authorizer — the
/// browser blocks the preflight (PreflightInvalidStatus) and hides the 403`.
pub fn line(flow: &Flow, g: &Glyphs) -> String {
    styled_line(flow, g, &|_, s| s.to_string())
}

/// [`line()`] with its marks painted: `paint(ansi_code, text)` (`1;31` for the failing
/// answer and the browser's block, `32` for a good answer).
pub fn styled_line(flow: &Flow, g: &Glyphs, paint: &dyn Fn(&str, &str) -> String) -> String {
    let mut out = format!("{} {}", flow.exchange, flow.kind.label());
    if flow.predicted {
        out.push_str(" (predicted)");
    }
    out.push_str(": browser");
    let answered = flow.answering();
    for h in &flow.hops {
        match h.state {
            // Checks inside API Gateway that let the request through are left out of the
            // one line (the TUI and the diagram show them).
            HopState::Passed
                if matches!(
                    h.layer,
                    HopLayer::Authorizer | HopLayer::ApiKey | HopLayer::Throttling
                ) => {}
            HopState::Passed => {
                let _ = write!(out, " {} {}", g.arrow, h.label);
            }
            HopState::Answered => {
                let mark = g.mark(flow, h.state);
                let mark = if flow.failed() {
                    paint("1;31", mark)
                } else {
                    paint("32", mark)
                };
                match h.status {
                    Some(s) => {
                        let _ = write!(out, " {} {mark} {s} {}", g.arrow, h.label);
                    }
                    None => {
                        let _ = write!(out, " {} {mark} {}", g.arrow, h.label);
                    }
                }
            }
            HopState::NotReached | HopState::Unknown => {}
        }
    }
    if answered.is_none() {
        match flow.failure {
            Some(FailureKind::NotRecorded) => {
                let _ = write!(out, " {} ? not recorded", g.arrow);
            }
            Some(kind) => {
                let first = flow.hops.first().map(|h| h.label.as_str());
                let where_ = match (kind, first) {
                    (FailureKind::Dns | FailureKind::Connect | FailureKind::Tls, _) | (_, None) => {
                        String::new()
                    }
                    (_, Some(l)) => format!(" {} {l}", g.arrow),
                };
                let _ = write!(
                    out,
                    "{where_} {} {} {}",
                    g.arrow,
                    paint("1;31", g.bad),
                    super::failure_words(kind)
                );
            }
            None => {
                let _ = write!(out, " {} ? no answer", g.arrow);
            }
        }
    }
    if let Some(b) = &flow.blocked_at {
        let what = match b.request {
            FailedAt::Preflight => "the preflight",
            FailedAt::Actual => "the response",
        };
        let _ = write!(
            out,
            " {} {}",
            g.dash,
            paint("1;31", &format!("the browser blocks {what}"))
        );
        if let Some(e) = &b.cors_error {
            let _ = write!(out, " ({e})");
        }
        if let Some(s) = flow.hidden_status {
            let _ = write!(out, " and hides the {s}");
        }
    } else {
        match flow.browser {
            BrowserPart::NeverSends => {
                let _ = write!(
                    out,
                    " {} the browser never sends it (the preflight failed)",
                    g.dash
                );
            }
            BrowserPart::Probe => {
                let _ = write!(out, " {} not a browser request", g.dash);
            }
            BrowserPart::Sends => {}
        }
    }
    out
}

/// Text safe inside a mermaid message, note or participant alias: mermaid's entity codes for
/// what its grammar takes as syntax (`;` ends a statement, `#` starts an entity, `"` quotes,
/// `:` separates a message, `<`/`>` look like HTML, `%` starts a comment) and no line break.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '"' => out.push_str("#quot;"),
            ':' => out.push_str("#58;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '%' => out.push_str("#37;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A mermaid `sequenceDiagram` of a flow (without the Markdown fence): the browser and every
/// hop as participants, the request passed hop to hop, the answering hop returning its status
/// to the browser, and a note where the browser blocks.
pub fn mermaid(flow: &Flow) -> String {
    let mut out = String::from("sequenceDiagram\n");
    let _ = writeln!(out, "    participant B as Browser");
    for (i, h) in flow.hops.iter().enumerate() {
        let reached = match h.state {
            HopState::NotReached => " (not reached)",
            HopState::Unknown => " (?)",
            _ => "",
        };
        let _ = writeln!(
            out,
            "    participant H{} as {}{}",
            i + 1,
            esc(&h.label),
            reached
        );
    }
    let request = format!(
        "{} ({}{})",
        flow.method,
        flow.kind.label(),
        if flow.predicted { ", predicted" } else { "" }
    );
    let answered = flow.hops.iter().position(|h| h.state == HopState::Answered);
    match answered {
        Some(a) => {
            let _ = writeln!(out, "    B->>H1: {}", esc(&request));
            for i in 0..a {
                let _ = writeln!(out, "    H{}->>H{}: passes", i + 1, i + 2);
            }
            let h = &flow.hops[a];
            let status = h.status.map(|s| s.to_string()).unwrap_or_default();
            let text = if h.note.is_empty() {
                format!("{status} from {}", h.label)
            } else {
                format!("{status} {}", h.note)
            };
            let _ = writeln!(out, "    H{}-->>B: {}", a + 1, esc(text.trim()));
        }
        None => match (flow.failure, flow.hops.is_empty()) {
            (Some(FailureKind::Dns | FailureKind::Connect | FailureKind::Tls), _) | (_, true) => {
                let why = flow
                    .failure
                    .map(super::failure_words)
                    .unwrap_or("no answer");
                let _ = writeln!(out, "    Note over B: {}", esc(why));
            }
            (failure, false) => {
                let why = failure.map(super::failure_words).unwrap_or("no answer");
                let _ = writeln!(out, "    B-xH1: {} {}", esc(&request), esc(why));
            }
        },
    }
    if let Some(b) = &flow.blocked_at {
        let mut text = match b.request {
            FailedAt::Preflight => "CORS error: the browser blocks the preflight".to_string(),
            FailedAt::Actual => "CORS error: the browser blocks the response".to_string(),
        };
        if let Some(e) = &b.cors_error {
            let _ = write!(text, " ({e})");
        }
        if let Some(s) = flow.hidden_status {
            let _ = write!(text, ", the page never sees the {s}");
        }
        let _ = writeln!(out, "    Note over B: {}", esc(&text));
    } else if flow.browser == BrowserPart::NeverSends {
        let _ = writeln!(
            out,
            "    Note over B: the browser never sends it (the preflight failed)"
        );
    }
    out
}
