//! Fuzzing the item parser on stable Rust: arbitrary bytes and structure-aware mutations of the
//! example items through `json::parse` and `read_line`. No input may panic; every rejection
//! carries an error with a JSON pointer that names a real place; accepted items round-trip.
//! CI runs 256 cases; `PROPTEST_CASES=100000 cargo test -p nucleus-model fuzz` for a long run.

use nucleus_testdata::mutate;

use std::sync::LazyLock;

use nucleus_model::json::{self, JsonErrorKind};
use nucleus_model::{DatasetItem, read_item, read_line};
use proptest::prelude::*;
use serde_json::Value;

static SEEDS: LazyLock<Vec<String>> = LazyLock::new(mutate::example_items);

/// Whether `pointer` names a value of `value`, or a missing member of an object that exists
/// (findings such as `missing-reference-id` point where the value should be).
fn names_a_place(value: &Value, pointer: &str) -> bool {
    if value.pointer(pointer).is_some() {
        return true;
    }
    match pointer.rsplit_once('/') {
        Some((parent, _)) => matches!(value.pointer(parent), Some(Value::Object(_))),
        None => false,
    }
}

/// The properties every line must have, whatever its bytes.
fn check_line(bytes: &[u8]) {
    // Lines reach the item parser as text: the line reader rejects invalid UTF-8 itself.
    let text = String::from_utf8_lossy(bytes);
    let reading = read_line(&text);
    let strict = json::parse(&text);
    match &reading.item {
        Some(item) => {
            assert!(!reading.has_errors(), "{text}: {:?}", reading.diagnostics);
            // read → write → read is the identity, in both directions of the text.
            let written = item.to_json();
            let again = read_item(written.clone());
            assert_eq!(again.item.as_ref(), Some(item), "{text}");
            let reparsed = DatasetItem::from_json(&written.to_string()).unwrap();
            assert_eq!(&reparsed, item, "{text}");
        }
        None => assert!(
            reading.diagnostics.iter().any(|d| d.is_error()),
            "{text}: rejected without an error: {:?}",
            reading.diagnostics
        ),
    }
    for diagnostic in &reading.diagnostics {
        assert!(!diagnostic.message.is_empty(), "{text}: {diagnostic:?}");
        assert!(
            diagnostic.path.is_empty() || diagnostic.path.starts_with('/'),
            "{text}: {diagnostic:?}"
        );
    }
    match strict {
        Ok(value) => {
            for diagnostic in &reading.diagnostics {
                assert!(
                    names_a_place(&value, &diagnostic.path),
                    "{text}: {} is not a place in the item: {diagnostic:?}",
                    diagnostic.path
                );
            }
        }
        Err(error) => {
            let [diagnostic] = reading.diagnostics.as_slice() else {
                panic!("{text}: one diagnostic expected: {:?}", reading.diagnostics);
            };
            assert_eq!(diagnostic.code, error.kind().code(), "{text}");
            assert_eq!(diagnostic.path, error.pointer(), "{text}");
            // A pointer at parse level names the place in the lenient reading of the text
            // (serde_json's own: last duplicate wins, big integers rounded, underflow read as
            // 0). A duplicate key stops the strict reader before a later syntax error, which
            // the lenient one then reports: nothing to compare.
            let lenient = serde_json::from_str::<Value>(&text);
            match error.kind() {
                JsonErrorKind::DuplicateKey if lenient.is_err() => {}
                JsonErrorKind::DuplicateKey => {
                    let place = lenient.unwrap().pointer(error.pointer()).cloned();
                    assert!(place.is_some_and(|v| v.is_object()), "{text}: {error:?}");
                }
                JsonErrorKind::IntegerTooLarge => {
                    let place = lenient.unwrap().pointer(error.pointer()).cloned();
                    assert!(place.is_some_and(|v| v.is_number()), "{text}: {error:?}");
                }
                JsonErrorKind::NumberOutOfRange if !error.pointer().is_empty() => {
                    let place = lenient.unwrap().pointer(error.pointer()).cloned();
                    assert!(place.is_some_and(|v| v == 0.0), "{text}: {error:?}");
                }
                _ => assert_eq!(error.pointer(), "", "{text}: {error:?}"),
            }
        }
    }
}

proptest! {
    #[test]
    fn fuzz_arbitrary_bytes(bytes in mutate::json_ish_bytes()) {
        check_line(&bytes);
    }

    #[test]
    fn fuzz_mutated_items(mutated in mutate::mutated()) {
        check_line(&mutated.apply(&SEEDS));
    }
}
