//! Remediation: prose and paste-ready AWS CLI commands. Commands never weaken security:
//! authorization is only ever removed from OPTIONS, and `*` is never combined with credentials.
//!
//! Every printed command runs as printed in bash (tests/aws/aws_cli_fixes/ runs each one through
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
//!   scripts/moto_server.py; tests/aws/aws_cli_fixes/ runs them.

use serde_json::{json, Value};

use crate::gateway::inspect::{GatewayResponseFacts, MethodFacts, RouteFacts};
use crate::gateway::model::CorsConfiguration;
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

/// A request as a curl command that runs as pasted in bash (every word through [`quote`], so a
/// `'` in the URL, a header or the body stays in its word): `flag` (`-i`, `-v`), `-X` unless
/// the method is GET, the URL, each header and the body; one option per line (continued with
/// `\`) when there are headers or a body. The one curl builder: the remediation of step 1 and
/// the TUI's "copy as curl" use it.
pub fn curl<'a>(
    flag: &str,
    method: &str,
    url: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
) -> String {
    let mut words = vec![format!("curl {flag}")];
    if method != "GET" {
        words.push(format!("-X {}", quote(method)));
    }
    words.push(quote(url));
    words.extend(
        headers
            .into_iter()
            .map(|(n, v)| format!("-H {}", quote(&format!("{n}: {v}")))),
    );
    if let Some(b) = body {
        words.push(format!("--data-raw {}", quote(b)));
    }
    if words.len() <= 3 {
        words.join(" ")
    } else {
        words.join(" \\\n  ")
    }
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

/// What RESOURCE_PATH should be, for a URL whose path may carry a prefix (a stage in a
/// loopback copy or a proxy, a custom domain's base path): the URL path less that prefix,
/// with the likely answer (`/items if /prod in front of it is the stage or a base path`), never
/// the URL path itself; only characters that need no quoting inside `"${VAR:?…}"`.
fn resource_path_hint(url_path: &str) -> String {
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
            refs.push(format!(
                ": \"${{RESOURCE_PATH:?set RESOURCE_PATH to the resource path of the API: {}}}\"",
                resource_path_hint(&self.resource_path)
            ));
            refs.push(format!(
                "RESOURCE_ID=$(aws apigateway get-resources --rest-api-id {api} --query \"items[?path=='$RESOURCE_PATH'].id\" --output text{}); : \"${{RESOURCE_ID:?found no resource $RESOURCE_PATH}}\"",
                refs.region()
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
}

mod http;
mod rest;
pub mod snippets;
#[cfg(test)]
mod tests;
