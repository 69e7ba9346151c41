//! Masks secrets (Authorization, API keys, cookies, AWS credentials) before anything is shown,
//! logged or written. Every output path goes through here.

use url::Url;

use crate::http::Headers;

const MASK: &str = "****";

/// Header names whose values are secrets.
fn is_secret_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization"
            | "proxy-authorization"
            | "x-api-key"
            | "cookie"
            | "set-cookie"
            | "x-amz-security-token"
            | "x-amz-content-sha256"
    ) || n.contains("token")
        || n.contains("secret")
        || n.contains("password")
        || n.contains("api-key")
        || n.contains("apikey")
}

/// Query parameter names whose values are secrets.
fn is_secret_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("x-amz-")
        || [
            "key",
            "token",
            "secret",
            "password",
            "signature",
            "sig",
            "code",
            "auth",
        ]
        .iter()
        .any(|s| n.contains(s))
}

/// Masks one header value, keeping what helps a diagnosis: the auth scheme, cookie names.
pub fn header_value(name: &str, value: &str) -> String {
    if !is_secret_header(name) {
        return value.to_string();
    }
    let lower = name.to_ascii_lowercase();
    if lower == "cookie" {
        return value
            .split(';')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) => format!("{}={MASK}", k.trim()),
                None => MASK.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    if lower == "set-cookie" {
        // Keep the name and the attributes (SameSite, Secure matter for CORS), mask the value.
        let mut parts = value.splitn(2, ';');
        let first = parts.next().unwrap_or_default();
        let name = first.split_once('=').map(|(k, _)| k.trim()).unwrap_or(MASK);
        return match parts.next() {
            Some(attrs) => format!("{name}={MASK};{attrs}"),
            None => format!("{name}={MASK}"),
        };
    }
    if lower.ends_with("authorization") {
        if let Some((scheme, _)) = value.trim().split_once(' ') {
            return format!("{scheme} {MASK}");
        }
    }
    MASK.to_string()
}

/// A copy of `headers` with secret values masked.
pub fn headers(headers: &Headers) -> Headers {
    headers
        .iter()
        .map(|(n, v)| (n.to_string(), header_value(n, v)))
        .collect()
}

/// A URL with user info and secret query values masked.
pub fn url(input: &str) -> String {
    let Ok(mut parsed) = Url::parse(input) else {
        return input.to_string();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some(MASK));
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_param(&k) {
                    MASK.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// Masks anything that looks like an AWS access key id or a bearer token in free text
/// (error messages, log lines).
pub fn text(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for (i, word) in input.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bare = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let aws_key = bare.len() == 20
            && (bare.starts_with("AKIA") || bare.starts_with("ASIA"))
            && bare
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let jwt = bare.starts_with("eyJ") && bare.matches('.').count() >= 1 && bare.len() > 20;
        if aws_key || jwt {
            out.push_str(&word.replace(bare, MASK));
        } else {
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_headers_are_masked_keeping_what_helps() {
        assert_eq!(
            header_value("Authorization", "Bearer abc.def"),
            "Bearer ****"
        );
        assert_eq!(header_value("x-api-key", "k3y"), "****");
        assert_eq!(
            header_value("Cookie", "sid=1; theme=dark"),
            "sid=****; theme=****"
        );
        assert_eq!(
            header_value("set-cookie", "sid=1; Secure; SameSite=None"),
            "sid=****; Secure; SameSite=None"
        );
        assert_eq!(
            header_value("content-type", "application/json"),
            "application/json"
        );
        assert_eq!(header_value("X-Amz-Security-Token", "FQo..."), "****");
    }

    #[test]
    fn urls_and_text_are_masked() {
        assert_eq!(
            url("https://u:p@h.example/a?api_key=1&x=2"),
            "https://u:****@h.example/a?api_key=****&x=2"
        );
        assert_eq!(text("key AKIAIOSFODNN7EXAMPLE leaked"), "key **** leaked");
        assert_eq!(text("token eyJhbGciOi.eyJzdWIiOiIx.sig"), "token ****");
    }
}
