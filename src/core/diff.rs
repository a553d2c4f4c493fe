//! Comparison of a duplicate's payload with its first occurrence's, by top-level
//! key, so that a provider reusing an id for different content can be examined.

use serde_json::Value;

/// The top-level keys in which two payloads differ. Each list keeps the order
/// of the keys in the payload that contains them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayloadDiff {
    /// Keys in the duplicate that the first occurrence lacks.
    pub added: Vec<String>,
    /// Keys in the first occurrence that the duplicate lacks.
    pub removed: Vec<String>,
    /// Keys in both whose values differ (JSON value equality: `1` and `1.0` differ).
    pub changed: Vec<String>,
}

impl PayloadDiff {
    /// Compares `duplicate` with `first`. Payloads that are not both objects are
    /// compared whole: they differ in no named key, so the result is empty, and
    /// callers learn whether they differ at all from [`Outcome`]'s flag.
    ///
    /// [`Outcome`]: crate::core::pipeline::Outcome
    pub fn between(first: &Value, duplicate: &Value) -> PayloadDiff {
        let (Value::Object(first), Value::Object(duplicate)) = (first, duplicate) else {
            return PayloadDiff::default();
        };
        let mut diff = PayloadDiff::default();
        for (key, value) in duplicate {
            match first.get(key) {
                None => diff.added.push(key.clone()),
                Some(before) if before != value => diff.changed.push(key.clone()),
                Some(_) => {}
            }
        }
        diff.removed = first
            .keys()
            .filter(|key| !duplicate.contains_key(*key))
            .cloned()
            .collect();
        diff
    }

    /// Returns whether no top-level key differs.
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
    fn diff_compares_nested_values_whole() {
        let diff = PayloadDiff::between(&json!({"o": {"x": [1, 2]}}), &json!({"o": {"x": [2, 1]}}));
        assert_eq!(diff.changed, ["o"]);
    }

    #[test]
    fn diff_of_non_objects_is_empty() {
        assert!(PayloadDiff::between(&json!([1]), &json!({"a": 1})).is_empty());
    }
}
