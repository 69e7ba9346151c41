//! The request a browser app would make to a route ([`synthesize`]), and the origin it is
//! made from when none is given ([`default_origin`]).

use url::Url;

use super::PLACEHOLDER_ORIGIN;
use crate::gateway::model::{Api, ApiKind, AuthorizationType, Method, Resource, DEFAULT_ROUTE};
use crate::http::Headers;
use crate::target::{CredentialsMode, Target};

/// The request a browser app makes to `method` of `resource` (`None` only when no URL can be
/// made for it).
pub fn synthesize(
    api: &Api,
    stage: Option<&str>,
    resource: &Resource,
    method: &Method,
    origin: &str,
) -> Option<Target> {
    let verb = match method.http_method.as_str() {
        // An ANY route answers every method: the one that needs the most (a preflight).
        "ANY" => "PUT".to_string(),
        v => v.to_string(),
    };
    let mut headers = Headers::new();
    let mut body = None;
    if matches!(verb.as_str(), "POST" | "PUT" | "PATCH") {
        headers.push("Content-Type", "application/json");
        body = Some("{}".to_string());
    }
    match method.authorization {
        AuthorizationType::None => {}
        AuthorizationType::AwsIam => {
            headers.push(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
            );
            headers.push("X-Amz-Date", "20260101T000000Z");
        }
        AuthorizationType::CognitoUserPools
        | AuthorizationType::Custom
        | AuthorizationType::Jwt => {
            let names = method
                .authorizer
                .as_deref()
                .and_then(|a| api.authorizer(a))
                .map(|a| a.identity_headers())
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| vec!["Authorization".to_string()]);
            for name in names {
                let value = if name.eq_ignore_ascii_case("authorization") {
                    "Bearer sample-token".to_string()
                } else {
                    "sample".to_string()
                };
                headers.push(name, value);
            }
        }
    }
    if method.api_key_required {
        // A key of a usage plan of the stage when the configuration knows one (the model
        // accepts any key when it knows none). It stays in the prediction: lint reports no
        // exchanges.
        let key = api
            .api_keys
            .iter()
            .find(|k| {
                k.enabled
                    && (k.stages.is_empty()
                        || stage.is_some_and(|s| k.stages.iter().any(|n| n == s)))
            })
            .map_or("sample-api-key", |k| k.value.as_str());
        headers.push("x-api-key", key);
    }
    let credentials = if allows_credentials(api, resource) {
        CredentialsMode::Include
    } else {
        CredentialsMode::SameOrigin
    };
    let host = format!(
        "{}.execute-api.{}.amazonaws.com",
        api.id
            .as_deref()
            .filter(|id| is_host_label(id))
            .unwrap_or("api-id"),
        api.region
            .as_deref()
            .filter(|r| is_host_label(r))
            .unwrap_or("us-east-1")
    );
    let stage_prefix = match stage {
        Some(s) if s != crate::gateway::model::DEFAULT_STAGE && is_host_label(s) => format!("/{s}"),
        _ => String::new(),
    };
    let path = concrete_path(&resource.path);
    // The host is made of checked labels: only a path the URL parser refuses falls back.
    let url = Url::parse(&format!("https://{host}{stage_prefix}{path}"))
        .or_else(|_| Url::parse(&format!("https://{host}/")))
        .ok()?;
    Some(Target {
        url,
        origin: origin.to_string(),
        method: verb,
        headers,
        body,
        credentials,
    })
}

fn is_host_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A request path for a template path: `{id}` → `sample-id`, `{proxy+}` → `sample/proxy`,
/// `$default` → `/`.
pub fn concrete_path(template: &str) -> String {
    if template == DEFAULT_ROUTE {
        return "/".to_string();
    }
    let parts: Vec<String> = template
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if name.ends_with('+') => "sample/proxy".to_string(),
                Some(name) => format!("sample-{name}"),
                None => seg.to_string(),
            },
        )
        .collect();
    let p = parts.join("/");
    if p.is_empty() {
        "/".to_string()
    } else {
        p
    }
}

/// Does the API declare credentialed CORS for this resource (an HTTP API's
/// `allow_credentials`, or a REST mapping of `Access-Control-Allow-Credentials: 'true'`)?
fn allows_credentials(api: &Api, resource: &Resource) -> bool {
    match api.kind {
        ApiKind::Http => api.cors.as_ref().and_then(|c| c.allow_credentials) == Some(true),
        ApiKind::Rest => resource.methods.iter().any(|m| {
            m.integration.as_ref().is_some_and(|i| {
                i.responses.iter().any(|r| {
                    r.mapped_header("Access-Control-Allow-Credentials")
                        .is_some_and(|v| v.trim_matches('\'').eq_ignore_ascii_case("true"))
                })
            })
        }),
    }
}

/// The origin to check with when none is given: the first concrete origin the API allows
/// (its cors_configuration, an Allow-Origin mapping), else [`PLACEHOLDER_ORIGIN`].
pub fn default_origin(api: &Api) -> String {
    let concrete = |o: &str| -> Option<String> {
        let o = o.trim().trim_matches('\'');
        (o.starts_with("http://") || o.starts_with("https://"))
            .then(|| o.trim_end_matches('/'))
            .filter(|o| !o.contains('*') && !o.contains(','))
            .map(str::to_string)
    };
    if let Some(o) = api
        .cors
        .as_ref()
        .and_then(|c| c.allow_origins.iter().find_map(|o| concrete(o)))
    {
        return o;
    }
    for r in &api.resources {
        for m in &r.methods {
            for ir in m.integration.iter().flat_map(|i| i.responses.iter()) {
                if let Some(o) = ir
                    .mapped_header("Access-Control-Allow-Origin")
                    .and_then(concrete)
                {
                    return o;
                }
            }
        }
    }
    PLACEHOLDER_ORIGIN.to_string()
}
