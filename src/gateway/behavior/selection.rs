//! Selection patterns: how a non-proxy REST integration picks its integration response.
//!
//! API Gateway documents `selectionPattern` as a regular expression matched against the HTTP
//! status code of HTTP and AWS integrations, and against the `errorMessage` of a Lambda custom
//! integration's error ("If the back end is an AWS Lambda function, the AWS Lambda function
//! error header is matched. For all other HTTP and AWS back ends, the HTTP status code is
//! matched"):
//! <https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration-responses.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html>.
//! The match is against the *whole* input, as Java's `Pattern.matches`: the documented
//! `2\d{2}` selects `204` but not `2040`, and the Lambda example `Malformed.*` only needs its
//! `.*` because a bare `Malformed` would not select "Malformed input ...". The same page's advice
//! that `.+` fails on an error message containing `\n` is Java's `.`, which stops at a line
//! break (hence the common `(\n|.)+`).
//!
//! Evaluation uses `regex-lite` (no backtracking: time linear in the input, a compile-size
//! limit and a nesting limit), so a hostile pattern can neither overflow the stack nor take
//! exponential time. Choices the documentation leaves open:
//! - **Dialect.** The docs say "regular expression" and give Java-compatible examples; API
//!   Gateway's own behaviour (whole match, `.` and line breaks, above) is Java's, so Java's
//!   `java.util.regex` semantics are followed where regex-lite differs.
//! - **Length.** No documented quota names a maximum `selectionPattern` length. cors-doctor
//!   evaluates patterns of up to [`MAX_PATTERN_BYTES`]; a longer one is treated as matching
//!   nothing and reported (finding `SELECTION_PATTERN_UNSUPPORTED`), never compiled.
//! - **Java syntax regex-lite lacks** (lookaround, backreferences, possessive quantifiers,
//!   `\p{…}` classes, `\Z`, `\R`, `\h`…) makes the pattern unevaluable in the same way: it
//!   selects nothing and the finding says why. `\Q…\E` quoting is translated.
//! - **Line terminators.** Java's `.` excludes `\n`, `\r`, `\u0085`, `\u2028` and `\u2029`
//!   (without `DOTALL`); outside character classes `.` is translated to that class unless the
//!   pattern sets an inline flag group (`(?s)` and friends), where regex-lite's own `.` is used.

use std::fmt;

/// The longest selection pattern that is evaluated (bytes). Real patterns are a few dozen
/// characters (`4\d{2}`, `.*Not Found.*`); 8 KiB leaves room for long alternations of
/// error messages.
pub const MAX_PATTERN_BYTES: usize = 8 * 1024;

/// Compiled-program limit (bytes) and group nesting limit: bounded memory and recursion for
/// any pattern under [`MAX_PATTERN_BYTES`].
const COMPILED_SIZE_LIMIT: usize = 1 << 20;
const NEST_LIMIT: u32 = 64;

/// Why a selection pattern cannot be evaluated (it then matches nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternProblem {
    TooLong { bytes: usize },
    Unsupported { detail: String },
}

impl fmt::Display for PatternProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternProblem::TooLong { bytes } => write!(
                f,
                "is {bytes} bytes long, more than the {MAX_PATTERN_BYTES} cors-doctor evaluates"
            ),
            PatternProblem::Unsupported { detail } => write!(
                f,
                "uses regular-expression syntax cors-doctor cannot evaluate ({detail})"
            ),
        }
    }
}

/// A selection pattern ready to be matched against whole inputs.
#[derive(Clone, Debug)]
pub struct SelectionPattern {
    whole: regex_lite::Regex,
}

impl SelectionPattern {
    /// Compiles a Java-style selection pattern, or says why it cannot be evaluated.
    pub fn compile(pattern: &str) -> Result<SelectionPattern, PatternProblem> {
        if pattern.len() > MAX_PATTERN_BYTES {
            return Err(PatternProblem::TooLong {
                bytes: pattern.len(),
            });
        }
        let translated = translate_java(pattern)?;
        // Compiled alone first: an unbalanced `)` must not escape the anchoring group below.
        build(&translated)?;
        let whole = build(&format!(r"\A(?:{translated})\z"))?;
        Ok(SelectionPattern { whole })
    }

    /// Java's `Pattern.matches`: the whole input, not a part of it.
    pub fn matches_whole(&self, input: &str) -> bool {
        self.whole.is_match(input)
    }
}

fn build(pattern: &str) -> Result<regex_lite::Regex, PatternProblem> {
    regex_lite::RegexBuilder::new(pattern)
        .size_limit(COMPILED_SIZE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
        .map_err(|e| PatternProblem::Unsupported {
            detail: first_line(&e.to_string()),
        })
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    line.chars().take(200).collect()
}

/// Whether `pattern` selects `input` (a whole match). Patterns that cannot be evaluated
/// ([`pattern_problem`]) select nothing.
pub fn regex_full_match(pattern: &str, input: &str) -> bool {
    SelectionPattern::compile(pattern).is_ok_and(|p| p.matches_whole(input))
}

/// Why `pattern` cannot be evaluated, if it cannot (`default` is not a pattern).
pub fn pattern_problem(pattern: &str) -> Option<PatternProblem> {
    if pattern == "default" {
        return None;
    }
    SelectionPattern::compile(pattern).err()
}

/// Java's `.` without `DOTALL`: anything but a line terminator.
const JAVA_DOT: &str = r"[^\n\r\x{85}\x{2028}\x{2029}]";

/// Rewrites the Java constructs regex-lite spells differently: `\Q…\E` quoting, and `.`
/// (see the module docs). Everything else is passed through for regex-lite to accept or
/// refuse; the constructs it refuses are listed in the error.
fn translate_java(pattern: &str) -> Result<String, PatternProblem> {
    let translate_dot = !has_inline_flags(pattern);
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut class_depth = 0usize;
    // The previous character ended a quantifier (`*`, `+`, `?`, `{n,m}`) outside a class.
    let mut after_quantifier = false;
    let mut previous = None;
    while let Some(c) = chars.next() {
        let quantifier_before = std::mem::take(&mut after_quantifier);
        if class_depth == 0 && quantifier_before && c == '+' {
            // Java's possessive `*+`, `++`, `?+`, `{n}+`: regex-lite would read a nested
            // repetition, which matches where Java's never backtracking form does not.
            return Err(PatternProblem::Unsupported {
                detail: "possessive quantifiers such as `*+` are not supported".into(),
            });
        }
        if class_depth == 0 {
            after_quantifier = match c {
                '*' | '+' | '}' => true,
                // `(?` opens a group; `+?` is a lazy quantifier (nothing may follow).
                '?' => previous != Some('(') && !quantifier_before,
                _ => false,
            };
        }
        previous = Some(c);
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    return Err(PatternProblem::Unsupported {
                        detail: "it ends with a lone backslash".into(),
                    });
                };
                previous = Some(next);
                if next == 'Q' {
                    // Literal text up to `\E` (or the end of the pattern).
                    let mut literal = String::new();
                    while let Some(q) = chars.next() {
                        if q == '\\' && chars.peek() == Some(&'E') {
                            chars.next();
                            break;
                        }
                        literal.push(q);
                    }
                    out.push_str(&regex_lite::escape(&literal));
                } else {
                    out.push('\\');
                    out.push(next);
                }
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                // A `]` (or `^]`) right after the opening bracket is a literal in Java.
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str(r"\]");
                }
            }
            ']' if class_depth > 0 => {
                class_depth -= 1;
                out.push(']');
            }
            '.' if class_depth == 0 && translate_dot => out.push_str(JAVA_DOT),
            other => out.push(other),
        }
    }
    Ok(out)
}

/// True when the pattern has an inline flag group such as `(?s)` or `(?i:…)`.
fn has_inline_flags(pattern: &str) -> bool {
    pattern.match_indices("(?").any(|(at, _)| {
        pattern[at + 2..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_match_like_java_matches() {
        assert!(regex_full_match(r"2\d{2}", "204"));
        assert!(!regex_full_match(r"2\d{2}", "2040"));
        assert!(
            regex_full_match("a|ab", "ab"),
            "alternation must backtrack to a whole match"
        );
        assert!(!regex_full_match("abc", "xabcx"));
        assert!(regex_full_match(".*Not Found.*", "Item Not Found here"));
    }

    #[test]
    fn groups_are_regexes_not_literals() {
        assert!(regex_full_match(r"(\n|.)+", "line one\nline two"));
        assert!(regex_full_match("(4|5)\\d\\d", "503"));
        assert!(!regex_full_match("(4|5)\\d\\d", "(4|5)\\d\\d"));
        assert!(regex_full_match(r"Malformed.*", "Malformed input ..."));
    }

    #[test]
    fn java_dot_stops_at_every_line_terminator() {
        assert!(!regex_full_match(".+", "a\nb"));
        assert!(!regex_full_match(".+", "a\rb"));
        assert!(!regex_full_match(".+", "a\u{2028}b"));
        assert!(regex_full_match("(?s).+", "a\nb"));
        assert!(regex_full_match("[.]", "."));
        assert!(!regex_full_match("[.]", "x"));
    }

    #[test]
    fn quoting_and_bracket_literals() {
        assert!(regex_full_match(r"\Q(a+)\E.*", "(a+) and more"));
        assert!(!regex_full_match(r"\Q(a+)\E", "aa"));
        assert!(regex_full_match("[]a]+", "]a]"));
    }

    #[test]
    fn an_unbalanced_parenthesis_cannot_escape_the_anchors() {
        assert!(pattern_problem("a)|(b").is_some());
        assert!(!regex_full_match("a)|(b", "xb"));
        assert!(!regex_full_match("a)|(b", "a)|(b"));
    }

    #[test]
    fn long_and_nested_patterns_are_refused_not_crashed() {
        let long = "a".repeat(100 * 1024);
        assert_eq!(
            pattern_problem(&long),
            Some(PatternProblem::TooLong { bytes: 100 * 1024 })
        );
        assert!(!regex_full_match(&long, &long));
        let nested = format!("{}a{}", "(".repeat(4000), ")".repeat(4000));
        assert!(matches!(
            pattern_problem(&nested),
            Some(PatternProblem::Unsupported { .. })
        ));
        // At the cap: compiled and evaluated.
        let at_cap = "a?".repeat(MAX_PATTERN_BYTES / 4) + &"a".repeat(MAX_PATTERN_BYTES / 4);
        assert!(at_cap.len() <= MAX_PATTERN_BYTES);
        assert!(regex_full_match(
            &at_cap,
            &"a".repeat(MAX_PATTERN_BYTES / 4)
        ));
    }

    #[test]
    fn catastrophic_backtracking_is_linear() {
        let start = std::time::Instant::now();
        let input = "a".repeat(5_000) + "!";
        assert!(!regex_full_match("(a*)*b", &input));
        assert!(!regex_full_match("(a|aa)+", &input));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn java_syntax_regex_lite_lacks_is_reported() {
        for p in [r"(?=a)a", r"(a)\1", r"a*+", r"\p{Lu}", "abc\\"] {
            assert!(
                matches!(pattern_problem(p), Some(PatternProblem::Unsupported { .. })),
                "{p}"
            );
        }
        assert_eq!(pattern_problem("default"), None);
        let msg = pattern_problem(&"x".repeat(9000)).map(|p| p.to_string());
        assert_eq!(
            msg.as_deref(),
            Some("is 9000 bytes long, more than the 8192 cors-doctor evaluates")
        );
    }
}
