//! OpenCV calibrations: `K`, the distortion vector and the world → camera `rvec`/`tvec`.

use nucleus_camera::CameraParams;
use serde::{Deserialize, Serialize};

use crate::lens::{self, Lens};
use crate::{Error, ImageSize, Pose, WorldToCamera};

/// Which OpenCV module the coefficients belong to.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenCvModel {
    /// `cv2.calibrateCamera`/`cv2.projectPoints`: 4, 5, 8, 12 or 14 coefficients
    /// `(k1, k2, p1, p2[, k3[, k4, k5, k6[, s1, s2, s3, s4[, τx, τy]]]])`.
    #[default]
    Pinhole,
    /// `cv2.fisheye`: 4 coefficients `(k1, k2, k3, k4)`.
    Fisheye,
}

/// A calibration as OpenCV produces it, in JSON:
///
/// ```json
/// {"camera_matrix": [[fx, 0, cx], [0, fy, cy], [0, 0, 1]],
///  "dist_coeffs": [k1, k2, p1, p2, k3], "model": "pinhole",
///  "image_width": 1920, "image_height": 1080,
///  "rvec": [rx, ry, rz], "tvec": [tx, ty, tz]}
/// ```
///
/// `distortion_coefficients` (OpenCV's sample and ROS's calibration YAML) is read as
/// `dist_coeffs`. `model` defaults to `pinhole`; `rvec`/`tvec` (world → camera, as returned by
/// `cv2.solvePnP`) and the image size are optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCvCalibration {
    /// The intrinsic matrix `K`, rows.
    pub camera_matrix: [[f64; 3]; 3],
    /// The distortion vector.
    #[serde(alias = "distortion_coefficients")]
    pub dist_coeffs: Vec<f64>,
    /// Pinhole (`cv2`) or fisheye (`cv2.fisheye`) coefficients.
    #[serde(default)]
    pub model: OpenCvModel,
    /// Image width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_width: Option<u32>,
    /// Image height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_height: Option<u32>,
    /// World → camera Rodrigues rotation vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rvec: Option<[f64; 3]>,
    /// World → camera translation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tvec: Option<[f64; 3]>,
}

impl OpenCvCalibration {
    /// The camera → world pose of `rvec`/`tvec`, `None` when both are absent.
    ///
    /// # Errors
    /// [`Error::UnpairedPose`] when only one is present, [`Error::NonFinite`] for a non-finite
    /// component.
    pub fn pose(&self) -> Result<Option<Pose>, Error> {
        match (self.rvec, self.tvec) {
            (None, None) => Ok(None),
            (Some(rvec), Some(tvec)) => {
                Pose::from_world_to_camera(&WorldToCamera { rvec, tvec }).map(Some)
            }
            (Some(_), None) => Err(Error::UnpairedPose {
                pointer: "/tvec".to_owned(),
            }),
            (None, Some(_)) => Err(Error::UnpairedPose {
                pointer: "/rvec".to_owned(),
            }),
        }
    }

    /// Nucleus camera parameters at `pose` (camera → world; pass [`OpenCvCalibration::pose`]
    /// when `rvec`/`tvec` are given).
    ///
    /// # Errors
    /// Each names the field: skew or a malformed `camera_matrix`, a `dist_coeffs` of a length
    /// the model does not take, non-zero k5, k6, thin-prism or tilt coefficients, a non-finite
    /// number or a zero orientation in the pose.
    pub fn to_camera_params(&self, pose: &Pose) -> Result<CameraParams, Error> {
        let [a, b, c] = self.camera_matrix;
        let k = [a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2]];
        let intrinsics = lens::intrinsics(&k, |index| {
            format!("/camera_matrix/{}/{}", index / 3, index % 3)
        })?;
        let n = self.dist_coeffs.len();
        let lens = match (self.model, n) {
            (OpenCvModel::Fisheye, 4) => Lens::Fisheye,
            (OpenCvModel::Pinhole, 4 | 5) => Lens::PlumbBob,
            (OpenCvModel::Pinhole, 8 | 12 | 14) => Lens::Rational,
            (model, found) => {
                return Err(Error::DistortionLength {
                    pointer: "/dist_coeffs".to_owned(),
                    model: match model {
                        OpenCvModel::Fisheye => "fisheye",
                        OpenCvModel::Pinhole => "pinhole",
                    },
                    found,
                    expected: match model {
                        OpenCvModel::Fisheye => "4",
                        OpenCvModel::Pinhole => "4, 5, 8, 12 or 14",
                    },
                });
            }
        };
        let (model, distortion) = lens::distortion(lens, &self.dist_coeffs, |index| {
            format!("/dist_coeffs/{index}")
        })?;
        lens::build(pose, intrinsics, model, distortion)
    }

    /// The OpenCV calibration of `params`, with its pose as `rvec`/`tvec`: five coefficients
    /// for pinhole and Brown–Conrady cameras (zeros explicit), eight (k5 = k6 = 0) when k4 ≠ 0,
    /// the `fisheye` model with four for fisheye.
    ///
    /// # Errors
    /// [`Error::NotRepresentable`] for a fisheye camera with non-zero p1 or p2.
    pub fn from_camera_params(
        params: &CameraParams,
        size: Option<ImageSize>,
    ) -> Result<OpenCvCalibration, Error> {
        let (lens, dist_coeffs) = lens::coefficients(params, "OpenCV fisheye")?;
        let pose = Pose::from_camera_params(params).to_world_to_camera()?;
        Ok(OpenCvCalibration {
            camera_matrix: params.intrinsic_matrix(),
            dist_coeffs,
            model: match lens {
                Lens::Fisheye => OpenCvModel::Fisheye,
                Lens::PlumbBob | Lens::Rational => OpenCvModel::Pinhole,
            },
            image_width: size.map(|size| size.width),
            image_height: size.map(|size| size.height),
            rvec: Some(pose.rvec),
            tvec: Some(pose.tvec),
        })
    }

    /// The calibrated image size, when both sides are given and non-zero.
    #[must_use]
    pub fn image_size(&self) -> Option<ImageSize> {
        ImageSize::new(self.image_width?, self.image_height?)
    }
}
