//! A custom domain name with base path mappings.
//!
//! Skeleton: the spec exists so that scenarios, the simulator and the prediction can carry
//! it; the behaviour is filled in by issue 18 item 3.

use serde::{Deserialize, Serialize};

use super::{Layered, Next, Sighting};
use crate::exchange::{RecordedRequest, RecordedResponse};
use crate::http::HttpRequest;

/// A custom domain name with base path mappings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomDomain {}

/// The request through this layer (`None`: not configured, straight through).
pub fn respond(spec: Option<&CustomDomain>, request: &HttpRequest, next: &mut Next<'_>) -> Layered {
    let _ = spec;
    Layered::Passed(next(request))
}

/// This layer recognised in an answer.
pub fn seen(_request: &RecordedRequest, _response: Option<&RecordedResponse>) -> Option<Sighting> {
    None
}
