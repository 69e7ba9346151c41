//! The preview must hold (issue 14): for every scenario, live (the simulator) and offline (its
//! export), as documented and with credentials `include`, every change the findings propose,
//! applied to a copy of the model and replayed through the behaviour model, flips the browser's
//! verdict to allowed — and never by weakening security (authorization only ever off on
//! OPTIONS: the change types hold that; never `*` with credentials: checked here).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cors_doctor::app::scenario_plan;
use cors_doctor::aws::file::OpenApiFile;
use cors_doctor::aws::ConfigSource;
use cors_doctor::config::Config;
use cors_doctor::cors::Outcome;
use cors_doctor::gateway::change::Change;
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::plan::TargetArgs;
use cors_doctor::report::{PreviewResult, Report};
use cors_doctor::runner;
use cors_doctor::sim::{self, SimServer};
use cors_doctor::target::CredentialsMode;

/// The scenario served by the simulator, diagnosed live with its API as the configuration
/// (as `demo` runs it), with the preview.
async fn live(s: &Scenario) -> Report {
    let handler = sim::gateway::scenario_handler(s);
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .expect("bind");
    let mut plan = scenario_plan(s, &server.base_url()).expect("plan");
    plan.preview = true;
    let source = cors_doctor::app::config_source(&plan).expect("source");
    let report = runner::run(&plan, source, None).await.expect("live run");
    server.shutdown().await;
    report
}

/// The scenario diagnosed offline from its export alone, with the preview.
async fn offline(s: &Scenario) -> Report {
    let req = &s.spec.request;
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/scenarios")
        .join(format!("{}.json", s.name));
    let args = TargetArgs {
        openapi: Some(file.clone()),
        path: Some(req.path.clone()),
        stage: Some(s.spec.stage.clone()),
        ..TargetArgs::scenario_request(req)
    };
    let mut plan = args.resolve(&Config::default()).expect("plan");
    plan.preview = true;
    let source: Arc<dyn ConfigSource> =
        Arc::new(OpenApiFile::open(&file).expect("the export opens"));
    runner::run(&plan, Some(source), None)
        .await
        .expect("offline run")
}

/// What is wrong with `report`'s preview (empty: it holds).
fn problems(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let Some(p) = &report.preview else {
        return vec!["no preview".to_string()];
    };
    let blocked = report.browser.outcome != Outcome::Allowed;
    match (blocked, p.result) {
        (true, PreviewResult::Allowed) | (false, PreviewResult::AlreadyAllowed) => {}
        (false, PreviewResult::Allowed) => {}
        (_, r) => out.push(format!(
            "preview {r:?} (before: {:?}); after: {:?}; notes: {:?}",
            report.browser.outcome,
            p.report.as_ref().map(|r| (
                r.browser.outcome,
                r.first_failing_step,
                r.steps
                    .iter()
                    .flat_map(|s| s.findings.iter().map(|f| f.code.to_string()))
                    .collect::<Vec<_>>()
            )),
            p.notes
        )),
    }
    if blocked {
        let after = p.report.as_ref().map(|r| r.browser.outcome);
        if after != Some(Outcome::Allowed) {
            out.push(format!("the predicted verdict is {after:?}, not allowed"));
        }
        if p.changes.is_empty() {
            out.push("allowed without any change".to_string());
        }
    }
    if p.notes.iter().any(|n| n.contains("could not be applied")) {
        out.push(format!("a change was refused: {:?}", p.notes));
    }
    let credentials = report.target.credentials == "include";
    for c in &p.changes {
        let star = match &c.change {
            Change::MapResponseHeaders { headers, .. }
            | Change::GatewayResponseHeaders { headers, .. } => headers.iter().any(|h| {
                h.name.eq_ignore_ascii_case("access-control-allow-origin") && h.value == "*"
            }),
            Change::SetCorsConfiguration { cors } => cors.allow_origins.iter().any(|o| o == "*"),
            _ => false,
        };
        if credentials && star {
            out.push(format!("`*` with credentials: {:?}", c.change));
        }
    }
    out
}

fn with_credentials(s: &Scenario) -> Scenario {
    let mut s = s.clone();
    s.spec.request.credentials = CredentialsMode::Include;
    s
}

/// Scenarios whose fix is no change to a configuration cors-doctor writes: where the app
/// calls a private API from (its VPC endpoint) or its endpoint type, a load balancer's
/// targets. Their preview must say there is nothing to preview, never flip the verdict.
const NOTHING_TO_PREVIEW: &[&str] = &["private-api-outside-vpc", "load-balancer-target-unhealthy"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_preview_flips_the_verdict_to_allowed() {
    let scenarios = Scenario::all().expect("scenarios load");
    assert!(scenarios.len() >= 12);
    let mut failures = Vec::new();
    let mut flipped = 0;
    for s in &scenarios {
        let include = with_credentials(s);
        if NOTHING_TO_PREVIEW.contains(&s.name.as_str()) {
            for (how, report) in [("live", live(s).await), ("offline", offline(s).await)] {
                let p = report.preview.as_ref();
                if !p.is_some_and(|p| {
                    p.result == PreviewResult::NotPreviewed && p.changes.is_empty()
                }) {
                    failures.push(format!(
                        "{} ({how}): a fix outside the configuration, yet the preview is {:?}",
                        s.name,
                        p.map(|p| (p.result, &p.notes))
                    ));
                }
            }
            continue;
        }
        let runs = [
            ("live", live(s).await),
            ("offline", offline(s).await),
            ("live, credentials include", live(&include).await),
            ("offline, credentials include", offline(&include).await),
        ];
        for (how, report) in &runs {
            let p = problems(report);
            if report.browser.outcome != Outcome::Allowed && p.is_empty() {
                flipped += 1;
            }
            if !p.is_empty() {
                failures.push(format!("{} ({how}):\n  {}", s.name, p.join("\n  ")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Most scenarios are broken: their previews flip (not a vacuous pass).
    assert!(
        flipped >= 30,
        "only {flipped} previews flipped a blocked verdict"
    );
}

/// The preview's report has the same shape as the report itself (seven steps, predicted
/// exchanges with the same ids) and says what it changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_predicted_report_has_the_report_shape() {
    let s = Scenario::by_name("options-missing").expect("scenario");
    let report = offline(&s).await;
    let p = report.preview.as_ref().expect("preview");
    let after = p.report.as_ref().expect("predicted report");
    assert_eq!(after.steps.len(), 7);
    assert!(after.exchanges.iter().all(|x| x.predicted));
    let ids = |r: &Report| r.exchanges.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(after), ids(&report));
    assert!(p
        .changes
        .iter()
        .any(|c| c.finding.as_str() == "OPTIONS_MISSING"
            && matches!(c.change, Change::CreateOptionsMethod { .. })));
    let json = serde_json::to_value(&report).expect("json");
    assert_eq!(json["preview"]["changes"][0]["finding"], "OPTIONS_MISSING");
    assert_eq!(
        json["preview"]["changes"][0]["change"]["kind"],
        "create_options_method"
    );
    assert_eq!(json["preview"]["report"]["browser"]["outcome"], "allowed");
    assert_eq!(
        json["preview"]["report"]["steps"].as_array().map(Vec::len),
        Some(7)
    );
}

/// Without `--preview` (plan.preview false) nothing is computed and the JSON has no preview;
/// with it, the preview is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_preview_unless_asked() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/options-missing.json"
    );
    let flags = [
        "--openapi",
        file,
        "--path",
        "/orders",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--origin",
        "https://app.example.com",
        "--no-aws",
    ];
    let (code, report, raw) = crate::common::check_json(&flags).await;
    assert_eq!(code, 1, "{raw}");
    assert!(report.get("preview").is_none(), "{raw}");
    let mut with = flags.to_vec();
    with.push("--preview");
    let (code, report, raw) = crate::common::check_json(&with).await;
    assert_eq!(
        code, 1,
        "the exit code is the diagnosis's, not the preview's: {raw}"
    );
    assert_eq!(report["preview"]["result"], "allowed", "{raw}");
}

/// Text and Markdown carry a before → after section; a blocked preview would say so loudly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_and_markdown_show_before_and_after() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/options-missing.json"
    );
    for format in ["text", "markdown"] {
        let mut a = crate::common::args(&["check", "--format", format, "--no-color"]);
        a.extend(
            [
                "--openapi",
                file,
                "--path",
                "/orders",
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "--origin",
                "https://app.example.com",
                "--no-aws",
                "--preview",
            ]
            .iter()
            .map(|s| s.to_string()),
        );
        let out = crate::common::cors_doctor(a).await;
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("the fix works"), "{format}: {text}");
        assert!(!text.contains("STILL BLOCKS"), "{format}: {text}");
        assert!(text.contains("create OPTIONS /orders"), "{format}: {text}");
        // The preview's row of step 3 (the report's own step list comes first).
        let row = text
            .lines()
            .rfind(|l| l.contains("3. Verify OPTIONS exists and is deployed"))
            .unwrap_or_default();
        let (fail, pass) = (row.find("✘ FAIL"), row.rfind("✔ pass"));
        assert!(
            fail.is_some() && pass.is_some() && fail < pass,
            "{format}: {row}"
        );
        assert!(text.contains("ALLOWED"), "{format}: {text}");
    }
}

/// A fix that lives in the backend's code (a Lambda proxy must return the header itself) is
/// assumed made and the preview says so; where API Gateway's own settings suffice, nothing is
/// assumed about the (known) backend.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_fix_is_assumed_out_loud_and_only_when_needed() {
    let notes = |r: &Report| {
        r.preview
            .as_ref()
            .map(|p| p.notes.clone())
            .unwrap_or_default()
    };
    let lambda = live(&Scenario::by_name("lambda-proxy-no-allow-origin").expect("scenario")).await;
    assert!(
        notes(&lambda)
            .iter()
            .any(|n| n.contains("ACTUAL_CORS_HEADERS asks for a change in the backend's code")),
        "{:?}",
        notes(&lambda)
    );
    let http = live(&Scenario::by_name("http-api-default-route-jwt").expect("scenario")).await;
    assert!(
        !notes(&http).iter().any(|n| n.contains("backend")),
        "{:?}",
        notes(&http)
    );
}

/// The same must-hold from infrastructure code: each template fixture that mirrors a scenario
/// (CloudFormation, SAM, CDK, Serverless; `--template`), as documented and with credentials
/// `include`, previews allowed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_template_preview_flips_the_verdict_to_allowed() {
    use cors_doctor::aws::file::DefinitionOptions;
    let mut failures = Vec::new();
    for (file, name) in crate::templates::MIRRORS {
        let s = Scenario::by_name(name).expect("scenario");
        for s in [s.clone(), with_credentials(&s)] {
            let req = &s.spec.request;
            let template = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/templates")
                .join(file);
            let args = TargetArgs {
                template: Some(template.clone()),
                path: Some(req.path.clone()),
                stage: Some(s.spec.stage.clone()),
                ..TargetArgs::scenario_request(req)
            };
            let mut plan = args.resolve(&Config::default()).expect("plan");
            plan.preview = true;
            let options = DefinitionOptions {
                path: Some(req.path.clone()),
                ..DefinitionOptions::default()
            };
            let source: Arc<dyn ConfigSource> = Arc::new(
                OpenApiFile::open_template(&template, &options).unwrap_or_else(|e| panic!("{e}")),
            );
            let report = runner::run(&plan, Some(source), None)
                .await
                .expect("offline run");
            let p = problems(&report);
            if !p.is_empty() {
                failures.push(format!(
                    "{file} ({}):\n  {}",
                    report.target.credentials,
                    p.join("\n  ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
