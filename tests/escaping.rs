//! Display escaping of untrusted event text through the real binary: no
//! terminal control ever reaches stdout or stderr raw, in text or JSON output,
//! while JSON output keeps the exact id.

mod common;

use serde_json::{Value, json};

use common::{BATCH, Sandbox, assert_no_raw_controls, event, event_with, stdout_of};

/// Lists every character that display escaping replaces.
fn escaped_characters() -> Vec<char> {
    let ranges = [
        0x00..=0x1f,
        0x7f..=0x9f,
        0x2028..=0x2029,
        0x61c..=0x61c,
        0x200e..=0x200f,
        0x202a..=0x202e,
        0x2066..=0x2069,
    ];
    ranges
        .into_iter()
        .flatten()
        .map(|code| char::from_u32(code).expect("a scalar value"))
        .collect()
}

/// Returns the display form of one escaped character.
fn display_escape(c: char) -> String {
    match c {
        '\t' => "\\t".to_owned(),
        '\n' => "\\n".to_owned(),
        '\r' => "\\r".to_owned(),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

/// Ids that try to drive a terminal, with their expected display form.
const HOSTILE_IDS: &[(&str, &str)] = &[
    ("evt\u{1b}[31mred", "evt\\u{1b}[31mred"),
    ("evt\u{1b}]0;title\u{7}", "evt\\u{1b}]0;title\\u{7}"),
    ("evt\u{7}bell", "evt\\u{7}bell"),
    ("evt\rcr", "evt\\rcr"),
    ("evt\nlf", "evt\\nlf"),
    ("evt\u{85}nel", "evt\\u{85}nel"),
    ("evt\u{9b}31m", "evt\\u{9b}31m"),
    ("evt\u{202e}gnp.exe", "evt\\u{202e}gnp.exe"),
    ("evt\u{2066}isolate\u{2069}", "evt\\u{2066}isolate\\u{2069}"),
    ("evt\u{2028}sep", "evt\\u{2028}sep"),
];

#[test]
fn text_output_escapes_hostile_ids() {
    let sandbox = Sandbox::new();
    let mut events: Vec<Value> = HOSTILE_IDS.iter().map(|(id, _)| event(id)).collect();
    events.push(event(HOSTILE_IDS[0].0));

    let assert = sandbox.run_batch(&events).code(0);

    let mut expected: String = HOSTILE_IDS
        .iter()
        .map(|(_, shown)| format!("Processed event: {shown}\n"))
        .collect();
    expected.push_str(&format!("Duplicate event skipped: {}\n", HOSTILE_IDS[0].1));
    assert_eq!(stdout_of(&assert), expected);
    assert_no_raw_controls(&assert.get_output().stdout);
    assert_no_raw_controls(&assert.get_output().stderr);
}

#[test]
fn json_output_keeps_hostile_ids_exact() {
    let sandbox = Sandbox::new();
    let mut events: Vec<Value> = HOSTILE_IDS.iter().map(|(id, _)| event(id)).collect();
    events.push(event(HOSTILE_IDS[0].0));
    sandbox.write_batch(&events);

    let assert = sandbox.headless_json(&[BATCH]).code(0);

    let stdout = &assert.get_output().stdout;
    assert_no_raw_controls(stdout);
    let records: Vec<Value> = stdout_of(&assert)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each record is JSON"))
        .collect();
    assert_eq!(records.len(), events.len());
    for (record, (id, _)) in records.iter().zip(HOSTILE_IDS) {
        assert_eq!(record["event_id"], *id);
    }
    assert_eq!(records[HOSTILE_IDS.len()]["event_id"], HOSTILE_IDS[0].0);
}

#[test]
fn json_output_writes_controls_as_u_escapes() {
    let sandbox = Sandbox::new();
    let mut hostile = event("a\u{1b}[2J\u{85}\u{202e}\"\\b");
    hostile["event_type"] = json!("t\u{7}\u{2028}");
    sandbox.write_batch(&[hostile]);

    sandbox.headless_json(&[BATCH]).code(0).stdout(concat!(
        r#"{"index":0,"event_id":"a\u001b[2J\u0085\u202e\"\\b","event_type":"t\u0007\u2028","status":"processed"}"#,
        "\n"
    ));
}

#[test]
fn every_escaped_character_is_escaped_in_text_output() {
    let sandbox = Sandbox::new();
    let characters = escaped_characters();
    let events: Vec<Value> = characters.iter().map(|c| event(&format!("id{c}end"))).collect();

    let assert = sandbox.run_batch(&events).code(0);

    let expected: String = characters
        .iter()
        .map(|&c| format!("Processed event: id{}end\n", display_escape(c)))
        .collect();
    assert_eq!(stdout_of(&assert), expected);
    assert_no_raw_controls(&assert.get_output().stdout);
}

#[test]
fn every_escaped_character_round_trips_in_json_output() {
    let sandbox = Sandbox::new();
    let characters = escaped_characters();
    let events: Vec<Value> = characters.iter().map(|c| event(&format!("id{c}end"))).collect();
    sandbox.write_batch(&events);

    let assert = sandbox.headless_json(&[BATCH]).code(0);

    assert_no_raw_controls(&assert.get_output().stdout);
    for (line, c) in stdout_of(&assert).lines().zip(&characters) {
        let expected_literal = format!("\"event_id\":\"id\\u{:04x}end\"", *c as u32);
        assert!(
            line.contains(&expected_literal),
            "{line} should hold {expected_literal}"
        );
        let record: Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["event_id"], format!("id{c}end"));
    }
}

#[test]
fn neighbours_of_escaped_ranges_stay_raw() {
    let sandbox = Sandbox::new();
    let id = "a\u{a0}b\u{200d}c\u{2065}d\u{206a}e\u{200b}f\\g😀";

    sandbox
        .run_batch(&[event(id)])
        .code(0)
        .stdout(format!("Processed event: {id}\n"));
    assert_eq!(common::text(&sandbox.store()), format!("{id}\n"));
}

#[test]
fn timestamp_reason_is_escaped_and_cut() {
    let sandbox = Sandbox::new();
    let value = format!("\u{1b}[2J\u{1b}]0;pwned\u{7}{}", "x".repeat(80));
    sandbox.write_batch(&[event_with("timestamp", Some(json!(value)))]);

    let text = sandbox.headless(&[BATCH]).code(0);
    let json = sandbox.headless_json(&[BATCH]).code(0);

    let escaped_value = format!("\\u{{1b}}[2J\\u{{1b}}]0;pwned\\u{{7}}{}…", "x".repeat(31));
    assert_eq!(escaped_value.chars().count(), 60);
    assert_eq!(
        stdout_of(&text),
        format!("Malformed event skipped at index 0: timestamp is not an RFC 3339 date-time: {escaped_value}\n")
    );
    assert_no_raw_controls(&text.get_output().stdout);
    assert_no_raw_controls(&json.get_output().stdout);
    let record: Value = serde_json::from_str(stdout_of(&json).trim_end()).unwrap();
    assert_eq!(
        record["reason"],
        format!("timestamp is not an RFC 3339 date-time: {escaped_value}")
    );
}

#[test]
fn timestamp_reason_of_60_characters_is_not_cut() {
    let sandbox = Sandbox::new();
    let exactly = "y".repeat(60);
    let one_more = "z".repeat(61);
    let events = [
        event_with("timestamp", Some(json!(exactly))),
        event_with("timestamp", Some(json!(one_more))),
        event_with("timestamp", Some(json!("2024\n01\t15"))),
    ];

    sandbox.run_batch(&events).code(0).stdout(format!(
        "Malformed event skipped at index 0: timestamp is not an RFC 3339 date-time: {exactly}\n\
         Malformed event skipped at index 1: timestamp is not an RFC 3339 date-time: {}…\n\
         Malformed event skipped at index 2: timestamp is not an RFC 3339 date-time: 2024\\n01\\t15\n",
        "z".repeat(59)
    ));
}

#[test]
fn store_path_with_controls_is_escaped_in_messages() {
    let sandbox = Sandbox::new();
    let store = "st\u{1b}[31more.txt";
    sandbox.write(store, "evt_001");
    sandbox.write_batch(&[event("evt_001")]);

    let assert = sandbox.headless(&["--store", store, BATCH]).code(0).stderr(concat!(
        "webhook-dedup: warning: store st\\u{1b}[31more.txt: line 1 (evt_001) has no final newline; ",
        "it is read as an id, but may be the torn end of an interrupted write\n",
        "webhook-dedup: 1 event: 0 processed, 1 duplicate, 0 malformed; store st\\u{1b}[31more.txt (+0 ids)\n",
    ));

    assert_no_raw_controls(&assert.get_output().stderr);
}

#[test]
fn malformed_id_with_controls_stays_escaped() {
    let sandbox = Sandbox::new();
    let mut hostile = event("evt\u{1b}[2J");
    hostile["payload"] = json!([]);
    sandbox.write_batch(&[hostile]);

    let assert = sandbox.headless_json(&[BATCH]).code(0).stdout(concat!(
        r#"{"index":0,"event_id":"evt\u001b[2J","event_type":"payment.succeeded","status":"malformed","reason":"payload is not a JSON object"}"#,
        "\n"
    ));

    assert_no_raw_controls(&assert.get_output().stdout);
}
