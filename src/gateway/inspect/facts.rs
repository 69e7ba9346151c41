//! The facts [`super::facts`] returns: what the configuration says about one request.

use serde::{Deserialize, Serialize};

use crate::gateway::behavior::PathParams;
use crate::gateway::model::{
    ApiKind, AuthorizationType, AuthorizerKind, CorsConfiguration, GatewayResponse,
    IntegrationType, ThrottleSetting,
};

/// The CORS response headers a REST OPTIONS method (or actual method) must declare and map.
pub const CORS_RESPONSE_HEADERS: [&str; 4] = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Credentials",
];

/// Gateway response types a browser app commonly meets (used by
/// [`GatewayResponseFacts::types_without_allow_origin`]).
pub const COMMON_ERROR_TYPES: [&str; 9] = [
    "MISSING_AUTHENTICATION_TOKEN",
    "UNAUTHORIZED",
    "ACCESS_DENIED",
    "INVALID_API_KEY",
    "THROTTLED",
    "QUOTA_EXCEEDED",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "API_CONFIGURATION_ERROR",
];

/// Everything [`facts`](super::facts) found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigFacts {
    pub kind: ApiKind,
    /// REST API id / HTTP API id (`--rest-api-id` / `--api-id`).
    pub api_id: Option<String>,
    pub region: Option<String>,
    /// The path and method asked about (method upper-cased).
    pub path: String,
    pub method: String,
    /// The stage asked about; `None` when no stage was given.
    pub stage: Option<StageFacts>,
    /// The resource (REST) or route path (HTTP) the path matches in the working copy, or
    /// `None` (REST: any request to the path gets 403 Missing Authentication Token).
    pub resource: Option<ResourceFacts>,
    /// Set for REST APIs.
    pub rest: Option<RestFacts>,
    /// Set for HTTP APIs.
    pub http: Option<HttpFacts>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageFacts {
    pub name: String,
    /// False when the API has no stage of that name (facts then describe the working copy).
    pub exists: bool,
    /// The deployment the stage serves (`create-deployment` makes a new one).
    pub deployment_id: Option<String>,
    pub deployment_description: Option<String>,
    pub auto_deploy: bool,
    /// True when the stage's deployment is known to differ from the working copy.
    pub serves_older_snapshot: bool,
    /// A WAF web ACL is attached (403 ForbiddenException may be WAF_FILTERED).
    pub web_acl_arn: Option<String>,
    /// Throttling settings that apply to the method asked about or to OPTIONS on the path.
    pub throttling: Vec<ThrottleSetting>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceFacts {
    /// Template path (`/items/{id}`, `$default`).
    pub path: String,
    /// REST resource id (`--resource-id`), when known.
    pub id: Option<String>,
    /// Path parameters of the concrete path (`id` → `42`).
    pub params: PathParams,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestFacts {
    /// The OPTIONS method of the matched resource in the working copy; `None` when there is
    /// none (OPTIONS_MISSING). An `ANY` method does not count here; see `options_via_any`.
    pub options: Option<MethodFacts>,
    /// True when no OPTIONS method exists but an `ANY` method answers OPTIONS (usually a
    /// proxy whose backend must then answer the preflight itself).
    pub options_via_any: bool,
    /// The `ANY` method that answers OPTIONS when `options_via_any` (its authorization decides
    /// whether the preflight can pass).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_any: Option<MethodFacts>,
    /// The method that answers the method asked about (the exact one, else `ANY`).
    pub actual: Option<MethodFacts>,
    /// Gateway responses as the stage serves them (the working copy without a stage).
    pub gateway_responses: GatewayResponseFacts,
    /// True when the working copy's gateway responses differ from what the stage serves
    /// (a gateway response fix that was not deployed).
    pub gateway_responses_undeployed: bool,
    /// Gateway responses in the working copy (what the next deployment will serve).
    #[serde(default)]
    pub gateway_responses_working: GatewayResponseFacts,
    /// `HEADER` (default) or `AUTHORIZER`.
    pub api_key_source: Option<String>,
}

/// One REST method (working copy), with its deployment status on the stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodFacts {
    /// The configured verb (`OPTIONS`, `GET`, `ANY`).
    pub http_method: String,
    /// HTTP API route id / REST has none (methods are named by resource id + verb).
    pub id: Option<String>,
    /// `Some(false)`: in the working copy but not in the stage's deployment
    /// (OPTIONS_NOT_DEPLOYED). `None` when no stage was given.
    pub deployed: Option<bool>,
    /// `Some(true)` when the deployed version of the method differs from the working copy
    /// (e.g. a header mapping added after the deployment). `None` without a stage.
    pub deployed_differs: Option<bool>,
    pub authorization: AuthorizationType,
    pub authorizer: Option<AuthorizerFacts>,
    pub authorization_scopes: Vec<String>,
    pub api_key_required: bool,
    pub integration: Option<IntegrationType>,
    /// Proxy integrations have no integration response: the backend must send CORS headers.
    pub is_proxy: bool,
    /// The method response status the CORS header facts are about (`200`, else the lowest
    /// 2xx, else the first declared); `None` when the method declares no response.
    pub success_status: Option<String>,
    /// True when the integration has a response for `success_status` (or `200` when the
    /// method declares none; remedies create it
    /// when it does not exist, and patch it when it does).
    #[serde(default)]
    pub has_integration_response: bool,
    /// One entry per [`CORS_RESPONSE_HEADERS`], in that order. Empty for proxy integrations.
    pub cors_headers: Vec<CorsHeaderFacts>,
    /// Integration responses whose selection pattern cannot be evaluated (too long, or Java
    /// syntax the matcher lacks): they select nothing in the prediction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unevaluable_patterns: Vec<UnevaluablePattern>,
}

/// An integration response whose selection pattern cannot be evaluated, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnevaluablePattern {
    /// The method response status the integration response maps to.
    pub status_code: String,
    /// Why, as a clause: "is 102400 bytes long, more than the 8192 cors-doctor evaluates".
    pub problem: String,
}

impl MethodFacts {
    pub fn cors_header(&self, name: &str) -> Option<&CorsHeaderFacts> {
        self.cors_headers
            .iter()
            .find(|h| h.header.eq_ignore_ascii_case(name))
    }

    /// True when a browser-facing check should treat the method as guarded.
    pub fn is_guarded(&self) -> bool {
        self.authorization != AuthorizationType::None || self.api_key_required
    }
}

/// Whether a CORS header can leave a non-proxy integration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsHeaderFacts {
    pub header: String,
    /// Declared in the method response (`method.response.header.X`).
    pub declared: bool,
    /// The mapping expression in the integration response (`'*'`,
    /// `method.request.header.Origin` …), if mapped.
    pub mapped: Option<String>,
    /// The value sent when the mapping is a literal (`*` for `'*'`).
    pub literal_value: Option<String>,
}

impl CorsHeaderFacts {
    /// Declared and mapped: API Gateway sends it.
    pub fn is_sent(&self) -> bool {
        self.declared && self.mapped.is_some()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerFacts {
    pub name: String,
    /// Authorizer id (`--authorizer-id`), when known.
    pub id: Option<String>,
    pub kind: AuthorizerKind,
    pub identity_source: Option<String>,
    /// False when the method names an authorizer the API does not define.
    pub defined: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayResponseFacts {
    /// Every customized gateway response, in configuration order.
    pub configured: Vec<GatewayResponseFact>,
    /// The Allow-Origin expression of DEFAULT_4XX / DEFAULT_5XX, if they set one.
    pub default_4xx_allow_origin: Option<String>,
    pub default_5xx_allow_origin: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayResponseFact {
    pub response_type: String,
    pub status_code: Option<String>,
    /// The `gatewayresponse.header.Access-Control-Allow-Origin` expression, if set.
    pub allow_origin: Option<String>,
}

impl GatewayResponseFacts {
    pub(super) fn from_served(responses: &[GatewayResponse]) -> Self {
        let allow = |g: &GatewayResponse| {
            g.header_expression("Access-Control-Allow-Origin")
                .map(str::to_string)
        };
        let find = |t: &str| responses.iter().find(|g| g.response_type == t);
        GatewayResponseFacts {
            configured: responses
                .iter()
                .map(|g| GatewayResponseFact {
                    response_type: g.response_type.clone(),
                    status_code: g.status_code.clone(),
                    allow_origin: allow(g),
                })
                .collect(),
            default_4xx_allow_origin: find("DEFAULT_4XX").and_then(allow),
            default_5xx_allow_origin: find("DEFAULT_5XX").and_then(allow),
        }
    }

    /// The Allow-Origin expression a response of `response_type` carries: its own
    /// customization if there is one (even without the header, which then wins over
    /// DEFAULT_*), else DEFAULT_4XX/5XX by the type's default status.
    pub fn allow_origin_for(&self, response_type: &str) -> Option<&str> {
        if let Some(own) = self
            .configured
            .iter()
            .find(|g| g.response_type == response_type)
        {
            return own.allow_origin.as_deref();
        }
        let status = crate::gateway::model::gateway_response_info(response_type)
            .map_or(500, |i| i.default_status);
        if status >= 500 {
            self.default_5xx_allow_origin.as_deref()
        } else {
            self.default_4xx_allow_origin.as_deref()
        }
    }

    /// Of [`COMMON_ERROR_TYPES`], those whose responses would carry no Allow-Origin.
    pub fn types_without_allow_origin(&self) -> Vec<&'static str> {
        COMMON_ERROR_TYPES
            .iter()
            .copied()
            .filter(|t| self.allow_origin_for(t).is_none())
            .collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpFacts {
    /// The cors_configuration the stage serves. When set, API Gateway answers preflights
    /// itself and ignores CORS headers from integrations.
    pub cors: Option<CorsConfiguration>,
    /// Whether the cors_configuration allows the origin asked about (`None` without an
    /// origin or configuration).
    pub origin_allowed: Option<bool>,
    /// The route that receives `OPTIONS` for the path when API Gateway does not answer the
    /// preflight itself (no cors_configuration); `None` → 404.
    pub options_route: Option<RouteFacts>,
    /// The route that receives the method asked about.
    pub actual_route: Option<RouteFacts>,
    pub auto_deploy: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteFacts {
    /// `GET /items`, `ANY /{proxy+}`, `$default`.
    pub route_key: String,
    /// Route id (`--route-id`), when known.
    pub id: Option<String>,
    pub authorization: AuthorizationType,
    pub authorizer: Option<AuthorizerFacts>,
    pub integration: Option<IntegrationType>,
    /// Integration id, when known.
    pub integration_id: Option<String>,
}
