//! The account audit screen (issue 17): the audit runs through [`crate::audit::audit`] (the
//! headless command's code, in the background: `Effect::StartAudit`), its progress arrives as
//! `Msg::Audit` events, and the finished report becomes a table of APIs × severity counts,
//! sorted (`s` cycles the column, `S` reverses) and filtered (`/`: name, id, Region, kind,
//! stage). Enter opens the selected API in the explorer: an offline diagnosis of the API
//! (`--api-id`, its Region, no URL: nothing is sent to the API, only the control-plane reads
//! `check --api-id` makes) on its most severe finding's route, which loads the configuration
//! the explorer lists; there Enter diagnoses a route and `p` previews its fix, as after any
//! diagnosis.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::nav::ListNav;
use super::{AppState, Effect, ExplorerState, Screen, Status};
use crate::audit::{ApiRow, ApiStatus, AuditOptions, AuditProgress, AuditReport};
use crate::plan::TargetArgs;
use crate::tui::keymap::Action;
use crate::tui::layout;

/// The origin an API is diagnosed with when neither the audit (`--origin`), its findings, the
/// form nor the config name one (said in the status line when used).
pub const FALLBACK_ORIGIN: &str = "https://example.com";

/// The column the table is sorted by (`s` cycles them in this order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// The riskiest first: APIs that could not be read, then by errors, warnings, info.
    #[default]
    Severity,
    Name,
    Id,
    Kind,
    Region,
    Routes,
    Errors,
    Warnings,
    Info,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        use SortKey::*;
        match self {
            Severity => Name,
            Name => Id,
            Id => Kind,
            Kind => Region,
            Region => Routes,
            Routes => Errors,
            Errors => Warnings,
            Warnings => Info,
            Info => Severity,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Severity => "severity",
            SortKey::Name => "name",
            SortKey::Id => "id",
            SortKey::Kind => "kind",
            SortKey::Region => "region",
            SortKey::Routes => "routes",
            SortKey::Errors => "errors",
            SortKey::Warnings => "warnings",
            SortKey::Info => "info",
        }
    }

    /// Orders two rows (ascending for text, descending for counts: the most first), ties
    /// broken by name, Region and id so the order is stable.
    fn cmp(self, a: &ApiRow, b: &ApiRow) -> std::cmp::Ordering {
        let tie = || {
            (a.name.to_lowercase(), &a.region, &a.api_id).cmp(&(
                b.name.to_lowercase(),
                &b.region,
                &b.api_id,
            ))
        };
        let first = match self {
            SortKey::Severity => risk(b).cmp(&risk(a)),
            SortKey::Name => std::cmp::Ordering::Equal,
            SortKey::Id => a.api_id.cmp(&b.api_id),
            SortKey::Kind => a.kind.cmp(b.kind),
            SortKey::Region => a.region.cmp(&b.region),
            SortKey::Routes => b.routes.cmp(&a.routes),
            SortKey::Errors => b.errors.cmp(&a.errors),
            SortKey::Warnings => b.warnings.cmp(&a.warnings),
            SortKey::Info => b.info.cmp(&a.info),
        };
        first.then_with(tie)
    }
}

/// Failed (not read) above everything, then errors, warnings, info; a partial read above a
/// complete one with the same counts.
fn risk(r: &ApiRow) -> (bool, usize, usize, usize, bool) {
    (
        r.status == ApiStatus::Failed,
        r.errors,
        r.warnings,
        r.info,
        r.status == ApiStatus::Partial,
    )
}

/// Where the audit is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AuditPhase {
    /// Nothing run yet.
    #[default]
    Idle,
    Running {
        seq: u64,
        progress: AuditProgress,
    },
    /// The report is in `AuditView::report`.
    Done,
    /// The audit could not run (credentials, setup): why.
    Failed(String),
}

/// What a running audit reports.
#[derive(Debug)]
pub enum AuditEvent {
    Progress(AuditProgress),
    Finished(Result<Box<AuditReport>, String>),
}

/// The audit screen's state.
#[derive(Clone, Debug, Default)]
pub struct AuditView {
    /// What the next audit runs with (`audit --tui`'s flags; else built from the form when
    /// the screen opens).
    pub options: Option<AuditOptions>,
    pub phase: AuditPhase,
    /// The last finished report (kept while an audit runs again).
    pub report: Option<AuditReport>,
    pub filter: String,
    /// Typing goes into the filter.
    pub editing: bool,
    pub sort: SortKey,
    pub reverse: bool,
    /// Indices into `report.apis` that pass the filter, in the sort order.
    pub visible: Vec<usize>,
    pub list: ListNav,
}

impl AuditView {
    pub fn running(&self) -> bool {
        matches!(self.phase, AuditPhase::Running { .. })
    }

    /// Recomputes the visible rows: filtered (every word in the name, id, Region, kind or a
    /// stage, case-insensitive), then sorted. On filter or sort changes only.
    pub fn refresh(&mut self) {
        let Some(report) = &self.report else {
            self.visible.clear();
            return;
        };
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let mut visible: Vec<usize> = report
            .apis
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let key = format!(
                    "{} {} {} {} {}",
                    r.name,
                    r.api_id,
                    r.region,
                    r.kind,
                    r.stages.join(" ")
                )
                .to_lowercase();
                words.iter().all(|w| key.contains(w.as_str()))
            })
            .map(|(i, _)| i)
            .collect();
        let sort = self.sort;
        visible.sort_by(|&a, &b| sort.cmp(&report.apis[a], &report.apis[b]));
        if self.reverse {
            visible.reverse();
        }
        self.visible = visible;
        self.list.sel = self.list.sel.min(self.visible.len().saturating_sub(1));
        self.list.offset = self.list.offset.min(self.list.sel);
    }

    /// The selected API's row.
    pub fn selected(&self) -> Option<&ApiRow> {
        let i = *self.visible.get(self.list.sel)?;
        self.report.as_ref()?.apis.get(i)
    }
}

impl AppState {
    fn audit_height(&self) -> usize {
        usize::from(layout::audit(self.size).list.height)
    }

    /// The options an audit opened from the form runs with: the form's profile, Region and
    /// origin, the command line's (or the config's) endpoint, the config's rate.
    fn audit_options_from_form(&self) -> AuditOptions {
        let args = self.form.to_args(&self.base_args);
        let origins = args
            .origin
            .as_deref()
            .and_then(|o| crate::target::parse_origin(o).ok())
            .into_iter()
            .collect();
        let aws = &self.config.aws;
        AuditOptions {
            regions: args
                .region
                .clone()
                .or(aws.region.clone())
                .into_iter()
                .collect(),
            profile: args.profile.clone().or(aws.profile.clone()),
            endpoint_url: args.endpoint_url.clone().or(aws.endpoint_url.clone()),
            rules: crate::rules::Options {
                origins,
                mode: args.mode.unwrap_or_default(),
            },
            quota: crate::aws::sdk::throttle::Quota::with_rate(
                aws.audit_rate.map(f64::from),
                aws.audit_burst.map(f64::from),
            ),
            ..AuditOptions::default()
        }
    }

    /// `A` / F3: the audit screen; the audit runs when none is held or running.
    pub(super) fn open_audit(&mut self) -> Vec<Effect> {
        self.go(Screen::Audit);
        if self.audit.report.is_none() && !self.audit.running() {
            return self.start_audit();
        }
        Vec::new()
    }

    /// Runs the audit (again), with the options held, else the form's.
    pub fn start_audit(&mut self) -> Vec<Effect> {
        let options = match &self.audit.options {
            Some(o) => o.clone(),
            None => {
                let o = self.audit_options_from_form();
                self.audit.options = Some(o.clone());
                o
            }
        };
        let seq = self.alloc_seq();
        self.audit.phase = AuditPhase::Running {
            seq,
            progress: AuditProgress::default(),
        };
        vec![Effect::StartAudit {
            seq,
            options: Box::new(options),
        }]
    }

    pub(super) fn on_audit(&mut self, seq: u64, event: AuditEvent) {
        let AuditPhase::Running { seq: running, .. } = self.audit.phase else {
            return;
        };
        if running != seq {
            return; // a replaced audit's late message
        }
        match event {
            AuditEvent::Progress(p) => {
                self.audit.phase = AuditPhase::Running { seq, progress: p };
            }
            AuditEvent::Finished(Ok(report)) => {
                let summary = format!(
                    "audit done: {} APIs · {} errors · {} warnings · {} not read",
                    report.summary.apis,
                    report.summary.errors,
                    report.summary.warnings,
                    report.summary.failed
                );
                self.audit.report = Some(*report);
                self.audit.phase = AuditPhase::Done;
                self.audit.list = ListNav::default();
                self.audit.refresh();
                if self.screen == Screen::Audit {
                    self.status = Some(Status::info(summary));
                }
            }
            AuditEvent::Finished(Err(e)) => {
                let e = crate::redact::escape_controls(&crate::redact::known(&e));
                let first = e.lines().next().unwrap_or_default().to_string();
                self.audit.phase = AuditPhase::Failed(e);
                self.status = Some(Status::error(first));
            }
        }
    }

    /// Typing into the audit's filter; `None` when the key is not an edit.
    pub(super) fn audit_filter_edit(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char(c) if !ctrl => self.audit.filter.push(c),
            KeyCode::Backspace => {
                self.audit.filter.pop();
            }
            KeyCode::Char('u') if ctrl => self.audit.filter.clear(),
            KeyCode::Enter => {
                self.audit.editing = false;
                return Some(Vec::new());
            }
            _ => return None,
        }
        self.audit.list = ListNav::default();
        self.audit.refresh();
        Some(Vec::new())
    }

    pub(super) fn audit_action(&mut self, action: Action) -> Vec<Effect> {
        let height = self.audit_height();
        let a = &mut self.audit;
        let n = a.visible.len();
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                a.list.keys(action, n, height);
            }
            Action::Filter => a.editing = true,
            Action::Back if a.editing || !a.filter.is_empty() => {
                a.editing = false;
                a.filter.clear();
                a.refresh();
                a.list.select(a.list.sel, a.visible.len(), height);
            }
            Action::Back => {
                a.editing = false;
                self.go_back();
            }
            Action::Sort => {
                a.sort = a.sort.next();
                a.refresh();
                self.status = Some(Status::info(format!(
                    "sorted by {}{}",
                    a.sort.label(),
                    if a.reverse { ", reversed" } else { "" }
                )));
            }
            Action::SortReverse => {
                a.reverse = !a.reverse;
                a.refresh();
            }
            Action::Rerun if !a.running() => return self.start_audit(),
            Action::Open => return self.open_selected_api(),
            Action::Learn => self.open_learn(),
            _ => {}
        }
        Vec::new()
    }

    /// Enter on an API: its offline diagnosis (its most severe finding's route, else `GET /`)
    /// loads its configuration, and the explorer opens on it (Esc comes back here).
    fn open_selected_api(&mut self) -> Vec<Effect> {
        let Some(row) = self.audit.selected().cloned() else {
            self.status = Some(Status::error("no API selected"));
            return Vec::new();
        };
        if row.status == ApiStatus::Failed {
            self.status = Some(Status::error(format!(
                "{} could not be read: {}",
                row.api_id,
                crate::redact::escape_controls(row.error.as_deref().unwrap_or("unknown"))
            )));
            return Vec::new();
        }
        let options = self.audit.options.clone().unwrap_or_default();
        let finding = self.audit.report.as_ref().and_then(|r| {
            r.findings
                .iter()
                .filter(|f| f.api_id == row.api_id && f.region == row.region)
                .find(|f| f.path.is_some())
        });
        let form = self.form.to_args(&self.base_args);
        let mut fallback = false;
        let origin = options
            .rules
            .origins
            .first()
            .cloned()
            .or_else(|| finding.and_then(|f| f.origin.clone()))
            .or(form.origin.clone())
            .or(self.config.request.origin.clone())
            .unwrap_or_else(|| {
                fallback = true;
                FALLBACK_ORIGIN.to_string()
            });
        let (path, method) = finding
            .and_then(|f| Some((f.path.clone()?, f.method.clone())))
            .unwrap_or_else(|| ("/".to_string(), None));
        let method = method.filter(|m| m != "ANY" && m != "OPTIONS");
        let stage = finding
            .and_then(|f| f.stage.clone())
            .or_else(|| options.stage.clone())
            .or_else(|| row.stages.first().cloned());
        let method = method.unwrap_or_else(|| "GET".to_string());
        // The request the audit judged the route with (`rules::synthesize`): a JSON body on
        // the methods that carry one.
        let mut headers = form.headers.clone();
        let body = if matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
            if !headers
                .iter()
                .any(|h| h.to_ascii_lowercase().starts_with("content-type:"))
            {
                headers.push("Content-Type: application/json".to_string());
            }
            Some("{}".to_string())
        } else {
            None
        };
        let args = TargetArgs {
            origin: Some(origin.clone()),
            method: Some(method),
            body,
            api_id: Some(row.api_id.clone()),
            stage,
            path: Some(crate::tui::explorer::fill_params(&path)),
            profile: options.profile.clone(),
            region: Some(row.region.clone()),
            endpoint_url: options.endpoint_url.clone(),
            mode: Some(options.rules.mode),
            headers,
            credentials: form.credentials.clone(),
            timeout: self.base_args.timeout,
            ..TargetArgs::default()
        };
        let plan = match args.resolve(&self.config) {
            Ok(p) => p,
            Err(e) => {
                self.status = Some(Status::error(format!(
                    "{} cannot be opened: {e}",
                    row.api_id
                )));
                return Vec::new();
            }
        };
        // The explorer on top of the audit: Esc comes back here. The screens of the diagnosis
        // this one replaces are dropped from the way back (they would show the new one).
        let mut back = self.back.clone();
        back.retain(|s| matches!(s, Screen::Form | Screen::Demo));
        back.push(Screen::Audit);
        let effects = self.start(plan, args);
        self.explorer = ExplorerState::default();
        self.back = back;
        self.screen = Screen::Explorer;
        if fallback {
            self.status = Some(Status::info(format!(
                "no origin given (audit --origin, the form or the config): diagnosing as {FALLBACK_ORIGIN}"
            )));
        }
        effects
    }
}
