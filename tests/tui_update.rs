//! The inspector's state changes, driven by keys through the real key map,
//! against real store files.

mod tui_common;
use tui_common as common;

use std::io::Write as _;

use common::{Fixture, WORKED_STORE, draw, new_app, press, screen, type_keys};
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use webhook_dedup::core::pipeline::{FirstSeen, Outcome};
use webhook_dedup::tui::app::{Action, Filter, Focus, InputMode, MessageKind};

#[test]
fn step_appends_the_id_before_reporting_processed() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);

    type_keys(&mut app, "n");

    assert_eq!(app.replay().outcome(0), Some(&Outcome::Processed));
    assert_eq!(fixture.store_bytes(), b"evt_legacy\nevt_older\nevt_001\n");
    assert_eq!(app.selected(), Some(0));
}

#[test]
fn step_back_restores_the_store_byte_for_byte() {
    // A store without its final newline: the first step adds one before its id.
    let before = b"evt_legacy\nevt_older";
    let fixture = Fixture::new(common::WORKED_EXAMPLE, Some(before));
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);

    type_keys(&mut app, "nn");
    assert_eq!(fixture.store_bytes(), b"evt_legacy\nevt_older\nevt_001\nevt_002\n");

    type_keys(&mut app, "uu");
    assert_eq!(fixture.store_bytes(), before);
    assert_eq!(app.replay().outcome(0), None);
    assert_eq!(app.replay().counts().total(), 0);

    type_keys(&mut app, "n");
    assert_eq!(fixture.store_bytes(), b"evt_legacy\nevt_older\nevt_001\n");
}

#[test]
fn step_back_duplicate_keeps_store() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "nnn");
    let after_three = fixture.store_bytes();

    press(&mut app, KeyCode::Left);

    assert_eq!(fixture.store_bytes(), after_three);
    assert_eq!(app.replay().steps().len(), 2);
    assert_eq!(app.selected(), Some(1), "the selection follows the step back");
}

#[test]
fn step_back_refused_after_outside_change() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "n");
    // A tool that ignores the lock appends a line.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(fixture.store_path())
        .unwrap();
    file.write_all(b"evt_by_hand\n").unwrap();
    let changed = fixture.store_bytes();

    type_keys(&mut app, "u");

    assert_eq!(fixture.store_bytes(), changed);
    assert_eq!(app.replay().outcome(0), Some(&Outcome::Processed));
    let message = app.message().unwrap();
    assert_eq!(message.kind, MessageKind::Error);
    assert!(message.text.contains("step back is refused"), "{}", message.text);
    assert_eq!(app.store_error(), None, "a refused step back does not stop stepping");
}

#[test]
fn dry_run_steps_never_write_the_store() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(true);
    let mut app = new_app(batch, &stored, store);

    type_keys(&mut app, "r");

    assert_eq!(fixture.store_bytes(), WORKED_STORE);
    assert_eq!(app.replay().added().len(), 3);
    assert!(screen(&app, 80, 24).contains("DRY RUN"));
}

#[test]
fn play_steps_on_each_tick_until_paused() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);

    app.update(Action::PlayTick);
    assert_eq!(app.replay().steps().len(), 0, "a tick does nothing before play");

    type_keys(&mut app, " ");
    assert!(app.is_playing());
    app.update(Action::PlayTick);
    app.update(Action::PlayTick);
    assert_eq!(app.replay().steps().len(), 2);

    type_keys(&mut app, " ");
    assert!(!app.is_playing());
    app.update(Action::PlayTick);
    assert_eq!(app.replay().steps().len(), 2);
}

#[test]
fn play_stops_at_the_end_of_the_batch() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, " ");

    for _ in 0..20 {
        app.update(Action::PlayTick);
    }

    assert!(app.replay().is_done());
    assert!(!app.is_playing());
}

#[test]
fn speed_changes_within_its_range() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    let start = app.speed();

    type_keys(&mut app, "+");
    assert!(app.speed() > start);
    type_keys(&mut app, &"-".repeat(20));
    assert_eq!(app.speed(), 1);
    type_keys(&mut app, &"+".repeat(20));
    assert_eq!(app.speed(), 500);
}

#[test]
fn run_to_end_steps_every_event() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);

    type_keys(&mut app, "r");

    let counts = app.replay().counts();
    assert_eq!((counts.processed, counts.duplicates, counts.malformed), (3, 3, 2));
    assert_eq!(
        fixture.store_bytes(),
        b"evt_legacy\nevt_older\nevt_001\nevt_002\nevt_004\n"
    );
    assert_eq!(app.selected(), Some(7));
}

#[test]
fn filter_cycles_through_the_statuses() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "nnnn");

    type_keys(&mut app, "f");
    assert_eq!(app.filter(), Filter::Pending);
    assert_eq!(app.visible(), [4, 5, 6, 7]);
    type_keys(&mut app, "f");
    assert_eq!(app.visible(), [0, 1]);
    type_keys(&mut app, "f");
    assert_eq!(app.visible(), [2]);
    type_keys(&mut app, "f");
    assert_eq!(app.visible(), [3]);
    type_keys(&mut app, "f");
    assert_eq!(app.filter(), Filter::All);
    assert_eq!(app.visible().len(), 8);
    type_keys(&mut app, "F");
    assert_eq!(app.filter(), Filter::Malformed);
}

#[test]
fn filter_keeps_the_selection_on_a_shown_event() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "rg");

    type_keys(&mut app, "fff");

    assert_eq!(app.visible(), [2, 4, 7]);
    assert_eq!(app.selected(), Some(2));
}

#[test]
fn filter_pending_narrows_with_steps() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "f");

    type_keys(&mut app, "nn");

    assert_eq!(app.visible(), [2, 3, 4, 5, 6, 7]);
}

#[test]
fn search_narrows_by_id_substring() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);

    type_keys(&mut app, "/002");
    assert_eq!(app.input_mode(), InputMode::Search);
    assert_eq!(app.visible(), [1, 4]);

    press(&mut app, KeyCode::Enter);
    assert_eq!(app.input_mode(), InputMode::Normal);
    assert_eq!(app.search(), "002");
    assert_eq!(app.visible(), [1, 4]);

    type_keys(&mut app, "/");
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    type_keys(&mut app, "EVT");
    assert!(app.visible().is_empty(), "the search is case-sensitive");
    assert_eq!(app.selected(), None);

    press(&mut app, KeyCode::Esc);
    assert_eq!(app.search(), "");
    assert_eq!(app.visible().len(), 8);
}

#[test]
fn search_typing_takes_letters_that_are_keys_elsewhere() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);

    type_keys(&mut app, "/legacy q");

    assert_eq!(app.search(), "legacy q");
    assert!(!app.should_quit());
    assert_eq!(app.replay().steps().len(), 0);
}

#[test]
fn jump_selects_the_first_occurrence_of_a_duplicate() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "rkkk");
    assert_eq!(app.selected(), Some(4));

    type_keys(&mut app, "o");

    assert_eq!(app.selected(), Some(1));
}

#[test]
fn jump_clears_hiding_filter() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "rfffkk");
    assert_eq!(app.visible(), [2, 4, 7]);
    assert_eq!(app.selected(), Some(2));

    type_keys(&mut app, "o");

    assert_eq!(app.filter(), Filter::All);
    assert_eq!(app.selected(), Some(0));
}

#[test]
fn jump_from_previous_run_duplicate() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "r");
    assert!(matches!(
        app.replay().outcome(7),
        Some(Outcome::Duplicate {
            first_seen: FirstSeen::PreviousRun,
            ..
        })
    ));

    type_keys(&mut app, "o");

    assert_eq!(app.selected(), Some(7));
    assert!(app.message().unwrap().text.contains("previous run"));
}

#[test]
fn selection_follows_steps_until_moved() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "nnn");
    assert_eq!(app.selected(), Some(2));

    type_keys(&mut app, "k");
    type_keys(&mut app, "nn");
    assert_eq!(app.selected(), Some(1), "moved away: the selection stays");
    assert!(!app.follows_step());

    type_keys(&mut app, "jjj");
    assert!(app.follows_step(), "back on the latest step: it follows again");
    type_keys(&mut app, "n");
    assert_eq!(app.selected(), Some(5));
}

#[test]
fn detail_shows_which_payload_fields_differ() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "rkkk");

    let (first, diff) = app.detail().diff.clone().unwrap();

    assert_eq!(first, 1);
    assert_eq!(diff.changed, ["amount"]);
    assert_eq!(diff.added, ["retry"]);
    assert_eq!(diff.removed, ["reason"]);
    assert!(screen(&app, 120, 40).contains("differs from #1: changed amount; added retry; removed reason"));
}

#[test]
fn tab_moves_focus_between_panes() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);

    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus(), Focus::Detail);
    draw(&app, 80, 24);
    let last_top = app.view.detail_lines.get() - app.view.detail_rows.get();
    assert!(last_top > 0, "the detail pane overflows at 80x24");
    type_keys(&mut app, &"j".repeat(last_top + 5));
    assert_eq!(app.detail_scroll(), last_top, "scrolling stops at the end");
    type_keys(&mut app, "k");
    assert_eq!(app.detail_scroll(), last_top - 1);
    assert_eq!(app.selected(), Some(0));

    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus(), Focus::Store);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus(), Focus::Events);
}

#[test]
fn help_opens_closes_and_keeps_q_from_quitting() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);

    type_keys(&mut app, "?");
    assert_eq!(app.input_mode(), InputMode::Help);
    type_keys(&mut app, "q");
    assert_eq!(app.input_mode(), InputMode::Normal);
    assert!(!app.should_quit());
    type_keys(&mut app, "q");
    assert!(app.should_quit());
}

#[test]
fn esc_clears_the_filter_before_quitting() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "f");

    press(&mut app, KeyCode::Esc);
    assert_eq!(app.filter(), Filter::All);
    assert!(!app.should_quit());

    press(&mut app, KeyCode::Esc);
    assert!(app.should_quit());
}

#[test]
fn store_error_stops_stepping() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "n");
    // Another process replaces the store file under the session.
    let replacement = fixture.dir.path().join("other.txt");
    std::fs::write(&replacement, b"evt_other\n").unwrap();
    std::fs::rename(&replacement, fixture.store_path()).unwrap();

    type_keys(&mut app, "n");

    assert!(app.store_error().unwrap().contains("was replaced or removed"));
    assert_eq!(
        app.replay().steps().len(),
        1,
        "#1 needed a write, so it is still pending"
    );
    assert_eq!(app.replay().outcome(1), None);
    assert_eq!(fixture.store_bytes(), b"evt_other\n");
    type_keys(&mut app, "nr u ");
    assert_eq!(
        app.replay().steps().len(),
        1,
        "no step, back or forward, after the error"
    );
    assert!(!app.is_playing());
    assert!(screen(&app, 80, 24).contains("Stepping has stopped"));

    let finished = app.finish();
    assert!(finished.store_error.is_some());
}

#[test]
fn wide_characters_keep_the_columns_aligned() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let app = new_app(batch, &stored, store);
    let terminal = draw(&app, 120, 40);
    let buffer = terminal.backend().buffer();

    // Row 5 shows event #0 (ASCII type), row 10 event #5 (CJK type).
    let timestamp_x = |y: u16| {
        (0..buffer.area.width)
            .find(|&x| buffer[(x, y)].symbol() == "2" && buffer[(x + 1, y)].symbol() == "0")
            .unwrap()
    };
    assert_eq!(buffer[(0, 10)].symbol(), "┃", "row 10 is inside the table");
    assert_eq!(timestamp_x(5), timestamp_x(10));
}

#[test]
fn no_color_draws_without_any_colour() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "r");
    let coloured = |app: &webhook_dedup::tui::app::App| {
        let terminal = draw(app, 100, 30);
        terminal
            .backend()
            .buffer()
            .content
            .iter()
            .any(|cell| cell.fg != Color::Reset || cell.bg != Color::Reset)
    };
    assert!(coloured(&app), "with colour allowed, statuses are coloured");

    let (batch, store, stored) = {
        drop(app);
        fixture.open(true)
    };
    let mut app = common::new_app_without_color(batch, &stored, store);
    type_keys(&mut app, "r?");
    assert!(!coloured(&app));
}

#[test]
fn event_text_is_escaped_in_every_pane() {
    let batch = r#"{"event_id": "evt\u001b[2J\u202e", "event_type": "t\u0085", "timestamp": "2024-01-15T08:00:07Z", "payload": {"k\u001b[31m": "\u2028line"}}"#;
    let fixture = Fixture::new(batch, None);
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "n");

    let terminal = draw(&app, 120, 40);
    let buffer = terminal.backend().buffer();
    let raw = buffer
        .content
        .iter()
        .flat_map(|cell| cell.symbol().chars())
        .find(|&c| webhook_dedup::core::escape::is_escaped(c));
    assert_eq!(raw, None, "no control character reaches the screen");

    let text = terminal.backend().to_string();
    assert_eq!(
        text.matches(r"evt\u{1b}[2J\u{202e}").count(),
        3,
        "table, detail and store pane:\n{text}"
    );
    assert!(text.contains(r"t\u{85}"));
    assert!(text.contains(r#""k\u001b[31m": "\u{2028}line""#), "{text}");
}

#[test]
fn filter_empty_keeps_selection_place() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "r");
    assert_eq!(app.selected(), Some(7));

    type_keys(&mut app, "f");
    assert_eq!(app.selected(), None, "no event is pending");
    type_keys(&mut app, "f");
    assert_eq!(app.selected(), Some(5), "the processed event nearest #7");
    type_keys(&mut app, "f");
    assert_eq!(app.selected(), Some(7));
}

#[test]
fn store_pane_scrolls_from_its_end() {
    let store: Vec<u8> = (0..100).flat_map(|i| format!("evt_old{i:03}\n").into_bytes()).collect();
    let fixture = Fixture::new(common::WORKED_EXAMPLE, Some(&store));
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.focus(), Focus::Store);
    assert!(screen(&app, 80, 24).contains("evt_old099"), "the newest ids show first");

    press(&mut app, KeyCode::Home);
    assert_eq!(app.store_scroll(), Some(0));
    assert!(screen(&app, 80, 24).contains("evt_old000"));
    type_keys(&mut app, "j");
    assert_eq!(app.store_scroll(), Some(1));

    press(&mut app, KeyCode::End);
    assert_eq!(app.store_scroll(), None);
    type_keys(&mut app, "n");
    assert!(
        screen(&app, 80, 24).contains("+ evt_001"),
        "an id added now shows at the end"
    );
}

#[test]
fn store_pane_title_counts_one_id() {
    let fixture = Fixture::new(common::WORKED_EXAMPLE, None);
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    assert!(screen(&app, 80, 24).contains(" Store 0 ids (+0) "));

    type_keys(&mut app, "n");
    assert!(screen(&app, 80, 24).contains(" Store 1 id (+1) "));

    type_keys(&mut app, "n");
    assert!(screen(&app, 80, 24).contains(" Store 2 ids (+2) "));
}
