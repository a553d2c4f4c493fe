//! Any sequence of valid and malformed events, split into consecutive runs over
//! one store (each a real process on a file containing its slice), behaves like
//! one dedup over the whole sequence. Each id is processed once, a duplicate
//! comes only after its id was processed, no malformed event is processed, and
//! the store lists the ids in the order they were first processed.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

/// Few ids, so that repeats are frequent, several of which the store must write
/// as JSON strings: a line break, a leading quote, leading or trailing white
/// space, a bidirectional control and a byte-order mark.
const IDS: [&str; 9] = [
    "a",
    "b",
    "a\nb",
    "\"q",
    " lead",
    "trail ",
    "x\u{202e}y",
    "é😀",
    "\u{feff}bom",
];

/// The ids of `IDS` that the store writes as they are, without JSON quoting.
const PLAIN_IDS: [&str; 3] = ["a", "b", "é😀"];

/// Payloads, with the class each belongs to under JSON value equality: key order
/// does not matter, and `1` differs from `1.0`.
const PAYLOADS: [(&str, usize); 5] = [
    ("{}", 0),
    (r#"{"n":1}"#, 1),
    (r#"{"n":1.0}"#, 2),
    (r#"{"a":1,"b":[2]}"#, 3),
    (r#"{"b":[2],"a":1}"#, 3),
];

const VALID_FIELDS: &str = r#""event_type":"t","timestamp":"2024-05-01T12:00:00Z""#;

#[derive(Debug, Clone)]
enum Event {
    Valid { id: usize, payload: usize },
    Malformed { kind: usize, id: usize },
}

/// Malformed shapes: the JSON line for an id, and the `event_id`, `event_type`
/// and reason the report must show.
fn malformed(kind: usize, id: &str) -> (String, Value, Value, String) {
    let quoted = serde_json::to_string(id).unwrap();
    match kind {
        0 => (
            format!(r#"{{"event_id":{quoted},"event_type":"t","payload":{{}}}}"#),
            json!(id),
            json!("t"),
            "timestamp is missing".to_owned(),
        ),
        1 => (
            format!(r#"{{"event_id":{quoted},"event_type":"t","timestamp":"2024-02-30T00:00:00Z","payload":{{}}}}"#),
            json!(id),
            json!("t"),
            "timestamp is not an RFC 3339 date-time: 2024-02-30T00:00:00Z".to_owned(),
        ),
        2 => (
            format!(r#"{{"event_id":{quoted},"event_id":{quoted},{VALID_FIELDS},"payload":{{}}}}"#),
            json!(id),
            json!("t"),
            "field event_id appears more than once".to_owned(),
        ),
        3 => (
            format!(r#"{{"event_id":{quoted},{VALID_FIELDS},"payload":[]}}"#),
            json!(id),
            json!("t"),
            "payload is not a JSON object".to_owned(),
        ),
        4 => (
            format!(r#"{{"event_id":{quoted},"event_type":"","timestamp":"2024-05-01T12:00:00Z","payload":{{}}}}"#),
            json!(id),
            json!(""),
            "event_type is empty".to_owned(),
        ),
        _ => (
            quoted,
            Value::Null,
            Value::Null,
            "event is not a JSON object".to_owned(),
        ),
    }
}

const MALFORMED_KINDS: usize = 6;

fn event_line(event: &Event) -> String {
    match *event {
        Event::Valid { id, payload } => format!(
            r#"{{"event_id":{},{VALID_FIELDS},"payload":{}}}"#,
            serde_json::to_string(IDS[id]).unwrap(),
            PAYLOADS[payload].0
        ),
        Event::Malformed { kind, id } => malformed(kind, IDS[id]).0,
    }
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    let event = prop_oneof![
        3 => (0..IDS.len(), 0..PAYLOADS.len()).prop_map(|(id, payload)| Event::Valid { id, payload }),
        1 => (0..MALFORMED_KINDS, 0..IDS.len()).prop_map(|(kind, id)| Event::Malformed { kind, id }),
    ];
    proptest::collection::vec(event, 0..40)
}

/// The report each event of a run must get, given the ids stored by earlier runs.
/// Ids processed in the run are added to `stored`, in order.
fn expected_reports(run: &[Event], stored: &mut Vec<&'static str>) -> Vec<Value> {
    let before: HashSet<&str> = stored.iter().copied().collect();
    let mut first_in_run: HashMap<usize, (usize, usize)> = HashMap::new();
    let mut reports = Vec::new();
    for (index, event) in run.iter().enumerate() {
        let report = match *event {
            Event::Malformed { kind, id } => {
                let (_, event_id, event_type, reason) = malformed(kind, IDS[id]);
                json!({"index": index, "event_id": event_id, "event_type": event_type,
                       "status": "malformed", "reason": reason})
            }
            Event::Valid { id, payload } => {
                let common = json!({"index": index, "event_id": IDS[id], "event_type": "t"});
                let mut report = common.as_object().unwrap().clone();
                if before.contains(IDS[id]) {
                    report.insert("status".into(), json!("duplicate"));
                    report.insert("first_seen".into(), json!("previous run"));
                    report.insert("payload_differs".into(), Value::Null);
                } else if let Some(&(first, first_payload)) = first_in_run.get(&id) {
                    let differs = PAYLOADS[first_payload].1 != PAYLOADS[payload].1;
                    report.insert("status".into(), json!("duplicate"));
                    report.insert("first_seen".into(), json!(first));
                    report.insert("payload_differs".into(), json!(differs));
                } else {
                    first_in_run.insert(id, (index, payload));
                    stored.push(IDS[id]);
                    report.insert("status".into(), json!("processed"));
                }
                Value::Object(report)
            }
        };
        reports.push(report);
    }
    reports
}

fn run(events: &Path, store: &Path) -> Vec<Value> {
    let output = Command::new(env!("CARGO_BIN_EXE_webhook-dedup"))
        .args(["--headless", "--format", "json", "--store"])
        .arg(store)
        .arg(events)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "run failed: {stderr}");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Reads the store as its format defines it: a line starting with `"` is a JSON string.
/// Checks that exactly the ids that need it were written quoted.
fn read_store(store: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(store) else {
        return Vec::new();
    };
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the store ends in a partial line"
    );
    let mut ids = Vec::new();
    for line in text.lines() {
        let id: String = match line.starts_with('"') {
            true => serde_json::from_str(line).unwrap(),
            false => line.to_owned(),
        };
        let quoted = line.starts_with('"');
        assert_eq!(
            quoted,
            !PLAIN_IDS.contains(&id.as_str()),
            "store line {line:?} for id {id:?}"
        );
        ids.push(id);
    }
    ids
}

fn check_runs(events: &[Event], cuts: &[Index]) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store.txt");
    let mut bounds: Vec<usize> = cuts.iter().map(|cut| cut.index(events.len() + 1)).collect();
    bounds.push(0);
    bounds.push(events.len());
    bounds.sort_unstable();

    let mut model_store = Vec::new();
    let mut processed_count: HashMap<String, usize> = HashMap::new();
    let mut processed_so_far: HashSet<String> = HashSet::new();
    for (number, slice) in bounds.windows(2).enumerate() {
        let run_events = &events[slice[0]..slice[1]];
        let path = dir.path().join(format!("run-{number}.jsonl"));
        let text: String = run_events.iter().map(|e| event_line(e) + "\n").collect();
        std::fs::write(&path, text).unwrap();

        let reports = run(&path, &store);

        for (report, event) in reports.iter().zip(run_events) {
            let id = report["event_id"].as_str().unwrap_or_default().to_owned();
            match report["status"].as_str() {
                Some("processed") => {
                    assert!(
                        matches!(event, Event::Valid { .. }),
                        "run {number} processed a malformed event: {report}"
                    );
                    processed_so_far.insert(id.clone());
                    *processed_count.entry(id).or_default() += 1;
                }
                Some("duplicate") => assert!(
                    processed_so_far.contains(&id),
                    "run {number} reported {id:?} duplicate before it was processed"
                ),
                _ => {}
            }
        }
        let expected = expected_reports(run_events, &mut model_store);
        assert_eq!(reports, expected, "run {number} over {run_events:?}");
    }

    let valid_ids: HashSet<&str> = events
        .iter()
        .filter_map(|event| match *event {
            Event::Valid { id, .. } => Some(IDS[id]),
            Event::Malformed { .. } => None,
        })
        .collect();
    for id in &valid_ids {
        assert_eq!(
            processed_count.get(*id),
            Some(&1),
            "{id:?} was not processed exactly once"
        );
    }
    assert_eq!(
        processed_count.len(),
        valid_ids.len(),
        "an id without a valid event was processed"
    );
    assert_eq!(
        read_store(&store),
        model_store,
        "the store does not list the ids in processing order"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn split_runs_process_each_id_once(events in events(), cuts in proptest::collection::vec(any::<Index>(), 0..4)) {
        check_runs(&events, &cuts);
    }
}
