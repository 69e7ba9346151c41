//! An API reduced to what a route's diagnosis can read: the API-wide settings (the skeleton)
//! plus the resources whose template can match the route's path, so that a route's
//! diagnosis does not walk every resource of a large API.

use crate::gateway::model::{Api, Resource, DEFAULT_ROUTE};

/// `api` without resources (working copy and deployment snapshots), sources and unresolved
/// values ([`reduced`] puts back those a route can need).
pub(super) fn skeleton(api: &Api) -> Api {
    let mut s = api.clone();
    s.resources = Vec::new();
    s.sources = Vec::new();
    s.unresolved = Vec::new();
    for d in &mut s.deployments {
        if let Some(snap) = &mut d.snapshot {
            snap.resources = Vec::new();
        }
    }
    s
}

/// The skeleton plus the resources (of the working copy and of each snapshot) whose template
/// matches `path`, and any `$default` route: all that routing a request to `path` can select.
pub(super) fn reduced(skeleton: &Api, api: &Api, templates: &Templates, path: &str) -> Api {
    let path_segments = segments(path);
    let keep = |rs: &[Resource], split: &[Vec<&str>]| -> Vec<Resource> {
        rs.iter()
            .zip(split)
            .filter(|(r, t)| r.path == DEFAULT_ROUTE || template_matches(t, &path_segments))
            .map(|(r, _)| r.clone())
            .collect()
    };
    let mut out = skeleton.clone();
    out.resources = keep(&api.resources, &templates.working);
    for ((d, full), split) in out
        .deployments
        .iter_mut()
        .zip(&api.deployments)
        .zip(&templates.snapshots)
    {
        if let (Some(snap), Some(full)) = (d.snapshot.as_mut(), full.snapshot.as_ref()) {
            snap.resources = keep(&full.resources, split);
        }
    }
    // The unresolved values a diagnosis of `path` can name (`inspect::missing_values`): those
    // of a route among the kept resources, of an authorizer, or API-wide. The others (a route
    // elsewhere, or nothing a step needs) would be passed over for every route.
    let kept = |p: &str| {
        out.resources.iter().any(|r| r.path == p)
            || out
                .deployments
                .iter()
                .filter_map(|d| d.snapshot.as_ref())
                .any(|s| s.resources.iter().any(|r| r.path == p))
    };
    let unresolved: Vec<_> = api
        .unresolved
        .iter()
        .filter(|u| {
            u.needed
                .as_ref()
                .is_some_and(|n| n.route.as_ref().is_none_or(|(p, _)| kept(p)))
        })
        .cloned()
        .collect();
    out.unresolved = unresolved;
    out
}

/// The path templates of an API's resources split into segments once (the working copy's,
/// and each deployment snapshot's), for [`reduced`].
pub(super) struct Templates<'a> {
    working: Vec<Vec<&'a str>>,
    snapshots: Vec<Vec<Vec<&'a str>>>,
}

impl<'a> Templates<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        let split = |rs: &'a [Resource]| -> Vec<Vec<&'a str>> {
            rs.iter().map(|r| segments(&r.path)).collect()
        };
        Templates {
            working: split(&api.resources),
            snapshots: api
                .deployments
                .iter()
                .map(|d| {
                    d.snapshot
                        .as_ref()
                        .map(|s| split(&s.resources))
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

/// A path's non-empty segments (as routing splits them).
fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// [`behavior::match_template`]`(template, path).is_some()` on split paths, without building
/// the parameters: the last segment `{name+}` takes one or more segments, `{name}` any one,
/// a literal itself. (A `$default` template is never matched here; callers keep it apart.)
fn template_matches(template: &[&str], path: &[&str]) -> bool {
    for (i, seg) in template.iter().enumerate() {
        if seg.starts_with('{') && seg.ends_with("+}") && seg.len() >= 3 {
            return i == template.len() - 1 && path.len() > i;
        }
        let Some(actual) = path.get(i) else {
            return false;
        };
        let param = seg.starts_with('{') && seg.ends_with('}') && seg.len() >= 2;
        if !param && seg != actual {
            return false;
        }
    }
    template.len() == path.len()
}
