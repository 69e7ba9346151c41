//! Mouse clicks and the wheel, on every screen.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::nav::{list_move, row_at};
use super::{AppState, Pane, Screen, STEP_COUNT};
use crate::tui::keymap::Action;
use crate::tui::layout;

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
                        let row = row_at(areas.list, at);
                        if row < STEP_COUNT {
                            self.step_sel = row;
                            self.detail_scroll = 0;
                        }
                        self.pane = Pane::List;
                    } else {
                        let wheel = if scroll > 0 { Action::Down } else { Action::Up };
                        self.step_sel = list_move(wheel, self.step_sel, STEP_COUNT);
                    }
                } else if areas.detail.contains(at) {
                    self.pane = Pane::Detail;
                    self.detail_scroll = bump(self.detail_scroll);
                }
            }
            Screen::Evidence | Screen::Learn => {
                let areas = layout::two_pane(self.size);
                let evidence = self.screen == Screen::Evidence;
                if areas.list.contains(at) && scroll == 0 {
                    let row = row_at(areas.list, at);
                    if evidence {
                        let n = self.diag.as_ref().map_or(0, |d| d.exchange_list().len());
                        if row < n {
                            self.ev_sel = row;
                            self.ev_scroll = 0;
                        }
                    } else if row < self.learn.topics.len() {
                        self.learn_sel = row;
                        self.learn_scroll = 0;
                    }
                    self.pane = Pane::List;
                } else if areas.detail.contains(at) {
                    self.pane = Pane::Detail;
                    if evidence {
                        self.ev_scroll = bump(self.ev_scroll);
                    } else {
                        self.learn_scroll = bump(self.learn_scroll);
                    }
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
                let body = layout::body(self.size);
                if scroll == 0 && body.contains(at) {
                    let row = row_at(body, at);
                    if row < self.demo.len() {
                        self.demo_sel = row;
                    }
                }
            }
            Screen::Explorer => {
                let list = layout::explorer(self.size).list;
                let height = usize::from(list.height);
                if list.contains(at) && scroll == 0 {
                    let row = usize::from(at.y.saturating_sub(list.y));
                    let sel = self.explorer.offset + row;
                    if sel < self.explorer.visible.len() {
                        self.explorer.select(sel, height);
                    }
                } else if scroll > 0 {
                    self.explorer.select(self.explorer.sel + 3, height);
                } else if scroll < 0 {
                    self.explorer
                        .select(self.explorer.sel.saturating_sub(3), height);
                }
            }
        }
    }
}
