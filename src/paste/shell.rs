//! Splitting a pasted command line into words, as bash does (DevTools' "Copy as cURL (bash)")
//! and as cmd.exe plus the C runtime do ("Copy as cURL (cmd)"). One pass each, no recursion.

use super::{shown, PasteError};

/// True when the text looks like DevTools' cmd.exe flavour: `^"` quoting or `^` line ends.
pub fn looks_like_cmd(text: &str) -> bool {
    text.contains("^\"") || text.contains(" ^\n") || text.trim_end().ends_with(" ^")
}

/// bash's word splitting and quote removal for one simple command: `'…'`, `"…"`, `$'…'`
/// (ANSI-C), backslash escapes and line continuations. Expansions, pipes, redirections and
/// command lists are refused (DevTools never writes them).
pub fn bash_words(text: &str) -> Result<Vec<String>, PasteError> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                i += 1;
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some('\n') => {}
                    Some(&n) => {
                        word.push(n);
                        in_word = true;
                    }
                    None => return Err(PasteError::Unterminated("backslash escape")),
                }
                i += 2;
            }
            '\'' => {
                let end = (i + 1..chars.len())
                    .find(|&j| chars[j] == '\'')
                    .ok_or(PasteError::Unterminated("single-quoted string"))?;
                word.extend(&chars[i + 1..end]);
                in_word = true;
                i = end + 1;
            }
            '"' => {
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => return Err(PasteError::Unterminated("double-quoted string")),
                        Some('"') => break,
                        Some('\\') => match chars.get(j + 1) {
                            Some('\n') => j += 2,
                            Some(&n @ ('$' | '`' | '"' | '\\')) => {
                                word.push(n);
                                j += 2;
                            }
                            _ => {
                                word.push('\\');
                                j += 1;
                            }
                        },
                        Some('$') if chars.get(j + 1).is_some_and(|n| is_expansion_start(*n)) => {
                            return Err(PasteError::Shell("a $ expansion".into()))
                        }
                        Some('`') => {
                            return Err(PasteError::Shell("a `command` substitution".into()))
                        }
                        Some(&n) => {
                            word.push(n);
                            j += 1;
                        }
                    }
                }
                in_word = true;
                i = j + 1;
            }
            '$' if chars.get(i + 1) == Some(&'\'') => {
                i = ansi_c(&chars, i + 2, &mut word)?;
                in_word = true;
            }
            '$' if chars.get(i + 1).is_some_and(|n| is_expansion_start(*n)) => {
                return Err(PasteError::Shell("a $ expansion".into()))
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '|' | '&' | ';' | '<' | '>' | '`' | '(' | ')' => {
                return Err(PasteError::Shell(format!("'{}'", shown(&c.to_string()))))
            }
            _ => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

fn is_expansion_start(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '{' | '(' | '?' | '@' | '*' | '#' | '!' | '$' | '-')
}

/// The body of a `$'…'` string from `start` (after the quote); returns the index after its
/// closing quote. Escapes as bash's manual lists them ("ANSI-C Quoting").
fn ansi_c(chars: &[char], start: usize, word: &mut String) -> Result<usize, PasteError> {
    let mut i = start;
    loop {
        let c = *chars
            .get(i)
            .ok_or(PasteError::Unterminated("$'…' string"))?;
        if c == '\'' {
            return Ok(i + 1);
        }
        if c != '\\' {
            word.push(c);
            i += 1;
            continue;
        }
        let e = *chars
            .get(i + 1)
            .ok_or(PasteError::Unterminated("$'…' string"))?;
        i += 2;
        let simple = match e {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'e' | 'E' => Some('\u{1b}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' | '\'' | '"' | '?' => Some(e),
            _ => None,
        };
        if let Some(s) = simple {
            word.push(s);
            continue;
        }
        let (radix, max) = match e {
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            '0'..='7' => {
                i -= 1;
                (8, 3)
            }
            'c' => {
                // \cX: control-X.
                let x = *chars
                    .get(i)
                    .ok_or(PasteError::Unterminated("$'…' string"))?;
                word.push(char::from((x as u32 & 0x1f) as u8));
                i += 1;
                continue;
            }
            _ => {
                word.push('\\');
                word.push(e);
                continue;
            }
        };
        let digits: String = chars[i..]
            .iter()
            .take(max)
            .take_while(|d| d.is_digit(radix))
            .collect();
        if digits.is_empty() {
            word.push('\\');
            word.push(e);
            continue;
        }
        i += digits.chars().count();
        let n = u32::from_str_radix(&digits, radix).unwrap_or(0xfffd);
        // \xHH and octal are bytes to bash; DevTools writes them for a character below 256
        // (older versions: "é" as \xe9), so the byte is read as that character (Latin-1).
        word.push(char::from_u32(n).unwrap_or('\u{fffd}'));
    }
}

/// cmd.exe's caret escapes (`^X` is X, `^` at a line end continues the line), then the
/// argument splitting of the C runtime (`"` quotes, `\"` is a quote) with DevTools' own
/// backslash doubling undone. DevTools (Chrome's and Firefox's `escapeStringWin`) doubles every
/// backslash, writes `"` as `\"`, puts `^` before every character outside
/// `[A-Za-z0-9\s_-:=+~'/.,?;()*\`]`, writes `%X` as `%^X` and a line break as `^` and two line
/// breaks; it replaces characters outside printable ASCII with spaces, which cannot be undone.
pub fn cmd_words(text: &str) -> Result<Vec<String>, PasteError> {
    // 1. cmd.exe: carets outside (cmd's) double quotes escape the next character.
    let mut line = String::with_capacity(text.len());
    let mut quoted = false;
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '"' => {
                quoted = !quoted;
                line.push(c);
            }
            '^' if !quoted => match it.next() {
                Some('\n') => {
                    // A line continuation; the next line's first character is literal.
                    if let Some(n) = it.next() {
                        line.push(n);
                    }
                }
                Some(n) => line.push(n),
                None => return Err(PasteError::Unterminated("^ escape")),
            },
            '&' | '|' | '<' | '>' if !quoted => return Err(PasteError::Shell(format!("'{c}'"))),
            _ => line.push(c),
        }
    }
    // 2. The C runtime's splitting.
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                i += 1;
            }
            '\\' => {
                // DevTools doubles every backslash and writes `"` as `\"` (the C runtime
                // halves backslashes only before a quote; DevTools' text is undone as written,
                // so the value is the one the browser sent).
                match chars.get(i + 1) {
                    Some(&n @ ('\\' | '"')) => {
                        word.push(n);
                        i += 2;
                    }
                    _ => {
                        word.push('\\');
                        i += 1;
                    }
                }
                in_word = true;
            }
            '"' => {
                if quoted && chars.get(i + 1) == Some(&'"') {
                    word.push('"');
                    i += 2;
                } else {
                    quoted = !quoted;
                    i += 1;
                }
                in_word = true;
            }
            _ => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    if quoted {
        return Err(PasteError::Unterminated("double-quoted string"));
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}
