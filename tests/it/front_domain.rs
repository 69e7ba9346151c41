//! Custom domains (base path mappings) and resource policies through the real binary: live
//! answers recognised from probes alone (canned answers on 127.0.0.1), and the scenarios
//! `demo` serves through the simulator's front, with their previews.

use crate::common;

use std::time::Duration;

use common::{args, check_json, codes, cors_doctor, Canned, FakeGateway};

const ORIGIN: &str = "https://app.example.com";

/// The custom domain's answer to a path no mapping takes (no `x-amz-apigw-id`: no API).
fn no_mapping() -> Canned {
    Canned::new(403)
        .h("content-type", "application/json")
        .h("x-amzn-RequestId", "8d5ff0a2-0000-4000-8000-0000000d0403")
        .h("x-amzn-ErrorType", "ForbiddenException")
        .body("{\"message\":\"Forbidden\"}")
}

/// API Gateway's ACCESS_DENIED answer to a resource-policy deny.
fn policy_deny() -> Canned {
    Canned::gateway(
        403,
        "AccessDeniedException",
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/items with an explicit deny",
    )
}

struct Case {
    name: &'static str,
    gateway: FakeGateway,
    flags: Vec<&'static str>,
    first_failing: u64,
    codes: Vec<&'static str>,
    absent: Vec<&'static str>,
    cors_error: &'static str,
    answered_by: &'static str,
}

fn cases() -> Vec<Case> {
    let json = vec!["-X", "POST", "-H", "Content-Type: application/json"];
    vec![
        Case {
            name: "custom domain without a mapping, preflighted",
            gateway: FakeGateway {
                preflight: no_mapping(),
                actual: no_mapping(),
                bare: None,
            },
            flags: json.clone(),
            first_failing: 1,
            codes: vec!["FAILS_WITHOUT_BROWSER", "CUSTOM_DOMAIN_NO_MAPPING"],
            absent: vec!["OPTIONS_API_KEY_REQUIRED", "PREFLIGHT_CORS_HEADERS"],
            cors_error: "PreflightMissingAllowOriginHeader",
            answered_by: "custom-domain",
        },
        Case {
            name: "custom domain without a mapping, simple request",
            gateway: FakeGateway {
                preflight: no_mapping(),
                actual: no_mapping(),
                bare: None,
            },
            flags: vec![],
            first_failing: 1,
            codes: vec!["FAILS_WITHOUT_BROWSER", "CUSTOM_DOMAIN_NO_MAPPING"],
            absent: vec!["GATEWAY_RESPONSE_NO_CORS", "ACTUAL_CORS_HEADERS"],
            cors_error: "MissingAllowOriginHeader",
            answered_by: "custom-domain",
        },
        Case {
            name: "resource policy deny, simple request",
            gateway: FakeGateway {
                preflight: policy_deny(),
                actual: policy_deny(),
                bare: None,
            },
            flags: vec![],
            first_failing: 1,
            codes: vec!["FAILS_WITHOUT_BROWSER", "RESOURCE_POLICY_DENIED"],
            absent: vec!["GATEWAY_RESPONSE_NO_CORS"],
            cors_error: "MissingAllowOriginHeader",
            answered_by: "gateway",
        },
        Case {
            name: "resource policy deny on the preflight",
            gateway: FakeGateway {
                preflight: policy_deny(),
                actual: policy_deny(),
                bare: None,
            },
            flags: json,
            first_failing: 1,
            codes: vec!["FAILS_WITHOUT_BROWSER", "RESOURCE_POLICY_DENIED"],
            // A policy deny is no authorizer on OPTIONS.
            absent: vec!["OPTIONS_AUTHORIZED", "PREFLIGHT_CORS_HEADERS"],
            cors_error: "PreflightMissingAllowOriginHeader",
            answered_by: "gateway",
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_domain_and_policy_answers_are_recognised_from_probes_alone() {
    let mut failures = Vec::new();
    for case in cases() {
        let server = case.gateway.start(Duration::ZERO).await;
        let url = format!("{}/v2/items", server.base_url());
        let mut flags = vec![url.as_str(), "--origin", ORIGIN];
        flags.extend(case.flags.iter().copied());
        let (code, report, raw) = check_json(&flags).await;
        let got = codes(&report);
        let mut problems = Vec::new();
        if code != 1 {
            problems.push(format!("exit {code}, want 1"));
        }
        if report["first_failing_step"].as_u64() != Some(case.first_failing) {
            problems.push(format!(
                "first_failing_step {}",
                report["first_failing_step"]
            ));
        }
        for want in &case.codes {
            if !got.iter().any(|c| c == want) {
                problems.push(format!("missing {want} (got {got:?})"));
            }
        }
        for not in &case.absent {
            if got.iter().any(|c| c == not) {
                problems.push(format!("{not} reported (got {got:?})"));
            }
        }
        if report["browser"]["cors_error"].as_str() != Some(case.cors_error) {
            problems.push(format!("cors_error {}", report["browser"]["cors_error"]));
        }
        if report["browser"]["hidden_status"].as_u64() != Some(403) {
            problems.push(format!(
                "hidden_status {}",
                report["browser"]["hidden_status"]
            ));
        }
        let answered: Vec<&str> = report["exchanges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["answered_by"].as_str())
            .collect();
        if answered.is_empty() || answered.iter().any(|a| *a != case.answered_by) {
            problems.push(format!(
                "answered_by {answered:?}, want {}",
                case.answered_by
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}:\n  {}\n{raw}",
                case.name,
                problems.join("\n  ")
            ));
        }
        server.shutdown().await;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The scenarios served through the simulator's front by `demo`: the codes, who answered,
/// and a preview that flips the verdict with the change the finding proposes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_scenarios_diagnose_and_their_previews_flip() {
    for (name, code, change, answered) in [
        (
            "custom-domain-no-mapping",
            "CUSTOM_DOMAIN_NO_MAPPING",
            "base_path_mapping",
            "custom-domain",
        ),
        (
            "resource-policy-deny",
            "RESOURCE_POLICY_DENIED",
            "gateway_response_headers",
            "gateway",
        ),
    ] {
        let out = cors_doctor(args(&["demo", name, "--format", "json", "--preview"])).await;
        let raw = String::from_utf8_lossy(&out.stdout).to_string();
        let report: serde_json::Value = serde_json::from_str(&raw).expect("json");
        assert_eq!(report["first_failing_step"], 1, "{name}: {raw}");
        assert!(codes(&report).iter().any(|c| c == code), "{name}: {raw}");
        assert_eq!(report["browser"]["outcome"], "blocked", "{name}");
        assert_eq!(report["browser"]["hidden_status"], 403, "{name}");
        let actual = report["exchanges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["kind"] == "actual")
            .expect("the actual exchange");
        assert_eq!(actual["answered_by"], answered, "{name}");
        let preview = &report["preview"];
        assert_eq!(preview["result"], "allowed", "{name}: {preview}");
        assert!(
            preview["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["change"]["kind"] == change),
            "{name}: {preview}"
        );
    }
}

/// A private API called from outside its VPC endpoint (`demo private-api-outside-vpc`): the
/// public endpoint's 403, answered by API Gateway (not a custom domain), named as such, with
/// a fix that is not CORS headers and no change set a preview could apply.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_api_called_from_outside_its_vpc_endpoint_is_named() {
    let out = cors_doctor(args(&[
        "demo",
        "private-api-outside-vpc",
        "--format",
        "json",
        "--preview",
    ]))
    .await;
    let raw = String::from_utf8_lossy(&out.stdout).to_string();
    let report: serde_json::Value = serde_json::from_str(&raw).expect("json");
    assert_eq!(out.status.code(), Some(1), "{raw}");
    assert_eq!(report["first_failing_step"], 1, "{raw}");
    let got = codes(&report);
    for want in ["FAILS_WITHOUT_BROWSER", "PRIVATE_API_OUTSIDE_VPC"] {
        assert!(got.iter().any(|c| c == want), "{want}: {got:?}");
    }
    for wrong in [
        "CUSTOM_DOMAIN_NO_MAPPING",
        "GATEWAY_RESPONSE_NO_CORS",
        "OPTIONS_MISSING",
    ] {
        assert!(!got.iter().any(|c| c == wrong), "{wrong}: {got:?}");
    }
    assert_eq!(report["browser"]["outcome"], "blocked");
    assert_eq!(report["browser"]["hidden_status"], 403);
    for x in report["exchanges"].as_array().expect("exchanges") {
        assert_eq!(x["answered_by"], "gateway", "{x}");
    }
    let step6 = &report["steps"][5];
    let finding = step6["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "PRIVATE_API_OUTSIDE_VPC")
        .expect("step 6 names the private API");
    let fix = finding.to_string();
    assert!(
        fix.contains("VPC endpoint") && fix.contains("CORS headers cannot fix this"),
        "{fix}"
    );
    // Nothing in API Gateway's configuration fixes it: the preview does not claim a flip.
    assert_ne!(
        report["preview"]["result"], "allowed",
        "{}",
        report["preview"]
    );
}

/// The same private API with a preflighted request: the public endpoint's 403 meets the
/// preflight, so step 3 names it and step 4 does not take the 403 ForbiddenException for an
/// API key requirement on OPTIONS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_apis_preflight_from_outside_is_not_an_api_key_requirement() {
    let path = format!(
        "{}/assets/scenarios/private-api-outside-vpc.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("scenario")).expect("json");
    doc["x-cors-doctor-scenario"]["request"]["headers"] =
        serde_json::json!({"Authorization": "Bearer x"});
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("private-preflight.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let file = file.to_string_lossy().to_string();
    let out = cors_doctor(args(&["demo", &file, "--format", "json"])).await;
    let raw = String::from_utf8_lossy(&out.stdout).to_string();
    let report: serde_json::Value = serde_json::from_str(&raw).expect("json");
    let step = |n: usize| &report["steps"][n - 1];
    assert_eq!(step(3)["status"], "fail", "{raw}");
    assert!(
        step(3)["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["code"] == "PRIVATE_API_OUTSIDE_VPC")),
        "{raw}"
    );
    assert_eq!(step(4)["status"], "skip", "{raw}");
    let got = codes(&report);
    assert!(
        !got.iter().any(|c| c.starts_with("OPTIONS_")),
        "{got:?}\n{raw}"
    );
}
