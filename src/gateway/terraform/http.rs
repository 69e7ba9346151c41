//! HTTP APIs: `aws_apigatewayv2_*` resources → [`Api`]. WebSocket APIs are skipped (no CORS).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::plan::{Plan, View};
use super::{after_apply, first_block, located, string_list, string_map, TerraformError};
use crate::gateway::model::{
    Api, ApiKind, AuthorizationType, Authorizer, AuthorizerKind, CorsConfiguration, Element,
    Integration, IntegrationType, JwtConfiguration, Method, Need, Resource, Stage, ThrottleSetting,
    Unresolved, DEFAULT_ROUTE,
};

const API: &str = "aws_apigatewayv2_api";
const AUTHORIZER: &str = "aws_apigatewayv2_authorizer";
const INTEGRATION: &str = "aws_apigatewayv2_integration";

pub(super) fn build(plan: &Plan<'_>, api_i: usize) -> Result<Option<Api>, TerraformError> {
    let v = View::After;
    let r = plan.get(api_i);
    if r.str(v, "protocol_type")
        .is_some_and(|p| !p.eq_ignore_ascii_case("HTTP"))
    {
        return Ok(None);
    }
    let mut api =
        match r.str(v, "body").filter(|b| !b.trim().is_empty()) {
            Some(text) => crate::gateway::openapi::import_str_as(text, Some(ApiKind::Http))
                .map_err(|e| TerraformError::Body {
                    file: plan.file.to_string(),
                    line: r.line,
                    address: r.address.clone(),
                    message: e.to_string(),
                })?,
            None => Api::default(),
        };
    api.kind = ApiKind::Http;
    api.kind_decided_by = Some(format!("{API} (Terraform)"));
    if let Some(name) = r.str(v, "name") {
        api.name = name.to_string();
    }
    api.id = r.str(v, "id").map(str::to_string).or(api.id);
    api.description = r
        .str(v, "description")
        .map(str::to_string)
        .or(api.description);
    api.sources.push(located(plan, api_i, Element::Api));
    let belongs = |i: usize| {
        let x = plan.get(i);
        x.values(v).is_some() && plan.target(x, v, "api_id", &[API], "id") == Some(api_i)
    };

    if let Some(c) = first_block(r.values(v).and_then(|x| x.get("cors_configuration"))) {
        api.cors = Some(CorsConfiguration {
            allow_origins: string_list(c.get("allow_origins")),
            allow_methods: string_list(c.get("allow_methods")),
            allow_headers: string_list(c.get("allow_headers")),
            expose_headers: string_list(c.get("expose_headers")),
            max_age: c.get("max_age").and_then(Value::as_i64),
            allow_credentials: c.get("allow_credentials").and_then(Value::as_bool),
        });
        api.sources.push(located(plan, api_i, Element::Cors));
    }
    if r.unknown(v, "cors_configuration", None) {
        api.unresolved.push(
            after_apply(format!("{}.cors_configuration", r.address)).needed_by(Need {
                step: 5,
                what: "the API's cors_configuration".into(),
                route: None,
                authorizer: None,
            }),
        );
    }

    for i in plan.of_type(AUTHORIZER).filter(|&i| belongs(i)) {
        let a = plan.get(i);
        let name = a.str(v, "name").unwrap_or(&a.address).to_string();
        let kind = match a.str(v, "authorizer_type") {
            Some(t) if t.eq_ignore_ascii_case("REQUEST") => AuthorizerKind::Request,
            _ => AuthorizerKind::Jwt,
        };
        let sources = string_list(a.values(v).and_then(|x| x.get("identity_sources")));
        let jwt = first_block(a.values(v).and_then(|x| x.get("jwt_configuration"))).map(|j| {
            JwtConfiguration {
                issuer: j.get("issuer").and_then(Value::as_str).map(str::to_string),
                audience: string_list(j.get("audience")),
            }
        });
        api.sources
            .push(located(plan, i, Element::Authorizer { name: name.clone() }));
        api.authorizers.retain(|x| x.name != name);
        api.authorizers.push(Authorizer {
            name,
            id: a.str(v, "id").map(str::to_string),
            kind,
            identity_source: (!sources.is_empty()).then(|| sources.join(",")),
            authorizer_uri: a.str(v, "authorizer_uri").map(str::to_string),
            provider_arns: Vec::new(),
            jwt,
            result_ttl_seconds: a
                .values(v)
                .and_then(|x| x.get("authorizer_result_ttl_in_seconds"))
                .and_then(Value::as_i64),
            identity_validation_expression: None,
            extra: Map::new(),
            scheme: Map::new(),
        });
    }

    let mut routes: Vec<(String, Method, usize)> = Vec::new();
    for i in plan
        .of_type("aws_apigatewayv2_route")
        .filter(|&i| belongs(i))
    {
        let rt = plan.get(i);
        let Some(key) = rt.str(v, "route_key") else {
            continue;
        };
        let (verb, path) = if key == "$default" {
            ("ANY".to_string(), DEFAULT_ROUTE.to_string())
        } else {
            match key.split_once(' ') {
                Some((m, p)) => (m.to_ascii_uppercase(), p.to_string()),
                None => {
                    api.unresolved.push(Unresolved::undefined(
                        &format!("{}.route_key", rt.address),
                        "route key (METHOD /path or $default)",
                        key,
                    ));
                    continue;
                }
            }
        };
        let authorization = match rt.str(v, "authorization_type") {
            Some(t) if t.eq_ignore_ascii_case("JWT") => AuthorizationType::Jwt,
            Some(t) if t.eq_ignore_ascii_case("AWS_IAM") => AuthorizationType::AwsIam,
            Some(t) if t.eq_ignore_ascii_case("CUSTOM") => AuthorizationType::Custom,
            _ => AuthorizationType::None,
        };
        let authorizer = plan
            .target(rt, v, "authorizer_id", &[AUTHORIZER], "id")
            .map(|a| {
                plan.get(a)
                    .str(v, "name")
                    .unwrap_or(&plan.get(a).address)
                    .to_string()
            });
        if authorizer.is_none()
            && matches!(
                authorization,
                AuthorizationType::Jwt | AuthorizationType::Custom
            )
        {
            api.unresolved.push(
                Unresolved::undefined(
                    &format!("{}.authorizer_id", rt.address),
                    "authorizer",
                    &rt.references("authorizer_id").join(", "),
                )
                .needed_by(Need {
                    step: 4,
                    what: "the route's authorizer".into(),
                    route: Some((path.clone(), verb.clone())),
                    authorizer: None,
                }),
            );
        }
        // target = "integrations/<id>": by reference, else by the id in the value.
        let integration = plan
            .target_by_refs(rt, &rt.references("target"), &[INTEGRATION])
            .or_else(|| {
                let id = rt.str(v, "target")?.strip_prefix("integrations/")?;
                plan.by_id(id, v, &[INTEGRATION], "id")
            })
            .and_then(|x| integration(plan, x, v));
        routes.push((
            path,
            Method {
                http_method: verb,
                id: rt.str(v, "id").map(str::to_string),
                authorization,
                authorizer,
                authorization_scopes: string_list(
                    rt.values(v).and_then(|x| x.get("authorization_scopes")),
                ),
                api_key_required: rt.bool(v, "api_key_required").unwrap_or(false),
                integration,
                ..Default::default()
            },
            i,
        ));
    }
    for (path, method, i) in routes {
        api.sources.push(located(
            plan,
            i,
            Element::Method {
                path: path.clone(),
                verb: method.http_method.clone(),
            },
        ));
        let idx = match api.resources.iter().position(|r| r.path == path) {
            Some(idx) => idx,
            None => {
                api.resources.push(Resource {
                    path: path.clone(),
                    ..Default::default()
                });
                api.resources.len() - 1
            }
        };
        let res = &mut api.resources[idx];
        res.methods.retain(|m| m.http_method != method.http_method);
        res.methods.push(method);
    }
    api.resources.sort_by(|a, b| a.path.cmp(&b.path));

    for i in plan
        .of_type("aws_apigatewayv2_stage")
        .filter(|&i| belongs(i))
    {
        let s = plan.get(i);
        let Some(name) = s.str(v, "name") else {
            continue;
        };
        let variables: BTreeMap<String, String> =
            string_map(s.values(v).and_then(|x| x.get("stage_variables")))
                .into_iter()
                .collect();
        let mut throttling = Vec::new();
        if let Some(d) = first_block(s.values(v).and_then(|x| x.get("default_route_settings"))) {
            throttling.extend(throttle("*", "*", d));
        }
        for rs in s
            .values(v)
            .and_then(|x| x.get("route_settings"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            let key = rs.get("route_key").and_then(Value::as_str).unwrap_or("");
            let (m, p) = if key == "$default" {
                ("ANY", DEFAULT_ROUTE)
            } else {
                key.split_once(' ').unwrap_or(("*", "*"))
            };
            throttling.extend(throttle(p, m, rs));
        }
        api.sources.push(located(
            plan,
            i,
            Element::Stage {
                name: name.to_string(),
            },
        ));
        api.stages.push(Stage {
            name: name.to_string(),
            deployment_id: s.str(v, "deployment_id").map(str::to_string),
            auto_deploy: s.bool(v, "auto_deploy").unwrap_or(false),
            variables,
            throttling,
            web_acl_arn: None,
        });
    }
    Ok(Some(api))
}

fn integration(plan: &Plan<'_>, i: usize, v: View) -> Option<Integration> {
    let r = plan.get(i);
    let kind = IntegrationType::parse(r.str(v, "integration_type")?)?;
    let mut out = Integration::new(kind);
    out.id = r.str(v, "id").map(str::to_string);
    out.http_method = r.str(v, "integration_method").map(str::to_string);
    out.uri = r.str(v, "integration_uri").map(str::to_string);
    out.payload_format_version = r.str(v, "payload_format_version").map(str::to_string);
    out.request_parameters = string_map(r.values(v).and_then(|x| x.get("request_parameters")))
        .into_iter()
        .collect();
    Some(out)
}

/// A route's throttling limits. Choice: the provider writes unset limits as 0, so a block
/// with both limits 0 is taken as no limit (a real 0/0 limit, which blocks every request, is
/// then missed).
fn throttle(path: &str, method: &str, s: &Map<String, Value>) -> Option<ThrottleSetting> {
    let rate = s.get("throttling_rate_limit").and_then(Value::as_f64);
    let burst = s.get("throttling_burst_limit").and_then(Value::as_i64);
    // The provider writes an unset limit as 0: both 0 (or absent) is taken as unset.
    if rate.unwrap_or(0.0) == 0.0 && burst.unwrap_or(0) == 0 {
        return None;
    }
    Some(ThrottleSetting {
        path: path.to_string(),
        method: method.to_string(),
        rate_limit: rate.unwrap_or(10_000.0),
        burst_limit: burst.unwrap_or(5_000),
    })
}
