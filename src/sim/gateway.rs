//! The simulator's brain: serves an API (a scenario) through `gateway::behavior`, behind the
//! layers the scenario puts in front of it (`gateway::front`: CloudFront, a custom domain,
//! WAF …), counting requests per second for throttling and numbering them for request ids.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use super::server::Handler;
use crate::gateway::behavior::{self, Context, RouteBackend};
use crate::gateway::front::{self, Front, FrontState};
use crate::gateway::scenario::Scenario;
use crate::gateway::Api;
use crate::http::HttpRequest;

/// A handler answering as API Gateway would for `api`, with `backend` behind its integrations.
pub fn handler(api: Api, backend: RouteBackend) -> Handler {
    fronted_handler(api, backend, Front::default())
}

/// A handler serving a scenario: its API, its backend, and the layers in front of it.
pub fn scenario_handler(scenario: &Scenario) -> Handler {
    fronted_handler(
        scenario.api.clone(),
        scenario.spec.backend.clone(),
        scenario.spec.front.clone(),
    )
}

/// A handler answering through `front` (outermost first) as API Gateway would for `api`.
pub fn fronted_handler(api: Api, backend: RouteBackend, front: Front) -> Handler {
    let seq = AtomicU64::new(0);
    // CloudFront's cache and whatever else the layers in front keep between requests.
    let front_state: Mutex<FrontState> = Mutex::new(FrontState::default());
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
        let mut gateway = |r: &HttpRequest| behavior::respond_to_path(&api, r, &ctx).response;
        let response = match front_state.lock() {
            Ok(mut state) => front::respond(&front, &mut state, &request, &mut gateway).response,
            // A panic while another request held the state: serve without the front's memory.
            Err(poisoned) => {
                front::respond(&front, &mut poisoned.into_inner(), &request, &mut gateway).response
            }
        };
        tracing::debug!(
            method = %request.method,
            path = %request.path_and_query,
            status = response.status,
            "simulated"
        );
        response
    })
}
