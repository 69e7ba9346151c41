//! Bad input of every kind gets a clear message, no panic, and no hang past the timeout.

use crate::common;

use std::time::{Duration, Instant};

use common::{args, check_json, cors_doctor};
use cors_doctor::sim::testing::{raw_server, RawBehaviour};

const ORIGIN: &str = "https://app.example.com";

async fn usage_error(list: &[&str], expect: &str) {
    let out = cors_doctor(args(list)).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{list:?}: {stderr}");
    assert!(
        stderr.contains(expect),
        "{list:?}: stderr does not mention {expect:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn invalid_arguments_are_usage_errors() {
    usage_error(&["check", "not a url", "--origin", ORIGIN], "invalid URL").await;
    usage_error(
        &["check", "ftp://h.example/x", "--origin", ORIGIN],
        "unsupported URL scheme",
    )
    .await;
    usage_error(
        &[
            "check",
            "http://127.0.0.1:9/x",
            "--origin",
            "app.example.com",
        ],
        "invalid origin",
    )
    .await;
    usage_error(
        &[
            "check",
            "http://127.0.0.1:9/x",
            "--origin",
            "https://a.example/page",
        ],
        "no path",
    )
    .await;
    usage_error(
        &[
            "check",
            "http://127.0.0.1:9/x",
            "--origin",
            ORIGIN,
            "-H",
            "NoColon",
        ],
        "malformed header",
    )
    .await;
    usage_error(&["check", "http://127.0.0.1:9/x"], "--origin is required").await;
    usage_error(
        &[
            "check",
            "http://127.0.0.1:9/x",
            "--origin",
            ORIGIN,
            "--credentials",
            "always",
        ],
        "unknown credentials mode",
    )
    .await;
    usage_error(&["check", "--origin", ORIGIN], "give the URL").await;
    usage_error(
        &[
            "check",
            "http://127.0.0.1:9/x",
            "--origin",
            ORIGIN,
            "--timeout",
            "0",
        ],
        "timeout",
    )
    .await;
}

#[tokio::test]
async fn an_invalid_config_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[request]\norigin = \"https://a.example\"\nmethod = GET\n",
    )
    .unwrap();
    let p = path.to_string_lossy().to_string();
    usage_error(
        &["check", "http://127.0.0.1:9/x", "--config", &p],
        &format!("{p}:3:10"),
    )
    .await;
    std::fs::write(&path, "[requets]\n").unwrap();
    usage_error(&["check", "http://127.0.0.1:9/x", "--config", &p], ":1:2").await;
    usage_error(
        &[
            "check",
            "http://127.0.0.1:9/x",
            "--config",
            "/nonexistent/cors-doctor.toml",
        ],
        "cannot read config file",
    )
    .await;
}

#[tokio::test]
async fn the_config_supplies_defaults_that_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "[request]\norigin = \"https://from-config.example\"\nmethod = \"PUT\"\n[probe]\ntimeout_secs = 2\n").unwrap();
    let p = path.to_string_lossy().to_string();
    let (_, report, raw) = check_json(&["http://127.0.0.1:9/x", "--config", &p]).await;
    assert_eq!(
        report["target"]["origin"], "https://from-config.example",
        "{raw}"
    );
    assert_eq!(report["target"]["method"], "PUT", "{raw}");
    let (_, report, raw) =
        check_json(&["http://127.0.0.1:9/x", "--config", &p, "-X", "DELETE"]).await;
    assert_eq!(report["target"]["method"], "DELETE", "{raw}");
}

/// Runs a check against `addr` and returns the report and how long it took.
async fn against(
    scheme: &str,
    addr: std::net::SocketAddr,
    extra: &[&str],
) -> (i32, serde_json::Value, String, Duration) {
    let url = format!("{scheme}://{addr}/prod/items");
    let mut flags = vec![url.as_str(), "--origin", ORIGIN];
    flags.extend_from_slice(extra);
    let start = Instant::now();
    let (code, report, raw) = check_json(&flags).await;
    (code, report, raw, start.elapsed())
}

fn first_failing(report: &serde_json::Value) -> Option<u64> {
    report["first_failing_step"].as_u64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_failures_are_diagnosed_not_crashed() {
    // Unreachable: a port nothing listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (code, report, raw, _) = against("http", closed, &[]).await;
    assert_eq!(code, 1, "{raw}");
    assert_eq!(first_failing(&report), Some(1), "{raw}");
    assert_eq!(
        report["steps"][0]["findings"][0]["code"], "NETWORK_ERROR",
        "{raw}"
    );
    assert!(raw.contains("connection refused"), "{raw}");
    assert_eq!(report["browser"]["outcome"], "network-error", "{raw}");

    // TLS to a plain HTTP server.
    let plain = raw_server(RawBehaviour::Reply(
        b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec(),
    ))
    .await
    .unwrap();
    let (code, _, raw, _) = against("https", plain, &[]).await;
    assert_eq!(code, 1, "{raw}");
    assert!(raw.contains("TLS"), "{raw}");

    // A server that never answers: bounded by --timeout.
    let silent = raw_server(RawBehaviour::Silent {
        hold: Duration::from_secs(20),
    })
    .await
    .unwrap();
    let (code, _, raw, took) = against("http", silent, &["--timeout", "1"]).await;
    assert_eq!(code, 1, "{raw}");
    assert!(raw.contains("no response within"), "{raw}");
    assert!(took < Duration::from_secs(8), "took {took:?}");

    // Garbage instead of HTTP.
    let garbage = raw_server(RawBehaviour::Garbage).await.unwrap();
    let (code, _, raw, _) = against("http", garbage, &[]).await;
    assert_eq!(code, 1, "{raw}");
    assert!(raw.contains("valid HTTP"), "{raw}");

    // A 50 MB body is cut, not read whole.
    let huge = raw_server(RawBehaviour::Stream {
        total: 50 * 1024 * 1024,
        chunk: 64 * 1024,
        pause: Duration::ZERO,
    })
    .await
    .unwrap();
    let (_, report, raw, took) = against("http", huge, &[]).await;
    assert_eq!(report["exchanges"][0]["response"]["status"], 200, "{raw}");
    assert_eq!(
        report["exchanges"][0]["response"]["body_truncated"], true,
        "{raw}"
    );
    assert!(
        raw.len() < 200_000,
        "the report carries the body: {} bytes",
        raw.len()
    );
    assert!(took < Duration::from_secs(8), "took {took:?}");
}
