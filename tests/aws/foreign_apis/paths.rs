//! Items 1 and 3: a prefix or a base path mapping in front of the resource path; OPTIONS in the
//! configuration but missing live.

use super::*;

/// Item 1: a base path (`/v1`) in front of the resource path resolves to the resource; two
/// resources that fit equally are `unknown` with the `--path` hint; a config-only failure that
/// the passing live preflight contradicts is a contradiction, not a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn a_prefix_in_front_of_the_resource_path() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "prefixed").await;
    api.healthy(&api.root, "res").await;
    let other = api.resource(&api.root, "other").await;
    api.open_method(&other, "GET", &PREFLIGHT_HEADERS[..1])
        .await;
    api.deploy().await;
    let server = healthy_gateway().start(Duration::ZERO).await;
    let url = format!("{}/v1/res", server.base_url());
    let flags = |extra: &[&'static str]| {
        let mut v: Vec<String> = vec![
            url.clone(),
            "--api-id".into(),
            api.id.clone(),
            "--stage".into(),
            "prod".into(),
            "--endpoint-url".into(),
            ep.clone(),
            "--region".into(),
            "us-east-1".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };

    let a = flags(&[]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, report, out) = check(&a, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(report["api"]["resource"], "/res", "{out}");
    assert!(finding(&report, "OPTIONS_MISSING").is_none(), "{out}");
    assert_eq!(report["api"]["config_source"], "sdk");
    // Item 7: the account and principal the lookups used (moto's default account).
    let who = report["aws_identity"].as_str().unwrap_or("");
    assert!(who.starts_with("account 123456789012 · arn:aws:"), "{out}");

    // --path naming a resource without OPTIONS, while the live preflight passes: reported as
    // a contradiction (warning), never as a failure.
    let a = flags(&["--path", "/other"]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, report, out) = check(&a, &[]).await;
    assert_eq!(code, 0, "{out}");
    let f = finding(&report, "OPTIONS_MISSING").expect("the contradiction is reported");
    assert_eq!(f["severity"], "warning", "{out}");
    assert!(
        f["message"].as_str().unwrap().contains("Contradiction"),
        "{out}"
    );
    assert_eq!(step_status(&report, 3), "warn", "{out}");

    // A second resource that fits /v1/res as well as /res does: ambiguous, no guess.
    let tenant = api.resource(&api.root, "{tenant}").await;
    api.healthy(&tenant, "res").await;
    api.deploy().await;
    let a = flags(&[]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (code, report, out) = check(&a, &[]).await;
    assert_eq!(code, 0, "{out}");
    let why = report["api"]["resource_unresolved"].as_str().unwrap_or("");
    assert!(why.contains("--path"), "{out}");
    assert!(report["api"]["resource"].is_null(), "{out}");
    assert!(finding(&report, "OPTIONS_MISSING").is_none(), "{out}");
    assert_eq!(step_status(&report, 3), "pass", "{out}");
    server.shutdown().await;

    // The same ambiguity with a preflight that fails: the probes' finding stands, and its
    // commands guess no resource (placeholders, never one of the candidates' ids).
    let failing = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        ..healthy_gateway()
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/v1/res", failing.base_url());
    let (code, report, out) = check(
        &[
            &url,
            "--api-id",
            &api.id,
            "--stage",
            "prod",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(finding(&report, "OPTIONS_NOT_DEPLOYED").is_none(), "{out}");
    let f = finding(&report, "OPTIONS_MISSING").expect("the probes' finding");
    let cmds = commands(f);
    // Neither a guessed id nor the URL's path: the resource is looked up by a path the user sets.
    assert!(cmds.contains("--resource-id \"$RESOURCE_ID\""), "{cmds}");
    assert!(cmds.contains("items[?path=='$RESOURCE_PATH']"), "{cmds}");
    assert!(!cmds.contains("/v1/res") && !cmds.contains('<'), "{cmds}");
    failing.shutdown().await;
}

/// Item 1, with a custom domain: `--api-id` and a URL on the domain: the base path mapping
/// places the resource path exactly, even where the API's resources alone are ambiguous.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn a_base_path_mapping_places_the_resource_path() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "mapped").await;
    api.healthy(&api.root, "res").await;
    let tenant = api.resource(&api.root, "{tenant}").await;
    api.healthy(&tenant, "res").await;
    api.deploy().await;
    let domain = format!("api-{}.example.com", api.id.to_ascii_lowercase());
    api.map_domain(&domain, false).await;
    aws::seal_env();
    // As `check https://DOMAIN/v1/res --api-id ID` plans it (the lookup only: probing the
    // domain would leave loopback).
    let args = cors_doctor::plan::TargetArgs {
        url: Some(format!("https://{domain}/v1/res")),
        origin: Some(ORIGIN.into()),
        api_id: Some(api.id.clone()),
        region: Some("us-east-1".into()),
        endpoint_url: Some(ep.clone()),
        ..Default::default()
    };
    let plan = args
        .resolve(&cors_doctor::config::Config::default())
        .unwrap();
    let source =
        cors_doctor::aws::sdk::SdkSource::new(cors_doctor::aws::sdk::SdkOptions::from_plan(&plan));
    let request = cors_doctor::aws::ConfigRequest {
        api_ref: Some(cors_doctor::target::ApiRef {
            api_id: api.id.clone(),
            region: "us-east-1".into(),
            stage: None,
            path: "/v1/res".into(),
        }),
        url_path: Some("/v1/res".into()),
        path: None,
        stage: None,
        prefix_unknown: true,
    };
    use cors_doctor::aws::ConfigSource;
    let loaded = source.load(&request).await.expect("loads");
    assert_eq!(loaded.stage.as_deref(), Some("prod"));
    assert_eq!(loaded.path, "/res");
    assert_eq!(loaded.unresolved, None);
    // The mappings read are the configuration's custom domain too.
    let d = loaded.front.custom_domain.as_deref().expect("the domain");
    assert_eq!(
        d.mappings_in_words(),
        format!("v1 → API {} stage prod", api.id)
    );
}

/// Item 3: OPTIONS exists (and is open) in the configuration, the live preflight gets 403
/// Missing Authentication Token: OPTIONS_NOT_DEPLOYED and create-deployment, never put-method.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn options_in_the_configuration_but_missing_live_is_not_deployed() {
    let Some(ep) = aws::moto_endpoint() else {
        return;
    };
    let api = aws::Rest::new(&ep, "undeployed").await;
    api.healthy(&api.root, "items").await;
    api.deploy().await;
    let server = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ),
        ..healthy_gateway()
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let (code, report, out) = check(
        &[
            &url,
            "--api-id",
            &api.id,
            "--stage",
            "prod",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(report["first_failing_step"], 3, "{out}");
    let f = finding(&report, "OPTIONS_NOT_DEPLOYED").expect("not deployed");
    let cmds = commands(f);
    assert!(
        cmds.contains(&format!(
            "aws apigateway create-deployment --rest-api-id {} --stage-name prod",
            api.id
        )),
        "{cmds}"
    );
    assert!(finding(&report, "OPTIONS_MISSING").is_none(), "{out}");
    assert!(!out.contains("put-method "), "{out}");
    assert!(
        !out.contains("the API configuration would tell which"),
        "{out}"
    );
    server.shutdown().await;
}
