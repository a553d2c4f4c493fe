//! Drawing: one module per screen region, laid out here.
//!
//! ```text
//! webhook-dedup  events batch.json  store processed_events.txt      header
//! LIVE store locked  ✓ 3 processed  = 1 duplicate  ✗ 1 malformed  7 pending
//! ━━━━━━━━━━━━━━━━━━━━━━━━───────────────────────────── 5/12  paused 5/s
//! ┌Events───────────────────────────────────────────────────────────────┐
//! │ #  status       event_id     event_type   timestamp      note       │ events
//! │>3  = duplicate  evt_001      payment.ok   2024-01-15T…   duplicate… │
//! └─────────────────────────────────────────────────────────────────────┘
//! ┌Detail #3─────────────────────────────────┐┌Store: 4 ids (+3)────────┐
//! │ valid; duplicate of #0, payload differs  ││  evt_old                │ detail, store
//! │ {                                        ││+ evt_001                │
//! └──────────────────────────────────────────┘└─────────────────────────┘
//! stepped back: event #4 is pending again                             message
//! → l n step  ← h u back  space play  r run  / search  ? help  q quit  footer
//! ```
//!
//! The help overlay is drawn over the whole screen, and below [`MIN_WIDTH`] x
//! [`MIN_HEIGHT`] a notice replaces everything. Drawing only reads the [`App`],
//! apart from the scroll state in [`App::view`].

mod detail;
mod events;
mod footer;
mod header;
mod help;
mod store;
mod theme;
mod too_small;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::tui::app::App;
pub use theme::{Theme, status_text};

/// Narrowest terminal the full layout is drawn in.
pub const MIN_WIDTH: u16 = 60;
/// Shortest terminal the full layout is drawn in.
pub const MIN_HEIGHT: u16 = 16;

/// Draws the whole screen for `app`.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = Theme {
        color: app.session().color,
    };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small::draw(frame, area, theme);
        return;
    }

    let message_rows = footer::message_rows(app, area.width);
    // The table takes half the body at most, and less for a short batch, so
    // that the detail pane gets the rest. Borders and column names take 3 rows.
    let body = area.height.saturating_sub(header::ROWS + message_rows + 1);
    let batch_rows = u16::try_from(app.replay().batch().len()).unwrap_or(u16::MAX);
    let table_height = batch_rows.saturating_add(3).min(body / 2).max(4);
    let [header_area, events_area, lower, message_area, footer_area] = area.layout(&Layout::vertical([
        Constraint::Length(header::ROWS),
        Constraint::Length(table_height),
        Constraint::Fill(1),
        Constraint::Length(message_rows),
        Constraint::Length(1),
    ]));
    let store_width = (area.width / 3).min(48);
    let [detail_area, store_area] = lower.layout(&Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(store_width),
    ]));

    header::draw(frame, header_area, app, theme);
    events::draw(frame, events_area, app, theme);
    detail::draw(frame, detail_area, app, theme);
    store::draw(frame, store_area, app, theme);
    footer::draw_message(frame, message_area, app, theme);
    footer::draw_keys(frame, footer_area, app, theme);
    if app.input_mode() == crate::tui::app::InputMode::Help {
        help::draw(frame, area, app, theme);
    }
}
