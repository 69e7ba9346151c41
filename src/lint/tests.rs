use serde_json::Value;

use super::*;

fn fixture(name: &str) -> LintInput {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    load_text(&text, name).unwrap()
}

fn report(names: &[&str], origins: &[&str]) -> (LintReport, Vec<LintInput>) {
    let inputs: Vec<LintInput> = names.iter().map(|n| fixture(n)).collect();
    let options = rules::Options {
        origins: origins.iter().map(|o| o.to_string()).collect(),
        ..rules::Options::default()
    };
    (lint(&inputs, &options), inputs)
}

#[test]
fn inputs_are_told_apart_by_content() {
    assert_eq!(
        fixture("tests/fixtures/terraform/options-missing/plan.json").kind,
        InputKind::TerraformPlan
    );
    assert_eq!(
        fixture("assets/scenarios/options-missing.json").kind,
        InputKind::Scenario
    );
    assert_eq!(
        fixture("tests/fixtures/templates/sam-options-missing.yaml").kind,
        InputKind::Cloudformation
    );
    assert_eq!(
        fixture("tests/fixtures/templates/cdk-rest-healthy.template.json").kind,
        InputKind::Cloudformation
    );
    let export = r#"{"openapi":"3.0.1","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\":200}"},"responses":{"default":{"statusCode":"200"}}},"responses":{"200":{"description":"ok"}}}}}}"#;
    assert_eq!(
        load_text(export, "e.json").unwrap().kind,
        InputKind::Openapi
    );
    let yaml = "openapi: 3.0.1\ninfo:\n  title: t\n  version: '1'\npaths: {}\n";
    assert_eq!(load_text(yaml, "e.yaml").unwrap().kind, InputKind::Openapi);
    for (text, want) in [
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
            "defines no API Gateway API",
        ),
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Api: [\n",
            "t.json:",
        ),
        ("{\n  \"a\": ", "t.json:2:"),
        ("[package]\nname = 'x'\n", "neither a Terraform plan"),
        (
            r#"{"format_version":"1.2","planned_values":{"root_module":{}}}"#,
            "defines no API Gateway API",
        ),
    ] {
        let e = load_text(text, "t.json").unwrap_err().to_string();
        assert!(e.contains(want), "{text}: {e}");
    }
}

#[test]
fn exit_codes_follow_the_most_severe_finding() {
    let (broken, _) = report(&["tests/fixtures/terraform/options-missing/plan.json"], &[]);
    assert_eq!(broken.exit_code(), 1);
    let (healthy, _) = report(&["tests/fixtures/terraform/rest-healthy/plan.json"], &[]);
    assert_eq!(healthy.summary.errors, 0);
    assert_eq!(healthy.exit_code(), 0);
}

#[test]
fn json_report_has_the_documented_fields() {
    let (r, inputs) = report(
        &["tests/fixtures/terraform/options-cognito-authorizer/plan.json"],
        &["https://app.example.com"],
    );
    let v: Value = serde_json::from_str(&r.render(LintFormat::Json, &inputs)).unwrap();
    assert_eq!(v["schema"], SCHEMA);
    assert_eq!(v["origins"][0], "https://app.example.com");
    assert_eq!(v["files"][0]["input"], "terraform-plan");
    assert_eq!(v["files"][0]["apis"][0]["kind"], "rest");
    assert_eq!(v["summary"]["apis"], 1);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "OPTIONS_AUTHORIZED")
        .unwrap();
    assert_eq!(f["severity"], "error");
    assert_eq!(f["step"], 4);
    assert_eq!(f["route"]["path"], "/profile");
    assert_eq!(f["route"]["method"], "GET");
    assert_eq!(
        f["source"]["resource"],
        "aws_api_gateway_method.profile_options"
    );
    assert!(f["source"]["line"].as_u64().unwrap() > 1);
}

/// The SARIF 2.1.0 fields GitHub code scanning requires, checked one by one.
#[test]
fn sarif_is_structurally_valid() {
    let (r, inputs) = report(
        &[
            "tests/fixtures/terraform/options-cognito-authorizer/plan.json",
            "assets/scenarios/options-missing.json",
        ],
        &[],
    );
    let v: Value = serde_json::from_str(&r.render(LintFormat::Sarif, &inputs)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "cors-doctor");
    let rules: Vec<&Value> = driver["rules"].as_array().unwrap().iter().collect();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for rule in &rules {
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
        assert!(!rule["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert!(["error", "warning", "note"]
            .contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()));
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), r.findings.len());
    let mut physical_lines = 0;
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id, "ruleIndex points at the rule");
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0];
        let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.contains('\\') && !uri.contains(' '), "{uri}");
        if let Some(line) = loc["physicalLocation"]["region"]["startLine"].as_u64() {
            assert!(line >= 1);
            physical_lines += 1;
        } else {
            // No line recorded (an export): the API and route as a logical location.
            assert!(uri.ends_with("options-missing.json"), "{uri}");
        }
        assert!(!loc["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    assert!(physical_lines > 0);
}

#[test]
fn every_code_has_a_description() {
    use crate::diagnose::FindingCode as C;
    // `describe` is exhaustive over the enum (the compiler checks it); the texts differ.
    let mut seen = std::collections::BTreeSet::new();
    for c in [
        C::OptionsMissing,
        C::UndeployedChanges,
        C::DeploymentNoTriggers,
        C::ProxyBackendCors,
    ] {
        assert!(seen.insert(sarif::describe(c).1));
    }
}

#[test]
fn text_and_markdown_name_code_route_and_line() {
    let (r, inputs) = report(
        &["tests/fixtures/terraform/options-cognito-authorizer/plan.json"],
        &[],
    );
    let text = r.render(LintFormat::Text, &inputs);
    assert!(text.contains("OPTIONS_AUTHORIZED  GET /profile"), "{text}");
    assert!(text.contains("plan.json:"), "{text}");
    let md = r.render(LintFormat::Markdown, &inputs);
    assert!(md.contains("| error | `OPTIONS_AUTHORIZED` |"), "{md}");
}
