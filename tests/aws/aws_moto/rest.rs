//! REST APIs in moto: OPTIONS missing, an authorizer on OPTIONS, an unmapped header, OPTIONS added
//! but not deployed, the call budget for 500 resources.

use super::*;

#[tokio::test]
pub(super) async fn rest_options_missing() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "options-missing").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.cors_gateway_responses().await;
    api.deploy().await;
    let report = put_items(&ep, &api.id, "prod").await;
    assert!(has(&report, "OPTIONS_MISSING"), "{:?}", aws::codes(&report));
    assert_eq!(report.first_failing_step, Some(3));
    let commands = aws::commands(&report);
    assert!(
        commands.contains(&format!("--rest-api-id {} --resource-id {items}", api.id)),
        "{commands}"
    );
    assert!(!has(&report, "GATEWAY_RESPONSES_UNCONFIGURED"));
    assert!(report.aws_calls <= 6, "{}", report.aws_calls);
}

#[tokio::test]
pub(super) async fn rest_authorizer_on_options() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "options-authorizer").await;
    let auth = api.token_authorizer().await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "CUSTOM",
        Some(&auth),
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.method(&items, "OPTIONS", "CUSTOM", Some(&auth), &ALL, &ALLOW)
        .await;
    api.cors_gateway_responses().await;
    api.deploy().await;
    let report = put_items(&ep, &api.id, "prod").await;
    assert!(
        has(&report, "OPTIONS_AUTHORIZED"),
        "{:?}",
        aws::codes(&report)
    );
    let step4 = report.step(4).unwrap();
    assert!(
        step4.findings.iter().any(|f| f.message.contains("'tok'")),
        "{step4:?}"
    );
    let commands = aws::commands(&report);
    assert!(commands.contains(&format!("aws apigateway update-method --rest-api-id {} --resource-id {items} --http-method OPTIONS", api.id)), "{commands}");
    assert!(
        commands.contains("authorizationType") && commands.contains("NONE"),
        "{commands}"
    );
}

#[tokio::test]
pub(super) async fn rest_unmapped_header_with_a_null_template() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "unmapped-header").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.method(&items, "OPTIONS", "NONE", None, &ALL, &ALLOW[..2])
        .await;
    api.null_template(&items, "OPTIONS", &ALLOW[..2]).await;
    api.deploy().await;

    // The model, rebuilt by the lookups.
    let plan = aws::offline_plan(
        &ep,
        &api.id,
        "prod",
        "/items",
        "PUT",
        &["Content-Type: application/json"],
    );
    aws::seal_env();
    let source =
        cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions::from_plan(&plan));
    let request = cors_doctor::aws::ConfigRequest {
        api_ref: cors_doctor::target::ApiRef::from_url(&plan.target.url),
        url_path: None,
        path: Some("/items".into()),
        stage: Some("prod".into()),
        prefix_unknown: false,
    };
    use cors_doctor::aws::ConfigSource;
    let loaded = source
        .load(&request)
        .await
        .expect("loads despite the null template");
    let r = loaded.api.resource("/items").expect("/items");
    assert_eq!(r.id.as_deref(), Some(items.as_str()));
    let options = r.method("OPTIONS").unwrap();
    let ir = &options.integration.as_ref().unwrap().responses[0];
    assert_eq!(ir.response_templates.get("application/json"), Some(&None));
    assert_eq!(ir.mapped_header("Access-Control-Allow-Headers"), None);
    assert!(options
        .response("200")
        .unwrap()
        .declares("Access-Control-Allow-Headers"));
    assert_eq!(
        loaded.api.stages[0]
            .deployment_id
            .as_deref()
            .map(str::is_empty),
        Some(false)
    );
    assert!(loaded.api.gateway_responses.is_empty());

    let report = put_items(&ep, &api.id, "prod").await;
    assert!(
        has(&report, "HEADER_NOT_MAPPED"),
        "{:?}",
        aws::codes(&report)
    );
    // No customized gateway responses: a warning, with the put-gateway-response command.
    assert!(
        has(&report, "GATEWAY_RESPONSES_UNCONFIGURED"),
        "{:?}",
        aws::codes(&report)
    );
    let commands = aws::commands(&report);
    assert!(
        commands.contains(&format!(
            "aws apigateway put-gateway-response --rest-api-id {} --response-type DEFAULT_4XX",
            api.id
        )),
        "{commands}"
    );
}

#[tokio::test]
pub(super) async fn rest_all_good_then_options_added_but_not_deployed() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "undeployed").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.cors_gateway_responses().await;
    api.deploy().await;
    api.method(&items, "OPTIONS", "NONE", None, &ALL, &ALLOW)
        .await;
    let report = put_items(&ep, &api.id, "prod").await;
    assert!(
        has(&report, "OPTIONS_NOT_DEPLOYED"),
        "{:?}",
        aws::codes(&report)
    );
    assert!(aws::commands(&report).contains(&format!(
        "aws apigateway create-deployment --rest-api-id {} --stage-name prod",
        api.id
    )));

    // Deployed: nothing fails.
    api.deploy().await;
    let report = put_items(&ep, &api.id, "prod").await;
    assert_eq!(report.first_failing_step, None, "{:?}", aws::codes(&report));
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.aws_calls, 6);
}

#[tokio::test]
pub(super) async fn rest_call_budget_for_500_resources() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "five-hundred").await;
    let items = api.resource(&api.root, "items").await;
    api.method(
        &items,
        "PUT",
        "NONE",
        None,
        &["Access-Control-Allow-Origin"],
        &ALLOW[..1],
    )
    .await;
    api.method(&items, "OPTIONS", "NONE", None, &ALL, &ALLOW)
        .await;
    let mut tasks = Vec::new();
    for i in 0..498 {
        let c = api.c.clone();
        let (id, root) = (api.id.clone(), api.root.clone());
        tasks.push(tokio::spawn(async move {
            c.create_resource()
                .rest_api_id(id)
                .parent_id(root)
                .path_part(format!("r{i}"))
                .send()
                .await
                .unwrap();
        }));
        if tasks.len() == 16 {
            for t in tasks.drain(..) {
                t.await.unwrap();
            }
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    api.cors_gateway_responses().await;
    api.deploy().await;
    let started = Instant::now();
    let report = put_items(&ep, &api.id, "prod").await;
    let elapsed = started.elapsed();
    eprintln!(
        "500 resources: {} calls, lookup + diagnosis {elapsed:?}",
        report.aws_calls
    );
    assert_eq!(
        report.aws_calls, 6,
        "at most 6 control-plane calls for 500 resources"
    );
    assert_eq!(report.first_failing_step, None, "{:?}", aws::codes(&report));
}
