//! The notice shown instead of the layout when the terminal is too small for it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Wrap};

use crate::tui::ui::theme::Theme;
use crate::tui::ui::{MIN_HEIGHT, MIN_WIDTH};

pub fn draw(frame: &mut Frame, area: Rect, theme: Theme) {
    let notice = format!(
        "Terminal too small ({}x{}): enlarge it to at least {MIN_WIDTH}x{MIN_HEIGHT}. q quits.",
        area.width, area.height
    );
    frame.render_widget(
        Paragraph::new(notice).style(theme.warning()).wrap(Wrap { trim: true }),
        area,
    );
}
