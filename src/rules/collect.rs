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
            // The finding rests on the route's preflight exchange.
            let about_preflight = exchanges
                .iter()
                .any(|x| x.kind == ExchangeKind::Preflight && f.evidence.contains(&x.id));
            let (code, severity, message) = if proxy {
                let preflight = f.code == FindingCode::PreflightCorsHeaders && about_preflight;
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
                    source: source_for(api, at.sources, code, route, stage, wide, about_preflight),
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

/// Where to point a finding: the element it concerns ([`crate::diagnose::source::concern`],
/// the table `check` uses), looked up for the route; an API-wide one at the API (a gateway
/// response's at the first customized response the file defines). `preflight`: the finding
/// is about the route's preflight.
fn source_for(
    api: &Api,
    sources: &SourceIndex<'_>,
    code: FindingCode,
    route: &Route,
    stage: Option<&str>,
    wide: bool,
    preflight: bool,
) -> Option<SourceRef> {
    use crate::diagnose::source::{concern, Concern};
    let method = |verb: &str| Element::Method {
        path: route.path.clone(),
        verb: verb.to_string(),
    };
    let element = match concern(code, api, preflight) {
        Some(Concern::GatewayResponse) => api
            .gateway_responses
            .iter()
            .find_map(|g| {
                let e = Element::GatewayResponse {
                    response_type: g.response_type.clone(),
                };
                sources.has(&e).then_some(e)
            })
            .unwrap_or(Element::Api),
        _ if wide => Element::Api,
        None | Some(Concern::Api) => Element::Api,
        // A route without its own OPTIONS method (an HTTP API's, a REST resource's preflight
        // answered elsewhere): the route's method.
        Some(Concern::Options) => {
            let has_options = api
                .resource(&route.path)
                .is_some_and(|r| r.method("OPTIONS").is_some());
            method(if has_options {
                "OPTIONS"
            } else {
                &route.method
            })
        }
        Some(Concern::Method) => method(&route.method),
        Some(Concern::Resource) => Element::Resource {
            path: route.path.clone(),
        },
        Some(Concern::Cors) => Element::Cors,
        Some(Concern::Stage) => match stage {
            Some(name) => Element::Stage {
                name: name.to_string(),
            },
            None => Element::Deployment,
        },
        Some(Concern::Deployment) => Element::Deployment,
    };
    sources.of(&element).cloned()
}
