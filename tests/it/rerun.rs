//! `runner::rerun`: only the exchanges of the asked kinds are sent again (same ids), the rest
//! of the previous evidence (other exchanges, configuration) is kept, and the diagnosis is
//! made again.

use crate::common;

use common::{Canned, FakeGateway, Flipping};
use cors_doctor::app;
use cors_doctor::config::Config;
use cors_doctor::diagnose::StepStatus;
use cors_doctor::evidence::ExchangeKind;
use cors_doctor::plan::TargetArgs;
use cors_doctor::runner::{self, RunEvent};

const ORIGIN: &str = "https://app.example.com";
const TOKEN: &str = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";

fn gateway(allow_origin: bool) -> FakeGateway {
    let mut actual = Canned::integration(200).body("{\"items\":[]}");
    if allow_origin {
        actual = actual.h("Access-Control-Allow-Origin", ORIGIN);
    }
    FakeGateway {
        preflight: Canned::good_preflight(ORIGIN, "GET,OPTIONS", "authorization"),
        actual: actual.clone(),
        bare: Some(Canned::integration(200).body("{\"items\":[]}")),
    }
}

#[tokio::test]
async fn rerun_sends_only_the_asked_kinds_and_keeps_the_rest() {
    let gw = Flipping::start(gateway(false), gateway(true)).await;
    let args = TargetArgs {
        url: Some(format!("{}/prod/items", gw.server.base_url())),
        origin: Some(ORIGIN.into()),
        headers: vec![format!("Authorization: {TOKEN}")],
        ..TargetArgs::default()
    };
    let plan = args.resolve(&Config::default()).unwrap();
    let (before, evidence) = runner::run_keeping_evidence(&plan, None, None)
        .await
        .unwrap();
    assert_eq!(gw.methods().len(), 4);
    // The actual answer lacks Access-Control-Allow-Origin.
    assert_eq!(
        before.first_failing_step,
        Some(5),
        "{:?}",
        before.statuses()
    );

    // Nothing sent: the same evidence gives the same report.
    let (same, _) = runner::rerun(&plan, &evidence, &[], None).await.unwrap();
    assert_eq!(same, before);
    assert_eq!(gw.methods().len(), 4);

    gw.flip();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (after, _) = runner::rerun(&plan, &evidence, &[ExchangeKind::Actual], Some(tx))
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    match &events[..] {
        [RunEvent::Planned { requests, .. }, RunEvent::ConfigDone { loaded: false, .. }, RunEvent::ExchangeDone(x), RunEvent::Finished(r)] =>
        {
            assert_eq!(requests.len(), 4);
            assert!(
                !format!("{requests:?}").contains("c2lnbmF0dXJl"),
                "{requests:?}"
            );
            assert_eq!(x.kind, ExchangeKind::Actual);
            // Masked on the way out, like every event.
            assert!(!format!("{x:?}").contains("c2lnbmF0dXJl"), "{x:?}");
            assert_eq!(**r, after);
        }
        other => panic!("{other:#?}"),
    }

    // The server saw exactly one more request, the actual one, sent with the real token.
    let seen = gw.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 5);
    assert_eq!(seen[4].method, "GET");
    assert_eq!(seen[4].headers.get("authorization"), Some(TOKEN));
    assert_eq!(seen[4].headers.get("origin"), Some(ORIGIN));

    // Same ids; the actual exchange is new, the others are the previous ones (the held
    // evidence is opaque: the reports show the exchanges, masked).
    let ids = |r: &cors_doctor::report::Report| {
        r.exchanges
            .iter()
            .map(|x| (x.id.clone(), x.kind))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&after), ids(&before));
    for (old, new) in before.exchanges.iter().zip(&after.exchanges) {
        if new.kind == ExchangeKind::Actual {
            assert!(old
                .response
                .as_ref()
                .unwrap()
                .headers
                .get("access-control-allow-origin")
                .is_none());
            assert_eq!(
                new.response
                    .as_ref()
                    .unwrap()
                    .headers
                    .get("access-control-allow-origin"),
                Some(ORIGIN)
            );
        } else {
            assert_eq!(old, new);
        }
    }
    assert_eq!(
        after.step(5).unwrap().status,
        StepStatus::Pass,
        "{after:#?}"
    );
    assert_eq!(after.first_failing_step, None, "{:?}", after.statuses());
}

#[tokio::test]
async fn an_offline_diagnosis_is_not_rerun_in_part() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/rest-healthy.json"
    );
    let args = TargetArgs {
        path: Some("/bookings".into()),
        openapi: Some(file.into()),
        origin: Some(ORIGIN.into()),
        ..TargetArgs::default()
    };
    let plan = args.resolve(&Config::default()).unwrap();
    assert!(!plan.live);
    let (_, evidence) =
        runner::run_keeping_evidence(&plan, app::config_source(&plan).unwrap(), None)
            .await
            .unwrap();
    let err = runner::rerun(&plan, &evidence, &[ExchangeKind::Preflight], None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("offline"), "{err}");
}
