//! The terminal loop: draw, read a key, update, and keep the animated run on
//! time. [`run_loop`] is generic over the backend and the event source, so tests
//! drive it into a `TestBackend`; [`run_in_terminal`] runs it on the real
//! terminal and always gives the terminal back as it found it.

use std::io;
use std::panic;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::cursor::{Hide, Show};
use ratatui::crossterm::event::{self, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};

use crate::tui::app::{Action, App, Finished};
use crate::tui::{keys, ui};

/// Longest wait for input, so that a signal or a play step is never late by
/// more than this.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Most play steps taken between two frames when they fall behind; the rest of
/// the backlog is dropped rather than stepped in a burst.
const MAX_PLAY_STEPS_PER_FRAME: u32 = 64;

/// Set when a test wants the binary to panic after its first frame, to check
/// that a panic restores the terminal. Unset in normal use.
const TEST_PANIC_VAR: &str = "WEBHOOK_DEDUP_TEST_PANIC";

/// Where the loop reads terminal events and learns of signals.
pub trait EventSource {
    /// Waits up to `timeout` for the next terminal event.
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>>;

    /// The signal that asked the session to end, once one has arrived.
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

/// Runs the session until the user quits or a signal arrives. `after_draw` is
/// called after each frame.
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
    loop {
        terminal.draw(|frame| ui::draw(frame, app)).map_err(io::Error::other)?;
        after_draw();
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
        if let Some(event) = input.next_event(timeout)?
            && let Some(key) = event.as_key_press_event()
            && let Some(action) = keys::action_for(app.input_mode(), key)
        {
            app.update(action);
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
    }
}

/// How a session on the real terminal ended.
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

    let result = registered.and_then(|()| {
        let _restore = TerminalGuard::enter()?;
        let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        let mut input = TerminalInput {
            signal: Arc::clone(&signal),
        };
        let test_panic = std::env::var_os(TEST_PANIC_VAR).is_some_and(|value| value == "1");
        run_loop(&mut terminal, &mut app, &mut input, || {
            if test_panic {
                panic!("{TEST_PANIC_VAR}=1 asked for a panic after the first frame");
            }
        })
    });

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

struct TerminalInput {
    signal: Arc<AtomicUsize>,
}

impl EventSource for TerminalInput {
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if event::poll(timeout)? {
            event::read().map(Some)
        } else {
            Ok(None)
        }
    }

    fn stop_signal(&self) -> Option<i32> {
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
