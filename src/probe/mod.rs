//! Live probes: the requests a browser sends, replayed with reqwest.
pub mod requests;
