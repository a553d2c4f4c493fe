//! Store failures through the real binary: paths that are not regular files,
//! locks held by another real process, files the run may not write, and writes
//! cut short by a file size limit. The events error wins over all of them.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;

use common::{BATCH, STORE, Sandbox, event, stderr_of};

const BINARY: &str = env!("CARGO_BIN_EXE_webhook-dedup");

/// Holds an advisory `flock` on a file from a separate python3 process, the way
/// another webhook-dedup run or any other tool would.
struct LockHolder {
    child: Child,
}

/// The kind of `flock` a [`LockHolder`] takes.
#[derive(Clone, Copy)]
enum LockKind {
    Exclusive,
    Shared,
}

impl LockHolder {
    /// Starts the holder and returns once it holds the lock. It keeps the lock
    /// for `hold` and then exits, or until it is dropped.
    fn start(path: &Path, kind: LockKind, hold: Duration) -> LockHolder {
        const SCRIPT: &str = r#"
import fcntl, sys, time
lock_file = open(sys.argv[1], "a")
fcntl.flock(lock_file, fcntl.LOCK_SH if sys.argv[2] == "shared" else fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[3]))
"#;
        let kind = match kind {
            LockKind::Exclusive => "exclusive",
            LockKind::Shared => "shared",
        };
        let mut child = StdCommand::new("python3")
            .args(["-c", SCRIPT])
            .arg(path)
            .arg(kind)
            .arg(hold.as_secs_f64().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 starts, to hold the lock");

        let mut first_line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut first_line)
            .expect("read the lock holder's output");
        assert_eq!(
            first_line, "locked\n",
            "the lock holder must report that it holds the lock"
        );
        LockHolder { child }
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A lock hold long enough to outlast any test that expects the lock to stay.
const HOLD_FOREVER: Duration = Duration::from_secs(60);

#[test]
fn directory_as_store_fails_at_once() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("ids")).unwrap();
    sandbox.write_batch(&[event("evt_1")]);

    for dry_run in [&[][..], &["--dry-run"][..]] {
        sandbox
            .headless(&[dry_run, &["--store", "ids", BATCH]].concat())
            .code(1)
            .stdout("")
            .stderr(predicates::str::ends_with(
                "webhook-dedup: error: store ids is a directory, not a regular file; pass --store with the path of a file\n",
            ));
    }
}

#[test]
fn unusable_store_prints_only_the_error() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("ids")).unwrap();
    sandbox.write_batch(&[event("evt_1"), event("evt_2")]);

    sandbox.headless(&["--store", "ids", BATCH]).code(1).stdout("").stderr(
        "webhook-dedup: error: store ids is a directory, not a regular file; pass --store with the path of a file\n",
    );
}

#[test]
fn device_as_store_fails_at_once() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1")]);

    for dry_run in [&[][..], &["--dry-run"][..]] {
        sandbox
            .headless(&[dry_run, &["--store", "/dev/full", BATCH]].concat())
            .code(1)
            .stdout("")
            .stderr(predicates::str::ends_with(
                "webhook-dedup: error: store /dev/full is a device, not a regular file; pass --store with the path of a file\n",
            ));
    }
}

#[test]
fn fifo_as_store_fails_without_blocking() {
    let sandbox = Sandbox::new();
    let fifo = std::ffi::CString::new(sandbox.path("ids.fifo").into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: `fifo` is a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0, "mkfifo");
    sandbox.write_batch(&[event("evt_1")]);

    sandbox
        .command()
        .args(["--headless", "--store", "ids.fifo", BATCH])
        .timeout(Duration::from_secs(5))
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains(
            "store ids.fifo is a FIFO, not a regular file",
        ));
}

#[test]
fn store_in_a_missing_directory_fails() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1")]);

    sandbox
        .headless(&["--store", "no_such_dir/ids.txt", BATCH])
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains("cannot open store no_such_dir/ids.txt: "))
        .stderr(predicates::str::contains(
            "create its directory first, or choose another --store path",
        ));
}

#[test]
fn locked_store_fails_within_a_second() {
    let sandbox = Sandbox::new();
    let before = b"evt_0\n";
    sandbox.write(STORE, before);
    sandbox.write_batch(&[event("evt_1")]);
    let _holder = LockHolder::start(&sandbox.path(STORE), LockKind::Exclusive, HOLD_FOREVER);

    let started = Instant::now();
    sandbox
        .headless(&[BATCH])
        .code(1)
        .stdout("")
        .stderr(predicates::str::ends_with(
            "webhook-dedup: error: store processed_events.txt is locked: another process is using it; \
         wait for it to finish, or pass --wait-lock SECONDS to wait for it\n",
        ));
    let elapsed = started.elapsed();

    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    assert_eq!(sandbox.store(), before, "a locked store must be left as it is");
}

#[test]
fn dry_run_fails_on_an_exclusive_lock() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_0\n");
    sandbox.write_batch(&[event("evt_1")]);
    let _holder = LockHolder::start(&sandbox.path(STORE), LockKind::Exclusive, HOLD_FOREVER);

    sandbox
        .headless(&["--dry-run", BATCH])
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains(
            "store processed_events.txt is locked: another process is using it",
        ));
}

#[test]
fn dry_run_shares_a_shared_lock() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_0\n");
    sandbox.write_batch(&[event("evt_0"), event("evt_1")]);
    let _holder = LockHolder::start(&sandbox.path(STORE), LockKind::Shared, HOLD_FOREVER);

    sandbox
        .headless(&["--dry-run", BATCH])
        .code(0)
        .stdout("Duplicate event skipped: evt_0\nProcessed event: evt_1\n");
}

#[test]
fn live_run_fails_on_a_shared_lock() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_0\n");
    sandbox.write_batch(&[event("evt_1")]);
    let _holder = LockHolder::start(&sandbox.path(STORE), LockKind::Shared, HOLD_FOREVER);

    sandbox
        .headless(&[BATCH])
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains(
            "store processed_events.txt is locked: another process is using it",
        ));
    assert_eq!(sandbox.store(), b"evt_0\n");
}

#[test]
fn wait_lock_waits_for_a_released_lock() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_0\n");
    sandbox.write_batch(&[event("evt_0"), event("evt_1")]);
    let _holder = LockHolder::start(&sandbox.path(STORE), LockKind::Exclusive, Duration::from_secs(1));

    let started = Instant::now();
    sandbox
        .headless(&["--wait-lock", "5", BATCH])
        .code(0)
        .stdout("Duplicate event skipped: evt_0\nProcessed event: evt_1\n");
    let elapsed = started.elapsed();

    assert!(
        elapsed >= Duration::from_millis(500),
        "the run must have waited, took {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert_eq!(sandbox.store(), b"evt_0\nevt_1\n");
}

#[test]
fn wait_lock_gives_up_and_says_it_waited() {
    let sandbox = Sandbox::new();
    sandbox.write_batch(&[event("evt_1")]);
    let _holder = LockHolder::start(&sandbox.path(STORE), LockKind::Exclusive, HOLD_FOREVER);

    let started = Instant::now();
    sandbox
        .headless(&["--wait-lock", "0.3", BATCH])
        .code(1)
        .stdout("")
        .stderr(predicates::str::ends_with(
            "webhook-dedup: error: store processed_events.txt is still locked by another process after waiting 0.3 s; \
             wait for that process to finish, or pass a longer --wait-lock\n",
        ));
    let elapsed = started.elapsed();

    assert!(elapsed >= Duration::from_millis(300), "took {elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert_eq!(
        sandbox.store(),
        b"",
        "the store must be left as the lock holder made it"
    );
}

/// Runs the binary headless in the sandbox as an unprivileged user when the
/// tests run as root, because permission bits do not stop root from writing.
/// Returns `None`, with a note, when that user cannot run the binary here.
fn command_without_root(sandbox: &Sandbox) -> Option<Command> {
    let mut command = StdCommand::new(BINARY);
    command.current_dir(sandbox.root()).env("NO_COLOR", "1");

    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        const NOBODY: u32 = 65534;
        std::fs::set_permissions(sandbox.root(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let probe = StdCommand::new(BINARY)
            .arg("--version")
            .uid(NOBODY)
            .gid(NOBODY)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !matches!(probe, Ok(status) if status.success()) {
            eprintln!("note: skipped, because user {NOBODY} cannot run {BINARY} ({probe:?})");
            return None;
        }
        command.uid(NOBODY).gid(NOBODY);
    }
    Some(Command::from_std(command))
}

#[test]
fn read_only_store_suggests_dry_run() {
    let sandbox = Sandbox::new();
    let store = sandbox.write(STORE, "evt_0\n");
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o444)).unwrap();
    sandbox.write_batch(&[event("evt_0"), event("evt_1")]);
    let Some(mut command) = command_without_root(&sandbox) else {
        return;
    };

    command
        .args(["--headless", BATCH])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains(
            "webhook-dedup: error: cannot open store processed_events.txt: ",
        ))
        .stderr(predicates::str::contains(
            "check its permissions, or pass --dry-run to replay without writing it",
        ));

    assert_eq!(sandbox.store(), b"evt_0\n");
}

#[test]
fn read_only_store_works_with_dry_run() {
    let sandbox = Sandbox::new();
    let store = sandbox.write(STORE, "evt_0\n");
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o444)).unwrap();
    sandbox.write_batch(&[event("evt_0"), event("evt_1")]);
    let Some(mut command) = command_without_root(&sandbox) else {
        return;
    };

    command
        .args(["--headless", "--dry-run", BATCH])
        .assert()
        .code(0)
        .stdout("Duplicate event skipped: evt_0\nProcessed event: evt_1\n")
        .stderr(
            "webhook-dedup: 2 events: 1 processed, 1 duplicate, 0 malformed; \
             store processed_events.txt (dry run, store not written)\n",
        );
}

#[test]
fn unreadable_store_is_an_error() {
    let sandbox = Sandbox::new();
    let store = sandbox.write(STORE, "evt_0\n");
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o000)).unwrap();
    sandbox.write_batch(&[event("evt_0")]);
    let Some(mut command) = command_without_root(&sandbox) else {
        return;
    };

    command
        .args(["--headless", "--dry-run", BATCH])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicates::str::contains("cannot open store processed_events.txt: "))
        .stderr(predicates::str::contains("check that the file is readable"));
}

#[test]
fn failed_write_cuts_partial_line() {
    let sandbox = Sandbox::new();
    sandbox.write(STORE, "evt_0");
    sandbox.write_batch(&[event("evt_0"), event("evt_001"), event("evt_002"), event("evt_003")]);
    let mut command = StdCommand::new(BINARY);
    command
        .current_dir(sandbox.root())
        .env("NO_COLOR", "1")
        .args(["--headless", BATCH]);
    // SAFETY: setrlimit and signal are async-signal-safe, and the closure
    // touches no memory shared with the parent.
    unsafe {
        command.pre_exec(|| {
            // The kernel sends SIGXFSZ past the limit; ignoring it makes the
            // write fail with EFBIG instead, as a full disk would fail it.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 20,
                rlim_max: 20,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }

    let assert = Command::from_std(command)
        .assert()
        .code(1)
        .stdout("Duplicate event skipped: evt_0\nProcessed event: evt_001\n");

    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(
            "webhook-dedup: 4 events: 1 processed, 1 duplicate, 0 malformed; store processed_events.txt (+1 id)\n"
        ),
        "the summary must give the counts so far: {stderr}"
    );
    assert!(
        stderr.contains("webhook-dedup: error: cannot write store processed_events.txt: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("free some space or raise the file size limit, then run again"),
        "{stderr}"
    );
    assert_eq!(
        sandbox.store(),
        b"evt_0\nevt_001\n",
        "only whole lines may stay in the store"
    );
}

#[test]
fn events_error_wins_over_an_unusable_store() {
    let sandbox = Sandbox::new();
    std::fs::create_dir(sandbox.path("ids")).unwrap();
    sandbox.write("truncated.json", "[{\"event_id\": ");
    sandbox.write_batch(&[event("evt_1"), event("evt_2")]);

    let cases: [(&[&str], &str); 4] = [
        (
            &["--store", "ids", "missing.json"],
            "cannot read events file missing.json: ",
        ),
        (
            &["--store", "/dev/full", "truncated.json"],
            "events file truncated.json is not valid JSON at line 1, byte column 14",
        ),
        (
            &["--store", "no_such_dir/ids.txt", "missing.json"],
            "cannot read events file missing.json: ",
        ),
        (
            &["--store", "ids", "--max-events", "1", BATCH],
            "events file batch.json holds more than 1 event",
        ),
    ];
    for (args, message) in cases {
        sandbox
            .headless(args)
            .code(2)
            .stdout("")
            .stderr(predicates::str::contains(message))
            .stderr(predicates::str::contains("store ids is a directory").not());
    }
}

#[test]
fn events_error_wins_over_a_locked_store() {
    let sandbox = Sandbox::new();
    sandbox.write("truncated.json", "[{\"event_id\": ");
    let _holder = LockHolder::start(&sandbox.path(STORE), LockKind::Exclusive, HOLD_FOREVER);

    sandbox
        .headless(&["truncated.json"])
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains(
            "events file truncated.json is not valid JSON",
        ))
        .stderr(predicates::str::contains("locked").not());
}
