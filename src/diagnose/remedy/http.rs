//! HTTP API fixes: a CORS configuration that allows the request (widened, never narrowed), a
//! route without authorization for the browser's OPTIONS, and a deployment when the stage
//! does not deploy by itself.

use super::{is_id, widen, FixContext};
use crate::gateway::change::{Change, ChangeSet};
use crate::gateway::model::{CorsConfiguration, DEFAULT_ROUTE};

impl FixContext {
    /// HTTP APIs: a deployment unless the stage deploys by itself.
    fn http_deploy(&self) -> Option<Change> {
        (self.http_auto_deploy != Some(true)).then(|| self.deploy_change())
    }

    /// The HTTP API fix: a CORS configuration that allows the request (API Gateway then
    /// answers preflights itself). An existing configuration is widened, never narrowed.
    pub fn http_cors_configuration(&self) -> ChangeSet {
        let mut changes = vec![self.http_cors_change()];
        changes.extend(self.http_deploy());
        self.change_set(changes)
    }

    /// The HTTP API fix of an actual response's CORS headers when the API has a CORS
    /// configuration: API Gateway then sets `Access-Control-Allow-Origin` and
    /// `Access-Control-Allow-Credentials` on every answer and drops the backend's ("If you
    /// configure CORS for an API, API Gateway ignores CORS headers returned from your backend
    /// integration",
    /// <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>), so no
    /// backend change can add them. Empty when the configuration already allows the origin
    /// (with credentials when the request sends them): the answer's headers come from
    /// elsewhere (another finding names where).
    pub fn http_actual_cors_configuration(&self) -> ChangeSet {
        let Some(current) = self.http_cors.as_ref() else {
            return ChangeSet::default();
        };
        let origin_ok = current.allows_origin(&self.origin)
            && !(self.credentialed() && current.allow_origins.iter().all(|o| o == "*"));
        let credentials_ok = !self.credentialed() || current.allow_credentials == Some(true);
        if origin_ok && credentials_ok {
            return ChangeSet::default();
        }
        self.http_cors_configuration()
    }

    /// The whole cors_configuration after the change: the current one plus what the request
    /// needs (the origin; the method and headers unless `*` already covers them; `*` never
    /// kept as the only origin with credentials).
    fn http_cors_change(&self) -> Change {
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
        Change::SetCorsConfiguration {
            cors: CorsConfiguration {
                allow_origins: origins,
                allow_methods: methods,
                allow_headers: headers,
                expose_headers: current.expose_headers.clone(),
                max_age: Some(current.max_age.unwrap_or(300)),
                allow_credentials: if self.credentialed() {
                    Some(true)
                } else {
                    current.allow_credentials
                },
            },
        }
    }

    /// HTTP APIs: a route without authorization for the browser's OPTIONS (an explicit OPTIONS
    /// route loses its authorization; otherwise `OPTIONS /{proxy+}` is added, with the
    /// integration of the route that caught the preflight), and a CORS configuration.
    pub(super) fn http_preflight_route(&self) -> ChangeSet {
        let mut changes = Vec::new();
        let route = self.http_options_route.as_ref();
        let explicit = route.filter(|r| r.route_key.starts_with("OPTIONS "));
        match explicit.and_then(|r| r.id.as_deref().filter(|id| is_id(id)).map(|id| (r, id))) {
            Some((r, route_id)) => changes.push(Change::RouteAuthorizationOff {
                route_id: Some(route_id.to_string()),
                route_key: r.route_key.clone(),
            }),
            None => changes.push(Change::CreatePreflightRoute {
                route_key: "OPTIONS /{proxy+}".to_string(),
                integration_id: route
                    .and_then(|r| r.integration_id.clone())
                    .filter(|id| is_id(id)),
                like_route: route
                    .map_or(DEFAULT_ROUTE, |r| r.route_key.as_str())
                    .to_string(),
            }),
        }
        if !self
            .http_cors
            .as_ref()
            .is_some_and(|c| c.allows_origin(&self.origin))
        {
            changes.push(self.http_cors_change());
        }
        changes.extend(self.http_deploy());
        self.change_set(changes)
    }
}
