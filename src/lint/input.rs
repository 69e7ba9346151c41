//! The files `lint` reads, told apart by content: a Terraform plan (`terraform show -json`),
//! an API Gateway export (OpenAPI 3 / Swagger 2, JSON or YAML), a scenario file; a
//! CloudFormation or SAM template is recognised and refused with what to do instead.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::gateway::scenario::{Scenario, SCENARIO_KEY};
use crate::gateway::terraform::{self, TerraformError};
use crate::gateway::{openapi, Api};

/// Largest file `lint` reads (a plan of thousands of resources is a few MB).
pub const MAX_LINT_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    TerraformPlan,
    Openapi,
    Scenario,
}

/// One file and the APIs it defines.
#[derive(Clone, Debug)]
pub struct LintInput {
    /// The file as the user named it.
    pub file: String,
    pub kind: InputKind,
    pub apis: Vec<Api>,
}

/// A file `lint` cannot check (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("cannot read {file}: {message}")]
    Read { file: String, message: String },
    #[error("{file}:{line}:{column}: not valid JSON ({message})")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Terraform(#[from] TerraformError),
    #[error("{0}")]
    Openapi(String),
    #[error("{file} is a CloudFormation or SAM template, which this build of lint does not read: lint a Terraform plan (terraform show -json plan.out > plan.json) or the deployed API's export (aws apigateway get-export … --parameters extensions=apigateway) instead")]
    Template { file: String },
    #[error("{file} is neither a Terraform plan (terraform show -json plan.out) nor an API Gateway export (OpenAPI 3 or Swagger 2 with x-amazon-apigateway extensions)")]
    Unknown { file: String },
    #[error("{file} defines no API Gateway API (no aws_api_gateway_rest_api or aws_apigatewayv2_api with protocol HTTP)")]
    NoApi { file: String },
}

/// Reads and imports the file at `path` (a regular file of at most [`MAX_LINT_FILE_BYTES`]).
pub fn load(path: &Path) -> Result<LintInput, LintError> {
    let file = path.display().to_string();
    let text =
        crate::user_file::read_text(path, MAX_LINT_FILE_BYTES).map_err(|e| LintError::Read {
            file: file.clone(),
            message: e.to_string(),
        })?;
    load_text(&text, &file)
}

/// Imports a file's text; `file` is the name findings point at.
pub fn load_text(text: &str, file: &str) -> Result<LintInput, LintError> {
    let body = text.trim_start_matches('\u{feff}');
    let input = if starts_terraform(body) {
        // `terraform show -json` writes format_version first: read the plan in one parse.
        LintInput {
            file: file.to_string(),
            kind: InputKind::TerraformPlan,
            apis: terraform::import(body, file)?,
        }
    } else if body.trim_start().starts_with('{') {
        let doc: Value = serde_json::from_str(body).map_err(|e| LintError::Json {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let Some(top) = doc.as_object() else {
            return Err(LintError::Unknown {
                file: file.to_string(),
            });
        };
        if top.contains_key("format_version")
            && (top.contains_key("planned_values")
                || top.contains_key("resource_changes")
                || top.contains_key("configuration")
                || top.contains_key("values"))
        {
            drop(doc);
            LintInput {
                file: file.to_string(),
                kind: InputKind::TerraformPlan,
                apis: terraform::import(body, file)?,
            }
        } else if is_template(top) {
            return Err(LintError::Template {
                file: file.to_string(),
            });
        } else if top.contains_key(SCENARIO_KEY) {
            let name = Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.to_string());
            let s = Scenario::from_value(&name, doc)
                .map_err(|e| LintError::Openapi(format!("{file}: {e}")))?;
            LintInput {
                file: file.to_string(),
                kind: InputKind::Scenario,
                apis: vec![s.api],
            }
        } else if top.contains_key("openapi") || top.contains_key("swagger") {
            let api = openapi::import(&doc).map_err(|e| LintError::Openapi(e.in_file(file)))?;
            LintInput {
                file: file.to_string(),
                kind: InputKind::Openapi,
                apis: vec![api],
            }
        } else {
            return Err(LintError::Unknown {
                file: file.to_string(),
            });
        }
    } else if yaml_template(body) {
        return Err(LintError::Template {
            file: file.to_string(),
        });
    } else if yaml_export(body) {
        let api = openapi::import_str(body).map_err(|e| LintError::Openapi(e.in_file(file)))?;
        LintInput {
            file: file.to_string(),
            kind: InputKind::Openapi,
            apis: vec![api],
        }
    } else {
        return Err(LintError::Unknown {
            file: file.to_string(),
        });
    };
    if input.apis.is_empty() {
        return Err(LintError::NoApi {
            file: file.to_string(),
        });
    }
    Ok(input)
}

/// True when the JSON object's first key is `format_version` (a Terraform plan or state).
fn starts_terraform(body: &str) -> bool {
    body.trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"format_version\""))
}

/// A CloudFormation template in JSON (`AWSTemplateFormatVersion`, `Resources`, a SAM
/// `Transform`).
fn is_template(top: &serde_json::Map<String, Value>) -> bool {
    top.contains_key("AWSTemplateFormatVersion")
        || top.contains_key("Transform")
        || top.get("Resources").is_some_and(Value::is_object)
}

/// Top-level YAML keys, cheaply: lines that start a key in column 0.
fn top_level_keys(body: &str) -> impl Iterator<Item = &str> {
    body.lines()
        .filter(|l| {
            l.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '"' || c == '\'')
        })
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, _)| k.trim_matches(|c| c == '"' || c == '\''))
        })
}

fn yaml_template(body: &str) -> bool {
    top_level_keys(body)
        .any(|k| matches!(k, "AWSTemplateFormatVersion" | "Transform" | "Resources"))
}

fn yaml_export(body: &str) -> bool {
    top_level_keys(body).any(|k| matches!(k, "openapi" | "swagger"))
}
