//! Remedies outside the API's own configuration: a custom domain's base path mapping
//! (`Change::BasePathMapping`), a Lambda function URL's CORS configuration and the
//! function's code (`Change::FunctionUrlCors`, `Change::FunctionCodeCorsHeadersRemoved`).
//! Rendered as `aws apigateway` / `aws lambda` commands; `fix` refuses those outside API
//! Gateway's own configuration (it writes only API Gateway); the preview applies them to the
//! front.

use super::FixContext;
use crate::gateway::change::{Change, ChangeSet};
use crate::gateway::front::function_url::UrlCors;

impl FixContext {
    /// Maps `base_path` (empty: the root) of `domain_name` to this API and its stage:
    /// created, or pointed here when a mapping of that base path `exists` (it sends the
    /// request to another API or stage).
    pub fn base_path_mapping(&self, domain_name: &str, base_path: &str, exists: bool) -> ChangeSet {
        self.change_set(vec![Change::BasePathMapping {
            domain_name: domain_name.to_string(),
            base_path: base_path.trim_matches('/').to_string(),
            stage: self.stage.clone().unwrap_or_default(),
            exists,
        }])
    }

    /// CORS in one place, the function URL's: its configuration widened to the app's origin,
    /// method and headers (never narrowed), and the code's own CORS headers removed.
    pub fn function_url_cors(
        &self,
        function_name: &str,
        current: Option<&UrlCors>,
        code_headers: Vec<String>,
    ) -> ChangeSet {
        let mut cors = current.cloned().unwrap_or_default();
        let credentialed = self.credentials == crate::target::CredentialsMode::Include;
        let any_origin = cors.allow_origins.iter().any(|o| o == "*");
        if (!any_origin || credentialed) && !cors.allow_origins.contains(&self.origin) {
            cors.allow_origins.retain(|o| !(credentialed && o == "*"));
            cors.allow_origins.push(self.origin.clone());
        }
        let has =
            |list: &[String], v: &str| list.iter().any(|x| x == "*" || x.eq_ignore_ascii_case(v));
        if !has(&cors.allow_methods, &self.method) {
            cors.allow_methods.push(self.method.to_ascii_uppercase());
        }
        for h in &self.request_headers {
            if !has(&cors.allow_headers, h) {
                cors.allow_headers.push(h.to_ascii_lowercase());
            }
        }
        if credentialed {
            cors.allow_credentials = true;
        }
        let mut changes = vec![Change::FunctionUrlCors {
            function_name: function_name.to_string(),
            cors,
        }];
        if !code_headers.is_empty() {
            changes.push(Change::FunctionCodeCorsHeadersRemoved {
                function_name: function_name.to_string(),
                headers: code_headers,
            });
        }
        self.change_set(changes)
    }
}
