//! The vocabulary of the inspector's state: the actions the user requests, the
//! filter, focus and input modes, and what a session reports when it ends.

use std::cell::Cell;
use std::ops::Range;

use crate::core::escape::escape_display;
use crate::core::load::BatchFile;
use crate::core::mapping::{FieldMap, Source};
use crate::core::pipeline::{Counts, Outcome};
use crate::core::store::StoreError;

/// A request from the user, independent of the key that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Take the next event through the pipeline.
    Step,
    /// Undo the last step, store line included.
    StepBack,
    /// Start or pause the animated run.
    TogglePlay,
    /// One beat of the animated run: steps when playing, else does nothing.
    PlayTick,
    Faster,
    Slower,
    /// Step every remaining event at once.
    RunToEnd,
    /// Move up in the focused pane: the selection, or the scroll position.
    SelectUp,
    SelectDown,
    PageUp,
    PageDown,
    SelectFirst,
    SelectLast,
    /// Select the event that first processed the selected duplicate's id.
    JumpToFirstOccurrence,
    /// Show only the events of the next status.
    NextFilter,
    PreviousFilter,
    /// Start typing a search by event id.
    StartSearch,
    SearchInput(char),
    SearchBackspace,
    /// Stop typing and keep the search.
    SearchConfirm,
    /// Stop typing and clear the search.
    SearchCancel,
    /// Move the keyboard focus to the next pane.
    FocusNext,
    FocusPrevious,
    ToggleHelp,
    /// Esc: close what is open, or clear the search and filter, or quit.
    Back,
    Quit,
}

/// The status filter of the events table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Pending,
    Processed,
    Duplicate,
    Malformed,
}

impl Filter {
    pub(crate) const ORDER: [Filter; 5] = [
        Filter::All,
        Filter::Pending,
        Filter::Processed,
        Filter::Duplicate,
        Filter::Malformed,
    ];

    pub(crate) fn shifted(self, by: usize) -> Filter {
        let at = Filter::ORDER.iter().position(|&f| f == self).unwrap_or(0);
        Filter::ORDER[(at + by) % Filter::ORDER.len()]
    }

    /// Returns the status word this filter keeps, or `all`.
    pub fn label(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Pending => "pending",
            Filter::Processed => "processed",
            Filter::Duplicate => "duplicate",
            Filter::Malformed => "malformed",
        }
    }

    pub(crate) fn keeps(self, outcome: Option<&Outcome>) -> bool {
        matches!(
            (self, outcome),
            (Filter::All, _)
                | (Filter::Pending, None)
                | (Filter::Processed, Some(Outcome::Processed))
                | (Filter::Duplicate, Some(Outcome::Duplicate { .. }))
                | (Filter::Malformed, Some(Outcome::Malformed))
        )
    }
}

/// The pane that arrows and paging move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Events,
    Detail,
    Store,
}

/// The mode that decides how keys are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    Normal,
    /// Typed characters go into the search.
    Search,
    /// The help overlay is open.
    Help,
}

/// The session's use of its store: written, or only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    /// The store is written, under its exclusive lock, until the session quits.
    Live,
    /// The store is read and never written.
    DryRun,
    /// The batch is empty, so the store is only read, as a dry run would.
    EmptyBatch,
}

/// Facts about the session for the header, fixed when it starts.
#[derive(Debug, Clone)]
pub struct Session {
    /// The events file, escaped for display.
    pub events_name: String,
    /// The store path, escaped for display.
    pub store_name: String,
    pub mode: StoreMode,
    /// Whether to use colours (false when `NO_COLOR` is set and non-empty).
    pub color: bool,
    /// The `--source` and `--map` that mapped the values onto the event fields,
    /// or `None` for the events shape read as it is.
    pub source: Option<SourceNote>,
    /// The file each event came from, when the batch is a directory's files;
    /// empty otherwise, since the header already names a single file.
    pub files: Vec<EventsFile>,
}

impl Session {
    /// Returns the name of the file that gave the event at `index`, in a
    /// directory batch.
    pub fn file_of(&self, index: usize) -> Option<&str> {
        self.files
            .iter()
            .find(|file| file.events.contains(&index))
            .map(|file| file.name.as_str())
    }
}

/// The `--source` preset and `--map` overrides of a session, for the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceNote {
    /// The preset's name on the command line.
    pub preset: &'static str,
    /// Each `--map` pair as `field=pointer`, escaped for display.
    pub overrides: Vec<String>,
}

impl SourceNote {
    /// Describes a mapping, or returns `None` for the events shape without
    /// `--map`, which needs no note.
    pub fn new(source: Source, overrides: &[FieldMap]) -> Option<SourceNote> {
        if source == Source::Events && overrides.is_empty() {
            return None;
        }
        let overrides = overrides
            .iter()
            .map(|pair| escape_display(&format!("{}={}", pair.field.name(), pair.pointer)).into_owned())
            .collect();
        Some(SourceNote {
            preset: source.name(),
            overrides,
        })
    }

    /// Returns the note with every override: `stripe + --map timestamp=/at`.
    pub fn full(&self) -> String {
        if self.overrides.is_empty() {
            return self.preset.to_owned();
        }
        format!("{} + --map {}", self.preset, self.overrides.join(","))
    }

    /// Returns the note without the pointers, for narrow screens: `stripe + --map`.
    pub fn short(&self) -> String {
        if self.overrides.is_empty() {
            return self.preset.to_owned();
        }
        format!("{} + --map", self.preset)
    }
}

/// One file of a directory batch: its name, escaped, and the indexes of the
/// events it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsFile {
    pub name: String,
    pub events: Range<usize>,
}

impl EventsFile {
    /// Names each file of a batch by its file name, escaped for display.
    pub fn list(files: &[BatchFile]) -> Vec<EventsFile> {
        files
            .iter()
            .map(|file| {
                let name = file.path.file_name().unwrap_or(file.path.as_os_str());
                EventsFile {
                    name: escape_display(&name.to_string_lossy()).into_owned(),
                    events: file.events.clone(),
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Warning,
    Error,
}

/// A line for the user about the last action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
}

/// Sizes and scroll offsets known only when drawing, recorded by the last
/// frame so that paging moves by what is on screen.
#[derive(Debug)]
pub struct ViewState {
    /// First visible row of the events table.
    pub table_offset: Cell<usize>,
    /// Event rows the table showed.
    pub table_rows: Cell<usize>,
    pub store_rows: Cell<usize>,
    pub detail_rows: Cell<usize>,
    /// Lines of the detail pane's whole text: summary, payload and provider object.
    pub detail_lines: Cell<usize>,
    pub help_rows: Cell<usize>,
    pub help_lines: Cell<usize>,
}

impl Default for ViewState {
    fn default() -> ViewState {
        ViewState {
            table_offset: Cell::new(0),
            table_rows: Cell::new(10),
            store_rows: Cell::new(10),
            detail_rows: Cell::new(10),
            detail_lines: Cell::new(0),
            help_rows: Cell::new(10),
            help_lines: Cell::new(0),
        }
    }
}

/// The result of a session, once it has ended.
#[derive(Debug)]
pub struct Finished {
    pub events: usize,
    pub counts: Counts,
    /// Ids this session added (in memory only in a dry run).
    pub added: usize,
    /// The store error that stopped stepping, if one did.
    pub store_error: Option<String>,
    /// The error of the final sync, if it failed.
    pub sync_error: Option<StoreError>,
}
