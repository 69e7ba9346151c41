//! The tests that talk through the AWS SDK (moto, recorded responses, the printed `aws` CLI
//! fixes, APIs other tools built), one binary. They seal the process environment
//! ([`support::seal_env`]: static test credentials, no instance metadata, no shared config
//! files), which is process-wide — so they live apart from `tests/it/`, whose tests run the
//! binary with the environment the suite was started with. Run one module with
//! `cargo test --test aws MODULE::` (e.g. `cargo test --test aws aws_moto::`).

#[path = "../common/mod.rs"]
mod common;
mod support;

mod audit_recorded;
mod aws_cli_fixes;
mod aws_moto;
mod aws_recorded;
mod cloudfront_fixes;
mod foreign_apis;
