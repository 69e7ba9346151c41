//! The flow overlay (`v`, issue 18): the path of one exchange — the browser, then each hop
//! (CloudFront, custom domain, API Gateway's stage, route, authorizer … backend) with what
//! happened there, the hop that answered and its status, and where the browser blocked.
//! Drawn from the report's flows (`crate::flow`), never judged here.
//!
//! Wide terminals (160×48): the hops as boxes left to right, joined by arrows, the notes
//! below. Narrow ones (80×24): the hops as a vertical list. Without colour the marks carry
//! the meaning: ✔ passed, ✘ answered with an error or blocked, ✔ answered fine, · not
//! reached, ? unknown; the answering hop's box is drawn with a thick border.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::framed;
use crate::flow::{BrowserPart, Flow, Glyphs, Hop, HopState};
use crate::tui::layout;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;

/// Boxes left to right from this inner size on.
const WIDE_WIDTH: u16 = 120;
const WIDE_HEIGHT: u16 = 30;
/// The narrowest box, and the arrow between two.
const BOX_MIN: u16 = 14;
const BOX_MAX: u16 = 30;
const ARROW: u16 = 4;
const BOX_HEIGHT: u16 = 5;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let flows = s.flows();
    let Some(sel) = s.flow.filter(|&i| i < flows.len()) else {
        return;
    };
    let body = layout::frame(f.area()).body;
    f.render_widget(Clear, body);
    let inner = framed(
        f,
        body,
        "Flow: the path of each request · ←/→ exchange · Esc closes",
        true,
        theme,
    );
    if inner.height < 3 || inner.width < 20 {
        return;
    }
    let flow = &flows[sel];
    let tabs = Rect { height: 1, ..inner };
    f.render_widget(Paragraph::new(tab_line(flows, sel, theme)), tabs);
    let rest = Rect {
        y: inner.y + 2,
        height: inner.height.saturating_sub(2),
        ..inner
    };
    if rest.width >= WIDE_WIDTH && rest.height >= WIDE_HEIGHT - 2 {
        wide(f, rest, flow, theme);
    } else {
        narrow(f, rest, flow, theme);
    }
}

/// The exchanges, one tab each with its mark; the chosen one reversed.
fn tab_line<'a>(flows: &'a [Flow], sel: usize, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, f) in flows.iter().enumerate() {
        let mark = if f.failed() { "✘" } else { "✔" };
        let text = format!(" {mark} {} {} ", f.exchange, f.kind.label());
        let style = if i == sel {
            theme.selected(true)
        } else if f.failed() {
            theme.error()
        } else {
            theme.good()
        };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// The mark and style of a hop.
fn hop_style(flow: &Flow, h: &Hop, theme: &Theme) -> (&'static str, Style) {
    let mark = Glyphs::UNICODE.mark(flow, h.state);
    let style = match h.state {
        HopState::Answered if flow.failed() => theme.error(),
        HopState::Answered => theme.good().add_modifier(Modifier::BOLD),
        HopState::Passed => theme.good(),
        HopState::NotReached | HopState::Unknown => theme.dim(),
    };
    (mark, style)
}

/// What the hop's state says, in words (after the label).
fn state_words(h: &Hop) -> String {
    match (h.state, h.status) {
        (HopState::Answered, Some(s)) => format!("answered {s}"),
        (HopState::Answered, None) => "answered".to_string(),
        (HopState::Passed, _) => "passed".to_string(),
        (HopState::NotReached, _) => "not reached".to_string(),
        (HopState::Unknown, _) => "unknown".to_string(),
    }
}

/// The head line: the exchange, its request, predicted or not.
fn head<'a>(flow: &Flow, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(
        format!("{} {}", flow.exchange, flow.kind.label()),
        theme.bold(),
    )];
    spans.push(Span::raw(format!(" · {}", flow.method)));
    if flow.predicted {
        spans.push(Span::styled(
            " · predicted from the configuration",
            theme.dim(),
        ));
    }
    Line::from(spans)
}

/// Who answered, and what the browser does: the lines under the path.
fn summary<'a>(flow: &Flow, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    match flow.answering() {
        Some(h) => {
            let status = h.status.map(|s| format!(", {s}")).unwrap_or_default();
            let words = flow.answered_by.words();
            let by = if h.label.contains(words) {
                String::new()
            } else {
                format!(" · answered by {words}")
            };
            lines.push(Line::from(vec![
                Span::styled("Answered: ", theme.bold()),
                Span::raw(format!("{}{status}{by}", h.label)),
            ]));
        }
        None => {
            let why = flow
                .failure
                .map_or("no answer recorded", crate::flow::failure_words);
            lines.push(Line::from(vec![
                Span::styled("No answer: ", theme.error()),
                Span::raw(why),
            ]));
        }
    }
    let browser = match (&flow.blocked_at, flow.browser) {
        (Some(b), _) => {
            let what = match b.request {
                crate::cors::FailedAt::Preflight => "the preflight",
                crate::cors::FailedAt::Actual => "the response",
            };
            let mut t = format!("✘ blocks {what}");
            if let Some(e) = &b.cors_error {
                t.push_str(&format!(" ({e})"));
            }
            if let Some(s) = flow.hidden_status {
                t.push_str(&format!(" and hides the {s} from the page"));
            }
            Span::styled(t, theme.error())
        }
        (None, BrowserPart::NeverSends) => Span::styled(
            "· never sends it: the preflight failed (the probe shows what the API would answer)",
            theme.dim(),
        ),
        (None, BrowserPart::Probe) => Span::styled(
            "· not a browser request (what curl or the foreign-origin probe sees)",
            theme.dim(),
        ),
        (None, BrowserPart::Sends) if flow.failure.is_some() => {
            Span::styled("✘ network error", theme.error())
        }
        (None, BrowserPart::Sends) => Span::styled("✔ reads the answer", theme.good()),
    };
    lines.push(Line::from(vec![
        Span::styled("Browser: ", theme.bold()),
        browser,
    ]));
    lines
}

/// Narrow: the browser, then one line per hop, then the summary.
fn narrow(f: &mut Frame, area: Rect, flow: &Flow, theme: &Theme) {
    let mut lines = vec![head(flow, theme), Line::raw("")];
    lines.push(Line::from(vec![
        Span::styled("● ", theme.bold()),
        Span::styled("Browser", theme.bold()),
        Span::styled(format!("  sends {}", flow.method), theme.dim()),
    ]));
    for h in &flow.hops {
        let (mark, style) = hop_style(flow, h, theme);
        let mut spans = vec![
            Span::styled("│ ", theme.dim()),
            Span::styled(format!("{mark} "), style),
        ];
        if let (HopState::Answered, Some(s)) = (h.state, h.status) {
            spans.push(Span::styled(format!("{s} "), style));
        }
        spans.push(Span::styled(h.label.clone(), style));
        match h.state {
            HopState::NotReached => spans.push(Span::styled("  not reached", theme.dim())),
            _ if !h.note.is_empty() => {
                spans.push(Span::styled(format!("  {}", h.note), theme.dim()))
            }
            _ => {}
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    lines.extend(summary(flow, theme));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Wide: the browser and each hop as a box, left to right (several rows when they do not
/// fit), arrows between those the request reached; the notes and the summary below.
fn wide(f: &mut Frame, area: Rect, flow: &Flow, theme: &Theme) {
    f.render_widget(
        Paragraph::new(head(flow, theme)),
        Rect { height: 1, ..area },
    );
    let n = u16::try_from(flow.hops.len() + 1).unwrap_or(u16::MAX);
    let per_row = ((area.width + ARROW) / (BOX_MIN + ARROW)).clamp(1, n.max(1));
    let box_w = ((area.width + ARROW) / per_row)
        .saturating_sub(ARROW)
        .clamp(BOX_MIN, BOX_MAX);
    let mut y = area.y + 2;
    let boxes: Vec<Option<&Hop>> = std::iter::once(None)
        .chain(flow.hops.iter().map(Some))
        .collect();
    for (i, hop) in boxes.iter().enumerate() {
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        let col = i % per_row;
        if i > 0 && col == 0 {
            y += BOX_HEIGHT + 1;
        }
        if y + BOX_HEIGHT > area.bottom() {
            break;
        }
        let x = area.x + col * (box_w + ARROW);
        let rect = Rect::new(x, y, box_w, BOX_HEIGHT);
        draw_box(f, rect, flow, *hop, theme);
        // The arrow into this box: drawn when the request reached it.
        if let Some(h) = hop {
            let reached = matches!(h.state, HopState::Passed | HopState::Answered);
            let (text, style) = if reached {
                ("──▶", theme.good())
            } else {
                (" ··", theme.dim())
            };
            let (ax, ay) = if col == 0 {
                // The row continues from the end of the previous one.
                (x, y.saturating_sub(1))
            } else {
                (x.saturating_sub(ARROW), y + BOX_HEIGHT / 2)
            };
            if col == 0 {
                let t = if reached { "↳" } else { "·" };
                f.render_widget(
                    Paragraph::new(Span::styled(t, style)),
                    Rect::new(ax, ay, 1, 1),
                );
            } else {
                f.render_widget(
                    Paragraph::new(Span::styled(format!("{text} "), style)),
                    Rect::new(ax, ay, ARROW, 1),
                );
            }
        }
    }
    y += BOX_HEIGHT + 1;
    let mut lines = Vec::new();
    for h in &flow.hops {
        if h.note.is_empty() {
            continue;
        }
        let (mark, style) = hop_style(flow, h, theme);
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} {}: ", h.label), style),
            Span::raw(h.note.clone()),
        ]));
    }
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    lines.extend(summary(flow, theme));
    if y < area.bottom() {
        let rest = Rect::new(area.x, y, area.width, area.bottom() - y);
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
    }
}

/// One box: the browser (`hop: None`) or a hop, its label and its state.
fn draw_box(f: &mut Frame, rect: Rect, flow: &Flow, hop: Option<&Hop>, theme: &Theme) {
    let (title, label, state, style, thick) = match hop {
        None => {
            let blocked = flow.blocked_at.is_some();
            let style = if blocked { theme.error() } else { theme.bold() };
            let state = if blocked {
                "✘ CORS error".to_string()
            } else {
                format!("sends {}", flow.method)
            };
            (
                "●".to_string(),
                "Browser".to_string(),
                state,
                style,
                blocked,
            )
        }
        Some(h) => {
            let (mark, style) = hop_style(flow, h, theme);
            (
                mark.to_string(),
                h.label.clone(),
                state_words(h),
                style,
                h.state == HopState::Answered,
            )
        }
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(if thick {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title(Span::styled(format!(" {title} "), style));
    let inside = block.inner(rect);
    f.render_widget(block, rect);
    // The label wraps over the rows above the state line.
    let label_rows = inside.height.saturating_sub(1);
    f.render_widget(
        Paragraph::new(Line::styled(label, style)).wrap(Wrap { trim: true }),
        Rect {
            height: label_rows,
            ..inside
        },
    );
    f.render_widget(
        Paragraph::new(Line::styled(state, style.add_modifier(Modifier::ITALIC))),
        Rect {
            y: inside.y + label_rows,
            height: 1,
            ..inside
        },
    );
}
