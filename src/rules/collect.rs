//! A route's diagnosis turned into its lint findings ([`candidates`]), merged across routes
//! ([`Merged`]: each once, an API-wide one counting the routes it meets), each pointed at the
//! element of the file it concerns ([`source_for`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::{api_wide, reported, LintFinding, Route};
use crate::diagnose::{self, Diagnosis, FindingCode, Severity};
use crate::evidence::{Exchange, ExchangeKind};
use crate::gateway::behavior::ASSUMPTION_HEADER;
use crate::gateway::model::{Api, ApiKind, Element, SourceRef};

/// Where each element is defined, looked up in O(log n) (a large plan records thousands).
pub(super) struct SourceIndex<'a> {
    by_element: BTreeMap<&'a Element, &'a SourceRef>,
}

impl<'a> SourceIndex<'a> {
    pub(super) fn new(api: &'a Api) -> Self {
        let mut by_element = BTreeMap::new();
        for l in &api.sources {
            by_element.entry(&l.element).or_insert(&l.source);
        }
        SourceIndex { by_element }
    }

    /// As [`Api::source_of`]: the element, else a method's resource, else the API.
    fn of(&self, element: &Element) -> Option<&'a SourceRef> {
        let find = |e: &Element| self.by_element.get(e).copied();
        find(element)
            .or_else(|| match element {
                Element::Method { path, .. } => find(&Element::Resource { path: path.clone() }),
                _ => None,
            })
            .or_else(|| find(&Element::Api))
    }

    fn has(&self, element: &Element) -> bool {
        self.by_element.contains_key(element)
    }
}

/// What one diagnosis was of.
pub(super) struct At<'a> {
    pub(super) api: &'a Api,
    pub(super) sources: &'a SourceIndex<'a>,
    pub(super) route: &'a Route,
    pub(super) stage: Option<&'a str>,
    pub(super) origin: &'a str,
}

/// Findings that are one: the code and, for a route's finding, the route and message (any
/// message for the proxy note); for an API-wide one, the stage.
#[derive(Clone, PartialEq, Eq, Hash)]
struct DedupeKey {
    code: FindingCode,
    route: Option<Route>,
    stage: Option<String>,
    message: String,
}

/// A finding of one route's diagnosis, before the routes' findings are merged.
pub(super) struct Candidate {
    key: DedupeKey,
    /// Reported once per API (see [`api_wide`]).
    wide: bool,
    finding: LintFinding,
    /// The API the diagnosis ran on (what the fix's snippets name).
    diagnosed: Arc<Api>,
}

/// The reported findings of one diagnosis (run on `diagnosed`), appended to `out`.
pub(super) fn candidates(
    at: &At<'_>,
    exchanges: &[Exchange],
    diagnosis: Diagnosis,
    diagnosed: &Arc<Api>,
    out: &mut Merged,
) {
    let (api, route, stage, origin) = (at.api, at.route, at.stage, at.origin);
    let assumed = |id: &String| {
        exchanges.iter().any(|x| {
            &x.id == id
                && x.response
                    .as_ref()
                    .is_some_and(|r| r.headers.contains(ASSUMPTION_HEADER))
        })
    };
    for step in diagnosis.steps {
        for f in step.findings {
            if !reported(f.code) {
                continue;
            }
            // The note every route of an HTTP API with a cors_configuration gets in `check`
            // (API Gateway answers preflights itself and ignores the backend's CORS headers:
            // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html)
            // explains an answer `check` has seen. Here no backend is known, so nothing says
            // the backend sends CORS headers at all: not a trap. The error form (the
            // configuration does not allow the origin) stays.
            if f.code == FindingCode::BackendHeadersIgnored && f.severity == Severity::Info {
                continue;
            }
            let proxy = matches!(
                f.code,
                FindingCode::ActualCorsHeaders | FindingCode::PreflightCorsHeaders
            ) && f.severity == Severity::Warning
                && f.evidence.iter().any(assumed);
            let (code, severity, message) = if proxy {
                let preflight = f.code == FindingCode::PreflightCorsHeaders
                    && exchanges
                        .iter()
                        .any(|x| x.kind == ExchangeKind::Preflight && f.evidence.contains(&x.id));
                (
                    FindingCode::ProxyBackendCors,
                    Severity::Info,
                    format!(
                        "{} {} goes to a proxy integration: its backend must answer {} with Access-Control-Allow-Origin for the app's origin on every response, errors included; cors-doctor cannot check the backend offline.",
                        route.method,
                        route.path,
                        if preflight { "the preflight (OPTIONS)" } else { "the request" }
                    ),
                )
            } else {
                (f.code, f.severity, f.message)
            };
            // An HTTP API's cors_configuration is one setting for every route.
            let wide = api_wide(code)
                || (code == FindingCode::CorsSecurityRisk
                    && api.kind == ApiKind::Http
                    && api.cors.is_some());
            let key = DedupeKey {
                code,
                route: (!wide).then(|| route.clone()),
                stage: wide.then(|| stage.map(str::to_string)).flatten(),
                message: if wide || code == FindingCode::ProxyBackendCors {
                    String::new()
                } else {
                    message.clone()
                },
            };
            out.add(Candidate {
                key,
                wide,
                finding: LintFinding {
                    code,
                    severity,
                    step: step.number,
                    message,
                    route: (!wide).then(|| route.clone()),
                    stage: stage.map(str::to_string),
                    origin: Some(origin.to_string()),
                    routes_affected: wide.then_some(1),
                    source: source_for(api, at.sources, code, route, wide),
                    remediation: if proxy { None } else { f.remediation },
                },
                diagnosed: Arc::clone(diagnosed),
            });
        }
    }
}

/// Findings merged in order, each once (the first); an API-wide one counts the routes that
/// meet it. Merged on each thread (the repeats freed where they were made), then across them.
#[derive(Default)]
pub(super) struct Merged {
    seen: HashMap<DedupeKey, usize>,
    kept: Vec<Candidate>,
}

impl Merged {
    pub(super) fn add(&mut self, c: Candidate) {
        if let Some(&i) = self.seen.get(&c.key) {
            if c.wide {
                if let Some(x) = self.kept.get_mut(i) {
                    let met = c.finding.routes_affected.unwrap_or(1);
                    x.finding.routes_affected = Some(x.finding.routes_affected.unwrap_or(1) + met);
                }
            }
            return;
        }
        self.seen.insert(c.key.clone(), self.kept.len());
        self.kept.push(c);
    }

    /// The findings kept, their fixes with snippets, rendered as [`diagnose::diagnose`]
    /// renders them (the diagnoses of [`check`] leave them out: most of their findings are
    /// repeats).
    /// The candidates kept, in order (one thread's share, for the merge across threads).
    pub(super) fn into_kept(self) -> Vec<Candidate> {
        self.kept
    }

    pub(super) fn findings(self) -> Vec<LintFinding> {
        self.kept
            .into_iter()
            .map(|c| {
                let mut finding = c.finding;
                if let Some(r) = &mut finding.remediation {
                    if let Some(set) = &r.change_set {
                        r.snippets = Some(diagnose::remedy::snippets::Snippets::render(
                            set,
                            Some(&c.diagnosed),
                            &r.commands,
                        ));
                    }
                }
                finding
            })
            .collect()
    }
}

/// Where to point a finding: the element it concerns.
fn source_for(
    api: &Api,
    sources: &SourceIndex<'_>,
    code: FindingCode,
    route: &Route,
    wide: bool,
) -> Option<SourceRef> {
    use FindingCode as C;
    let options = Element::Method {
        path: route.path.clone(),
        verb: "OPTIONS".to_string(),
    };
    let method = Element::Method {
        path: route.path.clone(),
        verb: route.method.clone(),
    };
    let element = match code {
        C::GatewayResponseNoCors | C::GatewayResponsesUnconfigured => {
            let typed = api.gateway_responses.iter().find_map(|g| {
                let e = Element::GatewayResponse {
                    response_type: g.response_type.clone(),
                };
                sources.has(&e).then_some(e)
            });
            typed.unwrap_or(Element::Api)
        }
        _ if wide => Element::Api,
        // The resource policy and the endpoint type are the API's own settings.
        C::ResourcePolicyDenied | C::PrivateApiOutsideVpc => Element::Api,
        C::OptionsAuthorized
        | C::OptionsApiKeyRequired
        | C::PreflightCorsHeaders
        | C::PreflightBadStatus
        | C::OptionsNotDeployed
            if api.kind == ApiKind::Rest
                && api
                    .resource(&route.path)
                    .is_some_and(|r| r.method("OPTIONS").is_some()) =>
        {
            options
        }
        C::OptionsMissing => Element::Resource {
            path: route.path.clone(),
        },
        C::CorsSecurityRisk | C::PreflightCorsHeaders | C::ActualCorsHeaders
            if api.kind == ApiKind::Http && api.cors.is_some() =>
        {
            Element::Cors
        }
        _ => method,
    };
    sources.of(&element).cloned()
}
