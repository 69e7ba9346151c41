//! The evidence view's keys: the exchanges and the selected one's request and response.

use super::nav::list_detail_keys;
use super::{AppState, Effect, Pane, Screen};
use crate::tui::keymap::Action;
use crate::tui::layout;

impl AppState {
    pub(super) fn open_evidence(&mut self) {
        self.ev_sel = self.cited_exchange().unwrap_or(0);
        self.ev_scroll = 0;
        self.pane = Pane::List;
        self.go(Screen::Evidence);
    }

    pub(super) fn evidence_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self
            .diag
            .as_ref()
            .map_or(0, |d| d.exchange_list().len().max(d.planned.len()));
        let detail = layout::two_pane(self.size).detail;
        let max = crate::tui::view::evidence_detail_max_scroll(self);
        if list_detail_keys(
            action,
            self.pane,
            &mut self.ev_sel,
            &mut self.ev_scroll,
            n,
            detail,
            || max,
        ) {
            return Vec::new();
        }
        if let Some(effects) = self.diagnosis_keys(action) {
            return effects;
        }
        match (action, self.pane) {
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Back, _) => {
                self.pane = Pane::List;
                self.go_back();
            }
            (Action::Learn, _) => self.open_learn(),
            (Action::CopyCurl, _) => return self.copy_curl(Some(self.ev_sel)),
            _ => {}
        }
        Vec::new()
    }
}
