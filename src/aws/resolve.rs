//! Which configuration, API, stage and path a plan names: the one resolution, from the plan
//! to the source to ask ([`SourceChoice`]) and what to ask it ([`ConfigRequest`]). `check`,
//! the TUI and the runner all go through [`resolve`] (and later `fix`/`audit`).

use std::path::PathBuf;
use std::sync::Arc;

use super::file::{DefinitionOptions, OpenApiFile, ScenarioSource};
use super::sdk::{SdkOptions, SdkSource};
use super::{ConfigRequest, ConfigSource};
use crate::gateway::scenario::Scenario;
use crate::plan::Plan;
use crate::target::ApiRef;

/// Where a plan's configuration comes from.
#[derive(Clone, Debug)]
pub enum SourceChoice {
    /// An in-memory scenario (the demo): its API is the configuration.
    Scenario(Box<Scenario>),
    /// `--openapi FILE` (with `--kind`, when given; a template there is read as one).
    OpenApi {
        path: PathBuf,
        options: DefinitionOptions,
    },
    /// `--template FILE` (with `--parameter`s, and `--api-id`/`--path` to pick the API).
    Template {
        path: PathBuf,
        options: DefinitionOptions,
    },
    /// The AWS SDK, with the options the plan implies.
    Sdk(Box<SdkOptions>),
    /// No source: the configuration is not read, for this reason.
    None { reason: String },
}

/// The plan's configuration lookup: where, and what.
#[derive(Clone, Debug)]
pub struct Resolution {
    pub source: SourceChoice,
    pub request: ConfigRequest,
    /// Why the configuration is not read when no source is used (the plan names none, or
    /// the caller gave none).
    pub not_requested: String,
}

/// Why a configuration source could not be opened (the `--openapi` or `--template` file).
/// The message, and the flag that named the file (`--openapi`, `--template`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{1}: {0}")]
pub struct SourceError(pub String, pub &'static str);

impl Resolution {
    /// Opens the source the plan names (`None`: no source). Reading the `--openapi` file may
    /// fail; the SDK only checks credentials when the run starts.
    pub fn open(&self) -> Result<Option<Arc<dyn ConfigSource>>, SourceError> {
        Ok(match &self.source {
            SourceChoice::Scenario(s) => Some(Arc::new(ScenarioSource::new((**s).clone()))),
            SourceChoice::OpenApi { path, options } => Some(Arc::new(
                OpenApiFile::open_definition(path, options)
                    .map_err(|e| SourceError(e.to_string(), "--openapi"))?,
            )),
            SourceChoice::Template { path, options } => Some(Arc::new(
                OpenApiFile::open_template(path, options)
                    .map_err(|e| SourceError(e.to_string(), "--template"))?,
            )),
            SourceChoice::Sdk(options) => Some(Arc::new(SdkSource::new((**options).clone()))),
            SourceChoice::None { .. } => None,
        })
    }
}

/// Resolves everything the configuration lookup needs from the plan, once.
pub fn resolve(plan: &Plan) -> Resolution {
    let url = &plan.target.url;
    let url_ref = ApiRef::from_url(url);
    let host = url.host_str().unwrap_or_default().to_string();
    let local = is_local_host(&host);
    let request = config_request(plan, url_ref.clone());
    let not_requested = if !plan.aws.enabled {
        "AWS lookups are off (--no-aws)".to_string()
    } else if url_ref.is_none() && plan.api_id.is_none() {
        "the URL is not an execute-api URL and no API was named (--api-id, --openapi)".to_string()
    } else {
        "no configuration source was given (--openapi EXPORT.json)".to_string()
    };
    let source = if let Some(scenario) = &plan.scenario {
        SourceChoice::Scenario(scenario.clone())
    } else if let Some(path) = &plan.template {
        SourceChoice::Template {
            path: path.clone(),
            options: definition_options(plan),
        }
    } else if let Some(path) = &plan.openapi {
        SourceChoice::OpenApi {
            path: path.clone(),
            options: definition_options(plan),
        }
    } else if sdk_wanted(plan, url_ref.is_some(), local) {
        SourceChoice::Sdk(Box::new(sdk_options(plan, url_ref.as_ref(), &host, local)))
    } else {
        SourceChoice::None {
            reason: not_requested.clone(),
        }
    };
    Resolution {
        source,
        request,
        not_requested,
    }
}

/// What the definition file reader takes from the plan besides the file.
fn definition_options(plan: &Plan) -> DefinitionOptions {
    DefinitionOptions {
        kind: plan.kind,
        parameters: plan.parameters.clone(),
        api_id: plan.api_id.clone(),
        path: plan.path.clone(),
        stage: plan.stage.clone(),
    }
}

/// The AWS SDK is asked when the plan names an API (an execute-api URL, or `--api-id`), or
/// when a custom domain is probed and AWS was set up explicitly (a profile, region or
/// endpoint, on the command line, in the config file or the environment): a plain
/// non-AWS URL never makes the SDK look for credentials.
fn sdk_wanted(plan: &Plan, url_names_api: bool, local: bool) -> bool {
    if !plan.aws.enabled || plan.openapi.is_some() || plan.template.is_some() {
        return false;
    }
    if plan.api_id.is_some() || url_names_api {
        return true;
    }
    let explicit = plan.aws.profile.is_some()
        || plan.aws.region.is_some()
        || plan.aws.endpoint_url.is_some()
        || [
            "AWS_PROFILE",
            "AWS_ENDPOINT_URL_API_GATEWAY",
            "AWS_ENDPOINT_URL",
        ]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
    plan.live && !local && explicit
}

/// The SDK options of a plan, whether or not [`resolve`] chooses the SDK.
pub(super) fn sdk_options_of(plan: &Plan) -> SdkOptions {
    let url_ref = ApiRef::from_url(&plan.target.url);
    let host = plan.target.url.host_str().unwrap_or_default();
    sdk_options(plan, url_ref.as_ref(), host, is_local_host(host))
}

/// What the SDK source looks up: the URL's region and API, or a custom domain to resolve.
fn sdk_options(plan: &Plan, url_ref: Option<&ApiRef>, host: &str, local: bool) -> SdkOptions {
    let live_ref = url_ref.filter(|_| plan.live);
    let named_host = (!host.is_empty()).then(|| host.to_string());
    SdkOptions {
        profile: plan.aws.profile.clone(),
        region: plan.aws.region.clone(),
        endpoint_url: plan.aws.endpoint_url.clone(),
        url_region: live_ref.map(|r| r.region.clone()),
        custom_domain: (plan.live && url_ref.is_none() && plan.api_id.is_none())
            .then(|| named_host.clone())
            .flatten(),
        url_path: plan.live.then(|| plan.target.url.path().to_string()),
        max_attempts: None,
        stage: plan.stage.clone(),
        domain_hint: (plan.live
            && url_ref.is_none()
            && plan.api_id.is_some()
            && plan.path.is_none())
        .then_some(named_host)
        .flatten()
        .filter(|_| !local),
    }
}

/// What to ask the source: the API (from the URL or `--api-id`), the stage and the path.
fn config_request(plan: &Plan, url_ref: Option<ApiRef>) -> ConfigRequest {
    let url_names_api = url_ref.is_some();
    let mut api_ref = url_ref;
    match (api_ref.as_mut(), &plan.api_id) {
        (Some(r), Some(id)) => r.api_id = id.clone(),
        // `--api-id` with a URL that does not name the API (a custom domain, a proxy, a
        // loopback copy): the path below the stage is the URL's, less a leading `/{stage}`.
        (None, Some(id)) => {
            let url_path = plan.target.url.path();
            let below = plan
                .stage
                .as_deref()
                .and_then(|s| url_path.strip_prefix(&format!("/{s}")))
                .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                .unwrap_or(url_path);
            api_ref = Some(ApiRef {
                api_id: id.clone(),
                region: plan.aws.region.clone().unwrap_or_default(),
                stage: plan.stage.clone(),
                path: if below.is_empty() {
                    "/".to_string()
                } else {
                    below.to_string()
                },
            });
        }
        _ => {}
    }
    let stage = plan
        .stage
        .clone()
        .or_else(|| api_ref.as_ref().and_then(|r| r.stage.clone()));
    // A URL that does not name the API (custom domain, proxy) may carry a base path or any
    // prefix in front of the resource path: the API resolves it.
    let prefix_unknown =
        plan.live && plan.path.is_none() && plan.api_id.is_some() && !url_names_api;
    ConfigRequest {
        api_ref,
        url_path: plan.live.then(|| plan.target.url.path().to_string()),
        path: plan.path.clone(),
        stage,
        prefix_unknown,
    }
}

/// Loopback and IP-literal hosts are never custom domains.
fn is_local_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with('[')
        || host.parse::<std::net::IpAddr>().is_ok()
}
