//! ROS `sensor_msgs/CameraInfo` and Foxglove `CameraCalibration`.

use nucleus_camera::CameraParams;
use serde::{Deserialize, Serialize};

use crate::lens::{self, Lens};
use crate::{Error, Pose};

/// What to do with a calibration's rectification (`R`) and projection (`P`) matrices when they
/// describe a rectified camera other than the raw one.
///
/// Nucleus `camera_params` describes one camera: the image that was uploaded, which for a ROS
/// camera is the raw (distorted) image described by `K` and `D`. `R` = identity and `P` = `[K |
/// 0]` (or all zeros: not set) add nothing, and convert either way. Anything else — a stereo
/// rectification rotation, or `P` from `getOptimalNewCameraMatrix`, as ROS's monocular
/// calibrator writes — describes the rectified image, which `camera_params` cannot hold
/// alongside: converting would drop it.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rectification {
    /// `R` must be identity and `P` `[K | 0]` (or unset); otherwise [`Error::Rectification`].
    #[default]
    Strict,
    /// Convert `K` and `D` (the raw image, exactly) and drop `R` and `P`.
    Drop,
}

/// The pixel size of the calibrated image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageSize {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl ImageSize {
    /// `None` when either side is 0 (ROS's "not calibrated" value).
    #[must_use]
    pub fn new(width: u32, height: u32) -> Option<ImageSize> {
        (width > 0 && height > 0).then_some(ImageSize { width, height })
    }
}

/// ROS 2 `sensor_msgs/msg/CameraInfo` as JSON (`ros2 topic echo --json`, rosbridge, Foxglove's
/// ROS support). ROS 1 names (`D`, `K`, `R`, `P`, `header.stamp.secs`) are read too; ROS 2
/// names are written. Errors name ROS 2 fields (`/k/1`).
///
/// `K` and `D` describe the raw image; `header.frame_id` is the camera's *optical* frame
/// (x right, y down, z forward), whose pose is [`Pose`] unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraInfo {
    /// Timestamp and the camera's optical frame.
    #[serde(default)]
    pub header: Header,
    /// Image height in pixels (0: not calibrated).
    pub height: u32,
    /// Image width in pixels (0: not calibrated).
    pub width: u32,
    /// `plumb_bob`, `rational_polynomial` or `equidistant`.
    pub distortion_model: String,
    /// Distortion coefficients, OpenCV's order.
    #[serde(alias = "D")]
    pub d: Vec<f64>,
    /// Intrinsic matrix of the raw image, row-major 3×3.
    #[serde(alias = "K")]
    pub k: [f64; 9],
    /// Rectification rotation, row-major 3×3 (identity for a monocular camera).
    #[serde(alias = "R")]
    pub r: [f64; 9],
    /// Projection matrix of the rectified image, row-major 3×4.
    #[serde(alias = "P")]
    pub p: [f64; 12],
    /// Horizontal binning (0 or 1: none).
    #[serde(default)]
    pub binning_x: u32,
    /// Vertical binning (0 or 1: none).
    #[serde(default)]
    pub binning_y: u32,
    /// Region of interest (all zeros: the full image).
    #[serde(default)]
    pub roi: RegionOfInterest,
}

/// `std_msgs/Header`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Header {
    /// Acquisition time.
    #[serde(default)]
    pub stamp: Time,
    /// The camera's optical frame.
    #[serde(default)]
    pub frame_id: String,
}

/// `builtin_interfaces/Time` (ROS 1 `secs`/`nsecs` are read too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Time {
    /// Seconds.
    #[serde(alias = "secs")]
    pub sec: i64,
    /// Nanoseconds.
    #[serde(alias = "nsecs")]
    pub nanosec: u32,
}

/// `sensor_msgs/RegionOfInterest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RegionOfInterest {
    /// Left column.
    #[serde(default)]
    pub x_offset: u32,
    /// Top row.
    #[serde(default)]
    pub y_offset: u32,
    /// Height (0: full image).
    #[serde(default)]
    pub height: u32,
    /// Width (0: full image).
    #[serde(default)]
    pub width: u32,
    /// Whether the ROI is of the rectified image.
    #[serde(default)]
    pub do_rectify: bool,
}

/// Foxglove's `foxglove.CameraCalibration` as JSON. Errors name its fields (`/K/1`).
///
/// Same meaning as ROS's `CameraInfo` (the fisheye model is named `kannala_brandt`); `frame_id`
/// is the camera's optical frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraCalibration {
    /// Timestamp of the calibration.
    #[serde(default)]
    pub timestamp: FoxgloveTime,
    /// The camera's optical frame.
    #[serde(default)]
    pub frame_id: String,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// `plumb_bob`, `rational_polynomial` or `kannala_brandt`.
    pub distortion_model: String,
    /// Distortion coefficients, OpenCV's order.
    #[serde(rename = "D")]
    pub d: Vec<f64>,
    /// Intrinsic matrix of the raw image, row-major 3×3.
    #[serde(rename = "K")]
    pub k: [f64; 9],
    /// Rectification rotation, row-major 3×3.
    #[serde(rename = "R")]
    pub r: [f64; 9],
    /// Projection matrix of the rectified image, row-major 3×4.
    #[serde(rename = "P")]
    pub p: [f64; 12],
}

/// Foxglove's timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FoxgloveTime {
    /// Seconds.
    pub sec: u32,
    /// Nanoseconds.
    pub nsec: u32,
}

/// The two formats differ only in names.
#[derive(Debug, Clone, Copy)]
enum Flavor {
    Ros,
    Foxglove,
}

impl Flavor {
    const fn target(self) -> &'static str {
        match self {
            Flavor::Ros => "ROS CameraInfo",
            Flavor::Foxglove => "Foxglove CameraCalibration",
        }
    }

    const fn fisheye(self) -> &'static str {
        match self {
            Flavor::Ros => "equidistant",
            Flavor::Foxglove => "kannala_brandt",
        }
    }

    const fn expected_models(self) -> &'static str {
        match self {
            Flavor::Ros => "\"plumb_bob\", \"rational_polynomial\" or \"equidistant\"",
            Flavor::Foxglove => "\"plumb_bob\", \"rational_polynomial\" or \"kannala_brandt\"",
        }
    }

    fn field(self, name: &str, index: usize) -> String {
        match self {
            Flavor::Ros => format!("/{}/{index}", name.to_ascii_lowercase()),
            Flavor::Foxglove => format!("/{name}/{index}"),
        }
    }

    fn vector(self, name: &str) -> String {
        match self {
            Flavor::Ros => format!("/{}", name.to_ascii_lowercase()),
            Flavor::Foxglove => format!("/{name}"),
        }
    }
}

/// The shared fields, borrowed.
struct Wire<'a> {
    flavor: Flavor,
    model: &'a str,
    d: &'a [f64],
    k: &'a [f64; 9],
    r: &'a [f64; 9],
    p: &'a [f64; 12],
}

impl Wire<'_> {
    fn to_camera_params(
        &self,
        pose: &Pose,
        rectification: Rectification,
    ) -> Result<CameraParams, Error> {
        let flavor = self.flavor;
        let intrinsics = lens::intrinsics(self.k, |index| flavor.field("K", index))?;
        let (lens, expected_len, expected) = match self.model {
            "plumb_bob" => (Lens::PlumbBob, 5, "5"),
            "rational_polynomial" => (Lens::Rational, 8, "8"),
            name if name == flavor.fisheye() => (Lens::Fisheye, 4, "4"),
            other => {
                return Err(Error::UnknownDistortionModel {
                    pointer: "/distortion_model".to_owned(),
                    found: other.to_owned(),
                    expected: flavor.expected_models(),
                });
            }
        };
        if self.d.len() != expected_len {
            return Err(Error::DistortionLength {
                pointer: flavor.vector("D"),
                model: match lens {
                    Lens::PlumbBob => "plumb_bob",
                    Lens::Rational => "rational_polynomial",
                    Lens::Fisheye => flavor.fisheye(),
                },
                found: self.d.len(),
                expected,
            });
        }
        let (model, distortion) = lens::distortion(lens, self.d, |index| flavor.field("D", index))?;
        if rectification == Rectification::Strict {
            self.check_rectification()?;
        }
        lens::build(pose, intrinsics, model, distortion)
    }

    /// `R` identity or zero, `P` `[K | 0]` or zero.
    fn check_rectification(&self) -> Result<(), Error> {
        let flavor = self.flavor;
        if self.r.iter().any(|value| *value != 0.0) {
            for (index, found) in self.r.iter().enumerate() {
                let expected = if index % 4 == 0 { 1.0 } else { 0.0 };
                if *found != expected {
                    return Err(Error::Rectification {
                        pointer: flavor.field("R", index),
                        found: *found,
                        expected,
                    });
                }
            }
        }
        if self.p.iter().any(|value| *value != 0.0) {
            for (index, found) in self.p.iter().enumerate() {
                let (row, column) = (index / 4, index % 4);
                let expected = match self.k.get(row * 3 + column) {
                    Some(value) if column < 3 => *value,
                    _ => 0.0,
                };
                if *found != expected {
                    return Err(Error::Rectification {
                        pointer: flavor.field("P", index),
                        found: *found,
                        expected,
                    });
                }
            }
        }
        Ok(())
    }
}

/// `distortion_model`, `D`, `K`, `R`, `P` of `params`.
type Parts = (String, Vec<f64>, [f64; 9], [f64; 9], [f64; 12]);

fn parts(params: &CameraParams, flavor: Flavor) -> Result<Parts, Error> {
    let (lens, d) = lens::coefficients(params, flavor.target())?;
    let model = match lens {
        Lens::PlumbBob => "plumb_bob",
        Lens::Rational => "rational_polynomial",
        Lens::Fisheye => flavor.fisheye(),
    };
    let k = lens::intrinsic_entries(params);
    let r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    let [k0, k1, k2, k3, k4, k5, k6, k7, k8] = k;
    let p = [k0, k1, k2, 0.0, k3, k4, k5, 0.0, k6, k7, k8, 0.0];
    Ok((model.to_owned(), d, k, r, p))
}

impl CameraInfo {
    /// Nucleus camera parameters for the raw image, at `pose` (of the optical frame
    /// `header.frame_id`, camera → world).
    ///
    /// # Errors
    /// Each names the field: an unknown `distortion_model`, a `d` of the wrong length, skew or a
    /// malformed `k`, non-zero k5/k6, `r`/`p` describing another camera (with
    /// [`Rectification::Strict`]), binning or a region of interest, a non-finite number or a
    /// zero orientation in the pose.
    pub fn to_camera_params(
        &self,
        pose: &Pose,
        rectification: Rectification,
    ) -> Result<CameraParams, Error> {
        for (name, value) in [
            ("/binning_x", self.binning_x),
            ("/binning_y", self.binning_y),
        ] {
            if value > 1 {
                return Err(Error::BinningOrRoi {
                    pointer: name.to_owned(),
                    found: value,
                    expected: "0 or 1",
                });
            }
        }
        let roi = self.roi;
        for (name, value) in [
            ("/roi/x_offset", roi.x_offset),
            ("/roi/y_offset", roi.y_offset),
            ("/roi/height", roi.height),
            ("/roi/width", roi.width),
        ] {
            if value != 0 {
                return Err(Error::BinningOrRoi {
                    pointer: name.to_owned(),
                    found: value,
                    expected: "0 (the full image)",
                });
            }
        }
        self.wire().to_camera_params(pose, rectification)
    }

    /// The `CameraInfo` of `params` (its pose is not part of it: see
    /// [`Pose::from_camera_params`]): `K` from fx, fy, cx, cy; `R` identity; `P` = `[K | 0]`;
    /// `plumb_bob` with five coefficients for pinhole and Brown–Conrady cameras (zeros
    /// explicit), `rational_polynomial` with k5 = k6 = 0 when k4 ≠ 0, `equidistant` for fisheye.
    /// `size` unknown writes 0 × 0.
    ///
    /// # Errors
    /// [`Error::NotRepresentable`] for a fisheye camera with non-zero p1 or p2.
    pub fn from_camera_params(
        params: &CameraParams,
        size: Option<ImageSize>,
    ) -> Result<CameraInfo, Error> {
        let (distortion_model, d, k, r, p) = parts(params, Flavor::Ros)?;
        Ok(CameraInfo {
            header: Header::default(),
            height: size.map_or(0, |size| size.height),
            width: size.map_or(0, |size| size.width),
            distortion_model,
            d,
            k,
            r,
            p,
            binning_x: 0,
            binning_y: 0,
            roi: RegionOfInterest::default(),
        })
    }

    /// The calibrated image size, `None` when not given (0).
    #[must_use]
    pub fn image_size(&self) -> Option<ImageSize> {
        ImageSize::new(self.width, self.height)
    }

    fn wire(&self) -> Wire<'_> {
        Wire {
            flavor: Flavor::Ros,
            model: &self.distortion_model,
            d: &self.d,
            k: &self.k,
            r: &self.r,
            p: &self.p,
        }
    }
}

impl CameraCalibration {
    /// Nucleus camera parameters for the raw image, at `pose` (of the optical frame
    /// `frame_id`, camera → world).
    ///
    /// # Errors
    /// As [`CameraInfo::to_camera_params`] (without binning and ROI, which Foxglove lacks).
    pub fn to_camera_params(
        &self,
        pose: &Pose,
        rectification: Rectification,
    ) -> Result<CameraParams, Error> {
        Wire {
            flavor: Flavor::Foxglove,
            model: &self.distortion_model,
            d: &self.d,
            k: &self.k,
            r: &self.r,
            p: &self.p,
        }
        .to_camera_params(pose, rectification)
    }

    /// The Foxglove calibration of `params`, as [`CameraInfo::from_camera_params`] with the
    /// fisheye model named `kannala_brandt`.
    ///
    /// # Errors
    /// [`Error::NotRepresentable`] for a fisheye camera with non-zero p1 or p2.
    pub fn from_camera_params(
        params: &CameraParams,
        size: Option<ImageSize>,
    ) -> Result<CameraCalibration, Error> {
        let (distortion_model, d, k, r, p) = parts(params, Flavor::Foxglove)?;
        Ok(CameraCalibration {
            timestamp: FoxgloveTime::default(),
            frame_id: String::new(),
            width: size.map_or(0, |size| size.width),
            height: size.map_or(0, |size| size.height),
            distortion_model,
            d,
            k,
            r,
            p,
        })
    }

    /// The calibrated image size, `None` when not given (0).
    #[must_use]
    pub fn image_size(&self) -> Option<ImageSize> {
        ImageSize::new(self.width, self.height)
    }
}
