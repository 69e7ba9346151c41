//! `cors-doctor har`: HARs in Chrome's, Firefox's and Safari's shapes give, for each entry, the
//! verdict the engine gives the same request through `check` against the simulator; a Chrome
//! HAR made from a real headless Chromium's DevTools events is read the same way; bad HARs
//! fail clearly or list what was skipped.
//!
//! The fixtures in `tests/fixtures/har/` are written by `write_har_fixtures` (ignored; run it
//! with `cargo test --test it har::write_har_fixtures -- --ignored`, Chromium needed): the
//! Chrome one from Chromium's DevTools protocol events (converted as DevTools' HAR export
//! does), the Firefox and Safari ones from `check`'s exchanges with the same simulator, in
//! those browsers' shapes. Each entry carries `"comment": "scenario NAME"`, so a test can serve
//! the same scenario again and compare.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use cors_doctor::app::scenario_plan;
use cors_doctor::browser::{BrowserError, Chromium, LaunchOptions};
use cors_doctor::cors::{Mode, Outcome};
use cors_doctor::evidence::recorded::{self, ReadOptions};
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::har::{self, Shape};
use cors_doctor::plan::Plan;
use cors_doctor::report::Report;
use cors_doctor::runner;
use cors_doctor::sim::{self, SimServer};

/// One scenario per kind of entry the issue asks for.
const SCENARIOS: [(&str, &str); 4] = [
    ("rest-healthy", "successful"),
    ("options-missing", "preflight-blocked"),
    ("lambda-proxy-no-allow-origin", "actual-blocked"),
    ("throttled-default-gateway-responses", "gateway-error"),
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/har")
        .join(name)
}

async fn serve(name: &str) -> (Scenario, SimServer) {
    let s = Scenario::by_name(name).expect("scenario");
    let handler = sim::gateway::scenario_handler(&s);
    let server = SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    .expect("bind");
    (s, server)
}

/// `check`'s report for `plan` (probes only: the verdict is the engine's on the exchanges).
async fn check(plan: &Plan) -> Report {
    runner::run(plan, None, None).await.expect("check run")
}

/// `url` moved onto `base` (scheme, host and port), path and query kept.
fn rebase(url: &str, base: &str) -> String {
    let u = url::Url::parse(url).expect("url");
    let b = url::Url::parse(base).expect("base");
    let mut out = u.clone();
    out.set_scheme(b.scheme()).expect("scheme");
    out.set_host(b.host_str()).expect("host");
    out.set_port(b.port()).expect("port");
    out.to_string()
}

/// Entry number → scenario, from each entry's `comment`.
fn scenarios_of(text: &str) -> BTreeMap<usize, String> {
    let v: Value = serde_json::from_str(text).expect("fixture is JSON");
    v["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e["comment"]
                .as_str()
                .and_then(|c| c.strip_prefix("scenario "))
                .map(|s| (i + 1, s.to_string()))
        })
        .collect()
}

/// Every cross-origin entry of the HAR `text`: its verdict from the recording equals the
/// verdict `check` gives the same request against the same scenario. Returns the kinds seen.
async fn verdicts_match_check(name: &str, text: &str) -> Vec<String> {
    let har = har::parse(text).expect("fixture parses");
    let scenarios = scenarios_of(text);
    let list = recorded::list(&har, &ReadOptions::default(), Mode::ChromeToday);
    assert!(!list.is_empty(), "{name}: no cross-origin entry listed");
    let mut kinds = Vec::new();
    for l in &list {
        let scenario = scenarios.get(&l.number).expect("entry names its scenario");
        let kind = SCENARIOS
            .iter()
            .find(|(s, _)| s == scenario)
            .map(|(_, k)| k.to_string())
            .expect("known scenario");
        let entry = har.entry(l.number).expect("entry");
        let rec = recorded::recorded(&har, entry, &ReadOptions::default()).expect("recorded");
        let (s, server) = serve(scenario).await;
        let mut plan = scenario_plan(&s, &server.base_url()).expect("plan");
        plan.target = rec.target.clone();
        plan.target.url = url::Url::parse(&rebase(entry.request.url.as_str(), &server.base_url()))
            .expect("rebased");
        let report = check(&plan).await;
        server.shutdown().await;
        let from_check = (
            report.browser.outcome,
            report.browser.cors_error.clone(),
            report.browser.failed_at,
        );
        let from_har = (
            l.verdict.outcome,
            l.verdict.cors_error.map(|k| k.name().to_string()),
            l.verdict.failed_at,
        );
        if l.verdict.outcome == Outcome::Unknown {
            // The browser hid the answer (status 0): it recorded the failure, and `check`
            // (which sees the answer) says the browser blocks it.
            assert!(
                l.failed && entry.unanswered(),
                "{name} entry {}: unknown without a recorded failure",
                l.number
            );
            assert_ne!(
                report.browser.outcome,
                Outcome::Allowed,
                "{name} entry {} ({scenario}): the HAR recorded a failure, check says allowed",
                l.number
            );
        } else {
            assert_eq!(
                from_har, from_check,
                "{name} entry {} ({scenario}): HAR verdict differs from check's",
                l.number
            );
        }
        // The diagnosis from the recording runs the seven steps without sending anything.
        let (diag, _) = runner::run_recorded(
            &plan_for_recorded(&s, &rec),
            None,
            rec.exchanges.clone(),
            &[],
            tokio::time::Instant::now() + Duration::from_secs(10),
        )
        .await
        .expect("recorded run");
        assert_eq!(diag.steps.len(), 7);
        assert_eq!(
            diag.browser.outcome, l.verdict.outcome,
            "{name} entry {}",
            l.number
        );
        let step1 = &diag.steps[0];
        assert!(
            step1.summary.contains("never made") || step1.summary.contains("Origin"),
            "{name}: step 1 says why it is unknown: {}",
            step1.summary
        );
        kinds.push(kind);
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

fn plan_for_recorded(s: &Scenario, rec: &recorded::Recorded) -> Plan {
    // A plan that cannot send anything anywhere real: the recorded URL is loopback, and the
    // run is given no kinds to send.
    let mut plan = scenario_plan(s, "http://127.0.0.1:9").expect("plan");
    plan.scenario = None;
    plan.target = rec.target.clone();
    plan
}

#[tokio::test]
async fn each_fixture_entry_gets_the_verdict_check_gives_the_same_request() {
    for (file, shape) in [
        ("chrome-real.har", Shape::Chrome),
        ("firefox.har", Shape::Firefox),
        ("safari.har", Shape::Safari),
    ] {
        let text = std::fs::read_to_string(fixture(file)).expect("fixture");
        let har = har::parse(&text).expect("parses");
        assert_eq!(har.shape, shape, "{file}");
        let kinds = verdicts_match_check(file, &text).await;
        let mut want: Vec<String> = SCENARIOS.iter().map(|(_, k)| k.to_string()).collect();
        want.sort();
        assert_eq!(kinds, want, "{file} holds every kind of entry");
    }
}

#[test]
fn failures_are_listed_first_and_preflights_are_folded_in() {
    for file in ["chrome-real.har", "firefox.har", "safari.har"] {
        let text = std::fs::read_to_string(fixture(file)).expect("fixture");
        let har = har::parse(&text).expect("parses");
        let list = recorded::list(&har, &ReadOptions::default(), Mode::ChromeToday);
        let first_ok = list.iter().position(|l| !l.failed).unwrap_or(list.len());
        assert!(
            list[first_ok..].iter().all(|l| !l.failed),
            "{file}: failures first"
        );
        assert_eq!(list.iter().filter(|l| l.failed).count(), 3, "{file}");
        assert!(list.iter().all(|l| l.method != "OPTIONS"), "{file}");
        let paired = list.iter().filter(|l| l.preflight_entry.is_some()).count();
        match har.shape {
            // Safari records no preflight.
            Shape::Safari => assert_eq!(paired, 0),
            _ => assert!(paired >= 3, "{file}: preflights paired: {paired}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A real Chromium's DevTools events, as DevTools' "Export HAR" writes them.

/// `Network.*` events → HAR entries, as DevTools' HAR writer builds them
/// (`front_end/models/har/HARWriter.ts`/`Log.ts`): one entry per request id; the request
/// headers as sent (`requestWillBeSentExtraInfo`) when known; status, status text and
/// headers from `responseReceived` (none fires for a request that fails CORS: status 0, no
/// headers, `_error` from `loadingFailed.errorText`); `_resourceType` is the lower-cased
/// `type` (`fetch`, `preflight`); `_initiator` as given.
fn chrome_entries(events: &[(String, Value)], page: &str, comment: &str) -> Vec<Value> {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: BTreeMap<String, BTreeMap<&str, Value>> = BTreeMap::new();
    for (method, params) in events {
        let Some(id) = params["requestId"].as_str() else {
            continue;
        };
        let key = match method.as_str() {
            "Network.requestWillBeSent" => "sent",
            "Network.requestWillBeSentExtraInfo" => "sent_extra",
            "Network.responseReceived" => "response",
            "Network.responseReceivedExtraInfo" => "response_extra",
            "Network.loadingFailed" => "failed",
            "Network.loadingFinished" => "finished",
            _ => continue,
        };
        if !order.iter().any(|o| o == id) {
            order.push(id.to_string());
        }
        by_id
            .entry(id.to_string())
            .or_default()
            .insert(key, params.clone());
    }
    let headers = |v: &Value| -> Vec<Value> {
        v.as_object()
            .map(|m| {
                m.iter()
                    .flat_map(|(n, v)| {
                        v.as_str()
                            .unwrap_or_default()
                            .split('\n')
                            .map(|v| json!({"name": n, "value": v}))
                            .collect::<Vec<_>>()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for id in order {
        let r = &by_id[&id];
        let Some(sent) = r.get("sent") else { continue };
        // A preflight's requestWillBeSent has no `type`: its initiator (and its
        // responseReceived's `type`) say "preflight".
        let kind = if sent["initiator"]["type"] == "preflight" {
            "preflight".to_string()
        } else {
            sent["type"]
                .as_str()
                .or_else(|| r.get("response").and_then(|x| x["type"].as_str()))
                .unwrap_or("Other")
                .to_ascii_lowercase()
        };
        if !matches!(kind.as_str(), "fetch" | "preflight" | "xhr") {
            continue;
        }
        let req = &sent["request"];
        let req_headers = match r.get("sent_extra") {
            Some(x) => headers(&x["headers"]),
            None => headers(&req["headers"]),
        };
        let mut request = json!({
            "method": req["method"],
            "url": req["url"],
            "httpVersion": "HTTP/1.1",
            "headers": req_headers,
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": req["postData"].as_str().map_or(0, str::len),
        });
        if let Some(body) = req["postData"].as_str() {
            let mime = req["headers"]["Content-Type"].as_str().unwrap_or("");
            request["postData"] = json!({"mimeType": mime, "text": body});
        }
        let (status, status_text, resp_headers, mime) = match r.get("response") {
            Some(resp) => (
                resp["response"]["status"].as_u64().unwrap_or(0),
                resp["response"]["statusText"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                match r.get("response_extra") {
                    Some(x) => headers(&x["headers"]),
                    None => headers(&resp["response"]["headers"]),
                },
                resp["response"]["mimeType"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            ),
            None => (0, String::new(), Vec::new(), "x-unknown".to_string()),
        };
        let error = r
            .get("failed")
            .and_then(|f| f["errorText"].as_str().map(str::to_string));
        let started = sent["wallTime"].as_f64().unwrap_or(0.0);
        out.push(json!({
            "_initiator": sent["initiator"],
            "_priority": req["initialPriority"],
            "_resourceType": kind,
            "cache": {},
            "connection": "",
            "pageref": page,
            "comment": comment,
            "request": request,
            "response": {
                "status": status,
                "statusText": status_text,
                "httpVersion": "HTTP/1.1",
                "headers": resp_headers,
                "cookies": [],
                "content": {"size": 0, "mimeType": mime},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": -1,
                "_transferSize": 0,
                "_error": error,
            },
            "serverIPAddress": "127.0.0.1",
            "startedDateTime": format!("{started}"),
            "time": 0,
            "timings": {"blocked": -1, "dns": -1, "ssl": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0},
        }));
    }
    out
}

async fn chromium() -> Option<Chromium> {
    match Chromium::launch(LaunchOptions::default()).await {
        Ok(c) => Some(c),
        Err(e @ BrowserError::NotInstalled { .. })
            if std::env::var_os("CORS_DOCTOR_REQUIRE_CHROMIUM").is_none() =>
        {
            eprintln!("SKIPPED: {e} (set CORS_DOCTOR_REQUIRE_CHROMIUM=1 to make this a failure)");
            None
        }
        Err(e) => panic!("Chromium could not be started: {e}"),
    }
}

/// A Chrome HAR of the four scenarios from a real Chromium, with Chromium's own outcome for
/// each (entry comment → outcome).
async fn chrome_har(browser: &Chromium) -> (Value, BTreeMap<String, Outcome>) {
    let mut entries = Vec::new();
    let mut pages = Vec::new();
    let mut outcomes = BTreeMap::new();
    for (i, (name, _)) in SCENARIOS.iter().enumerate() {
        let (s, server) = serve(name).await;
        let plan = scenario_plan(&s, &server.base_url()).expect("plan");
        let page = browser.open_page(&plan.target.origin).await.expect("page");
        let (observed, events) = page.record(&plan.target).await.expect("recorded");
        if std::env::var_os("HAR_DUMP_EVENTS").is_some() {
            for (m, p) in &events {
                eprintln!(
                    "EVENT {name} {m} {}",
                    cors_doctor::text::shorten(&p.to_string(), 300)
                );
            }
        }
        page.close().await;
        server.shutdown().await;
        let page_id = format!("page_{}", i + 1);
        pages.push(json!({"id": page_id, "title": format!("{}/", plan.target.origin), "startedDateTime": "", "pageTimings": {}}));
        outcomes.insert(format!("scenario {name}"), observed.outcome);
        entries.extend(chrome_entries(
            &events,
            &page_id,
            &format!("scenario {name}"),
        ));
    }
    let har = json!({"log": {
        "version": "1.2",
        "creator": {"name": "WebInspector", "version": "537.36"},
        "pages": pages,
        "entries": entries,
    }});
    (har, outcomes)
}

#[tokio::test]
async fn a_har_from_a_real_chromium_run_gives_chromiums_verdicts() {
    let Some(browser) = chromium().await else {
        return;
    };
    let (har_json, outcomes) = chrome_har(&browser).await;
    browser.close().await;
    let text = serde_json::to_string(&har_json).expect("json");
    let har = har::parse(&text).expect("the converted HAR parses");
    assert_eq!(har.shape, Shape::Chrome);
    // Chromium records preflights as entries of their own.
    assert!(har
        .entries
        .iter()
        .any(|e| e.resource_type.as_deref() == Some("preflight")));
    let scenarios = scenarios_of(&text);
    for l in recorded::list(&har, &ReadOptions::default(), Mode::ChromeToday) {
        let chromium = outcomes[&format!("scenario {}", scenarios[&l.number])];
        assert_eq!(l.failed, chromium != Outcome::Allowed, "entry {}", l.number);
        if l.verdict.outcome != Outcome::Unknown {
            assert_eq!(l.verdict.outcome, chromium, "entry {}", l.number);
        }
    }
    verdicts_match_check("chromium run", &text).await;
}

/// Writes the three fixtures (run by hand: `-- --ignored`).
#[tokio::test]
#[ignore = "writes tests/fixtures/har/ from a real Chromium; run by hand"]
async fn write_har_fixtures() {
    let browser = chromium().await.expect("Chromium");
    let (chrome, _) = chrome_har(&browser).await;
    browser.close().await;
    let mut firefox = Vec::new();
    let mut safari = Vec::new();
    let mut pages = Vec::new();
    for (i, (name, _)) in SCENARIOS.iter().enumerate() {
        let (s, server) = serve(name).await;
        let plan = scenario_plan(&s, &server.base_url()).expect("plan");
        let report = check(&plan).await;
        server.shutdown().await;
        let page_id = format!("page_{}", i + 1);
        pages.push(json!({"id": page_id, "title": format!("{}/", plan.target.origin), "startedDateTime": "2026-11-30T20:00:00.000Z", "pageTimings": {}}));
        let comment = format!("scenario {name}");
        let xs: BTreeMap<&str, &cors_doctor::evidence::Exchange> = report
            .exchanges
            .iter()
            .map(|x| (x.kind.label(), &**x))
            .collect();
        let h = |hs: &cors_doctor::http::Headers| -> Vec<Value> {
            hs.iter()
                .map(|(n, v)| json!({"name": n, "value": v}))
                .collect()
        };
        let blocked = report.browser.outcome != Outcome::Allowed;
        let at_preflight = report.browser.failed_at == Some(cors_doctor::cors::FailedAt::Preflight);
        let entry = |x: &cors_doctor::evidence::Exchange,
                     status: u16,
                     headers: Vec<Value>,
                     extra: Value| {
            let mut e = json!({
                "pageref": page_id, "comment": comment,
                "startedDateTime": "2026-11-30T20:00:00.000Z", "time": 12,
                "request": {"method": x.request.method, "url": x.request.url, "httpVersion": "HTTP/1.1",
                    "headers": h(&x.request.headers), "cookies": [], "queryString": [], "headersSize": -1, "bodySize": 0},
                "response": {"status": status, "statusText": "", "httpVersion": if status == 0 { "" } else { "HTTP/1.1" },
                    "headers": headers, "cookies": [], "content": {"size": 0, "mimeType": ""}, "redirectURL": "", "headersSize": -1, "bodySize": -1},
                "cache": {}, "timings": {"blocked": 0, "dns": 0, "connect": 0, "ssl": 0, "send": 0, "wait": 12, "receive": 0},
            });
            if let Some(b) = &x.request.body {
                e["request"]["postData"] = json!({"mimeType": "application/json", "text": b});
            }
            if let Value::Object(extra) = extra {
                for (k, v) in extra {
                    e[k] = v;
                }
            }
            e
        };
        let pf = xs.get("preflight");
        let act = xs["actual"];
        let resp = |x: &cors_doctor::evidence::Exchange| {
            x.response
                .as_ref()
                .map(|r| (r.status, h(&r.headers)))
                .unwrap_or((0, vec![]))
        };
        // Firefox: the preflight as an OPTIONS entry; the actual request keeps its answer
        // when one came (even when CORS refuses it); after a failed preflight it was never
        // sent (status 0, no headers).
        if let Some(pf) = pf {
            let (s, hs) = resp(pf);
            firefox.push(entry(pf, s, hs, json!({"_securityState": "insecure"})));
        }
        let (s, hs) = if at_preflight { (0, vec![]) } else { resp(act) };
        firefox.push(entry(act, s, hs, json!({"_securityState": "insecure"})));
        // Safari: no preflight entry; a failed request has status 0 and WebKit's text.
        let (s, hs) = resp(act);
        if blocked {
            let text = if at_preflight {
                let (ps, _) = pf.map(|p| resp(p)).unwrap_or((0, vec![]));
                format!("Preflight response is not successful. Status code: {ps}")
            } else {
                format!(
                    "Origin {} is not allowed by Access-Control-Allow-Origin. Status code: {s}",
                    plan.target.origin
                )
            };
            let mut e = entry(
                act,
                0,
                vec![],
                json!({"_fetchType": "Network Load", "_priority": "medium"}),
            );
            e["response"]["_error"] = json!(text);
            safari.push(e);
        } else {
            safari.push(entry(
                act,
                s,
                hs,
                json!({"_fetchType": "Network Load", "_priority": "medium"}),
            ));
        }
    }
    let write = |name: &str, v: &Value| {
        std::fs::write(
            fixture(name),
            serde_json::to_string_pretty(v).expect("json") + "\n",
        )
        .expect("write");
    };
    write("chrome-real.har", &chrome);
    write(
        "firefox.har",
        &json!({"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "128.0"},
        "browser": {"name": "Firefox", "version": "128.0"}, "pages": pages, "entries": firefox}}),
    );
    write(
        "safari.har",
        &json!({"log": {"version": "1.2", "creator": {"name": "WebKit Web Inspector", "version": "1.0"},
        "pages": pages, "entries": safari}}),
    );
}

// ---------------------------------------------------------------------------------------------
// The command: nothing is sent without --live; --live sends only what is safe; secrets are
// masked everywhere; bad files fail clearly.

use crate::common::{self, Canned, FakeGateway, Flipping};

const APP: &str = "https://app.example.com";

/// The Chrome fixture with every request pointed at `base`, written to a temporary file.
fn chrome_fixture_at(base: &str) -> (tempfile_path::TempPath, String) {
    let text = std::fs::read_to_string(fixture("chrome-real.har")).expect("fixture");
    let mut v: Value = serde_json::from_str(&text).expect("json");
    for e in v["log"]["entries"].as_array_mut().expect("entries") {
        let url = e["request"]["url"].as_str().expect("url").to_string();
        e["request"]["url"] = json!(rebase(&url, base));
    }
    let text = serde_json::to_string(&v).expect("json");
    let path = tempfile_path::TempPath::new("har", &text);
    (path, text)
}

/// A temporary file removed when dropped.
mod tempfile_path {
    pub struct TempPath(pub std::path::PathBuf);
    impl TempPath {
        pub fn new(tag: &str, text: &str) -> TempPath {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let p = std::env::temp_dir().join(format!(
                "cors-doctor-{tag}-{}-{}.har",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::write(&p, text).expect("write temp file");
            TempPath(p)
        }
        pub fn arg(&self) -> String {
            self.0.display().to_string()
        }
    }
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

fn out(o: &std::process::Output) -> (i32, String, String) {
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[tokio::test]
async fn the_command_sends_nothing_unless_live_and_then_only_safe_requests() {
    let gw = Flipping::start(
        FakeGateway {
            preflight: Canned::good_preflight(APP, "GET,POST,OPTIONS", "content-type"),
            actual: Canned::gateway(429, "TooManyRequestsException", "Too Many Requests"),
            bare: None,
        },
        FakeGateway {
            preflight: Canned::new(200),
            actual: Canned::new(200),
            bare: None,
        },
    )
    .await;
    let (file, _) = chrome_fixture_at(&gw.server.base_url());
    // The list: failures first, exit 1, nothing sent.
    let (code, stdout, stderr) =
        out(&common::cors_doctor(common::args(&["har", &file.arg()])).await);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("4 cross-origin requests, 3 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("blocked at the preflight (PreflightMissingAllowOriginHeader)"),
        "{stdout}"
    );
    // One report per selected entry, as JSON in the har/v1 wrapper; still nothing sent.
    let (code, stdout, _) = out(&common::cors_doctor(common::args(&[
        "har",
        &file.arg(),
        "--entry",
        "3",
        "--format",
        "json",
    ]))
    .await);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["schema"], "cors-doctor/har/v1");
    assert_eq!(v["reports"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["reports"][0]["entry"], 3);
    assert_eq!(v["reports"][0]["preflight_entry"], 4);
    assert_eq!(v["reports"][0]["report"]["schema"], "cors-doctor/report/v1");
    assert_eq!(v["reports"][0]["report"]["first_failing_step"], 3);
    assert_eq!(v["reports"][0]["report"]["steps"][0]["status"], "unknown");
    assert!(gw.methods().is_empty(), "sent: {:?}", gw.methods());
    // --live, a POST: only the OPTIONS preflights are sent, and stderr says why.
    let (_, _, stderr) = out(&common::cors_doctor(common::args(&[
        "har",
        &file.arg(),
        "--entry",
        "3",
        "--live",
    ]))
    .await);
    assert!(stderr.contains("--yes"), "{stderr}");
    let mut sent = gw.methods();
    sent.sort();
    assert_eq!(sent, vec!["OPTIONS", "OPTIONS"]);
    // --live --yes: the POST too, with and without Origin.
    let (_, stdout, _) = out(&common::cors_doctor(common::args(&[
        "har",
        &file.arg(),
        "--entry",
        "3",
        "--live",
        "--yes",
    ]))
    .await);
    let posts = gw.methods().iter().filter(|m| *m == "POST").count();
    assert_eq!(posts, 2, "{stdout}");
    // --live on a GET: sent with and without Origin; the hidden 429 is now seen.
    let before = gw.methods().len();
    let (code, stdout, _) = out(&common::cors_doctor(common::args(&[
        "har",
        &file.arg(),
        "--url",
        "/search",
        "--live",
        "--format",
        "json",
    ]))
    .await);
    assert_eq!(code, 1);
    let gets = gw.methods()[before..]
        .iter()
        .filter(|m| *m == "GET")
        .count();
    assert_eq!(gets, 2);
    let v: Value = serde_json::from_str(&stdout).expect("json");
    let report = &v["reports"][0]["report"];
    assert_eq!(report["browser"]["outcome"], "blocked");
    assert_eq!(
        report["steps"][0]["status"], "fail",
        "step 1 sees the 429 without Origin"
    );
}

#[tokio::test]
async fn entries_that_are_not_requests_are_refused_with_the_entry_to_give() {
    let (file, _) = chrome_fixture_at("http://127.0.0.1:9");
    let (code, _, stderr) =
        out(&common::cors_doctor(common::args(&["har", &file.arg(), "--entry", "4"])).await);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is a preflight") && stderr.contains("--entry 3"),
        "{stderr}"
    );
    let (code, _, stderr) =
        out(&common::cors_doctor(common::args(&["har", &file.arg(), "--entry", "99"])).await);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("does not exist (the file has 7 entries)"),
        "{stderr}"
    );
    let (code, _, stderr) =
        out(&common::cors_doctor(common::args(&["har", &file.arg(), "--url", "nowhere"])).await);
    assert_eq!(code, 2);
    assert!(stderr.contains("no cross-origin request"), "{stderr}");
}

/// A HAR full of secrets in every place a HAR holds them.
fn secret_har(base: &str) -> String {
    json!({"log": {"creator": {"name": "WebInspector"}, "entries": [
        {"_resourceType": "fetch",
         "request": {"method": "GET", "url": format!("{base}/prod/me?access_token=QueryTok3n5ecret99"),
            "headers": [
                {"name": "Origin", "value": APP},
                {"name": "Authorization", "value": "Bearer eyJhbGciOiJIUzI1NiJ9.SecretJwtBody.Sig"},
                {"name": "Cookie", "value": "sid=CookieSecretValue42; theme=dark"},
                {"name": "X-Api-Key", "value": "ApiKeySecret0123456789"}],
            "cookies": [{"name": "sid", "value": "CookieSecretValue42"}],
            "postData": {"mimeType": "application/json", "text": "{\"password\":\"BodyPassw0rdSecret\"}"}},
         "response": {"status": 200, "headers": [
                {"name": "Set-Cookie", "value": "session=SetCookieSecret77; HttpOnly"},
                {"name": "x-amzn-RequestId", "value": "r"}],
            "cookies": [{"name": "session", "value": "SetCookieSecret77"}],
            "content": {"mimeType": "application/json", "text": "{\"token\":\"ResponseTokenSecret55\"}"}}}
    ]}})
    .to_string()
}

const SECRETS: [&str; 8] = [
    "QueryTok3n5ecret99",
    "SecretJwtBody",
    "CookieSecretValue42",
    "ApiKeySecret0123456789",
    "BodyPassw0rdSecret",
    "SetCookieSecret77",
    "ResponseTokenSecret55",
    "eyJhbGciOiJIUzI1NiJ9",
];

#[tokio::test]
async fn secrets_in_a_har_are_masked_in_every_output_and_the_file_is_untouched() {
    let gw = FakeGateway {
        preflight: Canned::good_preflight(APP, "GET", "authorization,x-api-key"),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", APP),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let text = secret_har(&gw.base_url());
    let file = tempfile_path::TempPath::new("secrets", &text);
    let log = std::env::temp_dir().join(format!("cors-doctor-har-log-{}.txt", std::process::id()));
    let mut outputs = Vec::new();
    for extra in [
        vec![],
        vec!["--format", "json"],
        vec!["--format", "markdown"],
        vec!["--entry", "1"],
        vec!["--entry", "1", "--format", "json"],
        vec!["--entry", "1", "--format", "markdown"],
        vec!["--entry", "1", "--live"],
        vec!["--url", "nothing-matches"],
    ] {
        let mut a = common::args(&["har", &file.arg(), "--log-file", &log.display().to_string()]);
        a.extend(extra.iter().map(|s| s.to_string()));
        let (_, stdout, stderr) = out(&common::cors_doctor(a).await);
        outputs.push(format!("{extra:?}\n{stdout}\n{stderr}"));
    }
    outputs.push(std::fs::read_to_string(&log).unwrap_or_default());
    let _ = std::fs::remove_file(&log);
    for o in &outputs {
        for s in SECRETS {
            assert!(!o.contains(s), "secret {s} shown in:\n{o}");
        }
    }
    assert!(
        outputs[3].contains("1. Confirm"),
        "the report was printed: {}",
        outputs[3]
    );
    assert_eq!(
        std::fs::read_to_string(&file.0).expect("file"),
        text,
        "the HAR is never written"
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn bad_hars_fail_clearly_or_list_what_was_skipped() {
    // Truncated: the entries before the cut are listed, the cut is named.
    let text = std::fs::read_to_string(fixture("firefox.har")).expect("fixture");
    let cut = &text[..text.len() * 2 / 3];
    let file = tempfile_path::TempPath::new("cut", cut);
    let (code, stdout, stderr) =
        out(&common::cors_doctor(common::args(&["har", &file.arg()])).await);
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(
        stdout.contains("Not read:") && stdout.contains("ends early"),
        "{stdout}"
    );
    assert!(stderr.contains("ends early"), "{stderr}");
    // Nothing usable: exit 2 with what to do.
    for (content, says) in [
        ("", "empty"),
        ("<html>", "not JSON"),
        ("{\"openapi\":\"3.0.1\"}", "not a HAR"),
        ("{\"log\":{\"entries\":[", "not JSON"),
    ] {
        let file = tempfile_path::TempPath::new("bad", content);
        let (code, _, stderr) =
            out(&common::cors_doctor(common::args(&["har", &file.arg()])).await);
        assert_eq!(code, 2, "{content}: {stderr}");
        assert!(stderr.contains(says), "{content}: {stderr}");
    }
    // Not a regular file, and a missing file.
    let (code, _, stderr) = out(&common::cors_doctor(common::args(&["har", "/dev/zero"])).await);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a regular file"), "{stderr}");
    let (code, _, stderr) =
        out(&common::cors_doctor(common::args(&["har", "/nonexistent/x.har"])).await);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read it"), "{stderr}");
    // Standard input.
    let text = std::fs::read_to_string(fixture("safari.har")).expect("fixture");
    let child = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
            .args(["har", "-", "--format", "json"])
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        c.stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
        c.wait_with_output().expect("wait")
    })
    .await
    .expect("join");
    let (code, stdout, _) = out(&child);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["browser"], "Safari");
    assert_eq!(v["entries"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn the_configuration_joins_the_recorded_evidence() {
    let export =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/options-missing.json");
    let (code, stdout, stderr) = out(&common::cors_doctor(common::args(&[
        "har",
        &fixture("firefox.har").display().to_string(),
        "--entry",
        "4",
        "--openapi",
        &export.display().to_string(),
        "--format",
        "json",
    ]))
    .await);
    assert_eq!(code, 1, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    let report = &v["reports"][0]["report"];
    assert_eq!(report["api"]["config_source"], "openapi");
    assert_eq!(report["first_failing_step"], 3);
    let cites_config = report["steps"][2]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| {
            f["evidence"]
                .as_array()
                .is_some_and(|e| e.iter().any(|x| x == "config"))
        });
    assert!(cites_config, "{report}");
}
