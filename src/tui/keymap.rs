//! Raw key events → actions, as a pure function over one table. The footer hints and the help
//! overlay are built from the same table, so they cannot drift. Users rebind keys in the config:
//!
//! ```toml
//! [tui.keys]
//! quit = "x"                  # one key
//! evidence = ["e", "ctrl-e"]  # or several
//! ```

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::{Deserialize, Serialize};

/// What the user wants, independent of the key that asked for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Quit,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NextPane,
    PrevPane,
    Select,
    Back,
    Rerun,
    RerunAll,
    /// Rerun with the real Chromium retest (step 7).
    Chromium,
    Evidence,
    Tree,
    Learn,
    Copy,
    CopyCurl,
    /// Write the last copied text to a file (where the clipboard cannot be reached).
    WriteCopy,
    Filter,
    EditTarget,
    // The target form's editing keys (typed characters go into the field).
    /// The next field or header row.
    FieldNext,
    /// The previous field or header row.
    FieldPrev,
    CursorLeft,
    CursorRight,
    LineStart,
    LineEnd,
    DeleteBack,
    DeleteForward,
    ClearField,
    AddHeader,
    RemoveHeader,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page-up",
            Action::PageDown => "page-down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::NextPane => "next-pane",
            Action::PrevPane => "prev-pane",
            Action::Select => "select",
            Action::Back => "back",
            Action::Rerun => "rerun",
            Action::RerunAll => "rerun-all",
            Action::Chromium => "chromium",
            Action::Evidence => "evidence",
            Action::Tree => "tree",
            Action::Learn => "learn",
            Action::Copy => "copy",
            Action::CopyCurl => "copy-curl",
            Action::WriteCopy => "write-copy",
            Action::Filter => "filter",
            Action::EditTarget => "edit-target",
            Action::FieldNext => "field-next",
            Action::FieldPrev => "field-prev",
            Action::CursorLeft => "cursor-left",
            Action::CursorRight => "cursor-right",
            Action::LineStart => "line-start",
            Action::LineEnd => "line-end",
            Action::DeleteBack => "delete-back",
            Action::DeleteForward => "delete-forward",
            Action::ClearField => "clear-field",
            Action::AddHeader => "add-header",
            Action::RemoveHeader => "remove-header",
        }
    }
}

/// Where the user is: decides which bindings apply and which the footer shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Form,
    Demo,
    Main,
    Evidence,
    Learn,
    Explorer,
}

/// A key with its modifiers, as written in the config: `q`, `R`, `ctrl-c`, `enter`, `S-tab`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeySpec {
    /// A plain character, which a text field takes as input.
    pub fn is_typed_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl && !self.alt
    }

    pub const fn char(c: char) -> Self {
        KeySpec {
            code: KeyCode::Char(c),
            ctrl: false,
            alt: false,
        }
    }
    pub const fn code(code: KeyCode) -> Self {
        KeySpec {
            code,
            ctrl: false,
            alt: false,
        }
    }
    pub const fn ctrl(c: char) -> Self {
        KeySpec {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// Parses `q`, `R`, `?`, `ctrl-c`, `alt-x`, `enter`, `esc`, `tab`, `backtab`, `up`, `pgdn`…
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.chars().count() > 2 && (lower.starts_with("ctrl-") || lower.starts_with("c-")) {
                ctrl = true;
                rest = &rest[rest.find('-').map_or(0, |i| i + 1)..];
            } else if rest.chars().count() > 2
                && (lower.starts_with("alt-") || lower.starts_with("a-"))
            {
                alt = true;
                rest = &rest[rest.find('-').map_or(0, |i| i + 1)..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" | "shift-tab" | "s-tab" => KeyCode::BackTab,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                other => {
                    if let Some(n) = other.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                        KeyCode::F(n)
                    } else {
                        return Err(format!("unknown key '{s}'"));
                    }
                }
            },
        };
        Ok(KeySpec { code, ctrl, alt })
    }

    /// Does this raw event press this key? Shift is implied by the character (`R`, `?`).
    pub fn matches(&self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        if ctrl != self.ctrl || alt != self.alt {
            return false;
        }
        match (self.code, key.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) if self.ctrl => a.eq_ignore_ascii_case(&b),
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("S-tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("del"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One row of the keymap table.
#[derive(Clone, Debug)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<KeySpec>,
    /// The short label in the footer and the help overlay.
    pub hint: &'static str,
    /// Where it applies.
    pub contexts: &'static [Context],
    /// Shown in the footer (the help overlay shows every binding).
    pub in_footer: bool,
}

use Context::*;
const ALL: &[Context] = &[Form, Demo, Main, Evidence, Learn, Explorer];
const LISTS: &[Context] = &[Demo, Main, Evidence, Learn, Explorer];
const VIEWS: &[Context] = &[Main, Evidence, Learn, Explorer];
const DIAG: &[Context] = &[Main, Evidence];

fn defaults() -> Vec<Binding> {
    use KeyCode as K;
    let b = |action, keys: Vec<KeySpec>, hint, contexts, in_footer| Binding {
        action,
        keys,
        hint,
        contexts,
        in_footer,
    };
    let c = KeySpec::char;
    let k = KeySpec::code;
    // The form's editing keys come first: in the form, → moves the cursor (elsewhere it
    // switches panes).
    let form = |action, keys, hint, in_footer| b(action, keys, hint, &[Form], in_footer);
    vec![
        form(Action::FieldNext, vec![k(K::Down)], "next field", false),
        form(Action::FieldPrev, vec![k(K::Up)], "prev field", false),
        form(Action::CursorLeft, vec![k(K::Left)], "← / choice", false),
        form(Action::CursorRight, vec![k(K::Right)], "→ / choice", false),
        form(
            Action::LineStart,
            vec![k(K::Home), KeySpec::ctrl('a')],
            "line start",
            false,
        ),
        form(
            Action::LineEnd,
            vec![k(K::End), KeySpec::ctrl('e')],
            "line end",
            false,
        ),
        form(Action::DeleteBack, vec![k(K::Backspace)], "delete ←", false),
        form(Action::DeleteForward, vec![k(K::Delete)], "delete →", false),
        form(
            Action::ClearField,
            vec![KeySpec::ctrl('u')],
            "clear field",
            false,
        ),
        form(
            Action::AddHeader,
            vec![KeySpec::ctrl('n')],
            "add header",
            false,
        ),
        form(
            Action::RemoveHeader,
            vec![KeySpec::ctrl('d')],
            "remove header",
            false,
        ),
        b(Action::Up, vec![c('k'), k(K::Up)], "up", LISTS, false),
        b(Action::Down, vec![c('j'), k(K::Down)], "down", LISTS, false),
        b(
            Action::PageUp,
            vec![k(K::PageUp), KeySpec::ctrl('u')],
            "page up",
            LISTS,
            false,
        ),
        b(
            Action::PageDown,
            vec![k(K::PageDown), KeySpec::ctrl('d')],
            "page down",
            LISTS,
            false,
        ),
        b(Action::Top, vec![c('g'), k(K::Home)], "top", LISTS, false),
        b(
            Action::Bottom,
            vec![c('G'), k(K::End)],
            "bottom",
            LISTS,
            false,
        ),
        b(
            Action::NextPane,
            vec![k(K::Tab), k(K::Right)],
            "pane",
            &[Form, Main, Evidence, Learn],
            true,
        ),
        b(
            Action::PrevPane,
            vec![k(K::BackTab), k(K::Left)],
            "pane back",
            &[Form, Main, Evidence, Learn],
            false,
        ),
        b(
            Action::Select,
            vec![k(K::Enter)],
            "run",
            &[Form, Demo, Explorer],
            true,
        ),
        b(Action::Back, vec![k(K::Esc)], "back", ALL, true),
        b(Action::Rerun, vec![c('r')], "rerun", &[Main], true),
        b(Action::RerunAll, vec![c('R')], "rerun all", DIAG, false),
        b(Action::Chromium, vec![c('b')], "Chromium", DIAG, true),
        b(
            Action::Evidence,
            vec![c('e')],
            "evidence",
            &[Main, Learn],
            true,
        ),
        b(
            Action::Tree,
            vec![c('t')],
            "API explorer",
            &[Main, Evidence, Explorer],
            true,
        ),
        b(Action::Learn, vec![c('l')], "learn", DIAG, true),
        b(Action::Copy, vec![c('y')], "copy fix", DIAG, true),
        b(Action::CopyCurl, vec![c('c')], "copy curl", DIAG, true),
        b(Action::WriteCopy, vec![c('w')], "copy to file", DIAG, false),
        b(Action::Filter, vec![c('/')], "filter", &[Explorer], true),
        b(Action::EditTarget, vec![c('o')], "edit target", DIAG, false),
        b(Action::Help, vec![c('?'), k(K::F(1))], "help", ALL, true),
        b(
            Action::Quit,
            vec![c('q'), KeySpec::ctrl('c')],
            "quit",
            VIEWS,
            true,
        ),
    ]
}

/// The keymap: the default table with the user's overrides merged in.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: defaults(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl Keymap {
    /// Merges `[tui.keys]` (action = key or a list of keys) over the defaults. Unknown actions or keys
    /// are reported, and the rest still applies.
    pub fn from_config(tui: &toml::Table) -> (Keymap, Vec<String>) {
        let mut keymap = Keymap::default();
        let mut problems = Vec::new();
        let Some(keys) = tui.get("keys") else {
            return (keymap, problems);
        };
        let table: BTreeMap<String, toml::Value> = match keys.clone().try_into() {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("[tui.keys] must be a table: {e}"));
                return (keymap, problems);
            }
        };
        for (name, value) in table {
            let action: Action =
                match serde::Deserialize::deserialize(toml::Value::String(name.clone())) {
                    Ok(a) => a,
                    Err(_) => {
                        problems.push(format!("[tui.keys] unknown action '{name}'"));
                        continue;
                    }
                };
            let specs = match value.try_into::<OneOrMany>() {
                Ok(OneOrMany::One(s)) => vec![s],
                Ok(OneOrMany::Many(v)) => v,
                Err(_) => {
                    problems.push(format!(
                        "[tui.keys] {name}: expected a key or a list of keys"
                    ));
                    continue;
                }
            };
            let mut parsed = Vec::new();
            for s in &specs {
                match KeySpec::parse(s) {
                    Ok(k) => parsed.push(k),
                    Err(e) => problems.push(format!("[tui.keys] {name}: {e}")),
                }
            }
            if parsed.is_empty() {
                continue;
            }
            keymap.rebind(action, parsed);
        }
        (keymap, problems)
    }

    /// Gives `action` these keys; they are taken away from any other action that had them.
    pub fn rebind(&mut self, action: Action, keys: Vec<KeySpec>) {
        for b in &mut self.bindings {
            if b.action != action {
                b.keys.retain(|k| !keys.contains(k));
            }
        }
        if let Some(b) = self.bindings.iter_mut().find(|b| b.action == action) {
            b.keys = keys;
        }
    }

    /// The action a key press means here, if any.
    pub fn action(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        self.bindings
            .iter()
            .filter(|b| b.contexts.contains(&context))
            .find(|b| b.keys.iter().any(|k| k.matches(key)))
            .map(|b| b.action)
    }

    /// The bindings that apply in `context`, in table order.
    pub fn bindings(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings
            .iter()
            .filter(move |b| b.contexts.contains(&context))
    }

    /// The first key bound to `action`, for hints in prose ("press e for the evidence").
    pub fn key_for(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(KeySpec::to_string)
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// Footer items for `context`: (first key that works there, hint). In the form, plain
    /// characters are typed into the fields, so a binding shows its first other key.
    pub fn footer(&self, context: Context) -> Vec<(String, &'static str)> {
        let works = |k: &&KeySpec| context != Context::Form || !k.is_typed_text();
        self.bindings(context)
            .filter(|b| b.in_footer)
            .filter_map(|b| b.keys.iter().find(works).map(|k| (k.to_string(), b.hint)))
            .collect()
    }

    /// Help rows for `context`: (all keys, hint, action name). A key an earlier binding
    /// takes in this context (→ moves the cursor in the form) is not listed again.
    pub fn help(&self, context: Context) -> Vec<(String, &'static str, &'static str)> {
        let mut taken: Vec<KeySpec> = Vec::new();
        self.bindings(context)
            .filter_map(|b| {
                let keys: Vec<KeySpec> = b
                    .keys
                    .iter()
                    .filter(|k| !taken.contains(k))
                    .copied()
                    .collect();
                taken.extend(keys.iter().copied());
                if keys.is_empty() {
                    return None;
                }
                let keys: Vec<String> = keys.iter().map(KeySpec::to_string).collect();
                Some((keys.join(" "), b.hint, b.action.name()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn defaults_map_vim_and_arrows() {
        let km = Keymap::default();
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.action(Context::Main, &key(KeyCode::Char('j'), none)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(Context::Main, &key(KeyCode::Down, none)),
            Some(Action::Down)
        );
        assert_eq!(
            km.action(Context::Main, &key(KeyCode::Char('R'), KeyModifiers::SHIFT)),
            Some(Action::RerunAll)
        );
        assert_eq!(
            km.action(
                Context::Main,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action(Context::Main, &key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevPane)
        );
        assert_eq!(
            km.action(Context::Form, &key(KeyCode::Char('q'), none)),
            None
        );
    }

    #[test]
    fn user_overrides_merge_on_defaults() {
        let tui: toml::Table = toml::from_str(
            "[keys]\nquit = \"x\"\nevidence = [\"E\", \"ctrl-e\"]\nnope = \"z\"\nhelp = \"ctrl-\"",
        )
        .unwrap();
        let (km, problems) = Keymap::from_config(&tui);
        let none = KeyModifiers::NONE;
        assert_eq!(
            km.action(Context::Main, &key(KeyCode::Char('x'), none)),
            Some(Action::Quit)
        );
        assert_eq!(
            km.action(Context::Main, &key(KeyCode::Char('q'), none)),
            None
        );
        assert_eq!(
            km.action(
                Context::Main,
                &key(KeyCode::Char('e'), KeyModifiers::CONTROL)
            ),
            Some(Action::Evidence)
        );
        assert_eq!(
            km.action(Context::Main, &key(KeyCode::Char('j'), none)),
            Some(Action::Down)
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("nope")));
        assert!(problems.iter().any(|p| p.contains("help")));
    }

    #[test]
    fn the_form_edits_through_the_keymap() {
        let km = Keymap::default();
        let none = KeyModifiers::NONE;
        let form = |code, m| km.action(Context::Form, &key(code, m));
        assert_eq!(form(KeyCode::Right, none), Some(Action::CursorRight));
        assert_eq!(form(KeyCode::Tab, none), Some(Action::NextPane));
        assert_eq!(form(KeyCode::Down, none), Some(Action::FieldNext));
        assert_eq!(form(KeyCode::Backspace, none), Some(Action::DeleteBack));
        assert_eq!(
            form(KeyCode::Char('n'), KeyModifiers::CONTROL),
            Some(Action::AddHeader)
        );
        // Elsewhere → still switches panes.
        assert_eq!(
            km.action(Context::Main, &key(KeyCode::Right, none)),
            Some(Action::NextPane)
        );
        // Help lists → once in the form: for the cursor.
        let help = km.help(Context::Form);
        let next_pane = help.iter().find(|(_, _, a)| *a == "next-pane").unwrap();
        assert_eq!(next_pane.0, "tab");
        // Rebinding a form key works like any other.
        let tui: toml::Table = toml::from_str("[keys]\nadd-header = \"ctrl-a\"").unwrap();
        let (km, problems) = Keymap::from_config(&tui);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            km.action(
                Context::Form,
                &key(KeyCode::Char('a'), KeyModifiers::CONTROL)
            ),
            Some(Action::AddHeader)
        );
    }

    #[test]
    fn footer_and_help_come_from_the_same_table() {
        let km = Keymap::default();
        for (key, hint) in km.footer(Context::Main) {
            assert!(
                km.help(Context::Main)
                    .iter()
                    .any(|(keys, h, _)| *h == hint && keys.split(' ').any(|k| k == key)),
                "{key} {hint}"
            );
        }
    }
}
