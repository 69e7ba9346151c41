//! Layout at several sizes: every scenario's main screen, the detail pane and its scrolling, small
//! terminals, Esc and q.

use super::*;

/// The picker, on the simulator's scenarios.
pub(super) async fn picker_ui(w: u16, h: u16) -> Ui {
    let mut opts = options(StartMode::Demo, TargetArgs::default());
    opts.catalog = Arc::new(SimCatalog);
    opts.source = Arc::new(|plan| app::config_source(plan).map_err(|e| e.0));
    Ui::new(w, h, opts).await
}

/// The main screen of every scenario at 80×24, 100×30 and 160×48, as a user first sees it.
#[tokio::test]
pub(super) async fn every_scenario_main_screen_at_three_sizes() {
    let names = cors_doctor::gateway::scenario::Scenario::names();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        for (w, h) in [(80u16, 24u16), (100, 30), (160, 48)] {
            let (mut ui, _sim) = scenario_ui(name, w, h).await;
            assert_eq!(ui.state.screen, Screen::Main);
            let screen = ui.screen();
            snapshot(&format!("scenario_{name}_{w}x{h}"), &screen);
        }
    }
}

/// The lines the selected step's detail pane shows (inside its border).
pub(super) fn detail_pane(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.starts_with("┌ Step "))
        .expect("a detail pane");
    lines[top + 1..]
        .iter()
        .take_while(|l| l.starts_with('│'))
        .map(|l| l.to_string())
        .collect()
}

/// At 80×24 the failing step's cause (its first finding: most specific first) and its fix are
/// on the first screen, without a key pressed; the detail says how much more there is.
#[tokio::test]
pub(super) async fn the_cause_and_the_fix_are_above_the_fold() {
    for name in [
        "header-declared-not-mapped",
        "options-missing",
        "options-cognito-authorizer",
    ] {
        let (mut ui, _sim) = scenario_ui(name, 80, 24).await;
        let d = ui.state.diag.as_ref().unwrap();
        let report = d.report.as_ref().unwrap();
        let first = report.first_failing_step.expect("a failing step");
        assert_eq!(ui.state.selected_step_number(), first);
        let cause = report.step(first).unwrap().findings[0].clone();
        if name == "header-declared-not-mapped" {
            // The root cause, not the symptom (PREFLIGHT_CORS_HEADERS).
            assert_eq!(cause.code.as_str(), "HEADER_NOT_MAPPED");
        }
        let fix = cause.remediation.clone().expect("a fix");
        let screen = ui.screen();
        let detail = detail_pane(&screen).join("\n");
        assert!(
            detail.contains(&format!("Cause {}", cause.code.as_str())),
            "{name}:\n{screen}"
        );
        // The fix's first words (the rest may wrap).
        let start: String = fix
            .text
            .split_whitespace()
            .take(4)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            detail.contains(&format!("Fix {start}")),
            "{name}:\n{screen}"
        );
        assert!(screen.contains("y copies"), "{name}:\n{screen}");
        // More below: a position in the border.
        assert!(screen.contains(" of "), "{name}:\n{screen}");
    }
}

/// `j` and the wheel never scroll into blank space; `G`/End reach the real end, where the
/// last line of the detail is on the pane's last row.
#[tokio::test]
pub(super) async fn the_detail_scrolls_to_its_real_end_and_no_further() {
    use ratatui::crossterm::event::{MouseEvent, MouseEventKind};
    let (mut ui, _sim) = scenario_ui("header-declared-not-mapped", 80, 24).await;
    let max = tui::view::main_detail_max_scroll(&ui.state);
    assert!(max > 0, "the detail does not fit at 80×24");
    ui.press("tab G").await;
    assert_eq!(ui.state.steps.scroll, max);
    let at_end = detail_pane(&ui.screen());
    assert!(
        at_end
            .last()
            .is_some_and(|l| !l.trim_matches(['│', ' ', '█']).is_empty()),
        "the last row shows text: {at_end:#?}"
    );
    assert!(
        ui.screen().contains(&format!(
            "of {} ↑",
            usize::from(max) + {
                // The rows of the scrolled region: the pane's rows less what is pinned.
                let pane = detail_pane(&ui.screen()).len();
                let pinned = at_end
                    .iter()
                    .position(|l| l.starts_with("│───"))
                    .map_or(0, |p| p + 1);
                pane - pinned
            }
        )),
        "{}",
        ui.screen()
    );
    ui.press("j j j j j end pgdn").await;
    assert_eq!(
        ui.state.steps.scroll, max,
        "j, End and PageDown stop at the end"
    );
    assert_eq!(detail_pane(&ui.screen()), at_end);
    let detail = tui::layout::main(ui.state.size).detail;
    for _ in 0..20 {
        ui.state.update(Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: detail.x + 3,
            row: detail.y + 3,
            modifiers: KeyModifiers::NONE,
        }));
    }
    assert_eq!(ui.state.steps.scroll, max, "the wheel stops at the end too");
    ui.press("g").await;
    assert_eq!(ui.state.steps.scroll, 0);
    ui.press("k").await;
    assert_eq!(ui.state.steps.scroll, 0);
    // A taller terminal: the end comes closer, and the scroll follows it.
    ui.press("G").await;
    let before = ui.state.steps.scroll;
    ui.state.update(Msg::Resize(80, 60));
    let max = tui::view::main_detail_max_scroll(&ui.state);
    assert!(max < before, "{max} {before}");
    assert_eq!(ui.state.steps.scroll, max);
}

/// Below 60×20 a screen says the terminal is too small (never a pane of zero rows); keys
/// still work, and the UI comes back at a usable size.
#[tokio::test]
pub(super) async fn a_small_terminal_says_so() {
    let (mut ui, _sim) = scenario_ui("options-missing", 60, 16).await;
    ui.terminal = Terminal::new(TestBackend::new(60, 16)).unwrap();
    let screen = ui.screen();
    assert!(screen.contains("Terminal too small"), "{screen}");
    assert!(screen.contains("60×16"), "{screen}");
    assert!(screen.contains("60×20"), "{screen}");
    ui.state.update(Msg::Resize(80, 24));
    ui.terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let screen = ui.screen();
    assert!(
        screen.contains("▶3 ✘ FAIL") && screen.contains("Cause "),
        "{screen}"
    );
    ui.press("q").await;
    assert!(ui.state.quit);
}

/// One navigation model: Esc goes back exactly one level (diagnosis → picker → quit prompt),
/// `q` quits wherever nothing is typed, the breadcrumb says where you are.
#[tokio::test]
pub(super) async fn esc_goes_back_one_level_and_q_quits() {
    let mut ui = picker_ui(80, 24).await;
    assert_eq!(ui.state.screen, Screen::Demo);
    let screen = ui.screen();
    assert!(screen.starts_with("cors-doctor › Demo\n"), "{screen}");
    ui.press("j enter").await;
    assert_eq!(ui.state.screen, Screen::Main);
    let screen = ui.screen();
    assert!(
        screen.starts_with("cors-doctor › Demo › options-not-deployed › Step "),
        "{screen}"
    );
    // The scenario's title stays in view.
    assert!(
        screen.contains("OPTIONS added but not deployed"),
        "{screen}"
    );
    ui.press("e").await;
    assert_eq!(ui.state.screen, Screen::Evidence);
    assert!(ui.screen().lines().next().unwrap().contains("› Evidence x"));
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Main);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Demo);
    assert_eq!(ui.state.demo.list.sel, 1, "the picker keeps its place");
    ui.press("esc").await;
    assert!(ui.state.quit_prompt && !ui.state.quit);
    assert!(ui.screen().contains("Quit cors-doctor?"));
    ui.press("esc").await;
    assert!(!ui.state.quit_prompt && !ui.state.quit);
    assert_eq!(ui.state.screen, Screen::Demo);
    // Learn from the picker, and back.
    ui.press("l").await;
    assert_eq!(ui.state.screen, Screen::Learn);
    assert!(ui.screen().starts_with("cors-doctor › Demo › Learn"));
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Demo);
    // q quits from the picker.
    ui.press("q").await;
    assert!(ui.state.quit);

    // From the form: diagnosis → form → quit prompt, never back and forth.
    let server = options_missing().await;
    let url = format!("{}/prod/items", server.base_url());
    let args = target(&url);
    let plan = args.resolve(&Config::default()).unwrap();
    let mut ui = Ui::new(80, 24, options(StartMode::Diagnose(Box::new(plan)), args)).await;
    assert!(
        ui.screen()
            .starts_with("cors-doctor › Target › GET /prod/items › Step 3"),
        "{}",
        ui.screen()
    );
    ui.press("t").await;
    assert_eq!(ui.state.screen, Screen::Explorer);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Main);
    ui.press("esc").await;
    assert_eq!(ui.state.screen, Screen::Form);
    ui.press("esc").await;
    assert!(ui.state.quit_prompt);
    ui.press("enter").await;
    assert!(ui.state.quit);
}

/// At 80 columns the footer of every screen ends in `? more` and shows `l learn` (where
/// learn opens); the keys that do not fit are in the `?` overlay.
#[tokio::test]
pub(super) async fn the_footer_keeps_learn_and_more_at_80_columns() {
    let footer = |ui: &mut Ui| ui.screen().lines().last().unwrap_or_default().to_string();
    let mut ui = picker_ui(80, 24).await;
    let mut seen = Vec::new();
    let f = footer(&mut ui);
    assert!(f.ends_with("? more") && f.contains("l learn"), "{f}");
    seen.push(f);
    ui.press("enter").await;
    for keys in ["", "e", "esc t"] {
        ui.press(keys).await;
        let f = footer(&mut ui);
        assert!(f.ends_with("? more"), "{keys}: {f}");
        assert!(f.contains("l learn"), "{keys}: {f}");
        assert!(f.chars().count() <= 80, "{f}");
        seen.push(f);
    }
    // The diagnosis's footer keeps the copy and the evidence keys too.
    assert!(
        seen[1].contains("y copy fix") && seen[1].contains("e evidence"),
        "{seen:#?}"
    );
    ui.press("esc ?").await;
    let help = ui.screen();
    // At 80×24 the overlay lists the keys in two columns, by their hints.
    for key in [
        "copy curl",
        "API explorer",
        "rerun all",
        "learn",
        "quit",
        "preview fix",
    ] {
        assert!(help.contains(key), "{key}:\n{help}");
    }
}
