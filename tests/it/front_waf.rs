//! The failure classes of AWS WAF, Lambda function URLs and load balancers (issue 18 items 4
//! and 6), through the real binary: each scenario served by the simulator (`demo NAME`,
//! which probes it live with the scenario as configuration), and answers a real service
//! gives that no configuration explains (a load balancer's own 502 page, a 403
//! `ForbiddenException` with no configuration read), probed with `check`.

use crate::common;

use std::time::Duration;

use common::{check_json, codes, Canned, FakeGateway};

const ORIGIN: &str = "https://app.example.com";

async fn demo(name: &str, preview: bool) -> (i32, serde_json::Value, String) {
    let mut a = common::args(&["demo", name, "--format", "json"]);
    if preview {
        a.push("--preview".into());
    }
    let out = common::cors_doctor(a).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    let raw = format!(
        "{stdout}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), json, raw)
}

fn exchange<'a>(report: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    report["exchanges"]
        .as_array()
        .and_then(|xs| xs.iter().find(|x| x["kind"] == kind))
        .unwrap_or(&serde_json::Value::Null)
}

fn step(report: &serde_json::Value, n: u64) -> &serde_json::Value {
    report["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["number"] == n))
        .unwrap_or(&serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waf_block_without_cors_is_waf_blocked_and_the_preview_flips() {
    let (code, r, raw) = demo("waf-blocked-no-cors", true).await;
    assert_eq!(code, 1, "{raw}");
    let c = codes(&r);
    assert!(c.iter().any(|c| c == "WAF_BLOCKED"), "{c:?}\n{raw}");
    // Not blamed on an API key, nor on the integration's headers.
    assert!(
        !c.iter()
            .any(|c| c == "GATEWAY_RESPONSE_NO_CORS" || c == "ACTUAL_CORS_HEADERS"),
        "{c:?}"
    );
    let act = exchange(&r, "actual");
    assert_eq!(act["answered_by"], "waf", "{raw}");
    assert_eq!(act["response"]["status"], 403);
    assert_eq!(exchange(&r, "no-origin")["answered_by"], "waf", "{raw}");
    assert_eq!(exchange(&r, "preflight")["answered_by"], "backend", "{raw}");
    assert_eq!(r["browser"]["cors_error"], "MissingAllowOriginHeader");
    assert_eq!(r["browser"]["hidden_status"], 403);
    assert_eq!(step(&r, 6)["status"], "fail", "{raw}");
    let text = raw.to_lowercase();
    assert!(
        text.contains("block-script-tags"),
        "the rule is named: {raw}"
    );
    // The fix keeps the rule: CORS on the gateway responses, never a wafv2 call.
    assert!(raw.contains("put-gateway-response"), "{raw}");
    assert!(!raw.contains("wafv2"), "{raw}");
    assert_eq!(r["preview"]["result"], "allowed", "{}", r["preview"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waf_block_with_cors_shows_the_real_403_and_names_waf() {
    let (code, r, raw) = demo("waf-blocked-cors-healthy", false).await;
    // The request fails without a browser too (the rule blocks it): step 1 fails, CORS passes.
    assert_eq!(code, 1, "{raw}");
    assert_eq!(r["browser"]["outcome"], "allowed", "{raw}");
    assert!(r["browser"]["hidden_status"].is_null(), "{raw}");
    let act = exchange(&r, "actual");
    assert_eq!(act["answered_by"], "waf");
    assert_eq!(act["response"]["status"], 403);
    let s6 = step(&r, 6);
    assert_eq!(s6["status"], "warn", "{raw}");
    let f = &s6["findings"][0];
    assert_eq!(f["code"], "WAF_BLOCKED");
    assert_eq!(f["severity"], "warning");
    assert!(codes(&r).iter().all(|c| c != "BROWSER_BLOCKED"), "{raw}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn function_url_duplicate_cors_is_named_and_api_gateway_is_not_blamed() {
    let (code, r, raw) = demo("function-url-duplicate-cors", true).await;
    assert_eq!(code, 1, "{raw}");
    assert_eq!(r["first_failing_step"], 5, "{raw}");
    let c = codes(&r);
    assert!(
        c.iter().any(|c| c == "FUNCTION_URL_DUPLICATE_CORS"),
        "{c:?}"
    );
    assert!(
        !c.iter()
            .any(|c| c.starts_with("OPTIONS_") || c.starts_with("GATEWAY_RESPONSE")),
        "API Gateway's steps blame nothing: {c:?}"
    );
    for kind in ["preflight", "actual", "no-origin"] {
        assert_eq!(
            exchange(&r, kind)["answered_by"],
            "function-url",
            "{kind}: {raw}"
        );
    }
    assert_eq!(r["browser"]["cors_error"], "MultipleAllowOriginValues");
    assert_eq!(r["browser"]["hidden_status"], 201);
    for n in [3, 4, 6] {
        let s = step(&r, n);
        assert_eq!(s["status"], "skip", "step {n}: {s}");
        assert!(
            s["summary"]
                .as_str()
                .unwrap_or_default()
                .contains("API Gateway is not involved"),
            "step {n}: {s}"
        );
    }
    assert!(
        raw.contains("aws lambda update-function-url-config"),
        "{raw}"
    );
    assert_eq!(r["preview"]["result"], "allowed", "{}", r["preview"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_balancers_own_502_is_the_load_balancers() {
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>awselb/2.0</center>\r\n</body>\r\n</html>\r\n";
    let alb = || {
        Canned::new(502)
            .h("Server", "awselb/2.0")
            .h("Content-Type", "text/html")
            .body(page)
    };
    let server = FakeGateway {
        preflight: alb(),
        actual: alb(),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let (code, r, raw) = check_json(&[
        &url,
        "--origin",
        ORIGIN,
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
    ])
    .await;
    server.shutdown().await;
    assert_eq!(code, 1, "{raw}");
    assert_eq!(
        exchange(&r, "preflight")["answered_by"],
        "load-balancer",
        "{raw}"
    );
    assert_eq!(
        exchange(&r, "actual")["answered_by"],
        "load-balancer",
        "{raw}"
    );
    let c = codes(&r);
    assert!(!c.iter().any(|c| c.starts_with("OPTIONS_")), "{c:?}\n{raw}");
    let s3 = step(&r, 3);
    assert!(
        s3["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("load balancer"),
        "{s3}"
    );
    assert_eq!(r["browser"]["hidden_status"], 502, "{raw}");
}

/// `demo load-balancer-target-unhealthy`: the simulator's load balancer answers its own 502
/// page (its target refuses connections); the tool says the load balancer answered, names
/// LOAD_BALANCER_ERROR_NO_CORS with the targets as the fix, and blames neither API Gateway's
/// OPTIONS method nor its gateway responses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_load_balancer_scenario_blames_the_targets_not_api_gateway() {
    let (code, r, raw) = demo("load-balancer-target-unhealthy", true).await;
    assert_eq!(code, 1, "{raw}");
    assert_eq!(r["first_failing_step"], 1, "{raw}");
    for kind in ["preflight", "actual", "no-origin"] {
        let x = exchange(&r, kind);
        assert_eq!(x["answered_by"], "load-balancer", "{kind}: {raw}");
        assert_eq!(x["response"]["status"], 502, "{kind}: {raw}");
    }
    let c = codes(&r);
    for want in ["FAILS_WITHOUT_BROWSER", "LOAD_BALANCER_ERROR_NO_CORS"] {
        assert!(c.iter().any(|c| c == want), "{want}: {c:?}\n{raw}");
    }
    for wrong in [
        "OPTIONS_MISSING",
        "PREFLIGHT_CORS_HEADERS",
        "ACTUAL_CORS_HEADERS",
        "GATEWAY_RESPONSE_NO_CORS",
    ] {
        assert!(!c.iter().any(|c| c == wrong), "{wrong}: {c:?}\n{raw}");
    }
    for n in [3, 4, 6] {
        assert_eq!(step(&r, n)["status"], "skip", "step {n}: {raw}");
    }
    let s1 = step(&r, 1).to_string();
    assert!(s1.contains("target group"), "{s1}");
    assert_eq!(r["browser"]["hidden_status"], 502, "{raw}");
    // Nothing in API Gateway's configuration fixes it.
    assert_ne!(r["preview"]["result"], "allowed", "{}", r["preview"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_forbidden_without_configuration_is_not_claimed_for_waf() {
    // 403 ForbiddenException with {"message":"Forbidden"}: WAF_FILTERED and a missing API key
    // answer alike; without configuration the tool says both, and claims neither.
    let server = FakeGateway {
        preflight: Canned::good_preflight(ORIGIN, "POST,OPTIONS", "content-type"),
        actual: Canned::gateway(403, "ForbiddenException", "Forbidden"),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items", server.base_url());
    let (_, r, raw) = check_json(&[
        &url,
        "--origin",
        ORIGIN,
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
    ])
    .await;
    server.shutdown().await;
    assert_eq!(exchange(&r, "actual")["answered_by"], "gateway", "{raw}");
    assert!(!codes(&r).iter().any(|c| c == "WAF_BLOCKED"), "{raw}");
    assert!(raw.contains("WAF"), "the WAF possibility is named: {raw}");
}

/// The double-CORS trap in a real Chromium: its own error name for two
/// `Access-Control-Allow-Origin` values is `MultipleAllowOriginValues`, with both values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_names_the_duplicate_allow_origin_of_a_function_url() {
    use std::net::{Ipv4Addr, SocketAddr};
    if std::env::var_os("CORS_DOCTOR_REQUIRE_CHROMIUM").is_none()
        && cors_doctor::browser::Chromium::launch(Default::default())
            .await
            .is_err()
    {
        eprintln!(
            "SKIPPED: no Chromium (set CORS_DOCTOR_REQUIRE_CHROMIUM=1 to make this a failure)"
        );
        return;
    }
    let s = cors_doctor::gateway::scenario::Scenario::by_name("function-url-duplicate-cors")
        .expect("scenario");
    let server = cors_doctor::sim::SimServer::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        cors_doctor::sim::gateway::scenario_handler(&s),
        Duration::ZERO,
    )
    .await
    .expect("bind");
    let url = format!("{}{}", server.base_url(), s.url_path());
    let body = s.spec.request.body.clone().unwrap_or_default();
    let (_, r, raw) = check_json(&[
        &url,
        "--origin",
        ORIGIN,
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-d",
        &body,
        "--browser",
    ])
    .await;
    server.shutdown().await;
    assert_eq!(r["browser"]["source"], "chromium", "{raw}");
    assert_eq!(
        r["browser"]["cors_error"], "MultipleAllowOriginValues",
        "{raw}"
    );
    assert_eq!(
        r["browser"]["cors_error_parameter"], "https://app.example.com, *",
        "{raw}"
    );
    assert!(!raw.contains("DISAGREE"), "{raw}");
}
