//! Query bar throughput: a typical compound query over 1,000,000 pre-parsed metadata maps,
//! against a baseline that only looks one key up per item.
//!
//! Run with `cargo bench -p nucleus-query --bench query`.

#![expect(
    clippy::unwrap_used,
    reason = "the benchmarked query and sort key are fixed and valid"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nucleus_query::{Query, SortKey, sort_by_key};
use serde_json::{Map, Value};

const N_ITEMS: usize = 1_000_000;

/// The query benchmarked: strings, floats, modulo, NOT and both connectives.
const QUERY: &str = r#"(metadata.weather = "rain" OR metadata.weather = "snow") AND metadata.score >= 0.5
    AND NOT metadata.camera = "front" OR metadata.frame % 10 = 0 AND metadata.speed < 12"#;

const WEATHERS: &[&str] = &["sun", "rain", "snow", "fog", "cloud"];
const CAMERAS: &[&str] = &["front", "back", "left", "right"];

/// A small deterministic generator (SplitMix64), so the input is the same on every run.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        let idx = usize::try_from(self.below(choices.len() as u64)).unwrap_or(0);
        choices.get(idx).copied().unwrap_or("")
    }
}

/// Metadata shaped like a driving dataset: six keys, two strings, integers, floats; one item
/// in ten lacks `speed`.
fn items() -> Vec<Map<String, Value>> {
    let mut rng = SplitMix64(42);
    (0..N_ITEMS)
        .map(|frame| {
            let mut map = Map::new();
            map.insert("weather".to_owned(), Value::from(rng.pick(WEATHERS)));
            map.insert("camera".to_owned(), Value::from(rng.pick(CAMERAS)));
            map.insert("frame".to_owned(), Value::from(frame));
            map.insert(
                "score".to_owned(),
                Value::from(rng.below(1_000_000) as f64 / 1e6),
            );
            if rng.below(10) != 0 {
                map.insert("speed".to_owned(), Value::from(rng.below(30)));
            }
            map.insert(
                "lat".to_owned(),
                Value::from(37.0 + rng.below(1000) as f64 / 1e4),
            );
            map
        })
        .collect()
}

/// [`QUERY`] in plain Rust.
fn handwritten(item: &Map<String, Value>) -> bool {
    let str_is = |key: &str, wanted: &str| item.get(key).and_then(Value::as_str) == Some(wanted);
    let number = |key: &str| item.get(key).and_then(Value::as_f64);
    let weather = str_is("weather", "rain") || str_is("weather", "snow");
    let score = number("score").is_some_and(|score| score >= 0.5);
    let front = str_is("camera", "front");
    let frame = item
        .get("frame")
        .and_then(Value::as_i64)
        .is_some_and(|frame| frame.rem_euclid(10) == 0);
    let speed = number("speed").is_some_and(|speed| speed < 12.0);
    (weather && score && !front) || (frame && speed)
}

fn bench_query(c: &mut Criterion) {
    let items = items();
    let query = Query::parse(QUERY).unwrap();
    let n_matching = items.iter().filter(|item| query.matches(item)).count();
    let n_handwritten = items.iter().filter(|item| handwritten(item)).count();
    assert_eq!(
        n_matching, n_handwritten,
        "the handwritten query must agree"
    );
    println!("query matches {n_matching} of {N_ITEMS} items");

    let mut group = c.benchmark_group("query");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N_ITEMS as u64));
    group.bench_function("baseline_one_lookup", |b| {
        b.iter(|| {
            black_box(&items)
                .iter()
                .filter(|item| item.get("weather").is_some_and(Value::is_string))
                .count()
        });
    });
    // The same query written by hand in Rust (f64 comparisons, no interpretation): what the
    // query bar would cost if it were compiled.
    group.bench_function("handwritten_equivalent", |b| {
        b.iter(|| {
            black_box(&items)
                .iter()
                .filter(|item| handwritten(item))
                .count()
        });
    });
    group.bench_function("compound_query", |b| {
        b.iter(|| {
            black_box(&items)
                .iter()
                .filter(|item| query.matches(item))
                .count()
        });
    });
    group.finish();

    let mut group = c.benchmark_group("query_parse");
    group.throughput(Throughput::Elements(1));
    group.bench_function("compound_query", |b| {
        b.iter(|| Query::parse(black_box(QUERY)))
    });
    group.finish();

    let mut group = c.benchmark_group("query_sort");
    group.sample_size(10);
    group.throughput(Throughput::Elements(N_ITEMS as u64));
    let key = SortKey::parse("-metadata.speed").unwrap();
    let mut order: Vec<&Map<String, Value>> = items.iter().collect();
    group.bench_function("descending_speed", |b| {
        b.iter(|| {
            // Re-shuffle into generation order so each run sorts the same input.
            order.clear();
            order.extend(items.iter());
            sort_by_key(&mut order, &key, |item| item);
            black_box(order.first().map(|item| item.len()))
        });
    });
    group.finish();
}

criterion_group!(benches, bench_query);
criterion_main!(benches);
