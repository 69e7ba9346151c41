//! A Lambda function URL answering instead of API Gateway.
//!
//! Skeleton: the spec exists so that scenarios, the simulator and the prediction can carry
//! it; the behaviour is filled in by issue 18 item 6.

use serde::{Deserialize, Serialize};

use super::{Layered, Next, Sighting};
use crate::exchange::{RecordedRequest, RecordedResponse};
use crate::http::HttpRequest;

/// A Lambda function URL answering instead of API Gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionUrl {}

/// The request through this layer (`None`: not configured, straight through).
pub fn respond(spec: Option<&FunctionUrl>, request: &HttpRequest, next: &mut Next<'_>) -> Layered {
    let _ = spec;
    Layered::Passed(next(request))
}

/// This layer recognised in an answer.
pub fn seen(_request: &RecordedRequest, _response: Option<&RecordedResponse>) -> Option<Sighting> {
    None
}
