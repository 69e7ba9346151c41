//! The API explorer: the filter line, the column heads and the rows on screen.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Clear, HighlightSpacing, List, ListItem, ListState, Paragraph, Wrap,
};
use ratatui::Frame;

use super::framed;
use crate::tui::explorer::Level;
use crate::tui::form::{wrap_words, Confirm};
use crate::tui::keymap::Action;
use crate::tui::layout;
use crate::tui::state::{visible_offset, AppState};
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::explorer(f.area());
    let ex = &s.explorer;
    if ex.tree.is_some() {
        if areas.side_by_side {
            super::detail::draw(f, s, theme);
        } else if ex.pane == crate::tui::state::Pane::Detail {
            super::detail::draw(f, s, theme);
            return;
        }
    }
    let Some(tree) = &ex.tree else {
        let inner = framed(f, areas.block, "API explorer", true, theme);
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
    framed(f, areas.block, &title, true, theme);

    // The filter line.
    let count = format!("  {}/{} rows", ex.visible.len(), tree.rows.len());
    let filter_key = s.keymap.key_for(crate::tui::keymap::Action::Filter);
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

    // Only the rows on screen are built (an API can have thousands): the list gets the
    // visible slice, its selection relative to it.
    let height = usize::from(areas.list.height);
    let offset = visible_offset(ex.list.offset, ex.list.sel, height);
    let end = (offset + height).min(ex.visible.len());
    let mut items: Vec<ListItem> = Vec::with_capacity(height);
    for &i in &ex.visible[offset.min(end)..end] {
        let Some(row) = tree.rows.get(i as usize) else {
            continue;
        };
        let current = tree.current == Some(i);
        let level_style = match row.level {
            Level::Ok => theme.good(),
            Level::Bad => theme.error(),
            Level::Depends => theme.warn(),
            Level::Info => theme.dim(),
        };
        let line = match &row.method {
            None => Line::from(vec![
                Span::styled(tree.path_of(row).to_string(), theme.bold()),
                Span::raw("  "),
                Span::styled(format!("{} {}", row.level.mark(), row.cors), level_style),
            ]),
            Some(m) => Line::from(vec![
                Span::styled(if current { "●" } else { " " }, theme.title()),
                Span::raw(format!("{m:<7} ")),
                Span::raw(format!(
                    "{:<auth_w$}{:<integ_w$}",
                    row.auth, row.integration
                )),
                Span::styled(format!("{} {}", row.level.mark(), row.cors), level_style),
            ]),
        };
        items.push(ListItem::new(line));
    }
    if items.is_empty() {
        f.render_widget(
            Paragraph::new(Line::styled(
                format!("Nothing matches '{}'.", ex.filter),
                theme.dim(),
            )),
            areas.list,
        );
    } else {
        let list = List::new(items)
            .highlight_symbol("▶")
            .highlight_spacing(HighlightSpacing::Always)
            .highlight_style(theme.selected(true));
        let mut state =
            ListState::default().with_selected(Some(ex.list.sel.saturating_sub(offset)));
        f.render_stateful_widget(list, areas.list, &mut state);
    }
    if let Some(pending) = &ex.confirm {
        confirm(f, s, &pending.question, areas.list, theme);
    }
    if ex.editing && !s.help {
        let x = areas.filter.x + 7 + u16::try_from(ex.filter.chars().count()).unwrap_or(u16::MAX);
        f.set_cursor_position(Position::new(
            x.min(areas.filter.right().saturating_sub(1)),
            areas.filter.y,
        ));
    }
}

/// The question asked before a method that can change data is sent: a box over the bottom of
/// the rows (the selected method stays in sight above it when there is room), in the form's
/// words.
fn confirm(f: &mut Frame, s: &AppState, question: &Confirm, list: Rect, theme: &Theme) {
    let send = s.keymap.key_for(Action::Select);
    let back = s.keymap.key_for(Action::Back);
    let text = question.question(&send, &back, "the explorer");
    let lines = wrap_words(&text, usize::from(list.width.saturating_sub(2)).max(1));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(1)
        .min(list.height);
    let area = Rect::new(
        list.x,
        list.bottom().saturating_sub(height),
        list.width,
        height,
    );
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(
            lines
                .into_iter()
                .map(|l| Line::styled(l, theme.warn()))
                .collect::<Vec<_>>(),
        )
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(format!(" Send {}? ", question.method))
                .border_style(theme.warn()),
        ),
        area,
    );
}
