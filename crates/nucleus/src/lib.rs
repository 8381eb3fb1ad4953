//! Validate, profile and project Scale AI Nucleus dataset items.
//!
//! This is the crate to depend on: it re-exports the workspace's crates under short names.

pub use nucleus_camera as camera;
pub use nucleus_metadata as metadata;
pub use nucleus_model as model;
pub use nucleus_schema as schema;
