//! Scale AI Nucleus annotations and predictions: the SDK's types, read and written as
//! `scale-nucleus` 0.22 does, and checked against the items they annotate.
//!
//! An [`Annotation`] is one line of an annotation or prediction file: a [`Shape`] (box, line,
//! polygon, keypoints, cuboid, category, multicategory, scene category, segmentation), the
//! `reference_id` of the item it belongs to, and the optional fields of its SDK class; a
//! prediction adds [`PredictionFields`] (`confidence`, `class_pdf`). The reader follows the
//! SDK's `from_json` for each type and [`Role`], stricter where the SDK would upload something
//! other than what the file says (see [`read`]); the writer produces exactly the SDK's
//! `to_payload`, numbers unchanged.
//!
//! ```
//! use nucleus_annotation::{Annotation, Role};
//!
//! let line = r#"{"label": "car", "type": "box", "reference_id": "img-1",
//!                "geometry": {"x": 10, "y": 20.5, "width": 100, "height": 50}}"#;
//! let annotation = Annotation::from_json(line, Role::Annotation)?;
//! assert_eq!(annotation.annotation_id.as_deref(), Some("car-10-20.5-100-50-img-1"));
//! assert_eq!(
//!     annotation.to_payload().to_string(),
//!     r#"{"label":"car","type":"box","geometry":{"x":10,"y":20.5,"width":100,"height":50},"reference_id":"img-1","annotation_id":"car-10-20.5-100-50-img-1","metadata":{},"embedding_vector":null,"track_reference_id":null,"task_id":null}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`read_annotation_line`] returns every finding of a line instead of the first error;
//! [`rules`] holds the rules of one annotation; [`check`] the rules across files (the items
//! first, then the annotations streamed in bounded memory: [`check::ItemIndex`],
//! [`check::check_annotations`]); [`draw`] draws 2D annotations on an image;
//! [`profile`] counts them (types, labels, per item, box sizes).
//!
//! # Features
//! - `schema`: `schemars::JsonSchema` for [`Annotation`] (the union of the types, discriminated
//!   by `type`) and for each type's payload, describing what [`read_annotation`] accepts
//!   without an error; `nucleus-schema` publishes them.

pub mod check;
pub mod draw;
pub mod profile;
mod python;
pub mod read;
pub mod rules;
#[cfg(feature = "schema")]
pub mod schema;
mod types;
mod write;

pub use read::{AnnotationReading, read_annotation, read_annotation_line};
pub use types::{
    Annotation, AnnotationType, BoxGeometry, CuboidGeometry, Keypoint, KeypointsGeometry, Point,
    Point3, PredictionFields, Role, Segment, Shape, generated_annotation_id,
};

use nucleus_model::Diagnostic;
use nucleus_model::json::{self, JsonError};

/// Everything that can go wrong in this crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not acceptable JSON.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A `type` that is not an annotation type.
    #[error(
        "unknown annotation type {0:?}; expected box, line, polygon, keypoints, cuboid, category, multicategory or mask"
    )]
    UnknownType(String),
    /// [`Annotation::into_scene_category`] of an annotation that cannot be one.
    #[error("not a scene category: {0}")]
    NotASceneCategory(&'static str),
    /// The JSON is not a valid annotation; every error found, in order (never empty).
    #[error("{}", render_first(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render_first(diagnostics: &[Diagnostic]) -> String {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    match errors.as_slice() {
        [] => "invalid annotation".to_owned(),
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more errors)", rest.len()),
    }
}

impl Annotation {
    /// Reads an annotation (or a prediction) from one JSON text. Warnings are dropped; use
    /// [`read_annotation_line`] to see them.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] when the text is not acceptable JSON, [`Error::Invalid`] with every
    /// error when it is not a valid annotation.
    pub fn from_json(text: &str, role: Role) -> Result<Annotation, Error> {
        Annotation::from_value(&json::parse(text)?, role)
    }

    /// Reads an annotation (or a prediction) from a JSON value. Warnings are dropped.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] with every error when the value is not a valid annotation.
    pub fn from_value(value: &serde_json::Value, role: Role) -> Result<Annotation, Error> {
        let reading = read_annotation(value, role);
        match reading.annotation {
            Some(annotation) => Ok(annotation),
            None => Err(Error::Invalid(
                reading
                    .diagnostics
                    .into_iter()
                    .filter(Diagnostic::is_error)
                    .collect(),
            )),
        }
    }
}

impl serde::Serialize for Annotation {
    /// Serialises as [`Annotation::to_json`].
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}
