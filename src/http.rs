//! Pure HTTP value types shared by every layer: an ordered header list that keeps duplicates
//! and the names as they were sent, because CORS verdicts depend on both.

use serde::{Deserialize, Serialize};

/// An ordered list of header fields. Lookups are ASCII case-insensitive; duplicates are kept
/// (two `Access-Control-Allow-Origin` fields are a CORS failure of their own).
/// Serializes as `[["name", "value"], ...]`, the shape of the JSON report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Builder form of [`Headers::push`].
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.push(name, value);
        self
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The Fetch standard's "get": all values of `name` joined with ", ", or `None`.
    pub fn combined(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self.get_all(name).collect();
        if values.is_empty() {
            None
        } else {
            Some(values.join(", "))
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Removes every field called `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Replaces every field called `name` with one field.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.remove(&name);
        self.push(name, value);
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, String)> for Headers {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Headers(iter.into_iter().collect())
    }
}

/// A `-H` argument that is not a header. Messages never quote the value (it may be a
/// secret), only the start of the argument or the name, shortened and escaped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderArgError {
    #[error("malformed header starting '{0}': expected 'Name: value', as in curl -H.")]
    NoColon(String),
    #[error(
        "malformed header: '{0}' is not a valid header name. Write 'Name: value', as in curl -H."
    )]
    BadName(String),
    #[error("malformed header '{0}': its value contains a line break or NUL, which HTTP does not allow.")]
    BadValue(String),
}

/// Parses a curl-style `Name: value` header argument.
pub fn parse_header_arg(arg: &str) -> Result<(String, String), HeaderArgError> {
    let shown = |s: &str| crate::text::escape_controls(&crate::text::shorten(s, 60));
    let Some((name, value)) = arg.split_once(':') else {
        let first = arg.split_whitespace().next().unwrap_or_default();
        return Err(HeaderArgError::NoColon(shown(first)));
    };
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(HeaderArgError::BadName(shown(name)));
    }
    let value = value.trim();
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(HeaderArgError::BadValue(name.to_string()));
    }
    Ok((name.to_string(), value.to_string()))
}

/// RFC 9110 `tchar`.
pub fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_case_insensitive_and_keep_duplicates() {
        let h = Headers::new()
            .with("Access-Control-Allow-Origin", "https://a.example")
            .with("access-control-allow-origin", "https://b.example");
        assert_eq!(
            h.get("ACCESS-CONTROL-ALLOW-ORIGIN"),
            Some("https://a.example")
        );
        assert_eq!(
            h.combined("access-control-allow-origin").as_deref(),
            Some("https://a.example, https://b.example")
        );
        assert_eq!(h.combined("vary"), None);
    }

    #[test]
    fn header_args_parse_like_curl() {
        assert_eq!(
            parse_header_arg("Authorization: Bearer x:y"),
            Ok(("Authorization".into(), "Bearer x:y".into()))
        );
        assert_eq!(
            parse_header_arg("X-Empty:"),
            Ok(("X-Empty".into(), "".into()))
        );
        assert!(parse_header_arg("no colon").is_err());
        assert!(parse_header_arg(": value").is_err());
        assert!(parse_header_arg("Bad Name: v").is_err());
    }
}

/// A request as a server sees it (the simulator, the behaviour model, test servers).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// Path and query as sent, e.g. `/prod/items?x=1`.
    pub path_and_query: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// A response as a server sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Headers,
    pub body: Vec<u8>,
}
