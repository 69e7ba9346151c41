//! The demo scenario picker's keys.

use super::{AppState, Effect, Status};
use crate::tui::keymap::Action;

impl AppState {
    pub(super) fn demo_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self.demo.len();
        match action {
            Action::Up => self.demo_sel = self.demo_sel.saturating_sub(1),
            Action::Down => self.demo_sel = (self.demo_sel + 1).min(n.saturating_sub(1)),
            Action::Top => self.demo_sel = 0,
            Action::Bottom => self.demo_sel = n.saturating_sub(1),
            Action::Select => {
                if let Some(e) = self.demo.get(self.demo_sel) {
                    self.status = Some(Status {
                        text: format!("starting scenario {}…", e.name),
                        error: false,
                    });
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
