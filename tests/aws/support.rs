//! Shared by the AWS SDK tests: a sealed environment (static test credentials, no instance
//! metadata, no shared config files) and plans that name an API on a loopback endpoint.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;
use std::sync::Once;

use cors_doctor::config::Config;
use cors_doctor::plan::{Plan, TargetArgs};
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

/// The moto endpoint from `MOTO_ENDPOINT` (loopback only), or `None` with a "skipped" note
/// when it is not set; with `CORS_DOCTOR_REQUIRE_MOTO` set, a missing endpoint fails the test.
pub fn moto_endpoint() -> Option<String> {
    match std::env::var("MOTO_ENDPOINT") {
        Ok(e) if !e.is_empty() => {
            let host = url::Url::parse(&e)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string));
            assert!(
                matches!(host.as_deref(), Some("127.0.0.1" | "localhost")),
                "MOTO_ENDPOINT must be on loopback, not {e}"
            );
            Some(e)
        }
        _ => {
            assert!(
                std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_none(),
                "CORS_DOCTOR_REQUIRE_MOTO is set but MOTO_ENDPOINT is not (run scripts/moto.sh)"
            );
            eprintln!(
                "skipped: MOTO_ENDPOINT is not set (scripts/moto.sh starts moto on 127.0.0.1)"
            );
            None
        }
    }
}

/// moto's static test credentials.
pub fn creds() -> aws_sdk_apigateway::config::Credentials {
    aws_sdk_apigateway::config::Credentials::new("testing", "testing", None, None, "test")
}

/// An API Gateway (REST) client for moto at `ep`, in us-east-1.
pub fn v1(ep: &str) -> aws_sdk_apigateway::Client {
    let conf = aws_sdk_apigateway::Config::builder()
        .behavior_version(aws_sdk_apigateway::config::BehaviorVersion::latest())
        .region(aws_sdk_apigateway::config::Region::new("us-east-1"))
        .endpoint_url(ep)
        .credentials_provider(creds())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_apigateway::Client::from_conf(conf)
}

/// An API Gateway v2 (HTTP APIs) client for moto at `ep`, in us-east-1.
pub fn v2(ep: &str) -> aws_sdk_apigatewayv2::Client {
    let conf = aws_sdk_apigatewayv2::Config::builder()
        .behavior_version(aws_sdk_apigatewayv2::config::BehaviorVersion::latest())
        .region(aws_sdk_apigatewayv2::config::Region::new("us-east-1"))
        .endpoint_url(ep)
        .credentials_provider(creds())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_apigatewayv2::Client::from_conf(conf)
}

/// The venv's `aws` (MOTO_AWS_CLI, else under CORS_DOCTOR_VENV or the default venv).
pub fn aws_cli_path() -> PathBuf {
    std::env::var_os("MOTO_AWS_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(
                std::env::var("CORS_DOCTOR_VENV")
                    .unwrap_or_else(|_| "/var/tmp/cors-doctor-venv".into()),
            )
            .join("bin/aws")
        })
}

/// Runs `commands` as printed, in one bash, with `aws` pointed at moto. `vars` are set first
/// (what a user exports when a command asks for an id nothing could look up).
pub async fn run_commands(
    ep: &str,
    cli: &std::path::Path,
    commands: &[String],
    vars: &[(&str, &str)],
) -> Result<String, String> {
    let script = format!(
        "set -euo pipefail\naws() {{ command \"$CORS_DOCTOR_TEST_AWS\" --endpoint-url \"$CORS_DOCTOR_TEST_EP\" --region us-east-1 \"$@\"; }}\n{}\n",
        commands.join("\n")
    );
    let mut cmd = tokio::process::Command::new("bash");
    cmd.arg("-c")
        .arg(&script)
        .env("CORS_DOCTOR_TEST_AWS", cli)
        .env("CORS_DOCTOR_TEST_EP", ep)
        .env("AWS_PAGER", "")
        .stdin(std::process::Stdio::null());
    for (k, v) in sealed_vars() {
        cmd.env(k, v);
    }
    for k in UNSET {
        cmd.env_remove(k);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().await.map_err(|e| format!("bash: {e}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// A REST API created in moto through the SDK, for tests to build the shapes they need
/// (each test module adds its own builders in an `impl Rest` of its own).
pub struct Rest {
    pub c: aws_sdk_apigateway::Client,
    pub ep: String,
    pub id: String,
    pub root: String,
}

impl Rest {
    pub async fn new(ep: &str, name: &str) -> Rest {
        let c = v1(ep);
        let id = c
            .create_rest_api()
            .name(name)
            .send()
            .await
            .unwrap()
            .id
            .unwrap();
        let root = c
            .get_resources()
            .rest_api_id(&id)
            .send()
            .await
            .unwrap()
            .items
            .unwrap()[0]
            .id
            .clone()
            .unwrap();
        Rest {
            c,
            ep: ep.to_string(),
            id,
            root,
        }
    }

    pub async fn resource(&self, parent: &str, part: &str) -> String {
        self.c
            .create_resource()
            .rest_api_id(&self.id)
            .parent_id(parent)
            .path_part(part)
            .send()
            .await
            .unwrap()
            .id
            .unwrap()
    }

    /// A MOCK method whose 200 declares `declared` and maps `mapped`.
    pub async fn method(
        &self,
        rid: &str,
        verb: &str,
        auth: &str,
        authorizer: Option<&str>,
        declared: &[&str],
        mapped: &[(&str, &str)],
    ) {
        let c = &self.c;
        let mut m = c
            .put_method()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .authorization_type(auth);
        if let Some(a) = authorizer {
            m = m.authorizer_id(a);
        }
        m.send().await.unwrap();
        c.put_integration()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .r#type(aws_sdk_apigateway::types::IntegrationType::Mock)
            .request_templates("application/json", "{\"statusCode\": 200}")
            .send()
            .await
            .unwrap();
        let mut mr = c
            .put_method_response()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .status_code("200");
        for h in declared {
            mr = mr.response_parameters(format!("method.response.header.{h}"), false);
        }
        mr.send().await.unwrap();
        let mut ir = c
            .put_integration_response()
            .rest_api_id(&self.id)
            .resource_id(rid)
            .http_method(verb)
            .status_code("200");
        for (h, v) in mapped {
            ir = ir.response_parameters(format!("method.response.header.{h}"), *v);
        }
        ir.send().await.unwrap();
    }

    /// Creates the custom domain `domain` (edge-optimized, or regional) and maps its base
    /// path `v1` to this API's stage `prod`.
    pub async fn map_domain(&self, domain: &str, regional: bool) {
        let certificate = "arn:aws:acm:us-east-1:123456789012:certificate/x";
        let create = self.c.create_domain_name().domain_name(domain);
        let create = if regional {
            create.regional_certificate_arn(certificate)
        } else {
            create.certificate_arn(certificate)
        };
        create.send().await.unwrap();
        self.c
            .create_base_path_mapping()
            .domain_name(domain)
            .base_path("v1")
            .rest_api_id(&self.id)
            .stage("prod")
            .send()
            .await
            .unwrap();
    }

    /// Deploys the API to stage `prod`.
    pub async fn deploy(&self) {
        self.c
            .create_deployment()
            .rest_api_id(&self.id)
            .stage_name("prod")
            .send()
            .await
            .unwrap();
    }
}
