//! The published JSON Schema catalog of Scale AI Nucleus dataset items, and validation against it.
//!
//! The schemas in `schemas/*.schema.json` are generated from the Rust types of `nucleus-model`,
//! `nucleus-camera` and `nucleus-annotation` (their `JsonSchema` impls, feature `schema`),
//! completed here with the
//! rules of `nucleus-metadata` that the types do not carry (`lat`/`lon` ranges,
//! `context_attachments`), and written by `cargo xtask schemas`. Every schema is draft 2020-12,
//! self-contained (each `$ref` points into its own `$defs`), uses no `format` and no keyword
//! outside the standard, so Python's `jsonschema`, ajv and other validators read it as is.
//!
//! ```
//! use nucleus_schema::{ItemVerdict, catalog, item_verdicts_agree, validate_item};
//!
//! let names: Vec<&str> = catalog().iter().map(|entry| entry.name()).collect();
//! assert_eq!(
//!     names,
//!     [
//!         "item", "payload", "camera-params", "metadata", "dataset-item-type", "pointcloud",
//!         "scene", "annotation", "prediction", "annotation-box", "annotation-line",
//!         "annotation-polygon", "annotation-keypoints", "annotation-cuboid",
//!         "annotation-category", "annotation-multicategory", "annotation-segmentation",
//!     ]
//! );
//!
//! let item = serde_json::json!({"image_url": "s3://bucket/1.jpg", "reference_id": "1",
//!                               "metadata": {"lat": 123.4, "lon": 13.3}});
//! let errors = validate_item(&item)?;
//! assert_eq!(errors[0].instance_path, "/metadata/lat");
//!
//! // The schema and the Rust validator agree on every item (here: both reject it).
//! assert_eq!(item_verdicts_agree(&item.to_string())?, ItemVerdict::Rejected);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # API for tools
//!
//! - [`catalog`] lists the [`SchemaEntry`]s: [`SchemaEntry::name`], [`SchemaEntry::title`],
//!   [`SchemaEntry::description`], [`SchemaEntry::json`] (the file's text) and
//!   [`SchemaEntry::validate`] (errors with JSON pointers), compiled once on first use.
//!   [`entry`] finds one by name.
//! - [`validate_item`] validates one item against the `item` schema.
//! - [`item_verdicts_agree`] and [`compare_item`] run one JSON Lines line through the schema and
//!   through `nucleus_metadata::ItemRules::new()` and report a [`Disagreement`], for
//!   `nucleus check --via-schema`; [`Disagreement::diagnostic`] turns a disagreement into a
//!   `schema-disagreement` finding (an error, or a warning for a [`KnownGap`]), which
//!   [`cross_check`] gives for a line and [`with_cross_check`] adds to each line of a
//!   `nucleus_metadata::check::Check`.
//! - [`compare_annotation`] does the same for one annotation or prediction against the
//!   `annotation` or `prediction` schema and `nucleus_annotation::read_annotation`; an
//!   [`AnnotationGap`] names what the annotation schemas cannot say (a `class_pdf`'s sum,
//!   keypoint counts, distinct segment indexes, an integral float index).
//! - [`ensure_file_contents`] and [`ensure_schemas`] keep the generated files fresh; the
//!   `cargo xtask schemas [--check]` task and this crate's golden test share them.
//!
//! # What the item schema cannot say
//!
//! "The item schema accepts a value" equals "`ItemRules::new()` finds no error in it" for every
//! JSON value, with these exceptions, the first two outside JSON's data model, which JSON
//! Schema sees:
//!
//! - Duplicate keys, integers beyond 64 bits, `1e400`, `NaN`: the Rust reader's strict parser
//!   rejects the text before any rule runs; [`compare_item`] reports [`ItemVerdict::NotJson`].
//! - The spelling of a number: `"width": 1920.0` is an integer for JSON Schema (and for
//!   JavaScript), but the Rust reader keeps numbers as written and rejects a float width or
//!   height. [`Disagreement::known_gaps`] names this case ([`KnownGap::FloatSpelledInteger`]).
//! - URL syntax beyond a regular expression: the reader judges a remote location with a WHATWG
//!   URL parser; `$defs/Location` has a `pattern` for what a regular expression can see (a
//!   space or control character, an empty host, an unclosed bracket or a bracketed host of
//!   other than IPv6 characters, a port beyond 65535) but accepts an invalid international
//!   domain name (`http://xn--a.example/a.jpg`), an out-of-range IP address (`999.1.1.1`,
//!   `[1:2:3]`) or a character no host may hold (`http://a<b/a.jpg`).
//!   [`KnownGap::UrlSyntax`] names this case (the reverse never happens: every location the
//!   pattern rejects, the reader rejects).
//!
//! The non-zero heading of a camera *is* expressed (`not` all four components `const: 0`), and the
//! SDK's `url` rule (the text after the last `.` is exactly `jpg`, `png` or `json`) is a
//! `pattern`. The scene schema cannot count point clouds per lidar frame, check reference ids
//! for uniqueness or require remote locations (its description says so), and it sees
//! `"frame_rate": 30.0` as an integer; it also forbids sensor names that are item keys in every
//! lidar frame, where the reader minds them only in the first (telling a video from a lidar
//! scene). The tests `tests/it/{pointcloud,scene}.rs` hold the point-cloud and scene schemas to
//! their readers. Remote-only and privacy modes (`ItemRules` options) are not part of the item
//! schema.
//!
//! # `$id`s
//!
//! Each schema's `$id` is [`SCHEMA_BASE_URI`] followed by `<name>.schema.json`. The `$id` names
//! a schema; no validator needs to fetch it.

mod agree;
mod annotation;
mod catalog;
mod golden;
mod validate;
mod wire;

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

pub use agree::{
    Disagreement, ItemVerdict, KnownGap, compare_item, compare_value, cross_check,
    item_verdicts_agree, with_cross_check,
};
pub use annotation::{AnnotationDisagreement, AnnotationGap, compare_annotation};
pub use catalog::{DIALECT, GENERATED_COMMENT, SCHEMA_BASE_URI};
pub use golden::{FileStatus, ensure_file_contents, ensure_schemas};
pub use validate::{SchemaError, validate_item};

use serde_json::Value;

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No catalog entry has this name.
    #[error("unknown schema {0:?}; the catalog has {names}", names = catalog_names())]
    UnknownSchema(String),
    /// A catalog schema does not compile (a bug in this crate; a test guards against it).
    #[error("schema {name}: does not compile: {message}")]
    Compile {
        /// The schema's name.
        name: &'static str,
        /// The compiler's message.
        message: String,
    },
    /// The schema and the Rust validator disagree about an item.
    #[error("{0}")]
    Disagreement(Box<Disagreement>),
    /// A generated file differs from what the code generates.
    #[error("{} is stale: {summary}; run `{command}` to regenerate it", path.display())]
    Stale {
        /// The file.
        path: PathBuf,
        /// Where the first difference is.
        summary: String,
        /// The command that rewrites the file.
        command: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

fn catalog_names() -> String {
    catalog()
        .iter()
        .map(SchemaEntry::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One published schema: its name, what it describes, its JSON text and a compiled validator.
pub struct SchemaEntry {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    value: Value,
    json: String,
    validator: OnceLock<Result<jsonschema::Validator, String>>,
}

impl fmt::Debug for SchemaEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaEntry")
            .field("name", &self.name)
            .field("title", &self.title)
            .finish_non_exhaustive()
    }
}

impl SchemaEntry {
    /// The short name (`item`, `camera-params`, …), also the file stem.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The schema's `title`.
    #[must_use]
    pub fn title(&self) -> &'static str {
        self.title
    }

    /// One paragraph on what the schema describes (the start of its `description`).
    #[must_use]
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// The file name under `schemas/`: `<name>.schema.json`.
    #[must_use]
    pub fn file_name(&self) -> String {
        format!("{}.schema.json", self.name)
    }

    /// The schema's `$id`.
    #[must_use]
    pub fn id(&self) -> String {
        format!("{SCHEMA_BASE_URI}{}", self.file_name())
    }

    /// The schema as a JSON value.
    #[must_use]
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The file's text: two-space pretty JSON with a final newline.
    #[must_use]
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The `examples` of the schema.
    #[must_use]
    pub fn examples(&self) -> &[Value] {
        self.value
            .get("examples")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

/// Every published schema, in a fixed order; built on the first call.
#[must_use]
pub fn catalog() -> &'static [SchemaEntry] {
    static CATALOG: OnceLock<Vec<SchemaEntry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        catalog::RECIPES
            .iter()
            .map(|recipe| {
                let value = catalog::render(recipe);
                let json = format!("{value:#}\n");
                SchemaEntry {
                    name: recipe.name,
                    title: recipe.title,
                    description: recipe.description,
                    value,
                    json,
                    validator: OnceLock::new(),
                }
            })
            .collect()
    })
}

/// The catalog entry called `name`.
///
/// # Errors
///
/// [`Error::UnknownSchema`] when there is none.
pub fn entry(name: &str) -> Result<&'static SchemaEntry, Error> {
    catalog()
        .iter()
        .find(|entry| entry.name == name)
        .ok_or_else(|| Error::UnknownSchema(name.to_owned()))
}
