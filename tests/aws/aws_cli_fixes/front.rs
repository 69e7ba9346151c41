//! The fixes of the layers in front of the API (issue 18), through the real `aws` CLI
//! against moto, then read back:
//! - `waf-blocked-no-cors`: the WAF_BLOCKED fix (CORS headers on the gateway responses that
//!   shape API Gateway's WAF_FILTERED answer) on the scenario's API loaded into moto;
//! - `function-url-duplicate-cors`: the FUNCTION_URL_DUPLICATE_CORS fix (`aws lambda
//!   update-function-url-config --cors`) on a function URL created in moto with the
//!   scenario's CORS configuration (a tiny zip is the function's code).
//!
//! The commands come from the real binary's report (`demo NAME --format json`), as a user
//! would copy them.

use super::*;

/// The commands of the first finding with `code` in the demo report of `scenario`, and the
/// finding's change set.
async fn demo_fix(scenario: &str, code: &str) -> (Vec<String>, Value) {
    let out = aws::run_bin(&["demo", scenario, "--format", "json"], &[]).await;
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let finding = report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().cloned().unwrap_or_default())
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("{scenario}: no {code} in {report}"));
    let commands = finding["remediation"]["commands"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    (commands, finding["remediation"]["change_set"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waf_blocked_fix_adds_cors_to_the_gateway_responses_in_moto() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let s = Scenario::by_name("waf-blocked-no-cors").expect("scenario");
    let id = load(&ep, &s).await;
    let (commands, change_set) = demo_fix(&s.name, "WAF_BLOCKED").await;
    assert!(!commands.is_empty(), "WAF_BLOCKED carries commands");
    let scenario_id = s.api.id.clone().expect("the export names its API id");
    let commands: Vec<String> = commands
        .iter()
        .map(|c| c.replace(&scenario_id, &id))
        .collect();
    // Never a command that touches the web ACL's rules.
    assert!(
        commands.iter().all(|c| !c.contains("wafv2")),
        "{commands:?}"
    );
    aws::run_commands(&ep, &cli, &commands, &[])
        .await
        .unwrap_or_else(|e| panic!("{}\n---\n{e}", commands.join("\n")));
    // Read back: every gateway response the change set names carries the origin.
    let c = aws::v1(&ep);
    let types: Vec<String> = change_set["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|ch| ch["kind"] == "gateway_response_headers")
        .filter_map(|ch| ch["response_type"].as_str().map(str::to_string))
        .collect();
    assert!(types.iter().any(|t| t == "DEFAULT_4XX"), "{types:?}");
    for t in &types {
        let got = c
            .get_gateway_response()
            .rest_api_id(&id)
            .response_type(GatewayResponseType::from(t.as_str()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{t}: {e:?}"));
        let acao = got
            .response_parameters()
            .and_then(|p| p.get("gatewayresponse.header.Access-Control-Allow-Origin"))
            .cloned();
        assert_eq!(
            acao.as_deref(),
            Some("'https://app.example.com'"),
            "{t} after the fix"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_url_cors_fix_runs_through_the_aws_cli() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let s = Scenario::by_name("function-url-duplicate-cors").expect("scenario");
    let url = s
        .spec
        .front
        .function_url
        .as_deref()
        .expect("a function URL");
    assert!(url.cors.is_some(), "the scenario configures CORS");
    // Created with another configuration than the fix sets, so that the read-back shows the
    // command's effect.
    let cors = serde_json::json!({
        "AllowOrigins": ["https://old.example.com"],
        "AllowMethods": ["GET"],
    });
    let dir = std::env::temp_dir().join(format!("cdt-fnurl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let zip = dir.join("code.zip");
    let name = &url.function_name;
    let role = format!(
        "cdt-fn-role-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default()
    );
    // The function (a tiny zip: moto stores it, nothing runs) and its URL as the scenario
    // configures it.
    let setup = vec![
        format!(
            "python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],\"w\"); z.writestr(\"index.py\",\"def handler(e,c):\\n    return {{}}\\n\"); z.close()' {}",
            zip.display()
        ),
        // A moto that already ran this test holds the function: start from none.
        format!("aws lambda delete-function --function-name {name} >/dev/null 2>&1 || true"),
        format!("aws iam create-role --role-name {role} --assume-role-policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"Service\":\"lambda.amazonaws.com\"}},\"Action\":\"sts:AssumeRole\"}}]}}' >/dev/null"),
        format!(
            "aws lambda create-function --function-name {name} --runtime python3.12 --handler index.handler --role arn:aws:iam::123456789012:role/{role} --zip-file fileb://{} >/dev/null",
            zip.display()
        ),
        format!(
            "aws lambda create-function-url-config --function-name {name} --auth-type NONE --cors '{cors}' >/dev/null"
        ),
    ];
    aws::run_commands(&ep, &cli, &setup, &[])
        .await
        .unwrap_or_else(|e| panic!("setup: {e}"));
    let (commands, change_set) = demo_fix(&s.name, "FUNCTION_URL_DUPLICATE_CORS").await;
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("aws lambda update-function-url-config")),
        "{commands:?}"
    );
    aws::run_commands(&ep, &cli, &commands, &[])
        .await
        .unwrap_or_else(|e| panic!("{}\n---\n{e}", commands.join("\n")));
    let got = aws::run_commands(
        &ep,
        &cli,
        &[format!(
            "aws lambda get-function-url-config --function-name {name} --output json"
        )],
        &[],
    )
    .await
    .expect("read back");
    let _ = std::fs::remove_dir_all(&dir);
    let got: Value = serde_json::from_str(&got).expect("JSON");
    let want = change_set["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["kind"] == "function_url_cors")
        .expect("a function_url_cors change")["cors"]
        .clone();
    assert_ne!(
        want["allow_origins"],
        serde_json::json!(["https://old.example.com"])
    );
    assert_eq!(got["Cors"]["AllowOrigins"], want["allow_origins"], "{got}");
    assert_eq!(got["Cors"]["AllowMethods"], want["allow_methods"], "{got}");
    assert_eq!(got["Cors"]["AllowHeaders"], want["allow_headers"], "{got}");
    assert_eq!(got["Cors"]["MaxAge"], want["max_age"], "{got}");
}
