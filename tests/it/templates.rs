//! Templates (`--template`): realistic SAM, CDK-synthesized and Serverless Framework files
//! under tests/fixtures/templates/, each mirroring a scenario of assets/scenarios/, are
//! diagnosed like that scenario's export; the famous traps point at their line; and the
//! CloudFormation fixtures are valid templates (cfn-lint, from the test venv of
//! scripts/moto.sh).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cors_doctor::aws::file::{DefinitionOptions, OpenApiFile};
use cors_doctor::aws::ConfigSource;
use cors_doctor::config::Config;
use cors_doctor::diagnose::Severity;
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::plan::TargetArgs;
use cors_doctor::report::Report;
use cors_doctor::runner;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/templates")
        .join(name)
}

fn scenario(name: &str) -> Scenario {
    Scenario::all()
        .expect("scenarios load")
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

/// The scenario's request, diagnosed offline from `definition` (a template, or the
/// scenario's own export when `None`).
async fn diagnose(s: &Scenario, template: Option<&Path>) -> Report {
    let req = &s.spec.request;
    let asset = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/scenarios")
        .join(format!("{}.json", s.name));
    let args = TargetArgs {
        openapi: template.is_none().then(|| asset.clone()),
        template: template.map(Path::to_path_buf),
        path: Some(req.path.clone()),
        // A template names its own stages (SAM's implicit API has `Prod`): its only one is used.
        stage: template.is_none().then(|| s.spec.stage.clone()),
        ..TargetArgs::scenario_request(req)
    };
    let plan = args.resolve(&Config::default()).expect("plan");
    let source: Arc<dyn ConfigSource> = match template {
        Some(t) => Arc::new(
            OpenApiFile::open_template(
                t,
                &DefinitionOptions {
                    path: Some(req.path.clone()),
                    ..DefinitionOptions::default()
                },
            )
            .unwrap_or_else(|e| panic!("{e}")),
        ),
        None => Arc::new(OpenApiFile::open(&asset).expect("the export opens")),
    };
    runner::run(&plan, Some(source), None)
        .await
        .expect("offline run")
}

fn codes(r: &Report, severity: Severity) -> Vec<String> {
    let mut c: Vec<String> = r
        .steps
        .iter()
        .flat_map(|s| s.findings.iter())
        .filter(|f| f.severity == severity)
        .map(|f| f.code.to_string())
        .collect();
    c.sort();
    c.dedup();
    c
}

/// (fixture, the scenario it mirrors). Two scenarios have no mirror, because a template cannot
/// say what they are about: `options-not-deployed` (a stack deploys its methods with it) and
/// `lambda-proxy-no-allow-origin` (what the function returns; its fixture is one of the traps
/// below, where the template's diagnosis names the assumption).
pub(crate) const MIRRORS: &[(&str, &str)] = &[
    (
        "sam-options-cognito-authorizer.yaml",
        "options-cognito-authorizer",
    ),
    (
        "cdk-options-authorizer.template.json",
        "options-cognito-authorizer",
    ),
    (
        "sam-options-api-key-required.yaml",
        "options-api-key-required",
    ),
    (
        "sam-allow-headers-missing-authorization.yaml",
        "allow-headers-missing-authorization",
    ),
    (
        "sam-gateway-responses-cors-healthy.yaml",
        "gateway-responses-cors-healthy",
    ),
    ("sam-options-missing.yaml", "options-missing"),
    ("serverless-options-missing.json", "options-missing"),
    (
        "sam-http-api-default-route-jwt.yaml",
        "http-api-default-route-jwt",
    ),
    (
        "cdk-http-api-any-proxy-jwt.template.json",
        "http-api-any-proxy-jwt",
    ),
    ("sam-http-api-healthy.yaml", "http-api-healthy"),
    (
        "sam-throttled-default-gateway-responses.yaml",
        "throttled-default-gateway-responses",
    ),
    ("cdk-rest-healthy.template.json", "rest-healthy"),
    ("serverless-rest-healthy.json", "rest-healthy"),
    (
        "cdk-header-declared-not-mapped.template.json",
        "header-declared-not-mapped",
    ),
];

/// Every mirror gives its scenario's first failing step and errors. Warnings may differ by
/// one thing only: a template does not hold what a Lambda proxy returns, so step 5 says it
/// assumed CORS headers (ACTUAL_CORS_HEADERS, a warning) where the scenario knows its backend.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_template_is_diagnosed_like_its_scenario() {
    let mut failures = Vec::new();
    for (file, name) in MIRRORS {
        let s = scenario(name);
        let from_template = diagnose(&s, Some(&fixture(file))).await;
        let from_export = diagnose(&s, None).await;
        assert!(
            from_template.exchanges.iter().all(|x| x.predicted),
            "{file}"
        );
        let mut problems = Vec::new();
        if from_template.first_failing_step != from_export.first_failing_step {
            problems.push(format!(
                "first failing step {:?}, the scenario's export {:?}",
                from_template.first_failing_step, from_export.first_failing_step
            ));
        }
        if from_template.first_failing_step != s.spec.expect.first_failing_step {
            problems.push(format!(
                "first failing step {:?}, the scenario documents {:?}",
                from_template.first_failing_step, s.spec.expect.first_failing_step
            ));
        }
        let (te, ee) = (
            codes(&from_template, Severity::Error),
            codes(&from_export, Severity::Error),
        );
        if te != ee {
            problems.push(format!("errors {te:?}, the scenario's export {ee:?}"));
        }
        let ew = codes(&from_export, Severity::Warning);
        for w in codes(&from_template, Severity::Warning) {
            if !ew.contains(&w) && w != "ACTUAL_CORS_HEADERS" {
                problems.push(format!("warning {w} that the scenario's export has not"));
            }
        }
        for want in &s.spec.expect.codes {
            let all = [te.clone(), codes(&from_template, Severity::Warning)].concat();
            if !all.contains(want) {
                problems.push(format!("missing {want}"));
            }
        }
        // Every error about the configuration points at the template.
        for f in from_template.steps.iter().flat_map(|s| s.findings.iter()) {
            if f.severity == Severity::Error
                && f.evidence.iter().any(|e| e == "config")
                && f.source.is_none()
            {
                problems.push(format!("{} has no source", f.code));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{file} ({name}):\n  {}", problems.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The 1-based line of the first line of `file` that contains `needle`.
fn line_with(file: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(fixture(file)).expect("fixture");
    let i = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {file}"));
    u32::try_from(i + 1).expect("line")
}

/// The finding `code` of `r`, with its source's line and resource.
fn located(r: &Report, code: &str) -> (Severity, u32, String, String) {
    let f = r
        .steps
        .iter()
        .flat_map(|s| s.findings.iter())
        .find(|f| f.code.to_string() == code)
        .unwrap_or_else(|| panic!("no {code}"));
    let src = f
        .source
        .as_ref()
        .unwrap_or_else(|| panic!("{code} has no source"));
    (
        f.severity,
        src.line,
        src.resource.clone().unwrap_or_default(),
        src.file.clone(),
    )
}

/// The famous traps, each with its finding and the line to change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_famous_traps_point_at_their_line() {
    // SAM: DefaultAuthorizer lands on the OPTIONS methods Cors generates. The line is the
    // DefaultAuthorizer's (where AddDefaultAuthorizerToCorsPreflight: false goes).
    let file = "sam-options-cognito-authorizer.yaml";
    let r = diagnose(
        &scenario("options-cognito-authorizer"),
        Some(&fixture(file)),
    )
    .await;
    let (sev, line, res, shown) = located(&r, "OPTIONS_AUTHORIZED");
    assert_eq!(sev, Severity::Error);
    assert_eq!(line, line_with(file, "DefaultAuthorizer:"));
    assert_eq!(res, "ProfileApi");
    assert!(shown.ends_with(file), "{shown}");

    // CDK: defaultMethodOptions' authorizer on defaultCorsPreflightOptions' OPTIONS method, as
    // CDK synthesized it before aws/aws-cdk#22402 (aws/aws-cdk#8615).
    let file = "cdk-options-authorizer.template.json";
    let r = diagnose(
        &scenario("options-cognito-authorizer"),
        Some(&fixture(file)),
    )
    .await;
    let (sev, line, res, _) = located(&r, "OPTIONS_AUTHORIZED");
    assert_eq!(sev, Severity::Error);
    assert_eq!(res, "ApiprofileOPTIONS2A9D4B7C");
    assert_eq!(line, line_with(file, "\"ApiprofileOPTIONS2A9D4B7C\": {"));

    // SAM Cors without GatewayResponses: gateway errors lose CORS (at the API), and a Lambda
    // proxy must send Access-Control-Allow-Origin itself (at the function's event).
    let file = "sam-lambda-proxy-no-allow-origin.yaml";
    let r = diagnose(
        &scenario("lambda-proxy-no-allow-origin"),
        Some(&fixture(file)),
    )
    .await;
    let (sev, line, res, _) = located(&r, "GATEWAY_RESPONSES_UNCONFIGURED");
    assert_eq!(sev, Severity::Warning);
    assert_eq!(
        (line, res.as_str()),
        (line_with(file, "  SignupApi:"), "SignupApi")
    );
    let (sev, line, res, _) = located(&r, "ACTUAL_CORS_HEADERS");
    assert_eq!(sev, Severity::Warning);
    assert_eq!(
        (line, res.as_str()),
        (line_with(file, "        Signup:"), "SignupFunction")
    );

    // SAM ApiKeyRequired reaches the generated OPTIONS: the ApiKeyRequired line.
    let file = "sam-options-api-key-required.yaml";
    let r = diagnose(&scenario("options-api-key-required"), Some(&fixture(file))).await;
    let (_, line, res, _) = located(&r, "OPTIONS_API_KEY_REQUIRED");
    assert_eq!(
        (line, res.as_str()),
        (line_with(file, "ApiKeyRequired: true"), "ReportsApi")
    );
}

/// The JSON report carries `"source": {"file", "line", "resource"}` on the finding, and the
/// text and Markdown show `FILE:LINE (resource)`.
#[test]
fn every_format_shows_the_source() {
    let file = fixture("sam-options-cognito-authorizer.yaml");
    let line = line_with("sam-options-cognito-authorizer.yaml", "DefaultAuthorizer:");
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args(["check", "--template"])
            .arg(&file)
            .args([
                "--path",
                "/profile",
                "-H",
                "Authorization: Bearer x",
                "--origin",
                "https://app.example.com",
                "--format",
                format,
            ])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).expect("json");
    assert_eq!(json["api"]["config_source"], "template");
    let f = json["steps"][3]["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["code"] == "OPTIONS_AUTHORIZED"))
        .expect("the finding");
    assert_eq!(f["source"]["line"], line);
    assert_eq!(f["source"]["resource"], "ProfileApi");
    assert!(f["source"]["file"]
        .as_str()
        .is_some_and(|s| s.ends_with("sam-options-cognito-authorizer.yaml")));
    let at = format!("sam-options-cognito-authorizer.yaml:{line} (ProfileApi)");
    // The text report wraps long lines at a width (a long checkout path moves the break).
    let words = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words(run("text")).contains(&at), "text");
    assert!(words(run("markdown")).contains(&at), "markdown");
}

/// cfn-lint: the venv's (scripts/moto.sh installs it, pinned), else none: the test says so
/// and passes, unless CORS_DOCTOR_REQUIRE_MOTO is set.
fn cfn_lint() -> Option<PathBuf> {
    let venv =
        std::env::var("CORS_DOCTOR_VENV").unwrap_or_else(|_| "/var/tmp/cors-doctor-venv".into());
    let p = PathBuf::from(venv).join("bin/cfn-lint");
    p.is_file().then_some(p)
}

#[test]
fn the_fixtures_are_valid_cloudformation() {
    let Some(lint) = cfn_lint() else {
        assert!(
            std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_none(),
            "CORS_DOCTOR_REQUIRE_MOTO is set but cfn-lint is not in the test venv (run scripts/moto.sh)"
        );
        eprintln!("skipped: cfn-lint is not installed in the test venv (run scripts/moto.sh)");
        return;
    };
    let dir = fixture("");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    let out = std::process::Command::new(&lint)
        .arg("--")
        .args(&files)
        .output()
        .expect("cfn-lint runs");
    // Exit status bits: 2 error, 4 warning, 8 informational; 1 a crash.
    assert_eq!(
        out.status.code(),
        Some(0),
        "cfn-lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The TUI's form: a `--template` from the command line fills its definition file field (the
/// file's structure decides what it is) and its `--parameter`s stay with it; the plan from the
/// form reads the template.
#[test]
fn the_form_carries_a_template_and_its_parameters() {
    use cors_doctor::tui::form::FormState;
    let file = fixture("sam-options-cognito-authorizer.yaml");
    let args = TargetArgs {
        origin: Some("https://app.example.com".into()),
        template: Some(file.clone()),
        parameters: vec!["UserPoolArn=arn:aws:cognito-idp:us-east-1:1:userpool/x".into()],
        path: Some("/profile".into()),
        ..TargetArgs::default()
    };
    let form = FormState::from_args(&args);
    let back = form.to_args(&args);
    assert_eq!(back.template, None);
    assert_eq!(back.openapi.as_deref(), Some(file.as_path()));
    assert_eq!(back.parameters, args.parameters);
    let plan = back.resolve(&Config::default()).expect("plan");
    let source = cors_doctor::app::config_source(&plan)
        .expect("the template opens")
        .expect("a source");
    assert_eq!(
        source.kind(),
        cors_doctor::evidence::ConfigSourceKind::Template
    );
}

/// `read_all` gives every API of a template (for `lint`), and the one of an export.
#[test]
fn every_api_of_a_file() {
    use cors_doctor::aws::file::read_all;
    let dir = std::env::temp_dir().join(format!("cdt-iac-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let two = dir.join("two.yaml");
    std::fs::write(
        &two,
        "Resources:\n  A:\n    Type: AWS::ApiGateway::RestApi\n  B:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: HTTP\n",
    )
    .expect("write");
    let apis = read_all(&two, &DefinitionOptions::default()).expect("reads");
    let labels: Vec<&str> = apis.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(labels, ["A", "B"]);
    assert!(apis.iter().all(|a| !a.api.sources.is_empty()));
    let export =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/options-missing.json");
    let apis = read_all(&export, &DefinitionOptions::default()).expect("reads");
    assert_eq!(apis.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
