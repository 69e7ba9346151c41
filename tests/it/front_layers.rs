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

/// `--resolve HOST:PORT:ADDR`: a custom domain reached on loopback by the probes, as before
/// the domain's DNS record exists: the request goes to the domain's name, so the domain's
/// layer answers (its no-mapping 403). Chromium follows the same mapping
/// (`--host-resolver-rules`): from an `http:` page its Local Network Access check names the
/// target a loopback address, which only the mapping makes it (the name itself resolves
/// nowhere). From the scenario's `https:` page the `http:` URL is mixed content: the engine
/// and Chromium both refuse it before anything is sent. A `--resolve` for another host is a
/// usage error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_takes_the_probes_and_chromium_to_a_custom_domain_on_loopback() {
    let s = Scenario::by_name("custom-domain-no-mapping").expect("scenario");
    let domain = s
        .spec
        .front
        .custom_domain
        .as_ref()
        .expect("a custom domain")
        .domain_name
        .clone();
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        sim::gateway::scenario_handler(&s),
        Duration::ZERO,
    )
    .await
    .expect("bind");
    let port = server.addr().port();
    let url = format!("http://{domain}:{port}{}", s.url_path());
    let resolve = format!("{domain}:{port}:127.0.0.1");
    // The same request from an `http:` page (the simulator serves `http:` only).
    let mut from_http = s.clone();
    from_http.spec.request.origin = "http://app.example.com".into();
    let run = |extra: Vec<String>, scenario: &Scenario| {
        let mut a = common::args(&["check", "--format", "json"]);
        a.extend(extra);
        a.extend(request_flags(scenario, &url));
        common::cors_doctor(a)
    };
    let json = |out: &std::process::Output| {
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let raw = format!(
            "{stdout}\n--- stderr ---\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_default();
        (report, raw)
    };
    // Another host than the URL's: refused before anything is sent.
    let out = run(
        common::args(&["--resolve", &format!("other.example.com:{port}:127.0.0.1")]),
        &from_http,
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--resolve") && stderr.contains("the URL's host is"),
        "{stderr}"
    );
    // The probes.
    let (report, raw) = json(&run(common::args(&["--resolve", &resolve]), &from_http).await);
    let expect = &s.spec.expect;
    if let Some(p) = &expect.preflight {
        assert_eq!(
            status_of(&report, "preflight"),
            Some(u64::from(p.status)),
            "{raw}"
        );
    }
    assert_eq!(
        status_of(&report, "actual"),
        Some(u64::from(expect.actual.status)),
        "{raw}"
    );
    assert!(
        common::codes(&report)
            .iter()
            .any(|c| c == "CUSTOM_DOMAIN_NO_MAPPING"),
        "{raw}"
    );
    // Chromium.
    if std::env::var_os("CORS_DOCTOR_REQUIRE_CHROMIUM").is_none()
        && cors_doctor::browser::Chromium::launch(Default::default())
            .await
            .is_err()
    {
        eprintln!(
            "SKIPPED the retest: no Chromium (CORS_DOCTOR_REQUIRE_CHROMIUM=1 makes it a failure)"
        );
        server.shutdown().await;
        return;
    }
    let (report, raw) = json(
        &run(
            common::args(&["--resolve", &resolve, "--browser"]),
            &from_http,
        )
        .await,
    );
    assert_eq!(report["browser"]["source"], "chromium", "{raw}");
    assert_eq!(
        report["browser"]["cors_error"], "InsecureLocalNetwork",
        "{}",
        report["browser"]
    );
    // From the `https:` page: mixed content. The engine refuses it before anything is sent
    // (no probe, no retest)…
    let (report, raw) = json(&run(common::args(&["--resolve", &resolve]), &s).await);
    assert_eq!(report["browser"]["outcome"], "refused", "{raw}");
    assert!(
        report["exchanges"].as_array().is_some_and(|x| x.is_empty()),
        "{raw}"
    );
    assert!(
        common::codes(&report).iter().any(|c| c == "FETCH_REFUSED"),
        "{raw}"
    );
    assert!(raw.contains("mixed content"), "{raw}");
    // …and so does Chromium, reaching the name through the mapping or not: refused, with
    // the console line the engine predicts.
    let chromium = cors_doctor::browser::Chromium::launch(cors_doctor::browser::LaunchOptions {
        resolve: vec![(domain.clone(), Ipv4Addr::LOCALHOST.into())],
        ..Default::default()
    })
    .await
    .expect("Chromium starts");
    let target = cors_doctor::target::Target {
        url: url::Url::parse(&url).expect("url"),
        origin: s.spec.request.origin.clone(),
        method: s.spec.request.method.clone(),
        headers: s
            .spec
            .request
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        body: s.spec.request.body.clone(),
        credentials: s.spec.request.credentials,
    };
    let seen = chromium.retest(&target).await;
    chromium.close().await;
    server.shutdown().await;
    let seen = seen.expect("a retest");
    assert_eq!(
        seen.outcome,
        cors_doctor::cors::Outcome::Refused,
        "{seen:?}"
    );
    let console = seen.console_message.unwrap_or_default();
    assert!(
        console.starts_with("Mixed Content: The page at 'https://app.example.com/")
            && console.contains(&format!("requested an insecure resource '{url}'")),
        "{console}"
    );
}
