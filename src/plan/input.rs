//! Reading what `-d` and `--from-curl`/`--from-fetch` point at (a file or standard input,
//! bounded in size and in time), and what `--resolve` names.

use std::time::Duration;

use super::{BodyError, PlanError};

/// The largest request body `-d` takes: API Gateway's payload limit (10 MB, "Amazon API
/// Gateway quotas", <https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>).
pub const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

/// How long `-d @-` waits for standard input to end.
const STDIN_BODY_WAIT: Duration = Duration::from_secs(30);

/// Why standard input gave nothing to read.
enum StdinFailure {
    Terminal,
    Io(String),
    Timeout,
    TooBig,
}

/// Reads standard input to its end, at most `limit` bytes and for at most [`STDIN_BODY_WAIT`]
/// (a pipe whose writer never finishes must not hang the run); a terminal is refused.
fn read_stdin_bounded(limit: u64) -> Result<Vec<u8>, StdinFailure> {
    use std::io::{IsTerminal, Read};
    if std::io::stdin().is_terminal() {
        return Err(StdinFailure::Terminal);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let read = std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map(|_| buf);
        let _ = tx.send(read);
    });
    match rx.recv_timeout(STDIN_BODY_WAIT) {
        Ok(Ok(b)) if b.len() as u64 > limit => Err(StdinFailure::TooBig),
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) => Err(StdinFailure::Io(e.to_string())),
        Err(_) => Err(StdinFailure::Timeout),
    }
}

/// The text of `--from-curl`/`--from-fetch`: the argument itself, or standard input for `-`
/// (bounded by [`crate::paste::MAX_PASTE_BYTES`] and in time).
pub fn read_paste_arg(kind: crate::paste::PasteKind, arg: &str) -> Result<String, PlanError> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    let flag = kind.flag();
    let fail = |why: String| PlanError::PasteStdin { flag, why };
    let bytes = read_stdin_bounded(crate::paste::MAX_PASTE_BYTES as u64).map_err(|e| match e {
        StdinFailure::Terminal => fail(format!("standard input is a terminal; pipe the copied text in (e.g. pbpaste | cors-doctor check {flag} -).")),
        StdinFailure::Io(e) => fail(format!("cannot read standard input: {e}.")),
        StdinFailure::Timeout => fail(format!("standard input did not end within {} s; pipe in the whole copied text.", STDIN_BODY_WAIT.as_secs())),
        StdinFailure::TooBig => fail(format!("the text is longer than {} MB; paste one request.", crate::paste::MAX_PASTE_BYTES / (1024 * 1024))),
    })?;
    String::from_utf8(bytes).map_err(|_| fail("the text is not UTF-8.".to_string()))
}

/// `-d` as curl reads it: `@FILE` from a file, `@-` from standard input, with carriage
/// returns and line feeds removed; anything else is the body itself. Reads are bounded by
/// [`MAX_BODY_BYTES`]; only regular files (and a piped or redirected standard input) are read,
/// so a FIFO or a device cannot block or exhaust memory.
pub fn read_body_arg(arg: &str) -> Result<String, BodyError> {
    use std::io::Read;
    let Some(source) = arg.strip_prefix('@') else {
        return Ok(arg.to_string());
    };
    let too_big = |what: &str| BodyError::TooBig(what.to_string());
    let mut bytes = Vec::new();
    if source == "-" {
        bytes = read_stdin_bounded(MAX_BODY_BYTES).map_err(|e| match e {
            StdinFailure::Terminal => BodyError::StdinIsTerminal,
            StdinFailure::Io(e) => BodyError::Stdin(e),
            StdinFailure::Timeout => BodyError::StdinTimeout(STDIN_BODY_WAIT.as_secs()),
            StdinFailure::TooBig => too_big("-"),
        })?;
    } else {
        let shown = crate::redact::escape_controls(&crate::redact::shorten(source, 200));
        let unreadable = |e: std::io::Error| BodyError::File {
            shown: shown.clone(),
            why: e.to_string(),
        };
        let meta = std::fs::metadata(source).map_err(unreadable)?;
        if !meta.is_file() {
            return Err(BodyError::NotAFile(shown));
        }
        if meta.len() > MAX_BODY_BYTES {
            return Err(too_big(&shown));
        }
        std::fs::File::open(source)
            .and_then(|f| f.take(MAX_BODY_BYTES + 1).read_to_end(&mut bytes))
            .map_err(unreadable)?;
        if bytes.len() as u64 > MAX_BODY_BYTES {
            return Err(too_big(&shown));
        }
    }
    bytes.retain(|b| *b != b'\r' && *b != b'\n');
    String::from_utf8(bytes).map_err(|_| BodyError::NotUtf8(crate::redact::shorten(arg, 200)))
}

/// One `--resolve HOST:PORT:ADDR` (curl's form; an IPv6 ADDR in brackets) for the URL: its
/// host and port must be the URL's (nothing else is requested), and a URL is needed.
pub(super) fn parse_resolve(
    arg: &str,
    url: &url::Url,
    live: bool,
) -> Result<(String, std::net::IpAddr), PlanError> {
    let shown = crate::redact::escape_controls(&crate::redact::shorten(arg, 80));
    let bad = |why: String| PlanError::Resolve(format!("'{shown}': {why}"));
    if !live {
        return Err(bad(
            "it needs the URL to request (the diagnosis without a URL sends nothing)".into(),
        ));
    }
    let mut parts = arg.splitn(3, ':');
    let (Some(host), Some(port), Some(addr)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad(
            "give HOST:PORT:ADDR, as curl takes it, e.g. --resolve api.example.com:443:203.0.113.10"
                .into(),
        ));
    };
    let url_host = url.host_str().unwrap_or_default();
    if !host.eq_ignore_ascii_case(url_host) {
        return Err(bad(format!(
            "names {host}, and the URL's host is {url_host}: only the URL's host is requested"
        )));
    }
    let url_port = url.port_or_known_default().unwrap_or(443);
    if port.parse::<u16>().ok() != Some(url_port) {
        return Err(bad(format!(
            "names port {port}, and the URL's port is {url_port}"
        )));
    }
    let ip = addr
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(addr);
    let ip = ip.parse::<std::net::IpAddr>().map_err(|_| {
        bad(format!(
            "{addr} is not an IP address (an IPv6 one goes in brackets)"
        ))
    })?;
    Ok((url_host.to_ascii_lowercase(), ip))
}
