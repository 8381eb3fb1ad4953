//! Overlay rendering: 1,000,000 lidar points (90% in front of the camera, like a full sweep)
//! and 100 cuboids drawn onto a 1920×1080 canvas, per camera model, on one thread.
//!
//! Run with `cargo bench -p nucleus-camera --bench overlay -- --measurement-time 5`.

#![allow(clippy::panic, reason = "bench setup failures abort the run")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nucleus_camera::overlay::{Canvas, PointStyle};
use nucleus_camera::{Cuboid, Point3D, Vector3};

#[path = "../tests/fixtures/mod.rs"]
mod fixtures;

use fixtures::{Intrinsics, cameras};

const N_POINTS: usize = 1_000_000;
const N_CUBOIDS: usize = 100;

/// The SPEC's 1920×1080 sensor, the size of the canvas drawn on.
const SPEC_SENSOR: Intrinsics = Intrinsics {
    fx: 1000.0,
    fy: 1000.0,
    cx: 960.0,
    cy: 540.0,
};

fn uniform_source() -> impl FnMut() -> f64 {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A 360° sweep 2–80 m around the camera, heights −1.5…+2.5 m: a camera sees about a quarter.
fn points() -> Vec<Point3D> {
    let mut uniform = uniform_source();
    (0..N_POINTS)
        .map(|_| {
            let range = 2.0 + 78.0 * uniform();
            let azimuth = uniform() * std::f64::consts::TAU;
            Point3D::new(
                range * azimuth.cos(),
                range * azimuth.sin(),
                -1.5 + 4.0 * uniform(),
            )
        })
        .collect()
}

fn cuboids() -> Vec<Cuboid> {
    let mut uniform = uniform_source();
    (0..N_CUBOIDS)
        .map(|_| {
            Cuboid::new(
                Point3D::new(-40.0 + 80.0 * uniform(), -40.0 + 80.0 * uniform(), 0.0),
                Vector3::new(4.5, 1.9, 1.6),
                uniform() * std::f64::consts::TAU,
            )
            .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

fn render(c: &mut Criterion) {
    let points = points();
    let cuboids = cuboids();
    let cameras = cameras(SPEC_SENSOR);
    let mut group = c.benchmark_group("overlay_points");
    group.throughput(Throughput::Elements(N_POINTS as u64));
    group.sample_size(10);
    for (name, camera) in &cameras {
        group.bench_function(*name, |b| {
            let mut canvas = Canvas::new(1920, 1080, [0, 0, 0]).unwrap_or_else(|e| panic!("{e}"));
            b.iter(|| {
                black_box(camera.draw_points(
                    &mut canvas,
                    black_box(&points),
                    &PointStyle::default(),
                ))
            });
        });
    }
    group.finish();
    let mut group = c.benchmark_group("overlay_cuboids");
    group.throughput(Throughput::Elements(N_CUBOIDS as u64));
    for (name, camera) in &cameras {
        group.bench_function(*name, |b| {
            let mut canvas = Canvas::new(1920, 1080, [0, 0, 0]).unwrap_or_else(|e| panic!("{e}"));
            b.iter(|| {
                let mut n = 0;
                for cuboid in &cuboids {
                    n += camera.draw_cuboid(&mut canvas, cuboid, [0, 255, 0], 2);
                }
                black_box(n)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
