//! The renderers and the exit status, on a report built by hand (the moto tests in
//! tests/aws/aws_moto/audit.rs run the whole audit).

use super::*;
use crate::diagnose::{FindingCode, Remediation, Severity};

fn report() -> AuditReport {
    let mut r = AuditReport {
        schema: SCHEMA,
        origins: vec!["https://app.example.com".to_string()],
        regions: vec![RegionRow {
            region: "us-east-1".to_string(),
            rest_apis: 2,
            http_apis: 0,
            ..RegionRow::default()
        }],
        apis: vec![
            ApiRow {
                api_id: "a1".to_string(),
                name: "items".to_string(),
                kind: "rest",
                region: "us-east-1".to_string(),
                stages: vec!["prod".to_string()],
                routes: 2,
                ..ApiRow::default()
            },
            ApiRow {
                api_id: "b2".to_string(),
                name: "locked|down".to_string(),
                kind: "rest",
                region: "us-east-1".to_string(),
                status: ApiStatus::Failed,
                error: Some("missing permission apigateway:GET on arn:…".to_string()),
                ..ApiRow::default()
            },
        ],
        findings: vec![AuditFinding {
            api_id: "a1".to_string(),
            api: "items".to_string(),
            region: "us-east-1".to_string(),
            stage: Some("prod".to_string()),
            path: Some("/items".to_string()),
            method: Some("POST".to_string()),
            code: FindingCode::OptionsMissing,
            severity: Severity::Error,
            step: 3,
            message: "no OPTIONS".to_string(),
            origin: Some("https://app.example.com".to_string()),
            routes_affected: None,
            remediation: Some(Remediation {
                text: "add OPTIONS".to_string(),
                commands: vec!["aws apigateway put-method …".to_string()],
                change_set: None,
                snippets: None,
            }),
        }],
        aws_calls: 11,
        ..AuditReport::default()
    };
    r.summarize();
    r
}

#[test]
fn the_summary_counts_per_api_and_failed_ones() {
    let r = report();
    assert_eq!(r.summary.apis, 2);
    assert_eq!(r.summary.failed, 1);
    assert_eq!(r.summary.errors, 1);
    assert_eq!(r.apis[0].errors, 1);
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn an_unreadable_api_alone_is_not_clean() {
    let mut r = report();
    r.findings.clear();
    r.summarize();
    assert_eq!(r.exit_code(), 1);
    r.apis.truncate(1);
    r.summarize();
    assert_eq!(r.exit_code(), 0);
}

#[test]
fn json_has_the_schema_and_the_route_of_each_finding() {
    let v: serde_json::Value = serde_json::from_str(&report().render(AuditFormat::Json)).unwrap();
    assert_eq!(v["schema"], "cors-doctor/audit/v1");
    let f = &v["findings"][0];
    for (k, want) in [
        ("api_id", "a1"),
        ("stage", "prod"),
        ("path", "/items"),
        ("method", "POST"),
        ("code", "OPTIONS_MISSING"),
        ("severity", "error"),
    ] {
        assert_eq!(f[k], want, "{k}");
    }
    assert_eq!(f["remediation"]["text"], "add OPTIONS");
    assert_eq!(v["apis"][1]["status"], "failed");
    assert_eq!(v["aws_calls"], 11);
}

#[test]
fn text_names_the_route_the_fix_and_the_api_that_could_not_be_read() {
    let t = report().render(AuditFormat::Text);
    assert!(t.contains("OPTIONS_MISSING  prod POST /items"), "{t}");
    assert!(t.contains("Fix: add OPTIONS"), "{t}");
    assert!(t.contains("not audited: missing permission"), "{t}");
}

#[test]
fn markdown_has_a_row_per_api_with_its_counts() {
    let m = report().render(AuditFormat::Markdown);
    assert!(
        m.contains("| items | `a1` | rest | us-east-1 | prod | 2 | 1 | 0 | 0 | ok |"),
        "{m}"
    );
    assert!(m.contains("locked\\|down"), "{m}");
}

#[test]
fn sarif_locates_each_result_at_api_stage_and_route() {
    let v: serde_json::Value = serde_json::from_str(&report().render(AuditFormat::Sarif)).unwrap();
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "OPTIONS_MISSING");
    assert_eq!(result["level"], "error");
    let logical = &result["locations"][0]["logicalLocations"];
    assert_eq!(
        logical[2]["fullyQualifiedName"],
        "us-east-1:a1/prod/POST /items"
    );
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][0]["id"],
        "OPTIONS_MISSING"
    );
}
