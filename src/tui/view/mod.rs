//! Views: functions of the state, drawn with ratatui on any backend.
//!
//! This file draws the frame (header, footer, help overlay) and dispatches the body to the
//! current screen's file.

mod demo;
mod evidence;
mod explorer;
pub(crate) mod form;
mod help;
mod learn;
mod main;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::layout;
use super::state::{AppState, Diagnosis, Screen};
use super::theme::Theme;
use crate::target::ApiRef;

pub fn render(f: &mut Frame, s: &AppState) {
    let area = f.area();
    let theme = Theme { color: s.color };
    let fr = layout::frame(area);
    header(f, fr.header, s, &theme);
    match s.screen {
        Screen::Form => form::draw(f, s, &theme),
        Screen::Demo => demo::draw(f, s, &theme),
        Screen::Main => main::draw(f, s, &theme),
        Screen::Evidence => evidence::draw(f, s, &theme),
        Screen::Learn => learn::draw(f, s, &theme),
        Screen::Explorer => explorer::draw(f, s, &theme),
    }
    footer(f, fr.footer, s, &theme);
    if s.help {
        help::draw(f, s, &theme);
    }
}

/// Draws a bordered, titled block over `area` and returns the area inside it.
fn framed(f: &mut Frame, area: Rect, title: &str, focused: bool, theme: &Theme) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// A detail pane's text: wrapped, and scrolled down by `scroll` lines.
fn scrolled<'a>(text: impl Into<Text<'a>>, scroll: u16) -> Paragraph<'a> {
    Paragraph::new(text)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
}

fn header(f: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let mut lines = Vec::new();
    match &s.diag {
        Some(d) if s.screen != Screen::Form && s.screen != Screen::Demo => {
            let t = &d.plan.shown().target;
            lines.push(Line::from(vec![
                Span::styled("cors-doctor ", theme.title()),
                Span::styled(format!("{} ", t.method), theme.bold()),
                Span::raw(crate::redact::url(t.url.as_str())),
            ]));
            lines.push(Line::from(Span::styled(target_line(d), theme.dim())));
        }
        _ => {
            let what = if s.screen == Screen::Demo {
                "demo scenarios"
            } else {
                "what does the browser app request?"
            };
            lines.push(Line::from(vec![
                Span::styled("cors-doctor ", theme.title()),
                Span::raw(what),
            ]));
            lines.push(Line::from(Span::styled(
                "Finds the real cause behind \"blocked by CORS policy\" on API Gateway",
                theme.dim(),
            )));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// "origin … · API id/stage (kind) · AWS profile/region".
fn target_line(d: &Diagnosis) -> String {
    let t = &d.plan.shown().target;
    let mut bits = vec![format!("origin {}", t.origin)];
    if t.credentials != crate::target::CredentialsMode::SameOrigin {
        bits.push(format!("credentials {}", t.credentials.as_str()));
    }
    let (id, stage, kind) = match &d.report {
        Some(r) => (
            r.api.id.clone(),
            r.api.stage.clone(),
            r.api.kind.to_string(),
        ),
        None => {
            let r = ApiRef::from_url(&t.url);
            (
                r.as_ref().map(|r| r.api_id.clone()),
                r.and_then(|r| r.stage),
                "…".to_string(),
            )
        }
    };
    match id {
        Some(id) => bits.push(format!(
            "API {id}/{} ({kind})",
            stage.as_deref().unwrap_or("-")
        )),
        None => bits.push(format!("API id unknown ({kind})")),
    }
    if let Some(r) = d
        .report
        .as_ref()
        .filter(|r| r.api.config_source != crate::diagnose::ConfigSourceName::None)
    {
        bits.push(format!("config {}", r.api.config_source));
    }
    let aws = &d.plan.shown().aws;
    if aws.enabled {
        bits.push(format!(
            "AWS {}/{}",
            aws.profile.as_deref().unwrap_or("default"),
            aws.region.as_deref().unwrap_or("-")
        ));
    }
    bits.join(" · ")
}

fn footer(f: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let mut spans = Vec::new();
    if let Some(st) = &s.status {
        let style = if st.error {
            theme.error()
        } else {
            theme.good().add_modifier(ratatui::style::Modifier::BOLD)
        };
        spans.push(Span::styled(format!("{} ", st.text), style));
    } else {
        let context = if s.help { None } else { Some(s.context()) };
        let items = match context {
            Some(c) => s.keymap.footer(c),
            None => vec![("any key".to_string(), "close")],
        };
        let mut width = usize::from(area.width);
        if let Some(note) = s
            .diag
            .as_ref()
            .filter(|d| d.running())
            .and_then(|d| d.note.as_deref())
        {
            let text = format!("{} {note}  ", Theme::spinner(s.tick));
            width = width.saturating_sub(text.chars().count());
            spans.push(Span::styled(text, theme.title()));
        }
        for (i, (key, hint)) in fit_footer(items, width).into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(key, theme.key()));
            spans.push(Span::raw(format!(" {hint}")));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer items that fit in `width`, always keeping the last two (help and quit).
fn fit_footer(items: Vec<(String, &'static str)>, width: usize) -> Vec<(String, &'static str)> {
    let cost = |(k, h): &(String, &str)| k.chars().count() + 1 + h.chars().count() + 2;
    let keep_from = items.len().saturating_sub(2);
    let reserved: usize = items[keep_from..].iter().map(cost).sum();
    let mut used = reserved;
    let mut out = Vec::new();
    for item in &items[..keep_from] {
        used += cost(item);
        if used > width + 2 {
            break;
        }
        out.push(item.clone());
    }
    out.extend(items[keep_from..].iter().cloned());
    out
}

/// Keeps the selected row visible.
fn scroll_for(selected: usize, height: u16) -> u16 {
    let sel = u16::try_from(selected).unwrap_or(u16::MAX);
    sel.saturating_sub(height.saturating_sub(1))
}
