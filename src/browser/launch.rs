//! Finding and starting Chromium: headless, no sandbox (containers), no GPU, and every kind of
//! background networking off, so the only traffic is what a retest asks for.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
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

/// A started Chromium: the process, its process group and its DevTools endpoint.
pub struct Spawned {
    pub child: Child,
    pub group: ProcessGroup,
    pub ws_url: String,
}

/// The process groups of the running Chromiums and their profile directories, for
/// [`kill_all`].
static LIVE_GROUPS: Mutex<Vec<(i32, PathBuf)>> = Mutex::new(Vec::new());

fn live_groups() -> std::sync::MutexGuard<'static, Vec<(i32, PathBuf)>> {
    LIVE_GROUPS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Chromium's process group: Chromium is started as the leader of a group of its own, so its
/// zygotes, renderers and utility processes are in it too, and one signal reaches them all
/// (killing only the main process leaves them running). Killed when dropped, and by
/// [`kill_all`] when cors-doctor is told to stop.
#[derive(Debug)]
pub struct ProcessGroup(i32);

impl ProcessGroup {
    fn register(pid: u32, profile: &Path) -> Option<ProcessGroup> {
        let pgid = i32::try_from(pid).ok().filter(|p| *p > 1)?;
        live_groups().push((pgid, profile.to_path_buf()));
        Some(ProcessGroup(pgid))
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        kill_group(self.0);
        live_groups().retain(|(g, _)| *g != self.0);
    }
}

fn kill_group(pgid: i32) {
    #[cfg(unix)]
    // SAFETY: kill(2) with a negative pid signals the process group; no memory is involved.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// Kills every running Chromium's whole process group and removes its profile directory:
/// for exits that skip destructors (a signal, `process::exit`). Safe to call more than once.
pub fn kill_all() {
    let groups: Vec<(i32, PathBuf)> = std::mem::take(&mut *live_groups());
    for (pgid, _) in &groups {
        kill_group(*pgid);
    }
    if groups.is_empty() {
        return;
    }
    // Give the processes a moment to go before their profile directory is removed.
    for _ in 0..25 {
        let alive = groups.iter().any(|(pgid, _)| {
            // SAFETY: signal 0 only checks that the group still exists.
            unsafe { libc::kill(-*pgid, 0) == 0 }
        });
        if !alive {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for (_, dir) in groups {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `--host-resolver-rules` for `--resolve`'s names (`MAP host addr`, an IPv6 address in
/// brackets), `None` when there are none. The names were checked against the URL's host
/// (`crate::plan`), so they hold no separator of the rule list.
pub fn host_resolver_rules(resolve: &[(String, std::net::IpAddr)]) -> Option<String> {
    if resolve.is_empty() {
        return None;
    }
    let rules: Vec<String> = resolve
        .iter()
        .map(|(host, ip)| match ip {
            std::net::IpAddr::V4(v4) => format!("MAP {host} {v4}"),
            std::net::IpAddr::V6(v6) => format!("MAP {host} [{v6}]"),
        })
        .collect();
    Some(format!("--host-resolver-rules={}", rules.join(",")))
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
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            BrowserError::NotInstalled {
                searched: executable.display().to_string(),
            }
        } else {
            BrowserError::Launch(format!("cannot start {}: {e}", executable.display()))
        }
    })?;
    let Some(group) = child
        .id()
        .and_then(|pid| ProcessGroup::register(pid, profile.path()))
    else {
        let _ = child.start_kill();
        return Err(BrowserError::Launch(
            "Chromium exited as soon as it was started".into(),
        ));
    };
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
    Ok(Spawned {
        child,
        group,
        ws_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_becomes_host_resolver_rules() {
        assert_eq!(host_resolver_rules(&[]), None);
        let rules = host_resolver_rules(&[
            (
                "api.example.com".into(),
                std::net::IpAddr::from([127, 0, 0, 1]),
            ),
            ("v6.example.com".into(), "::1".parse().unwrap()),
        ]);
        assert_eq!(
            rules.as_deref(),
            Some("--host-resolver-rules=MAP api.example.com 127.0.0.1,MAP v6.example.com [::1]")
        );
    }
}
