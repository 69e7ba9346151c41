//! The undo file: written before the first write of a fix, it holds, for each call, the calls
//! that put back what was there before (read just before), and how far the apply got.
//! `cors-doctor fix --undo FILE` replays the restores of the calls that were made (or
//! attempted), newest first, the deployment last.
//!
//! Where: `$XDG_STATE_HOME/cors-doctor/undo/` (else `~/.local/state/cors-doctor/undo/`),
//! mode 0600 in a 0700 directory. What: only the values a fix changes (authorization
//! settings, CORS header mappings, an HTTP API's cors_configuration, route authorization, the
//! deployment a stage served) — never an integration, a template, a key or a credential;
//! a file that would hold a value the process knows to be secret is not written.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::calls::Call;
use crate::gateway::model::ApiKind;

pub const SCHEMA: &str = "cors-doctor/undo/v1";
/// Undo files are small; anything bigger is not one.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    /// Not sent.
    Pending,
    /// Sent, answer not recorded (the process stopped): undone tolerantly.
    Attempted,
    Done,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoStep {
    pub call: Call,
    /// The calls that put back what `call` changes, in order.
    pub restore: Vec<Call>,
    pub state: StepState,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoFile {
    pub schema: String,
    /// UTC, `2026-11-30T19:27:27Z`.
    pub created: String,
    pub kind: ApiKind,
    pub api_id: String,
    pub region: String,
    pub stage: Option<String>,
    pub steps: Vec<UndoStep>,
    /// Set once `fix --undo` restored it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone: Option<String>,
}

/// Why an undo file cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("cannot write the undo file {path}: {why}. Nothing was changed; check that the directory is writable (or set XDG_STATE_HOME)")]
    Write { path: PathBuf, why: String },
    #[error("cannot read the undo file {path}: {why}")]
    Read { path: PathBuf, why: String },
    #[error("{path} is not a cors-doctor undo file ({why})")]
    Format { path: PathBuf, why: String },
    #[error("no directory for undo files: set XDG_STATE_HOME or HOME")]
    NoDir,
    #[error("the undo file would hold a value known to be secret; nothing was written or changed")]
    Secret,
}

/// `$XDG_STATE_HOME/cors-doctor/undo` (else `~/.local/state/cors-doctor/undo`).
pub fn dir() -> Result<PathBuf, UndoError> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".local").join("state")))
        .ok_or(UndoError::NoDir)?;
    Ok(base.join("cors-doctor").join("undo"))
}

/// UTC now as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl UndoFile {
    /// A new file's path in [`dir`]: `20261130T192727Z-abc123.json` (a counter when taken).
    pub fn new_path(&self) -> Result<PathBuf, UndoError> {
        let dir = dir()?;
        let stamp: String = self
            .created
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let id: String = self
            .api_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(32)
            .collect();
        for n in 0..1000 {
            let name = if n == 0 {
                format!("{stamp}-{id}.json")
            } else {
                format!("{stamp}-{id}-{n}.json")
            };
            let p = dir.join(name);
            if !p.exists() {
                return Ok(p);
            }
        }
        Err(UndoError::Write {
            path: dir,
            why: "too many undo files for this second".into(),
        })
    }

    /// Writes the file (0600, directory 0700), replacing it atomically when it exists.
    pub fn save(&self, path: &Path) -> Result<(), UndoError> {
        let fail = |why: String| UndoError::Write {
            path: path.to_path_buf(),
            why,
        };
        let text = serde_json::to_string_pretty(self).map_err(|e| fail(e.to_string()))?;
        if crate::redact::known(&text) != text {
            return Err(UndoError::Secret);
        }
        if let Some(parent) = path.parent() {
            create_private_dir(parent).map_err(|e| fail(e.to_string()))?;
        }
        let tmp = path.with_extension("json.tmp");
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(|e| fail(e.to_string()))?;
        f.write_all(text.as_bytes())
            .and_then(|()| f.write_all(b"\n"))
            .and_then(|()| f.sync_all())
            .map_err(|e| fail(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string()))
    }

    pub fn load(path: &Path) -> Result<UndoFile, UndoError> {
        let text = crate::user_file::read_text(path, MAX_BYTES).map_err(|e| UndoError::Read {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
        let file: UndoFile = serde_json::from_str(&text).map_err(|e| UndoError::Format {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
        if file.schema != SCHEMA {
            return Err(UndoError::Format {
                path: path.to_path_buf(),
                why: format!("schema {}, expected {SCHEMA}", file.schema),
            });
        }
        Ok(file)
    }

    /// The restores to replay, in order: for each step that was made or attempted, newest
    /// first, the deployments' restores last. The flag says the step was only attempted
    /// (a restore that finds nothing to restore is then fine).
    pub fn restores(&self) -> Vec<(Call, bool)> {
        let mut out = Vec::new();
        let mut deploys = Vec::new();
        for step in self.steps.iter().rev() {
            let tolerant = match step.state {
                StepState::Done => false,
                StepState::Attempted | StepState::Failed => true,
                StepState::Pending => continue,
            };
            for r in &step.restore {
                if step.call.deploys() {
                    deploys.push((r.clone(), tolerant));
                } else {
                    out.push((r.clone(), tolerant));
                }
            }
        }
        out.extend(deploys);
        out
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        let now = now_utc();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
    }

    #[test]
    fn restores_newest_first_deployment_last_pending_skipped() {
        let at = super::super::calls::MethodAt {
            resource_id: "r".into(),
            path: "/a".into(),
            http_method: "OPTIONS".into(),
        };
        let step = |call: Call, restore: Call, state| UndoStep {
            call,
            restore: vec![restore],
            state,
        };
        let f = UndoFile {
            schema: SCHEMA.into(),
            created: now_utc(),
            kind: ApiKind::Rest,
            api_id: "a".into(),
            region: "us-east-1".into(),
            stage: Some("prod".into()),
            steps: vec![
                step(
                    Call::PutMethod { at: at.clone() },
                    Call::DeleteMethod { at: at.clone() },
                    StepState::Done,
                ),
                step(
                    Call::CreateDeployment {
                        stage: "prod".into(),
                    },
                    Call::RestoreStageDeployment {
                        stage: "prod".into(),
                        deployment_id: "d1".into(),
                    },
                    StepState::Done,
                ),
                step(
                    Call::PutMockIntegration {
                        at: at.clone(),
                        status: "200".into(),
                    },
                    Call::DeleteIntegration { at: at.clone() },
                    StepState::Attempted,
                ),
                step(
                    Call::DeleteGatewayResponse {
                        response_type: "DEFAULT_4XX".into(),
                    },
                    Call::DeleteGatewayResponse {
                        response_type: "X".into(),
                    },
                    StepState::Pending,
                ),
            ],
            undone: None,
        };
        let r = f.restores();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], (Call::DeleteIntegration { at: at.clone() }, true));
        assert_eq!(r[1], (Call::DeleteMethod { at }, false));
        assert!(r[2].0.deploys());
    }
}
