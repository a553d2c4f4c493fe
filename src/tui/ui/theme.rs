//! Styles, with colour only when the session may use it. Every status also has
//! a word and a symbol, so that nothing depends on colour alone.

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::BorderType;

use crate::core::pipeline::Outcome;

/// The styles of one session; without colour, only bold, dim and reverse remain.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Returns the style of a status, `None` being pending.
    pub fn status(self, outcome: Option<&Outcome>) -> Style {
        match outcome {
            None => self.label(),
            Some(Outcome::Processed) => self.processed(),
            Some(Outcome::Duplicate { .. }) => self.duplicate(),
            Some(Outcome::Malformed) => self.malformed(),
        }
    }

    pub fn processed(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn duplicate(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn malformed(self) -> Style {
        self.fg(Color::Red)
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn label(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    /// Thick lines for the focused pane, so that focus shows without colour.
    pub fn border_type(self, focused: bool) -> BorderType {
        if focused { BorderType::Thick } else { BorderType::Plain }
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn added(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn info(self) -> Style {
        Style::new()
    }

    pub fn warning(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn live(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn dry_run(self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }
}

/// Returns the symbol and word of a status, `None` being pending.
pub fn status_text(outcome: Option<&Outcome>) -> &'static str {
    match outcome {
        None => "  pending",
        Some(Outcome::Processed) => "✓ processed",
        Some(Outcome::Duplicate { .. }) => "= duplicate",
        Some(Outcome::Malformed) => "✗ malformed",
    }
}
