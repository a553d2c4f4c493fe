//! The terminal loop, driven by a scripted event source into a `TestBackend`.

mod tui_common;
use tui_common as common;

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use common::{Fixture, new_app};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use webhook_dedup::tui::terminal::{EventSource, LoopEnd, run_loop};

/// Events handed out one per call; `None` entries wait out the timeout, as a
/// terminal with no input would. When the script runs out, `q` is pressed.
struct Script {
    events: VecDeque<Option<Event>>,
    signal: Option<i32>,
}

impl Script {
    fn keys(typed: &str) -> Script {
        let events = typed
            .chars()
            .map(|c| Some(Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))))
            .collect();
        Script { events, signal: None }
    }
}

impl EventSource for Script {
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        match self.events.pop_front() {
            Some(Some(event)) => Ok(Some(event)),
            Some(None) => {
                std::thread::sleep(timeout);
                Ok(None)
            }
            None => Ok(Some(Event::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)))),
        }
    }

    fn stop_signal(&self) -> Option<i32> {
        self.signal
    }
}

#[test]
fn loop_applies_keys_until_quit() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut frames = 0;

    let end = run_loop(&mut terminal, &mut app, &mut Script::keys("nn"), || frames += 1).unwrap();

    assert_eq!(end, LoopEnd::Quit);
    assert_eq!(app.replay().steps().len(), 2);
    assert!(terminal.backend().to_string().contains("2/8 stepped"));
    assert_eq!(frames, 4, "the first frame, then one after each key");
}

#[test]
fn loop_plays_to_the_end() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    // The top speed (500 steps a second), then play, then idle waits.
    let mut script = Script::keys("++++++++ ");
    // Each wait lasts until the next step is due, so 8 steps need 8 or 9.
    script.events.extend(std::iter::repeat_n(None, 20));

    let end = run_loop(&mut terminal, &mut app, &mut script, || {}).unwrap();

    assert_eq!(end, LoopEnd::Quit);
    assert!(app.replay().is_done());
    assert!(!app.is_playing());
    assert!(terminal.backend().to_string().contains("8/8 stepped"));
}

#[test]
fn loop_ends_on_a_signal() {
    let fixture = Fixture::worked_example();
    let (batch, store, stored) = fixture.open(false);
    let mut app = new_app(batch, &stored, store);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut script = Script::keys("nnn");
    script.signal = Some(15);

    let end = run_loop(&mut terminal, &mut app, &mut script, || {}).unwrap();

    assert_eq!(end, LoopEnd::Signal(15));
    assert_eq!(app.replay().steps().len(), 0);
    assert!(terminal.backend().to_string().contains("0/8 stepped"));
}
