//! Reading the events input through the real binary: every input shape,
//! standard input, and events files that are rejected as a whole (exit 2) with
//! nothing processed and the store left as it was.

mod common;

use serde_json::Value;

use common::{BATCH, STORE, Sandbox, event, stderr_of};

const THREE_PROCESSED: &str = "Processed event: evt_1\nProcessed event: evt_2\nProcessed event: evt_3\n";

fn line(value: &Value) -> String {
    serde_json::to_string(value).unwrap()
}

/// Asserts that a rejected run left no store behind.
fn assert_no_store(sandbox: &Sandbox) {
    assert!(
        !sandbox.exists(STORE),
        "a rejected events file must not create the store"
    );
}

#[test]
fn input_one_array() {
    let sandbox = Sandbox::new();

    sandbox
        .run_batch(&[event("evt_1"), event("evt_2"), event("evt_3")])
        .code(0)
        .stdout(THREE_PROCESSED);
}

#[test]
fn input_json_lines() {
    let sandbox = Sandbox::new();
    let lines = format!(
        "{}\n{}\n{}\n",
        line(&event("evt_1")),
        line(&event("evt_2")),
        line(&event("evt_3"))
    );
    sandbox.write(BATCH, lines);

    sandbox.headless(&[BATCH]).code(0).stdout(THREE_PROCESSED);
}

#[test]
fn input_json_lines_with_crlf_and_blank_lines() {
    let sandbox = Sandbox::new();
    let lines = format!(
        "\r\n{}\r\n\r\n{}\r\n{}",
        line(&event("evt_1")),
        line(&event("evt_2")),
        line(&event("evt_3"))
    );
    sandbox.write(BATCH, lines);

    sandbox.headless(&[BATCH]).code(0).stdout(THREE_PROCESSED);
}

#[test]
fn input_one_pretty_printed_object() {
    let sandbox = Sandbox::new();
    let pretty = serde_json::to_string_pretty(&event("evt_1")).unwrap();
    assert!(pretty.lines().count() > 5, "the object spans many lines");
    sandbox.write(BATCH, pretty);

    sandbox
        .headless(&[BATCH])
        .code(0)
        .stdout("Processed event: evt_1\n")
        .stderr("webhook-dedup: 1 event: 1 processed, 0 duplicates, 0 malformed; store processed_events.txt (+1 id)\n");
}

#[test]
fn input_several_pretty_printed_objects() {
    let sandbox = Sandbox::new();
    let pretty: Vec<String> = ["evt_1", "evt_2", "evt_3"]
        .iter()
        .map(|id| serde_json::to_string_pretty(&event(id)).unwrap())
        .collect();
    sandbox.write(BATCH, pretty.join(""));

    sandbox.headless(&[BATCH]).code(0).stdout(THREE_PROCESSED);
}

#[test]
fn input_several_arrays_one_after_another() {
    let sandbox = Sandbox::new();
    let pages = format!(
        "[{}, {}]\n[]\n[{}]{}\n[{}]",
        line(&event("evt_1")),
        line(&event("evt_2")),
        line(&event("evt_3")),
        line(&event("evt_4")),
        line(&event("evt_1")),
    );
    sandbox.write(BATCH, pages);

    sandbox
        .headless(&[BATCH])
        .code(0)
        .stdout(format!(
            "{THREE_PROCESSED}Processed event: evt_4\nDuplicate event skipped: evt_1\n"
        ))
        .stderr(
            "webhook-dedup: 5 events: 4 processed, 1 duplicate, 0 malformed; store processed_events.txt (+4 ids)\n",
        );
}

#[test]
fn indexes_count_across_top_level_values() {
    let sandbox = Sandbox::new();
    sandbox.write(
        BATCH,
        format!("[{}, 1]\n2\n[3, {}]", line(&event("evt_1")), line(&event("evt_2"))),
    );

    sandbox.headless(&[BATCH]).code(0).stdout(concat!(
        "Processed event: evt_1\n",
        "Malformed event skipped at index 1: event is not a JSON object\n",
        "Malformed event skipped at index 2: event is not a JSON object\n",
        "Malformed event skipped at index 3: event is not a JSON object\n",
        "Processed event: evt_2\n",
    ));
}

#[test]
fn input_with_a_byte_order_mark() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, format!("\u{feff}[{}]", line(&event("evt_1"))));

    sandbox.headless(&[BATCH]).code(0).stdout("Processed event: evt_1\n");
}

#[test]
fn input_only_bom_is_empty_batch() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, "\u{feff}\n");

    sandbox.headless(&[BATCH]).code(0).stdout("");
    assert_no_store(&sandbox);
}

#[test]
fn input_file_is_never_modified() {
    let sandbox = Sandbox::new();
    let contents = format!("[{}]\n", line(&event("evt_1")));
    sandbox.write(BATCH, &contents);

    sandbox.headless(&[BATCH]).code(0);

    assert_eq!(sandbox.read(BATCH), contents.as_bytes());
}

#[test]
fn stdin_runs_headless_and_says_so() {
    let sandbox = Sandbox::new();
    let lines = format!("{}\n{}\n", line(&event("evt_1")), line(&event("evt_1")));

    sandbox
        .command()
        .arg("-")
        .write_stdin(lines)
        .assert()
        .code(0)
        .stdout("Processed event: evt_1\nDuplicate event skipped: evt_1\n")
        .stderr(concat!(
            "webhook-dedup: running headless because the events come from standard input\n",
            "webhook-dedup: 2 events: 1 processed, 1 duplicate, 0 malformed; store processed_events.txt (+1 id)\n",
        ));

    assert_eq!(sandbox.store(), b"evt_1\n");
}

#[test]
fn stdin_with_headless_prints_no_headless_note() {
    let sandbox = Sandbox::new();

    sandbox
        .command()
        .args(["--headless", "-"])
        .write_stdin(format!("[{}]", line(&event("evt_1"))))
        .assert()
        .code(0)
        .stdout("Processed event: evt_1\n")
        .stderr("webhook-dedup: 1 event: 1 processed, 0 duplicates, 0 malformed; store processed_events.txt (+1 id)\n");
}

#[test]
fn stdin_that_is_not_json_is_rejected() {
    let sandbox = Sandbox::new();

    sandbox
        .command()
        .args(["--headless", "-"])
        .write_stdin("{\"event_id\": nope}")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            "webhook-dedup: error: events file standard input is not valid JSON at line 1, byte column 15: \
             expected ident; fix the file and run again, nothing was processed\n",
        );
    assert_no_store(&sandbox);
}

#[test]
fn missing_events_file_names_the_path() {
    let sandbox = Sandbox::new();

    sandbox
        .headless(&["no_such_batch.json"])
        .code(2)
        .stdout("")
        .stderr(predicates::str::starts_with(
            "webhook-dedup: error: cannot read events file no_such_batch.json: ",
        ))
        .stderr(predicates::str::contains("check the path and its permissions"));
    assert_no_store(&sandbox);
}

#[test]
fn missing_events_file_with_controls_is_named_escaped() {
    let sandbox = Sandbox::new();

    let assert = sandbox
        .headless(&["gone\u{1b}[2J.json"])
        .code(2)
        .stderr(predicates::str::contains(
            "cannot read events file gone\\u{1b}[2J.json: ",
        ));

    common::assert_no_raw_controls(&assert.get_output().stderr);
}

#[test]
fn truncated_file_gives_line_and_byte_column() {
    let sandbox = Sandbox::new();
    sandbox.write(
        BATCH,
        "[\n  {\"event_id\": \"evt_1\", \"event_type\": \"t\", \"timestamp\": \"2024-01-15T08:00:07Z\", \"payload\": {}},\n  {\"event_id\"",
    );
    let store_before = b"evt_0\nno final newline";
    sandbox.write(STORE, store_before);

    sandbox.headless(&[BATCH]).code(2).stdout("").stderr(
        "webhook-dedup: error: events file batch.json is not valid JSON at line 3, byte column 13: \
         EOF while parsing an object; fix the file and run again, nothing was processed\n",
    );

    assert_eq!(sandbox.store(), store_before, "the store must be untouched");
}

#[test]
fn truncated_file_creates_no_store() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, format!("{}\n{{\"event_id\": \"evt_2\"", line(&event("evt_1"))));

    sandbox
        .headless(&[BATCH])
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "at line 2, byte column 20: EOF while parsing an object",
        ));
    assert_no_store(&sandbox);
}

#[test]
fn not_json_is_rejected() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, "event_id,event_type\nevt_1,payment\n");

    sandbox.headless(&[BATCH]).code(2).stdout("").stderr(
        "webhook-dedup: error: events file batch.json is not valid JSON at line 1, byte column 1: \
         expected value; fix the file and run again, nothing was processed\n",
    );
    assert_no_store(&sandbox);
}

#[test]
fn error_column_counts_bytes() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, "{\"event_id\": \"é\", x}");

    sandbox.headless(&[BATCH]).code(2).stderr(predicates::str::contains(
        "at line 1, byte column 20: key must be a string;",
    ));
}

#[test]
fn error_column_counts_the_byte_order_mark() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, "\u{feff}{x}");

    sandbox.headless(&[BATCH]).code(2).stderr(predicates::str::contains(
        "at line 1, byte column 5: key must be a string;",
    ));
}

#[test]
fn garbage_after_valid_values_is_rejected() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, format!("[{}]\n]", line(&event("evt_1"))));

    sandbox
        .headless(&[BATCH])
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("at line 2, byte column 1: expected value;"));
    assert_no_store(&sandbox);
}

#[test]
fn invalid_utf8_is_rejected() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, b"[{\"event_id\":\"\xff\"}]");

    sandbox
        .headless(&[BATCH])
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "events file batch.json is not valid UTF-8 at line 1, byte column 15 (byte 0xff)",
        ));
    assert_no_store(&sandbox);
}

#[test]
fn store_equal_to_events_file_is_rejected() {
    let sandbox = Sandbox::new();
    let contents = format!("[{}]\n", line(&event("evt_1")));
    sandbox.write(BATCH, &contents);

    for store in [BATCH, "./batch.json"] {
        sandbox
            .headless(&["--store", store, BATCH])
            .code(2)
            .stdout("")
            .stderr(format!(
                "webhook-dedup: error: the store {store} is the same file as the events file batch.json; pass --store with another path\n"
            ));
    }

    assert_eq!(sandbox.read(BATCH), contents.as_bytes());
}

#[test]
fn store_linked_to_events_file_is_rejected() {
    let sandbox = Sandbox::new();
    let contents = format!("[{}]\n", line(&event("evt_1")));
    sandbox.write(BATCH, &contents);
    std::os::unix::fs::symlink(BATCH, sandbox.path("link.txt")).unwrap();
    std::fs::hard_link(sandbox.path(BATCH), sandbox.path("hard.txt")).unwrap();

    for store in ["link.txt", "hard.txt"] {
        sandbox
            .headless(&["--store", store, BATCH])
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains(format!(
                "the store {store} is the same file as the events file batch.json"
            )));
    }

    assert_eq!(sandbox.read(BATCH), contents.as_bytes());
}

#[test]
fn more_than_max_events_is_rejected() {
    let sandbox = Sandbox::new();
    let store_before = b"evt_0\n";
    for (shape, contents) in [
        ("one array", format!("[{0},{0},{0}]", line(&event("evt_1")))),
        ("JSON Lines", format!("{0}\n{0}\n{0}\n", line(&event("evt_1")))),
        ("arrays", format!("[{0},{0}]\n[{0}]", line(&event("evt_1")))),
    ] {
        sandbox.write(BATCH, contents);
        sandbox.write(STORE, store_before);

        sandbox
            .headless(&["--max-events", "2", BATCH])
            .code(2)
            .stdout("")
            .stderr(
                "webhook-dedup: error: events file batch.json holds more than 2 events; \
             nothing was processed, so pass a larger --max-events to accept the batch\n",
            );

        assert_eq!(sandbox.store(), store_before, "{shape}: the store must be untouched");
    }
}

#[test]
fn more_than_max_events_creates_no_store() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1"), event("evt_2")]);

    sandbox.headless(&["--max-events", "1", BATCH]).code(2).stdout("");
    assert_no_store(&sandbox);
}

#[test]
fn max_events_of_one_names_one_event() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1"), event("evt_2")]);

    sandbox
        .headless(&["--max-events", "1", BATCH])
        .code(2)
        .stdout("")
        .stderr(
            "webhook-dedup: error: events file batch.json holds more than 1 event; \
         nothing was processed, so pass a larger --max-events to accept the batch\n",
        );
}

#[test]
fn exactly_max_events_is_accepted() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1"), event("evt_2")]);

    sandbox
        .headless(&["--max-events", "2", BATCH])
        .code(0)
        .stdout("Processed event: evt_1\nProcessed event: evt_2\n");
}

#[test]
fn default_limit_accepts_10000_events() {
    let sandbox = Sandbox::new();
    let ids: Vec<String> = (0..10_000).map(|i| format!("evt_{i:05}")).collect();
    let lines: String = ids.iter().map(|id| line(&event(id)) + "\n").collect();
    sandbox.write(BATCH, lines);

    let assert = sandbox.headless(&[BATCH]).code(0).stderr(
        "webhook-dedup: 10000 events: 10000 processed, 0 duplicates, 0 malformed; store processed_events.txt (+10000 ids)\n",
    );

    let stdout = common::stdout_of(&assert);
    assert_eq!(stdout.lines().count(), 10_000);
    assert_eq!(stdout.lines().last(), Some("Processed event: evt_09999"));
    let expected_store: String = ids.iter().map(|id| format!("{id}\n")).collect();
    assert_eq!(sandbox.store(), expected_store.as_bytes());
}

#[test]
fn default_limit_rejects_10001_events() {
    let sandbox = Sandbox::new();
    let event_line = line(&event("evt_1"));
    let lines: String = (0..10_001).map(|_| format!("{event_line}\n")).collect();
    sandbox.write(BATCH, lines);

    sandbox
        .headless(&[BATCH])
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("holds more than 10000 events"));
    assert_no_store(&sandbox);
}

#[test]
fn deeply_nested_payload_is_rejected_with_the_reason() {
    let sandbox = Sandbox::new();
    let depth = 300;
    let payload = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    sandbox.write(
        BATCH,
        format!(
            "{}\n{{\"event_id\":\"deep\",\"event_type\":\"t\",\"timestamp\":\"2024-01-15T08:00:07Z\",\"payload\":{payload}}}",
            line(&event("evt_1"))
        ),
    );

    let assert = sandbox.headless(&[BATCH]).code(2).stdout("");

    let stderr = stderr_of(&assert);
    assert!(
        stderr.starts_with("webhook-dedup: error: events file batch.json is not valid JSON at line 2, byte column "),
        "{stderr}"
    );
    assert!(
        stderr.contains("values are nested more than 128 levels deep, which is serde_json's recursion limit"),
        "{stderr}"
    );
    assert_no_store(&sandbox);
}

#[test]
fn deeply_nested_arrays_are_rejected_with_the_reason() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));

    sandbox
        .headless(&[BATCH])
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("values are nested more than 128 levels deep"));
    assert_no_store(&sandbox);
}

#[test]
fn payload_nested_within_the_limit_is_accepted() {
    let sandbox = Sandbox::new();
    let depth = 100;
    let payload = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    sandbox.write(
        BATCH,
        format!(
            "[{{\"event_id\":\"deep\",\"event_type\":\"t\",\"timestamp\":\"2024-01-15T08:00:07Z\",\"payload\":{payload}}}]"
        ),
    );

    sandbox.headless(&[BATCH]).code(0).stdout("Processed event: deep\n");
}

#[test]
fn lone_surrogate_escape_is_rejected_with_the_reason() {
    for (text, column) in [
        (r#"{"event_id": "\ud800", "event_type": "t"}"#, 21),
        (r#"{"event_id": "\udc00x"}"#, 20),
        (r#"{"event_id": "a", "payload": {"k": "\ud83d"}}"#, 43),
    ] {
        let sandbox = Sandbox::new();
        sandbox.write(BATCH, text);

        let assert = sandbox.headless(&[BATCH]).code(2).stdout("");

        let stderr = stderr_of(&assert);
        assert!(
            stderr.starts_with(&format!(
                "webhook-dedup: error: events file batch.json is not valid JSON at line 1, byte column {column}: "
            )),
            "{text}: {stderr}"
        );
        assert!(
            stderr.contains("(a \\u escape holds a lone UTF-16 surrogate, which is not a character)"),
            "{text}: {stderr}"
        );
        assert_no_store(&sandbox);
    }
}

#[test]
fn surrogate_pair_escape_is_accepted() {
    let sandbox = Sandbox::new();
    sandbox.write(
        BATCH,
        r#"{"event_id": "evt_\ud83d\ude00", "event_type": "t", "timestamp": "2024-01-15T08:00:07Z", "payload": {}}"#,
    );

    sandbox.headless(&[BATCH]).code(0).stdout("Processed event: evt_😀\n");
    assert_eq!(sandbox.store(), "evt_😀\n".as_bytes());
}

#[test]
fn invalid_wait_lock_value_is_a_usage_error() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1")]);

    sandbox
        .headless(&["--wait-lock", "soon", BATCH])
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "\"soon\" is not a number of seconds; pass for example 10 or 0.5",
        ));
    assert_no_store(&sandbox);
}

#[test]
fn senseless_max_events_are_usage_errors() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1")]);
    let cases = [
        ("0", "\"0\" is not a whole number of events of 1 or more"),
        ("-1", "\"-1\" is not a whole number of events of 1 or more"),
        (
            "99999999999999999999",
            "99999999999999999999 is larger than the largest count",
        ),
    ];

    for (value, message) in cases {
        sandbox
            .headless(&["--max-events", value, BATCH])
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains(message));
        assert!(!sandbox.exists(STORE), "--max-events {value} created the store");
    }
}
