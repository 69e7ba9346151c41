//! The CloudFront fixes cors-doctor prints, run through the real `aws` CLI (the test venv's)
//! against moto's CloudFront, then read back.
//!
//! For each `cloudfront-*` scenario that fails: the real binary diagnoses it against the
//! simulator (`demo NAME --format json`); a distribution shaped like the scenario's `front`
//! is created in moto with the CLI; the commands of every CLOUDFRONT_* finding are run by bash
//! with the scenario's distribution id replaced by moto's; `get-distribution-config` must then
//! show the setting the finding's change set names.
//!
//! Then the fix is judged as the user would: the read-back config is saved to a file and the
//! scenario diagnosed again with `check --cloudfront-config FILE` (offline, from its export):
//! the finding must be gone. The same diagnosis of the distribution as created (before the
//! commands) must show it, so the check is not vacuous.
//!
//! moto keeps AllowedMethods, CachePolicyId, OriginRequestPolicyId and the origin's
//! OriginProtocolPolicy; it stores no function associations (it answers Quantity 0 whatever
//! was sent), so for the viewer-response fix the read-back proves only that CloudFront's API
//! accepts the edited config (a saved config cannot say what a function adds either: that
//! finding is not looked for before the commands).
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
        // Unique per run: moto (like CloudFront) refuses a second distribution with one
        // reference, and one moto server may serve several runs.
        "CallerReference": format!(
            "cors-doctor-{name}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        ),
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

/// The distribution's config as `get-distribution-config` answers it now, in moto.
async fn read_back(ep: &str, cli: &std::path::Path, id: &str) -> Result<Value, String> {
    let text = aws::run_commands(
        ep,
        cli,
        &[format!(
            "aws cloudfront get-distribution-config --id {id} --output json"
        )],
        &[],
    )
    .await
    .map_err(|e| format!("get-distribution-config: {e}"))?;
    serde_json::from_str::<Value>(&text).map_err(|e| format!("{e}: {text}"))
}

/// The CLOUDFRONT_* codes of the scenario's request diagnosed offline (its export) with
/// `saved` (a `get-distribution-config` answer) as the distribution in front
/// (`--cloudfront-config`).
async fn codes_with_saved_config(s: &Scenario, saved: &Value) -> Result<Vec<String>, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("dist.json");
    std::fs::write(&file, saved.to_string()).map_err(|e| e.to_string())?;
    let r = &s.spec.request;
    let export = format!(
        "{}/assets/scenarios/{}.json",
        env!("CARGO_MANIFEST_DIR"),
        s.name
    );
    let mut args: Vec<String> = [
        "check",
        "--openapi",
        &export,
        "--stage",
        &s.spec.stage,
        "--path",
        &r.path,
        "-X",
        &r.method,
        "--origin",
        &r.origin,
        "--credentials",
        r.credentials.as_str(),
        "--cloudfront-config",
        &file.display().to_string(),
        "--format",
        "json",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    for (k, v) in &r.headers {
        args.push("-H".into());
        args.push(format!("{k}: {v}"));
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = aws::run_bin(&refs, &[]).await;
    let report: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    Ok(report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|st| st["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["code"].as_str())
        .filter(|c| c.starts_with("CLOUDFRONT_"))
        .map(str::to_string)
        .collect())
}

/// What a saved config cannot show (what a viewer-response function's code adds).
const NOT_IN_A_SAVED_CONFIG: &str = "CLOUDFRONT_DUPLICATE_CORS_HEADERS";

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
    let mut rediagnosed = 0;
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
        let codes: Vec<&str> = findings.iter().filter_map(|f| f["code"].as_str()).collect();
        // Before the commands: the created distribution, saved and diagnosed, shows the
        // findings (the re-diagnosis below is not vacuous).
        match read_back(&ep, &cli, &id).await {
            Ok(saved) => match codes_with_saved_config(s, &saved).await {
                Ok(before) => {
                    for code in codes.iter().filter(|c| **c != NOT_IN_A_SAVED_CONFIG) {
                        if !before.iter().any(|b| b == code) {
                            problems.push(format!(
                                "{}: the distribution as created, saved and diagnosed with --cloudfront-config, does not show {code} ({before:?}): {saved}",
                                s.name
                            ));
                        }
                    }
                }
                Err(e) => problems.push(format!("{}: before the fix: {e}", s.name)),
            },
            Err(e) => problems.push(format!("{}: {e}", s.name)),
        }
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
            let back = match read_back(&ep, &cli, &id).await {
                Ok(v) => v["DistributionConfig"].clone(),
                Err(e) => {
                    problems.push(format!("{}: {e}", s.name));
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
        // After every finding's commands: the config as read back, saved and diagnosed again,
        // shows none of the findings.
        match read_back(&ep, &cli, &id).await {
            Ok(saved) => match codes_with_saved_config(s, &saved).await {
                Ok(after) => {
                    rediagnosed += 1;
                    for code in codes.iter().filter(|c| after.iter().any(|a| a == *c)) {
                        problems.push(format!(
                            "{}: after the fix, diagnosed with the read-back config (--cloudfront-config), {code} is still there: {saved}",
                            s.name
                        ));
                    }
                }
                Err(e) => problems.push(format!("{}: after the fix: {e}", s.name)),
            },
            Err(e) => problems.push(format!("{}: {e}", s.name)),
        }
    }
    assert!(ran >= 4, "only {ran} commands ran: {}", problems.join("\n"));
    assert!(
        rediagnosed >= scenarios.len(),
        "only {rediagnosed} scenarios diagnosed again after their fix"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What the CloudFront answer `body` with `status` from probes alone (no configuration: the
/// distribution's id is unknown, the commands name `$DISTRIBUTION_ID`) makes cors-doctor
/// print for each CLOUDFRONT_* finding: the commands, per code.
async fn probe_only_commands(status: u16, body: &str) -> Vec<(String, Vec<String>)> {
    use crate::common::{args, cors_doctor, Canned, FakeGateway};
    let cloudfront = |c: Canned| {
        c.h("Via", "1.1 d111111abcdef8.cloudfront.net (CloudFront)")
            .h("X-Amz-Cf-Pop", "FRA56-P1")
            .h("X-Amz-Cf-Id", "abc123==")
    };
    let server = FakeGateway {
        preflight: cloudfront(
            Canned::new(status)
                .h("content-type", "text/html")
                .h("X-Cache", "Error from cloudfront")
                .body(body),
        ),
        actual: cloudfront(Canned::integration(200).h("X-Cache", "Miss from cloudfront")),
        bare: None,
    }
    .start(std::time::Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let out = cors_doctor(args(&[
        "check",
        &url,
        "--origin",
        "https://app.example.com",
        "-X",
        "PUT",
        "--no-aws",
        "--format",
        "json",
    ]))
    .await;
    server.shutdown().await;
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|st| st["findings"].as_array().into_iter().flatten())
        .filter_map(|f| {
            let code = f["code"]
                .as_str()
                .filter(|c| c.starts_with("CLOUDFRONT_"))?;
            let cmds = f["remediation"]["commands"]
                .as_array()?
                .iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
            Some((code.to_string(), cmds))
        })
        .collect()
}

/// The fixes printed from probes alone run too, with `DISTRIBUTION_ID` set to moto's
/// distribution: a refused OPTIONS (the change set: allowed methods and forwarded headers)
/// and CloudFront's own 403 to the preflight (the lookup the fix text asks for).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloudfront_fixes_from_probes_alone_run_through_the_aws_cli_against_moto() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let cli = aws::aws_cli_path();
    assert!(cli.exists(), "no AWS CLI at {}", cli.display());
    let s = Scenario::by_name("cloudfront-options-not-allowed").expect("the scenario");
    let d = s.spec.front.cloudfront.as_deref().expect("a distribution");
    let config = distribution_config("probes-only", d);
    let id = aws::run_commands(
        &ep,
        &cli,
        &[format!(
            "aws cloudfront create-distribution --distribution-config {} --query Distribution.Id --output text",
            cors_doctor::diagnose::remedy::quote(&config.to_string())
        )],
        &[],
    )
    .await
    .expect("create-distribution")
    .trim()
    .to_string();
    let refused = format!(
        "<HTML><BODY><H1>403 ERROR</H1>This distribution is {}.</BODY></HTML>",
        cors_doctor::gateway::front::cloudfront::METHOD_REFUSED_TEXT
    );
    let cases = [
        (refused, "CLOUDFRONT_METHOD_NOT_ALLOWED"),
        (
            "<HTML><BODY>403 ERROR</BODY></HTML>".to_string(),
            "CLOUDFRONT_ERROR_NO_CORS",
        ),
    ];
    for (body, want) in cases {
        let found = probe_only_commands(403, &body).await;
        let cmds = found
            .iter()
            .find(|(code, _)| code == want)
            .map(|(_, cmds)| cmds.clone())
            .unwrap_or_else(|| panic!("no {want} with commands: {found:?}"));
        assert!(
            !cmds.is_empty() && cmds.iter().any(|c| c.contains("$DISTRIBUTION_ID")),
            "{want}: {cmds:?}"
        );
        if let Err(e) = aws::run_commands(&ep, &cli, &cmds, &[("DISTRIBUTION_ID", &id)]).await {
            panic!("{want}: the commands fail: {e}\n{}", cmds.join("\n"));
        }
    }
    // The refused method's fix took effect.
    let back = read_back(&ep, &cli, &id).await.expect("read back");
    let methods =
        back["DistributionConfig"]["DefaultCacheBehavior"]["AllowedMethods"]["Items"].to_string();
    assert!(methods.contains("OPTIONS"), "{back}");
}
