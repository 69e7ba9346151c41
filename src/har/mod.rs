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

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

#[cfg(test)]
mod tests;

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

    /// The preflight the browser sent for `actual` (see [`pair_preflights`]).
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

/// Why a HAR could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HarError {
    #[error("the file is empty; save the HAR again from DevTools' Network tab (Export HAR).")]
    Empty,
    #[error("the file is not JSON ({0}); a HAR is the JSON file DevTools' \"Export HAR\" (Chrome, Safari) or \"Save All As HAR\" (Firefox) writes.")]
    NotJson(String),
    #[error("the file is JSON but not a HAR: {0}; give the file DevTools' \"Export HAR\" wrote.")]
    NotHar(&'static str),
    #[error("the file is larger than {mb} MB; export only the failing requests (filter the Network tab first).", mb = MAX_HAR_BYTES / (1024 * 1024))]
    TooLarge,
}

/// Reads a HAR's text (see [`parse_reader`]).
pub fn parse(text: &str) -> Result<Har, HarError> {
    parse_reader(text.as_bytes())
}

/// Reads a HAR from `input` as it streams in: the file's text is never held whole, only one
/// entry's at a time (so memory is the model's, which is at most the file's size). Entries
/// that cannot be read are skipped (with why); a file that breaks off keeps the entries
/// before the break ([`Har::cut`]). Errors only when nothing usable is there. More than
/// [`MAX_HAR_BYTES`] is refused.
pub fn parse_reader(input: impl std::io::Read) -> Result<Har, HarError> {
    let mut input = Limited {
        inner: input,
        left: MAX_HAR_BYTES,
        over: false,
        read: 0,
    };
    // A byte-order mark, then the first non-blank byte: an empty file is said so.
    let mut first = [0u8; 3];
    let mut head = Vec::new();
    let n = read_up_to(&mut input, &mut first).map_err(|e| HarError::NotJson(e.to_string()))?;
    if first[..n] != [0xef, 0xbb, 0xbf] {
        head.extend_from_slice(&first[..n]);
    }
    let mut har = Har::default();
    let mut state = State::default();
    let reader = std::io::Read::chain(&head[..], &mut input);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = RootSeed {
        har: &mut har,
        state: &mut state,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if input.over {
        return Err(HarError::TooLarge);
    }
    if let Err(e) = result {
        if input.read == 0 || (e.is_eof() && !state.saw_log && only_blank(&head)) {
            return Err(HarError::Empty);
        }
        let at = format!("line {}, column {}", e.line(), e.column());
        let why = match e.classify() {
            serde_json::error::Category::Eof => format!("the file ends early, at {at}"),
            _ => format!("invalid JSON at {at}"),
        };
        if har.entries.is_empty() && har.skipped.is_empty() {
            return Err(if !e.is_data() {
                HarError::NotJson(why)
            } else if state.saw_entries {
                HarError::NotHar("its \"log.entries\" is not a list of entries")
            } else if state.saw_log {
                HarError::NotHar("its \"log\" is not an object")
            } else {
                HarError::NotHar("it has no \"log\" object")
            });
        }
        har.cut = Some(format!(
            "{why}, after {} entries: the entries before it are listed",
            har.entries.len() + har.skipped.len()
        ));
        state.saw_entries = true;
    }
    if !state.saw_log {
        return Err(HarError::NotHar("it has no \"log\" object"));
    }
    if !state.saw_entries {
        return Err(HarError::NotHar("its \"log\" has no \"entries\" list"));
    }
    if har.shape == Shape::Other {
        // No creator (or an unknown one): the entries' custom fields tell.
        har.shape = state.guessed;
    }
    har.preflights = pair_preflights(&har);
    Ok(har)
}

/// How far (in preflights for the same URL) a request's preflight is looked for.
const PAIR_WINDOW: usize = 64;

/// Pairs each request with the preflight the browser sent for it: a preflight entry for the
/// same URL whose `Access-Control-Request-Method` is the request's method (and the same
/// `Origin`, when both say), not already paired, the nearest in the file. On a tie Chrome's
/// is the one after (DevTools lists the request first: seen in a real Chromium's events,
/// `tests/fixtures/har/chrome-real.har`), the others' the one before (Firefox lists the
/// preflight first). A file without preflights (Safari) pairs nothing.
fn pair_preflights(har: &Har) -> std::collections::BTreeMap<usize, usize> {
    use std::collections::{BTreeMap, HashMap, HashSet};
    let mut by_url: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in har.entries.iter().enumerate() {
        if e.is_preflight() {
            by_url.entry(e.request.url.as_str()).or_default().push(i);
        }
    }
    let mut claimed: HashSet<usize> = HashSet::new();
    let mut pairs = BTreeMap::new();
    let after_first = har.shape == Shape::Chrome;
    for (i, actual) in har.entries.iter().enumerate() {
        if actual.is_preflight() {
            continue;
        }
        let Some(candidates) = by_url.get(actual.request.url.as_str()) else {
            continue;
        };
        let origin = actual.request_header("origin").map(str::trim);
        let fits = |j: usize| {
            let e = &har.entries[j];
            !claimed.contains(&j)
                && e.request_header("access-control-request-method")
                    .is_none_or(|m| m.trim().eq_ignore_ascii_case(&actual.request.method))
                && match (origin, e.request_header("origin")) {
                    (Some(a), Some(b)) => a == b.trim(),
                    _ => true,
                }
        };
        let split = candidates.partition_point(|&j| j < i);
        let before = candidates[..split]
            .iter()
            .rev()
            .take(PAIR_WINDOW)
            .copied()
            .find(|&j| fits(j));
        let after = candidates[split..]
            .iter()
            .take(PAIR_WINDOW)
            .copied()
            .find(|&j| fits(j));
        let pick = match (before, after) {
            (Some(b), Some(a)) => {
                let (db, da) = (i - b, a - i);
                if da < db || (da == db && after_first) {
                    a
                } else {
                    b
                }
            }
            (Some(b), None) => b,
            (None, Some(a)) => a,
            (None, None) => continue,
        };
        claimed.insert(pick);
        pairs.insert(actual.number, har.entries[pick].number);
    }
    pairs
}

/// A reader that stops (with an error) after `left` bytes, remembering that it did.
struct Limited<R> {
    inner: R,
    left: u64,
    over: bool,
    read: u64,
}

impl<R: std::io::Read> std::io::Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more than allowed tells "too large" from "exactly the limit".
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? > 0 {
                self.over = true;
                return Err(std::io::Error::other("the HAR is too large"));
            }
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        self.read += n as u64;
        Ok(n)
    }
}

fn read_up_to(r: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn only_blank(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_whitespace)
}

#[derive(Default)]
struct State {
    saw_log: bool,
    saw_entries: bool,
    guessed: Shape,
}

struct RootSeed<'a> {
    har: &'a mut Har,
    state: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a HAR object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<KeyName>()? {
            if key.0 == "log" && !self.state.saw_log {
                self.state.saw_log = true;
                map.next_value_seed(LogSeed {
                    har: self.har,
                    state: self.state,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A map key, borrowed when it can be (short: keys are bounded by the JSON itself).
struct KeyName(String);

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Bounded::<MAX_SHORT>::deserialize(d).map(|b| KeyName(b.text))
    }
}

struct LogSeed<'a> {
    har: &'a mut Har,
    state: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Creator {
    name: Option<Bounded<MAX_SHORT>>,
    version: Option<Bounded<MAX_SHORT>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPage {
    id: Option<Bounded<MAX_SHORT>>,
    title: Option<Bounded<MAX_URL>>,
}

impl<'de> Visitor<'de> for LogSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the HAR's log object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<KeyName>()? {
            match key.0.as_str() {
                "creator" => {
                    // A creator of the wrong shape is only a label: not worth failing on.
                    let c: Option<Creator> = map.next_value::<Lenient<Creator>>().map(|l| l.0)?;
                    if let Some(Creator {
                        name: Some(name), ..
                    }) = &c
                    {
                        self.har.shape = Shape::from_creator(&name.text);
                    }
                    self.har.creator = c.and_then(|c| {
                        c.name.map(|n| match c.version {
                            Some(v) => format!("{} {}", n.text, v.text),
                            None => n.text,
                        })
                    });
                }
                "pages" => {
                    let pages =
                        map.next_value::<Lenient<BoundedVec<Lenient<RawPage>, MAX_PAGES>>>()?;
                    for p in pages.0.map(|v| v.items).unwrap_or_default() {
                        if let Some(RawPage {
                            id: Some(id),
                            title,
                        }) = p.0
                        {
                            self.har.pages.push(Page {
                                id: id.text,
                                title: title.map(|t| t.text).unwrap_or_default(),
                            });
                        }
                    }
                }
                "entries" if !self.state.saw_entries => {
                    self.state.saw_entries = true;
                    map.next_value_seed(EntriesSeed {
                        har: self.har,
                        guessed: &mut self.state.guessed,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct EntriesSeed<'a> {
    har: &'a mut Har,
    guessed: &'a mut Shape,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the list of entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut number = 0usize;
        // Each entry is taken as its raw text first, so that one bad entry is skipped alone.
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            number += 1;
            if self.har.entries.len() + self.har.skipped.len() >= MAX_ENTRIES {
                self.har.over_limit += 1;
                continue;
            }
            match serde_json::from_str::<RawEntry>(raw.get()) {
                Ok(e) => match e.into_entry(number, self.guessed) {
                    Ok(entry) => self.har.entries.push(entry),
                    Err(why) => self.har.skipped.push(Skipped { number, why }),
                },
                Err(e) => self.har.skipped.push(Skipped {
                    number,
                    // Never the message itself: serde quotes the value it refused.
                    why: match e.classify() {
                        serde_json::error::Category::Data => format!(
                            "not a HAR entry: a field has the wrong type (column {} of the entry)",
                            e.column()
                        ),
                        _ => "not a HAR entry".to_string(),
                    },
                }),
            }
        }
        Ok(())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawEntry {
    pageref: Option<Bounded<MAX_SHORT>>,
    #[serde(rename = "startedDateTime")]
    started: Option<Bounded<MAX_SHORT>>,
    time: Option<f64>,
    request: Option<RawRequest>,
    response: Option<RawResponse>,
    #[serde(rename = "_resourceType")]
    resource_type: Option<Bounded<MAX_SHORT>>,
    #[serde(rename = "_fetchType")]
    fetch_type: Option<IgnoredAny>,
    #[serde(rename = "_securityState")]
    security_state: Option<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRequest {
    method: Option<Bounded<MAX_SHORT>>,
    url: Option<Bounded<MAX_URL>>,
    headers: Option<BoundedVec<RawHeader, MAX_HEADERS>>,
    cookies: Option<BoundedVec<RawHeader, MAX_HEADERS>>,
    #[serde(rename = "postData")]
    post_data: Option<RequestContent>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawResponse {
    status: Option<f64>,
    #[serde(rename = "statusText")]
    status_text: Option<Bounded<MAX_SHORT>>,
    headers: Option<BoundedVec<RawHeader, MAX_HEADERS>>,
    cookies: Option<BoundedVec<RawHeader, MAX_HEADERS>>,
    content: Option<ResponseContent>,
    #[serde(rename = "_error")]
    error: Option<Lenient<Bounded<MAX_SHORT>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawHeader {
    name: Option<Bounded<MAX_SHORT>>,
    value: Option<Bounded<MAX_VALUE>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RequestContent {
    text: Option<Bounded<MAX_REQUEST_BODY>>,
    #[serde(rename = "mimeType")]
    mime: Option<Bounded<MAX_SHORT>>,
    encoding: Option<Bounded<MAX_SHORT>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResponseContent {
    text: Option<Bounded<MAX_RESPONSE_BODY>>,
    #[serde(rename = "mimeType")]
    mime: Option<Bounded<MAX_SHORT>>,
    encoding: Option<Bounded<MAX_SHORT>>,
}

/// A recorded body: base64 or NUL bytes mean binary, not kept as text.
fn body<const N: usize>(
    text: Option<Bounded<N>>,
    mime: Option<Bounded<MAX_SHORT>>,
    encoding: Option<Bounded<MAX_SHORT>>,
) -> Option<Body> {
    let text = text?;
    let base64 = encoding.is_some_and(|e| e.text.eq_ignore_ascii_case("base64"));
    let binary = base64 || text.text.contains('\0');
    Some(Body {
        text: if binary { String::new() } else { text.text },
        truncated: text.truncated,
        binary,
        mime: mime.map(|m| m.text),
    })
}

fn headers(
    raw: Option<BoundedVec<RawHeader, MAX_HEADERS>>,
    what: &str,
    notes: &mut Vec<String>,
) -> Vec<Header> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    if raw.dropped > 0 {
        notes.push(format!(
            "{} {what} past the first {MAX_HEADERS} were left out",
            raw.dropped
        ));
    }
    let mut out = Vec::with_capacity(raw.items.len());
    for h in raw.items {
        let Some(name) = h.name else { continue };
        let value = h.value.unwrap_or_default();
        if value.truncated {
            notes.push(format!(
                "the value of {what} '{}' was cut to {MAX_VALUE} bytes",
                name.text
            ));
        }
        // HTTP/2 pseudo-headers (`:authority`, `:path`) are not headers of the request.
        if name.text.starts_with(':') {
            continue;
        }
        out.push(Header {
            name: name.text,
            value: value.text,
        });
    }
    out
}

impl RawEntry {
    fn into_entry(self, number: usize, guessed: &mut Shape) -> Result<Entry, String> {
        if self.resource_type.is_some() {
            *guessed = Shape::Chrome;
        } else if self.fetch_type.is_some() && *guessed == Shape::Other {
            *guessed = Shape::Safari;
        } else if self.security_state.is_some() && *guessed == Shape::Other {
            *guessed = Shape::Firefox;
        }
        let Some(req) = self.request else {
            return Err("it has no request".to_string());
        };
        let method = req.method.map(|m| m.text).unwrap_or_default();
        let url = req.url.map(|u| u.text).unwrap_or_default();
        if method.is_empty() {
            return Err("its request has no method".to_string());
        }
        if url.is_empty() {
            return Err("its request has no URL".to_string());
        }
        let mut notes = Vec::new();
        let request_body = req.post_data.and_then(|c| body(c.text, c.mime, c.encoding));
        if let Some(b) = &request_body {
            if b.binary {
                notes.push("the request body is binary (base64 or NUL bytes): not kept".into());
            } else if b.truncated {
                notes.push(format!(
                    "the request body was cut to {} MB",
                    MAX_REQUEST_BODY / (1024 * 1024)
                ));
            }
        }
        let request = Request {
            method,
            url,
            headers: headers(req.headers, "request headers", &mut notes),
            cookies: headers(req.cookies, "request cookies", &mut notes),
            body: request_body,
        };
        let resp = self.response.unwrap_or_default();
        let status = match resp.status {
            Some(s) if s.fract() == 0.0 && (100.0..=999.0).contains(&s) => s as u16,
            Some(s) if s == 0.0 || s == -1.0 => 0,
            Some(_) => {
                notes.push("the response status is not an HTTP status: taken as none".into());
                0
            }
            None => 0,
        };
        let error = resp.error.and_then(|e| e.0).map(|e| e.text);
        let hidden_status = error.as_deref().and_then(webkit_status);
        let response_body = resp.content.and_then(|c| body(c.text, c.mime, c.encoding));
        if response_body.as_ref().is_some_and(|b| b.binary) {
            notes.push("the response body is binary (base64): not kept".into());
        }
        let response = Response {
            status,
            status_text: resp.status_text.map(|s| s.text).unwrap_or_default(),
            headers: headers(resp.headers, "response headers", &mut notes),
            cookies: headers(resp.cookies, "response cookies", &mut notes),
            body: response_body,
            error,
            hidden_status,
        };
        Ok(Entry {
            number,
            pageref: self.pageref.map(|p| p.text),
            started: self.started.map(|s| s.text),
            time_ms: self.time.filter(|t| t.is_finite() && *t >= 0.0),
            resource_type: self.resource_type.map(|t| t.text),
            request,
            response,
            notes,
        })
    }
}

/// The status in WebKit's failure text ("… Status code: 403").
fn webkit_status(text: &str) -> Option<u16> {
    let i = text.find("Status code: ")?;
    let digits: String = text[i + 13..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|s| (100..=999).contains(s))
}

/// A string kept to its first `N` bytes (at a character boundary), whether the JSON holds it
/// borrowed or escaped.
#[derive(Default)]
struct Bounded<const N: usize> {
    text: String,
    truncated: bool,
}

impl<'de, const N: usize> Deserialize<'de> for Bounded<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<const N: usize>;
        impl<const N: usize> Visitor<'_> for V<N> {
            type Value = Bounded<N>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Bounded<N>, E> {
                if s.len() <= N {
                    return Ok(Bounded {
                        text: s.to_string(),
                        truncated: false,
                    });
                }
                let mut end = N;
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                Ok(Bounded {
                    text: s[..end].to_string(),
                    truncated: true,
                })
            }
            // Numbers and booleans where a string belongs (seen in hand-edited HARs).
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Bounded<N>, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Bounded<N>, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Bounded<N>, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Bounded<N>, E> {
                self.visit_str(if v { "true" } else { "false" })
            }
        }
        d.deserialize_str(V::<N>)
    }
}

/// A list kept to its first `N` items; the rest are counted.
struct BoundedVec<T, const N: usize> {
    items: Vec<T>,
    dropped: usize,
}

impl<'de, T: Deserialize<'de>, const N: usize> Deserialize<'de> for BoundedVec<T, N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const N: usize>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for V<T, N> {
            type Value = BoundedVec<T, N>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                let mut dropped = 0;
                while items.len() < N {
                    match seq.next_element::<T>()? {
                        Some(item) => items.push(item),
                        None => return Ok(BoundedVec { items, dropped }),
                    }
                }
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    dropped += 1;
                }
                Ok(BoundedVec { items, dropped })
            }
        }
        d.deserialize_seq(V::<T, N>(std::marker::PhantomData))
    }
}

/// A value that may be of the wrong type: `None` then, instead of failing the whole entry
/// (only for fields that are labels, never for the request or the status).
struct Lenient<T>(Option<T>);

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <Box<RawValue>>::deserialize(d)?;
        Ok(Lenient(serde_json::from_str(raw.get()).ok()))
    }
}

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}
