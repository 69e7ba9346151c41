//! Shared by the AWS SDK tests: a sealed environment (static test credentials, no instance
//! metadata, no shared config files) and plans that name an API on a loopback endpoint.
#![allow(dead_code)]

use std::process::Output;
use std::sync::Once;

use cors_doctor::cli::{Plan, TargetArgs};
use cors_doctor::config::Config;
use cors_doctor::report::Report;

/// Sets the process environment once: the SDK's default chain must find static test
/// credentials and must never reach the instance metadata service or a user's profile.
pub fn seal_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for (k, v) in sealed_vars() {
            std::env::set_var(k, v);
        }
        for k in UNSET {
            std::env::remove_var(k);
        }
    });
}

pub const UNSET: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_API_GATEWAY",
    "AWS_ENDPOINT_URL_APIGATEWAYV2",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
];

pub fn sealed_vars() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent/cors-doctor-test/config"),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/cors-doctor-test/credentials",
        ),
        ("AWS_REGION", "us-east-1"),
    ]
}

/// `check --api-id ID --stage STAGE --path PATH --origin … --endpoint-url ENDPOINT`, as a plan.
pub fn offline_plan(
    endpoint: &str,
    api_id: &str,
    stage: &str,
    path: &str,
    method: &str,
    headers: &[&str],
) -> Plan {
    let args = TargetArgs {
        origin: Some("https://app.example.com".to_string()),
        method: Some(method.to_string()),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        api_id: Some(api_id.to_string()),
        stage: Some(stage.to_string()),
        path: Some(path.to_string()),
        region: Some("us-east-1".to_string()),
        endpoint_url: Some(endpoint.to_string()),
        ..TargetArgs::default()
    };
    match args.resolve(&Config::default()) {
        Ok(p) => p,
        Err(e) => panic!("plan: {e}"),
    }
}

/// Diagnoses a plan through `app::config_source` (the SDK source) and the runner.
pub async fn diagnose(plan: &Plan) -> Report {
    seal_env();
    let source = cors_doctor::app::config_source(plan).expect("a source");
    assert!(
        source.is_some(),
        "the plan names an API: the SDK source is used"
    );
    if let Some(s) = &source {
        s.preflight().await.expect("test credentials are found");
    }
    cors_doctor::runner::run(plan, source, None)
        .await
        .expect("a report")
}

/// Every finding code of a report, as strings.
pub fn codes(report: &Report) -> Vec<String> {
    report
        .steps
        .iter()
        .flat_map(|s| s.findings.iter().map(|f| f.code.as_str().to_string()))
        .collect()
}

/// All remediation commands of a report, joined.
pub fn commands(report: &Report) -> String {
    report
        .steps
        .iter()
        .flat_map(|s| s.findings.iter())
        .filter_map(|f| f.remediation.as_ref())
        .flat_map(|r| r.commands.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the binary with a sealed environment plus `env`.
pub async fn run_bin(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"));
    cmd.args(args).env("NO_COLOR", "1");
    for (k, v) in sealed_vars() {
        cmd.env(k, v);
    }
    for k in UNSET {
        cmd.env_remove(k);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().await.expect("the binary runs")
}
