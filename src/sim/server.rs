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
use tokio::sync::{watch, Semaphore};
use tokio::task::{JoinHandle, JoinSet};

use crate::http::{HttpRequest, HttpResponse};

/// What the server answers with.
pub type Handler = Arc<dyn Fn(HttpRequest) -> HttpResponse + Send + Sync>;

/// The largest request body the server reads; a longer one gets 413.
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// How long a client may take to send a request head (hyper also applies it to a kept-alive
/// connection waiting for its next request, so an idle connection is closed after it).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a client may take to send a request body (after its head).
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most connections served at once; more wait in the listen backlog until one closes, so
/// trickling clients cannot exhaust the process's file descriptors.
const MAX_CONNECTIONS: usize = 1024;
/// File descriptors left for everything else (the log, the listener, the probes of a demo).
const RESERVED_FDS: usize = 64;
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
    let cap = connection_cap();
    let slots = Arc::new(Semaphore::new(cap));
    let mut at_cap = false;
    loop {
        // Logged once each time the limit is reached, not for every connection after it.
        let full = slots.available_permits() == 0;
        if full && !at_cap {
            tracing::warn!(
                cap,
                "simulator at its connection limit; new connections wait"
            );
        }
        at_cap = full;
        let slot = tokio::select! {
            _ = shutdown.changed() => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let handler = handler.clone();
                    let shutdown = shutdown.clone();
                    connections.spawn(async move {
                        serve_connection(stream, peer, handler, latency, shutdown).await;
                        drop(slot);
                    });
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

/// [`MAX_CONNECTIONS`], or fewer when the open-file limit is lower (each connection holds a
/// descriptor).
fn connection_cap() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct passed by pointer.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            let soft = usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX);
            return soft.saturating_sub(RESERVED_FDS).clamp(8, MAX_CONNECTIONS);
        }
    }
    MAX_CONNECTIONS
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
    let collected = tokio::time::timeout(
        BODY_READ_TIMEOUT,
        Limited::new(body, MAX_REQUEST_BODY).collect(),
    )
    .await
    .unwrap_or_else(|_| Err(Box::new(BodyTimeout)));
    let body = match collected {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(e) if e.is::<BodyTimeout>() => {
            tracing::debug!("simulator: request body not received in time");
            return Err(HttpResponse {
                status: 408,
                headers: crate::http::Headers::new()
                    .with("content-type", "text/plain; charset=utf-8")
                    .with("connection", "close"),
                body: format!(
                    "request body not received within {} seconds",
                    BODY_READ_TIMEOUT.as_secs()
                )
                .into_bytes(),
            });
        }
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

/// The request body did not arrive within [`BODY_READ_TIMEOUT`].
#[derive(Debug, thiserror::Error)]
#[error("request body timed out")]
struct BodyTimeout;

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

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::sync::Mutex;
    use std::time::Instant;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;
    use crate::http::Headers;

    async fn start(
        handler: impl Fn(HttpRequest) -> HttpResponse + Send + Sync + 'static,
        latency: Duration,
    ) -> SimServer {
        SimServer::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            Arc::new(handler),
            latency,
        )
        .await
        .unwrap()
    }

    /// Sends raw bytes, returns everything the server sends until it closes.
    async fn raw(addr: SocketAddr, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut out = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out))
            .await
            .unwrap()
            .unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn the_handler_sees_the_request_as_sent() {
        let seen = Arc::new(Mutex::new(None));
        let sink = seen.clone();
        let server = start(
            move |req| {
                *sink.lock().unwrap() = Some(req);
                HttpResponse {
                    status: 204,
                    ..Default::default()
                }
            },
            Duration::ZERO,
        )
        .await;
        let reply = raw(
            server.addr(),
            b"POST /prod/items?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        )
        .await;
        assert!(reply.starts_with("HTTP/1.1 204"), "{reply}");
        let req = seen.lock().unwrap().take().unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.path_and_query, "/prod/items?x=1");
        assert_eq!(req.headers.get_all("x-a").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(req.body, b"abc");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn duplicates_and_order_reach_the_wire_and_bad_headers_are_skipped() {
        let server = start(
            |_| HttpResponse {
                status: 200,
                headers: Headers::new()
                    .with("X-First", "1")
                    .with("Access-Control-Allow-Origin", "https://a.example")
                    .with("Access-Control-Allow-Origin", "https://b.example")
                    .with("Bad Name", "v")
                    .with("X-Bad-Value", "a\r\nInjected: yes")
                    .with("Content-Length", "999")
                    .with("X-Last", "2"),
                body: b"hi".to_vec(),
            },
            Duration::ZERO,
        )
        .await;
        let reply = raw(
            server.addr(),
            b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        )
        .await
        .to_ascii_lowercase();
        let at = |needle: &str| {
            reply
                .find(needle)
                .unwrap_or_else(|| panic!("{needle} missing in {reply}"))
        };
        assert!(at("x-first: 1") < at("access-control-allow-origin: https://a.example"));
        assert!(
            at("access-control-allow-origin: https://a.example")
                < at("access-control-allow-origin: https://b.example")
        );
        assert!(at("access-control-allow-origin: https://b.example") < at("x-last: 2"));
        assert!(!reply.contains("bad name") && !reply.contains("injected"));
        assert!(reply.contains("content-length: 2\r\n"), "{reply}");
        assert!(reply.ends_with("\r\n\r\nhi"));
        server.shutdown().await;
    }

    #[tokio::test]
    async fn an_invalid_status_becomes_500() {
        let server = start(
            |_| HttpResponse {
                status: 1000,
                ..Default::default()
            },
            Duration::ZERO,
        )
        .await;
        let reply = raw(
            server.addr(),
            b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(reply.starts_with("HTTP/1.1 500"), "{reply}");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn an_oversized_request_body_gets_413() {
        let server = start(
            |_| HttpResponse {
                status: 200,
                ..Default::default()
            },
            Duration::ZERO,
        )
        .await;
        let mut request = format!(
            "POST / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            MAX_REQUEST_BODY + 1
        )
        .into_bytes();
        request.resize(request.len() + MAX_REQUEST_BODY + 1, b'a');
        // The server may stop reading and close while the body is still being written:
        // write in the background, ignore write errors, read what comes back.
        let stream = TcpStream::connect(server.addr()).await.unwrap();
        let (mut reader, mut writer) = stream.into_split();
        let writing = tokio::spawn(async move {
            let _ = writer.write_all(&request).await;
            writer
        });
        let mut reply = Vec::new();
        let mut buf = [0u8; 4096];
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while let Ok(Ok(n)) = tokio::time::timeout_at(deadline, reader.read(&mut buf)).await {
            if n == 0 {
                break;
            }
            reply.extend_from_slice(&buf[..n]);
        }
        let _ = writing.await;
        let reply = String::from_utf8_lossy(&reply);
        assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn garbage_requests_do_not_take_the_server_down() {
        let server = start(
            |_| HttpResponse {
                status: 200,
                ..Default::default()
            },
            Duration::ZERO,
        )
        .await;
        let reply = raw(server.addr(), b"\x16\x03\x01\x00\xff garbage\r\n\r\n").await;
        assert!(
            reply.is_empty() || reply.starts_with("HTTP/1.1 400"),
            "{reply}"
        );
        let reply = raw(
            server.addr(),
            b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn shutdown_lets_the_request_in_flight_finish_then_stops_listening() {
        let server = start(
            |_| HttpResponse {
                status: 200,
                body: b"done".to_vec(),
                ..Default::default()
            },
            Duration::from_millis(200),
        )
        .await;
        let addr = server.addr();
        assert_eq!(server.base_url(), format!("http://{addr}"));
        let in_flight = tokio::spawn(raw(
            addr,
            b"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        ));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let start = Instant::now();
        server.shutdown().await;
        assert!(start.elapsed() < Duration::from_secs(2));
        let reply = in_flight.await.unwrap();
        assert!(reply.ends_with("done"), "{reply}");
        assert!(TcpStream::connect(addr).await.is_err());
    }

    #[tokio::test]
    async fn dropping_the_server_stops_it() {
        let server = start(|_| HttpResponse::default(), Duration::ZERO).await;
        let addr = server.addr();
        drop(server);
        let mut refused = false;
        for _ in 0..50 {
            if TcpStream::connect(addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(refused);
    }
}
