//! A configuration read from a file exported with `aws apigateway get-export --parameters
//! extensions=apigateway` (or `aws apigatewayv2 export-api`), or from a scenario file.

use std::borrow::Cow;
use std::io;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::{BoxFuture, ConfigRequest, ConfigSource, LoadedConfig, Location};
use crate::evidence::ConfigSourceKind;
use crate::gateway::model::ApiKind;
use crate::gateway::openapi::{self, DefinitionText, ImportError};
use crate::gateway::scenario::{Scenario, ScenarioError, MAX_SCENARIO_BYTES, SCENARIO_KEY};
use crate::gateway::Api;
use crate::user_file::UserFile;

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

/// Why an export (or scenario file) named with `--openapi` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OpenApiFileError {
    /// Not a regular file, too large, not UTF-8, unreadable.
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    /// A scenario file whose scenario is broken.
    #[error("{path}: {source}")]
    Scenario {
        path: String,
        #[source]
        source: ScenarioError,
    },
    /// An export that is not a valid API Gateway export: `FILE:LINE: json.path: message`.
    #[error("{}", .source.in_file(path))]
    Import {
        path: String,
        #[source]
        source: ImportError,
    },
}

impl OpenApiFile {
    /// Reads and imports the file (JSON or YAML); errors say which file, which line and what
    /// is wrong in it (with the JSON path of a malformed part).
    pub fn open(path: &Path) -> Result<OpenApiFile, OpenApiFileError> {
        Self::open_as(path, None)
    }

    /// [`OpenApiFile::open`], with the API kind the user named (`--kind`) instead of the one
    /// the document's markers decide.
    pub fn open_as(path: &Path, kind: Option<ApiKind>) -> Result<OpenApiFile, OpenApiFileError> {
        let shown = path.display().to_string();
        let read_error = |source| OpenApiFileError::Read {
            path: shown.clone(),
            source,
        };
        let file = UserFile::open(path, MAX_EXPORT_BYTES).map_err(read_error)?;
        let text = file.read_text().map_err(read_error)?;
        let content = if is_scenario(&text) {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let scenario =
                Scenario::parse(&name, &text).map_err(|source| OpenApiFileError::Scenario {
                    path: shown.clone(),
                    source,
                })?;
            Exported::Scenario(Box::new(scenario))
        } else {
            // The import lets the text go while it builds the model and reads each path item
            // again from the file: a 60 MB export is not held twice (text and model).
            let mut source = FileText {
                file,
                text: Some(text),
            };
            let api = openapi::import_text(&mut source, kind).map_err(|source| {
                OpenApiFileError::Import {
                    path: shown.clone(),
                    source,
                }
            })?;
            Exported::Api(Arc::new(api))
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

/// Reads a scenario file (`serve --scenario FILE`, `demo FILE`): a regular file within
/// [`MAX_SCENARIO_BYTES`], named by its stem.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let text =
        crate::user_file::read_text(path, MAX_SCENARIO_BYTES).map_err(|e| ScenarioError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    let name = path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    Scenario::parse(&name, &text)
}

/// An export's text for the import: the text read when the file was opened, handed over once,
/// then the file read again (the same open file, checked unchanged) for what the import asks.
struct FileText {
    file: UserFile,
    text: Option<String>,
}

impl DefinitionText for FileText {
    fn whole(&mut self) -> io::Result<Cow<'_, str>> {
        match self.text.take() {
            Some(text) => Ok(Cow::Owned(text)),
            None => {
                self.file.check_unchanged()?;
                self.file.read_text().map(Cow::Owned)
            }
        }
    }

    fn range(&mut self, range: Range<usize>) -> io::Result<Cow<'_, str>> {
        self.file
            .read_range(range.start as u64..range.end as u64)
            .map(Cow::Owned)
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
