//! The id store file through the real binary. These tests check the exact line
//! written for each kind of id and that the next run reads it back as a
//! duplicate. They also read stores written on Windows, by other tools, or cut
//! off by an interrupted write.

mod common;

use serde_json::Value;

use common::{BATCH, STORE, Sandbox, event, stderr_of, stdout_of};

/// Ids that need a JSON string line, with the exact line the store must hold.
const QUOTED_IDS: &[(&str, &str)] = &[
    ("evt\n001", "\"evt\\u000a001\"\n"),
    ("evt\r001", "\"evt\\u000d001\"\n"),
    ("evt\t001", "\"evt\\u0009001\"\n"),
    ("evt\u{7f}001", "\"evt\\u007f001\"\n"),
    ("evt\u{85}001", "\"evt\\u0085001\"\n"),
    ("evt\u{9f}001", "\"evt\\u009f001\"\n"),
    ("evt\u{202e}001", "\"evt\\u202e001\"\n"),
    ("evt\u{2066}001", "\"evt\\u2066001\"\n"),
    ("evt\u{2028}001", "\"evt\\u2028001\"\n"),
    ("evt\u{1b}[31m", "\"evt\\u001b[31m\"\n"),
    ("evt\u{0}", "\"evt\\u0000\"\n"),
    (" evt_lead", "\" evt_lead\"\n"),
    ("evt_trail ", "\"evt_trail \"\n"),
    ("\u{3000}evt_ideographic", "\"\u{3000}evt_ideographic\"\n"),
    ("evt_ideographic\u{3000}", "\"evt_ideographic\u{3000}\"\n"),
    ("\u{a0}evt_nbsp", "\"\u{a0}evt_nbsp\"\n"),
    ("\"evt_quote", "\"\\\"evt_quote\"\n"),
    ("\"", "\"\\\"\"\n"),
    ("\u{feff}evt_bom", "\"\u{feff}evt_bom\"\n"),
    (" back\\slash", "\" back\\\\slash\"\n"),
];

/// Ids written as they are, one per line.
const PLAIN_IDS: &[&str] = &[
    "evt_001",
    "back\\slash",
    "\\u0041",
    "mid\"quote",
    "in ner",
    "évènement_😀",
    "ends_with_quote\"",
    "evt\u{feff}mid",
];

#[test]
fn quoted_ids_are_written_as_json_string_lines() {
    for (id, line) in QUOTED_IDS {
        let sandbox = Sandbox::new();

        sandbox.run_batch(&[event(id)]).code(0);

        assert_eq!(common::text(&sandbox.store()), *line, "store line for {id:?}");
    }
}

#[test]
fn plain_ids_are_written_as_they_are() {
    for id in PLAIN_IDS {
        let sandbox = Sandbox::new();

        sandbox
            .run_batch(&[event(id)])
            .code(0)
            .stdout(format!("Processed event: {id}\n"));

        assert_eq!(
            common::text(&sandbox.store()),
            format!("{id}\n"),
            "store line for {id:?}"
        );
    }
}

#[test]
fn every_written_id_reads_back_as_itself() {
    let sandbox = Sandbox::new();
    let ids: Vec<&str> = QUOTED_IDS
        .iter()
        .map(|(id, _)| *id)
        .chain(PLAIN_IDS.iter().copied())
        .collect();
    let events: Vec<Value> = ids.iter().map(|id| event(id)).collect();
    sandbox.write_batch(&events);
    sandbox.headless(&[BATCH]).code(0);
    let store_after_first_run = sandbox.store();

    let second = sandbox.headless_json(&[BATCH]).code(0);

    let records: Vec<Value> = stdout_of(&second)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each record is JSON"))
        .collect();
    assert_eq!(records.len(), ids.len());
    for (record, id) in records.iter().zip(&ids) {
        assert_eq!(record["event_id"], *id, "record {record}");
        assert_eq!(record["status"], "duplicate", "{id:?} must read back as a duplicate");
        assert_eq!(record["first_seen"], "previous run", "{id:?}");
    }
    assert_eq!(
        sandbox.store(),
        store_after_first_run,
        "a run of duplicates writes nothing"
    );
    assert_eq!(
        stderr_of(&second),
        format!(
            "webhook-dedup: {n} events: 0 processed, {n} duplicates, 0 malformed; store processed_events.txt (+0 ids)\n",
            n = ids.len()
        ),
        "the store must read back without warnings"
    );
}

#[test]
fn ids_are_compared_exactly() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_001\n  evt_002\n\u{e9}vt\n");
    let events = [
        event(" evt_001"),
        event("EVT_001"),
        event("evt_002"),
        event("e\u{301}vt"),
        event("  evt_002"),
        event("\u{e9}vt"),
    ];

    sandbox.run_batch(&events).code(0).stdout(concat!(
        "Processed event:  evt_001\n",
        "Processed event: EVT_001\n",
        "Processed event: evt_002\n",
        "Processed event: e\u{301}vt\n",
        "Duplicate event skipped:   evt_002\n",
        "Duplicate event skipped: \u{e9}vt\n",
    ));
}

#[test]
fn store_reads_crlf_lines() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_001\r\nevt_002\r\n");

    sandbox
        .run_batch(&[event("evt_001"), event("evt_002"), event("evt_003")])
        .code(0)
        .stdout("Duplicate event skipped: evt_001\nDuplicate event skipped: evt_002\nProcessed event: evt_003\n")
        .stderr(
            "webhook-dedup: 3 events: 1 processed, 2 duplicates, 0 malformed; store processed_events.txt (+1 id)\n",
        );

    assert_eq!(sandbox.store(), b"evt_001\r\nevt_002\r\nevt_003\n");
}

#[test]
fn store_ignores_a_byte_order_mark() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "\u{feff}evt_001\n");

    sandbox
        .run_batch(&[event("evt_001"), event("evt_002")])
        .code(0)
        .stdout("Duplicate event skipped: evt_001\nProcessed event: evt_002\n")
        .stderr("webhook-dedup: 2 events: 1 processed, 1 duplicate, 0 malformed; store processed_events.txt (+1 id)\n");

    assert_eq!(sandbox.store(), "\u{feff}evt_001\nevt_002\n".as_bytes());
}

#[test]
fn store_ignores_blank_lines() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "\n\nevt_001\n\n\r\nevt_002\n\n");

    sandbox
        .run_batch(&[event("evt_001"), event("evt_002")])
        .code(0)
        .stdout("Duplicate event skipped: evt_001\nDuplicate event skipped: evt_002\n")
        .stderr(
            "webhook-dedup: 2 events: 0 processed, 2 duplicates, 0 malformed; store processed_events.txt (+0 ids)\n",
        );
}

#[test]
fn store_last_line_without_newline_is_an_id() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_001\nevt_002");

    sandbox
        .run_batch(&[event("evt_002"), event("evt_003")])
        .code(0)
        .stdout("Duplicate event skipped: evt_002\nProcessed event: evt_003\n")
        .stderr(concat!(
            "webhook-dedup: warning: store processed_events.txt: line 2 (evt_002) has no final newline; ",
            "it is read as an id, but may be the torn end of an interrupted write\n",
            "webhook-dedup: 2 events: 1 processed, 1 duplicate, 0 malformed; store processed_events.txt (+1 id)\n",
        ));

    assert_eq!(
        sandbox.store(),
        b"evt_001\nevt_002\nevt_003\n",
        "the new id must not run into the last line"
    );
}

#[test]
fn store_unterminated_quoted_line_is_named_escaped() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "\"evt\\u001b[2J\"");

    sandbox
        .run_batch(&[event("evt\u{1b}[2J"), event("evt_2")])
        .code(0)
        .stdout("Duplicate event skipped: evt\\u{1b}[2J\nProcessed event: evt_2\n")
        .stderr(predicates::str::contains(
            "webhook-dedup: warning: store processed_events.txt: line 1 (evt\\u{1b}[2J) has no final newline;",
        ));

    assert_eq!(sandbox.store(), b"\"evt\\u001b[2J\"\nevt_2\n");
}

#[test]
fn store_unterminated_crlf_line_gets_its_newline() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_001\r");

    sandbox
        .run_batch(&[event("evt_001"), event("evt_002")])
        .code(0)
        .stdout("Duplicate event skipped: evt_001\nProcessed event: evt_002\n");

    assert_eq!(sandbox.store(), b"evt_001\r\nevt_002\n");
}

#[test]
fn store_skips_unreadable_lines_with_one_warning() {
    let sandbox = Sandbox::new();
    sandbox.write(
        STORE,
        b"evt_001\n\xff\xfe\n\"open\nevt_002\n\"bad\\u00\"\nevt_\xc3\n\"evt_003\"\n",
    );

    sandbox
        .run_batch(&[event("evt_001"), event("evt_002"), event("evt_003"), event("evt_004")])
        .code(0)
        .stdout(concat!(
            "Duplicate event skipped: evt_001\n",
            "Duplicate event skipped: evt_002\n",
            "Duplicate event skipped: evt_003\n",
            "Processed event: evt_004\n",
        ))
        .stderr(concat!(
            "webhook-dedup: warning: store processed_events.txt: skipped 4 unreadable lines (lines 2, 3, 5, 6): ",
            "not valid UTF-8, or not a valid JSON string; fix or remove them\n",
            "webhook-dedup: 4 events: 1 processed, 3 duplicates, 0 malformed; store processed_events.txt (+1 id)\n",
        ));

    let mut expected = b"evt_001\n\xff\xfe\n\"open\nevt_002\n\"bad\\u00\"\nevt_\xc3\n\"evt_003\"\n".to_vec();
    expected.extend_from_slice(b"evt_004\n");
    assert_eq!(sandbox.store(), expected, "unreadable lines are left as they are");
}

#[test]
fn store_warning_for_one_unreadable_line() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, b"\"\\ud800\"\nevt_001\n");

    sandbox.run_batch(&[event("evt_001")]).code(0).stderr(concat!(
        "webhook-dedup: warning: store processed_events.txt: skipped 1 unreadable line (line 1): ",
        "not valid UTF-8, or not a valid JSON string; fix or remove it\n",
        "webhook-dedup: 1 event: 0 processed, 1 duplicate, 0 malformed; store processed_events.txt (+0 ids)\n",
    ));
}

#[test]
fn store_warning_lists_the_first_five_lines() {
    let sandbox = Sandbox::new();
    let broken: String = (0..7).map(|_| "\"broken\n").collect();
    sandbox.write(STORE, format!("evt_001\n{broken}"));

    sandbox
        .run_batch(&[event("evt_001")])
        .code(0)
        .stdout("Duplicate event skipped: evt_001\n")
        .stderr(predicates::str::starts_with(
            "webhook-dedup: warning: store processed_events.txt: skipped 7 unreadable lines (lines 2, 3, 4, 5, 6, …): ",
        ));
}

#[test]
fn store_written_by_another_tool_is_used_directly() {
    let sandbox = Sandbox::new();
    let ids: String = (1..=50).map(|i| format!("evt_{i:03}\n")).collect();
    sandbox.write(STORE, &ids);
    let events: Vec<Value> = [25, 50, 51].iter().map(|i| event(&format!("evt_{i:03}"))).collect();

    sandbox
        .run_batch(&events)
        .code(0)
        .stdout("Duplicate event skipped: evt_025\nDuplicate event skipped: evt_050\nProcessed event: evt_051\n");

    assert_eq!(sandbox.store(), format!("{ids}evt_051\n").as_bytes());
}
