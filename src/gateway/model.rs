//! Placeholder until the model lands.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Api {}

impl Api {
    pub fn kind_str(&self) -> &'static str {
        "unknown"
    }
    pub fn id(&self) -> Option<&str> {
        None
    }
}
