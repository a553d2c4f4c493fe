//! The header: the events file, the store and its mode, the counts, and the
//! progress through the batch.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::{App, StoreMode};
use crate::tui::text;
use crate::tui::ui::theme::Theme;

/// Rows the header takes.
pub const ROWS: u16 = 3;

const FILLED: &str = "━";
const UNFILLED: &str = "─";

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let session = app.session();
    let width = usize::from(area.width);
    let names = Line::from(vec![
        Span::styled("webhook-dedup", theme.title()),
        Span::styled("  events ", theme.label()),
        Span::raw(text::cut(&session.events_name, width / 2).into_owned()),
        Span::styled("  store ", theme.label()),
        Span::raw(session.store_name.clone()),
    ]);

    let (mode, mode_style) = match session.mode {
        StoreMode::Live => ("LIVE store locked until quit", theme.live()),
        StoreMode::DryRun => ("DRY RUN store not written", theme.dry_run()),
        StoreMode::EmptyBatch => ("EMPTY BATCH store only read", theme.dry_run()),
    };
    let replay = app.replay();
    let counts = replay.counts();
    let pending = replay.batch().len() - counts.total();
    let status = Line::from(vec![
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
    ]);

    let progress = progress_line(app, width, theme);
    frame.render_widget(Paragraph::new(vec![names, status, progress]), area);
}

/// A bar of thick and thin rules, readable without colour, then the step count
/// and the play state.
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
