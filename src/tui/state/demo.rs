//! The demo scenario picker's keys.

use super::nav::list_move;
use super::{AppState, Effect, Status};
use crate::tui::keymap::Action;

impl AppState {
    pub(super) fn demo_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self.demo.len();
        match action {
            Action::Up | Action::Down | Action::Top | Action::Bottom => {
                self.demo_sel = list_move(action, self.demo_sel, n)
            }
            Action::Select => {
                if let Some(e) = self.demo.get(self.demo_sel) {
                    self.status = Some(Status::info(format!("starting scenario {}…", e.name)));
                    return vec![Effect::StartDemo {
                        name: e.name.clone(),
                    }];
                }
            }
            Action::Back => self.quit = true,
            _ => {}
        }
        Vec::new()
    }
}
