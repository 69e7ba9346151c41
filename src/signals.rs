//! The signals that end a run: SIGTERM, SIGINT and SIGHUP, watched the same way by `check`
//! (which must kill Chromium first) and the terminal UI (which must restore the terminal).

use tokio::signal::unix::{signal, SignalKind};

/// Waits for SIGTERM, SIGINT or SIGHUP and returns the exit status of a process that signal
/// ends (128 + its number); `None` at once when the signals cannot be watched (logged).
pub async fn termination() -> Option<i32> {
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::warn!("cannot watch signals");
        return None;
    };
    let (code, name) = tokio::select! {
        _ = term.recv() => (128 + 15, "SIGTERM"),
        _ = int.recv() => (128 + 2, "SIGINT"),
        _ = hup.recv() => (128 + 1, "SIGHUP"),
    };
    tracing::info!(code, "{name}");
    Some(code)
}
