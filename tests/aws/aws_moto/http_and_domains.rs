//! HTTP APIs in moto (CORS configuration, a JWT authorizer on the OPTIONS route) and custom domains
//! resolved through base path mappings.

use super::*;

#[tokio::test]
pub(super) async fn http_api_cors_configuration_that_does_not_allow_the_origin() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let c = aws::v2(&ep);
    let id = c
        .create_api()
        .name("http-cors")
        .protocol_type(v2t::ProtocolType::Http)
        .cors_configuration(
            v2t::Cors::builder()
                .allow_origins("https://other.example")
                .allow_methods("PUT")
                .allow_headers("content-type")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .api_id
        .unwrap();
    let integ = c
        .create_integration()
        .api_id(&id)
        .integration_type(v2t::IntegrationType::HttpProxy)
        .integration_uri("https://backend.invalid/items")
        .integration_method("ANY")
        .payload_format_version("1.0")
        .send()
        .await
        .unwrap()
        .integration_id
        .unwrap();
    c.create_route()
        .api_id(&id)
        .route_key("PUT /items")
        .target(format!("integrations/{integ}"))
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
    let report = put_items(&ep, &id, "$default").await;
    assert_eq!(report.api.kind, cors_doctor::diagnose::ApiKindSeen::Http);
    assert!(
        has(&report, "BACKEND_HEADERS_IGNORED"),
        "{:?}",
        aws::codes(&report)
    );
    assert!(aws::commands(&report).contains(&format!(
        "aws apigatewayv2 update-api --api-id {id} --cors-configuration"
    )));
    assert!(report.aws_calls <= 6, "{}", report.aws_calls);
}

#[tokio::test]
pub(super) async fn http_api_jwt_authorizer_on_the_options_route() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let c = aws::v2(&ep);
    let id = c
        .create_api()
        .name("http-jwt")
        .protocol_type(v2t::ProtocolType::Http)
        .send()
        .await
        .unwrap()
        .api_id
        .unwrap();
    let integ = c
        .create_integration()
        .api_id(&id)
        .integration_type(v2t::IntegrationType::HttpProxy)
        .integration_uri("https://backend.invalid/{proxy}")
        .integration_method("ANY")
        .payload_format_version("1.0")
        .send()
        .await
        .unwrap()
        .integration_id
        .unwrap();
    let auth = c
        .create_authorizer()
        .api_id(&id)
        .authorizer_type(v2t::AuthorizerType::Jwt)
        .name("jwt")
        .identity_source("$request.header.Authorization")
        .jwt_configuration(
            v2t::JwtConfiguration::builder()
                .issuer("https://issuer.example")
                .audience("app")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .authorizer_id
        .unwrap();
    c.create_route()
        .api_id(&id)
        .route_key("ANY /{proxy+}")
        .target(format!("integrations/{integ}"))
        .authorization_type(v2t::AuthorizationType::Jwt)
        .authorizer_id(&auth)
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
    let report = put_items(&ep, &id, "$default").await;
    assert!(
        has(&report, "OPTIONS_AUTHORIZED"),
        "{:?}",
        aws::codes(&report)
    );
    assert!(report.aws_calls <= 6, "{}", report.aws_calls);
}

#[tokio::test]
pub(super) async fn custom_domain_resolves_through_base_path_mappings() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "custom-domain").await;
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
    api.deploy().await;
    let domain = format!("api-{}.example.com", api.id.to_ascii_lowercase());
    api.map_domain(&domain, false).await;
    aws::seal_env();
    // The lookup only (probing the domain would leave loopback).
    let source = cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions {
        region: Some("us-east-1".into()),
        endpoint_url: Some(ep.clone()),
        custom_domain: Some(domain.clone()),
        url_path: Some("/v1/items".into()),
        ..Default::default()
    });
    let request = cors_doctor::aws::ConfigRequest {
        url_path: Some("/v1/items".into()),
        ..Default::default()
    };
    use cors_doctor::aws::ConfigSource;
    let loaded = source
        .load(&request)
        .await
        .expect("the custom domain resolves");
    assert_eq!(loaded.api.id.as_deref(), Some(api.id.as_str()));
    assert_eq!(loaded.stage.as_deref(), Some("prod"));
    assert_eq!(loaded.path, "/items");
}
