//! The custom-domain fixes (issue 18 item 3) through the real `aws` CLI against moto: the
//! command `demo custom-domain-no-mapping` prints runs verbatim (moto gives the REST API the
//! scenario's id through its `_custom_id_` tag) and the mapping reads back; the update of a
//! mapping that points to another stage (CUSTOM_DOMAIN_WRONG_STAGE), and the HTTP API
//! forms (apigatewayv2 create-api-mapping / update-api-mapping, the mapping id looked up), are
//! rendered from their change sets and run the same way.

use super::*;

use cors_doctor::diagnose::remedy;
use cors_doctor::gateway::change::{ApiRef as ChangeApi, Change, ChangeSet};

async fn cli(ep: &str, cli: &std::path::Path, cmds: &[&str]) -> String {
    let cmds: Vec<String> = cmds.iter().map(|c| c.to_string()).collect();
    match aws::run_commands(ep, cli, &cmds, &[]).await {
        Ok(out) => out,
        Err(e) => panic!("{cmds:?} failed: {e}"),
    }
}

fn mapping_change(
    kind: ApiKind,
    id: &str,
    domain: &str,
    base: &str,
    stage: &str,
    exists: bool,
) -> ChangeSet {
    ChangeSet {
        api: ChangeApi {
            kind,
            id: Some(id.to_string()),
            name: None,
            region: Some(REGION.to_string()),
        },
        changes: vec![Change::BasePathMapping {
            domain_name: domain.to_string(),
            base_path: base.to_string(),
            stage: stage.to_string(),
            exists,
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn base_path_mapping_fixes_run_through_the_aws_cli_and_read_back() {
    let Some((ep, aws_cli)) = moto() else { return };
    aws::seal_env();
    // The scenario's API, under its own id, with stages prod and dev, behind api.example.com
    // (v1 mapped, v2 not).
    let id = "c5d6m7n8p9";
    let root = cli(
        &ep,
        &aws_cli,
        &[
            &format!("aws apigateway create-rest-api --name orders-api --tags _custom_id_={id} >/dev/null"),
            &format!("aws apigateway get-resources --rest-api-id {id} --query 'items[0].id' --output text"),
        ],
    )
    .await;
    let root = root.trim();
    cli(
        &ep,
        &aws_cli,
        &[
            &format!("aws apigateway put-method --rest-api-id {id} --resource-id {root} --http-method GET --authorization-type NONE >/dev/null"),
            &format!("aws apigateway put-integration --rest-api-id {id} --resource-id {root} --http-method GET --type MOCK >/dev/null"),
            &format!("aws apigateway create-deployment --rest-api-id {id} --stage-name prod >/dev/null"),
            &format!("aws apigateway create-deployment --rest-api-id {id} --stage-name dev >/dev/null"),
            "aws apigateway create-domain-name --domain-name api.example.com --regional-certificate-arn arn:aws:acm:us-east-1:123456789012:certificate/test --endpoint-configuration types=REGIONAL >/dev/null",
            &format!("aws apigateway create-base-path-mapping --domain-name api.example.com --base-path v1 --rest-api-id {id} --stage prod >/dev/null"),
        ],
    )
    .await;

    // CUSTOM_DOMAIN_NO_MAPPING: the printed command, verbatim.
    let out = common::cors_doctor(common::args(&[
        "demo",
        "custom-domain-no-mapping",
        "--format",
        "json",
    ]))
    .await;
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let printed: Vec<String> = fixes(&report)
        .into_iter()
        .filter(|(_, code, _)| code == "CUSTOM_DOMAIN_NO_MAPPING")
        .flat_map(|(_, _, cmds)| cmds)
        .collect();
    assert!(
        printed
            .iter()
            .any(|c| c.contains("create-base-path-mapping")),
        "{printed:?}"
    );
    aws::run_commands(&ep, &aws_cli, &printed, &[])
        .await
        .unwrap_or_else(|e| panic!("{printed:?}: {e}"));
    let read = |base: &'static str| {
        let ep = ep.clone();
        let aws_cli = aws_cli.clone();
        async move {
            let text = cli(
                &ep,
                &aws_cli,
                &[&format!(
                    "aws apigateway get-base-path-mapping --domain-name api.example.com --base-path {base}"
                )],
            )
            .await;
            serde_json::from_str::<Value>(&text).expect("a mapping")
        }
    };
    let v2 = read("v2").await;
    assert_eq!(
        (v2["restApiId"].as_str(), v2["stage"].as_str()),
        (Some(id), Some("prod"))
    );

    // CUSTOM_DOMAIN_WRONG_STAGE: v1 pointed at dev.
    let update = remedy::commands(&mapping_change(
        ApiKind::Rest,
        id,
        "api.example.com",
        "v1",
        "dev",
        true,
    ));
    aws::run_commands(&ep, &aws_cli, &update, &[])
        .await
        .unwrap_or_else(|e| panic!("{update:?}: {e}"));
    let v1 = read("v1").await;
    assert_eq!(
        (v1["restApiId"].as_str(), v1["stage"].as_str()),
        (Some(id), Some("dev"))
    );

    // The root mapping ((none)).
    let root_map = remedy::commands(&mapping_change(
        ApiKind::Rest,
        id,
        "api.example.com",
        "",
        "prod",
        false,
    ));
    assert!(
        root_map.iter().any(|c| c.contains("--base-path '(none)'")),
        "{root_map:?}"
    );
    aws::run_commands(&ep, &aws_cli, &root_map, &[])
        .await
        .unwrap_or_else(|e| panic!("{root_map:?}: {e}"));
    let all = cli(
        &ep,
        &aws_cli,
        &["aws apigateway get-base-path-mappings --domain-name api.example.com"],
    )
    .await;
    let all: Value = serde_json::from_str(&all).expect("mappings");
    assert_eq!(all["items"].as_array().map(Vec::len), Some(3), "{all}");

    // HTTP APIs: create-api-mapping, then update-api-mapping with the id looked up.
    let http = cli(
        &ep,
        &aws_cli,
        &[
            "H=$(aws apigatewayv2 create-api --name h --protocol-type HTTP --query ApiId --output text)",
            "aws apigatewayv2 create-stage --api-id \"$H\" --stage-name '$default' >/dev/null",
            "aws apigatewayv2 create-stage --api-id \"$H\" --stage-name beta >/dev/null",
            "aws apigatewayv2 create-domain-name --domain-name h.example.com --domain-name-configurations CertificateArn=arn:aws:acm:us-east-1:123456789012:certificate/test >/dev/null",
            "echo \"$H\"",
        ],
    )
    .await;
    let h = http.trim();
    let create = remedy::commands(&mapping_change(
        ApiKind::Http,
        h,
        "h.example.com",
        "v2",
        "$default",
        false,
    ));
    let update = remedy::commands(&mapping_change(
        ApiKind::Http,
        h,
        "h.example.com",
        "v2",
        "beta",
        true,
    ));
    for cmds in [&create, &update] {
        aws::run_commands(&ep, &aws_cli, cmds, &[])
            .await
            .unwrap_or_else(|e| panic!("{cmds:?}: {e}"));
    }
    let mappings = cli(
        &ep,
        &aws_cli,
        &["aws apigatewayv2 get-api-mappings --domain-name h.example.com"],
    )
    .await;
    let mappings: Value = serde_json::from_str(&mappings).expect("api mappings");
    let items = mappings["Items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{mappings}");
    assert_eq!(items[0]["ApiMappingKey"], "v2");
    assert_eq!(items[0]["ApiId"], h);
    assert_eq!(items[0]["Stage"], "beta", "{mappings}");
}
