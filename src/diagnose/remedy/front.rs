//! Remedies outside the API's own configuration: a custom domain's base path mapping.

use super::FixContext;
use crate::gateway::change::{Change, ChangeSet};

impl FixContext {
    /// Maps `base_path` (empty: the root) of `domain_name` to this API and its stage:
    /// created, or pointed here when a mapping of that base path `exists` (it sends the
    /// request to another API or stage).
    pub fn base_path_mapping(&self, domain_name: &str, base_path: &str, exists: bool) -> ChangeSet {
        self.change_set(vec![Change::BasePathMapping {
            domain_name: domain_name.to_string(),
            base_path: base_path.trim_matches('/').to_string(),
            stage: self.stage.clone().unwrap_or_default(),
            exists,
        }])
    }
}
