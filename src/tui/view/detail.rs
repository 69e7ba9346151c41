//! The explorer's detail pane: the selected method's request, integration, responses and
//! predicted preflight ([`crate::tui::explorer::detail::describe`]), beside the rows on a wide
//! terminal, instead of them on a narrow one (Tab switches).

use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::Frame;

use super::framed;
use crate::tui::explorer::detail::{describe, Tone};
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::state::{AppState, Pane};
use crate::tui::theme::Theme;

/// The detail's lines for the selected row (empty when nothing is selected or loaded).
pub(super) fn text(s: &AppState, theme: &Theme) -> Text<'static> {
    let ex = &s.explorer;
    let (Some(api), Some((tree, row))) = (&ex.api, ex.selected()) else {
        return Text::default();
    };
    let origin = s
        .diag
        .as_ref()
        .map(|d| d.plan.shown().target.origin.clone())
        .unwrap_or_else(|| crate::rules::default_origin(api));
    let lines = describe(
        api,
        tree.stage.as_deref(),
        tree.path_of(row),
        row.method.as_deref(),
        &origin,
    );
    Text::from(
        lines
            .into_iter()
            .map(|l| {
                let style = match l.tone {
                    Tone::Heading => theme.bold(),
                    Tone::Plain => ratatui::style::Style::default(),
                    Tone::Dim => theme.dim(),
                    Tone::Good => theme.good(),
                    Tone::Bad => theme.error(),
                    Tone::Warn => theme.warn(),
                };
                Line::styled(l.text, style)
            })
            .collect::<Vec<_>>(),
    )
}

/// The region inside the detail's border.
fn region(s: &AppState) -> Rect {
    layout::inside(layout::explorer(s.size).detail)
}

/// How far the detail scrolls.
pub(super) fn max_scroll(s: &AppState) -> u16 {
    super::max_scroll(&text(s, &Theme { color: false }), region(s))
}

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::explorer(f.area());
    let focused = s.explorer.pane == Pane::Detail;
    let key = s.keymap.key_for(Action::NextPane);
    let title = if areas.side_by_side {
        format!("Method detail ({key}: scroll it)")
    } else {
        format!("Method detail ({key}: back to the list)")
    };
    let inner = framed(f, areas.detail, &title, focused, theme);
    let text = text(s, theme);
    if text.lines.is_empty() {
        f.render_widget(
            ratatui::widgets::Paragraph::new(Line::styled(
                "Nothing selected, or the configuration is not loaded yet.",
                theme.dim(),
            )),
            inner,
        );
        return;
    }
    super::draw_scrolled(
        f,
        areas.detail,
        inner,
        text,
        s.explorer.detail_scroll,
        theme,
    );
}
