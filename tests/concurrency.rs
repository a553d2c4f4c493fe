//! Several real processes over one store: its exclusive lock makes them take
//! turns, so every id is processed by exactly one of them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const IDS: usize = 3_000;
const PROCESSES: usize = 4;

fn id(n: usize) -> String {
    format!("evt-{n:05}")
}

fn write_batch(path: &Path, ids: &[String]) {
    let text: String = ids
        .iter()
        .map(|id| {
            format!(
                "{{\"event_id\":\"{id}\",\"event_type\":\"order.paid\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"payload\":{{}}}}\n"
            )
        })
        .collect();
    std::fs::write(path, text).unwrap();
}

/// Shuffles with a fixed xorshift sequence, so each process meets the ids in its
/// own order and a failure can be replayed.
fn shuffle(ids: &mut [String], seed: u64) {
    let mut state = seed;
    for i in (1..ids.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ids.swap(i, (state % (i as u64 + 1)) as usize);
    }
}

fn command(events: &Path, store: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_webhook-dedup"));
    command
        .arg("--headless")
        .args(["--wait-lock", "30"])
        .arg("--store")
        .arg(store)
        .arg(events)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Reads the store back, checking that every line is whole.
fn store_lines(store: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(store).unwrap();
    assert!(text.ends_with('\n'), "store does not end with a newline: {text:?}");
    text.lines().map(str::to_owned).collect()
}

#[test]
fn concurrent_runs_process_each_id_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.txt");
    let all: Vec<String> = (0..IDS).map(id).collect();

    // Process p skips the ids with n % 4 == p, so every id is in three of the
    // four batches, and each run finds some ids new and some already stored.
    let mut batches = Vec::new();
    for p in 0..PROCESSES {
        let mut ids: Vec<String> = (0..IDS).filter(|n| n % PROCESSES != p).map(id).collect();
        shuffle(&mut ids, 0x9E37_79B9_7F4A_7C15 ^ p as u64);
        let path = dir.path().join(format!("batch-{p}.jsonl"));
        write_batch(&path, &ids);
        batches.push((path, ids));
    }

    let mut children = Vec::new();
    for (path, _) in &batches {
        children.push(command(path, &store).spawn().unwrap());
    }
    // Each child is drained on its own thread: a child that holds the lock
    // must never block on a full pipe while the others wait for it.
    let outputs: Vec<Output> = std::thread::scope(|scope| {
        let handles: Vec<_> = children
            .into_iter()
            .map(|child| scope.spawn(move || child.wait_with_output().unwrap()))
            .collect();
        handles.into_iter().map(|handle| handle.join().unwrap()).collect()
    });

    let mut processed_by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (p, (output, (_, ids))) in outputs.iter().zip(&batches).enumerate() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "process {p} failed: {stderr}");

        let stdout = String::from_utf8(output.stdout.clone()).unwrap();
        let mut reported = Vec::new();
        let mut processed = 0;
        for line in stdout.lines() {
            if let Some(id) = line.strip_prefix("Processed event: ") {
                processed_by.entry(id.to_owned()).or_default().push(p);
                processed += 1;
                reported.push(id.to_owned());
            } else if let Some(id) = line.strip_prefix("Duplicate event skipped: ") {
                reported.push(id.to_owned());
            } else {
                panic!("process {p} printed an unexpected line: {line:?}");
            }
        }
        assert_eq!(
            &reported, ids,
            "process {p} reported other ids than its batch, in input order"
        );

        let summary = format!(
            "webhook-dedup: {} events: {processed} processed, {} duplicates, 0 malformed; store {} (+{processed} ids)",
            ids.len(),
            ids.len() - processed,
            store.display()
        );
        assert!(
            stderr.lines().any(|line| line == summary),
            "process {p} summary missing: {stderr}"
        );
    }

    let twice: Vec<_> = processed_by.iter().filter(|(_, by)| by.len() > 1).collect();
    assert!(twice.is_empty(), "ids processed more than once: {twice:?}");
    let processed: BTreeSet<&String> = processed_by.keys().collect();
    let expected: BTreeSet<&String> = all.iter().collect();
    assert_eq!(
        processed, expected,
        "the processed ids are not the 3,000 ids of the batches"
    );

    let lines = store_lines(&store);
    assert_eq!(lines.len(), IDS, "the store holds other lines than the 3,000 ids");
    let stored: BTreeSet<&String> = lines.iter().collect();
    assert_eq!(stored, expected, "the store holds other ids than those of the batches");
}
