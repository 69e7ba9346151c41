//! SAM YAML: `Cors`, `Auth` and `GatewayResponses` on the `AWS::Serverless::Api`,
//! `CorsConfiguration` on the `AWS::Serverless::HttpApi`, an `HttpApi` event without
//! authorization for the OPTIONS route; what SAM has no property for (a header on a method
//! written in `DefinitionBody`) as the OpenAPI to merge there.
//! <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html>
//! <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-api-corsconfiguration.html>
//! <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-httpapi.html>

use super::cloudformation::{cors_configuration, reference, static_value, Template};
use super::digest::{Digest, MethodPatch};
use super::names::Names;
use super::text::Y;
use crate::gateway::model::{ApiKind, SpecFormat};

/// The headers SAM's `Cors` writes, by its property name.
const CORS_PROPERTIES: [(&str, &str); 5] = [
    ("Access-Control-Allow-Methods", "AllowMethods"),
    ("Access-Control-Allow-Headers", "AllowHeaders"),
    ("Access-Control-Allow-Origin", "AllowOrigin"),
    ("Access-Control-Max-Age", "MaxAge"),
    ("Access-Control-Allow-Credentials", "AllowCredentials"),
];

/// SAM's `Cors` for an OPTIONS method's headers (the change's values, else today's), when
/// every mapped header is one `Cors` writes and the origin is known.
fn cors(n: &Names, m: &MethodPatch) -> Option<Y> {
    let all_known = m.mapped.iter().flat_map(|r| r.headers.iter()).all(|h| {
        CORS_PROPERTIES
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case(&h.name))
    });
    if !all_known {
        return None;
    }
    let value = |header: &str| {
        m.mapped_value(header)
            .map(str::to_string)
            .or_else(|| n.current_mapping(&m.resource.path, "OPTIONS", header))
    };
    value("Access-Control-Allow-Origin")?;
    let mut y = Y::map();
    for (header, prop) in CORS_PROPERTIES {
        let Some(v) = value(header) else { continue };
        if prop == "AllowCredentials" {
            y.push(
                prop,
                Y::raw(v.trim().eq_ignore_ascii_case("true").to_string()),
                None,
            );
        } else {
            y.push(prop, Y::Str(static_value(&v)), None);
        }
    }
    Some(y)
}

/// A method's headers as the OpenAPI to merge into `DefinitionBody`.
fn definition_body(n: &Names, m: &MethodPatch, body: &mut Y) {
    let swagger = n
        .api
        .is_some_and(|a| matches!(a.format, SpecFormat::Swagger2));
    let op = body
        .entry("paths")
        .entry(&m.resource.path)
        .entry(&m.verb.to_ascii_lowercase());
    if m.is_options() && (m.authorization_off || m.api_key_off) {
        op.push(
            "security",
            Y::List(Vec::new()),
            Some("OPTIONS only: no authorizer, no API key"),
        );
    }
    for d in &m.declared {
        let headers = op.entry("responses").entry(d.status).entry("headers");
        for h in d.headers {
            let schema = if swagger {
                Y::map().with("type", Y::s("string"))
            } else {
                Y::map().with("schema", Y::map().with("type", Y::s("string")))
            };
            headers.push(h, schema, None);
        }
    }
    if m.touches_integration() {
        let integration = op.entry("x-amazon-apigateway-integration");
        if let Some(status) = m.mock_status {
            integration.push("type", Y::s("mock"), None);
            integration.push(
                "requestTemplates",
                Y::map().with(
                    "application/json",
                    Y::s(&super::cloudformation::mock_template(status)),
                ),
                None,
            );
        }
        for r in &m.mapped {
            let response = integration.entry("responses").entry("default");
            response.push("statusCode", Y::s(r.status), None);
            let params = response.entry("responseParameters");
            for h in r.headers {
                params.push(
                    &format!("method.response.header.{}", h.name),
                    Y::Str(static_value(&h.value)),
                    None,
                );
            }
        }
    }
}

fn rest(t: &mut Template, d: &Digest, n: &Names) {
    let api = n.cfn_api();
    t.expect(&api, "AWS::Serverless::Api", &n.api_words());
    let mut props = Y::map();
    let mut body = Y::map();
    let mut cors_set = false;
    for m in &d.methods {
        // SAM's Cors only when the change is to the preflight's answer (not for an OPTIONS
        // method that only loses its authorizer).
        let answers = m.create || !m.mapped.is_empty() || !m.declared.is_empty();
        let sam_cors = if m.is_options() && answers && !cors_set {
            cors(n, m)
        } else {
            None
        };
        if let Some(c) = sam_cors {
            props.push(
                "Cors",
                c,
                Some("SAM adds an OPTIONS method (MOCK, these headers) to every path"),
            );
            cors_set = true;
            if !m.resource.path_known {
                t.note(&format!(
                    "{} is the URL's path: SAM's Cors covers every path, whatever prefix stands in front.",
                    m.resource.path
                ));
            }
        } else if !m.declared.is_empty() || m.touches_integration() || m.create {
            definition_body(n, m, &mut body);
        }
        if m.is_options() && (m.authorization_off || m.api_key_off) {
            let auth = props.entry("Auth");
            if m.authorization_off {
                auth.push(
                    "AddDefaultAuthorizerToCorsPreflight",
                    Y::raw("false"),
                    Some("the preflight only: other methods keep the DefaultAuthorizer"),
                );
            }
            if m.api_key_off {
                auth.push(
                    "AddApiKeyRequiredToCorsPreflight",
                    Y::raw("false"),
                    Some("the preflight only: other methods keep ApiKeyRequired"),
                );
            }
            t.note(
                "Auth.AddDefaultAuthorizerToCorsPreflight and AddApiKeyRequiredToCorsPreflight concern the OPTIONS methods SAM generates from Cors; an OPTIONS operation written in DefinitionBody needs `security: []` there instead.",
            );
        }
    }
    if matches!(&body, Y::Map(e) if !e.is_empty()) {
        props.push(
            "DefinitionBody",
            body,
            Some("merge into your OpenAPI definition"),
        );
    }
    for g in &d.gateway {
        let headers = props
            .entry("GatewayResponses")
            .entry(g.response_type)
            .entry("ResponseParameters")
            .entry("Headers");
        for h in g.headers {
            headers.push(&h.name, Y::Str(static_value(&h.value)), None);
        }
        if !g.create {
            t.note(&format!(
                "GatewayResponses.{}: the API already customizes it; add these headers to its entry.",
                g.response_type
            ));
        }
    }
    if d.deploy.is_some() {
        t.note("`sam deploy` deploys the stage by itself: SAM names the deployment after a hash of the API definition.");
        if d.methods.is_empty() && d.gateway.is_empty() {
            t.note("Nothing else changes: the stage serves an older deployment than the API (a change made outside SAM?). Put the change in the template and `sam deploy`, or redeploy the stage (aws apigateway create-deployment).");
        }
    }
    t.resources.push(
        &api.id,
        Y::map()
            .with("Type", Y::raw("AWS::Serverless::Api"))
            .with("Properties", props),
        Some("exists: merge these properties into it"),
    );
}

fn http(t: &mut Template, d: &Digest, n: &Names) {
    let api = n.cfn_api();
    t.expect(&api, "AWS::Serverless::HttpApi", &n.api_words());
    if let Some(c) = d.cors {
        t.resources.push(
            &api.id,
            Y::map()
                .with("Type", Y::raw("AWS::Serverless::HttpApi"))
                .with(
                    "Properties",
                    Y::map().with("CorsConfiguration", cors_configuration(c)),
                ),
            Some("exists: set its CorsConfiguration (API Gateway then answers preflights itself)"),
        );
    }
    for r in &d.routes {
        let (verb, path) = r.verb_path();
        let behind = if r.create {
            r.like_route.unwrap_or("$default")
        } else {
            r.route_key
        };
        let function = n.sam_function(behind);
        t.expect(
            &function,
            "AWS::Serverless::Function",
            &format!("the function behind the route {behind}"),
        );
        let event_name = format!(
            "{}Preflight",
            super::names::Names::event_words(path).unwrap_or_else(|| "Route".to_string())
        );
        let event = Y::map().with("Type", Y::raw("HttpApi")).with(
            "Properties",
            Y::map()
                .with("ApiId", reference(&api.id))
                .with("Path", Y::s(path))
                .with("Method", Y::s(verb))
                .with(
                    "Auth",
                    Y::map().with_note(
                        "Authorizer",
                        Y::s("NONE"),
                        "this OPTIONS route only: the DefaultAuthorizer stays on the others",
                    ),
                ),
        );
        if !r.create {
            t.note(&format!(
                "{} exists: set Auth.Authorizer: NONE on the HttpApi event that defines it (shown here as {event_name}).",
                r.route_key
            ));
        }
        t.resources.push(
            &function.id,
            Y::map()
                .with("Type", Y::raw("AWS::Serverless::Function"))
                .with(
                    "Properties",
                    Y::map().with("Events", Y::map().with(&event_name, event)),
                ),
            Some("exists: add this event to it"),
        );
    }
    if d.deploy.is_some() {
        t.note("SAM's HttpApi stage deploys every change by itself (AutoDeploy); `sam deploy` is all it takes.");
    }
}

pub(super) fn render(d: &Digest, n: &Names) -> String {
    let mut t = Template::new(format!(
        "cors-doctor fix, SAM: {}. Merge into your template's Resources.",
        n.api_words()
    ));
    match d.kind {
        ApiKind::Rest => rest(&mut t, d, n),
        ApiKind::Http => http(&mut t, d, n),
    }
    for m in &d.mappings {
        let base = if m.base_path.is_empty() {
            "(none)"
        } else {
            m.base_path
        };
        t.note(&format!(
            "Custom domain {}: in the API's Domain property set DomainName: {} and BasePath: [{}] (SAM maps them to the API's StageName {}); a domain defined outside SAM takes an AWS::ApiGateway::BasePathMapping instead (see the CloudFormation snippet).",
            m.domain_name, m.domain_name, base, m.stage
        ));
    }
    t.finish()
}
