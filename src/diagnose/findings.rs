//! Findings: one diagnosed fact each, with a stable code (a public interface: see
//! shared/design/report-schema.md), a severity, the evidence behind it and the remediation.

use serde::{Deserialize, Serialize};

use crate::gateway::change::ChangeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingCode {
    FailsWithoutBrowser,
    NetworkError,
    PreflightRequired,
    NoPreflight,
    OptionsMissing,
    OptionsNotDeployed,
    PreflightRedirected,
    OptionsAuthorized,
    OptionsApiKeyRequired,
    PreflightBadStatus,
    PreflightCorsHeaders,
    ActualCorsHeaders,
    HeaderNotDeclared,
    HeaderNotMapped,
    BackendHeadersIgnored,
    GatewayResponseNoCors,
    GatewayResponsesUnconfigured,
    BrowserBlocked,
    BrowserAllowed,
    CorsSecurityRisk,
    SelectionPatternUnsupported,
    /// fetch() throws a TypeError and sends nothing (step 2; additive to schema v1).
    FetchRefused,
    /// The browser's final verdict cannot be known from what was recorded, e.g. a redirect
    /// it would follow (step 7, a warning; additive to schema v1).
    BrowserVerdictUnknown,
    /// `lint`: the working copy has changes the stage does not serve (a deployment that is
    /// not redeployed: Terraform without `triggers`); additive to schema v1.
    UndeployedChanges,
    /// `lint`: a Terraform `aws_api_gateway_deployment` without `triggers`: later changes
    /// never reach the stage (a warning; additive to schema v1).
    DeploymentNoTriggers,
    /// `lint`: a proxy integration's backend must send the CORS headers itself; offline
    /// they cannot be checked (info; additive to schema v1).
    ProxyBackendCors,
    /// CloudFront refuses the method (OPTIONS not in the distribution's allowed methods): its 403 never reaches the API (step 3); additive to schema v1.
    CloudfrontMethodNotAllowed,
    /// CloudFront serves a cached answer made for another origin: its cache key does not vary on Origin / Access-Control-Request-* (step 5); additive to schema v1.
    CloudfrontCacheIgnoresOrigin,
    /// CloudFront's own error answer carries no CORS headers, hiding the real status (step 6); additive to schema v1.
    CloudfrontErrorNoCors,
    /// A response headers policy adds CORS headers the API already sends: the browser sees several values (step 5); additive to schema v1.
    CloudfrontDuplicateCorsHeaders,
    /// The custom domain has no base path mapping for the request's path: its 403 comes before any API (step 3); additive to schema v1.
    CustomDomainNoMapping,
    /// The base path mapping points at another API or stage than the one diagnosed (step 3); additive to schema v1.
    CustomDomainWrongStage,
    /// AWS WAF blocked the request; its 403 carries no CORS headers (step 6); additive to schema v1.
    WafBlocked,
    /// The API's resource policy denies the request (403 AccessDeniedException) (step 1/6); additive to schema v1.
    ResourcePolicyDenied,
    /// A private API called from outside its VPC endpoint: the public endpoint's 403 ForbiddenException (step 3/6); additive to schema v1.
    PrivateApiOutsideVpc,
    /// A Lambda function URL's CORS configuration and the function's own headers both send Access-Control-Allow-Origin (step 5); additive to schema v1.
    FunctionUrlDuplicateCors,
    /// A load balancer's own 502/503/504 page (its targets cannot answer) carries no CORS headers (step 5); additive to schema v1.
    LoadBalancerErrorNoCors,
    /// `audit --probe`: the stage's live answer to a route's preflight is not what its
    /// configuration predicts (OPTIONS not deployed, a stale deployment, CloudFront or a WAF
    /// in front); additive to schema v1.
    LivePreflightMismatch,
}

impl FindingCode {
    /// The code as it appears in reports (`OPTIONS_MISSING`).
    pub fn as_str(self) -> &'static str {
        use FindingCode::*;
        match self {
            FailsWithoutBrowser => "FAILS_WITHOUT_BROWSER",
            NetworkError => "NETWORK_ERROR",
            PreflightRequired => "PREFLIGHT_REQUIRED",
            NoPreflight => "NO_PREFLIGHT",
            OptionsMissing => "OPTIONS_MISSING",
            OptionsNotDeployed => "OPTIONS_NOT_DEPLOYED",
            PreflightRedirected => "PREFLIGHT_REDIRECTED",
            OptionsAuthorized => "OPTIONS_AUTHORIZED",
            OptionsApiKeyRequired => "OPTIONS_API_KEY_REQUIRED",
            PreflightBadStatus => "PREFLIGHT_BAD_STATUS",
            PreflightCorsHeaders => "PREFLIGHT_CORS_HEADERS",
            ActualCorsHeaders => "ACTUAL_CORS_HEADERS",
            HeaderNotDeclared => "HEADER_NOT_DECLARED",
            HeaderNotMapped => "HEADER_NOT_MAPPED",
            BackendHeadersIgnored => "BACKEND_HEADERS_IGNORED",
            GatewayResponseNoCors => "GATEWAY_RESPONSE_NO_CORS",
            GatewayResponsesUnconfigured => "GATEWAY_RESPONSES_UNCONFIGURED",
            BrowserBlocked => "BROWSER_BLOCKED",
            BrowserAllowed => "BROWSER_ALLOWED",
            CorsSecurityRisk => "CORS_SECURITY_RISK",
            SelectionPatternUnsupported => "SELECTION_PATTERN_UNSUPPORTED",
            FetchRefused => "FETCH_REFUSED",
            BrowserVerdictUnknown => "BROWSER_VERDICT_UNKNOWN",
            UndeployedChanges => "UNDEPLOYED_CHANGES",
            DeploymentNoTriggers => "DEPLOYMENT_NO_TRIGGERS",
            ProxyBackendCors => "PROXY_BACKEND_CORS",
            CloudfrontMethodNotAllowed => "CLOUDFRONT_METHOD_NOT_ALLOWED",
            CloudfrontCacheIgnoresOrigin => "CLOUDFRONT_CACHE_IGNORES_ORIGIN",
            CloudfrontErrorNoCors => "CLOUDFRONT_ERROR_NO_CORS",
            CloudfrontDuplicateCorsHeaders => "CLOUDFRONT_DUPLICATE_CORS_HEADERS",
            CustomDomainNoMapping => "CUSTOM_DOMAIN_NO_MAPPING",
            CustomDomainWrongStage => "CUSTOM_DOMAIN_WRONG_STAGE",
            WafBlocked => "WAF_BLOCKED",
            ResourcePolicyDenied => "RESOURCE_POLICY_DENIED",
            PrivateApiOutsideVpc => "PRIVATE_API_OUTSIDE_VPC",
            LoadBalancerErrorNoCors => "LOAD_BALANCER_ERROR_NO_CORS",
            FunctionUrlDuplicateCors => "FUNCTION_URL_DUPLICATE_CORS",
            LivePreflightMismatch => "LIVE_PREFLIGHT_MISMATCH",
        }
    }
}

impl FindingCode {
    /// True for a code that names a cause (a setting to change: OPTIONS not deployed, a
    /// header declared but not mapped), false for one that describes a symptom the browser
    /// or the probes saw (the preflight's headers fail the check, the browser blocks). A
    /// step lists causes before symptoms.
    pub fn is_cause(self) -> bool {
        use FindingCode::*;
        match self {
            FailsWithoutBrowser
            | NetworkError
            | OptionsMissing
            | OptionsNotDeployed
            | PreflightRedirected
            | OptionsAuthorized
            | OptionsApiKeyRequired
            | HeaderNotDeclared
            | HeaderNotMapped
            | BackendHeadersIgnored
            | GatewayResponsesUnconfigured
            | SelectionPatternUnsupported
            | FetchRefused
            | UndeployedChanges
            | DeploymentNoTriggers
            | ProxyBackendCors
            | CloudfrontMethodNotAllowed
            | CloudfrontCacheIgnoresOrigin
            | CloudfrontDuplicateCorsHeaders
            | CustomDomainNoMapping
            | CustomDomainWrongStage
            | WafBlocked
            | ResourcePolicyDenied
            | PrivateApiOutsideVpc
            | LoadBalancerErrorNoCors
            | FunctionUrlDuplicateCors => true,
            PreflightRequired
            | NoPreflight
            | PreflightBadStatus
            | PreflightCorsHeaders
            | ActualCorsHeaders
            | GatewayResponseNoCors
            | BrowserBlocked
            | BrowserAllowed
            | CorsSecurityRisk
            | BrowserVerdictUnknown
            | CloudfrontErrorNoCors
            | LivePreflightMismatch => false,
        }
    }
}

/// Orders a step's findings most specific first: by severity (errors, then warnings, then
/// information), and within one severity the causes before the symptoms (in
/// `header-declared-not-mapped`, HEADER_NOT_MAPPED before PREFLIGHT_CORS_HEADERS). The sort
/// is stable: otherwise the order the step found them in stays.
pub fn most_specific_first(findings: &mut [Finding]) {
    findings.sort_by_key(|f| (f.severity, !f.code.is_cause()));
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// The name in reports (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What to do about a finding: prose plus bash commands that can be pasted as printed. An id
/// that is not known is a shell variable set by a lookup command printed first (see
/// [`super::remedy`]), never a `<placeholder>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    pub text: String,
    pub commands: Vec<String>,
    /// The fix as data, when it changes the API's configuration: `commands` (and every other
    /// rendering of the fix) is rendered from it ([`super::remedy`]). JSON:
    /// `remediation.change_set` (additive to schema v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_set: Option<ChangeSet>,
    /// The same fix in every flavour (`"snippets": {"aws_cli", "cloudformation", "sam",
    /// "cdk", "terraform"}`, additive to schema v1), when it changes the API's configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippets: Option<super::remedy::snippets::Snippets>,
}

/// What a remedy proposes: commands that change nothing in the API (a curl to retry with), or
/// the API changes, whose AWS CLI commands are rendered from them.
pub enum Proposal {
    Commands(Vec<String>),
    Changes(ChangeSet),
}

impl From<Vec<String>> for Proposal {
    fn from(commands: Vec<String>) -> Self {
        Proposal::Commands(commands)
    }
}

impl From<ChangeSet> for Proposal {
    fn from(changes: ChangeSet) -> Self {
        Proposal::Changes(changes)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
    /// Ids of the exchanges behind the finding (`x1`), or `config` for the API configuration.
    pub evidence: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Remediation>,
    /// Where the configuration behind the finding is written, for file inputs (a template):
    /// `{"file", "line", "resource"}` (additive to schema v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<crate::gateway::model::SourceRef>,
}

impl Finding {
    pub fn new(code: FindingCode, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            message: message.into(),
            evidence: Vec::new(),
            remediation: None,
            source: None,
        }
    }

    pub fn error(code: FindingCode, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    pub fn warning(code: FindingCode, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }

    pub fn info(code: FindingCode, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, message)
    }

    pub fn cites(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        if !self.evidence.contains(&id) {
            self.evidence.push(id);
        }
        self
    }

    /// The remediation: `text`, and commands or the change set they are rendered from (an
    /// empty change set proposes no command).
    pub fn fix(mut self, text: impl Into<String>, proposal: impl Into<Proposal>) -> Self {
        let (commands, change_set) = match proposal.into() {
            Proposal::Commands(commands) => (commands, None),
            Proposal::Changes(cs) => (
                super::remedy::commands(&cs),
                (!cs.changes.is_empty()).then_some(cs),
            ),
        };
        self.remediation = Some(Remediation {
            text: text.into(),
            commands,
            change_set,
            snippets: None,
        });
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    Pass,
    Fail,
    Warn,
    Skip,
    Unknown,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pass => "pass",
            StepStatus::Fail => "fail",
            StepStatus::Warn => "warn",
            StepStatus::Skip => "skip",
            StepStatus::Unknown => "unknown",
        }
    }
}

/// The seven steps, in order: number, key, title.
pub const STEPS: [(u8, &str, &str); 7] = [
    (1, "browser-only", "Confirm the failure is browser-only"),
    (2, "preflight", "Work out the browser's preflight"),
    (3, "options-exists", "Verify OPTIONS exists and is deployed"),
    (
        4,
        "options-unauthorized",
        "Ensure OPTIONS is not authorized",
    ),
    (
        5,
        "cors-headers",
        "Validate the CORS headers (method + integration responses)",
    ),
    (
        6,
        "gateway-responses",
        "Check gateway responses for CORS headers",
    ),
    (7, "browser-retest", "Retest as a browser would"),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub number: u8,
    pub key: String,
    pub title: String,
    pub status: StepStatus,
    pub summary: String,
    pub findings: Vec<Finding>,
}

impl Step {
    pub fn new(number: u8, status: StepStatus, summary: impl Into<String>) -> Self {
        let (_, key, title) = STEPS[usize::from(number.clamp(1, 7)) - 1];
        Step {
            number,
            key: key.to_string(),
            title: title.to_string(),
            status,
            summary: summary.into(),
            findings: Vec::new(),
        }
    }

    pub fn with(mut self, finding: Finding) -> Self {
        self.findings.push(finding);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's codes and statuses are written by serde; the text renderers use `as_str`.
    #[test]
    fn names_match_the_serialized_form() {
        use FindingCode::*;
        let codes = [
            FailsWithoutBrowser,
            NetworkError,
            PreflightRequired,
            NoPreflight,
            OptionsMissing,
            OptionsNotDeployed,
            PreflightRedirected,
            OptionsAuthorized,
            OptionsApiKeyRequired,
            PreflightBadStatus,
            PreflightCorsHeaders,
            ActualCorsHeaders,
            HeaderNotDeclared,
            HeaderNotMapped,
            BackendHeadersIgnored,
            GatewayResponseNoCors,
            GatewayResponsesUnconfigured,
            BrowserBlocked,
            BrowserAllowed,
            CorsSecurityRisk,
            SelectionPatternUnsupported,
            FetchRefused,
            BrowserVerdictUnknown,
            UndeployedChanges,
            DeploymentNoTriggers,
            ProxyBackendCors,
            LivePreflightMismatch,
        ];
        for c in codes {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for s in [
            StepStatus::Pass,
            StepStatus::Fail,
            StepStatus::Warn,
            StepStatus::Skip,
            StepStatus::Unknown,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
