//! Masks secrets (Authorization, API keys, cookies, AWS credentials, URL user info, secret
//! query and fragment parameters) before anything is shown, logged or written. Every output
//! path goes through here.
//!
//! Two mechanisms, applied together:
//! - **By structure**: a secret header's value, a URL's user name and password, the value of a
//!   query or fragment parameter with a secret name ([`header_value`], [`url()`]).
//! - **By value** ([`Secrets`]): every secret value the user supplied (from the URL, the headers,
//!   the configuration) is replaced wherever it appears, in any field: a body excerpt or an
//!   `x-echo-authorization` header in which the server echoes the token, an error message
//!   from a library that quotes the URL, a log line. The report ([`crate::report::Report::new`]
//!   walks every string of it), the runner's events (the TUI), stderr, the log file and the
//!   saved last session all use it.
//!
//! Choices (the documents leave them open):
//! - Values shorter than [`MIN_SECRET_LEN`] characters are not masked by value (they would mask
//!   ordinary words and digits everywhere); values shorter than [`ANYWHERE_LEN`] are masked only
//!   where they stand as a whole word (not inside a longer run of letters and digits).
//! - Encoded forms are masked too: percent-encoded and percent-decoded, JSON-escaped slashes,
//!   and the user name and password inside a `Basic` credential.
//! - Control characters (C0, DEL, C1) from servers are escaped by [`escape_controls`] before
//!   text or Markdown reaches a terminal.

use url::Url;

use crate::http::Headers;

// Display-safe text helpers, at the bottom of the module graph (`http` uses them too).
pub use crate::text::{escape_controls, shorten};

mod masked;
mod secrets;

pub use masked::{exchange, request, Masked, MaskedExchange};
pub use secrets::{
    known, known_secrets, map_strings, remember, Secrets, ANYWHERE_LEN, MIN_SECRET_LEN,
};

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
        || n.contains("passwd")
        || n.contains("api-key")
        || n.contains("apikey")
        || n.contains("api_key")
        || n.contains("session")
        || n.contains("signature")
        || n.contains("jwt")
        || n.starts_with("x-auth")
        || n.ends_with("-auth")
        || (n.contains("credential") && !n.starts_with("access-control-"))
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
            "pass",
            "session",
            "jwt",
            "credential",
        ]
        .iter()
        .any(|s| n.contains(s))
}

/// Masks one header value, keeping what helps a diagnosis: the auth scheme, cookie names.
pub fn header_value(name: &str, value: &str) -> String {
    if !is_secret_header(name) {
        // A URL in a header (a redirect's Location) may carry user info or secret parameters.
        if name.eq_ignore_ascii_case("location") || name.eq_ignore_ascii_case("content-location") {
            return url(value);
        }
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

/// A URL with its user name, password and secret query and fragment values masked. Input
/// that does not parse as a URL is masked by the same rules, as text.
pub fn url(input: &str) -> String {
    let Ok(mut parsed) = Url::parse(input) else {
        return unparsed_url(input);
    };
    if !parsed.username().is_empty() {
        let _ = parsed.set_username(MASK);
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some(MASK));
    }
    replace_secret_params(&mut parsed, MASK);
    if let Some(fragment) = parsed.fragment().map(str::to_string) {
        parsed.set_fragment(Some(&fragment_masked(&fragment)));
    }
    parsed.to_string()
}

/// A URL fit to be saved and offered again: no user info, secret parameter values emptied
/// (so the form shows where to type them again instead of sending `****`).
pub fn url_without_secrets(input: &str) -> String {
    let Ok(mut parsed) = Url::parse(input.trim()) else {
        return unparsed_url(input);
    };
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    replace_secret_params(&mut parsed, "");
    if let Some(fragment) = parsed.fragment().map(str::to_string) {
        let masked = fragment_masked(&fragment);
        if masked != fragment {
            parsed.set_fragment(None);
        }
    }
    parsed.to_string()
}

/// Replaces the value of each secret query parameter with `with`.
fn replace_secret_params(parsed: &mut Url, with: &str) {
    if parsed.query().is_none() {
        return;
    }
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_param(&k) {
                with.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
}

/// `a=1&access_token=…` with secret values masked; a fragment that is not `key=value` pairs is
/// kept unless it looks like a token.
fn fragment_masked(fragment: &str) -> String {
    if fragment.contains('=') {
        return masked_pairs(fragment, '&');
    }
    text(fragment)
}

/// `k=v` pairs separated by `sep`, secret values masked (kept as written otherwise).
fn masked_pairs(s: &str, sep: char) -> String {
    s.split(sep)
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_param(&percent_decode(k)) => format!("{k}={MASK}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join(&sep.to_string())
}

/// Masks what a URL that does not parse would carry: user info, secret parameters, tokens.
fn unparsed_url(input: &str) -> String {
    let mut rest = input.to_string();
    // User info: between "//" and the last "@" before the path.
    if let Some(start) = rest.find("//").map(|i| i + 2) {
        let end = rest[start..]
            .find(['/', '?', '#'])
            .map_or(rest.len(), |i| start + i);
        if let Some(at) = rest[start..end].rfind('@') {
            rest.replace_range(start..start + at, &format!("{MASK}:{MASK}"));
        }
    }
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((a, f)) => (a.to_string(), Some(f.to_string())),
        None => (rest.clone(), None),
    };
    let mut out = match before_fragment.split_once('?') {
        Some((base, query)) => format!("{base}?{}", masked_pairs(query, '&')),
        None => before_fragment,
    };
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&fragment_masked(&f));
    }
    text(&out)
}

/// Masks a URL's secrets (and tokens) wherever free text quotes the URL: a message that
/// quotes the raw URL shows the masked one instead.
pub struct Scrubber {
    raw_url: String,
    masked_url: String,
}

impl Scrubber {
    pub fn new(raw_url: &str) -> Self {
        Scrubber {
            raw_url: raw_url.to_string(),
            masked_url: url(raw_url),
        }
    }

    /// `s` with the raw URL replaced by the masked one, then the token heuristics of [`text`].
    pub fn text(&self, s: &str) -> String {
        text(&s.replace(&self.raw_url, &self.masked_url))
    }
}

/// Masks anything that looks like an AWS access key id or a bearer token in free text
/// (error messages, log lines).
pub fn text(input: &str) -> String {
    // Nothing to mask without the start of a key id or a token (a large report, mostly).
    if !(input.contains("AKIA") || input.contains("ASIA") || input.contains("eyJ")) {
        return input.to_string();
    }
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

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Standard or URL-safe base64, padding optional; `None` when it is not base64.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut buf = 0u32;
    let mut bits = 0u32;
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buf = (buf << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests;
