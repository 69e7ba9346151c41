//! A configuration read from a file exported with `aws apigateway get-export --parameters
//! extensions=apigateway` (or `aws apigatewayv2 export-api`), or from a scenario file.

use std::path::Path;

use super::{BoxFuture, ConfigRequest, ConfigSource, LoadedConfig, Location};
use crate::evidence::ConfigSourceKind;
use crate::gateway::openapi;
use crate::gateway::scenario::{Scenario, SCENARIO_KEY};
use crate::gateway::Api;

/// Exports larger than this are refused (the largest real exports are a few MB).
const MAX_EXPORT_BYTES: u64 = 64 * 1024 * 1024;

/// An exported API, read and imported once when it is opened (so a broken file is a usage
/// error before anything is probed).
pub struct OpenApiFile {
    content: Exported,
}

enum Exported {
    Scenario(Box<Scenario>),
    Api(Box<Api>),
}

impl OpenApiFile {
    /// Reads and imports the file; errors say which file and what is wrong in it (with the
    /// JSON path of a malformed part).
    pub fn open(path: &Path) -> Result<OpenApiFile, String> {
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
        let content = if text.contains(SCENARIO_KEY) {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Exported::Scenario(Box::new(
                Scenario::parse(&name, &text).map_err(|e| format!("{shown}: {e}"))?,
            ))
        } else {
            Exported::Api(Box::new(
                openapi::import_str(&text).map_err(|e| format!("{shown}: {e}"))?,
            ))
        };
        Ok(OpenApiFile { content })
    }

    fn locate(&self, request: &ConfigRequest) -> LoadedConfig {
        match &self.content {
            Exported::Scenario(scenario) => {
                scenario_config(scenario, request, request.location(&scenario.api))
            }
            Exported::Api(api) => {
                let at = request.location(api);
                LoadedConfig {
                    api: (**api).clone(),
                    stage: at.stage,
                    path: at.path,
                    backend: None,
                    gaps: Vec::new(),
                    unresolved: at.unresolved,
                }
            }
        }
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
        let loaded = self.locate(request);
        Box::pin(async move { Ok(loaded) })
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
        let at = request.location(&self.scenario.api);
        let loaded = scenario_config(&self.scenario, request, at);
        Box::pin(async move { Ok(loaded) })
    }
}

/// A scenario as a configuration: its stage and request path unless the request names others.
fn scenario_config(s: &Scenario, request: &ConfigRequest, at: Location) -> LoadedConfig {
    let no_location = request.path.is_none() && request.url_path.is_none();
    LoadedConfig {
        api: s.api.clone(),
        stage: at.stage.or_else(|| Some(s.spec.stage.clone())),
        path: if no_location {
            s.spec.request.path.clone()
        } else {
            at.path
        },
        backend: Some(s.spec.backend.clone()),
        gaps: Vec::new(),
        unresolved: if no_location { None } else { at.unresolved },
    }
}
