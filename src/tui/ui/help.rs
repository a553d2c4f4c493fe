//! The help overlay: every key binding, read from the key map, and what the
//! statuses mean.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::app::App;
use crate::tui::keys::{self, Binding};
use crate::tui::ui::theme::Theme;

/// Width of the key column: the longest label, "PgUp Ctrl-B", and a space.
const KEY_WIDTH: usize = 12;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lines = help_lines(theme);
    let width = area.width.saturating_sub(2).min(84);
    let height = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    let block = Block::new()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" Help: ? Esc q close ", theme.title()));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);

    let rows = usize::from(inner.height);
    app.view.help_rows.set(rows);
    app.view.help_lines.set(lines.len());
    let top = app.help_scroll().min(lines.len().saturating_sub(rows));
    let block = if top + rows < lines.len() {
        block.title_bottom(Span::styled(" ↓ j for more ", theme.key()))
    } else {
        block
    };
    frame.render_widget(block, popup);
    let shown: Vec<Line> = lines.into_iter().skip(top).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn help_lines(theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let section = |lines: &mut Vec<Line<'static>>, heading: &'static str, bindings: &[Binding]| {
        lines.push(Line::styled(heading, theme.title()));
        for binding in bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<KEY_WIDTH$}", binding.label), theme.key()),
                Span::raw(binding.description),
            ]));
        }
    };
    section(&mut lines, "Keys", keys::NORMAL);
    section(&mut lines, "While typing a search", keys::SEARCH);
    section(&mut lines, "In this help", keys::HELP);

    lines.push(Line::styled("Statuses", theme.title()));
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("✓ processed", theme.processed()),
        Span::raw(" id new, appended to the store  "),
        Span::styled("= duplicate", theme.duplicate()),
        Span::raw(" id seen before, skipped"),
    ]));
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled("✗ malformed", theme.malformed()),
        Span::raw(" broke a rule, skipped, id not claimed  "),
        Span::styled("pending", theme.label()),
        Span::raw(" not stepped yet"),
    ]));
    lines.push(Line::raw("  The selection follows each step until you move it;"));
    lines.push(Line::raw("  move it back to the latest step to follow again."));
    lines.push(Line::raw("  In the store pane, + marks an id added in this session."));
    lines
}
