//! Hostile servers on 127.0.0.1: an echoing one and raw ones that misbehave.

use super::*;

/// A server that echoes every request back: each request header as `x-echo-<name>`, and the
/// request line, headers and body in the response body. It reflects the Origin, so the
/// browser would read all of it; it also sets a cookie of its own.
pub(super) async fn echo_server() -> SimServer {
    let handler = Arc::new(|req: HttpRequest| -> HttpResponse {
        let mut headers = Headers::new();
        let origin = req.headers.get("origin").unwrap_or(ORIGIN).to_string();
        headers.push("Access-Control-Allow-Origin", origin);
        headers.push("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
        headers.push(
            "Access-Control-Allow-Headers",
            "authorization, x-api-key, content-type, x-amz-security-token, proxy-authorization",
        );
        headers.push("Access-Control-Allow-Credentials", "true");
        headers.push("x-amzn-RequestId", "8d5ff0a2-0000-4000-8000-000000000009");
        headers.push("Set-Cookie", format!("srv={COOKIE}; Secure; SameSite=None"));
        let mut body = format!("{} {}\n", req.method, req.path_and_query);
        for (n, v) in req.headers.iter() {
            headers.push(format!("x-echo-{n}"), v.to_string());
            body.push_str(&format!("{n}: {v}\n"));
        }
        body.push_str(&String::from_utf8_lossy(&req.body));
        HttpResponse {
            status: 200,
            headers,
            body: body.into_bytes(),
        }
    });
    SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .expect("bind a loopback port")
}

#[derive(Clone)]
pub(super) enum Raw {
    Reply(Vec<u8>),
    Silent,
    Stream,
}

/// A raw TCP server on 127.0.0.1: reads a request head (at most 64 KB), then behaves. It
/// lives as long as the test's runtime; each connection at most 20 s.
pub(super) async fn raw(behaviour: Raw) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let behaviour = behaviour.clone();
            tokio::spawn(tokio::time::timeout(Duration::from_secs(20), async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                match behaviour {
                    Raw::Reply(bytes) => {
                        let _ = stream.write_all(&bytes).await;
                    }
                    Raw::Silent => tokio::time::sleep(Duration::from_secs(20)).await,
                    Raw::Stream => {
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 52428800\r\n\r\n")
                            .await;
                        let chunk = vec![b'a'; 64 * 1024];
                        for _ in 0..800 {
                            if stream.write_all(&chunk).await.is_err() {
                                break;
                            }
                        }
                    }
                }
                let _ = stream.shutdown().await;
            }));
        }
    });
    addr
}

pub(super) fn reply(status_line: &str, headers: &[(&str, &str)], body: &str) -> Raw {
    let mut r = format!("HTTP/1.1 {status_line}\r\n");
    for (n, v) in headers {
        r.push_str(&format!("{n}: {v}\r\n"));
    }
    r.push_str(&format!("content-length: {}\r\n\r\n{body}", body.len()));
    Raw::Reply(r.into_bytes())
}
