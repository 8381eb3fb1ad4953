//! Integration tests of the schema catalog: freshness of the committed files, the examples, and
//! agreement with the Rust validator.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod agree;
mod annotation;
mod catalog;
mod fuzz;
mod golden;
mod pointcloud;
mod scene;

use std::path::PathBuf;

/// The workspace root.
pub fn root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .and_then(|crates| crates.parent())
        .unwrap()
        .to_path_buf()
}
