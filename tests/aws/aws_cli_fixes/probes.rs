//! The failure classes, probes only (ids unknown): fixes built from what the probes saw run against
//! an API of the same shape in moto.

use super::*;

// ---------------------------------------------------------------------------------------------
// The failure classes, probes only (ids unknown): fixes built from what the probes saw

pub(super) const ORIGIN: &str = "https://app.example.com";
pub(super) const BEARER: &str =
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

/// An OpenAPI export of a REST API with `/items` (PUT and GET through MOCK) plus `options`
/// (an OPTIONS operation object, or nothing) and `gateway_responses`.
pub(super) fn items_api(name: &str, options: Option<Value>, extra_schemes: Value) -> Api {
    let mock_method = serde_json::json!({
        "responses": {"200": {"description": "ok", "headers": {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}}},
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
            "responses": {"default": {"statusCode": "200", "responseParameters": {
                "method.response.header.Access-Control-Allow-Origin": format!("'{ORIGIN}'")}}}
        }
    });
    let mut item = serde_json::json!({"get": mock_method.clone(), "put": mock_method});
    if let Some(o) = options {
        item["options"] = o;
    }
    let doc = serde_json::json!({
        "openapi": "3.0.1",
        "info": {"title": name, "version": "1"},
        "paths": {"/items": item},
        "components": {"securitySchemes": extra_schemes}
    });
    cors_doctor::gateway::openapi::import(&doc).expect("the test API imports")
}

/// An OPTIONS MOCK operation that maps `mapped` (header → value, unquoted) and declares them.
pub(super) fn options_op(mapped: &[(&str, &str)], security: Option<Value>, api_key: bool) -> Value {
    let headers: serde_json::Map<String, Value> = mapped
        .iter()
        .map(|(h, _)| {
            (
                h.to_string(),
                serde_json::json!({"schema": {"type": "string"}}),
            )
        })
        .collect();
    let params: serde_json::Map<String, Value> = mapped
        .iter()
        .map(|(h, v)| {
            (
                format!("method.response.header.{h}"),
                Value::String(format!("'{v}'")),
            )
        })
        .collect();
    let mut op = serde_json::json!({
        "responses": {"200": {"description": "ok", "headers": headers}},
        "x-amazon-apigateway-integration": {
            "type": "mock",
            "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
            "responses": {"default": {"statusCode": "200", "responseParameters": params}}
        }
    });
    let mut sec = Vec::new();
    if let Some(s) = security {
        sec.push(s);
    }
    if api_key {
        sec.push(serde_json::json!({"api_key": []}));
    }
    if !sec.is_empty() {
        op["security"] = Value::Array(sec);
    }
    op
}

pub(super) struct ProbeCase {
    name: &'static str,
    gateway: common::FakeGateway,
    /// The API in moto that answers as `gateway` does.
    api: Api,
    /// The finding whose fix is run; the configuration-based codes that must be gone after.
    code: &'static str,
    gone: Vec<&'static str>,
    /// `-X`, `--credentials` and headers other than Authorization.
    method: &'static str,
    credentials: &'static str,
}

pub(super) fn probe_cases(tag: &str) -> Vec<ProbeCase> {
    use common::Canned;
    let ok_actual = || {
        Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .h("Vary", "Origin")
    };
    let token = serde_json::json!({"tok": {
        "type": "apiKey", "name": "Authorization", "in": "header",
        "x-amazon-apigateway-authtype": "custom",
        "x-amazon-apigateway-authorizer": {"type": "token",
            "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"}
    }, "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}});
    let full = [
        ("Access-Control-Allow-Origin", ORIGIN),
        ("Access-Control-Allow-Methods", "GET,PUT,OPTIONS"),
        ("Access-Control-Allow-Headers", "authorization,content-type"),
    ];
    let name = |n: &str| format!("probe-{n}-{tag}");
    vec![
        ProbeCase {
            name: "OPTIONS missing",
            gateway: common::FakeGateway {
                preflight: Canned::gateway(
                    403,
                    "MissingAuthenticationTokenException",
                    "Missing Authentication Token",
                ),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(&name("missing"), None, serde_json::json!({})),
            code: "OPTIONS_MISSING",
            gone: vec!["OPTIONS_MISSING"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "authorizer on OPTIONS",
            gateway: common::FakeGateway {
                preflight: Canned::gateway(401, "UnauthorizedException", "Unauthorized"),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("authorizer"),
                Some(options_op(
                    &full,
                    Some(serde_json::json!({"tok": []})),
                    false,
                )),
                token.clone(),
            ),
            code: "OPTIONS_AUTHORIZED",
            gone: vec!["OPTIONS_AUTHORIZED"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "API key on OPTIONS",
            gateway: common::FakeGateway {
                preflight: Canned::gateway(403, "ForbiddenException", "Forbidden"),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("api-key"),
                Some(options_op(&full, None, true)),
                token.clone(),
            ),
            code: "OPTIONS_API_KEY_REQUIRED",
            gone: vec!["OPTIONS_API_KEY_REQUIRED"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "OPTIONS without mapped CORS headers",
            gateway: common::FakeGateway {
                preflight: Canned::integration(200),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("unmapped"),
                Some(options_op(&[], None, false)),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec![
                "PREFLIGHT_CORS_HEADERS",
                "HEADER_NOT_MAPPED",
                "HEADER_NOT_DECLARED",
            ],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "Allow-Headers lacks Authorization",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(ORIGIN, "GET,OPTIONS", "content-type,x-api-key"),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("narrow-headers"),
                Some(options_op(
                    &[
                        ("Access-Control-Allow-Origin", ORIGIN),
                        ("Access-Control-Allow-Methods", "GET,OPTIONS"),
                        ("Access-Control-Allow-Headers", "content-type,x-api-key"),
                    ],
                    None,
                    false,
                )),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec!["PREFLIGHT_CORS_HEADERS"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "429 throttling without CORS headers",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(
                    ORIGIN,
                    "GET,PUT,OPTIONS",
                    "authorization,content-type",
                ),
                actual: Canned::gateway(429, "TooManyRequestsException", "Too Many Requests"),
                bare: None,
            },
            api: items_api(
                &name("throttled"),
                Some(options_op(&full, None, false)),
                serde_json::json!({}),
            ),
            code: "GATEWAY_RESPONSE_NO_CORS",
            gone: vec!["GATEWAY_RESPONSES_UNCONFIGURED"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "method not allowed",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(
                    ORIGIN,
                    "GET,POST,OPTIONS",
                    "authorization,content-type",
                ),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("narrow-methods"),
                Some(options_op(
                    &[
                        ("Access-Control-Allow-Origin", ORIGIN),
                        ("Access-Control-Allow-Methods", "GET,POST,OPTIONS"),
                        ("Access-Control-Allow-Headers", "authorization,content-type"),
                    ],
                    None,
                    false,
                )),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec!["PREFLIGHT_CORS_HEADERS"],
            method: "PUT",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "Allow-Origin with a trailing slash",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(
                    "https://app.example.com/",
                    "GET,OPTIONS",
                    "authorization",
                ),
                actual: ok_actual(),
                bare: None,
            },
            api: items_api(
                &name("trailing-slash"),
                Some(options_op(
                    &[
                        ("Access-Control-Allow-Origin", "https://app.example.com/"),
                        ("Access-Control-Allow-Methods", "GET,OPTIONS"),
                        ("Access-Control-Allow-Headers", "authorization"),
                    ],
                    None,
                    false,
                )),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec!["PREFLIGHT_CORS_HEADERS"],
            method: "GET",
            credentials: "same-origin",
        },
        ProbeCase {
            name: "wildcard with credentials",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight("*", "GET,OPTIONS", "authorization")
                    .h("Access-Control-Allow-Credentials", "true"),
                actual: ok_actual().h("Access-Control-Allow-Credentials", "true"),
                bare: None,
            },
            api: items_api(
                &name("wildcard-credentials"),
                Some(options_op(
                    &[
                        ("Access-Control-Allow-Origin", "*"),
                        ("Access-Control-Allow-Methods", "GET,OPTIONS"),
                        ("Access-Control-Allow-Headers", "authorization"),
                        ("Access-Control-Allow-Credentials", "true"),
                    ],
                    None,
                    false,
                )),
                serde_json::json!({}),
            ),
            code: "PREFLIGHT_CORS_HEADERS",
            gone: vec!["PREFLIGHT_CORS_HEADERS"],
            method: "GET",
            credentials: "include",
        },
        ProbeCase {
            name: "403 gateway error without CORS headers",
            gateway: common::FakeGateway {
                preflight: Canned::good_preflight(
                    ORIGIN,
                    "GET,PUT,OPTIONS",
                    "authorization,content-type",
                ),
                actual: Canned::gateway(403, "ForbiddenException", "Forbidden"),
                bare: None,
            },
            api: items_api(
                &name("forbidden"),
                Some(options_op(&full, None, false)),
                serde_json::json!({}),
            ),
            code: "GATEWAY_RESPONSE_NO_CORS",
            gone: vec!["GATEWAY_RESPONSES_UNCONFIGURED"],
            method: "GET",
            credentials: "same-origin",
        },
    ]
}

/// Each failure class through the binary, probes only: the fix (lookups and shell variables:
/// the probes know no id) runs against an API of the same shape in moto, the way a user runs
/// it (with REST_API_ID and STAGE exported, as the commands ask); the configuration read back
/// no longer has the cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn failure_class_fixes_from_probes_run_against_the_same_api_in_moto() {
    let Some((ep, cli)) = moto() else { return };
    aws::seal_env();
    let tag = format!("{}", std::process::id());
    let mut problems = Vec::new();
    for case in probe_cases(&tag) {
        let id = load_rest(&ep, &case.api, "prod", &[]).await;
        let server = case.gateway.start(std::time::Duration::ZERO).await;
        // A custom domain without a base path: the URL path is the resource path, which the
        // user names (RESOURCE_PATH) since nothing tells the tool there is no prefix.
        let url = format!("{}/items", server.base_url());
        let (_, report, raw) = common::check_json(&[
            url.as_str(),
            "--origin",
            ORIGIN,
            "-H",
            BEARER,
            "-X",
            case.method,
            "--credentials",
            case.credentials,
            "--no-aws",
        ])
        .await;
        server.shutdown().await;
        let Some(cmds) = finding_commands(&report, case.code) else {
            problems.push(format!("{}: no {} fix: {raw}", case.name, case.code));
            continue;
        };
        let lint = lint_commands(&cmds);
        if !lint.is_empty() {
            problems.push(format!("{}: {lint:?}", case.name));
            continue;
        }
        let joined = cmds.join("\n");
        if let Err(e) = aws::run_commands(
            &ep,
            &cli,
            &cmds,
            &[
                ("REST_API_ID", &id),
                ("STAGE", "prod"),
                ("RESOURCE_PATH", "/items"),
            ],
        )
        .await
        {
            problems.push(format!("{}: the fix fails:\n{joined}\n---\n{e}", case.name));
            continue;
        }
        let req = Request {
            path: "/items".into(),
            method: case.method.into(),
            headers: vec![BEARER.into()],
            credentials: case.credentials.into(),
            origin: ORIGIN.into(),
        };
        let after = check(&ep, &id, "prod", &req).await;
        let left: Vec<String> = codes(&after)
            .into_iter()
            .filter(|c| case.gone.contains(&c.as_str()))
            .collect();
        if !left.is_empty() {
            problems.push(format!("{}: still {left:?} after\n{joined}", case.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
