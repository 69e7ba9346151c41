//! The target form: a labelled line a field (a line a header), the problem found under a
//! field, the focused field's hint, and at the bottom what Enter does, why the last submit
//! was refused, or the question before a request that can change data is sent.

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::framed;
use crate::tui::form::{
    secret_header_name, wrap_words, Field, FormLine, FormState, HarPick, HintKeys, TextInput,
    CREDENTIALS, LABEL_WIDTH,
};
use crate::tui::keymap::{Action, Keymap};
use crate::tui::layout;
use crate::tui::state::AppState;
use crate::tui::theme::Theme;

/// The keys the hints name.
pub fn hint_keys(keymap: &Keymap) -> HintKeys {
    HintKeys {
        add_header: keymap.key_for(Action::AddHeader),
        remove_header: keymap.key_for(Action::RemoveHeader),
    }
}

/// The closing text under the fields, and its style's kind.
fn closing(s: &AppState) -> (String, Closing) {
    if let Some(c) = &s.form.confirm {
        let send = s.keymap.key_for(Action::Select);
        let back = s.keymap.key_for(Action::Back);
        return (c.question(&send, &back, "the form"), Closing::Confirm);
    }
    if let Some(e) = &s.form.error {
        // Already masked when it was set.
        return (e.clone(), Closing::Error);
    }
    if !s.form.errors.is_empty() {
        let n = s.form.errors.len();
        return (
            format!(
                "Nothing was sent: {n} field{} to fix (marked ✘).",
                if n == 1 { "" } else { "s" }
            ),
            Closing::Error,
        );
    }
    (
        "Enter diagnoses this request, as the browser and as curl would send it.".into(),
        Closing::Note,
    )
}

enum Closing {
    Note,
    Error,
    Confirm,
}

/// The areas of the fields and of the closing text inside the form's frame.
fn areas(s: &AppState, inner: Rect) -> (Rect, Rect, Vec<String>) {
    let (text, _) = closing(s);
    let lines = wrap_words(&text, usize::from(inner.width));
    let h = u16::try_from(lines.len() + 1)
        .unwrap_or(u16::MAX)
        .min(inner.height / 2);
    let [fields, close] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(h)]).areas(inner);
    (fields, close, lines)
}

/// The inside of the form's frame.
fn inner_of(size: Rect) -> Rect {
    let area = layout::form(size);
    Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}

/// The first row drawn and how many are drawn in `height` lines: one line is kept for the
/// "more below" marker when the rows do not fit.
fn visible(form: &FormState, rows: &[crate::tui::form::Row], height: u16) -> (usize, usize) {
    let height = usize::from(height);
    let shown = if rows.len() > height {
        height.saturating_sub(1).max(1)
    } else {
        height
    };
    (form.scroll(rows, shown), shown)
}

/// The form's line at screen position `at` (for a mouse click).
pub fn line_at(s: &AppState, at: Position) -> Option<FormLine> {
    let (fields, _, _) = areas(s, inner_of(s.size));
    if !fields.contains(at) {
        return None;
    }
    let rows = s
        .form
        .rows(usize::from(fields.width), &hint_keys(&s.keymap));
    let (top, shown) = visible(&s.form, &rows, fields.height);
    let row = usize::from(at.y - fields.y);
    (row < shown).then(|| rows.get(top + row).map(|r| r.line))?
}

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let area = layout::form(f.area());
    let inner = framed(f, area, "Target", true, theme);
    let (fields, close, closing_lines) = areas(s, inner);
    let form = &s.form;
    let rows = form.rows(usize::from(fields.width), &hint_keys(&s.keymap));
    let (top, shown) = visible(form, &rows, fields.height);
    let value_w = usize::from(fields.width).saturating_sub(LABEL_WIDTH);
    let focused_row = form.focused_row(&rows);
    let mut cursor = None;
    let mut lines: Vec<Line> = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(top).take(shown) {
        let y = fields.y + u16::try_from(i - top).unwrap_or(0);
        let focused = i == focused_row && form.confirm.is_none();
        let line = match row.line {
            FormLine::Field(field) => {
                let (spans, col) = field_line(form, field, focused, value_w, theme);
                if let Some(col) = col {
                    cursor = Some(Position::new(fields.x + col, y));
                }
                spans
            }
            FormLine::Header(h) => {
                let label = if h == 0 { Field::Headers.label() } else { "" };
                let input = &form.headers[h].input;
                let (value, col) = text_value(Field::Headers, input, focused, value_w);
                if let Some(col) = col {
                    cursor = Some(Position::new(fields.x + col, y));
                }
                let mut spans = vec![label_span(label, focused, theme), Span::raw(" ")];
                if form.headers[h].needs_secret {
                    spans.push(Span::styled(value, theme.warn()));
                    spans.push(Span::styled(" ← type the secret value", theme.warn()));
                } else {
                    spans.push(Span::raw(value));
                }
                Line::from(spans)
            }
            FormLine::Error(_) | FormLine::SentTwice => {
                // The mark on the first line of the text only.
                let first = i == 0 || rows[i - 1].line != row.line;
                let (mark, style) = match (row.line, first) {
                    (FormLine::Error(_), true) => ("✘ ", theme.error()),
                    (FormLine::Error(_), false) => ("  ", theme.error()),
                    (_, true) => ("! ", theme.warn()),
                    (_, false) => ("  ", theme.warn()),
                };
                Line::from(vec![
                    Span::raw(" ".repeat(LABEL_WIDTH)),
                    Span::styled(format!("{mark}{}", row.text), style),
                ])
            }
            FormLine::Hint(_) => Line::from(vec![
                Span::raw(" ".repeat(LABEL_WIDTH + 2)),
                Span::styled(row.text.clone(), theme.dim()),
            ]),
        };
        lines.push(line);
    }
    // Fields below the fold: say so on the last line.
    if rows.len() > top + shown {
        lines.push(Line::styled(
            format!("{:w$}↓ more below", "", w = LABEL_WIDTH),
            theme.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines), fields);

    let (_, kind) = closing(s);
    let style = match kind {
        Closing::Note => theme.dim(),
        Closing::Error => theme.error(),
        Closing::Confirm => theme.warn(),
    };
    let mut close_lines = vec![Line::raw("")];
    close_lines.extend(
        closing_lines
            .into_iter()
            .map(|l| Line::from(Span::styled(l, style))),
    );
    f.render_widget(
        Paragraph::new(close_lines).wrap(Wrap { trim: false }),
        close,
    );
    if let Some(pick) = &s.form.har_pick {
        har_pick(f, s, pick, inner, theme);
        return;
    }
    if !s.help {
        if let Some(p) = cursor {
            f.set_cursor_position(p);
        }
    }
}

/// `text` cut to `width` characters, with `…` when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The HAR file's cross-origin requests over the form, failures first: the selected one is
/// diagnosed from its recorded exchanges.
fn har_pick(f: &mut Frame, s: &AppState, pick: &HarPick, area: Rect, theme: &Theme) {
    use ratatui::widgets::{Block, Borders, Clear};
    let list = pick.held.list();
    let failed = list.iter().filter(|l| l.failed).count();
    let title = format!(
        " {} HAR · {} cross-origin request{}, {failed} failed ",
        pick.held.shape().name(),
        list.len(),
        if list.len() == 1 { "" } else { "s" },
    );
    f.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::TOP)
        .title(title)
        .border_style(theme.border(true));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let width = usize::from(inner.width);
    let select = s.keymap.key_for(Action::Select);
    let back = s.keymap.key_for(Action::Back);
    let footer = wrap_words(
        &format!("{select} diagnoses it from what was recorded (nothing is sent) · {back} goes back to the form"),
        width.max(1),
    );
    let footer_h = u16::try_from(footer.len()).unwrap_or(1);
    // Two lines a request: what it is, then the verdict.
    let rows_h = usize::from(inner.height.saturating_sub(footer_h + 1));
    let per_page = (rows_h / 2).max(1);
    let top = pick.sel.saturating_sub(per_page - 1);
    let mut lines: Vec<Line> = Vec::new();
    for (i, l) in list.iter().enumerate().skip(top).take(per_page) {
        let selected = i == pick.sel;
        let mark = if l.failed { "✗" } else { "✓" };
        let head = format!(
            "{}{mark} {:>4}  {} {}",
            if selected { "▶" } else { " " },
            l.number,
            l.method,
            l.url
        );
        let pf = match (l.preflight_entry, l.preflight_status) {
            (Some(n), Some(0)) => format!("preflight #{n} no answer"),
            (Some(n), Some(st)) => format!("preflight #{n} {st}"),
            _ => "no preflight recorded".to_string(),
        };
        let status = if l.status == 0 {
            "no answer".to_string()
        } else {
            l.status.to_string()
        };
        let verdict = format!(
            "         {status}, {pf}: {}",
            crate::runner::har::outcome_words(l)
        );
        let style = if selected {
            theme.selected(true)
        } else if l.failed {
            theme.error()
        } else {
            theme.good()
        };
        lines.push(Line::styled(fit(&head, width), style));
        lines.push(Line::styled(
            fit(&verdict, width),
            if selected {
                theme.selected(true)
            } else {
                theme.dim()
            },
        ));
    }
    if top + per_page < list.len() {
        lines.push(Line::styled(
            format!("  ↓ {} more", list.len() - top - per_page),
            theme.dim(),
        ));
    }
    let [rows, _, foot] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(footer_h),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(lines), rows);
    f.render_widget(
        Paragraph::new(
            footer
                .into_iter()
                .map(|l| Line::styled(l, theme.dim()))
                .collect::<Vec<_>>(),
        ),
        foot,
    );
}

fn label_span<'a>(label: &str, focused: bool, theme: &Theme) -> Span<'a> {
    let style = if focused {
        theme.selected(true)
    } else {
        theme.bold()
    };
    Span::styled(format!("{label:<w$}", w = LABEL_WIDTH - 1), style)
}

/// A field's line, and the cursor's column when it is the focused text field.
fn field_line<'a>(
    form: &FormState,
    field: Field,
    focused: bool,
    value_w: usize,
    theme: &Theme,
) -> (Line<'a>, Option<u16>) {
    let mut spans = vec![label_span(field.label(), focused, theme), Span::raw(" ")];
    let mut col = None;
    match field {
        Field::Method => spans.extend(choices(
            form.methods.iter().map(String::as_str),
            form.method,
            focused,
            theme,
        )),
        Field::Credentials => spans.extend(choices(
            CREDENTIALS.iter().copied(),
            form.credentials,
            focused,
            theme,
        )),
        Field::Headers => spans.push(Span::styled("none", theme.dim())),
        _ => {
            if let Some(input) = form.input(field) {
                let (value, c) = text_value(field, input, focused, value_w);
                col = c;
                spans.push(Span::raw(value));
            }
        }
    }
    (Line::from(spans), col)
}

/// The selector's choices, the chosen one highlighted.
fn choices<'a>(
    options: impl Iterator<Item = &'a str>,
    chosen: usize,
    focused: bool,
    theme: &Theme,
) -> Vec<Span<'static>> {
    options
        .enumerate()
        .flat_map(|(j, c)| {
            let style = if j == chosen {
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
        .collect()
}

/// A text value as shown in `width` columns: secrets obscured, scrolled so that the cursor
/// stays visible; the cursor's column (from the line's start) when focused.
fn text_value(
    field: Field,
    input: &TextInput,
    focused: bool,
    width: usize,
) -> (String, Option<u16>) {
    let shown: Vec<char> = obscured(field, &input.text).chars().collect();
    let width = width.max(2);
    let start = if focused {
        input.cursor.saturating_sub(width - 1)
    } else {
        0
    };
    let value: String = shown.iter().skip(start).take(width).collect();
    let col =
        focused.then(|| u16::try_from(LABEL_WIDTH + input.cursor - start).unwrap_or(u16::MAX));
    (value, col)
}

/// A field as shown: the secrets in it (URL user info and secret parameters, secret header
/// values) obscured character by character, also while it is edited (the text keeps its
/// length, so the cursor stays put). A secret header's value is obscured by position, however
/// short (masking by value skips values too short to be told from ordinary text).
fn obscured(field: Field, text: &str) -> String {
    let mut secrets = crate::redact::Secrets::new();
    match field {
        Field::Url | Field::Origin => secrets.add_url(text),
        Field::Headers => {
            if let (Some(name), Some((before, value))) =
                (secret_header_name(text), text.split_once(':'))
            {
                // `Authorization: Bearer ••••`: the scheme stays readable.
                let lead = value.len() - value.trim_start().len();
                let (shown, hidden) = value.split_at(lead);
                let (scheme, hidden) = match hidden.split_once(' ') {
                    Some((scheme, rest))
                        if name.to_ascii_lowercase().ends_with("authorization") =>
                    {
                        (format!("{scheme} "), rest)
                    }
                    _ => (String::new(), hidden),
                };
                return format!(
                    "{before}:{shown}{scheme}{}",
                    "•".repeat(hidden.chars().count())
                );
            }
            secrets.add_header_arg(text.trim());
        }
        _ => return text.to_string(),
    }
    secrets.obscure(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_header_values_are_obscured_however_short() {
        assert_eq!(
            obscured(Field::Headers, "Authorization: Bearer xyz"),
            "Authorization: Bearer •••"
        );
        assert_eq!(obscured(Field::Headers, "X-Api-Key: k1"), "X-Api-Key: ••");
        assert_eq!(obscured(Field::Headers, "X-Trace: 1"), "X-Trace: 1");
        assert_eq!(
            obscured(Field::Headers, "Authorization: "),
            "Authorization: "
        );
        let shown = obscured(Field::Headers, "Cookie: session=abc; theme=dark");
        assert!(!shown.contains("abc"), "{shown}");
        // The length is kept (the cursor stays over the character it is on).
        let text = "authorization: Basic dXNlcjpwYXNz";
        assert_eq!(
            obscured(Field::Headers, text).chars().count(),
            text.chars().count()
        );
    }
}
