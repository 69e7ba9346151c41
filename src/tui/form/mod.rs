//! The target form: what the browser app requests, and from where. Submitting resolves it
//! exactly like `check`'s flags.
//!
//! A form a newcomer can fill in without knowing the flags:
//! - text fields with a cursor; Method and Credentials are selectors (←/→, space or the first
//!   letter choose; typing never appends, so `GETPOST` cannot be sent);
//! - headers are a list: a row each, added and removed with keys from the keymap;
//! - API id, stage, resource path and an OpenAPI export, the options `check` takes, so a
//!   diagnosis from the configuration alone (no URL) can start from the form too;
//! - every field is checked before anything is sent, and the problem is shown under the field
//!   in plain words;
//! - a header whose secret value was not saved with the last target (`Authorization: `) is
//!   never sent empty: the form asks for the value;
//! - a method other than GET and HEAD is really sent (twice: as the browser and as curl), so
//!   the form asks before sending it.
//!
//! [`FormState::update`] is the form's pure update function: one [`FormInput`] in, at most one
//! [`FormEvent`] out; the application state maps keys to inputs through the keymap.

mod har;
mod rows;
mod update;
mod validate;

pub use har::HarPick;

use crate::plan::TargetArgs;

pub use rows::{wrap_words, FormLine, HintKeys, Row, LABEL_WIDTH};
pub use validate::check_openapi_file;

/// `~/x` as the home directory's `x` (no shell expands it in a form).
pub fn expand_home_path(path: &str) -> std::path::PathBuf {
    expand_home(path)
}
use validate::expand_home;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Url,
    Origin,
    Method,
    Headers,
    Credentials,
    ApiId,
    Stage,
    Path,
    OpenApi,
    /// Template parameters (`--parameter KEY=VALUE`), space-separated.
    Parameters,
    Profile,
    Region,
    Har,
}

pub const FIELDS: [Field; 13] = [
    Field::Url,
    Field::Origin,
    Field::Method,
    Field::Headers,
    Field::Credentials,
    Field::ApiId,
    Field::Stage,
    Field::Path,
    Field::OpenApi,
    Field::Parameters,
    Field::Profile,
    Field::Region,
    Field::Har,
];

pub const CREDENTIALS: [&str; 3] = ["omit", "same-origin", "include"];

/// The methods the selector offers (a method from the command line or the last session that
/// is not one of these is added to the list).
pub const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Url => "URL",
            Field::Origin => "Origin",
            Field::Method => "Method",
            Field::Headers => "Headers",
            Field::Credentials => "Credentials",
            Field::ApiId => "API id",
            Field::Stage => "Stage",
            Field::Path => "Resource path",
            Field::OpenApi => "API definition",
            Field::Parameters => "Parameters",
            Field::Profile => "AWS profile",
            Field::Region => "AWS region",
            Field::Har => "HAR file",
        }
    }

    /// The line under the focused field.
    pub fn hint(self) -> &'static str {
        match self {
            Field::Url => "the URL the app fetches, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod/items",
            Field::Origin => "the page's origin (scheme and host), e.g. https://app.example.com",
            Field::Method => "←/→, space or the first letter choose",
            Field::Headers => "Name: value, one a row (secret values are never saved)",
            Field::Credentials => "fetch()'s credentials option: ←/→ or space choose",
            Field::ApiId => "optional: read from the URL; needed without a URL (or an API definition file)",
            Field::Stage => "optional: read from the URL; needed with an API id and no URL",
            Field::Path => "only without a URL: the resource path to diagnose, e.g. /items",
            Field::OpenApi => "optional: a file: an export (aws apigateway get-export …), a CloudFormation/SAM/CDK template or a Terraform plan (JSON or YAML)",
            Field::Parameters => "optional, with a template: KEY=VALUE for values it leaves open, space-separated, e.g. Stage=prod",
            Field::Profile => "optional: the AWS CLI profile for reading the API's configuration",
            Field::Region => "optional: read from the URL, e.g. us-east-1",
            Field::Har => "or open a HAR file DevTools saved: Enter lists its cross-origin requests to pick one (nothing is sent)",
        }
    }

    /// A choice among fixed values rather than text.
    pub fn is_selector(self) -> bool {
        matches!(self, Field::Method | Field::Credentials)
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
    fn trimmed(&self) -> Option<String> {
        let t = self.text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }
}

/// One header of the list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderRow {
    pub input: TextInput,
    /// Its secret value was not saved with the last target: it must be typed again.
    pub needs_secret: bool,
}

/// Where a problem is shown: under a field, or under one header row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    Field(Field),
    Header(usize),
}

/// What the form is asked to do (the state maps keys to these through the keymap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormInput {
    /// A typed character.
    Char(char),
    /// The next field or header row (Down).
    Next,
    /// The previous field or header row (Up).
    Prev,
    /// The next field, past the header rows (Tab).
    NextField,
    /// The previous field (Shift-Tab).
    PrevField,
    Left,
    Right,
    Home,
    End,
    Backspace,
    Delete,
    Clear,
    AddHeader,
    RemoveHeader,
    Submit,
    Back,
}

/// What the application must do after an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormEvent {
    /// Validate and resolve the form, then diagnose (or ask first: see
    /// [`FormState::confirm`]).
    Submit,
    /// The user confirmed sending a method that changes data.
    Confirmed,
    /// Leave the form.
    Back,
    /// Read the HAR file the form names and list its requests.
    OpenHar,
    /// Diagnose entry N of the open HAR file.
    PickHar(usize),
}

/// The question asked before a request that may change data is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub method: String,
    /// The URL, secrets masked.
    pub url: String,
}

/// True for a method that can change data (every method but the safe GET, HEAD and OPTIONS,
/// RFC 9110 §9.2.1): sent live, it is only sent once the user confirms.
pub fn may_change_data(method: &str) -> bool {
    !matches!(
        method.to_ascii_uppercase().as_str(),
        "GET" | "HEAD" | "OPTIONS"
    )
}

impl Confirm {
    /// The question to ask before `plan` is run, when its request is really sent and can
    /// change data (the form and the API explorer both ask it).
    pub fn for_plan(plan: &crate::plan::Plan) -> Option<Confirm> {
        (plan.live && may_change_data(&plan.target.method)).then(|| Confirm {
            method: plan.target.method.clone(),
            url: crate::redact::url(plan.target.url.as_str()),
        })
    }

    /// The question, in plain words.
    pub fn text(&self) -> String {
        format!(
            "{m} is really sent to {u}, twice: once as the browser sends it (with Origin) and once as curl does (without), after OPTIONS preflights. {m} can change data: use a test resource.",
            m = self.method,
            u = self.url
        )
    }

    /// The question with its keys: `send` sends it, `back` goes back to `place` ("the
    /// form", "the explorer").
    pub fn question(&self, send: &str, back: &str, place: &str) -> String {
        format!(
            "{} {send} sends it · {back} goes back to {place}",
            self.text()
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormState {
    pub url: TextInput,
    pub origin: TextInput,
    /// Index into [`FormState::methods`].
    pub method: usize,
    pub methods: Vec<String>,
    pub headers: Vec<HeaderRow>,
    /// The header row with the focus when the focus is on the headers.
    pub header_sel: usize,
    /// Index into [`CREDENTIALS`].
    pub credentials: usize,
    pub api_id: TextInput,
    pub stage: TextInput,
    pub path: TextInput,
    pub openapi: TextInput,
    /// Template parameters, `KEY=VALUE` separated by spaces.
    pub parameters: TextInput,
    pub profile: TextInput,
    pub region: TextInput,
    /// Index into [`FIELDS`].
    pub focus: usize,
    /// The problems found by the last submit, each shown under its field.
    pub errors: Vec<(Slot, String)>,
    /// Why the last submit was refused, when no one field is to blame.
    pub error: Option<String>,
    /// Asked before sending a method that can change data.
    pub confirm: Option<Confirm>,
    /// A HAR file's path (the last field): submitting with it lists the file's requests.
    pub har: TextInput,
    /// The HAR file's cross-origin requests, to pick one from (over the form).
    pub har_pick: Option<HarPick>,
}

/// What the form starts with: from the config and the last session, or the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prefill {
    pub url: Option<String>,
    pub origin: Option<String>,
    pub method: Option<String>,
    pub headers: Vec<String>,
    pub credentials: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub api_id: Option<String>,
    pub stage: Option<String>,
    pub path: Option<String>,
    pub openapi: Option<String>,
    /// Template parameters (`KEY=VALUE`), from the command line only: never saved.
    pub parameters: Vec<String>,
}

/// A header's name, when the header is one whose value is a secret (`Authorization`,
/// `X-Api-Key`, cookies…).
pub(crate) fn secret_header_name(entry: &str) -> Option<&str> {
    let name = entry.split_once(':').map_or(entry, |(n, _)| n).trim();
    (!name.is_empty() && crate::redact::header_value(name, "x") != "x").then_some(name)
}

/// `Name:` with nothing after the colon.
fn value_is_empty(entry: &str) -> bool {
    entry
        .split_once(':')
        .is_some_and(|(_, v)| v.trim().is_empty())
}

impl FormState {
    pub fn new(p: &Prefill) -> Self {
        let s = |o: &Option<String>| TextInput::new(o.clone().unwrap_or_default());
        let credentials = p
            .credentials
            .as_deref()
            .and_then(|c| CREDENTIALS.iter().position(|x| *x == c))
            .unwrap_or(1);
        let mut methods: Vec<String> = METHODS.iter().map(|m| m.to_string()).collect();
        let method = match p.method.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            None => 0,
            Some(m) => match methods.iter().position(|x| x.eq_ignore_ascii_case(m)) {
                Some(i) => i,
                None => {
                    methods.push(m.to_string());
                    methods.len() - 1
                }
            },
        };
        let headers = p
            .headers
            .iter()
            .filter(|h| !h.trim().is_empty())
            .map(|h| {
                let needs_secret = secret_header_name(h).is_some() && value_is_empty(h);
                // `Authorization: `: the cursor after the space, where the value goes.
                let text = match (needs_secret, h.split_once(':')) {
                    (true, Some((name, _))) => format!("{}: ", name.trim()),
                    _ => h.trim().to_string(),
                };
                HeaderRow {
                    input: TextInput::new(text),
                    needs_secret,
                }
            })
            .collect();
        let mut form = FormState {
            url: s(&p.url),
            origin: s(&p.origin),
            method,
            methods,
            headers,
            header_sel: 0,
            credentials,
            api_id: s(&p.api_id),
            stage: s(&p.stage),
            path: s(&p.path),
            openapi: s(&p.openapi),
            parameters: TextInput::new(p.parameters.join(" ")),
            profile: s(&p.profile),
            region: s(&p.region),
            focus: 0,
            errors: Vec::new(),
            error: None,
            confirm: None,
            har: TextInput::default(),
            har_pick: None,
        };
        form.focus_first_gap();
        form
    }

    /// Focuses the first thing to fill in: the URL, the origin, then a header whose secret
    /// value was not saved.
    fn focus_first_gap(&mut self) {
        let at = |f: Field| FIELDS.iter().position(|x| *x == f).unwrap_or(0);
        if self.url.text.trim().is_empty() && self.path.text.trim().is_empty() {
            self.focus = at(Field::Url);
        } else if self.origin.text.trim().is_empty() {
            self.focus = at(Field::Origin);
        } else if let Some(i) = self.headers.iter().position(|h| h.needs_secret) {
            self.focus = at(Field::Headers);
            self.header_sel = i;
            self.headers[i].input.end();
        } else {
            self.focus = at(Field::Url);
        }
    }

    pub fn field(&self) -> Field {
        FIELDS[self.focus.min(FIELDS.len() - 1)]
    }

    /// Focuses `field` (and, for the headers, row `header`).
    pub fn focus_on(&mut self, slot: Slot) {
        let (field, row) = match slot {
            Slot::Field(f) => (f, 0),
            Slot::Header(i) => (Field::Headers, i),
        };
        self.focus = FIELDS.iter().position(|x| *x == field).unwrap_or(0);
        self.header_sel = row.min(self.headers.len().saturating_sub(1));
    }

    /// The text input of a text field (the focused header row for the headers).
    pub fn input(&self, field: Field) -> Option<&TextInput> {
        match field {
            Field::Url => Some(&self.url),
            Field::Origin => Some(&self.origin),
            Field::Headers => self.headers.get(self.header_sel).map(|h| &h.input),
            Field::ApiId => Some(&self.api_id),
            Field::Stage => Some(&self.stage),
            Field::Path => Some(&self.path),
            Field::OpenApi => Some(&self.openapi),
            Field::Parameters => Some(&self.parameters),
            Field::Har => Some(&self.har),
            Field::Profile => Some(&self.profile),
            Field::Region => Some(&self.region),
            Field::Method | Field::Credentials => None,
        }
    }

    pub fn input_mut(&mut self, field: Field) -> Option<&mut TextInput> {
        match field {
            Field::Url => Some(&mut self.url),
            Field::Origin => Some(&mut self.origin),
            Field::Headers => self.headers.get_mut(self.header_sel).map(|h| &mut h.input),
            Field::ApiId => Some(&mut self.api_id),
            Field::Stage => Some(&mut self.stage),
            Field::Path => Some(&mut self.path),
            Field::OpenApi => Some(&mut self.openapi),
            Field::Parameters => Some(&mut self.parameters),
            Field::Har => Some(&mut self.har),
            Field::Profile => Some(&mut self.profile),
            Field::Region => Some(&mut self.region),
            Field::Method | Field::Credentials => None,
        }
    }

    /// The method the selector shows.
    pub fn method_name(&self) -> &str {
        self.methods.get(self.method).map_or("GET", String::as_str)
    }

    /// The next field, or the next header row while on the headers.
    pub fn next(&mut self) {
        if self.field() == Field::Headers && self.header_sel + 1 < self.headers.len() {
            self.header_sel += 1;
            return;
        }
        self.focus = (self.focus + 1) % FIELDS.len();
        self.header_sel = 0;
    }

    /// The previous field, or the previous header row while on the headers.
    pub fn prev(&mut self) {
        if self.field() == Field::Headers && self.header_sel > 0 {
            self.header_sel -= 1;
            return;
        }
        self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len();
        if self.field() == Field::Headers {
            self.header_sel = self.headers.len().saturating_sub(1);
        }
    }

    /// The next field, skipping the rest of the header rows (Tab).
    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % FIELDS.len();
        self.header_sel = 0;
    }

    /// The previous field (Shift-Tab).
    pub fn prev_field(&mut self) {
        self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len();
        self.header_sel = 0;
    }

    pub fn cycle_credentials(&mut self, forward: bool) {
        self.credentials = cycle(self.credentials, CREDENTIALS.len(), forward);
    }

    pub fn cycle_method(&mut self, forward: bool) {
        self.method = cycle(self.method, self.methods.len(), forward);
    }

    /// A letter on a selector: the next choice that starts with it (P: POST, PUT, PATCH…).
    /// False when no choice does.
    fn choose_by_letter(&mut self, c: char) -> bool {
        let options: Vec<&str> = match self.field() {
            Field::Method => self.methods.iter().map(String::as_str).collect(),
            Field::Credentials => CREDENTIALS.to_vec(),
            _ => return false,
        };
        let current = match self.field() {
            Field::Method => self.method,
            _ => self.credentials,
        };
        let n = options.len();
        let found = (1..=n).map(|k| (current + k) % n).find(|&i| {
            options[i]
                .chars()
                .next()
                .is_some_and(|f| f.eq_ignore_ascii_case(&c))
        });
        match (found, self.field()) {
            (Some(i), Field::Method) => self.method = i,
            (Some(i), _) => self.credentials = i,
            (None, _) => return false,
        }
        true
    }

    /// Adds an empty header row after the focused one (or at the end) and focuses it.
    pub fn add_header(&mut self) {
        let at = if self.field() == Field::Headers && !self.headers.is_empty() {
            self.header_sel + 1
        } else {
            self.headers.len()
        };
        self.headers.insert(at, HeaderRow::default());
        self.focus_on(Slot::Header(at));
        self.errors.retain(|(s, _)| !matches!(s, Slot::Header(_)));
    }

    /// Removes the focused header row.
    pub fn remove_header(&mut self) {
        if self.field() != Field::Headers || self.headers.is_empty() {
            return;
        }
        let i = self.header_sel.min(self.headers.len() - 1);
        self.headers.remove(i);
        self.header_sel = i.min(self.headers.len().saturating_sub(1));
        self.errors.retain(|(s, _)| !matches!(s, Slot::Header(_)));
    }

    /// True when a typed character goes into the focused field (a text field or a header
    /// row) rather than being looked up in the keymap (a selector's letters choose, unless
    /// the keymap binds them).
    pub fn takes_text(&self) -> bool {
        !self.field().is_selector()
    }

    /// The header entries, empty rows dropped.
    pub fn header_entries(&self) -> Vec<String> {
        self.headers
            .iter()
            .map(|h| h.input.text.trim())
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The problem under `slot`, if any.
    pub fn error_at(&self, slot: Slot) -> Option<&str> {
        self.errors
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, e)| e.as_str())
    }

    /// The same arguments `check` would get from its flags.
    pub fn to_args(&self, base: &TargetArgs) -> TargetArgs {
        TargetArgs {
            url: self.url.trimmed(),
            origin: self.origin.trimmed(),
            method: Some(self.method_name().to_string()),
            headers: self.header_entries(),
            credentials: Some(CREDENTIALS[self.credentials.min(2)].to_string()),
            profile: self.profile.trimmed(),
            region: self.region.trimmed(),
            api_id: self.api_id.trimmed(),
            stage: self.stage.trimmed(),
            path: self.path.trimmed(),
            openapi: self.openapi.trimmed().map(|f| expand_home(&f)),
            // The field holds a template too (`--template` fills it): the file's structure
            // decides; the parameters are the form's own field.
            template: None,
            parameters: self.parameter_entries(),
            ..base.clone()
        }
    }

    /// The template parameters typed (`KEY=VALUE` words).
    pub fn parameter_entries(&self) -> Vec<String> {
        self.parameters
            .text
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    /// The form filled from arguments (to edit the target of a running diagnosis).
    pub fn from_args(args: &TargetArgs) -> Self {
        FormState::new(&prefill_from_args(args))
    }
}

/// The form's values from arguments (the command line, or the target being diagnosed).
pub fn prefill_from_args(args: &TargetArgs) -> Prefill {
    Prefill {
        url: args.url.clone(),
        origin: args.origin.clone(),
        method: args.method.clone(),
        headers: args.headers.clone(),
        credentials: args.credentials.clone(),
        profile: args.profile.clone(),
        region: args.region.clone(),
        api_id: args.api_id.clone(),
        stage: args.stage.clone(),
        path: args.path.clone(),
        openapi: args
            .openapi
            .as_ref()
            .or(args.template.as_ref())
            .map(|p| p.display().to_string()),
        parameters: args.parameters.clone(),
    }
}

fn cycle(i: usize, n: usize, forward: bool) -> usize {
    if n == 0 {
        0
    } else if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }
}

#[cfg(test)]
mod tests;
