//! Shards checked apart and merged in order agree with one sequential pass (`DatasetState`).

use std::collections::{BTreeMap, BTreeSet};

use nucleus_metadata::ItemRules;
use nucleus_metadata::shard::{CheckReport, ConflictReplay, ShardCheck};
use nucleus_model::Diagnostic;
use proptest::prelude::*;

use crate::dataset::{line, sequential};

/// The ranges of `lines` cut at `cuts` (positions, any order).
fn ranges(lines: &[String], cuts: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut bounds: Vec<usize> = cuts.iter().map(|cut| cut % (lines.len() + 1)).collect();
    bounds.push(0);
    bounds.push(lines.len());
    bounds.sort_unstable();
    bounds.windows(2).map(|pair| pair[0]..pair[1]).collect()
}

/// Checks `lines` cut at `cuts`, merging the shards left to right.
fn merged(lines: &[String], cuts: &[usize]) -> ShardCheck {
    let mut merged = ShardCheck::new(ItemRules::new());
    for range in ranges(lines, cuts) {
        let mut shard = ShardCheck::new(ItemRules::new());
        shard.update(lines[range].iter().map(String::as_str));
        merged.merge(shard);
    }
    merged
}

fn sharded(lines: &[String], cuts: &[usize]) -> CheckReport {
    merged(lines, cuts).finish()
}

/// The second pass: `lines` replayed in parts cut at `cuts` (not those of the check), merged
/// as a tree, and applied.
fn replayed(mut state: ShardCheck, lines: &[String], cuts: &[usize]) -> ShardCheck {
    let plan = state.conflict_plan();
    let mut parts: Vec<ConflictReplay> = ranges(lines, cuts)
        .into_iter()
        .map(|range| {
            let mut replay = ConflictReplay::new(plan.clone());
            replay.update(lines[range].iter().map(String::as_str));
            replay
        })
        .collect();
    while parts.len() > 1 {
        let mut next = Vec::new();
        let mut parts_iter = parts.into_iter();
        while let Some(mut left) = parts_iter.next() {
            if let Some(right) = parts_iter.next() {
                left.merge(right).unwrap();
            }
            next.push(left);
        }
        parts = next;
    }
    state.apply_replay(parts.pop().unwrap()).unwrap();
    state
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
        prop_assert_eq!(summarised, !merged(&lines, &cuts).is_exact());
        if !summarised {
            // The same findings in the same order, within a line too.
            prop_assert_eq!(report.diagnostics, expected);
        }
    }

    #[test]
    fn a_replay_makes_any_merge_exact(
        lines in prop::collection::vec(line(), 0..60),
        cuts in prop::collection::vec(0usize..61, 0..5),
        replay_cuts in prop::collection::vec(0usize..61, 0..5),
    ) {
        let state = replayed(merged(&lines, &cuts), &lines, &replay_cuts);
        prop_assert!(state.is_exact());
        let report = state.finish();
        prop_assert_eq!(&report.diagnostics, &sequential(&lines));
        prop_assert_eq!(report.summary, sharded(&lines, &[]).summary);
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

fn item(id: &str, metadata: &str) -> String {
    format!(
        r#"{{"image_location": "s3://b/{id}.jpg", "reference_id": "{id}", "metadata": {metadata}}}"#
    )
}

#[test]
fn a_replay_lists_each_conflict_of_a_later_shard_with_its_value() {
    let lines = [
        item("1", r#"{"k": "x", "j": 1}"#),
        item("2", r#"{"k": 1, "j": "y"}"#),
        item("3", r#"{"j": true, "k": 2}"#),
        item("4", r#"{"k": "z"}"#),
    ];
    let state = merged(&lines, &[1]);
    assert!(!state.is_exact());
    let plan = state.conflict_plan();
    assert_eq!(
        plan.keys().collect::<Vec<_>>(),
        [
            ("j", nucleus_metadata::Kind::Number),
            ("k", nucleus_metadata::Kind::String)
        ]
    );
    let state = replayed(state, &lines, &[3]);
    let found: Vec<_> = state
        .finish()
        .diagnostics
        .iter()
        .map(|d| (d.line, d.path.clone()))
        .collect();
    // Line 2's findings in the item's key order (k, then j), as a sequential run lists them.
    let expected = [
        (2, "/metadata/k"),
        (2, "/metadata/j"),
        (3, "/metadata/j"),
        (3, "/metadata/k"),
    ];
    assert_eq!(
        found,
        expected.map(|(line, path)| (Some(line), path.to_owned()))
    );
    assert_eq!(state.finish().diagnostics, sequential(&lines));
}

#[test]
fn a_replay_that_does_not_fit_is_refused_and_changes_nothing() {
    let lines = [item("1", r#"{"k": "x"}"#), item("2", r#"{"k": 1}"#)];
    let mut state = merged(&lines, &[1]);
    let before = state.finish();
    let mut short = ConflictReplay::new(state.conflict_plan());
    short.update(lines[..1].iter().map(String::as_str));
    let error = state.apply_replay(short).unwrap_err();
    assert_eq!(
        error.to_string(),
        "mismatched conflict replay: the replay read 1 lines, the state 2"
    );
    let other = ConflictReplay::new(ShardCheck::new(ItemRules::new()).conflict_plan());
    assert!(state.apply_replay(other).is_err());
    assert_eq!(state.finish(), before);
    assert!(ConflictReplay::from_bytes(b"{}").is_err());
    let mut replay = ConflictReplay::new(state.conflict_plan());
    replay.update(lines.iter().map(String::as_str));
    let copy = ConflictReplay::from_bytes(&replay.to_bytes()).unwrap();
    assert_eq!(copy, replay);
    state.apply_replay(copy).unwrap();
    assert_eq!(state.finish().diagnostics, sequential(&lines));
}
