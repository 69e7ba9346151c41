//! REST API fixes: the OPTIONS method (created, or only its broken parts patched), the CORS
//! headers of a method's responses (declared and mapped), authorization off OPTIONS only, and
//! CORS headers on the gateway responses.

use serde_json::{json, Value};

use super::{json_arg, literal, op, patch, pointer, quote, split_list, widen, FixContext};
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
    pub fn add_options_method(&self) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
        }
        if self.config_loaded && self.options.is_some() {
            return self.fix_options_headers();
        }
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let rid = self.resource(&mut refs, &api);
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
        let declared: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(n, _)| (format!("method.response.header.{n}"), json!(false)))
            .collect();
        let mapped: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(n, v)| {
                (
                    format!("method.response.header.{n}"),
                    json!(format!("'{v}'")),
                )
            })
            .collect();
        let template = json!({"application/json": "{\"statusCode\": 200}"});
        let mut cmds = vec![
            format!("aws apigateway put-method --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --authorization-type NONE --no-api-key-required"),
            format!("aws apigateway put-method-response --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --status-code 200 --response-parameters {}", json_arg(&Value::Object(declared))),
            format!("aws apigateway put-integration --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --type MOCK --request-templates {}", json_arg(&template)),
            format!("aws apigateway put-integration-response --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --status-code 200 --response-parameters {}", json_arg(&Value::Object(mapped))),
        ];
        cmds.push(self.deploy_with(&mut refs));
        refs.then(cmds)
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
    ) -> Vec<String> {
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let rid = self.resource(&mut refs, &api);
        let verb = quote(http_method);
        let status = quote(status);
        let mut cmds = Vec::new();
        let param = |n: &str| {
            format!(
                "/responseParameters/{}",
                pointer(&format!("method.response.header.{n}"))
            )
        };
        if declare {
            let ops: Vec<Value> = headers
                .iter()
                .map(|(n, _)| op("add", &param(n), Some("false")))
                .collect();
            cmds.push(format!(
                "aws apigateway update-method-response --rest-api-id {api} --resource-id {rid} --http-method {verb} --status-code {status} --patch-operations {}",
                patch(&ops)
            ));
        }
        if map {
            let ops: Vec<Value> = headers
                .iter()
                .map(|(n, v)| op("add", &param(n), Some(&format!("'{v}'"))))
                .collect();
            cmds.push(format!(
                "aws apigateway update-integration-response --rest-api-id {api} --resource-id {rid} --http-method {verb} --status-code {status} --patch-operations {}",
                patch(&ops)
            ));
        }
        cmds.push(self.deploy_with(&mut refs));
        refs.then(cmds)
    }

    /// Removes authorization and the API-key requirement from OPTIONS only (REST: only the
    /// setting that is on, when the configuration shows it).
    pub fn unauthorize_options(&self) -> Vec<String> {
        if self.http {
            return self.http_preflight_route();
        }
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let rid = self.resource(&mut refs, &api);
        let (auth, key) = match (&self.options, self.config_loaded) {
            (Some(o), true) => (
                o.authorization != AuthorizationType::None,
                o.api_key_required,
            ),
            _ => (true, true),
        };
        let mut ops = Vec::new();
        if auth {
            ops.push(op("replace", "/authorizationType", Some("NONE")));
        }
        if key {
            ops.push(op("replace", "/apiKeyRequired", Some("false")));
        }
        if ops.is_empty() {
            return Vec::new();
        }
        let cmds = vec![
            format!(
                "aws apigateway update-method --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --patch-operations {}",
                patch(&ops)
            ),
            self.deploy_with(&mut refs),
        ];
        refs.then(cmds)
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
    pub fn fix_options_headers(&self) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
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
            return Vec::new();
        }
        let status = options
            .and_then(|o| o.success_status.clone())
            .or_else(|| {
                self.observed_preflight_status
                    .filter(|s| (200..300).contains(s))
                    .map(|s| s.to_string())
            })
            .unwrap_or_else(|| "200".to_string());
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
        let rid = self.resource(&mut refs, &api);
        let on = format!("--rest-api-id {api} --resource-id {rid} --http-method OPTIONS");
        let param = |n: &str| format!("method.response.header.{n}");
        let mut cmds = Vec::new();
        if !has_mr {
            let declared: serde_json::Map<String, Value> = fixes
                .iter()
                .map(|f| (param(f.name), json!(false)))
                .collect();
            cmds.push(format!(
                "aws apigateway put-method-response {on} --status-code {} --response-parameters {}",
                quote(&status),
                json_arg(&Value::Object(declared))
            ));
        } else {
            let ops: Vec<Value> = fixes
                .iter()
                .filter(|f| f.declare)
                .map(|f| {
                    op(
                        "add",
                        &format!("/responseParameters/{}", pointer(&param(f.name))),
                        Some("false"),
                    )
                })
                .collect();
            if !ops.is_empty() {
                cmds.push(format!(
                    "aws apigateway update-method-response {on} --status-code {} --patch-operations {}",
                    quote(&status),
                    patch(&ops)
                ));
            }
        }
        if !has_integration {
            let template = json!({"application/json": format!("{{\"statusCode\": {status}}}")});
            cmds.push(format!(
                "aws apigateway put-integration {on} --type MOCK --request-templates {}",
                json_arg(&template)
            ));
        }
        let mappings: Vec<(&str, String, bool)> = fixes
            .iter()
            .filter_map(|f| {
                f.value
                    .as_ref()
                    .map(|v| (f.name, format!("'{v}'"), f.mapped))
            })
            .collect();
        if !has_ir {
            let mapped: serde_json::Map<String, Value> = mappings
                .iter()
                .map(|(n, v, _)| (param(n), json!(v)))
                .collect();
            cmds.push(format!(
                "aws apigateway put-integration-response {on} --status-code {} --response-parameters {}",
                quote(&status),
                json_arg(&Value::Object(mapped))
            ));
        } else if !mappings.is_empty() {
            let ops: Vec<Value> = mappings
                .iter()
                .map(|(n, v, exists)| {
                    op(
                        if *exists { "replace" } else { "add" },
                        &format!("/responseParameters/{}", pointer(&param(n))),
                        Some(v),
                    )
                })
                .collect();
            cmds.push(format!(
                "aws apigateway update-integration-response {on} --status-code {} --patch-operations {}",
                quote(&status),
                patch(&ops)
            ));
        }
        cmds.push(self.deploy_with(&mut refs));
        refs.then(cmds)
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
    pub fn gateway_response_cors(&self, response_type: &str) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
        }
        let mut refs = self.refs();
        let api = self.rest_api(&mut refs);
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
        let mut wanted = vec![(
            "gatewayresponse.header.Access-Control-Allow-Origin".to_string(),
            format!("'{}'", self.allow_origin()),
        )];
        if self.credentialed() {
            wanted.push((
                "gatewayresponse.header.Access-Control-Allow-Credentials".to_string(),
                "'true'".to_string(),
            ));
        }
        let mut cmds = Vec::new();
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
            match customized {
                Some(c) => {
                    let ops: Vec<Value> = wanted
                        .iter()
                        .map(|(k, v)| {
                            let exists = k.ends_with("Allow-Origin") && c.allow_origin.is_some();
                            op(
                                if exists { "replace" } else { "add" },
                                &format!("/responseParameters/{}", pointer(k)),
                                Some(v),
                            )
                        })
                        .collect();
                    cmds.push(format!(
                        "aws apigateway update-gateway-response --rest-api-id {api} --response-type {t} --patch-operations {}",
                        patch(&ops)
                    ));
                }
                None => {
                    let params: serde_json::Map<String, Value> =
                        wanted.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                    cmds.push(format!(
                        "aws apigateway put-gateway-response --rest-api-id {api} --response-type {t} --response-parameters {}",
                        json_arg(&Value::Object(params))
                    ));
                }
            }
        }
        if cmds.is_empty() {
            return Vec::new();
        }
        cmds.push(self.deploy_with(&mut refs));
        refs.then(cmds)
    }
}
