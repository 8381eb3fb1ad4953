//! Comparing the `item` schema's verdict with the Rust validator's, item by item.

use std::fmt;

use nucleus_metadata::ItemRules;
use nucleus_metadata::check::Check;
use nucleus_model::{Code, Diagnostic, LocationKind, Severity, json};
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
    /// A remote location that the Rust reader's WHATWG URL parser rejects for a reason a
    /// `pattern` cannot express: an invalid international domain name (`xn--a.example`), an
    /// IPv4 or IPv6 address out of range (`999.1.1.1`, `[1:2:3]`), a character a host may
    /// not hold (`a<b`). The schema rejects what a pattern can see (spaces, empty hosts,
    /// unclosed brackets, ports beyond 65535); see `$defs/Location`.
    UrlSyntax {
        /// Where the locations are (`/image_url`, `/metadata/context_attachments/0/attachment`).
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
    /// The documented limitations that together explain the disagreement (every Rust error is
    /// one of theirs); empty when it is a bug. An item may hit both gaps at once.
    pub known_gaps: Vec<KnownGap>,
}

impl Disagreement {
    /// Whether documented limitations explain the disagreement (it is not a bug).
    #[must_use]
    pub fn is_known_gap(&self) -> bool {
        !self.known_gaps.is_empty()
    }

    /// The finding `nucleus check --via-schema` reports: `schema-disagreement`, an error (a bug
    /// to report) or, for a [`KnownGap`], a warning; the message is this value's `Display`.
    #[must_use]
    pub fn diagnostic(&self) -> Diagnostic {
        let severity = if self.is_known_gap() {
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
        for gap in &self.known_gaps {
            match gap {
                KnownGap::FloatSpelledInteger { paths } => write!(
                    f,
                    " ({}: an integral float is an integer for JSON Schema; a known limitation)",
                    paths.join(", ")
                )?,
                KnownGap::UrlSyntax { paths } => write!(
                    f,
                    " ({}: a URL the WHATWG parser rejects for a reason no JSON Schema pattern can express; a known limitation)",
                    paths.join(", ")
                )?,
            }
        }
        if self.known_gaps.is_empty() {
            f.write_str(" (a bug: please report it)")?;
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
/// [`Disagreement::known_gaps`] is set).
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
    let reading = ItemRules::new().check_value(value.clone());
    let schema_accepts = schema_errors.is_empty();
    let rust_accepts = !reading.has_errors();
    if schema_accepts == rust_accepts {
        return Ok(Ok(if rust_accepts {
            ItemVerdict::Accepted
        } else {
            ItemVerdict::Rejected
        }));
    }
    // The gaps explain the disagreement when the schema accepts and every Rust error is one
    // gap's kind of finding at one of its places.
    let errors: Vec<&Diagnostic> = reading
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    let url_paths = malformed_url_paths(&value, &errors);
    let explained = |d: &&Diagnostic| match (&known_gap, d.code) {
        (Some(KnownGap::FloatSpelledInteger { paths }), Code::InvalidDimension) => {
            paths.contains(&d.path)
        }
        (_, Code::InvalidLocation) => url_paths.contains(&d.path),
        _ => false,
    };
    let mut known_gaps = Vec::new();
    if schema_accepts && !errors.is_empty() && errors.iter().all(explained) {
        if let Some(gap) = known_gap
            && errors.iter().any(|d| d.code == Code::InvalidDimension)
        {
            known_gaps.push(gap);
        }
        if !url_paths.is_empty() {
            known_gaps.push(KnownGap::UrlSyntax { paths: url_paths });
        }
    }
    Ok(Err(Disagreement {
        schema_accepts,
        rust_accepts,
        schema_errors,
        rust_diagnostics: reading.diagnostics,
        known_gaps,
    }))
}

/// The places of `invalid-location` errors whose value is a remote location the URL check
/// rejects (rather than, say, a number).
fn malformed_url_paths(value: &Value, errors: &[&Diagnostic]) -> Vec<String> {
    errors
        .iter()
        .filter(|d| d.code == Code::InvalidLocation)
        .filter(|d| {
            value
                .pointer(&d.path)
                .and_then(Value::as_str)
                .is_some_and(|text| LocationKind::checked(text).is_err())
        })
        .map(|d| d.path.clone())
        .collect()
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
/// [`Error::Disagreement`] when the verdicts differ (check [`Disagreement::known_gaps`] before
/// calling it a bug), [`Error::Compile`] when the item schema does not compile.
pub fn item_verdicts_agree(text: &str) -> Result<ItemVerdict, Error> {
    compare_item(text)?.map_err(|disagreement| Error::Disagreement(Box::new(disagreement)))
}

/// `check` with the schema cross-check of `nucleus check --via-schema`: a `schema-disagreement`
/// on each line where the item schema and the item rules disagree (the item rules run twice:
/// the price of the cross-check), after the findings of the hooks added before.
#[must_use]
pub fn with_cross_check(check: Check<'_>) -> Check<'_> {
    check.with_hook(|text, _| cross_check(text).into_iter().collect::<Vec<_>>().into())
}

/// The `schema-disagreement` finding for a line, when the item schema and the item rules
/// disagree about it.
#[must_use]
pub fn cross_check(text: &str) -> Option<Diagnostic> {
    match compare_item(text) {
        Ok(Ok(_)) => None,
        Ok(Err(disagreement)) => Some(disagreement.diagnostic()),
        Err(error) => Some(Diagnostic::error(
            Code::SchemaDisagreement,
            "",
            format!("the schema validator failed: {error}"),
        )),
    }
}
