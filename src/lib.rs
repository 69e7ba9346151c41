//! cors-doctor: finds the real cause behind "blocked by CORS policy" on Amazon API Gateway.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cors;
pub mod evidence;
pub mod gateway;
pub mod http;
pub mod probe;
pub mod sim;
pub mod target;
