//! Reading of the events shape straight from the stream into events.
//!
//! The generic reading builds a `Value` of each whole event object and then takes
//! the four fields out of its map. Here the keys of an event object are matched
//! as they are read, so neither a map nor a key string is built for it, only the
//! values. On the 10,000-event sample that saved about a third of the parsing
//! time. The events are equal to what [`Event::from_parsed`] makes of the same
//! text, which the tests check.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Path, ValueSeed, ValueVisitor, float};
use crate::core::event::{Event, FIELD_NAMES, FoundFields, found, repeated_field_reason};

/// The events of one top-level value of the stream, read in the events shape: a
/// top-level array gives each of its elements, any other value is one event.
///
/// Every event has index 0: the caller numbers them across the stream.
#[allow(
    clippy::large_enum_variant,
    reason = "each value is moved into the batch at once, and boxing would cost an allocation per event"
)]
pub(crate) enum EventsTopLevel {
    Elements(Vec<Event>),
    Single(Event),
}

impl<'de> Deserialize<'de> for EventsTopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = EventsTopLevel;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EventsTopLevel, A::Error> {
        let mut events = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(EventElement(event)) = seq.next_element()? {
            events.push(event);
        }
        Ok(EventsTopLevel::Elements(events))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<EventsTopLevel, A::Error> {
        EventVisitor.visit_map(map).map(EventsTopLevel::Single)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<EventsTopLevel, E> {
        Ok(single(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<EventsTopLevel, E> {
        Ok(single(Value::Number(v.into())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<EventsTopLevel, E> {
        Ok(single(Value::Number(v.into())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<EventsTopLevel, E> {
        Ok(single(float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<EventsTopLevel, E> {
        Ok(single(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<EventsTopLevel, E> {
        Ok(single(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<EventsTopLevel, E> {
        Ok(single(Value::Null))
    }
}

fn single(value: Value) -> EventsTopLevel {
    EventsTopLevel::Single(Event::not_an_object(0, value))
}

/// One element of a top-level array, read as an event.
struct EventElement(Event);

impl<'de> Deserialize<'de> for EventElement {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(EventVisitor).map(EventElement)
    }
}

struct EventVisitor;

impl<'de> Visitor<'de> for EventVisitor {
    type Value = Event;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Event, A::Error> {
        let mut fields: [Option<Value>; 4] = Default::default();
        let mut repeated = [false; 4];
        while let Some(FieldKey(slot)) = map.next_key()? {
            // Other fields are parsed all the same, so that an invalid value in
            // them rejects the file exactly as the generic reading does.
            let PlainValue(value) = map.next_value()?;
            if let Some(slot) = slot {
                // As in a `Value`, the last of repeated keys gives the value.
                repeated[slot] |= fields[slot].replace(value).is_some();
            }
        }

        let first_problem = repeated
            .iter()
            .position(|&is_repeated| is_repeated)
            .map(|slot| repeated_field_reason(FIELD_NAMES[slot]));
        let [event_id, event_type, timestamp, payload] = fields;
        let fields = FoundFields {
            event_id: found(FIELD_NAMES[0], event_id),
            event_type: found(FIELD_NAMES[1], event_type),
            timestamp: found(FIELD_NAMES[2], timestamp),
            payload: found(FIELD_NAMES[3], payload),
        };
        Ok(fields.into_event(0, first_problem))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Event, A::Error> {
        let mut repeated_keys = Vec::new();
        let visitor = ValueVisitor {
            path: &Path::Root,
            repeated_keys: &mut repeated_keys,
        };
        Ok(Event::not_an_object(0, visitor.visit_seq(seq)?))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Event, E> {
        Ok(Event::not_an_object(0, Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Event, E> {
        Ok(Event::not_an_object(0, Value::Number(v.into())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Event, E> {
        Ok(Event::not_an_object(0, Value::Number(v.into())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Event, E> {
        Ok(Event::not_an_object(0, float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Event, E> {
        Ok(Event::not_an_object(0, Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Event, E> {
        Ok(Event::not_an_object(0, Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Event, E> {
        Ok(Event::not_an_object(0, Value::Null))
    }
}

/// The key of an event object: the position of one of the four fields in
/// [`FIELD_NAMES`], or `None` for any other key. Reading it allocates nothing.
struct FieldKey(Option<usize>);

impl<'de> Deserialize<'de> for FieldKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(FieldKeyVisitor)
    }
}

struct FieldKeyVisitor;

impl<'de> Visitor<'de> for FieldKeyVisitor {
    type Value = FieldKey;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldKey, E> {
        Ok(FieldKey(FIELD_NAMES.iter().position(|name| *name == v)))
    }
}

/// A field value, built as the generic reading builds it. Repeated keys inside
/// it are allowed in the events shape, so their record is dropped.
struct PlainValue(Value);

impl<'de> Deserialize<'de> for PlainValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut repeated_keys = Vec::new();
        let seed = ValueSeed {
            path: &Path::Root,
            repeated_keys: &mut repeated_keys,
        };
        seed.deserialize(deserializer).map(PlainValue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::parse::TopLevel;
    use proptest::prelude::*;

    fn fast(text: &str) -> Vec<Event> {
        let mut events = Vec::new();
        for top in serde_json::Deserializer::from_str(text).into_iter::<EventsTopLevel>() {
            match top.unwrap() {
                EventsTopLevel::Elements(elements) => events.extend(elements),
                EventsTopLevel::Single(event) => events.push(event),
            }
        }
        for (index, event) in events.iter_mut().enumerate() {
            event.index = index;
        }
        events
    }

    fn generic(text: &str) -> Vec<Event> {
        let mut values = Vec::new();
        for top in serde_json::Deserializer::from_str(text).into_iter::<TopLevel>() {
            match top.unwrap() {
                TopLevel::Elements(elements) => values.extend(elements),
                TopLevel::Single(value) => values.push(value),
            }
        }
        values
            .into_iter()
            .enumerate()
            .map(|(index, value)| Event::from_parsed(index, value))
            .collect()
    }

    const VALID: &str = r#"{"event_id": "evt_1", "event_type": "invoice.paid", "timestamp": "2024-01-15T08:00:07Z", "payload": {"a": 1}}"#;

    #[test]
    fn events_reading_matches_generic_reading() {
        let cases = [
            VALID.to_owned(),
            format!("[{VALID}, {VALID}]\n{VALID}\n[]\n[[1], 2, \"s\", null, true, 1.5, -3, {{}}]"),
            r#"{"event_id": "a", "event_type": "t", "timestamp": "2024-01-15T08:00:07Z", "payload": {}, "event_id": "b"}"#
                .to_owned(),
            r#"{"payload": [], "timestamp": 5, "timestamp": 6, "event_type": "", "event_type": "x"}"#.to_owned(),
            r#"{"event\u005fid": "escaped key", "extra": {"k": 1, "k": 2}, "payload": {"k": [1, {"k": 2, "k": 3}]}}"#
                .to_owned(),
            r#"{"event_id": null, "event_type": ["t"], "timestamp": "2024-02-30T00:00:00Z", "payload": "{}"}"#
                .to_owned(),
            "\"top-level string\" 7 null [\"in an array\"]".to_owned(),
            r#"{"Event_id": "x", " event_id": "y", "event_id ": "z", "event_type": "t"}"#.to_owned(),
        ];
        for text in cases {
            assert_eq!(fast(&text), generic(&text), "{text}");
        }
    }

    #[test]
    fn events_reading_matches_on_the_malformed_sample() {
        let text = include_str!("../../../sample-data/malformed.json");
        let events = fast(text);
        assert_eq!(events.len(), 43);
        assert_eq!(events, generic(text));
    }

    #[test]
    fn events_reading_rejects_what_generic_reading_rejects() {
        let deep = format!(
            r#"{{"event_id": "a", "extra": {}{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let cases = [
            r#"{"event_id": "a", "extra": "\ud800"}"#.to_owned(),
            r#"{"event_id": "a", "extra": [1,]}"#.to_owned(),
            deep,
        ];
        for text in cases {
            let fast_error = serde_json::from_str::<EventsTopLevel>(&text)
                .err()
                .map(|e| e.to_string());
            let generic_error = serde_json::from_str::<TopLevel>(&text).err().map(|e| e.to_string());
            assert!(fast_error.is_some(), "{text}");
            assert_eq!(fast_error, generic_error, "{text}");
        }
    }

    fn key() -> impl Strategy<Value = String> {
        let keys = vec!["event_id", "event_type", "timestamp", "payload", "extra", "event_id "];
        prop::sample::select(keys).prop_map(str::to_owned)
    }

    fn object(members: &[(String, String)]) -> String {
        let members: Vec<String> = members
            .iter()
            .map(|(key, value)| format!("\"{key}\": {value}"))
            .collect();
        format!("{{{}}}", members.join(", "))
    }

    /// JSON texts of any type, with objects whose keys may repeat.
    fn json_text() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![
            "null",
            "true",
            "1",
            "1.0",
            "\"\"",
            "\"evt_1\"",
            "\"2024-01-15T08:00:07Z\"",
        ])
        .prop_map(str::to_owned);
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(", "))),
                prop::collection::vec((key(), inner), 0..4).prop_map(|members| object(&members)),
            ]
        })
    }

    proptest! {
        #[test]
        fn events_reading_matches_generic_reading_on_random_objects(
            members in prop::collection::vec((key(), json_text()), 0..8),
        ) {
            let text = object(&members);
            prop_assert_eq!(fast(&text), generic(&text));
        }
    }
}
