//! The account audit screen: the progress while the audit runs (APIs read of those listed,
//! AWS calls, throttles), then the table of APIs × severity counts with the selected API's
//! summary under it.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, HighlightSpacing, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::framed;
use crate::audit::{ApiRow, ApiStatus, AuditProgress, AuditReport};
use crate::diagnose::Severity;
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::state::{visible_offset, AppState, AuditPhase, SortKey};
use crate::tui::theme::Theme;

/// Display-safe text from AWS (names, errors): controls escaped, known secrets masked.
fn safe(text: &str) -> String {
    crate::redact::escape_controls(&crate::redact::known(text))
}

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let a = &s.audit;
    match (&a.phase, &a.report) {
        (AuditPhase::Running { progress, .. }, None) => running(f, s, progress, theme),
        (AuditPhase::Failed(why), None) => failed(f, s, why, theme),
        (AuditPhase::Idle | AuditPhase::Done, None) => {
            let area = layout::frame(f.area()).body;
            let inner = framed(f, area, "Account audit", true, theme);
            let key = s.keymap.key_for(Action::Rerun);
            f.render_widget(
                Paragraph::new(Line::styled(
                    format!("No audit yet: {key} runs it."),
                    theme.dim(),
                )),
                inner,
            );
        }
        (_, Some(report)) => table(f, s, report, theme),
    }
}

/// The progress view: what the audit has read so far.
fn running(f: &mut Frame, s: &AppState, p: &AuditProgress, theme: &Theme) {
    let area = layout::frame(f.area()).body;
    let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][s.tick % 10];
    let inner = framed(
        f,
        area,
        &format!("Account audit {spinner} running"),
        true,
        theme,
    );
    let o = s.audit.options.clone().unwrap_or_default();
    let regions = if o.all_regions {
        "every Region".to_string()
    } else if o.regions.is_empty() {
        "the profile's Region".to_string()
    } else {
        o.regions.join(", ")
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Regions   ", theme.dim()),
            Span::raw(safe(&regions)),
        ]),
        Line::from(vec![
            Span::styled("Profile   ", theme.dim()),
            Span::raw(safe(o.profile.as_deref().unwrap_or("default chain"))),
        ]),
    ];
    if let Some(ep) = &o.endpoint_url {
        lines.push(Line::from(vec![
            Span::styled("Endpoint  ", theme.dim()),
            Span::raw(crate::redact::url(ep)),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("APIs read ", theme.dim()),
        Span::styled(format!("{} / {}", p.done, p.total), theme.bold()),
        Span::styled(
            if p.total == 0 {
                "  (listing the APIs…)"
            } else {
                ""
            },
            theme.dim(),
        ),
    ]));
    lines.push(Line::from(vec![
        Span::styled("AWS calls ", theme.dim()),
        Span::raw(p.calls.to_string()),
        Span::styled("  (reads only: Get*, within the rate limit)", theme.dim()),
    ]));
    lines.push(Line::from(vec![
        Span::styled("Throttled ", theme.dim()),
        Span::styled(
            p.throttles.to_string(),
            if p.throttles > 0 {
                theme.warn()
            } else {
                theme.dim()
            },
        ),
        Span::styled(
            if p.throttles > 0 {
                "  (the rate was halved; the SDK retries)"
            } else {
                ""
            },
            theme.dim(),
        ),
    ]));
    let n = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let text = Rect::new(inner.x, inner.y, inner.width, n.min(inner.height));
    f.render_widget(Paragraph::new(lines), text);
    if inner.height > n + 1 {
        let gauge_area = Rect::new(inner.x, inner.y + n + 1, inner.width.min(60), 1);
        let ratio = if p.total == 0 {
            0.0
        } else {
            (p.done as f64 / p.total as f64).clamp(0.0, 1.0)
        };
        f.render_widget(
            Gauge::default()
                .ratio(ratio)
                .label(format!("{}%", (ratio * 100.0).round() as u32))
                .gauge_style(theme.title()),
            gauge_area,
        );
    }
}

fn failed(f: &mut Frame, s: &AppState, why: &str, theme: &Theme) {
    let area = layout::frame(f.area()).body;
    let inner = framed(f, area, "Account audit: could not run", true, theme);
    let key = s.keymap.key_for(Action::Rerun);
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(why.to_string(), theme.error()),
            Line::raw(""),
            Line::styled(format!("{key} runs it again."), theme.dim()),
        ])
        .wrap(Wrap { trim: false }),
        inner,
    );
}

/// Column widths for a table `width` columns wide.
struct Cols {
    name: usize,
    id: usize,
    region: usize,
    stages: usize,
}

fn cols(width: usize) -> Cols {
    // "▶" + mark(2) + kind(5) + counts(3 × 5) + routes(7) + separators.
    let fixed = 2 + 2 + 5 + 15 + 7 + 4;
    let (id, region) = if width >= 120 { (12, 15) } else { (11, 10) };
    let rest = width.saturating_sub(fixed + id + region);
    let stages = (rest / 3).clamp(6, 24);
    let name = rest.saturating_sub(stages).max(8);
    Cols {
        name,
        id,
        region,
        stages,
    }
}

/// `text` cut to `w` columns (with `…` when cut), padded to `w`.
fn cell(text: &str, w: usize) -> String {
    let n = text.chars().count();
    if n <= w {
        format!("{text:<w$}")
    } else if w == 0 {
        String::new()
    } else {
        let cut: String = text.chars().take(w - 1).collect();
        format!("{cut}…")
    }
}

fn head(label: &str, key: SortKey, s: &AppState) -> String {
    if s.audit.sort == key {
        format!("{label}{}", if s.audit.reverse { "▲" } else { "▼" })
    } else {
        label.to_string()
    }
}

fn table(f: &mut Frame, s: &AppState, report: &AuditReport, theme: &Theme) {
    let areas = layout::audit(f.area());
    let a = &s.audit;
    let sm = &report.summary;
    let mut title = format!(
        "Audit · {} APIs · {} errors · {} warnings · {} info",
        sm.apis, sm.errors, sm.warnings, sm.info
    );
    if sm.failed > 0 {
        title.push_str(&format!(" · {} not read", sm.failed));
    }
    title.push_str(&format!(
        " · {} calls · {} throttled",
        report.aws_calls, report.throttles
    ));
    if let AuditPhase::Running { progress, .. } = &a.phase {
        title.push_str(&format!(" · again: {}/{}", progress.done, progress.total));
    }
    framed(f, areas.block, &title, true, theme);

    let count = format!("  {}/{} APIs", a.visible.len(), report.apis.len());
    let sort = format!(
        " · sorted by {}{}",
        a.sort.label(),
        if a.reverse { " (reversed)" } else { "" }
    );
    let line = if a.editing || !a.filter.is_empty() {
        Line::from(vec![
            Span::styled("filter ", theme.key()),
            Span::raw(a.filter.clone()),
            Span::styled(if a.editing { "▏" } else { "" }.to_string(), theme.key()),
            Span::styled(count, theme.dim()),
            Span::styled(sort, theme.dim()),
        ])
    } else {
        let filter_key = s.keymap.key_for(Action::Filter);
        let sort_key = s.keymap.key_for(Action::Sort);
        let rev_key = s.keymap.key_for(Action::SortReverse);
        Line::from(vec![
            Span::styled(
                format!("{filter_key} filter · {sort_key}/{rev_key} sort ·"),
                theme.dim(),
            ),
            Span::styled(count, theme.dim()),
            Span::styled(sort, theme.dim()),
        ])
    };
    f.render_widget(Paragraph::new(line), areas.filter);

    let width = usize::from(areas.list.width);
    let c = cols(width);
    let heads = format!(
        "    {} {} {} {} {} {:>4} {:>4} {:>4} {:>6}",
        cell(&head("API", SortKey::Name, s), c.name),
        cell(&head("ID", SortKey::Id, s), c.id),
        cell(&head("KIND", SortKey::Kind, s), 4),
        cell(&head("REGION", SortKey::Region, s), c.region),
        cell("STAGES", c.stages),
        head("ERR", SortKey::Errors, s),
        head("WARN", SortKey::Warnings, s),
        head("INFO", SortKey::Info, s),
        head("ROUTES", SortKey::Routes, s),
    );
    f.render_widget(
        Paragraph::new(Line::styled(cell(&heads, width), theme.bold())),
        areas.columns,
    );

    let height = usize::from(areas.list.height);
    let offset = visible_offset(a.list.offset, a.list.sel, height);
    let end = (offset + height).min(a.visible.len());
    let mut items: Vec<ListItem> = Vec::with_capacity(height);
    for &i in &a.visible[offset.min(end)..end] {
        let Some(r) = report.apis.get(i) else {
            continue;
        };
        items.push(ListItem::new(row_line(r, &c, theme)));
    }
    if items.is_empty() {
        let why = if report.apis.is_empty() {
            "The account has no REST or HTTP API in the Regions audited.".to_string()
        } else {
            format!("No API matches '{}'.", a.filter)
        };
        f.render_widget(Paragraph::new(Line::styled(why, theme.dim())), areas.list);
    } else {
        let list = List::new(items)
            .highlight_symbol("▶")
            .highlight_spacing(HighlightSpacing::Always)
            .highlight_style(theme.selected(true));
        let mut state = ListState::default().with_selected(Some(a.list.sel.saturating_sub(offset)));
        f.render_stateful_widget(list, areas.list, &mut state);
    }
    about(f, s, report, areas.about, theme);
    if a.editing && !s.help {
        let x = areas.filter.x + 7 + u16::try_from(a.filter.chars().count()).unwrap_or(u16::MAX);
        f.set_cursor_position(Position::new(
            x.min(areas.filter.right().saturating_sub(1)),
            areas.filter.y,
        ));
    }
}

fn row_line<'a>(r: &ApiRow, c: &Cols, theme: &Theme) -> Line<'a> {
    let name = if r.name.is_empty() { "-" } else { &r.name };
    let stages = if r.stages.is_empty() {
        "-".to_string()
    } else {
        r.stages.join(",")
    };
    let (mark, style) = match r.status {
        ApiStatus::Failed => ("✘", theme.error()),
        ApiStatus::Partial => ("~", theme.warn()),
        ApiStatus::Ok if r.errors > 0 => ("✘", theme.error()),
        ApiStatus::Ok if r.warnings > 0 => ("!", theme.warn()),
        ApiStatus::Ok => ("✔", theme.good()),
    };
    let mut spans = vec![
        Span::styled(format!("{mark} "), style),
        Span::raw(cell(&safe(name), c.name)),
        Span::raw(" "),
        Span::styled(cell(&safe(&r.api_id), c.id), theme.dim()),
        Span::raw(" "),
        Span::raw(cell(&r.kind.to_uppercase(), 4)),
        Span::raw(" "),
        Span::raw(cell(&safe(&r.region), c.region)),
        Span::raw(" "),
        Span::raw(cell(&safe(&stages), c.stages)),
    ];
    if r.status == ApiStatus::Failed {
        let why = r.error.as_deref().unwrap_or("not read");
        spans.push(Span::styled(
            format!(" ✘ not read: {}", safe(why)),
            theme.error(),
        ));
        return Line::from(spans);
    }
    let count =
        |n: usize, style| Span::styled(format!(" {n:>4}"), if n > 0 { style } else { theme.dim() });
    spans.push(count(r.errors, theme.error()));
    spans.push(count(r.warnings, theme.warn()));
    spans.push(count(r.info, theme.dim()));
    // A partial read is the `~` mark; what was not read is under the table.
    spans.push(Span::raw(format!(" {:>6}", r.routes)));
    Line::from(spans)
}

/// The selected API: why it was not read, what was not read, its most severe findings.
fn about(f: &mut Frame, s: &AppState, report: &AuditReport, area: Rect, theme: &Theme) {
    let Some(r) = s.audit.selected() else {
        return;
    };
    let mut lines = Vec::new();
    let open = s.keymap.key_for(Action::Open);
    lines.push(Line::from(vec![
        Span::styled(
            safe(if r.name.is_empty() {
                &r.api_id
            } else {
                &r.name
            }),
            theme.bold(),
        ),
        Span::styled(
            format!(
                " ({} {} API, {})",
                safe(&r.api_id),
                r.kind.to_uppercase(),
                safe(&r.region)
            ),
            theme.dim(),
        ),
        Span::styled(
            if r.status == ApiStatus::Failed {
                String::new()
            } else {
                format!(" · {open} opens it in the explorer")
            },
            theme.dim(),
        ),
    ]));
    if let Some(e) = &r.error {
        lines.push(Line::styled(format!("✘ {}", safe(e)), theme.error()));
    }
    for g in &r.gaps {
        lines.push(Line::styled(
            format!("~ not read: {}", safe(g)),
            theme.warn(),
        ));
    }
    for finding in report
        .findings
        .iter()
        .filter(|x| x.api_id == r.api_id && x.region == r.region)
    {
        let (mark, style) = match finding.severity {
            Severity::Error => ("✘", theme.error()),
            Severity::Warning => ("!", theme.warn()),
            Severity::Info => ("·", theme.dim()),
        };
        let route = match (&finding.method, &finding.path) {
            (Some(m), Some(p)) => format!("{m} {p}"),
            (None, Some(p)) => p.clone(),
            _ => "API-wide".to_string(),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(format!("{} ", finding.code.as_str()), style),
            Span::raw(safe(&route)),
            Span::styled(
                finding
                    .stage
                    .as_deref()
                    .map(|st| format!(" ({})", safe(st)))
                    .unwrap_or_default(),
                theme.dim(),
            ),
            Span::styled(format!(" {}", safe(&finding.message)), theme.dim()),
        ]));
    }
    let width = usize::from(area.width);
    let lines: Vec<Line> = lines
        .into_iter()
        .take(usize::from(area.height))
        .map(|l| super::ellipsized(l, width))
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}
