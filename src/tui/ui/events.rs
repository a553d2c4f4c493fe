//! The events table: one row per shown event, built only for the rows on screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Scrollbar, ScrollbarOrientation, ScrollbarState, Table, TableState};

use crate::core::event::Event;
use crate::core::pipeline::{FirstSeen, Outcome};
use crate::tui::app::{App, Filter, Focus};
use crate::tui::text;
use crate::tui::ui::theme::{Theme, status_text};

const HIGHLIGHT: &str = "> ";
const STATUS_WIDTH: u16 = 11;
/// Columns of a UTC timestamp (`2024-01-15T08:00:07Z`), and of the longest
/// valid one (nine fraction digits and an offset), the most a wide terminal
/// gives the column when the batch has timestamps that long.
const TIMESTAMP_WIDTH: u16 = 20;
const LONGEST_TIMESTAMP_WIDTH: usize = 35;
const WIDE_TABLE: u16 = 110;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border(app.focus() == Focus::Events))
        .border_type(theme.border_type(app.focus() == Focus::Events))
        .title(title(app, theme));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let visible = app.visible();
    let rows = usize::from(inner.height.saturating_sub(1));
    app.view.table_rows.set(rows);
    if visible.is_empty() {
        let note = if app.replay().batch().is_empty() {
            "the batch is empty"
        } else {
            "no event matches the filter and search; Esc clears them"
        };
        frame.render_widget(Line::styled(note, theme.label()), inner);
        return;
    }

    let selected_row = app
        .selected()
        .map(|selected| visible.partition_point(|&i| i < selected))
        .unwrap_or(0)
        .min(visible.len() - 1);
    let offset = keep_in_view(app.view.table_offset.get(), selected_row, rows, visible.len());
    app.view.table_offset.set(offset);

    let widths = column_widths(app, inner.width);
    let names = ["#", "status", "event_id", "event_type", "timestamp", "note"];
    let header = Row::new(
        names
            .iter()
            .zip(widths)
            .map(|(name, width)| text::cut(name, usize::from(width)).into_owned()),
    )
    .style(theme.label());
    let replay = app.replay();
    let shown = &visible[offset..(offset + rows).min(visible.len())];
    let body = shown
        .iter()
        .map(|&index| event_row(&replay.batch()[index], replay.outcome(index), &widths, theme));
    let table = Table::new(body, widths.map(Constraint::Length))
        .header(header)
        .column_spacing(1)
        .highlight_symbol(HIGHLIGHT)
        .row_highlight_style(theme.selected());
    let mut state = TableState::new().with_selected(Some(selected_row - offset));
    frame.render_stateful_widget(table, inner, &mut state);

    if visible.len() > rows {
        let mut scroll = ScrollbarState::new(visible.len().saturating_sub(rows)).position(offset);
        let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None);
        frame.render_stateful_widget(bar, area.inner(ratatui::layout::Margin::new(0, 1)), &mut scroll);
    }
}

fn title(app: &App, theme: Theme) -> Line<'static> {
    let total = app.replay().batch().len();
    let mut spans = vec![Span::styled(" Events ", theme.title())];
    if app.filter() != Filter::All || !app.search().is_empty() {
        let mut narrowing = format!("{} of {}", text::count(app.visible().len()), text::count(total));
        if app.filter() != Filter::All {
            narrowing.push_str(&format!(", status {}", app.filter().label()));
        }
        if !app.search().is_empty() {
            narrowing.push_str(&format!(", id contains \"{}\"", text::event_text(app.search(), 30)));
        }
        spans.push(Span::raw(format!("{narrowing} ")));
    } else {
        spans.push(Span::raw(format!("{} ", text::count(total))));
    }
    Line::from(spans)
}

/// Returns the first row to show so that the selected row is on screen,
/// moving the view as little as possible from where it was.
fn keep_in_view(offset: usize, selected: usize, rows: usize, len: usize) -> usize {
    if rows == 0 {
        return selected;
    }
    let offset = offset.min(len.saturating_sub(rows));
    if selected < offset {
        selected
    } else if selected >= offset + rows {
        selected + 1 - rows
    } else {
        offset
    }
}

/// Widths of the six columns for a table `width` columns wide, laid out the
/// way the table lays them out, so that text can be cut to fit with `…`.
///
/// The id and type columns get the width of their widest value when that leaves
/// the note a third of the flexible room. Otherwise they share what is left in
/// proportion to those widths.
fn column_widths(app: &App, width: u16) -> [u16; 6] {
    let last_index = app.replay().batch().len().saturating_sub(1);
    let index_width = last_index.to_string().len().max(1) as u16;
    let room = width.saturating_sub(HIGHLIGHT.len() as u16);
    let (widest_id, widest_type, widest_timestamp) = app.text_widths();
    let timestamp_width = if width >= WIDE_TABLE {
        widest_timestamp.clamp(usize::from(TIMESTAMP_WIDTH), LONGEST_TIMESTAMP_WIDTH) as u16
    } else {
        TIMESTAMP_WIDTH
    };
    let [index, status, flexible, timestamp] = Rect::new(0, 0, room, 1).layout(
        &Layout::horizontal([
            Constraint::Length(index_width),
            Constraint::Length(STATUS_WIDTH),
            Constraint::Fill(1),
            Constraint::Length(timestamp_width),
        ])
        .spacing(1),
    );

    // The flexible part contains id, type and note, with two spaces between them.
    let flexible_width = usize::from(flexible.width.saturating_sub(2));
    // The headings must fit too.
    let (widest_id, widest_type) = (widest_id.max("event_id".len()), widest_type.max("event_type".len()));
    let for_id_and_type = flexible_width - flexible_width / 3;
    let (id, kind) = if widest_id + widest_type <= for_id_and_type {
        (widest_id, widest_type)
    } else {
        let id = for_id_and_type * widest_id / (widest_id + widest_type);
        (id, for_id_and_type - id)
    };
    let note = flexible_width - id - kind;
    let to_u16 = |value: usize| u16::try_from(value).unwrap_or(u16::MAX);
    [
        index.width,
        status.width,
        to_u16(id),
        to_u16(kind),
        timestamp.width,
        to_u16(note),
    ]
}

fn event_row(event: &Event, outcome: Option<&Outcome>, widths: &[u16; 6], theme: Theme) -> Row<'static> {
    let cut = |value: Option<&str>, column: usize| text::event_text(value.unwrap_or(""), usize::from(widths[column]));
    // The last part of an event type distinguishes related types
    // (`account.external_account.created`, `….deleted`), so its start is cut.
    let event_type = text::event_text_tail(event.event_type.as_deref().unwrap_or(""), usize::from(widths[3]));
    let cells = [
        Cell::from(Line::from(event.index.to_string()).right_aligned()),
        Cell::from(Span::styled(status_text(outcome), theme.status(outcome))),
        Cell::from(cut(event.event_id.as_deref(), 2)),
        Cell::from(event_type),
        Cell::from(cut(event.timestamp.as_deref(), 4)),
        Cell::from(cut(Some(&note(event, outcome)), 5)),
    ];
    Row::new(cells)
}

/// Returns the short note of a stepped event: why it is malformed, or where a
/// duplicate's id was first seen.
pub fn note(event: &Event, outcome: Option<&Outcome>) -> String {
    match outcome {
        Some(Outcome::Malformed) => event.malformed.clone().unwrap_or_default(),
        Some(Outcome::Duplicate {
            first_seen: FirstSeen::Index(first),
            payload_differs,
        }) => {
            let differs = if *payload_differs == Some(true) {
                ", payload differs"
            } else {
                ""
            };
            format!("duplicate of #{first}{differs}")
        }
        Some(Outcome::Duplicate {
            first_seen: FirstSeen::PreviousRun,
            ..
        }) => "seen in a previous run".to_owned(),
        Some(Outcome::Processed) | None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_in_view_moves_minimally() {
        assert_eq!(keep_in_view(0, 3, 5, 100), 0);
        assert_eq!(keep_in_view(0, 5, 5, 100), 1);
        assert_eq!(keep_in_view(10, 4, 5, 100), 4);
        assert_eq!(keep_in_view(98, 99, 5, 100), 95);
    }
}
