//! Camera parameters and projection for Scale AI Nucleus 3D data.
//!
//! [`CameraParams`] holds a camera's pose, intrinsics and lens model as Nucleus stores them under
//! `metadata.camera_params`, reads and writes the SDK's JSON shape with errors that name the
//! offending field, and projects world points and [`Cuboid`]s to pixels with the pinhole,
//! Brown–Conrady (OpenCV plumb-bob, plus `k4` as OpenCV's rational term) and fisheye (OpenCV
//! Kannala–Brandt) models. The crate knows nothing of dataset items; it is the math layer.
//!
//! ```
//! use nucleus_camera::CameraParams;
//!
//! let camera = CameraParams::from_json(&serde_json::json!({
//!     "position": {"x": 0.0, "y": 0.0, "z": 1.5},
//!     "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5},
//!     "fx": 1000.0, "fy": 1000.0, "cx": 960.0, "cy": 540.0,
//! }))?;
//! assert_eq!(camera.fx(), 1000.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Conventions
//! - World is z-up. `position` is the optical centre in world coordinates.
//! - `heading` is a Hamilton quaternion `w + xi + yj + zk` (written `{x, y, z, w}`) rotating
//!   camera coordinates into world coordinates. It is normalised before use; zero is an error.
//! - Camera axes: +x image right, +y image down, +z forward along the optical axis.
//! - World → camera: `p_cam = R(heading)ᵀ · (p_world − position)`.
//!
//! # Features
//! - `schema`: `schemars::JsonSchema` for [`CameraParams`], [`CameraModel`], [`Vector3`] and
//!   [`Quaternion`], describing the JSON [`CameraParams::from_json`] accepts (used by
//!   `nucleus-schema`).

mod cuboid;
mod error;
mod geometry;
mod json;
mod params;
#[cfg(feature = "schema")]
mod schema;

pub use cuboid::Cuboid;
pub use error::Error;
pub use geometry::{Pixel, Point3D, Quaternion, Vector3};
pub use params::{CameraModel, CameraParams, Distortion};
