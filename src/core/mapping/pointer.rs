//! JSON Pointers (RFC 6901): parsing, and looking a value up in an event.

use std::fmt;

use serde_json::Value;

/// A JSON Pointer, kept both as written (with `~0` and `~1` escapes) and as its
/// unescaped reference tokens.
///
/// The written form is canonical, because every `~` must start `~0` or `~1`. So it
/// compares directly with the pointers that the parser records for repeated keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    text: String,
    tokens: Vec<String>,
}

/// An invalid pointer, with the text given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointerError {
    #[error("pointer {0:?} does not start with /; write a JSON Pointer such as /id, or nothing for the whole object")]
    NoLeadingSlash(String),
    #[error("pointer {0:?} has a ~ that is not ~0 or ~1; write ~0 for ~ and ~1 for /")]
    BadEscape(String),
}

impl Pointer {
    /// Parses a pointer: empty (the whole value) or a sequence of `/token`.
    pub fn parse(text: &str) -> Result<Pointer, PointerError> {
        if text.is_empty() {
            return Ok(Pointer {
                text: String::new(),
                tokens: Vec::new(),
            });
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(PointerError::NoLeadingSlash(text.to_owned()));
        };
        let tokens = rest
            .split('/')
            .map(unescape)
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| PointerError::BadEscape(text.to_owned()))?;
        Ok(Pointer {
            text: text.to_owned(),
            tokens,
        })
    }

    /// Returns the pointer as written, escapes included.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Returns the unescaped reference tokens.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// Looks the pointer up in `root`.
    ///
    /// With `headers_any_case`, a pointer of the form `/headers/<name>` matches
    /// the header name in any ASCII case, as HTTP header names do. More than one
    /// match makes the lookup ambiguous.
    pub(crate) fn resolve<'v>(&self, root: &'v Value, headers_any_case: bool) -> Lookup<'v> {
        if headers_any_case
            && let [first, name] = self.tokens.as_slice()
            && first == "headers"
        {
            return resolve_header(root, name);
        }
        let mut current = root;
        for token in &self.tokens {
            let next = match current {
                Value::Object(object) => object.get(token),
                Value::Array(elements) => array_index(token).and_then(|i| elements.get(i)),
                _ => None,
            };
            match next {
                Some(value) => current = value,
                None => return Lookup::NotFound,
            }
        }
        Lookup::Found {
            value: current,
            header_pointer: None,
        }
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The result of a lookup.
#[derive(Debug, PartialEq)]
pub(crate) enum Lookup<'v> {
    Found {
        value: &'v Value,
        /// For a header matched in another case, the pointer of the member that
        /// matched, so that a repeat of that member is noticed.
        header_pointer: Option<String>,
    },
    NotFound,
    /// Several headers match the name in different cases.
    Ambiguous,
}

fn resolve_header<'v>(root: &'v Value, name: &str) -> Lookup<'v> {
    let Some(Value::Object(headers)) = root.get("headers") else {
        return Lookup::NotFound;
    };
    let mut matches = headers.iter().filter(|(key, _)| key.eq_ignore_ascii_case(name));
    match (matches.next(), matches.next()) {
        (Some((key, value)), None) => Lookup::Found {
            value,
            header_pointer: Some(format!("/headers/{}", escape_token(key))),
        },
        (Some(_), Some(_)) => Lookup::Ambiguous,
        (None, _) => Lookup::NotFound,
    }
}

/// Returns whether a member at `repeated` (a pointer the parser recorded for a
/// repeated key) makes the value at `pointer` ambiguous: it is that pointer or
/// one of its ancestors. A repeat below the pointer is inside the value and does
/// not count. Both pointers are in their canonical written form.
pub(crate) fn is_at_or_below(pointer: &str, repeated: &str) -> bool {
    match pointer.strip_prefix(repeated) {
        Some(rest) => !repeated.is_empty() && (rest.is_empty() || rest.starts_with('/')),
        None => false,
    }
}

/// Parses an array index token: decimal digits without a leading zero, as RFC 6901
/// requires (`-`, the element after the last, never exists).
fn array_index(token: &str) -> Option<usize> {
    let digits_only = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    token.parse().ok()
}

fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c != '~' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('0') => out.push('~'),
            Some('1') => out.push('/'),
            _ => return None,
        }
    }
    Some(out)
}

fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(pointer: &str, root: &Value) -> Option<Value> {
        match Pointer::parse(pointer).unwrap().resolve(root, false) {
            Lookup::Found { value, .. } => Some(value.clone()),
            _ => None,
        }
    }

    #[test]
    fn pointer_unescapes_tilde_and_slash_in_order() {
        let pointer = Pointer::parse("/a~1b/c~0d/~01").unwrap();
        assert_eq!(pointer.tokens(), ["a/b", "c~d", "~1"]);
        assert_eq!(pointer.as_str(), "/a~1b/c~0d/~01");
    }

    #[test]
    fn pointer_rejects_missing_slash_and_bad_escapes() {
        assert_eq!(
            Pointer::parse("guid"),
            Err(PointerError::NoLeadingSlash("guid".to_owned()))
        );
        assert_eq!(Pointer::parse("/a~2"), Err(PointerError::BadEscape("/a~2".to_owned())));
        assert_eq!(Pointer::parse("/a~"), Err(PointerError::BadEscape("/a~".to_owned())));
    }

    #[test]
    fn empty_pointer_is_the_whole_value() {
        let root = json!({"a": 1});
        assert_eq!(found("", &root), Some(root.clone()));
    }

    #[test]
    fn pointer_walks_objects_and_arrays() {
        let root = json!({"a/b": {"m~n": [10, 20]}, "": {"": 3}, "list": [1]});
        assert_eq!(found("/a~1b/m~0n/1", &root), Some(json!(20)));
        assert_eq!(found("//", &root), Some(json!(3)));
        assert_eq!(found("/a~1b/m~0n/01", &root), None);
        assert_eq!(found("/a~1b/m~0n/-", &root), None);
        assert_eq!(found("/a~1b/m~0n/+1", &root), None);
        assert_eq!(found("/list/0/x", &root), None);
        assert_eq!(found("/missing", &root), None);
    }

    #[test]
    fn headers_match_in_any_case_only_when_asked() {
        let root = json!({"headers": {"Webhook-ID": "msg_1"}});
        let pointer = Pointer::parse("/headers/webhook-id").unwrap();
        assert_eq!(
            pointer.resolve(&root, true),
            Lookup::Found {
                value: &json!("msg_1"),
                header_pointer: Some("/headers/Webhook-ID".to_owned())
            }
        );
        assert_eq!(pointer.resolve(&root, false), Lookup::NotFound);
    }

    #[test]
    fn headers_in_two_cases_are_ambiguous() {
        let root = json!({"headers": {"webhook-id": "a", "WEBHOOK-ID": "b"}});
        let pointer = Pointer::parse("/headers/webhook-id").unwrap();
        assert_eq!(pointer.resolve(&root, true), Lookup::Ambiguous);
    }

    #[test]
    fn repeats_count_at_or_above_the_pointer() {
        assert!(is_at_or_below("/meta/id", "/meta/id"));
        assert!(is_at_or_below("/meta/id", "/meta"));
        assert!(!is_at_or_below("/meta/id", "/meta/id/x"));
        assert!(!is_at_or_below("/meta/id", "/met"));
        assert!(!is_at_or_below("/meta/identity", "/meta/id"));
        assert!(!is_at_or_below("", "/a"));
    }
}
