//! Schema compilation time, and item validation throughput: the `item` JSON Schema (through the
//! `jsonschema` crate) against the native Rust validator (`ItemRules`) on the same lines.
//!
//! Input: `examples/items.jsonl` (300 realistic items: cameras, point clouds, embeddings)
//! repeated to `N_LINES` lines. Run with `cargo bench -p nucleus-schema --bench validate`.

#![expect(
    clippy::panic,
    reason = "a benchmark without its input or schema has nothing to measure"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use nucleus_metadata::ItemRules;
use nucleus_schema::{catalog, compare_item, entry};
use serde_json::Value;

const N_LINES: usize = 10_000;

fn lines() -> Vec<String> {
    let base: Vec<&str> = nucleus_testdata::EXAMPLE_ITEMS.lines().collect();
    base.iter()
        .cycle()
        .take(N_LINES)
        .map(|line| (*line).to_owned())
        .collect()
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    for schema in catalog() {
        group.bench_function(schema.name(), |b| {
            b.iter(|| {
                jsonschema::draft202012::options()
                    .build(black_box(schema.value()))
                    .is_ok()
            });
        });
    }
    group.finish();
}

fn validate(c: &mut Criterion) {
    let lines = lines();
    let values: Vec<Value> = lines
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let schema = entry("item").unwrap_or_else(|error| panic!("{error}"));
    schema.compile().unwrap_or_else(|error| panic!("{error}"));
    let rules = ItemRules::new();

    let mut group = c.benchmark_group("validate");
    group.throughput(Throughput::Elements(lines.len() as u64));

    // Pre-parsed values: the validators alone.
    group.bench_function("schema_is_valid_value", |b| {
        b.iter(|| {
            values
                .iter()
                .filter(|value| schema.is_valid(value).unwrap_or(false))
                .count()
        });
    });
    group.bench_function("schema_errors_value", |b| {
        b.iter(|| {
            values
                .iter()
                .map(|value| schema.validate(value).map_or(0, |errors| errors.len()))
                .sum::<usize>()
        });
    });
    // `check_value` consumes its value: the clones are made outside the timed part.
    group.bench_function("rust_check_value", |b| {
        b.iter_batched(
            || values.clone(),
            |values| {
                values
                    .into_iter()
                    .map(|value| rules.check_value(value).has_errors())
                    .filter(|has_errors| !has_errors)
                    .count()
            },
            BatchSize::PerIteration,
        );
    });

    // From text: parse + validate, as `nucleus check` and `nucleus check --via-schema` do.
    group.bench_function("schema_from_text", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .filter(|value| schema.is_valid(value).unwrap_or(false))
                .count()
        });
    });
    group.bench_function("rust_check_line", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|line| !rules.check_line(line).has_errors())
                .count()
        });
    });
    group.bench_function("compare_item_both", |b| {
        b.iter(|| {
            lines
                .iter()
                .filter(|line| matches!(compare_item(line), Ok(Ok(_))))
                .count()
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = compile, validate
}
criterion_main!(benches);
