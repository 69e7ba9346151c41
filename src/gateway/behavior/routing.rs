//! Routing: which resource (REST) or route (HTTP API) and method a request path selects.

use crate::gateway::model::{Method, Resource, DEFAULT_ROUTE};

/// Path parameters in template order (`id` → `42`, `proxy` → `a/b`).
pub type PathParams = Vec<(String, String)>;

/// Splits `path_and_query` into the path and the query string.
pub(super) fn split_query(path_and_query: &str) -> (&str, &str) {
    path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""))
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

pub(super) fn query_param(path_and_query: &str, name: &str) -> Option<String> {
    let (_, query) = split_query(path_and_query);
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| v.to_string())
    })
}

/// Matches a concrete path against a template. Returns the path parameters and a specificity
/// key (higher is more specific: literal segments beat `{param}`, which beats `{proxy+}`).
pub fn match_template(template: &str, path: &str) -> Option<(PathParams, Vec<u8>)> {
    if template == DEFAULT_ROUTE {
        return None;
    }
    let t = segments(template);
    let p = segments(path);
    let mut params = Vec::new();
    let mut score = Vec::new();
    for (i, seg) in t.iter().enumerate() {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
            if i != t.len() - 1 || p.len() <= i {
                return None;
            }
            params.push((name.to_string(), p[i..].join("/")));
            score.push(0);
            return Some((params, score));
        }
        let actual = p.get(i)?;
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            params.push((name.to_string(), (*actual).to_string()));
            score.push(1);
        } else if seg == actual {
            score.push(2);
        } else {
            return None;
        }
    }
    (t.len() == p.len()).then_some((params, score))
}

/// Resources whose template matches `path`, most specific first.
pub fn matching_resources<'a>(
    resources: &'a [Resource],
    path: &str,
) -> Vec<(&'a Resource, Vec<(String, String)>)> {
    let mut found: Vec<(&Resource, PathParams, Vec<u8>)> = resources
        .iter()
        .filter_map(|r| match_template(&r.path, path).map(|(p, s)| (r, p, s)))
        .collect();
    found.sort_by(|a, b| b.2.cmp(&a.2));
    found.into_iter().map(|(r, p, _)| (r, p)).collect()
}

/// REST: the most specific resource for `path` (API Gateway picks the resource first, then
/// the method on it).
pub fn match_rest_resource<'a>(
    resources: &'a [Resource],
    path: &str,
) -> Option<(&'a Resource, Vec<(String, String)>)> {
    // Docs silent: whether a request whose method is missing on the most specific resource
    // falls back to a `{proxy+}` sibling. We follow the common observation that it does not
    // (403 Missing Authentication Token).
    matching_resources(resources, path).into_iter().next()
}

/// The method on `resource` answering `verb`: the exact one, else `ANY`.
pub fn method_for<'a>(resource: &'a Resource, verb: &str) -> Option<&'a Method> {
    resource.method(verb).or_else(|| resource.method("ANY"))
}

/// HTTP API route selection: the most specific route path with the exact method, else `ANY`
/// on it, trying less specific paths (greedy last), and finally `$default`.
pub fn match_http_route<'a>(
    resources: &'a [Resource],
    path: &str,
    verb: &str,
) -> Option<(&'a Resource, &'a Method, PathParams)> {
    for (r, params) in matching_resources(resources, path) {
        if let Some(m) = method_for(r, verb) {
            return Some((r, m, params));
        }
    }
    let r = resources.iter().find(|r| r.path == DEFAULT_ROUTE)?;
    let m = method_for(r, verb)?;
    Some((r, m, Vec::new()))
}
