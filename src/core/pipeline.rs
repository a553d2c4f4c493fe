//! The dedup pipeline: the verdict for each event, and the runs that apply it to
//! a store, whole (headless) or one step at a time (the UI).

use std::collections::{HashMap, HashSet};
use std::io;

use crate::core::event::Event;
use crate::core::store::{Appended, Store, StoreError, StoredIds, push_store_line};

/// Size of the file pages that a headless run keeps each write within.
///
/// Linux copies a `write(2)` to a regular file page by page and checks for a
/// fatal signal before each page, so a SIGKILL can leave a multi-page write cut
/// at a page boundary, mid-line. A write that stays within one page lands whole
/// or not at all. Only a line that itself straddles a boundary is written
/// across one, which leaves a window of one short copy.
const STORE_PAGE_BYTES: u64 = 4096;

/// The first occurrence of a duplicate's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstSeen {
    /// The index of the event in this batch that processed the id.
    Index(usize),
    /// The id was in the store before this run.
    PreviousRun,
}

/// The pipeline's decision for one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The id was new: it was appended to the store.
    Processed,
    /// The id was seen before and the event was skipped.
    Duplicate {
        first_seen: FirstSeen,
        /// Whether the payload differs from the first occurrence's; `None` when
        /// that occurrence was in a previous run, whose payload is not kept.
        payload_differs: Option<bool>,
    },
    /// The event broke a rule; [`Event::malformed`] gives the reason.
    Malformed,
}

/// Counts of outcomes reported so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub processed: usize,
    pub duplicates: usize,
    pub malformed: usize,
}

impl Counts {
    /// Adds one outcome.
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Processed => self.processed += 1,
            Outcome::Duplicate { .. } => self.duplicates += 1,
            Outcome::Malformed => self.malformed += 1,
        }
    }

    /// Removes one outcome, for a step taken back.
    pub fn remove(&mut self, outcome: &Outcome) {
        let count = match outcome {
            Outcome::Processed => &mut self.processed,
            Outcome::Duplicate { .. } => &mut self.duplicates,
            Outcome::Malformed => &mut self.malformed,
        };
        *count = count.saturating_sub(1);
    }

    /// Returns the number of outcomes counted.
    pub fn total(&self) -> usize {
        self.processed + self.duplicates + self.malformed
    }
}

/// The set of ids already seen by one batch: its ids that are in the store,
/// borrowed from the store's buffer, and those processed in this batch, with the
/// index that processed each.
#[derive(Debug)]
pub struct Dedup<'s> {
    stored: HashSet<&'s str>,
    claimed: HashMap<String, usize>,
}

impl<'s> Dedup<'s> {
    /// Indexes the store ids that occur in `batch`, the only events this set may
    /// classify.
    ///
    /// A batch has up to 10,000 ids by default while a store may have millions, so
    /// the store is scanned once against a small set of the batch's ids. That is
    /// several times faster than hashing every stored id into a set of its own, and
    /// keeps the memory to the store's buffer.
    pub fn new(stored: &'s StoredIds, batch: &[Event]) -> Dedup<'s> {
        let mut in_store = HashSet::new();
        if !stored.is_empty() {
            let batch_ids: HashSet<&str> = batch.iter().filter_map(|event| event.event_id.as_deref()).collect();
            in_store.extend(stored.iter().filter(|id| batch_ids.contains(id)));
        }
        Dedup {
            stored: in_store,
            claimed: HashMap::with_capacity(batch.len()),
        }
    }

    /// Decides the outcome of `event`, the event at its index in `batch`, which
    /// must be the batch this set was built for. A processed id is claimed, so
    /// that later events with it are duplicates, until [`Dedup::release`] gives
    /// it back.
    pub fn classify(&mut self, event: &Event, batch: &[Event]) -> Outcome {
        let Some(id) = event.event_id.as_deref().filter(|_| event.is_valid()) else {
            return Outcome::Malformed;
        };
        if self.stored.contains(id) {
            return Outcome::Duplicate {
                first_seen: FirstSeen::PreviousRun,
                payload_differs: None,
            };
        }
        if let Some(&first) = self.claimed.get(id) {
            let first_payload = batch.get(first).and_then(|e| e.payload.as_ref());
            return Outcome::Duplicate {
                first_seen: FirstSeen::Index(first),
                payload_differs: Some(first_payload != event.payload.as_ref()),
            };
        }
        self.claimed.insert(id.to_owned(), event.index);
        Outcome::Processed
    }

    /// Forgets that this batch processed `id`, for a step taken back or a write
    /// that failed.
    pub fn release(&mut self, id: &str) {
        self.claimed.remove(id);
    }
}

/// An error that ended a headless run early.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the report: {0}")]
    Report(io::Error),
}

/// Runs a whole batch against `store`, calling `report` once per event in input
/// order. Returns the counts of the outcomes reported, and the error that ended
/// the run early, if any.
///
/// Ids are written in groups (one `write` per group, each within one file page
/// where the lines allow), and the reports of a group follow its write, so no
/// report claims an id that is not in the store. When a write fails, the events
/// whose lines made it whole are reported and the run stops at the first one
/// whose line did not.
pub fn run_batch<F>(
    batch: &[Event],
    dedup: &mut Dedup<'_>,
    store: &mut Store,
    mut report: F,
) -> (Counts, Option<RunError>)
where
    F: FnMut(&Event, &Outcome) -> io::Result<()>,
{
    let mut counts = Counts::default();
    let mut group = Group::default();
    let mut line = String::new();

    for event in batch {
        let outcome = dedup.classify(event, batch);
        line.clear();
        if let (Outcome::Processed, Some(id)) = (outcome, event.event_id.as_deref()) {
            push_store_line(&mut line, id);
        }

        // The group's write would span from the file's end to this line's end.
        let line_end = store.append_offset() + (group.lines.len() + line.len()) as u64;
        let crosses_page = !line.is_empty() && store.len() / STORE_PAGE_BYTES != (line_end - 1) / STORE_PAGE_BYTES;
        if crosses_page
            && !group.lines.is_empty()
            && let Err(error) = group.commit(batch, dedup, store, &mut counts, &mut report)
        {
            return (counts, Some(error));
        }
        group.push(event.index, outcome, &line);
    }
    let error = group.commit(batch, dedup, store, &mut counts, &mut report).err();
    (counts, error)
}

/// Outcomes decided but not yet reported, and the store lines they wait for.
#[derive(Default)]
struct Group {
    lines: String,
    /// Event index, outcome, and for a processed event the end of its line in
    /// `lines`.
    pending: Vec<(usize, Outcome, Option<usize>)>,
}

impl Group {
    /// Adds an outcome and, for a processed event, its store line.
    fn push(&mut self, index: usize, outcome: Outcome, line: &str) {
        self.lines.push_str(line);
        let line_end = (!line.is_empty()).then_some(self.lines.len());
        self.pending.push((index, outcome, line_end));
    }

    fn commit<F>(
        &mut self,
        batch: &[Event],
        dedup: &mut Dedup<'_>,
        store: &mut Store,
        counts: &mut Counts,
        report: &mut F,
    ) -> Result<(), RunError>
    where
        F: FnMut(&Event, &Outcome) -> io::Result<()>,
    {
        let (complete_bytes, failure) = match store.append(self.lines.as_bytes()) {
            Ok(_) => (self.lines.len(), None),
            Err(error) => (error.complete_bytes, Some(error.error)),
        };

        let mut stopped = false;
        for (index, outcome, line_end) in self.pending.drain(..) {
            let event = &batch[index];
            let written = line_end.is_none_or(|end| end <= complete_bytes);
            if !written {
                if let Some(id) = event.event_id.as_deref() {
                    dedup.release(id);
                }
                stopped = true;
            }
            if stopped {
                continue;
            }
            report(event, &outcome).map_err(RunError::Report)?;
            counts.add(&outcome);
        }
        self.lines.clear();

        match failure {
            Some(error) => Err(RunError::Store(error)),
            None => Ok(()),
        }
    }
}

/// The outcome of one step of a [`Replay`], with what it wrote to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub outcome: Outcome,
    /// The bytes the step appended, for a processed event in a live session.
    pub appended: Option<Appended>,
}

/// A batch replayed one event at a time against a store, with steps that can be
/// taken back. Each processed id is written before its step returns.
#[derive(Debug)]
pub struct Replay<'s> {
    batch: Vec<Event>,
    dedup: Dedup<'s>,
    stored: &'s StoredIds,
    store: Store,
    steps: Vec<Step>,
    counts: Counts,
    /// Indexes of the events whose ids this session added, in store order.
    added: Vec<usize>,
}

impl<'s> Replay<'s> {
    /// Starts a replay with every event pending.
    pub fn new(batch: Vec<Event>, stored: &'s StoredIds, store: Store) -> Replay<'s> {
        Replay {
            dedup: Dedup::new(stored, &batch),
            steps: Vec::with_capacity(batch.len()),
            batch,
            stored,
            store,
            counts: Counts::default(),
            added: Vec::new(),
        }
    }

    /// Takes the next event through the pipeline and returns its index, or `None`
    /// when every event has been stepped. On a store error nothing changes.
    pub fn step(&mut self) -> Result<Option<usize>, StoreError> {
        let index = self.steps.len();
        let Some(event) = self.batch.get(index) else {
            return Ok(None);
        };
        let outcome = self.dedup.classify(event, &self.batch);

        let mut appended = None;
        if let (Outcome::Processed, Some(id)) = (outcome, event.event_id.as_deref()) {
            let mut line = String::new();
            push_store_line(&mut line, id);
            match self.store.append(line.as_bytes()) {
                Ok(done) => appended = Some(done),
                Err(error) => {
                    self.dedup.release(id);
                    return Err(error.error);
                }
            }
            self.added.push(index);
        }

        self.counts.add(&outcome);
        self.steps.push(Step { outcome, appended });
        Ok(Some(index))
    }

    /// Takes back the last step and returns its index, or `None` at the start. A
    /// step that appended an id cuts the store back to its length before the step,
    /// and is refused, changing nothing, when the file changed in between.
    pub fn step_back(&mut self) -> Result<Option<usize>, StoreError> {
        let Some(&step) = self.steps.last() else {
            return Ok(None);
        };
        let index = self.steps.len() - 1;
        let event = &self.batch[index];

        if step.outcome == Outcome::Processed
            && let Some(id) = event.event_id.as_deref()
        {
            if let Some(appended) = step.appended {
                let mut line = String::new();
                push_store_line(&mut line, id);
                self.store.undo_append(appended, line.as_bytes())?;
            }
            self.dedup.release(id);
            self.added.pop();
        }

        self.counts.remove(&step.outcome);
        self.steps.pop();
        Ok(Some(index))
    }

    /// Returns the events of the batch, in input order.
    pub fn batch(&self) -> &[Event] {
        &self.batch
    }

    /// Returns the steps taken so far. `steps()[i]` belongs to `batch()[i]`.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Returns the outcome of the event at `index`, or `None` while it is pending.
    pub fn outcome(&self, index: usize) -> Option<&Outcome> {
        self.steps.get(index).map(|step| &step.outcome)
    }

    /// Counts of the outcomes so far.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Returns whether every event has been stepped.
    pub fn is_done(&self) -> bool {
        self.steps.len() == self.batch.len()
    }

    /// Returns the ids that were in the store when the session started, in file order.
    pub fn stored_ids(&self) -> &'s StoredIds {
        self.stored
    }

    /// Returns the indexes of the events whose ids this session added, in store order.
    pub fn added(&self) -> &[usize] {
        &self.added
    }

    /// Returns the store this replay writes.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Syncs the store to disk, as the end of a headless run does.
    pub fn sync(&mut self) -> Result<(), StoreError> {
        self.store.sync()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::parse_events;
    use crate::core::store::StoreOptions;

    const VALID: &str = r#""event_type": "t", "timestamp": "2024-01-01T00:00:00Z", "payload": {}"#;

    fn batch(ids: &[Option<&str>]) -> Vec<Event> {
        let text: String = ids
            .iter()
            .map(|id| match id {
                Some(id) => format!("{{\"event_id\": \"{id}\", {VALID}}}\n"),
                None => "{\"event_id\": \"m\"}\n".to_owned(),
            })
            .collect();
        parse_events(text.as_bytes(), 100).unwrap()
    }

    #[test]
    fn run_batch_writes_stay_within_a_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        // No final newline, so the first write starts with the added `\n`.
        std::fs::write(&path, "old").unwrap();
        let (mut store, stored) = Store::open(&path, StoreOptions::default()).unwrap();
        let ids: Vec<String> = (0..3000)
            .map(|i| format!("evt_{i:0width$}", width = 3 + i % 17))
            .collect();
        let text: String = ids
            .iter()
            .map(|id| format!("{{\"event_id\": \"{id}\", {VALID}}}\n"))
            .collect();
        let events = parse_events(text.as_bytes(), 3000).unwrap();
        let mut dedup = Dedup::new(&stored, &events);
        let mut write_ends = vec![3];

        let (counts, error) = run_batch(&events, &mut dedup, &mut store, |_, _| {
            let len = std::fs::metadata(&path)?.len();
            if write_ends.last() != Some(&len) {
                write_ends.push(len);
            }
            Ok(())
        });

        assert!(error.is_none(), "{error:?}");
        assert_eq!(counts.processed, 3000);
        let contents = std::fs::read(&path).unwrap();
        assert!(write_ends.len() > 10, "{write_ends:?}");
        for pair in write_ends.windows(2) {
            let (start, end) = (pair[0], pair[1]);
            let same_page = start / STORE_PAGE_BYTES == (end - 1) / STORE_PAGE_BYTES;
            let written = &contents[start as usize..end as usize];
            let one_line = written.iter().filter(|&&b| b == b'\n').count() == 1 + usize::from(start == 3);
            assert!(
                same_page || one_line,
                "write {start}..{end} crosses a page with several lines"
            );
        }
    }

    #[test]
    fn run_batch_reports_each_event_after_its_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "old\n").unwrap();
        let (mut store, stored) = Store::open(&path, StoreOptions::default()).unwrap();
        let events = batch(&[Some("a"), Some("old"), None, Some("a"), Some("b")]);
        let mut dedup = Dedup::new(&stored, &events);
        let mut seen = Vec::new();

        let (counts, error) = run_batch(&events, &mut dedup, &mut store, |event, outcome| {
            let text = std::fs::read_to_string(&path)?;
            if let (Outcome::Processed, Some(id)) = (outcome, event.event_id.as_deref()) {
                assert!(
                    text.lines().any(|line| line == id),
                    "{id} reported before it was stored"
                );
            }
            seen.push((event.index, *outcome));
            Ok(())
        });

        assert!(error.is_none(), "{error:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\na\nb\n");
        let duplicate_of_a = Outcome::Duplicate {
            first_seen: FirstSeen::Index(0),
            payload_differs: Some(false),
        };
        let previous_run = Outcome::Duplicate {
            first_seen: FirstSeen::PreviousRun,
            payload_differs: None,
        };
        assert_eq!(
            seen,
            [
                (0, Outcome::Processed),
                (1, previous_run),
                (2, Outcome::Malformed),
                (3, duplicate_of_a),
                (4, Outcome::Processed),
            ]
        );
        assert_eq!(
            counts,
            Counts {
                processed: 2,
                duplicates: 2,
                malformed: 1
            }
        );
    }

    #[test]
    fn run_batch_stops_at_unwritten_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.txt");
        std::fs::write(&path, "old\n").unwrap();
        let (mut store, stored) = Store::open(&path, StoreOptions::default()).unwrap();
        // Replacing the file makes every write of this run fail, with nothing written.
        let other = dir.path().join("other.txt");
        std::fs::write(&other, "old\n").unwrap();
        std::fs::rename(&other, &path).unwrap();
        let events = batch(&[None, Some("old"), Some("new"), Some("new"), None]);
        let mut dedup = Dedup::new(&stored, &events);
        let mut seen = Vec::new();

        let (counts, error) = run_batch(&events, &mut dedup, &mut store, |event, outcome| {
            seen.push((event.index, *outcome));
            Ok(())
        });

        assert!(
            matches!(error, Some(RunError::Store(StoreError::Replaced { .. }))),
            "{error:?}"
        );
        let reported: Vec<usize> = seen.iter().map(|(index, _)| *index).collect();
        assert_eq!(reported, [0, 1], "events after the unwritten id are not reported");
        assert_eq!(
            counts,
            Counts {
                processed: 0,
                duplicates: 1,
                malformed: 1
            }
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(
            dedup.classify(&events[2], &events),
            Outcome::Processed,
            "an id that was not written is not claimed"
        );
    }

    fn paid_event(id: &str, amount: u32) -> String {
        format!(
            r#"{{"event_id": "{id}", "event_type": "invoice.paid", "timestamp": "2024-01-15T08:00:07Z", "payload": {{"amount": {amount}}}}}"#
        )
    }

    fn batch_of(lines: &[String]) -> Vec<Event> {
        parse_events(lines.join("\n").as_bytes(), 100).unwrap()
    }

    fn outcomes(stored: &StoredIds, events: &[Event]) -> Vec<Outcome> {
        let mut dedup = Dedup::new(stored, events);
        events.iter().map(|event| dedup.classify(event, events)).collect()
    }

    #[test]
    fn dedup_finds_batch_ids_among_many_stored_ids() {
        let mut store = String::new();
        for n in 0..1000 {
            push_store_line(&mut store, &format!("evt_{n:04}"));
        }
        let stored = StoredIds::parse(store.into_bytes()).unwrap();
        let events = batch_of(&[
            paid_event("evt_0999", 1),
            paid_event("evt_new", 1),
            paid_event("evt_0000", 1),
        ]);

        let previous_run = Outcome::Duplicate {
            first_seen: FirstSeen::PreviousRun,
            payload_differs: None,
        };
        assert_eq!(
            outcomes(&stored, &events),
            [previous_run, Outcome::Processed, previous_run]
        );
    }

    #[test]
    fn dedup_compares_payloads_of_repeats_in_the_batch() {
        let stored = StoredIds::default();
        let events = batch_of(&[paid_event("a", 1), paid_event("a", 1), paid_event("a", 2)]);

        let repeat = |differs| Outcome::Duplicate {
            first_seen: FirstSeen::Index(0),
            payload_differs: Some(differs),
        };
        assert_eq!(
            outcomes(&stored, &events),
            [Outcome::Processed, repeat(false), repeat(true)]
        );
    }

    #[test]
    fn dedup_malformed_event_claims_no_id() {
        let stored = StoredIds::default();
        let malformed = r#"{"event_id": "a", "event_type": "invoice.paid", "payload": {}}"#;
        let events = batch_of(&[malformed.to_owned(), paid_event("a", 1)]);

        assert_eq!(outcomes(&stored, &events), [Outcome::Malformed, Outcome::Processed]);
    }

    #[test]
    fn dedup_release_gives_an_id_back() {
        let stored = StoredIds::default();
        let events = batch_of(&[paid_event("a", 1), paid_event("a", 1)]);
        let mut dedup = Dedup::new(&stored, &events);

        assert_eq!(dedup.classify(&events[0], &events), Outcome::Processed);
        dedup.release("a");
        assert_eq!(dedup.classify(&events[1], &events), Outcome::Processed);
    }
}
