//! The profile's per-key kind (`nucleus profile --emit-schema`) and the dataset rule of `check`
//! (`DatasetState`) settle on the same kind for every key. They live in sibling crates
//! (`nucleus-insights`, `nucleus-metadata`), so their agreement is tested here, above both.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nucleus::insights::ProfileState;
use nucleus::metadata::{DatasetState, Position};
use nucleus::model::{DatasetItem, KindSchema};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn item(idx: usize, metadata: Value) -> DatasetItem {
    DatasetItem::from_value(json!({
        "image_location": format!("s3://bucket/{idx}.jpg"),
        "reference_id": idx.to_string(),
        "metadata": metadata,
    }))
    .unwrap()
}

fn dataset_kinds(items: &[DatasetItem]) -> KindSchema {
    let mut dataset = DatasetState::new();
    let input = dataset.add_input("test");
    let mut findings = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let line = idx as u64 + 1;
        dataset.observe(Position { input, line }, item, &mut findings);
    }
    dataset.kinds()
}

fn profile_kinds(items: &[DatasetItem]) -> KindSchema {
    let mut state = ProfileState::new();
    for item in items {
        state.observe(item);
    }
    state.finish().kind_schema()
}

#[test]
fn strings_and_numbers_win_over_other_kinds_a_tie_to_the_first_seen() {
    let items: Vec<DatasetItem> = [
        json!({"flag": true, "x": null}),
        json!({"flag": 3, "x": null, "y": [1]}),
        json!({"flag": "three", "y": {"a": 1}}),
    ]
    .into_iter()
    .enumerate()
    .map(|(idx, metadata)| item(idx, metadata))
    .collect();
    let kinds = profile_kinds(&items);
    assert_eq!(kinds, dataset_kinds(&items));
    let flag = kinds.keys.get("flag").map(|kind| kind.as_str());
    assert_eq!(flag, Some("number"));
}

fn metadata_object() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-20i64..20).prop_map(|v| json!(v)),
        (-100.0f64..100.0).prop_map(|v| json!((v * 4.0).round() / 4.0)),
        "[a-e]{1,2}".prop_map(Value::String),
        Just(json!([1, 2])),
        Just(json!({"k": "v"})),
    ];
    let keys = prop::sample::select(vec!["a", "b", "c", "d"]);
    prop::collection::vec((keys, value), 0..5).prop_map(|pairs| {
        let map: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Value::Object(map)
    })
}

proptest! {
    #[test]
    fn kinds_agree_with_the_dataset_rule(metadata in prop::collection::vec(metadata_object(), 0..40)) {
        let items: Vec<DatasetItem> = metadata.into_iter().enumerate().map(|(idx, m)| item(idx, m)).collect();
        prop_assert_eq!(profile_kinds(&items), dataset_kinds(&items));
    }
}
