//! CloudFront in front of the API: allowed methods, the cache (and whether its key varies on
//! `Origin` / `Access-Control-Request-*`), response headers policies, CloudFront's own errors.
//!
//! Skeleton: the spec and the state exist so that scenarios, the simulator and the
//! prediction can carry a distribution; the behaviour is filled in by the CloudFront work
//! (issue 18 item 2).

use serde::{Deserialize, Serialize};

use super::{Layered, Next, Sighting};
use crate::exchange::{RecordedRequest, RecordedResponse};
use crate::http::HttpRequest;

/// A distribution whose origin is the API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {}

/// What CloudFront holds between requests.
#[derive(Debug, Default)]
pub struct Cache {}

/// The request through CloudFront (`None`: no distribution, straight through).
pub fn respond(
    distribution: Option<&Distribution>,
    _cache: &mut Cache,
    request: &HttpRequest,
    next: &mut Next<'_>,
) -> Layered {
    let _ = distribution;
    Layered::Passed(next(request))
}

/// CloudFront recognised in an answer.
pub fn seen(_request: &RecordedRequest, _response: Option<&RecordedResponse>) -> Option<Sighting> {
    None
}
