//! Projection throughput: the batch API against a naive per-point baseline, 1,000,000 points
//! per model, on one thread.
//!
//! Run with `cargo bench -p nucleus-camera --bench project -- --measurement-time 3`.

// A benchmark that cannot set up should stop loudly.
#![allow(clippy::panic, reason = "bench setup failures abort the run")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nucleus_camera::{CameraModel, CameraParams, Distortion, Pixel, Point3D, Quaternion, Vector3};

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
    // A non-unit heading, so the naive baseline really has to normalise it.
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

/// What a straightforward implementation does: one call per point, which normalises the
/// quaternion, builds the rotation matrix, matches on the model and returns an `Option`.
#[inline(never)]
fn naive_project(camera: &CameraParams, world: Point3D) -> Option<Pixel> {
    let q = camera.heading();
    let norm = (q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w).sqrt();
    let (x, y, z, w) = (q.x / norm, q.y / norm, q.z / norm, q.w / norm);
    let rotation = [
        [
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y - z * w),
            2.0 * (x * z + y * w),
        ],
        [
            2.0 * (x * y + z * w),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z - x * w),
        ],
        [
            2.0 * (x * z - y * w),
            2.0 * (y * z + x * w),
            1.0 - 2.0 * (x * x + y * y),
        ],
    ];
    let d: Vector3 = world - camera.position();
    // p_cam = Rᵀ · d
    let camera_x = rotation[0][0] * d.x + rotation[1][0] * d.y + rotation[2][0] * d.z;
    let camera_y = rotation[0][1] * d.x + rotation[1][1] * d.y + rotation[2][1] * d.z;
    let camera_z = rotation[0][2] * d.x + rotation[1][2] * d.y + rotation[2][2] * d.z;
    if camera_z <= 0.0 {
        return None;
    }
    let a = camera_x / camera_z;
    let b = camera_y / camera_z;
    let k = camera.distortion();
    let (xd, yd) = match camera.model() {
        CameraModel::Fisheye => {
            let r = (a * a + b * b).sqrt();
            let theta = r.atan();
            let theta_d = theta
                * (1.0
                    + k.k1 * theta.powi(2)
                    + k.k2 * theta.powi(4)
                    + k.k3 * theta.powi(6)
                    + k.k4 * theta.powi(8));
            let scale = if r > 1e-8 { theta_d / r } else { 1.0 };
            (a * scale, b * scale)
        }
        CameraModel::BrownConrady => {
            let r2 = a * a + b * b;
            let radial =
                (1.0 + k.k1 * r2 + k.k2 * r2.powi(2) + k.k3 * r2.powi(3)) / (1.0 + k.k4 * r2);
            (
                a * radial + 2.0 * k.p1 * a * b + k.p2 * (r2 + 2.0 * a * a),
                b * radial + k.p1 * (r2 + 2.0 * b * b) + 2.0 * k.p2 * a * b,
            )
        }
        _ => (a, b),
    };
    Some(Pixel::new(
        camera.fx() * xd + camera.cx(),
        camera.fy() * yd + camera.cy(),
    ))
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
                for (point, pixel) in points.iter().zip(pixels.iter_mut()) {
                    *pixel =
                        naive_project(black_box(camera), *point).unwrap_or(Pixel::NOT_PROJECTABLE);
                }
                black_box(&pixels);
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_project);
criterion_main!(benches);
