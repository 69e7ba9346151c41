//! Learn mode: the topics and the selected topic's text.

use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{block, scroll_for};
use crate::tui::layout;
use crate::tui::state::{AppState, Pane};
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::two_pane(f.area());
    let b = block("Learn", s.pane == Pane::List, theme);
    let inner = b.inner(areas.list);
    f.render_widget(b, areas.list);
    let lines: Vec<Line> = s
        .learn
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i == s.learn_sel {
                Line::styled(
                    format!("▶{}", t.title),
                    theme.selected(s.pane == Pane::List),
                )
            } else {
                Line::raw(format!(" {}", t.title))
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).scroll((scroll_for(s.learn_sel, inner.height), 0)),
        inner,
    );
    let Some(topic) = s.learn.topics.get(s.learn_sel) else {
        return;
    };
    let b = block(&topic.title, s.pane == Pane::Detail, theme);
    let inner = b.inner(areas.detail);
    f.render_widget(b, areas.detail);
    let lines: Vec<Line> = topic
        .body
        .lines()
        .map(|l| Line::raw(l.to_string()))
        .collect();
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((s.learn_scroll, 0)),
        inner,
    );
}
