//! Live-probe tests. They only ever contact 127.0.0.1.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::evidence::{AnsweredBy, ExchangeKind, FailureKind, RecordedRequest};
use crate::http::{Headers, HttpRequest, HttpResponse};
use crate::probe::requests::PlannedRequest;
use crate::probe::{run_all, send, ProbeOptions, Prober};
use crate::sim::testing::{raw_server, RawBehaviour};
use crate::sim::SimServer;

fn options() -> ProbeOptions {
    ProbeOptions {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        use_env_proxy: false,
        ..ProbeOptions::default()
    }
}

fn prober() -> Prober {
    Prober::new(options()).unwrap()
}

fn planned(
    id: &str,
    kind: ExchangeKind,
    method: &str,
    url: &str,
    headers: Headers,
) -> PlannedRequest {
    PlannedRequest {
        id: id.into(),
        kind,
        request: RecordedRequest {
            method: method.into(),
            url: url.into(),
            headers,
            body: None,
        },
    }
}

fn get(url: &str) -> PlannedRequest {
    planned(
        "x1",
        ExchangeKind::Actual,
        "GET",
        url,
        Headers::new().with("Origin", "https://app.example.com"),
    )
}

fn local(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

async fn sim(
    handler: impl Fn(HttpRequest) -> HttpResponse + Send + Sync + 'static,
    latency: Duration,
) -> SimServer {
    SimServer::start(local(0), Arc::new(handler), latency)
        .await
        .unwrap()
}

/// A port with nothing listening: bind, note the port, close.
async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(local(0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

#[tokio::test]
async fn requests_run_concurrently_and_keep_the_planned_order() {
    let server = sim(
        |req| HttpResponse {
            status: 200,
            headers: Headers::new().with("x-method", req.method.clone()),
            body: req.method.into_bytes(),
        },
        Duration::from_millis(200),
    )
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let plan = vec![
        planned(
            "x1",
            ExchangeKind::Preflight,
            "OPTIONS",
            &url,
            Headers::new(),
        ),
        planned("x2", ExchangeKind::Actual, "PUT", &url, Headers::new()),
        planned("x3", ExchangeKind::NoOrigin, "DELETE", &url, Headers::new()),
    ];
    let prober = prober();
    let start = Instant::now();
    let exchanges = run_all(&prober, plan).await;
    let elapsed = start.elapsed();
    // Sequentially this takes >= 600 ms; a loose bound keeps the test stable on busy machines.
    assert!(elapsed < Duration::from_millis(550), "took {elapsed:?}");
    let ids: Vec<_> = exchanges.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids, ["x1", "x2", "x3"]);
    let methods: Vec<_> = exchanges
        .iter()
        .map(|x| x.response.as_ref().unwrap().body_excerpt.as_str())
        .collect();
    assert_eq!(methods, ["OPTIONS", "PUT", "DELETE"]);
    for x in &exchanges {
        assert!(x.error.is_none());
        assert!(!x.predicted);
        assert!(x.elapsed_ms >= 190, "{x:?}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn request_headers_and_body_are_sent_as_recorded() {
    let server = sim(
        |req| {
            let seen: Vec<String> = req
                .headers
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            HttpResponse {
                status: 200,
                headers: Headers::new(),
                body: format!(
                    "{}\n{}",
                    seen.join("\n"),
                    String::from_utf8_lossy(&req.body)
                )
                .into_bytes(),
            }
        },
        Duration::ZERO,
    )
    .await;
    let mut p = planned(
        "x2",
        ExchangeKind::Actual,
        "POST",
        &format!("{}/items", server.base_url()),
        Headers::new()
            .with("Origin", "https://app.example.com")
            .with("X-Api-Key", "k")
            .with("X-Trace", "a")
            .with("X-Trace", "b"),
    );
    p.request.body = Some(r#"{"a":1}"#.into());
    let x = send(&prober(), &p).await;
    let body = x.response.unwrap().body_excerpt;
    assert!(body.contains("origin=https://app.example.com"), "{body}");
    assert!(body.contains("x-api-key=k"), "{body}");
    assert!(body.contains("x-trace=a\nx-trace=b"), "{body}");
    assert!(
        body.contains("user-agent=Mozilla/5.0 (compatible; cors-doctor/"),
        "{body}"
    );
    assert!(body.ends_with(r#"{"a":1}"#), "{body}");
    // What was added is recorded, so the exchange shows what was really sent.
    assert!(x
        .request
        .headers
        .get("user-agent")
        .unwrap()
        .contains("cors-doctor/"));
    assert_eq!(x.request.headers.get("accept"), Some("*/*"));
    server.shutdown().await;
}

#[tokio::test]
async fn a_user_agent_of_the_request_is_not_replaced() {
    let server = sim(
        |req| HttpResponse {
            status: 200,
            headers: Headers::new(),
            body: req
                .headers
                .get_all("user-agent")
                .collect::<Vec<_>>()
                .join("|")
                .into_bytes(),
        },
        Duration::ZERO,
    )
    .await;
    let p = planned(
        "x1",
        ExchangeKind::Actual,
        "GET",
        &server.base_url(),
        Headers::new().with("User-Agent", "Mozilla/5.0 (X11) Chrome/140"),
    );
    let x = send(&prober(), &p).await;
    assert_eq!(
        x.response.unwrap().body_excerpt,
        "Mozilla/5.0 (X11) Chrome/140"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn duplicate_allow_origin_headers_are_preserved_in_order() {
    let server = sim(
        |_| HttpResponse {
            status: 200,
            headers: Headers::new()
                .with("Access-Control-Allow-Origin", "https://app.example.com")
                .with("Access-Control-Allow-Origin", "*")
                .with("Vary", "Origin"),
            body: Vec::new(),
        },
        Duration::ZERO,
    )
    .await;
    let x = send(&prober(), &get(&server.base_url())).await;
    let response = x.response.unwrap();
    let acao: Vec<_> = response
        .headers
        .get_all("access-control-allow-origin")
        .collect();
    assert_eq!(acao, ["https://app.example.com", "*"]);
    let names: Vec<_> = response.headers.iter().map(|(n, _)| n).collect();
    let first_vary = names.iter().position(|n| *n == "vary").unwrap();
    assert!(first_vary > 1, "{names:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_redirected_preflight_is_recorded_not_followed() {
    let server = sim(
        |req| {
            if req.method == "OPTIONS" {
                HttpResponse {
                    status: 302,
                    headers: Headers::new().with("Location", "http://127.0.0.1:9/elsewhere"),
                    body: Vec::new(),
                }
            } else {
                HttpResponse {
                    status: 200,
                    ..Default::default()
                }
            }
        },
        Duration::ZERO,
    )
    .await;
    let p = planned(
        "x1",
        ExchangeKind::Preflight,
        "OPTIONS",
        &format!("{}/prod/items", server.base_url()),
        Headers::new()
            .with("Origin", "https://app.example.com")
            .with("Access-Control-Request-Method", "PUT"),
    );
    let x = send(&prober(), &p).await;
    assert!(x.error.is_none(), "{x:?}");
    let response = x.response.unwrap();
    assert_eq!(response.status, 302);
    assert_eq!(
        response.headers.get("location"),
        Some("http://127.0.0.1:9/elsewhere")
    );
    assert_eq!(x.kind, ExchangeKind::Preflight);
    server.shutdown().await;
}

#[tokio::test]
async fn a_huge_body_is_read_only_up_to_the_limit() {
    let addr = raw_server(RawBehaviour::Stream {
        total: 50 * 1024 * 1024,
        chunk: 64 * 1024,
        pause: Duration::ZERO,
    })
    .await
    .unwrap();
    let prober = prober();
    let start = Instant::now();
    let x = send(&prober, &get(&format!("http://{addr}/big"))).await;
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let response = x.response.unwrap();
    assert_eq!(response.status, 200);
    assert!(response.body_truncated);
    assert_eq!(response.body_excerpt.len(), prober.options().excerpt_bytes);
    assert!(x.error.is_none());
}

#[tokio::test]
async fn a_slow_endless_body_stops_at_the_timeout() {
    let addr = raw_server(RawBehaviour::Stream {
        total: 50 * 1024 * 1024,
        chunk: 100,
        pause: Duration::from_millis(20),
    })
    .await
    .unwrap();
    let prober = Prober::new(ProbeOptions {
        timeout: Duration::from_millis(400),
        ..options()
    })
    .unwrap();
    let start = Instant::now();
    let x = send(&prober, &get(&format!("http://{addr}/"))).await;
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    // The headers arrived: the exchange keeps them, the body is marked truncated.
    let response = x.response.unwrap();
    assert_eq!(response.status, 200);
    assert!(response.body_truncated);
    assert!(!response.body_excerpt.is_empty());
}

#[tokio::test]
async fn a_small_body_is_kept_whole() {
    let body = "{\"message\":\"ok é\"}";
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let addr = raw_server(RawBehaviour::Reply(reply.into_bytes()))
        .await
        .unwrap();
    let x = send(&prober(), &get(&format!("http://{addr}/"))).await;
    let response = x.response.unwrap();
    assert_eq!(response.body_excerpt, body);
    assert!(!response.body_truncated);
}

#[tokio::test]
async fn a_peer_that_does_not_speak_http_is_a_protocol_error() {
    let addr = raw_server(RawBehaviour::Garbage).await.unwrap();
    let x = send(&prober(), &get(&format!("http://{addr}/"))).await;
    assert!(x.response.is_none());
    let error = x.error.unwrap();
    assert_eq!(error.kind, FailureKind::Protocol, "{error:?}");
    assert!(
        error.message.contains("did not answer with valid HTTP"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn a_peer_that_hangs_up_is_a_protocol_error() {
    let addr = raw_server(RawBehaviour::Close).await.unwrap();
    let x = send(&prober(), &get(&format!("http://{addr}/"))).await;
    let error = x.error.unwrap();
    assert_eq!(error.kind, FailureKind::Protocol, "{error:?}");
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let addr = closed_port().await;
    let x = send(&prober(), &get(&format!("http://{addr}/"))).await;
    assert!(x.response.is_none());
    assert_eq!(x.answered_by, AnsweredBy::Unknown);
    let error = x.error.unwrap();
    assert_eq!(error.kind, FailureKind::Connect, "{error:?}");
    assert_eq!(
        error.message,
        format!("could not connect to {addr}: connection refused — is the server running?")
    );
}

#[tokio::test]
async fn a_silent_server_is_a_timeout() {
    let addr = raw_server(RawBehaviour::Silent {
        hold: Duration::from_secs(5),
    })
    .await
    .unwrap();
    let prober = Prober::new(ProbeOptions {
        timeout: Duration::from_millis(300),
        ..options()
    })
    .unwrap();
    let start = Instant::now();
    let x = send(&prober, &get(&format!("http://{addr}/"))).await;
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(290) && elapsed < Duration::from_secs(1),
        "{elapsed:?}"
    );
    let error = x.error.unwrap();
    assert_eq!(error.kind, FailureKind::Timeout, "{error:?}");
    assert!(
        error.message.starts_with("no response within 300 ms"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_a_tls_error() {
    let server = sim(
        |_| HttpResponse {
            status: 200,
            ..Default::default()
        },
        Duration::ZERO,
    )
    .await;
    let x = send(&prober(), &get(&format!("https://{}/", server.addr()))).await;
    let error = x.error.unwrap();
    assert_eq!(error.kind, FailureKind::Tls, "{error:?}");
    assert!(
        error.message.starts_with("TLS handshake with"),
        "{}",
        error.message
    );
    assert!(error.message.contains("try http://"), "{}", error.message);
    server.shutdown().await;
}

#[tokio::test]
async fn https_to_a_silently_closing_port_is_a_tls_error() {
    let addr = raw_server(RawBehaviour::Close).await.unwrap();
    let x = send(&prober(), &get(&format!("https://{addr}/"))).await;
    let error = x.error.unwrap();
    assert_eq!(error.kind, FailureKind::Tls, "{error:?}");
}

#[tokio::test]
async fn a_gateway_generated_answer_is_attributed_to_the_gateway() {
    let server = sim(
        |_| HttpResponse {
            status: 403,
            headers: Headers::new()
                .with("Content-Type", "application/json")
                .with("x-amzn-RequestId", "6f1c0b5e-0000-4000-8000-000000000000")
                .with("x-amzn-ErrorType", "MissingAuthenticationTokenException")
                .with("x-amz-apigw-id", "Abc123="),
            body: br#"{"message":"Missing Authentication Token"}"#.to_vec(),
        },
        Duration::ZERO,
    )
    .await;
    let p = planned(
        "x1",
        ExchangeKind::Preflight,
        "OPTIONS",
        &format!("{}/prod/items", server.base_url()),
        Headers::new()
            .with("Origin", "https://app.example.com")
            .with("Access-Control-Request-Method", "POST"),
    );
    let x = send(&prober(), &p).await;
    assert_eq!(x.status(), Some(403));
    assert_eq!(x.answered_by, AnsweredBy::Gateway);
    assert_eq!(
        x.gateway_error_type.as_deref(),
        Some("MissingAuthenticationTokenException")
    );
    assert_eq!(
        x.response.unwrap().body_excerpt,
        r#"{"message":"Missing Authentication Token"}"#
    );
    server.shutdown().await;
}

#[tokio::test]
async fn unsendable_requests_are_recorded_as_errors() {
    let x = send(
        &prober(),
        &planned(
            "x1",
            ExchangeKind::Actual,
            "G T",
            "http://127.0.0.1:9/",
            Headers::new(),
        ),
    )
    .await;
    assert_eq!(x.error.unwrap().kind, FailureKind::Other);
    let x = send(
        &prober(),
        &planned(
            "x1",
            ExchangeKind::Actual,
            "GET",
            "http://127.0.0.1:9/",
            Headers::new().with("Bad Name", "v"),
        ),
    )
    .await;
    assert!(x.error.unwrap().message.contains("not a valid header name"));
}

#[test]
fn excerpts_do_not_end_in_half_a_character() {
    use super::client::excerpt;
    assert_eq!(excerpt(&"aé".as_bytes()[..2], false), "a");
    assert_eq!(excerpt(&"a€".as_bytes()[..3], false), "a");
    assert_eq!(excerpt("a€".as_bytes(), false), "a€");
    assert_eq!(excerpt(b"a\xffb", true), "a\u{fffd}b");
}

#[tokio::test]
async fn the_request_head_on_the_wire_is_browser_shaped() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(local(0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let capture = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0);
            head.extend_from_slice(&buf[..n]);
        }
        stream
            .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        String::from_utf8(head).unwrap()
    });
    let p = planned(
        "x1",
        ExchangeKind::Preflight,
        "OPTIONS",
        &format!("http://{addr}/prod/items"),
        Headers::new()
            .with("origin", "https://app.example.com")
            .with("access-control-request-method", "PUT")
            .with("access-control-request-headers", "authorization,x-api-key"),
    );
    let x = send(&prober(), &p).await;
    assert_eq!(x.status(), Some(204));
    let head = capture.await.unwrap();
    assert!(
        head.starts_with("OPTIONS /prod/items HTTP/1.1\r\n"),
        "{head}"
    );
    // HTTP/1.1 names go out in Title-Case, as browsers send them; values untouched.
    assert!(
        head.contains("\r\nOrigin: https://app.example.com\r\n"),
        "{head}"
    );
    assert!(
        head.contains("\r\nAccess-Control-Request-Method: PUT\r\n"),
        "{head}"
    );
    assert!(
        head.contains("\r\nAccess-Control-Request-Headers: authorization,x-api-key\r\n"),
        "{head}"
    );
    assert!(
        !head.to_ascii_lowercase().contains("accept-encoding"),
        "{head}"
    );
    assert!(!head.to_ascii_lowercase().contains("cookie"), "{head}");
}
