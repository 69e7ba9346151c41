//! The corpus, part 3: configuration files and misbehaving servers.

use super::*;

/// Configuration files, logs and exports.
pub(super) fn configuration(sv: &Servers, dir: &Path, cases: &mut Vec<Case>) {
    let echo_url = format!(
        "{}/prod/items?api_key={QUERY}&page=1#access_token={FRAGMENT}",
        sv.echo
    );
    let t = "--timeout";

    // --- configuration
    let bad_config = dir.join("bad.toml");
    std::fs::write(
        &bad_config,
        format!("[request]\nheaders = \"Authorization: Bearer {TOKEN}\"\n"),
    )
    .unwrap();
    cases.push(
        Case::new(
            "a config error quoting a secret",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "--config",
                &bad_config.to_string_lossy(),
            ]),
        )
        .code(2)
        .contains("bad.toml:2:"),
    );
    cases.push(
        Case::new(
            "$CORS_DOCTOR_CONFIG names a missing file",
            s(&["check", &sv.closed, "--origin", ORIGIN]),
        )
        .env("CORS_DOCTOR_CONFIG", "/nonexistent/cors-doctor.toml")
        .code(2)
        .contains("cannot read config file /nonexistent/cors-doctor.toml"),
    );
    let log_config = dir.join("log.toml");
    let custom_log = dir.join("custom.log");
    std::fs::write(
        &log_config,
        format!("[request]\nheaders = [\"Authorization: Bearer {TOKEN}\"]\n[log]\nfile = \"custom.log\"\nlevel = \"trace\"\n"),
    )
    .unwrap();
    let mut logged = Case::new(
        "[log] file in the config, secrets from the config",
        s(&[
            "check",
            &echo_url,
            "--origin",
            ORIGIN,
            "--config",
            &log_config.to_string_lossy(),
            t,
            "2",
        ]),
    );
    logged.extra_file = Some(custom_log.clone());
    cases.push(logged);
    let export = dir.join("export.json");
    cases.push(
        Case::new(
            "an export that mentions x-cors-doctor-scenario in a description",
            s(&[
                "check",
                "--openapi",
                &export.to_string_lossy(),
                "--path",
                "/items",
                "--stage",
                "prod",
                "--origin",
                ORIGIN,
                "--format",
                "json",
            ]),
        )
        .code(1)
        .contains("\"config_source\": \"openapi\""),
    );
    cases.push(
        Case::new(
            "--openapi on a missing file",
            s(&[
                "check",
                "--openapi",
                "/nonexistent/export.json",
                "--path",
                "/items",
                "--origin",
                ORIGIN,
            ]),
        )
        .code(2)
        .contains("--openapi"),
    );
    cases.push(
        Case::new(
            "an AWS secret key in the environment, an endpoint with a password",
            s(&[
                "check",
                "--api-id",
                "abc123",
                "--stage",
                "prod",
                "--path",
                "/items",
                "--origin",
                ORIGIN,
                "--region",
                "us-east-1",
                "--endpoint-url",
                &sv.closed
                    .replace("http://", &format!("http://alice:{PASSWORD}@")),
                t,
                "2",
            ]),
        )
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
    );
}

/// Misbehaving servers (secrets in the request, `--timeout 2`).
pub(super) fn misbehaving_servers(sv: &Servers, cases: &mut Vec<Case>) {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let t = "--timeout";

    // --- misbehaving servers (secrets in the request, `--timeout 2`)
    let bad = |name: &str, url: String, format: &str| {
        Case::new(
            name,
            s(&[
                "check",
                &format!("{url}/prod/items?api_key={QUERY}"),
                "--origin",
                ORIGIN,
                "-H",
                &auth,
                "--format",
                format,
                t,
                "2",
            ]),
        )
    };
    for format in ["text", "markdown", "json"] {
        cases.push(bad(
            &format!("control characters from the server, {format}"),
            sv.control.clone(),
            format,
        ));
    }
    cases.push(bad("garbage instead of HTTP", sv.garbage.clone(), "text").code(1));
    cases.push(
        bad("a silent server", sv.silent.clone(), "json")
            .code(1)
            .contains("no response within"),
    );
    cases.push(bad("a 50 MB body", sv.stream.clone(), "json"));
    cases.push(
        bad("a connection refused", sv.closed.clone(), "text")
            .code(1)
            .contains("connection refused"),
    );
    cases.push(
        bad(
            "TLS to a plain HTTP server",
            sv.garbage.replace("http://", "https://"),
            "text",
        )
        .code(1),
    );
    cases.push(bad(
        "3000 response headers",
        sv.many_headers.clone(),
        "json",
    ));
    cases.push(bad(
        "invalid UTF-8 in header values",
        sv.bad_bytes.clone(),
        "markdown",
    ));
    for format in ["text", "json", "markdown"] {
        cases.push(
            Case::new(
                &format!("a redirect to a URL with credentials, {format}"),
                s(&[
                    "check",
                    &format!("{}/prod/items", sv.redirect_creds),
                    "--origin",
                    ORIGIN,
                    "--format",
                    format,
                    t,
                    "2",
                ]),
            )
            .code(1)
            .absent("CanaryServer"),
        );
    }
    cases.push(
        Case::new(
            "a redirect the browser would follow, text",
            s(&[
                "check",
                &format!("{}/prod/items", sv.redirect_plain),
                "--origin",
                ORIGIN,
                t,
                "2",
            ]),
        )
        .code(1)
        .contains("Browser: UNKNOWN")
        .absent("NETWORK ERROR")
        .absent("network error: \n"),
    );
    cases.push(
        Case::new(
            "a redirect the browser would follow, json",
            s(&[
                "check",
                &format!("{}/prod/items", sv.redirect_plain),
                "--origin",
                ORIGIN,
                "--format",
                "json",
                t,
                "2",
            ]),
        )
        .code(1)
        .contains("\"outcome\": \"unknown\""),
    );
    cases.push(
        Case::new(
            "a secret equal to words of the report (enum values)",
            s(&[
                "check",
                &format!("{}/prod/items", sv.echo),
                "--origin",
                ORIGIN,
                "-H",
                "Authorization: Bearer actual",
                "-H",
                "x-api-key: allowed",
                "--format",
                "json",
                t,
                "2",
            ]),
        )
        .contains("\"kind\": \"actual\"")
        .contains("\"outcome\": \"allowed\"")
        .contains("x-echo-authorization"),
    );
    let many: Vec<String> = (0..500)
        .flat_map(|i| ["-H".to_string(), format!("X-N{i}: v")])
        .collect();
    let mut a = s(&[
        "check",
        &format!("{}/prod/items", sv.echo),
        "--origin",
        ORIGIN,
        "-H",
        &auth,
        t,
        "2",
        "--format",
        "json",
    ]);
    a.extend(many);
    cases.push(Case::new("500 request headers", a));
}
