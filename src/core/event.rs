//! The event model and the validation rules every event must pass.

use serde_json::{Map, Value};

use crate::core::escape::escape_and_cut;
use crate::core::parse::ParsedValue;
use crate::core::timestamp::is_rfc3339;

/// Maximum length of a valid `event_id`, counted in Unicode scalar values.
pub const MAX_EVENT_ID_CHARS: usize = 100;

/// Maximum length of a timestamp value quoted in a malformed reason, `…` included.
const MAX_QUOTED_TIMESTAMP_CHARS: usize = 60;

/// The four fields of an event, in the order their rules are checked.
pub const FIELD_NAMES: [&str; 4] = ["event_id", "event_type", "timestamp", "payload"];

/// One event of a batch, with the fields it was found to have and the verdict of
/// validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Zero-based position in the batch.
    pub index: usize,
    /// The id when the event has a string there, even if the event is malformed.
    pub event_id: Option<String>,
    /// The type when the event has a string there.
    pub event_type: Option<String>,
    /// The timestamp when the event has a string there.
    pub timestamp: Option<String>,
    /// The payload value when present, whatever its type.
    pub payload: Option<Value>,
    /// The value as read, for display beside the mapped fields. It is kept when
    /// the value is not an object, and when a `--source` or `--map` mapping read
    /// the fields: then it is the whole provider object (a Stripe event, a GitHub
    /// delivery, a captured request with its body as received). `None` for
    /// objects in the events shape, whose fields are the object.
    pub original: Option<Value>,
    /// The reason the event is malformed, in the exact reason text, or `None` when valid.
    pub malformed: Option<String>,
}

impl Event {
    /// Validates one parsed value of the events stream, in the events shape.
    pub fn from_parsed(index: usize, parsed: ParsedValue) -> Event {
        let ParsedValue { value, repeated_keys } = parsed;
        let Value::Object(mut object) = value else {
            return Event::not_an_object(index, value);
        };

        let repeated = FIELD_NAMES.iter().find(|name| {
            repeated_keys
                .iter()
                .any(|pointer| pointer.strip_prefix('/') == Some(**name))
        });
        let fields = FoundFields {
            event_id: take_field(&mut object, "event_id"),
            event_type: take_field(&mut object, "event_type"),
            timestamp: take_field(&mut object, "timestamp"),
            payload: take_field(&mut object, "payload"),
        };
        fields.into_event(index, repeated.map(|name| repeated_field_reason(name)))
    }

    /// Builds the malformed event for a value of the stream that is not an object.
    pub(crate) fn not_an_object(index: usize, value: Value) -> Event {
        Event {
            index,
            event_id: None,
            event_type: None,
            timestamp: None,
            payload: None,
            original: Some(value),
            malformed: Some("event is not a JSON object".to_owned()),
        }
    }

    /// Returns whether the event passed validation.
    pub fn is_valid(&self) -> bool {
        self.malformed.is_none()
    }
}

/// A field's value as found in the event, or the reason text for its absence.
pub(crate) type Found = Result<Value, String>;

fn take_field(object: &mut Map<String, Value>, name: &str) -> Found {
    found(name, object.remove(name))
}

/// Returns the field `name` as found: its value, or the reason for its absence.
pub(crate) fn found(name: &str, value: Option<Value>) -> Found {
    value.ok_or_else(|| format!("{name} is missing"))
}

/// Returns the reason for an event in which the field `name` appears more than once.
pub(crate) fn repeated_field_reason(name: &str) -> String {
    format!("field {name} appears more than once")
}

/// The four fields as found, before their rules are applied.
pub(crate) struct FoundFields {
    pub event_id: Found,
    pub event_type: Found,
    pub timestamp: Found,
    pub payload: Found,
}

impl FoundFields {
    /// Applies the field rules in order and builds the event. `first_problem`, when
    /// set, is a reason found earlier (a repeated key) that wins over the fields.
    pub(crate) fn into_event(self, index: usize, first_problem: Option<String>) -> Event {
        let problem = first_problem
            .or_else(|| check_event_id(&self.event_id))
            .or_else(|| check_non_empty_string("event_type", &self.event_type))
            .or_else(|| check_timestamp(&self.timestamp))
            .or_else(|| check_payload(&self.payload));
        Event {
            index,
            event_id: string_of(self.event_id),
            event_type: string_of(self.event_type),
            timestamp: string_of(self.timestamp),
            payload: self.payload.ok(),
            original: None,
            malformed: problem,
        }
    }
}

fn string_of(found: Found) -> Option<String> {
    match found {
        Ok(Value::String(text)) => Some(text),
        _ => None,
    }
}

fn check_event_id(found: &Found) -> Option<String> {
    if let Some(problem) = check_non_empty_string("event_id", found) {
        return Some(problem);
    }
    match found {
        Ok(Value::String(id)) if id.chars().count() > MAX_EVENT_ID_CHARS => {
            Some(format!("event_id is longer than {MAX_EVENT_ID_CHARS} characters"))
        }
        _ => None,
    }
}

fn check_non_empty_string(name: &str, found: &Found) -> Option<String> {
    match found {
        Err(reason) => Some(reason.clone()),
        Ok(Value::String(text)) if text.is_empty() => Some(format!("{name} is empty")),
        Ok(Value::String(_)) => None,
        Ok(_) => Some(format!("{name} is not a string")),
    }
}

fn check_timestamp(found: &Found) -> Option<String> {
    match found {
        Err(reason) => Some(reason.clone()),
        Ok(Value::String(text)) if is_rfc3339(text) => None,
        Ok(Value::String(text)) => Some(format!(
            "timestamp is not an RFC 3339 date-time: {}",
            escape_and_cut(text, MAX_QUOTED_TIMESTAMP_CHARS)
        )),
        Ok(_) => Some("timestamp is not a string".to_owned()),
    }
}

fn check_payload(found: &Found) -> Option<String> {
    match found {
        Err(reason) => Some(reason.clone()),
        Ok(Value::Object(_)) => None,
        Ok(_) => Some("payload is not a JSON object".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: Value) -> Event {
        Event::from_parsed(
            0,
            ParsedValue {
                value,
                repeated_keys: Vec::new(),
            },
        )
    }

    fn valid() -> Value {
        json!({"event_id": "evt_1", "event_type": "t", "timestamp": "2024-01-15T08:00:07Z", "payload": {}})
    }

    fn reason_with(field: &str, value: Option<Value>) -> Option<String> {
        let mut object = valid();
        match value {
            Some(value) => object[field] = value,
            None => {
                object.as_object_mut().unwrap().remove(field);
            }
        }
        event(object).malformed
    }

    #[test]
    fn valid_event_keeps_its_fields() {
        let e = event(valid());
        assert_eq!(e.malformed, None);
        assert_eq!(e.event_id.as_deref(), Some("evt_1"));
        assert_eq!(e.payload, Some(json!({})));
    }

    #[test]
    fn reasons_follow_the_check_order() {
        let e = event(json!({"event_id": 5, "event_type": "", "payload": []}));
        assert_eq!(e.malformed.as_deref(), Some("event_id is not a string"));
        let e = event(json!({"event_id": "a", "event_type": "", "payload": []}));
        assert_eq!(e.malformed.as_deref(), Some("event_type is empty"));
        let e = event(json!({"event_id": "a", "event_type": "t", "payload": []}));
        assert_eq!(e.malformed.as_deref(), Some("timestamp is missing"));
    }

    #[test]
    fn each_field_rule_has_its_reason() {
        let cases = [
            ("event_id", None, "event_id is missing"),
            ("event_id", Some(json!(7)), "event_id is not a string"),
            ("event_id", Some(json!("")), "event_id is empty"),
            ("event_type", None, "event_type is missing"),
            ("event_type", Some(json!(null)), "event_type is not a string"),
            ("event_type", Some(json!("")), "event_type is empty"),
            ("timestamp", None, "timestamp is missing"),
            ("timestamp", Some(json!(1700000000)), "timestamp is not a string"),
            (
                "timestamp",
                Some(json!("yesterday")),
                "timestamp is not an RFC 3339 date-time: yesterday",
            ),
            ("payload", None, "payload is missing"),
            ("payload", Some(json!([])), "payload is not a JSON object"),
            ("payload", Some(json!("{}")), "payload is not a JSON object"),
            ("payload", Some(json!(null)), "payload is not a JSON object"),
        ];
        for (field, value, reason) in cases {
            assert_eq!(
                reason_with(field, value.clone()).as_deref(),
                Some(reason),
                "{field} = {value:?}"
            );
        }
    }

    #[test]
    fn event_id_length_counts_characters() {
        for unit in ["a", "é", "😀"] {
            assert_eq!(
                reason_with("event_id", Some(json!(unit.repeat(100)))),
                None,
                "100 x {unit}"
            );
            assert_eq!(
                reason_with("event_id", Some(json!(unit.repeat(101)))).as_deref(),
                Some("event_id is longer than 100 characters"),
                "101 x {unit}"
            );
        }
    }

    #[test]
    fn timestamp_value_is_escaped_and_cut() {
        let reason = reason_with("timestamp", Some(json!(format!("\u{1b}[2J{}", "x".repeat(80))))).unwrap();
        let quoted = reason.strip_prefix("timestamp is not an RFC 3339 date-time: ").unwrap();
        assert!(quoted.starts_with("\\u{1b}[2J"));
        assert_eq!(quoted.chars().count(), 60);
        assert!(quoted.ends_with('…'));
    }

    #[test]
    fn repeated_field_wins_over_other_rules() {
        let e = Event::from_parsed(
            3,
            ParsedValue {
                value: json!({"event_id": "b", "event_type": ""}),
                repeated_keys: vec!["/payload/x".to_owned(), "/event_id".to_owned()],
            },
        );
        assert_eq!(e.malformed.as_deref(), Some("field event_id appears more than once"));
        assert_eq!(e.index, 3);
    }

    #[test]
    fn repeated_key_inside_payload_is_allowed() {
        let mut e = ParsedValue {
            value: valid(),
            repeated_keys: vec!["/payload/x".to_owned()],
        };
        e.value["payload"] = json!({"x": 2});
        assert_eq!(Event::from_parsed(0, e).malformed, None);
    }

    #[test]
    fn non_object_is_malformed_and_kept() {
        let e = event(json!([1]));
        assert_eq!(e.malformed.as_deref(), Some("event is not a JSON object"));
        assert_eq!(e.original, Some(json!([1])));
        assert_eq!(e.event_id, None);
    }
}
