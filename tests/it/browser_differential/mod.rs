//! The differential suite: hundreds of generated cases (the app's method, headers, body and
//! credentials mode × the server's statuses and CORS headers, with duplicates, wildcards, case,
//! whitespace and redirects), each played by one loopback server, judged by the engine and by a
//! real headless Chromium. They must agree on the outcome and the CorsError (name and failed
//! parameter), and on whether a preflight is sent and what it asks for.
//!
//! Without Chromium the suite is skipped with a message, unless CORS_DOCTOR_REQUIRE_CHROMIUM is
//! set (CI sets it; scripts/install-chromium.sh installs Chromium).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cors_doctor::browser::{BrowserError, BrowserObservation, Chromium, LaunchOptions};
use cors_doctor::cors::{
    self, is_redirect_status, Mode, Observed, Outcome, Verdict, AUTHORIZATION_COVERED_BY_WILDCARD,
};
use cors_doctor::evidence::RecordedResponse;
use cors_doctor::evidence::{FailureKind, TransportError};
use cors_doctor::http::{HttpRequest, HttpResponse};
use cors_doctor::sim::SimServer;
use cors_doctor::target::{CredentialsMode, Target};

const ORIGIN: &str = "https://app.example.com";
const CASES: usize = 560;
const CONCURRENCY: usize = 8;
const SEED: u64 = 0x0c0d_5d0c;

// ---------------------------------------------------------------- a deterministic generator

struct Rng(u64);

impl Rng {
    /// splitmix64
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[derive(Clone, Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Resp {
    fn new(status: u16) -> Self {
        Resp {
            status,
            headers: Vec::new(),
        }
    }
    fn set(&mut self, name: &str, value: &str) {
        self.remove(name);
        self.headers.push((name.to_string(), value.to_string()));
    }
    fn add(&mut self, name: &str, value: &str) {
        self.headers.push((name.to_string(), value.to_string()));
    }
    fn remove(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
    fn recorded(&self) -> RecordedResponse {
        RecordedResponse {
            status: self.status,
            headers: self.headers.iter().cloned().collect(),
            body_excerpt: String::new(),
            body_truncated: false,
        }
    }
    fn http(&self) -> HttpResponse {
        HttpResponse {
            status: self.status,
            headers: self.headers.iter().cloned().collect(),
            body: b"{\"case\":true}".to_vec(),
        }
    }
    fn describe(&self) -> String {
        let h: Vec<String> = self
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v:?}"))
            .collect();
        format!("{} [{}]", self.status, h.join("; "))
    }
}

#[derive(Clone, Debug)]
struct Case {
    id: usize,
    method: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    credentials: CredentialsMode,
    preflight: Resp,
    actual: Resp,
    /// The answer at `/c/{id}/final`, where the actual response may redirect.
    final_: Resp,
    mutations: Vec<String>,
    /// Nothing listens at the target: the connection is refused.
    refused: bool,
}

impl Case {
    fn path(&self) -> String {
        format!("/c/{}", self.id)
    }
    fn target(&self, base: &str, closed: &str) -> Target {
        let base = if self.refused { closed } else { base };
        Target {
            url: url::Url::parse(&format!("{base}{}", self.path())).unwrap(),
            origin: ORIGIN.to_string(),
            method: self.method.clone(),
            headers: self.headers.iter().cloned().collect(),
            body: self.body.clone(),
            credentials: self.credentials,
        }
    }
    fn describe(&self) -> String {
        let h: Vec<String> = self
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v:?}"))
            .collect();
        format!(
            "case {}: fetch {} [{}] body={:?} credentials={} refused={} | mutations: {} | preflight {} | actual {} | final {}",
            self.id,
            self.method,
            h.join("; "),
            self.body,
            self.credentials.as_str(),
            self.refused,
            self.mutations.join(", "),
            self.preflight.describe(),
            self.actual.describe(),
            self.final_.describe(),
        )
    }
}

const METHODS: [&str; 9] = [
    "GET", "GET", "POST", "PUT", "DELETE", "PATCH", "patch", "HEAD", "put",
];

type HeaderSet = &'static [(&'static str, &'static str)];
const HEADER_SETS: [HeaderSet; 16] = [
    &[],
    &[],
    &[("Authorization", "Bearer abc.def")],
    &[("Authorization", "Bearer abc.def")],
    &[("Content-Type", "application/json")],
    &[("Content-Type", "text/plain")],
    &[("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")],
    &[("X-Api-Key", "k-123"), ("Authorization", "Bearer t")],
    &[("Accept", "application/json"), ("Accept-Language", "en-US,en;q=0.9")],
    &[("Content-Language", "de (ch)")],
    &[("Range", "bytes=0-99")],
    &[("Range", "bytes=0-99,200-300")],
    &[("Cookie", "session=1"), ("X-Requested-With", "XMLHttpRequest")],
    &[("X-Amz-Date", "20261125T000000Z"), ("x-amz-security-token", "tok")],
    &[("Content-Type", "application/json"), ("Authorization", "Bearer t")],
    &[("Accept", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/json")],
];

const BODIES: [&str; 3] = ["{\"a\":1}", "a=1&b=2", "plain text"];

fn generate(count: usize) -> Vec<Case> {
    let mut rng = Rng(SEED);
    (0..count).map(|id| generate_one(id, &mut rng)).collect()
}

fn generate_one(id: usize, rng: &mut Rng) -> Case {
    let method = rng.pick(&METHODS).to_string();
    let headers: Vec<(String, String)> = rng
        .pick(&HEADER_SETS)
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let can_have_body = !matches!(method.as_str(), "GET" | "HEAD");
    // fetch() refuses a body with GET or HEAD (a TypeError): a few such cases too.
    let body = if can_have_body {
        rng.chance(60).then(|| rng.pick(&BODIES).to_string())
    } else {
        rng.chance(2).then(|| rng.pick(&BODIES).to_string())
    };
    let refused = rng.chance(3);
    let credentials = *rng.pick(&[
        CredentialsMode::Omit,
        CredentialsMode::SameOrigin,
        CredentialsMode::Include,
    ]);
    let mut case = Case {
        id,
        method,
        headers,
        body,
        credentials,
        preflight: Resp::new(200),
        actual: Resp::new(200),
        final_: Resp::new(200),
        mutations: Vec::new(),
        refused,
    };
    // The target's URL does not matter to the plan (always cross-origin here).
    let plan = cors::plan(&case.target("http://127.0.0.1:1", "http://127.0.0.1:1"));
    let include = credentials == CredentialsMode::Include;

    // Answers that let this request through…
    let pre = &mut case.preflight;
    pre.add("Access-Control-Allow-Origin", ORIGIN);
    pre.add(
        "Access-Control-Allow-Methods",
        &format!("GET, POST, OPTIONS, {}", plan.method),
    );
    if !plan.request_headers.is_empty() {
        pre.add(
            "Access-Control-Allow-Headers",
            &plan.request_headers.join(", "),
        );
    }
    if include {
        pre.add("Access-Control-Allow-Credentials", "true");
    }
    for r in [&mut case.actual, &mut case.final_] {
        r.add("Content-Type", "application/json");
        r.add("Access-Control-Allow-Origin", ORIGIN);
        if include {
            r.add("Access-Control-Allow-Credentials", "true");
        }
    }
    // …then break them a little (or not at all).
    let mutations = *rng.pick(&[0usize, 1, 1, 1, 1, 2, 2, 2]);
    for _ in 0..mutations {
        let on_preflight = plan.required && rng.chance(50);
        let name = if on_preflight {
            mutate_preflight(&mut case, &plan.method, &plan.request_headers, rng)
        } else {
            mutate_actual(&mut case, plan.required, rng)
        };
        case.mutations.push(name);
    }
    case
}

/// Allow-Origin variants, shared by the preflight and the actual response.
fn mutate_allow_origin(r: &mut Resp, rng: &mut Rng) -> String {
    const ACAO: &str = "Access-Control-Allow-Origin";
    match rng.below(11) {
        0 => {
            r.remove(ACAO);
            "no allow-origin".into()
        }
        1 => {
            r.set(ACAO, "*");
            "allow-origin *".into()
        }
        2 => {
            r.set(ACAO, "https://other.example.com");
            "allow-origin other".into()
        }
        3 => {
            r.set(ACAO, "https://app.example.com/");
            "allow-origin trailing slash".into()
        }
        4 => {
            r.set(ACAO, ORIGIN);
            r.add(ACAO, ORIGIN);
            "allow-origin twice (same value)".into()
        }
        5 => {
            r.set(ACAO, ORIGIN);
            r.add(ACAO, "https://other.example.com");
            "allow-origin twice".into()
        }
        6 => {
            r.set(ACAO, "https://app.example.com, https://other.example.com");
            "allow-origin list".into()
        }
        7 => {
            r.set(ACAO, "null");
            "allow-origin null".into()
        }
        8 => {
            r.set(ACAO, "HTTPS://APP.EXAMPLE.COM");
            "allow-origin upper case".into()
        }
        9 => {
            r.set(ACAO, "\t https://app.example.com  ");
            "allow-origin padded".into()
        }
        _ => {
            r.set(ACAO, "app.example.com");
            "allow-origin no scheme".into()
        }
    }
}

fn mutate_allow_credentials(r: &mut Resp, rng: &mut Rng) -> String {
    const ACAC: &str = "Access-Control-Allow-Credentials";
    match rng.below(5) {
        0 => {
            r.remove(ACAC);
            "no allow-credentials".into()
        }
        1 => {
            r.set(ACAC, "True");
            "allow-credentials True".into()
        }
        2 => {
            r.set(ACAC, "false");
            "allow-credentials false".into()
        }
        3 => {
            r.set(ACAC, "true");
            r.add(ACAC, "true");
            "allow-credentials twice".into()
        }
        _ => {
            r.set(ACAC, " true ");
            "allow-credentials padded".into()
        }
    }
}

fn mutate_preflight(
    case: &mut Case,
    method: &str,
    unsafe_headers: &[String],
    rng: &mut Rng,
) -> String {
    const ACAM: &str = "Access-Control-Allow-Methods";
    const ACAH: &str = "Access-Control-Allow-Headers";
    let r = &mut case.preflight;
    let name = match rng.below(20) {
        0..=4 => mutate_allow_origin(r, rng),
        5..=6 => mutate_allow_credentials(r, rng),
        7 => {
            let status = *rng.pick(&[204u16, 403, 404, 500, 401]);
            r.status = status;
            format!("preflight {status}")
        }
        8 => {
            r.status = 403;
            r.headers
                .retain(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-"));
            r.add("x-amzn-ErrorType", "MissingAuthenticationTokenException");
            "preflight 403 without CORS headers".into()
        }
        9 => {
            let status = *rng.pick(&[301u16, 302, 307]);
            r.status = status;
            r.set("Location", &format!("/c/{}/final", case.id));
            format!("preflight redirect {status}")
        }
        10 => {
            r.remove(ACAM);
            "no allow-methods".into()
        }
        11 => {
            r.set(ACAM, &method.to_ascii_lowercase());
            "allow-methods lower case".into()
        }
        12 => {
            r.set(ACAM, &method.to_ascii_uppercase());
            "allow-methods upper case".into()
        }
        13 => {
            r.set(ACAM, "*");
            "allow-methods *".into()
        }
        14 => {
            let bad: &&str = rng.pick(&["GET POST", "GET;PUT", "GET, (PUT)"]);
            r.set(ACAM, bad);
            "allow-methods unparsable".into()
        }
        15 => {
            r.set(ACAM, "GET");
            r.add(ACAM, &format!(" {method} ,"));
            "allow-methods split over two fields".into()
        }
        16 => {
            r.set(ACAH, "*");
            "allow-headers *".into()
        }
        17 => {
            r.remove(ACAH);
            "no allow-headers".into()
        }
        18 => {
            let upper: Vec<String> = unsafe_headers
                .iter()
                .map(|h| h.to_ascii_uppercase())
                .collect();
            r.set(ACAH, &format!(" {} ", upper.join(" ,\t")));
            "allow-headers upper case, padded".into()
        }
        _ => match rng.below(3) {
            0 => {
                r.set(ACAH, "authorization content-type");
                "allow-headers unparsable".into()
            }
            1 => {
                let first = unsafe_headers.first().cloned().unwrap_or_default();
                r.set(ACAH, &first);
                "allow-headers only the first".into()
            }
            _ => {
                r.set(ACAH, "x-other");
                for h in unsafe_headers {
                    r.add(ACAH, h);
                }
                "allow-headers split over fields".into()
            }
        },
    };
    name
}

fn mutate_actual(case: &mut Case, preflighted: bool, rng: &mut Rng) -> String {
    let id = case.id;
    let simple_get = !preflighted && case.method == "GET";
    let r = &mut case.actual;
    match rng.below(14) {
        0..=4 => mutate_allow_origin(r, rng),
        5..=6 => mutate_allow_credentials(r, rng),
        7 => {
            let status = *rng.pick(&[401u16, 403, 429, 502, 504]);
            r.status = status;
            r.headers
                .retain(|(n, _)| !n.to_ascii_lowercase().starts_with("access-control-"));
            r.add("x-amzn-ErrorType", "SomeGatewayException");
            format!("actual {status} without CORS headers")
        }
        8 => {
            let status = *rng.pick(&[204u16, 500, 502]);
            r.status = status;
            format!("actual {status} with CORS headers")
        }
        9 | 10 => {
            let status = *rng.pick(&[307u16, 308]);
            r.status = status;
            r.set("Location", &format!("/c/{id}/final"));
            let mut name = format!("actual redirect {status} same origin");
            if rng.chance(50) {
                name.push_str(" + final: ");
                name.push_str(&mutate_allow_origin(&mut case.final_, rng));
            }
            name
        }
        11 => {
            r.status = 302;
            r.set(
                "Location",
                &format!("http://user:pw@127.0.0.1:{{PORT}}/c/{id}/final"),
            );
            "actual redirect with credentials".into()
        }
        12 if simple_get => {
            r.status = 302;
            r.set(
                "Location",
                &format!("http://localhost:{{PORT}}/c/{id}/final"),
            );
            let v = *rng.pick(&["null", "*", ORIGIN]);
            case.final_.set("Access-Control-Allow-Origin", v);
            format!("actual redirect to another origin, final allow-origin {v}")
        }
        _ => {
            r.status = 302;
            r.remove("Access-Control-Allow-Origin");
            r.set("Location", &format!("/c/{id}/final"));
            "actual redirect without allow-origin".into()
        }
    }
}

// ---------------------------------------------------------------- the engine's side

/// The engine's verdict, following a redirect of the actual request the way Fetch does (the
/// engine itself stops at a redirect and calls the outcome unknown).
fn engine(case: &Case, target: &Target, mode: Mode) -> Verdict {
    let plan = cors::plan(target);
    let pre = case.preflight.recorded();
    let act = case.actual.recorded();
    let refused = TransportError {
        kind: FailureKind::Connect,
        message: "connection refused".into(),
    };
    // fetch() throws before sending anything.
    if target.body.is_some() && matches!(plan.method.as_str(), "GET" | "HEAD") {
        return cors::verdict(target, &plan, Observed::NotSent, Observed::NotSent, mode);
    }
    let (preflight, actual) = match (case.refused, plan.required) {
        (true, true) => (Observed::Failed(&refused), Observed::NotSent),
        (true, false) => (Observed::NotSent, Observed::Failed(&refused)),
        (false, true) => (Observed::Response(&pre), Observed::Response(&act)),
        (false, false) => (Observed::NotSent, Observed::Response(&act)),
    };
    let v = cors::verdict(target, &plan, preflight, actual, mode);
    let redirected = !case.refused
        && v.outcome == Outcome::Unknown
        && v.cors_error.is_none()
        && is_redirect_status(case.actual.status);
    if !redirected {
        return v;
    }
    let Some(location) = act.headers.get("location") else {
        return v;
    };
    let Ok(next) = target.url.join(location) else {
        return v;
    };
    let mut hop = target.clone();
    if next.origin() != target.url.origin() {
        // A cross-origin hop taints the request's origin: it is serialized as "null".
        hop.origin = "null".to_string();
    }
    hop.url = next;
    let plan = cors::plan(&hop);
    let fin = case.final_.recorded();
    let preflight = if plan.required {
        Observed::Response(&pre)
    } else {
        Observed::NotSent
    };
    let mut v2 = cors::verdict(&hop, &plan, preflight, Observed::Response(&fin), mode);
    v2.warnings.splice(0..0, v.warnings);
    // Chromium names both URLs after a redirect, and the page's origin (not the tainted
    // "null" it checked against).
    if let Some(m) = &mut v2.console_message {
        *m = m.replacen(
            &format!(
                "Access to fetch at '{}' from origin '{}'",
                hop.url, hop.origin
            ),
            &format!(
                "Access to fetch at '{}' (redirected from '{}') from origin '{}'",
                hop.url, target.url, target.origin
            ),
            1,
        );
    }
    v2
}

// ---------------------------------------------------------------- comparing

struct Judged {
    case: Case,
    chrome_today: Verdict,
    spec: Verdict,
    observed: Result<BrowserObservation, BrowserError>,
    target: Target,
}

fn disagreement(j: &Judged) -> Option<String> {
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
async fn chromium() -> Option<Chromium> {
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

fn substitute_port(case: &mut Case, port: u16) {
    for r in [&mut case.preflight, &mut case.actual, &mut case.final_] {
        for (_, v) in &mut r.headers {
            *v = v.replace("{PORT}", &port.to_string());
        }
    }
}

#[test]
fn the_generator_is_deterministic_and_covers_the_dimensions() {
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
async fn engine_and_chromium_agree_on_every_generated_case() {
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
