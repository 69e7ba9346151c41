//! Each fact of a report in words, once: the browser's verdict line here, an exchange's
//! summary in [`crate::diagnose::words`]. The text and Markdown reports and the TUI's views
//! style these words; none rewords them.

use super::{ReportBrowser, VerdictSource};
use crate::cors::{FailedAt, Outcome};

/// The browser's verdict as one line: the headline word (`BLOCKED`), which renderers style by
/// the outcome, and the rest (` at the preflight · PreflightMissingAllowOriginHeader · real
/// status 403 (hidden from the page)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerdictLine {
    pub outcome: Outcome,
    pub headline: &'static str,
    pub rest: String,
}

impl VerdictLine {
    pub fn of(b: &ReportBrowser) -> Self {
        let mut rest = String::new();
        if let Some(at) = b.failed_at.filter(|_| b.outcome != Outcome::Unknown) {
            rest.push_str(" at the ");
            rest.push_str(failed_at_words(at));
        }
        if let Some(e) = &b.cors_error {
            rest.push_str(" · ");
            rest.push_str(e);
        }
        if let Some(s) = b.hidden_status {
            rest.push_str(&format!(" · real status {s} (hidden from the page)"));
        }
        if b.source == VerdictSource::Chromium {
            rest.push_str(" (Chromium retest)");
        }
        VerdictLine {
            outcome: b.outcome,
            headline: b.outcome.headline(),
            rest,
        }
    }

    /// `Browser: BLOCKED at the …`, unstyled.
    pub fn plain(&self) -> String {
        format!("Browser: {}{}", self.headline, self.rest)
    }
}

/// Which request the browser failed at, in words.
pub fn failed_at_words(at: FailedAt) -> &'static str {
    match at {
        FailedAt::Preflight => "preflight",
        FailedAt::Actual => "actual",
    }
}
