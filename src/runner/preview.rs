//! The preview (issue 14): every change the report's findings propose, applied to a copy of
//! the configuration (`gateway::change::apply`), the same requests replayed through the
//! behaviour model (`gateway::behavior::predict`, the offline predictor), and diagnosed again.
//!
//! - Change sets are applied finding by finding, in report order; a change already applied
//!   (two findings often propose the same one: OPTIONS_MISSING and PREFLIGHT_CORS_HEADERS
//!   both create the OPTIONS method) is applied once, and the deployments go last, once per
//!   stage, so that the stage serves every change.
//! - A change the model refuses is a note (a bug in the remedy or the model), never silently
//!   dropped; the rest still apply.
//! - The backend's answers: a scenario's (it knows them); otherwise, as for every offline
//!   prediction, a backend that answers the app's origin correctly is assumed, and the
//!   predicted diagnosis says so.
//! - Without a configuration (probes only) nothing can be applied: the preview lists the
//!   headers the responses need and says that the configuration is needed.

use std::sync::Arc;

use crate::cors::{self, Mode, Outcome};
use crate::diagnose::{self, FindingCode};
use crate::evidence::{ConfigEvidence, Evidence};
use crate::gateway::behavior::{self, Located, PredictRequest, RouteBackend};
use crate::gateway::change::{apply, apply_front, is_front_change, Change, ChangeSet};
use crate::gateway::front::Front;
use crate::report::{NeededHeader, Preview, PreviewChange, PreviewResult, Report};
use crate::target::CredentialsMode;

/// The preview of `report` (made from `evidence`).
pub fn preview(
    evidence: &Evidence,
    report: &Report,
    backend: Option<&RouteBackend>,
    mode: Mode,
) -> Preview {
    let already = report.browser.outcome == Outcome::Allowed;
    let ConfigEvidence::Loaded { api, front, .. } = &evidence.config else {
        return probes_only(evidence, &proposed(report), already, mode);
    };
    let mut fixed = (**api).clone();
    // The layers in front, as changes outside API Gateway leave them (a CloudFront
    // distribution's settings, a function URL's CORS).
    let mut fixed_front = front.clone();
    let mut changes: Vec<PreviewChange> = Vec::new();
    let mut notes = Vec::new();
    let mut assume_backend = false;
    let mut current = report.clone();
    let mut predicted = None;
    let predict = |fixed: &crate::gateway::Api, front: &Front, assume_backend: bool| {
        let after = replay(
            evidence,
            Arc::new(fixed.clone()),
            front,
            backend.filter(|_| !assume_backend),
        );
        let diagnosis = diagnose::diagnose(&after, mode);
        Report::new(&after, &diagnosis)
    };
    for round in 1..=ROUNDS {
        let applied = apply_round(
            &mut fixed,
            &mut fixed_front,
            &proposed(&current),
            &mut changes,
            &mut notes,
        );
        if applied == 0 && (round > 1 || already) {
            // Nothing more to change: the last prediction stands.
            break;
        }
        if round > 1 {
            notes.push(format!(
                "Round {round}: after the changes above, the diagnosis of the fixed configuration proposed more; they are included."
            ));
        }
        let mut next = predict(&fixed, &fixed_front, assume_backend);
        if next.browser.outcome != Outcome::Allowed && !assume_backend {
            // Still blocked where a finding asks for a fix in the backend's code (a proxy
            // integration passes its answer through): the preview assumes that fix made.
            let mut fixes = backend_fixes(&current);
            for c in backend_fixes(&next) {
                if !fixes.contains(&c) {
                    fixes.push(c);
                }
            }
            if !fixes.is_empty() {
                assume_backend = true;
                let codes: Vec<&str> = fixes.iter().map(|c| c.as_str()).collect();
                notes.push(format!(
                    "{} asks for a change in the backend's code, which no API Gateway setting makes: the preview assumes the backend makes it (it answers the app's origin with the CORS headers its remediation names).",
                    codes.join(" and ")
                ));
                next = predict(&fixed, &fixed_front, true);
            }
        }
        let allowed = next.browser.outcome == Outcome::Allowed;
        current = next.clone();
        predicted = Some(next);
        if allowed {
            break;
        }
    }
    if changes.is_empty() && !already && !assume_backend {
        notes.push("No finding proposes a change to the API's configuration: there is nothing to preview (see each step's remediation).".to_string());
        return Preview {
            result: PreviewResult::NotPreviewed,
            changes,
            report: None,
            headers_needed: Vec::new(),
            headers_verdict: None,
            notes,
        };
    }
    if changes.is_empty() && already {
        return Preview {
            result: PreviewResult::AlreadyAllowed,
            changes,
            report: None,
            headers_needed: Vec::new(),
            headers_verdict: None,
            notes,
        };
    }
    if backend.is_none() && !assume_backend {
        notes.push("The backend's answers are assumed (a backend that answers the app's origin with the right CORS headers), as in every offline prediction: the preview proves the API Gateway changes, not the backend's code.".to_string());
    }
    let result = match &predicted {
        Some(r) if r.browser.outcome == Outcome::Allowed => PreviewResult::Allowed,
        _ => PreviewResult::StillBlocked,
    };
    Preview {
        result,
        changes,
        report: predicted.map(Box::new),
        headers_needed: Vec::new(),
        headers_verdict: None,
        notes,
    }
}

/// At most this many rounds of fix → diagnose again (a fix can reveal the next problem: once
/// OPTIONS is deployed, its headers are checked).
const ROUNDS: usize = 4;

/// The change sets the report's findings propose, in report order.
fn proposed(report: &Report) -> Vec<(FindingCode, ChangeSet)> {
    report
        .steps
        .iter()
        .flat_map(|s| s.findings.iter())
        .filter_map(|f| {
            let cs = f.remediation.as_ref()?.change_set.as_ref()?;
            Some((f.code, cs.clone()))
        })
        .collect()
}

/// The findings whose fix is the backend's code (a proxy integration passes its answer
/// through): no change set, a remediation in words.
fn backend_fixes(report: &Report) -> Vec<FindingCode> {
    report
        .steps
        .iter()
        .flat_map(|s| s.findings.iter())
        .filter(|f| {
            matches!(
                f.code,
                FindingCode::ActualCorsHeaders
                    | FindingCode::PreflightCorsHeaders
                    | FindingCode::PreflightBadStatus
            ) && f
                .remediation
                .as_ref()
                .is_some_and(|r| r.change_set.is_none())
        })
        .map(|f| f.code)
        .collect()
}

/// Applies one round of change sets to `fixed`: a change proposed twice in the round is
/// applied once, the deployments last. Returns how many changes were applied; each is listed
/// in `changes` (a deployment once), each refusal is a note.
fn apply_round(
    fixed: &mut crate::gateway::Api,
    front: &mut Front,
    proposed: &[(FindingCode, ChangeSet)],
    changes: &mut Vec<PreviewChange>,
    notes: &mut Vec<String>,
) -> usize {
    let mut applied: Vec<Change> = Vec::new();
    let mut deploys: Vec<(FindingCode, &ChangeSet, &Change)> = Vec::new();
    for (code, cs) in proposed {
        let mut todo = Vec::new();
        for c in &cs.changes {
            if applied.contains(c) || todo.contains(c) {
                continue;
            }
            if let Change::Deploy { .. } = c {
                if !deploys.iter().any(|(_, _, d)| *d == c) {
                    deploys.push((*code, cs, c));
                }
                continue;
            }
            todo.push(c.clone());
        }
        // Changes outside API Gateway (a CloudFront distribution's settings, a custom domain's
        // mapping, a function URL's CORS) apply to the front, the others to the API.
        let (outside, inside): (Vec<Change>, Vec<Change>) =
            todo.into_iter().partition(is_front_change);
        for (front_part, part) in [(true, outside), (false, inside)] {
            if part.is_empty() {
                continue;
            }
            let part = ChangeSet {
                api: cs.api.clone(),
                changes: part,
            };
            let result = if front_part {
                apply_front(front, &part)
            } else {
                apply(fixed, &part)
            };
            match result {
                Ok(()) => {
                    for change in part.changes {
                        applied.push(change.clone());
                        if !changes.iter().any(|c| c.change == change) {
                            changes.push(PreviewChange {
                                finding: *code,
                                change,
                            });
                        }
                    }
                }
                Err(e) if front_part => notes.push(format!(
                    "The changes {code} proposes outside API Gateway could not be applied to the model ({e})."
                )),
                Err(e) => notes.push(format!(
                    "The changes {code} proposes could not be applied to the model ({e}): a bug in the remedy or in cors-doctor's model of API Gateway."
                )),
            }
        }
    }
    if applied.is_empty() {
        // Only deployments proposed (OPTIONS_NOT_DEPLOYED): they are the change.
        if deploys.is_empty() {
            return 0;
        }
    }
    for (code, cs, d) in deploys {
        let part = ChangeSet {
            api: cs.api.clone(),
            changes: vec![d.clone()],
        };
        match apply(fixed, &part) {
            Ok(()) => {
                applied.push(d.clone());
                if !changes.iter().any(|c| &c.change == d) {
                    changes.push(PreviewChange {
                        finding: code,
                        change: d.clone(),
                    });
                }
            }
            Err(e) => notes.push(format!("The deployment could not be applied ({e}).")),
        }
    }
    applied.len()
}

/// The evidence after the fix: the configuration replaced by `fixed` (and the layers in front
/// changed by the front changes among `changes`), every exchange of the run predicted again
/// from it (same ids, same requests), no browser retest.
fn replay(
    evidence: &Evidence,
    fixed: Arc<crate::gateway::Api>,
    fixed_front: &Front,
    backend: Option<&RouteBackend>,
) -> Evidence {
    let mut config = evidence.config.clone();
    let (stage, path, front) = match &mut config {
        ConfigEvidence::Loaded {
            api,
            stage,
            path,
            front,
            ..
        } => {
            *api = Arc::clone(&fixed);
            *front = fixed_front.clone();
            (stage.clone(), path.clone(), front.clone())
        }
        _ => (None, String::new(), Default::default()),
    };
    let located = Located {
        api: fixed,
        stage,
        path,
        front,
    };
    let requests: Vec<PredictRequest<'_>> = evidence
        .exchanges
        .iter()
        .map(|x| PredictRequest {
            id: &x.id,
            kind: x.kind,
            request: &x.request,
        })
        .collect();
    let exchanges = behavior::predict(&located, backend, &evidence.target, &requests);
    let mut after = Evidence {
        target: evidence.target.clone(),
        exchanges,
        config,
        browser: None,
    };
    diagnose::classify::refine_attribution(&mut after);
    after
}

/// Probes only: what the headers would need to be, and why the API change cannot be
/// previewed.
fn probes_only(
    evidence: &Evidence,
    proposed: &[(FindingCode, ChangeSet)],
    already: bool,
    mode: Mode,
) -> Preview {
    let t = &evidence.target;
    let plan = cors::plan(t);
    let credentials = t.credentials == CredentialsMode::Include;
    let mut needed = Vec::new();
    let mut push = |response: &str, name: &str, value: String| {
        needed.push(NeededHeader {
            response: response.to_string(),
            name: name.to_string(),
            value,
        })
    };
    if plan.required {
        push("preflight", "Access-Control-Allow-Origin", t.origin.clone());
        push(
            "preflight",
            "Access-Control-Allow-Methods",
            plan.method.clone(),
        );
        if !plan.request_headers.is_empty() {
            push(
                "preflight",
                "Access-Control-Allow-Headers",
                plan.request_headers.join(","),
            );
        }
        if credentials {
            push(
                "preflight",
                "Access-Control-Allow-Credentials",
                "true".into(),
            );
        }
    }
    push("actual", "Access-Control-Allow-Origin", t.origin.clone());
    if credentials {
        push("actual", "Access-Control-Allow-Credentials", "true".into());
    }
    let changes: Vec<PreviewChange> = proposed
        .iter()
        .flat_map(|(code, cs)| {
            cs.changes.iter().map(|c| PreviewChange {
                finding: *code,
                change: c.clone(),
            })
        })
        .collect();
    let mut notes = Vec::new();
    let verdict = with_headers(evidence, &plan, &needed, mode, &mut notes);
    notes.push("No configuration was read, so the API change cannot be previewed: give the API's configuration (--api-id with AWS credentials, or --openapi with its export) to see the diagnosis after the fix. Listed instead: the headers each response needs.".to_string());
    Preview {
        result: if already && changes.is_empty() {
            PreviewResult::AlreadyAllowed
        } else {
            PreviewResult::NotPreviewed
        },
        changes,
        report: None,
        headers_needed: needed,
        headers_verdict: verdict,
        notes,
    }
}

/// The browser's verdict on the recorded answers with the CORS headers replaced by `needed`
/// (and a preflight answered 2xx): whether those headers are enough. `None` when an answer is
/// missing (a transport failure: no header helps).
fn with_headers(
    evidence: &Evidence,
    plan: &cors::PreflightPlan,
    needed: &[NeededHeader],
    mode: Mode,
    notes: &mut Vec<String>,
) -> Option<Outcome> {
    use crate::evidence::ExchangeKind;
    let patched = |kind: ExchangeKind, response: &str| {
        let mut r = evidence.exchange(kind)?.response.clone()?;
        let stale: Vec<String> = r
            .headers
            .0
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| n.to_ascii_lowercase().starts_with("access-control-"))
            .collect();
        for n in stale {
            r.headers.remove(&n);
        }
        for h in needed.iter().filter(|h| h.response == response) {
            r.headers.set(h.name.clone(), h.value.clone());
        }
        Some(r)
    };
    let actual = patched(ExchangeKind::Actual, "actual")?;
    let preflight = if plan.required {
        let mut p = patched(ExchangeKind::Preflight, "preflight")?;
        if !(200..300).contains(&p.status) {
            notes.push(format!(
                "The preflight must also be answered with a 2xx status (it got {}).",
                p.status
            ));
            p.status = 200;
        }
        Some(p)
    } else {
        None
    };
    let v = cors::verdict(
        &evidence.target,
        plan,
        preflight
            .as_ref()
            .map_or(cors::Observed::NotSent, cors::Observed::Response),
        cors::Observed::Response(&actual),
        mode,
    );
    Some(v.outcome)
}
