//! The demo scenario picker's contract: a list of (name, one-line summary) entries and a way
//! to start one, which returns the plan to diagnose. The simulator's scenarios plug in here;
//! until they exist the catalog is empty and the picker says so.

use std::any::Any;

use crate::aws::BoxFuture;
use crate::plan::Plan;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioEntry {
    pub name: String,
    /// A few words (`Allow-Origin declared but not mapped`).
    pub title: String,
    /// One or two sentences on what is broken (or that nothing is).
    pub summary: String,
}

/// A started scenario: the plan to diagnose, and whatever must stay alive while it is
/// diagnosed (a simulator server, typically). Dropping `guard` stops the scenario.
pub struct StartedScenario {
    pub plan: Plan,
    pub guard: Box<dyn Any + Send>,
}

/// Why a demo scenario could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The build has no such scenario (no simulator in it).
    #[error("no scenario named '{0}' in this build")]
    NotInBuild(String),
    /// The catalog's own error (the scenario cannot be read, the simulator cannot listen).
    #[error(transparent)]
    Failed(Box<dyn std::error::Error + Send + Sync>),
}

pub trait ScenarioCatalog: Send + Sync {
    fn entries(&self) -> Vec<ScenarioEntry>;
    /// Starts the named scenario (e.g. a simulator on a loopback port).
    fn start<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<StartedScenario, StartError>>;
}

/// The catalog of a build without the simulator's scenarios.
pub struct NoScenarios;

impl ScenarioCatalog for NoScenarios {
    fn entries(&self) -> Vec<ScenarioEntry> {
        Vec::new()
    }
    fn start<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<StartedScenario, StartError>> {
        Box::pin(async move { Err(StartError::NotInBuild(name.to_string())) })
    }
}
