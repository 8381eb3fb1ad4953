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
