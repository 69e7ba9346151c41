//! The form's "HAR file": the cross-origin requests of a HAR file DevTools saved, failures
//! first, to pick one to diagnose from its recorded exchanges (nothing is sent; `R` in the
//! diagnosis then sends only the safe requests).

use super::{FormEvent, FormInput};
use crate::runner::har::HeldHar;

/// The list over the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarPick {
    pub held: HeldHar,
    /// The index of the selected row in `held.list()`.
    pub sel: usize,
    /// The file's name as typed (for the title).
    pub path: String,
}

impl HarPick {
    pub fn new(held: HeldHar, path: String) -> HarPick {
        HarPick { held, sel: 0, path }
    }

    /// Up/Down move, Enter picks; `None` for anything else (Back closes the list).
    pub fn update(&mut self, input: FormInput) -> Option<FormEvent> {
        let n = self.held.list().len();
        match input {
            FormInput::Next | FormInput::NextField => {
                self.sel = (self.sel + 1).min(n.saturating_sub(1));
            }
            FormInput::Prev | FormInput::PrevField => self.sel = self.sel.saturating_sub(1),
            FormInput::Home => self.sel = 0,
            FormInput::End => self.sel = n.saturating_sub(1),
            FormInput::Submit => {
                return self
                    .held
                    .list()
                    .get(self.sel)
                    .map(|l| FormEvent::PickHar(l.number))
            }
            _ => {}
        }
        None
    }
}
