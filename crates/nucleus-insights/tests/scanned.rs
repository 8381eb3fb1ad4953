//! The profile fed by the scanner against the profile fed by `serde_json::Value`s, and the
//! parallel driver against itself: the same profile for any number of jobs and chunks.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nucleus_insights::{ProfileState, profile_reader};
use nucleus_lines::StreamConfig;
use nucleus_model::read_line;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Metadata values of every kind, with escapes, large and exotic numbers, and reserved keys'
/// valid and invalid values.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..3).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-200.0f64..200.0).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |v| serde_json::Number::from_f64(v)
            .map(Value::Number)),
        "[ab\"\\\\é\u{1}😀]{0,3}".prop_map(Value::String),
        Just(json!([1, "x"])),
        Just(json!({"a": {"b": 1}})),
        Just(json!([{"attachment": "s3://b/x.jpg"}])),
        Just(json!([{"attachment": ""}])),
    ]
}

/// Keys: plain, non-ASCII (escaped when the line is written as ASCII), reserved.
fn key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a",
        "b",
        "é",
        "ключ",
        "lat",
        "lon",
        "context_attachments",
        "camera_params",
    ])
}

/// One line: mostly items of images and point clouds, sometimes with every non-ASCII character
/// written as a `\u` escape (as Python's `json.dumps` does), sometimes junk.
fn line() -> impl Strategy<Value = String> {
    let item = (
        0u8..6,
        prop::sample::select(vec![
            "image_location",
            "pointcloud_location",
            "url",
            "image_url",
        ]),
        prop::collection::vec((key(), value()), 0..5),
        any::<bool>(),
    )
        .prop_map(|(id, location_key, pairs, ascii)| {
            let metadata: Map<String, Value> =
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let location = if location_key == "pointcloud_location" || id % 3 == 0 {
                format!("s3://b/{id}.json")
            } else {
                format!("s3://b/{id}.jpg")
            };
            let line = json!({
                location_key: location,
                "reference_id": format!("id-{id}"),
                "metadata": metadata,
            })
            .to_string();
            if ascii { escape_non_ascii(&line) } else { line }
        });
    prop_oneof![
        12 => item,
        1 => Just("{not json".to_owned()),
        1 => Just(String::new()),
        1 => Just(r#"{"image_location": "s3://b/1.jpg", "metadata": {"a": 1}}"#.to_owned()),
        1 => Just(r#"{"image_location": "s3://b/1.jpg", "reference_id": "r", "ref_id": "s", "metadata": {"a": 2.5}}"#.to_owned()),
    ]
}

fn escape_non_ascii(text: &str) -> String {
    let mut escaped = String::new();
    for c in text.chars() {
        if c.is_ascii() {
            escaped.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                escaped.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    escaped
}

/// The profile state of a sequential pass over the `Value`s of `lines`, and the number of
/// non-blank lines that are no item.
fn by_value(lines: &[String]) -> (ProfileState, u64) {
    let mut state = ProfileState::new();
    let mut n_invalid = 0;
    for (idx, text) in lines.iter().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        match read_line(text).item {
            Some(item) => state.observe_at(idx as u64 + 1, &item),
            None => n_invalid += 1,
        }
    }
    (state, n_invalid)
}

proptest! {
    #[test]
    fn scanned_lines_profile_as_their_values(lines in prop::collection::vec(line(), 0..30)) {
        let mut scanned = ProfileState::new();
        for (idx, text) in lines.iter().enumerate() {
            let line = idx as u64 + 1;
            if scanned.observe_line_at(line, text) {
                // The scanner observes only items the full reader reads without error.
                prop_assert!(read_line(text).item.is_some(), "{}", text);
            } else if let Some(item) = read_line(text).item {
                scanned.observe_at(line, &item);
            }
        }
        let (by_value, _) = by_value(&lines);
        prop_assert_eq!(scanned.finish(), by_value.finish());
    }

    #[test]
    fn a_profile_is_the_same_for_any_jobs(
        lines in prop::collection::vec(line(), 0..40),
        chunk_bytes in 1usize..400,
        jobs in 2usize..5,
    ) {
        let text = lines.join("\n");
        let config = StreamConfig::default().chunk_bytes(chunk_bytes);
        let one = profile_reader(text.as_bytes(), &config.clone().jobs(1), read_line).unwrap();
        let many = profile_reader(text.as_bytes(), &config.jobs(jobs), read_line).unwrap();
        prop_assert_eq!(&one, &many);
        // In one chunk, the driver is one sequential pass over the values.
        let whole = profile_reader(text.as_bytes(), &StreamConfig::default().jobs(jobs), read_line)
            .unwrap();
        let (by_value, n_invalid) = by_value(&lines);
        prop_assert_eq!(whole.profile, by_value.finish());
        prop_assert_eq!(whole.n_invalid, n_invalid);
        prop_assert_eq!(one.n_invalid, n_invalid);
    }
}

#[test]
fn escaped_keys_are_profiled_under_their_decoded_name() {
    let mut state = ProfileState::new();
    let line = r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"caf\u00e9": "x", "lat": 1, "lon": 2}}"#;
    assert!(state.observe_line_at(1, line));
    let profile = state.finish();
    assert_eq!(profile.key("café").map(|k| k.n_items), Some(1));
    assert_eq!(profile.map.n_mappable, 1);
    // Coordinates out of range and attachments are left to the full reader and its rules.
    let out = r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"lat": 91}}"#;
    assert!(!ProfileState::new().observe_line_at(1, out));
    let attachments = r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"context_attachments": []}}"#;
    assert!(!ProfileState::new().observe_line_at(1, attachments));
}
