//! The main view's keys: the seven steps, the selected step's detail, reruns and copies.

use super::nav::list_detail_keys;
use super::{AppState, Effect, Pane, Screen, Status, STEP_COUNT};
use crate::report::Flavour;
use crate::tui::form::FormState;
use crate::tui::inspect;
use crate::tui::keymap::Action;
use crate::tui::layout;

/// The diagnosis screen's own state: the selected step, which pane has the keys, and how far
/// the step's detail is scrolled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepsView {
    /// Index into the seven steps.
    pub sel: usize,
    pub pane: Pane,
    pub scroll: u16,
}

impl StepsView {
    /// The selected step's number (1–7).
    pub fn step(&self) -> u8 {
        u8::try_from(self.sel.min(STEP_COUNT - 1) + 1).unwrap_or(1)
    }

    /// Selects step `number` (1–7), its detail from the top.
    pub fn select_step(&mut self, number: u8) {
        self.sel = usize::from(number.saturating_sub(1)).min(STEP_COUNT - 1);
        self.scroll = 0;
    }

    /// The list and detail keys; `max` is how far the detail scrolls. False for any other
    /// action.
    fn keys(&mut self, action: Action, detail: ratatui::layout::Rect, max: u16) -> bool {
        if list_detail_keys(
            action,
            self.pane,
            &mut self.sel,
            &mut self.scroll,
            STEP_COUNT,
            detail,
            || max,
        ) {
            return true;
        }
        match (action, self.pane) {
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Select, _) => self.pane = Pane::Detail,
            (Action::Back, Pane::Detail) => self.pane = Pane::List,
            _ => return false,
        }
        true
    }
}

impl AppState {
    pub fn selected_step_number(&self) -> u8 {
        self.steps.step()
    }

    pub(super) fn main_action(&mut self, action: Action) -> Vec<Effect> {
        let detail = layout::main(self.size).detail;
        let max = crate::tui::view::main_detail_max_scroll(self);
        if self.steps.keys(action, detail, max) {
            return Vec::new();
        }
        if let Some(effects) = self.diagnosis_keys(action) {
            return effects;
        }
        match action {
            Action::Back => self.go_back(),
            Action::Rerun => return self.rerun_step(self.selected_step_number()),
            Action::Evidence => self.open_evidence(),
            Action::Learn => self.open_learn(),
            Action::CopyCurl => return self.copy_curl(self.cited_exchange()),
            _ => {}
        }
        Vec::new()
    }

    /// The keys the main and the evidence views share: rerun, retest in Chromium, open the
    /// explorer, copy the selected step's remediation, edit the target. `None` when `action`
    /// is none of those.
    pub(super) fn diagnosis_keys(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::RerunAll => return Some(self.rerun("rerunning…".into(), false)),
            Action::Chromium => return Some(self.rerun("retesting in Chromium…".into(), true)),
            Action::Copy => return Some(self.copy_remediation()),
            Action::Preview => self.open_preview(),
            Action::Flow => self.open_flow(),
            Action::FixFormat => {
                self.fix_format = self.fix_format.next();
                self.status = Some(Status::info(format!(
                    "fixes shown as {} ({} for the next form)",
                    self.fix_format.label(),
                    self.keymap.key_for(Action::FixFormat)
                )));
            }
            Action::Apply => return Some(self.open_fix()),
            Action::WriteCopy => return Some(vec![Effect::WriteCopy]),
            Action::Tree => self.go(Screen::Explorer),
            Action::EditTarget => self.edit_target(),
            _ => return None,
        }
        Some(Vec::new())
    }

    /// `p`: the preview overlay, once the diagnosis has a report (it carries the preview).
    pub(super) fn open_preview(&mut self) {
        let ready = self
            .diag
            .as_ref()
            .and_then(|d| d.report.as_ref())
            .is_some_and(|r| r.preview.is_some());
        if ready {
            self.preview = Some(0);
        } else {
            self.status = Some(Status::info(
                "the preview is ready when the diagnosis has finished",
            ));
        }
    }

    /// `o`: the target form, filled with this diagnosis's target. When the form is what
    /// this diagnosis was started from, that is one level back; else it opens on top.
    pub(super) fn edit_target(&mut self) {
        if let Some(d) = &self.diag {
            let mut form = FormState::from_args(&d.args);
            form.focus = 0;
            self.form = form;
        }
        self.go(Screen::Form);
    }

    /// `l`: learn mode, on the topic of the selected step when there is a diagnosis.
    pub(super) fn open_learn(&mut self) {
        let height = self.learn_rows();
        let n = self.learning.text.topics.len();
        if self.diag.is_some() && self.screen != Screen::Demo {
            let topic = self
                .learning
                .text
                .topic_for_step(self.selected_step_number());
            self.learning.list.select(topic, n, height);
        }
        self.learning.scroll = 0;
        self.learning.pane = Pane::List;
        self.go(Screen::Learn);
    }

    /// The index of the first exchange the selected step's findings cite.
    pub(super) fn cited_exchange(&self) -> Option<usize> {
        let d = self.diag.as_ref()?;
        let list = d.exchange_list();
        let cited = d
            .report
            .as_ref()
            .and_then(|r| r.step(self.selected_step_number()))
            .and_then(|s| {
                s.findings
                    .iter()
                    .flat_map(|f| f.evidence.iter())
                    .find_map(|id| list.iter().position(|x| &x.id == id))
            });
        cited.or(if list.is_empty() { None } else { Some(0) })
    }

    pub(super) fn copy_remediation(&mut self) -> Vec<Effect> {
        let n = self.selected_step_number();
        let step = self
            .diag
            .as_ref()
            .and_then(|d| d.report.as_ref())
            .and_then(|r| r.step(n));
        let flavour = self.fix_format;
        // A comment in the flavour's language.
        let comment = if flavour == Flavour::Cdk { "//" } else { "#" };
        let mut text = String::new();
        let mut shown = Flavour::Cli;
        for f in step.iter().flat_map(|s| s.findings.iter()) {
            if let Some(r) = &f.remediation {
                match crate::report::snippet(r, flavour) {
                    Some(snippet) => {
                        shown = flavour;
                        text.push_str(&format!("{comment} {}: {}\n", f.code, r.text));
                        text.push_str(snippet);
                        if !snippet.ends_with('\n') {
                            text.push('\n');
                        }
                    }
                    None => {
                        text.push_str(&format!("# {}: {}\n", f.code, r.text));
                        for c in &r.commands {
                            text.push_str(c);
                            text.push('\n');
                        }
                    }
                }
            }
        }
        if text.is_empty() {
            self.status = Some(Status::error(format!(
                "step {n} has no remediation to copy"
            )));
            return Vec::new();
        }
        let what = match shown {
            Flavour::Cli => format!("the remediation of step {n}"),
            f => format!("the remediation of step {n} ({})", f.label()),
        };
        vec![Effect::Copy { text, what }]
    }

    pub(super) fn copy_curl(&mut self, index: Option<usize>) -> Vec<Effect> {
        let x = self
            .diag
            .as_ref()
            .and_then(|d| index.and_then(|i| d.exchange_list().get(i)));
        match x {
            Some(x) => vec![Effect::Copy {
                text: inspect::curl(x),
                what: format!("curl for {} ({})", x.id, x.kind.label()),
            }],
            None => {
                self.status = Some(Status::error("no exchange to copy yet"));
                Vec::new()
            }
        }
    }
}
