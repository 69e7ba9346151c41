//! OpenAPI 3.0 / Swagger 2.0 with API Gateway's `x-amazon-apigateway-*` extensions ⇄ [`Api`].
//!
//! The format is the one `aws apigateway get-export --parameters extensions=apigateway` (REST)
//! and `aws apigatewayv2 export-api` (HTTP) produce. What the model interprets is parsed into
//! typed fields; everything else (schemas, parameters, unknown extensions …) is kept verbatim
//! in `extra` maps, so `import(export(import(doc))) == import(doc)`.
//!
//! Malformed documents give an [`ImportError`] naming the JSON path, e.g.
//! `paths./items.options.x-amazon-apigateway-integration.responses: expected an object`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::{
    Api, ApiKind, AuthorizationType, Authorizer, AuthorizerKind, CorsConfiguration,
    GatewayResponse, Integration, IntegrationResponse, IntegrationType, JwtConfiguration, Method,
    MethodResponse, Resource, SpecFormat, DEFAULT_ROUTE,
};

const X_INTEGRATION: &str = "x-amazon-apigateway-integration";
const X_AUTHORIZER: &str = "x-amazon-apigateway-authorizer";
const X_AUTHTYPE: &str = "x-amazon-apigateway-authtype";
const X_AUTH: &str = "x-amazon-apigateway-auth";
const X_ANY_METHOD: &str = "x-amazon-apigateway-any-method";
const X_GATEWAY_RESPONSES: &str = "x-amazon-apigateway-gateway-responses";
const X_API_KEY_SOURCE: &str = "x-amazon-apigateway-api-key-source";
const X_CORS: &str = "x-amazon-apigateway-cors";
const X_IMPORTEXPORT: &str = "x-amazon-apigateway-importexport-version";
const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A document that cannot be read as an API Gateway export.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ImportError {
    /// Dotted JSON path (`paths./items.get.responses`); `$` for the document itself.
    pub path: String,
    pub message: String,
}

fn err<T>(path: &str, message: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError {
        path: if path.is_empty() {
            "$".into()
        } else {
            path.into()
        },
        message: message.into(),
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn as_obj<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ImportError> {
    v.as_object().map_or_else(
        || err(path, format!("expected an object, found {}", kind_of(v))),
        Ok,
    )
}

fn as_string(v: &Value, path: &str) -> Result<String, ImportError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => err(path, format!("expected a string, found {}", kind_of(other))),
    }
}

/// A string, or a number written where AWS writes a string (`statusCode`).
fn as_code(v: &Value, path: &str) -> Result<String, ImportError> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => err(path, format!("expected a string, found {}", kind_of(other))),
    }
}

fn string_list(v: &Value, path: &str) -> Result<Vec<String>, ImportError> {
    let Value::Array(items) = v else {
        return err(path, format!("expected an array, found {}", kind_of(v)));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| as_string(item, &format!("{path}[{i}]")))
        .collect()
}

fn string_map(v: &Value, path: &str) -> Result<BTreeMap<String, String>, ImportError> {
    as_obj(v, path)?
        .iter()
        .map(|(k, v)| Ok((k.clone(), as_string(v, &join(path, k))?)))
        .collect()
}

/// Content type → template, where a template may be null (the console writes that).
fn template_map(v: &Value, path: &str) -> Result<BTreeMap<String, Option<String>>, ImportError> {
    as_obj(v, path)?
        .iter()
        .map(|(k, v)| {
            let t = match v {
                Value::Null => None,
                other => Some(as_string(other, &join(path, k))?),
            };
            Ok((k.clone(), t))
        })
        .collect()
}

/// Parses JSON text and imports it.
pub fn import_str(text: &str) -> Result<Api, ImportError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ImportError {
        path: "$".into(),
        message: format!("not valid JSON: {e}"),
    })?;
    import(&doc)
}

/// Imports an exported OpenAPI 3 or Swagger 2 document.
pub fn import(doc: &Value) -> Result<Api, ImportError> {
    let root = as_obj(doc, "")?;
    let format = if let Some(v) = root.get("openapi") {
        let version = as_string(v, "openapi")?;
        if !version.starts_with('3') {
            return err(
                "openapi",
                format!("unsupported OpenAPI version '{version}' (expected 3.x)"),
            );
        }
        SpecFormat::OpenApi3(version)
    } else if let Some(v) = root.get("swagger") {
        let version = as_code(v, "swagger")?;
        if version != "2.0" {
            return err(
                "swagger",
                format!("unsupported Swagger version '{version}' (expected 2.0)"),
            );
        }
        SpecFormat::Swagger2
    } else {
        return err("", "neither `openapi` nor `swagger` is present: this is not an OpenAPI or Swagger document");
    };
    let mut api = Api {
        format,
        ..Default::default()
    };

    // Security schemes first: operations refer to them by name.
    if let Some(components) = root.get("components") {
        let components = as_obj(components, "components")?;
        for (k, v) in components {
            if k == "securitySchemes" {
                import_schemes(&mut api, v, "components.securitySchemes")?;
            } else {
                api.components_extra.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(defs) = root.get("securityDefinitions") {
        import_schemes(&mut api, defs, "securityDefinitions")?;
    }

    for (key, value) in root {
        match key.as_str() {
            "openapi" | "swagger" | "components" | "securityDefinitions" => {}
            "info" => {
                let info = as_obj(value, "info")?;
                let mut rest = Map::new();
                for (k, v) in info {
                    let p = join("info", k);
                    match k.as_str() {
                        "title" => api.name = as_string(v, &p)?,
                        "version" => api.version = Some(as_code(v, &p)?),
                        "description" => api.description = Some(as_string(v, &p)?),
                        _ => {
                            rest.insert(k.clone(), v.clone());
                        }
                    }
                }
                if !rest.is_empty() {
                    api.extra.insert("info".into(), Value::Object(rest));
                }
            }
            "paths" => {
                let paths = as_obj(value, "paths")?;
                for (path, item) in paths {
                    let resource = import_path_item(&api, path, item, &join("paths", path))?;
                    api.resources.push(resource);
                }
            }
            X_GATEWAY_RESPONSES => {
                let p = X_GATEWAY_RESPONSES;
                for (ty, v) in as_obj(value, p)? {
                    api.gateway_responses
                        .push(import_gateway_response(ty, v, &join(p, ty))?);
                }
            }
            X_API_KEY_SOURCE => api.api_key_source = Some(as_string(value, key)?),
            X_IMPORTEXPORT => api.import_export_version = Some(as_code(value, key)?),
            X_CORS => api.cors = Some(import_cors(value, key)?),
            _ => {
                api.extra.insert(key.clone(), value.clone());
            }
        }
    }

    let (id, region) = endpoint_of(&api.extra);
    api.id = id;
    api.region = region;
    let http_like = api.import_export_version.is_some()
        || api.cors.is_some()
        || api.resources.iter().any(|r| {
            r.path == DEFAULT_ROUTE
                || r.methods.iter().any(|m| {
                    m.integration
                        .as_ref()
                        .is_some_and(|i| i.payload_format_version.is_some())
                })
        });
    api.kind = if http_like {
        ApiKind::Http
    } else {
        ApiKind::Rest
    };
    Ok(api)
}

/// The API id and region from `servers[0].url` (OpenAPI 3) or `host` (Swagger 2).
fn endpoint_of(extra: &Map<String, Value>) -> (Option<String>, Option<String>) {
    let host = extra
        .get("servers")
        .and_then(|s| s.get(0))
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .map(|u| {
            let u = u.split_once("://").map_or(u, |(_, rest)| rest);
            u.split('/').next().unwrap_or(u)
        })
        .or_else(|| extra.get("host").and_then(Value::as_str));
    let Some(host) = host else {
        return (None, None);
    };
    let Some((id, rest)) = host.split_once(".execute-api.") else {
        return (None, None);
    };
    let region = rest.split('.').next().filter(|r| !r.is_empty());
    let id = Some(id.to_string()).filter(|i| !i.is_empty() && !i.contains('{'));
    (id, region.map(str::to_string))
}

fn import_schemes(api: &mut Api, v: &Value, path: &str) -> Result<(), ImportError> {
    for (name, scheme) in as_obj(v, path)? {
        let p = join(path, name);
        let scheme = as_obj(scheme, &p)?;
        let Some(auth) = scheme.get(X_AUTHORIZER) else {
            api.other_security_schemes
                .push((name.clone(), scheme.clone()));
            continue;
        };
        let ap = join(&p, X_AUTHORIZER);
        let auth = as_obj(auth, &ap)?;
        let authtype = scheme
            .get(X_AUTHTYPE)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let kind = match auth.get("type") {
            Some(t) => {
                let t = as_string(t, &join(&ap, "type"))?;
                AuthorizerKind::parse(&t).map_or_else(
                    || err(&join(&ap, "type"), format!("unknown authorizer type '{t}' (expected token, request, cognito_user_pools or jwt)")),
                    Ok,
                )?
            }
            None if authtype == "cognito_user_pools" => AuthorizerKind::CognitoUserPools,
            None => AuthorizerKind::Token,
        };
        let mut a = Authorizer {
            name: name.clone(),
            id: None,
            kind,
            identity_source: None,
            authorizer_uri: None,
            provider_arns: Vec::new(),
            jwt: None,
            result_ttl_seconds: None,
            identity_validation_expression: None,
            extra: Map::new(),
            scheme: scheme
                .iter()
                .filter(|(k, _)| k.as_str() != X_AUTHORIZER)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        for (k, v) in auth {
            let kp = join(&ap, k);
            match k.as_str() {
                "type" => {}
                "identitySource" => a.identity_source = Some(as_string(v, &kp)?),
                "authorizerUri" => a.authorizer_uri = Some(as_string(v, &kp)?),
                "providerARNs" => a.provider_arns = string_list(v, &kp)?,
                "identityValidationExpression" => {
                    a.identity_validation_expression = Some(as_string(v, &kp)?)
                }
                "authorizerResultTtlInSeconds" => {
                    a.result_ttl_seconds = Some(v.as_i64().map_or_else(
                        || err(&kp, format!("expected an integer, found {}", kind_of(v))),
                        Ok,
                    )?)
                }
                "jwtConfiguration" => {
                    let j = as_obj(v, &kp)?;
                    let mut jwt = JwtConfiguration::default();
                    for (jk, jv) in j {
                        let jp = join(&kp, jk);
                        match jk.as_str() {
                            "issuer" => jwt.issuer = Some(as_string(jv, &jp)?),
                            "audience" => jwt.audience = string_list(jv, &jp)?,
                            _ => {
                                return err(
                                    &jp,
                                    "unknown field of jwtConfiguration (expected issuer, audience)",
                                )
                            }
                        }
                    }
                    a.jwt = Some(jwt);
                }
                _ => {
                    a.extra.insert(k.clone(), v.clone());
                }
            }
        }
        api.authorizers.push(a);
    }
    Ok(())
}

fn import_path_item(api: &Api, path: &str, item: &Value, p: &str) -> Result<Resource, ImportError> {
    let item = as_obj(item, p)?;
    let mut resource = Resource {
        path: if path == "/$default" {
            DEFAULT_ROUTE.to_string()
        } else {
            path.to_string()
        },
        ..Default::default()
    };
    for (k, v) in item {
        let verb = if k == X_ANY_METHOD {
            Some("ANY".to_string())
        } else if HTTP_METHODS.contains(&k.as_str()) {
            Some(k.to_ascii_uppercase())
        } else {
            None
        };
        match verb {
            Some(verb) => resource
                .methods
                .push(import_operation(api, verb, v, &join(p, k))?),
            None => {
                resource.extra.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(resource)
}

fn import_operation(api: &Api, verb: String, op: &Value, p: &str) -> Result<Method, ImportError> {
    let op = as_obj(op, p)?;
    let mut m = Method {
        http_method: verb,
        ..Default::default()
    };
    for (k, v) in op {
        let kp = join(p, k);
        match k.as_str() {
            "responses" => {
                for (status, resp) in as_obj(v, &kp)? {
                    let rp = join(&kp, status);
                    let resp = as_obj(resp, &rp)?;
                    let mut mr = MethodResponse {
                        status_code: status.clone(),
                        ..Default::default()
                    };
                    for (rk, rv) in resp {
                        if rk == "headers" {
                            mr.headers = as_obj(rv, &join(&rp, rk))?.keys().cloned().collect();
                        } else {
                            mr.extra.insert(rk.clone(), rv.clone());
                        }
                    }
                    m.responses.push(mr);
                }
            }
            "security" => {
                let Value::Array(reqs) = v else {
                    return err(&kp, format!("expected an array, found {}", kind_of(v)));
                };
                for (i, req) in reqs.iter().enumerate() {
                    let ip = format!("{kp}[{i}]");
                    for (name, scopes) in as_obj(req, &ip)? {
                        apply_security(api, &mut m, name, scopes, &join(&ip, name))?;
                    }
                }
            }
            X_AUTH => {
                let t = as_obj(v, &kp)?.get("type").and_then(Value::as_str);
                match t.map(str::to_ascii_uppercase).as_deref() {
                    Some("AWS_IAM") => m.authorization = AuthorizationType::AwsIam,
                    Some("NONE") => {}
                    _ => return err(&join(&kp, "type"), "expected AWS_IAM or NONE"),
                }
            }
            X_INTEGRATION => m.integration = Some(import_integration(v, &kp)?),
            _ => {
                m.extra.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(m)
}

fn apply_security(
    api: &Api,
    m: &mut Method,
    name: &str,
    scopes: &Value,
    p: &str,
) -> Result<(), ImportError> {
    let scopes = string_list(scopes, p)?;
    if let Some(a) = api.authorizer(name) {
        m.authorization = a.kind.authorization_type();
        m.authorizer = Some(name.to_string());
        m.authorization_scopes = scopes;
        return Ok(());
    }
    let Some((_, scheme)) = api.other_security_schemes.iter().find(|(n, _)| n == name) else {
        return err(p, format!("no security scheme named '{name}' in components.securitySchemes / securityDefinitions"));
    };
    if is_sigv4(scheme) {
        m.authorization = AuthorizationType::AwsIam;
    } else if scheme.get("type").and_then(Value::as_str) == Some("apiKey") {
        m.api_key_required = true;
    } else {
        return err(
            p,
            format!("security scheme '{name}' is neither an authorizer, sigv4 nor an API key"),
        );
    }
    Ok(())
}

fn is_sigv4(scheme: &Map<String, Value>) -> bool {
    scheme
        .get(X_AUTHTYPE)
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4"))
}

fn import_integration(v: &Value, p: &str) -> Result<Integration, ImportError> {
    let obj = as_obj(v, p)?;
    let tp = join(p, "type");
    let Some(t) = obj.get("type") else {
        return err(
            p,
            "missing `type` (mock, aws_proxy, http_proxy, http or aws)",
        );
    };
    let t = as_string(t, &tp)?;
    let kind = IntegrationType::parse(&t).map_or_else(
        || err(&tp, format!("unknown integration type '{t}' (expected mock, aws_proxy, http_proxy, http or aws)")),
        Ok,
    )?;
    let mut i = Integration::new(kind);
    for (k, v) in obj {
        let kp = join(p, k);
        match k.as_str() {
            "type" => {}
            "httpMethod" => i.http_method = Some(as_string(v, &kp)?),
            "uri" => i.uri = Some(as_string(v, &kp)?),
            "requestTemplates" => i.request_templates = template_map(v, &kp)?,
            "requestParameters" => i.request_parameters = string_map(v, &kp)?,
            "passthroughBehavior" => i.passthrough_behavior = Some(as_string(v, &kp)?),
            "payloadFormatVersion" => i.payload_format_version = Some(as_code(v, &kp)?),
            "responses" => {
                for (pattern, r) in as_obj(v, &kp)? {
                    let rp = join(&kp, pattern);
                    let r = as_obj(r, &rp)?;
                    let mut ir = IntegrationResponse {
                        selection_pattern: pattern.clone(),
                        ..Default::default()
                    };
                    for (rk, rv) in r {
                        let rkp = join(&rp, rk);
                        match rk.as_str() {
                            "statusCode" => ir.status_code = as_code(rv, &rkp)?,
                            "responseParameters" => ir.response_parameters = string_map(rv, &rkp)?,
                            "responseTemplates" => ir.response_templates = template_map(rv, &rkp)?,
                            _ => {
                                ir.extra.insert(rk.clone(), rv.clone());
                            }
                        }
                    }
                    if ir.status_code.is_empty() {
                        return err(&rp, "missing `statusCode`");
                    }
                    i.responses.push(ir);
                }
            }
            _ => {
                i.extra.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(i)
}

fn import_gateway_response(ty: &str, v: &Value, p: &str) -> Result<GatewayResponse, ImportError> {
    let mut g = GatewayResponse {
        response_type: ty.to_string(),
        ..Default::default()
    };
    for (k, v) in as_obj(v, p)? {
        let kp = join(p, k);
        match k.as_str() {
            "statusCode" => g.status_code = Some(as_code(v, &kp)?),
            "responseParameters" => g.response_parameters = string_map(v, &kp)?,
            "responseTemplates" => g.response_templates = template_map(v, &kp)?,
            _ => {
                g.extra.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(g)
}

fn import_cors(v: &Value, p: &str) -> Result<CorsConfiguration, ImportError> {
    let mut c = CorsConfiguration::default();
    for (k, v) in as_obj(v, p)? {
        let kp = join(p, k);
        match k.as_str() {
            "allowOrigins" => c.allow_origins = string_list(v, &kp)?,
            "allowMethods" => c.allow_methods = string_list(v, &kp)?,
            "allowHeaders" => c.allow_headers = string_list(v, &kp)?,
            "exposeHeaders" => c.expose_headers = string_list(v, &kp)?,
            "maxAge" => {
                c.max_age = Some(v.as_i64().map_or_else(
                    || err(&kp, format!("expected an integer, found {}", kind_of(v))),
                    Ok,
                )?)
            }
            "allowCredentials" => {
                c.allow_credentials = Some(v.as_bool().map_or_else(
                    || err(&kp, format!("expected a boolean, found {}", kind_of(v))),
                    Ok,
                )?)
            }
            _ => return err(&kp, "unknown field of x-amazon-apigateway-cors (expected allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials)"),
        }
    }
    Ok(c)
}

// ---------------------------------------------------------------------------------------------
// Export

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::String).collect())
}

fn str_map_value(m: &BTreeMap<String, String>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn template_value(m: &BTreeMap<String, Option<String>>) -> Value {
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
            if !r.response_parameters.is_empty() {
                o.insert(
                    "responseParameters".into(),
                    str_map_value(&r.response_parameters),
                );
            }
            if !r.response_templates.is_empty() {
                o.insert(
                    "responseTemplates".into(),
                    template_value(&r.response_templates),
                );
            }
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
            if !r.response_parameters.is_empty() {
                ro.insert(
                    "responseParameters".into(),
                    str_map_value(&r.response_parameters),
                );
            }
            if !r.response_templates.is_empty() {
                ro.insert(
                    "responseTemplates".into(),
                    template_value(&r.response_templates),
                );
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options_item() -> Value {
        json!({
          "responses": { "200": { "description": "200 response",
              "headers": { "Access-Control-Allow-Origin": { "schema": { "type": "string" } } },
              "content": {} } },
          "x-amazon-apigateway-integration": {
            "responses": { "default": { "statusCode": "200",
                "responseParameters": { "method.response.header.Access-Control-Allow-Origin": "'*'" },
                "responseTemplates": { "application/json": null } } },
            "requestTemplates": { "application/json": "{\"statusCode\": 200}" },
            "passthroughBehavior": "when_no_match",
            "type": "mock" }
        })
    }

    #[test]
    fn imports_a_rest_export() {
        let doc = json!({
          "openapi": "3.0.1",
          "info": { "title": "items", "version": "2024-01-01T00:00:00Z" },
          "servers": [{ "url": "https://abc123.execute-api.us-east-1.amazonaws.com/{basePath}",
                        "variables": { "basePath": { "default": "prod" } } }],
          "paths": { "/items": { "options": options_item(), "get": {
              "security": [{ "CognitoAuth": ["email"] }, { "api_key": [] }],
              "x-amazon-apigateway-integration": { "type": "aws_proxy", "httpMethod": "POST",
                  "uri": "arn:aws:apigateway:us-east-1:lambda:path/fn/invocations" } } } },
          "components": { "securitySchemes": {
              "api_key": { "type": "apiKey", "name": "x-api-key", "in": "header" },
              "CognitoAuth": { "type": "apiKey", "name": "Authorization", "in": "header",
                  "x-amazon-apigateway-authtype": "cognito_user_pools",
                  "x-amazon-apigateway-authorizer": { "type": "cognito_user_pools",
                      "providerARNs": ["arn:aws:cognito-idp:us-east-1:1:userpool/x"] } } } },
          "x-amazon-apigateway-gateway-responses": { "DEFAULT_4XX": { "responseParameters": {
              "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" } } },
          "x-something-else": { "kept": true }
        });
        let api = import(&doc).unwrap();
        assert_eq!(api.kind, ApiKind::Rest);
        assert_eq!(api.id.as_deref(), Some("abc123"));
        assert_eq!(api.region.as_deref(), Some("us-east-1"));
        let r = api.resource("/items").unwrap();
        let options = r.method("OPTIONS").unwrap();
        let integration = options.integration.as_ref().unwrap();
        assert_eq!(integration.kind, IntegrationType::Mock);
        assert_eq!(
            integration.responses[0].mapped_header("access-control-allow-origin"),
            Some("'*'")
        );
        assert_eq!(
            integration.responses[0].response_templates["application/json"],
            None
        );
        assert!(options.responses[0].declares("Access-Control-Allow-Origin"));
        let get = r.method("GET").unwrap();
        assert_eq!(get.authorization, AuthorizationType::CognitoUserPools);
        assert_eq!(get.authorizer.as_deref(), Some("CognitoAuth"));
        assert_eq!(get.authorization_scopes, vec!["email".to_string()]);
        assert!(get.api_key_required);
        assert!(get.is_proxy());
        assert_eq!(api.extra["x-something-else"], json!({ "kept": true }));
        let again = import(&export(&api)).unwrap();
        assert_eq!(again, api);
    }

    #[test]
    fn imports_an_http_export() {
        let doc = json!({
          "openapi": "3.0.1",
          "info": { "title": "http", "version": "1" },
          "paths": { "/$default": { "x-amazon-apigateway-any-method": {
              "security": [{ "jwt": [] }],
              "x-amazon-apigateway-integration": { "payloadFormatVersion": "2.0",
                  "type": "aws_proxy", "httpMethod": "POST", "uri": "arn:fn",
                  "connectionType": "INTERNET" } } } },
          "components": { "securitySchemes": { "jwt": { "type": "oauth2", "flows": {},
              "x-amazon-apigateway-authorizer": { "identitySource": "$request.header.Authorization",
                  "jwtConfiguration": { "audience": ["a"], "issuer": "https://issuer" },
                  "type": "jwt" } } } },
          "x-amazon-apigateway-cors": { "allowOrigins": ["https://app.example.com"], "maxAge": 300 },
          "x-amazon-apigateway-importexport-version": "1.0"
        });
        let api = import(&doc).unwrap();
        assert_eq!(api.kind, ApiKind::Http);
        let route = api.resource(DEFAULT_ROUTE).unwrap();
        assert_eq!(route.methods[0].http_method, "ANY");
        assert_eq!(route.methods[0].authorization, AuthorizationType::Jwt);
        assert_eq!(
            api.authorizers[0].identity_headers(),
            vec!["Authorization".to_string()]
        );
        assert_eq!(api.cors.as_ref().unwrap().max_age, Some(300));
        let out = export(&api);
        assert!(out["paths"]["/$default"]["x-amazon-apigateway-any-method"].is_object());
        assert_eq!(import(&out).unwrap(), api);
    }

    #[test]
    fn swagger_round_trips() {
        let doc = json!({
          "swagger": "2.0",
          "info": { "title": "s", "version": "1" },
          "host": "xyz789.execute-api.eu-west-1.amazonaws.com",
          "basePath": "/prod",
          "paths": { "/items": { "options": {
            "responses": { "200": { "description": "ok",
                "headers": { "Access-Control-Allow-Origin": { "type": "string" } } } },
            "security": [{ "sigv4": [] }],
            "x-amazon-apigateway-integration": { "type": "mock",
                "requestTemplates": { "application/json": "{\"statusCode\": 200}" },
                "responses": { "default": { "statusCode": 200 } } } } } },
          "securityDefinitions": { "sigv4": { "type": "apiKey", "name": "Authorization",
              "in": "header", "x-amazon-apigateway-authtype": "awsSigv4" } }
        });
        let api = import(&doc).unwrap();
        assert_eq!(api.format, SpecFormat::Swagger2);
        assert_eq!(api.id.as_deref(), Some("xyz789"));
        let m = api.resource("/items").unwrap().method("OPTIONS").unwrap();
        assert_eq!(m.authorization, AuthorizationType::AwsIam);
        let out = export(&api);
        assert_eq!(
            out["paths"]["/items"]["options"]["responses"]["200"]["headers"]
                ["Access-Control-Allow-Origin"],
            json!({ "type": "string" })
        );
        assert_eq!(import(&out).unwrap(), api);
    }

    #[test]
    fn malformed_documents_name_the_path() {
        let mut item = options_item();
        item["x-amazon-apigateway-integration"]["responses"] = json!([1]);
        let doc = json!({ "openapi": "3.0.1", "info": { "title": "t" },
                          "paths": { "/items": { "options": item } } });
        let e = import(&doc).unwrap_err();
        assert_eq!(
            e.to_string(),
            "paths./items.options.x-amazon-apigateway-integration.responses: expected an object, found an array"
        );
        let e = import(&json!({ "info": {} })).unwrap_err();
        assert!(e.to_string().starts_with("$: neither"));
        let e = import_str("{").unwrap_err();
        assert!(e.message.starts_with("not valid JSON"));
        let doc = json!({ "openapi": "3.0.1", "paths": { "/a": { "get": {
            "x-amazon-apigateway-integration": { "type": "lambda" } } } } });
        assert!(import(&doc).unwrap_err().to_string().contains(
            "paths./a.get.x-amazon-apigateway-integration.type: unknown integration type 'lambda'"
        ));
        let doc = json!({ "openapi": "3.0.1", "paths": { "/a": { "get": {
            "security": [{ "nope": [] }] } } } });
        assert!(import(&doc).unwrap_err().path.ends_with("security[0].nope"));
    }
}
