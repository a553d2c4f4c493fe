//! The headless mode: one report line per event on stdout, the summary and
//! warnings on stderr.

use std::io::{self, BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::ExitCode;

use webhook_dedup::core::escape::{escape_display, escape_path};
use webhook_dedup::core::event::Event;
use webhook_dedup::core::load::{Batch, EventsInput, LoadError, load_batch};
use webhook_dedup::core::mapping::{MapError, Mapping, Source};
use webhook_dedup::core::pipeline::{Dedup, Outcome, run_batch};
use webhook_dedup::core::report::{StoreNote, push_json_line, push_text_line, summary_line};
use webhook_dedup::core::store::{Store, StoreError, StoreOptions, StoredIds};

use crate::{Cli, Format};

/// Exit status of a store failure.
const EXIT_STORE: u8 = 1;
/// Exit status of a usage error or an unusable events file.
const EXIT_USAGE: u8 = 2;

/// How many skipped store lines a warning lists by number.
const LISTED_SKIPPED_LINES: usize = 5;

/// An error that ends the command, with its exit status.
pub struct Failure {
    pub exit_code: u8,
    pub message: String,
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Failure {
        Failure {
            exit_code: EXIT_USAGE,
            message: error.to_string(),
        }
    }
}

impl From<MapError> for Failure {
    fn from(error: MapError) -> Failure {
        Failure {
            exit_code: EXIT_USAGE,
            message: error.to_string(),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        Failure {
            exit_code: EXIT_STORE,
            message: error.to_string(),
        }
    }
}

/// Reads the batch that the command line names, mapped as `--source` and `--map`
/// set, and rejects a store that is one of its files. The headless mode and the
/// UI both load through here, before they open the store.
pub(crate) fn load_checked_batch(cli: &Cli) -> Result<(EventsInput, Batch), Failure> {
    let mapping = Mapping::new(cli.source, cli.map.iter().flat_map(|arg| arg.0.iter().cloned()))?;
    let input = EventsInput::from_arg(&cli.events);
    let batch = load_batch(&input, cli.max_events, &mapping)?;
    for file in &batch.files {
        reject_store_as_input(&file.path, &cli.store)?;
    }
    Ok((input, batch))
}

/// Runs the whole batch and returns the exit status. The events are read and
/// parsed before the store is opened, so an unusable events file wins.
pub fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    let (_, batch) = load_checked_batch(cli)?;
    for warning in &batch.warnings {
        eprintln!("webhook-dedup: warning: {warning}");
    }
    let batch = batch.events;

    let store_name = cli.store.display().to_string();
    let note = |added| {
        if cli.dry_run {
            StoreNote::DryRun
        } else {
            StoreNote::Added(added)
        }
    };
    if batch.is_empty() {
        eprintln!("{}", summary_line(0, &Default::default(), &store_name, note(0)));
        return Ok(ExitCode::SUCCESS);
    }

    let options = StoreOptions {
        dry_run: cli.dry_run,
        wait_lock: cli.wait_lock,
    };
    // A store that cannot be opened ends the command before any event is
    // taken, so no summary is printed: nothing ran.
    let (mut store, stored) = Store::open(&cli.store, options)?;
    for warning in store_warnings(&store_name, &stored) {
        eprintln!("webhook-dedup: warning: {warning}");
    }

    let mut dedup = Dedup::new(&stored, &batch);
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut line = String::new();
    let format = cli.format.unwrap_or(Format::Text);
    let (counts, run_error) = run_batch(&batch, &mut dedup, &mut store, |event: &Event, outcome: &Outcome| {
        line.clear();
        match format {
            Format::Text => push_text_line(&mut line, event, outcome),
            Format::Json => push_json_line(&mut line, event, outcome),
        }
        out.write_all(line.as_bytes())
    });
    let flush_error = out.flush().err();
    let sync_error = store.sync().err();

    eprintln!(
        "{}",
        summary_line(batch.len(), &counts, &store_name, note(counts.processed))
    );
    if let Some(hint) = shape_hint(cli, &batch) {
        eprintln!("webhook-dedup: warning: {hint}");
    }
    if let Some(error) = run_error {
        return Err(Failure {
            exit_code: EXIT_STORE,
            message: error.to_string(),
        });
    }
    if let Some(error) = flush_error {
        return Err(Failure {
            exit_code: EXIT_STORE,
            message: format!("cannot write the report to standard output: {error}"),
        });
    }
    if let Some(error) = sync_error {
        return Err(error.into());
    }

    // The process exits right after a run, so freeing every parsed event and id
    // one allocation at a time would only delay the exit by milliseconds.
    std::mem::forget(dedup);
    std::mem::forget(stored);
    std::mem::forget(batch);
    Ok(ExitCode::SUCCESS)
}

/// Returns a hint when no event of a batch read in the default events shape
/// has an `event_id` field, which is what provider exports look like when
/// `--source` is forgotten.
fn shape_hint(cli: &Cli, batch: &[Event]) -> Option<&'static str> {
    let default_shape = cli.source == Source::Events && cli.map.is_empty();
    let no_ids = batch
        .iter()
        .all(|event| event.malformed.as_deref() == Some("event_id is missing"));
    (default_shape && !batch.is_empty() && no_ids).then_some(
        "no event has an event_id field; if these are provider exports, pass --source stripe, github-deliveries or standard-webhooks, or --map event_id=/POINTER",
    )
}

/// Rejects a store that is an events file itself, which a run would corrupt.
fn reject_store_as_input(events: &Path, store: &Path) -> Result<(), Failure> {
    let (Ok(events_meta), Ok(store_meta)) = (std::fs::metadata(events), std::fs::metadata(store)) else {
        return Ok(());
    };
    if events_meta.dev() == store_meta.dev() && events_meta.ino() == store_meta.ino() {
        return Err(Failure {
            exit_code: EXIT_USAGE,
            message: format!(
                "the store {} is the same file as the events file {}; pass --store with another path",
                escape_path(store),
                escape_path(events)
            ),
        });
    }
    Ok(())
}

/// Returns one warning for skipped store lines and one for a last line without
/// its `\n`, each a sentence without the `webhook-dedup: warning:` prefix.
pub(crate) fn store_warnings(store_name: &str, stored: &StoredIds) -> Vec<String> {
    let name = escape_display(store_name);
    let mut warnings = Vec::new();
    let skipped = &stored.skipped_lines;
    if !skipped.is_empty() {
        let mut numbers: Vec<String> = skipped
            .iter()
            .take(LISTED_SKIPPED_LINES)
            .map(usize::to_string)
            .collect();
        if skipped.len() > LISTED_SKIPPED_LINES {
            numbers.push("…".to_owned());
        }
        warnings.push(format!(
            "store {name}: skipped {} unreadable line{} ({}): not valid UTF-8, or not a valid JSON string; fix or remove {}",
            skipped.len(),
            if skipped.len() == 1 { "" } else { "s" },
            format_args!(
                "{} {}",
                if skipped.len() == 1 { "line" } else { "lines" },
                numbers.join(", ")
            ),
            if skipped.len() == 1 { "it" } else { "them" },
        ));
    }
    if let Some((line, id)) = &stored.unterminated_line {
        warnings.push(format!(
            "store {name}: line {line} ({}) has no final newline; it is read as an id, but may be the torn end of an interrupted write",
            escape_display(id)
        ));
    }
    warnings
}
