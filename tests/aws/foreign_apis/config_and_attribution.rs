//! Items 5–7, 10 and 11: configuration asked for and not found, a profile against environment
//! credentials, attribution in probes-only mode.

use super::*;

/// Items 5 and 6: a stage the API does not have, an API id that does not exist, an endpoint
/// that does not answer and one that is not a URL: each says what failed, and exits 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn configuration_asked_for_and_not_found_is_an_error() {
    let server = healthy_gateway().start(Duration::ZERO).await;
    let url = format!("{}/v1/items", server.base_url());
    // Nothing listens on port 1 of loopback.
    let (code, _, out) = check(
        &[
            &url,
            "--api-id",
            "abc123",
            "--endpoint-url",
            "http://127.0.0.1:1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("could not reach the API Gateway endpoint http://127.0.0.1:1/"),
        "{out}"
    );
    for garbage in ["not a url", "ftp://127.0.0.1", "http://"] {
        let (code, _, out) = check(
            &[&url, "--api-id", "abc123", "--endpoint-url", garbage],
            &[],
        )
        .await;
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("invalid --endpoint-url"), "{out}");
        assert!(!out.contains("Error {") && !out.contains("kind:"), "{out}");
    }
    // The same from the environment, as the AWS CLI reads it.
    let (code, _, out) = check(
        &[&url, "--api-id", "abc123", "--region", "us-east-1"],
        &[("AWS_ENDPOINT_URL", "not a url")],
    )
    .await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("Check AWS_ENDPOINT_URL"), "{out}");
    assert!(!out.contains("Error {") && !out.contains("kind:"), "{out}");
    let Some(ep) = aws::moto_endpoint() else {
        server.shutdown().await;
        return;
    };
    let (code, _, out) = check(
        &[
            &url,
            "--api-id",
            "zzz999",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("API zzz999 not found in us-east-1 (REST or HTTP"),
        "{out}"
    );

    let api = aws::Rest::new(&ep, "stages").await;
    api.healthy(&api.root, "items").await;
    api.deploy().await;
    let (code, _, out) = check(
        &[
            &url,
            "--api-id",
            &api.id,
            "--stage",
            "prd",
            "--endpoint-url",
            &ep,
            "--region",
            "us-east-1",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("has no stage 'prd'; its stages are: prod"),
        "{out}"
    );
    server.shutdown().await;
}

/// Item 7: an explicit `--profile` wins over AWS_ACCESS_KEY_ID in the environment (as in the
/// AWS CLI): the control plane sees the profile's key. A mistyped profile names those that
/// exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn an_explicit_profile_wins_over_environment_credentials() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let handler = Arc::new(move |req: HttpRequest| -> HttpResponse {
        if let Some(a) = req.headers.get("authorization") {
            record.lock().unwrap().push(a.to_string());
        }
        HttpResponse {
            status: 404,
            headers: Headers::new()
                .with("content-type", "application/json")
                .with("x-amzn-ErrorType", "NotFoundException"),
            body: b"{\"message\":\"Invalid API identifier specified\"}".to_vec(),
        }
    });
    let control = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("cors-doctor-profiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let creds = dir.join("credentials");
    std::fs::write(
        &creds,
        "[ops]\naws_access_key_id = AKIDPROFILEOPS000001\naws_secret_access_key = profilesecret\n\n[dev]\naws_access_key_id = AKIDPROFILEDEV000001\naws_secret_access_key = devsecret\n",
    )
    .unwrap();
    let env = [
        ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT00001"),
        ("AWS_SECRET_ACCESS_KEY", "envsecret"),
    ];
    let ep = control.base_url();
    let base = [
        "--api-id",
        "abc123",
        "--stage",
        "prod",
        "--path",
        "/items",
        "--endpoint-url",
        ep.as_str(),
        "--region",
        "us-east-1",
    ];
    let mut args = base.to_vec();
    args.extend(["--profile", "ops"]);
    let (code, _, out) = check(&args, &env).await;
    assert_eq!(code, 2, "the API does not exist: {out}");
    let seen_keys = seen.lock().unwrap().clone();
    assert!(!seen_keys.is_empty(), "{out}");
    assert!(
        seen_keys
            .iter()
            .all(|a| a.contains("Credential=AKIDPROFILEOPS000001/")),
        "{seen_keys:?}"
    );
    // Without --profile, the environment's key is used.
    seen.lock().unwrap().clear();
    let _ = check(&base, &env).await;
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|a| a.contains("Credential=AKIDENVIRONMENT00001/")),
        "{out}"
    );
    // A mistyped profile: exit 2, naming the profiles that exist.
    let mut args = base.to_vec();
    args.extend(["--profile", "opss"]);
    let (code, _, out) = check(&args, &env).await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("AWS profile 'opss' not found; the profiles that exist are: dev, ops"),
        "{out}"
    );
    assert!(
        !out.contains("profilesecret") && !out.contains("envsecret"),
        "{out}"
    );
    control.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Items 10 and 11: an HTTP API's 401 comes from the route's authorizer, not "the integration";
/// probes only behind a long prefix, the commands leave the resource path as a placeholder
/// instead of repeating the URL's path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn attribution_and_the_resource_path_in_probes_only_mode() {
    let out = common::cors_doctor(common::args(&[
        "demo",
        "http-api-default-route-jwt-cors",
        "--format",
        "json",
    ]))
    .await;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let step3 = &report["steps"][2]["summary"];
    assert!(
        step3.as_str().unwrap().contains("the route's authorizer"),
        "{step3}"
    );
    assert!(!report.to_string().contains("from the integration"));
    assert_eq!(report["exchanges"][0]["answered_by"], "gateway");

    // Offline, without a token: the actual request meets the authorizer too. HTTP APIs have
    // no gateway responses: the fix is the cause, not a gateway response.
    let export = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/http-api-default-route-jwt-cors.json"
    );
    let out = common::cors_doctor(common::args(&[
        "check",
        "--format",
        "json",
        "--openapi",
        export,
        "--stage",
        "$default",
        "--path",
        "/notes",
        "--origin",
        ORIGIN,
        "-H",
        "X-Trace: 1",
    ]))
    .await;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actual = report["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "actual")
        .unwrap();
    assert_eq!(actual["response"]["status"], 401);
    assert_eq!(actual["answered_by"], "gateway");
    let f = finding(&report, "GATEWAY_RESPONSE_NO_CORS").expect("step 6");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("the route's authorizer"), "{message}");
    assert!(
        message.contains("HTTP APIs add no CORS headers"),
        "{message}"
    );
    assert_eq!(commands(f), "", "no gateway response to customize");

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
    let url = format!("{}/edge/v2/shop/items", server.base_url());
    let (code, report, out) = check(&[&url, "--no-aws"], &[]).await;
    assert_eq!(code, 1, "{out}");
    let f = finding(&report, "OPTIONS_MISSING").expect("step 3");
    let cmds = commands(f);
    assert!(cmds.contains("items[?path=='$RESOURCE_PATH']"), "{cmds}");
    assert!(
        !cmds.contains("/edge/v2/shop/items") && !cmds.contains('<'),
        "{cmds}"
    );
    server.shutdown().await;
}
