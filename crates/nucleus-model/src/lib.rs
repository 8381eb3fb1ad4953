//! The Scale AI Nucleus dataset item: locations, reference ids, metadata and wire forms.
//!
//! A [`DatasetItem`] is one image or one point cloud (exactly one [`Location`]), a non-empty
//! [`ReferenceId`] and free-form [`Metadata`]. This crate reads items from JSON — the canonical
//! names and every alias of the Python SDK — and writes the canonical item JSON and the SDK's
//! upload payload, without changing a single number or the order of metadata keys.
//!
//! ```
//! use nucleus_model::{DatasetItem, DatasetItemType, PayloadForm};
//!
//! let item = DatasetItem::from_json(
//!     r#"{"image_url": "s3://bucket/0001.jpg", "ref_id": "0001", "metadata": {"speed": 1.0, "n": 3}}"#,
//! )?;
//! assert_eq!(item.item_type(), DatasetItemType::Image);
//! assert_eq!(item.reference_id().as_str(), "0001");
//!
//! let payload = item.to_payload(PayloadForm::Plain)?;
//! assert_eq!(
//!     payload.to_string(),
//!     r#"{"metadata":{"speed":1.0,"n":3},"reference_id":"0001","image_url":"s3://bucket/0001.jpg"}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To see every problem of an item rather than the first, use [`read_item`] or [`read_line`],
//! which return all [`Diagnostic`]s. Differences from the SDK, all deliberate, are listed in the
//! [`read`] module.
//!
//! [`scan`] is an allocation-free strict JSON scanner that never judges: it reads what it can
//! prove the strict reader accepts and says [`scan::Unsure`] otherwise (the fast path of `check`).
//!
//! [`geo`] holds the lat/lon rule (the ranges of `metadata.lat` and `metadata.lon`) that the
//! item rules, the profile's map, GeoJSON and the JSON Schema share; [`distinct`] the distinct
//! count of a string key and Nucleus's categorical rule, shared by the profile and `append`.
//!
//! Lidar and video scenes are in [`scene`] ([`LidarScene`], [`VideoScene`], [`read_scene`]),
//! Scale's point-cloud files in [`pointcloud`] (a streaming reader, validation and statistics)
//! and the cuboids annotated on them in [`cuboids`].
//!
//! # Features
//! - `schema`: `schemars::JsonSchema` for [`DatasetItem`] (exactly what [`read_item`] accepts
//!   without an error: canonical names, SDK aliases and their precedence), [`DatasetItemType`],
//!   [`ReferenceId`], [`Location`], [`Metadata`] and [`EmbeddingInfo`]; for the scenes
//!   [`read_scene`] reads ([`Scene`], [`LidarScene`], [`VideoScene`], [`Frame`]) and the point
//!   clouds [`pointcloud::for_each_point`] reads ([`pointcloud::PointCloud`],
//!   [`pointcloud::Point`]). Each impl sits next to its reader; `nucleus-schema` publishes them.

pub mod cuboids;
pub mod diagnostic;
pub mod display;
pub mod distinct;
pub mod geo;
mod item;
pub mod json;
mod kind;
mod location;
pub mod number;
pub mod pointcloud;
pub mod read;
pub mod scan;
pub mod scene;
#[cfg(feature = "schema")]
mod schema;
pub mod suggest;
mod write;

pub use diagnostic::{Code, Diagnostic, FileDiagnostic, Severity};
pub use item::{DatasetItem, DatasetItemType, EmbeddingInfo, Metadata, ReferenceId};
pub use kind::{KeyKinds, Kind, KindFinding, KindRule, KindSchema, LISTED_PER_KEY, settled_kind};
pub use location::{Location, LocationKind, MalformedUrl};
pub use read::{ItemReading, read_item, read_line};
pub use scene::{
    Frame, LidarScene, Scene, SceneError, SceneKind, SceneReading, VideoScene, read_scene,
    read_scene_line,
};
pub use write::PayloadForm;

use serde_json::Value;

/// Everything that can go wrong in this crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A location was an empty string.
    #[error("location is an empty string; give a local path or a remote URL")]
    EmptyLocation,
    /// A remote location that is not a well-formed URL.
    #[error("location {location:?} is not a well-formed URL ({reason})")]
    MalformedUrl {
        /// The location as given.
        location: String,
        /// Why it is not well formed.
        reason: MalformedUrl,
    },
    /// A reference id was an empty string.
    #[error("reference id is an empty string")]
    EmptyReferenceId,
    /// A string that is not a dataset item type.
    #[error("unknown dataset item type {0:?}; expected \"image\" or \"pointcloud\"")]
    UnknownItemType(String),
    /// A width or height of 0.
    #[error("{0} must be at least 1")]
    ZeroDimension(&'static str),
    /// A malformed embedding.
    #[error("invalid embedding_info: {0}")]
    InvalidEmbedding(&'static str),
    /// An embedding on a point cloud.
    #[error("embedding_info is for images only; this item is a point cloud")]
    EmbeddingOnPointcloud,
    /// The plain payload was asked of a point cloud.
    #[error("a point cloud has no plain upload payload; use the scene form")]
    PointcloudPlainPayload,
    /// `metadata.camera_params` is not a valid camera.
    #[error("metadata.camera_params: {0}")]
    InvalidCameraParams(#[source] nucleus_camera::Error),
    /// The text is not acceptable JSON.
    #[error(transparent)]
    Json(#[from] json::JsonError),
    /// A name that is not a finding code ([`Code::as_str`]).
    #[error("unknown finding code {0:?}; expected a kebab-case code such as \"type-conflict\"")]
    UnknownCode(String),
    /// A kind name other than `string`, `number`, `boolean`, `list`, `object`.
    #[error("unknown metadata kind {0:?}; expected string, number, boolean, list or object")]
    UnknownKind(String),
    /// A `--schema` file that is not `{"keys": {KEY: KIND}}`.
    #[error(
        "invalid kind schema: {0}; expected {{\"keys\": {{\"KEY\": \"string\" | \"number\" | \"boolean\" | \"list\" | \"object\"}}}}"
    )]
    InvalidKindSchema(String),
    /// The JSON is not a valid item; every error found, in order (never empty).
    #[error("{}", render_first(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render_first(diagnostics: &[Diagnostic]) -> String {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    match errors.as_slice() {
        [] => "invalid item".to_owned(),
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more errors)", rest.len()),
    }
}

impl DatasetItem {
    /// Reads an item from one JSON text (strictly: duplicate keys and integers beyond 64 bits
    /// are errors). Warnings are dropped; use [`read_line`] to see them.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] when the text is not acceptable JSON, [`Error::Invalid`] with every error
    /// when it is not a valid item.
    pub fn from_json(text: &str) -> Result<DatasetItem, Error> {
        DatasetItem::from_value(json::parse(text)?)
    }

    /// Reads an item from a JSON value. Warnings are dropped; use [`read_item`] to see them.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] with every error when the value is not a valid item.
    pub fn from_value(value: Value) -> Result<DatasetItem, Error> {
        let reading = read_item(value);
        match reading.item {
            Some(item) => Ok(item),
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

impl TryFrom<Value> for DatasetItem {
    type Error = Error;

    fn try_from(value: Value) -> Result<DatasetItem, Error> {
        DatasetItem::from_value(value)
    }
}

impl serde::Serialize for DatasetItem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for DatasetItem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        DatasetItem::from_value(value).map_err(serde::de::Error::custom)
    }
}
