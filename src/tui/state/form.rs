//! The target form's keys: text editing, moving between fields, submitting.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{AppState, Effect, Screen};
use crate::tui::form::Field;
use crate::tui::keymap::Action;

impl AppState {
    /// Text editing in the form; `None` when the key is not an edit (then it is an action).
    pub(super) fn form_edit(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let f = &mut self.form;
        let field = f.field();
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if field == Field::Credentials {
            match key.code {
                KeyCode::Char(' ') | KeyCode::Right => f.cycle_credentials(true),
                KeyCode::Left => f.cycle_credentials(false),
                KeyCode::Up => f.prev(),
                KeyCode::Down => f.next(),
                _ => return None,
            }
            return Some(Vec::new());
        }
        if key.code == KeyCode::Char('u') && key.modifiers.contains(KeyModifiers::CONTROL) {
            if let Some(i) = f.input_mut(field) {
                i.clear();
            }
            return Some(Vec::new());
        }
        match key.code {
            KeyCode::Up => f.prev(),
            KeyCode::Down => f.next(),
            _ => {
                let input = f.input_mut(field)?;
                match key.code {
                    KeyCode::Char(c) if plain => input.insert(c),
                    KeyCode::Backspace => input.backspace(),
                    KeyCode::Delete => input.delete(),
                    KeyCode::Left => input.left(),
                    KeyCode::Right => input.right(),
                    KeyCode::Home => input.home(),
                    KeyCode::End => input.end(),
                    _ => return None,
                }
            }
        }
        Some(Vec::new())
    }

    fn submit_form(&mut self) -> Vec<Effect> {
        let args = self.form.to_args(&self.base_args);
        match args.resolve(&self.config) {
            Ok(plan) => {
                self.form.error = None;
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

    pub(super) fn form_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::NextPane => self.form.next(),
            Action::PrevPane => self.form.prev(),
            Action::Select => return self.submit_form(),
            Action::Back => {
                if self.diag.is_some() {
                    self.screen = Screen::Main;
                } else {
                    self.quit = true;
                }
            }
            _ => {}
        }
        Vec::new()
    }
}
