//! Setting the SDK up: the clients (retries, timeouts, the region and its source, a named
//! profile), and the message for missing or expired credentials.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};

use super::intercept::{CallCounter, NullMapRepair};
use super::throttle::{Limiter, OperationLog};
use super::{Clients, SdkOptions, SetupError};
use crate::aws::CredentialsError;

/// Retries: the SDK's standard mode (exponential backoff with jitter) absorbs
/// `TooManyRequestsException`; API Gateway's control plane allows a few calls a second per
/// account, and a lookup makes at most six.
const MAX_ATTEMPTS: u32 = 5;
const INITIAL_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) async fn build_clients(
    options: &SdkOptions,
    counter: CallCounter,
) -> Result<Clients, SetupError> {
    build_clients_with(options, counter, None).await
}

/// [`build_clients`], with the API Gateway clients' requests going through `limiter` (the
/// account audit; credential providers are not limited).
pub(super) async fn build_clients_with(
    options: &SdkOptions,
    counter: CallCounter,
    limiter: Option<Limiter>,
) -> Result<Clients, SetupError> {
    // Both TLS users in the process (reqwest, the SDK) use ring; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    // Standard mode: exponential backoff with jitter on throttling. Adaptive mode's client-side
    // rate limiter waited ~10 s after two throttles of a short run (tests/aws/aws_recorded.rs),
    // which a run bounded by one `--timeout` cannot afford.
    let retry = RetryConfig::standard()
        .with_max_attempts(options.max_attempts.unwrap_or(MAX_ATTEMPTS))
        .with_initial_backoff(INITIAL_BACKOFF)
        .with_max_backoff(MAX_BACKOFF);
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https.clone())
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(p) = &options.profile {
        let known = known_profiles();
        if !known.iter().any(|k| k == p) {
            return Err(SetupError(if known.is_empty() {
                format!("AWS profile '{p}' not found: there is no AWS config or credentials file. Create the profile with: aws configure --profile {p}")
            } else {
                format!(
                    "AWS profile '{p}' not found; the profiles that exist are: {}. Pass one of them with --profile",
                    known.join(", ")
                )
            }));
        }
        // As in the AWS CLI, an explicit profile wins over credentials in the environment
        // (AWS_ACCESS_KEY_ID…), which the default chain would try first.
        let provider_config = aws_config::provider_config::ProviderConfig::without_region()
            .with_http_client(https.clone())
            .with_region(
                options
                    .region
                    .clone()
                    .or_else(|| options.url_region.clone())
                    .map(Region::new),
            );
        loader = loader.profile_name(p).credentials_provider(
            aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_name(p)
                .build(),
        );
    }
    let explicit = options
        .region
        .as_ref()
        .map(|r| (r.clone(), "--region"))
        .or_else(|| options.url_region.as_ref().map(|r| (r.clone(), "the URL")));
    if let Some((r, _)) = &explicit {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &options.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    let sdk = loader.load().await;
    let (region, region_source) = match (explicit, sdk.region()) {
        (Some((r, source)), _) => (r, source),
        (None, Some(r)) => (r.to_string(), "the profile/environment"),
        (None, None) => {
            return Err(SetupError(
                "no AWS region: pass --region, or set one in the profile (aws configure set region REGION) or AWS_REGION"
                    .to_string()),
            )
        }
    };
    let mut v1 = aws_sdk_apigateway::config::Builder::from(&sdk)
        .interceptor(counter.clone())
        .interceptor(NullMapRepair);
    let mut v2 = aws_sdk_apigatewayv2::config::Builder::from(&sdk)
        .interceptor(counter)
        .interceptor(NullMapRepair);
    if let Some(l) = limiter {
        v1 = v1
            .http_client(l.http_client(https.clone()))
            .interceptor(OperationLog(l.clone()));
        v2 = v2
            .http_client(l.http_client(https.clone()))
            .interceptor(OperationLog(l));
    }
    let (v1, v2) = (v1.build(), v2.build());
    Ok(Clients {
        v1: aws_sdk_apigateway::Client::from_conf(v1),
        v2: aws_sdk_apigatewayv2::Client::from_conf(v2),
        region,
        region_source,
        sdk,
    })
}

/// The message for missing or expired credentials: what happened and the exact next command.
pub fn credentials_help(options: &SdkOptions, detail: &str) -> CredentialsError {
    let profile = options
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let next = match &profile {
        Some(p) if profile_uses_sso(p) => format!("aws sso login --profile {p}"),
        Some(p) => format!(
            "aws configure --profile {p}   (or, for an SSO profile: aws sso login --profile {p})"
        ),
        None => {
            "aws configure   (or: aws sso login --profile PROFILE, then pass --profile PROFILE)"
                .to_string()
        }
    };
    CredentialsError(format!(
        "cannot read the API's configuration: no valid AWS credentials ({detail}).\n  next: {next}\n  or skip the AWS lookups with --no-aws"
    ))
}

/// The profile names of the shared config and credentials files (`AWS_CONFIG_FILE`,
/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`), sorted.
/// Each file is read up to 1 MiB.
fn known_profiles() -> Vec<String> {
    use std::io::Read;
    let file = |var: &str, name: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .or_else(|| dirs::home_dir().map(|h| h.join(".aws").join(name)))
    };
    let mut names = Vec::new();
    for (path, is_config) in [
        (file("AWS_CONFIG_FILE", "config"), true),
        (file("AWS_SHARED_CREDENTIALS_FILE", "credentials"), false),
    ] {
        let mut text = String::new();
        let read = path
            .and_then(|p| std::fs::File::open(p).ok())
            .map(|f| f.take(1 << 20).read_to_string(&mut text));
        if !matches!(read, Some(Ok(_))) {
            continue;
        }
        for line in text.lines().map(str::trim) {
            let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
                continue;
            };
            let inner = inner.trim();
            let name = if !is_config || inner == "default" {
                Some(inner)
            } else {
                inner.strip_prefix("profile ").map(str::trim)
            };
            if let Some(n) = name.filter(|n| !n.is_empty()) {
                if !names.iter().any(|x| x == n) {
                    names.push(n.to_string());
                }
            }
        }
    }
    names.sort();
    names
}

/// True when the profile's section of the shared config file has SSO settings.
fn profile_uses_sso(profile: &str) -> bool {
    let path = std::env::var_os("AWS_CONFIG_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".aws").join("config")));
    let Some(text) = path.and_then(|p| crate::user_file::read_text(&p, 16 << 20).ok()) else {
        return false;
    };
    let wanted = if profile == "default" {
        vec!["[default]".to_string(), "[profile default]".to_string()]
    } else {
        vec![format!("[profile {profile}]")]
    };
    let mut inside = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = wanted.iter().any(|w| w == line);
        } else if inside && (line.starts_with("sso_start_url") || line.starts_with("sso_session")) {
            return true;
        }
    }
    false
}
