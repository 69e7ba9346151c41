//! Every scenario: served by the simulator and diagnosed live, and diagnosed offline from its
//! export alone, gives the same first failing step and codes, and both match what the scenario
//! documents.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cors_doctor::app::scenario_plan;
use cors_doctor::aws::file::OpenApiFile;
use cors_doctor::aws::ConfigSource;
use cors_doctor::config::Config;
use cors_doctor::diagnose::Severity;
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::plan::TargetArgs;
use cors_doctor::report::Report;
use cors_doctor::runner;
use cors_doctor::sim::{self, SimServer};

fn asset(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/scenarios")
        .join(format!("{name}.json"))
}

/// Codes of error and warning findings (info findings vary with the evidence's source).
fn codes(r: &Report) -> Vec<String> {
    let mut c: Vec<String> = r
        .steps
        .iter()
        .flat_map(|s| s.findings.iter())
        .filter(|f| f.severity != Severity::Info)
        .map(|f| f.code.to_string())
        .collect();
    c.sort();
    c.dedup();
    c
}

async fn live(s: &Scenario) -> Report {
    let handler = sim::gateway::scenario_handler(s);
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .expect("bind");
    let plan = scenario_plan(s, &server.base_url()).expect("plan");
    let source = cors_doctor::app::config_source(&plan).expect("source");
    assert!(
        source.is_some(),
        "the demo's plan names its scenario as configuration"
    );
    let report = runner::run(&plan, source, None).await.expect("live run");
    server.shutdown().await;
    report
}

async fn offline(s: &Scenario) -> Report {
    let req = &s.spec.request;
    let args = TargetArgs {
        openapi: Some(asset(&s.name)),
        path: Some(req.path.clone()),
        stage: Some(s.spec.stage.clone()),
        ..TargetArgs::scenario_request(req)
    };
    let plan = args.resolve(&Config::default()).expect("plan");
    assert!(!plan.live);
    let source: Arc<dyn ConfigSource> =
        Arc::new(OpenApiFile::open(&asset(&s.name)).expect("the export opens"));
    runner::run(&plan, Some(source), None)
        .await
        .expect("offline run")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_and_offline_diagnoses_agree_and_match_each_scenario() {
    let scenarios = Scenario::all().expect("scenarios load");
    assert!(scenarios.len() >= 12);
    let mut failures = Vec::new();
    for s in &scenarios {
        let live = live(s).await;
        let offline = offline(s).await;
        assert!(
            offline.exchanges.iter().all(|x| x.predicted),
            "{}: offline exchanges must be predicted",
            s.name
        );
        assert!(live.exchanges.iter().all(|x| !x.predicted), "{}", s.name);
        let expect = &s.spec.expect;
        let (lc, oc) = (codes(&live), codes(&offline));
        let mut problems = Vec::new();
        // Offline, the URL is the API's own execute-api endpoint, which never meets a custom
        // domain in front (`gateway::behavior::predict`): the domain's own failure is live
        // only, and the offline run sees the API behind it.
        let same_path = s.spec.front.custom_domain.is_none();
        if !same_path
            && offline.steps.iter().any(|st| {
                st.findings
                    .iter()
                    .any(|f| f.code.to_string().starts_with("CUSTOM_DOMAIN_"))
            })
        {
            problems.push("offline, on execute-api, a custom-domain finding".into());
        }
        if same_path && live.first_failing_step != offline.first_failing_step {
            problems.push(format!(
                "first failing step: live {:?}, offline {:?}",
                live.first_failing_step, offline.first_failing_step
            ));
        }
        if same_path && lc != oc {
            problems.push(format!("codes: live {lc:?}, offline {oc:?}"));
        }
        if live.first_failing_step != expect.first_failing_step {
            problems.push(format!(
                "first failing step {:?}, scenario expects {:?}",
                live.first_failing_step, expect.first_failing_step
            ));
        }
        for want in &expect.codes {
            if !lc.contains(want) {
                problems.push(format!("missing {want} (got {lc:?})"));
            }
        }
        if expect.first_failing_step.is_none() && live.exit_code() != 0 {
            problems.push("a healthy scenario must exit 0".into());
        }
        let statuses = |r: &Report| {
            r.exchanges
                .iter()
                .map(|x| (x.kind, x.status()))
                .collect::<Vec<_>>()
        };
        if same_path && statuses(&live) != statuses(&offline) {
            problems.push(format!(
                "statuses: live {:?}, offline {:?}",
                statuses(&live),
                statuses(&offline)
            ));
        }
        for (how, r) in [("live", &live), ("offline", &offline)] {
            problems.extend(cause_not_first(r).map(|p| format!("{how}: {p}")));
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", s.name, problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// In the first failing step, an error that names a cause comes before any error that only
/// describes a symptom, and the step's summary is that cause.
fn cause_not_first(r: &Report) -> Option<String> {
    let step = r.first_failing_step.and_then(|n| r.step(n))?;
    let errors: Vec<_> = step
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    let first = errors.first()?;
    if errors.iter().any(|f| f.code.is_cause()) && !first.code.is_cause() {
        return Some(format!(
            "step {}: the symptom {} comes before the cause",
            step.number, first.code
        ));
    }
    (step.summary != first.message).then(|| {
        format!(
            "step {}: the summary is not the first error ({})",
            step.number, first.code
        )
    })
}

/// `header-declared-not-mapped`: the cause (HEADER_NOT_MAPPED) is the first thing step 5
/// says, before the browser's symptom (PREFLIGHT_CORS_HEADERS).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cause_comes_before_the_symptom() {
    let s = Scenario::all()
        .expect("scenarios load")
        .into_iter()
        .find(|s| s.name == "header-declared-not-mapped")
        .expect("the scenario");
    for r in [live(&s).await, offline(&s).await] {
        let step = r.step(5).expect("step 5");
        let codes: Vec<String> = step.findings.iter().map(|f| f.code.to_string()).collect();
        assert_eq!(
            codes.first().map(String::as_str),
            Some("HEADER_NOT_MAPPED"),
            "{codes:?}"
        );
        let symptom = codes.iter().position(|c| c == "PREFLIGHT_CORS_HEADERS");
        assert!(symptom.is_none_or(|i| i > 0), "{codes:?}");
        assert!(
            step.summary.contains("does not map a value"),
            "{}",
            step.summary
        );
    }
}
