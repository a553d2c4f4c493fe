//! The `--format json` records through the real binary: exact lines for each
//! status, `first_seen`, `payload_differs`, and null ids and types.

mod common;

use std::collections::BTreeSet;

use serde_json::{Value, json};

use common::{BATCH, Sandbox, event, event_with_payload, stdout_of};

/// Runs the batch with `--format json` and returns stdout.
fn json_run(sandbox: &Sandbox, events: &[Value]) -> String {
    sandbox.write_batch(events);
    let assert = sandbox.headless_json(&[BATCH]).code(0);
    stdout_of(&assert)
}

#[test]
fn json_records_for_processed_and_duplicates() {
    let sandbox = Sandbox::new();
    let events = [
        event_with_payload(
            "evt_1",
            json!({"amount": 1, "currency": "eur", "meta": {"a": 1, "b": [1, 2]}}),
        ),
        event_with_payload(
            "evt_1",
            json!({"meta": {"b": [1, 2], "a": 1}, "currency": "eur", "amount": 1}),
        ),
        event_with_payload(
            "evt_1",
            json!({"amount": 1.0, "currency": "eur", "meta": {"a": 1, "b": [1, 2]}}),
        ),
        event_with_payload(
            "evt_1",
            json!({"amount": 1, "currency": "eur", "meta": {"a": 1, "b": [2, 1]}}),
        ),
    ];

    let stdout = json_run(&sandbox, &events);

    assert_eq!(
        stdout,
        concat!(
            r#"{"index":0,"event_id":"evt_1","event_type":"payment.succeeded","status":"processed"}"#,
            "\n",
            r#"{"index":1,"event_id":"evt_1","event_type":"payment.succeeded","status":"duplicate","first_seen":0,"payload_differs":false}"#,
            "\n",
            r#"{"index":2,"event_id":"evt_1","event_type":"payment.succeeded","status":"duplicate","first_seen":0,"payload_differs":true}"#,
            "\n",
            r#"{"index":3,"event_id":"evt_1","event_type":"payment.succeeded","status":"duplicate","first_seen":0,"payload_differs":true}"#,
            "\n",
        )
    );
}

#[test]
fn payload_key_order_does_not_differ() {
    let sandbox = Sandbox::new();
    sandbox.write(
        BATCH,
        concat!(
            r#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{"a":1,"b":{"x":true,"y":null}}}"#,
            "\n",
            r#"{"payload":{"b":{"y":null,"x":true},"a":1},"timestamp":"2024-01-15T08:00:07Z","event_type":"other","event_id":"e"}"#,
        ),
    );

    sandbox.headless_json(&[BATCH]).code(0).stdout(concat!(
        r#"{"index":0,"event_id":"e","event_type":"t","status":"processed"}"#,
        "\n",
        r#"{"index":1,"event_id":"e","event_type":"other","status":"duplicate","first_seen":0,"payload_differs":false}"#,
        "\n",
    ));
}

#[test]
fn integer_and_float_payload_values_differ() {
    let sandbox = Sandbox::new();
    sandbox.write(
        BATCH,
        concat!(
            r#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{"n":1}}"#,
            "\n",
            r#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{"n":1.0}}"#,
            "\n",
            r#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{"n":1}}"#,
        ),
    );

    sandbox.headless_json(&[BATCH]).code(0).stdout(concat!(
        r#"{"index":0,"event_id":"e","event_type":"t","status":"processed"}"#,
        "\n",
        r#"{"index":1,"event_id":"e","event_type":"t","status":"duplicate","first_seen":0,"payload_differs":true}"#,
        "\n",
        r#"{"index":2,"event_id":"e","event_type":"t","status":"duplicate","first_seen":0,"payload_differs":false}"#,
        "\n",
    ));
}

#[test]
fn duplicate_compares_with_the_processing_event() {
    let sandbox = Sandbox::new();
    let mut malformed = event_with_payload("evt_1", json!({"v": 2}));
    malformed["timestamp"] = json!("soon");
    let events = [
        malformed,
        event("evt_0"),
        event_with_payload("evt_1", json!({"v": 1})),
        event_with_payload("evt_1", json!({"v": 1})),
    ];

    let stdout = json_run(&sandbox, &events);

    let last = stdout.lines().last().unwrap();
    assert_eq!(
        last,
        r#"{"index":3,"event_id":"evt_1","event_type":"payment.succeeded","status":"duplicate","first_seen":2,"payload_differs":false}"#
    );
}

#[test]
fn previous_run_duplicate_has_null_flag() {
    let sandbox = Sandbox::new();
    sandbox.write(common::STORE, "evt_1\n");

    let stdout = json_run(&sandbox, &[event("evt_1")]);

    assert_eq!(
        stdout,
        concat!(
            r#"{"index":0,"event_id":"evt_1","event_type":"payment.succeeded","status":"duplicate","first_seen":"previous run","payload_differs":null}"#,
            "\n"
        )
    );
}

#[test]
fn malformed_records_hold_the_reason() {
    let sandbox = Sandbox::new();
    sandbox.write(
        BATCH,
        concat!(
            r#"{"event_id":"evt_1","event_type":"t","timestamp":"2024-01-15T08:00:07Z"}"#,
            "\n",
            r#"{"event_id":5,"event_type":["t"],"timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
            "\n",
            r#"{"timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
            "\n",
            r#"[7, "evt_2"]"#,
            "\n",
            r#"{"event_id":"evt_3","event_type":null,"timestamp":"2024-01-15T08:00:07Z","payload":{}}"#,
        ),
    );

    sandbox.headless_json(&[BATCH]).code(0).stdout(concat!(
        r#"{"index":0,"event_id":"evt_1","event_type":"t","status":"malformed","reason":"payload is missing"}"#,
        "\n",
        r#"{"index":1,"event_id":null,"event_type":null,"status":"malformed","reason":"event_id is not a string"}"#,
        "\n",
        r#"{"index":2,"event_id":null,"event_type":null,"status":"malformed","reason":"event_id is missing"}"#,
        "\n",
        r#"{"index":3,"event_id":null,"event_type":null,"status":"malformed","reason":"event is not a JSON object"}"#,
        "\n",
        r#"{"index":4,"event_id":null,"event_type":null,"status":"malformed","reason":"event is not a JSON object"}"#,
        "\n",
        r#"{"index":5,"event_id":"evt_3","event_type":null,"status":"malformed","reason":"event_type is not a string"}"#,
        "\n",
    ));
}

#[test]
fn records_hold_only_the_keys_that_apply() {
    let sandbox = Sandbox::new();
    sandbox.write(common::STORE, "evt_old\n");
    let events = [
        event("evt_1"),
        event("evt_1"),
        event("evt_old"),
        json!({"event_id": "evt_2"}),
    ];

    let stdout = json_run(&sandbox, &events);

    let keys: Vec<BTreeSet<String>> = stdout
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).unwrap();
            record.as_object().unwrap().keys().cloned().collect()
        })
        .collect();
    let set = |names: &[&str]| names.iter().map(|name| (*name).to_owned()).collect::<BTreeSet<_>>();
    let common_keys = ["index", "event_id", "event_type", "status"];
    assert_eq!(keys.len(), 4);
    assert_eq!(keys[0], set(&common_keys));
    let duplicate_keys = set(&[&common_keys[..], &["first_seen", "payload_differs"]].concat());
    assert_eq!(keys[1], duplicate_keys);
    assert_eq!(keys[2], duplicate_keys);
    assert_eq!(keys[3], set(&[&common_keys[..], &["reason"]].concat()));
}

#[test]
fn json_summary_goes_to_stderr() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1"), event("evt_1")]);

    sandbox
        .headless_json(&[BATCH])
        .code(0)
        .stderr("webhook-dedup: 2 events: 1 processed, 1 duplicate, 0 malformed; store processed_events.txt (+1 id)\n");
}
