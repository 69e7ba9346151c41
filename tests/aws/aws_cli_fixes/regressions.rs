//! Regressions of issue 10 item 12 and issue 11 items 8, 10 and 12: fixes map, create and widen
//! only what is missing.

use super::*;

// ---------------------------------------------------------------------------------------------
// Regressions of issue 10 item 12 and issue 11 items 10 and 12

pub(super) fn finding_commands(report: &Value, code: &str) -> Option<Vec<String>> {
    fixes(report)
        .into_iter()
        .find(|(_, c, _)| c == code)
        .map(|(_, _, cmds)| cmds)
}

/// HEADER_NOT_MAPPED on Allow-Origin: the fix maps only Allow-Origin, single-quoted as API
/// Gateway needs it, and leaves the wider Allow-Methods/Allow-Headers mappings as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn header_not_mapped_fix_maps_only_what_is_missing() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let s = Scenario::by_name("header-declared-not-mapped").expect("scenario");
    let id = load(&ep, &s).await;
    let req = Request::of(&s);
    let report = check(&ep, &id, &s.spec.stage, &req).await;
    let cmds = finding_commands(&report, "HEADER_NOT_MAPPED").expect("a HEADER_NOT_MAPPED fix");
    let joined = cmds.join("\n");
    assert!(joined.contains("update-integration-response"), "{joined}");
    assert!(
        !joined.contains("Allow-Methods") && !joined.contains("Allow-Headers"),
        "{joined}"
    );
    assert!(
        !joined.contains("RESOURCE_ID"),
        "the resource id is known: {joined}"
    );
    aws::run_commands(&ep, &cli, &cmds, &[])
        .await
        .unwrap_or_else(|e| panic!("{joined}\n{e}"));
    let c = aws::v1(&ep);
    let resources = c
        .get_resources()
        .rest_api_id(&id)
        .send()
        .await
        .expect("get-resources")
        .items
        .unwrap_or_default();
    let rid = resources
        .iter()
        .find(|r| r.path.as_deref() == Some("/settings"))
        .and_then(|r| r.id.clone())
        .expect("/settings");
    let ir = c
        .get_integration_response()
        .rest_api_id(&id)
        .resource_id(&rid)
        .http_method("OPTIONS")
        .status_code("200")
        .send()
        .await
        .expect("get-integration-response");
    let params = ir.response_parameters.unwrap_or_default();
    let get = |h: &str| params.get(&format!("method.response.header.{h}")).cloned();
    assert_eq!(
        get("Access-Control-Allow-Origin").as_deref(),
        Some("'https://app.example.com'")
    );
    assert_eq!(
        get("Access-Control-Allow-Methods").as_deref(),
        Some("'GET,PUT,OPTIONS'")
    );
    assert_eq!(
        get("Access-Control-Allow-Headers").as_deref(),
        Some("'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token'")
    );
    let after = check(&ep, &id, &s.spec.stage, &req).await;
    assert!(!codes(&after).contains(&"HEADER_NOT_MAPPED".to_string()));
}

/// An export whose server URL is a template's wildcard (`https://*.execute-api…`): the id is
/// unknown, so the fix looks the API up by its name and never passes a bare `*`; run against
/// moto, the lookup finds the API and the fix clears the finding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn an_export_with_a_wildcard_server_looks_the_api_up_by_name() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let mut s = Scenario::by_name("options-missing").expect("scenario");
    let unique = format!(
        "wildcard-export-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    s.api.name = unique.clone();
    let id = load(&ep, &s).await;
    let text = std::fs::read_to_string(scenario_asset("options-missing")).expect("asset");
    let mut doc: Value = serde_json::from_str(&text).expect("json");
    doc["info"]["title"] = Value::String(unique.clone());
    doc["servers"][0]["url"] =
        Value::String("https://*.execute-api.us-east-1.amazonaws.com/{basePath}".into());
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("export.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let r = &s.spec.request;
    let mut args: Vec<String> = vec![
        "check".into(),
        "--openapi".into(),
        file.display().to_string(),
        "--stage".into(),
        s.spec.stage.clone(),
        "--path".into(),
        r.path.clone(),
        "-X".into(),
        r.method.clone(),
        "--origin".into(),
        r.origin.clone(),
        "--format".into(),
        "json".into(),
    ];
    for (k, v) in &r.headers {
        args.push("-H".into());
        args.push(format!("{k}: {v}"));
    }
    let out = aws::run_bin(&args.iter().map(String::as_str).collect::<Vec<_>>(), &[]).await;
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let cmds = finding_commands(&report, "OPTIONS_MISSING").expect("an OPTIONS_MISSING fix");
    let joined = cmds.join("\n");
    assert!(
        cmds[0].starts_with("REST_API_ID=$(aws apigateway get-rest-apis --query")
            && cmds[0].contains(&unique),
        "{joined}"
    );
    assert!(
        !joined
            .split_whitespace()
            .any(|w| w == "*" || w.contains("<")),
        "{joined}"
    );
    assert!(
        lint_commands(&cmds).is_empty(),
        "{:?}",
        lint_commands(&cmds)
    );
    aws::run_commands(&ep, &cli, &cmds, &[])
        .await
        .unwrap_or_else(|e| panic!("{joined}\n{e}"));
    let after = check(&ep, &id, &s.spec.stage, &Request::of(&s)).await;
    assert!(
        !codes(&after).contains(&"OPTIONS_MISSING".to_string()),
        "{:?}",
        codes(&after)
    );
}

/// Issue 11 items 8 and 12 through the binary and moto: a fix only patches what exists and
/// creates the rest (no OPTIONS method behind a custom MISSING_AUTHENTICATION_TOKEN status;
/// an OPTIONS MOCK without a method response), and a wrong Allow-Origin is replaced without
/// narrowing the wider Allow-Methods/Allow-Headers next to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn fixes_create_what_is_missing_and_keep_what_works() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let tag = std::process::id();
    let req = Request {
        path: "/items".into(),
        method: "PUT".into(),
        headers: vec![BEARER.into(), "Content-Type: application/json".into()],
        credentials: "same-origin".into(),
        origin: ORIGIN.into(),
    };
    let mut problems = Vec::new();

    // No OPTIONS, and MISSING_AUTHENTICATION_TOKEN answers 404.
    let mut no_options = items_api(&format!("custom-404-{tag}"), None, serde_json::json!({}));
    no_options
        .gateway_responses
        .push(cors_doctor::gateway::model::GatewayResponse {
            response_type: "MISSING_AUTHENTICATION_TOKEN".into(),
            status_code: Some("404".into()),
            ..Default::default()
        });
    // OPTIONS MOCK whose integration response has no method response to map onto.
    let mut no_response = items_api(
        &format!("no-method-response-{tag}"),
        Some(options_op(&[], None, false)),
        serde_json::json!({}),
    );
    for r in &mut no_response.resources {
        for m in &mut r.methods {
            if m.http_method == "OPTIONS" {
                m.responses.clear();
            }
        }
    }
    // (name, API, updates that would patch what does not exist)
    let cases: [(&str, &Api, &[&str]); 2] = [
        (
            "custom 404",
            &no_options,
            &[
                "update-method ",
                "update-method-response",
                "update-integration-response",
            ],
        ),
        (
            "no method response",
            &no_response,
            &["update-method-response"],
        ),
    ];
    for (name, api, forbidden) in cases {
        let id = load_rest(&ep, api, "prod", &[]).await;
        let report = check(&ep, &id, "prod", &req).await;
        for (_, code, cmds) in fixes(&report) {
            let joined = cmds.join("\n");
            if forbidden.iter().any(|f| joined.contains(f)) {
                problems.push(format!(
                    "{name}: {code} patches what does not exist:\n{joined}"
                ));
            }
        }
        problems.extend(fix_until_clean(&ep, &cli, name, &id, "prod", &req, &[]).await);
    }

    // A wrong Allow-Origin next to wide Allow-Methods/Allow-Headers.
    let wide_methods = "GET,PUT,POST,DELETE,PATCH,OPTIONS";
    let wide_headers = "Content-Type,Authorization,X-Api-Key,X-Amz-Date,X-Request-Id";
    let wrong_origin = items_api(
        &format!("wrong-origin-{tag}"),
        Some(options_op(
            &[
                ("Access-Control-Allow-Origin", "https://other.example"),
                ("Access-Control-Allow-Methods", wide_methods),
                ("Access-Control-Allow-Headers", wide_headers),
            ],
            None,
            false,
        )),
        serde_json::json!({}),
    );
    let id = load_rest(&ep, &wrong_origin, "prod", &[]).await;
    problems.extend(fix_until_clean(&ep, &cli, "wrong origin", &id, "prod", &req, &[]).await);
    let c = aws::v1(&ep);
    let rid = c
        .get_resources()
        .rest_api_id(&id)
        .send()
        .await
        .expect("get-resources")
        .items
        .unwrap_or_default()
        .into_iter()
        .find(|r| r.path.as_deref() == Some("/items"))
        .and_then(|r| r.id)
        .expect("/items");
    let params = c
        .get_integration_response()
        .rest_api_id(&id)
        .resource_id(&rid)
        .http_method("OPTIONS")
        .status_code("200")
        .send()
        .await
        .expect("get-integration-response")
        .response_parameters
        .unwrap_or_default();
    let get = |h: &str| params.get(&format!("method.response.header.{h}")).cloned();
    assert_eq!(
        get("Access-Control-Allow-Origin"),
        Some(format!("'{ORIGIN}'"))
    );
    assert_eq!(
        get("Access-Control-Allow-Methods"),
        Some(format!("'{wide_methods}'"))
    );
    assert_eq!(
        get("Access-Control-Allow-Headers"),
        Some(format!("'{wide_headers}'"))
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// An HTTP API whose cors_configuration does not allow the origin, on a stage without
/// automatic deployment: the fix widens the configuration (the other origin, methods, headers
/// and exposed headers stay) and deploys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn http_api_cors_fix_widens_the_configuration_and_deploys() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let mut s = Scenario::by_name("http-api-healthy").expect("scenario");
    s.api.name = format!("http-other-origin-{}", std::process::id());
    if let Some(c) = &mut s.api.cors {
        c.allow_origins = vec!["https://other.example".into()];
    }
    let id = load_http(&ep, &s.api, "live", false).await;
    let req = Request::of(&s);
    let report = check(&ep, &id, "live", &req).await;
    let cmds = finding_commands(&report, "BACKEND_HEADERS_IGNORED").expect("a cors fix");
    let joined = cmds.join("\n");
    assert!(
        joined.contains("aws apigatewayv2 create-deployment")
            && joined.contains("--stage-name live"),
        "{joined}"
    );
    let problems = fix_until_clean(&ep, &cli, "http other origin", &id, "live", &req, &[]).await;
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    let api = aws::v2(&ep)
        .get_api()
        .api_id(&id)
        .send()
        .await
        .expect("get-api");
    let cors = api.cors_configuration.expect("a cors configuration");
    let origins = cors.allow_origins.unwrap_or_default();
    assert!(
        origins.contains(&"https://other.example".to_string()),
        "{origins:?}"
    );
    assert!(origins.contains(&ORIGIN.to_string()), "{origins:?}");
    assert_eq!(
        cors.expose_headers.unwrap_or_default(),
        vec!["x-request-id".to_string()]
    );
    assert_eq!(cors.max_age, Some(3600));
    let methods = cors.allow_methods.unwrap_or_default();
    assert!(methods.iter().any(|m| m == "POST") && methods.iter().any(|m| m == "DELETE"));
}

/// Issue 11 item 12's wording: a preflight 404 without an error type reads "404 from …", not
/// "404  from …".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn a_bare_404_preflight_is_worded_without_a_double_space() {
    let server = common::FakeGateway {
        preflight: common::Canned::new(404)
            .h("apigw-requestid", "Ab1Cd2Ef3Gh=")
            .body("{\"message\":\"Not Found\"}"),
        actual: common::Canned::new(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    }
    .start(std::time::Duration::ZERO)
    .await;
    let url = format!("{}/items", server.base_url());
    let (_, report, raw) =
        common::check_json(&[url.as_str(), "--origin", ORIGIN, "-H", BEARER, "--no-aws"]).await;
    server.shutdown().await;
    let messages: Vec<&str> = report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("gets 404 from")),
        "{raw}"
    );
    assert!(messages.iter().all(|m| !m.contains("  ")), "{messages:#?}");
}
