//! The terminal loop: draw, read a key, update, and keep the animated run on
//! time. [`run_loop`] is generic over the backend and the event source, so tests
//! drive it into a `TestBackend`; [`run_in_terminal`] runs it on the real
//! terminal and always gives the terminal back as it found it.

use std::io::{self, IsTerminal};
use std::mem::ManuallyDrop;
use std::os::fd::{AsRawFd, RawFd};
use std::panic;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};

use crate::tui::app::{Action, App, Finished};
use crate::tui::{keys, ui};

/// Maximum wait for input, so that a signal or a play step is never late by
/// more than this.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Most play steps taken between two frames when they fall behind; the rest of
/// the backlog is dropped rather than stepped in a burst.
const MAX_PLAY_STEPS_PER_FRAME: u32 = 64;

/// How long after a signal the loop may take to end before the watchdog ends
/// the process.
const WATCHDOG_GRACE: Duration = Duration::from_secs(3);

/// Set when a test wants the binary to panic after its first frame, to check
/// that a panic restores the terminal. Unset in normal use.
const TEST_PANIC_VAR: &str = "WEBHOOK_DEDUP_TEST_PANIC";

/// The source of terminal events and of the signals that end the loop.
pub trait EventSource {
    /// Waits up to `timeout` for the next terminal event.
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>>;

    /// Returns the signal that requested the end of the session, once one has arrived.
    fn stop_signal(&self) -> Option<i32>;
}

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopEnd {
    /// The user quit.
    Quit,
    /// A signal (SIGTERM, SIGHUP, SIGINT) asked the session to end.
    Signal(i32),
}

/// Runs the session until the user quits or a signal arrives. A frame is drawn
/// at the start and after each event or play step, and `after_draw` is called
/// after each frame.
pub fn run_loop<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App<'_>,
    input: &mut S,
    mut after_draw: impl FnMut(),
) -> io::Result<LoopEnd>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: EventSource,
{
    let mut next_play: Option<Instant> = None;
    let mut stale = true;
    loop {
        if stale {
            terminal.draw(|frame| ui::draw(frame, app)).map_err(io::Error::other)?;
            after_draw();
            stale = false;
        }
        if app.should_quit() {
            return Ok(LoopEnd::Quit);
        }
        if let Some(signal) = input.stop_signal() {
            return Ok(LoopEnd::Signal(signal));
        }

        let interval = Duration::from_secs(1) / app.speed();
        if !app.is_playing() {
            next_play = None;
        }
        let now = Instant::now();
        let timeout = match next_play {
            Some(due) => due.saturating_duration_since(now).min(POLL_INTERVAL),
            None => POLL_INTERVAL,
        };
        if let Some(event) = input.next_event(timeout)? {
            // Any event may change what is on screen: a key, a resize, a paste.
            stale = true;
            if let Some(key) = event.as_key_press_event()
                && let Some(action) = keys::action_for(app.input_mode(), key)
            {
                app.update(action);
            }
        }

        if !app.is_playing() {
            continue;
        }
        let due = next_play.get_or_insert_with(|| Instant::now() + interval);
        let mut steps = 0;
        while app.is_playing() && Instant::now() >= *due && steps < MAX_PLAY_STEPS_PER_FRAME {
            app.update(Action::PlayTick);
            *due += interval;
            steps += 1;
        }
        if steps == MAX_PLAY_STEPS_PER_FRAME {
            *due = Instant::now() + interval;
        }
        stale |= steps > 0;
    }
}

/// The end of a session on the real terminal.
#[derive(Debug)]
pub struct Ended {
    pub finished: Finished,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
    /// A failure of the terminal itself (it went away, for example).
    pub terminal_error: Option<io::Error>,
}

/// Runs `app` full screen on standard output, then restores the terminal and
/// syncs the store, whatever ended the session. A panic restores the terminal
/// too, before its message is printed.
pub fn run_in_terminal(mut app: App<'_>) -> Ended {
    let signal = Arc::new(AtomicUsize::new(0));
    let registered: io::Result<()> = [libc::SIGTERM, libc::SIGHUP, libc::SIGINT]
        .into_iter()
        .try_for_each(|number| {
            signal_hook::flag::register_usize(number, Arc::clone(&signal), number as usize).map(drop)
        });
    install_panic_hook();
    let done = Arc::new(AtomicBool::new(false));
    let store_path = app.replay().store().path().to_owned();
    let watched = (Arc::clone(&signal), Arc::clone(&done));
    thread::spawn(move || watchdog(&watched.0, &watched.1, &store_path));

    let result = registered.and_then(|()| {
        let _restore = TerminalGuard::enter()?;
        // Never dropped: ratatui's drop shows the cursor and reports a failure
        // with eprintln!, which panics when the terminal has hung up. The guard
        // shows the cursor instead.
        let mut terminal = ManuallyDrop::new(Terminal::new(CrosstermBackend::new(io::stdout()))?);
        let mut input = TerminalInput {
            signal: Arc::clone(&signal),
            tty: Tty::open()?,
            hung_up: false,
        };
        let test_panic = std::env::var_os(TEST_PANIC_VAR).is_some_and(|value| value == "1");
        run_loop(&mut terminal, &mut app, &mut input, || {
            if test_panic {
                panic!("{TEST_PANIC_VAR}=1 asked for a panic after the first frame");
            }
        })
    });

    done.store(true, Ordering::SeqCst);
    let (signal, terminal_error) = match result {
        Ok(LoopEnd::Quit) => (None, None),
        Ok(LoopEnd::Signal(number)) => (Some(number), None),
        Err(error) => (None, Some(error)),
    };
    Ended {
        finished: app.finish(),
        signal,
        terminal_error,
    }
}

/// Keys from the terminal, read through crossterm, with a check for a hung-up
/// terminal first.
///
/// crossterm 0.29 reads its input until the read would block, and a hung-up
/// terminal returns end-of-file at once on every read, so it would loop forever
/// at full CPU with the store still locked. Every crossterm call is therefore
/// made only after `poll` on the same descriptor shows no hang-up, and a hang-up
/// ends the session as SIGHUP does.
/// Ends the process if the loop has not ended [`WATCHDOG_GRACE`] after a
/// signal, which would mean it is stuck (in crossterm's read of a terminal that
/// hung up between the check and the read). The store's data is synced through
/// its path first, and the kernel releases its lock at exit.
fn watchdog(signal: &AtomicUsize, done: &AtomicBool, store_path: &Path) {
    let number = loop {
        if done.load(Ordering::SeqCst) {
            return;
        }
        match signal.load(Ordering::SeqCst) {
            0 => thread::sleep(POLL_INTERVAL),
            number => break number,
        }
    };
    thread::sleep(WATCHDOG_GRACE);
    if done.load(Ordering::SeqCst) {
        return;
    }
    let _ = std::fs::File::open(store_path).and_then(|file| file.sync_all());
    restore_terminal();
    std::process::exit(128 + i32::try_from(number).unwrap_or(0));
}

struct TerminalInput {
    signal: Arc<AtomicUsize>,
    /// The descriptor crossterm reads: standard input when it is a terminal,
    /// else `/dev/tty`, which this keeps open.
    tty: Tty,
    hung_up: bool,
}

enum Tty {
    Stdin,
    Device(std::fs::File),
}

impl Tty {
    fn open() -> io::Result<Tty> {
        if io::stdin().is_terminal() {
            Ok(Tty::Stdin)
        } else {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .map(Tty::Device)
        }
    }

    fn fd(&self) -> RawFd {
        match self {
            Tty::Stdin => io::stdin().as_raw_fd(),
            Tty::Device(file) => file.as_raw_fd(),
        }
    }
}

/// The terminal's state as `poll` reports it.
enum Readiness {
    Input,
    Nothing,
    HungUp,
}

fn wait_for_input(fd: RawFd, timeout: Duration) -> io::Result<Readiness> {
    let mut watched = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd is passed, with its count.
    let ready = unsafe { libc::poll(&mut watched, 1, millis) };
    if ready < 0 {
        let error = io::Error::last_os_error();
        return match error.kind() {
            io::ErrorKind::Interrupted => Ok(Readiness::Nothing),
            _ => Err(error),
        };
    }
    if watched.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        Ok(Readiness::HungUp)
    } else if watched.revents & libc::POLLIN != 0 {
        Ok(Readiness::Input)
    } else {
        Ok(Readiness::Nothing)
    }
}

impl TerminalInput {
    /// Returns the next event crossterm has, if the terminal has not hung up.
    fn read_ready(&mut self) -> io::Result<Option<Event>> {
        if let Readiness::HungUp = wait_for_input(self.tty.fd(), Duration::ZERO)? {
            self.hung_up = true;
            return Ok(None);
        }
        if event::poll(Duration::ZERO)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    }
}

impl EventSource for TerminalInput {
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if self.hung_up {
            return Ok(None);
        }
        // crossterm may hold events read earlier (several keys can arrive in
        // one read), which `poll` on the descriptor would not show.
        if let Some(event) = self.read_ready()? {
            return Ok(Some(event));
        }
        match wait_for_input(self.tty.fd(), timeout)? {
            Readiness::Input => self.read_ready(),
            Readiness::Nothing => Ok(None),
            Readiness::HungUp => {
                self.hung_up = true;
                Ok(None)
            }
        }
    }

    fn stop_signal(&self) -> Option<i32> {
        if self.hung_up {
            return Some(libc::SIGHUP);
        }
        match self.signal.load(Ordering::Relaxed) {
            0 => None,
            number => i32::try_from(number).ok(),
        }
    }
}

/// Whether the terminal is in raw mode on the alternate screen, so that the
/// panic hook restores it only then.
static ENTERED: AtomicBool = AtomicBool::new(false);

/// Raw mode, the alternate screen and a hidden cursor, undone when dropped.
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        enable_raw_mode()?;
        ENTERED.store(true, Ordering::SeqCst);
        let guard = TerminalGuard;
        execute!(io::stdout(), EnterAlternateScreen, Hide)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor. Errors are
/// ignored: the terminal may be gone (after SIGHUP), and nothing else can be
/// done about it.
fn restore_terminal() {
    if ENTERED.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
    }
}

fn install_panic_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}
