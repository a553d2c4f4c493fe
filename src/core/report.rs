//! The report lines of a run: plain text, JSON Lines, and the summary.

use std::fmt::Write as _;

use crate::core::escape::{push_display, push_json_string};
use crate::core::event::Event;
use crate::core::pipeline::{Counts, FirstSeen, Outcome};

/// Appends the text report line for one event, `\n` included. Event text is
/// escaped, so the line contains no control character.
pub fn push_text_line(out: &mut String, event: &Event, outcome: &Outcome) {
    let id = event.event_id.as_deref().unwrap_or("");
    match outcome {
        Outcome::Processed => {
            out.push_str("Processed event: ");
            push_display(out, id);
        }
        Outcome::Duplicate { .. } => {
            out.push_str("Duplicate event skipped: ");
            push_display(out, id);
        }
        Outcome::Malformed => {
            let _ = write!(out, "Malformed event skipped at index {}: ", event.index);
            push_display(out, event.malformed.as_deref().unwrap_or(""));
        }
    }
    out.push('\n');
}

/// Appends the JSON report line for one event, `\n` included.
///
/// The object contains `index`, `event_id`, `event_type` and `status`, then
/// `reason` for a malformed event, or `first_seen` and `payload_differs` for a
/// duplicate. Strings keep the exact text, with control characters as `\uXXXX`.
pub fn push_json_line(out: &mut String, event: &Event, outcome: &Outcome) {
    let _ = write!(out, "{{\"index\":{},\"event_id\":", event.index);
    push_json_or_null(out, event.event_id.as_deref());
    out.push_str(",\"event_type\":");
    push_json_or_null(out, event.event_type.as_deref());
    match outcome {
        Outcome::Processed => out.push_str(",\"status\":\"processed\""),
        Outcome::Malformed => {
            out.push_str(",\"status\":\"malformed\",\"reason\":");
            push_json_string(out, event.malformed.as_deref().unwrap_or(""));
        }
        Outcome::Duplicate {
            first_seen,
            payload_differs,
        } => {
            out.push_str(",\"status\":\"duplicate\",\"first_seen\":");
            match first_seen {
                FirstSeen::Index(index) => {
                    let _ = write!(out, "{index}");
                }
                FirstSeen::PreviousRun => out.push_str("\"previous run\""),
            }
            out.push_str(",\"payload_differs\":");
            out.push_str(match payload_differs {
                Some(true) => "true",
                Some(false) => "false",
                None => "null",
            });
        }
    }
    out.push_str("}\n");
}

fn push_json_or_null(out: &mut String, text: Option<&str>) {
    match text {
        Some(text) => push_json_string(out, text),
        None => out.push_str("null"),
    }
}

/// The summary's note on the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreNote {
    /// A live run: this many ids were appended.
    Added(usize),
    /// A dry run: the store was not written.
    DryRun,
}

/// Returns the summary line, without a line break:
/// `webhook-dedup: 3 events: 2 processed, 1 duplicate, 0 malformed; store PATH (+2 ids)`.
///
/// `events` is the size of the batch; the counts are those reported, which fall
/// short of it when a store error ended the run early. `store` is shown as given,
/// escaped.
pub fn summary_line(events: usize, counts: &Counts, store: &str, note: StoreNote) -> String {
    let mut out = format!(
        "webhook-dedup: {}: {} processed, {}, {} malformed; store ",
        plural(events, "event", "events"),
        counts.processed,
        plural(counts.duplicates, "duplicate", "duplicates"),
        counts.malformed,
    );
    push_display(&mut out, store);
    match note {
        StoreNote::Added(ids) => {
            let _ = write!(out, " (+{})", plural(ids, "id", "ids"));
        }
        StoreNote::DryRun => out.push_str(" (dry run, store not written)"),
    }
    out
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(index: usize, id: Option<&str>, malformed: Option<&str>) -> Event {
        Event {
            index,
            event_id: id.map(str::to_owned),
            event_type: Some("t".to_owned()),
            timestamp: None,
            payload: Some(json!({})),
            original: None,
            malformed: malformed.map(str::to_owned),
        }
    }

    #[test]
    fn text_lines_escape_ids() {
        let mut out = String::new();
        push_text_line(&mut out, &event(0, Some("a\u{1b}[2J\n"), None), &Outcome::Processed);
        assert_eq!(out, "Processed event: a\\u{1b}[2J\\n\n");
    }

    #[test]
    fn text_line_for_malformed_names_the_index() {
        let mut out = String::new();
        push_text_line(
            &mut out,
            &event(4, None, Some("event_id is missing")),
            &Outcome::Malformed,
        );
        assert_eq!(out, "Malformed event skipped at index 4: event_id is missing\n");
    }

    #[test]
    fn json_line_for_a_duplicate() {
        let mut out = String::new();
        let outcome = Outcome::Duplicate {
            first_seen: FirstSeen::Index(0),
            payload_differs: Some(true),
        };
        push_json_line(&mut out, &event(2, Some("e\u{85}"), None), &outcome);
        assert_eq!(
            out,
            "{\"index\":2,\"event_id\":\"e\\u0085\",\"event_type\":\"t\",\"status\":\"duplicate\",\"first_seen\":0,\"payload_differs\":true}\n"
        );
    }

    #[test]
    fn json_line_for_a_previous_run() {
        let mut out = String::new();
        let outcome = Outcome::Duplicate {
            first_seen: FirstSeen::PreviousRun,
            payload_differs: None,
        };
        push_json_line(&mut out, &event(0, Some("a"), None), &outcome);
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["first_seen"], "previous run");
        assert_eq!(value["payload_differs"], serde_json::Value::Null);
    }

    #[test]
    fn summary_counts_and_plurals() {
        let counts = Counts {
            processed: 2,
            duplicates: 1,
            malformed: 0,
        };
        assert_eq!(
            summary_line(3, &counts, "processed_events.txt", StoreNote::Added(2)),
            "webhook-dedup: 3 events: 2 processed, 1 duplicate, 0 malformed; store processed_events.txt (+2 ids)"
        );
        assert_eq!(
            summary_line(1, &Counts::default(), "s", StoreNote::DryRun),
            "webhook-dedup: 1 event: 0 processed, 0 duplicates, 0 malformed; store s (dry run, store not written)"
        );
    }
}
