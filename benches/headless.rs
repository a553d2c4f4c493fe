//! The performance benchmark of webhook-dedup, run with `cargo bench --bench headless`.
//!
//! It measures the three performance targets and prints each figure against
//! its target:
//!
//! - a whole headless run of the release binary on `sample-data/large-10k.json`
//!   (10,000 events, 20% redeliveries) into a fresh store: the wall time from
//!   spawning the process to reaping it. Process start, parsing, the report on a
//!   drained pipe and the final `fsync` of the store and its directory are included;
//! - a store of 1,000,000 ids: the in-process load time (`Store::open`, which reads
//!   and decodes the file, plus `Dedup::new`, which finds the ids of the
//!   10,000-event batch in it), and the peak resident memory of a release process
//!   that loads it, read from `wait4`;
//! - one frame of the terminal UI with the 10,000-event batch and that store,
//!   drawn in process into ratatui's `TestBackend` at 120x40 and 80x24, in four
//!   states of a session: just opened, half-way with a duplicate whose payload
//!   differs selected, with the store pane scrolled to its middle, and at the end.
//!
//! `cargo bench` builds with the bench profile, which inherits the release
//! profile; the binary it spawns is the one Cargo built for this run.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use webhook_dedup::core::load::{EventsInput, load_events};
use webhook_dedup::core::pipeline::{Dedup, FirstSeen, Outcome, Replay, run_batch};
use webhook_dedup::core::report::push_text_line;
use webhook_dedup::core::store::{Store, StoreOptions, push_store_line};
use webhook_dedup::tui::app::{Action, App, Session, StoreMode};
use webhook_dedup::tui::text::count;
use webhook_dedup::tui::ui;

const BINARY: &str = env!("CARGO_BIN_EXE_webhook-dedup");
const BATCH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data/large-10k.json");

/// Timed headless runs of the 10,000-event batch, after one warm-up run.
const HEADLESS_RUNS: usize = 30;
/// Timed in-process loads of the large store, after one warm-up load.
const LOAD_RUNS: usize = 11;
/// Processes spawned against the large store to read their peak memory.
const MEMORY_RUNS: usize = 3;
/// Ids in the large store.
const STORE_IDS: usize = 1_000_000;
/// Every this many ids, the large store contains one that is written quoted.
const QUOTED_EVERY: usize = 200_000;

const HEADLESS_TARGET: Duration = Duration::from_millis(30);
const LOAD_TARGET: Duration = Duration::from_millis(300);
/// Peak resident memory target, in bytes (150 MB, decimal).
const MEMORY_TARGET: u64 = 150_000_000;

/// Timed draws of each UI frame, after `FRAME_WARM_UP` untimed ones.
const FRAME_DRAWS: usize = 400;
const FRAME_WARM_UP: usize = 20;
/// Terminal sizes the frames are drawn at: a roomy one and the smallest usual one.
const FRAME_SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
/// Events stepped before the mid-batch frames.
const FRAME_MID_STEPS: usize = 5_000;
const FRAME_TARGET: Duration = Duration::from_millis(2);

fn main() {
    if cfg!(debug_assertions) {
        eprintln!("the benchmark was built without optimisations; run it with `cargo bench --bench headless`");
        std::process::exit(2);
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-{}", std::process::id()));
    fs::create_dir_all(&work).unwrap_or_else(|error| fail(&format!("cannot create {}: {error}", work.display())));

    println!("webhook-dedup benchmark");
    println!("binary: {BINARY}");
    println!("work directory: {}", work.display());
    println!("load average before: {}", load_average());
    println!();

    let headless_met = bench_headless(&work);
    println!();
    let store = work.join("store-1m.txt");
    let (load_met, memory_met) = bench_large_store(&store, &work);
    println!();
    let frame_met = bench_ui_frame(&store);

    println!();
    println!("load average after: {}", load_average());
    println!("summary:");
    println!("  headless 10,000 events < 30 ms: {}", verdict(headless_met));
    println!("  1,000,000-id store load < 300 ms: {}", verdict(load_met));
    println!("  1,000,000-id store peak memory < 150 MB: {}", verdict(memory_met));
    println!(
        "  UI frame, 10,000 events and 1,000,000 ids < 2 ms (wall median and CPU 99th percentile): {}",
        verdict(frame_met)
    );

    let _ = fs::remove_dir_all(&work);
}

/// Times whole headless runs of the release binary, each into a new store file.
fn bench_headless(work: &Path) -> bool {
    let warm_up = run_headless(work, "warm-up");
    println!("headless run of sample-data/large-10k.json into a fresh store");
    println!("  {}", warm_up.summary.trim_end());

    let runs: Vec<Run> = (0..HEADLESS_RUNS)
        .map(|run| run_headless(work, &run.to_string()))
        .collect();
    let walls: Vec<Duration> = runs.iter().map(|run| run.wall).collect();
    let cpus: Vec<Duration> = runs.iter().map(|run| run.cpu).collect();
    let stats = Stats::of(&walls);
    let met = stats.median < HEADLESS_TARGET;
    println!(
        "  wall, {HEADLESS_RUNS} runs after 1 warm-up: median {} (min {}, max {}); target < {}: {}",
        ms(stats.median),
        ms(stats.min),
        ms(stats.max),
        ms(HEADLESS_TARGET),
        verdict(met)
    );
    let cpu = Stats::of(&cpus);
    println!(
        "  CPU time (user + system) of those processes: median {} (min {}, max {})",
        ms(cpu.median),
        ms(cpu.min),
        ms(cpu.max)
    );

    print_headless_phases(work);
    met
}

/// One whole headless run.
struct Run {
    wall: Duration,
    /// User and system CPU time of the process, which other work on the machine
    /// inflates much less than the wall time.
    cpu: Duration,
    summary: String,
}

/// Spawns one headless run into the new store `work/headless-NAME.txt` and
/// drains its output.
fn run_headless(work: &Path, name: &str) -> Run {
    let store = work.join(format!("headless-{name}.txt"));
    let _ = fs::remove_file(&store);

    let cpu_before = children_cpu();
    let started = Instant::now();
    let child = Command::new(BINARY)
        .arg("--headless")
        .arg(BATCH)
        .arg("--store")
        .arg(&store)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| fail(&format!("cannot start {BINARY}: {error}")));
    let output = child
        .wait_with_output()
        .unwrap_or_else(|error| fail(&format!("cannot wait for {BINARY}: {error}")));
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);

    let summary = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        fail(&format!("the headless run failed ({}): {summary}", output.status));
    }
    if output.stdout.iter().filter(|&&b| b == b'\n').count() != 10_000 {
        fail("the headless run did not print one line per event");
    }
    let _ = fs::remove_file(&store);
    Run { wall, cpu, summary }
}

/// Returns the CPU time, user and system, of all the children reaped so far.
fn children_cpu() -> Duration {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let micros = |time: libc::timeval| time.tv_sec as u64 * 1_000_000 + time.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

/// Prints where the time of a headless run goes, measured in process: reading
/// and parsing the batch, then deduplicating it into a fresh store with the report
/// written to a sink, then the final sync.
fn print_headless_phases(work: &Path) {
    let input = EventsInput::File(PathBuf::from(BATCH));
    let mut parse = Vec::new();
    let mut dedup_and_report = Vec::new();
    let mut sync = Vec::new();
    for run in 0..=LOAD_RUNS {
        let started = Instant::now();
        let batch = load_events(&input, 10_000).unwrap_or_else(|error| fail(&error.to_string()));
        let parsed = Instant::now();

        let path = work.join(format!("phases-{run}.txt"));
        let _ = fs::remove_file(&path);
        let (mut store, stored) =
            Store::open(&path, StoreOptions::default()).unwrap_or_else(|error| fail(&error.to_string()));
        let mut dedup = Dedup::new(&stored, &batch);
        let mut out = BufWriter::new(std::io::sink());
        let mut line = String::new();
        let (_, error) = run_batch(&batch, &mut dedup, &mut store, |event, outcome| {
            line.clear();
            push_text_line(&mut line, event, outcome);
            out.write_all(line.as_bytes())
        });
        if let Some(error) = error {
            fail(&error.to_string());
        }
        let deduplicated = Instant::now();
        store.sync().unwrap_or_else(|error| fail(&error.to_string()));
        let synced = Instant::now();
        let _ = fs::remove_file(&path);

        if run > 0 {
            parse.push(parsed - started);
            dedup_and_report.push(deduplicated - parsed);
            sync.push(synced - deduplicated);
        }
    }
    println!(
        "  in process, median of {LOAD_RUNS}: read and parse {}, dedup and report {}, fsync {}",
        ms(Stats::of(&parse).median),
        ms(Stats::of(&dedup_and_report).median),
        ms(Stats::of(&sync).median)
    );
}

/// Measures the load time and the peak memory of a store of a million ids, and
/// returns whether each target is met.
fn bench_large_store(store: &Path, work: &Path) -> (bool, bool) {
    let bytes = write_large_store(store);
    println!(
        "store of 1,000,000 ids ({:.1} MB, {} of them quoted)",
        bytes as f64 / 1e6,
        STORE_IDS / QUOTED_EVERY
    );

    let batch =
        load_events(&EventsInput::File(PathBuf::from(BATCH)), 10_000).unwrap_or_else(|error| fail(&error.to_string()));
    let mut open = Vec::new();
    let mut total = Vec::new();
    let mut first_load = Duration::ZERO;
    for run in 0..=LOAD_RUNS {
        let started = Instant::now();
        let (handle, stored) =
            Store::open(store, StoreOptions::default()).unwrap_or_else(|error| fail(&error.to_string()));
        let opened = Instant::now();
        let dedup = Dedup::new(&stored, &batch);
        let indexed = Instant::now();
        if stored.len() != STORE_IDS {
            fail(&format!("the store read back {} ids, not {STORE_IDS}", stored.len()));
        }
        drop(dedup);
        drop(handle);
        if run == 0 {
            first_load = indexed - started;
        } else {
            open.push(opened - started);
            total.push(indexed - started);
        }
    }
    let stats = Stats::of(&total);
    let load_met = stats.median < LOAD_TARGET;
    println!(
        "  load (Store::open + Dedup::new for the 10,000-event batch), {LOAD_RUNS} loads after 1 warm-up: median {} (min {}, max {}); target < {}: {}",
        ms(stats.median),
        ms(stats.min),
        ms(stats.max),
        ms(LOAD_TARGET),
        verdict(load_met)
    );
    println!(
        "    of which Store::open (read and decode): median {}; the first load of this process took {}",
        ms(Stats::of(&open).median),
        ms(first_load)
    );

    let one_event = work.join("one-event.json");
    let first_id = first_line(store);
    fs::write(
        &one_event,
        format!(
            r#"{{"event_id":"{first_id}","event_type":"invoice.paid","timestamp":"2025-03-01T00:00:00Z","payload":{{}}}}"#
        ),
    )
    .unwrap_or_else(|error| fail(&format!("cannot write {}: {error}", one_event.display())));

    let mut peak = 0;
    let mut walls = Vec::new();
    for _ in 0..MEMORY_RUNS {
        let (wall, max_rss) = run_measuring_memory(&one_event, store);
        peak = peak.max(max_rss);
        walls.push(wall);
    }
    let memory_met = peak < MEMORY_TARGET;
    println!(
        "  peak resident memory of the whole headless process (1-event batch, the id already stored), largest of {MEMORY_RUNS} runs: {:.1} MB ({:.1} MiB); target < 150 MB: {}",
        peak as f64 / 1e6,
        peak as f64 / (1024.0 * 1024.0),
        verdict(memory_met)
    );
    println!(
        "    measured as ru_maxrss of the child, from wait4; wall of those runs: median {}",
        ms(Stats::of(&walls).median)
    );
    (load_met, memory_met)
}

/// Times drawing whole UI frames with the 10,000-event batch and the store of
/// `STORE_IDS` ids, and returns whether every case meets the target.
///
/// The store is opened as a dry run, so stepping writes nothing; a live session
/// draws the same panes. Each timed draw follows a clear of the terminal, so
/// ratatui sends every cell to the backend, as after a resize: the most one
/// frame can cost.
///
/// The target is met when, in every case, the median wall time and the 99th
/// percentile of the thread's CPU time are under 2 ms. The wall time's 99th
/// percentile and maximum are printed too. So is the number of draws during
/// which the kernel ran other work on this thread's core, because on a shared
/// machine those draws last a scheduler time slice longer, whatever the frame
/// costs.
fn bench_ui_frame(store: &Path) -> bool {
    let batch =
        load_events(&EventsInput::File(PathBuf::from(BATCH)), 10_000).unwrap_or_else(|error| fail(&error.to_string()));
    let options = StoreOptions {
        dry_run: true,
        ..StoreOptions::default()
    };
    let (handle, stored) = Store::open(store, options).unwrap_or_else(|error| fail(&error.to_string()));
    let session = Session {
        events_name: "sample-data/large-10k.json".to_owned(),
        store_name: store.display().to_string(),
        mode: StoreMode::DryRun,
        color: true,
        source: None,
        files: Vec::new(),
    };
    let mut app = App::new(Replay::new(batch, &stored, handle), session, Vec::new());
    println!(
        "UI frame: {} events, store of {} ids (dry run), drawn into a TestBackend",
        count(app.replay().batch().len()),
        count(stored.len())
    );
    println!("  each case: {FRAME_WARM_UP} warm-up draws, then {FRAME_DRAWS} timed draws, each a full repaint");

    let mut met = true;
    met &= time_frames(&app, "start, first event selected", None);

    for _ in 0..FRAME_MID_STEPS {
        app.update(Action::Step);
    }
    let differing = last_differing_duplicate(&app)
        .unwrap_or_else(|| fail("no duplicate with a differing payload in the first half of the batch"));
    while app.selected().is_some_and(|selected| selected > differing) {
        app.update(Action::SelectUp);
    }
    if app.selected() != Some(differing) {
        fail(&format!("could not select event #{differing}"));
    }
    let label = format!(
        "{} stepped, duplicate #{differing} with a differing payload selected",
        count(FRAME_MID_STEPS)
    );
    met &= time_frames(&app, &label, Some("differs from #"));

    // Tab twice moves the focus from the events to the store pane.
    app.update(Action::FocusNext);
    app.update(Action::FocusNext);
    app.update(Action::SelectFirst);
    let middle = STORE_IDS / 2;
    for _ in 0..middle {
        app.update(Action::SelectDown);
    }
    if app.store_scroll() != Some(middle) {
        fail(&format!("the store pane did not scroll to id {middle}"));
    }
    met &= time_frames(
        &app,
        &format!("same, store pane scrolled to id {}", count(middle)),
        None,
    );

    app.update(Action::SelectLast);
    app.update(Action::FocusNext);
    app.update(Action::RunToEnd);
    app.update(Action::SelectLast);
    if !app.replay().is_done() {
        fail("the run to the end stopped early");
    }
    met &= time_frames(&app, "every event stepped, last event selected", None);
    met
}

/// Returns the last stepped event that is a duplicate of an earlier event of the
/// batch with a different payload.
fn last_differing_duplicate(app: &App) -> Option<usize> {
    app.replay().steps().iter().rposition(|step| {
        matches!(
            step.outcome,
            Outcome::Duplicate {
                first_seen: FirstSeen::Index(_),
                payload_differs: Some(true),
            }
        )
    })
}

/// Times `FRAME_DRAWS` draws of `app` at each of `FRAME_SIZES`, prints them,
/// and returns whether the target is met at every size.
/// When `expect` is given, the frame must show that text.
fn time_frames(app: &App, label: &str, expect: Option<&str>) -> bool {
    println!("  {label}:");
    let mut met = true;
    for (width, height) in FRAME_SIZES {
        let mut terminal = Terminal::new(TestBackend::new(width, height))
            .unwrap_or_else(|error| fail(&format!("cannot make a test terminal: {error}")));
        let mut times = Vec::with_capacity(FRAME_DRAWS);
        let mut cpu_times = Vec::with_capacity(FRAME_DRAWS);
        let mut preempted = 0;
        for draw in 0..FRAME_WARM_UP + FRAME_DRAWS {
            terminal
                .clear()
                .unwrap_or_else(|error| fail(&format!("cannot clear the test terminal: {error}")));
            let switches_before = thread_preemptions();
            let cpu_before = thread_cpu();
            let started = Instant::now();
            terminal
                .draw(|frame| ui::draw(frame, app))
                .unwrap_or_else(|error| fail(&format!("cannot draw: {error}")));
            let elapsed = started.elapsed();
            let cpu = thread_cpu().saturating_sub(cpu_before);
            if draw >= FRAME_WARM_UP {
                times.push(elapsed);
                cpu_times.push(cpu);
                preempted += usize::from(thread_preemptions() != switches_before);
            }
        }
        if let Some(text) = expect
            && !terminal.backend().to_string().contains(text)
        {
            fail(&format!("the {width}x{height} frame does not show \"{text}\""));
        }
        let stats = Stats::of(&times);
        let cpu_p99 = percentile(&cpu_times, 99);
        let size_met = stats.median < FRAME_TARGET && cpu_p99 < FRAME_TARGET;
        met &= size_met;
        println!(
            "    {width}x{height}: wall median {} (min {}, 99th percentile {}, max {}); CPU median {}, 99th percentile {}; target < {}: {}",
            ms3(stats.median),
            ms3(stats.min),
            ms3(percentile(&times, 99)),
            ms3(stats.max),
            ms3(Stats::of(&cpu_times).median),
            ms3(cpu_p99),
            ms(FRAME_TARGET),
            verdict(size_met)
        );
        println!("      draws during which other work took the core: {preempted} of {FRAME_DRAWS}");
    }
    met
}

/// Returns the CPU time this thread has used. Unlike the wall time, it leaves
/// out the time other processes on the same cores took.
fn thread_cpu() -> Duration {
    // SAFETY: an all-zero timespec is a valid value of this plain C struct.
    let mut time: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(time.tv_sec as u64, time.tv_nsec as u32)
}

/// Returns how many times the kernel has taken the CPU from this thread to run
/// something else.
fn thread_preemptions() -> i64 {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local.
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } != 0 {
        return 0;
    }
    usage.ru_nivcsw
}

/// Returns the smallest time that `percent` per cent of `times` do not exceed.
fn percentile(times: &[Duration], percent: usize) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// Writes `STORE_IDS` ids like a payment provider's (`evt_` and 24 letters and
/// digits), a few of which need quoting, and returns the file's size.
fn write_large_store(path: &Path) -> u64 {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let file = File::create(path).unwrap_or_else(|error| fail(&format!("cannot create {}: {error}", path.display())));
    let mut out = BufWriter::new(file);
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut id = String::with_capacity(40);
    let mut line = String::with_capacity(48);
    for n in 0..STORE_IDS {
        id.clear();
        id.push_str("evt_");
        for _ in 0..24 {
            id.push(ALPHABET[(random.next_u64() % ALPHABET.len() as u64) as usize] as char);
        }
        // Ids that other tools wrote badly: a trailing space, or a line break inside.
        if n % QUOTED_EVERY == QUOTED_EVERY - 1 {
            id.push(if n % (2 * QUOTED_EVERY) == QUOTED_EVERY - 1 {
                ' '
            } else {
                '\n'
            });
        }
        line.clear();
        push_store_line(&mut line, &id);
        out.write_all(line.as_bytes())
            .unwrap_or_else(|error| fail(&format!("cannot write {}: {error}", path.display())));
    }
    out.flush()
        .unwrap_or_else(|error| fail(&format!("cannot write {}: {error}", path.display())));
    fs::metadata(path).map(|meta| meta.len()).unwrap_or(0)
}

fn first_line(path: &Path) -> String {
    let mut head = [0u8; 64];
    let read = File::open(path).and_then(|mut file| file.read(&mut head)).unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..read]).into_owned();
    text.lines().next().unwrap_or_default().to_owned()
}

/// Runs the binary headless on `batch` against `store`, reaps it with `wait4`,
/// and returns its wall time and its peak resident memory in bytes.
fn run_measuring_memory(batch: &Path, store: &Path) -> (Duration, u64) {
    let started = Instant::now();
    #[allow(
        clippy::zombie_processes,
        reason = "wait4 below reaps the child, which std cannot see"
    )]
    let mut child = Command::new(BINARY)
        .arg("--headless")
        .arg(batch)
        .arg("--store")
        .arg(store)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| fail(&format!("cannot start {BINARY}: {error}")));

    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // The child writes two short lines to stderr, far less than a pipe holds, so
    // reaping it before reading the pipe cannot block.
    // SAFETY: the pointers are to live locals, and the pid is our own unreaped child.
    let reaped = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let elapsed = started.elapsed();
    if reaped < 0 {
        fail(&format!("wait4 failed: {}", std::io::Error::last_os_error()));
    }

    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        fail(&format!("the run against the large store failed: {stderr}"));
    }
    // Linux reports ru_maxrss in KiB.
    (elapsed, usage.ru_maxrss as u64 * 1024)
}

/// A small deterministic generator, so the store is the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
}

impl Stats {
    fn of(times: &[Duration]) -> Stats {
        let mut sorted = times.to_vec();
        sorted.sort();
        let middle = sorted.len() / 2;
        let median = if sorted.len().is_multiple_of(2) {
            (sorted[middle - 1] + sorted[middle]) / 2
        } else {
            sorted[middle]
        };
        Stats {
            median,
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }
}

/// Returns the 1, 5 and 15 minute load averages, printed because other work on
/// the machine slows every figure down.
fn load_average() -> String {
    let text = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn ms3(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
}

fn fail(message: &str) -> ! {
    eprintln!("benchmark failed: {message}");
    std::process::exit(1);
}
