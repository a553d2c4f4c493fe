//! The detail pane: the selected event's fields, its validation result and
//! outcome, how a duplicate compares with its first occurrence, and its payload
//! as indented JSON. Under `--source` or `--map`, the provider object it was
//! mapped from follows. The app formats both once per selection.

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
use crate::tui::detail::not_an_object;
use crate::tui::text;
use crate::tui::ui::theme::{Theme, status_text};

/// Width of the field names on the left.
const LABEL_WIDTH: usize = 11;

/// Maximum number of key paths the comparison of a duplicate names, so that a
/// payload rewritten throughout does not push everything else out of the pane.
const MAX_NAMED_KEYS: usize = 8;

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

    let detail = app.detail();
    let mut parts = vec![Part::Styled(summary.lines), Part::Json(&detail.payload_lines)];
    if !detail.original_lines.is_empty() {
        let mut heading = Summary {
            lines: vec![Line::raw("")],
            width,
            theme,
        };
        heading.push("original", "the object as read, before mapping", theme.label());
        parts.push(Part::Styled(heading.lines));
        parts.push(Part::Json(&detail.original_lines));
    }

    let total = parts.iter().map(Part::len).sum();
    app.view.detail_lines.set(total);
    let top = app.detail_scroll().min(total.saturating_sub(rows));
    frame.render_widget(Paragraph::new(window(parts, top, rows, width)), inner);
}

/// A run of the pane's lines: built for this frame, or cached JSON lines, of
/// which only those on screen are cut to the pane's width.
enum Part<'a> {
    Styled(Vec<Line<'static>>),
    Json(&'a [String]),
}

impl Part<'_> {
    fn len(&self) -> usize {
        match self {
            Part::Styled(lines) => lines.len(),
            Part::Json(lines) => lines.len(),
        }
    }
}

/// Returns the `rows` lines from line `top` of the parts laid end to end.
fn window(parts: Vec<Part<'_>>, top: usize, rows: usize, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::with_capacity(rows);
    let mut skip = top;
    for part in parts {
        let room = rows - lines.len();
        let len = part.len();
        if skip >= len {
            skip -= len;
            continue;
        }
        match part {
            Part::Styled(styled) => lines.extend(styled.into_iter().skip(skip).take(room)),
            Part::Json(json) => lines.extend(
                json[skip..]
                    .iter()
                    .take(room)
                    .map(|line| Line::raw(text::cut(line, width).into_owned())),
            ),
        }
        skip = 0;
    }
    lines
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
        if let Some(file) = app.session().file_of(event.index) {
            // One line, cut at the start: the files of a directory often share a
            // prefix, and the end of the name distinguishes them.
            let room = self.width.saturating_sub(LABEL_WIDTH).max(1);
            self.push("file", &text::cut_start(file, room), Style::new());
        }

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

        let heading = if not_an_object(event).is_some() {
            "value"
        } else {
            "payload"
        };
        let shown = if app.detail().payload_lines.is_empty() {
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

/// Lists the key paths that differ, escaped, naming at most [`MAX_NAMED_KEYS`]
/// and counting the rest: `changed amount; added refund`.
fn describe(diff: &PayloadDiff) -> String {
    let mut parts = Vec::new();
    let (mut named, mut unnamed) = (0, 0);
    for (word, keys) in [
        ("changed", &diff.changed),
        ("added", &diff.added),
        ("removed", &diff.removed),
    ] {
        let names: Vec<_> = keys
            .iter()
            .take(MAX_NAMED_KEYS - named)
            .map(|key| escape_display(key))
            .collect();
        named += names.len();
        unnamed += keys.len() - names.len();
        if !names.is_empty() {
            parts.push(format!("{word} {}", names.join(", ")));
        }
    }
    if parts.is_empty() {
        return "no key differs".to_owned();
    }
    let mut text = parts.join("; ");
    if unnamed > 0 {
        text.push_str(&format!("; and {unnamed} more"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn describe_names_each_kind_of_difference() {
        let diff = PayloadDiff {
            added: keys(&["retry"]),
            removed: keys(&["reason"]),
            changed: keys(&["amount", "object.name"]),
        };
        assert_eq!(
            describe(&diff),
            "changed amount, object.name; added retry; removed reason"
        );
    }

    #[test]
    fn describe_counts_the_keys_past_the_limit() {
        let changed: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
        let diff = PayloadDiff {
            added: keys(&["a"]),
            removed: Vec::new(),
            changed,
        };
        assert_eq!(describe(&diff), "changed k0, k1, k2, k3, k4, k5, k6, k7; and 3 more");
    }

    #[test]
    fn describe_escapes_key_names() {
        let diff = PayloadDiff {
            changed: keys(&["a\u{1b}b"]),
            ..PayloadDiff::default()
        };
        assert_eq!(describe(&diff), "changed a\\u{1b}b");
    }
}
