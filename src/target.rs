//! The request under diagnosis: what the browser app sends, from which origin.
//! Also recognises API Gateway's default `execute-api` URLs.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::http::Headers;

/// The fetch credentials mode of the app's request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialsMode {
    Omit,
    #[default]
    SameOrigin,
    Include,
}

impl CredentialsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialsMode::Omit => "omit",
            CredentialsMode::SameOrigin => "same-origin",
            CredentialsMode::Include => "include",
        }
    }
}

/// A target that cannot be diagnosed as given: each message quotes the input with its
/// secrets masked, and says what to give instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("unknown credentials mode '{0}': use omit, same-origin or include.")]
    Credentials(String),
    #[error("the URL is {0} bytes long, more than the {MAX_URL_BYTES} bytes an HTTP request can carry; shorten its query string.")]
    UrlTooLong(usize),
    #[error("the URL is {0} bytes long once encoded, more than the {MAX_URL_BYTES} bytes an HTTP request can carry; shorten its query string.")]
    EncodedUrlTooLong(usize),
    #[error("invalid URL '{shown}': {why}. Give a full URL such as https://abc123.execute-api.us-east-1.amazonaws.com/prod/items.")]
    Url { shown: String, why: String },
    #[error("unsupported URL scheme '{scheme}' in '{shown}': browsers only make CORS requests over http and https.")]
    UrlScheme { scheme: String, shown: String },
    #[error("invalid URL '{0}': it has no host.")]
    UrlHost(String),
    #[error("invalid origin '{shown}': {why}. An origin is scheme://host[:port], e.g. https://app.example.com.")]
    Origin { shown: String, why: String },
    #[error("invalid origin '{0}': the scheme must be http or https.")]
    OriginScheme(String),
    #[error("invalid origin '{0}': an origin is scheme://host[:port] with no path (did you paste the page URL?).")]
    OriginPath(String),
    #[error("invalid origin '{0}': an origin has no user name or password.")]
    OriginUserInfo(String),
    #[error("invalid origin '{0}': it has no host. Use scheme://host[:port].")]
    OriginHost(String),
}

impl std::str::FromStr for CredentialsMode {
    type Err = TargetError;
    fn from_str(s: &str) -> Result<Self, TargetError> {
        match s {
            "omit" => Ok(Self::Omit),
            "same-origin" => Ok(Self::SameOrigin),
            "include" => Ok(Self::Include),
            other => Err(TargetError::Credentials(crate::redact::shorten(other, 40))),
        }
    }
}

/// The browser app's request, validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The URL fetched. For an offline diagnosis it is synthesized from the API and path.
    pub url: Url,
    /// The page's serialized origin (`scheme://host[:port]`, no path, no trailing slash).
    pub origin: String,
    /// The method as the app passes it to `fetch()` (not yet normalized).
    pub method: String,
    /// The headers the app sets (the browser adds `Origin` and friends itself).
    pub headers: Headers,
    pub body: Option<String>,
    pub credentials: CredentialsMode,
}

impl Target {
    /// Every secret of this request (its URL, headers and body), to be masked by value.
    pub fn secrets(&self) -> crate::redact::Secrets {
        let mut s = crate::redact::Secrets::new();
        s.add_url(self.url.as_str());
        for (n, v) in self.headers.iter() {
            s.add_header(n, v);
        }
        if let Some(b) = &self.body {
            s.add_body(b);
        }
        s
    }
}

/// The longest URL the probes can send: the HTTP stack's limit for a request target
/// (`http::Uri`, 65,534 bytes). Longer URLs are refused before anything is sent.
pub const MAX_URL_BYTES: usize = 65_534;

/// A host that is this machine: `localhost`, `*.localhost`, or a loopback address
/// (<https://w3c.github.io/webappsec-secure-contexts/#is-url-trustworthy>; browsers also
/// treat it as the loopback address space).
pub fn is_loopback_host(host: Option<url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A user's input quoted in a message: secrets masked, at most 200 characters.
pub fn quoted(input: &str) -> String {
    crate::redact::shorten(&crate::redact::url(input.trim()), 200)
}

/// Validates and parses a target URL: http or https with a host, short enough to send.
pub fn parse_url(input: &str) -> Result<Url, TargetError> {
    if input.trim().len() > MAX_URL_BYTES {
        return Err(TargetError::UrlTooLong(input.trim().len()));
    }
    let url = Url::parse(input.trim()).map_err(|e| TargetError::Url {
        shown: quoted(input),
        why: e.to_string(),
    })?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(TargetError::UrlScheme {
                scheme: crate::redact::shorten(other, 40),
                shown: quoted(input),
            })
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(TargetError::UrlHost(quoted(input)));
    }
    if url.as_str().len() > MAX_URL_BYTES {
        return Err(TargetError::EncodedUrlTooLong(url.as_str().len()));
    }
    Ok(url)
}

/// Validates an origin and returns its serialization (`https://app.example.com`).
/// A path of `/` is tolerated (users paste it) but any other path, query or fragment is not,
/// and neither is the opaque origin `null`, which a page under diagnosis cannot have here.
pub fn parse_origin(input: &str) -> Result<String, TargetError> {
    let input = input.trim();
    let shown = quoted(input);
    let url = Url::parse(input).map_err(|e| TargetError::Origin {
        shown: shown.clone(),
        why: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::OriginScheme(shown));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(TargetError::OriginPath(shown));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::OriginUserInfo(shown));
    }
    match url.origin() {
        url::Origin::Tuple(..) => Ok(url.origin().ascii_serialization()),
        url::Origin::Opaque(_) => Err(TargetError::OriginHost(shown)),
    }
}

/// Where an `execute-api` URL points: `https://{id}.execute-api.{region}.amazonaws.com/{stage}/{path}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiRef {
    pub api_id: String,
    pub region: String,
    pub stage: Option<String>,
    /// The resource path below the stage, always starting with `/`.
    pub path: String,
}

impl ApiRef {
    /// Recognises the default endpoint of a REST or HTTP API. `None` for any other host
    /// (a custom domain needs a lookup to resolve).
    pub fn from_url(url: &Url) -> Option<ApiRef> {
        let host = url.host_str()?;
        let (api_id, rest) = host.split_once(".execute-api.")?;
        let region = rest.strip_suffix(".amazonaws.com")?;
        let valid_id = !api_id.is_empty() && api_id.bytes().all(|b| b.is_ascii_alphanumeric());
        if !valid_id || region.is_empty() || region.contains('.') {
            return None;
        }
        let mut segments = url.path_segments()?.filter(|s| !s.is_empty());
        let stage = segments.next().map(str::to_string);
        let rest: Vec<&str> = segments.collect();
        Some(ApiRef {
            api_id: api_id.to_string(),
            region: region.to_string(),
            stage,
            path: format!("/{}", rest.join("/")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_serialized_and_validated() {
        assert_eq!(
            parse_origin("https://App.Example.com/").as_deref(),
            Ok("https://app.example.com")
        );
        assert_eq!(
            parse_origin("http://localhost:3000").as_deref(),
            Ok("http://localhost:3000")
        );
        assert_eq!(
            parse_origin("https://a.example:443").as_deref(),
            Ok("https://a.example")
        );
        assert!(parse_origin("https://a.example/app").is_err());
        assert!(parse_origin("a.example").is_err());
        assert!(parse_origin("ftp://a.example").is_err());
    }

    #[test]
    fn urls_must_be_http() {
        assert!(parse_url("https://x.example/a").is_ok());
        assert!(parse_url("ftp://x.example/a")
            .unwrap_err()
            .to_string()
            .contains("unsupported URL scheme"));
        assert!(parse_url("not a url")
            .unwrap_err()
            .to_string()
            .contains("invalid URL"));
    }

    #[test]
    fn execute_api_urls_resolve() {
        let url =
            Url::parse("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/items/42").unwrap();
        let r = ApiRef::from_url(&url).unwrap();
        assert_eq!(r.api_id, "abc123");
        assert_eq!(r.region, "eu-west-1");
        assert_eq!(r.stage.as_deref(), Some("prod"));
        assert_eq!(r.path, "/items/42");
        let other = Url::parse("https://api.example.com/v1/items").unwrap();
        assert_eq!(ApiRef::from_url(&other), None);
    }
}
