//! A template diagnosed in the TUI: the failing step's cause says where it is written.

use super::*;

#[tokio::test]
async fn the_cause_shows_its_template_line() {
    // Relative to the package root, where cargo runs the tests.
    let file = "tests/fixtures/templates/sam-options-cognito-authorizer.yaml";
    let args = TargetArgs {
        origin: Some(ORIGIN.into()),
        headers: vec![AUTH.into()],
        template: Some(file.into()),
        path: Some("/profile".into()),
        ..TargetArgs::default()
    };
    let plan = args.resolve(&Config::default()).expect("plan");
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    opts.source = Arc::new(|plan| app::config_source(plan).map_err(|e| e.0));
    let mut ui = Ui::new(160, 48, opts).await;
    let report = ui
        .state
        .diag
        .as_ref()
        .and_then(|d| d.report.as_ref())
        .expect("a report");
    assert_eq!(report.first_failing_step, Some(4));
    let line = std::fs::read_to_string(file)
        .expect("fixture")
        .lines()
        .position(|l| l.contains("DefaultAuthorizer:"))
        .expect("the line")
        + 1;
    let screen = ui.screen();
    let want = format!("At {file}:{line} (ProfileApi)");
    assert!(screen.contains(&want), "{want} not on\n{screen}");
}
