//! Remediation: prose and paste-ready AWS CLI commands. Commands never weaken security:
//! authorization is only ever removed from OPTIONS, and `*` is never combined with credentials.
//!
//! Every printed command runs as printed in bash (tests/aws/aws_cli_fixes.rs runs each one through
//! the real `aws` CLI against moto, then diagnoses again):
//! - Arguments are shell-quoted ([`quote`]); JSON arguments are built with serde_json and
//!   passed as one word.
//! - `--patch-operations` uses the CLI's JSON form. Its shorthand form
//!   (`op=add,…,value='https://app.example.com'`) loses the single quotes, and API Gateway
//!   rejects a static mapping value that is not single-quoted
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html>).
//! - An id that is not known (working from an export or from probes only, or a template's
//!   `*.execute-api…` wildcard) becomes a shell variable set by a lookup printed first
//!   (`REST_API_ID=$(aws apigateway get-rest-apis --query …)`), or, when nothing names it, a
//!   variable the command refuses to run without (`: "${REST_API_ID:?…}"`). Never a
//!   `<placeholder>`, never a glob.
//! - Only what is broken is changed. A header that already allows the request keeps its
//!   value; one that lacks something is widened (the existing list plus what is missing),
//!   never replaced by a narrower list. A part that exists is patched (`update-*`), a part that
//!   does not is created (`put-*`), in dependency order (method, method response, integration,
//!   integration response), then the stage is deployed.
//! - A gateway response that is already customized is patched
//!   (`update-gateway-response`): `put-gateway-response` overwrites the whole customization
//!   (<https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-gateway-response-using-the-api.html>).
//! - Every `aws` call names the API's region when it is known for sure (from the configuration
//!   or a live execute-api URL), so a different default region cannot misdirect it.
//! - HTTP API changes take effect on a stage without automatic deployment only after
//!   `create-deployment` (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html>).
//!
//! Choices the documentation leaves open:
//! - JSON Patch `add` on a map key that already exists replaces its value (RFC 6902 §4.1); the
//!   commands still say `replace` whenever the configuration shows the key exists, and `add`
//!   only for keys that are absent or unknown (probes only).
//! - A wrong single-origin Allow-Origin literal is replaced by the origin under diagnosis (a
//!   MOCK integration answers one origin; serving several needs a backend that checks the
//!   request's Origin against a list). A `*` with credentials is replaced too: browsers
//!   refuse it, so nothing that worked is lost.
//! - Probes only (no configuration): the method response and integration response are
//!   assumed to exist when the preflight got a 2xx from the method; headers seen on it are
//!   patched with `replace`, others with `add`; both authorization and apiKeyRequired are set
//!   off on OPTIONS (the probes cannot tell which one answered 401/403).
//! - The moto extensions that let tests run these commands are listed in
//!   scripts/moto_server.py; tests/aws/aws_cli_fixes.rs runs them.

use serde_json::{json, Value};

use crate::gateway::inspect::{GatewayResponseFacts, MethodFacts, RouteFacts};
use crate::gateway::model::{AuthorizationType, CorsConfiguration, DEFAULT_ROUTE};
use crate::target::CredentialsMode;

/// What a command needs to know about the API and the request.
#[derive(Clone, Debug, Default)]
pub struct FixContext {
    pub rest: bool,
    pub http: bool,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    pub resource_id: Option<String>,
    pub resource_path: String,
    pub origin: String,
    pub method: String,
    pub request_headers: Vec<String>,
    pub credentials: CredentialsMode,
    /// The API's region, when known for sure (the configuration's, or a live execute-api URL's):
    /// every command then names it, so a different default region cannot misdirect it.
    pub region: Option<String>,
    /// The API's name (`info.title`), to look its id up when the id is not known.
    pub api_name: Option<String>,
    /// True when the API's configuration was read: the fields below describe it, and what
    /// they lack does not exist.
    pub config_loaded: bool,
    /// The verbs of the matched resource (REST), for a new OPTIONS method's Allow-Methods.
    pub resource_methods: Vec<String>,
    /// REST: the OPTIONS method of the resource, as configured.
    pub options: Option<MethodFacts>,
    /// REST: the gateway responses, as configured.
    pub gateway_responses: Option<GatewayResponseFacts>,
    /// HTTP: the cors_configuration, as configured.
    pub http_cors: Option<CorsConfiguration>,
    /// HTTP: whether the stage deploys every change by itself.
    pub http_auto_deploy: Option<bool>,
    /// HTTP: the route that catches the browser's OPTIONS.
    pub http_options_route: Option<RouteFacts>,
    /// The Access-Control-Allow-* headers (lower-case name, value) of a live 2xx preflight
    /// answered by the method, used when no configuration was read.
    pub observed_preflight: Vec<(String, String)>,
    /// The status of that preflight.
    pub observed_preflight_status: Option<u16>,
    /// False when `resource_path` is only the URL's path (a prefix such as a custom domain's
    /// base path may stand in front of the resource path): commands then look the resource
    /// up by a `RESOURCE_PATH` the user sets.
    pub resource_path_known: bool,
}

/// Quotes a word for bash: bare when it is plainly safe, else in single quotes, else (when it
/// holds single quotes, e.g. JSON carrying a static mapping value) in double quotes, else in
/// single quotes with `'\''` for each single quote.
pub fn quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c);
    if !s.is_empty() && s.chars().all(safe) && !s.starts_with('=') {
        return s.to_string();
    }
    if !s.contains('\'') {
        return format!("'{s}'");
    }
    if !s.chars().any(|c| matches!(c, '$' | '`' | '!' | '\n')) {
        return format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A JMESPath raw string literal (`'…'`).
fn jmes_str(s: &str) -> String {
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

/// True for something that can be an API Gateway id (not a template's `*`, not `${…}`).
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One JSON Patch operation.
fn op(op: &str, path: &str, value: Option<&str>) -> Value {
    match value {
        Some(v) => json!({"op": op, "path": path, "value": v}),
        None => json!({"op": op, "path": path}),
    }
}

/// `--patch-operations` in the CLI's JSON form, as one shell word.
fn patch(ops: &[Value]) -> String {
    quote(&Value::Array(ops.to_vec()).to_string())
}

/// A JSON document as one shell word.
fn json_arg(v: &Value) -> String {
    quote(&v.to_string())
}

/// A JSON Patch path segment (`~` → `~0`, `/` → `~1`).
fn pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `current` plus each of `needed` it lacks (case-insensitive), in order; `None` when nothing
/// is missing.
fn widen(current: &[String], needed: &[String]) -> Option<Vec<String>> {
    let mut out = current.to_vec();
    let mut changed = false;
    for n in needed {
        if !out.iter().any(|c| c.eq_ignore_ascii_case(n)) {
            out.push(n.clone());
            changed = true;
        }
    }
    changed.then_some(out)
}

/// The value of a static mapping expression (`'x'` → `x`).
fn literal(expr: &str) -> Option<&str> {
    expr.trim()
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
}

/// What to do about one CORS header of the OPTIONS answer.
#[derive(Clone, Debug, PartialEq, Eq)]
struct HeaderFix {
    name: &'static str,
    /// The value to map (unquoted), when the mapping must change.
    value: Option<String>,
    /// True when the mapping exists (patch with `replace`), false when absent or unknown.
    mapped: bool,
    /// True when the method response must declare it.
    declare: bool,
}

/// What is known about one header of the OPTIONS answer today.
struct HeaderNow {
    /// `Some(true)` declared, `Some(false)` not, `None` unknown.
    declared: Option<bool>,
    /// The mapping expression (`'x'`, `method.request.header.Origin`), if mapped.
    mapped: Option<String>,
    /// False when nothing is known about the mapping (probes only, header not observed).
    mapped_known: bool,
}

/// Which ids are known, and the lookups that set the rest.
struct Refs {
    lookups: Vec<String>,
    /// ` --region R`, or empty.
    region: String,
}

impl Refs {
    /// `--region` is appended to every `aws` call when the region is known.
    fn region(&self) -> &str {
        &self.region
    }

    fn push(&mut self, line: String) {
        if !self.lookups.contains(&line) {
            self.lookups.push(line);
        }
    }

    /// The lookups, then `cmds` (each `aws` call naming the region).
    fn then(self, cmds: Vec<String>) -> Vec<String> {
        let region = self.region;
        let mut out = self.lookups;
        out.extend(cmds.into_iter().map(|c| {
            if c.starts_with("aws ") && !c.contains('\n') {
                format!("{c}{region}")
            } else {
                c
            }
        }));
        out
    }
}

impl FixContext {
    fn refs(&self) -> Refs {
        let region = self
            .region
            .as_deref()
            .filter(|r| {
                !r.is_empty()
                    && r.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
            .map(|r| format!(" --region {r}"))
            .unwrap_or_default();
        Refs {
            lookups: Vec::new(),
            region,
        }
    }

    fn credentialed(&self) -> bool {
        self.credentials == CredentialsMode::Include
    }

    /// The REST API id (`abc123`) or `"$REST_API_ID"` after its lookup.
    fn rest_api(&self, refs: &mut Refs) -> String {
        if let Some(id) = self.api_id.as_deref().filter(|id| is_id(id)) {
            return id.to_string();
        }
        refs.push(match self.api_name.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(name) => format!(
                "REST_API_ID=$(aws apigateway get-rest-apis --query {} --output text{}); : \"${{REST_API_ID:?found no REST API named {}}}\"",
                quote(&format!("items[?name=={}].id", jmes_str(name))),
                refs.region(),
                plain(name)
            ),
            None => ": \"${REST_API_ID:?set REST_API_ID to the id of the REST API (aws apigateway get-rest-apis lists them)}\"".to_string(),
        });
        "\"$REST_API_ID\"".to_string()
    }

    /// The HTTP API id or `"$API_ID"` after its lookup.
    fn http_api(&self, refs: &mut Refs) -> String {
        if let Some(id) = self.api_id.as_deref().filter(|id| is_id(id)) {
            return id.to_string();
        }
        refs.push(match self.api_name.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(name) => format!(
                "API_ID=$(aws apigatewayv2 get-apis --query {} --output text{}); : \"${{API_ID:?found no HTTP API named {}}}\"",
                quote(&format!("Items[?Name=={}].ApiId", jmes_str(name))),
                refs.region(),
                plain(name)
            ),
            None => ": \"${API_ID:?set API_ID to the id of the HTTP API (aws apigatewayv2 get-apis lists them)}\"".to_string(),
        });
        "\"$API_ID\"".to_string()
    }

    fn stage_word(&self, refs: &mut Refs) -> String {
        match self.stage.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => quote(s),
            None => {
                refs.push(
                    ": \"${STAGE:?set STAGE to the name of the stage to deploy}\"".to_string(),
                );
                "\"$STAGE\"".to_string()
            }
        }
    }

    /// The resource id or `"$RESOURCE_ID"` after its lookup.
    fn resource(&self, refs: &mut Refs, api: &str) -> String {
        if let Some(id) = self.resource_id.as_deref().filter(|id| is_id(id)) {
            return id.to_string();
        }
        if !self.resource_path_known {
            // The URL's path may carry a base path or proxy prefix: the user names the
            // resource path (in double quotes, so the shell substitutes it into the query; no
            // apostrophe in the message: bash reads one inside "${VAR:?…}" as a quote).
            refs.push(
                ": \"${RESOURCE_PATH:?set RESOURCE_PATH to the resource path of the API (the URL path without any custom-domain base path or proxy prefix)}\"".to_string(),
            );
            refs.push(format!(
                "RESOURCE_ID=$(aws apigateway get-resources --rest-api-id {api} --query \"items[?path=='$RESOURCE_PATH'].id\" --output text); : \"${{RESOURCE_ID:?found no resource $RESOURCE_PATH}}\""
            ));
            return "\"$RESOURCE_ID\"".to_string();
        }
        refs.push(format!(
            "RESOURCE_ID=$(aws apigateway get-resources --rest-api-id {api} --query {} --output text{}); : \"${{RESOURCE_ID:?found no resource {}}}\"",
            quote(&format!("items[?path=={}].id", jmes_str(&self.resource_path))),
            refs.region(),
            plain(&self.resource_path)
        ));
        "\"$RESOURCE_ID\"".to_string()
    }

    /// The origin to allow: the exact origin (never `*` when credentials are involved).
    pub fn allow_origin(&self) -> &str {
        &self.origin
    }

    /// Allow-Methods: the method under diagnosis plus OPTIONS.
    pub fn allow_methods(&self) -> String {
        self.needed_methods().join(",")
    }

    fn needed_methods(&self) -> Vec<String> {
        let mut methods = vec![self.method.to_ascii_uppercase()];
        if !self.method.eq_ignore_ascii_case("OPTIONS") {
            methods.push("OPTIONS".to_string());
        }
        methods
    }

    /// Allow-Headers: the headers the browser asks for, plus the usual content-type.
    pub fn allow_headers(&self) -> String {
        let mut headers: Vec<String> = self.request_headers.clone();
        if !headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("content-type"))
        {
            headers.push("content-type".to_string());
        }
        headers.join(",")
    }

    /// The CORS headers an OPTIONS answer needs, as (name, value) pairs.
    pub fn preflight_headers(&self) -> Vec<(String, String)> {
        let mut h = vec![
            (
                "Access-Control-Allow-Origin".to_string(),
                self.allow_origin().to_string(),
            ),
            (
                "Access-Control-Allow-Methods".to_string(),
                self.allow_methods(),
            ),
            (
                "Access-Control-Allow-Headers".to_string(),
                self.allow_headers(),
            ),
        ];
        if self.credentialed() {
            h.push((
                "Access-Control-Allow-Credentials".to_string(),
                "true".to_string(),
            ));
        }
        h
    }

    pub fn deploy(&self) -> String {
        let mut refs = self.refs();
        let cmd = self.deploy_with(&mut refs);
        refs.then(vec![cmd]).join("\n")
    }

    fn deploy_with(&self, refs: &mut Refs) -> String {
        if self.http {
            let api = self.http_api(refs);
            let stage = self.stage_word(refs);
            format!("aws apigatewayv2 create-deployment --api-id {api} --stage-name {stage}")
        } else {
            let api = self.rest_api(refs);
            let stage = self.stage_word(refs);
            format!("aws apigateway create-deployment --rest-api-id {api} --stage-name {stage}")
        }
    }

    /// HTTP APIs: a deployment unless the stage deploys by itself.
    fn http_deploy(&self, refs: &mut Refs) -> Option<String> {
        (self.http_auto_deploy != Some(true)).then(|| self.deploy_with(refs))
    }

    /// The HTTP API fix: a CORS configuration that allows the request (API Gateway then
    /// answers preflights itself). An existing configuration is widened, never narrowed.
    pub fn http_cors_configuration(&self) -> String {
        let mut refs = self.refs();
        let mut cmds = vec![self.http_cors_command(&mut refs)];
        cmds.extend(self.http_deploy(&mut refs));
        refs.then(cmds).join("\n")
    }

    fn http_cors_command(&self, refs: &mut Refs) -> String {
        let api = self.http_api(refs);
        let current = self.http_cors.clone().unwrap_or_default();
        let mut origins = current.allow_origins.clone();
        if !current.allows_origin(&self.origin)
            || (self.credentialed() && origins.iter().all(|o| o == "*"))
        {
            origins.retain(|o| !(self.credentialed() && o == "*"));
            origins.push(self.origin.clone());
        }
        let star = |l: &[String]| !self.credentialed() && l.iter().any(|v| v == "*");
        let mut methods = current.allow_methods.clone();
        if !star(&methods) {
            methods = widen(&methods, &self.needed_methods()).unwrap_or(methods);
        }
        let mut headers = current.allow_headers.clone();
        let wanted: Vec<String> = self
            .allow_headers()
            .split(',')
            .map(str::to_string)
            .collect();
        if !star(&headers) {
            headers = widen(&headers, &wanted).unwrap_or(headers);
        }
        let mut cfg = json!({
            "AllowOrigins": origins,
            "AllowMethods": methods,
            "AllowHeaders": headers,
        });
        if !current.expose_headers.is_empty() {
            cfg["ExposeHeaders"] = json!(current.expose_headers);
        }
        if self.credentialed() || current.allow_credentials == Some(true) {
            cfg["AllowCredentials"] = json!(true);
        }
        cfg["MaxAge"] = json!(current.max_age.unwrap_or(300));
        format!(
            "aws apigatewayv2 update-api --api-id {api} --cors-configuration {}",
            json_arg(&cfg)
        )
    }

    /// Adds an OPTIONS MOCK method that answers the preflight (the console's "Enable CORS").
    /// When the configuration shows OPTIONS exists, only its broken parts are fixed instead.
    pub fn add_options_method(&self) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
        }
        if self.config_loaded && self.options.is_some() {
            return self.fix_options_headers();
        }
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let rid = self.resource(&mut refs, &api);
        let mut methods: Vec<String> = self
            .resource_methods
            .iter()
            .filter(|m| !m.eq_ignore_ascii_case("ANY"))
            .map(|m| m.to_ascii_uppercase())
            .collect();
        methods = widen(&methods, &self.needed_methods()).unwrap_or(methods);
        let mut headers = self.preflight_headers();
        if let Some(h) = headers
            .iter_mut()
            .find(|(n, _)| n == "Access-Control-Allow-Methods")
        {
            h.1 = methods.join(",");
        }
        let declared: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(n, _)| (format!("method.response.header.{n}"), json!(false)))
            .collect();
        let mapped: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(n, v)| {
                (
                    format!("method.response.header.{n}"),
                    json!(format!("'{v}'")),
                )
            })
            .collect();
        let template = json!({"application/json": "{\"statusCode\": 200}"});
        let mut cmds = vec![
            format!("aws apigateway put-method --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --authorization-type NONE --no-api-key-required"),
            format!("aws apigateway put-method-response --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --status-code 200 --response-parameters {}", json_arg(&Value::Object(declared))),
            format!("aws apigateway put-integration --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --type MOCK --request-templates {}", json_arg(&template)),
            format!("aws apigateway put-integration-response --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --status-code 200 --response-parameters {}", json_arg(&Value::Object(mapped))),
        ];
        cmds.push(self.deploy_with(&mut refs));
        refs.then(cmds)
    }

    /// Declares and/or maps CORS headers (`headers`: name and unquoted value) on a non-OPTIONS
    /// REST method's `status` response, touching only those, then deploys.
    pub fn map_method_headers(
        &self,
        http_method: &str,
        status: &str,
        headers: &[(String, String)],
        declare: bool,
        map: bool,
    ) -> Vec<String> {
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let rid = self.resource(&mut refs, &api);
        let verb = quote(http_method);
        let status = quote(status);
        let mut cmds = Vec::new();
        let param = |n: &str| {
            format!(
                "/responseParameters/{}",
                pointer(&format!("method.response.header.{n}"))
            )
        };
        if declare {
            let ops: Vec<Value> = headers
                .iter()
                .map(|(n, _)| op("add", &param(n), Some("false")))
                .collect();
            cmds.push(format!(
                "aws apigateway update-method-response --rest-api-id {api} --resource-id {rid} --http-method {verb} --status-code {status} --patch-operations {}",
                patch(&ops)
            ));
        }
        if map {
            let ops: Vec<Value> = headers
                .iter()
                .map(|(n, v)| op("add", &param(n), Some(&format!("'{v}'"))))
                .collect();
            cmds.push(format!(
                "aws apigateway update-integration-response --rest-api-id {api} --resource-id {rid} --http-method {verb} --status-code {status} --patch-operations {}",
                patch(&ops)
            ));
        }
        cmds.push(self.deploy_with(&mut refs));
        refs.then(cmds)
    }

    /// Removes authorization and the API-key requirement from OPTIONS only (REST: only the
    /// setting that is on, when the configuration shows it).
    pub fn unauthorize_options(&self) -> Vec<String> {
        if self.http {
            return self.http_preflight_route();
        }
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let rid = self.resource(&mut refs, &api);
        let (auth, key) = match (&self.options, self.config_loaded) {
            (Some(o), true) => (
                o.authorization != AuthorizationType::None,
                o.api_key_required,
            ),
            _ => (true, true),
        };
        let mut ops = Vec::new();
        if auth {
            ops.push(op("replace", "/authorizationType", Some("NONE")));
        }
        if key {
            ops.push(op("replace", "/apiKeyRequired", Some("false")));
        }
        if ops.is_empty() {
            return Vec::new();
        }
        let cmds = vec![
            format!(
                "aws apigateway update-method --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --patch-operations {}",
                patch(&ops)
            ),
            self.deploy_with(&mut refs),
        ];
        refs.then(cmds)
    }

    /// HTTP APIs: a route without authorization for the browser's OPTIONS (an explicit OPTIONS
    /// route loses its authorization; otherwise `OPTIONS /{proxy+}` is added, with the
    /// integration of the route that caught the preflight), and a CORS configuration.
    fn http_preflight_route(&self) -> Vec<String> {
        let mut refs = self.refs();
        let api = self.http_api(&mut refs);
        let mut cmds = Vec::new();
        let route = self.http_options_route.as_ref();
        let explicit = route.filter(|r| r.route_key.starts_with("OPTIONS "));
        match explicit.and_then(|r| r.id.as_deref().filter(|id| is_id(id))) {
            Some(route_id) => cmds.push(format!(
                "aws apigatewayv2 update-route --api-id {api} --route-id {route_id} --authorization-type NONE"
            )),
            None => {
                let target = match route.and_then(|r| r.integration_id.as_deref().filter(|id| is_id(id))) {
                    Some(id) => format!("integrations/{id}"),
                    None => {
                        let key = route.map_or(DEFAULT_ROUTE, |r| r.route_key.as_str());
                        refs.push(format!(
                            "TARGET=$(aws apigatewayv2 get-routes --api-id {api} --query {} --output text{})",
                            quote(&format!("Items[?RouteKey=={}].Target | [0]", jmes_str(key))),
                            refs.region()
                        ));
                        "\"$TARGET\"".to_string()
                    }
                };
                cmds.push(format!(
                    "aws apigatewayv2 create-route --api-id {api} --route-key 'OPTIONS /{{proxy+}}' --authorization-type NONE --target {target}"
                ));
            }
        }
        if !self
            .http_cors
            .as_ref()
            .is_some_and(|c| c.allows_origin(&self.origin))
        {
            cmds.push(self.http_cors_command(&mut refs));
        }
        cmds.extend(self.http_deploy(&mut refs));
        refs.then(cmds)
    }

    /// What is known today about `name` on the OPTIONS answer.
    fn header_now(&self, name: &str) -> HeaderNow {
        if self.config_loaded {
            let h = self.options.as_ref().and_then(|o| o.cors_header(name));
            return HeaderNow {
                declared: Some(h.is_some_and(|h| h.declared)),
                mapped: h.and_then(|h| h.mapped.clone()),
                mapped_known: true,
            };
        }
        let seen = self
            .observed_preflight
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| format!("'{v}'"));
        HeaderNow {
            declared: seen.as_ref().map(|_| true),
            mapped_known: seen.is_some(),
            mapped: seen,
        }
    }

    /// The CORS headers of the OPTIONS answer that must change, and how.
    fn header_fixes(&self) -> Vec<HeaderFix> {
        let mut names = vec![
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
        ];
        if self.credentialed() {
            names.push("Access-Control-Allow-Credentials");
        }
        let creds = self.credentialed();
        let mut out = Vec::new();
        for name in names {
            let now = self.header_now(name);
            let value = match now.mapped.as_deref() {
                None => Some(match name {
                    "Access-Control-Allow-Origin" => self.origin.clone(),
                    "Access-Control-Allow-Methods" => self.allow_methods(),
                    "Access-Control-Allow-Headers" => self.allow_headers(),
                    _ => "true".to_string(),
                }),
                // A dynamic expression (the request's Origin, a stage variable): not judged here.
                Some(expr) => literal(expr).and_then(|cur| {
                    let list = split_list(cur);
                    let star = !creds && list.iter().any(|v| v == "*");
                    match name {
                        "Access-Control-Allow-Origin" => (!(star
                            || cur.trim().eq_ignore_ascii_case(&self.origin)))
                        .then(|| self.origin.clone()),
                        "Access-Control-Allow-Methods" => (!star)
                            .then(|| widen(&list, &self.needed_methods()))
                            .flatten()
                            .map(|l| l.join(",")),
                        "Access-Control-Allow-Headers" => {
                            // `*` never covers Authorization (Fetch standard).
                            let needed: Vec<String> = self
                                .request_headers
                                .iter()
                                .filter(|h| !star || h.eq_ignore_ascii_case("authorization"))
                                .cloned()
                                .collect();
                            widen(&list, &needed).map(|l| l.join(","))
                        }
                        _ => (cur.trim() != "true").then(|| "true".to_string()),
                    }
                }),
            };
            let declare = now.declared != Some(true);
            if value.is_none() && !declare {
                continue;
            }
            out.push(HeaderFix {
                name,
                value,
                mapped: now.mapped_known && now.mapped.is_some(),
                declare,
            });
        }
        out
    }

    /// Makes the OPTIONS answer carry the CORS headers the request needs: declares what is
    /// not declared and maps (or widens) what is missing or wrong, creating the method
    /// response, integration and integration response when the configuration shows they do
    /// not exist, and creating the OPTIONS method itself when there is none.
    pub fn fix_options_headers(&self) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
        }
        let options = self.options.as_ref();
        if self.config_loaded && options.is_none() {
            return self.add_options_method();
        }
        let fixes = self.header_fixes();
        let (has_mr, has_integration, has_ir) = match options {
            Some(o) if self.config_loaded => (
                o.success_status.is_some(),
                o.integration.is_some(),
                o.has_integration_response,
            ),
            _ => (true, true, true),
        };
        if fixes.is_empty() && has_mr && has_integration && has_ir {
            return Vec::new();
        }
        let status = options
            .and_then(|o| o.success_status.clone())
            .or_else(|| {
                self.observed_preflight_status
                    .filter(|s| (200..300).contains(s))
                    .map(|s| s.to_string())
            })
            .unwrap_or_else(|| "200".to_string());
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let rid = self.resource(&mut refs, &api);
        let on = format!("--rest-api-id {api} --resource-id {rid} --http-method OPTIONS");
        let param = |n: &str| format!("method.response.header.{n}");
        let mut cmds = Vec::new();
        if !has_mr {
            let declared: serde_json::Map<String, Value> = fixes
                .iter()
                .map(|f| (param(f.name), json!(false)))
                .collect();
            cmds.push(format!(
                "aws apigateway put-method-response {on} --status-code {} --response-parameters {}",
                quote(&status),
                json_arg(&Value::Object(declared))
            ));
        } else {
            let ops: Vec<Value> = fixes
                .iter()
                .filter(|f| f.declare)
                .map(|f| {
                    op(
                        "add",
                        &format!("/responseParameters/{}", pointer(&param(f.name))),
                        Some("false"),
                    )
                })
                .collect();
            if !ops.is_empty() {
                cmds.push(format!(
                    "aws apigateway update-method-response {on} --status-code {} --patch-operations {}",
                    quote(&status),
                    patch(&ops)
                ));
            }
        }
        if !has_integration {
            let template = json!({"application/json": format!("{{\"statusCode\": {status}}}")});
            cmds.push(format!(
                "aws apigateway put-integration {on} --type MOCK --request-templates {}",
                json_arg(&template)
            ));
        }
        let mappings: Vec<(&str, String, bool)> = fixes
            .iter()
            .filter_map(|f| {
                f.value
                    .as_ref()
                    .map(|v| (f.name, format!("'{v}'"), f.mapped))
            })
            .collect();
        if !has_ir {
            let mapped: serde_json::Map<String, Value> = mappings
                .iter()
                .map(|(n, v, _)| (param(n), json!(v)))
                .collect();
            cmds.push(format!(
                "aws apigateway put-integration-response {on} --status-code {} --response-parameters {}",
                quote(&status),
                json_arg(&Value::Object(mapped))
            ));
        } else if !mappings.is_empty() {
            let ops: Vec<Value> = mappings
                .iter()
                .map(|(n, v, exists)| {
                    op(
                        if *exists { "replace" } else { "add" },
                        &format!("/responseParameters/{}", pointer(&param(n))),
                        Some(v),
                    )
                })
                .collect();
            cmds.push(format!(
                "aws apigateway update-integration-response {on} --status-code {} --patch-operations {}",
                quote(&status),
                patch(&ops)
            ));
        }
        cmds.push(self.deploy_with(&mut refs));
        refs.then(cmds)
    }

    /// Whether a gateway response's Allow-Origin expression lets the origin read the error.
    fn gateway_allows(&self, expr: &str) -> bool {
        match literal(expr) {
            Some(v) => {
                (v.trim() == "*" && !self.credentialed())
                    || v.trim().eq_ignore_ascii_case(&self.origin)
            }
            // A dynamic expression (the request's Origin header): allowed.
            None => true,
        }
    }

    /// Adds CORS headers to a gateway response type, to the DEFAULT_4XX/5XX catch-alls and to
    /// every customized response that lacks them (it overrides the catch-alls), skipping those
    /// that already carry them; a customized response is patched, not overwritten.
    pub fn gateway_response_cors(&self, response_type: &str) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
        }
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let mut types = vec![response_type.to_string()];
        let mut also: Vec<String> = vec!["DEFAULT_4XX".into(), "DEFAULT_5XX".into()];
        // A customized response overrides DEFAULT_4XX/5XX: each one without the header needs
        // it too.
        if let Some(g) = self
            .gateway_responses
            .as_ref()
            .filter(|_| self.config_loaded)
        {
            also.extend(
                g.configured
                    .iter()
                    .filter(|c| {
                        !c.allow_origin
                            .as_deref()
                            .is_some_and(|e| self.gateway_allows(e))
                    })
                    .map(|c| c.response_type.clone()),
            );
        }
        for t in also {
            if !types.contains(&t) {
                types.push(t);
            }
        }
        let mut wanted = vec![(
            "gatewayresponse.header.Access-Control-Allow-Origin".to_string(),
            format!("'{}'", self.allow_origin()),
        )];
        if self.credentialed() {
            wanted.push((
                "gatewayresponse.header.Access-Control-Allow-Credentials".to_string(),
                "'true'".to_string(),
            ));
        }
        let mut cmds = Vec::new();
        for t in &types {
            let known = self
                .gateway_responses
                .as_ref()
                .filter(|_| self.config_loaded);
            let customized =
                known.and_then(|g| g.configured.iter().find(|c| &c.response_type == t));
            let is_default = t.starts_with("DEFAULT_");
            if let Some(g) = known {
                let current = match (customized, t.as_str()) {
                    (Some(c), _) => c.allow_origin.as_deref(),
                    (None, "DEFAULT_4XX") => g.default_4xx_allow_origin.as_deref(),
                    (None, "DEFAULT_5XX") => g.default_5xx_allow_origin.as_deref(),
                    // Not customized: the DEFAULT_* fix below covers it.
                    (None, _) if !is_default => continue,
                    (None, _) => None,
                };
                if current.is_some_and(|e| self.gateway_allows(e)) && !self.credentialed() {
                    continue;
                }
            }
            match customized {
                Some(c) => {
                    let ops: Vec<Value> = wanted
                        .iter()
                        .map(|(k, v)| {
                            let exists = k.ends_with("Allow-Origin") && c.allow_origin.is_some();
                            op(
                                if exists { "replace" } else { "add" },
                                &format!("/responseParameters/{}", pointer(k)),
                                Some(v),
                            )
                        })
                        .collect();
                    cmds.push(format!(
                        "aws apigateway update-gateway-response --rest-api-id {api} --response-type {t} --patch-operations {}",
                        patch(&ops)
                    ));
                }
                None => {
                    let params: serde_json::Map<String, Value> =
                        wanted.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                    cmds.push(format!(
                        "aws apigateway put-gateway-response --rest-api-id {api} --response-type {t} --response-parameters {}",
                        json_arg(&Value::Object(params))
                    ));
                }
            }
        }
        if cmds.is_empty() {
            return Vec::new();
        }
        cmds.push(self.deploy_with(&mut refs));
        refs.then(cmds)
    }
}

#[cfg(test)]
mod tests;
