//! The files of `sample-data/` give the results that `sample-data/README.md`
//! promises when the binary runs them headless.

use std::path::{Path, PathBuf};
use std::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_webhook-dedup");

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(name)
}

/// The stdout and stderr of a successful headless run.
struct Output {
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], events: &Path, store: &Path) -> Output {
    let output = Command::new(BINARY)
        .arg("--headless")
        .args(args)
        .arg(events)
        .arg("--store")
        .arg(store)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    assert!(output.status.success(), "{stderr}");
    Output {
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr,
    }
}

/// Returns the counts part of the summary line: `3 events: 2 processed, ...`.
fn counts(stderr: &str) -> &str {
    let summary = stderr.lines().last().unwrap_or_default();
    let counts = summary.strip_prefix("webhook-dedup: ").unwrap_or(summary);
    counts.split("; store").next().unwrap_or_default()
}

#[test]
fn worked_example_skips_the_redelivery() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.txt");

    let output = run(&[], &sample("worked-example.json"), &store);

    assert_eq!(
        output.stdout,
        "Processed event: evt_001\nProcessed event: evt_002\nDuplicate event skipped: evt_001\n"
    );
    assert_eq!(
        counts(&output.stderr),
        "3 events: 2 processed, 1 duplicate, 0 malformed"
    );
    assert_eq!(std::fs::read_to_string(&store).unwrap(), "evt_001\nevt_002\n");
}

#[test]
fn overlap_after_worked_example_skips_old_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.txt");
    run(&[], &sample("worked-example.json"), &store);

    let output = run(&[], &sample("overlap.json"), &store);

    assert_eq!(
        counts(&output.stderr),
        "7 events: 3 processed, 4 duplicates, 0 malformed"
    );
    assert!(output.stderr.ends_with("(+3 ids)\n"), "{}", output.stderr);
}

#[test]
fn overlap_flags_the_changed_payload() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.txt");

    let output = run(&["--format", "json", "--dry-run"], &sample("overlap.json"), &store);

    let lines: Vec<serde_json::Value> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        counts(&output.stderr),
        "7 events: 5 processed, 2 duplicates, 0 malformed"
    );
    assert_eq!(lines[5]["event_id"], "evt_004");
    assert_eq!(lines[5]["first_seen"], 2);
    assert_eq!(lines[5]["payload_differs"], true);
    assert_eq!(lines[6]["event_id"], "evt_003");
    assert_eq!(lines[6]["first_seen"], 0);
    assert_eq!(lines[6]["payload_differs"], false);
}

#[test]
fn malformed_sample_gives_every_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.txt");

    let output = run(&[], &sample("malformed.json"), &store);

    assert_eq!(
        counts(&output.stderr),
        "43 events: 4 processed, 1 duplicate, 38 malformed"
    );
    let reasons = [
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
        "timestamp is not an RFC 3339 date-time: 2024-01-15 09:00:00Z",
        "timestamp is not an RFC 3339 date-time: \\u{1b}[31m2024-01-15T09:00:00Z",
        "payload is missing",
        "payload is not a JSON object",
    ];
    for reason in reasons {
        assert!(
            output.stdout.lines().any(|line| line.ends_with(&format!(": {reason}"))),
            "no line gives the reason {reason:?}"
        );
    }
    assert!(output.stdout.contains("Processed event: evt_m_retry\n"));
    assert_eq!(
        std::fs::read_to_string(&store).unwrap().lines().collect::<Vec<_>>(),
        ["evt_m_ok_1", "evt_m_retry", &"é".repeat(100), "evt_m_payload_repeat"]
    );
}

#[test]
fn large_sample_has_20_percent_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.txt");

    let output = run(&[], &sample("large-10k.json"), &store);

    assert_eq!(
        counts(&output.stderr),
        "10000 events: 8000 processed, 2000 duplicates, 0 malformed"
    );
    assert_eq!(output.stdout.lines().count(), 10_000);
}

#[test]
fn generator_reproduces_the_large_sample() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen_batch.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(["--events", "10000", "--duplicates", "0.2", "--seed", "42"])
        .output()
        .expect("python3 runs; it is needed to regenerate the sample");

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let committed = std::fs::read(sample("large-10k.json")).unwrap();
    assert!(
        output.stdout == committed,
        "scripts/gen_batch.py no longer reproduces sample-data/large-10k.json; regenerate it as sample-data/README.md says"
    );
}
