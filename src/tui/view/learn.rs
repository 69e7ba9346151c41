//! Learn mode: the topics and the selected topic's text.

use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::{HighlightSpacing, List, ListItem};
use ratatui::Frame;

use super::{draw_scrolled, framed};
use crate::tui::layout;
use crate::tui::learn::Topic;
use crate::tui::state::{AppState, Pane};
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::two_pane(f.area());
    let view = &s.learning;
    let inner = framed(f, areas.list, "Learn", view.pane == Pane::List, theme);
    let items: Vec<ListItem> = s
        .learning
        .text
        .topics
        .iter()
        .map(|t| ListItem::new(Line::raw(t.title.clone())))
        .collect();
    let list = List::new(items)
        .highlight_symbol("▶")
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_style(theme.selected(view.pane == Pane::List));
    f.render_stateful_widget(list, inner, &mut view.list.list_state());
    let Some(topic) = s.learning.text.topics.get(view.list.sel) else {
        return;
    };
    let inner = framed(
        f,
        areas.detail,
        &topic.title,
        view.pane == Pane::Detail,
        theme,
    );
    draw_scrolled(
        f,
        areas.detail,
        inner,
        topic_text(topic),
        view.scroll,
        theme,
    );
}

fn topic_text(topic: &Topic) -> Text<'_> {
    Text::from(
        topic
            .body
            .lines()
            .map(|l| Line::raw(l.to_string()))
            .collect::<Vec<_>>(),
    )
}

/// How far the selected topic's text scrolls at the state's terminal size.
pub fn detail_max_scroll(s: &AppState) -> u16 {
    let Some(topic) = s.learning.text.topics.get(s.learning.list.sel) else {
        return 0;
    };
    let area = layout::two_pane(s.size).detail;
    let inner = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    super::max_scroll(&topic_text(topic), inner)
}
