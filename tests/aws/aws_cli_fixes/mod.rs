//! Every AWS CLI fix cors-doctor prints, proven: each scenario in assets/scenarios is loaded
//! into moto (through the Rust SDK, from the scenario's own model: resources, methods, method
//! and integration responses, authorizers, gateway responses, a deployment that lacks what the
//! scenario says is not deployed), diagnosed by the real binary (`check --api-id … --endpoint-url
//! MOTO`), and then, round after round, the first finding that carries commands has its
//! commands run by bash through the real `aws` CLI (v1, from the test venv) against moto; the
//! configuration is read back by diagnosing again, and that finding must be gone. The rounds end
//! when no finding carries commands. New scenarios and new remedies are covered without touching
//! this file.
//!
//! A second test runs every command of every scenario (live against the simulator, and offline
//! from the export, in JSON, text and Markdown) through `bash -n`, then through bash with a stub
//! `aws` and `failglob` in an empty directory (an unquoted glob fails), rejects `<…>`
//! placeholders, checks that JSON-valued options parse and that static mapping values are
//! single-quoted, and has the real `aws` CLI parse and validate each one
//! (`--generate-cli-skeleton output`: nothing is sent).
//!
//! A third runs the failure classes' probes-only fixes (ids unknown: lookups and shell
//! variables) against APIs of the same shape in moto.
//!
//! moto gaps filled by scripts/moto_server.py: UpdateMethod, UpdateMethodResponse,
//! UpdateIntegrationResponse, UpdateGatewayResponse, apigatewayv2 CreateDeployment, and API
//! Gateway's validation of mapping expressions (a static value must be single-quoted), of
//! mapped headers (declared by the method response) and of PutMethod/PutMethodResponse on
//! existing ones (409).
//!
//! Needs MOTO_ENDPOINT (scripts/moto.sh) and the venv's `aws` (MOTO_AWS_CLI, printed by
//! scripts/moto.sh). Without them the moto tests print why and pass, unless
//! CORS_DOCTOR_REQUIRE_MOTO is set.

use crate::common;
use crate::support as aws;

use std::collections::HashMap;
use std::path::PathBuf;

use aws_sdk_apigateway::types::{
    AuthorizerType, GatewayResponseType, IntegrationType, Op, PatchOperation,
};
use aws_sdk_apigatewayv2::types as v2t;
use cors_doctor::gateway::model::{
    Api, ApiKind, AuthorizationType, AuthorizerKind, IntegrationType as ModelIntegration, Method,
    DEFAULT_ROUTE,
};
use cors_doctor::gateway::scenario::Scenario;
use serde_json::Value;

const REGION: &str = "us-east-1";

fn moto() -> Option<(String, PathBuf)> {
    let require = std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_some();
    let ep = match std::env::var("MOTO_ENDPOINT") {
        Ok(e) if !e.is_empty() => e,
        _ => {
            assert!(
                !require,
                "CORS_DOCTOR_REQUIRE_MOTO is set but MOTO_ENDPOINT is not"
            );
            eprintln!("skipped: MOTO_ENDPOINT is not set (scripts/moto.sh starts moto)");
            return None;
        }
    };
    let host = url::Url::parse(&ep)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    assert!(
        matches!(host.as_deref(), Some("127.0.0.1" | "localhost")),
        "MOTO_ENDPOINT must be on loopback, not {ep}"
    );
    let cli = aws::aws_cli_path();
    if !cli.exists() {
        assert!(
            !require,
            "the AWS CLI is not at {} (scripts/moto.sh installs it)",
            cli.display()
        );
        eprintln!("skipped: no AWS CLI at {}", cli.display());
        return None;
    }
    Some((ep, cli))
}

/// Has the real AWS CLI parse and validate `cmds` without sending anything
/// (`--generate-cli-skeleton output` validates the input and prints a sample answer; lookups
/// then read `stub-id`).
fn cli_parse(cli: &PathBuf, cmds: &[String]) -> Result<(), String> {
    let script = format!(
        "set -euo pipefail\naws() {{ command \"$CORS_DOCTOR_TEST_AWS\" --endpoint-url http://127.0.0.1:9 --region {REGION} \"$@\" --generate-cli-skeleton output >/dev/null || return 1; echo stub-id; }}\n{}\n",
        cmds.join("\n")
    );
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", &script])
        .env("CORS_DOCTOR_TEST_AWS", cli)
        .env("REST_API_ID", "abc123")
        .env("API_ID", "abc123")
        .env("STAGE", "prod")
        .env("AWS_PAGER", "");
    for (k, v) in aws::sealed_vars() {
        cmd.env(k, v);
    }
    for k in aws::UNSET {
        cmd.env_remove(k);
    }
    let out = cmd.output().map_err(|e| format!("bash: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Loading a scenario's model into moto

/// Creates `api` in moto as a REST API; methods named in `later` are added after the stage's
/// deployment (not deployed). Returns the API id.
async fn load_rest(ep: &str, api: &Api, stage: &str, later: &[(String, String)]) -> String {
    let c = aws::v1(ep);
    let id = c
        .create_rest_api()
        .name(&api.name)
        .send()
        .await
        .expect("create-rest-api")
        .id
        .expect("id");
    let items = c
        .get_resources()
        .rest_api_id(&id)
        .send()
        .await
        .expect("get-resources")
        .items
        .unwrap_or_default();
    let mut ids: HashMap<String, String> = HashMap::new();
    ids.insert(
        "/".into(),
        items[0].id.clone().expect("the root resource has an id"),
    );
    let mut paths: Vec<&str> = api
        .resources
        .iter()
        .map(|r| r.path.as_str())
        .filter(|p| p.starts_with('/'))
        .collect();
    paths.sort_by_key(|p| p.matches('/').count());
    for p in paths {
        let mut cur = String::new();
        for part in p.split('/').filter(|s| !s.is_empty()) {
            let parent = if cur.is_empty() {
                "/".to_string()
            } else {
                cur.clone()
            };
            cur = format!("{cur}/{part}");
            if !ids.contains_key(&cur) {
                let rid = c
                    .create_resource()
                    .rest_api_id(&id)
                    .parent_id(&ids[&parent])
                    .path_part(part)
                    .send()
                    .await
                    .expect("create-resource")
                    .id
                    .expect("id");
                ids.insert(cur.clone(), rid);
            }
        }
    }
    let mut authorizers = HashMap::new();
    for a in &api.authorizers {
        let kind = match a.kind {
            AuthorizerKind::Token => AuthorizerType::Token,
            AuthorizerKind::Request => AuthorizerType::Request,
            AuthorizerKind::CognitoUserPools => AuthorizerType::CognitoUserPools,
            AuthorizerKind::Jwt => continue,
        };
        let mut b = c
            .create_authorizer()
            .rest_api_id(&id)
            .name(&a.name)
            .r#type(kind)
            .identity_source(
                a.identity_source
                    .clone()
                    .unwrap_or_else(|| "method.request.header.Authorization".into()),
            );
        if let Some(uri) = &a.authorizer_uri {
            b = b.authorizer_uri(uri);
        }
        for arn in &a.provider_arns {
            b = b.provider_arns(arn);
        }
        let aid = b.send().await.expect("create-authorizer").id.expect("id");
        authorizers.insert(a.name.clone(), aid);
    }
    let is_later = |path: &str, verb: &str| {
        later
            .iter()
            .any(|(p, m)| p == path && m.eq_ignore_ascii_case(verb))
    };
    for r in &api.resources {
        for m in &r.methods {
            if !is_later(&r.path, &m.http_method) {
                put_rest_method(&c, &id, &ids[&r.path], m, &authorizers).await;
            }
        }
    }
    for g in &api.gateway_responses {
        let mut b = c
            .put_gateway_response()
            .rest_api_id(&id)
            .response_type(GatewayResponseType::from(g.response_type.as_str()));
        if let Some(s) = &g.status_code {
            b = b.status_code(s);
        }
        for (k, v) in &g.response_parameters {
            b = b.response_parameters(k, v);
        }
        for (k, v) in &g.response_templates {
            if let Some(v) = v {
                b = b.response_templates(k, v);
            }
        }
        b.send().await.expect("put-gateway-response");
    }
    c.create_deployment()
        .rest_api_id(&id)
        .stage_name(stage)
        .send()
        .await
        .expect("create-deployment");
    for r in &api.resources {
        for m in &r.methods {
            if is_later(&r.path, &m.http_method) {
                put_rest_method(&c, &id, &ids[&r.path], m, &authorizers).await;
            }
        }
    }
    id
}

/// One method with its method responses, integration and integration responses. A mapping of
/// a header its method response does not declare (a state API Gateway only reaches when a
/// declaration is removed later) is made by declaring, mapping, then removing the declaration.
async fn put_rest_method(
    c: &aws_sdk_apigateway::Client,
    api: &str,
    rid: &str,
    m: &Method,
    authorizers: &HashMap<String, String>,
) {
    let verb = m.http_method.as_str();
    let mut b = c
        .put_method()
        .rest_api_id(api)
        .resource_id(rid)
        .http_method(verb)
        .authorization_type(m.authorization.as_str())
        .api_key_required(m.api_key_required);
    if let Some(aid) = m.authorizer.as_ref().and_then(|n| authorizers.get(n)) {
        b = b.authorizer_id(aid);
    }
    for s in &m.authorization_scopes {
        b = b.authorization_scopes(s);
    }
    b.send().await.expect("put-method");
    let responses = m
        .integration
        .as_ref()
        .map(|i| i.responses.clone())
        .unwrap_or_default();
    // Declarations the integration responses need but the method responses lack.
    let mut temporary: Vec<(String, String)> = Vec::new();
    let mut temp_responses: Vec<String> = Vec::new();
    let mut statuses: Vec<String> = m.responses.iter().map(|r| r.status_code.clone()).collect();
    for ir in &responses {
        if !statuses.contains(&ir.status_code) {
            statuses.push(ir.status_code.clone());
            temp_responses.push(ir.status_code.clone());
        }
    }
    for status in &statuses {
        let mut b = c
            .put_method_response()
            .rest_api_id(api)
            .resource_id(rid)
            .http_method(verb)
            .status_code(status);
        if let Some(mr) = m.response(status) {
            for h in &mr.headers {
                b = b.response_parameters(format!("method.response.header.{h}"), false);
            }
        }
        for ir in responses.iter().filter(|r| &r.status_code == status) {
            for k in ir.response_parameters.keys() {
                let declared = k
                    .strip_prefix("method.response.header.")
                    .is_some_and(|h| m.response(status).is_some_and(|mr| mr.declares(h)));
                if !declared && k.starts_with("method.response.header.") {
                    b = b.response_parameters(k, false);
                    temporary.push((status.clone(), k.clone()));
                }
            }
        }
        b.send().await.expect("put-method-response");
    }
    if let Some(i) = &m.integration {
        let mut b = c
            .put_integration()
            .rest_api_id(api)
            .resource_id(rid)
            .http_method(verb)
            .r#type(IntegrationType::from(i.kind.as_str()));
        if let Some(u) = &i.uri {
            b = b.uri(u);
        }
        if let Some(h) = &i.http_method {
            b = b.integration_http_method(h);
        } else if i.kind != ModelIntegration::Mock {
            b = b.integration_http_method("POST");
        }
        for (k, v) in &i.request_templates {
            if let Some(v) = v {
                b = b.request_templates(k, v);
            }
        }
        if let Some(p) = &i.passthrough_behavior {
            b = b.passthrough_behavior(p.to_ascii_uppercase());
        }
        b.send().await.expect("put-integration");
        for ir in &i.responses {
            let mut b = c
                .put_integration_response()
                .rest_api_id(api)
                .resource_id(rid)
                .http_method(verb)
                .status_code(&ir.status_code);
            if !ir.is_default() {
                b = b.selection_pattern(&ir.selection_pattern);
            }
            for (k, v) in &ir.response_parameters {
                b = b.response_parameters(k, v);
            }
            for (k, v) in &ir.response_templates {
                if let Some(v) = v {
                    b = b.response_templates(k, v);
                }
            }
            b.send().await.expect("put-integration-response");
        }
    }
    for (status, key) in temporary {
        if temp_responses.contains(&status) {
            continue;
        }
        c.update_method_response()
            .rest_api_id(api)
            .resource_id(rid)
            .http_method(verb)
            .status_code(&status)
            .patch_operations(
                PatchOperation::builder()
                    .op(Op::Remove)
                    .path(format!("/responseParameters/{key}"))
                    .build(),
            )
            .send()
            .await
            .expect("update-method-response remove");
    }
    for status in temp_responses {
        c.delete_method_response()
            .rest_api_id(api)
            .resource_id(rid)
            .http_method(verb)
            .status_code(status)
            .send()
            .await
            .expect("delete-method-response");
    }
}

/// Creates `api` in moto as an HTTP API. Returns the API id.
async fn load_http(ep: &str, api: &Api, stage: &str, auto_deploy: bool) -> String {
    let c = aws::v2(ep);
    let mut b = c
        .create_api()
        .name(&api.name)
        .protocol_type(v2t::ProtocolType::Http);
    if let Some(cors) = &api.cors {
        b = b.cors_configuration(
            v2t::Cors::builder()
                .set_allow_origins(Some(cors.allow_origins.clone()))
                .set_allow_methods(Some(cors.allow_methods.clone()))
                .set_allow_headers(Some(cors.allow_headers.clone()))
                .set_expose_headers(Some(cors.expose_headers.clone()))
                .set_max_age(cors.max_age.map(|a| a as i32))
                .set_allow_credentials(cors.allow_credentials)
                .build(),
        );
    }
    let id = b.send().await.expect("create-api").api_id.expect("api id");
    let mut authorizers = HashMap::new();
    for a in &api.authorizers {
        let sources: Vec<String> = a
            .identity_source
            .clone()
            .unwrap_or_else(|| "$request.header.Authorization".into())
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        let mut b = c
            .create_authorizer()
            .api_id(&id)
            .name(&a.name)
            .set_identity_source(Some(sources));
        b = match a.kind {
            AuthorizerKind::Jwt => {
                let jwt = a.jwt.clone().unwrap_or_default();
                b.authorizer_type(v2t::AuthorizerType::Jwt)
                    .jwt_configuration(
                        v2t::JwtConfiguration::builder()
                            .set_issuer(jwt.issuer)
                            .set_audience(Some(jwt.audience))
                            .build(),
                    )
            }
            _ => b
                .authorizer_type(v2t::AuthorizerType::Request)
                .set_authorizer_uri(a.authorizer_uri.clone())
                .authorizer_payload_format_version("2.0"),
        };
        let aid = b
            .send()
            .await
            .expect("create-authorizer")
            .authorizer_id
            .expect("id");
        authorizers.insert(a.name.clone(), aid);
    }
    for r in &api.resources {
        for m in &r.methods {
            let mut target = None;
            if let Some(i) = &m.integration {
                let mut b = c
                    .create_integration()
                    .api_id(&id)
                    .integration_type(v2t::IntegrationType::from(i.kind.as_str()))
                    .set_integration_uri(i.uri.clone())
                    .payload_format_version(i.payload_format_version.clone().unwrap_or_else(
                        || {
                            if i.kind == ModelIntegration::AwsProxy {
                                "2.0".into()
                            } else {
                                "1.0".into()
                            }
                        },
                    ));
                if i.kind == ModelIntegration::HttpProxy {
                    b = b.integration_method(i.http_method.clone().unwrap_or_else(|| "ANY".into()));
                }
                let iid = b
                    .send()
                    .await
                    .expect("create-integration")
                    .integration_id
                    .expect("id");
                target = Some(format!("integrations/{iid}"));
            }
            let key = if r.path == DEFAULT_ROUTE {
                DEFAULT_ROUTE.to_string()
            } else {
                format!("{} {}", m.http_method, r.path)
            };
            let mut b = c
                .create_route()
                .api_id(&id)
                .route_key(key)
                .set_target(target);
            if m.authorization != AuthorizationType::None {
                b = b.authorization_type(v2t::AuthorizationType::from(
                    if m.authorization == AuthorizationType::Custom {
                        "CUSTOM"
                    } else {
                        m.authorization.as_str()
                    },
                ));
                if let Some(aid) = m.authorizer.as_ref().and_then(|n| authorizers.get(n)) {
                    b = b.authorizer_id(aid);
                }
            }
            b.send().await.expect("create-route");
        }
    }
    c.create_stage()
        .api_id(&id)
        .stage_name(stage)
        .auto_deploy(auto_deploy)
        .send()
        .await
        .expect("create-stage");
    id
}

async fn load(ep: &str, s: &Scenario) -> String {
    let later: Vec<(String, String)> = s
        .spec
        .deployment
        .iter()
        .flat_map(|d| d.not_deployed.iter())
        .map(|m| (m.path.clone(), m.method.clone()))
        .collect();
    match s.api.kind {
        ApiKind::Rest => load_rest(ep, &s.api, &s.spec.stage, &later).await,
        ApiKind::Http => load_http(ep, &s.api, &s.spec.stage, s.spec.auto_deploy).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnosing and applying

struct Request {
    path: String,
    method: String,
    headers: Vec<String>,
    credentials: String,
    origin: String,
}

impl Request {
    fn of(s: &Scenario) -> Request {
        let r = &s.spec.request;
        Request {
            path: r.path.clone(),
            method: r.method.clone(),
            headers: r.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect(),
            credentials: r.credentials.as_str().to_string(),
            origin: r.origin.clone(),
        }
    }
}

/// `cors-doctor check --api-id … --endpoint-url MOTO --format json`, parsed.
async fn check(ep: &str, api_id: &str, stage: &str, req: &Request) -> Value {
    let mut args: Vec<String> = vec![
        "check".into(),
        "--api-id".into(),
        api_id.into(),
        "--stage".into(),
        stage.into(),
        "--path".into(),
        req.path.clone(),
        "-X".into(),
        req.method.clone(),
        "--origin".into(),
        req.origin.clone(),
        "--credentials".into(),
        req.credentials.clone(),
        "--region".into(),
        REGION.into(),
        "--endpoint-url".into(),
        ep.into(),
        "--format".into(),
        "json".into(),
    ];
    for h in &req.headers {
        args.push("-H".into());
        args.push(h.clone());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = aws::run_bin(&refs, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "check {api_id} failed ({:?}): {}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        stdout
    );
    serde_json::from_str(&stdout).expect("a JSON report")
}

/// (step, code, commands) of every finding that carries commands, in report order.
fn fixes(report: &Value) -> Vec<(u64, String, Vec<String>)> {
    let mut out = Vec::new();
    for step in report["steps"].as_array().into_iter().flatten() {
        for f in step["findings"].as_array().into_iter().flatten() {
            let cmds: Vec<String> = f["remediation"]["commands"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
            if !cmds.is_empty() {
                out.push((
                    step["number"].as_u64().unwrap_or(0),
                    f["code"].as_str().unwrap_or("").to_string(),
                    cmds,
                ));
            }
        }
    }
    out
}

fn codes(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

/// The codes of the error and warning findings.
fn problem_codes(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .filter(|f| f["severity"] != "info")
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

/// Applies the first finding's commands, diagnoses again, and requires the finding gone; until
/// no finding carries commands (at most 6 rounds). Returns the problems found.
async fn fix_until_clean(
    ep: &str,
    cli: &std::path::Path,
    name: &str,
    api_id: &str,
    stage: &str,
    req: &Request,
    vars: &[(&str, &str)],
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut report = check(ep, api_id, stage, req).await;
    let mut applied = Vec::new();
    for _round in 0..6 {
        let Some((step, code, commands)) = fixes(&report).into_iter().next() else {
            break;
        };
        if let Err(e) = aws::run_commands(ep, cli, &commands, vars).await {
            problems.push(format!(
                "{name}: the fix for {code} (step {step}) fails:\n{}\n---\n{e}",
                commands.join("\n")
            ));
            return problems;
        }
        applied.push(code.clone());
        report = check(ep, api_id, stage, req).await;
        // Gone, or left as information (BACKEND_HEADERS_IGNORED says what an HTTP API's
        // cors_configuration does once it allows the origin).
        if problem_codes(&report).contains(&code) {
            problems.push(format!(
                "{name}: {code} (step {step}) is still reported after its fix ran:\n{}\nnow: {:?}",
                commands.join("\n"),
                codes(&report)
            ));
            return problems;
        }
    }
    if let Some((_, code, _)) = fixes(&report).into_iter().next() {
        problems.push(format!(
            "{name}: still a fix to apply after 6 rounds ({code}); applied {applied:?}"
        ));
    }
    eprintln!(
        "{name}: applied {applied:?}; first failing step now {}",
        report["first_failing_step"]
    );
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_fix_runs_through_the_aws_cli_and_clears_its_finding() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let scenarios = Scenario::all().expect("scenarios load");
    let mut problems = Vec::new();
    let mut fixed = 0;
    for s in &scenarios {
        let id = load(&ep, s).await;
        let req = Request::of(s);
        let before = check(&ep, &id, &s.spec.stage, &req).await;
        if !fixes(&before).is_empty() {
            fixed += 1;
        }
        problems.extend(fix_until_clean(&ep, &cli, &s.name, &id, &s.spec.stage, &req, &[]).await);
    }
    assert!(fixed >= 6, "only {fixed} scenarios had fixes to run");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// Every printed command: valid bash, no placeholder, no unquoted glob, JSON arguments parse

/// Problems with one finding's printed commands (pasted in order), found without AWS: each
/// passes `bash -n` and has no `<…>`; then they run in an empty directory with `failglob` (an
/// unquoted glob fails) and a stub `aws` that records its arguments, whose JSON-valued options
/// must parse.
fn lint_commands(cmds: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for cmd in cmds {
        if cmd.contains('<') || cmd.contains('>') {
            problems.push(format!("has a <placeholder> or a redirection: {cmd}"));
        }
        // Alternatives are separate commented blocks: a comment is a whole line, never after
        // a command on the same line (pasted, the command would run with the rest ignored).
        for line in cmd.lines() {
            let line = line.trim_start();
            if !line.starts_with('#') && (line.contains(" #") || line.contains("\t#")) {
                problems.push(format!("a comment after a command on one line: {line}"));
            }
        }
        let syntax = std::process::Command::new("bash")
            .args(["-n", "-c", cmd])
            .output()
            .expect("bash runs");
        if !syntax.status.success() {
            problems.push(format!(
                "bash -n: {}: {cmd}",
                String::from_utf8_lossy(&syntax.stderr)
            ));
        }
    }
    if !problems.is_empty() {
        return problems;
    }
    let cmd = cmds.join("\n");
    let dir = tempfile::tempdir().expect("a temp dir");
    let args_file = dir.path().join("args");
    let script = format!(
        "set -euo pipefail\nshopt -s failglob\naws() {{ printf '%s\\0' \"$@\" >> \"$ARGS_FILE\"; printf '\\1' >> \"$ARGS_FILE\"; echo stub-id; }}\n{cmd}\n"
    );
    let run = std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env("ARGS_FILE", &args_file)
        .env("REST_API_ID", "stub")
        .env("API_ID", "stub")
        .env("STAGE", "stub")
        .env("RESOURCE_PATH", "/stub")
        .output()
        .expect("bash runs");
    if !run.status.success() {
        problems.push(format!(
            "running with a stub aws failed (an unquoted glob or a shell error): {}",
            String::from_utf8_lossy(&run.stderr)
        ));
        return problems;
    }
    let recorded = std::fs::read(&args_file).unwrap_or_default();
    for call in recorded.split(|b| *b == 1).filter(|c| !c.is_empty()) {
        let args: Vec<String> = call
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).to_string())
            .collect();
        for (i, a) in args.iter().enumerate() {
            let json_valued = matches!(
                a.as_str(),
                "--patch-operations"
                    | "--response-parameters"
                    | "--request-templates"
                    | "--cors-configuration"
            );
            if !json_valued {
                continue;
            }
            match args.get(i + 1).map(|v| serde_json::from_str::<Value>(v)) {
                Some(Ok(v)) => {
                    if a == "--patch-operations" && !v.is_array() {
                        problems.push(format!("{a} is not a JSON array: {v}"));
                    }
                    // A static mapping value reaches API Gateway single-quoted.
                    if a == "--response-parameters" || a == "--patch-operations" {
                        check_mapping_values(&v, &mut problems);
                    }
                }
                Some(Err(e)) => {
                    problems.push(format!("{a} is not JSON ({e}): {:?}", args.get(i + 1)))
                }
                None => problems.push(format!("{a} has no value")),
            }
        }
        if args.iter().any(|a| a == "*" || a.is_empty()) {
            problems.push(format!("an empty or wildcard argument: {args:?}"));
        }
    }
    problems
}

/// Mapping values of response parameters (`'literal'` or a source expression), where the
/// value is a string mapping (integration and gateway responses).
fn check_mapping_values(v: &Value, problems: &mut Vec<String>) {
    let check = |key: &str, value: &str, problems: &mut Vec<String>| {
        let is_mapping =
            key.contains("method.response.header.") || key.contains("gatewayresponse.");
        let ok = (value.len() >= 2 && value.starts_with('\'') && value.ends_with('\''))
            || value.starts_with("method.request.")
            || value.starts_with("integration.response.")
            || value.starts_with("context.")
            || value.starts_with("stageVariables.")
            || value == "true"
            || value == "false";
        if is_mapping && !ok {
            problems.push(format!("{key} maps to {value}, which API Gateway rejects"));
        }
    };
    match v {
        Value::Object(m) => {
            for (k, val) in m {
                if let Some(s) = val.as_str() {
                    check(k, s, problems);
                }
            }
        }
        Value::Array(ops) => {
            for o in ops {
                if let (Some(p), Some(s)) = (o["path"].as_str(), o["value"].as_str()) {
                    check(p, s, problems);
                }
            }
        }
        _ => {}
    }
}

fn scenario_asset(name: &str) -> String {
    format!(
        "{}/assets/scenarios/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The argument lists that diagnose scenario `s`: live (demo, against the simulator) and
/// offline (from its export), without the format.
fn scenario_runs(s: &Scenario) -> Vec<Vec<String>> {
    let r = &s.spec.request;
    let mut offline: Vec<String> = vec![
        "check".into(),
        "--openapi".into(),
        scenario_asset(&s.name),
        "--stage".into(),
        s.spec.stage.clone(),
        "--path".into(),
        r.path.clone(),
        "-X".into(),
        r.method.clone(),
        "--origin".into(),
        r.origin.clone(),
        "--credentials".into(),
        r.credentials.as_str().into(),
    ];
    for (k, v) in &r.headers {
        offline.push("-H".into());
        offline.push(format!("{k}: {v}"));
    }
    vec![vec!["demo".into(), s.name.clone()], offline]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_printed_command_is_valid_bash_without_placeholders_or_globs() {
    let scenarios = Scenario::all().expect("scenarios load");
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut parsed = 0;
    let mut seen = std::collections::HashSet::new();
    // The real CLI's parse, when the test venv has it (scripts/moto.sh installs it).
    let cli = aws::aws_cli_path();
    assert!(
        cli.exists() || std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_none(),
        "no AWS CLI at {}",
        cli.display()
    );
    for s in &scenarios {
        for base in scenario_runs(s) {
            let run = |format: &'static str| {
                let mut a = base.clone();
                a.extend(["--format".to_string(), format.to_string()]);
                a
            };
            let json_out = aws::run_bin(
                &run("json").iter().map(String::as_str).collect::<Vec<_>>(),
                &[],
            )
            .await;
            let report: Value = match serde_json::from_slice(&json_out.stdout) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!(
                        "{} {:?}: no JSON report ({e}): {}",
                        s.name,
                        base,
                        String::from_utf8_lossy(&json_out.stderr)
                    ));
                    continue;
                }
            };
            let found = fixes(&report);
            for (_, code, cmds) in &found {
                checked += cmds.len();
                let lint = lint_commands(cmds);
                for p in &lint {
                    problems.push(format!("{} ({}, {code}): {p}", s.name, base[0]));
                }
                // Live and offline runs mostly print the same commands: parse each list once.
                if lint.is_empty() && cli.exists() && seen.insert(cmds.join("\n")) {
                    parsed += cmds.len();
                    if let Err(e) = cli_parse(&cli, cmds) {
                        problems.push(format!(
                            "{} ({}, {code}): the aws CLI rejects it: {e}\n{}",
                            s.name,
                            base[0],
                            cmds.join("\n")
                        ));
                    }
                }
            }
            let commands: Vec<String> = found.into_iter().flat_map(|(_, _, c)| c).collect();
            // Text and Markdown print exactly these commands, line by line.
            for format in ["text", "markdown"] {
                let out = aws::run_bin(
                    &run(format).iter().map(String::as_str).collect::<Vec<_>>(),
                    &[],
                )
                .await;
                let text = String::from_utf8_lossy(&out.stdout);
                // The text report breaks long commands with ` \` continuations: joined back.
                let text = join_continuations(&text);
                let lines: Vec<&str> = text
                    .lines()
                    .map(|l| l.trim_start().trim_start_matches("$ "))
                    .collect();
                for cmd in &commands {
                    for line in cmd.lines() {
                        if !lines.contains(&line.trim_start()) {
                            problems.push(format!(
                                "{} ({}, {format}): the command line is not printed as is: {line}",
                                s.name, base[0]
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(checked >= 20, "only {checked} commands were checked");
    eprintln!("{checked} commands linted, {parsed} parsed by the aws CLI");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A report's lines with every ` \` line continuation joined back into one line.
fn join_continuations(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut line = line.to_string();
        while let Some(head) = line.strip_suffix(" \\") {
            let Some(next) = lines.next() else { break };
            line = format!("{head} {}", next.trim_start());
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn the_lint_catches_what_it_must() {
    // The shapes issue 10 and 11 reported, and the fixed forms.
    let bad = [
        "aws apigateway put-method --rest-api-id <rest-api-id> --resource-id x --http-method OPTIONS",
        "aws apigateway create-deployment --rest-api-id * --stage-name prod",
        "aws apigateway update-integration-response --rest-api-id a --resource-id b --http-method OPTIONS --status-code 200 --patch-operations '[{\"op\":\"add\",\"path\":\"/responseParameters/method.response.header.Access-Control-Allow-Origin\",\"value\":\"https://app.example.com\"}]'",
        "aws apigateway get-resources --rest-api-id a --query items[?path=='/x'].id",
        "aws apigateway update-method --rest-api-id a --patch-operations op=replace,path=/authorizationType,value=NONE",
        // Issue 13: a comment and a command on one line.
        "aws apigateway create-deployment --rest-api-id a --stage-name prod # or: --stage-name dev",
    ];
    for b in bad {
        assert!(
            !lint_commands(&[b.to_string()]).is_empty(),
            "not caught: {b}"
        );
    }
    let good = [
        "aws apigateway create-deployment --rest-api-id abc123 --stage-name '$default'",
        "RESOURCE_ID=$(aws apigateway get-resources --rest-api-id abc --query \"items[?path=='/x'].id\" --output text)",
        "# Alternative: deploy to the dev stage instead\naws apigateway create-deployment --rest-api-id a --stage-name dev",
        "aws apigateway update-integration-response --rest-api-id a --resource-id b --http-method OPTIONS --status-code 200 --patch-operations \"[{\\\"op\\\":\\\"add\\\",\\\"path\\\":\\\"/responseParameters/method.response.header.Access-Control-Allow-Origin\\\",\\\"value\\\":\\\"'https://app.example.com'\\\"}]\"",
    ];
    for g in good {
        assert_eq!(lint_commands(&[g.to_string()]), Vec::<String>::new(), "{g}");
    }
    // The real CLI's parse rejects what it must (when the test venv has the CLI).
    let cli = aws::aws_cli_path();
    if cli.exists() {
        for b in [
            "aws apigateway update-method --rest-api-id a --resource-id b --http-method OPTIONS --patch-operations '[{\"op\":\"add\"'",
            "aws apigateway put-method --rest-api-id a --http-method OPTIONS --authorization-type NONE",
            "aws apigatewayv2 update-api --api-id a --cors-configuration '{\"AllowOrigin\":[\"x\"]}'",
        ] {
            assert!(cli_parse(&cli, &[b.to_string()]).is_err(), "the CLI accepted {b}");
        }
        let ok = "aws apigateway update-method --rest-api-id a --resource-id b --http-method OPTIONS --patch-operations '[{\"op\":\"replace\",\"path\":\"/apiKeyRequired\",\"value\":\"false\"}]'";
        assert_eq!(cli_parse(&cli, &[ok.to_string()]), Ok(()));
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions of issue 10 item 12 and issue 11 items 10 and 12

fn finding_commands(report: &Value, code: &str) -> Option<Vec<String>> {
    fixes(report)
        .into_iter()
        .find(|(_, c, _)| c == code)
        .map(|(_, _, cmds)| cmds)
}

/// HEADER_NOT_MAPPED on Allow-Origin: the fix maps only Allow-Origin, single-quoted as API
/// Gateway needs it, and leaves the wider Allow-Methods/Allow-Headers mappings as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_not_mapped_fix_maps_only_what_is_missing() {
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
async fn an_export_with_a_wildcard_server_looks_the_api_up_by_name() {
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

// ---------------------------------------------------------------------------------------------
// The failure classes, probes only (ids unknown): fixes built from what the probes saw

const ORIGIN: &str = "https://app.example.com";
const BEARER: &str = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

/// An OpenAPI export of a REST API with `/items` (PUT and GET through MOCK) plus `options`
/// (an OPTIONS operation object, or nothing) and `gateway_responses`.
fn items_api(name: &str, options: Option<Value>, extra_schemes: Value) -> Api {
    let mock_method = serde_json::json!({
        "responses": {"200": {"description": "ok", "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}}},
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
            "responses": {"default": {"statusCode": "200", "responseParameters": {
                "method.response.header.Access-Control-Allow-Origin": format!("'{ORIGIN}'")}}}
        }
    });
    let mut item = serde_json::json!({"get": mock_method.clone(), "put": mock_method});
    if let Some(o) = options {
        item["options"] = o;
    }
    let doc = serde_json::json!({
        "openapi": "3.0.1",
        "info": {"title": name, "version": "1"},
        "paths": {"/items": item},
        "components": {"securitySchemes": extra_schemes}
    });
    cors_doctor::gateway::openapi::import(&doc).expect("the test API imports")
}

/// An OPTIONS MOCK operation that maps `mapped` (header → value, unquoted) and declares them.
fn options_op(mapped: &[(&str, &str)], security: Option<Value>, api_key: bool) -> Value {
    let headers: serde_json::Map<String, Value> = mapped
        .iter()
        .map(|(h, _)| {
            (
                h.to_string(),
                serde_json::json!({"schema": {"type": "string"}}),
            )
        })
        .collect();
    let params: serde_json::Map<String, Value> = mapped
        .iter()
        .map(|(h, v)| {
            (
                format!("method.response.header.{h}"),
                Value::String(format!("'{v}'")),
            )
        })
        .collect();
    let mut op = serde_json::json!({
        "responses": {"200": {"description": "ok", "headers": headers}},
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
            "responses": {"default": {"statusCode": "200", "responseParameters": params}}
        }
    });
    let mut sec = Vec::new();
    if let Some(s) = security {
        sec.push(s);
    }
    if api_key {
        sec.push(serde_json::json!({"api_key": []}));
    }
    if !sec.is_empty() {
        op["security"] = Value::Array(sec);
    }
    op
}

struct ProbeCase {
    name: &'static str,
    gateway: common::FakeGateway,
    /// The API in moto that answers as `gateway` does.
    api: Api,
    /// The finding whose fix is run; the configuration-based codes that must be gone after.
    code: &'static str,
    gone: Vec<&'static str>,
    /// `-X`, `--credentials` and headers other than Authorization.
    method: &'static str,
    credentials: &'static str,
}

fn probe_cases(tag: &str) -> Vec<ProbeCase> {
    use common::Canned;
    let ok_actual = || {
        Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .h("Vary", "Origin")
    };
    let token = serde_json::json!({"tok": {
        "type": "apiKey", "name": "Authorization", "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {"type": "token",
            "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"}
    }, "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}});
    let full = [
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Methods", "GET,PUT,OPTIONS"),
        ("Access-Control-Allow-Headers", "authorization,content-type"),
    ];
    let name = |n: &str| format!("probe-{n}-{tag}");
    vec![
        ProbeCase {
            name: "OPTIONS missing",
            gateway: common::FakeGateway {
                preflight: Canned::gateway(
                    403,
                    "MissingAuthenticationTokenException",
                    "Missing Authentication Token",
                ),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(&name("missing"), None, serde_json::json!({})),
            code: "OPTIONS_MISSING",
            gone: vec!["OPTIONS_MISSING"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "authorizer on OPTIONS",
            gateway: common::FakeGateway {
                preflight: Canned::gateway(401, "UnauthorizedException", "Unauthorized"),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("authorizer"),
                Some(options_op(
                    &full,
                    Some(serde_json::json!({"tok": []})),
                    false,
                )),
                token.clone(),
            ),
            code: "OPTIONS_AUTHORIZED",
            gone: vec!["OPTIONS_AUTHORIZED"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "API key on OPTIONS",
            gateway: common::FakeGateway {
                preflight: Canned::gateway(403, "ForbiddenException", "Forbidden"),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("api-key"),
                Some(options_op(&full, None, true)),
                token.clone(),
            ),
            code: "OPTIONS_API_KEY_REQUIRED",
            gone: vec!["OPTIONS_API_KEY_REQUIRED"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "OPTIONS without mapped CORS headers",
            gateway: common::FakeGateway {
                preflight: Canned::integration(200),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("unmapped"),
                Some(options_op(&[], None, false)),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec![
                "PREFLIGHT_CORS_HEADERS",
                "HEADER_NOT_MAPPED",
                "HEADER_NOT_DECLARED",
            ],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "Allow-Headers lacks Authorization",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(ORIGIN, "GET,OPTIONS", "content-type,x-api-key"),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("narrow-headers"),
                Some(options_op(
                    &[
                        ("Access-Control-Allow-Origin", ORIGIN),
                        ("Access-Control-Allow-Methods", "GET,OPTIONS"),
                        ("Access-Control-Allow-Headers", "content-type,x-api-key"),
                    ],
                    None,
                    false,
                )),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec!["PREFLIGHT_CORS_HEADERS"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "429 throttling without CORS headers",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(
                    ORIGIN,
                    "GET,PUT,OPTIONS",
                    "authorization,content-type",
                ),
                actual: Canned::gateway(429, "TooManyRequestsException", "Too Many Requests"),
                bare: None,
            },
            api: items_api(
                &name("throttled"),
                Some(options_op(&full, None, false)),
                serde_json::json!({}),
            ),
            code: "GATEWAY_RESPONSE_NO_CORS",
            gone: vec!["GATEWAY_RESPONSES_UNCONFIGURED"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "method not allowed",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(
                    ORIGIN,
                    "GET,POST,OPTIONS",
                    "authorization,content-type",
                ),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("narrow-methods"),
                Some(options_op(
                    &[
                        ("Access-Control-Allow-Origin", ORIGIN),
                        ("Access-Control-Allow-Methods", "GET,POST,OPTIONS"),
                        ("Access-Control-Allow-Headers", "authorization,content-type"),
                    ],
                    None,
                    false,
                )),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec!["PREFLIGHT_CORS_HEADERS"],
            method: "PUT",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "Allow-Origin with a trailing slash",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(
                    "https://app.example.com/",
                    "GET,OPTIONS",
                    "authorization",
                ),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("trailing-slash"),
                Some(options_op(
                    &[
                        ("Access-Control-Allow-Origin", "https://app.example.com/"),
                        ("Access-Control-Allow-Methods", "GET,OPTIONS"),
                        ("Access-Control-Allow-Headers", "authorization"),
                    ],
                    None,
                    false,
                )),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec!["PREFLIGHT_CORS_HEADERS"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "wildcard with credentials",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight("*", "GET,OPTIONS", "authorization")
                    .h("Access-Control-Allow-Credentials", "true"),
                actual: ok_actual().h("Access-Control-Allow-Credentials", "true"),
                bare: None,
            },
            api: items_api(
                &name("wildcard-credentials"),
                Some(options_op(
                    &[
                        ("Access-Control-Allow-Origin", "*"),
                        ("Access-Control-Allow-Methods", "GET,OPTIONS"),
                        ("Access-Control-Allow-Headers", "authorization"),
                        ("Access-Control-Allow-Credentials", "true"),
                    ],
                    None,
                    false,
                )),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec!["PREFLIGHT_CORS_HEADERS"],
            method: "GET",
            credentials: "include",
        },
        ProbeCase {
            name: "403 gateway error without CORS headers",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(
                    ORIGIN,
                    "GET,PUT,OPTIONS",
                    "authorization,content-type",
                ),
                actual: Canned::gateway(403, "ForbiddenException", "Forbidden"),
                bare: None,
            },
            api: items_api(
                &name("forbidden"),
                Some(options_op(&full, None, false)),
                serde_json::json!({}),
            ),
            code: "GATEWAY_RESPONSE_NO_CORS",
            gone: vec!["GATEWAY_RESPONSES_UNCONFIGURED"],
            method: "GET",
            credentials: "same-origin",
        },
    ]
}

/// Each failure class through the binary, probes only: the fix (lookups and shell variables:
/// the probes know no id) runs against an API of the same shape in moto, the way a user runs
/// it (with REST_API_ID and STAGE exported, as the commands ask); the configuration read back
/// no longer has the cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_class_fixes_from_probes_run_against_the_same_api_in_moto() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let tag = format!("{}", std::process::id());
    let mut problems = Vec::new();
    for case in probe_cases(&tag) {
        let id = load_rest(&ep, &case.api, "prod", &[]).await;
        let server = case.gateway.start(std::time::Duration::ZERO).await;
        // A custom domain without a base path: the URL path is the resource path, which the
        // user names (RESOURCE_PATH) since nothing tells the tool there is no prefix.
        let url = format!("{}/items", server.base_url());
        let (_, report, raw) = common::check_json(&[
            url.as_str(),
            "--origin",
            ORIGIN,
            "-H",
            BEARER,
            "-X",
            case.method,
            "--credentials",
            case.credentials,
            "--no-aws",
        ])
        .await;
        server.shutdown().await;
        let Some(cmds) = finding_commands(&report, case.code) else {
            problems.push(format!("{}: no {} fix: {raw}", case.name, case.code));
            continue;
        };
        let lint = lint_commands(&cmds);
        if !lint.is_empty() {
            problems.push(format!("{}: {lint:?}", case.name));
            continue;
        }
        let joined = cmds.join("\n");
        if let Err(e) = aws::run_commands(
            &ep,
            &cli,
            &cmds,
            &[
                ("REST_API_ID", &id),
                ("STAGE", "prod"),
                ("RESOURCE_PATH", "/items"),
            ],
        )
        .await
        {
            problems.push(format!("{}: the fix fails:\n{joined}\n---\n{e}", case.name));
            continue;
        }
        let req = Request {
            path: "/items".into(),
            method: case.method.into(),
            headers: vec![BEARER.into()],
            credentials: case.credentials.into(),
            origin: ORIGIN.into(),
        };
        let after = check(&ep, &id, "prod", &req).await;
        let left: Vec<String> = codes(&after)
            .into_iter()
            .filter(|c| case.gone.contains(&c.as_str()))
            .collect();
        if !left.is_empty() {
            problems.push(format!("{}: still {left:?} after\n{joined}", case.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Issue 11 items 8 and 12 through the binary and moto: a fix only patches what exists and
/// creates the rest (no OPTIONS method behind a custom MISSING_AUTHENTICATION_TOKEN status;
/// an OPTIONS MOCK without a method response), and a wrong Allow-Origin is replaced without
/// narrowing the wider Allow-Methods/Allow-Headers next to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixes_create_what_is_missing_and_keep_what_works() {
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
async fn http_api_cors_fix_widens_the_configuration_and_deploys() {
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
async fn a_bare_404_preflight_is_worded_without_a_double_space() {
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

/// Issue 11's rule on the definitions people bring (tests/fixtures/definitions/: YAML,
/// CloudFormation values, `.tpl` placeholders, wildcard server URLs, every auth and integration
/// type): every command printed for every route and method passes `bash -n`, has no
/// placeholder or unquoted glob, and the real AWS CLI parses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_printed_for_the_definitions_corpus_is_valid_bash() {
    let dir = format!("{}/tests/fixtures/definitions", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let cli = aws::aws_cli_path();
    let (mut problems, mut checked, mut routes) = (Vec::new(), 0, 0);
    let mut seen = std::collections::HashSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a corpus file");
        let api = cors_doctor::gateway::openapi::import_str(&text).expect("the corpus imports");
        let name = file.display().to_string();
        for r in &api.resources {
            for m in r.methods.iter().filter(|m| m.http_method != "OPTIONS") {
                let method = if m.http_method == "ANY" {
                    "PUT"
                } else {
                    m.http_method.as_str()
                };
                // `{id}`/`{proxy+}` segments become a concrete path the way a browser calls it.
                let path = r
                    .path
                    .split('/')
                    .map(|s| if s.starts_with('{') { "x" } else { s })
                    .collect::<Vec<_>>()
                    .join("/");
                // `$default` catches any path the browser calls.
                let path = match path.as_str() {
                    "" => "/".to_string(),
                    "$default" => "/x".to_string(),
                    _ => path,
                };
                routes += 1;
                let (_, report, out) = common::check_json(&[
                    "--openapi",
                    &name,
                    "--path",
                    &path,
                    "-X",
                    method,
                    "--origin",
                    ORIGIN,
                    "-H",
                    BEARER,
                    "--credentials",
                    "include",
                ])
                .await;
                if report.is_null() {
                    problems.push(format!("{name} {method} {path}: no report: {out}"));
                    continue;
                }
                for (_, code, cmds) in fixes(&report) {
                    checked += cmds.len();
                    let lint = lint_commands(&cmds);
                    for p in &lint {
                        problems.push(format!("{name} {method} {path} ({code}): {p}"));
                    }
                    if lint.is_empty() && cli.exists() && seen.insert(cmds.join("\n")) {
                        if let Err(e) = cli_parse(&cli, &cmds) {
                            problems.push(format!(
                                "{name} {method} {path} ({code}): the aws CLI rejects it: {e}"
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "{} files, {routes} routes, {checked} commands linted",
        files.len()
    );
    assert!(
        routes >= files.len() && checked >= 40,
        "{routes} routes, {checked} commands"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
