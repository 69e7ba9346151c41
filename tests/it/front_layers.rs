//! Every scenario with layers in front of the API (`front`: CloudFront, a custom domain, AWS
//! WAF, a private API, a Lambda function URL): served by the simulator and diagnosed through
//! the real binary with a real headless Chromium (`check URL --browser`). Chromium's verdict
//! must match the engine's (no "DISAGREE"), and the statuses the probes saw must be the ones
//! the scenario documents.

use crate::common;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::sim::{self, SimServer};
use cors_doctor::target::CredentialsMode;

/// The `check` flags of a scenario's request (the app's method, headers, body, credentials).
fn request_flags(s: &Scenario, url: &str) -> Vec<String> {
    let req = &s.spec.request;
    let mut a = common::args(&[url, "--origin", &req.origin, "-X", &req.method]);
    for (k, v) in &req.headers {
        a.push("-H".into());
        a.push(format!("{k}: {v}"));
    }
    if let Some(body) = &req.body {
        a.push("-d".into());
        a.push(body.clone());
    }
    let credentials = match req.credentials {
        CredentialsMode::Omit => "omit",
        CredentialsMode::SameOrigin => "same-origin",
        CredentialsMode::Include => "include",
    };
    a.extend(common::args(&["--credentials", credentials]));
    a
}

/// The status of the report's exchange of `kind`, if it has one.
fn status_of(report: &serde_json::Value, kind: &str) -> Option<u64> {
    report["exchanges"]
        .as_array()?
        .iter()
        .find(|x| x["kind"] == kind)
        .and_then(|x| x["response"]["status"].as_u64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_front_scenario_chromium_agrees_with_the_engine() {
    let fronted: Vec<Scenario> = Scenario::all()
        .expect("scenarios load")
        .into_iter()
        .filter(|s| !s.spec.front.is_empty())
        .collect();
    // CloudFront (5), custom domain, resource policy, WAF (2), function URL, private API,
    // load balancer: the test is never vacuous.
    assert!(
        fronted.len() >= 12,
        "{} scenarios with a front",
        fronted.len()
    );
    if std::env::var_os("CORS_DOCTOR_REQUIRE_CHROMIUM").is_none()
        && cors_doctor::browser::Chromium::launch(Default::default())
            .await
            .is_err()
    {
        eprintln!(
            "SKIPPED: no Chromium (set CORS_DOCTOR_REQUIRE_CHROMIUM=1 to make this a failure)"
        );
        return;
    }
    let mut failures = Vec::new();
    for s in &fronted {
        let server = SimServer::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            sim::gateway::scenario_handler(s),
            Duration::ZERO,
        )
        .await
        .expect("bind");
        let url = format!("{}{}", server.base_url(), s.url_path());
        let mut a = common::args(&["check", "--format", "json", "--browser"]);
        a.extend(request_flags(s, &url));
        let out = common::cors_doctor(a).await;
        server.shutdown().await;
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let raw = format!(
            "{stdout}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
        let mut problems = Vec::new();
        if report["browser"]["source"] != "chromium" {
            problems.push(format!("Chromium did not retest: {}", report["browser"]));
        }
        if raw.contains("DISAGREE") {
            problems.push("Chromium and the engine disagree".to_string());
        }
        let expect = &s.spec.expect;
        if let Some(p) = &expect.preflight {
            if status_of(&report, "preflight") != Some(u64::from(p.status)) {
                problems.push(format!(
                    "preflight status {:?}, scenario expects {}",
                    status_of(&report, "preflight"),
                    p.status
                ));
            }
        }
        if status_of(&report, "actual") != Some(u64::from(expect.actual.status)) {
            problems.push(format!(
                "actual status {:?}, scenario expects {}",
                status_of(&report, "actual"),
                expect.actual.status
            ));
        }
        let blocked = report["browser"]["outcome"] == "blocked";
        let healthy = expect.first_failing_step.is_none();
        if healthy && blocked {
            problems.push("a healthy scenario is blocked".to_string());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}\n{raw}", s.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
