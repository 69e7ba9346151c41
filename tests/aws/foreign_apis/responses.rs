//! Items 4, 8 and 2 (the SDK path): methods that never send Allow-Origin, gateway responses that
//! disagree with the configuration, an HTTP API's default route with an authorizer.

use super::*;

/// Item 4: a non-proxy method that neither declares nor maps Access-Control-Allow-Origin is a
/// finding with commands for that method, like OPTIONS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn a_method_that_never_sends_allow_origin() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "no-allow-origin").await;
    let rid = api.resource(&api.root, "items").await;
    api.open_method(&rid, "OPTIONS", &PREFLIGHT_HEADERS).await;
    api.open_method(&rid, "GET", &[]).await;
    api.deploy().await;
    let (code, report, out) = check(
        &[
            "--api-id",
            &api.id,
            "--stage",
            "prod",
            "--path",
            "/items",
            "-X",
            "GET",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    let f = finding(&report, "HEADER_NOT_MAPPED").expect("the GET method is checked");
    assert!(
        f["message"].as_str().unwrap().starts_with("GET /items"),
        "{out}"
    );
    let cmds = commands(f);
    assert!(
        cmds.contains(&format!(
            "update-method-response --rest-api-id {} --resource-id {rid} --http-method GET --status-code 200",
            api.id
        )),
        "{cmds}"
    );
    assert!(
        cmds.contains("update-integration-response") && cmds.contains("--http-method GET"),
        "{cmds}"
    );
    // The printed fix, run by the real AWS CLI against moto, makes the finding go away.
    let cli = aws::aws_cli_path();
    if !cli.exists() {
        assert!(
            std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_none(),
            "no AWS CLI at {}",
            cli.display()
        );
        return;
    }
    let list: Vec<String> = cmds.lines().map(str::to_string).collect();
    if let Err(e) = aws::run_commands(&ep, &cli, &list, &[]).await {
        panic!("the fix fails:\n{cmds}\n---\n{e}");
    }
    let (_, after, out) = check(
        &[
            "--api-id",
            &api.id,
            "--stage",
            "prod",
            "--path",
            "/items",
            "-X",
            "GET",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert!(finding(&after, "HEADER_NOT_MAPPED").is_none(), "{out}");
}

/// Item 8: the observed gateway error lacks Allow-Origin while the configuration has it on
/// DEFAULT_4XX: say why (not deployed / a customized type overrides it) and give that fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn gateway_responses_that_disagree_with_the_configuration() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "gateway-responses").await;
    api.healthy(&api.root, "items").await;
    api.gateway_response(GatewayResponseType::Default4Xx, true)
        .await;
    api.deploy().await;
    let server = FakeGateway {
        actual: Canned::gateway(401, "UnauthorizedException", "Unauthorized"),
        ..healthy_gateway()
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let args = [
        url.as_str(),
        "--api-id",
        &api.id,
        "--stage",
        "prod",
        "--endpoint-url",
        &ep,
        "--region",
        "us-east-1",
    ];
    let (code, report, out) = check(&args, &[]).await;
    assert_eq!(code, 1, "{out}");
    let f = finding(&report, "GATEWAY_RESPONSE_NO_CORS").expect("step 6");
    assert!(
        f["message"].as_str().unwrap().contains("not deployed"),
        "{out}"
    );
    let cmds = commands(f);
    assert!(cmds.contains("create-deployment"), "{cmds}");
    assert!(!cmds.contains("put-gateway-response"), "{cmds}");

    // A customized UNAUTHORIZED without the header overrides DEFAULT_4XX.
    api.gateway_response(GatewayResponseType::Unauthorized, false)
        .await;
    api.deploy().await;
    let (_, report, out) = check(&args, &[]).await;
    let f = finding(&report, "GATEWAY_RESPONSE_NO_CORS").expect("step 6");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("overrides DEFAULT_4XX"),
        "{out}"
    );
    let cmds = commands(f);
    assert!(
        cmds.contains("update-gateway-response") && cmds.contains("--response-type UNAUTHORIZED"),
        "{cmds}"
    );
    assert!(!cmds.contains("--response-type DEFAULT_4XX"), "{cmds}");
    // Both fixes run through the real AWS CLI against moto; the UNAUTHORIZED response then
    // carries the header (read back from moto).
    let cli = aws::aws_cli_path();
    if cli.exists() {
        let list: Vec<String> = cmds.lines().map(str::to_string).collect();
        if let Err(e) = aws::run_commands(&ep, &cli, &list, &[]).await {
            panic!("the fix fails:\n{cmds}\n---\n{e}");
        }
        let got = aws::v1(&ep)
            .get_gateway_response()
            .rest_api_id(&api.id)
            .response_type(GatewayResponseType::Unauthorized)
            .send()
            .await
            .expect("the gateway response reads back");
        let params = got.response_parameters().cloned().unwrap_or_default();
        assert_eq!(
            params
                .get("gatewayresponse.header.Access-Control-Allow-Origin")
                .map(String::as_str),
            Some("'https://app.example.com'"),
            "{params:?}"
        );
    } else {
        assert!(
            std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_none(),
            "no AWS CLI at {}",
            cli.display()
        );
    }
    server.shutdown().await;
}

/// Item 2, the SDK path: an HTTP API with a cors_configuration and a JWT-authorized `$default`
/// route: OPTIONS_AUTHORIZED with the documented fix (an OPTIONS /{proxy+} route without
/// authorization, attached to the integration), not "configure CORS".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn http_api_default_route_with_an_authorizer_and_cors_configured() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let c = aws::v2(&ep);
    let api = c
        .create_api()
        .name("notes")
        .protocol_type(v2t::ProtocolType::Http)
        .cors_configuration(
            v2t::Cors::builder()
                .allow_origins(ORIGIN)
                .allow_methods("GET")
                .allow_headers("authorization")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let id = api.api_id.unwrap();
    let integration = c
        .create_integration()
        .api_id(&id)
        .integration_type(v2t::IntegrationType::AwsProxy)
        .integration_uri("arn:aws:lambda:us-east-1:123456789012:function:notes")
        .payload_format_version("2.0")
        .send()
        .await
        .unwrap()
        .integration_id
        .unwrap();
    let authorizer = c
        .create_authorizer()
        .api_id(&id)
        .name("jwt")
        .authorizer_type(v2t::AuthorizerType::Jwt)
        .identity_source("$request.header.Authorization")
        .jwt_configuration(
            v2t::JwtConfiguration::builder()
                .issuer("https://issuer.example")
                .audience("a")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .authorizer_id
        .unwrap();
    c.create_route()
        .api_id(&id)
        .route_key("$default")
        .authorization_type(v2t::AuthorizationType::Jwt)
        .authorizer_id(&authorizer)
        .target(format!("integrations/{integration}"))
        .send()
        .await
        .unwrap();
    c.create_stage()
        .api_id(&id)
        .stage_name("$default")
        .auto_deploy(true)
        .send()
        .await
        .unwrap();
    let (code, report, out) = check(
        &[
            "--api-id",
            &id,
            "--stage",
            "$default",
            "--path",
            "/notes",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(report["first_failing_step"], 4, "{out}");
    let f = finding(&report, "OPTIONS_AUTHORIZED").expect("step 4");
    let cmds = commands(f);
    assert!(
        cmds.contains(&format!(
            "aws apigatewayv2 create-route --api-id {id} --route-key 'OPTIONS /{{proxy+}}' --authorization-type NONE --target integrations/{integration}"
        )),
        "{cmds}"
    );
    assert!(!cmds.contains("--cors-configuration"), "{cmds}");
}
