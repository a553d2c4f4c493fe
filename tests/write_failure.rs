//! A store write that fails part-way, made real with a file size limit on the
//! process (`RLIMIT_FSIZE`, with SIGXFSZ ignored so that the write returns EFBIG).
//!
//! Each case checks the run against a model of the contract. Every event before
//! the first id that did not fit is reported, and that id and every event after
//! it are not. The store keeps exactly the whole lines of the ids reported
//! processed. A rerun without the limit then completes the batch. Most limits
//! fall in the middle of a line.

use std::collections::{HashMap, HashSet};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const EVENTS: usize = 8_000;

/// Bytes of one store line: `evt-000000\n`.
const LINE: u64 = 11;

/// Bytes after which a headless run writes its collected store lines: the
/// 5,958 lines of 11 bytes that first reach 64 KiB.
const FIRST_GROUP: u64 = 5_958 * LINE;

#[derive(Debug, Clone)]
enum Event {
    Valid(String),
    /// An event without a timestamp, which carries an id all the same.
    Malformed(String),
}

fn id(n: usize) -> String {
    format!("evt-{n:06}")
}

/// Mostly new ids, with repeats of earlier ids and malformed events that carry
/// the id of the event after them, which must still be processed.
fn batch() -> Vec<Event> {
    (0..EVENTS)
        .map(|i| match i {
            _ if i % 13 == 12 => Event::Malformed(id(i + 1)),
            _ if i % 7 == 6 => Event::Valid(id(i - 5)),
            _ => Event::Valid(id(i)),
        })
        .collect()
}

fn write_batch(path: &Path, events: &[Event]) {
    let text: String = events
        .iter()
        .map(|event| match event {
            Event::Valid(id) => format!(
                "{{\"event_id\":\"{id}\",\"event_type\":\"t\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"payload\":{{}}}}\n"
            ),
            Event::Malformed(id) => format!("{{\"event_id\":\"{id}\",\"event_type\":\"t\",\"payload\":{{}}}}\n"),
        })
        .collect();
    std::fs::write(path, text).unwrap();
}

/// Runs the batch headless, under a file size limit of `limit` bytes if given.
fn run(events: &Path, store: &Path, limit: Option<u64>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_webhook-dedup"));
    command
        .args(["--headless", "--max-events", &EVENTS.to_string()])
        .arg("--store")
        .arg(store)
        .arg(events)
        .stdin(Stdio::null());
    if let Some(limit) = limit {
        // SAFETY: the closure runs in the forked child before exec and only
        // makes two system calls, both async-signal-safe.
        unsafe {
            command.pre_exec(move || {
                let rlimit = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::signal(libc::SIGXFSZ, libc::SIG_IGN) == libc::SIG_ERR {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    command.output().unwrap()
}

/// What a run must print and leave in the store.
struct Expected {
    stdout: String,
    store: Vec<u8>,
    processed: usize,
    duplicates: usize,
    malformed: usize,
    /// Whether an id did not fit under the limit, so the run fails.
    failed: bool,
}

/// Applies the contract to `events` over a store containing `store`: each id's
/// line is added whole or not at all, and the run stops at the first id whose
/// line would pass `limit`.
fn model(events: &[Event], store: &[u8], limit: Option<u64>) -> Expected {
    let text = std::str::from_utf8(store).unwrap();
    let stored: HashSet<&str> = text.split('\n').filter(|line| !line.is_empty()).collect();
    let mut expected = Expected {
        stdout: String::new(),
        store: store.to_vec(),
        processed: 0,
        duplicates: 0,
        malformed: 0,
        failed: false,
    };
    let mut claimed = HashSet::new();
    for (index, event) in events.iter().enumerate() {
        let id = match event {
            Event::Malformed(_) => {
                expected.malformed += 1;
                expected.stdout += &format!("Malformed event skipped at index {index}: timestamp is missing\n");
                continue;
            }
            Event::Valid(id) => id,
        };
        if stored.contains(id.as_str()) || claimed.contains(id) {
            expected.duplicates += 1;
            expected.stdout += &format!("Duplicate event skipped: {id}\n");
            continue;
        }
        let mut line = String::new();
        if expected.store.last().is_some_and(|&b| b != b'\n') {
            line.push('\n');
        }
        line += &format!("{id}\n");
        if limit.is_some_and(|limit| (expected.store.len() + line.len()) as u64 > limit) {
            expected.failed = true;
            break;
        }
        expected.store.extend_from_slice(line.as_bytes());
        claimed.insert(id.clone());
        expected.processed += 1;
        expected.stdout += &format!("Processed event: {id}\n");
    }
    expected
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

fn summary(expected: &Expected, store: &Path) -> String {
    format!(
        "webhook-dedup: {EVENTS} events: {} processed, {}, {} malformed; store {} (+{})",
        expected.processed,
        plural(expected.duplicates, "duplicate", "duplicates"),
        expected.malformed,
        store.display(),
        plural(expected.processed, "id", "ids"),
    )
}

fn processed_ids(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("Processed event: "))
        .collect()
}

/// Runs the batch under `limit` over a store containing `initial` (no file when
/// `None`), checks the failed run, then reruns it without the limit.
fn check_failed_write_then_rerun(initial: Option<&[u8]>, limit: u64) {
    let dir = tempfile::tempdir().unwrap();
    let events_path = dir.path().join("batch.jsonl");
    let store = dir.path().join("store.txt");
    let events = batch();
    write_batch(&events_path, &events);
    if let Some(initial) = initial {
        std::fs::write(&store, initial).unwrap();
    }
    let before = initial.unwrap_or_default();
    let expected = model(&events, before, Some(limit));
    assert!(
        expected.failed,
        "the limit {limit} leaves room for the whole batch; the case tests nothing"
    );

    let output = run(&events_path, &store, Some(limit));

    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let after = std::fs::read(&store).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.lines().any(|line| line == summary(&expected, &store)),
        "no summary with the counts so far: {stderr}"
    );
    assert!(
        stderr.contains(&format!("cannot write store {}: File too large", store.display())),
        "no error naming the store: {stderr}"
    );
    assert!(after.len() as u64 <= limit, "the store is longer than the limit");
    assert!(after.starts_with(before), "the store's earlier lines changed");
    let added = &after[before.len()..];
    assert!(
        added.is_empty() || added.ends_with(b"\n"),
        "the store ends in a partial line: {:?}",
        String::from_utf8_lossy(&after[after.len().saturating_sub(30)..])
    );
    let stored_text = String::from_utf8(after.clone()).unwrap();
    let stored: HashSet<&str> = stored_text.lines().collect();
    let reported = processed_ids(&stdout);
    let unstored: Vec<&&str> = reported.iter().filter(|id| !stored.contains(**id)).collect();
    assert!(unstored.is_empty(), "reported processed but not stored: {unstored:?}");
    let added_ids: Vec<&str> = std::str::from_utf8(added)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(added_ids, reported, "the ids added are not those reported processed");
    assert_eq!(stdout, expected.stdout, "the reports differ from the contract");
    assert_eq!(after, expected.store, "the store differs from the contract");

    let rerun = run(&events_path, &store, None);

    let rerun_stdout = String::from_utf8(rerun.stdout).unwrap();
    let rerun_stderr = String::from_utf8(rerun.stderr).unwrap();
    assert!(rerun.status.success(), "the rerun failed: {rerun_stderr}");
    let mut processed: HashMap<&str, usize> = HashMap::new();
    for id in reported.iter().chain(&processed_ids(&rerun_stdout)) {
        *processed.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = processed.iter().filter(|(_, count)| **count > 1).collect();
    assert!(twice.is_empty(), "ids processed twice: {twice:?}");
    let complete = model(&events, before, None);
    assert_eq!(
        std::fs::read(&store).unwrap(),
        complete.store,
        "after the rerun the store does not hold the whole batch as one run would have written it"
    );
}

fn stored_ids(ids: impl IntoIterator<Item = String>) -> Vec<u8> {
    ids.into_iter().flat_map(|id| format!("{id}\n").into_bytes()).collect()
}

/// Returns a store written by earlier runs: some ids of this batch, and ids of others.
fn store_with_ids() -> Vec<u8> {
    let ids = (0..EVENTS)
        .step_by(97)
        .map(id)
        .chain((0..50).map(|n| format!("other-{n:04}")));
    stored_ids(ids)
}

#[test]
fn empty_store_fails_inside_first_group() {
    check_failed_write_then_rerun(None, 1_000 * LINE + 5);
}

#[test]
fn empty_store_fails_past_first_group() {
    check_failed_write_then_rerun(None, FIRST_GROUP + 300 * LINE + 7);
}

#[test]
fn empty_store_fails_in_second_group() {
    check_failed_write_then_rerun(None, FIRST_GROUP + 4);
}

#[test]
fn empty_store_fails_at_group_end() {
    check_failed_write_then_rerun(None, FIRST_GROUP);
}

#[test]
fn empty_store_fails_in_first_id() {
    check_failed_write_then_rerun(None, 6);
}

#[test]
fn filled_store_fails_inside_first_group() {
    let initial = store_with_ids();
    let limit = initial.len() as u64 + 2_500 * LINE + 3;
    check_failed_write_then_rerun(Some(&initial), limit);
}

#[test]
fn filled_store_fails_past_first_group() {
    let initial = store_with_ids();
    let limit = initial.len() as u64 + FIRST_GROUP + 100 * LINE + 9;
    check_failed_write_then_rerun(Some(&initial), limit);
}

#[test]
fn unterminated_store_fails_after_some_ids() {
    let initial = b"other-0001\nevt-000002";
    let limit = initial.len() as u64 + 1 + 2_000 * LINE + 4;
    check_failed_write_then_rerun(Some(initial), limit);
}

#[test]
fn unterminated_store_fails_in_first_id() {
    let initial = b"other-0001\nevt-000002";
    check_failed_write_then_rerun(Some(initial), initial.len() as u64 + 1 + 5);
}

#[test]
fn unterminated_store_fails_after_added_newline() {
    let initial = b"other-0001\nevt-000002";
    check_failed_write_then_rerun(Some(initial), initial.len() as u64 + 1);
}

#[test]
fn unterminated_store_fails_at_its_length() {
    let initial = b"other-0001\nevt-000002";
    check_failed_write_then_rerun(Some(initial), initial.len() as u64);
}
