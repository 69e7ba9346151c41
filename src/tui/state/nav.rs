//! List navigation shared by the screens: moving a list's selection, and the keys of a list
//! with a detail pane.

use ratatui::layout::{Position, Rect};

use super::Pane;
use crate::tui::keymap::Action;

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

/// The row under the pointer in a bordered list (0: the first row inside the border).
pub(super) fn row_at(list: Rect, at: Position) -> usize {
    usize::from(at.y.saturating_sub(list.y + 1))
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
    fn row_at_counts_from_inside_the_border() {
        let list = Rect::new(0, 4, 30, 10);
        assert_eq!(row_at(list, Position::new(3, 5)), 0);
        assert_eq!(row_at(list, Position::new(3, 8)), 3);
        assert_eq!(row_at(list, Position::new(3, 4)), 0);
    }
}
