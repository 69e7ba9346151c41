//! The integration tests, one binary (each binary links the whole crate and the AWS SDK, so
//! one binary builds and links once instead of fifteen times). One module per subject; run one
//! with `cargo test --test it MODULE::` (e.g. `cargo test --test it hostile::`), or any test by
//! name with `cargo test NAME`.
//!
//! Nothing here changes the process environment: tests that must (the sealed AWS environment,
//! a missing Chromium) live in their own binaries, `tests/aws/` and `tests/tui_chromium.rs`, so
//! a variable set for one test never leaks into another running in parallel.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod browser_differential;
mod browser_retest;
mod config_diagnosis;
mod crashes_and_hangs;
mod definitions;
mod explorer_confirm;
mod failure_classes;
mod fix_cli;
mod flows;
mod front_domain;
mod front_layers;
mod front_waf;
mod fuzz_parsers;
mod har;
mod hostile;
mod http_attribution;
mod lint;
mod lint_golden;
mod paste;
mod preview;
mod rerun;
mod scenarios;
mod secrets;
mod snippets;
mod templates;
mod terraform;
mod text_wrap;
mod tui;
mod tui_e2e;
