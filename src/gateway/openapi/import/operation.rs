//! Security schemes, path items, operations and their security requirements.

use serde_json::{Map, Value};

use super::cx::{as_obj, as_string, err, join, kind_of, string_list, Cx};
use super::integration::import_integration;
use crate::gateway::model::{
    intrinsic_name, Api, AuthorizationType, Authorizer, AuthorizerKind, JwtConfiguration, Method,
    MethodResponse, Resource, Unresolved, DEFAULT_ROUTE,
};
use crate::gateway::openapi::{
    is_sigv4, ImportError, HTTP_METHODS, X_ANY_METHOD, X_AUTH, X_AUTHORIZER, X_AUTHTYPE,
    X_INTEGRATION,
};

pub(super) fn import_schemes(
    cx: &Cx,
    api: &mut Api,
    v: &Value,
    path: &str,
) -> Result<(), ImportError> {
    let (schemes, path) = cx.object(v, path)?;
    for (name, scheme) in schemes {
        let (scheme, p) = cx.object(scheme, &join(&path, name))?;
        let Some(auth) = scheme.get(X_AUTHORIZER) else {
            api.other_security_schemes
                .push((name.clone(), scheme.clone()));
            continue;
        };
        let (auth, ap) = cx.object(auth, &join(&p, X_AUTHORIZER))?;
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
        *cx.authorizer.borrow_mut() = Some(name.clone());
        let needed = |what: &str| Some((4, format!("the {what} of the authorizer '{name}'")));
        for (k, v) in auth {
            let kp = join(&ap, k);
            match k.as_str() {
                "type" => {}
                "identitySource" => {
                    a.identity_source =
                        cx.text(v, &kp, k, &mut a.extra, needed("identity source"))?
                }
                "authorizerUri" => a.authorizer_uri = cx.text(v, &kp, k, &mut a.extra, None)?,
                "providerARNs" => a.provider_arns = cx.text_list(v, &kp, k, &mut a.extra, None)?,
                "identityValidationExpression" => {
                    a.identity_validation_expression = cx.text(
                        v,
                        &kp,
                        k,
                        &mut a.extra,
                        needed("token validation expression"),
                    )?
                }
                "authorizerResultTtlInSeconds" if intrinsic_name(v).is_some() => {
                    cx.text(v, &kp, k, &mut a.extra, None)?;
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
                    let mut raw = Map::new();
                    for (jk, jv) in j {
                        let jp = join(&kp, jk);
                        match jk.as_str() {
                            "issuer" => jwt.issuer = cx.text(jv, &jp, jk, &mut raw, None)?,
                            "audience" => {
                                jwt.audience = cx.text_list(jv, &jp, jk, &mut raw, None)?
                            }
                            _ => {
                                return err(
                                    &jp,
                                    "unknown field of jwtConfiguration (expected issuer, audience)",
                                )
                            }
                        }
                    }
                    if !raw.is_empty() {
                        // Written back as the document had it.
                        a.extra.insert(k.clone(), v.clone());
                    }
                    a.jwt = Some(jwt);
                }
                _ => {
                    a.extra.insert(k.clone(), v.clone());
                }
            }
        }
        *cx.authorizer.borrow_mut() = None;
        api.authorizers.push(a);
    }
    Ok(())
}

pub(super) fn import_path_item(
    cx: &Cx,
    api: &Api,
    path: &str,
    item: &Value,
    p: &str,
) -> Result<Resource, ImportError> {
    let (item, p) = cx.object(item, p)?;
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
            Some(verb) => {
                *cx.route.borrow_mut() = Some((resource.path.clone(), verb.clone()));
                let m = import_operation(cx, api, verb, v, &join(&p, k));
                *cx.route.borrow_mut() = None;
                resource.methods.push(m?);
            }
            None => {
                resource.extra.insert(k.clone(), v.clone());
            }
        }
    }
    // Vectors sized to what they hold: a large API has hundreds of thousands of them.
    resource.methods.shrink_to_fit();
    Ok(resource)
}

pub(super) fn import_operation(
    cx: &Cx,
    api: &Api,
    verb: String,
    op: &Value,
    p: &str,
) -> Result<Method, ImportError> {
    let (op, p) = cx.object(op, p)?;
    let mut m = Method {
        http_method: verb,
        ..Default::default()
    };
    for (k, v) in op {
        let kp = join(&p, k);
        match k.as_str() {
            "responses" => {
                let (responses, kp) = cx.object(v, &kp)?;
                for (status, resp) in responses {
                    let (resp, rp) = cx.object(resp, &join(&kp, status))?;
                    let mut mr = MethodResponse {
                        status_code: status.clone(),
                        ..Default::default()
                    };
                    // Sized to what it keeps: there is one per method response.
                    let mut raw =
                        Map::with_capacity(resp.keys().filter(|k| *k != "headers").count());
                    for (rk, rv) in resp {
                        if rk == "headers" {
                            mr.headers = cx.object(rv, &join(&rp, rk))?.0.keys().cloned().collect();
                        } else {
                            raw.insert(rk.clone(), rv.clone());
                        }
                    }
                    mr.extra = raw.into();
                    m.responses.push(mr);
                }
                m.responses.shrink_to_fit();
            }
            "security" => {
                let Value::Array(reqs) = v else {
                    return err(&kp, format!("expected an array, found {}", kind_of(v)));
                };
                let mut undefined = false;
                for (i, req) in reqs.iter().enumerate() {
                    let ip = format!("{kp}[{i}]");
                    for (name, scopes) in as_obj(req, &ip)? {
                        undefined |=
                            !apply_security(cx, api, &mut m, name, scopes, &join(&ip, name))?;
                    }
                }
                // A requirement naming an undefined scheme is kept as written (the export
                // would otherwise lose it).
                if undefined {
                    m.extra.insert(k.clone(), v.clone());
                }
            }
            X_AUTH => {
                let (auth, ap) = cx.object(v, &kp)?;
                let tp = join(&ap, "type");
                match auth.get("type") {
                    Some(t) if intrinsic_name(t).is_some() => {
                        let mut ignored = Map::new();
                        cx.text(
                            t,
                            &tp,
                            "type",
                            &mut ignored,
                            Some((
                                4,
                                format!(
                                    "the authorization type of {} {}",
                                    m.http_method,
                                    route_path(cx)
                                ),
                            )),
                        )?;
                        m.extra.insert(k.clone(), v.clone());
                    }
                    t => match t
                        .and_then(Value::as_str)
                        .map(str::to_ascii_uppercase)
                        .as_deref()
                    {
                        Some("AWS_IAM") => m.authorization = AuthorizationType::AwsIam,
                        Some("NONE") => {}
                        _ => return err(&tp, "expected AWS_IAM or NONE"),
                    },
                }
            }
            X_INTEGRATION => m.integration = Some(import_integration(cx, v, &kp)?),
            _ => {
                m.extra.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(m)
}

/// The path of the route being read, for messages.
pub(super) fn route_path(cx: &Cx) -> String {
    cx.route
        .borrow()
        .as_ref()
        .map(|(p, _)| p.clone())
        .unwrap_or_default()
}

pub(super) fn apply_security(
    cx: &Cx,
    api: &Api,
    m: &mut Method,
    name: &str,
    scopes: &Value,
    p: &str,
) -> Result<bool, ImportError> {
    let scopes = string_list(scopes, p)?;
    if let Some(a) = api.authorizer(name) {
        m.authorization = a.kind.authorization_type();
        m.authorizer = Some(name.to_string());
        m.authorization_scopes = scopes;
        return Ok(true);
    }
    let Some((_, scheme)) = api.other_security_schemes.iter().find(|(n, _)| n == name) else {
        // Docs silent on what API Gateway does with an undefined scheme at import (it refuses
        // the import). Offline the method's authorization is unknown: say so, read the rest.
        let what = format!("the authorization of {} {}", m.http_method, route_path(cx));
        cx.note(
            Unresolved::undefined(p, "security scheme", name),
            Some((4, what)),
        );
        return Ok(false);
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
    Ok(true)
}
