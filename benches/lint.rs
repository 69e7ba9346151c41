//! `lint` speed on a 500-resource REST API written as a Terraform plan (4,500 Terraform
//! resources: per API Gateway resource a GET and a POST with Lambda proxy integrations and a
//! MOCK OPTIONS method with its responses, the shape `terraform show -json` gives): the plan
//! read and imported, every route diagnosed, the report rendered. Budget: 100 ms.
//! `cargo bench --bench lint` (harness = false; std::time::Instant, no framework).

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use cors_doctor::lint::{self, LintFormat};
use cors_doctor::rules;

const RESOURCES: usize = 500;
const BUDGET: Duration = Duration::from_millis(100);

fn refs(target: &str, attr: &str) -> Value {
    json!({ "references": [format!("{target}.{attr}"), target] })
}

/// A plan JSON text shaped like `terraform show -json` (pretty-printed, as `jq .` writes it).
fn plan_text() -> String {
    let api = "aws_api_gateway_rest_api.api";
    let mut values = vec![
        json!({"address": api, "mode": "managed", "type": "aws_api_gateway_rest_api", "name": "api", "values": {"name": "bench-api", "body": null}}),
    ];
    let mut config = vec![
        json!({"address": api, "mode": "managed", "type": "aws_api_gateway_rest_api", "name": "api", "expressions": {"name": {"constant_value": "bench-api"}}}),
    ];
    let mut changes = Vec::new();
    let mut push = |rtype: &str, name: String, v: Value, e: Value| {
        let address = format!("{rtype}.{name}");
        values.push(json!({"address": address, "mode": "managed", "type": rtype, "name": name, "values": v}));
        config.push(json!({"address": address, "mode": "managed", "type": rtype, "name": name, "expressions": e}));
        changes.push(json!({"address": address, "mode": "managed", "type": rtype, "name": name,
            "change": {"actions": ["create"], "before": null, "after": v, "after_unknown": {"id": true}}}));
    };
    for i in 0..RESOURCES {
        let r = format!("r{i}");
        // Every tenth resource nests under the one before it.
        let parent = if i % 10 == 9 {
            refs(&format!("aws_api_gateway_resource.r{}", i - 1), "id")
        } else {
            refs(api, "root_resource_id")
        };
        let res = format!("aws_api_gateway_resource.{r}");
        push(
            "aws_api_gateway_resource",
            r.clone(),
            json!({"path_part": format!("items{i}")}),
            json!({"rest_api_id": refs(api, "id"), "parent_id": parent}),
        );
        for verb in ["GET", "POST", "OPTIONS"] {
            let m = format!("{r}_{}", verb.to_lowercase());
            let on = json!({"rest_api_id": refs(api, "id"), "resource_id": refs(&res, "id")});
            push(
                "aws_api_gateway_method",
                m.clone(),
                json!({"http_method": verb, "authorization": "NONE", "api_key_required": false}),
                on.clone(),
            );
            let integration = if verb == "OPTIONS" {
                json!({"http_method": verb, "type": "MOCK", "request_templates": {"application/json": "{\"statusCode\": 200}"}})
            } else {
                json!({"http_method": verb, "type": "AWS_PROXY", "integration_http_method": "POST", "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"})
            };
            push(
                "aws_api_gateway_integration",
                m.clone(),
                integration,
                on.clone(),
            );
            if verb == "OPTIONS" {
                push(
                    "aws_api_gateway_method_response",
                    m.clone(),
                    json!({"http_method": verb, "status_code": "200", "response_parameters": {
                    "method.response.header.Access-Control-Allow-Origin": true,
                    "method.response.header.Access-Control-Allow-Methods": true,
                    "method.response.header.Access-Control-Allow-Headers": true}}),
                    on.clone(),
                );
                push(
                    "aws_api_gateway_integration_response",
                    m.clone(),
                    json!({"http_method": verb, "status_code": "200", "selection_pattern": "", "response_parameters": {
                    "method.response.header.Access-Control-Allow-Origin": "'https://app.example.com'",
                    "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
                    "method.response.header.Access-Control-Allow-Headers": "'Content-Type,Authorization'"}}),
                    on,
                );
            }
        }
    }
    let doc = json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": values}},
        "resource_changes": changes,
        "configuration": {"root_module": {"resources": config}},
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn main() {
    let text = plan_text();
    let options = rules::Options {
        origins: vec!["https://app.example.com".to_string()],
        ..rules::Options::default()
    };
    let run = || {
        let input = lint::load_text(&text, "plan.json").expect("the plan imports");
        let inputs = vec![input];
        let report = lint::lint(&inputs, &options);
        let out = report.render(LintFormat::Sarif, &inputs);
        (report.summary.routes, out.len())
    };
    let (routes, _) = run();
    assert_eq!(routes, RESOURCES * 2, "every GET and POST is a route");
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let start = Instant::now();
            black_box(run());
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    // The parts, once each: reading the plan, the rules, the SARIF.
    let t = Instant::now();
    let input = lint::load_text(&text, "plan.json").expect("the plan imports");
    let read = t.elapsed();
    let inputs = vec![input];
    let t = Instant::now();
    let report = lint::lint(&inputs, &options);
    let checked = t.elapsed();
    let t = Instant::now();
    black_box(report.render(LintFormat::Sarif, &inputs));
    let rendered = t.elapsed();
    println!(
        "  parts: read {:.1} ms, rules {:.1} ms, SARIF {:.1} ms",
        read.as_secs_f64() * 1e3,
        checked.as_secs_f64() * 1e3,
        rendered.as_secs_f64() * 1e3
    );
    println!(
        "lint of a {RESOURCES}-resource REST API as a Terraform plan ({} KB, {routes} routes): median {:.1} ms, best {:.1} ms (budget {} ms)",
        text.len() / 1024,
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        BUDGET.as_millis()
    );
    assert!(median <= BUDGET, "over budget: {median:?}");
}
