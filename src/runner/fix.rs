//! `fix`: from a diagnosis to applied changes and back (issue 14). The one path for the
//! command line (`cors-doctor fix`) and the TUI (key `a`):
//! 1. [`diagnose`]: the run `check` makes (the SDK source: `fix` needs the live
//!    configuration and writes through the same clients);
//! 2. [`proposals`]: the change sets the report's remediations carry;
//! 3. [`prepare`]: the guard rails and the reads (`aws::write::prepare`): the calls, the IAM
//!    actions, nothing written;
//! 4. [`apply`]: the undo file, then the writes;
//! 5. [`verify`]: the diagnosis again (re-probing a live URL, else re-reading the
//!    configuration and predicting), every [`VERIFY_EVERY`] until the browser's verdict
//!    is allowed or the deadline passes (a deployment takes seconds to reach every edge);
//!
//! And [`undo`] for `fix --undo FILE`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::aws::sdk::{Clients, SdkOptions, SdkSource};
use crate::aws::write::{
    self, Applied, Context, Policy, PrepareError, Prepared, Progress, Proposed, UndoFile, Undone,
};
use crate::aws::{ConfigSource, SourceChoice};
use crate::cors::Outcome;
use crate::gateway::change::ChangeSet;
use crate::plan::Plan;
use crate::report::Report;

use super::RunError;

/// How often [`verify`] diagnoses again.
pub const VERIFY_EVERY: Duration = Duration::from_secs(2);

/// What the user allowed (`--force`, `--allow-any-origin`, `[fix] allowed_origins`).
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    pub force: bool,
    pub allow_any_origin: bool,
    pub allowed_origins: Vec<String>,
}

/// Why a fix could not be prepared, applied or undone.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error(transparent)]
    Run(#[from] RunError),
    /// `fix` reads and writes through the AWS SDK.
    #[error("fix changes the API through the AWS SDK: {0}")]
    NotSdk(String),
    #[error("cannot set up the AWS SDK: {0}")]
    Setup(String),
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    #[error(transparent)]
    Undo(#[from] write::UndoError),
}

/// A diagnosis for `fix`: the plan's SDK source, its clients, and the report.
pub struct Diagnosed {
    pub report: Report,
    pub clients: Clients,
}

/// The clients of the SDK source the plan names (`Err` when it names another source).
fn sdk_options(plan: &Plan) -> Result<SdkOptions, FixError> {
    match crate::aws::resolve(plan).source {
        SourceChoice::Sdk(options) => Ok(*options),
        SourceChoice::OpenApi { .. } => Err(FixError::NotSdk(
            "an --openapi file cannot be changed; name the API with an execute-api URL or --api-id (and --stage)".into(),
        )),
        SourceChoice::Template { .. } => Err(FixError::NotSdk(
            "a --template is changed in your editor, not through the control plane (the finding's remediation shows the change); to change the deployed API, name it with an execute-api URL or --api-id (and --stage)".into(),
        )),
        SourceChoice::Scenario(_) => Err(FixError::NotSdk(
            "a demo scenario has no control plane to change".into(),
        )),
        SourceChoice::None { reason } => Err(FixError::NotSdk(format!(
            "{reason}; name the API with an execute-api URL or --api-id (and --stage)"
        ))),
    }
}

/// Builds the SDK clients for `options` (reads config files; no network).
pub async fn clients(options: SdkOptions) -> Result<Clients, FixError> {
    let source = SdkSource::new(options);
    source
        .check_credentials()
        .await
        .map_err(|e| FixError::Setup(e.0))?;
    source
        .clients()
        .await
        .cloned()
        .map_err(|e| FixError::Setup(e.0))
}

/// Diagnoses `plan` through the SDK as `check` does (one deadline: `plan.timeout`).
pub async fn diagnose(plan: &Plan) -> Result<Diagnosed, FixError> {
    let options = sdk_options(plan)?;
    let source: Arc<dyn ConfigSource> = Arc::new(SdkSource::new(options.clone()));
    let deadline = Instant::now() + plan.timeout;
    let (report, _) = super::run_until(plan, Some(source), None, deadline).await?;
    if let Some(why) = &report.api.config_unavailable {
        return Err(FixError::NotSdk(format!(
            "the API's configuration could not be read ({why})"
        )));
    }
    let clients = clients(options).await?;
    Ok(Diagnosed { report, clients })
}

/// The change sets the report's findings carry (`remediation.change_set`), most specific
/// cause first, as the report orders them.
pub fn proposals(report: &Report) -> Vec<Proposed> {
    report
        .steps
        .iter()
        .flat_map(|s| s.findings.iter())
        .filter_map(|f| {
            let value = serde_json::to_value(f.remediation.as_ref()?).ok()?;
            let set: ChangeSet = serde_json::from_value(value.get("change_set")?.clone()).ok()?;
            (!set.changes.is_empty()).then(|| Proposed {
                finding: Some(f.code.as_str().to_string()),
                set,
            })
        })
        .collect()
}

/// The guard rails and the reads: the calls `fix --yes` would make.
pub async fn prepare(
    plan: &Plan,
    diagnosed: &Diagnosed,
    sets: &[Proposed],
    options: &FixOptions,
) -> Result<Prepared, FixError> {
    let report = &diagnosed.report;
    let ctx = Context {
        api_id: report.api.id.clone().or_else(|| plan.api_id.clone()),
        stage: plan.stage.clone().or_else(|| report.api.stage.clone()),
        policy: Policy {
            origin: plan.target.origin.clone(),
            allowed_origins: options.allowed_origins.clone(),
            allow_any_origin: options.allow_any_origin,
            credentials: plan.target.credentials == crate::target::CredentialsMode::Include,
        },
        force: options.force,
    };
    Ok(write::prepare(&diagnosed.clients, sets, &ctx).await?)
}

/// Saves the undo file and makes the calls (see `aws::write::apply`).
pub async fn apply(
    clients: &Clients,
    prepared: &Prepared,
    undo_path: Option<PathBuf>,
    progress: impl FnMut(Progress),
) -> Result<Applied, FixError> {
    Ok(write::apply(clients, prepared, undo_path, progress).await?)
}

/// Diagnoses `plan` again until the browser's verdict is allowed or `deadline` passes;
/// `attempt` is told of each report. Returns the last report.
pub async fn verify(
    plan: &Plan,
    deadline: Instant,
    mut attempt: impl FnMut(u32, &Report),
) -> Result<Report, FixError> {
    let options = sdk_options(plan)?;
    let mut n = 0;
    loop {
        n += 1;
        let source: Arc<dyn ConfigSource> = Arc::new(SdkSource::new(options.clone()));
        let run_deadline = (Instant::now() + plan.timeout)
            .min(deadline.max(Instant::now() + Duration::from_secs(1)));
        let (report, _) = super::run_until(plan, Some(source), None, run_deadline).await?;
        attempt(n, &report);
        let allowed = report.browser.outcome == Outcome::Allowed;
        if allowed || Instant::now() + VERIFY_EVERY > deadline {
            return Ok(report);
        }
        tokio::time::sleep(VERIFY_EVERY).await;
    }
}

/// The SDK options of `fix --undo`: the profile, region and endpoint given, the region the
/// file names otherwise.
pub fn undo_options(file: &UndoFile, plan_aws: &crate::plan::AwsArgs) -> SdkOptions {
    SdkOptions {
        profile: plan_aws.profile.clone(),
        region: plan_aws
            .region
            .clone()
            .or_else(|| Some(file.region.clone())),
        endpoint_url: plan_aws.endpoint_url.clone(),
        ..SdkOptions::default()
    }
}

/// Replays an undo file (see `aws::write::undo`).
pub async fn undo(
    clients: &Clients,
    path: &Path,
    file: &mut UndoFile,
    progress: impl FnMut(Progress),
) -> Undone {
    write::undo(clients, path, file, progress).await
}

/// A fix prepared for a front end that holds its plan sealed (the TUI): the clients, the
/// calls, and the plan to verify with.
pub struct Ready {
    clients: Clients,
    prepared: Prepared,
    plan: super::SealedPlan,
}

impl Ready {
    pub fn prepared(&self) -> &Prepared {
        &self.prepared
    }

    /// Text of the prepared fix, masked with the plan's secrets.
    pub fn mask(&self, text: &str) -> String {
        self.plan.mask(text)
    }

    /// Whether the plan probes a live URL (else the verification predicts).
    pub fn live(&self) -> bool {
        self.plan.shown().live
    }
}

/// Why there is nothing to prepare.
pub const NOTHING_PROPOSED: &str =
    "No finding proposes a change cors-doctor can apply; the diagnosis says what to do by hand.";

/// [`diagnose`], [`proposals`] and [`prepare`] for a sealed plan.
pub async fn prepare_sealed(
    plan: &super::SealedPlan,
    options: &FixOptions,
) -> Result<Ready, FixError> {
    let raw = plan.raw();
    let diagnosed = diagnose(raw).await?;
    let sets = proposals(&diagnosed.report);
    if sets.is_empty() {
        return Err(FixError::NotSdk(NOTHING_PROPOSED.into()));
    }
    let prepared = prepare(raw, &diagnosed, &sets, options).await?;
    Ok(Ready {
        clients: diagnosed.clients,
        prepared,
        plan: plan.clone(),
    })
}

/// [`apply`] of a [`Ready`] fix (a new undo file).
pub async fn apply_ready(
    ready: &Ready,
    progress: impl FnMut(Progress),
) -> Result<Applied, FixError> {
    apply(&ready.clients, &ready.prepared, None, progress).await
}

/// [`verify`] of a [`Ready`] fix's plan.
pub async fn verify_ready(
    ready: &Ready,
    deadline: Instant,
    attempt: impl FnMut(u32, &Report),
) -> Result<Report, FixError> {
    verify(ready.plan.raw(), deadline, attempt).await
}
