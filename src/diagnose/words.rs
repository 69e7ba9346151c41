//! An exchange in words, once: what came back and a one-line summary. The diagnosis's
//! messages, the reports and the TUI's views all use these.

use crate::evidence::Exchange;

/// What came back: `403 MissingAuthenticationTokenException`, `failed: connection refused`,
/// `no answer`.
pub fn answer(x: &Exchange) -> String {
    match (&x.response, &x.error) {
        (Some(r), _) => match &x.gateway_error_type {
            Some(t) => format!("{} {t}", r.status),
            None => r.status.to_string(),
        },
        (None, Some(e)) => format!("failed: {}", e.message),
        (None, None) => "no answer".to_string(),
    }
}

/// One exchange in one line: `x1 preflight OPTIONS → 403 MissingAuthenticationTokenException
/// from API Gateway`, with ` · predicted` for an answer the API Gateway model predicted.
pub fn exchange_summary(x: &Exchange) -> String {
    let mut s = format!(
        "{} {} {} → {}",
        x.id,
        x.kind.label(),
        x.request.method,
        answer(x)
    );
    if x.response.is_some() {
        s.push_str(" from ");
        s.push_str(x.answered_by.words());
    }
    if x.predicted {
        s.push_str(" · predicted");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{
        AnsweredBy, ExchangeKind, FailureKind, RecordedRequest, RecordedResponse, TransportError,
    };
    use crate::http::Headers;

    fn exchange() -> Exchange {
        Exchange {
            id: "x1".into(),
            kind: ExchangeKind::Preflight,
            request: RecordedRequest {
                method: "OPTIONS".into(),
                url: "https://abc.execute-api.us-east-1.amazonaws.com/prod/items".into(),
                headers: Headers::new(),
                body: None,
            },
            response: Some(RecordedResponse {
                status: 403,
                headers: Headers::new(),
                body_excerpt: String::new(),
                body_truncated: false,
            }),
            error: None,
            answered_by: AnsweredBy::Gateway,
            gateway_error_type: Some("MissingAuthenticationTokenException".into()),
            elapsed_ms: 3,
            predicted: false,
        }
    }

    #[test]
    fn an_exchange_in_one_line() {
        let mut x = exchange();
        assert_eq!(
            exchange_summary(&x),
            "x1 preflight OPTIONS → 403 MissingAuthenticationTokenException from API Gateway"
        );
        x.predicted = true;
        assert!(exchange_summary(&x).ends_with(" · predicted"));
        x.response = None;
        x.error = Some(TransportError {
            kind: FailureKind::Connect,
            message: "connection refused".into(),
        });
        assert_eq!(
            exchange_summary(&x),
            "x1 preflight OPTIONS → failed: connection refused · predicted"
        );
    }
}
