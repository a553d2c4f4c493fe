//! Loading a batch: reading the events file and parsing it as a stream of JSON
//! values.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::core::escape::escape_display;
use crate::core::event::Event;
use crate::core::parse::EventsTopLevel;

const BYTE_ORDER_MARK: &[u8] = "\u{feff}".as_bytes();

/// Where a batch comes from.
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

    /// The input as shown in messages.
    pub fn display_name(&self) -> String {
        match self {
            EventsInput::Stdin => "standard input".to_owned(),
            EventsInput::File(path) => escape_display(&path.display().to_string()).into_owned(),
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
        "events file {name} holds more than {max} events; nothing was processed, so pass a larger --max-events to accept the batch"
    )]
    TooManyEvents { name: String, max: usize },
}

/// Reads and parses a whole batch. At most `max_events` events are accepted.
pub fn load_events(input: &EventsInput, max_events: usize) -> Result<Vec<Event>, LoadError> {
    let name = input.display_name();
    let read_error = |source| LoadError::Read {
        name: name.clone(),
        source,
    };
    let bytes = match input {
        EventsInput::Stdin => {
            let mut bytes = Vec::new();
            io::stdin().lock().read_to_end(&mut bytes).map_err(read_error)?;
            bytes
        }
        EventsInput::File(path) => std::fs::read(path).map_err(read_error)?,
    };
    parse_events(&bytes, max_events).map_err(|failure| failure.into_error(name))
}

/// Why a stream of events could not be parsed, before the input is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseFailure {
    Json { line: usize, column: usize, detail: String },
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
            ParseFailure::TooManyEvents { max } => LoadError::TooManyEvents { name, max },
        }
    }
}

/// Parses the bytes of an events file: UTF-8, with an optional byte-order mark,
/// holding JSON values separated by white space. A top-level array contributes
/// each of its elements, any other value is one event.
pub fn parse_events(bytes: &[u8], max_events: usize) -> Result<Vec<Event>, ParseFailure> {
    let (body, bom_len) = match bytes.strip_prefix(BYTE_ORDER_MARK) {
        Some(body) => (body, BYTE_ORDER_MARK.len()),
        None => (bytes, 0),
    };

    // A file that is valid UTF-8 as a whole, as nearly every one is, is checked
    // once here instead of string by string in the parser. Any other file goes
    // to the byte parser, which finds and places the error.
    match std::str::from_utf8(body) {
        Ok(text) => read_stream(serde_json::Deserializer::from_str(text), max_events, bom_len),
        Err(_) => read_stream(serde_json::Deserializer::from_slice(body), max_events, bom_len),
    }
}

/// Reads the events of a stream of JSON values, numbering them across values.
/// `bom_len` is the length of the byte-order mark that preceded the stream.
fn read_stream<'de, R: serde_json::de::Read<'de>>(
    deserializer: serde_json::Deserializer<R>,
    max_events: usize,
    bom_len: usize,
) -> Result<Vec<Event>, ParseFailure> {
    let mut events = Vec::new();
    for top_level in deserializer.into_iter::<EventsTopLevel>() {
        let start = events.len();
        match top_level {
            // Most files are one array: take its vector instead of copying it.
            Ok(EventsTopLevel::Elements(elements)) if events.is_empty() => events = elements,
            Ok(EventsTopLevel::Elements(elements)) => events.extend(elements),
            Ok(EventsTopLevel::Single(event)) => events.push(event),
            Err(error) => {
                // Columns count bytes of the file, byte-order mark included.
                let column = error.column() + if error.line() == 1 { bom_len } else { 0 };
                return Err(ParseFailure::Json {
                    line: error.line(),
                    column,
                    detail: describe_json_error(&error),
                });
            }
        }
        if events.len() > max_events {
            return Err(ParseFailure::TooManyEvents { max: max_events });
        }
        for (index, event) in events.iter_mut().enumerate().skip(start) {
            event.index = index;
        }
    }
    Ok(events)
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
    fn invalid_utf8_is_placed_by_line_and_column() {
        let failure = parse_events(b"[\n  {\"event_id\": \"a\xffb\"}\n]", 10).unwrap_err();
        let ParseFailure::Json { line, column, detail } = failure else {
            panic!("{failure:?}")
        };
        assert_eq!((line, column), (2, 18));
        assert!(detail.contains("unicode"), "{detail}");
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
