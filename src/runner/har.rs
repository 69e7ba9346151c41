//! HAR diagnoses for both front ends (`cors-doctor har` and the TUI form's "HAR file"):
//! reading a HAR file, the list of its cross-origin requests as people read it, and the plan
//! and recorded exchanges of one entry, sealed (they hold the recorded secrets: only the
//! runner reads them).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use super::{HeldRun, RunError, RunEvent, SealedPlan};
use crate::aws::ConfigSource;
use crate::config::Config;
use crate::cors::{FailedAt, Mode, Outcome};
use crate::evidence::recorded::{self, Listed, ReadOptions};
use crate::evidence::{Exchange, ExchangeKind};
use crate::har::{self, Har, MAX_HAR_BYTES};
use crate::plan::{Plan, TargetArgs};
use crate::redact::Secrets;
use crate::report::Report;

/// Distinct secret values remembered from one file (each is masked in every output).
const MAX_SECRETS: usize = 5_000;

/// Reads the HAR file at `path` as it streams in (regular files only, at most
/// [`MAX_HAR_BYTES`]); the message says what is wrong, after the file's name.
pub fn read_file(path: &Path) -> Result<Har, String> {
    let opened = crate::user_file::UserFile::open(path, MAX_HAR_BYTES)
        .map_err(|e| format!("cannot read it: {e}"))?;
    let reader = opened
        .reader()
        .map_err(|e| format!("cannot read it: {e}"))?;
    har::parse_reader(std::io::BufReader::with_capacity(64 * 1024, reader))
        .map_err(|e| e.to_string())
}

/// Every secret value in the file: cookies, secret headers (`Set-Cookie` included), secret URL
/// parameters and body fields; at most [`MAX_SECRETS`] distinct ones (masking by structure
/// still covers the rest where they are shown).
pub fn secrets(har: &Har) -> Secrets {
    let mut all = Secrets::new();
    for e in &har.entries {
        if all.len() >= MAX_SECRETS {
            tracing::warn!(
                "more secret values than {MAX_SECRETS} in the HAR: the rest are masked by structure only"
            );
            break;
        }
        let mut s = Secrets::new();
        entry_secrets(&mut s, e);
        if !s.is_empty() {
            all.extend(&s);
        }
    }
    all
}

/// Above this many process-wide secrets (remembered from earlier files, in the TUI), the list
/// masks by value with each entry's own secrets only (and by structure): masking 50,000 rows
/// with thousands of values each would take minutes. Reports mask with all of them.
const LIST_PROCESS_SECRETS: usize = 500;

/// The secrets of one entry: its cookies, secret headers, URL parameters and body fields.
fn entry_secrets(s: &mut Secrets, e: &har::Entry) {
    let v = e.secret_values();
    for (n, value) in &v.headers {
        s.add_header(n, value);
    }
    for c in &v.cookies {
        s.add(c);
    }
    s.add_url(v.url);
    for b in &v.bodies {
        s.add_body(b);
    }
}

/// The list as it is shown: each row's strings masked with its entry's secrets and its
/// preflight's (by value), the process's (see [`LIST_PROCESS_SECRETS`]), and by structure
/// (secret URL parameters, token-like text); controls escaped. Made once, so that printing
/// or drawing the list masks nothing again.
pub fn shown_list(har: &Har, list: Vec<Listed>, file: &Secrets) -> Vec<Listed> {
    let tokens: std::collections::HashSet<&str> = file.values().collect();
    let process = crate::redact::known_secrets();
    let process = (process.len() <= LIST_PROCESS_SECRETS).then_some(process);
    list.into_iter()
        .map(|mut l| {
            let mut s = Secrets::new();
            for n in [Some(l.number), l.preflight_entry].into_iter().flatten() {
                if let Some(e) = har.entry(n) {
                    entry_secrets(&mut s, e);
                }
            }
            if let Some(p) = &process {
                s.extend(p);
            }
            let m = |t: &str| crate::redact::escape_controls(&mask_tokens(&s.mask(t), &tokens));
            l.url = m(&crate::redact::url(&l.url));
            l.method = m(&l.method);
            l.origin = m(&l.origin);
            l.browser_error = l.browser_error.as_deref().map(m);
            l
        })
        .collect()
}

/// `text` with every token (a run between URL and header punctuation) that is one of
/// `tokens` masked: the whole file's secrets, found in a row in one pass (a session id from
/// one entry's cookie in another entry's URL path).
fn mask_tokens(text: &str, tokens: &std::collections::HashSet<&str>) -> String {
    if tokens.is_empty() {
        return text.to_string();
    }
    let delimiter = |c: char| "/?&=;,# \"'+:()[]{}<>".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '/')))
    {
        if i == text.len() || delimiter(c) {
            let token = &text[start..i];
            if tokens.contains(token) {
                out.push_str("****");
            } else {
                out.push_str(token);
            }
            if i < text.len() {
                out.push(c);
            }
            start = i + c.len_utf8();
        }
    }
    out
}

/// A string from the file, for output: secrets masked (by value, with what
/// [`crate::redact::remember`] holds, and by structure), controls escaped.
pub fn mask(s: &str) -> String {
    crate::redact::escape_controls(&crate::redact::known(s))
}

/// A URL from the file, masked.
pub fn masked_url(url: &str) -> String {
    mask(&crate::redact::url(url))
}

/// The verdict of a listed request in words.
pub fn outcome_words(l: &Listed) -> String {
    let v = &l.verdict;
    let error = v
        .cors_error
        .map(|k| format!(" ({})", k.name()))
        .unwrap_or_default();
    match v.outcome {
        Outcome::Allowed => "allowed".to_string(),
        Outcome::Blocked => {
            let at = match v.failed_at {
                Some(FailedAt::Preflight) => "blocked at the preflight",
                _ => "blocked",
            };
            format!("{at}{error}")
        }
        Outcome::NetworkError => "network error".to_string(),
        Outcome::Refused => "refused by fetch()".to_string(),
        // The browser failed it and kept no answer to judge: say so, and how to see it.
        Outcome::Unknown if l.failed => format!(
            "failed in the browser{}; the HAR holds no answer to judge",
            l.hidden_status
                .map(|s| format!(" (hidden status {s})"))
                .unwrap_or_default(),
        ),
        Outcome::Unknown => "unknown".to_string(),
    }
}

/// A HAR read for a front end: the file (opaque: it holds the recorded secrets) and its list,
/// failures first. Cheap to clone.
#[derive(Clone)]
pub struct HeldHar {
    har: Arc<Har>,
    list: Arc<Vec<Listed>>,
}

impl HeldHar {
    /// Reads `path`, remembers the file's secrets (every output masks them from now on) and
    /// lists its cross-origin requests.
    pub fn load(path: &Path, mode: Mode) -> Result<HeldHar, String> {
        let har = read_file(path)?;
        let list = recorded::list(&har, &ReadOptions::default(), mode);
        // Masked before the file's secrets join the process's (see `shown_list`).
        let file = secrets(&har);
        let list = shown_list(&har, list, &file);
        crate::redact::remember(&file);
        Ok(HeldHar {
            har: Arc::new(har),
            list: Arc::new(list),
        })
    }

    /// The cross-origin requests, failures first, masked for showing ([`shown_list`]).
    pub fn list(&self) -> &[Listed] {
        &self.list
    }

    /// Which browser's DevTools wrote it.
    pub fn shape(&self) -> har::Shape {
        self.har.shape
    }

    /// What was not read, if anything (masked).
    pub fn skipped(&self) -> Option<String> {
        self.har.skipped_summary().map(|s| mask(&s))
    }

    /// The plan and recorded exchanges of entry `number`: `base` gives what the entry does
    /// not (the configuration source: `openapi`, `profile`, `region` …; lookups with the AWS
    /// SDK only when `aws` is true), resolved with `config` as `check` resolves its flags.
    pub fn entry(
        &self,
        number: usize,
        base: &TargetArgs,
        aws: bool,
        config: &Config,
    ) -> Result<(SealedPlan, Recording, TargetArgs), String> {
        let entry = self
            .har
            .entry(number)
            .ok_or_else(|| format!("entry {number} is not in the file"))?;
        let rec = recorded::recorded(&self.har, entry, &ReadOptions::default())
            .map_err(|e| e.to_string())?;
        let (plan, args) = plan_for(&rec, base, aws, config).map_err(|e| e.to_string())?;
        Ok((
            SealedPlan::new(plan),
            Recording {
                exchanges: Arc::new(rec.exchanges),
                entry: number,
            },
            args,
        ))
    }
}

impl PartialEq for HeldHar {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.har, &other.har)
    }
}

impl Eq for HeldHar {}

impl fmt::Debug for HeldHar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeldHar")
            .field("entries", &self.har.entries.len())
            .field("listed", &self.list.len())
            .finish_non_exhaustive()
    }
}

/// The plan a recorded entry makes with what the command line (or the form) adds: the
/// entry's request, exactly as recorded, and the configuration source of `base`.
pub fn plan_for(
    rec: &recorded::Recorded,
    base: &TargetArgs,
    aws: bool,
    config: &Config,
) -> Result<(Plan, TargetArgs), crate::plan::PlanError> {
    let args = TargetArgs {
        url: Some(rec.target.url.to_string()),
        origin: Some(rec.target.origin.clone()),
        method: Some(rec.target.method.clone()),
        credentials: Some(rec.target.credentials.as_str().to_string()),
        headers: Vec::new(),
        body: None,
        no_aws: !aws,
        ..base.clone()
    };
    let mut plan = args.resolve(config)?;
    plan.target = rec.target.clone();
    // For the form (`o` in a diagnosis): the recorded headers, so that what it sends (asking
    // first for a method that can change data) is the recorded request. Resolved without
    // them: the plan's target is the recorded one as it is. (The form has no body field, and
    // a recorded body starting with `@` must never become `-d @FILE`.)
    let args = TargetArgs {
        headers: rec
            .target
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect(),
        ..args
    };
    Ok((plan, args))
}

/// An entry's recorded exchanges (opaque: they hold the recorded secrets). Cheap to clone.
#[derive(Clone)]
pub struct Recording {
    exchanges: Arc<Vec<Exchange>>,
    entry: usize,
}

impl Recording {
    /// The entry number it was recorded as.
    pub fn entry(&self) -> usize {
        self.entry
    }
}

impl PartialEq for Recording {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.exchanges, &other.exchanges)
    }
}

impl Eq for Recording {}

impl fmt::Debug for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording")
            .field("entry", &self.entry)
            .field("exchanges", &self.exchanges.len())
            .finish()
    }
}

/// The requests that are safe to send for `plan`'s request: the foreign-origin preflight, the
/// preflight when one is needed, and the request itself (with and without Origin) only when
/// its method cannot change data (GET, HEAD, OPTIONS) or `confirmed`.
pub fn safe_kinds(plan: &Plan, confirmed: bool) -> Vec<ExchangeKind> {
    let mut send = vec![ExchangeKind::ForeignOrigin];
    if crate::cors::plan(&plan.target).required {
        send.push(ExchangeKind::Preflight);
    }
    let method = plan.target.method.to_ascii_uppercase();
    if matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS") || confirmed {
        send.extend([ExchangeKind::Actual, ExchangeKind::NoOrigin]);
    }
    send
}

/// Runs a sealed plan on its recorded exchanges (see [`super::run_recorded`]), sending only
/// `send`, with events for the front end; the configuration source is what `source` finds.
pub async fn run_sealed_recorded(
    plan: &SealedPlan,
    source: impl FnOnce(&Plan) -> Result<Option<Arc<dyn ConfigSource>>, RunError>,
    recording: &Recording,
    send: &[ExchangeKind],
    events: Option<UnboundedSender<RunEvent>>,
) -> Result<(Report, HeldRun), RunError> {
    let raw = plan.raw();
    let deadline = tokio::time::Instant::now() + raw.timeout;
    super::execute(
        raw,
        super::Gather::Recorded {
            source: source(raw)?,
            exchanges: (*recording.exchanges).clone(),
            send,
        },
        events,
        deadline,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_tokens_of_the_file_are_masked_anywhere_in_a_row() {
        let tokens: std::collections::HashSet<&str> =
            ["SessionId12345", "tok%2Fen"].into_iter().collect();
        assert_eq!(
            mask_tokens(
                "https://a.example/users/SessionId12345/x?k=tok%2Fen&z=1",
                &tokens
            ),
            "https://a.example/users/****/x?k=****&z=1"
        );
        // Parts of a longer token are not tokens.
        assert_eq!(mask_tokens("/SessionId123456", &tokens), "/SessionId123456");
        assert_eq!(mask_tokens("ÿ/SessionId12345", &tokens), "ÿ/****");
    }

    #[test]
    fn a_secret_of_one_entry_is_masked_in_another_entrys_row() {
        let text = r#"{"log":{"entries":[
            {"request":{"method":"GET","url":"https://api.example.com/a","headers":[
                {"name":"Origin","value":"https://app.example.com"},
                {"name":"Cookie","value":"sid=SessionId12345abc"}]}},
            {"request":{"method":"GET","url":"https://api.example.com/users/SessionId12345abc","headers":[
                {"name":"Origin","value":"https://app.example.com"}]}}
        ]}}"#;
        let har = har::parse(text).unwrap();
        let list = recorded::list(&har, &ReadOptions::default(), Mode::ChromeToday);
        let file = secrets(&har);
        let shown = shown_list(&har, list, &file);
        assert_eq!(shown.len(), 2);
        for l in &shown {
            assert!(!l.url.contains("SessionId12345abc"), "{}", l.url);
        }
    }
}
