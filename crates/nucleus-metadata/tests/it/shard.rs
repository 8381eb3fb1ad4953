//! Shards checked apart and merged in order agree with one sequential pass (`DatasetState`).

use std::collections::{BTreeMap, BTreeSet};

use nucleus_metadata::ItemRules;
use nucleus_metadata::check::CheckReport;
use nucleus_metadata::shard::ShardCheck;
use nucleus_model::Diagnostic;
use proptest::prelude::*;

use crate::dataset::{line, sequential};

/// Checks `lines` cut at `cuts` (positions, any order), merging the shards left to right.
fn sharded(lines: &[String], cuts: &[usize]) -> CheckReport {
    let mut bounds: Vec<usize> = cuts.iter().map(|cut| cut % (lines.len() + 1)).collect();
    bounds.push(0);
    bounds.push(lines.len());
    bounds.sort_unstable();
    let mut merged = ShardCheck::new(ItemRules::new());
    for pair in bounds.windows(2) {
        let mut shard = ShardCheck::new(ItemRules::new());
        shard.update(lines[pair[0]..pair[1]].iter().map(String::as_str));
        merged.merge(shard);
    }
    merged.finish()
}

fn sorted(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by(|a, b| {
        (a.line, a.code.as_str(), &a.path, &a.message).cmp(&(
            b.line,
            b.code.as_str(),
            &b.path,
            &b.message,
        ))
    });
    diagnostics
}

fn codes(diagnostics: &[Diagnostic]) -> BTreeMap<&'static str, u64> {
    let mut codes = BTreeMap::new();
    for diagnostic in diagnostics {
        *codes.entry(diagnostic.code.as_str()).or_default() += 1;
    }
    codes
}

fn paths(diagnostics: &[Diagnostic]) -> BTreeSet<(&'static str, &str)> {
    diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.path.as_str()))
        .collect()
}

proptest! {
    #[test]
    fn one_shard_gives_the_sequential_diagnostics_in_order(
        lines in prop::collection::vec(line(), 0..60),
    ) {
        prop_assert_eq!(sharded(&lines, &[]).diagnostics, sequential(&lines));
    }

    #[test]
    fn shards_merged_in_order_give_the_sequential_totals_and_findings(
        lines in prop::collection::vec(line(), 0..60),
        cuts in prop::collection::vec(0usize..61, 0..4),
    ) {
        let expected = sequential(&lines);
        let report = sharded(&lines, &cuts);
        let summarised = report.diagnostics.iter().any(|d| d.message.contains("in a later shard"));
        prop_assert_eq!(&report.summary.codes, &codes(&expected));
        prop_assert_eq!(report.summary.errors, expected.iter().filter(|d| d.is_error()).count() as u64);
        prop_assert_eq!(paths(&report.diagnostics), paths(&expected));
        if !summarised {
            prop_assert_eq!(sorted(report.diagnostics), sorted(expected));
        }
    }

    #[test]
    fn merging_is_associative_in_totals(
        lines in prop::collection::vec(line(), 0..40),
        first_cut in 0usize..41,
        second_cut in 0usize..41,
    ) {
        let (a, b) = (first_cut.min(second_cut).min(lines.len()), first_cut.max(second_cut).min(lines.len()));
        let shard = |range: std::ops::Range<usize>| {
            let mut shard = ShardCheck::new(ItemRules::new());
            shard.update(lines[range].iter().map(String::as_str));
            shard
        };
        let mut left = shard(0..a);
        left.merge(shard(a..b));
        left.merge(shard(b..lines.len()));
        let mut right = shard(a..b);
        right.merge(shard(b..lines.len()));
        let mut right_first = shard(0..a);
        right_first.merge(right);
        let (left, right) = (left.finish(), right_first.finish());
        prop_assert_eq!(&left.summary.codes, &right.summary.codes);
        prop_assert_eq!(left.summary.errors, right.summary.errors);
        let summarised = |report: &CheckReport| report.diagnostics.iter().any(|d| d.message.contains("in a later shard"));
        if !summarised(&left) && !summarised(&right) {
            prop_assert_eq!(&left.summary, &right.summary);
            prop_assert_eq!(sorted(left.diagnostics), sorted(right.diagnostics));
        }
    }
}

/// Records given one by one as bytes (Arrow rows) read as the lines of the file they came from:
/// a byte order mark on line 1, `\r\n`, blank lines, a null row, bytes that are not UTF-8, on
/// one thread or several.
#[test]
fn records_read_as_the_lines_of_their_file() {
    let item = |id: &str, speed: &str| {
        format!(
            r#"{{"image_location": "s3://b/{id}.jpg", "reference_id": "{id}", "metadata": {{"speed": {speed}}}}}"#
        )
    };
    let mut file: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    let rows: Vec<Vec<u8>> = vec![
        item("a", "1").into_bytes(),
        format!("{}\r", item("b", "\"2\"")).into_bytes(),
        b" \t".to_vec(),
        b"{\"reference_id\": \"c\xFF\"}".to_vec(),
        item("a", "3").into_bytes(),
        b"not json".to_vec(),
    ];
    for row in &rows {
        file.extend_from_slice(row);
        file.push(b'\n');
    }
    let mut from_file = ShardCheck::new(ItemRules::new());
    from_file
        .update_reader(file.as_slice(), &Default::default())
        .unwrap();
    let expected = from_file.finish();
    assert!(expected.diagnostics.len() >= 4, "{expected:?}");

    let mut records: Vec<Option<Vec<u8>>> = rows.iter().cloned().map(Some).collect();
    if let Some(Some(first)) = records.first_mut() {
        first.splice(0..0, *b"\xEF\xBB\xBF");
    }
    let records: Vec<Option<&[u8]>> = records.iter().map(|r| r.as_deref()).collect();
    let mut sequential = ShardCheck::new(ItemRules::new());
    sequential.update_records(records.iter().copied());
    assert_eq!(sequential.finish(), expected);
    let mut parallel = ShardCheck::new(ItemRules::new());
    parallel.update_records_parallel(&records, 2);
    assert_eq!(parallel.finish(), expected);

    // A null row is a blank line: it counts, but holds no item.
    let mut with_null = ShardCheck::new(ItemRules::new());
    with_null.update_records([None, Some(item("z", "1").as_bytes())]);
    let report = with_null.finish();
    assert_eq!(report.summary.items, 1);
    assert_eq!(with_null.n_lines(), 2);
}
