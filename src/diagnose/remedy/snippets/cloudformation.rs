//! CloudFormation YAML: the resources to add under `Resources`, and for those that exist the
//! properties to merge into them.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-method.html>

use super::digest::{Digest, MethodPatch, RoutePatch};
use super::names::{Named, Names};
use super::text::{one_line, quoted, Y};
use crate::gateway::change::HeaderValue;
use crate::gateway::model::{ApiKind, CorsConfiguration};

/// A template fragment being written: the resources it expects in the user's template, its
/// notes and its `Resources`.
pub(super) struct Template {
    title: String,
    /// (logical id, type, what it is, where the name comes from), in order, once each.
    expects: Vec<(String, String, String, String)>,
    notes: Vec<String>,
    pub resources: Y,
}

impl Template {
    pub fn new(title: String) -> Self {
        Template {
            title,
            expects: Vec::new(),
            notes: Vec::new(),
            resources: Y::map(),
        }
    }

    /// Records that the template must already define `named` (of type `ty`).
    pub fn expect(&mut self, named: &Named, ty: &str, what: &str) {
        if !self.expects.iter().any(|(id, _, _, _)| id == &named.id) {
            self.expects.push((
                named.id.clone(),
                ty.to_string(),
                one_line(what),
                named.provenance(),
            ));
        }
    }

    pub fn note(&mut self, text: &str) {
        let t = one_line(text);
        if !self.notes.contains(&t) {
            self.notes.push(t);
        }
    }

    pub fn finish(self) -> String {
        let mut out = format!("# {}\n", self.title);
        if !self.expects.is_empty() {
            out.push_str(
                "# Resources this snippet expects in your template (rename to your logical ids):\n",
            );
            for (id, ty, what, from) in &self.expects {
                out.push_str(&format!("#   {id}: {ty} — {what} ({from})\n"));
            }
        }
        for n in &self.notes {
            out.push_str(&wrap_comment(n));
        }
        out.push_str("Resources:\n");
        self.resources.write(2, &mut out);
        out
    }
}

/// A comment line, wrapped at about 88 columns.
pub(super) fn wrap_comment(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split_whitespace() {
        if line.len() + word.len() + 1 > 88 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// `'value'`: a static value in a mapping expression.
pub(super) fn static_value(v: &str) -> String {
    format!("'{v}'")
}

/// `!Ref Id`.
pub(super) fn reference(id: &str) -> Y {
    Y::raw(format!("!Ref {id}"))
}

/// The `ResourceId` of a REST method: the root's id, or a reference to the resource (noted
/// as expected).
fn resource_id(t: &mut Template, n: &Names, api: &Named, m: &MethodPatch) -> Y {
    let path = &m.resource.path;
    if !m.resource.path_known {
        t.note(&format!(
            "{path} is the URL's path: if a stage, custom-domain base path or proxy prefix stands in front of the resource path, use the resource of the rest of it."
        ));
    }
    if path.trim_matches('/').is_empty() {
        return Y::raw(format!("!GetAtt {}.RootResourceId", api.id));
    }
    let r = n.cfn_resource(path);
    t.expect(
        &r,
        "AWS::ApiGateway::Resource",
        &format!("the resource {path}"),
    );
    reference(&r.id)
}

fn response_parameters(prefix: &str, headers: &[HeaderValue]) -> Y {
    let mut y = Y::map();
    for h in headers {
        y.push(
            &format!("{prefix}{}", h.name),
            Y::Str(static_value(&h.value)),
            None,
        );
    }
    y
}

fn declared_parameters(headers: &[String]) -> Y {
    let mut y = Y::map();
    for h in headers {
        y.push(
            &format!("method.response.header.{h}"),
            Y::raw("false"),
            None,
        );
    }
    y
}

/// The MOCK integration's request template: it answers `status`.
pub(super) fn mock_template(status: &str) -> String {
    let code: u16 = status.parse().unwrap_or(200);
    format!("{{\"statusCode\": {code}}}")
}

fn method(t: &mut Template, n: &Names, api: &Named, m: &MethodPatch) -> (String, Y) {
    let path = &m.resource.path;
    let named = n.cfn_method(path, &m.verb);
    let what = format!("{} {path}", m.verb);
    let mut props = Y::map()
        .with("RestApiId", reference(&api.id))
        .with("ResourceId", resource_id(t, n, api, m))
        .with("HttpMethod", Y::s(&m.verb));
    if m.create || m.authorization_off {
        props.push(
            "AuthorizationType",
            Y::s("NONE"),
            Some("OPTIONS only: a preflight carries no credentials"),
        );
    }
    if m.create || m.api_key_off {
        props.push("ApiKeyRequired", Y::raw("false"), None);
    }
    if m.authorization_off && !m.create {
        t.note(&format!(
            "{}: also remove AuthorizerId and AuthorizationScopes from this OPTIONS method (and nothing from any other method).",
            named.id
        ));
    }
    let declared: Vec<Y> = m
        .declared
        .iter()
        .map(|d| {
            Y::map()
                .with("StatusCode", Y::s(d.status))
                .with("ResponseParameters", declared_parameters(d.headers))
        })
        .collect();
    if !declared.is_empty() {
        props.push("MethodResponses", Y::List(declared), None);
    }
    if m.touches_integration() {
        let mut integration = Y::map();
        match m.mock_status {
            Some(status) => {
                integration.push("Type", Y::s("MOCK"), None);
                integration.push(
                    "RequestTemplates",
                    Y::map().with("application/json", Y::s(&mock_template(status))),
                    None,
                );
            }
            None => match n.integration_type(path, &m.verb) {
                Some(kind) => {
                    integration.push(
                        "Type",
                        Y::s(kind.as_str()),
                        Some("as today: keep the rest of the integration as it is"),
                    );
                    let (verb, uri) = n.integration_target(path, &m.verb);
                    if let Some(v) = verb {
                        integration.push("IntegrationHttpMethod", Y::Str(v), None);
                    }
                    if let Some(u) = uri {
                        integration.push("Uri", Y::Str(u), None);
                    }
                }
                None => t.note(&format!(
                    "{}: keep the integration's Type, Uri and other properties as they are.",
                    named.id
                )),
            },
        }
        let responses: Vec<Y> = m
            .mapped
            .iter()
            .map(|r| {
                Y::map().with("StatusCode", Y::s(r.status)).with(
                    "ResponseParameters",
                    response_parameters("method.response.header.", r.headers),
                )
            })
            .collect();
        if !responses.is_empty() {
            integration.push("IntegrationResponses", Y::List(responses), None);
        }
        props.push("Integration", integration, None);
    }
    if !m.create {
        t.expect(&named, "AWS::ApiGateway::Method", &what);
        if !m.declared.is_empty() || !m.mapped.is_empty() {
            t.note(&format!(
                "{}: merge these MethodResponses and IntegrationResponses into the existing lists (the entry with the same StatusCode gains the parameters).",
                named.id
            ));
        }
    }
    let body = Y::map()
        .with("Type", Y::raw("AWS::ApiGateway::Method"))
        .with("Properties", props);
    (named.id, body)
}

fn rest(t: &mut Template, d: &Digest, n: &Names) {
    let api = n.cfn_api();
    t.expect(&api, "AWS::ApiGateway::RestApi", &n.api_words());
    let mut touched = Vec::new();
    for m in &d.methods {
        let (id, body) = method(t, n, &api, m);
        let note = if m.create {
            format!("new: the {} {} method", m.verb, m.resource.path)
        } else {
            "exists: merge these properties into it".to_string()
        };
        t.resources.push(&id, body, Some(&note));
        touched.push(id);
    }
    for g in &d.gateway {
        let named = n.cfn_gateway_response(g.response_type);
        let props = Y::map()
            .with("RestApiId", reference(&api.id))
            .with("ResponseType", Y::s(g.response_type))
            .with(
                "ResponseParameters",
                response_parameters("gatewayresponse.header.", g.headers),
            );
        let note = if g.create {
            format!("new: {} answers with the CORS headers", g.response_type)
        } else {
            t.expect(
                &named,
                "AWS::ApiGateway::GatewayResponse",
                &format!("the {} gateway response", g.response_type),
            );
            "exists: add these ResponseParameters (keep its StatusCode and ResponseTemplates)"
                .to_string()
        };
        t.resources.push(
            &named.id,
            Y::map()
                .with("Type", Y::raw("AWS::ApiGateway::GatewayResponse"))
                .with("Properties", props),
            Some(&note),
        );
        touched.push(named.id);
    }
    if let Some(stage) = d.deploy {
        deployment(t, n, &api, stage, &touched, ApiKind::Rest);
    }
}

/// A new deployment (CloudFormation creates one only when the resource is new) and the stage
/// pointed at it.
fn deployment(
    t: &mut Template,
    n: &Names,
    api: &Named,
    stage: Option<&str>,
    touched: &[String],
    kind: ApiKind,
) {
    let (ty, stage_ty, api_key) = match kind {
        ApiKind::Rest => (
            "AWS::ApiGateway::Deployment",
            "AWS::ApiGateway::Stage",
            "RestApiId",
        ),
        ApiKind::Http => (
            "AWS::ApiGatewayV2::Deployment",
            "AWS::ApiGatewayV2::Stage",
            "ApiId",
        ),
    };
    let id = format!("{}CorsDeployment", api.id);
    let mut body = Y::map().with("Type", Y::raw(ty));
    if !touched.is_empty() {
        body.push(
            "DependsOn",
            Y::List(touched.iter().map(|i| Y::raw(i.clone())).collect()),
            None,
        );
    }
    body.push(
        "Properties",
        Y::map()
            .with(api_key, reference(&api.id))
            .with("Description", Y::s("CORS fix (cors-doctor)")),
        None,
    );
    t.resources.push(
        &id,
        body,
        Some(
            "new: CloudFormation deploys only a new Deployment resource; rename it at each change",
        ),
    );
    match stage {
        Some(s) => {
            let named = n.cfn_stage(s);
            t.expect(&named, stage_ty, &format!("the stage {s}"));
            t.resources.push(
                &named.id,
                Y::map().with("Type", Y::raw(stage_ty)).with(
                    "Properties",
                    Y::map()
                        .with(api_key, reference(&api.id))
                        .with("StageName", Y::s(s))
                        .with("DeploymentId", reference(&id)),
                ),
                Some("exists: point it at the new deployment"),
            );
        }
        None => t.note(&format!(
            "Point your stage's DeploymentId at {id} (the stage under diagnosis is not known)."
        )),
    }
    t.note(
        "If the stage is created by a Deployment's StageName instead of an AWS::ApiGateway::Stage, give that Deployment a new logical id instead.",
    );
}

/// `CorsConfiguration` of an HTTP API (CloudFormation and SAM spell it alike).
pub(super) fn cors_configuration(c: &CorsConfiguration) -> Y {
    let list = |v: &[String]| Y::List(v.iter().map(|s| Y::s(s)).collect());
    let mut y = Y::map().with("AllowOrigins", list(&c.allow_origins));
    if !c.allow_methods.is_empty() {
        y.push("AllowMethods", list(&c.allow_methods), None);
    }
    if !c.allow_headers.is_empty() {
        y.push("AllowHeaders", list(&c.allow_headers), None);
    }
    if !c.expose_headers.is_empty() {
        y.push("ExposeHeaders", list(&c.expose_headers), None);
    }
    if let Some(m) = c.max_age {
        y.push("MaxAge", Y::raw(m.to_string()), None);
    }
    if let Some(b) = c.allow_credentials {
        y.push("AllowCredentials", Y::raw(b.to_string()), None);
    }
    y
}

fn route(t: &mut Template, n: &Names, api: &Named, r: &RoutePatch) -> String {
    let mut props = Y::map()
        .with("ApiId", reference(&api.id))
        .with("RouteKey", Y::s(r.route_key))
        .with(
            "AuthorizationType",
            Y::s("NONE"),
            // (OPTIONS only: the change types allow nothing else.)
        );
    let named = n.cfn_route(r.route_key);
    if r.create {
        let like = r.like_route.unwrap_or("$default");
        let integration = n.cfn_integration(like);
        let known = r
            .integration_id
            .map(|i| format!(", id {} in AWS", one_line(i)))
            .unwrap_or_default();
        t.expect(
            &integration,
            "AWS::ApiGatewayV2::Integration",
            &format!("the integration of the route {like}{known}"),
        );
        props.push(
            "Target",
            Y::raw(format!(
                "!Sub {}",
                quoted(&format!("integrations/${{{}}}", integration.id))
            )),
            None,
        );
        t.resources.push(
            &named.id,
            Y::map()
                .with("Type", Y::raw("AWS::ApiGatewayV2::Route"))
                .with("Properties", props),
            Some(&format!(
                "new: {} without authorization answers the browser's preflight",
                r.route_key
            )),
        );
    } else {
        let known = r
            .route_id
            .map(|i| format!(", id {} in AWS", one_line(i)))
            .unwrap_or_default();
        t.expect(
            &named,
            "AWS::ApiGatewayV2::Route",
            &format!("the route {}{known}", r.route_key),
        );
        t.note(&format!(
            "{}: also remove AuthorizerId and AuthorizationScopes from this OPTIONS route (and from no other route).",
            named.id
        ));
        t.resources.push(
            &named.id,
            Y::map()
                .with("Type", Y::raw("AWS::ApiGatewayV2::Route"))
                .with("Properties", props),
            Some("exists: merge these properties into it"),
        );
    }
    named.id
}

fn http(t: &mut Template, d: &Digest, n: &Names) {
    let api = n.cfn_api();
    t.expect(&api, "AWS::ApiGatewayV2::Api", &n.api_words());
    let mut touched = Vec::new();
    if let Some(c) = d.cors {
        t.resources.push(
            &api.id,
            Y::map()
                .with("Type", Y::raw("AWS::ApiGatewayV2::Api"))
                .with(
                    "Properties",
                    Y::map().with("CorsConfiguration", cors_configuration(c)),
                ),
            Some("exists: set its CorsConfiguration (API Gateway then answers preflights itself)"),
        );
        touched.push(api.id.clone());
    }
    for r in &d.routes {
        touched.push(route(t, n, &api, r));
    }
    touched.retain(|id| id != &api.id);
    if let Some(stage) = d.deploy {
        deployment(t, n, &api, stage, &touched, ApiKind::Http);
        t.note("Or set AutoDeploy: true on the stage, which then deploys every change.");
    }
}

pub(super) fn render(d: &Digest, n: &Names) -> String {
    let mut t = Template::new(format!(
        "cors-doctor fix, CloudFormation: {}. Add under Resources; merge the parts marked \"exists\".",
        n.api_words()
    ));
    match d.kind {
        ApiKind::Rest => rest(&mut t, d, n),
        ApiKind::Http => http(&mut t, d, n),
    }
    mappings(&mut t, d, n);
    t.finish()
}

/// `AWS::ApiGateway::BasePathMapping` (REST) / `AWS::ApiGatewayV2::ApiMapping` (HTTP).
fn mappings(t: &mut Template, d: &Digest, n: &Names) {
    let api = n.cfn_api();
    for (i, m) in d.mappings.iter().enumerate() {
        let id = format!(
            "CorsDoctorBasePathMapping{}",
            if i == 0 {
                String::new()
            } else {
                (i + 1).to_string()
            }
        );
        let (ty, props) = match d.kind {
            ApiKind::Rest => {
                let mut p = Y::map()
                    .with("DomainName", Y::s(m.domain_name))
                    .with("RestApiId", reference(&api.id))
                    .with("Stage", Y::s(m.stage));
                if !m.base_path.is_empty() {
                    p = p.with("BasePath", Y::s(m.base_path));
                }
                ("AWS::ApiGateway::BasePathMapping", p)
            }
            ApiKind::Http => {
                let mut p = Y::map()
                    .with("DomainName", Y::s(m.domain_name))
                    .with("ApiId", reference(&api.id))
                    .with("Stage", Y::s(m.stage));
                if !m.base_path.is_empty() {
                    p = p.with("ApiMappingKey", Y::s(m.base_path));
                }
                ("AWS::ApiGatewayV2::ApiMapping", p)
            }
        };
        let note = if m.exists {
            "exists: point your mapping of this base path at this API and stage"
        } else {
            "new: the custom domain's mapping for this base path"
        };
        t.resources.push(
            &id,
            Y::map().with("Type", Y::raw(ty)).with("Properties", props),
            Some(note),
        );
    }
}
