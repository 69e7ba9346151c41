//! Turns a reqwest error into a [`TransportError`] a user can act on, by walking the error's
//! source chain (reqwest → hyper-util → hyper / io → rustls).

use std::error::Error as StdError;
use std::io;
use std::time::Duration;

use crate::evidence::{FailureKind, TransportError};
use crate::probe::client::ProbeOptions;

type DynError = dyn StdError + 'static;

/// Every error in the chain, outermost first. `io::Error::source()` skips the error it wraps
/// (it returns the wrapped error's source), so wrapped errors are added explicitly: that is
/// where rustls errors hide.
fn chain(err: &DynError) -> Vec<&DynError> {
    let mut out: Vec<&DynError> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        if out.len() >= 32 {
            break; // a cyclic or absurdly deep chain
        }
        out.push(e);
        next = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &DynError),
            None => e.source(),
        };
    }
    out
}

/// The chain as one line, outermost first, repeated segments removed.
pub(crate) fn chain_message(err: &DynError) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in chain(err) {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// The innermost non-empty message: usually the one that says what went wrong.
fn root_message(err: &DynError) -> String {
    chain(err)
        .iter()
        .rev()
        .map(|e| e.to_string())
        .find(|m| !m.is_empty())
        .unwrap_or_else(|| err.to_string())
}

/// `5 s`, `300 ms`, `1.5 s`.
pub(crate) fn human_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

pub(crate) fn timeout_error(timeout: Duration) -> TransportError {
    TransportError {
        kind: FailureKind::Timeout,
        message: format!("no response within {}", human_duration(timeout)),
    }
}

/// `host:port` of the URL, for messages.
fn endpoint(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

fn error(kind: FailureKind, message: String) -> TransportError {
    TransportError { kind, message }
}

pub(crate) fn classify(
    err: &reqwest::Error,
    url: &url::Url,
    opts: &ProbeOptions,
) -> TransportError {
    let errors = chain(err);
    let at = endpoint(url);
    let https = url.scheme() == "https";

    if let Some(tls) = errors
        .iter()
        .find_map(|e| e.downcast_ref::<rustls::Error>())
    {
        return error(FailureKind::Tls, tls_message(tls, &at));
    }

    if err.is_timeout() {
        return if err.is_connect() {
            error(
                FailureKind::Timeout,
                format!(
                    "could not connect to {at} within {}: nothing answered (wrong host or port, a firewall, or a private endpoint?)",
                    human_duration(opts.connect_timeout)
                ),
            )
        } else {
            error(
                FailureKind::Timeout,
                format!(
                    "no response within {} from {at}",
                    human_duration(opts.timeout)
                ),
            )
        };
    }

    let dns = err.is_dns()
        || errors
            .iter()
            .any(|e| e.to_string().starts_with("dns error"));
    if dns {
        let host = url.host_str().unwrap_or("?");
        return error(
            FailureKind::Dns,
            format!(
                "could not resolve host '{host}': {} — check the spelling; a private API or custom domain may only resolve inside its VPC",
                root_message(err)
            ),
        );
    }

    let io_kind = errors
        .iter()
        .find_map(|e| e.downcast_ref::<io::Error>())
        .map(io::Error::kind);

    if err.is_connect() {
        if https && looks_like_tls_failure(&errors, io_kind) {
            return error(
                FailureKind::Tls,
                format!(
                    "TLS handshake with {at} failed: {} — is this port serving HTTPS? (for plain HTTP use http://)",
                    root_message(err)
                ),
            );
        }
        let message = match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => {
                format!("could not connect to {at}: connection refused — is the server running?")
            }
            Some(io::ErrorKind::ConnectionReset) => format!(
                "could not connect to {at}: the connection was reset — a firewall or proxy may be rejecting it"
            ),
            Some(io::ErrorKind::HostUnreachable) | Some(io::ErrorKind::NetworkUnreachable) => {
                format!(
                    "could not connect to {at}: {} — check the network connection and VPN",
                    root_message(err)
                )
            }
            _ => format!("could not connect to {at}: {}", root_message(err)),
        };
        return error(FailureKind::Connect, message);
    }

    if let Some(hyper_err) = errors.iter().find_map(|e| e.downcast_ref::<hyper::Error>()) {
        if hyper_err.is_parse() || hyper_err.is_parse_status() {
            let hint = if https {
                ""
            } else {
                " (if this port serves HTTPS, use https://)"
            };
            return error(
                FailureKind::Protocol,
                format!(
                    "the server at {at} did not answer with valid HTTP: {}{hint}",
                    root_message(err)
                ),
            );
        }
        if hyper_err.is_incomplete_message() {
            return error(
                FailureKind::Protocol,
                format!("the server at {at} closed the connection before sending a complete HTTP response"),
            );
        }
    }

    if matches!(io_kind, Some(io::ErrorKind::ConnectionReset)) {
        return error(
            FailureKind::Protocol,
            format!("the server at {at} reset the connection before answering"),
        );
    }

    error(
        FailureKind::Other,
        format!("request to {at} failed: {}", chain_message(err)),
    )
}

fn looks_like_tls_failure(errors: &[&DynError], io_kind: Option<io::ErrorKind>) -> bool {
    matches!(
        io_kind,
        Some(io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData)
    ) || errors.iter().any(|e| {
        let m = e.to_string().to_ascii_lowercase();
        m.contains("tls") || m.contains("handshake")
    })
}

fn tls_message(err: &rustls::Error, at: &str) -> String {
    use rustls::Error as E;
    match err {
        E::InvalidMessage(_) | E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => format!(
            "TLS handshake with {at} failed: {err} — the server does not speak TLS on this port (plain HTTP? try http://)"
        ),
        E::InvalidCertificate(_) => format!(
            "TLS handshake with {at} failed: the server's certificate was rejected ({err})"
        ),
        E::NoCertificatesPresented => format!(
            "TLS handshake with {at} failed: the server presented no certificate"
        ),
        E::AlertReceived(alert) => format!(
            "TLS handshake with {at} failed: the server refused the handshake (alert {alert:?})"
        ),
        _ => format!("TLS handshake with {at} failed: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_secs(5)), "5 s");
        assert_eq!(human_duration(Duration::from_millis(300)), "300 ms");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5 s");
    }

    #[test]
    fn chains_see_through_io_errors() {
        let inner = rustls::Error::General("boom".into());
        let io = io::Error::new(io::ErrorKind::InvalidData, inner);
        let found = chain(&io)
            .iter()
            .any(|e| e.downcast_ref::<rustls::Error>().is_some());
        assert!(found);
        assert_eq!(chain_message(&io), "unexpected error: boom");
    }
}
