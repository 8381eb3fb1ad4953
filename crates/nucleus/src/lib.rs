//! Validate, profile and project Scale AI Nucleus dataset items.
//!
//! This is the crate to depend on: it re-exports the workspace's crates under short names, and
//! a [`prelude`] with the types most programs need.
//!
//! ```
//! use nucleus::prelude::*;
//!
//! let item = DatasetItem::from_json(r#"{"image_url": "s3://bucket/1.jpg", "reference_id": "1"}"#)?;
//! assert_eq!(item.item_type(), DatasetItemType::Image);
//! let reading = ItemRules::new().remote_only(true).check_line(r#"{"image_url": "1.jpg", "reference_id": "1"}"#);
//! assert_eq!(reading.diagnostics[0].code, Code::LocalLocation);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use nucleus_annotation as annotation;
pub use nucleus_camera as camera;
pub use nucleus_insights as insights;
pub use nucleus_interop as interop;
pub use nucleus_lines as lines;
pub use nucleus_media as media;
pub use nucleus_metadata as metadata;
pub use nucleus_model as model;
pub use nucleus_query as query;
pub use nucleus_schema as schema;

/// The types most programs need, for `use nucleus::prelude::*`.
pub mod prelude {
    pub use nucleus_annotation::{Annotation, AnnotationType, Role};
    pub use nucleus_camera::CameraParams;
    pub use nucleus_metadata::{DatasetState, ItemRules, Position};
    pub use nucleus_model::{
        Code, DatasetItem, DatasetItemType, Diagnostic, Frame, Kind, KindSchema, LidarScene,
        Location, LocationKind, Metadata, PayloadForm, ReferenceId, Scene, Severity, VideoScene,
    };
}
