//! The evidence view's keys: the exchanges and the selected one's request and response.

use super::{AppState, Effect, Pane, Screen};
use crate::tui::keymap::Action;
use crate::tui::layout;

impl AppState {
    pub(super) fn open_evidence(&mut self) {
        self.ev_sel = self.cited_exchange().unwrap_or(0);
        self.ev_scroll = 0;
        self.pane = Pane::List;
        self.screen = Screen::Evidence;
    }

    pub(super) fn evidence_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self
            .diag
            .as_ref()
            .map_or(0, |d| d.exchange_list().len().max(d.planned.len()));
        let page = layout::two_pane(self.size)
            .detail
            .height
            .saturating_sub(2)
            .max(1);
        match (action, self.pane) {
            (Action::Up, Pane::List) => {
                self.ev_sel = self.ev_sel.saturating_sub(1);
                self.ev_scroll = 0;
            }
            (Action::Down, Pane::List) => {
                self.ev_sel = (self.ev_sel + 1).min(n.saturating_sub(1));
                self.ev_scroll = 0;
            }
            (Action::Top, Pane::List) => self.ev_sel = 0,
            (Action::Bottom, Pane::List) => self.ev_sel = n.saturating_sub(1),
            (Action::Up, Pane::Detail) => self.ev_scroll = self.ev_scroll.saturating_sub(1),
            (Action::Down, Pane::Detail) => self.ev_scroll = self.ev_scroll.saturating_add(1),
            (Action::Top, Pane::Detail) => self.ev_scroll = 0,
            (Action::PageUp, _) => self.ev_scroll = self.ev_scroll.saturating_sub(page),
            (Action::PageDown, _) => self.ev_scroll = self.ev_scroll.saturating_add(page),
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Back, _) => {
                self.pane = Pane::List;
                self.screen = Screen::Main;
            }
            (Action::RerunAll, _) => return self.rerun("rerunning…".into(), false),
            (Action::Chromium, _) => return self.rerun("retesting in Chromium…".into(), true),
            (Action::Learn, _) => {
                self.learn_sel = self.learn.topic_for_step(self.selected_step_number());
                self.screen = Screen::Learn;
            }
            (Action::Tree, _) => self.screen = Screen::Explorer,
            (Action::Copy, _) => return self.copy_remediation(),
            (Action::CopyCurl, _) => return self.copy_curl(Some(self.ev_sel)),
            (Action::EditTarget, _) => self.edit_target(),
            _ => {}
        }
        Vec::new()
    }
}
