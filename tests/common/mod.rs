//! Helpers shared by the integration tests: a temporary working directory with
//! batch and store files, and runs of the real `webhook-dedup` binary in it.
//!
//! Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The default store file name, in the run's current directory.
pub const STORE: &str = "processed_events.txt";

/// The default events file name used by these tests.
pub const BATCH: &str = "batch.json";

/// A valid timestamp for events whose timestamp is not under test.
pub const TIMESTAMP: &str = "2024-01-15T08:00:07Z";

/// A temporary directory that is the current directory of every run.
pub struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: TempDir::new().expect("create a temporary directory"),
        }
    }

    /// Returns the sandbox directory.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Returns the absolute path of `name` inside the sandbox.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `bytes` to `name` and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).expect("write a sandbox file");
        path
    }

    /// Writes the events as one JSON array to the default batch file.
    pub fn write_batch(&self, events: &[Value]) -> PathBuf {
        self.write(BATCH, serde_json::to_vec(events).expect("serialize the batch"))
    }

    /// Reads the bytes of `name`, and panics when it does not exist.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|error| panic!("read {name}: {error}"))
    }

    /// Reads the bytes of the default store file.
    pub fn store(&self) -> Vec<u8> {
        self.read(STORE)
    }

    pub fn exists(&self, name: &str) -> bool {
        self.path(name).exists()
    }

    /// Builds a command for the real binary, run in the sandbox with `NO_COLOR=1`.
    pub fn command(&self) -> Command {
        let mut command = Command::cargo_bin("webhook-dedup").expect("the webhook-dedup binary is built");
        command.current_dir(self.root()).env("NO_COLOR", "1");
        command
    }

    /// Runs `webhook-dedup --headless ARGS` and returns its assertions.
    pub fn headless(&self, args: &[&str]) -> Assert {
        self.command().arg("--headless").args(args).assert()
    }

    /// Runs `webhook-dedup --headless --format json ARGS`.
    pub fn headless_json(&self, args: &[&str]) -> Assert {
        self.command()
            .args(["--headless", "--format", "json"])
            .args(args)
            .assert()
    }

    /// Writes `events` as the batch and runs it headless with the default store.
    pub fn run_batch(&self, events: &[Value]) -> Assert {
        self.write_batch(events);
        self.headless(&[BATCH])
    }
}

/// Builds a valid event with the given id.
pub fn event(id: &str) -> Value {
    event_with_payload(id, json!({}))
}

/// Builds a valid event with the given id and payload.
pub fn event_with_payload(id: &str, payload: Value) -> Value {
    json!({
        "event_id": id,
        "event_type": "payment.succeeded",
        "timestamp": TIMESTAMP,
        "payload": payload,
    })
}

/// Builds a valid event whose `field` is replaced by `value`, or removed when
/// `value` is `None`.
pub fn event_with(field: &str, value: Option<Value>) -> Value {
    let mut event = event("evt_1");
    let object = event.as_object_mut().expect("an event is an object");
    match value {
        Some(value) => {
            object.insert(field.to_owned(), value);
        }
        None => {
            object.remove(field);
        }
    }
    event
}

/// Decodes process output, which must be valid UTF-8.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// Returns the stdout of a finished run as text.
pub fn stdout_of(assert: &Assert) -> String {
    text(&assert.get_output().stdout)
}

/// Returns the stderr of a finished run as text.
pub fn stderr_of(assert: &Assert) -> String {
    text(&assert.get_output().stderr)
}

/// Returns whether `c` is a character that must never reach a terminal raw: C0
/// controls, DEL, C1 controls, the line and paragraph separators, and the
/// bidirectional controls.
pub fn is_terminal_control(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Panics when `output` holds a raw terminal control other than the `\n` that
/// ends each line, or a byte that is not UTF-8.
pub fn assert_no_raw_controls(output: &[u8]) {
    let bytes_ok = output.iter().all(|&b| b == b'\n' || (b >= 0x20 && b != 0x7f));
    assert!(bytes_ok, "raw C0 control or DEL byte in output: {output:?}");
    let text = std::str::from_utf8(output).expect("output is UTF-8");
    let found: Vec<char> = text.chars().filter(|&c| c != '\n' && is_terminal_control(c)).collect();
    assert!(found.is_empty(), "raw control characters {found:?} in output: {text:?}");
}
