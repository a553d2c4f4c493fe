//! The inspector over provider exports read with `--source` and `--map`: the
//! header names the source, the table shows the mapped fields, and the detail
//! pane shows the mapped payload and then the provider object it came from.

mod tui_common;
use tui_common as common;

use std::path::PathBuf;

use common::{Fixture, new_app, new_mapped_app, press, provider_sample, screen, type_keys};
use ratatui::crossterm::event::KeyCode;
use webhook_dedup::core::mapping::{FieldMap, Source, parse_map_value};
use webhook_dedup::core::pipeline::{FirstSeen, Outcome};
use webhook_dedup::tui::app::{App, Focus};

/// Three recordings of one Stripe event id: the first is processed, the second
/// is a duplicate with the same `data`, the third one whose `data` differs in
/// `account_holder_name`.
const STRIPE_BANK_ACCOUNT: [&str; 3] = [
    "stripe/dj-stripe/event_external_account_bank_account_created.json",
    "stripe/dj-stripe/event_external_account_bank_account_deleted.json",
    "stripe/dj-stripe/event_external_account_bank_account_updated.json",
];

const GITHUB_DELIVERIES: &str = "github/hook-delivery-items.json";

fn assert_screens(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), screen(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), screen(app, 120, 40));
}

/// Returns the row of the detail pane's first line of text.
fn detail_top_row(text: &str) -> &str {
    let mut rows = text.lines().skip_while(|row| !row.contains(" Detail "));
    rows.nth(1).unwrap_or("")
}

/// Focuses the detail pane and scrolls it one line at a time, drawing at
/// `width` x `height` as the terminal would, until the original object's
/// heading is the pane's first line.
fn scroll_detail_to_original(app: &mut App, width: u16, height: u16) {
    press(app, KeyCode::Tab);
    assert_eq!(app.focus(), Focus::Detail);
    for _ in 0..200 {
        let text = screen(app, width, height);
        if detail_top_row(&text).contains(" original ") {
            return;
        }
        press(app, KeyCode::Down);
    }
    panic!(
        "the original object's heading never reached the top of the detail pane:\n{}",
        screen(app, width, height)
    );
}

fn maps(text: &str) -> Vec<FieldMap> {
    parse_map_value(text).unwrap()
}

/// A fixture holding the three Stripe recordings in its directory `stripe-events`.
fn stripe_folder() -> (Fixture, PathBuf) {
    let fixture = Fixture::new("", None);
    let directory = fixture.copy_samples("stripe-events", &STRIPE_BANK_ACCOUNT);
    (fixture, directory)
}

#[test]
fn screen_stripe_folder_duplicate_with_different_payload() {
    let (fixture, directory) = stripe_folder();
    let (batch, store, stored) = fixture.open_mapped(&directory, Source::Stripe, &[]);
    let mut app = new_mapped_app(batch, &directory, Source::Stripe, &[], &stored, store);

    type_keys(&mut app, "r");

    assert_eq!(app.selected(), Some(2));
    assert_eq!(
        app.replay().outcome(2),
        Some(&Outcome::Duplicate {
            first_seen: FirstSeen::Index(0),
            payload_differs: Some(true),
        })
    );
    assert_screens("stripe_folder_payload_differs", &app);
}

#[test]
fn screen_stripe_folder_original_object() {
    for (width, height) in [(80, 24), (120, 40)] {
        let (fixture, directory) = stripe_folder();
        let (batch, store, stored) = fixture.open_mapped(&directory, Source::Stripe, &[]);
        let mut app = new_mapped_app(batch, &directory, Source::Stripe, &[], &stored, store);
        type_keys(&mut app, "r");

        scroll_detail_to_original(&mut app, width, height);

        insta::assert_snapshot!(
            format!("stripe_folder_original_{width}x{height}"),
            screen(&app, width, height)
        );
    }
}

#[test]
fn screen_github_deliveries_redelivery() {
    let fixture = Fixture::new("", None);
    let input = provider_sample(GITHUB_DELIVERIES);
    let (batch, store, stored) = fixture.open_mapped(&input, Source::GithubDeliveries, &[]);
    let mut app = new_mapped_app(batch, &input, Source::GithubDeliveries, &[], &stored, store);

    type_keys(&mut app, "nn");

    assert_eq!(app.selected(), Some(1));
    assert_screens("github_deliveries_redelivery", &app);
}

#[test]
fn detail_cache_has_payload_and_original() {
    let (fixture, directory) = stripe_folder();
    let (batch, store, stored) = fixture.open_mapped(&directory, Source::Stripe, &[]);
    let mut app = new_mapped_app(batch, &directory, Source::Stripe, &[], &stored, store);

    type_keys(&mut app, "r");

    let detail = app.detail();
    assert_eq!(detail.payload_lines[..2], ["{", r#"  "object": {"#]);
    assert!(
        detail
            .payload_lines
            .contains(&r#"    "account_holder_name": "Example Holder-Updated","#.to_owned()),
        "{:#?}",
        detail.payload_lines
    );
    assert_eq!(
        detail.original_lines[..2],
        ["{", r#"  "id": "evt_1IuKmFQveW0ONQsdEAB1O64Y","#]
    );
    assert_eq!(
        detail.original_lines[detail.original_lines.len() - 2..],
        [r#"  "type": "account.external_account.updated""#, "}"]
    );
}

#[test]
fn detail_pane_shows_original_after_payload() {
    let (fixture, directory) = stripe_folder();
    let (batch, store, stored) = fixture.open_mapped(&directory, Source::Stripe, &[]);
    let mut app = new_mapped_app(batch, &directory, Source::Stripe, &[], &stored, store);
    type_keys(&mut app, "r");

    let at_top = screen(&app, 120, 40);
    assert!(at_top.contains(" payload    "), "{at_top}");
    assert!(
        at_top.contains(r#""account_holder_name": "Example Holder-Updated","#),
        "{at_top}"
    );

    scroll_detail_to_original(&mut app, 120, 40);
    let scrolled = screen(&app, 120, 40);
    assert!(
        scrolled.contains("original   the object as read, before mapping"),
        "{scrolled}"
    );
    assert!(scrolled.contains(r#""api_version": "2020-08-27","#), "{scrolled}");
    assert!(
        !scrolled.contains(" payload    "),
        "the payload's heading scrolled away"
    );
}

#[test]
fn detail_end_key_reaches_original_end() {
    let (fixture, directory) = stripe_folder();
    let (batch, store, stored) = fixture.open_mapped(&directory, Source::Stripe, &[]);
    let mut app = new_mapped_app(batch, &directory, Source::Stripe, &[], &stored, store);
    type_keys(&mut app, "r");
    press(&mut app, KeyCode::Tab);
    screen(&app, 80, 24);

    press(&mut app, KeyCode::End);

    let text = screen(&app, 80, 24);
    let rows: Vec<&str> = text.lines().collect();
    let bottom = rows.iter().position(|row| row.starts_with("\"┗")).unwrap();
    assert!(rows[bottom - 1].starts_with("\"┃ }"), "{text}");
    assert!(text.contains(r#""type": "account.external_account.updated""#), "{text}");
}

#[test]
fn events_shape_detail_has_no_original() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    type_keys(&mut app, "r");

    assert!(app.detail().original_lines.is_empty());
    press(&mut app, KeyCode::Tab);
    screen(&app, 80, 24);
    press(&mut app, KeyCode::End);
    let text = screen(&app, 80, 24);
    assert!(!text.contains("original"), "{text}");
    assert!(!text.contains("source"), "{text}");
}

#[test]
fn malformed_event_detail_shows_original() {
    let batch = r#"{"id": "evt_1", "type": "charge.succeeded", "created": 1621789667}"#;
    let fixture = Fixture::new(batch, None);
    let input = fixture.batch_path();
    let (batch, store, stored) = fixture.open_mapped(&input, Source::Stripe, &[]);
    let mut app = new_mapped_app(batch, &input, Source::Stripe, &[], &stored, store);

    type_keys(&mut app, "n");

    let text = screen(&app, 120, 40);
    assert!(
        text.contains("validation malformed: payload: /data not found"),
        "{text}"
    );
    assert!(text.contains("│ payload    (none)"), "{text}");
    assert!(
        text.contains("│ original   the object as read, before mapping"),
        "{text}"
    );
    assert_eq!(
        app.detail().original_lines,
        [
            "{",
            r#"  "id": "evt_1","#,
            r#"  "type": "charge.succeeded","#,
            r#"  "created": 1621789667"#,
            "}"
        ]
    );
}

#[test]
fn original_object_is_escaped() {
    let batch = "{\"id\": \"evt_1\", \"type\": \"t\", \"created\": 1, \"data\": {}, \"note\": \"a\u{9b}2J\u{202e}b\\u001b[31m\"}";
    let fixture = Fixture::new(batch, None);
    let input = fixture.batch_path();
    let (batch, store, stored) = fixture.open_mapped(&input, Source::Stripe, &[]);
    let app = new_mapped_app(batch, &input, Source::Stripe, &[], &stored, store);

    let note = &app.detail().original_lines[5];

    assert_eq!(note, r#"  "note": "a\u{9b}2J\u{202e}b\u001b[31m""#);
}

#[test]
fn table_shows_stripe_created_as_rfc_3339() {
    let (fixture, directory) = stripe_folder();
    let (batch, store, stored) = fixture.open_mapped(&directory, Source::Stripe, &[]);
    let app = new_mapped_app(batch, &directory, Source::Stripe, &[], &stored, store);

    assert_eq!(
        app.replay().batch()[0].timestamp.as_deref(),
        Some("2021-05-23T17:07:47Z")
    );
    let text = screen(&app, 80, 24);
    let first_row = text.lines().find(|row| row.contains("evt_1IuKm")).unwrap();
    assert!(first_row.contains("2021-05-23T17:07:47Z"), "{text}");
}

#[test]
fn detail_names_the_file_of_a_directory_batch() {
    let (fixture, directory) = stripe_folder();
    let (batch, store, stored) = fixture.open_mapped(&directory, Source::Stripe, &[]);
    let mut app = new_mapped_app(batch, &directory, Source::Stripe, &[], &stored, store);

    type_keys(&mut app, "r");

    let text = screen(&app, 120, 40);
    assert!(
        text.contains("│ file       event_external_account_bank_account_updated.json"),
        "{text}"
    );
}

#[test]
fn detail_names_no_file_for_a_single_file() {
    let fixture = Fixture::new("", None);
    let input = provider_sample(GITHUB_DELIVERIES);
    let (batch, store, stored) = fixture.open_mapped(&input, Source::GithubDeliveries, &[]);
    let app = new_mapped_app(batch, &input, Source::GithubDeliveries, &[], &stored, store);

    let text = screen(&app, 120, 40);

    assert!(!text.contains("│ file "), "{text}");
}

#[test]
fn header_names_the_source() {
    let fixture = Fixture::new("", None);
    let input = provider_sample(GITHUB_DELIVERIES);
    let (batch, store, stored) = fixture.open_mapped(&input, Source::GithubDeliveries, &[]);
    let app = new_mapped_app(batch, &input, Source::GithubDeliveries, &[], &stored, store);

    let wide = screen(&app, 120, 40);
    let narrow = screen(&app, 80, 24);

    assert!(
        wide.lines().nth(1).unwrap().ends_with("source github-deliveries\""),
        "{wide}"
    );
    assert!(
        narrow.lines().nth(1).unwrap().ends_with("  github-deliveries\""),
        "{narrow}"
    );
}

#[test]
fn header_names_the_map_overrides_where_they_fit() {
    let fixture = Fixture::new("", None);
    let input = provider_sample(GITHUB_DELIVERIES);
    let overrides = maps("timestamp=/throttled_at");
    let (batch, store, stored) = fixture.open_mapped(&input, Source::GithubDeliveries, &overrides);
    let app = new_mapped_app(batch, &input, Source::GithubDeliveries, &overrides, &stored, store);

    let wide = screen(&app, 120, 40);
    let medium = screen(&app, 100, 30);
    let narrow = screen(&app, 80, 24);

    let status = |text: &str| text.lines().nth(1).unwrap().to_owned();
    assert!(
        status(&wide).ends_with("  source github-deliveries + --map timestamp=/throttled_at\""),
        "{wide}"
    );
    assert!(
        status(&medium).ends_with("  source github-deliveries + --map\""),
        "{medium}"
    );
    assert!(status(&narrow).ends_with("  github-deliveries…\""), "{narrow}");
}

#[test]
fn header_escapes_a_map_pointer() {
    let fixture = Fixture::new(r#"{"a": {"b": "evt_1"}}"#, None);
    let input = fixture.batch_path();
    let overrides = maps("event_id=/a\u{1b}[2J");
    let (batch, store, stored) = fixture.open_mapped(&input, Source::Events, &overrides);
    let app = new_mapped_app(batch, &input, Source::Events, &overrides, &stored, store);

    let text = screen(&app, 120, 40);

    assert!(text.contains(r"source events + --map event_id=/a\u{1b}[2J"), "{text}");
    assert!(!text.contains('\u{1b}'));
}
