//! The line each key of a YAML or JSON document is written on, in one pass.
//!
//! Paths are dotted like [`crate::gateway::openapi::line_of`]'s (`Resources.ItemsApi.Properties`,
//! `a.b[2].c`); keys are recorded down to [`MAX_RECORDED_DEPTH`] levels (a template's
//! interesting keys sit at most eight levels deep: `Resources.X.Properties.DefinitionBody.paths./p.get`).
//! JSON is read by the same YAML event parser (JSON is YAML's flow style), so both give lines.

use std::collections::HashMap;
use std::fmt::Write as _;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

/// Keys deeper than this are not recorded (their nearest recorded ancestor answers).
pub const MAX_RECORDED_DEPTH: usize = 9;

/// Deepest nesting walked (the parser already refused deeper documents).
const MAX_WALK_DEPTH: usize = 256;

/// Dotted path → 1-based line of its key (or of the item, in a sequence).
#[derive(Clone, Debug, Default)]
pub struct LineMap {
    lines: HashMap<String, u32>,
}

enum Frame {
    Map { key: Option<String> },
    Seq { index: usize },
}

impl LineMap {
    /// Reads `text`; a text the parser refuses gives an empty map (the value parser reports
    /// the error itself).
    pub fn build(text: &str) -> LineMap {
        let body = text.trim_start_matches('\u{feff}');
        if body.trim_start().starts_with('{') {
            return Self::build_json(body);
        }
        Self::build_yaml(body)
    }

    /// JSON, scanned byte by byte (CDK and Serverless templates are JSON, often large; the
    /// YAML event parser is several times slower on them).
    fn build_json(text: &str) -> LineMap {
        let mut lines = HashMap::new();
        let bytes = text.as_bytes();
        let mut stack: Vec<Frame> = Vec::new();
        let mut path = DottedPath::default();
        let mut line: u32 = 1;
        let mut i = 0;
        // Where a value starts: in a sequence, record its index's line.
        let value_start =
            |stack: &[Frame], path: &DottedPath, lines: &mut HashMap<String, u32>, line: u32| {
                if let Some(Frame::Seq { index }) = stack.last() {
                    if stack.len() <= MAX_RECORDED_DEPTH {
                        lines
                            .entry(path.with(&format!("[{index}]")))
                            .or_insert(line);
                    }
                }
            };
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line += 1,
                b'{' | b'[' => {
                    if stack.len() >= MAX_WALK_DEPTH {
                        return LineMap { lines };
                    }
                    value_start(&stack, &path, &mut lines, line);
                    let seg = match stack.last() {
                        Some(Frame::Map { key }) => key.clone().unwrap_or_default(),
                        Some(Frame::Seq { index }) => format!("[{index}]"),
                        None => String::new(),
                    };
                    if !stack.is_empty() {
                        path.push(&seg);
                    }
                    stack.push(if bytes[i] == b'{' {
                        Frame::Map { key: None }
                    } else {
                        Frame::Seq { index: 0 }
                    });
                }
                b'}' | b']' => {
                    stack.pop();
                    if !stack.is_empty() {
                        path.pop();
                    }
                }
                b',' => match stack.last_mut() {
                    Some(Frame::Map { key }) => *key = None,
                    Some(Frame::Seq { index }) => *index += 1,
                    None => {}
                },
                b'"' => {
                    let start = i + 1;
                    let mut j = start;
                    let mut escaped = false;
                    while j < bytes.len() && bytes[j] != b'"' {
                        if bytes[j] == b'\\' {
                            escaped = true;
                            j += 1;
                        }
                        j += 1;
                    }
                    let raw = text.get(start..j.min(bytes.len())).unwrap_or_default();
                    let depth = stack.len();
                    if let Some(Frame::Map { key: key @ None }) = stack.last_mut() {
                        let k = if escaped {
                            serde_json::from_str::<String>(&format!("\"{raw}\""))
                                .unwrap_or_else(|_| raw.to_string())
                        } else {
                            raw.to_string()
                        };
                        if depth <= MAX_RECORDED_DEPTH {
                            lines.entry(path.with(&k)).or_insert(line);
                        }
                        *key = Some(k);
                    } else {
                        value_start(&stack, &path, &mut lines, line);
                    }
                    i = j;
                }
                b' ' | b'\t' | b'\r' | b':' => {}
                _ => {
                    // A number, true, false or null: a value.
                    value_start(&stack, &path, &mut lines, line);
                    while i + 1 < bytes.len()
                        && !matches!(
                            bytes[i + 1],
                            b',' | b'}' | b']' | b'\n' | b' ' | b'\t' | b'\r'
                        )
                    {
                        i += 1;
                    }
                }
            }
            i += 1;
        }
        LineMap { lines }
    }

    fn build_yaml(text: &str) -> LineMap {
        let mut parser = Parser::new_from_str(text);
        let mut reader = YamlLines::new();
        loop {
            let Ok((event, mark)) = parser.next_token() else {
                return LineMap::default();
            };
            if matches!(event, Event::StreamEnd) {
                break;
            }
            reader.event(&event, &mark);
        }
        reader.finish()
    }

    /// The line of `path`, else of its longest recorded ancestor.
    pub fn line(&self, path: &str) -> Option<u32> {
        let mut p = path;
        loop {
            if let Some(l) = self.lines.get(p) {
                return Some(*l);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }

    /// The line of `path` itself, without falling back to an ancestor.
    pub fn exact(&self, path: &str) -> Option<u32> {
        self.lines.get(path).copied()
    }
}

/// The lines of a YAML text, built from its parser's events (so that the parse that reads the
/// values can give them too: `crate::gateway::openapi::parse_yaml_observed`).
#[derive(Default)]
pub struct YamlLines {
    lines: HashMap<String, u32>,
    stack: Vec<YamlFrame>,
    /// The path of the value being read: a segment per open frame's current key or index.
    path: DottedPath,
    /// Nesting went deeper than [`MAX_WALK_DEPTH`]: later events are not read.
    stopped: bool,
}

/// An open collection of a YAML text, as [`YamlLines`] reads it.
enum YamlFrame {
    /// `in_value`: its key was read (and is on the path); its value is being read.
    Map {
        in_value: bool,
    },
    Seq {
        index: usize,
    },
}

impl YamlLines {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one event (the stream's end included, which records nothing).
    pub fn event(&mut self, event: &Event, mark: &Marker) {
        if self.stopped {
            return;
        }
        let line = u32::try_from(mark.line()).unwrap_or(u32::MAX);
        match event {
            Event::Scalar(..) | Event::Alias(_) => {
                let depth = self.stack.len();
                if let Some(YamlFrame::Map {
                    in_value: in_value @ false,
                }) = self.stack.last_mut()
                {
                    // A key (an alias as a key is an empty one): its value's path.
                    *in_value = true;
                    match event {
                        Event::Scalar(key, ..) => {
                            self.path.push(key);
                            if depth <= MAX_RECORDED_DEPTH {
                                self.record(line);
                            }
                        }
                        _ => self.path.push(""),
                    }
                    return;
                }
                self.item_start(line);
                self.value_done();
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if self.stack.len() >= MAX_WALK_DEPTH {
                    self.stopped = true;
                    return;
                }
                self.item_start(line);
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        YamlFrame::Map { in_value: false }
                    } else {
                        YamlFrame::Seq { index: 0 }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            _ => {}
        }
    }

    /// The path's line, unless recorded already (the first record wins).
    fn record(&mut self, line: u32) {
        if !self.lines.contains_key(&self.path.text) {
            self.lines.insert(self.path.text.clone(), line);
        }
    }

    /// A value starts: in a sequence, its index goes on the path and its line is recorded
    /// (in a mapping its key is on the path already).
    fn item_start(&mut self, line: u32) {
        let depth = self.stack.len();
        if let Some(YamlFrame::Seq { index }) = self.stack.last() {
            self.path.push_index(*index);
            if depth <= MAX_RECORDED_DEPTH {
                self.record(line);
            }
        }
    }

    /// A value of the top frame is complete: its key or index leaves the path; a mapping
    /// waits for its next key, a sequence counts the value.
    fn value_done(&mut self) {
        match self.stack.last_mut() {
            Some(YamlFrame::Map { in_value }) => {
                *in_value = false;
                self.path.pop();
            }
            Some(YamlFrame::Seq { index }) => {
                *index += 1;
                self.path.pop();
            }
            None => {}
        }
    }

    pub fn finish(self) -> LineMap {
        LineMap { lines: self.lines }
    }
}

/// A dotted path built segment by segment (`a.b[2].c`: a `[i]` segment takes no dot), kept as
/// one text so that the path of each key is one copy, not a join of every segment.
#[derive(Default)]
struct DottedPath {
    text: String,
    /// The text's length before each segment.
    ends: Vec<usize>,
}

impl DottedPath {
    fn push(&mut self, segment: &str) {
        self.ends.push(self.text.len());
        Self::append(&mut self.text, segment);
    }

    /// Pushes the segment `[index]`.
    fn push_index(&mut self, index: usize) {
        self.ends.push(self.text.len());
        // Writing to a String cannot fail.
        let _ = write!(self.text, "[{index}]");
    }

    fn pop(&mut self) {
        if let Some(end) = self.ends.pop() {
            self.text.truncate(end);
        }
    }

    /// The path with `last` appended.
    fn with(&self, last: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 1 + last.len());
        out.push_str(&self.text);
        Self::append(&mut out, last);
        out
    }

    fn append(text: &mut String, segment: &str) {
        if !text.is_empty() && !segment.starts_with('[') {
            text.push('.');
        }
        text.push_str(segment);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_json_lines() {
        let yaml = "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      Cors:\n        AllowOrigin: \"'*'\"\n      List:\n        - a\n        - {b: 1}\n";
        let m = LineMap::build(yaml);
        assert_eq!(m.line("Resources.Api"), Some(2));
        assert_eq!(m.line("Resources.Api.Properties.Cors"), Some(5));
        assert_eq!(m.line("Resources.Api.Properties.Cors.AllowOrigin"), Some(6));
        assert_eq!(m.line("Resources.Api.Properties.List[1].b"), Some(9));
        assert_eq!(m.line("Resources.Api.Properties.Missing.X"), Some(4));
        let json = "{\n \"Resources\": {\n  \"Api\": {\n   \"Type\": \"x\"\n  }\n }\n}\n";
        let m = LineMap::build(json);
        assert_eq!(m.line("Resources.Api.Type"), Some(4));
        assert!(LineMap::build("a: [1, 2\n").line("a").is_none());
        let json = "{\"a\": [1,\n {\"b\": \"x\\\"y\"},\n [2]],\n \"c\\u0041\": {\"d\": null}}";
        let m = LineMap::build(json);
        assert_eq!(m.exact("a[0]"), Some(1));
        assert_eq!(m.exact("a[1].b"), Some(2));
        assert_eq!(m.exact("a[2]"), Some(3));
        assert_eq!(m.exact("cA.d"), Some(4));
    }

    /// The JSON scanner and the YAML event parser agree on every recorded key of real
    /// CDK and Serverless output.
    #[test]
    fn json_scanner_agrees_with_the_yaml_parser() {
        for text in [
            include_str!("../../../tests/fixtures/templates/cdk-options-authorizer.template.json"),
            include_str!("../../../tests/fixtures/templates/serverless-rest-healthy.json"),
            include_str!(
                "../../../tests/fixtures/templates/cdk-http-api-any-proxy-jwt.template.json"
            ),
        ] {
            let json = LineMap::build_json(text);
            let yaml = LineMap::build_yaml(text);
            assert!(json.lines.len() > 100);
            assert_eq!(json.lines, yaml.lines);
        }
    }
}
