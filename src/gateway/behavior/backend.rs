//! The integrations behind an API: what a backend answers to one call.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::gateway::model::Integration;
use crate::http::HttpRequest;

/// What a backend (Lambda, HTTP endpoint) answers. In a scenario file:
/// `{"status": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}` or
/// `{"failure": "timeout"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackendReply {
    #[serde(default = "ok_status")]
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: String,
    /// The backend does not answer properly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<BackendFailure>,
}

fn ok_status() -> u16 {
    200
}

impl Default for BackendReply {
    fn default() -> Self {
        BackendReply {
            status: 200,
            headers: BTreeMap::new(),
            body: String::new(),
            failure: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BackendFailure {
    /// The integration timed out (REST: 504 INTEGRATION_TIMEOUT).
    Timeout,
    /// The Lambda function failed or returned a malformed proxy response (REST: 502).
    Error,
}

/// One call from API Gateway to an integration.
#[derive(Clone, Copy, Debug)]
pub struct BackendCall<'a> {
    /// The resource or route template path (`/items/{id}`, `$default`).
    pub route_path: &'a str,
    /// The configured method (`GET`, or `ANY`).
    pub route_method: &'a str,
    pub integration: &'a Integration,
    /// The request as the client sent it (path below the stage).
    pub request: &'a HttpRequest,
}

/// The integrations behind an API.
pub trait Backend {
    fn invoke(&self, call: &BackendCall<'_>) -> BackendReply;
}

/// A backend that answers every call the same way.
#[derive(Clone, Debug, Default)]
pub struct FixedBackend(pub BackendReply);

impl Backend for FixedBackend {
    fn invoke(&self, _call: &BackendCall<'_>) -> BackendReply {
        self.0.clone()
    }
}

/// Replies by route: keys `"GET /items"`, `"ANY /items/{id}"`, `"$default"` or `"*"`; a call
/// is answered by `"<request method> <template>"`, then `"<configured method> <template>"`,
/// then `"<template>"`, then `"*"`, then [`BackendReply::default`] (200, no headers, empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RouteBackend(pub BTreeMap<String, BackendReply>);

impl Backend for RouteBackend {
    fn invoke(&self, call: &BackendCall<'_>) -> BackendReply {
        let method = call.request.method.to_ascii_uppercase();
        let keys = [
            format!("{method} {}", call.route_path),
            format!("{} {}", call.route_method, call.route_path),
            call.route_path.to_string(),
            "*".to_string(),
        ];
        keys.iter()
            .find_map(|k| self.0.get(k))
            .cloned()
            .unwrap_or_default()
    }
}
