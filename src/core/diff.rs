//! Comparison of a duplicate's payload with its first occurrence's, by key path,
//! so that a provider reusing an id for different content can be examined.

use serde_json::{Map, Value};

/// The keys in which two payloads differ. Where both payloads contain an object
/// under a key, the comparison goes on inside it, and a key is named by its path
/// from the payload, joined with `.` (`object.account_holder_name`). Provider
/// payloads wrap their content (Stripe's `data` contains one key, `object`), so
/// only the inner keys show what changed. Each list keeps the order of the keys
/// in the payload that contains them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadDiff {
    /// Keys in the duplicate that the first occurrence lacks.
    pub added: Vec<String>,
    /// Keys in the first occurrence that the duplicate lacks.
    pub removed: Vec<String>,
    /// Keys in both whose values differ (JSON value equality: `1` and `1.0`
    /// differ), and which do not both contain objects. Arrays are compared whole.
    pub changed: Vec<String>,
}

impl PayloadDiff {
    /// Compares `duplicate` with `first`. Payloads that are not both objects are
    /// compared whole: they differ in no named key, so the result is empty, and
    /// callers learn whether they differ at all from [`Outcome`]'s flag.
    ///
    /// [`Outcome`]: crate::core::pipeline::Outcome
    pub fn between(first: &Value, duplicate: &Value) -> PayloadDiff {
        let mut diff = PayloadDiff::default();
        if let (Value::Object(first), Value::Object(duplicate)) = (first, duplicate) {
            diff.compare("", first, duplicate);
        }
        diff
    }

    /// Compares two objects found at the key path `prefix`. The recursion is
    /// as deep as the payloads, which the parser's nesting limit bounds.
    fn compare(&mut self, prefix: &str, first: &Map<String, Value>, duplicate: &Map<String, Value>) {
        let path = |key: &str| {
            if prefix.is_empty() {
                key.to_owned()
            } else {
                format!("{prefix}.{key}")
            }
        };
        for (key, value) in duplicate {
            match (first.get(key), value) {
                (None, _) => self.added.push(path(key)),
                (Some(before), _) if before == value => {}
                (Some(Value::Object(before)), Value::Object(now)) => self.compare(&path(key), before, now),
                (Some(_), _) => self.changed.push(path(key)),
            }
        }
        for key in first.keys().filter(|key| !duplicate.contains_key(*key)) {
            self.removed.push(path(key));
        }
    }

    /// Returns whether no key differs.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_added_removed_and_changed_keys() {
        let first = json!({"amount": 100, "currency": "usd", "note": "x"});
        let duplicate = json!({"currency": "usd", "amount": 250, "refund": true});
        let diff = PayloadDiff::between(&first, &duplicate);
        assert_eq!(diff.added, ["refund"]);
        assert_eq!(diff.removed, ["note"]);
        assert_eq!(diff.changed, ["amount"]);
    }

    #[test]
    fn diff_ignores_key_order() {
        let diff = PayloadDiff::between(&json!({"a": 1, "b": 2}), &json!({"b": 2, "a": 1}));
        assert!(diff.is_empty());
    }

    #[test]
    fn diff_tells_integer_from_float() {
        let diff = PayloadDiff::between(&json!({"a": 1}), &json!({"a": 1.0}));
        assert_eq!(diff.changed, ["a"]);
    }

    #[test]
    fn diff_names_nested_keys_by_path() {
        let first = json!({"object": {"id": "ba_1", "holder": {"name": "A", "city": "X"}, "last4": "1"}});
        let duplicate = json!({"object": {"id": "ba_1", "holder": {"name": "B"}, "status": "new"}});
        let diff = PayloadDiff::between(&first, &duplicate);
        assert_eq!(diff.changed, ["object.holder.name"]);
        assert_eq!(diff.added, ["object.status"]);
        assert_eq!(diff.removed, ["object.holder.city", "object.last4"]);
    }

    #[test]
    fn diff_compares_arrays_whole() {
        let diff = PayloadDiff::between(&json!({"o": {"x": [1, 2]}}), &json!({"o": {"x": [2, 1]}}));
        assert_eq!(diff.changed, ["o.x"]);
    }

    #[test]
    fn diff_names_object_replaced_by_value() {
        let diff = PayloadDiff::between(&json!({"o": {"x": 1}}), &json!({"o": null}));
        assert_eq!(diff.changed, ["o"]);
    }

    #[test]
    fn diff_of_non_objects_is_empty() {
        assert!(PayloadDiff::between(&json!([1]), &json!({"a": 1})).is_empty());
    }
}
