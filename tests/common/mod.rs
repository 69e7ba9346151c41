//! Shared helpers for the integration tests: an in-process server that answers like API
//! Gateway, and a runner for the real binary.
#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;

/// A canned answer.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Canned {
    pub fn new(status: u16) -> Self {
        Canned {
            status,
            headers: vec![],
            body: String::new(),
        }
    }
    pub fn h(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    /// An answer produced by API Gateway itself (a gateway response), REST API style.
    pub fn gateway(status: u16, error_type: &str, message: &str) -> Self {
        Canned::new(status)
            .h("content-type", "application/json")
            .h("x-amzn-RequestId", "8d5ff0a2-0000-4000-8000-000000000001")
            .h("x-amzn-ErrorType", error_type)
            .h("x-amz-apigw-id", "Ab1Cd2Ef3Gh=")
            .body(&format!("{{\"message\":\"{message}\"}}"))
    }
    /// An answer that went through the integration (MOCK, Lambda proxy, HTTP backend).
    pub fn integration(status: u16) -> Self {
        Canned::new(status)
            .h("content-type", "application/json")
            .h("x-amzn-RequestId", "8d5ff0a2-0000-4000-8000-000000000002")
            .h("x-amz-apigw-id", "Ab1Cd2Ef3Gh=")
    }
    pub fn body(mut self, b: &str) -> Self {
        self.body = b.to_string();
        self
    }
    /// The usual good preflight answer for `origin`.
    pub fn good_preflight(origin: &str, methods: &str, headers: &str) -> Self {
        Canned::integration(200)
            .h("Access-Control-Allow-Origin", origin)
            .h("Access-Control-Allow-Methods", methods)
            .h("Access-Control-Allow-Headers", headers)
    }
    fn response(&self) -> HttpResponse {
        let mut h = Headers::new();
        for (n, v) in &self.headers {
            h.push(*n, v.clone());
        }
        HttpResponse {
            status: self.status,
            headers: h,
            body: self.body.clone().into_bytes(),
        }
    }
}

/// Answers OPTIONS with `preflight`, requests with `Origin` with `actual`, and requests
/// without `Origin` with `bare` (default: the same as `actual`).
pub struct FakeGateway {
    pub preflight: Canned,
    pub actual: Canned,
    pub bare: Option<Canned>,
}

impl FakeGateway {
    pub async fn start(self, latency: Duration) -> SimServer {
        let this = Arc::new(self);
        let handler = Arc::new(move |req: HttpRequest| -> HttpResponse { this.answer(&req) });
        SimServer::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), handler, latency)
            .await
            .expect("bind a loopback port")
    }

    fn answer(&self, req: &HttpRequest) -> HttpResponse {
        if req.method == "OPTIONS" {
            self.preflight.response()
        } else if req.headers.contains("origin") {
            self.actual.response()
        } else {
            self.bare.as_ref().unwrap_or(&self.actual).response()
        }
    }
}

/// A gateway that answers as `before` until `flipped` is set, then as `after` (a fix
/// deployed between two runs), recording every request it sees.
pub struct Flipping {
    pub server: SimServer,
    pub flipped: Arc<AtomicBool>,
    pub seen: Arc<Mutex<Vec<HttpRequest>>>,
}

impl Flipping {
    pub async fn start(before: FakeGateway, after: FakeGateway) -> Flipping {
        let flipped = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (f, s) = (flipped.clone(), seen.clone());
        let handler = Arc::new(move |req: HttpRequest| -> HttpResponse {
            s.lock().unwrap().push(req.clone());
            if f.load(Ordering::SeqCst) {
                after.answer(&req)
            } else {
                before.answer(&req)
            }
        });
        let server = SimServer::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            handler,
            Duration::ZERO,
        )
        .await
        .expect("bind a loopback port");
        Flipping {
            server,
            flipped,
            seen,
        }
    }

    pub fn flip(&self) {
        self.flipped.store(true, Ordering::SeqCst);
    }

    /// The methods of the requests seen so far, in order.
    pub fn methods(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.method.clone())
            .collect()
    }
}

/// Runs the real binary with `args` (off the async runtime) and returns its output.
pub async fn cors_doctor(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args(&args)
            .env("NO_COLOR", "1")
            .env(
                "XDG_CONFIG_HOME",
                std::env::temp_dir().join("cors-doctor-tests-no-config"),
            )
            .env(
                "XDG_STATE_HOME",
                std::env::temp_dir().join("cors-doctor-tests-state"),
            )
            .output()
            .expect("run cors-doctor")
    })
    .await
    .expect("join")
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Runs `check … --format json` and parses the report.
pub async fn check_json(extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut a = args(&["check", "--format", "json"]);
    a.extend(extra.iter().map(|s| s.to_string()));
    let out = cors_doctor(a).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        format!("{stdout}\n--- stderr ---\n{stderr}"),
    )
}

/// The finding codes of a report, in step order.
pub fn codes(report: &serde_json::Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}
