//! Command-line arguments (clap). Parsing only: [`TargetFlags`] become the plan's raw
//! [`TargetArgs`], which `plan` resolves and validates.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cors::Mode;
use crate::gateway::model::ApiKind;
use crate::report::{Flavour, Format};

// The plan's types, for callers of the library that build plans the way the command line does.
use crate::plan::{PlanError, TargetArgs};

#[derive(Debug, Parser)]
#[command(
    name = "cors-doctor",
    version,
    about = "Finds the real cause behind \"blocked by CORS policy\" errors on Amazon API Gateway",
    long_about = None
)]
pub struct Cli {
    /// Configuration file (default: $XDG_CONFIG_HOME/cors-doctor/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write logs to this file.
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub target: TargetFlags,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum Command {
    /// Diagnose headless and print a report (text, JSON or Markdown). Exit 0 allowed, 1 a step fails, 2 usage error.
    Check(Box<CheckArgs>),
    /// Diagnose, then show (dry run) or, with --yes, apply the fixes through the AWS SDK, saving an undo file first; --undo FILE puts them back.
    Fix(Box<FixArgs>),
    /// List the cross-origin requests of a HAR file with the browser's verdict, or diagnose one from the recorded evidence (nothing is sent without --live).
    Har(Box<HarArgs>),
    /// Run the diagnosis against a built-in API Gateway simulator serving a broken example API.
    Demo(DemoArgs),
    /// Serve a scenario with the built-in API Gateway simulator on 127.0.0.1.
    Serve(ServeArgs),
    /// Check every route of every API in Terraform plans (terraform show -json), CloudFormation/SAM templates and API Gateway exports for latent CORS traps, sending nothing. Exit 0 clean, 1 an error-severity finding, 2 a file that cannot be read.
    Lint(LintArgs),
    /// Audit every REST and HTTP API of an account (per Region) for latent CORS traps, from the live configuration, with read-only calls within API Gateway's rate limits. Exit 0 clean, 1 an error-severity finding or an API that could not be read, 2 usage/credentials.
    Audit(AuditArgs),
    /// Print a shell completion script, e.g. `cors-doctor completions bash > /etc/bash_completion.d/cors-doctor`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command with --out-dir.
    Man(ManArgs),
}

/// `completions SHELL` (see `crate::manual`).
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `man [--out-dir DIR]` (see `crate::manual`).
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write cors-doctor.1 and a page per subcommand (cors-doctor-check.1, …) into DIR.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// The request the browser app makes (flags as in curl), and where its API is described.
#[derive(Debug, Default, Clone, Args)]
pub struct TargetFlags {
    /// The URL the app fetches.
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// The origin of the page that makes the request.
    #[arg(long, help = "The page's origin, e.g. https://app.example.com")]
    pub origin: Option<String>,
    /// The method the app uses (default GET).
    #[arg(short = 'X', long)]
    pub method: Option<String>,
    /// A header the app sets, 'Name: value' (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// The request body the app sends; @FILE reads it from a file and @- from standard input
    /// (line breaks removed, as curl -d does).
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub body: Option<String>,
    /// fetch()'s credentials mode: omit, same-origin (default) or include.
    #[arg(long, value_name = "MODE")]
    pub credentials: Option<String>,
    /// Skip AWS SDK lookups.
    #[arg(long)]
    pub no_aws: bool,
    /// An API exported with `aws apigateway get-export … extensions=apigateway` (or a scenario).
    #[arg(long, value_name = "EXPORT.json")]
    pub openapi: Option<PathBuf>,
    /// A CloudFormation, SAM, CDK (cdk.out/*.template.json) or Serverless Framework
    /// (.serverless/cloudformation-template-update-stack.json) template, YAML or JSON.
    #[arg(long, value_name = "TEMPLATE", conflicts_with = "openapi")]
    pub template: Option<PathBuf>,
    /// A template parameter, KEY=VALUE (repeatable); also pseudo parameters (AWS::Region=…).
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,
    /// The CloudFront distribution in front of the API, saved with
    /// `aws cloudfront get-distribution-config --id ID > dist.json`.
    #[arg(long, value_name = "DIST.json")]
    pub cloudfront_config: Option<PathBuf>,
    /// REST or HTTP API, when the --openapi file's markers decide wrongly (or not at all).
    #[arg(long, value_name = "rest|http", requires = "openapi")]
    pub kind: Option<KindArg>,
    /// API id (overrides the one in the URL); with --template, the API's logical id.
    #[arg(long)]
    pub api_id: Option<String>,
    /// Stage name (overrides the one in the URL).
    #[arg(long)]
    pub stage: Option<String>,
    /// The resource path, for a diagnosis without a URL.
    #[arg(long)]
    pub path: Option<String>,
    /// AWS profile for the configuration lookups (as in the AWS CLI).
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region (default: the one in the URL, else the profile's).
    #[arg(long)]
    pub region: Option<String>,
    /// API Gateway endpoint for the lookups (an emulator, a VPC endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Retest in a real headless Chromium (step 7).
    #[arg(long)]
    pub browser: bool,
    /// Seconds allowed for each request, 0.001 to 3600 (default 10).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Browser rules: chrome-today (default) or spec.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Reach the URL's host at ADDR instead of what DNS says, as curl's --resolve (the probes and the Chromium retest): a custom domain before its DNS record, one CloudFront edge.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    Rest,
    Http,
}

impl From<KindArg> for ApiKind {
    fn from(k: KindArg) -> ApiKind {
        match k {
            KindArg::Rest => ApiKind::Rest,
            KindArg::Http => ApiKind::Http,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModeArg {
    Spec,
    ChromeToday,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Spec => Mode::Spec,
            ModeArg::ChromeToday => Mode::ChromeToday,
        }
    }
}

/// `--format`: the report's output format (the report itself knows no clap).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    #[default]
    Text,
    Json,
    Markdown,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Markdown => Format::Markdown,
        }
    }
}

/// `--fix-format`: the flavour the text and Markdown reports show each fix in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FixFormatArg {
    /// The AWS CLI commands.
    Cli,
    /// CloudFormation YAML.
    Cloudformation,
    /// SAM YAML.
    Sam,
    /// CDK TypeScript (aws-cdk-lib v2).
    Cdk,
    /// Terraform HCL.
    Terraform,
}

impl From<FixFormatArg> for Flavour {
    fn from(f: FixFormatArg) -> Flavour {
        match f {
            FixFormatArg::Cli => Flavour::Cli,
            FixFormatArg::Cloudformation => Flavour::Cloudformation,
            FixFormatArg::Sam => Flavour::Sam,
            FixFormatArg::Cdk => Flavour::Cdk,
            FixFormatArg::Terraform => Flavour::Terraform,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub target: TargetFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// No colors in text output (also: NO_COLOR=1).
    #[arg(long)]
    pub no_color: bool,
    /// Also show the diagnosis after the proposed fix: every change applied to a copy of the
    /// configuration, the request replayed through the behaviour model (nothing is changed).
    #[arg(long)]
    pub preview: bool,
    /// The form fixes are shown in (text and Markdown; JSON carries them all under
    /// remediation.snippets). Default: the config's report.fix_format, else cli.
    #[arg(long, value_enum, value_name = "FLAVOUR")]
    pub fix_format: Option<FixFormatArg>,
    /// A request copied with DevTools' "Copy as cURL" (bash or cmd); - reads it from standard
    /// input. Flags given beside it win.
    #[arg(long, value_name = "'curl …'", conflicts_with = "from_fetch")]
    pub from_curl: Option<String>,
    /// A request copied with DevTools' "Copy as fetch"; - reads it from standard input. Flags
    /// given beside it win.
    #[arg(long, value_name = "'fetch(…)'")]
    pub from_fetch: Option<String>,
}

impl CheckArgs {
    /// Fills the target flags from `--from-curl`/`--from-fetch` (see
    /// [`TargetArgs::with_paste`]); returns the line on what was taken, if anything was pasted.
    pub fn apply_paste(&mut self) -> Result<Option<String>, PlanError> {
        use crate::paste::PasteKind;
        let (kind, input) = match (self.from_curl.take(), self.from_fetch.take()) {
            (Some(c), _) => (PasteKind::Curl, c),
            (None, Some(f)) => (PasteKind::Fetch, f),
            (None, None) => return Ok(None),
        };
        let (args, line) = self.target.args().with_paste(kind, &input)?;
        self.target.url = args.url;
        self.target.origin = args.origin;
        self.target.method = args.method;
        self.target.headers = args.headers;
        self.target.body = args.body;
        self.target.credentials = args.credentials;
        Ok(Some(line))
    }
}

/// `fix [URL] [--api-id … --stage … --path …] [--yes] [--force] [--allow-any-origin]`, or
/// `fix --undo FILE [--yes]`.
#[derive(Debug, Clone, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub target: TargetFlags,
    /// Make the changes (without it, only show the calls that would be made).
    #[arg(long)]
    pub yes: bool,
    /// Change an API that CloudFormation or Terraform manages anyway (the next deploy of the
    /// template undoes the change: drift).
    #[arg(long)]
    pub force: bool,
    /// Allow a fix to set Access-Control-Allow-Origin: * (never with credentials).
    #[arg(long)]
    pub allow_any_origin: bool,
    /// Restore what a fix changed, from the undo file it printed (a dry run unless --yes).
    #[arg(long, value_name = "FILE")]
    pub undo: Option<PathBuf>,
    /// Seconds to wait for the deployed fix to answer as predicted (default 60).
    #[arg(long, value_name = "SECS")]
    pub wait: Option<f64>,
    /// No colors in text output (also: NO_COLOR=1).
    #[arg(long)]
    pub no_color: bool,
}

/// `lint --format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormatArg {
    #[default]
    Text,
    Json,
    Markdown,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

impl From<LintFormatArg> for crate::lint::LintFormat {
    fn from(f: LintFormatArg) -> Self {
        match f {
            LintFormatArg::Text => Self::Text,
            LintFormatArg::Json => Self::Json,
            LintFormatArg::Markdown => Self::Markdown,
            LintFormatArg::Sarif => Self::Sarif,
        }
    }
}

/// `lint FILE… [--origin O]… [--format …]`.
#[derive(Debug, Clone, Args)]
pub struct LintArgs {
    /// Terraform plans (terraform show -json plan.out > plan.json), CloudFormation/SAM templates (CDK and Serverless output too) and API Gateway exports.
    #[arg(value_name = "FILE", required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// An origin of your app (repeatable); without one, each API's own allowed origin.
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormatArg::Text)]
    pub format: LintFormatArg,
    /// CORS rules to judge with: what Chromium does today (default) or the Fetch standard.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// A template parameter, KEY=VALUE (repeatable); also pseudo parameters (AWS::Region=…).
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,
}

impl From<LintFormatArg> for crate::audit::AuditFormat {
    fn from(f: LintFormatArg) -> Self {
        match f {
            LintFormatArg::Text => Self::Text,
            LintFormatArg::Json => Self::Json,
            LintFormatArg::Markdown => Self::Markdown,
            LintFormatArg::Sarif => Self::Sarif,
        }
    }
}

/// `audit [--region R]… [--api-id ID]… [--origin O]… [--format …]`.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// Region to audit (repeatable); default: the profile's or AWS_REGION.
    #[arg(long, value_name = "REGION")]
    pub region: Vec<String>,
    /// Audit every commercial Region where API Gateway runs (a disabled one is a row that says so).
    #[arg(long, conflicts_with = "region")]
    pub all_regions: bool,
    /// AWS profile (shared config/credentials files).
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Only these APIs (repeatable; REST or HTTP API ids); default: every API listed.
    #[arg(long, value_name = "ID")]
    pub api_id: Vec<String>,
    /// An origin of your app (repeatable); without one, each API's own allowed origin.
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Vec<String>,
    /// Only what this stage serves.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// API Gateway endpoint (an emulator, a VPC endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormatArg::Text)]
    pub format: LintFormatArg,
    /// Control-plane calls per second per account and Region (default 10, API Gateway's quota; also `aws.audit_rate` in the config file). GetResources stays within its own 5 per 2 s.
    #[arg(long, value_name = "CALLS_PER_S")]
    pub rate: Option<f64>,
    /// Calls that may be made at once before the rate applies (default 40, API Gateway's burst; `aws.audit_burst`).
    #[arg(long, value_name = "CALLS")]
    pub burst: Option<f64>,
    /// APIs read at once per Region (default 8).
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// CORS rules to judge with: what Chromium does today (default) or the Fetch standard.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// No progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Also send each route's preflight (OPTIONS only, as the browser sends it) to each stage's invoke URL and report routes whose live answer differs from what the configuration predicts (LIVE_PREFLIGHT_MISMATCH: OPTIONS not deployed, a stale deployment, CloudFront or a WAF in front). Routes browsers send without a preflight are not probed.
    #[arg(long)]
    pub probe: bool,
    /// With --probe: where the stages are served, with {api_id}, {region} and {stage} placeholders (default https://{api_id}.execute-api.{region}.amazonaws.com/{stage}; a $default stage has no stage segment). Required with a local --endpoint-url.
    #[arg(long, value_name = "URL", requires = "probe")]
    pub invoke_url_template: Option<String>,
    /// With --probe: seconds allowed for each preflight, 0.001 to 3600 (default 10; `probe.timeout_secs`).
    #[arg(long, value_name = "SECS", requires = "probe")]
    pub timeout: Option<f64>,
    /// Open the audit in the terminal UI (progress, a sortable and filterable table; Enter opens an API in the explorer).
    #[arg(long, conflicts_with_all = ["format", "quiet"])]
    pub tui: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// The scenario to diagnose (see --list).
    pub scenario: Option<String>,
    /// List the scenarios, one line each on what is broken.
    #[arg(long)]
    pub list: bool,
    /// Print a report instead of opening the terminal UI.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    #[arg(long)]
    pub no_color: bool,
    /// With --format: also show the diagnosis after the proposed fix (see `check --preview`).
    #[arg(long)]
    pub preview: bool,
    /// With --format: the form fixes are shown in (see `check --fix-format`).
    #[arg(long, value_enum, value_name = "FLAVOUR")]
    pub fix_format: Option<FixFormatArg>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The scenario to serve (see `demo --list`), or a path to a scenario file.
    pub scenario: String,
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Latency added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
}

impl TargetFlags {
    /// The raw fields of the plan, as typed (validated by [`TargetArgs::resolve`]).
    pub fn args(&self) -> TargetArgs {
        let f = self.clone();
        TargetArgs {
            url: f.url,
            origin: f.origin,
            method: f.method,
            headers: f.headers,
            body: f.body,
            credentials: f.credentials,
            no_aws: f.no_aws,
            openapi: f.openapi,
            kind: f.kind.map(ApiKind::from),
            template: f.template,
            cloudfront_config: f.cloudfront_config,
            parameters: f.parameters,
            api_id: f.api_id,
            stage: f.stage,
            path: f.path,
            profile: f.profile,
            region: f.region,
            endpoint_url: f.endpoint_url,
            browser: f.browser,
            timeout: f.timeout,
            mode: f.mode.map(Mode::from),
            resolve: f.resolve,
        }
    }
}

/// `har FILE.har [--entry N | --url SUBSTRING] [--live [--yes]]` (see `app::har`).
#[derive(Debug, Clone, Args)]
pub struct HarArgs {
    /// The HAR file DevTools exported (Chrome, Edge, Firefox, Safari); - reads standard input.
    #[arg(value_name = "FILE.har")]
    pub file: String,
    /// Diagnose entry N (the number the list shows).
    #[arg(long, value_name = "N", conflicts_with = "url")]
    pub entry: Option<usize>,
    /// Diagnose every cross-origin request whose URL contains SUBSTRING.
    #[arg(long, value_name = "SUBSTRING")]
    pub url: Option<String>,
    /// Also send the requests that are safe: the OPTIONS preflights, and the request itself
    /// (with and without Origin) when its method is GET or HEAD.
    #[arg(long)]
    pub live: bool,
    /// With --live, send a request that can change data (POST, PUT, DELETE …) too, twice.
    #[arg(long, requires = "live")]
    pub yes: bool,
    /// The page's origin, instead of the recorded Origin/Referer/page.
    #[arg(long)]
    pub origin: Option<String>,
    /// fetch()'s credentials mode (a HAR does not record it): omit, same-origin or include.
    #[arg(long, value_name = "MODE")]
    pub credentials: Option<String>,
    /// Read the API's configuration with the AWS SDK, as `check` does (off by default).
    #[arg(long)]
    pub aws: bool,
    /// An API export (or definition) to read the configuration from.
    #[arg(long, value_name = "EXPORT.json")]
    pub openapi: Option<PathBuf>,
    /// REST or HTTP API, when the --openapi file's markers decide wrongly.
    #[arg(long, value_name = "rest|http", requires = "openapi")]
    pub kind: Option<KindArg>,
    /// API id (with --aws).
    #[arg(long)]
    pub api_id: Option<String>,
    /// Stage name (overrides the one in the URL).
    #[arg(long)]
    pub stage: Option<String>,
    /// AWS profile (with --aws).
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region (with --aws).
    #[arg(long)]
    pub region: Option<String>,
    /// API Gateway endpoint for the lookups (with --aws).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Seconds allowed for each request and the lookups (default 10).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Browser rules: chrome-today (default) or spec.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Output format: the list, or one report per selected entry.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// No colors in text output (also: NO_COLOR=1).
    #[arg(long)]
    pub no_color: bool,
}
