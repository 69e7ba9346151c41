//! The validated plan of one diagnosis, and its resolution from the raw request fields
//! (the command line's flags, the TUI's form) and the config file. No clap here: `cli.rs`
//! turns the parsed flags into [`TargetArgs`]; the TUI fills them from its form.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::Config;
use crate::cors::Mode;
use crate::diagnose::remedy::snippets::Flavour;
use crate::gateway::model::ApiKind;
use crate::http::{parse_header_arg, Headers};
use crate::redact::Secrets;
use crate::target::{parse_origin, parse_url, CredentialsMode, Target};

mod input;

use input::parse_resolve;
pub use input::{read_body_arg, read_paste_arg, MAX_BODY_BYTES};

/// The request the browser app makes (as in curl's flags), and where its API is described:
/// the raw fields, as typed, before [`TargetArgs::resolve`] validates them.
#[derive(Debug, Default, Clone)]
pub struct TargetArgs {
    /// The URL the app fetches.
    pub url: Option<String>,
    /// The origin of the page that makes the request.
    pub origin: Option<String>,
    /// The method the app uses (default GET).
    pub method: Option<String>,
    /// Headers the app sets, 'Name: value'.
    pub headers: Vec<String>,
    /// The request body; `@FILE` reads it from a file and `@-` from standard input.
    pub body: Option<String>,
    /// fetch()'s credentials mode: omit, same-origin (default) or include.
    pub credentials: Option<String>,
    /// Skip AWS SDK lookups.
    pub no_aws: bool,
    /// An exported API (`aws apigateway get-export … extensions=apigateway`) or a scenario.
    pub openapi: Option<PathBuf>,
    /// REST or HTTP, overriding what the --openapi file's markers decide.
    pub kind: Option<ApiKind>,
    /// A CloudFormation / SAM / CDK / Serverless template (`--template`).
    pub template: Option<PathBuf>,
    /// A saved `aws cloudfront get-distribution-config` answer (`--cloudfront-config`): the
    /// distribution in front of the API.
    pub cloudfront_config: Option<PathBuf>,
    /// `--parameter KEY=VALUE`: template parameters (and pseudo parameters such as
    /// `AWS::Region`), as typed.
    pub parameters: Vec<String>,
    /// API id (overrides the one in the URL).
    pub api_id: Option<String>,
    /// Stage name (overrides the one in the URL).
    pub stage: Option<String>,
    /// The resource path, for a diagnosis without a URL.
    pub path: Option<String>,
    /// AWS profile for the configuration lookups.
    pub profile: Option<String>,
    /// AWS region (default: the one in the URL, else the profile's).
    pub region: Option<String>,
    /// API Gateway endpoint for the lookups (an emulator, a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// Retest in a real headless Chromium (step 7).
    pub browser: bool,
    /// Seconds allowed for each request.
    pub timeout: Option<f64>,
    /// Browser rules (default: the config's, else chrome-today).
    pub mode: Option<Mode>,
    /// `--resolve HOST:PORT:ADDR` (curl's form, repeatable): the URL's host is reached at
    /// ADDR instead of what DNS says, by the probes and the Chromium retest: a custom domain
    /// tried before its DNS record points at it, one CloudFront edge, a test's loopback
    /// server.
    pub resolve: Vec<String>,
}

/// Why the fields do not make a plan: a usage or configuration problem (`check` exits 2).
/// Every message says what to give instead; what the user typed is quoted with its secrets
/// masked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error("--origin is required: the origin of the page that makes the request, e.g. --origin https://app.example.com")]
    MissingOrigin,
    #[error("invalid method '{0}': a method is one word of letters, e.g. GET, POST or PUT.")]
    Method(String),
    #[error(transparent)]
    Header(#[from] crate::http::HeaderArgError),
    #[error(transparent)]
    Target(#[from] crate::target::TargetError),
    #[error("invalid probe.mode '{0}' in the config: use spec or chrome-today")]
    ConfigMode(String),
    /// `--resolve` that cannot be used (the whole sentence).
    #[error("--resolve {0}")]
    Resolve(String),
    #[error("invalid report.fix_format '{0}' in the config: use cli, cloudformation, sam, cdk or terraform")]
    ConfigFixFormat(String),
    #[error("{what} must be at least 0.001 and at most 3600 seconds, not {value}: give e.g. 10.")]
    Duration { what: &'static str, value: f64 },
    #[error("--path must start with '/', e.g. /items (got '{0}').")]
    Path(String),
    #[error("give the URL the app fetches, or --path with --openapi FILE (or --api-id and --stage) for a diagnosis from the configuration alone")]
    NoTarget,
    #[error(
        "without a URL, name the configuration: --openapi EXPORT.json, --template TEMPLATE.yaml, or --api-id ID --stage NAME"
    )]
    NoConfiguration,
    #[error("--parameter '{0}': give KEY=VALUE, e.g. --parameter Stage=prod or --parameter AWS::Region=eu-west-1")]
    Parameter(String),
    #[error("--parameter needs --template FILE: parameters fill a CloudFormation template's Ref and Fn::Sub values")]
    ParameterWithoutTemplate,
    #[error("--cloudfront-config {path}: {why}")]
    CloudFrontConfig { path: String, why: String },
    #[error("--openapi and --template both name the configuration: give one")]
    TwoDefinitions,
    #[error("invalid --endpoint-url '{shown}': {why}. Give the API Gateway endpoint as http(s)://host[:port], e.g. http://127.0.0.1:5000")]
    Endpoint { shown: String, why: String },
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    Paste(#[from] crate::paste::PasteError),
    #[error("{flag} -: {why}")]
    PasteStdin { flag: &'static str, why: String },
    #[error("{0} - and a body from @- both read standard input: give the request as an argument, or the body from a file (-d @FILE).")]
    PasteStdinTwice(&'static str),
    #[error("{0}: the pasted Origin is 'null' (a sandboxed or file:// page, or a redirect across origins); give the page's origin with --origin, e.g. --origin https://app.example.com")]
    PasteNullOrigin(&'static str),
    #[error("{0}: the pasted body starts with '@', which -d would read as a file name; save the body to a file and give -d @FILE.")]
    PasteBodyAt(&'static str),
}

/// The flavour fixes are shown in: `flag` (`--fix-format`), else the config's
/// `report.fix_format`, else the AWS CLI commands.
pub fn fix_format(flag: Option<Flavour>, config: &Config) -> Result<Flavour, PlanError> {
    if let Some(f) = flag {
        return Ok(f);
    }
    match config.report.fix_format.as_deref() {
        None => Ok(Flavour::Cli),
        Some(name) => Flavour::parse(name)
            .ok_or_else(|| PlanError::ConfigFixFormat(crate::redact::shorten(name, 40))),
    }
}

/// Why `-d` gave no body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("-d @{0}: the body is larger than {mb} MB, API Gateway's payload limit.", mb = MAX_BODY_BYTES / (1024 * 1024))]
    TooBig(String),
    #[error("-d @- reads the body from standard input, which is a terminal: pipe or redirect the body in (e.g. -d @- < body.json).")]
    StdinIsTerminal,
    #[error("-d @-: cannot read standard input: {0}.")]
    Stdin(String),
    #[error("-d @-: standard input did not end within {0} s; pipe in a complete body (e.g. -d @- < body.json).")]
    StdinTimeout(u64),
    #[error("-d @{shown}: cannot read the file: {why}.")]
    File { shown: String, why: String },
    #[error("-d @{0}: not a regular file; give a file, or @- to read standard input.")]
    NotAFile(String),
    #[error("-d {0}: the body is not UTF-8 text; cors-doctor sends text bodies only.")]
    NotUtf8(String),
}

/// The largest saved distribution config read (a real one is a few KB).
const CLOUDFRONT_CONFIG_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// The distribution a saved `aws cloudfront get-distribution-config` answer describes, for
/// the cache behavior serving `path`.
fn read_cloudfront_config(
    file: &std::path::Path,
    path: &str,
) -> Result<crate::gateway::front::cloudfront::Distribution, PlanError> {
    let shown = crate::text::escape_controls(&file.display().to_string());
    let err = |why: String| PlanError::CloudFrontConfig {
        path: shown.clone(),
        why,
    };
    let text = crate::user_file::read_text(file, CLOUDFRONT_CONFIG_MAX_BYTES).map_err(|e| {
        err(format!(
            "cannot read it ({e}); save it with `aws cloudfront get-distribution-config --id ID --output json > dist.json`."
        ))
    })?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        err(format!(
            "it is not JSON ({e}); save it with `aws cloudfront get-distribution-config --id ID --output json > dist.json`."
        ))
    })?;
    crate::gateway::front::cloudfront::from_saved_config(&json, path)
        .map(|(d, _notes)| d)
        .map_err(err)
}

/// The URL an offline run shows for `path` (nothing is sent to it): the API's default
/// endpoint, with readable placeholders for what is not known (`api-id`, `us-east-1`, `prod`).
/// The stage is always the first segment (`$default` too): the run reads it back from there.
fn synthesized_url(
    api_id: Option<&str>,
    region: Option<&str>,
    stage: Option<&str>,
    path: &str,
) -> String {
    // Without an id the host is a readable placeholder that is not a valid API id.
    let api = api_id.unwrap_or("api-id");
    let region = region.unwrap_or("us-east-1");
    let stage = stage.unwrap_or("prod");
    format!("https://{api}.execute-api.{region}.amazonaws.com/{stage}{path}")
}

impl Plan {
    /// Offline: the URL with what the configuration says where the user said nothing (its
    /// API id, its region, the stage it settled on: a template's `Prod`, not the placeholder
    /// `prod`), or `None` when the run is live or nothing changes.
    pub fn offline_url(
        &self,
        api_id: Option<&str>,
        region: Option<&str>,
        stage: Option<&str>,
    ) -> Option<url::Url> {
        if self.live {
            return None;
        }
        let path = self.path.as_deref()?;
        let region = self.aws.region.as_deref().or(region).or_else(|| {
            // The region already in the placeholder URL (from the config file, or us-east-1).
            self.target.url.host_str().and_then(|h| h.split('.').nth(2))
        });
        let url = synthesized_url(
            self.api_id.as_deref().or(api_id),
            region,
            self.stage.as_deref().or(stage),
            path,
        );
        let mut url = url::Url::parse(&url).ok()?;
        url.set_query(self.target.url.query());
        (url != self.target.url).then_some(url)
    }
}

/// A validated request to diagnose, with how to gather evidence for it.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The CloudFront distribution a saved config describes (`--cloudfront-config`): it
    /// replaces whatever the configuration source says stands in front of the API.
    pub cloudfront: Option<Box<crate::gateway::front::cloudfront::Distribution>>,
    pub target: Target,
    /// False when there is no URL: the exchanges are predicted from the configuration.
    pub live: bool,
    pub mode: Mode,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// [`TargetArgs::resolve`]: host names the probes connect to at these addresses.
    pub resolve: Vec<(String, std::net::IpAddr)>,
    pub openapi: Option<PathBuf>,
    /// `--kind`: REST or HTTP, overriding what the --openapi file's markers decide.
    pub kind: Option<ApiKind>,
    /// `--template FILE`: a CloudFormation / SAM / CDK / Serverless template.
    pub template: Option<PathBuf>,
    /// `--parameter KEY=VALUE`, validated.
    pub parameters: std::collections::BTreeMap<String, String>,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    pub path: Option<String>,
    pub aws: AwsArgs,
    pub browser: bool,
    /// Also compute the preview: the diagnosis after every proposed change (`check
    /// --preview`; a front end's sealed plan always, for the TUI's `p`).
    pub preview: bool,
    /// An in-memory scenario whose API is the configuration (the demo).
    pub scenario: Option<Box<crate::gateway::scenario::Scenario>>,
}

#[derive(Clone, Debug, Default)]
pub struct AwsArgs {
    pub enabled: bool,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

/// `--endpoint-url` (or `aws.endpoint_url`): an http(s) URL with a host, as the AWS CLI takes.
fn check_endpoint_url(input: &str) -> Result<(), PlanError> {
    let shown: String = crate::redact::text(&crate::redact::url(input))
        .chars()
        .take(200)
        .collect();
    let bad = |why: &str| PlanError::Endpoint {
        shown: shown.clone(),
        why: why.to_string(),
    };
    let url = url::Url::parse(input.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    Ok(())
}

fn secs(v: f64, what: &'static str) -> Result<Duration, PlanError> {
    // At least a millisecond: a shorter limit would fail every request before it starts.
    if !(0.001..=3600.0).contains(&v) {
        return Err(PlanError::Duration { what, value: v });
    }
    Ok(Duration::from_secs_f64(v))
}

impl TargetArgs {
    /// The flags that make a scenario's request (origin, method, headers, body, credentials
    /// mode); the caller names where it goes (`url`, or `--openapi`/`--template` with
    /// `path` and `stage`).
    pub fn scenario_request(req: &crate::gateway::scenario::ScenarioRequest) -> TargetArgs {
        TargetArgs {
            origin: Some(req.origin.clone()),
            method: Some(req.method.clone()),
            headers: req
                .headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect(),
            body: req.body.clone(),
            credentials: Some(req.credentials.as_str().to_string()),
            ..TargetArgs::default()
        }
    }

    /// `--parameter KEY=VALUE`s (a key given twice keeps its last value).
    fn parameters(&self) -> Result<std::collections::BTreeMap<String, String>, PlanError> {
        if self.openapi.is_some() && self.template.is_some() {
            return Err(PlanError::TwoDefinitions);
        }
        if !self.parameters.is_empty() && self.template.is_none() && self.openapi.is_none() {
            return Err(PlanError::ParameterWithoutTemplate);
        }
        let mut out = std::collections::BTreeMap::new();
        for p in &self.parameters {
            match p.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => {
                    out.insert(k.trim().to_string(), v.to_string());
                }
                _ => {
                    return Err(PlanError::Parameter(crate::text::escape_controls(
                        &crate::text::shorten(p, 80),
                    )))
                }
            }
        }
        Ok(out)
    }
}

impl TargetArgs {
    /// Fills what the flags left out from a request pasted from DevTools (`--from-curl`,
    /// `--from-fetch`; `input` `-` reads standard input): the URL, method, headers, body,
    /// credentials mode and origin. Flags given beside it win (a `-H` replaces the pasted
    /// header of the same name). Returns the fields and one line on what was taken, for stderr
    /// (header names only, never values).
    pub fn with_paste(
        mut self,
        kind: crate::paste::PasteKind,
        input: &str,
    ) -> Result<(TargetArgs, String), PlanError> {
        use crate::paste::{PasteKind, PastedBody};
        let both = PlanError::PasteStdinTwice(kind.flag());
        if input == "-" && self.body.as_deref() == Some("@-") {
            return Err(both);
        }
        let text = read_paste_arg(kind, input)?;
        let p = crate::paste::parse(kind, &text)?;
        if input == "-" && self.body.is_none() && p.body == Some(PastedBody::File("-".to_string()))
        {
            return Err(both);
        }
        let mut taken: Vec<String> = Vec::new();
        let mut kept: Vec<&str> = Vec::new();
        if self.url.is_none() {
            self.url = Some(p.url.clone());
            taken.push("the URL".into());
        } else {
            kept.push("the URL");
        }
        match (&self.method, &p.method) {
            (None, Some(m)) => {
                self.method = Some(m.clone());
                taken.push(format!("method {}", crate::redact::shorten(m, 20)));
            }
            (Some(_), Some(_)) => kept.push("-X"),
            _ => {}
        }
        let given: Vec<String> = self
            .headers
            .iter()
            .filter_map(|h| {
                h.split_once(':')
                    .map(|(n, _)| n.trim().to_ascii_lowercase())
            })
            .collect();
        let mut names = Vec::new();
        let mut headers = Vec::new();
        for (n, v) in &p.headers {
            if given.contains(&n.to_ascii_lowercase()) {
                kept.push("-H");
                continue;
            }
            names.push(n.to_ascii_lowercase());
            headers.push(format!("{n}: {v}"));
        }
        if !names.is_empty() {
            taken.push(format!("headers {} (values masked)", names.join(", ")));
        }
        headers.append(&mut self.headers);
        self.headers = headers;
        match (&self.body, &p.body) {
            (None, Some(PastedBody::Text(b))) => {
                if b.starts_with('@') {
                    return Err(PlanError::PasteBodyAt(kind.flag()));
                }
                taken.push(format!("the body ({} bytes)", b.len()));
                self.body = Some(b.clone());
            }
            (None, Some(PastedBody::File(f))) => {
                taken.push("the body file".into());
                self.body = Some(format!("@{f}"));
            }
            (Some(_), Some(_)) => kept.push("-d"),
            _ => {}
        }
        match (&self.credentials, &p.credentials) {
            (None, Some(c)) => {
                self.credentials = Some(c.clone());
                let why = if kind == PasteKind::Curl {
                    " (it carries cookies)"
                } else {
                    ""
                };
                taken.push(format!(
                    "credentials {}{why}",
                    crate::redact::shorten(c, 20)
                ));
            }
            (Some(_), Some(_)) => kept.push("--credentials"),
            _ => {}
        }
        match (&self.origin, &p.origin) {
            (None, Some((o, _))) if o.trim() == "null" => {
                return Err(PlanError::PasteNullOrigin(kind.flag()));
            }
            (None, None) => taken.push("no origin (it has no Origin or Referer header)".into()),
            (None, Some((o, from))) => {
                self.origin = Some(o.clone());
                taken.push(format!(
                    "origin {} (from {})",
                    crate::redact::shorten(o, 100),
                    from.describe()
                ));
            }
            (Some(_), Some(_)) => kept.push("--origin"),
            _ => {}
        }
        kept.dedup();
        let what = match kind {
            PasteKind::Curl => "curl command",
            PasteKind::Fetch => "fetch call",
        };
        if taken.is_empty() {
            taken.push("nothing".into());
        }
        let mut line = format!("from the pasted {what}: {}", taken.join(", "));
        if !p.dropped.is_empty() {
            let dropped: Vec<String> = p.dropped.iter().map(|d| d.to_ascii_lowercase()).collect();
            line.push_str(&format!(
                "; left out as set by the browser itself: {}",
                dropped.join(", ")
            ));
        }
        if !kept.is_empty() {
            line.push_str(&format!("; the flags given win: {}", kept.join(", ")));
        }
        match p.fetch_mode.as_deref() {
            Some("no-cors") => line.push_str(
                "; note: the call uses mode \"no-cors\" (no CORS check, and the page cannot read the response); the diagnosis is of a \"cors\" request",
            ),
            Some("same-origin") => line.push_str(
                "; note: the call uses mode \"same-origin\", which fails for any cross-origin URL whatever the server answers; the diagnosis is of a \"cors\" request",
            ),
            _ => {}
        }
        line.push('.');
        // One line: what the paste held is quoted with every control escaped.
        let line = crate::redact::escape_controls(&line)
            .replace('\n', "\\n")
            .replace('\t', "\\t");
        Ok((self, line))
    }

    /// Every secret in these fields and the configuration's request defaults, as typed: used
    /// before (and when) they fail to validate.
    pub fn secrets(&self, config: &Config) -> Secrets {
        let mut s = Secrets::new();
        if let Some(u) = &self.url {
            s.add_url(u);
        }
        if let Some(o) = &self.origin {
            s.add_url(o);
        }
        for h in self.headers.iter().chain(&config.request.headers) {
            s.add_header_arg(h);
        }
        if let Some(e) = self
            .endpoint_url
            .as_ref()
            .or(config.aws.endpoint_url.as_ref())
        {
            s.add_url(e);
        }
        if let Some(o) = &config.request.origin {
            s.add_url(o);
        }
        if let Some(b) = self.body.as_deref().filter(|b| !b.starts_with('@')) {
            s.add_body(b);
        }
        s
    }

    /// Combines the flags with the config file's defaults and validates everything once.
    pub fn resolve(&self, config: &Config) -> Result<Plan, PlanError> {
        let origin_input = self
            .origin
            .clone()
            .or_else(|| config.request.origin.clone())
            .ok_or(PlanError::MissingOrigin)?;
        let origin = parse_origin(&origin_input)?;
        let method = self
            .method
            .clone()
            .or_else(|| config.request.method.clone())
            .unwrap_or_else(|| "GET".to_string());
        if method.is_empty() || !method.bytes().all(crate::http::is_token_byte) {
            return Err(PlanError::Method(crate::redact::escape_controls(
                &crate::redact::shorten(&method, 40),
            )));
        }
        let mut headers = Headers::new();
        let header_args = if self.headers.is_empty() {
            &config.request.headers
        } else {
            &self.headers
        };
        for h in header_args {
            let (n, v) = parse_header_arg(h)?;
            headers.push(n, v);
        }
        let credentials: CredentialsMode = match self
            .credentials
            .as_ref()
            .or(config.request.credentials.as_ref())
        {
            Some(c) => c.parse()?,
            None => CredentialsMode::default(),
        };
        let mode = match (self.mode, config.probe.mode.as_deref()) {
            (Some(mode), _) => mode,
            (None, Some("spec")) => Mode::Spec,
            (None, Some("chrome-today")) | (None, None) => Mode::ChromeToday,
            (None, Some(other)) => return Err(PlanError::ConfigMode(other.to_string())),
        };
        let timeout = secs(
            self.timeout.or(config.probe.timeout_secs).unwrap_or(10.0),
            "the timeout",
        )?;
        let connect_timeout = secs(
            config.probe.connect_timeout_secs.unwrap_or(5.0),
            "the connect timeout",
        )?
        .min(timeout);
        let path = match &self.path {
            Some(p) if !p.starts_with('/') => {
                return Err(PlanError::Path(crate::target::quoted(p)))
            }
            p => p.clone(),
        };
        let (url, live) = match &self.url {
            Some(u) => (parse_url(u)?, true),
            None => {
                let Some(p) = &path else {
                    return Err(PlanError::NoTarget);
                };
                if self.openapi.is_none()
                    && self.template.is_none()
                    && (self.api_id.is_none() || self.stage.is_none())
                {
                    return Err(PlanError::NoConfiguration);
                }
                let region = self.region.as_deref().or(config.aws.region.as_deref());
                let synthesized =
                    synthesized_url(self.api_id.as_deref(), region, self.stage.as_deref(), p);
                (parse_url(&synthesized)?, false)
            }
        };
        let endpoint_url = self
            .endpoint_url
            .clone()
            .or_else(|| config.aws.endpoint_url.clone());
        if let Some(e) = &endpoint_url {
            check_endpoint_url(e)?;
        }
        let cloudfront = match &self.cloudfront_config {
            Some(file) => Some(Box::new(read_cloudfront_config(file, url.path())?)),
            None => None,
        };
        let resolve = self
            .resolve
            .iter()
            .map(|r| parse_resolve(r, &url, live))
            .collect::<Result<_, _>>()?;
        Ok(Plan {
            cloudfront,
            target: Target {
                url,
                origin,
                method,
                headers,
                body: self.body.as_deref().map(read_body_arg).transpose()?,
                credentials,
            },
            live,
            mode,
            timeout,
            connect_timeout,
            resolve,
            openapi: self.openapi.clone(),
            kind: self.kind,
            template: self.template.clone(),
            parameters: self.parameters()?,
            api_id: self.api_id.clone(),
            stage: self.stage.clone(),
            path,
            aws: AwsArgs {
                enabled: !self.no_aws,
                profile: self.profile.clone().or_else(|| config.aws.profile.clone()),
                region: self.region.clone().or_else(|| config.aws.region.clone()),
                endpoint_url,
            },
            browser: self.browser,
            preview: false,
            scenario: None,
        })
    }
}

#[cfg(test)]
mod paste_tests;

#[cfg(test)]
mod tests;
