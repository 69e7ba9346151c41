//! Learn mode's text: assets/learn.toml, embedded in the binary, and two topics written from
//! the code itself so that they cannot drift from what the program does:
//! - "Console message → step": every message Chromium prints for a CORS failure (the texts of
//!   `cors::messages`), with the steps that explain it;
//! - "Rerun: r and R": which requests `r` sends again for each step (the table `r` uses).

use serde::Deserialize;

use crate::cors::{CorsError, CorsErrorKind};
use crate::evidence::ExchangeKind;

const TEXT: &str = include_str!("../../assets/learn.toml");

/// The title of the topic that maps console messages to steps.
pub const CONSOLE_INDEX: &str = "Console message → step";

/// The title of the topic on `r` and `R`.
pub const RERUN_TOPIC: &str = "Rerun: r and R";

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Topic {
    pub title: String,
    /// The diagnosis step this topic explains, if any.
    #[serde(default)]
    pub step: Option<u8>,
    pub body: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Learn {
    #[serde(rename = "topic")]
    pub topics: Vec<Topic>,
}

impl Learn {
    /// Parses the embedded text and adds the generated topics; a broken asset gives one topic
    /// that says so (and a test keeps that from shipping).
    pub fn load() -> Learn {
        let mut learn = Self::parse(TEXT).unwrap_or_else(|e| Learn {
            topics: vec![Topic {
                title: "Learn".into(),
                step: None,
                body: format!("The learn text could not be read: {e}"),
            }],
        });
        // The index right after "What CORS is": a newcomer arrives with a console message.
        let at = learn.topics.len().min(1);
        learn.topics.insert(at, console_index());
        let after_screen = learn
            .topics
            .iter()
            .position(|t| t.title == "Reading the screen")
            .map_or(learn.topics.len(), |i| i + 1);
        learn.topics.insert(after_screen, rerun_topic());
        learn
    }

    pub fn parse(text: &str) -> Result<Learn, LearnError> {
        toml::from_str(text).map_err(|e| LearnError(e.to_string()))
    }

    /// The topic of step `n` (or the first topic).
    pub fn topic_for_step(&self, n: u8) -> usize {
        self.topics
            .iter()
            .position(|t| t.step == Some(n))
            .unwrap_or(0)
    }
}

/// Why the learn text could not be read: the TOML parser's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LearnError(String);

/// The first-run hint, with the key that opens learn mode.
pub fn first_run_hint(keymap: &crate::tui::keymap::Keymap) -> String {
    format!(
        "New to CORS? Press {}: what each step means, a glossary, the console messages.",
        keymap.key_for(crate::tui::keymap::Action::Learn)
    )
}

/// The steps that explain a console message, and what usually causes it.
pub fn explained_by(kind: CorsErrorKind) -> (&'static [u8], &'static str) {
    use CorsErrorKind::*;
    match kind {
        PreflightMissingAllowOriginHeader => (
            &[3, 4, 5, 6],
            "the preflight was answered without CORS headers: no OPTIONS method (API Gateway's 403), an authorizer or API key on OPTIONS (401/403), headers declared but not mapped, or another API Gateway error",
        ),
        PreflightInvalidStatus => (
            &[3, 4, 6],
            "the preflight got an error status: no OPTIONS method, OPTIONS behind an authorizer or API key, or an API Gateway error with CORS headers but not a 2xx",
        ),
        PreflightDisallowedRedirect => (
            &[3],
            "something redirected the preflight: a wrong URL or stage, a custom domain's base path, or a proxy in front",
        ),
        PreflightWildcardOriginNotAllowed
        | PreflightMultipleAllowOriginValues
        | PreflightInvalidAllowOriginValue
        | PreflightAllowOriginMismatch
        | PreflightInvalidAllowCredentials => (
            &[5],
            "the preflight answer's Allow-Origin or Allow-Credentials value is wrong for this page",
        ),
        InvalidAllowMethodsPreflightResponse
        | InvalidAllowHeadersPreflightResponse
        | MethodDisallowedByPreflightResponse
        | HeaderDisallowedByPreflightResponse => (
            &[2, 5],
            "step 2 says which method and headers the browser asks for; step 5 checks that the preflight answer allows them",
        ),
        MissingAllowOriginHeader => (
            &[1, 5, 6],
            "the response has no Allow-Origin: step 1 shows the status the browser hides, step 6 covers an error API Gateway sent itself, step 5 a response from your integration",
        ),
        WildcardOriginNotAllowed
        | MultipleAllowOriginValues
        | InvalidAllowOriginValue
        | AllowOriginMismatch
        | InvalidAllowCredentials => (
            &[5],
            "the response's Allow-Origin or Allow-Credentials value is wrong for this page",
        ),
        DisallowedByMode | InvalidResponse | CorsDisabledScheme | RedirectContainsCredentials => (
            &[7],
            "the browser's own rules refuse the request or the response (step 7 retests as the browser would)",
        ),
    }
}

/// The failing parameter Chromium quotes in the message, as an example.
fn sample_parameter(kind: CorsErrorKind) -> Option<&'static str> {
    use CorsErrorKind::*;
    Some(match kind {
        MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => {
            "https://app.example.com, *"
        }
        InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => "app.example.com",
        AllowOriginMismatch | PreflightAllowOriginMismatch => "https://other.example.com",
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => "",
        MethodDisallowedByPreflightResponse => "PUT",
        HeaderDisallowedByPreflightResponse => "authorization",
        RedirectContainsCredentials => "https://user:pass@api.example.com/",
        _ => return None,
    })
}

fn steps_text(steps: &[u8]) -> String {
    let names: Vec<String> = steps.iter().map(u8::to_string).collect();
    match names.as_slice() {
        [one] => format!("step {one}"),
        [init @ .., last] => format!("steps {} and {last}", init.join(", ")),
        [] => String::new(),
    }
}

/// The console index: Chromium's text for each CORS failure, and where to look.
fn console_index() -> Topic {
    let mut body = String::from(
        "Find the text after \"has been blocked by CORS policy:\" in your browser's console (Chromium's wording; Firefox names a Reason instead, given in brackets). The steps named explain it; the diagnosis marks the first one that fails.\n",
    );
    for kind in CorsErrorKind::ALL {
        let error = CorsError::new(kind, sample_parameter(kind).map(str::to_string));
        let (steps, why) = explained_by(kind);
        body.push_str(&format!(
            "\n\"{}\" (Firefox: {})\n  → {}: {why}.\n",
            error.console_tail(),
            kind.firefox_reason(),
            steps_text(steps)
        ));
    }
    body.push_str("\nNo CORS text, only net::ERR_FAILED or a network error: the request never got an answer (DNS, TLS, a timeout); step 1 shows what curl gets.");
    Topic {
        title: CONSOLE_INDEX.into(),
        step: None,
        body,
    }
}

fn exchange_words(kind: ExchangeKind) -> &'static str {
    match kind {
        ExchangeKind::Preflight => "the preflight (OPTIONS)",
        ExchangeKind::Actual => "the request as the browser sends it (with Origin)",
        ExchangeKind::NoOrigin => "the same request as curl sends it (no Origin)",
        ExchangeKind::ForeignOrigin => "the preflight from a made-up origin",
    }
}

/// What `r` and `R` send, from the table `r` uses.
fn rerun_topic() -> Topic {
    let mut body = String::from(
        "R runs the whole diagnosis again: every request is sent again and the configuration read again. Use it after you deploy a fix.\n\nr sends again only the requests the selected step reads, keeps the rest of the evidence and the configuration of the last run, and diagnoses again:\n",
    );
    for n in 1..=7u8 {
        let line = match crate::tui::state::step_exchanges(n) {
            Some(kinds) if kinds.is_empty() => {
                "sends nothing (it reads the request you described)".to_string()
            }
            Some(kinds) => kinds
                .into_iter()
                .map(exchange_words)
                .collect::<Vec<_>>()
                .join(", "),
            None => "everything, as R (its verdict needs all the evidence)".to_string(),
        };
        body.push_str(&format!("\n  step {n}: {line}"));
    }
    body.push_str("\n\nAn offline diagnosis (from the configuration alone), or a run that did not finish, is always run again whole. The footer says \"rerunning…\" until it is done. A request that can change data (POST, PUT, DELETE) is really sent again.");
    Topic {
        title: RERUN_TOPIC.into(),
        step: None,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_learn_asset_covers_every_step_and_the_glossary() {
        let learn = Learn::parse(TEXT).unwrap();
        for n in 1..=7 {
            assert!(learn.topics.iter().any(|t| t.step == Some(n)), "step {n}");
        }
        let glossary: String = learn
            .topics
            .iter()
            .filter(|t| t.title.starts_with("Glossary"))
            .map(|t| t.body.as_str())
            .collect();
        for term in [
            "Simple request:",
            "CORS-safelisted header:",
            "Preflight:",
            "Method request:",
            "Method response:",
            "Integration request:",
            "Integration response:",
            "MOCK integration:",
            "Lambda proxy integration:",
            "Gateway response:",
            "Authorizer:",
            "IAM:",
            "Cognito:",
            "JWT:",
            "Lambda:",
            "API key:",
            "Stage / deployment:",
        ] {
            assert!(glossary.contains(term), "the glossary lacks {term}");
        }
    }

    #[test]
    fn every_console_message_leads_to_a_step() {
        let learn = Learn::load();
        let index = &learn.topics[1];
        assert_eq!(index.title, CONSOLE_INDEX);
        for kind in CorsErrorKind::ALL {
            let tail =
                CorsError::new(kind, sample_parameter(kind).map(str::to_string)).console_tail();
            assert!(index.body.contains(&tail), "{kind:?}");
            let (steps, _) = explained_by(kind);
            assert!(!steps.is_empty() && steps.iter().all(|s| (1..=7).contains(s)));
        }
        // The message of a missing OPTIONS (the most common) names step 3.
        let missing =
            CorsError::new(CorsErrorKind::PreflightMissingAllowOriginHeader, None).console_tail();
        let line = index
            .body
            .lines()
            .skip_while(|l| !l.contains(&missing))
            .nth(1)
            .unwrap_or_default();
        assert!(line.contains("steps 3, 4, 5 and 6"), "{line}");
    }

    #[test]
    fn the_rerun_text_matches_what_r_sends() {
        let learn = Learn::load();
        let topic = learn
            .topics
            .iter()
            .find(|t| t.title == RERUN_TOPIC)
            .unwrap();
        // r on step 3 re-sends only the preflight; on step 7 everything.
        assert!(
            topic.body.contains("step 3: the preflight (OPTIONS)\n"),
            "{}",
            topic.body
        );
        assert!(
            topic.body.contains("step 7: everything, as R"),
            "{}",
            topic.body
        );
        // No topic claims that r reruns the whole diagnosis.
        for t in &learn.topics {
            assert!(
                !t.body.contains("r and R run the whole diagnosis"),
                "{}",
                t.title
            );
        }
    }
}
