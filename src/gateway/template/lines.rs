//! The line each key of a YAML or JSON document is written on, in one pass.
//!
//! Paths are dotted like [`crate::gateway::openapi::line_of`]'s (`Resources.ItemsApi.Properties`,
//! `a.b[2].c`); keys are recorded down to [`MAX_RECORDED_DEPTH`] levels (a template's
//! interesting keys sit at most eight levels deep: `Resources.X.Properties.DefinitionBody.paths./p.get`).
//! JSON is read by the same YAML event parser (JSON is YAML's flow style), so both give lines.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};

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
        let mut lines = HashMap::new();
        let mut parser = Parser::new_from_str(text.trim_start_matches('\u{feff}'));
        let mut stack: Vec<Frame> = Vec::new();
        // The path of the value being read, one segment per open frame plus its pending key.
        let mut path: Vec<String> = Vec::new();
        loop {
            let Ok((event, mark)) = parser.next_token() else {
                return LineMap::default();
            };
            let line = u32::try_from(mark.line()).unwrap_or(u32::MAX);
            match event {
                Event::StreamEnd => break,
                Event::Scalar(s, ..) => {
                    let depth = stack.len();
                    if let Some(Frame::Map { key: key @ None }) = stack.last_mut() {
                        // A key: record it.
                        if depth <= MAX_RECORDED_DEPTH {
                            let p = joined(&path, &s);
                            lines.entry(p).or_insert(line);
                        }
                        *key = Some(s);
                        continue;
                    }
                    value_done(&mut stack, &mut lines, &path, line);
                }
                Event::Alias(_) => {
                    if let Some(Frame::Map { key: key @ None }) = stack.last_mut() {
                        *key = Some(String::new());
                        continue;
                    }
                    value_done(&mut stack, &mut lines, &path, line);
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    if stack.len() >= MAX_WALK_DEPTH {
                        return LineMap { lines };
                    }
                    let depth = stack.len();
                    let seg = match stack.last_mut() {
                        Some(Frame::Map { key }) => key.clone().unwrap_or_default(),
                        Some(Frame::Seq { index }) => {
                            let seg = format!("[{index}]");
                            if depth <= MAX_RECORDED_DEPTH {
                                lines.entry(joined(&path, &seg)).or_insert(line);
                            }
                            seg
                        }
                        None => String::new(),
                    };
                    if !stack.is_empty() {
                        path.push(seg);
                    }
                    stack.push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Map { key: None }
                    } else {
                        Frame::Seq { index: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    if !stack.is_empty() {
                        path.pop();
                    }
                    value_done(&mut stack, &mut lines, &path, line);
                }
                _ => {}
            }
        }
        LineMap { lines }
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

/// A value of the top frame is complete: a map waits for its next key, a sequence counts it.
fn value_done(stack: &mut [Frame], lines: &mut HashMap<String, u32>, path: &[String], line: u32) {
    let depth = stack.len();
    match stack.last_mut() {
        Some(Frame::Map { key }) => *key = None,
        Some(Frame::Seq { index }) => {
            if depth <= MAX_RECORDED_DEPTH {
                lines
                    .entry(joined(path, &format!("[{index}]")))
                    .or_insert(line);
            }
            *index += 1;
        }
        None => {}
    }
}

fn joined(path: &[String], last: &str) -> String {
    let mut out = String::new();
    for seg in path.iter().map(String::as_str).chain(std::iter::once(last)) {
        if !out.is_empty() && !seg.starts_with('[') {
            out.push('.');
        }
        out.push_str(seg);
    }
    out
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
    }
}
