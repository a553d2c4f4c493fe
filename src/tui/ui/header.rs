//! The header: the events file, the store and its mode, the counts with the
//! provider source on their right, and the progress through the batch.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, SourceNote, StoreMode};
use crate::tui::text;
use crate::tui::ui::theme::Theme;

/// Rows the header takes.
pub const ROWS: u16 = 3;

const FILLED: &str = "━";
const UNFILLED: &str = "─";

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let session = app.session();
    let width = usize::from(area.width);
    let (mode, mode_style, store_use) = match session.mode {
        StoreMode::Live => ("LIVE", theme.live(), ", locked until quit"),
        StoreMode::DryRun => ("DRY RUN", theme.dry_run(), ", read only"),
        StoreMode::EmptyBatch => ("EMPTY BATCH", theme.dry_run(), ", read only"),
    };

    // The names share what the fixed words leave, the events file taking at
    // most half, so that the store's lock note stays in view. They are cut at
    // the start, because the end of a path names the file.
    const TITLE: &str = "webhook-dedup";
    let fixed = TITLE.len() + "  events ".len() + "  store ".len() + store_use.len();
    let room = width.saturating_sub(fixed);
    let events_name = text::cut_start(&session.events_name, room / 2);
    let store_name = text::cut_start(&session.store_name, room - text::width(&events_name));
    let names = Line::from(vec![
        Span::styled(TITLE, theme.title()),
        Span::styled("  events ", theme.label()),
        Span::raw(events_name.into_owned()),
        Span::styled("  store ", theme.label()),
        Span::raw(store_name.into_owned()),
        Span::styled(store_use, mode_style),
    ]);

    let replay = app.replay();
    let counts = replay.counts();
    let pending = replay.batch().len() - counts.total();
    let mut status = vec![
        Span::styled(mode, mode_style),
        Span::raw("  "),
        Span::styled(
            format!("✓ {} processed", text::count(counts.processed)),
            theme.processed(),
        ),
        Span::raw("  "),
        Span::styled(
            format!("= {} duplicate", text::count(counts.duplicates)),
            theme.duplicate(),
        ),
        Span::raw("  "),
        Span::styled(
            format!("✗ {} malformed", text::count(counts.malformed)),
            theme.malformed(),
        ),
        Span::raw("  "),
        Span::styled(format!("{} pending", text::count(pending)), theme.label()),
    ];
    if let Some(note) = &session.source {
        let used = status.iter().map(|span| text::width(&span.content)).sum::<usize>();
        status.extend(source_spans(note, width.saturating_sub(used), theme));
    }
    let status = Line::from(status);

    let progress = progress_line(app, width, theme);
    frame.render_widget(Paragraph::new(vec![names, status, progress]), area);
}

/// Builds the source note, right-aligned in `room` columns after two spaces.
/// It is shortened step by step until it fits: the `--map` pointers go first,
/// then the word `source`, and then the name is cut with `…`. It is left out
/// when fewer than four columns remain for the name.
fn source_spans(note: &SourceNote, room: usize, theme: Theme) -> Vec<Span<'static>> {
    const LABEL: &str = "source ";
    const SHORTEST: usize = 4;
    let room = room.saturating_sub(2);
    if room < SHORTEST {
        return Vec::new();
    }
    let (full, short) = (note.full(), note.short());
    let (label, text) = if LABEL.len() + text::width(&full) <= room {
        (LABEL, full)
    } else if LABEL.len() + text::width(&short) <= room {
        (LABEL, short)
    } else {
        ("", text::cut(&short, room).into_owned())
    };
    let pad = room - label.len() - text::width(&text);
    vec![
        Span::raw(" ".repeat(pad + 2)),
        Span::styled(label, theme.label()),
        Span::raw(text),
    ]
}

/// Builds a bar of thick and thin rules, readable without colour, then the step
/// count and the play state.
fn progress_line(app: &App, width: usize, theme: Theme) -> Line<'static> {
    let replay = app.replay();
    let total = replay.batch().len();
    let done = replay.steps().len();
    let play = if app.is_playing() {
        format!("playing {}/s", app.speed())
    } else {
        format!("paused {}/s", app.speed())
    };
    let label = format!(" {}/{} stepped  {play}", text::count(done), text::count(total));
    let bar_width = width.saturating_sub(text::width(&label));
    // An empty batch has nothing left to step, so its bar is full.
    let filled = (bar_width * done).checked_div(total).unwrap_or(bar_width);
    Line::from(vec![
        Span::styled(FILLED.repeat(filled), theme.processed()),
        Span::styled(UNFILLED.repeat(bar_width - filled), theme.label()),
        Span::raw(label),
    ])
}
