//! Integration tests of nucleus-annotation: reading, writing, round trips and SDK agreement.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod check;
mod examples;
mod profile;
mod read;
mod roundtrip;
mod sdk_corpus;
mod strategy;
