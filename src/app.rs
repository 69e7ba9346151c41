//! `run(cli)`: the whole program behind `main`, so tests can drive it.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use crate::aws::ConfigSource;
use crate::cli::{CheckArgs, Cli, Command, Plan, UsageError};
use crate::config::Config;
use crate::report::Format;
use crate::runner;

/// Exit status: 0 allowed, 1 a step fails, 2 usage/configuration error.
pub async fn run(cli: Cli) -> i32 {
    match dispatch(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cors-doctor: {e}");
            2
        }
    }
}

async fn dispatch(cli: Cli) -> Result<i32, UsageError> {
    let (config, _) = Config::load(cli.config.as_deref()).map_err(|e| UsageError(e.to_string()))?;
    if let Err(e) = crate::logging::init(cli.log_file.as_deref(), config.log.level.as_deref()) {
        eprintln!("cors-doctor: warning: {e}; continuing without a log file");
    }
    let interactive = std::io::stdout().is_terminal();
    match cli.command {
        Some(Command::Check(args)) => check(&args, &config).await,
        Some(Command::Demo(args))
            if interactive && !args.list && args.format.is_none() && args.scenario.is_none() =>
        {
            tui(config, cli.target, crate::tui::StartMode::Demo).await
        }
        Some(Command::Demo(_)) | Some(Command::Serve(_)) => Err(UsageError(
            "the simulator is not part of this build yet".into(),
        )),
        None if interactive => {
            let start = if cli.target.url.is_none() && cli.target.path.is_none() {
                crate::tui::StartMode::Form
            } else {
                match cli.target.resolve(&config) {
                    Ok(plan) => crate::tui::StartMode::Diagnose(Box::new(plan)),
                    Err(e) => crate::tui::StartMode::FormError(e.0),
                }
            };
            tui(config, cli.target, start).await
        }
        None => {
            let args = CheckArgs {
                target: cli.target,
                format: Format::Text,
                no_color: false,
            };
            check(&args, &config).await
        }
    }
}

/// The terminal UI, on the same runner and configuration sources as `check`.
async fn tui(
    config: Config,
    args: crate::cli::TargetArgs,
    start: crate::tui::StartMode,
) -> Result<i32, UsageError> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let opts = crate::tui::Options {
        config,
        args,
        start,
        source: Arc::new(|plan: &Plan| config_source(plan).map_err(|e| e.0)),
        catalog: Arc::new(crate::tui::NoScenarios),
        last_path: crate::tui::session::default_path(),
        color,
    };
    crate::tui::run(opts).await.map_err(UsageError)
}

/// The configuration source a plan names, if any.
pub fn config_source(plan: &Plan) -> Result<Option<Arc<dyn ConfigSource>>, UsageError> {
    let _ = plan;
    Ok(None)
}

async fn check(args: &CheckArgs, config: &Config) -> Result<i32, UsageError> {
    let plan = args.target.resolve(config)?;
    let source = config_source(&plan)?;
    let report = runner::run(&plan, source, None)
        .await
        .map_err(|e| UsageError(e.0))?;
    let color = args.format == Format::Text
        && !args.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", report.render(args.format, color));
    Ok(report.exit_code())
}
