//! Finding and starting Chromium: headless, no sandbox (containers), no GPU, and every kind of
//! background networking off, so the only traffic is what a retest asks for.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::BrowserError;

/// The command that installs Chromium on Debian and Ubuntu.
pub const INSTALL_COMMAND: &str = "apt-get install -y chromium";

/// Environment variable naming the Chromium executable.
pub const CHROMIUM_ENV: &str = "CHROMIUM";

/// Where Chromium is looked for, in order, after `$CHROMIUM`. Debian's `/usr/bin/chromium` is a
/// shell wrapper that sources `/etc/chromium.d` (API keys, extensions): the real binary next to
/// it is preferred so that the flags below are the only ones.
const CANDIDATES: [&str; 6] = [
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
];

/// Every flag Chromium gets. `--disable-background-networking` and friends keep it from
/// contacting anything on its own (updates, sync, safe browsing, metrics, field trials).
pub const FLAGS: [&str; 20] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--disable-dev-shm-usage",
    "--metrics-recording-only",
    "--no-pings",
    "--mute-audio",
    "--password-store=basic",
    "--remote-debugging-port=0",
];

/// The Chromium executable: `$CHROMIUM` if set (it must exist), else the first candidate that
/// exists.
pub fn find_executable() -> Result<PathBuf, BrowserError> {
    if let Some(path) = std::env::var_os(CHROMIUM_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(path);
        }
        return Err(BrowserError::NotInstalled {
            searched: format!("${CHROMIUM_ENV}={}", path.display()),
        });
    }
    CANDIDATES
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| BrowserError::NotInstalled {
            searched: format!("${CHROMIUM_ENV}, {}", CANDIDATES.join(", ")),
        })
}

/// A fresh, private profile directory, removed when dropped.
#[derive(Debug)]
pub struct ProfileDir(PathBuf);

impl ProfileDir {
    pub fn create() -> Result<ProfileDir, BrowserError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "cors-doctor-chromium-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| {
            BrowserError::Launch(format!(
                "cannot create the profile directory {}: {e}",
                dir.display()
            ))
        })?;
        Ok(ProfileDir(dir))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ProfileDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A started Chromium: the process and its DevTools endpoint.
pub struct Spawned {
    pub child: Child,
    pub ws_url: String,
}

/// Starts Chromium and waits (up to `timeout`) for "DevTools listening on ws://…" on stderr.
pub async fn spawn(
    executable: &Path,
    profile: &ProfileDir,
    extra_flags: &[String],
    timeout: Duration,
) -> Result<Spawned, BrowserError> {
    let mut command = Command::new(executable);
    command
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra_flags)
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            BrowserError::NotInstalled {
                searched: executable.display().to_string(),
            }
        } else {
            BrowserError::Launch(format!("cannot start {}: {e}", executable.display()))
        }
    })?;
    let Some(stderr) = child.stderr.take() else {
        return Err(BrowserError::Launch(
            "Chromium's stderr is not piped".into(),
        ));
    };
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    let found = tokio::time::timeout(timeout, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(at) = line.find("ws://") {
                if line.contains("DevTools listening on") {
                    return Some(line[at..].trim().to_string());
                }
            }
            if seen.len() < 20 {
                seen.push(line);
            }
        }
        None
    })
    .await;
    let ws_url = match found {
        Ok(Some(url)) => url,
        Ok(None) => {
            let status = child.try_wait().ok().flatten();
            return Err(BrowserError::Launch(format!(
                "Chromium exited before opening DevTools ({}): {}",
                status.map_or_else(|| "still running".to_string(), |s| s.to_string()),
                seen.join(" | ")
            )));
        }
        Err(_) => {
            let _ = child.start_kill();
            return Err(BrowserError::Launch(format!(
                "Chromium did not open DevTools within {timeout:?}: {}",
                seen.join(" | ")
            )));
        }
    };
    // Keep draining stderr so Chromium never blocks on a full pipe.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::trace!(target: "chromium", "{line}");
        }
    });
    Ok(Spawned { child, ws_url })
}
