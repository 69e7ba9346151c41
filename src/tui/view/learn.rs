//! Learn mode: the topics and the selected topic's text.

use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{framed, scroll_for, scrolled};
use crate::tui::layout;
use crate::tui::state::{AppState, Pane};
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::two_pane(f.area());
    let inner = framed(f, areas.list, "Learn", s.pane == Pane::List, theme);
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
    let inner = framed(f, areas.detail, &topic.title, s.pane == Pane::Detail, theme);
    let lines: Vec<Line> = topic
        .body
        .lines()
        .map(|l| Line::raw(l.to_string()))
        .collect();
    f.render_widget(scrolled(lines, s.learn_scroll), inner);
}
