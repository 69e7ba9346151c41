//! The guard rails of `fix --yes`, checked for every change before anything is written:
//! - authorization, an API key requirement or throttling is never removed or loosened on
//!   anything but the `OPTIONS` method / the `OPTIONS …` route that answers the browser's
//!   preflight (the change types allow nothing else; the route's key is checked as read);
//! - only CORS response headers are declared or mapped;
//! - `Access-Control-Allow-Origin` (or an HTTP API's `AllowOrigins`) allows exactly the origin
//!   under diagnosis or one of the configured `[fix] allowed_origins`, never `*` unless the
//!   user passes `--allow-any-origin`, and never `*` with credentials (browsers refuse it:
//!   <https://fetch.spec.whatwg.org/#cors-protocol-and-credentials>);
//! - an API whose tags say CloudFormation (`aws:cloudformation:stack-name`, which
//!   CloudFormation adds to the resources it creates:
//!   <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-resource-tags.html>)
//!   or Terraform manages it is not changed without `--force`: the next deploy would undo
//!   the change (drift).
//!
//! Choice left open by the documentation: Terraform adds no tag of its own; a tag whose key
//! or value names Terraform (`ManagedBy = "terraform"`, `terraform = "true"`, the
//! `default_tags` convention most modules follow) is taken as the sign.

use std::collections::HashMap;

use crate::gateway::change::{Change, ChangeSet, HeaderValue};
use crate::gateway::model::CorsConfiguration;

/// What the user allowed.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// The origin under diagnosis.
    pub origin: String,
    /// More origins a fix may allow (`[fix] allowed_origins` in the config file).
    pub allowed_origins: Vec<String>,
    /// `--allow-any-origin`.
    pub allow_any_origin: bool,
    /// The request sends credentials (`--credentials include`).
    pub credentials: bool,
}

impl Policy {
    fn origin_ok(&self, value: &str) -> Result<(), String> {
        let value = value.trim();
        if value == "*" {
            if self.credentials {
                return Err("it would allow any origin (*) on a request with credentials, which browsers refuse and which would expose credentialed responses to every site".into());
            }
            if !self.allow_any_origin {
                return Err("it would allow any origin (*); pass --allow-any-origin if every site may call this API".into());
            }
            return Ok(());
        }
        if value.eq_ignore_ascii_case(&self.origin)
            || self
                .allowed_origins
                .iter()
                .any(|o| o.eq_ignore_ascii_case(value))
        {
            return Ok(());
        }
        Err(format!(
            "it would allow the origin {value}, which is neither the origin under diagnosis ({}) nor in [fix] allowed_origins",
            self.origin
        ))
    }
}

fn is_cors_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("access-control-") || n == "vary"
}

fn headers_ok(what: &str, headers: &[HeaderValue], policy: &Policy, out: &mut Vec<String>) {
    let credentials = policy.credentials
        || headers.iter().any(|h| {
            h.name
                .eq_ignore_ascii_case("access-control-allow-credentials")
                && h.value.trim().eq_ignore_ascii_case("true")
        });
    let policy = Policy {
        credentials,
        ..policy.clone()
    };
    for h in headers {
        if !is_cors_header(&h.name) {
            out.push(format!(
                "{what}: {} is not a CORS header; a fix only sets Access-Control-* headers",
                h.name
            ));
        } else if h.name.eq_ignore_ascii_case("access-control-allow-origin") {
            if let Err(e) = policy.origin_ok(&h.value) {
                out.push(format!("{what}: {e}"));
            }
        }
        if h.value.contains('\'') {
            out.push(format!(
                "{what}: the value of {} holds a single quote, which a static mapping cannot carry",
                h.name
            ));
        }
    }
}

/// Why `fix` does not make `change`, a change outside API Gateway
/// ([`crate::gateway::change::is_front_change`]): `fix` writes only the API's own
/// configuration, and the printed commands make the others. `None` for API Gateway changes.
pub fn front_refusal(change: &Change) -> Option<String> {
    Some(match change {
        Change::CloudFront {
            distribution_id, ..
        } => format!(
            "the change is to the CloudFront distribution {distribution_id}, and `fix` writes only API Gateway: run the printed `aws cloudfront` commands (they read the distribution's config and update it with its ETag)"
        ),
        Change::BasePathMapping { domain_name, .. } => format!(
            "the base path mapping belongs to the custom domain {domain_name}, not to the API, and `fix` writes only API Gateway: run the printed create-base-path-mapping (or update-base-path-mapping) command instead"
        ),
        Change::FunctionUrlCors { .. } | Change::FunctionCodeCorsHeadersRemoved { .. } => format!(
            "{}: `fix` writes only API Gateway; make this change with the printed aws lambda command (or in your infrastructure code) and in the function's code",
            change.kind()
        ),
        _ => return None,
    })
}

/// Checks every change of the sets that needs no read; returns every refusal.
pub fn check_changes(sets: &[ChangeSet], policy: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    for set in sets {
        for change in &set.changes {
            match change {
                Change::RouteAuthorizationOff { route_key, .. }
                | Change::CreatePreflightRoute { route_key, .. } => {
                    if !route_key.trim_start().starts_with("OPTIONS ") {
                        out.push(format!(
                            "the change would remove authorization from the route {route_key}, which is not an OPTIONS route; cors-doctor only ever opens the preflight route"
                        ));
                    }
                }
                Change::DeclareResponseHeaders {
                    headers,
                    http_method,
                    resource,
                    ..
                } => {
                    for h in headers {
                        if !is_cors_header(h) {
                            out.push(format!(
                                "{http_method} {}: {h} is not a CORS header; a fix only declares Access-Control-* headers",
                                resource.path
                            ));
                        }
                    }
                }
                Change::MapResponseHeaders {
                    headers,
                    http_method,
                    resource,
                    ..
                } => headers_ok(
                    &format!("{http_method} {}", resource.path),
                    headers,
                    policy,
                    &mut out,
                ),
                Change::GatewayResponseHeaders {
                    response_type,
                    headers,
                    ..
                } => headers_ok(
                    &format!("gateway response {response_type}"),
                    headers,
                    policy,
                    &mut out,
                ),
                Change::SetCorsConfiguration { cors } => {
                    if cors.allow_credentials == Some(true)
                        && cors.allow_origins.iter().any(|o| o.trim() == "*")
                    {
                        out.push("cors_configuration: it would allow any origin (*) with AllowCredentials, which browsers refuse".into());
                    }
                }
                Change::CreateOptionsMethod { .. }
                | Change::OptionsAuthorizationOff { .. }
                | Change::CreateMockIntegration { .. }
                | Change::Deploy { .. } => {}
                Change::BasePathMapping { .. }
                | Change::FunctionUrlCors { .. }
                | Change::FunctionCodeCorsHeadersRemoved { .. }
                | Change::CloudFront { .. } => out.extend(front_refusal(change)),
            }
        }
    }
    out
}

/// An HTTP API's new cors_configuration against the one it has: each origin it adds must be
/// allowed by the policy.
pub fn check_cors(
    new: &CorsConfiguration,
    old: Option<&CorsConfiguration>,
    policy: &Policy,
) -> Vec<String> {
    let policy = Policy {
        credentials: policy.credentials || new.allow_credentials == Some(true),
        ..policy.clone()
    };
    new.allow_origins
        .iter()
        .filter(|o| !old.is_some_and(|c| c.allow_origins.iter().any(|x| x.eq_ignore_ascii_case(o))))
        .filter_map(|o| policy.origin_ok(o).err())
        .map(|e| format!("cors_configuration: {e}"))
        .collect()
}

/// Which tool manages the API, from its tags, in words (`None`: none that we can tell).
pub fn managed_by(tags: &HashMap<String, String>) -> Option<String> {
    if let Some(stack) = tags.get("aws:cloudformation:stack-name") {
        return Some(format!(
            "CloudFormation manages this API (tag aws:cloudformation:stack-name = {stack}; also the case for SAM and CDK)"
        ));
    }
    let mut keys: Vec<&String> = tags.keys().collect();
    keys.sort();
    keys.into_iter().find_map(|k| {
        let v = &tags[k];
        (k.to_ascii_lowercase().contains("terraform")
            || v.to_ascii_lowercase().contains("terraform"))
        .then(|| format!("Terraform manages this API (tag {k} = {v})"))
    })
}

/// What to do instead when the API is managed by a tool, and why.
pub fn iac_advice(reason: &str) -> String {
    format!(
        "{reason}. A change made here is drift: the next deploy of the template or plan puts the old configuration back. Make the change in the template instead (the finding's remediation shows it), or pass --force to change the live API anyway (and then update the template to match)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::change::ResourceRef;

    fn policy() -> Policy {
        Policy {
            origin: "https://app.example.com".into(),
            ..Policy::default()
        }
    }

    fn map(value: &str, creds: bool) -> ChangeSet {
        let mut headers = vec![HeaderValue {
            name: "Access-Control-Allow-Origin".into(),
            value: value.into(),
            exists: false,
        }];
        if creds {
            headers.push(HeaderValue {
                name: "Access-Control-Allow-Credentials".into(),
                value: "true".into(),
                exists: false,
            });
        }
        ChangeSet {
            changes: vec![Change::MapResponseHeaders {
                resource: ResourceRef::default(),
                http_method: "OPTIONS".into(),
                status: "200".into(),
                headers,
                create: true,
            }],
            ..ChangeSet::default()
        }
    }

    #[test]
    fn exactly_the_origin_given() {
        assert!(check_changes(&[map("https://app.example.com", false)], &policy()).is_empty());
        let other = check_changes(&[map("https://evil.example", false)], &policy());
        assert!(other[0].contains("neither the origin"), "{other:?}");
        let mut p = policy();
        p.allowed_origins.push("https://evil.example".into());
        assert!(check_changes(&[map("https://evil.example", false)], &p).is_empty());
    }

    #[test]
    fn any_origin_only_when_asked_and_never_with_credentials() {
        let star = check_changes(&[map("*", false)], &policy());
        assert!(star[0].contains("--allow-any-origin"), "{star:?}");
        let mut p = policy();
        p.allow_any_origin = true;
        assert!(check_changes(&[map("*", false)], &p).is_empty());
        let creds = check_changes(&[map("*", true)], &p);
        assert!(creds[0].contains("credentials"), "{creds:?}");
        p.credentials = true;
        assert!(!check_changes(&[map("*", false)], &p).is_empty());
    }

    #[test]
    fn authorization_only_off_on_options_routes() {
        let set = ChangeSet {
            changes: vec![
                Change::RouteAuthorizationOff {
                    route_id: None,
                    route_key: "GET /items".into(),
                },
                Change::CreatePreflightRoute {
                    route_key: "ANY /{proxy+}".into(),
                    integration_id: None,
                    like_route: "ANY /{proxy+}".into(),
                },
                Change::RouteAuthorizationOff {
                    route_id: None,
                    route_key: "OPTIONS /items".into(),
                },
            ],
            ..ChangeSet::default()
        };
        assert_eq!(check_changes(&[set], &policy()).len(), 2);
    }

    #[test]
    fn cors_configuration_adds_only_allowed_origins() {
        let old = CorsConfiguration {
            allow_origins: vec!["https://old.example".into()],
            ..CorsConfiguration::default()
        };
        let mut new = old.clone();
        new.allow_origins.push("https://app.example.com".into());
        assert!(check_cors(&new, Some(&old), &policy()).is_empty());
        new.allow_origins.push("*".into());
        assert_eq!(check_cors(&new, Some(&old), &policy()).len(), 1);
    }

    #[test]
    fn managed_by_cloudformation_or_terraform() {
        let mut tags = HashMap::new();
        assert!(managed_by(&tags).is_none());
        tags.insert("team".into(), "web".into());
        assert!(managed_by(&tags).is_none());
        tags.insert("ManagedBy".into(), "Terraform".into());
        assert!(managed_by(&tags).unwrap().contains("Terraform"));
        tags.insert("aws:cloudformation:stack-name".into(), "web-api".into());
        assert!(managed_by(&tags).unwrap().contains("CloudFormation"));
    }
}
