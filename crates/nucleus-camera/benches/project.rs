//! Projection throughput: the batch API against a fair straightforward per-point projection
//! (`common/naive.rs`: rotation built once, inlinable, an `Option` per point), 1,000,000 points
//! per model, on one thread. The published figures come from `cargo xtask bench`, which runs
//! the same two kernels; this criterion bench is for development.
//!
//! Run with `cargo bench -p nucleus-camera --bench project -- --measurement-time 3`.

// A benchmark that cannot set up should stop loudly.
#![allow(clippy::panic, reason = "bench setup failures abort the run")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nucleus_camera::{CameraModel, CameraParams, Distortion, Pixel, Point3D, Quaternion};

#[path = "common/naive.rs"]
mod naive;

use naive::NaiveCamera;

const N_POINTS: usize = 1_000_000;

/// Deterministic points around a camera at the origin looking along world +X (SPEC heading):
/// 90% inside a ±60° cone in front, 10% behind, 2–80 m away, like a lidar sweep cropped to a camera.
fn points() -> Vec<Point3D> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut uniform = move || {
        // xorshift64*: fast, deterministic, good enough for spreading points.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64
    };
    (0..N_POINTS)
        .map(|_| {
            let forward = if uniform() < 0.9 { 1.0 } else { -1.0 };
            let distance = 2.0 + 78.0 * uniform();
            let lateral = (uniform() * 2.0 - 1.0) * 1.7;
            let vertical = (uniform() * 2.0 - 1.0) * 1.0;
            Point3D::new(
                forward * distance,
                lateral * distance,
                1.5 + vertical * distance,
            )
        })
        .collect()
}

fn camera(model: Option<CameraModel>, distortion: Distortion) -> CameraParams {
    // A non-unit heading: both sides normalise it (once per camera).
    CameraParams::new(
        Point3D::new(0.3, -0.2, 1.5),
        Quaternion::new(-1.0, 1.0, -1.0, 1.0),
        1266.4,
        1266.4,
        816.3,
        491.5,
    )
    .and_then(|camera| camera.with_distortion(model, distortion))
    .unwrap_or_else(|error| panic!("bench camera: {error}"))
}

fn bench_project(criterion: &mut Criterion) {
    let points = points();
    let mut pixels = vec![Pixel::default(); points.len()];
    let cameras = [
        ("pinhole", camera(None, Distortion::default())),
        (
            "brown_conrady",
            camera(
                Some(CameraModel::BrownConrady),
                Distortion {
                    k1: -0.3,
                    k2: 0.09,
                    k3: -0.01,
                    p1: 0.0012,
                    p2: -0.0007,
                    ..Distortion::default()
                },
            ),
        ),
        (
            "brown_conrady_k4",
            camera(
                Some(CameraModel::BrownConrady),
                Distortion {
                    k1: -0.3,
                    k2: 0.09,
                    k3: -0.01,
                    k4: 0.05,
                    p1: 0.0012,
                    p2: -0.0007,
                },
            ),
        ),
        (
            "fisheye",
            camera(
                Some(CameraModel::Fisheye),
                Distortion {
                    k1: 0.052,
                    k2: -0.011,
                    k3: 0.0021,
                    k4: -0.00041,
                    ..Distortion::default()
                },
            ),
        ),
    ];
    for (name, camera) in &cameras {
        // The baseline must compute the same pixels, or the comparison means nothing.
        let naive = NaiveCamera::new(camera);
        camera
            .project_into(&points, &mut pixels)
            .unwrap_or_else(|error| panic!("{error}"));
        for (point, pixel) in points.iter().zip(&pixels) {
            match naive.project(*point) {
                Some(expected) => assert!(
                    (expected.x - pixel.x).abs() <= 1e-6 + 1e-9 * expected.x.abs()
                        && (expected.y - pixel.y).abs() <= 1e-6 + 1e-9 * expected.y.abs(),
                    "{name}: {point:?}: batch {pixel:?}, naive {expected:?}"
                ),
                None => assert!(pixel.x.is_nan(), "{name}: {point:?} is behind the camera"),
            }
        }
    }
    let mut group = criterion.benchmark_group("project_1M");
    group.throughput(Throughput::Elements(N_POINTS as u64));
    group.sample_size(10);
    for (name, camera) in &cameras {
        group.bench_function(format!("{name}/batch"), |bencher| {
            bencher.iter(|| {
                camera
                    .project_into(black_box(&points), &mut pixels)
                    .unwrap_or_else(|error| panic!("{error}"));
                black_box(&pixels);
            });
        });
        group.bench_function(format!("{name}/naive"), |bencher| {
            bencher.iter(|| {
                let naive = NaiveCamera::new(black_box(camera));
                for (point, pixel) in points.iter().zip(pixels.iter_mut()) {
                    *pixel = naive.project(*point).unwrap_or(Pixel::NOT_PROJECTABLE);
                }
                black_box(&pixels);
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_project);
criterion_main!(benches);
