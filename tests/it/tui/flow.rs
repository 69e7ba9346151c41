//! The flow overlay (`v`, issue 18): the path of each exchange at 80×24 and 160×48, without
//! colour (the marks carry the meaning), for an authorizer's 401 hidden by CORS, a healthy
//! run, and a preflight CloudFront answers itself.

use super::*;

const CLOUDFRONT_VIA: &str = "1.1 d111111abcdef8.cloudfront.net (CloudFront)";

async fn serve(preflight: Canned, actual: Canned) -> SimServer {
    FakeGateway {
        preflight,
        actual,
        bare: None,
    }
    .start(Duration::ZERO)
    .await
}

async fn authorizer_401() -> SimServer {
    serve(
        Canned::gateway(401, "UnauthorizedException", "Unauthorized"),
        Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
    )
    .await
}

async fn healthy() -> SimServer {
    serve(
        Canned::good_preflight(ORIGIN, "GET,OPTIONS", "authorization")
            .h("Via", CLOUDFRONT_VIA)
            .h("X-Cache", "Miss from cloudfront")
            .h("X-Amz-Cf-Pop", "FRA56-P1"),
        Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .h("Via", CLOUDFRONT_VIA)
            .h("X-Cache", "Miss from cloudfront")
            .h("X-Amz-Cf-Pop", "FRA56-P1")
            .body("{\"items\":[]}"),
    )
    .await
}

/// CloudFront refuses OPTIONS (not in the distribution's allowed methods): its own 403,
/// no API Gateway headers.
async fn cloudfront_403() -> SimServer {
    serve(
        Canned::new(403)
            .h("content-type", "text/html")
            .h("Via", CLOUDFRONT_VIA)
            .h("X-Cache", "Error from cloudfront")
            .h("X-Amz-Cf-Pop", "FRA56-P1")
            .h("X-Amz-Cf-Id", "abc123==")
            .body("<HTML><BODY>403 ERROR</BODY></HTML>"),
        Canned::integration(200)
            .h("Access-Control-Allow-Origin", ORIGIN)
            .h("Via", CLOUDFRONT_VIA)
            .h("X-Cache", "Miss from cloudfront"),
    )
    .await
}

async fn diagnosed(server: &SimServer, w: u16, h: u16) -> Ui {
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    Ui::new(w, h, options(StartMode::Diagnose(Box::new(plan)), args)).await
}

#[tokio::test]
pub(super) async fn the_flow_view_at_80x24_and_160x48() {
    let cases = [
        ("authorizer", authorizer_401().await),
        ("healthy", healthy().await),
        ("cloudfront", cloudfront_403().await),
    ];
    for (name, server) in &cases {
        for (w, h) in [(80u16, 24u16), (160, 48)] {
            let mut ui = diagnosed(server, w, h).await;
            ui.press("v").await;
            assert!(ui.state.flow.is_some(), "{name}: {}", ui.screen());
            snapshot(&format!("flow_{name}_{w}x{h}"), &ui.screen());
        }
    }
}

#[tokio::test]
pub(super) async fn the_flow_view_marks_the_answering_hop_and_the_block() {
    let server = authorizer_401().await;
    let mut ui = diagnosed(&server, 80, 24).await;
    ui.press("v").await;
    let screen = ui.screen();
    // Opened on the blocked preflight: the authorizer answered 401, the browser hid it.
    assert!(screen.contains("x1 preflight · OPTIONS"), "{screen}");
    // (No stage in a loopback URL: API Gateway without one.)
    assert!(screen.contains("│ ✔ API Gateway"), "{screen}");
    assert!(!screen.contains("API Gateway prod"), "{screen}");
    assert!(screen.contains("✘ 401 authorizer"), "{screen}");
    assert!(screen.contains("UnauthorizedException"), "{screen}");
    assert!(
        screen.contains("✘ blocks the preflight (PreflightMissingAllowOriginHeader)"),
        "{screen}"
    );
    assert!(screen.contains("the 401 from the page"), "{screen}");
    assert_eq!(ui.state.flows()[0].hidden_status, Some(401));
    // → the actual request: the browser never sends it.
    ui.press("right").await;
    let screen = ui.screen();
    assert!(screen.contains("x2 actual · GET"), "{screen}");
    assert!(screen.contains("never sends it"), "{screen}");
    assert!(screen.contains("✔ 200 backend"), "{screen}");
    // Arrows stop at the ends; Esc closes the overlay and leaves the screen beneath.
    ui.press("right right right right").await;
    assert_eq!(ui.state.flow, Some(ui.state.flows().len() - 1));
    ui.press("left").await;
    assert_eq!(ui.state.flow, Some(ui.state.flows().len() - 2));
    ui.press("esc").await;
    assert_eq!(ui.state.flow, None);
    assert_eq!(ui.state.screen, Screen::Main);
    // From the evidence view it opens on the selected exchange.
    ui.press("e j v").await;
    let screen = ui.screen();
    assert_eq!(ui.state.flow, Some(1), "{screen}");
    // The key is in the help overlay.
    ui.press("esc ?").await;
    let screen = ui.screen();
    assert!(
        screen
            .lines()
            .any(|l| l.contains(" v ") && l.contains(" flow")),
        "{screen}"
    );
}

#[tokio::test]
pub(super) async fn a_preflight_cloudfront_answers_stops_at_cloudfront() {
    let server = cloudfront_403().await;
    let mut ui = diagnosed(&server, 160, 48).await;
    ui.press("v").await;
    let screen = ui.screen();
    assert!(screen.contains("CloudFront (Error)"), "{screen}");
    assert!(screen.contains("answered 403"), "{screen}");
    assert!(
        screen.contains("Answered: CloudFront (Error), 403"),
        "{screen}"
    );
    assert!(!screen.contains("API Gateway"), "{screen}");
    // The report behind it says the same (one source).
    let flows = ui.state.flows();
    assert_eq!(flows[0].answering().unwrap().label, "CloudFront (Error)");
    assert_eq!(flows[0].hidden_status, Some(403));
}
