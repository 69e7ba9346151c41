//! Logging with tracing: to a file (never to the terminal UI's screen), or to stderr for
//! headless runs when asked. Secrets never reach the log: log lines carry masked values only.

use std::fs::OpenOptions;
use std::io::Write;
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
        .with_writer(MaskedFile(Mutex::new(f)))
        .try_init();
    Ok(Some(path))
}

/// The log file, written through [`crate::redact::known`]: every secret the process knows of
/// is masked by value in every line, whatever logged it, and control characters are escaped.
struct MaskedFile(Mutex<std::fs::File>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for MaskedFile {
    type Writer = MaskedLine<'a>;
    fn make_writer(&'a self) -> Self::Writer {
        MaskedLine(&self.0)
    }
}

/// One event: the formatter writes each event with one call, so a secret is never split.
struct MaskedLine<'a>(&'a Mutex<std::fs::File>);

impl Write for MaskedLine<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let masked = crate::redact::escape_controls(&crate::redact::known(&text));
        let mut file = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("log file lock poisoned"))?;
        file.write_all(masked.as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.0.lock() {
            Ok(mut f) => f.flush(),
            Err(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    #[test]
    fn the_log_masks_known_secrets_and_escapes_control_characters() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.log");
        let file = MaskedFile(Mutex::new(std::fs::File::create(&path).unwrap()));
        let mut secrets = crate::redact::Secrets::new();
        secrets.add("LogUnitCanary123");
        crate::redact::remember(&secrets);
        let mut w = file.make_writer();
        w.write_all(
            b"INFO url=http://h/?x=LogUnitCanary123 Bearer eyJhbGciOi.eyJzdWIiOiIx.sig \x1b[2J\n",
        )
        .unwrap();
        w.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("LogUnitCanary123"), "{text}");
        assert!(!text.contains("eyJzdWIiOiIx"), "{text}");
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.ends_with('\n'), "{text}");
    }
}
