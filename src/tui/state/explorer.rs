//! The API explorer's state and keys: the filtered rows, the selection, the filter line, and
//! Enter to diagnose the selected method. A method that can change data (POST, PUT, PATCH,
//! DELETE…) is really sent, twice, so Enter on it first asks the question the target form asks
//! ([`Confirm`]); only Enter then sends it, Esc goes back to the explorer.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::nav::ListNav;
use super::{AppState, Effect, Status};
use crate::plan::TargetArgs;
use crate::runner::SealedPlan;
use crate::tui::explorer::{ApiTree, Row};
use crate::tui::form::Confirm;
use crate::tui::keymap::Action;
use crate::tui::layout;

/// The API explorer: the loaded API's rows, the filter, and which slice of the (filtered)
/// rows is on screen. Rebuilt only when a run loads a configuration.
#[derive(Clone, Debug, Default)]
pub struct ExplorerState {
    /// `None` until a run loads a configuration.
    pub tree: Option<ApiTree>,
    pub filter: String,
    /// Typing goes into the filter.
    pub editing: bool,
    /// Indices into `tree.rows` that pass the filter, in order.
    pub visible: Vec<u32>,
    /// The selection and the first row on screen, as indices into `visible` (the list
    /// component the other screens use too).
    pub list: ListNav,
    /// The run Enter chose, waiting for the user to confirm sending a method that can change
    /// data.
    pub confirm: Option<PendingRun>,
    /// The configuration the tree was built from (for the detail pane).
    pub api: Option<std::sync::Arc<crate::gateway::model::Api>>,
    /// Which pane has the keys: the rows, or the selected method's detail (Tab; on a narrow
    /// terminal the detail is drawn instead of the rows).
    pub pane: super::Pane,
    /// How far the detail is scrolled.
    pub detail_scroll: u16,
}

/// A diagnosis the explorer holds back until the user confirms it.
#[derive(Clone)]
pub struct PendingRun {
    pub question: Confirm,
    plan: SealedPlan,
    args: TargetArgs,
}

impl std::fmt::Debug for PendingRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The plan is sealed: only the (masked) question is shown.
        f.debug_struct("PendingRun")
            .field("question", &self.question)
            .finish_non_exhaustive()
    }
}

impl ExplorerState {
    /// A new API (a new run): keeps the filter, and the selection when the same row exists.
    pub fn set_tree(&mut self, tree: ApiTree) {
        let keep = self
            .selected()
            .map(|(t, r)| (t.path_of(r).to_string(), r.method.clone()));
        self.tree = Some(tree);
        self.refilter();
        let Some(tree) = &self.tree else { return };
        let found = keep.and_then(|(path, method)| {
            self.visible.iter().position(|&i| {
                tree.rows
                    .get(i as usize)
                    .is_some_and(|r| r.method == method && tree.path_of(r) == path)
            })
        });
        let current = tree
            .current
            .and_then(|c| self.visible.iter().position(|&i| i == c));
        self.list.sel = found.or(current).unwrap_or(0);
    }

    /// Recomputes the visible rows (on every filter change, never per frame).
    pub fn refilter(&mut self) {
        self.visible = self
            .tree
            .as_ref()
            .map(|t| t.filter(&self.filter))
            .unwrap_or_default();
        self.list.sel = self.list.sel.min(self.visible.len().saturating_sub(1));
        self.list.offset = self.list.offset.min(self.list.sel);
    }

    pub fn selected(&self) -> Option<(&ApiTree, &Row)> {
        let tree = self.tree.as_ref()?;
        let i = *self.visible.get(self.list.sel)?;
        Some((tree, tree.rows.get(i as usize)?))
    }

    pub(super) fn select(&mut self, sel: usize, height: usize) {
        self.list.select(sel, self.visible.len(), height);
    }
}

/// The first row on screen so that `sel` is visible, moving as little as possible.
pub fn visible_offset(offset: usize, sel: usize, height: usize) -> usize {
    let height = height.max(1);
    if sel < offset {
        sel
    } else if sel >= offset + height {
        sel + 1 - height
    } else {
        offset
    }
}

impl AppState {
    /// Rows of the explorer's list on screen.
    fn explorer_height(&self) -> usize {
        usize::from(layout::explorer(self.size).list.height)
    }

    /// Typing into the explorer's filter; `None` when the key is not an edit.
    pub(super) fn filter_edit(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char(c) if !ctrl => self.explorer.filter.push(c),
            KeyCode::Backspace => {
                self.explorer.filter.pop();
            }
            KeyCode::Char('u') if ctrl => self.explorer.filter.clear(),
            _ => return None,
        }
        self.explorer.list = ListNav::default();
        self.explorer.refilter();
        // The first matching method, so that Enter diagnoses it.
        let first_method = self.explorer.tree.as_ref().and_then(|t| {
            self.explorer.visible.iter().position(|&i| {
                t.rows
                    .get(i as usize)
                    .is_some_and(|r| r.method.as_deref().is_some_and(|m| m != "OPTIONS"))
            })
        });
        let height = self.explorer_height();
        self.explorer.select(first_method.unwrap_or(0), height);
        Some(Vec::new())
    }

    pub(super) fn explorer_action(&mut self, action: Action) -> Vec<Effect> {
        // While it asks, only Enter (send) and Esc (do not) mean anything.
        if self.explorer.confirm.is_some() {
            return match action {
                Action::Select => match self.explorer.confirm.take() {
                    Some(p) => self.start_remembered(p.plan, p.args),
                    None => Vec::new(),
                },
                Action::Back => {
                    self.explorer.confirm = None;
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        let height = self.explorer_height();
        if self.explorer.pane == super::Pane::Detail {
            let max = crate::tui::view::explorer_detail_max_scroll(self);
            let ex = &mut self.explorer;
            match action {
                Action::Down => ex.detail_scroll = ex.detail_scroll.saturating_add(1).min(max),
                Action::Up => ex.detail_scroll = ex.detail_scroll.saturating_sub(1),
                Action::PageDown => ex.detail_scroll = ex.detail_scroll.saturating_add(10).min(max),
                Action::PageUp => ex.detail_scroll = ex.detail_scroll.saturating_sub(10),
                Action::Top => ex.detail_scroll = 0,
                Action::Bottom => ex.detail_scroll = max,
                Action::NextPane | Action::PrevPane | Action::Back => {
                    ex.pane = super::Pane::List;
                }
                Action::Select => {
                    ex.pane = super::Pane::List;
                    return self.diagnose_selected();
                }
                Action::Learn => self.open_learn(),
                Action::Tree => self.go_back(),
                _ => {}
            }
            return Vec::new();
        }
        let ex = &mut self.explorer;
        let n = ex.visible.len();
        match action {
            Action::NextPane | Action::PrevPane => {
                ex.pane = super::Pane::Detail;
                ex.detail_scroll = 0;
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                ex.list.keys(action, n, height);
                ex.detail_scroll = 0;
            }
            Action::Filter => ex.editing = true,
            Action::Back if ex.editing || !ex.filter.is_empty() => {
                ex.editing = false;
                ex.filter.clear();
                ex.refilter();
                ex.select(ex.list.sel, height);
            }
            Action::Back | Action::Tree => {
                ex.editing = false;
                self.go_back();
            }
            Action::Select => return self.diagnose_selected(),
            Action::Learn => self.open_learn(),
            _ => {}
        }
        Vec::new()
    }

    /// Enter in the explorer: diagnoses the selected method with the same origin, headers
    /// and credentials; asks first when the method can change data and is really sent.
    fn diagnose_selected(&mut self) -> Vec<Effect> {
        let Some(d) = &self.diag else {
            return Vec::new();
        };
        let Some((tree, row)) = self.explorer.selected() else {
            self.status = Some(Status::error("nothing selected to diagnose"));
            return Vec::new();
        };
        let derived = d
            .plan
            .derive(|raw| Ok::<_, std::convert::Infallible>(tree.plan_for(row, raw, &d.args)));
        let (plan, args) = match derived {
            Ok(x) => x,
            Err(never) => match never {},
        };
        self.explorer.editing = false;
        if let Some(question) = Confirm::for_plan(plan.shown()) {
            self.explorer.confirm = Some(PendingRun {
                question,
                plan,
                args,
            });
            return Vec::new();
        }
        self.start_remembered(plan, args)
    }
}
