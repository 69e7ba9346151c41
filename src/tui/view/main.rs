//! The main view: the verdict line, the seven steps and the selected step's detail.

use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::evidence::exchange_summary;
use super::{framed, scrolled};
use crate::cors::Outcome;
use crate::diagnose::{Severity, STEPS};
use crate::tui::inspect::{self, Mark};
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

    let inner = framed(f, areas.list, "Steps", s.pane == Pane::List, theme);
    let lines: Vec<Line> = STEPS
        .iter()
        .enumerate()
        .map(|(i, (n, _, title))| {
            let state = d.step_state(*n);
            let (mark, word, style) = theme.step(state, s.tick);
            let selected = i == s.step_sel;
            let first = d.report.as_ref().and_then(|r| r.first_failing_step) == Some(*n);
            let pointer = if selected { "▶" } else { " " };
            let flag = if first { "◀ first failure" } else { "" };
            let mut line = Line::from(vec![
                Span::raw(format!("{pointer}{n} ")),
                Span::styled(format!("{mark} {word:<7} "), style),
                Span::raw(title.to_string()),
                Span::styled(format!(" {flag}"), theme.error()),
            ]);
            if selected {
                line = line.patch_style(theme.selected(s.pane == Pane::List));
            }
            line
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);

    let title = format!("Step {}", s.step_sel + 1);
    let inner = framed(f, areas.detail, &title, s.pane == Pane::Detail, theme);
    let text = step_detail(s, d, theme);
    f.render_widget(scrolled(text, s.detail_scroll), inner);
}

fn verdict_line<'a>(d: &Diagnosis, tick: usize, theme: &Theme) -> Line<'a> {
    match (&d.phase, &d.report) {
        (Phase::Failed(e), _) => Line::from(vec![
            Span::styled("Run failed: ", theme.error()),
            Span::raw(e.clone()),
        ]),
        (Phase::Running, _) => {
            let total = d.planned.len();
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

fn step_detail<'a>(s: &AppState, d: &'a Diagnosis, theme: &Theme) -> Text<'a> {
    let n = u8::try_from(s.step_sel + 1).unwrap_or(1);
    let title = STEPS
        .get(s.step_sel)
        .map(|(_, _, t)| *t)
        .unwrap_or_default();
    let mut lines: Vec<Line> = Vec::new();
    let state = d.step_state(n);
    let (mark, word, style) = theme.step(state, s.tick);
    lines.push(Line::from(vec![
        Span::styled(format!("{mark} {word} "), style),
        Span::styled(title, theme.bold()),
    ]));
    let step = d.report.as_ref().and_then(|r| r.step(n));
    let Some(step) = step.filter(|_| {
        !matches!(
            state,
            StepState::Running | StepState::Pending | StepState::Gathered
        )
    }) else {
        lines.push(Line::raw(""));
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
        return Text::from(lines);
    };
    // The summary usually is the first finding's message: say it once.
    if step
        .findings
        .first()
        .is_none_or(|f| f.message != step.summary)
    {
        lines.push(Line::raw(step.summary.clone()));
    }
    let exchanges = d.exchange_list();
    for finding in &step.findings {
        lines.push(Line::raw(""));
        let sev_style = match finding.severity {
            Severity::Error => theme.error(),
            Severity::Warning => theme.warn(),
            Severity::Info => theme.dim(),
        };
        lines.push(Line::from(vec![
            Span::styled(finding.code.as_str(), sev_style),
            Span::styled(format!(" ({})", finding.severity.as_str()), theme.dim()),
        ]));
        lines.push(Line::raw(finding.message.clone()));
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
        if let Some(r) = &finding.remediation {
            lines.push(Line::from(vec![
                Span::styled("  fix ", theme.good()),
                Span::raw(r.text.clone()),
            ]));
            for c in &r.commands {
                lines.push(Line::styled(format!("    $ {c}"), theme.command()));
            }
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
                            s.keymap.key_for(crate::tui::keymap::Action::Chromium)
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
    Text::from(lines)
}
