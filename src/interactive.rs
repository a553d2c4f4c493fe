//! Starting the terminal UI. As in headless mode, the events are read before the
//! store is opened, and an error before the UI starts is printed the same way,
//! with the same exit status.

use std::io::{self, Write};
use std::process::ExitCode;

use webhook_dedup::core::escape::escape_display;
use webhook_dedup::core::load::Batch;
use webhook_dedup::core::mapping::FieldMap;
use webhook_dedup::core::pipeline::Replay;
use webhook_dedup::core::report::{StoreNote, summary_line};
use webhook_dedup::core::store::{Store, StoreOptions};
use webhook_dedup::tui::app::{App, EventsFile, Session, SourceNote, StoreMode};
use webhook_dedup::tui::terminal::{Ended, run_in_terminal};

use crate::Cli;
use crate::headless::{self, Failure};

/// Exit status of a store failure, or of a terminal that failed under the UI.
const EXIT_FAILURE: u8 = 1;

/// Runs the inspector on the terminal and returns the exit status.
pub fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    let (input, batch) = headless::load_checked_batch(cli)?;
    let load_warnings: Vec<String> = batch
        .warnings
        .iter()
        .map(|warning| format!("warning: {warning}"))
        .collect();
    let files = directory_files(cli, &batch);
    let batch = batch.events;

    // An empty batch writes nothing, so its store is only read, and a missing
    // one is not created, as in headless mode.
    let mode = if cli.dry_run {
        StoreMode::DryRun
    } else if batch.is_empty() {
        StoreMode::EmptyBatch
    } else {
        StoreMode::Live
    };
    let options = StoreOptions {
        dry_run: mode != StoreMode::Live,
        wait_lock: cli.wait_lock,
    };
    let (store, stored) = Store::open(&cli.store, options)?;
    let store_name = cli.store.display().to_string();
    let store_warnings = headless::store_warnings(&store_name, &stored)
        .into_iter()
        .map(|warning| format!("warning: {warning}"));
    let warnings = load_warnings.into_iter().chain(store_warnings).collect();

    let session = Session {
        events_name: input.display_name(),
        store_name: escape_display(&store_name).into_owned(),
        mode,
        color: color_allowed(),
        source: SourceNote::new(cli.source, &overrides(cli)),
        files,
    };
    let app = App::new(Replay::new(batch, &stored, store), session, warnings);
    let ended = run_in_terminal(app);
    Ok(report(ended, &store_name, mode))
}

fn overrides(cli: &Cli) -> Vec<FieldMap> {
    cli.map.iter().flat_map(|arg| arg.0.iter().cloned()).collect()
}

/// Names the file of each event when the batch is a directory's files, so that
/// the detail pane can show where an event came from.
fn directory_files(cli: &Cli, batch: &Batch) -> Vec<EventsFile> {
    if cli.events.is_dir() {
        EventsFile::list(&batch.files)
    } else {
        Vec::new()
    }
}

/// Colours are off when `NO_COLOR` is set to anything but the empty string.
fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// Prints the summary and any error on stderr, and picks the exit status. The
/// terminal may be gone (after SIGHUP), so failed writes are ignored.
fn report(ended: Ended, store_name: &str, mode: StoreMode) -> ExitCode {
    let Ended {
        finished,
        signal,
        terminal_error,
    } = ended;
    let note = match mode {
        StoreMode::DryRun => StoreNote::DryRun,
        StoreMode::Live | StoreMode::EmptyBatch => StoreNote::Added(finished.added),
    };
    let mut stderr = io::stderr().lock();
    let mut summary = summary_line(finished.events, &finished.counts, store_name, note);
    // A session may end before every event was stepped. The summary counts
    // those events, or the counts would seem not to add up.
    let not_stepped = finished.events.saturating_sub(finished.counts.total());
    if not_stepped > 0 {
        let noun = if not_stepped == 1 { "event" } else { "events" };
        summary.push_str(&format!("; {not_stepped} {noun} not stepped"));
    }
    let _ = writeln!(stderr, "{summary}");

    let mut failed = false;
    for error in [finished.store_error, finished.sync_error.map(|e| e.to_string())]
        .into_iter()
        .flatten()
    {
        let _ = writeln!(stderr, "webhook-dedup: error: {error}");
        failed = true;
    }
    if let Some(error) = terminal_error {
        let _ = writeln!(
            stderr,
            "webhook-dedup: error: the terminal failed: {error}; the store was synced, so run again in a working terminal or pass --headless"
        );
        failed = true;
    }

    if failed {
        ExitCode::from(EXIT_FAILURE)
    } else if let Some(number) = signal {
        // The shell's convention for a process ended by a signal.
        ExitCode::from(128u8.saturating_add(number as u8))
    } else {
        ExitCode::SUCCESS
    }
}
