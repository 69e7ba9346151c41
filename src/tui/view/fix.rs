//! The fix modal (`a`): the calls, their progress, the verification and the result.

use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{framed, layout};
use crate::tui::state::{AppState, CallState, FixModal, FixPhase};
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, s: &AppState, m: &FixModal, theme: &Theme) {
    let full = f.area();
    let w = full.width.saturating_sub(4).min(140);
    let h = full.height.saturating_sub(2);
    let area = layout::centered(full, w, h);
    f.render_widget(Clear, area);
    let title = match &m.phase {
        FixPhase::Confirm => "Apply the fix? Nothing is changed before you confirm",
        FixPhase::Preparing => "Apply the fix: preparing",
        FixPhase::Applying => "Applying the fix",
        FixPhase::Verifying { .. } => "Applying the fix: verifying",
        FixPhase::Finished { ok: true, .. } => "Fixed",
        FixPhase::Finished { ok: false, .. } => "Fix: not finished",
        FixPhase::Refused(_) => "Nothing applied",
    };
    let inner = framed(f, area, title, true, theme);
    let mut lines: Vec<Line> = Vec::new();
    let p = &m.preview;
    if !p.api.is_empty() {
        lines.push(Line::styled(p.api.clone(), theme.bold()));
    }
    if let Some(w) = &p.warning {
        lines.push(Line::styled(format!("! {w}"), theme.warn()));
    }
    match &m.phase {
        FixPhase::Preparing => lines.push(Line::raw(format!(
            "{} checking the guard rails and reading the current configuration (nothing is written)…",
            Theme::spinner(s.tick)
        ))),
        FixPhase::Refused(why) => {
            for l in why.lines() {
                lines.push(Line::styled(l.to_string(), theme.error()));
            }
        }
        _ => {}
    }
    // Narrow terminals: each call in a few words (the dry run of `cors-doctor fix` prints
    // the commands).
    let calls = if inner.width < 118 && p.summaries.len() == p.calls.len() {
        &p.summaries
    } else {
        &p.calls
    };
    if !calls.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "{} control-plane call{}:",
                p.calls.len(),
                if p.calls.len() == 1 { "" } else { "s" }
            ),
            theme.title(),
        ));
        for (i, call) in calls.iter().enumerate() {
            let state = m.calls.get(i).unwrap_or(&CallState::Pending);
            let (mark, style) = match state {
                CallState::Pending => ("·", theme.dim()),
                CallState::Running => (Theme::spinner(s.tick), theme.bold()),
                CallState::Done => ("✓", theme.good()),
                CallState::Failed(_) => ("✗", theme.error()),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{mark} {:>2}. ", i + 1), style),
                Span::styled(call.clone(), theme.command()),
            ]));
            if let CallState::Failed(e) = state {
                lines.push(Line::styled(format!("       {e}"), theme.error()));
            }
        }
    }
    if !p.unchanged.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Already so (no call):", theme.title()));
        for u in &p.unchanged {
            lines.push(Line::raw(format!("  - {u}")));
        }
    }
    let mut prompt: Vec<Line> = Vec::new();
    match &m.phase {
        FixPhase::Confirm => {
            prompt.push(Line::raw(
                "The current values are saved to an undo file first (cors-doctor fix --undo FILE puts them back).",
            ));
            prompt.push(Line::from(vec![
                Span::styled(" enter", theme.key()),
                Span::raw("/"),
                Span::styled("y", theme.key()),
                Span::raw(" apply    "),
                Span::styled("esc", theme.key()),
                Span::raw(" cancel (nothing is changed)"),
            ]));
        }
        FixPhase::Applying => prompt.push(Line::raw(format!(
            "{} applying (the undo file is written)…",
            Theme::spinner(s.tick)
        ))),
        FixPhase::Verifying { attempt, verdict } => prompt.push(Line::raw(format!(
            "{} verifying: diagnosing again until the browser's verdict is allowed (attempt {attempt}{})…",
            Theme::spinner(s.tick),
            if verdict.is_empty() {
                String::new()
            } else {
                format!(", now {verdict}")
            }
        ))),
        FixPhase::Finished { ok, lines: result } => {
            let style = if *ok { theme.good() } else { theme.error() };
            for l in result {
                prompt.push(Line::styled(l.clone(), style));
            }
            if let Some(u) = &m.undo {
                prompt.push(Line::raw(format!("Undo: {u}")));
            }
            prompt.push(Line::from(vec![
                Span::styled(" esc", theme.key()),
                Span::raw(" close"),
            ]));
        }
        FixPhase::Refused(_) | FixPhase::Preparing => prompt.push(Line::from(vec![
            Span::styled(" esc", theme.key()),
            Span::raw(" close"),
        ])),
    }
    if !p.permissions.is_empty() && matches!(m.phase, FixPhase::Confirm) {
        lines.push(Line::raw(""));
        lines.push(Line::styled("IAM permissions needed:", theme.title()));
        for perm in &p.permissions {
            lines.push(Line::styled(format!("  {perm}"), theme.dim()));
        }
    }
    // The prompt (or the result) always shows, at the bottom; the calls above it.
    let prompt = Paragraph::new(Text::from(prompt)).wrap(Wrap { trim: false });
    let prompt_h = u16::try_from(prompt.line_count(inner.width))
        .unwrap_or(u16::MAX)
        .min(inner.height);
    let [body, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(prompt_h)]).areas(inner);
    f.render_widget(
        Paragraph::new(Text::from(lines)).wrap(Wrap { trim: false }),
        body,
    );
    f.render_widget(prompt, bottom);
}
