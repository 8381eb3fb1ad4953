//! Integration tests of nucleus-metadata (one binary, to save link time).

// clippy.toml allows unwrap in `#[test]` functions only; helpers and proptest strategies here are
// test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod append;
mod dataset;
mod fast;
mod fuzz;
mod scene;
mod sdk_corpus;
mod shard;
