//! Provider shapes through the real binary: `--source` presets on the recorded
//! provider data in `sample-data/providers`, and `--map` on hand-made shapes.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::{Value, json};
use tempfile::TempDir;

/// Returns the path of a file or folder of the recorded provider data.
fn sample(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data/providers")
        .join(relative)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
            .collect()
    }

    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// Runs the binary headless in `dir`, with the store `dir/store.txt`.
fn run<I, S>(dir: &TempDir, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_with_stdin(dir, args, "")
}

fn run_with_stdin<I, S>(dir: &TempDir, args: I, stdin: &str) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let output = cargo_bin_cmd!("webhook-dedup")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .arg("--headless")
        .arg("--store")
        .arg(dir.path().join("store.txt"))
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn store_lines(dir: &TempDir) -> Vec<String> {
    std::fs::read_to_string(dir.path().join("store.txt"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const GUID: &str = "0b989ba4-242f-11e5-81e1-c7b6966d2516";
const WEBHOOK_ID: &str = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";

#[test]
fn github_delivery_list_redelivery_is_a_duplicate() {
    let dir = TempDir::new().unwrap();
    let items = sample("github/hook-delivery-items.json");
    let run = run(
        &dir,
        [
            OsStr::new("--source=github-deliveries"),
            OsStr::new("--format=json"),
            items.as_os_str(),
        ],
    );

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json_lines(),
        [
            json!({"index": 0, "event_id": GUID, "event_type": "issues.opened", "status": "processed"}),
            json!({"index": 1, "event_id": GUID, "event_type": "issues.opened", "status": "duplicate", "first_seen": 0, "payload_differs": false}),
        ]
    );
    assert_eq!(store_lines(&dir), [GUID]);
}

#[test]
fn github_get_a_delivery_is_processed() {
    let dir = TempDir::new().unwrap();
    let delivery = sample("github/hook-delivery.json");
    let run = run(&dir, [OsStr::new("--source=github-deliveries"), delivery.as_os_str()]);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.lines(), [format!("Processed event: {GUID}")]);
    assert_eq!(store_lines(&dir), [GUID]);
}

#[test]
fn github_delivery_after_list_is_duplicate() {
    let dir = TempDir::new().unwrap();
    let items = sample("github/hook-delivery-items.json");
    let delivery = sample("github/hook-delivery.json");
    run(&dir, [OsStr::new("--source=github-deliveries"), items.as_os_str()]);
    let run = run(
        &dir,
        [
            OsStr::new("--source=github-deliveries"),
            OsStr::new("--format=json"),
            delivery.as_os_str(),
        ],
    );

    assert_eq!(
        run.json_lines(),
        [
            json!({"index": 0, "event_id": GUID, "event_type": "issues.opened", "status": "duplicate", "first_seen": "previous run", "payload_differs": null})
        ]
    );
}

#[test]
fn github_delivery_without_guid_names_the_pointer() {
    let dir = TempDir::new().unwrap();
    let mut deliveries = read_json(&sample("github/hook-delivery-items.json"));
    deliveries[0].as_object_mut().unwrap().remove("guid");
    let path = write(&dir, "deliveries.json", &deliveries.to_string());
    let run = run(&dir, [OsStr::new("--source=github-deliveries"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        [
            "Malformed event skipped at index 0: event_id: /guid not found".to_owned(),
            format!("Processed event: {GUID}"),
        ]
    );
}

#[test]
fn github_repeated_guid_is_malformed() {
    let dir = TempDir::new().unwrap();
    let text = r#"{"guid": "a", "guid": "b", "event": "push", "delivered_at": "2019-06-03T00:57:16Z"}"#;
    let path = write(&dir, "delivery.json", text);
    let run = run(&dir, [OsStr::new("--source=github-deliveries"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        ["Malformed event skipped at index 0: field event_id appears more than once"]
    );
}

#[test]
fn github_integer_delivered_at_is_malformed() {
    let dir = TempDir::new().unwrap();
    let text = r#"{"guid": "a", "event": "push", "delivered_at": 1559523436}"#;
    let path = write(&dir, "delivery.json", text);
    let run = run(&dir, [OsStr::new("--source=github-deliveries"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        ["Malformed event skipped at index 0: timestamp is not a string"]
    );
}

fn json_outcomes(run: &Run) -> Vec<(String, String, Option<bool>)> {
    run.json_lines()
        .into_iter()
        .map(|line| {
            (
                line["event_id"].as_str().unwrap().to_owned(),
                line["status"].as_str().unwrap().to_owned(),
                line.get("payload_differs").and_then(Value::as_bool),
            )
        })
        .collect()
}

#[test]
fn stripe_recorded_folder_counts_duplicates() {
    let dir = TempDir::new().unwrap();
    let folder = sample("stripe/dj-stripe");
    let run = run(
        &dir,
        [
            OsStr::new("--source=stripe"),
            OsStr::new("--format=json"),
            folder.as_os_str(),
        ],
    );
    let outcomes = json_outcomes(&run);

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(outcomes.len(), 11);
    assert_eq!(
        outcomes.iter().filter(|(_, status, _)| status == "processed").count(),
        4
    );
    assert_eq!(
        outcomes.iter().filter(|(_, status, _)| status == "duplicate").count(),
        7
    );
    let differing: Vec<usize> = run
        .json_lines()
        .iter()
        .filter(|line| line["payload_differs"] == json!(true))
        .map(|line| line["index"].as_u64().unwrap() as usize)
        .collect();
    // account_updated_standard, bank_account_updated and card_updated, in byte
    // order of the file names.
    assert_eq!(differing, [4, 7, 10]);
    assert!(
        run.stderr.contains("11 events: 4 processed, 7 duplicates, 0 malformed"),
        "{}",
        run.stderr
    );
    assert_eq!(
        store_lines(&dir),
        [
            "evt_1Iu8ZfA3kq9o1aTcf3b7EknK",
            "evt_1Itt6eB9wPxT0ovY3LLhi5bw",
            "evt_1IuKmFQveW0ONQsdEAB1O64Y",
            "evt_1IuIg0QveW0ONQsdDLp7otQC"
        ]
    );
}

#[test]
fn stripe_map_overrides_the_preset_id() {
    let dir = TempDir::new().unwrap();
    let folder = sample("stripe/dj-stripe");
    let run = run(
        &dir,
        [
            OsStr::new("--source=stripe"),
            OsStr::new("--map=event_id=/data/object/id"),
            OsStr::new("--format=json"),
            folder.as_os_str(),
        ],
    );
    let lines = run.json_lines();

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(lines[0]["event_id"], "ca_JWVN6vOJJs3RKsff0VUwIUfmUmN0VYqe");
    assert_eq!(lines[0]["event_type"], "account.application.deauthorized");
    // The standard account has its own object id, unlike its event id.
    assert_eq!(lines[4]["event_id"], "acct_1Fg9jUA3kq9o1aTc");
    assert_eq!(lines[4]["status"], "processed");
    assert!(
        run.stderr.contains("11 events: 5 processed, 6 duplicates"),
        "{}",
        run.stderr
    );
}

fn stripe_mock_events() -> [Value; 2] {
    [
        read_json(&sample("stripe/stripe-mock/fixtures3.resources.event.json")),
        read_json(&sample("stripe/stripe-mock/fixtures3.beta.resources.event.json")),
    ]
}

#[test]
fn stripe_list_object_gives_each_element() {
    let dir = TempDir::new().unwrap();
    let [first, second] = stripe_mock_events();
    let list = json!({"object": "list", "data": [first, second, first], "has_more": false, "url": "/v1/events"});
    let path = write(&dir, "events-list.json", &serde_json::to_string_pretty(&list).unwrap());
    let run = run(
        &dir,
        [
            OsStr::new("--source=stripe"),
            OsStr::new("--format=json"),
            path.as_os_str(),
        ],
    );

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json_lines(),
        [
            json!({"index": 0, "event_id": "evt_1Pgc76B7WZ01zgkWwyRHS12y", "event_type": "plan.created", "status": "processed"}),
            json!({"index": 1, "event_id": "evt_1MlLiDJITzLVzkSmHhzJOLbM", "event_type": "plan.created", "status": "processed"}),
            json!({"index": 2, "event_id": "evt_1Pgc76B7WZ01zgkWwyRHS12y", "event_type": "plan.created", "status": "duplicate", "first_seen": 0, "payload_differs": false}),
        ]
    );
}

#[test]
fn stripe_list_pages_one_after_another_count_together() {
    let dir = TempDir::new().unwrap();
    let [first, second] = stripe_mock_events();
    let page = |event: &Value| json!({"object": "list", "data": [event], "has_more": true}).to_string();
    let text = format!("{}\n{}\n{}\n", page(&first), page(&second), second);
    let path = write(&dir, "pages.json", &text);
    let run = run(&dir, [OsStr::new("--source=stripe"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        [
            "Processed event: evt_1Pgc76B7WZ01zgkWwyRHS12y",
            "Processed event: evt_1MlLiDJITzLVzkSmHhzJOLbM",
            "Duplicate event skipped: evt_1MlLiDJITzLVzkSmHhzJOLbM",
        ]
    );
}

#[test]
fn stripe_list_without_source_is_malformed() {
    let dir = TempDir::new().unwrap();
    let [first, _] = stripe_mock_events();
    let list = json!({"object": "list", "data": [first]});
    let path = write(&dir, "list.json", &list.to_string());
    let run = run(&dir, [path.as_os_str()]);

    assert_eq!(run.lines(), ["Malformed event skipped at index 0: event_id is missing"]);
}

#[test]
fn stripe_list_elements_count_against_max_events() {
    let dir = TempDir::new().unwrap();
    let [first, second] = stripe_mock_events();
    let list = json!({"object": "list", "data": [first, second, first]});
    let path = write(&dir, "list.json", &list.to_string());
    let run = run(
        &dir,
        [
            OsStr::new("--source=stripe"),
            OsStr::new("--max-events=2"),
            path.as_os_str(),
        ],
    );

    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("holds more than 2 events"), "{}", run.stderr);
    assert!(!dir.path().join("store.txt").exists());
}

#[test]
fn stripe_created_outside_the_years_is_malformed() {
    let dir = TempDir::new().unwrap();
    let [mut late, mut early] = stripe_mock_events();
    late["created"] = json!(253402300800_i64);
    early["created"] = json!(-62135596801_i64);
    let path = write(&dir, "events.json", &json!([late, early]).to_string());
    let run = run(&dir, [OsStr::new("--source=stripe"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        [
            "Malformed event skipped at index 0: timestamp is Unix seconds outside the years 0001 to 9999: 253402300800",
            "Malformed event skipped at index 1: timestamp is Unix seconds outside the years 0001 to 9999: -62135596801",
        ]
    );
}

#[test]
fn stripe_created_last_second_is_valid() {
    let dir = TempDir::new().unwrap();
    let [mut event, _] = stripe_mock_events();
    event["created"] = json!(253402300799_i64);
    let path = write(&dir, "event.json", &event.to_string());
    let run = run(&dir, [OsStr::new("--source=stripe"), path.as_os_str()]);

    assert_eq!(run.lines(), ["Processed event: evt_1Pgc76B7WZ01zgkWwyRHS12y"]);
}

#[test]
fn standard_webhooks_capture_uses_webhook_id() {
    let dir = TempDir::new().unwrap();
    let capture = sample("standard-webhooks/spec-signed-message.example.json");
    let run = run(
        &dir,
        [
            OsStr::new("--source=standard-webhooks"),
            OsStr::new("--format=json"),
            capture.as_os_str(),
        ],
    );

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json_lines(),
        [json!({"index": 0, "event_id": WEBHOOK_ID, "event_type": "contact.created", "status": "processed"})]
    );
    assert_eq!(store_lines(&dir), [WEBHOOK_ID]);
}

/// Returns three forms of the recorded capture: as recorded, with its body
/// string parsed into an object, and with its id header name in another case.
fn capture_forms() -> [Value; 3] {
    let string_body = read_json(&sample("standard-webhooks/spec-signed-message.example.json"));
    let mut object_body = string_body.clone();
    object_body["body"] = serde_json::from_str(string_body["body"].as_str().unwrap()).unwrap();
    let mut other_case = string_body.clone();
    let headers = other_case["headers"].as_object_mut().unwrap();
    let id = headers.remove("webhook-id").unwrap();
    headers.insert("Webhook-ID".to_owned(), id);
    [string_body, object_body, other_case]
}

#[test]
fn standard_webhooks_body_forms_match() {
    let dir = TempDir::new().unwrap();
    let [string_body, object_body, _] = capture_forms();
    let path = write(&dir, "captures.jsonl", &format!("{object_body}\n{string_body}\n"));
    let run = run(
        &dir,
        [
            OsStr::new("--source=standard-webhooks"),
            OsStr::new("--format=json"),
            path.as_os_str(),
        ],
    );

    assert_eq!(
        run.json_lines(),
        [
            json!({"index": 0, "event_id": WEBHOOK_ID, "event_type": "contact.created", "status": "processed"}),
            json!({"index": 1, "event_id": WEBHOOK_ID, "event_type": "contact.created", "status": "duplicate", "first_seen": 0, "payload_differs": false}),
        ]
    );
}

#[test]
fn standard_webhooks_header_case_ignored() {
    let dir = TempDir::new().unwrap();
    let [_, _, other_case] = capture_forms();
    let path = write(&dir, "capture.json", &other_case.to_string());
    let run = run(&dir, [OsStr::new("--source=standard-webhooks"), path.as_os_str()]);

    assert_eq!(run.lines(), [format!("Processed event: {WEBHOOK_ID}")]);
}

#[test]
fn standard_webhooks_header_in_two_cases_is_malformed() {
    let dir = TempDir::new().unwrap();
    let [mut capture, _, _] = capture_forms();
    capture["headers"]["WEBHOOK-ID"] = json!("msg_other");
    let path = write(&dir, "capture.json", &capture.to_string());
    let run = run(&dir, [OsStr::new("--source=standard-webhooks"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        ["Malformed event skipped at index 0: field event_id appears more than once"]
    );
}

#[test]
fn standard_webhooks_invalid_body_is_malformed() {
    let dir = TempDir::new().unwrap();
    let [mut capture, _, _] = capture_forms();
    capture["body"] = json!("<contact type=\"created\"/>");
    let path = write(&dir, "capture.json", &capture.to_string());
    let run = run(&dir, [OsStr::new("--source=standard-webhooks"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        [
            "Malformed event skipped at index 0: body is a string that is not valid JSON: expected value at line 1 column 1"
        ]
    );
    assert_eq!(store_lines(&dir), Vec::<String>::new());
}

#[test]
fn standard_webhooks_missing_header_is_named() {
    let dir = TempDir::new().unwrap();
    let [mut capture, _, _] = capture_forms();
    capture["headers"].as_object_mut().unwrap().remove("webhook-id");
    let path = write(&dir, "capture.json", &capture.to_string());
    let run = run(&dir, [OsStr::new("--source=standard-webhooks"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        ["Malformed event skipped at index 0: event_id: /headers/webhook-id not found"]
    );
}

#[test]
fn source_reads_standard_input() {
    let dir = TempDir::new().unwrap();
    let [event, _] = stripe_mock_events();
    let run = run_with_stdin(&dir, ["--source=stripe", "-"], &event.to_string());

    assert_eq!(run.lines(), ["Processed event: evt_1Pgc76B7WZ01zgkWwyRHS12y"]);
}

const HAND_MADE: &str = r#"{"meta": {"id": "order-1"}, "kind": "order.paid", "at": "2024-01-15T08:00:07Z", "body": {"total": 5}}
{"meta": {"id": "order-1"}, "kind": "order.paid", "at": "2024-01-15T08:00:09Z", "body": {"total": 6}}
{"meta": {}, "kind": "order.paid", "at": "2024-01-15T08:00:07Z", "body": {}}
"#;

#[test]
fn map_reads_a_hand_made_shape() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "orders.jsonl", HAND_MADE);
    let run = run(
        &dir,
        [
            OsStr::new("--map"),
            OsStr::new("event_id=/meta/id,event_type=/kind,timestamp=/at,payload=/body"),
            OsStr::new("--format=json"),
            path.as_os_str(),
        ],
    );

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.json_lines(),
        [
            json!({"index": 0, "event_id": "order-1", "event_type": "order.paid", "status": "processed"}),
            json!({"index": 1, "event_id": "order-1", "event_type": "order.paid", "status": "duplicate", "first_seen": 0, "payload_differs": true}),
            json!({"index": 2, "event_id": null, "event_type": "order.paid", "status": "malformed", "reason": "event_id: /meta/id not found"}),
        ]
    );
}

#[test]
fn map_repeated_option_equals_one_value_with_commas() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "orders.jsonl", HAND_MADE);
    let run = run(
        &dir,
        [
            OsStr::new("--map=event_id=/meta/id"),
            OsStr::new("--map=event_type=/kind,timestamp=/at"),
            OsStr::new("--map=payload=/body"),
            path.as_os_str(),
        ],
    );

    assert_eq!(
        run.lines(),
        [
            "Processed event: order-1",
            "Duplicate event skipped: order-1",
            "Malformed event skipped at index 2: event_id: /meta/id not found",
        ]
    );
}

#[test]
fn map_pointers_hold_escapes_and_commas() {
    let dir = TempDir::new().unwrap();
    let text = r#"{"a/b": {"c~d": "id-1"}, "kind,sub": "t", "x": {"": "2024-01-15T08:00:07Z"}, "p": {}}"#;
    let path = write(&dir, "event.json", text);
    let run = run(
        &dir,
        [
            OsStr::new("--map=event_id=/a~1b/c~0d,event_type=/kind,sub,timestamp=/x/,payload=/p"),
            OsStr::new("--format=json"),
            path.as_os_str(),
        ],
    );

    assert_eq!(
        run.json_lines(),
        [json!({"index": 0, "event_id": "id-1", "event_type": "t", "status": "processed"})]
    );
}

#[test]
fn map_empty_pointer_is_whole_object() {
    let dir = TempDir::new().unwrap();
    let text = "{\"id\": \"a\", \"type\": \"t\", \"at\": \"2024-01-15T08:00:07Z\", \"n\": 1}\n{\"id\": \"a\", \"type\": \"t\", \"at\": \"2024-01-15T08:00:07Z\", \"n\": 2}\n";
    let path = write(&dir, "events.jsonl", text);
    let run = run(
        &dir,
        [
            OsStr::new("--map=event_id=/id,event_type=/type,timestamp=/at,payload="),
            OsStr::new("--format=json"),
            path.as_os_str(),
        ],
    );

    assert_eq!(run.json_lines()[1]["payload_differs"], json!(true));
}

#[test]
fn unmapped_integer_timestamp_is_malformed() {
    let dir = TempDir::new().unwrap();
    let text = r#"{"event_id": "a", "event_type": "t", "timestamp": 1700000000, "payload": {}}"#;
    let path = write(&dir, "event.json", text);
    let run = run(&dir, [path.as_os_str()]);

    assert_eq!(
        run.lines(),
        ["Malformed event skipped at index 0: timestamp is not a string"]
    );
}

#[test]
fn mapped_integer_timestamp_is_converted() {
    let dir = TempDir::new().unwrap();
    let text = r#"{"event_id": "a", "event_type": "t", "timestamp": 1700000000, "payload": {}}"#;
    let path = write(&dir, "event.json", text);
    let run = run(&dir, [OsStr::new("--map=timestamp=/timestamp"), path.as_os_str()]);

    assert_eq!(run.lines(), ["Processed event: a"]);
}

#[test]
fn mapped_timestamp_out_of_range_is_malformed() {
    let dir = TempDir::new().unwrap();
    let text = r#"{"event_id": "a", "event_type": "t", "at": 18446744073709551615, "payload": {}}"#;
    let path = write(&dir, "event.json", text);
    let run = run(&dir, [OsStr::new("--map=timestamp=/at"), path.as_os_str()]);

    assert_eq!(
        run.lines(),
        [
            "Malformed event skipped at index 0: timestamp is Unix seconds outside the years 0001 to 9999: 18446744073709551615"
        ]
    );
}

#[test]
fn bad_map_value_is_usage_error() {
    for value in [
        "event_id=guid",
        "id=/x",
        "event_id",
        "event_id=/a~2",
        "event_type=/t,payload=body",
    ] {
        let dir = TempDir::new().unwrap();
        let path = write(&dir, "events.json", "[]");
        let run = run(&dir, [OsStr::new("--map"), OsStr::new(value), path.as_os_str()]);

        assert_eq!(run.code, 2, "--map {value}: {}", run.stderr);
        assert!(run.stderr.contains(value), "--map {value}: {}", run.stderr);
        assert_eq!(run.stdout, "", "--map {value}");
    }
}

#[test]
fn map_field_twice_is_usage_error() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "events.json", r#"{"a": "x"}"#);
    let run = run(
        &dir,
        ["--map=event_id=/a", "--map=event_id=/b"]
            .map(OsStr::new)
            .into_iter()
            .chain([path.as_os_str()]),
    );

    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--map gives event_id twice"), "{}", run.stderr);
    assert!(!dir.path().join("store.txt").exists());
}

#[test]
fn unknown_source_is_a_usage_error() {
    let dir = TempDir::new().unwrap();
    let path = write(&dir, "events.json", "[]");
    let run = run(&dir, [OsStr::new("--source=shopify"), path.as_os_str()]);

    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("shopify"), "{}", run.stderr);
    assert!(run.stderr.contains("github-deliveries"), "{}", run.stderr);
}

#[test]
fn stripe_folder_without_source_hints_at_it() {
    let dir = TempDir::new().unwrap();
    let folder = sample("stripe/dj-stripe");
    let hint = "webhook-dedup: warning: no event has an event_id field; if these are provider exports, pass --source";

    let without = run(&dir, [folder.as_os_str()]);
    let with = run(&dir, [OsStr::new("--source=stripe"), folder.as_os_str()]);

    assert_eq!(without.code, 0);
    assert!(without.stderr.contains(hint), "{}", without.stderr);
    assert!(!with.stderr.contains(hint), "{}", with.stderr);
}
