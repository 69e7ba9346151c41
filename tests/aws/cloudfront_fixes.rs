//! The CloudFront fixes cors-doctor prints, run through the real `aws` CLI (the test venv's)
//! against moto's CloudFront, then read back.
//!
//! For each `cloudfront-*` scenario that fails: the real binary diagnoses it against the
//! simulator (`demo NAME --format json`); a distribution shaped like the scenario's `front`
//! is created in moto with the CLI; the commands of every CLOUDFRONT_* finding are run by bash
//! with the scenario's distribution id replaced by moto's; `get-distribution-config` must then
//! show the setting the finding's change set names.
//!
//! moto keeps AllowedMethods, CachePolicyId, OriginRequestPolicyId and the origin's
//! OriginProtocolPolicy; it stores no function associations (it answers Quantity 0 whatever
//! was sent), so for the viewer-response fix the read-back proves only that CloudFront's API
//! accepts the edited config.
//!
//! Needs MOTO_ENDPOINT (scripts/moto.sh) and the venv's `aws`; without them the test prints
//! why and passes, unless CORS_DOCTOR_REQUIRE_MOTO is set.

use crate::support as aws;

use cors_doctor::gateway::front::cloudfront::{managed_policy_id, Distribution};
use cors_doctor::gateway::scenario::Scenario;
use serde_json::{json, Value};

/// The scenario's distribution as a `DistributionConfig` for `create-distribution`.
fn distribution_config(name: &str, d: &Distribution) -> Value {
    let methods = d.allowed_methods.methods();
    let cached = d.cached_methods.methods();
    let mut behavior = json!({
        "TargetOriginId": "api",
        "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": {
            "Quantity": methods.len(),
            "Items": methods,
            "CachedMethods": {"Quantity": cached.len(), "Items": cached}
        },
        "CachePolicyId": d.cache_policy.managed_id().unwrap_or("658327ea-f89d-4fab-a63d-7e88639e58f6"),
    });
    if let Some(p) = &d.origin_request_policy {
        behavior["OriginRequestPolicyId"] = json!(p.managed_id().expect("a managed policy"));
    }
    json!({
        "CallerReference": format!("cors-doctor-{name}"),
        "Comment": "",
        "Enabled": true,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "api",
            "DomainName": "r1e2s3t4h5.execute-api.us-east-1.amazonaws.com",
            "OriginPath": "",
            "CustomOriginConfig": {
                "HTTPPort": 80,
                "HTTPSPort": 443,
                "OriginProtocolPolicy": d.origin_protocol_policy.as_str()
            }
        }]},
        "DefaultCacheBehavior": behavior
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cloudfront_fix_runs_through_the_aws_cli_against_moto_and_reads_back() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let cli = aws::aws_cli_path();
    assert!(cli.exists(), "no AWS CLI at {}", cli.display());
    let scenarios: Vec<Scenario> = Scenario::all()
        .expect("scenarios load")
        .into_iter()
        .filter(|s| s.spec.front.cloudfront.is_some() && s.spec.expect.first_failing_step.is_some())
        .collect();
    assert!(scenarios.len() >= 4, "the failing cloudfront scenarios");
    let mut problems = Vec::new();
    let mut ran = 0;
    for s in &scenarios {
        let d = s.spec.front.cloudfront.as_deref().expect("a distribution");
        let out = aws::run_bin(&["demo", &s.name, "--format", "json"], &[]).await;
        let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        let findings: Vec<&Value> = report["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|st| st["findings"].as_array().into_iter().flatten())
            .filter(|f| {
                f["code"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("CLOUDFRONT_"))
            })
            .filter(|f| f["remediation"]["change_set"].is_object())
            .collect();
        if findings.is_empty() {
            problems.push(format!(
                "{}: no CLOUDFRONT_* finding with a change set",
                s.name
            ));
            continue;
        }
        let config = distribution_config(&s.name, d);
        let created = aws::run_commands(
            &ep,
            &cli,
            &[format!(
                "aws cloudfront create-distribution --distribution-config {} --query Distribution.Id --output text",
                cors_doctor::diagnose::remedy::quote(&config.to_string())
            )],
            &[],
        )
        .await;
        let id = match created {
            Ok(out) => out.trim().to_string(),
            Err(e) => {
                problems.push(format!("{}: create-distribution failed: {e}", s.name));
                continue;
            }
        };
        for f in findings {
            let code = f["code"].as_str().unwrap_or_default();
            let cmds: Vec<String> = f["remediation"]["commands"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str())
                .map(|c| c.replace(&d.id, &id))
                .collect();
            ran += cmds.len();
            if let Err(e) = aws::run_commands(&ep, &cli, &cmds, &[]).await {
                problems.push(format!(
                    "{} {code}: the commands fail: {e}\n{}",
                    s.name,
                    cmds.join("\n")
                ));
                continue;
            }
            let read = aws::run_commands(
                &ep,
                &cli,
                &[format!(
                    "aws cloudfront get-distribution-config --id {id} --output json"
                )],
                &[],
            )
            .await
            .map_err(|e| format!("{}: get-distribution-config: {e}", s.name))
            .and_then(|t| {
                serde_json::from_str::<Value>(&t).map_err(|e| format!("{}: {e}: {t}", s.name))
            });
            let back = match read {
                Ok(v) => v["DistributionConfig"].clone(),
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            let b = &back["DefaultCacheBehavior"];
            for change in f["remediation"]["change_set"]["changes"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let setting = &change["setting"];
                let ok = match setting["setting"].as_str().unwrap_or_default() {
                    "allowed_methods" => {
                        let want: Vec<&str> = setting["methods"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|m| m.as_str())
                            .collect();
                        let got: Vec<&str> = b["AllowedMethods"]["Items"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|m| m.as_str())
                            .collect();
                        want.iter().all(|m| got.contains(m)) && got.len() == want.len()
                    }
                    "cache_policy" => {
                        b["CachePolicyId"].as_str()
                            == setting["name"].as_str().and_then(managed_policy_id)
                    }
                    "origin_request_policy" => {
                        b["OriginRequestPolicyId"].as_str()
                            == setting["name"].as_str().and_then(managed_policy_id)
                    }
                    "origin_protocol_policy" => {
                        back["Origins"]["Items"][0]["CustomOriginConfig"]["OriginProtocolPolicy"]
                            .as_str()
                            == setting["policy"].as_str()
                    }
                    "remove_viewer_response_functions" => {
                        b["FunctionAssociations"]["Quantity"].as_u64() == Some(0)
                    }
                    other => {
                        problems.push(format!("{}: unknown setting {other}", s.name));
                        true
                    }
                };
                if !ok {
                    problems.push(format!(
                        "{} {code}: after the commands, the distribution does not show {setting}: {back}",
                        s.name
                    ));
                }
            }
        }
    }
    assert!(ran >= 4, "only {ran} commands ran");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
