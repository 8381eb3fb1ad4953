//! Insights: profile the metadata of a dataset and render the report, as Nucleus's Insights page
//! would show it, offline and before the upload.
//!
//! - [`ProfileState`] observes items one at a time, merges with the state of another shard and
//!   travels between processes as bytes; [`ProfileState::finish`] gives a [`Profile`] (see
//!   [`profile`] for what it holds, its accuracy and its JSON shape).
//! - [`profile_reader`] and [`profile_into`] profile JSON Lines on all cores
//!   ([`nucleus_lines::fold_chunks`], chunk states merged in line order, so the same profile
//!   for any number of jobs): most lines on the scanner ([`ProfileState::observe_line_at`], no
//!   `serde_json::Value`), the others with the line reader they are given:
//!   `ItemRules::check_line` of `nucleus-metadata` for the rules of `nucleus check`, or
//!   [`nucleus_model::read_line`] for what the model alone accepts. This crate knows no
//!   validation rule beyond those of `nucleus-model`.
//! - A [`Profile`] renders as a terminal table ([`Profile::render_text`]), JSON
//!   ([`Profile::to_json`]), the per-key kinds for `nucleus check --schema`
//!   ([`Profile::kind_schema`]) and a self-contained HTML report ([`render_html`]).
//!
//! ```
//! use nucleus_insights::{profile_reader, render_html};
//! use nucleus_lines::StreamConfig;
//! use nucleus_model::read_line;
//!
//! let lines = concat!(
//!     r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"weather": "fog"}}"#, "\n",
//!     "not json\n",
//!     r#"{"image_location": "s3://b/2.jpg", "reference_id": "2", "metadata": {"weather": "rain"}}"#, "\n",
//! );
//! let run = profile_reader(lines.as_bytes(), &StreamConfig::default(), read_line)?;
//! assert_eq!((run.n_lines, run.n_invalid, run.profile.n_items), (3, 1, 2));
//! assert!(render_html(&run.profile).contains("weather"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod html;
pub mod profile;

pub use html::render_html;
pub use profile::{Profile, ProfileEvent, ProfileRun, ProfileState, profile_into, profile_reader};

/// Everything that can go wrong in this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that are not a [`ProfileState`] written by [`ProfileState::to_bytes`] (garbage, a
    /// state of another format version, or one that breaks the state's bounds).
    #[error("invalid profile state: {0}")]
    InvalidProfileState(String),
}
