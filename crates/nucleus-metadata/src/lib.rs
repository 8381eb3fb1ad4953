//! Validation rules for Nucleus metadata, per item and across a dataset.
//!
//! - [`ItemRules`] checks one item: everything `nucleus-model` rejects when reading, plus the
//!   reserved keys (`camera_params`, `lat`/`lon`, `context_attachments`) and the location
//!   policies (local point clouds, `gcs://`, remote-only mode, privacy mode's dimensions).
//! - [`DatasetState`] checks a dataset, one item at a time in order: duplicate reference ids
//!   at once; string vs number per key and other kind mixes at the end, where the kind held by
//!   more items decides ([`DatasetState::kind_findings`]).
//! - [`ItemRules::check_scene_line`] checks a lidar or video scene: the scene rules of
//!   [`nucleus_model::scene`], every item rule on every item, remote locations only.
//! - [`nucleus_lines::for_each_line`] runs a check over JSON Lines of any size on all cores, with results
//!   in line order.
//! - [`Check`] is the `check` driver that `nucleus check` and Python's `check` both run: every
//!   line of every input through the item rules (fast path first) or the scene rules, then the
//!   dataset rules in line order, each finding handed to the caller and counted in one
//!   [`CheckSummary`]. [`shard::ShardCheck`] is its mergeable counterpart for shards checked apart.
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
//! assert!(findings.is_empty());
//! // At the end: a tie between the number and the string, won by the number, seen first.
//! let kind_findings = state.kind_findings();
//! assert_eq!(kind_findings.len(), 1);
//! let conflict = &kind_findings[0].diagnostic;
//! assert_eq!(conflict.code.as_str(), "type-conflict");
//! assert_eq!((conflict.line, conflict.related_line), (Some(2), Some(1)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod append;
pub mod check;
mod dataset;
pub mod fast;
mod ids;
mod keys;
mod rules;
pub mod scene;
pub mod shard;

pub use check::{Check, CheckEvent, CheckReport, CheckSummary};
pub use dataset::{DatasetFinding, DatasetState, KeyConflict, Position};
pub use fast::{CleanItem, LineCheck};
pub use rules::ItemRules;

/// Everything that can go wrong in this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that are not a [`shard::ShardCheck`] written by [`shard::ShardCheck::to_bytes`].
    #[error("invalid shard state: {0}")]
    InvalidShardState(String),
}
