//! Quoting for each language, a small block-style YAML writer and a TypeScript object writer.
//! Every value reaches a snippet through these: a header value, a path or a name from an
//! export can hold any character and must stay one literal.

/// Text for a comment: one line, no control characters, at most 600 characters.
pub(super) fn one_line(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(600)
        .collect();
    t.trim().to_string()
}

/// A double-quoted string (JSON's escapes are valid in YAML and TypeScript).
pub(super) fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A YAML scalar that is plainly a string: bare when safe, else double-quoted.
pub(super) fn yaml_key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// A TypeScript property name: bare when an identifier, else quoted.
pub(super) fn ts_key(s: &str) -> String {
    let ident = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        s.to_string()
    } else {
        ts_str(s)
    }
}

/// A TypeScript string literal in single quotes (the house style of CDK code), or in double
/// quotes when it holds single quotes and no double quote (`"'value'"`), escaped.
pub(super) fn ts_str(s: &str) -> String {
    if s.contains('\'') && !s.contains('"') {
        return quoted(s);
    }
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// An HCL string literal: `"…"` with `\`-escapes, and `${`/`%{` escaped so no template
/// sequence is read in a value.
pub(super) fn hcl_str(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML value, written in block style.
#[derive(Clone, Debug)]
pub(super) enum Y {
    /// Entries: key, value, an optional trailing comment.
    Map(Vec<(String, Y, Option<String>)>),
    List(Vec<Y>),
    /// A string, quoted when needed.
    Str(String),
    /// Written as it is: `true`, `200`, `!Ref Api`.
    Raw(String),
}

impl Y {
    pub fn map() -> Y {
        Y::Map(Vec::new())
    }

    pub fn s(v: &str) -> Y {
        Y::Str(v.to_string())
    }

    pub fn raw(v: impl Into<String>) -> Y {
        Y::Raw(v.into())
    }

    /// Adds an entry (builder style).
    pub fn with(mut self, key: &str, value: Y) -> Y {
        self.push(key, value, None);
        self
    }

    /// Adds an entry with a trailing comment.
    pub fn with_note(mut self, key: &str, value: Y, note: &str) -> Y {
        self.push(key, value, Some(note));
        self
    }

    pub fn push(&mut self, key: &str, value: Y, note: Option<&str>) {
        if let Y::Map(entries) = self {
            entries.push((key.to_string(), value, note.map(one_line)));
        }
    }

    /// The value at `key`, creating an empty map there when absent.
    pub fn entry(&mut self, key: &str) -> &mut Y {
        if let Y::Map(entries) = self {
            let i = match entries.iter().position(|(k, _, _)| k == key) {
                Some(i) => i,
                None => {
                    entries.push((key.to_string(), Y::map(), None));
                    entries.len() - 1
                }
            };
            return &mut entries[i].1;
        }
        self
    }

    fn is_block(&self) -> bool {
        match self {
            Y::Map(e) => !e.is_empty(),
            Y::List(l) => !l.is_empty(),
            _ => false,
        }
    }

    fn scalar(&self) -> String {
        match self {
            Y::Map(_) => "{}".to_string(),
            Y::List(_) => "[]".to_string(),
            Y::Str(s) => {
                if s.is_empty() {
                    "\"\"".to_string()
                } else {
                    // Strings are always quoted: a value like `'GET,OPTIONS'` or `200` must stay
                    // a string.
                    quoted(s)
                }
            }
            Y::Raw(r) => r.clone(),
        }
    }

    /// Writes the value as the body of a document or of a key, at `indent` spaces.
    pub fn write(&self, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match self {
            Y::Map(entries) => {
                for (k, v, note) in entries {
                    let note = note
                        .as_ref()
                        .map(|n| format!("  # {n}"))
                        .unwrap_or_default();
                    if v.is_block() {
                        out.push_str(&format!("{pad}{}:{note}\n", yaml_key(k)));
                        v.write(indent + 2, out);
                    } else {
                        out.push_str(&format!("{pad}{}: {}{note}\n", yaml_key(k), v.scalar()));
                    }
                }
            }
            Y::List(items) => {
                for item in items {
                    if item.is_block() {
                        let mut body = String::new();
                        item.write(indent + 2, &mut body);
                        // The first line goes after `- `.
                        let body = body.strip_prefix(&" ".repeat(indent + 2)).unwrap_or(&body);
                        out.push_str(&format!("{pad}- {body}"));
                    } else {
                        out.push_str(&format!("{pad}- {}\n", item.scalar()));
                    }
                }
            }
            other => out.push_str(&format!("{pad}{}\n", other.scalar())),
        }
    }
}

/// A TypeScript expression, written as an object literal tree.
#[derive(Clone, Debug)]
pub(super) enum Ts {
    Obj(Vec<(String, Ts)>),
    Arr(Vec<Ts>),
    Str(String),
    Raw(String),
}

impl Ts {
    pub fn obj() -> Ts {
        Ts::Obj(Vec::new())
    }

    pub fn with(mut self, key: &str, value: Ts) -> Ts {
        if let Ts::Obj(e) = &mut self {
            e.push((key.to_string(), value));
        }
        self
    }

    pub fn write(&self, indent: usize) -> String {
        let pad = " ".repeat(indent + 2);
        let end = " ".repeat(indent);
        match self {
            Ts::Obj(e) if e.is_empty() => "{}".to_string(),
            Ts::Obj(e) => {
                let body: Vec<String> = e
                    .iter()
                    .map(|(k, v)| format!("{pad}{}: {},", ts_key(k), v.write(indent + 2)))
                    .collect();
                format!("{{\n{}\n{end}}}", body.join("\n"))
            }
            Ts::Arr(items) if items.iter().all(|i| matches!(i, Ts::Str(_) | Ts::Raw(_))) => {
                let parts: Vec<String> = items.iter().map(|i| i.write(indent)).collect();
                let line = format!("[{}]", parts.join(", "));
                if line.len() + indent <= 90 {
                    line
                } else {
                    format!(
                        "[\n{}\n{end}]",
                        parts
                            .iter()
                            .map(|p| format!("{pad}{p},"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    )
                }
            }
            Ts::Arr(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|i| format!("{pad}{},", i.write(indent + 2)))
                    .collect();
                format!("[\n{}\n{end}]", parts.join("\n"))
            }
            Ts::Str(s) => ts_str(s),
            Ts::Raw(r) => r.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_every_value_one_literal() {
        assert_eq!(hcl_str("a\"b${x}%{y}\\"), r#""a\"b$${x}%%{y}\\""#);
        assert_eq!(ts_str("it's\n"), "\"it's\\n\"");
        assert_eq!(ts_str("it's \"x\""), r#"'it\'s "x"'"#);
        assert_eq!(
            yaml_key("method.response.header.X-Y"),
            "method.response.header.X-Y"
        );
        assert_eq!(yaml_key("/items/{id}"), "\"/items/{id}\"");
        assert_eq!(yaml_key("200"), "\"200\"");
        assert_eq!(yaml_key("on"), "\"on\"");
        assert_eq!(one_line("a\nb\u{7}"), "a b");
    }

    #[test]
    fn yaml_writer_nests_maps_and_lists() {
        let y = Y::map().with(
            "R",
            Y::map().with("Type", Y::raw("AWS::X")).with(
                "L",
                Y::List(vec![
                    Y::map().with("A", Y::s("1")).with("B", Y::raw("true")),
                    Y::s("x"),
                ]),
            ),
        );
        let mut out = String::new();
        y.write(0, &mut out);
        assert_eq!(
            out,
            "R:\n  Type: AWS::X\n  L:\n    - A: \"1\"\n      B: true\n    - \"x\"\n"
        );
    }
}
