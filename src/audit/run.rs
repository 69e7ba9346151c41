//! The audit run: Regions concurrently, each with its own clients and token buckets; in each,
//! the APIs listed (or named), read `concurrency` at a time, then checked.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_apigateway::types::RestApi;
use aws_sdk_apigatewayv2::types::Api as HttpApi;
use futures_util::future::join_all;
use futures_util::stream::{self, StreamExt};

use super::probe::{self, ProbeSettings, ProbeSummary, Probing};
use super::{ApiRow, ApiStatus, AuditFinding, AuditReport, RegionRow, SCHEMA};
use crate::aws::sdk::errors::LookupError;
use crate::aws::sdk::throttle::{Limiter, Quota};
use crate::aws::sdk::{http_api, rest, Clients, SdkOptions, SdkSource};
use crate::evidence::ConfigGap;
use crate::gateway::front::Front;
use crate::gateway::Api;
use crate::rules;

/// APIs read at once per Region when `--concurrency` is not given: enough to keep the
/// documented 10 calls/s busy at ~1 s per call.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// The Regions `--all-regions` visits: the commercial Regions where API Gateway has an
/// endpoint (<https://docs.aws.amazon.com/general/latest/gr/apigateway.html>). A Region that
/// is not enabled for the account answers with a credentials error, reported on its row.
pub const ALL_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
];

/// What to audit, and how.
#[derive(Clone, Debug, Default)]
pub struct AuditOptions {
    /// `--region` (repeatable); empty: the profile's or the environment's Region.
    pub regions: Vec<String>,
    pub all_regions: bool,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// `--api-id` (repeatable); empty: every API listed.
    pub api_ids: Vec<String>,
    /// `--stage`: only what this stage serves.
    pub stage: Option<String>,
    pub rules: rules::Options,
    pub quota: Quota,
    /// APIs read at once per Region (0: `DEFAULT_CONCURRENCY`).
    pub concurrency: usize,
    /// SDK attempts per call (tests lower it).
    pub max_attempts: Option<u32>,
    /// A progress line on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
    /// `--probe`: one preflight per route to each stage's invoke URL (see `audit::probe`).
    pub probe: Option<ProbeSettings>,
    /// Live counts for a front end that draws its own progress (the TUI's audit screen);
    /// nothing is drawn on stderr when it is given.
    pub watch: Option<Watch>,
}

/// How far a running audit is: APIs read of those listed so far, AWS calls made, throttles
/// met. Read with [`Watch::snapshot`] while [`audit`] runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditProgress {
    /// APIs read (or failed).
    pub done: usize,
    /// APIs listed so far (grows while Regions are listed).
    pub total: usize,
    pub calls: u64,
    pub throttles: u64,
}

/// A handle on a running audit's counts (shared with [`audit`] through
/// [`AuditOptions::watch`]).
#[derive(Clone)]
pub struct Watch(Arc<Progress>);

impl Watch {
    pub fn new() -> Watch {
        Watch(Progress::new(false))
    }

    /// The counts now.
    pub fn snapshot(&self) -> AuditProgress {
        self.0.counts()
    }
}

impl Default for Watch {
    fn default() -> Self {
        Watch::new()
    }
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Watch").field(&self.snapshot()).finish()
    }
}

/// Why the audit could not run at all (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("{0}")]
    Credentials(String),
    #[error("{0}")]
    Setup(String),
}

/// One API to read.
enum Target {
    Rest(RestApi),
    Http(HttpApi),
}

/// What one Region gave.
struct RegionPart {
    row: RegionRow,
    apis: Vec<ApiRow>,
    findings: Vec<AuditFinding>,
    limiter: Limiter,
    /// `--api-id`s this Region does not have.
    not_found: Vec<String>,
}

/// Runs the audit.
pub async fn audit(options: &AuditOptions) -> Result<AuditReport, AuditError> {
    let started = Instant::now();
    let regions: Vec<Option<String>> = if options.all_regions {
        ALL_REGIONS.iter().map(|r| Some(r.to_string())).collect()
    } else if options.regions.is_empty() {
        vec![None]
    } else {
        let mut r = options.regions.clone();
        r.dedup();
        r.into_iter().map(Some).collect()
    };
    let progress = match &options.watch {
        Some(w) => Arc::clone(&w.0),
        None => Progress::new(options.progress && std::io::stderr().is_terminal()),
    };
    let probing = match &options.probe {
        Some(settings) => Some(Probing::new(settings).map_err(AuditError::Setup)?),
        None => None,
    };
    let parts = join_all(
        regions
            .iter()
            .map(|r| audit_region(options, r.clone(), &progress, probing.as_ref())),
    )
    .await;
    progress.finish();
    let mut report = AuditReport {
        schema: SCHEMA,
        origins: options.rules.origins.clone(),
        ..AuditReport::default()
    };
    let mut searched: Vec<String> = Vec::new();
    let mut missing: Vec<Vec<String>> = Vec::new();
    let mut credential_failures = Vec::new();
    for (region, part) in regions.iter().zip(parts) {
        match part {
            Ok(p) => {
                for (op, n) in p.limiter.operations() {
                    *report.operations.entry(op).or_default() += n;
                }
                report.http_requests += p.limiter.attempts();
                report.throttles += p.limiter.throttles();
                searched.push(p.row.region.clone());
                missing.push(p.not_found);
                report.regions.push(p.row);
                report.apis.extend(p.apis);
                report.findings.extend(p.findings);
            }
            // A Region the account has not enabled: its row says so (only with several).
            Err(AuditError::Credentials(m)) if regions.len() > 1 => {
                credential_failures.push(m.clone());
                report.regions.push(RegionRow {
                    region: region.clone().unwrap_or_default(),
                    error: Some(format!(
                        "not audited: {m} (is the Region enabled for the account?)"
                    )),
                    ..RegionRow::default()
                });
            }
            Err(e) => return Err(e),
        }
    }
    if !credential_failures.is_empty() && credential_failures.len() == regions.len() {
        return Err(AuditError::Credentials(credential_failures.remove(0)));
    }
    // An `--api-id` no Region has: one row.
    for id in &options.api_ids {
        let everywhere = !missing.is_empty() && missing.iter().all(|m| m.contains(id));
        if everywhere {
            report.apis.push(ApiRow {
                api_id: id.clone(),
                kind: "unknown",
                region: searched.join(", "),
                status: ApiStatus::Failed,
                error: Some(format!(
                    "API {id} not found (REST or HTTP) in {}: check the id, the account (--profile) and the Region (--region)",
                    searched.join(", ")
                )),
                ..ApiRow::default()
            });
        }
    }
    if report.origins.is_empty() {
        for f in &report.findings {
            if let Some(o) = &f.origin {
                if !report.origins.contains(o) {
                    report.origins.push(o.clone());
                }
            }
        }
    }
    // Deterministic: APIs as listed by name, each API's findings in the rules' order (most
    // severe first, then by route).
    report
        .findings
        .sort_by(|a, b| (&a.region, &a.api, &a.api_id).cmp(&(&b.region, &b.api, &b.api_id)));
    report.aws_calls = report.operations.values().sum();
    if let (Some(p), Some(settings)) = (&probing, &options.probe) {
        report.probes = Some(probe_summary(&report, p, settings));
    }
    report.summarize();
    report.wall_time_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}

async fn audit_region(
    options: &AuditOptions,
    region: Option<String>,
    progress: &Progress,
    probing: Option<&Probing>,
) -> Result<RegionPart, AuditError> {
    let source = SdkSource::new(SdkOptions {
        profile: options.profile.clone(),
        region: region.clone(),
        endpoint_url: options.endpoint_url.clone(),
        max_attempts: options.max_attempts,
        ..SdkOptions::default()
    });
    source
        .check_credentials()
        .await
        .map_err(|e| AuditError::Credentials(e.0))?;
    let limiter = Limiter::new(options.quota);
    progress.watch(limiter.clone());
    let clients = source
        .limited_clients(limiter.clone())
        .await
        .map_err(|e| AuditError::Setup(e.0))?;
    let mut row = RegionRow {
        region: clients.region.clone(),
        ..RegionRow::default()
    };
    let mut apis = Vec::new();
    let mut not_found = Vec::new();
    let mut targets = Vec::new();
    if options.api_ids.is_empty() {
        let (rest_list, http_list) = tokio::join!(rest::list(&clients), http_api::list(&clients));
        let mut problems = Vec::new();
        match rest_list {
            Ok(l) => targets.extend(l.into_iter().map(Target::Rest)),
            Err(LookupError::Credentials(m)) => {
                return Err(AuditError::Credentials(
                    crate::aws::sdk::credentials_help(&SdkOptions::default(), &m).0,
                ))
            }
            Err(e) => problems.push(format!("REST APIs not listed: {e}")),
        }
        match http_list {
            Ok(l) => targets.extend(l.into_iter().map(Target::Http)),
            Err(LookupError::Credentials(m)) => {
                return Err(AuditError::Credentials(
                    crate::aws::sdk::credentials_help(&SdkOptions::default(), &m).0,
                ))
            }
            Err(e) => problems.push(format!("HTTP APIs not listed: {e}")),
        }
        if !problems.is_empty() {
            row.error = Some(problems.join("; "));
        }
    } else {
        let found = join_all(options.api_ids.iter().map(|id| named(&clients, id))).await;
        for (id, f) in options.api_ids.iter().zip(found) {
            match f {
                Ok(Some(t)) => targets.push(t),
                Ok(None) => not_found.push(id.clone()),
                Err(e) => apis.push(failed_row(id, "unknown", "", &clients.region, &e)),
            }
        }
    }
    row.rest_apis = targets
        .iter()
        .filter(|t| matches!(t, Target::Rest(_)))
        .count();
    row.http_apis = targets.len() - row.rest_apis;
    progress.add(targets.len());
    let concurrency = if options.concurrency == 0 {
        DEFAULT_CONCURRENCY
    } else {
        options.concurrency
    };
    let results: Vec<(ApiRow, Vec<AuditFinding>)> = stream::iter(targets)
        .map(|t| async {
            let out = audit_api(&clients, t, options, probing).await;
            progress.done();
            out
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut findings = Vec::new();
    for (r, f) in results {
        apis.push(r);
        findings.extend(f);
    }
    apis.sort_by(|a, b| (&a.name, &a.api_id).cmp(&(&b.name, &b.api_id)));
    row.aws_calls = limiter.operations().values().sum();
    row.throttles = limiter.throttles();
    row.rate = limiter.rates();
    Ok(RegionPart {
        row,
        apis,
        findings,
        limiter,
        not_found,
    })
}

/// `--api-id`: a REST API's, else an HTTP API's (`None`: neither in this Region).
async fn named(clients: &Clients, id: &str) -> Result<Option<Target>, LookupError> {
    match rest::get_rest_api(clients, id).await {
        Ok(out) => return Ok(Some(Target::Rest(rest::listed(&out)))),
        Err(e) if !e.is_not_found() => return Err(e),
        Err(_) => {}
    }
    match http_api::get_api(clients, id).await {
        Ok(out) => Ok(Some(Target::Http(
            HttpApi::builder()
                .set_api_id(out.api_id().map(str::to_string))
                .set_name(out.name().map(str::to_string))
                .set_version(out.version().map(str::to_string))
                .set_description(out.description().map(str::to_string))
                .set_cors_configuration(out.cors_configuration().cloned())
                .set_protocol_type(out.protocol_type().cloned())
                .build(),
        ))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

fn failed_row(id: &str, kind: &'static str, name: &str, region: &str, e: &LookupError) -> ApiRow {
    ApiRow {
        api_id: id.to_string(),
        name: name.to_string(),
        kind,
        region: region.to_string(),
        status: ApiStatus::Failed,
        error: Some(e.to_string()),
        ..ApiRow::default()
    }
}

/// Reads one API and checks it.
async fn audit_api(
    clients: &Clients,
    target: Target,
    options: &AuditOptions,
    probing: Option<&Probing>,
) -> (ApiRow, Vec<AuditFinding>) {
    let stage = options.stage.as_deref();
    let (id, name, kind, loaded) = match &target {
        Target::Rest(r) => {
            let id = r.id().unwrap_or_default().to_string();
            let name = r.name().unwrap_or_default().to_string();
            (id, name, "rest", rest::load_all(clients, r, stage).await)
        }
        Target::Http(a) => {
            let id = a.api_id().unwrap_or_default().to_string();
            let name = a.name().unwrap_or_default().to_string();
            let loaded = http_api::load(clients, &id, Some(http_api::as_output(a)))
                .await
                .map(|(mut api, gaps)| {
                    if let Some(s) = stage {
                        api.stages.retain(|x| x.name == s);
                    }
                    (api, gaps)
                });
            (id, name, "http", loaded)
        }
    };
    let (mut api, gaps): (Api, Vec<ConfigGap>) = match loaded {
        Ok(x) => x,
        Err(e) => {
            return (
                failed_row(&id, kind, &name, &clients.region, &e),
                Vec::new(),
            )
        }
    };
    api.region = Some(clients.region.clone());
    let mut row = ApiRow {
        api_id: id.clone(),
        name: name.clone(),
        kind,
        region: clients.region.clone(),
        stages: api.stages.iter().map(|s| s.name.clone()).collect(),
        routes: api
            .resources
            .iter()
            .flat_map(|r| r.methods.iter())
            .filter(|m| m.http_method != "OPTIONS")
            .count(),
        status: if gaps.is_empty() {
            ApiStatus::Ok
        } else {
            ApiStatus::Partial
        },
        gaps: gaps
            .iter()
            .map(|g| format!("{}: {}", g.what, g.reason))
            .collect(),
        ..ApiRow::default()
    };
    if let Some(s) = stage {
        if api.stages.is_empty() {
            row.routes = 0;
            row.gaps
                .push(format!("no stage '{s}': nothing of this API was checked"));
            return (row, Vec::new());
        }
    }
    // The resource policy and endpoint type, from the listing's item (no call of its own).
    let mut front = Front::default();
    if let Target::Rest(r) = &target {
        match rest::private_api_of(r.policy(), r.endpoint_configuration(), &id, &clients.region) {
            Ok(p) => front.private = p.map(Box::new),
            Err(why) => row.gaps.push(format!("resource policy: {why}")),
        }
    }
    let api = Arc::new(api);
    let rules_options = options.rules.clone();
    let checked = {
        let api = Arc::clone(&api);
        tokio::task::spawn_blocking(move || rules::check(&api, &front, &rules_options)).await
    };
    let found = match checked {
        Ok(f) => f,
        Err(e) => {
            row.status = ApiStatus::Failed;
            row.error = Some(format!("the rules could not run on this API: {e}"));
            return (row, Vec::new());
        }
    };
    let mut findings: Vec<AuditFinding> = found
        .into_iter()
        .map(|f| AuditFinding::from_rule(&id, &name, &clients.region, f))
        .collect();
    let unreachable = probing
        .filter(|p| p.default_invoke_url())
        .and_then(|_| unreachable_by_default(&target));
    if let Some(why) = unreachable {
        row.not_probed = Some(why);
    } else if let Some(probing) = probing {
        let origin = options
            .rules
            .origins
            .first()
            .cloned()
            .unwrap_or_else(|| rules::default_origin(&api));
        let finding = |code, severity, message| AuditFinding {
            api_id: id.clone(),
            api: name.clone(),
            region: clients.region.clone(),
            stage: None,
            path: None,
            method: None,
            code,
            severity,
            step: 3,
            message,
            origin: None,
            routes_affected: None,
            remediation: None,
            probe: None,
        };
        let probed = probe::probe_api(
            probing,
            api,
            &origin,
            &clients.region,
            options.rules.mode,
            finding,
        )
        .await;
        row.probed = Some(probed.sent);
        row.probes_without_preflight = probed.no_preflight;
        findings.extend(probed.findings);
    }
    (row, findings)
}

/// Why the default invoke URL cannot reach an API's stages: its execute-api endpoint is
/// disabled (custom domains only), or it is private (reachable from a VPC endpoint only:
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-apis.html).
fn unreachable_by_default(target: &Target) -> Option<String> {
    use aws_sdk_apigateway::types::EndpointType;
    let (disabled, private) = match target {
        Target::Rest(r) => (
            r.disable_execute_api_endpoint(),
            r.endpoint_configuration()
                .is_some_and(|c| c.types().contains(&EndpointType::Private)),
        ),
        Target::Http(a) => (a.disable_execute_api_endpoint().unwrap_or(false), false),
    };
    if private {
        Some("a private API: its stages answer only through a VPC endpoint (probe from inside the VPC with --invoke-url-template)".to_string())
    } else if disabled {
        Some("its default execute-api endpoint is disabled: point --invoke-url-template at its custom domain".to_string())
    } else {
        None
    }
}

/// The report's `probes`: the preflights sent and what the findings say of them.
fn probe_summary(
    report: &AuditReport,
    probing: &Probing,
    settings: &ProbeSettings,
) -> ProbeSummary {
    let mut s = ProbeSummary {
        invoke_url: settings.invoke_url_template.clone(),
        sent: probing.sent(),
        no_preflight: report
            .apis
            .iter()
            .map(|a| a.probes_without_preflight as u64)
            .sum(),
        ..ProbeSummary::default()
    };
    for f in report.findings.iter().filter(|f| f.probe.is_some()) {
        let n = f.routes_affected.unwrap_or(1) as u64;
        if f.probe.as_ref().is_some_and(|p| p.live.status.is_none()) {
            s.unanswered += n;
        } else {
            s.mismatched += n;
        }
    }
    s
}

/// The progress line on stderr: `audit: 12/50 APIs · 61 AWS calls · 0 throttled`.
struct Progress {
    on: bool,
    total: AtomicUsize,
    done: AtomicUsize,
    limiters: Mutex<Vec<Limiter>>,
    last: Mutex<Option<Instant>>,
}

impl Progress {
    fn new(on: bool) -> Arc<Self> {
        Arc::new(Progress {
            on,
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            limiters: Mutex::default(),
            last: Mutex::default(),
        })
    }

    fn watch(&self, l: Limiter) {
        if let Ok(mut v) = self.limiters.lock() {
            v.push(l);
        }
    }

    fn add(&self, n: usize) {
        self.total.fetch_add(n, Ordering::Relaxed);
        self.draw(true);
    }

    fn done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.draw(false);
    }

    fn draw(&self, force: bool) {
        if !self.on {
            return;
        }
        if let Ok(mut last) = self.last.lock() {
            if !force && last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
                return;
            }
            *last = Some(Instant::now());
        }
        let AuditProgress {
            done,
            total,
            calls,
            throttles,
        } = self.counts();
        const WIDTH: usize = 24;
        let filled = (done * WIDTH).checked_div(total).unwrap_or(0);
        let _ = write!(
            std::io::stderr(),
            "\r\x1b[2Kaudit [{}{}] {done}/{total} APIs · {calls} AWS calls · {throttles} throttled",
            "█".repeat(filled),
            "░".repeat(WIDTH - filled)
        );
    }

    fn counts(&self) -> AuditProgress {
        let (calls, throttles) = self.limiters.lock().map_or((0, 0), |v| {
            v.iter().fold((0, 0), |(c, t), l| {
                (c + l.operations().values().sum::<u64>(), t + l.throttles())
            })
        });
        let done = self.done.load(Ordering::Relaxed);
        AuditProgress {
            done,
            total: self.total.load(Ordering::Relaxed).max(done),
            calls,
            throttles,
        }
    }

    fn finish(&self) {
        if self.on {
            self.draw(true);
            let _ = writeln!(std::io::stderr());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_apigateway::types::{EndpointConfiguration, EndpointType};

    #[test]
    fn private_apis_and_disabled_endpoints_are_not_probed_at_the_default_url() {
        let rest = |types: Vec<EndpointType>, disabled: bool| {
            Target::Rest(
                RestApi::builder()
                    .id("a1")
                    .endpoint_configuration(
                        EndpointConfiguration::builder()
                            .set_types(Some(types))
                            .build(),
                    )
                    .disable_execute_api_endpoint(disabled)
                    .build(),
            )
        };
        assert_eq!(
            unreachable_by_default(&rest(vec![EndpointType::Regional], false)),
            None
        );
        let private = unreachable_by_default(&rest(vec![EndpointType::Private], false)).unwrap();
        assert!(private.contains("private API"), "{private}");
        let disabled = unreachable_by_default(&rest(vec![EndpointType::Edge], true)).unwrap();
        assert!(disabled.contains("disabled"), "{disabled}");
        let http = Target::Http(
            HttpApi::builder()
                .api_id("h1")
                .disable_execute_api_endpoint(true)
                .build(),
        );
        assert!(unreachable_by_default(&http).is_some());
    }
}
