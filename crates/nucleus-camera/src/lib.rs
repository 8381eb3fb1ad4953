//! Camera parameters and projection for Scale AI Nucleus 3D data.
//!
//! [`CameraParams`] holds a camera's pose, intrinsics and lens model as Nucleus stores them under
//! `metadata.camera_params`, reads and writes the SDK's JSON shape with errors that name the
//! offending field, and projects world points and [`Cuboid`]s to pixels with the pinhole,
//! Brown–Conrady (OpenCV plumb-bob, plus `k4` as OpenCV's rational term) and fisheye (OpenCV
//! Kannala–Brandt) models. The crate knows nothing of dataset items; it is the math layer.
//! The [`overlay`] module draws projected lidar points and cuboid wireframes onto an RGB pixel
//! buffer ([`Canvas`]); reading and writing image files is left to the caller.
//!
//! The worked example of the specification: a camera 1.5 m above the origin looking along
//! world +X, and a car-sized cuboid 10 m ahead.
//!
//! ```
//! use nucleus_camera::{CameraParams, Cuboid, Pixel, Point3D};
//!
//! let camera = CameraParams::from_json(&serde_json::json!({
//!     "position": {"x": 0.0, "y": 0.0, "z": 1.5},
//!     "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5},
//!     "fx": 1000.0, "fy": 1000.0, "cx": 960.0, "cy": 540.0,
//! }))?;
//! assert_eq!(camera.project(Point3D::new(10.0, 0.0, 1.5)), Some(Pixel::new(960.0, 540.0)));
//! // Behind the camera: not projectable, never a mirrored pixel.
//! assert_eq!(camera.project(Point3D::new(-10.0, 0.0, 1.5)), None);
//!
//! let cuboid = Cuboid::from_json(&serde_json::json!({
//!     "position": {"x": 10.0, "y": 0.0, "z": 0.0},
//!     "dimensions": {"x": 4.0, "y": 2.0, "z": 1.5},
//!     "yaw": 0.0,
//! }))?;
//! assert_eq!(cuboid.corners()[0], Point3D::new(12.0, 1.0, -0.75));
//! let corners = camera.project_cuboid(&cuboid);
//! assert!(corners.iter().all(Option::is_some));
//!
//! // Many points: one call, a caller-provided buffer, NaN pixels where not projectable.
//! let points = [Point3D::new(10.0, 0.0, 1.5), Point3D::new(-1.0, 0.0, 0.0)];
//! let mut pixels = [Pixel::default(); 2];
//! camera.project_into(&points, &mut pixels)?;
//! assert!(pixels[0].is_finite() && !pixels[1].is_finite());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Conventions
//! - World is z-up. `position` is the optical centre in world coordinates.
//! - `heading` is a Hamilton quaternion `w + xi + yj + zk` (written `{x, y, z, w}`) rotating
//!   camera coordinates into world coordinates. It is normalised before use; zero is an error.
//! - Camera axes: +x image right, +y image down, +z forward along the optical axis.
//! - World → camera: `p_cam = R(heading)ᵀ · (p_world − position)`.
//! - A point projects only if its camera-frame z > 0. Pixels are continuous, (cx, cy) is the
//!   principal point, no half-pixel shift; `Pixel::x` is OpenCV's u (column), `y` is v (row).
//! - Normalised coordinates `a = X/Z`, `b = Y/Z`, `r² = a² + b²`. Pinhole: `u = fx·a + cx`.
//!   Brown–Conrady: radial `(1 + k1r² + k2r⁴ + k3r⁶) / (1 + k4r²)`, then OpenCV's tangential
//!   terms with p1, p2 — exactly `cv2.projectPoints` with coefficients
//!   `(k1, k2, p1, p2, k3, k4, 0, 0)`. Fisheye: `θ = atan2(√(X² + Y²), Z)`,
//!   `θd = θ(1 + k1θ² + k2θ⁴ + k3θ⁶ + k4θ⁸)`, `u = fx·a·θd/r + cx` (scale 1 when r ≤ 1e-8) —
//!   `cv2.fisheye.projectPoints` with `(k1, k2, k3, k4)`; p1 and p2 are ignored.
//! - Everything is f64. Results agree with OpenCV to within 1e-6 px + 1e-9·|value| on points
//!   in front of the camera, checked row by row against a table OpenCV generated
//!   (`tests/data/opencv_reference.json`), including grazing fisheye rays up to 89.9° and
//!   strongly distorted points far outside the image.
//! - Beyond [`CameraParams::monotonic_radius`] a distortion polynomial folds back: projections
//!   there are what OpenCV computes but no longer what the calibration meant.
//!
//! # Differences from the SDK
//! The SDK accepts any JSON for the numbers and checks only that required keys exist and that
//! `camera_model` is known. This crate also requires finite numbers, `fx` and `fy` > 0 and a
//! non-zero heading, so every accepted camera projects. Everything the SDK rejects is rejected.
//!
//! # Features
//! - `schema`: `schemars::JsonSchema` for [`CameraParams`], [`CameraModel`], [`Vector3`] and
//!   [`Quaternion`], describing the JSON [`CameraParams::from_json`] accepts (used by
//!   `nucleus-schema`).

mod cuboid;
mod error;
mod geometry;
mod json;
pub mod overlay;
mod params;
mod project;
#[cfg(feature = "schema")]
mod schema;

pub use cuboid::Cuboid;
pub use error::Error;
pub use geometry::{Pixel, Point3D, Quaternion, Vector3};
pub use overlay::{Canvas, PointStyle, Rgb};
pub use params::{CameraModel, CameraParams, Distortion};
