//! Fetch's request-side tables: method normalization, forbidden methods and request headers,
//! CORS-safelisted methods and request headers with their value rules.
//! [#concept-method-normalize, #forbidden-request-header, #cors-safelisted-request-header]

use crate::http::is_token_byte;

/// The methods `fetch()` uppercases (case-insensitively); any other method is kept as given.
const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Limits of the safelist: one value, and all safelisted values together.
pub const MAX_SAFELISTED_VALUE_LEN: usize = 128;
pub const MAX_SAFELISTED_TOTAL_LEN: usize = 1024;

/// Fetch's "normalize a method": `patch` stays `patch`, `put` becomes `PUT`.
pub fn normalize_method(method: &str) -> String {
    NORMALIZED_METHODS
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_string(), |m| (*m).to_string())
}

/// `GET`, `HEAD` or `POST`, compared exactly (call it on a normalized method).
pub fn is_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// `CONNECT`, `TRACE`, `TRACK`, case-insensitively: `fetch()` throws a TypeError.
pub fn is_forbidden_method(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

const FORBIDDEN_HEADER_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Fetch's "forbidden request-header" for one (name, value): `fetch()` silently drops it.
pub fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if FORBIDDEN_HEADER_NAMES.contains(&lower.as_str())
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
    {
        return true;
    }
    if matches!(
        lower.as_str(),
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) {
        // "get, decode, and split" the value; any forbidden method makes the header forbidden.
        return split_list(value).iter().any(|m| is_forbidden_method(m));
    }
    false
}

/// Why `fetch()` drops a forbidden header, for people.
pub fn forbidden_header_note(name: &str, value: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "cookie" | "cookie2" => format!(
            "fetch() cannot set {name}; the browser attaches cookies itself when credentials are 'include' (or same-origin)"
        ),
        "origin" => format!(
            "fetch() cannot set {name}; the browser sets Origin to the page's origin itself"
        ),
        "host" => format!("fetch() cannot set {name}; the browser derives it from the URL"),
        "content-length" | "transfer-encoding" => {
            format!("fetch() cannot set {name}; the browser frames the body itself")
        }
        "referer" => format!(
            "fetch() cannot set {name}; use the 'referrer' option of fetch() instead"
        ),
        "x-http-method" | "x-http-method-override" | "x-method-override" => format!(
            "fetch() drops {name}: '{value}' names a forbidden method (CONNECT, TRACE or TRACK)"
        ),
        _ => format!(
            "fetch() cannot set {name} (a forbidden request header); the browser drops it silently"
        ),
    }
}

/// HTTP whitespace: TAB, LF, CR, SPACE.
pub fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | b' ')
}

/// Fetch's "normalize" a header value: strip leading and trailing HTTP whitespace.
pub fn trim_http_whitespace(value: &str) -> &str {
    value.trim_matches(|c: char| c.is_ascii() && is_http_whitespace(c as u8))
}

/// A comma-separated list, each element trimmed of HTTP whitespace. Quotes are not special
/// here (only method names and header names are split, which never contain quotes).
pub fn split_list(value: &str) -> Vec<&str> {
    value.split(',').map(trim_http_whitespace).collect()
}

/// Fetch's CORS-unsafe request-header byte.
pub fn is_cors_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09) || b"\"():<>?@[\\]{}".contains(&b) || b == 0x7f
}

/// How one (name, value) fares against the CORS safelist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Safelist {
    /// Safelisted.
    Safe,
    /// Not a safelisted name at all.
    UnsafeName,
    /// A safelisted name whose value breaks the rule given.
    UnsafeValue(String),
}

/// Fetch's "CORS-safelisted request-header" for one (name, value) (the 1024-byte total is
/// applied by the caller).
pub fn classify(name: &str, value: &str) -> Safelist {
    let lower = name.to_ascii_lowercase();
    let rule = match lower.as_str() {
        "accept" | "accept-language" | "content-language" | "content-type" | "range" => lower,
        _ => return Safelist::UnsafeName,
    };
    if value.len() > MAX_SAFELISTED_VALUE_LEN {
        return Safelist::UnsafeValue(format!(
            "{rule} value is {} bytes long, over the {MAX_SAFELISTED_VALUE_LEN}-byte limit",
            value.len()
        ));
    }
    let bytes = value.as_bytes();
    match rule.as_str() {
        "accept" => match bytes.iter().find(|b| is_cors_unsafe_byte(**b)) {
            Some(b) => Safelist::UnsafeValue(format!(
                "accept value contains the CORS-unsafe byte {}",
                describe_byte(*b)
            )),
            None => Safelist::Safe,
        },
        "accept-language" | "content-language" => {
            let ok = |b: &u8| b.is_ascii_alphanumeric() || b" *,-.;=".contains(b);
            match bytes.iter().find(|b| !ok(b)) {
                Some(b) => Safelist::UnsafeValue(format!(
                    "{rule} value contains {}, but only 0-9 A-Z a-z space * , - . ; = are allowed",
                    describe_byte(*b)
                )),
                None => Safelist::Safe,
            }
        }
        "content-type" => {
            if let Some(b) = bytes.iter().find(|b| is_cors_unsafe_byte(**b)) {
                return Safelist::UnsafeValue(format!(
                    "content-type value contains the CORS-unsafe byte {}",
                    describe_byte(*b)
                ));
            }
            match mime_essence(value) {
                None => Safelist::UnsafeValue(format!(
                    "content-type '{value}' is not a valid MIME type"
                )),
                Some(essence)
                    if matches!(
                        essence.as_str(),
                        "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
                    ) =>
                {
                    Safelist::Safe
                }
                Some(essence) => Safelist::UnsafeValue(format!(
                    "content-type {essence} is not application/x-www-form-urlencoded, multipart/form-data or text/plain"
                )),
            }
        }
        _ => {
            if is_simple_range(value) {
                Safelist::Safe
            } else {
                Safelist::UnsafeValue(format!(
                    "range '{value}' is not a single 'bytes=N-' or 'bytes=N-M' range with N <= M"
                ))
            }
        }
    }
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("0x{b:02X}")
    }
}

/// MIME Sniffing's "parse a MIME type", returning the lowercased essence (`type/subtype`);
/// parameters are ignored. `None` on failure.
pub fn mime_essence(value: &str) -> Option<String> {
    let value = trim_http_whitespace(value);
    let (ty, rest) = value.split_once('/')?;
    let subtype = rest.split(';').next().unwrap_or(rest);
    let subtype = subtype.trim_end_matches(|c: char| c.is_ascii() && is_http_whitespace(c as u8));
    let is_token = |s: &str| !s.is_empty() && s.bytes().all(is_token_byte);
    if !is_token(ty) || !is_token(subtype) {
        return None;
    }
    Some(format!(
        "{}/{}",
        ty.to_ascii_lowercase(),
        subtype.to_ascii_lowercase()
    ))
}

/// Fetch's "simple range header value" (whitespace not allowed) with a non-null start:
/// `bytes=N-` or `bytes=N-M` with N <= M.
pub fn is_simple_range(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("bytes=") else {
        return false;
    };
    let Some((start, end)) = rest.split_once('-') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(start) || !(end.is_empty() || digits(end)) {
        return false;
    }
    if end.is_empty() {
        return true;
    }
    // Compare as decimal numbers of any length: strip leading zeros, then length, then bytes.
    let a = start.trim_start_matches('0');
    let b = end.trim_start_matches('0');
    (a.len(), a) <= (b.len(), b)
}
