//! The main view's keys: the seven steps, the selected step's detail, reruns and copies.

use super::{AppState, Effect, Pane, Screen, Status};
use crate::tui::form::FormState;
use crate::tui::inspect;
use crate::tui::keymap::Action;
use crate::tui::layout;

impl AppState {
    pub(super) fn selected_step_number(&self) -> u8 {
        u8::try_from(self.step_sel + 1).unwrap_or(1)
    }

    pub(super) fn main_action(&mut self, action: Action) -> Vec<Effect> {
        let page = layout::main(self.size)
            .detail
            .height
            .saturating_sub(2)
            .max(1);
        match (action, self.pane) {
            (Action::Up, Pane::List) => {
                self.step_sel = self.step_sel.saturating_sub(1);
                self.detail_scroll = 0;
            }
            (Action::Down, Pane::List) => {
                self.step_sel = (self.step_sel + 1).min(6);
                self.detail_scroll = 0;
            }
            (Action::Top, Pane::List) => self.step_sel = 0,
            (Action::Bottom, Pane::List) => self.step_sel = 6,
            (Action::Up, Pane::Detail) => self.detail_scroll = self.detail_scroll.saturating_sub(1),
            (Action::Down, Pane::Detail) => {
                self.detail_scroll = self.detail_scroll.saturating_add(1)
            }
            (Action::PageUp, _) => self.detail_scroll = self.detail_scroll.saturating_sub(page),
            (Action::PageDown, _) => self.detail_scroll = self.detail_scroll.saturating_add(page),
            (Action::Top, Pane::Detail) => self.detail_scroll = 0,
            (Action::NextPane | Action::PrevPane, _) => self.pane = self.pane.toggle(),
            (Action::Select, _) => self.pane = Pane::Detail,
            (Action::Back, Pane::Detail) => self.pane = Pane::List,
            (Action::Back, Pane::List) | (Action::EditTarget, _) => self.edit_target(),
            (Action::Rerun, _) => {
                let n = self.selected_step_number();
                return self.rerun(
                    format!("rerunning the whole diagnosis (step {n} needs its evidence)…"),
                    false,
                );
            }
            (Action::RerunAll, _) => return self.rerun("rerunning…".into(), false),
            (Action::Chromium, _) => return self.rerun("retesting in Chromium…".into(), true),
            (Action::Evidence, _) => self.open_evidence(),
            (Action::Learn, _) => {
                self.learn_sel = self.learn.topic_for_step(self.selected_step_number());
                self.learn_scroll = 0;
                self.screen = Screen::Learn;
            }
            (Action::Tree, _) => self.screen = Screen::Explorer,
            (Action::Copy, _) => return self.copy_remediation(),
            (Action::CopyCurl, _) => return self.copy_curl(self.cited_exchange()),
            _ => {}
        }
        Vec::new()
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
            self.status = Some(Status {
                text: format!("step {n} has no remediation to copy"),
                error: true,
            });
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
                self.status = Some(Status {
                    text: "no exchange to copy yet".into(),
                    error: true,
                });
                Vec::new()
            }
        }
    }
}
