//! The form's pure update function: one input in, at most one event out.

use super::{value_is_empty, Field, FormEvent, FormInput, FormState, Slot};

impl FormState {
    /// The form's pure update: applies one input; what the application must do next.
    /// While a confirmation is pending only Submit (send) and Back (do not) mean anything.
    pub fn update(&mut self, input: FormInput) -> Option<FormEvent> {
        if self.confirm.is_some() {
            return match input {
                FormInput::Submit => {
                    self.confirm = None;
                    Some(FormEvent::Confirmed)
                }
                FormInput::Back => {
                    self.confirm = None;
                    None
                }
                _ => None,
            };
        }
        if let Some(pick) = self.har_pick.as_mut() {
            return pick.update(input).map_or_else(
                || {
                    // Back closes the list.
                    (input == FormInput::Back).then(|| self.har_pick = None);
                    None
                },
                Some,
            );
        }
        let field = self.field();
        match input {
            FormInput::Submit if field == Field::Har && !self.har.text.trim().is_empty() => {
                return Some(FormEvent::OpenHar)
            }
            FormInput::Submit => return Some(FormEvent::Submit),
            FormInput::Back => return Some(FormEvent::Back),
            FormInput::Next => self.next(),
            FormInput::Prev => self.prev(),
            FormInput::NextField => self.next_field(),
            FormInput::PrevField => self.prev_field(),
            FormInput::AddHeader => self.add_header(),
            FormInput::RemoveHeader => self.remove_header(),
            FormInput::Left | FormInput::Right if field.is_selector() => {
                let forward = input == FormInput::Right;
                if field == Field::Method {
                    self.cycle_method(forward);
                } else {
                    self.cycle_credentials(forward);
                }
            }
            FormInput::Char(' ') if field.is_selector() => {
                if field == Field::Method {
                    self.cycle_method(true);
                } else {
                    self.cycle_credentials(true);
                }
            }
            FormInput::Char(c) if field.is_selector() => {
                self.choose_by_letter(c);
            }
            FormInput::Char(_) if field == Field::Headers && self.headers.is_empty() => {
                // Typing on the empty list starts the first header.
                self.add_header();
                return self.update(input);
            }
            _ => {
                let i = self.input_mut(field)?;
                match input {
                    FormInput::Char(c) => i.insert(c),
                    FormInput::Left => i.left(),
                    FormInput::Right => i.right(),
                    FormInput::Home => i.home(),
                    FormInput::End => i.end(),
                    FormInput::Backspace => i.backspace(),
                    FormInput::Delete => i.delete(),
                    FormInput::Clear => i.clear(),
                    _ => return None,
                }
                let slot = if field == Field::Headers {
                    if let Some(h) = self.headers.get_mut(self.header_sel) {
                        if !value_is_empty(&h.input.text) {
                            h.needs_secret = false;
                        }
                    }
                    Slot::Header(self.header_sel)
                } else {
                    Slot::Field(field)
                };
                // The problem shown under what was just edited may be gone: checked again
                // on the next submit.
                self.errors.retain(|(s, _)| *s != slot);
                self.error = None;
            }
        }
        None
    }
}
