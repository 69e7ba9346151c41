//! Custom domains: which API (and which base path) a domain name maps the request to, and the
//! domain's mappings as the diagnosis models them ([`CustomDomain`], the `front` of the
//! configuration), so the custom-domain rules run on live configuration too.
//!
//! One or two calls, both reads: `GetBasePathMappings` (REST APIs, `limit` 500: "The maximum
//! number of returned results per page. The default value is 25 and the maximum value is
//! 500", <https://docs.aws.amazon.com/apigateway/latest/api/API_GetBasePathMappings.html>),
//! and only when it lists none, apigatewayv2 `GetApiMappings` (HTTP APIs, and REST APIs mapped
//! through the v2 API: "API mappings … for REST APIs and HTTP APIs",
//! <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/domainnames-domainname-apimappings.html>).
//! The domain's endpoint type (`GetDomainName`) is not read: one more call for what the
//! answers' CloudFront headers already show, so the model keeps its default (regional).

use super::errors::{classify, Lookup, LookupError};
use super::{Clients, LoadError, Target};
use crate::gateway::front::domain::{BasePathMapping, CustomDomain, NONE};
use crate::gateway::model::ApiKind;

/// A domain's mappings as read, with the API kind each call tells (v1 mappings are REST).
pub(super) struct DomainMappings {
    pub domain: CustomDomain,
    kinds: Vec<Option<ApiKind>>,
}

/// Reads the mappings of `domain`: v1 base path mappings, else v2 API mappings. `NotFound`:
/// not an API Gateway custom domain in this region.
pub(super) async fn read_mappings(
    clients: &Clients,
    domain: &str,
) -> Result<DomainMappings, LookupError> {
    let lookup_v1 = Lookup::new(
        "get_base_path_mappings",
        "base path mappings",
        format!("/domainnames/{domain}/basepathmappings"),
    );
    let v1 = clients
        .v1
        .get_base_path_mappings()
        .domain_name(domain)
        .limit(500)
        .send()
        .await
        .map_err(|e| classify(&e, &lookup_v1, &clients.region));
    let mut read = DomainMappings {
        domain: CustomDomain {
            domain_name: domain.to_string(),
            ..CustomDomain::default()
        },
        kinds: Vec::new(),
    };
    match v1 {
        Ok(out) => {
            for m in out.items() {
                let Some(id) = m.rest_api_id() else { continue };
                read.push(
                    m.base_path().unwrap_or(NONE),
                    id,
                    m.stage(),
                    Some(ApiKind::Rest),
                );
            }
        }
        Err(LookupError::NotFound(_)) => {}
        Err(e) => return Err(e),
    }
    if !read.domain.mappings.is_empty() {
        return Ok(read);
    }
    let lookup_v2 = Lookup::new(
        "get_api_mappings",
        "API mappings",
        format!("/domainnames/{domain}/apimappings"),
    );
    let out = clients
        .v2
        .get_api_mappings()
        .domain_name(domain)
        .max_results("500")
        .send()
        .await
        .map_err(|e| match classify(&e, &lookup_v2, &clients.region) {
            LookupError::NotFound(_) => LookupError::NotFound(format!(
                "{domain} is not an API Gateway custom domain in {} (no base path or API mappings); name the API with --api-id",
                clients.region
            )),
            other => other,
        })?;
    for m in out.items() {
        if let Some(id) = m.api_id() {
            read.push(m.api_mapping_key().unwrap_or(""), id, m.stage(), None);
        }
    }
    Ok(read)
}

impl DomainMappings {
    fn push(&mut self, base_path: &str, api_id: &str, stage: Option<&str>, kind: Option<ApiKind>) {
        self.domain.mappings.push(BasePathMapping {
            base_path: base_path.to_string(),
            api_id: api_id.to_string(),
            // A v1 mapping without a stage lets callers name it after the base path.
            stage: stage.unwrap_or(NONE).to_string(),
        });
        self.kinds.push(kind);
    }

    /// The API, stage and resource path the mapping that takes `path` selects (the longest
    /// base path, as API Gateway routes: [`CustomDomain::route`]); `None`: no mapping takes it.
    pub fn target(&self, path: &str) -> Option<Target> {
        let (m, rest) = self.domain.route(path)?;
        let at = self
            .domain
            .mappings
            .iter()
            .position(|x| std::ptr::eq(x, m))?;
        let stage = (!m.stage.is_empty() && m.stage != NONE).then(|| m.stage.clone());
        Some(Target {
            api_id: m.api_id.clone(),
            known_kind: self.kinds.get(at).copied().flatten(),
            stage: stage.clone(),
            mapped_stage: stage,
            mapped_path: Some(rest),
            ..Target::default()
        })
    }

    /// The one API every mapping points to (`None`: none, or several), with the one stage
    /// they all name, if they do.
    fn only_api(&self) -> Option<(String, Option<ApiKind>, Option<String>)> {
        let first = self.domain.mappings.first()?;
        let all = |same: &dyn Fn(&BasePathMapping) -> bool| self.domain.mappings.iter().all(same);
        if !all(&|m| m.api_id == first.api_id) {
            return None;
        }
        let stage = (all(&|m| m.stage == first.stage) && first.stage != NONE)
            .then(|| first.stage.clone())
            .filter(|s| !s.is_empty());
        Some((
            first.api_id.clone(),
            self.kinds.first().copied().flatten(),
            stage,
        ))
    }
}

/// Resolves a custom domain (a URL on it, no API named): the mapping that takes `path`. When
/// none does, the request never reaches an API (the domain answers 403 itself): the one API
/// every mapping points to is still read, with the resource unresolved, so the diagnosis can
/// name the mappings that exist (`CUSTOM_DOMAIN_NO_MAPPING`), at the stage the mappings share
/// and the path after the first segment (what the fix's new mapping would serve); with
/// several APIs, the load fails naming them.
pub(super) async fn custom_domain(
    clients: &Clients,
    domain: &str,
    path: &str,
) -> Result<Target, LoadError> {
    let read = read_mappings(clients, domain).await?;
    let mut target = match (read.target(path), read.only_api()) {
        (Some(t), _) => t,
        // The fix maps the path's first segment to that stage: the rest is the resource.
        (None, Some((api_id, kind, stage))) => Target {
            api_id,
            known_kind: kind,
            stage,
            mapped_path: Some(format!(
                "/{}",
                path.trim_start_matches('/')
                    .split_once('/')
                    .map_or("", |(_, rest)| rest)
            )),
            unmapped: Some(format!(
                "no base path mapping of the custom domain {domain} takes the path {path} (the request never reaches an API); its mappings: {}",
                read.domain.mappings_in_words()
            )),
            ..Target::default()
        },
        (None, None) => {
            return Err(LoadError::Other(format!(
                "no base path mapping of the custom domain {domain} takes the path {path}; its mappings: {}",
                read.domain.mappings_in_words()
            )))
        }
    };
    target.domain = Some(read.domain);
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(mappings: &[(&str, &str, Option<&str>)]) -> DomainMappings {
        let mut read = DomainMappings {
            domain: CustomDomain {
                domain_name: "api.example.com".into(),
                ..CustomDomain::default()
            },
            kinds: Vec::new(),
        };
        for (base, id, stage) in mappings {
            read.push(base, id, *stage, Some(ApiKind::Rest));
        }
        read
    }

    #[test]
    fn the_longest_mapping_selects_the_api_stage_and_path() {
        let r = read(&[
            ("v1", "a1", Some("prod")),
            ("v1/orders", "a2", Some("live")),
            ("(none)", "a3", None),
        ]);
        let t = r.target("/v1/orders/7").expect("mapped");
        assert_eq!(
            (
                t.api_id.as_str(),
                t.mapped_stage.as_deref(),
                t.mapped_path.as_deref()
            ),
            ("a2", Some("live"), Some("/7"))
        );
        assert_eq!(t.known_kind, Some(ApiKind::Rest));
        let t = r.target("/v10/items").expect("the root mapping");
        assert_eq!(
            (t.api_id.as_str(), t.mapped_stage, t.mapped_path.as_deref()),
            ("a3", None, Some("/v10/items"))
        );
        assert_eq!(r.only_api(), None);
    }

    #[test]
    fn no_mapping_leaves_the_one_api_the_domain_maps() {
        let r = read(&[("v1", "a1", Some("prod")), ("beta", "a1", Some("dev"))]);
        assert!(r.target("/v2/items").is_none());
        assert_eq!(
            r.only_api(),
            Some(("a1".to_string(), Some(ApiKind::Rest), None))
        );
        let one = read(&[("v1", "a1", Some("prod")), ("beta", "a1", Some("prod"))]);
        assert_eq!(
            one.only_api(),
            Some(("a1".to_string(), Some(ApiKind::Rest), Some("prod".into())))
        );
        assert_eq!(
            r.domain.mappings_in_words(),
            "v1 → API a1 stage prod, beta → API a1 stage dev"
        );
    }
}
