//! Learn mode: its state and keys (the topics, and the selected topic's text).

use super::nav::ListNav;
use super::{AppState, Effect, Pane, Screen};
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::learn::Learn;

/// Learn mode's own state: its text, the selected topic, which pane has the keys, and how
/// far the topic's text is scrolled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearnView {
    /// The topics (assets/learn.toml).
    pub text: Learn,
    /// "New to CORS? press l" is still to be shown (learn mode was never opened).
    pub hint: bool,
    pub list: ListNav,
    pub pane: Pane,
    pub scroll: u16,
}

impl Default for LearnView {
    fn default() -> Self {
        LearnView {
            text: Learn::load(),
            hint: false,
            list: ListNav::default(),
            pane: Pane::default(),
            scroll: 0,
        }
    }
}

impl AppState {
    /// Rows of the topics list on screen.
    pub(super) fn learn_rows(&self) -> usize {
        usize::from(layout::two_pane(self.size).list.height.saturating_sub(2))
    }

    pub(super) fn learn_action(&mut self, action: Action) -> Vec<Effect> {
        let n = self.learning.text.topics.len();
        let height = self.learn_rows();
        let max = crate::tui::view::learn_detail_max_scroll(self);
        let page = u16::try_from(height).unwrap_or(u16::MAX).max(1);
        let view = &mut self.learning;
        match (action, view.pane) {
            (Action::Up | Action::Down | Action::Top | Action::Bottom, Pane::List)
            | (Action::PageUp | Action::PageDown, Pane::List) => {
                let before = view.list.sel;
                view.list.keys(action, n, height);
                if view.list.sel != before {
                    view.scroll = 0;
                }
            }
            (Action::Up, Pane::Detail) => view.scroll = view.scroll.saturating_sub(1),
            (Action::Down, Pane::Detail) => view.scroll = view.scroll.saturating_add(1).min(max),
            (Action::PageUp, Pane::Detail) => view.scroll = view.scroll.saturating_sub(page),
            (Action::PageDown, Pane::Detail) => {
                view.scroll = view.scroll.saturating_add(page).min(max)
            }
            (Action::Top, Pane::Detail) => view.scroll = 0,
            (Action::Bottom, Pane::Detail) => view.scroll = max,
            (Action::NextPane | Action::PrevPane, _) => view.pane = view.pane.toggle(),
            (Action::Back, _) => {
                view.pane = Pane::List;
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
