//! HTTP API fixes: a CORS configuration that allows the request (widened, never narrowed), a
//! route without authorization for the browser's OPTIONS, and a deployment when the stage
//! does not deploy by itself.

use serde_json::json;

use super::{is_id, jmes_str, json_arg, quote, widen, FixContext, Refs};
use crate::gateway::model::DEFAULT_ROUTE;

impl FixContext {
    /// HTTP APIs: a deployment unless the stage deploys by itself.
    pub(super) fn http_deploy(&self, refs: &mut Refs) -> Option<String> {
        (self.http_auto_deploy != Some(true)).then(|| self.deploy_with(refs))
    }

    /// The HTTP API fix: a CORS configuration that allows the request (API Gateway then
    /// answers preflights itself). An existing configuration is widened, never narrowed.
    pub fn http_cors_configuration(&self) -> String {
        let mut refs = self.refs();
        let mut cmds = vec![self.http_cors_command(&mut refs)];
        cmds.extend(self.http_deploy(&mut refs));
        refs.then(cmds).join("\n")
    }

    pub(super) fn http_cors_command(&self, refs: &mut Refs) -> String {
        let api = self.http_api(refs);
        let current = self.http_cors.clone().unwrap_or_default();
        let mut origins = current.allow_origins.clone();
        if !current.allows_origin(&self.origin)
            || (self.credentialed() && origins.iter().all(|o| o == "*"))
        {
            origins.retain(|o| !(self.credentialed() && o == "*"));
            origins.push(self.origin.clone());
        }
        let star = |l: &[String]| !self.credentialed() && l.iter().any(|v| v == "*");
        let mut methods = current.allow_methods.clone();
        if !star(&methods) {
            methods = widen(&methods, &self.needed_methods()).unwrap_or(methods);
        }
        let mut headers = current.allow_headers.clone();
        let wanted: Vec<String> = self
            .allow_headers()
            .split(',')
            .map(str::to_string)
            .collect();
        if !star(&headers) {
            headers = widen(&headers, &wanted).unwrap_or(headers);
        }
        let mut cfg = json!({
            "AllowOrigins": origins,
            "AllowMethods": methods,
            "AllowHeaders": headers,
        });
        if !current.expose_headers.is_empty() {
            cfg["ExposeHeaders"] = json!(current.expose_headers);
        }
        if self.credentialed() || current.allow_credentials == Some(true) {
            cfg["AllowCredentials"] = json!(true);
        }
        cfg["MaxAge"] = json!(current.max_age.unwrap_or(300));
        format!(
            "aws apigatewayv2 update-api --api-id {api} --cors-configuration {}",
            json_arg(&cfg)
        )
    }

    /// HTTP APIs: a route without authorization for the browser's OPTIONS (an explicit OPTIONS
    /// route loses its authorization; otherwise `OPTIONS /{proxy+}` is added, with the
    /// integration of the route that caught the preflight), and a CORS configuration.
    pub(super) fn http_preflight_route(&self) -> Vec<String> {
        let mut refs = self.refs();
        let api = self.http_api(&mut refs);
        let mut cmds = Vec::new();
        let route = self.http_options_route.as_ref();
        let explicit = route.filter(|r| r.route_key.starts_with("OPTIONS "));
        match explicit.and_then(|r| r.id.as_deref().filter(|id| is_id(id))) {
            Some(route_id) => cmds.push(format!(
                "aws apigatewayv2 update-route --api-id {api} --route-id {route_id} --authorization-type NONE"
            )),
            None => {
                let target = match route.and_then(|r| r.integration_id.as_deref().filter(|id| is_id(id))) {
                    Some(id) => format!("integrations/{id}"),
                    None => {
                        let key = route.map_or(DEFAULT_ROUTE, |r| r.route_key.as_str());
                        refs.push(format!(
                            "TARGET=$(aws apigatewayv2 get-routes --api-id {api} --query {} --output text{})",
                            quote(&format!("Items[?RouteKey=={}].Target | [0]", jmes_str(key))),
                            refs.region()
                        ));
                        "\"$TARGET\"".to_string()
                    }
                };
                cmds.push(format!(
                    "aws apigatewayv2 create-route --api-id {api} --route-key 'OPTIONS /{{proxy+}}' --authorization-type NONE --target {target}"
                ));
            }
        }
        if !self
            .http_cors
            .as_ref()
            .is_some_and(|c| c.allows_origin(&self.origin))
        {
            cmds.push(self.http_cors_command(&mut refs));
        }
        cmds.extend(self.http_deploy(&mut refs));
        refs.then(cmds)
    }
}
