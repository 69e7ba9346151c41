//! `cors-doctor har FILE.har`: the cross-origin requests of a HAR with the engine's verdict,
//! failures first; `--entry N` / `--url SUBSTRING` diagnose entries from the recorded
//! exchanges (the seven steps of `check`, on the same runner), sending nothing unless
//! `--live`.
//!
//! Output (`--format`): text and Markdown print the list, or one report per selected entry.
//! JSON is one object, schema `cors-doctor/har/v1`: `{schema, browser, creator, entries: [the
//! list], skipped: [{entry, why}], not_read, cut, reports: [{entry, preflight_entry, report}]}`
//! (`reports` only with a selection; each `report` is `check --format json`'s report). A
//! wrapper rather than a bare array, so that what was skipped travels with the reports.
//!
//! Exit status: 0 no listed (or selected) request fails, 1 one does, 2 an error (a file that
//! cannot be read, no entry selected by `--entry`/`--url`).
//!
//! The HAR is read once, never written, and never logged (only counts are); every string
//! shown from it is masked with the secrets of the whole file (cookies, `Authorization`-like
//! headers, `Set-Cookie`, secret URL parameters and body fields), by value.

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::json;

use super::{color_wanted, config_source, print_stdout, wrap_text, AppError};
use crate::cli::HarArgs;
use crate::config::Config;
use crate::cors::{Mode, Outcome};
use crate::evidence::recorded::{self, Listed, ReadOptions};
use crate::evidence::ExchangeKind;
use crate::har::{self, Har};
use crate::plan::TargetArgs;
use crate::report::{Format, Report};
use crate::runner;

/// The most reports one `--url` selection prints.
const MAX_REPORTS: usize = 50;
/// How long `-` waits for standard input to end.
const STDIN_WAIT: Duration = Duration::from_secs(60);

/// Reads the HAR named on the command line (`-`: standard input) as it streams in (the text
/// is never held whole: see [`har::parse_reader`]).
pub fn load_har(file: &str) -> Result<Har, AppError> {
    let fail = |why: String| AppError::Har(format!("{}: {why}", shown_name(file)));
    let parsed = if file == "-" {
        if std::io::stdin().is_terminal() {
            return Err(fail("standard input is a terminal; pipe or redirect the HAR in (cors-doctor har - < session.har).".into()));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let stdin = std::io::stdin().lock();
            let _ = tx.send(har::parse_reader(std::io::BufReader::with_capacity(
                64 * 1024,
                stdin,
            )));
        });
        match rx.recv_timeout(STDIN_WAIT) {
            Ok(parsed) => parsed,
            Err(_) => {
                return Err(fail(format!(
                    "standard input did not end within {} s; redirect a saved HAR in.",
                    STDIN_WAIT.as_secs()
                )))
            }
        }
    } else {
        return runner::har::read_file(std::path::Path::new(file)).map_err(fail);
    };
    parsed.map_err(|e| fail(e.to_string()))
}

fn shown_name(file: &str) -> String {
    if file == "-" {
        "standard input".to_string()
    } else {
        crate::redact::escape_controls(&crate::redact::shorten(file, 200))
    }
}

/// The entries `args` selects (numbers), or an error naming what to give.
fn select(list: &[Listed], har: &Har, args: &HarArgs) -> Result<Vec<usize>, AppError> {
    if let Some(n) = args.entry {
        if list.iter().any(|l| l.number == n) {
            return Ok(vec![n]);
        }
        let why = match har.entry(n) {
            None if har.skipped.iter().any(|s| s.number == n) => {
                "was skipped (see the list's note on what was not read)".to_string()
            }
            None => format!(
                "does not exist (the file has {} entries)",
                har.entries.len() + har.skipped.len()
            ),
            Some(e) if e.is_preflight() => {
                match har
                    .entries
                    .iter()
                    .find(|a| !a.is_preflight() && har.preflight_for(a).is_some_and(|p| p.number == n))
                {
                    Some(a) => format!("is a preflight: diagnose the request it was sent for, --entry {}", a.number),
                    None => "is a preflight: diagnose the request it was sent for".to_string(),
                }
            }
            Some(e) if !e.cors_mode() => "was not made in CORS mode (no Origin header: an image, a script or a page load), so CORS does not apply".to_string(),
            Some(e) => match recorded::recorded(har, e, &ReadOptions::default()) {
                Err(err) => err.to_string(),
                Ok(_) => "is not a cross-origin request (its origin is the page's own), so CORS does not apply".to_string(),
            },
        };
        return Err(AppError::Har(format!(
            "entry {n} {why}; run `cors-doctor har FILE` to list the cross-origin requests."
        )));
    }
    if let Some(sub) = &args.url {
        let picked: Vec<usize> = list
            .iter()
            // The recorded URL (the list's is masked).
            .filter(|l| {
                har.entry(l.number)
                    .is_some_and(|e| e.request.url.contains(sub.as_str()))
            })
            .map(|l| l.number)
            .collect();
        if picked.is_empty() {
            return Err(AppError::Har(format!(
                "no cross-origin request's URL contains '{}'; run `cors-doctor har FILE` to list them.",
                crate::redact::known(&crate::redact::escape_controls(&crate::redact::shorten(sub, 100)))
            )));
        }
        return Ok(picked);
    }
    Ok(Vec::new())
}

/// `cors-doctor har`.
pub async fn har(args: &HarArgs, config: &Config) -> Result<i32, AppError> {
    let har = load_har(&args.file)?;
    tracing::info!(
        entries = har.entries.len(),
        skipped = har.skipped.len(),
        "HAR read"
    );
    let file_secrets = runner::har::secrets(&har);
    let credentials = match &args.credentials {
        Some(c) => Some(
            c.parse()
                .map_err(|e: crate::target::TargetError| AppError::Har(e.to_string()))?,
        ),
        None => None,
    };
    let opts = ReadOptions {
        origin: args.origin.clone(),
        credentials,
    };
    let mode = args.mode.map_or(Mode::ChromeToday, Mode::from);
    let list = recorded::list(&har, &opts, mode);
    // Masked for showing before the file's secrets join the process's (see `shown_list`):
    // `url` fields below are shown as they are.
    let list = runner::har::shown_list(&har, list, &file_secrets);
    crate::redact::remember(&file_secrets);
    let format = Format::from(args.format);
    if let Some(note) = har.skipped_summary() {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("cors-doctor: {}\n", mask(&note)).as_bytes(),
        );
    }
    let selected = select(&list, &har, args)?;
    if selected.is_empty() {
        let mut text = render_list(&har, &list, format);
        let unknown = har
            .entries
            .iter()
            .filter(|e| !e.is_preflight() && e.cors_mode() && e.page_origin(&har).is_none())
            .count();
        if args.origin.is_none() && unknown > 0 && format != Format::Json {
            text.push_str(&format!(
                "{unknown} request{} name no page origin (no Origin or Referer header, no page URL) and are not listed: give the page's origin with --origin to include them.\n",
                if unknown == 1 { "" } else { "s" }
            ));
        }
        print_stdout(&text)?;
        return Ok(if list.iter().any(|l| l.failed) { 1 } else { 0 });
    }
    if selected.len() > MAX_REPORTS {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "cors-doctor: {} requests match; diagnosing the first {MAX_REPORTS} (failures first). Narrow --url, or give --entry N.\n",
                selected.len()
            )
            .as_bytes(),
        );
    }
    let mut reports = Vec::new();
    for n in selected.into_iter().take(MAX_REPORTS) {
        let Some(entry) = har.entry(n) else { continue };
        let rec =
            recorded::recorded(&har, entry, &opts).map_err(|e| AppError::Har(e.to_string()))?;
        let report = diagnose_entry(args, config, &rec).await?;
        reports.push((n, rec.preflight_entry, report));
    }
    let code = reports
        .iter()
        .map(|(_, _, r)| r.exit_code())
        .max()
        .unwrap_or(0);
    print_stdout(&render_reports(
        &har,
        &list,
        &reports,
        format,
        args.no_color,
        args.live,
    ))?;
    Ok(code)
}

/// One entry's report: the plan the command line and the entry make, the recorded exchanges,
/// and (`--live`) the safe requests sent again.
async fn diagnose_entry(
    args: &HarArgs,
    config: &Config,
    rec: &recorded::Recorded,
) -> Result<Report, AppError> {
    let base = TargetArgs {
        openapi: args.openapi.clone(),
        kind: args.kind.map(Into::into),
        api_id: args.api_id.clone(),
        stage: args.stage.clone(),
        profile: args.profile.clone(),
        region: args.region.clone(),
        endpoint_url: args.endpoint_url.clone(),
        timeout: args.timeout,
        mode: args.mode.map(Mode::from),
        ..TargetArgs::default()
    };
    let (plan, _) = runner::har::plan_for(rec, &base, args.aws, config)?;
    let source = config_source(&plan)?;
    let mut send = Vec::new();
    if args.live {
        send = runner::har::safe_kinds(&plan, args.yes);
        if !send.contains(&ExchangeKind::Actual) {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!(
                    "cors-doctor: --live sent only the preflights: {} can change data, so the request itself was not sent again (add --yes to send it, twice: with and without Origin).\n",
                    crate::redact::escape_controls(&crate::redact::shorten(&plan.target.method, 20))
                )
                .as_bytes(),
            );
        }
    }
    let deadline = tokio::time::Instant::now() + plan.timeout;
    let (report, _) =
        runner::run_recorded(&plan, source, rec.exchanges.clone(), &send, deadline).await?;
    Ok(report)
}

use runner::har::{mask, outcome_words};

fn status_words(status: u16) -> String {
    if status == 0 {
        "none".to_string()
    } else {
        status.to_string()
    }
}

fn list_json(l: &Listed) -> serde_json::Value {
    json!({
        "entry": l.number,
        "method": l.method,
        "url": l.url,
        "origin": l.origin,
        "status": (l.status != 0).then_some(l.status),
        "preflight_entry": l.preflight_entry,
        "preflight_status": l.preflight_status.filter(|s| *s != 0),
        "outcome": l.verdict.outcome.as_str(),
        "cors_error": l.verdict.cors_error.map(|k| k.name()),
        "hidden_status": l.hidden_status,
        "failed_at": matches!(l.verdict.outcome, Outcome::Blocked | Outcome::NetworkError)
            .then_some(l.verdict.failed_at)
            .flatten(),
        "browser_error": l.browser_error,
        "failed": l.failed,
    })
}

/// The `cors-doctor/har/v1` object without its entries and reports.
fn wrapper(har: &Har) -> serde_json::Value {
    json!({
        "schema": "cors-doctor/har/v1",
        "browser": har.shape.name(),
        "creator": har.creator.as_deref().map(mask),
        "skipped": har.skipped.iter().map(|s| json!({"entry": s.number, "why": mask(&s.why)})).collect::<Vec<_>>(),
        "not_read": har.over_limit,
        "cut": har.cut.as_deref().map(mask),
    })
}

/// The wrapper with `entries` (and `reports`, when given) written one entry at a time: a list
/// of 50,000 entries is never one JSON tree in memory.
fn json_document(har: &Har, list: &[Listed], reports: Option<Vec<serde_json::Value>>) -> String {
    let mut w = wrapper(har);
    if let Some(r) = reports {
        w["reports"] = serde_json::Value::Array(r);
    }
    let head = serde_json::to_string_pretty(&w).unwrap_or_default();
    // `head` is an object: its last line is the closing brace.
    let body = head.trim_end().trim_end_matches('}').trim_end();
    let mut out = String::with_capacity(body.len() + list.len() * 320);
    out.push_str(body);
    out.push_str(",\n  \"entries\": [");
    for (i, l) in list.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&serde_json::to_string(&list_json(l)).unwrap_or_default());
    }
    out.push_str(if list.is_empty() { "]\n}" } else { "\n  ]\n}" });
    out
}

/// The list, in `format`.
pub fn render_list(har: &Har, list: &[Listed], format: Format) -> String {
    match format {
        Format::Json => json_document(har, list, None),
        Format::Text | Format::Markdown => {
            let md = format == Format::Markdown;
            let mut out = String::new();
            let failed = list.iter().filter(|l| l.failed).count();
            out.push_str(&format!(
                "{}{} HAR{}: {} cross-origin request{}, {failed} failed{}\n",
                if md { "## " } else { "" },
                har.shape.name(),
                har.creator
                    .as_deref()
                    .map(|c| format!(" ({})", mask(c)))
                    .unwrap_or_default(),
                list.len(),
                if list.len() == 1 { "" } else { "s" },
                if failed > 0 { " (listed first)" } else { "" },
            ));
            if md {
                out.push_str("\n| entry | request | status | preflight | verdict | browser recorded |\n|---|---|---|---|---|---|\n");
            }
            for l in list {
                let pf = match (l.preflight_entry, l.preflight_status) {
                    (Some(n), Some(s)) => format!("#{n} {}", status_words(s)),
                    _ => "-".to_string(),
                };
                let rec = l.browser_error.clone().unwrap_or_default();
                if md {
                    out.push_str(&format!(
                        "| {} | `{} {}` | {} | {pf} | {} | {} |\n",
                        l.number,
                        l.method,
                        l.url.replace('|', "%7C"),
                        status_words(l.status),
                        outcome_words(l),
                        rec.replace('|', "\\|"),
                    ));
                } else {
                    out.push_str(&format!(
                        "{} {:>4}  {} {}\n        status {}, preflight {pf}, from {}: {}{}\n",
                        if l.failed { "✗" } else { "✓" },
                        l.number,
                        l.method,
                        l.url,
                        status_words(l.status),
                        l.origin,
                        outcome_words(l),
                        if rec.is_empty() {
                            String::new()
                        } else {
                            format!(" (browser: {rec})")
                        },
                    ));
                }
            }
            if list.is_empty() {
                out.push_str("No cross-origin request in this HAR (requests whose origin differs from the page's).\n");
            } else {
                out.push_str("\nDiagnose one from the recorded evidence: cors-doctor har FILE --entry N (nothing is sent; --live sends the safe requests).\n");
            }
            if let Some(note) = har.skipped_summary() {
                out.push_str(&format!("Not read: {}.\n", mask(&note)));
            }
            out
        }
    }
}

/// The reports of the selected entries, in `format`.
fn render_reports(
    har: &Har,
    list: &[Listed],
    reports: &[(usize, Option<usize>, Report)],
    format: Format,
    no_color: bool,
    live: bool,
) -> String {
    match format {
        Format::Json => {
            let reports = reports
                .iter()
                .map(|(n, pf, r)| {
                    json!({
                        "entry": n,
                        "preflight_entry": pf,
                        "report": serde_json::from_str::<serde_json::Value>(&r.render(Format::Json, false)).unwrap_or_default(),
                    })
                })
                .collect();
            json_document(har, list, Some(reports))
        }
        Format::Text | Format::Markdown => {
            let color = format == Format::Text && color_wanted(no_color);
            let mut parts = Vec::new();
            for (n, pf, r) in reports {
                let head = format!(
                    "HAR entry {n}{} (recorded by {}; {})",
                    pf.map(|p| format!(", preflight entry {p}"))
                        .unwrap_or_default(),
                    har.shape.name(),
                    if live {
                        "--live sent the safe requests again"
                    } else {
                        "nothing was sent"
                    }
                );
                let head = if format == Format::Markdown {
                    format!("## {head}\n\n")
                } else {
                    format!("── {head} ──\n")
                };
                parts.push(format!(
                    "{head}{}",
                    wrap_text(format, r.render(format, color))
                ));
            }
            parts.join(if format == Format::Markdown {
                "\n\n---\n\n"
            } else {
                "\n\n"
            })
        }
    }
}
