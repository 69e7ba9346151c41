//! Issue 10: right answers on APIs cors-doctor did not build. Each test drives the real binary
//! against moto (the API's configuration, on loopback) and, for live probes, an in-process
//! server that answers like API Gateway on a URL shaped like a custom domain's (a prefix in
//! front of the resource path).
//!
//! Needs MOTO_ENDPOINT (scripts/moto.sh); without it the moto tests print why and pass, unless
//! CORS_DOCTOR_REQUIRE_MOTO is set. The tests that need no moto always run.

use crate::common;
use crate::support as aws;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_apigateway::types::GatewayResponseType;
use aws_sdk_apigatewayv2::types as v2t;
use common::{Canned, FakeGateway};
use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;

mod config_and_attribution;
mod paths;
mod responses;

const ORIGIN: &str = "https://app.example.com";
const TOKEN: &str = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

/// A REST API in moto, built the way its owner did.
const PREFLIGHT_HEADERS: [(&str, &str); 3] = [
    ("Access-Control-Allow-Origin", "'https://app.example.com'"),
    ("Access-Control-Allow-Methods", "'GET,OPTIONS'"),
    (
        "Access-Control-Allow-Headers",
        "'authorization,content-type'",
    ),
];

impl aws::Rest {
    /// An open MOCK method whose 200 declares and maps `headers`.
    async fn open_method(&self, rid: &str, verb: &str, headers: &[(&str, &str)]) {
        let declared: Vec<&str> = headers.iter().map(|(h, _)| *h).collect();
        self.method(rid, verb, "NONE", None, &declared, headers)
            .await;
    }

    /// A resource `part` under `parent` with a CORS-ready OPTIONS and GET.
    async fn healthy(&self, parent: &str, part: &str) -> String {
        let rid = self.resource(parent, part).await;
        self.open_method(&rid, "OPTIONS", &PREFLIGHT_HEADERS).await;
        self.open_method(&rid, "GET", &PREFLIGHT_HEADERS[..1]).await;
        rid
    }

    async fn gateway_response(&self, t: GatewayResponseType, allow_origin: bool) {
        let mut g = self
            .c
            .put_gateway_response()
            .rest_api_id(&self.id)
            .response_type(t);
        if allow_origin {
            g = g.response_parameters(
                "gatewayresponse.header.Access-Control-Allow-Origin",
                format!("'{ORIGIN}'"),
            );
        } else {
            g = g.response_parameters("gatewayresponse.header.X-Request-Kind", "'gateway'");
        }
        g.send().await.unwrap();
    }
}

fn healthy_gateway() -> FakeGateway {
    FakeGateway {
        preflight: Canned::good_preflight(ORIGIN, "GET,OPTIONS", "authorization,content-type"),
        actual: Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .h("Vary", "Origin")
            .body("{}"),
        bare: None,
    }
}

/// `check URL --api-id ID --stage prod …` through the binary, sealed environment; the JSON
/// report (or `Null`), the exit status and everything printed.
async fn check(extra: &[&str], env: &[(&str, &str)]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["check", "--format", "json", "--origin", ORIGIN, "-H", TOKEN];
    args.extend_from_slice(extra);
    let out = aws::run_bin(&args, env).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        format!("{stdout}\n--- stderr ---\n{stderr}"),
    )
}

fn findings(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .collect()
}

fn finding<'a>(report: &'a serde_json::Value, code: &str) -> Option<&'a serde_json::Value> {
    findings(report).into_iter().find(|f| f["code"] == code)
}

fn commands(f: &serde_json::Value) -> String {
    f["remediation"]["commands"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn step_status(report: &serde_json::Value, n: u64) -> String {
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["number"] == n)
        .and_then(|s| s["status"].as_str())
        .unwrap_or("?")
        .to_string()
}
