//! Optional real-browser retest: Debian's Chromium, headless, driven over the DevTools protocol
//! by a small client of our own (`cdp`).
//!
//! Each retest gets a fresh browser context and page. The page is served *from the app's
//! origin* by intercepting its navigation (DevTools Fetch domain), so the `fetch()` it then runs
//! is the real cross-origin request the app makes: same method, headers, body and credentials
//! mode. What Chromium did is read from DevTools events (`Network.loadingFailed.corsErrorStatus`,
//! the console line from `Log.entryAdded`, the preflight and the actual request as sent).
//!
//! Two ways to answer the browser's requests: **live** (Chromium fetches the target over the
//! network) and **replay** (the Fetch domain answers them with recorded or predicted responses,
//! so nothing leaves the browser).
//!
//! Chromium is started with background networking off; the page's own origin is never
//! contacted (its requests are fulfilled or refused by the interceptor).

mod cdp;
mod events;
mod intercept;
mod launch;
mod local_network;
mod page;
mod script;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

pub use intercept::{Replay, ReplayAnswer};
pub use launch::{find_executable, kill_all, CHROMIUM_ENV, FLAGS, INSTALL_COMMAND};
// The observation types are evidence (`crate::evidence`); re-exported for the retest API.
pub use crate::evidence::{BrowserEvidence, BrowserObservation, RetestSource, SentRequest};
pub use page::Page;

use crate::evidence::Evidence;
use crate::target::Target;

/// Why a retest could not run.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BrowserError {
    #[error("Chromium is not installed (looked for {searched}): install it with `{INSTALL_COMMAND}` (Debian/Ubuntu), or point ${CHROMIUM_ENV} at a Chromium or Chrome executable")]
    NotInstalled { searched: String },
    #[error("Chromium could not be started: {0}")]
    Launch(String),
    #[error("DevTools protocol error: {0}")]
    Protocol(String),
    #[error("the browser retest timed out: {0}")]
    Timeout(String),
    #[error("the connection to Chromium closed")]
    Closed,
}

/// How the retest deals with Chromium's Local Network Access checks, which stop a page on a
/// public origin from fetching a loopback or private address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LocalNetwork {
    /// Grant the page's origin the `loopback-network` (or `local-network`) permission in each
    /// retest's browser context, as a user accepting the prompt would. Reported as a warning.
    #[default]
    Grant,
    /// Start Chromium with `--disable-features=LocalNetworkAccessChecks`.
    DisableChecks,
}

#[derive(Clone, Debug)]
pub struct LaunchOptions {
    /// The executable; default: `$CHROMIUM`, then the usual install paths.
    pub executable: Option<PathBuf>,
    pub local_network: LocalNetwork,
    /// How long Chromium may take to open its DevTools endpoint.
    pub launch_timeout: Duration,
    /// How long one retest may take, end to end.
    pub retest_timeout: Duration,
    /// Host names reached at these addresses instead of through DNS (`--resolve`), as
    /// Chromium's `--host-resolver-rules` `MAP` rules.
    pub resolve: Vec<(String, std::net::IpAddr)>,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        LaunchOptions {
            executable: None,
            local_network: LocalNetwork::Grant,
            launch_timeout: Duration::from_secs(20),
            retest_timeout: Duration::from_secs(20),
            resolve: Vec::new(),
        }
    }
}

/// A running headless Chromium. Retests may run concurrently (`&self`); each uses its own
/// browser context. Dropping it kills the browser; [`Chromium::close`] closes it politely.
pub struct Chromium {
    cdp: cdp::Cdp,
    child: Mutex<Option<tokio::process::Child>>,
    version: String,
    options: LaunchOptions,
    // Killed after the main process (in `drop`), before the profile is removed.
    _group: launch::ProcessGroup,
    // Declared last: removed after the process is gone.
    _profile: launch::ProfileDir,
}

impl std::fmt::Debug for Chromium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chromium")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// How long a single DevTools command may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

impl Chromium {
    /// Finds and starts Chromium, and connects to it.
    pub async fn launch(options: LaunchOptions) -> Result<Chromium, BrowserError> {
        let executable = match &options.executable {
            Some(p) if p.is_file() => p.clone(),
            Some(p) => {
                return Err(BrowserError::NotInstalled {
                    searched: p.display().to_string(),
                })
            }
            None => find_executable()?,
        };
        let profile = launch::ProfileDir::create()?;
        let mut extra = Vec::new();
        if options.local_network == LocalNetwork::DisableChecks {
            extra.push("--disable-features=LocalNetworkAccessChecks".to_string());
        }
        if let Some(rules) = launch::host_resolver_rules(&options.resolve) {
            extra.push(rules);
        }
        let spawned = launch::spawn(&executable, &profile, &extra, options.launch_timeout).await?;
        let mut child = spawned.child;
        let group = spawned.group;
        let cdp = match cdp::Cdp::connect(&spawned.ws_url).await {
            Ok(c) => c,
            Err(e) => {
                let _ = child.start_kill();
                return Err(e);
            }
        };
        let version = cdp
            .call("Browser.getVersion", json!({}), None, CALL_TIMEOUT)
            .await
            .map(|v| str_at(&v, "product").to_string())
            .unwrap_or_default();
        tracing::debug!(%version, path = %executable.display(), "Chromium started");
        Ok(Chromium {
            cdp,
            child: Mutex::new(Some(child)),
            version,
            options,
            _group: group,
            _profile: profile,
        })
    }

    /// `Chrome/156.0.8078.108` (from `Browser.getVersion`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Chromium fetches the real target, from a fresh page on the target's origin (a browser
    /// context of its own: no cookies, caches or permissions from another retest).
    pub async fn retest(&self, target: &Target) -> Result<BrowserObservation, BrowserError> {
        let page = self.open_page(&target.origin).await?;
        let result = page.retest(target).await;
        page.close().await;
        result
    }

    /// Chromium's requests to the target are answered with `replay` (nothing leaves the
    /// browser), from a fresh page on the target's origin.
    pub async fn replay(
        &self,
        target: &Target,
        replay: &Replay,
    ) -> Result<BrowserObservation, BrowserError> {
        let page = self.open_page(&target.origin).await?;
        let result = page.replay(target, replay).await;
        page.close().await;
        result
    }

    /// A page on `origin` (served by interception: the origin is never contacted) in a
    /// browser context of its own, for running many retests one after another: opening a
    /// page costs a renderer process, a retest on an open page a few milliseconds.
    pub async fn open_page(&self, origin: &str) -> Result<Page, BrowserError> {
        let open = Page::open(page::PageOptions {
            cdp: &self.cdp,
            origin,
            local_network: self.options.local_network,
            resolve: &self.options.resolve,
            version: &self.version,
            timeout: self.options.retest_timeout,
        });
        match tokio::time::timeout(self.options.retest_timeout, open).await {
            Ok(r) => r,
            Err(_) => Err(BrowserError::Timeout(format!(
                "the app page did not open within {:?}",
                self.options.retest_timeout
            ))),
        }
    }

    /// Closes the browser (`Browser.close`), waiting briefly for the process to exit.
    pub async fn close(self) {
        let _ = self
            .cdp
            .call("Browser.close", json!({}), None, Duration::from_secs(2))
            .await;
        let child = self
            .child
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(mut child) = child {
            if tokio::time::timeout(Duration::from_secs(3), child.wait())
                .await
                .is_err()
            {
                let _ = child.start_kill();
                let _ = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
            }
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let child = self
            .child
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(child) = child.as_mut() {
            let _ = child.start_kill();
            // Wait (briefly, blocking: this is the unpolite path) for the process to go, so
            // that the profile directory can be removed after it.
            for _ in 0..50 {
                if !matches!(child.try_wait(), Ok(None)) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

/// Runs the browser retest for a diagnosis: live when the evidence came from the network,
/// replayed from the predicted exchanges otherwise. Never fails: a browser that cannot run is
/// [`BrowserEvidence::Unavailable`] with the reason (and, when missing, the install command).
///
/// The whole retest (starting Chromium included) must finish within `budget`, what is left of
/// the run's `--timeout`; if it does not, Chromium is killed and the evidence says so.
/// `resolve`: `--resolve`'s host names and addresses, which Chromium follows as the probes did.
pub async fn retest_evidence(
    evidence: &Evidence,
    live: bool,
    budget: Duration,
    resolve: &[(String, std::net::IpAddr)],
) -> BrowserEvidence {
    let timed_out = || {
        BrowserEvidence::Unavailable {
        reason: format!(
            "the Chromium retest did not finish within the {} left of the run's --timeout; raise --timeout to give it more time",
            seconds(budget)
        ),
    }
    };
    if budget.is_zero() {
        return timed_out();
    }
    // The launch and retest keep their own (longer) limits; the budget is the one that
    // applies when it is shorter, with the message above.
    tokio::time::timeout(budget, retest_within(evidence, live, resolve))
        .await
        .unwrap_or_else(|_| timed_out())
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

async fn retest_within(
    evidence: &Evidence,
    live: bool,
    resolve: &[(String, std::net::IpAddr)],
) -> BrowserEvidence {
    let options = LaunchOptions {
        resolve: resolve.to_vec(),
        ..LaunchOptions::default()
    };
    let chromium = match Chromium::launch(options).await {
        Ok(c) => c,
        Err(e) => {
            return BrowserEvidence::Unavailable {
                reason: e.to_string(),
            }
        }
    };
    let result = if live {
        chromium.retest(&evidence.target).await
    } else {
        chromium
            .replay(&evidence.target, &Replay::from_evidence(evidence))
            .await
    };
    chromium.close().await;
    match result {
        Ok(o) => BrowserEvidence::Observed(Box::new(o)),
        Err(e) => BrowserEvidence::Unavailable {
            reason: e.to_string(),
        },
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}
