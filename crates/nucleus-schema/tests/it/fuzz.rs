//! Fuzzing the schema cross-check on stable Rust: example items mutated (values retyped,
//! removed, duplicated, swapped, bytes changed) through `compare_item`. It must never panic nor
//! fail, and the schema and the Rust rules must agree on every item except for the documented
//! `KnownGap`. CI runs 256 cases; `PROPTEST_CASES=100000 cargo test -p nucleus-schema fuzz`
//! for a long run (the schema validator makes this harness the slowest).

use nucleus_testdata::mutate;

use std::sync::LazyLock;

use nucleus_schema::compare_item;
use proptest::prelude::*;

static SEEDS: LazyLock<Vec<String>> = LazyLock::new(mutate::example_items);

fn check_line(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    match compare_item(&text).unwrap() {
        Ok(_) => {}
        Err(disagreement) => assert!(
            disagreement.is_known_gap(),
            "{text}\n{disagreement}\nschema errors: {:#?}\nrust diagnostics: {:#?}",
            disagreement.schema_errors,
            disagreement.rust_diagnostics
        ),
    }
}

proptest! {
    #[test]
    fn fuzz_mutated_items_agree(mutated in mutate::mutated()) {
        check_line(&mutated.apply(&SEEDS));
    }

    #[test]
    fn fuzz_arbitrary_bytes_agree(bytes in mutate::json_ish_bytes()) {
        check_line(&bytes);
    }
}
