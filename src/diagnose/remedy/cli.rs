//! The AWS CLI renderer: a [`ChangeSet`] as bash commands that run as printed. The one place
//! AWS CLI text is written; the remedies only decide the changes (see [`super`]).
//!
//! - Arguments are shell-quoted ([`quote`]); JSON arguments are built with serde_json and
//!   passed as one word.
//! - `--patch-operations` uses the CLI's JSON form. Its shorthand form
//!   (`op=add,…,value='https://app.example.com'`) loses the single quotes, and API Gateway
//!   rejects a static mapping value that is not single-quoted
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html>).
//! - An id the change set does not know (working from an export or from probes only, or a
//!   template's `*.execute-api…` wildcard) becomes a shell variable set by a lookup printed
//!   first (`REST_API_ID=$(aws apigateway get-rest-apis --query …)`), or, when nothing names it,
//!   a variable the command refuses to run without (`: "${REST_API_ID:?…}"`). Never a
//!   `<placeholder>`, never a glob.
//! - A header whose mapping exists is patched with `replace`, one that is absent or unknown
//!   with `add` ([`HeaderValue::exists`]).
//! - Every `aws` call names the API's region when the change set knows it for sure, so a
//!   different default region cannot misdirect it.

use serde_json::{json, Map, Value};

use super::quote;
use crate::gateway::change::{ApiRef, Change, ChangeSet, HeaderValue, ResourceRef};
use crate::gateway::front::cloudfront::DistributionSetting;
use crate::gateway::model::ApiKind;

/// The change set as paste-ready bash commands: the lookups of unknown ids first, then one
/// `aws` call per control-plane write, in the change set's order. Empty for no changes.
pub fn commands(cs: &ChangeSet) -> Vec<String> {
    if cs.changes.is_empty() {
        return Vec::new();
    }
    let mut r = Renderer {
        api: &cs.api,
        lookups: Vec::new(),
        region: region_arg(cs.api.region.as_deref()),
    };
    let mut cmds = Vec::new();
    // A distribution's settings are made in one read-edit-update round trip, after the API's.
    let mut distributions: Vec<(&str, Vec<&DistributionSetting>)> = Vec::new();
    for change in &cs.changes {
        if let Change::CloudFront {
            distribution_id,
            setting,
        } = change
        {
            match distributions.iter_mut().find(|(d, _)| d == distribution_id) {
                Some((_, settings)) => settings.push(setting),
                None => distributions.push((distribution_id, vec![setting])),
            }
            continue;
        }
        cmds.extend(r.change(change));
    }
    for (id, settings) in &distributions {
        cmds.extend(super::cloudfront::commands(id, settings));
    }
    let region = r.region;
    let mut out = r.lookups;
    out.extend(cmds.into_iter().map(|c| {
        // CloudFront is global: its calls name no region (`remedy::cloudfront`).
        if c.starts_with("aws ") && !c.starts_with("aws cloudfront ") && !c.contains('\n') {
            format!("{c}{region}")
        } else {
            c
        }
    }));
    out
}

/// ` --region R` for a region that is plainly one (not `${AWS::Region}`), else empty.
fn region_arg(region: Option<&str>) -> String {
    region
        .filter(|r| {
            !r.is_empty()
                && r.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
        .map(|r| format!(" --region {r}"))
        .unwrap_or_default()
}

/// A JMESPath raw string literal (`'…'`).
pub(super) fn jmes_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Text for a message inside `"${VAR:?…}"`: only characters that need no quoting there.
fn plain(s: &str) -> String {
    let t: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || " -_./+".contains(*c))
        .take(80)
        .collect();
    if t.is_empty() {
        "of that name".to_string()
    } else {
        t
    }
}

/// What RESOURCE_PATH should be, for a URL whose path may carry a prefix (a stage in a
/// loopback copy or a proxy, a custom domain's base path): the URL path less that prefix,
/// with the likely answer (`/items if /prod in front of it is the stage or a base path`), never
/// the URL path itself; only characters that need no quoting inside `"${VAR:?…}"`.
pub(super) fn resource_path_hint(url_path: &str) -> String {
    let segments: Vec<&str> = url_path.split('/').filter(|s| !s.is_empty()).collect();
    let what =
        "the URL path without the stage, custom-domain base path or proxy prefix in front of it";
    match segments.split_first() {
        Some((first, rest)) if !rest.is_empty() => format!(
            "{what}, {} if /{} is the stage or a base path",
            plain(&format!("/{}", rest.join("/"))),
            plain(first)
        ),
        _ => what.to_string(),
    }
}

/// True for something that can be an API Gateway id (not a template's `*`, not `${…}`).
pub(crate) fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One JSON Patch operation.
fn op(op: &str, path: &str, value: &str) -> Value {
    json!({"op": op, "path": path, "value": value})
}

/// `--patch-operations` in the CLI's JSON form, as one shell word.
fn patch(ops: Vec<Value>) -> String {
    quote(&Value::Array(ops).to_string())
}

/// A JSON document as one shell word.
fn json_arg(v: &Value) -> String {
    quote(&v.to_string())
}

/// A JSON Patch path segment (`~` → `~0`, `/` → `~1`).
fn pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// `/responseParameters/<prefix><name>` as a JSON Patch path.
fn param_path(prefix: &str, name: &str) -> String {
    format!(
        "/responseParameters/{}",
        pointer(&format!("{prefix}{name}"))
    )
}

/// A static mapping value (`'x'`).
fn mapped(v: &str) -> String {
    format!("'{v}'")
}

const METHOD_HEADER: &str = "method.response.header.";
const GATEWAY_HEADER: &str = "gatewayresponse.header.";

struct Renderer<'a> {
    api: &'a ApiRef,
    lookups: Vec<String>,
    /// ` --region R`, or empty.
    region: String,
}

impl Renderer<'_> {
    fn push(&mut self, line: String) {
        if !self.lookups.contains(&line) {
            self.lookups.push(line);
        }
    }

    /// The API id (`abc123`), or `"$REST_API_ID"` / `"$API_ID"` after its lookup.
    fn api_id(&mut self) -> String {
        if let Some(id) = self.api.id.as_deref().filter(|id| is_id(id)) {
            return id.to_string();
        }
        let name = self.api.name.as_deref().filter(|n| !n.trim().is_empty());
        let region = self.region.clone();
        match self.api.kind {
            ApiKind::Rest => {
                self.push(match name {
                    Some(name) => format!(
                        "REST_API_ID=$(aws apigateway get-rest-apis --query {} --output text{region}); : \"${{REST_API_ID:?found no REST API named {}}}\"",
                        quote(&format!("items[?name=={}].id", jmes_str(name))),
                        plain(name)
                    ),
                    None => ": \"${REST_API_ID:?set REST_API_ID to the id of the REST API (aws apigateway get-rest-apis lists them)}\"".to_string(),
                });
                "\"$REST_API_ID\"".to_string()
            }
            ApiKind::Http => {
                self.push(match name {
                    Some(name) => format!(
                        "API_ID=$(aws apigatewayv2 get-apis --query {} --output text{region}); : \"${{API_ID:?found no HTTP API named {}}}\"",
                        quote(&format!("Items[?Name=={}].ApiId", jmes_str(name))),
                        plain(name)
                    ),
                    None => ": \"${API_ID:?set API_ID to the id of the HTTP API (aws apigatewayv2 get-apis lists them)}\"".to_string(),
                });
                "\"$API_ID\"".to_string()
            }
        }
    }

    /// The resource id or `"$RESOURCE_ID"` after its lookup.
    fn resource_id(&mut self, api: &str, res: &ResourceRef) -> String {
        if let Some(id) = res.id.as_deref().filter(|id| is_id(id)) {
            return id.to_string();
        }
        let region = self.region.clone();
        if !res.path_known {
            // The URL's path may carry a base path or proxy prefix: the user names the
            // resource path (in double quotes, so the shell substitutes it into the query; no
            // apostrophe in the message: bash reads one inside "${VAR:?…}" as a quote).
            self.push(format!(
                ": \"${{RESOURCE_PATH:?set RESOURCE_PATH to the resource path of the API: {}}}\"",
                resource_path_hint(&res.path)
            ));
            self.push(format!(
                "RESOURCE_ID=$(aws apigateway get-resources --rest-api-id {api} --query \"items[?path=='$RESOURCE_PATH'].id\" --output text{region}); : \"${{RESOURCE_ID:?found no resource $RESOURCE_PATH}}\""
            ));
            return "\"$RESOURCE_ID\"".to_string();
        }
        self.push(format!(
            "RESOURCE_ID=$(aws apigateway get-resources --rest-api-id {api} --query {} --output text{region}); : \"${{RESOURCE_ID:?found no resource {}}}\"",
            quote(&format!("items[?path=={}].id", jmes_str(&res.path))),
            plain(&res.path)
        ));
        "\"$RESOURCE_ID\"".to_string()
    }

    /// `--rest-api-id A --resource-id R --http-method M`.
    fn on(&mut self, res: &ResourceRef, http_method: &str) -> String {
        let api = self.api_id();
        let rid = self.resource_id(&api, res);
        format!(
            "--rest-api-id {api} --resource-id {rid} --http-method {}",
            quote(http_method)
        )
    }

    fn stage(&mut self, stage: Option<&str>) -> String {
        match stage.filter(|s| !s.is_empty()) {
            Some(s) => quote(s),
            None => {
                self.push(
                    ": \"${STAGE:?set STAGE to the name of the stage to deploy}\"".to_string(),
                );
                "\"$STAGE\"".to_string()
            }
        }
    }

    fn change(&mut self, change: &Change) -> Vec<String> {
        match change {
            Change::CreateOptionsMethod { resource } => {
                let on = self.on(resource, "OPTIONS");
                vec![format!(
                    "aws apigateway put-method {on} --authorization-type NONE --no-api-key-required"
                )]
            }
            Change::OptionsAuthorizationOff {
                resource,
                authorization,
                api_key,
            } => {
                let mut ops = Vec::new();
                if *authorization {
                    ops.push(op("replace", "/authorizationType", "NONE"));
                }
                if *api_key {
                    ops.push(op("replace", "/apiKeyRequired", "false"));
                }
                if ops.is_empty() {
                    return Vec::new();
                }
                let on = self.on(resource, "OPTIONS");
                vec![format!(
                    "aws apigateway update-method {on} --patch-operations {}",
                    patch(ops)
                )]
            }
            Change::DeclareResponseHeaders {
                resource,
                http_method,
                status,
                headers,
                create,
            } => {
                if !create && headers.is_empty() {
                    return Vec::new();
                }
                let on = self.on(resource, http_method);
                if *create {
                    let declared: Map<String, Value> = headers
                        .iter()
                        .map(|n| (format!("{METHOD_HEADER}{n}"), json!(false)))
                        .collect();
                    vec![format!(
                        "aws apigateway put-method-response {on} --status-code {} --response-parameters {}",
                        quote(status),
                        json_arg(&Value::Object(declared))
                    )]
                } else {
                    let ops = headers
                        .iter()
                        .map(|n| op("add", &param_path(METHOD_HEADER, n), "false"))
                        .collect();
                    vec![format!(
                        "aws apigateway update-method-response {on} --status-code {} --patch-operations {}",
                        quote(status),
                        patch(ops)
                    )]
                }
            }
            Change::CreateMockIntegration { resource, status } => {
                let on = self.on(resource, "OPTIONS");
                let template = json!({"application/json": format!("{{\"statusCode\": {status}}}")});
                vec![format!(
                    "aws apigateway put-integration {on} --type MOCK --request-templates {}",
                    json_arg(&template)
                )]
            }
            Change::MapResponseHeaders {
                resource,
                http_method,
                status,
                headers,
                create,
            } => {
                if !create && headers.is_empty() {
                    return Vec::new();
                }
                let on = self.on(resource, http_method);
                if *create {
                    let params: Map<String, Value> = headers
                        .iter()
                        .map(|h| {
                            (
                                format!("{METHOD_HEADER}{}", h.name),
                                json!(mapped(&h.value)),
                            )
                        })
                        .collect();
                    vec![format!(
                        "aws apigateway put-integration-response {on} --status-code {} --response-parameters {}",
                        quote(status),
                        json_arg(&Value::Object(params))
                    )]
                } else {
                    vec![format!(
                        "aws apigateway update-integration-response {on} --status-code {} --patch-operations {}",
                        quote(status),
                        patch(header_ops(METHOD_HEADER, headers))
                    )]
                }
            }
            Change::GatewayResponseHeaders {
                response_type,
                headers,
                create,
            } => {
                let api = self.api_id();
                let t = quote(response_type);
                if *create {
                    let params: Map<String, Value> = headers
                        .iter()
                        .map(|h| {
                            (
                                format!("{GATEWAY_HEADER}{}", h.name),
                                json!(mapped(&h.value)),
                            )
                        })
                        .collect();
                    vec![format!(
                        "aws apigateway put-gateway-response --rest-api-id {api} --response-type {t} --response-parameters {}",
                        json_arg(&Value::Object(params))
                    )]
                } else if headers.is_empty() {
                    Vec::new()
                } else {
                    vec![format!(
                        "aws apigateway update-gateway-response --rest-api-id {api} --response-type {t} --patch-operations {}",
                        patch(header_ops(GATEWAY_HEADER, headers))
                    )]
                }
            }
            Change::SetCorsConfiguration { cors } => {
                let api = self.api_id();
                let cfg = cors_json(
                    [
                        &cors.allow_origins,
                        &cors.allow_methods,
                        &cors.allow_headers,
                    ],
                    &cors.expose_headers,
                    cors.allow_credentials == Some(true),
                    cors.max_age,
                );
                vec![format!(
                    "aws apigatewayv2 update-api --api-id {api} --cors-configuration {}",
                    json_arg(&cfg)
                )]
            }
            Change::RouteAuthorizationOff {
                route_id,
                route_key,
            } => {
                let api = self.api_id();
                let route = match route_id.as_deref().filter(|id| is_id(id)) {
                    Some(id) => id.to_string(),
                    None => {
                        let region = self.region.clone();
                        self.push(format!(
                            "ROUTE_ID=$(aws apigatewayv2 get-routes --api-id {api} --query {} --output text{region}); : \"${{ROUTE_ID:?found no route {}}}\"",
                            quote(&format!("Items[?RouteKey=={}].RouteId | [0]", jmes_str(route_key))),
                            plain(route_key)
                        ));
                        "\"$ROUTE_ID\"".to_string()
                    }
                };
                vec![format!(
                    "aws apigatewayv2 update-route --api-id {api} --route-id {route} --authorization-type NONE"
                )]
            }
            Change::CreatePreflightRoute {
                route_key,
                integration_id,
                like_route,
            } => {
                let api = self.api_id();
                let target = match integration_id.as_deref().filter(|id| is_id(id)) {
                    Some(id) => format!("integrations/{id}"),
                    None => {
                        let region = self.region.clone();
                        self.push(format!(
                            "TARGET=$(aws apigatewayv2 get-routes --api-id {api} --query {} --output text{region})",
                            quote(&format!("Items[?RouteKey=={}].Target | [0]", jmes_str(like_route)))
                        ));
                        "\"$TARGET\"".to_string()
                    }
                };
                vec![format!(
                    "aws apigatewayv2 create-route --api-id {api} --route-key {} --authorization-type NONE --target {target}",
                    quote(route_key)
                )]
            }
            Change::BasePathMapping {
                domain_name,
                base_path,
                stage,
                exists,
            } => {
                let api = self.api_id();
                let domain = quote(domain_name);
                let key = match base_path.trim_matches('/') {
                    crate::gateway::front::domain::NONE => "",
                    p => p,
                };
                let stage_q = self.stage(Some(stage));
                match (self.api.kind, exists) {
                    (ApiKind::Rest, false) => vec![format!(
                        "aws apigateway create-base-path-mapping --domain-name {domain} --base-path {} --rest-api-id {api} --stage {stage_q}",
                        quote(if key.is_empty() { crate::gateway::front::domain::NONE } else { key })
                    )],
                    // Plain ids and names: the shorthand form keeps them one word each
                    // (a looked-up id stays a double-quoted shell variable).
                    (ApiKind::Rest, true) => vec![format!(
                        "aws apigateway update-base-path-mapping --domain-name {domain} --base-path {} --patch-operations op=replace,path=/restapiId,value={api} op=replace,path=/stage,value={stage_q}",
                        quote(if key.is_empty() { crate::gateway::front::domain::NONE } else { key })
                    )],
                    (ApiKind::Http, false) => vec![format!(
                        "aws apigatewayv2 create-api-mapping --domain-name {domain}{} --api-id {api} --stage {stage_q}",
                        if key.is_empty() { String::new() } else { format!(" --api-mapping-key {}", quote(key)) }
                    )],
                    (ApiKind::Http, true) => {
                        let region = self.region.clone();
                        self.push(format!(
                            "MAPPING_ID=$(aws apigatewayv2 get-api-mappings --domain-name {domain} --query {} --output text{region}); : \"${{MAPPING_ID:?found no API mapping {}}}\"",
                            quote(&format!("Items[?ApiMappingKey=={}].ApiMappingId | [0]", jmes_str(key))),
                            plain(if key.is_empty() { "at the root" } else { key })
                        ));
                        vec![format!(
                            "aws apigatewayv2 update-api-mapping --domain-name {domain} --api-mapping-id \"$MAPPING_ID\" --api-id {api} --stage {stage_q}"
                        )]
                    }
                }
            }
            Change::FunctionUrlCors {
                function_name,
                cors,
            } => {
                let cfg = cors_json(
                    [
                        &cors.allow_origins,
                        &cors.allow_methods,
                        &cors.allow_headers,
                    ],
                    &cors.expose_headers,
                    cors.allow_credentials,
                    (cors.max_age > 0).then_some(i64::from(cors.max_age)),
                );
                vec![format!(
                    "aws lambda update-function-url-config --function-name {} --cors {}",
                    quote(function_name),
                    json_arg(&cfg)
                )]
            }
            // A code change: the finding's text says it; there is no command to run.
            Change::FunctionCodeCorsHeadersRemoved { .. } => Vec::new(),
            Change::Deploy { stage } => {
                let api = self.api_id();
                let stage = self.stage(stage.as_deref());
                vec![match self.api.kind {
                    ApiKind::Rest => format!(
                        "aws apigateway create-deployment --rest-api-id {api} --stage-name {stage}"
                    ),
                    ApiKind::Http => format!(
                        "aws apigatewayv2 create-deployment --api-id {api} --stage-name {stage}"
                    ),
                }]
            }
            Change::CloudFront {
                distribution_id,
                setting,
            } => super::cloudfront::commands(distribution_id, &[setting]),
        }
    }
}

/// A CORS configuration as the AWS CLI takes it (an HTTP API's `--cors-configuration`, a
/// function URL's `--cors`: the same shape): origins, methods and headers always, the rest
/// only when set.
fn cors_json(
    [origins, methods, headers]: [&Vec<String>; 3],
    expose: &[String],
    credentials: bool,
    max_age: Option<i64>,
) -> Value {
    let mut cfg = json!({
        "AllowOrigins": origins,
        "AllowMethods": methods,
        "AllowHeaders": headers,
    });
    if !expose.is_empty() {
        cfg["ExposeHeaders"] = json!(expose);
    }
    if credentials {
        cfg["AllowCredentials"] = json!(true);
    }
    if let Some(age) = max_age {
        cfg["MaxAge"] = json!(age);
    }
    cfg
}

/// JSON Patch operations that set each header's static value (`replace` when it exists).
fn header_ops(prefix: &str, headers: &[HeaderValue]) -> Vec<Value> {
    headers
        .iter()
        .map(|h| {
            op(
                if h.exists { "replace" } else { "add" },
                &param_path(prefix, &h.name),
                &mapped(&h.value),
            )
        })
        .collect()
}
