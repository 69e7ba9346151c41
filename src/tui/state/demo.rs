//! The demo scenario picker: its state and keys.

use super::nav::ListNav;
use super::{AppState, Effect, Status};
use crate::tui::demo::ScenarioEntry;
use crate::tui::keymap::Action;

/// The picker's own state: the scenarios and the selected one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoPicker {
    pub entries: Vec<ScenarioEntry>,
    pub list: ListNav,
}

impl DemoPicker {
    pub fn selected(&self) -> Option<&ScenarioEntry> {
        self.entries.get(self.list.sel)
    }
}

impl AppState {
    /// Rows of the picker's list on screen.
    pub(super) fn demo_rows(&self) -> usize {
        usize::from(
            crate::tui::layout::demo(self.size)
                .list
                .height
                .saturating_sub(2),
        )
    }

    /// Selects the scenario called `name`, if the picker has it.
    pub fn select_scenario(&mut self, name: &str) {
        let height = self.demo_rows();
        let picker = &mut self.demo;
        if let Some(i) = picker.entries.iter().position(|e| e.name == name) {
            picker.list.select(i, picker.entries.len(), height);
        }
    }

    pub(super) fn demo_action(&mut self, action: Action) -> Vec<Effect> {
        let height = self.demo_rows();
        let picker = &mut self.demo;
        if picker.list.keys(action, picker.entries.len(), height) {
            return Vec::new();
        }
        match action {
            Action::Select => {
                if let Some(e) = picker.selected() {
                    let name = e.name.clone();
                    self.status = Some(Status::info(format!("starting scenario {name}…")));
                    return vec![Effect::StartDemo { name }];
                }
            }
            Action::Back => self.go_back(),
            Action::Learn => self.open_learn(),
            _ => {}
        }
        Vec::new()
    }
}
