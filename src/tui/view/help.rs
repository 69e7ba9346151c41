//! The help overlay: the current screen's keys, built from the keymap.

use ratatui::layout::{Constraint, Layout};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::framed;
use crate::tui::keymap::Context;
use crate::tui::layout;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let context = s.context();
    let rows = s.keymap.help(context);
    let extra = usize::from(context == Context::Form);
    let h = u16::try_from(rows.len() + 3 + extra).unwrap_or(u16::MAX);
    // Taller than the terminal: the keys in two columns, so that none is cut off (with the
    // action names, which the config rebinds, when the terminal is 80 columns wide).
    let two_columns = h > f.area().height;
    let named = two_columns && f.area().width >= 80;
    let h = if two_columns {
        u16::try_from(rows.len().div_ceil(2) + 3 + extra).unwrap_or(u16::MAX)
    } else {
        h
    };
    let width = match (two_columns, named) {
        (true, true) => 78,
        (true, false) => 64,
        _ => 60,
    };
    let area = layout::centered(f.area(), width, h);
    f.render_widget(Clear, area);
    let title = match context {
        Context::Form => "Keys: target form",
        Context::Demo => "Keys: demo scenarios",
        Context::Main => "Keys: diagnosis",
        Context::Evidence => "Keys: evidence",
        Context::Learn => "Keys: learn",
        Context::Explorer => "Keys: API explorer",
    };
    let inner = framed(f, area, title, true, theme);
    let key_w = rows
        .iter()
        .map(|(k, _, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = if two_columns {
        let half = rows.len().div_ceil(2);
        let cell = |(keys, hint, action): &(String, &str, &str)| {
            if named {
                vec![
                    Span::styled(format!(" {keys:<key_w$} "), theme.key()),
                    Span::raw(format!("{hint:<13}")),
                    Span::styled(format!("{action:<12}"), theme.dim()),
                ]
            } else {
                vec![
                    Span::styled(format!(" {keys:<key_w$} "), theme.key()),
                    Span::raw(format!("{hint:<15}")),
                ]
            }
        };
        (0..half)
            .map(|i| {
                let mut spans = rows.get(i).map(cell).unwrap_or_default();
                spans.extend(rows.get(i + half).map(cell).unwrap_or_default());
                Line::from(spans)
            })
            .collect()
    } else {
        rows.into_iter()
            .map(|(keys, hint, action)| {
                Line::from(vec![
                    Span::styled(format!(" {keys:<key_w$}  "), theme.key()),
                    Span::raw(format!("{hint:<14}")),
                    Span::styled(action, theme.dim()),
                ])
            })
            .collect()
    };
    if context == Context::Form {
        lines.push(Line::styled(
            " Letters type; on Method and Credentials they choose.",
            theme.dim(),
        ));
    }
    lines.push(Line::styled(
        " Rebind in the config: [tui.keys] action = \"key\"",
        theme.dim(),
    ));
    let [body] = Layout::vertical([Constraint::Min(0)]).areas(inner);
    f.render_widget(Paragraph::new(lines).style(Style::default()), body);
}
