//! The preview must hold (issue 14): for every scenario, live (the simulator) and offline (its
//! export), as documented and with credentials `include`, every change the findings propose,
//! applied to a copy of the model and replayed through the behaviour model, flips the browser's
//! verdict to allowed — and never by weakening security (authorization only ever off on
//! OPTIONS: the change types hold that; never `*` with credentials: checked here).

use cors_doctor::cors::Outcome;
use cors_doctor::gateway::change::Change;
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::report::{PreviewResult, Report};
use cors_doctor::target::CredentialsMode;

use crate::scenarios::{live, offline};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_preview_flips_the_verdict_to_allowed() {
    let scenarios = Scenario::all().expect("scenarios load");
    assert!(scenarios.len() >= 12);
    let mut failures = Vec::new();
    let mut flipped = 0;
    for s in &scenarios {
        let include = with_credentials(s);
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
