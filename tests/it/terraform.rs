//! Terraform plans (`tests/fixtures/terraform/*/plan.json`, made by the real `terraform plan`
//! from `main.tf` beside each: `scripts/terraform-fixtures.py`): each scenario's plan imports
//! to an API that the offline diagnosis judges exactly as the scenario's own export, and as the
//! scenario documents; the trap "methods changed, deployment without triggers" leaves the
//! change undeployed.

use std::path::PathBuf;
use std::sync::Arc;

use cors_doctor::cors::Mode;
use cors_doctor::diagnose::{Diagnosis, Severity};
use cors_doctor::gateway::model::{Api, Element};
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::gateway::terraform;
use cors_doctor::http::Headers;
use cors_doctor::rules;
use cors_doctor::target::Target;

fn fixture(name: &str) -> (String, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(name)
        .join("plan.json");
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    (text, format!("tests/fixtures/terraform/{name}/plan.json"))
}

fn import_one(name: &str) -> Api {
    let (text, file) = fixture(name);
    let mut apis = terraform::import(&text, &file).expect("the plan imports");
    assert_eq!(apis.len(), 1, "{name}: one API");
    apis.remove(0)
}

/// The scenario's request as a target.
fn target(s: &Scenario) -> Target {
    let req = &s.spec.request;
    let mut headers = Headers::new();
    for (k, v) in &req.headers {
        headers.push(k.clone(), v.clone());
    }
    let url = url::Url::parse(&format!(
        "https://api-id.execute-api.us-east-1.amazonaws.com{}",
        s.url_path()
    ))
    .expect("url");
    Target {
        url,
        origin: req.origin.clone(),
        method: req.method.clone(),
        headers,
        body: req.body.clone(),
        credentials: req.credentials,
    }
}

fn codes(d: &Diagnosis) -> Vec<String> {
    let mut c: Vec<String> = d
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

fn diagnose(api: Api, s: &Scenario) -> (Option<u8>, Vec<String>) {
    let api = Arc::new(api);
    let t = target(s);
    let (_, d) = rules::diagnose_request(
        &api,
        Some(s.stage()),
        &s.spec.request.path,
        &t,
        Some(s.backend()),
        Mode::default(),
    );
    (d.first_failing_step, codes(&d))
}

#[test]
fn every_scenario_as_a_terraform_plan_is_diagnosed_as_the_scenario() {
    let mut failures = Vec::new();
    for s in Scenario::all().expect("scenarios") {
        // A plan mirrors the API only: the layers a scenario puts in front of it (a custom
        // domain, a resource policy …) are not in it, and the scenario's expectation rests on them.
        if !s.spec.front.is_empty() {
            continue;
        }
        let api = import_one(&s.name);
        assert!(!api.sources.is_empty(), "{}: sources are recorded", s.name);
        let from_plan = diagnose(api, &s);
        let from_export = diagnose(s.api.clone(), &s);
        let expect = &s.spec.expect;
        let mut problems = Vec::new();
        if from_plan != from_export {
            problems.push(format!("plan {from_plan:?}, export {from_export:?}"));
        }
        if from_plan.0 != expect.first_failing_step {
            problems.push(format!(
                "first failing step {:?}, scenario expects {:?}",
                from_plan.0, expect.first_failing_step
            ));
        }
        for want in &expect.codes {
            if !from_plan.1.contains(want) {
                problems.push(format!("missing {want} (got {:?})", from_plan.1));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {}", s.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_openapi_body_imports_like_the_resources() {
    let s = Scenario::by_name("rest-healthy").expect("scenario");
    let body = import_one("rest-healthy-body");
    let resources = import_one("rest-healthy");
    let paths = |a: &Api| {
        a.resources
            .iter()
            .flat_map(|r| {
                r.methods
                    .iter()
                    .map(|m| format!("{} {}", m.http_method, r.path))
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&body), paths(&resources));
    assert_eq!(diagnose(body, &s), diagnose(resources, &s));
}

#[test]
fn methods_changed_without_triggers_stay_undeployed() {
    let api = import_one("trap-deployment-no-triggers");
    let stage = api.stage("prod").expect("stage prod");
    let d = api
        .deployment(stage.deployment_id.as_deref().expect("deployment id"))
        .expect("the stage's deployment");
    assert_eq!(d.redeployed_on_change, Some(false));
    let snapshot = d
        .snapshot
        .as_ref()
        .expect("the stage serves the old deployment");
    let old = snapshot
        .resources
        .iter()
        .find(|r| r.path == "/bookings")
        .and_then(|r| r.method("OPTIONS"))
        .and_then(|m| m.integration.as_ref())
        .and_then(|i| i.responses.first())
        .and_then(|r| r.mapped_header("Access-Control-Allow-Origin"));
    assert_eq!(old, Some("'https://old.example.com'"));
    // The browser at app.example.com is refused by what the stage serves.
    let s = Scenario::by_name("rest-healthy").expect("scenario");
    let (step, codes) = diagnose(api.clone(), &s);
    assert_eq!(step, Some(5), "{codes:?}");
    // lint names the undeployed change, as an error, at the deployment's line.
    let found = rules::check(&api, &Default::default(), &rules::Options::default());
    let undeployed = found
        .iter()
        .find(|f| f.code.as_str() == "UNDEPLOYED_CHANGES")
        .expect("UNDEPLOYED_CHANGES");
    assert_eq!(undeployed.severity, Severity::Error);
    assert!(
        undeployed.message.contains("OPTIONS /bookings"),
        "{}",
        undeployed.message
    );
    let src = undeployed.source.as_ref().expect("source");
    assert_eq!(
        src.resource.as_deref(),
        Some("aws_api_gateway_deployment.this")
    );
    let (text, _) = fixture("trap-deployment-no-triggers");
    let line = text
        .lines()
        .nth(src.line as usize - 1)
        .expect("the line exists");
    assert!(
        line.contains("\"aws_api_gateway_deployment.this\""),
        "{line}"
    );
}

#[test]
fn options_not_deployed_is_the_plan_adding_options_to_an_old_deployment() {
    let api = import_one("options-not-deployed");
    let stage = api.stage("prod").expect("stage");
    let d = api
        .deployment(stage.deployment_id.as_deref().expect("id"))
        .expect("deployment");
    let snap = d.snapshot.as_ref().expect("snapshot");
    let deployed = snap
        .resources
        .iter()
        .find(|r| r.path == "/products/{id}")
        .expect("resource");
    assert!(deployed.method("OPTIONS").is_none());
    assert!(api
        .resource("/products/{id}")
        .and_then(|r| r.method("OPTIONS"))
        .is_some());
}

#[test]
fn sources_point_at_addresses_and_lines() {
    let (text, _) = fixture("options-cognito-authorizer");
    let api = import_one("options-cognito-authorizer");
    let src = api
        .source_of(&Element::Method {
            path: "/profile".into(),
            verb: "OPTIONS".into(),
        })
        .expect("source");
    assert_eq!(
        src.resource.as_deref(),
        Some("aws_api_gateway_method.profile_options")
    );
    let line = text.lines().nth(src.line as usize - 1).expect("line");
    assert!(
        line.contains("aws_api_gateway_method.profile_options"),
        "{line}"
    );
    // A plan written on one line (as terraform show -json writes it) points at line 1.
    let one_line = import_one("options-missing");
    assert!(one_line.sources.iter().all(|l| l.source.line == 1));
}

/// `check --template plan.json` reads a Terraform plan as it reads a template: the scenario's
/// cause is found, and the finding points at the plan's address and line.
#[test]
fn a_plan_is_checked_through_template() {
    let (_, file) = fixture("options-missing");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(&file);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(["check", "--template"])
        .arg(&path)
        .args([
            "--path",
            "/orders",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--origin",
            "https://app.example.com",
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["api"]["config_source"], "template");
    let f = json["steps"][2]["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == "OPTIONS_MISSING"))
        .expect("OPTIONS_MISSING at step 3");
    assert!(
        f["source"]["resource"]
            .as_str()
            .is_some_and(|r| r.starts_with("aws_api_gateway_")),
        "{f}"
    );
    assert!(f["source"]["line"].as_u64().is_some_and(|l| l >= 1), "{f}");
}
