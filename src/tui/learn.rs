//! Learn mode's text: assets/learn.toml, embedded in the binary.

use serde::Deserialize;

const TEXT: &str = include_str!("../../assets/learn.toml");

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Topic {
    pub title: String,
    /// The diagnosis step this topic explains, if any.
    #[serde(default)]
    pub step: Option<u8>,
    pub body: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Learn {
    #[serde(rename = "topic")]
    pub topics: Vec<Topic>,
}

impl Learn {
    /// Parses the embedded text; a broken asset gives one topic that says so (and a test
    /// keeps that from shipping).
    pub fn load() -> Learn {
        Self::parse(TEXT).unwrap_or_else(|e| Learn {
            topics: vec![Topic {
                title: "Learn".into(),
                step: None,
                body: format!("The learn text could not be read: {e}"),
            }],
        })
    }

    pub fn parse(text: &str) -> Result<Learn, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The topic of step `n` (or the first topic).
    pub fn topic_for_step(&self, n: u8) -> usize {
        self.topics
            .iter()
            .position(|t| t.step == Some(n))
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_learn_asset_covers_every_step_and_the_glossary() {
        let learn = Learn::parse(TEXT).unwrap();
        for n in 1..=7 {
            assert!(learn.topics.iter().any(|t| t.step == Some(n)), "step {n}");
        }
        assert!(learn.topics.iter().any(|t| t.title == "Glossary"));
    }
}
