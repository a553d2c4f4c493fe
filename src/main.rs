//! The `webhook-dedup` command: parses the command line and runs the headless
//! mode or the terminal UI on the shared core.

mod headless;
mod interactive;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, ValueEnum};
use webhook_dedup::core::mapping::{FieldMap, Source, parse_map_value};

/// Largest `--wait-lock` accepted, in seconds (one day).
const MAX_WAIT_LOCK_SECONDS: f64 = 86_400.0;

/// Process webhook deliveries exactly once: deduplicate a batch of events by
/// event_id against a persisted store of processed ids, and show what was
/// processed, skipped as a duplicate, or rejected as malformed, and why.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Events file (JSON array, JSON Lines or concatenated JSON values), a directory of *.json and *.jsonl files, or `-` for standard input
    #[arg(value_name = "EVENTS")]
    pub events: PathBuf,

    /// The id store file: one processed event id per line
    #[arg(long, value_name = "PATH", default_value = "processed_events.txt")]
    pub store: PathBuf,

    /// Print one line per event on stdout instead of starting the terminal UI
    #[arg(long)]
    pub headless: bool,

    /// Headless output format [default: text]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Read the store but never write it; ids processed in this run live in memory only
    #[arg(long)]
    pub dry_run: bool,

    /// Largest batch accepted, in events
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = parse_max_events, allow_negative_numbers = true)]
    pub max_events: usize,

    /// How long to wait for another process's lock on the store, in seconds (decimals allowed)
    #[arg(long, value_name = "SECONDS", default_value = "0", value_parser = parse_wait_lock, allow_negative_numbers = true)]
    pub wait_lock: Duration,

    /// The shape of the events: the provider whose export or capture they are
    #[arg(long, value_name = "SOURCE", default_value = "events", value_parser = source_parser())]
    pub source: Source,

    /// Read a field at a JSON Pointer instead of where the source puts it. FIELD is event_id, event_type, timestamp or payload, and an empty pointer means the whole object. Repeatable, and one value may contain several pairs separated by commas
    #[arg(long, value_name = "FIELD=POINTER", value_parser = parse_map)]
    pub map: Vec<MapArg>,
}

/// The pairs of one `--map` value.
#[derive(Debug, Clone)]
pub struct MapArg(pub Vec<FieldMap>);

/// Headless output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One plain line per event
    Text,
    /// One JSON object per line
    Json,
}

/// Makes a write past the file size limit (`ulimit -f`) fail with `EFBIG`
/// instead of killing the process with SIGXFSZ. The store's partial line is then
/// cut off, and the run ends with a store error (exit 1), as on a full disk.
fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler and
    // runs before any other thread exists.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

fn parse_max_events(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(count) if count >= 1 => Ok(count),
        Err(error) if *error.kind() == std::num::IntErrorKind::PosOverflow => Err(format!(
            "{text} is larger than the largest count this machine can hold ({}); pass a smaller number",
            usize::MAX
        )),
        _ => Err(format!(
            "{text:?} is not a whole number of events of 1 or more; pass for example 50000"
        )),
    }
}

fn parse_wait_lock(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds; pass for example 10 or 0.5"))?;
    if !(0.0..=MAX_WAIT_LOCK_SECONDS).contains(&seconds) {
        return Err(format!("{text} is outside 0 to {MAX_WAIT_LOCK_SECONDS} seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn source_parser() -> impl TypedValueParser<Value = Source> {
    let values = Source::ALL.map(|source| PossibleValue::new(source.name()).help(source.summary()));
    PossibleValuesParser::new(values).map(|name| Source::from_name(&name).expect("clap accepts only listed names"))
}

fn parse_map(text: &str) -> Result<MapArg, String> {
    parse_map_value(text).map(MapArg).map_err(|error| error.to_string())
}

fn main() -> ExitCode {
    ignore_file_size_signal();
    let cli = Cli::parse();

    let reason_for_headless = if cli.headless {
        None
    } else if cli.format == Some(Format::Json) {
        Some("--format json was given")
    } else if cli.events.as_os_str() == "-" {
        Some("the events come from standard input")
    } else if !std::io::stdout().is_terminal() {
        Some("standard output is not a terminal")
    } else {
        None
    };
    let interactive = !cli.headless && reason_for_headless.is_none();
    if let Some(reason) = reason_for_headless {
        eprintln!("webhook-dedup: running headless because {reason}");
    }

    let result = if interactive {
        interactive::run(&cli)
    } else {
        headless::run(&cli)
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("webhook-dedup: error: {}", failure.message);
            ExitCode::from(failure.exit_code)
        }
    }
}
