//! The preview overlay (`p`, issue 14): the changes the findings propose, and the diagnosis
//! after them beside the one before — side by side when the terminal is wide (160×48),
//! stacked when it is narrow (80×24). Nothing is changed; Esc closes it.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{framed, max_scroll};
use crate::cors::Outcome;
use crate::report::preview::status_word;
use crate::report::{Preview, PreviewResult, Report, VerdictLine};
use crate::tui::layout;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;

/// Side by side from this inner width on.
const SIDE_BY_SIDE: u16 = 120;

struct Parts<'a> {
    head: Text<'a>,
    before: Text<'a>,
    after: Text<'a>,
    /// Narrow terminals: one table, each step's status before → after.
    narrow: Text<'a>,
}

/// The report the preview belongs to.
fn report(s: &AppState) -> Option<&Report> {
    s.diag
        .as_ref()
        .and_then(|d| d.report.as_ref())
        .filter(|r| r.preview.is_some())
}

/// The areas: the overlay's inside, then (head, before, after) or (all, stacked).
fn areas(s: &AppState, parts: &Parts) -> (Rect, Option<(Rect, Rect, Rect)>) {
    let body = layout::frame(s.size).body;
    let inner = Rect {
        x: body.x + 1,
        y: body.y + 1,
        width: body.width.saturating_sub(2),
        height: body.height.saturating_sub(2),
    };
    if inner.width < SIDE_BY_SIDE {
        return (inner, None);
    }
    let head_rows = Paragraph::new(parts.head.clone())
        .wrap(Wrap { trim: false })
        .line_count(inner.width);
    let head_rows = u16::try_from(head_rows)
        .unwrap_or(u16::MAX)
        .min(inner.height / 2);
    let [head, cols] =
        Layout::vertical([Constraint::Length(head_rows), Constraint::Min(0)]).areas(inner);
    let [before, _, after] = Layout::horizontal([
        Constraint::Percentage(50),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(cols);
    (inner, Some((head, before, after)))
}

/// How far the preview scrolls.
pub fn max_scroll_of(s: &AppState) -> u16 {
    let Some(r) = report(s) else { return 0 };
    let theme = Theme { color: false };
    let parts = parts(r, &theme);
    match areas(s, &parts) {
        (_, Some((_, before, after))) => {
            max_scroll(&parts.before, before).max(max_scroll(&parts.after, after))
        }
        (inner, None) => max_scroll(&parts.narrow, inner),
    }
}

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let Some(r) = report(s) else { return };
    let body = layout::frame(f.area()).body;
    f.render_widget(Clear, body);
    framed(
        f,
        body,
        "Preview: the proposed fix on a copy of the configuration (nothing is changed) · Esc closes",
        true,
        theme,
    );
    let parts = parts(r, theme);
    let scroll = s.preview.unwrap_or(0).min(max_scroll_of(s));
    match areas(s, &parts) {
        (_, Some((head, before, after))) => {
            f.render_widget(Paragraph::new(parts.head).wrap(Wrap { trim: false }), head);
            for (text, area) in [(parts.before, before), (parts.after, after)] {
                f.render_widget(
                    Paragraph::new(text)
                        .wrap(Wrap { trim: false })
                        .scroll((scroll, 0)),
                    area,
                );
            }
        }
        (inner, None) => f.render_widget(
            Paragraph::new(parts.narrow)
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            inner,
        ),
    }
}

fn parts<'a>(r: &'a Report, theme: &Theme) -> Parts<'a> {
    let Some(p) = r.preview.as_deref() else {
        return Parts {
            head: Text::default(),
            before: Text::default(),
            after: Text::default(),
            narrow: Text::default(),
        };
    };
    Parts {
        head: head(p, theme),
        narrow: narrow(r, p, theme),
        before: column("Before", r, theme),
        after: match &p.report {
            Some(after) => column("After the fix (predicted)", after, theme),
            None => headers_only(p, theme),
        },
    }
}

/// Narrow terminals: the headline, the verdict before → after, each step's status before →
/// after, then the changes and notes (or, without a configuration, the headers needed).
fn narrow<'a>(r: &'a Report, p: &'a Preview, theme: &Theme) -> Text<'a> {
    let mut head_lines = changes(p, theme).lines;
    let title = head_lines.remove(0);
    let mut lines = vec![title];
    // Not previewed: why comes first.
    let first_notes = p.result == PreviewResult::NotPreviewed;
    if first_notes {
        lines.extend(notes(p, theme));
    }
    let verdict = |o: Outcome| {
        let style = match o {
            Outcome::Allowed => theme.good(),
            Outcome::Unknown => theme.warn(),
            _ => theme.error(),
        };
        Span::styled(o.headline(), style.patch(theme.bold()))
    };
    match &p.report {
        Some(after) => {
            lines.push(Line::from(vec![
                Span::raw("Browser: "),
                verdict(r.browser.outcome),
                Span::raw(" → "),
                verdict(after.browser.outcome),
            ]));
            for step in &r.steps {
                let a = after
                    .step(step.number)
                    .map_or(crate::diagnose::StepStatus::Unknown, |s| s.status);
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{:<9}", status_word(step.status)),
                        theme.status_style(step.status),
                    ),
                    Span::raw(" → "),
                    Span::styled(format!("{:<9} ", status_word(a)), theme.status_style(a)),
                    Span::raw(format!("{}. {}", step.number, step.title)),
                ]));
            }
            if let Some(s) = after.first_failing_step.and_then(|n| after.step(n)) {
                lines.push(Line::styled(
                    format!(
                        "After the fix, step {} still fails: {}",
                        s.number, s.summary
                    ),
                    theme.error(),
                ));
            }
        }
        None => lines.extend(headers_only(p, theme).lines),
    }
    lines.push(Line::raw(""));
    lines.extend(head_lines);
    if !first_notes {
        lines.extend(notes(p, theme));
    }
    Text::from(lines)
}

fn head<'a>(p: &'a Preview, theme: &Theme) -> Text<'a> {
    let mut text = changes(p, theme);
    text.lines.extend(notes(p, theme));
    text
}

fn notes<'a>(p: &'a Preview, theme: &Theme) -> Vec<Line<'a>> {
    p.notes
        .iter()
        .map(|n| Line::styled(format!("Note: {n}"), theme.dim()))
        .collect()
}

/// The headline and the changes.
fn changes<'a>(p: &'a Preview, theme: &Theme) -> Text<'a> {
    let style = match p.result {
        PreviewResult::Allowed | PreviewResult::AlreadyAllowed => theme.good(),
        PreviewResult::StillBlocked => theme.error(),
        PreviewResult::NotPreviewed => theme.warn(),
    };
    let mut lines = vec![Line::styled(p.result.headline(), style.patch(theme.bold()))];
    if p.changes.is_empty() {
        lines.push(Line::styled("No change proposed.", theme.dim()));
    } else {
        lines.push(Line::styled(
            format!("Changes ({}):", p.changes.len()),
            theme.title(),
        ));
        for c in &p.changes {
            lines.push(Line::from(vec![
                Span::styled(format!("  {} ", c.finding), theme.key()),
                Span::raw(c.change.describe()),
            ]));
        }
    }
    Text::from(lines)
}

fn column<'a>(label: &'a str, r: &'a Report, theme: &Theme) -> Text<'a> {
    let v = VerdictLine::of(&r.browser);
    let verdict_style = match v.outcome {
        Outcome::Allowed => theme.good(),
        Outcome::Unknown => theme.warn(),
        _ => theme.error(),
    };
    let mut lines = vec![
        Line::styled(label, theme.title()),
        Line::from(vec![
            Span::raw("Browser: "),
            Span::styled(v.headline, verdict_style.patch(theme.bold())),
            Span::raw(v.rest),
        ]),
    ];
    for step in &r.steps {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<9} ", status_word(step.status)),
                theme.status_style(step.status),
            ),
            Span::raw(format!("{}. {}", step.number, step.title)),
        ]));
    }
    if let Some(s) = r.first_failing_step.and_then(|n| r.step(n)) {
        lines.push(Line::styled(
            format!("First failing step {}: {}", s.number, s.summary),
            Style::default(),
        ));
    }
    Text::from(lines)
}

fn headers_only<'a>(p: &'a Preview, theme: &Theme) -> Text<'a> {
    let mut lines = vec![Line::styled(
        "After: the headers the responses need",
        theme.title(),
    )];
    for h in &p.headers_needed {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<10}", h.response), theme.dim()),
            Span::raw(format!("{}: {}", h.name, h.value)),
        ]));
    }
    if let Some(v) = p.headers_verdict {
        lines.push(Line::from(vec![
            Span::raw("With them: "),
            Span::styled(
                v.headline(),
                if v == Outcome::Allowed {
                    theme.good()
                } else {
                    theme.error()
                },
            ),
        ]));
    }
    Text::from(lines)
}
