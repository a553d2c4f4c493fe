//! Loading a batch: reading the events file and parsing it as a stream of JSON
//! values.

use std::fmt;
use std::io::{self, Read};
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::core::escape::escape_path;
use crate::core::event::Event;
use crate::core::mapping::Mapping;
use crate::core::parse::{EventsTopLevel, TopLevel};

const BYTE_ORDER_MARK: &[u8] = "\u{feff}".as_bytes();

/// The source of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsInput {
    /// Standard input, named `-` on the command line.
    Stdin,
    File(PathBuf),
}

impl EventsInput {
    /// Reads a command-line argument: `-` is standard input.
    pub fn from_arg(arg: &Path) -> EventsInput {
        if arg.as_os_str() == "-" {
            EventsInput::Stdin
        } else {
            EventsInput::File(arg.to_owned())
        }
    }

    /// Returns the input's name as messages show it.
    pub fn display_name(&self) -> String {
        match self {
            EventsInput::Stdin => "standard input".to_owned(),
            EventsInput::File(path) => escape_path(path),
        }
    }
}

/// An events file that cannot be used. Nothing of it is processed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read events file {name}: {source}; check the path and its permissions")]
    Read { name: String, source: io::Error },

    #[error(
        "events file {name} is not valid JSON at line {line}, byte column {column}: {detail}; fix the file and run again, nothing was processed"
    )]
    Json {
        name: String,
        line: usize,
        column: usize,
        detail: String,
    },

    #[error(
        "events file {name} is not valid UTF-8 at line {line}, byte column {column} (byte 0x{byte:02x}); convert it to UTF-8 and run again, nothing was processed"
    )]
    NotUtf8 {
        name: String,
        line: usize,
        column: usize,
        byte: u8,
    },

    #[error(
        "events file {name} holds more than {max} {noun}; nothing was processed, so pass a larger --max-events to accept the batch",
        noun = if *.max == 1 { "event" } else { "events" }
    )]
    TooManyEvents { name: String, max: usize },

    #[error("cannot read events directory {name}: {source}; check the path and its permissions")]
    ReadDirectory { name: String, source: io::Error },

    #[error(
        "{file}:{line}:{column}: events file is not valid JSON: {detail}; fix the file and run again, nothing in the directory was processed"
    )]
    JsonInDirectory {
        file: String,
        line: usize,
        column: usize,
        detail: String,
    },

    #[error(
        "events directory {name} holds more than {max} events in its files; nothing was processed, so pass a larger --max-events to accept the batch"
    )]
    TooManyEventsInDirectory { name: String, max: usize },
}

/// A batch as loaded, with where its events came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    pub events: Vec<Event>,
    /// The files read, in order, with the indexes of the events each gave:
    /// the events file itself, or the files of a directory. Empty for standard
    /// input.
    pub files: Vec<BatchFile>,
    /// Warnings for the caller to show. None of them stopped the load.
    pub warnings: Vec<LoadWarning>,
}

/// One file of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchFile {
    pub path: PathBuf,
    pub events: Range<usize>,
}

impl Batch {
    /// Returns the file that gave the event at `index`, if the batch came from files.
    pub fn file_of(&self, index: usize) -> Option<&Path> {
        self.files
            .iter()
            .find(|file| file.events.contains(&index))
            .map(|file| file.path.as_path())
    }
}

/// Something about a directory batch that does not stop the run but deserves a
/// warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadWarning {
    /// The directory has no `*.json` or `*.jsonl` file, so the batch is empty.
    NoEventFiles { directory: PathBuf },
    /// A `*.json` or `*.jsonl` entry that is not a regular file (a directory,
    /// a FIFO) was left out.
    NotAFile { path: PathBuf },
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadWarning::NoEventFiles { directory } => write!(
                f,
                "events directory {} contains no *.json or *.jsonl file, so the batch is empty; check the path, or name the files *.json or *.jsonl",
                escape_path(directory)
            ),
            LoadWarning::NotAFile { path } => write!(
                f,
                "skipped {}: not a regular file, and directories are not read recursively",
                escape_path(path)
            ),
        }
    }
}

/// Reads and parses a whole batch in the events shape. At most `max_events`
/// events are accepted.
pub fn load_events(input: &EventsInput, max_events: usize) -> Result<Vec<Event>, LoadError> {
    load_batch(input, max_events, &Mapping::default()).map(|batch| batch.events)
}

/// Reads and parses a whole batch, mapping each value with `mapping`.
///
/// The input is an events file, standard input, or a directory. A directory
/// contributes its `*.json` and `*.jsonl` files in byte order of their names
/// (names matched case-sensitively, dotfiles left out, no recursion, symlinks
/// followed). Indexes and `max_events` count across its files. Any error leaves
/// nothing loaded.
pub fn load_batch(input: &EventsInput, max_events: usize, mapping: &Mapping) -> Result<Batch, LoadError> {
    let name = input.display_name();
    let read_error = |source| LoadError::Read {
        name: name.clone(),
        source,
    };
    let mut batch = Batch::default();
    let bytes = match input {
        EventsInput::Stdin => {
            let mut bytes = Vec::new();
            io::stdin().lock().read_to_end(&mut bytes).map_err(read_error)?;
            bytes
        }
        EventsInput::File(path) => {
            if std::fs::metadata(path).is_ok_and(|meta| meta.is_dir()) {
                load_directory(path, max_events, mapping, &mut batch)?;
                return Ok(batch);
            }
            std::fs::read(path).map_err(read_error)?
        }
    };
    parse_events_into(&bytes, max_events, mapping, &mut batch.events).map_err(|failure| failure.into_error(name))?;
    if let EventsInput::File(path) = input {
        batch.files.push(BatchFile {
            path: path.clone(),
            events: 0..batch.events.len(),
        });
    }
    Ok(batch)
}

fn load_directory(directory: &Path, max_events: usize, mapping: &Mapping, batch: &mut Batch) -> Result<(), LoadError> {
    let dir_name = escape_path(directory);
    let paths = event_files(directory, &mut batch.warnings).map_err(|source| LoadError::ReadDirectory {
        name: dir_name.clone(),
        source,
    })?;
    if paths.is_empty() {
        batch.warnings.push(LoadWarning::NoEventFiles {
            directory: directory.to_owned(),
        });
    }

    for path in paths {
        let file_name = escape_path(&path);
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Read {
            name: file_name.clone(),
            source,
        })?;
        let first = batch.events.len();
        parse_events_into(&bytes, max_events, mapping, &mut batch.events).map_err(|failure| match failure {
            ParseFailure::Json { line, column, detail } => LoadError::JsonInDirectory {
                file: file_name,
                line,
                column,
                detail,
            },
            ParseFailure::NotUtf8 { line, column, byte } => LoadError::JsonInDirectory {
                file: file_name,
                line,
                column,
                detail: format!("byte 0x{byte:02x} is not valid UTF-8, so convert the file to UTF-8"),
            },
            ParseFailure::TooManyEvents { max } => LoadError::TooManyEventsInDirectory {
                name: dir_name.clone(),
                max,
            },
        })?;
        batch.files.push(BatchFile {
            path,
            events: first..batch.events.len(),
        });
    }
    Ok(())
}

/// Lists the event files of a directory in byte order of their names. Entries
/// that match but are not regular files once symlinks are followed are left
/// out with a warning. A symlink that leads nowhere is kept, so that reading it
/// fails with its name instead of losing its events unnoticed.
fn event_files(directory: &Path, warnings: &mut Vec<LoadWarning>) -> io::Result<Vec<PathBuf>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(directory)? {
        let name = entry?.file_name();
        let bytes = name.as_bytes();
        let matches = !bytes.starts_with(b".") && (bytes.ends_with(b".json") || bytes.ends_with(b".jsonl"));
        if matches {
            names.push(name);
        }
    }
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));

    let mut paths = Vec::with_capacity(names.len());
    for name in names {
        let path = directory.join(name);
        match std::fs::metadata(&path) {
            Ok(meta) if !meta.is_file() => warnings.push(LoadWarning::NotAFile { path }),
            _ => paths.push(path),
        }
    }
    Ok(paths)
}

/// The reason a stream of events could not be parsed, before the input is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseFailure {
    Json { line: usize, column: usize, detail: String },
    NotUtf8 { line: usize, column: usize, byte: u8 },
    TooManyEvents { max: usize },
}

impl ParseFailure {
    /// Names the input that failed.
    pub fn into_error(self, name: String) -> LoadError {
        match self {
            ParseFailure::Json { line, column, detail } => LoadError::Json {
                name,
                line,
                column,
                detail,
            },
            ParseFailure::NotUtf8 { line, column, byte } => LoadError::NotUtf8 {
                name,
                line,
                column,
                byte,
            },
            ParseFailure::TooManyEvents { max } => LoadError::TooManyEvents { name, max },
        }
    }
}

/// Parses the bytes of an events file: UTF-8, with an optional byte-order mark,
/// holding JSON values separated by white space. A top-level array contributes
/// each of its elements, any other value is one event.
pub fn parse_events(bytes: &[u8], max_events: usize) -> Result<Vec<Event>, ParseFailure> {
    let mut events = Vec::new();
    parse_events_into(bytes, max_events, &Mapping::default(), &mut events)?;
    Ok(events)
}

/// Parses the bytes of one events file as [`parse_events`] does, mapping each
/// value with `mapping`, and appends the events to `events`. Indexes continue
/// from `events.len()`, and `max_events` counts the events already there.
pub fn parse_events_into(
    bytes: &[u8],
    max_events: usize,
    mapping: &Mapping,
    events: &mut Vec<Event>,
) -> Result<(), ParseFailure> {
    let (body, bom_len) = match bytes.strip_prefix(BYTE_ORDER_MARK) {
        Some(body) => (body, BYTE_ORDER_MARK.len()),
        None => (bytes, 0),
    };

    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            let line_start = body[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |newline| newline + 1);
            let line = 1 + body[..at].iter().filter(|&&b| b == b'\n').count();
            let column = at - line_start + 1 + if line == 1 { bom_len } else { 0 };
            return Err(ParseFailure::NotUtf8 {
                line,
                column,
                byte: body[at],
            });
        }
    };

    // The whole text is valid UTF-8, so it is parsed as a str, which spares the
    // parser checking every string again.
    if mapping.is_identity() {
        return read_events_shape(text, max_events, bom_len, events);
    }
    let mut values = Vec::new();
    for top_level in serde_json::Deserializer::from_str(text).into_iter::<TopLevel>() {
        values.clear();
        match top_level {
            Ok(TopLevel::Elements(elements)) => {
                for element in elements {
                    mapping.expand(element, &mut values);
                }
            }
            Ok(TopLevel::Single(value)) => mapping.expand(value, &mut values),
            Err(error) => return Err(json_failure(&error, bom_len)),
        }
        if events.len() + values.len() > max_events {
            return Err(ParseFailure::TooManyEvents { max: max_events });
        }
        for value in values.drain(..) {
            events.push(mapping.event(events.len(), value));
        }
    }
    Ok(())
}

/// Reads a stream in the events shape straight into events, as the identity
/// mapping would map it but without building a map of each event object.
/// Indexes continue from `events.len()`, and `max_events` counts the events
/// already there.
fn read_events_shape(
    text: &str,
    max_events: usize,
    bom_len: usize,
    events: &mut Vec<Event>,
) -> Result<(), ParseFailure> {
    for top_level in serde_json::Deserializer::from_str(text).into_iter::<EventsTopLevel>() {
        let start = events.len();
        match top_level {
            // Most files are one array: take its vector instead of copying it.
            Ok(EventsTopLevel::Elements(elements)) if events.is_empty() => *events = elements,
            Ok(EventsTopLevel::Elements(elements)) => events.extend(elements),
            Ok(EventsTopLevel::Single(event)) => events.push(event),
            Err(error) => return Err(json_failure(&error, bom_len)),
        }
        if events.len() > max_events {
            return Err(ParseFailure::TooManyEvents { max: max_events });
        }
        for (index, event) in events.iter_mut().enumerate().skip(start) {
            event.index = index;
        }
    }
    Ok(())
}

/// Places a serde_json error in the file: columns count bytes of the file,
/// byte-order mark included.
fn json_failure(error: &serde_json::Error, bom_len: usize) -> ParseFailure {
    let column = error.column() + if error.line() == 1 { bom_len } else { 0 };
    ParseFailure::Json {
        line: error.line(),
        column,
        detail: describe_json_error(error),
    }
}

/// Describes a serde_json error without its position, naming the two limits
/// that valid-looking input can hit.
fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let message = match text.rfind(" at line ") {
        Some(at) => &text[..at],
        None => &text,
    };
    if message.contains("recursion limit exceeded") {
        "values are nested more than 128 levels deep, which is serde_json's recursion limit".to_owned()
    } else if message.contains("surrogate") || message.contains("hex escape") {
        format!("{message} (a \\u escape holds a lone UTF-16 surrogate, which is not a character)")
    } else {
        message.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<Option<String>> {
        parse_events(text.as_bytes(), 100)
            .unwrap()
            .into_iter()
            .map(|e| e.event_id)
            .collect()
    }

    #[test]
    fn every_input_shape_is_read() {
        let one = r#"{"event_id": "a"}"#;
        assert_eq!(ids(&format!("[{one}, {one}]")).len(), 2);
        assert_eq!(ids(&format!("{one}\n{one}\n{one}\n")).len(), 3);
        assert_eq!(ids("{\n  \"event_id\": \"a\"\n}\n"), vec![Some("a".to_owned())]);
        assert_eq!(ids(&format!("[{one}]\n[{one}, {one}]\n[]")).len(), 3);
        assert_eq!(ids(" \n\t").len(), 0);
        assert_eq!(ids(&format!("\u{feff}{one}")).len(), 1);
    }

    #[test]
    fn indexes_count_across_values() {
        let events = parse_events(b"[{}, {}] {} [[]]", 10).unwrap();
        let indexes: Vec<usize> = events.iter().map(|e| e.index).collect();
        assert_eq!(indexes, [0, 1, 2, 3]);
    }

    #[test]
    fn errors_give_line_and_byte_column() {
        let failure = parse_events(b"[\n  {\"a\": 1},\n  {\"b\" 2}\n]", 10).unwrap_err();
        let ParseFailure::Json { line, column, .. } = failure else {
            panic!("{failure:?}")
        };
        assert_eq!((line, column), (3, 8));
    }

    #[test]
    fn bom_counts_in_the_column() {
        let failure = parse_events("\u{feff}{x}".as_bytes(), 10).unwrap_err();
        let ParseFailure::Json { line, column, .. } = failure else {
            panic!("{failure:?}")
        };
        assert_eq!((line, column), (1, 5));
    }

    #[test]
    fn invalid_utf8_names_its_position() {
        let failure = parse_events(b"[\n{\"a\": \"\xc3\x28\"}]", 10).unwrap_err();
        assert_eq!(
            failure,
            ParseFailure::NotUtf8 {
                line: 2,
                column: 8,
                byte: 0xc3
            }
        );
    }

    #[test]
    fn parse_into_continues_indexes() {
        let mut events = parse_events(b"{} {}", 10).unwrap();
        parse_events_into(b"[{}]", 3, &Mapping::default(), &mut events).unwrap();
        let indexes: Vec<usize> = events.iter().map(|e| e.index).collect();
        assert_eq!(indexes, [0, 1, 2]);
        assert_eq!(
            parse_events_into(b"{}", 3, &Mapping::default(), &mut events),
            Err(ParseFailure::TooManyEvents { max: 3 })
        );
    }

    #[test]
    fn stripe_list_elements_are_events() {
        let mapping = Mapping::new(crate::core::mapping::Source::Stripe, []).unwrap();
        let text = br#"{"object": "list", "data": [{"id": "a"}, {"id": "b"}]} [{"id": "c"}]"#;
        let mut events = Vec::new();
        parse_events_into(text, 10, &mapping, &mut events).unwrap();
        let ids: Vec<Option<&str>> = events.iter().map(|e| e.event_id.as_deref()).collect();
        assert_eq!(ids, [Some("a"), Some("b"), Some("c")]);
        assert_eq!(
            parse_events_into(text, 4, &mapping, &mut events),
            Err(ParseFailure::TooManyEvents { max: 4 })
        );
    }

    #[test]
    fn directory_batch_knows_the_file_of_each_event() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("a.json"), "[{}, {}]").unwrap();
        std::fs::write(dir.path().join("b.jsonl"), "{}").unwrap();
        let input = EventsInput::File(dir.path().to_owned());
        let batch = load_batch(&input, 10, &Mapping::default()).unwrap();

        assert_eq!(batch.file_of(1), Some(dir.path().join("a.json").as_path()));
        assert_eq!(batch.file_of(2), Some(dir.path().join("b.jsonl").as_path()));
        assert_eq!(batch.file_of(3), None);
        assert!(batch.warnings.is_empty());
    }

    #[test]
    fn too_many_events_are_rejected() {
        assert_eq!(
            parse_events(b"[{}, {}, {}]", 2),
            Err(ParseFailure::TooManyEvents { max: 2 })
        );
        assert_eq!(parse_events(b"{} {}", 2).unwrap().len(), 2);
    }

    #[test]
    fn deep_nesting_and_lone_surrogates_say_which() {
        let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let Err(ParseFailure::Json { detail, .. }) = parse_events(deep.as_bytes(), 10) else {
            panic!()
        };
        assert!(detail.contains("nested more than 128 levels"), "{detail}");

        let Err(ParseFailure::Json { detail, .. }) = parse_events(br#"{"event_id": "\ud800"}"#, 10) else {
            panic!()
        };
        assert!(detail.contains("lone UTF-16 surrogate"), "{detail}");
    }
}
