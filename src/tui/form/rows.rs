//! The form as lines: which field, header row, problem or hint each drawn line shows, wrapped
//! to the width. Shared by the view (to draw) and `update` (to hit-test a click).

use super::{Field, FormState, Slot, FIELDS};

/// The label column's width.
pub const LABEL_WIDTH: usize = 15;

/// What a line of the drawn form shows, top to bottom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormLine {
    /// A field's label and value (the headers' line when there are none).
    Field(Field),
    /// Header row `i` (the first one carries the label).
    Header(usize),
    /// (Part of) the problem found under a field or a header row.
    Error(Slot),
    /// (Part of) the focused field's hint.
    Hint(Field),
    /// (Part of) the note under Method: the request is really sent, twice.
    SentTwice,
}

impl FormLine {
    /// What a click on this line focuses.
    pub fn slot(self) -> Option<Slot> {
        match self {
            FormLine::Field(f) | FormLine::Hint(f) => Some(Slot::Field(f)),
            FormLine::Header(i) => Some(Slot::Header(i)),
            FormLine::Error(s) => Some(s),
            FormLine::SentTwice => Some(Slot::Field(Field::Method)),
        }
    }
}

/// A line of the drawn form: what it shows, and its text for the lines of prose (a problem,
/// a hint, a note), already wrapped to the width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub line: FormLine,
    pub text: String,
}

/// The keys the form's hints name (from the keymap).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HintKeys {
    pub add_header: String,
    pub remove_header: String,
}

/// Splits `text` into lines of at most `width` characters at spaces (a longer word is cut).
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let sep = usize::from(used > 0);
            if used + sep + word.len() <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

impl FormState {
    /// The lines of the fields as drawn in `width` columns (the view adds the closing lines
    /// below them). Also what a mouse click is matched against.
    pub fn rows(&self, width: usize, keys: &HintKeys) -> Vec<Row> {
        let prose_width = width.saturating_sub(LABEL_WIDTH + 2);
        let mut out = Vec::new();
        let prose = |out: &mut Vec<Row>, line: FormLine, text: &str| {
            for part in wrap_words(text, prose_width) {
                out.push(Row { line, text: part });
            }
        };
        let focused = self.field();
        for field in FIELDS {
            let lines: Vec<(FormLine, Slot)> =
                if field == Field::Headers && !self.headers.is_empty() {
                    (0..self.headers.len())
                        .map(|i| (FormLine::Header(i), Slot::Header(i)))
                        .collect()
                } else {
                    vec![(FormLine::Field(field), Slot::Field(field))]
                };
            for (i, (line, slot)) in lines.into_iter().enumerate() {
                out.push(Row {
                    line,
                    text: String::new(),
                });
                if let Some(e) = self.error_at(slot) {
                    prose(&mut out, FormLine::Error(slot), e);
                }
                let on_this_row = field != Field::Headers || i == self.header_sel;
                if field == focused && on_this_row {
                    let hint = if field == Field::Headers {
                        format!(
                            "{}; {} adds a row, {} removes this one",
                            field.hint(),
                            keys.add_header,
                            keys.remove_header
                        )
                    } else {
                        field.hint().to_string()
                    };
                    prose(&mut out, FormLine::Hint(field), &hint);
                }
            }
            if field == Field::Method && self.sends_changes() {
                let note = format!(
                    "{} is really sent, twice (as the browser and as curl): point it at a test resource.",
                    self.method_name()
                );
                prose(&mut out, FormLine::SentTwice, &note);
            }
        }
        out
    }

    /// True when the chosen method can change data and a URL is given (so it is sent).
    pub fn sends_changes(&self) -> bool {
        super::may_change_data(self.method_name()) && self.url.trimmed().is_some()
    }

    /// The index in `rows` of the focused field's (or header's) line.
    pub fn focused_row(&self, rows: &[Row]) -> usize {
        let field = self.field();
        rows.iter()
            .position(|r| match r.line {
                FormLine::Header(i) => field == Field::Headers && i == self.header_sel,
                FormLine::Field(f) => f == field,
                _ => false,
            })
            .unwrap_or(0)
    }

    /// The first of `rows` to draw in `height` lines, so that the focused line and the
    /// problem and hint under it are visible.
    pub fn scroll(&self, rows: &[Row], height: usize) -> usize {
        let focus = self.focused_row(rows);
        let mut bottom = focus + 1;
        while bottom < rows.len()
            && matches!(rows[bottom].line, FormLine::Error(_) | FormLine::Hint(_))
        {
            bottom += 1;
        }
        let top = bottom.saturating_sub(height.max(1));
        top.min(focus)
    }
}
