//! End-to-end tests of the `nucleus` binary, one module per subcommand: exit codes, output
//! shapes, line handling. Every run goes through `support::cmd`, so a change to how the binary
//! is run touches one place.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod annotations;
mod append;
mod check;
mod convert;
mod exit;
mod normalize;
mod payload;
mod profile;
mod project;
mod query;
mod render;
mod schema;
