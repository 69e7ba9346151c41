//! OpenAPI / Swagger document → [`Api`].

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    is_sigv4, ImportError, HTTP_METHODS, X_ANY_METHOD, X_API_KEY_SOURCE, X_AUTH, X_AUTHORIZER,
    X_AUTHTYPE, X_CORS, X_GATEWAY_RESPONSES, X_IMPORTEXPORT, X_INTEGRATION,
};
use crate::gateway::model::{
    Api, ApiKind, AuthorizationType, Authorizer, AuthorizerKind, CorsConfiguration,
    GatewayResponse, Integration, IntegrationResponse, IntegrationType, JwtConfiguration, Method,
    MethodResponse, Resource, SpecFormat, DEFAULT_ROUTE,
};

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
