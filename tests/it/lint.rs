//! `cors-doctor lint` through the real binary: each trap of the Terraform fixtures gives its
//! finding codes at the line of the resource that causes it, the exit status follows the most
//! severe finding (0 clean, 1 an error, 2 a file or flag that cannot be used), and SARIF
//! comes out for GitHub code scanning.

use crate::common::{args, cors_doctor};

fn plan(name: &str) -> String {
    format!(
        "{}/tests/fixtures/terraform/{name}/plan.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

async fn lint_json(files: &[String], extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut a = args(&["lint", "--format", "json"]);
    a.extend(files.iter().cloned());
    a.extend(extra.iter().map(|s| s.to_string()));
    let out = cors_doctor(a).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        format!("{stdout}\n--- stderr ---\n{stderr}"),
    )
}

/// Codes of the error findings, sorted and deduplicated.
fn errors(report: &serde_json::Value) -> Vec<String> {
    let mut c: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["severity"] == "error")
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect();
    c.sort();
    c.dedup();
    c
}

/// The traps as Terraform plans → the errors lint reports; every finding with a source
/// points at a line of the plan that names its resource.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_terraform_trap_gives_its_codes_at_its_lines() {
    let table: &[(&str, &[&str])] = &[
        ("options-missing", &["OPTIONS_MISSING"]),
        (
            "options-not-deployed",
            &["OPTIONS_NOT_DEPLOYED", "UNDEPLOYED_CHANGES"],
        ),
        ("options-cognito-authorizer", &["OPTIONS_AUTHORIZED"]),
        ("options-api-key-required", &["OPTIONS_API_KEY_REQUIRED"]),
        (
            "header-declared-not-mapped",
            &["HEADER_NOT_MAPPED", "PREFLIGHT_CORS_HEADERS"],
        ),
        (
            "header-mapped-not-declared",
            &["HEADER_NOT_DECLARED", "PREFLIGHT_CORS_HEADERS"],
        ),
        (
            "allow-headers-missing-authorization",
            &["PREFLIGHT_CORS_HEADERS"],
        ),
        ("lambda-proxy-no-allow-origin", &[]),
        (
            "throttled-default-gateway-responses",
            &["FAILS_WITHOUT_BROWSER", "GATEWAY_RESPONSE_NO_CORS"],
        ),
        ("http-api-default-route-jwt", &["OPTIONS_AUTHORIZED"]),
        ("http-api-default-route-jwt-cors", &["OPTIONS_AUTHORIZED"]),
        ("http-api-any-proxy-jwt", &["OPTIONS_AUTHORIZED"]),
        ("gateway-responses-cors-healthy", &[]),
        ("http-api-healthy", &[]),
        ("rest-healthy", &[]),
        ("rest-healthy-body", &[]),
        (
            "trap-deployment-no-triggers",
            &["PREFLIGHT_CORS_HEADERS", "UNDEPLOYED_CHANGES"],
        ),
    ];
    let mut failures = Vec::new();
    for (name, want) in table {
        let file = plan(name);
        let (code, report, out) = lint_json(
            std::slice::from_ref(&file),
            &["--origin", "https://app.example.com"],
        )
        .await;
        let got = errors(&report);
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        if got != want {
            failures.push(format!("{name}: errors {got:?}, want {want:?}\n{out}"));
        }
        let expected_exit = i32::from(!want.is_empty());
        if code != expected_exit {
            failures.push(format!("{name}: exit {code}, want {expected_exit}"));
        }
        let text = std::fs::read_to_string(&file).expect("fixture");
        let lines: Vec<&str> = text.lines().collect();
        for f in report["findings"].as_array().into_iter().flatten() {
            let Some(resource) = f["source"]["resource"].as_str() else {
                continue;
            };
            let line = f["source"]["line"].as_u64().unwrap_or(0) as usize;
            let ok = line >= 1
                && lines
                    .get(line - 1)
                    .is_some_and(|l| l.contains(&format!("\"{resource}\"")));
            if !ok {
                failures.push(format!(
                    "{name}: {} points at line {line}, which does not name {resource}",
                    f["code"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_response_trap_is_reported_once_per_api() {
    let (_, report, out) = lint_json(&[plan("options-not-deployed")], &[]).await;
    let wide: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "GATEWAY_RESPONSES_UNCONFIGURED")
        .collect();
    assert_eq!(wide.len(), 1, "{out}");
    assert_eq!(wide[0]["routes_affected"], 3, "{out}");
    assert!(wide[0].get("route").is_none(), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_status_is_2_for_files_and_flags_that_cannot_be_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Api: [\n",
    )
    .expect("write");
    let bad_json = dir.path().join("plan.json");
    std::fs::write(
        &bad_json,
        "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": [\n",
    )
    .expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (args(&["lint"]), "FILE"),
        (
            args(&["lint", "/nonexistent/plan.json"]),
            "cannot read /nonexistent/plan.json",
        ),
        (
            vec!["lint".into(), template.display().to_string()],
            "template.yaml:",
        ),
        (
            vec!["lint".into(), bad_json.display().to_string()],
            "plan.json:4:",
        ),
        (
            vec![
                "lint".into(),
                plan("rest-healthy"),
                "--origin".into(),
                "app.example.com".into(),
            ],
            "--origin",
        ),
        (
            vec![
                "lint".into(),
                plan("rest-healthy"),
                "--format".into(),
                "xml".into(),
            ],
            "xml",
        ),
    ];
    for (a, want) in cases {
        let out = cors_doctor(a.clone()).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{a:?}: {stderr}");
        assert!(stderr.contains(want), "{a:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{a:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_files_exit_0_and_several_files_are_checked_together() {
    let (code, report, out) = lint_json(
        &[plan("rest-healthy"), plan("http-api-healthy")],
        &["--origin", "https://app.example.com"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(report["summary"]["files"], 2, "{out}");
    assert_eq!(report["summary"]["apis"], 2, "{out}");
    assert_eq!(report["schema"], "cors-doctor/lint/v1");
    // One broken file among clean ones fails the run.
    let (code, _, out) = lint_json(&[plan("rest-healthy"), plan("options-missing")], &[]).await;
    assert_eq!(code, 1, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sarif_points_at_the_plan_line() {
    let file = plan("options-cognito-authorizer");
    let out = cors_doctor(vec![
        "lint".into(),
        file.clone(),
        "--format".into(),
        "sarif".into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let result = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "OPTIONS_AUTHORIZED")
        .expect("OPTIONS_AUTHORIZED result");
    assert_eq!(result["level"], "error");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], file.as_str());
    let line = loc["region"]["startLine"].as_u64().expect("startLine") as usize;
    let text = std::fs::read_to_string(&file).expect("fixture");
    assert!(
        text.lines()
            .nth(line - 1)
            .is_some_and(|l| l.contains("aws_api_gateway_method.profile_options")),
        "line {line}"
    );
}

/// CloudFormation, SAM, CDK and Serverless templates (the iac fixtures): each trap's error,
/// located at a line of the template with the logical id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_give_their_traps_at_their_lines() {
    let dir = format!("{}/tests/fixtures/templates", env!("CARGO_MANIFEST_DIR"));
    let table: &[(&str, &[&str])] = &[
        ("sam-options-missing.yaml", &["OPTIONS_MISSING"]),
        (
            "sam-options-cognito-authorizer.yaml",
            &["OPTIONS_AUTHORIZED"],
        ),
        (
            "sam-options-api-key-required.yaml",
            &["OPTIONS_API_KEY_REQUIRED"],
        ),
        (
            "sam-http-api-default-route-jwt.yaml",
            &["OPTIONS_AUTHORIZED"],
        ),
        (
            "cdk-options-authorizer.template.json",
            &["OPTIONS_AUTHORIZED"],
        ),
        ("serverless-options-missing.json", &["OPTIONS_MISSING"]),
        (
            "cfn-resource-policy-omits-options.yaml",
            &["RESOURCE_POLICY_DENIED"],
        ),
        ("sam-http-api-healthy.yaml", &[]),
        ("cdk-rest-healthy.template.json", &[]),
    ];
    let mut failures = Vec::new();
    for (name, want) in table {
        let file = format!("{dir}/{name}");
        let (code, report, out) = lint_json(
            std::slice::from_ref(&file),
            &["--origin", "https://app.example.com"],
        )
        .await;
        let got = errors(&report);
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        if got != want {
            failures.push(format!("{name}: errors {got:?}, want {want:?}\n{out}"));
        }
        if code != i32::from(!want.is_empty()) {
            failures.push(format!("{name}: exit {code}"));
        }
        if report["files"][0]["input"] != "cloudformation" {
            failures.push(format!("{name}: input {}", report["files"][0]["input"]));
        }
        let lines = std::fs::read_to_string(&file)
            .expect("fixture")
            .lines()
            .count() as u64;
        for f in report["findings"].as_array().into_iter().flatten() {
            if f["severity"] != "error" {
                continue;
            }
            let line = f["source"]["line"].as_u64().unwrap_or(0);
            if line < 1 || line > lines || f["source"]["resource"].as_str().is_none() {
                failures.push(format!(
                    "{name}: {} has no template line: {}",
                    f["code"], f["source"]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An export's resource policy (`x-amazon-apigateway-policy`, what `get-export` writes) is
/// read offline as the SDK reads GetRestApi's: a policy that allows GET and POST but not
/// OPTIONS denies the preflight, in `lint` and in `check --openapi`; the same export with
/// OPTIONS allowed is clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exports_resource_policy_that_omits_options_denies_the_preflight() {
    let export = |resources: &[&str]| {
        serde_json::json!({
            "swagger": "2.0",
            "info": {"title": "items-api", "version": "1"},
            "host": "k9l8m7n6o5.execute-api.us-east-1.amazonaws.com",
            "basePath": "/prod",
            "paths": {"/items": {
                "post": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                        "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:items/invocations"}
                },
                "options": {
                    "responses": {"200": {"description": "ok", "headers": {
                        "Access-Control-Allow-Origin": {"type": "string"},
                        "Access-Control-Allow-Methods": {"type": "string"},
                        "Access-Control-Allow-Headers": {"type": "string"}}}},
                    "x-amazon-apigateway-integration": {"type": "mock",
                        "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                        "responses": {"default": {"statusCode": "200", "responseParameters": {
                            "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
                            "method.response.header.Access-Control-Allow-Methods": "'POST,OPTIONS'",
                            "method.response.header.Access-Control-Allow-Headers": "'Content-Type'"}}}}
                }
            }},
            "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                "Resource": resources}]}
        })
        .to_string()
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let denied = dir.path().join("denied.json");
    std::fs::write(
        &denied,
        export(&[
            "arn:aws:execute-api:us-east-1:123456789012:k9l8m7n6o5/*/GET/*",
            "arn:aws:execute-api:us-east-1:123456789012:k9l8m7n6o5/*/POST/*",
        ]),
    )
    .expect("write");
    let allowed = dir.path().join("allowed.json");
    std::fs::write(
        &allowed,
        export(&["arn:aws:execute-api:us-east-1:123456789012:k9l8m7n6o5/*"]),
    )
    .expect("write");
    let file = |p: &std::path::Path| p.display().to_string();
    let (code, report, out) =
        lint_json(&[file(&denied)], &["--origin", "https://app.example.com"]).await;
    assert_eq!(errors(&report), ["RESOURCE_POLICY_DENIED"], "{out}");
    assert_eq!(code, 1, "{out}");
    let (code, report, out) =
        lint_json(&[file(&allowed)], &["--origin", "https://app.example.com"]).await;
    assert!(errors(&report).is_empty(), "{out}");
    assert_eq!(code, 0, "{out}");
    // `check --openapi`: step 3 fails with the policy's denial, before any method runs.
    let (code, report, out) = crate::common::check_json(&[
        "--openapi",
        &file(&denied),
        "--path",
        "/items",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--origin",
        "https://app.example.com",
    ])
    .await;
    let step3 = report["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["number"] == 3))
        .cloned()
        .unwrap_or_default();
    assert_eq!(step3["status"], "fail", "{out}");
    assert!(
        step3["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["code"] == "RESOURCE_POLICY_DENIED"),
        "{out}"
    );
    assert_eq!(code, 1, "{out}");
}

/// A resource policy that is not a policy document is said (lint: in the API's unresolved
/// list; check: a gap of step 3), never dropped in silence nor a usage error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_that_is_not_a_document_is_said() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("template.yaml");
    std::fs::write(
        &file,
        "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: a\n      Policy: \"allow everyone\"\n  Items:\n    Type: AWS::ApiGateway::Resource\n    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: items}\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties: {RestApiId: !Ref Api, ResourceId: !Ref Items, HttpMethod: POST, AuthorizationType: NONE, Integration: {Type: MOCK}}\n",
    )
    .expect("write");
    let file = file.display().to_string();
    let (code, report, out) = lint_json(std::slice::from_ref(&file), &[]).await;
    assert_ne!(code, 2, "{out}");
    let unresolved = report["files"][0]["apis"][0]["unresolved"].to_string();
    assert!(unresolved.contains("not a JSON policy document"), "{out}");
    let (code, _, out) = crate::common::check_json(&[
        "--template",
        &file,
        "--path",
        "/items",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--origin",
        "https://app.example.com",
    ])
    .await;
    assert_ne!(code, 2, "{out}");
    assert!(out.contains("not a JSON policy document"), "{out}");
}
