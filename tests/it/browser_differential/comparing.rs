//! Comparing the engine with Chromium: what counts as a disagreement, and the tests.

use super::*;

// ---------------------------------------------------------------- comparing

pub(super) struct Judged {
    case: Case,
    chrome_today: Verdict,
    spec: Verdict,
    observed: Result<BrowserObservation, BrowserError>,
    target: Target,
}

pub(super) fn disagreement(j: &Judged) -> Option<String> {
    let o = match &j.observed {
        Ok(o) => o,
        Err(e) => return Some(format!("the retest failed: {e}")),
    };
    let mut problems = Vec::new();
    let plan = cors::plan(&j.target);
    if let Some(d) = o.disagreement(&j.chrome_today, &plan) {
        problems.push(d);
    }
    let sent_preflight = o.preflight.as_ref().filter(|p| p.on_wire);
    // Only the first hop is compared: the engine plans the request to the URL given.
    if o.actual.as_ref().is_none_or(|a| a.redirects.is_empty()) {
        match (plan.required, sent_preflight) {
            (true, None) if !matches!(o.outcome, Outcome::NetworkError | Outcome::Refused) => {
                problems.push("the engine plans a preflight, Chromium sent none".into())
            }
            (false, Some(_)) => {
                problems.push("Chromium sent a preflight the engine does not plan".into())
            }
            (true, Some(p)) => {
                let acrh = p
                    .headers
                    .get("access-control-request-headers")
                    .unwrap_or("");
                let planned = plan.request_headers.join(",");
                if acrh != planned {
                    problems.push(format!(
                        "Access-Control-Request-Headers: engine '{planned}', Chromium '{acrh}'"
                    ));
                }
                let acrm = p.headers.get("access-control-request-method").unwrap_or("");
                if acrm != plan.method {
                    problems.push(format!(
                        "Access-Control-Request-Method: engine '{}', Chromium '{acrm}'",
                        plan.method
                    ));
                }
            }
            _ => {}
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// Chromium, or `None` with a message when it is missing and not required.
pub(super) async fn chromium() -> Option<Chromium> {
    match Chromium::launch(LaunchOptions::default()).await {
        Ok(c) => Some(c),
        Err(e @ BrowserError::NotInstalled { .. })
            if std::env::var_os("CORS_DOCTOR_REQUIRE_CHROMIUM").is_none() =>
        {
            eprintln!(
                "SKIPPED browser differential suite: {e}. Run scripts/install-chromium.sh, or set CORS_DOCTOR_REQUIRE_CHROMIUM=1 to make this a failure."
            );
            None
        }
        Err(e) => panic!("Chromium could not be started: {e}"),
    }
}

pub(super) fn substitute_port(case: &mut Case, port: u16) {
    for r in [&mut case.preflight, &mut case.actual, &mut case.final_] {
        for (_, v) in &mut r.headers {
            *v = v.replace("{PORT}", &port.to_string());
        }
    }
}

#[test]
pub(super) fn the_generator_is_deterministic_and_covers_the_dimensions() {
    let a = generate(CASES);
    let b = generate(CASES);
    assert!(a.len() >= 500);
    assert!(a.iter().zip(&b).all(|(x, y)| x.describe() == y.describe()));
    let all: Vec<String> = a.iter().flat_map(|c| c.mutations.clone()).collect();
    for needle in [
        "twice",
        "*",
        "upper case",
        "padded",
        "redirect",
        "unparsable",
        "without CORS headers",
    ] {
        assert!(
            all.iter().any(|m| m.contains(needle)),
            "no mutation with {needle}"
        );
    }
    for creds in ["omit", "same-origin", "include"] {
        assert!(a.iter().any(|c| c.credentials.as_str() == creds));
    }
    assert!(a.iter().any(|c| c.body.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
pub(super) async fn engine_and_chromium_agree_on_every_generated_case() {
    let Some(browser) = chromium().await else {
        return;
    };
    let started = Instant::now();
    let mut cases = generate(CASES);

    // One loopback server plays every case: /c/{id} (and /c/{id}/final after a redirect).
    let table: Arc<std::sync::Mutex<Vec<Case>>> = Arc::new(std::sync::Mutex::new(Vec::new()));
    let served = table.clone();
    let handler = Arc::new(move |req: HttpRequest| -> HttpResponse {
        let path = req
            .path_and_query
            .split('?')
            .next()
            .unwrap_or("")
            .to_string();
        let mut parts = path.trim_start_matches('/').split('/');
        let (Some("c"), Some(id)) = (parts.next(), parts.next()) else {
            return HttpResponse {
                status: 404,
                ..Default::default()
            };
        };
        let is_final = parts.next() == Some("final");
        let cases = served.lock().unwrap();
        let Some(case) = id.parse::<usize>().ok().and_then(|i| cases.get(i)) else {
            return HttpResponse {
                status: 404,
                ..Default::default()
            };
        };
        if req.method == "OPTIONS" && req.headers.contains("access-control-request-method") {
            case.preflight.http()
        } else if is_final {
            case.final_.http()
        } else {
            case.actual.http()
        }
    });
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .unwrap();
    let port = server.addr().port();
    for c in &mut cases {
        substitute_port(c, port);
    }
    *table.lock().unwrap() = cases.clone();
    let base = server.base_url();
    // A port where nothing listens, for the refused cases.
    let closed = {
        let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };

    // One browser, CONCURRENCY pages on the app's origin, each running its share of the cases.
    let mut pages = Vec::new();
    for _ in 0..CONCURRENCY {
        pages.push(browser.open_page(ORIGIN).await.unwrap());
    }
    let queue = Arc::new(tokio::sync::Mutex::new(cases.into_iter()));
    let workers = pages.iter().map(|page| {
        let queue = queue.clone();
        let base = base.clone();
        let closed = closed.clone();
        async move {
            let mut out = Vec::new();
            loop {
                let Some(case) = queue.lock().await.next() else {
                    break;
                };
                let target = case.target(&base, &closed);
                let observed = page.retest(&target).await;
                out.push(Judged {
                    chrome_today: engine(&case, &target, Mode::ChromeToday),
                    spec: engine(&case, &target, Mode::Spec),
                    case,
                    observed,
                    target,
                });
            }
            out
        }
    });
    let mut judged: Vec<Judged> = futures_util::future::join_all(workers)
        .await
        .into_iter()
        .flatten()
        .collect();
    judged.sort_by_key(|j| j.case.id);
    let elapsed = started.elapsed();
    for page in pages {
        page.close().await;
    }

    let mut disagreements = Vec::new();
    let mut by_error: BTreeMap<String, usize> = BTreeMap::new();
    let mut console_mismatch = Vec::new();
    let mut status_mismatch = Vec::new();
    let mut deviations = 0;
    let mut latitude = Vec::new();
    for j in &judged {
        if let Some(d) = disagreement(j) {
            disagreements.push(format!("{d}\n    {}", j.case.describe()));
        }
        let Ok(o) = &j.observed else { continue };
        let key = match (&o.outcome, &o.cors_error) {
            (_, Some(e)) => e.clone(),
            (Outcome::Allowed, None) => "allowed".into(),
            _ => format!(
                "network error ({})",
                o.net_error.clone().unwrap_or_default()
            ),
        };
        *by_error.entry(key).or_default() += 1;
        let same_parameter = j
            .chrome_today
            .cors_error
            .as_ref()
            .and_then(|e| e.failed_parameter.as_deref())
            .filter(|p| !p.is_empty())
            == o.failed_parameter.as_deref();
        if !same_parameter && o.cors_error.as_deref() == Some("HeaderDisallowedByPreflightResponse")
        {
            latitude.push(format!(
                "case {}: engine {:?}, Chromium {:?} ({:?})",
                j.case.id, j.chrome_today.cors_error, o.cors_error, o.failed_parameter
            ));
        }
        if o.outcome == Outcome::Blocked
            && same_parameter
            && o.console_message != j.chrome_today.console_message
        {
            console_mismatch.push(format!(
                "case {}: engine {:?}\n    Chromium {:?}",
                j.case.id, j.chrome_today.console_message, o.console_message
            ));
        }
        if o.outcome == Outcome::Blocked && o.hidden_status() != j.chrome_today.hidden_status {
            status_mismatch.push(format!(
                "case {}: engine {:?}, Chromium {:?}",
                j.case.id,
                j.chrome_today.hidden_status,
                o.hidden_status()
            ));
        }
        // Spec mode differs from Chromium exactly where Chromium knowingly deviates.
        let deviation = j
            .chrome_today
            .warnings
            .iter()
            .any(|w| w == AUTHORIZATION_COVERED_BY_WILDCARD);
        if deviation {
            deviations += 1;
            let e = j.spec.cors_error.as_ref();
            assert_eq!(j.spec.outcome, Outcome::Blocked, "{}", j.case.describe());
            assert_eq!(
                e.map(|e| e.kind.name()),
                Some("HeaderDisallowedByPreflightResponse")
            );
            assert_eq!(
                e.and_then(|e| e.failed_parameter.as_deref()),
                Some("authorization")
            );
        } else {
            assert_eq!(
                j.spec,
                j.chrome_today,
                "spec mode differs: {}",
                j.case.describe()
            );
        }
    }
    let total = judged.len();
    eprintln!(
        "browser differential: {total} cases, {} agree, {} disagree, {:.1} s with {CONCURRENCY} pages on {}",
        total - disagreements.len(),
        disagreements.len(),
        elapsed.as_secs_f64(),
        browser.version()
    );
    eprintln!("outcomes: {by_error:?}");
    eprintln!(
        "cases where Chromium deviates from the spec (wildcard covers authorization): {deviations}"
    );
    eprintln!(
        "cases where Chromium named another of the disallowed headers: {}",
        latitude.len()
    );
    for m in &latitude {
        eprintln!("  {m}");
    }
    eprintln!("console text mismatches: {}", console_mismatch.len());
    for m in console_mismatch.iter().take(10) {
        eprintln!("  {m}");
    }
    eprintln!("hidden status mismatches: {}", status_mismatch.len());
    for m in status_mismatch.iter().take(10) {
        eprintln!("  {m}");
    }
    server.shutdown().await;
    browser.close().await;
    assert!(
        disagreements.is_empty(),
        "{} of {total} cases disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(
        deviations > 0,
        "no case exercised the spec/Chromium deviation"
    );
    assert!(
        console_mismatch.is_empty(),
        "console text differs:\n{}",
        console_mismatch.join("\n")
    );
    assert!(
        status_mismatch.is_empty(),
        "hidden status differs:\n{}",
        status_mismatch.join("\n")
    );
}
