//! The audit report as text (per API, then its findings by stage and route), Markdown (a
//! summary table of APIs × severities, then the findings) and SARIF 2.1.0 (one result per
//! finding; the logical location is API / stage / route: an audit has no file to point at).
//! The rules' descriptions are `lint`'s ([`crate::lint::describe`]).

use std::fmt::Write as _;

use serde_json::{json, Value};

use super::{ApiRow, ApiStatus, AuditFinding, AuditReport, ProbeAnswer, ProbeEvidence};
use crate::diagnose::{FindingCode, Severity};
use crate::lint::{cell, counts, mark, plural};
use crate::redact::escape_controls;

/// `prod POST /items`, `prod (whole API, 3 routes)`.
fn place(f: &AuditFinding) -> String {
    let stage = f.stage.as_deref().unwrap_or("(no stage)");
    match (&f.method, &f.path, f.routes_affected) {
        (Some(m), Some(p), _) => format!("{stage} {m} {p}"),
        (_, _, Some(n)) if n > 1 => format!("{stage} (whole API, {n} routes)"),
        _ => format!("{stage} (whole API)"),
    }
}

fn mine<'a>(r: &'a AuditReport, api: &'a ApiRow) -> impl Iterator<Item = &'a AuditFinding> {
    r.findings
        .iter()
        .filter(move |f| f.api_id == api.api_id && f.region == api.region)
}

fn seconds(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// `OPTIONS https://… → 403 (x-amzn-ErrorType: …), predicted 200 (pass)`.
fn exchange_line(p: &ProbeEvidence) -> String {
    let side = |a: &ProbeAnswer| -> String {
        let status = a
            .status
            .map_or_else(|| a.error.clone().unwrap_or_default(), |s| s.to_string());
        let headers: Vec<String> = a.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        // The verdict's name only: the message says the rest.
        let verdict = a.verdict.split(" (").next().unwrap_or_default();
        if headers.is_empty() {
            format!("{status} [{verdict}]")
        } else {
            format!("{status} [{verdict}] {{{}}}", headers.join("; "))
        }
    };
    format!(
        "{} {} → live {}; predicted {}",
        p.method,
        p.url,
        side(&p.live),
        side(&p.predicted)
    )
}

fn header(r: &AuditReport) -> String {
    let s = &r.summary;
    let regions: Vec<&str> = r.regions.iter().map(|x| x.region.as_str()).collect();
    let probes = r.probes.as_ref().map_or(String::new(), |p| {
        format!(
            " · {} sent (OPTIONS only), {} differing from the configuration, {} unanswered",
            plural(p.sent as usize, "preflight", "preflights"),
            p.mismatched,
            p.unanswered
        )
    });
    format!(
        "{} in {} ({}), {} · origin{} {}\n{} AWS calls (reads only) in {} · {} throttled{probes}",
        plural(s.apis, "API", "APIs"),
        plural(regions.len(), "Region", "Regions"),
        regions.join(", "),
        plural(s.routes, "route", "routes"),
        if r.origins.len() == 1 { "" } else { "s" },
        if r.origins.is_empty() {
            "(each API's own)".to_string()
        } else {
            r.origins.join(", ")
        },
        r.aws_calls,
        seconds(r.wall_time_ms),
        r.throttles
    )
}

pub(super) fn text(r: &AuditReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "cors-doctor audit: {}", header(r));
    for region in r.regions.iter().filter(|x| x.throttles > 0) {
        let _ = writeln!(
            out,
            "Region {}: {} throttled by API Gateway: the audit slowed from {:.1} to {:.1} calls/s, {:.1} at the end",
            region.region,
            plural(region.throttles as usize, "call", "calls"),
            region.rate.configured,
            region.rate.lowest,
            region.rate.last
        );
    }
    for region in r.regions.iter().filter(|x| x.error.is_some()) {
        let _ = writeln!(
            out,
            "\n✘ Region {}: {}",
            region.region,
            escape_controls(region.error.as_deref().unwrap_or_default())
        );
    }
    for api in &r.apis {
        let _ = writeln!(out);
        let stages = if api.stages.is_empty() {
            "no stage".to_string()
        } else {
            format!("stages {}", api.stages.join(", "))
        };
        let _ = writeln!(
            out,
            "{} API {} ({}) · {} · {stages}",
            api.kind.to_uppercase(),
            escape_controls(&api.name),
            escape_controls(&api.api_id),
            api.region
        );
        if api.status == ApiStatus::Failed {
            let _ = writeln!(
                out,
                "  ✘ not audited: {}",
                escape_controls(api.error.as_deref().unwrap_or("unknown error"))
            );
            continue;
        }
        for g in &api.gaps {
            let _ = writeln!(out, "  ? not read: {}", escape_controls(g));
        }
        if let Some(why) = &api.not_probed {
            let _ = writeln!(out, "  ? not probed: {}", escape_controls(why));
        }
        let mut any = false;
        for f in mine(r, api) {
            any = true;
            let _ = writeln!(out, "  {} {}  {}", mark(f.severity), f.code, place(f));
            let _ = writeln!(out, "      {}", escape_controls(&f.message));
            if let Some(p) = &f.probe {
                let _ = writeln!(
                    out,
                    "      Exchange: {}",
                    escape_controls(&exchange_line(p))
                );
            }
            if let Some(fix) = &f.remediation {
                for (i, line) in fix.text.lines().enumerate() {
                    let lead = if i == 0 { "Fix: " } else { "  " };
                    let _ = writeln!(out, "      {lead}{}", escape_controls(line));
                }
                for c in &fix.commands {
                    let _ = writeln!(out, "        $ {}", escape_controls(c));
                }
            }
        }
        if !any {
            let _ = writeln!(
                out,
                "  ✔ no trap found in {}",
                plural(api.routes, "route", "routes")
            );
        }
    }
    let s = &r.summary;
    let _ = writeln!(out);
    let _ = write!(out, "{}", counts(s.errors, s.warnings, s.info));
    if s.failed > 0 {
        let _ = write!(out, "; {} not audited", plural(s.failed, "API", "APIs"));
    }
    out
}

pub(super) fn markdown(r: &AuditReport) -> String {
    let mut out = String::new();
    let s = &r.summary;
    let _ = writeln!(out, "## cors-doctor audit\n");
    let _ = writeln!(
        out,
        "**{}** in {}.\n",
        counts(s.errors, s.warnings, s.info),
        cell(&header(r).replace('\n', " · "))
    );
    for region in r.regions.iter().filter(|x| x.error.is_some()) {
        let _ = writeln!(
            out,
            "- ✘ Region `{}`: {}",
            region.region,
            cell(region.error.as_deref().unwrap_or_default())
        );
    }
    let _ = writeln!(
        out,
        "| API | id | kind | Region | stages | routes | errors | warnings | info | status |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for api in &r.apis {
        let status = match api.status {
            ApiStatus::Ok => match &api.not_probed {
                Some(why) => format!("ok; not probed: {why}"),
                None => "ok".to_string(),
            },
            ApiStatus::Partial => format!("partial: {}", api.gaps.join("; ")),
            ApiStatus::Failed => format!("not audited: {}", api.error.as_deref().unwrap_or("")),
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            cell(&api.name),
            cell(&api.api_id),
            api.kind,
            api.region,
            cell(&api.stages.join(", ")),
            api.routes,
            api.errors,
            api.warnings,
            api.info,
            cell(&status)
        );
    }
    if r.findings.is_empty() {
        let _ = writeln!(out, "\nNo trap found.");
        return out;
    }
    let _ = writeln!(out, "\n| severity | code | API | where | finding | fix |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for f in &r.findings {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} (`{}`) | {} | {} | {} |",
            f.severity.as_str(),
            f.code,
            cell(&f.api),
            cell(&f.api_id),
            cell(&place(f)),
            cell(&match &f.probe {
                Some(p) => format!("{} Exchange: {}", f.message, exchange_line(p)),
                None => f.message.clone(),
            }),
            cell(f.remediation.as_ref().map_or("", |x| x.text.as_str()))
        );
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub(super) fn sarif(r: &AuditReport) -> String {
    let mut codes: Vec<FindingCode> = Vec::new();
    for f in &r.findings {
        if !codes.contains(&f.code) {
            codes.push(f.code);
        }
    }
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            let (short, full) = crate::lint::describe(*c);
            json!({
                "id": c.as_str(),
                "name": c.as_str(),
                "shortDescription": { "text": short },
                "fullDescription": { "text": full },
                "help": { "text": full }
            })
        })
        .collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let stage = f.stage.as_deref().unwrap_or("(no stage)");
            let route = match (&f.method, &f.path) {
                (Some(m), Some(p)) => format!("{m} {p}"),
                _ => "(whole API)".to_string(),
            };
            let api = format!("{}:{}", f.region, f.api_id);
            let mut text = f.message.clone();
            if let Some(fix) = &f.remediation {
                text.push_str("\nFix: ");
                text.push_str(&fix.text);
            }
            json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": codes.iter().position(|c| *c == f.code).unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [{ "logicalLocations": [
                    { "name": f.api, "fullyQualifiedName": api, "kind": "module" },
                    { "name": stage, "fullyQualifiedName": format!("{api}/{stage}"), "kind": "namespace" },
                    { "name": route, "fullyQualifiedName": format!("{api}/{stage}/{route}"), "kind": "function" }
                ] }],
                "partialFingerprints": {
                    "corsDoctor/v1": format!("{}|{api}|{stage}|{route}", f.code)
                },
                "properties": {
                    "step": f.step, "api_id": f.api_id, "region": f.region, "origin": f.origin,
                    "probe": f.probe
                }
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cors-doctor",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            } },
            "results": results
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
