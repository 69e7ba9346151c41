//! CloudFront in front of the API: allowed methods, the cache (and whether its key varies on
//! `Origin` / `Access-Control-Request-*`), response headers policies, CloudFront's own errors.
//!
//! What the documentation says, and where:
//! - Allowed methods are one of three sets (GET/HEAD; GET/HEAD/OPTIONS; the seven), cached
//!   methods one of two (GET/HEAD; GET/HEAD/OPTIONS):
//!   <https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_AllowedMethods.html>,
//!   <https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachedMethods.html>
//!   (the latter: with OPTIONS cached, "forward Access-Control-Request-Method,
//!   Access-Control-Request-Headers, and Origin headers for the responses to be cached
//!   correctly").
//! - A cache policy's headers are "included in the cache key and in requests that CloudFront
//!   sends to the origin"; an origin request policy's headers only in origin requests:
//!   <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudfront-cachepolicy-headersconfig.html>.
//!   So `CachingOptimized` (no headers in the key) with the `CORS-CustomOrigin` origin request
//!   policy forwards `Origin` to the API but serves one origin's cached answer to every other.
//!   Managed policy names and ids:
//!   <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html>,
//!   <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html>.
//! - A response headers policy's CORS config adds headers "to HTTP responses that it sends for
//!   CORS requests"; `OriginOverride` "determines whether CloudFront overrides HTTP response
//!   headers received from the origin":
//!   <https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyCorsConfig.html>;
//!   "CloudFront modifies the headers in the responses that it serves from the cache and the
//!   ones that it forwards from the origin. If the origin response includes one or more of the
//!   headers … the policy can specify if CloudFront uses the header it received from the origin
//!   or overwrites that header":
//!   <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/modifying-response-headers.html>.
//! - CloudFront Functions see and set response headers, several values of one header as
//!   `multiValue`: <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html>.
//! - API Gateway serves HTTPS only ("API Gateway doesn't support unencrypted (HTTP)
//!   endpoints"), and CloudFront answers 502 when it cannot connect to the origin:
//!   <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-502-bad-gateway.html>.
//!
//! Choices the documentation leaves open (the simulator and the prediction make them):
//! - **Duplicates.** The documentation says a response headers policy either keeps the
//!   origin's header or overwrites it — never both. So a response headers policy here never
//!   duplicates a header (shared/reference said it could: the documentation quoted above says
//!   otherwise). Two `Access-Control-Allow-Origin` values behind CloudFront come from code at
//!   the edge that *adds* a value (a viewer-response CloudFront Function setting `multiValue`,
//!   or Lambda@Edge): [`Distribution::viewer_response_headers`] models such a function.
//! - **CloudFront's own errors** (a refused method, an unreachable origin) get no header from
//!   the response headers policy: the documentation names only responses served from the cache
//!   or forwarded from the origin.
//! - **Forwarding.** Only the three CORS request headers are removed when neither policy
//!   forwards them (that is what changes the API's CORS answer); other viewer headers pass as
//!   sent, a simplification.
//! - **The cache key** is the method, the path with the query, and the values of the key
//!   headers; `Age` counts the requests CloudFront served since the entry was stored (a
//!   logical clock: this module reads no time). A request method not in the cached methods
//!   is never served from the cache.
//! - **Earlier visitors** ([`Distribution::earlier_viewers`]): requests from other origins that
//!   reached the distribution before the app's (another site of the same company, a crawler);
//!   CloudFront answers them through to the API and caches what it may, first.
//! - The 403 page's text is CloudFront's well-known "The request could not be satisfied" page;
//!   the documentation does not print it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Layer, Layered, Next, Sighting};
use crate::exchange::{AnsweredBy, RecordedRequest, RecordedResponse};
use crate::http::{Headers, HttpRequest, HttpResponse};

/// The three CORS request headers CloudFront's policies decide about.
pub const CORS_REQUEST_HEADERS: [&str; 3] = [
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
];

/// Managed cache policies: name, id, the headers in the key (`None`: caching disabled).
pub const MANAGED_CACHE_POLICIES: [(&str, &str, Option<&[&str]>); 4] = [
    (
        "CachingOptimized",
        "658327ea-f89d-4fab-a63d-7e88639e58f6",
        Some(&[]),
    ),
    (
        "CachingDisabled",
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        None,
    ),
    (
        "CachingOptimizedForUncompressedObjects",
        "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
        Some(&[]),
    ),
    (
        "UseOriginCacheControlHeaders",
        "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        Some(&[
            "Host",
            "Origin",
            "X-HTTP-Method-Override",
            "X-HTTP-Method",
            "X-Method-Override",
        ]),
    ),
];

/// Managed origin request policies: name, id, the CORS headers they forward (`None`: every
/// viewer header).
pub const MANAGED_ORIGIN_REQUEST_POLICIES: [(&str, &str, Option<&[&str]>); 6] = [
    ("AllViewer", "216adef6-5c7f-47e4-b989-5492eafa07d3", None),
    (
        "AllViewerExceptHostHeader",
        "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        None,
    ),
    (
        "AllViewerAndCloudFrontHeaders-2022-06",
        "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        None,
    ),
    (
        "CORS-CustomOrigin",
        "59781a5b-3903-41f3-afcb-af62929ccde1",
        Some(&["Origin"]),
    ),
    (
        "CORS-S3Origin",
        "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        Some(&[
            "Origin",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Method",
        ]),
    ),
    (
        "UserAgentRefererHeaders",
        "acba4595-bd28-49b8-b9fe-13317c0390fa",
        Some(&[]),
    ),
];

/// A distribution whose origin is the API (its default cache behavior).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// The distribution's id (`EDFDVBD6EXAMPLE`), for the commands of a fix.
    #[serde(default = "default_id")]
    pub id: String,
    /// Its domain name (`d111111abcdef8.cloudfront.net`).
    #[serde(default = "default_domain")]
    pub domain: String,
    /// The methods CloudFront forwards; others get its 403 page.
    #[serde(default)]
    pub allowed_methods: AllowedMethods,
    /// The methods whose answers CloudFront caches.
    #[serde(default)]
    pub cached_methods: CachedMethods,
    /// The cache policy: which headers are in the cache key (and forwarded).
    #[serde(default)]
    pub cache_policy: CachePolicy,
    /// The origin request policy (name; headers forwarded without being in the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_request_policy: Option<OriginRequestPolicy>,
    /// The response headers policy (its CORS part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_headers_policy: Option<ResponseHeadersPolicy>,
    /// How CloudFront connects to the origin (`https-only`, `http-only`, `match-viewer`).
    #[serde(default)]
    pub origin_protocol_policy: OriginProtocolPolicy,
    /// Headers a viewer-response CloudFront Function (or Lambda@Edge) adds as one more value
    /// (`multiValue`), whatever the origin sent: the edge code behind duplicate headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub viewer_response_headers: BTreeMap<String, String>,
    /// Origins whose requests reached the distribution before the app's ("" for a request
    /// without `Origin`): they fill the cache first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_viewers: Vec<String>,
    /// The edge location answering (`X-Amz-Cf-Pop`).
    #[serde(default = "default_pop")]
    pub pop: String,
}

fn default_id() -> String {
    "EDFDVBD6EXAMPLE".into()
}
fn default_domain() -> String {
    "d111111abcdef8.cloudfront.net".into()
}
fn default_pop() -> String {
    "FRA56-P1".into()
}

impl Default for Distribution {
    fn default() -> Self {
        Distribution {
            id: default_id(),
            domain: default_domain(),
            allowed_methods: AllowedMethods::default(),
            cached_methods: CachedMethods::default(),
            cache_policy: CachePolicy::default(),
            origin_request_policy: None,
            response_headers_policy: None,
            origin_protocol_policy: OriginProtocolPolicy::default(),
            viewer_response_headers: BTreeMap::new(),
            earlier_viewers: Vec::new(),
            pop: default_pop(),
        }
    }
}

/// The three sets of allowed methods CloudFront offers. In a scenario: the list of methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub enum AllowedMethods {
    GetHead,
    GetHeadOptions,
    #[default]
    All,
}

impl AllowedMethods {
    pub fn methods(self) -> &'static [&'static str] {
        match self {
            AllowedMethods::GetHead => &["GET", "HEAD"],
            AllowedMethods::GetHeadOptions => &["GET", "HEAD", "OPTIONS"],
            AllowedMethods::All => &["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
        }
    }

    pub fn allows(self, method: &str) -> bool {
        self.methods()
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method))
    }

    /// The set holding exactly `methods` (any order and case), or why none does.
    pub fn from_methods<S: AsRef<str>>(methods: &[S]) -> Result<AllowedMethods, String> {
        let mut set: Vec<String> = methods
            .iter()
            .map(|m| m.as_ref().trim().to_ascii_uppercase())
            .collect();
        set.sort();
        set.dedup();
        for candidate in [
            AllowedMethods::GetHead,
            AllowedMethods::GetHeadOptions,
            AllowedMethods::All,
        ] {
            let mut want: Vec<String> = candidate.methods().iter().map(|m| m.to_string()).collect();
            want.sort();
            if want == set {
                return Ok(candidate);
            }
        }
        Err(format!(
            "CloudFront's allowed methods are one of three sets: [GET, HEAD], [GET, HEAD, OPTIONS] or [GET, HEAD, OPTIONS, PUT, PATCH, POST, DELETE]; [{}] is none of them.",
            set.join(", ")
        ))
    }
}

impl TryFrom<Vec<String>> for AllowedMethods {
    type Error = String;
    fn try_from(v: Vec<String>) -> Result<Self, String> {
        AllowedMethods::from_methods(&v)
    }
}

impl From<AllowedMethods> for Vec<String> {
    fn from(a: AllowedMethods) -> Self {
        a.methods().iter().map(|m| m.to_string()).collect()
    }
}

/// The two sets of cached methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub enum CachedMethods {
    #[default]
    GetHead,
    GetHeadOptions,
}

impl CachedMethods {
    pub fn methods(self) -> &'static [&'static str] {
        match self {
            CachedMethods::GetHead => &["GET", "HEAD"],
            CachedMethods::GetHeadOptions => &["GET", "HEAD", "OPTIONS"],
        }
    }

    pub fn caches(self, method: &str) -> bool {
        self.methods()
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method))
    }
}

impl TryFrom<Vec<String>> for CachedMethods {
    type Error = String;
    fn try_from(v: Vec<String>) -> Result<Self, String> {
        let mut set: Vec<String> = v.iter().map(|m| m.trim().to_ascii_uppercase()).collect();
        set.sort();
        set.dedup();
        match set.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["GET", "HEAD"] => Ok(CachedMethods::GetHead),
            ["GET", "HEAD", "OPTIONS"] => Ok(CachedMethods::GetHeadOptions),
            _ => Err(format!(
                "CloudFront's cached methods are [GET, HEAD] or [GET, HEAD, OPTIONS]; [{}] is neither.",
                set.join(", ")
            )),
        }
    }
}

impl From<CachedMethods> for Vec<String> {
    fn from(c: CachedMethods) -> Self {
        c.methods().iter().map(|m| m.to_string()).collect()
    }
}

/// A cache policy: a managed one by name, or a custom one with the headers in its key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachePolicy {
    /// `CachingOptimized`, `CachingDisabled`, … or a custom policy's name.
    pub name: String,
    /// A custom policy's key headers (ignored for a managed name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// True when the policy's headers are not known (a custom policy named by id in a saved
    /// distribution config): nothing is concluded from its key.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unread: bool,
}

impl Default for CachePolicy {
    fn default() -> Self {
        CachePolicy {
            name: "CachingOptimized".into(),
            headers: Vec::new(),
            unread: false,
        }
    }
}

impl CachePolicy {
    fn managed(
        &self,
    ) -> Option<&'static (&'static str, &'static str, Option<&'static [&'static str]>)> {
        MANAGED_CACHE_POLICIES
            .iter()
            .find(|(n, id, _)| n.eq_ignore_ascii_case(&self.name) || *id == self.name)
    }

    /// False for `CachingDisabled`.
    pub fn caches(&self) -> bool {
        !matches!(self.managed(), Some((_, _, None)))
    }

    /// The headers in the cache key.
    pub fn key_headers(&self) -> Vec<String> {
        match self.managed() {
            Some((_, _, Some(h))) => h.iter().map(|s| s.to_string()).collect(),
            Some((_, _, None)) => Vec::new(),
            None => self.headers.clone(),
        }
    }

    /// The managed policy's id, when it is one.
    pub fn managed_id(&self) -> Option<&'static str> {
        self.managed().map(|(_, id, _)| *id)
    }

    /// True when the key varies on `name`.
    pub fn keys_on(&self, name: &str) -> bool {
        self.key_headers()
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
    }
}

/// An origin request policy: a managed one by name, or a custom one with its headers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginRequestPolicy {
    pub name: String,
    /// A custom policy's forwarded headers; `["*"]` for all viewer headers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<String>,
    /// True when the policy's headers are not known (see [`CachePolicy::unread`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unread: bool,
}

impl OriginRequestPolicy {
    /// True when the policy forwards `name` to the origin.
    pub fn forwards(&self, name: &str) -> bool {
        match MANAGED_ORIGIN_REQUEST_POLICIES
            .iter()
            .find(|(n, id, _)| n.eq_ignore_ascii_case(&self.name) || *id == self.name)
        {
            Some((_, _, None)) => true,
            Some((_, _, Some(h))) => h.iter().any(|x| x.eq_ignore_ascii_case(name)),
            None => self
                .headers
                .iter()
                .any(|x| x == "*" || x.eq_ignore_ascii_case(name)),
        }
    }

    pub fn managed_id(&self) -> Option<&'static str> {
        MANAGED_ORIGIN_REQUEST_POLICIES
            .iter()
            .find(|(n, id, _)| n.eq_ignore_ascii_case(&self.name) || *id == self.name)
            .map(|(_, id, _)| *id)
    }
}

/// A response headers policy's CORS part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseHeadersPolicy {
    pub name: String,
    /// `AccessControlAllowOrigins` (`*` or origins).
    #[serde(default)]
    pub allow_origins: Vec<String>,
    #[serde(default)]
    pub allow_methods: Vec<String>,
    #[serde(default)]
    pub allow_headers: Vec<String>,
    #[serde(default)]
    pub allow_credentials: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose_headers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// `OriginOverride`: replace the origin's CORS headers (true) or keep them (false).
    #[serde(default)]
    pub origin_override: bool,
}

/// How CloudFront connects to the origin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginProtocolPolicy {
    #[default]
    HttpsOnly,
    HttpOnly,
    MatchViewer,
}

impl OriginProtocolPolicy {
    /// The value in a distribution config (`https-only`).
    pub fn as_str(self) -> &'static str {
        match self {
            OriginProtocolPolicy::HttpsOnly => "https-only",
            OriginProtocolPolicy::HttpOnly => "http-only",
            OriginProtocolPolicy::MatchViewer => "match-viewer",
        }
    }
}

impl Distribution {
    /// True when CloudFront forwards `name` (a CORS request header) to the API.
    pub fn forwards(&self, name: &str) -> bool {
        self.cache_policy.keys_on(name)
            || self
                .origin_request_policy
                .as_ref()
                .is_some_and(|p| p.forwards(name))
    }

    /// True when answers to `method` may be cached and served to others.
    pub fn caches(&self, method: &str) -> bool {
        self.cache_policy.caches() && self.cached_methods.caches(method)
    }

    /// The CORS request headers a cached `method`'s answer does not vary on although they
    /// reach the API (its answer depends on them): empty when the cache is right.
    pub fn cache_ignores(&self, method: &str) -> Vec<&'static str> {
        let unread = self.cache_policy.unread
            || self
                .origin_request_policy
                .as_ref()
                .is_some_and(|p| p.unread);
        if !self.caches(method) || unread {
            return Vec::new();
        }
        let preflight = method.eq_ignore_ascii_case("OPTIONS");
        CORS_REQUEST_HEADERS
            .iter()
            .filter(|h| preflight || **h == "Origin")
            .filter(|h| self.forwards(h) && !self.cache_policy.keys_on(h))
            .copied()
            .collect()
    }
}

/// One setting of a distribution's default cache behavior or origin that a remedy changes
/// (`Change::CloudFront`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "setting", rename_all = "snake_case")]
pub enum DistributionSetting {
    /// `DefaultCacheBehavior.AllowedMethods` (the cached methods stay).
    AllowedMethods { methods: AllowedMethods },
    /// `DefaultCacheBehavior.CachePolicyId`: a managed cache policy, by name.
    CachePolicy { name: String },
    /// `DefaultCacheBehavior.OriginRequestPolicyId`: a managed origin request policy, by name.
    OriginRequestPolicy { name: String },
    /// The API origin's `CustomOriginConfig.OriginProtocolPolicy`.
    OriginProtocolPolicy { policy: OriginProtocolPolicy },
    /// Remove the viewer-response function associations (CloudFront Functions and
    /// Lambda@Edge) of the default cache behavior: the code that adds `headers`.
    RemoveViewerResponseFunctions { headers: Vec<String> },
}

impl DistributionSetting {
    /// The change in words.
    pub fn words(&self) -> String {
        match self {
            DistributionSetting::AllowedMethods { methods } => {
                format!("allowed methods {}", methods.methods().join(", "))
            }
            DistributionSetting::CachePolicy { name } => format!("cache policy {name}"),
            DistributionSetting::OriginRequestPolicy { name } => {
                format!("origin request policy {name}")
            }
            DistributionSetting::OriginProtocolPolicy { policy } => {
                format!("origin protocol policy {}", policy.as_str())
            }
            DistributionSetting::RemoveViewerResponseFunctions { headers } => format!(
                "remove the viewer-response functions (they add {})",
                headers.join(", ")
            ),
        }
    }
}

/// `setting` applied to the distribution (what `update-distribution` with it does).
pub fn apply_change(d: &mut Distribution, setting: &DistributionSetting) {
    match setting {
        DistributionSetting::AllowedMethods { methods } => d.allowed_methods = *methods,
        DistributionSetting::CachePolicy { name } => {
            d.cache_policy = CachePolicy {
                name: name.clone(),
                headers: Vec::new(),
                unread: false,
            }
        }
        DistributionSetting::OriginRequestPolicy { name } => {
            d.origin_request_policy = Some(OriginRequestPolicy {
                name: name.clone(),
                headers: Vec::new(),
                unread: false,
            })
        }
        DistributionSetting::OriginProtocolPolicy { policy } => d.origin_protocol_policy = *policy,
        DistributionSetting::RemoveViewerResponseFunctions { .. } => {
            d.viewer_response_headers.clear()
        }
    }
}

/// The id of a managed cache or origin request policy, by name.
pub fn managed_policy_id(name: &str) -> Option<&'static str> {
    MANAGED_CACHE_POLICIES
        .iter()
        .map(|(n, id, _)| (*n, *id))
        .chain(
            MANAGED_ORIGIN_REQUEST_POLICIES
                .iter()
                .map(|(n, id, _)| (*n, *id)),
        )
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, id)| id)
}

/// The sentence of CloudFront's 403 page for a method the distribution does not allow.
pub const METHOD_REFUSED_TEXT: &str =
    "not configured to allow the HTTP request method that was used for this request";

/// What CloudFront's `X-Cache` says of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheStatus {
    Hit,
    RefreshHit,
    Miss,
    /// CloudFront produced the answer (an error) itself.
    Error,
    /// A CloudFront header without a known `X-Cache`.
    Unknown,
}

impl CacheStatus {
    pub fn words(self) -> &'static str {
        match self {
            CacheStatus::Hit => "Hit",
            CacheStatus::RefreshHit => "RefreshHit",
            CacheStatus::Miss => "Miss",
            CacheStatus::Error => "Error",
            CacheStatus::Unknown => "seen",
        }
    }
}

/// The cache status of an answer that came through CloudFront (`None`: no sign of it).
pub fn cache_status(headers: &Headers) -> Option<CacheStatus> {
    let x_cache = headers.get("x-cache").map(|v| v.to_ascii_lowercase());
    let marked = headers.contains("x-amz-cf-id")
        || headers.contains("x-amz-cf-pop")
        || headers
            .get_all("via")
            .any(|v| v.to_ascii_lowercase().contains("cloudfront"))
        || headers
            .get("server")
            .is_some_and(|v| v.eq_ignore_ascii_case("cloudfront"))
        || x_cache.as_deref().is_some_and(|v| v.contains("cloudfront"));
    if !marked {
        return None;
    }
    Some(match x_cache.as_deref() {
        Some(v) if v.starts_with("refreshhit") => CacheStatus::RefreshHit,
        Some(v) if v.starts_with("hit") => CacheStatus::Hit,
        Some(v) if v.starts_with("miss") => CacheStatus::Miss,
        Some(v) if v.starts_with("error") => CacheStatus::Error,
        _ => CacheStatus::Unknown,
    })
}

/// True when CloudFront itself produced `response` (its error page: `X-Cache: Error from
/// cloudfront` and no sign that API Gateway answered).
pub fn answered_itself(response: &RecordedResponse) -> bool {
    cache_status(&response.headers) == Some(CacheStatus::Error)
        && !response.headers.contains("x-amzn-requestid")
        && !response.headers.contains("apigw-requestid")
        && !response.headers.contains("x-amz-apigw-id")
}

/// True when `response` is CloudFront's 403 for a method the distribution does not allow.
pub fn refused_method(response: &RecordedResponse) -> bool {
    response.status == 403
        && answered_itself(response)
        && response.body_excerpt.contains(METHOD_REFUSED_TEXT)
}

/// A header value from a server, quoted safely in a detail.
fn safe(value: &str) -> String {
    crate::text::escape_controls(&crate::text::shorten(value, 80))
}

/// CloudFront recognised in an answer.
pub fn seen(request: &RecordedRequest, response: Option<&RecordedResponse>) -> Option<Sighting> {
    let host_is_cloudfront = url::Url::parse(&request.url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.to_ascii_lowercase()))
        .is_some_and(|h| h.ends_with(".cloudfront.net"));
    let status = response.and_then(|r| cache_status(&r.headers));
    if status.is_none() && !host_is_cloudfront {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(r) = response {
        if let Some(x) = r.headers.get("x-cache") {
            parts.push(format!("X-Cache: {}", safe(x)));
        }
        if let Some(age) = r.headers.get("age") {
            parts.push(format!("Age {}", safe(age)));
        }
        if let Some(pop) = r.headers.get("x-amz-cf-pop") {
            parts.push(format!("POP {}", safe(pop)));
        }
        if refused_method(r) {
            parts.push(format!("{} not allowed", safe(&request.method)));
        }
    }
    if parts.is_empty() {
        parts.push("a *.cloudfront.net host".to_string());
    }
    let answered = response.is_some_and(|r| {
        answered_itself(r)
            || matches!(
                cache_status(&r.headers),
                Some(CacheStatus::Hit | CacheStatus::RefreshHit)
            )
    });
    Some(Sighting {
        layer: Layer::CloudFront,
        detail: parts.join(", "),
        answered,
    })
}

mod edge;
mod saved;

pub use edge::{respond, Cache};
#[cfg(test)]
mod tests;

pub use saved::{from_saved_config, path_pattern_matches};
