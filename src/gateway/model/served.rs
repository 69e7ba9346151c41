//! What a stage serves: the working copy or the snapshot of its deployment.

use super::{Api, ApiSnapshot, CorsConfiguration, GatewayResponse, Resource, Stage};

/// A view of what a stage serves: borrowed from the working copy or from a deployment.
#[derive(Clone, Copy, Debug)]
pub struct Served<'a> {
    pub resources: &'a [Resource],
    pub gateway_responses: &'a [GatewayResponse],
    pub cors: Option<&'a CorsConfiguration>,
    /// The stage, if it exists.
    pub stage: Option<&'a Stage>,
    /// True when this is a deployment snapshot that differs from the working copy.
    pub from_snapshot: bool,
}

impl Api {
    /// The working copy as a [`Served`] view (no stage).
    pub fn working_copy(&self) -> Served<'_> {
        Served {
            resources: &self.resources,
            gateway_responses: &self.gateway_responses,
            cors: self.cors.as_ref(),
            stage: None,
            from_snapshot: false,
        }
    }

    /// What `stage` serves: the snapshot of its deployment when one is recorded, else the
    /// working copy (auto-deploy, or nothing known about deployments). `None` or an unknown
    /// stage name gives the working copy with `stage: None`.
    pub fn served(&self, stage: Option<&str>) -> Served<'_> {
        let Some(stage) = stage.and_then(|s| self.stage(s)) else {
            return self.working_copy();
        };
        let snapshot = if stage.auto_deploy {
            None
        } else {
            stage
                .deployment_id
                .as_deref()
                .and_then(|id| self.deployment(id))
                .and_then(|d| d.snapshot.as_ref())
        };
        match snapshot {
            Some(s) => Served {
                resources: &s.resources,
                gateway_responses: &s.gateway_responses,
                cors: s.cors.as_ref(),
                stage: Some(stage),
                from_snapshot: true,
            },
            None => Served {
                stage: Some(stage),
                ..self.working_copy()
            },
        }
    }

    /// A snapshot of the working copy (what `create-deployment` would freeze).
    pub fn snapshot(&self) -> ApiSnapshot {
        ApiSnapshot {
            resources: self.resources.clone(),
            gateway_responses: self.gateway_responses.clone(),
            cors: self.cors.clone(),
        }
    }
}

impl Served<'_> {
    /// The resource with exactly this template path.
    pub fn resource(&self, path: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.path == path)
    }

    pub fn gateway_response(&self, response_type: &str) -> Option<&GatewayResponse> {
        self.gateway_responses
            .iter()
            .find(|g| g.response_type == response_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::model::{Deployment, Method};

    #[test]
    fn served_uses_the_deployment_snapshot() {
        let mut api = Api {
            resources: vec![Resource {
                path: "/items".into(),
                methods: vec![Method {
                    http_method: "OPTIONS".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut snap = api.snapshot();
        snap.resources[0].methods.clear();
        api.deployments.push(Deployment {
            id: "d1".into(),
            description: None,
            snapshot: Some(snap),
            redeployed_on_change: None,
        });
        api.stages.push(Stage {
            name: "prod".into(),
            deployment_id: Some("d1".into()),
            ..Default::default()
        });
        assert!(api.served(Some("prod")).resources[0].methods.is_empty());
        assert!(api.served(None).resources[0].method("options").is_some());
    }
}
