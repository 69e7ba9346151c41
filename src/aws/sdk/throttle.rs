//! Client-side rate limiting of the control-plane reads of an account audit: token buckets per
//! account and Region, adaptive backoff on throttling, and a log of the operations sent.
//!
//! API Gateway's control-plane quotas are per account and Region, shared with the console,
//! the CLI and every other caller: 10 requests per second with a burst of 40 in total, and
//! `GetResources` 5 requests every 2 seconds
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>, "API Gateway
//! quotas for creating, deploying and managing an API"). The audit's clients share one
//! [`Limiter`] per Region (one profile, so one account), wrapping the HTTP client of the API
//! Gateway clients only (credential providers are not limited): every attempt, retries
//! included, waits for a token of the total bucket, and `GET …/resources` for one of the
//! `GetResources` bucket too.
//!
//! Choices the documentation leaves open:
//! - Buckets start full (the burst is available at once) and refill continuously.
//! - On a `429` (`TooManyRequestsException`) the limiter halves its rate (floor: 1/20 of the
//!   configured rate) and recovers additively, 5 % of the configured rate per successful
//!   answer: other callers share the quota, so the audit yields to them. The SDK's standard
//!   retry (exponential backoff with jitter) retries the throttled call itself.
//! - Nothing but `GET` is ever sent by the audit clients: any other method is refused here,
//!   before it leaves the process, so a bug cannot turn an audit into a write.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, Metadata};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// The documented total quota: 10 requests per second per account and Region.
pub const DEFAULT_RATE: f64 = 10.0;
/// The documented burst of the total quota.
pub const DEFAULT_BURST: f64 = 40.0;
/// `GetResources`: 5 requests every 2 seconds.
pub const GET_RESOURCES_RATE: f64 = 2.5;
pub const GET_RESOURCES_BURST: f64 = 5.0;

/// The rates a [`Limiter`] enforces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quota {
    /// Calls per second, all operations.
    pub rate: f64,
    pub burst: f64,
    /// `GetResources` calls per second (never above `rate`).
    pub resources_rate: f64,
    pub resources_burst: f64,
}

impl Default for Quota {
    fn default() -> Self {
        Quota {
            rate: DEFAULT_RATE,
            burst: DEFAULT_BURST,
            resources_rate: GET_RESOURCES_RATE,
            resources_burst: GET_RESOURCES_BURST,
        }
    }
}

impl Quota {
    /// The documented quotas, with the total rate (and burst) overridden.
    pub fn with_rate(rate: Option<f64>, burst: Option<f64>) -> Self {
        let mut q = Quota::default();
        if let Some(r) = rate {
            q.rate = r;
            q.resources_rate = q.resources_rate.min(r);
        }
        if let Some(b) = burst {
            q.burst = b.max(1.0);
            q.resources_burst = q.resources_burst.min(q.burst);
        }
        q
    }
}

#[derive(Debug)]
struct Bucket {
    configured: f64,
    rate: f64,
    /// The lowest `rate` reached (throttling lowers it).
    lowest: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(rate: f64, burst: f64) -> Self {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            DEFAULT_RATE
        };
        Bucket {
            configured: rate,
            rate,
            lowest: rate,
            burst: burst.max(1.0),
            tokens: burst.max(1.0),
            last: Instant::now(),
        }
    }

    /// Takes a token (the balance may go below zero: a reservation) and says how long to
    /// wait before using it.
    fn reserve(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((-self.tokens / self.rate).min(3600.0))
        }
    }

    fn throttled(&mut self) {
        self.rate = (self.rate / 2.0).max(self.configured / 20.0);
        self.lowest = self.lowest.min(self.rate);
        // What was banked is gone too: the server says the quota is spent.
        self.tokens = self.tokens.min(0.0);
    }

    fn succeeded(&mut self) {
        self.rate = (self.rate + self.configured * 0.05).min(self.configured);
    }
}

#[derive(Debug, Default)]
struct Counts {
    attempts: u64,
    throttles: u64,
    refused: u64,
    operations: BTreeMap<String, u64>,
}

/// How a [`Limiter`]'s total rate moved: lowered by each throttle, restored by successes.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct RateTrace {
    /// Calls per second as configured (`--rate`).
    pub configured: f64,
    /// The lowest rate throttling brought it to.
    pub lowest: f64,
    /// The rate at the end.
    pub last: f64,
}

/// Token buckets and counters of one account and Region, shared by its clients.
#[derive(Clone, Debug)]
pub struct Limiter {
    total: Arc<Mutex<Bucket>>,
    resources: Arc<Mutex<Bucket>>,
    counts: Arc<Mutex<Counts>>,
}

impl Limiter {
    pub fn new(quota: Quota) -> Self {
        Limiter {
            total: Arc::new(Mutex::new(Bucket::new(quota.rate, quota.burst))),
            resources: Arc::new(Mutex::new(Bucket::new(
                quota.resources_rate,
                quota.resources_burst,
            ))),
            counts: Arc::default(),
        }
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for the tokens a request to `path` needs.
    pub async fn acquire(&self, path: &str) {
        let now = Instant::now();
        let mut wait = Self::lock(&self.total).reserve(now);
        if is_get_resources(path) {
            wait = wait.max(Self::lock(&self.resources).reserve(now));
        }
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    fn answered(&self, path: &str, status: u16) {
        let mut counts = Self::lock(&self.counts);
        counts.attempts += 1;
        let buckets: &[&Mutex<Bucket>] = if is_get_resources(path) {
            &[&self.total, &self.resources]
        } else {
            &[&self.total]
        };
        if status == 429 {
            counts.throttles += 1;
            for b in buckets {
                Self::lock(b).throttled();
            }
        } else {
            for b in buckets {
                Self::lock(b).succeeded();
            }
        }
    }

    /// The total bucket's rate (calls/s): as configured, the lowest throttling brought it
    /// to, and now.
    pub fn rates(&self) -> RateTrace {
        let b = Self::lock(&self.total);
        RateTrace {
            configured: b.configured,
            lowest: b.lowest,
            last: b.rate,
        }
    }

    /// HTTP requests sent (retries included).
    pub fn attempts(&self) -> u64 {
        Self::lock(&self.counts).attempts
    }

    /// `429` answers met.
    pub fn throttles(&self) -> u64 {
        Self::lock(&self.counts).throttles
    }

    /// Requests refused before sending because they were not reads (always 0 unless a bug).
    pub fn refused(&self) -> u64 {
        Self::lock(&self.counts).refused
    }

    /// Operations issued, by their API name (`GetResources` → count), retries not counted.
    pub fn operations(&self) -> BTreeMap<String, u64> {
        Self::lock(&self.counts).operations.clone()
    }

    /// The HTTP client for the API Gateway clients: `inner`, limited.
    pub fn http_client(&self, inner: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(LimitedClient {
            inner,
            limiter: self.clone(),
        })
    }
}

/// `GET /restapis/{id}/resources` (not `/resources/{rid}`).
fn is_get_resources(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(parts.as_slice(), ["restapis", _, "resources"])
}

#[derive(Debug)]
struct LimitedClient {
    inner: SharedHttpClient,
    limiter: Limiter,
}

impl HttpClient for LimitedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(LimitedConnector {
            inner: self.inner.http_connector(settings, components),
            limiter: self.limiter.clone(),
        })
    }
}

#[derive(Debug)]
struct LimitedConnector {
    inner: SharedHttpConnector,
    limiter: Limiter,
}

impl HttpConnector for LimitedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let limiter = self.limiter.clone();
        HttpConnectorFuture::new(async move {
            let path = request.uri().to_string();
            let path = url::Url::parse(&path)
                .map(|u| u.path().to_string())
                .unwrap_or(path);
            if request.method() != "GET" {
                Limiter::lock(&limiter.counts).refused += 1;
                let err: BoxError = format!(
                    "the audit only reads: refused to send {} {path}",
                    request.method()
                )
                .into();
                return Err(ConnectorError::other(err, None));
            }
            limiter.acquire(&path).await;
            let response = inner.call(request).await;
            if let Ok(r) = &response {
                limiter.answered(&path, r.status().as_u16());
            }
            response
        })
    }
}

/// Records each operation's name (from the SDK's operation metadata) in the limiter.
#[derive(Clone, Debug)]
pub struct OperationLog(pub Limiter);

impl Intercept for OperationLog {
    fn name(&self) -> &'static str {
        "cors-doctor::OperationLog"
    }

    // Not `read_before_execution`: the operation's metadata is not in the bag yet there.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<Metadata>()
            .map_or("unknown", |m| m.name())
            .to_string();
        *Limiter::lock(&self.0.counts)
            .operations
            .entry(name)
            .or_default() += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_is_free_then_calls_wait_their_share_of_the_rate() {
        let start = Instant::now();
        let mut b = Bucket::new(10.0, 3.0);
        b.last = start;
        b.tokens = 3.0;
        for _ in 0..3 {
            assert_eq!(b.reserve(start), Duration::ZERO);
        }
        let w1 = b.reserve(start);
        let w2 = b.reserve(start);
        assert!((w1.as_secs_f64() - 0.1).abs() < 1e-9, "{w1:?}");
        assert!((w2.as_secs_f64() - 0.2).abs() < 1e-9, "{w2:?}");
        // A second later the debt is repaid and 8 tokens banked (capped at the burst).
        let later = start + Duration::from_secs(1);
        assert_eq!(b.reserve(later), Duration::ZERO);
        assert!(b.tokens <= 3.0);
    }

    #[test]
    fn a_throttle_halves_the_rate_and_successes_restore_it() {
        let mut b = Bucket::new(10.0, 40.0);
        b.throttled();
        assert_eq!(b.rate, 5.0);
        assert!(b.tokens <= 0.0);
        for _ in 0..5 {
            b.throttled();
        }
        assert_eq!(b.rate, 0.5, "floor at a twentieth");
        assert_eq!(b.lowest, 0.5);
        for _ in 0..100 {
            b.succeeded();
        }
        assert_eq!(b.rate, 10.0);
    }

    #[test]
    fn only_the_resources_listing_takes_a_get_resources_token() {
        assert!(is_get_resources("/restapis/abc/resources"));
        assert!(is_get_resources("/restapis/abc/resources?embed=methods"));
        assert!(!is_get_resources("/restapis/abc/resources/r1"));
        assert!(!is_get_resources("/restapis/abc/stages"));
        assert!(!is_get_resources("/v2/apis/abc/routes"));
    }

    #[test]
    fn a_rate_override_caps_the_get_resources_rate() {
        let q = Quota::with_rate(Some(1.0), Some(2.0));
        assert_eq!(q.rate, 1.0);
        assert_eq!(q.resources_rate, 1.0);
        assert_eq!(q.resources_burst, 2.0);
        assert_eq!(Quota::with_rate(None, None), Quota::default());
    }
}
