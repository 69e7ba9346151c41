//! The demo scenario picker's keys.

use super::nav::list_move;
use super::visible_offset;
use super::{AppState, Effect, Status};
use crate::tui::keymap::Action;

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

    pub(super) fn demo_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self.demo.len();
        match action {
            Action::Up | Action::Down | Action::Top | Action::Bottom => {
                self.demo_sel = list_move(action, self.demo_sel, n);
                self.demo_offset =
                    visible_offset(self.demo_offset, self.demo_sel, self.demo_rows());
            }
            Action::PageUp | Action::PageDown => {
                let page = self.demo_rows();
                self.demo_sel = if action == Action::PageUp {
                    self.demo_sel.saturating_sub(page)
                } else {
                    (self.demo_sel + page).min(n.saturating_sub(1))
                };
                self.demo_offset = visible_offset(self.demo_offset, self.demo_sel, page);
            }
            Action::Select => {
                if let Some(e) = self.demo.get(self.demo_sel) {
                    self.status = Some(Status::info(format!("starting scenario {}…", e.name)));
                    return vec![Effect::StartDemo {
                        name: e.name.clone(),
                    }];
                }
            }
            Action::Back => self.go_back(),
            Action::Learn => self.open_learn(),
            _ => {}
        }
        Vec::new()
    }
}
