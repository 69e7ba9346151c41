//! The corpus, part 1: secrets through a server that echoes everything; credentials in the URL and
//! requests fetch() refuses.

use super::*;

/// Secrets through a server that echoes everything, in every format.
pub(super) fn echoed_secrets(sv: &Servers, dir: &Path, cases: &mut Vec<Case>) {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let key = format!("x-api-key: {API_KEY}");
    let cookie = format!("Cookie: sid={COOKIE}; theme=dark");
    let echo_url = format!(
        "{}/prod/items?api_key={QUERY}&page=1#access_token={FRAGMENT}",
        sv.echo
    );
    let t = "--timeout";

    // --- secrets through a server that echoes everything, in every format
    for format in ["text", "json", "markdown"] {
        cases.push(Case::new(
            &format!("echoing server, {format}"),
            s(&[
                "check", &echo_url, "--origin", ORIGIN, "-H", &auth, "-H", &key, "-H", &cookie,
                "--format", format, t, "2",
            ]),
        ));
        cases.push(Case::new(
            &format!("echoing server, a POST body with a password, {format}"),
            s(&[
                "check",
                &format!("{}/prod/login", sv.echo),
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-d",
                &format!("{{\"user\":\"u\",\"password\":\"{BODY_PASS}\"}}"),
                "--format",
                format,
                t,
                "2",
            ]),
        ));
        cases.push(Case::new(
            &format!("echoing server, Basic credentials, {format}"),
            s(&[
                "check",
                &format!("{}/prod/items", sv.echo),
                "--origin",
                ORIGIN,
                "-H",
                &format!("Authorization: Basic {}", b64(&format!("alice:{PASSWORD}"))),
                "--format",
                format,
                t,
                "2",
            ]),
        ));
        cases.push(Case::new(
            &format!("server puts the token in Allow-Origin, {format}"),
            s(&[
                "check",
                &format!("{}/prod/items", sv.token_in_aco),
                "--origin",
                ORIGIN,
                "-H",
                &auth,
                "--format",
                format,
                t,
                "2",
            ]),
        ));
    }
    cases.push(Case::new(
        "echoing server, AWS session token and proxy credentials",
        s(&[
            "check",
            &format!("{}/prod/items", sv.echo),
            "--origin",
            ORIGIN,
            "-H",
            &format!("X-Amz-Security-Token: {TOKEN}"),
            "-H",
            &format!("Proxy-Authorization: Bearer {API_KEY}"),
            "-H",
            &format!("X-Session-Id: {COOKIE}"),
            t,
            "2",
        ]),
    ));
    cases.push(Case::new(
        "echoing server, credentials include with a cookie",
        s(&[
            "check",
            &echo_url,
            "--origin",
            ORIGIN,
            "-H",
            &cookie,
            "--credentials",
            "include",
            t,
            "2",
        ]),
    ));
    let body_file = dir.join("body.json");
    std::fs::write(
        &body_file,
        format!("{{\n  \"password\": \"{BODY_PASS}\"\r\n}}\n"),
    )
    .unwrap();
    cases.push(
        Case::new(
            "-d @file with a password, echoed",
            s(&[
                "check",
                &format!("{}/prod/login", sv.echo),
                "--origin",
                ORIGIN,
                "-X",
                "POST",
                "-d",
                &format!("@{}", body_file.display()),
                "--format",
                "json",
                t,
                "2",
            ]),
        )
        .contains("{  \\\"password\\\""),
    );
    cases.push(
        Case::new(
            "-d @- from standard input, echoed",
            s(&[
                "check",
                &format!("{}/prod/login", sv.echo),
                "--origin",
                ORIGIN,
                "-X",
                "PUT",
                "-d",
                "@-",
                "--format",
                "json",
                t,
                "2",
            ]),
        )
        .stdin(format!("token={BODY_PASS}&x=1\n").as_bytes()),
    );
}

/// User info, fragments, user names, methods and bodies fetch() refuses: nothing is sent.
pub(super) fn refused_requests(sv: &Servers, cases: &mut Vec<Case>) {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let t = "--timeout";

    // --- user info, fragments, user names: fetch() refuses credentials in the URL
    for format in ["text", "json", "markdown"] {
        cases.push(
            Case::new(
                &format!("password in the URL, {format}"),
                s(&[
                    "check",
                    &format!(
                        "{}/prod/items",
                        sv.echo
                            .replace("http://", &format!("http://alice:{PASSWORD}@"))
                    ),
                    "--origin",
                    ORIGIN,
                    "--format",
                    format,
                ]),
            )
            .code(1)
            .contains(if format == "json" {
                "\"refused\""
            } else {
                "credentials"
            }),
        );
    }
    cases.push(
        Case::new(
            "a token as the URL's user name",
            s(&[
                "check",
                &sv.echo.replace("http://", &format!("http://{USER_TOKEN}@")),
                "--origin",
                ORIGIN,
            ]),
        )
        .code(1)
        .contains("REFUSED"),
    );
    cases.push(Case::new(
        "a token in the fragment, markdown",
        s(&[
            "check",
            &format!("{}/prod/items#id_token={FRAGMENT}", sv.echo),
            "--origin",
            ORIGIN,
            "--format",
            "markdown",
            t,
            "2",
        ]),
    ));
    cases.push(Case::new(
        "a bare token as the fragment",
        s(&[
            "check",
            &format!("{}/prod/items#eyJhbGciOiJIUzI1NiJ9.{FRAGMENT}.sig", sv.echo),
            "--origin",
            ORIGIN,
            t,
            "2",
        ]),
    ));

    // --- methods and bodies fetch() refuses: nothing is sent
    for (method, format) in [
        ("TRACE", "text"),
        ("CONNECT", "json"),
        ("track", "markdown"),
    ] {
        cases.push(
            Case::new(
                &format!("-X {method}, {format}"),
                s(&[
                    "check",
                    &format!("{}/prod/items", sv.echo),
                    "--origin",
                    ORIGIN,
                    "-X",
                    method,
                    "-H",
                    &auth,
                    "--format",
                    format,
                ]),
            )
            .code(1)
            .contains("HTTP method is unsupported")
            .absent("Allow-Methods"),
        );
    }
    cases.push(
        Case::new(
            "GET with a body",
            s(&[
                "check",
                &format!("{}/prod/items", sv.echo),
                "--origin",
                ORIGIN,
                "-d",
                &format!("{{\"password\":\"{BODY_PASS}\"}}"),
            ]),
        )
        .code(1)
        .contains("cannot have body")
        .absent("ALLOWED"),
    );
    cases.push(
        Case::new(
            "HEAD with an empty body, json",
            s(&[
                "check",
                &format!("{}/prod/items", sv.echo),
                "--origin",
                ORIGIN,
                "-X",
                "HEAD",
                "-d",
                "",
                "--format",
                "json",
            ]),
        )
        .code(1)
        .contains("FETCH_REFUSED"),
    );
}
