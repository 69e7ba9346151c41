//! Step 7: retest as a browser would — a real Chromium when `--browser` ran one, else the
//! engine's prediction. Both are judged the same way; a disagreement between them is loud.

use super::draft::Draft;
use super::findings::{Finding, FindingCode as C};
use super::steps::Ctx;
use crate::cors::Outcome;
use crate::evidence::{BrowserEvidence, BrowserObservation};

/// True when a real Chromium retested the request (its observation is step 7's evidence).
pub(super) fn chromium_observed(ev: &crate::evidence::Evidence) -> bool {
    matches!(ev.browser, Some(BrowserEvidence::Observed(_)))
}

/// What one judge (the engine or Chromium) saw.
struct Seen {
    /// "The engine predicts the browser" / "Chromium (Chrome/156…)".
    who: String,
    outcome: Outcome,
    cors_error: Option<String>,
    console: Option<String>,
    /// Network-error details (net:: error, the page's exception).
    network: Vec<String>,
    /// The status the page read, when allowed.
    status: Option<u16>,
}

pub(super) fn browser_retest(c: &Ctx) -> Draft {
    match &c.ev.browser {
        Some(BrowserEvidence::Observed(o)) => {
            let seen = chromium(o);
            let mut notes = Vec::new();
            if let Some(d) = o.disagreement(c.verdict, c.plan) {
                notes.push(Finding::warning(
                    outcome_code(o.outcome),
                    format!("CHROMIUM AND THE ENGINE DISAGREE: {d}. The report follows Chromium; the engine's rules may need a fix for this case (please report it)."),
                ));
            }
            notes.extend(
                o.warnings
                    .iter()
                    .map(|w| Finding::info(outcome_code(o.outcome), w.clone())),
            );
            judged(c, seen, notes)
        }
        Some(BrowserEvidence::Unavailable { reason }) => {
            let note = Finding::warning(
                outcome_code(c.verdict.outcome),
                format!("The Chromium retest (--browser) could not run: {reason}. The engine's prediction stands."),
            );
            judged(c, engine(c), vec![note])
        }
        None => judged(c, engine(c), Vec::new()),
    }
}

fn outcome_code(outcome: Outcome) -> C {
    match outcome {
        Outcome::Allowed => C::BrowserAllowed,
        Outcome::Refused => C::FetchRefused,
        Outcome::Unknown => C::BrowserVerdictUnknown,
        Outcome::Blocked | Outcome::NetworkError => C::BrowserBlocked,
    }
}

fn engine(c: &Ctx) -> Seen {
    let v = c.verdict;
    Seen {
        who: "The engine predicts the browser".to_string(),
        outcome: v.outcome,
        cors_error: v.cors_error.as_ref().map(|e| e.kind.name().to_string()),
        console: v.console_message.clone(),
        network: v.console_message.iter().cloned().collect(),
        status: c.actual.and_then(|x| x.status()),
    }
}

fn chromium(o: &BrowserObservation) -> Seen {
    Seen {
        who: if o.browser_version.is_empty() {
            "Chromium".to_string()
        } else {
            format!("Chromium ({})", o.browser_version)
        },
        outcome: o.outcome,
        cors_error: o.cors_error.clone(),
        console: o.console_message.clone(),
        network: [&o.net_error, &o.js_error, &o.console_message]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        status: o.status,
    }
}

/// The step from one judge's view, plus notes (disagreement, warnings).
fn judged(c: &Ctx, seen: Seen, notes: Vec<Finding>) -> Draft {
    let name = seen
        .cors_error
        .as_deref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    let who = &seen.who;
    let (mut verdict, summary) = match seen.outcome {
        Outcome::Allowed => (
            Finding::info(
                C::BrowserAllowed,
                format!(
                    "{who} allows the request: the page reads the response{}.",
                    seen.status
                        .map(|s| format!(" (status {s})"))
                        .unwrap_or_default()
                ),
            ),
            format!("{who} allows the request."),
        ),
        Outcome::Blocked => (
            Finding::error(
                C::BrowserBlocked,
                format!(
                    "{who} blocks the request{name}: {}",
                    seen.console.unwrap_or_default()
                ),
            ),
            format!("{who} still blocks it{name}."),
        ),
        Outcome::NetworkError => {
            let detail = if seen.network.is_empty() {
                String::new()
            } else {
                format!(": {}", seen.network.join("; "))
            };
            (
                Finding::error(
                    C::BrowserBlocked,
                    format!("{who} fails the request with a network error{detail}."),
                ),
                format!("{who} fails the request with a network error."),
            )
        }
        Outcome::Refused => (
            Finding::error(
                C::FetchRefused,
                format!(
                    "{who} refuses to send the request: {}",
                    seen.console.unwrap_or_default()
                ),
            ),
            format!("{who} refuses to send it: fetch() throws before anything is sent (step 2)."),
        ),
        Outcome::Unknown => {
            let why = c.verdict.warnings.last().cloned().unwrap_or_default();
            (
                Finding::warning(C::BrowserVerdictUnknown, format!("Unknown verdict: {why}.")),
                "The browser's final verdict is unknown (see the warning).".to_string(),
            )
        }
    };
    let ids: Vec<String> = [c.preflight, c.actual]
        .into_iter()
        .flatten()
        .map(|x| x.id.clone())
        .collect();
    verdict.evidence = ids.clone();
    let mut findings = vec![verdict];
    for mut n in notes {
        n.evidence = ids.clone();
        findings.push(n);
    }
    // An unknown verdict's reason is already its finding.
    let explained = usize::from(seen.outcome == Outcome::Unknown);
    let shown = c.verdict.warnings.len().saturating_sub(explained);
    findings.extend(
        c.verdict.warnings[..shown]
            .iter()
            .map(|w| Finding::warning(outcome_code(seen.outcome), w.clone())),
    );
    Draft::judged(7, findings, summary.clone()).summarized(summary)
}
