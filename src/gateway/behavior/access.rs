//! Checks REST and HTTP APIs share: authorizers, IAM signatures and throttling.

use super::routing::query_param;
use crate::gateway::model::{Authorizer, AuthorizerKind, Stage};
use crate::http::HttpRequest;

/// How an authorizer or IAM check ends.
pub(super) enum AuthOutcome {
    Allowed,
    /// Gateway response type to answer with.
    Rejected(&'static str),
}

/// Does the request carry what the authorizer reads? The model cannot validate tokens: a
/// present identity is accepted, except the simulator conventions `invalid` (Cognito/JWT →
/// 401) and `deny` (Lambda → 403 ACCESS_DENIED).
pub(super) fn check_authorizer(
    authorizer: Option<&Authorizer>,
    request: &HttpRequest,
) -> AuthOutcome {
    let Some(a) = authorizer else {
        return AuthOutcome::Rejected("AUTHORIZER_CONFIGURATION_ERROR");
    };
    let mut values = Vec::new();
    for source in a
        .identity_source
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let value = if let Some(q) = source
            .strip_prefix("method.request.querystring.")
            .or_else(|| source.strip_prefix("$request.querystring."))
        {
            query_param(&request.path_and_query, q)
        } else if let Some(h) = source
            .strip_prefix("method.request.header.")
            .or_else(|| source.strip_prefix("$request.header."))
        {
            request.headers.get(h).map(str::to_string)
        } else {
            // Context and stage variables are always present.
            Some(String::new())
        };
        values.push(value);
    }
    if values.is_empty() {
        values = a
            .identity_headers()
            .iter()
            .map(|h| request.headers.get(h).map(str::to_string))
            .collect();
    }
    // Docs: a missing identity source gives 401 Unauthorized without calling the authorizer.
    if values
        .iter()
        .any(|v| v.as_deref().is_none_or(|s| s.trim().is_empty()))
    {
        return AuthOutcome::Rejected("UNAUTHORIZED");
    }
    let token = values
        .first()
        .cloned()
        .flatten()
        .unwrap_or_default()
        .trim()
        .trim_start_matches("Bearer ")
        .to_string();
    match a.kind {
        AuthorizerKind::Token | AuthorizerKind::Request if token == "deny" => {
            AuthOutcome::Rejected("ACCESS_DENIED")
        }
        AuthorizerKind::CognitoUserPools | AuthorizerKind::Jwt if token == "invalid" => {
            AuthOutcome::Rejected("UNAUTHORIZED")
        }
        _ => AuthOutcome::Allowed,
    }
}

/// IAM: a SigV4 signature (header or presigned query) is accepted unchecked; without one,
/// REST answers 403 Missing Authentication Token.
pub(super) fn has_sigv4(request: &HttpRequest) -> bool {
    request
        .headers
        .get("authorization")
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256"))
        || query_param(&request.path_and_query, "X-Amz-Signature").is_some()
}

pub(super) fn throttled(stage: Option<&Stage>, path: &str, method: &str, recent: u32) -> bool {
    let Some(stage) = stage else {
        return false;
    };
    // The most specific setting wins: a method's own over `*`.
    let setting = stage
        .throttling
        .iter()
        .filter(|t| t.applies_to(path, method))
        .max_by_key(|t| (t.path != "*", t.method != "*"));
    setting.is_some_and(|t| {
        // Limits of 0 block every request (AWS documents this for stage/method throttling);
        // otherwise the burst is what the simulator can count deterministically.
        t.burst_limit <= 0 || t.rate_limit <= 0.0 || i64::from(recent) >= t.burst_limit
    })
}
