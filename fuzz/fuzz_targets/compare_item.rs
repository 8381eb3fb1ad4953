//! The schema cross-check on any text: it never fails, and any disagreement is a known gap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nucleus_schema::compare_item;

fuzz_target!(|text: &str| {
    if let Err(disagreement) = compare_item(text).unwrap() {
        assert!(disagreement.known_gap.is_some(), "{text}: {disagreement}");
    }
});
