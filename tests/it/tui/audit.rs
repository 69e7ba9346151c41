//! The account audit screen (issue 17): progress, the table sorted and filtered, Enter into the
//! explorer (its configuration loaded by an offline diagnosis of the API), Enter on a route
//! (the seven steps), `p` (the preview), and the explorer's method detail pane.
//!
//! The report is built from the demo scenarios' APIs through the real whole-API rules
//! (`rules::check`), as `audit` builds it from the APIs it reads; the audit's own reads are
//! tested against moto in tests/aws. The explorer's configuration comes from the same
//! scenario (the source function answers the API id with it), so nothing leaves the process.

use super::*;

use cors_doctor::audit::{
    ApiRow, ApiStatus, AuditFinding, AuditOptions, AuditProgress, AuditReport, SCHEMA,
};
use cors_doctor::gateway::model::ApiKind;
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::tui::state::{AuditEvent, AuditPhase, Pane, SortKey};

const REGION: &str = "eu-west-1";

/// The scenarios audited, each an API of the account: (scenario, API id).
const APIS: &[(&str, &str)] = &[
    ("options-missing", "a1orders"),
    ("options-not-deployed", "b2product"),
    ("header-declared-not-mapped", "c3hdrs"),
    ("rest-healthy", "d4book"),
    ("http-api-default-route-jwt", "e5jwt"),
    ("http-api-healthy", "f6http"),
];

fn scenario_of(id: &str) -> Option<Scenario> {
    let (name, _) = APIS.iter().find(|(_, i)| *i == id)?;
    Scenario::by_name(name).ok()
}

/// The audit of those APIs: each read API checked by `rules::check` and mapped as `audit`
/// maps it; plus one API the account denies reading.
fn report() -> AuditReport {
    let mut report = AuditReport {
        schema: SCHEMA,
        ..AuditReport::default()
    };
    for (name, id) in APIS {
        let s = Scenario::by_name(name).unwrap();
        let mut api = s.api.clone();
        api.id = Some(id.to_string());
        api.region = Some(REGION.to_string());
        let options = cors_doctor::rules::Options {
            origins: vec![s.spec.request.origin.clone()],
            ..Default::default()
        };
        let found = cors_doctor::rules::check(&api, &Default::default(), &options);
        report.apis.push(ApiRow {
            api_id: id.to_string(),
            name: name.to_string(),
            kind: match api.kind {
                ApiKind::Rest => "rest",
                ApiKind::Http => "http",
            },
            region: REGION.to_string(),
            stages: api.stages.iter().map(|s| s.name.clone()).collect(),
            routes: api
                .resources
                .iter()
                .flat_map(|r| r.methods.iter())
                .filter(|m| m.http_method != "OPTIONS")
                .count(),
            status: ApiStatus::Ok,
            ..ApiRow::default()
        });
        report.findings.extend(
            found
                .into_iter()
                .map(|f| AuditFinding::from_rule(id, name, REGION, f)),
        );
    }
    report.apis.push(ApiRow {
        api_id: "z9denied".into(),
        name: "payments".into(),
        kind: "rest",
        region: REGION.into(),
        status: ApiStatus::Failed,
        error: Some(
            "AccessDeniedException: User is not authorized to perform apigateway:GET on /restapis/z9denied/resources"
                .into(),
        ),
        ..ApiRow::default()
    });
    report.aws_calls = 31;
    report.http_requests = 31;
    report.summarize();
    report
}

/// The UI on the form, with the scenario of an API id as its configuration source.
async fn audit_ui(w: u16, h: u16) -> Ui {
    let mut opts = options(StartMode::Form, TargetArgs::default());
    opts.source = Arc::new(|plan| {
        let Some(s) = plan.api_id.as_deref().and_then(scenario_of) else {
            return Ok(None);
        };
        let mut p = plan.clone();
        p.scenario = Some(Box::new(s));
        app::config_source(&p).map_err(|e| e.0)
    });
    let mut ui = Ui::new(w, h, opts).await;
    ui.state.audit.options = Some(AuditOptions {
        regions: vec![REGION.to_string()],
        ..AuditOptions::default()
    });
    ui
}

/// F3 on the form opens the audit and asks for it to run; the progress arrives, then the
/// report.
async fn audited(ui: &mut Ui) -> u64 {
    ui.press("f3").await;
    assert_eq!(ui.state.screen, Screen::Audit);
    let seq = *ui.audits.last().expect("the audit was started");
    assert!(matches!(ui.state.audit.phase, AuditPhase::Running { .. }));
    seq
}

fn progress(ui: &mut Ui, seq: u64, done: usize, total: usize, calls: u64, throttles: u64) {
    let event = AuditEvent::Progress(AuditProgress {
        done,
        total,
        calls,
        throttles,
    });
    let effects = ui.state.update(Msg::Audit { seq, event });
    assert!(effects.is_empty());
}

fn finish(ui: &mut Ui, seq: u64) {
    let event = AuditEvent::Finished(Ok(Box::new(report())));
    ui.state.update(Msg::Audit { seq, event });
}

/// The row of the table that is selected (`▶`).
fn selected_row(ui: &mut Ui) -> String {
    ui.screen()
        .lines()
        .find(|l| l.contains('▶'))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn audit_views_at_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let size = format!("{w}x{h}");
        let mut ui = audit_ui(w, h).await;
        let seq = audited(&mut ui).await;
        progress(&mut ui, seq, 3, 7, 19, 1);
        let screen = ui.screen();
        assert!(screen.contains("3 / 7"), "{screen}");
        assert!(screen.contains("Throttled 1"), "{screen}");
        snapshot(&format!("audit_progress_{size}"), &screen);

        finish(&mut ui, seq);
        assert_eq!(ui.state.audit.phase, AuditPhase::Done);
        // The default order: the API that could not be read first, then by errors.
        let first = ui.state.audit.selected().unwrap().api_id.clone();
        assert_eq!(first, "z9denied");
        snapshot(&format!("audit_table_{size}"), &ui.screen());

        // Sorted by name, reversed; filtered to the REST APIs with "o".
        ui.press("s S").await;
        assert_eq!(ui.state.audit.sort, SortKey::Name);
        assert!(ui.state.audit.reverse);
        ui.press("/").await;
        ui.type_text("rest o").await;
        ui.press("enter").await;
        assert!(!ui.state.audit.editing);
        snapshot(&format!("audit_sorted_filtered_{size}"), &ui.screen());
    }
}

#[tokio::test]
async fn sort_and_filter_change_the_rows() {
    let mut ui = audit_ui(100, 30).await;
    let seq = audited(&mut ui).await;
    finish(&mut ui, seq);
    let all = ui.state.audit.visible.len();
    assert_eq!(all, APIS.len() + 1);

    // Severity: the failed row, then the most errors first.
    let report = ui.state.audit.report.clone().unwrap();
    let errors: Vec<usize> = ui.state.audit.visible[1..]
        .iter()
        .map(|&i| report.apis[i].errors)
        .collect();
    let mut sorted = errors.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(errors, sorted);
    assert!(errors[0] > 0, "the worst API has errors: {errors:?}");
    assert_eq!(*errors.last().unwrap(), 0, "a healthy API has none");

    // s → by name; S → reversed.
    ui.press("s").await;
    let names: Vec<String> = ui
        .state
        .audit
        .visible
        .iter()
        .map(|&i| report.apis[i].name.clone())
        .collect();
    let mut by_name = names.clone();
    by_name.sort();
    assert_eq!(names, by_name);
    ui.press("S").await;
    let reversed: Vec<String> = ui
        .state
        .audit
        .visible
        .iter()
        .map(|&i| report.apis[i].name.clone())
        .collect();
    by_name.reverse();
    assert_eq!(reversed, by_name);

    // Every column in turn, back to severity.
    for _ in 0..8 {
        ui.press("s").await;
    }
    assert_eq!(ui.state.audit.sort, SortKey::Severity);

    // Type-to-filter on the id, the kind, the name; Esc clears.
    ui.press("/").await;
    ui.type_text("e5jwt").await;
    assert_eq!(ui.state.audit.visible.len(), 1);
    assert!(selected_row(&mut ui).contains("http-api-default-route-jwt"));
    ui.press("ctrl-u").await;
    ui.type_text("http").await;
    assert_eq!(ui.state.audit.visible.len(), 2);
    ui.press("esc").await;
    assert!(ui.state.audit.filter.is_empty());
    assert_eq!(ui.state.audit.visible.len(), all);
    assert_eq!(ui.state.screen, Screen::Audit);
    ui.press("/").await;
    ui.type_text("nothing-like-this").await;
    assert!(ui.screen().contains("No API matches 'nothing-like-this'."));
}

/// Filter, Enter → the explorer on the API; Enter on a route → its seven steps; `p` → the
/// preview of its fix; Esc back down to the audit.
#[tokio::test]
async fn enter_opens_the_api_in_the_explorer_and_diagnoses_a_route() {
    let mut ui = audit_ui(100, 30).await;
    let seq = audited(&mut ui).await;
    finish(&mut ui, seq);

    // The denied API says why instead of opening.
    assert_eq!(ui.state.audit.selected().unwrap().api_id, "z9denied");
    ui.press("enter").await;
    assert_eq!(ui.state.screen, Screen::Audit);
    let status = ui.state.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("AccessDenied"),
        "{status:?}"
    );

    ui.press("/").await;
    ui.type_text("a1orders").await;
    ui.press("enter enter").await;
    assert_eq!(ui.state.screen, Screen::Explorer);
    let d = ui.state.diag.as_ref().unwrap();
    assert!(!d.plan.shown().live, "opening an API sends nothing to it");
    assert_eq!(d.plan.shown().api_id.as_deref(), Some("a1orders"));
    // Opened on its most severe finding's route.
    assert_eq!(d.plan.shown().target.method, "POST");
    let tree = ui
        .state
        .explorer
        .tree
        .clone()
        .expect("the explorer has the API");
    assert!(tree.resources.iter().any(|p| p == "/orders"), "{tree:?}");
    let screen = ui.screen();
    assert!(screen.contains("/orders"), "{screen}");

    // Enter on a route: its diagnosis.
    ui.press("/").await;
    ui.type_text("orders post").await;
    ui.press("enter").await;
    assert_eq!(ui.state.screen, Screen::Main);
    let screen = ui.screen();
    let d = ui.state.diag.as_ref().unwrap();
    let report = d.report.as_ref().expect("the route was diagnosed");
    assert!(
        report.first_failing_step.is_some(),
        "OPTIONS is missing: {screen}"
    );

    // p: the preview of its fix.
    ui.press("p").await;
    assert!(ui.state.preview.is_some());
    let screen = ui.screen();
    assert!(screen.to_lowercase().contains("preview"), "{screen}");
    ui.press("esc esc").await;
    assert_eq!(ui.state.screen, Screen::Explorer);
    ui.press("esc esc").await;
    assert_eq!(ui.state.screen, Screen::Audit);
    // The audit sits on the form; opening it again shows the report held, without a new
    // audit.
    // Esc clears the filter first, then goes back.
    ui.press("esc").await;
    assert!(ui.state.audit.filter.is_empty());
    assert_eq!(ui.state.screen, Screen::Audit);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Form);
    let asked = ui.audits.len();
    ui.press("f3").await;
    assert_eq!(ui.state.screen, Screen::Audit);
    assert_eq!(ui.audits.len(), asked);
    assert!(ui.state.audit.report.is_some());
    // Another API: the explorer on top of the audit, on top of the form.
    ui.press("/ ctrl-u").await;
    ui.type_text("b2product").await;
    ui.press("enter enter").await;
    assert_eq!(ui.state.screen, Screen::Explorer);
    assert_eq!(ui.state.back, vec![Screen::Form, Screen::Audit]);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Audit);
}

/// The explorer's method detail: declared and mapped headers side by side, the predicted
/// preflight; side by side at 160×48, Tab at 80×24.
#[tokio::test]
async fn explorer_detail_pane_at_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let size = format!("{w}x{h}");
        let mut ui = audit_ui(w, h).await;
        let seq = audited(&mut ui).await;
        finish(&mut ui, seq);
        ui.press("/").await;
        ui.type_text("c3hdrs").await;
        ui.press("enter enter").await;
        assert_eq!(ui.state.screen, Screen::Explorer);
        ui.press("g").await;
        for _ in 0..20 {
            let on_options = ui
                .state
                .explorer
                .selected()
                .is_some_and(|(_, r)| r.method.as_deref() == Some("OPTIONS"));
            if on_options {
                break;
            }
            ui.press("j").await;
        }
        let sel = ui.state.explorer.selected().map(|(_, r)| r.method.clone());
        assert_eq!(sel, Some(Some("OPTIONS".to_string())));
        if w < 120 {
            assert!(!ui.screen().contains("Method detail"));
            ui.press("tab").await;
            assert_eq!(ui.state.explorer.pane, Pane::Detail);
        }
        let screen = ui.screen();
        assert!(screen.contains("Method detail"), "{screen}");
        assert!(screen.contains("not mapped"), "{screen}");
        snapshot(&format!("explorer_detail_{size}"), &screen);
        if w < 120 {
            ui.press("tab").await;
            assert_eq!(ui.state.explorer.pane, Pane::List);
            assert!(!ui.screen().contains("Method detail"));
        }
    }
}
