//! Profile throughput against the cost of parsing the same lines.
//!
//! Input: `examples/items.jsonl` repeated to 200 000 lines, each copy with its own reference ids
//! and capture ids (so reference ids stay unique and free-text keys keep growing), generated in
//! memory: deterministic and independent of any file outside the repository.
//!
//! - `parse/serde_json_value`: `serde_json::from_str::<Value>` per line, the baseline.
//! - `read/dataset_item`: `DatasetItem::from_json` alone (the strict reader of nucleus-model).
//! - `profile/serde_value_then_observe`: `serde_json::from_str::<Value>`, `DatasetItem::from_value`
//!   and `ProfileState::observe`.
//! - `profile/end_to_end`: `DatasetItem::from_json` + `ProfileState::observe`.
//! - `profile/observe_only`: `observe` on items parsed beforehand.
//!
//! Run: `cargo bench -p nucleus-insights --bench profile`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nucleus_insights::ProfileState;
use nucleus_model::DatasetItem;
use serde_json::Value;

const N_LINES: usize = 200_000;

fn lines() -> Vec<String> {
    let examples: Vec<&str> = nucleus_testdata::EXAMPLE_ITEMS.lines().collect();
    (0..N_LINES)
        .map(|idx| {
            let copy = idx / examples.len();
            let line = examples[idx % examples.len()];
            line.replacen(
                "\"reference_id\":\"",
                &format!("\"reference_id\":\"c{copy}/"),
                1,
            )
            .replacen(
                "\"capture_id\":\"",
                &format!("\"capture_id\":\"c{copy}-"),
                1,
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lines = lines();
    let n_bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let mut group = c.benchmark_group("profile");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("parse/serde_json_value", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(serde_json::from_str::<Value>(line).unwrap());
            }
        });
    });
    group.bench_function("read/dataset_item", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(DatasetItem::from_json(line).unwrap());
            }
        });
    });
    group.bench_function("profile/serde_value_then_observe", |b| {
        b.iter(|| {
            let mut state = ProfileState::new();
            for line in &lines {
                let value: Value = serde_json::from_str(line).unwrap();
                state.observe(&DatasetItem::from_value(value).unwrap());
            }
            black_box(state.finish())
        });
    });
    group.bench_function("profile/end_to_end", |b| {
        b.iter(|| {
            let mut state = ProfileState::new();
            for line in &lines {
                state.observe(&DatasetItem::from_json(line).unwrap());
            }
            black_box(state.finish())
        });
    });
    let items: Vec<DatasetItem> = lines
        .iter()
        .map(|l| DatasetItem::from_json(l).unwrap())
        .collect();
    group.bench_function("profile/observe_only", |b| {
        b.iter(|| {
            let mut state = ProfileState::new();
            for item in &items {
                state.observe(item);
            }
            black_box(state.finish())
        });
    });
    group.finish();
    eprintln!(
        "input: {} lines, {:.1} MB",
        lines.len(),
        n_bytes as f64 / 1e6
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
