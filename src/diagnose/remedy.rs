//! Remediation: prose and paste-ready AWS CLI commands. Ids that are not known yet appear as
//! `<placeholders>`. Commands never weaken security: authorization is only ever removed from
//! OPTIONS, and `*` is never combined with credentials.

use crate::target::CredentialsMode;

/// What a command needs to know about the API and the request.
#[derive(Clone, Debug, Default)]
pub struct FixContext {
    pub rest: bool,
    pub http: bool,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    pub resource_id: Option<String>,
    pub resource_path: String,
    pub origin: String,
    pub method: String,
    pub request_headers: Vec<String>,
    pub credentials: CredentialsMode,
    /// False when `resource_path` is only the URL's path (a prefix such as a custom domain's
    /// base path may stand in front of the resource path): commands then leave a placeholder.
    pub resource_path_known: bool,
}

impl FixContext {
    fn api_id(&self) -> &str {
        self.api_id.as_deref().unwrap_or("<rest-api-id>")
    }

    fn stage(&self) -> &str {
        self.stage.as_deref().unwrap_or("<stage>")
    }

    fn resource_id(&self) -> &str {
        self.resource_id.as_deref().unwrap_or("<resource-id>")
    }

    fn credentialed(&self) -> bool {
        self.credentials == CredentialsMode::Include
    }

    /// The origin to allow: the exact origin (never `*` when credentials are involved).
    pub fn allow_origin(&self) -> &str {
        &self.origin
    }

    /// Allow-Methods: the method under diagnosis plus OPTIONS.
    pub fn allow_methods(&self) -> String {
        let mut methods = vec![self.method.clone()];
        if !self.method.eq_ignore_ascii_case("OPTIONS") {
            methods.push("OPTIONS".to_string());
        }
        methods.join(",")
    }

    /// Allow-Headers: the headers the browser asks for, plus the usual content-type.
    pub fn allow_headers(&self) -> String {
        let mut headers: Vec<String> = self.request_headers.clone();
        if !headers.iter().any(|h| h == "content-type") {
            headers.push("content-type".to_string());
        }
        headers.join(",")
    }

    /// The CORS headers an OPTIONS answer needs, as (name, value) pairs.
    pub fn preflight_headers(&self) -> Vec<(String, String)> {
        let mut h = vec![
            (
                "Access-Control-Allow-Origin".to_string(),
                self.allow_origin().to_string(),
            ),
            (
                "Access-Control-Allow-Methods".to_string(),
                self.allow_methods(),
            ),
            (
                "Access-Control-Allow-Headers".to_string(),
                self.allow_headers(),
            ),
        ];
        if self.credentialed() {
            h.push((
                "Access-Control-Allow-Credentials".to_string(),
                "true".to_string(),
            ));
        }
        h
    }

    /// A command that finds the resource id when it is not known.
    fn find_resource(&self) -> Option<String> {
        self.resource_id.is_none().then(|| {
            format!(
                "aws apigateway get-resources --rest-api-id {} --query \"items[?path=='{}'].id\" --output text",
                self.api_id(),
                if self.resource_path_known {
                    self.resource_path.as_str()
                } else {
                    "<resource-path>"
                }
            )
        })
    }

    pub fn deploy(&self) -> String {
        if self.http {
            format!(
                "aws apigatewayv2 create-deployment --api-id {} --stage-name {}",
                self.api_id(),
                self.stage()
            )
        } else {
            format!(
                "aws apigateway create-deployment --rest-api-id {} --stage-name {}",
                self.api_id(),
                self.stage()
            )
        }
    }

    /// The HTTP API fix: a CORS configuration (API Gateway then answers preflights itself).
    pub fn http_cors_configuration(&self) -> String {
        let list = |s: String| {
            s.split(',')
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut json = format!(
            "{{\"AllowOrigins\":[\"{}\"],\"AllowMethods\":[{}],\"AllowHeaders\":[{}]",
            self.allow_origin(),
            list(self.allow_methods()),
            list(self.allow_headers())
        );
        if self.credentialed() {
            json.push_str(",\"AllowCredentials\":true");
        }
        json.push_str(",\"MaxAge\":300}");
        format!(
            "aws apigatewayv2 update-api --api-id {} --cors-configuration '{json}'",
            self.api_id()
        )
    }

    /// Adds an OPTIONS MOCK method that answers the preflight (the console's "Enable CORS").
    pub fn add_options_method(&self) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
        }
        let (api, rid) = (self.api_id(), self.resource_id());
        let headers = self.preflight_headers();
        let declared = json_object(headers.iter().map(|(n, _)| {
            (
                format!("method.response.header.{n}"),
                "true".to_string(),
                false,
            )
        }));
        let mapped = json_object(headers.iter().map(|(n, v)| {
            (
                format!("method.response.header.{n}"),
                format!("'{v}'"),
                true,
            )
        }));
        let mut cmds: Vec<String> = self.find_resource().into_iter().collect();
        cmds.extend([
            format!("aws apigateway put-method --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --authorization-type NONE --no-api-key-required"),
            format!("aws apigateway put-integration --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --type MOCK --request-templates '{{\"application/json\":\"{{\\\"statusCode\\\": 200}}\"}}'"),
            format!("aws apigateway put-method-response --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --status-code 200 --response-parameters {declared}"),
            format!("aws apigateway put-integration-response --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --status-code 200 --response-parameters {mapped}"),
            self.deploy(),
        ]);
        cmds
    }

    /// HTTP API: an `OPTIONS /{proxy+}` route without authorization, with an integration
    /// attached (AWS's documented fix when an authorized `$default` or `ANY` route catches the
    /// preflight: the route has priority over them). `integration_id`: the integration of the
    /// route that catches OPTIONS today, when known (else a command looks it up).
    /// `auto_deploy`: the stage deploys changes itself (else a deployment follows).
    pub fn http_options_route(
        &self,
        integration_id: Option<&str>,
        auto_deploy: bool,
    ) -> Vec<String> {
        let api = self.api_id.as_deref().unwrap_or("<api-id>");
        let mut cmds = Vec::new();
        if integration_id.is_none() {
            cmds.push(format!(
                "aws apigatewayv2 get-integrations --api-id {api} --query \"Items[].[IntegrationId,IntegrationType,IntegrationUri]\" --output text"
            ));
        }
        cmds.push(format!(
            "aws apigatewayv2 create-route --api-id {api} --route-key 'OPTIONS /{{proxy+}}' --authorization-type NONE --target integrations/{}",
            integration_id.unwrap_or("<integration-id>")
        ));
        if !auto_deploy {
            cmds.push(self.deploy());
        }
        cmds
    }

    /// Declares and maps CORS headers on a non-OPTIONS REST method's `status` response
    /// (`headers`: name and value), like [`FixContext::map_options_headers`] for OPTIONS.
    pub fn map_method_headers(
        &self,
        http_method: &str,
        status: &str,
        headers: &[(String, String)],
        declare: bool,
        map: bool,
    ) -> Vec<String> {
        let (api, rid) = (self.api_id(), self.resource_id());
        let mut cmds: Vec<String> = self.find_resource().into_iter().collect();
        if declare {
            let ops: Vec<String> = headers
                .iter()
                .map(|(n, _)| {
                    format!(
                        "op=add,path=/responseParameters/method.response.header.{n},value=false"
                    )
                })
                .collect();
            cmds.push(format!(
                "aws apigateway update-method-response --rest-api-id {api} --resource-id {rid} --http-method {http_method} --status-code {status} --patch-operations {}",
                ops.join(" ")
            ));
        }
        if map {
            let ops: Vec<String> = headers
                .iter()
                .map(|(n, v)| format!("\"op=add,path=/responseParameters/method.response.header.{n},value='{v}'\""))
                .collect();
            cmds.push(format!(
                "aws apigateway update-integration-response --rest-api-id {api} --resource-id {rid} --http-method {http_method} --status-code {status} --patch-operations {}",
                ops.join(" ")
            ));
        }
        cmds.push(self.deploy());
        cmds
    }

    /// Adds Access-Control-Allow-Origin to one customized gateway response only, keeping the
    /// rest of its customization (a more specific type that overrides DEFAULT_4XX/5XX).
    pub fn gateway_response_add_allow_origin(&self, response_type: &str) -> Vec<String> {
        vec![
            format!(
                "aws apigateway update-gateway-response --rest-api-id {} --response-type {response_type} --patch-operations \"[{{\\\"op\\\":\\\"add\\\",\\\"path\\\":\\\"/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin\\\",\\\"value\\\":\\\"'{}'\\\"}}]\"",
                self.api_id(),
                self.allow_origin()
            ),
            self.deploy(),
        ]
    }

    /// Removes authorization and the API-key requirement from OPTIONS only.
    pub fn unauthorize_options(&self) -> Vec<String> {
        if self.http {
            // Whatever the cors_configuration, a route that catches OPTIONS with an authorizer
            // answers the preflight first (gateway::behavior::preflight_route).
            return self.http_options_route(None, true);
        }
        let (api, rid) = (self.api_id(), self.resource_id());
        let mut cmds: Vec<String> = self.find_resource().into_iter().collect();
        cmds.push(format!(
            "aws apigateway update-method --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --patch-operations op=replace,path=/authorizationType,value=NONE op=replace,path=/apiKeyRequired,value=false"
        ));
        cmds.push(self.deploy());
        cmds
    }

    /// Declares and maps the given headers on the OPTIONS method's 200 response.
    pub fn map_options_headers(&self, declare: bool, map: bool) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
        }
        let (api, rid) = (self.api_id(), self.resource_id());
        let headers = self.preflight_headers();
        let mut cmds: Vec<String> = self.find_resource().into_iter().collect();
        if declare {
            let ops: Vec<String> = headers
                .iter()
                .map(|(n, _)| {
                    format!(
                        "op=add,path=/responseParameters/method.response.header.{n},value=false"
                    )
                })
                .collect();
            cmds.push(format!(
                "aws apigateway update-method-response --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --status-code 200 --patch-operations {}",
                ops.join(" ")
            ));
        }
        if map {
            let ops: Vec<String> = headers
                .iter()
                .map(|(n, v)| format!("\"op=add,path=/responseParameters/method.response.header.{n},value='{v}'\""))
                .collect();
            cmds.push(format!(
                "aws apigateway update-integration-response --rest-api-id {api} --resource-id {rid} --http-method OPTIONS --status-code 200 --patch-operations {}",
                ops.join(" ")
            ));
        }
        cmds.push(self.deploy());
        cmds
    }

    /// Adds CORS headers to a gateway response type (and the DEFAULT_4XX/5XX catch-alls).
    pub fn gateway_response_cors(&self, response_type: &str) -> Vec<String> {
        if self.http {
            return vec![self.http_cors_configuration()];
        }
        let mut params = vec![(
            "gatewayresponse.header.Access-Control-Allow-Origin".to_string(),
            format!("'{}'", self.allow_origin()),
            true,
        )];
        if self.credentialed() {
            params.push((
                "gatewayresponse.header.Access-Control-Allow-Credentials".to_string(),
                "'true'".to_string(),
                true,
            ));
        }
        let json = json_object(params.into_iter());
        let mut types = vec![response_type.to_string()];
        for t in ["DEFAULT_4XX", "DEFAULT_5XX"] {
            if !types.iter().any(|x| x == t) {
                types.push(t.to_string());
            }
        }
        let mut cmds: Vec<String> = types
            .iter()
            .map(|t| {
                format!(
                    "aws apigateway put-gateway-response --rest-api-id {} --response-type {t} --response-parameters {json}",
                    self.api_id()
                )
            })
            .collect();
        cmds.push(self.deploy());
        cmds
    }
}

/// A JSON object as one double-quoted shell word; `quoted` values become JSON strings.
fn json_object(entries: impl Iterator<Item = (String, String, bool)>) -> String {
    let body: Vec<String> = entries
        .map(|(k, v, quoted)| {
            if quoted {
                format!("\\\"{k}\\\":\\\"{v}\\\"")
            } else {
                format!("\\\"{k}\\\":{v}")
            }
        })
        .collect();
    format!("\"{{{}}}\"", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> FixContext {
        FixContext {
            rest: true,
            api_id: Some("abc123".into()),
            stage: Some("prod".into()),
            resource_path: "/items".into(),
            origin: "https://app.example.com".into(),
            method: "PUT".into(),
            request_headers: vec!["authorization".into(), "content-type".into()],
            resource_path_known: true,
            ..FixContext::default()
        }
    }

    #[test]
    fn gateway_response_commands_name_the_api_and_never_use_a_wildcard_with_credentials() {
        let mut c = ctx();
        c.credentials = CredentialsMode::Include;
        let cmds = c.gateway_response_cors("THROTTLED");
        assert_eq!(cmds.len(), 4);
        assert!(cmds[0].starts_with(
            "aws apigateway put-gateway-response --rest-api-id abc123 --response-type THROTTLED"
        ));
        assert!(cmds[0].contains("Access-Control-Allow-Origin\\\":\\\"'https://app.example.com'"));
        assert!(cmds[0].contains("Allow-Credentials"));
        assert!(cmds.iter().all(|c| !c.contains("'*'")));
        assert_eq!(
            cmds[3],
            "aws apigateway create-deployment --rest-api-id abc123 --stage-name prod"
        );
    }

    #[test]
    fn options_commands_find_the_resource_when_its_id_is_unknown() {
        let cmds = ctx().add_options_method();
        assert!(cmds[0].contains("get-resources --rest-api-id abc123"));
        assert!(cmds[1].contains("--http-method OPTIONS --authorization-type NONE"));
        assert!(cmds.iter().any(|c| c.contains("'PUT,OPTIONS'")));
        assert!(cmds
            .iter()
            .any(|c| c.contains("'authorization,content-type'")));
    }

    #[test]
    fn unauthorizing_touches_only_options() {
        let cmds = ctx().unauthorize_options();
        assert!(cmds
            .iter()
            .all(|c| !c.contains("update-method") || c.contains("--http-method OPTIONS")));
    }
}
