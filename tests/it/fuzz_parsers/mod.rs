//! Property-based fuzzing of every parser of untrusted input: OpenAPI exports (and scenario
//! files), the TOML config, the request a user describes (URL, origin, method, `-H` headers,
//! body) and the response headers a server sends back, and selection patterns. Each target
//! feeds arbitrary and mutated-real inputs to the parser and to what consumes its result (an
//! imported API answers requests in the simulator; a resolved request is planned and checked
//! against hostile response headers). A case fails on a panic or when it takes longer than
//! [`CASE_LIMIT`].
//!
//! A normal test run tries `FUZZ_CASES` cases per target (default 32). A long run, one target
//! at a time, keeps going for `FUZZ_SECONDS` and prints how many cases ran:
//! `FUZZ_SECONDS=600 nice -n 15 cargo test --release --test it fuzz_parsers::fuzz_selection -- --nocapture`

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, TestCaseError, TestRunner};
use serde_json::{json, Value};

use cors_doctor::config::Config;
use cors_doctor::evidence::RecordedResponse;
use cors_doctor::gateway::behavior::{regex_full_match, RouteBackend};
use cors_doctor::gateway::openapi;
use cors_doctor::gateway::scenario::Scenario;
use cors_doctor::http::{Headers, HttpRequest};
use cors_doctor::plan::TargetArgs;

mod exports;
mod requests;
mod templates;
mod terraform;

use exports::*;

/// The longest one case may take (a debug build on a busy machine included).
const CASE_LIMIT: Duration = Duration::from_secs(5);

/// Runs `check` on values of `strategy`: `FUZZ_CASES` of them, or for `FUZZ_SECONDS`.
fn fuzz<S>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32u32);
    let seconds: Option<u64> = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok());
    let started = Instant::now();
    let ran = AtomicU64::new(0);
    loop {
        let mut runner = TestRunner::new(PtConfig {
            cases: if seconds.is_some() { 2_000 } else { cases },
            failure_persistence: None,
            max_shrink_iters: 4_096,
            ..PtConfig::default()
        });
        let result = runner.run(&strategy, |value| {
            ran.fetch_add(1, Ordering::Relaxed);
            let t = Instant::now();
            check(value)?;
            prop_assert!(t.elapsed() < CASE_LIMIT, "one case took {:?}", t.elapsed());
            Ok(())
        });
        if let Err(e) = result {
            panic!(
                "fuzz {name}: failure after {} cases: {e}",
                ran.load(Ordering::Relaxed)
            );
        }
        match seconds {
            Some(s) if started.elapsed() < Duration::from_secs(s) => continue,
            _ => break,
        }
    }
    eprintln!(
        "fuzz {name}: {} cases in {:.0?}, 0 failures",
        ran.load(Ordering::Relaxed),
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Selection patterns

fn pattern_token() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "a", "b", "0", "\\d", "\\w", "\\s", "\\D", ".", "*", "+", "?", "{2}", "{1,3}", "{2,}",
            "(", ")", "|", "[", "]", "[^", "^", "$", "-", "\\", "(?:", "(?=", "(?!", "(?<=",
            "(?i)", "(?s)", "\\Q", "\\E", "\\1", "*+", "++", "*?", "{", "}", "{99999999999}",
            "\\n", "\n", "\r", "é", "\u{2028}", "\\p{Lu}", "\\x{41}", "\\u0041", "&&", ":",
            "\\b", "\\Z", "(?<n>", "\\k<n>",
        ])
        .prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(pattern_token(), 0..40).prop_map(|t| t.concat()),
        1 => (1usize..20_000, pattern_token()).prop_map(|(n, t)| t.repeat(n)),
        1 => (1usize..3_000).prop_map(|n| format!("{}a{}", "(".repeat(n), ")".repeat(n))),
        1 => any::<String>(),
    ]
}

fn selection_input() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ab0-9\n.é]{0,40}",
        any::<String>(),
        (0usize..5_000).prop_map(|n| "a".repeat(n)),
        Just("Malformed input\nat line 2".to_string()),
    ]
}

#[test]
fn fuzz_selection_patterns() {
    fuzz(
        "selection",
        (
            pattern(),
            selection_input(),
            "[a-z0-9 .*+?()\\[\\]{}|\\\\]{0,20}",
        ),
        |(pattern, input, literal)| {
            let _ = regex_full_match(&pattern, &input);
            let _ = cors_doctor::gateway::behavior::pattern_problem(&pattern);
            // Oracle: a quoted literal selects exactly itself.
            let quoted = format!("\\Q{}\\E", literal.replace("\\E", ""));
            let lit = literal.replace("\\E", "");
            prop_assert!(regex_full_match(&quoted, &lit), "{quoted} vs {lit:?}");
            prop_assert_eq!(
                regex_full_match(&quoted, &input),
                input == lit,
                "{} vs {:?}",
                quoted,
                input
            );
            Ok(())
        },
    );
}
