//! The simulated edge: a request through the distribution (allowed methods, the cache and its
//! key, what is forwarded to the origin, the response headers policy, CloudFront's own error
//! pages and headers).

use std::collections::{HashMap, HashSet};

use super::*;

/// One cached answer.
#[derive(Debug, Clone)]
struct Entry {
    response: HttpResponse,
    stored_at: u64,
}

/// What CloudFront holds between requests.
#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<String, Entry>,
    /// Requests served so far (the logical clock behind `Age`).
    clock: u64,
    /// Cache keys (without the viewer part) the earlier viewers were replayed for.
    warmed: HashSet<String>,
}

/// The request through CloudFront (`None`: no distribution, straight through).
pub fn respond(
    distribution: Option<&Distribution>,
    cache: &mut Cache,
    request: &HttpRequest,
    next: &mut Next<'_>,
) -> Layered {
    let Some(d) = distribution else {
        return Layered::Passed(next(request));
    };
    cache.clock += 1;
    let n = cache.clock;
    if !d.allowed_methods.allows(&request.method) {
        return Layered::Answered(
            error_page(
                d,
                n,
                403,
                "This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.",
            ),
            AnsweredBy::Cloudfront,
        );
    }
    if d.origin_protocol_policy == OriginProtocolPolicy::HttpOnly {
        return Layered::Answered(
            error_page(
                d,
                n,
                502,
                "CloudFront wasn't able to connect to the origin.",
            ),
            AnsweredBy::Cloudfront,
        );
    }
    let cacheable = d.caches(&request.method);
    if cacheable && !d.earlier_viewers.is_empty() {
        let base = base_key(request);
        if cache.warmed.insert(base) {
            for origin in &d.earlier_viewers {
                let mut earlier = request.clone();
                earlier.headers.remove("origin");
                if !origin.is_empty() {
                    earlier.headers.push("Origin", origin.clone());
                }
                let key = cache_key(d, &earlier);
                if let std::collections::hash_map::Entry::Vacant(slot) = cache.entries.entry(key) {
                    let response = next(&forwarded(d, &earlier));
                    if cacheable_status(response.status) {
                        slot.insert(Entry {
                            response,
                            stored_at: n,
                        });
                    }
                }
            }
        }
    }
    let key = cache_key(d, request);
    let (mut response, x_cache, age) = match cache.entries.get(&key).filter(|_| cacheable) {
        Some(hit) => (
            hit.response.clone(),
            "Hit from cloudfront",
            Some(n.saturating_sub(hit.stored_at)),
        ),
        None => {
            let response = next(&forwarded(d, request));
            if cacheable && cacheable_status(response.status) {
                cache.entries.insert(
                    key,
                    Entry {
                        response: response.clone(),
                        stored_at: n,
                    },
                );
            }
            (response, "Miss from cloudfront", None)
        }
    };
    if let Some(policy) = &d.response_headers_policy {
        apply_policy(policy, request, &mut response.headers);
    }
    for (name, value) in &d.viewer_response_headers {
        response.headers.push(name.clone(), value.clone());
    }
    edge_headers(d, n, x_cache, &mut response.headers);
    if let Some(age) = age {
        response.headers.set("Age", age.to_string());
    }
    Layered::Passed(response)
}

/// CloudFront caches 2xx answers (and some errors briefly; not modelled).
fn cacheable_status(status: u16) -> bool {
    (200..300).contains(&status)
}

fn base_key(request: &HttpRequest) -> String {
    format!(
        "{} {}",
        request.method.to_ascii_uppercase(),
        request.path_and_query
    )
}

fn cache_key(d: &Distribution, request: &HttpRequest) -> String {
    let mut key = base_key(request);
    for h in d.cache_policy.key_headers() {
        key.push('\n');
        key.push_str(&h.to_ascii_lowercase());
        key.push('=');
        key.push_str(request.headers.get(&h).unwrap_or_default());
    }
    key
}

/// The request CloudFront sends to the API: without the CORS request headers neither policy
/// forwards.
fn forwarded(d: &Distribution, request: &HttpRequest) -> HttpRequest {
    let mut out = request.clone();
    for h in CORS_REQUEST_HEADERS {
        if !d.forwards(h) {
            out.headers.remove(h);
        }
    }
    out
}

/// The response headers policy's CORS headers on a CORS request's answer.
fn apply_policy(policy: &ResponseHeadersPolicy, request: &HttpRequest, headers: &mut Headers) {
    let Some(origin) = request.headers.get("origin") else {
        return;
    };
    let preflight = request.method.eq_ignore_ascii_case("OPTIONS")
        && request.headers.contains("access-control-request-method");
    let mut add: Vec<(&str, String)> = Vec::new();
    let allow_origin = if policy.allow_origins.iter().any(|o| o == "*") {
        Some("*".to_string())
    } else {
        policy
            .allow_origins
            .iter()
            .find(|o| o.eq_ignore_ascii_case(origin))
            .cloned()
    };
    if let Some(o) = allow_origin {
        add.push(("Access-Control-Allow-Origin", o));
    }
    if policy.allow_credentials {
        add.push(("Access-Control-Allow-Credentials", "true".into()));
    }
    if !policy.expose_headers.is_empty() {
        add.push((
            "Access-Control-Expose-Headers",
            policy.expose_headers.join(","),
        ));
    }
    if preflight {
        if !policy.allow_methods.is_empty() {
            add.push((
                "Access-Control-Allow-Methods",
                policy.allow_methods.join(","),
            ));
        }
        if !policy.allow_headers.is_empty() {
            add.push((
                "Access-Control-Allow-Headers",
                policy.allow_headers.join(","),
            ));
        }
        if let Some(age) = policy.max_age {
            add.push(("Access-Control-Max-Age", age.to_string()));
        }
    }
    for (name, value) in add {
        if policy.origin_override || !headers.contains(name) {
            headers.set(name, value);
        }
    }
}

/// The headers CloudFront puts on every answer it sends.
fn edge_headers(d: &Distribution, n: u64, x_cache: &str, headers: &mut Headers) {
    headers.set("X-Cache", x_cache);
    headers.set(
        "Via",
        format!("1.1 {:032x}.cloudfront.net (CloudFront)", 0x5eed_u64 + n),
    );
    headers.set("X-Amz-Cf-Pop", d.pop.clone());
    headers.set("X-Amz-Cf-Id", cf_id(n));
}

/// A request id in CloudFront's shape (56 characters, base64url alphabet), deterministic.
fn cf_id(n: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..54)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % 64) as usize] as char
        })
        .chain("==".chars())
        .collect()
}

/// CloudFront's own error page.
fn error_page(d: &Distribution, n: u64, status: u16, why: &str) -> HttpResponse {
    let title = if status == 403 {
        "403 ERROR"
    } else {
        "502 ERROR"
    };
    let id = cf_id(n);
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \"http://www.w3.org/TR/html4/loose.dtd\">\n<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">\n<TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>\n<H1>{title}</H1>\n<H2>The request could not be satisfied.</H2>\n<HR noshade size=\"1px\">\n{why}\n<BR clear=\"all\">\n<HR noshade size=\"1px\">\n<PRE>\nGenerated by cloudfront (CloudFront)\nRequest ID: {id}\n</PRE>\n<ADDRESS>\n</ADDRESS>\n</BODY></HTML>"
    );
    let mut headers = Headers::new()
        .with("Server", "CloudFront")
        .with("Content-Type", "text/html")
        .with("Content-Length", body.len().to_string());
    edge_headers(d, n, "Error from cloudfront", &mut headers);
    headers.set("X-Amz-Cf-Id", id);
    HttpResponse {
        status,
        headers,
        body: body.into_bytes(),
    }
}
