//! A small Chrome DevTools Protocol client: JSON messages over one WebSocket, commands matched
//! to their answers by id, events routed to the session (flattened target) they belong to.
//! Only the few methods cors-doctor needs are used, and everything stays `serde_json::Value`, so
//! a new Chromium that adds a `corsError` name or a field cannot break parsing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

use super::BrowserError;

/// One DevTools event.
#[derive(Clone, Debug)]
pub struct Event {
    pub method: String,
    pub params: Value,
}

type Reply = Result<Value, BrowserError>;

#[derive(Default)]
struct Routes {
    pending: HashMap<u64, oneshot::Sender<Reply>>,
    sessions: HashMap<String, mpsc::UnboundedSender<Event>>,
    closed: bool,
}

struct Inner {
    out_tx: mpsc::UnboundedSender<Message>,
    next_id: AtomicU64,
    routes: Mutex<Routes>,
}

impl Inner {
    fn routes(&self) -> MutexGuard<'_, Routes> {
        // A panic while holding the lock cannot leave the maps inconsistent: take them anyway.
        self.routes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A connection to the browser endpoint. Cheap to clone.
#[derive(Clone)]
pub struct Cdp {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cdp").finish_non_exhaustive()
    }
}

impl Cdp {
    /// Connects to `ws://127.0.0.1:PORT/devtools/browser/…`.
    pub async fn connect(ws_url: &str) -> Result<Cdp, BrowserError> {
        let (stream, _) = tokio_tungstenite::connect_async(ws_url)
            .await
            .map_err(|e| BrowserError::Protocol(format!("cannot connect to {ws_url}: {e}")))?;
        let (mut sink, mut source) = stream.split();
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let inner = Arc::new(Inner {
            out_tx,
            next_id: AtomicU64::new(1),
            routes: Mutex::new(Routes::default()),
        });
        tokio::spawn(async move {
            while let Some(message) = out_rx.recv().await {
                if let Err(e) = sink.send(message).await {
                    tracing::debug!(error = %e, "DevTools socket write failed");
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let reader = Arc::downgrade(&inner);
        tokio::spawn(async move {
            while let Some(message) = source.next().await {
                let Some(inner) = reader.upgrade() else { break };
                let text = match message {
                    Ok(Message::Text(t)) => t.as_str().to_owned(),
                    Ok(Message::Binary(b)) => String::from_utf8_lossy(&b).into_owned(),
                    Ok(Message::Close(_)) => break,
                    Ok(_) => continue,
                    Err(e) => {
                        tracing::debug!(error = %e, "DevTools socket read failed");
                        break;
                    }
                };
                dispatch(&inner, &text);
            }
            if let Some(inner) = reader.upgrade() {
                let mut routes = inner.routes();
                routes.closed = true;
                for (_, tx) in routes.pending.drain() {
                    let _ = tx.send(Err(BrowserError::Closed));
                }
                routes.sessions.clear();
            }
        });
        Ok(Cdp { inner })
    }

    /// Sends a command (to the browser, or to a session) and waits for its result.
    pub async fn call(
        &self,
        method: &str,
        params: Value,
        session: Option<&str>,
        timeout: Duration,
    ) -> Result<Value, BrowserError> {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let (Some(s), Some(obj)) = (session, message.as_object_mut()) {
            obj.insert("sessionId".into(), Value::String(s.to_string()));
        }
        let (tx, rx) = oneshot::channel();
        {
            let mut routes = self.inner.routes();
            if routes.closed {
                return Err(BrowserError::Closed);
            }
            routes.pending.insert(id, tx);
        }
        if self
            .inner
            .out_tx
            .send(Message::text(message.to_string()))
            .is_err()
        {
            self.inner.routes().pending.remove(&id);
            return Err(BrowserError::Closed);
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(BrowserError::Closed),
            Err(_) => {
                self.inner.routes().pending.remove(&id);
                Err(BrowserError::Timeout(format!(
                    "no answer to {method} within {timeout:?}"
                )))
            }
        }
    }

    /// Routes the events of `session` to the returned receiver (until [`Cdp::forget`]).
    pub fn subscribe(&self, session: &str) -> mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.inner.routes().sessions.insert(session.to_string(), tx);
        rx
    }

    /// Stops routing the events of `session` (its receiver then ends).
    pub fn forget(&self, session: &str) {
        self.inner.routes().sessions.remove(session);
    }
}

fn dispatch(inner: &Inner, text: &str) {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        tracing::debug!("DevTools sent a message that is not JSON");
        return;
    };
    if let Some(id) = value.get("id").and_then(Value::as_u64) {
        let reply = match value.get("error") {
            Some(error) => Err(BrowserError::Protocol(format!(
                "{} (code {})",
                error
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown error"),
                error.get("code").and_then(Value::as_i64).unwrap_or(0)
            ))),
            None => Ok(value.get("result").cloned().unwrap_or(Value::Null)),
        };
        if let Some(tx) = inner.routes().pending.remove(&id) {
            let _ = tx.send(reply);
        }
        return;
    }
    let Some(method) = value.get("method").and_then(Value::as_str) else {
        return;
    };
    let Some(session) = value.get("sessionId").and_then(Value::as_str) else {
        return;
    };
    let routes = inner.routes();
    if let Some(tx) = routes.sessions.get(session) {
        let _ = tx.send(Event {
            method: method.to_string(),
            params: value.get("params").cloned().unwrap_or(Value::Null),
        });
    }
}
