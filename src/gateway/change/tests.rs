//! Unit tests of `apply`: one per change kind, and the all-or-nothing rule.

use super::*;
use crate::gateway::model::{
    Api, AuthorizationType, Deployment, GatewayResponse, Integration, IntegrationResponse,
    IntegrationType, Method, MethodResponse, Resource, Stage, DEFAULT_ROUTE,
};

fn rest() -> Api {
    let mut integration = Integration::new(IntegrationType::Mock);
    integration.responses.push(IntegrationResponse {
        selection_pattern: "default".into(),
        status_code: "200".into(),
        ..Default::default()
    });
    Api {
        kind: ApiKind::Rest,
        resources: vec![Resource {
            path: "/items".into(),
            id: Some("r1".into()),
            methods: vec![Method {
                http_method: "GET".into(),
                authorization: AuthorizationType::AwsIam,
                responses: vec![MethodResponse {
                    status_code: "200".into(),
                    ..Default::default()
                }],
                integration: Some(integration),
                ..Default::default()
            }],
            ..Default::default()
        }],
        stages: vec![Stage {
            name: "prod".into(),
            deployment_id: Some("d0".into()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn items() -> ResourceRef {
    ResourceRef {
        path: "/items".into(),
        id: None,
        path_known: true,
    }
}

fn set(kind: ApiKind, changes: Vec<Change>) -> ChangeSet {
    ChangeSet {
        api: ApiRef {
            kind,
            ..ApiRef::default()
        },
        changes,
    }
}

fn hv(name: &str, value: &str, exists: bool) -> HeaderValue {
    HeaderValue {
        name: name.into(),
        value: value.into(),
        exists,
    }
}

fn options_of(api: &Api) -> &Method {
    api.resource("/items")
        .and_then(|r| r.method("OPTIONS"))
        .expect("OPTIONS")
}

/// The console's "Enable CORS": method, method response, MOCK integration, integration
/// response, deployment.
#[test]
fn an_options_method_is_created_part_by_part_and_deployed() {
    let mut api = rest();
    let cs = set(
        ApiKind::Rest,
        vec![
            Change::CreateOptionsMethod { resource: items() },
            Change::DeclareResponseHeaders {
                resource: items(),
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers: vec!["Access-Control-Allow-Origin".into()],
                create: true,
            },
            Change::CreateMockIntegration {
                resource: items(),
                status: "200".into(),
            },
            Change::MapResponseHeaders {
                resource: items(),
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers: vec![hv(
                    "Access-Control-Allow-Origin",
                    "https://a.example",
                    false,
                )],
                create: true,
            },
            Change::Deploy {
                stage: Some("prod".into()),
            },
        ],
    );
    apply(&mut api, &cs).expect("applies");
    let o = options_of(&api);
    assert_eq!(o.authorization, AuthorizationType::None);
    assert!(!o.api_key_required);
    assert!(o
        .response("200")
        .is_some_and(|r| r.declares("access-control-allow-origin")));
    let i = o.integration.as_ref().expect("integration");
    assert_eq!(i.kind, IntegrationType::Mock);
    assert_eq!(
        i.request_templates.get("application/json"),
        Some(&Some("{\"statusCode\": 200}".to_string()))
    );
    assert_eq!(
        i.responses[0].mapped_header("Access-Control-Allow-Origin"),
        Some("'https://a.example'")
    );
    // The stage serves a new deployment holding the method.
    let served = api.served(Some("prod"));
    assert!(served.from_snapshot);
    assert!(served
        .resource("/items")
        .is_some_and(|r| r.method("OPTIONS").is_some()));
    // put-method on an existing method is a conflict, as in API Gateway.
    let again = set(
        ApiKind::Rest,
        vec![Change::CreateOptionsMethod { resource: items() }],
    );
    let err = apply(&mut api, &again).expect_err("conflict");
    assert_eq!(err.kind, "create_options_method");
}

#[test]
fn authorization_goes_off_options_only_and_only_the_flags_asked() {
    let mut api = rest();
    api.resources[0].methods.push(Method {
        http_method: "OPTIONS".into(),
        authorization: AuthorizationType::CognitoUserPools,
        authorizer: Some("pool".into()),
        authorization_scopes: vec!["s".into()],
        api_key_required: true,
        ..Default::default()
    });
    let cs = set(
        ApiKind::Rest,
        vec![Change::OptionsAuthorizationOff {
            resource: items(),
            authorization: true,
            api_key: false,
        }],
    );
    apply(&mut api, &cs).expect("applies");
    let o = options_of(&api);
    assert_eq!(o.authorization, AuthorizationType::None);
    assert!(o.authorizer.is_none() && o.authorization_scopes.is_empty());
    assert!(o.api_key_required, "only the flags asked");
    // GET keeps its authorization.
    assert_eq!(
        api.resources[0].method("GET").map(|m| m.authorization),
        Some(AuthorizationType::AwsIam)
    );
}

#[test]
fn headers_are_declared_then_mapped_with_replace_keeping_other_mappings() {
    let mut api = rest();
    let get = &mut api.resources[0].methods[0];
    get.integration.as_mut().expect("integration").responses[0]
        .response_parameters
        .insert(
            "method.response.header.access-control-allow-origin".into(),
            "'https://old.example'".into(),
        );
    get.integration.as_mut().expect("integration").responses[0]
        .response_parameters
        .insert("method.response.header.X-Keep".into(), "'k'".into());
    // Mapping before declaring is refused, as API Gateway refuses it.
    let map = Change::MapResponseHeaders {
        resource: items(),
        http_method: "GET".into(),
        status: "200".into(),
        headers: vec![hv("Access-Control-Allow-Origin", "https://a.example", true)],
        create: false,
    };
    let before = api.clone();
    let err = apply(&mut api, &set(ApiKind::Rest, vec![map.clone()])).expect_err("undeclared");
    assert!(err.message.contains("does not declare"), "{err}");
    assert_eq!(api, before, "nothing applied");
    let declare = Change::DeclareResponseHeaders {
        resource: items(),
        http_method: "GET".into(),
        status: "200".into(),
        headers: vec!["Access-Control-Allow-Origin".into()],
        create: false,
    };
    apply(&mut api, &set(ApiKind::Rest, vec![declare, map])).expect("applies");
    let ir = &api.resources[0].methods[0]
        .integration
        .as_ref()
        .expect("integration")
        .responses[0];
    assert_eq!(
        ir.mapped_header("Access-Control-Allow-Origin"),
        Some("'https://a.example'")
    );
    assert_eq!(
        ir.response_parameters.len(),
        2,
        "X-Keep stays, one origin key"
    );
}

#[test]
fn an_update_of_a_missing_part_fails_and_leaves_the_model_alone() {
    let mut api = rest();
    let before = api.clone();
    let cs = set(
        ApiKind::Rest,
        vec![
            Change::Deploy { stage: None },
            Change::DeclareResponseHeaders {
                resource: items(),
                http_method: "GET".into(),
                status: "404".into(),
                headers: vec!["Access-Control-Allow-Origin".into()],
                create: false,
            },
        ],
    );
    let err = apply(&mut api, &cs).expect_err("no 404 response");
    assert_eq!(err.index, 1);
    assert_eq!(api, before);
}

#[test]
fn gateway_responses_are_put_or_patched() {
    let mut api = rest();
    api.gateway_responses.push(GatewayResponse {
        response_type: "DEFAULT_5XX".into(),
        status_code: Some("503".into()),
        ..Default::default()
    });
    let cs = set(
        ApiKind::Rest,
        vec![
            Change::GatewayResponseHeaders {
                response_type: "DEFAULT_4XX".into(),
                headers: vec![hv(
                    "Access-Control-Allow-Origin",
                    "https://a.example",
                    false,
                )],
                create: true,
            },
            Change::GatewayResponseHeaders {
                response_type: "DEFAULT_5XX".into(),
                headers: vec![hv(
                    "Access-Control-Allow-Origin",
                    "https://a.example",
                    false,
                )],
                create: false,
            },
        ],
    );
    apply(&mut api, &cs).expect("applies");
    let g = |t: &str| {
        api.gateway_responses
            .iter()
            .find(|g| g.response_type == t)
            .expect("customized")
    };
    assert_eq!(
        g("DEFAULT_4XX").header_expression("Access-Control-Allow-Origin"),
        Some("'https://a.example'")
    );
    assert_eq!(
        g("DEFAULT_5XX").status_code.as_deref(),
        Some("503"),
        "patched, not put"
    );
    let err = apply(
        &mut api,
        &set(
            ApiKind::Rest,
            vec![Change::GatewayResponseHeaders {
                response_type: "UNAUTHORIZED".into(),
                headers: vec![],
                create: false,
            }],
        ),
    )
    .expect_err("not customized");
    assert!(err.message.contains("not customized"));
}

fn http() -> Api {
    let mut integration = Integration::new(IntegrationType::AwsProxy);
    integration.id = Some("i1".into());
    Api {
        kind: ApiKind::Http,
        resources: vec![Resource {
            path: DEFAULT_ROUTE.into(),
            methods: vec![Method {
                http_method: "ANY".into(),
                id: Some("rt1".into()),
                authorization: AuthorizationType::Jwt,
                authorizer: Some("jwt".into()),
                integration: Some(integration),
                ..Default::default()
            }],
            ..Default::default()
        }],
        stages: vec![Stage {
            name: "$default".into(),
            auto_deploy: true,
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn an_http_preflight_route_takes_the_catch_all_integration_without_authorization() {
    let mut api = http();
    let cs = set(
        ApiKind::Http,
        vec![
            Change::CreatePreflightRoute {
                route_key: "OPTIONS /{proxy+}".into(),
                integration_id: None,
                like_route: "$default".into(),
            },
            Change::SetCorsConfiguration {
                cors: CorsConfiguration {
                    allow_origins: vec!["https://a.example".into()],
                    ..Default::default()
                },
            },
            Change::Deploy {
                stage: Some("$default".into()),
            },
        ],
    );
    apply(&mut api, &cs).expect("applies");
    let o = api
        .resource("/{proxy+}")
        .and_then(|r| r.method("OPTIONS"))
        .expect("route");
    assert_eq!(o.authorization, AuthorizationType::None);
    assert_eq!(
        o.integration.as_ref().and_then(|i| i.id.as_deref()),
        Some("i1")
    );
    assert!(api
        .cors
        .as_ref()
        .is_some_and(|c| c.allows_origin("https://a.example")));
    // The catch-all keeps its authorizer.
    assert_eq!(
        api.resource(DEFAULT_ROUTE)
            .and_then(|r| r.method("ANY"))
            .map(|m| m.authorization),
        Some(AuthorizationType::Jwt)
    );
    // A REST change on an HTTP API is refused.
    let err = apply(
        &mut api,
        &set(
            ApiKind::Http,
            vec![Change::CreateOptionsMethod { resource: items() }],
        ),
    )
    .expect_err("kind");
    assert!(err.message.contains("REST"), "{err}");
}

#[test]
fn route_authorization_goes_off_an_options_route_only() {
    let mut api = http();
    api.resources.push(Resource {
        path: "/items".into(),
        methods: vec![Method {
            http_method: "OPTIONS".into(),
            id: Some("rt2".into()),
            authorization: AuthorizationType::Jwt,
            ..Default::default()
        }],
        ..Default::default()
    });
    let off = |id: &str, key: &str| {
        set(
            ApiKind::Http,
            vec![Change::RouteAuthorizationOff {
                route_id: Some(id.into()),
                route_key: key.into(),
            }],
        )
    };
    // The catch-all's id under an OPTIONS key: refused, its authorization stays.
    assert!(apply(&mut api, &off("rt1", "OPTIONS /items")).is_err());
    assert!(apply(&mut api, &off("rt1", "$default")).is_err());
    apply(&mut api, &off("rt2", "OPTIONS /items")).expect("applies");
    assert_eq!(
        api.resource("/items")
            .and_then(|r| r.method("OPTIONS"))
            .map(|m| m.authorization),
        Some(AuthorizationType::None)
    );
}

#[test]
fn deploy_without_a_stage_name_deploys_every_stage() {
    let mut api = rest();
    api.stages.push(Stage {
        name: "dev".into(),
        ..Default::default()
    });
    api.deployments.push(Deployment {
        id: "d0".into(),
        description: None,
        snapshot: Some(crate::gateway::model::ApiSnapshot::default()),
        redeployed_on_change: None,
    });
    apply(
        &mut api,
        &set(ApiKind::Rest, vec![Change::Deploy { stage: None }]),
    )
    .expect("applies");
    assert!(api.stages.iter().all(|s| s
        .deployment_id
        .as_deref()
        .is_some_and(|d| d.starts_with("preview-"))));
    assert_eq!(api.served(Some("prod")).resources.len(), 1);
}
