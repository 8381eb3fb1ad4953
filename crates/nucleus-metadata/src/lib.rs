//! Validation rules for Nucleus metadata, per item and across a dataset.
//!
//! This crate will hold the dataset-level rules (type consistency per key, duplicate reference
//! ids), insights, append with update and the local query bar. It is filled by the metadata,
//! insights and query issues.

pub mod query;
