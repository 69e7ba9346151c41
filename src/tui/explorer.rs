//! The API explorer's model: the resources (REST) or routes (HTTP) of the API a run loaded,
//! one row per resource and one per method, each with its auth, integration and CORS
//! readiness. Built once when the configuration arrives (never per frame); filtered into a
//! list of row indices when the filter changes; the view draws only the visible slice.

use std::collections::HashMap;

use crate::gateway::behavior;
use crate::gateway::inspect;
use crate::gateway::model::{
    Api, ApiKind, AuthorizationType, Method, Resource, Served, DEFAULT_ROUTE, DEFAULT_STAGE,
};
use crate::plan::{Plan, TargetArgs};

/// How ready a resource or method is for a browser's cross-origin request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Nothing in the configuration stands in the way.
    Ok,
    /// Depends on something the configuration cannot show (a proxy backend's headers).
    Depends,
    /// The configuration blocks the browser.
    Bad,
    /// Not applicable (the OPTIONS method itself, described on its resource's row).
    Info,
}

impl Level {
    pub fn mark(self) -> &'static str {
        match self {
            Level::Ok => "✔",
            Level::Depends => "~",
            Level::Bad => "✘",
            Level::Info => "·",
        }
    }
}

/// One line of the explorer: a resource (`method: None`) or one of its methods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Index into [`ApiTree::resources`].
    pub resource: u32,
    /// `GET`, `OPTIONS`, `ANY`; `None` on the resource's own row.
    pub method: Option<String>,
    /// `none`, `IAM`, `Cognito`, `Lambda`, `JWT`, with `+key` when an API key is required.
    pub auth: String,
    /// `MOCK`, `AWS_PROXY`, … or `-`.
    pub integration: String,
    pub level: Level,
    /// The CORS readiness in a few words.
    pub cors: String,
    /// Lowercased text the filter matches against.
    key: String,
}

/// The explorer's model of one API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTree {
    pub name: String,
    pub kind: ApiKind,
    pub stage: Option<String>,
    /// The resource path below the stage that the run's request went to.
    pub located_path: String,
    /// Template paths, in document order.
    pub resources: Vec<String>,
    /// Resources and their methods, flattened: each resource row is followed by its methods.
    pub rows: Vec<Row>,
    /// The row of the method under diagnosis, if it is in the API.
    pub current: Option<u32>,
    pub method_count: usize,
}

impl ApiTree {
    /// Builds the rows of `api` as `stage` serves it. O(resources + methods).
    pub fn new(api: &Api, stage: Option<&str>, located_path: &str, method: &str) -> ApiTree {
        let served = api.served(stage);
        let deployed: HashMap<&str, &Resource> = served
            .resources
            .iter()
            .map(|r| (r.path.as_str(), r))
            .collect();
        let stage_name = served.stage.map(|s| s.name.clone());
        let ctx = Ctx {
            served: &served,
            deployed: &deployed,
            stage: stage_name.as_deref(),
        };
        let mut rows = Vec::new();
        let mut resources = Vec::with_capacity(api.resources.len());
        let mut method_count = 0;
        for (i, r) in api.resources.iter().enumerate() {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            resources.push(r.path.clone());
            let (level, cors) = match api.kind {
                ApiKind::Rest => rest_preflight(&ctx, r),
                ApiKind::Http => http_preflight(&ctx, r),
            };
            let path_key = r.path.to_lowercase();
            rows.push(Row {
                resource: index,
                method: None,
                auth: String::new(),
                integration: String::new(),
                level,
                key: format!("{path_key} {}", cors.to_lowercase()),
                cors,
            });
            for m in &r.methods {
                method_count += 1;
                let (level, cors) = match api.kind {
                    ApiKind::Rest => rest_method(&ctx, r, m),
                    ApiKind::Http => http_method(&ctx, m),
                };
                let auth = auth_label(m);
                let integration = m
                    .integration
                    .as_ref()
                    .map_or("-", |i| i.kind.as_str())
                    .to_string();
                rows.push(Row {
                    resource: index,
                    key: format!(
                        "{path_key} {} {} {} {}",
                        m.http_method.to_lowercase(),
                        auth.to_lowercase(),
                        integration.to_lowercase(),
                        cors.to_lowercase()
                    ),
                    method: Some(m.http_method.clone()),
                    auth,
                    integration,
                    level,
                    cors,
                });
            }
        }
        let current = current_row(api, stage, located_path, method, &rows);
        ApiTree {
            name: api.name.clone(),
            kind: api.kind,
            stage: stage.map(str::to_string),
            located_path: located_path.to_string(),
            resources,
            rows,
            current,
            method_count,
        }
    }

    pub fn path_of(&self, row: &Row) -> &str {
        self.resources
            .get(row.resource as usize)
            .map_or("", String::as_str)
    }

    /// The rows that match `query` (whitespace-separated words, all of which must appear,
    /// case-insensitive). A resource that matches shows all its methods; a method that matches
    /// shows its resource too, so the tree stays readable.
    pub fn filter(&self, query: &str) -> Vec<u32> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        let all = |row: &Row| words.iter().all(|w| row.key.contains(w.as_str()));
        let mut out = Vec::with_capacity(if words.is_empty() {
            self.rows.len()
        } else {
            64
        });
        let mut start = 0;
        while start < self.rows.len() {
            let res = self.rows[start].resource;
            let end = self.rows[start..]
                .iter()
                .position(|r| r.resource != res)
                .map_or(self.rows.len(), |n| start + n);
            let group = start..end;
            let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
            if words.is_empty() || all(&self.rows[start]) {
                out.extend(group.map(index));
            } else {
                let matching: Vec<u32> = group
                    .clone()
                    .skip(1)
                    .filter(|&i| all(&self.rows[i]))
                    .map(index)
                    .collect();
                if !matching.is_empty() {
                    out.push(index(start));
                    out.extend(matching);
                }
            }
            start = end;
        }
        out
    }

    /// The plan that diagnoses `row`: the same origin, headers, credentials and settings; the
    /// method of the row (a resource row, `OPTIONS` or `ANY`: the current method when the
    /// resource answers it, else its first method); the path with its parameters filled
    /// with `1`. A live plan keeps the URL's base and stage prefix; an offline one sets
    /// `--path`.
    pub fn plan_for(
        &self,
        row: &Row,
        plan: &Plan,
        args: &TargetArgs,
    ) -> Result<(Plan, TargetArgs), String> {
        let template = self.path_of(row);
        let current = plan.target.method.to_ascii_uppercase();
        let methods: Vec<&str> = self
            .rows
            .iter()
            .filter(|r| r.resource == row.resource)
            .filter_map(|r| r.method.as_deref())
            .collect();
        let verb = match row.method.as_deref() {
            Some(m) if m != "OPTIONS" && m != "ANY" => m.to_string(),
            _ => {
                let answers = |v: &str| methods.iter().any(|m| *m == v || *m == "ANY");
                if current != "OPTIONS" && answers(&current) {
                    current.clone()
                } else {
                    methods
                        .iter()
                        .find(|m| **m != "OPTIONS" && **m != "ANY")
                        .map_or_else(|| current.clone(), |m| m.to_string())
                }
            }
        };
        let concrete = if template == DEFAULT_ROUTE {
            self.located_path.clone()
        } else {
            fill_params(template)
        };
        let mut url = plan.target.url.clone();
        let url_path = url.path().to_string();
        let prefix = stage_prefix(&url_path, &self.located_path, self.stage.as_deref());
        url.set_path(&format!("{prefix}{concrete}"));
        url.set_query(None);
        url.set_fragment(None);

        let mut next = plan.clone();
        next.target.url = url.clone();
        next.target.method = verb.clone();
        if matches!(verb.as_str(), "GET" | "HEAD") {
            next.target.body = None;
        }
        let mut next_args = args.clone();
        next_args.method = Some(verb);
        if plan.live {
            next_args.url = Some(url.to_string());
        } else {
            next.path = Some(concrete.clone());
            next_args.path = Some(concrete);
        }
        if next.target.body.is_none() {
            next_args.body = None;
        }
        Ok((next, next_args))
    }
}

/// `/items/{id}/{proxy+}` → `/items/1/1`.
pub fn fill_params(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => in_param = true,
            '}' if in_param => {
                in_param = false;
                out.push('1');
            }
            _ if in_param => {}
            c => out.push(c),
        }
    }
    out
}

/// What comes before the resource path in the URL: the URL's path minus the path the run's
/// request landed on (`/prod/items` − `/items` = `/prod`), else `/stage`.
fn stage_prefix(url_path: &str, located: &str, stage: Option<&str>) -> String {
    let trimmed_url = url_path.trim_end_matches('/');
    let trimmed_located = located.trim_end_matches('/');
    if let Some(prefix) = trimmed_url.strip_suffix(trimmed_located) {
        return prefix.to_string();
    }
    match stage {
        Some(s) if s != DEFAULT_STAGE => format!("/{s}"),
        _ => String::new(),
    }
}

fn current_row(
    api: &Api,
    stage: Option<&str>,
    path: &str,
    method: &str,
    rows: &[Row],
) -> Option<u32> {
    let facts = crate::gateway::inspect::facts(api, stage, path, method);
    let resource_path = facts.resource?.path;
    let resource = api.resources.iter().position(|r| r.path == resource_path)?;
    let resource = u32::try_from(resource).ok()?;
    let verb = method.to_ascii_uppercase();
    let pos = rows
        .iter()
        .position(|r| r.resource == resource && r.method.as_deref() == Some(verb.as_str()))
        .or_else(|| {
            rows.iter()
                .position(|r| r.resource == resource && r.method.as_deref() == Some("ANY"))
        })
        .or_else(|| rows.iter().position(|r| r.resource == resource))?;
    u32::try_from(pos).ok()
}

struct Ctx<'a> {
    served: &'a Served<'a>,
    deployed: &'a HashMap<&'a str, &'a Resource>,
    stage: Option<&'a str>,
}

impl Ctx<'_> {
    /// Is `verb` on `path` in what the stage serves? (Always, without a stage.)
    fn is_deployed(&self, path: &str, verb: &str) -> bool {
        self.deployed
            .get(path)
            .is_some_and(|r| r.method(verb).is_some())
    }
}

fn auth_label(m: &Method) -> String {
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

fn rest_preflight(ctx: &Ctx<'_>, r: &Resource) -> (Level, String) {
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

fn rest_method(ctx: &Ctx<'_>, r: &Resource, m: &Method) -> (Level, String) {
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

fn http_preflight(ctx: &Ctx<'_>, r: &Resource) -> (Level, String) {
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

fn http_method(ctx: &Ctx<'_>, m: &Method) -> (Level, String) {
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::gateway::scenario::Scenario;

    fn tree(name: &str) -> ApiTree {
        let s = Scenario::by_name(name).unwrap();
        ApiTree::new(
            &s.api,
            Some(s.stage()),
            &s.spec.request.path,
            &s.spec.request.method,
        )
    }

    fn row<'a>(t: &'a ApiTree, path: &str, method: Option<&str>) -> &'a Row {
        t.rows
            .iter()
            .find(|r| t.path_of(r) == path && r.method.as_deref() == method)
            .unwrap()
    }

    #[test]
    fn readiness_follows_the_configuration() {
        let t = tree("options-cognito-authorizer");
        let r = row(&t, "/profile", None);
        assert_eq!(r.level, Level::Bad);
        assert!(r.cors.contains("Cognito"), "{}", r.cors);
        assert_eq!(row(&t, "/profile", Some("OPTIONS")).auth, "Cognito");

        let t = tree("header-declared-not-mapped");
        let r = row(&t, "/settings", None);
        assert_eq!(r.level, Level::Bad, "{}", r.cors);
        assert!(r.cors.contains("declared, not mapped"), "{}", r.cors);

        let t = tree("rest-healthy");
        assert_eq!(row(&t, "/bookings", None).level, Level::Ok);
        assert_eq!(row(&t, "/bookings", Some("GET")).level, Level::Depends);

        let t = tree("http-api-default-route-jwt");
        let r = row(&t, DEFAULT_ROUTE, None);
        assert_eq!(r.level, Level::Bad, "{}", r.cors);
        assert!(r.cors.contains("JWT"), "{}", r.cors);

        let t = tree("http-api-healthy");
        assert_eq!(row(&t, "/tasks", None).level, Level::Ok);
        assert!(t.current.is_some());
    }

    /// The explorer and step 5 share one answer to "is this CORS header sent": a default
    /// integration response of another status does not make a 200's header mapped.
    #[test]
    fn the_explorer_and_the_diagnosis_agree_on_which_headers_are_sent() {
        let doc = serde_json::json!({
          "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
          "paths": { "/items": { "get": {
            "responses": { "200": { "description": "ok", "headers": {
                "Access-Control-Allow-Origin": { "schema": { "type": "string" } } } } },
            "x-amazon-apigateway-integration": { "type": "mock",
              "requestTemplates": { "application/json": "{\"statusCode\": 200}" },
              "responses": {
                "default": { "statusCode": "400", "responseParameters": {
                    "method.response.header.Access-Control-Allow-Origin": "'*'" } },
                "2\\d{2}": { "statusCode": "200" } } } } } }
        });
        let api = crate::gateway::openapi::import(&doc).unwrap();
        let t = ApiTree::new(&api, None, "/items", "GET");
        let get = row(&t, "/items", Some("GET"));
        let facts = inspect::facts(&api, None, "/items", "GET");
        let acao = facts.rest.unwrap().actual.unwrap();
        let acao = acao.cors_header("Access-Control-Allow-Origin").unwrap();
        assert!(acao.declared && acao.mapped.is_none());
        assert_eq!(get.level, Level::Bad, "{}", get.cors);
        assert!(get.cors.contains("declared, not mapped"), "{}", get.cors);
    }

    #[test]
    fn an_authorized_catch_all_route_is_bad_even_with_cors_configured() {
        let t = tree("http-api-default-route-jwt-cors");
        let r = row(&t, DEFAULT_ROUTE, None);
        assert_eq!(r.level, Level::Bad, "{}", r.cors);
        assert!(
            r.cors.contains("despite the cors_configuration"),
            "{}",
            r.cors
        );
        let t = tree("http-api-any-proxy-jwt");
        let r = row(&t, "/{proxy+}", None);
        assert_eq!(r.level, Level::Bad, "{}", r.cors);
    }

    #[test]
    fn the_filter_keeps_the_tree_readable() {
        let t = tree("rest-healthy");
        let all = t.filter("");
        assert_eq!(all.len(), t.rows.len());
        // A method match brings its resource row along.
        let rows: Vec<&Row> = t
            .filter("{id} get")
            .iter()
            .map(|&i| &t.rows[i as usize])
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].method, None);
        assert_eq!(rows[1].method.as_deref(), Some("GET"));
        // A resource match shows all its methods.
        assert_eq!(t.filter("/bookings/{id}").len(), 3);
        assert!(t.filter("nothing-like-this").is_empty());
    }

    #[test]
    fn params_are_filled() {
        assert_eq!(fill_params("/items/{id}/x/{proxy+}"), "/items/1/x/1");
        assert_eq!(fill_params("/"), "/");
    }

    #[test]
    fn the_stage_prefix_comes_from_the_url() {
        assert_eq!(stage_prefix("/prod/items", "/items", Some("prod")), "/prod");
        assert_eq!(stage_prefix("/items", "/items", Some("$default")), "");
        assert_eq!(stage_prefix("/v1/base/items", "/items", None), "/v1/base");
        assert_eq!(stage_prefix("/prod/", "/", Some("prod")), "/prod");
        assert_eq!(stage_prefix("/other", "/items", Some("dev")), "/dev");
    }
}
