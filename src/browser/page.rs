//! One retest: a fresh browser context and page on the app's origin, the app's `fetch()`, and
//! the DevTools events that say what Chromium made of it.
//!
//! The page's script is in [`super::script`], the answers to its requests in
//! [`super::intercept`], the reading of the events in [`super::events`].

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::cdp::{Cdp, Event};
use super::events::{observe, Requests};
use super::intercept::{lock, pump, Interceptor, Replay, SharedPlan};
use super::local_network::{grant_local_network, more_private_space};
use super::script::{fetch_expression, without_fragment, PAGE_PATH};
use super::{str_at, BrowserError, LocalNetwork, CALL_TIMEOUT};
use crate::evidence::{BrowserObservation, RetestSource};
use crate::target::Target;

/// How long to wait, once fetch() has settled, for the last events (the console line).
const SETTLE: Duration = Duration::from_millis(1500);
/// How long the events of a previous retest on the same page may trail behind.
const QUIET: Duration = Duration::from_millis(20);

/// A page served from one origin, in a browser context of its own, that can run retests one
/// after another (they share the context's cookies, caches and granted permissions).
pub struct Page {
    cdp: Cdp,
    origin: String,
    context_id: String,
    session: String,
    plan: SharedPlan,
    collected: tokio::sync::Mutex<mpsc::UnboundedReceiver<Event>>,
    pump: tokio::task::JoinHandle<()>,
    /// The Local Network Access permissions granted so far, with their warnings.
    granted: tokio::sync::Mutex<Vec<(&'static str, String)>>,
    local_network: LocalNetwork,
    /// `--resolve`'s names and addresses (Chromium reaches the names there).
    resolve: Vec<(String, std::net::IpAddr)>,
    version: String,
    timeout: Duration,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

pub(super) struct PageOptions<'a> {
    pub cdp: &'a Cdp,
    pub origin: &'a str,
    pub local_network: LocalNetwork,
    pub resolve: &'a [(String, std::net::IpAddr)],
    pub version: &'a str,
    pub timeout: Duration,
}

impl Page {
    pub(super) async fn open(o: PageOptions<'_>) -> Result<Page, BrowserError> {
        let cdp = o.cdp;
        let context = cdp
            .call(
                "Target.createBrowserContext",
                json!({ "disposeOnDetach": true }),
                None,
                CALL_TIMEOUT,
            )
            .await?;
        let context_id = str_at(&context, "browserContextId").to_string();
        match Self::open_in(&o, &context_id).await {
            Ok(page) => Ok(page),
            Err(e) => {
                dispose(cdp, &context_id).await;
                Err(e)
            }
        }
    }

    async fn open_in(o: &PageOptions<'_>, context_id: &str) -> Result<Page, BrowserError> {
        let cdp = o.cdp;
        let page_url = format!("{}{PAGE_PATH}", o.origin);
        let created = cdp
            .call(
                "Target.createTarget",
                json!({ "url": "about:blank", "browserContextId": context_id }),
                None,
                CALL_TIMEOUT,
            )
            .await?;
        let target_id = str_at(&created, "targetId").to_string();
        let attached = cdp
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target_id, "flatten": true }),
                None,
                CALL_TIMEOUT,
            )
            .await?;
        let session = str_at(&attached, "sessionId").to_string();
        let events = cdp.subscribe(&session);
        let (collected_tx, mut collected) = mpsc::unbounded_channel();
        let plan: SharedPlan = Arc::default();
        let pump = tokio::spawn(pump(
            cdp.clone(),
            session.clone(),
            events,
            collected_tx,
            Interceptor {
                page_url: page_url.clone(),
                origin_prefix: format!("{}/", o.origin),
                plan: plan.clone(),
            },
        ));
        let page = Page {
            cdp: cdp.clone(),
            origin: o.origin.to_string(),
            context_id: context_id.to_string(),
            session: session.clone(),
            plan,
            collected: tokio::sync::Mutex::new(mpsc::unbounded_channel().1),
            pump,
            granted: tokio::sync::Mutex::new(Vec::new()),
            local_network: o.local_network,
            resolve: o.resolve.to_vec(),
            version: o.version.to_string(),
            timeout: o.timeout,
        };
        let s = Some(session.as_str());
        for method in ["Network.enable", "Log.enable", "Page.enable"] {
            cdp.call(method, json!({}), s, CALL_TIMEOUT).await?;
        }
        // Every request is paused: the page and its made-up origin are answered here, and
        // (replay) so is the target; the rest continues to the network (live) or is refused.
        cdp.call(
            "Fetch.enable",
            json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] }),
            s,
            CALL_TIMEOUT,
        )
        .await?;
        let navigated = cdp
            .call("Page.navigate", json!({ "url": page_url }), s, CALL_TIMEOUT)
            .await?;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str) {
            return Err(BrowserError::Protocol(format!(
                "the app page on {} did not load: {error}",
                o.origin
            )));
        }
        let deadline = Instant::now() + o.timeout;
        loop {
            match tokio::time::timeout_at(deadline, collected.recv()).await {
                Ok(Some(e)) if e.method == "Page.loadEventFired" => break,
                Ok(Some(_)) => {}
                Ok(None) => return Err(BrowserError::Closed),
                Err(_) => return Err(BrowserError::Timeout("the app page did not load".into())),
            }
        }
        *page.collected.lock().await = collected;
        Ok(page)
    }

    /// The page's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Chromium fetches the real target (see [`super::Chromium::retest`]). The target's origin
    /// must be the page's.
    pub async fn retest(&self, target: &Target) -> Result<BrowserObservation, BrowserError> {
        self.run(target, None).await
    }

    /// Chromium's requests are answered with `replay` (see [`super::Chromium::replay`]).
    pub async fn replay(
        &self,
        target: &Target,
        replay: &Replay,
    ) -> Result<BrowserObservation, BrowserError> {
        self.run(target, Some(replay)).await
    }

    /// [`Page::retest`], also returning the DevTools events Chromium sent for it (method and
    /// params, in order): what DevTools' own HAR export is made from.
    pub async fn record(
        &self,
        target: &Target,
    ) -> Result<(BrowserObservation, Vec<(String, Value)>), BrowserError> {
        if target.origin != self.origin {
            return Err(BrowserError::Protocol(format!(
                "this page is on {}, not on the target's origin {}",
                self.origin, target.origin
            )));
        }
        match tokio::time::timeout(self.timeout, self.run_inner(target, None)).await {
            Ok(r) => {
                r.map(|(o, seen)| (o, seen.into_iter().map(|e| (e.method, e.params)).collect()))
            }
            Err(_) => Err(BrowserError::Timeout(format!(
                "no outcome within {:?}",
                self.timeout
            ))),
        }
    }

    async fn run(
        &self,
        target: &Target,
        replay: Option<&Replay>,
    ) -> Result<BrowserObservation, BrowserError> {
        if target.origin != self.origin {
            return Err(BrowserError::Protocol(format!(
                "this page is on {}, not on the target's origin {}",
                self.origin, target.origin
            )));
        }
        match tokio::time::timeout(self.timeout, self.run_inner(target, replay)).await {
            Ok(r) => r.map(|(o, _)| o),
            Err(_) => Err(BrowserError::Timeout(format!(
                "no outcome within {:?}",
                self.timeout
            ))),
        }
    }

    async fn run_inner(
        &self,
        target: &Target,
        replay: Option<&Replay>,
    ) -> Result<(BrowserObservation, Vec<super::cdp::Event>), BrowserError> {
        // One retest at a time on a page.
        let mut collected = self.collected.lock().await;
        let mut warnings = Vec::new();
        if self.local_network == LocalNetwork::DisableChecks {
            warnings.push("Chromium ran with --disable-features=LocalNetworkAccessChecks: its Local Network Access checks (public page → private or loopback address) were off".to_string());
        } else if let Some(space) = more_private_space(target, &self.resolve) {
            let mut granted = self.granted.lock().await;
            let known = granted
                .iter()
                .find(|(s, _)| *s == space)
                .map(|(_, w)| w.clone());
            let warning = match known {
                Some(w) => w,
                None => {
                    let w =
                        grant_local_network(&self.cdp, &self.context_id, &self.origin, space).await;
                    granted.push((space, w.clone()));
                    w
                }
            };
            warnings.push(warning);
        }
        {
            let mut plan = lock(&self.plan);
            plan.target_url = without_fragment(target);
            plan.replay = replay.cloned();
        }
        // Let the events of an earlier retest on this page drain away.
        while let Ok(Some(_)) = tokio::time::timeout(QUIET, collected.recv()).await {}

        let mut seen = Vec::new();
        let evaluated = self
            .cdp
            .call(
                "Runtime.evaluate",
                json!({
                    "expression": fetch_expression(target),
                    "awaitPromise": true,
                    "returnByValue": true,
                }),
                Some(&self.session),
                self.timeout,
            )
            .await?;
        let page_result = evaluated
            .get("result")
            .and_then(|r| r.get("value"))
            .cloned()
            .unwrap_or(Value::Null);

        // Wait for the fetch's last events: its loadingFinished/loadingFailed and, for a CORS
        // error, the console line.
        let url = target.url.as_str();
        let settle = Instant::now() + SETTLE;
        loop {
            while let Ok(e) = collected.try_recv() {
                seen.push(e);
            }
            if Requests::from_events(&seen).settled(url) {
                break;
            }
            match tokio::time::timeout_at(settle, collected.recv()).await {
                Ok(Some(e)) => seen.push(e),
                Ok(None) | Err(_) => break,
            }
        }
        let source = if replay.is_some() {
            RetestSource::Replay
        } else {
            RetestSource::Live
        };
        let observed = observe(
            &seen,
            url,
            &page_result,
            warnings,
            source,
            self.version.clone(),
        );
        Ok((observed, seen))
    }

    /// Closes the page and its browser context.
    pub async fn close(self) {
        self.cdp.forget(&self.session);
        self.pump.abort();
        dispose(&self.cdp, &self.context_id).await;
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.cdp.forget(&self.session);
        self.pump.abort();
    }
}

async fn dispose(cdp: &Cdp, context_id: &str) {
    if let Err(e) = cdp
        .call(
            "Target.disposeBrowserContext",
            json!({ "browserContextId": context_id }),
            None,
            CALL_TIMEOUT,
        )
        .await
    {
        tracing::debug!(error = %e, "could not dispose of the browser context");
    }
}
