//! Mouse clicks and the wheel, on every screen.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::nav::list_move;
use super::{AppState, Pane, Screen, STEP_COUNT};
use crate::tui::keymap::Action;
use crate::tui::layout;

/// The rows inside a bordered area.
fn inner(area: ratatui::layout::Rect) -> ratatui::layout::Rect {
    ratatui::layout::Rect::new(
        area.x.saturating_add(1),
        area.y.saturating_add(1),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}

/// A click selects the row under it, the wheel moves the selection, on a list of `len` rows
/// drawn `height` rows high in `rows`; whether the selection changed.
fn list_pane_mouse(
    list: &mut super::nav::ListNav,
    rows: ratatui::layout::Rect,
    at: Position,
    scroll: i32,
    len: usize,
    height: usize,
) -> bool {
    let before = list.sel;
    if scroll == 0 {
        if let Some(row) = list.row_at(rows, at, len) {
            list.select(row, len, height);
        }
    } else {
        let wheel = if scroll > 0 { Action::Down } else { Action::Up };
        list.keys(wheel, len, height);
    }
    list.sel != before
}

impl AppState {
    pub(super) fn on_mouse(&mut self, m: MouseEvent) {
        let at = Position::new(m.column, m.row);
        let scroll = match m.kind {
            MouseEventKind::ScrollDown => 3i32,
            MouseEventKind::ScrollUp => -3,
            MouseEventKind::Down(MouseButton::Left) => 0,
            _ => return,
        };
        let bump = |v: u16| -> u16 {
            if scroll >= 0 {
                v.saturating_add(scroll.unsigned_abs() as u16)
            } else {
                v.saturating_sub(scroll.unsigned_abs() as u16)
            }
        };
        match self.screen {
            Screen::Main => {
                let areas = layout::main(self.size);
                if areas.list.contains(at) {
                    if scroll == 0 {
                        if let Some(row) = layout::step_at(&areas, at) {
                            if row != self.steps.sel {
                                self.steps.sel = row;
                                self.steps.scroll = 0;
                            }
                        }
                        self.steps.pane = Pane::List;
                    } else {
                        let wheel = if scroll > 0 { Action::Down } else { Action::Up };
                        let moved = list_move(wheel, self.steps.sel, STEP_COUNT);
                        if moved != self.steps.sel {
                            self.steps.sel = moved;
                            self.steps.scroll = 0;
                        }
                    }
                } else if areas.detail.contains(at) {
                    self.steps.pane = Pane::Detail;
                    let max = crate::tui::view::main_detail_max_scroll(self);
                    self.steps.scroll = bump(self.steps.scroll).min(max);
                }
            }
            Screen::Evidence => {
                let areas = layout::two_pane(self.size);
                let len = self.diag.as_ref().map_or(0, |d| d.exchange_list().len());
                let height = self.evidence_rows();
                if areas.list.contains(at) {
                    let view = &mut self.evidence;
                    view.pane = Pane::List;
                    if list_pane_mouse(&mut view.list, inner(areas.list), at, scroll, len, height) {
                        view.scroll = 0;
                    }
                } else if areas.detail.contains(at) {
                    let max = crate::tui::view::evidence_detail_max_scroll(self);
                    let view = &mut self.evidence;
                    view.pane = Pane::Detail;
                    view.scroll = bump(view.scroll).min(max);
                }
            }
            Screen::Learn => {
                let areas = layout::two_pane(self.size);
                let len = self.learning.text.topics.len();
                let height = self.learn_rows();
                if areas.list.contains(at) {
                    let view = &mut self.learning;
                    view.pane = Pane::List;
                    if list_pane_mouse(&mut view.list, inner(areas.list), at, scroll, len, height) {
                        view.scroll = 0;
                    }
                } else if areas.detail.contains(at) {
                    let max = crate::tui::view::learn_detail_max_scroll(self);
                    let view = &mut self.learning;
                    view.pane = Pane::Detail;
                    view.scroll = bump(view.scroll).min(max);
                }
            }
            Screen::Form => {
                if self.form.confirm.is_some() {
                } else if scroll == 0 {
                    let line = crate::tui::view::form::line_at(self, at);
                    if let Some(slot) = line.and_then(|l| l.slot()) {
                        self.form.focus_on(slot);
                    }
                } else if scroll > 0 {
                    self.form.next();
                } else {
                    self.form.prev();
                }
            }
            Screen::Demo => {
                let list = inner(layout::demo(self.size).list);
                let height = self.demo_rows();
                let picker = &mut self.demo;
                let len = picker.entries.len();
                if list.contains(at) {
                    if scroll == 0 {
                        if let Some(row) = picker.list.row_at(list, at, len) {
                            picker.list.select(row, len, height);
                        }
                    } else {
                        let wheel = if scroll > 0 { Action::Down } else { Action::Up };
                        picker.list.keys(wheel, len, height);
                    }
                }
            }
            Screen::Explorer => {
                let list = layout::explorer(self.size).list;
                let height = usize::from(list.height);
                if self.explorer.confirm.is_some() {
                    // The question waits for Enter or Esc.
                } else if list.contains(at) && scroll == 0 {
                    let row = usize::from(at.y.saturating_sub(list.y));
                    let sel = self.explorer.list.offset + row;
                    if sel < self.explorer.visible.len() {
                        self.explorer.select(sel, height);
                    }
                } else if scroll > 0 {
                    self.explorer.select(self.explorer.list.sel + 3, height);
                } else if scroll < 0 {
                    self.explorer
                        .select(self.explorer.list.sel.saturating_sub(3), height);
                }
            }
            Screen::Audit => {
                let list = layout::audit(self.size).list;
                let height = usize::from(list.height);
                let a = &mut self.audit;
                let len = a.visible.len();
                if list.contains(at) && scroll == 0 {
                    if let Some(row) = a.list.row_at(list, at, len) {
                        a.list.select(row, len, height);
                    }
                } else if scroll != 0 {
                    let wheel = if scroll > 0 { Action::Down } else { Action::Up };
                    a.list.keys(wheel, len, height);
                }
            }
        }
    }
}
