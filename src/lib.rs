//! cors-doctor: finds the real cause behind "blocked by CORS policy" on Amazon API Gateway.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
#[cfg(test)]
mod architecture;
pub mod audit;
pub mod aws;
pub mod browser;
pub mod cli;
pub mod config;
pub mod cors;
pub mod diagnose;
pub mod evidence;
pub mod exchange;
pub mod flow;
pub mod gateway;
pub mod har;
pub mod http;
pub mod lint;
pub mod logging;
pub mod manual;
pub mod paste;
pub mod plan;
pub mod probe;
pub mod redact;
pub mod report;
pub mod rules;
pub mod runner;
pub mod signals;
pub mod sim;
pub mod target;
pub mod text;
pub mod tui;
pub mod user_file;
