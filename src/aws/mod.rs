//! Where an API's configuration comes from: an exported OpenAPI file (`file.rs`), or the AWS
//! SDK. Every source degrades to "unavailable, because …" instead of failing the run.

pub mod file;
mod resolve;
pub mod sdk;
pub mod write;

pub use resolve::{resolve, Resolution, SourceChoice, SourceError};

use std::future::Future;
use std::pin::Pin;

use crate::evidence::{ConfigGap, ConfigSourceKind};
use crate::gateway::behavior::{self, RouteBackend};
use crate::gateway::inspect::{self, PrefixedPath};
use crate::gateway::Api;
use crate::target::ApiRef;

/// What the runner asks a configuration source for.
#[derive(Clone, Debug, Default)]
pub struct ConfigRequest {
    /// Parsed from an execute-api URL, or built from `--api-id`.
    pub api_ref: Option<ApiRef>,
    /// The URL's path as sent (`/prod/items`), when there is a URL.
    pub url_path: Option<String>,
    /// `--path`: the resource path below the stage.
    pub path: Option<String>,
    /// `--stage`, or the stage of an execute-api URL.
    pub stage: Option<String>,
    /// True when the path in `api_ref` (or `url_path`) may carry a prefix in front of the
    /// resource path that nothing identified (a custom domain's base path, a proxy): the
    /// resource is then resolved from the API ([`inspect::resolve_prefixed`]).
    pub prefix_unknown: bool,
}

/// Where the request lands in a loaded API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub stage: Option<String>,
    /// The resource path below the stage (and below any prefix that was resolved).
    pub path: String,
    /// Set when the resource could not be determined: why, with the `--path` to pass.
    pub unresolved: Option<String>,
}

impl ConfigRequest {
    /// [`ConfigRequest::locate`], then, when a prefix may stand in front of the resource path,
    /// the resource resolved from the API (the longest suffix that matches a resource; an
    /// ambiguous or unmatched path is `unresolved`, never a guess).
    pub fn location(&self, api: &Api) -> Location {
        let (stage, path) = self.locate(api);
        let prefix_unknown = self.path.is_none()
            && (self.prefix_unknown
                || (self.api_ref.is_none()
                    && self.url_path.as_deref().is_some_and(|p| {
                        behavior::split_stage(api, p)
                            .is_none_or(|(s, _)| s == crate::gateway::model::DEFAULT_STAGE)
                    })));
        if !prefix_unknown {
            return Location {
                stage,
                path,
                unresolved: None,
            };
        }
        let unresolved = match inspect::resolve_prefixed(api, stage.as_deref(), &path) {
            PrefixedPath::Resolved { path: below, .. } => {
                return Location {
                    stage,
                    path: below,
                    unresolved: None,
                }
            }
            PrefixedPath::Ambiguous(candidates) => {
                let options: Vec<String> = candidates
                    .iter()
                    .map(|(prefix, below, template)| {
                        let behind = if prefix.is_empty() {
                            "with no prefix".to_string()
                        } else {
                            format!("behind the prefix {prefix}")
                        };
                        format!("{below} ({template}, {behind})")
                    })
                    .collect();
                let hint = candidates.first().map_or("/", |c| c.1.as_str());
                format!(
                    "the URL path {path} fits several resources of the API: {}. Pass the resource path with --path (e.g. --path {hint})",
                    options.join(" or ")
                )
            }
            PrefixedPath::NoMatch => format!(
                "no resource of the API matches the URL path {path}, with or without a prefix in front of it. Check --api-id and --stage, or pass the resource path with --path"
            ),
        };
        Location {
            stage,
            path,
            unresolved: Some(unresolved),
        }
    }

    /// The stage and the path below it, once the API is known (a URL on a loopback simulator
    /// names the stage only in its first segment, which only the API can confirm).
    pub fn locate(&self, api: &Api) -> (Option<String>, String) {
        if let Some(path) = &self.path {
            let stage = self.stage.clone().or_else(|| single_stage(api));
            return (stage, path.clone());
        }
        if let Some(r) = &self.api_ref {
            return (
                self.stage.clone().or_else(|| r.stage.clone()),
                r.path.clone(),
            );
        }
        if let Some(url_path) = &self.url_path {
            if let Some((stage, rest)) = behavior::split_stage(api, url_path) {
                let rest = rest.split('?').next().unwrap_or("/").to_string();
                return (Some(self.stage.clone().unwrap_or(stage)), rest);
            }
            return (self.stage.clone(), url_path.clone());
        }
        (
            self.stage.clone().or_else(|| single_stage(api)),
            "/".to_string(),
        )
    }
}

fn single_stage(api: &Api) -> Option<String> {
    match api.stages.as_slice() {
        [only] => Some(only.name.clone()),
        _ => None,
    }
}

/// A loaded configuration.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    /// Shared: a large API is held once, however many parts of a run read it.
    pub api: std::sync::Arc<Api>,
    pub stage: Option<String>,
    /// The resource path below the stage.
    pub path: String,
    /// What the backends answer, when the source knows it (a scenario file does).
    pub backend: Option<RouteBackend>,
    /// Parts that could not be read (a partial load).
    pub gaps: Vec<ConfigGap>,
    /// Set when the resource under diagnosis could not be determined (see [`Location`]).
    pub unresolved: Option<String>,
    /// What stands in front of the API, when the source knows it (a scenario file does).
    pub front: crate::gateway::front::Front,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a source could not give the configuration, in words (with the IAM action, the
/// endpoint or the command to run): the report shows it, and the run goes on without it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// Missing or expired AWS credentials, with the exact next command: the run stops before
/// anything is probed (`check` exits 2; the TUI shows it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CredentialsError(pub String);

/// A source of API Gateway configuration.
pub trait ConfigSource: Send + Sync {
    fn kind(&self) -> ConfigSourceKind;
    /// Loads the API; `Err` explains why it is unavailable.
    fn load<'a>(
        &'a self,
        request: &'a ConfigRequest,
    ) -> BoxFuture<'a, Result<LoadedConfig, Unavailable>>;

    /// Checked before anything is probed: `Err` stops the run with exit status 2 (no or
    /// expired AWS credentials, with the command that fixes it).
    fn preflight(&self) -> BoxFuture<'_, Result<(), CredentialsError>> {
        Box::pin(async { Ok(()) })
    }

    /// Control-plane calls made so far (the report's `aws_calls`).
    fn aws_calls(&self) -> u32 {
        0
    }

    /// Who the lookups run as (`account 123456789012 · arn:aws:sts::…:assumed-role/Dev/alice`),
    /// when the source uses AWS credentials and can tell; for the report header.
    fn identity(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(async { None })
    }
}
