//! Views: functions of the state, drawn with ratatui on any backend.
//!
//! This file draws the frame (header, footer, help overlay) and dispatches the body to the
//! current screen's file.

mod audit;
mod demo;
mod detail;
mod evidence;
mod explorer;
mod fix;
mod flow;
pub(crate) mod form;
mod help;
mod learn;
mod main;
mod preview;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::keymap::FooterItem;
use super::layout;
use super::state::{AppState, Diagnosis, Screen};
use super::theme::Theme;
use crate::target::ApiRef;

/// How far the selected step's detail scrolls (see `main::detail_max_scroll`).
pub fn main_detail_max_scroll(s: &AppState) -> u16 {
    main::detail_max_scroll(s)
}

/// How far the selected topic's text scrolls.
pub fn learn_detail_max_scroll(s: &AppState) -> u16 {
    learn::detail_max_scroll(s)
}

/// How far the preview overlay scrolls.
pub fn preview_max_scroll(s: &AppState) -> u16 {
    preview::max_scroll_of(s)
}

/// How far the explorer's method detail scrolls.
pub fn explorer_detail_max_scroll(s: &AppState) -> u16 {
    detail::max_scroll(s)
}

/// How far the selected exchange's detail scrolls.
pub fn evidence_detail_max_scroll(s: &AppState) -> u16 {
    evidence::detail_max_scroll(s)
}

pub fn render(f: &mut Frame, s: &AppState) {
    let area = f.area();
    let theme = Theme { color: s.color };
    if layout::too_small(area) {
        too_small(f, area, s, &theme);
        return;
    }
    let fr = layout::frame(area);
    header(f, fr.header, s, &theme);
    match s.screen {
        Screen::Form => form::draw(f, s, &theme),
        Screen::Demo => demo::draw(f, s, &theme),
        Screen::Main => main::draw(f, s, &theme),
        Screen::Evidence => evidence::draw(f, s, &theme),
        Screen::Learn => learn::draw(f, s, &theme),
        Screen::Explorer => explorer::draw(f, s, &theme),
        Screen::Audit => audit::draw(f, s, &theme),
    }
    footer(f, fr.footer, s, &theme);
    if s.preview.is_some() {
        preview::draw(f, s, &theme);
    }
    if s.flow.is_some() {
        flow::draw(f, s, &theme);
    }
    if s.help {
        help::draw(f, s, &theme);
    }
    if let Some(m) = &s.fix {
        fix::draw(f, s, m, &theme);
    }
    if s.quit_prompt {
        quit_prompt(f, &theme);
    }
}

/// Esc at the root: "Quit cors-doctor?".
fn quit_prompt(f: &mut Frame, theme: &Theme) {
    let area = layout::centered(f.area(), 44, 5);
    f.render_widget(ratatui::widgets::Clear, area);
    let inner = framed(f, area, "Quit cors-doctor?", true, theme);
    f.render_widget(
        Paragraph::new(vec![
            Line::raw(""),
            Line::from(vec![
                Span::styled(" enter", theme.key()),
                Span::raw("/"),
                Span::styled("y", theme.key()),
                Span::raw(" quit    "),
                Span::styled("esc", theme.key()),
                Span::raw("/"),
                Span::styled("n", theme.key()),
                Span::raw(" stay"),
            ]),
        ]),
        inner,
    );
}

/// Draws a bordered, titled block over `area` and returns the area inside it.
fn framed(f: &mut Frame, area: Rect, title: &str, focused: bool, theme: &Theme) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// A detail pane's text: wrapped, and scrolled down by `scroll` lines.
fn scrolled<'a>(text: impl Into<Text<'a>>, scroll: u16) -> Paragraph<'a> {
    Paragraph::new(text)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
}

/// How far a wrapped text can scroll in `area`: its rows once wrapped at the area's width,
/// less the rows shown. 0 when it fits.
pub fn max_scroll(text: &Text, area: Rect) -> u16 {
    if area.width == 0 {
        return 0;
    }
    let total = Paragraph::new(text.clone())
        .wrap(Wrap { trim: false })
        .line_count(area.width);
    u16::try_from(total.saturating_sub(usize::from(area.height))).unwrap_or(u16::MAX)
}

/// Draws `text` wrapped in `region` (inside the bordered `block`), scrolled by `scroll`
/// (clamped to the real end). When it does not fit: a scrollbar on the block's right border
/// beside the region, and the position ("lines 4–11 of 23 ↓") in the block's bottom border.
fn draw_scrolled(f: &mut Frame, block: Rect, region: Rect, text: Text, scroll: u16, theme: &Theme) {
    use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState};
    let max = max_scroll(&text, region);
    let scroll = scroll.min(max);
    f.render_widget(scrolled(text, scroll), region);
    if max == 0 || region.height == 0 {
        return;
    }
    let total = usize::from(max) + usize::from(region.height);
    let mut bar = ScrollbarState::new(usize::from(max))
        .position(usize::from(scroll))
        .viewport_content_length(usize::from(region.height));
    let track = Rect::new(block.right().saturating_sub(1), region.y, 1, region.height);
    f.render_stateful_widget(
        Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None)
            .track_symbol(Some("│"))
            .thumb_symbol("█")
            .style(theme.dim()),
        track,
        &mut bar,
    );
    let first = usize::from(scroll) + 1;
    let last = usize::from(scroll) + usize::from(region.height);
    let arrows = match (scroll > 0, scroll < max) {
        (true, true) => "↑↓",
        (true, false) => "↑",
        _ => "↓",
    };
    let pos = format!(" lines {first}–{last} of {total} {arrows} ");
    let w = u16::try_from(pos.chars().count()).unwrap_or(u16::MAX);
    if block.width > w + 4 && block.height > 1 {
        let at = Rect::new(block.right() - w - 2, block.bottom() - 1, w, 1);
        f.render_widget(Paragraph::new(Span::styled(pos, theme.dim())), at);
    }
}

/// The "terminal too small" screen: what is needed, and how to get out.
fn too_small(f: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let quit = s.keymap.key_for(super::keymap::Action::Quit);
    let lines = vec![
        Line::styled("Terminal too small", theme.error()),
        Line::raw(format!(
            "This window is {}×{}; cors-doctor needs at least {}×{}.",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        )),
        Line::raw("Enlarge the window (or the font smaller) and the screen comes back."),
        Line::styled(format!("{quit} quits."), theme.dim()),
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

fn header(f: &mut Frame, area: Rect, s: &AppState, theme: &Theme) {
    let mut crumbs = vec![Span::styled("cors-doctor", theme.title())];
    for part in breadcrumb(s) {
        crumbs.push(Span::styled(" › ", theme.dim()));
        crumbs.push(Span::styled(part, theme.bold()));
    }
    let mut lines = vec![Line::from(crumbs)];
    let on_diagnosis = match s.screen {
        Screen::Main | Screen::Evidence | Screen::Explorer => true,
        Screen::Learn | Screen::Form => s.below(Screen::Main),
        Screen::Demo | Screen::Audit => false,
    };
    match &s.diag {
        Some(d) if on_diagnosis => {
            lines.push(target_line(d, theme));
            lines.push(context_line(d, theme));
        }
        _ => {
            let what = match s.screen {
                Screen::Demo => {
                    "Broken example APIs on a local API Gateway simulator: Enter diagnoses one"
                }
                Screen::Learn => "What each step checks, and the words CORS and API Gateway use",
                Screen::Audit => {
                    "Every REST and HTTP API of the account, read (reads only) and checked for CORS traps"
                }
                _ => "What does the browser app request?",
            };
            lines.push(Line::raw(what));
            lines.push(Line::styled(
                "Finds the real cause behind \"blocked by CORS policy\" on API Gateway",
                theme.dim(),
            ));
        }
    }
    let width = usize::from(area.width);
    let lines: Vec<Line> = lines.into_iter().map(|l| ellipsized(l, width)).collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// `line` cut to `width` columns, ending in `…` when something was cut (so that a cut is
/// never mistaken for the whole text).
fn ellipsized(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width || width == 0 {
        return line;
    }
    let mut left = width - 1;
    let mut spans = Vec::new();
    for span in line.spans {
        if left == 0 {
            break;
        }
        let w = span.width();
        if w <= left {
            left -= w;
            spans.push(span);
        } else {
            let mut text = String::new();
            for c in span.content.chars() {
                let cw = unicode_width(c);
                if cw > left {
                    break;
                }
                left -= cw;
                text.push(c);
            }
            spans.push(Span::styled(text, span.style));
            left = 0;
        }
    }
    spans.push(Span::raw("…"));
    Line::from(spans)
}

/// Columns a character takes (wide CJK and emoji: 2), as ratatui counts them.
fn unicode_width(c: char) -> usize {
    Span::raw(c.to_string()).width()
}

/// Where the user is, one crumb a level: `Demo › options-missing › Step 4 › Evidence x1`.
pub fn breadcrumb(s: &AppState) -> Vec<String> {
    let mut out = Vec::new();
    for screen in s.back.iter().chain(std::iter::once(&s.screen)) {
        match screen {
            Screen::Demo => out.push("Demo".to_string()),
            Screen::Form => out.push("Target".to_string()),
            Screen::Main => {
                if let Some(d) = &s.diag {
                    out.push(match &d.plan.shown().scenario {
                        Some(sc) => sc.name.clone(),
                        None => format!(
                            "{} {}",
                            d.plan.shown().target.method,
                            d.plan.shown().target.url.path()
                        ),
                    });
                }
                out.push(format!("Step {}", s.selected_step_number()));
            }
            Screen::Evidence => {
                let id = s.diag.as_ref().and_then(|d| {
                    d.exchange_list()
                        .get(s.evidence.list.sel)
                        .map(|x| x.id.clone())
                });
                out.push(match id {
                    Some(id) => format!("Evidence {id}"),
                    None => "Evidence".to_string(),
                });
            }
            Screen::Learn => {
                out.push("Learn".to_string());
                if let Some(t) = s.learning.text.topics.get(s.learning.list.sel) {
                    out.push(t.title.clone());
                }
            }
            Screen::Explorer => out.push("API explorer".to_string()),
            Screen::Audit => out.push("Audit".to_string()),
        }
    }
    out
}

/// "PUT https://…/prod/items · origin https://app.example.com · credentials include".
fn target_line<'a>(d: &Diagnosis, theme: &Theme) -> Line<'a> {
    let t = &d.plan.shown().target;
    let mut rest = format!(" · origin {}", t.origin);
    if t.credentials != crate::target::CredentialsMode::SameOrigin {
        rest.push_str(&format!(" · credentials {}", t.credentials.as_str()));
    }
    Line::from(vec![
        Span::styled(format!("{} ", t.method), theme.bold()),
        Span::raw(crate::redact::url(t.url.as_str())),
        Span::styled(rest, theme.dim()),
    ])
}

/// The scenario (title and description), or the API; whether the configuration was read;
/// the AWS state (profile, region, account, or the credentials error and its command).
fn context_line<'a>(d: &Diagnosis, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    let aws = aws_state(d);
    if let AwsState::CredentialsError { next } = &aws {
        spans.push(Span::styled("AWS: no valid credentials", theme.error()));
        if let Some(next) = next {
            spans.push(Span::styled(" — run ", theme.error()));
            spans.push(Span::styled(next.clone(), theme.command()));
        }
        return Line::from(spans);
    }
    if let Some(sc) = &d.plan.shown().scenario {
        spans.push(Span::styled(sc.spec.title.clone(), theme.bold()));
        spans.push(Span::styled(format!(": {}", sc.spec.summary), theme.dim()));
    } else {
        let t = &d.plan.shown().target;
        let (id, stage, kind) = match &d.report {
            Some(r) => (
                r.api.id.clone(),
                r.api.stage.clone(),
                r.api.kind.to_string(),
            ),
            None => {
                let r = ApiRef::from_url(&t.url);
                (
                    r.as_ref().map(|r| r.api_id.clone()),
                    r.and_then(|r| r.stage),
                    "…".to_string(),
                )
            }
        };
        spans.push(Span::styled(
            match id {
                Some(id) => format!("API {id}/{} ({kind})", stage.as_deref().unwrap_or("-")),
                None => format!("API id unknown ({kind})"),
            },
            theme.dim(),
        ));
    }
    let (config, bad) = config_state(d);
    spans.push(Span::styled(" · ", theme.dim()));
    spans.push(Span::styled(
        config,
        if bad { theme.warn() } else { theme.dim() },
    ));
    spans.push(Span::styled(" · ", theme.dim()));
    spans.push(Span::styled(aws.text(), theme.dim()));
    Line::from(spans)
}

/// Whether the configuration was read, and from where; true when it was asked for and
/// could not be read.
fn config_state(d: &Diagnosis) -> (String, bool) {
    let Some(r) = &d.report else {
        return match (&d.config_detail, d.running()) {
            (Some(c), _) => (format!("config: {c}"), false),
            (None, true) => ("config: reading…".to_string(), false),
            (None, false) => ("config not read".to_string(), false),
        };
    };
    match (r.api.config_source.as_str(), &r.api.config_unavailable) {
        ("sdk", _) => ("config read from AWS".to_string(), false),
        ("openapi", _) if d.plan.shown().scenario.is_some() => {
            ("config read from the scenario".to_string(), false)
        }
        ("openapi", _) => ("config read from the --openapi file".to_string(), false),
        (_, Some(why)) => (format!("config not read: {why}"), true),
        _ => ("config not read (probes only)".to_string(), false),
    }
}

/// What the header says of AWS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwsState {
    /// No AWS lookups: `--no-aws`, or a demo (its configuration is the scenario's).
    Off { demo: bool },
    /// The profile, the region and (once known) the account and principal.
    On {
        profile: String,
        region: Option<String>,
        identity: Option<String>,
    },
    /// No valid credentials: the command that gets them (`check` exits 2 with the same).
    CredentialsError { next: Option<String> },
}

impl AwsState {
    pub fn text(&self) -> String {
        match self {
            AwsState::Off { demo: true } => "AWS not used (demo)".to_string(),
            AwsState::Off { demo: false } => "AWS off (--no-aws)".to_string(),
            AwsState::On {
                profile,
                region,
                identity,
            } => {
                let mut t = format!("AWS profile {profile}");
                if let Some(r) = region {
                    t.push_str(&format!(", {r}"));
                }
                if let Some(i) = identity {
                    t.push_str(&format!(", {i}"));
                }
                t
            }
            AwsState::CredentialsError { next: Some(n) } => {
                format!("AWS: no valid credentials — run {n}")
            }
            AwsState::CredentialsError { next: None } => "AWS: no valid credentials".to_string(),
        }
    }
}

/// The AWS state of a diagnosis. A credentials error is the one `check` stops on (exit 2):
/// the run fails with it, or the report says the configuration could not be read for it.
pub fn aws_state(d: &Diagnosis) -> AwsState {
    let failed = match &d.phase {
        super::state::Phase::Failed(e) => Some(e.as_str()),
        _ => None,
    };
    let unavailable = d
        .report
        .as_ref()
        .and_then(|r| r.api.config_unavailable.as_deref());
    if let Some(e) = failed
        .into_iter()
        .chain(unavailable)
        .find(|e| e.contains("no valid AWS credentials"))
    {
        let next = e
            .lines()
            .find_map(|l| l.trim().strip_prefix("next: "))
            .map(|n| n.split("   (").next().unwrap_or(n).trim().to_string());
        return AwsState::CredentialsError { next };
    }
    let aws = &d.plan.shown().aws;
    if !aws.enabled || d.plan.shown().scenario.is_some() {
        return AwsState::Off {
            demo: d.plan.shown().scenario.is_some(),
        };
    }
    AwsState::On {
        profile: d.aws_profile.clone(),
        region: aws
            .region
            .clone()
            .or_else(|| d.report.as_ref().and_then(|r| r.api.region.clone())),
        identity: d.report.as_ref().and_then(|r| r.aws_identity.clone()),
    }
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
        let items = if s.help || s.quit_prompt || s.preview.is_some() || s.flow.is_some() {
            Vec::new()
        } else {
            s.keymap.footer(s.context())
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
        if s.help {
            spans.push(Span::styled("any key", theme.key()));
            spans.push(Span::raw(" close"));
        } else if s.preview.is_some() && !s.quit_prompt {
            spans.push(Span::styled("esc", theme.key()));
            spans.push(Span::raw(" close  "));
            spans.push(Span::styled("j/k", theme.key()));
            spans.push(Span::raw(" scroll"));
        } else if s.flow.is_some() && !s.quit_prompt {
            spans.push(Span::styled("esc", theme.key()));
            spans.push(Span::raw(" close  "));
            spans.push(Span::styled("←/→", theme.key()));
            spans.push(Span::raw(" exchange"));
        }
        for (i, item) in fit_footer(items, width).into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(item.key, theme.key()));
            spans.push(Span::raw(format!(" {}", item.hint)));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The footer items that fit in `width`, most useful first: every `always` item is kept
/// (learn, and `? more` last); the others are taken in order while they fit.
fn fit_footer(items: Vec<FooterItem>, width: usize) -> Vec<FooterItem> {
    let cost = |i: &FooterItem| i.key.chars().count() + 1 + i.hint.chars().count() + 2;
    let (always, optional): (Vec<FooterItem>, Vec<FooterItem>) =
        items.into_iter().partition(|i| i.always);
    let mut used: usize = always.iter().map(cost).sum();
    let mut out = Vec::new();
    for item in optional {
        // The last item needs no gap after it.
        if used + cost(&item) <= width + 2 {
            used += cost(&item);
            out.push(item);
        }
    }
    out.extend(always);
    out
}
