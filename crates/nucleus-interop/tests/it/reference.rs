//! Projections written from each format's own definition, independently of nucleus-camera, so a
//! conversion is checked against what the source format means rather than against itself.
//!
//! - ROS `plumb_bob` / `rational_polynomial` and OpenCV `projectPoints`: x = X/Z, y = Y/Z,
//!   r² = x² + y², radial = (1 + k1r² + k2r⁴ + k3r⁶)/(1 + k4r² + k5r⁴ + k6r⁶),
//!   x' = x·radial + 2p1xy + p2(r² + 2x²), y' = y·radial + p1(r² + 2y²) + 2p2xy,
//!   [u v 1]ᵀ = K·[x' y' 1]ᵀ (OpenCV documentation, "Camera Calibration and 3D Reconstruction").
//! - ROS `equidistant`, Foxglove `kannala_brandt`, OpenCV `fisheye.projectPoints`: θ = atan(r),
//!   θd = θ(1 + k1θ² + k2θ⁴ + k3θ⁶ + k4θ⁸), x' = (θd/r)·x (OpenCV fisheye documentation).
//! - Poses: ROS/Nucleus camera → world quaternion (unit), OpenCV world → camera Rodrigues
//!   vector: R = cos θ·I + (1 − cos θ)·kkᵀ + sin θ·[k]×.

pub type Matrix = [[f64; 3]; 3];

/// Row-major rotation matrix of a quaternion (normalised here).
pub fn quaternion_matrix([x, y, z, w]: [f64; 4]) -> Matrix {
    let n = (x * x + y * y + z * z + w * w).sqrt();
    let (x, y, z, w) = (x / n, y / n, z / n, w / n);
    [
        [
            w * w + x * x - y * y - z * z,
            2.0 * (x * y - w * z),
            2.0 * (x * z + w * y),
        ],
        [
            2.0 * (x * y + w * z),
            w * w - x * x + y * y - z * z,
            2.0 * (y * z - w * x),
        ],
        [
            2.0 * (x * z - w * y),
            2.0 * (y * z + w * x),
            w * w - x * x - y * y + z * z,
        ],
    ]
}

/// Rodrigues: rotation vector → matrix.
pub fn rodrigues(rvec: [f64; 3]) -> Matrix {
    let theta = (rvec[0] * rvec[0] + rvec[1] * rvec[1] + rvec[2] * rvec[2]).sqrt();
    if theta == 0.0 {
        return [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    }
    let k = rvec.map(|v| v / theta);
    let (s, c) = theta.sin_cos();
    let cross = [[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]];
    let mut r = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            let identity = if i == j { 1.0 } else { 0.0 };
            r[i][j] = c * identity + (1.0 - c) * k[i] * k[j] + s * cross[i][j];
        }
    }
    r
}

pub fn mul(m: &Matrix, v: [f64; 3]) -> [f64; 3] {
    m.map(|row| row[0] * v[0] + row[1] * v[1] + row[2] * v[2])
}

pub fn transpose_mul(m: &Matrix, v: [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|j| m[0][j] * v[0] + m[1][j] * v[1] + m[2][j] * v[2])
}

/// Lens models as the formats define them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// `k1, k2, p1, p2[, k3[, k4, k5, k6]]`.
    Pinhole,
    /// `k1, k2, k3, k4`.
    Fisheye,
}

/// Pixel of a camera-frame point under `K` (row-major 3×3) and coefficients `d`.
pub fn project_camera(k: &[f64; 9], model: Model, d: &[f64], p: [f64; 3]) -> Option<[f64; 2]> {
    if p[2] <= 0.0 {
        return None;
    }
    let (x, y) = (p[0] / p[2], p[1] / p[2]);
    let at = |i: usize| d.get(i).copied().unwrap_or(0.0);
    let (xd, yd) = match model {
        Model::Pinhole => {
            let r2 = x * x + y * y;
            let radial = (1.0 + at(0) * r2 + at(1) * r2 * r2 + at(4) * r2 * r2 * r2)
                / (1.0 + at(5) * r2 + at(6) * r2 * r2 + at(7) * r2 * r2 * r2);
            (
                x * radial + 2.0 * at(2) * x * y + at(3) * (r2 + 2.0 * x * x),
                y * radial + at(2) * (r2 + 2.0 * y * y) + 2.0 * at(3) * x * y,
            )
        }
        Model::Fisheye => {
            let r = (x * x + y * y).sqrt();
            let theta = r.atan();
            let t2 = theta * theta;
            let theta_d = theta
                * (1.0 + at(0) * t2 + at(1) * t2 * t2 + at(2) * t2.powi(3) + at(3) * t2.powi(4));
            let scale = if r > 0.0 { theta_d / r } else { 1.0 };
            (x * scale, y * scale)
        }
    };
    Some([k[0] * xd + k[1] * yd + k[2], k[3] * xd + k[4] * yd + k[5]])
}

/// ROS/Foxglove/Nucleus: pixel of a world point for a camera → world pose.
pub fn project_pose(
    k: &[f64; 9],
    model: Model,
    d: &[f64],
    position: [f64; 3],
    orientation: [f64; 4],
    world: [f64; 3],
) -> Option<[f64; 2]> {
    let r = quaternion_matrix(orientation);
    let relative = [0, 1, 2].map(|i| world[i] - position[i]);
    project_camera(k, model, d, transpose_mul(&r, relative))
}

/// OpenCV: pixel of a world point for world → camera rvec/tvec.
pub fn project_opencv(
    k: &[f64; 9],
    model: Model,
    d: &[f64],
    rvec: [f64; 3],
    tvec: [f64; 3],
    world: [f64; 3],
) -> Option<[f64; 2]> {
    let rotated = mul(&rodrigues(rvec), world);
    project_camera(k, model, d, [0, 1, 2].map(|i| rotated[i] + tvec[i]))
}

/// The required agreement: 1e-9 px, relative 1e-12 for large values.
pub fn assert_same_pixel(expected: [f64; 2], actual: [f64; 2], context: &str) {
    for (e, a) in expected.into_iter().zip(actual) {
        let tolerance = 1e-9 + 1e-12 * e.abs();
        assert!(
            (e - a).abs() <= tolerance,
            "{context}: expected {expected:?}, found {actual:?} (difference {:e})",
            (e - a).abs()
        );
    }
}
