//! A directory as the events argument, through the real binary: which files are
//! read, in which order, how indexes and --max-events count across them, and
//! what an error in one file does.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// A temporary working directory with an `events` directory in it. The store is
/// `store.txt` beside `events`, so it is never one of the event files.
struct Setup {
    root: TempDir,
}

impl Setup {
    fn new() -> Setup {
        let root = TempDir::new().unwrap();
        std::fs::create_dir(root.path().join("events")).unwrap();
        Setup { root }
    }

    fn events_dir(&self) -> PathBuf {
        self.root.path().join("events")
    }

    fn store(&self) -> PathBuf {
        self.root.path().join("store.txt")
    }

    /// Writes `events/<name>`.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.events_dir().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_with_store(&self.store(), args)
    }

    fn run_with_store<I, S>(&self, store: &Path, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let output = cargo_bin_cmd!("webhook-dedup")
            .current_dir(self.root.path())
            .env("NO_COLOR", "1")
            .arg("--headless")
            .arg("--store")
            .arg(store)
            .args(args)
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    fn run_dir(&self) -> Run {
        self.run([self.events_dir()])
    }
}

/// Returns one valid event in the events shape.
fn event(id: &str) -> String {
    format!(r#"{{"event_id": "{id}", "event_type": "t", "timestamp": "2024-01-15T08:00:07Z", "payload": {{}}}}"#)
}

fn processed(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| format!("Processed event: {id}")).collect()
}

#[test]
fn directory_reads_files_in_byte_order() {
    let setup = Setup::new();
    for name in ["b.json", "a.jsonl", "B.json", "a.json", "a-2.json", "é.json"] {
        setup.file(name, &event(name));
    }
    let run = setup.run_dir();

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.lines(),
        processed(&["B.json", "a-2.json", "a.json", "a.jsonl", "b.json", "é.json"])
    );
}

#[test]
fn directory_skips_dotfiles_other_extensions_and_subdirectories() {
    let setup = Setup::new();
    setup.file("kept.json", &event("kept"));
    setup.file(".hidden.json", &event("hidden"));
    setup.file(".jsonl", &event("dot-jsonl"));
    setup.file("upper.JSON", &event("upper"));
    setup.file("notes.txt", &event("txt"));
    setup.file("backup.json.bak", &event("bak"));
    setup.file("plain", &event("plain"));
    std::fs::create_dir(setup.events_dir().join("nested")).unwrap();
    std::fs::write(setup.events_dir().join("nested/inner.json"), event("inner")).unwrap();
    let run = setup.run_dir();

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines(), processed(&["kept"]));
}

#[test]
fn directory_subdirectory_named_json_is_skipped() {
    let setup = Setup::new();
    setup.file("a.json", &event("a"));
    std::fs::create_dir(setup.events_dir().join("old.json")).unwrap();
    std::fs::write(setup.events_dir().join("old.json/b.json"), event("b")).unwrap();
    let run = setup.run_dir();

    assert_eq!(run.lines(), processed(&["a"]));
    assert!(run.stderr.contains("warning: skipped "), "{}", run.stderr);
    assert!(run.stderr.contains("old.json: not a regular file"), "{}", run.stderr);
}

#[test]
fn directory_follows_symlinks_to_files() {
    let setup = Setup::new();
    let outside = setup.root.path().join("outside.jsonl");
    std::fs::write(&outside, event("linked")).unwrap();
    std::os::unix::fs::symlink(&outside, setup.events_dir().join("link.json")).unwrap();
    setup.file("direct.json", &event("direct"));
    let run = setup.run_dir();

    assert_eq!(run.lines(), processed(&["direct", "linked"]));
}

#[test]
fn directory_dangling_symlink_is_error() {
    let setup = Setup::new();
    setup.file("a.json", &event("a"));
    std::os::unix::fs::symlink(setup.root.path().join("gone.json"), setup.events_dir().join("b.json")).unwrap();
    let run = setup.run_dir();

    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("events/b.json"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(!setup.store().exists());
}

#[test]
fn directory_indexes_count_across_files() {
    let setup = Setup::new();
    setup.file("1.json", &format!("[{}, {}]", event("a"), event("b")));
    setup.file("2.jsonl", &format!("{}\n{{\"event_id\": \"c\"}}\n", event("a")));
    let run = setup.run([OsStr::new("--format=json"), setup.events_dir().as_os_str()]);
    let lines: Vec<serde_json::Value> = run.lines().iter().map(|l| serde_json::from_str(l).unwrap()).collect();

    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["index"], 2);
    assert_eq!(lines[2]["status"], "duplicate");
    assert_eq!(lines[2]["first_seen"], 0);
    assert_eq!(lines[3]["index"], 3);
    assert_eq!(lines[3]["reason"], "event_type is missing");
}

#[test]
fn directory_max_events_counts_across_files() {
    let setup = Setup::new();
    setup.file("1.json", &format!("[{}, {}]", event("a"), event("b")));
    setup.file("2.json", &format!("[{}, {}]", event("c"), event("d")));

    let over = setup.run([OsStr::new("--max-events=3"), setup.events_dir().as_os_str()]);
    assert_eq!(over.code, 2);
    assert!(over.stderr.contains("holds more than 3 events"), "{}", over.stderr);
    assert!(over.stderr.contains("--max-events"), "{}", over.stderr);
    assert_eq!(over.stdout, "");
    assert!(!setup.store().exists());

    let enough = setup.run([OsStr::new("--max-events=4"), setup.events_dir().as_os_str()]);
    assert_eq!(enough.code, 0, "{}", enough.stderr);
    assert_eq!(enough.lines(), processed(&["a", "b", "c", "d"]));
}

#[test]
fn empty_directory_warns() {
    let setup = Setup::new();
    let run = setup.run_dir();

    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("warning: events directory "), "{}", run.stderr);
    assert!(
        run.stderr.contains("contains no *.json or *.jsonl file"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("0 events: 0 processed"), "{}", run.stderr);
    assert!(!setup.store().exists());
}

#[test]
fn directory_with_only_other_files_warns_as_empty() {
    let setup = Setup::new();
    setup.file("readme.txt", "not events");
    setup.file(".hidden.json", &event("hidden"));
    let run = setup.run_dir();

    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("contains no *.json or *.jsonl file"),
        "{}",
        run.stderr
    );
}

#[test]
fn directory_of_empty_files_gives_no_warning() {
    let setup = Setup::new();
    setup.file("a.json", "[]");
    setup.file("b.jsonl", "");
    let run = setup.run_dir();

    assert_eq!(run.code, 0);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(!setup.store().exists());
}

#[test]
fn directory_json_error_names_file_line_column() {
    let setup = Setup::new();
    setup.file("a.json", &event("a"));
    setup.file("b.jsonl", &format!("{}\n{{\"event_id\" 1}}\n", event("b")));
    setup.file("c.json", &event("c"));
    let run = setup.run_dir();
    let bad_file = setup.events_dir().join("b.jsonl");

    assert_eq!(run.code, 2);
    // Line 2 is `{"event_id" 1}`: the `1` at byte 13 is where a `:` was due.
    assert!(
        run.stderr.contains(&format!("{}:2:13: ", bad_file.display())),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing in the directory was processed"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    assert!(!setup.store().exists());
}

#[test]
fn directory_json_error_counts_bom() {
    let setup = Setup::new();
    let bad_file = setup.file("a.json", "\u{feff}{x}");
    let run = setup.run_dir();

    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!("{}:1:5: ", bad_file.display())),
        "{}",
        run.stderr
    );
}

#[test]
fn directory_files_keep_the_input_rules() {
    let setup = Setup::new();
    setup.file("a.json", &format!("\u{feff}[{}]\n[{}]", event("a"), event("b")));
    setup.file("b.json", "{\n  \"event_id\": \"c\",\n  \"event_type\": \"t\",\n  \"timestamp\": \"2024-01-15T08:00:07Z\",\n  \"payload\": {}\n}\n");
    let run = setup.run_dir();

    assert_eq!(run.lines(), processed(&["a", "b", "c"]));
}

#[test]
fn store_inside_directory_is_rejected() {
    let setup = Setup::new();
    setup.file("a.json", &event("a"));
    let store = setup.file("store.json", "");
    let run = setup.run_with_store(&store, [setup.events_dir()]);

    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pass --store with another path"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&store).unwrap(), "");
}

#[test]
fn directory_with_a_source_maps_every_file() {
    let setup = Setup::new();
    let stripe = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/providers/stripe/stripe-mock");
    for entry in std::fs::read_dir(&stripe).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, setup.events_dir().join(path.file_name().unwrap())).unwrap();
    }
    let run = setup.run([OsStr::new("--source=stripe"), setup.events_dir().as_os_str()]);

    assert_eq!(
        run.lines(),
        processed(&["evt_1MlLiDJITzLVzkSmHhzJOLbM", "evt_1Pgc76B7WZ01zgkWwyRHS12y"])
    );
}
