//! The demo scenario picker.

use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{framed, scroll_for};
use crate::tui::layout;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let area = layout::body(f.area());
    let inner = framed(f, area, "Demo scenarios", true, theme);
    if s.demo.is_empty() {
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
    let name_w = s.demo.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let lines: Vec<Line> = s
        .demo
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let text = format!(" {:<name_w$}  {}", e.name, e.summary);
            if i == s.demo_sel {
                Line::styled(text, theme.selected(true))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).scroll((scroll_for(s.demo_sel, inner.height), 0)),
        inner,
    );
}
