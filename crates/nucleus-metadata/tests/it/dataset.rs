//! Dataset rules under streaming: any chunking and any number of threads give the diagnostics
//! of one sequential pass; a conflicting item always gives exactly one type-conflict, wherever
//! it is.

use std::ops::ControlFlow;

use nucleus_lines::{Event, StreamConfig, for_each_line};
use nucleus_metadata::check::{Check, CheckEvent};
use nucleus_metadata::{DatasetState, ItemRules, Position};
use nucleus_model::{Code, Diagnostic};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// One JSON Lines line: mostly items drawn from few keys and ids (so conflicts and duplicates
/// happen), sometimes junk.
pub(crate) fn line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        "[a-c]{1,2}".prop_map(Value::String),
        Just(json!([1])),
    ];
    let item = (
        0u8..12,
        prop::collection::vec((prop_oneof![Just("a"), Just("b"), Just("c"), Just("lat")], value), 0..4),
    )
        .prop_map(|(id, pairs)| {
            let metadata: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            json!({"image_location": format!("s3://b/{id}.jpg"), "reference_id": format!("id-{id}"), "metadata": metadata})
                .to_string()
        });
    prop_oneof![
        8 => item,
        1 => Just("{not json".to_owned()),
        1 => Just(String::new()),
        1 => Just("[1]".to_owned()),
    ]
}

/// The reference: one item after the other, no streaming machinery.
pub(crate) fn sequential(lines: &[String]) -> Vec<Diagnostic> {
    let rules = ItemRules::new();
    let mut state = DatasetState::new();
    let input = state.add_input("test");
    let mut out = Vec::new();
    for (idx, text) in lines.iter().enumerate() {
        let line = idx as u64 + 1;
        if text.trim().is_empty() {
            continue;
        }
        let reading = rules.check_line(text);
        out.extend(reading.diagnostics.into_iter().map(|d| d.at_line(line)));
        if let Some(item) = reading.item {
            state.observe(Position { input, line }, &item, &mut out);
        }
    }
    out.extend(state.kind_findings().into_iter().map(|f| f.diagnostic));
    out
}

fn streamed(lines: &[String], config: &StreamConfig) -> Vec<Diagnostic> {
    let text = lines.join("\n");
    let rules = ItemRules::new();
    let mut state = DatasetState::new();
    let input = state.add_input("test");
    let mut out = Vec::new();
    for_each_line(
        text.as_bytes(),
        config,
        |_, text| rules.check_line(text),
        |event| {
            if let Event::Line { line, result } = event {
                match result {
                    Ok(reading) => {
                        out.extend(reading.diagnostics.into_iter().map(|d| d.at_line(line)));
                        if let Some(item) = reading.item {
                            state.observe(Position { input, line }, &item, &mut out);
                        }
                    }
                    Err(diagnostic) => out.push(diagnostic.at_line(line)),
                }
            }
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    out.extend(state.kind_findings().into_iter().map(|f| f.diagnostic));
    out
}

proptest! {
    #[test]
    fn any_sharding_gives_the_sequential_diagnostics(
        lines in prop::collection::vec(line(), 0..60),
        chunk_bytes in 1usize..300,
        jobs in 1usize..4,
    ) {
        let config = StreamConfig::default().jobs(jobs).chunk_bytes(chunk_bytes);
        prop_assert_eq!(streamed(&lines, &config), sequential(&lines));
    }

    #[test]
    fn one_conflicting_item_gives_exactly_one_type_conflict(
        n_before in 1usize..20,
        key_is_number in any::<bool>(),
        first_with_key in 0usize..20,
    ) {
        // A consistent dataset where key "k" first appears at line `first + 1`.
        let first = first_with_key % n_before;
        let consistent = |idx: usize| if key_is_number { json!(idx) } else { json!(format!("v{idx}")) };
        let mut lines: Vec<String> = (0..n_before)
            .map(|idx| {
                let metadata = if idx >= first { json!({"k": consistent(idx)}) } else { json!({}) };
                json!({"image_location": "s3://b/x.jpg", "reference_id": format!("r{idx}"), "metadata": metadata}).to_string()
            })
            .collect();
        prop_assert!(sequential(&lines).is_empty());
        let conflicting = if key_is_number { json!("text") } else { json!(1.5) };
        lines.push(json!({"image_location": "s3://b/y.jpg", "reference_id": "new", "metadata": {"k": conflicting}}).to_string());
        let diagnostics = sequential(&lines);
        prop_assert_eq!(diagnostics.len(), 1);
        let conflict = &diagnostics[0];
        prop_assert_eq!(conflict.code, Code::TypeConflict);
        prop_assert_eq!(conflict.line, Some(n_before as u64 + 1));
        prop_assert_eq!(conflict.related_line, Some(first as u64 + 1));
        prop_assert_eq!(conflict.path.as_str(), "/metadata/k");
    }

    #[test]
    fn a_conflicting_first_item_is_the_one_finding(
        n_after in 1usize..30,
        key_is_number in any::<bool>(),
    ) {
        let consistent = |idx: usize| if key_is_number { json!(idx) } else { json!(format!("v{idx}")) };
        let conflicting = if key_is_number { json!("0") } else { json!(0) };
        let lines: Vec<String> = std::iter::once(conflicting)
            .chain((0..n_after).map(consistent))
            .enumerate()
            .map(|(idx, value)| json!({"image_location": "s3://b/x.jpg", "reference_id": format!("r{idx}"), "metadata": {"k": value}}).to_string())
            .collect();
        let diagnostics = sequential(&lines);
        if n_after == 1 {
            // A tie: the kind seen first decides, so the second item is the conflict.
            prop_assert_eq!(diagnostics.len(), 1);
            prop_assert_eq!(diagnostics[0].line, Some(2));
        } else {
            prop_assert_eq!(diagnostics.len(), 1);
            prop_assert_eq!(diagnostics[0].code, Code::TypeConflict);
            prop_assert_eq!(diagnostics[0].line, Some(1));
            prop_assert_eq!(diagnostics[0].related_line, Some(2));
        }
    }
}

/// SPEC section 2's example: one `"frame_number": "0"` before 200,000 numbers is one finding,
/// at line 1, naming the 200,000 numbers; through the `check` driver, on several threads.
#[test]
fn one_odd_first_item_among_200_000_is_one_finding_at_line_1() {
    let mut text = String::new();
    for idx in 0..=200_000u32 {
        let value = if idx == 0 { json!("0") } else { json!(idx) };
        let item = json!({"image_location": format!("s3://b/{idx}.jpg"), "reference_id": idx.to_string(), "metadata": {"frame_number": value}});
        text.push_str(&item.to_string());
        text.push('\n');
    }
    let mut check = Check::new(ItemRules::new());
    let mut found = Vec::new();
    check
        .read(
            "frames.jsonl",
            text.as_bytes(),
            &StreamConfig::default().jobs(2),
            |event| {
                if let CheckEvent::Finding(diagnostic) = event {
                    found.push(diagnostic.clone());
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
    assert!(found.is_empty(), "{found:?}");
    let summary = check.finish_with(|input, diagnostic| {
        assert_eq!(input, "frames.jsonl");
        found.push(diagnostic.clone());
        ControlFlow::Continue(())
    });
    assert_eq!(found.len(), 1, "{found:?}");
    let conflict = &found[0];
    assert_eq!(conflict.code, Code::TypeConflict);
    assert_eq!((conflict.line, conflict.related_line), (Some(1), Some(2)));
    assert_eq!(
        conflict.message,
        r#"metadata key "frame_number" holds a string "0" here, but numbers decide: 200,000 items hold a number (the first at line 2) and 1 holds a string; Nucleus rejects an upload that mixes strings and numbers on one key"#
    );
    assert_eq!(
        (summary.items, summary.errors, summary.invalid),
        (200_001, 1, 1)
    );
    let keys: Vec<_> = summary
        .type_conflicts
        .iter()
        .map(|c| (c.key.as_str(), c.count, c.other_count, c.first_line))
        .collect();
    assert_eq!(keys, [("frame_number", 200_000, 1, Some(2))]);
}

/// Past 1,000 items of the losing kind, one finding counts the rest.
#[test]
fn past_1000_conflicts_one_finding_counts_the_rest() {
    let lines: Vec<String> = (0..3_000u32)
        .map(|idx| {
            let value = if idx % 2 == 0 { json!(idx) } else if idx < 2_700 { json!("s") } else { json!(idx) };
            json!({"image_location": "s3://b/x.jpg", "reference_id": idx.to_string(), "metadata": {"k": value}}).to_string()
        })
        .collect();
    // 1,650 numbers, 1,350 strings: the strings are the findings.
    let diagnostics = sequential(&lines);
    assert_eq!(diagnostics.len(), 1_001);
    assert!(diagnostics.iter().all(|d| d.code == Code::TypeConflict));
    let rest = &diagnostics[1_000];
    assert_eq!(rest.line, Some(2_002));
    assert_eq!(
        rest.message,
        r#"metadata key "k" holds strings on 350 more items from this line on (not listed), but numbers decide: 1,650 items hold a number (the first at line 1) and 1,350 hold a string; Nucleus rejects an upload that mixes strings and numbers on one key"#
    );
}

#[test]
fn the_kind_held_by_more_items_decides_and_null_conflicts_with_nothing() {
    let lines: Vec<String> = [
        r#"{"a": 1}"#,
        r#"{"a": null}"#,
        r#"{"a": true}"#,
        r#"{"a": false}"#,
        r#"{"a": [1]}"#,
        r#"{"a": "x"}"#,
        r#"{"a": "y"}"#,
    ]
    .iter()
    .enumerate()
    .map(|(idx, metadata)| format!(r#"{{"image_location":"s3://b/{idx}.jpg","reference_id":"{idx}","metadata":{metadata}}}"#))
    .collect();
    let found: Vec<(Code, Option<u64>, Option<u64>)> = sequential(&lines)
        .iter()
        .map(|d| (d.code, d.line, d.related_line))
        .collect();
    // Two strings against one number: the number conflicts. Booleans (two, from line 3) are
    // the main kind, tied with strings but seen first: the list and the strings mix.
    assert_eq!(
        found,
        [
            (Code::TypeConflict, Some(1), Some(6)),
            (Code::MixedKinds, Some(5), Some(3)),
            (Code::MixedKinds, Some(6), Some(3)),
            (Code::MixedKinds, Some(7), Some(3)),
        ]
    );
}

#[test]
fn duplicates_name_the_first_line_at_every_repeat() {
    let lines: Vec<String> = ["a", "b", "a", "a"]
        .iter()
        .map(|id| format!(r#"{{"image_location":"s3://b/x.jpg","reference_id":"{id}"}}"#))
        .collect();
    let found: Vec<(Code, Option<u64>, Option<u64>)> = sequential(&lines)
        .iter()
        .map(|d| (d.code, d.line, d.related_line))
        .collect();
    assert_eq!(
        found,
        [
            (Code::DuplicateReferenceId, Some(3), Some(1)),
            (Code::DuplicateReferenceId, Some(4), Some(1)),
        ]
    );
}

/// With the kinds of the dataset appended to (`--schema`), the declared kind decides, whatever
/// the counts: every item of the other kind is a finding.
#[test]
fn a_declared_kind_decides_against_the_majority() {
    let schema = nucleus_model::KindSchema::from_json(r#"{"keys": {"k": "string"}}"#).unwrap();
    let mut state = DatasetState::with_schema(&schema);
    let input = state.add_input("new.jsonl");
    let mut streamed = Vec::new();
    for (line, value) in (1..).zip([json!(1), json!(2), json!("x")]) {
        let item = nucleus_model::DatasetItem::from_value(json!({"image_location": "s3://b/x.jpg", "reference_id": line.to_string(), "metadata": {"k": value}})).unwrap();
        state.observe(Position { input, line }, &item, &mut streamed);
    }
    assert!(streamed.is_empty());
    let found: Vec<_> = state
        .kind_findings()
        .into_iter()
        .map(|f| {
            (
                f.diagnostic.code,
                f.diagnostic.line,
                f.diagnostic.related_line,
                f.diagnostic.message,
            )
        })
        .collect();
    let message = |value: &str| {
        format!(
            r#"metadata key "k" holds a number {value} here, but strings decide (the kind of the existing dataset, --schema): 1 item holds a string (the first at line 3) and 2 hold a number; Nucleus rejects an upload that mixes strings and numbers on one key"#
        )
    };
    assert_eq!(
        found,
        [
            (Code::TypeConflict, Some(1), Some(3), message("1")),
            (Code::TypeConflict, Some(2), Some(3), message("2")),
        ]
    );
    assert_eq!(
        state.kinds().keys.get("k"),
        Some(&nucleus_model::Kind::String)
    );
    let conflicts = state.type_conflicts();
    assert!(conflicts[0].declared);
}

/// Lines as Python's `json.dumps` writes them by default: every non-ASCII character as a `\u`
/// escape (only strings hold them here).
fn ascii_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Lines for the `check` driver: items the fast path takes (some with keys and ids written
/// with escapes), items with findings, duplicate ids and kind conflicts, junk.
fn mixed_line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        "[a-cä]{1,2}".prop_map(Value::String),
        Just(json!([1])),
    ];
    let item = (
        0u8..12,
        any::<bool>(),
        prop::collection::vec(
            (prop_oneof![Just("a"), Just("b"), Just("größe"), Just("日付"), Just("lat")], value),
            0..5,
        ),
        any::<bool>(),
    )
        .prop_map(|(id, german_id, pairs, escaped)| {
            let metadata: Map<String, Value> =
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let reference_id = if german_id { format!("bild-ä{id}") } else { format!("id-{id}") };
            let text = json!({"image_location": format!("s3://b/{id}.jpg"), "reference_id": reference_id, "metadata": metadata})
                .to_string();
            if escaped { ascii_escaped(&text) } else { text }
        });
    prop_oneof![
        8 => item,
        1 => line(),
    ]
}

/// Every finding (streamed, then at the end, with the name of its input) and the summary (its
/// time set to 0) of `check` over `inputs`, read with `config`.
fn checked(
    inputs: &[(&str, &[String])],
    config: &StreamConfig,
) -> (
    Vec<(String, Diagnostic)>,
    nucleus_metadata::check::CheckSummary,
) {
    let mut check = Check::new(ItemRules::new());
    let mut found = Vec::new();
    for (name, lines) in inputs {
        check
            .read(name, lines.join("\n").as_bytes(), config, |event| {
                if let CheckEvent::Finding(diagnostic) = event {
                    found.push(((*name).to_owned(), diagnostic.clone()));
                }
                ControlFlow::Continue(())
            })
            .unwrap();
    }
    let mut summary = check.finish_with(|input, diagnostic| {
        found.push((input.to_owned(), diagnostic.clone()));
        ControlFlow::Continue(())
    });
    summary.set_elapsed(0.0);
    (found, summary)
}

proptest! {
    /// `check -j1` and `check -jN` give the same findings, messages and totals, in the same
    /// order, whatever the chunking: over two inputs holding duplicate ids (within and across
    /// inputs), kind conflicts, keys and ids written with escapes, and lines with findings.
    #[test]
    fn the_check_driver_gives_the_same_output_for_any_jobs(
        first in prop::collection::vec(mixed_line(), 0..60),
        second in prop::collection::vec(mixed_line(), 0..30),
        chunk_bytes in 1usize..400,
        jobs in 2usize..5,
    ) {
        let inputs: [(&str, &[String]); 2] = [("one.jsonl", &first), ("two.jsonl", &second)];
        let one = checked(&inputs, &StreamConfig::default().jobs(1));
        let many = checked(&inputs, &StreamConfig::default().jobs(jobs).chunk_bytes(chunk_bytes));
        prop_assert_eq!(&many, &one);
        // And the findings of the first input alone are those of one sequential pass.
        let (alone, _) = checked(&inputs[..1], &StreamConfig::default().jobs(jobs).chunk_bytes(chunk_bytes));
        let alone: Vec<Diagnostic> = alone.into_iter().map(|(_, d)| d).collect();
        prop_assert_eq!(alone, sequential(&first));
    }
}
