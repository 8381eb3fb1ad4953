//! Integration tests for nucleus-interop, one binary to save link time.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

mod calibration;
mod geo;
mod reference;
mod rejections;
