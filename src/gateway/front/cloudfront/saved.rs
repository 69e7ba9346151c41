//! A distribution read from a saved `aws cloudfront get-distribution-config` answer
//! (`--cloudfront-config`): the cache behavior serving a path, its policies and its origin.

use super::*;

/// A distribution read from a saved `aws cloudfront get-distribution-config` (or
/// `get-distribution`) answer: the cache behavior that serves `path` (the first whose
/// `PathPattern` matches, else the default one) and its origin. What the file cannot say (a
/// custom policy's headers, a response headers policy's CORS part, what an edge function's
/// code adds) is listed in the notes. Errors are one sentence for the user.
pub fn from_saved_config(
    json: &serde_json::Value,
    path: &str,
) -> Result<(Distribution, Vec<String>), String> {
    use serde_json::Value;
    let (config, id) = if let Some(c) = json.get("DistributionConfig") {
        (c, None)
    } else if let Some(d) = json.get("Distribution") {
        (
            d.get("DistributionConfig").unwrap_or(&Value::Null),
            d.get("Id").and_then(Value::as_str),
        )
    } else {
        (json, None)
    };
    let Some(default) = config.get("DefaultCacheBehavior") else {
        return Err("it has no DistributionConfig.DefaultCacheBehavior: save the output of `aws cloudfront get-distribution-config --id ID` (JSON) and pass that file.".to_string());
    };
    let mut notes = Vec::new();
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let behaviors = config
        .get("CacheBehaviors")
        .and_then(|b| b.get("Items"))
        .and_then(Value::as_array);
    let behavior = behaviors
        .into_iter()
        .flatten()
        .take(100)
        .find(|b| {
            b.get("PathPattern")
                .and_then(Value::as_str)
                .is_some_and(|p| path_pattern_matches(p, path))
        })
        .inspect(|b| {
            notes.push(format!(
                "the cache behavior for {} serves this path",
                b.get("PathPattern")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ));
        })
        .unwrap_or(default);
    let mut d = Distribution {
        id: id
            .filter(|i| i.chars().all(|c| c.is_ascii_alphanumeric()) && !i.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| "$DISTRIBUTION_ID".to_string()),
        ..Distribution::default()
    };
    let methods = behavior.get("AllowedMethods");
    let allowed = strings(methods.and_then(|m| m.get("Items")));
    if !allowed.is_empty() {
        d.allowed_methods = AllowedMethods::from_methods(&allowed)?;
    }
    let cached = strings(
        methods
            .and_then(|m| m.get("CachedMethods"))
            .and_then(|c| c.get("Items")),
    );
    if !cached.is_empty() {
        d.cached_methods = CachedMethods::try_from(cached)?;
    }
    match behavior
        .get("CachePolicyId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        Some(id) => {
            d.cache_policy = match MANAGED_CACHE_POLICIES.iter().find(|(_, i, _)| *i == id) {
                Some((name, _, _)) => CachePolicy {
                    name: name.to_string(),
                    headers: Vec::new(),
                    unread: false,
                },
                None => {
                    notes.push(format!("the cache policy {id} is a custom one: its key is not in this file (aws cloudfront get-cache-policy --id {id})"));
                    CachePolicy {
                        name: id.to_string(),
                        headers: Vec::new(),
                        unread: true,
                    }
                }
            }
        }
        None => {
            // The legacy cache settings: the forwarded headers are the key too.
            let headers = strings(
                behavior
                    .get("ForwardedValues")
                    .and_then(|f| f.get("Headers"))
                    .and_then(|h| h.get("Items")),
            );
            let all = headers.iter().any(|h| h == "*");
            d.cache_policy = CachePolicy {
                name: if all {
                    "CachingDisabled".to_string()
                } else {
                    "legacy cache settings".to_string()
                },
                headers: if all { Vec::new() } else { headers.clone() },
                unread: false,
            };
            if !all && !headers.is_empty() {
                d.origin_request_policy = Some(OriginRequestPolicy {
                    name: "legacy forwarded headers".to_string(),
                    headers,
                    unread: false,
                });
            } else if all {
                d.origin_request_policy = Some(OriginRequestPolicy {
                    name: "AllViewer".to_string(),
                    headers: Vec::new(),
                    unread: false,
                });
            }
        }
    }
    if let Some(id) = behavior
        .get("OriginRequestPolicyId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        d.origin_request_policy = Some(
            match MANAGED_ORIGIN_REQUEST_POLICIES
                .iter()
                .find(|(_, i, _)| *i == id)
            {
                Some((name, _, _)) => OriginRequestPolicy {
                    name: name.to_string(),
                    headers: Vec::new(),
                    unread: false,
                },
                None => {
                    notes.push(format!("the origin request policy {id} is a custom one: its headers are not in this file (aws cloudfront get-origin-request-policy --id {id})"));
                    OriginRequestPolicy {
                        name: id.to_string(),
                        headers: vec!["*".to_string()],
                        unread: true,
                    }
                }
            },
        );
    }
    if let Some(id) = behavior
        .get("ResponseHeadersPolicyId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        notes.push(format!("a response headers policy ({id}) adds headers this file does not list (aws cloudfront get-response-headers-policy --id {id}); the answers show what it adds"));
    }
    for key in ["FunctionAssociations", "LambdaFunctionAssociations"] {
        let viewer_response = behavior
            .get(key)
            .and_then(|f| f.get("Items"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|f| f.get("EventType").and_then(Value::as_str) == Some("viewer-response"));
        if viewer_response {
            notes.push(format!("a viewer-response function ({key}) runs on every answer: what its code adds shows in the answers only"));
        }
    }
    let target = behavior.get("TargetOriginId").and_then(Value::as_str);
    let origin = config
        .get("Origins")
        .and_then(|o| o.get("Items"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(100)
        .find(|o| o.get("Id").and_then(Value::as_str) == target);
    if let Some(policy) = origin
        .and_then(|o| o.get("CustomOriginConfig"))
        .and_then(|c| c.get("OriginProtocolPolicy"))
        .and_then(Value::as_str)
    {
        d.origin_protocol_policy = match policy {
            "http-only" => OriginProtocolPolicy::HttpOnly,
            "match-viewer" => OriginProtocolPolicy::MatchViewer,
            _ => OriginProtocolPolicy::HttpsOnly,
        };
    }
    Ok((d, notes))
}

/// CloudFront's path pattern match (`*` any characters, `?` one; case-sensitive; the leading
/// `/` optional).
pub fn path_pattern_matches(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.trim_start_matches('/').chars().collect();
    let s: Vec<char> = path.trim_start_matches('/').chars().collect();
    if p.len() > 255 || s.len() > 8192 {
        return false;
    }
    // Iterative wildcard match (no recursion on input).
    let (mut i, mut j) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while j < s.len() {
        if i < p.len() && (p[i] == '?' || p[i] == s[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(st) = star {
            i = st + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}
