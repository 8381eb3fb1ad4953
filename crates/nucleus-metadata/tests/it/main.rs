//! Integration tests of nucleus-metadata.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dataset;
mod scene;
mod sdk_corpus;
