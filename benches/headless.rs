//! The performance benchmark of webhook-dedup, run with `cargo bench --bench headless`.
//!
//! It measures the first two performance targets and prints each figure against
//! its target:
//!
//! - a whole headless run of the release binary on `sample-data/large-10k.json`
//!   (10,000 events, 20% redeliveries) into a fresh store: the wall time from
//!   spawning the process to reaping it. Process start, parsing, the report on a
//!   drained pipe and the final `fsync` of the store and its directory are included;
//! - a store of 1,000,000 ids: the in-process load time (`Store::open`, which reads
//!   and decodes the file, plus `Dedup::new`, which finds the ids of the
//!   10,000-event batch in it), and the peak resident memory of a release process
//!   that loads it, read from `wait4`.
//!
//! `cargo bench` builds with the bench profile, which inherits the release
//! profile; the binary it spawns is the one Cargo built for this run.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use webhook_dedup::core::load::{EventsInput, load_events};
use webhook_dedup::core::pipeline::{Dedup, run_batch};
use webhook_dedup::core::report::push_text_line;
use webhook_dedup::core::store::{Store, StoreOptions, push_store_line};

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
    let (load_met, memory_met) = bench_large_store(&work);

    println!();
    println!("load average after: {}", load_average());
    println!("summary:");
    println!("  headless 10,000 events < 30 ms: {}", verdict(headless_met));
    println!("  1,000,000-id store load < 300 ms: {}", verdict(load_met));
    println!("  1,000,000-id store peak memory < 150 MB: {}", verdict(memory_met));

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
fn bench_large_store(work: &Path) -> (bool, bool) {
    let store = work.join("store-1m.txt");
    let bytes = write_large_store(&store);
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
            Store::open(&store, StoreOptions::default()).unwrap_or_else(|error| fail(&error.to_string()));
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
    let first_id = first_line(&store);
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
        let (wall, max_rss) = run_measuring_memory(&one_event, &store);
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

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "not met" }
}

fn fail(message: &str) -> ! {
    eprintln!("benchmark failed: {message}");
    std::process::exit(1);
}
