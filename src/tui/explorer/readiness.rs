//! How ready a resource or method is for a browser's cross-origin request, judged from the
//! configuration: the preflight and the actual method, for REST and HTTP APIs.

use std::collections::HashMap;

use super::{fill_params, Level};
use crate::gateway::behavior;
use crate::gateway::inspect;
use crate::gateway::model::{AuthorizationType, Method, Resource, Served, DEFAULT_ROUTE};

pub(super) struct Ctx<'a> {
    pub(super) served: &'a Served<'a>,
    pub(super) deployed: &'a HashMap<&'a str, &'a Resource>,
    pub(super) stage: Option<&'a str>,
}

impl Ctx<'_> {
    /// Is `verb` on `path` in what the stage serves? (Always, without a stage.)
    fn is_deployed(&self, path: &str, verb: &str) -> bool {
        self.deployed
            .get(path)
            .is_some_and(|r| r.method(verb).is_some())
    }
}

pub(super) fn auth_label(m: &Method) -> String {
    let base = match m.authorization {
        AuthorizationType::None => "none",
        AuthorizationType::AwsIam => "IAM",
        AuthorizationType::CognitoUserPools => "Cognito",
        AuthorizationType::Custom => "Lambda",
        AuthorizationType::Jwt => "JWT",
    };
    if m.api_key_required {
        format!("{base}+key")
    } else {
        base.to_string()
    }
}

/// `None` when API Gateway sends `header` from `m` (declared and mapped), else the problem in
/// a few words. One implementation with the diagnosis: [`inspect::cors_header_facts`].
fn header_problem(m: &Method, header: &str, short: &str) -> Option<String> {
    let facts = inspect::cors_header_facts(m);
    let h = facts
        .iter()
        .find(|h| h.header.eq_ignore_ascii_case(header))?;
    match (h.declared, h.mapped.is_some()) {
        (true, true) => None,
        (true, false) => Some(format!("{short} declared, not mapped")),
        (false, true) => Some(format!("{short} mapped, not declared")),
        (false, false) => Some(format!("no {short}")),
    }
}

pub(super) fn rest_preflight(ctx: &Ctx<'_>, r: &Resource) -> (Level, String) {
    let Some(options) = r.method("OPTIONS") else {
        if r.method("ANY").is_some() {
            return (
                Level::Depends,
                "OPTIONS via ANY: the backend must answer preflights".into(),
            );
        }
        return (Level::Bad, "no OPTIONS: preflights get 403".into());
    };
    if !ctx.is_deployed(&r.path, "OPTIONS") {
        return (
            Level::Bad,
            format!(
                "OPTIONS not deployed to {}",
                ctx.stage.unwrap_or("the stage")
            ),
        );
    }
    if options.authorization != AuthorizationType::None {
        return (
            Level::Bad,
            format!(
                "OPTIONS requires {} auth: preflights get 401/403",
                auth_label(options)
            ),
        );
    }
    if options.api_key_required {
        return (
            Level::Bad,
            "OPTIONS requires an API key: preflights get 403".into(),
        );
    }
    if options.is_proxy() {
        return (
            Level::Depends,
            "OPTIONS is a proxy: the backend answers preflights".into(),
        );
    }
    let problems: Vec<String> = [
        ("Access-Control-Allow-Origin", "Allow-Origin"),
        ("Access-Control-Allow-Methods", "Allow-Methods"),
        ("Access-Control-Allow-Headers", "Allow-Headers"),
    ]
    .iter()
    .filter_map(|(h, short)| header_problem(options, h, short))
    .collect();
    if problems.is_empty() {
        (
            Level::Ok,
            "preflight ready: OPTIONS open, deployed, Allow-* declared+mapped".into(),
        )
    } else {
        (Level::Bad, format!("OPTIONS: {}", problems.join(", ")))
    }
}

pub(super) fn rest_method(ctx: &Ctx<'_>, r: &Resource, m: &Method) -> (Level, String) {
    if m.http_method == "OPTIONS" {
        return (
            Level::Info,
            "the preflight method (see the resource)".into(),
        );
    }
    if !ctx.is_deployed(&r.path, &m.http_method) {
        return (
            Level::Bad,
            format!("not deployed to {}", ctx.stage.unwrap_or("the stage")),
        );
    }
    let Some(integration) = &m.integration else {
        return (Level::Bad, "no integration".into());
    };
    if integration.kind.is_proxy() {
        return (
            Level::Depends,
            "proxy: the backend must send Allow-Origin".into(),
        );
    }
    match header_problem(m, "Access-Control-Allow-Origin", "Allow-Origin") {
        None => (Level::Ok, "Allow-Origin declared+mapped".into()),
        Some(p) => (Level::Bad, p),
    }
}

pub(super) fn http_preflight(ctx: &Ctx<'_>, r: &Resource) -> (Level, String) {
    // The route a preflight on this path reaches, by the behaviour model's rule: an
    // authorized one rejects it even with a cors_configuration.
    let route = if r.path == DEFAULT_ROUTE {
        r.method("ANY").map(|m| (DEFAULT_ROUTE.to_string(), m))
    } else {
        behavior::preflight_route(ctx.served.resources, &fill_params(&r.path)).map(|(res, m, _)| {
            let key = if res.path == DEFAULT_ROUTE {
                DEFAULT_ROUTE.to_string()
            } else {
                format!("{} {}", m.http_method, res.path)
            };
            (key, m)
        })
    };
    match (ctx.served.cors, route) {
        (cors, Some((key, m))) if behavior::preflight_blocked_by(m) => (
            Level::Bad,
            format!(
                "OPTIONS → {key}, which requires {}: preflights get 401{}",
                auth_label(m),
                if cors.is_some() {
                    " despite the cors_configuration"
                } else {
                    ""
                }
            ),
        ),
        (Some(cors), _) => {
            let origins = if cors.allow_origins.is_empty() {
                "no origins".to_string()
            } else {
                cors.allow_origins.join(" ")
            };
            (
                Level::Ok,
                format!("cors_configuration answers preflights ({origins})"),
            )
        }
        (None, None) => (
            Level::Bad,
            "no cors_configuration, no OPTIONS route: preflights get 404".into(),
        ),
        (None, Some((key, _))) => (
            Level::Depends,
            format!("OPTIONS → {key}: the integration must answer preflights"),
        ),
    }
}

pub(super) fn http_method(ctx: &Ctx<'_>, m: &Method) -> (Level, String) {
    if ctx.served.cors.is_some() {
        return (Level::Ok, "cors_configuration adds the CORS headers".into());
    }
    if m.http_method == "OPTIONS" {
        return (Level::Info, "the preflight route (see the path)".into());
    }
    if m.integration.is_none() {
        return (Level::Bad, "no integration".into());
    }
    (
        Level::Depends,
        "the integration must send Allow-Origin".into(),
    )
}
