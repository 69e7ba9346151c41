//! The main view: the verdict line, the seven steps and the selected step's detail. The
//! detail pins the cause and its fix (the first finding of the step, most specific first) at
//! its top; the rest of the detail scrolls beneath, with a scrollbar and its position.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

use super::evidence::exchange_summary;
use super::{draw_scrolled, framed};
use crate::cors::Outcome;
use crate::diagnose::{Severity, StepStatus, STEPS};
use crate::tui::inspect::{self, Mark};
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::state::{AppState, Diagnosis, Pane, Phase, StepState};
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::main(f.area());
    let Some(d) = &s.diag else {
        return;
    };
    f.render_widget(
        Paragraph::new(verdict_line(d, s.tick, theme)).wrap(Wrap { trim: true }),
        areas.verdict,
    );

    draw_steps(f, &areas, s, d, theme);

    let title = detail_title(s, d);
    let inner = framed(f, areas.detail, &title, s.steps.pane == Pane::Detail, theme);
    let detail = step_detail(s, d, theme);
    let split = split_detail(inner, &detail);
    if let Some(pinned) = split.pinned {
        f.render_widget(
            Paragraph::new(detail.pinned.clone()).wrap(Wrap { trim: false }),
            pinned,
        );
    }
    if let Some(rule) = split.rule {
        f.render_widget(
            Paragraph::new(Line::styled(
                "─".repeat(usize::from(rule.width)),
                theme.dim(),
            )),
            rule,
        );
    }
    let body = if split.pinned.is_some() {
        detail.body
    } else {
        let mut all = detail.pinned;
        all.extend(detail.body);
        all
    };
    draw_scrolled(
        f,
        areas.detail,
        split.region,
        Text::from(body),
        s.steps.scroll,
        theme,
    );
}

/// Short step titles, for the compact list (the learn topics use the same words).
const SHORT_TITLES: [&str; 7] = [
    "browser-only?",
    "preflight",
    "OPTIONS exists",
    "OPTIONS not authorized",
    "CORS headers",
    "gateway responses",
    "browser retest",
];

/// The seven steps: one row each with the full title, or (compact) two columns of short
/// titles.
fn draw_steps(f: &mut Frame, areas: &layout::Main, s: &AppState, d: &Diagnosis, theme: &Theme) {
    let focused = s.steps.pane == Pane::List;
    let compact = areas.steps == layout::StepsLayout::Compact;
    let first = d.report.as_ref().and_then(|r| r.first_failing_step);
    let items: Vec<ListItem> = STEPS
        .iter()
        .enumerate()
        .map(|(i, (n, _, title))| {
            let state = d.step_state(*n);
            let (mark, mut word, mut style) = theme.step(state, s.tick);
            // A rerun in progress: the previous verdict stays, dimmed, beside the spinner.
            let before = d
                .previous
                .as_ref()
                .filter(|_| d.running())
                .and_then(|r| r.step(*n));
            let mut flag_style = theme.error();
            let mut first_here = first == Some(*n);
            if let Some(b) = before {
                let (_, w, _) = theme.step(StepState::Done(b.status), 0);
                word = w;
                style = theme.dim();
                flag_style = theme.dim();
                first_here = d.previous.as_ref().and_then(|r| r.first_failing_step) == Some(*n);
            }
            let flag = match (first_here, compact) {
                (false, _) => "",
                (true, false) => " ◀ first failure",
                (true, true) => " ◀",
            };
            let mut spans = vec![
                Span::raw(format!("{n} ")),
                Span::styled(format!("{mark} {word:<7} "), style),
            ];
            // What the last rerun changed, until the next run.
            if let Some(c) = d.changes.iter().find(|c| c.step == *n) {
                spans.push(Span::styled(
                    format!("(was {}) ", c.before.as_str()),
                    theme.bold(),
                ));
            }
            let title = if compact {
                SHORT_TITLES.get(i).copied().unwrap_or(title)
            } else {
                title
            };
            spans.push(Span::raw(title.to_string()));
            spans.push(Span::styled(flag, flag_style));
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list = |items: Vec<ListItem<'static>>| {
        List::new(items)
            .highlight_symbol("▶")
            .highlight_spacing(HighlightSpacing::Always)
            .highlight_style(theme.selected(focused))
    };
    if !compact {
        let inner = framed(f, areas.list, "Steps", focused, theme);
        let mut state = ListState::default().with_selected(Some(s.steps.sel));
        f.render_stateful_widget(list(items), inner, &mut state);
        return;
    }
    let half = areas.list.width / 2;
    let left = Rect::new(areas.list.x, areas.list.y, half, areas.list.height);
    let right = Rect::new(
        areas.list.x + half,
        areas.list.y,
        areas.list.width - half,
        areas.list.height,
    );
    let split = usize::from(layout::COMPACT_STEP_ROWS);
    let mut items = items;
    let second = items.split_off(split.min(items.len()));
    let sel = s.steps.sel;
    let mut state = ListState::default().with_selected((sel < split).then_some(sel));
    f.render_stateful_widget(list(items), left, &mut state);
    let mut state = ListState::default().with_selected(sel.checked_sub(split));
    f.render_stateful_widget(list(second), right, &mut state);
}

/// "Step 5 ✘ FAIL · Validate the CORS headers …".
fn detail_title(s: &AppState, d: &Diagnosis) -> String {
    let n = s.selected_step_number();
    let title = STEPS
        .get(s.steps.sel)
        .map(|(_, _, t)| *t)
        .unwrap_or_default();
    let (mark, word, _) = Theme { color: false }.step(d.step_state(n), s.tick);
    format!("Step {n} {mark} {word} · {title}")
}

/// Where the parts of the detail go inside its border.
struct DetailSplit {
    /// The cause and fix, pinned; `None` when there is none or it would not fit (then it
    /// heads the scrolled text instead).
    pinned: Option<Rect>,
    /// The rule under the pinned part.
    rule: Option<Rect>,
    /// The scrolled text.
    region: Rect,
}

fn split_detail(inner: Rect, detail: &StepDetail) -> DetailSplit {
    let whole = DetailSplit {
        pinned: None,
        rule: None,
        region: inner,
    };
    if detail.pinned.is_empty() || inner.width == 0 {
        return whole;
    }
    let want = Paragraph::new(detail.pinned.clone())
        .wrap(Wrap { trim: false })
        .line_count(inner.width);
    let want = u16::try_from(want).unwrap_or(u16::MAX);
    // The pinned part, a rule and at least one row of the rest.
    if want + 2 > inner.height {
        return whole;
    }
    let pinned = Rect::new(inner.x, inner.y, inner.width, want);
    let rule = Rect::new(inner.x, inner.y + want, inner.width, 1);
    let region = Rect::new(
        inner.x,
        inner.y + want + 1,
        inner.width,
        inner.height - want - 1,
    );
    DetailSplit {
        pinned: Some(pinned),
        rule: Some(rule),
        region,
    }
}

/// How far the selected step's detail scrolls at the state's terminal size (the clamp
/// behind `j`, `G`/End, PageDown and the wheel).
pub fn detail_max_scroll(s: &AppState) -> u16 {
    let Some(d) = &s.diag else {
        return 0;
    };
    let area = layout::main(s.size).detail;
    let inner = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    let theme = Theme { color: false };
    let detail = step_detail(s, d, &theme);
    let split = split_detail(inner, &detail);
    let body = if split.pinned.is_some() {
        detail.body
    } else {
        let mut all = detail.pinned;
        all.extend(detail.body);
        all
    };
    super::max_scroll(&Text::from(body), split.region)
}

fn verdict_line<'a>(d: &Diagnosis, tick: usize, theme: &Theme) -> Line<'a> {
    match (&d.phase, &d.report) {
        (Phase::Failed(e), _) => Line::from(vec![
            Span::styled("Run failed: ", theme.error()),
            Span::raw(e.lines().next().unwrap_or_default().to_string()),
        ]),
        (Phase::Running, _) => {
            let total = d.planned.len();
            let before = d.previous.as_ref().map(|r| {
                format!(
                    " · before: {}",
                    crate::cors::Outcome::as_str(r.browser.outcome).to_uppercase()
                )
            });
            Line::from(vec![
                Span::styled(format!("{} ", Theme::spinner(tick)), theme.title()),
                Span::raw(format!(
                    "diagnosing… {}/{} exchanges{}{}",
                    d.exchanges.len(),
                    total,
                    match &d.config_detail {
                        Some(c) => format!(" · config: {c}"),
                        None => String::new(),
                    },
                    if d.browser_started {
                        " · retesting in Chromium…"
                    } else {
                        ""
                    }
                )),
                Span::styled(before.unwrap_or_default(), theme.dim()),
            ])
        }
        (Phase::Finished, Some(r)) => {
            let v = crate::report::VerdictLine::of(&r.browser);
            let style = match v.outcome {
                Outcome::Allowed => theme.good().add_modifier(ratatui::style::Modifier::BOLD),
                Outcome::Blocked | Outcome::NetworkError | Outcome::Refused => theme.error(),
                Outcome::Unknown => theme.warn(),
            };
            Line::from(vec![
                Span::raw("Browser: "),
                Span::styled(v.headline, style),
                Span::raw(v.rest),
            ])
        }
        (Phase::Finished, None) => Line::raw(""),
    }
}

/// The selected step's detail: the cause and its fix (pinned at the top of the pane when
/// they fit) and the rest (scrolled).
pub struct StepDetail<'a> {
    pub pinned: Vec<Line<'a>>,
    pub body: Vec<Line<'a>>,
}

fn step_detail<'a>(s: &AppState, d: &'a Diagnosis, theme: &Theme) -> StepDetail<'a> {
    let n = s.selected_step_number();
    let mut lines: Vec<Line> = Vec::new();
    let state = d.step_state(n);
    if let (Phase::Failed(e), None) = (&d.phase, &d.report) {
        return failed_detail(d, e, &s.keymap.key_for(Action::RerunAll), theme);
    }
    let step = d.report.as_ref().and_then(|r| r.step(n));
    let Some(step) = step.filter(|_| {
        !matches!(
            state,
            StepState::Running | StepState::Pending | StepState::Gathered
        )
    }) else {
        if state == StepState::Gathered {
            lines.push(Line::styled(
                "Its evidence is in; the verdict comes when the whole diagnosis is done.",
                theme.dim(),
            ));
        } else if n == 7 && d.browser_started {
            lines.push(Line::styled(
                format!("{} retesting in Chromium…", Theme::spinner(s.tick)),
                theme.title(),
            ));
        }
        lines.push(Line::styled("Gathering the evidence:", theme.dim()));
        for p in &d.planned {
            let done = d.exchanges.iter().find(|x| x.id == p.id);
            let line = match done {
                Some(x) => format!("  ✔ {}", exchange_summary(x)),
                None => format!(
                    "  {} {} {} {}",
                    Theme::spinner(s.tick),
                    p.id,
                    p.kind.label(),
                    p.request.method
                ),
            };
            lines.push(Line::raw(line));
        }
        if let Some(c) = &d.config_detail {
            lines.push(Line::raw(format!("  config: {c}")));
        }
        // A rerun: what this step said before, dimmed, until the new verdict is in.
        if let Some(before) = d.previous.as_ref().and_then(|r| r.step(n)) {
            let (mark, word, _) = theme.step(StepState::Done(before.status), 0);
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!("Before this rerun: {mark} {word}"),
                theme.dim(),
            ));
            lines.push(Line::styled(before.summary.clone(), theme.dim()));
            for f in &before.findings {
                lines.push(Line::styled(
                    format!("{} · {}", f.code.as_str(), f.message),
                    theme.dim(),
                ));
            }
        }
        return StepDetail {
            pinned: Vec::new(),
            body: lines,
        };
    };

    // The cause (the step's first finding: the findings come most specific first) and its
    // fix, for a step that fails, warns or could not tell.
    let cause = step.findings.first().filter(|_| {
        matches!(
            step.status,
            StepStatus::Fail | StepStatus::Warn | StepStatus::Unknown
        )
    });
    let mut pinned = Vec::new();
    if let Some(c) = cause {
        let label = if step.status == StepStatus::Unknown {
            "Why "
        } else {
            "Cause "
        };
        pinned.push(Line::from(vec![
            Span::styled(label, severity_style(c.severity, theme)),
            Span::styled(c.code.as_str(), theme.bold()),
            Span::raw(format!(" · {}", c.message)),
        ]));
        if let Some(src) = &c.source {
            pinned.push(Line::from(vec![
                Span::styled("At ", theme.bold()),
                Span::raw(crate::report::source_text(src)),
            ]));
        }
        let copy = s.keymap.key_for(Action::Copy);
        match &c.remediation {
            Some(r) => {
                // `y` copies every fix of the step, this one first.
                let others = step
                    .findings
                    .iter()
                    .skip(1)
                    .filter(|f| f.remediation.is_some())
                    .count();
                let with = match others {
                    0 => "",
                    1 => ", then the step's other fix",
                    _ => ", then the step's other fixes",
                };
                let next = s.keymap.key_for(Action::FixFormat);
                let commands = match (crate::report::snippet(r, s.fix_format), r.commands.len()) {
                    (Some(_), _) => format!(
                        " ({copy} copies the {} below{with}; {next}: another form)",
                        s.fix_format.label()
                    ),
                    (None, 0) if others == 0 => format!(" ({copy} copies it)"),
                    (None, 0) => format!(" ({copy} copies it{with})"),
                    (None, 1) => format!(" ({copy} copies the command below{with})"),
                    (None, k) => format!(" ({copy} copies the {k} commands below{with})"),
                };
                pinned.push(Line::from(vec![
                    Span::styled(
                        "Fix ",
                        theme.good().add_modifier(ratatui::style::Modifier::BOLD),
                    ),
                    Span::raw(r.text.clone()),
                    Span::styled(commands, theme.dim()),
                ]));
            }
            None => {
                let first = d.report.as_ref().and_then(|r| r.first_failing_step);
                let elsewhere = step.findings.iter().any(|f| f.remediation.is_some());
                let text = match first {
                    _ if elsewhere => "see the findings below".to_string(),
                    Some(f) if f != n => format!("see step {f}, the first failing step"),
                    _ => "none to give: the evidence below says what was seen".to_string(),
                };
                pinned.push(Line::from(vec![
                    Span::styled(
                        "Fix ",
                        theme.good().add_modifier(ratatui::style::Modifier::BOLD),
                    ),
                    Span::styled(text, theme.dim()),
                ]));
            }
        }
    }

    // The summary usually is the first finding's message: say it once.
    if !step.findings.iter().any(|f| f.message == step.summary) {
        lines.push(Line::raw(step.summary.clone()));
    }
    let exchanges = d.exchange_list();
    for (i, finding) in step.findings.iter().enumerate() {
        let is_cause = i == 0 && cause.is_some();
        if is_cause {
            // Its message and fix are pinned above: its commands (or the fix in the chosen
            // form) and evidence follow here.
            if let Some(r) = &finding.remediation {
                fix_lines(&mut lines, s.fix_format, r, "", theme);
            }
        } else {
            lines.push(Line::raw(""));
            lines.push(Line::from(vec![
                Span::styled(
                    finding.code.as_str(),
                    severity_style(finding.severity, theme),
                ),
                Span::styled(
                    format!(
                        " ({})",
                        match finding.severity {
                            Severity::Error => "error",
                            Severity::Warning => "warning",
                            Severity::Info => "info",
                        }
                    ),
                    theme.dim(),
                ),
            ]));
            lines.push(Line::raw(finding.message.clone()));
            if let Some(src) = &finding.source {
                lines.push(Line::from(vec![
                    Span::styled("  at ", theme.dim()),
                    Span::raw(crate::report::source_text(src)),
                ]));
            }
        }
        for id in &finding.evidence {
            match exchanges.iter().find(|x| &x.id == id) {
                Some(x) => {
                    lines.push(Line::from(vec![
                        Span::styled("  evidence ", theme.dim()),
                        Span::raw(exchange_summary(x)),
                    ]));
                    let marks = inspect::cors_marks(d.plan.shown(), x);
                    for m in &marks.missing {
                        lines.push(Line::from(vec![
                            Span::raw("    "),
                            Span::styled(format!("{} missing", m.name), theme.header_bad()),
                        ]));
                    }
                    for (name, mark) in &marks.present {
                        if let Mark::Wrong(why) = mark {
                            lines.push(Line::from(vec![
                                Span::raw("    "),
                                Span::styled(format!("{name} wrong"), theme.header_bad()),
                                Span::styled(format!(" {why}"), theme.dim()),
                            ]));
                        }
                    }
                }
                None => lines.push(Line::from(vec![
                    Span::styled("  evidence ", theme.dim()),
                    Span::raw(if id == "config" {
                        "the API configuration".to_string()
                    } else {
                        id.clone()
                    }),
                ])),
            }
        }
        if is_cause {
            continue;
        }
        if let Some(r) = &finding.remediation {
            lines.push(Line::from(vec![
                Span::styled("  fix ", theme.good()),
                Span::raw(r.text.clone()),
            ]));
            fix_lines(&mut lines, s.fix_format, r, "    ", theme);
        }
    }
    if n == 7 {
        if let Some(r) = &d.report {
            lines.push(Line::raw(""));
            let chromium = r.browser.source == crate::report::VerdictSource::Chromium;
            let (who, style) = if chromium {
                (
                    "source chromium: a real Chromium made the request",
                    theme.good(),
                )
            } else {
                ("source engine: predicted by the CORS engine", theme.dim())
            };
            lines.push(Line::from(vec![
                Span::styled(who.to_string(), style),
                Span::styled(
                    if chromium {
                        String::new()
                    } else {
                        format!(
                            " ({} retests in Chromium)",
                            s.keymap.key_for(Action::Chromium)
                        )
                    },
                    theme.dim(),
                ),
            ]));
            if let Some(m) = r.browser.console_message.clone() {
                lines.push(Line::raw(""));
                lines.push(Line::styled("Console:", theme.dim()));
                lines.push(Line::raw(m));
            }
        }
    }
    StepDetail {
        pinned,
        body: lines,
    }
}

/// A run that stopped without a report: why (the first line), what to do, and the rest of
/// the message.
fn failed_detail<'a>(d: &Diagnosis, error: &str, rerun: &str, theme: &Theme) -> StepDetail<'a> {
    let mut lines = error.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("the run stopped").to_string();
    let mut pinned = vec![Line::from(vec![
        Span::styled("Stopped ", theme.error()),
        Span::raw(first),
    ])];
    if let crate::tui::view::AwsState::CredentialsError { next: Some(next) } =
        crate::tui::view::aws_state(d)
    {
        pinned.push(Line::from(vec![
            Span::styled(
                "Fix ",
                theme.good().add_modifier(ratatui::style::Modifier::BOLD),
            ),
            Span::raw("run "),
            Span::styled(next, theme.command()),
            Span::raw(format!(", then {rerun} to rerun")),
        ]));
    }
    let body = lines.map(|l| Line::raw(l.to_string())).collect();
    StepDetail { pinned, body }
}

fn severity_style(severity: Severity, theme: &Theme) -> ratatui::style::Style {
    match severity {
        Severity::Error => theme.error(),
        Severity::Warning => theme.warn(),
        Severity::Info => theme.dim(),
    }
}

/// A fix's lines in the detail: the snippet in the chosen form (under its name), else the
/// commands (`$ …`).
fn fix_lines(
    lines: &mut Vec<Line<'static>>,
    fix_format: crate::diagnose::remedy::snippets::Flavour,
    r: &crate::diagnose::Remediation,
    indent: &str,
    theme: &Theme,
) {
    match crate::report::snippet(r, fix_format) {
        Some(snippet) => {
            lines.push(Line::styled(
                format!("{indent}{}:", fix_format.label()),
                theme.dim(),
            ));
            for l in snippet.lines() {
                lines.push(Line::styled(format!("{indent}{l}"), theme.command()));
            }
        }
        None => {
            // A command of several lines keeps them (a line is never joined to the next).
            for c in &r.commands {
                for (i, l) in c.lines().enumerate() {
                    let prompt = if i == 0 { "$ " } else { "  " };
                    lines.push(Line::styled(
                        format!("{indent}{prompt}{l}"),
                        theme.command(),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::remedy::snippets::Flavour;

    #[test]
    fn a_command_of_several_lines_keeps_its_lines() {
        let r = crate::diagnose::Remediation {
            text: String::new(),
            commands: vec!["A=$(aws x)\naws y \"$A\"".into(), "aws z".into()],
            change_set: None,
            snippets: None,
        };
        let mut lines = Vec::new();
        fix_lines(&mut lines, Flavour::Cli, &r, "  ", &Theme { color: false });
        let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, ["  $ A=$(aws x)", "    aws y \"$A\"", "  $ aws z"]);
    }
}
