//! `cors-doctor fix` against moto: change sets applied through the SDK (`aws::write`), read
//! back, diagnosed again; the undo file restores the configuration exactly (read back and
//! compared); AccessDenied mid-way (moto_server.py's `cors-doctor-test-deny` tag) stops the
//! apply and leaves an undo file that restores what was done; the guard rails refuse.
//! Apply only ever runs against moto on loopback ([`endpoint`] asserts it).

use super::*;

use cors_doctor::aws::sdk::{Clients, SdkOptions};
use cors_doctor::aws::write::{self, Context, Policy, PrepareError, Proposed, StepState, UndoFile};
use cors_doctor::gateway::change::{Change, ChangeSet, HeaderValue, ResourceRef};
use cors_doctor::gateway::model::CorsConfiguration;
use serde_json::json;

/// The moto endpoint, asserted to be on loopback (apply never runs anywhere else).
fn endpoint() -> Option<String> {
    let (ep, _) = moto()?;
    let host = url::Url::parse(&ep)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    assert!(
        matches!(host.as_deref(), Some("127.0.0.1" | "localhost")),
        "apply runs against loopback only, not {ep}"
    );
    Some(ep)
}

async fn clients(ep: &str) -> Clients {
    aws::seal_env();
    cors_doctor::runner::fix::clients(SdkOptions {
        region: Some(REGION.into()),
        endpoint_url: Some(ep.into()),
        ..SdkOptions::default()
    })
    .await
    .expect("clients for moto")
}

/// A private undo directory per test (XDG_STATE_HOME is process-wide: paths are explicit).
fn undo_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cors-doctor-apply-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(format!("{name}.json"))
}

fn ctx(api_id: &str, stage: &str) -> Context {
    Context {
        api_id: Some(api_id.into()),
        stage: Some(stage.into()),
        policy: Policy {
            origin: "https://app.example.com".into(),
            ..Policy::default()
        },
        force: false,
    }
}

fn hv(name: &str, value: &str) -> HeaderValue {
    HeaderValue {
        name: name.into(),
        value: value.into(),
        exists: false,
    }
}

/// Everything a fix may touch on a REST API, read back through the SDK: each method's
/// authorization, method responses and integration responses, the customized gateway
/// responses, the stage's deployment.
pub(super) async fn rest_snapshot(ep: &str, id: &str, stage: &str) -> Value {
    let c = aws::v1(ep);
    let resources = c
        .get_resources()
        .rest_api_id(id)
        .limit(500)
        .send()
        .await
        .expect("get-resources");
    let mut out = serde_json::Map::new();
    let mut items: Vec<_> = resources.items().to_vec();
    items.sort_by(|a, b| a.path().cmp(&b.path()));
    for r in items {
        let rid = r.id().unwrap_or_default();
        let mut verbs: Vec<String> = r
            .resource_methods()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        verbs.sort();
        for verb in verbs {
            let m = c
                .get_method()
                .rest_api_id(id)
                .resource_id(rid)
                .http_method(&verb)
                .send()
                .await
                .expect("get-method");
            let responses: std::collections::BTreeMap<String, Value> = m
                .method_responses()
                .map(|x| {
                    x.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                json!(v.response_parameters().map(|p| {
                                    p.iter().collect::<std::collections::BTreeMap<_, _>>()
                                })),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let integration = m.method_integration().map(|i| {
                let irs: std::collections::BTreeMap<String, Value> = i
                    .integration_responses()
                    .map(|x| {
                        x.iter()
                            .map(|(k, v)| {
                                (
                                    k.clone(),
                                    json!(v.response_parameters().map(|p| {
                                        p.iter().collect::<std::collections::BTreeMap<_, _>>()
                                    })),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                json!({"type": i.r#type().map(|t| t.as_str().to_string()), "responses": irs})
            });
            out.insert(
                format!("{verb} {}", r.path().unwrap_or_default()),
                json!({
                    "authorizationType": m.authorization_type(),
                    "authorizerId": m.authorizer_id(),
                    "apiKeyRequired": m.api_key_required(),
                    "responses": responses,
                    "integration": integration,
                }),
            );
        }
    }
    let grs = c
        .get_gateway_responses()
        .rest_api_id(id)
        .send()
        .await
        .expect("get-gateway-responses");
    let mut gr = std::collections::BTreeMap::new();
    for g in grs.items() {
        if g.default_response() {
            continue;
        }
        gr.insert(
            g.response_type()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            json!(g
                .response_parameters()
                .map(|p| p.iter().collect::<std::collections::BTreeMap<_, _>>())),
        );
    }
    out.insert("gateway_responses".into(), json!(gr));
    let st = c
        .get_stage()
        .rest_api_id(id)
        .stage_name(stage)
        .send()
        .await
        .expect("get-stage");
    out.insert("deployment".into(), json!(st.deployment_id()));
    Value::Object(out)
}

/// An HTTP API's cors_configuration and routes (key, authorization, target), read back.
pub(super) async fn http_snapshot(ep: &str, id: &str) -> Value {
    let c = aws::v2(ep);
    let api = c.get_api().api_id(id).send().await.expect("get-api");
    let cors = api.cors_configuration().map(|x| {
        json!({
            "origins": x.allow_origins(), "methods": x.allow_methods(), "headers": x.allow_headers(),
            "expose": x.expose_headers(), "max_age": x.max_age(), "credentials": x.allow_credentials(),
        })
    });
    let routes = c.get_routes().api_id(id).send().await.expect("get-routes");
    let mut rs: Vec<Value> = routes
        .items()
        .iter()
        .map(|r| {
            json!({
                "id": r.route_id(), "key": r.route_key(),
                "auth": r.authorization_type().map(|a| a.as_str().to_string()),
                "authorizer": r.authorizer_id(), "target": r.target(),
            })
        })
        .collect();
    rs.sort_by_key(|v| v["key"].as_str().unwrap_or_default().to_string());
    json!({"cors": cors, "routes": rs})
}

/// A REST API created with `tags` (moto keeps the tags given at creation; its TagResource
/// only knows stages): `/orders` with a MOCK `POST`, deployed to `prod`.
async fn tagged_rest(ep: &str, tags: &[(&str, &str)]) -> (String, String) {
    let c = aws::v1(ep);
    let mut b = c.create_rest_api().name("tagged");
    for (k, v) in tags {
        b = b.tags(*k, *v);
    }
    let id = b.send().await.expect("create-rest-api").id.expect("id");
    let root = c
        .get_resources()
        .rest_api_id(&id)
        .send()
        .await
        .expect("get-resources")
        .items()[0]
        .id()
        .expect("root")
        .to_string();
    let rest = aws::Rest {
        c,
        ep: ep.to_string(),
        id: id.clone(),
        root,
    };
    let orders = rest.resource(&rest.root, "orders").await;
    rest.method(&orders, "POST", "NONE", None, &[], &[]).await;
    rest.deploy().await;
    (id, "prod".to_string())
}

fn scenario(name: &str) -> Scenario {
    Scenario::by_name(name).expect("scenario")
}

fn options_missing_set(path: &str, stage: &str) -> ChangeSet {
    let resource = ResourceRef {
        path: path.into(),
        id: None,
        path_known: true,
    };
    let names = [
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
    ];
    ChangeSet {
        api: cors_doctor::gateway::change::ApiRef {
            kind: ApiKind::Rest,
            ..Default::default()
        },
        changes: vec![
            Change::CreateOptionsMethod {
                resource: resource.clone(),
            },
            Change::DeclareResponseHeaders {
                resource: resource.clone(),
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers: names.iter().map(|s| s.to_string()).collect(),
                create: true,
            },
            Change::CreateMockIntegration {
                resource: resource.clone(),
                status: "200".into(),
            },
            Change::MapResponseHeaders {
                resource,
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers: vec![
                    hv(names[0], "https://app.example.com"),
                    hv(names[1], "OPTIONS,GET,POST"),
                    hv(names[2], "Content-Type"),
                ],
                create: true,
            },
            Change::Deploy {
                stage: Some(stage.into()),
            },
        ],
    }
}

fn proposed(set: ChangeSet) -> Vec<Proposed> {
    vec![Proposed {
        finding: Some("TEST".into()),
        set,
    }]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_options_missing_applied_read_back_and_undone_exactly() {
    let Some(ep) = endpoint() else { return };
    let s = scenario("options-missing");
    let id = load(&ep, &s).await;
    let stage = s.spec.stage.clone();
    let req = Request::of(&s);
    let before = rest_snapshot(&ep, &id, &stage).await;
    assert!(codes(&check(&ep, &id, &stage, &req).await).contains(&"OPTIONS_MISSING".to_string()));
    let c = clients(&ep).await;
    let prepared = write::prepare(
        &c,
        &proposed(options_missing_set(&req.path, &stage)),
        &ctx(&id, &stage),
    )
    .await
    .expect("prepared");
    assert_eq!(prepared.steps.len(), 5, "{:#?}", prepared.steps);
    let path = undo_path("options-missing");
    let applied = write::apply(&c, &prepared, Some(path.clone()), |_| {})
        .await
        .expect("undo file written");
    assert!(applied.failed.is_none(), "{:?}", applied.failed);
    let after = check(&ep, &id, &stage, &req).await;
    assert!(
        !problem_codes(&after).contains(&"OPTIONS_MISSING".to_string()),
        "{:?}",
        codes(&after)
    );
    assert_ne!(rest_snapshot(&ep, &id, &stage).await, before);
    // The undo file: 0600, every step done.
    let file = UndoFile::load(&path).expect("undo file");
    assert!(file.steps.iter().all(|s| s.state == StepState::Done));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The same changes again: nothing left to do.
    let again = write::prepare(
        &c,
        &proposed(options_missing_set(&req.path, &stage)),
        &ctx(&id, &stage),
    )
    .await
    .expect("prepared");
    assert!(again.steps.is_empty(), "{:#?}", again.steps);
    drop(file);
    // `cors-doctor fix --undo FILE`: a dry run first (nothing changes), then --yes.
    let changed = rest_snapshot(&ep, &id, &stage).await;
    let file_arg = path.display().to_string();
    let undo_args = [
        "fix",
        "--undo",
        file_arg.as_str(),
        "--endpoint-url",
        ep.as_str(),
    ];
    let out = aws::run_bin(&undo_args, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("Dry run") && stdout.contains("delete-method"),
        "{stdout}"
    );
    assert!(
        stdout.contains("update-stage"),
        "the stage goes back to its deployment: {stdout}"
    );
    assert_eq!(rest_snapshot(&ep, &id, &stage).await, changed);
    let mut yes = undo_args.to_vec();
    yes.push("--yes");
    let out = aws::run_bin(&yes, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Restored"), "{stdout}");
    assert_eq!(rest_snapshot(&ep, &id, &stage).await, before);
    assert!(UndoFile::load(&path).expect("file").undone.is_some());
    // Undone already: refused without --force.
    let out = aws::run_bin(&yes, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already undone"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_mid_way_stops_and_the_undo_file_restores_what_was_done() {
    let Some(ep) = endpoint() else { return };
    let (id, stage) =
        tagged_rest(&ep, &[("cors-doctor-test-deny", "put_integration@OPTIONS")]).await;
    let before = rest_snapshot(&ep, &id, &stage).await;
    let c = clients(&ep).await;
    let prepared = write::prepare(
        &c,
        &proposed(options_missing_set("/orders", &stage)),
        &ctx(&id, &stage),
    )
    .await
    .expect("prepared");
    let path = undo_path("denied");
    let applied = write::apply(&c, &prepared, Some(path.clone()), |_| {})
        .await
        .expect("undo file written");
    let (failed, e) = applied.failed.clone().expect("the apply stops");
    assert!(e.denied, "{e}");
    assert!(failed.contains("put-integration"), "{failed}");
    assert!(e.message.contains("apigateway:PUT"), "{}", e.message);
    assert_eq!(applied.done.len(), 2, "{:?}", applied.done);
    assert_eq!(applied.not_done.len(), 2, "{:?}", applied.not_done);
    let mut file = UndoFile::load(&path).expect("the undo file is left");
    let states: Vec<StepState> = file.steps.iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        vec![
            StepState::Done,
            StepState::Done,
            StepState::Failed,
            StepState::Pending,
            StepState::Pending
        ]
    );
    assert_ne!(rest_snapshot(&ep, &id, &stage).await, before);
    let undone = write::undo(&c, &path, &mut file, |_| {}).await;
    assert!(undone.failed.is_none(), "{:?}", undone.failed);
    assert_eq!(rest_snapshot(&ep, &id, &stage).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_cors_configuration_and_preflight_route_applied_and_undone_exactly() {
    let Some(ep) = endpoint() else { return };
    let s = scenario("http-api-any-proxy-jwt");
    let id = load(&ep, &s).await;
    let stage = s.spec.stage.clone();
    let before = http_snapshot(&ep, &id).await;
    let routes = before["routes"].as_array().cloned().unwrap_or_default();
    let like = routes
        .iter()
        .filter_map(|r| r["key"].as_str())
        .find(|k| !k.starts_with("OPTIONS"))
        .expect("a route")
        .to_string();
    let set = ChangeSet {
        api: cors_doctor::gateway::change::ApiRef {
            kind: ApiKind::Http,
            ..Default::default()
        },
        changes: vec![
            Change::SetCorsConfiguration {
                cors: CorsConfiguration {
                    allow_origins: vec!["https://app.example.com".into()],
                    allow_methods: vec!["GET".into(), "POST".into()],
                    allow_headers: vec!["authorization".into(), "content-type".into()],
                    ..CorsConfiguration::default()
                },
            },
            Change::CreatePreflightRoute {
                route_key: "OPTIONS /{proxy+}".into(),
                integration_id: None,
                like_route: like,
            },
            Change::Deploy {
                stage: Some(stage.clone()),
            },
        ],
    };
    let c = clients(&ep).await;
    let prepared = write::prepare(&c, &proposed(set), &ctx(&id, &stage))
        .await
        .expect("prepared");
    let path = undo_path("http");
    let applied = write::apply(&c, &prepared, Some(path.clone()), |_| {})
        .await
        .expect("undo file");
    assert!(applied.failed.is_none(), "{:?}", applied.failed);
    let mid = http_snapshot(&ep, &id).await;
    assert_eq!(mid["cors"]["origins"], json!(["https://app.example.com"]));
    assert!(mid["routes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| r["key"] == "OPTIONS /{proxy+}" && r["auth"] == "NONE"));
    let mut file = UndoFile::load(&path).expect("undo file");
    let undone = write::undo(&c, &path, &mut file, |_| {}).await;
    assert!(undone.failed.is_none(), "{:?}", undone.failed);
    assert_eq!(http_snapshot(&ep, &id).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guard_rails_refuse_before_any_write() {
    let Some(ep) = endpoint() else { return };
    let c = clients(&ep).await;
    // CloudFormation manages the API: refused without --force, with the drift advice.
    let (id, stage) = tagged_rest(&ep, &[("aws:cloudformation:stack-name", "orders-stack")]).await;
    let before = rest_snapshot(&ep, &id, &stage).await;
    let set = options_missing_set("/orders", &stage);
    match write::prepare(&c, &proposed(set.clone()), &ctx(&id, &stage)).await {
        Err(PrepareError::Managed(why)) => {
            let text = PrepareError::Managed(why).to_string();
            assert!(
                text.contains("orders-stack") && text.contains("drift") && text.contains("--force"),
                "{text}"
            );
        }
        other => panic!("not refused: {other:?}"),
    }
    let mut forced = ctx(&id, &stage);
    forced.force = true;
    let p = write::prepare(&c, &proposed(set.clone()), &forced)
        .await
        .expect("forced");
    assert!(p.managed_by.is_some());
    // Any origin: refused without --allow-any-origin, and with credentials always.
    let mut star = set.clone();
    if let Change::MapResponseHeaders { headers, .. } = &mut star.changes[3] {
        headers[0].value = "*".into();
    }
    let refused = write::prepare(&c, &proposed(star.clone()), &forced).await;
    assert!(
        matches!(&refused, Err(PrepareError::Refused(r)) if r[0].contains("--allow-any-origin")),
        "{refused:?}"
    );
    let mut any = forced.clone();
    any.policy.allow_any_origin = true;
    any.policy.credentials = true;
    let refused = write::prepare(&c, &proposed(star), &any).await;
    assert!(
        matches!(&refused, Err(PrepareError::Refused(r)) if r[0].contains("credentials")),
        "{refused:?}"
    );
    assert_eq!(
        rest_snapshot(&ep, &id, &stage).await,
        before,
        "nothing was written"
    );
    // HTTP: a change that names a non-OPTIONS route by id is refused on what the route is.
    let h = scenario("http-api-any-proxy-jwt");
    let hid = load(&ep, &h).await;
    let hbefore = http_snapshot(&ep, &hid).await;
    let route = hbefore["routes"][0].clone();
    let lie = ChangeSet {
        api: cors_doctor::gateway::change::ApiRef {
            kind: ApiKind::Http,
            ..Default::default()
        },
        changes: vec![Change::RouteAuthorizationOff {
            route_id: route["id"].as_str().map(str::to_string),
            route_key: "OPTIONS /{proxy+}".into(),
        }],
    };
    let refused = write::prepare(&c, &proposed(lie), &ctx(&hid, &h.spec.stage)).await;
    assert!(
        matches!(&refused, Err(PrepareError::Refused(r)) if r[0].contains("not an OPTIONS route")),
        "{refused:?}"
    );
    assert_eq!(http_snapshot(&ep, &hid).await, hbefore);
}

/// HTTP API: an explicit `OPTIONS /items` route behind a JWT authorizer gets its
/// authorization off (and only it: the GET route keeps its authorizer); the undo puts the
/// authorizer back exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_authorized_options_route_opened_and_restored_exactly() {
    let Some(ep) = endpoint() else { return };
    let v2 = aws::v2(&ep);
    let id = v2
        .create_api()
        .name("authorized-options")
        .protocol_type(v2t::ProtocolType::Http)
        .send()
        .await
        .expect("create-api")
        .api_id
        .expect("id");
    let authorizer = v2
        .create_authorizer()
        .api_id(&id)
        .name("jwt")
        .authorizer_type(v2t::AuthorizerType::Jwt)
        .identity_source("$request.header.Authorization")
        .jwt_configuration(
            v2t::JwtConfiguration::builder()
                .issuer("https://issuer.example.com")
                .audience("app")
                .build(),
        )
        .send()
        .await
        .expect("create-authorizer")
        .authorizer_id
        .expect("id");
    for key in ["GET /items", "OPTIONS /items"] {
        v2.create_route()
            .api_id(&id)
            .route_key(key)
            .authorization_type(v2t::AuthorizationType::Jwt)
            .authorizer_id(&authorizer)
            .send()
            .await
            .expect("create-route");
    }
    v2.create_stage()
        .api_id(&id)
        .stage_name("$default")
        .auto_deploy(true)
        .send()
        .await
        .expect("create-stage");
    let before = http_snapshot(&ep, &id).await;
    let set = ChangeSet {
        api: cors_doctor::gateway::change::ApiRef {
            kind: ApiKind::Http,
            ..Default::default()
        },
        changes: vec![
            Change::RouteAuthorizationOff {
                route_id: None,
                route_key: "OPTIONS /items".into(),
            },
            Change::Deploy { stage: None },
        ],
    };
    let c = clients(&ep).await;
    let prepared = write::prepare(&c, &proposed(set), &ctx(&id, "$default"))
        .await
        .expect("prepared");
    assert_eq!(prepared.steps.len(), 1, "auto-deploy: no deployment call");
    assert!(prepared
        .unchanged
        .iter()
        .any(|u| u.contains("automatic deployment")));
    let path = undo_path("http-route");
    let applied = write::apply(&c, &prepared, Some(path.clone()), |_| {})
        .await
        .expect("undo file");
    assert!(applied.failed.is_none(), "{:?}", applied.failed);
    let mid = http_snapshot(&ep, &id).await;
    let auth_of = |snap: &Value, key: &str| {
        snap["routes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["key"] == key)
            .map(|r| r["auth"].clone())
    };
    assert_eq!(auth_of(&mid, "OPTIONS /items"), Some(json!("NONE")));
    assert_eq!(auth_of(&mid, "GET /items"), Some(json!("JWT")));
    let mut file = UndoFile::load(&path).expect("undo file");
    let undone = write::undo(&c, &path, &mut file, |_| {}).await;
    assert!(undone.failed.is_none(), "{:?}", undone.failed);
    assert_eq!(http_snapshot(&ep, &id).await, before);
}
