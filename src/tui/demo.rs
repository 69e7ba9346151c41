//! The demo scenario picker's contract: a list of (name, one-line summary) entries and a way
//! to start one, which returns the plan to diagnose. The simulator's scenarios plug in here;
//! until they exist the catalog is empty and the picker says so.

use std::any::Any;

use crate::aws::BoxFuture;
use crate::plan::Plan;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioEntry {
    pub name: String,
    pub summary: String,
}

/// A started scenario: the plan to diagnose, and whatever must stay alive while it is
/// diagnosed (a simulator server, typically). Dropping `guard` stops the scenario.
pub struct StartedScenario {
    pub plan: Plan,
    pub guard: Box<dyn Any + Send>,
}

pub trait ScenarioCatalog: Send + Sync {
    fn entries(&self) -> Vec<ScenarioEntry>;
    /// Starts the named scenario (e.g. a simulator on a loopback port).
    fn start<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<StartedScenario, String>>;
}

/// The catalog of a build without the simulator's scenarios.
pub struct NoScenarios;

impl ScenarioCatalog for NoScenarios {
    fn entries(&self) -> Vec<ScenarioEntry> {
        Vec::new()
    }
    fn start<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<StartedScenario, String>> {
        Box::pin(async move { Err(format!("no scenario named '{name}' in this build")) })
    }
}
