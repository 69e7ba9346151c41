//! Copying text out of the UI (`y` the fix, `c` a curl), and saying truthfully where it went.
//!
//! Where a copy can go depends on what sits between cors-doctor and the user's clipboard:
//! - **tmux** (`TMUX` set): tmux drops an application's OSC 52 unless `set-clipboard on` (the
//!   default is `external`), so the text goes into tmux's paste buffer with
//!   `tmux load-buffer -w -` (`-w`, tmux 3.2+, also has tmux pass it to the terminal's
//!   clipboard when its `set-clipboard` allows; older tmux: without `-w`). The exit status is
//!   the evidence: "copied to the tmux buffer (paste with prefix ])".
//! - **GNU screen** (`STY` set): screen swallows OSC 52; the text is written to a private file
//!   and read into screen's paste buffer with `screen -S $STY -X readbuf FILE`.
//! - **a plain terminal**: an OSC 52 sequence. Nothing comes back to say whether the terminal
//!   honoured it (many block it by default), so the status says "sent", never "copied", and
//!   offers `w`: the text written to a file whose path the status names.
//!
//! `TERM=screen*`/`tmux*` without `TMUX`/`STY` means a multiplexer on the far side of ssh:
//! OSC 52 is still all there is, and the status says that multiplexer may drop it.
//!
//! tmux and screen run as child processes of a background task with a timeout
//! ([`PROCESS_TIMEOUT`]): a hung multiplexer never blocks the event loop. The OSC 52 sequence
//! is written on the loop's thread (as the frames are), so it never interleaves with a frame.
//! The text is what the views show: secrets already masked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// How long tmux or screen may take to take the text.
pub const PROCESS_TIMEOUT: Duration = Duration::from_secs(3);

/// At most this much of a helper process's output is read.
const OUTPUT_LIMIT: u64 = 16 * 1024;

/// Where a copy goes, decided once from the environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Inside tmux: its paste buffer.
    Tmux,
    /// Inside GNU screen (`STY`, the session name): its paste buffer.
    Screen { session: String },
    /// Straight to the terminal as OSC 52. `behind` names the multiplexer `TERM` reveals on
    /// the far side of ssh, which drops OSC 52 unless configured to pass it.
    Terminal { behind: Option<&'static str> },
}

/// The route for an environment (`var` reads one variable).
pub fn detect(var: impl Fn(&str) -> Option<String>) -> Route {
    let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    if set("TMUX").is_some() {
        return Route::Tmux;
    }
    if let Some(session) = set("STY") {
        return Route::Screen { session };
    }
    let term = set("TERM").unwrap_or_default();
    let behind = if term.starts_with("tmux") {
        Some("tmux")
    } else if term.starts_with("screen") {
        // tmux's default TERM is screen-256color too.
        Some("tmux or screen")
    } else {
        None
    };
    Route::Terminal { behind }
}

/// The route for this process's environment.
pub fn detect_env() -> Route {
    detect(|name| std::env::var(name).ok())
}

/// `$XDG_STATE_HOME/cors-doctor/copied.txt` (next to the log), or the temporary directory.
pub fn default_file() -> PathBuf {
    crate::logging::default_log_file()
        .and_then(|log| log.parent().map(|d| d.join("copied.txt")))
        .unwrap_or_else(|| std::env::temp_dir().join("cors-doctor-copied.txt"))
}

/// The status after an OSC 52 sequence was written: sent, not known to be copied.
pub fn osc52_status(what: &str, behind: Option<&str>, write_key: &str) -> String {
    // Short enough for an 80-column footer: the offer must not be cut off.
    match behind {
        Some(m) => format!(
            "sent {what} via OSC 52, which {m} over ssh drops by default; {write_key} saves it to a file"
        ),
        None => format!("sent {what} via OSC 52 (may be blocked); {write_key} saves it to a file"),
    }
}

/// Why a copy did not reach its destination; each message says where the text can be had.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    /// tmux refused the text (or is not there).
    #[error("could not copy {what} to the tmux buffer ({why}); {write_key} saves it to a file")]
    Tmux {
        what: String,
        why: String,
        write_key: String,
    },
    /// screen refused the text, which is still in `path`.
    #[error("could not copy {what} to screen's paste buffer ({why}); the text is in {path}")]
    Screen {
        what: String,
        why: String,
        path: String,
    },
    /// The copy file could not be written.
    #[error("could not write {path}: {why}")]
    Write { path: String, why: String },
}

/// Puts `text` in tmux's paste buffer; the confirmation, or why not.
pub async fn to_tmux(text: &str, what: &str, write_key: &str) -> Result<String, CopyError> {
    let mut load = run("tmux", &["load-buffer", "-w", "-"], Some(text.as_bytes())).await;
    if matches!(&load, Err(e) if e.contains("unknown flag") || e.contains("usage")) {
        // tmux before 3.2: no -w (the terminal's clipboard is not offered the text).
        load = run("tmux", &["load-buffer", "-"], Some(text.as_bytes())).await;
    }
    if let Err(why) = load {
        return Err(CopyError::Tmux {
            what: what.to_string(),
            why,
            write_key: write_key.to_string(),
        });
    }
    let passes = run("tmux", &["show-options", "-gv", "set-clipboard"], None)
        .await
        .map(|v| v.trim().to_string())
        .unwrap_or_default();
    let also = match passes.as_str() {
        "on" | "external" => {
            " (tmux also offered it to your terminal's clipboard; the terminal may refuse)"
        }
        _ => "",
    };
    Ok(format!(
        "✔ copied {what} to the tmux buffer: paste with prefix ]{also}"
    ))
}

/// Puts `text` in GNU screen's paste buffer through `file` (which keeps the text).
pub async fn to_screen(
    text: &str,
    what: &str,
    session: &str,
    file: &Path,
) -> Result<String, CopyError> {
    write_file(file.to_path_buf(), text.to_string()).await?;
    let path = file.display().to_string();
    run("screen", &["-S", session, "-X", "readbuf", &path], None)
        .await
        .map_err(|why| CopyError::Screen {
            what: what.to_string(),
            why,
            path: path.clone(),
        })?;
    Ok(format!(
        "✔ copied {what} to screen's paste buffer: paste with C-a ] (also in {path})"
    ))
}

/// Writes `text` to `path`, readable by the user only; replaces an earlier copy, never
/// follows a symbolic link. Blocking I/O, so on a blocking thread.
pub async fn write_file(path: PathBuf, text: String) -> Result<(), CopyError> {
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || write_private(&path, &text))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r)
        .map_err(|why| CopyError::Write { path: shown, why })
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(path).map_err(|e| e.to_string())?;
    file.write_all(text.as_bytes()).map_err(|e| e.to_string())
}

/// Runs a helper (tmux, screen) with `input` on its standard input; its standard output,
/// or why it failed. Killed when it takes longer than [`PROCESS_TIMEOUT`].
async fn run(program: &str, args: &[&str], input: Option<&[u8]>) -> Result<String, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let work = async {
        if let (Some(mut w), Some(input)) = (stdin, input) {
            w.write_all(input).await.map_err(|e| e.to_string())?;
            w.shutdown().await.map_err(|e| e.to_string())?;
        }
        let (out, err) = tokio::join!(read_bounded(stdout), read_bounded(stderr));
        let status = child.wait().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((status, out, err))
    };
    match tokio::time::timeout(PROCESS_TIMEOUT, work).await {
        Err(_) => Err(format!(
            "{program} did not answer within {} s",
            PROCESS_TIMEOUT.as_secs()
        )),
        Ok(Err(e)) => Err(format!("{program}: {e}")),
        Ok(Ok((status, out, _))) if status.success() => Ok(out),
        Ok(Ok((status, _, err))) => {
            let err = err.trim();
            Err(if err.is_empty() {
                format!("{program} exited with {status}")
            } else {
                format!("{program}: {}", err.lines().next().unwrap_or(err))
            })
        }
    }
}

async fn read_bounded<R: tokio::io::AsyncRead + Unpin>(r: Option<R>) -> String {
    let mut buf = Vec::new();
    if let Some(r) = r {
        let _ = r.take(OUTPUT_LIMIT).read_to_end(&mut buf).await;
    }
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_route_follows_the_multiplexer() {
        assert_eq!(
            detect(env(&[
                ("TMUX", "/tmp/tmux-1000/default,123,0"),
                ("TERM", "screen-256color")
            ])),
            Route::Tmux
        );
        assert_eq!(
            detect(env(&[("STY", "4242.pts-0.host"), ("TERM", "screen")])),
            Route::Screen {
                session: "4242.pts-0.host".into()
            }
        );
        assert_eq!(
            detect(env(&[("TMUX", ""), ("TERM", "xterm-256color")])),
            Route::Terminal { behind: None }
        );
        assert_eq!(
            detect(env(&[("TERM", "tmux-256color")])),
            Route::Terminal {
                behind: Some("tmux")
            }
        );
        assert_eq!(
            detect(env(&[("TERM", "screen.xterm-256color")])),
            Route::Terminal {
                behind: Some("tmux or screen")
            }
        );
        assert_eq!(detect(env(&[])), Route::Terminal { behind: None });
    }

    #[test]
    fn osc52_is_never_called_copied() {
        for behind in [None, Some("tmux")] {
            let s = osc52_status("the fix", behind, "w");
            assert!(s.starts_with("sent the fix"), "{s}");
            assert!(!s.contains('✔') && !s.contains("copied"), "{s}");
            assert!(s.contains("w saves it to a file"), "{s}");
        }
    }

    #[tokio::test]
    async fn the_file_is_private_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("copied.txt");
        write_file(path.clone(), "first, longer".into())
            .await
            .unwrap();
        write_file(path.clone(), "second".into()).await.unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let link = dir.path().join("link.txt");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            let e = write_file(link, "x".into()).await.unwrap_err().to_string();
            assert!(e.contains("could not write"), "{e}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        }
    }

    #[tokio::test]
    async fn a_missing_helper_is_an_error_not_a_hang() {
        let e = run("cors-doctor-no-such-helper", &[], Some(b"x"))
            .await
            .unwrap_err();
        assert!(e.contains("cannot run"), "{e}");
    }
}
