//! Screen geometry, shared by the views (to draw) and `update` (to hit-test mouse clicks).

use ratatui::layout::{Constraint, Layout, Rect};

/// Wide enough to put the panes side by side.
pub const WIDE: u16 = 120;

/// The smallest terminal the screens are drawn in; below it a "terminal too small" screen
/// says what is needed (never a pane of zero rows).
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 20;

/// The header's rows: the breadcrumb, the target, and the API / AWS line.
pub const HEADER_ROWS: u16 = 3;

/// True when `size` is below [`MIN_WIDTH`]×[`MIN_HEIGHT`].
pub fn too_small(size: Rect) -> bool {
    size.width < MIN_WIDTH || size.height < MIN_HEIGHT
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub header: Rect,
    pub body: Rect,
    pub footer: Rect,
}

pub fn frame(size: Rect) -> Frame {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(HEADER_ROWS),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(size);
    Frame {
        header,
        body,
        footer,
    }
}

pub fn body(size: Rect) -> Rect {
    frame(size).body
}

pub fn form(size: Rect) -> Rect {
    frame(size).body
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Main {
    pub verdict: Rect,
    pub list: Rect,
    pub steps: StepsLayout,
    pub detail: Rect,
}

/// How the seven steps are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepsLayout {
    /// One row a step, with the full titles, in a bordered box.
    Framed,
    /// Two columns of short titles (steps 1–4, then 5–7), no border: a short terminal keeps
    /// its rows for the cause and the fix.
    Compact,
}

/// Rows of the compact steps list.
pub const COMPACT_STEP_ROWS: u16 = 4;

/// Rows the detail pane keeps below a framed steps list; with fewer (a narrow terminal of
/// less than about 30 rows), the steps list is compact.
const DETAIL_MIN_ROWS: u16 = 14;

/// The main view: a verdict line, the seven steps, the selected step's detail. Wide: the
/// steps on the left, the detail on the right. Narrow: stacked, and on a short terminal the
/// steps list is compact so that the detail keeps its rows.
pub fn main(size: Rect) -> Main {
    let body = frame(size).body;
    let verdict_height = if size.width >= WIDE { 1 } else { 2 };
    let [verdict, rest] =
        Layout::vertical([Constraint::Length(verdict_height), Constraint::Min(0)]).areas(body);
    let framed_h = crate::diagnose::STEPS.len() as u16 + 2;
    let (list, detail, steps) = if size.width >= WIDE {
        let [l, d] = Layout::horizontal([Constraint::Length(66), Constraint::Min(0)]).areas(rest);
        (l, d, StepsLayout::Framed)
    } else {
        let (h, steps) = if rest.height >= framed_h + DETAIL_MIN_ROWS {
            (framed_h, StepsLayout::Framed)
        } else {
            (COMPACT_STEP_ROWS, StepsLayout::Compact)
        };
        let [l, d] = Layout::vertical([Constraint::Length(h), Constraint::Min(0)]).areas(rest);
        (l, d, steps)
    };
    Main {
        verdict,
        list,
        steps,
        detail,
    }
}

/// The step (index 0–6) under `at` in the steps list, if any.
pub fn step_at(m: &Main, at: ratatui::layout::Position) -> Option<usize> {
    if !m.list.contains(at) {
        return None;
    }
    let row = usize::from(at.y - m.list.y);
    let i = match m.steps {
        StepsLayout::Framed => row.checked_sub(1)?,
        StepsLayout::Compact => {
            let right = at.x >= m.list.x + m.list.width / 2;
            row + if right {
                usize::from(COMPACT_STEP_ROWS)
            } else {
                0
            }
        }
    };
    (i < crate::diagnose::STEPS.len()).then_some(i)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Demo {
    /// The scenarios (bordered).
    pub list: Rect,
    /// The selected scenario's description (bordered).
    pub about: Rect,
}

/// The demo picker: the scenarios, and under them what the selected one is about.
pub fn demo(size: Rect) -> Demo {
    let body = frame(size).body;
    let [list, about] = Layout::vertical([Constraint::Min(3), Constraint::Length(5)]).areas(body);
    Demo { list, about }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TwoPane {
    pub list: Rect,
    pub detail: Rect,
}

/// A list on the left, its selected item's detail on the right.
pub fn two_pane(size: Rect) -> TwoPane {
    let body = frame(size).body;
    let list_width = if size.width >= WIDE { 44 } else { 28 };
    let [list, detail] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(body);
    TwoPane { list, detail }
}

/// A centered rectangle of at most `w`×`h`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explorer {
    /// The bordered box.
    pub block: Rect,
    /// The filter line (or how to filter).
    pub filter: Rect,
    /// The column titles.
    pub columns: Rect,
    /// The rows.
    pub list: Rect,
    /// The selected method's detail (bordered): beside the list on a wide terminal; on a
    /// narrow one the whole body, drawn instead of the list when the detail has the keys.
    pub detail: Rect,
    /// The detail is beside the list.
    pub side_by_side: bool,
}

/// The API explorer: one box with a filter line, column titles and the rows; the selected
/// method's detail beside it when the terminal is wide ([`WIDE`]).
pub fn explorer(size: Rect) -> Explorer {
    let body = frame(size).body;
    let side_by_side = size.width >= WIDE;
    let (block, detail) = if side_by_side {
        let [l, d] =
            Layout::horizontal([Constraint::Percentage(52), Constraint::Min(0)]).areas(body);
        (l, d)
    } else {
        (body, body)
    };
    let [filter, columns, list] = table(block);
    Explorer {
        block,
        filter,
        columns,
        list,
        detail,
        side_by_side,
    }
}

/// The region inside a one-cell border.
pub fn inside(area: Rect) -> Rect {
    Rect::new(
        area.x.saturating_add(1),
        area.y.saturating_add(1),
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}

/// A bordered table's rows: the filter line, the column titles and the list.
fn table(block: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inside(block))
}

/// The account audit screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Audit {
    /// The bordered box.
    pub block: Rect,
    /// The filter line (or the totals).
    pub filter: Rect,
    /// The column titles.
    pub columns: Rect,
    /// The rows.
    pub list: Rect,
    /// The selected API in a few lines (its error, gaps, worst finding).
    pub about: Rect,
}

/// Rows under the audit table for the selected API (more on a tall terminal).
fn audit_about_rows(size: Rect) -> u16 {
    if size.height >= 40 {
        6
    } else {
        3
    }
}

/// The audit: one box with a filter line, column titles and the rows; the selected API's
/// summary under it.
pub fn audit(size: Rect) -> Audit {
    let body = frame(size).body;
    let [block, about] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(audit_about_rows(size)),
    ])
    .areas(body);
    let [filter, columns, list] = table(block);
    Audit {
        block,
        filter,
        columns,
        list,
        about,
    }
}
