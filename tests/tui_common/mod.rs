//! Shared set-up for the UI tests: a batch and a store in a temporary directory,
//! an app over them, keys fed through the real key map, and screens drawn into a
//! `TestBackend`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tempfile::TempDir;
use webhook_dedup::core::event::Event;
use webhook_dedup::core::load::{Batch, EventsInput, load_batch, load_events};
use webhook_dedup::core::mapping::{FieldMap, Mapping, Source};
use webhook_dedup::core::pipeline::Replay;
use webhook_dedup::core::store::{Store, StoreOptions, StoredIds};
use webhook_dedup::tui::app::{App, EventsFile, Session, SourceNote, StoreMode};
use webhook_dedup::tui::keys;

/// A batch that shows every case. It has processed ids, a duplicate with the
/// same payload (#2), a malformed timestamp (#3), a duplicate whose payload
/// differs (#4), wide characters (#5), a missing id (#6), and an id seen in a
/// previous run (#7, with the store of [`WORKED_STORE`]).
pub const WORKED_EXAMPLE: &str = r#"[
{"event_id": "evt_001", "event_type": "payment.succeeded", "timestamp": "2024-01-15T08:00:07Z", "payload": {"amount": 100, "currency": "usd"}},
{"event_id": "evt_002", "event_type": "payment.failed", "timestamp": "2024-01-15T08:01:00Z", "payload": {"amount": 50, "currency": "usd", "reason": "card_declined"}},
{"event_id": "evt_001", "event_type": "payment.succeeded", "timestamp": "2024-01-15T08:00:07Z", "payload": {"currency": "usd", "amount": 100}},
{"event_id": "evt_003", "event_type": "refund.created", "timestamp": "2024-01-15 08:02:00", "payload": {}},
{"event_id": "evt_002", "event_type": "payment.failed", "timestamp": "2024-01-15T08:01:00Z", "payload": {"amount": 75, "currency": "usd", "retry": true}},
{"event_id": "evt_004", "event_type": "注文.作成", "timestamp": "2024-01-15T08:03:00+09:00", "payload": {"note": "😀 発送済み"}},
{"event_type": "ping", "timestamp": "2024-01-15T08:04:00Z", "payload": {}},
{"event_id": "evt_legacy", "event_type": "customer.updated", "timestamp": "2024-01-15T08:05:00Z", "payload": {"id": "cus_1"}}
]"#;

/// The store the worked example starts with: two ids from a previous run.
pub const WORKED_STORE: &[u8] = b"evt_legacy\nevt_older\n";

/// A batch file and a store file in a temporary directory.
pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    /// Writes `batch` and, unless `None`, the store's bytes.
    pub fn new(batch: &str, store: Option<&[u8]>) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("batch.json"), batch).unwrap();
        if let Some(bytes) = store {
            std::fs::write(dir.path().join("store.txt"), bytes).unwrap();
        }
        Fixture { dir }
    }

    pub fn worked_example() -> Fixture {
        Fixture::new(WORKED_EXAMPLE, Some(WORKED_STORE))
    }

    pub fn batch_path(&self) -> PathBuf {
        self.dir.path().join("batch.json")
    }

    pub fn store_path(&self) -> PathBuf {
        self.dir.path().join("store.txt")
    }

    pub fn store_bytes(&self) -> Vec<u8> {
        std::fs::read(self.store_path()).unwrap()
    }

    /// Loads the batch and opens the store, as the command does.
    pub fn open(&self, dry_run: bool) -> (Vec<Event>, Store, StoredIds) {
        let batch = load_events(&EventsInput::File(self.batch_path()), 10_000).unwrap();
        let options = StoreOptions {
            dry_run,
            ..StoreOptions::default()
        };
        let (store, stored) = Store::open(&self.store_path(), options).unwrap();
        (batch, store, stored)
    }
}

/// Returns the path of a provider sample in the repository's `sample-data/providers`.
pub fn provider_sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data/providers")
        .join(path)
}

impl Fixture {
    /// Copies provider samples into the directory `name` of the fixture, and
    /// returns that directory.
    pub fn copy_samples(&self, name: &str, samples: &[&str]) -> PathBuf {
        let directory = self.dir.path().join(name);
        std::fs::create_dir(&directory).unwrap();
        for sample in samples {
            let file_name = Path::new(sample).file_name().unwrap();
            std::fs::copy(provider_sample(sample), directory.join(file_name)).unwrap();
        }
        directory
    }

    /// Loads `input` mapped as `--source` and `--map` give and opens the store live, as
    /// the command does.
    pub fn open_mapped(&self, input: &Path, source: Source, overrides: &[FieldMap]) -> (Batch, Store, StoredIds) {
        let mapping = Mapping::new(source, overrides.iter().cloned()).unwrap();
        let batch = load_batch(&EventsInput::File(input.to_owned()), 10_000, &mapping).unwrap();
        let (store, stored) = Store::open(&self.store_path(), StoreOptions::default()).unwrap();
        (batch, store, stored)
    }
}

/// Builds an app over a mapped batch with the session the command gives it: the source
/// note, and for a directory the file of each event. The events are named by
/// the last part of `input`, so that screens do not show the temporary path.
pub fn new_mapped_app<'s>(
    batch: Batch,
    input: &Path,
    source: Source,
    overrides: &[FieldMap],
    stored: &'s StoredIds,
    store: Store,
) -> App<'s> {
    let files = if input.is_dir() {
        EventsFile::list(&batch.files)
    } else {
        Vec::new()
    };
    let session = Session {
        events_name: input.file_name().unwrap().to_string_lossy().into_owned(),
        store_name: "processed_events.txt".to_owned(),
        mode: StoreMode::Live,
        color: true,
        source: SourceNote::new(source, overrides),
        files,
    };
    App::new(Replay::new(batch.events, stored, store), session, Vec::new())
}

/// An app over an opened fixture, with fixed names so that screens do not
/// depend on the temporary directory.
pub fn new_app(batch: Vec<Event>, stored: &StoredIds, store: Store) -> App<'_> {
    new_app_with_color(batch, stored, store, true)
}

/// Builds an app as [`new_app`] does, drawn without colour, as under `NO_COLOR`.
pub fn new_app_without_color(batch: Vec<Event>, stored: &StoredIds, store: Store) -> App<'_> {
    new_app_with_color(batch, stored, store, false)
}

fn new_app_with_color(batch: Vec<Event>, stored: &StoredIds, store: Store, color: bool) -> App<'_> {
    let mode = if store.is_dry_run() {
        StoreMode::DryRun
    } else {
        StoreMode::Live
    };
    let session = Session {
        events_name: "batch.json".to_owned(),
        store_name: "processed_events.txt".to_owned(),
        mode,
        color,
        source: None,
        files: Vec::new(),
    };
    App::new(Replay::new(batch, stored, store), session, Vec::new())
}

/// Types `typed` one character at a time through the key map.
pub fn type_keys(app: &mut App, typed: &str) {
    for c in typed.chars() {
        press(app, KeyCode::Char(c));
    }
}

/// Presses one key through the key map.
pub fn press(app: &mut App, code: KeyCode) {
    let key = KeyEvent::new(code, KeyModifiers::NONE);
    if let Some(action) = keys::action_for(app.input_mode(), key) {
        app.update(action);
    }
}

/// Draws `app` into a `width` x `height` test terminal and returns it.
pub fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| webhook_dedup::tui::ui::draw(frame, app)).unwrap();
    terminal
}

/// Returns the screen as text, one quoted line per row.
pub fn screen(app: &App, width: u16, height: u16) -> String {
    draw(app, width, height).backend().to_string()
}
