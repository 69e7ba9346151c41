//! An Application Load Balancer (ALB) answering instead of API Gateway: the app calls the
//! load balancer's URL, and the load balancer either passes the request to its target or
//! answers with its own error page.
//!
//! Behaviour, from the Elastic Load Balancing user guide ("Troubleshoot your Application Load
//! Balancers",
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html>):
//! - **502 Bad Gateway**: among other causes, "the load balancer received a TCP RST from the
//!   target when attempting to establish a connection" (the target is down or not listening);
//! - **503 Service Unavailable**: "the target groups for the load balancer have no registered
//!   targets";
//! - **504 Gateway Timeout**: "the load balancer failed to establish a connection to the
//!   target before the connection timeout expired (10 seconds)";
//! - these pages are the load balancer's own: `Server: awselb/2.0`, an HTML body ending in
//!   `<center>awselb/2.0</center>`, and no CORS headers (the load balancer adds none), so the
//!   browser hides the status behind a CORS error.
//!
//! A target group whose targets are all unhealthy "fails open" (the load balancer routes to
//! all of them, <https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html>):
//! what the browser sees is then what the unhealthy target does, which [`Targets`] names.
//!
//! Choices the documentation leaves open:
//! - a target that answers: the request passes to what the scenario describes behind the
//!   load balancer (its API and backend), unchanged, and the answer comes back unchanged
//!   (an ALB adds no headers to a target's answer);
//! - the error pages' exact bytes (not documented): the commonly seen nginx-style page.

use serde::{Deserialize, Serialize};

use super::{Layer, Layered, Next, Sighting};
use crate::exchange::{load_balancer_answer, AnsweredBy, RecordedRequest, RecordedResponse};
use crate::http::{Headers, HttpRequest, HttpResponse};

/// An Application Load Balancer answering instead of API Gateway.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// The load balancer's name (for messages).
    #[serde(default = "default_name")]
    pub name: String,
    /// What the targets of the listener's target group do.
    #[serde(default)]
    pub targets: Targets,
}

fn default_name() -> String {
    "my-alb".to_string()
}

/// What the load balancer's targets do with a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Targets {
    /// A target answers: the request passes to what the scenario describes behind it.
    #[default]
    Answering,
    /// The target refuses the connection (TCP RST: down, not listening): 502.
    RefuseConnections,
    /// The target group has no registered targets: 503.
    NoneRegistered,
    /// The connection to the target times out: 504.
    TimeOut,
}

impl Targets {
    /// The status of the load balancer's own page (`None`: a target answers).
    pub fn error_status(self) -> Option<u16> {
        match self {
            Targets::Answering => None,
            Targets::RefuseConnections => Some(502),
            Targets::NoneRegistered => Some(503),
            Targets::TimeOut => Some(504),
        }
    }
}

/// The load balancer's own error page for `status` (502, 503, 504).
pub fn error_page(status: u16) -> HttpResponse {
    let title = match status {
        502 => "502 Bad Gateway",
        503 => "503 Service Temporarily Unavailable",
        504 => "504 Gateway Time-out",
        _ => "500 Internal Server Error",
    };
    HttpResponse {
        status,
        headers: Headers::new()
            .with("Server", "awselb/2.0")
            .with("Content-Type", "text/html"),
        body: format!(
            "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>awselb/2.0</center>\r\n</body>\r\n</html>\r\n"
        )
        .into_bytes(),
    }
}

/// The request through this layer (`None`: not configured, straight through). The load
/// balancer answers itself when its targets cannot, else passes the request to them.
pub fn respond(spec: Option<&LoadBalancer>, request: &HttpRequest, next: &mut Next<'_>) -> Layered {
    match spec.and_then(|lb| lb.targets.error_status()) {
        Some(status) => Layered::Answered(error_page(status), AnsweredBy::LoadBalancer),
        None => Layered::Passed(next(request)),
    }
}

/// An ALB's own error page (502/503/504 with `<center>awselb/2.0</center>`), not a target's.
pub fn is_error_page(response: &RecordedResponse) -> bool {
    matches!(response.status, 502..=504)
        && load_balancer_answer(response)
        && response.body_excerpt.contains("awselb/")
}

/// This layer recognised in an answer: `Server: awselb/…`.
pub fn seen(_request: &RecordedRequest, response: Option<&RecordedResponse>) -> Option<Sighting> {
    let response = response.filter(|r| load_balancer_answer(r))?;
    let detail = if is_error_page(response) {
        format!(
            "{} page from the load balancer itself (Server: awselb)",
            response.status
        )
    } else {
        "Server: awselb (an Application Load Balancer, not API Gateway)".to_string()
    };
    Some(Sighting {
        layer: Layer::LoadBalancer,
        detail,
        answered: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get() -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            path_and_query: "/items".into(),
            headers: Headers::new().with("Origin", "https://app.example.com"),
            body: vec![],
        }
    }

    fn recorded(r: &HttpResponse) -> RecordedResponse {
        RecordedResponse {
            status: r.status,
            headers: r.headers.clone(),
            body_excerpt: String::from_utf8_lossy(&r.body).to_string(),
            body_truncated: false,
        }
    }

    #[test]
    fn targets_that_cannot_answer_get_the_load_balancers_page_without_cors() {
        for (targets, status) in [
            (Targets::RefuseConnections, 502),
            (Targets::NoneRegistered, 503),
            (Targets::TimeOut, 504),
        ] {
            let lb = LoadBalancer {
                targets,
                ..LoadBalancer::default()
            };
            let mut reached = false;
            let out = respond(Some(&lb), &get(), &mut |_| {
                reached = true;
                HttpResponse {
                    status: 200,
                    headers: Headers::new(),
                    body: vec![],
                }
            });
            assert!(!reached, "{targets:?}: the target is never reached");
            let Layered::Answered(resp, by) = out else {
                panic!("{targets:?}: the load balancer answers");
            };
            assert_eq!((resp.status, by), (status, AnsweredBy::LoadBalancer));
            assert!(!resp.headers.contains("access-control-allow-origin"));
            assert!(is_error_page(&recorded(&resp)), "{targets:?}");
        }
    }

    #[test]
    fn answering_targets_get_the_request_and_their_answer_is_seen() {
        let lb = LoadBalancer::default();
        let out = respond(Some(&lb), &get(), &mut |r| HttpResponse {
            status: 200,
            headers: Headers::new().with("X-Path", r.path_and_query.clone()),
            body: vec![],
        });
        let Layered::Passed(resp) = out else {
            panic!("the target answers");
        };
        assert_eq!(resp.headers.get("x-path"), Some("/items"));
        let rq = RecordedRequest {
            method: "GET".into(),
            url: "https://api.example.com/items".into(),
            headers: Headers::new(),
            body: None,
        };
        let page = recorded(&error_page(502));
        assert_eq!(
            seen(&rq, Some(&page)).map(|s| (s.layer, s.answered)),
            Some((Layer::LoadBalancer, true))
        );
        assert_eq!(seen(&rq, Some(&recorded(&resp))), None);
    }
}
