//! CloudFront in front of the API: the findings its answers show (and, when the configuration
//! names the distribution, what it says). One rule per fact; the existing steps call these:
//! - step 1 / step 3: [`method_not_allowed`] (CloudFront's 403 page for a method its
//!   allowed methods leave out — the preflight never reaches the API's OPTIONS);
//! - step 5: [`cache_ignores_origin`] and [`duplicate_cors_headers`] (they come first: they
//!   are the cause of the browser's symptom);
//! - step 6: [`error_no_cors`] (an error CloudFront produced itself, without CORS headers,
//!   hides its real status from the app).
//!
//! How the cache is probed: the probes are the diagnosis's usual requests, in their usual
//! order — the preflight (OPTIONS, with the app's origin), the actual request (with the app's
//! origin), the same request without `Origin`, and a preflight from a made-up origin
//! (OPTIONS). Nothing else is sent: a cache that ignores `Origin` shows as a `Hit` whose
//! `Access-Control-Allow-Origin` names an origin other than the request's (or any origin on a
//! request without one). Only the preflights and the user's own request are sent, so an
//! unsafe method is never sent more often than the diagnosis already sends it.

use super::{status_text, Ctx};
use crate::diagnose::findings::{Finding, FindingCode as C};
use crate::evidence::{ConfigEvidence, Exchange, ExchangeKind};
use crate::gateway::change::Change;
use crate::gateway::front::cloudfront::{
    self, answered_itself, cache_status, refused_method, AllowedMethods, CacheStatus, Distribution,
    DistributionSetting, OriginProtocolPolicy,
};

/// The distribution the configuration names, if any.
fn distribution<'a>(c: &Ctx<'a>) -> Option<&'a Distribution> {
    match &c.ev.config {
        ConfigEvidence::Loaded { front, .. } => front.cloudfront.as_deref(),
        _ => None,
    }
}

/// The distribution's id for the commands: the configuration's, or a shell variable the user
/// sets (printed in the text).
fn distribution_id(c: &Ctx) -> String {
    distribution(c)
        .map(|d| d.id.clone())
        .unwrap_or_else(|| "$DISTRIBUTION_ID".to_string())
}

fn change(c: &Ctx, setting: DistributionSetting) -> Change {
    Change::CloudFront {
        distribution_id: distribution_id(c),
        setting,
    }
}

/// The origin request policy change that makes CloudFront forward `Origin`,
/// `Access-Control-Request-Method` and `Access-Control-Request-Headers` to the API, when the
/// distribution does not (`None`: it forwards all three). Without them the API cannot answer
/// for the app's origin: an HTTP API's CORS configuration answers a preflight only when
/// `Origin` and `Access-Control-Request-Method` are sent
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>), and a
/// backend that must name the origin (credentials forbid `*`) never sees it. CloudFront
/// forwards only the headers its cache policy keys on and its origin request policy names
/// (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-origin-requests.html>);
/// `AllViewerExceptHostHeader` is the managed policy meant for API Gateway origins
/// (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html>).
/// `cache_key_kept`: false when the same fix replaces the cache policy (its key no longer
/// forwards anything).
fn forward_cors_headers(d: &Distribution, cache_key_kept: bool) -> Option<DistributionSetting> {
    let forwarded = |h: &str| {
        (cache_key_kept && d.cache_policy.keys_on(h))
            || d.origin_request_policy
                .as_ref()
                .is_some_and(|p| p.forwards(h))
    };
    (!cloudfront::CORS_REQUEST_HEADERS
        .iter()
        .all(|h| forwarded(h)))
    .then(|| DistributionSetting::OriginRequestPolicy {
        name: FORWARDING_POLICY.into(),
    })
}

/// The managed origin request policy a fix sets: every viewer header but `Host`.
const FORWARDING_POLICY: &str = "AllViewerExceptHostHeader";

/// How to find the id when the configuration does not name the distribution.
fn id_hint(c: &Ctx) -> &'static str {
    if distribution(c).is_some_and(|d| !d.id.starts_with('$')) {
        ""
    } else {
        " Set DISTRIBUTION_ID to the distribution's id first (aws cloudfront list-distributions --query \"DistributionList.Items[].[Id,DomainName,Origins.Items[0].DomainName]\" --output text)."
    }
}

/// True when CloudFront produced `x`'s answer itself (its error page): the API never saw it.
pub(super) fn answered_by_cloudfront(x: &Exchange) -> bool {
    x.response.as_ref().is_some_and(answered_itself)
}

/// CloudFront's 403 for a method the distribution does not allow, on `x` (the preflight in
/// step 3, the request itself in step 1).
pub(super) fn method_not_allowed(c: &Ctx, x: &Exchange) -> Option<Finding> {
    let r = x.response.as_ref()?;
    if !refused_method(r) {
        return None;
    }
    let method = x.request.method.to_ascii_uppercase();
    // The smallest set holding OPTIONS (for the preflight) and the app's method.
    let wanted =
        if ["GET", "HEAD", "OPTIONS"].contains(&c.plan.method.to_ascii_uppercase().as_str()) {
            AllowedMethods::GetHeadOptions
        } else {
            AllowedMethods::All
        };
    let configured = distribution(c)
        .map(|d| {
            format!(
                " (distribution {}: allowed methods {})",
                d.id,
                d.allowed_methods.methods().join(", ")
            )
        })
        .unwrap_or_default();
    let what = if x.kind == ExchangeKind::Preflight || x.kind == ExchangeKind::ForeignOrigin {
        "the preflight never reaches the API's OPTIONS method"
    } else {
        "the request never reaches the API"
    };
    let mut changes = vec![change(
        c,
        DistributionSetting::AllowedMethods { methods: wanted },
    )];
    // Once OPTIONS passes, the API must see the CORS request headers to answer for the app's
    // origin. Unknown distribution: its policies are not known, nothing is overwritten blind.
    let forward = distribution(c).and_then(|d| forward_cors_headers(d, true));
    let forward_text = match &forward {
        Some(_) => format!(
            " It forwards neither Origin nor the Access-Control-Request-* headers to the API: set the origin request policy {FORWARDING_POLICY} too, so that the API answers for the app's origin."
        ),
        None if distribution(c).is_none() => format!(" The cache behavior must also forward Origin, Access-Control-Request-Method and Access-Control-Request-Headers to the API (e.g. origin request policy {FORWARDING_POLICY})."),
        None => String::new(),
    };
    changes.extend(forward.map(|s| change(c, s)));
    Some(
        Finding::error(
            C::CloudfrontMethodNotAllowed,
            format!(
                "CloudFront does not allow {method}{configured}: it answers {} itself with its \"request could not be satisfied\" page and no CORS headers, so {what}.",
                status_text(x)
            ),
        )
        .cites(&x.id)
        .fix(
            format!(
                "Allow {} on the distribution's cache behavior for this path (the cached methods can stay GET, HEAD).{forward_text}{}",
                wanted.methods().join(", "),
                id_hint(c)
            ),
            c.fix.change_set(changes),
        ),
    )
}

/// A `Hit` that carries another origin's `Access-Control-Allow-Origin` (or any on a request
/// without `Origin`): the cache key leaves `Origin` out. Error when the browser's own request
/// or preflight got it; a warning when only the other probes show it, or when only the
/// configuration does (a cached method whose key leaves out a CORS header CloudFront
/// forwards).
pub(super) fn cache_ignores_origin(c: &Ctx) -> Option<Finding> {
    let mut proof: Option<(&Exchange, String, bool)> = None;
    for x in &c.ev.exchanges {
        let Some(r) = &x.response else { continue };
        if !matches!(
            cache_status(&r.headers),
            Some(CacheStatus::Hit | CacheStatus::RefreshHit)
        ) {
            continue;
        }
        let Some(acao) = r.headers.get("access-control-allow-origin") else {
            continue;
        };
        let acao = acao.trim();
        if acao == "*" {
            continue;
        }
        let sent = x.request.headers.get("origin");
        if sent.is_some_and(|o| o.eq_ignore_ascii_case(acao)) {
            continue;
        }
        let browser = matches!(x.kind, ExchangeKind::Preflight | ExchangeKind::Actual);
        let said = match sent {
            Some(o) => format!(
                "the {} from {o} got a cached answer (X-Cache: Hit) whose Access-Control-Allow-Origin is {acao}",
                x.kind.label()
            ),
            None => format!(
                "the request without Origin got a cached answer (X-Cache: Hit) whose Access-Control-Allow-Origin is {acao}"
            ),
        };
        if proof.as_ref().is_none_or(|(_, _, b)| !b && browser) {
            proof = Some((x, said, browser));
        }
    }
    let d = distribution(c);
    let latent: Vec<&str> = d
        .map(|d| {
            let mut v = d.cache_ignores(&c.plan.method);
            if c.plan.required {
                for h in d.cache_ignores("OPTIONS") {
                    if !v.contains(&h) {
                        v.push(h);
                    }
                }
            }
            v
        })
        .unwrap_or_default();
    if proof.is_none() && latent.is_empty() {
        return None;
    }
    let key = d
        .map(|d| {
            format!(
                " (distribution {}: cache policy {})",
                d.id, d.cache_policy.name
            )
        })
        .unwrap_or_default();
    let mut changes = vec![change(
        c,
        DistributionSetting::CachePolicy {
            name: "CachingDisabled".into(),
        },
    )];
    // CachingDisabled keys on nothing and forwards nothing itself: the origin request policy
    // must still forward Origin (and the preflight headers). Unknown distribution: set it.
    let forward = match d {
        Some(d) => forward_cors_headers(d, false),
        None => Some(DistributionSetting::OriginRequestPolicy {
            name: FORWARDING_POLICY.into(),
        }),
    };
    changes.extend(forward.map(|s| change(c, s)));
    let fix_text = format!(
        "Take the API's answers out of the cache (managed cache policy CachingDisabled) and forward every viewer header but Host (origin request policy {FORWARDING_POLICY}); to keep caching, use a custom cache policy whose key includes Origin, Access-Control-Request-Method and Access-Control-Request-Headers instead.{}",
        id_hint(c)
    );
    let finding = match proof {
        Some((x, said, browser)) => {
            let msg = format!(
                "CloudFront serves one origin's answer to another{key}: {said}. The cache key does not include Origin, so whichever origin's answer is cached first is what every origin gets."
            );
            let f = if browser {
                Finding::error(C::CloudfrontCacheIgnoresOrigin, msg)
            } else {
                Finding::warning(C::CloudfrontCacheIgnoresOrigin, msg)
            };
            f.cites(&x.id)
        }
        None => Finding::warning(
            C::CloudfrontCacheIgnoresOrigin,
            format!(
                "CloudFront caches answers whose CORS headers depend on {} but leaves it out of the cache key{key}: an answer cached for one origin will be served to the next.",
                latent.join(", ")
            ),
        )
        .cites("config"),
    };
    Some(finding.fix(fix_text, c.fix.change_set(changes)))
}

/// A CORS header with several values on an answer that came through CloudFront. When the
/// configuration names the code at the edge that adds it, the fix removes it.
pub(super) fn duplicate_cors_headers(c: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for x in [c.preflight, c.actual].into_iter().flatten() {
        let Some(r) = &x.response else { continue };
        if cache_status(&r.headers).is_none() {
            continue;
        }
        let doubled: Vec<String> = [
            "access-control-allow-origin",
            "access-control-allow-credentials",
        ]
        .iter()
        .filter(|h| r.headers.get_all(h).count() > 1)
        .filter_map(|h| {
            let values: Vec<&str> = r.headers.get_all(h).collect();
            let name = r
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(h))
                .map(|(n, _)| n.to_string())?;
            Some(format!("{name}: {}", values.join(", ")))
        })
        .collect();
        if doubled.is_empty() {
            continue;
        }
        let added: Vec<String> = distribution(c)
            .map(|d| d.viewer_response_headers.keys().cloned().collect())
            .unwrap_or_default();
        let who = if added.is_empty() {
            "the API sends one value and code at CloudFront's edge (a viewer-response CloudFront Function or Lambda@Edge) adds another (a response headers policy keeps or replaces the origin's header, never both)".to_string()
        } else {
            format!(
                "the API sends one value and a viewer-response function of distribution {} adds {}",
                distribution_id(c),
                added.join(", ")
            )
        };
        let f = Finding::error(
            C::CloudfrontDuplicateCorsHeaders,
            format!(
                "The {} reaches the browser with {}: {who}. Browsers refuse a CORS header with multiple values.",
                x.kind.label(),
                doubled.join("; ")
            ),
        )
        .cites(&x.id);
        out.push(if added.is_empty() {
            f.fix(
                "Set the CORS headers in one place: drop them from the edge function's code (or from the API, and let a response headers policy with origin override add them).",
                vec![format!(
                    "aws cloudfront get-distribution-config --id \"$DISTRIBUTION_ID\" --query \"DistributionConfig.DefaultCacheBehavior.[FunctionAssociations,LambdaFunctionAssociations]\""
                )],
            )
        } else {
            f.fix(
                "Set the CORS headers in one place: remove the viewer-response function association (as below), or drop the header from the function's code if it does more.",
                c.fix.change_set(vec![change(
                    c,
                    DistributionSetting::RemoveViewerResponseFunctions { headers: added },
                )]),
            )
        });
        break;
    }
    out
}

/// An error CloudFront produced itself (not a refused method: [`method_not_allowed`] names
/// that) on `x`: on the preflight (step 3: whatever its headers, it never reaches the API's
/// OPTIONS and a non-2xx preflight fails), or on the app's request without
/// `Access-Control-Allow-Origin` (step 6). Either way the browser hides the status.
pub(super) fn error_no_cors(c: &Ctx, x: &Exchange) -> Option<Finding> {
    let r = x.response.as_ref()?;
    let preflight = x.kind == ExchangeKind::Preflight;
    // A preflight fails on a non-2xx status whatever headers it carries.
    if r.status < 400
        || !answered_itself(r)
        || refused_method(r)
        || (!preflight && r.headers.contains("access-control-allow-origin"))
    {
        return None;
    }
    let d = distribution(c);
    let mut msg = if preflight {
        format!(
            "CloudFront answers the preflight itself with {}: it never reaches the API's OPTIONS method, and a preflight passes only with a 2xx status, so the browser reports a CORS error and hides the {}.",
            status_text(x),
            r.status
        )
    } else {
        format!(
            "CloudFront answers the request itself with {} and no CORS headers: the browser reports a CORS error and hides the {}, which is the real problem.",
            status_text(x),
            r.status
        )
    };
    let http_only = d.is_some_and(|d| d.origin_protocol_policy == OriginProtocolPolicy::HttpOnly);
    if r.status == 502 {
        msg.push_str(" A 502 from CloudFront means it could not connect to the origin (the API's execute-api domain, over HTTPS).");
    }
    let f = Finding::error(C::CloudfrontErrorNoCors, msg).cites(&x.id);
    Some(if http_only {
        f.fix(
            "API Gateway serves HTTPS only: set the origin protocol policy to https-only.",
            c.fix.change_set(vec![change(
                c,
                DistributionSetting::OriginProtocolPolicy {
                    policy: OriginProtocolPolicy::HttpsOnly,
                },
            )]),
        )
    } else {
        f.fix(
            format!(
                "Fix what CloudFront reports (the status and the page's text): for 502/504 check the origin's domain name (the API's execute-api host, or its custom domain) and that its protocol policy is https-only; for 403 check the distribution's geographic restrictions and its web ACL.{}",
                id_hint(c)
            ),
            vec!["aws cloudfront get-distribution-config --id \"$DISTRIBUTION_ID\" --query \"DistributionConfig.[Origins.Items[].[DomainName,CustomOriginConfig.OriginProtocolPolicy],Restrictions,WebACLId]\"".to_string()],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::front::cloudfront::{CachePolicy, OriginRequestPolicy};

    fn policy(name: &str) -> Option<OriginRequestPolicy> {
        Some(OriginRequestPolicy {
            name: name.into(),
            headers: Vec::new(),
            unread: false,
        })
    }

    #[test]
    fn the_cors_request_headers_are_forwarded_by_the_fix_only_when_the_distribution_does_not() {
        let cache = |name: &str| CachePolicy {
            name: name.into(),
            headers: Vec::new(),
            unread: false,
        };
        // CachingDisabled and no origin request policy: CloudFront forwards none of them.
        let mut d = Distribution {
            cache_policy: cache("CachingDisabled"),
            ..Distribution::default()
        };
        assert_eq!(
            forward_cors_headers(&d, true),
            Some(DistributionSetting::OriginRequestPolicy {
                name: FORWARDING_POLICY.into()
            })
        );
        // CORS-CustomOrigin forwards Origin only: the preflight's headers are missing.
        d.origin_request_policy = policy("CORS-CustomOrigin");
        assert!(forward_cors_headers(&d, true).is_some());
        // All three forwarded: nothing to change.
        for name in ["CORS-S3Origin", "AllViewer", FORWARDING_POLICY] {
            d.origin_request_policy = policy(name);
            assert_eq!(forward_cors_headers(&d, true), None, "{name}");
        }
        // A custom policy whose headers the saved config does not list: not overwritten.
        d.origin_request_policy = Some(OriginRequestPolicy {
            name: "custom-id".into(),
            headers: vec!["*".into()],
            unread: true,
        });
        assert_eq!(forward_cors_headers(&d, true), None);
        // A cache key on the three forwards them, unless the same fix replaces the policy.
        d.origin_request_policy = None;
        d.cache_policy = CachePolicy {
            name: "custom".into(),
            headers: cloudfront::CORS_REQUEST_HEADERS
                .iter()
                .map(|h| h.to_string())
                .collect(),
            unread: false,
        };
        assert_eq!(forward_cors_headers(&d, true), None);
        assert!(forward_cors_headers(&d, false).is_some());
    }
}
