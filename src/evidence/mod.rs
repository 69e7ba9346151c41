//! What was observed (or predicted) about the target: the exchanges, the API configuration
//! and the real-browser retest. Pure data: produced by `probe/`, `gateway::behavior`, `aws/`
//! and `browser/`, read by `diagnose/` and `report/`.
//!
//! The exchange records themselves live in [`crate::exchange`] (re-exported here); the
//! Chromium observation types in `evidence/browser.rs` (re-exported too).

mod browser;
pub mod recorded;

use serde::{Deserialize, Serialize};

pub use crate::exchange::*;
use crate::target::Target;
pub use browser::{BrowserEvidence, BrowserObservation, RetestSource, SentRequest};

/// The API configuration behind the target, when one was read.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ConfigEvidence {
    /// No configuration source was asked (offline, `--no-aws`, or not an API Gateway URL).
    NotRequested { reason: String },
    /// A source was asked and could not answer (permissions, credentials, not found…).
    Unavailable { reason: String },
    Loaded {
        source: ConfigSourceKind,
        /// Shared with the run that read it (a large API is held once).
        api: std::sync::Arc<crate::gateway::Api>,
        stage: Option<String>,
        /// The resource path under diagnosis, below the stage (`/items/42`; the API may
        /// define it as `/items/{id}`).
        path: String,
        /// True when the source also knows what the backends answer (a scenario); offline
        /// predictions otherwise assume a backend that returns the right CORS headers.
        #[serde(default)]
        backend_known: bool,
        /// Parts the source could not read (e.g. no permission for the gateway responses):
        /// the steps they feed are `unknown`, with the reason.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        gaps: Vec<ConfigGap>,
        /// Set when the resource under diagnosis could not be determined from the URL (a
        /// prefix in front of the resource path that fits several resources, or none): why,
        /// with the `--path` to pass. The configuration's per-resource findings are then
        /// withheld rather than guessed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unresolved: Option<String>,
        /// What the source says stands in front of the API (a scenario's CloudFront, custom
        /// domain, WAF …); empty when it says nothing.
        #[serde(
            default,
            skip_serializing_if = "crate::gateway::front::Front::is_empty"
        )]
        front: crate::gateway::front::Front,
    },
}

/// A part of the configuration a source could not read, and the step it leaves unchecked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigGap {
    /// What is missing, in words (`gateway responses`).
    pub what: String,
    /// The step (1–7) that needed it.
    pub step: u8,
    /// Why, with the IAM action and resource ARN when it is a permission.
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfigSourceKind {
    Sdk,
    Openapi,
    /// A CloudFormation / SAM / CDK / Serverless template (`--template`).
    Template,
}

/// Everything the diagnosis reasons from.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub target: Target,
    pub exchanges: Vec<Exchange>,
    pub config: ConfigEvidence,
    /// The real-browser retest (`--browser`), when one was asked for.
    pub browser: Option<BrowserEvidence>,
}

impl Evidence {
    pub fn exchange(&self, kind: ExchangeKind) -> Option<&Exchange> {
        self.exchanges.iter().find(|x| x.kind == kind)
    }

    /// True when the configuration source also described what the backends answer.
    pub fn config_backend_known(&self) -> bool {
        matches!(
            self.config,
            ConfigEvidence::Loaded {
                backend_known: true,
                ..
            }
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn outcome_names_match_the_serialized_form() {
        for o in [
            crate::cors::Outcome::Allowed,
            crate::cors::Outcome::Blocked,
            crate::cors::Outcome::NetworkError,
            crate::cors::Outcome::Refused,
            crate::cors::Outcome::Unknown,
        ] {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
    }
}
