//! CDK TypeScript (aws-cdk-lib v2): a function to call from the stack with the constructs it
//! patches as typed parameters (`corsFix(api)`), and typed values to merge into the user's
//! own `addMethod` / `HttpApi` props where a construct cannot be patched from outside.
//! <https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_apigateway.Resource.html#addwbrcorswbrpreflightoptions>
//! <https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_apigateway.RestApi.html#addwbrgatewaywbrresponseid-options>
//! <https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_apigatewayv2.CorsPreflightOptions.html>

use super::digest::{Digest, MethodPatch, RoutePatch};
use super::names::Names;
use super::text::{one_line, ts_str, Ts};
use crate::gateway::model::ApiKind;

/// A TypeScript module being written.
struct Module {
    header: Vec<String>,
    imports: Vec<&'static str>,
    /// Module-level declarations (typed values to merge), each with its comment.
    values: Vec<String>,
    params: Vec<String>,
    body: Vec<String>,
}

impl Module {
    fn import(&mut self, line: &'static str) {
        if !self.imports.contains(&line) {
            self.imports.push(line);
        }
    }

    fn comment(out: &mut Vec<String>, indent: &str, text: &str) {
        let mut line = format!("{indent}//");
        for word in one_line(text).split_whitespace() {
            if line.len() + word.len() + 1 > 88 && line.len() > indent.len() + 2 {
                out.push(std::mem::replace(&mut line, format!("{indent}//")));
            }
            line.push(' ');
            line.push_str(word);
        }
        out.push(line);
    }

    fn note(&mut self, text: &str) {
        Module::comment(&mut self.body, "  ", text);
    }

    fn finish(self) -> String {
        let mut out = String::new();
        let has_function = !self.body.is_empty();
        let code = format!(
            "{}\n{}\n{}",
            self.values.join("\n"),
            if has_function {
                self.params.join(", ")
            } else {
                String::new()
            },
            self.body.join("\n")
        );
        for h in self
            .header
            .iter()
            .filter(|h| has_function || !h.contains("corsFix("))
        {
            let mut lines = Vec::new();
            Module::comment(&mut lines, "", h);
            for l in lines {
                out.push_str(&l);
                out.push('\n');
            }
        }
        // Only the modules the code uses (tsc --noUnusedLocals).
        for i in &self.imports {
            let alias = i.split_whitespace().nth(3).unwrap_or_default();
            if code.contains(&format!("{alias}.")) {
                out.push_str(i);
                out.push('\n');
            }
        }
        for v in &self.values {
            out.push('\n');
            out.push_str(v);
            out.push('\n');
        }
        if has_function {
            out.push_str(&format!(
                "\nexport function corsFix({}): void {{\n",
                self.params.join(", ")
            ));
            for l in &self.body {
                out.push_str(l);
                out.push('\n');
            }
            out.push_str("}\n");
        }
        out
    }
}

/// The `apigateway.ResponseType` constants of aws-cdk-lib 2.276 (`gateway-response.d.ts`);
/// any other type is written `ResponseType.of('…')`.
const CDK_RESPONSE_TYPES: [&str; 21] = [
    "ACCESS_DENIED",
    "API_CONFIGURATION_ERROR",
    "AUTHORIZER_FAILURE",
    "AUTHORIZER_CONFIGURATION_ERROR",
    "BAD_REQUEST_PARAMETERS",
    "BAD_REQUEST_BODY",
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "EXPIRED_TOKEN",
    "INVALID_SIGNATURE",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "INVALID_API_KEY",
    "MISSING_AUTHENTICATION_TOKEN",
    "QUOTA_EXCEEDED",
    "REQUEST_TOO_LARGE",
    "RESOURCE_NOT_FOUND",
    "THROTTLED",
    "UNAUTHORIZED",
    "UNSUPPORTED_MEDIA_TYPE",
    "WAF_FILTERED",
];

/// The headers `addCorsPreflight` writes, by its option.
const CORS_OPTIONS: [&str; 6] = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
];

fn list(v: &str) -> Ts {
    Ts::Arr(
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Ts::Str(s.to_string()))
            .collect(),
    )
}

/// `CorsOptions` for an OPTIONS method's headers (the change's values, else today's), when
/// every mapped header is one `addCorsPreflight` writes and the origin is known.
fn cors_options(m: &mut Module, n: &Names, p: &MethodPatch) -> Option<Ts> {
    let all_known = p.mapped.iter().flat_map(|r| r.headers.iter()).all(|h| {
        CORS_OPTIONS
            .iter()
            .any(|name| name.eq_ignore_ascii_case(&h.name))
    });
    if !all_known {
        return None;
    }
    let value = |header: &str| {
        p.mapped_value(header)
            .map(str::to_string)
            .or_else(|| n.current_mapping(&p.resource.path, "OPTIONS", header))
    };
    let origin = value("Access-Control-Allow-Origin")?;
    let mut o = Ts::obj().with("allowOrigins", Ts::Arr(vec![Ts::Str(origin)]));
    if let Some(v) = value("Access-Control-Allow-Methods") {
        o = o.with("allowMethods", list(&v));
    }
    if let Some(v) = value("Access-Control-Allow-Headers") {
        o = o.with("allowHeaders", list(&v));
    }
    if let Some(v) = value("Access-Control-Expose-Headers") {
        o = o.with("exposeHeaders", list(&v));
    }
    if value("Access-Control-Allow-Credentials").is_some_and(|v| v.trim() == "true") {
        o = o.with("allowCredentials", Ts::Raw("true".into()));
    }
    if let Some(secs) = value("Access-Control-Max-Age").and_then(|v| v.trim().parse::<u32>().ok()) {
        m.import("import * as cdk from 'aws-cdk-lib';");
        o = o.with("maxAge", Ts::Raw(format!("cdk.Duration.seconds({secs})")));
    }
    let status = p
        .statuses()
        .first()
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(200);
    Some(o.with("statusCode", Ts::Raw(status.to_string())))
}

fn method_responses(p: &MethodPatch) -> Ts {
    Ts::Arr(
        p.declared
            .iter()
            .map(|d| {
                let mut params = Ts::obj();
                for h in d.headers {
                    params = params.with(
                        &format!("method.response.header.{h}"),
                        Ts::Raw("false".into()),
                    );
                }
                Ts::obj()
                    .with("statusCode", Ts::Str(d.status.to_string()))
                    .with("responseParameters", params)
            })
            .collect(),
    )
}

fn integration_responses(p: &MethodPatch) -> Ts {
    Ts::Arr(
        p.mapped
            .iter()
            .map(|r| {
                let mut params = Ts::obj();
                for h in r.headers {
                    params = params.with(
                        &format!("method.response.header.{}", h.name),
                        Ts::Str(format!("'{}'", h.value)),
                    );
                }
                Ts::obj()
                    .with("statusCode", Ts::Str(r.status.to_string()))
                    .with("responseParameters", params)
            })
            .collect(),
    )
}

/// A camelCase name for module-level values of a method (`getItems`).
fn method_var(n: &Names, p: &MethodPatch) -> String {
    let res = n.cdk_resource_var(&p.resource.path);
    let mut c = res.chars();
    let res = match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    };
    format!("{}{res}", p.verb.to_ascii_lowercase())
}

fn rest_method(m: &mut Module, n: &Names, p: &MethodPatch, declared_vars: &mut Vec<String>) {
    let path = &p.resource.path;
    let var = n.cdk_resource_var(path);
    // The declaration goes where it is first needed; dropped below when nothing uses it.
    let mut declared_at = None;
    if !declared_vars.contains(&var) {
        let expr = if path.trim_matches('/').is_empty() {
            "api.root".to_string()
        } else {
            format!("api.root.resourceForPath({})", ts_str(path))
        };
        if !p.resource.path_known {
            m.note(&format!(
                "{path} is the URL's path: if a stage, custom-domain base path or proxy prefix stands in front of the resource path, use the rest of it."
            ));
        }
        declared_at = Some(m.body.len());
        m.body.push(format!("  const {var} = {expr};"));
        declared_vars.push(var.clone());
    }
    let what = format!("{} {path}", p.verb);
    if p.is_options() && (p.create || !p.mapped.is_empty() || !p.declared.is_empty()) {
        let options = cors_options(m, n, p);
        match (options, p.create) {
            (Some(o), true) => {
                m.note(&format!(
                    "{what}: a MOCK method answering the preflight; addCorsPreflight creates it with AuthorizationType.NONE and no API key, whatever defaultMethodOptions say (or set defaultCorsPreflightOptions on the RestApi for every resource)."
                ));
                m.body
                    .push(format!("  {var}.addCorsPreflight({});", o.write(2)));
            }
            (Some(o), false) => {
                let name = format!("{}Cors", method_var(n, p));
                m.values.push(format!(
                    "// {what} exists: set these options in its addCorsPreflight call (or the RestApi's\n// defaultCorsPreflightOptions) instead of the current ones.\nexport const {name}: apigateway.CorsOptions = {};",
                    o.write(0)
                ));
            }
            (None, create) => {
                let base = method_var(n, p);
                rest_responses(m, p, &base, &what, create);
                if create {
                    m.note(&format!("{what}: a MOCK method answering the preflight, without authorization or API key (OPTIONS only)."));
                    let status = p.mock_status.unwrap_or("200");
                    m.body.push(format!(
                        "  {var}.addMethod('OPTIONS', new apigateway.MockIntegration({{\n    requestTemplates: {{ 'application/json': {} }},\n    integrationResponses: {base}IntegrationResponses,\n  }}), {{\n    authorizationType: apigateway.AuthorizationType.NONE,\n    apiKeyRequired: false,\n    methodResponses: {base}MethodResponses,\n  }});",
                        ts_str(&super::cloudformation::mock_template(status))
                    ));
                }
            }
        }
    } else if !p.declared.is_empty() || !p.mapped.is_empty() {
        rest_responses(m, p, &method_var(n, p), &what, false);
    }
    if p.authorization_off || p.api_key_off {
        let l1 = format!("{}Options", var);
        m.note(&format!(
            "OPTIONS {path} exists: switch off what guards it, on this OPTIONS method only (an escape hatch to its CfnMethod; with a SpecRestApi, change the OpenAPI definition instead)."
        ));
        m.body.push(format!(
            "  const {l1} = {var}.node.tryFindChild('OPTIONS');\n  if (!({l1} instanceof apigateway.Method)) {{\n    throw new Error({});\n  }}\n  const {l1}L1 = {l1}.node.defaultChild as apigateway.CfnMethod;",
            ts_str(&format!("cors-doctor: no OPTIONS method on {path} in this RestApi"))
        ));
        if p.authorization_off {
            m.body.push(format!(
                "  {l1}L1.authorizationType = apigateway.AuthorizationType.NONE;\n  {l1}L1.authorizerId = undefined;\n  {l1}L1.authorizationScopes = undefined;"
            ));
        }
        if p.api_key_off {
            m.body.push(format!("  {l1}L1.apiKeyRequired = false;"));
        }
    }
    if let Some(at) = declared_at {
        let used = m.body[at + 1..]
            .iter()
            .any(|l| l.contains(&format!("{var}.")));
        if !used {
            m.body.remove(at);
            declared_vars.retain(|v| v != &var);
        }
    }
}

/// Typed method and integration responses to merge into a method's `addMethod` call.
fn rest_responses(m: &mut Module, p: &MethodPatch, base: &str, what: &str, create: bool) {
    let verb = if create { "are" } else { "go" };
    if !p.declared.is_empty() || create {
        m.values.push(format!(
            "// {what}: the method responses that declare the CORS headers; they {verb} in the\n// methodResponses of its addMethod options (merged into the entry with the same statusCode).\nexport const {base}MethodResponses: apigateway.MethodResponse[] = {};",
            method_responses(p).write(0)
        ));
    }
    if !p.mapped.is_empty() || create {
        m.values.push(format!(
            "// {what}: the integration responses that map the CORS headers; they {verb} in the\n// integrationResponses of its integration (merged into the entry with the same statusCode).\nexport const {base}IntegrationResponses: apigateway.IntegrationResponse[] = {};",
            integration_responses(p).write(0)
        ));
    }
}

fn rest(m: &mut Module, d: &Digest, n: &Names) {
    m.import("import * as apigateway from 'aws-cdk-lib/aws-apigateway';");
    let api = n.cfn_api();
    m.params.push("api: apigateway.RestApiBase".to_string());
    m.header.push(format!(
        "Call corsFix(api) in your stack once the API is defined: `api` is the RestApi (or SpecRestApi) construct of {} — {} in your template.",
        n.api_words(),
        api.id
    ));
    let mut vars = Vec::new();
    for p in &d.methods {
        rest_method(m, n, p, &mut vars);
    }
    for g in &d.gateway {
        let ty = if CDK_RESPONSE_TYPES.contains(&g.response_type) {
            format!("apigateway.ResponseType.{}", g.response_type)
        } else {
            format!("apigateway.ResponseType.of({})", ts_str(g.response_type))
        };
        let mut headers = Ts::obj();
        for h in g.headers {
            headers = headers.with(&h.name, Ts::Str(format!("'{}'", h.value)));
        }
        if g.create {
            m.note(&format!(
                "{}: API Gateway's own {} answers carry the CORS headers too.",
                g.response_type,
                if g.response_type.ends_with("5XX") {
                    "5XX"
                } else {
                    "error"
                }
            ));
            let id = format!(
                "Cors{}",
                super::names::Names::event_words(&g.response_type.to_ascii_lowercase())
                    .unwrap_or_default()
            );
            m.body.push(format!(
                "  api.addGatewayResponse({}, {});",
                ts_str(&id),
                Ts::obj()
                    .with("type", Ts::Raw(ty))
                    .with("responseHeaders", headers)
                    .write(2)
            ));
        } else {
            let name = format!(
                "{}ResponseHeaders",
                super::names::Names::event_words(&g.response_type.to_ascii_lowercase())
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    })
                    .unwrap_or_else(|| "gateway".to_string())
            );
            m.values.push(format!(
                "// {} is already customized in your stack: add these to the responseHeaders of its\n// addGatewayResponse call (a second one for the same type would fail to deploy).\nexport const {name}: {{ [header: string]: string }} = {};",
                one_line(g.response_type),
                headers.write(0)
            ));
        }
    }
    if d.deploy.is_some() {
        let note = if d.methods.is_empty() && d.gateway.is_empty() {
            "Nothing else changes: the stage serves an older deployment than the API (a change made outside CDK?). Put the change in the stack and `cdk deploy` (a RestApi's deployment is named after a hash of the API), or redeploy the stage (aws apigateway create-deployment)."
        } else {
            "No deployment to add: a RestApi's deployment is named after a hash of the API, so `cdk deploy` redeploys the stage when these change."
        };
        if m.body.is_empty() && m.values.is_empty() {
            let mut lines = Vec::new();
            Module::comment(&mut lines, "", note);
            m.values.push(lines.join("\n"));
        } else {
            m.note(note);
        }
    }
}

fn cors_method(v: &str) -> String {
    let known = ["GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "DELETE"];
    let u = v.trim().to_ascii_uppercase();
    if u == "*" || u == "ANY" {
        "apigwv2.CorsHttpMethod.ANY".to_string()
    } else if known.contains(&u.as_str()) {
        format!("apigwv2.CorsHttpMethod.{u}")
    } else {
        format!("{} as unknown as apigwv2.CorsHttpMethod", ts_str(v))
    }
}

fn route_method(v: &str) -> String {
    let known = [
        "ANY", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "DELETE",
    ];
    let u = v.trim().to_ascii_uppercase();
    if known.contains(&u.as_str()) {
        format!("apigwv2.HttpMethod.{u}")
    } else {
        format!("{} as unknown as apigwv2.HttpMethod", ts_str(v))
    }
}

fn http_route(m: &mut Module, r: &RoutePatch) {
    let (verb, path) = r.verb_path();
    if r.create {
        if !m.params.iter().any(|p| p.starts_with("integration")) {
            m.params
                .push("integration: apigwv2.HttpRouteIntegration".to_string());
        }
        m.note(&format!(
            "{}: a route without authorization answers the browser's preflight; `integration` is the one of the route {} (HttpNoneAuthorizer overrides the API's defaultAuthorizer on this route only).",
            r.route_key,
            r.like_route.unwrap_or("$default")
        ));
        m.body.push(format!(
            "  httpApi.addRoutes({});",
            Ts::obj()
                .with("path", Ts::Str(path.to_string()))
                .with("methods", Ts::Arr(vec![Ts::Raw(route_method(verb))]))
                .with("integration", Ts::Raw("integration".into()))
                .with(
                    "authorizer",
                    Ts::Raw("new apigwv2.HttpNoneAuthorizer()".into())
                )
                .write(2)
        ));
    } else {
        m.note(&format!(
            "{} exists: switch its authorization off (this OPTIONS route only; an escape hatch to its CfnRoute). Better: pass authorizer: new apigwv2.HttpNoneAuthorizer() where you add it.",
            r.route_key
        ));
        m.body.push(format!(
            "  for (const child of httpApi.node.findAll()) {{\n    if (child instanceof apigwv2.CfnRoute && child.routeKey === {}) {{\n      child.authorizationType = 'NONE';\n      child.authorizerId = undefined;\n      child.authorizationScopes = undefined;\n    }}\n  }}",
            ts_str(r.route_key)
        ));
    }
}

fn http(m: &mut Module, d: &Digest, n: &Names) {
    m.import("import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';");
    let api = n.cfn_api();
    m.header.push(format!(
        "For the HttpApi construct of {} — {} in your template.",
        n.api_words(),
        api.id
    ));
    if let Some(c) = d.cors {
        let strs = |v: &[String]| Ts::Arr(v.iter().map(|s| Ts::Str(s.clone())).collect());
        let mut o = Ts::obj().with("allowOrigins", strs(&c.allow_origins));
        if !c.allow_methods.is_empty() {
            o = o.with(
                "allowMethods",
                Ts::Arr(
                    c.allow_methods
                        .iter()
                        .map(|v| Ts::Raw(cors_method(v)))
                        .collect(),
                ),
            );
        }
        if !c.allow_headers.is_empty() {
            o = o.with("allowHeaders", strs(&c.allow_headers));
        }
        if !c.expose_headers.is_empty() {
            o = o.with("exposeHeaders", strs(&c.expose_headers));
        }
        if let Some(secs) = c.max_age.filter(|s| *s >= 0) {
            m.import("import * as cdk from 'aws-cdk-lib';");
            o = o.with("maxAge", Ts::Raw(format!("cdk.Duration.seconds({secs})")));
        }
        if let Some(b) = c.allow_credentials {
            o = o.with("allowCredentials", Ts::Raw(b.to_string()));
        }
        m.values.push(format!(
            "// The HTTP API's CORS configuration (API Gateway then answers preflights itself): pass it\n// as corsPreflight where the HttpApi is created: new apigwv2.HttpApi(this, 'Api', {{ corsPreflight, … }}).\nexport const corsPreflight: apigwv2.CorsPreflightOptions = {};",
            o.write(0)
        ));
    }
    if !d.routes.is_empty() {
        m.params.insert(0, "httpApi: apigwv2.HttpApi".to_string());
        m.header.push(
            "Call corsFix(httpApi, …) in your stack once the HttpApi and its routes are defined."
                .to_string(),
        );
    }
    for r in &d.routes {
        http_route(m, r);
    }
    if d.deploy.is_some() {
        let note = "An HttpApi's default stage deploys every change by itself (autoDeploy); a stage without it needs a new deployment after `cdk deploy`.";
        if m.body.is_empty() {
            let mut lines = Vec::new();
            Module::comment(&mut lines, "", note);
            m.values.push(lines.join("\n"));
        } else {
            m.note(note);
        }
    }
}

pub(super) fn render(d: &Digest, n: &Names) -> String {
    let mut m = Module {
        header: vec![format!(
            "cors-doctor fix, CDK (TypeScript, aws-cdk-lib v2): {}.",
            n.api_words()
        )],
        imports: Vec::new(),
        values: Vec::new(),
        params: Vec::new(),
        body: Vec::new(),
    };
    match d.kind {
        ApiKind::Rest => rest(&mut m, d, n),
        ApiKind::Http => http(&mut m, d, n),
    }
    for p in &d.mappings {
        let base = if p.base_path.is_empty() {
            "(none)"
        } else {
            p.base_path
        };
        let text = match d.kind {
            ApiKind::Rest => format!(
                "Custom domain {}: new apigateway.BasePathMapping(this, 'CorsDoctorMapping', {{ domainName: apigateway.DomainName.fromDomainNameAttributes(this, 'Domain', {{ domainName: {}, domainNameAliasTarget: '…', domainNameAliasHostedZoneId: '…' }}), restApi: api, basePath: {}, stage: api.deploymentStage }}) maps base path {} to stage {}{}.",
                p.domain_name,
                ts_str(p.domain_name),
                ts_str(p.base_path),
                base,
                p.stage,
                if p.exists { " (the mapping exists: change its stage in the stack that defines it)" } else { "" }
            ),
            ApiKind::Http => format!(
                "Custom domain {}: new apigwv2.ApiMapping(this, 'CorsDoctorMapping', {{ api, domainName, stage, apiMappingKey: {} }}) maps base path {} to stage {}{}.",
                p.domain_name,
                ts_str(p.base_path),
                base,
                p.stage,
                if p.exists { " (the mapping exists: change its stage in the stack that defines it)" } else { "" }
            ),
        };
        let mut lines = Vec::new();
        Module::comment(&mut lines, "", &text);
        m.values.push(lines.join("\n"));
    }
    m.finish()
}
