//! Terminal UI speed: time to the first frame, and the cost of one frame of each view,
//! including the API explorer over a generated 5,000-resource API.
//! `cargo bench --bench tui` (harness = false; std::time::Instant, no framework).
//! The real binary's time to its first frame in a terminal: scripts/bench-tui-start.sh.

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cors_doctor::config::Config;
use cors_doctor::gateway::model::{
    Api, ApiKind, AuthorizationType, Integration, IntegrationResponse, IntegrationType, Method,
    MethodResponse, Resource,
};
use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
use cors_doctor::plan::TargetArgs;
use cors_doctor::runner::RunEvent;
use cors_doctor::sim::SimServer;
use cors_doctor::tui::{self, Msg, NoScenarios, Options, StartMode};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

fn options(start: StartMode, args: TargetArgs) -> Options {
    Options {
        config: Config::default(),
        args,
        start,
        source: Arc::new(|_| Ok(None)),
        catalog: Arc::new(NoScenarios),
        last_path: None,
        color: true,
    }
}

fn stats(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pct = |p: usize| samples[(samples.len() - 1) * p / 100];
    println!(
        "{name:<44} median {:>9.3} ms   p99 {:>9.3} ms   max {:>9.3} ms   (n={})",
        pct(50).as_secs_f64() * 1e3,
        pct(99).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3,
        samples.len()
    );
}

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("no runtime: {e}");
            return;
        }
    };
    rt.block_on(bench());
}

async fn bench() {
    // First frame: state from config and session, the keymap, the learn text, one draw.
    let mut samples = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        let (state, _) = tui::initial_state(&options(StartMode::Form, TargetArgs::default()));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        terminal
            .draw(|f| tui::view::render(f, &state))
            .expect("draw");
        samples.push(t.elapsed());
        black_box(&terminal);
    }
    stats("first frame (form, 80x24, in process)", samples);

    // The same for a command-line start: state, keymap, learn text, the diagnosis view.
    let mut samples = Vec::new();
    for _ in 0..200 {
        let args = TargetArgs {
            url: Some("https://abc123.execute-api.us-east-1.amazonaws.com/prod/items".into()),
            origin: Some("https://app.example.com".into()),
            ..TargetArgs::default()
        };
        let t = Instant::now();
        let Ok(plan) = args.resolve(&Config::default()) else {
            return;
        };
        let (state, effects) =
            tui::initial_state(&options(StartMode::Diagnose(Box::new(plan)), args));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        terminal
            .draw(|f| tui::view::render(f, &state))
            .expect("draw");
        samples.push(t.elapsed());
        black_box((&terminal, effects));
    }
    stats("first frame (diagnosis starting, 80x24)", samples);

    // A finished diagnosis against a loopback server.
    let handler = Arc::new(|req: HttpRequest| -> HttpResponse {
        let mut headers = Headers::new()
            .with("content-type", "application/json")
            .with("x-amzn-RequestId", "8d5ff0a2-0000-4000-8000-000000000001");
        let status = if req.method == "OPTIONS" {
            headers.push("x-amzn-ErrorType", "MissingAuthenticationTokenException");
            403
        } else {
            headers.push("Access-Control-Allow-Origin", "https://app.example.com");
            200
        };
        HttpResponse {
            status,
            headers,
            body: b"{\"message\":\"Missing Authentication Token\"}".to_vec(),
        }
    });
    let server = match SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        handler,
        Duration::ZERO,
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot bind: {e}");
            return;
        }
    };
    let args = TargetArgs {
        url: Some(format!("{}/prod/items", server.base_url())),
        origin: Some("https://app.example.com".into()),
        headers: vec!["Authorization: Bearer x".into()],
        ..TargetArgs::default()
    };
    let Ok(plan) = args.resolve(&Config::default()) else {
        eprintln!("bad plan");
        return;
    };
    let plan_box = Box::new(plan.clone());
    let (mut state, effects) = tui::initial_state(&options(StartMode::Diagnose(plan_box), args));
    for e in effects {
        if let tui::Effect::StartRun { seq, plan } = e {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let _ = cors_doctor::runner::run_sealed(&plan, |_| Ok(None), None, Some(tx)).await;
            while let Ok(event) = rx.try_recv() {
                state.update(Msg::Run { seq, event });
            }
        }
    }
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        state.size = ratatui::layout::Rect::new(0, 0, w, h);
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        for (view, key) in [
            ("main", None),
            ("evidence", Some('e')),
            ("learn", Some('l')),
        ] {
            if view == "learn" {
                state.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
            }
            if let Some(k) = key {
                state.update(Msg::Key(KeyEvent::new(
                    KeyCode::Char(k),
                    KeyModifiers::NONE,
                )));
            }
            let mut samples = Vec::new();
            for i in 0..500 {
                // Alternate the selection so every frame has something to repaint.
                let code = if i % 2 == 0 {
                    KeyCode::Down
                } else {
                    KeyCode::Up
                };
                state.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
                let t = Instant::now();
                terminal
                    .draw(|f| tui::view::render(f, &state))
                    .expect("draw");
                samples.push(t.elapsed());
            }
            stats(&format!("frame: {view} {w}x{h}"), samples);
        }
        state.update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    }

    // The explorer over a 5,000-resource API: the model is built once when the run hands
    // over the configuration; each frame draws only the rows on screen.
    let api = generated_api(5_000);
    let seq = state.diag.as_ref().map_or(0, |d| d.seq);
    let mut samples = Vec::new();
    for _ in 0..20 {
        let event = RunEvent::ConfigLoaded {
            api: std::sync::Arc::new(api.clone()),
            stage: Some("prod".into()),
            path: "/r42/items".into(),
        };
        let t = Instant::now();
        state.update(Msg::Run { seq, event });
        samples.push(t.elapsed());
    }
    stats("explorer model, 5k resources (once per run)", samples);
    let rows = state.explorer.tree.as_ref().map_or(0, |t| t.rows.len());
    let key = |c: KeyCode| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    state.update(key(KeyCode::Char('t')));
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        state.size = ratatui::layout::Rect::new(0, 0, w, h);
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let mut samples = Vec::new();
        for i in 0..500 {
            // Page through the rows so that every frame shows different ones.
            let code = if i % 50 < 25 {
                KeyCode::PageDown
            } else {
                KeyCode::PageUp
            };
            state.update(key(code));
            let t = Instant::now();
            terminal
                .draw(|f| tui::view::render(f, &state))
                .expect("draw");
            samples.push(t.elapsed());
        }
        stats(
            &format!("frame: explorer 5k ({rows} rows) {w}x{h}"),
            samples,
        );
    }
    // A filter keystroke: refilter every row, then draw.
    state.size = ratatui::layout::Rect::new(0, 0, 80, 24);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    state.update(key(KeyCode::Char('/')));
    let mut samples = Vec::new();
    for i in 0..200 {
        let code = if i % 2 == 0 {
            KeyCode::Char('7')
        } else {
            KeyCode::Backspace
        };
        let t = Instant::now();
        state.update(key(code));
        terminal
            .draw(|f| tui::view::render(f, &state))
            .expect("draw");
        samples.push(t.elapsed());
    }
    stats("filter keystroke + frame, explorer 5k 80x24", samples);
    server.shutdown().await;
}

/// A REST API with `n` resources, each with a proxied GET and a MOCK OPTIONS that declares
/// and maps the Allow-* headers (every 7th leaves Allow-Headers unmapped).
fn generated_api(n: usize) -> Api {
    let allow = [
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
    ];
    let resources = (0..n)
        .map(|i| {
            let get = Method {
                http_method: "GET".into(),
                authorization: if i % 3 == 0 {
                    AuthorizationType::CognitoUserPools
                } else {
                    AuthorizationType::None
                },
                integration: Some(Integration::new(IntegrationType::AwsProxy)),
                ..Method::default()
            };
            let mut integration = Integration::new(IntegrationType::Mock);
            integration.responses.push(IntegrationResponse {
                selection_pattern: "default".into(),
                status_code: "200".into(),
                response_parameters: allow
                    .iter()
                    .filter(|h| i % 7 != 0 || !h.ends_with("Headers"))
                    .map(|h| (format!("method.response.header.{h}"), "'*'".to_string()))
                    .collect(),
                ..IntegrationResponse::default()
            });
            let options = Method {
                http_method: "OPTIONS".into(),
                responses: vec![MethodResponse {
                    status_code: "200".into(),
                    headers: allow.iter().map(|h| h.to_string()).collect(),
                    ..MethodResponse::default()
                }],
                integration: Some(integration),
                ..Method::default()
            };
            let path = if i % 2 == 0 {
                format!("/r{i}/items")
            } else {
                format!("/r{i}/items/{{id}}")
            };
            Resource {
                path,
                methods: vec![get, options],
                ..Resource::default()
            }
        })
        .collect();
    Api {
        kind: ApiKind::Rest,
        name: "generated".into(),
        resources,
        ..Api::default()
    }
}
