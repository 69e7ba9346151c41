//! Live probes: the requests a browser sends, replayed with reqwest.
mod classify;
pub mod client;
pub mod requests;

pub use client::{run_all, send, ProbeOptions, ProbeSetupError, Prober};

#[cfg(test)]
mod tests;
