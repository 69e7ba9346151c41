//! The target form: what the browser app requests, and from where. Plain text fields with a
//! cursor; the credentials mode cycles. Submitting resolves it exactly like `check`'s flags.

use crate::plan::TargetArgs;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Url,
    Origin,
    Method,
    Headers,
    Credentials,
    Profile,
    Region,
}

pub const FIELDS: [Field; 7] = [
    Field::Url,
    Field::Origin,
    Field::Method,
    Field::Headers,
    Field::Credentials,
    Field::Profile,
    Field::Region,
];

pub const CREDENTIALS: [&str; 3] = ["omit", "same-origin", "include"];

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Url => "URL",
            Field::Origin => "Origin",
            Field::Method => "Method",
            Field::Headers => "Headers",
            Field::Credentials => "Credentials",
            Field::Profile => "AWS profile",
            Field::Region => "AWS region",
        }
    }
    pub fn hint(self) -> &'static str {
        match self {
            Field::Url => "the URL the app fetches",
            Field::Origin => "the page's origin, e.g. https://app.example.com",
            Field::Method => "GET, POST, PUT…",
            Field::Headers => "Name: value; Name: value  (secret values are never saved)",
            Field::Credentials => "space or ←/→ to change",
            Field::Profile => "optional",
            Field::Region => "optional",
        }
    }
}

/// A one-line text input; the cursor is a character index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
    pub cursor: usize,
}

impl TextInput {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.chars().count();
        TextInput { text, cursor }
    }
    fn byte_at(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(i, _)| i)
    }
    pub fn insert(&mut self, c: char) {
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
    }
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }
    pub fn delete(&mut self) {
        if self.cursor < self.text.chars().count() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }
    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }
    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.text.chars().count());
    }
    pub fn home(&mut self) {
        self.cursor = 0;
    }
    pub fn end(&mut self) {
        self.cursor = self.text.chars().count();
    }
    pub fn clear(&mut self) {
        *self = TextInput::default();
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormState {
    pub url: TextInput,
    pub origin: TextInput,
    pub method: TextInput,
    pub headers: TextInput,
    /// Index into [`CREDENTIALS`].
    pub credentials: usize,
    pub profile: TextInput,
    pub region: TextInput,
    pub focus: usize,
    /// Why the last submit was refused.
    pub error: Option<String>,
}

/// What the form starts with: from the config and the last session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefill {
    pub url: Option<String>,
    pub origin: Option<String>,
    pub method: Option<String>,
    pub headers: Vec<String>,
    pub credentials: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
}

impl FormState {
    pub fn new(p: &Prefill) -> Self {
        let s = |o: &Option<String>| TextInput::new(o.clone().unwrap_or_default());
        let credentials = p
            .credentials
            .as_deref()
            .and_then(|c| CREDENTIALS.iter().position(|x| *x == c))
            .unwrap_or(1);
        let mut form = FormState {
            url: s(&p.url),
            origin: s(&p.origin),
            method: TextInput::new(p.method.clone().unwrap_or_else(|| "GET".into())),
            headers: TextInput::new(p.headers.join("; ")),
            credentials,
            profile: s(&p.profile),
            region: s(&p.region),
            focus: 0,
            error: None,
        };
        // Start on the first empty required field.
        form.focus = if form.url.text.is_empty() {
            0
        } else if form.origin.text.is_empty() {
            1
        } else {
            0
        };
        form
    }

    pub fn field(&self) -> Field {
        FIELDS[self.focus.min(FIELDS.len() - 1)]
    }

    pub fn input(&self, field: Field) -> Option<&TextInput> {
        match field {
            Field::Url => Some(&self.url),
            Field::Origin => Some(&self.origin),
            Field::Method => Some(&self.method),
            Field::Headers => Some(&self.headers),
            Field::Credentials => None,
            Field::Profile => Some(&self.profile),
            Field::Region => Some(&self.region),
        }
    }

    pub fn input_mut(&mut self, field: Field) -> Option<&mut TextInput> {
        match field {
            Field::Url => Some(&mut self.url),
            Field::Origin => Some(&mut self.origin),
            Field::Method => Some(&mut self.method),
            Field::Headers => Some(&mut self.headers),
            Field::Credentials => None,
            Field::Profile => Some(&mut self.profile),
            Field::Region => Some(&mut self.region),
        }
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % FIELDS.len();
    }
    pub fn prev(&mut self) {
        self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len();
    }
    pub fn cycle_credentials(&mut self, forward: bool) {
        self.credentials = if forward {
            (self.credentials + 1) % CREDENTIALS.len()
        } else {
            (self.credentials + CREDENTIALS.len() - 1) % CREDENTIALS.len()
        };
    }

    /// The header entries, split on `;` (or newlines), empty ones dropped.
    pub fn header_entries(&self) -> Vec<String> {
        self.headers
            .text
            .split([';', '\n'])
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The same arguments `check` would get from its flags.
    pub fn to_args(&self, base: &TargetArgs) -> TargetArgs {
        let opt = |t: &TextInput| {
            let t = t.text.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        TargetArgs {
            url: opt(&self.url),
            origin: opt(&self.origin),
            method: opt(&self.method),
            headers: self.header_entries(),
            credentials: Some(CREDENTIALS[self.credentials.min(2)].to_string()),
            profile: opt(&self.profile),
            region: opt(&self.region),
            ..base.clone()
        }
    }

    /// The form filled from arguments (to edit the target of a running diagnosis).
    pub fn from_args(args: &TargetArgs) -> Self {
        FormState::new(&Prefill {
            url: args.url.clone(),
            origin: args.origin.clone(),
            method: args.method.clone(),
            headers: args.headers.clone(),
            credentials: args.credentials.clone(),
            profile: args.profile.clone(),
            region: args.region.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_input_edits_at_the_cursor() {
        let mut t = TextInput::new("héllo");
        t.left();
        t.left();
        t.insert('X');
        assert_eq!(t.text, "hélXlo");
        t.backspace();
        t.backspace();
        assert_eq!(t.text, "héllo".replacen('l', "", 1));
        t.home();
        t.delete();
        assert_eq!(t.text, "élo");
        t.end();
        t.right();
        assert_eq!(t.cursor, 3);
    }

    #[test]
    fn form_becomes_check_flags() {
        let mut f = FormState::new(&Prefill {
            url: Some("https://x.example/a".into()),
            origin: Some("https://app.example".into()),
            headers: vec!["Authorization: Bearer t".into(), "X-A: 1".into()],
            ..Prefill::default()
        });
        f.cycle_credentials(true);
        let a = f.to_args(&TargetArgs::default());
        assert_eq!(a.url.as_deref(), Some("https://x.example/a"));
        assert_eq!(a.headers, vec!["Authorization: Bearer t", "X-A: 1"]);
        assert_eq!(a.credentials.as_deref(), Some("include"));
        assert_eq!(a.method.as_deref(), Some("GET"));
        assert_eq!(a.profile, None);
    }
}
