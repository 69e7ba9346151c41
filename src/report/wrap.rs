//! Wrapping `check`'s text report to the terminal: at the terminal's width on a TTY, at
//! [`PIPED_WIDTH`] columns when piped. Applied to the rendered report as a whole, so the report
//! renderer stays width-free.
//!
//! - Prose breaks at spaces; a continued line is indented two columns more than its first line.
//!   A word longer than the line (a URL) is never cut: it overflows.
//! - A command (`$ aws …`) breaks only between shell words, never inside a quoted string, a
//!   `${…}` or a word, and each broken line ends with ` \` (a line continuation): pasted into
//!   bash it runs exactly as the unwrapped command. Breaks inside `$( … )` are allowed (bash
//!   continues lines there too); after an unquoted `#` (a comment) nothing breaks.
//! - A comment line (`# …`) continues with `# `, so a pasted comment stays a comment.
//! - Lines between two fences (a line that is ```` ``` ```` or ```` ```yaml ````, …) are left
//!   as they are: an infrastructure-as-code snippet (`--fix-format`) is pasted as printed.
//!
//! Widths are counted in characters, ANSI colour sequences excluded (the report's symbols are
//! one column wide each).

/// The width when standard output is not a terminal.
pub const PIPED_WIDTH: usize = 100;

/// Narrower than this, wrapping would do more harm than good.
pub const MIN_WIDTH: usize = 40;

/// `text` with every line longer than `width` wrapped (see the module docs).
pub fn wrap(text: &str, width: usize) -> String {
    let width = width.max(MIN_WIDTH);
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    // The shell state carried from one line of a multi-line command to the next.
    let mut shell: Option<(usize, Lexer)> = None;
    let mut fenced = false;
    for line in text.split_inclusive('\n') {
        let (line, newline) = match line.strip_suffix('\n') {
            Some(l) => (l, "\n"),
            None => (line, ""),
        };
        let (_, visible, _) = split_colour(line);
        if visible.trim_start().starts_with("```") {
            fenced = !fenced;
            shell = None;
        }
        if fenced || visible.trim_start().starts_with("```") {
            out.push_str(line);
            out.push_str(newline);
            continue;
        }
        let (prefix, body, suffix) = split_colour(line);
        let outer = body.len() - body.trim_start_matches(' ').len();
        // Colour may also start after the indentation (`        \x1b[36m$ aws …`), and
        // more indentation follow it (`        \x1b[36m  # a comment`).
        let (inner_prefix, painted, inner_suffix) = split_colour(&body[outer..]);
        let content = painted.trim_start_matches(' ');
        let indent = outer + (painted.len() - content.len());
        let wrapped: Vec<String> = if let Some(cmd) = content.strip_prefix("$ ") {
            let mut lexer = Lexer::default();
            let lines = wrap_command(indent, "$ ", cmd, &mut lexer, width);
            shell = Some((indent, lexer));
            lines
        } else if let Some((cmd_indent, lexer)) = shell
            .as_mut()
            .filter(|(i, _)| indent == *i + 2 && !content.starts_with('#'))
        {
            // The next line of a multi-line command (printed two columns in).
            wrap_command(*cmd_indent, "  ", content, lexer, width)
        } else if content.starts_with('#') {
            shell = None;
            wrap_comment(indent, content, width)
        } else {
            shell = None;
            wrap_prose(indent, content, width)
        };
        let last = wrapped.len().saturating_sub(1);
        for (i, l) in wrapped.iter().enumerate() {
            if i == 0 {
                out.push_str(prefix);
                // Every line starts with the indentation; the inner colour goes where it was.
                let at = outer.min(l.len());
                out.push_str(&l[..at]);
                out.push_str(inner_prefix);
                out.push_str(&l[at..]);
            } else {
                out.push_str(l);
            }
            if i == last {
                out.push_str(inner_suffix);
                out.push_str(suffix);
                out.push_str(newline);
            } else {
                out.push('\n');
            }
        }
    }
    out
}

/// Splits a line into its leading colour sequences, its text, and its trailing colour
/// sequences. A line with colour in the middle keeps it in the text.
fn split_colour(line: &str) -> (&str, &str, &str) {
    let mut start = 0;
    while line[start..].starts_with("\x1b[") {
        match csi_len(&line[start..]) {
            Some(n) => start += n,
            None => break,
        }
    }
    let mut end = line.len();
    while let Some(at) = line[start..end].rfind("\x1b[") {
        let at = start + at;
        match csi_len(&line[at..end]) {
            Some(n) if at + n == end => end = at,
            _ => break,
        }
    }
    (&line[..start], &line[start..end], &line[end..])
}

/// The length of the CSI sequence (`ESC [ … final`) at the start of `s`.
fn csi_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("\x1b[")?;
    let end = rest.find(|c: char| ('\u{40}'..='\u{7e}').contains(&c))?;
    Some(2 + end + 1)
}

/// The columns `s` takes: characters, colour sequences excluded.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(len) = rest.starts_with("\x1b[").then(|| csi_len(rest)).flatten() {
            rest = &rest[len..];
            continue;
        }
        n += 1;
        rest = &rest[c.len_utf8()..];
    }
    n
}

/// Greedy filling of words separated by single spaces: the first line starts with `first`,
/// the others with `rest`; `tail` is appended to every line but the last.
fn fill(words: &[&str], first: &str, rest: &str, tail: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for (i, word) in words.iter().enumerate() {
        let more = i + 1 < words.len();
        let needed = visible_len(&line)
            + usize::from(!empty)
            + visible_len(word)
            + if more { visible_len(tail) } else { 0 };
        if !empty && needed > width {
            line.push_str(tail);
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    lines.push(line);
    lines
}

fn wrap_prose(indent: usize, content: &str, width: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    if visible_len(content) + indent <= width || !content.contains(' ') {
        return vec![format!("{pad}{content}")];
    }
    // Runs of spaces that line columns up (the exchange list) are kept.
    let parts = split_keeping_runs(content);
    fill(&parts, &pad, &format!("{pad}  "), "", width)
}

/// `content` cut after each single space, runs of spaces kept with the word before them.
fn split_keeping_runs(content: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let bytes = content.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            let mut j = i;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            parts.push(&content[start..i]);
            if j - i > 1 {
                // The extra spaces of a run are glued to the next word.
                start = i + 1;
            } else {
                start = j;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    parts.push(&content[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

fn wrap_comment(indent: usize, content: &str, width: usize) -> Vec<String> {
    let pad = " ".repeat(indent);
    if visible_len(content) + indent <= width {
        return vec![format!("{pad}{content}")];
    }
    let text = content.trim_start_matches('#').trim_start();
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    fill(&words, &format!("{pad}# "), &format!("{pad}# "), "", width)
}

/// A command line: `lead` (`$ ` or the two columns of a following line) at `indent`, the
/// command broken between words with ` \` line continuations, continued four columns in.
fn wrap_command(
    indent: usize,
    lead: &str,
    cmd: &str,
    lexer: &mut Lexer,
    width: usize,
) -> Vec<String> {
    let pad = " ".repeat(indent);
    let first = format!("{pad}{lead}");
    let words = lexer.words(cmd);
    if visible_len(cmd) + visible_len(&first) <= width {
        return vec![format!("{first}{cmd}")];
    }
    // A flag stays on the line of its value (`--region us-east-1`): the same words, joined
    // by the space that separated them.
    let mut units: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        match words.get(i + 1) {
            Some(v) if w.starts_with("--") && !v.starts_with('-') => {
                units.push(format!("{w} {v}"));
                i += 2;
            }
            _ => {
                units.push(w.clone());
                i += 1;
            }
        }
    }
    let units: Vec<&str> = units.iter().map(String::as_str).collect();
    fill(&units, &first, &format!("{pad}    "), " \\", width)
}

/// Where bash is inside a command: enough to know where a line may be broken.
#[derive(Clone, Debug, Default)]
struct Lexer {
    /// Open constructs, innermost last.
    stack: Vec<Ctx>,
    single: bool,
    escape: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Double,
    /// `$( … )`: bash continues lines inside, so breaks are allowed.
    Subst,
    /// `${ … }`
    Brace,
}

impl Lexer {
    /// True where a space may become ` \` + newline without changing the command.
    fn breakable(&self) -> bool {
        !self.single && !self.escape && self.stack.iter().all(|c| *c == Ctx::Subst)
    }

    /// Splits one line of a command into the words between which it may be broken (each
    /// word may hold spaces that must stay), advancing the state over the line.
    fn words(&mut self, line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut comment = false;
        let mut prev: Option<char> = None;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' && !comment && self.breakable() {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                prev = Some(c);
                continue;
            }
            word.push(c);
            if self.escape {
                self.escape = false;
            } else if self.single {
                if c == '\'' {
                    self.single = false;
                }
            } else if comment {
            } else {
                let top = self.stack.last().copied();
                match (c, top) {
                    ('\\', _) => self.escape = true,
                    ('"', Some(Ctx::Double)) => {
                        self.stack.pop();
                    }
                    ('"', _) => self.stack.push(Ctx::Double),
                    ('\'', Some(Ctx::Double)) => {}
                    ('\'', _) => self.single = true,
                    ('$', _) if chars.peek() == Some(&'(') => {
                        if let Some(p) = chars.next() {
                            word.push(p);
                        }
                        self.stack.push(Ctx::Subst);
                    }
                    ('$', _) if chars.peek() == Some(&'{') => {
                        if let Some(p) = chars.next() {
                            word.push(p);
                        }
                        self.stack.push(Ctx::Brace);
                    }
                    (')', Some(Ctx::Subst)) | ('}', Some(Ctx::Brace)) => {
                        self.stack.pop();
                    }
                    ('#', None | Some(Ctx::Subst)) if prev.is_none_or(|p| p == ' ') => {
                        comment = true;
                    }
                    _ => {}
                }
            }
            prev = Some(c);
        }
        if !word.is_empty() {
            words.push(word);
        }
        // A backslash at the end of a line continues it: nothing is escaped on the next.
        self.escape = false;
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_are_kept_as_they_are() {
        let text = "a line\n  $ aws x\n\nend";
        assert_eq!(wrap(text, 100), text);
    }

    #[test]
    fn prose_breaks_at_spaces_with_a_hanging_indent() {
        let words = "word ".repeat(30);
        let line = format!("  Console: {}", words.trim_end());
        let out = wrap(&line, 40);
        for l in out.lines() {
            assert!(l.chars().count() <= 40, "{l:?}");
        }
        assert!(out.lines().nth(1).unwrap().starts_with("    word"), "{out}");
        assert_eq!(
            out.split_whitespace().collect::<Vec<_>>(),
            line.split_whitespace().collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_long_url_is_never_cut() {
        let url = format!("https://example.com/{}", "a".repeat(120));
        let out = wrap(&format!("  see {url} now"), 60);
        assert!(out.lines().any(|l| l.trim() == url), "{out}");
    }

    #[test]
    fn commands_break_between_words_with_continuations() {
        let cmd = r#"aws apigateway update-integration-response --rest-api-id u1v2w3x4y5 --resource-id "$RESOURCE_ID" --patch-operations "[{\"op\":\"add\",\"path\":\"/a b\"}]" --query 'items[?path==`/x y`].id' --region us-east-1"#;
        let out = wrap(&format!("        $ {cmd}"), 60);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 2, "{out}");
        for l in &lines[..lines.len() - 1] {
            assert!(l.ends_with(" \\"), "{l:?}");
        }
        assert!(lines[0].starts_with("        $ aws"), "{out}");
        assert!(lines[1].starts_with("            --"), "{out}");
        // Quoted strings with spaces stay whole.
        assert!(
            out.contains(r#""[{\"op\":\"add\",\"path\":\"/a b\"}]""#),
            "{out}"
        );
        assert!(out.contains("'items[?path==`/x y`].id'"), "{out}");
    }

    #[test]
    fn no_break_inside_braces_or_after_a_comment() {
        let mut lexer = Lexer::default();
        let words = lexer.words(
            r#"X=$(aws a --b c); : "${X:?found no resource /x y}" ${Y:-a b} # a comment here"#,
        );
        assert_eq!(
            words,
            vec![
                "X=$(aws",
                "a",
                "--b",
                "c);",
                ":",
                r#""${X:?found no resource /x y}""#,
                "${Y:-a b}",
                "# a comment here",
            ]
        );
        assert!(lexer.breakable());
        // A quote left open continues on the next line.
        let mut lexer = Lexer::default();
        lexer.words("echo 'a b");
        assert!(!lexer.breakable());
        assert_eq!(lexer.words("c d' e"), vec!["c d'", "e"]);
    }

    #[test]
    fn comments_stay_comments() {
        let line = format!("          # {}", "explain ".repeat(20).trim_end());
        let out = wrap(&line, 50);
        assert!(out.lines().count() > 1);
        for l in out.lines() {
            assert!(l.trim_start().starts_with("# "), "{l:?}");
        }
    }

    #[test]
    fn colour_is_kept_and_not_counted() {
        let cmd = format!(
            "\x1b[36m        $ aws {}\x1b[0m",
            "--flag value ".repeat(8).trim_end()
        );
        let out = wrap(&cmd, 50);
        assert!(out.starts_with("\x1b[36m        $ aws"), "{out:?}");
        assert!(out.ends_with("\x1b[0m"), "{out:?}");
        for l in out.lines() {
            assert!(visible_len(l) <= 50, "{l:?}");
        }
        assert_eq!(visible_len("\x1b[1;31mBLOCKED\x1b[0m"), 7);
        // As the report paints a command: the colour after the indentation.
        let words = "--flag 'a b' ".repeat(8);
        let cmd = format!("        \x1b[36m$ aws {}\x1b[0m", words.trim_end());
        let out = wrap(&cmd, 50);
        assert!(out.starts_with("        \x1b[36m$ aws"), "{out:?}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1, "{out:?}");
        for l in &lines[..lines.len() - 1] {
            assert!(l.ends_with(" \\"), "{l:?}");
        }
        assert!(out.ends_with("\x1b[0m"), "{out:?}");
        assert!(
            !out.contains("'a\n") && out.matches("'a b'").count() == 8,
            "{out:?}"
        );
        // A painted comment line stays a comment on every line.
        let comment = format!(
            "        \x1b[36m  # {}\x1b[0m",
            "explain ".repeat(12).trim_end()
        );
        let out = wrap(&comment, 50);
        assert!(out.lines().count() > 1, "{out:?}");
        for l in out.lines() {
            let plain: String = l.replace("\x1b[36m", "").replace("\x1b[0m", "");
            assert!(plain.starts_with("          # "), "{l:?}");
        }
    }

    #[test]
    fn aligned_columns_keep_their_spacing() {
        let line = "  x2 actual    PUT → 200 · Allow-Origin: '*' · backend · 2 ms";
        assert_eq!(wrap(line, 100), line);
    }

    #[test]
    fn fenced_snippets_are_left_as_printed() {
        let long = format!(
            "        \x1b[36m      Value: \"{}\"\x1b[0m",
            "x ".repeat(40)
        );
        let text = format!(
            "      Fix: {}\n        ```yaml\n{long}\n        ```\n      {}\n",
            "word ".repeat(20),
            "after ".repeat(20)
        );
        let out = wrap(&text, 50);
        assert!(out.contains(&format!("\n{long}\n")), "{out}");
        // Prose before and after the fences is still wrapped.
        assert!(out.lines().next().is_some_and(|l| l.len() <= 50), "{out}");
        assert!(out.lines().last().is_some_and(|l| l.len() <= 50), "{out}");
    }
}
