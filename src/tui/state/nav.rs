//! List navigation shared by the screens: one list component (selection and the first row
//! on screen, both clamped), moving a selection, and the keys of a list with a detail pane.

use ratatui::layout::{Position, Rect};
use ratatui::widgets::ListState;

use super::Pane;
use crate::tui::keymap::Action;

/// A list's selection and the first row on screen: the one list component the screens
/// share (drawn with ratatui's `List` through [`ListNav::list_state`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListNav {
    pub sel: usize,
    /// The first row on screen.
    pub offset: usize,
}

impl ListNav {
    /// Selects row `sel` of `len` (clamped) and scrolls as little as possible to show it in
    /// `height` rows.
    pub fn select(&mut self, sel: usize, len: usize, height: usize) {
        self.sel = sel.min(len.saturating_sub(1));
        self.offset = super::visible_offset(self.offset, self.sel, height);
        // No blank rows below the last one when the list could fill the screen.
        self.offset = self.offset.min(len.saturating_sub(height.max(1)));
    }

    /// Up, Down, Top, Bottom, PageUp and PageDown; false for any other action.
    pub fn keys(&mut self, action: Action, len: usize, height: usize) -> bool {
        let page = height.max(1);
        let sel = match action {
            Action::Up | Action::Down | Action::Top | Action::Bottom => {
                list_move(action, self.sel, len)
            }
            Action::PageUp => self.sel.saturating_sub(page),
            Action::PageDown => self.sel.saturating_add(page),
            _ => return false,
        };
        self.select(sel, len, height);
        true
    }

    /// The row under `at` in `list` (its rows, no border), if there is one.
    pub fn row_at(&self, list: Rect, at: Position, len: usize) -> Option<usize> {
        if !list.contains(at) {
            return None;
        }
        let row = self.offset + usize::from(at.y - list.y);
        (row < len).then_some(row)
    }

    /// The state ratatui's `List` draws from.
    pub fn list_state(&self) -> ListState {
        ListState::default()
            .with_selected(Some(self.sel))
            .with_offset(self.offset)
    }
}

/// Where Up, Down, Top and Bottom move the selection `sel` of a list of `len` rows; any
/// other action leaves it where it is.
pub(super) fn list_move(action: Action, sel: usize, len: usize) -> usize {
    let last = len.saturating_sub(1);
    match action {
        Action::Up => sel.saturating_sub(1),
        Action::Down => (sel + 1).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => sel,
    }
}

/// The keys of a list with a detail pane (the steps, the exchanges). In the list, Up, Down,
/// Top and Bottom move the selection (and rewind the detail); in the detail, Up and Down
/// scroll it by a line, Top rewinds it and Bottom goes to its real end; PageUp and PageDown
/// page the detail from either pane. The scroll never passes `max` (the detail's last line
/// at the bottom of the pane): `max` is asked only when the detail scrolls. False when
/// `action` is none of those.
pub(super) fn list_detail_keys(
    action: Action,
    pane: Pane,
    sel: &mut usize,
    scroll: &mut u16,
    len: usize,
    detail: Rect,
    max: impl FnOnce() -> u16,
) -> bool {
    let page = detail.height.saturating_sub(2).max(1);
    match (action, pane) {
        (Action::Up | Action::Down | Action::Top | Action::Bottom, Pane::List) => {
            let moved = list_move(action, *sel, len);
            if moved != *sel {
                *scroll = 0;
            }
            *sel = moved;
        }
        (Action::Up, Pane::Detail) => *scroll = scroll.saturating_sub(1),
        (Action::Down, Pane::Detail) => *scroll = scroll.saturating_add(1).min(max()),
        (Action::Top, Pane::Detail) => *scroll = 0,
        (Action::Bottom, Pane::Detail) => *scroll = max(),
        (Action::PageUp, _) => *scroll = scroll.saturating_sub(page),
        (Action::PageDown, _) => *scroll = scroll.saturating_add(page).min(max()),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_move_stays_in_the_list() {
        assert_eq!(list_move(Action::Up, 0, 7), 0);
        assert_eq!(list_move(Action::Up, 3, 7), 2);
        assert_eq!(list_move(Action::Down, 3, 7), 4);
        assert_eq!(list_move(Action::Down, 6, 7), 6);
        assert_eq!(list_move(Action::Top, 4, 7), 0);
        assert_eq!(list_move(Action::Bottom, 0, 7), 6);
        assert_eq!(list_move(Action::Down, 0, 0), 0);
        assert_eq!(list_move(Action::Bottom, 0, 0), 0);
        assert_eq!(list_move(Action::Select, 3, 7), 3);
    }

    #[test]
    fn list_detail_keys_move_in_the_list_and_scroll_in_the_detail() {
        let detail = Rect::new(0, 0, 40, 12);
        let keys = |action, pane, sel: &mut usize, scroll: &mut u16| {
            list_detail_keys(action, pane, sel, scroll, 7, detail, || 20)
        };
        let (mut sel, mut scroll) = (2, 5);
        assert!(keys(Action::Down, Pane::List, &mut sel, &mut scroll));
        assert_eq!(
            (sel, scroll),
            (3, 0),
            "another step: its detail from the top"
        );
        scroll = 5;
        assert!(keys(Action::Bottom, Pane::List, &mut sel, &mut scroll));
        assert_eq!((sel, scroll), (6, 0));
        scroll = 5;
        assert!(keys(Action::Down, Pane::List, &mut sel, &mut scroll));
        assert_eq!(
            (sel, scroll),
            (6, 5),
            "at the end already: the detail stays"
        );
        assert!(keys(Action::Up, Pane::Detail, &mut sel, &mut scroll));
        assert_eq!((sel, scroll), (6, 4));
        assert!(keys(Action::PageDown, Pane::List, &mut sel, &mut scroll));
        assert_eq!(
            scroll, 14,
            "a page is the detail's height inside its border"
        );
        assert!(keys(Action::PageDown, Pane::Detail, &mut sel, &mut scroll));
        assert_eq!(scroll, 20, "never past the real end");
        assert!(keys(Action::Down, Pane::Detail, &mut sel, &mut scroll));
        assert_eq!(scroll, 20, "j at the end stays at the end");
        assert!(keys(Action::Top, Pane::Detail, &mut sel, &mut scroll));
        assert_eq!((sel, scroll), (6, 0));
        assert!(keys(Action::Bottom, Pane::Detail, &mut sel, &mut scroll));
        assert_eq!((sel, scroll), (6, 20), "G and End reach the real end");
        assert!(!keys(Action::Select, Pane::List, &mut sel, &mut scroll));
    }

    #[test]
    fn list_nav_keeps_the_selection_on_screen_and_in_the_list() {
        let mut nav = ListNav::default();
        assert!(nav.keys(Action::Bottom, 15, 5));
        assert_eq!((nav.sel, nav.offset), (14, 10));
        assert!(nav.keys(Action::Up, 15, 5));
        assert_eq!((nav.sel, nav.offset), (13, 10), "no scroll while on screen");
        assert!(nav.keys(Action::PageUp, 15, 5));
        assert_eq!((nav.sel, nav.offset), (8, 8));
        assert!(nav.keys(Action::PageDown, 15, 5));
        assert!(nav.keys(Action::PageDown, 15, 5));
        assert_eq!((nav.sel, nav.offset), (14, 10), "clamped to the last row");
        assert!(nav.keys(Action::Top, 15, 5));
        assert_eq!((nav.sel, nav.offset), (0, 0));
        // A list that shrank: the selection comes back into it.
        nav.select(40, 3, 5);
        assert_eq!((nav.sel, nav.offset), (2, 0));
        assert!(!nav.keys(Action::Select, 3, 5));
        assert_eq!(
            nav.row_at(Rect::new(0, 2, 10, 5), Position::new(1, 4), 3),
            Some(2)
        );
        assert_eq!(
            nav.row_at(Rect::new(0, 2, 10, 5), Position::new(1, 5), 3),
            None
        );
    }
}
