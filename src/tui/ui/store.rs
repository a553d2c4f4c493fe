//! The store pane: the ids that were in the store when the session started,
//! then those this session added, marked `+`. Only the rows on screen are built,
//! read from the store's own buffer, so a store of a million ids costs nothing
//! more to draw than a small one.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};

use crate::tui::app::{App, Focus, StoreMode};
use crate::tui::text;
use crate::tui::ui::theme::Theme;

const ADDED_MARK: &str = "+ ";
const STORED_MARK: &str = "  ";
/// The start of the pane's title; the counts follow it.
const TITLE: &str = " Store ";

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let replay = app.replay();
    let stored = replay.stored_ids();
    let added = replay.added();
    let total = stored.len() + added.len();
    let live = app.session().mode == StoreMode::Live;
    let room = usize::from(area.width.saturating_sub(2)).saturating_sub(TITLE.len());
    let title = Line::from(vec![
        Span::styled(TITLE, theme.title()),
        Span::raw(title_counts(total, added.len(), live, room)),
    ]);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border(app.focus() == Focus::Store))
        .border_type(theme.border_type(app.focus() == Focus::Store))
        .title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let rows = usize::from(inner.height);
    app.view.store_rows.set(rows);
    if total == 0 {
        frame.render_widget(Line::styled("the store is empty", theme.label()), inner);
        return;
    }

    let bottom = total.saturating_sub(rows);
    let top = app.store_scroll().unwrap_or(bottom).min(bottom);
    let id_width = usize::from(inner.width).saturating_sub(ADDED_MARK.len() + 1);
    let batch = replay.batch();
    let lines: Vec<Line> = (top..(top + rows).min(total))
        .map(|position| match position.checked_sub(stored.len()) {
            None => Line::from(vec![
                Span::raw(STORED_MARK),
                Span::raw(text::event_text(stored.get(position).unwrap_or(""), id_width)),
            ]),
            Some(added_position) => {
                let id = batch[added[added_position]].event_id.as_deref().unwrap_or("");
                Line::from(vec![
                    Span::styled(ADDED_MARK, theme.added()),
                    Span::styled(text::event_text(id, id_width), theme.added()),
                ])
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);

    if total > rows {
        let mut scroll = ScrollbarState::new(bottom).position(top);
        let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None);
        frame.render_stateful_widget(bar, area.inner(Margin::new(0, 1)), &mut scroll);
    }
}

/// Returns the title's counts, `4 ids (+2 unsaved) `, in at most `room` columns.
/// The header already says DRY RUN, so `unsaved` is left out first when the
/// counts do not fit between the pane's corners.
fn title_counts(total: usize, added: usize, live: bool, room: usize) -> String {
    let noun = if total == 1 { "id" } else { "ids" };
    let counts = |unsaved: &str| format!("{} {noun} (+{}{unsaved}) ", text::count(total), text::count(added));
    let full = counts(if live { "" } else { " unsaved" });
    if text::width(&full) <= room {
        return full;
    }
    text::cut(&counts(""), room).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_counts_use_the_singular_for_one_id() {
        assert_eq!(title_counts(1, 1, true, 40), "1 id (+1) ");
        assert_eq!(title_counts(2, 0, true, 40), "2 ids (+0) ");
    }

    #[test]
    fn title_counts_leave_out_unsaved_first() {
        assert_eq!(title_counts(2, 2, false, 40), "2 ids (+2 unsaved) ");
        assert_eq!(title_counts(2, 2, false, 17), "2 ids (+2) ");
        assert_eq!(title_counts(1_000_000, 2, false, 8), "1,000,0…");
    }
}
