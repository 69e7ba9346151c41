//! `run(cli)`: the whole program behind `main`, so tests can drive it.

mod fix;
pub mod har;

use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::aws::BoxFuture;
use crate::aws::ConfigSource;
use crate::aws::SourceError;
use crate::cli::{AuditArgs, CheckArgs, Cli, Command, DemoArgs, FormatArg, LintArgs, ServeArgs};
use crate::config::Config;
use crate::config::ConfigError;
use crate::gateway::scenario::Scenario;
use crate::gateway::scenario::ScenarioError;
use crate::plan::{Plan, PlanError, TargetArgs};
use crate::report::{Flavour, Format};
use crate::runner;
use crate::runner::RunError;
use crate::sim::{self, SimServer};
use crate::tui::{ScenarioCatalog, ScenarioEntry, StartError, StartedScenario};

/// Why the program could not do what the command line asked. Each kind has its exit status
/// ([`AppError::exit_code`]); the message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request to diagnose is not valid (flags, form, config defaults).
    #[error(transparent)]
    Usage(#[from] PlanError),
    /// The config file cannot be read or parsed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The configuration source cannot be opened (`--openapi`).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The run produced no report (missing credentials, nothing to predict from…).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The configuration was asked for explicitly and could not be read.
    #[error("cannot read the API's configuration: {0}")]
    ConfigUnavailable(String),
    /// A demo scenario cannot be found or read.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The simulator cannot listen where asked.
    #[error("cannot listen on {bind}: {why}. Choose another --port (0 picks a free one).")]
    Listen { bind: SocketAddr, why: String },
    /// Standard output cannot be written (a closed pipe, a full disk).
    #[error("cannot write to standard output ({0}); check where the output is redirected")]
    Output(std::io::Error),
    /// The terminal UI could not run (the terminal cannot be set up).
    #[error(transparent)]
    Terminal(#[from] crate::tui::TerminalError),
    /// A completion script or man page cannot be written.
    #[error(transparent)]
    Manual(#[from] crate::manual::ManualError),
    /// `fix` refused or could not prepare, apply or undo (the message says why and what to do).
    #[error("{0}")]
    Fix(String),
    /// A HAR cannot be read, or names no entry that was asked for (`har`).
    #[error("{0}")]
    Har(String),
    /// A file `lint` cannot check.
    #[error(transparent)]
    Lint(#[from] crate::lint::LintError),
    /// An `--origin` of `lint` that is not an origin.
    #[error("--origin: {0}")]
    LintOrigin(crate::target::TargetError),
    /// `audit` cannot run: no credentials, a bad profile, a bad flag.
    #[error("{0}")]
    Audit(String),
}

impl AppError {
    /// The exit status: 2 for every kind today (usage, configuration, credentials, output:
    /// README "Exit status"); 1 is kept for "a step fails", which is not an error.
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Usage(_)
            | AppError::Config(_)
            | AppError::Source(_)
            | AppError::Run(_)
            | AppError::ConfigUnavailable(_)
            | AppError::Scenario(_)
            | AppError::Listen { .. }
            | AppError::Output(_)
            | AppError::Terminal(_)
            | AppError::Manual(_)
            | AppError::Fix(_)
            | AppError::Har(_)
            | AppError::Lint(_)
            | AppError::LintOrigin(_)
            | AppError::Audit(_) => 2,
        }
    }
}

/// Exit status: 0 allowed, 1 a step fails, 2 usage/configuration error.
pub async fn run(cli: Cli) -> i32 {
    // What the command line holds is masked in every message from here on.
    remember_secrets(&cli, &Config::default());
    crate::redact::remember(&crate::redact::Secrets::from_argv(
        std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned()),
    ));
    let result = dispatch(cli).await;
    // A run that was cancelled (not dropped) may still own a Chromium: none outlives us.
    crate::browser::kill_all();
    let stopped = STOPPED_BY.load(Ordering::SeqCst);
    if stopped != 0 {
        return stopped;
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            // Not `eprintln!`: it panics when stderr cannot be written.
            let _ = writeln!(
                std::io::stderr(),
                "cors-doctor: {}",
                crate::redact::escape_controls(&crate::redact::known(&e.to_string()))
            );
            e.exit_code()
        }
    }
}

/// Writes `text` and a newline to standard output and flushes it: a write that fails (a
/// closed pipe, a full disk) is an error that says so, never a panic or a silent exit 0.
fn print_stdout(text: &str) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(AppError::Output)
}

/// Adds the secrets of the command line's target (and the config's request defaults) to the
/// ones every output masks.
fn remember_secrets(cli: &Cli, config: &Config) {
    let target = match &cli.command {
        Some(Command::Check(args)) => &args.target,
        Some(Command::Fix(args)) => &args.target,
        _ => &cli.target,
    };
    crate::redact::remember(&target.args().secrets(config));
}

/// A command line clap refused: help and version as clap prints them, anything else on
/// stderr with every secret of the command line masked. Returns the exit status.
pub fn parse_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return 0;
    }
    let secrets = crate::redact::Secrets::from_argv(
        std::env::args_os()
            .skip(1)
            .map(|a| a.to_string_lossy().into_owned()),
    );
    let text = e.render().to_string();
    let _ = write!(
        std::io::stderr(),
        "{}",
        crate::redact::escape_controls(&secrets.mask(&text))
    );
    2
}

async fn dispatch(mut cli: Cli) -> Result<i32, AppError> {
    // Generated from the command line's definition alone: no configuration is read.
    match &cli.command {
        Some(Command::Completions(args)) => {
            return Ok(crate::manual::print_completions(args.shell).map(|()| 0)?)
        }
        Some(Command::Man(args)) => {
            return Ok(crate::manual::print_man(args.out_dir.as_deref()).map(|()| 0)?)
        }
        _ => {}
    }
    let (config, config_path) = Config::load(cli.config.as_deref())?;
    // --from-curl/--from-fetch fill the flags first, so that their secrets are remembered.
    let pasted = match &mut cli.command {
        Some(Command::Check(args)) => args.apply_paste()?,
        _ => None,
    };
    remember_secrets(&cli, &config);
    if let Some(line) = pasted {
        let _ = writeln!(
            std::io::stderr(),
            "cors-doctor: {}",
            crate::redact::known(&line)
        );
    }
    let log_file = cli
        .log_file
        .clone()
        .or_else(|| config.log.file_from(config_path.as_deref()));
    if let Err(e) = crate::logging::init(log_file.as_deref(), config.log.level.as_deref()) {
        let _ = writeln!(
            std::io::stderr(),
            "cors-doctor: warning: {}; continuing without a log file.",
            crate::redact::known(&e)
        );
    }
    let interactive = std::io::stdout().is_terminal();
    match cli.command {
        Some(Command::Check(args)) => check(&args, &config).await,
        Some(Command::Fix(args)) => fix::fix(&args, &config).await,
        Some(Command::Har(args)) => har::har(&args, &config).await,
        Some(Command::Demo(args)) if interactive && !args.list && args.format.is_none() => {
            // The simulator of a named scenario lives while the UI diagnoses it.
            let mut _simulator = None;
            let start = match &args.scenario {
                None => crate::tui::StartMode::Demo,
                Some(name) => {
                    let started = SimCatalog.start_scenario(name).await?;
                    _simulator = Some(started.guard);
                    crate::tui::StartMode::Diagnose(Box::new(started.plan))
                }
            };
            tui(config, cli.target.args(), start).await
        }
        Some(Command::Demo(args)) => demo(&args, &config).await,
        Some(Command::Serve(args)) => serve(&args).await,
        Some(Command::Lint(args)) => lint(&args),
        Some(Command::Audit(args)) => audit(&args, &config).await,
        Some(Command::Completions(_) | Command::Man(_)) => Ok(0), // answered above
        None if interactive => {
            let start = if cli.target.url.is_none() && cli.target.path.is_none() {
                crate::tui::StartMode::Form
            } else {
                match cli.target.args().resolve(&config) {
                    Ok(plan) => crate::tui::StartMode::Diagnose(Box::new(plan)),
                    Err(e) => crate::tui::StartMode::FormError(e.to_string()),
                }
            };
            tui(config, cli.target.args(), start).await
        }
        None => {
            let args = CheckArgs {
                target: cli.target,
                format: FormatArg::Text,
                no_color: false,
                preview: false,
                fix_format: None,
                from_curl: None,
                from_fetch: None,
            };
            check(&args, &config).await
        }
    }
}

/// The terminal UI, on the same runner and configuration sources as `check`.
async fn tui(
    config: Config,
    args: TargetArgs,
    start: crate::tui::StartMode,
) -> Result<i32, AppError> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let opts = crate::tui::Options {
        config,
        args,
        start,
        source: Arc::new(|plan: &Plan| config_source(plan).map_err(|e| e.0)),
        catalog: Arc::new(SimCatalog),
        last_path: crate::tui::session::default_path(),
        color,
    };
    crate::tui::run(opts).await.map_err(AppError::Terminal)
}

/// The configuration source a plan names, if any (see [`crate::aws::resolve()`]).
pub fn config_source(plan: &Plan) -> Result<Option<Arc<dyn ConfigSource>>, SourceError> {
    crate::aws::resolve(plan).open()
}

/// The text report wrapped at the terminal's width (100 columns when piped); other formats
/// as they are.
fn wrap_text(format: Format, text: String) -> String {
    use crate::report::wrap;
    if format != Format::Text {
        return text;
    }
    let width = if std::io::stdout().is_terminal() {
        crossterm::terminal::size()
            .map(|(cols, _)| usize::from(cols).max(wrap::MIN_WIDTH))
            .unwrap_or(wrap::PIPED_WIDTH)
    } else {
        wrap::PIPED_WIDTH
    };
    wrap::wrap(&text, width)
}

fn color_wanted(no_color: bool) -> bool {
    !no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

fn load_scenario(name: &str) -> Result<Scenario, ScenarioError> {
    let path = std::path::Path::new(name);
    if name.ends_with(".json") || path.is_file() {
        crate::aws::file::load_scenario(path)
    } else {
        Scenario::by_name(name)
    }
}

async fn start_simulator(
    scenario: &Scenario,
    port: u16,
    latency_ms: u64,
) -> Result<SimServer, AppError> {
    let handler = sim::gateway::scenario_handler(scenario);
    let bind = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    SimServer::start(bind, handler, Duration::from_millis(latency_ms))
        .await
        .map_err(|e| AppError::Listen {
            bind,
            why: e.to_string(),
        })
}

/// The plan that diagnoses a scenario's request against a simulator at `base_url`.
pub fn scenario_plan(scenario: &Scenario, base_url: &str) -> Result<Plan, PlanError> {
    let req = &scenario.spec.request;
    let mut target = TargetArgs {
        url: Some(format!("{base_url}{}", scenario.url_path())),
        ..TargetArgs::scenario_request(req)
    };
    target.no_aws = true;
    let mut plan = target.resolve(&Config::default())?;
    plan.scenario = Some(Box::new(scenario.clone()));
    Ok(plan)
}

/// The demo's scenarios for the UI's picker: each starts a simulator on a free loopback port.
pub struct SimCatalog;

impl ScenarioCatalog for SimCatalog {
    fn entries(&self) -> Vec<ScenarioEntry> {
        Scenario::all()
            .unwrap_or_default()
            .into_iter()
            .map(|s| ScenarioEntry {
                name: s.name,
                title: s.spec.title,
                summary: s.spec.summary,
            })
            .collect()
    }

    fn start<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<StartedScenario, StartError>> {
        Box::pin(async move {
            self.start_scenario(name)
                .await
                .map_err(|e| StartError::Failed(Box::new(e)))
        })
    }
}

impl SimCatalog {
    /// Starts the simulator of scenario `name` (a name or a file) on a free loopback port.
    async fn start_scenario(&self, name: &str) -> Result<StartedScenario, AppError> {
        let scenario = load_scenario(name)?;
        let server = start_simulator(&scenario, 0, 0).await?;
        let plan = scenario_plan(&scenario, &server.base_url())?;
        Ok(StartedScenario {
            plan,
            guard: Box::new(server),
        })
    }
}

/// `lint`: every file read first (a bad one stops the command with exit 2), then checked.
fn lint(args: &LintArgs) -> Result<i32, AppError> {
    let origins = args
        .origin
        .iter()
        .map(|o| crate::target::parse_origin(o).map_err(AppError::LintOrigin))
        .collect::<Result<Vec<_>, _>>()?;
    let mut parameters = std::collections::BTreeMap::new();
    for p in &args.parameters {
        match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                parameters.insert(k.trim().to_string(), v.to_string());
            }
            _ => {
                return Err(AppError::Usage(PlanError::Parameter(
                    crate::text::escape_controls(&crate::text::shorten(p, 80)),
                )))
            }
        }
    }
    let inputs = args
        .files
        .iter()
        .map(|f| crate::lint::load(f, &parameters))
        .collect::<Result<Vec<_>, _>>()?;
    let options = crate::rules::Options {
        origins,
        mode: args.mode.map(crate::cors::Mode::from).unwrap_or_default(),
    };
    let report = crate::lint::lint(&inputs, &options);
    print_stdout(&report.render(args.format.into(), &inputs))?;
    Ok(report.exit_code())
}

/// `audit`: the account's APIs read (reads only, rate-limited) and checked like `lint`.
async fn audit(args: &AuditArgs, config: &Config) -> Result<i32, AppError> {
    let origins = args
        .origin
        .iter()
        .map(|o| crate::target::parse_origin(o).map_err(AppError::LintOrigin))
        .collect::<Result<Vec<_>, _>>()?;
    let positive = |v: Option<f64>, flag: &str| {
        match v {
        Some(x) if !(x.is_finite() && x > 0.0) => Err(AppError::Audit(format!(
            "{flag} must be a number above 0 (got {x}); API Gateway allows 10 calls/s with a burst of 40 per account and Region"
        ))),
        _ => Ok(v),
    }
    };
    let rate = positive(
        args.rate.or(config.aws.audit_rate.map(f64::from)),
        "--rate (aws.audit_rate)",
    )?;
    let burst = positive(
        args.burst.or(config.aws.audit_burst.map(f64::from)),
        "--burst (aws.audit_burst)",
    )?;
    if args.concurrency == Some(0) {
        return Err(AppError::Audit(
            "--concurrency must be at least 1 (the number of APIs read at once)".to_string(),
        ));
    }
    let endpoint_url = args
        .endpoint_url
        .clone()
        .or(config.aws.endpoint_url.clone());
    let probe = if args.probe {
        let secs = args.timeout.or(config.probe.timeout_secs).unwrap_or(10.0);
        if !(secs.is_finite() && (0.001..=3600.0).contains(&secs)) {
            return Err(AppError::Audit(format!(
                "--timeout (probe.timeout_secs) must be between 0.001 and 3600 seconds (got {secs}): it bounds each preflight --probe sends"
            )));
        }
        Some(
            crate::audit::ProbeSettings::new(
                args.invoke_url_template.as_deref(),
                endpoint_url.as_deref(),
                std::time::Duration::from_secs_f64(secs),
            )
            .map_err(AppError::Audit)?,
        )
    } else {
        None
    };
    let format: crate::audit::AuditFormat = args.format.into();
    let options = crate::audit::AuditOptions {
        regions: if args.region.is_empty() {
            config.aws.region.clone().into_iter().collect()
        } else {
            args.region.clone()
        },
        all_regions: args.all_regions,
        profile: args.profile.clone().or(config.aws.profile.clone()),
        endpoint_url,
        api_ids: args.api_id.clone(),
        stage: args.stage.clone(),
        rules: crate::rules::Options {
            origins,
            mode: args.mode.map(crate::cors::Mode::from).unwrap_or_default(),
        },
        quota: crate::aws::sdk::throttle::Quota::with_rate(rate, burst),
        concurrency: args.concurrency.unwrap_or(0),
        max_attempts: None,
        progress: !args.quiet && format == crate::audit::AuditFormat::Text,
        probe,
        watch: None,
    };
    if args.tui {
        // The explorer's diagnoses read the configuration with the audit's account.
        let target = TargetArgs {
            profile: options.profile.clone(),
            region: options.regions.first().cloned(),
            endpoint_url: options.endpoint_url.clone(),
            origin: options.rules.origins.first().cloned(),
            mode: args.mode.map(crate::cors::Mode::from),
            ..TargetArgs::default()
        };
        let config = config.clone();
        let start = crate::tui::StartMode::Audit(Box::new(options));
        return Box::pin(tui(config, target, start)).await;
    }
    let report = crate::audit::audit(&options)
        .await
        .map_err(|e| AppError::Audit(e.to_string()))?;
    print_stdout(&report.render(format))?;
    Ok(report.exit_code())
}

async fn demo(args: &DemoArgs, config: &Config) -> Result<i32, AppError> {
    if args.list {
        let scenarios = Scenario::all()?;
        let width = scenarios.iter().map(|s| s.name.len()).max().unwrap_or(0);
        let list: Vec<String> = scenarios
            .iter()
            .map(|s| format!("{:<width$}  {}", s.name, s.spec.summary))
            .collect();
        print_stdout(&list.join("\n"))?;
        return Ok(0);
    }
    let name = args.scenario.as_deref().unwrap_or(DEFAULT_DEMO);
    let scenario = load_scenario(name)?;
    let fix_format = crate::plan::fix_format(args.fix_format.map(Flavour::from), config)?;
    let server = start_simulator(&scenario, 0, 0).await?;
    let mut plan = scenario_plan(&scenario, &server.base_url())?;
    plan.preview = args.preview;
    let report = runner::run(&plan, config_source(&plan)?, None)
        .await
        .map_err(AppError::from);
    server.shutdown().await;
    let mut report = report?;
    report.fix_format = fix_format;
    let format = args.format.map_or(Format::Text, Format::from);
    let mut text = String::new();
    if format == Format::Text {
        text = format!(
            "Demo '{}': {}\n{}\n\n",
            scenario.name, scenario.spec.title, scenario.spec.summary
        );
    }
    text.push_str(&report.render(format, color_wanted(args.no_color)));
    print_stdout(&wrap_text(format, text))?;
    Ok(report.exit_code())
}

async fn serve(args: &ServeArgs) -> Result<i32, AppError> {
    let scenario = load_scenario(&args.scenario)?;
    let server = start_simulator(&scenario, args.port, args.latency_ms).await?;
    let req = &scenario.spec.request;
    let banner = format!(
        "Serving scenario '{}' ({}) on {}\n  {}\nTry: cors-doctor check {}{} --origin {} -X {}{}\nPress Ctrl-C to stop.",
        scenario.name,
        scenario.spec.title,
        server.base_url(),
        scenario.spec.summary,
        server.base_url(),
        scenario.url_path(),
        req.origin,
        req.method,
        req.headers
            .iter()
            .map(|(k, v)| format!(" -H '{k}: {v}'"))
            .collect::<String>()
    );
    if let Err(e) = print_stdout(&banner) {
        server.shutdown().await;
        return Err(e);
    }
    let _ = tokio::signal::ctrl_c().await;
    server.shutdown().await;
    Ok(0)
}

/// SIGTERM, SIGINT or SIGHUP during a headless run with a browser: Chromium runs in a process
/// group of its own (the terminal's Ctrl-C does not reach it), so it is killed here, then the
/// process exits as the signal would have ended it (128 + the signal's number).
async fn stop_on_signal() {
    let Some(code) = crate::signals::termination().await else {
        return;
    };
    tracing::info!(code, "stopped by a signal");
    // Set first: killing Chromium ends the retest, and the run must not then finish as if
    // nothing happened (exit 0 with a report) before this task exits.
    STOPPED_BY.store(code, Ordering::SeqCst);
    crate::browser::kill_all();
    std::process::exit(code);
}

/// The exit status a signal asked for (0: none).
static STOPPED_BY: AtomicI32 = AtomicI32::new(0);

/// The scenario `cors-doctor demo` diagnoses when none is named.
pub const DEFAULT_DEMO: &str = "options-cognito-authorizer";

async fn check(args: &CheckArgs, config: &Config) -> Result<i32, AppError> {
    let mut plan = args.target.args().resolve(config)?;
    plan.preview = args.preview;
    // Checked before anything is sent: a bad config value is a usage error.
    let fix_format = crate::plan::fix_format(args.fix_format.map(Flavour::from), config)?;
    if plan.browser {
        tokio::spawn(stop_on_signal());
    }
    let source = config_source(&plan)?;
    // One deadline for the whole command: the credential check (missing or expired AWS
    // credentials stop the run before anything is probed: exit 2 with the next command),
    // the lookups, the retest.
    let deadline = tokio::time::Instant::now() + plan.timeout;
    let (mut report, _) = runner::run_until(&plan, source.clone(), None, deadline).await?;
    report.fix_format = fix_format;
    let format = Format::from(args.format);
    let color = format == Format::Text && color_wanted(args.no_color);
    if STOPPED_BY.load(Ordering::SeqCst) != 0 {
        // Stopped by a signal: the retest was cut short, so the report would mislead.
        return Ok(STOPPED_BY.load(Ordering::SeqCst));
    }
    print_stdout(&wrap_text(format, report.render(format, color)))?;
    // The configuration was asked for explicitly (an API, a stage, an endpoint or a profile
    // named on the command line or in the config file): not getting it is an error, not a
    // quiet fall-back to probes only.
    let explicit = plan.api_id.is_some()
        || plan.stage.is_some()
        || plan.aws.endpoint_url.is_some()
        || plan.aws.profile.is_some();
    if let (true, Some(why)) = (explicit && source.is_some(), &report.api.config_unavailable) {
        return Err(AppError::ConfigUnavailable(why.clone()));
    }
    Ok(report.exit_code())
}
