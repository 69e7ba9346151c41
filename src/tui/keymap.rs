//! Raw key events → actions, as a pure function over one table. The footer hints and the help
//! overlay are built from the same table, so they cannot drift. Users rebind keys in the config:
//!
//! ```toml
//! [tui.keys]
//! quit = "x"                  # one key
//! evidence = ["e", "ctrl-e"]  # or several
//! ```

use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use serde::{Deserialize, Serialize};

pub use super::keyspec::{KeySpec, KeySpecError};

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
    /// The diagnosis after the proposed fix, beside the one before (issue 14).
    Preview,
    /// The path of each exchange, drawn (issue 18): the hops, who answered, where the
    /// browser blocked.
    Flow,
    /// Show the fixes in the next flavour (AWS CLI, CloudFormation, SAM, CDK, Terraform).
    FixFormat,
    /// Apply the diagnosis's fixes (a confirmation modal first).
    Apply,
    CopyCurl,
    /// Write the last copied text to a file (where the clipboard cannot be reached).
    WriteCopy,
    Filter,
    EditTarget,
    /// Open the account audit screen (and run the audit when none is held).
    Audit,
    /// The audit table: open the selected API in the explorer.
    Open,
    /// The audit table: sort by the next column.
    Sort,
    /// The audit table: reverse the sort order.
    SortReverse,
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
            Action::Preview => "preview",
            Action::Flow => "flow",
            Action::FixFormat => "fix-format",
            Action::Apply => "apply",
            Action::CopyCurl => "copy-curl",
            Action::WriteCopy => "write-copy",
            Action::Filter => "filter",
            Action::EditTarget => "edit-target",
            Action::Audit => "audit",
            Action::Open => "open",
            Action::Sort => "sort",
            Action::SortReverse => "sort-reverse",
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
    Audit,
}

/// One row of the keymap table.
#[derive(Clone, Debug)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<KeySpec>,
    /// The short label in the footer and the help overlay.
    pub hint: &'static str,
    /// Where it applies.
    pub contexts: Vec<Context>,
    /// Shown in the footer (the help overlay shows every binding).
    pub in_footer: bool,
}

use Context::*;
const ALL: &[Context] = &[Form, Demo, Main, Evidence, Learn, Explorer, Audit];
const LISTS: &[Context] = &[Demo, Main, Evidence, Learn, Explorer, Audit];
const DIAG: &[Context] = &[Main, Evidence];

fn defaults() -> Vec<Binding> {
    use KeyCode as K;
    let b = |action, keys: Vec<KeySpec>, hint, contexts: &[Context], in_footer| Binding {
        action,
        keys,
        hint,
        contexts: contexts.to_vec(),
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
            &[Form, Main, Evidence, Learn, Explorer],
            true,
        ),
        b(
            Action::PrevPane,
            vec![k(K::BackTab), k(K::Left)],
            "pane back",
            &[Form, Main, Evidence, Learn, Explorer],
            false,
        ),
        b(
            Action::Select,
            vec![k(K::Enter)],
            "run",
            &[Form, Demo, Explorer],
            true,
        ),
        b(
            Action::Open,
            vec![k(K::Enter)],
            "open in explorer",
            &[Audit],
            true,
        ),
        b(Action::Back, vec![k(K::Esc)], "back", ALL, true),
        b(Action::Rerun, vec![c('r')], "rerun", &[Main, Audit], true),
        b(Action::Sort, vec![c('s')], "sort", &[Audit], true),
        b(
            Action::SortReverse,
            vec![c('S')],
            "reverse sort",
            &[Audit],
            false,
        ),
        b(
            Action::Audit,
            vec![k(K::F(3)), c('A')],
            "account audit",
            &[Form, Demo, Main, Explorer],
            false,
        ),
        b(Action::RerunAll, vec![c('R')], "rerun all", DIAG, true),
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
        b(
            Action::Learn,
            vec![c('l')],
            "learn",
            &[Demo, Main, Evidence, Explorer],
            true,
        ),
        b(Action::Copy, vec![c('y')], "copy fix", DIAG, true),
        b(Action::Preview, vec![c('p')], "preview fix", DIAG, false),
        b(Action::Flow, vec![c('v')], "flow", DIAG, false),
        b(Action::FixFormat, vec![c('f')], "fix form", DIAG, false),
        b(Action::Apply, vec![c('a')], "apply fix", DIAG, false),
        b(Action::CopyCurl, vec![c('c')], "copy curl", DIAG, true),
        b(Action::WriteCopy, vec![c('w')], "copy to file", DIAG, false),
        b(
            Action::Filter,
            vec![c('/')],
            "filter",
            &[Explorer, Audit],
            true,
        ),
        b(Action::EditTarget, vec![c('o')], "edit target", DIAG, false),
        b(Action::Help, vec![c('?'), k(K::F(1))], "help", ALL, true),
        b(
            Action::Quit,
            vec![c('q'), KeySpec::ctrl('c')],
            "quit",
            LISTS,
            true,
        ),
    ]
}

/// One hint in the footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FooterItem {
    pub key: String,
    pub hint: &'static str,
    /// Shown whatever the width (learn, and `? more`).
    pub always: bool,
}

/// The footer's order, most useful first; on a narrow terminal the last ones give way (the
/// `?` overlay lists them all).
fn footer_rank(action: Action) -> u8 {
    match action {
        Action::Select | Action::Open => 0,
        Action::Copy => 1,
        Action::Evidence => 2,
        Action::Rerun => 3,
        Action::Filter => 4,
        Action::Back => 5,
        Action::CopyCurl => 6,
        Action::Tree => 7,
        Action::RerunAll => 8,
        Action::Chromium => 9,
        Action::NextPane => 10,
        Action::Quit => 11,
        Action::Learn => 20,
        Action::Help => 21,
        _ => 15,
    }
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

    /// Gives `action` these keys. Another action loses them only on the screens where
    /// `action` applies (rebinding `filter`, an explorer key, leaves the diagnosis's keys
    /// alone): its binding is split into the screens that keep the key and those that
    /// do not.
    pub fn rebind(&mut self, action: Action, keys: Vec<KeySpec>) {
        let Some(target) = self.bindings.iter().position(|b| b.action == action) else {
            return;
        };
        let screens = self.bindings[target].contexts.clone();
        let mut out = Vec::with_capacity(self.bindings.len() + 2);
        for (i, b) in std::mem::take(&mut self.bindings).into_iter().enumerate() {
            if i == target {
                out.push(Binding {
                    keys: keys.clone(),
                    ..b
                });
                continue;
            }
            let clash = b.action != action && b.keys.iter().any(|k| keys.contains(k));
            let (shared, apart): (Vec<Context>, Vec<Context>) =
                b.contexts.iter().partition(|c| screens.contains(c));
            if !clash || shared.is_empty() {
                out.push(b);
                continue;
            }
            if !apart.is_empty() {
                out.push(Binding {
                    contexts: apart,
                    ..b.clone()
                });
            }
            let mut keys_left = b.keys.clone();
            keys_left.retain(|k| !keys.contains(k));
            out.push(Binding {
                keys: keys_left,
                contexts: shared,
                ..b
            });
        }
        self.bindings = out;
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

    /// Footer items for `context`, most useful first: (first key that works there, hint,
    /// kept even when the footer is short of room). In the form, plain characters are typed
    /// into the fields, so a binding shows its first other key. Learn and help (`? more`,
    /// which lists every key of the screen) are always kept, help last.
    pub fn footer(&self, context: Context) -> Vec<FooterItem> {
        let works = |k: &&KeySpec| context != Context::Form || !k.is_typed_text();
        let mut items: Vec<(u8, FooterItem)> = self
            .bindings(context)
            .filter(|b| b.in_footer)
            .filter_map(|b| {
                let key = b.keys.iter().find(works)?.to_string();
                let (hint, always) = match b.action {
                    Action::Help => ("more", true),
                    Action::Learn => (b.hint, true),
                    _ => (b.hint, false),
                };
                Some((footer_rank(b.action), FooterItem { key, hint, always }))
            })
            .collect();
        items.sort_by_key(|(rank, _)| *rank);
        items.into_iter().map(|(_, item)| item).collect()
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
#[path = "keymap_tests.rs"]
mod tests;
