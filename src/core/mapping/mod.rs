//! Provider shapes: mapping a provider's own event object onto the four event
//! fields before validation.
//!
//! A [`Mapping`] is a `--source` preset with `--map` overrides. Each field is
//! looked up in the provider object, and the found values go through the same
//! field rules as the events shape ([`FoundFields::into_event`]), so the reasons
//! stay the same. Only a missing mapped field has its own reason,
//! `<field>: <pointer> not found`.

mod map_arg;
mod pointer;

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::core::event::{Event, FIELD_NAMES, Found, FoundFields};
use crate::core::parse::{ParsedValue, parse_single};
use crate::core::timestamp::unix_seconds_to_rfc3339;

pub use map_arg::{FieldMap, MapError, parse_map_value};
pub use pointer::{Pointer, PointerError};

use pointer::{Lookup, is_at_or_below};

/// The shape a batch comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// `event_id`, `event_type`, `timestamp` and `payload` at the top level.
    #[default]
    Events,
    /// Stripe event objects, alone or in a list object.
    Stripe,
    /// GitHub's "list deliveries" and "get a delivery" responses.
    GithubDeliveries,
    /// Captured Standard Webhooks requests: `{"headers": {...}, "body": ...}`.
    StandardWebhooks,
}

impl Source {
    /// Every source, in the order the help lists them.
    pub const ALL: [Source; 4] = [
        Source::Events,
        Source::Stripe,
        Source::GithubDeliveries,
        Source::StandardWebhooks,
    ];

    /// Returns the name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Source::Events => "events",
            Source::Stripe => "stripe",
            Source::GithubDeliveries => "github-deliveries",
            Source::StandardWebhooks => "standard-webhooks",
        }
    }

    /// Returns the source named `name` on the command line.
    pub fn from_name(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|source| source.name() == name)
    }

    /// Returns where the preset reads each field, in one line for the help.
    pub fn summary(self) -> &'static str {
        match self {
            Source::Events => "event_id, event_type, timestamp, payload",
            Source::Stripe => "id, type, created (Unix seconds), data; list objects give each element of data",
            Source::GithubDeliveries => "guid, event.action, delivered_at, request.payload (else {})",
            Source::StandardWebhooks => "header webhook-id, body type, body timestamp, body data",
        }
    }
}

/// One of the four event fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    EventId,
    EventType,
    Timestamp,
    Payload,
}

impl Field {
    /// The fields in the order their rules are checked.
    pub const ALL: [Field; 4] = [Field::EventId, Field::EventType, Field::Timestamp, Field::Payload];

    /// Returns the field's name, as in the events shape and in `--map`.
    pub fn name(self) -> &'static str {
        FIELD_NAMES[self as usize]
    }

    /// Returns the field named `name`.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.name() == name)
    }
}

/// How to read the four fields from each value of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    source: Source,
    /// One rule per field, in [`Field::ALL`] order.
    rules: [Rule; 4],
    /// The events shape without overrides: values are validated as they are.
    identity: bool,
}

impl Default for Mapping {
    fn default() -> Mapping {
        Mapping::new(Source::Events, []).expect("no override, so no field twice")
    }
}

/// The rule that finds one field in a provider object.
#[derive(Debug, Clone, PartialEq)]
enum Rule {
    /// A top-level key of the events shape; its absence reads `<field> is missing`.
    Key(Pointer),
    /// A preset or `--map` pointer; its absence reads `<field>: <pointer> not found`.
    /// With `unix_seconds`, an integer is Unix seconds.
    At { pointer: Pointer, unix_seconds: bool },
    /// GitHub's `event`, plus `.action` when the delivery has one.
    GithubEventType { event: Pointer, action: Pointer },
    /// GitHub's `request.payload`, or `{}` where a delivery list carries no body.
    GithubPayload { payload: Pointer },
}

fn preset_pointer(text: &str) -> Pointer {
    Pointer::parse(text).expect("preset pointers are valid")
}

impl Rule {
    fn preset(source: Source, field: Field) -> Rule {
        let at = |text| Rule::At {
            pointer: preset_pointer(text),
            unix_seconds: false,
        };
        match (source, field) {
            (Source::Events, field) => Rule::Key(preset_pointer(&format!("/{}", field.name()))),
            (Source::Stripe, Field::EventId) => at("/id"),
            (Source::Stripe, Field::EventType) => at("/type"),
            (Source::Stripe, Field::Timestamp) => Rule::At {
                pointer: preset_pointer("/created"),
                unix_seconds: true,
            },
            (Source::Stripe, Field::Payload) => at("/data"),
            (Source::GithubDeliveries, Field::EventId) => at("/guid"),
            (Source::GithubDeliveries, Field::EventType) => Rule::GithubEventType {
                event: preset_pointer("/event"),
                action: preset_pointer("/action"),
            },
            (Source::GithubDeliveries, Field::Timestamp) => at("/delivered_at"),
            (Source::GithubDeliveries, Field::Payload) => Rule::GithubPayload {
                payload: preset_pointer("/request/payload"),
            },
            (Source::StandardWebhooks, Field::EventId) => at("/headers/webhook-id"),
            (Source::StandardWebhooks, Field::EventType) => at("/body/type"),
            (Source::StandardWebhooks, Field::Timestamp) => at("/body/timestamp"),
            (Source::StandardWebhooks, Field::Payload) => at("/body/data"),
        }
    }

    /// Returns whether the rule reads something inside the top-level `body`.
    fn reads_body(&self) -> bool {
        match self {
            Rule::Key(pointer) | Rule::At { pointer, .. } => pointer.tokens().first().is_some_and(|t| t == "body"),
            Rule::GithubEventType { .. } | Rule::GithubPayload { .. } => false,
        }
    }
}

/// A field as found in one event: its value or the reason for its absence, and
/// whether a repeated key makes it ambiguous.
struct Finding {
    found: Found,
    repeated: bool,
}

impl Mapping {
    /// Builds the mapping of a `--source` preset with `--map` overrides, each of
    /// which replaces the preset's rule for its field. A field given twice is
    /// rejected, because which pointer is meant is unknown.
    pub fn new(source: Source, overrides: impl IntoIterator<Item = FieldMap>) -> Result<Mapping, MapError> {
        let mut rules = Field::ALL.map(|field| Rule::preset(source, field));
        let mut given: [Option<Pointer>; 4] = Default::default();
        for FieldMap { field, pointer } in overrides {
            let slot = &mut given[field as usize];
            if let Some(first) = slot {
                return Err(MapError::FieldTwice {
                    field: field.name(),
                    first: format!("{}={}", field.name(), first),
                    second: format!("{}={}", field.name(), pointer),
                });
            }
            *slot = Some(pointer.clone());
            rules[field as usize] = Rule::At {
                pointer,
                unix_seconds: field == Field::Timestamp,
            };
        }
        let identity = source == Source::Events && given.iter().all(Option::is_none);
        Ok(Mapping {
            source,
            rules,
            identity,
        })
    }

    /// Returns the `--source` preset this mapping starts from.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Returns whether values are read in the events shape as they are, with no
    /// provider object to keep.
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    /// Appends the events that one value of the stream contains: each element of
    /// `data` for a Stripe list object under the `stripe` source, else the value.
    ///
    /// A list whose `object` or `data` key repeats is not opened, because its
    /// elements are ambiguous. It then stays one event, which the repeat makes
    /// malformed when `payload` is read at `/data`.
    pub(crate) fn expand(&self, parsed: ParsedValue, out: &mut Vec<ParsedValue>) {
        if self.source != Source::Stripe || !is_stripe_list(&parsed) {
            out.push(parsed);
            return;
        }
        let ParsedValue { value, repeated_keys } = parsed;
        let Value::Object(mut list) = value else {
            unreachable!("a list object is an object")
        };
        let Some(Value::Array(elements)) = list.remove("data") else {
            unreachable!("a list object has a data array")
        };
        for (i, value) in elements.into_iter().enumerate() {
            let prefix = format!("/data/{i}");
            let repeated_keys = repeated_keys
                .iter()
                .filter_map(|pointer| pointer.strip_prefix(&prefix))
                .filter(|rest| rest.starts_with('/'))
                .map(str::to_owned)
                .collect();
            out.push(ParsedValue { value, repeated_keys });
        }
    }

    /// Maps and validates one value of the batch.
    ///
    /// Unless the mapping is the identity, the event keeps the provider object
    /// as read in [`Event::original`] (for a Standard Webhooks body held as a
    /// string, the string, not its parsed value).
    pub fn event(&self, index: usize, parsed: ParsedValue) -> Event {
        if self.identity || !parsed.value.is_object() {
            return Event::from_parsed(index, parsed);
        }
        let ParsedValue {
            value: original,
            mut repeated_keys,
        } = parsed;

        let headers_any_case = self.source == Source::StandardWebhooks;
        let (root, body_problem) = if headers_any_case {
            self.parse_body_in_place(&original, &mut repeated_keys)
        } else {
            (Cow::Borrowed(&original), None)
        };
        let [event_id, event_type, timestamp, payload] =
            Field::ALL.map(|field| self.rules[field as usize].find(field, &root, &repeated_keys, headers_any_case));
        drop(root);

        let repeated = Field::ALL
            .iter()
            .zip([&event_id, &event_type, &timestamp, &payload])
            .find(|(_, finding)| finding.repeated)
            .map(|(field, _)| format!("field {} appears more than once", field.name()));
        let fields = FoundFields {
            event_id: event_id.found,
            event_type: event_type.found,
            timestamp: timestamp.found,
            payload: payload.found,
        };
        let mut event = fields.into_event(index, body_problem.or(repeated));
        event.original = Some(original);
        event
    }

    /// Replaces a `body` string by the JSON value it contains, as captured requests
    /// store the raw request body. Repeated keys inside it are recorded under
    /// `/body`. A body string that is not JSON is a problem only when a field is
    /// read inside the body.
    fn parse_body_in_place<'v>(
        &self,
        original: &'v Value,
        repeated_keys: &mut Vec<String>,
    ) -> (Cow<'v, Value>, Option<String>) {
        let Some(Value::String(text)) = original.get("body") else {
            return (Cow::Borrowed(original), None);
        };
        match parse_single(text) {
            Ok(body) => {
                let mut root = original.clone();
                root["body"] = body.value;
                repeated_keys.extend(body.repeated_keys.iter().map(|pointer| format!("/body{pointer}")));
                (Cow::Owned(root), None)
            }
            Err(error) if self.rules.iter().any(Rule::reads_body) => (
                Cow::Borrowed(original),
                Some(format!("body is a string that is not valid JSON: {error}")),
            ),
            Err(_) => (Cow::Borrowed(original), None),
        }
    }
}

fn is_stripe_list(parsed: &ParsedValue) -> bool {
    let is_list = parsed.value.get("object").is_some_and(|object| object == "list")
        && parsed.value.get("data").is_some_and(Value::is_array);
    let ambiguous = parsed
        .repeated_keys
        .iter()
        .any(|pointer| pointer == "/object" || pointer == "/data");
    is_list && !ambiguous
}

impl Rule {
    fn find(&self, field: Field, root: &Value, repeated_keys: &[String], headers_any_case: bool) -> Finding {
        let not_found = |pointer: &Pointer| format!("{}: {} not found", field.name(), pointer);
        match self {
            Rule::Key(pointer) => lookup(pointer, root, repeated_keys, false, || {
                format!("{} is missing", field.name())
            }),
            Rule::At { pointer, unix_seconds } => {
                let finding = lookup(pointer, root, repeated_keys, headers_any_case, || not_found(pointer));
                if *unix_seconds {
                    Finding {
                        found: finding.found.and_then(unix_seconds_as_timestamp),
                        repeated: finding.repeated,
                    }
                } else {
                    finding
                }
            }
            Rule::GithubEventType { event, action } => {
                let event = lookup(event, root, repeated_keys, false, || not_found(event));
                let action = lookup(action, root, repeated_keys, false, String::new);
                let found = match (event.found, action.found) {
                    (Ok(Value::String(event)), Ok(Value::String(action))) if !action.is_empty() => {
                        Ok(Value::String(format!("{event}.{action}")))
                    }
                    // An action that is neither a string nor null cannot name
                    // the event, so the type is reported as not a string.
                    (Ok(Value::String(_)), Ok(action)) if !action.is_string() && !action.is_null() => Ok(action),
                    (event, _) => event,
                };
                Finding {
                    found,
                    repeated: event.repeated || action.repeated,
                }
            }
            Rule::GithubPayload { payload } => {
                let finding = lookup(payload, root, repeated_keys, false, String::new);
                let found = match finding.found {
                    Ok(Value::Null) | Err(_) => Ok(Value::Object(Map::new())),
                    found => found,
                };
                Finding {
                    found,
                    repeated: finding.repeated,
                }
            }
        }
    }
}

fn lookup(
    pointer: &Pointer,
    root: &Value,
    repeated_keys: &[String],
    headers_any_case: bool,
    absent: impl FnOnce() -> String,
) -> Finding {
    let repeated_above = |path: &str| repeated_keys.iter().any(|repeated| is_at_or_below(path, repeated));
    match pointer.resolve(root, headers_any_case) {
        Lookup::Found { value, header_pointer } => Finding {
            found: Ok(value.clone()),
            repeated: repeated_above(header_pointer.as_deref().unwrap_or(pointer.as_str())),
        },
        Lookup::NotFound => Finding {
            found: Err(absent()),
            repeated: repeated_above(pointer.as_str()),
        },
        Lookup::Ambiguous => Finding {
            found: Err(absent()),
            repeated: true,
        },
    }
}

/// Reads an integer as Unix seconds and formats it in RFC 3339. Any other value
/// is left for the timestamp rule to judge.
fn unix_seconds_as_timestamp(value: Value) -> Found {
    let Value::Number(number) = &value else {
        return Ok(value);
    };
    if !(number.is_i64() || number.is_u64()) {
        return Ok(value);
    }
    match number.as_i64().and_then(unix_seconds_to_rfc3339) {
        Some(text) => Ok(Value::String(text)),
        None => Err(format!(
            "timestamp is Unix seconds outside the years 0001 to 9999: {number}"
        )),
    }
}

#[cfg(test)]
mod tests;
