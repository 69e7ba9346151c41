//! A configuration read from a file exported with `aws apigateway get-export --parameters
//! extensions=apigateway` (or `aws apigatewayv2 export-api`), or from a scenario file.

use std::path::Path;
use std::sync::Arc;

use super::{BoxFuture, ConfigRequest, ConfigSource, LoadedConfig, Location};
use crate::evidence::ConfigSourceKind;
use crate::gateway::model::ApiKind;
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
    Api(Arc<Api>),
}

impl OpenApiFile {
    /// Reads and imports the file (JSON or YAML); errors say which file, which line and what
    /// is wrong in it (with the JSON path of a malformed part).
    pub fn open(path: &Path) -> Result<OpenApiFile, String> {
        Self::open_as(path, None)
    }

    /// [`OpenApiFile::open`], with the API kind the user named (`--kind`) instead of the one
    /// the document's markers decide.
    pub fn open_as(path: &Path, kind: Option<ApiKind>) -> Result<OpenApiFile, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
        if meta.len() > MAX_EXPORT_BYTES {
            return Err(format!(
                "{shown} is {} MB, more than an API export can be",
                meta.len() / 1_000_000
            ));
        }
        let text = crate::user_file::read_text(path, MAX_EXPORT_BYTES)
            .map_err(|e| format!("cannot read {shown}: {e}"))?;
        let content = if is_scenario(&text) {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Exported::Scenario(Box::new(
                Scenario::parse(&name, &text).map_err(|e| format!("{shown}: {e}"))?,
            ))
        } else {
            Exported::Api(Arc::new(
                openapi::import_str_as(&text, kind).map_err(|e| e.in_file(&shown.to_string()))?,
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
                    api: Arc::clone(api),
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

/// A scenario is a JSON object with a top-level `x-cors-doctor-scenario` member: the same
/// text anywhere else (a description, an example) does not make an export a scenario. The
/// other members are skipped without being built.
fn is_scenario(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct TopLevel {
        #[serde(rename = "x-cors-doctor-scenario")]
        scenario: Option<serde::de::IgnoredAny>,
    }
    text.contains(SCENARIO_KEY)
        && serde_json::from_str::<TopLevel>(text).is_ok_and(|t| t.scenario.is_some())
}

impl ConfigSource for OpenApiFile {
    fn kind(&self) -> ConfigSourceKind {
        ConfigSourceKind::Openapi
    }

    fn load<'a>(
        &'a self,
        request: &'a ConfigRequest,
    ) -> BoxFuture<'a, Result<LoadedConfig, super::Unavailable>> {
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
    ) -> BoxFuture<'a, Result<LoadedConfig, super::Unavailable>> {
        let at = request.location(&self.scenario.api);
        let loaded = scenario_config(&self.scenario, request, at);
        Box::pin(async move { Ok(loaded) })
    }
}

/// A scenario as a configuration: its stage and request path unless the request names others.
fn scenario_config(s: &Scenario, request: &ConfigRequest, at: Location) -> LoadedConfig {
    let no_location = request.path.is_none() && request.url_path.is_none();
    LoadedConfig {
        api: Arc::new(s.api.clone()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_are_recognised_by_structure_not_by_text() {
        assert!(is_scenario(
            r#"{"openapi":"3.0.1","paths":{},"x-cors-doctor-scenario":{"title":"t"}}"#
        ));
        assert!(!is_scenario(
            r#"{"openapi":"3.0.1","info":{"description":"see x-cors-doctor-scenario"},"paths":{}}"#
        ));
        assert!(!is_scenario(
            r#"{"paths":{"/a":{"x-cors-doctor-scenario":{}}}}"#
        ));
        assert!(!is_scenario("not json x-cors-doctor-scenario"));
    }
}
