//! Throughput of the item pipeline against plain serde_json on the same lines.
//!
//! Input: `examples/items.jsonl` (300 realistic items: scene cameras with camera_params, point
//! clouds, photos with embeddings) repeated with fresh reference ids, so every line is a real,
//! valid item and the dataset has no duplicates.
//!
//! - `payload/*` (issue 2's target: within 2x of the baseline on one thread): baseline
//!   `from_str::<Value>` + `to_string`; ours: strict read + item rules + `into_payload` +
//!   `to_string`, what `nucleus payload` does per line.
//! - `check/*` (issue 4's target: one thread at least 0.5x the parse baseline; issue 10's: 20x
//!   the Python SDK's loop): baselines `from_str::<Value>` and `from_str::<IgnoredAny>` (serde_json
//!   validating without building anything: the floor of any serde_json-based check); ours: item
//!   rules + dataset state per line, sequential through the full reader and through the fast
//!   path, and the check driver (`check::Check`, what `nucleus check` runs) with one and with
//!   all threads.

// Benchmark setup may fail loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::ops::ControlFlow;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nucleus_lines::StreamConfig;
use nucleus_metadata::check::{Check, CheckEvent};
use nucleus_metadata::{DatasetState, ItemRules, LineCheck, Position};
use nucleus_model::PayloadForm;
use serde_json::Value;

/// The allocator of the `nucleus` binary, so the figures are the CLI's (items are freed on
/// another thread than the one that built them, which glibc malloc handles poorly).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use nucleus_testdata::EXAMPLE_ITEMS as EXAMPLES;

fn lines(n_lines: usize) -> Vec<String> {
    let base: Vec<&str> = EXAMPLES.lines().collect();
    (0..n_lines)
        .map(|idx| {
            let line = base[idx % base.len()];
            // Each repetition gets its own reference ids.
            line.replacen(
                "\"reference_id\":\"",
                &format!("\"reference_id\":\"r{}-", idx / base.len()),
                1,
            )
        })
        .collect()
}

fn payload(c: &mut Criterion) {
    let lines = lines(200_000);
    let n_bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let rules = ItemRules::new();
    let mut group = c.benchmark_group("payload");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("baseline_serde_json_parse_and_write", |b| {
        b.iter(|| {
            let mut total = 0;
            for line in &lines {
                let value: Value = serde_json::from_str(line).unwrap();
                total += value.to_string().len();
            }
            black_box(total)
        });
    });
    group.bench_function("nucleus_payload", |b| {
        b.iter(|| {
            let mut total = 0;
            for line in &lines {
                let item = rules.check_line(line).item.unwrap();
                let form = PayloadForm::default_for(item.item_type());
                total += item.into_payload(form).unwrap().to_string().len();
            }
            black_box(total)
        });
    });
    group.finish();
    eprintln!("payload input: {} lines, {} bytes", lines.len(), n_bytes);
}

fn check(c: &mut Criterion) {
    let lines = lines(200_000);
    let text = lines.join("\n");
    let rules = ItemRules::new();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("baseline_serde_json_parse", |b| {
        b.iter(|| {
            let mut n_keys = 0;
            for line in &lines {
                let value: Value = serde_json::from_str(line).unwrap();
                n_keys += value.as_object().map_or(0, |o| o.len());
            }
            black_box(n_keys)
        });
    });
    group.bench_function("baseline_serde_json_validate_only", |b| {
        b.iter(|| {
            let mut n_ok = 0;
            for line in &lines {
                n_ok += usize::from(serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok());
            }
            black_box(n_ok)
        });
    });
    group.bench_function("nucleus_check_fast_path_sequential", |b| {
        b.iter(|| {
            let mut state = DatasetState::new();
            let input = state.add_input("bench");
            let mut diagnostics = Vec::new();
            for (idx, line) in lines.iter().enumerate() {
                let position = Position {
                    input,
                    line: idx as u64 + 1,
                };
                match rules.check_line_fast(line) {
                    LineCheck::Clean(item) => {
                        state.observe_clean(position, &item, &mut diagnostics)
                    }
                    LineCheck::Read(reading) => {
                        if let Some(item) = reading.item {
                            state.observe(position, &item, &mut diagnostics);
                        }
                    }
                }
            }
            black_box(diagnostics.len())
        });
    });
    group.bench_function("nucleus_check_full_reader_sequential", |b| {
        b.iter(|| {
            let mut state = DatasetState::new();
            let input = state.add_input("bench");
            let mut diagnostics = Vec::new();
            for (idx, line) in lines.iter().enumerate() {
                let reading = rules.check_line(line);
                if let Some(item) = reading.item {
                    let position = Position {
                        input,
                        line: idx as u64 + 1,
                    };
                    state.observe(position, &item, &mut diagnostics);
                }
            }
            black_box(diagnostics.len())
        });
    });
    let n_cores = std::thread::available_parallelism().map_or(1, usize::from);
    for jobs in [1, n_cores] {
        group.bench_with_input(
            BenchmarkId::new("nucleus_check_stream", jobs),
            &jobs,
            |b, &jobs| {
                let config = StreamConfig::default().jobs(jobs);
                // The driver `nucleus check` and Python's `check` run.
                b.iter(|| {
                    let mut check = Check::new(rules.clone());
                    let mut n_findings = 0_usize;
                    check
                        .read("bench", text.as_bytes(), &config, |event| {
                            if let CheckEvent::Finding(_) = event {
                                n_findings += 1;
                            }
                            ControlFlow::Continue(())
                        })
                        .unwrap();
                    black_box((n_findings, check.finish().items))
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, payload, check);
criterion_main!(benches);
