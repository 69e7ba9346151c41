//! `cors-doctor lint FILE… [--origin O]… [--format text|json|markdown|sarif]`: every route of
//! every API in the files checked for latent CORS traps ([`crate::rules::check`]), nothing
//! sent. Reads Terraform plans (`terraform show -json`), CloudFormation and SAM templates
//! (CDK's and the Serverless Framework's synthesized ones too; `--parameter K=V`), API Gateway
//! exports (`aws apigateway get-export`, `aws apigatewayv2 export-api`, JSON or YAML) and
//! scenario files.
//!
//! Exit status: 0 no error-severity finding, 1 at least one, 2 a file that cannot be read
//! (usage).
//!
//! The JSON report (`--format json`, schema `cors-doctor/lint/v1`, additive like the check
//! report's v1):
//! ```json
//! { "schema": "cors-doctor/lint/v1",
//!   "origins": ["https://app.example.com"],
//!   "files": [ { "file": "plan.json", "input": "terraform-plan|cloudformation|openapi|scenario",
//!                "apis": [ { "name": "items", "kind": "rest|http", "id": null,
//!                            "stages": ["prod"], "routes": 4,
//!                            "source": {"file": "plan.json", "line": 12, "resource": "aws_api_gateway_rest_api.api"},
//!                            "unresolved": ["… is known only after terraform apply …"] } ] } ],
//!   "findings": [ { "file": "plan.json", "api": "items", "code": "OPTIONS_MISSING",
//!                   "severity": "error|warning|info", "step": 3, "message": "…",
//!                   "route": {"path": "/items", "method": "POST"}, "stage": "prod",
//!                   "origin": "https://app.example.com", "routes_affected": 3,
//!                   "source": {"file": "plan.json", "line": 120, "resource": "aws_api_gateway_resource.items"},
//!                   "remediation": {"text": "…", "commands": ["aws apigateway …"]} } ],
//!   "summary": { "files": 1, "apis": 1, "routes": 4, "errors": 1, "warnings": 1, "info": 2 } }
//! ```
//! `route` is absent for an API-wide finding (then `routes_affected` counts the routes that
//! meet it); `source` is absent when the input records no location (exports).

mod input;
mod render;
pub(crate) use render::{cell, counts, mark, plural};
mod sarif;

use serde::Serialize;

pub use input::{
    load, load_text, load_text_with, InputKind, LintError, LintInput, MAX_LINT_FILE_BYTES,
};
/// What each finding code means (the SARIF rules' descriptions; `audit` shares them).
pub use sarif::describe;

use crate::diagnose::{FindingCode, Remediation, Severity};
use crate::gateway::front::Front;
use crate::gateway::model::{Element, SourceRef};
use crate::gateway::Api;
use crate::rules::{self, Route};

/// The JSON report's schema name.
pub const SCHEMA: &str = "cors-doctor/lint/v1";

/// Output formats of `lint`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LintFormat {
    #[default]
    Text,
    Json,
    Markdown,
    Sarif,
}

/// The lint report (see the module docs for its JSON form).
#[derive(Clone, Debug, Serialize)]
pub struct LintReport {
    pub schema: &'static str,
    /// The origins the requests were made from (given, or the default of each API).
    pub origins: Vec<String>,
    pub files: Vec<FileSummary>,
    pub findings: Vec<ReportFinding>,
    pub summary: Summary,
}

#[derive(Clone, Debug, Serialize)]
pub struct FileSummary {
    pub file: String,
    pub input: InputKind,
    pub apis: Vec<ApiSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApiSummary {
    pub name: String,
    pub kind: &'static str,
    pub id: Option<String>,
    pub stages: Vec<String>,
    pub routes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    /// Values the file names but does not hold, one sentence each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<String>,
}

/// A finding with the file and API it was found in.
#[derive(Clone, Debug, Serialize)]
pub struct ReportFinding {
    pub file: String,
    pub api: String,
    pub code: FindingCode,
    pub severity: Severity,
    pub step: u8,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes_affected: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub apis: usize,
    pub routes: usize,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

/// The display name of an API: its name, else its id, else its kind.
fn api_name(api: &Api) -> String {
    if !api.name.is_empty() {
        api.name.clone()
    } else if let Some(id) = &api.id {
        id.clone()
    } else {
        format!("{} API", api.kind.as_str().to_uppercase())
    }
}

/// Every API of every input, checked.
pub fn lint(inputs: &[LintInput], options: &rules::Options) -> LintReport {
    let mut report = LintReport {
        schema: SCHEMA,
        origins: options.origins.clone(),
        files: Vec::new(),
        findings: Vec::new(),
        summary: Summary::default(),
    };
    for input in inputs {
        let mut file = FileSummary {
            file: input.file.clone(),
            input: input.kind,
            apis: Vec::new(),
        };
        for api in &input.apis {
            let name = api_name(api);
            let routes = api
                .resources
                .iter()
                .map(|r| {
                    r.methods
                        .iter()
                        .filter(|m| m.http_method != "OPTIONS")
                        .count()
                })
                .sum();
            if options.origins.is_empty() {
                let o = rules::default_origin(api);
                if !report.origins.contains(&o) {
                    report.origins.push(o);
                }
            }
            // The definition's own resource policy; one that is not a document is said.
            let (front, policy_error) = match Front::of_definition(api) {
                Ok(front) => (front, None),
                Err(why) => (Front::default(), Some(why)),
            };
            file.apis.push(ApiSummary {
                name: name.clone(),
                kind: api.kind.as_str(),
                id: api.id.clone(),
                stages: api.stages.iter().map(|s| s.name.clone()).collect(),
                routes,
                source: api.source_of(&Element::Api).cloned(),
                unresolved: api
                    .unresolved
                    .iter()
                    .map(|u| u.reason())
                    .chain(policy_error)
                    .collect(),
            });
            report.summary.apis += 1;
            report.summary.routes += routes;
            for f in rules::check(api, &front, options) {
                report.findings.push(ReportFinding {
                    file: input.file.clone(),
                    api: name.clone(),
                    code: f.code,
                    severity: f.severity,
                    step: f.step,
                    message: f.message,
                    route: f.route,
                    stage: f.stage,
                    origin: f.origin,
                    routes_affected: f.routes_affected,
                    source: f.source,
                    remediation: f.remediation,
                });
            }
        }
        report.files.push(file);
    }
    report.summary.files = report.files.len();
    for f in &report.findings {
        match f.severity {
            Severity::Error => report.summary.errors += 1,
            Severity::Warning => report.summary.warnings += 1,
            Severity::Info => report.summary.info += 1,
        }
    }
    report
}

impl LintReport {
    /// 1 when any finding is an error, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.summary.errors > 0)
    }

    /// The report in `format`; secrets the inputs hold (API key values) are masked.
    pub fn render(&self, format: LintFormat, inputs: &[LintInput]) -> String {
        let text = match format {
            LintFormat::Text => render::text(self),
            LintFormat::Json => serde_json::to_string_pretty(self).unwrap_or_default(),
            LintFormat::Markdown => render::markdown(self),
            LintFormat::Sarif => sarif::render(self),
        };
        let mut secrets = crate::redact::known_secrets();
        for api in inputs.iter().flat_map(|i| i.apis.iter()) {
            for k in &api.api_keys {
                secrets.add(&k.value);
            }
        }
        secrets.mask(&text)
    }
}

#[cfg(test)]
mod tests;
