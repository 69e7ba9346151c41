//! The loopback simulator: an HTTP server answering like API Gateway would (via
//! `gateway::behavior`), for `demo`, `serve` and tests; plus misbehaving raw servers for tests.
pub mod gateway;
pub mod server;
pub mod testing;

pub use server::{Handler, SimServer};
