//! `cors-doctor fix`: the dry run (the default), `--yes` (apply, deploy, verify) and
//! `--undo FILE`. The work is `runner::fix`'s; this prints it.
//!
//! Exit status: 0 the dry run was printed, or the fix was applied and the browser's verdict
//! is now allowed, or the undo finished; 1 nothing to apply while a step fails, or the fix
//! was applied but the verdict did not flip before `--wait` passed; 2 refused (guard rails,
//! drift), a write failed (what was done is restorable with the undo file), or any usage or
//! configuration error.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use super::{print_stdout, AppError};
use crate::aws::write::{Applied, Prepared, Progress, UndoFile};
use crate::cli::FixArgs;
use crate::config::Config;
use crate::cors::Outcome;
use crate::runner::fix::{self as engine, FixError, FixOptions};

/// The default of `--wait`: deployments reach every edge in seconds; a minute is generous.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

impl From<FixError> for AppError {
    fn from(e: FixError) -> AppError {
        AppError::Fix(e.to_string())
    }
}

fn err_line(text: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "{}",
        crate::redact::escape_controls(&crate::redact::known(text))
    );
}

pub async fn fix(args: &FixArgs, config: &Config) -> Result<i32, AppError> {
    if let Some(path) = &args.undo {
        return undo(args, config, path).await;
    }
    let plan = args.target.args().resolve(config)?;
    let wait = match args.wait {
        Some(s) if (1.0..=3600.0).contains(&s) => Duration::from_secs_f64(s),
        Some(s) => return Err(AppError::Fix(format!("--wait {s}: give 1 to 3600 seconds"))),
        None => DEFAULT_WAIT,
    };
    let diagnosed = engine::diagnose(&plan).await?;
    let report = &diagnosed.report;
    let before = report.browser.outcome;
    let sets = engine::proposals(report);
    if sets.is_empty() {
        let text = if before == Outcome::Allowed {
            "Nothing to fix: the browser allows this request (cors-doctor check shows the steps)."
                .to_string()
        } else {
            format!(
                "No finding proposes a change cors-doctor can apply (the browser's verdict: {}). Run cors-doctor check for the diagnosis and what to do by hand.",
                outcome_word(before)
            )
        };
        print_stdout(&text)?;
        return Ok(report.exit_code());
    }
    let options = FixOptions {
        force: args.force,
        allow_any_origin: args.allow_any_origin,
        allowed_origins: config.fix.allowed_origins.clone(),
    };
    let prepared = engine::prepare(&plan, &diagnosed, &sets, &options).await?;
    print_stdout(&describe(&prepared, args.yes))?;
    if !args.yes || prepared.steps.is_empty() {
        return Ok(0);
    }
    let interactive = std::io::stderr().is_terminal();
    let total = prepared.steps.len();
    let applied = engine::apply(&diagnosed.clients, &prepared, None, |p| match &p {
        Progress::Started { index, command } => {
            err_line(&format!("  [{}/{total}] {command}", index + 1))
        }
        Progress::Failed { error, .. } => err_line(&format!("        failed: {error}")),
        Progress::Done { .. } | Progress::Skipped { .. } => {}
    })
    .await?;
    print_stdout(&applied_text(&applied))?;
    if applied.failed.is_some() {
        return Ok(2);
    }
    let deadline = tokio::time::Instant::now() + wait;
    let target = if plan.live {
        "re-probing the URL"
    } else {
        "re-reading the configuration"
    };
    let started = std::time::Instant::now();
    let after = engine::verify(&plan, deadline, |n, r| {
        let line = format!(
            "verifying ({target}): attempt {n}, {}s, the browser's verdict: {}",
            started.elapsed().as_secs(),
            outcome_word(r.browser.outcome)
        );
        if interactive {
            let _ = write!(std::io::stderr(), "\r{line}\x1b[K");
        } else {
            err_line(&line);
        }
    })
    .await?;
    if interactive {
        let _ = writeln!(std::io::stderr());
    }
    let now = after.browser.outcome;
    let summary = if now == Outcome::Allowed {
        format!(
            "Fixed: the browser's verdict went from {} to allowed ({}).",
            outcome_word(before),
            if plan.live {
                "probed live"
            } else {
                "predicted from the configuration as read back"
            }
        )
    } else {
        format!(
            "Applied, but the browser's verdict is still {} after {}s. A deployment can take a little longer to reach every edge: run cors-doctor check again. If it stays, the remaining finding is in the report below; undo with: cors-doctor fix --undo {} --yes",
            outcome_word(now),
            wait.as_secs(),
            shell_word(&applied.undo_file.display().to_string())
        )
    };
    print_stdout(&summary)?;
    if now != Outcome::Allowed {
        print_stdout(&after.render(crate::report::Format::Text, false))?;
    }
    Ok(if now == Outcome::Allowed { 0 } else { 1 })
}

fn outcome_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Allowed => "allowed",
        Outcome::Blocked => "blocked",
        Outcome::NetworkError => "network error",
        Outcome::Refused => "refused by fetch()",
        _ => "unknown",
    }
}

fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The dry run (and, with `--yes`, the plan about to run).
pub fn describe(p: &Prepared, yes: bool) -> String {
    let kind = match p.kind {
        crate::gateway::model::ApiKind::Rest => "REST API",
        crate::gateway::model::ApiKind::Http => "HTTP API",
    };
    let mut out = String::new();
    let stage = p
        .stage
        .as_deref()
        .map(|s| format!(", stage {s}"))
        .unwrap_or_default();
    out.push_str(&format!("{kind} {} ({}){stage}\n", p.api_id, p.region));
    if let Some(why) = &p.managed_by {
        out.push_str(&format!(
            "Warning: {why}; --force given: the next deploy of the template will undo these changes unless the template is changed too.\n"
        ));
    }
    if p.steps.is_empty() {
        out.push_str(
            "\nNothing to change: the configuration already has what the fixes propose.\n",
        );
    } else {
        out.push_str(&format!(
            "\n{} ({} call{}):\n",
            if yes {
                "Applying"
            } else {
                "Dry run: nothing is changed. These are the calls `--yes` makes"
            },
            p.steps.len(),
            if p.steps.len() == 1 { "" } else { "s" }
        ));
        for (i, s) in p.steps.iter().enumerate() {
            let why = s
                .finding
                .as_deref()
                .map_or_else(|| "deploy".to_string(), str::to_string);
            out.push_str(&format!(
                "  {}. [{why}] {}\n",
                i + 1,
                s.call.command(&p.api_id, &p.region)
            ));
        }
    }
    if !p.unchanged.is_empty() {
        out.push_str("\nAlready so (no call):\n");
        for u in &p.unchanged {
            out.push_str(&format!("  - {u}\n"));
        }
    }
    out.push_str("\nIAM permissions needed (the calls above and their undo):\n");
    for perm in p.permissions() {
        out.push_str(&format!("  - {perm}\n"));
    }
    if !yes && !p.steps.is_empty() {
        out.push_str("\nBefore the first write, the current values are saved to an undo file under $XDG_STATE_HOME/cors-doctor/undo/ (0600); `cors-doctor fix --undo FILE --yes` puts them back.\nApply with: the same command and --yes\n");
    }
    out
}

fn applied_text(a: &Applied) -> String {
    let file = shell_word(&a.undo_file.display().to_string());
    match &a.failed {
        None => format!(
            "Applied {} call{}. Undo file: {}\nTo put everything back: cors-doctor fix --undo {file} --yes",
            a.done.len(),
            if a.done.len() == 1 { "" } else { "s" },
            a.undo_file.display()
        ),
        Some((command, e)) => {
            let mut s = format!("Stopped: {command}\n  failed: {e}\n");
            if e.denied {
                s.push_str("  The credentials lack that permission: grant it (see the IAM permissions above) and run fix again.\n");
            }
            s.push_str(&format!("Done ({}):\n", a.done.len()));
            for d in &a.done {
                s.push_str(&format!("  - {d}\n"));
            }
            s.push_str(&format!("Not done ({}):\n", a.not_done.len() + 1));
            s.push_str(&format!("  - {command}\n"));
            for d in &a.not_done {
                s.push_str(&format!("  - {d}\n"));
            }
            if a.done.is_empty() {
                s.push_str(&format!(
                    "Nothing was changed. (The undo file {file} restores nothing.)"
                ));
            } else {
                s.push_str(&format!(
                    "The changes made are not deployed. Undo file: {}\nTo put them back: cors-doctor fix --undo {file} --yes",
                    a.undo_file.display()
                ));
            }
            s
        }
    }
}

async fn undo(args: &FixArgs, config: &Config, path: &std::path::Path) -> Result<i32, AppError> {
    let mut file = UndoFile::load(path).map_err(|e| AppError::Fix(e.to_string()))?;
    if let Some(when) = &file.undone {
        if !args.force {
            return Err(AppError::Fix(format!(
                "{} was already undone at {when}; pass --force to replay it anyway",
                path.display()
            )));
        }
    }
    let commands = crate::aws::write::undo_commands(&file);
    let mut text = format!(
        "Undo of the fix made at {} to {} {} ({}):\n",
        file.created,
        match file.kind {
            crate::gateway::model::ApiKind::Rest => "REST API",
            crate::gateway::model::ApiKind::Http => "HTTP API",
        },
        file.api_id,
        file.region
    );
    if commands.is_empty() {
        text.push_str("  nothing to restore: the fix made no change.\n");
        print_stdout(&text)?;
        return Ok(0);
    }
    for (i, c) in commands.iter().enumerate() {
        text.push_str(&format!("  {}. {c}\n", i + 1));
    }
    if !args.yes {
        text.push_str("\nDry run: nothing is changed. Restore with: the same command and --yes");
        print_stdout(&text)?;
        return Ok(0);
    }
    print_stdout(&text)?;
    let aws = crate::plan::AwsArgs {
        enabled: true,
        profile: args
            .target
            .profile
            .clone()
            .or_else(|| config.aws.profile.clone()),
        region: args
            .target
            .region
            .clone()
            .or_else(|| config.aws.region.clone()),
        endpoint_url: args
            .target
            .endpoint_url
            .clone()
            .or_else(|| config.aws.endpoint_url.clone()),
    };
    let clients = engine::clients(engine::undo_options(&file, &aws)).await?;
    let total = commands.len();
    let done = engine::undo(&clients, path, &mut file, |p| match &p {
        Progress::Started { index, command } => {
            err_line(&format!("  [{}/{total}] {command}", index + 1))
        }
        Progress::Skipped { why, .. } => err_line(&format!("        skipped: {why}")),
        Progress::Failed { error, .. } => err_line(&format!("        failed: {error}")),
        Progress::Done { .. } => {}
    })
    .await;
    match &done.failed {
        None => {
            print_stdout(&format!(
                "Restored: {} call{} made{}.",
                done.done.len(),
                if done.done.len() == 1 { "" } else { "s" },
                if done.skipped.is_empty() {
                    String::new()
                } else {
                    format!(", {} with nothing to restore", done.skipped.len())
                }
            ))?;
            Ok(0)
        }
        Some((command, e)) => {
            print_stdout(&format!(
                "Stopped: {command}\n  failed: {e}\n{} restore call{} made, {} not made. Fix the cause and run the undo again (restores are safe to repeat).",
                done.done.len(),
                if done.done.len() == 1 { "" } else { "s" },
                done.not_done.len() + 1
            ))?;
            Ok(2)
        }
    }
}
