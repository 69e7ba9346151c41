//! Applying fixes: [`ChangeSet`]s become control-plane writes through the SDK
//! (`cors-doctor fix --yes`), with an undo file written before the first write.
//!
//! 1. [`prepare`] checks every change against the guard rails ([`guard`]), reads the current
//!    value of everything the sets touch ([`read`]), and plans the calls: only what differs is
//!    written (a header already declared is not declared again; two findings asking for the
//!    same header make one call), each call with the calls that restore what it changes. A
//!    refusal or a read that fails stops here: nothing was written.
//! 2. [`apply`] saves the undo file ([`mod@undo`]), then makes the calls in order, recording each
//!    one's state in the file before and after it is sent; the first error stops the apply
//!    (the calls made are reported, and the undo file restores them).
//! 3. [`undo`](fn@undo) replays an undo file's restores.
//!
//! Deployments: a REST stage serves a deployment, so the fix ends with `create-deployment`;
//! its undo points the stage back at the deployment it served before (exactly what was
//! served, even when the working copy had other undeployed changes). An HTTP API stage with
//! automatic deployment deploys each change by itself; one without gets `create-deployment`,
//! whose undo deploys the restored configuration
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html>).
//!
//! Choices the documentation leaves open:
//! - A MOCK integration is only created on an `OPTIONS` method that has none: an existing
//!   integration is never replaced (its undo would have to hold its whole definition, which
//!   may carry credentials).
//! - An `OPTIONS` method, method response, integration response or route that a fix created
//!   is deleted by the undo; a gateway response type that was not customized is reset to
//!   API Gateway's default (`delete-gateway-response`).
//! - A REST fix's closing deployment ships the whole working copy: it is refused when the
//!   working copy loosens a non-OPTIONS method that the stage's deployment protects (compared
//!   through the deployment's `apiSummary`). An HTTP API's deployment has no such summary, so
//!   for a stage without automatic deployment this check is not made (a known gap: the
//!   undeployed routes' authorization cannot be read as deployed).

pub mod calls;
pub mod guard;
mod plan;
pub mod read;
pub mod undo;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use calls::{Call, CallError, MethodAt, Patch};
pub use guard::Policy;
pub use undo::{StepState, UndoError, UndoFile, UndoStep};

use super::sdk::Clients;
use crate::gateway::change::{Change, ChangeSet};
use crate::gateway::model::ApiKind;
use plan::{plan_change, Planned, World};

/// One planned call, with the finding it fixes and the calls that undo it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub call: Call,
    pub restore: Vec<Call>,
    /// The finding code the change came from (`OPTIONS_MISSING`), when known.
    pub finding: Option<String>,
}

/// A ChangeSet with the finding it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposed {
    pub finding: Option<String>,
    pub set: ChangeSet,
}

/// What `prepare` needs besides the sets.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// The API id the diagnosis used (when a set does not name one).
    pub api_id: Option<String>,
    /// The stage (when a `Deploy` change does not name one).
    pub stage: Option<String>,
    pub policy: Policy,
    /// `--force`: apply to an API that CloudFormation or Terraform manages.
    pub force: bool,
}

/// The calls a fix makes, ready to apply.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub kind: ApiKind,
    pub api_id: String,
    pub region: String,
    pub stage: Option<String>,
    pub steps: Vec<Step>,
    /// Changes that need no call (already so), in words.
    pub unchanged: Vec<String>,
    /// Which tool manages the API, when its tags say so (`--force` was given, or this is
    /// only a dry run).
    pub managed_by: Option<String>,
}

impl Prepared {
    /// The IAM actions the fix needs (reads included), one line each: `apigateway:PUT on arn…`.
    pub fn permissions(&self) -> Vec<String> {
        let mut set: BTreeSet<String> = BTreeSet::new();
        let base = match self.kind {
            ApiKind::Rest => format!(
                "arn:aws:apigateway:{}::/restapis/{}",
                self.region, self.api_id
            ),
            ApiKind::Http => format!("arn:aws:apigateway:{}::/apis/{}", self.region, self.api_id),
        };
        set.insert(format!(
            "apigateway:GET on {base} and {base}/* (the reads before the writes)"
        ));
        for s in &self.steps {
            for call in std::iter::once(&s.call).chain(s.restore.iter()) {
                let (action, arn) = call.permission(&self.api_id, &self.region);
                set.insert(format!("{action} on {arn}"));
            }
        }
        set.into_iter().collect()
    }
}

/// Why a fix cannot be applied (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrepareError {
    #[error("refusing to apply:\n{}", .0.iter().map(|r| format!("  - {r}")).collect::<Vec<_>>().join("\n"))]
    Refused(Vec<String>),
    #[error("refusing to apply: {}", guard::iac_advice(.0))]
    Managed(String),
    #[error("{0}")]
    Other(String),
}

/// Checks and plans the calls of `sets` (see the module docs). Reads only.
pub async fn prepare(
    c: &Clients,
    sets: &[Proposed],
    ctx: &Context,
) -> Result<Prepared, PrepareError> {
    let plain: Vec<ChangeSet> = sets.iter().map(|p| p.set.clone()).collect();
    let refusals = guard::check_changes(&plain, &ctx.policy);
    if !refusals.is_empty() {
        return Err(PrepareError::Refused(refusals));
    }
    let Some(first) = sets.first() else {
        return Err(PrepareError::Other(
            "no finding proposes a change: nothing to apply".into(),
        ));
    };
    let kind = first.set.api.kind;
    let api_id = first
        .set
        .api
        .id
        .clone()
        .or_else(|| ctx.api_id.clone())
        .ok_or_else(|| {
            PrepareError::Other(
                "the API's id is not known: pass --api-id (or an execute-api URL)".into(),
            )
        })?;
    for p in sets {
        if p.set.api.kind != kind || p.set.api.id.as_ref().is_some_and(|i| *i != api_id) {
            return Err(PrepareError::Other(
                "the proposed changes name different APIs; fix one API at a time".into(),
            ));
        }
    }
    let tags = match kind {
        ApiKind::Rest => read::rest_tags(c, &api_id).await,
        ApiKind::Http => read::http_api(c, &api_id).await.map(|(t, _)| t),
    }
    .map_err(PrepareError::Other)?;
    let managed_by = guard::managed_by(&tags);
    if let (Some(why), false) = (&managed_by, ctx.force) {
        return Err(PrepareError::Managed(why.clone()));
    }
    let mut world = World::default();
    let mut steps = Vec::new();
    let mut unchanged = Vec::new();
    let mut deploy_stage: Option<Option<String>> = None;
    let mut refusals = Vec::new();
    for p in sets {
        for change in &p.set.changes {
            if let Change::Deploy { stage } = change {
                deploy_stage = Some(stage.clone().or_else(|| deploy_stage.clone().flatten()));
                continue;
            }
            let planned = plan_change(c, &api_id, change, &ctx.policy, &mut world, &mut refusals)
                .await
                .map_err(PrepareError::Other)?;
            match planned {
                Planned::Calls(calls) => {
                    steps.extend(calls.into_iter().map(|(call, restore)| Step {
                        call,
                        restore,
                        finding: p.finding.clone(),
                    }))
                }
                Planned::Unchanged(why) => unchanged.push(why),
            }
        }
    }
    if !refusals.is_empty() {
        return Err(PrepareError::Refused(refusals));
    }
    let stage = deploy_stage.clone().flatten().or_else(|| ctx.stage.clone());
    if deploy_stage.is_some() || !steps.is_empty() {
        let Some(stage) = stage.clone() else {
            return Err(PrepareError::Other(
                "the stage to deploy is not known: pass --stage".into(),
            ));
        };
        if !steps.is_empty() {
            match kind {
                ApiKind::Rest => {
                    let loosened = read::rest_deploy_loosening(c, &api_id, &stage)
                        .await
                        .map_err(PrepareError::Other)?;
                    if !loosened.is_empty() {
                        return Err(PrepareError::Refused(vec![format!(
                            "the fix ends with a deployment of the working copy to stage {stage}, which holds changes not deployed yet that loosen access: {}. Deploy or revert those changes first (cors-doctor never loosens authorization on a non-OPTIONS method)",
                            loosened.join("; ")
                        )]));
                    }
                    let prior = read::rest_stage_deployment(c, &api_id, &stage)
                        .await
                        .map_err(PrepareError::Other)?;
                    steps.push(Step {
                        call: Call::CreateDeployment {
                            stage: stage.clone(),
                        },
                        restore: prior
                            .map(|deployment_id| Call::RestoreStageDeployment {
                                stage: stage.clone(),
                                deployment_id,
                            })
                            .into_iter()
                            .collect(),
                        finding: None,
                    });
                }
                ApiKind::Http => {
                    let auto = read::http_stage_auto_deploy(c, &api_id, &stage)
                        .await
                        .map_err(PrepareError::Other)?;
                    if auto {
                        unchanged.push(format!(
                            "stage {stage} deploys every change by itself (automatic deployment): no create-deployment"
                        ));
                    } else {
                        steps.push(Step {
                            call: Call::CreateHttpDeployment {
                                stage: stage.clone(),
                            },
                            restore: vec![Call::CreateHttpDeployment {
                                stage: stage.clone(),
                            }],
                            finding: None,
                        });
                    }
                }
            }
        }
    }
    Ok(Prepared {
        kind,
        api_id,
        region: c.region.clone(),
        stage,
        steps,
        unchanged,
        managed_by,
    })
}

/// What happened to one call of an apply or an undo, as it happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Started {
        index: usize,
        command: String,
    },
    Done {
        index: usize,
    },
    /// Undo only: nothing was there to restore (a step that was only attempted).
    Skipped {
        index: usize,
        why: String,
    },
    Failed {
        index: usize,
        error: String,
    },
}

/// How an apply ended.
#[derive(Clone, Debug)]
pub struct Applied {
    pub undo_file: PathBuf,
    /// Commands made, in order.
    pub done: Vec<String>,
    /// The call that failed and why (the apply stopped there).
    pub failed: Option<(String, CallError)>,
    /// Commands not made.
    pub not_done: Vec<String>,
}

/// Saves the undo file, then makes the calls in order (see the module docs). `Err`: the
/// undo file could not be written, and nothing was changed.
pub async fn apply(
    c: &Clients,
    prepared: &Prepared,
    undo_path: Option<PathBuf>,
    mut progress: impl FnMut(Progress),
) -> Result<Applied, UndoError> {
    let mut file = UndoFile {
        schema: undo::SCHEMA.to_string(),
        created: undo::now_utc(),
        kind: prepared.kind,
        api_id: prepared.api_id.clone(),
        region: prepared.region.clone(),
        stage: prepared.stage.clone(),
        steps: prepared
            .steps
            .iter()
            .map(|s| UndoStep {
                call: s.call.clone(),
                restore: s.restore.clone(),
                state: StepState::Pending,
            })
            .collect(),
        undone: None,
    };
    let path = match undo_path {
        Some(p) => p,
        None => file.new_path()?,
    };
    file.save(&path)?;
    let command = |call: &Call| call.command(&prepared.api_id, &prepared.region);
    let mut out = Applied {
        undo_file: path.clone(),
        done: Vec::new(),
        failed: None,
        not_done: Vec::new(),
    };
    for index in 0..file.steps.len() {
        let call = file.steps[index].call.clone();
        if out.failed.is_some() {
            out.not_done.push(command(&call));
            continue;
        }
        file.steps[index].state = StepState::Attempted;
        if let Err(e) = file.save(&path) {
            // Not recorded: stop before the call, so the file stays true.
            file.steps[index].state = StepState::Pending;
            out.failed = Some((
                command(&call),
                CallError {
                    message: e.to_string(),
                    denied: false,
                    not_found: false,
                },
            ));
            out.not_done.push(command(&call));
            continue;
        }
        progress(Progress::Started {
            index,
            command: command(&call),
        });
        match call.send(c, &prepared.api_id).await {
            Ok(()) => {
                file.steps[index].state = StepState::Done;
                progress(Progress::Done { index });
                out.done.push(command(&call));
            }
            Err(e) => {
                file.steps[index].state = StepState::Failed;
                progress(Progress::Failed {
                    index,
                    error: e.message.clone(),
                });
                out.failed = Some((command(&call), e));
            }
        }
        // Best effort: "attempted" already makes the undo replay this step's restore.
        let _ = file.save(&path);
    }
    Ok(out)
}

/// How an undo ended.
#[derive(Clone, Debug, Default)]
pub struct Undone {
    pub done: Vec<String>,
    pub skipped: Vec<String>,
    pub failed: Option<(String, CallError)>,
    pub not_done: Vec<String>,
}

/// Replays the restores of `file` (see [`UndoFile::restores`]); stops at the first error.
/// On success, the file is marked undone.
pub async fn undo(
    c: &Clients,
    path: &Path,
    file: &mut UndoFile,
    mut progress: impl FnMut(Progress),
) -> Undone {
    let mut out = Undone::default();
    for (index, (call, tolerant)) in file.restores().into_iter().enumerate() {
        let command = call.command(&file.api_id, &file.region);
        if out.failed.is_some() {
            out.not_done.push(command);
            continue;
        }
        progress(Progress::Started {
            index,
            command: command.clone(),
        });
        match call.send(c, &file.api_id).await {
            Ok(()) => {
                progress(Progress::Done { index });
                out.done.push(command);
            }
            Err(e) if e.not_found && (tolerant || call.deletes()) => {
                let why = format!("nothing to restore ({})", e.message);
                progress(Progress::Skipped {
                    index,
                    why: why.clone(),
                });
                out.skipped.push(command);
            }
            Err(e) => {
                progress(Progress::Failed {
                    index,
                    error: e.message.clone(),
                });
                out.failed = Some((command, e));
            }
        }
    }
    if out.failed.is_none() {
        file.undone = Some(undo::now_utc());
        let _ = file.save(path);
    }
    out
}

/// The restores an undo would replay, as commands (the dry run of `fix --undo`).
pub fn undo_commands(file: &UndoFile) -> Vec<String> {
    file.restores()
        .into_iter()
        .map(|(call, _)| call.command(&file.api_id, &file.region))
        .collect()
}
