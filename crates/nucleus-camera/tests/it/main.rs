//! Integration tests for nucleus-camera, one binary to save link time.

// clippy.toml allows unwrap in `#[test]` functions only; helpers and proptest strategies here are
// test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

#[path = "../fixtures/mod.rs"]
mod fixtures;
mod fuzz;
mod json;
mod opencv;
mod overlay;
mod projection;
mod properties;
