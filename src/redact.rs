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

use std::sync::RwLock;

use url::Url;

use crate::exchange::{Exchange, RecordedRequest, RecordedResponse};
use crate::http::Headers;

// Display-safe text helpers, at the bottom of the module graph (`http` uses them too).
pub use crate::text::{escape_controls, shorten};

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

/// Secret values shorter than this are not masked by value.
pub const MIN_SECRET_LEN: usize = 4;
/// Secret values at least this long are masked anywhere; shorter ones only as whole words.
pub const ANYWHERE_LEN: usize = 8;

/// The secret values a user supplied, to be masked wherever they appear (by value).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets {
    /// Longest first, so that a value containing another is masked whole.
    values: Vec<String>,
}

impl Secrets {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Adds a secret value and its encoded forms.
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        let mut forms = vec![value.to_string(), percent_decode(value)];
        forms.push(percent_encode(value));
        forms.push(value.replace('/', "\\/"));
        for form in forms {
            if form.chars().count() >= MIN_SECRET_LEN && !self.values.contains(&form) {
                self.values.push(form);
            }
        }
        self.values
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }

    /// Adds a value that is secret only when it is long enough to be a token (user names).
    pub fn add_token_like(&mut self, value: &str) {
        if value.trim().chars().count() >= ANYWHERE_LEN {
            self.add(value);
        }
    }

    /// Adds everything secret in a header: the credential after an auth scheme, a `Basic`
    /// credential's user name and password, each cookie value, or the whole value.
    pub fn add_header(&mut self, name: &str, value: &str) {
        if !is_secret_header(name) {
            return;
        }
        let value = value.trim();
        let lower = name.to_ascii_lowercase();
        if lower == "cookie" || lower == "set-cookie" {
            for pair in value.split(';') {
                if let Some((_, v)) = pair.split_once('=') {
                    self.add(v);
                }
            }
            return;
        }
        match value.split_once(' ') {
            Some((scheme, credential)) if lower.ends_with("authorization") => {
                self.add(credential);
                if scheme.eq_ignore_ascii_case("basic") {
                    if let Some(decoded) = base64_decode(credential.trim()) {
                        let decoded = String::from_utf8_lossy(&decoded).into_owned();
                        self.add(&decoded);
                        if let Some((user, password)) = decoded.split_once(':') {
                            self.add_token_like(user);
                            self.add(password);
                        }
                    }
                }
            }
            _ => self.add(value),
        }
    }

    /// Adds a `Name: value` header argument as the user typed it (it may be malformed).
    pub fn add_header_arg(&mut self, arg: &str) {
        match arg.split_once(':') {
            Some((name, value)) => self.add_header(name.trim(), value),
            // No colon: a mistyped header; whatever follows a secret-looking name is secret.
            None => {
                let mut words = arg.split_whitespace();
                if let Some(name) = words.next() {
                    if is_secret_header(name) {
                        let rest: Vec<&str> = words.collect();
                        match rest.as_slice() {
                            [] => {}
                            [one] => self.add(one),
                            [_, tail @ ..] => {
                                self.add(&rest.join(" "));
                                self.add(&tail.join(" "));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds a URL's user name, password, and secret query and fragment values. Works on text
    /// that does not parse as a URL too.
    pub fn add_url(&mut self, input: &str) {
        let input = input.trim();
        if let Some(start) = input.find("//").map(|i| i + 2) {
            let end = input[start..]
                .find(['/', '?', '#'])
                .map_or(input.len(), |i| start + i);
            if let Some(at) = input[start..end].rfind('@') {
                let userinfo = &input[start..start + at];
                // A user name is masked by value only when it is long enough to be a token
                // (`https://TOKEN@host`); `user` or `admin` would mask ordinary words.
                match userinfo.split_once(':') {
                    Some((user, password)) => {
                        self.add_token_like(user);
                        self.add(password);
                    }
                    None => self.add_token_like(userinfo),
                }
            }
        }
        let (before, fragment) = input.split_once('#').unwrap_or((input, ""));
        let query = before.split_once('?').map_or("", |(_, q)| q);
        for pairs in [query, fragment] {
            let mut any_pair = false;
            for pair in pairs.split('&') {
                if let Some((k, v)) = pair.split_once('=') {
                    any_pair = true;
                    if is_secret_param(&percent_decode(k)) {
                        self.add(v);
                    }
                }
            }
            // A bare fragment that looks like a token (`#eyJ…`).
            if !any_pair && !pairs.is_empty() && text(pairs) != pairs {
                self.add(pairs);
            }
        }
    }

    /// Adds the values of secret-named fields of a JSON or form-encoded body.
    pub fn add_body(&mut self, body: &str) {
        let trimmed = body.trim_start();
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
                self.add_json_secrets(&v, 0);
            }
        } else if body.contains('=') {
            for pair in body.split('&') {
                if let Some((k, v)) = pair.split_once('=') {
                    if is_secret_param(&percent_decode(k)) {
                        self.add(v);
                        self.add(&percent_decode(v));
                    }
                }
            }
        }
    }

    fn add_json_secrets(&mut self, v: &serde_json::Value, depth: usize) {
        use serde_json::Value;
        if depth > 64 {
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::String(s) if is_secret_param(k) => self.add(s),
                        other => self.add_json_secrets(other, depth + 1),
                    }
                }
            }
            Value::Array(items) => items
                .iter()
                .for_each(|i| self.add_json_secrets(i, depth + 1)),
            _ => {}
        }
    }

    /// Every secret in raw command-line words (for messages about a command line that did not
    /// parse): URLs, header arguments, and whatever follows an auth scheme.
    pub fn from_argv(argv: impl IntoIterator<Item = String>) -> Secrets {
        let mut s = Secrets::new();
        for arg in argv {
            s.add_url(&arg);
            s.add_header_arg(&arg);
            for scheme in ["Bearer ", "Basic ", "Token "] {
                if let Some(i) = arg.find(scheme) {
                    s.add(&arg[i + scheme.len()..]);
                }
            }
        }
        s
    }

    /// Adds every value of `other`.
    pub fn extend(&mut self, other: &Secrets) {
        for v in &other.values {
            if !self.values.contains(v) {
                self.values.push(v.clone());
            }
        }
        self.values
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }

    /// `input` with every secret value replaced by `****`, then the token heuristics of
    /// [`text`].
    pub fn mask(&self, input: &str) -> String {
        let mut out = input.to_string();
        for v in &self.values {
            if !out.contains(v.as_str()) {
                continue;
            }
            out = if v.chars().count() >= ANYWHERE_LEN {
                out.replace(v.as_str(), MASK)
            } else {
                replace_words(&out, v)
            };
        }
        text(&out)
    }

    /// `input` with every character of every secret value in it shown as `•`, so that the
    /// text keeps its length (a form field keeps its cursor where it was).
    pub fn obscure(&self, input: &str) -> String {
        let mut out = input.to_string();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), &"•".repeat(v.chars().count()));
            }
        }
        out
    }

    /// Masks every string value in a JSON value, in place. Object keys are left alone: in
    /// the types masked here they are field names (headers are `[name, value]` pairs), and
    /// renaming one would make the value unreadable as its type.
    pub fn mask_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => {
                let masked = self.mask(s);
                if masked != *s {
                    *s = masked;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.mask_json(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.mask_json(v)),
            _ => {}
        }
    }

    /// A copy of `item` with every string in it masked (through its serde form). `None` when
    /// the round trip fails, so that callers can refuse to show it.
    pub fn masked<T>(&self, item: &T) -> Option<T>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        if self.is_empty() {
            // Only the token heuristics apply.
            return map_strings(item, &text);
        }
        let mut value = serde_json::to_value(item).ok()?;
        self.mask_json(&mut value);
        if let Ok(masked) = serde_json::from_value(value) {
            return Some(masked);
        }
        // A secret that equals a word of the type's vocabulary (an enum value such as
        // `blocked`) made it unreadable: mask again, leaving such words alone.
        map_strings(item, &|s: &str| {
            if is_vocabulary_word(s) {
                s.to_string()
            } else {
                self.mask(s)
            }
        })
    }
}

/// An enum value's shape: `blocked`, `network-error`, `OPTIONS_MISSING`.
fn is_vocabulary_word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_')
}

/// A copy of `item` with `f` applied to every string in it (through its serde form); `None`
/// when the round trip fails.
pub fn map_strings<T>(item: &T, f: &dyn Fn(&str) -> String) -> Option<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    fn walk(v: &mut serde_json::Value, f: &dyn Fn(&str) -> String) {
        use serde_json::Value;
        match v {
            Value::String(s) => *s = f(s),
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, f)),
            Value::Object(map) => map.values_mut().for_each(|v| walk(v, f)),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(item).ok()?;
    walk(&mut value, f);
    serde_json::from_value(value).ok()
}

/// Replaces `needle` where it is a whole word (not inside a run of letters and digits).
fn replace_words(haystack: &str, needle: &str) -> String {
    let mut out = String::with_capacity(haystack.len());
    let mut rest = haystack;
    let mut prev: Option<char> = None;
    while let Some(i) = rest.find(needle) {
        let before = rest[..i].chars().next_back().or(prev);
        let after = rest[i + needle.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..i]);
        if word(before) || word(after) {
            out.push_str(needle);
        } else {
            out.push_str(MASK);
        }
        prev = needle.chars().next_back();
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// The secrets every output of this process masks: what the user supplied on the command
/// line, in the configuration and in the form. Stderr, the log file and the terminal UI's
/// messages mask with it; reports mask with the secrets of their own target as well.
static KNOWN: RwLock<Option<Secrets>> = RwLock::new(None);

/// Adds secrets to the process-wide set.
pub fn remember(secrets: &Secrets) {
    if secrets.is_empty() {
        return;
    }
    if let Ok(mut known) = KNOWN.write() {
        known.get_or_insert_with(Secrets::new).extend(secrets);
    }
}

/// `input` masked with every secret this process knows of, and the token heuristics.
pub fn known(input: &str) -> String {
    match KNOWN.read() {
        Ok(guard) => match guard.as_ref() {
            Some(s) => s.mask(input),
            None => text(input),
        },
        Err(_) => text(input),
    }
}

/// The process-wide secrets (empty when none were remembered).
pub fn known_secrets() -> Secrets {
    KNOWN
        .read()
        .ok()
        .and_then(|g| g.clone())
        .unwrap_or_default()
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

/// A copy of an exchange with every secret masked, by structure and by value in every
/// field (for display before the report exists, and in the report).
pub fn exchange(x: &Exchange, secrets: &Secrets) -> Exchange {
    let mut x = x.clone();
    x.request = request(&x.request, secrets);
    if let Some(r) = &x.response {
        x.response = Some(RecordedResponse {
            headers: headers(&r.headers),
            ..r.clone()
        });
    }
    match secrets.masked(&x) {
        Some(masked) => masked,
        None => Exchange {
            response: None,
            error: None,
            ..x
        },
    }
}

/// A copy of a request with every secret masked, by structure and by value.
pub fn request(r: &RecordedRequest, secrets: &Secrets) -> RecordedRequest {
    let r = RecordedRequest {
        method: r.method.clone(),
        url: url(&r.url),
        headers: headers(&r.headers),
        body: r.body.clone(),
    };
    match secrets.masked(&r) {
        Some(masked) => masked,
        None => RecordedRequest {
            headers: Headers::new(),
            body: None,
            ..r
        },
    }
}

#[cfg(test)]
mod tests;
