//! Every printed command: valid bash, no placeholder, no unquoted glob, JSON arguments parse, and
//! the real AWS CLI parses it.

use super::*;

// ---------------------------------------------------------------------------------------------
// Every printed command: valid bash, no placeholder, no unquoted glob, JSON arguments parse

/// Problems with one finding's printed commands (pasted in order), found without AWS: each
/// passes `bash -n` and has no `<…>`; then they run in an empty directory with `failglob` (an
/// unquoted glob fails) and a stub `aws` that records its arguments, whose JSON-valued options
/// must parse.
/// What the stub `aws` answers to `cloudfront get-distribution-config` (its ETag and a
/// complete config: the CloudFront fixes edit it with jq and the real CLI validates the
/// result), passed in `STUB_DISTRIBUTION_CONFIG`; every other call answers `stub-id`.
pub(super) const STUB_DISTRIBUTION_CONFIG: &str = r#"{"ETag":"E2QWRUHEXAMPLE","DistributionConfig":{"CallerReference":"stub","Comment":"","Enabled":true,"Origins":{"Quantity":1,"Items":[{"Id":"api","DomainName":"abc123.execute-api.us-east-1.amazonaws.com","CustomOriginConfig":{"HTTPPort":80,"HTTPSPort":443,"OriginProtocolPolicy":"https-only"}}]},"DefaultCacheBehavior":{"TargetOriginId":"api","ViewerProtocolPolicy":"redirect-to-https","AllowedMethods":{"Quantity":2,"Items":["GET","HEAD"],"CachedMethods":{"Quantity":2,"Items":["GET","HEAD"]}},"CachePolicyId":"658327ea-f89d-4fab-a63d-7e88639e58f6"}}}"#;

/// The stub's answer, in bash: the config for `get-distribution-config`, else `stub-id`.
pub(super) const STUB_ANSWER: &str = r#"case " $* " in *" get-distribution-config "*) printf '%s\n' "$STUB_DISTRIBUTION_CONFIG";; *) echo stub-id;; esac"#;

pub(super) fn lint_commands(cmds: &[String]) -> Vec<String> {
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
        "set -euo pipefail\nshopt -s failglob\naws() {{ printf '%s\\0' \"$@\" >> \"$ARGS_FILE\"; printf '\\1' >> \"$ARGS_FILE\"; {STUB_ANSWER}; }}\n{cmd}\n"
    );
    let run = std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env("ARGS_FILE", &args_file)
        .env("STUB_DISTRIBUTION_CONFIG", STUB_DISTRIBUTION_CONFIG)
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
                    | "--distribution-config"
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
pub(super) fn check_mapping_values(v: &Value, problems: &mut Vec<String>) {
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

pub(super) fn scenario_asset(name: &str) -> String {
    format!(
        "{}/assets/scenarios/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The argument lists that diagnose scenario `s`: live (demo, against the simulator) and
/// offline (from its export), without the format.
pub(super) fn scenario_runs(s: &Scenario) -> Vec<Vec<String>> {
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
pub(super) async fn every_printed_command_is_valid_bash_without_placeholders_or_globs() {
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
pub(super) fn join_continuations(text: &str) -> String {
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
pub(super) fn the_lint_catches_what_it_must() {
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
            // CloudFront's parameters are validated too (no output skeleton: see cli_parse).
            "aws cloudfront update-distribution --id E1 --if-match E2 --distribution-config '{\"Comment\":\"\"}'",
        ] {
            assert!(cli_parse(&cli, &[b.to_string()]).is_err(), "the CLI accepted {b}");
        }
        let config = serde_json::from_str::<Value>(STUB_DISTRIBUTION_CONFIG)
            .map(|v| v["DistributionConfig"].to_string())
            .unwrap_or_default();
        let cloudfront = format!(
            "aws cloudfront update-distribution --id E1 --if-match E2 --distribution-config {}",
            cors_doctor::diagnose::remedy::quote(&config)
        );
        assert_eq!(cli_parse(&cli, &[cloudfront]), Ok(()));
        let ok = "aws apigateway update-method --rest-api-id a --resource-id b --http-method OPTIONS --patch-operations '[{\"op\":\"replace\",\"path\":\"/apiKeyRequired\",\"value\":\"false\"}]'";
        assert_eq!(cli_parse(&cli, &[ok.to_string()]), Ok(()));
    }
}

/// Issue 11's rule on the definitions people bring (tests/fixtures/definitions/: YAML,
/// CloudFormation values, `.tpl` placeholders, wildcard server URLs, every auth and integration
/// type): every command printed for every route and method passes `bash -n`, has no
/// placeholder or unquoted glob, and the real AWS CLI parses it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn every_command_printed_for_the_definitions_corpus_is_valid_bash() {
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
