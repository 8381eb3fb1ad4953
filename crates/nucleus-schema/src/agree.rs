//! Comparing the `item` schema's verdict with the Rust validator's, item by item.

use std::fmt;

use nucleus_metadata::ItemRules;
use nucleus_model::{Code, Diagnostic, Severity, json};
use serde_json::Value;

use crate::{Error, SchemaError, entry};

/// The common verdict of the schema and the Rust validator on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ItemVerdict {
    /// Both accept the item (the Rust validator may have warnings).
    Accepted,
    /// Both reject it.
    Rejected,
    /// The Rust reader rejects the text as JSON (syntax, duplicate key, integer beyond 64 bits,
    /// `1e400`), which JSON Schema, working on parsed values, cannot see; nothing to compare.
    NotJson,
}

/// A difference between the schema and the Rust validator that the crate docs explain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KnownGap {
    /// A `width` or `height` written as a float with an integral value (`1920.0`): an integer
    /// for JSON Schema, a float (rejected) for the Rust reader, which keeps numbers as written.
    FloatSpelledInteger {
        /// Where the numbers are (`/width`, `/height`).
        paths: Vec<String>,
    },
}

/// The schema and the Rust validator disagree about one item.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Disagreement {
    /// Whether the schema accepts the item.
    pub schema_accepts: bool,
    /// Whether the Rust validator finds no error.
    pub rust_accepts: bool,
    /// The schema's errors.
    pub schema_errors: Vec<SchemaError>,
    /// Every Rust finding, errors and warnings.
    pub rust_diagnostics: Vec<Diagnostic>,
    /// Set when the disagreement is a documented limitation rather than a bug.
    pub known_gap: Option<KnownGap>,
}

impl Disagreement {
    /// The finding `nucleus check --via-schema` reports: `schema-disagreement`, an error (a bug
    /// to report) or, for a [`KnownGap`], a warning; the message is this value's `Display`.
    #[must_use]
    pub fn diagnostic(&self) -> Diagnostic {
        let severity = if self.known_gap.is_some() {
            Severity::Warning
        } else {
            Severity::Error
        };
        Diagnostic::new(severity, Code::SchemaDisagreement, "", self.to_string())
    }
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = |accepts: bool| if accepts { "accepts" } else { "rejects" };
        write!(
            f,
            "the item schema {} this item but the Rust validator {} it",
            verdict(self.schema_accepts),
            verdict(self.rust_accepts)
        )?;
        match &self.known_gap {
            Some(KnownGap::FloatSpelledInteger { paths }) => write!(
                f,
                " ({}: an integral float is an integer for JSON Schema; a known limitation)",
                paths.join(", ")
            )?,
            None => f.write_str(" (a bug: please report it)")?,
        }
        for error in &self.schema_errors {
            write!(f, "; schema: {error}")?;
        }
        for diagnostic in self.rust_diagnostics.iter().filter(|d| d.is_error()) {
            write!(f, "; rust: {diagnostic}")?;
        }
        Ok(())
    }
}

/// Runs one JSON Lines line through the `item` schema and through `ItemRules::new()`.
///
/// Returns the common verdict, or the [`Disagreement`] when they differ (which is a bug unless
/// [`Disagreement::known_gap`] is set).
///
/// # Errors
///
/// [`Error::Compile`] when the item schema does not compile (a bug; tested).
pub fn compare_item(text: &str) -> Result<Result<ItemVerdict, Disagreement>, Error> {
    let value = match json::parse(text) {
        Ok(value) => value,
        Err(_) => return Ok(Ok(ItemVerdict::NotJson)),
    };
    compare_value(value)
}

/// As [`compare_item`], for a value already parsed (strictly, as `nucleus_model::json::parse`
/// does: the comparison assumes the reader would have accepted the text).
///
/// # Errors
///
/// [`Error::Compile`] when the item schema does not compile (a bug; tested).
pub fn compare_value(value: Value) -> Result<Result<ItemVerdict, Disagreement>, Error> {
    let schema_errors = entry("item")?.validate(&value)?;
    let known_gap = float_spelled_dimension(&value);
    let reading = ItemRules::new().check_value(value);
    let schema_accepts = schema_errors.is_empty();
    let rust_accepts = !reading.has_errors();
    if schema_accepts == rust_accepts {
        return Ok(Ok(if rust_accepts {
            ItemVerdict::Accepted
        } else {
            ItemVerdict::Rejected
        }));
    }
    let explained = schema_accepts
        && known_gap
            .as_ref()
            .is_some_and(|KnownGap::FloatSpelledInteger { paths }| {
                let mut errors = reading
                    .diagnostics
                    .iter()
                    .filter(|d| d.is_error())
                    .peekable();
                errors.peek().is_some()
                    && errors.all(|d| d.code == Code::InvalidDimension && paths.contains(&d.path))
            });
    Ok(Err(Disagreement {
        schema_accepts,
        rust_accepts,
        schema_errors,
        rust_diagnostics: reading.diagnostics,
        known_gap: known_gap.filter(|_| explained),
    }))
}

/// The `width`/`height` pointers whose value is a float with an integral value ≥ 1.
fn float_spelled_dimension(value: &Value) -> Option<KnownGap> {
    let paths: Vec<String> = ["width", "height"]
        .into_iter()
        .filter(|key| {
            value.get(*key).and_then(Value::as_number).is_some_and(|n| {
                n.is_f64() && n.as_f64().is_some_and(|v| v >= 1.0 && v.fract() == 0.0)
            })
        })
        .map(|key| format!("/{key}"))
        .collect();
    (!paths.is_empty()).then_some(KnownGap::FloatSpelledInteger { paths })
}

/// Runs one line through both validators and fails when they disagree.
///
/// # Errors
///
/// [`Error::Disagreement`] when the verdicts differ (check [`Disagreement::known_gap`] before
/// calling it a bug), [`Error::Compile`] when the item schema does not compile.
pub fn item_verdicts_agree(text: &str) -> Result<ItemVerdict, Error> {
    compare_item(text)?.map_err(|disagreement| Error::Disagreement(Box::new(disagreement)))
}
