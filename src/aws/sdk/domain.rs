//! Custom domains: which API (and which base path) a domain name maps the request to.

use super::errors::{classify, Lookup, LookupError};
use super::{Clients, LoadError, Target};
use crate::gateway::model::ApiKind;

/// Resolves a custom domain: v1 base path mappings, else v2 API mappings (which also map
/// REST APIs). The longest mapping key that prefixes the path wins.
pub(super) async fn custom_domain(
    clients: &Clients,
    domain: &str,
    path: &str,
) -> Result<Target, LoadError> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
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
    let mut candidates: Vec<(String, String, Option<String>, Option<ApiKind>)> = Vec::new();
    match v1 {
        Ok(out) => {
            for m in out.items() {
                let key = m.base_path().unwrap_or("(none)");
                let key = if key == "(none)" { "" } else { key };
                if let Some(id) = m.rest_api_id() {
                    candidates.push((
                        key.to_string(),
                        id.to_string(),
                        m.stage().map(str::to_string),
                        Some(ApiKind::Rest),
                    ));
                }
            }
        }
        Err(LookupError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    if candidates.is_empty() {
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
                candidates.push((
                    m.api_mapping_key().unwrap_or("").to_string(),
                    id.to_string(),
                    m.stage().map(str::to_string),
                    None,
                ));
            }
        }
    }
    let best = candidates
        .into_iter()
        .filter_map(|(key, id, stage, kind)| {
            let key_parts: Vec<&str> = key.split('/').filter(|s| !s.is_empty()).collect();
            segments
                .starts_with(&key_parts)
                .then_some((key_parts.len(), id, stage, kind))
        })
        .max_by_key(|c| c.0);
    let Some((used, id, stage, kind)) = best else {
        return Err(LoadError::Other(format!(
            "no mapping of the custom domain {domain} matches the path {path}"
        )));
    };
    let rest = &segments[used..];
    Ok(Target {
        api_id: id,
        known_kind: kind,
        stage: stage.clone(),
        mapped_stage: stage,
        mapped_path: Some(format!("/{}", rest.join("/"))),
        ..Target::default()
    })
}
