//! Display-safe text: quoting what a user typed or a server sent without flooding or
//! hijacking the terminal. A leaf module (it imports nothing from the crate), so that the
//! lowest layers (`http`, `target`) can use it; `redact` re-exports it.

/// At most `max` characters of `input` (for messages that quote what the user typed), with
/// how long it was when it is cut.
pub fn shorten(input: &str, max: usize) -> String {
    if input.chars().count() <= max {
        return input.to_string();
    }
    let head: String = input.chars().take(max).collect();
    format!("{head}… ({} bytes)", input.len())
}

/// Escapes control characters (C0 except line feed and tab, DEL, and C1) as `\u{..}`, so that
/// text a server sent cannot move the cursor, recolour or retitle the terminal.
pub fn escape_controls(input: &str) -> String {
    if !input.chars().any(is_escaped_control) {
        return input.to_string();
    }
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        if is_escaped_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_escaped_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || ('\u{80}'..='\u{9f}').contains(&c)
}
