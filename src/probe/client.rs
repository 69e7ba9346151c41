//! Sends planned requests over the network and records what came back.
//!
//! One [`Prober`] holds one `reqwest::Client` (rustls on the ring provider, no redirects, no
//! cookies, no decompression, HTTP/1.1). [`send`] never fails: a request that gets no HTTP
//! response becomes an [`Exchange`] with a classified [`TransportError`].

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::evidence::{
    attribute_answer, Exchange, RecordedRequest, RecordedResponse, TransportError,
};
use crate::http::Headers;
use crate::probe::classify::{classify, timeout_error};
use crate::probe::requests::PlannedRequest;

/// How the probes talk to the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Limit for establishing the TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Limit for the whole exchange, from connecting to the last body byte read.
    pub timeout: Duration,
    /// How much of a response body is read before the probe stops reading (default 1 MiB).
    pub max_body_bytes: usize,
    /// How much of the body is kept in the report, lossily decoded (default 2 KiB).
    pub excerpt_bytes: usize,
    /// Sent only when the planned request has no `User-Agent` of its own.
    pub user_agent: String,
    /// Honour `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY` from the environment, as a
    /// browser honours the system proxy (default true).
    pub use_env_proxy: bool,
    /// Offer HTTP/2 over TLS (ALPN). Default false: HTTP/1.1 only, which keeps header names
    /// on the wire in browser-like Title-Case and matches what most CORS reports show.
    pub allow_http2: bool,
    /// Host names connected to at these addresses instead of DNS (the URL's port is kept:
    /// reqwest ignores the port given here).
    pub resolve: Vec<(String, std::net::IpAddr)>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            excerpt_bytes: 2048,
            user_agent: default_user_agent(),
            use_env_proxy: true,
            allow_http2: false,
            resolve: Vec::new(),
        }
    }
}

/// `Mozilla/5.0 (compatible; cors-doctor/VERSION)`: browser-shaped, so WAF rules that
/// reject unknown agents treat the probe like a browser, and still honest about what it is.
pub fn default_user_agent() -> String {
    format!(
        "Mozilla/5.0 (compatible; cors-doctor/{})",
        env!("CARGO_PKG_VERSION")
    )
}

/// The HTTP client could not be built (TLS setup, usually).
#[derive(Debug, thiserror::Error)]
#[error("could not set up the HTTP client: {0}")]
pub struct ProbeSetupError(String);

/// A configured HTTP client for the probes. Build it once and share it (it is cheap to
/// clone: the connection pool is shared).
#[derive(Clone, Debug)]
pub struct Prober {
    client: reqwest::Client,
    options: ProbeOptions,
}

impl Prober {
    pub fn new(options: ProbeOptions) -> Result<Prober, ProbeSetupError> {
        // reqwest is built with `rustls-no-provider`: the process-wide provider must be
        // installed before a client is built. Another part of the program (or a test) may
        // have installed it already, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();

        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .referer(false)
            .http1_title_case_headers()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .tcp_nodelay(true);
        if !options.allow_http2 {
            builder = builder.http1_only();
        }
        if !options.use_env_proxy {
            builder = builder.no_proxy();
        }
        for (host, ip) in &options.resolve {
            builder = builder.resolve(host, std::net::SocketAddr::new(*ip, 0));
        }
        let client = builder
            .build()
            .map_err(|e| ProbeSetupError(crate::probe::classify::chain_message(&e)))?;
        Ok(Prober { client, options })
    }

    pub fn options(&self) -> &ProbeOptions {
        &self.options
    }
}

/// Sends one planned request and records the exchange. Never fails: transport problems are
/// recorded in `Exchange::error`.
pub async fn send(prober: &Prober, planned: &PlannedRequest) -> Exchange {
    let start = Instant::now();
    let mut request = planned.request.clone();
    let outcome = exchange(prober, &mut request, start).await;
    let elapsed_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (response, error) = match outcome {
        Ok(response) => (Some(response), None),
        Err(error) => (None, Some(error)),
    };
    let (answered_by, gateway_error_type) = match &response {
        Some(r) => attribute_answer(&request, r),
        None => Default::default(),
    };
    Exchange {
        id: planned.id.clone(),
        kind: planned.kind,
        request,
        response,
        error,
        answered_by,
        gateway_error_type,
        elapsed_ms,
        predicted: false,
    }
}

/// Sends every planned request concurrently; the exchanges come back in the planned order.
pub async fn run_all(prober: &Prober, planned: Vec<PlannedRequest>) -> Vec<Exchange> {
    futures_util::future::join_all(planned.iter().map(|p| send(prober, p))).await
}

/// The headers reqwest adds when the request has none of its own, recorded so the exchange
/// shows what was really sent (a browser's `fetch()` also sends `Accept: */*`).
fn complete_recorded_headers(headers: &mut Headers, user_agent: &str) {
    if !headers.contains("user-agent") {
        headers.push("User-Agent", user_agent);
    }
    if !headers.contains("accept") {
        headers.push("Accept", "*/*");
    }
}

async fn exchange(
    prober: &Prober,
    request: &mut RecordedRequest,
    start: Instant,
) -> Result<RecordedResponse, TransportError> {
    let opts = &prober.options;
    let url = reqwest::Url::parse(&request.url).map_err(|e| {
        other_error(format!(
            "cannot send to '{}': invalid URL ({e})",
            crate::target::quoted(&request.url)
        ))
    })?;
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| {
        other_error(format!(
            "cannot send '{}': not a valid HTTP method",
            request.method
        ))
    })?;
    complete_recorded_headers(&mut request.headers, &opts.user_agent);
    let headers = header_map(&request.headers)?;

    let mut builder = prober.client.request(method, url.clone()).headers(headers);
    if let Some(body) = &request.body {
        builder = builder.body(body.clone());
    }

    // reqwest's own total timeout covers connect, headers and body; this deadline is a
    // second line of defence for the body loop, so nothing outlives `timeout`.
    let deadline = tokio::time::Instant::from_std(start) + opts.timeout;
    let mut response = match tokio::time::timeout_at(deadline, builder.send()).await {
        Ok(Ok(response)) => response,
        // Library errors never quote the URL (it may carry secrets, or be 64 KB long).
        Ok(Err(e)) => return Err(classify(&e.without_url(), &url, opts)),
        Err(_) => return Err(timeout_error(opts.timeout)),
    };

    let status = response.status().as_u16();
    let headers: Headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();

    let body = read_body_bounded(&mut response, opts, deadline).await;
    Ok(RecordedResponse {
        status,
        headers,
        body_excerpt: excerpt(
            &body.head,
            body.complete && body.total <= opts.excerpt_bytes,
        ),
        body_truncated: !body.complete || body.total > opts.excerpt_bytes,
    })
}

fn other_error(message: String) -> TransportError {
    TransportError {
        kind: crate::evidence::FailureKind::Other,
        message,
    }
}

/// The recorded headers as a reqwest map, duplicates and their order kept.
fn header_map(headers: &Headers) -> Result<HeaderMap, TransportError> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers.iter() {
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            other_error(format!(
                "cannot send header '{name}': not a valid header name"
            ))
        })?;
        let header_value = HeaderValue::from_str(value).map_err(|_| {
            other_error(format!(
                "cannot send header '{name}': its value contains a control character"
            ))
        })?;
        map.append(header_name, header_value);
    }
    Ok(map)
}

/// What was read of a body.
struct BodyRead {
    /// The first `excerpt_bytes` bytes.
    head: Vec<u8>,
    /// Bytes read in all (at most about `max_body_bytes` plus one chunk).
    total: usize,
    /// True when the body ended normally before the read limit.
    complete: bool,
}

/// Reads the body chunk by chunk, keeping only the excerpt, and stops at `max_body_bytes`,
/// at the deadline, or at a transport error. The headers already arrived, so a body that
/// stops early is recorded as truncated rather than as a transport failure: CORS verdicts
/// depend on the headers.
async fn read_body_bounded(
    response: &mut reqwest::Response,
    opts: &ProbeOptions,
    deadline: tokio::time::Instant,
) -> BodyRead {
    let mut read = BodyRead {
        head: Vec::with_capacity(opts.excerpt_bytes.min(64 * 1024)),
        total: 0,
        complete: false,
    };
    loop {
        if read.total >= opts.max_body_bytes {
            tracing::debug!(
                read = read.total,
                "response body longer than the read limit; stopped reading"
            );
            return read;
        }
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                let room = opts.excerpt_bytes.saturating_sub(read.head.len());
                read.head.extend_from_slice(&chunk[..chunk.len().min(room)]);
                read.total = read.total.saturating_add(chunk.len());
            }
            Ok(Ok(None)) => {
                read.complete = true;
                return read;
            }
            Ok(Err(e)) => {
                let e = e.without_url();
                tracing::warn!(
                    error = %crate::probe::classify::chain_message(&e),
                    read = read.total,
                    "response body ended with an error; recorded as truncated"
                );
                return read;
            }
            Err(_) => {
                tracing::warn!(
                    read = read.total,
                    "response body still arriving at the timeout; recorded as truncated"
                );
                return read;
            }
        }
    }
}

/// Lossy UTF-8 of the excerpt. When the excerpt cuts the body inside a multi-byte character,
/// the partial character is dropped instead of becoming U+FFFD.
pub(crate) fn excerpt(head: &[u8], whole_body: bool) -> String {
    let bytes = if whole_body {
        head
    } else {
        trim_partial_char(head)
    };
    String::from_utf8_lossy(bytes).into_owned()
}

fn trim_partial_char(b: &[u8]) -> &[u8] {
    for k in 1..=b.len().min(3) {
        let byte = b[b.len() - k];
        if byte & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back for the lead byte
        }
        let needed = match byte {
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        };
        return if needed > k { &b[..b.len() - k] } else { b };
    }
    b
}
