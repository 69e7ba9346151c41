//! Learn mode's keys: the topics and the selected topic's text.

use super::{AppState, Effect, Pane, Screen};
use crate::tui::keymap::Action;

impl AppState {
    pub(super) fn learn_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self.learn.topics.len();
        match (action, self.pane) {
            (Action::Up, Pane::List) => {
                self.learn_sel = self.learn_sel.saturating_sub(1);
                self.learn_scroll = 0;
            }
            (Action::Down, Pane::List) => {
                self.learn_sel = (self.learn_sel + 1).min(n.saturating_sub(1));
                self.learn_scroll = 0;
            }
            (Action::Up, Pane::Detail) | (Action::PageUp, _) => {
                self.learn_scroll = self.learn_scroll.saturating_sub(1)
            }
            (Action::Down, Pane::Detail) | (Action::PageDown, _) => {
                self.learn_scroll = self.learn_scroll.saturating_add(1)
            }
            (Action::Top, _) => self.learn_sel = 0,
            (Action::Bottom, _) => self.learn_sel = n.saturating_sub(1),
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Back, _) => {
                self.pane = Pane::List;
                self.screen = if self.diag.is_some() {
                    Screen::Main
                } else {
                    Screen::Form
                };
            }
            (Action::Evidence, _) if self.diag.is_some() => self.open_evidence(),
            _ => {}
        }
        Vec::new()
    }
}
