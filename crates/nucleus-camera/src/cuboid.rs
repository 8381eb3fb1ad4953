//! Cuboids: 3D boxes with a yaw about world +Z.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::json::{
    finite, finite_vector, number, object, required, required_vector, vector_to_json,
};
use crate::{Error, Point3D, Vector3};

/// A 3D box as the SDK's `CuboidAnnotation` stores it: `{"position": {x,y,z}, "dimensions":
/// {x,y,z}, "yaw": radians}`.
///
/// `position` is the centre; `dimensions` x is the length, y the width, z the height; `yaw`
/// turns the box counter-clockwise about world +Z, so the length axis is (cos yaw, sin yaw, 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cuboid {
    position: Point3D,
    dimensions: Vector3,
    yaw: f64,
}

impl Cuboid {
    /// A cuboid from its centre, dimensions (length, width, height) and yaw in radians.
    ///
    /// # Errors
    /// [`Error::NonFinite`] for a non-finite number, [`Error::NegativeDimension`] for a negative
    /// dimension (the SDK does not check this; a negative size has no meaning).
    pub fn new(position: Point3D, dimensions: Vector3, yaw: f64) -> Result<Self, Error> {
        finite_vector(position, "/position")?;
        finite_vector(dimensions, "/dimensions")?;
        for (field, value) in [
            ("x", dimensions.x),
            ("y", dimensions.y),
            ("z", dimensions.z),
        ] {
            if value < 0.0 {
                return Err(Error::NegativeDimension {
                    pointer: format!("/dimensions/{field}"),
                    found: value,
                });
            }
        }
        finite(yaw, "/yaw")?;
        Ok(Self {
            position,
            dimensions,
            yaw,
        })
    }

    /// Reads `{"position": {x,y,z}, "dimensions": {x,y,z}, "yaw": number}`; other keys (such as
    /// an annotation's `label`) are ignored.
    ///
    /// # Errors
    /// An [`Error`] naming the first offending field by JSON pointer relative to the cuboid
    /// object: not an object, a missing field, a value that is not a number, a negative dimension.
    pub fn from_json(value: &Value) -> Result<Self, Error> {
        let map = object(value, "")?;
        let position = required_vector(map, "", "position")?;
        let dimensions = required_vector(map, "", "dimensions")?;
        let yaw = number(required(map, "", "yaw")?, "/yaw")?;
        Self::new(position, dimensions, yaw)
    }

    /// `{"position", "dimensions", "yaw"}`; reads back to an equal cuboid.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("position".to_owned(), vector_to_json(self.position));
        map.insert("dimensions".to_owned(), vector_to_json(self.dimensions));
        map.insert("yaw".to_owned(), Value::from(self.yaw));
        Value::Object(map)
    }

    /// The centre, in world coordinates.
    #[must_use]
    pub fn position(&self) -> Point3D {
        self.position
    }

    /// Length (x), width (y) and height (z).
    #[must_use]
    pub fn dimensions(&self) -> Vector3 {
        self.dimensions
    }

    /// Rotation about world +Z, radians, counter-clockwise seen from above.
    #[must_use]
    pub fn yaw(&self) -> f64 {
        self.yaw
    }

    /// The eight corners in world coordinates. Corners 0–3 are the bottom face and 4–7 the top
    /// face, corner `i + 4` above corner `i`; each face runs front-left (+l/2, +w/2), front-right
    /// (+l/2, −w/2), rear-right (−l/2, −w/2), rear-left (−l/2, +w/2) in the box frame.
    #[must_use]
    pub fn corners(&self) -> [Point3D; 8] {
        let (sin, cos) = self.yaw.sin_cos();
        let half_length = Vector3::new(cos, sin, 0.0) * (self.dimensions.x / 2.0);
        let half_width = Vector3::new(-sin, cos, 0.0) * (self.dimensions.y / 2.0);
        let half_height = Vector3::new(0.0, 0.0, self.dimensions.z / 2.0);
        let face = [
            half_length + half_width,
            half_length - half_width,
            -half_length - half_width,
            -half_length + half_width,
        ];
        let centre = self.position;
        let bottom = centre - half_height;
        let top = centre + half_height;
        [
            bottom + face[0],
            bottom + face[1],
            bottom + face[2],
            bottom + face[3],
            top + face[0],
            top + face[1],
            top + face[2],
            top + face[3],
        ]
    }
}

impl Serialize for Cuboid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Cuboid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_json(&value).map_err(serde::de::Error::custom)
    }
}
