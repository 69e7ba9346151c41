//! The header's AWS state (credentials, profile, configuration) and sources that are slow or stuck.

use super::*;

/// An AWS configuration source without valid credentials (what the SDK source says then).
pub(super) struct NoCredentials;

impl cors_doctor::aws::ConfigSource for NoCredentials {
    fn kind(&self) -> cors_doctor::evidence::ConfigSourceKind {
        cors_doctor::evidence::ConfigSourceKind::Sdk
    }
    fn load<'a>(
        &'a self,
        _: &'a cors_doctor::aws::ConfigRequest,
    ) -> cors_doctor::aws::BoxFuture<
        'a,
        Result<cors_doctor::aws::LoadedConfig, cors_doctor::aws::Unavailable>,
    > {
        Box::pin(async {
            Err(cors_doctor::aws::Unavailable(
                "not reached: the credentials are checked first".to_string(),
            ))
        })
    }
    fn preflight(
        &self,
    ) -> cors_doctor::aws::BoxFuture<'_, Result<(), cors_doctor::aws::CredentialsError>> {
        let options = cors_doctor::aws::sdk::SdkOptions {
            profile: Some("dev".into()),
            ..Default::default()
        };
        Box::pin(async move {
            Err(cors_doctor::aws::sdk::credentials_help(
                &options,
                "the AWS credentials have expired",
            ))
        })
    }
}

/// Without valid AWS credentials the TUI stops before probing, as `check` does (exit 2), and
/// says so where it is seen: the header's AWS line with the command to run, and the detail.
#[tokio::test]
pub(super) async fn a_credentials_error_is_in_the_header_with_the_command() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    opts.source = Arc::new(|_| Ok(Some(Arc::new(NoCredentials))));
    let mut ui = Ui::new(80, 24, opts).await;
    let d = ui.state.diag.as_ref().unwrap();
    assert!(
        matches!(&d.phase, tui::state::Phase::Failed(e) if e.contains("no valid AWS credentials")),
        "{:?}",
        d.phase
    );
    assert!(
        d.exchanges.is_empty(),
        "nothing is probed without credentials"
    );
    let screen = ui.screen();
    let header: Vec<&str> = screen.lines().take(3).collect();
    assert_eq!(
        header[2], "AWS: no valid credentials — run aws configure --profile dev",
        "{screen}"
    );
    assert!(
        screen.contains("Fix run aws configure --profile dev, then R to rerun"),
        "{screen}"
    );
    assert!(screen.contains("credentials have expired"), "{screen}");
}

/// With AWS on, the header names the profile and the region, and whether the configuration
/// was read.
#[tokio::test]
pub(super) async fn the_header_shows_the_aws_profile_and_the_configuration_state() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let mut args = target(&url);
    args.profile = Some("dev".into());
    args.region = Some("eu-west-1".into());
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(160, 48, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    let screen = ui.screen();
    let line = screen.lines().nth(2).unwrap_or_default();
    assert!(line.contains("config not read (probes only)"), "{screen}");
    assert!(line.contains("AWS profile dev, eu-west-1"), "{screen}");
    // Once the run knows who the lookups ran as (STS), the account is there too.
    if let Some(r) = ui.state.diag.as_mut().and_then(|d| d.report.as_mut()) {
        r.aws_identity = Some("account 123456789012".into());
    }
    let screen = ui.screen();
    let line = screen.lines().nth(2).unwrap_or_default();
    assert!(
        line.contains("AWS profile dev, eu-west-1, account 123456789012"),
        "{screen}"
    );

    let mut args = target(&url);
    args.no_aws = true;
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(160, 48, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    let screen = ui.screen();
    assert!(
        screen
            .lines()
            .nth(2)
            .unwrap_or_default()
            .contains("AWS off (--no-aws)"),
        "{screen}"
    );
}

/// Opening the configuration source (an --openapi export can be 64 MB) happens off the event
/// loop: starting a run returns at once, and the loop keeps taking keys meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn a_slow_configuration_source_does_not_block_the_loop() {
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    opts.source = Arc::new(|_| {
        std::thread::sleep(Duration::from_millis(800));
        Ok(None)
    });
    let (mut state, effects) = tui::initial_state(&opts);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
    let started = std::time::Instant::now();
    for e in effects {
        jobs.apply(e);
    }
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "starting a run waited for the source: {:?}",
        started.elapsed()
    );
    // The run still completes, once the source is open.
    let finished = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(msg) = rx.recv().await {
            let end = matches!(
                &msg,
                Msg::Run {
                    event: runner::RunEvent::Finished(_),
                    ..
                }
            );
            state.update(msg);
            if end {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(finished, Ok(true));
    assert!(started.elapsed() >= Duration::from_millis(800));
}

/// A part of a run whose teardown blocks (as Chromium's does: it waits for the process to
/// go, then removes the profile directory).
pub(super) struct SlowTeardown(Arc<std::sync::atomic::AtomicBool>);

impl Drop for SlowTeardown {
    fn drop(&mut self) {
        std::thread::sleep(Duration::from_millis(800));
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A configuration source whose load never ends and holds a [`SlowTeardown`].
pub(super) struct StuckSource {
    entered: Arc<std::sync::atomic::AtomicBool>,
    torn_down: Arc<std::sync::atomic::AtomicBool>,
}

impl cors_doctor::aws::ConfigSource for StuckSource {
    fn kind(&self) -> cors_doctor::evidence::ConfigSourceKind {
        cors_doctor::evidence::ConfigSourceKind::Openapi
    }
    fn load<'a>(
        &'a self,
        _: &'a cors_doctor::aws::ConfigRequest,
    ) -> cors_doctor::aws::BoxFuture<
        'a,
        Result<cors_doctor::aws::LoadedConfig, cors_doctor::aws::Unavailable>,
    > {
        let guard = SlowTeardown(self.torn_down.clone());
        self.entered
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async move {
            let _guard = guard;
            std::future::pending().await
        })
    }
}

/// Cancelling a run (R while it runs) never waits for its teardown on the UI's loop: the run
/// is a task, dropped where the runtime runs it, so a slow teardown (Chromium's) does not
/// freeze the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn cancelling_a_run_never_waits_for_its_teardown() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let entered = Arc::new(AtomicBool::new(false));
    let torn_down = Arc::new(AtomicBool::new(false));
    let mut opts = options(StartMode::Diagnose(Box::new(plan)), args);
    let (e, t) = (entered.clone(), torn_down.clone());
    opts.source = Arc::new(move |_| {
        Ok(Some(Arc::new(StuckSource {
            entered: e.clone(),
            torn_down: t.clone(),
        })))
    });
    let (mut state, effects) = tui::initial_state(&opts);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut jobs = tui::Jobs::new(tx, opts.source.clone(), opts.catalog.clone(), None);
    for e in effects {
        jobs.apply(e);
    }
    let waited = std::time::Instant::now();
    while !entered.load(Ordering::SeqCst) {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "the run never loaded"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // R: the pending run is cancelled and a new one starts.
    let effects = state.update(Msg::Key(KeyEvent::new(
        ratatui::crossterm::event::KeyCode::Char('R'),
        KeyModifiers::SHIFT,
    )));
    assert!(!effects.is_empty());
    let started = std::time::Instant::now();
    for e in effects {
        jobs.apply(e);
    }
    let _ = state.update(Msg::Tick);
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "the loop waited {:?} for the cancelled run's teardown",
        started.elapsed()
    );
    // The teardown did run, elsewhere.
    let waited = std::time::Instant::now();
    while !torn_down.load(Ordering::SeqCst) {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "never torn down"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    jobs.shutdown();
}
