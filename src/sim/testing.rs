//! Misbehaving servers for tests and demos: raw bytes over TCP on 127.0.0.1, no HTTP library
//! in the way. Every server stops by itself after [`RAW_SERVER_LIFETIME`].

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// How long a raw server (and each of its connections) lives at most.
pub const RAW_SERVER_LIFETIME: Duration = Duration::from_secs(30);
/// The most a raw server reads of a request head before answering.
const MAX_HEAD: usize = 64 * 1024;

/// What a raw server does with each connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawBehaviour {
    /// Reads the request head, writes these bytes verbatim, closes.
    Reply(Vec<u8>),
    /// Reads the request head and answers with text that is not HTTP.
    Garbage,
    /// Accepts and never sends a byte; the connection is held until `hold` passes.
    Silent { hold: Duration },
    /// Closes the connection as soon as the client's first bytes have arrived.
    Close,
    /// A `200` whose `content-length` is `total`, written in `chunk`-byte pieces with
    /// `pause` between them; stops early when the client goes away.
    Stream {
        total: u64,
        chunk: usize,
        pause: Duration,
    },
}

/// Starts a raw server on `127.0.0.1` (a free port) and returns its address.
pub async fn raw_server(script: RawBehaviour) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    let deadline = Instant::now() + RAW_SERVER_LIFETIME;
    tokio::spawn(async move {
        loop {
            let accepted = tokio::time::timeout_at(deadline, listener.accept()).await;
            let Ok(accepted) = accepted else { break };
            match accepted {
                Ok((stream, _)) => {
                    let script = script.clone();
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout_at(deadline, behave(stream, script)).await;
                    });
                }
                Err(e) => {
                    tracing::debug!(error = %e, "raw server accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    });
    Ok(addr)
}

async fn behave(mut stream: TcpStream, script: RawBehaviour) -> std::io::Result<()> {
    match script {
        RawBehaviour::Silent { hold } => {
            tokio::time::sleep(hold).await;
            Ok(())
        }
        RawBehaviour::Close => {
            // One read (a request head or a TLS ClientHello), then hang up.
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await?;
            Ok(())
        }
        RawBehaviour::Reply(bytes) => {
            read_head(&mut stream).await?;
            stream.write_all(&bytes).await?;
            stream.shutdown().await
        }
        RawBehaviour::Garbage => {
            read_head(&mut stream).await?;
            stream
                .write_all(b"SSH-2.0-OpenSSH_9.6\r\n\x00\x01\x02 this is not HTTP\r\n\r\n")
                .await?;
            stream.shutdown().await
        }
        RawBehaviour::Stream {
            total,
            chunk,
            pause,
        } => {
            read_head(&mut stream).await?;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {total}\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await?;
            let piece = vec![b'a'; chunk.max(1)];
            let mut left = total;
            while left > 0 {
                let n = usize::try_from(left).map_or(piece.len(), |l| l.min(piece.len()));
                stream.write_all(&piece[..n]).await?;
                left -= n as u64;
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
            }
            stream.shutdown().await
        }
    }
}

/// Reads until the end of a request head (`\r\n\r\n`), EOF, or [`MAX_HEAD`] bytes.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while head.len() < MAX_HEAD {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    Ok(())
}
