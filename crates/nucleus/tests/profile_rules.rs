//! `nucleus profile` reads most lines with the scanner (`nucleus-insights`) and the others with
//! the item rules of `check` (`nucleus-metadata`): a line the scanner observes must be one those
//! rules accept, so that the profile is the same as if every line went through them. The two
//! live in sibling crates, so their agreement is tested here, above both.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nucleus::insights::{ProfileState, profile_reader};
use nucleus::lines::StreamConfig;
use nucleus::metadata::ItemRules;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Values for reserved and plain keys, valid and not under the item rules.
fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        (-200.0f64..200.0).prop_map(Value::from),
        (-3i64..3).prop_map(Value::from),
        "[aé\\\\]{0,2}".prop_map(Value::String),
        Just(json!([{"attachment": "s3://b/x.jpg"}])),
        Just(json!([{"attachment": "gcs://b/x.jpg"}])),
        Just(json!([{"attachment": ""}])),
        Just(json!({"x": 1})),
    ]
}

fn line() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec!["a", "é", "lat", "lon", "context_attachments"]);
    (
        prop::sample::select(vec![
            r#""image_location": "s3://b/1.jpg""#,
            r#""image_location": "gcs://b/1.jpg""#,
            r#""pointcloud_location": "clouds/1.json""#,
            r#""url": "https://h/1.json""#,
        ]),
        prop::collection::vec((keys, value()), 0..4),
    )
        .prop_map(|(location, pairs)| {
            let metadata: Map<String, Value> =
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            format!(
                r#"{{{location}, "reference_id": "r", "metadata": {}}}"#,
                Value::Object(metadata)
            )
        })
}

proptest! {
    #[test]
    fn the_scanner_observes_only_what_the_item_rules_accept(
        lines in prop::collection::vec(line(), 0..20),
        jobs in 1usize..4,
    ) {
        let rules = ItemRules::new();
        let mut sequential = ProfileState::new();
        let mut n_invalid = 0;
        for (idx, text) in lines.iter().enumerate() {
            if ProfileState::new().observe_line_at(1, text) {
                prop_assert!(rules.check_line(text).item.is_some(), "{}", text);
            }
            match rules.check_line(text).item {
                Some(item) => sequential.observe_at(idx as u64 + 1, &item),
                None => n_invalid += 1,
            }
        }
        let text = lines.join("\n");
        let config = StreamConfig::default().jobs(jobs);
        let run = profile_reader(text.as_bytes(), &config, |text| rules.check_line(text)).unwrap();
        prop_assert_eq!(run.profile, sequential.finish());
        prop_assert_eq!(run.n_invalid, n_invalid);
    }
}
