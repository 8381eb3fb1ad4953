//! Append with update: semantics and counts through one `check` helper, invariants by proptest.

use std::fmt::Write as _;

use nucleus_lines::StreamConfig;
use nucleus_metadata::ItemRules;
use nucleus_metadata::append::{AppendError, AppendMode, AppendReport, append, append_streams};
use nucleus_model::DatasetItem;
use proptest::prelude::*;
use serde_json::{Value, json};

fn item(reference_id: &str, location: &str, metadata: Value) -> DatasetItem {
    DatasetItem::from_value(json!({
        "image_location": location,
        "reference_id": reference_id,
        "metadata": metadata,
    }))
    .unwrap()
}

/// `id:metadata` items with location `s3://b/{id}.jpg`.
fn items(specs: &[(&str, Value)]) -> Vec<DatasetItem> {
    specs
        .iter()
        .map(|(id, metadata)| item(id, &format!("s3://b/{id}.jpg"), metadata.clone()))
        .collect()
}

fn summary(report: &AppendReport) -> String {
    let c = report.counts;
    let mut out = format!(
        "new={} updated={} ignored={} kept={} output={}\n",
        c.n_new, c.n_updated, c.n_ignored, c.n_kept_image_location, c.n_output
    );
    for entry in &report.entries {
        let _ = write!(
            out,
            "{} {} {} x{}",
            entry.severity,
            entry.code,
            entry.key.as_deref().unwrap_or("-"),
            entry.count
        );
        if let Some(at) = entry.at {
            let _ = write!(out, " at {at}");
        }
        if let Some(related) = entry.related {
            let _ = write!(out, " related {related}");
        }
        out.push('\n');
    }
    out
}

/// Appends and compares a textual summary: counts, entries, then the output items
/// (`id {metadata}`) or `refused`.
fn check(base: Vec<DatasetItem>, update: Vec<DatasetItem>, mode: AppendMode, expected: &str) {
    let actual = match append(base, update, mode) {
        Ok(outcome) => {
            let mut out = summary(&outcome.report);
            for item in &outcome.items {
                let _ = writeln!(
                    out,
                    "{} {}",
                    item.reference_id().as_str(),
                    item.to_json()["metadata"]
                );
            }
            out
        }
        Err(AppendError::Conflicts(report)) => format!("{}refused\n", summary(&report)),
        Err(error) => format!("error: {error}\n"),
    };
    let expected = expected.trim_start_matches('\n');
    assert_eq!(
        actual, expected,
        "\nexpected:\n{expected}\nactual:\n{actual}"
    );
}

#[test]
fn update_replaces_metadata_wholesale() {
    check(
        items(&[
            ("1", json!({"speed": 3, "weather": "fog"})),
            ("2", json!({"speed": 4})),
        ]),
        vec![
            item("1", "s3://b/1.jpg", json!({"weather": "rain"})),
            item("3", "s3://b/3.jpg", json!({"speed": 5})),
        ],
        AppendMode::Update,
        r#"
new=1 updated=1 ignored=0 kept=1 output=3
warning metadata-key-dropped speed x1 at update line 1 related base line 1
1 {"weather":"rain"}
2 {"speed":4}
3 {"speed":5}
"#,
    );
}

#[test]
fn a_new_location_is_uploaded_again() {
    let base = vec![
        item("1", "s3://b/1.jpg", json!({})),
        item("2", "s3://b/2.jpg", json!({})),
    ];
    let update = vec![
        item("1", "s3://b/1-v2.jpg", json!({})),
        item("2", "s3://b/2.jpg", json!({})),
    ];
    let outcome = append(base, update, AppendMode::Update).unwrap();
    assert_eq!(
        (
            outcome.report.counts.n_updated,
            outcome.report.counts.n_kept_image_location
        ),
        (2, 1)
    );
    assert_eq!(
        outcome.items[0].location().as_str(),
        "s3://b/1-v2.jpg",
        "the new item's location wins"
    );
}

#[test]
fn ignore_keeps_matched_items() {
    check(
        items(&[("1", json!({"speed": 3})), ("2", json!({"speed": 4}))]),
        items(&[("2", json!({"speed": "fast"})), ("3", json!({"speed": 5}))]),
        AppendMode::Ignore,
        r#"
new=1 updated=0 ignored=1 kept=0 output=3
1 {"speed":3}
2 {"speed":4}
3 {"speed":5}
"#,
    );
}

#[test]
fn consistency_is_checked_after_the_append() {
    // Item 1 was the only number: replacing it by a string leaves a consistent dataset.
    check(
        items(&[("1", json!({"speed": 3})), ("2", json!({}))]),
        items(&[("1", json!({"speed": "fast"}))]),
        AppendMode::Update,
        r#"
new=0 updated=1 ignored=0 kept=1 output=2
1 {"speed":"fast"}
2 {}
"#,
    );
    // With two numbers left in the base, numbers are held by more items: the replacing string
    // (update line 1) is the conflict, and nothing is written.
    check(
        items(&[
            ("1", json!({"speed": 3})),
            ("2", json!({"speed": 4})),
            ("3", json!({"speed": 5})),
        ]),
        items(&[("1", json!({"speed": "fast"}))]),
        AppendMode::Update,
        r#"
new=0 updated=1 ignored=0 kept=1 output=3
error type-conflict speed x1 at update line 1 related base line 2
refused
"#,
    );
    // A new item conflicting with the base: a tie, so the base's number, seen first, decides.
    check(
        items(&[("1", json!({"speed": 3}))]),
        items(&[
            ("9", json!({"speed": "fast", "flag": 1})),
            ("8", json!({"flag": true})),
        ]),
        AppendMode::Ignore,
        r#"
new=2 updated=0 ignored=0 kept=0 output=3
error type-conflict speed x1 at update line 1 related base line 1
warning mixed-kinds flag x1 at update line 2 related update line 1
refused
"#,
    );
}

#[test]
fn duplicate_reference_ids_are_refused() {
    check(
        items(&[("1", json!({}))]),
        items(&[("2", json!({})), ("2", json!({}))]),
        AppendMode::Update,
        r#"
new=2 updated=0 ignored=0 kept=0 output=3
error duplicate-reference-id - x1 at update line 2 related update line 1
refused
"#,
    );
}

#[test]
fn categorical_threshold_in_both_directions() {
    let base: Vec<DatasetItem> = (0..249)
        .map(|idx| {
            item(
                &idx.to_string(),
                "s3://b/x.jpg",
                json!({"s": format!("v{idx}"), "t": format!("w{idx}")}),
            )
        })
        .collect();
    // One more distinct value of `s` makes 250: free text. Dropping `t` from item 0 by an
    // update... keeps it categorical; an update that removes values can make a key categorical.
    let update = vec![item("new", "s3://b/n.jpg", json!({"s": "another"}))];
    let outcome = append(base.clone(), update, AppendMode::Update).unwrap();
    let crossed: Vec<(&str, &str)> = outcome
        .report
        .entries
        .iter()
        .map(|e| (e.code.as_str(), e.key.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(crossed, [("categorical-threshold-crossed", "s")]);
    assert!(
        outcome.report.entries[0]
            .message
            .contains("would become free text"),
        "{}",
        outcome.report.entries[0].message
    );

    let mut wide = base;
    wide.push(item("249", "s3://b/x.jpg", json!({"s": "v249"})));
    let shrink = vec![item("0", "s3://b/x.jpg", json!({"s": "v1", "t": "w0"}))];
    let report = append(wide, shrink, AppendMode::Update).unwrap().report;
    let entry = &report.entries[0];
    assert_eq!(
        (entry.code.as_str(), entry.key.as_deref()),
        ("categorical-threshold-crossed", Some("s"))
    );
    assert!(
        entry.message.contains("would become categorical"),
        "{}",
        entry.message
    );
}

/// Beyond 256 distinct values a count is a HyperLogLog estimate, said "about"; the figures are
/// the ones the profile gives for the same values (its sketch and hash are the same).
#[test]
fn categorical_threshold_beyond_the_exact_cap_is_estimated() {
    let numbered = |prefix: &str, n: usize, value: &dyn Fn(usize) -> String| -> Vec<DatasetItem> {
        (0..n)
            .map(|idx| {
                let id = format!("{prefix}{idx}");
                item(&id, &format!("s3://b/{id}.jpg"), json!({"s": value(idx)}))
            })
            .collect()
    };
    let messages = |base, update| -> Vec<String> {
        let report = append(base, update, AppendMode::Update).unwrap().report;
        report.entries.into_iter().map(|e| e.message).collect()
    };
    assert_eq!(
        messages(
            numbered("b", 240, &|idx| format!("v{idx}")),
            numbered("n", 600, &|idx| format!("new{idx}")),
        ),
        [
            "string key \"s\" would become free text: 240 distinct values before, about 853 after (250 or more); Nucleus stops offering its values as categories"
        ]
    );
    assert_eq!(
        messages(
            numbered("b", 400, &|idx| format!("v{idx}")),
            numbered("b", 200, &|_| "v1".to_owned()),
        ),
        [
            "string key \"s\" would become categorical: about 400 distinct values before, 201 after (fewer than 250)"
        ]
    );
}

#[test]
fn report_renders_as_text_and_json() {
    let outcome = append(
        items(&[
            ("1", json!({"a": 1, "b": 2})),
            ("2", json!({"a": 1, "b": 2})),
        ]),
        items(&[("1", json!({})), ("2", json!({"a": 1}))]),
        AppendMode::Update,
    )
    .unwrap();
    let text = outcome.report.render_text();
    assert!(
        text.starts_with("append (update): 2 base items + 2 update items -> 2 items\n"),
        "{text}"
    );
    assert!(text.contains("warning[metadata-key-dropped] update line 1: metadata key \"b\" would be deleted from 2 updated items"), "{text}");
    let json: Value = serde_json::from_str(&outcome.report.to_json()).unwrap();
    assert_eq!(json["mode"], "update");
    assert_eq!(json["counts"]["n_updated"], 2);
    assert_eq!(json["entries"][0]["code"], "metadata-key-dropped");
    assert_eq!(json["entries"][0]["key"], "a");
    assert_eq!(json["entries"][0]["count"], 1);
    assert_eq!(json["entries"][1]["count"], 2);
    assert_eq!(
        json["entries"][1]["at"],
        json!({"input": "update", "line": 1})
    );
}

fn lines(items: &[DatasetItem]) -> String {
    items
        .iter()
        .map(|item| format!("{}\n", item.to_json()))
        .collect()
}

/// Runs `append_streams`; returns the result and what was written.
fn stream(
    base: &str,
    update: &str,
    mode: AppendMode,
    dry_run: bool,
) -> (Result<AppendReport, AppendError>, String) {
    let mut output = Vec::new();
    let config = StreamConfig::default().jobs(1);
    let result = append_streams(
        || Ok(base.as_bytes()),
        update.as_bytes(),
        mode,
        &config,
        &ItemRules::new(),
        ("base.jsonl", "update.jsonl"),
        (!dry_run).then_some(&mut output),
    );
    (result, String::from_utf8(output).unwrap())
}

#[test]
fn streams_write_the_result_or_nothing() {
    let base = lines(&items(&[("1", json!({"n": 1})), ("2", json!({"n": 2}))]));
    let update = lines(&items(&[("2", json!({"n": 20})), ("3", json!({"n": 3}))]));
    let (report, written) = stream(&base, &update, AppendMode::Update, false);
    assert_eq!(report.unwrap().counts.n_output, 3);
    assert_eq!(
        written,
        lines(&items(&[
            ("1", json!({"n": 1})),
            ("2", json!({"n": 20})),
            ("3", json!({"n": 3}))
        ]))
    );

    let (report, written) = stream(&base, &update, AppendMode::Update, true);
    assert_eq!(report.unwrap().counts.n_updated, 1);
    assert_eq!(written, "", "a dry run writes nothing");

    let bad_update = lines(&items(&[("3", json!({"n": "three"}))]));
    let (result, written) = stream(&base, &bad_update, AppendMode::Update, false);
    match result {
        Err(AppendError::Conflicts(report)) => {
            let message = &report.entries[0].message;
            assert!(message.contains("line 1 of base.jsonl"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(written, "");
    let (result, _) = stream(&base, &bad_update, AppendMode::Update, true);
    assert!(
        result.unwrap().has_errors(),
        "a dry run reports the conflict"
    );

    let (result, written) = stream(
        &base,
        "{\"reference_id\": \"x\"}\n",
        AppendMode::Update,
        false,
    );
    match result {
        Err(error @ AppendError::InvalidItem { line: 1, .. }) => {
            assert!(
                error
                    .to_string()
                    .starts_with("update line 1: error[missing-location]"),
                "{error}"
            );
        }
        other => panic!("expected an invalid item, got {other:?}"),
    }
    assert_eq!(written, "");
}

/// Items with reference ids from a small space (so that base and update overlap) and keys of
/// one kind each (`n` numbers, `s` strings), so that no append conflicts.
fn consistent_items(max: usize) -> impl Strategy<Value = Vec<DatasetItem>> {
    prop::collection::btree_map(
        0u32..40,
        (
            prop::option::of(-5i64..5),
            prop::option::of("[a-c]"),
            any::<bool>(),
        ),
        0..max,
    )
    .prop_map(|map| {
        map.into_iter()
            .map(|(id, (n, s, moved))| {
                let mut metadata = serde_json::Map::new();
                if let Some(n) = n {
                    metadata.insert("n".into(), json!(n));
                }
                if let Some(s) = s {
                    metadata.insert("s".into(), json!(s));
                }
                let location = if moved {
                    format!("s3://b/{id}-v2.jpg")
                } else {
                    format!("s3://b/{id}.jpg")
                };
                item(&id.to_string(), &location, Value::Object(metadata))
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn ignore_never_changes_base_items(base in consistent_items(20), update in consistent_items(20)) {
        let outcome = append(base.clone(), update.clone(), AppendMode::Ignore).unwrap();
        prop_assert_eq!(&outcome.items[..base.len()], base.as_slice());
        let c = outcome.report.counts;
        prop_assert_eq!(c.n_new + c.n_ignored, update.len() as u64);
        prop_assert_eq!(c.n_output, (base.len() + update.len()) as u64 - c.n_ignored);
        prop_assert_eq!(outcome.items.len() as u64, c.n_output);
    }

    #[test]
    fn update_keeps_each_reference_id_once(base in consistent_items(20), update in consistent_items(20)) {
        let outcome = append(base.clone(), update.clone(), AppendMode::Update).unwrap();
        let mut ids: Vec<&str> = outcome.items.iter().map(|i| i.reference_id().as_str()).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        prop_assert_eq!(ids.len(), n);
        // Every update item is in the result, exactly as given.
        for new in &update {
            prop_assert!(outcome.items.contains(new));
        }
        let c = outcome.report.counts;
        prop_assert_eq!(c.n_new + c.n_updated, update.len() as u64);
        prop_assert!(c.n_kept_image_location <= c.n_updated);
    }
}

proptest! {
    #[test]
    fn a_refused_append_writes_nothing(
        base in prop::collection::vec((0u32..10, prop_oneof![Just(json!(1)), Just(json!("a")), Just(json!(true))]), 0..8),
        update in prop::collection::vec((0u32..10, prop_oneof![Just(json!(2)), Just(json!("b"))]), 0..8),
    ) {
        let to_lines = |specs: &[(u32, Value)]| -> String {
            specs.iter().map(|(id, v)| format!("{}\n", item(&id.to_string(), "s3://b/x.jpg", json!({"k": v})).to_json())).collect()
        };
        let (base_text, update_text) = (to_lines(&base), to_lines(&update));
        for mode in [AppendMode::Update, AppendMode::Ignore] {
            let (dry, _) = stream(&base_text, &update_text, mode, true);
            let dry = dry.unwrap();
            let (result, written) = stream(&base_text, &update_text, mode, false);
            if dry.has_errors() {
                prop_assert!(matches!(result, Err(AppendError::Conflicts(_))));
                prop_assert_eq!(written, "");
            } else {
                prop_assert_eq!(result.unwrap(), dry.clone());
                prop_assert_eq!(written.lines().count() as u64, dry.counts.n_output);
            }
        }
    }
}

#[test]
fn a_base_that_reads_differently_the_second_time_is_refused() {
    let base = lines(&items(&[("1", json!({"n": 1})), ("2", json!({"n": 2}))]));
    let update = lines(&items(&[("3", json!({"n": 3}))]));
    // Each change the second reading may show: a value, a line more, a line less, two lines
    // swapped, a blank line that moves the items down.
    let changed = [
        base.replace("\"n\":2", "\"n\":7"),
        format!("{base}{}", lines(&items(&[("4", json!({"n": 4}))]))),
        lines(&items(&[("1", json!({"n": 1}))])),
        lines(&items(&[("2", json!({"n": 2})), ("1", json!({"n": 1}))])),
        format!("\n{base}"),
    ];
    for second in &changed {
        assert_ne!(second, &base);
        let mut readings = 0;
        let mut output = Vec::new();
        let result = append_streams(
            || {
                readings += 1;
                Ok(if readings == 1 {
                    base.as_bytes()
                } else {
                    second.as_bytes()
                })
            },
            update.as_bytes(),
            AppendMode::Update,
            &StreamConfig::default().jobs(2),
            &ItemRules::new(),
            ("base.jsonl", "update.jsonl"),
            Some(&mut output),
        );
        match result {
            Err(error @ AppendError::BaseChanged { .. }) => assert_eq!(
                error.to_string(),
                "append: base.jsonl changed between the check and the write: its lines are not \
                 those that were checked"
            ),
            other => panic!("{second:?}: expected BaseChanged, got {other:?}"),
        }
        assert_eq!(readings, 2);
    }
    // The same bytes twice are the same base.
    let (result, _) = stream(&base, &update, AppendMode::Update, false);
    assert_eq!(result.unwrap().counts.n_output, 3);
}
