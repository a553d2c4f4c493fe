//! The inspector's state and the one place it changes, [`App::update`], which
//! applies a semantic [`Action`]. Keys are turned into actions by the key map, and
//! drawing only reads the state.

use crate::core::escape::escape_display;
use crate::core::event::Event;
use crate::core::pipeline::{FirstSeen, Outcome, Replay};
use crate::core::store::StoreError;
pub use crate::tui::detail::DetailCache;
pub use crate::tui::state::{
    Action, EventsFile, Filter, Finished, Focus, InputMode, Message, MessageKind, Session, SourceNote, StoreMode,
    ViewState,
};

/// Play speeds, in steps per second.
pub const SPEEDS: [u32; 9] = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/// Index in [`SPEEDS`] of the speed a session starts with.
const DEFAULT_SPEED: usize = 2;

/// The whole state of an inspector session.
#[derive(Debug)]
pub struct App<'s> {
    replay: Replay<'s>,
    session: Session,
    /// The selected event's index in the batch.
    selected: Option<usize>,
    /// The last event selected, kept while a filter or search shows no event,
    /// so that the selection comes back near it.
    anchor: usize,
    /// Whether the selection moves with each step; cleared when the user moves
    /// it elsewhere, set again when they move it back to the latest step.
    follow: bool,
    /// Indexes of the events the table shows, in batch order.
    visible: Vec<usize>,
    filter: Filter,
    search: String,
    searching: bool,
    focus: Focus,
    help: bool,
    help_scroll: usize,
    /// Top row of the store pane; `None` keeps its end (the newest ids) in view.
    store_scroll: Option<usize>,
    detail_scroll: usize,
    playing: bool,
    speed: usize,
    message: Option<Message>,
    store_error: Option<String>,
    quit: bool,
    detail: DetailCache,
    /// Display widths of the widest escaped event_id, event_type and timestamp
    /// of the batch, measured once, so the table gives those columns no more
    /// room than they can use.
    text_widths: (usize, usize, usize),
    /// Scroll state the frame keeps; see [`ViewState`].
    pub view: ViewState,
}

impl<'s> App<'s> {
    /// Display widths of the widest event_id, event_type and timestamp of the
    /// batch, as the table shows them (escaped).
    pub fn text_widths(&self) -> (usize, usize, usize) {
        self.text_widths
    }

    /// Starts a session with every event pending and the first one selected.
    /// `warnings` (about unreadable store lines, for example) are shown first.
    pub fn new(replay: Replay<'s>, session: Session, warnings: Vec<String>) -> App<'s> {
        let visible = (0..replay.batch().len()).collect();
        let text_widths = widest_texts(replay.batch());
        let message = (!warnings.is_empty()).then(|| Message {
            kind: MessageKind::Warning,
            text: warnings.join(" "),
        });
        let mut app = App {
            selected: (!replay.batch().is_empty()).then_some(0),
            anchor: 0,
            replay,
            session,
            follow: true,
            visible,
            filter: Filter::All,
            search: String::new(),
            searching: false,
            focus: Focus::Events,
            help: false,
            help_scroll: 0,
            store_scroll: None,
            detail_scroll: 0,
            playing: false,
            speed: DEFAULT_SPEED,
            message,
            store_error: None,
            quit: false,
            detail: DetailCache::default(),
            text_widths,
            view: ViewState::default(),
        };
        app.refresh_detail();
        app
    }

    /// Applies one action. This is the only method that changes the session.
    pub fn update(&mut self, action: Action) {
        let before = self.selected;
        if action != Action::PlayTick {
            self.message = None;
        }
        match action {
            Action::Step => self.step_once(),
            Action::StepBack => self.step_back(),
            Action::TogglePlay => self.toggle_play(),
            Action::PlayTick => self.play_tick(),
            Action::Faster => self.change_speed(1),
            Action::Slower => self.change_speed(-1),
            Action::RunToEnd => self.run_to_end(),
            Action::SelectUp => self.move_in_focus(-1),
            Action::SelectDown => self.move_in_focus(1),
            Action::PageUp => self.move_in_focus(-(self.page_rows() as isize)),
            Action::PageDown => self.move_in_focus(self.page_rows() as isize),
            Action::SelectFirst => self.move_in_focus(isize::MIN),
            Action::SelectLast => self.move_in_focus(isize::MAX),
            Action::JumpToFirstOccurrence => self.jump_to_first_occurrence(),
            Action::NextFilter => self.set_filter(self.filter.shifted(1)),
            Action::PreviousFilter => self.set_filter(self.filter.shifted(Filter::ORDER.len() - 1)),
            Action::StartSearch => self.searching = true,
            Action::SearchInput(c) => {
                self.search.push(c);
                self.refresh_visible();
            }
            Action::SearchBackspace => {
                self.search.pop();
                self.refresh_visible();
            }
            Action::SearchConfirm => self.searching = false,
            Action::SearchCancel => {
                self.searching = false;
                self.search.clear();
                self.refresh_visible();
            }
            Action::FocusNext => self.focus = self.shifted_focus(1),
            Action::FocusPrevious => self.focus = self.shifted_focus(2),
            Action::ToggleHelp => {
                self.help = !self.help;
                self.help_scroll = 0;
            }
            Action::Back => self.back(),
            Action::Quit => {
                self.quit = true;
                self.playing = false;
            }
        }
        if self.selected != before {
            self.detail_scroll = 0;
        }
        if let Some(selected) = self.selected {
            self.anchor = selected;
        }
        self.refresh_detail();
    }

    fn step_once(&mut self) {
        if self.is_stopped() {
            return;
        }
        if self.replay.is_done() {
            self.info("every event has been stepped; press u to step back");
            return;
        }
        self.advance();
        self.settle();
    }

    /// Takes one step, and on a store error stops stepping for the session.
    /// Returns whether a step was taken.
    fn advance(&mut self) -> bool {
        match self.replay.step() {
            Ok(Some(_)) => true,
            Ok(None) => false,
            Err(error) => {
                self.stop_stepping(error);
                false
            }
        }
    }

    /// Brings the table and the selection up to date after steps.
    fn settle(&mut self) {
        if self.filter != Filter::All {
            self.refresh_visible();
        }
        if self.follow
            && let Some(target) = self.follow_target()
            && self.visible.binary_search(&target).is_ok()
        {
            self.selected = Some(target);
        }
    }

    fn stop_stepping(&mut self, error: StoreError) {
        self.playing = false;
        self.store_error = Some(error.to_string());
    }

    fn is_stopped(&mut self) -> bool {
        if self.store_error.is_some() {
            self.playing = false;
        }
        self.store_error.is_some()
    }

    fn step_back(&mut self) {
        if self.is_stopped() {
            return;
        }
        self.playing = false;
        match self.replay.step_back() {
            Ok(Some(index)) => {
                self.settle();
                self.info(&format!("stepped back: event #{index} is pending again"));
            }
            Ok(None) => self.info("nothing to step back: every event is pending"),
            Err(error @ StoreError::ChangedOutside { .. }) => self.error(&error.to_string()),
            Err(error) => self.stop_stepping(error),
        }
    }

    fn toggle_play(&mut self) {
        if self.is_stopped() {
            return;
        }
        if self.playing {
            self.playing = false;
            self.info("paused");
        } else if self.replay.is_done() {
            self.info("every event has been stepped; press u to step back");
        } else {
            self.playing = true;
        }
    }

    fn play_tick(&mut self) {
        if !self.playing || self.is_stopped() {
            return;
        }
        self.advance();
        self.settle();
        if self.replay.is_done() {
            self.playing = false;
            self.info("played to the end of the batch");
        }
    }

    fn change_speed(&mut self, by: isize) {
        self.speed = self.speed.saturating_add_signed(by).min(SPEEDS.len() - 1);
        self.info(&format!("speed: {} steps per second", SPEEDS[self.speed]));
    }

    fn run_to_end(&mut self) {
        if self.is_stopped() {
            return;
        }
        self.playing = false;
        let mut steps = 0;
        while !self.replay.is_done() && self.advance() {
            steps += 1;
        }
        self.settle();
        if self.store_error.is_none() {
            self.info(&format!("ran to the end: {steps} steps"));
        }
    }

    fn page_rows(&self) -> usize {
        let rows = match self.focus {
            _ if self.help => &self.view.help_rows,
            Focus::Events => &self.view.table_rows,
            Focus::Detail => &self.view.detail_rows,
            Focus::Store => &self.view.store_rows,
        };
        rows.get().max(1)
    }

    fn move_in_focus(&mut self, by: isize) {
        if self.help {
            let last_top = self.view.help_lines.get().saturating_sub(self.view.help_rows.get());
            self.help_scroll = self.help_scroll.saturating_add_signed(by).min(last_top);
            return;
        }
        match self.focus {
            Focus::Events => self.move_selection(by),
            Focus::Detail => {
                let last_top = self.view.detail_lines.get().saturating_sub(self.view.detail_rows.get());
                self.detail_scroll = self.detail_scroll.saturating_add_signed(by).min(last_top);
            }
            Focus::Store => self.scroll_store(by),
        }
    }

    fn move_selection(&mut self, by: isize) {
        let Some(last) = self.visible.len().checked_sub(1) else {
            return;
        };
        let at = self
            .selected
            .map_or(0, |selected| self.visible.partition_point(|&i| i < selected))
            .min(last);
        let to = at.saturating_add_signed(by).min(last);
        self.selected = Some(self.visible[to]);
        self.follow = self.selected == self.follow_target();
    }

    fn scroll_store(&mut self, by: isize) {
        let total = self.replay.stored_ids().len() + self.replay.added().len();
        let bottom = total.saturating_sub(self.view.store_rows.get());
        let top = self.store_scroll.unwrap_or(bottom).min(bottom);
        let to = top.saturating_add_signed(by);
        self.store_scroll = (to < bottom).then_some(to);
    }

    /// Returns the event the selection follows: the last one stepped, or the
    /// first event before any step.
    fn follow_target(&self) -> Option<usize> {
        match self.replay.steps().len().checked_sub(1) {
            Some(last) => Some(last),
            None => (!self.replay.batch().is_empty()).then_some(0),
        }
    }

    fn jump_to_first_occurrence(&mut self) {
        let outcome = self.selected.and_then(|index| self.replay.outcome(index)).copied();
        let first = match outcome {
            Some(Outcome::Duplicate {
                first_seen: FirstSeen::Index(first),
                ..
            }) => first,
            Some(Outcome::Duplicate {
                first_seen: FirstSeen::PreviousRun,
                ..
            }) => {
                self.info("this id was first seen in a previous run, so its first occurrence is not in this batch");
                return;
            }
            _ => {
                self.info("select a duplicate to jump to its first occurrence");
                return;
            }
        };
        if self.visible.binary_search(&first).is_err() {
            self.filter = Filter::All;
            self.search.clear();
            self.refresh_visible();
            self.info(&format!("cleared the filter and search to show event #{first}"));
        }
        self.selected = Some(first);
        self.follow = self.selected == self.follow_target();
    }

    fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.refresh_visible();
        self.info(&format!("showing {} events: {}", filter.label(), self.visible.len()));
    }

    fn shifted_focus(&self, by: usize) -> Focus {
        const ORDER: [Focus; 3] = [Focus::Events, Focus::Detail, Focus::Store];
        let at = ORDER.iter().position(|&f| f == self.focus).unwrap_or(0);
        ORDER[(at + by) % ORDER.len()]
    }

    fn back(&mut self) {
        if self.help {
            self.help = false;
        } else if self.searching {
            self.searching = false;
            self.search.clear();
            self.refresh_visible();
        } else if self.filter != Filter::All || !self.search.is_empty() {
            self.filter = Filter::All;
            self.search.clear();
            self.refresh_visible();
            self.info("cleared the filter and search");
        } else {
            self.quit = true;
            self.playing = false;
        }
    }

    /// Rebuilds the list of shown events from the filter and the search, and
    /// keeps the selection on a shown event: the same one, else the next, else
    /// the last.
    fn refresh_visible(&mut self) {
        let batch = self.replay.batch();
        self.visible.clear();
        for event in batch {
            let kept = self.filter.keeps(self.replay.outcome(event.index))
                && (self.search.is_empty()
                    || event
                        .event_id
                        .as_deref()
                        .is_some_and(|id| id.contains(self.search.as_str())));
            if kept {
                self.visible.push(event.index);
            }
        }

        let selected = self.selected.unwrap_or(self.anchor);
        if self.visible.binary_search(&selected).is_err() {
            let next = self.visible.partition_point(|&i| i < selected);
            self.selected = self.visible.get(next).or(self.visible.last()).copied();
        }
    }

    fn refresh_detail(&mut self) {
        self.detail.refresh(self.selected, &self.replay);
    }

    fn info(&mut self, text: &str) {
        self.message = Some(Message {
            kind: MessageKind::Info,
            text: text.to_owned(),
        });
    }

    fn error(&mut self, text: &str) {
        self.message = Some(Message {
            kind: MessageKind::Error,
            text: text.to_owned(),
        });
    }

    /// Syncs the store to disk, as the end of a headless run does, and returns
    /// what the session leaves. The store's lock is released when this returns.
    pub fn finish(mut self) -> Finished {
        let sync_error = self.replay.sync().err();
        Finished {
            events: self.replay.batch().len(),
            counts: self.replay.counts(),
            added: self.replay.added().len(),
            store_error: self.store_error,
            sync_error,
        }
    }

    // Read access for drawing and tests.

    pub fn replay(&self) -> &Replay<'s> {
        &self.replay
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// Returns whether the selection moves with each step.
    pub fn follows_step(&self) -> bool {
        self.follow
    }

    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    pub fn filter(&self) -> Filter {
        self.filter
    }

    /// Returns the search by event id (a case-sensitive substring), possibly empty.
    pub fn search(&self) -> &str {
        &self.search
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn input_mode(&self) -> InputMode {
        if self.help {
            InputMode::Help
        } else if self.searching {
            InputMode::Search
        } else {
            InputMode::Normal
        }
    }

    pub fn help_scroll(&self) -> usize {
        self.help_scroll
    }

    pub fn store_scroll(&self) -> Option<usize> {
        self.store_scroll
    }

    pub fn detail_scroll(&self) -> usize {
        self.detail_scroll
    }

    pub fn detail(&self) -> &DetailCache {
        &self.detail
    }

    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Steps per second of the animated run.
    pub fn speed(&self) -> u32 {
        SPEEDS[self.speed]
    }

    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// Returns the store error that stopped stepping, if any. Quitting then exits 1.
    pub fn store_error(&self) -> Option<&str> {
        self.store_error.as_deref()
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }
}

/// Returns the display widths of the widest escaped event_id, event_type and
/// timestamp.
fn widest_texts(batch: &[Event]) -> (usize, usize, usize) {
    let widest = |text: Option<&str>| text.map_or(0, |text| crate::tui::text::width(&escape_display(text)));
    batch.iter().fold((0, 0, 0), |(id, kind, timestamp), event| {
        (
            id.max(widest(event.event_id.as_deref())),
            kind.max(widest(event.event_type.as_deref())),
            timestamp.max(widest(event.timestamp.as_deref())),
        )
    })
}
