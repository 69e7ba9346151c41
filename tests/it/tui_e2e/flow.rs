//! The flow view (`v`, issue 18) on the real binary in tmux: the path of the blocked
//! preflight, the hop that answered, the block; Esc goes back to the evidence.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flow_view_in_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed; the end-to-end terminal test needs it");
        return;
    }
    let server = FakeGateway {
        preflight: Canned::gateway(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
        .h("Via", "1.1 d111111abcdef8.cloudfront.net (CloudFront)")
        .h("X-Cache", "Miss from cloudfront")
        .h("X-Amz-Cf-Pop", "FRA56-P1"),
        actual: Canned::integration(200).h("Access-Control-Allow-Origin", ORIGIN),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let script = format!(
        "cd {dir} && env NO_COLOR=1 XDG_STATE_HOME={dir}/state XDG_CONFIG_HOME={dir}/config {bin} {url}/prod/items --origin {ORIGIN} -H 'Authorization: Bearer abc.def'; sleep 60",
        dir = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_cors-doctor"),
        url = server.base_url(),
    );
    let tmux = Tmux::start("cdt-e2e-flow", 80, 24, &script);
    tmux.wait_for("the diagnosis", |s| s.contains("▶3 ✘ FAIL"))
        .await;
    tmux.keys("e");
    tmux.wait_for("the evidence", |s| s.contains("Request and response"))
        .await;
    tmux.keys("v");
    let screen = tmux
        .wait_for("the flow view", |s| s.contains("Flow: the path"))
        .await;
    assert!(screen.contains("x1 preflight · OPTIONS"), "{screen}");
    assert!(screen.contains("✔ CloudFront (Miss)"), "{screen}");
    assert!(screen.contains("✔ API Gateway"), "{screen}");
    assert!(screen.contains("✘ 403 route"), "{screen}");
    assert!(
        screen.contains("blocks the preflight (PreflightMissingAllowOriginHeader)"),
        "{screen}"
    );
    assert!(
        !screen.contains("abc.def"),
        "secrets stay masked:\n{screen}"
    );
    tmux.keys("Right");
    tmux.wait_for("the actual request's flow", |s| {
        s.contains("x2 actual · GET") && s.contains("never sends it")
    })
    .await;
    tmux.keys("Escape");
    tmux.wait_for("back to the evidence", |s| {
        s.contains("Request and response") && !s.contains("Flow: the path")
    })
    .await;
    tmux.keys("q");
}
