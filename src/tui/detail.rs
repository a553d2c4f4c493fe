//! The selected event's detail as the app keeps it: its payload, and the
//! provider object it was mapped from, formatted once per selection, and its
//! comparison with the first occurrence.

use serde_json::Value;

use crate::core::diff::PayloadDiff;
use crate::core::escape::escape_display;
use crate::core::event::Event;
use crate::core::pipeline::{FirstSeen, Outcome, Replay};

/// The selected event's payload and provider object, formatted once per
/// selection, and its comparison with the first occurrence when it is a
/// duplicate.
#[derive(Debug, Default)]
pub struct DetailCache {
    index: Option<usize>,
    /// The payload (or the whole value, for one that is not an object) as
    /// indented JSON, one escaped line each.
    pub payload_lines: Vec<String>,
    /// The provider object that `--source` or `--map` read the fields from, as
    /// indented JSON, one escaped line each; empty in the events shape.
    pub original_lines: Vec<String>,
    /// The first occurrence's index and the keys in which the payloads differ.
    pub diff: Option<(usize, PayloadDiff)>,
}

impl DetailCache {
    /// Brings the cache up to date for the selected event: formats its payload
    /// and provider object when the selection changed, and compares it with its first occurrence
    /// once the event has been stepped as a duplicate of one in this batch.
    pub(crate) fn refresh(&mut self, selected: Option<usize>, replay: &Replay<'_>) {
        let Some(index) = selected else {
            *self = DetailCache::default();
            return;
        };
        let batch = replay.batch();
        if self.index != Some(index) {
            let event = &batch[index];
            *self = DetailCache {
                index: Some(index),
                payload_lines: event
                    .payload
                    .as_ref()
                    .or(not_an_object(event))
                    .map_or_else(Vec::new, json_lines),
                original_lines: provider_object(event).map_or_else(Vec::new, json_lines),
                diff: None,
            };
        }

        let first = match replay.outcome(index) {
            Some(Outcome::Duplicate {
                first_seen: FirstSeen::Index(first),
                ..
            }) => Some(*first),
            _ => None,
        };
        let cached = self.diff.as_ref().map(|(at, _)| *at);
        if first != cached {
            self.diff = first.and_then(|first| {
                let before = batch.get(first)?.payload.as_ref()?;
                let now = batch[index].payload.as_ref()?;
                Some((first, PayloadDiff::between(before, now)))
            });
        }
    }
}

/// Returns the value of an event that is not an object, which is shown in
/// place of a payload.
pub(crate) fn not_an_object(event: &Event) -> Option<&Value> {
    event.original.as_ref().filter(|value| !value.is_object())
}

/// Returns the provider object a mapping read the fields from. An event keeps
/// an object as its original only when a mapping read it, so an event in the
/// events shape has none.
pub(crate) fn provider_object(event: &Event) -> Option<&Value> {
    event.original.as_ref().filter(|value| value.is_object())
}

fn json_lines(value: &Value) -> Vec<String> {
    // serde_json writes C0 controls in strings as escapes, but not C1 controls,
    // line separators or bidirectional controls, so each line is escaped again.
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    pretty.lines().map(|line| escape_display(line).into_owned()).collect()
}
