//! The explorer's detail pane for the selected method (issue 17): its method request
//! (authorization, authorizer, API key, request parameters), its integration (type, URI
//! masked, passthrough), its method responses beside its integration responses (the headers
//! each status declares next to those the integration maps, so a header declared but never
//! mapped, or mapped but not declared, shows), and what a preflight would get.
//!
//! The preflight is not worked out here: the browser's request for the method is the one
//! the whole-API rules make ([`crate::rules::synthesize`]), and API Gateway's answers come from
//! the offline prediction and the seven steps ([`crate::rules::diagnose_request`], i.e.
//! [`crate::gateway::behavior::predict`]), as `lint` and `audit` judge the route.

use std::sync::Arc;

use crate::exchange::ExchangeKind;
use crate::gateway::model::{Api, ApiKind, Method, Resource};

/// How a line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Heading,
    Plain,
    Dim,
    Good,
    Bad,
    Warn,
}

/// One line of the detail pane (text already masked and display-safe).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailLine {
    pub tone: Tone,
    pub text: String,
}

fn line(tone: Tone, text: impl Into<String>) -> DetailLine {
    DetailLine {
        tone,
        text: crate::redact::escape_controls(&crate::redact::known(&text.into())),
    }
}

/// The detail of `method` of the resource at `path` (`None`: the resource's own row) as
/// `stage` serves it, its preflight judged for `origin`.
pub fn describe(
    api: &Arc<Api>,
    stage: Option<&str>,
    path: &str,
    method: Option<&str>,
    origin: &str,
) -> Vec<DetailLine> {
    let served = api.served(stage);
    let resource = served
        .resources
        .iter()
        .find(|r| r.path == path)
        .or_else(|| api.resources.iter().find(|r| r.path == path));
    let Some(resource) = resource else {
        return vec![line(Tone::Dim, format!("{path}: not in the configuration"))];
    };
    let mut out = Vec::new();
    let verbs: Vec<&str> = resource
        .methods
        .iter()
        .map(|m| m.http_method.as_str())
        .collect();
    let chosen = match method {
        Some(v) => resource.methods.iter().find(|m| m.http_method == v),
        None => None,
    };
    let Some(m) = chosen else {
        out.push(line(Tone::Heading, format!("Resource {}", resource.path)));
        out.push(line(
            Tone::Plain,
            format!(
                "methods: {}",
                if verbs.is_empty() {
                    "none".to_string()
                } else {
                    verbs.join(", ")
                }
            ),
        ));
        out.push(line(Tone::Dim, "Select a method for its detail."));
        if let Some(first) = first_call(resource) {
            out.push(line(Tone::Plain, ""));
            preflight(&mut out, api, stage, resource, first, origin);
        }
        return out;
    };
    out.push(line(
        Tone::Heading,
        format!("{} {}", m.http_method, resource.path),
    ));
    method_request(&mut out, api, m);
    integration(&mut out, api.kind, m);
    if api.kind == ApiKind::Rest {
        responses(&mut out, m);
    } else {
        http_cors(&mut out, api);
    }
    out.push(line(Tone::Plain, ""));
    // What a preflight for this method gets; on OPTIONS, for the first method it guards.
    let target = if m.http_method == "OPTIONS" {
        first_call(resource)
    } else {
        Some(m)
    };
    match target {
        Some(t) => preflight(&mut out, api, stage, resource, t, origin),
        None => out.push(line(
            Tone::Dim,
            "Preflight: no other method on this resource to ask for.",
        )),
    }
    out
}

/// The method a preflight on `resource` is for: the first that needs one whatever the
/// request (PUT, POST, PATCH, DELETE, ANY), else the first that is not OPTIONS.
fn first_call(resource: &Resource) -> Option<&Method> {
    let needs = ["PUT", "POST", "PATCH", "DELETE", "ANY"];
    resource
        .methods
        .iter()
        .find(|m| needs.contains(&m.http_method.as_str()))
        .or_else(|| resource.methods.iter().find(|m| m.http_method != "OPTIONS"))
}

fn method_request(out: &mut Vec<DetailLine>, api: &Api, m: &Method) {
    out.push(line(Tone::Heading, "Method request"));
    out.push(line(
        Tone::Plain,
        format!("  authorization  {}", m.authorization.as_str()),
    ));
    if let Some(name) = &m.authorizer {
        let about = api.authorizer(name).map_or_else(
            || " (not found in the configuration)".to_string(),
            |a| {
                format!(
                    " ({}, identity {})",
                    a.kind.export_name(),
                    a.identity_source.as_deref().unwrap_or("-")
                )
            },
        );
        out.push(line(Tone::Plain, format!("  authorizer     {name}{about}")));
    }
    if !m.authorization_scopes.is_empty() {
        out.push(line(
            Tone::Plain,
            format!("  scopes         {}", m.authorization_scopes.join(", ")),
        ));
    }
    out.push(line(
        Tone::Plain,
        format!(
            "  API key        {}",
            if m.api_key_required {
                "required (x-api-key)"
            } else {
                "not required"
            }
        ),
    ));
    let params = request_parameters(m);
    out.push(line(
        Tone::Plain,
        format!(
            "  parameters     {}",
            if params.is_empty() {
                // An export's `parameters`; the SDK reader does not carry them.
                "none in the configuration read".to_string()
            } else {
                params.join(", ")
            }
        ),
    ));
}

/// The declared request parameters (`in name`, `*` when required), from the operation's
/// `parameters`.
fn request_parameters(m: &Method) -> Vec<String> {
    let Some(list) = m.extra.get("parameters").and_then(|v| v.as_array()) else {
        return Vec::new();
    };
    list.iter()
        .take(32)
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let place = p.get("in").and_then(|v| v.as_str()).unwrap_or("?");
            let required = p
                .get("required")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false);
            Some(format!("{place} {name}{}", if required { "*" } else { "" }))
        })
        .collect()
}

fn integration(out: &mut Vec<DetailLine>, kind: ApiKind, m: &Method) {
    out.push(line(Tone::Heading, "Integration"));
    let Some(i) = &m.integration else {
        out.push(line(Tone::Bad, "  none: API Gateway answers 500"));
        return;
    };
    let mut head = format!("  type           {}", i.kind.as_str());
    if let Some(v) = &i.http_method {
        head.push_str(&format!(" ({v})"));
    }
    out.push(line(Tone::Plain, head));
    if let Some(uri) = &i.uri {
        out.push(line(
            Tone::Plain,
            format!("  uri            {}", crate::redact::url(uri)),
        ));
    }
    if kind == ApiKind::Rest && !i.kind.is_proxy() {
        out.push(line(
            Tone::Plain,
            format!(
                "  passthrough    {}",
                i.passthrough_behavior
                    .as_deref()
                    .unwrap_or("WHEN_NO_MATCH (default)")
            ),
        ));
    }
    if let Some(v) = &i.payload_format_version {
        out.push(line(Tone::Plain, format!("  payload format {v}")));
    }
    if i.kind.is_proxy() {
        out.push(line(
            Tone::Dim,
            "  proxy: the backend's headers pass through (no integration response)",
        ));
    }
}

/// Method responses beside integration responses: per status, each header declared, mapped
/// or both.
fn responses(out: &mut Vec<DetailLine>, m: &Method) {
    out.push(line(
        Tone::Heading,
        "Method responses and integration responses",
    ));
    out.push(line(
        Tone::Dim,
        format!(
            "    {:<34} {:<8} mapped by the integration",
            "header", "declared"
        ),
    ));
    let proxy = m.is_proxy();
    let integration = m.integration.as_ref();
    let mut statuses: Vec<String> = m.responses.iter().map(|r| r.status_code.clone()).collect();
    if let Some(i) = integration {
        for r in &i.responses {
            if !statuses.contains(&r.status_code) {
                statuses.push(r.status_code.clone());
            }
        }
    }
    if statuses.is_empty() {
        out.push(line(
            Tone::Dim,
            if proxy {
                "  none (a proxy answers with the backend's status and headers)"
            } else {
                "  none declared"
            },
        ));
        return;
    }
    for status in statuses.iter().take(16) {
        let declared = m.response(status);
        let mapped: Vec<_> = integration
            .map(|i| {
                i.responses
                    .iter()
                    .filter(|r| &r.status_code == status)
                    .collect()
            })
            .unwrap_or_default();
        let patterns: Vec<String> = mapped
            .iter()
            .map(|r| format!("'{}'", r.selection_pattern))
            .collect();
        out.push(line(
            Tone::Plain,
            format!(
                "  {status}{}{}",
                if declared.is_none() {
                    "  (no method response)"
                } else {
                    ""
                },
                if patterns.is_empty() {
                    if proxy {
                        String::new()
                    } else {
                        "  (no integration response)".to_string()
                    }
                } else {
                    format!("  pattern {}", patterns.join(", "))
                }
            ),
        ));
        let mut names: Vec<String> = declared.map(|d| d.headers.clone()).unwrap_or_default();
        for r in &mapped {
            for k in r.response_parameters.keys() {
                if let Some(h) = k.strip_prefix("method.response.header.") {
                    if !names.iter().any(|n| n.eq_ignore_ascii_case(h)) {
                        names.push(h.to_string());
                    }
                }
            }
        }
        for h in names.iter().take(24) {
            let is_declared = declared.is_some_and(|d| d.declares(h));
            let value = mapped.iter().find_map(|r| r.mapped_header(h));
            let (tone, mapped_text) = match (is_declared, value) {
                (true, Some(v)) => (Tone::Good, v.to_string()),
                (true, None) if proxy => (Tone::Dim, "(from the backend)".to_string()),
                (true, None) => (Tone::Bad, "✘ not mapped: never sent".to_string()),
                (false, Some(v)) => (Tone::Bad, format!("{v}  ✘ not declared")),
                (false, None) => (Tone::Dim, "-".to_string()),
            };
            out.push(line(
                tone,
                format!(
                    "    {:<34} {:<8} {mapped_text}",
                    shorten(h, 34),
                    if is_declared { "✔" } else { "✘" }
                ),
            ));
        }
    }
}

fn shorten(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let cut: String = s.chars().take(w.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// An HTTP API's CORS configuration (it answers preflights itself when set).
fn http_cors(out: &mut Vec<DetailLine>, api: &Api) {
    out.push(line(Tone::Heading, "CORS configuration (API-wide)"));
    let Some(c) = &api.cors else {
        out.push(line(
            Tone::Dim,
            "  none: OPTIONS goes to the routes like any method",
        ));
        return;
    };
    let list = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    out.push(line(
        Tone::Plain,
        format!("  origins        {}", list(&c.allow_origins)),
    ));
    out.push(line(
        Tone::Plain,
        format!("  methods        {}", list(&c.allow_methods)),
    ));
    out.push(line(
        Tone::Plain,
        format!("  headers        {}", list(&c.allow_headers)),
    ));
    if c.allow_credentials == Some(true) {
        out.push(line(Tone::Plain, "  credentials    true"));
    }
}

/// What the browser's preflight for `m` gets, and what the request itself then gets, as
/// predicted from the configuration (the rules' request, the offline prediction).
fn preflight(
    out: &mut Vec<DetailLine>,
    api: &Arc<Api>,
    stage: Option<&str>,
    resource: &Resource,
    m: &Method,
    origin: &str,
) {
    out.push(line(
        Tone::Heading,
        format!(
            "Preflight for {} (predicted, origin {origin})",
            m.http_method
        ),
    ));
    let Some(target) = crate::rules::synthesize(api, stage, resource, m, origin) else {
        out.push(line(Tone::Dim, "  no request can be made for this path"));
        return;
    };
    let concrete = crate::rules::concrete_path(&resource.path);
    let (exchanges, diagnosis) = crate::rules::diagnose_request(
        api,
        stage,
        &concrete,
        &target,
        None,
        crate::cors::Mode::default(),
    );
    let pre = exchanges.iter().find(|x| x.kind == ExchangeKind::Preflight);
    match pre {
        None => out.push(line(
            Tone::Dim,
            format!(
                "  none: {} {} is a simple request (no preflight)",
                target.method, concrete
            ),
        )),
        Some(x) => {
            let asks: Vec<String> = x
                .request
                .headers
                .iter()
                .filter(|(n, _)| {
                    n.to_ascii_lowercase()
                        .starts_with("access-control-request-")
                })
                .map(|(n, v)| format!("{n}: {v}"))
                .collect();
            out.push(line(
                Tone::Dim,
                format!("  OPTIONS {concrete}  {}", asks.join(" · ")),
            ));
            answer(out, x.response.as_ref());
        }
    }
    if let Some(actual) = exchanges.iter().find(|x| x.kind == ExchangeKind::Actual) {
        out.push(line(
            Tone::Dim,
            format!("  then {} {concrete}", target.method),
        ));
        answer(out, actual.response.as_ref());
    }
    match diagnosis.first_failing() {
        Some(step) => {
            let why = step
                .findings
                .first()
                .map_or(step.summary.as_str(), |f| f.message.as_str());
            out.push(line(
                Tone::Bad,
                format!("  ✘ step {} {}: {why}", step.number, step.title),
            ));
        }
        None => out.push(line(
            Tone::Good,
            "  ✔ the browser would allow it (a proxy backend's headers assumed correct)",
        )),
    }
}

fn answer(out: &mut Vec<DetailLine>, response: Option<&crate::exchange::RecordedResponse>) {
    let Some(r) = response else {
        out.push(line(Tone::Bad, "    → no answer"));
        return;
    };
    let tone = if (200..300).contains(&r.status) {
        Tone::Good
    } else {
        Tone::Bad
    };
    out.push(line(tone, format!("    → {}", r.status)));
    let mut any = false;
    for (n, v) in r.headers.iter() {
        let lower = n.to_ascii_lowercase();
        if lower.starts_with("access-control-") || lower == "x-amzn-errortype" {
            any = true;
            out.push(line(Tone::Plain, format!("      {n}: {v}")));
        }
    }
    if !any {
        out.push(line(Tone::Bad, "      no Access-Control-* header"));
    }
}
