//! The crate's error type.

use serde_json::Value;

/// Why camera parameters or a cuboid were rejected.
///
/// Every variant names the offending value by an RFC 6901 JSON pointer relative to the object
/// being read (the `camera_params` object or the cuboid object); see [`Error::pointer`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The value should have been a JSON object.
    #[error("{}: expected an object, found {found}", display_pointer(.pointer))]
    NotAnObject {
        /// Where the value is.
        pointer: String,
        /// The JSON value found instead.
        found: Value,
    },
    /// A required key is absent.
    #[error("{}: missing required field `{field}`", display_pointer(.pointer))]
    MissingField {
        /// Where the value should be.
        pointer: String,
        /// The missing key.
        field: &'static str,
    },
    /// The value should have been a JSON number.
    #[error("{}: expected a number, found {found}", display_pointer(.pointer))]
    NotANumber {
        /// Where the value is.
        pointer: String,
        /// The JSON value found instead.
        found: Value,
    },
    /// A number is infinite or NaN (only possible through the Rust API: JSON has no such numbers).
    #[error("{}: expected a finite number, found {found}", display_pointer(.pointer))]
    NonFinite {
        /// Where the value is.
        pointer: String,
        /// The number found.
        found: f64,
    },
    /// A focal length (`fx` or `fy`) is zero or negative.
    #[error("{}: expected a focal length > 0, found {found}", display_pointer(.pointer))]
    NonPositiveFocalLength {
        /// Where the value is (`/fx` or `/fy`).
        pointer: String,
        /// The number found.
        found: f64,
    },
    /// A cuboid dimension is negative.
    #[error("{}: expected a dimension >= 0, found {found}", display_pointer(.pointer))]
    NegativeDimension {
        /// Where the value is (`/dimensions/x` etc.).
        pointer: String,
        /// The number found.
        found: f64,
    },
    /// `camera_model` is a string but not a known model.
    #[error(
        "{}: unknown camera model {found:?}, expected \"brown_conrady\" or \"fisheye\"",
        display_pointer(.pointer)
    )]
    UnknownCameraModel {
        /// Where the value is (`/camera_model`).
        pointer: String,
        /// The string found.
        found: String,
    },
    /// `camera_model` is neither a string nor null.
    #[error(
        "{}: expected \"brown_conrady\", \"fisheye\" or null, found {found}",
        display_pointer(.pointer)
    )]
    CameraModelNotAString {
        /// Where the value is (`/camera_model`).
        pointer: String,
        /// The JSON value found instead.
        found: Value,
    },
    /// The heading quaternion is zero (or too small to normalise) and so has no orientation.
    #[error(
        "{}: the quaternion {x}, {y}, {z}, {w} has no orientation (norm 0)",
        display_pointer(.pointer)
    )]
    ZeroQuaternion {
        /// Where the value is (`/heading`).
        pointer: String,
        /// The quaternion's x.
        x: f64,
        /// The quaternion's y.
        y: f64,
        /// The quaternion's z.
        z: f64,
        /// The quaternion's w.
        w: f64,
    },
    /// The pinhole model was requested together with non-zero distortion coefficients.
    #[error(
        "{}: the pinhole model takes no distortion coefficients, found {field} = {found}",
        display_pointer(.pointer)
    )]
    PinholeWithDistortion {
        /// Where the first non-zero coefficient is.
        pointer: String,
        /// The coefficient's key.
        field: &'static str,
        /// Its value.
        found: f64,
    },
    /// The point and pixel slices of a batch projection have different lengths.
    #[error("batch projection: {n_points} points but room for {n_pixels} pixels")]
    BufferLength {
        /// Number of input points.
        n_points: usize,
        /// Number of output pixels.
        n_pixels: usize,
    },
    /// A canvas of zero or unrepresentable size, or whose pixel buffer has the wrong length.
    #[error("canvas {width}x{height}: {reason}")]
    CanvasSize {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// What is wrong, without the field's pointer in front (for callers that report the pointer
    /// themselves, such as a diagnostic whose path already names the field).
    #[must_use]
    pub fn message(&self) -> String {
        let full = self.to_string();
        full.strip_prefix(display_pointer(self.pointer()))
            .and_then(|rest| rest.strip_prefix(": "))
            .map_or_else(|| full.clone(), str::to_owned)
    }

    /// The RFC 6901 JSON pointer of the offending value, relative to the object being read:
    /// `""` for the object itself, `"/fx"`, `"/heading/w"`, `"/camera_model"`, `"/position"`.
    ///
    /// [`Error::BufferLength`] and [`Error::CanvasSize`] are not about JSON and return `""`.
    #[must_use]
    pub fn pointer(&self) -> &str {
        match self {
            Self::NotAnObject { pointer, .. }
            | Self::MissingField { pointer, .. }
            | Self::NotANumber { pointer, .. }
            | Self::NonFinite { pointer, .. }
            | Self::NonPositiveFocalLength { pointer, .. }
            | Self::NegativeDimension { pointer, .. }
            | Self::UnknownCameraModel { pointer, .. }
            | Self::CameraModelNotAString { pointer, .. }
            | Self::ZeroQuaternion { pointer, .. }
            | Self::PinholeWithDistortion { pointer, .. } => pointer,
            Self::BufferLength { .. } | Self::CanvasSize { .. } => "",
        }
    }
}

/// The empty pointer reads badly in a message; say what it means instead.
fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
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

    #[test]
    fn root_pointer_is_named_in_messages() {
        let error = Error::NotAnObject {
            pointer: String::new(),
            found: Value::from(3),
        };
        assert_eq!(error.pointer(), "");
        assert_eq!(error.to_string(), "(root): expected an object, found 3");
        assert_eq!(error.message(), "expected an object, found 3");
    }

    #[test]
    fn message_leaves_out_the_pointer() {
        let error = Error::MissingField {
            pointer: "/heading/w".to_owned(),
            field: "w",
        };
        assert_eq!(error.to_string(), "/heading/w: missing required field `w`");
        assert_eq!(error.message(), "missing required field `w`");
    }
}
