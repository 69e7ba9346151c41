//! Terraform plans: every plan of tests/fixtures/terraform/ with values replaced anywhere in
//! the JSON tree (wrong types, dangling references, ids of other resources, cycles of
//! parents) is imported without a panic, with sources on lines of the file, and `lint`'s rules
//! run on what it imports; the plan's text cut anywhere gives an error, not a panic.

use super::*;

use cors_doctor::gateway::terraform;
use cors_doctor::rules;

fn plans() -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path().join("plan.json")))
        .filter(|p| p.exists())
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).expect("plan")).expect("json"))
        .collect()
}

/// Replaces the n-th node of the tree in pre-order with `new`; false when there are fewer.
fn replace_nth(v: &mut Value, n: &mut usize, new: &Value) -> bool {
    if *n == 0 {
        *v = new.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| replace_nth(x, n, new)),
        Value::Object(o) => o.values_mut().any(|x| replace_nth(x, n, new)),
        _ => false,
    }
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(o) => o.values().map(count).sum(),
        _ => 0,
    }
}

fn replacement() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::Null,
        json!(true),
        json!(-1),
        json!(""),
        json!("x"),
        json!([]),
        json!({}),
        json!(["aws_api_gateway_resource.a.id"]),
        json!({"references": ["aws_api_gateway_resource.a.id", "var.x"]}),
        json!({"references": ["aws_api_gateway_rest_api.api.root_resource_id"]}),
        json!("aws_api_gateway_rest_api.api"),
        json!([[[[[[[[1]]]]]]]]),
        json!({"address": "module.m[0].aws_api_gateway_method.x[\"k\"]", "mode": "managed", "type": "aws_api_gateway_method", "values": {"http_method": "GET"}}),
    ])
}

#[test]
fn fuzz_terraform_plans() {
    let docs = plans();
    assert!(docs.len() >= 15);
    let n = docs.len();
    fuzz(
        "terraform",
        (
            0..n,
            prop::collection::vec((any::<usize>(), replacement()), 1..6),
            any::<usize>(),
        ),
        |(which, edits, cut)| {
            let mut doc = docs[which].clone();
            for (at, value) in edits {
                let mut i = at % count(&doc);
                replace_nth(&mut doc, &mut i, &value);
            }
            let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            let total = u32::try_from(text.lines().count() + 1).unwrap_or(u32::MAX);
            if let Ok(apis) = terraform::import(&text, "plan.json") {
                for api in &apis {
                    for l in &api.sources {
                        prop_assert!(l.source.line >= 1 && l.source.line <= total);
                    }
                    let _ = rules::check(api, &Default::default(), &rules::Options::default());
                }
            }
            // The text cut anywhere: an error or a (smaller) plan, never a panic.
            let mut at = cut % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let _ = terraform::import(&text[..at], "plan.json");
            Ok(())
        },
    );
}
