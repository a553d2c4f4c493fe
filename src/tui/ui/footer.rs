//! The bottom of the screen: a message line about the last action (or the store
//! error that stopped stepping), and the main key bindings, read from the key
//! map, or the search being typed.

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::app::{App, InputMode, MessageKind};
use crate::tui::keys;
use crate::tui::text;
use crate::tui::ui::theme::Theme;

/// Most rows a message may take before it is cut.
const MAX_MESSAGE_ROWS: usize = 3;

/// Rows the message needs at this width: one at least, so the layout does not
/// jump when a message appears.
pub fn message_rows(app: &App, width: u16) -> u16 {
    let needed = match message(app) {
        Some((text, _)) => text::width(&text).div_ceil(usize::from(width.max(1))),
        None => 1,
    };
    needed.clamp(1, MAX_MESSAGE_ROWS) as u16
}

fn message<'a>(app: &'a App) -> Option<(Cow<'a, str>, MessageKind)> {
    if let Some(error) = app.store_error() {
        let text = format!("Stepping has stopped (q quits, exit status 1): {error}");
        return Some((Cow::Owned(text), MessageKind::Error));
    }
    app.message()
        .map(|message| (Cow::Borrowed(message.text.as_str()), message.kind))
}

pub fn draw_message(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let Some((text, kind)) = message(app) else {
        return;
    };
    let style = match kind {
        MessageKind::Info => theme.info(),
        MessageKind::Warning => theme.warning(),
        MessageKind::Error => theme.error(),
    };
    frame.render_widget(
        Paragraph::new(Line::styled(text.into_owned(), style)).wrap(Wrap { trim: false }),
        area,
    );
}

pub fn draw_keys(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let mode = app.input_mode();
    let mut spans = Vec::new();
    if mode == InputMode::Search {
        let query = text::event_text(app.search(), usize::from(area.width) / 2);
        let cursor_x = area.x + (8 + text::width(&query)) as u16;
        spans.push(Span::styled("search: ", theme.key()));
        spans.push(Span::raw(query));
        spans.push(Span::raw("  "));
        if cursor_x < area.right() {
            frame.set_cursor_position(Position::new(cursor_x, area.y));
        }
    }
    for binding in keys::bindings(mode).iter().filter(|binding| !binding.short.is_empty()) {
        let key = binding.label.split_whitespace().next().unwrap_or(binding.label);
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {}  ", binding.short)));
    }
    frame.render_widget(Line::from(spans), area);
}
