//! Views: functions of the state, drawn with ratatui on any backend.

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::explorer::Level;
use super::form::{Field, CREDENTIALS, FIELDS};
use super::inspect::{self, Mark};
use super::keymap::Context;
use super::layout;
use super::state::{visible_offset, AppState, Diagnosis, Pane, Phase, Screen, StepState};
use super::theme::Theme;
use crate::cors::Outcome;
use crate::diagnose::{Severity, STEPS};
use crate::evidence::Exchange;
use crate::target::ApiRef;

pub fn render(f: &mut Frame, s: &AppState) {
    let area = f.area();
    let theme = Theme { color: s.color };
    let fr = layout::frame(area);
    header(f, fr.header, s, &theme);
    match s.screen {
        Screen::Form => form(f, s, &theme),
        Screen::Demo => demo(f, s, &theme),
        Screen::Main => main(f, s, &theme),
        Screen::Evidence => evidence(f, s, &theme),
        Screen::Learn => learn(f, s, &theme),
        Screen::Explorer => explorer(f, s, &theme),
    }
    footer(f, fr.footer, s, &theme);
    if s.help {
        help(f, s, &theme);
    }
}

fn block<'a>(title: &'a str, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" {title} "), theme.title()))
}

fn header(f: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let mut lines = Vec::new();
    match &s.diag {
        Some(d) if s.screen != Screen::Form && s.screen != Screen::Demo => {
            let t = &d.plan.target;
            lines.push(Line::from(vec![
                Span::styled("cors-doctor ", theme.title()),
                Span::styled(format!("{} ", t.method), theme.bold()),
                Span::raw(crate::redact::url(t.url.as_str())),
            ]));
            lines.push(Line::from(Span::styled(target_line(d), theme.dim())));
        }
        _ => {
            let what = if s.screen == Screen::Demo {
                "demo scenarios"
            } else {
                "what does the browser app request?"
            };
            lines.push(Line::from(vec![
                Span::styled("cors-doctor ", theme.title()),
                Span::raw(what),
            ]));
            lines.push(Line::from(Span::styled(
                "Finds the real cause behind \"blocked by CORS policy\" on API Gateway",
                theme.dim(),
            )));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// "origin … · API id/stage (kind) · AWS profile/region".
fn target_line(d: &Diagnosis) -> String {
    let t = &d.plan.target;
    let mut bits = vec![format!("origin {}", t.origin)];
    if t.credentials != crate::target::CredentialsMode::SameOrigin {
        bits.push(format!("credentials {}", t.credentials.as_str()));
    }
    let (id, stage, kind) = match &d.report {
        Some(r) => (r.api.id.clone(), r.api.stage.clone(), r.api.kind.clone()),
        None => {
            let r = ApiRef::from_url(&t.url);
            (
                r.as_ref().map(|r| r.api_id.clone()),
                r.and_then(|r| r.stage),
                "…".to_string(),
            )
        }
    };
    match id {
        Some(id) => bits.push(format!(
            "API {id}/{} ({kind})",
            stage.as_deref().unwrap_or("-")
        )),
        None => bits.push(format!("API id unknown ({kind})")),
    }
    let aws = &d.plan.aws;
    bits.push(format!(
        "AWS {}/{}",
        aws.profile.as_deref().unwrap_or("default"),
        aws.region.as_deref().unwrap_or("-")
    ));
    bits.join(" · ")
}

fn footer(f: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let mut spans = Vec::new();
    if let Some(st) = &s.status {
        let style = if st.error {
            theme.error()
        } else {
            theme.good().add_modifier(ratatui::style::Modifier::BOLD)
        };
        spans.push(Span::styled(format!("{} ", st.text), style));
    } else {
        let context = if s.help { None } else { Some(s.context()) };
        let items = match context {
            Some(c) => s.keymap.footer(c),
            None => vec![("any key".to_string(), "close")],
        };
        let mut width = usize::from(area.width);
        if let Some(note) = s
            .diag
            .as_ref()
            .filter(|d| d.running())
            .and_then(|d| d.note.as_deref())
        {
            let text = format!("{} {note}  ", Theme::spinner(s.tick));
            width = width.saturating_sub(text.chars().count());
            spans.push(Span::styled(text, theme.title()));
        }
        for (i, (key, hint)) in fit_footer(items, width).into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(key, theme.key()));
            spans.push(Span::raw(format!(" {hint}")));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer items that fit in `width`, always keeping the last two (help and quit).
fn fit_footer(items: Vec<(String, &'static str)>, width: usize) -> Vec<(String, &'static str)> {
    let cost = |(k, h): &(String, &str)| k.chars().count() + 1 + h.chars().count() + 2;
    let keep_from = items.len().saturating_sub(2);
    let reserved: usize = items[keep_from..].iter().map(cost).sum();
    let mut used = reserved;
    let mut out = Vec::new();
    for item in &items[..keep_from] {
        used += cost(item);
        if used > width + 2 {
            break;
        }
        out.push(item.clone());
    }
    out.extend(items[keep_from..].iter().cloned());
    out
}

// ---- the target form ----

fn form(f: &mut Frame, s: &AppState, theme: &Theme) {
    let area = layout::form(f.area());
    let b = block("Target", true, theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let label_w = 13u16;
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    for (i, field) in FIELDS.iter().enumerate() {
        let focused = s.form.focus == i;
        let label_style = if focused {
            theme.selected(true)
        } else {
            theme.bold()
        };
        let label = format!("{:<w$}", field.label(), w = usize::from(label_w - 1));
        let value: Vec<Span> = match s.form.input(*field) {
            Some(input) => {
                if focused {
                    let col = inner.x
                        + label_w
                        + u16::try_from(input.cursor)
                            .unwrap_or(u16::MAX)
                            .min(inner.width.saturating_sub(label_w + 1));
                    cursor = Some(Position::new(
                        col,
                        inner.y + u16::try_from(i * 2).unwrap_or(0),
                    ));
                }
                vec![Span::raw(input.text.clone())]
            }
            None => CREDENTIALS
                .iter()
                .enumerate()
                .flat_map(|(j, c)| {
                    let style = if j == s.form.credentials {
                        if focused {
                            theme.selected(true)
                        } else {
                            theme.bold()
                        }
                    } else {
                        theme.dim()
                    };
                    [Span::styled(format!(" {c} "), style), Span::raw(" ")]
                })
                .collect(),
        };
        let mut spans = vec![Span::styled(label, label_style), Span::raw(" ")];
        spans.extend(value);
        lines.push(Line::from(spans));
        let hint = if focused || *field == Field::Headers {
            field.hint()
        } else {
            ""
        };
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(usize::from(label_w))),
            Span::styled(hint, theme.dim()),
        ]));
    }
    if let Some(e) = &s.form.error {
        lines.push(Line::from(Span::styled(e.clone(), theme.error())));
    } else {
        lines.push(Line::from(Span::styled(
            "Enter diagnoses this request, as the browser and as curl would send it.",
            theme.dim(),
        )));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    if !s.help {
        if let Some(p) = cursor {
            f.set_cursor_position(p);
        }
    }
}

// ---- the demo scenario picker ----

fn demo(f: &mut Frame, s: &AppState, theme: &Theme) {
    let area = layout::body(f.area());
    let b = block("Demo scenarios", true, theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    if s.demo.is_empty() {
        f.render_widget(
            Paragraph::new(vec![
                Line::raw("No demo scenarios in this build yet."),
                Line::raw(""),
                Line::styled(
                    "The API Gateway simulator's scenarios will be listed here; Enter starts one on a loopback port and diagnoses it.",
                    theme.dim(),
                ),
            ])
            .wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    let name_w = s.demo.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let lines: Vec<Line> = s
        .demo
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let text = format!(" {:<name_w$}  {}", e.name, e.summary);
            if i == s.demo_sel {
                Line::styled(text, theme.selected(true))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).scroll((scroll_for(s.demo_sel, inner.height), 0)),
        inner,
    );
}

/// Keeps the selected row visible.
fn scroll_for(selected: usize, height: u16) -> u16 {
    let sel = u16::try_from(selected).unwrap_or(u16::MAX);
    sel.saturating_sub(height.saturating_sub(1))
}

// ---- the main view: seven steps and the selected step's detail ----

fn main(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::main(f.area());
    let Some(d) = &s.diag else {
        return;
    };
    f.render_widget(
        Paragraph::new(verdict_line(d, s.tick, theme)).wrap(Wrap { trim: true }),
        areas.verdict,
    );

    let list_block = block("Steps", s.pane == Pane::List, theme);
    let inner = list_block.inner(areas.list);
    f.render_widget(list_block, areas.list);
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
    let detail_block = block(&title, s.pane == Pane::Detail, theme);
    let inner = detail_block.inner(areas.detail);
    f.render_widget(detail_block, areas.detail);
    let text = step_detail(s, d, theme);
    f.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .scroll((s.detail_scroll, 0)),
        inner,
    );
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
            let b = &r.browser;
            let (word, style) = match b.outcome {
                Outcome::Allowed => (
                    "ALLOWED",
                    theme.good().add_modifier(ratatui::style::Modifier::BOLD),
                ),
                Outcome::Blocked => ("BLOCKED", theme.error()),
                Outcome::NetworkError => ("NETWORK ERROR", theme.error()),
            };
            let mut rest = String::new();
            if let Some(at) = &b.failed_at {
                rest.push_str(&format!(" at the {at}"));
            }
            if let Some(e) = &b.cors_error {
                rest.push_str(&format!(" · {e}"));
            }
            if let Some(h) = b.hidden_status {
                rest.push_str(&format!(" · real status {h} (hidden from the page)"));
            }
            let by = if b.source == "chromium" {
                " (Chromium retest)"
            } else {
                ""
            };
            Line::from(vec![
                Span::raw("Browser: "),
                Span::styled(word, style),
                Span::raw(format!("{rest}{by}")),
            ])
        }
        (Phase::Finished, None) => Line::raw(""),
    }
}

fn exchange_summary(x: &Exchange) -> String {
    let answer = match (&x.response, &x.error) {
        (Some(r), _) => format!("{}", r.status),
        (None, Some(e)) => format!("{:?} error", e.kind).to_lowercase(),
        (None, None) => "no answer".into(),
    };
    let mut s = format!(
        "{} {} {} → {answer} from {}",
        x.id,
        x.kind.label(),
        x.request.method,
        answered_by(x)
    );
    if let Some(t) = &x.gateway_error_type {
        s.push_str(&format!(" ({t})"));
    }
    if x.predicted {
        s.push_str(" [predicted]");
    }
    s
}

fn answered_by(x: &Exchange) -> &'static str {
    match x.answered_by {
        crate::evidence::AnsweredBy::Gateway => "API Gateway",
        crate::evidence::AnsweredBy::Backend => "the integration",
        crate::evidence::AnsweredBy::Cloudfront => "CloudFront",
        crate::evidence::AnsweredBy::Unknown => "unknown",
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
    lines.push(Line::raw(step.summary.clone()));
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
        for id in &finding.evidence {
            match exchanges.iter().find(|x| &x.id == id) {
                Some(x) => {
                    lines.push(Line::from(vec![
                        Span::styled("  evidence ", theme.dim()),
                        Span::raw(exchange_summary(x)),
                    ]));
                    let marks = inspect::cors_marks(&d.plan, x);
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
            let (who, style) = if r.browser.source == "chromium" {
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
                    if r.browser.source == "chromium" {
                        String::new()
                    } else {
                        format!(
                            " ({} retests in Chromium)",
                            s.keymap.key_for(super::keymap::Action::Chromium)
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

// ---- the evidence view ----

fn evidence(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::two_pane(f.area());
    let Some(d) = &s.diag else {
        return;
    };
    let list = d.exchange_list();
    let b = block("Exchanges", s.pane == Pane::List, theme);
    let inner = b.inner(areas.list);
    f.render_widget(b, areas.list);
    let mut lines: Vec<Line> = list
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let status = x
                .status()
                .map_or_else(|| "err".to_string(), |s| s.to_string());
            let pred = if x.predicted { " ~" } else { "" };
            let text = format!(
                "{}{} {:<9} {:<7} {status}{pred}",
                if i == s.ev_sel { "▶" } else { " " },
                x.id,
                x.kind.label(),
                x.request.method
            );
            if i == s.ev_sel {
                Line::styled(text, theme.selected(s.pane == Pane::List))
            } else {
                Line::raw(text)
            }
        })
        .collect();
    if d.running() {
        for p in d
            .planned
            .iter()
            .filter(|p| !list.iter().any(|x| x.id == p.id))
        {
            lines.push(Line::styled(
                format!(
                    " {} {:<9} {:<7} {}",
                    p.id,
                    p.kind.label(),
                    p.request.method,
                    Theme::spinner(s.tick)
                ),
                theme.dim(),
            ));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);

    let b = block("Request and response", s.pane == Pane::Detail, theme);
    let inner = b.inner(areas.detail);
    f.render_widget(b, areas.detail);
    let Some(x) = list.get(s.ev_sel) else {
        f.render_widget(Paragraph::new("No exchange yet."), inner);
        return;
    };
    f.render_widget(
        Paragraph::new(exchange_detail(d, x, theme))
            .wrap(Wrap { trim: false })
            .scroll((s.ev_scroll, 0)),
        inner,
    );
}

fn exchange_detail<'a>(d: &Diagnosis, x: &'a Exchange, theme: &Theme) -> Text<'a> {
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} {} ", x.id, x.kind.label()), theme.bold()),
            Span::raw(format!("{} {}", x.request.method, x.request.url)),
        ]),
        Line::styled(
            format!(
                "answered by {}{} · {} ms{}",
                answered_by(x),
                x.gateway_error_type
                    .as_ref()
                    .map(|t| format!(" · {t}"))
                    .unwrap_or_default(),
                x.elapsed_ms,
                if x.predicted {
                    " · predicted by the API Gateway model, not sent"
                } else {
                    ""
                }
            ),
            theme.dim(),
        ),
        Line::raw(""),
        Line::styled("Request", theme.title()),
    ];
    for (n, v) in x.request.headers.iter() {
        lines.push(Line::raw(format!("  {n}: {v}")));
    }
    lines.push(Line::raw(""));
    match (&x.response, &x.error) {
        (Some(r), _) => {
            let marks = inspect::cors_marks(&d.plan, x);
            lines.push(Line::styled(
                format!("Response {}", r.status),
                theme.title(),
            ));
            for (n, v) in r.headers.iter() {
                let line = match marks.mark(n) {
                    Some(Mark::Ok) => Line::from(vec![
                        Span::raw("  "),
                        Span::styled(format!("{n}: {v}"), theme.header_ok()),
                        Span::styled(" ✔", theme.good()),
                    ]),
                    Some(Mark::Wrong(why)) => Line::from(vec![
                        Span::raw("  "),
                        Span::styled(format!("{n}: {v}"), theme.header_bad()),
                        Span::styled(format!(" ✘ {why}"), theme.error()),
                    ]),
                    None => Line::raw(format!("  {n}: {v}")),
                };
                lines.push(line);
            }
            for m in &marks.missing {
                lines.push(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(format!("{}: (missing)", m.name), theme.header_bad()),
                    Span::styled(format!(" ✘ {}", m.why), theme.error()),
                ]));
            }
            if let Some(e) = &marks.error {
                lines.push(Line::styled(
                    format!("Browser: blocked, {e}"),
                    theme.error(),
                ));
            } else if matches!(
                x.kind,
                crate::evidence::ExchangeKind::Preflight | crate::evidence::ExchangeKind::Actual
            ) {
                lines.push(Line::styled("Browser: CORS check passes", theme.good()));
            }
            if !r.body_excerpt.is_empty() {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    if r.body_truncated {
                        "Body (start)"
                    } else {
                        "Body"
                    },
                    theme.title(),
                ));
                for l in r.body_excerpt.lines().take(20) {
                    lines.push(Line::raw(format!("  {l}")));
                }
            }
        }
        (None, Some(e)) => {
            lines.push(Line::styled("No response", theme.error()));
            lines.push(Line::raw(format!("  {:?}: {}", e.kind, e.message)));
        }
        (None, None) => lines.push(Line::styled("No response", theme.dim())),
    }
    Text::from(lines)
}

// ---- learn mode ----

fn learn(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::two_pane(f.area());
    let b = block("Learn", s.pane == Pane::List, theme);
    let inner = b.inner(areas.list);
    f.render_widget(b, areas.list);
    let lines: Vec<Line> = s
        .learn
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i == s.learn_sel {
                Line::styled(
                    format!("▶{}", t.title),
                    theme.selected(s.pane == Pane::List),
                )
            } else {
                Line::raw(format!(" {}", t.title))
            }
        })
        .collect();
    f.render_widget(
        Paragraph::new(lines).scroll((scroll_for(s.learn_sel, inner.height), 0)),
        inner,
    );
    let Some(topic) = s.learn.topics.get(s.learn_sel) else {
        return;
    };
    let b = block(&topic.title, s.pane == Pane::Detail, theme);
    let inner = b.inner(areas.detail);
    f.render_widget(b, areas.detail);
    let lines: Vec<Line> = topic
        .body
        .lines()
        .map(|l| Line::raw(l.to_string()))
        .collect();
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((s.learn_scroll, 0)),
        inner,
    );
}

// ---- the API explorer ----

fn explorer(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::explorer(f.area());
    let ex = &s.explorer;
    let Some(tree) = &ex.tree else {
        let b = block("API explorer", true, theme);
        let inner = b.inner(areas.block);
        f.render_widget(b, areas.block);
        let why = s
            .diag
            .as_ref()
            .and_then(|d| d.config_detail.clone())
            .unwrap_or_else(|| "the run has not loaded it yet".into());
        f.render_widget(
            Paragraph::new(vec![
                Line::raw("No API configuration was loaded for this run."),
                Line::styled(format!("Configuration: {why}"), theme.dim()),
                Line::raw(""),
                Line::styled(
                    "The explorer lists the API's resources and methods with their auth, integration and CORS readiness when the run has the configuration: check --openapi EXPORT.json, or a demo scenario.",
                    theme.dim(),
                ),
            ])
            .wrap(Wrap { trim: false }),
            inner,
        );
        return;
    };
    let title = format!(
        "API {} ({}) · stage {} · {} paths, {} methods",
        if tree.name.is_empty() {
            "-"
        } else {
            &tree.name
        },
        tree.kind.as_str(),
        tree.stage.as_deref().unwrap_or("-"),
        tree.resources.len(),
        tree.method_count
    );
    let b = block(&title, true, theme);
    f.render_widget(b, areas.block);

    // The filter line.
    let count = format!("  {}/{} rows", ex.visible.len(), tree.rows.len());
    let filter_key = s.keymap.key_for(super::keymap::Action::Filter);
    let line = if ex.editing || !ex.filter.is_empty() {
        Line::from(vec![
            Span::styled("filter ", theme.key()),
            Span::raw(ex.filter.clone()),
            Span::styled(if ex.editing { "▏" } else { "" }.to_string(), theme.key()),
            Span::styled(count, theme.dim()),
        ])
    } else {
        Line::from(vec![
            Span::styled(format!("{filter_key} filter · "), theme.dim()),
            Span::styled("●", theme.title()),
            Span::styled(" the method diagnosed now ·", theme.dim()),
            Span::styled(count, theme.dim()),
        ])
    };
    f.render_widget(Paragraph::new(line), areas.filter);

    let wide = areas.list.width >= 100;
    let (auth_w, integ_w) = if wide { (12, 12) } else { (8, 10) };
    f.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "  {:<8}{:<auth_w$}{:<integ_w$}CORS readiness",
                "METHOD", "AUTH", "INTEGR."
            ),
            theme.bold(),
        )),
        areas.columns,
    );

    // Only the rows on screen are built.
    let height = usize::from(areas.list.height);
    let offset = visible_offset(ex.offset, ex.sel, height);
    let end = (offset + height).min(ex.visible.len());
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    for (pos, &i) in ex.visible[offset.min(end)..end].iter().enumerate() {
        let Some(row) = tree.rows.get(i as usize) else {
            continue;
        };
        let selected = offset + pos == ex.sel;
        let current = tree.current == Some(i);
        let level_style = match row.level {
            Level::Ok => theme.good(),
            Level::Bad => theme.error(),
            Level::Depends => theme.warn(),
            Level::Info => theme.dim(),
        };
        let pointer = if selected { "▶" } else { " " };
        let mut line = match &row.method {
            None => Line::from(vec![
                Span::raw(pointer),
                Span::styled(tree.path_of(row).to_string(), theme.bold()),
                Span::raw("  "),
                Span::styled(format!("{} {}", row.level.mark(), row.cors), level_style),
            ]),
            Some(m) => Line::from(vec![
                Span::raw(pointer),
                Span::styled(if current { "●" } else { " " }, theme.title()),
                Span::raw(format!("{m:<7} ")),
                Span::raw(format!(
                    "{:<auth_w$}{:<integ_w$}",
                    row.auth, row.integration
                )),
                Span::styled(format!("{} {}", row.level.mark(), row.cors), level_style),
            ]),
        };
        if selected {
            line = line.patch_style(theme.selected(true));
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            format!("Nothing matches '{}'.", ex.filter),
            theme.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines), areas.list);
    if ex.editing && !s.help {
        let x = areas.filter.x + 7 + u16::try_from(ex.filter.chars().count()).unwrap_or(u16::MAX);
        f.set_cursor_position(Position::new(
            x.min(areas.filter.right().saturating_sub(1)),
            areas.filter.y,
        ));
    }
}

// ---- the help overlay ----

fn help(f: &mut Frame, s: &AppState, theme: &Theme) {
    let context = s.context();
    let rows = s.keymap.help(context);
    let h = u16::try_from(rows.len() + 3).unwrap_or(u16::MAX);
    let area = layout::centered(f.area(), 60, h);
    f.render_widget(Clear, area);
    let title = match context {
        Context::Form => "Keys: target form",
        Context::Demo => "Keys: demo scenarios",
        Context::Main => "Keys: diagnosis",
        Context::Evidence => "Keys: evidence",
        Context::Learn => "Keys: learn",
        Context::Explorer => "Keys: API explorer",
    };
    let b = block(title, true, theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let key_w = rows
        .iter()
        .map(|(k, _, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|(keys, hint, action)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_w$}  "), theme.key()),
                Span::raw(format!("{hint:<14}")),
                Span::styled(action, theme.dim()),
            ])
        })
        .collect();
    lines.push(Line::styled(
        " Rebind in the config: [tui.keys] action = \"key\"",
        theme.dim(),
    ));
    let [body] = Layout::vertical([Constraint::Min(0)]).areas(inner);
    f.render_widget(Paragraph::new(lines).style(Style::default()), body);
}
