//! [`Api`] → OpenAPI / Swagger document, as API Gateway's export writes it.

use serde_json::{Map, Value};

use super::{
    is_sigv4, X_ANY_METHOD, X_API_KEY_SOURCE, X_AUTH, X_AUTHORIZER, X_CORS, X_GATEWAY_RESPONSES,
    X_IMPORTEXPORT, X_INTEGRATION,
};
use crate::gateway::model::{
    Api, ApiKind, AuthorizationType, Authorizer, CorsConfiguration, Integration, Method, Resource,
    SortedMap, SpecFormat, DEFAULT_ROUTE,
};

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::String).collect())
}

fn str_map_value(m: &SortedMap<String, String>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn template_value(m: &SortedMap<String, Option<String>>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), v.clone().map_or(Value::Null, Value::String)))
            .collect(),
    )
}

fn extend(target: &mut Map<String, Value>, extra: &Map<String, Value>) {
    for (k, v) in extra {
        target.insert(k.clone(), v.clone());
    }
}

/// `responseParameters` and `responseTemplates` of a gateway or integration response, each
/// only when not empty.
fn insert_mappings(
    target: &mut Map<String, Value>,
    parameters: &SortedMap<String, String>,
    templates: &SortedMap<String, Option<String>>,
) {
    if !parameters.is_empty() {
        target.insert("responseParameters".into(), str_map_value(parameters));
    }
    if !templates.is_empty() {
        target.insert("responseTemplates".into(), template_value(templates));
    }
}

/// Top-level fields kept in `extra` that AWS writes before `paths`.
const LEADING: &[&str] = &["servers", "host", "basePath", "schemes"];

/// Exports the API in its own format (`api.format`), as API Gateway's export would.
pub fn export(api: &Api) -> Value {
    let swagger = api.format == SpecFormat::Swagger2;
    let mut schemes = scheme_names(api);
    let mut root = Map::new();
    match &api.format {
        SpecFormat::OpenApi3(v) => root.insert("openapi".into(), Value::String(v.clone())),
        SpecFormat::Swagger2 => root.insert("swagger".into(), Value::String("2.0".into())),
    };
    let mut info = Map::new();
    if let Some(d) = &api.description {
        info.insert("description".into(), Value::String(d.clone()));
    }
    info.insert("title".into(), Value::String(api.name.clone()));
    if let Some(v) = &api.version {
        info.insert("version".into(), Value::String(v.clone()));
    }
    if let Some(Value::Object(rest)) = api.extra.get("info") {
        extend(&mut info, rest);
    }
    root.insert("info".into(), Value::Object(info));
    for key in LEADING {
        if let Some(v) = api.extra.get(*key) {
            root.insert((*key).into(), v.clone());
        }
    }
    if !api.extra.contains_key("servers") && !api.extra.contains_key("host") {
        if let (Some(id), Some(region)) = (&api.id, &api.region) {
            let host = format!("{id}.execute-api.{region}.amazonaws.com");
            if swagger {
                root.insert("host".into(), Value::String(host));
            } else {
                root.insert(
                    "servers".into(),
                    serde_json::json!([{ "url": format!("https://{host}/{{basePath}}"),
                        "variables": { "basePath": { "default": "" } } }]),
                );
            }
        }
    }

    let mut paths = Map::new();
    for r in &api.resources {
        let key = if r.path == DEFAULT_ROUTE {
            "/$default".to_string()
        } else {
            r.path.clone()
        };
        paths.insert(key, export_resource(api, r, swagger, &mut schemes));
    }
    root.insert("paths".into(), Value::Object(paths));

    let mut scheme_map = Map::new();
    for (name, raw) in &schemes.others {
        scheme_map.insert(name.clone(), Value::Object(raw.clone()));
    }
    for a in &api.authorizers {
        scheme_map.insert(a.name.clone(), export_authorizer(a));
    }
    if swagger {
        if !scheme_map.is_empty() {
            root.insert("securityDefinitions".into(), Value::Object(scheme_map));
        }
    } else {
        let mut components = api.components_extra.clone();
        if !scheme_map.is_empty() {
            components.insert("securitySchemes".into(), Value::Object(scheme_map));
        }
        if !components.is_empty() {
            root.insert("components".into(), Value::Object(components));
        }
    }
    if !api.gateway_responses.is_empty() {
        let mut g = Map::new();
        for r in &api.gateway_responses {
            let mut o = Map::new();
            if let Some(s) = &r.status_code {
                o.insert("statusCode".into(), Value::String(s.clone()));
            }
            insert_mappings(&mut o, &r.response_parameters, &r.response_templates);
            extend(&mut o, &r.extra);
            g.insert(r.response_type.clone(), Value::Object(o));
        }
        root.insert(X_GATEWAY_RESPONSES.into(), Value::Object(g));
    }
    if let Some(s) = &api.api_key_source {
        root.insert(X_API_KEY_SOURCE.into(), Value::String(s.clone()));
    }
    if let Some(c) = &api.cors {
        root.insert(X_CORS.into(), export_cors(c));
    }
    match (&api.import_export_version, api.kind) {
        (Some(v), _) => {
            root.insert(X_IMPORTEXPORT.into(), Value::String(v.clone()));
        }
        (None, ApiKind::Http) => {
            root.insert(X_IMPORTEXPORT.into(), Value::String("1.0".into()));
        }
        (None, ApiKind::Rest) => {}
    }
    for (k, v) in &api.extra {
        if k != "info" && !LEADING.contains(&k.as_str()) {
            root.insert(k.clone(), v.clone());
        }
    }
    Value::Object(root)
}

/// [`export`] as pretty-printed JSON text.
pub fn export_string(api: &Api) -> String {
    serde_json::to_string_pretty(&export(api)).unwrap_or_default()
}

/// The non-authorizer security schemes to write, and the names used for IAM and API keys.
struct Schemes {
    others: Vec<(String, Map<String, Value>)>,
    sigv4: Option<String>,
    api_key: Option<String>,
}

fn scheme_names(api: &Api) -> Schemes {
    let sigv4 = api
        .other_security_schemes
        .iter()
        .find(|(_, s)| is_sigv4(s))
        .map(|(n, _)| n.clone());
    let api_key = api
        .other_security_schemes
        .iter()
        .find(|(_, s)| !is_sigv4(s) && s.get("type").and_then(Value::as_str) == Some("apiKey"))
        .map(|(n, _)| n.clone());
    Schemes {
        others: api.other_security_schemes.clone(),
        sigv4,
        api_key,
    }
}

impl Schemes {
    /// The `api_key` scheme, added the way AWS exports it when the model has none.
    fn api_key_name(&mut self) -> String {
        if let Some(n) = &self.api_key {
            return n.clone();
        }
        let mut raw = Map::new();
        raw.insert("type".into(), Value::String("apiKey".into()));
        raw.insert("name".into(), Value::String("x-api-key".into()));
        raw.insert("in".into(), Value::String("header".into()));
        self.others.push(("api_key".into(), raw));
        self.api_key = Some("api_key".into());
        "api_key".into()
    }
}

fn export_resource(api: &Api, r: &Resource, swagger: bool, schemes: &mut Schemes) -> Value {
    let mut item = Map::new();
    for m in &r.methods {
        let key = if m.http_method.eq_ignore_ascii_case("ANY") {
            X_ANY_METHOD.to_string()
        } else {
            m.http_method.to_ascii_lowercase()
        };
        item.insert(key, export_method(api, m, swagger, schemes));
    }
    extend(&mut item, &r.extra);
    Value::Object(item)
}

fn export_method(api: &Api, m: &Method, swagger: bool, schemes: &mut Schemes) -> Value {
    let mut op = Map::new();
    extend(&mut op, &m.extra);
    let mut responses = Map::new();
    for r in &m.responses {
        let mut o = Map::new();
        if let Some(d) = r.extra.get("description") {
            o.insert("description".into(), d.clone());
        }
        if !r.headers.is_empty() {
            let headers = r
                .headers
                .iter()
                .map(|h| {
                    let schema = if swagger {
                        serde_json::json!({ "type": "string" })
                    } else {
                        serde_json::json!({ "schema": { "type": "string" } })
                    };
                    (h.clone(), schema)
                })
                .collect();
            o.insert("headers".into(), Value::Object(headers));
        }
        extend(&mut o, &r.extra);
        responses.insert(r.status_code.clone(), Value::Object(o));
    }
    op.insert("responses".into(), Value::Object(responses));

    let mut security = Vec::new();
    let mut auth_extension = false;
    match m.authorization {
        AuthorizationType::None => {}
        AuthorizationType::AwsIam => match &schemes.sigv4 {
            Some(name) => security.push(serde_json::json!({ name.clone(): [] })),
            None => auth_extension = true,
        },
        AuthorizationType::CognitoUserPools
        | AuthorizationType::Custom
        | AuthorizationType::Jwt => {
            if let Some(name) = m
                .authorizer
                .as_ref()
                .filter(|n| api.authorizer(n).is_some())
            {
                security
                    .push(serde_json::json!({ name.clone(): strings(&m.authorization_scopes) }));
            }
        }
    }
    if m.api_key_required {
        security.push(serde_json::json!({ schemes.api_key_name(): [] }));
    }
    if !security.is_empty() {
        op.insert("security".into(), Value::Array(security));
    }
    if auth_extension {
        op.insert(X_AUTH.into(), serde_json::json!({ "type": "AWS_IAM" }));
    }
    if let Some(i) = &m.integration {
        op.insert(X_INTEGRATION.into(), export_integration(i));
    }
    Value::Object(op)
}

fn export_integration(i: &Integration) -> Value {
    let mut o = Map::new();
    if let Some(v) = &i.http_method {
        o.insert("httpMethod".into(), Value::String(v.clone()));
    }
    if let Some(v) = &i.uri {
        o.insert("uri".into(), Value::String(v.clone()));
    }
    if !i.responses.is_empty() {
        let mut rs = Map::new();
        for r in &i.responses {
            let mut ro = Map::new();
            ro.insert("statusCode".into(), Value::String(r.status_code.clone()));
            insert_mappings(&mut ro, &r.response_parameters, &r.response_templates);
            extend(&mut ro, &r.extra);
            rs.insert(r.selection_pattern.clone(), Value::Object(ro));
        }
        o.insert("responses".into(), Value::Object(rs));
    }
    if !i.request_parameters.is_empty() {
        o.insert(
            "requestParameters".into(),
            str_map_value(&i.request_parameters),
        );
    }
    if !i.request_templates.is_empty() {
        o.insert(
            "requestTemplates".into(),
            template_value(&i.request_templates),
        );
    }
    if let Some(v) = &i.passthrough_behavior {
        o.insert("passthroughBehavior".into(), Value::String(v.clone()));
    }
    if let Some(v) = &i.payload_format_version {
        o.insert("payloadFormatVersion".into(), Value::String(v.clone()));
    }
    extend(&mut o, &i.extra);
    o.insert(
        "type".into(),
        Value::String(i.kind.as_str().to_ascii_lowercase()),
    );
    Value::Object(o)
}

fn export_authorizer(a: &Authorizer) -> Value {
    let mut scheme = a.scheme.clone();
    let mut o = Map::new();
    if let Some(v) = &a.identity_source {
        o.insert("identitySource".into(), Value::String(v.clone()));
    }
    if let Some(v) = &a.authorizer_uri {
        o.insert("authorizerUri".into(), Value::String(v.clone()));
    }
    if !a.provider_arns.is_empty() {
        o.insert("providerARNs".into(), strings(&a.provider_arns));
    }
    if let Some(j) = &a.jwt {
        let mut jo = Map::new();
        jo.insert("audience".into(), strings(&j.audience));
        if let Some(iss) = &j.issuer {
            jo.insert("issuer".into(), Value::String(iss.clone()));
        }
        o.insert("jwtConfiguration".into(), Value::Object(jo));
    }
    if let Some(t) = a.result_ttl_seconds {
        o.insert("authorizerResultTtlInSeconds".into(), Value::from(t));
    }
    if let Some(v) = &a.identity_validation_expression {
        o.insert(
            "identityValidationExpression".into(),
            Value::String(v.clone()),
        );
    }
    extend(&mut o, &a.extra);
    o.insert("type".into(), Value::String(a.kind.export_name().into()));
    scheme.insert(X_AUTHORIZER.into(), Value::Object(o));
    Value::Object(scheme)
}

fn export_cors(c: &CorsConfiguration) -> Value {
    let mut o = Map::new();
    if let Some(v) = c.allow_credentials {
        o.insert("allowCredentials".into(), Value::Bool(v));
    }
    if !c.allow_headers.is_empty() {
        o.insert("allowHeaders".into(), strings(&c.allow_headers));
    }
    if !c.allow_methods.is_empty() {
        o.insert("allowMethods".into(), strings(&c.allow_methods));
    }
    if !c.allow_origins.is_empty() {
        o.insert("allowOrigins".into(), strings(&c.allow_origins));
    }
    if !c.expose_headers.is_empty() {
        o.insert("exposeHeaders".into(), strings(&c.expose_headers));
    }
    if let Some(v) = c.max_age {
        o.insert("maxAge".into(), Value::from(v));
    }
    Value::Object(o)
}
