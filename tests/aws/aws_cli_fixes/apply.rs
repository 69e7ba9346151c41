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

/// `cors-doctor fix` for a scenario loaded into moto, with `extra` flags: (exit code, stdout,
/// stderr).
async fn fix_bin(
    ep: &str,
    api_id: &str,
    stage: &str,
    req: &Request,
    extra: &[&str],
    state: &std::path::Path,
) -> (Option<i32>, String, String) {
    let mut args: Vec<String> = vec![
        "fix".into(),
        "--api-id".into(),
        api_id.into(),
        "--stage".into(),
        stage.into(),
        "--path".into(),
        req.path.clone(),
        "-X".into(),
        req.method.clone(),
        "--origin".into(),
        req.origin.clone(),
        "--credentials".into(),
        req.credentials.clone(),
        "--region".into(),
        REGION.into(),
        "--endpoint-url".into(),
        ep.into(),
        "--wait".into(),
        "5".into(),
    ];
    for h in &req.headers {
        args.push("-H".into());
        args.push(h.clone());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let state = state.display().to_string();
    let out = aws::run_bin(&refs, &[("XDG_STATE_HOME", state.as_str())]).await;
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// The codes of the findings whose remediation carries a change set.
fn changeable(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["findings"].as_array().into_iter().flatten())
        .filter(|f| f["remediation"]["change_set"].is_object())
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

fn snapshot_of<'a>(
    ep: &'a str,
    s: &'a Scenario,
    id: &'a str,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Value> + 'a>> {
    Box::pin(async move {
        match s.api.kind {
            ApiKind::Rest => rest_snapshot(ep, id, &s.spec.stage).await,
            ApiKind::Http => http_snapshot(ep, id).await,
        }
    })
}

/// Every scenario in assets/scenarios that moto can hold: `fix` (dry run) changes nothing and
/// names the calls; `fix --yes` applies them, and the diagnosis read back from moto passes
/// (the browser's verdict is allowed); `fix --undo FILE --yes` restores the configuration
/// exactly (read back and compared).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_fixed_by_fix_yes_and_restored_by_undo() {
    let Some(ep) = endpoint() else { return };
    aws::seal_env();
    let scenarios = Scenario::all().expect("scenarios load");
    let state = std::env::temp_dir().join(format!("cors-doctor-fix-{}", std::process::id()));
    let mut problems = Vec::new();
    let mut fixed = Vec::new();
    for s in &scenarios {
        let id = load(&ep, s).await;
        let stage = s.spec.stage.clone();
        let req = Request::of(s);
        let before_report = check(&ep, &id, &stage, &req).await;
        let fixable = changeable(&before_report);
        let before = snapshot_of(&ep, s, &id).await;
        let (code, out, err) = fix_bin(&ep, &id, &stage, &req, &[], &state).await;
        if fixable.is_empty() {
            if before_report["browser"]["outcome"] != "allowed" {
                problems.push(format!(
                    "{}: blocked, and no finding proposes a change",
                    s.name
                ));
            } else if code != Some(0) || !out.contains("Nothing to fix") {
                problems.push(format!(
                    "{}: healthy, but fix says ({code:?}):\n{out}{err}",
                    s.name
                ));
            }
            continue;
        }
        if code != Some(0)
            || !out.contains("Dry run")
            || !out.contains("Before → after (predicted)")
            || !out.contains("IAM permissions needed")
        {
            problems.push(format!("{}: dry run ({code:?}):\n{out}{err}", s.name));
            continue;
        }
        assert_eq!(
            snapshot_of(&ep, s, &id).await,
            before,
            "{}: the dry run wrote",
            s.name
        );
        let (code, out, err) = fix_bin(&ep, &id, &stage, &req, &["--yes"], &state).await;
        let after = check(&ep, &id, &stage, &req).await;
        let left: Vec<String> = problem_codes(&after)
            .into_iter()
            .filter(|c| fixable.contains(c))
            .collect();
        if code != Some(0) || after["browser"]["outcome"] != "allowed" || !left.is_empty() {
            problems.push(format!(
                "{}: fix --yes ({code:?}) leaves {} / {left:?}:\n{out}{err}",
                s.name, after["browser"]["outcome"],
            ));
        }
        let Some(file) = out.lines().find_map(|l| {
            l.split_once("Undo file: ")
                .map(|(_, f)| f.trim().to_string())
        }) else {
            problems.push(format!("{}: no undo file named:\n{out}{err}", s.name));
            continue;
        };
        assert!(file.starts_with(&state.display().to_string()), "{file}");
        let undo = [
            "fix",
            "--undo",
            file.as_str(),
            "--endpoint-url",
            ep.as_str(),
            "--yes",
        ];
        let o = aws::run_bin(&undo, &[]).await;
        if o.status.code() != Some(0) {
            problems.push(format!(
                "{}: undo failed: {}{}",
                s.name,
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        let restored = snapshot_of(&ep, s, &id).await;
        if restored != before {
            problems.push(format!(
                "{}: the undo does not restore the configuration:\nbefore {before:#}\nafter  {restored:#}",
                s.name
            ));
            continue;
        }
        fixed.push(s.name.clone());
    }
    let _ = std::fs::remove_dir_all(&state);
    eprintln!("fixed and restored: {fixed:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(fixed.len() >= 12, "only {fixed:?}");
}

/// The calls `fix`'s dry run prints are commands a user may paste: each one, run through the
/// real `aws` CLI against a fresh copy of every fixable scenario in moto, makes the diagnosis
/// read back pass, as `--yes` does through the SDK.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dry_runs_printed_calls_run_through_the_aws_cli_and_fix_the_api() {
    let Some(ep) = endpoint() else { return };
    aws::seal_env();
    let cli = aws::aws_cli_path();
    let state = std::env::temp_dir().join(format!("cors-doctor-dry-{}", std::process::id()));
    let mut problems = Vec::new();
    let mut ran = Vec::new();
    for s in &Scenario::all().expect("scenarios load") {
        let id = load(&ep, s).await;
        let stage = s.spec.stage.clone();
        let req = Request::of(s);
        let fixable = changeable(&check(&ep, &id, &stage, &req).await);
        if fixable.is_empty() {
            continue;
        }
        let (code, out, err) = fix_bin(&ep, &id, &stage, &req, &[], &state).await;
        // `  3. [OPTIONS_MISSING] aws apigateway put-method …`
        let commands: Vec<String> = out
            .lines()
            .filter_map(|l| l.trim_start().split_once("] aws "))
            .map(|(_, c)| format!("aws {c}"))
            .collect();
        if code != Some(0) || commands.is_empty() {
            problems.push(format!("{}: dry run ({code:?}):\n{out}{err}", s.name));
            continue;
        }
        if let Err(e) = aws::run_commands(&ep, &cli, &commands, &[]).await {
            problems.push(format!("{}: {e}\n{}", s.name, commands.join("\n")));
            continue;
        }
        let after = check(&ep, &id, &stage, &req).await;
        let left: Vec<String> = problem_codes(&after)
            .into_iter()
            .filter(|c| fixable.contains(c))
            .collect();
        if after["browser"]["outcome"] != "allowed" || !left.is_empty() {
            problems.push(format!(
                "{}: the printed calls leave {} / {left:?}:\n{}",
                s.name,
                after["browser"]["outcome"],
                commands.join("\n")
            ));
            continue;
        }
        ran.push(s.name.clone());
    }
    let _ = std::fs::remove_dir_all(&state);
    eprintln!("printed calls ran and fixed: {ran:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(ran.len() >= 12, "only {ran:?}");
}

/// The TUI's `a` against moto: the modal lists the calls; Esc before confirming changes
/// nothing; `a` then Enter applies them, each call is reported as it runs, and the
/// verification ends allowed; the configuration read back passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_applies_through_its_modal_and_esc_changes_nothing() {
    use cors_doctor::tui::{self, Effect, FixEvent, FixPhase, Msg, StartMode};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let Some(ep) = endpoint() else { return };
    aws::seal_env();
    let state_dir =
        std::env::temp_dir().join(format!("cors-doctor-tui-fix-{}", std::process::id()));
    // The undo file goes under XDG_STATE_HOME: this test binary's environment is sealed and
    // this is the only test that applies through the default undo directory.
    std::env::set_var("XDG_STATE_HOME", &state_dir);
    let s = scenario("options-cognito-authorizer");
    let id = load(&ep, &s).await;
    let stage = s.spec.stage.clone();
    let req = Request::of(&s);
    let before = rest_snapshot(&ep, &id, &stage).await;
    let args = cors_doctor::plan::TargetArgs {
        origin: Some(req.origin.clone()),
        method: Some(req.method.clone()),
        headers: req.headers.clone(),
        credentials: Some(req.credentials.clone()),
        api_id: Some(id.clone()),
        stage: Some(stage.clone()),
        path: Some(req.path.clone()),
        region: Some(REGION.into()),
        endpoint_url: Some(ep.clone()),
        ..Default::default()
    };
    let plan = args
        .resolve(&cors_doctor::config::Config::default())
        .expect("plan");
    let opts = tui::Options {
        config: cors_doctor::config::Config::default(),
        args,
        start: StartMode::Diagnose(Box::new(plan)),
        source: std::sync::Arc::new(|p: &cors_doctor::plan::Plan| {
            cors_doctor::app::config_source(p).map_err(|e| e.0)
        }),
        catalog: std::sync::Arc::new(tui::NoScenarios),
        last_path: None,
        color: false,
    };
    let (mut state, effects) = tui::initial_state(&opts);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
    // Runs effects until the ones that answer have answered.
    async fn drive(
        state: &mut tui::AppState,
        jobs: &mut tui::Jobs,
        rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>,
        effects: Vec<Effect>,
    ) {
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(e) = queue.pop_front() {
            let waits = matches!(
                e,
                Effect::StartRun { .. } | Effect::PrepareFix { .. } | Effect::ApplyFix { .. }
            );
            jobs.apply(e);
            if !waits {
                continue;
            }
            while let Some(msg) =
                tokio::time::timeout(std::time::Duration::from_secs(120), rx.recv())
                    .await
                    .expect("an answer in time")
            {
                let end = matches!(
                    &msg,
                    Msg::Run {
                        event: cors_doctor::runner::RunEvent::Finished(_),
                        ..
                    } | Msg::RunFailed { .. }
                        | Msg::Fix {
                            event: FixEvent::Prepared(_)
                                | FixEvent::Finished { .. }
                                | FixEvent::Stopped { .. },
                            ..
                        }
                );
                queue.extend(state.update(msg));
                if end {
                    break;
                }
            }
        }
    }
    drive(&mut state, &mut jobs, &mut rx, effects).await;
    let key = |c| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let e = state.update(key(KeyCode::Char('a')));
    drive(&mut state, &mut jobs, &mut rx, e).await;
    let modal = state.fix.clone().expect("the modal opens");
    assert_eq!(modal.phase, FixPhase::Confirm, "{:?}", modal.phase);
    assert!(
        modal
            .preview
            .calls
            .iter()
            .any(|c| c.contains("update-method")),
        "{:?}",
        modal.preview.calls
    );
    let e = state.update(key(KeyCode::Esc));
    drive(&mut state, &mut jobs, &mut rx, e).await;
    assert!(state.fix.is_none());
    assert_eq!(
        rest_snapshot(&ep, &id, &stage).await,
        before,
        "Esc changed something"
    );
    let e = state.update(key(KeyCode::Char('a')));
    drive(&mut state, &mut jobs, &mut rx, e).await;
    let e = state.update(key(KeyCode::Enter));
    assert!(matches!(e.as_slice(), [Effect::ApplyFix { .. }]), "{e:?}");
    drive(&mut state, &mut jobs, &mut rx, e).await;
    let modal = state
        .fix
        .clone()
        .expect("the modal stays open with the result");
    assert!(
        matches!(&modal.phase, FixPhase::Finished { ok: true, .. }),
        "{:?}",
        modal.phase
    );
    assert!(modal
        .calls
        .iter()
        .all(|c| *c == cors_doctor::tui::CallState::Done));
    let undo = modal.undo.clone().expect("the undo command");
    assert!(undo.contains(&state_dir.display().to_string()), "{undo}");
    let after = check(&ep, &id, &stage, &req).await;
    assert_eq!(
        after["browser"]["outcome"],
        "allowed",
        "{:?}",
        codes(&after)
    );
    let _ = std::fs::remove_dir_all(&state_dir);
}
