//! The target form's keys: typed characters go into the focused field; every other key goes
//! through the keymap to a [`FormInput`]; submitting checks each field, then resolves the
//! form like `check`'s flags, asking first when the method can change data.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{AppState, Effect};
use crate::tui::form::{check_openapi_file, Confirm, FormEvent, FormInput};
use crate::tui::keymap::{Action, Context};

impl AppState {
    /// A typed character for the form; `None` when the key is not one (then it goes through
    /// the keymap). On a selector (Method, Credentials) a letter chooses, unless the keymap
    /// binds it (`?` for help).
    pub(super) fn form_edit(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let KeyCode::Char(c) = key.code else {
            return None;
        };
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return None;
        }
        if !self.form.takes_text() && self.keymap.action(Context::Form, &key).is_some() {
            return None;
        }
        self.form.update(FormInput::Char(c));
        Some(Vec::new())
    }

    pub(super) fn form_action(&mut self, action: Action) -> Vec<Effect> {
        let input = match action {
            Action::FieldNext => FormInput::Next,
            Action::FieldPrev => FormInput::Prev,
            Action::NextPane => FormInput::NextField,
            Action::PrevPane => FormInput::PrevField,
            Action::CursorLeft => FormInput::Left,
            Action::CursorRight => FormInput::Right,
            Action::LineStart => FormInput::Home,
            Action::LineEnd => FormInput::End,
            Action::DeleteBack => FormInput::Backspace,
            Action::DeleteForward => FormInput::Delete,
            Action::ClearField => FormInput::Clear,
            Action::AddHeader => FormInput::AddHeader,
            Action::RemoveHeader => FormInput::RemoveHeader,
            Action::Select => FormInput::Submit,
            Action::Back => FormInput::Back,
            _ => return Vec::new(),
        };
        match self.form.update(input) {
            Some(FormEvent::Submit) => self.submit_form(false),
            Some(FormEvent::Confirmed) => self.submit_form(true),
            Some(FormEvent::Back) => {
                self.go_back();
                Vec::new()
            }
            Some(FormEvent::OpenHar) => self.open_har(),
            Some(FormEvent::PickHar(number)) => self.pick_har(number),
            None => Vec::new(),
        }
    }

    /// Enter on the HAR file field: the file is read off the event loop (`Msg::HarLoaded`).
    fn open_har(&mut self) -> Vec<Effect> {
        let typed = self.form.har.text.trim().to_string();
        let path = crate::tui::form::expand_home_path(&typed);
        if let Err(why) = check_openapi_file(&path) {
            let why = why.replace("the export", "the HAR file");
            self.form.error = Some(format!(
                "HAR file: {}",
                crate::redact::escape_controls(&why)
            ));
            return Vec::new();
        }
        self.form.error = None;
        self.status = Some(super::Status::info(format!(
            "reading {}…",
            crate::redact::escape_controls(&crate::redact::shorten(&typed, 60))
        )));
        vec![Effect::LoadHar { path, shown: typed }]
    }

    /// The HAR file's list is in (or why not).
    pub(super) fn har_loaded(
        &mut self,
        path: String,
        result: Result<crate::runner::har::HeldHar, String>,
    ) {
        self.status = None;
        let shown = crate::redact::escape_controls(&crate::redact::shorten(&path, 60));
        match result {
            Ok(held) if held.list().is_empty() => {
                self.form.error = Some(format!(
                    "{shown}: no cross-origin request in this HAR (requests whose origin differs from the page's){}.",
                    held.skipped().map(|s| format!("; not read: {s}")).unwrap_or_default()
                ));
            }
            Ok(held) => {
                if let Some(note) = held.skipped() {
                    self.status = Some(super::Status::info(format!("not read: {note}")));
                }
                self.form.har_pick = Some(crate::tui::form::HarPick::new(held, path));
            }
            Err(e) => {
                self.form.error = Some(format!(
                    "{shown}: {}",
                    crate::redact::escape_controls(&crate::redact::known(&e))
                ));
            }
        }
    }

    /// Enter on a HAR entry: its diagnosis from the recorded exchanges (nothing is sent).
    fn pick_har(&mut self, number: usize) -> Vec<Effect> {
        let Some(pick) = self.form.har_pick.take() else {
            return Vec::new();
        };
        let base = self.form.to_args(&self.base_args);
        // The SDK lookups only when the form names AWS (a profile or an API id).
        let aws = base.profile.is_some() || base.api_id.is_some();
        match pick.held.entry(number, &base, aws, &self.config) {
            Ok((plan, recording, args)) => self.start_recorded(plan, args, recording),
            Err(e) => {
                self.form.error = Some(crate::redact::escape_controls(&crate::redact::known(&e)));
                self.form.har_pick = Some(pick);
                Vec::new()
            }
        }
    }

    /// Checks every field (problems go under their fields), resolves the form as `check`
    /// resolves its flags, and starts the diagnosis; a method that can change data is only
    /// sent once `confirmed`.
    fn submit_form(&mut self, confirmed: bool) -> Vec<Effect> {
        self.form.errors = self.form.validate(&check_openapi_file);
        if let Some((slot, _)) = self.form.errors.first() {
            let slot = *slot;
            self.form.error = None;
            self.form.focus_on(slot);
            return Vec::new();
        }
        let args = self.form.to_args(&self.base_args);
        match args.resolve(&self.config) {
            Ok(plan) => {
                self.form.error = None;
                if let Some(confirm) = Confirm::for_plan(&plan).filter(|_| !confirmed) {
                    self.form.confirm = Some(confirm);
                    return Vec::new();
                }
                self.start_remembered(plan, args)
            }
            Err(e) => {
                // The message may quote what was typed: every secret in it is masked.
                let mut secrets = args.secrets(&self.config);
                secrets.extend(&crate::redact::known_secrets());
                self.form.error = Some(crate::redact::escape_controls(
                    &secrets.mask(&e.to_string()),
                ));
                Vec::new()
            }
        }
    }
}
