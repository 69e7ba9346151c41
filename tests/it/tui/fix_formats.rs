//! The remediation pane in every fix form: `f` cycles the AWS CLI commands, CloudFormation,
//! SAM, CDK and Terraform; `y` copies the form shown; snapshots at 80×24 and 160×48.

use super::*;

use cors_doctor::report::Flavour;

/// The snippet of the first failing step's cause in `flavour`, from the report the TUI holds.
fn cause_snippet(ui: &Ui, flavour: Flavour) -> String {
    let report = ui
        .state
        .diag
        .as_ref()
        .and_then(|d| d.report.as_ref())
        .expect("a report");
    let step = report
        .first_failing_step
        .and_then(|n| report.step(n))
        .expect("a failing step");
    let r = step
        .findings
        .iter()
        .find_map(|f| f.remediation.as_ref())
        .expect("a remediation");
    r.snippets
        .as_ref()
        .expect("snippets")
        .get(flavour)
        .to_string()
}

#[tokio::test]
pub(super) async fn f_cycles_the_fix_forms_and_y_copies_the_one_shown() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let (mut ui, _sim) = scenario_ui("options-missing", w, h).await;
        let size = format!("{w}x{h}");
        assert_eq!(ui.state.fix_format, Flavour::Cli);
        // Cli first: the commands, as before.
        ui.press("y").await;
        let copied = ui.copies.last().cloned().unwrap_or_default();
        assert!(copied.contains("aws apigateway put-method"), "{copied}");
        for (i, flavour) in [
            Flavour::Cloudformation,
            Flavour::Sam,
            Flavour::Cdk,
            Flavour::Terraform,
        ]
        .into_iter()
        .enumerate()
        {
            ui.press("f").await;
            assert_eq!(ui.state.fix_format, flavour);
            let screen = ui.screen();
            assert!(screen.contains(flavour.label()), "{flavour}:\n{screen}");
            if i == 0 || i == 3 {
                snapshot(&format!("fix_{}_{size}", flavour.as_str()), &screen);
            }
            ui.press("y").await;
            let copied = ui.copies.last().cloned().unwrap_or_default();
            let snippet = cause_snippet(&ui, flavour);
            assert!(
                !snippet.is_empty() && copied.contains(&snippet),
                "{flavour}: the copy is not the snippet shown:\n{copied}"
            );
            assert!(!copied.contains("$ aws"), "{copied}");
            let status = ui.state.status.as_ref().map(|s| s.text.clone());
            assert!(
                status
                    .as_deref()
                    .is_some_and(|s| s.contains(flavour.label())),
                "{status:?}"
            );
        }
        // And back to the commands.
        ui.press("f").await;
        assert_eq!(ui.state.fix_format, Flavour::Cli);
    }
}

/// The config's report.fix_format is the form the TUI starts with.
#[tokio::test]
pub(super) async fn the_config_chooses_the_first_form() {
    let started = SimCatalog
        .start("options-cognito-authorizer")
        .await
        .unwrap();
    let plan = started.plan.clone();
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), TargetArgs::default());
    opts.source = Arc::new(|plan| app::config_source(plan).map_err(|e| e.0));
    opts.config.report.fix_format = Some("sam".into());
    let mut ui = Ui::new(100, 30, opts).await;
    assert_eq!(ui.state.fix_format, Flavour::Sam);
    let screen = ui.screen();
    assert!(screen.contains("SAM (YAML)"), "{screen}");
    ui.press("y").await;
    let copied = ui.copies.last().cloned().unwrap_or_default();
    assert!(
        copied.contains("AddDefaultAuthorizerToCorsPreflight: false"),
        "{copied}"
    );
}
