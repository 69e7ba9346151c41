//! The TOML configuration: `--config FILE`, else `$CORS_DOCTOR_CONFIG`, else
//! `$XDG_CONFIG_HOME/cors-doctor/config.toml`. config.example.toml is the commented default.
//! Errors name the file, line and column.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Defaults for the request under diagnosis; command-line flags override them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestDefaults {
    pub origin: Option<String>,
    pub method: Option<String>,
    #[serde(default)]
    pub headers: Vec<String>,
    pub credentials: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// `audit`: control-plane calls per second per account and Region (`--rate`).
    pub audit_rate: Option<u32>,
    /// `audit`: calls allowed at once before the rate applies (`--burst`).
    pub audit_burst: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSettings {
    /// Total time allowed for one request, in seconds.
    pub timeout_secs: Option<f64>,
    pub connect_timeout_secs: Option<f64>,
    /// `spec` or `chrome-today`.
    pub mode: Option<String>,
}

/// How reports show things.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// The flavour fixes are shown in: `cli` (the default), `cloudformation`, `sam`, `cdk` or
    /// `terraform` (`--fix-format` overrides it; the TUI starts with it).
    pub fix_format: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub file: Option<PathBuf>,
    pub level: Option<String>,
}

/// `fix` settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSettings {
    /// Origins a fix may allow besides the one under diagnosis (exact origins; `*` only
    /// with `--allow-any-origin`).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub request: RequestDefaults,
    #[serde(default)]
    pub aws: AwsSettings,
    #[serde(default)]
    pub probe: ProbeSettings,
    #[serde(default)]
    pub log: LogSettings,
    #[serde(default)]
    pub report: ReportSettings,
    #[serde(default)]
    pub fix: FixSettings,
    /// TUI settings (key bindings…), read by the TUI.
    #[serde(default)]
    pub tui: toml::Table,
}

/// Config files larger than this are refused (the commented default is a few KB).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}. Check the path (--config or $CORS_DOCTOR_CONFIG).")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    /// Parses TOML text; `path` is only used for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: secrets_in(text).mask(e.message().trim()),
            }
        })
    }

    /// Loads the explicit file or the one `$CORS_DOCTOR_CONFIG` names (either must exist), or
    /// the default one if it exists.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let from_env = std::env::var_os("CORS_DOCTOR_CONFIG")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        let (path, required) = match (explicit, from_env) {
            (Some(p), _) => (Some(p.to_path_buf()), true),
            (None, Some(p)) => (Some(p), true),
            (None, None) => (default_path(), false),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        match crate::user_file::read_text(&path, MAX_CONFIG_BYTES) {
            Ok(text) => Ok((Config::parse(&text, &path)?, Some(path))),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                Ok((Config::default(), None))
            }
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }
}

/// `$CORS_DOCTOR_CONFIG`, else `$XDG_CONFIG_HOME/cors-doctor/config.toml` (or the platform's
/// config directory).
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CORS_DOCTOR_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::config_dir)?;
    Some(base.join("cors-doctor").join("config.toml"))
}

impl LogSettings {
    /// The `[log] file` setting, a relative path taken from the config file's directory and a
    /// leading `~/` from the home directory.
    pub fn file_from(&self, config_path: Option<&Path>) -> Option<PathBuf> {
        let file = self.file.as_ref()?;
        if let Ok(rest) = file.strip_prefix("~") {
            if let Some(home) = dirs::home_dir() {
                return Some(home.join(rest));
            }
        }
        if file.is_relative() {
            if let Some(dir) = config_path.and_then(Path::parent) {
                return Some(dir.join(file));
            }
        }
        Some(file.clone())
    }
}

/// Secrets a config file's text may hold (header lines in any string), to mask in messages
/// about it: a parse error may quote a value.
fn secrets_in(text: &str) -> crate::redact::Secrets {
    let mut secrets = crate::redact::Secrets::new();
    for line in text.lines().take(100_000) {
        for (i, piece) in line.split(['"', '\'']).enumerate() {
            if i % 2 == 1 {
                secrets.add_header_arg(piece);
                secrets.add_url(piece);
            }
        }
    }
    secrets
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_parses() {
        let text = include_str!("../config.example.toml");
        let c = Config::parse(text, Path::new("config.example.toml")).unwrap();
        assert_eq!(c.request.origin.as_deref(), Some("https://app.example.com"));
    }

    #[test]
    fn the_log_file_is_taken_from_the_config_directory() {
        let log = LogSettings {
            file: Some(PathBuf::from("logs/c.log")),
            level: None,
        };
        assert_eq!(
            log.file_from(Some(Path::new("/etc/cd/config.toml"))),
            Some(PathBuf::from("/etc/cd/logs/c.log"))
        );
        let abs = LogSettings {
            file: Some(PathBuf::from("/var/log/c.log")),
            level: None,
        };
        assert_eq!(
            abs.file_from(Some(Path::new("/etc/cd/config.toml"))),
            Some(PathBuf::from("/var/log/c.log"))
        );
        assert_eq!(LogSettings::default().file_from(None), None);
    }

    #[test]
    fn a_parse_error_never_quotes_a_secret() {
        let text = "[request]\nheaders = \"Authorization: Bearer ConfigCanary123\"\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("ConfigCanary123"), "{err}");
        assert!(err.contains("c.toml:2:"), "{err}");
    }

    #[test]
    fn errors_name_line_and_column() {
        let text = "[request]\norigin = \"https://a.example\"\nmethod = GET\n";
        match Config::parse(text, Path::new("c.toml")) {
            Err(ConfigError::Parse { line, column, .. }) => assert_eq!((line, column), (3, 10)),
            other => panic!("unexpected {other:?}"),
        }
        let text = "[request]\norign = \"x\"\n";
        let err = Config::parse(text, Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("c.toml:2:1"), "{err}");
        assert!(err.contains("orign"), "{err}");
    }
}
