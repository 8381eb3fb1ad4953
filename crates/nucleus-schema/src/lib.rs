//! The published JSON Schema catalog of Nucleus dataset items.
//!
//! This crate will generate the `schemas/*.schema.json` files from the Rust types and validate
//! JSON values against them with the `jsonschema` crate. It is filled by the schema issue.
