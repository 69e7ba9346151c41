//! Secrets never appear unmasked in any output format.

use crate::common;

use std::time::Duration;

use common::{args, cors_doctor, Canned, FakeGateway};

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.SECRETSIGNATURE";
const API_KEY: &str = "k3yV4lu3Th4tMustN0tL34k";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_masked_in_text_json_and_markdown() {
    let server = FakeGateway {
        preflight: Canned::gateway(401, "UnauthorizedException", "Unauthorized"),
        actual: Canned::integration(200)
            .h("Set-Cookie", "session=SESSIONSECRET; Secure; SameSite=None"),
        bare: None,
    }
    .start(Duration::ZERO)
    .await;
    let url = format!("{}/prod/items?api_key=QUERYSECRET", server.base_url());
    for format in ["text", "json", "markdown"] {
        let out = cors_doctor(args(&[
            "check",
            &url,
            "--origin",
            "https://app.example.com",
            "--format",
            format,
            "-H",
            &format!("Authorization: Bearer {TOKEN}"),
            "-H",
            &format!("x-api-key: {API_KEY}"),
            "-H",
            "Cookie: sid=COOKIESECRET",
        ]))
        .await;
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for secret in [
            "SECRETSIGNATURE",
            API_KEY,
            "COOKIESECRET",
            "SESSIONSECRET",
            "QUERYSECRET",
        ] {
            assert!(
                !all.contains(secret),
                "{format} output leaks {secret}:\n{all}"
            );
        }
        assert!(
            all.contains("Bearer ****") || format == "text",
            "{format}: {all}"
        );
    }
    server.shutdown().await;
}
