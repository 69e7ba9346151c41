//! DevTools' "Copy as cURL" (bash and cmd) read as curl reads its options.

use super::{finish, shell, shown, PasteError, Pasted, PastedBody};

/// Options without a value that change nothing cors-doctor diagnoses (output, verbosity, TLS
/// checks, HTTP version, redirects).
const IGNORED_FLAGS: &[&str] = &[
    "--compressed",
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-v",
    "--verbose",
    "-i",
    "--include",
    "-k",
    "--insecure",
    "-L",
    "--location",
    "-g",
    "--globoff",
    "--http1.1",
    "--http2",
    "--http2-prior-knowledge",
    "--http3",
    "-f",
    "--fail",
    "--raw",
    "-N",
    "--no-buffer",
    "--path-as-is",
];

/// Options with a value that change nothing cors-doctor diagnoses.
const IGNORED_WITH_VALUE: &[&str] = &[
    "-o",
    "--output",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-w",
    "--write-out",
    "--retry",
    "-c",
    "--cookie-jar",
];

/// The options cors-doctor reads; all others are refused by name.
fn takes_value(opt: &str) -> bool {
    matches!(
        opt,
        "-X" | "--request"
            | "-H"
            | "--header"
            | "-d"
            | "--data"
            | "--data-raw"
            | "--data-binary"
            | "--data-ascii"
            | "-b"
            | "--cookie"
            | "-A"
            | "--user-agent"
            | "-e"
            | "--referer"
            | "--url"
            | "--json"
    ) || IGNORED_WITH_VALUE.contains(&opt)
}

/// Reads a pasted curl command (bash or cmd quoting, chosen by `shell::looks_like_cmd`).
pub fn parse(text: &str) -> Result<Pasted, PasteError> {
    let start = text.trim_start().to_ascii_lowercase();
    if start.starts_with("$session") || start.starts_with("invoke-webrequest") {
        return Err(PasteError::Unsupported(
            "this is DevTools' \"Copy as PowerShell\", which cors-doctor does not read; use \"Copy as cURL (bash)\" or \"(cmd)\".",
        ));
    }
    // "Copy all as cURL" joins commands with ` ;` (bash) or ` &` (cmd).
    let commands = text
        .lines()
        .filter(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            l.starts_with("curl ") || l.starts_with("curl.exe ")
        })
        .count();
    if commands > 1 {
        return Err(PasteError::Unsupported(
            "the paste holds more than one curl command (\"Copy all as cURL\"); copy the one failing request.",
        ));
    }
    let words = if shell::looks_like_cmd(text) {
        shell::cmd_words(text)?
    } else {
        shell::bash_words(text)?
    };
    let mut words = words.into_iter();
    let first = words.next().ok_or(PasteError::NotCurl)?;
    let program = first.rsplit(['/', '\\']).next().unwrap_or(&first);
    if !program.eq_ignore_ascii_case("curl") && !program.eq_ignore_ascii_case("curl.exe") {
        return Err(PasteError::NotCurl);
    }
    // (option, value) pairs, short options unbundled (`-sSX POST`, `-XPOST`).
    let mut opts: Vec<(String, Option<String>)> = Vec::new();
    let mut urls = Vec::new();
    let mut only_args = false;
    while let Some(w) = words.next() {
        if only_args || !w.starts_with('-') || w == "-" {
            urls.push(w);
            continue;
        }
        if w == "--" {
            only_args = true;
            continue;
        }
        if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) if takes_value(&format!("--{n}")) => {
                    (format!("--{n}"), Some(v.to_string()))
                }
                _ => (w.clone(), None),
            };
            if takes_value(&name) {
                let v = match inline {
                    Some(v) => v,
                    None => words
                        .next()
                        .ok_or_else(|| PasteError::MissingValue(shown(&name)))?,
                };
                opts.push((name, Some(v)));
            } else {
                opts.push((name, None));
            }
            continue;
        }
        let short: Vec<char> = w.chars().skip(1).collect();
        let mut k = 0;
        while k < short.len() {
            let name = format!("-{}", short[k]);
            if takes_value(&name) {
                let rest: String = short[k + 1..].iter().collect();
                let v = if rest.is_empty() {
                    words
                        .next()
                        .ok_or_else(|| PasteError::MissingValue(shown(&name)))?
                } else {
                    rest
                };
                opts.push((name, Some(v)));
                break;
            }
            opts.push((name, None));
            k += 1;
        }
    }
    let mut pasted = Pasted::default();
    let mut raw: Vec<(String, String)> = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut data_file: Option<String> = None;
    let mut head = false;
    let mut globoff = false;
    let mut json = false;
    for (name, value) in opts {
        let v = value.unwrap_or_default();
        match name.as_str() {
            "-X" | "--request" => pasted.method = Some(v),
            "-H" | "--header" => {
                // `-H 'Name;'` is how curl (and DevTools) send a header with an empty value.
                if let Some(n) = v.strip_suffix(';').filter(|n| !n.contains(':')) {
                    let n = n.trim();
                    if n.is_empty() {
                        return Err(PasteError::BadHeader);
                    }
                    raw.push((n.to_string(), String::new()));
                    continue;
                }
                let (n, val) = v.split_once(':').ok_or(PasteError::BadHeader)?;
                let n = n.trim();
                if n.is_empty() {
                    return Err(PasteError::BadHeader);
                }
                // curl's `-H 'Name;'` sends an empty header; `-H 'Name:'` removes one.
                if val.trim().is_empty() {
                    continue;
                }
                raw.push((n.to_string(), val.trim().to_string()));
            }
            "-d" | "--data" | "--data-ascii" | "--data-binary" => match v.strip_prefix('@') {
                Some(file) => {
                    if data_file.is_some() || !data.is_empty() {
                        return Err(PasteError::Unsupported(
                            "a body from a file mixed with other -d options is not supported; give the body with -d.",
                        ));
                    }
                    data_file = Some(file.to_string());
                }
                None => data.push(if name == "--data-binary" {
                    v
                } else {
                    v.replace(['\r', '\n'], "")
                }),
            },
            "--data-raw" => data.push(v),
            "--json" => {
                // curl 7.82+: the body as --data-binary, with JSON's Content-Type and Accept
                // unless the command sets them (curl's manual, --json).
                json = true;
                match v.strip_prefix('@') {
                    Some(file) if data_file.is_none() && data.is_empty() => {
                        data_file = Some(file.to_string())
                    }
                    Some(_) => {
                        return Err(PasteError::Unsupported(
                            "a body from a file mixed with other -d options is not supported; give the body with -d.",
                        ))
                    }
                    None => data.push(v),
                }
            }
            "-b" | "--cookie" => {
                if !v.contains('=') {
                    return Err(PasteError::Unsupported(
                        "-b names a cookie file, which cors-doctor does not read; give the cookies as -b 'name=value'.",
                    ));
                }
                raw.push(("Cookie".to_string(), v));
            }
            "-A" | "--user-agent" => raw.push(("User-Agent".to_string(), v)),
            "-e" | "--referer" => raw.push(("Referer".to_string(), v)),
            "--url" => urls.push(v),
            "-I" | "--head" => head = true,
            "-g" | "--globoff" => globoff = true,
            n if IGNORED_FLAGS.contains(&n) || IGNORED_WITH_VALUE.contains(&n) => {}
            "-u" | "--user" => {
                return Err(PasteError::Unsupported(
                    "-u is not supported; give the credentials as -H 'Authorization: Basic …'.",
                ))
            }
            "-F" | "--form" => {
                return Err(PasteError::Unsupported(
                    "-F (multipart form) is not supported; give the body with -d and its Content-Type with -H.",
                ))
            }
            "-G" | "--get" => {
                return Err(PasteError::Unsupported(
                    "-G is not supported; put the query in the URL.",
                ))
            }
            other => return Err(PasteError::UnknownOption(shown(other))),
        }
    }
    pasted.url = match urls.len() {
        0 => {
            return Err(PasteError::NoUrl {
                flag: "--from-curl",
            })
        }
        // DevTools escapes [ ] { } in the URL against curl's globbing (`\[`); curl reads
        // them as the characters unless --globoff.
        1 if globoff => urls.remove(0),
        1 => unglob(&urls.remove(0)),
        _ => return Err(PasteError::TwoUrls),
    };
    pasted.body = match (data_file, data.is_empty()) {
        (Some(f), _) => Some(PastedBody::File(f)),
        (None, false) => Some(PastedBody::Text(data.join(if json { "" } else { "&" }))),
        (None, true) => None,
    };
    if pasted.method.is_none() {
        if head {
            pasted.method = Some("HEAD".to_string());
        } else if pasted.body.is_some() {
            pasted.method = Some("POST".to_string());
        }
    }
    if json {
        for (name, value) in [
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ] {
            if !raw.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                raw.push((name.to_string(), value.to_string()));
            }
        }
    }
    let mut pasted = finish(pasted, raw, None);
    if pasted
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("cookie"))
    {
        pasted.credentials = Some("include".to_string());
    }
    Ok(pasted)
}

/// curl's URL globbing reads `\[`, `\]`, `\{` and `\}` as the characters themselves.
fn unglob(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut chars = url.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&n @ ('[' | ']' | '{' | '}'))) => {
                out.push(n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}
