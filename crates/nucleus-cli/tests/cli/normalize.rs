//! `nucleus normalize`: canonical items, the inverse of `payload`.

use serde_json::Value;

use crate::support::{cmd, root};

#[test]
fn normalize_writes_canonical_items_that_check_clean() {
    let run = cmd(["normalize", "examples/items.jsonl"]).exits(0);
    let original = std::fs::read_to_string(root().join("examples/items.jsonl")).unwrap();
    // The examples are canonical already, so normalising changes nothing.
    assert!(
        run.stdout == original,
        "normalize changed the canonical examples"
    );
    let payload = cmd(["payload", "examples/items.jsonl"]).exits(0);
    let back = cmd(["normalize", "-"]).stdin(&payload.stdout).exits(0);
    // payload → normalize is the identity, except for the server's fields, which the upload
    // payload does not carry (as in the SDK).
    let back_lines: Vec<&str> = back.stdout.lines().collect();
    let original_lines: Vec<&str> = original.lines().collect();
    assert_eq!(back_lines.len(), original_lines.len());
    for (idx, (ours, theirs)) in back_lines.iter().zip(&original_lines).enumerate() {
        let mut expected: Value = serde_json::from_str(theirs).unwrap();
        expected.as_object_mut().unwrap().shift_remove("phash");
        expected
            .as_object_mut()
            .unwrap()
            .shift_remove("dataset_item_id");
        let expected = expected.to_string();
        assert!(*ours == expected, "line {}: {ours}", idx + 1);
    }
}
