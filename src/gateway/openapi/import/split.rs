//! The import one path item at a time: a JSON document's path items as byte ranges of its
//! text (asked for again from the [`DefinitionText`] once the text is dropped), a YAML
//! document's as compact JSON text.

use std::ops::Range;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{import_as, import_split};
use crate::gateway::model::{Api, ApiKind};
use crate::gateway::openapi::source::DefinitionText;
use crate::gateway::openapi::text::PathTexts;
use crate::gateway::openapi::ImportError;

/// A [`DefinitionText`] that could not give the text: the document as a whole is at fault.
pub(super) fn source_error(e: std::io::Error) -> ImportError {
    ImportError {
        path: "$".into(),
        message: e.to_string(),
        line: None,
    }
}

/// JSON path items: each path and the byte range of its item in the text, in document order.
pub(super) type ItemRanges = Vec<(String, Range<usize>)>;

/// The path items of a split document, in document order.
pub(super) enum Items {
    /// JSON: each path and the byte range of its item in the text.
    Json(ItemRanges),
    /// YAML: each path and its item as compact JSON text.
    Yaml(PathTexts),
}

/// The import of the text one path item at a time, or `None` when the document must be read
/// as one tree (its JSON is not valid, or a `$ref` points into `paths`).
pub(super) fn import_split_text(
    src: &mut dyn DefinitionText,
    kind: Option<ApiKind>,
) -> Option<Result<Api, ImportError>> {
    let (doc, items) = {
        let text = match src.whole() {
            Ok(text) => text,
            Err(e) => return Some(Err(source_error(e))),
        };
        if is_json(&text) {
            let (doc, ranges) = split_json(&text)?;
            (doc, Items::Json(ranges))
        } else {
            match crate::gateway::openapi::text::parse_yaml_split(&text) {
                Err(e) => return Some(Err(e)),
                Ok((doc, None)) => return Some(import_as(&doc, kind)),
                Ok((doc, Some(paths))) => (doc, Items::Yaml(paths)),
            }
        }
        // The text is dropped here: the items are read again one at a time.
    };
    let result = match items {
        Items::Json(ranges) => {
            let mut items = ranges.into_iter().map(|(path, range)| {
                let text = src.range(range).map_err(source_error)?;
                Ok((path, text.into_owned()))
            });
            import_split(&doc, Some(&mut items), kind)
        }
        Items::Yaml(texts) => {
            let mut items = texts.into_iter().map(Ok);
            import_split(&doc, Some(&mut items), kind)
        }
    };
    match result {
        Err(e) if e.message == NEEDS_PATHS => None,
        other => Some(other),
    }
}

/// JSON is recognized by its first character, as [`crate::gateway::openapi::text::parse`] does.
pub(super) fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// The error the split import gives when a `$ref` points into `paths` (which it does not
/// hold as a tree): the whole document is then read as one tree.
pub(super) const NEEDS_PATHS: &str = "\u{0}a reference into paths";

/// Path items handed to the split import one at a time: each path and its item as JSON
/// text, in document order.
pub(super) type PathItems<'a> =
    dyn ExactSizeIterator<Item = Result<(String, String), ImportError>> + 'a;

/// A JSON document read as its top level without `paths` (left as `null`, in its place) and
/// the byte range in `text` of each path item. `None` when the text is not JSON (YAML), is
/// not valid, or its `paths` is not an object: the tree import then reads it and says what
/// is wrong.
pub(super) fn split_json(text: &str) -> Option<(Value, ItemRanges)> {
    let body = text.trim_start_matches('\u{feff}');
    let top: Top<'_> = serde_json::from_str(body).ok()?;
    let paths = match top.paths {
        Some(raw) => serde_json::from_str::<Paths<'_>>(raw.get()).ok()?.0,
        None => Vec::new(),
    };
    // Each item is a slice of `text`: its range is where the slice starts, relative to `text`.
    let base = text.as_ptr() as usize;
    let ranges = paths
        .into_iter()
        .map(|(path, item)| {
            let start = item.as_ptr() as usize - base;
            (path, start..start + item.len())
        })
        .collect();
    Some((Value::Object(top.rest), ranges))
}

/// The top level of a document with `paths` kept as text.
pub(super) struct Top<'a> {
    rest: Map<String, Value>,
    paths: Option<&'a RawValue>,
}

impl<'de> serde::Deserialize<'de> for Top<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Top<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Top<'de>, A::Error> {
                let mut top = Top {
                    rest: Map::new(),
                    paths: None,
                };
                while let Some(k) = map.next_key::<String>()? {
                    if k == "paths" {
                        top.paths = Some(map.next_value()?);
                        // Its place among the keys, as a tree would have it.
                        top.rest.insert(k, Value::Null);
                    } else {
                        let v: Value = map.next_value()?;
                        top.rest.insert(k, v);
                    }
                }
                Ok(top)
            }
        }
        d.deserialize_map(V)
    }
}

/// `paths` as (path, text of its item); a repeated path keeps its first place and last
/// value, as a `serde_json::Map` does.
pub(super) struct Paths<'a>(Vec<(String, &'a str)>);

impl<'de> serde::Deserialize<'de> for Paths<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Paths<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Paths<'de>, A::Error> {
                let mut out: Vec<(String, &'de str)> = Vec::new();
                let mut seen: std::collections::HashMap<String, usize> =
                    std::collections::HashMap::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v: &'de RawValue = map.next_value()?;
                    match seen.get(&k) {
                        Some(&i) => out[i].1 = v.get(),
                        None => {
                            seen.insert(k.clone(), out.len());
                            out.push((k, v.get()));
                        }
                    }
                }
                Ok(Paths(out))
            }
        }
        d.deserialize_map(V)
    }
}
