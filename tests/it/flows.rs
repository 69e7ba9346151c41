//! The path of each exchange (issue 18) through the real binary: `flows` in the JSON report,
//! one line per exchange under "Paths" in the text report, a mermaid sequence diagram per
//! exchange in Markdown — the same flows, from the same verdict.

use crate::common;

use std::time::Duration;

use common::{args, check_json, cors_doctor, Canned, FakeGateway};

const ORIGIN: &str = "https://app.example.com";

async fn demo(scenario: &str, format: &str) -> String {
    let out = cors_doctor(args(&["demo", scenario, "--format", format])).await;
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn an_authorizer_on_options_in_every_format() {
    let json: serde_json::Value =
        serde_json::from_str(&demo("options-cognito-authorizer", "json").await).unwrap();
    let flows = json["flows"].as_array().expect("flows");
    assert_eq!(flows.len(), json["exchanges"].as_array().unwrap().len());
    let pf = &flows[0];
    assert_eq!(pf["exchange"], "x1");
    assert_eq!(pf["kind"], "preflight");
    let hops = pf["hops"].as_array().unwrap();
    let answered: Vec<&serde_json::Value> =
        hops.iter().filter(|h| h["state"] == "answered").collect();
    assert_eq!(answered.len(), 1, "{pf:#}");
    assert_eq!(answered[0]["layer"], "authorizer");
    assert_eq!(answered[0]["status"], 401);
    // One source: the block point and the hidden status are the browser section's.
    assert_eq!(pf["blocked_at"]["request"], "preflight");
    assert_eq!(
        pf["blocked_at"]["cors_error"],
        json["browser"]["cors_error"]
    );
    assert_eq!(pf["hidden_status"], json["browser"]["hidden_status"]);
    assert_eq!(flows[1]["browser"], "never-sends");
    assert!(flows[1].get("blocked_at").is_none());

    let text = demo("options-cognito-authorizer", "text").await;
    let paths = text.split("\nPaths\n").nth(1).expect("a Paths section");
    assert!(
        paths.starts_with(
            "  x1 preflight: browser → API Gateway prod → route OPTIONS /profile → ✘ 401 authorizer"
        ),
        "{paths}"
    );
    // Wrapped at the piped width (100 columns).
    for line in paths.split("\nExchanges\n").next().unwrap().lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }

    let md = demo("options-cognito-authorizer", "markdown").await;
    assert!(md.contains("### Paths"), "{md}");
    let diagrams: Vec<&str> = md.split("```mermaid\n").skip(1).collect();
    assert_eq!(diagrams.len(), flows.len(), "{md}");
    for d in diagrams {
        let d = d.split("```").next().unwrap();
        assert!(
            d.starts_with("sequenceDiagram\n    participant B as Browser\n"),
            "{d}"
        );
    }
    assert!(
        md.contains("Note over B: CORS error#58; the browser blocks the preflight"),
        "{md}"
    );
}

#[tokio::test]
async fn a_preflight_cloudfront_refuses_stops_at_cloudfront() {
    let server = FakeGateway {
        preflight: Canned::new(403)
            .h("content-type", "text/html")
            .h("Via", "1.1 d111111abcdef8.cloudfront.net (CloudFront)")
            .h("X-Cache", "Error from cloudfront")
            .h("X-Amz-Cf-Pop", "FRA56-P1")
            .body("<HTML><BODY>403 ERROR</BODY></HTML>"),
        actual: Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .h("Via", "1.1 d111111abcdef8.cloudfront.net (CloudFront)")
            .h("X-Cache", "Miss from cloudfront"),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let (_, json, out) = check_json(&[
        &url,
        "--origin",
        ORIGIN,
        "-H",
        "Authorization: Bearer abc.def",
        "--no-aws",
    ])
    .await;
    let flows = json["flows"].as_array().unwrap_or_else(|| panic!("{out}"));
    let pf = &flows[0];
    assert_eq!(pf["answered_by"], "cloudfront", "{out}");
    let hops = pf["hops"].as_array().unwrap();
    assert_eq!(hops.len(), 1, "{pf:#}");
    assert_eq!(hops[0]["layer"], "cloudfront");
    assert_eq!(hops[0]["label"], "CloudFront (Error)");
    assert_eq!(hops[0]["state"], "answered");
    assert_eq!(hops[0]["status"], 403);
    assert_eq!(pf["hidden_status"], 403);
    // The actual request went through CloudFront to API Gateway and the integration.
    let layers: Vec<&str> = flows[1]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["layer"].as_str().unwrap())
        .collect();
    assert_eq!(
        layers,
        ["cloudfront", "api-gateway", "backend"],
        "{:#}",
        flows[1]
    );
    assert!(!out.contains("abc.def"), "secrets stay masked");
    // CloudFront's own error to the preflight is the cause, at step 3: the API's OPTIONS is
    // never reached.
    assert_eq!(json["first_failing_step"], 3, "{out}");
    let step3 = json["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["number"] == 3))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        step3.to_string().contains("CLOUDFRONT_ERROR_NO_CORS"),
        "{step3:#}"
    );
}

/// Every mermaid diagram the Markdown report draws (each scenario's, and a CloudFront answer
/// with characters mermaid's grammar takes as syntax) through Mermaid's own parser
/// (scripts/install-mermaid.sh; scripts/test.sh sets CORS_DOCTOR_MERMAID). A diagram it
/// rejects fails, and a broken one is checked to fail, so the parser really runs.
#[tokio::test]
async fn mermaids_own_parser_accepts_every_diagram() {
    let Some(dir) = std::env::var_os("CORS_DOCTOR_MERMAID") else {
        assert!(
            std::env::var_os("CORS_DOCTOR_REQUIRE_MERMAID").is_none(),
            "CORS_DOCTOR_REQUIRE_MERMAID is set but CORS_DOCTOR_MERMAID is not"
        );
        eprintln!(
            "SKIPPED: set CORS_DOCTOR_MERMAID to the directory scripts/install-mermaid.sh prints"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut expected = 0;
    for name in cors_doctor::gateway::scenario::Scenario::names() {
        let md = demo(name, "markdown").await;
        let json: serde_json::Value = serde_json::from_str(&demo(name, "json").await).unwrap();
        expected += json["flows"].as_array().map_or(0, Vec::len);
        let file = tmp.path().join(format!("{name}.md"));
        std::fs::write(&file, md).unwrap();
        files.push(file);
    }
    // CloudFront's answer with `;`, `#`, quotes, `:` and `<>` in its headers.
    let server = FakeGateway {
        preflight: Canned::new(403)
            .h("X-Cache", "Error from cloudfront")
            .h("X-Amz-Cf-Pop", "A;B#\"C:<x>%{}`"),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let out = cors_doctor(args(&[
        "check",
        &url,
        "--origin",
        ORIGIN,
        "-H",
        "Authorization: Bearer abc.def",
        "--no-aws",
        "--format",
        "markdown",
    ]))
    .await;
    let md = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(md.contains("#59;"), "{md}");
    expected += md.matches("```mermaid").count();
    let file = tmp.path().join("cloudfront.md");
    std::fs::write(&file, md).unwrap();
    files.push(file);

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/mermaid-parse.mjs");
    let run = |files: Vec<std::path::PathBuf>| {
        let dir = dir.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                std::process::Command::new("node")
                    .arg(script)
                    .args(&files)
                    .env("CORS_DOCTOR_MERMAID", dir)
                    .output()
                    .expect("run node")
            })
            .await
            .unwrap()
        }
    };
    let out = run(files).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("parsed {expected} diagrams, 0 failed")),
        "{stdout}"
    );
    // The control: a diagram mermaid cannot take is rejected.
    let bad = tmp.path().join("bad.md");
    std::fs::write(
        &bad,
        "```mermaid\nsequenceDiagram\n    participant B as Browser\n    B->>H1 a;b: x\n```\n",
    )
    .unwrap();
    let out = run(vec![bad]).await;
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
