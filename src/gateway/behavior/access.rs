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
    // Docs: a missing, null or empty identity source (REST TOKEN and REQUEST authorizers,
    // HTTP API Lambda authorizers) gives 401 Unauthorized without calling the authorizer:
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/call-api-with-api-gateway-lambda-authorization.html
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
    if values
        .iter()
        .any(|v| v.as_deref().is_none_or(|s| s.trim().is_empty()))
    {
        return AuthOutcome::Rejected("UNAUTHORIZED");
    }
    // Docs: a TOKEN authorizer's token validation expression is matched against the token
    // before the authorizer is called; a token it does not match gets 401 Unauthorized
    // (https://docs.aws.amazon.com/apigateway/latest/api/API_Authorizer.html,
    // identityValidationExpression; and the Knowledge Center's
    // https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer). HTTP APIs
    // have no validation expression.
    if a.kind == AuthorizerKind::Token {
        if let (Some(expr), Some(Some(token))) = (&a.identity_validation_expression, values.first())
        {
            if token_validation(expr, token) == Some(false) {
                return AuthOutcome::Rejected("UNAUTHORIZED");
            }
        }
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

/// Longest token validation expression evaluated (AWS's own limit is far below).
const MAX_VALIDATION_EXPRESSION: usize = 1024;

/// Whether `token` (the whole header value, `Bearer …` included) matches the TOKEN
/// authorizer's validation expression. A Java regex in AWS, matched as a whole (Java's
/// `Pattern.matches`); `None` when the expression cannot be evaluated here (too long, or a
/// Java construct regex-lite lacks), so the model does not guess.
pub fn token_validation(expression: &str, token: &str) -> Option<bool> {
    if expression.len() > MAX_VALIDATION_EXPRESSION {
        return None;
    }
    let re = regex_lite::RegexBuilder::new(&format!("^(?:{expression})$"))
        .size_limit(1 << 20)
        .nest_limit(64)
        .build()
        .ok()?;
    Some(re.is_match(token))
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

#[cfg(test)]
mod tests {
    use super::token_validation;

    #[test]
    fn token_validation_matches_the_whole_token() {
        assert_eq!(token_validation("^x-[a-z]+", "Bearer x"), Some(false));
        assert_eq!(token_validation("^x-[a-z]+", "x-abc"), Some(true));
        // Java's matches(): the whole value, so a prefix match is not enough.
        assert_eq!(token_validation("x-[a-z]+", "x-abc1"), Some(false));
        assert_eq!(
            token_validation("^Bearer [-0-9a-zA-Z._]*$", "Bearer a.b.c"),
            Some(true)
        );
        // Unreadable here (a Java-only construct or too long): no guess.
        assert_eq!(token_validation("(?<=a)b", "b"), None);
        assert_eq!(token_validation(&"a".repeat(5000), "a"), None);
    }
}
