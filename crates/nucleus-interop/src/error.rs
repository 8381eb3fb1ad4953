//! The crate's error type.

/// Why a calibration could not be converted exactly.
///
/// Every variant names the offending field by an RFC 6901 JSON pointer into the *source* value
/// (`/K/1` in a Foxglove calibration, `/k/1` in a ROS 2 `CameraInfo`, `/camera_matrix/0/1` in an
/// OpenCV calibration, `/p1` in Nucleus `camera_params`, `/orientation` in a pose); see
/// [`Error::pointer`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A number is NaN or infinite (only possible through the Rust API: JSON has no such numbers).
    #[error("{pointer}: expected a finite number, found {found}")]
    NonFinite {
        /// Where the number is.
        pointer: String,
        /// The number found.
        found: f64,
    },
    /// An entry of an intrinsic matrix that must be 0 or 1 is not.
    #[error(
        "{pointer}: expected {expected} (an intrinsic matrix is [[fx, 0, cx], [0, fy, cy], [0, 0, 1]]), found {found}"
    )]
    NotAnIntrinsicMatrix {
        /// Where the entry is.
        pointer: String,
        /// The number found.
        found: f64,
        /// The number required.
        expected: f64,
    },
    /// The intrinsic matrix has a skew term, which Nucleus `camera_params` cannot hold.
    #[error("{pointer}: skew {found} is not representable in Nucleus camera_params (expected 0)")]
    Skew {
        /// Where the skew is (`K[0][1]`).
        pointer: String,
        /// The skew found.
        found: f64,
    },
    /// A focal length is not positive (an all-zero `K` is an uncalibrated ROS camera).
    #[error("{pointer}: expected a focal length > 0, found {found}")]
    NonPositiveFocalLength {
        /// Where the focal length is.
        pointer: String,
        /// The number found.
        found: f64,
    },
    /// A distortion model name the format does not define, or one this crate cannot convert.
    #[error("{pointer}: unknown distortion model {found:?}, expected {expected}")]
    UnknownDistortionModel {
        /// Where the name is.
        pointer: String,
        /// The name found.
        found: String,
        /// The names accepted.
        expected: &'static str,
    },
    /// A distortion vector of the wrong length for its model.
    #[error("{pointer}: the {model} model takes {expected} coefficients, found {found}")]
    DistortionLength {
        /// Where the vector is.
        pointer: String,
        /// The model's name.
        model: &'static str,
        /// The number of coefficients found.
        found: usize,
        /// The lengths accepted.
        expected: &'static str,
    },
    /// A non-zero coefficient the target format has no place for (k5/k6 into Nucleus, OpenCV's
    /// thin-prism and tilt terms, p1/p2 on a fisheye camera).
    #[error("{pointer}: {name} = {found} is not representable in {target} (expected 0)")]
    NotRepresentable {
        /// Where the coefficient is.
        pointer: String,
        /// The coefficient's name.
        name: &'static str,
        /// Its value.
        found: f64,
        /// The target format.
        target: &'static str,
    },
    /// A `CameraInfo`/`CameraCalibration` whose rectification (`R`) or projection (`P`) matrix
    /// describes a rectified camera different from the raw one; Nucleus `camera_params` holds
    /// one camera, so converting would drop it. See [`crate::Rectification`].
    #[error(
        "{pointer}: expected {expected} (R = identity and P = [K | 0]), found {found}; camera_params cannot keep a separate rectified camera: convert with Rectification::Drop (--drop-rectification) to keep K and D only"
    )]
    Rectification {
        /// Where the entry is.
        pointer: String,
        /// The number found.
        found: f64,
        /// The number required.
        expected: f64,
    },
    /// Binning or a region of interest: `K` then describes a different image than the one
    /// published.
    #[error(
        "{pointer}: expected {expected}, found {found}; binned or cropped images are not supported"
    )]
    BinningOrRoi {
        /// Where the value is.
        pointer: String,
        /// The value found.
        found: u32,
        /// What is supported.
        expected: &'static str,
    },
    /// Only one of OpenCV's `rvec` and `tvec` is present.
    #[error("{pointer}: rvec and tvec come together, but only one is present")]
    UnpairedPose {
        /// The missing field.
        pointer: String,
    },
    /// The camera parameters could not be built (a non-finite number, a zero quaternion).
    #[error("{pointer}: {source}")]
    Camera {
        /// The source field the camera error is about.
        pointer: String,
        /// The camera crate's error (its pointer names the `camera_params` field); boxed to
        /// keep `Result<_, Error>` small.
        #[source]
        source: Box<nucleus_camera::Error>,
    },
}

impl Error {
    /// The RFC 6901 JSON pointer of the offending value in the source.
    #[must_use]
    pub fn pointer(&self) -> &str {
        match self {
            Self::NonFinite { pointer, .. }
            | Self::NotAnIntrinsicMatrix { pointer, .. }
            | Self::Skew { pointer, .. }
            | Self::NonPositiveFocalLength { pointer, .. }
            | Self::UnknownDistortionModel { pointer, .. }
            | Self::DistortionLength { pointer, .. }
            | Self::NotRepresentable { pointer, .. }
            | Self::Rectification { pointer, .. }
            | Self::BinningOrRoi { pointer, .. }
            | Self::UnpairedPose { pointer }
            | Self::Camera { pointer, .. } => pointer,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_send_sync_static() {
        fn assert_bounds<T: Send + Sync + 'static + std::error::Error>() {}
        assert_bounds::<Error>();
    }
}
