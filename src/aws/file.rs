//! A configuration read from a file exported with `aws apigateway get-export --parameters
//! extensions=apigateway` (or `aws apigatewayv2 export-api`), or from a scenario file.

use std::path::{Path, PathBuf};

use super::{BoxFuture, ConfigRequest, ConfigSource, LoadedConfig};
use crate::evidence::ConfigSourceKind;
use crate::gateway::openapi;
use crate::gateway::scenario::{Scenario, SCENARIO_KEY};

/// Exports larger than this are refused (the largest real exports are a few MB).
const MAX_EXPORT_BYTES: u64 = 64 * 1024 * 1024;

pub struct OpenApiFile {
    path: PathBuf,
}

impl OpenApiFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        OpenApiFile { path: path.into() }
    }

    /// Reads and imports the file; errors say which file and what is wrong in it.
    pub fn read(path: &Path, request: &ConfigRequest) -> Result<LoadedConfig, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        if meta.len() > MAX_EXPORT_BYTES {
            return Err(format!(
                "{shown} is {} MB, more than an API export can be",
                meta.len() / 1_000_000
            ));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        if text.contains(SCENARIO_KEY) {
            let scenario = Scenario::load(path).map_err(|e| e.to_string())?;
            let (stage, located) = request.locate(&scenario.api);
            return Ok(scenario_config(&scenario, request, stage, located));
        }
        let api = openapi::import_str(&text).map_err(|e| format!("{shown}: {e}"))?;
        let (stage, path) = request.locate(&api);
        Ok(LoadedConfig {
            api,
            stage,
            path,
            backend: None,
            gaps: Vec::new(),
        })
    }
}

impl ConfigSource for OpenApiFile {
    fn kind(&self) -> ConfigSourceKind {
        ConfigSourceKind::Openapi
    }

    fn load<'a>(
        &'a self,
        request: &'a ConfigRequest,
    ) -> BoxFuture<'a, Result<LoadedConfig, String>> {
        Box::pin(async move { Self::read(&self.path, request) })
    }
}

/// A scenario already in memory (the demo's API): its API, stage and backend.
pub struct ScenarioSource {
    scenario: Scenario,
}

impl ScenarioSource {
    pub fn new(scenario: Scenario) -> Self {
        ScenarioSource { scenario }
    }
}

impl ConfigSource for ScenarioSource {
    fn kind(&self) -> ConfigSourceKind {
        ConfigSourceKind::Openapi
    }

    fn load<'a>(
        &'a self,
        request: &'a ConfigRequest,
    ) -> BoxFuture<'a, Result<LoadedConfig, String>> {
        let (stage, path) = request.locate(&self.scenario.api);
        let loaded = scenario_config(&self.scenario, request, stage, path);
        Box::pin(async move { Ok(loaded) })
    }
}

/// A scenario as a configuration: its stage and request path unless the request names others.
fn scenario_config(
    s: &Scenario,
    request: &ConfigRequest,
    stage: Option<String>,
    path: String,
) -> LoadedConfig {
    let no_location = request.path.is_none() && request.url_path.is_none();
    LoadedConfig {
        api: s.api.clone(),
        stage: stage.or_else(|| Some(s.spec.stage.clone())),
        path: if no_location {
            s.spec.request.path.clone()
        } else {
            path
        },
        backend: Some(s.spec.backend.clone()),
        gaps: Vec::new(),
    }
}
