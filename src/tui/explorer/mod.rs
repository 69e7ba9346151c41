//! The API explorer's model: the resources (REST) or routes (HTTP) of the API a run loaded,
//! one row per resource and one per method, each with its auth, integration and CORS
//! readiness. Built once when the configuration arrives (never per frame); filtered into a
//! list of row indices when the filter changes; the view draws only the visible slice.

pub mod detail;
mod readiness;

use std::collections::HashMap;

use crate::gateway::model::{Api, ApiKind, Resource, DEFAULT_ROUTE, DEFAULT_STAGE};
use crate::plan::{Plan, TargetArgs};
use readiness::{auth_label, http_method, http_preflight, rest_method, rest_preflight, Ctx};

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
    /// Cannot fail: every row has a path and a method to send (no `Result` to cross the
    /// module boundary).
    pub fn plan_for(&self, row: &Row, plan: &Plan, args: &TargetArgs) -> (Plan, TargetArgs) {
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
        (next, next_args)
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

#[cfg(test)]
mod tests;
