//! Styles. With NO_COLOR, meaning is carried by marks and modifiers (bold, reverse,
//! underline) alone.

use ratatui::style::{Color, Modifier, Style};

use super::state::StepState;
use crate::diagnose::StepStatus;

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

impl Theme {
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }
    /// The selected row: reversed, in color or not.
    pub fn selected(&self, focused: bool) -> Style {
        let s = Style::new().add_modifier(Modifier::REVERSED);
        if focused {
            s.add_modifier(Modifier::BOLD)
        } else {
            s
        }
    }
    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.dim()
        }
    }
    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn command(&self) -> Style {
        self.fg(Color::Yellow)
    }
    /// A CORS header that is present and fine.
    pub fn header_ok(&self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }
    /// A CORS header the browser rejects, or one that is missing.
    pub fn header_bad(&self) -> Style {
        self.fg(Color::Red)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn status_style(&self, s: StepStatus) -> Style {
        match s {
            StepStatus::Pass => self.good(),
            StepStatus::Fail => self.error(),
            StepStatus::Warn => self.warn().add_modifier(Modifier::BOLD),
            StepStatus::Skip => self.dim(),
            StepStatus::Unknown => self.fg(Color::Magenta),
        }
    }

    /// The mark and word of a step's state, and its style.
    pub fn step(&self, state: StepState, tick: usize) -> (&'static str, &'static str, Style) {
        match state {
            StepState::Pending => ("·", "pending", self.dim()),
            StepState::Running => (
                SPINNER[tick % SPINNER.len()],
                "running",
                self.fg(Color::Cyan),
            ),
            StepState::Gathered => ("○", "ready", self.fg(Color::Blue)),
            StepState::Done(s) => {
                let (mark, word) = match s {
                    StepStatus::Pass => ("✔", "pass"),
                    StepStatus::Fail => ("✘", "FAIL"),
                    StepStatus::Warn => ("!", "warn"),
                    StepStatus::Skip => ("-", "skip"),
                    StepStatus::Unknown => ("?", "unknown"),
                };
                (mark, word, self.status_style(s))
            }
        }
    }

    pub fn spinner(tick: usize) -> &'static str {
        SPINNER[tick % SPINNER.len()]
    }
}
