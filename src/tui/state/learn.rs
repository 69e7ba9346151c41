//! Learn mode's keys: the topics and the selected topic's text.

use super::nav::list_move;
use super::{AppState, Effect, Pane, Screen};
use crate::tui::keymap::Action;

impl AppState {
    pub(super) fn learn_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self.learn.topics.len();
        match (action, self.pane) {
            (Action::Up | Action::Down, Pane::List) => {
                self.learn_sel = list_move(action, self.learn_sel, n);
                self.learn_scroll = 0;
            }
            (Action::Up, Pane::Detail) | (Action::PageUp, _) => {
                self.learn_scroll = self.learn_scroll.saturating_sub(1)
            }
            (Action::Down, Pane::Detail) | (Action::PageDown, _) => {
                self.learn_scroll = self.learn_scroll.saturating_add(1)
            }
            (Action::Top | Action::Bottom, _) => {
                self.learn_sel = list_move(action, self.learn_sel, n)
            }
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Back, _) => {
                self.pane = Pane::List;
                self.go_back();
            }
            (Action::Evidence, _) if self.diag.is_some() && self.below(Screen::Main) => {
                self.open_evidence()
            }
            _ => {}
        }
        Vec::new()
    }
}
