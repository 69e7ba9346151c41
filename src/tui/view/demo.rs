//! The demo scenario picker: the scenarios (name and title), and what the selected one is
//! about.

use ratatui::text::{Line, Span};
use ratatui::widgets::{HighlightSpacing, List, ListItem, Paragraph, Wrap};
use ratatui::Frame;

use super::framed;
use crate::tui::layout;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::demo(f.area());
    if s.demo.entries.is_empty() {
        let inner = framed(f, layout::body(f.area()), "Demo scenarios", true, theme);
        f.render_widget(
            Paragraph::new(vec![
                Line::raw("No demo scenarios in this build yet."),
                Line::raw(""),
                Line::styled(
                    "The API Gateway simulator's scenarios will be listed here; Enter starts one on a loopback port and diagnoses it.",
                    theme.dim(),
                ),
            ])
            .wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    let inner = framed(
        f,
        areas.list,
        &format!("Demo scenarios ({})", s.demo.entries.len()),
        true,
        theme,
    );
    let name_w = s
        .demo
        .entries
        .iter()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0);
    let items: Vec<ListItem> = s
        .demo
        .entries
        .iter()
        .map(|e| {
            ListItem::new(Line::from(vec![
                Span::raw(format!("{:<name_w$}  ", e.name)),
                Span::styled(e.title.clone(), theme.dim()),
            ]))
        })
        .collect();
    let list = List::new(items)
        .highlight_symbol("▶")
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_style(theme.selected(true));
    let mut state = s.demo.list.list_state();
    f.render_stateful_widget(list, inner, &mut state);

    let Some(e) = s.demo.selected() else {
        return;
    };
    let inner = framed(f, areas.about, &e.name, false, theme);
    f.render_widget(
        Paragraph::new(vec![Line::from(vec![
            Span::styled(format!("{}: ", e.title), theme.bold()),
            Span::raw(e.summary.clone()),
        ])])
        .wrap(Wrap { trim: true }),
        inner,
    );
}
