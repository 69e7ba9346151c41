//! API definitions as people write them (tests/fixtures/definitions/): YAML and JSON, SAM
//! short tags and CloudFormation functions, Terraform `.tpl` placeholders, `$ref`
//! integrations, Swagger 2.0 and OpenAPI 3, REST and HTTP, every auth type (token, request,
//! Cognito, JWT, IAM, API key) and integration type (AWS_PROXY, AWS, HTTP, HTTP_PROXY, VPC
//! link, MOCK). Each file is accepted, and each class's route is diagnosed as it should be —
//! through the real binary, offline (`check --openapi FILE --path P -X M --origin O`).

use crate::common;

use common::{check_json, codes, cors_doctor};
use serde_json::Value;

const ORIGIN: &str = "https://app.example.com";

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/definitions/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `check --format json --openapi FILE --origin O` plus `extra`.
async fn offline(file: &str, extra: &[&str]) -> (i32, Value, String) {
    let path = fixture(file);
    let mut args = vec!["--openapi", path.as_str(), "--origin", ORIGIN];
    args.extend_from_slice(extra);
    check_json(&args).await
}

fn step(r: &Value, n: u64) -> &Value {
    r["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["number"] == n))
        .unwrap_or(&Value::Null)
}

fn step_codes(r: &Value, n: u64) -> Vec<String> {
    step(r, n)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

fn exchange<'a>(r: &'a Value, kind: &str) -> &'a Value {
    r["exchanges"]
        .as_array()
        .and_then(|x| x.iter().find(|x| x["kind"] == kind))
        .unwrap_or(&Value::Null)
}

/// Every file of the corpus is accepted (a diagnosis, not a usage error).
#[tokio::test]
async fn every_definition_in_the_corpus_is_accepted() {
    let dir = fixture("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        let (code, report, out) = offline(&name, &["--path", "/", "-X", "GET"]).await;
        assert!(code == 0 || code == 1, "{name} refused: {out}");
        assert_eq!(report["api"]["config_source"], "openapi", "{name}: {out}");
        assert!(
            report["api"]["kind_decided_by"].is_string(),
            "{name}: the report says what decided REST or HTTP: {out}"
        );
    }
}

/// SAM (YAML, Swagger 2.0, `!Sub`/`!GetAtt`/`!Join`), Cognito, Lambda proxy, SQS (AWS
/// integration), MOCK OPTIONS. A CloudFormation value in DEFAULT_5XX's Allow-Origin leaves
/// step 6 unknown with the reason; the Lambda proxy's answer is a labelled assumption.
#[tokio::test]
async fn sam_yaml_with_short_tags() {
    let (code, r, out) = offline(
        "sam-rest-cognito.yaml",
        &["--path", "/items", "-H", "Authorization: Bearer abc"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(r["api"]["kind"], "rest", "{out}");
    assert_eq!(
        r["api"]["kind_decided_by"],
        "x-amazon-apigateway-gateway-responses (REST APIs only)"
    );
    assert_eq!(r["browser"]["outcome"], "allowed", "{out}");
    assert_eq!(step(&r, 3)["status"], "pass", "{out}");
    assert_eq!(step(&r, 5)["status"], "warn", "{out}");
    assert_eq!(step_codes(&r, 5), ["ACTUAL_CORS_HEADERS"], "{out}");
    let warning = step(&r, 5)["findings"][0]["message"].as_str().unwrap_or("");
    assert!(warning.contains("assumed"), "{warning}");
    let six = &step(&r, 6);
    assert_eq!(six["status"], "unknown", "{out}");
    assert!(
        six["summary"].as_str().unwrap_or("").contains("Fn::Sub"),
        "{out}"
    );
    assert!(
        !codes(&r).contains(&"CORS_SECURITY_RISK".to_string()),
        "{out}"
    );
    assert!(r["api"]["config_warnings"][0]
        .as_str()
        .unwrap_or("")
        .contains("DEFAULT_5XX"));

    // The SQS resource has no OPTIONS: the configuration says so.
    let (code, r, out) = offline(
        "sam-rest-cognito.yaml",
        &[
            "--path",
            "/queue",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            "{}",
        ],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(step_codes(&r, 3), ["OPTIONS_MISSING"], "{out}");
}

/// Terraform `.tpl` (JSON with `${…}` placeholders), HTTP API, JWT authorizer, cors
/// configuration: API Gateway answers the preflight itself, and sets the CORS headers, so
/// nothing about the backend's headers is assumed.
#[tokio::test]
async fn terraform_template_http_api_with_jwt() {
    let (code, r, out) = offline(
        "terraform-http-jwt.json.tpl",
        &[
            "--path",
            "/orders",
            "-X",
            "POST",
            "-H",
            "Authorization: Bearer abc",
            "-H",
            "Content-Type: application/json",
            "-d",
            "{}",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(r["api"]["kind"], "http");
    assert_eq!(
        r["api"]["kind_decided_by"],
        "x-amazon-apigateway-cors (HTTP APIs only)"
    );
    // `https://${api_id}.execute-api…` names no API id.
    assert_eq!(r["api"]["id"], Value::Null, "{out}");
    assert_eq!(r["browser"]["outcome"], "allowed", "{out}");
    assert!(
        !step_codes(&r, 5).contains(&"ACTUAL_CORS_HEADERS".to_string()),
        "{out}"
    );
    assert!(
        step_codes(&r, 5).contains(&"BACKEND_HEADERS_IGNORED".to_string()),
        "{out}"
    );
}

/// `$ref` integrations (the form AWS documents for HTTP APIs), a REQUEST Lambda authorizer on
/// ANY /{proxy+} and no cors configuration: the authorizer catches the preflight (step 4).
/// The VPC link route's backend answers are assumptions, for the preflight too.
#[tokio::test]
async fn http_api_with_ref_integrations_and_request_authorizer() {
    let (code, r, out) = offline(
        "http-ref-request-authorizer.yaml",
        &["--path", "/anything", "-H", "Authorization: Bearer abc"],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(r["api"]["kind"], "http");
    assert!(r["api"]["kind_decided_by"]
        .as_str()
        .unwrap_or("")
        .contains("HTTP APIs only"));
    assert_eq!(step(&r, 4)["status"], "fail", "{out}");
    assert_eq!(step_codes(&r, 4), ["OPTIONS_AUTHORIZED"], "{out}");
    assert_eq!(exchange(&r, "preflight")["response"]["status"], 401);

    // The identity source is missing: 401 before the authorizer is called (no CORS headers).
    let (_, r, out) = offline("http-ref-request-authorizer.yaml", &["--path", "/anything"]).await;
    assert_eq!(exchange(&r, "actual")["response"]["status"], 401, "{out}");

    let (code, r, out) = offline(
        "http-ref-request-authorizer.yaml",
        &[
            "--path",
            "/internal/status",
            "-X",
            "GET",
            "-H",
            "X-Trace: 1",
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(step(&r, 5)["status"], "warn", "{out}");
    assert_eq!(
        step_codes(&r, 5),
        ["PREFLIGHT_CORS_HEADERS", "ACTUAL_CORS_HEADERS"],
        "{out}"
    );
    assert!(
        !codes(&r).contains(&"CORS_SECURITY_RISK".to_string()),
        "{out}"
    );
}

/// A TOKEN authorizer's identityValidationExpression: a token it does not match gets 401
/// before the authorizer runs, without CORS headers (blocked, exit 1); one it matches passes.
#[tokio::test]
async fn token_validation_expression_is_applied() {
    let (code, r, out) = offline(
        "rest-token-validation.json",
        &["--path", "/items", "-H", "Authorization: Bearer x"],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(r["browser"]["outcome"], "blocked", "{out}");
    assert_eq!(exchange(&r, "actual")["response"]["status"], 401, "{out}");
    assert_eq!(step_codes(&r, 6), ["GATEWAY_RESPONSE_NO_CORS"], "{out}");
    assert!(
        !out.contains("Bearer x"),
        "the token is never printed: {out}"
    );

    let (code, r, out) = offline(
        "rest-token-validation.json",
        &["--path", "/items", "-H", "Authorization: x-letmein"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(exchange(&r, "actual")["response"]["status"], 200, "{out}");
}

/// A REST body written for Terraform (payloadFormatVersion on its integrations, `${…}` URIs):
/// REST, said by which marker, unless `--kind` says otherwise. OPTIONS goes to the Lambda
/// proxy: its answer is an assumption (a warning), not invented headers or a security risk.
/// A REQUEST authorizer whose identity source (a query string) is missing answers 401.
#[tokio::test]
async fn terraform_rest_body_with_payload_format_version() {
    let (code, r, out) = offline(
        "rest-terraform-request-authorizer.json",
        &["--path", "/reports", "-H", "Authorization: Bearer abc"],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(r["api"]["kind"], "rest", "{out}");
    assert_eq!(
        r["api"]["kind_decided_by"],
        "x-amazon-apigateway-api-key-source (REST APIs only)"
    );
    assert_eq!(step_codes(&r, 5), ["PREFLIGHT_CORS_HEADERS"], "{out}");
    assert_eq!(step(&r, 5)["findings"][0]["severity"], "warning", "{out}");
    assert!(
        !codes(&r).contains(&"CORS_SECURITY_RISK".to_string()),
        "{out}"
    );
    assert_eq!(exchange(&r, "actual")["response"]["status"], 401, "{out}");
    // No remedy for an HTTP API is offered for a REST API.
    assert!(!out.contains("apigatewayv2"), "{out}");

    let (_, r, out) = offline(
        "rest-terraform-request-authorizer.json",
        &["--path", "/reports", "--kind", "http"],
    )
    .await;
    assert_eq!(r["api"]["kind"], "http", "{out}");
    assert_eq!(r["api"]["kind_decided_by"], "--kind http", "{out}");
}

/// ANY /{proxy+} with AWS_IAM catches the preflight: 403 Missing Authentication Token, which
/// looks like a missing method, but the configuration shows step 4.
#[tokio::test]
async fn any_with_iam_catching_the_preflight_is_step_4() {
    let (code, r, out) = offline(
        "rest-any-iam.yaml",
        &[
            "--path",
            "/files/a.txt",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "-d",
            "{}",
        ],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(r["api"]["kind"], "rest");
    assert_ne!(step(&r, 3)["status"], "fail", "{out}");
    assert!(!codes(&r).contains(&"OPTIONS_MISSING".to_string()), "{out}");
    assert_eq!(step_codes(&r, 4), ["OPTIONS_AUTHORIZED"], "{out}");
    assert_eq!(r["first_failing_step"], 1, "{out}");
    let msg = step(&r, 4)["findings"][0]["message"].as_str().unwrap_or("");
    assert!(msg.contains("AWS_IAM") && msg.contains("ANY"), "{msg}");
}

/// Swagger 2.0 from a Serverless file: API keys, an HTTP (non-proxy) integration, and a
/// requirement naming a scheme the file does not define: accepted, with a warning, and the
/// step that needs the method's authorization is unknown.
#[tokio::test]
async fn undefined_security_scheme_is_a_warning() {
    let (code, r, out) = offline(
        "serverless-rest-apikey.yml",
        &["--path", "/users", "-H", "x-api-key: k123"],
    )
    .await;
    assert!(code == 0 || code == 1, "{out}");
    assert_eq!(r["api"]["kind"], "rest");
    let warnings = r["api"]["config_warnings"].to_string();
    assert!(warnings.contains("security scheme 'cognito'"), "{out}");
    assert_eq!(step(&r, 6)["status"], "unknown", "{out}");
    assert_eq!(exchange(&r, "actual")["response"]["status"], 200, "{out}");
    assert_eq!(step(&r, 5)["status"], "pass", "{out}");
}

/// An HTTP API `$default` HTTP_PROXY route without cors configuration: preflight and actual
/// are answered by the backend, so both are shown as assumptions (the same rule as REST).
#[tokio::test]
async fn http_api_proxy_answers_are_labelled_assumptions() {
    let (code, r, out) = offline(
        "http-api-proxy-no-cors.json",
        &["--path", "/api/items", "-X", "DELETE"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(r["api"]["kind"], "http");
    assert_eq!(step(&r, 5)["status"], "warn", "{out}");
    assert!(
        !step(&r, 5)["summary"]
            .as_str()
            .unwrap_or("")
            .contains("are right"),
        "{out}"
    );
    assert_eq!(
        step_codes(&r, 5),
        ["PREFLIGHT_CORS_HEADERS", "ACTUAL_CORS_HEADERS"],
        "{out}"
    );
    assert!(
        !codes(&r).contains(&"CORS_SECURITY_RISK".to_string()),
        "{out}"
    );
    // The prediction's assumption is labelled in the exchange itself.
    let headers = exchange(&r, "preflight")["response"]["headers"].to_string();
    assert!(headers.contains("x-cors-doctor-assumption"), "{headers}");
}

/// Broken YAML and JSON give `FILE:LINE:` errors (exit 2); alias bombs are refused.
#[tokio::test]
async fn bad_definitions_name_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "bad.yaml",
            "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        type: lambda\n",
            "bad.yaml:6:",
        ),
        (
            "broken.yaml",
            "openapi: 3.0.1\npaths:\n  /a: [1, 2\n  /b: 3\n",
            "broken.yaml:",
        ),
        ("broken.json", "{\n  \"openapi\": \"3.0.1\",\n  \"paths\": }\n", "broken.json:3:"),
        (
            "dup.yaml",
            "openapi: 3.0.1\npaths: {}\npaths: {}\n",
            "dup.yaml:3:",
        ),
    ];
    for (name, text, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let p = path.to_string_lossy().into_owned();
        let out = cors_doctor(common::args(&[
            "check",
            "--openapi",
            &p,
            "--path",
            "/a",
            "--origin",
            ORIGIN,
        ]))
        .await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(want), "{name}: {stderr}");
        assert!(stderr.lines().count() <= 3, "{name}: {stderr}");
    }
    let mut bomb = String::from("openapi: 3.0.1\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9u8 {
        let (p, c) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        bomb.push_str(&format!(
            "{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        ));
    }
    let path = dir.path().join("bomb.yaml");
    std::fs::write(&path, bomb).expect("write");
    let p = path.to_string_lossy().into_owned();
    let started = std::time::Instant::now();
    let out = cors_doctor(common::args(&[
        "check",
        "--openapi",
        &p,
        "--path",
        "/a",
        "--origin",
        ORIGIN,
    ]))
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("alias"), "{stderr}");
    assert!(started.elapsed().as_secs() < 20);
}

/// A Terraform template whose Allow-Origin mapping is a `${…}` placeholder: the steps that
/// read it (5, and the browser retest of the same predicted answer) are unknown, with the
/// reason, instead of judging the placeholder text.
#[tokio::test]
async fn a_placeholder_the_diagnosis_needs_leaves_its_steps_unknown() {
    let (_, r, out) = offline(
        "terraform-rest-cors.json.tpl",
        &["--path", "/items", "-H", "Authorization: Bearer abc"],
    )
    .await;
    assert_eq!(r["api"]["kind"], "rest", "{out}");
    for n in [5, 7] {
        assert_eq!(step(&r, n)["status"], "unknown", "step {n}: {out}");
        assert!(
            step(&r, n)["summary"]
                .as_str()
                .unwrap_or("")
                .contains("template placeholder '${allowed_origin}'"),
            "step {n}: {out}"
        );
    }
    assert!(
        !codes(&r).contains(&"PREFLIGHT_CORS_HEADERS".to_string()),
        "{out}"
    );
    assert!(r["api"]["config_warnings"]
        .to_string()
        .contains("${allowed_origin}"));
}
