//! OpenAPI exports and scenario files: hostile values, structural mutations and text edits.

use super::*;

// ---------------------------------------------------------------------------------------------
// OpenAPI exports and scenario files

pub(super) fn scenario_texts() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .expect("assets/scenarios")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| std::fs::read_to_string(e.path()).expect("scenario"))
        .collect();
    texts.sort();
    texts
}

/// Values that have broken parsers before, or could.
pub(super) fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(vec![
            "",
            "default",
            "*",
            "https://*",
            "http://*",
            "'*'",
            "'https://é.example'",
            "/",
            "/{proxy+}",
            "/{a}/{a}",
            "//",
            "{",
            "$default",
            "ANY",
            "OPTIONS",
            "x-amazon-apigateway-integration",
            "method.response.header.Access-Control-Allow-Origin",
            "integration.response.header.x",
            "mock",
            "MOCK",
            "aws_proxy",
            "http",
            "when_no_match",
            "(\\n|.)+",
            "2\\d{2}",
            "5\\d{2}",
            "{\"statusCode\": 200}",
            "#set($x = 1)",
            "\u{0}",
            "é",
            "\u{202e}",
            "%zz",
            "../..",
            "x-cors-doctor-scenario",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        any::<String>().prop_map(Value::String),
        (1usize..200_000).prop_map(|n| Value::String("a(".repeat(n / 2))),
    ];
    leaf.prop_recursive(4, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((object_key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

pub(super) fn object_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "paths", "openapi", "swagger", "info", "servers", "get", "options", "post",
            "x-amazon-apigateway-any-method", "x-amazon-apigateway-integration", "responses",
            "requestTemplates", "responseParameters", "responseTemplates", "statusCode",
            "selectionPattern", "type", "uri", "httpMethod", "passthroughBehavior", "default",
            "200", "4\\d{2}", "security", "securitySchemes", "components",
            "x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-cors", "allowOrigins",
            "allowMethods", "allowHeaders", "maxAge", "allowCredentials", "x-amazon-apigateway-authorizer",
            "x-amazon-apigateway-api-key-source", "headers", "schema", "parameters", "$ref",
            "x-cors-doctor-scenario", "request", "backend", "origin", "method", "credentials",
            "x-amazon-apigateway-endpoint-configuration", "basePath", "stage", "stages",
            "throttle", "rateLimit", "burstLimit", "x-amazon-apigateway-policy",
        ])
        .prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

#[derive(Clone, Debug)]
pub(super) enum Mutation {
    /// Replace the node reached by the walk with a hostile value.
    Replace(Vec<u16>, Value),
    /// Insert a key into the object reached (or push onto the array).
    Insert(Vec<u16>, String, Value),
    /// Remove the node reached.
    Remove(Vec<u16>),
}

pub(super) fn mutation() -> impl Strategy<Value = Mutation> {
    let walk = prop::collection::vec(any::<u16>(), 0..8);
    prop_oneof![
        (walk.clone(), hostile_value()).prop_map(|(w, v)| Mutation::Replace(w, v)),
        (walk.clone(), object_key(), hostile_value())
            .prop_map(|(w, k, v)| Mutation::Insert(w, k, v)),
        walk.prop_map(Mutation::Remove),
    ]
}

/// The child of `v` chosen by `step`, if `v` has children.
pub(super) fn child(v: &mut Value, step: u16) -> Option<&mut Value> {
    match v {
        Value::Object(m) if !m.is_empty() => {
            let i = usize::from(step) % m.len();
            m.values_mut().nth(i)
        }
        Value::Array(a) if !a.is_empty() => {
            let i = usize::from(step) % a.len();
            a.get_mut(i)
        }
        _ => None,
    }
}

pub(super) fn walk<'a>(mut v: &'a mut Value, path: &[u16]) -> &'a mut Value {
    for step in path {
        if child(v, *step).is_none() {
            break;
        }
        v = child(v, *step).expect("checked");
    }
    v
}

pub(super) fn mutate(doc: &mut Value, m: &Mutation) {
    match m {
        Mutation::Replace(path, value) => *walk(doc, path) = value.clone(),
        Mutation::Insert(path, key, value) => match walk(doc, path) {
            Value::Object(o) => {
                o.insert(key.clone(), value.clone());
            }
            Value::Array(a) => a.push(value.clone()),
            other => *other = json!({ key.clone(): value.clone() }),
        },
        Mutation::Remove(path) => {
            let Some((last, parent_path)) = path.split_last() else {
                return;
            };
            match walk(doc, parent_path) {
                Value::Object(o) if !o.is_empty() => {
                    let i = usize::from(*last) % o.len();
                    if let Some(k) = o.keys().nth(i).cloned() {
                        o.remove(&k);
                    }
                }
                Value::Array(a) if !a.is_empty() => {
                    let i = usize::from(*last) % a.len();
                    a.remove(i);
                }
                _ => {}
            }
        }
    }
}

/// Byte-level damage to a text: truncation, insertion, deletion, replacement.
#[derive(Clone, Debug)]
pub(super) enum TextEdit {
    Truncate(u32),
    Insert(u32, String),
    Delete(u32, u16),
    Flip(u32, u8),
}

pub(super) fn text_edit() -> impl Strategy<Value = TextEdit> {
    prop_oneof![
        any::<u32>().prop_map(TextEdit::Truncate),
        (
            any::<u32>(),
            "[\\[\\]{}\"',=:\\\\\n#.a-z0-9é\u{0}-\u{1f}]{0,8}"
        )
            .prop_map(|(a, s)| TextEdit::Insert(a, s)),
        (any::<u32>(), any::<u16>()).prop_map(|(a, n)| TextEdit::Delete(a, n)),
        (any::<u32>(), any::<u8>()).prop_map(|(a, b)| TextEdit::Flip(a, b)),
    ]
}

pub(super) fn edit_text(text: &str, edits: &[TextEdit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let at = |a: u32, len: usize| if len == 0 { 0 } else { a as usize % (len + 1) };
        match e {
            TextEdit::Truncate(a) => {
                let n = at(*a, bytes.len());
                bytes.truncate(n);
            }
            TextEdit::Insert(a, s) => {
                let n = at(*a, bytes.len());
                bytes.splice(n..n, s.bytes());
            }
            TextEdit::Delete(a, len) => {
                let n = at(*a, bytes.len());
                let end = (n + usize::from(*len % 64)).min(bytes.len());
                bytes.drain(n..end);
            }
            TextEdit::Flip(a, b) => {
                if !bytes.is_empty() {
                    let n = *a as usize % bytes.len();
                    bytes[n] = *b;
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

pub(super) fn request_for(method: &str, path: &str, origin: &str) -> HttpRequest {
    let mut headers = Headers::new()
        .with("origin", origin)
        .with("host", "127.0.0.1");
    if method == "OPTIONS" {
        headers.push("access-control-request-method", "GET");
        headers.push("access-control-request-headers", "authorization,x-api-key");
    }
    HttpRequest {
        method: method.to_string(),
        path_and_query: path.to_string(),
        headers,
        body: Vec::new(),
    }
}

/// An imported API answers a few requests in the simulator (selection patterns, origin
/// matching, mapping expressions all run).
pub(super) fn exercise(
    api: cors_doctor::gateway::Api,
    backend: RouteBackend,
    origin: &str,
    path: &str,
) {
    let stages: Vec<String> = api.stages.iter().map(|s| s.name.clone()).collect();
    let resources: Vec<String> = api
        .resources
        .iter()
        .map(|r| r.path.clone())
        .take(4)
        .collect();
    let handler = cors_doctor::sim::gateway::handler(api, backend);
    let stage = stages.first().cloned().unwrap_or_else(|| "prod".into());
    let mut paths = vec![format!("/{stage}{path}"), path.to_string()];
    paths.extend(resources.iter().map(|r| format!("/{stage}{r}")));
    for p in paths {
        for m in ["OPTIONS", "GET", "POST"] {
            let _ = handler(request_for(m, &p, origin));
        }
    }
}

pub(super) fn origin() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://app.example.com".to_string()),
        "https://[a-zé\u{80}-\u{10ffff}]{0,3}[a-z.:0-9]{0,12}",
        "(https?|ftp)://.{0,20}",
        any::<String>(),
    ]
}

#[test]
pub(super) fn fuzz_openapi_import() {
    let texts = scenario_texts();
    assert!(!texts.is_empty());
    let docs: Vec<Value> = texts
        .iter()
        .map(|t| serde_json::from_str(t).expect("scenario JSON"))
        .collect();
    let n = docs.len();
    fuzz(
        "openapi",
        (
            0..n,
            prop::collection::vec(mutation(), 0..6),
            prop::collection::vec(text_edit(), 0..3),
            origin(),
            "/[a-z{}+%./é]{0,20}",
            any::<bool>(),
        ),
        |(which, mutations, edits, origin, path, as_text)| {
            let mut doc = docs[which].clone();
            for m in &mutations {
                mutate(&mut doc, m);
            }
            let text = serde_json::to_string(&doc).expect("serializes");
            let text = if as_text {
                edit_text(&text, &edits)
            } else {
                text
            };
            // As an export: the scenario's own keys are ignored.
            if let Ok(api) = openapi::import_str(&text) {
                exercise(api, RouteBackend::default(), &origin, &path);
            }
            // As a scenario file.
            if let Ok(scenario) = Scenario::parse("fuzz", &text) {
                let backend = scenario.spec.backend.clone();
                exercise(scenario.api, backend, &origin, &path);
            }
            Ok(())
        },
    );
}

#[test]
pub(super) fn fuzz_openapi_arbitrary_text() {
    fuzz(
        "openapi-text",
        prop_oneof![
            any::<String>(),
            hostile_value().prop_map(|v| v.to_string()),
            (1usize..100_000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        ],
        |text| {
            if let Ok(api) = openapi::import_str(&text) {
                exercise(api, RouteBackend::default(), "https://a.example", "/x");
            }
            let _ = Scenario::parse("fuzz", &text);
            Ok(())
        },
    );
}
