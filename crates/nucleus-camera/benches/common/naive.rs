//! A fair, straightforward projection: the baseline `project_into` is measured against (in
//! `benches/project.rs` and in `cargo xtask bench`, which includes this file).
//!
//! What it does, as a careful first implementation would: normalise the heading and build the
//! world-to-camera rotation once per camera (`NaiveCamera::new`); per point, rotate and
//! translate, reject points with `z <= 0`, apply the model's distortion with `powi` and libm's
//! `atan`, and return an `Option<Pixel>`. The per-point function is small and inlinable, so the
//! compiler may inline it into the loop and hoist what it can.
//!
//! What it does not do (what `CameraParams::project_into` adds): choose the model once outside
//! the loop (here a `match` per point, predictable but present), keep the loop free of the
//! `Option`, and use the inline polynomial `atan` of the fisheye kernel. It computes the same
//! pixels up to rounding.

use nucleus_camera::{CameraModel, CameraParams, Distortion, Pixel, Point3D};

/// A camera prepared once: unit quaternion turned into the rows of the world-to-camera rotation.
pub struct NaiveCamera {
    /// Rows of `Rᵀ` (world → camera).
    rotation: [[f64; 3]; 3],
    position: Point3D,
    model: CameraModel,
    k: Distortion,
    fx: f64,
    fy: f64,
    cx: f64,
    cy: f64,
}

impl NaiveCamera {
    /// Normalises the heading and builds the rotation, once.
    pub fn new(camera: &CameraParams) -> Self {
        let q = camera.heading();
        let norm = (q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w).sqrt();
        let (x, y, z, w) = (q.x / norm, q.y / norm, q.z / norm, q.w / norm);
        // Camera-to-world rotation R of the unit quaternion; the rows of Rᵀ are its columns.
        let r = [
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
        Self {
            rotation: [
                [r[0][0], r[1][0], r[2][0]],
                [r[0][1], r[1][1], r[2][1]],
                [r[0][2], r[1][2], r[2][2]],
            ],
            position: camera.position(),
            model: camera.model(),
            k: *camera.distortion(),
            fx: camera.fx(),
            fy: camera.fy(),
            cx: camera.cx(),
            cy: camera.cy(),
        }
    }

    /// One point; `None` behind the camera.
    #[inline]
    pub fn project(&self, world: Point3D) -> Option<Pixel> {
        let d = world - self.position;
        let [r0, r1, r2] = &self.rotation;
        let camera_x = r0[0] * d.x + r0[1] * d.y + r0[2] * d.z;
        let camera_y = r1[0] * d.x + r1[1] * d.y + r1[2] * d.z;
        let camera_z = r2[0] * d.x + r2[1] * d.y + r2[2] * d.z;
        if camera_z <= 0.0 {
            return None;
        }
        let a = camera_x / camera_z;
        let b = camera_y / camera_z;
        let k = &self.k;
        let (xd, yd) = match self.model {
            CameraModel::Fisheye => {
                let r = (a * a + b * b).sqrt();
                let theta = r.atan();
                let theta2 = theta * theta;
                let theta_d = theta
                    * (1.0
                        + k.k1 * theta2
                        + k.k2 * theta2.powi(2)
                        + k.k3 * theta2.powi(3)
                        + k.k4 * theta2.powi(4));
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
        Some(Pixel::new(self.fx * xd + self.cx, self.fy * yd + self.cy))
    }
}
