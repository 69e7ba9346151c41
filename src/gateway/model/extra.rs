//! [`Extra`]: the raw fields a resource, method, response or integration keeps for the export,
//! boxed. Most are empty; an empty `serde_json::Map` is 72 bytes inline, and a large export
//! holds several per route (issue 9, item 8). This is one pointer until something is kept.
//!
//! It reads and writes as the `Map` it wraps (`Deref`/`DerefMut`); a mutable borrow creates
//! the map, so code that may add nothing should check before borrowing mutably.

use std::ops::{Deref, DerefMut};
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Raw fields, as a `Map` created on first mutable use.
#[derive(Clone, Default)]
pub struct Extra(Option<Box<Map<String, Value>>>);

static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

impl Deref for Extra {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Map<String, Value> {
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Map<String, Value> {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(m: Map<String, Value>) -> Self {
        Extra((!m.is_empty()).then(|| Box::new(m)))
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl std::fmt::Debug for Extra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Map::deserialize(d)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_a_map() {
        let mut e = Extra::default();
        assert!(e.0.is_none() && e.is_empty());
        assert_eq!(e, Extra::from(Map::new()));
        e.insert("a".into(), Value::from(1));
        assert_eq!(e.get("a"), Some(&Value::from(1)));
        assert_eq!(serde_json::to_string(&e).unwrap(), r#"{"a":1}"#);
        let back: Extra = serde_json::from_str(r#"{"a":1}"#).unwrap();
        assert_eq!(back, e);
        assert_eq!(format!("{e:?}"), format!("{:?}", *e));
    }
}
