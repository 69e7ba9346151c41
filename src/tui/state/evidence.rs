//! The evidence view: its state and keys (the exchanges, and the selected one's request and
//! response).

use super::nav::{list_detail_keys, ListNav};
use super::{AppState, Effect, Pane, Screen};
use crate::tui::keymap::Action;
use crate::tui::layout;

/// The evidence screen's own state: the selected exchange, which pane has the keys, and how
/// far the exchange's detail is scrolled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvidenceView {
    pub list: ListNav,
    pub pane: Pane,
    pub scroll: u16,
}

impl AppState {
    /// Rows of the exchanges list on screen.
    pub(super) fn evidence_rows(&self) -> usize {
        usize::from(layout::two_pane(self.size).list.height.saturating_sub(2))
    }

    /// The exchanges (and, while running, the planned ones still out).
    fn evidence_len(&self) -> usize {
        self.diag
            .as_ref()
            .map_or(0, |d| d.exchange_list().len().max(d.planned.len()))
    }

    pub(super) fn open_evidence(&mut self) {
        let sel = self.cited_exchange().unwrap_or(0);
        let (len, height) = (self.evidence_len(), self.evidence_rows());
        self.evidence.list.select(sel, len, height);
        self.evidence.scroll = 0;
        self.evidence.pane = Pane::List;
        self.go(Screen::Evidence);
    }

    pub(super) fn evidence_action(&mut self, action: Action) -> Vec<Effect> {
        let (len, height) = (self.evidence_len(), self.evidence_rows());
        let detail = layout::two_pane(self.size).detail;
        let max = crate::tui::view::evidence_detail_max_scroll(self);
        let view = &mut self.evidence;
        let mut sel = view.list.sel;
        if list_detail_keys(
            action,
            view.pane,
            &mut sel,
            &mut view.scroll,
            len,
            detail,
            || max,
        ) {
            view.list.select(sel, len, height);
            return Vec::new();
        }
        if let Some(effects) = self.diagnosis_keys(action) {
            return effects;
        }
        let view = &mut self.evidence;
        match action {
            Action::NextPane | Action::PrevPane => view.pane = view.pane.toggle(),
            Action::Back => {
                view.pane = Pane::List;
                self.go_back();
            }
            Action::Learn => self.open_learn(),
            Action::CopyCurl => return self.copy_curl(Some(self.evidence.list.sel)),
            _ => {}
        }
        Vec::new()
    }
}
