//! Typed changes to an API's configuration: what a remedy proposes, as data.
//!
//! A remedy is a [`ChangeSet`]: the API it applies to and an ordered list of [`Change`]s, each
//! one control-plane object created or patched. Everything a fix is shown or done as is
//! rendered from these values — one source (issue 14):
//! - the AWS CLI commands (`diagnose::remedy`), which tests run through the real `aws` CLI
//!   against moto;
//! - the infrastructure-as-code snippets (CloudFormation, SAM, CDK, Terraform);
//! - the preview (the changes applied to a copy of the model, the request replayed through
//!   `gateway::behavior`);
//! - the apply (`fix --yes`, control-plane writes through the SDK) and its undo file.
//!
//! The types keep the guard rails in their shape: authorization is only ever switched off on
//! an `OPTIONS` method ([`Change::OptionsAuthorizationOff`]) or on the route that answers the
//! browser's `OPTIONS` ([`Change::RouteAuthorizationOff`]); no change removes authorization,
//! an API key requirement or throttling from anything else. Values are literal header values
//! (unquoted); renderers quote them as each format needs (`'…'` in a mapping expression).
//!
//! Order matters and is dependency order: a method before its method response, the
//! integration before its integration response, every change before the deployment.

use serde::{Deserialize, Serialize};

use super::model::{ApiKind, CorsConfiguration};

mod apply;
#[cfg(test)]
mod tests;

pub use apply::{apply, apply_front, is_front_change, ApplyError};

impl Change {
    /// True for a change to something in front of the API (a custom domain's mapping, a
    /// function URL's CORS configuration or code), not to the API itself: [`apply`] refuses
    /// it and [`apply_front`] applies it to the [`super::front::Front`].
    pub fn is_front(&self) -> bool {
        is_front_change(self)
    }
}

/// The API a change set applies to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiRef {
    pub kind: ApiKind,
    /// The API id, when known. When not, renderers look it up by `name`, or ask the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The API's name (`info.title`), to look the id up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The API's region, when known for sure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A REST resource a change applies to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    /// The resource path (`/items/{id}`), or, when `path_known` is false, the URL's path (a
    /// stage, base path or proxy prefix may stand in front of the resource path).
    pub path: String,
    /// The resource id, when known (the SDK knows it, an export does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub path_known: bool,
}

/// One CORS header's static value on a response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderValue {
    /// `Access-Control-Allow-Origin`, …
    pub name: String,
    /// The literal value, unquoted (`https://app.example.com`).
    pub value: String,
    /// True when a mapping for this header exists today (patched with `replace`), false when
    /// it is absent or unknown (`add`).
    pub exists: bool,
}

/// One control-plane object created or patched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// REST: create the `OPTIONS` method on a resource, with no authorization and no API key
    /// (`put-method`). Its method response, MOCK integration and integration response follow
    /// as their own changes.
    CreateOptionsMethod { resource: ResourceRef },
    /// REST: switch off authorization (`authorization`) and/or the API key requirement
    /// (`api_key`) on the resource's `OPTIONS` method — only the flags that are true.
    OptionsAuthorizationOff {
        resource: ResourceRef,
        authorization: bool,
        api_key: bool,
    },
    /// REST: declare response headers on a method response (`method.response.header.X`:
    /// `false`), creating the method response when `create`.
    DeclareResponseHeaders {
        resource: ResourceRef,
        http_method: String,
        status: String,
        headers: Vec<String>,
        create: bool,
    },
    /// REST: a MOCK integration on the resource's `OPTIONS` method whose request template
    /// answers `status` (`{"statusCode": 200}`).
    CreateMockIntegration {
        resource: ResourceRef,
        status: String,
    },
    /// REST: map static header values on an integration response (selection pattern: the
    /// default), creating the integration response when `create`.
    MapResponseHeaders {
        resource: ResourceRef,
        http_method: String,
        status: String,
        headers: Vec<HeaderValue>,
        create: bool,
    },
    /// REST: add static header values to a gateway response type (`DEFAULT_4XX`,
    /// `UNAUTHORIZED`, …); `create` when the type is not customized yet (`put-gateway-response`),
    /// else it is patched (a put would overwrite the customization).
    GatewayResponseHeaders {
        response_type: String,
        headers: Vec<HeaderValue>,
        create: bool,
    },
    /// HTTP: the API's whole `cors_configuration` after the change (already widened from the
    /// current one, never narrowed).
    SetCorsConfiguration { cors: CorsConfiguration },
    /// HTTP: switch authorization off on the explicit `OPTIONS …` route that answers the
    /// browser's preflight.
    RouteAuthorizationOff {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        route_id: Option<String>,
        route_key: String,
    },
    /// HTTP: add a route without authorization for the browser's `OPTIONS` (`route_key`,
    /// `OPTIONS /{proxy+}`), targeting the integration of the route that caught the preflight
    /// (`integration_id` when known, else the one of `like_route`).
    CreatePreflightRoute {
        route_key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        integration_id: Option<String>,
        like_route: String,
    },
    /// A custom domain's base path mapping from `base_path` (empty: the root, `(none)`) to
    /// the change set's API and `stage`: created, or, when `exists` (it points to another
    /// API or stage), updated. Outside the API (the domain is its own resource): the preview
    /// applies it to the front ([`apply_front`]); `fix` does not write it. REST:
    /// `create-base-path-mapping` / `update-base-path-mapping`; HTTP: apigatewayv2
    /// `create-api-mapping` / `update-api-mapping`.
    BasePathMapping {
        domain_name: String,
        #[serde(default)]
        base_path: String,
        stage: String,
        exists: bool,
    },
    /// Lambda (outside API Gateway): the function URL's whole CORS configuration after the
    /// change (`aws lambda update-function-url-config --cors`). Applied to the
    /// [`crate::gateway::front::Front`] by [`apply_front`]; `fix` does not write it.
    FunctionUrlCors {
        function_name: String,
        cors: crate::gateway::front::function_url::UrlCors,
    },
    /// The function's code stops setting these CORS response headers (a code change: shown
    /// as a step, never run). Applied to the front's function code by [`apply_front`].
    FunctionCodeCorsHeadersRemoved {
        function_name: String,
        headers: Vec<String>,
    },
    /// Deploy the working copy to the stage (REST; HTTP when the stage does not deploy by
    /// itself). `None`: the stage is not known, the user names it.
    Deploy {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<String>,
    },
    /// A CloudFront distribution in front of the API: one setting of its default cache
    /// behavior or origin (`update-distribution`). Not an API Gateway change: `apply` leaves the
    /// API as it is and [`crate::gateway::front::cloudfront::apply_change`] applies it to the
    /// distribution; `fix` refuses it (it writes only API Gateway).
    #[serde(rename = "cloudfront")]
    CloudFront {
        distribution_id: String,
        setting: crate::gateway::front::cloudfront::DistributionSetting,
    },
}

/// A remedy as data: the API and the changes, in the order they are made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSet {
    pub api: ApiRef,
    pub changes: Vec<Change>,
}
