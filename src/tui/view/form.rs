//! The target form: one labelled input a field, its hint, and the cursor in the focused one.

use ratatui::layout::Position;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::framed;
use crate::tui::form::{Field, CREDENTIALS, FIELDS};
use crate::tui::layout;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let area = layout::form(f.area());
    let inner = framed(f, area, "Target", true, theme);
    let label_w = 13u16;
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    for (i, field) in FIELDS.iter().enumerate() {
        let focused = s.form.focus == i;
        let label_style = if focused {
            theme.selected(true)
        } else {
            theme.bold()
        };
        let label = format!("{:<w$}", field.label(), w = usize::from(label_w - 1));
        let value: Vec<Span> = match s.form.input(*field) {
            Some(input) => {
                if focused {
                    let col = inner.x
                        + label_w
                        + u16::try_from(input.cursor)
                            .unwrap_or(u16::MAX)
                            .min(inner.width.saturating_sub(label_w + 1));
                    cursor = Some(Position::new(
                        col,
                        inner.y + u16::try_from(i * 2).unwrap_or(0),
                    ));
                }
                // Like a password field: every character of a secret shows as `•`, also
                // while it is edited (the text keeps its length, so the cursor stays put).
                vec![Span::raw(obscured(*field, &input.text))]
            }
            None => CREDENTIALS
                .iter()
                .enumerate()
                .flat_map(|(j, c)| {
                    let style = if j == s.form.credentials {
                        if focused {
                            theme.selected(true)
                        } else {
                            theme.bold()
                        }
                    } else {
                        theme.dim()
                    };
                    [Span::styled(format!(" {c} "), style), Span::raw(" ")]
                })
                .collect(),
        };
        let mut spans = vec![Span::styled(label, label_style), Span::raw(" ")];
        spans.extend(value);
        lines.push(Line::from(spans));
        let hint = if focused || *field == Field::Headers {
            field.hint()
        } else {
            ""
        };
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(usize::from(label_w))),
            Span::styled(hint, theme.dim()),
        ]));
    }
    if let Some(e) = &s.form.error {
        // Already masked when it was set.
        lines.push(Line::from(Span::styled(e.clone(), theme.error())));
    } else {
        lines.push(Line::from(Span::styled(
            "Enter diagnoses this request, as the browser and as curl would send it.",
            theme.dim(),
        )));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if !s.help {
        if let Some(p) = cursor {
            f.set_cursor_position(p);
        }
    }
}

/// A field as shown: the secrets in it (URL user info and secret parameters, secret header
/// values) obscured character by character.
fn obscured(field: Field, text: &str) -> String {
    let mut secrets = crate::redact::Secrets::new();
    match field {
        Field::Url | Field::Origin => secrets.add_url(text),
        Field::Headers => {
            for entry in text.split([';', '\n']) {
                secrets.add_header_arg(entry.trim());
            }
        }
        _ => return text.to_string(),
    }
    secrets.obscure(text)
}
