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
    let area = layout::centered(f.area(), 60, h);
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
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|(keys, hint, action)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_w$}  "), theme.key()),
                Span::raw(format!("{hint:<14}")),
                Span::styled(action, theme.dim()),
            ])
        })
        .collect();
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
