//! Loading a scenario's model into moto (REST and HTTP APIs).

use super::*;

// ---------------------------------------------------------------------------------------------
// Loading a scenario's model into moto

/// Creates `api` in moto as a REST API; methods named in `later` are added after the stage's
/// deployment (not deployed). Returns the API id.
pub(super) async fn load_rest(
    ep: &str,
    api: &Api,
    stage: &str,
    later: &[(String, String)],
) -> String {
    let c = aws::v1(ep);
    let id = c
        .create_rest_api()
        .name(&api.name)
        .send()
        .await
        .expect("create-rest-api")
        .id
        .expect("id");
    let items = c
        .get_resources()
        .rest_api_id(&id)
        .send()
        .await
        .expect("get-resources")
        .items
        .unwrap_or_default();
    let mut ids: HashMap<String, String> = HashMap::new();
    ids.insert(
        "/".into(),
        items[0].id.clone().expect("the root resource has an id"),
    );
    let mut paths: Vec<&str> = api
        .resources
        .iter()
        .map(|r| r.path.as_str())
        .filter(|p| p.starts_with('/'))
        .collect();
    paths.sort_by_key(|p| p.matches('/').count());
    for p in paths {
        let mut cur = String::new();
        for part in p.split('/').filter(|s| !s.is_empty()) {
            let parent = if cur.is_empty() {
                "/".to_string()
            } else {
                cur.clone()
            };
            cur = format!("{cur}/{part}");
            if !ids.contains_key(&cur) {
                let rid = c
                    .create_resource()
                    .rest_api_id(&id)
                    .parent_id(&ids[&parent])
                    .path_part(part)
                    .send()
                    .await
                    .expect("create-resource")
                    .id
                    .expect("id");
                ids.insert(cur.clone(), rid);
            }
        }
    }
    let mut authorizers = HashMap::new();
    for a in &api.authorizers {
        let kind = match a.kind {
            AuthorizerKind::Token => AuthorizerType::Token,
            AuthorizerKind::Request => AuthorizerType::Request,
            AuthorizerKind::CognitoUserPools => AuthorizerType::CognitoUserPools,
            AuthorizerKind::Jwt => continue,
        };
        let mut b = c
            .create_authorizer()
            .rest_api_id(&id)
            .name(&a.name)
            .r#type(kind)
            .identity_source(
                a.identity_source
                    .clone()
                    .unwrap_or_else(|| "method.request.header.Authorization".into()),
            );
        if let Some(uri) = &a.authorizer_uri {
            b = b.authorizer_uri(uri);
        }
        for arn in &a.provider_arns {
            b = b.provider_arns(arn);
        }
        let aid = b.send().await.expect("create-authorizer").id.expect("id");
        authorizers.insert(a.name.clone(), aid);
    }
    let is_later = |path: &str, verb: &str| {
        later
            .iter()
            .any(|(p, m)| p == path && m.eq_ignore_ascii_case(verb))
    };
    for r in &api.resources {
        for m in &r.methods {
            if !is_later(&r.path, &m.http_method) {
                put_rest_method(&c, &id, &ids[&r.path], m, &authorizers).await;
            }
        }
    }
    for g in &api.gateway_responses {
        let mut b = c
            .put_gateway_response()
            .rest_api_id(&id)
            .response_type(GatewayResponseType::from(g.response_type.as_str()));
        if let Some(s) = &g.status_code {
            b = b.status_code(s);
        }
        for (k, v) in &g.response_parameters {
            b = b.response_parameters(k, v);
        }
        for (k, v) in &g.response_templates {
            if let Some(v) = v {
                b = b.response_templates(k, v);
            }
        }
        b.send().await.expect("put-gateway-response");
    }
    c.create_deployment()
        .rest_api_id(&id)
        .stage_name(stage)
        .send()
        .await
        .expect("create-deployment");
    for r in &api.resources {
        for m in &r.methods {
            if is_later(&r.path, &m.http_method) {
                put_rest_method(&c, &id, &ids[&r.path], m, &authorizers).await;
            }
        }
    }
    id
}

/// One method with its method responses, integration and integration responses. A mapping of
/// a header its method response does not declare (a state API Gateway only reaches when a
/// declaration is removed later) is made by declaring, mapping, then removing the declaration.
pub(super) async fn put_rest_method(
    c: &aws_sdk_apigateway::Client,
    api: &str,
    rid: &str,
    m: &Method,
    authorizers: &HashMap<String, String>,
) {
    let verb = m.http_method.as_str();
    let mut b = c
        .put_method()
        .rest_api_id(api)
        .resource_id(rid)
        .http_method(verb)
        .authorization_type(m.authorization.as_str())
        .api_key_required(m.api_key_required);
    if let Some(aid) = m.authorizer.as_ref().and_then(|n| authorizers.get(n)) {
        b = b.authorizer_id(aid);
    }
    for s in &m.authorization_scopes {
        b = b.authorization_scopes(s);
    }
    b.send().await.expect("put-method");
    let responses = m
        .integration
        .as_ref()
        .map(|i| i.responses.clone())
        .unwrap_or_default();
    // Declarations the integration responses need but the method responses lack.
    let mut temporary: Vec<(String, String)> = Vec::new();
    let mut temp_responses: Vec<String> = Vec::new();
    let mut statuses: Vec<String> = m.responses.iter().map(|r| r.status_code.clone()).collect();
    for ir in &responses {
        if !statuses.contains(&ir.status_code) {
            statuses.push(ir.status_code.clone());
            temp_responses.push(ir.status_code.clone());
        }
    }
    for status in &statuses {
        let mut b = c
            .put_method_response()
            .rest_api_id(api)
            .resource_id(rid)
            .http_method(verb)
            .status_code(status);
        if let Some(mr) = m.response(status) {
            for h in &mr.headers {
                b = b.response_parameters(format!("method.response.header.{h}"), false);
            }
        }
        for ir in responses.iter().filter(|r| &r.status_code == status) {
            for k in ir.response_parameters.keys() {
                let declared = k
                    .strip_prefix("method.response.header.")
                    .is_some_and(|h| m.response(status).is_some_and(|mr| mr.declares(h)));
                if !declared && k.starts_with("method.response.header.") {
                    b = b.response_parameters(k, false);
                    temporary.push((status.clone(), k.clone()));
                }
            }
        }
        b.send().await.expect("put-method-response");
    }
    if let Some(i) = &m.integration {
        let mut b = c
            .put_integration()
            .rest_api_id(api)
            .resource_id(rid)
            .http_method(verb)
            .r#type(IntegrationType::from(i.kind.as_str()));
        if let Some(u) = &i.uri {
            b = b.uri(u);
        }
        if let Some(h) = &i.http_method {
            b = b.integration_http_method(h);
        } else if i.kind != ModelIntegration::Mock {
            b = b.integration_http_method("POST");
        }
        for (k, v) in &i.request_templates {
            if let Some(v) = v {
                b = b.request_templates(k, v);
            }
        }
        if let Some(p) = &i.passthrough_behavior {
            b = b.passthrough_behavior(p.to_ascii_uppercase());
        }
        b.send().await.expect("put-integration");
        for ir in &i.responses {
            let mut b = c
                .put_integration_response()
                .rest_api_id(api)
                .resource_id(rid)
                .http_method(verb)
                .status_code(&ir.status_code);
            if !ir.is_default() {
                b = b.selection_pattern(&ir.selection_pattern);
            }
            for (k, v) in &ir.response_parameters {
                b = b.response_parameters(k, v);
            }
            for (k, v) in &ir.response_templates {
                if let Some(v) = v {
                    b = b.response_templates(k, v);
                }
            }
            b.send().await.expect("put-integration-response");
        }
    }
    for (status, key) in temporary {
        if temp_responses.contains(&status) {
            continue;
        }
        c.update_method_response()
            .rest_api_id(api)
            .resource_id(rid)
            .http_method(verb)
            .status_code(&status)
            .patch_operations(
                PatchOperation::builder()
                    .op(Op::Remove)
                    .path(format!("/responseParameters/{key}"))
                    .build(),
            )
            .send()
            .await
            .expect("update-method-response remove");
    }
    for status in temp_responses {
        c.delete_method_response()
            .rest_api_id(api)
            .resource_id(rid)
            .http_method(verb)
            .status_code(status)
            .send()
            .await
            .expect("delete-method-response");
    }
}

/// Creates `api` in moto as an HTTP API. Returns the API id.
pub(super) async fn load_http(ep: &str, api: &Api, stage: &str, auto_deploy: bool) -> String {
    let c = aws::v2(ep);
    let mut b = c
        .create_api()
        .name(&api.name)
        .protocol_type(v2t::ProtocolType::Http);
    if let Some(cors) = &api.cors {
        b = b.cors_configuration(
            v2t::Cors::builder()
                .set_allow_origins(Some(cors.allow_origins.clone()))
                .set_allow_methods(Some(cors.allow_methods.clone()))
                .set_allow_headers(Some(cors.allow_headers.clone()))
                .set_expose_headers(Some(cors.expose_headers.clone()))
                .set_max_age(cors.max_age.map(|a| a as i32))
                .set_allow_credentials(cors.allow_credentials)
                .build(),
        );
    }
    let id = b.send().await.expect("create-api").api_id.expect("api id");
    let mut authorizers = HashMap::new();
    for a in &api.authorizers {
        let sources: Vec<String> = a
            .identity_source
            .clone()
            .unwrap_or_else(|| "$request.header.Authorization".into())
            .split(',')
            .map(|s| s.trim().to_string())
            .collect();
        let mut b = c
            .create_authorizer()
            .api_id(&id)
            .name(&a.name)
            .set_identity_source(Some(sources));
        b = match a.kind {
            AuthorizerKind::Jwt => {
                let jwt = a.jwt.clone().unwrap_or_default();
                b.authorizer_type(v2t::AuthorizerType::Jwt)
                    .jwt_configuration(
                        v2t::JwtConfiguration::builder()
                            .set_issuer(jwt.issuer)
                            .set_audience(Some(jwt.audience))
                            .build(),
                    )
            }
            _ => b
                .authorizer_type(v2t::AuthorizerType::Request)
                .set_authorizer_uri(a.authorizer_uri.clone())
                .authorizer_payload_format_version("2.0"),
        };
        let aid = b
            .send()
            .await
            .expect("create-authorizer")
            .authorizer_id
            .expect("id");
        authorizers.insert(a.name.clone(), aid);
    }
    for r in &api.resources {
        for m in &r.methods {
            let mut target = None;
            if let Some(i) = &m.integration {
                let mut b = c
                    .create_integration()
                    .api_id(&id)
                    .integration_type(v2t::IntegrationType::from(i.kind.as_str()))
                    .set_integration_uri(i.uri.clone())
                    .payload_format_version(i.payload_format_version.clone().unwrap_or_else(
                        || {
                            if i.kind == ModelIntegration::AwsProxy {
                                "2.0".into()
                            } else {
                                "1.0".into()
                            }
                        },
                    ));
                if i.kind == ModelIntegration::HttpProxy {
                    b = b.integration_method(i.http_method.clone().unwrap_or_else(|| "ANY".into()));
                }
                let iid = b
                    .send()
                    .await
                    .expect("create-integration")
                    .integration_id
                    .expect("id");
                target = Some(format!("integrations/{iid}"));
            }
            let key = if r.path == DEFAULT_ROUTE {
                DEFAULT_ROUTE.to_string()
            } else {
                format!("{} {}", m.http_method, r.path)
            };
            let mut b = c
                .create_route()
                .api_id(&id)
                .route_key(key)
                .set_target(target);
            if m.authorization != AuthorizationType::None {
                b = b.authorization_type(v2t::AuthorizationType::from(
                    if m.authorization == AuthorizationType::Custom {
                        "CUSTOM"
                    } else {
                        m.authorization.as_str()
                    },
                ));
                if let Some(aid) = m.authorizer.as_ref().and_then(|n| authorizers.get(n)) {
                    b = b.authorizer_id(aid);
                }
            }
            b.send().await.expect("create-route");
        }
    }
    c.create_stage()
        .api_id(&id)
        .stage_name(stage)
        .auto_deploy(auto_deploy)
        .send()
        .await
        .expect("create-stage");
    id
}

pub(super) async fn load(ep: &str, s: &Scenario) -> String {
    let later: Vec<(String, String)> = s
        .spec
        .deployment
        .iter()
        .flat_map(|d| d.not_deployed.iter())
        .map(|m| (m.path.clone(), m.method.clone()))
        .collect();
    match s.api.kind {
        ApiKind::Rest => load_rest(ep, &s.api, &s.spec.stage, &later).await,
        ApiKind::Http => load_http(ep, &s.api, &s.spec.stage, s.spec.auto_deploy).await,
    }
}
