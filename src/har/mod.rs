//! HAR files (HTTP Archive 1.2) as DevTools save them, read into a compact, bounded model.
//! Pure: no I/O (the caller reads the file, through `user_file`), no recursion on input
//! beyond serde_json's own depth limit of 128, and every kept string bounded.
//!
//! Shapes handled (each has a fixture in `tests/fixtures/har/`):
//! - **Chrome / Edge** (`creator.name` "WebInspector"): `_resourceType` on every entry
//!   (`fetch`, `xhr`, `preflight`, `document` …); a request that fails (CORS included) has
//!   `response.status` 0, no response headers and `response._error` (`net::ERR_FAILED` for a
//!   CORS error). Preflights are entries of their own (`_resourceType: "preflight"`,
//!   `_initiator.type: "preflight"`) when DevTools saw them. Chrome 130+ "Export HAR
//!   (sanitized)" leaves out `Cookie`, `Set-Cookie` and `Authorization`: the request is then
//!   judged as recorded, without them. The Chrome fixture `chrome-real.har` is written from a
//!   real headless Chromium's DevTools protocol events (see `tests/it/har.rs`).
//! - **Firefox** (`creator.name` "Firefox"): no `_resourceType` and no `_error`; a preflight
//!   is an ordinary `OPTIONS` entry with `Access-Control-Request-Method`; a request that got no
//!   answer (the actual request after a failed preflight, a network error) has status 0 and no
//!   headers; a request whose answer failed the CORS check keeps that answer (status and
//!   headers), so the engine judges it.
//! - **Safari** (`creator.name` "WebKit Web Inspector"): `_fetchType`, `_priority`; headers
//!   one per name; preflights are not recorded at all; a failed request has status 0 and
//!   `response._error` with WebKit's text ("Origin … is not allowed by
//!   Access-Control-Allow-Origin. Status code: 403"); the status in that text is kept as
//!   [`Response::hidden_status`].
//! - Anything else in HAR 1.2 form is read the same way (`creator` decides only the label).
//!
//! Which entries are requests under CORS ([`Har::cross_origin`]): not preflights, made in
//! CORS mode ([`Entry::cors_mode`]: an `Origin` header, or Chrome's `fetch`/`xhr`), to an
//! origin other than the page's (the `Origin` header, else the `Referer`'s, else the page's
//! URL). An image, script or page load from another origin without `Origin` is no-cors: not
//! listed.
//!
//! Bounds, and what happens past them (each noted on the entry or the file, never silent):
//! [`MAX_ENTRIES`] entries (the rest are counted as skipped), [`MAX_HEADERS`] headers per
//! message, header values of [`MAX_VALUE`] bytes, request bodies of [`MAX_REQUEST_BODY`] bytes
//! (API Gateway's payload limit), response bodies of [`MAX_RESPONSE_BODY`] bytes. Base64
//! (binary) bodies are not decoded: the entry says so. An entry that is not a HAR entry (a
//! field of the wrong type, no `request`) is skipped with its number and why; a file cut off
//! mid-way (truncated JSON) keeps the entries read before the cut and says where it broke.
//! The file is read as it streams in ([`parse_reader`]): its text is never held whole, only
//! one entry's at a time, and kept strings are bounded copies of parts of it, so the model is
//! smaller than the file (`scripts/bench-har-memory.sh`: a 206 MB HAR of 50,000 entries peaks
//! at about its size, the binary included).
//!
//! Not the `har` crate (shared/reference/rust-stack.md names it): it deserializes the whole
//! document into typed structs, so a file is held whole, one entry of the wrong shape or a
//! truncated file fails everything, and nothing is bounded.
//!
//! Preflight pairing ([`Har::preflight_for`], made once by `pair_preflights`): a real
//! Chromium lists the request first and its preflight after it (its `requestWillBeSent` for
//! the preflight comes second), Firefox the preflight first.
//!
//! Secrets: the model holds values as recorded (cookies, tokens); [`Entry::secret_values`]
//! lists them so that every output can mask them by value. Error messages never quote a value
//! from the file.

mod read;
#[cfg(test)]
mod tests;

pub use read::{parse, parse_reader, HarError};

/// The largest HAR read (a file or standard input).
pub const MAX_HAR_BYTES: u64 = 512 * 1024 * 1024;
/// Entries kept; the rest are counted in [`Har::skipped`].
pub const MAX_ENTRIES: usize = 100_000;
/// Headers kept per request or response.
pub const MAX_HEADERS: usize = 200;
/// Bytes kept of a header value (or a cookie's).
pub const MAX_VALUE: usize = 16 * 1024;
/// Bytes kept of a request body (API Gateway's 10 MB payload limit).
pub const MAX_REQUEST_BODY: usize = 10 * 1024 * 1024;
/// Bytes kept of a response body (as much as the probes keep).
pub const MAX_RESPONSE_BODY: usize = 2048;
/// Bytes kept of short strings (URLs are up to 64 KiB; methods, ids, statuses text less).
const MAX_URL: usize = 64 * 1024;
const MAX_SHORT: usize = 1024;
/// Pages kept.
const MAX_PAGES: usize = 10_000;

/// Which browser's DevTools wrote the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    Chrome,
    Firefox,
    Safari,
    #[default]
    Other,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::Chrome => "Chrome",
            Shape::Firefox => "Firefox",
            Shape::Safari => "Safari",
            Shape::Other => "HAR",
        }
    }

    fn from_creator(name: &str) -> Shape {
        let n = name.to_ascii_lowercase();
        if n.contains("webkit") || n.contains("safari") {
            Shape::Safari
        } else if n.contains("webinspector") || n.contains("chrome") || n.contains("edge") {
            Shape::Chrome
        } else if n.contains("firefox") {
            Shape::Firefox
        } else {
            Shape::Other
        }
    }
}

/// A HAR read into memory, with what was left out.
#[derive(Clone, Debug, Default)]
pub struct Har {
    /// `log.creator.name` and version, as written (bounded).
    pub creator: Option<String>,
    pub shape: Shape,
    pub pages: Vec<Page>,
    pub entries: Vec<Entry>,
    /// Entries not read, with why (1-based entry numbers).
    pub skipped: Vec<Skipped>,
    /// Entries past [`MAX_ENTRIES`], not read.
    pub over_limit: usize,
    /// Set when the file breaks off (truncated or invalid JSON) after some entries: where,
    /// and that the entries before it are listed.
    pub cut: Option<String>,
    /// Request entry number → the number of the preflight entry sent for it.
    pub preflights: std::collections::BTreeMap<usize, usize>,
}

/// One page (`log.pages[]`): its id and title (Chrome and Firefox write the page's URL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based position in `log.entries`.
    pub number: usize,
    pub why: String,
}

/// One header (or cookie) as recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// A body as recorded (bounded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Body {
    pub text: String,
    /// The recorded body was longer than what was kept.
    pub truncated: bool,
    /// Base64 (`encoding: "base64"`) or text with NUL bytes: not kept as text.
    pub binary: bool,
    pub mime: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub cookies: Vec<Header>,
    pub body: Option<Body>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// 0 when the browser recorded no answer (or hid it: Chrome and Safari for CORS errors).
    pub status: u16,
    pub status_text: String,
    pub headers: Vec<Header>,
    pub cookies: Vec<Header>,
    pub body: Option<Body>,
    /// `_error` (Chrome's `net::ERR_FAILED`, WebKit's failure text).
    pub error: Option<String>,
    /// The status WebKit names in its failure text ("… Status code: 403").
    pub hidden_status: Option<u16>,
}

/// One entry (`log.entries[]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entry {
    /// 1-based position in `log.entries` (what `--entry N` names).
    pub number: usize,
    pub pageref: Option<String>,
    pub started: Option<String>,
    /// `time`, in milliseconds.
    pub time_ms: Option<f64>,
    /// Chrome's `_resourceType` (`fetch`, `xhr`, `preflight` …).
    pub resource_type: Option<String>,
    pub request: Request,
    pub response: Response,
    /// What was left out of this entry (headers over the limit, a binary body …).
    pub notes: Vec<String>,
}

/// Where an entry's page origin came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginFrom {
    OriginHeader,
    Referer,
    Page,
}

impl OriginFrom {
    pub fn describe(self) -> &'static str {
        match self {
            OriginFrom::OriginHeader => "its Origin header",
            OriginFrom::Referer => "its Referer header",
            OriginFrom::Page => "its page's URL",
        }
    }
}

impl Entry {
    /// The first request header named `name` (any case).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        header(&self.request.headers, name)
    }

    /// The first response header named `name` (any case).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        header(&self.response.headers, name)
    }

    /// A CORS preflight: Chrome's `_resourceType: "preflight"`, or an `OPTIONS` with
    /// `Access-Control-Request-Method` (Firefox, and Chrome's other exports).
    pub fn is_preflight(&self) -> bool {
        self.resource_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("preflight"))
            || (self.request.method.eq_ignore_ascii_case("OPTIONS")
                && self
                    .request_header("access-control-request-method")
                    .is_some())
    }

    /// A request the browser made in CORS mode: it carries `Origin` (every CORS request
    /// does; Chrome's record of a request that failed may leave it out), or Chrome says it
    /// came from `fetch()` or `XMLHttpRequest` (`_resourceType` `fetch`, `xhr`). An image,
    /// script or stylesheet without `Origin` was a no-cors request: CORS did not apply.
    pub fn cors_mode(&self) -> bool {
        self.request_header("origin").is_some()
            || self
                .resource_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("fetch") || t.eq_ignore_ascii_case("xhr"))
    }

    /// True when the browser recorded no answer (status 0).
    pub fn unanswered(&self) -> bool {
        self.response.status == 0
    }

    /// `scheme://host[:port]` of the request URL (http and https only).
    pub fn url_origin(&self) -> Option<String> {
        origin_of(&self.request.url)
    }

    /// The page's origin: the `Origin` header, else the `Referer`'s, else the page's URL.
    pub fn page_origin(&self, har: &Har) -> Option<(String, OriginFrom)> {
        if let Some(o) = self.request_header("origin").map(str::trim) {
            if !o.is_empty() {
                return Some((o.to_string(), OriginFrom::OriginHeader));
            }
        }
        if let Some(o) = self.request_header("referer").and_then(origin_of) {
            return Some((o, OriginFrom::Referer));
        }
        let page = self.pageref.as_deref()?;
        har.pages
            .iter()
            .find(|p| p.id == page)
            .and_then(|p| origin_of(&p.title))
            .map(|o| (o, OriginFrom::Page))
    }

    /// Every secret value the entry holds: cookies, `Authorization`-like headers,
    /// `Set-Cookie`, and the URL and bodies (read by the caller's masking rules). Returned as
    /// (header name, value) pairs and the URL and body texts.
    pub fn secret_values(&self) -> SecretValues<'_> {
        let mut headers: Vec<(&str, &str)> = Vec::new();
        for h in self.request.headers.iter().chain(&self.response.headers) {
            headers.push((&h.name, &h.value));
        }
        let mut cookies: Vec<&str> = Vec::new();
        for c in self.request.cookies.iter().chain(&self.response.cookies) {
            cookies.push(&c.value);
        }
        let bodies = [&self.request.body, &self.response.body]
            .into_iter()
            .flatten()
            .filter(|b| !b.binary)
            .map(|b| b.text.as_str())
            .collect();
        SecretValues {
            headers,
            cookies,
            url: &self.request.url,
            bodies,
        }
    }
}

/// What [`Entry::secret_values`] returns: the raw material for masking by value.
pub struct SecretValues<'a> {
    pub headers: Vec<(&'a str, &'a str)>,
    pub cookies: Vec<&'a str>,
    pub url: &'a str,
    pub bodies: Vec<&'a str>,
}

impl Har {
    /// The entry numbered `number` (1-based, as listed).
    pub fn entry(&self, number: usize) -> Option<&Entry> {
        // Entries are kept in file order, numbers increasing.
        self.entries
            .binary_search_by_key(&number, |e| e.number)
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The preflight the browser sent for `actual` (see `pair_preflights`).
    pub fn preflight_for(&self, actual: &Entry) -> Option<&Entry> {
        let n = *self.preflights.get(&actual.number)?;
        self.entry(n)
    }

    /// The entries that are cross-origin CORS requests (not preflights, not no-cors loads:
    /// [`Entry::cors_mode`]): those whose page origin is known and differs from the URL's.
    pub fn cross_origin(&self) -> impl Iterator<Item = &Entry> + '_ {
        self.entries.iter().filter(|e| {
            !e.is_preflight()
                && e.cors_mode()
                && match (e.url_origin(), e.page_origin(self)) {
                    (Some(url), Some((page, _))) => url != page,
                    _ => false,
                }
        })
    }

    /// One line on what was left out of the file, if anything.
    pub fn skipped_summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.skipped.is_empty() {
            let shown: Vec<String> = self
                .skipped
                .iter()
                .take(5)
                .map(|s| format!("entry {} ({})", s.number, s.why))
                .collect();
            let more = self.skipped.len().saturating_sub(5);
            parts.push(format!(
                "skipped {}{}",
                shown.join("; "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        if self.over_limit > 0 {
            parts.push(format!(
                "{} entries past the first {MAX_ENTRIES} were not read",
                self.over_limit
            ));
        }
        if let Some(cut) = &self.cut {
            parts.push(cut.clone());
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

fn header<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// `scheme://host[:port]` of an absolute http(s) URL.
pub fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let o = u.origin();
    o.is_tuple().then(|| o.ascii_serialization())
}
