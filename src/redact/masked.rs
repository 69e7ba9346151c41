//! Masked exchanges: a type of their own ([`Masked`]), which only this module makes: an
//! [`Exchange`] straight from a probe cannot be put where a [`MaskedExchange`] is expected
//! (a report, a runner event), so it cannot be shown unmasked by mistake.

use std::ops::Deref;

use serde::{Deserialize, Serialize};

use super::{headers, url, Secrets};
use crate::exchange::{Exchange, RecordedRequest, RecordedResponse};
use crate::http::Headers;

/// A value whose secrets were masked, by structure and by value. Made by this module only
/// (and by serde, reading back a report that was masked when it was written); read through
/// `Deref`. Code outside `redact` cannot wrap a raw value:
///
/// ```compile_fail
/// # let x: cors_doctor::evidence::Exchange = todo!();
/// let masked = cors_doctor::redact::Masked(x); // private: only redact makes one
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Masked<T>(T);

/// An exchange fit to show: what reports, runner events and the TUI hold.
pub type MaskedExchange = Masked<Exchange>;

impl<T> Masked<T> {
    /// The masked value itself.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Masked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A copy of an exchange with every secret masked, by structure and by value in every
/// field (for display before the report exists, and in the report).
pub fn exchange(x: &Exchange, secrets: &Secrets) -> MaskedExchange {
    let mut x = x.clone();
    x.request = request(&x.request, secrets).into_inner();
    if let Some(r) = &x.response {
        x.response = Some(RecordedResponse {
            headers: headers(&r.headers),
            ..r.clone()
        });
    }
    Masked(match secrets.masked(&x) {
        Some(masked) => masked,
        None => Exchange {
            response: None,
            error: None,
            ..x
        },
    })
}

/// A copy of a request with every secret masked, by structure and by value.
pub fn request(r: &RecordedRequest, secrets: &Secrets) -> Masked<RecordedRequest> {
    let r = RecordedRequest {
        method: r.method.clone(),
        url: url(&r.url),
        headers: headers(&r.headers),
        body: r.body.clone(),
    };
    Masked(match secrets.masked(&r) {
        Some(masked) => masked,
        None => RecordedRequest {
            headers: Headers::new(),
            body: None,
            ..r
        },
    })
}
