//! Remediation as data: each remedy decides a [`ChangeSet`] (`gateway::change`), the typed
//! control-plane changes that fix the finding, and everything shown or done is rendered from
//! it — one source (issue 14): the AWS CLI commands (`cli`, the only place AWS CLI text is
//! written), the infrastructure-as-code snippets, the preview (`gateway::change::apply`) and
//! the apply. Changes never weaken security: authorization is only ever removed from OPTIONS,
//! and `*` is never combined with credentials.
//!
//! Every printed command runs as printed in bash (tests/aws/aws_cli_fixes/ runs each one through
//! the real `aws` CLI against moto, then diagnoses again); quoting, lookups of unknown ids and
//! `--region` are the renderer's (`cli`). The decisions are taken here, while the changes are
//! built:
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

use crate::gateway::change::{ApiRef, Change, ChangeSet, ResourceRef};
use crate::gateway::inspect::{GatewayResponseFacts, MethodFacts, RouteFacts};
use crate::gateway::model::{ApiKind, CorsConfiguration};
use crate::target::CredentialsMode;

pub use cli::commands;
use cli::is_id;
#[cfg(test)]
use cli::resource_path_hint;

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

impl FixContext {
    /// The API the changes apply to: only a real id (not a template's `*`) and a plain region.
    fn api_ref(&self) -> ApiRef {
        ApiRef {
            kind: if self.http {
                ApiKind::Http
            } else {
                ApiKind::Rest
            },
            id: self.api_id.clone().filter(|id| is_id(id)),
            name: self.api_name.clone().filter(|n| !n.trim().is_empty()),
            region: self.region.clone().filter(|r| {
                !r.is_empty()
                    && r.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            }),
        }
    }

    /// The resource under diagnosis (REST).
    fn resource_ref(&self) -> ResourceRef {
        ResourceRef {
            path: self.resource_path.clone(),
            id: self.resource_id.clone().filter(|id| is_id(id)),
            path_known: self.resource_path_known,
        }
    }

    /// A change set on this API.
    pub(in crate::diagnose) fn change_set(&self, changes: Vec<Change>) -> ChangeSet {
        ChangeSet {
            api: self.api_ref(),
            changes,
        }
    }

    /// Deploying the stage (its name when known).
    fn deploy_change(&self) -> Change {
        Change::Deploy {
            stage: self.stage.clone().filter(|s| !s.is_empty()),
        }
    }

    fn credentialed(&self) -> bool {
        self.credentials == CredentialsMode::Include
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

    /// Deploys the stage, nothing else.
    pub fn deploy(&self) -> ChangeSet {
        self.change_set(vec![self.deploy_change()])
    }
}

/// Deploying `api`'s working copy to `stage`: the fix of changes a stage does not serve,
/// which no single request names (`lint`, `audit`).
pub fn deploy_api(api: &crate::gateway::Api, stage: Option<&str>) -> ChangeSet {
    FixContext {
        rest: api.kind == ApiKind::Rest,
        http: api.kind == ApiKind::Http,
        api_id: api.id.clone(),
        api_name: Some(api.name.clone()),
        region: api.region.clone(),
        stage: stage.map(str::to_string),
        ..FixContext::default()
    }
    .deploy()
}

/// A remediation that makes `set`, rendered as AWS CLI commands and in every IaC flavour
/// (names from `api`'s sources when it was read from a file).
pub fn remediation(
    text: impl Into<String>,
    set: ChangeSet,
    api: Option<&crate::gateway::Api>,
) -> crate::diagnose::Remediation {
    let commands = commands(&set);
    let snippets = snippets::Snippets::render(&set, api, &commands);
    crate::diagnose::Remediation {
        text: text.into(),
        commands,
        change_set: Some(set),
        snippets: Some(snippets),
    }
}

mod cli;
pub mod cloudfront;
mod front;
mod http;
mod rest;
pub mod snippets;
#[cfg(test)]
mod tests;
