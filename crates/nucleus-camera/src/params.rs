//! `CameraParams`: pose, intrinsics and distortion, and their JSON form.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::geometry::transpose;
use crate::json::{
    child, finite, finite_vector, object, optional_number, required, required_number,
    required_vector, vector_to_json,
};
use crate::{Error, Point3D, Quaternion};

/// The lens model used to project points.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CameraModel {
    /// No distortion: `u = fx·X/Z + cx`. What the SDK data means when it names no model and
    /// gives no coefficients. Not a wire value.
    Pinhole,
    /// OpenCV's plumb-bob model (`brown_conrady`), with `k4` as the rational denominator term.
    BrownConrady,
    /// OpenCV's Kannala–Brandt fisheye model (`fisheye`).
    Fisheye,
}

impl CameraModel {
    /// The name used in `camera_params.camera_model`, or `None` for [`CameraModel::Pinhole`],
    /// which has no wire name.
    #[must_use]
    pub const fn wire_name(self) -> Option<&'static str> {
        match self {
            Self::Pinhole => None,
            Self::BrownConrady => Some("brown_conrady"),
            Self::Fisheye => Some("fisheye"),
        }
    }

    /// The model named by a wire value (`brown_conrady` or `fisheye`, case-sensitive as in the SDK).
    #[must_use]
    pub fn from_wire_name(name: &str) -> Option<Self> {
        match name {
            "brown_conrady" => Some(Self::BrownConrady),
            "fisheye" => Some(Self::Fisheye),
            _ => None,
        }
    }
}

impl fmt::Display for CameraModel {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.wire_name().unwrap_or("pinhole"))
    }
}

/// Distortion coefficients as the SDK names them. Missing coefficients are 0.
///
/// With [`CameraModel::BrownConrady`], `k1, k2, p1, p2, k3` are OpenCV's plumb-bob coefficients
/// and `k4` is OpenCV's first rational coefficient (the radial factor is divided by
/// `1 + k4·r²`). With [`CameraModel::Fisheye`], `k1..k4` are OpenCV's fisheye coefficients and
/// `p1`, `p2` are ignored (the fisheye model has no tangential terms).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Distortion {
    /// Radial coefficient of r² (fisheye: θ³).
    pub k1: f64,
    /// Radial coefficient of r⁴ (fisheye: θ⁵).
    pub k2: f64,
    /// Radial coefficient of r⁶ (fisheye: θ⁷).
    pub k3: f64,
    /// Brown–Conrady: rational denominator coefficient of r²; fisheye: coefficient of θ⁹.
    pub k4: f64,
    /// First tangential coefficient.
    pub p1: f64,
    /// Second tangential coefficient.
    pub p2: f64,
}

impl Distortion {
    /// Whether every coefficient is zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.named().iter().all(|(_, value)| *value == 0.0)
    }

    /// The coefficients with their keys, in the SDK's writing order k1, k2, k3, k4, p1, p2.
    #[must_use]
    pub fn named(&self) -> [(&'static str, f64); 6] {
        [
            ("k1", self.k1),
            ("k2", self.k2),
            ("k3", self.k3),
            ("k4", self.k4),
            ("p1", self.p1),
            ("p2", self.p2),
        ]
    }
}

/// A camera's pose, intrinsics and lens model, as stored under `metadata.camera_params`.
///
/// Construction validates (every number finite, `fx` and `fy` > 0, heading non-zero) and
/// precomputes the world → camera rotation, so projecting is cheap. Equality compares the values
/// as given (the heading is kept as given, not normalised) and whether `camera_model` was given.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraParams {
    position: Point3D,
    heading: Quaternion,
    fx: f64,
    fy: f64,
    cx: f64,
    cy: f64,
    declared_model: Option<CameraModel>,
    distortion: Distortion,
    /// Derived: the model used to project.
    pub(crate) model: CameraModel,
    /// Derived: `R(heading)ᵀ`, rows are the camera axes in world coordinates.
    pub(crate) world_to_camera: [[f64; 3]; 3],
}

impl CameraParams {
    /// A pinhole camera at `position` with orientation `heading` (camera → world) and the given
    /// focal lengths and principal point, in pixels.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for a non-finite number, [`Error::NonPositiveFocalLength`] when `fx`
    /// or `fy` ≤ 0, [`Error::ZeroQuaternion`] for a zero heading. Pointers name the JSON field.
    pub fn new(
        position: Point3D,
        heading: Quaternion,
        fx: f64,
        fy: f64,
        cx: f64,
        cy: f64,
    ) -> Result<Self, Error> {
        finite_vector(position, "/position")?;
        finite(heading.x, "/heading/x")?;
        finite(heading.y, "/heading/y")?;
        finite(heading.z, "/heading/z")?;
        finite(heading.w, "/heading/w")?;
        let fx = focal_length(fx, "/fx")?;
        let fy = focal_length(fy, "/fy")?;
        let cx = finite(cx, "/cx")?;
        let cy = finite(cy, "/cy")?;
        let camera_to_world = heading.to_rotation_matrix().ok_or(Error::ZeroQuaternion {
            pointer: "/heading".to_owned(),
            x: heading.x,
            y: heading.y,
            z: heading.z,
            w: heading.w,
        })?;
        Ok(Self {
            position,
            heading,
            fx,
            fy,
            cx,
            cy,
            declared_model: None,
            distortion: Distortion::default(),
            model: CameraModel::Pinhole,
            world_to_camera: transpose(&camera_to_world),
        })
    }

    /// These parameters with a lens model and distortion coefficients.
    ///
    /// `model` is what `camera_model` says: `None` means not given, and then the camera is
    /// pinhole when every coefficient is 0 and Brown–Conrady otherwise (as the SDK data means).
    /// `Some(CameraModel::Pinhole)` is the same as `None` but requires zero coefficients.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for a non-finite coefficient, [`Error::PinholeWithDistortion`] for
    /// `Some(Pinhole)` with a non-zero coefficient.
    pub fn with_distortion(
        mut self,
        model: Option<CameraModel>,
        distortion: Distortion,
    ) -> Result<Self, Error> {
        for (field, value) in distortion.named() {
            // The pointer is built only for an error: this runs for every camera of a check.
            if !value.is_finite() {
                finite(value, &child("", field))?;
            }
        }
        let declared_model = match model {
            Some(CameraModel::Pinhole) => {
                if let Some((field, found)) = distortion
                    .named()
                    .into_iter()
                    .find(|(_, value)| *value != 0.0)
                {
                    return Err(Error::PinholeWithDistortion {
                        pointer: child("", field),
                        field,
                        found,
                    });
                }
                None
            }
            other => other,
        };
        self.model = match declared_model {
            Some(model) => model,
            None if distortion.is_zero() => CameraModel::Pinhole,
            None => CameraModel::BrownConrady,
        };
        self.declared_model = declared_model;
        self.distortion = distortion;
        Ok(self)
    }

    /// Reads the SDK's JSON shape (the value of `metadata.camera_params`).
    ///
    /// Missing or `null` coefficients read as 0 and a missing or `null` `camera_model` as not
    /// given; unknown keys are ignored, as the SDK does. Every number must be a JSON number.
    ///
    /// # Errors
    /// An [`Error`] naming the first offending field by JSON pointer: not an object, a missing
    /// required field (`position`, `heading`, `fx`, `fy`, `cx`, `cy`, their components), a value
    /// that is not a number, `fx` or `fy` ≤ 0, an unknown `camera_model` or one that is not a
    /// string, a zero heading.
    pub fn from_json(value: &Value) -> Result<Self, Error> {
        let map = object(value, "")?;
        let position = required_vector(map, "", "position")?;
        let heading_map = object(required(map, "", "heading")?, "/heading")?;
        let heading = Quaternion::new(
            required_number(heading_map, "/heading", "x")?,
            required_number(heading_map, "/heading", "y")?,
            required_number(heading_map, "/heading", "z")?,
            required_number(heading_map, "/heading", "w")?,
        );
        let fx = required_number(map, "", "fx")?;
        let fy = required_number(map, "", "fy")?;
        let cx = required_number(map, "", "cx")?;
        let cy = required_number(map, "", "cy")?;
        let model = match map.get("camera_model") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => {
                Some(CameraModel::from_wire_name(name).ok_or_else(|| {
                    Error::UnknownCameraModel {
                        pointer: "/camera_model".to_owned(),
                        found: name.clone(),
                    }
                })?)
            }
            Some(other) => {
                return Err(Error::CameraModelNotAString {
                    pointer: "/camera_model".to_owned(),
                    found: other.clone(),
                });
            }
        };
        let distortion = Distortion {
            k1: optional_number(map, "", "k1")?,
            k2: optional_number(map, "", "k2")?,
            k3: optional_number(map, "", "k3")?,
            k4: optional_number(map, "", "k4")?,
            p1: optional_number(map, "", "p1")?,
            p2: optional_number(map, "", "p2")?,
        };
        Self::new(position, heading, fx, fy, cx, cy)?.with_distortion(model, distortion)
    }

    /// The SDK's normalised JSON shape: `position {x,y,z}`, `heading {x,y,z,w}` (as given, not
    /// normalised), `fx`, `fy`, `cx`, `cy`, then the non-zero coefficients in the order k1, k2,
    /// k3, k4, p1, p2, then `camera_model` when it was given. Reads back to an equal value.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("position".to_owned(), vector_to_json(self.position));
        let mut heading = Map::new();
        heading.insert("x".to_owned(), Value::from(self.heading.x));
        heading.insert("y".to_owned(), Value::from(self.heading.y));
        heading.insert("z".to_owned(), Value::from(self.heading.z));
        heading.insert("w".to_owned(), Value::from(self.heading.w));
        map.insert("heading".to_owned(), Value::Object(heading));
        map.insert("fx".to_owned(), Value::from(self.fx));
        map.insert("fy".to_owned(), Value::from(self.fy));
        map.insert("cx".to_owned(), Value::from(self.cx));
        map.insert("cy".to_owned(), Value::from(self.cy));
        for (field, value) in self.distortion.named() {
            if value != 0.0 {
                map.insert(field.to_owned(), Value::from(value));
            }
        }
        if let Some(name) = self.declared_model.and_then(CameraModel::wire_name) {
            map.insert("camera_model".to_owned(), Value::from(name));
        }
        Value::Object(map)
    }

    /// The optical centre in world coordinates.
    #[must_use]
    pub fn position(&self) -> Point3D {
        self.position
    }

    /// The orientation (camera → world) as given, possibly not of unit length.
    #[must_use]
    pub fn heading(&self) -> Quaternion {
        self.heading
    }

    /// Focal length along x, in pixels (> 0).
    #[must_use]
    pub fn fx(&self) -> f64 {
        self.fx
    }

    /// Focal length along y, in pixels (> 0).
    #[must_use]
    pub fn fy(&self) -> f64 {
        self.fy
    }

    /// Principal point column, in pixels.
    #[must_use]
    pub fn cx(&self) -> f64 {
        self.cx
    }

    /// Principal point row, in pixels.
    #[must_use]
    pub fn cy(&self) -> f64 {
        self.cy
    }

    /// The model used to project: the given `camera_model`, else pinhole without coefficients
    /// and Brown–Conrady with some.
    #[must_use]
    pub fn model(&self) -> CameraModel {
        self.model
    }

    /// The `camera_model` as given (`None` when absent or null).
    #[must_use]
    pub fn declared_model(&self) -> Option<CameraModel> {
        self.declared_model
    }

    /// The distortion coefficients (0 where not given).
    #[must_use]
    pub fn distortion(&self) -> &Distortion {
        &self.distortion
    }

    /// The 3×3 intrinsic matrix `[[fx, 0, cx], [0, fy, cy], [0, 0, 1]]` (row-major).
    #[must_use]
    pub fn intrinsic_matrix(&self) -> [[f64; 3]; 3] {
        [
            [self.fx, 0.0, self.cx],
            [0.0, self.fy, self.cy],
            [0.0, 0.0, 1.0],
        ]
    }

    /// The rotation taking camera coordinates to world coordinates (the normalised heading as a
    /// row-major matrix; its columns are the camera axes in world coordinates).
    #[must_use]
    pub fn camera_to_world_rotation(&self) -> [[f64; 3]; 3] {
        transpose(&self.world_to_camera)
    }
}

impl Serialize for CameraParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CameraParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_json(&value).map_err(serde::de::Error::custom)
    }
}

fn focal_length(value: f64, pointer: &str) -> Result<f64, Error> {
    let value = finite(value, pointer)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(Error::NonPositiveFocalLength {
            pointer: pointer.to_owned(),
            found: value,
        })
    }
}
