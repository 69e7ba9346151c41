//! Scenarios: an API exported in AWS's format plus a top-level `x-cors-doctor-scenario` block
//! naming the request under diagnosis, what the backend answers, what the stage's deployment
//! lacks, and what a correct diagnosis concludes. The files live in `assets/scenarios/` and are
//! embedded in the binary.
//!
//! The block (all keys but the optional ones are required; unknown keys are an error):
//! ```json
//! "x-cors-doctor-scenario": {
//!   "title": "OPTIONS missing", "summary": "one line on what is broken",
//!   "stage": "prod",
//!   "request": { "path": "/items", "method": "POST", "origin": "https://app.example.com",
//!                "headers": { "Content-Type": "application/json" },
//!                "credentials": "same-origin", "body": "{}" },
//!   "backend": { "POST /items": { "status": 201, "headers": {}, "body": "{}" } },
//!   "deployment": { "id": "d2", "not_deployed": [{ "path": "/items", "method": "OPTIONS" }] },
//!   "throttling": [{ "path": "/items", "method": "GET", "rate_limit": 0, "burst_limit": 0 }],
//!   "api_keys": [{ "value": "k" }], "stage_variables": {}, "auto_deploy": false,
//!   "expect": { "first_failing_step": 3, "codes": ["OPTIONS_MISSING"],
//!               "preflight": { "status": 403, "allow_origin": false },
//!               "actual": { "status": 201, "allow_origin": true } }
//! }
//! ```
//! `request.path` is the resource path below the stage. `backend` keys are described at
//! [`RouteBackend`]. `expect.preflight` is absent when the request needs no preflight.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::behavior::RouteBackend;
use super::front::Front;
use super::model::{Api, ApiKey, Deployment, Stage, ThrottleSetting, DEFAULT_STAGE};
use super::openapi::{self, ImportError};
use crate::http::{Headers, HttpRequest};
use crate::target::CredentialsMode;

/// The top-level key of the scenario block.
pub const SCENARIO_KEY: &str = "x-cors-doctor-scenario";

/// Scenario files larger than this are refused (a scenario is an API export plus a request).
pub const MAX_SCENARIO_BYTES: u64 = 64 * 1024 * 1024;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../assets/scenarios/", $name, ".json")))),*]
    };
}

/// The scenarios shipped with the binary: (name, file text).
pub const EMBEDDED: &[(&str, &str)] = embedded![
    "options-missing",
    "options-not-deployed",
    "options-cognito-authorizer",
    "options-api-key-required",
    "header-declared-not-mapped",
    "header-mapped-not-declared",
    "allow-headers-missing-authorization",
    "lambda-proxy-no-allow-origin",
    "throttled-default-gateway-responses",
    "gateway-responses-cors-healthy",
    "http-api-default-route-jwt",
    "http-api-default-route-jwt-cors",
    "http-api-any-proxy-jwt",
    "http-api-healthy",
    "rest-healthy",
    "custom-domain-no-mapping",
    "resource-policy-deny",
    "private-api-outside-vpc",
    "waf-blocked-no-cors",
    "waf-blocked-cors-healthy",
    "function-url-duplicate-cors",
    "load-balancer-target-unhealthy",
    "cloudfront-options-not-allowed",
    "cloudfront-cache-ignores-origin",
    "cloudfront-error-no-cors",
    "cloudfront-duplicate-cors-headers",
    "cloudfront-healthy",
];

/// The scenario block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub title: String,
    /// One line on what is broken (or that nothing is).
    pub summary: String,
    /// The stage the request goes to (`prod`, `$default`).
    pub stage: String,
    pub request: ScenarioRequest,
    /// What the integrations answer (proxy, HTTP, AWS).
    #[serde(default, skip_serializing_if = "is_empty_backend")]
    pub backend: RouteBackend,
    /// The deployment the stage serves, and what of the working copy it lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<DeploymentSpec>,
    /// Stage throttling (see [`ThrottleSetting`]; limits of 0 throttle every request).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub throttling: Vec<ThrottleSetting>,
    /// API keys in a usage plan of the stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_keys: Vec<ApiKey>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stage_variables: BTreeMap<String, String>,
    /// HTTP APIs: the stage deploys every change at once.
    #[serde(default)]
    pub auto_deploy: bool,
    /// What stands in front of the API (CloudFront, a custom domain, WAF …); absent: the
    /// request reaches the API's own endpoint.
    #[serde(default, skip_serializing_if = "Front::is_empty")]
    pub front: Front,
    pub expect: Expectation,
}

fn is_empty_backend(b: &RouteBackend) -> bool {
    b.0.is_empty()
}

/// The browser app's request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequest {
    /// Below the stage: `/items/42`.
    pub path: String,
    pub method: String,
    pub origin: String,
    /// Headers the app sets (the browser adds Origin itself).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub credentials: CredentialsMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentSpec {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Methods of the working copy the deployment does not contain (added after it was made).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_deployed: Vec<MethodRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodRef {
    /// Template path (`/items/{id}`).
    pub path: String,
    pub method: String,
}

/// What a correct diagnosis concludes, and what API Gateway answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// `null` for a healthy API.
    pub first_failing_step: Option<u8>,
    /// Finding codes (report-schema.md) the diagnosis must report; it may report more
    /// (info codes such as PREFLIGHT_REQUIRED are not listed).
    pub codes: Vec<String>,
    /// The preflight's answer; absent when the request needs no preflight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<ExpectedResponse>,
    /// The actual request's answer (with Origin).
    pub actual: ExpectedResponse,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedResponse {
    pub status: u16,
    /// Whether Access-Control-Allow-Origin is present.
    pub allow_origin: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {path}: {message}")]
    Io { path: String, message: String },
    #[error("scenario '{name}' is not valid JSON: {message}")]
    Json { name: String, message: String },
    #[error("scenario '{name}': {source}")]
    Import {
        name: String,
        #[source]
        source: ImportError,
    },
    #[error("scenario '{name}': {SCENARIO_KEY}: {message}")]
    Block { name: String, message: String },
    #[error("no scenario named '{name}' (known: {known})")]
    NotFound { name: String, known: String },
}

/// A loaded scenario: the API (with the stage, deployment and keys the block describes
/// applied) and the block itself.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The file stem (`options-missing`).
    pub name: String,
    pub spec: ScenarioSpec,
    pub api: Api,
}

impl Scenario {
    /// Names of the embedded scenarios, in catalogue order.
    pub fn names() -> Vec<&'static str> {
        EMBEDDED.iter().map(|(n, _)| *n).collect()
    }

    /// Every embedded scenario.
    pub fn all() -> Result<Vec<Scenario>, ScenarioError> {
        EMBEDDED
            .iter()
            .map(|(name, text)| Scenario::parse(name, text))
            .collect()
    }

    /// One embedded scenario.
    pub fn by_name(name: &str) -> Result<Scenario, ScenarioError> {
        let name = name.strip_suffix(".json").unwrap_or(name);
        match EMBEDDED.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Scenario::parse(n, text),
            None => Err(ScenarioError::NotFound {
                name: name.to_string(),
                known: Scenario::names().join(", "),
            }),
        }
    }

    pub fn parse(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
        let doc: Value = serde_json::from_str(text).map_err(|e| ScenarioError::Json {
            name: name.to_string(),
            message: e.to_string(),
        })?;
        Scenario::from_value(name, doc)
    }

    pub fn from_value(name: &str, mut doc: Value) -> Result<Scenario, ScenarioError> {
        let block_err = |message: String| ScenarioError::Block {
            name: name.to_string(),
            message,
        };
        let block = doc
            .as_object_mut()
            .and_then(|o| o.remove(SCENARIO_KEY))
            .ok_or_else(|| block_err("missing (a scenario is an export plus this block)".into()))?;
        let spec: ScenarioSpec =
            serde_json::from_value(block).map_err(|e| block_err(e.to_string()))?;
        let mut api = openapi::import(&doc).map_err(|source| ScenarioError::Import {
            name: name.to_string(),
            source,
        })?;
        apply(&mut api, &spec).map_err(|e| block_err(e.to_string()))?;
        front_waf(&mut api, &spec).map_err(block_err)?;
        Ok(Scenario {
            name: name.to_string(),
            spec,
            api,
        })
    }

    /// The scenario file's content: the export of the API plus the block.
    pub fn to_value(&self) -> Value {
        let mut doc = openapi::export(&self.api);
        if let (Some(o), Ok(block)) = (doc.as_object_mut(), serde_json::to_value(&self.spec)) {
            o.insert(SCENARIO_KEY.to_string(), block);
        }
        doc
    }

    pub fn stage(&self) -> &str {
        &self.spec.stage
    }

    pub fn backend(&self) -> &RouteBackend {
        &self.spec.backend
    }

    /// The request path as sent to the default endpoint (`/prod/items`; no prefix for the
    /// HTTP API `$default` stage), or to the custom domain in front (`/v1/items`).
    pub fn url_path(&self) -> String {
        // Behind a custom domain the browser calls the domain's base path, not the stage.
        if let Some(domain) = &self.spec.front.custom_domain {
            return domain.app_path(&self.spec.request.path);
        }
        if self.spec.stage == DEFAULT_STAGE {
            self.spec.request.path.clone()
        } else {
            format!("/{}{}", self.spec.stage, self.spec.request.path)
        }
    }

    /// The actual request as the browser sends it (path below the stage, with Origin).
    pub fn actual_request(&self) -> HttpRequest {
        let mut r = self.no_origin_request();
        r.headers.push("Origin", self.spec.request.origin.clone());
        r
    }

    /// The same request without Origin (what curl sends).
    pub fn no_origin_request(&self) -> HttpRequest {
        let req = &self.spec.request;
        HttpRequest {
            method: req.method.to_ascii_uppercase(),
            path_and_query: req.path.clone(),
            headers: req
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            body: req.body.clone().unwrap_or_default().into_bytes(),
        }
    }

    /// The browser's preflight for the request. `Access-Control-Request-Headers` lists the
    /// header names that are not CORS-safelisted by a simplified rule (the CORS engine in
    /// `cors/` is the authority; this is for simulations and tests).
    pub fn preflight_request(&self) -> HttpRequest {
        let req = &self.spec.request;
        let mut unsafe_names: Vec<String> = req
            .headers
            .iter()
            .filter(|(k, v)| !is_safelisted(k, v))
            .map(|(k, _)| k.to_ascii_lowercase())
            .collect();
        unsafe_names.sort();
        unsafe_names.dedup();
        let mut headers = Headers::new().with("Origin", req.origin.clone()).with(
            "Access-Control-Request-Method",
            req.method.to_ascii_uppercase(),
        );
        if !unsafe_names.is_empty() {
            headers.push("Access-Control-Request-Headers", unsafe_names.join(","));
        }
        HttpRequest {
            method: "OPTIONS".into(),
            path_and_query: req.path.clone(),
            headers,
            body: Vec::new(),
        }
    }
}

fn is_safelisted(name: &str, value: &str) -> bool {
    match name.to_ascii_lowercase().as_str() {
        "accept" | "accept-language" | "content-language" => true,
        "content-type" => {
            let essence = value
                .split(';')
                .next()
                .unwrap_or(value)
                .trim()
                .to_ascii_lowercase();
            matches!(
                essence.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            )
        }
        _ => false,
    }
}

/// What a scenario block names that its API does not have.
#[derive(Debug, thiserror::Error)]
enum ApplyError {
    #[error("deployment.not_deployed: no resource '{path}'")]
    NoResource { path: String },
    #[error("deployment.not_deployed: no method {method} on '{path}'")]
    NoMethod { method: String, path: String },
}

/// A regional web ACL in `front.waf`: refused where AWS WAF would refuse it (HTTP APIs
/// cannot be associated: <https://docs.aws.amazon.com/waf/latest/developerguide/waf-chapter.html>
/// lists REST APIs only), else recorded on the stage as the SDK reads it (`webAclArn`).
fn front_waf(api: &mut Api, spec: &ScenarioSpec) -> Result<(), String> {
    let Some(waf) = &spec.front.waf else {
        return Ok(());
    };
    let mut problems = waf.problems();
    let regional = waf.scope == crate::gateway::front::waf::Scope::Regional;
    if regional && api.kind == crate::gateway::model::ApiKind::Http {
        problems.push("front.waf: AWS WAF protects REST API stages, not HTTP APIs; put the web ACL on a CloudFront distribution in front (\"scope\": \"cloudfront\").".to_string());
    }
    if !problems.is_empty() {
        return Err(problems.join(" "));
    }
    if regional {
        let region = api
            .region
            .clone()
            .unwrap_or_else(|| "us-east-1".to_string());
        let arn = format!(
            "arn:aws:wafv2:{region}:123456789012:regional/webacl/{}/00000000-0000-4000-8000-000000000000",
            waf.name
        );
        for stage in api.stages.iter_mut().filter(|s| s.name == spec.stage) {
            stage.web_acl_arn = Some(arn.clone());
        }
    }
    Ok(())
}

/// Applies the stage, deployment, keys and throttling of the block to the imported API.
fn apply(api: &mut Api, spec: &ScenarioSpec) -> Result<(), ApplyError> {
    let mut stage = Stage {
        name: spec.stage.clone(),
        auto_deploy: spec.auto_deploy,
        variables: spec.stage_variables.clone(),
        throttling: spec.throttling.clone(),
        ..Default::default()
    };
    if let Some(d) = &spec.deployment {
        let snapshot = if d.not_deployed.is_empty() {
            None
        } else {
            let mut snap = api.snapshot();
            for m in &d.not_deployed {
                let resource = snap
                    .resources
                    .iter_mut()
                    .find(|r| r.path == m.path)
                    .ok_or_else(|| ApplyError::NoResource {
                        path: m.path.clone(),
                    })?;
                let before = resource.methods.len();
                resource
                    .methods
                    .retain(|x| !x.http_method.eq_ignore_ascii_case(&m.method));
                if resource.methods.len() == before {
                    return Err(ApplyError::NoMethod {
                        method: m.method.clone(),
                        path: m.path.clone(),
                    });
                }
            }
            Some(snap)
        };
        api.deployments.push(Deployment {
            id: d.id.clone(),
            description: d.description.clone(),
            snapshot,
            redeployed_on_change: None,
        });
        stage.deployment_id = Some(d.id.clone());
    }
    api.stages.push(stage);
    api.api_keys = spec.api_keys.clone();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::behavior::{respond, Context};
    use crate::gateway::openapi::{export, import};

    #[test]
    fn every_embedded_scenario_parses() {
        let all = Scenario::all().unwrap();
        assert!(all.len() >= 13);
        for s in &all {
            assert!(!s.spec.title.is_empty(), "{}", s.name);
            assert!(s.api.stage(&s.spec.stage).is_some(), "{}", s.name);
        }
        assert_eq!(
            Scenario::by_name("rest-healthy.json").unwrap().name,
            "rest-healthy"
        );
        assert!(matches!(
            Scenario::by_name("nope"),
            Err(ScenarioError::NotFound { .. })
        ));
    }

    #[test]
    fn files_on_disk_match_the_embedded_list() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| {
                let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
                Scenario::parse(&stem, &std::fs::read_to_string(&p).unwrap())
                    .unwrap()
                    .name
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = Scenario::names().into_iter().map(String::from).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn import_export_import_is_lossless_for_every_scenario() {
        for (name, text) in EMBEDDED {
            let mut doc: Value = serde_json::from_str(text).unwrap();
            doc.as_object_mut().unwrap().remove(SCENARIO_KEY);
            let first = import(&doc).unwrap();
            let second = import(&export(&first)).unwrap();
            assert_eq!(first, second, "{name}: OpenAPI round trip");
            let s = Scenario::parse(name, text).unwrap();
            let again = Scenario::from_value(name, s.to_value()).unwrap();
            assert_eq!(s, again, "{name}: scenario round trip");
        }
    }

    /// `request` (path below the stage) sent to the scenario's URL path, through the layers
    /// in front, as the simulator serves it.
    fn served(
        s: &Scenario,
        request: &HttpRequest,
        ctx: &Context<'_>,
    ) -> crate::gateway::behavior::Answer {
        use crate::gateway::behavior::respond_to_path;
        use crate::gateway::front::{self, FrontState};
        let mut sent = request.clone();
        sent.path_and_query = s.url_path();
        let mut answer = None;
        let through = front::respond(&s.spec.front, &mut FrontState::default(), &sent, &mut |r| {
            let a = respond_to_path(&s.api, r, ctx);
            let resp = a.response.clone();
            answer = Some(a);
            resp
        });
        match answer {
            Some(mut a) => {
                a.response = through.response;
                a
            }
            // A layer in front answered itself.
            None => crate::gateway::behavior::Answer {
                response: through.response,
                matched: None,
                produced_by: crate::gateway::behavior::Producer::Gateway {
                    response_type: "FRONT".into(),
                },
            },
        }
    }

    #[test]
    fn a_regional_web_acl_is_refused_on_an_http_api_and_recorded_on_a_rest_stage() {
        let with_waf = |name: &str| {
            let text = EMBEDDED.iter().find(|(n, _)| *n == name).unwrap().1;
            let mut doc: Value = serde_json::from_str(text).unwrap();
            doc[SCENARIO_KEY]["front"] = serde_json::json!({"waf": {"name": "acl"}});
            Scenario::from_value(name, doc)
        };
        let err = with_waf("http-api-healthy").unwrap_err().to_string();
        assert!(err.contains("not HTTP APIs"), "{err}");
        let s = with_waf("rest-healthy").unwrap();
        let stage = s
            .api
            .stages
            .iter()
            .find(|st| st.name == s.spec.stage)
            .unwrap();
        assert!(stage
            .web_acl_arn
            .as_deref()
            .is_some_and(|a| a.contains(":regional/webacl/acl/")));
    }

    #[test]
    fn behaviour_matches_each_scenarios_expectations() {
        for s in Scenario::all().unwrap() {
            let ctx = Context::new(1, s.backend());
            if let Some(pre) = s.spec.expect.preflight {
                let a = served(&s, &s.preflight_request(), &ctx);
                assert_eq!(
                    a.response.status, pre.status,
                    "{}: preflight status",
                    s.name
                );
                assert_eq!(
                    a.response.headers.contains("access-control-allow-origin"),
                    pre.allow_origin,
                    "{}: preflight Allow-Origin",
                    s.name
                );
            }
            let act = s.spec.expect.actual;
            let a = served(&s, &s.actual_request(), &ctx);
            assert_eq!(a.response.status, act.status, "{}: actual status", s.name);
            assert_eq!(
                a.response.headers.contains("access-control-allow-origin"),
                act.allow_origin,
                "{}: actual Allow-Origin",
                s.name
            );
            // Healthy scenarios succeed; broken ones name a step and a code.
            let e = &s.spec.expect;
            assert_eq!(
                e.first_failing_step.is_none(),
                e.codes.is_empty(),
                "{}",
                s.name
            );
        }
    }

    #[test]
    fn url_paths_route_to_the_same_answer() {
        use crate::gateway::behavior::respond_to_path;
        for s in Scenario::all().unwrap() {
            // Behind a custom domain the URL path is the domain's (its base path, not the
            // stage): served through the front in behaviour_matches_each_scenarios_expectations.
            if s.spec.front.custom_domain.is_some() {
                continue;
            }
            let ctx = Context::new(3, s.backend());
            let direct = respond(&s.api, Some(s.stage()), &s.actual_request(), &ctx);
            let mut sent = s.actual_request();
            sent.path_and_query = s.url_path();
            assert_eq!(respond_to_path(&s.api, &sent, &ctx), direct, "{}", s.name);
        }
    }

    #[test]
    fn not_deployed_options_stays_in_the_working_copy() {
        let s = Scenario::by_name("options-not-deployed").unwrap();
        let ctx = Context::new(1, s.backend());
        let pre = s.preflight_request();
        assert_eq!(respond(&s.api, None, &pre, &ctx).response.status, 200);
        assert_eq!(
            respond(&s.api, Some("prod"), &pre, &ctx).response.status,
            403
        );
    }

    #[test]
    fn block_errors_are_clear() {
        let e = Scenario::parse("x", r#"{"openapi":"3.0.1","paths":{}}"#).unwrap_err();
        assert!(e.to_string().contains("x-cors-doctor-scenario: missing"));
        let e = Scenario::parse(
            "x",
            r#"{"openapi":"3.0.1","paths":{},"x-cors-doctor-scenario":{"title":"t"}}"#,
        )
        .unwrap_err();
        assert!(e
            .to_string()
            .starts_with("scenario 'x': x-cors-doctor-scenario: missing field"));
    }
}
