//! Where an API's configuration comes from: an exported OpenAPI file (`file.rs`), or the AWS
//! SDK. Every source degrades to "unavailable, because …" instead of failing the run.

pub mod file;
pub mod sdk;

use std::future::Future;
use std::pin::Pin;

use crate::evidence::{ConfigGap, ConfigSourceKind};
use crate::gateway::behavior::{self, RouteBackend};
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
}

impl ConfigRequest {
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
    pub api: Api,
    pub stage: Option<String>,
    /// The resource path below the stage.
    pub path: String,
    /// What the backends answer, when the source knows it (a scenario file does).
    pub backend: Option<RouteBackend>,
    /// Parts that could not be read (a partial load).
    pub gaps: Vec<ConfigGap>,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source of API Gateway configuration.
pub trait ConfigSource: Send + Sync {
    fn kind(&self) -> ConfigSourceKind;
    /// Loads the API; `Err` is a human explanation of why it is unavailable.
    fn load<'a>(
        &'a self,
        request: &'a ConfigRequest,
    ) -> BoxFuture<'a, Result<LoadedConfig, String>>;

    /// Checked before anything is probed: `Err` stops the run with exit status 2 (e.g. no or
    /// expired AWS credentials, with the command that fixes it).
    fn preflight(&self) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }

    /// Control-plane calls made so far (the report's `aws_calls`).
    fn aws_calls(&self) -> u32 {
        0
    }
}
