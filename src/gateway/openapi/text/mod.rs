//! Definition text → a JSON value: JSON or YAML, told apart by content, with line numbers for
//! errors.
//!
//! YAML is read with `yaml-rust2`'s event parser (pull API, no recursion) into a
//! `serde_json::Value`:
//! - YAML 1.2 core schema for plain scalars (`null`/`~`, `true`/`false`, integers, floats);
//!   mapping keys become strings (`200:` is the key `"200"`).
//! - CloudFormation short tags become the long form CloudFormation itself reads: `!Ref X` →
//!   `{"Ref": "X"}`, `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`, `!Sub …` → `{"Fn::Sub": …}`.
//! - Bounded: nesting deeper than [`MAX_DEPTH`] is refused, and aliases may add at most as
//!   many nodes as the document has plus [`ALIAS_NODE_ALLOWANCE`] (a "billion laughs" file is
//!   refused, not expanded). Merge keys (`<<: *base`) are honoured; duplicate keys are errors.
//!
//! [`line_of`] finds the line of a dotted JSON path (the form [`super::ImportError`] uses), so
//! that errors found after parsing still point at `file:line`.

use serde_json::{Map, Value};
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::Marker;

use super::ImportError;
use scalar::{apply_tag, scalar};

mod scalar;

/// Deepest nesting of mappings and sequences accepted (serde_json's own limit is 128).
pub const MAX_DEPTH: usize = 128;

/// Nodes that aliases may add on top of the document's own node count.
pub const ALIAS_NODE_ALLOWANCE: usize = 100_000;

/// Parses JSON or YAML. JSON is recognized by its first character (`{`): such a file is read
/// as JSON only (YAML would accept broken JSON such as `"b": }` as a null).
pub fn parse(text: &str) -> Result<Value, ImportError> {
    let body = text.trim_start_matches('\u{feff}');
    if body.trim_start().starts_with('{') {
        match serde_json::from_str::<Value>(body) {
            Ok(v) => return Ok(v),
            Err(json_err) => {
                return Err(ImportError {
                    path: "$".into(),
                    message: format!("not valid JSON: {}", strip_position(&json_err.to_string())),
                    line: Some(json_err.line()),
                });
            }
        }
    }
    parse_yaml(body)
}

/// serde_json appends " at line L column C"; the line is reported separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &msg[..i], column_of(&msg[i..])),
        None => msg.to_string(),
    }
}

fn column_of(tail: &str) -> &str {
    tail.rsplit(' ').next().unwrap_or("?")
}

/// One open collection while building.
enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        tag: Option<Tag>,
    },
    Map {
        map: Map<String, Value>,
        /// The key read, waiting for its value.
        key: Option<String>,
        /// Line of the pending key.
        key_line: usize,
        /// Keys that came from a merge (`<<`): an explicit key may replace them.
        merged: Vec<String>,
        anchor: usize,
        tag: Option<Tag>,
    },
}

/// Path items as (path, compact JSON text), in document order.
pub(super) type PathTexts = Vec<(String, String)>;

struct Builder {
    stack: Vec<Frame>,
    /// Split mode ([`parse_split`]): each path item is kept as compact JSON text, not a tree.
    split: bool,
    /// The top-level `paths` mapping is open (and split).
    paths_open: bool,
    /// Path item texts of the open `paths` mapping, by path.
    pending_raw: std::collections::HashMap<String, String>,
    /// The path items, in document order, once `paths` is closed.
    raw_paths: Option<PathTexts>,
    anchors: Vec<(usize, Value)>,
    nodes: usize,
    alias_nodes: usize,
    root: Option<Value>,
    /// `line_of` mode: the path looked for, and the best line found so far (longest prefix).
    target: Option<String>,
    found: Option<(usize, usize)>,
    path: Vec<String>,
}

fn yaml_err(mark: &Marker, message: impl Into<String>) -> ImportError {
    ImportError {
        path: "$".into(),
        message: format!(
            "not valid YAML: {} (column {})",
            message.into(),
            mark.col() + 1
        ),
        line: Some(mark.line()),
    }
}

fn parse_yaml(text: &str) -> Result<Value, ImportError> {
    let mut b = Builder::new(None);
    b.run(text)?;
    b.root.ok_or_else(|| ImportError {
        path: "$".into(),
        message: "the file is empty".into(),
        line: None,
    })
}

/// YAML (no byte order mark) read as [`parse`] reads it, each parser event shown to `observe`
/// as well (a reader of the same text that needs more than the value, such as the line of
/// each key, then needs no second parse).
pub(crate) fn parse_yaml_observed(
    text: &str,
    observe: &mut dyn FnMut(&Event, &Marker),
) -> Result<Value, ImportError> {
    let mut b = Builder::new(None);
    b.run_observed(text, observe)?;
    b.root.ok_or_else(|| ImportError {
        path: "$".into(),
        message: "the file is empty".into(),
        line: None,
    })
}

/// YAML read as its top level with `paths` left as `null` (in its place) and the compact JSON
/// text of each path item, in document order: only one path item is a tree at a time. The
/// second part is `None` when there is no top-level `paths` mapping to split (or it carries an
/// anchor or a tag): the value is then the whole document.
pub(super) fn parse_yaml_split(text: &str) -> Result<(Value, Option<PathTexts>), ImportError> {
    let mut b = Builder::new(None);
    b.split = true;
    b.run(text.trim_start_matches('\u{feff}'))?;
    let root = b.root.ok_or_else(|| ImportError {
        path: "$".into(),
        message: "the file is empty".into(),
        line: None,
    })?;
    Ok((root, b.raw_paths))
}

/// The line (1-based) where the dotted JSON `path` is written, or of its longest prefix that
/// is; `None` when the text cannot be read.
pub fn line_of(text: &str, path: &str) -> Option<usize> {
    if path.is_empty() || path == "$" {
        return None;
    }
    let mut b = Builder::new(Some(path.to_string()));
    b.run(text.trim_start_matches('\u{feff}')).ok()?;
    b.found.map(|(_, line)| line)
}

impl Builder {
    fn new(target: Option<String>) -> Self {
        Builder {
            stack: Vec::new(),
            split: false,
            paths_open: false,
            pending_raw: std::collections::HashMap::new(),
            raw_paths: None,
            anchors: Vec::new(),
            nodes: 0,
            alias_nodes: 0,
            root: None,
            target,
            found: None,
            path: Vec::new(),
        }
    }

    fn run(&mut self, text: &str) -> Result<(), ImportError> {
        self.run_observed(text, &mut |_, _| {})
    }

    /// [`Builder::run`], showing each event to `observe` before it is read.
    fn run_observed(
        &mut self,
        text: &str,
        observe: &mut dyn FnMut(&Event, &Marker),
    ) -> Result<(), ImportError> {
        let mut parser = Parser::new_from_str(text);
        let mut documents = 0;
        loop {
            let (event, mark) = parser
                .next_token()
                .map_err(|e| yaml_err(e.marker(), e.info().to_string()))?;
            observe(&event, &mark);
            match event {
                Event::StreamEnd => return Ok(()),
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        return Err(yaml_err(
                            &mark,
                            "the file holds several YAML documents (`---`); give one definition per file",
                        ));
                    }
                }
                Event::Alias(id) => {
                    let Some(v) = self
                        .anchors
                        .iter()
                        .rev()
                        .find(|(a, _)| *a == id)
                        .map(|(_, v)| v.clone())
                    else {
                        return Err(yaml_err(&mark, "an alias names an unknown anchor"));
                    };
                    self.alias_nodes += count_nodes(&v);
                    if self.alias_nodes > self.nodes + ALIAS_NODE_ALLOWANCE {
                        return Err(yaml_err(
                            &mark,
                            "aliases expand to far more nodes than the document holds (an alias bomb?)",
                        ));
                    }
                    self.push_value(v, &mark, false)?;
                }
                Event::Scalar(s, style, anchor, tag) => {
                    self.nodes += 1;
                    let v = scalar(s, style, tag.as_ref(), &mark)?;
                    if anchor > 0 {
                        self.anchors.push((anchor, v.clone()));
                    }
                    self.push_value(v, &mark, false)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    self.open(&mark)?;
                    self.stack.push(Frame::Seq {
                        items: Vec::new(),
                        anchor,
                        tag,
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    self.open(&mark)?;
                    if self.split
                        && !self.paths_open
                        && self.raw_paths.is_none()
                        && anchor == 0
                        && tag.is_none()
                        && self.stack.len() == 1
                        && matches!(&self.stack[0], Frame::Map { key: Some(k), .. } if k == "paths")
                    {
                        self.paths_open = true;
                    }
                    self.stack.push(Frame::Map {
                        map: Map::new(),
                        key: None,
                        key_line: 0,
                        merged: Vec::new(),
                        anchor,
                        tag,
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(frame) = self.stack.pop() else {
                        return Err(yaml_err(&mark, "unbalanced collection end"));
                    };
                    if self.paths_open && self.stack.len() == 1 {
                        // The split `paths` mapping closes: its items in document order (a
                        // merged-in item, never serialized yet, is serialized now).
                        self.paths_open = false;
                        let Frame::Map { map, .. } = frame else {
                            return Err(yaml_err(&mark, "unbalanced collection end"));
                        };
                        let mut raws = Vec::with_capacity(map.len());
                        for (k, v) in map {
                            let raw = match self.pending_raw.remove(&k) {
                                Some(raw) => raw,
                                None => compact(&v, &mark)?,
                            };
                            raws.push((k, raw));
                        }
                        self.pending_raw = std::collections::HashMap::new();
                        self.raw_paths = Some(raws);
                        self.push_value(Value::Null, &mark, true)?;
                        continue;
                    }
                    let (v, anchor, tag) = match frame {
                        Frame::Seq { items, anchor, tag } => (Value::Array(items), anchor, tag),
                        Frame::Map {
                            map, anchor, tag, ..
                        } => (Value::Object(map), anchor, tag),
                    };
                    let v = apply_tag(v, tag.as_ref());
                    if anchor > 0 {
                        self.anchors.push((anchor, v.clone()));
                    }
                    self.push_value(v, &mark, true)?;
                }
            }
        }
    }

    fn open(&mut self, mark: &Marker) -> Result<(), ImportError> {
        self.nodes += 1;
        if self.stack.len() >= MAX_DEPTH {
            return Err(yaml_err(
                mark,
                format!("nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            return Err(yaml_err(
                mark,
                "a mapping key is a collection; keys must be plain strings",
            ));
        }
        if self.target.is_some() && !self.stack.is_empty() {
            let line = self.value_line(mark);
            self.enter_segment();
            self.note_line(line);
        }
        Ok(())
    }

    /// The line a value is written on: its key's line in a mapping, its own in a sequence.
    fn value_line(&self, mark: &Marker) -> usize {
        match self.stack.last() {
            Some(Frame::Map {
                key: Some(_),
                key_line,
                ..
            }) => *key_line,
            _ => mark.line(),
        }
    }

    /// Pushes the path segment of the value about to be added (the pending key, or the next
    /// index).
    fn enter_segment(&mut self) {
        let seg = match self.stack.last() {
            Some(Frame::Map { key: Some(k), .. }) => k.clone(),
            Some(Frame::Seq { items, .. }) => format!("[{}]", items.len()),
            _ => return,
        };
        self.path.push(seg);
    }

    /// Records the line of the current path when it is (a prefix of) the target.
    fn note_line(&mut self, line: usize) {
        let Some(target) = &self.target else { return };
        let mut joined = String::new();
        for seg in &self.path {
            if !joined.is_empty() && !seg.starts_with('[') {
                joined.push('.');
            }
            joined.push_str(seg);
        }
        let is_prefix = target == &joined
            || target
                .strip_prefix(joined.as_str())
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['));
        if is_prefix && self.found.is_none_or(|(len, _)| joined.len() > len) {
            self.found = Some((joined.len(), line));
        }
    }

    /// Adds a finished value (a scalar, an alias, or a collection just closed) to its parent.
    fn push_value(&mut self, v: Value, mark: &Marker, closing: bool) -> Result<(), ImportError> {
        if self.target.is_some() && !self.stack.is_empty() {
            if closing {
                // The segment was pushed (and its line noted) when the collection opened.
                self.path.pop();
            } else if !matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
                let line = self.value_line(mark);
                self.enter_segment();
                self.note_line(line);
                self.path.pop();
            }
        }
        let in_paths = self.paths_open && self.stack.len() == 2;
        match self.stack.last_mut() {
            None => self.root = Some(v),
            Some(Frame::Seq { items, .. }) => items.push(v),
            Some(Frame::Map {
                map,
                key,
                key_line,
                merged,
                ..
            }) => match key.take() {
                None => {
                    let k = match v {
                        Value::String(s) => s,
                        Value::Null => "null".to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => {
                            return Err(yaml_err(
                                mark,
                                "a mapping key is a collection; keys must be plain strings",
                            ))
                        }
                    };
                    if map.contains_key(&k) && k != "<<" && !merged.contains(&k) {
                        return Err(yaml_err(mark, format!("duplicate key '{k}'")));
                    }
                    merged.retain(|m| m != &k);
                    *key = Some(k);
                    *key_line = mark.line();
                }
                Some(k) if k == "<<" => merge(map, merged, v),
                Some(k) if in_paths => {
                    // A path item of the split `paths`: kept as text, a placeholder in the map
                    // keeps its place (and lets duplicate and merge rules work as before).
                    let raw = compact(&v, mark)?;
                    map.insert(k.clone(), Value::Null);
                    self.pending_raw.insert(k, raw);
                }
                Some(k) => {
                    map.insert(k, v);
                }
            },
        }
        Ok(())
    }
}

/// A value as compact JSON text.
fn compact(v: &Value, mark: &Marker) -> Result<String, ImportError> {
    serde_json::to_string(v).map_err(|e| yaml_err(mark, e.to_string()))
}

/// `<<: *base` (or a list of them): keys not already present are copied in.
fn merge(map: &mut Map<String, Value>, merged: &mut Vec<String>, v: Value) {
    let sources = match v {
        Value::Array(items) => items,
        other => vec![other],
    };
    for source in sources {
        if let Value::Object(o) = source {
            for (k, v) in o {
                if !map.contains_key(&k) {
                    merged.push(k.clone());
                    map.insert(k, v);
                }
            }
        }
    }
}

fn count_nodes(v: &Value) -> usize {
    // Iterative: values can be deep.
    let mut n = 0;
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        n += 1;
        match v {
            Value::Array(a) => todo.extend(a.iter()),
            Value::Object(o) => todo.extend(o.values()),
            _ => {}
        }
    }
    n
}

#[cfg(test)]
mod tests;
