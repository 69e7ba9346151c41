//! One normalized model for REST (v1) and HTTP (v2) APIs.
//!
//! The model follows API Gateway's own resource model (resources → methods → integration →
//! integration responses; method responses; authorizers; gateway responses; stages serving
//! deployments) and is shared by both API kinds: an HTTP API route `GET /items` is the method
//! `GET` on the resource `/items`, `ANY /x` is the method `ANY`, and the `$default` route is
//! the method `ANY` on the pseudo resource [`DEFAULT_ROUTE`].
//!
//! What the model holds comes from an OpenAPI export (see [`super::openapi`]), from the AWS SDK,
//! or from a scenario block (stages, deployments, API keys, throttling: things an export does
//! not show). Everything an export carries that the model does not interpret is kept in the
//! `extra` maps so that an export of an import loses nothing.

mod extra;
mod gateway_responses;
mod served;
mod sorted_map;
mod source;
mod unresolved;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use extra::Extra;
pub use gateway_responses::{
    default_response_type, gateway_response_info, GatewayResponse, GatewayResponseInfo,
    GATEWAY_RESPONSE_TYPES,
};
pub use served::Served;
pub use sorted_map::SortedMap;
pub use source::{Element, Located, SourceRef};
pub use unresolved::{has_placeholder, intrinsic_name, Need, Unresolved, UnresolvedKind};

/// The resource path of the HTTP API `$default` route.
pub const DEFAULT_ROUTE: &str = "$default";

/// The HTTP API stage that is served without a stage prefix in the URL.
pub const DEFAULT_STAGE: &str = "$default";

/// REST (v1, `apigateway`) or HTTP (v2, `apigatewayv2`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiKind {
    #[default]
    Rest,
    Http,
}

impl ApiKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::Rest => "rest",
            ApiKind::Http => "http",
        }
    }
}

/// The document format the API was read from (and is written back in).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", content = "version", rename_all = "kebab-case")]
pub enum SpecFormat {
    /// `"openapi": "3.0.1"` (the version string is kept).
    OpenApi3(String),
    /// `"swagger": "2.0"`.
    Swagger2,
}

impl Default for SpecFormat {
    fn default() -> Self {
        SpecFormat::OpenApi3("3.0.1".to_string())
    }
}

/// An API: the working copy (what `get-resources`/`get-routes` return) plus its stages and the
/// deployments they serve.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Api {
    pub kind: ApiKind,
    pub format: SpecFormat,
    /// The API id (`abc123` in `abc123.execute-api.…`), when known.
    pub id: Option<String>,
    pub region: Option<String>,
    /// `info.title`.
    pub name: String,
    /// `info.version`.
    pub version: Option<String>,
    /// `info.description`.
    pub description: Option<String>,
    /// `x-amazon-apigateway-api-key-source`: `HEADER` (default) or `AUTHORIZER`.
    pub api_key_source: Option<String>,
    /// `x-amazon-apigateway-importexport-version` (HTTP APIs, `1.0`).
    pub import_export_version: Option<String>,
    /// Resources (REST) or route paths (HTTP), in document order. Each path appears once.
    pub resources: Vec<Resource>,
    /// Authorizers (security schemes with `x-amazon-apigateway-authorizer`).
    pub authorizers: Vec<Authorizer>,
    /// Security schemes that are not authorizers (the `api_key` and `sigv4` schemes), raw.
    pub other_security_schemes: Vec<(String, Map<String, Value>)>,
    /// Customized gateway responses of the working copy (REST only).
    pub gateway_responses: Vec<GatewayResponse>,
    /// HTTP API `cors_configuration` of the working copy.
    pub cors: Option<CorsConfiguration>,
    pub stages: Vec<Stage>,
    pub deployments: Vec<Deployment>,
    /// API keys that usage plans attach to stages (never in an export).
    pub api_keys: Vec<ApiKey>,
    /// `components` (OpenAPI 3) minus `securitySchemes`, raw.
    pub components_extra: Map<String, Value>,
    /// Every other top-level field of the document (`servers`, `host`, `definitions`, unknown
    /// extensions …), raw and in order.
    pub extra: Map<String, Value>,
    /// Values the definition writes but does not hold (CloudFormation functions, template
    /// placeholders, undefined security schemes), in document order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<Unresolved>,
    /// What decided REST or HTTP (`x-amazon-apigateway-cors (HTTP APIs only)`, `--kind`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind_decided_by: Option<String>,
    /// Where each part is defined in the file the API was read from (templates, plans), in
    /// document order; empty for the SDK and the simulator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Located>,
}

/// A REST resource, or the path of one or more HTTP API routes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// Template path: `/items/{id}`, `/{proxy+}`, `/`, or [`DEFAULT_ROUTE`].
    pub path: String,
    /// REST resource id, when known (the SDK knows it, an export does not).
    pub id: Option<String>,
    pub methods: Vec<Method>,
    /// Other fields of the OpenAPI path item (`parameters`, `summary`, extensions), raw.
    pub extra: Extra,
}

impl Resource {
    /// The method with exactly this verb (`ANY` only matches `ANY`), case-insensitive.
    pub fn method(&self, verb: &str) -> Option<&Method> {
        self.methods
            .iter()
            .find(|m| m.http_method.eq_ignore_ascii_case(verb))
    }

    pub fn is_greedy(&self) -> bool {
        self.path.ends_with("+}")
    }
}

/// How a method is protected (`authorizationType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthorizationType {
    #[default]
    None,
    AwsIam,
    CognitoUserPools,
    /// A Lambda authorizer (TOKEN or REQUEST).
    Custom,
    /// HTTP API JWT authorizer.
    Jwt,
}

impl AuthorizationType {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationType::None => "NONE",
            AuthorizationType::AwsIam => "AWS_IAM",
            AuthorizationType::CognitoUserPools => "COGNITO_USER_POOLS",
            AuthorizationType::Custom => "CUSTOM",
            AuthorizationType::Jwt => "JWT",
        }
    }
}

/// A REST method or an HTTP API route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Upper case: `GET`, `OPTIONS`, … or `ANY`.
    pub http_method: String,
    /// HTTP API route id, when known.
    pub id: Option<String>,
    pub authorization: AuthorizationType,
    /// The authorizer's name (its security scheme name) for COGNITO_USER_POOLS, CUSTOM and JWT.
    pub authorizer: Option<String>,
    /// OAuth scopes (Cognito / JWT) from the security requirement.
    pub authorization_scopes: Vec<String>,
    pub api_key_required: bool,
    /// Method responses by status code, in document order.
    pub responses: Vec<MethodResponse>,
    pub integration: Option<Integration>,
    /// Other operation fields (`parameters`, `requestBody`, `operationId`, extensions), raw.
    pub extra: Extra,
}

impl Method {
    pub fn response(&self, status: &str) -> Option<&MethodResponse> {
        self.responses.iter().find(|r| r.status_code == status)
    }

    /// True when the method is answered by a proxy integration (no integration response).
    pub fn is_proxy(&self) -> bool {
        self.integration.as_ref().is_some_and(|i| i.kind.is_proxy())
    }
}

/// A method response: a status code and the headers it declares
/// (`method.response.header.X`). Only declared headers can leave a non-proxy integration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MethodResponse {
    /// `200`, `400`, … (`default` in HTTP API exports).
    pub status_code: String,
    /// Declared header names, as written.
    pub headers: Vec<String>,
    /// Other fields (`description`, `content`, `schema`), raw.
    pub extra: Extra,
}

impl MethodResponse {
    pub fn declares(&self, header: &str) -> bool {
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(header))
    }
}

/// The integration type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IntegrationType {
    Mock,
    AwsProxy,
    HttpProxy,
    Http,
    Aws,
}

impl IntegrationType {
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationType::Mock => "MOCK",
            IntegrationType::AwsProxy => "AWS_PROXY",
            IntegrationType::HttpProxy => "HTTP_PROXY",
            IntegrationType::Http => "HTTP",
            IntegrationType::Aws => "AWS",
        }
    }

    /// Parses `mock`, `AWS_PROXY`, … (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "MOCK" => Some(Self::Mock),
            "AWS_PROXY" => Some(Self::AwsProxy),
            "HTTP_PROXY" => Some(Self::HttpProxy),
            "HTTP" => Some(Self::Http),
            "AWS" => Some(Self::Aws),
            _ => None,
        }
    }

    /// Proxy integrations have no integration response: the backend's headers pass through.
    pub fn is_proxy(self) -> bool {
        matches!(self, Self::AwsProxy | Self::HttpProxy)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Integration {
    pub kind: IntegrationType,
    /// Integration id (HTTP APIs), when known.
    pub id: Option<String>,
    pub http_method: Option<String>,
    pub uri: Option<String>,
    /// Content type → template. A null template (the console does this) is `None`.
    pub request_templates: SortedMap<String, Option<String>>,
    pub request_parameters: SortedMap<String, String>,
    /// `when_no_match`, `when_no_templates`, `never`.
    pub passthrough_behavior: Option<String>,
    /// HTTP APIs: `1.0` or `2.0`.
    pub payload_format_version: Option<String>,
    /// Integration responses (REST, non-proxy), in document order.
    pub responses: Vec<IntegrationResponse>,
    /// Other fields (`connectionType`, `timeoutInMillis`, `contentHandling`, …), raw.
    pub extra: Extra,
}

impl Integration {
    pub fn new(kind: IntegrationType) -> Self {
        Integration {
            kind,
            id: None,
            http_method: None,
            uri: None,
            request_templates: SortedMap::new(),
            request_parameters: SortedMap::new(),
            passthrough_behavior: None,
            payload_format_version: None,
            responses: Vec::new(),
            extra: Extra::default(),
        }
    }
}

/// An integration response: which integration results it catches and how it maps them onto a
/// method response.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IntegrationResponse {
    /// The selection pattern (a regex over the status code or error message); `default`
    /// catches what no other pattern does.
    pub selection_pattern: String,
    /// The method response status this maps to.
    pub status_code: String,
    /// `method.response.header.X` → `'literal'` or `integration.response.header.Y` …
    pub response_parameters: SortedMap<String, String>,
    pub response_templates: SortedMap<String, Option<String>>,
    pub extra: Extra,
}

impl IntegrationResponse {
    pub fn is_default(&self) -> bool {
        self.selection_pattern == "default"
    }

    /// The value mapped to `method.response.header.<header>`, case-insensitive.
    pub fn mapped_header(&self, header: &str) -> Option<&str> {
        self.response_parameters.iter().find_map(|(k, v)| {
            let name = k.strip_prefix("method.response.header.")?;
            name.eq_ignore_ascii_case(header).then_some(v.as_str())
        })
    }
}

/// The kind of an authorizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthorizerKind {
    /// Lambda authorizer reading one token header.
    Token,
    /// Lambda authorizer reading identity sources (REST and HTTP APIs).
    Request,
    CognitoUserPools,
    Jwt,
}

impl AuthorizerKind {
    /// The value of `x-amazon-apigateway-authorizer.type`.
    pub fn export_name(self) -> &'static str {
        match self {
            AuthorizerKind::Token => "token",
            AuthorizerKind::Request => "request",
            AuthorizerKind::CognitoUserPools => "cognito_user_pools",
            AuthorizerKind::Jwt => "jwt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "token" => Some(Self::Token),
            "request" => Some(Self::Request),
            "cognito_user_pools" => Some(Self::CognitoUserPools),
            "jwt" => Some(Self::Jwt),
            _ => None,
        }
    }

    /// The authorization type of a method guarded by this authorizer.
    pub fn authorization_type(self) -> AuthorizationType {
        match self {
            AuthorizerKind::Token | AuthorizerKind::Request => AuthorizationType::Custom,
            AuthorizerKind::CognitoUserPools => AuthorizationType::CognitoUserPools,
            AuthorizerKind::Jwt => AuthorizationType::Jwt,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtConfiguration {
    pub issuer: Option<String>,
    pub audience: Vec<String>,
}

/// An authorizer (a security scheme carrying `x-amazon-apigateway-authorizer`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Authorizer {
    /// The security scheme name, which is also the authorizer's name.
    pub name: String,
    pub id: Option<String>,
    pub kind: AuthorizerKind,
    /// Where the identity comes from. REST: `method.request.header.Authorization` (for a TOKEN
    /// or Cognito authorizer it is the scheme's header); HTTP: `$request.header.Authorization`.
    /// Several sources are comma-separated.
    pub identity_source: Option<String>,
    pub authorizer_uri: Option<String>,
    pub provider_arns: Vec<String>,
    pub jwt: Option<JwtConfiguration>,
    pub result_ttl_seconds: Option<i64>,
    pub identity_validation_expression: Option<String>,
    /// Other fields of `x-amazon-apigateway-authorizer`, raw.
    pub extra: Map<String, Value>,
    /// The security scheme object minus the authorizer, raw (`type`, `name`, `in`,
    /// `x-amazon-apigateway-authtype`, `flows` …).
    pub scheme: Map<String, Value>,
}

impl Authorizer {
    /// The request headers the authorizer reads its identity from (empty when it reads only
    /// query strings, context or stage variables).
    pub fn identity_headers(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(src) = &self.identity_source {
            for part in src.split(',') {
                let part = part.trim();
                let name = part
                    .strip_prefix("method.request.header.")
                    .or_else(|| part.strip_prefix("$request.header."));
                if let Some(name) = name {
                    out.push(name.to_string());
                }
            }
        }
        if out.is_empty() && self.identity_source.is_none() {
            // A TOKEN or Cognito authorizer exported without identitySource reads the header
            // named by its security scheme (`"in": "header", "name": "Authorization"`).
            let in_header = self.scheme.get("in").and_then(Value::as_str) == Some("header");
            if let (true, Some(name)) = (in_header, self.scheme.get("name").and_then(Value::as_str))
            {
                out.push(name.to_string());
            } else if self.kind != AuthorizerKind::Request {
                out.push("Authorization".to_string());
            }
        }
        out
    }
}

/// HTTP API `cors_configuration` (`x-amazon-apigateway-cors`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorsConfiguration {
    pub allow_origins: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age: Option<i64>,
    pub allow_credentials: Option<bool>,
}

impl CorsConfiguration {
    /// Whether `origin` is allowed: exact match (case-insensitive), `*`, or a scheme wildcard
    /// `https://*` / `http://*`.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allow_origins.iter().any(|o| {
            o == "*"
                || o.eq_ignore_ascii_case(origin)
                || o.strip_suffix('*')
                    .filter(|prefix| prefix.ends_with("://"))
                    .is_some_and(|prefix| {
                        // Bytes, not a string slice: the origin may have a multi-byte
                        // character where the scheme's prefix ends.
                        origin.len() > prefix.len()
                            && origin.as_bytes()[..prefix.len()]
                                .eq_ignore_ascii_case(prefix.as_bytes())
                    })
        })
    }
}

/// A throttling limit of a stage, for every method (`*`/`*`) or one (`/items`, `GET`), like a
/// stage's `methodSettings` (REST) or `routeSettings` (HTTP).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThrottleSetting {
    /// Resource path (template) or `*`.
    #[serde(default = "star")]
    pub path: String,
    /// Method or `*`.
    #[serde(default = "star")]
    pub method: String,
    pub rate_limit: f64,
    pub burst_limit: i64,
}

fn star() -> String {
    "*".to_string()
}

impl ThrottleSetting {
    pub fn applies_to(&self, path: &str, method: &str) -> bool {
        (self.path == "*" || self.path == path)
            && (self.method == "*" || self.method.eq_ignore_ascii_case(method))
    }
}

/// A stage: a name, the deployment it serves, and its settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// `prod`, or `$default` (HTTP APIs).
    pub name: String,
    /// The deployment the stage serves; `None` when unknown (the stage then serves the working
    /// copy).
    pub deployment_id: Option<String>,
    /// HTTP APIs: every change is deployed at once.
    pub auto_deploy: bool,
    pub variables: BTreeMap<String, String>,
    pub throttling: Vec<ThrottleSetting>,
    /// A WAF web ACL in front of the stage (403 ForbiddenException may be WAF_FILTERED).
    pub web_acl_arn: Option<String>,
}

/// A deployment: a snapshot of the API that a stage serves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    pub description: Option<String>,
    /// What the deployment froze. `None`: identical to the working copy.
    pub snapshot: Option<ApiSnapshot>,
    /// Whether a change to the API makes a new deployment: Terraform's `triggers` on
    /// `aws_api_gateway_deployment` (`Some(false)` without them: later changes never reach
    /// the stage). `None` where the source cannot tell (SDK, exports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeployed_on_change: Option<bool>,
}

/// The parts of an API a deployment freezes and a stage serves.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiSnapshot {
    pub resources: Vec<Resource>,
    pub gateway_responses: Vec<GatewayResponse>,
    pub cors: Option<CorsConfiguration>,
}

/// An API key (usage plans attach it to stages).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub value: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Stages whose usage plans include the key; empty means every stage.
    #[serde(default)]
    pub stages: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Api {
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }

    pub fn deployment(&self, id: &str) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.id == id)
    }

    pub fn authorizer(&self, name: &str) -> Option<&Authorizer> {
        self.authorizers.iter().find(|a| a.name == name)
    }

    /// The resource with exactly this template path.
    pub fn resource(&self, path: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.path == path)
    }

    /// Where `element` is defined, else where the nearest enclosing part is (a method's
    /// resource, then the API), when the API was read from a file that records it.
    pub fn source_of(&self, element: &Element) -> Option<&SourceRef> {
        let find = |e: &Element| {
            self.sources
                .iter()
                .find(|l| &l.element == e)
                .map(|l| &l.source)
        };
        find(element)
            .or_else(|| match element {
                Element::Method { path, .. } => find(&Element::Resource { path: path.clone() }),
                _ => None,
            })
            .or_else(|| find(&Element::Api))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_origin_patterns() {
        let c = CorsConfiguration {
            allow_origins: vec!["https://app.example.com".into(), "http://*".into()],
            ..Default::default()
        };
        assert!(c.allows_origin("https://APP.example.com"));
        assert!(c.allows_origin("http://localhost:3000"));
        assert!(!c.allows_origin("https://evil.example"));
        let star = CorsConfiguration {
            allow_origins: vec!["*".into()],
            ..Default::default()
        };
        assert!(star.allows_origin("https://x.example"));
    }

    #[test]
    fn api_survives_serde_as_embedded_in_evidence() {
        for s in crate::gateway::scenario::Scenario::all().unwrap() {
            let json = serde_json::to_string(&s.api).unwrap();
            let back: Api = serde_json::from_str(&json).unwrap();
            assert_eq!(back, s.api, "{}", s.name);
        }
    }
}
