//! A small loopback HTTP/1.1 server on hyper: the simulator's front door, and the server the
//! probe tests talk to. Responses come from a plain function `HttpRequest -> HttpResponse`.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::http::{HttpRequest, HttpResponse};

/// What the server answers with.
pub type Handler = Arc<dyn Fn(HttpRequest) -> HttpResponse + Send + Sync>;

/// The largest request body the server reads; a longer one gets 413.
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// How long a client may take to send a request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `shutdown()` waits for in-flight requests before dropping them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// A running server. Dropping it stops accepting connections and lets open connections
/// finish their current request; [`SimServer::shutdown`] also waits for them.
pub struct SimServer {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl SimServer {
    /// Binds `bind` (port 0 picks a free port) and serves `handler`, waiting `latency`
    /// before each response (concurrently: one slow request does not delay another).
    pub async fn start(
        bind: SocketAddr,
        handler: Handler,
        latency: Duration,
    ) -> io::Result<SimServer> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, handler, latency, shutdown_rx));
        tracing::debug!(%addr, "simulator listening");
        Ok(SimServer {
            addr,
            shutdown,
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish (up to a few seconds), and returns
    /// when the server is gone.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                tracing::warn!(error = %e, "simulator task ended abnormally");
            }
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        // Dropping the sender also signals the receivers; sending first is explicit.
        let _ = self.shutdown.send(true);
    }
}

async fn accept_loop(
    listener: TcpListener,
    handler: Handler,
    latency: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let handler = handler.clone();
                    let shutdown = shutdown.clone();
                    connections.spawn(serve_connection(stream, peer, handler, latency, shutdown));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "simulator could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!("simulator connections still open after shutdown; dropping them");
    }
    // Dropping the JoinSet aborts whatever is left.
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    handler: Handler,
    latency: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let service = service_fn(move |request: Request<Incoming>| {
        let handler = handler.clone();
        async move { Ok::<_, Infallible>(respond(request, handler, latency).await) }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "simulator connection ended with an error");
    }
}

async fn respond(
    request: Request<Incoming>,
    handler: Handler,
    latency: Duration,
) -> Response<Full<Bytes>> {
    let response = match read_request(request).await {
        Ok(request) => handler(request),
        Err(response) => response,
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    to_hyper(response)
}

/// The request as an [`HttpRequest`], or the error response to send instead.
async fn read_request(request: Request<Incoming>) -> Result<HttpRequest, HttpResponse> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(e) => {
            let too_large = e
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some();
            let (status, message) = if too_large {
                (
                    413,
                    format!("request body larger than {MAX_REQUEST_BODY} bytes"),
                )
            } else {
                (400, format!("could not read the request body: {e}"))
            };
            tracing::debug!(status, %message, "simulator rejected a request");
            return Err(HttpResponse {
                status,
                headers: crate::http::Headers::new()
                    .with("content-type", "text/plain; charset=utf-8"),
                body: message.into_bytes(),
            });
        }
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    Ok(HttpRequest {
        method: parts.method.as_str().to_string(),
        path_and_query,
        headers,
        body,
    })
}

/// Converts the handler's response. Invalid parts are logged and skipped, never a panic.
/// `content-length` and `transfer-encoding` are computed by hyper from the body.
fn to_hyper(response: HttpResponse) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(response.status).unwrap_or_else(|_| {
        tracing::warn!(
            status = response.status,
            "simulator handler returned an invalid status; sending 500"
        );
        StatusCode::INTERNAL_SERVER_ERROR
    });
    let mut out = Response::new(Full::new(Bytes::from(response.body)));
    *out.status_mut() = status;
    let headers = out.headers_mut();
    for (name, value) in response.headers.iter() {
        let Ok(header_name) = HeaderName::from_bytes(name.as_bytes()) else {
            tracing::warn!(
                name,
                "simulator handler returned an invalid header name; skipped"
            );
            continue;
        };
        if header_name == hyper::header::CONTENT_LENGTH
            || header_name == hyper::header::TRANSFER_ENCODING
        {
            tracing::debug!(
                name,
                "framing header from the handler ignored; hyper sets it"
            );
            continue;
        }
        let Ok(header_value) = HeaderValue::from_str(value) else {
            tracing::warn!(
                name,
                "simulator handler returned an invalid header value; skipped"
            );
            continue;
        };
        headers.append(header_name, header_value);
    }
    out
}
