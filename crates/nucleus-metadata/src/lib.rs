//! Validation rules for Nucleus metadata, per item and across a dataset.
//!
//! - [`ItemRules`] checks one item: everything `nucleus-model` rejects when reading, plus the
//!   reserved keys (`camera_params`, `lat`/`lon`, `context_attachments`) and the location
//!   policies (local point clouds, `gcs://`, remote-only mode, privacy mode's dimensions).
//! - [`DatasetState`] checks a dataset, one item at a time in order: string vs number per key,
//!   other kind mixes, duplicate reference ids.
//! - [`ItemRules::check_scene_line`] checks a lidar or video scene: the scene rules of
//!   [`nucleus_model::scene`], every item rule on every item, remote locations only.
//! - [`nucleus_lines::for_each_line`] runs a check over JSON Lines of any size on all cores, with results
//!   in line order.
//! - [`ItemRules::check_line_fast`] is [`ItemRules::check_line`] for checks of large datasets:
//!   a line without any finding becomes a [`CleanItem`] (what [`DatasetState::observe_clean`]
//!   needs) in one pass over its text, about three times faster; any other line gets the full
//!   reading, so findings are the same (see [`fast`]).
//!
//! ```
//! use nucleus_metadata::{DatasetState, ItemRules, Position};
//!
//! let rules = ItemRules::new();
//! let mut state = DatasetState::new();
//! let input = state.add_input("items.jsonl");
//! let lines = [
//!     r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"speed": 1.5}}"#,
//!     r#"{"image_location": "s3://b/2.jpg", "reference_id": "2", "metadata": {"speed": "fast"}}"#,
//! ];
//! let mut findings = Vec::new();
//! for (idx, text) in lines.iter().enumerate() {
//!     let line = idx as u64 + 1;
//!     let reading = rules.check_line(text);
//!     findings.extend(reading.diagnostics.into_iter().map(|d| d.at_line(line)));
//!     if let Some(item) = reading.item {
//!         state.observe(Position { input, line }, &item, &mut findings);
//!     }
//! }
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].code.as_str(), "type-conflict");
//! assert_eq!((findings[0].line, findings[0].related_line), (Some(2), Some(1)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod append;
mod dataset;
pub mod fast;
mod html;
mod ids;
mod keys;
pub mod profile;
mod rules;
pub mod scene;
pub mod shard;

pub use dataset::{DatasetState, Position};
pub use fast::{CleanItem, LineCheck};
pub use html::render_html;
pub use nucleus_model::{Kind, KindSchema};
pub use profile::{Profile, ProfileState, profile_reader};
pub use rules::{ItemRules, check_coordinates, coordinates};

/// Everything that can go wrong in this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that are not a [`shard::ShardCheck`] written by [`shard::ShardCheck::to_bytes`].
    #[error("invalid shard state: {0}")]
    InvalidShardState(String),
    /// Bytes that are not a [`ProfileState`] written by [`ProfileState::to_bytes`] (garbage, a
    /// state of another format version, or one that breaks the state's bounds).
    #[error("invalid profile state: {0}")]
    InvalidProfileState(String),
    /// A [`shard::ConflictReplay`] that does not fit: made from another plan, not covering every
    /// line of the state it is applied to, or bytes that are not such a replay.
    #[error("mismatched conflict replay: {0}")]
    MismatchedReplay(String),
}
