//! The headless command end to end: report lines, the summary, a second run
//! over the same store, empty batches, dry runs and when the command runs
//! headless without `--headless`.

mod common;

use std::time::{Duration, SystemTime};

use common::{BATCH, STORE, Sandbox, event};

const WORKED_EXAMPLE_OUT: &str =
    "Processed event: evt_001\nProcessed event: evt_002\nDuplicate event skipped: evt_001\n";

fn worked_example(sandbox: &Sandbox) {
    sandbox.write_batch(&[event("evt_001"), event("evt_002"), event("evt_001")]);
}

#[test]
fn worked_example_reports_each_event() {
    let sandbox = Sandbox::new();
    worked_example(&sandbox);

    sandbox.headless(&[BATCH]).code(0).stdout(WORKED_EXAMPLE_OUT).stderr(
        "webhook-dedup: 3 events: 2 processed, 1 duplicate, 0 malformed; store processed_events.txt (+2 ids)\n",
    );

    assert_eq!(sandbox.store(), b"evt_001\nevt_002\n");
}

#[test]
fn second_run_reports_earlier_ids_as_duplicates() {
    let sandbox = Sandbox::new();
    worked_example(&sandbox);
    sandbox.headless(&[BATCH]).code(0);

    sandbox
        .headless(&[BATCH])
        .code(0)
        .stdout(
            "Duplicate event skipped: evt_001\nDuplicate event skipped: evt_002\nDuplicate event skipped: evt_001\n",
        )
        .stderr(
            "webhook-dedup: 3 events: 0 processed, 3 duplicates, 0 malformed; store processed_events.txt (+0 ids)\n",
        );

    assert_eq!(sandbox.store(), b"evt_001\nevt_002\n");
}

#[test]
fn second_run_appends_only_new_ids() {
    let sandbox = Sandbox::new();
    sandbox.run_batch(&[event("evt_001")]).code(0);

    sandbox
        .run_batch(&[event("evt_001"), event("evt_003")])
        .code(0)
        .stdout("Duplicate event skipped: evt_001\nProcessed event: evt_003\n")
        .stderr("webhook-dedup: 2 events: 1 processed, 1 duplicate, 0 malformed; store processed_events.txt (+1 id)\n");

    assert_eq!(sandbox.store(), b"evt_001\nevt_003\n");
}

#[test]
fn store_option_names_the_store_file() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("state")).unwrap();
    worked_example(&sandbox);

    sandbox
        .headless(&["--store", "state/ids.txt", BATCH])
        .code(0)
        .stdout(WORKED_EXAMPLE_OUT)
        .stderr("webhook-dedup: 3 events: 2 processed, 1 duplicate, 0 malformed; store state/ids.txt (+2 ids)\n");

    assert_eq!(sandbox.read("state/ids.txt"), b"evt_001\nevt_002\n");
    assert!(!sandbox.exists(STORE), "the default store must not be created");
}

#[test]
fn empty_batches_print_only_the_summary() {
    for (name, contents) in [("empty file", ""), ("empty array", "[]"), ("whitespace", " \n\t\r\n  ")] {
        let sandbox = Sandbox::new();
        sandbox.write(BATCH, contents);

        sandbox.headless(&[BATCH]).code(0).stdout("").stderr(
            "webhook-dedup: 0 events: 0 processed, 0 duplicates, 0 malformed; store processed_events.txt (+0 ids)\n",
        );

        assert!(
            !sandbox.exists(STORE),
            "{name}: an empty batch must not create the store"
        );
    }
}

#[test]
fn empty_batch_never_opens_an_unusable_store() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("a_directory")).unwrap();
    sandbox.write(BATCH, "[]");

    sandbox
        .headless(&["--store", "a_directory", BATCH])
        .code(0)
        .stdout("")
        .stderr("webhook-dedup: 0 events: 0 processed, 0 duplicates, 0 malformed; store a_directory (+0 ids)\n");
}

#[test]
fn empty_batch_dry_run_summary_says_dry_run() {
    let sandbox = Sandbox::new();
    sandbox.write(BATCH, "");

    sandbox.headless(&["--dry-run", BATCH]).code(0).stdout("").stderr(
        "webhook-dedup: 0 events: 0 processed, 0 duplicates, 0 malformed; store processed_events.txt (dry run, store not written)\n",
    );

    assert!(!sandbox.exists(STORE));
}

#[test]
fn dry_run_leaves_an_existing_store_unchanged() {
    let sandbox = Sandbox::new();
    let before = b"evt_000\r\n\"evt \"\nno_newline";
    let store_path = sandbox.write(STORE, before);
    let old_time = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&store_path)
        .unwrap()
        .set_modified(old_time)
        .unwrap();
    sandbox.write_batch(&[event("evt_000"), event("evt_001"), event("evt_002"), event("evt_001")]);

    sandbox
        .headless(&["--dry-run", BATCH])
        .code(0)
        .stdout(
            "Duplicate event skipped: evt_000\nProcessed event: evt_001\nProcessed event: evt_002\nDuplicate event skipped: evt_001\n",
        )
        .stderr(predicates::str::ends_with(
            "webhook-dedup: 4 events: 2 processed, 2 duplicates, 0 malformed; store processed_events.txt (dry run, store not written)\n",
        ));

    assert_eq!(sandbox.store(), before);
    let modified = std::fs::metadata(&store_path).unwrap().modified().unwrap();
    assert_eq!(modified, old_time, "a dry run must not touch the store's mtime");
}

#[test]
fn dry_run_creates_no_store() {
    let sandbox = Sandbox::new();
    worked_example(&sandbox);

    sandbox.headless(&["--dry-run", BATCH]).code(0).stdout(WORKED_EXAMPLE_OUT).stderr(
        "webhook-dedup: 3 events: 2 processed, 1 duplicate, 0 malformed; store processed_events.txt (dry run, store not written)\n",
    );

    assert!(!sandbox.exists(STORE), "a dry run must not create the store");
}

#[test]
fn dry_run_json_reports_in_run_duplicates() {
    let sandbox = Sandbox::new();
    worked_example(&sandbox);

    sandbox.headless_json(&["--dry-run", BATCH]).code(0).stdout(concat!(
        r#"{"index":0,"event_id":"evt_001","event_type":"payment.succeeded","status":"processed"}"#,
        "\n",
        r#"{"index":1,"event_id":"evt_002","event_type":"payment.succeeded","status":"processed"}"#,
        "\n",
        r#"{"index":2,"event_id":"evt_001","event_type":"payment.succeeded","status":"duplicate","first_seen":0,"payload_differs":false}"#,
        "\n",
    ));

    assert!(!sandbox.exists(STORE));
}

#[test]
fn format_json_without_headless_runs_headless() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_001")]);

    sandbox
        .command()
        .args(["--format", "json", BATCH])
        .assert()
        .code(0)
        .stdout(concat!(
            r#"{"index":0,"event_id":"evt_001","event_type":"payment.succeeded","status":"processed"}"#,
            "\n"
        ))
        .stderr(concat!(
            "webhook-dedup: running headless because --format json was given\n",
            "webhook-dedup: 1 event: 1 processed, 0 duplicates, 0 malformed; store processed_events.txt (+1 id)\n",
        ));

    assert_eq!(sandbox.store(), b"evt_001\n");
}

#[test]
fn piped_stdout_runs_headless_and_says_so() {
    let sandbox = Sandbox::new();
    worked_example(&sandbox);

    sandbox
        .command()
        .arg(BATCH)
        .assert()
        .code(0)
        .stdout(WORKED_EXAMPLE_OUT)
        .stderr(concat!(
            "webhook-dedup: running headless because standard output is not a terminal\n",
            "webhook-dedup: 3 events: 2 processed, 1 duplicate, 0 malformed; store processed_events.txt (+2 ids)\n",
        ));
}
