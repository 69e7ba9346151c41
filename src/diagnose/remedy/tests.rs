//! Unit tests of `remedy`.

use super::*;
use crate::gateway::inspect::CorsHeaderFacts;
use crate::gateway::model::AuthorizationType;

fn ctx() -> FixContext {
    FixContext {
        rest: true,
        api_id: Some("abc123".into()),
        stage: Some("prod".into()),
        resource_path: "/items".into(),
        origin: "https://app.example.com".into(),
        method: "PUT".into(),
        request_headers: vec!["authorization".into(), "content-type".into()],
        resource_path_known: true,
        ..FixContext::default()
    }
}

fn options(headers: &[(&str, bool, Option<&str>)]) -> MethodFacts {
    MethodFacts {
        http_method: "OPTIONS".into(),
        id: None,
        deployed: Some(true),
        deployed_differs: Some(false),
        authorization: AuthorizationType::None,
        authorizer: None,
        authorization_scopes: vec![],
        api_key_required: false,
        integration: Some(crate::gateway::model::IntegrationType::Mock),
        is_proxy: false,
        success_status: Some("200".into()),
        has_integration_response: true,
        cors_headers: headers
            .iter()
            .map(|(n, d, m)| CorsHeaderFacts {
                header: n.to_string(),
                declared: *d,
                mapped: m.map(str::to_string),
                literal_value: m.and_then(literal).map(str::to_string),
            })
            .collect(),
        unevaluable_patterns: vec![],
    }
}

#[test]
fn quoting_survives_bash() {
    assert_eq!(quote("abc123"), "abc123");
    assert_eq!(quote("$default"), "'$default'");
    assert_eq!(quote("*"), "'*'");
    assert_eq!(quote("a b"), "'a b'");
    assert_eq!(quote("it's"), "\"it's\"");
    assert_eq!(quote("it's $x"), "'it'\\''s $x'");
    assert_eq!(quote(r#"{"a":"'b'"}"#), r#""{\"a\":\"'b'\"}""#);
}

#[test]
fn gateway_response_commands_name_the_api_and_never_use_a_wildcard_with_credentials() {
    let mut c = ctx();
    c.credentials = CredentialsMode::Include;
    let cmds = commands(&c.gateway_response_cors("THROTTLED"));
    assert_eq!(cmds.len(), 4);
    assert!(cmds[0].starts_with(
        "aws apigateway put-gateway-response --rest-api-id abc123 --response-type THROTTLED"
    ));
    assert!(cmds[0].contains("Access-Control-Allow-Origin\\\":\\\"'https://app.example.com'"));
    assert!(cmds[0].contains("Allow-Credentials"));
    assert!(cmds.iter().all(|c| !c.contains("'*'")));
    assert_eq!(
        cmds[3],
        "aws apigateway create-deployment --rest-api-id abc123 --stage-name prod"
    );
}

#[test]
fn a_customized_gateway_response_is_patched_and_a_working_one_left_alone() {
    use crate::gateway::inspect::GatewayResponseFact;
    let mut c = ctx();
    c.config_loaded = true;
    c.gateway_responses = Some(GatewayResponseFacts {
        configured: vec![
            GatewayResponseFact {
                response_type: "DEFAULT_4XX".into(),
                status_code: None,
                allow_origin: Some("'*'".into()),
            },
            GatewayResponseFact {
                response_type: "DEFAULT_5XX".into(),
                status_code: None,
                allow_origin: None,
            },
        ],
        default_4xx_allow_origin: Some("'*'".into()),
        default_5xx_allow_origin: None,
    });
    let cmds = commands(&c.gateway_response_cors("THROTTLED"));
    assert_eq!(cmds.len(), 2, "{cmds:#?}");
    assert!(cmds[0].starts_with(
        "aws apigateway update-gateway-response --rest-api-id abc123 --response-type DEFAULT_5XX --patch-operations"
    ));
}

#[test]
fn options_commands_find_the_resource_when_its_id_is_unknown() {
    let cmds = commands(&ctx().add_options_method());
    assert_eq!(
        cmds[0],
        "RESOURCE_ID=$(aws apigateway get-resources --rest-api-id abc123 --query \"items[?path=='/items'].id\" --output text); : \"${RESOURCE_ID:?found no resource /items}\""
    );
    assert!(cmds[1].contains(
        "--resource-id \"$RESOURCE_ID\" --http-method OPTIONS --authorization-type NONE"
    ));
    assert!(cmds.iter().any(|c| c.contains("'PUT,OPTIONS'")));
    assert!(cmds
        .iter()
        .any(|c| c.contains("'authorization,content-type'")));
    assert!(cmds.iter().all(|c| !c.contains('<')));
}

#[test]
fn an_unknown_or_wildcard_api_id_is_looked_up_by_name() {
    let mut c = ctx();
    c.api_id = Some("*".into());
    c.api_name = Some("orders-api".into());
    let cmds = commands(&c.unauthorize_options());
    assert_eq!(
        cmds[0],
        "REST_API_ID=$(aws apigateway get-rest-apis --query \"items[?name=='orders-api'].id\" --output text); : \"${REST_API_ID:?found no REST API named orders-api}\""
    );
    assert!(cmds.iter().skip(1).all(|c| !c.contains('*')), "{cmds:#?}");
    assert!(cmds[2].contains("--rest-api-id \"$REST_API_ID\""));
    c.api_name = None;
    let cmds = commands(&c.unauthorize_options());
    assert!(cmds[0].starts_with(": \"${REST_API_ID:?"), "{cmds:#?}");
}

#[test]
fn unauthorizing_touches_only_options_and_only_what_is_on() {
    let cmds = commands(&ctx().unauthorize_options());
    assert!(cmds
        .iter()
        .all(|c| !c.contains("update-method") || c.contains("--http-method OPTIONS")));
    let mut c = ctx();
    c.resource_id = Some("r1".into());
    c.config_loaded = true;
    let mut o = options(&[]);
    o.api_key_required = true;
    c.options = Some(o);
    let cmds = commands(&c.unauthorize_options());
    assert_eq!(
        cmds[0],
        r#"aws apigateway update-method --rest-api-id abc123 --resource-id r1 --http-method OPTIONS --patch-operations '[{"op":"replace","path":"/apiKeyRequired","value":"false"}]'"#
    );
}

#[test]
fn an_unmapped_origin_is_mapped_quoted_and_working_headers_are_left_alone() {
    let mut c = ctx();
    c.resource_id = Some("r1".into());
    c.config_loaded = true;
    c.options = Some(options(&[
        ("Access-Control-Allow-Origin", true, None),
        (
            "Access-Control-Allow-Methods",
            true,
            Some("'GET,PUT,POST,DELETE,OPTIONS'"),
        ),
        (
            "Access-Control-Allow-Headers",
            true,
            Some("'Content-Type,Authorization,X-Api-Key'"),
        ),
    ]));
    let cmds = commands(&c.fix_options_headers());
    assert_eq!(cmds.len(), 2, "{cmds:#?}");
    assert_eq!(
        cmds[0],
        r#"aws apigateway update-integration-response --rest-api-id abc123 --resource-id r1 --http-method OPTIONS --status-code 200 --patch-operations "[{\"op\":\"add\",\"path\":\"/responseParameters/method.response.header.Access-Control-Allow-Origin\",\"value\":\"'https://app.example.com'\"}]""#
    );
}

#[test]
fn a_narrow_allow_headers_is_widened_not_replaced() {
    let mut c = ctx();
    c.resource_id = Some("r1".into());
    c.config_loaded = true;
    c.options = Some(options(&[
        ("Access-Control-Allow-Origin", true, Some("'*'")),
        (
            "Access-Control-Allow-Methods",
            true,
            Some("'GET,PUT,OPTIONS'"),
        ),
        (
            "Access-Control-Allow-Headers",
            true,
            Some("'Content-Type,X-Amz-Date'"),
        ),
    ]));
    let cmds = commands(&c.fix_options_headers());
    assert_eq!(cmds.len(), 2, "{cmds:#?}");
    assert!(cmds[0].contains(r#"\"op\":\"replace\""#), "{}", cmds[0]);
    assert!(
        cmds[0].contains("'Content-Type,X-Amz-Date,authorization'"),
        "{}",
        cmds[0]
    );
    assert!(!cmds[0].contains("Allow-Methods"));
}

#[test]
fn a_declared_but_absent_method_response_is_created_not_patched() {
    let mut c = ctx();
    c.resource_id = Some("r1".into());
    c.config_loaded = true;
    let mut o = options(&[]);
    o.success_status = None;
    o.has_integration_response = false;
    c.options = Some(o);
    let cmds = commands(&c.fix_options_headers());
    assert!(
        cmds[0].starts_with("aws apigateway put-method-response"),
        "{cmds:#?}"
    );
    assert!(cmds[1].starts_with("aws apigateway put-integration-response"));
    // No OPTIONS method at all: it is created.
    c.options = None;
    let cmds = commands(&c.fix_options_headers());
    assert!(
        cmds[0].starts_with("aws apigateway put-method "),
        "{cmds:#?}"
    );
}

#[test]
fn every_aws_call_names_a_known_region() {
    let mut c = ctx();
    c.region = Some("eu-west-1".into());
    let cmds = commands(&c.add_options_method());
    assert!(
        cmds[0].contains("--output text --region eu-west-1)"),
        "{}",
        cmds[0]
    );
    assert!(
        cmds[1..].iter().all(|c| c.ends_with(" --region eu-west-1")),
        "{cmds:#?}"
    );
    c.region = Some("${AWS::Region}".into());
    assert!(commands(&c.add_options_method())
        .iter()
        .all(|c| !c.contains("--region")));
}

#[test]
fn http_stage_names_are_quoted_and_cors_is_widened() {
    let mut c = ctx();
    c.rest = false;
    c.http = true;
    c.stage = Some("$default".into());
    c.http_cors = Some(CorsConfiguration {
        allow_origins: vec!["https://other.example".into()],
        allow_methods: vec!["GET".into()],
        allow_headers: vec!["x-api-key".into()],
        ..Default::default()
    });
    let cmd = commands(&c.http_cors_configuration()).join("\n");
    assert!(cmd.contains("https://other.example"));
    assert!(cmd.contains("x-api-key"));
    assert!(cmd.ends_with("--stage-name '$default'"), "{cmd}");
}

#[test]
fn an_http_apis_cors_configuration_fixes_the_actual_response_only_where_it_falls_short() {
    let mut c = ctx();
    c.rest = false;
    c.http = true;
    c.method = "GET".into();
    // No CORS configuration: the backend's headers pass, nothing of API Gateway's to change.
    assert!(c.http_actual_cors_configuration().changes.is_empty());
    c.http_cors = Some(CorsConfiguration {
        allow_origins: vec!["https://admin.example.com".into(), c.origin.clone()],
        allow_methods: vec!["GET".into()],
        ..Default::default()
    });
    // The origin is allowed and no credentials are sent: the answer's header comes from
    // elsewhere (CloudFront's cache), no change.
    assert!(c.http_actual_cors_configuration().changes.is_empty());
    // With credentials the configuration must allow them (never with `*`).
    c.credentials = CredentialsMode::Include;
    let set = c.http_actual_cors_configuration();
    let cors = set.changes.iter().find_map(|ch| match ch {
        Change::SetCorsConfiguration { cors } => Some(cors),
        _ => None,
    });
    assert_eq!(
        cors.and_then(|c| c.allow_credentials),
        Some(true),
        "{set:?}"
    );
    assert!(cors.is_some_and(|c| !c.allow_origins.iter().any(|o| o == "*")));
    assert!(cors.is_some_and(|c| c
        .allow_origins
        .contains(&"https://admin.example.com".into())));
    // `*` alone with credentials: the origin replaces it.
    c.http_cors = Some(CorsConfiguration {
        allow_origins: vec!["*".into()],
        allow_credentials: Some(true),
        ..Default::default()
    });
    let set = c.http_actual_cors_configuration();
    assert!(
        matches!(set.changes.first(), Some(Change::SetCorsConfiguration { cors }) if cors.allow_origins == vec![c.origin.clone()]),
        "{set:?}"
    );
}

#[test]
fn cloudfront_calls_name_no_region() {
    use crate::gateway::front::cloudfront::{AllowedMethods, DistributionSetting};
    let mut c = ctx();
    c.region = Some("eu-west-1".into());
    let set = c.change_set(vec![Change::CloudFront {
        distribution_id: "E1".into(),
        setting: DistributionSetting::AllowedMethods {
            methods: AllowedMethods::GetHeadOptions,
        },
    }]);
    let cmds = commands(&set);
    assert_eq!(cmds.len(), 4, "{cmds:#?}");
    assert!(cmds.iter().all(|c| !c.contains("--region")), "{cmds:#?}");
}

/// Runs `command` in bash with `curl` replaced by a function that prints its arguments, one
/// per line (after `bash -n` checks its syntax).
fn curl_args(command: &str) -> Vec<String> {
    use std::process::Command;
    let syntax = Command::new("bash").args(["-n", "-c", command]).output();
    let syntax = syntax.expect("bash runs");
    assert!(syntax.status.success(), "bash -n: {command}");
    let script = format!("curl() {{ printf '%s\\0' \"$@\"; }}\n{command}");
    let out = Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{command}");
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The one curl builder keeps every word whole when pasted into bash, quotes included.
#[test]
fn curl_runs_as_pasted_with_quotes_in_every_word() {
    let url = "https://a.example/it's?q=a&b='$HOME'";
    let headers = [("Authorization", "Bearer it's $x `y` !z"), ("X-Plain", "v")];
    let body = "{\"name\": \"O'Brien\"}\nsecond line";
    let cmd = curl("-i", "PUT", url, headers, Some(body));
    assert_eq!(
        curl_args(&cmd),
        vec![
            "-i",
            "-X",
            "PUT",
            url,
            "-H",
            "Authorization: Bearer it's $x `y` !z",
            "-H",
            "X-Plain: v",
            "--data-raw",
            body,
        ]
    );
    // Step 1's command: method and URL only, on one line.
    let short = curl("-v", "GET", url, [], None);
    assert!(!short.contains('\n'), "{short}");
    assert_eq!(curl_args(&short), vec!["-v", url]);
}

/// Probes only, behind a URL whose path may carry a prefix (`/prod/items` on a loopback copy,
/// a proxy or a custom domain): the lookup asks for the resource path and says which it is
/// likely to be, and names the region like every other call; the block passes `bash -n`.
#[test]
fn without_configuration_the_lookup_asks_for_the_resource_path_not_the_url_path() {
    let c = FixContext {
        api_id: None,
        stage: None,
        resource_path: "/prod/items".into(),
        resource_path_known: false,
        region: Some("eu-west-1".into()),
        ..ctx()
    };
    let cmds = commands(&c.add_options_method());
    let joined = cmds.join("\n");
    assert!(
        joined.contains("set RESOURCE_PATH to the resource path of the API: the URL path without the stage, custom-domain base path or proxy prefix in front of it, /items if /prod is the stage or a base path}"),
        "{joined}"
    );
    assert!(!joined.contains("/prod/items"), "{joined}");
    let lookup = cmds
        .iter()
        .find(|c| c.starts_with("RESOURCE_ID=$(aws apigateway get-resources"))
        .expect("the lookup");
    assert!(lookup.contains("--region eu-west-1"), "{lookup}");
    for cmd in &cmds {
        let syntax = std::process::Command::new("bash")
            .args(["-n", "-c", cmd])
            .output()
            .expect("bash runs");
        assert!(syntax.status.success(), "{cmd}");
    }
    assert_eq!(
        resource_path_hint("/items"),
        "the URL path without the stage, custom-domain base path or proxy prefix in front of it"
    );
}

/// A remedy is data first: the changes name what is created, and the finding carries them
/// beside the commands rendered from them (one source).
#[test]
fn a_remedy_is_a_change_set_and_the_finding_carries_it() {
    use crate::diagnose::findings::{Finding, FindingCode};
    use crate::gateway::change::Change;
    let cs = ctx().add_options_method();
    assert_eq!(cs.api.id.as_deref(), Some("abc123"));
    let kinds: Vec<&str> = cs
        .changes
        .iter()
        .map(|c| match c {
            Change::CreateOptionsMethod { .. } => "method",
            Change::DeclareResponseHeaders { create: true, .. } => "method-response",
            Change::CreateMockIntegration { .. } => "integration",
            Change::MapResponseHeaders { create: true, .. } => "integration-response",
            Change::Deploy { stage } if stage.as_deref() == Some("prod") => "deploy",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "method",
            "method-response",
            "integration",
            "integration-response",
            "deploy"
        ]
    );
    let f = Finding::error(FindingCode::OptionsMissing, "x").fix("add it", cs.clone());
    let rem = f.remediation.expect("a remediation");
    assert_eq!(rem.commands, commands(&cs));
    assert_eq!(rem.change_set.as_ref(), Some(&cs));
    let json = serde_json::to_value(&rem).expect("serializes");
    assert_eq!(
        json["change_set"]["changes"][0]["kind"],
        "create_options_method"
    );
    // Nothing to change: no commands and no change set.
    let none = Finding::error(FindingCode::OptionsMissing, "x").fix("", ChangeSet::default());
    assert!(none
        .remediation
        .is_some_and(|r| r.change_set.is_none() && r.commands.is_empty()));
}

/// The renderer looks up a route it does not know the id of, and deploys an HTTP API with
/// `apigatewayv2`.
#[test]
fn the_renderer_looks_up_an_unknown_route_id() {
    use crate::gateway::change::{ApiRef, Change};
    let cs = ChangeSet {
        api: ApiRef {
            kind: ApiKind::Http,
            id: Some("h1".into()),
            ..ApiRef::default()
        },
        changes: vec![
            Change::RouteAuthorizationOff {
                route_id: None,
                route_key: "OPTIONS /items".into(),
            },
            Change::Deploy { stage: None },
        ],
    };
    let cmds = commands(&cs);
    assert!(
        cmds[0].starts_with("ROUTE_ID=$(aws apigatewayv2 get-routes --api-id h1 --query"),
        "{cmds:#?}"
    );
    assert!(cmds.iter().any(|c| c.starts_with(": \"${STAGE:?")));
    assert!(cmds.iter().any(|c| c == "aws apigatewayv2 update-route --api-id h1 --route-id \"$ROUTE_ID\" --authorization-type NONE"));
    assert!(cmds
        .iter()
        .any(|c| c == "aws apigatewayv2 create-deployment --api-id h1 --stage-name \"$STAGE\""));
    for cmd in &cmds {
        let ok = std::process::Command::new("bash")
            .args(["-n", "-c", cmd])
            .status();
        assert!(ok.is_ok_and(|s| s.success()), "{cmd}");
    }
}
