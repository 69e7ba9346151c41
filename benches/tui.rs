//! Terminal UI speed: time to the first frame, and the cost of one frame of each view.
//! `cargo bench --bench tui` (harness = false; std::time::Instant, no framework).

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cors_doctor::cli::TargetArgs;
use cors_doctor::config::Config;
use cors_doctor::http::{Headers, HttpRequest, HttpResponse};
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
            let _ = cors_doctor::runner::run(&plan, None, Some(tx)).await;
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
    server.shutdown().await;
}
