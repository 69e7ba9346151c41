//! The simulator's brain: serves an API (a scenario) through `gateway::behavior`, counting
//! requests per second for throttling and numbering them for request ids.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use super::server::Handler;
use crate::gateway::behavior::{self, Context, RouteBackend};
use crate::gateway::Api;
use crate::http::HttpRequest;

/// A handler answering as API Gateway would for `api`, with `backend` behind its integrations.
pub fn handler(api: Api, backend: RouteBackend) -> Handler {
    let seq = AtomicU64::new(0);
    // (method, path) → (second, requests in that second)
    let window: Mutex<HashMap<(String, String), (u64, u32)>> = Mutex::new(HashMap::new());
    Arc::new(move |request: HttpRequest| {
        let n = seq.fetch_add(1, Ordering::Relaxed) + 1;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let path = request
            .path_and_query
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        let recent = match window.lock() {
            Ok(mut w) => {
                let entry = w
                    .entry((request.method.to_ascii_uppercase(), path))
                    .or_insert((now, 0));
                if entry.0 != now {
                    *entry = (now, 0);
                }
                let before = entry.1;
                entry.1 = entry.1.saturating_add(1);
                before
            }
            Err(_) => 0,
        };
        let mut ctx = Context::new(n, &backend);
        ctx.recent_requests = recent;
        let answer = behavior::respond_to_path(&api, &request, &ctx);
        tracing::debug!(
            method = %request.method,
            path = %request.path_and_query,
            status = answer.response.status,
            "simulated"
        );
        answer.response
    })
}
