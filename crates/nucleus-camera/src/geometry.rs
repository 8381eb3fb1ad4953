//! Points, quaternions, pixels and the rotation matrix.

use std::ops;

use serde::{Deserialize, Serialize};

/// A vector or point in 3D, in metres when it is a position. Serialised as `{"x", "y", "z"}`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Vector3 {
    /// The x component.
    pub x: f64,
    /// The y component.
    pub y: f64,
    /// The z component.
    pub z: f64,
}

/// A point in 3D: the SDK's name for [`Vector3`].
pub type Point3D = Vector3;

impl Vector3 {
    /// The zero vector.
    pub const ZERO: Self = Self::new(0.0, 0.0, 0.0);

    /// A vector from its three components.
    #[must_use]
    pub const fn new(x: f64, y: f64, z: f64) -> Self {
        Self { x, y, z }
    }

    /// The dot product.
    #[must_use]
    pub fn dot(self, other: Self) -> f64 {
        self.x * other.x + self.y * other.y + self.z * other.z
    }

    /// The cross product `self × other`.
    #[must_use]
    pub fn cross(self, other: Self) -> Self {
        Self::new(
            self.y * other.z - self.z * other.y,
            self.z * other.x - self.x * other.z,
            self.x * other.y - self.y * other.x,
        )
    }

    /// The Euclidean length.
    #[must_use]
    pub fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }

    /// Whether all three components are finite.
    #[must_use]
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite() && self.z.is_finite()
    }
}

impl ops::Add for Vector3 {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self::new(self.x + other.x, self.y + other.y, self.z + other.z)
    }
}

impl ops::Sub for Vector3 {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        Self::new(self.x - other.x, self.y - other.y, self.z - other.z)
    }
}

impl ops::Mul<f64> for Vector3 {
    type Output = Self;
    fn mul(self, factor: f64) -> Self {
        Self::new(self.x * factor, self.y * factor, self.z * factor)
    }
}

impl ops::Neg for Vector3 {
    type Output = Self;
    fn neg(self) -> Self {
        Self::new(-self.x, -self.y, -self.z)
    }
}

/// A Hamilton quaternion `w + xi + yj + zk`, serialised as `{"x", "y", "z", "w"}` like the SDK.
///
/// As a camera heading it rotates camera coordinates into world coordinates. It need not be of
/// unit length: [`Quaternion::to_rotation_matrix`] normalises it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "schema",
    derive(schemars::JsonSchema),
    schemars(
        description = "A Hamilton quaternion w + xi + yj + zk, written {x, y, z, w} as in the SDK; need not be of unit length."
    )
)]
pub struct Quaternion {
    /// The i component.
    pub x: f64,
    /// The j component.
    pub y: f64,
    /// The k component.
    pub z: f64,
    /// The real component.
    pub w: f64,
}

impl Default for Quaternion {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl Quaternion {
    /// The identity rotation: the camera looks along world +Z with image right along world +X.
    pub const IDENTITY: Self = Self::new(0.0, 0.0, 0.0, 1.0);

    /// A quaternion from its components in the SDK's order (x, y, z, w).
    #[must_use]
    pub const fn new(x: f64, y: f64, z: f64, w: f64) -> Self {
        Self { x, y, z, w }
    }

    /// The quaternion rotating by `angle` radians counter-clockwise about `axis` (which need not
    /// be of unit length; a zero axis gives the identity).
    #[must_use]
    pub fn from_axis_angle(axis: Vector3, angle: f64) -> Self {
        let norm = axis.norm();
        if norm == 0.0 || !norm.is_finite() {
            return Self::IDENTITY;
        }
        let (sin, cos) = (angle / 2.0).sin_cos();
        let scale = sin / norm;
        Self::new(axis.x * scale, axis.y * scale, axis.z * scale, cos)
    }

    /// The Euclidean norm `√(x² + y² + z² + w²)`.
    #[must_use]
    pub fn norm(self) -> f64 {
        let scale = self.max_abs();
        if scale == 0.0 || !scale.is_finite() {
            return scale;
        }
        let (x, y, z, w) = (
            self.x / scale,
            self.y / scale,
            self.z / scale,
            self.w / scale,
        );
        scale * (x * x + y * y + z * z + w * w).sqrt()
    }

    /// The rotation matrix of the normalised quaternion (row-major), or `None` when the
    /// quaternion is zero or not finite.
    ///
    /// The components are first divided by the largest magnitude, so very small or very large
    /// quaternions neither underflow nor overflow.
    #[must_use]
    pub fn to_rotation_matrix(self) -> Option<[[f64; 3]; 3]> {
        let scale = self.max_abs();
        if scale == 0.0 || !scale.is_finite() || !self.is_finite() {
            return None;
        }
        let (x, y, z, w) = (
            self.x / scale,
            self.y / scale,
            self.z / scale,
            self.w / scale,
        );
        // s = 2 / |q|² folds the normalisation into the matrix; |q|² is in [1, 4] here.
        let s = 2.0 / (x * x + y * y + z * z + w * w);
        let (xx, yy, zz) = (x * x * s, y * y * s, z * z * s);
        let (xy, xz, yz) = (x * y * s, x * z * s, y * z * s);
        let (xw, yw, zw) = (x * w * s, y * w * s, z * w * s);
        Some([
            [1.0 - (yy + zz), xy - zw, xz + yw],
            [xy + zw, 1.0 - (xx + zz), yz - xw],
            [xz - yw, yz + xw, 1.0 - (xx + yy)],
        ])
    }

    /// Rotates `vector` by the normalised quaternion; `None` when the quaternion is zero.
    #[must_use]
    pub fn rotate(self, vector: Vector3) -> Option<Vector3> {
        self.to_rotation_matrix()
            .map(|matrix| mat_mul_vec(&matrix, vector))
    }

    /// Whether all four components are finite.
    #[must_use]
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite() && self.z.is_finite() && self.w.is_finite()
    }

    fn max_abs(self) -> f64 {
        self.x
            .abs()
            .max(self.y.abs())
            .max(self.z.abs())
            .max(self.w.abs())
    }
}

/// The Hamilton product `self · other`: the rotation applying `other` first, then `self`.
impl ops::Mul for Quaternion {
    type Output = Self;
    fn mul(self, other: Self) -> Self {
        let (a, b) = (self, other);
        Self::new(
            a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
            a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
            a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
            a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
        )
    }
}

/// A position in the image, in pixels: `x` is the column (OpenCV's u, growing right), `y` the
/// row (v, growing down). Pixels are continuous: the centre of the top-left pixel is (0.5, 0.5)
/// only if the caller's calibration says so; no half-pixel shift is applied.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Pixel {
    /// Column coordinate (u).
    pub x: f64,
    /// Row coordinate (v).
    pub y: f64,
}

impl Pixel {
    /// What batch projection writes for a point that cannot be projected: both coordinates NaN.
    pub const NOT_PROJECTABLE: Self = Self::new(f64::NAN, f64::NAN);

    /// A pixel from its column and row.
    #[must_use]
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// Whether both coordinates are finite (false for [`Pixel::NOT_PROJECTABLE`]).
    #[must_use]
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// `matrix · vector` for a row-major 3×3 matrix.
pub(crate) fn mat_mul_vec(matrix: &[[f64; 3]; 3], vector: Vector3) -> Vector3 {
    let [r0, r1, r2] = matrix;
    Vector3::new(
        r0[0] * vector.x + r0[1] * vector.y + r0[2] * vector.z,
        r1[0] * vector.x + r1[1] * vector.y + r1[2] * vector.z,
        r2[0] * vector.x + r2[1] * vector.y + r2[2] * vector.z,
    )
}

/// The transpose of a 3×3 matrix (the inverse of a rotation).
pub(crate) fn transpose(matrix: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let [[a, b, c], [d, e, f], [g, h, i]] = *matrix;
    [[a, d, g], [b, e, h], [c, f, i]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_quaternion_gives_identity_matrix() {
        let matrix = Quaternion::IDENTITY.to_rotation_matrix().unwrap();
        assert_eq!(matrix, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
    }

    #[test]
    fn zero_quaternion_has_no_matrix() {
        assert_eq!(
            Quaternion::new(0.0, 0.0, 0.0, 0.0).to_rotation_matrix(),
            None
        );
        assert_eq!(
            Quaternion::new(f64::NAN, 0.0, 0.0, 1.0).to_rotation_matrix(),
            None
        );
    }

    #[test]
    fn quarter_turn_about_z_maps_x_to_y() {
        let quarter =
            Quaternion::from_axis_angle(Vector3::new(0.0, 0.0, 1.0), std::f64::consts::FRAC_PI_2);
        let rotated = quarter.rotate(Vector3::new(1.0, 0.0, 0.0)).unwrap();
        assert!((rotated - Vector3::new(0.0, 1.0, 0.0)).norm() < 1e-15);
    }

    #[test]
    fn tiny_and_huge_quaternions_normalise() {
        let expected = Quaternion::new(0.1, 0.2, 0.3, 0.9)
            .to_rotation_matrix()
            .unwrap();
        for scale in [1e-300, 1e-10, 7.0, 1e300] {
            let q = Quaternion::new(0.1 * scale, 0.2 * scale, 0.3 * scale, 0.9 * scale);
            let matrix = q.to_rotation_matrix().unwrap();
            for (row, expected_row) in matrix.iter().zip(&expected) {
                for (value, expected_value) in row.iter().zip(expected_row) {
                    assert!(
                        (value - expected_value).abs() < 1e-14,
                        "{scale}: {matrix:?}"
                    );
                }
            }
        }
    }
}
