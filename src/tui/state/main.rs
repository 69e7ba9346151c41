//! The main view's keys: the seven steps, the selected step's detail, reruns and copies.

use super::nav::list_detail_keys;
use super::{AppState, Effect, Pane, Screen, Status, STEP_COUNT};
use crate::tui::form::FormState;
use crate::tui::inspect;
use crate::tui::keymap::Action;
use crate::tui::layout;

impl AppState {
    pub(super) fn selected_step_number(&self) -> u8 {
        u8::try_from(self.step_sel + 1).unwrap_or(1)
    }

    pub(super) fn main_action(&mut self, action: Action) -> Vec<Effect> {
        let detail = layout::main(self.size).detail;
        if list_detail_keys(
            action,
            self.pane,
            &mut self.step_sel,
            &mut self.detail_scroll,
            STEP_COUNT,
            detail,
        ) {
            return Vec::new();
        }
        if let Some(effects) = self.diagnosis_keys(action) {
            return effects;
        }
        match (action, self.pane) {
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Select, _) => self.pane = Pane::Detail,
            (Action::Back, Pane::Detail) => self.pane = Pane::List,
            (Action::Back, Pane::List) => self.edit_target(),
            (Action::Rerun, _) => return self.rerun_step(self.selected_step_number()),
            (Action::Evidence, _) => self.open_evidence(),
            (Action::Learn, _) => {
                self.learn_sel = self.learn.topic_for_step(self.selected_step_number());
                self.learn_scroll = 0;
                self.screen = Screen::Learn;
            }
            (Action::CopyCurl, _) => return self.copy_curl(self.cited_exchange()),
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
            Action::WriteCopy => return Some(vec![Effect::WriteCopy]),
            Action::Tree => self.screen = Screen::Explorer,
            Action::EditTarget => self.edit_target(),
            _ => return None,
        }
        Some(Vec::new())
    }

    pub(super) fn edit_target(&mut self) {
        if let Some(d) = &self.diag {
            let mut form = FormState::from_args(&d.args);
            form.focus = 0;
            self.form = form;
        }
        self.screen = Screen::Form;
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
        let mut text = String::new();
        for f in step.iter().flat_map(|s| s.findings.iter()) {
            if let Some(r) = &f.remediation {
                text.push_str(&format!("# {}: {}\n", f.code, r.text));
                for c in &r.commands {
                    text.push_str(c);
                    text.push('\n');
                }
            }
        }
        if text.is_empty() {
            self.status = Some(Status::error(format!(
                "step {n} has no remediation to copy"
            )));
            return Vec::new();
        }
        vec![Effect::Copy {
            text,
            what: format!("the remediation of step {n}"),
        }]
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
