//! `cors-doctor fix` refuses what it cannot do, with a clear message and exit status 2, before
//! anything is read or written (no AWS here: tests/aws/aws_cli_fixes/apply.rs applies to moto).

use crate::common;

use common::{args, cors_doctor};

async fn refused(list: &[&str], expect: &str) {
    let out = cors_doctor(args(list)).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{list:?}: {stderr}");
    assert!(
        stderr.contains(expect),
        "{list:?}: {expect:?} not in {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn fix_says_what_it_needs() {
    let dir = std::env::temp_dir().join(format!("cors-doctor-fix-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.json");
    refused(
        &["fix", "--undo", missing.to_str().unwrap()],
        "cannot read the undo file",
    )
    .await;
    let other = dir.join("other.json");
    std::fs::write(&other, "{\"schema\":\"something/else\"}").unwrap();
    refused(
        &["fix", "--undo", other.to_str().unwrap()],
        "is not a cors-doctor undo file",
    )
    .await;
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/scenarios/options-missing.json"
    );
    refused(
        &[
            "fix",
            "--openapi",
            scenario,
            "--stage",
            "prod",
            "--path",
            "/orders",
            "--origin",
            "https://app.example.com",
        ],
        "an --openapi file cannot be changed",
    )
    .await;
    refused(
        &[
            "fix",
            "http://127.0.0.1:9/prod/x",
            "--origin",
            "https://app.example.com",
            "--no-aws",
        ],
        "fix changes the API through the AWS SDK",
    )
    .await;
    refused(
        &[
            "fix",
            "--api-id",
            "abc123",
            "--stage",
            "prod",
            "--path",
            "/x",
            "--origin",
            "https://app.example.com",
            "--wait",
            "0",
        ],
        "--wait 0",
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}
