//! End-to-end runs of the real binary in a pseudo-terminal: the screen is parsed
//! with vt100, and after every way of ending (quit, Ctrl-C, panic, SIGTERM,
//! SIGHUP) the terminal must be restored.
//!
//! Restoration is checked twice. In the output stream, the alternate screen is
//! left and the cursor shown after they were last entered and hidden. In the
//! terminal's settings, read with `tcgetattr` on the pseudo-terminal's slave
//! device, ICANON and ECHO are set again (raw mode clears them).

mod tui_common;
use tui_common as common;

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{Fixture, WORKED_EXAMPLE, WORKED_STORE};
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const TIMEOUT: Duration = Duration::from_secs(20);

/// The binary running in a pseudo-terminal, with everything it wrote so far.
struct PtyRun {
    child: Box<dyn Child + Send + Sync>,
    /// The master side, `None` once the test has hung up.
    master: Option<Box<dyn MasterPty + Send>>,
    writer: Option<Box<dyn Write + Send>>,
    reader: Option<thread::JoinHandle<()>>,
    stop_reading: Arc<AtomicBool>,
    output: Arc<Mutex<Vec<u8>>>,
    parser: vt100::Parser,
    parsed: usize,
}

impl PtyRun {
    /// Starts the binary in `dir` with `args`, on a `cols` x `rows` terminal.
    fn start(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> PtyRun {
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_webhook-dedup"));
        command.args(args);
        PtyRun::spawn(dir, command, env, cols, rows)
    }

    fn spawn(dir: &std::path::Path, mut command: CommandBuilder, env: &[(&str, &str)], cols: u16, rows: u16) -> PtyRun {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        command.cwd(dir);
        command.env("TERM", "xterm-256color");
        command.env_remove("NO_COLOR");
        command.env_remove("WEBHOOK_DEDUP_TEST_PANIC");
        command.env_remove("RUST_BACKTRACE");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pair.slave.spawn_command(command).unwrap();
        drop(pair.slave);

        // The reader polls before each read so that it can be stopped, which
        // lets a test close every descriptor of the master and hang up.
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let master_fd = pair.master.as_raw_fd().unwrap();
        let stop_reading = Arc::new(AtomicBool::new(false));
        let (sink, stop) = (Arc::clone(&output), Arc::clone(&stop_reading));
        let reader = thread::spawn(move || {
            let mut chunk = [0; 4096];
            while !stop.load(Ordering::SeqCst) {
                let mut watched = libc::pollfd {
                    fd: master_fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd, with its count.
                unsafe { libc::poll(&mut watched, 1, 50) };
                if watched.revents & libc::POLLIN != 0 {
                    match reader.read(&mut chunk) {
                        Ok(n @ 1..) => sink.lock().unwrap().extend_from_slice(&chunk[..n]),
                        _ => return,
                    }
                } else if watched.revents != 0 {
                    return;
                }
            }
        });
        let writer = pair.master.take_writer().unwrap();
        PtyRun {
            child,
            master: Some(pair.master),
            writer: Some(writer),
            reader: Some(reader),
            stop_reading,
            output,
            parser: vt100::Parser::new(rows, cols, 0),
            parsed: 0,
        }
    }

    fn output(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }

    /// Feeds the output that arrived since the last call to the screen parser.
    fn screen(&mut self) -> &vt100::Screen {
        let output = self.output();
        self.parser.process(&output[self.parsed..]);
        self.parsed = output.len();
        self.parser.screen()
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&mut self, text: &str) {
        let started = Instant::now();
        while !self.screen().contents().contains(text) {
            assert!(
                started.elapsed() < TIMEOUT,
                "timed out waiting for {text:?}; the screen shows:\n{}",
                self.screen().contents()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until no output has arrived for a while, and parses it all.
    fn wait_quiet(&mut self) {
        let started = Instant::now();
        let mut seen = usize::MAX;
        while seen != self.output.lock().unwrap().len() {
            assert!(started.elapsed() < TIMEOUT, "the output never stopped");
            seen = self.output.lock().unwrap().len();
            thread::sleep(Duration::from_millis(200));
        }
        self.screen();
    }

    fn send(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().unwrap();
        writer.write_all(bytes).unwrap();
        writer.flush().unwrap();
    }

    /// Closes every descriptor of the master side, as a terminal window that is
    /// closed does: the kernel hangs up the terminal and sends SIGHUP.
    fn hang_up(&mut self) {
        self.stop_reading.store(true, Ordering::SeqCst);
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        self.writer = None;
        self.master = None;
    }

    fn signal(&self, number: i32) {
        let pid = self.child.process_id().unwrap() as libc::pid_t;
        // SAFETY: kill has no memory effects; the pid is our own child's.
        assert_eq!(unsafe { libc::kill(pid, number) }, 0);
    }

    /// Waits for the binary to exit and returns its exit status.
    fn wait_exit(&mut self) -> u32 {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader thread collect the last bytes.
                thread::sleep(Duration::from_millis(100));
                return status.exit_code();
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "timed out waiting for the exit; the screen shows:\n{}",
                self.screen().contents()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The slave's ICANON and ECHO flags, which raw mode clears.
    fn canonical_and_echo(&self) -> (bool, bool) {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(self.master.as_ref().unwrap().tty_name().unwrap())
            .unwrap();
        // SAFETY: termios is plain data, filled in by tcgetattr on a valid fd.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(tty.as_raw_fd(), &mut termios) }, 0);
        (termios.c_lflag & libc::ICANON != 0, termios.c_lflag & libc::ECHO != 0)
    }

    /// Checks that the output left the alternate screen and showed the cursor
    /// after last entering and hiding them, and that raw mode is off.
    fn assert_restored(&mut self) {
        let output = self.output();
        let last = |pattern: &[u8]| output.windows(pattern.len()).rposition(|w| w == pattern);
        let entered = last(b"\x1b[?1049h").expect("the UI entered the alternate screen");
        let left = last(b"\x1b[?1049l").expect("the UI left the alternate screen");
        assert!(left > entered, "the alternate screen is left after it was entered");
        let hidden = last(b"\x1b[?25l").expect("the UI hid the cursor");
        let shown = last(b"\x1b[?25h").expect("the UI showed the cursor");
        assert!(shown > hidden, "the cursor is shown after it was hidden");

        let screen = self.screen();
        assert!(!screen.alternate_screen());
        assert!(!screen.hide_cursor());
        assert_eq!(self.canonical_and_echo(), (true, true), "raw mode is off");
    }
}

impl Drop for PtyRun {
    /// Ends a binary that a failed test left running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn pty_open_step_and_quit_restores_the_terminal() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);
    run.wait_for("0/8 stepped");
    assert_eq!(run.canonical_and_echo(), (false, false), "the UI runs in raw mode");

    run.send(b"nn");
    run.wait_for("2/8 stepped");
    assert!(run.screen().contents().contains("LIVE"));
    run.send(b"q");

    assert_eq!(run.wait_exit(), 0);
    run.assert_restored();
    run.wait_for("webhook-dedup: 8 events: 2 processed, 0 duplicates, 0 malformed; store store.txt (+2 ids); 6 events not stepped");
    assert_eq!(fixture.store_bytes(), b"evt_legacy\nevt_older\nevt_001\nevt_002\n");
}

#[test]
fn pty_panic_restores_the_terminal() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(
        fixture.dir.path(),
        &["--store", "store.txt", "batch.json"],
        &[("WEBHOOK_DEDUP_TEST_PANIC", "1")],
        80,
        24,
    );

    assert_eq!(run.wait_exit(), 101);
    run.assert_restored();
    let output = String::from_utf8_lossy(&run.output()).into_owned();
    let restored_at = output.rfind("\x1b[?1049l").unwrap();
    let message_at = output.find("asked for a panic").expect("the panic message is printed");
    assert!(message_at > restored_at, "the message follows the restored terminal");
}

#[test]
fn pty_ctrl_c_quits_and_restores_the_terminal() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);
    run.wait_for("0/8 stepped");
    run.send(b"n");
    run.wait_for("1/8 stepped");

    run.send(b"\x03");

    assert_eq!(run.wait_exit(), 0);
    run.assert_restored();
    assert_eq!(fixture.store_bytes(), b"evt_legacy\nevt_older\nevt_001\n");
}

#[test]
fn pty_sigterm_restores_the_terminal() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);
    run.wait_for("0/8 stepped");
    run.send(b"n");
    run.wait_for("1/8 stepped");

    run.signal(libc::SIGTERM);

    assert_eq!(run.wait_exit(), 128 + libc::SIGTERM as u32);
    run.assert_restored();
    assert_eq!(fixture.store_bytes(), b"evt_legacy\nevt_older\nevt_001\n");
}

#[test]
fn pty_sighup_restores_the_terminal() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);
    run.wait_for("0/8 stepped");

    run.signal(libc::SIGHUP);

    assert_eq!(run.wait_exit(), 128 + libc::SIGHUP as u32);
    run.assert_restored();
}

#[test]
fn pty_hang_up_releases_the_store() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);
    run.wait_for("0/8 stepped");
    run.send(b"n");
    run.wait_for("1/8 stepped");

    let hung_up = Instant::now();
    run.hang_up();

    assert_eq!(run.wait_exit(), 128 + libc::SIGHUP as u32);
    // The watchdog would end a stuck loop after 3 s; the loop itself notices
    // the hang-up within its poll interval.
    assert!(
        hung_up.elapsed() < Duration::from_millis(2500),
        "{:?}",
        hung_up.elapsed()
    );
    assert_eq!(fixture.store_bytes(), b"evt_legacy\nevt_older\nevt_001\n");
    let store = std::fs::File::open(fixture.store_path()).unwrap();
    assert!(store.try_lock().is_ok(), "the lock is released");
}

#[test]
fn pty_resize_to_1x1_and_back() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);
    run.wait_for("0/8 stepped");
    let resize = |run: &mut PtyRun, cols, rows| {
        // Bytes drawn for the old size must be parsed at the old size: vt100
        // cannot place a wide character in a one-column screen.
        run.wait_quiet();
        run.master
            .as_ref()
            .unwrap()
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        run.parser.screen_mut().set_size(rows, cols);
    };

    resize(&mut run, 1, 1);
    run.send(b"n");
    run.wait_for("T");
    assert!(run.child.try_wait().unwrap().is_none(), "still running at 1x1");

    resize(&mut run, 80, 24);
    run.send(b"n");
    run.wait_for("2/8 stepped");
    assert!(run.screen().contents().contains("Detail #1"));
    run.send(b"q");
    assert_eq!(run.wait_exit(), 0);
    run.assert_restored();
}

#[test]
fn pty_id_with_escape_sequences_is_shown_escaped() {
    let batch = r#"{"event_id": "evt_\u001b[31mred\u001b[2J", "event_type": "t", "timestamp": "2024-01-15T08:00:07Z", "payload": {"id": "evt_\u001b[31mred"}}"#;
    let fixture = Fixture::new(batch, None);
    let mut run = PtyRun::start(
        fixture.dir.path(),
        &["--store", "store.txt", "batch.json"],
        &[("NO_COLOR", "1")],
        120,
        30,
    );
    run.wait_for("0/1 stepped");
    run.send(b"n");
    run.wait_for("1/1 stepped");

    let screen = run.screen();
    let contents = screen.contents();
    let table_row = contents.lines().find(|line| line.contains("✓ processed")).unwrap();
    assert!(table_row.contains(r"evt_\u{1b}[31mred\u{1b}[2J"), "{contents}");
    let detail_id = contents.lines().find(|line| line.starts_with("│ event_id ")).unwrap();
    assert!(detail_id.contains(r"evt_\u{1b}[31mred\u{1b}[2J"), "{contents}");
    assert!(contents.contains(r#""id": "evt_\u001b[31mred""#), "{contents}");
    let (rows, cols) = screen.size();
    for row in 0..rows {
        for col in 0..cols {
            let cell = screen.cell(row, col).unwrap();
            assert_eq!(
                cell.fgcolor(),
                vt100::Color::Default,
                "no colour at {row},{col} under NO_COLOR"
            );
        }
    }

    run.send(b"q");
    assert_eq!(run.wait_exit(), 0);
    run.assert_restored();
}

#[test]
fn pty_store_error_is_shown_and_exits_1() {
    // The file size limit (1024 bytes with `ulimit -f 1`) leaves room for the
    // store as it is but not for the first new id.
    let store: Vec<u8> = (0..93).flat_map(|i| format!("evt_old{i:03}\n").into_bytes()).collect();
    assert!(store.len() < 1024);
    assert!(store.len() + "evt_001\n".len() > 1024);
    let fixture = Fixture::new(WORKED_EXAMPLE, Some(&store));
    let mut command = CommandBuilder::new("sh");
    command.args([
        "-c",
        r#"ulimit -f 1 && exec "$0" --store store.txt batch.json"#,
        env!("CARGO_BIN_EXE_webhook-dedup"),
    ]);
    let mut run = PtyRun::spawn(fixture.dir.path(), command, &[], 100, 30);
    run.wait_for("0/8 stepped");

    run.send(b"n");
    run.wait_for("Stepping has stopped");
    run.send(b"nr");
    run.send(b"q");

    assert_eq!(run.wait_exit(), 1);
    run.assert_restored();
    run.wait_for("webhook-dedup: error: cannot write store store.txt");
    assert_eq!(fixture.store_bytes(), store, "no partial line is left");
}

#[test]
fn pty_store_locked_fails_before_the_ui_starts() {
    let fixture = Fixture::worked_example();
    let holder = std::fs::File::open(fixture.store_path()).unwrap();
    holder.try_lock().unwrap();
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);

    assert_eq!(run.wait_exit(), 1);
    run.wait_for("is locked: another process is using it");
    let output = run.output();
    assert!(!output.windows(8).any(|w| w == b"\x1b[?1049h"), "the UI never started");
    assert_eq!(fixture.store_bytes(), WORKED_STORE);
}

#[test]
fn pty_empty_batch_opens_without_creating_the_store() {
    let fixture = Fixture::new("", None);
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);
    run.wait_for("EMPTY BATCH");
    assert!(run.screen().contents().contains("the batch is empty"));

    run.send(b"q");
    assert_eq!(run.wait_exit(), 0);
    run.assert_restored();
    assert!(!fixture.store_path().exists());
}

#[test]
fn pty_sigint_from_outside_restores_the_terminal() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);
    run.wait_for("0/8 stepped");

    run.signal(libc::SIGINT);

    assert_eq!(run.wait_exit(), 128 + libc::SIGINT as u32);
    run.assert_restored();
}

#[test]
fn pty_invalid_events_fail_before_the_ui_starts() {
    let fixture = Fixture::new("[{\"event_id\": ", Some(WORKED_STORE));
    let mut run = PtyRun::start(fixture.dir.path(), &["--store", "store.txt", "batch.json"], &[], 80, 24);

    assert_eq!(run.wait_exit(), 2);
    run.wait_for("events file batch.json is not valid JSON at line 1");
    let output = run.output();
    assert!(!output.windows(8).any(|w| w == b"\x1b[?1049h"), "the UI never started");
}

#[test]
fn pty_store_warning_is_shown_in_the_ui() {
    let fixture = Fixture::new(WORKED_EXAMPLE, Some(b"evt_legacy\n\"broken\nevt_older\n"));
    let mut run = PtyRun::start(
        fixture.dir.path(),
        &["--store", "store.txt", "batch.json"],
        &[],
        120,
        30,
    );

    run.wait_for("warning: store store.txt: skipped 1 unreadable line (line 2)");
    assert!(run.screen().contents().contains("Store 2 ids"));

    run.send(b"q");
    assert_eq!(run.wait_exit(), 0);
}

#[test]
fn pty_dry_run_never_writes_the_store() {
    let fixture = Fixture::worked_example();
    let mut run = PtyRun::start(
        fixture.dir.path(),
        &["--dry-run", "--store", "store.txt", "batch.json"],
        &[],
        80,
        24,
    );
    run.wait_for("DRY RUN");
    assert!(run.screen().contents().contains("store store.txt, read only"));

    run.send(b"r");
    run.wait_for("8/8 stepped");
    run.send(b"q");

    assert_eq!(run.wait_exit(), 0);
    run.wait_for("(dry run, store not written)");
    assert_eq!(fixture.store_bytes(), WORKED_STORE);
}

#[test]
fn pty_github_redelivery_is_a_duplicate() {
    let fixture = Fixture::new("", None);
    let store = fixture.store_path();
    let mut run = PtyRun::start(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "--source",
            "github-deliveries",
            "sample-data/providers/github/hook-delivery-items.json",
            "--store",
            store.to_str().unwrap(),
        ],
        &[],
        100,
        30,
    );
    run.wait_for("0/2 stepped");
    assert!(run.screen().contents().contains("source github-deliveries"));

    run.send(b"nn");
    run.wait_for("2/2 stepped");

    let contents = run.screen().contents();
    let redelivery = contents
        .lines()
        .find(|line| line.contains("2019-06-04T00:57:16Z"))
        .unwrap();
    assert!(redelivery.contains("= duplicate"), "{contents}");
    assert!(redelivery.contains("duplicate of #0"), "{contents}");
    assert!(contents.contains(r#""redelivery": true,"#), "{contents}");
    run.send(b"q");
    assert_eq!(run.wait_exit(), 0);
    run.assert_restored();
    assert_eq!(fixture.store_bytes(), b"0b989ba4-242f-11e5-81e1-c7b6966d2516\n");
}
