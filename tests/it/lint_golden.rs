//! `lint`'s output is byte-identical to the saved one: every fixture `lint` reads (templates,
//! Terraform plans, exports and definitions, scenario files) in every format (text, JSON,
//! Markdown, SARIF; JSON again with two `--origin`s in `spec` mode), and the inputs of
//! `cargo bench --bench lint` (a 10-resource copy in full, the 500-resource ones as digests).
//! It holds the speed work on `rules`, `lint` and the importers to "same results".
//!
//! After an intended change of the output: `CORS_DOCTOR_BLESS=1 cargo test --test it
//! lint_golden` rewrites `tests/fixtures/lint-golden/`, and the diff is reviewed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cors_doctor::cors::Mode;
use cors_doctor::lint::{self, LintFormat};
use cors_doctor::rules;

#[path = "../../benches/support/lint_inputs.rs"]
mod bench_inputs;

const FORMATS: [(LintFormat, &str); 4] = [
    (LintFormat::Text, "text"),
    (LintFormat::Json, "json"),
    (LintFormat::Markdown, "markdown"),
    (LintFormat::Sarif, "sarif"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden_dir() -> PathBuf {
    root().join("tests/fixtures/lint-golden")
}

/// Every file `lint` is meant to read among the fixtures, relative to the crate root, sorted.
fn fixtures() -> Vec<String> {
    let mut out = Vec::new();
    let mut add_dir = |dir: &str, keep: &dyn Fn(&Path) -> bool| {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if keep(&p) {
                if let Ok(rel) = p.strip_prefix(root()) {
                    out.push(rel.display().to_string());
                }
            }
        }
    };
    let is_file = |p: &Path| p.is_file() && p.extension().is_none_or(|e| e != "tpl");
    add_dir("tests/fixtures/templates", &is_file);
    add_dir("tests/fixtures/definitions", &is_file);
    add_dir("assets/scenarios", &is_file);
    if let Ok(entries) = std::fs::read_dir(root().join("tests/fixtures/terraform")) {
        for e in entries.flatten() {
            let p = e.path().join("plan.json");
            if p.is_file() {
                if let Ok(rel) = p.strip_prefix(root()) {
                    out.push(rel.display().to_string());
                }
            }
        }
    }
    out.sort();
    out
}

/// Every output of `lint` on one input text, one section per variant.
fn outputs(text: &str, file: &str) -> String {
    let input = match lint::load_text_with(text, file, &BTreeMap::new()) {
        Ok(i) => i,
        Err(e) => return format!("=== error\n{e}\n"),
    };
    let inputs = vec![input];
    let mut out = String::new();
    let default = rules::Options::default();
    let report = lint::lint(&inputs, &default);
    for (format, name) in FORMATS {
        out.push_str(&format!("=== {name}\n"));
        out.push_str(&report.render(format, &inputs));
        out.push('\n');
    }
    let given = rules::Options {
        origins: vec![
            "https://app.example.com".to_string(),
            "http://localhost:3000".to_string(),
        ],
        mode: Mode::Spec,
    };
    let report = lint::lint(&inputs, &given);
    out.push_str("=== json, two origins, spec mode\n");
    out.push_str(&report.render(LintFormat::Json, &inputs));
    out.push('\n');
    out
}

/// FNV-1a, 64 bits: a stable digest of a large output (no hashing crate needed).
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Compares `actual` with the saved file `name` (or saves it when blessing); a difference
/// is described by its first differing line.
fn compare(name: &str, actual: &str, failures: &mut Vec<String>) {
    let path = golden_dir().join(name);
    if std::env::var_os("CORS_DOCTOR_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).expect("create the golden directory");
        std::fs::write(&path, actual).expect("write a golden file");
        return;
    }
    let Ok(expected) = std::fs::read_to_string(&path) else {
        failures.push(format!(
            "{name}: no saved output (CORS_DOCTOR_BLESS=1 saves it)"
        ));
        return;
    };
    if expected == actual {
        return;
    }
    let (i, (e, a)) = expected
        .lines()
        .chain(std::iter::once("<end>"))
        .zip(actual.lines().chain(std::iter::once("<end>")))
        .enumerate()
        .find(|(_, (e, a))| e != a)
        .unwrap_or((0, ("?", "?")));
    failures.push(format!("{name}: line {}: saved\n  {e}\nnow\n  {a}", i + 1));
}

fn golden_name(file: &str) -> String {
    format!("{}.out", file.replace('/', "__"))
}

#[test]
fn lint_output_of_every_fixture_is_unchanged() {
    let files = fixtures();
    assert!(files.len() >= 40, "fixtures found: {files:?}");
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(root().join(file)).expect("read a fixture");
        compare(&golden_name(file), &outputs(&text, file), &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn lint_output_of_the_bench_inputs_is_unchanged() {
    let mut failures = Vec::new();
    // A small copy of each, in full.
    let plan = bench_inputs::terraform_plan(10);
    compare(
        "bench-plan-10.out",
        &outputs(&plan, "plan.json"),
        &mut failures,
    );
    let template = bench_inputs::cloudformation_template(10);
    compare(
        "bench-template-10.out",
        &outputs(&template, "template.yaml"),
        &mut failures,
    );
    // The benched size, as digests of each output.
    let mut digests = String::new();
    let options = rules::Options {
        origins: vec!["https://app.example.com".to_string()],
        ..rules::Options::default()
    };
    for (text, file) in [
        (bench_inputs::terraform_plan(500), "plan.json"),
        (bench_inputs::cloudformation_template(500), "template.yaml"),
    ] {
        let input = lint::load_text(&text, file).expect("the bench input imports");
        let inputs = vec![input];
        let report = lint::lint(&inputs, &options);
        for (format, name) in FORMATS {
            let out = report.render(format, &inputs);
            digests.push_str(&format!(
                "{file} {name}: {} bytes, fnv1a64 {:016x}\n",
                out.len(),
                fnv(&out)
            ));
        }
    }
    compare("bench-500.digests", &digests, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Values the file does not hold that a route's steps need (a header mapping known only after
/// `terraform apply`, a template parameter without a default), on one route of several: each
/// route's diagnosis names only its own.
#[test]
fn lint_output_with_unresolved_values_is_unchanged() {
    let mut failures = Vec::new();
    let mut plan: serde_json::Value =
        serde_json::from_str(&bench_inputs::terraform_plan(3)).expect("the plan is JSON");
    for c in plan["resource_changes"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if c["address"] == "aws_api_gateway_integration_response.r1_options" {
            c["change"]["after_unknown"]["response_parameters"] = serde_json::Value::Bool(true);
        }
    }
    let plan = serde_json::to_string_pretty(&plan).expect("the plan serializes");
    compare(
        "unresolved-plan.out",
        &outputs(&plan, "plan.json"),
        &mut failures,
    );
    let template = bench_inputs::cloudformation_template(3)
        .replace(
            "Description: bench API\n",
            "Description: bench API\nParameters:\n  AllowedOrigin:\n    Type: String\n",
        )
        .replacen(
            "method.response.header.Access-Control-Allow-Origin: \"'https://app.example.com'\"",
            "method.response.header.Access-Control-Allow-Origin: !Sub \"'${AllowedOrigin}'\"",
            2,
        );
    compare(
        "unresolved-template.out",
        &outputs(&template, "template.yaml"),
        &mut failures,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
