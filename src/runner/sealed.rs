//! What a front end holds between runs without holding a secret: the evidence of a finished
//! run ([`HeldRun`], opaque) and the plan it runs ([`SealedPlan`], a masked copy to show).
//! Only the runner reads what they seal.

use std::fmt;
use std::sync::Arc;

use crate::evidence::Evidence;
use crate::plan::Plan;
use crate::redact::Secrets;

/// The evidence of a finished run, for a later partial [`super::rerun`]. Opaque: it holds
/// the requests as sent (secrets included), and only the runner reads it. Cheap to clone.
#[derive(Clone)]
pub struct HeldRun {
    evidence: Arc<Evidence>,
    /// What the configuration source said the backends answer (a scenario's), for the
    /// preview of a partial rerun.
    backend: Option<Arc<crate::gateway::behavior::RouteBackend>>,
}

impl HeldRun {
    pub(super) fn new(
        evidence: Evidence,
        backend: Option<Arc<crate::gateway::behavior::RouteBackend>>,
    ) -> HeldRun {
        HeldRun {
            evidence: Arc::new(evidence),
            backend,
        }
    }

    pub(super) fn backend(&self) -> Option<Arc<crate::gateway::behavior::RouteBackend>> {
        self.backend.clone()
    }

    pub(super) fn evidence(&self) -> &Evidence {
        &self.evidence
    }
}

impl fmt::Debug for HeldRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeldRun")
            .field("exchanges", &self.evidence.exchanges.len())
            .finish_non_exhaustive()
    }
}

/// A plan as a front end holds it: [`SealedPlan::shown`] is a copy with every secret masked
/// (the target's URL, headers and body, by structure and by value); the raw plan, which the
/// probes send, is readable by the runner alone. No `Deref`: a sealed plan cannot be passed
/// where a `&Plan` is run by mistake (that would send the masked copy).
#[derive(Clone)]
pub struct SealedPlan {
    raw: Arc<Plan>,
    shown: Plan,
}

impl SealedPlan {
    /// A front end's plan. Its runs compute the preview (the TUI shows it on `p`).
    pub fn new(mut plan: Plan) -> SealedPlan {
        plan.preview = true;
        SealedPlan {
            shown: masked_plan(&plan),
            raw: Arc::new(plan),
        }
    }

    /// The plan with its secrets masked: for display, and for judging masked exchanges.
    pub fn shown(&self) -> &Plan {
        &self.shown
    }

    /// The same plan, with or without the Chromium retest.
    pub fn with_browser(&self, browser: bool) -> SealedPlan {
        let mut raw = (*self.raw).clone();
        raw.browser = browser;
        let mut shown = self.shown.clone();
        shown.browser = browser;
        SealedPlan {
            raw: Arc::new(raw),
            shown,
        }
    }

    /// A new plan made from this one (another route of the same API, say) by `derive`, which
    /// sees the raw plan only for the time of the call; whatever else it returns is passed on.
    pub fn derive<T, E>(
        &self,
        derive: impl FnOnce(&Plan) -> Result<(Plan, T), E>,
    ) -> Result<(SealedPlan, T), E> {
        let (plan, extra) = derive(&self.raw)?;
        Ok((SealedPlan::new(plan), extra))
    }

    /// `text` with the raw plan's secrets (and the process's) masked, for messages about
    /// this plan's run.
    pub fn mask(&self, text: &str) -> String {
        let mut secrets = self.raw.target.secrets();
        secrets.extend(&crate::redact::known_secrets());
        secrets.mask(text)
    }

    /// Adds the raw plan's secrets to those every output of the process masks.
    pub fn remember_secrets(&self) {
        crate::redact::remember(&self.raw.target.secrets());
    }

    pub(super) fn raw(&self) -> &Plan {
        &self.raw
    }
}

impl From<Plan> for SealedPlan {
    fn from(plan: Plan) -> SealedPlan {
        SealedPlan::new(plan)
    }
}

impl fmt::Debug for SealedPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SealedPlan").field(&self.shown).finish()
    }
}

/// A copy of `plan` with every secret masked: the URL (user info, secret parameters) and the
/// secret headers by structure, then every value of the target's secrets wherever it appears
/// (a token in the body or in an ordinary header), and the endpoint URL's user info.
fn masked_plan(plan: &Plan) -> Plan {
    let mut secrets: Secrets = plan.target.secrets();
    secrets.extend(&crate::redact::known_secrets());
    let mut shown = plan.clone();
    let t = &mut shown.target;
    let url = secrets.mask(&crate::redact::url(t.url.as_str()));
    // A masked URL that no longer parses keeps the raw URL's shape without its query.
    t.url = url::Url::parse(&url).unwrap_or_else(|_| {
        let mut u = plan.target.url.clone();
        u.set_query(None);
        u.set_fragment(None);
        let _ = u.set_password(None);
        let _ = u.set_username("");
        u
    });
    t.headers = crate::redact::headers(&t.headers)
        .iter()
        .map(|(n, v)| (n.to_string(), secrets.mask(v)))
        .collect();
    t.body = t.body.as_deref().map(|b| secrets.mask(b));
    shown.aws.endpoint_url = shown
        .aws
        .endpoint_url
        .as_deref()
        .map(|e| secrets.mask(&crate::redact::url(e)));
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::plan::TargetArgs;

    #[test]
    fn the_shown_plan_holds_no_secret_and_the_raw_one_is_intact() {
        let args = TargetArgs {
            url: Some(
                "https://abc.execute-api.us-east-1.amazonaws.com/prod/items?api_key=KEYVALUE123"
                    .into(),
            ),
            origin: Some("https://app.example.com".into()),
            headers: vec![
                "Authorization: Bearer SECRETTOKEN42".into(),
                "X-Echo: SECRETTOKEN42".into(),
            ],
            body: Some(r#"{"password":"hunter2hunter2"}"#.into()),
            ..TargetArgs::default()
        };
        let plan = args.resolve(&Config::default()).unwrap();
        let sealed = SealedPlan::new(plan.clone());
        let shown = format!("{sealed:?}");
        for secret in ["SECRETTOKEN42", "KEYVALUE123", "hunter2hunter2"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert_eq!(sealed.shown().target.url.path(), "/prod/items");
        assert_eq!(sealed.shown().target.origin, "https://app.example.com");
        assert_eq!(sealed.shown().target.headers.len(), 2);
        assert_eq!(sealed.raw().target.headers, plan.target.headers);
        assert_eq!(sealed.raw().target.url, plan.target.url);
        let (derived, extra) = sealed
            .derive(|raw| Ok::<_, ()>((raw.clone(), raw.target.method.clone())))
            .unwrap();
        assert_eq!(extra, "GET");
        assert_eq!(derived.raw().target.headers, plan.target.headers);
        assert!(!format!("{derived:?}").contains("SECRETTOKEN42"));
        assert!(!sealed
            .with_browser(true)
            .mask("x SECRETTOKEN42 y")
            .contains("SECRETTOKEN42"));
        assert!(sealed.with_browser(true).shown().browser);
    }
}
