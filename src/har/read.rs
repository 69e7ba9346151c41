//! Reading a HAR as it streams in ([`parse_reader`]): serde visitors over `log`, `pages`
//! and `entries` that keep one entry's text at a time, bounded copies of what is kept, and
//! the pairing of requests with their preflights. The shapes and bounds are described in
//! the module above.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::*;

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
pub(super) fn webkit_status(text: &str) -> Option<u16> {
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
