//! The `--map FIELD=POINTER` value: one or more pairs separated by commas.

use crate::core::mapping::Field;
use crate::core::mapping::pointer::{Pointer, PointerError};

/// One `FIELD=POINTER` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    pub field: Field,
    pub pointer: Pointer,
}

/// A `--map` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("{pair:?} is not FIELD=POINTER; write for example event_id=/id")]
    MissingEquals { pair: String },

    #[error("{name:?} in {pair:?} is not a field; the fields are event_id, event_type, timestamp and payload")]
    UnknownField { pair: String, name: String },

    #[error("{pair:?}: {source}")]
    Pointer { pair: String, source: PointerError },

    #[error("--map gives {field} twice ({first:?} and {second:?}); give each field once")]
    FieldTwice {
        field: &'static str,
        first: String,
        second: String,
    },
}

/// Parses one `--map` value into its pairs.
///
/// A comma starts a new pair only where a field name and `=` follow it, so a
/// pointer may contain commas: `event_id=/a,b,payload=` is `event_id` at `/a,b` and
/// `payload` as the whole object.
pub fn parse_map_value(text: &str) -> Result<Vec<FieldMap>, MapError> {
    let mut starts = vec![0];
    for (comma, _) in text.match_indices(',') {
        let after = &text[comma + 1..];
        let starts_pair = Field::ALL.iter().any(|field| {
            after
                .strip_prefix(field.name())
                .is_some_and(|rest| rest.starts_with('='))
        });
        if starts_pair {
            starts.push(comma + 1);
        }
    }

    let mut pairs = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(text.len(), |next| next - 1);
        pairs.push(parse_pair(&text[start..end])?);
    }
    Ok(pairs)
}

fn parse_pair(pair: &str) -> Result<FieldMap, MapError> {
    let Some((name, pointer)) = pair.split_once('=') else {
        return Err(MapError::MissingEquals { pair: pair.to_owned() });
    };
    let field = Field::from_name(name).ok_or_else(|| MapError::UnknownField {
        pair: pair.to_owned(),
        name: name.to_owned(),
    })?;
    let pointer = Pointer::parse(pointer).map_err(|source| MapError::Pointer {
        pair: pair.to_owned(),
        source,
    })?;
    Ok(FieldMap { field, pointer })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(&'static str, String)> {
        parse_map_value(text)
            .unwrap()
            .into_iter()
            .map(|pair| (pair.field.name(), pair.pointer.as_str().to_owned()))
            .collect()
    }

    #[test]
    fn map_value_has_several_pairs() {
        assert_eq!(
            pairs("event_id=/meta/id,event_type=/kind,timestamp=/at,payload=/body"),
            [
                ("event_id", "/meta/id".to_owned()),
                ("event_type", "/kind".to_owned()),
                ("timestamp", "/at".to_owned()),
                ("payload", "/body".to_owned()),
            ]
        );
    }

    #[test]
    fn map_value_commas_stay_in_pointers() {
        assert_eq!(
            pairs("event_id=/a,b,c,payload=,timestamp=/x,y=1"),
            [
                ("event_id", "/a,b,c".to_owned()),
                ("payload", String::new()),
                ("timestamp", "/x,y=1".to_owned()),
            ]
        );
        assert_eq!(pairs("event_id=/a,"), [("event_id", "/a,".to_owned())]);
        assert_eq!(
            pairs("event_id=/a,payloads=/b"),
            [("event_id", "/a,payloads=/b".to_owned())]
        );
    }

    #[test]
    fn map_value_keeps_escapes_and_equals_signs() {
        assert_eq!(pairs("event_id=/a~1b=c/~0"), [("event_id", "/a~1b=c/~0".to_owned())]);
    }

    #[test]
    fn map_value_errors_name_the_pair() {
        assert_eq!(
            parse_map_value("event_id"),
            Err(MapError::MissingEquals {
                pair: "event_id".to_owned()
            })
        );
        assert_eq!(
            parse_map_value("id=/x"),
            Err(MapError::UnknownField {
                pair: "id=/x".to_owned(),
                name: "id".to_owned()
            })
        );
        let error = parse_map_value("event_type=/t,event_id=guid").unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"event_id=guid\": pointer \"guid\" does not start with /; write a JSON Pointer such as /id, or nothing for the whole object"
        );
        assert!(matches!(parse_map_value(""), Err(MapError::MissingEquals { .. })));
    }
}
