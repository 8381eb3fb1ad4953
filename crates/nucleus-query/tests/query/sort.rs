//! Sorting by a numeric key.

use nucleus_query::{SortDirection, SortKey, sort_by_key};
use serde_json::{Map, Value, json};

use crate::map;

/// Item ids after sorting `items` (`(id, metadata)` pairs) by `key`.
fn sorted_ids(key: &str, items: &[(u32, Value)]) -> Vec<u32> {
    let key = SortKey::parse(key).unwrap();
    let mut items: Vec<(u32, Map<String, Value>)> = items
        .iter()
        .map(|(id, metadata)| (*id, map(metadata.clone())))
        .collect();
    sort_by_key(&mut items, &key, |(_, metadata)| metadata);
    items.iter().map(|(id, _)| *id).collect()
}

fn items() -> Vec<(u32, Value)> {
    vec![
        (1, json!({ "n": 3 })),
        (2, json!({ "n": "not a number" })),
        (3, json!({ "n": 1.5 })),
        (4, json!({})),
        (5, json!({ "n": 3.0 })),
        (6, json!({ "n": -7 })),
        (7, json!({ "n": null })),
        (8, json!({ "n": 9_007_199_254_740_993_u64 })),
        (9, json!({ "n": 9_007_199_254_740_992.0 })),
        (10, json!({ "n": 3 })),
    ]
}

#[test]
fn ascending_is_stable_and_puts_missing_last() {
    assert_eq!(
        sorted_ids("metadata.n", &items()),
        [6, 3, 1, 5, 10, 9, 8, 2, 4, 7]
    );
}

#[test]
fn descending_is_stable_and_puts_missing_last() {
    assert_eq!(
        sorted_ids("-metadata.n", &items()),
        [8, 9, 1, 5, 10, 3, 6, 2, 4, 7]
    );
    assert_eq!(
        sorted_ids("  -  metadata.n  ", &items()),
        [8, 9, 1, 5, 10, 3, 6, 2, 4, 7]
    );
}

#[test]
fn sort_keys_parse_and_display() {
    let key = SortKey::parse("-metadata.\"weird key\"").unwrap();
    assert_eq!(
        (key.key(), key.direction()),
        ("weird key", SortDirection::Descending)
    );
    assert_eq!(key.to_string(), "-metadata.\"weird key\"");
    let key: SortKey = "METADATA.a.b".parse().unwrap();
    assert_eq!(key, SortKey::new("a.b", SortDirection::Ascending));
    assert_eq!(key.to_string(), "metadata.a.b");
}
