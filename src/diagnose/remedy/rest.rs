//! REST API fixes: the OPTIONS method (created, or only its broken parts patched), the CORS
//! headers of a method's responses (declared and mapped), authorization off OPTIONS only, and
//! CORS headers on the gateway responses.

use super::{literal, split_list, widen, FixContext};
use crate::gateway::change::{Change, ChangeSet, HeaderValue};
use crate::gateway::model::AuthorizationType;

/// What to do about one CORS header of the OPTIONS answer.
#[derive(Clone, Debug, PartialEq, Eq)]
struct HeaderFix {
    name: &'static str,
    /// The value to map (unquoted), when the mapping must change.
    value: Option<String>,
    /// True when the mapping exists (patch with `replace`), false when absent or unknown.
    mapped: bool,
    /// True when the method response must declare it.
    declare: bool,
}

/// What is known about one header of the OPTIONS answer today.
struct HeaderNow {
    /// `Some(true)` declared, `Some(false)` not, `None` unknown.
    declared: Option<bool>,
    /// The mapping expression (`'x'`, `method.request.header.Origin`), if mapped.
    mapped: Option<String>,
    /// False when nothing is known about the mapping (probes only, header not observed).
    mapped_known: bool,
}

impl FixContext {
    /// Adds an OPTIONS MOCK method that answers the preflight (the console's "Enable CORS").
    /// When the configuration shows OPTIONS exists, only its broken parts are fixed instead.
    pub fn add_options_method(&self) -> ChangeSet {
        if self.http {
            return self.http_cors_configuration();
        }
        if self.config_loaded && self.options.is_some() {
            return self.fix_options_headers();
        }
        let resource = self.resource_ref();
        let mut methods: Vec<String> = self
            .resource_methods
            .iter()
            .filter(|m| !m.eq_ignore_ascii_case("ANY"))
            .map(|m| m.to_ascii_uppercase())
            .collect();
        methods = widen(&methods, &self.needed_methods()).unwrap_or(methods);
        let mut headers = self.preflight_headers();
        if let Some(h) = headers
            .iter_mut()
            .find(|(n, _)| n == "Access-Control-Allow-Methods")
        {
            h.1 = methods.join(",");
        }
        let status = "200".to_string();
        self.change_set(vec![
            Change::CreateOptionsMethod {
                resource: resource.clone(),
            },
            Change::DeclareResponseHeaders {
                resource: resource.clone(),
                http_method: "OPTIONS".into(),
                status: status.clone(),
                headers: headers.iter().map(|(n, _)| n.clone()).collect(),
                create: true,
            },
            Change::CreateMockIntegration {
                resource: resource.clone(),
                status: status.clone(),
            },
            Change::MapResponseHeaders {
                resource,
                http_method: "OPTIONS".into(),
                status,
                headers: headers
                    .into_iter()
                    .map(|(name, value)| HeaderValue {
                        name,
                        value,
                        exists: false,
                    })
                    .collect(),
                create: true,
            },
            self.deploy_change(),
        ])
    }

    /// Declares and/or maps CORS headers (`headers`: name and unquoted value) on a non-OPTIONS
    /// REST method's `status` response, touching only those, then deploys.
    pub fn map_method_headers(
        &self,
        http_method: &str,
        status: &str,
        headers: &[(String, String)],
        declare: bool,
        map: bool,
    ) -> ChangeSet {
        let resource = self.resource_ref();
        let mut changes = Vec::new();
        if declare {
            changes.push(Change::DeclareResponseHeaders {
                resource: resource.clone(),
                http_method: http_method.to_string(),
                status: status.to_string(),
                headers: headers.iter().map(|(n, _)| n.clone()).collect(),
                create: false,
            });
        }
        if map {
            changes.push(Change::MapResponseHeaders {
                resource,
                http_method: http_method.to_string(),
                status: status.to_string(),
                headers: headers
                    .iter()
                    .map(|(n, v)| HeaderValue {
                        name: n.clone(),
                        value: v.clone(),
                        exists: false,
                    })
                    .collect(),
                create: false,
            });
        }
        changes.push(self.deploy_change());
        self.change_set(changes)
    }

    /// Removes authorization and the API-key requirement from OPTIONS only (REST: only the
    /// setting that is on, when the configuration shows it).
    pub fn unauthorize_options(&self) -> ChangeSet {
        if self.http {
            return self.http_preflight_route();
        }
        let (authorization, api_key) = match (&self.options, self.config_loaded) {
            (Some(o), true) => (
                o.authorization != AuthorizationType::None,
                o.api_key_required,
            ),
            _ => (true, true),
        };
        if !authorization && !api_key {
            return ChangeSet::default();
        }
        self.change_set(vec![
            Change::OptionsAuthorizationOff {
                resource: self.resource_ref(),
                authorization,
                api_key,
            },
            self.deploy_change(),
        ])
    }

    /// What is known today about `name` on the OPTIONS answer.
    fn header_now(&self, name: &str) -> HeaderNow {
        if self.config_loaded {
            let h = self.options.as_ref().and_then(|o| o.cors_header(name));
            return HeaderNow {
                declared: Some(h.is_some_and(|h| h.declared)),
                mapped: h.and_then(|h| h.mapped.clone()),
                mapped_known: true,
            };
        }
        let seen = self
            .observed_preflight
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| format!("'{v}'"));
        HeaderNow {
            declared: seen.as_ref().map(|_| true),
            mapped_known: seen.is_some(),
            mapped: seen,
        }
    }

    /// The CORS headers of the OPTIONS answer that must change, and how.
    fn header_fixes(&self) -> Vec<HeaderFix> {
        let mut names = vec![
            "Access-Control-Allow-Origin",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
        ];
        if self.credentialed() {
            names.push("Access-Control-Allow-Credentials");
        }
        let creds = self.credentialed();
        let mut out = Vec::new();
        for name in names {
            let now = self.header_now(name);
            let value = match now.mapped.as_deref() {
                None => Some(match name {
                    "Access-Control-Allow-Origin" => self.origin.clone(),
                    "Access-Control-Allow-Methods" => self.allow_methods(),
                    "Access-Control-Allow-Headers" => self.allow_headers(),
                    _ => "true".to_string(),
                }),
                // A dynamic expression (the request's Origin, a stage variable): not judged here.
                Some(expr) => literal(expr).and_then(|cur| {
                    let list = split_list(cur);
                    let star = !creds && list.iter().any(|v| v == "*");
                    match name {
                        "Access-Control-Allow-Origin" => (!(star
                            || cur.trim().eq_ignore_ascii_case(&self.origin)))
                        .then(|| self.origin.clone()),
                        "Access-Control-Allow-Methods" => (!star)
                            .then(|| widen(&list, &self.needed_methods()))
                            .flatten()
                            .map(|l| l.join(",")),
                        "Access-Control-Allow-Headers" => {
                            // `*` never covers Authorization (Fetch standard).
                            let needed: Vec<String> = self
                                .request_headers
                                .iter()
                                .filter(|h| !star || h.eq_ignore_ascii_case("authorization"))
                                .cloned()
                                .collect();
                            widen(&list, &needed).map(|l| l.join(","))
                        }
                        _ => (cur.trim() != "true").then(|| "true".to_string()),
                    }
                }),
            };
            let declare = now.declared != Some(true);
            if value.is_none() && !declare {
                continue;
            }
            out.push(HeaderFix {
                name,
                value,
                mapped: now.mapped_known && now.mapped.is_some(),
                declare,
            });
        }
        out
    }

    /// Makes the OPTIONS answer carry the CORS headers the request needs: declares what is
    /// not declared and maps (or widens) what is missing or wrong, creating the method
    /// response, integration and integration response when the configuration shows they do
    /// not exist, and creating the OPTIONS method itself when there is none.
    pub fn fix_options_headers(&self) -> ChangeSet {
        if self.http {
            return self.http_cors_configuration();
        }
        let options = self.options.as_ref();
        if self.config_loaded && options.is_none() {
            return self.add_options_method();
        }
        let fixes = self.header_fixes();
        let (has_mr, has_integration, has_ir) = match options {
            Some(o) if self.config_loaded => (
                o.success_status.is_some(),
                o.integration.is_some(),
                o.has_integration_response,
            ),
            _ => (true, true, true),
        };
        if fixes.is_empty() && has_mr && has_integration && has_ir {
            return ChangeSet::default();
        }
        let status = options
            .and_then(|o| o.success_status.clone())
            .or_else(|| {
                self.observed_preflight_status
                    .filter(|s| (200..300).contains(s))
                    .map(|s| s.to_string())
            })
            .unwrap_or_else(|| "200".to_string());
        let resource = self.resource_ref();
        let options_method = "OPTIONS".to_string();
        let mut changes = Vec::new();
        let declare: Vec<String> = fixes
            .iter()
            .filter(|f| !has_mr || f.declare)
            .map(|f| f.name.to_string())
            .collect();
        if !has_mr || !declare.is_empty() {
            changes.push(Change::DeclareResponseHeaders {
                resource: resource.clone(),
                http_method: options_method.clone(),
                status: status.clone(),
                headers: declare,
                create: !has_mr,
            });
        }
        if !has_integration {
            changes.push(Change::CreateMockIntegration {
                resource: resource.clone(),
                status: status.clone(),
            });
        }
        let mappings: Vec<HeaderValue> = fixes
            .iter()
            .filter_map(|f| {
                f.value.as_ref().map(|v| HeaderValue {
                    name: f.name.to_string(),
                    value: v.clone(),
                    exists: f.mapped,
                })
            })
            .collect();
        if !has_ir || !mappings.is_empty() {
            changes.push(Change::MapResponseHeaders {
                resource,
                http_method: options_method,
                status,
                headers: mappings,
                create: !has_ir,
            });
        }
        changes.push(self.deploy_change());
        self.change_set(changes)
    }

    /// Whether a gateway response's Allow-Origin expression lets the origin read the error.
    fn gateway_allows(&self, expr: &str) -> bool {
        match literal(expr) {
            Some(v) => {
                (v.trim() == "*" && !self.credentialed())
                    || v.trim().eq_ignore_ascii_case(&self.origin)
            }
            // A dynamic expression (the request's Origin header): allowed.
            None => true,
        }
    }

    /// Adds CORS headers to a gateway response type, to the DEFAULT_4XX/5XX catch-alls and to
    /// every customized response that lacks them (it overrides the catch-alls), skipping those
    /// that already carry them; a customized response is patched, not overwritten.
    pub fn gateway_response_cors(&self, response_type: &str) -> ChangeSet {
        if self.http {
            return self.http_cors_configuration();
        }
        let mut types = vec![response_type.to_string()];
        let mut also: Vec<String> = vec!["DEFAULT_4XX".into(), "DEFAULT_5XX".into()];
        // A customized response overrides DEFAULT_4XX/5XX: each one without the header needs
        // it too.
        if let Some(g) = self
            .gateway_responses
            .as_ref()
            .filter(|_| self.config_loaded)
        {
            also.extend(
                g.configured
                    .iter()
                    .filter(|c| {
                        !c.allow_origin
                            .as_deref()
                            .is_some_and(|e| self.gateway_allows(e))
                    })
                    .map(|c| c.response_type.clone()),
            );
        }
        for t in also {
            if !types.contains(&t) {
                types.push(t);
            }
        }
        let mut changes = Vec::new();
        for t in &types {
            let known = self
                .gateway_responses
                .as_ref()
                .filter(|_| self.config_loaded);
            let customized =
                known.and_then(|g| g.configured.iter().find(|c| &c.response_type == t));
            let is_default = t.starts_with("DEFAULT_");
            if let Some(g) = known {
                let current = match (customized, t.as_str()) {
                    (Some(c), _) => c.allow_origin.as_deref(),
                    (None, "DEFAULT_4XX") => g.default_4xx_allow_origin.as_deref(),
                    (None, "DEFAULT_5XX") => g.default_5xx_allow_origin.as_deref(),
                    // Not customized: the DEFAULT_* fix below covers it.
                    (None, _) if !is_default => continue,
                    (None, _) => None,
                };
                if current.is_some_and(|e| self.gateway_allows(e)) && !self.credentialed() {
                    continue;
                }
            }
            let mut headers = vec![HeaderValue {
                name: "Access-Control-Allow-Origin".into(),
                value: self.allow_origin().to_string(),
                exists: customized.is_some_and(|c| c.allow_origin.is_some()),
            }];
            if self.credentialed() {
                headers.push(HeaderValue {
                    name: "Access-Control-Allow-Credentials".into(),
                    value: "true".into(),
                    exists: false,
                });
            }
            changes.push(Change::GatewayResponseHeaders {
                response_type: t.clone(),
                headers,
                create: customized.is_none(),
            });
        }
        if changes.is_empty() {
            return ChangeSet::default();
        }
        changes.push(self.deploy_change());
        self.change_set(changes)
    }
}
