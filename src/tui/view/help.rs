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
    // Taller than the terminal: the keys in two columns (without the action names), so that
    // none is cut off.
    let two_columns = h > f.area().height;
    let h = if two_columns {
        u16::try_from(rows.len().div_ceil(2) + 3 + extra).unwrap_or(u16::MAX)
    } else {
        h
    };
    let key_w = rows
        .iter()
        .map(|(k, _, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let hint_w = rows
        .iter()
        .map(|(_, h, _)| h.chars().count())
        .max()
        .unwrap_or(0);
    let action_w = rows
        .iter()
        .map(|(_, _, a)| a.chars().count())
        .max()
        .unwrap_or(0);
    // Two columns keep the action names (what to rebind) when the terminal is wide enough.
    let named_w = 2 * (key_w + hint_w + action_w + 4) + 2;
    let names = two_columns && usize::from(f.area().width) >= named_w;
    let width = match (two_columns, names) {
        (true, true) => u16::try_from(named_w).unwrap_or(u16::MAX),
        (true, false) => 64,
        (false, _) => 60,
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
        Context::Audit => "Keys: account audit",
    };
    let inner = framed(f, area, title, true, theme);
    let mut lines: Vec<Line> = if two_columns {
        let half = rows.len().div_ceil(2);
        let cell = |(keys, hint, action): &(String, &str, &str)| {
            if names {
                vec![
                    Span::styled(format!(" {keys:<key_w$} "), theme.key()),
                    Span::raw(format!("{hint:<hint_w$} ")),
                    Span::styled(format!("{action:<action_w$} "), theme.dim()),
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
