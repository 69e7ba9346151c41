//! DevTools' "Copy as fetch" (and "Copy as fetch (Node.js)"): `fetch("URL", { … });`, the init
//! an object literal of strings, `null` and a `headers` object. The JavaScript is tokenized,
//! rewritten as JSON (quoted keys, no trailing commas) and read by serde_json; anything that
//! would need evaluating (a call, a variable, a `${…}` template) is refused by name.

use serde_json::Value;

use super::{finish, shown, PasteError, Pasted, PastedBody};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Ident(String),
    Num(String),
    Punct(char),
}

fn syntax(what: impl Into<String>) -> PasteError {
    PasteError::FetchSyntax(what.into())
}

fn tokenize(text: &str) -> Result<Vec<Tok>, PasteError> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let end = (i + 2..chars.len().saturating_sub(1))
                .find(|&j| chars[j] == '*' && chars[j + 1] == '/')
                .ok_or_else(|| syntax("a /* comment */ does not end"))?;
            i = end + 2;
        } else if matches!(c, '"' | '\'' | '`') {
            let (s, next) = string(&chars, i)?;
            toks.push(Tok::Str(s));
            i = next;
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            toks.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            toks.push(Tok::Num(chars[start..i].iter().collect()));
        } else if matches!(c, '(' | ')' | '{' | '}' | '[' | ']' | ':' | ',' | ';' | '.') {
            toks.push(Tok::Punct(c));
            i += 1;
        } else {
            return Err(syntax(format!(
                "the character '{}' is not understood",
                shown(&c.to_string())
            )));
        }
    }
    Ok(toks)
}

/// A JavaScript string literal starting at `start`; returns its value and the index after it.
fn string(chars: &[char], start: usize) -> Result<(String, usize), PasteError> {
    let quote = chars[start];
    let mut s = String::new();
    let mut i = start + 1;
    let unterminated = || syntax("a string does not end");
    loop {
        let c = *chars.get(i).ok_or_else(unterminated)?;
        i += 1;
        if c == quote {
            return Ok((s, i));
        }
        if quote == '`' && c == '$' && chars.get(i) == Some(&'{') {
            return Err(syntax(
                "a template string uses ${…}, which cors-doctor does not evaluate",
            ));
        }
        if c == '\n' && quote != '`' {
            return Err(unterminated());
        }
        if c != '\\' {
            s.push(c);
            continue;
        }
        let e = *chars.get(i).ok_or_else(unterminated)?;
        i += 1;
        match e {
            'n' => s.push('\n'),
            'r' => s.push('\r'),
            't' => s.push('\t'),
            'b' => s.push('\u{8}'),
            'f' => s.push('\u{c}'),
            'v' => s.push('\u{b}'),
            '0' if !chars.get(i).is_some_and(char::is_ascii_digit) => s.push('\0'),
            '\n' => {}
            'x' | 'u' => {
                let braced = e == 'u' && chars.get(i) == Some(&'{');
                let digits: String = if braced {
                    let end = (i + 1..chars.len())
                        .find(|&j| chars[j] == '}')
                        .ok_or_else(unterminated)?;
                    let d: String = chars[i + 1..end].iter().collect();
                    i = end + 1;
                    d
                } else {
                    let n = if e == 'x' { 2 } else { 4 };
                    let d: String = chars[i..].iter().take(n).collect();
                    if d.chars().count() != n {
                        return Err(unterminated());
                    }
                    i += n;
                    d
                };
                let n = u32::from_str_radix(&digits, 16)
                    .map_err(|_| syntax("a \\x or \\u escape is not hexadecimal"))?;
                // A UTF-16 surrogate pair (\uD83D\uDE00) makes one character.
                if (0xD800..0xDC00).contains(&n)
                    && chars.get(i) == Some(&'\\')
                    && chars.get(i + 1) == Some(&'u')
                {
                    let low: String = chars[i + 2..].iter().take(4).collect();
                    if let Ok(l) = u32::from_str_radix(&low, 16) {
                        if (0xDC00..0xE000).contains(&l) {
                            let c = 0x10000 + ((n - 0xD800) << 10) + (l - 0xDC00);
                            s.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                            i += 6;
                            continue;
                        }
                    }
                }
                s.push(char::from_u32(n).unwrap_or('\u{fffd}'));
            }
            other => s.push(other),
        }
    }
}

/// Reads a pasted fetch call.
pub fn parse(text: &str) -> Result<Pasted, PasteError> {
    let toks = tokenize(text)?;
    let mut t = toks.as_slice();
    if let [Tok::Ident(a), rest @ ..] = t {
        if a == "await" {
            t = rest;
        }
    }
    let [Tok::Ident(f), Tok::Punct('('), rest @ ..] = t else {
        return Err(PasteError::NotFetch);
    };
    if f != "fetch" {
        return Err(PasteError::NotFetch);
    }
    let (url, rest) = match rest {
        [Tok::Str(u), rest @ ..] => (u.clone(), rest),
        [Tok::Punct(')'), ..] => {
            return Err(PasteError::NoUrl {
                flag: "--from-fetch",
            })
        }
        _ => return Err(syntax("the URL is not a string")),
    };
    let (init, rest) = match rest {
        [Tok::Punct(','), Tok::Punct('{'), ..] => {
            let (json, used) = to_json(&rest[1..])?;
            let v: Value = serde_json::from_str(&json)
                .map_err(|_| syntax("the init object is not an object literal"))?;
            (Some(v), &rest[1 + used..])
        }
        [Tok::Punct(','), Tok::Punct(')'), ..] => (None, &rest[1..]),
        [Tok::Punct(')'), ..] => (None, rest),
        _ => return Err(syntax("the second argument is not an object literal")),
    };
    let rest = match rest {
        [Tok::Punct(','), rest @ ..] => rest,
        rest => rest,
    };
    match rest {
        [Tok::Punct(')')] | [Tok::Punct(')'), Tok::Punct(';')] => {}
        _ => return Err(syntax("text follows the fetch(…) call; paste one request")),
    }
    let mut pasted = Pasted {
        url,
        ..Pasted::default()
    };
    let mut raw = Vec::new();
    let mut referrer = None;
    if let Some(Value::Object(init)) = init {
        let text_field = |k: &str| -> Result<Option<String>, PasteError> {
            match init.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(PasteError::FetchField(k.to_string())),
            }
        };
        pasted.method = text_field("method")?;
        pasted.credentials = text_field("credentials")?;
        pasted.fetch_mode = text_field("mode")?;
        pasted.body = text_field("body")?.map(PastedBody::Text);
        referrer = text_field("referrer")?;
        match init.get("headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(h)) => {
                for (k, v) in h {
                    let Value::String(v) = v else {
                        return Err(PasteError::FetchField("headers".into()));
                    };
                    raw.push((k.clone(), v.clone()));
                }
            }
            Some(Value::Array(pairs)) => {
                for p in pairs {
                    match p.as_array().map(Vec::as_slice) {
                        Some([Value::String(k), Value::String(v)]) => {
                            raw.push((k.clone(), v.clone()))
                        }
                        _ => return Err(PasteError::FetchField("headers".into())),
                    }
                }
            }
            Some(_) => return Err(PasteError::FetchField("headers".into())),
        }
    }
    // fetch's "about:client" referrer (the default) names no page.
    let referrer = referrer.filter(|r| r != "about:client" && !r.is_empty());
    Ok(finish(pasted, raw, referrer.as_deref()))
}

/// Rewrites the object literal that starts at `toks[0]` (a `{`) as JSON; returns the JSON and
/// how many tokens it used. Depth is counted, not recursed.
fn to_json(toks: &[Tok]) -> Result<(String, usize), PasteError> {
    let mut out = String::new();
    let mut depth = 0usize;
    for (i, tok) in toks.iter().enumerate() {
        let next = toks.get(i + 1);
        match tok {
            Tok::Punct(c @ ('{' | '[')) => {
                depth += 1;
                out.push(*c);
            }
            Tok::Punct(c @ ('}' | ']')) => {
                depth = depth.saturating_sub(1);
                out.push(*c);
                if depth == 0 {
                    return Ok((out, i + 1));
                }
            }
            Tok::Punct(',') if matches!(next, Some(Tok::Punct('}' | ']'))) => {}
            Tok::Punct(c @ (':' | ',')) => out.push(*c),
            Tok::Punct(c) => {
                return Err(syntax(format!("'{c}' inside the init is not understood")))
            }
            Tok::Str(s) => out.push_str(&serde_json::to_string(s).unwrap_or_default()),
            Tok::Num(n) => {
                if n.parse::<f64>().is_err() {
                    return Err(syntax("a number in the init is not understood"));
                }
                out.push_str(n);
            }
            Tok::Ident(id) if matches!(next, Some(Tok::Punct(':'))) => {
                out.push_str(&serde_json::to_string(id).unwrap_or_default())
            }
            Tok::Ident(id) => match id.as_str() {
                "null" | "true" | "false" => out.push_str(id),
                "undefined" => out.push_str("null"),
                other => {
                    return Err(syntax(format!(
                        "'{}' in the init is an expression cors-doctor does not evaluate",
                        shown(other)
                    )))
                }
            },
        }
    }
    Err(syntax("the init object does not end"))
}
