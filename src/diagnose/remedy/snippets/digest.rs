//! A change set regrouped the way templates are written: one entry per method (its creation,
//! authorization, MOCK integration, declared and mapped headers together), the gateway
//! responses, the HTTP API's CORS configuration and routes, and the deployment.

use crate::gateway::change::{Change, ChangeSet, HeaderValue, ResourceRef};
use crate::gateway::model::{ApiKind, CorsConfiguration};

/// Headers declared on one method response.
#[derive(Clone, Debug)]
pub(super) struct Declared<'a> {
    pub status: &'a str,
    pub headers: &'a [String],
    pub create: bool,
}

/// Static header values mapped on one integration response.
#[derive(Clone, Debug)]
pub(super) struct Mapped<'a> {
    pub status: &'a str,
    pub headers: &'a [HeaderValue],
    pub create: bool,
}

/// Everything a change set does to one REST method.
#[derive(Clone, Debug)]
pub(super) struct MethodPatch<'a> {
    pub resource: &'a ResourceRef,
    /// Upper case.
    pub verb: String,
    /// The method is created (OPTIONS only).
    pub create: bool,
    pub authorization_off: bool,
    pub api_key_off: bool,
    /// A MOCK integration answering this status is created.
    pub mock_status: Option<&'a str>,
    pub declared: Vec<Declared<'a>>,
    pub mapped: Vec<Mapped<'a>>,
}

impl MethodPatch<'_> {
    pub fn is_options(&self) -> bool {
        self.verb == "OPTIONS"
    }

    /// True when the method's integration is touched (created or its responses mapped).
    pub fn touches_integration(&self) -> bool {
        self.mock_status.is_some() || !self.mapped.is_empty()
    }

    /// Every (status, header name) declared, mapped or both, in order.
    pub fn statuses(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let all = self
            .declared
            .iter()
            .map(|d| d.status)
            .chain(self.mapped.iter().map(|m| m.status))
            .chain(self.mock_status);
        for s in all {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }

    /// The value mapped to `header` (any status), case-insensitive.
    pub fn mapped_value(&self, header: &str) -> Option<&str> {
        self.mapped
            .iter()
            .flat_map(|m| m.headers.iter())
            .find(|h| h.name.eq_ignore_ascii_case(header))
            .map(|h| h.value.as_str())
    }
}

/// Headers added to one gateway response type.
#[derive(Clone, Debug)]
pub(super) struct GatewayPatch<'a> {
    pub response_type: &'a str,
    pub headers: &'a [HeaderValue],
    pub create: bool,
}

/// An HTTP API route that loses its authorization, or is added without any.
#[derive(Clone, Debug)]
pub(super) struct RoutePatch<'a> {
    pub route_key: &'a str,
    pub route_id: Option<&'a str>,
    /// Created (else it exists and loses its authorization).
    pub create: bool,
    pub integration_id: Option<&'a str>,
    /// The route whose integration a created route targets.
    pub like_route: Option<&'a str>,
}

impl RoutePatch<'_> {
    /// (verb, path) of the route key (`OPTIONS /{proxy+}` → (`OPTIONS`, `/{proxy+}`)).
    pub fn verb_path(&self) -> (&str, &str) {
        split_route_key(self.route_key)
    }
}

/// `GET /items` → (`GET`, `/items`); `$default` → (`ANY`, `$default`).
pub(super) fn split_route_key(key: &str) -> (&str, &str) {
    match key.trim().split_once(' ') {
        Some((verb, path)) => (verb, path.trim()),
        None => ("ANY", key.trim()),
    }
}

/// A custom domain's base path mapping created or pointed at the API's stage.
#[derive(Clone, Debug)]
pub(super) struct MappingPatch<'a> {
    pub domain_name: &'a str,
    /// Without slashes; empty for the root (`(none)`).
    pub base_path: &'a str,
    pub stage: &'a str,
    pub exists: bool,
}

/// A change set regrouped by the object each part patches.
#[derive(Clone, Debug)]
pub(super) struct Digest<'a> {
    pub kind: ApiKind,
    pub methods: Vec<MethodPatch<'a>>,
    pub gateway: Vec<GatewayPatch<'a>>,
    pub cors: Option<&'a CorsConfiguration>,
    pub routes: Vec<RoutePatch<'a>>,
    /// `Some(stage)` when the set deploys (`Some(None)`: the stage is not known).
    pub deploy: Option<Option<&'a str>>,
    /// Custom domains' base path mappings (outside the API).
    pub mappings: Vec<MappingPatch<'a>>,
}

impl<'a> Digest<'a> {
    pub fn new(set: &'a ChangeSet) -> Self {
        let mut d = Digest {
            kind: set.api.kind,
            methods: Vec::new(),
            gateway: Vec::new(),
            cors: None,
            routes: Vec::new(),
            deploy: None,
            mappings: Vec::new(),
        };
        for change in &set.changes {
            match change {
                Change::CreateOptionsMethod { resource } => {
                    d.method(resource, "OPTIONS").create = true;
                }
                Change::OptionsAuthorizationOff {
                    resource,
                    authorization,
                    api_key,
                } => {
                    let m = d.method(resource, "OPTIONS");
                    m.authorization_off |= *authorization;
                    m.api_key_off |= *api_key;
                }
                Change::DeclareResponseHeaders {
                    resource,
                    http_method,
                    status,
                    headers,
                    create,
                } => d.method(resource, http_method).declared.push(Declared {
                    status,
                    headers,
                    create: *create,
                }),
                Change::CreateMockIntegration { resource, status } => {
                    d.method(resource, "OPTIONS").mock_status = Some(status);
                }
                Change::MapResponseHeaders {
                    resource,
                    http_method,
                    status,
                    headers,
                    create,
                } => d.method(resource, http_method).mapped.push(Mapped {
                    status,
                    headers,
                    create: *create,
                }),
                Change::GatewayResponseHeaders {
                    response_type,
                    headers,
                    create,
                } => d.gateway.push(GatewayPatch {
                    response_type,
                    headers,
                    create: *create,
                }),
                Change::SetCorsConfiguration { cors } => d.cors = Some(cors),
                Change::RouteAuthorizationOff {
                    route_id,
                    route_key,
                } => d.routes.push(RoutePatch {
                    route_key,
                    route_id: route_id.as_deref(),
                    create: false,
                    integration_id: None,
                    like_route: None,
                }),
                Change::CreatePreflightRoute {
                    route_key,
                    integration_id,
                    like_route,
                } => d.routes.push(RoutePatch {
                    route_key,
                    route_id: None,
                    create: true,
                    integration_id: integration_id.as_deref(),
                    like_route: Some(like_route),
                }),
                Change::BasePathMapping {
                    domain_name,
                    base_path,
                    stage,
                    exists,
                } => d.mappings.push(MappingPatch {
                    domain_name,
                    base_path: match base_path.trim_matches('/') {
                        crate::gateway::front::domain::NONE => "",
                        p => p,
                    },
                    stage,
                    exists: *exists,
                }),
                Change::Deploy { stage } => d.deploy = Some(stage.as_deref()),
                // Outside API Gateway: the finding's text names the IaC (AWS::Lambda::Url
                // Cors, aws_lambda_function_url cors).
                Change::FunctionUrlCors { .. } | Change::FunctionCodeCorsHeadersRemoved { .. } => {}
                // Not the API's template: `remedy::cloudfront` renders its own snippets.
                Change::CloudFront { .. } => {}
            }
        }
        d
    }

    fn method(&mut self, resource: &'a ResourceRef, verb: &str) -> &mut MethodPatch<'a> {
        let verb = verb.to_ascii_uppercase();
        let i = match self
            .methods
            .iter()
            .position(|m| m.resource.path == resource.path && m.verb == verb)
        {
            Some(i) => i,
            None => {
                self.methods.push(MethodPatch {
                    resource,
                    verb,
                    create: false,
                    authorization_off: false,
                    api_key_off: false,
                    mock_status: None,
                    declared: Vec::new(),
                    mapped: Vec::new(),
                });
                self.methods.len() - 1
            }
        };
        &mut self.methods[i]
    }
}
