//! A configuration read from a file exported with `aws apigateway get-export --parameters
//! extensions=apigateway` (or `aws apigatewayv2 export-api`), from a scenario file, or from
//! a CloudFormation / SAM / CDK / Serverless template (`--template`, or a template named
//! where an export is expected: the file's structure decides, see [`definition_kind`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::{BoxFuture, ConfigRequest, ConfigSource, LoadedConfig, Location};
use crate::evidence::ConfigSourceKind;
use crate::gateway::front::Front;
use crate::gateway::model::ApiKind;
use crate::gateway::openapi::{self, DefinitionText, ImportError};
use crate::gateway::scenario::{Scenario, ScenarioError, MAX_SCENARIO_BYTES, SCENARIO_KEY};
use crate::gateway::template::{self, DefinitionKind, TemplateError};
use crate::gateway::Api;
use crate::user_file::UserFile;

/// Exports larger than this are refused (the largest real exports are a few MB).
const MAX_EXPORT_BYTES: u64 = 64 * 1024 * 1024;

/// Templates larger than this are refused before they are parsed. CloudFormation itself
/// accepts at most 1 MB (template body in S3; 51,200 bytes inline), see
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>;
/// SAM and CDK sources grow somewhat before deployment, hence the headroom.
pub const MAX_TEMPLATE_BYTES: u64 = 4 * 1024 * 1024;

/// How to read a definition file: what the user named besides the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DefinitionOptions {
    /// `--kind` (exports only).
    pub kind: Option<ApiKind>,
    /// `--parameter KEY=VALUE` (templates only).
    pub parameters: BTreeMap<String, String>,
    /// `--api-id`: a template's API by logical id.
    pub api_id: Option<String>,
    /// `--path`: picks the template's API that has it when there are several.
    pub path: Option<String>,
    /// `--stage`: must be one the template's API defines (when it defines any).
    pub stage: Option<String>,
}

/// An exported API, read and imported once when it is opened (so a broken file is a usage
/// error before anything is probed).
pub struct OpenApiFile {
    content: Exported,
    kind: ConfigSourceKind,
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
    /// A template that cannot be read, or whose API cannot be chosen: `FILE:LINE: message`.
    #[error("{}", .source.in_file(path))]
    Template {
        path: String,
        #[source]
        source: TemplateError,
    },
    /// A Terraform plan that cannot be read.
    #[error(transparent)]
    TerraformPlan(#[from] crate::gateway::terraform::TerraformError),
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
        Self::open_definition(
            path,
            &DefinitionOptions {
                kind,
                ..DefinitionOptions::default()
            },
        )
    }

    /// Reads a template named with `--template`: a CloudFormation / SAM / CDK / Serverless
    /// template (or a Terraform plan) of at most [`MAX_TEMPLATE_BYTES`].
    pub fn open_template(
        path: &Path,
        options: &DefinitionOptions,
    ) -> Result<OpenApiFile, OpenApiFileError> {
        let shown = path.display().to_string();
        let read_error = |source| OpenApiFileError::Read {
            path: shown.clone(),
            source,
        };
        let file = UserFile::open(path, MAX_TEMPLATE_BYTES).map_err(read_error)?;
        let text = file.read_text().map_err(read_error)?;
        if is_scenario(&text) {
            return Err(OpenApiFileError::Template {
                path: shown,
                source: TemplateError {
                    line: None,
                    message: "this is a scenario file, not a template: pass it with --openapi"
                        .into(),
                },
            });
        }
        match definition_kind(&text) {
            DefinitionKind::OpenApi => Err(OpenApiFileError::Template {
                path: shown,
                source: TemplateError {
                    line: None,
                    message: "this is an OpenAPI export, not a template: pass it with --openapi"
                        .into(),
                },
            }),
            DefinitionKind::TerraformPlan => open_terraform(&shown, &text, options),
            // A template, or something the template reader explains best (no Resources, a
            // YAML error with its line).
            DefinitionKind::CloudFormation | DefinitionKind::Unknown => {
                drop(file);
                open_cfn(&shown, &text, options)
            }
        }
    }

    /// Reads any definition file: an export, a scenario, a template or a Terraform plan,
    /// told apart by structure.
    pub fn open_definition(
        path: &Path,
        options: &DefinitionOptions,
    ) -> Result<OpenApiFile, OpenApiFileError> {
        let shown = path.display().to_string();
        let read_error = |source| OpenApiFileError::Read {
            path: shown.clone(),
            source,
        };
        let file = UserFile::open(path, MAX_EXPORT_BYTES).map_err(read_error)?;
        let text = file.read_text().map_err(read_error)?;
        Self::from_text(path, file, text, options)
    }

    fn from_text(
        path: &Path,
        file: UserFile,
        text: String,
        options: &DefinitionOptions,
    ) -> Result<OpenApiFile, OpenApiFileError> {
        let shown = path.display().to_string();
        let kind = options.kind;
        let template =
            !is_scenario(&text) && definition_kind(&text) == DefinitionKind::CloudFormation;
        if !template && !options.parameters.is_empty() {
            return Err(OpenApiFileError::Template {
                path: shown,
                source: TemplateError {
                    line: None,
                    message: "--parameter fills a CloudFormation template's values, and this file is not a template (an OpenAPI export or a scenario takes none)".into(),
                },
            });
        }
        if !is_scenario(&text) {
            match definition_kind(&text) {
                DefinitionKind::CloudFormation => {
                    return open_cfn(&shown, &text, options);
                }
                DefinitionKind::TerraformPlan => {
                    return open_terraform(&shown, &text, options);
                }
                DefinitionKind::OpenApi | DefinitionKind::Unknown => {}
            }
        }
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
        Ok(OpenApiFile {
            content,
            kind: ConfigSourceKind::Openapi,
        })
    }

    fn locate(&self, request: &ConfigRequest) -> LoadedConfig {
        match &self.content {
            Exported::Scenario(scenario) => {
                scenario_config(scenario, request, request.location(&scenario.api))
            }
            Exported::Api(api) => {
                let at = request.location(api);
                // The resource policy and private endpoint the definition states, read as
                // the SDK reads GetRestApi's (where the app runs is unknown either way).
                let mut gaps = Vec::new();
                let front = Front::of_definition(api).unwrap_or_else(|reason| {
                    gaps.push(super::ConfigGap {
                        what: "resource policy".to_string(),
                        step: 3,
                        reason,
                    });
                    Front::default()
                });
                LoadedConfig {
                    api: Arc::clone(api),
                    stage: at.stage,
                    path: at.path,
                    backend: None,
                    gaps,
                    unresolved: at.unresolved,
                    front,
                }
            }
        }
    }
}

/// One API of a definition file, for readers of every API of a file (`lint`): its label
/// (a template's logical id, an export's title) and the API, with its sources.
#[derive(Clone, Debug)]
pub struct DefinitionApi {
    pub label: String,
    pub api: Api,
}

/// Every API a definition file holds: the one of an export, every API of a template or of a
/// Terraform plan (by address), a scenario's API. Errors as [`OpenApiFile::open_definition`]'s.
pub fn read_all(
    path: &Path,
    options: &DefinitionOptions,
) -> Result<Vec<DefinitionApi>, OpenApiFileError> {
    let shown = path.display().to_string();
    let read_error = |source| OpenApiFileError::Read {
        path: shown.clone(),
        source,
    };
    let text = crate::user_file::read_text(path, MAX_EXPORT_BYTES).map_err(read_error)?;
    if !is_scenario(&text) && definition_kind(&text) == DefinitionKind::CloudFormation {
        if text.len() as u64 > MAX_TEMPLATE_BYTES {
            return Err(OpenApiFileError::Template {
                path: shown,
                source: TemplateError {
                    line: None,
                    message: format!(
                        "the template is larger than {} MB (CloudFormation accepts at most 1 MB); is this the right file?",
                        MAX_TEMPLATE_BYTES / (1024 * 1024)
                    ),
                },
            });
        }
        let apis = template::import(&text, &shown, &options.parameters).map_err(|source| {
            OpenApiFileError::Template {
                path: shown.clone(),
                source,
            }
        })?;
        return Ok(apis
            .into_iter()
            .map(|t| DefinitionApi {
                label: t.logical_id,
                api: t.api,
            })
            .collect());
    }
    if !is_scenario(&text) && definition_kind(&text) == DefinitionKind::TerraformPlan {
        let apis = crate::gateway::terraform::import(&text, &shown)?;
        return Ok(apis
            .into_iter()
            .map(|api| DefinitionApi {
                label: api
                    .source_of(&crate::gateway::model::Element::Api)
                    .and_then(|s| s.resource.clone())
                    .unwrap_or_else(|| api.name.clone()),
                api,
            })
            .collect());
    }
    drop(text);
    let file = OpenApiFile::open_definition(path, options)?;
    let api = match &file.content {
        Exported::Scenario(s) => s.api.clone(),
        Exported::Api(a) => (**a).clone(),
    };
    Ok(vec![DefinitionApi {
        label: api.name.clone(),
        api,
    }])
}

/// A template's API, chosen by the options (see [`template::select`]).
fn open_cfn(
    shown: &str,
    text: &str,
    options: &DefinitionOptions,
) -> Result<OpenApiFile, OpenApiFileError> {
    let template_error = |source| OpenApiFileError::Template {
        path: shown.to_string(),
        source,
    };
    if text.len() as u64 > MAX_TEMPLATE_BYTES {
        return Err(template_error(TemplateError {
            line: None,
            message: format!(
                "the template is larger than {} MB (CloudFormation accepts at most 1 MB); is this the right file?",
                MAX_TEMPLATE_BYTES / (1024 * 1024)
            ),
        }));
    }
    let apis = template::import(text, shown, &options.parameters).map_err(template_error)?;
    let chosen = template::select(apis, options.api_id.as_deref(), options.path.as_deref())
        .map_err(template_error)?;
    check_stage(&chosen, options).map_err(template_error)?;
    Ok(OpenApiFile {
        content: Exported::Api(Arc::new(chosen.api)),
        kind: ConfigSourceKind::Template,
    })
}

/// `--stage` must be one the chosen API defines, when it defines any (stage names are
/// case-sensitive: SAM's implicit API has `Prod`).
fn check_stage(
    chosen: &template::TemplateApi,
    options: &DefinitionOptions,
) -> Result<(), TemplateError> {
    let Some(stage) = &options.stage else {
        return Ok(());
    };
    let stages: Vec<&str> = chosen.api.stages.iter().map(|s| s.name.as_str()).collect();
    if stages.is_empty() || stages.contains(&stage.as_str()) {
        return Ok(());
    }
    Err(TemplateError {
        line: chosen
            .api
            .source_of(&crate::gateway::model::Element::Api)
            .map(|s| s.line),
        message: format!(
            "--stage {stage}: the API {} defines no such stage (stage names are case-sensitive); its stages: {}",
            chosen.logical_id,
            stages.join(", ")
        ),
    })
}

/// A Terraform plan (`terraform show -json plan.out`): its API chosen as a template's is, by
/// Terraform address (`--api-id aws_api_gateway_rest_api.items`) or by the path.
fn open_terraform(
    shown: &str,
    text: &str,
    options: &DefinitionOptions,
) -> Result<OpenApiFile, OpenApiFileError> {
    let apis = crate::gateway::terraform::import(text, shown)?;
    if apis.is_empty() {
        return Err(OpenApiFileError::Template {
            path: shown.to_string(),
            source: TemplateError {
                line: None,
                message: "this Terraform plan defines no aws_api_gateway_rest_api or aws_apigatewayv2_api: plan the module that holds the API".into(),
            },
        });
    }
    let apis = apis
        .into_iter()
        .map(|api| {
            let address = api
                .source_of(&crate::gateway::model::Element::Api)
                .and_then(|s| s.resource.clone())
                .unwrap_or_else(|| api.name.clone());
            template::TemplateApi {
                resource_type: address.split('.').next().unwrap_or_default().to_string(),
                logical_id: address,
                api,
            }
        })
        .collect();
    let chosen = template::select(apis, options.api_id.as_deref(), options.path.as_deref())
        .and_then(|chosen| check_stage(&chosen, options).map(|()| chosen))
        .map_err(|source| OpenApiFileError::Template {
            path: shown.to_string(),
            source,
        })?;
    Ok(OpenApiFile {
        content: Exported::Api(Arc::new(chosen.api)),
        kind: ConfigSourceKind::Template,
    })
}

/// What a definition file is, from its top-level keys, without building it: JSON is
/// skimmed (every member skipped unbuilt), YAML's top-level keys are the lines that start
/// with a key at column 0.
pub fn definition_kind(text: &str) -> DefinitionKind {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let keys: Vec<String> = if body.starts_with('{') {
        match serde_json::from_str::<BTreeMap<String, serde::de::IgnoredAny>>(body) {
            Ok(m) => m.into_keys().collect(),
            Err(_) => return DefinitionKind::Unknown,
        }
    } else {
        body.lines()
            .filter(|l| !l.starts_with([' ', '\t', '#', '-']))
            .filter_map(|l| {
                l.split_once(':')
                    .map(|(k, _)| k.trim().trim_matches(['"', '\'']).to_string())
            })
            .collect()
    };
    let mut doc = serde_json::Map::new();
    for k in keys {
        doc.insert(k, serde_json::Value::Null);
    }
    template::detect(&serde_json::Value::Object(doc))
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
        self.kind
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
        front: s.spec.front.clone(),
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
