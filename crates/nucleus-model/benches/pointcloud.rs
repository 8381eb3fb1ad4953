//! Point-cloud parse throughput: the streaming reader against plain `serde_json::Value` parsing
//! of the same bytes, 200,000 points (about 17 MB, Scale's JSON as a lidar exporter writes it).
//!
//! Run with `cargo bench -p nucleus-model --bench pointcloud -- --measurement-time 5`.

#![allow(clippy::panic, reason = "bench setup failures abort the run")]

use std::hint::black_box;
use std::ops::ControlFlow;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nucleus_model::pointcloud::{PointCloud, for_each_point, for_each_point_in_slice};

const N_POINTS: usize = 200_000;

/// A deterministic lidar sweep: rings of points 2–80 m around the sensor, full-precision
/// coordinates (as `json.dumps` of float64 writes them), intensity, device, timestamp, ground flag.
fn cloud_text(n_points: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut uniform = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text =
        String::from("{\"device_position\": {\"x\": 0.0, \"y\": 0.0, \"z\": 1.8}, \"points\": [");
    for idx in 0..n_points {
        let range = 2.0 + 78.0 * uniform();
        let azimuth = uniform() * std::f64::consts::TAU;
        let z = -1.8 + 4.0 * uniform();
        if idx > 0 {
            text.push_str(", ");
        }
        text.push_str(&format!(
            "{{\"x\": {}, \"y\": {}, \"z\": {}, \"i\": {}, \"d\": 0, \"t\": {}, \"is_ground\": {}}}",
            range * azimuth.cos(),
            range * azimuth.sin(),
            z,
            (uniform() * 1000.0).round() / 1000.0,
            1_700_000_000_000_000_000u64 + idx as u64 * 1000,
            z < -1.7,
        ));
    }
    text.push_str("]}");
    text.into_bytes()
}

fn parse(c: &mut Criterion) {
    let text = cloud_text(N_POINTS);
    for (unit, throughput) in [
        ("bytes", Throughput::Bytes(text.len() as u64)),
        ("points", Throughput::Elements(N_POINTS as u64)),
    ] {
        let mut group = c.benchmark_group(format!("pointcloud_parse_{unit}"));
        group.throughput(throughput);
        group.sample_size(10);
        group.bench_function("serde_json_value", |b| {
            b.iter(|| {
                let value: serde_json::Value =
                    serde_json::from_slice(black_box(&text)).unwrap_or_else(|e| panic!("{e}"));
                black_box(value)
            });
        });
        group.bench_function("stream_slice", |b| {
            b.iter(|| {
                let mut sum = 0.0;
                let read = for_each_point_in_slice(black_box(&text), |point| {
                    sum += point.x;
                    ControlFlow::Continue(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
                black_box((sum, read.n_points))
            });
        });
        group.bench_function("stream_reader", |b| {
            b.iter(|| {
                let mut sum = 0.0;
                let read = for_each_point(black_box(text.as_slice()), |point| {
                    sum += point.x;
                    ControlFlow::Continue(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
                black_box((sum, read.n_points))
            });
        });
        group.bench_function("collect_slice", |b| {
            b.iter(|| {
                let cloud =
                    PointCloud::from_slice(black_box(&text)).unwrap_or_else(|e| panic!("{e}"));
                black_box(cloud.points.len())
            });
        });
        group.finish();
    }
}

criterion_group!(benches, parse);
criterion_main!(benches);
