//! Parsing of the events stream into JSON values that remember repeated keys.
//!
//! serde_json's `Value` keeps the last of two equal keys silently. A dedup key
//! must not be ambiguous, so this parser builds the same `Value` but also records
//! the JSON Pointer of every object member whose key was repeated.

mod events;

use std::fmt;

pub(crate) use events::EventsTopLevel;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One top-level JSON value of the events stream.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedValue {
    pub value: Value,
    /// JSON Pointers (RFC 6901) of members whose key appeared more than once in
    /// their object, relative to `value`, in the order they were met.
    pub repeated_keys: Vec<String>,
}

/// What one top-level value of the stream contributes: a top-level array gives
/// each of its elements, any other value is one event. This reading keeps every
/// value whole, whatever its shape; `EventsTopLevel` reads the events shape faster.
pub(crate) enum TopLevel {
    Elements(Vec<ParsedValue>),
    Single(ParsedValue),
}

impl<'de> de::Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        loop {
            let mut repeated_keys = Vec::new();
            let seed = ValueSeed {
                path: &Path::Root,
                repeated_keys: &mut repeated_keys,
            };
            match seq.next_element_seed(seed)? {
                Some(value) => elements.push(ParsedValue { value, repeated_keys }),
                None => return Ok(TopLevel::Elements(elements)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TopLevel, A::Error> {
        let mut repeated_keys = Vec::new();
        let visitor = ValueVisitor {
            path: &Path::Root,
            repeated_keys: &mut repeated_keys,
        };
        let value = visitor.visit_map(map)?;
        Ok(TopLevel::Single(ParsedValue { value, repeated_keys }))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<TopLevel, E> {
        Ok(single(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<TopLevel, E> {
        Ok(single(Value::Number(v.into())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<TopLevel, E> {
        Ok(single(Value::Number(v.into())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<TopLevel, E> {
        Ok(single(float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TopLevel, E> {
        Ok(single(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<TopLevel, E> {
        Ok(single(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<TopLevel, E> {
        Ok(single(Value::Null))
    }
}

/// Parses one JSON text that must hold exactly one value, recording repeated keys
/// as [`ParsedValue`] does. Used for a request body captured as a string.
pub(crate) fn parse_single(text: &str) -> Result<ParsedValue, serde_json::Error> {
    let mut repeated_keys = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = ValueSeed {
        path: &Path::Root,
        repeated_keys: &mut repeated_keys,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(ParsedValue { value, repeated_keys })
}

fn single(value: Value) -> TopLevel {
    TopLevel::Single(ParsedValue {
        value,
        repeated_keys: Vec::new(),
    })
}

fn float(v: f64) -> Value {
    // JSON text cannot hold NaN or infinity, so serde_json never hands one over.
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// The location of the value being parsed, as a chain of borrowed segments on the
/// stack, so that no pointer string is built unless a key repeats.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn to_pointer(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, key) => {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                format!("{}/{}", parent.to_pointer(), escaped)
            }
            Path::Index(parent, index) => format!("{}/{}", parent.to_pointer(), index),
        }
    }
}

struct ValueSeed<'a> {
    path: &'a Path<'a>,
    repeated_keys: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor {
            path: self.path,
            repeated_keys: self.repeated_keys,
        })
    }
}

struct ValueVisitor<'a> {
    path: &'a Path<'a>,
    repeated_keys: &'a mut Vec<String>,
}

impl<'de> Visitor<'de> for ValueVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut elements = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        loop {
            let path = Path::Index(self.path, elements.len());
            let seed = ValueSeed {
                path: &path,
                repeated_keys: &mut *self.repeated_keys,
            };
            match seq.next_element_seed(seed)? {
                Some(value) => elements.push(value),
                None => return Ok(Value::Array(elements)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = Path::Key(self.path, &key);
            let value = map.next_value_seed(ValueSeed {
                path: &path,
                repeated_keys: &mut *self.repeated_keys,
            })?;
            match object.entry(key) {
                serde_json::map::Entry::Occupied(mut slot) => {
                    let pointer = Path::Key(self.path, slot.key()).to_pointer();
                    self.repeated_keys.push(pointer);
                    slot.insert(value);
                }
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
            }
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(text: &str) -> Vec<ParsedValue> {
        let mut out = Vec::new();
        for top in serde_json::Deserializer::from_str(text).into_iter::<TopLevel>() {
            match top.unwrap() {
                TopLevel::Elements(values) => out.extend(values),
                TopLevel::Single(value) => out.push(value),
            }
        }
        out
    }

    #[test]
    fn arrays_contribute_their_elements() {
        let values = parse_all("[1, {\"a\": 2}] 3\n[]\n[[4]]");
        let plain: Vec<Value> = values.into_iter().map(|v| v.value).collect();
        assert_eq!(
            plain,
            vec![
                Value::from(1),
                serde_json::json!({"a": 2}),
                Value::from(3),
                serde_json::json!([4])
            ]
        );
    }

    #[test]
    fn repeated_keys_are_recorded_with_their_pointer() {
        let values = parse_all(r#"{"event_id": "a", "x": {"a/b": [{"k": 1, "k": 2}]}, "event_id": "b"}"#);
        assert_eq!(
            values[0].repeated_keys,
            vec!["/x/a~1b/0/k".to_owned(), "/event_id".to_owned()]
        );
        assert_eq!(values[0].value["event_id"], "b");
    }

    #[test]
    fn single_text_records_repeats_and_rejects_trailing_values() {
        let parsed = parse_single(r#"{"type": "a", "type": "b"}"#).unwrap();
        assert_eq!(parsed.repeated_keys, vec!["/type".to_owned()]);
        assert_eq!(parsed.value["type"], "b");
        assert!(parse_single("{} {}").is_err());
        assert!(parse_single("not json").is_err());
    }

    #[test]
    fn values_match_serde_json() {
        let text = r#"{"n": 1, "f": 1.0, "neg": -5, "big": 18446744073709551615, "s": "é\u0000", "z": null, "t": true, "l": [1, [2]]}"#;
        let ours = parse_all(text).remove(0).value;
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
        assert_ne!(ours["n"], ours["f"]);
    }
}
