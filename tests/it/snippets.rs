//! The infrastructure-as-code snippets are valid in their language: every CloudFormation and
//! SAM snippet passes cfn-lint once placed in a minimal template, every Terraform snippet
//! parses as HCL2 (python-hcl2), through scripts/validate_snippets.py with the test venv's
//! Python (scripts/moto.sh installs cfn-lint and python-hcl2 there). The CDK TypeScript is
//! type-checked by scripts/check-cdk-snippets.sh (tsc against aws-cdk-lib: too heavy for CI),
//! which sets CORS_DOCTOR_SNIPPETS_DIR so these tests write every snippet there.
//!
//! The snippets come from change sets built here (every `Change` variant, REST and HTTP, ids
//! known and unknown, names from a template and derived) and from the remedies of every
//! scenario in assets/scenarios.
//!
//! Without the venv the tests print why and pass, unless CORS_DOCTOR_REQUIRE_MOTO is set (as
//! the moto tests do).

use std::path::PathBuf;
use std::process::Command;

use cors_doctor::diagnose::remedy::snippets::{self, Flavour};
use cors_doctor::gateway::change::{ApiRef, Change, ChangeSet, HeaderValue, ResourceRef};
use cors_doctor::gateway::model::{
    Api, ApiKind, CorsConfiguration, Element, Integration, IntegrationType, Located, Method,
    Resource, SourceRef,
};

const ORIGIN: &str = "https://app.example.com";

/// The venv's Python, when it has cfn-lint and python-hcl2.
fn validator() -> Option<PathBuf> {
    let require = std::env::var_os("CORS_DOCTOR_REQUIRE_MOTO").is_some();
    let venv = std::env::var_os("CORS_DOCTOR_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/cors-doctor-venv"));
    let python = venv.join("bin/python");
    let ok = Command::new(&python)
        .args(["-c", "import cfnlint, hcl2"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            !require,
            "CORS_DOCTOR_REQUIRE_MOTO is set but {} lacks cfn-lint or python-hcl2 (scripts/moto.sh installs them)",
            python.display()
        );
        eprintln!(
            "skipped: {} lacks cfn-lint or python-hcl2 (scripts/moto.sh installs them)",
            python.display()
        );
        return None;
    }
    Some(python)
}

fn extension(f: Flavour) -> &'static str {
    match f {
        Flavour::Cloudformation => "cloudformation.yaml",
        Flavour::Sam => "sam.yaml",
        Flavour::Cdk => "cdk.ts",
        Flavour::Terraform => "tf",
        Flavour::Cli => "sh",
    }
}

/// Writes every snippet (`name` → flavour → text) and validates the YAML and HCL ones; with
/// CORS_DOCTOR_SNIPPETS_DIR set, also copies them there (for scripts/check-cdk-snippets.sh).
fn validate(set_name: &str, snippets: &[(String, Flavour, String)]) {
    if let Some(dir) = std::env::var_os("CORS_DOCTOR_SNIPPETS_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("snippets dir");
        for (name, f, text) in snippets {
            std::fs::write(
                dir.join(format!("{set_name}-{name}.{}", extension(*f))),
                text,
            )
            .expect("write snippet");
        }
    }
    let Some(python) = validator() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    // The same text is validated once (live and offline runs give the same remedies).
    let mut seen = std::collections::HashSet::new();
    for (name, f, text) in snippets {
        if !matches!(
            f,
            Flavour::Cloudformation | Flavour::Sam | Flavour::Terraform
        ) || !seen.insert((*f, text.clone()))
        {
            continue;
        }
        assert!(!text.trim().is_empty(), "{name}: empty {f} snippet");
        let path = tmp.path().join(format!("{name}.{}", extension(*f)));
        std::fs::write(&path, text).expect("write snippet");
        files.push(path);
    }
    assert!(!files.is_empty(), "{set_name}: nothing to validate");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/validate_snippets.py");
    let out = Command::new(&python)
        .arg(&script)
        .args(&files)
        .output()
        .expect("run validate_snippets.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let mut shown = String::new();
        for line in stdout.lines() {
            shown.push_str(line);
            shown.push('\n');
            if let Some(file) = line.split(": ").next() {
                if let Some(name) = std::path::Path::new(file).file_name() {
                    let text = std::fs::read_to_string(tmp.path().join(name)).unwrap_or_default();
                    if !shown.contains(&text) {
                        shown.push_str(&text);
                    }
                }
            }
        }
        panic!(
            "{set_name}: invalid snippets:\n{shown}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    eprintln!("{set_name}: {}", stdout.lines().last().unwrap_or(""));
}

fn res(path: &str, known: bool) -> ResourceRef {
    ResourceRef {
        path: path.into(),
        id: known.then(|| "r1".to_string()),
        path_known: known,
    }
}

fn hv(name: &str, value: &str, exists: bool) -> HeaderValue {
    HeaderValue {
        name: name.into(),
        value: value.into(),
        exists,
    }
}

fn rest_ref(known: bool) -> ApiRef {
    ApiRef {
        kind: ApiKind::Rest,
        id: known.then(|| "abc123".to_string()),
        name: Some("Pets".into()),
        region: known.then(|| "us-east-1".to_string()),
    }
}

/// Every change a REST remedy makes, in dependency order.
fn rest_everything(known: bool, path: &str) -> ChangeSet {
    let r = res(path, known);
    let headers = vec![
        hv("Access-Control-Allow-Origin", ORIGIN, false),
        hv("Access-Control-Allow-Methods", "PUT,OPTIONS", false),
        hv(
            "Access-Control-Allow-Headers",
            "authorization,content-type",
            false,
        ),
        hv("Access-Control-Allow-Credentials", "true", false),
    ];
    ChangeSet {
        api: rest_ref(known),
        changes: vec![
            Change::CreateOptionsMethod {
                resource: r.clone(),
            },
            Change::DeclareResponseHeaders {
                resource: r.clone(),
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers: headers.iter().map(|h| h.name.clone()).collect(),
                create: true,
            },
            Change::CreateMockIntegration {
                resource: r.clone(),
                status: "200".into(),
            },
            Change::MapResponseHeaders {
                resource: r.clone(),
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers,
                create: true,
            },
            Change::DeclareResponseHeaders {
                resource: r.clone(),
                http_method: "GET".into(),
                status: "200".into(),
                headers: vec!["Access-Control-Allow-Origin".into()],
                create: false,
            },
            Change::MapResponseHeaders {
                resource: r,
                http_method: "GET".into(),
                status: "200".into(),
                headers: vec![hv("Access-Control-Allow-Origin", ORIGIN, true)],
                create: false,
            },
            Change::GatewayResponseHeaders {
                response_type: "DEFAULT_4XX".into(),
                headers: vec![hv("Access-Control-Allow-Origin", ORIGIN, false)],
                create: true,
            },
            Change::GatewayResponseHeaders {
                response_type: "UNAUTHORIZED".into(),
                headers: vec![
                    hv("Access-Control-Allow-Origin", ORIGIN, false),
                    hv("Access-Control-Allow-Credentials", "true", false),
                ],
                create: false,
            },
            Change::Deploy {
                stage: known.then(|| "prod".to_string()),
            },
        ],
    }
}

/// An OPTIONS method that exists, guarded by an authorizer and an API key, with a header
/// missing from its answer.
fn rest_options_guarded(known: bool) -> ChangeSet {
    let r = res("/orders", known);
    ChangeSet {
        api: rest_ref(known),
        changes: vec![
            Change::OptionsAuthorizationOff {
                resource: r.clone(),
                authorization: true,
                api_key: true,
            },
            Change::DeclareResponseHeaders {
                resource: r.clone(),
                http_method: "OPTIONS".into(),
                status: "204".into(),
                headers: vec!["Access-Control-Allow-Headers".into()],
                create: false,
            },
            Change::MapResponseHeaders {
                resource: r,
                http_method: "OPTIONS".into(),
                status: "204".into(),
                headers: vec![hv(
                    "Access-Control-Allow-Headers",
                    "x-api-key,content-type",
                    true,
                )],
                create: false,
            },
            Change::Deploy { stage: None },
        ],
    }
}

fn http_everything(known: bool) -> ChangeSet {
    ChangeSet {
        api: ApiRef {
            kind: ApiKind::Http,
            id: known.then(|| "h77".to_string()),
            name: Some("Orders".into()),
            region: None,
        },
        changes: vec![
            Change::SetCorsConfiguration {
                cors: CorsConfiguration {
                    allow_origins: vec![ORIGIN.into()],
                    allow_methods: vec!["GET".into(), "OPTIONS".into()],
                    allow_headers: vec!["authorization".into(), "content-type".into()],
                    expose_headers: vec!["x-request-id".into()],
                    max_age: Some(300),
                    allow_credentials: Some(true),
                },
            },
            Change::CreatePreflightRoute {
                route_key: "OPTIONS /{proxy+}".into(),
                integration_id: known.then(|| "int9".to_string()),
                like_route: "$default".into(),
            },
            Change::RouteAuthorizationOff {
                route_id: known.then(|| "rt1".to_string()),
                route_key: "OPTIONS /orders".into(),
            },
            Change::Deploy {
                stage: Some(if known { "prod" } else { "$default" }.to_string()),
            },
        ],
    }
}

/// A model as a template import would give it: logical ids and lines for each part.
fn templated_api() -> Api {
    let src = |line: u32, resource: &str| SourceRef {
        file: "template.yaml".into(),
        line,
        resource: Some(resource.into()),
    };
    let mut get = Method {
        http_method: "GET".into(),
        ..Method::default()
    };
    let mut integration = Integration::new(IntegrationType::Http);
    integration.http_method = Some("GET".into());
    integration.uri = Some("https://backend.example.com/items".into());
    get.integration = Some(integration);
    let at = |element: Element, line: u32, id: &str| Located {
        element,
        source: src(line, id),
    };
    Api {
        kind: ApiKind::Rest,
        resources: vec![Resource {
            path: "/items".into(),
            methods: vec![get],
            ..Resource::default()
        }],
        sources: vec![
            at(Element::Api, 3, "PetsApi"),
            at(
                Element::Resource {
                    path: "/items".into(),
                },
                10,
                "ItemsRes",
            ),
            at(
                Element::Method {
                    path: "/items".into(),
                    verb: "GET".into(),
                },
                20,
                "GetItems",
            ),
            at(
                Element::Stage {
                    name: "prod".into(),
                },
                40,
                "Prod",
            ),
        ],
        ..Api::default()
    }
}

fn all_flavours(name: &str, set: &ChangeSet, api: Option<&Api>) -> Vec<(String, Flavour, String)> {
    Flavour::ALL
        .into_iter()
        .filter(|f| *f != Flavour::Cli)
        .map(|f| (name.to_string(), f, snippets::render(f, set, api)))
        .collect()
}

#[test]
fn hand_built_change_sets_render_valid_iac() {
    let templated = templated_api();
    let mut all = Vec::new();
    for known in [true, false] {
        let k = if known { "known" } else { "unknown" };
        all.extend(all_flavours(
            &format!("rest-everything-{k}"),
            &rest_everything(known, "/items"),
            None,
        ));
        all.extend(all_flavours(
            &format!("rest-root-{k}"),
            &rest_everything(known, "/"),
            None,
        ));
        all.extend(all_flavours(
            &format!("rest-guarded-{k}"),
            &rest_options_guarded(known),
            None,
        ));
        all.extend(all_flavours(
            &format!("http-everything-{k}"),
            &http_everything(known),
            None,
        ));
    }
    all.extend(all_flavours(
        "rest-templated",
        &rest_everything(true, "/items"),
        Some(&templated),
    ));
    validate("hand-built", &all);
}

mod scenarios {
    //! Every scenario's remedies (live against the simulator with the scenario as the
    //! configuration, as `demo` runs it, and offline from its export), in every flavour.

    use std::net::{Ipv4Addr, SocketAddr};
    use std::sync::Arc;
    use std::time::Duration;

    use cors_doctor::app::scenario_plan;
    use cors_doctor::aws::file::OpenApiFile;
    use cors_doctor::aws::ConfigSource;
    use cors_doctor::config::Config;
    use cors_doctor::diagnose::remedy::snippets::Flavour;
    use cors_doctor::gateway::scenario::Scenario;
    use cors_doctor::plan::TargetArgs;
    use cors_doctor::report::Report;
    use cors_doctor::runner;
    use cors_doctor::sim::{self, SimServer};

    fn asset(name: &str) -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("assets/scenarios")
            .join(format!("{name}.json"))
    }

    async fn live(s: &Scenario) -> Report {
        let handler = sim::gateway::scenario_handler(s);
        let server = SimServer::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            handler,
            Duration::ZERO,
        )
        .await
        .expect("bind");
        let plan = scenario_plan(s, &server.base_url()).expect("plan");
        let source = cors_doctor::app::config_source(&plan).expect("source");
        let report = runner::run(&plan, source, None).await.expect("live run");
        server.shutdown().await;
        report
    }

    async fn offline(s: &Scenario) -> Report {
        let req = &s.spec.request;
        let args = TargetArgs {
            openapi: Some(asset(&s.name)),
            path: Some(req.path.clone()),
            stage: Some(s.spec.stage.clone()),
            ..TargetArgs::scenario_request(req)
        };
        let plan = args.resolve(&Config::default()).expect("plan");
        let source: Arc<dyn ConfigSource> =
            Arc::new(OpenApiFile::open(&asset(&s.name)).expect("the export opens"));
        runner::run(&plan, Some(source), None)
            .await
            .expect("offline run")
    }

    /// Every fix of `report` that changes the configuration, in every flavour.
    fn snippets_of(name: &str, how: &str, report: &Report) -> Vec<(String, Flavour, String)> {
        let mut out = Vec::new();
        for f in report.steps.iter().flat_map(|s| s.findings.iter()) {
            let Some(r) = &f.remediation else { continue };
            let Some(set) = &r.change_set else {
                assert!(
                    r.snippets.is_none(),
                    "{name}: snippets without a change set"
                );
                continue;
            };
            let s = r
                .snippets
                .as_ref()
                .unwrap_or_else(|| panic!("{name} {}: a change set without snippets", f.code));
            assert_eq!(s.aws_cli, r.commands.join("\n"), "{name} {}", f.code);
            assert!(!set.changes.is_empty());
            for flavour in Flavour::ALL.into_iter().filter(|f| *f != Flavour::Cli) {
                let text = s.get(flavour);
                assert!(
                    !text.trim().is_empty(),
                    "{name} {}: empty {flavour} snippet",
                    f.code
                );
                out.push((
                    format!("{name}-{how}-{}", f.code),
                    flavour,
                    text.to_string(),
                ));
            }
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_scenario_remedy_renders_valid_iac() {
        let scenarios = Scenario::all().expect("scenarios load");
        let mut all = Vec::new();
        let mut with_remedy = Vec::new();
        for s in &scenarios {
            let mut found = snippets_of(&s.name, "live", &live(s).await);
            found.extend(snippets_of(&s.name, "offline", &offline(s).await));
            if !found.is_empty() {
                with_remedy.push(s.name.clone());
            }
            all.extend(found);
        }
        // Every broken scenario has a remedy that changes the configuration.
        for s in &scenarios {
            let healthy = s.spec.expect.first_failing_step.is_none();
            assert!(
                healthy
                    || with_remedy.contains(&s.name)
                    || s.name == "lambda-proxy-no-allow-origin"
                    // CORS is healthy there: AWS WAF blocks the request and the block answer
                    // carries CORS headers; the fix is the request (or the rule), not the API.
                    || s.name == "waf-blocked-cors-healthy"
                    // The fix is outside API Gateway (the function URL's CORS and the code):
                    // the snippets render API Gateway resources; the finding names the IaC.
                    || s.name == "function-url-duplicate-cors"
                    // A private API called from outside its VPC: the fix is where the app
                    // calls from (the VPC endpoint) or the endpoint type, not a CORS setting.
                    || s.name == "private-api-outside-vpc"
                    // A load balancer's own error page: the fix is its targets' health.
                    || s.name == "load-balancer-target-unhealthy",
                "{}: no remedy renders a snippet",
                s.name
            );
        }
        assert!(with_remedy.len() >= 8, "{with_remedy:?}");
        super::validate("scenarios", &all);
    }
}

mod binary {
    //! `--fix-format` and the config's `report.fix_format` through the real binary.

    use crate::common::{args, cors_doctor};

    fn asset(name: &str) -> String {
        format!(
            "{}/assets/scenarios/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    /// An offline check of the options-missing scenario from its export.
    fn offline(extra: &[&str]) -> Vec<String> {
        let mut a = args(&[
            "check",
            "--openapi",
            &asset("options-missing"),
            "--stage",
            "prod",
            "--path",
            "/orders",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "--origin",
            "https://app.example.com",
        ]);
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    }

    #[tokio::test]
    async fn fix_format_shows_the_chosen_form_in_text_and_markdown() {
        let out = cors_doctor(offline(&["--fix-format", "cloudformation"])).await;
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            text.contains("CloudFormation (YAML):\n        ```yaml\n"),
            "{text}"
        );
        assert!(text.contains("        Resources:\n"), "{text}");
        assert!(text.contains("Type: AWS::ApiGateway::Method"), "{text}");
        assert!(!text.contains("$ aws apigateway put-method "), "{text}");
        // Long snippet lines are not wrapped (they are pasted as printed).
        assert!(
            text.lines()
                .any(|l| l.len() > 100 && l.contains("method.response.header")),
            "{text}"
        );

        let out = cors_doctor(offline(&[
            "--fix-format",
            "terraform",
            "--format",
            "markdown",
        ]))
        .await;
        let md = String::from_utf8_lossy(&out.stdout);
        assert!(md.contains("  Terraform (HCL):\n\n  ```hcl\n"), "{md}");
        assert!(
            md.contains("resource \"aws_api_gateway_method\" \"orders_options\" {"),
            "{md}"
        );

        // The default stays the AWS CLI commands.
        let out = cors_doctor(offline(&[])).await;
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("$ aws apigateway put-method "), "{text}");
        assert!(!text.contains("```"), "{text}");
    }

    #[tokio::test]
    async fn json_carries_every_form() {
        let out = cors_doctor(offline(&["--format", "json", "--fix-format", "sam"])).await;
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        let remediation = report["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|s| s["findings"].as_array().into_iter().flatten())
            .find(|f| f["code"] == "OPTIONS_MISSING")
            .map(|f| f["remediation"].clone())
            .expect("OPTIONS_MISSING");
        let snippets = &remediation["snippets"];
        let commands: Vec<&str> = remediation["commands"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .collect();
        assert_eq!(snippets["aws_cli"], commands.join("\n"));
        for key in ["cloudformation", "sam", "cdk", "terraform"] {
            assert!(
                snippets[key]
                    .as_str()
                    .is_some_and(|s| s.lines().count() > 5),
                "{key}: {snippets}"
            );
        }
    }

    #[tokio::test]
    async fn the_config_chooses_the_form_and_a_bad_one_is_a_usage_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "[report]\nfix_format = \"cdk\"\n").expect("write");
        let path = config.to_string_lossy().to_string();
        let out = cors_doctor(offline(&["--config", &path])).await;
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("```typescript"), "{text}");
        assert!(text.contains("addCorsPreflight({"), "{text}");
        // The flag wins over the config.
        let out = cors_doctor(offline(&["--config", &path, "--fix-format", "cli"])).await;
        assert!(!String::from_utf8_lossy(&out.stdout).contains("```"));

        std::fs::write(&config, "[report]\nfix_format = \"pulumi\"\n").expect("write");
        let out = cors_doctor(offline(&["--config", &path])).await;
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains("invalid report.fix_format 'pulumi'")
                && err.contains("use cli, cloudformation, sam, cdk or terraform"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
        let out = cors_doctor(offline(&["--fix-format", "yaml"])).await;
        assert_eq!(out.status.code(), Some(2));
    }
}

mod templates {
    //! The remedies of the template fixtures that mirror a broken scenario (SAM, CDK synth,
    //! Serverless, plain CloudFormation): the snippets name the template's own logical ids, and
    //! stay valid.

    use std::path::PathBuf;
    use std::sync::Arc;

    use cors_doctor::aws::file::{DefinitionOptions, OpenApiFile};
    use cors_doctor::aws::ConfigSource;
    use cors_doctor::config::Config;
    use cors_doctor::diagnose::remedy::snippets::Flavour;
    use cors_doctor::gateway::scenario::Scenario;
    use cors_doctor::plan::TargetArgs;
    use cors_doctor::report::Report;
    use cors_doctor::runner;

    /// (fixture, the scenario whose request it is diagnosed with).
    const BROKEN: &[(&str, &str)] = &[
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
        (
            "sam-throttled-default-gateway-responses.yaml",
            "throttled-default-gateway-responses",
        ),
        (
            "cdk-header-declared-not-mapped.template.json",
            "header-declared-not-mapped",
        ),
    ];

    async fn diagnose(s: &Scenario, template: PathBuf) -> Report {
        let req = &s.spec.request;
        let args = TargetArgs {
            template: Some(template.clone()),
            path: Some(req.path.clone()),
            stage: Some(s.spec.stage.clone()),
            ..TargetArgs::scenario_request(req)
        };
        let plan = args.resolve(&Config::default()).expect("plan");
        let options = DefinitionOptions {
            path: Some(req.path.clone()),
            ..DefinitionOptions::default()
        };
        let source: Arc<dyn ConfigSource> = Arc::new(
            OpenApiFile::open_template(&template, &options).unwrap_or_else(|e| panic!("{e}")),
        );
        runner::run(&plan, Some(source), None)
            .await
            .expect("offline run")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn template_remedies_name_the_templates_ids_and_are_valid() {
        let scenarios = Scenario::all().expect("scenarios");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/templates");
        let mut all = Vec::new();
        let mut named_from_template = 0;
        for (fixture, scenario) in BROKEN {
            let s = scenarios
                .iter()
                .find(|s| s.name == *scenario)
                .expect("scenario");
            let report = diagnose(s, dir.join(fixture)).await;
            let mut found = false;
            for f in report.steps.iter().flat_map(|s| s.findings.iter()) {
                let Some(snippets) = f.remediation.as_ref().and_then(|r| r.snippets.as_ref())
                else {
                    continue;
                };
                found = true;
                // A name read from the template says where it was read.
                if snippets.cloudformation.contains("(from ") {
                    named_from_template += 1;
                }
                for flavour in Flavour::ALL.into_iter().filter(|f| *f != Flavour::Cli) {
                    all.push((
                        format!("{fixture}-{}", f.code).replace('.', "_"),
                        flavour,
                        snippets.get(flavour).to_string(),
                    ));
                }
            }
            assert!(found, "{fixture}: no remedy with snippets");
        }
        assert!(
            named_from_template > 0,
            "no snippet names a template's logical id"
        );
        super::validate("templates", &all);
    }
}

mod lint_remedies {
    //! `lint`'s whole-API findings (changes the stage does not serve, a Terraform deployment
    //! without triggers) carry a fix as data like every other finding: a deployment change set,
    //! its AWS CLI command, and snippets whose Terraform gives the plan's own deployment
    //! `triggers` that follow the plan's resources — all valid.

    use std::path::PathBuf;

    use cors_doctor::diagnose::remedy::snippets::Flavour;

    use crate::common::cors_doctor;

    fn lint_json(fixture: &str) -> serde_json::Value {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(fixture);
        let out = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(cors_doctor(vec![
                "lint".into(),
                "--format".into(),
                "json".into(),
                path.to_string_lossy().into_owned(),
            ]));
        serde_json::from_slice(&out.stdout).expect("a JSON lint report")
    }

    #[test]
    fn undeployed_changes_and_missing_triggers_come_with_valid_fixes() {
        let mut snippets = Vec::new();
        for (fixture, stage, triggers) in [
            (
                "tests/fixtures/terraform/trap-deployment-no-triggers/plan.json",
                "prod",
                true,
            ),
            (
                "tests/fixtures/terraform/options-not-deployed/plan.json",
                "prod",
                false,
            ),
        ] {
            let report = lint_json(fixture);
            let f = report["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["code"] == "UNDEPLOYED_CHANGES")
                .unwrap_or_else(|| panic!("{fixture}: no UNDEPLOYED_CHANGES in {report}"));
            let r = &f["remediation"];
            let change = &r["change_set"]["changes"][0];
            assert!(
                change["kind"] == "deploy" && change["stage"] == stage,
                "{fixture}: {r}"
            );
            let commands: Vec<&str> = r["commands"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str())
                .collect();
            assert!(
                commands.len() == 1
                    && commands[0].starts_with("aws apigateway create-deployment --rest-api-id ")
                    && commands[0].ends_with(&format!("--stage-name {stage}")),
                "{fixture}: {commands:?}"
            );
            let tf = r["snippets"]["terraform"].as_str().expect("terraform");
            if triggers {
                // The plan's own deployment, following the plan's own methods.
                assert!(
                    tf.contains("resource \"aws_api_gateway_deployment\" \"this\"")
                        && tf.contains("aws_api_gateway_method.bookings_options,")
                        && tf.contains("create_before_destroy = true"),
                    "{tf}"
                );
            }
            let name = fixture.split('/').nth(3).unwrap_or("fixture").to_string();
            for flavour in [Flavour::Cloudformation, Flavour::Sam, Flavour::Terraform] {
                let text = r["snippets"][flavour.as_str()]
                    .as_str()
                    .unwrap_or_else(|| panic!("{fixture}: no {flavour} snippet: {r}"));
                snippets.push((name.clone(), flavour, text.to_string()));
            }
        }
        super::validate("lint-whole-api", &snippets);
    }
}
