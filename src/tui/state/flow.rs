//! The flow overlay (`v`, issue 18): the path of one exchange at a time, from the report's
//! flows; arrows (and `j`/`k`, the mouse wheel) choose the exchange, Esc closes it.

use ratatui::crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};

use super::{AppState, Screen, Status};
use crate::flow::Flow;
use crate::tui::keymap::Action;

impl AppState {
    /// The flows of the finished diagnosis (empty while it runs or without one).
    pub fn flows(&self) -> &[Flow] {
        self.diag
            .as_ref()
            .filter(|d| !d.running())
            .and_then(|d| d.report.as_ref())
            .map_or(&[], |r| r.flows.as_slice())
    }

    /// `v`: the flow overlay, on the exchange selected in the evidence view, else the one
    /// the selected step cites, else the one the browser blocked.
    pub(super) fn open_flow(&mut self) {
        let flows = self.flows();
        if flows.is_empty() {
            self.status = Some(Status::info(
                "the flow is drawn when the diagnosis has finished",
            ));
            return;
        }
        let list = self.diag.as_ref().map_or(&[][..], |d| d.exchange_list());
        let chosen = if self.screen == Screen::Evidence {
            Some(self.evidence.list.sel)
        } else {
            self.cited_exchange()
        };
        let by_id = chosen
            .and_then(|i| list.get(i))
            .and_then(|x| flows.iter().position(|f| f.exchange == x.id));
        let blocked = flows.iter().position(|f| f.blocked_at.is_some());
        self.flow = Some(by_id.or(blocked).unwrap_or(0));
    }

    /// A key while the overlay is open: the arrows choose the exchange; help and quit work;
    /// any other key closes it.
    pub(super) fn flow_key(&mut self, key: &KeyEvent) {
        let (Some(sel), n) = (self.flow, self.flows().len()) else {
            return;
        };
        let last = n.saturating_sub(1);
        self.flow = match self.keymap.action(self.context(), key) {
            Some(Action::Up | Action::PrevPane | Action::PageUp) => Some(sel.saturating_sub(1)),
            Some(Action::Down | Action::NextPane | Action::PageDown) => Some((sel + 1).min(last)),
            Some(Action::Top) => Some(0),
            Some(Action::Bottom) => Some(last),
            Some(Action::Help) => {
                self.help = true;
                Some(sel)
            }
            Some(Action::Quit) => {
                self.quit = true;
                Some(sel)
            }
            _ => None,
        };
    }

    /// The wheel chooses the exchange; nothing beneath the overlay is clicked.
    pub(super) fn flow_mouse(&mut self, m: MouseEvent) {
        let n = self.flows().len();
        if let Some(sel) = self.flow {
            self.flow = Some(match m.kind {
                MouseEventKind::ScrollDown => (sel + 1).min(n.saturating_sub(1)),
                MouseEventKind::ScrollUp => sel.saturating_sub(1),
                _ => sel,
            });
        }
    }
}
