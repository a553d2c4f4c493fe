use serde_json::{Value, json};

use super::*;

fn mapping(source: Source, map: &str) -> Mapping {
    let overrides = if map.is_empty() {
        Vec::new()
    } else {
        parse_map_value(map).unwrap()
    };
    Mapping::new(source, overrides).unwrap()
}

fn parsed(value: Value, repeated_keys: &[&str]) -> ParsedValue {
    ParsedValue {
        value,
        repeated_keys: repeated_keys.iter().map(|key| (*key).to_owned()).collect(),
    }
}

fn map_event(mapping: &Mapping, value: Value) -> Event {
    mapping.event(0, parsed(value, &[]))
}

fn stripe_event() -> Value {
    json!({"id": "evt_1", "object": "event", "type": "account.updated", "created": 1621789667, "data": {"object": {"id": "acct_1"}}})
}

fn delivery() -> Value {
    json!({"id": 1, "guid": "g-1", "delivered_at": "2019-06-03T00:57:16Z", "event": "issues", "action": "opened"})
}

fn capture(body: Value) -> Value {
    json!({"headers": {"webhook-id": "msg_1", "webhook-timestamp": "1674087231"}, "body": body})
}

fn body() -> Value {
    json!({"type": "contact.created", "timestamp": "2022-11-03T20:26:10.344522Z", "data": {"id": "c1"}})
}

#[test]
fn source_names_round_trip() {
    for source in Source::ALL {
        assert_eq!(Source::from_name(source.name()), Some(source));
    }
    assert_eq!(Source::from_name("Stripe"), None);
}

#[test]
fn default_mapping_keeps_no_original() {
    let mapping = Mapping::default();
    assert!(mapping.is_identity());
    let event = map_event(
        &mapping,
        json!({"event_id": "a", "event_type": "t", "timestamp": "2024-01-15T08:00:07Z", "payload": {}}),
    );
    assert_eq!(event.malformed, None);
    assert_eq!(event.original, None);
}

#[test]
fn events_override_keeps_missing_reasons() {
    let mapping = mapping(Source::Events, "event_id=/meta/id");
    assert!(!mapping.is_identity());
    let event = map_event(&mapping, json!({"meta": {"id": "a"}, "event_type": "t"}));
    assert_eq!(event.event_id.as_deref(), Some("a"));
    assert_eq!(event.malformed.as_deref(), Some("timestamp is missing"));
}

#[test]
fn stripe_preset_maps_fields_and_converts_created() {
    let event = map_event(&mapping(Source::Stripe, ""), stripe_event());
    assert_eq!(event.malformed, None);
    assert_eq!(event.event_id.as_deref(), Some("evt_1"));
    assert_eq!(event.event_type.as_deref(), Some("account.updated"));
    assert_eq!(event.timestamp.as_deref(), Some("2021-05-23T17:07:47Z"));
    assert_eq!(event.payload, Some(json!({"object": {"id": "acct_1"}})));
    assert_eq!(event.original, Some(stripe_event()));
}

#[test]
fn stripe_preset_accepts_an_rfc3339_created() {
    let mut value = stripe_event();
    value["created"] = json!("2021-05-23T17:07:47Z");
    assert_eq!(map_event(&mapping(Source::Stripe, ""), value).malformed, None);
}

#[test]
fn stripe_created_outside_the_years_is_malformed() {
    for created in [json!(253402300800_i64), json!(-62135596801_i64), json!(u64::MAX)] {
        let mut value = stripe_event();
        value["created"] = created.clone();
        let event = map_event(&mapping(Source::Stripe, ""), value);
        assert_eq!(
            event.malformed,
            Some(format!(
                "timestamp is Unix seconds outside the years 0001 to 9999: {created}"
            ))
        );
        assert_eq!(event.timestamp, None);
    }
}

#[test]
fn stripe_created_at_the_year_limits_is_valid() {
    for (created, text) in [
        (253402300799_i64, "9999-12-31T23:59:59Z"),
        (-62135596800, "0001-01-01T00:00:00Z"),
    ] {
        let mut value = stripe_event();
        value["created"] = json!(created);
        let event = map_event(&mapping(Source::Stripe, ""), value);
        assert_eq!(event.timestamp.as_deref(), Some(text));
    }
}

#[test]
fn stripe_fractional_created_is_not_a_string() {
    let mut value = stripe_event();
    value["created"] = json!(1621789667.5);
    let event = map_event(&mapping(Source::Stripe, ""), value);
    assert_eq!(event.malformed.as_deref(), Some("timestamp is not a string"));
}

#[test]
fn unmapped_integer_timestamp_is_malformed() {
    let mut value = body();
    value["timestamp"] = json!(1674087231);
    let event = map_event(&mapping(Source::StandardWebhooks, ""), capture(value));
    assert_eq!(event.malformed.as_deref(), Some("timestamp is not a string"));
}

#[test]
fn mapped_integer_timestamp_is_converted() {
    let mapping = mapping(Source::Events, "timestamp=/at");
    let event = map_event(
        &mapping,
        json!({"event_id": "a", "event_type": "t", "at": 0, "payload": {}}),
    );
    assert_eq!(event.timestamp.as_deref(), Some("1970-01-01T00:00:00Z"));
    assert_eq!(event.malformed, None);
}

#[test]
fn missing_mapped_field_names_its_pointer() {
    let mut value = stripe_event();
    value.as_object_mut().unwrap().remove("id");
    let event = map_event(&mapping(Source::Stripe, ""), value);
    assert_eq!(event.malformed.as_deref(), Some("event_id: /id not found"));

    let event = map_event(&mapping(Source::Events, "event_id=/meta/a~1b"), json!({"meta": {}}));
    assert_eq!(event.malformed.as_deref(), Some("event_id: /meta/a~1b not found"));
}

#[test]
fn empty_pointer_maps_the_whole_object() {
    let mapping = mapping(Source::Stripe, "payload=");
    let event = map_event(&mapping, stripe_event());
    assert_eq!(event.payload, Some(stripe_event()));
    assert_eq!(event.malformed, None);
}

#[test]
fn map_overrides_one_field_of_a_preset() {
    let mapping = mapping(Source::Stripe, "payload=/data/object");
    let event = map_event(&mapping, stripe_event());
    assert_eq!(event.payload, Some(json!({"id": "acct_1"})));
    assert_eq!(event.event_id.as_deref(), Some("evt_1"));
    assert_eq!(event.timestamp.as_deref(), Some("2021-05-23T17:07:47Z"));
}

#[test]
fn map_field_twice_is_rejected() {
    let overrides = parse_map_value("event_id=/a,event_id=/b").unwrap();
    assert_eq!(
        Mapping::new(Source::Events, overrides),
        Err(MapError::FieldTwice {
            field: "event_id",
            first: "event_id=/a".to_owned(),
            second: "event_id=/b".to_owned()
        })
    );
}

#[test]
fn repeated_key_on_a_mapped_path_is_malformed() {
    let mapping = mapping(
        Source::Events,
        "event_id=/meta/id,event_type=/kind,timestamp=/at,payload=/body",
    );
    let value = json!({"meta": {"id": "a"}, "kind": "t", "at": "2024-01-15T08:00:07Z", "body": {"x": 1}});
    for (repeated, reason) in [
        ("/meta", Some("field event_id appears more than once")),
        ("/meta/id", Some("field event_id appears more than once")),
        ("/at", Some("field timestamp appears more than once")),
        ("/body", Some("field payload appears more than once")),
        ("/body/x", None),
        ("/other", None),
    ] {
        let event = mapping.event(0, parsed(value.clone(), &[repeated]));
        assert_eq!(event.malformed.as_deref(), reason, "repeated {repeated}");
    }
}

#[test]
fn repeated_key_wins_over_a_missing_field() {
    let mapping = mapping(Source::Stripe, "");
    let event = mapping.event(0, parsed(json!({"type": "t"}), &["/type"]));
    assert_eq!(
        event.malformed.as_deref(),
        Some("field event_type appears more than once")
    );
}

#[test]
fn github_delivery_type_joins_event_and_action() {
    let event = map_event(&mapping(Source::GithubDeliveries, ""), delivery());
    assert_eq!(event.event_id.as_deref(), Some("g-1"));
    assert_eq!(event.event_type.as_deref(), Some("issues.opened"));
    assert_eq!(event.timestamp.as_deref(), Some("2019-06-03T00:57:16Z"));
    assert_eq!(event.payload, Some(json!({})));
    assert_eq!(event.malformed, None);
}

#[test]
fn github_delivery_without_action_uses_the_event() {
    for action in [None, Some(json!(null)), Some(json!(""))] {
        let mut value = delivery();
        match &action {
            Some(action) => value["action"] = action.clone(),
            None => {
                value.as_object_mut().unwrap().remove("action");
            }
        }
        let event = map_event(&mapping(Source::GithubDeliveries, ""), value);
        assert_eq!(event.event_type.as_deref(), Some("issues"), "action {action:?}");
    }
}

#[test]
fn github_numeric_action_is_malformed() {
    let mut value = delivery();
    value["action"] = json!(3);
    let event = map_event(&mapping(Source::GithubDeliveries, ""), value);
    assert_eq!(event.malformed.as_deref(), Some("event_type is not a string"));
}

#[test]
fn github_delivery_without_event_names_the_pointer() {
    let mut value = delivery();
    value.as_object_mut().unwrap().remove("event");
    let event = map_event(&mapping(Source::GithubDeliveries, ""), value);
    assert_eq!(event.malformed.as_deref(), Some("event_type: /event not found"));
}

#[test]
fn github_delivery_payload_is_the_request_payload() {
    let mut value = delivery();
    value["request"] = json!({"headers": {}, "payload": {"action": "opened"}});
    let event = map_event(&mapping(Source::GithubDeliveries, ""), value.clone());
    assert_eq!(event.payload, Some(json!({"action": "opened"})));

    value["request"]["payload"] = Value::Null;
    let event = map_event(&mapping(Source::GithubDeliveries, ""), value);
    assert_eq!(event.payload, Some(json!({})));
}

#[test]
fn github_repeated_action_is_malformed() {
    let event = mapping(Source::GithubDeliveries, "").event(0, parsed(delivery(), &["/action"]));
    assert_eq!(
        event.malformed.as_deref(),
        Some("field event_type appears more than once")
    );
}

#[test]
fn standard_webhooks_reads_header_and_body_object() {
    let event = map_event(&mapping(Source::StandardWebhooks, ""), capture(body()));
    assert_eq!(event.malformed, None);
    assert_eq!(event.event_id.as_deref(), Some("msg_1"));
    assert_eq!(event.event_type.as_deref(), Some("contact.created"));
    assert_eq!(event.payload, Some(json!({"id": "c1"})));
}

#[test]
fn standard_webhooks_parses_body_string() {
    let value = capture(Value::String(body().to_string()));
    let event = map_event(&mapping(Source::StandardWebhooks, ""), value.clone());
    assert_eq!(event.malformed, None);
    assert_eq!(event.timestamp.as_deref(), Some("2022-11-03T20:26:10.344522Z"));
    assert_eq!(event.original, Some(value));
}

#[test]
fn standard_webhooks_invalid_body_is_malformed() {
    let value = capture(json!("{\"type\": "));
    let event = map_event(&mapping(Source::StandardWebhooks, ""), value);
    let reason = event.malformed.unwrap();
    assert!(
        reason.starts_with("body is a string that is not valid JSON: "),
        "{reason}"
    );
    assert_eq!(event.event_id.as_deref(), Some("msg_1"));
}

#[test]
fn standard_webhooks_unread_body_is_ignored() {
    let mapping = mapping(
        Source::StandardWebhooks,
        "event_type=/headers/webhook-id,timestamp=/at,payload=/headers",
    );
    let mut value = capture(json!("not json"));
    value["at"] = json!("2024-01-15T08:00:07Z");
    assert_eq!(map_event(&mapping, value).malformed, None);
}

#[test]
fn standard_webhooks_body_repeat_is_malformed() {
    let text = r#"{"type": "a", "type": "b", "timestamp": "2022-11-03T20:26:10Z", "data": {}}"#;
    let event = map_event(&mapping(Source::StandardWebhooks, ""), capture(json!(text)));
    assert_eq!(
        event.malformed.as_deref(),
        Some("field event_type appears more than once")
    );
}

#[test]
fn standard_webhooks_header_names_match_in_any_case() {
    let value = json!({"headers": {"Webhook-Id": "msg_2"}, "body": body()});
    let event = map_event(&mapping(Source::StandardWebhooks, ""), value);
    assert_eq!(event.event_id.as_deref(), Some("msg_2"));
}

#[test]
fn standard_webhooks_header_in_two_cases_is_malformed() {
    let value = json!({"headers": {"webhook-id": "msg_2", "WEBHOOK-ID": "msg_3"}, "body": body()});
    let event = map_event(&mapping(Source::StandardWebhooks, ""), value);
    assert_eq!(
        event.malformed.as_deref(),
        Some("field event_id appears more than once")
    );
}

#[test]
fn standard_webhooks_repeated_header_is_malformed() {
    let value = json!({"headers": {"Webhook-Id": "msg_2"}, "body": body()});
    let event = mapping(Source::StandardWebhooks, "").event(0, parsed(value, &["/headers/Webhook-Id"]));
    assert_eq!(
        event.malformed.as_deref(),
        Some("field event_id appears more than once")
    );
}

#[test]
fn standard_webhooks_missing_header_names_the_pointer() {
    let value = json!({"headers": {}, "body": body()});
    let event = map_event(&mapping(Source::StandardWebhooks, ""), value);
    assert_eq!(
        event.malformed.as_deref(),
        Some("event_id: /headers/webhook-id not found")
    );
}

#[test]
fn mapped_non_object_is_malformed() {
    let event = map_event(&mapping(Source::Stripe, ""), json!("evt_1"));
    assert_eq!(event.malformed.as_deref(), Some("event is not a JSON object"));
    assert_eq!(event.original, Some(json!("evt_1")));
}

fn expanded(mapping: &Mapping, value: ParsedValue) -> Vec<ParsedValue> {
    let mut out = Vec::new();
    mapping.expand(value, &mut out);
    out
}

#[test]
fn stripe_list_gives_each_element_with_its_repeats() {
    let list = json!({"object": "list", "data": [stripe_event(), {"id": "evt_2"}], "has_more": false});
    let out = expanded(
        &mapping(Source::Stripe, ""),
        parsed(list, &["/data/1/id", "/data/0/data/object/x", "/has_more"]),
    );
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].value, stripe_event());
    assert_eq!(out[0].repeated_keys, ["/data/object/x"]);
    assert_eq!(out[1].repeated_keys, ["/id"]);
}

#[test]
fn stripe_list_is_one_value_under_other_sources() {
    let list = json!({"object": "list", "data": [stripe_event()]});
    assert_eq!(expanded(&Mapping::default(), parsed(list, &[])).len(), 1);
}

#[test]
fn stripe_list_repeated_data_is_malformed() {
    let list = json!({"object": "list", "data": [stripe_event()]});
    let mapping = mapping(Source::Stripe, "");
    let out = expanded(&mapping, parsed(list, &["/data"]));
    assert_eq!(out.len(), 1);
    let event = mapping.event(0, out.into_iter().next().unwrap());
    assert_eq!(event.malformed.as_deref(), Some("field payload appears more than once"));
}
