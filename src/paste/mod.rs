//! Requests pasted from the browser's DevTools: "Copy as cURL (bash)", "Copy as cURL (cmd)"
//! and "Copy as fetch" (and "Copy as fetch (Node.js)"), read into a [`Pasted`] request. Pure:
//! no I/O, input bounded by [`MAX_PASTE_BYTES`], no recursion on input (JSON nesting of a
//! fetch init is bounded by serde_json's own depth limit of 128).
//!
//! The shapes follow what DevTools writes (Chrome's `front_end/panels/network/NetworkLogView.ts`,
//! `generateCurlCommand`/`generateFetchCall`, whose quoting Firefox's `curl.js` shares): bash
//! copies quote with `'…'`, or `$'…'` with `\uXXXX` escapes when the value holds a control
//! character, `!` or `'`; cmd copies wrap every value in `^"…^"` (see `shell::cmd_words`);
//! cookies come as `-b`; a body as `--data-raw`; "Copy as fetch" is
//! `fetch(JSON-string, JSON-object)` with `referrer`, `credentials` and `mode`, and the Node.js
//! variant moves the cookie and the referrer into `headers`.
//!
//! Choices the browsers leave open, and what this module does:
//! - A DevTools copy lists every header the browser sent, including those the browser adds
//!   itself. Those the page's script cannot have set are left out of the request under
//!   diagnosis (their names are listed in [`Pasted::dropped`]): Fetch's forbidden request
//!   headers that the copy shows (`Origin`, `Referer`, `Host`, `Connection`,
//!   `Accept-Encoding`, `Content-Length`, `Sec-*`, `Proxy-*`), and `User-Agent` and `Priority`
//!   (Chrome 124+ adds `priority: u=1, i`), which Chrome sets itself. `Cache-Control:
//!   no-cache` with `Pragma: no-cache` is what DevTools' "Disable cache" adds: left out too.
//!   `Accept: */*` is what fetch() adds when the page sets no Accept (Fetch, "fetch" step
//!   "append (`Accept`, `*/*`)"): left out, as cors-doctor adds it itself.
//!   `Cookie` is kept (the issue asks for it to be sent), and `Origin`/`Referer` give the origin.
//! - `-b NAME=VALUE` becomes a `Cookie` header; `-b FILE` (a cookie jar) is refused.
//! - A curl paste that carries cookies implies the page sent credentials: `credentials` is
//!   `include` unless given.

pub mod curl;
pub mod fetch;
mod shell;

/// The longest paste accepted: API Gateway's 10 MB payload limit plus room for the headers.
pub const MAX_PASTE_BYTES: usize = 11 * 1024 * 1024;

/// Which DevTools copy the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasteKind {
    Curl,
    Fetch,
}

impl PasteKind {
    /// The flag that takes this kind of paste.
    pub fn flag(self) -> &'static str {
        match self {
            PasteKind::Curl => "--from-curl",
            PasteKind::Fetch => "--from-fetch",
        }
    }
}

/// A pasted body: text, or (curl's `-d @FILE`, `--data-binary @FILE`) a file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PastedBody {
    Text(String),
    File(String),
}

/// The request read from a paste. Header values are raw (secrets included): they are masked
/// wherever they are shown, as `-H` values are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pasted {
    pub url: String,
    /// The method, when the paste says it (or implies it: a body means POST in curl).
    pub method: Option<String>,
    /// The headers the page's script can have set, in order, as (name, value).
    pub headers: Vec<(String, String)>,
    pub body: Option<PastedBody>,
    /// fetch()'s credentials mode (`omit`, `same-origin`, `include`).
    pub credentials: Option<String>,
    /// fetch()'s `mode` (`cors`, `no-cors`, `same-origin`, `navigate`).
    pub fetch_mode: Option<String>,
    /// The page's origin (`scheme://host[:port]`) and where it came from.
    pub origin: Option<(String, OriginSource)>,
    /// Names of the headers left out, set by the browser rather than by the page (`Origin` and
    /// `Referer`, which give [`Pasted::origin`], are not listed).
    pub dropped: Vec<String>,
}

/// Where the pasted origin came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginSource {
    OriginHeader,
    Referer,
    FetchReferrer,
}

impl OriginSource {
    pub fn describe(self) -> &'static str {
        match self {
            OriginSource::OriginHeader => "its Origin header",
            OriginSource::Referer => "its Referer header",
            OriginSource::FetchReferrer => "fetch's referrer",
        }
    }
}

/// Why a paste was not understood. Messages name options and syntax, never a value (which may
/// be a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasteError {
    #[error("{flag}: the pasted text is empty; paste the whole command DevTools copied.")]
    Empty { flag: &'static str },
    #[error("{flag}: the pasted text is longer than {mb} MB; paste one request.", mb = MAX_PASTE_BYTES / (1024 * 1024))]
    TooLong { flag: &'static str },
    #[error("--from-curl: the pasted text does not start with `curl`; paste what DevTools' \"Copy as cURL\" copied.")]
    NotCurl,
    #[error("--from-curl: the command ends inside a {0}; paste the whole command.")]
    Unterminated(&'static str),
    #[error("--from-curl: {0} is shell syntax cors-doctor does not run; paste the command as DevTools copied it.")]
    Shell(String),
    #[error("--from-curl: the option '{0}' is not understood; remove it, or give the request with cors-doctor's own flags.")]
    UnknownOption(String),
    #[error("--from-curl: the option '{0}' needs a value.")]
    MissingValue(String),
    #[error("--from-curl: {0}")]
    Unsupported(&'static str),
    #[error("{flag}: the paste names no URL.")]
    NoUrl { flag: &'static str },
    #[error("--from-curl: the command names more than one URL; paste one request.")]
    TwoUrls,
    #[error("--from-curl: the header after -H is not 'Name: value'.")]
    BadHeader,
    #[error("--from-fetch: the pasted text is not a fetch(URL, {{…}}) call; paste what DevTools' \"Copy as fetch\" copied.")]
    NotFetch,
    #[error("--from-fetch: {0}; paste what DevTools' \"Copy as fetch\" copied.")]
    FetchSyntax(String),
    #[error("--from-fetch: the init's \"{0}\" is not a string as DevTools writes it.")]
    FetchField(String),
}

/// Reads a paste of `kind`.
pub fn parse(kind: PasteKind, text: &str) -> Result<Pasted, PasteError> {
    let flag = kind.flag();
    if text.len() > MAX_PASTE_BYTES {
        return Err(PasteError::TooLong { flag });
    }
    if text.trim().is_empty() {
        return Err(PasteError::Empty { flag });
    }
    let text = text.replace("\r\n", "\n");
    match kind {
        PasteKind::Curl => curl::parse(&text),
        PasteKind::Fetch => fetch::parse(&text),
    }
}

/// A name shown in an error: at most 40 characters, controls escaped.
pub(crate) fn shown(name: &str) -> String {
    let short: String = name.chars().take(40).collect();
    let short = if name.chars().count() > 40 {
        format!("{short}…")
    } else {
        short
    };
    short.escape_debug().to_string()
}

/// `scheme://host[:port]` of an absolute http(s) URL.
fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let o = u.origin();
    o.is_tuple().then(|| o.ascii_serialization())
}

/// True for a header a browser sets itself (as DevTools shows it in a copy or a HAR), which
/// the page's script cannot have set (see the module docs); `no_cache` is true when the
/// request carries DevTools' "Disable cache" pair (`Cache-Control`/`Pragma: no-cache`).
pub fn browser_set(name: &str, value: &str, no_cache: bool) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "origin"
            | "referer"
            | "host"
            | "connection"
            | "keep-alive"
            | "accept-encoding"
            | "content-length"
            | "te"
            | "user-agent"
            | "priority"
            | "referrer-policy"
    ) || lower.starts_with("sec-")
        || lower.starts_with("proxy-")
        || (no_cache && (lower == "cache-control" || lower == "pragma"))
        || (lower == "accept" && value.trim() == "*/*")
}

/// Splits the raw headers into those the page can have set and the browser's own, and finds
/// the origin (the Origin header, else the Referer, else `referrer`).
fn finish(mut p: Pasted, raw: Vec<(String, String)>, referrer: Option<&str>) -> Pasted {
    let get = |n: &str| {
        raw.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.trim())
    };
    let no_cache = get("cache-control").is_some_and(|v| v.eq_ignore_ascii_case("no-cache"))
        && get("pragma").is_some_and(|v| v.eq_ignore_ascii_case("no-cache"));
    p.origin = match (get("origin"), get("referer"), referrer) {
        (Some(o), _, _) if !o.is_empty() => Some((o.to_string(), OriginSource::OriginHeader)),
        (_, Some(r), _) if origin_of(r).is_some() => {
            origin_of(r).map(|o| (o, OriginSource::Referer))
        }
        (_, _, Some(r)) => origin_of(r).map(|o| (o, OriginSource::FetchReferrer)),
        _ => None,
    };
    for (name, value) in raw {
        let lower = name.to_ascii_lowercase();
        let browser_set = browser_set(&name, &value, no_cache);
        if browser_set {
            // Origin and Referer give the origin: not "left out".
            if !matches!(lower.as_str(), "origin" | "referer")
                && !p.dropped.iter().any(|d| d.eq_ignore_ascii_case(&name))
            {
                p.dropped.push(name);
            }
        } else {
            p.headers.push((name, value));
        }
    }
    p
}

#[cfg(test)]
mod tests;
