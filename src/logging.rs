//! Logging with tracing: to a file (never to the terminal UI's screen), or to stderr for
//! headless runs when asked. Secrets never reach the log: log lines carry masked values only.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// The default log file: `$XDG_STATE_HOME/cors-doctor/cors-doctor.log` (or the platform's
/// state/cache directory).
pub fn default_log_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(dirs::state_dir)
        .or_else(dirs::cache_dir)?;
    Some(base.join("cors-doctor").join("cors-doctor.log"))
}

/// Installs the global subscriber writing to `file`. Failing to open the log is not fatal:
/// the tool runs without logs and says why on stderr (only in headless mode).
pub fn init(file: Option<&Path>, level: Option<&str>) -> Result<Option<PathBuf>, String> {
    let filter = EnvFilter::try_from_env("CORS_DOCTOR_LOG")
        .or_else(|_| EnvFilter::try_new(level.unwrap_or("info")))
        .map_err(|e| format!("invalid log level: {e}"))?;
    let Some(path) = file.map(Path::to_path_buf).or_else(default_log_file) else {
        return Ok(None);
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create log directory {}: {e}", dir.display()))?;
    }
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("cannot open log file {}: {e}", path.display()))?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(f))
        .try_init();
    Ok(Some(path))
}
