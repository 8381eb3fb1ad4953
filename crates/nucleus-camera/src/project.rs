//! Projection of world points to pixels, its inverse, and the monotonic radius.
//!
//! The kernels follow OpenCV's `cvProjectPoints2Internal` and `cv::fisheye::projectPoints`
//! operation by operation where that is free (multiplying by `1/Z` rather than dividing, the
//! same grouping of the distortion terms), so results agree with OpenCV to a few ulps.

use std::f64::consts::FRAC_PI_2;

use crate::geometry::mat_mul_vec;
use crate::{CameraModel, CameraParams, Cuboid, Error, Pixel, Point3D, Vector3};

/// Below this normalised radius the fisheye scale `θd / r` is taken as 1 (OpenCV's rule).
const FISHEYE_SMALL_RADIUS: f64 = 1e-8;

/// Newton iterations allowed in [`CameraParams::unproject`] after the radial start.
const MAX_NEWTON_ITERATIONS: usize = 50;

impl CameraParams {
    /// World coordinates to camera coordinates: `R(heading)ᵀ · (world − position)`.
    #[must_use]
    #[inline]
    pub fn world_to_camera(&self, world: Point3D) -> Vector3 {
        mat_mul_vec(&self.world_to_camera, world - self.position())
    }

    /// Camera coordinates to world coordinates: `R(heading) · camera + position`.
    #[must_use]
    pub fn camera_to_world(&self, camera: Vector3) -> Point3D {
        self.camera_to_world_direction(camera) + self.position()
    }

    /// Rotates a direction from camera to world coordinates (no translation).
    #[must_use]
    pub fn camera_to_world_direction(&self, camera: Vector3) -> Vector3 {
        mat_mul_vec(&self.camera_to_world_rotation(), camera)
    }

    /// Projects a world point to a pixel.
    ///
    /// `None` when the point is not in front of the camera (camera-frame z ≤ 0: never a
    /// mirrored pixel) or when the distortion polynomial overflows. Points outside the image
    /// still project; see [`CameraParams::monotonic_radius`] to tell whether the distortion
    /// model is still meaningful there.
    #[must_use]
    pub fn project(&self, world: Point3D) -> Option<Pixel> {
        self.project_camera(self.world_to_camera(world))
    }

    /// Projects a point given in camera coordinates; `None` as for [`CameraParams::project`].
    #[must_use]
    pub fn project_camera(&self, camera: Vector3) -> Option<Pixel> {
        let pixel = match self.model() {
            CameraModel::Pinhole => Pinhole::new(self).project(camera),
            CameraModel::BrownConrady if self.distortion().k4 == 0.0 => {
                BrownConrady::<false>::new(self).project(camera)
            }
            CameraModel::BrownConrady => BrownConrady::<true>::new(self).project(camera),
            CameraModel::Fisheye => Fisheye::new(self).project(camera),
        };
        pixel.is_finite().then_some(pixel)
    }

    /// Projects every point of `points` into the pixel of the same index in `pixels`.
    ///
    /// A point that cannot be projected (camera-frame z ≤ 0) gets [`Pixel::NOT_PROJECTABLE`]
    /// (NaN, NaN); test with [`Pixel::is_finite`]. Results are bit-identical to
    /// [`CameraParams::project`]. The loop allocates nothing, chooses the model once and has no
    /// branch per point, so the compiler can vectorise the pinhole and Brown–Conrady kernels.
    ///
    /// # Errors
    /// [`Error::BufferLength`] when the slices differ in length (nothing is written).
    pub fn project_into(&self, points: &[Point3D], pixels: &mut [Pixel]) -> Result<(), Error> {
        if points.len() != pixels.len() {
            return Err(Error::BufferLength {
                n_points: points.len(),
                n_pixels: pixels.len(),
            });
        }
        match self.model() {
            CameraModel::Pinhole => self.project_batch(Pinhole::new(self), points, pixels),
            CameraModel::BrownConrady if self.distortion().k4 == 0.0 => {
                self.project_batch(BrownConrady::<false>::new(self), points, pixels);
            }
            CameraModel::BrownConrady => {
                self.project_batch(BrownConrady::<true>::new(self), points, pixels);
            }
            CameraModel::Fisheye => self.project_batch(Fisheye::new(self), points, pixels),
        }
        Ok(())
    }

    /// [`CameraParams::project_into`] on flat buffers: `xyz` holds `x, y, z` per point and `uv`
    /// receives `x, y` per pixel, as a row-major `(N, 3)` and `(N, 2)` array of `f64` (NumPy,
    /// Arrow) lays them out, so callers need no copy. Results are bit-identical to
    /// [`CameraParams::project_into`]; a point that cannot be projected gets `NaN, NaN`.
    ///
    /// # Errors
    /// [`Error::BufferLength`] when `xyz` does not hold whole points or `uv` does not hold
    /// exactly one pixel per point (nothing is written).
    pub fn project_flat_into(&self, xyz: &[f64], uv: &mut [f64]) -> Result<(), Error> {
        let n_points = xyz.len() / 3;
        if !xyz.len().is_multiple_of(3) || uv.len() != n_points * 2 {
            return Err(Error::BufferLength {
                n_points,
                n_pixels: uv.len() / 2,
            });
        }
        match self.model() {
            CameraModel::Pinhole => self.project_flat_batch(Pinhole::new(self), xyz, uv),
            CameraModel::BrownConrady if self.distortion().k4 == 0.0 => {
                self.project_flat_batch(BrownConrady::<false>::new(self), xyz, uv);
            }
            CameraModel::BrownConrady => {
                self.project_flat_batch(BrownConrady::<true>::new(self), xyz, uv);
            }
            CameraModel::Fisheye => self.project_flat_batch(Fisheye::new(self), xyz, uv),
        }
        Ok(())
    }

    /// Projects the eight corners of `cuboid` (in [`Cuboid::corners`] order).
    #[must_use]
    pub fn project_cuboid(&self, cuboid: &Cuboid) -> [Option<Pixel>; 8] {
        cuboid.corners().map(|corner| self.project(corner))
    }

    /// The normalised radius `√(a² + b²)` (`a = X/Z`, `b = Y/Z`) of a world point, comparable
    /// with [`CameraParams::monotonic_radius`]; `None` when camera-frame z ≤ 0.
    #[must_use]
    pub fn normalized_radius(&self, world: Point3D) -> Option<f64> {
        let camera = self.world_to_camera(world);
        (camera.z > 0.0).then(|| camera.x.hypot(camera.y) / camera.z)
    }

    /// The normalised radius up to which the lens model maps radius to distorted radius
    /// monotonically (`f64::INFINITY` when it always does, as for pinhole).
    ///
    /// Beyond it, distinct rays land on the same pixel and a projection, although computed
    /// exactly as OpenCV does, no longer means what the calibration meant: flag such points
    /// (compare with [`CameraParams::normalized_radius`]). For fisheye it is `tan θ` at the
    /// first zero of `dθd/dθ` before 90°.
    ///
    /// For Brown–Conrady without tangential terms it is the first zero of `g'(r)`, where
    /// `g(r) = r·h(r)` and `h(r) = (1 + k1r² + k2r⁴ + k3r⁶)/(1 + k4r²)`, or the pole of the
    /// denominator. With `p1`, `p2` it is the largest radius `ρ` such that, for `r < ρ`,
    /// `min(h, g') > c·r` with `c = max(4|p1| + 8|p2|, 8|p1| + 4|p2|)`: the radial Jacobian's
    /// eigenvalues are `h` and `g'`, and `c·r` bounds the norm of the tangential terms'
    /// (symmetric) Jacobian, so the symmetric part of the whole Jacobian is positive definite on
    /// the disk and the map is injective there. Without that margin, a radial derivative close
    /// to zero lets the tangential terms fold two rays onto one pixel. Computed on each call
    /// (about a microsecond): cache it if you call it often.
    #[must_use]
    pub fn monotonic_radius(&self) -> f64 {
        let d = self.distortion();
        match self.model() {
            CameraModel::Pinhole => f64::INFINITY,
            CameraModel::BrownConrady => {
                // In s = r²: d/dr [r·P(s)/Q(s)] has the sign of
                // N(s) = P·Q + 2s·(P'·Q − P·Q'), expanded below.
                let derivative = [
                    1.0,
                    3.0 * d.k1 - d.k4,
                    5.0 * d.k2 + d.k1 * d.k4,
                    7.0 * d.k3 + 3.0 * d.k2 * d.k4,
                    5.0 * d.k3 * d.k4,
                ];
                let pole = if d.k4 < 0.0 {
                    -1.0 / d.k4
                } else {
                    f64::INFINITY
                };
                let radial = first_positive_root(&derivative, pole)
                    .unwrap_or(pole)
                    .sqrt();
                let c =
                    (4.0 * d.p1.abs() + 8.0 * d.p2.abs()).max(8.0 * d.p1.abs() + 4.0 * d.p2.abs());
                if c == 0.0 {
                    return radial;
                }
                // Polynomials in r (not s = r²), both multiplied by Q² > 0 inside the pole:
                // g'·Q² − c·r·Q² = N(r²) − c·r·Q² and h·Q² − c·r·Q² = P·Q − c·r·Q².
                let (k1, k2, k3, k4) = (d.k1, d.k2, d.k3, d.k4);
                let margin = [0.0, c, 0.0, 2.0 * c * k4, 0.0, c * k4 * k4];
                let eigen_minus_margin = |even_in_s: &[f64]| {
                    let mut in_r = [0.0; 10];
                    for (power, coefficient) in even_in_s.iter().enumerate() {
                        in_r[2 * power] = *coefficient;
                    }
                    for (power, coefficient) in margin.iter().enumerate() {
                        in_r[power] -= coefficient;
                    }
                    first_positive_root(&in_r, radial).unwrap_or(radial)
                };
                let radial_eigen = eigen_minus_margin(&derivative);
                let tangential_eigen =
                    eigen_minus_margin(&[1.0, k1 + k4, k2 + k1 * k4, k3 + k2 * k4, k3 * k4]);
                radial_eigen.min(tangential_eigen)
            }
            CameraModel::Fisheye => {
                let derivative = [1.0, 3.0 * d.k1, 5.0 * d.k2, 7.0 * d.k3, 9.0 * d.k4];
                match first_positive_root(&derivative, FRAC_PI_2 * FRAC_PI_2) {
                    Some(theta_squared) => theta_squared.sqrt().tan(),
                    None => f64::INFINITY,
                }
            }
        }
    }

    /// The unit ray, in camera coordinates, of the rays that project to `pixel`.
    ///
    /// Pinhole is exact. Distortion is inverted numerically: a bracketed Newton solve of the
    /// radial part (monotone on `[0, monotonic_radius)`) gives the start, then 2D Newton with the
    /// analytic Jacobian adds the tangential terms (at most 50 iterations, stopping when the step
    /// is below 1e-15 relative; convergence is quadratic near the solution). Fisheye solves
    /// `θd(θ) = r_d` for θ in `[0, min(90°, monotonic angle))` by bracketed Newton.
    ///
    /// `None` when there is no such ray in front of the camera within the monotonic region
    /// (e.g. a fisheye pixel beyond the image of the 90° cone) or when Newton fails to reach a
    /// residual below 1e-9 normalised units; then `project(unproject(p))` would not give `p`.
    #[must_use]
    pub fn unproject(&self, pixel: Pixel) -> Option<Vector3> {
        let xd = (pixel.x - self.cx()) / self.fx();
        let yd = (pixel.y - self.cy()) / self.fy();
        if !(xd.is_finite() && yd.is_finite()) {
            return None;
        }
        let ray = match self.model() {
            CameraModel::Pinhole => Vector3::new(xd, yd, 1.0),
            CameraModel::BrownConrady => {
                let (a, b) = self.undistort_brown_conrady(xd, yd)?;
                Vector3::new(a, b, 1.0)
            }
            CameraModel::Fisheye => self.unproject_fisheye(xd, yd)?,
        };
        let norm = ray.norm();
        (norm.is_finite() && norm > 0.0).then(|| ray * (1.0 / norm))
    }

    /// The unit ray, in world coordinates, of the rays that project to `pixel` (they start at
    /// [`CameraParams::position`]); `None` as for [`CameraParams::unproject`].
    #[must_use]
    pub fn unproject_to_world(&self, pixel: Pixel) -> Option<Vector3> {
        self.unproject(pixel)
            .map(|ray| self.camera_to_world_direction(ray))
    }

    #[inline]
    fn project_batch<K: Kernel>(&self, kernel: K, points: &[Point3D], pixels: &mut [Pixel]) {
        let [r0, r1, r2] = self.world_to_camera;
        let origin = self.position();
        for (point, pixel) in points.iter().zip(pixels.iter_mut()) {
            let (dx, dy, dz) = (point.x - origin.x, point.y - origin.y, point.z - origin.z);
            let camera = Vector3::new(
                r0[0] * dx + r0[1] * dy + r0[2] * dz,
                r1[0] * dx + r1[1] * dy + r1[2] * dz,
                r2[0] * dx + r2[1] * dy + r2[2] * dz,
            );
            *pixel = kernel.project(camera);
        }
    }

    fn project_flat_batch<K: Kernel>(&self, kernel: K, xyz: &[f64], uv: &mut [f64]) {
        let [r0, r1, r2] = self.world_to_camera;
        let origin = self.position();
        for (point, pixel) in xyz.chunks_exact(3).zip(uv.chunks_exact_mut(2)) {
            let ([x, y, z], [u, v]) = (point, pixel) else {
                continue;
            };
            let (dx, dy, dz) = (x - origin.x, y - origin.y, z - origin.z);
            let camera = Vector3::new(
                r0[0] * dx + r0[1] * dy + r0[2] * dz,
                r1[0] * dx + r1[1] * dy + r1[2] * dz,
                r2[0] * dx + r2[1] * dy + r2[2] * dz,
            );
            let projected = kernel.project(camera);
            *u = projected.x;
            *v = projected.y;
        }
    }

    /// Brown–Conrady inverse in normalised coordinates: `(a, b)` with `distort(a, b) = (xd, yd)`.
    fn undistort_brown_conrady(&self, xd: f64, yd: f64) -> Option<(f64, f64)> {
        let d = *self.distortion();
        let radial = |s: f64| {
            let p = 1.0 + s * (d.k1 + s * (d.k2 + s * d.k3));
            let q = 1.0 + d.k4 * s;
            let dp = d.k1 + s * (2.0 * d.k2 + s * 3.0 * d.k3);
            (p / q, (dp * q - p * d.k4) / (q * q))
        };
        let r_max = self.monotonic_radius();
        let r_d = xd.hypot(yd);

        // Radial start: r·g(r²) = r_d on the monotone branch.
        let radius_map = |r: f64| {
            let (g, dg) = radial(r * r);
            (r * g, g + 2.0 * r * r * dg)
        };
        // Just inside r_max: at a pole of 1/(1 + k4·r²) the map itself is not finite.
        let mut hi = if r_max.is_finite() {
            r_max * (1.0 - 1e-9)
        } else {
            1.0
        };
        while !r_max.is_finite() && radius_map(hi).0 < r_d && hi < 1e150 {
            hi *= 2.0;
        }
        let r_start = if radius_map(hi).0 > r_d {
            solve_increasing(radius_map, r_d, 0.0, hi)
        } else {
            hi
        };
        let (mut a, mut b) = if r_d > 0.0 {
            (xd * r_start / r_d, yd * r_start / r_d)
        } else {
            (0.0, 0.0)
        };

        for _ in 0..MAX_NEWTON_ITERATIONS {
            let r2 = a * a + b * b;
            let (g, dg) = radial(r2);
            let fx = a * g + 2.0 * d.p1 * a * b + d.p2 * (r2 + 2.0 * a * a) - xd;
            let fy = b * g + d.p1 * (r2 + 2.0 * b * b) + 2.0 * d.p2 * a * b - yd;
            let j11 = g + 2.0 * a * a * dg + 2.0 * d.p1 * b + 6.0 * d.p2 * a;
            let j12 = 2.0 * a * b * dg + 2.0 * d.p1 * a + 2.0 * d.p2 * b;
            let j22 = g + 2.0 * b * b * dg + 6.0 * d.p1 * b + 2.0 * d.p2 * a;
            let det = j11 * j22 - j12 * j12;
            if det == 0.0 || !det.is_finite() {
                break;
            }
            let step_a = (fx * j22 - fy * j12) / det;
            let step_b = (fy * j11 - fx * j12) / det;
            a -= step_a;
            b -= step_b;
            if step_a.abs() + step_b.abs() <= 1e-15 * (1.0 + a.abs() + b.abs()) {
                break;
            }
        }

        let r2 = a * a + b * b;
        let (g, _) = radial(r2);
        let residual_x = a * g + 2.0 * d.p1 * a * b + d.p2 * (r2 + 2.0 * a * a) - xd;
        let residual_y = b * g + d.p1 * (r2 + 2.0 * b * b) + 2.0 * d.p2 * a * b - yd;
        let converged = residual_x.abs() + residual_y.abs() <= 1e-9 * (1.0 + r_d);
        (converged && r2.sqrt() <= r_max).then_some((a, b))
    }

    /// Fisheye inverse in normalised coordinates: the unit ray (not yet normalised for small
    /// radii) whose projection is `(xd, yd)`.
    fn unproject_fisheye(&self, xd: f64, yd: f64) -> Option<Vector3> {
        let r_d = xd.hypot(yd);
        if r_d <= FISHEYE_SMALL_RADIUS {
            // The forward map uses scale 1 here, so the distorted point is the normalised one.
            return Some(Vector3::new(xd, yd, 1.0));
        }
        let d = *self.distortion();
        let theta_d = |theta: f64| {
            let t2 = theta * theta;
            let value = theta * (1.0 + t2 * (d.k1 + t2 * (d.k2 + t2 * (d.k3 + t2 * d.k4))));
            let slope =
                1.0 + t2 * (3.0 * d.k1 + t2 * (5.0 * d.k2 + t2 * (7.0 * d.k3 + t2 * 9.0 * d.k4)));
            (value, slope)
        };
        let theta_max = self.monotonic_radius().atan();
        if theta_d(theta_max).0 <= r_d {
            return None;
        }
        let theta = solve_increasing(theta_d, r_d, 0.0, theta_max);
        let (sin, cos) = theta.sin_cos();
        (cos > 0.0).then(|| Vector3::new(sin * xd / r_d, sin * yd / r_d, cos))
    }
}

/// A per-model projection of camera-frame points, with its coefficients copied out of
/// `CameraParams` so the batch loop keeps them in registers.
trait Kernel: Copy {
    /// The pixel of a camera-frame point, or NaN pixels when z ≤ 0.
    fn project(self, camera: Vector3) -> Pixel;
}

#[derive(Clone, Copy)]
struct Pinhole {
    fx: f64,
    fy: f64,
    cx: f64,
    cy: f64,
}

impl Pinhole {
    fn new(camera: &CameraParams) -> Self {
        Self {
            fx: camera.fx(),
            fy: camera.fy(),
            cx: camera.cx(),
            cy: camera.cy(),
        }
    }
}

impl Kernel for Pinhole {
    #[inline(always)]
    fn project(self, camera: Vector3) -> Pixel {
        let inv_z = 1.0 / camera.z;
        let a = camera.x * inv_z;
        let b = camera.y * inv_z;
        in_front(camera.z, a * self.fx + self.cx, b * self.fy + self.cy)
    }
}

/// Brown–Conrady; `RATIONAL` adds the `1 / (1 + k4·r²)` factor, skipped (it is exactly 1 in
/// OpenCV too) when `k4 = 0` to save a division.
#[derive(Clone, Copy)]
struct BrownConrady<const RATIONAL: bool> {
    pinhole: Pinhole,
    k1: f64,
    k2: f64,
    k3: f64,
    k4: f64,
    p1: f64,
    p2: f64,
}

impl<const RATIONAL: bool> BrownConrady<RATIONAL> {
    fn new(camera: &CameraParams) -> Self {
        let d = camera.distortion();
        Self {
            pinhole: Pinhole::new(camera),
            k1: d.k1,
            k2: d.k2,
            k3: d.k3,
            k4: d.k4,
            p1: d.p1,
            p2: d.p2,
        }
    }
}

impl<const RATIONAL: bool> Kernel for BrownConrady<RATIONAL> {
    #[inline(always)]
    fn project(self, camera: Vector3) -> Pixel {
        // Same operations, in the same order, as OpenCV's cvProjectPoints2Internal.
        let inv_z = 1.0 / camera.z;
        let x = camera.x * inv_z;
        let y = camera.y * inv_z;
        let r2 = x * x + y * y;
        let r4 = r2 * r2;
        let r6 = r4 * r2;
        let a1 = 2.0 * x * y;
        let a2 = r2 + 2.0 * x * x;
        let a3 = r2 + 2.0 * y * y;
        let cdist = 1.0 + self.k1 * r2 + self.k2 * r4 + self.k3 * r6;
        let (x_radial, y_radial) = if RATIONAL {
            let icdist2 = 1.0 / (1.0 + self.k4 * r2);
            (x * cdist * icdist2, y * cdist * icdist2)
        } else {
            (x * cdist, y * cdist)
        };
        let xd = x_radial + self.p1 * a1 + self.p2 * a2;
        let yd = y_radial + self.p1 * a3 + self.p2 * a1;
        let pinhole = self.pinhole;
        in_front(
            camera.z,
            xd * pinhole.fx + pinhole.cx,
            yd * pinhole.fy + pinhole.cy,
        )
    }
}

#[derive(Clone, Copy)]
struct Fisheye {
    pinhole: Pinhole,
    k1: f64,
    k2: f64,
    k3: f64,
    k4: f64,
}

impl Fisheye {
    fn new(camera: &CameraParams) -> Self {
        let d = camera.distortion();
        Self {
            pinhole: Pinhole::new(camera),
            k1: d.k1,
            k2: d.k2,
            k3: d.k3,
            k4: d.k4,
        }
    }
}

impl Kernel for Fisheye {
    #[inline(always)]
    fn project(self, camera: Vector3) -> Pixel {
        // θ = atan2(ρ, Z) with ρ = √(X² + Y²), and a·(θd / r) = X·θd / ρ: no division by Z, so
        // grazing rays (Z → 0⁺) keep full precision instead of overflowing r = ρ / Z.
        let rho = (camera.x * camera.x + camera.y * camera.y).sqrt();
        let theta = atan2_non_negative(rho, camera.z);
        let theta2 = theta * theta;
        let theta3 = theta2 * theta;
        let theta4 = theta2 * theta2;
        let theta5 = theta4 * theta;
        let theta6 = theta3 * theta3;
        let theta7 = theta6 * theta;
        let theta8 = theta4 * theta4;
        let theta9 = theta8 * theta;
        let theta_d =
            theta + self.k1 * theta3 + self.k2 * theta5 + self.k3 * theta7 + self.k4 * theta9;
        // OpenCV: scale 1 when r = ρ/Z ≤ 1e-8, i.e. the plain pinhole projection.
        // One division whichever case applies: a select of operands, not of two quotients.
        let (numerator, denominator) = if rho > FISHEYE_SMALL_RADIUS * camera.z {
            (theta_d, rho)
        } else {
            (1.0, camera.z)
        };
        let scale = numerator / denominator;
        let pinhole = self.pinhole;
        in_front(
            camera.z,
            camera.x * scale * pinhole.fx + pinhole.cx,
            camera.y * scale * pinhole.fy + pinhole.cy,
        )
    }
}

/// `atan2(y, x)` for `y ≥ 0`, `x > 0` (other inputs give a meaningless finite or NaN value),
/// written without branches or library calls so the batch loop stays vectorisable; libm's
/// `atan2` made the fisheye loop three times slower.
///
/// Cephes `atan` (S. L. Moshier; the same coefficients as Go's `math.Atan`): the ratio is reduced
/// to `|t| ≤ 0.66` by `atan(t) = π/2 − atan(1/t)` or `π/4 + atan((t − 1)/(t + 1))`, then a
/// rational approximation of degree 4/5 in `t²`. Working on `y` and `x` rather than `y/x` avoids
/// overflow for grazing rays. Measured error ≤ 1 ulp against libm (unit test below).
#[inline(always)]
fn atan2_non_negative(y: f64, x: f64) -> f64 {
    const TAN_3PI_8: f64 = 2.414_213_562_373_095;
    const MORE_BITS: f64 = 6.123_233_995_736_766e-17;
    const P: [f64; 5] = [
        -8.750_608_600_031_904e-1,
        -1.615_753_718_733_365e1,
        -7.500_855_792_314_705e1,
        -1.228_866_684_490_136e2,
        -6.485_021_904_942_025e1,
    ];
    const Q: [f64; 5] = [
        2.485_846_490_142_306e1,
        1.650_270_098_316_988_5e2,
        4.328_810_604_912_903e2,
        4.853_903_996_359_137e2,
        1.945_506_571_482_614e2,
    ];
    let big = y > TAN_3PI_8 * x;
    let middle = y > 0.66 * x;
    let (numerator, denominator, offset) = if big {
        (-x, y, FRAC_PI_2 + MORE_BITS)
    } else if middle {
        (y - x, y + x, std::f64::consts::FRAC_PI_4 + 0.5 * MORE_BITS)
    } else {
        (y, x, 0.0)
    };
    let t = numerator / denominator;
    let z = t * t;
    let p = (((P[0] * z + P[1]) * z + P[2]) * z + P[3]) * z + P[4];
    let q = ((((z + Q[0]) * z + Q[1]) * z + Q[2]) * z + Q[3]) * z + Q[4];
    offset + (t * (z * p / q) + t)
}

/// The pixel when `z > 0`, else [`Pixel::NOT_PROJECTABLE`]; written as selects, not a branch.
#[inline(always)]
fn in_front(z: f64, u: f64, v: f64) -> Pixel {
    let in_front = z > 0.0;
    Pixel::new(
        if in_front { u } else { f64::NAN },
        if in_front { v } else { f64::NAN },
    )
}

/// Solves `f(x) = target` for `f` increasing on `[lo, hi]` with `f(lo) ≤ target < f(hi)`, by
/// Newton steps that fall back to bisection when they leave the bracket. `f` returns the value
/// and the slope.
fn solve_increasing(f: impl Fn(f64) -> (f64, f64), target: f64, lo: f64, hi: f64) -> f64 {
    let (mut lo, mut hi) = (lo, hi);
    let mut x = 0.5 * (lo + hi);
    for _ in 0..200 {
        let (value, slope) = f(x);
        let error = value - target;
        if error == 0.0 {
            return x;
        }
        if error < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - error / slope;
        let next = if newton > lo && newton < hi && newton.is_finite() {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if next == x || hi <= lo {
            return x;
        }
        x = next;
    }
    x
}

/// The smallest `s` in `(0, upper)` where the polynomial `Σ coefficients[i]·sⁱ` changes sign,
/// given `coefficients[0] > 0`. Roots of a polynomial are separated by the roots of its
/// derivative, so this recurses on the derivative and bisects each monotone piece.
fn first_positive_root(coefficients: &[f64], upper: f64) -> Option<f64> {
    let mut degree = coefficients.len();
    while degree > 0 && coefficients.get(degree - 1) == Some(&0.0) {
        degree -= 1;
    }
    let coefficients = coefficients.get(..degree)?;
    let upper = upper.min(cauchy_bound(coefficients));
    let mut roots = Vec::new();
    real_roots(coefficients, 0.0, upper, &mut roots);
    roots.into_iter().find(|root| *root > 0.0 && *root < upper)
}

/// Every sign-changing real root of the polynomial in `(lo, hi)`, in increasing order.
fn real_roots(coefficients: &[f64], lo: f64, hi: f64, roots: &mut Vec<f64>) {
    if coefficients.len() < 2 {
        return;
    }
    let derivative: Vec<f64> = coefficients
        .iter()
        .enumerate()
        .skip(1)
        .map(|(power, coefficient)| coefficient * power as f64)
        .collect();
    let mut breakpoints = vec![lo];
    real_roots(&derivative, lo, hi, &mut breakpoints);
    breakpoints.push(hi);
    for pair in breakpoints.windows(2) {
        if let [left, right] = *pair {
            let (f_left, f_right) = (horner(coefficients, left), horner(coefficients, right));
            if f_left == 0.0 && left > lo {
                roots.push(left);
            } else if f_left.signum() != f_right.signum() && f_right != 0.0 {
                roots.push(bisect(coefficients, left, right));
            }
        }
    }
    roots.dedup();
}

fn bisect(coefficients: &[f64], mut lo: f64, mut hi: f64) -> f64 {
    let f_lo_positive = horner(coefficients, lo) > 0.0;
    for _ in 0..4096 {
        // Geometric midpoints while the bracket spans orders of magnitude.
        let mid = if lo > 0.0 && hi > 4.0 * lo {
            (lo.sqrt()) * (hi.sqrt())
        } else if lo == 0.0 && hi > 1.0 {
            1.0
        } else {
            0.5 * (lo + hi)
        };
        if mid <= lo || mid >= hi {
            break;
        }
        if (horner(coefficients, mid) > 0.0) == f_lo_positive {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn horner(coefficients: &[f64], s: f64) -> f64 {
    coefficients
        .iter()
        .rev()
        .fold(0.0, |accumulator, coefficient| {
            accumulator * s + coefficient
        })
}

/// Every root's magnitude is below `1 + max |cᵢ / c_n|`.
fn cauchy_bound(coefficients: &[f64]) -> f64 {
    let Some((leading, rest)) = coefficients.split_last() else {
        return f64::INFINITY;
    };
    1.0 + rest
        .iter()
        .map(|coefficient| (coefficient / leading).abs())
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atan2_matches_libm_within_an_ulp() {
        let mut worst = 0.0_f64;
        let mut check = |y: f64, x: f64| {
            let (ours, libm) = (atan2_non_negative(y, x), y.atan2(x));
            let error = (ours - libm).abs() / libm.max(f64::MIN_POSITIVE);
            worst = worst.max(error);
        };
        for i in 0..=200_000 {
            let angle = FRAC_PI_2 * f64::from(i) / 200_000.0;
            check(angle.sin(), angle.cos());
            check(angle.sin() * 1e-300, angle.cos() * 1e-300);
        }
        for exponent in -300..=300 {
            check(10f64.powi(exponent), 1.0);
            check(1.0, 10f64.powi(exponent));
            check(2.414_213_562_373_095, 1.0);
            check(0.66, 1.0);
        }
        check(0.0, 1.0);
        assert!(
            worst <= 2.0 * f64::EPSILON,
            "worst relative error {worst:e}"
        );
    }

    #[test]
    fn first_root_of_quadratics() {
        // (1 − s)(1 − s/4) = 1 − 1.25 s + 0.25 s²
        let root = first_positive_root(&[1.0, -1.25, 0.25], f64::INFINITY).unwrap();
        assert!((root - 1.0).abs() < 1e-15, "{root}");
        assert_eq!(first_positive_root(&[1.0, 1.0, 1.0], f64::INFINITY), None);
        assert_eq!(first_positive_root(&[1.0, -1.0], 0.5), None);
        let root = first_positive_root(&[1.0, -1e-12], f64::INFINITY).unwrap();
        assert!((root / 1e12 - 1.0).abs() < 1e-15, "{root}");
    }

    #[test]
    fn first_root_of_a_quartic() {
        // (s − 2)(s − 3)(s − 5)(s − 7) / 210, so the constant term is 1.
        let coefficients = [210.0, -247.0, 101.0, -17.0, 1.0].map(|c| c / 210.0);
        let root = first_positive_root(&coefficients, f64::INFINITY).unwrap();
        assert!((root - 2.0).abs() < 1e-14, "{root}");
    }
}
