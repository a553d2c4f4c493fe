//! The detail pane: the selected event's fields, its validation result and
//! outcome, how a duplicate compares with its first occurrence, and its payload
//! as indented JSON (formatted once per selection by the app).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph};

use crate::core::diff::PayloadDiff;
use crate::core::escape::escape_display;
use crate::core::event::Event;
use crate::core::pipeline::{FirstSeen, Outcome};
use crate::tui::app::{App, Focus};
use crate::tui::text;
use crate::tui::ui::theme::{Theme, status_text};

/// Width of the field names on the left.
const LABEL_WIDTH: usize = 11;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let title = match app.selected() {
        Some(index) => format!(" Detail #{index} "),
        None => " Detail ".to_owned(),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border(app.focus() == Focus::Detail))
        .border_type(theme.border_type(app.focus() == Focus::Detail))
        .padding(Padding::horizontal(1))
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let rows = usize::from(inner.height);
    app.view.detail_rows.set(rows);
    let Some(index) = app.selected() else {
        frame.render_widget(Line::styled("no event selected", theme.label()), inner);
        return;
    };

    let event = &app.replay().batch()[index];
    let outcome = app.replay().outcome(index);
    let width = usize::from(inner.width);
    let mut summary = Summary {
        lines: Vec::new(),
        width,
        theme,
    };
    summary.fields(event, outcome, app);

    let payload = &app.detail().payload_lines;
    let total = summary.lines.len() + payload.len();
    app.view.detail_lines.set(total);
    let top = app.detail_scroll().min(total.saturating_sub(rows));
    let mut lines: Vec<Line> = summary.lines.into_iter().skip(top).take(rows).collect();
    let payload_top = top.saturating_sub(total - payload.len());
    let room = rows - lines.len();
    lines.extend(
        payload
            .iter()
            .skip(payload_top)
            .take(room)
            .map(|line| Line::raw(text::cut(line, width).into_owned())),
    );
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The lines above the payload, wrapped to the pane's width.
struct Summary {
    lines: Vec<Line<'static>>,
    width: usize,
    theme: Theme,
}

impl Summary {
    fn fields(&mut self, event: &Event, outcome: Option<&Outcome>, app: &App) {
        let absent = "(none)";
        let field = |value: &Option<String>| {
            value
                .as_deref()
                .map_or(absent.to_owned(), |v| escape_display(v).into_owned())
        };
        self.push("event_id", &field(&event.event_id), Style::new());
        self.push("event_type", &field(&event.event_type), Style::new());
        self.push("timestamp", &field(&event.timestamp), Style::new());

        match &event.malformed {
            None => self.push("validation", "valid", self.theme.processed()),
            Some(reason) => self.push(
                "validation",
                &format!("malformed: {}", escape_display(reason)),
                self.theme.malformed(),
            ),
        }

        self.push("outcome", &outcome_text(outcome), self.theme.status(outcome));
        if let Some(Outcome::Duplicate {
            first_seen: FirstSeen::Index(first),
            payload_differs,
        }) = outcome
        {
            let comparison = match (payload_differs, &app.detail().diff) {
                (Some(true), Some((_, diff))) => format!("differs from #{first}: {}", describe(diff)),
                (Some(true), None) => format!("differs from #{first}"),
                _ => format!("same as #{first}"),
            };
            let style = if *payload_differs == Some(true) {
                self.theme.warning()
            } else {
                Style::new()
            };
            self.push("compared", &comparison, style);
        }

        let heading = if event.original.is_some() { "value" } else { "payload" };
        let shown = if event.payload.is_none() && event.original.is_none() {
            absent
        } else {
            ""
        };
        self.push(heading, shown, Style::new());
    }

    /// Adds `label` and `value`, the value wrapped under itself.
    fn push(&mut self, label: &str, value: &str, style: Style) {
        let room = self.width.saturating_sub(LABEL_WIDTH).max(1);
        for (i, piece) in text::wrap(value, room).into_iter().enumerate() {
            let left = if i == 0 { label } else { "" };
            self.lines.push(Line::from(vec![
                Span::styled(format!("{left:<LABEL_WIDTH$}"), self.theme.label()),
                Span::styled(piece, style),
            ]));
        }
    }
}

fn outcome_text(outcome: Option<&Outcome>) -> String {
    let status = status_text(outcome).trim_start();
    match outcome {
        None => "pending: not stepped yet".to_owned(),
        Some(Outcome::Processed) => format!("{status}: its id was added to the store"),
        Some(Outcome::Malformed) => format!("{status}: skipped, its id is not claimed"),
        Some(Outcome::Duplicate {
            first_seen: FirstSeen::Index(first),
            ..
        }) => format!("{status} of #{first}, skipped (o jumps there)"),
        Some(Outcome::Duplicate {
            first_seen: FirstSeen::PreviousRun,
            ..
        }) => format!(
            "{status}, skipped: seen in a previous run (the store keeps ids only, so the payloads cannot be compared)"
        ),
    }
}

/// Lists the top-level keys that differ, escaped: `changed amount; added refund`.
fn describe(diff: &PayloadDiff) -> String {
    let mut parts = Vec::new();
    for (word, keys) in [
        ("changed", &diff.changed),
        ("added", &diff.added),
        ("removed", &diff.removed),
    ] {
        if !keys.is_empty() {
            let names: Vec<_> = keys.iter().map(|key| escape_display(key)).collect();
            parts.push(format!("{word} {}", names.join(", ")));
        }
    }
    if parts.is_empty() {
        return "no top-level key differs".to_owned();
    }
    parts.join("; ")
}
