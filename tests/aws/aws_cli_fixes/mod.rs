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

mod apply;
mod front;
mod front_domain;
mod lint;
mod load;
mod probes;
mod regressions;

use lint::*;
use load::*;
use probes::*;
use regressions::*;

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
/// then read the stub's answer, `STUB_ANSWER`). One known gap of the CLI's stub: for `lambda
/// update-function-url-config` the sample answer's `FunctionUrl` is shorter than the output
/// shape allows and botocore refuses its own stub; that refusal alone is let through (the
/// command itself runs against moto in `front.rs`).
fn cli_parse(cli: &PathBuf, cmds: &[String]) -> Result<(), String> {
    // The CLI cannot make CloudFront's output skeleton (its sample OriginGroups has one member
    // where the model asks for two: "Invalid length for parameter
    // DistributionConfig.OriginGroups.Items[0].Members.Items"), whatever the input: CloudFront
    // calls are made for real to a closed port instead, where the CLI validates the
    // parameters before it connects (valid: "Could not connect to the endpoint URL").
    let script = format!(
        "set -euo pipefail\naws() {{ local err skeleton=(--generate-cli-skeleton output); if [ \"$1\" = cloudfront ]; then skeleton=(); fi; err=$(command \"$CORS_DOCTOR_TEST_AWS\" --endpoint-url http://127.0.0.1:9 --region {REGION} \"$@\" \"${{skeleton[@]}}\" 2>&1 >/dev/null) || {{ case \"$1 $2|$err\" in 'lambda update-function-url-config|'*'Invalid length for parameter FunctionUrl, value: 11'*) ;; 'cloudfront '*'|'*'Could not connect to the endpoint URL'*) ;; *) printf '%s\\n' \"$err\" >&2; return 1 ;; esac; }}; {STUB_ANSWER}; }}\n{}\n",
        cmds.join("\n")
    );
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", &script])
        .env("CORS_DOCTOR_TEST_AWS", cli)
        .env("STUB_DISTRIBUTION_CONFIG", STUB_DISTRIBUTION_CONFIG)
        .env("REST_API_ID", "abc123")
        .env("API_ID", "abc123")
        .env("STAGE", "prod")
        .env("AWS_MAX_ATTEMPTS", "1")
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
        "--preview".into(),
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
        // Issue 14: the preview from the configuration the SDK read (--api-id) flips the
        // verdict to allowed, before any command runs.
        let result = before["preview"]["result"].as_str();
        let holds = match before["browser"]["outcome"].as_str() {
            Some("allowed") => matches!(result, Some("allowed" | "already_allowed")),
            _ => result == Some("allowed"),
        };
        if !holds {
            problems.push(format!(
                "{}: the preview from the SDK configuration does not flip the verdict: {}",
                s.name, before["preview"]
            ));
        }
        problems.extend(fix_until_clean(&ep, &cli, &s.name, &id, &s.spec.stage, &req, &[]).await);
    }
    assert!(fixed >= 6, "only {fixed} scenarios had fixes to run");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
