//! A store write past the file size limit (`ulimit -f`) is a store error: the
//! run ends with exit 1 and leaves no partial line, rather than being killed.

use std::fmt::Write as _;
use std::process::Command;

#[test]
fn store_file_size_limit_is_a_store_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut batch = String::from("[");
    for i in 0..400 {
        if i > 0 {
            batch.push(',');
        }
        write!(
            batch,
            r#"{{"event_id":"evt_{i:05}","event_type":"t","timestamp":"2024-01-15T08:00:07Z","payload":{{}}}}"#
        )
        .unwrap();
    }
    batch.push(']');
    std::fs::write(dir.path().join("batch.json"), batch).unwrap();

    // `ulimit -f 1` allows 1024 bytes; the batch's ids need about 4,000.
    let output = Command::new("sh")
        .current_dir(dir.path())
        .arg("-c")
        .arg(r#"ulimit -f 1 && exec "$0" --headless --store store.txt batch.json"#)
        .arg(env!("CARGO_BIN_EXE_webhook-dedup"))
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write store store.txt"), "{stderr}");
    let store = std::fs::read(dir.path().join("store.txt")).unwrap();
    assert!(!store.is_empty());
    assert_eq!(store.last(), Some(&b'\n'));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let reported = stdout.lines().count();
    let stored = store.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(reported, stored, "every reported id is in the store, and no more");
}
