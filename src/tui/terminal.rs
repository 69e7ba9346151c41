//! The terminal itself: raw mode, the alternate screen and mouse capture (entered and
//! restored by a guard), and the panic and abort paths that must restore it too.

use std::io;

use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};

/// Raw mode, alternate screen and mouse capture; undone on drop.
pub(super) struct TerminalGuard;

impl TerminalGuard {
    pub(super) fn enter() -> io::Result<TerminalGuard> {
        abort_guard::arm();
        if let Err(e) = enable_raw_mode() {
            abort_guard::disarm();
            return Err(e);
        }
        let guard = TerminalGuard;
        execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
        abort_guard::disarm();
    }
}

/// Puts the terminal back in cooked mode on the main screen. Safe to call twice.
pub fn restore_terminal() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// The UI's error line for a diagnosis that panicked.
pub(super) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    let what: String = what.chars().take(200).collect();
    format!("the diagnosis stopped on an internal error (a bug in cors-doctor: {what}); the log has the details")
}

/// The thread the UI runs on (the one that entered the terminal).
static UI_THREAD: std::sync::OnceLock<std::thread::ThreadId> = std::sync::OnceLock::new();

/// A panic on the UI thread restores the terminal before the panic message is printed. A
/// panic on another thread (a background job: the diagnosis, a demo server) is logged and
/// leaves the terminal to the UI, which shows the job's failure and keeps running.
pub(super) fn install_panic_hook() {
    let _ = UI_THREAD.set(std::thread::current().id());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_ui = UI_THREAD
            .get()
            .is_none_or(|ui| *ui == std::thread::current().id());
        if on_ui || !abort_guard::active() {
            restore_terminal();
            previous(info);
        } else {
            tracing::error!(panic = %info, "a background job panicked");
        }
    }));
}

/// Restores the terminal when the process aborts (a stack overflow, an abort in a library):
/// such a fault cannot be caught, but the shell must not be left in raw mode on the alternate
/// screen with mouse capture on. Only async-signal-safe calls (`write`, `tcsetattr`) run in
/// the handler, with the terminal settings saved before raw mode was entered.
mod abort_guard {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::OnceLock;

    static SAVED: OnceLock<(i32, libc::termios)> = OnceLock::new();
    static ACTIVE: AtomicBool = AtomicBool::new(false);

    /// What `restore_terminal` writes: mouse capture off (every mode crossterm enables),
    /// main screen, cursor shown.
    const RESTORE: &[u8] =
        b"\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?1049l\x1b[?25h";

    /// True while the UI owns the terminal.
    pub fn active() -> bool {
        ACTIVE.load(Ordering::SeqCst)
    }

    /// Saves the terminal settings (before raw mode) and installs the SIGABRT handler.
    pub fn arm() {
        // SAFETY: isatty/tcgetattr read the state of a file descriptor into a zeroed struct
        // that lives on this stack frame; sigaction installs a handler that only makes
        // async-signal-safe calls.
        unsafe {
            let fd = if libc::isatty(libc::STDIN_FILENO) == 1 {
                libc::STDIN_FILENO
            } else {
                libc::STDOUT_FILENO
            };
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(fd, &mut t) == 0 {
                let _ = SAVED.set((fd, t));
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_abort as *const () as usize;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = libc::SA_RESETHAND | libc::SA_ONSTACK;
            libc::sigaction(libc::SIGABRT, &action, std::ptr::null_mut());
        }
        ACTIVE.store(true, Ordering::SeqCst);
    }

    /// The terminal was restored the ordinary way: the handler has nothing left to do.
    pub fn disarm() {
        ACTIVE.store(false, Ordering::SeqCst);
    }

    extern "C" fn on_abort(_signal: libc::c_int) {
        if ACTIVE.swap(false, Ordering::SeqCst) {
            // SAFETY: write and tcsetattr are async-signal-safe; SAVED was set before ACTIVE.
            unsafe {
                let _ = libc::write(libc::STDOUT_FILENO, RESTORE.as_ptr().cast(), RESTORE.len());
                if let Some((fd, t)) = SAVED.get() {
                    libc::tcsetattr(*fd, libc::TCSANOW, t);
                }
            }
        }
        // SA_RESETHAND put the default action back. `abort()` ends the process when this
        // returns; a SIGABRT sent by `kill` would not, so it is raised again (blocked until
        // this handler returns, then the default action ends the process).
        // SAFETY: raise is async-signal-safe.
        unsafe {
            libc::raise(libc::SIGABRT);
        }
    }
}
