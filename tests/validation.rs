//! Event validation through the real binary: each field rule on its valid and
//! invalid side, the exact reason texts, the check order, repeated fields, and
//! malformed events that never claim their id.

mod common;

use serde_json::{Value, json};

use common::{BATCH, STORE, Sandbox, TIMESTAMP, event, event_with, stdout_of};

/// Builds the expected stdout when every event of a batch is malformed, with
/// the reasons in batch order.
fn malformed_lines(reasons: &[&str]) -> String {
    reasons
        .iter()
        .enumerate()
        .map(|(index, reason)| format!("Malformed event skipped at index {index}: {reason}\n"))
        .collect()
}

/// Runs one batch given as raw JSON Lines text, so that events can hold
/// repeated keys that `serde_json::Value` cannot.
fn run_raw(sandbox: &Sandbox, events: &[&str]) -> assert_cmd::assert::Assert {
    sandbox.write(BATCH, events.join("\n"));
    sandbox.headless(&[BATCH])
}

#[test]
fn event_id_of_100_characters_is_valid() {
    for unit in ["a", "é", "😀"] {
        let sandbox = Sandbox::new();
        let id = unit.repeat(100);

        sandbox
            .run_batch(&[event(&id)])
            .code(0)
            .stdout(format!("Processed event: {id}\n"));

        assert_eq!(sandbox.store(), format!("{id}\n").as_bytes(), "100 x {unit}");
    }
}

#[test]
fn event_id_of_101_characters_is_malformed() {
    for unit in ["a", "é", "😀"] {
        let sandbox = Sandbox::new();

        sandbox
            .run_batch(&[event(&unit.repeat(101))])
            .code(0)
            .stdout("Malformed event skipped at index 0: event_id is longer than 100 characters\n");

        assert_eq!(sandbox.store(), b"", "101 x {unit}: nothing may be stored");
    }
}

#[test]
fn timestamps_in_the_profile_are_valid() {
    let valid = [
        "2024-01-15T08:00:07Z",
        "2024-01-15t08:00:07z",
        "2024-01-15T08:00:07.5Z",
        "2024-01-15T08:00:07.123456789Z",
        "2024-01-15T08:00:07+05:30",
        "2024-01-15T08:00:07.25-08:00",
        "2024-01-15T08:00:07+23:59",
        "2024-02-29T23:59:59Z",
        "2000-02-29T00:00:00Z",
        "2024-04-30T00:00:00Z",
        "2024-12-31T23:59:59.999999999+00:00",
    ];
    let sandbox = Sandbox::new();
    let events: Vec<Value> = valid
        .iter()
        .enumerate()
        .map(|(i, timestamp)| {
            let mut event = event(&format!("ts_{i}"));
            event["timestamp"] = json!(timestamp);
            event
        })
        .collect();

    let expected: String = (0..valid.len()).map(|i| format!("Processed event: ts_{i}\n")).collect();
    sandbox.run_batch(&events).code(0).stdout(expected);
}

#[test]
fn timestamps_outside_the_profile_are_malformed() {
    let invalid = [
        "2023-02-29T08:00:07Z",
        "1900-02-29T08:00:07Z",
        "2024-04-31T08:00:07Z",
        "2024-06-31T08:00:07Z",
        "2024-09-31T08:00:07Z",
        "2024-11-31T08:00:07Z",
        "2024-13-01T08:00:07Z",
        "2024-01-15T24:00:00Z",
        "2024-01-15T08:60:07Z",
        "2024-01-15T08:00:60Z",
        "2024-01-15T08:00:07+24:00",
        "2024-01-15T08:00:07+05:60",
        "2024-01-15 08:00:07Z",
        "2024-01-15T08:00:07",
        "2024-01-15T08:00:07 UTC",
        "2024-01-15T08:00:07UTC",
        "2024-01-15T08:00:07.Z",
        "2024-01-15T08:00:07.1234567890Z",
        "2024-01-15T08:00:07+0530",
        "2024-01-15",
        "",
    ];
    let sandbox = Sandbox::new();
    let events: Vec<Value> = invalid
        .iter()
        .map(|timestamp| event_with("timestamp", Some(json!(timestamp))))
        .collect();

    let reasons: Vec<String> = invalid
        .iter()
        .map(|timestamp| format!("timestamp is not an RFC 3339 date-time: {timestamp}"))
        .collect();
    let reasons: Vec<&str> = reasons.iter().map(String::as_str).collect();
    sandbox.run_batch(&events).code(0).stdout(malformed_lines(&reasons));
}

#[test]
fn payload_must_be_an_object() {
    let sandbox = Sandbox::new();
    let events = [
        event_with("payload", Some(json!([1, 2]))),
        event_with("payload", Some(json!("{}"))),
        event_with("payload", Some(json!(null))),
        event_with("payload", Some(json!(7))),
        event_with("payload", None),
    ];

    sandbox.run_batch(&events).code(0).stdout(malformed_lines(&[
        "payload is not a JSON object",
        "payload is not a JSON object",
        "payload is not a JSON object",
        "payload is not a JSON object",
        "payload is missing",
    ]));
}

#[test]
fn empty_payload_object_is_valid() {
    let sandbox = Sandbox::new();

    sandbox
        .run_batch(&[event_with("payload", Some(json!({})))])
        .code(0)
        .stdout("Processed event: evt_1\n");
}

#[test]
fn event_id_must_be_a_non_empty_string() {
    let sandbox = Sandbox::new();
    let events = [
        event_with("event_id", Some(json!(12345))),
        event_with("event_id", Some(json!(null))),
        event_with("event_id", Some(json!(["evt_1"]))),
        event_with("event_id", Some(json!(""))),
        event_with("event_id", None),
    ];

    sandbox.run_batch(&events).code(0).stdout(malformed_lines(&[
        "event_id is not a string",
        "event_id is not a string",
        "event_id is not a string",
        "event_id is empty",
        "event_id is missing",
    ]));
    assert_eq!(sandbox.store(), b"");
}

#[test]
fn event_type_must_be_a_non_empty_string() {
    let sandbox = Sandbox::new();
    let events = [
        event_with("event_type", None),
        event_with("event_type", Some(json!(3))),
        event_with("event_type", Some(json!(""))),
    ];

    sandbox.run_batch(&events).code(0).stdout(malformed_lines(&[
        "event_type is missing",
        "event_type is not a string",
        "event_type is empty",
    ]));
}

#[test]
fn timestamp_must_be_a_string() {
    let sandbox = Sandbox::new();
    let events = [
        event_with("timestamp", None),
        event_with("timestamp", Some(json!(1705305607))),
    ];

    sandbox
        .run_batch(&events)
        .code(0)
        .stdout(malformed_lines(&["timestamp is missing", "timestamp is not a string"]));
}

#[test]
fn elements_that_are_not_objects_are_malformed() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, r#"[1, "evt_1", null, [{"event_id": "evt_2"}], true, 2.5]"#);

    sandbox
        .headless(&[BATCH])
        .code(0)
        .stdout(malformed_lines(&["event is not a JSON object"; 6]))
        .stderr(
            "webhook-dedup: 6 events: 0 processed, 0 duplicates, 6 malformed; store processed_events.txt (+0 ids)\n",
        );
}

#[test]
fn repeated_field_is_malformed() {
    let sandbox = Sandbox::new();
    let events = [
        r#"{"event_id":"a","event_id":"b","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
        r#"{"event_id":"c","event_type":"t","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
        r#"{"event_id":"d","event_type":"t","timestamp":"2024-01-15T08:00:07Z","timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
        r#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{"x":1},"payload":{}}"#,
    ];

    run_raw(&sandbox, &events).code(0).stdout(malformed_lines(&[
        "field event_id appears more than once",
        "field event_type appears more than once",
        "field timestamp appears more than once",
        "field payload appears more than once",
    ]));
    assert_eq!(sandbox.store(), b"", "no id of an ambiguous event may be stored");
}

#[test]
fn repeated_field_is_checked_before_field_rules() {
    let sandbox = Sandbox::new();
    let events = [r#"{"event_id":"","payload":1,"payload":{}}"#];

    run_raw(&sandbox, &events)
        .code(0)
        .stdout("Malformed event skipped at index 0: field payload appears more than once\n");
}

#[test]
fn repeated_key_written_with_an_escape_is_noticed() {
    let sandbox = Sandbox::new();
    let events =
        [r#"{"event_id":"a","event\u005fid":"b","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{}}"#];

    run_raw(&sandbox, &events)
        .code(0)
        .stdout("Malformed event skipped at index 0: field event_id appears more than once\n");
}

#[test]
fn repeated_key_inside_payload_is_allowed() {
    let sandbox = Sandbox::new();
    let events = [
        r#"{"event_id":"a","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{"x":1,"x":2,"event_id":"p","event_id":"q"}}"#,
    ];

    run_raw(&sandbox, &events).code(0).stdout("Processed event: a\n");
    assert_eq!(sandbox.store(), b"a\n");
}

#[test]
fn malformed_event_does_not_claim_its_id() {
    let sandbox = Sandbox::new();
    let mut bad_type = event("evt_7");
    bad_type["event_type"] = json!("");
    let mut bad_timestamp = event("evt_7");
    bad_timestamp["timestamp"] = json!("tomorrow");

    sandbox
        .run_batch(&[bad_type, bad_timestamp, event("evt_7"), event("evt_7")])
        .code(0)
        .stdout(concat!(
            "Malformed event skipped at index 0: event_type is empty\n",
            "Malformed event skipped at index 1: timestamp is not an RFC 3339 date-time: tomorrow\n",
            "Processed event: evt_7\n",
            "Duplicate event skipped: evt_7\n",
        ));
    assert_eq!(sandbox.store(), b"evt_7\n");
}

#[test]
fn repeated_field_event_does_not_claim_either_id() {
    let sandbox = Sandbox::new();
    let events = [
        r#"{"event_id":"a","event_id":"b","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
        r#"{"event_id":"a","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
        r#"{"event_id":"b","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
    ];

    run_raw(&sandbox, &events).code(0).stdout(concat!(
        "Malformed event skipped at index 0: field event_id appears more than once\n",
        "Processed event: a\n",
        "Processed event: b\n",
    ));
}

#[test]
fn first_broken_rule_is_reported() {
    let sandbox = Sandbox::new();
    let events = [
        json!({"event_id": 5, "event_type": "", "payload": []}),
        json!({"event_id": "a", "event_type": "", "payload": []}),
        json!({"event_id": "a", "event_type": "t", "payload": []}),
        json!({"event_id": "a", "event_type": "t", "timestamp": "x", "payload": []}),
        json!({"event_id": "a", "event_type": "t", "timestamp": TIMESTAMP, "payload": []}),
    ];

    sandbox.run_batch(&events).code(0).stdout(malformed_lines(&[
        "event_id is not a string",
        "event_type is empty",
        "timestamp is missing",
        "timestamp is not an RFC 3339 date-time: x",
        "payload is not a JSON object",
    ]));
}

#[test]
fn extra_fields_are_ignored() {
    let sandbox = Sandbox::new();
    let mut with_extras = event("evt_1");
    with_extras["delivery_attempt"] = json!(3);
    with_extras["event_id_alt"] = json!(null);

    sandbox
        .run_batch(&[with_extras])
        .code(0)
        .stdout("Processed event: evt_1\n");
}

#[test]
fn every_reason_text_is_exact() {
    let sandbox = Sandbox::new();
    let ts = TIMESTAMP;
    let events = [
        "42".to_owned(),
        format!(r#"{{"event_id":"a","event_id":"a","event_type":"t","timestamp":"{ts}","payload":{{}}}}"#),
        format!(r#"{{"event_id":"a","event_type":"t","event_type":"t","timestamp":"{ts}","payload":{{}}}}"#),
        format!(r#"{{"event_id":"a","event_type":"t","timestamp":"{ts}","timestamp":"{ts}","payload":{{}}}}"#),
        format!(r#"{{"event_id":"a","event_type":"t","timestamp":"{ts}","payload":{{}},"payload":{{}}}}"#),
        format!(r#"{{"event_type":"t","timestamp":"{ts}","payload":{{}}}}"#),
        format!(r#"{{"event_id":1,"event_type":"t","timestamp":"{ts}","payload":{{}}}}"#),
        format!(r#"{{"event_id":"","event_type":"t","timestamp":"{ts}","payload":{{}}}}"#),
        format!(
            r#"{{"event_id":"{}","event_type":"t","timestamp":"{ts}","payload":{{}}}}"#,
            "x".repeat(101)
        ),
        format!(r#"{{"event_id":"a","timestamp":"{ts}","payload":{{}}}}"#),
        format!(r#"{{"event_id":"a","event_type":false,"timestamp":"{ts}","payload":{{}}}}"#),
        format!(r#"{{"event_id":"a","event_type":"","timestamp":"{ts}","payload":{{}}}}"#),
        r#"{"event_id":"a","event_type":"t","payload":{}}"#.to_owned(),
        r#"{"event_id":"a","event_type":"t","timestamp":{},"payload":{}}"#.to_owned(),
        r#"{"event_id":"a","event_type":"t","timestamp":"2024-02-30T00:00:00Z","payload":{}}"#.to_owned(),
        format!(r#"{{"event_id":"a","event_type":"t","timestamp":"{ts}"}}"#),
        format!(r#"{{"event_id":"a","event_type":"t","timestamp":"{ts}","payload":"x"}}"#),
    ];
    let events: Vec<&str> = events.iter().map(String::as_str).collect();

    let assert = run_raw(&sandbox, &events).code(0).stderr(
        "webhook-dedup: 17 events: 0 processed, 0 duplicates, 17 malformed; store processed_events.txt (+0 ids)\n",
    );

    assert_eq!(
        stdout_of(&assert),
        malformed_lines(&[
            "event is not a JSON object",
            "field event_id appears more than once",
            "field event_type appears more than once",
            "field timestamp appears more than once",
            "field payload appears more than once",
            "event_id is missing",
            "event_id is not a string",
            "event_id is empty",
            "event_id is longer than 100 characters",
            "event_type is missing",
            "event_type is not a string",
            "event_type is empty",
            "timestamp is missing",
            "timestamp is not a string",
            "timestamp is not an RFC 3339 date-time: 2024-02-30T00:00:00Z",
            "payload is missing",
            "payload is not a JSON object",
        ])
    );
}

#[test]
fn summary_counts_each_outcome() {
    let sandbox = Sandbox::new();
    let events = [
        event("evt_1"),
        event_with("payload", None),
        event("evt_1"),
        json!("not an event"),
        event("evt_2"),
    ];

    sandbox
        .run_batch(&events)
        .code(0)
        .stdout(concat!(
            "Processed event: evt_1\n",
            "Malformed event skipped at index 1: payload is missing\n",
            "Duplicate event skipped: evt_1\n",
            "Malformed event skipped at index 3: event is not a JSON object\n",
            "Processed event: evt_2\n",
        ))
        .stderr(
            "webhook-dedup: 5 events: 2 processed, 1 duplicate, 2 malformed; store processed_events.txt (+2 ids)\n",
        );
}

#[test]
fn summary_under_dry_run_counts_each_outcome() {
    let sandbox = Sandbox::new();
    let events = [event("evt_1"), event_with("event_id", None), event("evt_1")];
    sandbox.write_batch(&events);

    sandbox.headless(&["--dry-run", BATCH]).code(0).stderr(
        "webhook-dedup: 3 events: 1 processed, 1 duplicate, 1 malformed; store processed_events.txt (dry run, store not written)\n",
    );
    assert!(!sandbox.exists(STORE));
}
