//! The corpus, part 2: usage errors never repeat a secret.

use super::*;

/// Usage errors (flags, values, files) never repeat a secret.
pub(super) fn usage_errors(sv: &Servers, dir: &Path, cases: &mut Vec<Case>) {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let t = "--timeout";

    // --- usage errors never repeat a secret
    let long_url = format!(
        "{}/prod/items?api_key={QUERY}&pad={}",
        sv.echo,
        "a".repeat(70 * 1024)
    );
    for format in ["text", "json"] {
        cases.push(
            Case::new(
                &format!("a URL over 64 KB, {format}"),
                s(&["check", &long_url, "--origin", ORIGIN, "--format", format]),
            )
            .code(2)
            .contains("bytes long"),
        );
    }
    let near_limit = format!(
        "{}/prod/items?api_key={QUERY}&pad={}",
        sv.echo,
        "b".repeat(60 * 1024)
    );
    cases.push(Case::new(
        "a 60 KB URL",
        s(&["check", &near_limit, "--origin", ORIGIN, t, "2"]),
    ));
    cases.push(
        Case::new(
            "a header without a colon",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-H",
                &format!("Authorization Bearer {TOKEN}"),
            ]),
        )
        .code(2)
        .contains("malformed header"),
    );
    cases.push(
        Case::new(
            "a header with a space in its name",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-H",
                &format!("Authorization Bearer: {TOKEN}"),
            ]),
        )
        .code(2)
        .contains("not a valid header name"),
    );
    cases.push(
        Case::new(
            "a header value with a line break",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-H",
                &format!("Authorization: Bearer {TOKEN}\r\nX-Evil: 1"),
            ]),
        )
        .code(2)
        .contains("line break"),
    );
    cases.push(
        Case::new(
            "an invalid URL with a password",
            s(&[
                "check",
                &format!("http://alice:{PASSWORD}@exa mple.com/?api_key={QUERY}"),
                "--origin",
                ORIGIN,
            ]),
        )
        .code(2)
        .contains("invalid URL"),
    );
    cases.push(
        Case::new(
            "an unsupported scheme with a password",
            s(&[
                "check",
                &format!("ftp://alice:{PASSWORD}@h.example/x"),
                "--origin",
                ORIGIN,
            ]),
        )
        .code(2)
        .contains("unsupported URL scheme"),
    );
    cases.push(
        Case::new(
            "an origin with a password",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                &format!("https://alice:{PASSWORD}@app.example.com"),
            ]),
        )
        .code(2)
        .contains("invalid origin"),
    );
    cases.push(
        Case::new(
            "an origin with a token in the query",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                &format!("https://app.example.com/?token={QUERY}"),
            ]),
        )
        .code(2)
        .contains("invalid origin"),
    );
    cases.push(
        Case::new(
            "a stray Bearer token clap refuses",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                &format!("Bearer {TOKEN}"),
            ]),
        )
        .code(2)
        .contains("unexpected argument"),
    );
    cases.push(
        Case::new(
            "a token as the credentials mode",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "--credentials",
                &format!("Bearer {TOKEN}"),
            ]),
        )
        .code(2)
        .contains("unknown credentials mode"),
    );
    cases.push(
        Case::new(
            "no origin, with secrets",
            s(&[
                "check",
                &format!("{}/x?api_key={QUERY}", sv.closed),
                "-H",
                &auth,
            ]),
        )
        .code(2)
        .contains("--origin is required"),
    );
    for v in ["0", "-1", "NaN", "inf", "99999", "0.0000001"] {
        cases.push(
            Case::new(
                &format!("--timeout {v}"),
                s(&[
                    "check",
                    &sv.closed,
                    "--origin",
                    ORIGIN,
                    &format!("--timeout={v}"),
                    "-H",
                    &auth,
                ]),
            )
            .code(2)
            .contains("at least 0.001 and at most 3600 seconds")
            .absent("between 0 and"),
        );
    }
    cases.push(
        Case::new(
            "-d @ a missing file",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                "@/nonexistent/body.json",
            ]),
        )
        .code(2)
        .contains("cannot read the file"),
    );
    cases.push(
        Case::new(
            "-d @/dev/zero",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                "@/dev/zero",
            ]),
        )
        .code(2)
        .contains("not a regular file"),
    );
    let fifo = dir.join("body.fifo");
    let _ = Command::new("mkfifo").arg(&fifo).status();
    cases.push(
        Case::new(
            "-d @fifo",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                &format!("@{}", fifo.display()),
            ]),
        )
        .code(2)
        .contains("not a regular file"),
    );
    let big = dir.join("big.bin");
    if let Ok(f) = std::fs::File::create(&big) {
        let _ = f.set_len(11 * 1024 * 1024);
    }
    cases.push(
        Case::new(
            "-d @ an 11 MB file",
            s(&[
                "check",
                &sv.closed,
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                &format!("@{}", big.display()),
            ]),
        )
        .code(2)
        .contains("payload limit"),
    );
}
