//! Requests `fetch()` refuses to make: it rejects with a `TypeError` and nothing leaves the
//! browser — no preflight, no request — whatever the server's CORS configuration says.
//!
//! The Fetch standard's `new Request(input, init)` (<https://fetch.spec.whatwg.org/#dom-request>),
//! in the order it checks:
//! - "If parsedURL includes credentials, then throw a TypeError."
//! - "If method is a forbidden method, then throw a TypeError": `CONNECT`, `TRACE`, `TRACK`,
//!   byte-case-insensitively (<https://fetch.spec.whatwg.org/#forbidden-method>).
//! - "If either init["body"] exists and is non-null or inputBody is non-null, and request's
//!   method is `GET` or `HEAD`, then throw a TypeError" (after method normalization, so `get`
//!   counts; an empty body is non-null).
//!
//! - Mixed content (<https://w3c.github.io/webappsec-mixed-content/#should-block-fetch>): a page
//!   served over `https:` fetching an `http:` URL that is not potentially trustworthy
//!   (<https://w3c.github.io/webappsec-secure-contexts/#is-url-trustworthy>: not `localhost`,
//!   `*.localhost`, `127.0.0.0/8` or `::1`) is blocked before anything is sent; `fetch()`
//!   rejects with "TypeError: Failed to fetch" and the console says "Mixed Content: …". Only an
//!   `https:` page is judged so (Chromium's behaviour for other secure contexts, such as
//!   `http://localhost`, was not checked). The page's own URL is not known: the console line
//!   names the origin.
//!
//! The messages are Chromium's (`third_party/blink/renderer/core/fetch/request.cc`), as its
//! console prints an uncaught rejection of `fetch()` from a page; each was checked against
//! Debian's headless Chromium (the method is quoted as written: `'connect' HTTP method is
//! unsupported.`; an empty body counts).

use serde::{Deserialize, Serialize};

use crate::target::Target;

/// Why `fetch()` refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalReason {
    /// The URL has a user name or password (`https://user:pass@host/…`).
    UrlCredentials,
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod,
    /// A `GET` or `HEAD` request with a body.
    BodyWithGetOrHead,
    /// An `https:` page fetching an `http:` URL that is not potentially trustworthy.
    MixedContent,
}

/// A request `fetch()` throws on, with the console text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason: RefusalReason,
    /// `TypeError: Failed to execute 'fetch' on 'Window': …`.
    pub console_message: String,
}

const PREFIX: &str = "TypeError: Failed to execute 'fetch' on 'Window': ";

/// The refusal `fetch()` would throw for this request, if any.
pub fn refusal(target: &Target) -> Option<Refusal> {
    let url = &target.url;
    if !url.username().is_empty() || url.password().is_some() {
        return Some(Refusal {
            reason: RefusalReason::UrlCredentials,
            console_message: format!(
                "{PREFIX}Request cannot be constructed from a URL that includes credentials: {}",
                url.as_str()
            ),
        });
    }
    let m = target.method.as_str();
    if ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(m))
    {
        return Some(Refusal {
            reason: RefusalReason::ForbiddenMethod,
            console_message: format!("{PREFIX}'{m}' HTTP method is unsupported."),
        });
    }
    if target.body.is_some() && (m.eq_ignore_ascii_case("GET") || m.eq_ignore_ascii_case("HEAD")) {
        return Some(Refusal {
            reason: RefusalReason::BodyWithGetOrHead,
            console_message: format!("{PREFIX}Request with GET/HEAD method cannot have body."),
        });
    }
    let page_https = url::Url::parse(&target.origin).is_ok_and(|o| o.scheme() == "https");
    if page_https && url.scheme() == "http" && !crate::target::is_loopback_host(url.host()) {
        return Some(Refusal {
            reason: RefusalReason::MixedContent,
            console_message: format!(
                "Mixed Content: The page at '{}/' was loaded over HTTPS, but requested an insecure resource '{}'. This request has been blocked; the content must be served over HTTPS.",
                target.origin.trim_end_matches('/'),
                url.as_str()
            ),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Headers;
    use crate::target::CredentialsMode;

    fn target(url: &str, method: &str, body: Option<&str>) -> Target {
        Target {
            url: url::Url::parse(url).unwrap(),
            origin: "https://app.example.com".into(),
            method: method.into(),
            headers: Headers::new(),
            body: body.map(str::to_string),
            credentials: CredentialsMode::SameOrigin,
        }
    }

    #[test]
    fn fetch_refuses_what_the_standard_forbids() {
        let r = |u: &str, m: &str, b: Option<&str>| refusal(&target(u, m, b)).map(|r| r.reason);
        let ok = "https://api.example.com/x";
        assert_eq!(
            r("https://u:p@api.example.com/x", "GET", None),
            Some(RefusalReason::UrlCredentials)
        );
        assert_eq!(
            r("https://u@api.example.com/x", "GET", None),
            Some(RefusalReason::UrlCredentials)
        );
        for m in ["CONNECT", "trace", "Track"] {
            assert_eq!(r(ok, m, None), Some(RefusalReason::ForbiddenMethod), "{m}");
        }
        for m in ["GET", "get", "HEAD"] {
            assert_eq!(r(ok, m, Some("")), Some(RefusalReason::BodyWithGetOrHead));
        }
        assert_eq!(r(ok, "POST", Some("x")), None);
        assert_eq!(r(ok, "GET", None), None);
        assert_eq!(r(ok, "PATCH", Some("x")), None);
        let m = refusal(&target(ok, "TRACE", None)).unwrap().console_message;
        assert_eq!(
            m,
            "TypeError: Failed to execute 'fetch' on 'Window': 'TRACE' HTTP method is unsupported."
        );
    }

    #[test]
    fn an_https_page_calling_an_http_url_is_mixed_content() {
        let r = |u: &str, origin: &str| {
            let mut t = target(u, "GET", None);
            t.origin = origin.into();
            refusal(&t).map(|r| r.reason)
        };
        let page = "https://app.example.com";
        assert_eq!(
            r("http://my-alb-1.us-east-1.elb.amazonaws.com/items", page),
            Some(RefusalReason::MixedContent)
        );
        // Potentially trustworthy hosts, an https URL, an http page: not mixed content.
        for ok in [
            "http://127.0.0.1:3000/x",
            "http://127.8.9.10/x",
            "http://[::1]:8080/x",
            "http://localhost:3000/x",
            "http://api.localhost/x",
            "https://api.example.com/x",
        ] {
            assert_eq!(r(ok, page), None, "{ok}");
        }
        assert_eq!(
            r("http://api.example.com/x", "http://app.example.com"),
            None
        );
        let mut t = target("http://api.example.com:8080/items", "GET", None);
        t.origin = page.into();
        assert_eq!(
            refusal(&t).unwrap().console_message,
            "Mixed Content: The page at 'https://app.example.com/' was loaded over HTTPS, but requested an insecure resource 'http://api.example.com:8080/items'. This request has been blocked; the content must be served over HTTPS."
        );
    }
}
