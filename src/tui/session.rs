//! The last target, remembered between sessions in `$XDG_STATE_HOME/cors-doctor/last.toml`.
//! Secret header values are never written: only their names are kept, so the form shows
//! `Authorization: ` for the user to fill in again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::form::Prefill;
use crate::config::Config;
use crate::plan::TargetArgs;
use crate::redact;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LastTarget {
    pub url: Option<String>,
    pub origin: Option<String>,
    pub method: Option<String>,
    pub headers: Vec<String>,
    pub credentials: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    pub path: Option<String>,
    /// The OpenAPI export's path.
    pub openapi: Option<String>,
    /// The user has opened learn mode once: the "New to CORS? press l" hint is not shown
    /// again.
    pub learn_seen: bool,
}

/// `$XDG_STATE_HOME/cors-doctor/last.toml` (or the platform's state/cache directory).
pub fn default_path() -> Option<PathBuf> {
    crate::logging::default_log_file().and_then(|log| log.parent().map(|d| d.join("last.toml")))
}

/// A header entry with a secret value reduced to its name.
fn strip_secret(entry: &str) -> String {
    match entry.split_once(':') {
        Some((name, value)) => {
            let value = value.trim();
            if redact::header_value(name.trim(), value) != value {
                format!("{}: ", name.trim())
            } else {
                format!("{}: {value}", name.trim())
            }
        }
        // Not `Name: value`: kept only when its first word is not a secret header's name.
        None => match entry.split_whitespace().next() {
            Some(first) if redact::header_value(first, "x") != "x" => format!("{first}: "),
            _ => entry.to_string(),
        },
    }
}

impl LastTarget {
    /// What is kept of the arguments: the URL without user info or secret parameter values,
    /// secret header values dropped, then every secret value the arguments hold masked
    /// wherever else it appears.
    pub fn from_args(args: &TargetArgs) -> Self {
        let last = LastTarget {
            url: args.url.as_deref().map(redact::url_without_secrets),
            origin: args.origin.clone(),
            method: args.method.clone(),
            headers: args.headers.iter().map(|h| strip_secret(h)).collect(),
            credentials: args.credentials.clone(),
            profile: args.profile.clone(),
            region: args.region.clone(),
            api_id: args.api_id.clone(),
            stage: args.stage.clone(),
            path: args.path.clone(),
            openapi: args.openapi.as_ref().map(|p| p.display().to_string()),
            learn_seen: false,
        };
        let mut secrets = args.secrets(&Config::default());
        secrets.extend(&redact::known_secrets());
        secrets.masked(&last).unwrap_or_default()
    }

    /// Missing or unreadable files give an empty session (a log line says why).
    pub fn load(path: &Path) -> LastTarget {
        // Bounded, regular files only: a FIFO or device here must not hang the start.
        match crate::user_file::read_text(path, 64 * 1024) {
            Ok(text) => toml::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "ignoring the last session");
                LastTarget::default()
            }),
            Err(_) => LastTarget::default(),
        }
    }

    /// Remembers in the session file at `path` that learn mode was opened (the rest of the
    /// file is kept; read bounded, like every load).
    pub fn remember_learn_seen(path: &Path) -> Result<(), SessionError> {
        let mut last = LastTarget::load(path);
        last.learn_seen = true;
        last.save(path)
    }

    pub fn save(&self, path: &Path) -> Result<(), SessionError> {
        let text = toml::to_string(self).map_err(|e| SessionError::Encode(e.to_string()))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SessionError::Io {
                path: dir.to_path_buf(),
                source: e,
            })?;
        }
        std::fs::write(path, text).map_err(|e| SessionError::Io {
            path: path.to_path_buf(),
            source: e,
        })
    }
}

/// Why the session file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The last target could not be encoded as TOML.
    #[error("{0}")]
    Encode(String),
    /// The file or its directory could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// The form's starting values: the last session over the config's defaults. A secret header
/// whose value was not saved takes its value from the config when the config names it.
pub fn prefill(config: &Config, last: &LastTarget) -> Prefill {
    let r = &config.request;
    let headers = if last.headers.is_empty() {
        r.headers.clone()
    } else {
        last.headers
            .iter()
            .map(|h| match h.split_once(':') {
                Some((name, value)) if value.trim().is_empty() => r
                    .headers
                    .iter()
                    .find(|c| {
                        c.split_once(':')
                            .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name.trim()))
                    })
                    .cloned()
                    .unwrap_or_else(|| h.clone()),
                _ => h.clone(),
            })
            .collect()
    };
    Prefill {
        url: last.url.clone(),
        origin: last.origin.clone().or_else(|| r.origin.clone()),
        method: last.method.clone().or_else(|| r.method.clone()),
        headers,
        credentials: last.credentials.clone().or_else(|| r.credentials.clone()),
        profile: last.profile.clone().or_else(|| config.aws.profile.clone()),
        region: last.region.clone().or_else(|| config.aws.region.clone()),
        api_id: last.api_id.clone(),
        stage: last.stage.clone(),
        path: last.path.clone(),
        openapi: last.openapi.clone(),
        // Never saved: they belong to one template.
        parameters: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_saved_and_come_back_from_the_config() {
        let args = TargetArgs {
            url: Some("https://x.example/a?token=abc".into()),
            origin: Some("https://app.example".into()),
            headers: vec!["Authorization: Bearer abc.def".into(), "X-Trace: 1".into()],
            ..TargetArgs::default()
        };
        let last = LastTarget::from_args(&args);
        assert_eq!(last.headers, vec!["Authorization: ", "X-Trace: 1"]);
        assert!(!last.url.as_deref().unwrap_or_default().contains("abc"));

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s").join("last.toml");
        last.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("abc.def"), "{text}");
        assert_eq!(LastTarget::load(&path), last);

        let mut config = Config::default();
        config.request.headers = vec!["authorization: Bearer from-config".into()];
        config.request.origin = Some("https://other.example".into());
        let p = prefill(&config, &last);
        assert_eq!(
            p.headers,
            vec!["authorization: Bearer from-config", "X-Trace: 1"]
        );
        assert_eq!(p.origin.as_deref(), Some("https://app.example"));

        // Opening learn mode is remembered in the same file, the target kept.
        assert!(!LastTarget::load(&path).learn_seen);
        LastTarget::remember_learn_seen(&path).unwrap();
        let again = LastTarget::load(&path);
        assert!(again.learn_seen);
        assert_eq!(again.headers, last.headers);
        // And in a session that did not exist yet.
        let fresh = dir.path().join("new").join("last.toml");
        LastTarget::remember_learn_seen(&fresh).unwrap();
        assert!(LastTarget::load(&fresh).learn_seen);
    }
}
