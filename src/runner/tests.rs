//! The runner's one path: the credential check both front ends get, and what it sends.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::aws::{BoxFuture, LoadedConfig};
use crate::config::Config;
use crate::evidence::ConfigSourceKind;
use crate::plan::TargetArgs;

/// A source without credentials: its check fails (or never ends), its load counts calls.
struct NoCredentials {
    hang: bool,
    loads: AtomicU32,
}

impl ConfigSource for NoCredentials {
    fn kind(&self) -> ConfigSourceKind {
        ConfigSourceKind::Sdk
    }

    fn load<'a>(
        &'a self,
        _request: &'a ConfigRequest,
    ) -> BoxFuture<'a, Result<LoadedConfig, crate::aws::Unavailable>> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Err(crate::aws::Unavailable("not reached".to_string())) })
    }

    fn preflight(&self) -> BoxFuture<'_, Result<(), crate::aws::CredentialsError>> {
        let hang = self.hang;
        Box::pin(async move {
            if hang {
                std::future::pending::<()>().await;
            }
            Err(crate::aws::CredentialsError(
                "no AWS credentials were found; next: aws configure".to_string(),
            ))
        })
    }
}

fn plan(timeout: f64) -> Plan {
    TargetArgs {
        // Nothing listens on port 9 of loopback: a probe, were one sent, would fail at once.
        url: Some("http://127.0.0.1:9/prod/items".into()),
        origin: Some("https://app.example.com".into()),
        api_id: Some("abc123".into()),
        timeout: Some(timeout),
        ..TargetArgs::default()
    }
    .resolve(&Config::default())
    .expect("a plan")
}

#[tokio::test]
async fn missing_credentials_stop_every_front_end_before_anything_is_sent() {
    for sealed in [false, true] {
        let source = Arc::new(NoCredentials {
            hang: false,
            loads: AtomicU32::new(0),
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let plan = plan(5.0);
        let as_source: Arc<dyn ConfigSource> = source.clone();
        let result = if sealed {
            // The TUI's way in.
            let sealed = SealedPlan::new(plan);
            run_sealed(&sealed, |_| Ok(Some(as_source)), None, Some(tx)).await
        } else {
            // `check`'s.
            run_keeping_evidence(&plan, Some(as_source), Some(tx)).await
        };
        match result {
            Err(RunError::Credentials(why)) => {
                assert!(why.contains("next: aws configure"), "{why}")
            }
            other => panic!("{other:?}"),
        }
        assert!(rx.try_recv().is_err(), "nothing planned or sent");
        assert_eq!(source.loads.load(Ordering::SeqCst), 0);
    }
}

#[tokio::test]
async fn a_credential_check_that_does_not_end_stops_at_the_deadline() {
    let source: Arc<dyn ConfigSource> = Arc::new(NoCredentials {
        hang: true,
        loads: AtomicU32::new(0),
    });
    let plan = plan(0.2);
    let started = tokio::time::Instant::now();
    let err = run(&plan, Some(source), None).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(err, RunError::Credentials(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("the AWS credential check did not finish within the --timeout of 0.2 s"),
        "{err}"
    );
}

#[tokio::test]
async fn an_offline_plan_without_configuration_has_nothing_to_predict_from() {
    let offline = TargetArgs {
        path: Some("/items".into()),
        origin: Some("https://app.example.com".into()),
        api_id: Some("abc123".into()),
        stage: Some("prod".into()),
        no_aws: true,
        ..TargetArgs::default()
    }
    .resolve(&Config::default())
    .expect("a plan");
    let err = run(&offline, None, None).await.unwrap_err();
    assert!(matches!(err, RunError::NothingToPredict(_)), "{err:?}");
    assert!(
        err.to_string().contains("AWS lookups are off (--no-aws)"),
        "{err}"
    );
}
