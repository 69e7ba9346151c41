//! Where an API's configuration comes from: an exported OpenAPI file, or (later) the AWS SDK.
//! Every source degrades to "unavailable, because …" instead of failing the run.

use std::future::Future;
use std::pin::Pin;

use crate::evidence::ConfigSourceKind;
use crate::gateway::Api;
use crate::target::ApiRef;

/// What the runner asks a configuration source for.
#[derive(Clone, Debug, Default)]
pub struct ConfigRequest {
    /// Parsed from an execute-api URL, or built from `--api-id`/`--stage`/`--path`.
    pub api_ref: Option<ApiRef>,
    /// The resource path under diagnosis.
    pub path: String,
    pub stage: Option<String>,
}

/// A loaded configuration.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    pub api: Api,
    pub stage: Option<String>,
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
}
