//! The keymap's tests: defaults, overrides, rebinding per screen, footer and help.

use super::*;
use ratatui::crossterm::event::KeyModifiers;

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
fn rebinding_a_key_affects_only_that_actions_screens() {
    let tui: toml::Table = toml::from_str("[keys]\nfilter = \"e\"").unwrap();
    let (km, problems) = Keymap::from_config(&tui);
    assert!(problems.is_empty(), "{problems:?}");
    let e = key(KeyCode::Char('e'), KeyModifiers::NONE);
    // The explorer's filter is on e now; the diagnosis keeps e for the evidence.
    assert_eq!(km.action(Context::Explorer, &e), Some(Action::Filter));
    assert_eq!(km.action(Context::Main, &e), Some(Action::Evidence));
    assert_eq!(km.action(Context::Learn, &e), Some(Action::Evidence));
    assert!(km
        .footer(Context::Main)
        .iter()
        .any(|i| i.key == "e" && i.hint == "evidence"));
    assert_eq!(
        km.action(
            Context::Explorer,
            &key(KeyCode::Char('/'), KeyModifiers::NONE)
        ),
        None
    );

    // A key two screens share moves only where the rebound action applies: `q` for
    // rerun (diagnosis only) leaves q quitting the picker, the explorer and learn.
    let tui: toml::Table = toml::from_str("[keys]\nrerun = \"q\"").unwrap();
    let (km, _) = Keymap::from_config(&tui);
    let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(km.action(Context::Main, &q), Some(Action::Rerun));
    for c in [
        Context::Demo,
        Context::Explorer,
        Context::Learn,
        Context::Evidence,
    ] {
        assert_eq!(km.action(c, &q), Some(Action::Quit), "{c:?}");
    }
    // Quit keeps its other key on the diagnosis.
    assert_eq!(
        km.action(
            Context::Main,
            &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
        ),
        Some(Action::Quit)
    );
    let quit_rows = km.help(Context::Main);
    assert!(
        quit_rows
            .iter()
            .any(|(k, _, a)| *a == "quit" && k == "ctrl-c"),
        "{quit_rows:?}"
    );
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
    for item in km.footer(Context::Main) {
        assert!(
            km.help(Context::Main)
                .iter()
                .any(|(keys, h, action)| (*h == item.hint || *action == "help")
                    && keys.split(' ').any(|k| k == item.key)),
            "{item:?}"
        );
    }
}
