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
                // Last-wins may have dropped the object that holds the duplicate (a key on its
                // path repeats too), so the text itself is searched, every repeat of a key.
                JsonErrorKind::DuplicateKey => {
                    if let Ok(tree) = serde_json::from_str::<Tree>(&text) {
                        assert!(
                            tree.has_object_at(error.pointer()),
                            "{text}: {error:?} names no object of the text"
                        );
                    }
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

/// JSON as written, repeated keys included: the oracle for where a duplicate key is.
enum Tree {
    Object(Vec<(String, Tree)>),
    Array(Vec<Tree>),
    Scalar,
}

impl Tree {
    /// Whether `pointer` names an object along some path of the text, following any of the
    /// members that share a key.
    fn has_object_at(&self, pointer: &str) -> bool {
        let tokens: Vec<String> = if pointer.is_empty() {
            Vec::new()
        } else {
            pointer
                .strip_prefix('/')
                .unwrap()
                .split('/')
                .map(|token| token.replace("~1", "/").replace("~0", "~"))
                .collect()
        };
        self.has_object_below(&tokens)
    }

    fn has_object_below(&self, tokens: &[String]) -> bool {
        match (self, tokens) {
            (Tree::Object(_), []) => true,
            (_, []) => false,
            (Tree::Object(members), [token, rest @ ..]) => members
                .iter()
                .any(|(key, value)| key == token && value.has_object_below(rest)),
            (Tree::Array(values), [token, rest @ ..]) => token
                .parse::<usize>()
                .ok()
                .and_then(|idx| values.get(idx))
                .is_some_and(|value| value.has_object_below(rest)),
            (Tree::Scalar, _) => false,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Tree {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Tree, D::Error> {
        struct TreeVisitor;
        impl<'de> serde::de::Visitor<'de> for TreeVisitor {
            type Value = Tree;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Tree, E> {
                Ok(Tree::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Tree, E> {
                Ok(Tree::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Tree, E> {
                Ok(Tree::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Tree, E> {
                Ok(Tree::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Tree, E> {
                Ok(Tree::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Tree, E> {
                Ok(Tree::Scalar)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
                let mut values = Vec::new();
                while let Some(value) = seq.next_element()? {
                    values.push(value);
                }
                Ok(Tree::Array(values))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Tree::Object(members))
            }
        }
        deserializer.deserialize_any(TreeVisitor)
    }
}

/// Lines the fuzzers found, kept as plain tests so that they run whatever the strategies become.
#[test]
fn fuzz_found_lines() {
    for line in [
        // Issue 20: a key holding NUL cut the pointer of a duplicate key below it.
        r#"{"image_location":"s3://b/1.jpg","reference_id":"a","metadata":{"\u0000cam":{"p":1,"p":2}}}"#,
        r#"{"image_location":"s3://b/2.jpg","reference_id":"b","metadata":{"x\u0000y":{"p":1,"p":2}}}"#,
        // A duplicate inside a key that repeats later with another kind of value: last-wins
        // reading has no object there, the text has (seed 9599991132770516812, 10,000 cases).
        r#"{"image_location":"s3://b/1.jpg","reference_id":"a","metadata":{"c":{"p":{"x":1,"x":2}},"c":[1]}}"#,
        r#"{"image_location":"s3://b/1.jpg","reference_id":"a","metadata":{"c":[1],"c":{"p":{"x":1,"x":2}}}}"#,
    ] {
        check_line(line.as_bytes());
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
