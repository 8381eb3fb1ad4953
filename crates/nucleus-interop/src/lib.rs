//! Camera calibrations and positions to and from the formats teams already have: ROS
//! `sensor_msgs/CameraInfo`, Foxglove `CameraCalibration`, OpenCV `K` + distortion + `rvec`/`tvec`,
//! and GeoJSON.
//!
//! Each format names the same lens models differently — OpenCV's plumb-bob is ROS `plumb_bob`
//! and Nucleus `brown_conrady`; OpenCV's fisheye is ROS `equidistant`, Foxglove
//! `kannala_brandt` and Nucleus `fisheye`; `rational_polynomial` is plumb-bob with k4–k6, of
//! which Nucleus holds k4 — and orders poses and coordinates differently. Every conversion here
//! is exact or an [`Error`] naming the field that cannot be carried over: skew, non-zero k5/k6,
//! a separate rectified camera, binning. Nothing is approximated.
//!
//! ```
//! use nucleus_interop::{CameraInfo, OpenCvCalibration, Pose, Rectification};
//! use nucleus_camera::{Point3D, Quaternion, Vector3};
//!
//! let info: CameraInfo = serde_json::from_str(r#"{
//!     "header": {"frame_id": "front_camera_optical_frame"},
//!     "width": 1920, "height": 1080, "distortion_model": "plumb_bob",
//!     "d": [-0.1, 0.01, 0.0, 0.0, 0.0],
//!     "k": [1000, 0, 960, 0, 1000, 540, 0, 0, 1],
//!     "r": [1, 0, 0, 0, 1, 0, 0, 0, 1],
//!     "p": [1000, 0, 960, 0, 0, 1000, 540, 0, 0, 0, 1, 0]
//! }"#)?;
//! // The pose of the camera's *link* frame (x forward, y left, z up), 1.5 m above the origin.
//! let link = Pose { position: Vector3::new(0.0, 0.0, 1.5), orientation: Quaternion::IDENTITY };
//! let camera = info.to_camera_params(&link.link_to_optical(), Rectification::Strict)?;
//! assert_eq!(camera.project(Point3D::new(10.0, 0.0, 1.5)).map(|p| (p.x, p.y)), Some((960.0, 540.0)));
//!
//! // The same camera for OpenCV: the pose becomes world → camera rvec/tvec.
//! let opencv = OpenCvCalibration::from_camera_params(&camera, info.image_size())?;
//! assert_eq!(opencv.dist_coeffs, [-0.1, 0.01, 0.0, 0.0, 0.0]);
//! assert!(opencv.tvec.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Conventions
//! - A [`Pose`] is camera → world with camera axes x right, y down, z forward: Nucleus's
//!   `heading`/`position`, and the pose of a ROS *optical* frame (REP 103), unchanged. A ROS
//!   camera *link* frame (x forward, y left, z up) needs the fixed rotation
//!   [`Pose::OPTICAL_IN_LINK`]: use [`Pose::link_to_optical`].
//! - OpenCV's `rvec`/`tvec` are world → camera ([`WorldToCamera`]): `p_cam = R(rvec)·p_world +
//!   tvec`, the inverse of the pose.
//! - `K` and `D` describe the raw (distorted) image, which is what Nucleus `camera_params`
//!   describes. `R` and `P` describe the rectified image; see [`Rectification`] for when they
//!   are an error.
//! - Zero coefficients are written explicitly where the target has a place for them (a pinhole
//!   camera is `plumb_bob` with five zeros). All-zero plumb-bob coefficients read back as a
//!   Nucleus pinhole camera (no `camera_model`), which projects identically.
//! - A Nucleus fisheye camera with non-zero `p1`/`p2` (which its projection ignores) cannot be
//!   written to any fisheye format: an error rather than a silent drop.
//!
//! The [`geojson`] module exports items' `lat`/`lon` as GeoJSON and reads positions back.

mod error;
pub mod geojson;
mod lens;
mod opencv;
mod pose;
mod ros;

pub use error::Error;
pub use opencv::{OpenCvCalibration, OpenCvModel};
pub use pose::{Pose, WorldToCamera};
pub use ros::{
    CameraCalibration, CameraInfo, FoxgloveTime, Header, ImageSize, Rectification,
    RegionOfInterest, Time,
};
