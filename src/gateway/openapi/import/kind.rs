//! REST or HTTP: decided from markers only one kind of API accepts.

use serde_json::{Map, Value};

use crate::gateway::model::{Api, ApiKind, AuthorizerKind, IntegrationType, DEFAULT_ROUTE};
use crate::gateway::openapi::{
    is_sigv4, X_API_KEY_SOURCE, X_CORS, X_GATEWAY_RESPONSES, X_IMPORTEXPORT,
};

/// A marker only one kind of API accepts.
pub(super) struct Marker {
    kind: ApiKind,
    /// Only the first marker of a category is kept, so a large API costs no more.
    category: &'static str,
    what: String,
}

/// REST or HTTP, and what decided it.
///
/// Decisive markers, from the import rules of each kind
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html,
/// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html,
/// whose pages list each extension's API kind):
/// - HTTP only: `x-amazon-apigateway-cors`, `x-amazon-apigateway-importexport-version`, the
///   `$default` route / `isDefaultRoute`, JWT authorizers, `authorizerPayloadFormatVersion` /
///   `enableSimpleResponses`, `payloadFormatVersion: 2.0` (the 2.0 event format exists only for
///   HTTP APIs).
/// - REST only: `x-amazon-apigateway-gateway-responses`, `…-api-key-source`,
///   `…-binary-media-types`, `…-request-validators`, `…-policy`, `…-documentation`,
///   `…-minimum-compression-size`; MOCK, HTTP and AWS (non-proxy) integrations; integration
///   `responses` and `requestTemplates`; TOKEN and Cognito authorizers; API keys.
///
/// Not decisive: `payloadFormatVersion: 1.0` (REST bodies written for Terraform carry it) and
/// server URLs (both kinds export `https://{id}.execute-api.{region}.amazonaws.com/{basePath}`).
/// Markers of both kinds: the document-level one found first wins and the conflict is named.
/// No marker: REST (what `get-export` and most SAM/Serverless bodies are), said as such.
pub(super) fn decide_kind(api: &Api, root: &Map<String, Value>) -> (ApiKind, String) {
    let mut markers: Vec<Marker> = Vec::new();
    let mut mark = |kind: ApiKind, category: &'static str, what: String| {
        if !markers.iter().any(|m| m.category == category) {
            markers.push(Marker {
                kind,
                category,
                what,
            });
        }
    };
    let only = |k: ApiKind| match k {
        ApiKind::Http => "HTTP APIs only",
        ApiKind::Rest => "REST APIs only",
    };
    // Document level first: they are the most deliberate.
    for (key, kind) in [
        (X_IMPORTEXPORT, ApiKind::Http),
        (X_CORS, ApiKind::Http),
        (X_GATEWAY_RESPONSES, ApiKind::Rest),
        (X_API_KEY_SOURCE, ApiKind::Rest),
        ("x-amazon-apigateway-binary-media-types", ApiKind::Rest),
        ("x-amazon-apigateway-request-validators", ApiKind::Rest),
        ("x-amazon-apigateway-policy", ApiKind::Rest),
        ("x-amazon-apigateway-documentation", ApiKind::Rest),
        (
            "x-amazon-apigateway-minimum-compression-size",
            ApiKind::Rest,
        ),
    ] {
        if root.contains_key(key) {
            mark(kind, key, format!("{key} ({})", only(kind)));
        }
    }
    for a in &api.authorizers {
        match a.kind {
            AuthorizerKind::Jwt => mark(
                ApiKind::Http,
                "jwt",
                format!("the JWT authorizer '{}' (HTTP APIs only)", a.name),
            ),
            AuthorizerKind::Token => mark(
                ApiKind::Rest,
                "token",
                format!("the TOKEN authorizer '{}' (REST APIs only)", a.name),
            ),
            AuthorizerKind::CognitoUserPools => mark(
                ApiKind::Rest,
                "cognito",
                format!("the Cognito authorizer '{}' (REST APIs only)", a.name),
            ),
            AuthorizerKind::Request => {}
        }
        for key in ["authorizerPayloadFormatVersion", "enableSimpleResponses"] {
            if a.extra.contains_key(key) {
                mark(
                    ApiKind::Http,
                    key,
                    format!("{key} on the authorizer '{}' (HTTP APIs only)", a.name),
                );
            }
        }
    }
    for (name, scheme) in &api.other_security_schemes {
        if scheme.get("type").and_then(Value::as_str) == Some("apiKey") && !is_sigv4(scheme) {
            mark(
                ApiKind::Rest,
                "api-key",
                format!("the API key scheme '{name}' (REST APIs only)"),
            );
        }
    }
    for r in &api.resources {
        if r.path == DEFAULT_ROUTE {
            mark(
                ApiKind::Http,
                "$default",
                "the $default route (HTTP APIs only)".into(),
            );
        }
        for m in &r.methods {
            if m.extra.get("isDefaultRoute").and_then(Value::as_bool) == Some(true) {
                mark(
                    ApiKind::Http,
                    "isDefaultRoute",
                    "isDefaultRoute (HTTP APIs only)".into(),
                );
            }
            let Some(i) = &m.integration else { continue };
            let route = format!("{} {}", m.http_method, r.path);
            match i.kind {
                IntegrationType::Mock | IntegrationType::Http | IntegrationType::Aws => mark(
                    ApiKind::Rest,
                    "non-proxy",
                    format!(
                        "the {} integration of {route} (REST APIs only)",
                        i.kind.as_str()
                    ),
                ),
                IntegrationType::AwsProxy | IntegrationType::HttpProxy => {}
            }
            if !i.responses.is_empty() {
                mark(
                    ApiKind::Rest,
                    "responses",
                    format!("integration responses on {route} (REST APIs only)"),
                );
            }
            if !i.request_templates.is_empty() {
                mark(
                    ApiKind::Rest,
                    "templates",
                    format!("request templates on {route} (REST APIs only)"),
                );
            }
            if i.payload_format_version.as_deref() == Some("2.0") {
                mark(
                    ApiKind::Http,
                    "payload-2.0",
                    format!("payloadFormatVersion 2.0 on {route} (HTTP APIs only)"),
                );
            }
        }
    }
    let Some(first) = markers.first() else {
        let weak = api.resources.iter().any(|r| {
            r.methods.iter().any(|m| {
                m.integration
                    .as_ref()
                    .is_some_and(|i| i.payload_format_version.is_some())
            })
        });
        let note = if weak {
            "no marker only one kind of API accepts (payloadFormatVersion 1.0 is legal in both): REST assumed; use --kind http if it is an HTTP API"
        } else {
            "no marker only one kind of API accepts: REST assumed; use --kind http if it is an HTTP API"
        };
        return (ApiKind::Rest, note.to_string());
    };
    let other: Vec<&str> = markers
        .iter()
        .filter(|m| m.kind != first.kind)
        .map(|m| m.what.as_str())
        .collect();
    let by = if other.is_empty() {
        first.what.clone()
    } else {
        format!(
            "{}, although {} says otherwise (use --kind to choose)",
            first.what,
            other.join(", ")
        )
    };
    (first.kind, by)
}
