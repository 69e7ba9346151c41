//! The seven steps. Each reads the evidence (and the configuration, when there is one) and
//! returns a step with its findings. The first step that fails is where the user should look.

use super::classify::{classify_preflight, http_error_source, http_gateway_shaped, PreflightClass};
use super::draft::Draft;
use super::remedy::FixContext;
use super::ApiSummary;
use crate::cors::{Mode, PreflightPlan, Verdict};
use crate::evidence::{AnsweredBy, Evidence, Exchange, ExchangeKind};
use crate::gateway::inspect::ConfigFacts;

pub(super) struct Ctx<'a> {
    pub ev: &'a Evidence,
    pub facts: Option<&'a ConfigFacts>,
    pub plan: &'a PreflightPlan,
    pub verdict: &'a Verdict,
    pub mode: Mode,
    pub preflight: Option<&'a Exchange>,
    pub actual: Option<&'a Exchange>,
    pub bare: Option<&'a Exchange>,
    pub fix: FixContext,
}

impl<'a> Ctx<'a> {
    pub fn new(
        ev: &'a Evidence,
        facts: Option<&'a ConfigFacts>,
        plan: &'a PreflightPlan,
        verdict: &'a Verdict,
        api: &ApiSummary,
        mode: Mode,
    ) -> Self {
        // An unresolved location: the facts' resource is a guess, never used for commands.
        let resource = facts
            .filter(|_| api.resource_unresolved.is_none())
            .and_then(|f| f.resource.as_ref());
        // The URL's path is the resource path only when the URL names the stage (an
        // execute-api URL) or the configuration resolved it; behind a custom domain or a
        // proxy a prefix may stand in front of it.
        let resource_path_known = resource.is_some() || api.resource.is_some();
        let loaded = match &ev.config {
            crate::evidence::ConfigEvidence::Loaded { api, .. } => Some(api.as_ref()),
            _ => None,
        };
        let rest = facts.and_then(|f| f.rest.as_ref());
        let http = facts.and_then(|f| f.http.as_ref());
        // Without a live URL (a diagnosis from an export), the URL is synthesized from
        // placeholders (`api-id`, stage `prod`): only ids the configuration holds are real.
        let live = ev.exchanges.iter().any(|x| !x.predicted);
        let loaded_stage = match &ev.config {
            crate::evidence::ConfigEvidence::Loaded { stage, .. } => stage.clone(),
            _ => None,
        };
        let fix = FixContext {
            rest: api.kind != super::ApiKindSeen::Http,
            http: api.kind == super::ApiKindSeen::Http,
            api_id: loaded
                .and_then(|a| a.id.clone())
                .or_else(|| live.then(|| api.id.clone()).flatten()),
            stage: loaded_stage.or_else(|| live.then(|| api.stage.clone()).flatten()),
            resource_id: resource.and_then(|r| r.id.clone()),
            resource_path: resource
                .filter(|r| r.path != crate::gateway::model::DEFAULT_ROUTE)
                .map(|r| r.path.clone())
                .or_else(|| {
                    facts
                        .filter(|_| api.resource_unresolved.is_none())
                        .map(|f| f.path.clone())
                })
                .or_else(|| api.resource.clone())
                .unwrap_or_else(|| ev.target.url.path().to_string()),
            origin: ev.target.origin.clone(),
            method: plan.method.clone(),
            request_headers: plan.request_headers.clone(),
            credentials: ev.target.credentials,
            region: loaded
                .and_then(|a| a.region.clone())
                .or_else(|| live.then(|| api.region.clone()).flatten()),
            api_name: loaded.map(|a| a.name.clone()),
            config_loaded: facts.is_some(),
            resource_methods: loaded
                .zip(resource)
                .and_then(|(a, r)| a.resources.iter().find(|x| x.path == r.path))
                .map(|r| r.methods.iter().map(|m| m.http_method.clone()).collect())
                .unwrap_or_default(),
            // Per-resource facts only for the resolved resource (a guessed one lends nothing).
            options: resource.and(rest).and_then(|r| r.options.clone()),
            gateway_responses: rest.map(|r| r.gateway_responses.clone()),
            http_cors: http.and_then(|h| h.cors.clone()),
            http_auto_deploy: http.and_then(|h| h.auto_deploy),
            http_options_route: http.and_then(|h| h.options_route.clone()),
            observed_preflight: observed_preflight(ev),
            observed_preflight_status: ev
                .exchange(ExchangeKind::Preflight)
                .and_then(|x| x.response.as_ref())
                .map(|r| r.status),
            resource_path_known,
        };
        Ctx {
            ev,
            facts,
            plan,
            verdict,
            mode,
            preflight: ev.exchange(ExchangeKind::Preflight),
            actual: ev.exchange(ExchangeKind::Actual),
            bare: ev.exchange(ExchangeKind::NoOrigin),
            fix,
        }
    }

    /// True when the actual exchange was predicted, not observed.
    pub fn actual_predicted(&self) -> bool {
        self.actual.is_some_and(|x| x.predicted)
    }

    /// True when `x` is a prediction whose answer a proxy backend would decide, so it was
    /// assumed (see [`super::ASSUMPTION_HEADER`]).
    pub fn assumed(&self, x: &Exchange) -> bool {
        // An HTTP API's cors_configuration sets the CORS headers itself: nothing is assumed.
        let api_sets_cors = self
            .facts
            .and_then(|f| f.http.as_ref())
            .is_some_and(|h| h.cors.is_some());
        !api_sets_cors
            && x.predicted
            && x.response
                .as_ref()
                .is_some_and(|r| r.headers.contains(super::ASSUMPTION_HEADER))
    }

    fn preflight_class(&self) -> Option<PreflightClass> {
        self.preflight.map(classify_preflight)
    }

    fn is_gateway_api(&self) -> bool {
        self.fix.api_id.is_some()
            || self.facts.is_some()
            || self
                .ev
                .exchanges
                .iter()
                .any(|x| x.answered_by != AnsweredBy::Unknown)
    }

    fn path(&self) -> &str {
        &self.fix.resource_path
    }
}

/// The Access-Control-Allow-* headers of a live preflight the method answered with a 2xx
/// (what remedies widen when no configuration was read).
fn observed_preflight(ev: &Evidence) -> Vec<(String, String)> {
    let Some(x) = ev.exchange(ExchangeKind::Preflight) else {
        return Vec::new();
    };
    match &x.response {
        Some(r)
            if !x.predicted
                && x.answered_by != AnsweredBy::Gateway
                && (200..300).contains(&r.status) =>
        {
            [
                "access-control-allow-origin",
                "access-control-allow-methods",
                "access-control-allow-headers",
                "access-control-allow-credentials",
            ]
            .iter()
            .filter_map(|n| r.headers.get(n).map(|v| (n.to_string(), v.to_string())))
            .collect()
        }
        _ => Vec::new(),
    }
}

/// What came back, in words ([`super::words::answer`]).
fn status_text(x: &Exchange) -> String {
    super::words::answer(x)
}

/// The preflight and what its answer means, or the step that ends here (no preflight needed,
/// none sent, or no answer).
fn preflight_answer<'a>(
    c: &Ctx<'a>,
    number: u8,
) -> Result<(&'a Exchange, PreflightClass), Box<Draft>> {
    if let Some(s) = skipped(number, c) {
        return Err(Box::new(s));
    }
    let Some(pf) = c.preflight else {
        return Err(Box::new(Draft::unknown(
            number,
            "The preflight was not sent.",
        )));
    };
    match classify_preflight(pf) {
        PreflightClass::NoResponse(msg) => Err(Box::new(Draft::unknown(
            number,
            crate::diagnose::sentence(&format!("The preflight got no answer: {msg}")),
        ))),
        class => Ok((pf, class)),
    }
}

fn skipped(number: u8, c: &Ctx) -> Option<Draft> {
    (!c.plan.required).then(|| {
        Draft::skip(
            number,
            "No preflight is sent, so OPTIONS does not matter here.",
        )
    })
}

/// Who answered, in words. HTTP APIs mark their own errors with no `x-amzn-ErrorType`: an
/// error with API Gateway's `{"message": …}` body is attributed by the configuration (an
/// authorized route that catches the request → its authorizer; no route → API Gateway), and
/// where neither tells, "API Gateway or the backend".
fn who(c: &Ctx, x: &Exchange) -> &'static str {
    if let Some(by) = http_error_source(c.ev, x) {
        return by;
    }
    match x.answered_by {
        // Exchanges recorded before `GatewayOrBackend` existed (a saved report).
        AnsweredBy::Backend if http_gateway_shaped(x) => AnsweredBy::GatewayOrBackend.words(),
        by => by.words(),
    }
}

mod front_cloudfront;
mod front_domain;
mod front_function_url;
mod front_waf;
mod gateway;
mod headers;
mod options;

pub(super) use front_domain::outside_vpc;
pub(super) use front_function_url::settles_as_function_url;
pub(super) use front_waf::settles_as_waf;

pub(super) use gateway::gateway_responses;
pub(super) use headers::cors_headers;
pub(super) use options::{browser_only, options_exists, options_unauthorized, preflight};
