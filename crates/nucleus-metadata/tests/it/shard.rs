//! Shards checked apart and merged in order agree exactly with one sequential pass: the
//! dataset rules (`DatasetState`) and the `check` driver (`Check`), whatever the cuts.

use std::ops::ControlFlow;

use nucleus_lines::StreamConfig;
use nucleus_metadata::ItemRules;
use nucleus_metadata::check::{Check, CheckEvent, CheckReport, CheckSummary};
use nucleus_metadata::shard::ShardCheck;
use nucleus_model::Diagnostic;
use proptest::prelude::*;

use crate::dataset::{line, sequential};

/// A shard's state, sent through its bytes or not.
fn sent(shard: ShardCheck, through_bytes: bool) -> ShardCheck {
    if through_bytes {
        ShardCheck::from_bytes(&shard.to_bytes()).unwrap()
    } else {
        shard
    }
}

/// Checks `lines` cut at `cuts` (positions, any order), merging the shards left to right.
fn sharded(lines: &[String], cuts: &[usize], through_bytes: bool) -> CheckReport {
    let mut bounds: Vec<usize> = cuts.iter().map(|cut| cut % (lines.len() + 1)).collect();
    bounds.push(0);
    bounds.push(lines.len());
    bounds.sort_unstable();
    let mut merged = ShardCheck::new(ItemRules::new());
    for pair in bounds.windows(2) {
        let mut shard = ShardCheck::new(ItemRules::new());
        shard.update(lines[pair[0]..pair[1]].iter().map(String::as_str));
        merged = sent(merged, through_bytes);
        merged.merge(sent(shard, through_bytes));
    }
    sent(merged, through_bytes).finish()
}

/// The `check` driver on `lines` in one pass: every finding in order, and the summary (without
/// the time).
fn one_pass(lines: &[String]) -> (Vec<Diagnostic>, CheckSummary) {
    let mut check = Check::new(ItemRules::new());
    let mut found = Vec::new();
    check.read_lines(
        "test",
        lines.iter().map(String::as_str),
        &StreamConfig::default(),
        |event| {
            if let CheckEvent::Finding(diagnostic) = event {
                found.push(diagnostic.clone());
            }
            ControlFlow::Continue(())
        },
    );
    let mut summary = check.finish_with(|_, diagnostic| {
        found.push(diagnostic.clone());
        ControlFlow::Continue(())
    });
    summary.set_elapsed(0.0);
    (found, summary)
}

proptest! {
    #[test]
    fn one_shard_gives_the_sequential_diagnostics_in_order(
        lines in prop::collection::vec(line(), 0..60),
    ) {
        prop_assert_eq!(sharded(&lines, &[], false).diagnostics, sequential(&lines));
    }

    #[test]
    fn shards_merged_in_order_give_exactly_the_sequential_check(
        lines in prop::collection::vec(line(), 0..60),
        cuts in prop::collection::vec(0usize..61, 0..5),
        through_bytes in any::<bool>(),
    ) {
        let (expected, expected_summary) = one_pass(&lines);
        let report = sharded(&lines, &cuts, through_bytes);
        prop_assert_eq!(&report.diagnostics, &expected);
        prop_assert_eq!(&report.summary, &expected_summary);
    }

    #[test]
    fn merging_is_associative(
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
        prop_assert_eq!(left.finish(), right_first.finish());
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
