//! The evidence view: the exchanges, and the selected one's request and response with its
//! CORS headers marked.

use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{HighlightSpacing, List, ListItem, Paragraph};
use ratatui::Frame;

use super::{draw_scrolled, framed};
use crate::evidence::Exchange;
use crate::tui::inspect::{self, Mark};
use crate::tui::layout;
use crate::tui::state::{AppState, Diagnosis, Pane};
use crate::tui::theme::Theme;

pub(super) fn draw(f: &mut Frame, s: &AppState, theme: &Theme) {
    let areas = layout::two_pane(f.area());
    let Some(d) = &s.diag else {
        return;
    };
    let list = d.exchange_list();
    let view = &s.evidence;
    let focused = view.pane == Pane::List;
    let inner = framed(f, areas.list, "Exchanges", focused, theme);
    let mut items: Vec<ListItem> = list
        .iter()
        .map(|x| {
            let status = x
                .status()
                .map_or_else(|| "err".to_string(), |s| s.to_string());
            let pred = if x.predicted { " ~" } else { "" };
            ListItem::new(Line::raw(format!(
                "{} {:<9} {:<7} {status}{pred}",
                x.id,
                x.kind.label(),
                x.request.method
            )))
        })
        .collect();
    if d.running() {
        for p in d
            .planned
            .iter()
            .filter(|p| !list.iter().any(|x| x.id == p.id))
        {
            items.push(ListItem::new(Line::styled(
                format!(
                    "{} {:<9} {:<7} {}",
                    p.id,
                    p.kind.label(),
                    p.request.method,
                    Theme::spinner(s.tick)
                ),
                theme.dim(),
            )));
        }
    }
    let widget = List::new(items)
        .highlight_symbol("▶")
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_style(theme.selected(focused));
    f.render_stateful_widget(widget, inner, &mut view.list.list_state());

    let inner = framed(
        f,
        areas.detail,
        "Request and response",
        view.pane == Pane::Detail,
        theme,
    );
    let Some(x) = list.get(view.list.sel) else {
        f.render_widget(Paragraph::new("No exchange yet."), inner);
        return;
    };
    draw_scrolled(
        f,
        areas.detail,
        inner,
        exchange_detail(d, x, theme),
        view.scroll,
        theme,
    );
}

/// How far the selected exchange's detail scrolls at the state's terminal size.
pub fn detail_max_scroll(s: &AppState) -> u16 {
    let Some(d) = &s.diag else {
        return 0;
    };
    let Some(x) = d.exchange_list().get(s.evidence.list.sel) else {
        return 0;
    };
    let inner = layout::inside(layout::two_pane(s.size).detail);
    super::max_scroll(&exchange_detail(d, x, &Theme { color: false }), inner)
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
            let marks = inspect::cors_marks(d.plan.shown(), x);
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
            lines.push(Line::raw(format!("  {}", e.message)));
        }
        (None, None) => lines.push(Line::styled("No response", theme.dim())),
    }
    Text::from(lines)
}

pub(super) fn exchange_summary(x: &Exchange) -> String {
    crate::report::exchange_summary(x)
}

fn answered_by(x: &Exchange) -> &'static str {
    x.answered_by.words()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{AnsweredBy, ExchangeKind, RecordedRequest, RecordedResponse};
    use crate::http::Headers;

    #[test]
    fn an_unsure_http_api_answer_is_said_in_words() {
        let mut x = Exchange {
            id: "x1".into(),
            kind: ExchangeKind::Preflight,
            request: RecordedRequest {
                method: "OPTIONS".into(),
                url: "https://abc.execute-api.us-east-1.amazonaws.com/items".into(),
                headers: Headers::new(),
                body: None,
            },
            response: Some(RecordedResponse {
                status: 401,
                headers: Headers::new().with("apigw-requestid", "Ab1="),
                body_excerpt: r#"{"message":"Unauthorized"}"#.into(),
                body_truncated: false,
            }),
            error: None,
            answered_by: AnsweredBy::GatewayOrBackend,
            gateway_error_type: None,
            elapsed_ms: 3,
            predicted: false,
        };
        assert_eq!(
            exchange_summary(&x),
            "x1 preflight OPTIONS → 401 from API Gateway or the backend"
        );
        x.answered_by = AnsweredBy::Gateway;
        assert_eq!(
            exchange_summary(&x),
            "x1 preflight OPTIONS → 401 from API Gateway"
        );
    }
}
