//! Headless runs over one store killed with SIGKILL at several moments, then one
//! run to the end: no id is lost, none is processed twice, and the store never
//! contains a torn line.
//!
//! All the runs start at once and wait for the store's lock, so each one parses
//! the batch while another holds the lock, and takes the store over the moment
//! the kernel releases a killed holder's lock, as a restarted worker would.

use std::collections::HashSet;
use std::io::{BufWriter, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

const EVENTS: usize = 200_000;

/// For each run killed, in the order the runs take the lock: how many events it
/// reports processed before it is killed. The first is killed as soon as it
/// prints anything. One more run then completes the batch.
const KILL_AFTER_PROCESSED: [usize; 5] = [1, 12_345, 33_333, 21_000, 47_777];

const PROCESSED: &str = "Processed event: ";
const DUPLICATE: &str = "Duplicate event skipped: ";

fn id(n: usize) -> String {
    format!("evt-{n:06}")
}

fn write_batch(path: &Path) {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    for n in 0..EVENTS {
        writeln!(
            out,
            "{{\"event_id\":\"{}\",\"event_type\":\"charge.succeeded\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"payload\":{{\"n\":{n}}}}}",
            id(n)
        )
        .unwrap();
    }
    out.flush().unwrap();
}

fn spawn(events: &Path, store: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_webhook-dedup"))
        .args(["--headless", "--wait-lock", "300", "--max-events", &EVENTS.to_string()])
        .arg("--store")
        .arg(store)
        .arg(events)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// One run's stdout as read so far.
#[derive(Default)]
struct Printed {
    bytes: Vec<u8>,
    /// Bytes already counted in `processed`: every whole line before this offset.
    counted: usize,
    processed: usize,
}

impl Printed {
    fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        while let Some(at) = self.bytes[self.counted..].iter().position(|&b| b == b'\n') {
            if self.bytes[self.counted..].starts_with(PROCESSED.as_bytes()) {
                self.processed += 1;
            }
            self.counted += at + 1;
        }
    }

    /// Returns the ids reported processed, from whole lines only: a kill can cut the
    /// output mid-line, and that last piece is no report.
    fn processed_ids(&self) -> Vec<String> {
        let text = std::str::from_utf8(&self.bytes[..self.counted]).unwrap();
        let mut ids = Vec::new();
        for line in text.lines() {
            if let Some(id) = line.strip_prefix(PROCESSED) {
                ids.push(id.to_owned());
            } else if !line.starts_with(DUPLICATE) {
                panic!("unexpected report line: {line:?}");
            }
        }
        ids
    }
}

#[test]
fn killed_runs_keep_each_id_once() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("batch.jsonl");
    let store = dir.path().join("store.txt");
    write_batch(&events);

    let runs = KILL_AFTER_PROCESSED.len() + 1;
    let mut children: Vec<Child> = (0..runs).map(|_| spawn(&events, &store)).collect();
    let (sender, chunks) = mpsc::channel();
    for (run, child) in children.iter_mut().enumerate() {
        let mut stdout = child.stdout.take().unwrap();
        let sender = sender.clone();
        std::thread::spawn(move || {
            let mut chunk = vec![0; 64 * 1024];
            while let Ok(n @ 1..) = stdout.read(&mut chunk) {
                if sender.send((run, chunk[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
    }
    drop(sender);

    // Only the lock holder prints, so runs join `lock_order` as they take the
    // lock. Each is killed right after the read that shows it past its mark:
    // it is then printing the reports of a group already written, between two
    // store writes. A kill inside a write could tear the store's last line.
    let mut printed: Vec<Printed> = (0..runs).map(|_| Printed::default()).collect();
    let mut lock_order: Vec<usize> = Vec::new();
    for (run, chunk) in chunks {
        printed[run].push(&chunk);
        if !lock_order.contains(&run) {
            lock_order.push(run);
        }
        let turn = lock_order.iter().position(|&r| r == run).unwrap();
        let mark = KILL_AFTER_PROCESSED.get(turn);
        if mark.is_some_and(|&mark| printed[run].processed >= mark) {
            // Killing a run that has already been killed only resends SIGKILL.
            children[run].kill().unwrap();
        }
    }

    assert_eq!(lock_order.len(), runs, "not every run took the lock and printed");
    let mut processed = HashSet::new();
    for (turn, &run) in lock_order.iter().enumerate() {
        let status = children[run].wait().unwrap();
        if turn < KILL_AFTER_PROCESSED.len() {
            assert_eq!(
                status.signal(),
                Some(libc::SIGKILL),
                "run {turn} was not killed mid-run ({status}); its mark is past the end of the batch"
            );
        } else {
            assert!(status.success(), "the last run failed: {status}");
            assert!(printed[run].processed > 0, "the killed runs stored the whole batch");
        }
        for id in printed[run].processed_ids() {
            assert!(processed.insert(id.clone()), "run {turn} processed {id} again");
        }
    }

    let text = std::fs::read_to_string(&store).unwrap();
    assert!(text.ends_with('\n'), "the store ends in a torn line");
    let batch: HashSet<String> = (0..EVENTS).map(id).collect();
    let mut stored = HashSet::new();
    for line in text.lines() {
        assert!(
            batch.contains(line),
            "the store holds a line that is no id of the batch: {line:?}"
        );
        assert!(stored.insert(line), "the store holds {line} twice");
    }
    assert_eq!(stored.len(), EVENTS, "the store does not hold every id of the batch");
    let unstored: Vec<&String> = processed
        .iter()
        .filter(|id| !stored.contains(id.as_str()))
        .take(5)
        .collect();
    assert!(
        unstored.is_empty(),
        "ids reported processed but not stored: {unstored:?}"
    );
}
