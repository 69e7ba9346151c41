//! Masking by value: the secret values a user supplied ([`Secrets`]), masked wherever they
//! appear, and the process-wide set every output masks with ([`remember`], [`known`]).

use std::sync::RwLock;

use super::{
    base64_decode, is_secret_header, is_secret_param, percent_decode, percent_encode, text, MASK,
};

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

    /// How many values (each form counted) are held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// The values held (each form), longest first.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
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
