//! Pure helpers over the evidence for the views: which CORS headers are present, missing or
//! wrong in an exchange, and an exchange as a curl command.

use crate::cors::{self, CorsErrorKind};
use crate::evidence::{Exchange, ExchangeKind};
use crate::plan::Plan;
use crate::target::CredentialsMode;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Present and acceptable.
    Ok,
    /// Present but the browser rejects it (with why).
    Wrong(String),
}

/// A CORS header the browser expects in this response but did not get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Missing {
    pub name: &'static str,
    pub why: String,
}

/// The CORS judgement of one exchange's response headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsMarks {
    /// (lowercased header name, mark) for the access-control-* headers present.
    pub present: Vec<(String, Mark)>,
    pub missing: Vec<Missing>,
    /// The browser's objection, if any (Chromium's CorsError name).
    pub error: Option<String>,
}

impl CorsMarks {
    pub fn mark(&self, name: &str) -> Option<&Mark> {
        self.present
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, m)| m)
    }
}

fn header_of(kind: CorsErrorKind) -> Option<&'static str> {
    use CorsErrorKind::*;
    Some(match kind {
        WildcardOriginNotAllowed
        | PreflightWildcardOriginNotAllowed
        | MissingAllowOriginHeader
        | PreflightMissingAllowOriginHeader
        | MultipleAllowOriginValues
        | PreflightMultipleAllowOriginValues
        | InvalidAllowOriginValue
        | PreflightInvalidAllowOriginValue
        | AllowOriginMismatch
        | PreflightAllowOriginMismatch => "access-control-allow-origin",
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
            "access-control-allow-credentials"
        }
        InvalidAllowMethodsPreflightResponse | MethodDisallowedByPreflightResponse => {
            "access-control-allow-methods"
        }
        InvalidAllowHeadersPreflightResponse | HeaderDisallowedByPreflightResponse => {
            "access-control-allow-headers"
        }
        _ => return None,
    })
}

fn kind_name(kind: CorsErrorKind) -> String {
    kind.name().to_string()
}

/// Judges the CORS headers of `x` against the plan's target, with the CORS engine.
pub fn cors_marks(plan: &Plan, x: &Exchange) -> CorsMarks {
    let mut marks = CorsMarks::default();
    let Some(resp) = &x.response else {
        return marks;
    };
    let mut present: Vec<(String, Mark)> = resp
        .headers
        .iter()
        .filter(|(n, _)| n.to_ascii_lowercase().starts_with("access-control-"))
        .map(|(n, _)| (n.to_ascii_lowercase(), Mark::Ok))
        .collect();
    present.dedup_by(|a, b| a.0 == b.0);
    let target = &plan.target;
    let result = match x.kind {
        ExchangeKind::Preflight => {
            let preflight = cors::plan(target);
            cors::check_preflight(target, &preflight, resp, plan.mode).map(|_| ())
        }
        ExchangeKind::Actual => cors::check_actual(target, resp),
        // curl's view: no CORS check applies.
        ExchangeKind::NoOrigin | ExchangeKind::ForeignOrigin => Ok(()),
    };
    if let Err(e) = result {
        let name = kind_name(e.kind);
        marks.error = Some(match &e.failed_parameter {
            Some(p) => format!("{name} ({p})"),
            None => name.clone(),
        });
        if let Some(h) = header_of(e.kind) {
            let why = match &e.failed_parameter {
                Some(p) if !p.is_empty() => format!("{name}: {p}"),
                _ => name,
            };
            match present.iter_mut().find(|(n, _)| n == h) {
                Some(entry) => entry.1 = Mark::Wrong(why),
                None => marks.missing.push(Missing { name: h, why }),
            }
        }
    }
    if x.kind == ExchangeKind::Actual
        && target.credentials == CredentialsMode::Include
        && !present
            .iter()
            .any(|(n, _)| n == "access-control-allow-credentials")
        && !marks
            .missing
            .iter()
            .any(|m| m.name == "access-control-allow-credentials")
    {
        marks.missing.push(Missing {
            name: "access-control-allow-credentials",
            why: "credentials: include needs it".into(),
        });
    }
    marks.present = present;
    marks
}

/// The exchange's request as a curl command ([`crate::diagnose::remedy::curl`]). Secret
/// values are already masked in reports (`Bearer ****`): the user puts the real value back.
pub fn curl(x: &Exchange) -> String {
    let r = &x.request;
    crate::diagnose::remedy::curl("-i", &r.method, &r.url, r.headers.iter(), r.body.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{AnsweredBy, RecordedRequest};
    use crate::http::Headers;

    #[test]
    fn curl_quotes_and_keeps_order() {
        let x = Exchange {
            id: "x1".into(),
            kind: ExchangeKind::Preflight,
            request: RecordedRequest {
                method: "OPTIONS".into(),
                url: "https://a.example/it's".into(),
                headers: Headers::new()
                    .with("Origin", "https://app.example")
                    .with("Access-Control-Request-Method", "PUT"),
                body: None,
            },
            response: None,
            error: None,
            answered_by: AnsweredBy::Unknown,
            gateway_error_type: None,
            elapsed_ms: 1,
            predicted: false,
        };
        assert_eq!(
            curl(&x),
            "curl -i \\\n  -X OPTIONS \\\n  \"https://a.example/it's\" \\\n  -H 'Origin: https://app.example' \\\n  -H 'Access-Control-Request-Method: PUT'"
        );
    }
}
