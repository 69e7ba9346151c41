//! The renderers and the exit status, on a report built by hand (the moto tests in
//! tests/aws/aws_moto/audit.rs run the whole audit).

use super::*;
use crate::diagnose::{FindingCode, Remediation, Severity};

fn report() -> AuditReport {
    let mut r = AuditReport {
        schema: SCHEMA,
        origins: vec!["https://app.example.com".to_string()],
        regions: vec![RegionRow {
            region: "us-east-1".to_string(),
            rest_apis: 2,
            http_apis: 0,
            ..RegionRow::default()
        }],
        apis: vec![
            ApiRow {
                api_id: "a1".to_string(),
                name: "items".to_string(),
                kind: "rest",
                region: "us-east-1".to_string(),
                stages: vec!["prod".to_string()],
                routes: 2,
                ..ApiRow::default()
            },
            ApiRow {
                api_id: "b2".to_string(),
                name: "locked|down".to_string(),
                kind: "rest",
                region: "us-east-1".to_string(),
                status: ApiStatus::Failed,
                error: Some("missing permission apigateway:GET on arn:…".to_string()),
                ..ApiRow::default()
            },
        ],
        findings: vec![AuditFinding {
            api_id: "a1".to_string(),
            api: "items".to_string(),
            region: "us-east-1".to_string(),
            stage: Some("prod".to_string()),
            path: Some("/items".to_string()),
            method: Some("POST".to_string()),
            code: FindingCode::OptionsMissing,
            severity: Severity::Error,
            step: 3,
            message: "no OPTIONS".to_string(),
            origin: Some("https://app.example.com".to_string()),
            routes_affected: None,
            remediation: Some(Remediation {
                text: "add OPTIONS".to_string(),
                commands: vec!["aws apigateway put-method …".to_string()],
                change_set: None,
                snippets: None,
            }),
            probe: None,
        }],
        aws_calls: 11,
        ..AuditReport::default()
    };
    r.summarize();
    r
}

#[test]
fn the_summary_counts_per_api_and_failed_ones() {
    let r = report();
    assert_eq!(r.summary.apis, 2);
    assert_eq!(r.summary.failed, 1);
    assert_eq!(r.summary.errors, 1);
    assert_eq!(r.apis[0].errors, 1);
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn an_unreadable_api_alone_is_not_clean() {
    let mut r = report();
    r.findings.clear();
    r.summarize();
    assert_eq!(r.exit_code(), 1);
    r.apis.truncate(1);
    r.summarize();
    assert_eq!(r.exit_code(), 0);
}

#[test]
fn json_has_the_schema_and_the_route_of_each_finding() {
    let v: serde_json::Value = serde_json::from_str(&report().render(AuditFormat::Json)).unwrap();
    assert_eq!(v["schema"], "cors-doctor/audit/v1");
    let f = &v["findings"][0];
    for (k, want) in [
        ("api_id", "a1"),
        ("stage", "prod"),
        ("path", "/items"),
        ("method", "POST"),
        ("code", "OPTIONS_MISSING"),
        ("severity", "error"),
    ] {
        assert_eq!(f[k], want, "{k}");
    }
    assert_eq!(f["remediation"]["text"], "add OPTIONS");
    assert_eq!(v["apis"][1]["status"], "failed");
    assert_eq!(v["aws_calls"], 11);
}

#[test]
fn text_names_the_route_the_fix_and_the_api_that_could_not_be_read() {
    let t = report().render(AuditFormat::Text);
    assert!(t.contains("OPTIONS_MISSING  prod POST /items"), "{t}");
    assert!(t.contains("Fix: add OPTIONS"), "{t}");
    assert!(t.contains("not audited: missing permission"), "{t}");
}

#[test]
fn markdown_has_a_row_per_api_with_its_counts() {
    let m = report().render(AuditFormat::Markdown);
    assert!(
        m.contains("| items | `a1` | rest | us-east-1 | prod | 2 | 1 | 0 | 0 | ok |"),
        "{m}"
    );
    assert!(m.contains("locked\\|down"), "{m}");
}

/// A report with one `--probe` finding.
fn probed_report() -> AuditReport {
    let mut r = report();
    let mut f = r.findings[0].clone();
    f.code = FindingCode::LivePreflightMismatch;
    f.message = "live differs".to_string();
    f.remediation = None;
    f.probe = Some(ProbeEvidence {
        method: "OPTIONS".to_string(),
        url: "https://a1.execute-api.us-east-1.amazonaws.com/prod/items".to_string(),
        request_headers: vec![("Origin".to_string(), "https://app.example.com".to_string())],
        live: ProbeAnswer {
            status: Some(403),
            headers: vec![(
                "x-amzn-ErrorType".to_string(),
                "MissingAuthenticationTokenException".to_string(),
            )],
            verdict: "PreflightInvalidStatus".to_string(),
            error: None,
        },
        predicted: ProbeAnswer {
            status: Some(200),
            verdict: "pass".to_string(),
            ..ProbeAnswer::default()
        },
        assumed_backend: false,
        elapsed_ms: 12,
    });
    r.findings.push(f);
    r.probes = Some(ProbeSummary {
        invoke_url: DEFAULT_INVOKE_URL.to_string(),
        sent: 2,
        mismatched: 1,
        unanswered: 0,
        no_preflight: 3,
    });
    r.summarize();
    r
}

#[test]
fn every_format_shows_the_probed_exchange() {
    let r = probed_report();
    let v: serde_json::Value = serde_json::from_str(&r.render(AuditFormat::Json)).unwrap();
    assert_eq!(v["probes"]["sent"], 2);
    assert_eq!(v["probes"]["no_preflight"], 3);
    let f = &v["findings"][1];
    assert_eq!(f["code"], "LIVE_PREFLIGHT_MISMATCH");
    assert_eq!(f["probe"]["live"]["status"], 403);
    assert_eq!(f["probe"]["predicted"]["verdict"], "pass");
    // Without --probe nothing is added to the schema.
    let plain: serde_json::Value =
        serde_json::from_str(&report().render(AuditFormat::Json)).unwrap();
    assert!(plain.get("probes").is_none());
    assert!(plain["findings"][0].get("probe").is_none());
    let t = r.render(AuditFormat::Text);
    assert!(t.contains("2 preflights sent (OPTIONS only)"), "{t}");
    assert!(
        t.contains("Exchange: OPTIONS https://a1.execute-api.us-east-1.amazonaws.com/prod/items → live 403"),
        "{t}"
    );
    let m = r.render(AuditFormat::Markdown);
    assert!(m.contains("Exchange: OPTIONS"), "{m}");
    let s: serde_json::Value = serde_json::from_str(&r.render(AuditFormat::Sarif)).unwrap();
    let res = &s["runs"][0]["results"][1];
    assert_eq!(res["ruleId"], "LIVE_PREFLIGHT_MISMATCH");
    assert_eq!(res["properties"]["probe"]["live"]["status"], 403);
}

#[test]
fn sarif_locates_each_result_at_api_stage_and_route() {
    let v: serde_json::Value = serde_json::from_str(&report().render(AuditFormat::Sarif)).unwrap();
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "OPTIONS_MISSING");
    assert_eq!(result["level"], "error");
    let logical = &result["locations"][0]["logicalLocations"];
    assert_eq!(
        logical[2]["fullyQualifiedName"],
        "us-east-1:a1/prod/POST /items"
    );
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][0]["id"],
        "OPTIONS_MISSING"
    );
}

/// `--probe` against the simulator on 127.0.0.1: the configuration says one thing, the server
/// (a copy of the API, changed) serves another.
mod probes {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::super::probe::{self, Probing};
    use super::super::{AuditFinding, ProbeSettings};
    use crate::cors::Mode;
    use crate::diagnose::{FindingCode, Severity};
    use crate::gateway::scenario::Scenario;
    use crate::gateway::Api;
    use crate::sim::{Handler, SimServer};

    /// The API without the OPTIONS method of `path` (working copy and every deployment).
    fn without_options(api: &Api, path: &str) -> Api {
        let mut api = api.clone();
        let strip = |rs: &mut Vec<crate::gateway::model::Resource>| {
            for r in rs.iter_mut().filter(|r| r.path == path) {
                r.methods.retain(|m| m.http_method != "OPTIONS");
            }
        };
        strip(&mut api.resources);
        for d in &mut api.deployments {
            if let Some(s) = &mut d.snapshot {
                strip(&mut s.resources);
            }
        }
        api
    }

    /// The simulator serving `api`, and the methods it was sent.
    async fn serve(api: Api) -> (SimServer, Arc<Mutex<Vec<String>>>) {
        let backend = Scenario::by_name("rest-healthy").unwrap().spec.backend;
        let inner = crate::sim::gateway::handler(api, backend);
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&seen);
        let handler: Handler = Arc::new(move |req| {
            log.lock().unwrap().push(req.method.clone());
            inner(req)
        });
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let server = SimServer::start(addr, handler, Duration::ZERO)
            .await
            .unwrap();
        (server, seen)
    }

    fn settings(template: &str) -> ProbeSettings {
        ProbeSettings::new(Some(template), None, Duration::from_secs(5)).unwrap()
    }

    async fn run(config: &Api, template: &str) -> (probe::ApiProbes, u64) {
        let probing = Probing::new(&settings(template)).unwrap();
        let out = probe::probe_api(
            &probing,
            Arc::new(config.clone()),
            "https://app.example.com",
            "us-east-1",
            Mode::default(),
            |code, severity, message| AuditFinding {
                api_id: "r1e2s3t4h5".into(),
                api: "bookings".into(),
                region: "us-east-1".into(),
                stage: None,
                path: None,
                method: None,
                code,
                severity,
                step: 3,
                message,
                origin: None,
                routes_affected: None,
                remediation: None,
                probe: None,
            },
        )
        .await;
        (out, probing.sent())
    }

    fn healthy() -> Api {
        Scenario::by_name("rest-healthy").unwrap().api
    }

    #[tokio::test]
    async fn a_stage_that_serves_what_the_configuration_says_gives_no_finding_and_only_options_is_sent(
    ) {
        let (server, seen) = serve(healthy()).await;
        let (out, sent) = run(&healthy(), &format!("{}/{{stage}}", server.base_url())).await;
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        // POST /bookings needs a preflight; the two GETs are simple requests, not probed.
        assert_eq!(out.sent, 1);
        assert_eq!(sent, 1);
        assert_eq!(out.no_preflight, 2);
        let methods = seen.lock().unwrap().clone();
        assert_eq!(methods, vec!["OPTIONS".to_string()]);
    }

    #[tokio::test]
    async fn options_missing_on_the_stage_is_an_error_with_both_answers() {
        let (server, seen) = serve(without_options(&healthy(), "/bookings")).await;
        let (out, _) = run(&healthy(), &format!("{}/{{stage}}", server.base_url())).await;
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.code, FindingCode::LivePreflightMismatch);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.stage.as_deref(), Some("prod"));
        assert_eq!(f.path.as_deref(), Some("/bookings"));
        assert_eq!(f.method.as_deref(), Some("POST"));
        let p = f.probe.as_ref().expect("the exchange as evidence");
        assert_eq!(p.method, "OPTIONS");
        assert!(p.url.ends_with("/prod/bookings"), "{}", p.url);
        assert_eq!(p.predicted.status, Some(200));
        assert_eq!(p.predicted.verdict, "pass");
        assert_eq!(p.live.status, Some(403), "{p:#?}");
        assert_ne!(p.live.verdict, "pass");
        assert!(p
            .request_headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("access-control-request-method") && v == "POST"));
        assert!(f.message.contains("create a deployment"), "{}", f.message);
        // A prediction's made-up request ids are not evidence.
        assert!(!p
            .predicted
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-amzn-requestid")));
        assert!(seen.lock().unwrap().iter().all(|m| m == "OPTIONS"));
    }

    #[tokio::test]
    async fn a_stage_that_passes_what_the_configuration_fails_is_a_warning() {
        let (server, _) = serve(healthy()).await;
        let config = without_options(&healthy(), "/bookings");
        let (out, _) = run(&config, &format!("{}/{{stage}}", server.base_url())).await;
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        assert_eq!(out.findings[0].severity, Severity::Warning);
        assert_eq!(out.findings[0].probe.as_ref().unwrap().live.verdict, "pass");
    }

    /// An HTTP API's `$default` stage is served at the root: no stage segment in the URL.
    #[tokio::test]
    async fn an_http_api_default_stage_is_probed_at_the_root() {
        let s = Scenario::by_name("http-api-healthy").unwrap();
        let inner = crate::sim::gateway::handler(s.api.clone(), s.spec.backend.clone());
        let paths: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&paths);
        let handler: Handler = Arc::new(move |req| {
            log.lock()
                .unwrap()
                .push(format!("{} {}", req.method, req.path_and_query));
            inner(req)
        });
        let server = SimServer::start("127.0.0.1:0".parse().unwrap(), handler, Duration::ZERO)
            .await
            .unwrap();
        let (out, sent) = run(&s.api, &format!("{}/{{stage}}", server.base_url())).await;
        assert!(out.findings.is_empty(), "{:#?}", out.findings);
        // Every route (its authorizer makes even GET send a preflight), at the root.
        assert_eq!(sent, 3);
        let mut seen = paths.lock().unwrap().clone();
        seen.sort();
        seen.dedup();
        assert_eq!(
            seen,
            vec![
                "OPTIONS /tasks".to_string(),
                "OPTIONS /tasks/sample-id".to_string()
            ]
        );
    }

    #[tokio::test]
    async fn no_answer_is_one_warning_per_stage() {
        // A port nobody listens on (bound, then closed).
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let (out, _) = run(&healthy(), &format!("http://127.0.0.1:{port}/{{stage}}")).await;
        assert_eq!(out.findings.len(), 1, "{:#?}", out.findings);
        let f = &out.findings[0];
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.routes_affected, Some(1));
        assert!(f.probe.as_ref().unwrap().live.status.is_none());
    }

    #[tokio::test]
    async fn nothing_but_options_leaves_the_process() {
        let (server, seen) = serve(healthy()).await;
        let probing = Probing::new(&settings(&server.base_url())).unwrap();
        let api = healthy();
        let post = &api.resources[0].methods[1];
        assert_eq!(post.http_method, "POST");
        let target = crate::rules::synthesize(
            &api,
            Some("prod"),
            &api.resources[0],
            post,
            "https://app.example.com",
        )
        .unwrap();
        let mut planned =
            crate::probe::requests::plan_requests(&target, &crate::cors::plan(&target));
        for p in &mut planned {
            p.request.url = format!("{}/prod/bookings", server.base_url());
        }
        let actual = planned
            .iter()
            .find(|p| p.request.method != "OPTIONS")
            .expect("an actual request");
        let x = probe::send_checked(probing.prober(), actual).await;
        assert!(x.response.is_none());
        assert!(x.error.unwrap().message.contains("only sends preflights"));
        assert!(seen.lock().unwrap().is_empty());
    }

    #[test]
    fn the_template_is_filled_and_checked() {
        let s = ProbeSettings::new(None, None, Duration::from_secs(1)).unwrap();
        assert_eq!(s.invoke_url_template, super::super::DEFAULT_INVOKE_URL);
        assert_eq!(
            probe::fill(&s.invoke_url_template, "abc123", "eu-west-1", Some("prod")),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
        );
        // An HTTP API's $default stage is served at the root.
        assert_eq!(
            probe::fill(
                &s.invoke_url_template,
                "abc123",
                "eu-west-1",
                Some("$default")
            ),
            "https://abc123.execute-api.eu-west-1.amazonaws.com"
        );
        // A local control plane (an emulator) needs a template: its ids are not AWS's.
        let e = ProbeSettings::new(None, Some("http://127.0.0.1:5000"), Duration::from_secs(1))
            .unwrap_err();
        assert!(e.contains("--invoke-url-template"), "{e}");
        for bad in [
            "ftp://x/{stage}",
            "https://x/{stage}?a=1",
            "https://{apiid}.example.com",
            "not a url",
        ] {
            assert!(
                ProbeSettings::new(Some(bad), None, Duration::from_secs(1)).is_err(),
                "{bad}"
            );
        }
    }
}
