//! Live configuration from the AWS control plane (aws-sdk-apigateway and -apigatewayv2).
//!
//! Credentials and settings come from aws-config's default chain (environment, profiles, SSO,
//! credential processes, container and instance roles), so `--profile`, `--region`,
//! `--endpoint-url` and the `AWS_ENDPOINT_URL*` variables work as in the AWS CLI. The region is
//! `--region`, else the one an execute-api URL names, else the chain's.
//!
//! A lookup resolves the target (REST or HTTP API, custom domains through their base path or
//! API mappings), then reads the API with a fixed budget of calls, concurrently where
//! independent (see [`rest`] and [`http_api`]). A lookup that fails for lack of permission
//! becomes a [`ConfigGap`] (the step it feeds is `unknown`, naming the IAM action and ARN);
//! missing or expired credentials stop the run before any probe ([`SdkSource::preflight`]).

mod domain;
pub mod errors;
pub mod http_api;
pub mod intercept;
pub mod rest;
mod setup;
pub mod throttle;

use domain::custom_domain;
use setup::build_clients;
pub use setup::credentials_help;

use std::time::Duration;

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use tokio::sync::OnceCell;

use super::{BoxFuture, ConfigRequest, ConfigSource, CredentialsError, LoadedConfig, Unavailable};
use crate::evidence::{ConfigGap, ConfigSourceKind};
use crate::gateway::model::{ApiKind, DEFAULT_STAGE};
use crate::plan::Plan;
use errors::LookupError;
use intercept::CallCounter;

/// STS GetCallerIdentity, for the report header only: never worth waiting long for.
const IDENTITY_TIMEOUT: Duration = Duration::from_secs(3);

/// What the SDK source was asked to look up, captured from the plan.
#[derive(Clone, Debug, Default)]
pub struct SdkOptions {
    pub profile: Option<String>,
    /// `--region` (wins over the URL's).
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// The region an execute-api URL names (not a synthesized one).
    pub url_region: Option<String>,
    /// A live URL's host that is not an execute-api host: a custom domain to resolve.
    pub custom_domain: Option<String>,
    /// The live URL's path (`/v1/items`), for custom domain mappings.
    pub url_path: Option<String>,
    /// Retries (attempts in all); tests lower it.
    pub max_attempts: Option<u32>,
    /// `--stage`, when given: a stage the API does not have is an error naming those it has.
    pub stage: Option<String>,
    /// `--api-id` with a live URL on another host (a custom domain, maybe): its base path or
    /// API mappings, when it has some for that API, say where the resource path starts.
    pub domain_hint: Option<String>,
}

impl SdkOptions {
    /// The options a plan implies, as [`super::resolve()`] computes them (also when the plan
    /// would not use the SDK: tests point them at an emulator).
    pub fn from_plan(plan: &Plan) -> Self {
        super::resolve::sdk_options_of(plan)
    }
}

/// The two clients, sharing one configuration, call counter and repair interceptor.
#[derive(Clone, Debug)]
pub struct Clients {
    pub v1: aws_sdk_apigateway::Client,
    pub v2: aws_sdk_apigatewayv2::Client,
    /// The region the clients call.
    pub region: String,
    /// Where the region came from, in words (`--region`, `the URL`, `the profile/environment`).
    pub region_source: &'static str,
    sdk: SdkConfig,
}

/// The SDK clients cannot be set up (a profile that does not exist, a bad config file): the
/// message names the file or the profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SetupError(pub String);

/// The AWS SDK configuration source.
pub struct SdkSource {
    options: SdkOptions,
    counter: CallCounter,
    clients: OnceCell<Result<Clients, SetupError>>,
}

impl SdkSource {
    pub fn new(options: SdkOptions) -> Self {
        SdkSource {
            options,
            counter: CallCounter::default(),
            clients: OnceCell::new(),
        }
    }

    /// Control-plane calls made so far.
    pub fn calls(&self) -> u32 {
        self.counter.get()
    }

    /// Clients for an account audit: every API Gateway request waits for `limiter`'s tokens
    /// and is counted there; anything but a read is refused ([`throttle`]).
    pub async fn limited_clients(&self, limiter: throttle::Limiter) -> Result<Clients, SetupError> {
        setup::build_clients_with(&self.options, self.counter.clone(), Some(limiter)).await
    }

    /// The clients, built once (reads the shared config and profile files; no network).
    pub async fn clients(&self) -> Result<&Clients, SetupError> {
        self.clients
            .get_or_init(|| build_clients(&self.options, self.counter.clone()))
            .await
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Checks that credentials can be had, before anything is probed: `Err` is the message
    /// for exit status 2, with the exact next command.
    pub async fn check_credentials(&self) -> Result<(), CredentialsError> {
        let clients = self.clients().await.map_err(|e| CredentialsError(e.0))?;
        let Some(provider) = clients.sdk.credentials_provider() else {
            return Err(credentials_help(
                &self.options,
                "no credentials provider is configured",
            ));
        };
        match provider.provide_credentials().await {
            Ok(creds) => match creds.expiry() {
                Some(t) if t <= std::time::SystemTime::now() => Err(credentials_help(
                    &self.options,
                    "the AWS credentials have expired",
                )),
                _ => Ok(()),
            },
            Err(e) => Err(credentials_help(&self.options, &errors::error_chain(&e))),
        }
    }

    async fn load_config(&self, request: &ConfigRequest) -> Result<LoadedConfig, LoadError> {
        let clients = self.clients().await.map_err(|e| LoadError::Other(e.0))?;
        let target = self.resolve(clients, request).await?;
        let mut front = crate::gateway::front::Front {
            custom_domain: target.domain.clone().map(Box::new),
            ..Default::default()
        };
        let mut policy_gap = None;
        let (mut api, mut gaps) = match target.kind {
            ApiKind::Rest => {
                let stage = target.stage.as_deref();
                if let Some(r) = &target.rest {
                    match rest::private_api(r, &target.api_id, &clients.region) {
                        Ok(p) => front.private = p.map(Box::new),
                        Err(reason) => {
                            policy_gap = Some(ConfigGap {
                                what: "resource policy".to_string(),
                                step: 3,
                                reason,
                            })
                        }
                    }
                }
                rest::load(clients, &target.api_id, stage, target.rest.clone()).await?
            }
            ApiKind::Http => http_api::load(clients, &target.api_id, target.http.clone()).await?,
        };
        api.region = Some(clients.region.clone());
        if let Some(name) = &self.options.stage {
            let unread = gaps.iter().any(|g| g.step == 3);
            if api.stage(name).is_none() && !unread {
                let mut names: Vec<String> = match api.kind {
                    ApiKind::Rest => rest::stage_names(clients, &target.api_id).await?,
                    ApiKind::Http => api.stages.iter().map(|s| s.name.clone()).collect(),
                };
                names.sort();
                let id = &target.api_id;
                return Err(LoadError::Other(if names.is_empty() {
                    format!("API {id} has no stage '{name}', and no stages at all: deploy it to a stage first (aws apigateway create-deployment), then pass that stage with --stage")
                } else {
                    format!(
                        "API {id} has no stage '{name}'; its stages are: {}. Pass one of them with --stage",
                        names.join(", ")
                    )
                }));
            }
        }
        let (mut stage, mut path, unresolved) = match (&target.mapped_stage, &target.mapped_path) {
            (_, Some(p)) if target.unmapped.is_some() => {
                (target.stage.clone(), p.clone(), target.unmapped.clone())
            }
            (Some(s), Some(p)) => (
                target.stage.clone().or_else(|| Some(s.clone())),
                p.clone(),
                None,
            ),
            _ => {
                let at = request.location(&api);
                (at.stage, at.path, at.unresolved)
            }
        };
        // An HTTP API's `$default` stage has no prefix in the URL: what looked like a stage
        // was the first path segment.
        if api.kind == ApiKind::Http && target.mapped_stage.is_none() {
            let named = stage.as_deref().is_some_and(|s| api.stage(s).is_some());
            if !named
                && api.stage(DEFAULT_STAGE).is_some()
                && request.path.is_none()
                && !request.prefix_unknown
            {
                if let Some(s) = stage.take() {
                    path = format!("/{s}{}", if path == "/" { "" } else { &path });
                }
                stage = Some(DEFAULT_STAGE.to_string());
            }
        }
        // The layers in front that could not be read (after the stage check: they say
        // nothing of the stage).
        gaps.extend(target.domain_gap.clone().into_iter().chain(policy_gap));
        Ok(LoadedConfig {
            api: std::sync::Arc::new(api),
            stage,
            path,
            backend: None,
            gaps,
            unresolved,
            front,
        })
    }

    /// Which API, of which kind, and (custom domains) which stage and path.
    async fn resolve(
        &self,
        clients: &Clients,
        request: &ConfigRequest,
    ) -> Result<Target, LoadError> {
        let url_path = self.options.url_path.as_deref().unwrap_or("/");
        let mut target = match (&request.api_ref, &self.options.custom_domain) {
            (Some(r), _) => {
                let mut named = Target {
                    api_id: r.api_id.clone(),
                    stage: request.stage.clone(),
                    ..Target::default()
                };
                match (request.prefix_unknown, &self.options.domain_hint) {
                    (true, Some(domain)) => match domain::read_mappings(clients, domain).await {
                        // The domain's mappings place the resource path exactly when the
                        // one that takes the path is the named API's (and stage's); they
                        // are the configuration's custom domain either way.
                        Ok(read) => {
                            let mut t = match read.target(url_path) {
                                Some(mapped)
                                    if mapped.api_id == r.api_id
                                        && (request.stage.is_none()
                                            || request.stage == mapped.mapped_stage) =>
                                {
                                    mapped
                                }
                                _ => named,
                            };
                            t.domain = Some(read.domain);
                            t
                        }
                        // Not a custom domain (a proxy, a copy): the API resolves the path.
                        Err(e) if e.is_not_found() => named,
                        Err(e) => {
                            named.domain_gap =
                                Some(gap(3, "custom domain's base path mappings", &e));
                            named
                        }
                    },
                    _ => named,
                }
            }
            (None, Some(domain)) => {
                let mut t = custom_domain(clients, domain, url_path).await?;
                // `--stage` names the stage diagnosed; the mapping's may differ
                // (CUSTOM_DOMAIN_WRONG_STAGE).
                if request.stage.is_some() {
                    t.stage = request.stage.clone();
                }
                t
            }
            (None, None) => {
                return Err(LoadError::Other(
                    "no API named: give an execute-api URL or --api-id".to_string(),
                ))
            }
        };
        if target.known_kind == Some(ApiKind::Http) {
            target.kind = ApiKind::Http;
            return Ok(target);
        }
        // REST first (one call); an HTTP API id is not a REST API id.
        match rest::get_rest_api(clients, &target.api_id).await {
            Ok(api) => {
                target.kind = ApiKind::Rest;
                target.rest = Some(api);
                return Ok(target);
            }
            Err(e) if !e.is_not_found() => return Err(e.into()),
            Err(_) => {}
        }
        match http_api::get_api(clients, &target.api_id).await {
            Ok(api) => {
                target.kind = ApiKind::Http;
                target.http = Some(api);
                Ok(target)
            }
            Err(e) if e.is_not_found() => {
                Err(LoadError::Other(self.not_found(clients, &target.api_id)))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The endpoint the lookups were sent to, when one was named, and where it was named.
    fn endpoint_named(&self) -> Option<(String, &'static str)> {
        if let Some(e) = &self.options.endpoint_url {
            return Some((
                e.clone(),
                "--endpoint-url (or the aws.endpoint_url setting)",
            ));
        }
        [
            (
                "AWS_ENDPOINT_URL_API_GATEWAY",
                "AWS_ENDPOINT_URL_API_GATEWAY",
            ),
            ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL"),
        ]
        .into_iter()
        .find_map(|(var, from)| {
            std::env::var(var)
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| (v, from))
        })
    }

    /// "Not found", with the region: the usual cause is looking in the wrong one.
    fn not_found(&self, clients: &Clients, id: &str) -> String {
        let used = &clients.region;
        match (&self.options.url_region, &self.options.region) {
            (Some(url), Some(flag)) if url != flag => format!(
                "API {id} not found in {used} (REST or HTTP, --region): the URL names region {url}; drop --region or pass --region {url}"
            ),
            (Some(url), _) => format!(
                "API {id} not found in {url} (REST or HTTP), the region the URL names: check the API id and the account (--profile) the lookups use"
            ),
            (None, _) => format!(
                "API {id} not found in {used} (REST or HTTP; region from {}): check --api-id, or pass --region with the API's region",
                clients.region_source
            ),
        }
    }
}

/// Where the lookups found the API.
#[derive(Clone, Debug, Default)]
struct Target {
    api_id: String,
    kind: ApiKind,
    known_kind: Option<ApiKind>,
    stage: Option<String>,
    /// A custom domain's mapping: the stage and the path below it.
    mapped_stage: Option<String>,
    mapped_path: Option<String>,
    rest: Option<aws_sdk_apigateway::operation::get_rest_api::GetRestApiOutput>,
    http: Option<aws_sdk_apigatewayv2::operation::get_api::GetApiOutput>,
    /// The custom domain's mappings, when the URL is on one and they were read.
    domain: Option<crate::gateway::front::domain::CustomDomain>,
    /// Why the custom domain's mappings could not be read (the configuration goes on
    /// without them).
    domain_gap: Option<ConfigGap>,
    /// No mapping takes the URL's path: why (the API read is the one the domain maps to).
    unmapped: Option<String>,
}

/// Why a load failed.
#[derive(Debug)]
pub enum LoadError {
    Credentials(String),
    Other(String),
}

impl From<LookupError> for LoadError {
    fn from(e: LookupError) -> Self {
        match e {
            LookupError::Credentials(m) => LoadError::Credentials(m),
            other => LoadError::Other(other.to_string()),
        }
    }
}

impl ConfigSource for SdkSource {
    fn kind(&self) -> ConfigSourceKind {
        ConfigSourceKind::Sdk
    }

    fn load<'a>(
        &'a self,
        request: &'a ConfigRequest,
    ) -> BoxFuture<'a, Result<LoadedConfig, Unavailable>> {
        Box::pin(async move {
            let started = std::time::Instant::now();
            let result = self.load_config(request).await;
            tracing::debug!(
                calls = self.calls(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "sdk lookup"
            );
            result.map_err(|e| Unavailable(match e {
                LoadError::Credentials(m) => credentials_help(&self.options, &m).0,
                LoadError::Other(m) => match (m.strip_prefix(errors::UNREACHABLE), self.endpoint_named()) {
                    (Some(cause), Some((e, from))) => format!(
                        "{} {}{cause}. Check {from} and that the endpoint is running, or skip the lookups with --no-aws",
                        errors::UNREACHABLE,
                        crate::redact::text(&crate::redact::url(&e))
                    ),
                    (Some(cause), None) => format!(
                        "{} for {}{cause}. Check the network (a proxy, a firewall), or skip the lookups with --no-aws",
                        errors::UNREACHABLE,
                        self.clients.get().and_then(|c| c.as_ref().ok()).map_or("the region", |c| c.region.as_str())
                    ),
                    _ => m,
                },
            }))
        })
    }

    fn preflight(&self) -> BoxFuture<'_, Result<(), CredentialsError>> {
        Box::pin(async move {
            match (self.check_credentials().await, &self.options.custom_domain) {
                // A custom domain was not named as an API: without credentials, just skip
                // (unless a profile was named: a mistyped one is an error).
                (Err(_), Some(_)) if self.options.profile.is_none() => Ok(()),
                (r, _) => r,
            }
        })
    }

    fn aws_calls(&self) -> u32 {
        self.calls()
    }

    fn identity(&self) -> BoxFuture<'_, Option<String>> {
        Box::pin(async move {
            let clients = self.clients().await.ok()?;
            let sts = aws_sdk_sts::Client::new(&clients.sdk);
            // One short call; an identity that cannot be read leaves the header without it.
            let call = sts.get_caller_identity().send();
            match tokio::time::timeout(IDENTITY_TIMEOUT, call).await {
                Ok(Ok(out)) => {
                    let account = out.account().unwrap_or("?");
                    Some(match out.arn() {
                        Some(arn) => format!("account {account} · {arn}"),
                        None => format!("account {account}"),
                    })
                }
                Ok(Err(e)) => {
                    tracing::debug!(error = %errors::error_chain(&e), "sts get-caller-identity");
                    None
                }
                Err(_) => None,
            }
        })
    }
}

/// Drops the `Api` parts a lookup could not read and says why: the step they feed is unknown.
/// A lookup's items, or none and a gap (the step it feeds becomes `unknown`) when it failed.
pub fn or_gap<T>(
    result: Result<Vec<T>, LookupError>,
    step: u8,
    what: &str,
    gaps: &mut Vec<ConfigGap>,
) -> Vec<T> {
    result.unwrap_or_else(|e| {
        gaps.push(gap(step, what, &e));
        Vec::new()
    })
}

pub fn gap(step: u8, what: &str, err: &LookupError) -> ConfigGap {
    ConfigGap {
        what: what.to_string(),
        step,
        reason: err.to_string(),
    }
}
