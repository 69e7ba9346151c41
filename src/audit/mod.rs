//! `cors-doctor audit`: every REST and HTTP API of an account (per Region), read through the
//! control plane with the lookups `check --api-id` uses, and every route checked for latent
//! CORS traps by the whole-API rules of `lint` ([`crate::rules::check`]). Nothing but reads
//! is ever sent (the clients refuse anything else, see [`crate::aws::sdk::throttle`]).
//!
//! Calls, per Region: `GetRestApis` and `GetApis` (one each per 500 APIs); per REST API
//! `GetResources` (one per 500 resources), `GetStages`, `GetAuthorizers`,
//! `GetGatewayResponses` and one `GetDeployment` per stage (its API summary: which methods the
//! stage serves); per HTTP API `GetRoutes`, `GetIntegrations`, `GetAuthorizers`, `GetStages`
//! (the listing carries the API and its cors_configuration). A REST API of ≤ 500 resources
//! and one stage: 5 calls, +1 per further stage. `--api-id` adds `GetRestApi` (and `GetApi`
//! when the id is not a REST API's).
//!
//! Reads run concurrently (`--concurrency` APIs at once) under token buckets per account and
//! Region (`--rate`/`--burst`, default API Gateway's documented quotas, see
//! [`crate::aws::sdk::throttle`]); throttling halves the rate and the SDK retries.
//!
//! Failures are isolated: an API whose resources cannot be read (AccessDenied, throttled past
//! the retries) is a row that says why; a part that cannot be read (authorizers, gateway
//! responses, stages) is a gap of that API, and the rules run on the rest. A Region whose
//! listing fails is a row too. Missing credentials stop the run (exit 2).
//!
//! Exit status: 0 clean; 1 any error-severity finding, or any API or Region that could not be
//! read (an audit that could not look is not clean); 2 usage or credentials.
//!
//! The JSON report (`--format json`, schema `cors-doctor/audit/v1`):
//! ```json
//! { "schema": "cors-doctor/audit/v1", "origins": ["https://app.example.com"],
//!   "regions": [ { "region": "us-east-1", "rest_apis": 40, "http_apis": 12,
//!                  "error": null, "aws_calls": 210, "throttles": 0,
//!                  "rate": { "configured": 10.0, "lowest": 10.0, "last": 10.0 } } ],
//!   "apis": [ { "api_id": "a1b2c3", "name": "items", "kind": "rest|http", "region": "us-east-1",
//!               "stages": ["prod"], "routes": 4, "status": "ok|partial|failed",
//!               "error": "…", "gaps": ["…"], "errors": 1, "warnings": 0, "info": 2 } ],
//!   "findings": [ { "api_id": "a1b2c3", "api": "items", "region": "us-east-1",
//!                   "stage": "prod", "path": "/items", "method": "POST",
//!                   "code": "OPTIONS_MISSING", "severity": "error|warning|info", "step": 3,
//!                   "message": "…", "origin": "…", "routes_affected": null,
//!                   "remediation": {"text": "…", "commands": ["aws apigateway …"]} } ],
//!   "summary": { "apis": 52, "failed": 0, "routes": 210, "errors": 3, "warnings": 1, "info": 9 },
//!   "aws_calls": 262, "http_requests": 262, "throttles": 0,
//!   "operations": { "GetResources": 40, "GetStages": 52 }, "wall_time_ms": 12345,
//!   "probes": { "invoke_url": "https://{api_id}.execute-api.{region}.amazonaws.com/{stage}",
//!               "sent": 120, "mismatched": 1, "unanswered": 0, "no_preflight": 90 } }
//! ```
//! With `--probe` (see `probe`), each API row has `probed` (preflights sent), the report
//! `probes`, and a `LIVE_PREFLIGHT_MISMATCH` finding `probe`: `{ "method": "OPTIONS", "url",
//! "request_headers": [[name, value]], "live": { "status", "headers", "verdict", "error" },
//! "predicted": { … }, "assumed_backend", "elapsed_ms" }`. All of it is additive to v1 and
//! absent without `--probe`.
//! `path`/`method` are null for an API-wide finding (a gateway response), `stage` when the API
//! has no stage. `aws_calls` counts operations, `http_requests` attempts (retries included).

mod probe;
mod render;
mod run;

use std::collections::BTreeMap;

use serde::Serialize;

pub use probe::{
    ProbeAnswer, ProbeEvidence, ProbeSettings, ProbeSummary, DEFAULT_INVOKE_URL,
    DEFAULT_PROBE_CONCURRENCY,
};
pub use run::{audit, AuditError, AuditOptions, AuditProgress, Watch};

use crate::aws::sdk::throttle::RateTrace;
use crate::diagnose::{FindingCode, Remediation, Severity};

/// The JSON report's schema name.
pub const SCHEMA: &str = "cors-doctor/audit/v1";

/// Output formats of `audit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuditFormat {
    #[default]
    Text,
    Json,
    Markdown,
    Sarif,
}

/// The audit report (see the module docs for its JSON form).
#[derive(Clone, Debug, Default, Serialize)]
pub struct AuditReport {
    pub schema: &'static str,
    pub origins: Vec<String>,
    pub regions: Vec<RegionRow>,
    pub apis: Vec<ApiRow>,
    pub findings: Vec<AuditFinding>,
    pub summary: Summary,
    pub aws_calls: u64,
    pub http_requests: u64,
    pub throttles: u64,
    pub operations: BTreeMap<String, u64>,
    pub wall_time_ms: u64,
    /// `--probe`: the preflights sent and what they showed (absent without `--probe`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<ProbeSummary>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RegionRow {
    pub region: String,
    pub rest_apis: usize,
    pub http_apis: usize,
    /// Why the Region (or one kind of API in it) could not be listed.
    pub error: Option<String>,
    pub aws_calls: u64,
    pub throttles: u64,
    /// The client-side rate (calls/s): configured, the lowest throttling brought it to, and
    /// at the end (additive to schema v1).
    pub rate: RateTrace,
}

/// Whether an API could be read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiStatus {
    #[default]
    Ok,
    /// Read, but some parts could not be (see `gaps`): findings may be missing.
    Partial,
    /// Not read (see `error`): no finding could be made.
    Failed,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ApiRow {
    pub api_id: String,
    pub name: String,
    pub kind: &'static str,
    pub region: String,
    pub stages: Vec<String>,
    pub routes: usize,
    pub status: ApiStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
    /// `--probe`: preflights sent to this API's stages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probed: Option<usize>,
    /// `--probe`: why this API's stages were not probed (a private API, a disabled
    /// execute-api endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_probed: Option<String>,
    /// `--probe`: routes not probed because browsers send them without a preflight.
    #[serde(skip)]
    pub probes_without_preflight: usize,
}

/// A finding with the API, stage and route it concerns.
#[derive(Clone, Debug, Serialize)]
pub struct AuditFinding {
    pub api_id: String,
    pub api: String,
    pub region: String,
    pub stage: Option<String>,
    pub path: Option<String>,
    pub method: Option<String>,
    pub code: FindingCode,
    pub severity: Severity,
    pub step: u8,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes_affected: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
    /// `LIVE_PREFLIGHT_MISMATCH`: the preflight sent and both answers (`--probe`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeEvidence>,
}

impl AuditFinding {
    /// A whole-API rule's finding (`rules::check`) on the API `api_id` (named `api`) in
    /// `region`; no probe.
    pub fn from_rule(api_id: &str, api: &str, region: &str, f: crate::rules::LintFinding) -> Self {
        AuditFinding {
            api_id: api_id.to_string(),
            api: api.to_string(),
            region: region.to_string(),
            stage: f.stage,
            path: f.route.as_ref().map(|r| r.path.clone()),
            method: f.route.map(|r| r.method),
            code: f.code,
            severity: f.severity,
            step: f.step,
            message: f.message,
            origin: f.origin,
            routes_affected: f.routes_affected,
            remediation: f.remediation,
            probe: None,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub apis: usize,
    pub failed: usize,
    pub routes: usize,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

impl AuditReport {
    /// 1 when any finding is an error or anything could not be read, else 0.
    pub fn exit_code(&self) -> i32 {
        let unread = self.summary.failed > 0 || self.regions.iter().any(|r| r.error.is_some());
        i32::from(self.summary.errors > 0 || unread)
    }

    /// The report in `format`, with known secrets masked.
    pub fn render(&self, format: AuditFormat) -> String {
        let text = match format {
            AuditFormat::Text => render::text(self),
            AuditFormat::Json => serde_json::to_string_pretty(self).unwrap_or_default(),
            AuditFormat::Markdown => render::markdown(self),
            AuditFormat::Sarif => render::sarif(self),
        };
        crate::redact::known_secrets().mask(&text)
    }

    /// Totals from the rows and findings (each row's counts too).
    pub fn summarize(&mut self) {
        let mut s = Summary {
            apis: self.apis.len(),
            ..Summary::default()
        };
        for api in &mut self.apis {
            let mine = self
                .findings
                .iter()
                .filter(|f| f.api_id == api.api_id && f.region == api.region);
            api.errors = 0;
            api.warnings = 0;
            api.info = 0;
            for f in mine {
                match f.severity {
                    Severity::Error => api.errors += 1,
                    Severity::Warning => api.warnings += 1,
                    Severity::Info => api.info += 1,
                }
            }
            s.failed += usize::from(api.status == ApiStatus::Failed);
            s.routes += api.routes;
            s.errors += api.errors;
            s.warnings += api.warnings;
            s.info += api.info;
        }
        self.summary = s;
    }
}

#[cfg(test)]
mod tests;
