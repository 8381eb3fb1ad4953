//! Structure-aware mutations of JSON texts, shared by the proptest fuzz harnesses of every crate
//! (`use nucleus_testdata::mutate;`).
//!
//! A case is a valid seed (an item line, a `camera_params` object, a query) changed in the ways
//! real files go wrong: values of the wrong type or out of range, keys removed or given twice,
//! tokens swapped, bytes deleted, inserted or replaced, the text cut short. Generic over the
//! seeds: this file knows JSON, not items.

// Not every harness uses every helper; test code may fail loudly.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Value};

/// Byte strings that make JSON hostile when inserted anywhere.
pub const HOSTILE_PIECES: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"-",
    b"0",
    b".",
    b"e",
    b" ",
    b"\t",
    b"\r",
    b"\n",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1e400",
    b"1e-400",
    b"-0",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"\\ud800",
    b"\\udc00",
    b"\\u0000",
    b"null",
    b"true",
    b"\"x\":1,",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
];

/// Values that a field should rarely hold: every kind, extremes of every number type.
pub fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            1e308,
            -1e-308,
        ])
        .prop_map(Value::from),
        ".{0,6}".prop_map(Value::String),
        Just(Value::String(String::new())),
        Just(Value::Array(Vec::new())),
        Just(Value::Object(Map::new())),
        Just(serde_json::json!([1, 2, 3])),
        Just(serde_json::json!({"x": 1, "y": 2, "z": 3})),
    ]
}

/// A change to the parsed seed, made before it is written back as text.
#[derive(Debug, Clone)]
pub enum ValueMutation {
    /// Replace the value at one place (any depth) with another, usually of another kind.
    Retype(Index, Value),
    /// Remove one member of one object.
    RemoveMember(Index),
    /// Write one member of one object twice (the copy with another value).
    DuplicateKey(Index, Value),
    /// Swap the values of two places.
    Swap(Index, Index),
}

/// A change to the text.
#[derive(Debug, Clone)]
pub enum ByteMutation {
    /// Delete up to `len` bytes at a place.
    Delete(Index, usize),
    /// Insert a hostile piece at a place.
    Insert(Index, &'static [u8]),
    /// Replace one byte.
    Replace(Index, u8),
    /// Cut the text short.
    Truncate(Index),
    /// Swap two JSON tokens (strings, numbers, literals, punctuation).
    SwapTokens(Index, Index),
}

/// A seed, the value mutations and then the byte mutations to apply to it.
#[derive(Debug, Clone)]
pub struct Mutated {
    /// Which seed.
    pub seed: Index,
    /// Applied to the parsed seed, in order.
    pub values: Vec<ValueMutation>,
    /// Applied to the text written from the mutated value, in order.
    pub bytes: Vec<ByteMutation>,
}

/// One [`ValueMutation`], mostly a change of kind.
pub fn value_mutation() -> impl Strategy<Value = ValueMutation> {
    prop_oneof![
        3 => (any::<Index>(), odd_value()).prop_map(|(at, value)| ValueMutation::Retype(at, value)),
        1 => any::<Index>().prop_map(ValueMutation::RemoveMember),
        1 => (any::<Index>(), odd_value()).prop_map(|(at, value)| ValueMutation::DuplicateKey(at, value)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| ValueMutation::Swap(a, b)),
    ]
}

/// One [`ByteMutation`], each kind as likely.
pub fn byte_mutation() -> impl Strategy<Value = ByteMutation> {
    prop_oneof![
        (any::<Index>(), 1usize..16).prop_map(|(at, len)| ByteMutation::Delete(at, len)),
        (any::<Index>(), prop::sample::select(HOSTILE_PIECES))
            .prop_map(|(at, piece)| ByteMutation::Insert(at, piece)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| ByteMutation::Replace(at, byte)),
        any::<Index>().prop_map(ByteMutation::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| ByteMutation::SwapTokens(a, b)),
    ]
}

/// Mostly value mutations (the text stays JSON and reaches the deeper checks), sometimes bytes.
pub fn mutated() -> impl Strategy<Value = Mutated> {
    (
        any::<Index>(),
        prop::collection::vec(value_mutation(), 0..4),
        prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec(byte_mutation(), 1..4),
        ],
    )
        .prop_map(|(seed, values, bytes)| Mutated {
            seed,
            values,
            bytes,
        })
}

impl Mutated {
    /// Applies the mutations to one of `seeds` (JSON texts) and returns the bytes.
    pub fn apply(&self, seeds: &[String]) -> Vec<u8> {
        let seed = self.seed.get(seeds);
        let mut value: Value = serde_json::from_str(seed).unwrap();
        let mut duplicate = None;
        for mutation in &self.values {
            match mutation {
                ValueMutation::Retype(at, new) => {
                    let pointers = pointers(&value);
                    let pointer = at.get(&pointers);
                    if let Some(slot) = value.pointer_mut(pointer) {
                        *slot = new.clone();
                    }
                }
                ValueMutation::RemoveMember(at) => {
                    let members = members(&value);
                    if !members.is_empty() {
                        let (object, key) = at.get(&members);
                        if let Some(Value::Object(map)) = value.pointer_mut(object) {
                            map.shift_remove(key);
                        }
                    }
                }
                ValueMutation::DuplicateKey(at, new) => {
                    let members = members(&value);
                    if !members.is_empty() {
                        duplicate = Some((at.get(&members).clone(), new.clone()));
                    }
                }
                ValueMutation::Swap(a, b) => {
                    let pointers = pointers(&value);
                    let (a, b) = (a.get(&pointers), b.get(&pointers));
                    // Only disjoint places: neither contains the other.
                    if !a.starts_with(b.as_str()) && !b.starts_with(a.as_str()) {
                        let left = value.pointer(a).cloned();
                        let right = value.pointer(b).cloned();
                        if let (Some(left), Some(right)) = (left, right) {
                            *value.pointer_mut(a).unwrap() = right;
                            *value.pointer_mut(b).unwrap() = left;
                        }
                    }
                }
            }
        }
        let mut text = Vec::new();
        write_with_duplicate(&value, "", duplicate.as_ref(), &mut text);
        for mutation in &self.bytes {
            apply_bytes(&mut text, mutation);
        }
        text
    }
}

/// Applies byte mutations to any text (a query, a line that is not JSON).
pub fn mutate_text(seed: &str, mutations: &[ByteMutation]) -> Vec<u8> {
    let mut text = seed.as_bytes().to_vec();
    for mutation in mutations {
        apply_bytes(&mut text, mutation);
    }
    text
}

/// Every JSON pointer in `value`, the root included, in document order.
pub fn pointers(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_pointers(value, String::new(), &mut out);
    out
}

fn collect_pointers(value: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match value {
        Value::Array(items) => {
            for (idx, item) in items.iter().enumerate() {
                collect_pointers(item, format!("{here}/{idx}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                collect_pointers(item, format!("{here}/{}", escape(key)), out);
            }
        }
        _ => {}
    }
}

/// Every object member as (pointer of the object, key).
fn members(value: &Value) -> Vec<(String, String)> {
    pointers(value)
        .into_iter()
        .filter_map(|pointer| match value.pointer(&pointer) {
            Some(Value::Object(map)) => Some(
                map.keys()
                    .map(|key| (pointer.clone(), key.clone()))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect()
}

/// An RFC 6901 reference token.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Compact JSON, with the member `duplicate.0` written a second time with value `duplicate.1`.
fn write_with_duplicate(
    value: &Value,
    here: &str,
    duplicate: Option<&((String, String), Value)>,
    out: &mut Vec<u8>,
) {
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(b',');
                }
                write_with_duplicate(item, &format!("{here}/{idx}"), duplicate, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (idx, (key, item)) in map.iter().enumerate() {
                if idx > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, key).unwrap();
                out.push(b':');
                write_with_duplicate(item, &format!("{here}/{}", escape(key)), duplicate, out);
                if let Some(((object, dup_key), other)) = duplicate
                    && object == here
                    && dup_key == key
                {
                    out.push(b',');
                    serde_json::to_writer(&mut *out, key).unwrap();
                    out.push(b':');
                    serde_json::to_writer(&mut *out, other).unwrap();
                }
            }
            out.push(b'}');
        }
        other => serde_json::to_writer(&mut *out, other).unwrap(),
    }
}

fn apply_bytes(text: &mut Vec<u8>, mutation: &ByteMutation) {
    let len = text.len();
    match mutation {
        ByteMutation::Delete(at, n) => {
            if len > 0 {
                let start = at.index(len);
                let end = (start + n).min(len);
                text.drain(start..end);
            }
        }
        ByteMutation::Insert(at, piece) => {
            let pos = at.index(len + 1);
            text.splice(pos..pos, piece.iter().copied());
        }
        ByteMutation::Replace(at, byte) => {
            if len > 0 {
                text[at.index(len)] = *byte;
            }
        }
        ByteMutation::Truncate(at) => text.truncate(at.index(len + 1)),
        ByteMutation::SwapTokens(a, b) => {
            let tokens = tokens(text);
            if tokens.len() >= 2 {
                let (mut first, mut second) = (a.get(&tokens).clone(), b.get(&tokens).clone());
                if first.start > second.start {
                    std::mem::swap(&mut first, &mut second);
                }
                if first.end <= second.start {
                    let left = text[first.clone()].to_vec();
                    let right = text[second.clone()].to_vec();
                    text.splice(second, left);
                    text.splice(first, right);
                }
            }
        }
    }
}

/// Byte ranges of the JSON tokens of `text` (a rough lexer: it never fails).
fn tokens(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let start = pos;
        match text[pos] {
            b'"' => {
                pos += 1;
                while pos < text.len() && text[pos] != b'"' {
                    pos += if text[pos] == b'\\' { 2 } else { 1 };
                }
                pos = (pos + 1).min(text.len());
            }
            b'-' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'+' | b'.' => {
                while pos < text.len()
                    && matches!(text[pos], b'-' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'+' | b'.')
                {
                    pos += 1;
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {
                pos += 1;
                continue;
            }
            _ => pos += 1,
        }
        out.push(start..pos);
    }
    out
}

/// The lines of `examples/items.jsonl`, the seeds of the item harnesses.
pub fn example_items() -> Vec<String> {
    crate::EXAMPLE_ITEMS.lines().map(str::to_owned).collect()
}

/// Arbitrary bytes, biased towards the bytes JSON is made of.
pub fn json_ish_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..128),
        prop::collection::vec(
            prop_oneof![
                3 => prop::sample::select(b"{}[]\",:0123456789-+.eE \\ntrufalsN\r\n".to_vec()),
                1 => any::<u8>(),
            ],
            0..128,
        ),
    ]
}
