//! SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>), the
//! format GitHub code scanning reads: one run, the tool's rules (`id` = the finding code, with
//! a description), one result per finding (`ruleId`, `level`, `message.text`) located at the
//! file and start line where the element is defined (`physicalLocation`), and at the API and
//! route (`logicalLocations`); a finding without a recorded line has the file without a region.

use std::borrow::Cow;

use serde::Serialize;

use super::{LintReport, ReportFinding};
use crate::diagnose::{FindingCode, Severity};

/// What each code means, for the rules of the SARIF run: (short, full).
pub fn describe(code: FindingCode) -> (&'static str, &'static str) {
    use FindingCode::*;
    match code {
        FailsWithoutBrowser => ("The request fails without a browser too", "API Gateway (or the backend) refuses the request itself, with or without Origin: the real problem is not CORS, and the browser only hides the status."),
        NetworkError => ("No answer", "The request got no HTTP answer (DNS, TLS, connection or timeout)."),
        PreflightRequired => ("A preflight is sent", "The browser sends an OPTIONS preflight before this request (a method or header that is not CORS-safelisted)."),
        NoPreflight => ("No preflight", "The request is CORS-safelisted: the browser sends it without a preflight."),
        OptionsMissing => ("OPTIONS missing", "A resource whose methods need a preflight has no OPTIONS method: the preflight gets 403 Missing Authentication Token and the browser blocks the request."),
        OptionsNotDeployed => ("OPTIONS not deployed", "The OPTIONS method exists in the API but not in the deployment the stage serves."),
        PreflightRedirected => ("Preflight redirected", "The preflight is answered with a redirect, which browsers refuse to follow."),
        OptionsAuthorized => ("OPTIONS authorized", "An authorizer or IAM guards the OPTIONS method (or a $default/ANY route catches the preflight): browsers never send credentials on a preflight, so it fails with 401/403."),
        OptionsApiKeyRequired => ("OPTIONS requires an API key", "The OPTIONS method requires an API key; browsers send no x-api-key on a preflight, so it fails with 403."),
        PreflightBadStatus => ("Preflight status not 2xx", "The preflight's answer is not a 2xx status, so the browser blocks the request."),
        PreflightCorsHeaders => ("Preflight CORS headers wrong", "The preflight's Access-Control-Allow-Origin, -Methods or -Headers do not allow the app's request (a wrong or missing origin, a header or method not listed)."),
        ActualCorsHeaders => ("Response CORS headers wrong", "The actual response lacks an Access-Control-Allow-Origin that allows the app's origin (or allows * with credentials)."),
        HeaderNotDeclared => ("CORS header mapped but not declared", "The integration response maps a CORS header that the method response does not declare, so API Gateway drops it."),
        HeaderNotMapped => ("CORS header declared but not mapped", "The method response declares a CORS header that the integration response maps no value to, so it is never sent."),
        BackendHeadersIgnored => ("Backend CORS headers ignored", "API Gateway replaces or drops the backend's CORS headers (an HTTP API cors_configuration, a non-proxy integration)."),
        GatewayResponseNoCors => ("Gateway response without CORS headers", "An error API Gateway answers itself (401, 403, 429, 5xx) reaches the browser without CORS headers: the app sees a CORS error instead of the real status."),
        GatewayResponsesUnconfigured => ("Gateway responses without CORS headers", "Neither DEFAULT_4XX nor DEFAULT_5XX adds Access-Control-Allow-Origin: every gateway error will look like a CORS failure in the browser."),
        BrowserBlocked => ("The browser blocks the request", "The browser's CORS check refuses the request."),
        BrowserAllowed => ("The browser allows the request", "The browser's CORS check passes."),
        CorsSecurityRisk => ("CORS security risk", "The API trusts origins nobody configured on purpose: any origin reflected, null allowed, or a wildcard together with credentials."),
        SelectionPatternUnsupported => ("Selection pattern not evaluated", "An integration response's selection pattern uses regex syntax cors-doctor cannot evaluate."),
        FetchRefused => ("fetch() refuses the request", "fetch() throws before sending anything (a forbidden method, credentials in the URL, a GET body)."),
        BrowserVerdictUnknown => ("Browser verdict unknown", "What the browser finally does cannot be known from the evidence (a redirect it would follow)."),
        UndeployedChanges => ("Changes not deployed", "The stage serves a deployment older than the API's configuration: the changes (an OPTIONS method, a CORS mapping) do not reach it. In Terraform: an aws_api_gateway_deployment that the plan does not replace."),
        DeploymentNoTriggers => ("Deployment without triggers", "A Terraform aws_api_gateway_deployment has no triggers: when methods change, no new deployment is made and the stage keeps serving the old API."),
        ProxyBackendCors => ("Proxy backend must send CORS headers", "A proxy integration (Lambda proxy, HTTP proxy) passes the backend's answer through: the backend must return Access-Control-Allow-Origin on every response, errors included. Offline this cannot be checked."),
        CloudfrontMethodNotAllowed => ("CloudFront refuses the method", "The distribution's allowed methods do not include the request's method (often OPTIONS): CloudFront answers 403 itself and the preflight never reaches the API's OPTIONS method."),
        CloudfrontCacheIgnoresOrigin => ("CloudFront cache ignores Origin", "The cache key (or forwarded headers) of the distribution's behaviour does not include Origin and the Access-Control-Request-* headers, so an answer cached for one origin is served to another."),
        CloudfrontErrorNoCors => ("CloudFront error without CORS headers", "CloudFront generated an error answer (403, 5xx) without Access-Control-Allow-Origin: the browser hides its status behind a CORS error."),
        CloudfrontDuplicateCorsHeaders => ("CloudFront duplicates CORS headers", "A response headers policy adds Access-Control-* headers on top of those from API Gateway (without overriding them), so the browser receives several values and blocks the response."),
        CustomDomainNoMapping => ("Custom domain: no base path mapping", "No base path mapping of the custom domain name matches the request's path, so the domain answers 403 ForbiddenException before any API is reached."),
        CustomDomainWrongStage => ("Custom domain maps to another stage", "The base path mapping sends the request to another API or stage than the one the configuration describes."),
        WafBlocked => ("AWS WAF blocks the request", "An AWS WAF rule blocked the request (403). Unless the block response (or API Gateway's WAF_FILTERED gateway response) adds CORS headers, the browser shows a CORS error instead."),
        ResourcePolicyDenied => ("Resource policy denies the request", "The API's resource policy denies execute-api:Invoke for this caller (403 AccessDeniedException); without CORS headers on that answer the browser reports a CORS error."),
        PrivateApiOutsideVpc => ("Private API called from outside its VPC", "The API's endpoint type is PRIVATE: only callers inside its VPC, through an interface VPC endpoint, reach it. Anyone else gets the public endpoint's 403 ForbiddenException without CORS headers, which the browser reports as a CORS error; CORS headers cannot fix it."),
        LoadBalancerErrorNoCors => ("Load balancer error without CORS headers", "A load balancer answered with its own 502/503/504 page (its targets are down, unregistered or too slow): it carries no CORS headers, so the browser hides the status behind a CORS error. The fix is the targets, not CORS headers."),
        FunctionUrlDuplicateCors => ("Function URL: CORS headers twice", "The function URL's CORS configuration adds Access-Control-Allow-Origin and the function's code sets it too, so the browser receives two values and blocks the response."),
        LivePreflightMismatch => ("Live preflight differs from the configuration", "`audit --probe` sent the route's preflight to the stage's invoke URL and the answer is not what the configuration predicts: OPTIONS not deployed to the stage, a stale deployment, or CloudFront, a WAF or a proxy in front answering instead."),
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name as a SARIF artifact URI: relative paths stay relative (to the repository root
/// in CI), with forward slashes; spaces and `%` are percent-encoded.
fn uri(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    for c in file.replace('\\', "/").chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out.strip_prefix("./").map(str::to_string).unwrap_or(out)
}

// The document, as borrowed structs serialized in one pass (no intermediate JSON values);
// the field order is the document's key order.

#[derive(Serialize)]
struct Doc<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    default_configuration: Level,
    help: Text<'a>,
}

#[derive(Serialize)]
struct Level {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: OwnedText,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints,
    properties: Properties<'a>,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: Physical,
    logical_locations: Vec<Logical<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical<'a> {
    name: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fully_qualified_name: Option<String>,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "corsDoctor/v1")]
    cors_doctor_v1: String,
}

#[derive(Serialize)]
struct Properties<'a> {
    step: u8,
    api: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<&'a str>,
}

fn result(f: &ReportFinding, rule_index: usize) -> SarifResult<'_> {
    let route = f
        .route
        .as_ref()
        .map(|r| format!("{} {}", r.method, r.path))
        .unwrap_or_else(|| "(whole API)".to_string());
    let physical = match &f.source {
        Some(s) => Physical {
            artifact_location: Artifact { uri: uri(&s.file) },
            region: Some(Region {
                start_line: s.line.max(1),
            }),
        },
        None => Physical {
            artifact_location: Artifact { uri: uri(&f.file) },
            region: None,
        },
    };
    let fingerprint = format!(
        "{}|{}|{}|{}",
        f.code,
        f.api,
        route,
        f.stage.as_deref().unwrap_or("")
    );
    let mut logical = vec![Logical {
        fully_qualified_name: Some(format!("{}/{}", f.api, route)),
        name: Cow::Owned(route),
        kind: "function",
    }];
    if let Some(r) = f.source.as_ref().and_then(|s| s.resource.as_ref()) {
        logical.push(Logical {
            name: Cow::Borrowed(r),
            fully_qualified_name: None,
            kind: "resource",
        });
    }
    let mut text = f.message.clone();
    if let Some(fix) = &f.remediation {
        text.push_str("\nFix: ");
        text.push_str(&fix.text);
    }
    SarifResult {
        rule_id: f.code.as_str(),
        rule_index,
        level: level(f.severity),
        message: OwnedText { text },
        locations: [Location {
            physical_location: physical,
            logical_locations: logical,
        }],
        partial_fingerprints: Fingerprints {
            cors_doctor_v1: fingerprint,
        },
        properties: Properties {
            step: f.step,
            api: &f.api,
            origin: f.origin.as_deref(),
            stage: f.stage.as_deref(),
        },
    }
}

pub(super) fn render(r: &LintReport) -> String {
    let mut codes: Vec<FindingCode> = Vec::new();
    for f in &r.findings {
        if !codes.contains(&f.code) {
            codes.push(f.code);
        }
    }
    let rules: Vec<Rule<'_>> = codes
        .iter()
        .map(|c| {
            let (short, full) = describe(*c);
            let default = r
                .findings
                .iter()
                .filter(|f| f.code == *c)
                .map(|f| f.severity)
                .min()
                .unwrap_or(Severity::Warning);
            Rule {
                id: c.as_str(),
                name: c.as_str(),
                short_description: Text { text: short },
                full_description: Text { text: full },
                default_configuration: Level {
                    level: level(default),
                },
                help: Text { text: full },
            }
        })
        .collect();
    let results: Vec<SarifResult<'_>> = r
        .findings
        .iter()
        .map(|f| {
            let i = codes.iter().position(|c| *c == f.code).unwrap_or(0);
            result(f, i)
        })
        .collect();
    let doc = Doc {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "cors-doctor",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
