//! Whole-screen snapshots of the inspector at 80x24 and 120x40, drawn into a
//! `TestBackend` over the worked example.

mod tui_common;
use tui_common as common;

use common::{Fixture, new_app, screen, type_keys};
use webhook_dedup::tui::app::App;

fn assert_screens(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), screen(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), screen(app, 120, 40));
}

#[test]
fn screen_at_start() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let app = new_app(batch, &stored, store);
    assert_screens("start", &app);
}

#[test]
fn screen_after_three_steps() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "nnn");
    assert_screens("three_steps", &app);
}

#[test]
fn screen_at_end_of_batch_with_malformed_events() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "r");
    assert_screens("end_of_batch", &app);
}

#[test]
fn screen_duplicate_with_different_payload() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "rkkk");
    assert_eq!(app.selected(), Some(4));
    assert_screens("duplicate_payload_differs", &app);
}

#[test]
fn screen_help_overlay() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "nn?");
    assert_screens("help", &app);
}

#[test]
fn screen_filtered_to_duplicates() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "rfff");
    assert_screens("filter_duplicate", &app);
}

#[test]
fn screen_search_being_typed() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "nnnnn/evt_00");
    assert_screens("search", &app);
}

#[test]
fn screen_terminal_too_small() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let app = new_app(batch, &stored, store);
    insta::assert_snapshot!("too_small_59x15", screen(&app, 59, 15));
    insta::assert_snapshot!("too_small_20x4", screen(&app, 20, 4));
}

#[test]
fn screen_draws_at_every_size_down_to_1x1() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    let states = ["", "nnnn", "?", "?/", "\u{1b}/evt_00", "\u{1b}\u{1b}r\tjjj\tjjj"];
    for keys in states {
        for key in keys.chars() {
            match key {
                '\u{1b}' => common::press(&mut app, ratatui::crossterm::event::KeyCode::Esc),
                '\t' => common::press(&mut app, ratatui::crossterm::event::KeyCode::Tab),
                c => type_keys(&mut app, &c.to_string()),
            }
        }
        // Every size up to 12x12, then sizes around the layout's thresholds.
        let small = (1..=12).flat_map(|w| (1..=12).map(move |h| (w, h)));
        let widths = [13, 20, 40, 59, 60, 61, 80, 84];
        let heights = [1, 2, 3, 4, 7, 15, 16, 17, 24, 26];
        let larger = widths
            .into_iter()
            .flat_map(|w| heights.into_iter().map(move |h| (w, h)));
        for (width, height) in small.chain(larger) {
            common::draw(&app, width, height);
        }
    }
}

#[test]
fn screen_returns_to_normal_after_1x1() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "nnn");
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    let draw = |terminal: &mut ratatui::Terminal<ratatui::backend::TestBackend>| {
        terminal
            .draw(|frame| webhook_dedup::tui::ui::draw(frame, &app))
            .unwrap();
        terminal.backend().to_string()
    };
    let before = draw(&mut terminal);

    terminal.backend_mut().resize(1, 1);
    assert_eq!(draw(&mut terminal), "\"T\"\n");
    terminal.backend_mut().resize(80, 24);

    assert_eq!(draw(&mut terminal), before);
}
